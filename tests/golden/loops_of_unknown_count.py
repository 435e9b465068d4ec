"""Loops whose count the checker cannot know (a slice of the blocks, a count from the caller): the
body runs the first time round from the values before the loop -- where ``enumerate`` counts from
0 and ``range(1, n)`` from 1 -- and then any time round, from what earlier rounds may have left.
A bug of the first round is found; a branch taken only later (``if idx == 2:``) does not see the
values from before the loop."""
import torch
from torch import nn


class Stages(nn.Module):
    """The positional embedding is added after the first two blocks, when the tokens have 384
    channels (timm's VOLO); a slice of the blocks has a length the checker cannot know."""

    def __init__(self):
        super().__init__()
        self.embed = nn.Conv2d(3, 192, 8, 8)
        self.network = nn.ModuleList([nn.Identity(), nn.Linear(192, 384), nn.Identity()])
        self.pos_embed = nn.Parameter(torch.zeros(1, 4, 4, 384))

    def forward(self, x, stop: int):
        x = self.embed(x).permute(0, 2, 3, 1)
        for idx, block in enumerate(self.network[:stop + 1]):
            if idx == 2:
                x = x + self.pos_embed
            x = block(x)
        return x


class Unrolled(nn.Module):
    """A recurrence the caller counts: the first round already feeds 48 features to a layer of 64."""

    def __init__(self):
        super().__init__()
        self.cell = nn.Linear(64, 32)

    def forward(self, x, steps: int):
        h = torch.zeros(8, 48)
        for _ in range(steps):
            h = self.cell(h)  # E: SHP301
        return h


class Later(nn.Module):
    """Only the rounds after the first take the branch, and by then ``h`` may have any width: nothing
    is provably wrong."""

    def __init__(self):
        super().__init__()
        self.grow = nn.Linear(16, 32)
        self.mix = nn.Linear(32, 32)

    def forward(self, h, steps: int):
        h = torch.zeros(h.shape[0], 16)
        for t in range(1, steps):
            if t == 1:
                h = self.grow(h)
            else:
                h = self.mix(h)
        return h


def run():
    Stages()(torch.randn(2, 3, 32, 32), 2)
    Later()(torch.randn(2, 16), 4)
