"""The construction check of a torch ``nn.Sequential`` built in a constructor (its chain run on an
input of unknown shape: neighbours that do not fit) waits for the outermost constructor to return
(``Reuse.check_built``). The network's chain runs first and runs through the stages
inside it; a stage it ran through to the end needs no check of its own. Each program here was run
with torch: the finding is the error torch raises."""
from __future__ import annotations

import textwrap

import pytest

from shapecheck.engine import check_source
from shapecheck.ops.torch import core


def _errors(source: str) -> list[tuple[int, int, str]]:
    return [(d.line, d.column, d.code) for d in check_source(textwrap.dedent(source), "m.py")
            if d.severity == "error"]


NETWORK = """
import torch
import torch.nn as nn


class Stage(nn.Module):
    def __init__(self, dim, depth):
        super().__init__()
        self.blocks = nn.Sequential(*[nn.Linear(dim, dim) for _ in range(depth)], nn.Linear(dim, dim))

    def forward(self, x):
        return self.blocks(x)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.stages = nn.Sequential(Stage(8, 2), nn.Linear(8, 16), Stage(16, 3))

    def forward(self, x):
        return self.stages(x)


net = Net()
"""


def test_the_stages_a_network_chain_ran_through_are_not_checked_again(monkeypatch: pytest.MonkeyPatch) -> None:
    checked = []
    real = core.Sequential.after_build

    def counted(self, layer, call):  # type: ignore[no-untyped-def]
        checked.append(layer)
        return real(self, layer, call)

    monkeypatch.setattr(core.Sequential, "after_build", counted)
    assert _errors(NETWORK) == []
    assert len(checked) == 1  # the network's chain, not each stage's again


def test_a_bug_inside_a_stage_is_found_by_the_network_check() -> None:
    # torch: mat1 and mat2 shapes cannot be multiplied (2x8 and 16x8)
    bug = NETWORK.replace("nn.Linear(dim, dim))", "nn.Linear(dim * 2, dim))")
    assert _errors(bug) == [(9, 83, "SHP301")]


def test_a_stage_the_network_chain_does_not_reach_is_checked_on_its_own() -> None:
    # the backbone is nothing the checker can see into: the chain stops there, the head is checked
    # alone (torch with nn.Linear(5, 32) for the backbone: (2x16 and 32x10))
    assert _errors("""
        import torch
        import torch.nn as nn


        class Net(nn.Module):
            def __init__(self, backbone):
                super().__init__()
                self.head = nn.Sequential(nn.Linear(32, 16), nn.ReLU(), nn.Linear(32, 10))
                self.body = nn.Sequential(backbone, self.head)

            def forward(self, x):
                return self.body(x)


        net = Net(torch.hub.load("pytorch/vision", "resnet18"))
    """) == [(9, 65, "SHP301")]


def test_a_stage_looped_over_by_hand_is_no_chain() -> None:
    # ``for layer in self.heads``: a list of layers, each applied to the same input
    assert _errors("""
        import torch
        import torch.nn as nn


        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.heads = nn.Sequential(nn.Linear(8, 4), nn.Linear(8, 2))

            def forward(self, x):
                return [head(x) for head in self.heads]


        net = Net()
        outs = net(torch.randn(3, 8))
    """) == []


def test_a_module_registered_on_one_branch_is_not_always_in_the_chain() -> None:
    # ``register_module`` under a condition the checker cannot decide: the chain after the ``if``
    # is one or the other (torch, with no argument: (2, 8) @ (8, 5) runs)
    assert _errors("""
        import sys

        import torch
        import torch.nn as nn

        seq = nn.Sequential(nn.Linear(4, 8))
        if len(sys.argv) > 2:
            seq.register_module("extra", nn.Linear(8, 3))
        y = seq(torch.randn(2, 4))
        z = y @ torch.randn(8, 5)
    """) == []
