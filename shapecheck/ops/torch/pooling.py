"""torch.nn pooling layers (max/avg/LP/adaptive) and the ``*_forward`` helpers shared with ``F.*pool*``."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Optional

from ... import dims as D
from ...shape_math.window import (
    kernel_why,
    pool_out,
    require_nonempty_spatial,
    require_pool_padding,
)
from ...shapes import Shape
from ...values import UNKNOWN, Const, Layer, Seq, Tensor, Value, as_dim
from ..registry import Call, layer_rule
from .base import (
    _NOT_CONST,
    TorchLayer,
    arg_tuple,
    check_rank,
    const_of,
    describe,
    flex_spatial,
    fmt_tuple,
    nn,
    ntuple,
    spatial_of,
    tail_replace,
)


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
        p: Optional[tuple]
        d: Optional[tuple]
        ri: Optional[bool]
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
