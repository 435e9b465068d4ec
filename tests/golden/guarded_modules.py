"""A module built only where a condition on sizes holds (RepVGG's identity branch, a shortcut kept
only where the channels do not change) is there, under ``if self.branch is not None:`` (or ``if
self.branch:``), only where that condition held when it was built: the sum it feeds is checked
assuming it. A condition that says nothing of the sizes the sum needs still leaves it wrong."""
import torch
from torch import nn


class RepConv(nn.Module):
    def __init__(self, in_channels, out_channels, stride):
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, 3, stride, 1, bias=False)
        self.bn = nn.BatchNorm2d(out_channels)
        self.identity = nn.BatchNorm2d(in_channels) if out_channels == in_channels and stride == 1 else None

    def forward(self, x):
        out = self.bn(self.conv(x))
        if self.identity is not None:
            out = out + self.identity(x)
        return out


class Shortcut(nn.Module):
    def __init__(self, in_channels, out_channels):
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, 1)
        if in_channels != out_channels:
            self.proj = None
        else:
            self.proj = nn.Identity()

    def forward(self, x):
        y = self.conv(x)
        if self.proj:
            y = y + self.proj(x)
        return y


class StrideGuard(nn.Module):
    def __init__(self, in_channels, out_channels, stride):
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, 3, stride, 1)
        self.skip = nn.Identity() if stride == 1 else None

    def forward(self, x):
        out = self.conv(x)
        if self.skip is not None:
            out = out + self.skip(x)  # E: SHP501 "holds only if"
        return out


class OtherGuard(nn.Module):
    def __init__(self, in_channels, out_channels):
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, 1)
        self.skip = nn.Identity() if out_channels == in_channels else None

    def forward(self, x):
        out = self.conv(x)
        if self.skip is None:
            return out
        return out + self.skip(x)  # (past `if self.skip is None: return`, it is there)


class AfterGuard(nn.Module):
    def __init__(self, in_channels, out_channels):
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, 1)
        self.skip = nn.Identity() if out_channels == in_channels else None

    def forward(self, x):
        out = self.conv(x)
        if self.skip is not None:
            out = out + self.skip(x)
        return self.conv(x) + x  # E: SHP501 "holds only if"


block = RepConv(8, 8, 1)
reveal_shape(block(torch.randn(2, 8, 5, 5)))  # revealed: (2, 8, 5, 5)
