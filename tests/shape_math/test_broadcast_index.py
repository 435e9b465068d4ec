"""``shape_math.broadcast``, ``index`` and ``require``: tables on the pure functions."""
from __future__ import annotations

import pytest

from shapecheck import dims as D
from shapecheck.findings import ShapeError
from shapecheck.shape_math import index, require
from shapecheck.shape_math.broadcast import broadcast, is_outer_product
from shapecheck.shapes import Shape, parse

BROADCAST = [
    (["(32, 10)", "(10,)"], "(32, 10)"),
    (["(32, 1)", "(1, 10)"], "(32, 10)"),
    (["(B, 3)", "(3,)"], "(B, 3)"),
    (["(*, 3)", "(4, 3)"], "(*, 4, 3)"),
    (["(32, 10)", "(32,)"], "broadcast-mismatch"),
    (["(B, 3)", "(C, 3)"], "broadcast-mismatch"),
]


@pytest.mark.parametrize("shapes,expect", BROADCAST, ids=["+".join(r[0]) for r in BROADCAST])
def test_broadcast(shapes: list, expect: str) -> None:
    ss = [parse(s) for s in shapes]
    if expect.startswith("("):
        assert str(broadcast(ss)) == str(parse(expect))
        return
    with pytest.raises(ShapeError) as e:
        broadcast(ss)
    assert e.value.kind == expect


def test_broadcast_does_not_unify() -> None:
    """A flexible size may be 1 rather than equal: meeting a broadcast teaches nothing."""
    b = D.Bindings()
    n = D.flexible("n")
    broadcast([Shape((n,)), parse("(5,)")], b)
    assert b.resolve(n) is n


def test_outer_product() -> None:
    assert is_outer_product(parse("(5, 1)"), parse("(5,)"))
    assert is_outer_product(parse("(5,)"), parse("(5, 1)"))  # the vector on either side (y_true - y_pred)
    assert not is_outer_product(parse("(5, 3)"), parse("(3,)"))


@pytest.mark.parametrize("a,rank,expect", [(0, 2, 0), (-1, 2, 1), (-2, 2, 0), (2, 2, "axis-out-of-range"),
                                           (-3, 2, "axis-out-of-range"), (0, 0, "axis-out-of-range")])
def test_axis(a: int, rank: int, expect) -> None:
    if isinstance(expect, int):
        assert index.axis(a, rank, "op") == expect
        return
    with pytest.raises(ShapeError) as e:
        index.axis(a, rank, "op")
    assert e.value.kind == expect


INVALID_ARGS = [
    # SHP405: the cases torch rejects (checked against torch in tests/test_cross_framework.py's oracle)
    (lambda: index.require_axis_order(2, 1, "flatten"), "start_dim (axis 2) comes after end_dim (axis 1)"),
    (lambda: index.require_split_sizes([2, 3], 6, None, "split"), "2 + 3 = 5"),
    (lambda: index.require_k_within(5, 4, None, "topk"), "k=5 is larger"),
    (lambda: index.require_k_within(0, 4, None, "kthvalue", least=1), "at least 1"),
]


@pytest.mark.parametrize("check,text", INVALID_ARGS)
def test_invalid_shape_arguments(check, text: str) -> None:
    with pytest.raises(ShapeError) as e:
        check()
    assert e.value.kind == "invalid-shape-argument" and text in e.value.message


def test_valid_shape_arguments_pass() -> None:
    index.require_axis_order(1, 1, "flatten")
    index.require_split_sizes([2, 4], 6, None, "split")
    index.require_split_sizes([2, D.rigid("K")], 6, None, "split")  # unknown: no finding
    index.require_k_within(4, 4, None, "topk")
    index.require_k_within(D.rigid("K"), 4, None, "topk")


def test_require_equal_unify_policy() -> None:
    n = D.flexible("n")
    b = D.Bindings()
    require.require_equal(n, 7, b, "matmul-mismatch", "x", unify=False)
    assert b.resolve(n) is n
    require.require_equal(n, 7, b, "matmul-mismatch", "x")
    assert b.resolve(n) == 7
    with pytest.raises(ShapeError) as e:
        require.require_equal(3, 4, b, "matmul-mismatch", lambda: "3 vs 4")
    assert e.value.message == "3 vs 4"


def test_require_rank_and_positive() -> None:
    with pytest.raises(ShapeError):
        require.require_rank(parse("(2, 3)"), (3,), "operand-rank", "bmm")
    require.require_rank(parse("(*, 3)"), (2, 3), "operand-rank", "bmm")
    with pytest.raises(ShapeError):
        require.require_rank(parse("(*, 2, 2, 2, 3)"), (2, 3), "operand-rank", "bmm")
    with pytest.raises(ShapeError):
        require.require_positive(0, None, "empty-spatial", "empty")
    require.require_positive(D.rigid("H"), None, "empty-spatial", "empty")
