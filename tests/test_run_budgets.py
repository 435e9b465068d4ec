"""Runs cut short by the step budget: what they leave behind is not taken for what the file built."""
from __future__ import annotations

import pytest

from shapecheck.analysis import driver
from shapecheck.engine import check_source

DEEP_BUILDER = '''
import torch.nn as nn


class Block(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.conv = nn.Conv2d(c, c, 3, padding=1)

    def forward(self, x):
        return self.conv(x)


class Net(nn.Module):
    def __init__(self, depth, widths):
        super().__init__()
        self.stem = nn.Conv2d(3, widths[0], 3, padding=1)
        self.blocks = nn.Sequential(*[Block(widths[0]) for _ in range(depth)])
        self.proj = nn.Conv2d(widths[0], widths[-1], 1)
        self.head = nn.Linear(widths[0], 10)

    def forward(self, x):
        x = self.proj(self.blocks(self.stem(x)))
        return self.head(x.mean((2, 3)))


def net_deep():
    return Net(60, (16, 32))


def net_shallow():
    return Net(1, (16, 32))
'''


@pytest.mark.parametrize("run_max", [400, driver.FUNCTION_RUN_MAX])
def test_a_constructor_cut_short_builds_no_instance(monkeypatch: pytest.MonkeyPatch, run_max: int) -> None:
    """With few steps a run, ``net_deep()`` runs out inside ``Net.__init__``, before ``self.head``
    exists: that half of an object is not an instance the file built, so ``Net`` runs on the one
    ``net_shallow()`` builds, where the head built for 16 features gets 32."""
    monkeypatch.setattr(driver, "FUNCTION_RUN_MAX", run_max)
    found = [d for d in check_source(DEEP_BUILDER, "deep.py") if d.severity == "error"]
    assert [(d.code, d.line) for d in found] == [("SHP301", 24)], [d.message for d in found]
