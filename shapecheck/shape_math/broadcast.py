"""Broadcasting (NumPy rules, which torch, TF and Keras share): the one family that was already
written once, moved here unchanged so that ``shape_math`` holds every pure rule."""
from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Optional

from .. import dims as D
from ..dims import Bindings, Dim
from ..findings import ShapeError
from ..shapes import Shape
from .require import mismatch_note


def broadcast(shapes: Sequence[Shape], bindings: Optional[Bindings] = None, kind: str = "broadcast-mismatch",
              what: str = "elementwise op") -> Shape:
    """The broadcast of ``shapes``; raises ``kind`` where two sizes provably neither match nor are 1.

    Sizes are compared without unifying: a flexible size may be 1 rather than equal, so meeting
    a broadcast teaches nothing about it."""
    if bindings is not None:
        shapes = [s.resolved(bindings) for s in shapes]
    n = max(len(s.dims) for s in shapes)
    variadic = any(s.variadic for s in shapes)
    out: list[Dim] = []
    for i in range(1, n + 1):
        cur: Optional[Dim] = None
        cur_known = True
        for s in shapes:
            if i > len(s.dims):
                if s.variadic:
                    cur_known = False
                continue
            d = s.dims[-i]
            if cur is None:
                cur = d
                continue
            if D.as_int(d) == 1:
                continue
            if D.as_int(cur) == 1:
                cur = d
                continue
            t = D.compare(cur, d, bindings, unify=False)
            if t is D.FALSE and D.as_int(D.sub(cur, d)) is None and (
                    D.may_be_one(cur, bindings) or D.may_be_one(d, bindings)):
                t = D.UNKNOWN  # different for every value, but one side may be 1 and broadcast
            if t is D.FALSE:
                axis = -i
                raise ShapeError(kind, functools.partial(_differ, what, shapes, cur, d, axis))
            if t is D.UNKNOWN:
                # Could be 1 or equal: keep the one that is not flexible, unify no further.
                if D.is_flexible(cur) and not D.is_flexible(d):
                    cur = d
        if not cur_known and cur is not None and D.as_int(cur) == 1:
            cur = D.flexible("n")
        assert cur is not None
        out.append(cur)
    return Shape(tuple(reversed(out)), variadic)


def _differ(what: str, shapes: Sequence[Shape], a: Dim, b: Dim, axis: int) -> str:
    """The message of a broadcast failure, built only when it is shown."""
    return (f"{what} between {_list(shapes)}: sizes {D.fmt(a)} and {D.fmt(b)} at axis {axis} do not broadcast "
            f"(each must be equal or 1){mismatch_note(a, b)}")


def _list(shapes: Sequence[Shape]) -> str:
    return " and ".join(str(s) for s in shapes)


def is_outer_product(a: Shape, b: Shape) -> bool:
    """A column (n, 1) against a row (1, n) / (n,) of the *same* size n > 1: the accidental
    outer product of ``y_true - y_pred`` with ``(N, 1)`` and ``(N,)``. Where the two sizes may
    differ (``(n, 1) + (1, m)``, ``(3, 1) * (1, 4)``), the matrix is most likely what was meant."""
    if a.variadic or b.variadic:
        return False

    def col(s: Shape) -> Optional[Dim]:
        return s.dims[0] if len(s.dims) == 2 and D.as_int(s.dims[1]) == 1 else None

    def row(s: Shape) -> Optional[Dim]:
        if len(s.dims) == 2:
            return s.dims[1] if D.as_int(s.dims[0]) == 1 else None
        return s.dims[0] if len(s.dims) == 1 else None

    def same(n: Optional[Dim], m: Optional[Dim]) -> bool:
        if n is None or m is None or D.as_int(n) == 1:
            return False
        known = D.as_int(n)
        return (known is None or known > 1) and D.compare(n, m, None, unify=False) is D.TRUE

    return same(col(a), row(b)) or same(col(b), row(a))
