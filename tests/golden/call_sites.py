"""A class built by another class or function of the file runs on what its call sites built.

A condition between two constructor parameters ("holds only if c_left == c_right") is checked
against the sizes the file's own callers pass, and reported only where a caller breaks it."""
import torch
import torch.nn as nn


class Cell(nn.Module):
    """Adds two branches whose channels are two parameters: right only when they agree."""

    def __init__(self, in_left, c_left, in_right, c_right):
        super().__init__()
        self.left = nn.Conv2d(in_left, c_left, 1)
        self.right = nn.Conv2d(in_right, c_right, 1)

    def forward(self, x, x_prev):
        return self.left(x_prev) + self.right(x)


class Stack(nn.Module):
    """Every call site passes equal channels on both sides: no finding in Cell."""

    def __init__(self, channels):
        super().__init__()
        self.cell0 = Cell(channels, channels, 2 * channels, channels)
        self.cell1 = Cell(2 * channels, channels, channels, channels)

    def forward(self, x, x_prev):
        return self.cell1(self.cell0(x, x_prev), x)


class Pair(nn.Module):
    """The same idea with the sizes of its only caller: 8 and 16 never add."""

    def __init__(self, a, b):
        super().__init__()
        self.fa = nn.Linear(4, a)
        self.fb = nn.Linear(4, b)

    def forward(self, x):
        return self.fa(x) + self.fb(x)  # E: SHP501


def build_pair():
    return Pair(8, 16)


class Lone(nn.Module):
    """No caller in the file: the condition stays a condition, reported as one."""

    def __init__(self, a, b):
        super().__init__()
        self.fa = nn.Linear(4, a)
        self.fb = nn.Linear(4, b)

    def forward(self, x):
        return self.fa(x) + self.fb(x)  # E: SHP501 "holds only if"


def blocks(n_from, n_to):
    """Two sizes every caller in the file passes equal: the calls decide, no finding."""
    return torch.zeros(n_from, 2) + torch.zeros(n_to, 2)


def attend(seq_len):
    block = seq_len // 4
    return blocks(block, block)


def pair_sum(n_a, n_b):
    return torch.zeros(n_a) + torch.zeros(n_b)  # E: SHP501


def use_pair():
    return pair_sum(3, 4)
