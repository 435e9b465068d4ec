"""Keras normalization layers: BatchNormalization, LayerNormalization, GroupNormalization, RMSNormalization."""
from __future__ import annotations

from typing import Any, Optional

from ... import dims as D
from ...findings import ShapeError
from ...shapes import Shape
from ...values import UNKNOWN, Layer, Seq, Value, as_dim
from ..registry import Call, layer_rule
from .base import KerasLayer, bind_built, check_rank, describe, spellings, usable


# ---------------------------------------------------------------------------------- normalization
def axes_arg(v: Value, default: int) -> Optional[list]:
    """An ``axis=`` argument as a list of ints (``default`` when absent); None where not literal."""
    if v is UNKNOWN:
        return [default]
    if isinstance(v, Seq):
        out = [as_dim(x) for x in v.items]
        if any(D.as_int(x) is None for x in out if x is not None) or None in out:
            return None
        return [D.as_int(x) for x in out]
    d = as_dim(v)
    return None if d is None or D.as_int(d) is None else [D.as_int(d)]


def normalized_axes(layer: Layer, s: Shape, axes: list) -> Optional[list]:
    """``axes`` as negative indices into ``s`` (an out-of-range axis raises); where the rank is
    unknown, only axes that are negative already can be kept, else None."""
    r = s.rank
    out = []
    for a in axes:
        if r is None:
            if a >= 0:
                return None
            out.append(a)
            continue
        if not -r <= a < r:
            raise ShapeError("axis-out-of-range", f"{describe(layer)}: axis {a} is out of range for a {r}-D input {s}")
        out.append(a - r if a >= 0 else a)
    return out


@layer_rule(*spellings("BatchNormalization", "normalization.batch_normalization"))
class BatchNormalization(KerasLayer):
    def configure(self, call: Call) -> Optional[dict]:
        axes = axes_arg(call.get(0, "axis"), -1)
        if axes is None or len(axes) != 1:
            return None
        return {"axis": axes[0], "center": call.bool(None, "center", True) is not False,
                "scale": call.bool(None, "scale", True) is not False}

    def compute(self, layer: Layer, call: Call, s: Shape) -> Any:
        ax = normalized_axes(layer, s, [layer.config["axis"]])
        if ax is None:
            return s
        bind_built(layer, call, s, ax[0], param="features")
        return s

    def is_built(self, layer: Layer) -> bool:
        return layer.config.get("_in") is not None

    def weights(self, layer: Layer) -> dict:
        c = layer.config.get("_in")
        if c is None:
            return {}
        out = {}
        if layer.config["scale"]:
            out["gamma"] = Shape((c,))
        if layer.config["center"]:
            out["beta"] = Shape((c,))
        out["moving_mean"] = Shape((c,))
        out["moving_variance"] = Shape((c,))
        return out

    def non_trainable(self, layer: Layer) -> set:
        return {"moving_mean", "moving_variance"}


@layer_rule(*spellings("LayerNormalization", "normalization.layer_normalization"))
class LayerNormalization(KerasLayer):
    def configure(self, call: Call) -> Optional[dict]:
        axes = axes_arg(call.get(0, "axis"), -1)
        if axes is None:
            return None
        return {"axis": axes, "center": call.bool(None, "center", True) is not False,
                "scale": call.bool(None, "scale", True) is not False,
                "rms_scaling": call.bool(None, "rms_scaling", False) is True}

    def compute(self, layer: Layer, call: Call, s: Shape) -> Any:
        ax = normalized_axes(layer, s, layer.config["axis"])
        if ax is None:
            return s
        if len(ax) == 1:
            bind_built(layer, call, s, ax[0], param="features")
        else:
            got = tuple(s.dim(a) for a in sorted(ax))
            if all(usable(d) for d in got) and layer.config.get("_shape") is None:
                layer.config["_shape"] = got
        return s

    def is_built(self, layer: Layer) -> bool:
        return layer.config.get("_in") is not None or layer.config.get("_shape") is not None

    def weights(self, layer: Layer) -> dict:
        shp = layer.config.get("_shape") or ((layer.config["_in"],) if layer.config.get("_in") is not None else None)
        if shp is None:
            return {}
        out = {}
        if layer.config["scale"] or layer.config["rms_scaling"]:
            out["gamma"] = Shape(shp)
        if layer.config["center"] and not layer.config["rms_scaling"]:
            out["beta"] = Shape(shp)
        return out


@layer_rule(*spellings("GroupNormalization", "normalization.group_normalization"))
class GroupNormalization(KerasLayer):
    def configure(self, call: Call) -> Optional[dict]:
        g = call.dim(0, "groups", 32)
        gi = D.as_int(g) if g is not None else None
        if gi is not None and gi <= 0 and gi != -1:  # (Keras's constructor: positive, or -1 for one per channel)
            raise ShapeError("invalid-shape-argument", f"GroupNormalization(groups={gi}): the number of groups must "
                                                       f"be positive, or -1 for one group per channel")
        axes = axes_arg(call.get(1, "axis"), -1)
        if g is None or axes is None or len(axes) != 1:
            return None
        return {"groups": g, "axis": axes[0], "center": call.bool(None, "center", True) is not False,
                "scale": call.bool(None, "scale", True) is not False}

    def compute(self, layer: Layer, call: Call, s: Shape) -> Any:
        check_rank(layer, s, min_ndim=2)
        ax = normalized_axes(layer, s, [layer.config["axis"]])
        if ax is None:
            return s
        c = bind_built(layer, call, s, ax[0], param="input_channel")
        g = D.as_int(layer.config["groups"])
        ci = D.as_int(c) if c is not None else None
        if g is not None and g > 0 and ci is not None and (ci < g or ci % g):
            raise ShapeError("layer-input-mismatch", f"{describe(layer)}: {ci} channels cannot be split into {g} "
                                                     f"groups (input {s})")
        return s

    def is_built(self, layer: Layer) -> bool:
        return layer.config.get("_in") is not None

    def weights(self, layer: Layer) -> dict:
        c = layer.config.get("_in")
        if c is None:
            return {}
        out = {}
        if layer.config["scale"]:
            out["gamma"] = Shape((c,))
        if layer.config["center"]:
            out["beta"] = Shape((c,))
        return out


@layer_rule(*spellings("RMSNormalization", "normalization.rms_normalization"))
class RMSNormalization(KerasLayer):
    """Same shape; one ``scale`` weight over the normalized axis (or axes)."""

    def configure(self, call: Call) -> Optional[dict]:
        axes = axes_arg(call.get(0, "axis"), -1)
        return None if axes is None else {"axis": axes}

    compute = LayerNormalization.compute
    is_built = LayerNormalization.is_built

    def weights(self, layer: Layer) -> dict:
        shp = layer.config.get("_shape") or ((layer.config["_in"],) if layer.config.get("_in") is not None else None)
        return {} if shp is None else {"scale": Shape(shp)}
