"""TensorFlow ``tf.nn`` layers as functions: convolutions (``shape_math.window``), transposed
convolutions, pooling, batch normalization, ``norm``."""
from __future__ import annotations

from typing import Optional

from ... import dims as D
from ...findings import ShapeError
from ...shape_math.features import require_feature
from ...shape_math.window import kernel_why, padded_out, require_nonempty_spatial
from ...shapes import Shape
from ...values import UNKNOWN, Const, Value
from ..common import axis_of, broadcast_shapes
from ..keras.base import shape_tuple
from ..registry import Call, shape_rule
from .base import _shape, _t, tf


def _op_name(call: Call) -> str:
    """``tf.nn.conv2d``: the op as users spell it, for messages."""
    return call.qualname.replace("tensorflow.", "tf.")


def _window(v: Value, n: int) -> Optional[list]:
    """TF strides/ksize: an int, a list of ``n`` ints, or a list of ``n + 2`` with 1s around."""
    ds = shape_tuple(v)
    if ds is None:
        return None
    if len(ds) == 1:
        return ds * n
    if len(ds) == n:
        return ds
    if len(ds) == n + 2:
        return ds[1:-1]
    return None


@shape_rule(*tf("nn.conv2d", "nn.conv1d", "nn.conv3d", "nn.convolution", "nn.depthwise_conv2d"))
def tf_conv(call: Call) -> Value:
    x = call.tensor(0, "input") or call.tensor(None, "value")
    w = call.tensor(1, "filters") or call.tensor(None, "filter")
    if x is None or w is None:
        return UNKNOWN
    s, ws = _shape(call, x), _shape(call, w)
    if ws.variadic or s.variadic:
        return _t(call, Shape.unknown(), x)
    n = len(ws.dims) - 2
    if n < 1:
        return _t(call, Shape.unknown(), x)
    if len(s.dims) != n + 2:
        raise ShapeError("layer-rank", f"{_op_name(call)} expects a {n + 2}-D input for "
                                       f"a {len(ws.dims)}-D filter {ws}, got {len(s.dims)}-D {s}")
    fmt = call.str(None, "data_format") or ("NWC" if n == 1 else "NHWC" if n == 2 else "NDHWC")
    cf = fmt.startswith("NC")
    require_feature(s, 1 if cf else len(s.dims) - 1, ws.dims[-2], "in_channels",
                    f"{_op_name(call)} with filter {ws} (*kernel, in, out)", bindings=call.bindings, fix_param=False,
                    unify=False)
    strides = _window(call.get(2, "strides" if not call.qualname.endswith("conv1d") else "stride"), n)
    padding = call.str(3, "padding")
    dil = _window(call.get(None, "dilations"), n) if call.has(None, "dilations") else [1] * n
    if strides is None or padding is None or dil is None or padding.upper() not in ("VALID", "SAME"):
        return _t(call, Shape.unknown(), x)
    sp = s.dims[2:] if cf else s.dims[1:-1]
    out = []
    for i, d in enumerate(sp):
        o = padded_out(d, ws.dims[i], strides[i], dil[i], padding.lower())
        if o is None:
            return _t(call, Shape.unknown(), x)
        require_nonempty_spatial(o, op=f"{_op_name(call)} with filter {ws}", shape=s, axis=i + (2 if cf else 1),
                                 size=d, bindings=call.bindings, why=kernel_why(ws.dims[i], dil[i], padding="VALID"))
        out.append(o)
    # a depthwise filter is (*kernel, in, multiplier): in*multiplier channels out
    cout = D.mul(ws.dims[-2], ws.dims[-1]) if call.qualname.endswith("depthwise_conv2d") else ws.dims[-1]
    dims = (s.dims[0], cout, *out) if cf else (s.dims[0], *out, cout)
    return _t(call, Shape(tuple(dims)), x)


@shape_rule(*tf("nn.conv2d_transpose", "nn.conv1d_transpose", "nn.conv3d_transpose", "nn.conv_transpose"))
def tf_conv_transpose(call: Call) -> Value:
    """The output shape is given (``output_shape``); the filter is (*kernel, out, in): the input's
    channels must be its last size."""
    x, w = call.tensor(0, "input"), call.tensor(1, "filters")
    if x is None or w is None:
        return UNKNOWN
    s, ws = _shape(call, x), _shape(call, w)
    out = shape_tuple(call.get(2, "output_shape"))
    fmt = call.str(None, "data_format") or "NHWC"
    if not s.variadic and not ws.variadic and ws.dims and len(s.dims) == len(ws.dims):
        require_feature(s, 1 if fmt.startswith("NC") else len(s.dims) - 1, ws.dims[-1], "in_channels",
                        f"{_op_name(call)} with filter {ws} (*kernel, out, in)", bindings=call.bindings,
                        fix_param=False, unify=False)
    if out is None or any(D.as_int(d) is None for d in out):
        return _t(call, Shape.unknown(), x)
    return _t(call, Shape(tuple(out)), x)


@shape_rule(*tf("nn.batch_normalization"))
def tf_batch_normalization(call: Call) -> Value:
    """``tf.nn.batch_normalization(x, mean, variance, offset, scale, eps)``: the broadcast of all."""
    names = ("x", "mean", "variance", "offset", "scale")
    ts = [call.tensor(i, n) for i, n in enumerate(names)]
    if ts[0] is None:
        return UNKNOWN
    shapes = [_shape(call, t) for t in ts if t is not None]
    return _t(call, broadcast_shapes(call, shapes, what="tf.nn.batch_normalization"), ts[0])


@shape_rule(*tf("norm", "linalg.norm"))
def tf_norm(call: Call) -> Value:
    """``tf.norm(x, axis=...)``: reduced over ``axis`` (all of it when None)."""
    t = call.tensor(0, "tensor")
    if t is None:
        return UNKNOWN
    s = _shape(call, t)
    av = call.get(2, "axis")
    keep = call.bool(3, "keepdims", False)
    if s.variadic or keep is None:
        return _t(call, Shape.unknown(), t)
    if av is UNKNOWN or isinstance(av, Const) and av.value is None:
        return _t(call, Shape((1,) * len(s.dims) if keep else ()), t)
    axes = shape_tuple(av)
    if axes is None or any(D.as_int(a) is None for a in axes):
        return _t(call, Shape.unknown(), t)
    norm = {axis_of(call, D.as_int(a), len(s.dims), f"tf.norm of {s}") for a in axes}  # type: ignore[arg-type]
    return _t(call, Shape(tuple(1 if i in norm else d for i, d in enumerate(s.dims)) if keep else tuple(
        d for i, d in enumerate(s.dims) if i not in norm)), t)


@shape_rule(*tf("nn.max_pool2d", "nn.avg_pool2d", "nn.max_pool", "nn.avg_pool", "nn.max_pool1d", "nn.avg_pool1d",
                "nn.max_pool3d", "nn.avg_pool3d"))
def tf_pool(call: Call) -> Value:
    x = call.tensor(0, "input") or call.tensor(None, "value")
    if x is None:
        return UNKNOWN
    s = _shape(call, x)
    if s.variadic:
        return _t(call, Shape.unknown(), x)
    last = call.qualname.rsplit(".", 1)[-1]
    n = int(last[-2]) if last[-2].isdigit() else len(s.dims) - 2
    if len(s.dims) != n + 2:
        raise ShapeError("layer-rank", f"{_op_name(call)} expects a {n + 2}-D input, "
                                       f"got {len(s.dims)}-D {s}")
    k = _window(call.get(1, "ksize"), n)
    st = _window(call.get(2, "strides"), n)
    padding = call.str(3, "padding")
    fmt = call.str(None, "data_format") or "NHWC"
    if k is None or st is None or padding is None or padding.upper() not in ("VALID", "SAME"):
        return _t(call, Shape.unknown(), x)
    cf = fmt.startswith("NC")
    sp = s.dims[2:] if cf else s.dims[1:-1]
    out = []
    for i, d in enumerate(sp):
        o = padded_out(d, k[i], st[i], 1, padding.lower())
        if o is None:
            return _t(call, Shape.unknown(), x)
        require_nonempty_spatial(o, op=_op_name(call), shape=s, axis=i + (2 if cf else 1), size=d,
                                 bindings=call.bindings, advice="pool less or earlier",
                                 why=kernel_why(k[i], window="pooling window", padding="VALID"))
        out.append(o)
    dims = (s.dims[0], s.dims[1], *out) if cf else (s.dims[0], *out, s.dims[-1])
    return _t(call, Shape(tuple(dims)), x)
