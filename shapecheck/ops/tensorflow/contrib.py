"""TF 1.x layer functions: ``tf.layers.conv2d``/``max_pooling2d``/``dropout``/``flatten``
(``tf.compat.v1.layers``), and ``tf.contrib.layers`` (and ``tf.contrib.slim``) basics: ``fully_connected``, ``flatten``,
``conv2d`` and ``max_pool2d``/``avg_pool2d``, with the window arithmetic of Keras and ``tf.nn``
(``shape_math.window``). ``tf.contrib`` is gone from TF 2: these follow the TF 1.x documentation.

``conv2d(inputs, num_outputs, kernel_size, stride=1, padding='SAME', data_format=None, rate=1)``;
``max_pool2d(inputs, kernel_size, stride=2, padding='VALID', data_format='NHWC')``."""
from __future__ import annotations

from typing import Optional

from ...findings import ShapeError
from ...shape_math.reshape import flatten_range
from ...shape_math.window import kernel_why, padded_out, require_nonempty_spatial
from ...shapes import Shape
from ...values import UNKNOWN, Tensor, Value
from ..keras.base import shape_tuple
from ..registry import Call, shape_rule
from .base import _shape, tf
from .graphs import dense_output

_HOMES = ("tensorflow.contrib.layers.", "tensorflow.contrib.slim.", "tensorflow.contrib.layers.python.layers.layers.")


def _contrib(*names: str) -> tuple:
    return tuple(h + n for n in names for h in _HOMES)


def _op(call: Call) -> str:
    return "tf.contrib.layers." + call.qualname.rsplit(".", 1)[-1]


def _pair(v: Value) -> Optional[list]:
    """A kernel size or stride: an int (both axes) or a pair."""
    ds = shape_tuple(v)
    if ds is None or len(ds) not in (1, 2):
        return None
    return ds * 2 if len(ds) == 1 else ds


@shape_rule(*_contrib("fully_connected"))
def contrib_fully_connected(call: Call) -> Value:
    """``fully_connected(inputs, num_outputs)``: the last size becomes ``num_outputs``."""
    return dense_output(call, "num_outputs")


@shape_rule(*_contrib("flatten"))
def contrib_flatten(call: Call) -> Value:
    """``flatten(inputs)``: ``(batch, everything else)``."""
    t = call.tensor(0, "inputs")
    if t is None:
        return UNKNOWN
    s = _shape(call, t)
    if s.variadic or len(s.dims) < 2:
        return Tensor(Shape.unknown(), "tf", t.dtype)
    return Tensor(flatten_range(s, 1, len(s.dims) - 1), "tf", t.dtype)


def _spatial(call: Call, s: Shape, k: list, st: list, padding: str, cf: bool, rate: list, pool: bool) -> list:
    out = []
    for i, d in enumerate(s.dims[2:] if cf else s.dims[1:-1]):
        o = padded_out(d, k[i], st[i], rate[i], padding)
        if o is None:
            return []
        require_nonempty_spatial(o, op=_op(call), shape=s, axis=i + (2 if cf else 1), size=d, bindings=call.bindings,
                                 why=kernel_why(k[i], rate[i], window="pooling window" if pool else "kernel",
                                                padding="VALID"))
        out.append(o)
    return out


@shape_rule(*_contrib("conv2d", "convolution2d"))
def contrib_conv2d(call: Call) -> Value:
    t = call.tensor(0, "inputs")
    n = call.dim(1, "num_outputs")
    k = _pair(call.get(2, "kernel_size"))
    st = _pair(call.get(3, "stride", 1))
    rate = _pair(call.get(None, "rate", 1))
    padding = call.str(4, "padding", "SAME")
    fmt = call.str(5, "data_format", "NHWC") if not call.is_none(5, "data_format") else "NHWC"
    if t is None:
        return UNKNOWN
    s = _shape(call, t)
    if s.variadic or len(s.dims) != 4 or n is None or k is None or st is None or rate is None or \
            padding is None or padding.upper() not in ("SAME", "VALID") or fmt not in ("NHWC", "NCHW"):
        return Tensor(Shape.unknown(), "tf", "float")
    cf = fmt == "NCHW"
    out = _spatial(call, s, k, st, padding.lower(), cf, rate, False)
    if not out:
        return Tensor(Shape.unknown(), "tf", "float")
    return Tensor(Shape((s.dims[0], n, *out) if cf else (s.dims[0], *out, n)), "tf", "float")


@shape_rule(*_contrib("max_pool2d", "avg_pool2d"))
def contrib_pool2d(call: Call) -> Value:
    t = call.tensor(0, "inputs")
    k = _pair(call.get(1, "kernel_size"))
    st = _pair(call.get(2, "stride", 2))
    padding = call.str(3, "padding", "VALID")
    fmt = call.str(4, "data_format", "NHWC")
    if t is None:
        return UNKNOWN
    s = _shape(call, t)
    if s.rank is not None and s.rank != 4:
        raise ShapeError("layer-rank", f"{_op(call)} takes a 4-D input (batch, height, width, channels), "
                                       f"got {s.rank}-D {s}")
    if s.variadic or k is None or st is None or padding is None or padding.upper() not in ("SAME", "VALID") or \
            fmt not in ("NHWC", "NCHW"):
        return Tensor(Shape.unknown(), "tf", t.dtype)
    cf = fmt == "NCHW"
    out = _spatial(call, s, k, st, padding.lower(), cf, [1, 1], True)
    if not out:
        return Tensor(Shape.unknown(), "tf", t.dtype)
    return Tensor(Shape((s.dims[0], s.dims[1], *out) if cf else (s.dims[0], *out, s.dims[-1])), "tf", t.dtype)


# ---------------------------------------------------------------------------------- tf.layers (TF1)
def _layers_fmt(call: Call, pos: int) -> Optional[bool]:
    """``data_format``: True for ``channels_first``, False for ``channels_last``, None if unknown."""
    fmt = call.str(pos, "data_format", "channels_last")
    return None if fmt not in ("channels_last", "channels_first") else fmt == "channels_first"


@shape_rule(*tf("layers.conv2d"))
def tf_layers_conv2d(call: Call) -> Value:
    """``tf.layers.conv2d(inputs, filters, kernel_size, strides=(1, 1), padding='valid',
    data_format='channels_last', dilation_rate=(1, 1))``: Keras's ``Conv2D`` as a function."""
    t = call.tensor(0, "inputs")
    n = call.dim(1, "filters")
    k, st = _pair(call.get(2, "kernel_size")), _pair(call.get(3, "strides", 1))
    rate = _pair(call.get(7, "dilation_rate", 1))
    padding = call.str(4, "padding", "valid")
    cf = _layers_fmt(call, 5)
    if t is None:
        return UNKNOWN
    s = _shape(call, t)
    if s.rank is not None and s.rank < 4:  # (Keras's Conv2D: min_ndim=4, extra batch axes allowed)
        raise ShapeError("layer-rank", f"tf.layers.conv2d takes a 4-D input, got {s.rank}-D {s}")
    if s.variadic or len(s.dims) != 4 or n is None or k is None or st is None or rate is None or cf is None or \
            padding is None or padding.lower() not in ("same", "valid"):
        return Tensor(Shape.unknown(), "tf", "float")
    out = _spatial(call, s, k, st, padding.lower(), cf, rate, False)
    if not out:
        return Tensor(Shape.unknown(), "tf", "float")
    return Tensor(Shape((s.dims[0], n, *out) if cf else (s.dims[0], *out, n)), "tf", "float")


@shape_rule(*tf("layers.max_pooling2d", "layers.average_pooling2d"))
def tf_layers_pool2d(call: Call) -> Value:
    """``tf.layers.max_pooling2d(inputs, pool_size, strides, padding='valid', data_format='channels_last')``."""
    t = call.tensor(0, "inputs")
    k, st = _pair(call.get(1, "pool_size")), _pair(call.get(2, "strides"))
    padding = call.str(3, "padding", "valid")
    cf = _layers_fmt(call, 4)
    if t is None:
        return UNKNOWN
    s = _shape(call, t)
    if s.rank is not None and s.rank != 4:
        raise ShapeError("layer-rank", f"tf.layers.{call.qualname.rsplit('.', 1)[-1]} takes a 4-D input, "
                                       f"got {s.rank}-D {s}")
    if s.variadic or k is None or st is None or cf is None or padding is None or \
            padding.lower() not in ("same", "valid"):
        return Tensor(Shape.unknown(), "tf", t.dtype)
    out = _spatial(call, s, k, st, padding.lower(), cf, [1, 1], True)
    if not out:
        return Tensor(Shape.unknown(), "tf", t.dtype)
    return Tensor(Shape((s.dims[0], s.dims[1], *out) if cf else (s.dims[0], *out, s.dims[-1])), "tf", t.dtype)


@shape_rule(*tf("layers.dropout"))
def tf_layers_dropout(call: Call) -> Value:
    t = call.tensor(0, "inputs")
    return UNKNOWN if t is None else Tensor(_shape(call, t), "tf", t.dtype)


@shape_rule(*tf("layers.flatten"))
def tf_layers_flatten(call: Call) -> Value:
    return contrib_flatten(call)
