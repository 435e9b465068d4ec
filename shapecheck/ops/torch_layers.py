"""torch.nn layers beyond Linear: convolutions, pooling, normalization, embeddings, recurrent
layers, attention, transformers, reshaping layers and losses as modules.

Every rule follows torch's own documentation for the output size and creates its weights with
exactly the shapes torch gives them (so parameter counts equal ``sum(p.numel())``). The window
arithmetic (``conv_out``, ``pool_out``...) lives in ``shape_math.window``, shared with Keras and
TensorFlow; the ``*_forward`` helpers here are shared with the functional rules in
``torch_functional``.
"""
from __future__ import annotations

import math
from typing import Any, Optional, Sequence

from .. import dims as D
from ..dims import Dim
from ..findings import Fix, ShapeError
from ..shapes import Shape
from ..values import (NONE, UNKNOWN, Const, Int, Layer, Param, Seq, Tensor, Value, as_dim, as_dims, tensor_of)
from ..shape_math.window import (conv_out, conv_transpose_out, kernel_why, pool_out, require_nonempty_spatial,
                                 require_output_padding, require_pool_padding, require_reflect_padding)
from .common import axis_of, broadcast_shapes
from .registry import LAYERS, Call, LayerRule, layer_rule, lookup_layer, mismatch_note
from .torch_nn import describe, feature_mismatch, nn

_DIMNAMES = {1: ("l",), 2: ("h", "w"), 3: ("d", "h", "w")}


# ================================================================================== helpers
def to_value(v: Any) -> Value:
    """A config entry as an abstract value (sizes may be sympy expressions)."""
    if isinstance(v, Value):
        return v
    if isinstance(v, bool) or v is None or isinstance(v, (float, str)):
        return Const(v)
    if isinstance(v, int):
        return Int(v)
    if isinstance(v, (tuple, list)):
        return Seq([to_value(x) for x in v], "tuple")
    if hasattr(v, "free_symbols"):
        return Int(D.norm(v))
    return UNKNOWN


def ntuple(v: Value, n: int) -> Optional[tuple]:
    """``3`` -> ``(3, 3)``; ``(3, 5)`` -> ``(3, 5)``; None where not understood."""
    if isinstance(v, Seq):
        ds = as_dims(v)
        if ds is None or len(ds) != n or any(d is None for d in ds):
            return None
        return tuple(ds)
    d = as_dim(v)
    return None if d is None else (d,) * n


def arg_tuple(call: Call, i: Optional[int], name: str, n: int, default: Any) -> Optional[tuple]:
    return ntuple(call.get(i, name, default), n)


def const_of(v: Value) -> Any:
    """The Python value of a constant (``Const`` / ``Int`` with a concrete value), else a sentinel."""
    if isinstance(v, Const):
        return v.value
    if isinstance(v, Int):
        i = D.as_int(v.dim)
        return i if i is not None else _NOT_CONST
    return _NOT_CONST


_NOT_CONST = object()


def fmt_tuple(t: Optional[Sequence]) -> str:
    if t is None:
        return "?"
    if len(set(map(str, t))) == 1:
        return D.fmt(t[0])
    return "(" + ", ".join(D.fmt(x) for x in t) + ")"


def flex_spatial(n: int) -> tuple:
    return tuple(D.flexible(h) for h in _DIMNAMES.get(n, ("n",) * n))


def tail_replace(s: Shape, n_tail: int, new_tail: Sequence[Dim]) -> Shape:
    """``s`` with its last ``n_tail`` axes replaced by ``new_tail``; a variadic shape with fewer
    known dims keeps its unknown prefix."""
    if len(s.dims) >= n_tail:
        return Shape(tuple(s.dims[: len(s.dims) - n_tail]) + tuple(D.norm(d) for d in new_tail), s.variadic)
    return Shape(tuple(D.norm(d) for d in new_tail), True)


def spatial_of(s: Shape, n: int) -> list:
    """The last ``n`` sizes (None where unknown)."""
    return [s.dim(i - n) for i in range(n)]


def channel_axis(s: Shape, n_spatial: int) -> int:
    """The channel axis of a ``(N, C, *spatial)`` / ``(C, *spatial)`` input, positive where the rank
    is known (messages read better)."""
    if s.rank is not None:
        return s.rank - n_spatial - 1
    return -(n_spatial + 1)


def ranks_text(ranks: Sequence[int]) -> str:
    return " or ".join(f"{r}-D" for r in ranks)


def check_rank(what: str, s: Shape, ranks: Sequence[int], hint: str = "") -> None:
    """SHP302 where the rank is provably not among ``ranks``."""
    r = s.rank
    if r is not None and r not in ranks:
        raise ShapeError("layer-rank", f"{what} expects a {ranks_text(ranks)} input, got {r}-D {s}{hint}")
    if r is None and len(s.dims) > max(ranks):
        raise ShapeError("layer-rank", f"{what} expects a {ranks_text(ranks)} input, got at least "
                                       f"{len(s.dims)}-D {s}{hint}")


def check_min_rank(what: str, s: Shape, rmin: int) -> None:
    r = s.rank
    if r is not None and r < rmin:
        raise ShapeError("layer-rank", f"{what} expects an input of at least {rmin}-D, got {r}-D {s}")


def scaled(L: Optional[Dim], sf: Any) -> Optional[Dim]:
    """floor(L * scale_factor) as torch computes interpolate's output size."""
    if L is None:
        return None
    if isinstance(sf, bool) or not isinstance(sf, (int, float)):
        return None
    if isinstance(sf, int) or float(sf).is_integer():
        return D.mul(L, int(sf))
    li = D.as_int(L)
    return None if li is None else int(math.floor(float(li) * sf))


# ================================================================================== base class
class TorchLayer(LayerRule):
    """Attribute reads: weights, then child modules, then config entries (as torch names them).

    ``weights()`` lists every parameter as ``named_parameters()`` would, nested modules included
    under dotted names (``self_attn.in_proj_weight``, ``layers.0.linear1.weight``), so the layer's
    parameter count is the sum over ``weights()`` alone; no rule here has ``children()``."""

    def attr(self, layer: Layer, name: str) -> Value:
        w = self.weights(layer) or {}
        if name in w:  # a weight knows whose it is, so SHP601 can name the layout
            return Tensor(w[name], "torch", "float", f"{layer.kind}.{name}")
        child = self.child(layer, name)
        if child is not None:
            return child
        if name in layer.config and not name.startswith("_"):
            return to_value(layer.config[name])
        return UNKNOWN

    def child(self, layer: Layer, name: str) -> Optional[Layer]:
        return None


def sub_layer(kind: str, *args: Any, **kwargs: Any) -> Optional[Layer]:
    """Build a child layer (MultiheadAttention.out_proj, the Linear of a transformer) by its rule."""
    rule = lookup_layer(kind)
    if rule is None:
        return None
    cfg = rule.build(Call([to_value(a) for a in args], {k: to_value(v) for k, v in kwargs.items()}))
    return None if cfg is None else Layer(kind, cfg)


def weights_of(layer: Optional[Value], prefix: str = "") -> Optional[dict]:
    """The weights of a (child) layer under ``prefix.``; ``{}`` for no layer, None when unknown."""
    if layer is None or isinstance(layer, Const) and layer.value is None:
        return {}
    rule = lookup_layer(layer.kind) if isinstance(layer, Layer) else None
    w = rule.weights(layer) if rule is not None else None
    return None if w is None else {f"{prefix}{k}": v for k, v in w.items()}


def merged(parts: list) -> Optional[dict]:
    """The union of weight dicts in order; None when any part is unknown."""
    out: dict = {}
    for p in parts:
        if p is None:
            return None
        out.update(p)
    return out


# ================================================================================== convolutions
class ConvBase(TorchLayer):
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
        return conv_forward(call, describe(layer), call.shape(x), self.N, self.transposed,
                            c["in_channels"], c["out_channels"], c["kernel_size"],
                            c["stride"], c["padding"], c["dilation"], c["output_padding"], c["groups"],
                            out_size)

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
                 op: Optional[tuple], groups: Optional[Dim], out_size: Optional[list] = None) -> Value:
    """The output of an N-d (transposed) convolution on an input ``(N, C, *spatial)`` or
    ``(C, *spatial)``, checking rank, channels and that every output size is at least 1."""
    check_rank(what, s, (n + 1, n + 2))
    ax = channel_axis(s, n)
    if cin is not None:
        cin = call.bindings.resolve(cin)  # a lazy conv's in_channels, bound by an earlier call
        feature_mismatch(call, what, s, ax, cin, "in_channels")
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
    return Tensor(tail_replace(s, n + 1, [cout] + outs), "torch", "float")


def _conv_class(name: str, n: int, transposed: bool, lazy: bool) -> None:
    layer_rule(*nn(name))(type(name, (ConvBase,), {"N": n, "transposed": transposed, "lazy": lazy}))


for _n in (1, 2, 3):
    _conv_class(f"Conv{_n}d", _n, False, False)
    _conv_class(f"ConvTranspose{_n}d", _n, True, False)
    _conv_class(f"LazyConv{_n}d", _n, False, True)
    _conv_class(f"LazyConvTranspose{_n}d", _n, True, True)


# ================================================================================== pooling
class PoolBase(TorchLayer):
    N = 2
    kind = "max"  # max | avg | lp

    def build(self, call: Call) -> Optional[dict]:
        n = self.N
        off = 1 if self.kind == "lp" else 0
        k = arg_tuple(call, off, "kernel_size", n, None)
        sv = call.get(off + 1, "stride", None)
        st = k if isinstance(sv, Const) and sv.value is None else ntuple(sv, n)
        if self.kind == "lp":
            p, d = (0,) * n, (1,) * n
            ceil = call.bool(off + 2, "ceil_mode", False)
            ri = False
        else:
            p = arg_tuple(call, 2, "padding", n, 0)
            if self.kind == "max":
                d = arg_tuple(call, 3, "dilation", n, 1)
                ri = call.bool(4, "return_indices", False)
                ceil = call.bool(5, "ceil_mode", False)
            else:
                d, ri = (1,) * n, False
                ceil = call.bool(3, "ceil_mode", False)
        cfg = {"kernel_size": k, "stride": st, "padding": p, "dilation": d, "ceil_mode": ceil,
               "return_indices": ri, "_repr": fmt_tuple(k)}
        if self.kind == "lp":
            cfg["norm_type"] = const_of(call.get(0, "norm_type"))
        return cfg

    def apply(self, layer: Layer, call: Call) -> Value:
        x = call.tensor(0, "input")
        if x is None:
            return UNKNOWN
        c = layer.config
        out = pool_forward(call, describe(layer), call.shape(x), self.N, c["kernel_size"], c["stride"],
                           c["padding"], c["dilation"], c["ceil_mode"], avg3d=self.N == 3 and self.kind != "max")
        if c["return_indices"] is True:
            return Seq([out, Tensor(out.shape, "torch", "int")], "tuple")
        if c["return_indices"] is None:
            return UNKNOWN
        return out


def pool_forward(call: Call, what: str, s: Shape, n: int, k: Optional[tuple], st: Optional[tuple],
                 p: Optional[tuple], d: Optional[tuple], ceil: Optional[bool], avg3d: bool = False) -> Tensor:
    """``avg3d``: torch's avg_pool3d (and LPPool3d, built on it) also needs the unpadded input to
    be at least the kernel."""
    check_rank(what, s, (n + 1, n + 2))
    if avg3d and k is not None:
        for i, L in enumerate(spatial_of(s, n)):
            if L is not None:
                require_nonempty_spatial(D.add(D.sub(L, k[i]), 1), op=what, shape=s, axis=i - n if s.rank is None
                                         else s.rank - n + i, size=L, bindings=call.bindings,
                                         why=f"is smaller than the pooling window {D.fmt(k[i])} (avg_pool3d does not "
                                             f"count the padding here)", advice="pool less or earlier")
    flex = flex_spatial(n)
    if k is None or st is None or p is None or d is None or ceil is None:
        return Tensor(tail_replace(s, n, flex), "torch", "float")
    require_pool_padding(what, k, p)
    outs: list = []
    for i, L in enumerate(spatial_of(s, n)):
        if L is None:
            outs.append(flex[i])
            continue
        o = pool_out(L, k[i], st[i], p[i], d[i], ceil)
        if o is None:
            outs.append(flex[i])
            continue
        axis = i - n if s.rank is None else s.rank - n + i
        require_nonempty_spatial(o, op=what, shape=s, axis=axis, size=L, bindings=call.bindings,
                                 why=kernel_why(k[i], 1, p[i], window="pooling window"), advice="pool less or earlier")
        outs.append(o)
    return Tensor(tail_replace(s, n, outs), "torch", "float")


class AdaptivePoolBase(TorchLayer):
    N = 2
    is_max = False

    def build(self, call: Call) -> Optional[dict]:
        v = call.get(0, "output_size")
        n = self.N
        if isinstance(v, Seq):
            if len(v.items) != n:
                return None
            sizes = [None if isinstance(x, Const) and x.value is None else (as_dim(x) if as_dim(x) is not None
                                                                          else _NOT_CONST) for x in v.items]
        else:
            dv = as_dim(v)
            sizes = [dv] * n if dv is not None else [_NOT_CONST] * n
        if any(x is _NOT_CONST for x in sizes):
            return {"output_size": None, "return_indices": False}
        ri = call.bool(1, "return_indices", False) if self.is_max else False
        return {"output_size": tuple(sizes), "return_indices": ri, "_repr": fmt_tuple(sizes)}

    def apply(self, layer: Layer, call: Call) -> Value:
        x = call.tensor(0, "input")
        if x is None:
            return UNKNOWN
        out = adaptive_forward(describe(layer), call.shape(x), self.N, layer.config["output_size"])
        ri = layer.config["return_indices"]
        if ri is True:
            return Seq([out, Tensor(out.shape, "torch", "int")], "tuple")
        return out if ri is False else UNKNOWN


def adaptive_forward(what: str, s: Shape, n: int, sizes: Optional[Sequence]) -> Tensor:
    check_rank(what, s, (n + 1, n + 2))
    flex = flex_spatial(n)
    if sizes is None:
        return Tensor(tail_replace(s, n, flex), "torch", "float")
    ins = spatial_of(s, n)
    outs = [sizes[i] if sizes[i] is not None else (ins[i] if ins[i] is not None else flex[i]) for i in range(n)]
    return Tensor(tail_replace(s, n, outs), "torch", "float")


for _n in (1, 2, 3):
    for _k in ("max", "avg", "lp"):
        _name = {"max": "MaxPool", "avg": "AvgPool", "lp": "LPPool"}[_k] + f"{_n}d"
        layer_rule(*nn(_name))(type(_name, (PoolBase,), {"N": _n, "kind": _k}))
    for _m in (False, True):
        _name = ("AdaptiveMaxPool" if _m else "AdaptiveAvgPool") + f"{_n}d"
        layer_rule(*nn(_name))(type(_name, (AdaptivePoolBase,), {"N": _n, "is_max": _m}))


# ================================================================================== normalization
class BatchNormBase(TorchLayer):
    ranks: tuple = (4,)
    channel_from_end: Optional[int] = -3  # where the rank is unknown; None: ambiguous
    instance = False

    lazy = False

    def build(self, call: Call) -> Optional[dict]:
        off = 0 if self.lazy else 1
        # a lazy norm takes num_features from its first input: a flexible size bound by that call
        nf = D.flexible("num_features") if self.lazy else call.dim(0, "num_features")
        affine = call.bool(off + 2, "affine", False if self.instance else True)
        track = call.bool(off + 3, "track_running_stats", False if self.instance else True)
        return {"num_features": nf, "affine": affine, "track_running_stats": track,
                "_repr": "" if self.lazy else D.fmt(nf)}

    def apply(self, layer: Layer, call: Call) -> Value:
        x = call.tensor(0, "input")
        if x is None:
            return UNKNOWN
        s = call.shape(x)
        what = describe(layer)
        check_rank(what, s, self.ranks)
        nf = layer.config["num_features"]
        if nf is not None:
            nf = call.bindings.resolve(nf)
        # InstanceNorm only raises on a mismatch when affine (else torch warns and ignores num_features).
        if nf is not None and (not self.instance or layer.config["affine"] is True):
            if s.rank is not None:
                ax = 1 if not self.instance else s.rank - self.ranks[0]
                feature_mismatch(call, what, s, ax, nf, "num_features")
            elif self.channel_from_end is not None:
                feature_mismatch(call, what, s, self.channel_from_end, nf, "num_features")
        return Tensor(s, "torch", "float")

    def weights(self, layer: Layer) -> Optional[dict]:
        nf = layer.config["num_features"]
        if layer.config["affine"] is False:  # (running stats are buffers, not parameters)
            return {}
        if nf is None or layer.config["affine"] is not True:
            return None
        return {"weight": Shape.of(nf), "bias": Shape.of(nf)}


layer_rule(*nn("BatchNorm1d"))(type("BatchNorm1d", (BatchNormBase,), {"ranks": (2, 3), "channel_from_end": None}))
layer_rule(*nn("BatchNorm2d"))(type("BatchNorm2d", (BatchNormBase,), {"ranks": (4,), "channel_from_end": -3}))
layer_rule(*nn("BatchNorm3d"))(type("BatchNorm3d", (BatchNormBase,), {"ranks": (5,), "channel_from_end": -4}))
layer_rule(*nn("SyncBatchNorm"))(type("SyncBatchNorm", (BatchNormBase,), {"ranks": (2, 3, 4, 5),
                                                                          "channel_from_end": None}))
for _n in (1, 2, 3):
    layer_rule(*nn(f"InstanceNorm{_n}d"))(type(f"InstanceNorm{_n}d", (BatchNormBase,), {
        "ranks": (_n + 1, _n + 2), "channel_from_end": -(_n + 1), "instance": True}))
    layer_rule(*nn(f"LazyInstanceNorm{_n}d"))(type(f"LazyInstanceNorm{_n}d", (BatchNormBase,), {
        "ranks": (_n + 1, _n + 2), "channel_from_end": -(_n + 1), "instance": True, "lazy": True}))
    _bn = LAYERS[f"torch.nn.BatchNorm{_n}d"]
    layer_rule(*nn(f"LazyBatchNorm{_n}d"))(type(f"LazyBatchNorm{_n}d", (BatchNormBase,), {
        "ranks": _bn.ranks, "channel_from_end": _bn.channel_from_end, "lazy": True}))


@layer_rule(*nn("LayerNorm"))
class LayerNorm(TorchLayer):
    def build(self, call: Call) -> Optional[dict]:
        ns = call.dims(0, "normalized_shape")
        if ns is not None and any(d is None for d in ns):
            ns = None
        affine = call.bool(2, "elementwise_affine", True)
        bias = call.bool(3, "bias", True)
        return {"normalized_shape": None if ns is None else tuple(ns), "elementwise_affine": affine, "bias": bias,
                "_repr": fmt_tuple(ns) if ns is not None and len(ns) == 1 else
                ("(" + ", ".join(D.fmt(d) for d in ns) + ")" if ns is not None else "?")}

    def apply(self, layer: Layer, call: Call) -> Value:
        x = call.tensor(0, "input")
        if x is None:
            return UNKNOWN
        return layer_norm_forward(call, describe(layer), call.shape(x), layer.config["normalized_shape"])

    def weights(self, layer: Layer) -> Optional[dict]:
        ns, c = layer.config["normalized_shape"], layer.config
        if c["elementwise_affine"] is False:
            return {}
        if ns is None or c["elementwise_affine"] is not True or c["bias"] is None:
            return None
        out = {"weight": Shape.of(*ns)}
        if c["bias"] is not False:
            out["bias"] = Shape.of(*ns)
        return out


def layer_norm_forward(call: Call, what: str, s: Shape, ns: Optional[tuple]) -> Tensor:
    if ns is None:
        return Tensor(s, "torch", "float")
    k = len(ns)
    if s.rank is not None and s.rank < k:
        raise ShapeError("layer-rank", f"{what} normalizes the last {k} axes {Shape.of(*ns)} but the input "
                                       f"{s} has only {s.rank}")
    for i in range(1, k + 1):
        have = s.dim(-i)
        if have is not None and D.compare(have, ns[-i], call.bindings) is D.FALSE:
            why = s.why_of(-i)
            raise ShapeError("layer-input-mismatch", lambda have=have, i=i, why=why: (
                f"{what} expects the trailing axes of its input to be {Shape.of(*ns)}, but input {s} has "
                f"{D.fmt(have)}{f' (= {why})' if why else ''} at axis {-i} where normalized_shape has "
                f"{D.fmt(ns[-i])}{mismatch_note(have, ns[-i])}"))
    if s.variadic and len(s.dims) < k:
        # The input passed (or will fail elsewhere): its trailing axes are normalized_shape.
        return Tensor(Shape(tuple(ns), True), "torch", "float")
    return Tensor(s, "torch", "float")


@layer_rule(*nn("GroupNorm"))
class GroupNorm(TorchLayer):
    def build(self, call: Call) -> Optional[dict]:
        g, ch = call.dim(0, "num_groups"), call.dim(1, "num_channels")
        gi, ci = (D.as_int(g) if g is not None else None), (D.as_int(ch) if ch is not None else None)
        if gi and ci is not None and ci % gi:
            return None  # torch raises in the constructor
        return {"num_groups": g, "num_channels": ch, "affine": call.bool(3, "affine", True),
                "_repr": f"{D.fmt(g)}, {D.fmt(ch)}"}

    def apply(self, layer: Layer, call: Call) -> Value:
        x = call.tensor(0, "input")
        if x is None:
            return UNKNOWN
        s = call.shape(x)
        what = describe(layer)
        check_min_rank(what, s, 2)
        ch, g = layer.config["num_channels"], layer.config["num_groups"]
        if s.rank is None:
            return Tensor(s, "torch", "float")
        if ch is not None and layer.config["affine"] is True:
            # only the affine weight pins the channel count; without it torch just needs C % groups == 0
            feature_mismatch(call, what, s, 1, ch, "num_channels")
        ci, gi = D.as_int(s.dims[1]), (D.as_int(g) if g is not None else None)
        if ci is not None and gi and ci % gi:
            raise ShapeError("layer-input-mismatch", f"{what}: {ci} channels at axis 1 of {s} cannot be split into "
                                                     f"{gi} groups")
        return Tensor(s, "torch", "float")

    def weights(self, layer: Layer) -> Optional[dict]:
        ch = layer.config["num_channels"]
        if layer.config["affine"] is False:
            return {}
        if ch is None or layer.config["affine"] is not True:
            return None
        return {"weight": Shape.of(ch), "bias": Shape.of(ch)}


@layer_rule(*nn("LocalResponseNorm"))
class LocalResponseNorm(TorchLayer):
    def apply(self, layer: Layer, call: Call) -> Value:
        x = call.tensor(0, "input")
        if x is None:
            return UNKNOWN
        s = call.shape(x)
        check_min_rank(describe(layer), s, 3)
        return Tensor(s, "torch", "float")


@layer_rule(*nn("RMSNorm"))
class RMSNorm(LayerNorm):
    def build(self, call: Call) -> Optional[dict]:
        ns = call.dims(0, "normalized_shape")
        if ns is not None and any(d is None for d in ns):
            ns = None
        return {"normalized_shape": None if ns is None else tuple(ns),
                "elementwise_affine": call.bool(2, "elementwise_affine", True), "bias": False,
                "_repr": "?" if ns is None else ", ".join(D.fmt(d) for d in ns)}


# ================================================================================== embeddings
@layer_rule(*nn("Embedding"))
class Embedding(TorchLayer):
    def build(self, call: Call) -> Optional[dict]:
        n, dim = call.dim(0, "num_embeddings"), call.dim(1, "embedding_dim")
        w = call.tensor(None, "_weight")
        if w is not None and w.shape.rank == 2:
            n, dim = w.shape.dims
        return {"num_embeddings": n, "embedding_dim": dim, "_repr": f"{D.fmt(n)}, {D.fmt(dim)}"}

    def apply(self, layer: Layer, call: Call) -> Value:
        x = call.tensor(0, "input")
        dim = layer.config["embedding_dim"]
        if x is None:
            return UNKNOWN
        s = call.shape(x)
        if dim is None:
            return Tensor(Shape.unknown(), "torch", "float")
        return Tensor(Shape(s.dims + (dim,), s.variadic), "torch", "float")

    def weights(self, layer: Layer) -> Optional[dict]:
        n, dim = layer.config["num_embeddings"], layer.config["embedding_dim"]
        return None if n is None or dim is None else {"weight": Shape.of(n, dim)}


@layer_rule("torch.nn.Embedding.from_pretrained")
class EmbeddingFromPretrained(Embedding):
    def build(self, call: Call) -> Optional[dict]:
        w = call.tensor(0, "embeddings")
        if w is None or w.shape.rank != 2:
            return {"num_embeddings": None, "embedding_dim": None}
        n, dim = w.shape.dims
        return {"num_embeddings": n, "embedding_dim": dim, "_repr": f"{D.fmt(n)}, {D.fmt(dim)}"}


@layer_rule(*nn("EmbeddingBag"))
class EmbeddingBag(Embedding):
    def build(self, call: Call) -> Optional[dict]:
        cfg = super().build(call)
        cfg["include_last_offset"] = call.bool(8, "include_last_offset", False)
        return cfg

    def apply(self, layer: Layer, call: Call) -> Value:
        x = call.tensor(0, "input")
        dim = layer.config["embedding_dim"]
        if x is None or dim is None:
            return UNKNOWN
        s = call.shape(x)
        what = describe(layer)
        check_rank(what, s, (1, 2))
        if s.rank == 2:
            return Tensor(Shape.of(s.dims[0], dim), "torch", "float")
        off = call.tensor(1, "offsets")
        if s.rank == 1 and off is not None and off.shape.rank == 1:
            b = off.shape.dims[0]
            if layer.config["include_last_offset"] is True:
                b = D.sub(b, 1)
            elif layer.config["include_last_offset"] is not False:
                return UNKNOWN
            return Tensor(Shape.of(b, dim), "torch", "float")
        return UNKNOWN


# ================================================================================== recurrent
_GATES = {"RNN": 1, "LSTM": 4, "GRU": 3}


class RNNBase(TorchLayer):
    mode = "RNN"

    def build(self, call: Call) -> Optional[dict]:
        args = list(call.args)
        kwargs = dict(call.kwargs)
        if self.mode == "RNN":
            if len(args) > 3:
                args = args[:3] + args[4:]  # nn.RNN's 4th positional is nonlinearity
            kwargs.pop("nonlinearity", None)
        elif self.mode == "GRU" and "proj_size" in kwargs:
            return None
        c = call.with_args(args, kwargs)
        cfg = {"input_size": c.dim(0, "input_size"), "hidden_size": c.dim(1, "hidden_size"),
               "num_layers": c.dim(2, "num_layers", 1), "bias": c.bool(3, "bias", True),
               "batch_first": c.bool(4, "batch_first", False), "bidirectional": c.bool(6, "bidirectional", False),
               "proj_size": c.dim(7, "proj_size", 0) if self.mode == "LSTM" else 0}
        ps, hs = cfg["proj_size"], cfg["hidden_size"]
        if ps is not None and hs is not None and D.as_int(ps) is not None and D.as_int(hs) is not None:
            if D.as_int(ps) < 0 or (D.as_int(ps) and D.as_int(ps) >= D.as_int(hs)):
                return None  # torch raises in the constructor
        cfg["_repr"] = f"{D.fmt(cfg['input_size'])}, {D.fmt(cfg['hidden_size'])}" + (
            f", num_layers={D.fmt(cfg['num_layers'])}" if D.as_int(cfg["num_layers"] or 0) != 1 else "") + (
            ", batch_first=True" if cfg["batch_first"] is True else "") + (
            ", bidirectional=True" if cfg["bidirectional"] is True else "") + (
            f", proj_size={D.fmt(ps)}" if ps is not None and D.as_int(ps) != 0 else "")
        return cfg

    def _out_size(self, c: dict) -> Optional[Dim]:
        """H_out: proj_size where set, else hidden_size."""
        ps = c["proj_size"]
        if ps is None:
            return None
        return c["hidden_size"] if D.as_int(ps) == 0 else ps

    def apply(self, layer: Layer, call: Call) -> Value:
        x = call.tensor(0, "input")
        if x is None:
            return UNKNOWN
        c = layer.config
        what = describe(layer)
        s = call.shape(x)
        check_rank(what, s, (2, 3))
        if c["input_size"] is not None:
            feature_mismatch(call, what, s, -1, c["input_size"], "input_size")
        h_out = self._out_size(c)
        ndir = None if c["bidirectional"] is None else (2 if c["bidirectional"] else 1)
        bf = c["batch_first"]
        nl = c["num_layers"]
        hx = call.get(1, "hx")
        batched = s.rank == 3
        batch: Optional[Dim] = None
        if batched and bf is not None:
            batch = s.dims[0] if bf else s.dims[1]
        # the initial state
        states: list = []
        if not (isinstance(hx, Const) and hx.value is None) and call.has(1, "hx"):
            if self.mode == "LSTM":
                if isinstance(hx, Seq) and len(hx.items) == 2:
                    states = [("h0", tensor_of(hx.items[0]), h_out), ("c0", tensor_of(hx.items[1]), c["hidden_size"])]
            else:
                states = [("h0", tensor_of(hx), h_out)]
        for name, st, size in states:
            if st is None:
                continue
            ss = call.shape(st)
            if s.rank is not None and ss.rank is not None and ss.rank != s.rank:
                raise ShapeError("layer-rank", f"{what} gets a {s.rank}-D input {s} but a {ss.rank}-D initial "
                                               f"state {name} {ss}; both must be batched (3-D) or unbatched (2-D)")
            lead = ss.dim(0) if ss.rank is not None else None
            if lead is not None and nl is not None and ndir is not None:
                want = D.mul(nl, ndir)
                if D.compare(lead, want, call.bindings) is D.FALSE:
                    raise ShapeError("layer-input-mismatch", lambda lead=lead, want=want, ss=ss, name=name: (
                        f"{what}: initial state {name} {ss} has {D.fmt(lead)} at axis 0 but the layer needs "
                        f"num_layers*num_directions = {D.fmt(want)}{mismatch_note(lead, want)}"))
            if size is not None:
                have = ss.dim(-1)
                if have is not None and D.compare(have, size, call.bindings) is D.FALSE:
                    raise ShapeError("layer-input-mismatch", lambda have=have, size=size, ss=ss, name=name: (
                        f"{what}: initial state {name} {ss} has {D.fmt(have)} at axis -1 but the layer's "
                        f"{'hidden size' if name == 'c0' or h_out is c['hidden_size'] else 'proj_size'} is "
                        f"{D.fmt(size)}{mismatch_note(have, size)}"))
            if batched and ss.rank == 3 and batch is not None:
                hb = ss.dims[1]
                if D.compare(hb, batch, call.bindings, unify=False) is D.FALSE:
                    other = s.dims[1] if bf else s.dims[0]
                    if D.compare(hb, other, None, unify=False) is D.TRUE:
                        raise self._layout_error(what, s, ss, name, bool(bf), hb)
                    raise ShapeError("layer-input-mismatch", lambda hb=hb, ss=ss, name=name: (
                        f"{what}: initial state {name} {ss} has batch {D.fmt(hb)} at axis 1 but the input {s} has "
                        f"batch {D.fmt(batch)} at axis {0 if bf else 1}{mismatch_note(hb, batch)}"))
                D.compare(hb, batch, call.bindings)  # unify
        if h_out is None or ndir is None or nl is None:
            return UNKNOWN
        feat = D.mul(ndir, h_out)
        if s.rank is None:
            out = Tensor(Shape(s.dims[:-1] + (feat,), True) if s.dims else Shape((feat,), True), "torch", "float")
            h_n: Value = Tensor(Shape.unknown(), "torch", "float")
            c_n: Value = Tensor(Shape.unknown(), "torch", "float")
        else:
            out = Tensor(s.replace_last(1, [feat]), "torch", "float")
            lead = D.mul(nl, ndir)
            if batched:
                if batch is None:
                    h_n = c_n = Tensor(Shape.unknown(), "torch", "float")
                else:
                    h_n = Tensor(Shape.of(lead, batch, h_out), "torch", "float")
                    c_n = Tensor(Shape.of(lead, batch, c["hidden_size"]), "torch", "float")
            else:
                h_n = Tensor(Shape.of(lead, h_out), "torch", "float")
                c_n = Tensor(Shape.of(lead, c["hidden_size"]), "torch", "float")
        if self.mode == "LSTM":
            return Seq([out, Seq([h_n, c_n], "tuple")], "tuple")
        return Seq([out, h_n], "tuple")

    @staticmethod
    def _layout_error(what: str, s: Shape, ss: Shape, name: str, bf: bool, hb: Dim) -> ShapeError:
        if bf:
            msg = (f"{what} is batch_first=True, so it reads input {s} as (batch={D.fmt(s.dims[0])}, "
                   f"seq={D.fmt(s.dims[1])}, feature={D.fmt(s.dims[2])}); but the initial state {name} {ss} has batch "
                   f"{D.fmt(hb)}, the size of the input's axis 1: the input is in (seq, batch, feature) layout")
            fix = Fix("build the layer with batch_first=False, or pass the input as x.transpose(0, 1)")
        else:
            msg = (f"{what} is batch_first=False, so it reads input {s} as (seq={D.fmt(s.dims[0])}, "
                   f"batch={D.fmt(s.dims[1])}, feature={D.fmt(s.dims[2])}); but the initial state {name} {ss} has batch "
                   f"{D.fmt(hb)}, the size of the input's axis 0: the input is in (batch, seq, feature) layout")
            fix = Fix("build the layer with batch_first=True, or pass the input as x.transpose(0, 1)")
        return ShapeError("recurrent-layout", msg + "; " + fix.description, fix)

    def weights(self, layer: Layer) -> Optional[dict]:
        c = layer.config
        ins, hs, nl, ps = c["input_size"], c["hidden_size"], D.as_int(c["num_layers"] or 0), c["proj_size"]
        if ins is None or hs is None or not nl or c["bidirectional"] is None or c["bias"] is None or ps is None:
            return None
        ndir = 2 if c["bidirectional"] else 1
        g = _GATES[self.mode]
        h_out = hs if D.as_int(ps) == 0 else ps
        out: dict = {}
        for k in range(nl):
            for sfx in ([""] if ndir == 1 else ["", "_reverse"]):
                layer_in = ins if k == 0 else D.mul(ndir, h_out)
                out[f"weight_ih_l{k}{sfx}"] = Shape.of(D.mul(g, hs), layer_in)
                out[f"weight_hh_l{k}{sfx}"] = Shape.of(D.mul(g, hs), h_out)
                if c["bias"]:
                    out[f"bias_ih_l{k}{sfx}"] = Shape.of(D.mul(g, hs))
                    out[f"bias_hh_l{k}{sfx}"] = Shape.of(D.mul(g, hs))
                if D.as_int(ps) != 0:
                    out[f"weight_hr_l{k}{sfx}"] = Shape.of(ps, hs)
        return out


for _m in ("RNN", "LSTM", "GRU"):
    layer_rule(*nn(_m))(type(_m, (RNNBase,), {"mode": _m}))


class CellBase(TorchLayer):
    mode = "RNN"

    def build(self, call: Call) -> Optional[dict]:
        ins, hs = call.dim(0, "input_size"), call.dim(1, "hidden_size")
        return {"input_size": ins, "hidden_size": hs, "bias": call.bool(2, "bias", True),
                "_repr": f"{D.fmt(ins)}, {D.fmt(hs)}"}

    def apply(self, layer: Layer, call: Call) -> Value:
        x = call.tensor(0, "input")
        if x is None:
            return UNKNOWN
        c, what = layer.config, describe(layer)
        s = call.shape(x)
        check_rank(what, s, (1, 2))
        if c["input_size"] is not None:
            feature_mismatch(call, what, s, -1, c["input_size"], "input_size")
        hx = call.get(1, "hx")
        states: list = []
        if call.has(1, "hx") and not (isinstance(hx, Const) and hx.value is None):
            if self.mode == "LSTM":
                if isinstance(hx, Seq) and len(hx.items) == 2:
                    states = [("h", tensor_of(hx.items[0])), ("c", tensor_of(hx.items[1]))]
            else:
                states = [("hx", tensor_of(hx))]
        for name, st in states:
            if st is None:
                continue
            ss = call.shape(st)
            if s.rank is not None and ss.rank is not None and ss.rank != s.rank:
                raise ShapeError("layer-rank", f"{what} gets a {s.rank}-D input {s} but a {ss.rank}-D state "
                                               f"{name} {ss}; both must be batched (2-D) or unbatched (1-D)")
            if c["hidden_size"] is not None:
                feature_mismatch(call, f"{what} state {name}", ss, -1, c["hidden_size"], "hidden_size")
            if s.rank == 2 and ss.rank == 2 and D.compare(ss.dims[0], s.dims[0], call.bindings) is D.FALSE:
                raise ShapeError("layer-input-mismatch", f"{what}: input {s} has batch {D.fmt(s.dims[0])} but the "
                                                         f"state {name} {ss} has batch {D.fmt(ss.dims[0])}")
        hs = c["hidden_size"]
        if hs is None:
            return UNKNOWN
        out = Tensor(s.replace_last(1, [hs]) if s.dims else Shape((hs,), True), "torch", "float")
        if self.mode == "LSTM":
            return Seq([out, out], "tuple")
        return out

    def weights(self, layer: Layer) -> Optional[dict]:
        c = layer.config
        ins, hs = c["input_size"], c["hidden_size"]
        if ins is None or hs is None or c["bias"] is None:
            return None
        g = _GATES[self.mode]
        out = {"weight_ih": Shape.of(D.mul(g, hs), ins), "weight_hh": Shape.of(D.mul(g, hs), hs)}
        if c["bias"]:
            out["bias_ih"] = Shape.of(D.mul(g, hs))
            out["bias_hh"] = Shape.of(D.mul(g, hs))
        return out


for _m in ("RNN", "LSTM", "GRU"):
    layer_rule(*nn(f"{_m}Cell"))(type(f"{_m}Cell", (CellBase,), {"mode": _m}))


# ================================================================================== attention
@layer_rule(*nn("MultiheadAttention"))
class MultiheadAttention(TorchLayer):
    def build(self, call: Call) -> Optional[dict]:
        e, h = call.dim(0, "embed_dim"), call.dim(1, "num_heads")
        kd = call.dim(6, "kdim") if not call.is_none(6, "kdim") else e
        vd = call.dim(7, "vdim") if not call.is_none(7, "vdim") else e
        ei, hi = (D.as_int(e) if e is not None else None), (D.as_int(h) if h is not None else None)
        if ei is not None and hi and ei % hi:
            return None  # torch asserts embed_dim % num_heads == 0 in the constructor
        return {"embed_dim": e, "num_heads": h, "bias": call.bool(3, "bias", True),
                "add_bias_kv": call.bool(4, "add_bias_kv", False), "add_zero_attn": call.bool(5, "add_zero_attn", False),
                "kdim": kd, "vdim": vd, "batch_first": call.bool(8, "batch_first", False),
                "_repr": f"{D.fmt(e)}, {D.fmt(h)}"}

    def child(self, layer: Layer, name: str) -> Optional[Layer]:
        if name == "out_proj":
            e = layer.config["embed_dim"]
            return sub_layer("torch.nn.Linear", e, e, bias=layer.config["bias"])
        return None

    def apply(self, layer: Layer, call: Call) -> Value:
        q, k, v = call.tensor(0, "query"), call.tensor(1, "key"), call.tensor(2, "value")
        if q is None:
            return UNKNOWN
        c, what = layer.config, describe(layer)
        return mha_forward(call, what, c, q, k, v)

    def weights(self, layer: Layer) -> Optional[dict]:
        c = layer.config
        e, kd, vd = c["embed_dim"], c["kdim"], c["vdim"]
        if e is None or kd is None or vd is None or c["bias"] is None or c["add_bias_kv"] is None:
            return None
        same = D.compare(kd, e) is D.TRUE and D.compare(vd, e) is D.TRUE
        out: dict = {}
        if same:
            out["in_proj_weight"] = Shape.of(D.mul(3, e), e)
        else:
            out["q_proj_weight"] = Shape.of(e, e)
            out["k_proj_weight"] = Shape.of(e, kd)
            out["v_proj_weight"] = Shape.of(e, vd)
        if c["bias"]:
            out["in_proj_bias"] = Shape.of(D.mul(3, e))
        out["out_proj.weight"] = Shape.of(e, e)
        if c["bias"]:
            out["out_proj.bias"] = Shape.of(e)
        if c["add_bias_kv"]:
            out["bias_k"] = Shape.of(1, 1, e)
            out["bias_v"] = Shape.of(1, 1, e)
        return out


def mha_forward(call: Call, what: str, c: dict, q: Tensor, k: Optional[Tensor], v: Optional[Tensor]) -> Value:
    qs = call.shape(q)
    ks = call.shape(k) if k is not None else None
    vs = call.shape(v) if v is not None else None
    check_rank(what, qs, (2, 3))
    e = c["embed_dim"]
    if e is not None:
        feature_mismatch(call, f"{what} (query)", qs, -1, e, "embed_dim")
    if ks is not None and c["kdim"] is not None:
        feature_mismatch(call, f"{what} (key)", ks, -1, c["kdim"], "kdim")
    if vs is not None and c["vdim"] is not None:
        feature_mismatch(call, f"{what} (value)", vs, -1, c["vdim"], "vdim")
    for name, t in (("key", ks), ("value", vs)):
        if t is not None and qs.rank is not None and t.rank is not None and t.rank != qs.rank:
            raise ShapeError("layer-rank", f"{what}: query {qs} is {qs.rank}-D but {name} {t} is {t.rank}-D; "
                                           f"query, key and value must all be batched (3-D) or unbatched (2-D)")
    bf = c["batch_first"]
    # key and value: same batch and source length
    if ks is not None and vs is not None and ks.rank is not None and vs.rank is not None and ks.rank == vs.rank:
        for i in range(ks.rank - 1):
            if D.compare(ks.dims[i], vs.dims[i], call.bindings) is D.FALSE:
                raise ShapeError("layer-input-mismatch", f"{what}: key {ks} and value {vs} differ at axis {i}; they "
                                                         f"must share batch and source length")
    # query and key: same batch
    batch = None
    if qs.rank == 3 and bf is not None:
        bax = 0 if bf else 1
        batch = qs.dims[bax]
        if ks is not None and ks.rank == 3 and D.compare(ks.dims[bax], batch, call.bindings) is D.FALSE:
            raise ShapeError("batch-mismatch", lambda: (
                f"{what}: query {qs} has batch {D.fmt(batch)} but key {ks} has batch {D.fmt(ks.dims[bax])} "
                f"(axis {bax}, batch_first={bf})"))
    attention_masks(call, what, qs, ks, bf, c["num_heads"], call.tensor(3, "key_padding_mask"),
                    call.tensor(5, "attn_mask"), "key_padding_mask", "attn_mask")
    out = Tensor(qs, "torch", "float")
    need = call.bool(4, "need_weights", True)
    avg = call.bool(6, "average_attn_weights", True)
    if need is False:
        return Seq([out, NONE], "tuple")
    if need is None or avg is None or qs.rank is None or ks is None or ks.rank != qs.rank or bf is None:
        return Seq([out, UNKNOWN], "tuple")
    if qs.rank == 2:
        L, S = qs.dims[0], ks.dims[0]
    else:
        L, S = (qs.dims[1], ks.dims[1]) if bf else (qs.dims[0], ks.dims[0])
    extra = int(c.get("add_bias_kv") is True) + int(c.get("add_zero_attn") is True)
    if c.get("add_bias_kv") is None or c.get("add_zero_attn") is None:
        return Seq([out, UNKNOWN], "tuple")
    S = D.add(S, extra)
    heads = c["num_heads"]
    if avg:
        wshape = Shape.of(L, S) if qs.rank == 2 else Shape.of(batch, L, S)
    else:
        if heads is None:
            return Seq([out, UNKNOWN], "tuple")
        wshape = Shape.of(heads, L, S) if qs.rank == 2 else Shape.of(batch, heads, L, S)
    return Seq([out, Tensor(wshape, "torch", "float")], "tuple")


def attention_masks(call: Call, what: str, qs: Shape, ks: Optional[Shape], bf: Optional[bool], heads: Optional[Dim],
                    kpm: Optional[Tensor], am: Optional[Tensor], kpm_name: str, am_name: str) -> None:
    """A key padding mask is (N, S) (unbatched (S,)); an attention mask (L, S) or (N*heads, L, S)
    (unbatched (heads, L, S)). Where a mask fits the inputs read in the other layout, say so."""
    if ks is None or qs.rank is None or ks.rank != qs.rank or bf is None or (kpm is None and am is None):
        return
    batched = qs.rank == 3
    bax, sax = (0, 1) if bf else (1, 0)
    if batched:
        n, L, S = qs.dims[bax], qs.dims[sax], ks.dims[sax]
    else:
        n, L, S = None, qs.dims[0], ks.dims[0]
    layout = "(seq, batch, feature)" if bf else "(batch, seq, feature)"
    hint = (f"; the mask fits the inputs read as {layout}: build the layer with batch_first={not bf}")
    if kpm is not None:
        ms = call.shape(kpm)
        want = Shape.of(n, S) if batched else Shape.of(S)
        if ms.rank is not None and want.same(ms, call.bindings) is D.FALSE:
            alt = batched and Shape.of(ks.dims[sax], ks.dims[bax]).same(ms, None) is D.TRUE
            raise ShapeError("layer-input-mismatch", lambda: (
                f"{what}: {kpm_name} {ms} should be {'(batch, source length)' if batched else '(source length,)'} = "
                f"{want} for key {ks} (batch_first={bf}){hint if alt else ''}"))
    if am is not None:
        ams = call.shape(am)
        if ams.rank == 2:
            want = Shape.of(L, S)
            alt = batched and Shape.of(qs.dims[bax], ks.dims[bax]).same(ams, None) is D.TRUE
        elif ams.rank == 3 and heads is not None:
            want = Shape.of(D.mul(n, heads) if batched else heads, L, S)
            alt = False
        else:
            return
        if want.same(ams, call.bindings) is D.FALSE:
            raise ShapeError("layer-input-mismatch", lambda: (
                f"{what}: {am_name} {ams} should be {want} ({'(L, S)' if ams.rank == 2 else '(N*num_heads, L, S)'}) "
                f"for query {qs} and key {ks} (batch_first={bf}){hint if alt else ''}"))


# ================================================================================== transformers
class TransformerLayerBase(TorchLayer):
    decoder = False

    def build(self, call: Call) -> Optional[dict]:
        d, h = call.dim(0, "d_model"), call.dim(1, "nhead")
        ff = call.dim(2, "dim_feedforward", 2048)
        di, hi = (D.as_int(d) if d is not None else None), (D.as_int(h) if h is not None else None)
        if di is not None and hi and di % hi:
            return None
        return {"d_model": d, "nhead": h, "dim_feedforward": ff, "batch_first": call.bool(6, "batch_first", False),
                "norm_first": call.bool(7, "norm_first", False), "bias": call.bool(8, "bias", True),
                "_repr": f"{D.fmt(d)}, {D.fmt(h)}"}

    def apply(self, layer: Layer, call: Call) -> Value:
        src = call.tensor(0, "tgt" if self.decoder else "src")
        if src is None:
            return UNKNOWN
        c, what = layer.config, describe(layer)
        s = call.shape(src)
        check_rank(what, s, (2, 3))
        if c["d_model"] is not None:
            feature_mismatch(call, what, s, -1, c["d_model"], "d_model")
        bf, h = c["batch_first"], c["nhead"]
        if self.decoder:
            mem = call.tensor(1, "memory")
            attention_masks(call, what, s, s, bf, h, call.tensor(4, "tgt_key_padding_mask"),
                            call.tensor(2, "tgt_mask"), "tgt_key_padding_mask", "tgt_mask")
            if mem is not None:
                ms = call.shape(mem)
                check_rank(f"{what} (memory)", ms, (2, 3))
                if c["d_model"] is not None:
                    feature_mismatch(call, f"{what} (memory)", ms, -1, c["d_model"], "d_model")
                _same_batch(call, what, s, ms, bf, "tgt", "memory")
                attention_masks(call, what, s, ms, bf, h, call.tensor(5, "memory_key_padding_mask"),
                                call.tensor(3, "memory_mask"), "memory_key_padding_mask", "memory_mask")
        else:
            attention_masks(call, what, s, s, bf, h, call.tensor(2, "src_key_padding_mask"),
                            call.tensor(1, "src_mask"), "src_key_padding_mask", "src_mask")
        return Tensor(s, "torch", "float")

    def weights(self, layer: Layer) -> Optional[dict]:
        c = layer.config
        d, ff, b = c["d_model"], c["dim_feedforward"], c["bias"]
        if d is None or ff is None or b is None:
            return None
        attn = sub_layer("torch.nn.MultiheadAttention", d, c["nhead"] or 1, bias=b)
        parts = [weights_of(attn, "self_attn.")]
        if self.decoder:
            parts.append(weights_of(attn, "multihead_attn."))
        parts.append(weights_of(sub_layer("torch.nn.Linear", d, ff, bias=b), "linear1."))
        parts.append(weights_of(sub_layer("torch.nn.Linear", ff, d, bias=b), "linear2."))
        for i in range(1, 4 if self.decoder else 3):
            parts.append(weights_of(sub_layer("torch.nn.LayerNorm", d, bias=b), f"norm{i}."))
        return merged(parts)

    def child(self, layer: Layer, name: str) -> Optional[Layer]:
        c = layer.config
        d, ff, b = c["d_model"], c["dim_feedforward"], c["bias"]
        if name == "self_attn" or (name == "multihead_attn" and self.decoder):
            return sub_layer("torch.nn.MultiheadAttention", d, c["nhead"], bias=b, batch_first=c["batch_first"])
        if name == "linear1":
            return sub_layer("torch.nn.Linear", d, ff, bias=b)
        if name == "linear2":
            return sub_layer("torch.nn.Linear", ff, d, bias=b)
        if name in ("norm1", "norm2") or (name == "norm3" and self.decoder):
            return sub_layer("torch.nn.LayerNorm", d, bias=b)
        return None


def _same_batch(call: Call, what: str, a: Shape, b: Shape, bf: Optional[bool], na: str, nb: str) -> None:
    if a.rank == 3 and b.rank == 3 and bf is not None:
        ax = 0 if bf else 1
        if D.compare(a.dims[ax], b.dims[ax], call.bindings) is D.FALSE:
            raise ShapeError("batch-mismatch", f"{what}: {na} {a} has batch {D.fmt(a.dims[ax])} but {nb} {b} has "
                                               f"batch {D.fmt(b.dims[ax])} (axis {ax}, batch_first={bf})")
    elif a.rank is not None and b.rank is not None and a.rank != b.rank:
        raise ShapeError("layer-rank", f"{what}: {na} {a} is {a.rank}-D but {nb} {b} is {b.rank}-D; both must be "
                                       f"batched (3-D) or unbatched (2-D)")


layer_rule(*nn("TransformerEncoderLayer"))(type("TransformerEncoderLayer", (TransformerLayerBase,), {}))
layer_rule(*nn("TransformerDecoderLayer"))(type("TransformerDecoderLayer", (TransformerLayerBase,), {"decoder": True}))


class TransformerStackBase(TorchLayer):
    decoder = False

    def build(self, call: Call) -> Optional[dict]:
        sub = call.get(0, "decoder_layer" if self.decoder else "encoder_layer")
        n = call.int(1, "num_layers")
        norm = call.get(2, "norm", None)
        return {"layer": sub if isinstance(sub, Layer) else None, "num_layers": n,
                "norm": norm if isinstance(norm, Layer) else (NONE if isinstance(norm, Const) and norm.value is None
                                                             else None)}

    def apply(self, layer: Layer, call: Call) -> Value:
        sub = layer.config["layer"]
        if sub is None:
            return UNKNOWN
        rule = lookup_layer(sub.kind)
        if rule is None:
            return UNKNOWN
        if "mask" in call.kwargs:  # TransformerEncoder.forward(src, mask, ...) -> the layer's src_mask
            kw = dict(call.kwargs)
            kw["src_mask"] = kw.pop("mask")
            call = call.with_args(call.args, kw)
        out = rule.apply(sub, call)
        norm = layer.config["norm"]
        if isinstance(norm, Layer) and isinstance(out, Tensor):
            nrule = lookup_layer(norm.kind)
            if nrule is not None:
                out = nrule.apply(norm, call.with_args([out], {}))
        return out

    def weights(self, layer: Layer) -> Optional[dict]:
        sub, n, norm = layer.config["layer"], layer.config["num_layers"], layer.config["norm"]
        if sub is None or n is None or norm is None:
            return None
        w = weights_of(sub)
        if w is None:
            return None
        return merged([{f"layers.{i}.{k}": v for i in range(n) for k, v in w.items()}, weights_of(norm, "norm.")])


layer_rule(*nn("TransformerEncoder"))(type("TransformerEncoder", (TransformerStackBase,), {}))
layer_rule(*nn("TransformerDecoder"))(type("TransformerDecoder", (TransformerStackBase,), {"decoder": True}))


@layer_rule(*nn("Transformer"))
class Transformer(TorchLayer):
    def build(self, call: Call) -> Optional[dict]:
        if not call.is_none(7, "custom_encoder") or not call.is_none(8, "custom_decoder"):
            return {"d_model": None, "batch_first": None, "ok": False}
        d, h = call.dim(0, "d_model", 512), call.dim(1, "nhead", 8)
        di, hi = (D.as_int(d) if d is not None else None), (D.as_int(h) if h is not None else None)
        if di is not None and hi and di % hi:
            return None
        return {"d_model": d, "nhead": h, "num_encoder_layers": call.int(2, "num_encoder_layers", 6),
                "num_decoder_layers": call.int(3, "num_decoder_layers", 6),
                "dim_feedforward": call.dim(4, "dim_feedforward", 2048), "batch_first": call.bool(10, "batch_first", False),
                "bias": call.bool(12, "bias", True), "ok": True, "_repr": f"{D.fmt(d)}, {D.fmt(h)}"}

    def apply(self, layer: Layer, call: Call) -> Value:
        src, tgt = call.tensor(0, "src"), call.tensor(1, "tgt")
        if tgt is None:
            return UNKNOWN
        c, what = layer.config, describe(layer)
        ts = call.shape(tgt)
        check_rank(what, ts, (2, 3))
        if src is not None:
            ss = call.shape(src)
            check_rank(what, ss, (2, 3))
            _same_batch(call, what, ss, ts, c["batch_first"], "src", "tgt")
            if c["d_model"] is not None:
                feature_mismatch(call, f"{what} (src)", ss, -1, c["d_model"], "d_model")
        if c["d_model"] is not None:
            feature_mismatch(call, f"{what} (tgt)", ts, -1, c["d_model"], "d_model")
        bf, h = c["batch_first"], c.get("nhead")
        if src is not None:
            ss = call.shape(src)
            attention_masks(call, what, ss, ss, bf, h, call.tensor(5, "src_key_padding_mask"),
                            call.tensor(2, "src_mask"), "src_key_padding_mask", "src_mask")
            attention_masks(call, what, ts, ss, bf, h, call.tensor(7, "memory_key_padding_mask"),
                            call.tensor(4, "memory_mask"), "memory_key_padding_mask", "memory_mask")
        attention_masks(call, what, ts, ts, bf, h, call.tensor(6, "tgt_key_padding_mask"),
                        call.tensor(3, "tgt_mask"), "tgt_key_padding_mask", "tgt_mask")
        return Tensor(ts, "torch", "float")

    def weights(self, layer: Layer) -> Optional[dict]:
        c = layer.config
        if not c.get("ok") or None in (c["d_model"], c["dim_feedforward"], c["bias"], c["num_encoder_layers"],
                                        c["num_decoder_layers"]):
            return None
        d, ff, b = c["d_model"], c["dim_feedforward"], c["bias"]
        enc = sub_layer("torch.nn.TransformerEncoderLayer", d, c["nhead"], ff, bias=b)
        dec = sub_layer("torch.nn.TransformerDecoderLayer", d, c["nhead"], ff, bias=b)
        norm = sub_layer("torch.nn.LayerNorm", d, bias=b)
        ew, dw = weights_of(enc), weights_of(dec)
        if ew is None or dw is None:
            return None
        return merged([{f"encoder.layers.{i}.{k}": v for i in range(c["num_encoder_layers"]) for k, v in ew.items()},
                       weights_of(norm, "encoder.norm."),
                       {f"decoder.layers.{i}.{k}": v for i in range(c["num_decoder_layers"]) for k, v in dw.items()},
                       weights_of(norm, "decoder.norm.")])


# ================================================================================== reshaping layers
def flatten_shape(call: Call, what: str, s: Shape, start: int, end: int) -> Shape:
    """``s`` with axes ``start..end`` joined; the joined size remembers its derivation."""
    if s.rank is None:
        # Only negative bounds inside the known trailing dims can be followed.
        if start < 0 and end < 0 and -start <= len(s.dims) and start <= end:
            n = len(s.dims)
            return _flatten_known(Shape(s.dims, False, s.why), n + start, n + end, variadic=True)
        return Shape.unknown()
    r = s.rank
    if r == 0:
        for a in (start, end):
            if a not in (0, -1):
                axis_of(call, a, 1, what)
        return Shape.of(1)
    a = axis_of(call, start, r, what)
    b = axis_of(call, end, r, what)
    if a > b:
        raise ShapeError("axis-out-of-range", f"{what}: start_dim {start} comes after end_dim {end} for a {r}-D "
                                              f"input {s}")
    return _flatten_known(s, a, b)


def _flatten_known(s: Shape, a: int, b: int, variadic: bool = False) -> Shape:
    dims = s.dims
    if a == b:
        return Shape(dims, variadic, s.why)
    joined = dims[a:b + 1]
    size = D.mul(*joined)
    parts = []
    for i in range(a, b + 1):
        w = s.why_of(i)
        parts.append(w if w and "*" not in w else (f"({w})" if w else D.fmt(dims[i])))
    why = "*".join(parts)
    old = s.why or (None,) * len(dims)
    return Shape(dims[:a] + (size,) + dims[b + 1:], variadic, tuple(old[:a]) + (why,) + tuple(old[b + 1:]))


@layer_rule(*nn("Flatten"))
class Flatten(TorchLayer):
    def build(self, call: Call) -> Optional[dict]:
        return {"start_dim": call.int(0, "start_dim", 1), "end_dim": call.int(1, "end_dim", -1)}

    def apply(self, layer: Layer, call: Call) -> Value:
        x = call.tensor(0, "input")
        a, b = layer.config["start_dim"], layer.config["end_dim"]
        if x is None:
            return UNKNOWN
        if a is None or b is None:
            return Tensor(Shape.unknown(), "torch", x.dtype)
        return Tensor(flatten_shape(call, "nn.Flatten", call.shape(x), a, b), x.fw, x.dtype)


@layer_rule(*nn("Unflatten"))
class Unflatten(TorchLayer):
    def build(self, call: Call) -> Optional[dict]:
        sizes = call.dims(1, "unflattened_size")
        return {"dim": call.int(0, "dim"), "unflattened_size": None if sizes is None or any(
            x is None for x in sizes) else tuple(sizes)}

    def apply(self, layer: Layer, call: Call) -> Value:
        x = call.tensor(0, "input")
        if x is None:
            return UNKNOWN
        return Tensor(unflatten_shape(call, "nn.Unflatten", call.shape(x), layer.config["dim"],
                                      layer.config["unflattened_size"]), x.fw, x.dtype)


def unflatten_shape(call: Call, what: str, s: Shape, dim: Optional[int], sizes: Optional[tuple]) -> Shape:
    if dim is None or sizes is None:
        return Shape.unknown()
    if s.rank is None and dim >= 0:
        return Shape.unknown()
    if s.rank is not None:
        ax = axis_of(call, dim, s.rank, what)
        neg = ax - s.rank
    else:
        neg = dim
        if -neg > len(s.dims):
            return Shape.unknown()
    have = s.dims[neg]
    minus = [i for i, d in enumerate(sizes) if D.as_int(d) == -1]
    if len(minus) > 1:
        raise ShapeError("reshape-size", f"{what}: unflattened_size {fmt_tuple(sizes)} has more than one -1")
    if minus:
        rest = D.mul(*[d for i, d in enumerate(sizes) if i != minus[0]])
        ri, hi = D.as_int(rest), D.as_int(have)
        if ri is not None and hi is not None and (ri == 0 or hi % ri):
            raise ShapeError("reshape-size", f"{what}: size {hi} at axis {dim} of {s} cannot be split into "
                                             f"{fmt_tuple(sizes)}")
        new = list(sizes)
        new[minus[0]] = D.floordiv(have, rest)
    else:
        prod = D.mul(*sizes)
        if D.compare(prod, have, call.bindings) is D.FALSE:
            raise ShapeError("reshape-size", lambda: (
                f"{what}: unflattened_size {fmt_tuple(sizes)} holds {D.fmt(prod)} elements but axis {dim} of {s} has "
                f"{D.fmt(have)}{mismatch_note(prod, have)}"))
        new = list(sizes)
    dims = s.dims
    i = len(dims) + neg
    return Shape(dims[:i] + tuple(D.norm(d) for d in new) + dims[i + 1:], s.variadic)


class UpsampleBase(TorchLayer):
    fixed_mode: Optional[str] = None

    def build(self, call: Call) -> Optional[dict]:
        size = call.get(0, "size", None)
        sf = call.get(1, "scale_factor", None)
        mode = self.fixed_mode or call.str(2, "mode", "nearest")
        return {"size": size, "scale_factor": sf, "mode": mode}

    def apply(self, layer: Layer, call: Call) -> Value:
        x = call.tensor(0, "input")
        if x is None:
            return UNKNOWN
        c = layer.config
        return interpolate_forward(call, describe(layer), call.shape(x), c["size"], c["scale_factor"], c["mode"],
                                   four_d=self.fixed_mode is not None)


def interpolate_forward(call: Call, what: str, s: Shape, size: Value, sf: Value, mode: Optional[str],
                        four_d: bool = False) -> Value:
    need = {"linear": (3,), "bilinear": (4,), "bicubic": (4,), "trilinear": (5,)}.get(mode or "", (3, 4, 5))
    if four_d:
        need = (4,)
    if mode is not None:
        check_rank(f"{what} (mode={mode!r})", s, need)
    if s.rank is None:
        return Tensor(Shape.unknown(), "torch", "float")
    n = s.rank - 2
    if n < 1:
        return Tensor(Shape.unknown(), "torch", "float")
    size_none = isinstance(size, Const) and size.value is None
    sf_none = isinstance(sf, Const) and sf.value is None
    if size_none == sf_none:
        return Tensor(Shape.unknown(), "torch", "float")
    if not size_none:
        if isinstance(size, Seq):
            ds = as_dims(size)
            if ds is None or len(ds) != n or any(d is None for d in ds):
                return Tensor(Shape.unknown(), "torch", "float")
            outs = ds
        elif isinstance(size, Param):  # an unannotated parameter may be an int or a tuple: sizes unknown
            return Tensor(Shape(s.dims[:2] + tuple(D.flexible("n") for _ in range(n))), "torch", "float")
        else:
            d = as_dim(size)
            if d is None:
                return Tensor(Shape.unknown(), "torch", "float")
            outs = [d] * n
    else:
        if isinstance(sf, Seq):
            fs = [const_of(v) for v in sf.items]
            if len(fs) != n:
                return Tensor(Shape.unknown(), "torch", "float")
        else:
            fs = [const_of(sf)] * n
        outs = [scaled(L, f) for L, f in zip(s.dims[2:], fs)]
        for i, o in enumerate(outs):
            if o is not None:
                require_nonempty_spatial(o, op=what, shape=s, axis=2 + i, size=s.dims[2 + i],
                                         why=f"scaled by scale_factor {fs[i]} rounds down to nothing",
                                         advice="use a larger scale_factor or give size=")
        if any(o is None for o in outs):
            return Tensor(Shape(s.dims[:2] + tuple(D.flexible("n") if o is None else o for o in outs)), "torch",
                          "float")
    return Tensor(Shape(s.dims[:2] + tuple(D.norm(o) for o in outs)), "torch", "float")


layer_rule(*nn("Upsample"))(type("Upsample", (UpsampleBase,), {}))
layer_rule(*nn("UpsamplingNearest2d"))(type("UpsamplingNearest2d", (UpsampleBase,), {"fixed_mode": "nearest"}))
layer_rule(*nn("UpsamplingBilinear2d"))(type("UpsamplingBilinear2d", (UpsampleBase,), {"fixed_mode": "bilinear"}))


class SoftmaxBase(TorchLayer):
    def build(self, call: Call) -> Optional[dict]:
        v = call.get(0, "dim", None)
        return {"dim": None if isinstance(v, Const) and v.value is None else call.int(0, "dim"),
                "implicit": isinstance(v, Const) and v.value is None}

    def apply(self, layer: Layer, call: Call) -> Value:
        x = call.tensor(0, "input")
        if x is None:
            return UNKNOWN
        s = call.shape(x)
        dim = layer.config["dim"]
        if dim is not None and s.rank is not None:
            axis_of(call, dim, max(s.rank, 1), f"{describe(layer)}(dim={dim}) on {s}")
        return Tensor(s, x.fw, "float")


for _name in ("Softmax", "LogSoftmax", "Softmin"):
    layer_rule(*nn(_name))(type(_name, (SoftmaxBase,), {}))


@layer_rule(*nn("Softmax2d"))
class Softmax2d(TorchLayer):
    def apply(self, layer: Layer, call: Call) -> Value:
        x = call.tensor(0, "input")
        if x is None:
            return UNKNOWN
        s = call.shape(x)
        check_rank("nn.Softmax2d", s, (3, 4))
        return Tensor(s, x.fw, "float")


@layer_rule(*nn("GLU"))
class GLU(TorchLayer):
    def build(self, call: Call) -> Optional[dict]:
        return {"dim": call.int(0, "dim", -1)}

    def apply(self, layer: Layer, call: Call) -> Value:
        x = call.tensor(0, "input")
        if x is None:
            return UNKNOWN
        return glu_forward(call, "nn.GLU", call.shape(x), layer.config["dim"])


def glu_forward(call: Call, what: str, s: Shape, dim: Optional[int]) -> Value:
    if dim is None:
        return Tensor(Shape.unknown(), "torch", "float")
    if s.rank is not None:
        if s.rank == 0:
            raise ShapeError("layer-rank", f"{what} does not take a 0-D input")
        ax = axis_of(call, dim, s.rank, f"{what}(dim={dim}) on {s}")
    elif dim < 0 and -dim <= len(s.dims):
        ax = len(s.dims) + dim
    else:
        return Tensor(Shape.unknown(), "torch", "float")
    have = s.dims[ax]
    hi = D.as_int(have)
    if hi is not None and hi % 2:
        raise ShapeError("layer-input-mismatch", f"{what} halves axis {dim} of {s}, but its size {hi} is odd")
    dims = list(s.dims)
    dims[ax] = D.floordiv(have, 2)
    return Tensor(Shape(tuple(dims), s.variadic), "torch", "float")


@layer_rule(*nn("PReLU"))
class PReLU(TorchLayer):
    def build(self, call: Call) -> Optional[dict]:
        return {"num_parameters": call.dim(0, "num_parameters", 1)}

    def apply(self, layer: Layer, call: Call) -> Value:
        x = call.tensor(0, "input")
        if x is None:
            return UNKNOWN
        s = call.shape(x)
        n = layer.config["num_parameters"]
        if n is not None and D.as_int(n) != 1 and s.rank is not None:
            if s.rank >= 2:
                feature_mismatch(call, "nn.PReLU", s, 1, n, "num_parameters")
            elif D.as_int(n) is not None:  # torch counts one channel for a 0-D/1-D input
                raise ShapeError("layer-input-mismatch", f"nn.PReLU({D.fmt(n)}) has {D.fmt(n)} parameters but a "
                                                         f"{s.rank}-D input {s} has a single channel")
        return Tensor(s, x.fw, "float")

    def weights(self, layer: Layer) -> Optional[dict]:
        n = layer.config["num_parameters"]
        return None if n is None else {"weight": Shape.of(n)}


class PixelShuffleBase(TorchLayer):
    inverse = False

    def build(self, call: Call) -> Optional[dict]:
        return {"factor": call.dim(0, "downscale_factor" if self.inverse else "upscale_factor")}

    def apply(self, layer: Layer, call: Call) -> Value:
        x = call.tensor(0, "input")
        if x is None:
            return UNKNOWN
        return pixel_shuffle_forward(call, describe(layer), call.shape(x), layer.config["factor"], self.inverse)


def pixel_shuffle_forward(call: Call, what: str, s: Shape, r: Optional[Dim], inverse: bool) -> Value:
    check_min_rank(what, s, 3)
    if r is None or len(s.dims) < 3 or (D.as_int(r) is not None and D.as_int(r) < 1):
        return Tensor(Shape.unknown(), "torch", "float")
    c, h, w = s.dims[-3:]
    r2 = D.mul(r, r)
    if not inverse:
        ci, ri = D.as_int(c), D.as_int(r2)
        if ci is not None and ri is not None and ci % ri:
            raise ShapeError("layer-input-mismatch", f"{what} needs the channel axis -3 of {s} to be divisible by "
                                                     f"upscale_factor**2 = {ri}, got {ci}")
        new = (D.floordiv(c, r2), D.mul(h, r), D.mul(w, r))
    else:
        for name, d in (("height", h), ("width", w)):
            di, ri = D.as_int(d), D.as_int(r)
            if di is not None and ri is not None and di % ri:
                raise ShapeError("layer-input-mismatch", f"{what} needs the {name} of {s} to be divisible by "
                                                         f"downscale_factor = {ri}, got {di}")
        new = (D.mul(c, r2), D.floordiv(h, r), D.floordiv(w, r))
    return Tensor(tail_replace(s, 3, new), "torch", "float")


layer_rule(*nn("PixelShuffle"))(type("PixelShuffle", (PixelShuffleBase,), {}))
layer_rule(*nn("PixelUnshuffle"))(type("PixelUnshuffle", (PixelShuffleBase,), {"inverse": True}))


# ---------------------------------------------------------------------------------- Unfold / Fold
def _blocks(call: Call, what: str, spatial: Sequence[Optional[Dim]], k: tuple, d: tuple, p: tuple, st: tuple,
            s: Shape) -> Optional[Dim]:
    """The number of sliding blocks (product of the per-axis conv output sizes), or None."""
    total: Dim = 1
    for i, L in enumerate(spatial):
        if L is None:
            return None
        o = conv_out(L, k[i], st[i], p[i], d[i])
        require_nonempty_spatial(o, op=what, shape=s, axis=i - len(spatial), size=L, bindings=call.bindings,
                                 why=kernel_why(k[i], d[i], p[i]), advice="there are no blocks to extract")
        total = D.mul(total, o)
    return total


def unfold_shape(call: Call, what: str, s: Shape, k: Optional[tuple], d: Optional[tuple], p: Optional[tuple],
                 st: Optional[tuple]) -> Tensor:
    """(N, C, H, W) -> (N, C*kh*kw, L); a 3-D input is (C, H, W)."""
    check_rank(what, s, (3, 4))
    if k is None or d is None or p is None or st is None or len(s.dims) < 3:
        return Tensor(Shape.unknown(), "torch", "float")
    c = s.dims[-3]
    n = _blocks(call, what, s.dims[-2:], k, d, p, st, s)
    return Tensor(tail_replace(s, 3, [D.mul(c, *k), n if n is not None else D.flexible("L")]), "torch", "float")


def fold_shape(call: Call, what: str, s: Shape, out: Optional[tuple], k: Optional[tuple], d: Optional[tuple],
               p: Optional[tuple], st: Optional[tuple]) -> Tensor:
    """(N, C*kh*kw, L) -> (N, C, *output_size); a 2-D input is (C*kh*kw, L)."""
    check_rank(what, s, (2, 3))
    if out is None or k is None or d is None or p is None or st is None or len(s.dims) < 2:
        return Tensor(Shape.unknown(), "torch", "float")
    ck, nblocks = s.dims[-2], s.dims[-1]
    kk = D.mul(*k)
    ci, ki = D.as_int(ck), D.as_int(kk)
    if ci is not None and ki and ci % ki:
        raise ShapeError("layer-input-mismatch", f"{what}: axis -2 of {s} ({ci}) must be divisible by the kernel's "
                                                 f"{ki} positions")
    want = _blocks(call, what, out, k, d, p, st, s)
    if want is not None and D.compare(nblocks, want, call.bindings) is D.FALSE:
        raise ShapeError("layer-input-mismatch", f"{what}: output_size {fmt_tuple(out)} with kernel {fmt_tuple(k)} "
                                                 f"holds {D.fmt(want)} blocks but axis -1 of {s} has {D.fmt(nblocks)}")
    return Tensor(tail_replace(s, 2, [D.floordiv(ck, kk), *out]), "torch", "float")


class UnfoldBase(TorchLayer):
    fold = False

    def build(self, call: Call) -> Optional[dict]:
        off = 1 if self.fold else 0
        return {"output_size": arg_tuple(call, 0, "output_size", 2, None) if self.fold else None,
                "kernel_size": arg_tuple(call, off, "kernel_size", 2, None),
                "dilation": arg_tuple(call, off + 1, "dilation", 2, 1), "padding": arg_tuple(call, off + 2, "padding", 2, 0),
                "stride": arg_tuple(call, off + 3, "stride", 2, 1)}

    def apply(self, layer: Layer, call: Call) -> Value:
        x = call.tensor(0, "input")
        if x is None:
            return UNKNOWN
        c = layer.config
        if self.fold:
            return fold_shape(call, "nn.Fold", call.shape(x), c["output_size"], c["kernel_size"], c["dilation"],
                              c["padding"], c["stride"])
        return unfold_shape(call, "nn.Unfold", call.shape(x), c["kernel_size"], c["dilation"], c["padding"],
                            c["stride"])


layer_rule(*nn("Unfold"))(type("Unfold", (UnfoldBase,), {}))
layer_rule(*nn("Fold"))(type("Fold", (UnfoldBase,), {"fold": True}))


# ---------------------------------------------------------------------------------- padding layers
class PadBase(TorchLayer):
    N = 2
    constant = True  # constant/zero padding takes any rank >= N; the others (N+1)-D or (N+2)-D
    reflect = False  # reflection padding must be smaller than the axis it reflects (SHP405)

    def build(self, call: Call) -> Optional[dict]:
        v = call.get(0, "padding")
        if isinstance(v, Seq):
            ds = as_dims(v)
            pads = tuple(ds) if ds is not None and len(ds) == 2 * self.N and None not in ds else None
        else:
            d = as_dim(v)
            pads = (d,) * (2 * self.N) if d is not None else None
        return {"padding": pads, "_repr": fmt_tuple(pads)}

    def apply(self, layer: Layer, call: Call) -> Value:
        x = call.tensor(0, "input")
        if x is None:
            return UNKNOWN
        s = call.shape(x)
        what = describe(layer)
        if self.constant:
            check_min_rank(what, s, self.N)
        else:
            check_rank(what, s, (self.N + 1, self.N + 2))
        pads = layer.config["padding"]
        if pads is None:
            return Tensor(Shape.unknown(), x.fw, x.dtype)
        if self.reflect:
            require_reflect_pads(what, s, pads)
        out = pad_shape(s, pads)
        return Tensor(out, x.fw, x.dtype) if out is not None else Tensor(Shape.unknown(), x.fw, x.dtype)


def require_reflect_pads(what: str, s: Shape, pads: Sequence[Dim]) -> None:
    """SHP405 for reflection padding ``(left, right)`` pairs from the last axis backwards."""
    for i in range(len(pads) // 2):
        require_reflect_padding(what, s, -1 - i, pads[2 * i], pads[2 * i + 1])


def pad_shape(s: Shape, pads: Sequence[Dim]) -> Optional[Shape]:
    """F.pad: pairs (left, right) from the last axis backwards."""
    k = len(pads) // 2
    if len(s.dims) < k:
        return None
    dims = list(s.dims)
    for i in range(k):
        ax = len(dims) - 1 - i
        new = D.add(D.add(dims[ax], pads[2 * i]), pads[2 * i + 1])
        ni = D.as_int(new)
        if ni is not None and ni < 0:
            return None
        dims[ax] = new
    return Shape(tuple(dims), s.variadic)


for _n in (1, 2, 3):
    for _pre, _const in (("Zero", True), ("Constant", True), ("Reflection", False), ("Replication", False),
                         ("Circular", False)):
        _name = f"{_pre}Pad{_n}d"
        layer_rule(*nn(_name))(type(_name, (PadBase,), {"N": _n, "constant": _const, "reflect": _pre == "Reflection"}))


@layer_rule(*nn("CosineSimilarity"))
class CosineSimilarity(TorchLayer):
    def build(self, call: Call) -> Optional[dict]:
        return {"dim": call.int(0, "dim", 1)}

    def apply(self, layer: Layer, call: Call) -> Value:
        a, b = call.tensor(0, "x1"), call.tensor(1, "x2")
        if a is None or b is None:
            return UNKNOWN
        return cosine_similarity_shape(call, "nn.CosineSimilarity", call.shape(a), call.shape(b), layer.config["dim"])


def cosine_similarity_shape(call: Call, what: str, a: Shape, b: Shape, dim: Optional[int]) -> Value:
    out = broadcast_shapes(call, [a, b], what=what)
    if dim is None or out.rank is None:
        return Tensor(Shape.unknown(), "torch", "float")
    ax = axis_of(call, dim, max(out.rank, 1), f"{what}(dim={dim}) on {out}")
    if out.rank == 0:
        return Tensor(Shape(()), "torch", "float")
    return Tensor(Shape(out.dims[:ax] + out.dims[ax + 1:]), "torch", "float")


@layer_rule(*nn("PairwiseDistance"))
class PairwiseDistance(TorchLayer):
    def build(self, call: Call) -> Optional[dict]:
        return {"keepdim": call.bool(2, "keepdim", False)}

    def apply(self, layer: Layer, call: Call) -> Value:
        a, b = call.tensor(0, "x1"), call.tensor(1, "x2")
        if a is None or b is None:
            return UNKNOWN
        return pairwise_distance_shape(call, "nn.PairwiseDistance", call.shape(a), call.shape(b),
                                       layer.config["keepdim"])


def pairwise_distance_shape(call: Call, what: str, a: Shape, b: Shape, keepdim: Optional[bool]) -> Value:
    out = broadcast_shapes(call, [a, b], what=what)
    if keepdim is None or out.rank is None:
        return Tensor(Shape.unknown(), "torch", "float")
    if out.rank == 0:
        return Tensor(Shape(()), "torch", "float")
    # torch.pairwise_distance reduces the last axis; 1-D inputs give a 0-D result.
    if keepdim:
        return Tensor(Shape(out.dims[:-1] + (1,)), "torch", "float")
    return Tensor(Shape(out.dims[:-1]), "torch", "float")


# ================================================================================== losses
ELEMENTWISE_LOSSES = {
    "MSELoss": "mse_loss", "L1Loss": "l1_loss", "SmoothL1Loss": "smooth_l1_loss", "HuberLoss": "huber_loss",
    "BCELoss": "binary_cross_entropy", "BCEWithLogitsLoss": "binary_cross_entropy_with_logits",
    "KLDivLoss": "kl_div", "SoftMarginLoss": "soft_margin_loss", "PoissonNLLLoss": "poisson_nll_loss",
}
# These raise (ValueError) on any size difference instead of broadcasting.
STRICT_LOSSES = {"binary_cross_entropy", "binary_cross_entropy_with_logits"}


def shapes_differ(a: Shape, b: Shape) -> bool:
    """Provably different shapes (without binding anything)."""
    if a.rank is not None and b.rank is not None and a.rank != b.rank:
        return True
    return a.same(b, None) is D.FALSE


def elementwise_loss(call: Call, name: str, inp: Optional[Tensor], tgt: Optional[Tensor],
                     reduction: Optional[str]) -> Value:
    """An elementwise loss: SHP501 where input and target do not broadcast, SHP503 where they differ
    but broadcast (torch warns, or for BCE raises, and the mean runs over the wrong pairs)."""
    if inp is None or tgt is None:
        return UNKNOWN if reduction == "none" or reduction is None else Tensor(Shape(()), "torch", "float")
    a, b = call.shape(inp), call.shape(tgt)
    out = broadcast_shapes(call, [a, b], what=f"{name} of input and target")
    if shapes_differ(a, b):
        if name in STRICT_LOSSES:
            tail = f"; {name} requires equal sizes and raises ValueError"
        else:
            tail = f", so the loss is computed over a broadcast {out} (torch only warns)"
        raise ShapeError("loss-broadcast", lambda: (
            f"{name} gets input {a} and target {b} of different shapes{tail}"),
            Fix("make input and target the same shape (e.g. pred.squeeze(-1) or target.view_as(pred))"))
    if reduction == "none":
        return Tensor(out, "torch", "float")
    if reduction in ("mean", "sum", "batchmean"):
        return Tensor(Shape(()), "torch", "float")
    return UNKNOWN


def class_loss(call: Call, name: str, inp: Optional[Tensor], tgt: Optional[Tensor], reduction: Optional[str],
               probabilities: bool) -> Value:
    """cross_entropy / nll_loss: input (C,), (N, C) or (N, C, d1, ...); target class indices of the
    input's shape without the class axis, or (cross_entropy) probabilities of the input's shape."""
    scalar = Tensor(Shape(()), "torch", "float")
    if inp is None or tgt is None:
        return scalar if reduction in ("mean", "sum") else UNKNOWN
    a, b = call.shape(inp), call.shape(tgt)
    if a.rank == 0:
        raise ShapeError("layer-rank", f"{name} expects an input of at least 1-D (C,) or (N, C, ...), got 0-D")
    if a.rank is None or b.rank is None:
        return scalar if reduction in ("mean", "sum") else UNKNOWN
    want = Shape(()) if a.rank == 1 else Shape((a.dims[0],) + a.dims[2:])
    is_index = b.rank == want.rank and want.same(b, None) is not D.FALSE
    if a.rank == 1 and b.rank == 1 and D.as_int(b.dims[0]) != 1 and not (probabilities and a.same(b, None)
                                                                          is not D.FALSE):
        if D.as_int(b.dims[0]) is not None:
            raise ShapeError("batch-mismatch", f"{name}: for a 1-D input {a} (one sample) the target must be () or "
                                               f"(1,), got {b}")
    if a.rank == 1 and b.rank == 1 and D.as_int(b.dims[0]) == 1:
        is_index = True  # torch accepts a (1,) target for a single sample
    is_prob = probabilities and b.rank == a.rank and a.same(b, None) is not D.FALSE
    if not is_index and not is_prob:
        if b.rank == want.rank and a.rank >= 2 and D.compare(b.dims[0], a.dims[0], None, unify=False) is D.FALSE:
            raise ShapeError("batch-mismatch", lambda: (
                f"{name}: input {a} has batch {D.fmt(a.dims[0])} but target {b} has batch {D.fmt(b.dims[0])}"
                f"{mismatch_note(a.dims[0], b.dims[0])}"))
        also = f" or class probabilities of the input's shape {a}" if probabilities else ""
        hint = ""
        if b.rank == a.rank and a.rank >= 2 and D.as_int(b.dims[-1]) == 1:
            hint = "; squeeze the target's last axis (target.squeeze(-1))"
        raise ShapeError("batch-mismatch", lambda: (
            f"{name}: target {b} does not fit input {a}: expected class indices of shape {want}{also}{hint}"))
    if is_index:
        for x, y in zip(want.dims, b.dims):
            D.compare(x, y, call.bindings)
    if reduction == "none":
        return Tensor(want if a.rank == 1 or not is_index else b, "torch", "float")
    if reduction in ("mean", "sum"):
        return scalar
    return UNKNOWN


class LossBase(TorchLayer):
    fname = "mse_loss"

    def build(self, call: Call) -> Optional[dict]:
        red = call.get(None, "reduction", "mean")
        legacy = any(k in call.kwargs for k in ("size_average", "reduce"))
        return {"reduction": None if legacy else (red.value if isinstance(red, Const) else None)}

    def apply(self, layer: Layer, call: Call) -> Value:
        inp, tgt = call.tensor(0, "input"), call.tensor(1, "target")
        red = layer.config["reduction"]
        if self.fname in ("cross_entropy", "nll_loss"):
            return class_loss(call, self.fname, inp, tgt, red, self.fname == "cross_entropy")
        return elementwise_loss(call, self.fname, inp, tgt, red)

    def weights(self, layer: Layer) -> Optional[dict]:
        return {}


for _cls, _f in list(ELEMENTWISE_LOSSES.items()) + [("CrossEntropyLoss", "cross_entropy"), ("NLLLoss", "nll_loss")]:
    layer_rule(*nn(_cls))(type(_cls, (LossBase,), {"fname": _f}))

