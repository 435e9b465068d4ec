"""``shape_math.reduce``: reductions over axes with and without keepdims, on the pure function."""
from __future__ import annotations

from typing import Optional

import pytest

from shapecheck.findings import ShapeError
from shapecheck.shape_math.reduce import reduce
from shapecheck.shapes import parse

REDUCE = [
    # (shape, axes, keepdims, torch quirks, result or error kind)
    ("(B, T, C)", [1], False, False, "(B, C)"),
    ("(B, T, C)", [1], True, False, "(B, 1, C)"),
    ("(B, T, C)", [0, -1], False, False, "(T,)"),
    ("(B, T, C)", None, False, False, "()"),
    ("(B, T, C)", None, True, False, "(1, 1, 1)"),
    ("(B, T, C)", [], False, False, "(B, T, C)"),   # NumPy: an empty tuple reduces nothing
    ("(B, T, C)", [], False, True, "()"),           # torch: an empty dim list reduces everything
    ("()", [0], False, True, "()"),                 # torch: a 0-d tensor takes dim 0 / -1
    ("(*, 3, 4)", [-1], False, False, "(*, 3)"),
    ("(*, 3, 4)", [-1], True, False, "(*, 3, 1)"),
    ("(*, 3, 4)", [0], False, False, "(*)"),        # hidden by the variadic prefix: unknown
    ("(B, T)", [1, 1], False, False, "(*)"),       # a repeated axis: unknown
    ("(B, T)", [2], False, False, "axis-out-of-range"),
    ("()", [1], False, True, "axis-out-of-range"),
]


@pytest.mark.parametrize("shape,axes,keep,torch,expect", REDUCE, ids=[f"{r[0]}/{r[1]}/{r[2]}/{r[3]}" for r in REDUCE])
def test_reduce(shape: str, axes: Optional[list], keep: bool, torch: bool, expect: str) -> None:
    s = parse(shape)
    if not expect.startswith("("):
        with pytest.raises(ShapeError) as e:
            reduce(s, axes, keep, what="sum", empty_means_all=torch, scalar_as_1d=torch)
        assert e.value.kind == expect and "sum: axis" in e.value.message
        return
    assert str(reduce(s, axes, keep, empty_means_all=torch, scalar_as_1d=torch)) == str(parse(expect))
