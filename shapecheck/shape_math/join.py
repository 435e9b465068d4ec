"""Joins: ``concat`` (SHP203 concat-rank, SHP201 concat-mismatch, SHP202 concat-wrong-axis) and
``stack`` (SHP205 stack-mismatch), one message set and one axis-suggestion policy for torch,
NumPy, TensorFlow, ``keras.ops`` and the Keras ``Concatenate`` layer.

The suggestion policy: name another axis only where joining along it would work, that is where
exactly one non-join axis disagrees and the join axis itself agrees; that axis is the one to
suggest, spelled the way the user wrote theirs (negative if they counted from the end). An
adapter can forbid axes it knows are wrong (``never``: a Keras layer's batch axis 0).

Framework quirks stay in the adapters (torch's legacy empty ``(0,)`` tensors, NumPy's
``axis=None`` flattening, the default axis, argument names). Like JAX's
``_concatenate_shape_rule``, every operand shape is in the message.
"""
from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from typing import Optional

from .. import dims as D
from ..dims import Bindings, Dim
from ..findings import Fix, Later, ShapeError
from ..shapes import Shape
from ..shapes import build as _mk
from ..shapes import whys_of as _whys
from .index import axis as norm_axis
from .require import mismatch_note

FixFor = Callable[[int], Fix]


def shapes_text(shapes: Sequence[Shape]) -> str:
    """``(2, 3), (4, 3) and (5, 3)``."""
    return ", ".join(str(s) for s in shapes[:-1]) + (" and " if len(shapes) > 1 else "") + str(shapes[-1])




def _aligned(shapes: Sequence[Shape], r: int) -> list[list[Optional[Dim]]]:
    """Each shape as ``r`` sizes (None where a variadic prefix hides them)."""
    return [list(s.dims[len(s.dims) - r:]) if len(s.dims) >= r else [None] * (r - len(s.dims)) + list(s.dims)
            for s in shapes]


def agree(col: Sequence[Optional[Dim]], bindings: Optional[Bindings]) -> D.Truth:
    """Do the known sizes in one column all agree? (No unifying: this only asks.)"""
    known = [d for d in col if d is not None]
    worst = D.TRUE
    for d in known[1:]:
        t = D.compare(known[0], d, bindings, unify=False)
        if t is D.FALSE:
            return D.FALSE
        if t is D.UNKNOWN:
            worst = D.UNKNOWN
    return worst


def pick(col: Sequence[Optional[Dim]]) -> Dim:
    """The most informative size of a column that agrees: a rigid or concrete one before a
    flexible or opaque one."""
    known = [d for d in col if d is not None]
    for d in known:
        if not D.has_flexible(d) and not D.is_flexible(d):
            return d
    return known[0] if known else D.flexible("n")


def _bind(cols: Sequence[Sequence[Optional[Dim]]], skip: Optional[int], bindings: Optional[Bindings]) -> None:
    """The join requires these columns equal: from here on they are (flexible sizes unify)."""
    for k, c in enumerate(cols):
        if k != skip:
            known = [d for d in c if d is not None]
            for d in known[1:]:
                D.compare(known[0], d, bindings)


def concat(shapes: Sequence[Shape], axis: int, bindings: Optional[Bindings] = None, *, op: str = "concatenate",
           word: str = "axis", suggest: bool = True, never: Collection[int] = (),
           fix_for: Optional[FixFor] = None) -> Shape:
    """The join of ``shapes`` along ``axis``; SHP203/SHP201/SHP202 where they provably do not fit.

    ``word`` is the framework's name for the axis argument (``dim`` for torch); ``suggest=False``
    for joins whose axis is implied by the op (``hstack``), where "did you mean" has no spelling."""
    if bindings is not None:
        shapes = [s.resolved(bindings) for s in shapes]
    both = Later(shapes_text, tuple(shapes))
    ranks = list(dict.fromkeys(s.rank for s in shapes if s.rank is not None))  # in input order
    if len(ranks) > 1:
        raise ShapeError("concat-rank", f"{op} of {both}: inputs have different ranks "
                                        f"({' and '.join(f'{r}-D' for r in ranks)})")
    r: Optional[int] = ranks[0] if ranks else None
    if r is not None:
        for s in shapes:
            if s.variadic and len(s.dims) > r:
                raise ShapeError("concat-rank", f"{op} of {both}: inputs have different ranks "
                                                f"({r}-D and at least {len(s.dims)}-D)")
        if r == 0:
            raise ShapeError("concat-rank", f"{op} of {both}: 0-D tensors cannot be joined (use stack)")
        ax = norm_axis(axis, r, Later("{} of {}".format, op, both))
        length = r
    else:
        length = min(len(s.dims) for s in shapes)
        if axis >= 0 or -axis > length:
            return Shape.unknown()
        ax = length + axis
    cols = list(zip(*_aligned(shapes, length))) if length else []
    bad = [k for k, c in enumerate(cols) if k != ax and agree(c, bindings) is D.FALSE]
    if bad:
        q = bad[0]
        col = [d for d in cols[q] if d is not None]
        first = col[0]
        other = next(d for d in col[1:] if D.compare(first, d, bindings, unify=False) is D.FALSE)
        shown_q = q - length if (axis < 0 or r is None) else q
        msg = (f"{op} of {both} along {word}={axis}: sizes differ at {word} {shown_q} "
               f"({D.fmt(first)} vs {D.fmt(other)}){mismatch_note(first, other)}")
        if suggest and len(bad) == 1 and q not in never and agree(cols[ax], bindings) is not D.FALSE:
            fix = fix_for(shown_q) if fix_for is not None else Fix(f"use {word}={shown_q}")
            raise ShapeError("concat-wrong-axis", f"{msg}; did you mean {word}={shown_q}?", fix)
        raise ShapeError("concat-mismatch", f"{msg}; all sizes but the join axis must match")
    _bind(cols, ax, bindings)
    out: list[Dim] = []
    ws: list[Optional[str]] = []
    none: list[Optional[str]] = [None] * length
    whys = [_whys(s)[len(s.dims) - length:] if len(s.dims) >= length else
            none[:length - len(s.dims)] + _whys(s) for s in shapes]
    for k, c in enumerate(cols):
        if k == ax:
            if any(d is None for d in c):
                out.append(D.flexible("n"))
            elif any(D.is_opaque(d) for d in c):  # Keras's None batch: the sum is unknown too
                out.append(D.opaque("None"))
            else:
                tot: Dim = 0
                for d in c:
                    tot = D.add(tot, d)
                out.append(tot)
            ws.append(None)
        else:
            out.append(pick(c))
            ws.append(next((w[k] for w in whys if w[k]), None))
    return _mk(out, ws, r is None)


def stack(shapes: Sequence[Shape], axis: int, bindings: Optional[Bindings] = None, *, op: str = "stack") -> Shape:
    """``shapes`` stacked along a new ``axis``; SHP205 where two inputs provably differ."""
    both = Later(shapes_text, tuple(shapes))
    first = shapes[0]
    for k, s in enumerate(shapes[1:], 1):
        if first.same(s, None) is D.FALSE or (
                first.rank is not None and s.variadic and len(s.dims) > first.rank) or (
                s.rank is not None and first.variadic and len(first.dims) > s.rank):
            raise ShapeError("stack-mismatch", f"{op} of {both}: inputs must all have the same shape, "
                                               f"input {k} is {s} and input 0 is {first}")
    ranks = {s.rank for s in shapes if s.rank is not None}
    n = len(shapes)
    if ranks:
        r = ranks.pop()
        ax = norm_axis(axis, r + 1, Later("{} of {}".format, op, both))
        cols = list(zip(*_aligned(shapes, r))) if r else []
        _bind(cols, None, bindings)
        ds = [pick(c) for c in cols]
        return _mk(ds[:ax] + [n] + ds[ax:])
    length = min(len(s.dims) for s in shapes)
    if axis >= 0 or -axis > length + 1:
        return Shape.unknown()
    ax = length + 1 + axis
    cols = list(zip(*_aligned(shapes, length))) if length else []
    ds = [pick(c) for c in cols]
    return _mk(ds[:ax] + [n] + ds[ax:], None, True)
