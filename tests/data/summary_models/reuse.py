"""One activation called twice, blocks in a ModuleList looped over, heads in a ModuleDict."""
import torch
from torch import nn


class Block(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.fc1 = nn.Linear(d, 2 * d)
        self.fc2 = nn.Linear(2 * d, d)
        self.act = nn.GELU()
        self.norm = nn.LayerNorm(d)

    def forward(self, x):
        return self.norm(x + self.act(self.fc2(self.act(self.fc1(x)))))


class Net(nn.Module):
    def __init__(self, d=24, depth=3):
        super().__init__()
        self.blocks = nn.ModuleList([Block(d) for _ in range(depth)])
        self.heads = nn.ModuleDict({"cls": nn.Linear(d, 4), "reg": nn.Linear(d, 1)})

    def forward(self, x):
        for blk in self.blocks:
            x = blk(x)
        return self.heads["cls"](x), self.heads["reg"](x)


model = Net()
x = torch.randn(6, 24)
out = model(x)
