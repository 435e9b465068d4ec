"""``shape_math.reshape``: -1 inference, element counts, the policy for sizes below -1 and the
provenance of merged sizes, on the pure functions (no Call, no framework)."""
from __future__ import annotations

from typing import Optional

import pytest

from shapecheck import dims as D
from shapecheck.findings import ShapeError
from shapecheck.shape_math.reshape import flatten_range, ravel, reshape
from shapecheck.shapes import Shape, parse

RESHAPE = [
    # (shape, target sizes, negative policy, result, or error kind and a text the message contains)
    ("(32, 10)", (32, 10, 10), "error", "reshape-size", "element counts differ, 320 != 3200"),
    ("(32, 10)", (-1, -1), "error", "reshape-size", "only one -1 is allowed"),
    ("(32, 10)", (-1, 7), "error", "reshape-size", "cannot infer -1, 320 elements are not a multiple of 7"),
    ("(20,)", (-2, 5), "error", "reshape-size", "a size must be non-negative or -1 (inferred), got -2"),
    ("(20,)", (-2, 5), "infer", "(4, 5)", None),  # NumPy reads any negative size as the inferred one
    ("(2, 3, 4)", (6, -1), "error", "(6, 4)", None),
    ("(B, 3, 4)", (-1, 12), "error", "(B, 12)", None),
    ("(B, 3, 4)", (3, 4), "error", "reshape-size", "holds only if"),
    ("(*, 784)", (32, 10), "error", "reshape-size", "cannot be a multiple"),
]


@pytest.mark.parametrize("shape,target,negative,expect,text", RESHAPE,
                         ids=[f"{r[0]}->{r[1]}/{r[2]}" for r in RESHAPE])
def test_reshape(shape: str, target: tuple, negative: str, expect: str, text: Optional[str]) -> None:
    s = parse(shape)
    ds = [parse(f"({d},)").dims[0] if isinstance(d, str) else D.norm(d) for d in target]
    if text is None:
        assert str(reshape(s, ds, negative=negative)) == str(parse(expect))  # type: ignore[arg-type]
        return
    with pytest.raises(ShapeError) as e:
        reshape(s, ds, negative=negative)  # type: ignore[arg-type]
    assert e.value.kind == expect and text in e.value.message


def test_the_inferred_size_keeps_its_derivation() -> None:
    """``x.view(x.size(0), -1)`` after a conv: the -1 says where 5408 came from, in every framework."""
    s = Shape((D.norm(8), D.norm(32), D.norm(13), D.norm(13)))
    out = reshape(s, [D.norm(8), D.norm(-1)])
    assert str(out) == "(8, 5408)" and out.why is not None and out.why[1] == "32*13*13"


def test_an_unreadable_inferred_size_uses_the_adapters_unknown() -> None:
    """TensorFlow spells a size it cannot compute as the opaque ``None``; torch as a flexible size."""
    s = parse("(*, 12)")
    assert str(reshape(s, [D.norm(-1), D.norm(4)], unknown=lambda: D.opaque("None"))) == "(None, 4)"


def test_flatten_and_ravel_remember_the_factors() -> None:
    s = Shape((D.norm(4), D.norm(16), D.norm(5), D.norm(5)))
    assert flatten_range(s, 1, 3).why == (None, "16*5*5")
    assert str(ravel(s)) == "(1600,)" and ravel(s).why == ("4*16*5*5",)
