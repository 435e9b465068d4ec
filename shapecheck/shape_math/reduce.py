"""Reductions: the shape of ``sum``/``mean``/``max``/``argmax``/... over some axes, with or
without ``keepdims``, once for torch, NumPy, TensorFlow, ``keras.ops`` and the Keras layers
that reduce (global pooling with ``keepdims``).

Axes are normalised here (SHP402 axis-out-of-range with the same message everywhere). A
variadic shape ``(*, 3, 4)`` can still be reduced over the axes counted from its end; anything
else about it is unknown. Framework quirks are the adapters' parameters: torch reads an empty
axis list as "all axes" and treats a 0-d tensor's axes like those of a 1-D one.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Optional

from ..findings import Text
from ..shapes import Shape
from .index import axis as norm_axis
from .reshape import make, whys


def reduce(s: Shape, axes: Optional[Sequence[int]], keepdims: bool = False, *, what: Text = "reduction",
           empty_means_all: bool = False, scalar_as_1d: bool = False) -> Shape:
    """``s`` reduced over ``axes`` (None: all of them), with size-1 axes left in place where
    ``keepdims``. A repeated axis gives an unknown shape (every framework raises, no rule names it)."""
    if axes is None or (not axes and empty_means_all):
        if keepdims:
            return Shape.unknown() if s.variadic else Shape((1,) * len(s.dims))
        return Shape(())
    if scalar_as_1d and s.rank == 0:
        for a in axes:
            norm_axis(a, 1, what)
        return s
    pos = []
    for a in axes:
        p = _position(s, a, what)
        if p is None:
            return Shape.unknown()
        pos.append(p)
    if len(set(pos)) != len(pos):
        return Shape.unknown()
    w = whys(s)
    if keepdims:
        return make([1 if k in pos else d for k, d in enumerate(s.dims)],
                    [None if k in pos else wi for k, wi in enumerate(w)], s.variadic)
    kept = [k for k in range(len(s.dims)) if k not in pos]
    return make([s.dims[k] for k in kept], [w[k] for k in kept], s.variadic)


def _position(s: Shape, a: int, what: Text) -> Optional[int]:
    """The index of axis ``a`` in ``s.dims``; None where a variadic prefix hides it."""
    n = len(s.dims)
    if s.variadic:
        return n + a if a < 0 and -a <= n else None
    return norm_axis(a, n, what)
