"""``shape_math.einsum``: einsum subscripts and tensordot axes on the pure functions."""
from __future__ import annotations

import pytest

from shapecheck.findings import ShapeError
from shapecheck.shape_math.einsum import einsum, tensordot, tensordot_axes
from shapecheck.shapes import parse

EINSUM = [
    # (equation, operand shapes, numpy's '...' rule, result or error kind and a text of the message)
    ("ij,jk->ik", ["(2, 3)", "(3, 4)"], False, "(2, 4)", None),
    ("bij,bjk->bik", ["(B, 2, 3)", "(B, 3, 4)"], False, "(B, 2, 4)", None),
    ("ij,kj", ["(2, 3)", "(4, 3)"], False, "(2, 4)", None),       # implicit output: letters used once, sorted
    ("ii->i", ["(3, 3)"], False, "(3,)", None),
    ("...ij,jk->...ik", ["(7, 2, 3)", "(3, 4)"], False, "(7, 2, 4)", None),
    ("i,j->ij", ["(3,)", "(4,)"], False, "(3, 4)", None),
    ("ij,jk->ik", ["(2, 3)", "(4, 4)"], False, "einsum-mismatch", "subscript j is 3 in operand 0"),
    ("ijk", ["(2, 3)"], False, "einsum-mismatch", "name 3"),
    ("ij,jk->iq", ["(2, 3)", "(3, 4)"], False, "einsum-mismatch", "output subscript q"),
    ("ij,jk->ik", ["(2, 3)"], False, "einsum-mismatch", "2 operand subscripts but 1 operands"),
    ("...i->i", ["(5, 3)"], True, "einsum-mismatch", "output has no '...'"),  # NumPy only
    ("...i->i", ["(5, 3)"], False, "(3,)", None),                             # torch/TF sum them away
]


@pytest.mark.parametrize("eq,shapes,np_rule,expect,text", EINSUM, ids=[f"{r[0]}/{r[2]}" for r in EINSUM])
def test_einsum(eq: str, shapes: list, np_rule: bool, expect: str, text: str) -> None:
    ss = [parse(s) for s in shapes]
    if text is None:
        assert str(einsum(eq, ss, ellipsis_needs_output=np_rule)) == str(parse(expect))
        return
    with pytest.raises(ShapeError) as e:
        einsum(eq, ss, ellipsis_needs_output=np_rule)
    assert e.value.kind == expect and text in e.value.message


def test_tensordot() -> None:
    a, b = parse("(2, 3, 4)"), parse("(3, 4, 5)")
    xa, xb = tensordot_axes(2, 3, 3, "tensordot") or ([], [])
    assert str(tensordot(a, b, xa, xb)) == "(2, 5)"
    assert str(tensordot(parse("(2, 3, 4)"), parse("(4, 3, 5)"), [1, -1], [1, 0])) == "(2, 5)"
    for thunk, text in ((lambda: tensordot(a, b, [2], [0]), "contracted sizes differ, 4 at axis 2 of the first vs 3"),
                        (lambda: tensordot(a, b, [1, 2], [0]), "different lengths"),
                        (lambda: tensordot_axes(4, 3, 3, "tensordot"), "exceeds an operand's rank")):
        with pytest.raises(ShapeError) as e:
            thunk()
        assert e.value.kind == "einsum-mismatch" and text in e.value.message
    assert tensordot_axes(-1, 3, 3, "tensordot") is None
