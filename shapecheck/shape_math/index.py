"""Axes and index arguments: axis normalisation, and the argument checks of splitting and
selecting ops (SHP402 axis-out-of-range, SHP405 invalid-shape-argument).

Pure: ints, sizes and shapes in; a normalised value out or a ``ShapeError``. ``op`` and the
argument names are the adapter's words (``torch.split``, ``dim``) so messages read like the
call the user wrote.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Optional

from .. import dims as D
from ..dims import Bindings, Dim
from ..findings import ShapeError, Text
from ..shapes import norm_axis


def axis(a: int, rank: int, what: Text) -> int:
    """``a`` in ``[-rank, rank)`` as a non-negative index; SHP402 otherwise."""
    n = norm_axis(a, rank)
    if n is None:
        raise ShapeError("axis-out-of-range",
                         f"{what}: axis {a} is out of range for a {rank}-D tensor (valid: {-rank} to {rank - 1})"
                         if rank else f"{what}: axis {a} is out of range for a 0-D tensor")
    return n


def require_axis_order(start: int, end: int, what: str, names: tuple[str, str] = ("start_dim", "end_dim")) -> None:
    """SHP405 where the normalised ``start`` comes after ``end`` (``flatten(x, 2, 1)``)."""
    if start > end:
        raise ShapeError("invalid-shape-argument",
                         f"{what}: {names[0]} (axis {start}) comes after {names[1]} (axis {end})")


def require_split_sizes(sizes: Sequence[Dim], n: Dim, bindings: Optional[Bindings], what: str) -> None:
    """SHP405 where explicit split sizes do not add up to the axis size ``n`` (torch's
    ``split_with_sizes``, ``tf.split`` with a list and no -1). Only concrete sizes are judged:
    split sizes are usually computed from the very symbols they must add up to."""
    if bindings is not None:
        sizes, n = [bindings.resolve(s) for s in sizes], bindings.resolve(n)
    ints = [D.as_int(s) for s in sizes]
    ni = D.as_int(n)
    if ni is None or any(i is None for i in ints):
        return
    total = sum(i for i in ints if i is not None)
    if total != ni:
        parts = " + ".join(str(i) for i in ints)
        raise ShapeError("invalid-shape-argument",
                         f"{what}: split sizes {parts} = {total} do not add up to the axis size {ni}")


def require_k_within(k: Dim, n: Dim, bindings: Optional[Bindings], what: Text, *, least: int = 0) -> None:
    """SHP405 where ``k`` provably exceeds the axis size ``n`` (``topk``, ``kthvalue``) or is
    below ``least`` (``kthvalue`` counts from 1)."""
    if bindings is not None:
        k, n = bindings.resolve(k), bindings.resolve(n)
    ki, ni = D.as_int(k), D.as_int(n)
    if ki is not None and ki < least:
        raise ShapeError("invalid-shape-argument", f"{what}: k={ki} must be at least {least}")
    if ki is not None and ni is not None and ki > ni:
        raise ShapeError("invalid-shape-argument",
                         f"{what}: k={ki} is larger than the axis it selects from (size {ni})")
