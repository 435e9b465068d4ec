"""TensorFlow and ``keras.ops`` elementwise ops: broadcasting binary ops, ``add_n``, unary
activations, ``softmax``, ``bias_add``."""
from __future__ import annotations

from ... import dims as D
from ...findings import ShapeError
from ...shape_math.require import require_equal
from ...values import UNKNOWN, Tensor, Value
from ..common import axis_of
from ..registry import Call, shape_rule
from .base import Api, _shape, _t, kops, tf, tf_kops
from .joins import _tensor_list

# ---------------------------------------------------------------------------------- elementwise
_BINARY = ("add", "subtract", "multiply", "divide", "truediv", "floordiv", "maximum", "minimum", "pow",
           "squared_difference", "math.add", "math.subtract", "math.multiply", "math.divide", "math.truediv",
           "math.floordiv", "math.maximum", "math.minimum", "math.pow", "math.squared_difference", "equal",
           "not_equal", "less", "less_equal", "greater", "greater_equal", "math.equal", "math.not_equal",
           "math.less", "math.greater", "logical_and", "logical_or", "math.logical_and", "math.logical_or",
           "math.divide_no_nan", "math.mod", "mod", "realdiv", "math.xdivy", "atan2", "math.atan2")
_BINARY_K = ("add", "subtract", "multiply", "divide", "true_divide", "floor_divide", "maximum", "minimum", "power",
             "equal", "not_equal", "less", "less_equal", "greater", "greater_equal", "logical_and", "logical_or",
             "mod", "arctan2")


@tf_kops((*tf(*_BINARY),), (*kops(*_BINARY_K),))
def tf_binary(call: Call, api: Api) -> Value:
    from ..tensor.operators import elementwise

    out = elementwise(call, call.get(0, api.arg("x", "x1")),
                      call.get(1, api.arg("y", "x2")),
                      call.qualname.rsplit(".", 1)[-1])
    if isinstance(out, Tensor) and api.tf:
        return Tensor(out.shape, "tf", out.dtype)
    return out


@shape_rule(*tf("add_n", "math.add_n"))
def tf_add_n(call: Call) -> Value:
    ts = _tensor_list(call.get(0, "inputs"))
    if not ts:
        return UNKNOWN
    shapes = [_shape(call, t) for t in ts]
    for s in shapes[1:]:
        if s.same(shapes[0], call.bindings) is D.FALSE:
            raise ShapeError("broadcast-mismatch", f"add_n of {' and '.join(str(x) for x in shapes)}: all inputs "
                                                   f"must have the same shape")
    return _t(call, shapes[0], *ts)


_UNARY = ("nn.relu", "nn.relu6", "nn.sigmoid", "nn.tanh", "nn.elu", "nn.selu", "nn.gelu", "nn.silu", "nn.swish",
          "nn.leaky_relu", "nn.softplus", "nn.softsign", "nn.dropout", "sigmoid", "tanh", "exp", "log", "sqrt",
          "rsqrt", "abs", "square", "negative", "sign", "round", "floor", "ceil", "cast", "identity",
          "stop_gradient", "clip_by_value", "clip_by_norm", "math.exp", "math.log", "math.sqrt", "math.rsqrt",
          "math.abs", "math.square", "math.sigmoid", "math.tanh", "math.negative", "math.sign", "math.round",
          "math.floor", "math.ceil", "math.log1p", "math.reciprocal", "math.sin", "math.cos", "math.erf",
          "math.is_nan", "math.is_finite", "math.logical_not", "logical_not", "nn.l2_normalize",
          "math.l2_normalize", "zeros_like", "ones_like", "random.shuffle", "image.per_image_standardization",
          "math.softplus", "nn.local_response_normalization", "saturate_cast", "ensure_shape_unknown", "sin", "cos")
_UNARY_K = ("relu", "relu6", "sigmoid", "tanh", "elu", "selu", "gelu", "silu", "swish", "leaky_relu", "softplus",
            "softsign", "exp", "log", "sqrt", "abs", "absolute", "square", "negative", "sign", "round", "floor",
            "ceil", "cast", "clip", "stop_gradient", "zeros_like", "ones_like", "log1p", "reciprocal", "sin",
            "cos", "erf", "isnan", "isfinite", "logical_not", "convert_to_tensor", "copy", "hard_sigmoid",
            "hard_silu", "mish")


@tf_kops((*tf(*_UNARY),), (*kops(*_UNARY_K),))
def tf_unary(call: Call, api: Api) -> Value:
    t = call.tensor(0)
    if t is None:
        t = call.tensor(None, "x") or call.tensor(None, "features") or call.tensor(None, "t")
    if t is None:
        return UNKNOWN
    last = call.qualname.rsplit(".", 1)[-1]
    dtype = "bool" if last in ("is_nan", "is_finite", "isnan", "isfinite", "logical_not") else t.dtype
    if last in ("cast", "saturate_cast"):
        dtype = None
    return _t(call, _shape(call, t), t, dtype=dtype)


@tf_kops((*tf("nn.softmax", "nn.log_softmax", "math.softmax", "math.log_softmax"),), (*kops("softmax", "log_softmax"),))
def tf_softmax(call: Call, api: Api) -> Value:
    t = call.tensor(0, api.arg("logits", "x"))
    if t is None:
        return UNKNOWN
    s = _shape(call, t)
    a = call.int(1, "axis", -1)
    if a is None:
        return _t(call, s, t)
    if s.rank is not None:
        axis_of(call, a, s.rank, f"softmax of {s}")
    return _t(call, s, t)


@shape_rule(*tf("nn.bias_add"))
def tf_bias_add(call: Call) -> Value:
    v, b = call.tensor(0, "value"), call.tensor(1, "bias")
    if v is None:
        return UNKNOWN
    s = _shape(call, v)
    if b is not None:
        bs = _shape(call, b)
        if bs.rank is not None and bs.rank != 1:
            raise ShapeError("broadcast-mismatch", f"tf.nn.bias_add: bias must be 1-D, got {bs}")
        fmt = call.str(None, "data_format") or "NHWC"
        axis = 1 if fmt.startswith("NC") else -1
        c = s.dim(axis)
        if bs.rank == 1:
            require_equal(c, bs.dims[0], call.bindings, "broadcast-mismatch", lambda: (
                f"tf.nn.bias_add of {s} and a bias {bs}: the bias size {D.fmt(bs.dims[0])} must equal the channel "
                f"size {D.fmt(c)} at axis {axis}"), unify=False)
    return _t(call, s, v)
