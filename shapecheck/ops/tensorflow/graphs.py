"""TF1 graphs through ``tf.compat.v1``: a ``placeholder`` with ``None`` sizes has opaque sizes there;
``Session.run(..., feed_dict=...)`` checks each fed array against the tensor it feeds (exact rank,
fixed sizes), SHP701."""
from __future__ import annotations

import functools
from typing import Optional

from ... import dims as D
from ...dims import Dim
from ...findings import ShapeError
from ...shape_math.require import require_equal
from ...shapes import Shape
from ...values import UNKNOWN, Const, Dict, Ext, Seq, Tensor, Value, tensor_of
from ..keras.base import shape_tuple
from ..registry import Call, shape_rule
from .base import _shape, tf


# ---------------------------------------------------------------------------------- TF1 graphs
@shape_rule(*tf("placeholder"))
def tf_placeholder(call: Call) -> Value:
    v = call.get(1, "shape")
    if v is UNKNOWN or (isinstance(v, Const) and v.value is None):
        return Tensor(Shape.unknown(), "tf")
    ds = shape_tuple(v)
    if ds is None:
        return Tensor(Shape.unknown(), "tf")
    return Tensor(Shape(tuple(ds)), "tf", _dtype_of(call.get(0, "dtype")))


def _feed_size(ks: Shape, vs: Shape, i: int, a: Dim, b: Dim) -> str:
    return (f"feed_dict feeds a value of shape {vs} for a tensor of shape {_tf_shape_text(ks)}: size {D.fmt(b)} at "
            f"axis {i}, not {D.fmt(a)}")


def _dtype_of(v: Value) -> Optional[str]:
    q = v.qualname if isinstance(v, Ext) else (v.value if isinstance(v, Const) and isinstance(v.value, str) else "")
    if not q:
        return None
    return "int" if "int" in q else ("bool" if "bool" in q else "float")


@shape_rule(*tf("layers.dense"))
def tf_layers_dense(call: Call) -> Value:
    t = call.tensor(0, "inputs")
    u = call.dim(1, "units")
    if t is None or u is None:
        return UNKNOWN
    s = _shape(call, t)
    if not s.dims:
        return Tensor(Shape((u,), True), "tf")
    return Tensor(s.replace_last(1, [u]), "tf")


@shape_rule(*tf("Session", "InteractiveSession", "Session.__enter__"))
def tf_session(call: Call) -> Value:
    return Ext("tensorflow.Session")


def _feed_pairs(v: Value) -> Optional[list]:
    """``feed_dict={x: array}`` as (tensor, value) pairs; needs the interpreter to keep non-string keys."""
    if isinstance(v, Seq) and v.kind == "pairs":
        out = []
        for p in v.items:
            if isinstance(p, Seq) and len(p.items) == 2:
                out.append((p.items[0], p.items[1]))
        return out
    if isinstance(v, Dict) and getattr(v, "kind", "") == "pairs":
        return list(v.items.values())
    return None


@shape_rule(*tf("Session.run", "InteractiveSession.run"))
def session_run(call: Call) -> Value:
    fd = call.get(1, "feed_dict")
    pairs = _feed_pairs(fd) or []
    for k, v in pairs:
        kt, vt = tensor_of(k), tensor_of(v)
        if kt is None or vt is None:
            continue
        ks, vs = call.shape(kt), call.shape(vt)
        if ks.variadic or vs.variadic:
            continue
        if len(ks.dims) != len(vs.dims):
            raise ShapeError("input-data-mismatch", f"feed_dict feeds a value of shape {vs} ({len(vs.dims)}-D) for a "
                                                    f"tensor of shape {_tf_shape_text(ks)} ({len(ks.dims)}-D)")
        for i, (a, b) in enumerate(zip(ks.dims, vs.dims)):
            require_equal(a, b, call.bindings, "input-data-mismatch", functools.partial(_feed_size, ks, vs, i, a, b),
                          unify=False)
    f = call.get(0, "fetches")
    t = tensor_of(f)
    if t is not None:
        return Tensor(t.shape, "numpy", t.dtype)
    return UNKNOWN


def _tf_shape_text(s: Shape) -> str:
    return str(s)

