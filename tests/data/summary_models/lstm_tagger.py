"""Token ids through an embedding, a bidirectional LSTM and a linear head."""
import torch
from torch import nn


class Tagger(nn.Module):
    def __init__(self, vocab=100, embed=32, hidden=48, tags=5):
        super().__init__()
        self.emb = nn.Embedding(vocab, embed)
        self.lstm = nn.LSTM(embed, hidden, num_layers=2, batch_first=True, bidirectional=True)
        self.drop = nn.Dropout(0.1)
        self.head = nn.Linear(2 * hidden, tags)

    def forward(self, tokens):
        h, _ = self.lstm(self.emb(tokens))
        return self.head(self.drop(h))


model = Tagger()
x = torch.randint(0, 100, (4, 12))
out = model(x)
