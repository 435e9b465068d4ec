"""Keras reshaping layers: Flatten, Reshape, Permute, RepeatVector, cropping, padding, upsampling."""
from __future__ import annotations

from typing import Any, Optional

from ... import dims as D
from ...findings import ShapeError
from ...shape_math import reshape as SMR
from ...shape_math.window import require_nonempty_spatial
from ...shapes import Shape
from ...values import UNKNOWN, Int, Layer, Seq, Value, as_dim
from ..registry import Call, layer_rule
from .base import BATCH, KerasLayer, check_rank, describe, ints, name_of, rank_error, spellings
from .same_shape import SameShape


# ---------------------------------------------------------------------------------- reshaping
@layer_rule(*spellings("Flatten", "reshaping.flatten"))
class Flatten(KerasLayer):
    def configure(self, call: Call) -> Optional[dict]:
        return {}

    def compute(self, layer: Layer, call: Call, s: Shape) -> Any:
        check_rank(layer, s, min_ndim=1)
        if s.variadic:
            return Shape.unknown()
        rest = s.dims[1:]
        if not rest:
            return Shape((s.dims[0], 1))
        if any(D.is_opaque(d) for d in rest):  # None stays None (undefined where an input's was)
            return Shape((s.dims[0], D.undefined() if any(D.is_undefined(d) for d in rest) else D.opaque("None")))
        n = D.mul(*rest)
        why = "*".join(s.why_of(i + 1) or D.fmt(d) for i, d in enumerate(rest)) if len(rest) > 1 else None
        return Shape((s.dims[0], n), False, (None, why))


@layer_rule(*spellings("Reshape", "reshaping.reshape"))
class Reshape(KerasLayer):
    def configure(self, call: Call) -> Optional[dict]:
        v = call.get(0, "target_shape")
        if not isinstance(v, Seq):
            return None
        ds = [as_dim(x) for x in v.items]
        if any(d is None for d in ds):
            return None
        return {"target": ds, "_repr": "(" + ", ".join(D.fmt(d) for d in ds) + ")"}

    def compute(self, layer: Layer, call: Call, s: Shape) -> Any:
        target = list(layer.config["target"])
        unknown = [i for i, d in enumerate(target) if D.as_int(d) == -1]
        if len(unknown) > 1:
            raise ShapeError("reshape-size", f"{describe(layer)}: only one -1 is allowed in the target shape")
        if s.variadic or any(D.is_opaque(d) for d in s.dims[1:]):
            return Shape(tuple([s.dims[0] if not s.variadic else BATCH] + [
                D.opaque("None") if D.as_int(d) == -1 else d for d in target]))
        # per sample: the batch axis stays, the rest is reshaped (shape_math.reshape, with provenance)
        per_sample = SMR.reshape(SMR.make(s.dims[1:], SMR.whys(s)[1:]), target, bindings=call.bindings,
                                 what=f"{describe(layer)} (per sample)", unknown=lambda: D.opaque("None"))
        return SMR.make((s.dims[0],) + per_sample.dims, [None, *SMR.whys(per_sample)])


@layer_rule(*spellings("Permute", "reshaping.permute"))
class Permute(KerasLayer):
    def configure(self, call: Call) -> Optional[dict]:
        v = call.get(0, "dims")
        ds = [D.as_int(as_dim(x)) if as_dim(x) is not None else None for x in v.items] if isinstance(v, Seq) else None
        if ds is None or None in ds:
            return None
        if sorted(x for x in ds if x is not None) != list(range(1, len(ds) + 1)):
            raise ShapeError("bad-permutation", f"Permute{tuple(ds)}: dims must be a permutation of 1..{len(ds)} "
                                                f"(the batch axis 0 is never permuted)")
        return {"dims": ds, "_repr": str(tuple(ds))}

    def compute(self, layer: Layer, call: Call, s: Shape) -> Any:
        dims = layer.config["dims"]
        check_rank(layer, s, ndim=len(dims) + 1)
        if s.variadic:
            return Shape.unknown()
        return Shape((s.dims[0],) + tuple(s.dims[d] for d in dims))


@layer_rule(*spellings("RepeatVector", "reshaping.repeat_vector"))
class RepeatVector(KerasLayer):
    def configure(self, call: Call) -> Optional[dict]:
        n = call.dim(0, "n")
        return None if n is None else {"n": n, "_repr": D.fmt(n)}

    def compute(self, layer: Layer, call: Call, s: Shape) -> Any:
        check_rank(layer, s, ndim=2)
        if s.variadic:
            return Shape.unknown()
        return Shape((s.dims[0], layer.config["n"], s.dims[1]))


def _pairs(v: Value, r: int, default: Any) -> Optional[list]:
    """ZeroPadding/Cropping amounts: an int, a tuple of ``r`` ints, or ``r`` (before, after) pairs."""
    if v is UNKNOWN:
        if isinstance(default, int):
            return [(default, default)] * r
        return [tuple(p) for p in default]
    if isinstance(v, Seq):
        if r == 1 and len(v.items) == 2 and all(as_dim(x) is not None for x in v.items):
            return [(as_dim(v.items[0]), as_dim(v.items[1]))]
        if len(v.items) != r:
            return None
        out = []
        for x in v.items:
            if isinstance(x, Seq) and len(x.items) == 2:
                a, b = as_dim(x.items[0]), as_dim(x.items[1])
            else:
                a = b = as_dim(x)
            if a is None or b is None:
                return None
            out.append((a, b))
        return out
    d = as_dim(v)
    return None if d is None else [(d, d)] * r


class SpatialResize(KerasLayer):
    rank = 1
    op = "pad"

    def configure(self, call: Call) -> Optional[dict]:
        r = self.rank
        fmt = name_of(call.get(None, "data_format")) or "channels_last"
        if self.op == "pad":
            p = _pairs(call.get(0, "padding"), r, 1)
        elif self.op == "crop":
            p = _pairs(call.get(0, "cropping"), r, (1, 1) if r == 1 else [(0, 0)] * r)
        else:
            sz = call.get(0, "size") if call.has(0, "size") else (Int(2) if r > 0 else UNKNOWN)
            p = ints(sz, r)
        return None if p is None else {"amount": p, "data_format": fmt}

    def compute(self, layer: Layer, call: Call, s: Shape) -> Any:
        r = self.rank
        check_rank(layer, s, ndim=r + 2)
        if s.variadic:
            return Shape.unknown()
        cf = layer.config["data_format"] == "channels_first" and r > 1
        start = 2 if cf else 1
        dims = list(s.dims)
        for i, amt in enumerate(layer.config["amount"]):
            n = dims[start + i]
            if D.is_opaque(n):
                continue
            if self.op == "pad":
                dims[start + i] = D.add(D.add(n, amt[0]), amt[1])
            elif self.op == "crop":
                o = D.sub(n, D.add(amt[0], amt[1]))
                require_nonempty_spatial(o, op=describe(layer), shape=s, axis=start + i, size=n,
                                         bindings=call.bindings, advice="crop less",
                                         why=f"is not more than the cropping {D.fmt(amt[0])}+{D.fmt(amt[1])}")
                dims[start + i] = o
            else:
                dims[start + i] = D.mul(n, amt)
        return Shape(tuple(dims))


for _r in (1, 2, 3):
    layer_rule(*spellings(f"ZeroPadding{_r}D", f"reshaping.zero_padding{_r}d"))(
        type(f"ZeroPadding{_r}D", (SpatialResize,), {"rank": _r, "op": "pad"}))
    layer_rule(*spellings(f"Cropping{_r}D", f"reshaping.cropping{_r}d"))(
        type(f"Cropping{_r}D", (SpatialResize,), {"rank": _r, "op": "crop"}))
    layer_rule(*spellings(f"UpSampling{_r}D", f"reshaping.up_sampling{_r}d"))(
        type(f"UpSampling{_r}D", (SpatialResize,), {"rank": _r, "op": "up"}))


@layer_rule(*spellings("Resizing", "preprocessing.image_preprocessing.resizing"),
            *spellings("CenterCrop", "preprocessing.image_preprocessing.center_crop"),
            *spellings("RandomCrop", "preprocessing.image_preprocessing.random_crop"))
class Resizing(KerasLayer):
    def configure(self, call: Call) -> Optional[dict]:
        h, w = call.dim(0, "height"), call.dim(1, "width")
        if h is None or w is None:
            return None
        return {"h": h, "w": w, "data_format": name_of(call.get(None, "data_format")) or "channels_last"}

    def compute(self, layer: Layer, call: Call, s: Shape) -> Any:
        if s.rank is not None and s.rank not in (3, 4):
            raise rank_error(layer, s, "a 3-D (unbatched) or 4-D")
        if s.variadic:
            return Shape.unknown()
        h, w = layer.config["h"], layer.config["w"]
        if layer.config["data_format"] == "channels_first":
            return Shape(s.dims[:-2] + (h, w))
        return Shape(s.dims[:-3] + (h, w, s.dims[-1]))


@layer_rule(*spellings("CategoryEncoding", "preprocessing.category_encoding"))
class CategoryEncoding(KerasLayer):
    """Integer tokens to multi-hot / count / one-hot vectors of ``num_tokens`` (Keras's
    ``compute_output_shape``)."""

    def configure(self, call: Call) -> Optional[dict]:
        n = call.dim(0, "num_tokens")
        mode = name_of(call.get(1, "output_mode")) if call.has(1, "output_mode") else "multi_hot"
        if n is None or mode not in ("multi_hot", "one_hot", "count"):
            return None
        return {"num_tokens": n, "mode": mode}

    def compute(self, layer: Layer, call: Call, s: Shape) -> Any:
        n = layer.config["num_tokens"]
        if s.variadic:
            return Shape.unknown()
        if not s.dims:
            return Shape((n,))
        if layer.config["mode"] == "one_hot":
            one = D.as_int(s.dims[-1])
            if one is None:
                return Shape.unknown()
            if one != 1 or len(s.dims) == 1:
                return Shape(s.dims + (n,))
        return Shape(s.dims[:-1] + (n,))

    def weights(self, layer: Layer) -> dict:
        return {}


class Lookup(SameShape):
    """Hashing / IntegerLookup / StringLookup / Discretization in their default ``output_mode='int'``:
    one integer per input value (other modes: unknown)."""

    def configure(self, call: Call) -> Optional[dict]:
        mode = call.get(None, "output_mode")
        return {} if mode is UNKNOWN or name_of(mode) == "int" else None


for _n, _src in (("Hashing", "hashing"), ("IntegerLookup", "integer_lookup"), ("StringLookup", "string_lookup"),
                 ("Discretization", "discretization")):
    layer_rule(*spellings(_n, "preprocessing." + _src))(type(_n, (Lookup,), {}))
