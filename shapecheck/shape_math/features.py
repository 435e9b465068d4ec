"""Feature-size checks (SHP301/SHP303), one wording for every framework.

A layer built for ``want`` features (torch: a constructor argument such as ``in_features``;
Keras: the size its first call brought; TF: the filter's input channels) gets ``got[axis]``.
The message reads the same everywhere:

    {layer} expects {param}={want} at axis {axis} but gets {have} (input {got})
    {layer} expects {param}={want} but the flattened input has 64*12*12 = 9216 features (input ...)

SHP303 (``flatten-size``) is chosen where the size came from a flatten and keeps its derivation;
``fix_param`` adds "use in_features=9216" where the wanted size is a constructor argument the user
can change. ``built`` says that a Keras layer's size was fixed when it was built (by its input or first call).

Pure: no ``Call``, no qualname; a ``ShapeError`` with a lazy message, only on a FALSE comparison.
"""
from __future__ import annotations

from typing import Optional

from .. import dims as D
from ..dims import Bindings, Dim
from ..findings import ShapeError
from ..shapes import Shape
from .require import mismatch_note


def require_feature(got: Shape, axis: int, want: Dim, param: str, layer: str, *,
                    bindings: Optional[Bindings] = None, kind: str = "layer-input-mismatch",
                    fix_param: bool = True, built: bool = False, unify: bool = True) -> Optional[Dim]:
    """Check that ``got[axis]`` is ``want``; returns the size seen (None where unknown).

    ``kind`` is the finding for a plain mismatch (SHP301 ``layer-input-mismatch`` for layers, a
    functional op may use ``matmul-mismatch``); a size with flatten provenance is always SHP303."""
    have = got.dim(axis)
    if have is None:
        return None
    if bindings is not None:
        want = bindings.resolve(want)
    if D.compare(have, want, bindings, unify=unify) is not D.FALSE:
        return have
    source = " (fixed when the layer was built)" if built else ""
    why = got.why_of(axis if axis < 0 or not got.variadic else axis - len(got.dims))
    if why:
        use = f"; use {param}={D.fmt(have)}" if fix_param else ""
        raise ShapeError("flatten-size", lambda: (
            f"{layer} expects {param}={D.fmt(want)}{source} but the flattened input has {why} = {D.fmt(have)} "
            f"features (input {got}){use}{mismatch_note(have, want)}"))
    raise ShapeError(kind, lambda: (
        f"{layer} expects {param}={D.fmt(want)}{source} at axis {axis} but gets {D.fmt(have)} (input {got})"
        f"{mismatch_note(have, want)}"))


def require_feature_dropout_rank(op: str, got: Shape, min_rank: int) -> None:
    """SHP405: a feature (channel-wise) dropout zeroes whole channels; torch raises "Feature dropout
    requires at least 2 dimensions in the input" once its own unbatched-input unsqueeze is done
    (``dropout3d`` adds a batch axis to anything not 5-D, so only a 0-D input fails there:
    ``min_rank`` 2 for dropout2d, 1 for dropout3d)."""
    r = got.rank
    if r is not None and r < min_rank:
        raise ShapeError("invalid-shape-argument", lambda: (
            f"{op} drops whole channels and needs an input of at least {min_rank}-D, got {r}-D {got}; "
            f"use plain dropout for this tensor"))
