"""torch.nn normalization layers (BatchNorm, InstanceNorm, LayerNorm, GroupNorm ...) and their weights."""
from __future__ import annotations

from typing import Optional

from ... import dims as D
from ...findings import ShapeError
from ...shape_math.require import mismatch_note
from ...shapes import Shape
from ...values import UNKNOWN, Layer, Tensor, Value
from ..registry import LAYERS, Call, layer_rule
from .base import TorchLayer, check_min_rank, check_rank, describe, feature_mismatch, fmt_tuple, nn


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
        if s.variadic and len(self.ranks) == 1 and len(s.dims) < self.ranks[0]:
            # only an input of exactly that rank gets past the layer: the sizes not known are unknown
            s = Shape(tuple(D.opaque("N") for _ in range(self.ranks[0] - len(s.dims))) + s.dims)
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
    assert isinstance(_bn, BatchNormBase)  # registered just above
    layer_rule(*nn(f"LazyBatchNorm{_n}d"))(type(f"LazyBatchNorm{_n}d", (BatchNormBase,), {
        "ranks": _bn.ranks, "channel_from_end": _bn.channel_from_end, "lazy": True}))


@layer_rule(*nn("LayerNorm"))
class LayerNorm(TorchLayer):
    output_on_unknown = True  # (*, *normalized_shape) whatever it is applied to

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
            raise ShapeError("layer-input-mismatch", lambda have=have, i=i, why=why: (  # type: ignore[misc]
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
