"""Keras convolutions (ConvND, separable, depthwise, transposed) over ``shape_math.window``."""
from __future__ import annotations

from typing import Any, Optional

from ... import dims as D
from ...findings import ShapeError
from ...shape_math.window import kernel_why, padded_out, padded_transpose_out, require_nonempty_spatial
from ...shapes import Shape
from ...values import UNKNOWN, Const, Layer, Seq, Tensor, analysis_state, as_dim
from ..registry import Call, layer_rule
from .base import FW, KerasLayer, bind_built, check_rank, describe, ints, name_of, spellings


# ---------------------------------------------------------------------------------- convolutions
def padding_arg(call: Call, default: str = "valid") -> Optional[str]:
    """``padding=`` (Keras 1: ``border_mode=``) lowercased, ``default`` when absent, None where not a
    literal; pooling reads it the same way."""
    p = call.get(None, "padding") if call.has(None, "padding") else call.get(None, "border_mode")
    if p is UNKNOWN and not call.has(None, "padding") and not call.has(None, "border_mode"):
        return default
    s = name_of(p)
    return s.lower() if s else None


def _positional_reading() -> Optional[str]:
    """How ``Conv2D(32, 3, 3)`` reads: its third positional is the stride under tf.keras (any TF 2)
    and Keras 3, a kernel size under Keras 2's legacy interface (standalone ``keras`` 2.x, as Keras
    1's ``nb_row, nb_col``); None where the code may run on either (it imports standalone
    ``keras`` and no keras-version setting says which)."""
    st = analysis_state()
    if not st.standalone_keras or st.keras_version == 3:
        return "strides"
    return "kernel" if st.keras_version == 2 else None


class Conv(KerasLayer):
    rank = 2
    output_on_unknown = True  # (*, filters) whatever it is applied to (channels last)
    transpose = False
    separable = False
    depthwise = False

    @property
    def layouts(self) -> dict:
        """shape_math.layout tags: (*kernel, in, filters); transposed (*kernel, filters, in). A
        depthwise kernel (*kernel, in, multiplier) is in no other framework's layout: no tag."""
        if self.separable or self.depthwise:
            return {}
        return {"kernel": "koi" if self.transpose else "kio"}

    def configure(self, call: Call) -> Optional[dict]:
        r = self.rank
        kw = call.kwargs
        args = list(call.args)
        keras1 = any(k in kw for k in ("nb_filter", "border_mode", "subsample", "nb_row", "nb_col", "filter_length"))
        reading: Optional[str] = None  # Conv2D(32, 3, 3): "strides" or "kernel" (see _positional_reading)
        if self.depthwise:
            filters = None
            k = ints(call.get(0, "kernel_size"), r)
        else:
            filters = call.dim(None, "nb_filter") if "nb_filter" in kw else call.dim(0, "filters")
            positional = not keras1 and len(args) == r + 1 and r > 1 and all(as_dim(a) is not None for a in args)
            if positional:
                reading = _positional_reading()
            if positional and reading is None:
                return None  # Conv2D(32, 3, 3) under standalone keras, 2 or 3: a 3x3 kernel or strides=3
            if keras1 or reading == "kernel":
                ks = (args[1:1 + r] if len(args) >= 1 + r
                      else [kw.get(n, UNKNOWN) for n in ("nb_row", "nb_col", "nb_depth")[:r]])
                if r == 1:
                    ks = [kw.get("filter_length", args[1] if len(args) > 1 else UNKNOWN)]
                k = [as_dim(x) for x in ks]
                if any(x is None for x in k):
                    return None
                if "nb_filter" not in kw and args:
                    filters = as_dim(args[0])
            else:
                k = ints(call.get(1, "kernel_size"), r)
            if filters is None:
                return None
        if k is None:
            return None
        if keras1 or reading == "kernel":
            sv = kw.get("subsample", UNKNOWN)
        else:
            sv = call.get(2 if not self.depthwise else 1, "strides")
        strides = ints(sv, r) if sv is not UNKNOWN else [1] * r
        padding = padding_arg(call) if "padding" in kw or "border_mode" in kw else name_of(
            call.get(3 if not self.depthwise else 2, "padding")) or "valid"
        dil = ints(call.get(None, "dilation_rate"), r) if "dilation_rate" in kw else [1] * r
        fmt = name_of(call.get(None, "data_format")) or "channels_last"
        if strides is None or padding is None or dil is None:
            return None
        cfg: dict = {"filters": filters, "kernel": k, "strides": strides, "padding": padding.lower(), "dilation": dil,
                     "data_format": fmt, "use_bias": call.bool(None, "use_bias", True) is not False,
                     "groups": call.int(None, "groups", 1) or 1,
                     "depth_multiplier": call.dim(None, "depth_multiplier", 1) or 1,
                     "_repr": (f"{D.fmt(filters)}, " if filters is not None else "")
                     + (str(tuple(D.fmt(x) for x in k)).replace("'", "") if len(k) > 1 else D.fmt(k[0]))}
        if self.transpose:
            op = call.get(None, "output_padding")
            none = op is UNKNOWN or (isinstance(op, Const) and op.value is None)
            cfg["output_padding"] = None if none else ints(op, r)
        return cfg

    def compute(self, layer: Layer, call: Call, s: Shape) -> Any:
        r = self.rank
        c = layer.config
        check_rank(layer, s, ndim=r + 2, what="(batch, *spatial, channels)" if c["data_format"] != "channels_first"
                   else "(batch, channels, *spatial)")
        if s.variadic:
            if c["data_format"] == "channels_first" or self.depthwise:
                return Shape.unknown()
            bind_built(layer, call, s, -1, param="input_channel")
            out_c = c["filters"]
            return Shape((out_c,), True)
        cf = c["data_format"] == "channels_first"
        cax = 1 if cf else r + 1
        cin = bind_built(layer, call, s, cax, param="input_channel")
        g = c["groups"]
        ci = D.as_int(cin) if cin is not None else None
        if ci is not None and isinstance(g, int) and g > 1 and ci % g:
            raise ShapeError("layer-input-mismatch", f"{describe(layer)} with groups={g} gets {D.fmt(cin)} channels, "
                                                     f"not a multiple of groups (input {s})")
        spatial = s.dims[2:] if cf else s.dims[1:1 + r]
        out_sp = []
        for i, n in enumerate(spatial):
            if self.transpose:
                op = c.get("output_padding")
                o = padded_transpose_out(n, c["kernel"][i], c["strides"][i], c["dilation"][i], c["padding"],
                                  op[i] if op else None)
            else:
                o = padded_out(n, c["kernel"][i], c["strides"][i], c["dilation"][i], c["padding"])
            if o is None:
                return Shape.unknown()
            require_nonempty_spatial(o, op=describe(layer), shape=s, axis=i + (2 if cf else 1), size=n,
                                     bindings=call.bindings,
                                     why=kernel_why(c["kernel"][i], c["dilation"][i], padding=c["padding"])
                                     if not self.transpose else f"with kernel {D.fmt(c['kernel'][i])} and padding "
                                     f"'{c['padding']}' loses more to the padding than it has")
            out_sp.append(o)
        if self.depthwise:
            cin_d = s.dims[cax]
            out_c = D.mul(cin_d, c["depth_multiplier"])
        else:
            out_c = c["filters"]
        dims = [s.dims[0]] + ([out_c] + out_sp if cf else out_sp + [out_c])
        return Shape(tuple(dims))

    def is_built(self, layer: Layer) -> bool:
        return layer.config.get("_in") is not None

    def weights(self, layer: Layer) -> dict:
        c = layer.config
        cin = c.get("_in")
        if cin is None:
            return {}
        k = tuple(c["kernel"])
        f = c["filters"]
        if self.depthwise:
            dm = c["depth_multiplier"]
            out = {"kernel": Shape(k + (cin, dm))}
            if c["use_bias"]:
                out["bias"] = Shape((D.mul(cin, dm),))
            return out
        if self.separable:
            dm = c["depth_multiplier"]
            out = {"depthwise_kernel": Shape(k + (cin, dm)),
                   "pointwise_kernel": Shape((1,) * self.rank + (D.mul(cin, dm), f))}
        elif self.transpose:
            out = {"kernel": Shape(k + (f, cin))}
        else:
            g = c["groups"]
            out = {"kernel": Shape(k + (D.floordiv(cin, g) if g != 1 else cin, f))}
        if c["use_bias"]:
            out["bias"] = Shape((f,))
        return out


for _r in (1, 2, 3):
    layer_rule(*spellings(f"Conv{_r}D", f"convolutional.conv{_r}d", f"Convolution{_r}D"))(
        type(f"Conv{_r}D", (Conv,), {"rank": _r}))
    layer_rule(*spellings(f"Conv{_r}DTranspose", f"convolutional.conv{_r}d_transpose", f"Convolution{_r}DTranspose",
                          *(("Deconvolution2D", "Deconv2D") if _r == 2 else ("Deconv3D",) if _r == 3 else ())))(
        type(f"Conv{_r}DTranspose", (Conv,), {"rank": _r, "transpose": True}))
for _r in (1, 2):
    layer_rule(*spellings(f"SeparableConv{_r}D", f"convolutional.separable_conv{_r}d", f"SeparableConvolution{_r}D"))(
        type(f"SeparableConv{_r}D", (Conv,), {"rank": _r, "separable": True}))
    layer_rule(*spellings(f"DepthwiseConv{_r}D", f"convolutional.depthwise_conv{_r}d"))(
        type(f"DepthwiseConv{_r}D", (Conv,), {"rank": _r, "depthwise": True}))


class ConvLSTM(Conv):
    """ConvLSTM1D/2D/3D: an LSTM whose gates are convolutions. The input is (batch, time, *spatial,
    channels); each step is the convolution of ``Conv`` (the recurrent one keeps the size: 'same',
    stride 1); weights are the four gates' kernels side by side."""

    def configure(self, call: Call) -> Optional[dict]:
        cfg = super().configure(call)
        if cfg is None or cfg["groups"] != 1:
            return None
        cfg["return_sequences"] = call.bool(None, "return_sequences", False) is True
        cfg["return_state"] = call.bool(None, "return_state", False) is True
        if call.has(None, "return_sequences") and call.bool(None, "return_sequences") is None or \
                call.has(None, "return_state") and call.bool(None, "return_state") is None:
            return None
        return cfg

    def compute(self, layer: Layer, call: Call, s: Shape) -> Any:
        c = layer.config
        cf = c["data_format"] == "channels_first"
        check_rank(layer, s, ndim=self.rank + 3, what="(batch, time, *spatial, channels)" if not cf
                   else "(batch, time, channels, *spatial)")
        if s.variadic:
            return Shape.unknown()
        step = super().compute(layer, call, Shape((s.dims[0],) + s.dims[2:]))
        if not isinstance(step, Shape) or step.variadic:
            return Shape.unknown()
        out = Shape((s.dims[0], s.dims[1]) + step.dims[1:]) if c["return_sequences"] else step
        if c["return_state"]:
            return Seq([Tensor(out, FW, "float"), Tensor(step, FW, "float"), Tensor(step, FW, "float")], "list")
        return out

    def weights(self, layer: Layer) -> dict:
        c = layer.config
        cin = c.get("_in")
        if cin is None:
            return {}
        k, f4 = tuple(c["kernel"]), D.mul(4, c["filters"])
        out = {"kernel": Shape(k + (cin, f4)), "recurrent_kernel": Shape(k + (c["filters"], f4))}
        if c["use_bias"]:
            out["bias"] = Shape((f4,))
        return out


for _r in (1, 2, 3):
    layer_rule(*spellings(f"ConvLSTM{_r}D", f"rnn.conv_lstm{_r}d"))(type(f"ConvLSTM{_r}D", (ConvLSTM,), {"rank": _r}))
