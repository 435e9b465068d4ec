"""Keras pooling layers: local, global and adaptive."""
from __future__ import annotations

from typing import Any, Optional

from ...shape_math import reduce as SMRed
from ...shape_math.window import kernel_why, padded_out, require_nonempty_spatial
from ...shapes import Shape
from ...values import UNKNOWN, Const, Layer
from ..registry import Call, layer_rule
from .base import KerasLayer, check_rank, describe, ints, name_of, spellings
from .convolutional import padding_arg


# ---------------------------------------------------------------------------------- pooling
class Pool(KerasLayer):
    rank = 2

    def configure(self, call: Call) -> Optional[dict]:
        r = self.rank
        kw = call.kwargs
        pv = call.get(None, "pool_length") if "pool_length" in kw else call.get(0, "pool_size")
        if pv is UNKNOWN and "Average" in type(self).__name__:
            return None  # Keras 3 requires pool_size here (Keras 2 defaulted to 2): a TypeError, not ours
        pool = [2] * r if pv is UNKNOWN else ints(pv, r)
        sv = call.get(1, "strides") if "stride" not in kw else kw["stride"]
        strides = pool if sv is UNKNOWN or (isinstance(sv, Const) and sv.value is None) else ints(sv, r)
        padding = padding_arg(call) if ("padding" in kw or "border_mode" in kw) else (
            name_of(call.get(2, "padding")) or "valid")
        fmt = name_of(call.get(3, "data_format")) or "channels_last"
        if pool is None or strides is None or padding is None:
            return None
        return {"pool": pool, "strides": strides, "padding": padding.lower(), "data_format": fmt}

    def compute(self, layer: Layer, call: Call, s: Shape) -> Any:
        r = self.rank
        c = layer.config
        check_rank(layer, s, ndim=r + 2)
        if s.variadic:
            return Shape.unknown()
        cf = c["data_format"] == "channels_first"
        spatial = s.dims[2:] if cf else s.dims[1:1 + r]
        out = []
        for i, n in enumerate(spatial):
            o = padded_out(n, c["pool"][i], c["strides"][i], 1, c["padding"])
            if o is None:
                return Shape.unknown()
            require_nonempty_spatial(o, op=describe(layer), shape=s, axis=i + (2 if cf else 1), size=n,
                                     bindings=call.bindings, advice="pool less or earlier",
                                     why=kernel_why(c["pool"][i], window="pool size", padding=c["padding"]))
            out.append(o)
        dims = [s.dims[0], s.dims[1]] + out if cf else [s.dims[0]] + out + [s.dims[-1]]
        return Shape(tuple(dims))


class GlobalPool(KerasLayer):
    rank = 2

    def configure(self, call: Call) -> Optional[dict]:
        return {"data_format": name_of(call.get(0, "data_format")) or "channels_last",
                "keepdims": call.bool(1, "keepdims", False) is True}

    def compute(self, layer: Layer, call: Call, s: Shape) -> Any:
        r = self.rank
        check_rank(layer, s, ndim=r + 2)
        if s.variadic:
            return Shape.unknown()
        spatial = list(range(2, r + 2)) if layer.config["data_format"] == "channels_first" else list(range(1, r + 1))
        return SMRed.reduce(s, spatial, layer.config["keepdims"], what=describe(layer))


for _r in (1, 2, 3):
    for _kind, _src in (("Max", "max"), ("Average", "average")):
        _short = "Max" if _kind == "Max" else "Avg"
        layer_rule(*spellings(f"{_kind}Pooling{_r}D", f"pooling.{_src}_pooling{_r}d", f"{_short}Pool{_r}D"))(
            type(f"{_kind}Pooling{_r}D", (Pool,), {"rank": _r}))
        layer_rule(*spellings(f"Global{_kind}Pooling{_r}D", f"pooling.global_{_src}_pooling{_r}d",
                              f"Global{_short}Pool{_r}D"))(
            type(f"Global{_kind}Pooling{_r}D", (GlobalPool,), {"rank": _r}))


class AdaptivePooling(KerasLayer):
    """``AdaptiveAveragePooling2D(output_size)``: the spatial sizes become ``output_size``."""

    rank = 2

    def configure(self, call: Call) -> Optional[dict]:
        out = ints(call.get(0, "output_size"), self.rank)
        fmt = name_of(call.get(1, "data_format")) if call.has(1, "data_format") else "channels_last"
        if out is None or fmt not in ("channels_last", "channels_first"):
            return None
        return {"output_size": out, "data_format": fmt}

    def compute(self, layer: Layer, call: Call, s: Shape) -> Any:
        if s.variadic or s.rank != self.rank + 2:  # (Keras itself does not check the rank when building)
            return Shape.unknown()
        out = tuple(layer.config["output_size"])
        if layer.config["data_format"] == "channels_first":
            return Shape(s.dims[:2] + out)
        return Shape(s.dims[:1] + out + s.dims[-1:])


for _r in (1, 2, 3):
    for _kind in ("Average", "Max"):
        layer_rule(*spellings(f"Adaptive{_kind}Pooling{_r}D", f"pooling.adaptive_{_kind.lower()}_pooling{_r}d"))(
            type(f"Adaptive{_kind}Pooling{_r}D", (AdaptivePooling,), {"rank": _r}))
