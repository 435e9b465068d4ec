"""Sizes computed from what the checker cannot see: ``int(round(out_chs * bottle_ratio))``, a
``make_divisible`` helper, a size set in two branches. Each is an int of its own, the same
wherever it goes, so a block that doubles it where it should not is found whatever its value;
two such sizes are never said to differ unless they can never be equal. A squeeze-excite block
built in one branch of an ``if`` keeps its layers; a ``norm_layer=nn.BatchNorm2d`` default is
that layer in the generic run."""
import os

import torch
import torch.nn.functional as F
from torch import nn


def make_divisible(v, divisor=8, min_value=None, round_limit=0.9):
    min_value = min_value or divisor
    new_v = max(min_value, int(v + divisor / 2) // divisor * divisor)
    if new_v < round_limit * v:
        new_v += divisor
    return new_v


class SqueezeExcite(nn.Module):
    def __init__(self, channels, rd_ratio=1.0 / 16, rd_channels=None):
        super().__init__()
        if not rd_channels:
            rd_channels = make_divisible(channels * rd_ratio)
        self.fc1 = nn.Conv2d(channels, rd_channels, 1)
        self.fc2 = nn.Conv2d(rd_channels, channels, 1)

    def forward(self, x):
        s = self.fc2(self.fc1(x.mean((2, 3), keepdim=True))).relu()
        return x * s.sigmoid()


class Bottleneck(nn.Module):
    def __init__(self, in_chs, out_chs, bottle_ratio=1.0, se_ratio=0.25, norm_layer=nn.BatchNorm2d):
        super().__init__()
        mid = int(round(out_chs * bottle_ratio))
        reveal_shape(mid)  # revealed: int 32
        self.conv1 = nn.Conv2d(in_chs, mid, 1)
        self.bn1 = norm_layer(mid)
        self.conv2 = nn.Conv2d(mid, mid, 3, padding=1)
        if se_ratio:
            self.se = SqueezeExcite(mid, rd_channels=int(round(in_chs * se_ratio)))
        else:
            self.se = nn.Identity()
        self.conv3 = nn.Conv2d(mid, out_chs, 1)

    def forward(self, x):
        x = self.bn1(self.conv1(x))
        x = self.se(self.conv2(x))
        return self.conv3(x)


class WideBottleneck(nn.Module):
    """conv1 makes twice the channels that conv2 was built for."""

    def __init__(self, in_chs, out_chs, bottle_ratio=1.0):
        super().__init__()
        mid = int(round(out_chs * bottle_ratio))
        self.conv1 = nn.Conv2d(in_chs, 2 * mid, 1)
        self.conv2 = nn.Conv2d(mid, mid, 3, padding=1)

    def forward(self, x):
        return self.conv2(self.conv1(x))  # E: SHP301 "never match"


def widths(c, wide=False):
    if wide:
        w = c * 3
    else:
        w = c * 2
    reveal_shape(w)  # revealed: int w
    reveal_shape(max(w, 2 * w))  # revealed: int 2*w
    a = int(c * 0.5)
    b = int(c * 0.5)
    conv = nn.Conv2d(a, w, 1)
    return nn.Conv2d(b, w, 1)(conv(torch.randn(1, a, 4, 4)))  # (a and b may be equal: no finding)


x = torch.randn(2, 16, 8, 8)
reveal_shape(Bottleneck(16, 32)(x))  # revealed: (2, 32, 8, 8)
reveal_shape(make_divisible(40 * 0.25))  # revealed: int 16


class Stack(nn.Module):
    """A stem built one of two ways, then grown with add_module: each way gets the blocks."""

    def __init__(self, deep_stem=False, widths=(16, 32)):
        super().__init__()
        if deep_stem:
            self.features = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.Conv2d(8, 8, 3, padding=1))
        else:
            self.features = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1))
        prev = 8
        for i, w in enumerate(widths):
            self.features.add_module(f"block{i}", nn.Conv2d(prev, w, 3, padding=1))
            prev = w
        self.head = nn.Linear(prev, 10)

    def forward(self, x):
        x = self.features(x).mean((2, 3))
        reveal_shape(x)  # revealed: (2, 32)
        return self.head(x)


reveal_shape(Stack()(torch.randn(2, 3, 8, 8)))  # revealed: (2, 10)


class BadStack(Stack):
    """The last block expects twice the channels the one before makes (whichever stem)."""

    def __init__(self, deep_stem=False):
        super().__init__(deep_stem, (16, 32))
        self.features.add_module("last", nn.Conv2d(64, 32, 1))  # E: SHP301 "expects in_channels=64"

    def forward(self, x):
        return self.head(self.features(x).mean((2, 3)))


# an attention computed one of two ways, one through a value the checker cannot see: the product
# still ends with v's last size, and so does what the two ways make
v = torch.randn(2, 4, 10, 16)
if os.environ.get("FUSED") == "1":
    out = F.scaled_dot_product_attention(torch.randn(2, 4, 10, 16), torch.randn(2, 4, 10, 16), v)
else:
    attn = getattr(torch, os.environ.get("INIT", "ones"))(2, 4, 10, 10)
    out = attn @ v
reveal_shape(out)  # revealed: (*, 16)
pool = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(1) if bool("avg") else nn.Identity())
reveal_shape(pool(torch.randn(2, 8, 4, 4)))  # revealed: (2, 8)
