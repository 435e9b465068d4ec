"""torch.nn convolutions (ConvNd, ConvTransposeNd, their lazy forms) and ``conv_forward``, shared
with ``F.convNd``. The window arithmetic lives in ``shape_math.window``, shared with Keras and
TensorFlow; weights have exactly the shapes torch gives them.
"""
from __future__ import annotations

from typing import Any, Optional

from ... import dims as D
from ...dims import Dim
from ...shape_math.window import (
    conv_out,
    conv_transpose_out,
    kernel_why,
    require_nonempty_spatial,
    require_output_padding,
)
from ...shapes import Shape
from ...values import UNKNOWN, Layer, Tensor, Value
from ..registry import Call, layer_rule
from .base import (
    TorchLayer,
    arg_tuple,
    channel_axis,
    check_rank,
    const_of,
    describe,
    feature_mismatch,
    flex_spatial,
    fmt_tuple,
    nn,
    ntuple,
    spatial_of,
    tail_replace,
)


# ================================================================================== convolutions
class ConvBase(TorchLayer):
    # the output it guarantees whatever the input (the input may be a value the analysis cannot see)
    output_on_unknown = True
    N = 2
    transposed = False
    lazy = False

    @property
    def layouts(self) -> dict:
        """shape_math.layout tags: (out, in/groups, *kernel); transposed (in, out/groups, *kernel)."""
        return {"weight": "iok" if self.transposed else "oik"}

    def build(self, call: Call) -> Optional[dict]:
        n, off = self.N, (0 if self.lazy else 1)
        # A lazy conv's in_channels is whatever the first input brings: a flexible size, bound by
        # the first call (a later call with other channels then fails, as in torch).
        cin = D.flexible("in_channels") if self.lazy else call.dim(0, "in_channels")
        cout = call.dim(off, "out_channels")
        k = arg_tuple(call, off + 1, "kernel_size", n, None)
        s = arg_tuple(call, off + 2, "stride", n, 1)
        if self.transposed:
            p_v = call.get(off + 3, "padding", 0)
            op = arg_tuple(call, off + 4, "output_padding", n, 0)
            groups = call.dim(off + 5, "groups", 1)
            bias = call.bool(off + 6, "bias", True)
            d = arg_tuple(call, off + 7, "dilation", n, 1)
            mode = call.str(off + 8, "padding_mode", "zeros")
        else:
            p_v = call.get(off + 3, "padding", 0)
            d = arg_tuple(call, off + 4, "dilation", n, 1)
            groups = call.dim(off + 5, "groups", 1)
            bias = call.bool(off + 6, "bias", True)
            mode = call.str(off + 7, "padding_mode", "zeros")
            op = (0,) * n
        ps = const_of(p_v)
        if isinstance(ps, str):
            if self.transposed or ps not in ("same", "valid"):
                return None
            if ps == "same" and (s is None or any(D.as_int(x) != 1 for x in s)):
                return None  # torch: padding='same' is not supported for strided convolutions
            p: Any = "same" if ps == "same" else (0,) * n
        else:
            p = ntuple(p_v, n)
        cfg = {"in_channels": cin, "out_channels": cout, "kernel_size": k, "stride": s, "padding": p,
               "dilation": d, "output_padding": op, "groups": groups, "bias": bias, "padding_mode": mode}
        gi = D.as_int(groups) if groups is not None else None
        if gi is not None and gi > 0:
            for c in ((cin, cout) if not self.lazy else (cout,)):
                ci = D.as_int(c) if c is not None else None
                if ci is not None and ci % gi:
                    return None  # torch raises in the constructor
        cfg["_repr"] = ", ".join(
            [D.fmt(x) for x in ([cin] if not self.lazy else []) + [cout]] + [fmt_tuple(k)]
            + ([f"stride={fmt_tuple(s)}"] if s is not None and any(D.as_int(x) != 1 for x in s) else [])
            + ([f"padding={p!r}" if isinstance(p, str) else f"padding={fmt_tuple(p)}"]
               if p == "same" or (p is not None and any(D.as_int(x) != 0 for x in p)) else []))
        return cfg

    @property
    def trailing_dims(self) -> int:  # type: ignore[override]
        return self.N + 1

    def apply(self, layer: Layer, call: Call) -> Value:
        x = call.tensor(0, "input")
        if x is None:
            return UNKNOWN
        c = layer.config
        out_size = None
        if self.transposed and call.has(1, "output_size") and not call.is_none(1, "output_size"):
            out_size = call.dims(1, "output_size")
            if out_size is None or any(v is None for v in out_size):
                return Tensor(Shape.unknown(), "torch", "float")
        # a fix may edit in_channels where nothing else depends on it (no groups; not a lazy conv)
        editable = not self.lazy and c["groups"] is not None and D.as_int(c["groups"]) == 1
        return conv_forward(call, describe(layer), call.shape(x), self.N, self.transposed,
                            c["in_channels"], c["out_channels"], c["kernel_size"],
                            c["stride"], c["padding"], c["dilation"], c["output_padding"], c["groups"],
                            out_size, layer=layer if editable else None)

    def weights(self, layer: Layer) -> Optional[dict]:
        c = layer.config
        cin, cout, k, g = c["in_channels"], c["out_channels"], c["kernel_size"], c["groups"]
        if cin is None or cout is None or k is None or g is None:
            return None
        if self.transposed:
            w = Shape.of(cin, D.floordiv(cout, g), *k)
        else:
            w = Shape.of(cout, D.floordiv(cin, g), *k)
        out = {"weight": w}
        if c["bias"] is not False:
            out["bias"] = Shape.of(cout)
        return out


def conv_forward(call: Call, what: str, s: Shape, n: int, transposed: bool, cin: Optional[Dim],
                 cout: Optional[Dim], k: Optional[tuple], st: Optional[tuple], p: Any, d: Optional[tuple],
                 op: Optional[tuple], groups: Optional[Dim], out_size: Optional[list] = None,
                 layer: Optional[Layer] = None) -> Value:
    """The output of an N-d (transposed) convolution on an input ``(N, C, *spatial)`` or
    ``(C, *spatial)``, checking rank, channels and that every output size is at least 1."""
    check_rank(what, s, (n + 1, n + 2))
    ax = channel_axis(s, n)
    if cin is not None:
        cin = call.bindings.resolve(cin)  # a lazy conv's in_channels, bound by an earlier call
        feature_mismatch(call, what, s, ax, cin, "in_channels", layer, 0, other=cout)
    if cout is None:
        return Tensor(Shape.unknown(), "torch", "float")
    if out_size is not None:
        spatial = list(out_size[-n:]) if len(out_size) >= n else None
        if spatial is None:
            return Tensor(Shape.unknown(), "torch", "float")
        return Tensor(tail_replace(s, n + 1, [cout] + spatial), "torch", "float")
    if transposed and op is not None and st is not None and d is not None:
        require_output_padding(what, op, st, d)
    if k is None or st is None or p is None or d is None or (transposed and op is None):
        sp = flex_spatial(n)
        return Tensor(tail_replace(s, n + 1, [cout, *sp]), "torch", "float")
    ins = spatial_of(s, n)
    outs: list = []
    flex = flex_spatial(n)
    for i, L in enumerate(ins):
        if L is None:
            outs.append(flex[i])
            continue
        if p == "same":
            outs.append(L)
            continue
        if transposed:
            assert op is not None  # (returned above when unknown)
            o = conv_transpose_out(L, k[i], st[i], p[i], d[i], op[i])
        else:
            o = conv_out(L, k[i], st[i], p[i], d[i])
        # (a transposed conv of output size 0 raises, or on some CPU backends returns an empty tensor)
        axis = i - n if s.rank is None else s.rank - n + i
        if transposed:
            why = (f"with kernel {D.fmt(k[i])}, stride {D.fmt(st[i])} and padding {D.fmt(p[i])} loses more to the "
                   f"padding than it has")
            require_nonempty_spatial(o, op=what, shape=s, axis=axis, size=L, why=why, bindings=call.bindings,
                                     advice="use less padding or a larger input")
        else:
            require_nonempty_spatial(o, op=what, shape=s, axis=axis, size=L, why=kernel_why(k[i], d[i], p[i]),
                                     bindings=call.bindings)
        outs.append(o)
    return Tensor(batched(tail_replace(s, n + 1, [cout] + outs), n), "torch", "float")


def batched(s: Shape, n: int) -> Shape:
    """A convolution's output whose rank the input left open, (*, C, *spatial), as the batched
    (N, C, *spatial) it is in a model: an unbatched (C, *spatial) input is legal for a bare conv,
    but a module's forward is fed batches. So positive axes after it (``flatten(x, 1)``,
    ``mean(dim=1)``, ``cat(..., dim=1)``) mean what the model's author meant."""
    if s.variadic and len(s.dims) == n + 1:
        return Shape((D.opaque("N"),) + s.dims)
    return s


def _conv_class(name: str, n: int, transposed: bool, lazy: bool) -> None:
    layer_rule(*nn(name))(type(name, (ConvBase,), {"N": n, "transposed": transposed, "lazy": lazy}))


for _n in (1, 2, 3):
    _conv_class(f"Conv{_n}d", _n, False, False)
    _conv_class(f"ConvTranspose{_n}d", _n, True, False)
    _conv_class(f"LazyConv{_n}d", _n, False, True)
    _conv_class(f"LazyConvTranspose{_n}d", _n, True, True)
