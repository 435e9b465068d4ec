"""TensorFlow and ``keras.ops`` reductions over ``shape_math.reduce`` (``reduce_sum``, ``argmax``, ...)."""
from __future__ import annotations

from ... import dims as D
from ...shape_math import reduce as SMRed
from ...shapes import Shape
from ...values import UNKNOWN, Const, Int, Value
from ..keras.base import shape_tuple
from ..registry import Call
from .base import Api, _shape, _t, kops, tf, tf_kops

# ---------------------------------------------------------------------------------- reductions
_REDUCE_TF = ("reduce_sum", "reduce_mean", "reduce_max", "reduce_min", "reduce_prod", "reduce_any", "reduce_all",
              "reduce_logsumexp", "reduce_std", "reduce_variance", "math.reduce_sum", "math.reduce_mean",
              "math.reduce_max", "math.reduce_min", "math.reduce_prod", "math.reduce_any", "math.reduce_all",
              "math.reduce_logsumexp", "math.reduce_std", "math.reduce_variance", "argmax", "argmin",
              "math.argmax", "math.argmin")
_REDUCE_K = ("sum", "mean", "max", "min", "prod", "any", "all", "logsumexp", "std", "var", "argmax", "argmin",
             "amax", "amin")


@tf_kops((*tf(*_REDUCE_TF),), (*kops(*_REDUCE_K),))
def tf_reduce(call: Call, api: Api) -> Value:
    t = call.tensor(0, api.arg("input_tensor", "x"))
    if t is None:
        t = call.tensor(None, "input")
    if t is None:
        return UNKNOWN
    s = _shape(call, t)
    arg = call.qualname.rsplit(".", 1)[-1] in ("argmax", "argmin")
    av = call.get(1, "axis")
    if av is UNKNOWN and "reduction_indices" in call.kwargs:
        av = call.kwargs["reduction_indices"]
    if arg and api.tf and av is UNKNOWN:
        av = Int(0)
    keep = call.bool(2 if not arg else None, "keepdims", False)
    if "keep_dims" in call.kwargs:
        keep = call.bool(None, "keep_dims", False)
    if keep is None:
        return _t(call, Shape.unknown(), t)
    dtype = "int" if arg else t.dtype
    if av is UNKNOWN or (isinstance(av, Const) and av.value is None):
        return _t(call, SMRed.reduce(s, None, keep), t, dtype=dtype)
    axes = shape_tuple(av)
    ints = [D.as_int(a) for a in axes] if axes is not None else None
    if ints is None or any(i is None for i in ints):
        return _t(call, Shape.unknown(), t, dtype=dtype)
    what = f"{call.qualname.rsplit('.', 1)[-1]} of {s}"
    return _t(call, SMRed.reduce(s, sorted(set(i for i in ints if i is not None)), keep, what=what), t, dtype=dtype)
