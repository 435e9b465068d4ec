"""A block whose branches each feed its input to a conv block of their own (Inception): the first
conv that reads the input's channels binds them, for the block and for every branch after it, so
a branch built for twice the channels is found whatever they are. A parameter used by a conv is
``(*, C, H, W)`` from then on; its rank stays open."""
import torch
import torch.nn.functional as F
from torch import nn


class ConvBlock(nn.Module):
    def __init__(self, in_channels, out_channels, **kwargs):
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, bias=False, **kwargs)
        self.bn = nn.BatchNorm2d(out_channels)

    def forward(self, x):
        return F.relu(self.bn(self.conv(x)))  # E: SHP301 "never match"


class Reduction(nn.Module):
    def __init__(self, in_channels):
        super().__init__()
        self.branch3x3 = ConvBlock(2 * in_channels, 384, kernel_size=3, stride=2)
        self.branch3x3dbl_1 = ConvBlock(in_channels, 64, kernel_size=1)
        self.branch3x3dbl_2 = ConvBlock(64, 96, kernel_size=3, stride=2)

    def forward(self, x):
        a = self.branch3x3(x)
        b = self.branch3x3dbl_2(self.branch3x3dbl_1(x))
        return torch.cat([a, b, F.max_pool2d(x, kernel_size=3, stride=2)], 1)


class Mixed(nn.Module):
    def __init__(self, in_channels, pool_features):
        super().__init__()
        self.branch1x1 = nn.Conv2d(in_channels, 64, kernel_size=1)
        self.branch_pool = nn.Conv2d(in_channels, pool_features, kernel_size=1)

    def forward(self, x):
        pooled = F.avg_pool2d(x, kernel_size=3, stride=1, padding=1)
        out = torch.cat([self.branch1x1(x), self.branch_pool(pooled)], 1)
        reveal_shape(out)  # revealed: (2, 80, 9, 9)
        return out


def flat(x, w):
    return torch.mm(x, w)  # (x is 2-D here: another function's conv input says nothing of it)


y = Mixed(32, 16)(torch.randn(2, 32, 9, 9))
reveal_shape(y)  # revealed: (2, 80, 9, 9)
