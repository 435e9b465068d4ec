"""A subclass of ``nn.Sequential`` with no forward of its own whose children are set as
attributes (timm's ConvNorm, BNLinear): torch chains them in the order they are set, after any
given to ``super().__init__``; a child set again keeps its place."""
import torch
from torch import nn


class ConvNorm(nn.Sequential):
    def __init__(self, cin, cout, k=1):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, k, padding=k // 2, bias=False)  # E: SHP301 "never match"
        self.bn = nn.BatchNorm2d(cout)


class Net(nn.Module):
    """``a`` makes twice the channels ``b`` was built for."""

    def __init__(self, c):
        super().__init__()
        self.a = ConvNorm(c, 2 * c)
        self.b = ConvNorm(c, c, 3)

    def forward(self, x):
        return self.b(self.a(x))


class ConvAct(nn.Sequential):
    def __init__(self, cin, cout):
        super().__init__(nn.Conv2d(cin, cout, 3, padding=1))
        self.act = nn.ReLU()
        self.pool = nn.Identity()
        self.pool = nn.MaxPool2d(2)


reveal_shape(ConvAct(3, 8)(torch.randn(1, 3, 6, 6)))  # revealed: (1, 8, 3, 3)
