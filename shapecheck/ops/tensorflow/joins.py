"""TensorFlow and ``keras.ops`` joins over ``shape_math.join``: ``concat``/``concatenate``, ``stack``."""
from __future__ import annotations

from typing import Optional

from ...shape_math import join as SMJ
from ...shapes import Shape
from ...values import UNKNOWN, Seq, Value, tensor_of
from ..registry import Call, shape_rule
from .base import _shape, _t, kops, tf


# ---------------------------------------------------------------------------------- joins
def _tensor_list(v: Value) -> Optional[list]:
    if isinstance(v, Seq):
        ts = [tensor_of(x) for x in v.items]
        return None if any(t is None for t in ts) else ts
    return None


@shape_rule(*tf("concat"))
def tf_concat(call: Call) -> Value:
    """``tf.concat(values, axis)``: the axis has no default."""
    ts = _tensor_list(call.get(0, "values"))
    if ts is None or not ts:
        return UNKNOWN
    axis = call.int(1, "axis")
    if axis is None:
        return _t(call, Shape.unknown(), *ts)
    shapes = [_shape(call, t) for t in ts]
    return _t(call, SMJ.concat(shapes, axis, call.bindings, op="tf.concat"), *ts)


@shape_rule(*kops("concatenate", "concat"))
def kops_concatenate(call: Call) -> Value:
    """``keras.ops.concatenate(xs, axis=0)``."""
    ts = _tensor_list(call.get(0, "xs"))
    if ts is None or not ts:
        return UNKNOWN
    axis = call.int(1, "axis", 0)
    if axis is None:
        return _t(call, Shape.unknown(), *ts)
    shapes = [_shape(call, t) for t in ts]
    return _t(call, SMJ.concat(shapes, axis, call.bindings, op="keras.ops.concatenate"), *ts)


def _stack(call: Call, values: str, op: str) -> Value:
    ts = _tensor_list(call.get(0, values))
    axis = call.int(1, "axis", 0)
    if ts is None or not ts or axis is None:
        return UNKNOWN
    shapes = [_shape(call, t) for t in ts]
    return _t(call, SMJ.stack(shapes, axis, call.bindings, op=op), *ts)


@shape_rule(*tf("stack"))
def tf_stack(call: Call) -> Value:
    """``tf.stack(values, axis=0)``."""
    return _stack(call, "values", "tf.stack")


@shape_rule(*kops("stack"))
def kops_stack(call: Call) -> Value:
    """``keras.ops.stack(x, axis=0)``."""
    return _stack(call, "x", "keras.ops.stack")
