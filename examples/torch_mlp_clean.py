"""A clean MLP classifier: every size chains."""
import torch
import torch.nn.functional as F
from torch import nn


class MLP(nn.Module):
    def __init__(self, in_features: int = 784, hidden: int = 256, classes: int = 10):
        super().__init__()
        self.fc1 = nn.Linear(in_features, hidden)
        self.fc2 = nn.Linear(hidden, hidden)
        self.out = nn.Linear(hidden, classes)

    def forward(self, x):
        x = x.flatten(1)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return F.log_softmax(self.out(x), dim=1)


if __name__ == "__main__":
    model = MLP()
    images = torch.randn(64, 1, 28, 28)
    labels = torch.randint(0, 10, (64,))
    loss = F.nll_loss(model(images), labels)
    print(loss.shape)
