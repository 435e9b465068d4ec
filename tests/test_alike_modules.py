"""A method of a torch module built like another (same class, same construction node, same
sizes, same parts) that already ran on the same arguments is answered from that run
(``analysis/reuse.py``, ``objects.Structures``): the blocks of a stage run once, not once
each. Each program here was run with torch: the finding is the error torch raises."""
from __future__ import annotations

import textwrap

import pytest

from shapecheck.analysis import calls
from shapecheck.engine import check_source


def _errors(source: str) -> list[tuple[int, str]]:
    return [(d.line, d.code) for d in check_source(textwrap.dedent(source), "m.py") if d.severity == "error"]


def _runs(source: str, name: str, monkeypatch: pytest.MonkeyPatch) -> int:
    """How many times the analysis ran the method ``name`` (``Class.method``)."""
    count = 0
    real = calls.CallEvaluator._run_function

    def counted(self, fn, *args):  # type: ignore[no-untyped-def]
        nonlocal count
        if fn.cls is not None and f"{fn.cls.name}.{fn.name}" == name:
            count += 1
        return real(self, fn, *args)

    monkeypatch.setattr(calls.CallEvaluator, "_run_function", counted)
    check_source(textwrap.dedent(source), "m.py")
    return count


STAGE = """
import torch
import torch.nn as nn


class Block(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.fc1 = nn.Linear(dim, dim * 2)
        self.fc2 = nn.Linear(dim * 2, dim)
        self.act = nn.GELU()

    def forward(self, x):
        return x + self.fc2(self.act(self.fc1(x)))


class Net(nn.Module):
    def __init__(self, dim=16, depth=6):
        super().__init__()
        self.blocks = nn.Sequential(*[Block(dim) for _ in range(depth)])

    def forward(self, x):
        return self.blocks(x)


net = Net()
out = net(torch.randn(2, 16))
"""


def test_blocks_built_alike_run_once_per_input(monkeypatch: pytest.MonkeyPatch) -> None:
    alike = _runs(STAGE, "Block.forward", monkeypatch)
    monkeypatch.setattr(calls.CallEvaluator, "alike", False)
    each = _runs(STAGE, "Block.forward", monkeypatch)
    assert each >= 12  # six blocks, on the chain's unknown input and on the batch, at the least
    assert alike <= each // 3


def test_a_bug_inside_blocks_built_alike_is_found_once() -> None:
    # torch: mat1 and mat2 shapes cannot be multiplied (2x32 and 16x16)
    assert _errors(STAGE.replace("nn.Linear(dim * 2, dim)", "nn.Linear(dim, dim)")) == [(14, "SHP301")]


def test_blocks_of_other_sizes_are_not_alike() -> None:
    # torch: Sizes of tensors must match except in dimension 0. Expected size 8 but got size 4
    assert _errors("""
        import torch
        import torch.nn as nn


        class Block(nn.Module):
            def __init__(self, d_in, d_out):
                super().__init__()
                self.fc = nn.Linear(d_in, d_out)

            def forward(self, x):
                return self.fc(x)


        blocks = [Block(8, d) for d in (8, 8, 4)]
        x = torch.randn(2, 8)
        outs = [blk(x) for blk in blocks]
        y = torch.cat([outs[0], outs[2]], dim=0)
    """) == [(18, "SHP202")]


def test_a_method_that_writes_into_its_module_runs_for_each() -> None:
    # the second module's ``last`` is set by its own forward: read after it, it has its shape
    # torch: mat1 and mat2 shapes cannot be multiplied (4x6 and 5x3)
    assert _errors("""
        import torch
        import torch.nn as nn


        class Keep(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(8, 6)

            def forward(self, x):
                self.last = self.fc(x)
                return x


        a, b = [Keep() for _ in range(2)]
        x = torch.randn(4, 8)
        a(x)
        b(x)
        w = torch.randn(5, 3)
        y = b.last @ w
    """) == [(21, "SHP101")]


HEAD = """
        import torch
        import torch.nn as nn


        class Head(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(8, 8)

            def forward(self, x):
                return self.fc(x)

"""


NESTED = HEAD + """
        class Outer(nn.Module):
            def __init__(self):
                super().__init__()
                self.inner = Head()

            def forward(self, x):
                return self.inner(x)

"""


@pytest.mark.parametrize("program, cls, layer", [
    (HEAD, "Head", "b.fc"),  # the write goes into ``b`` itself
    (NESTED, "Outer", "b.inner.fc"),  # into a part of ``b``: its structure holds only while its parts hold
])
def test_a_module_changed_after_it_ran_is_compared_anew(program: str, cls: str, layer: str) -> None:
    # the layer is replaced after ``a`` and ``b`` ran alike: ``b`` is no longer like ``a``
    # torch: mat1 and mat2 shapes cannot be multiplied (4x8 and 4x2)
    assert _errors(program + f"""
        a, b = [{cls}() for _ in range(2)]
        x = torch.randn(4, 8)
        a(x)
        b(x)
        {layer} = nn.Linear(4, 2)
        y = b(x)
    """) == [(12, "SHP301")]  # (inside its forward, as torch's traceback shows)


def test_a_copy_changed_leaves_its_original_alike_to_the_rest() -> None:
    # ``b`` and ``c`` are copies of ``a`` (built alike); changing ``b`` changes neither ``a`` nor ``c``
    # torch: c(x) runs; b(x): mat1 and mat2 shapes cannot be multiplied (4x8 and 4x2)
    assert _errors(NESTED + """
        a, b, c = [Outer() for _ in range(3)]
        x = torch.randn(4, 8)
        a(x)
        b.inner.fc = nn.Linear(4, 2)
        y = c(x) + a(x)
        z = b(x)
    """) == [(12, "SHP301")]


# -- constructions: a torch module built at the same node with the same arguments is a copy of the
# first (``Reuse.make_again``), not a second run of its constructor


def test_modules_built_alike_are_built_once(monkeypatch: pytest.MonkeyPatch) -> None:
    alike = _runs(STAGE, "Block.__init__", monkeypatch)
    monkeypatch.setattr(calls.CallEvaluator, "alike", False)
    each = _runs(STAGE, "Block.__init__", monkeypatch)
    assert each >= 12  # six blocks, built by the file's code and again by Net's own generic run
    # the first of each: the blocks after it are copies of it (``reuse.Made``), its second run a
    # generic one with other sizes
    assert alike <= 3


def test_a_module_built_alike_takes_its_own_arguments() -> None:
    # ``b.sizes`` is the list ``b`` was given, which grows after: (2, 4) @ (6, 3)
    # torch: mat1 and mat2 shapes cannot be multiplied (2x4 and 6x3)
    assert _errors("""
        import torch
        import torch.nn as nn


        class Net(nn.Module):
            def __init__(self, sizes):
                super().__init__()
                self.sizes = sizes
                self.fc = nn.Linear(sizes[0], sizes[1])

            def forward(self, x):
                return self.fc(x)


        a_sizes, b_sizes = [8, 4], [8, 4]
        a, b = [Net(s) for s in (a_sizes, b_sizes)]
        b_sizes.append(6)
        y = torch.randn(2, 4) @ torch.randn(b.sizes[-1], 3)
    """) == [(19, "SHP101")]


def test_a_module_built_alike_is_built_as_its_constructor_left_the_first() -> None:
    # the first head's layer is replaced after it was built: the second is built with its own
    # (torch runs this without an error)
    assert _errors(HEAD + """
        heads = []
        for i in range(2):
            heads.append(Head())
            heads[0].fc = nn.Linear(4, 2)
        y = heads[1](torch.randn(3, 8))
    """) == []


def test_a_method_that_replaces_a_layer_does_not_change_what_the_next_method_sees() -> None:
    # each method runs generically on a copy of the module; the copy is shared until a method
    # writes into it (``reset_classifier`` here): ``logits`` still sees the 8-feature head
    # (torch: Net().logits(torch.randn(2, 16)) runs)
    assert _errors("""
        import torch
        import torch.nn as nn


        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.body = nn.Linear(16, 8)
                self.head = nn.Linear(8, 4)

            def forward(self, x):
                return self.head(self.body(x))

            def reset_classifier(self, n):
                self.head = nn.Linear(3, n)

            def logits(self, x):
                return self.head(self.body(x))
    """) == []
