"""nn.MultiheadAttention inside a block: torch never calls its out_proj as a module."""
import torch
from torch import nn


class Encoder(nn.Module):
    def __init__(self, d=32, heads=4, n=10):
        super().__init__()
        self.pos = nn.Parameter(torch.zeros(1, n, d))
        self.attn = nn.MultiheadAttention(d, heads, batch_first=True)
        self.norm = nn.LayerNorm(d)
        self.mlp = nn.Sequential(nn.Linear(d, 4 * d), nn.GELU(), nn.Linear(4 * d, d))

    def forward(self, x):
        x = x + self.pos
        a, _ = self.attn(x, x, x)
        x = self.norm(x + a)
        return x + self.mlp(x)


model = Encoder()
x = torch.randn(2, 10, 32)
out = model(x)
