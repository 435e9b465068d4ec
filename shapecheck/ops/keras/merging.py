"""Keras merging layers: Add & co (broadcast), Concatenate (``shape_math.join``), Dot."""
from __future__ import annotations

from typing import Any, Optional

from ... import dims as D
from ...findings import ShapeError
from ...shape_math import join as SMJ
from ...shape_math.require import mismatch_note
from ...shapes import Shape
from ...values import UNKNOWN, Layer, Seq, Value, as_dim
from ..common import broadcast_shapes
from ..registry import Call, layer_rule, lookup_layer, shape_rule
from .base import KerasLayer, spellings


# ---------------------------------------------------------------------------------- merging
@layer_rule(*spellings("Concatenate", "merging.concatenate"))
class Concatenate(KerasLayer):
    multi_input = True

    def configure(self, call: Call) -> Optional[dict]:
        a = call.int(0, "axis", -1)
        return None if a is None else {"axis": a}

    def compute_multi(self, layer: Layer, call: Call, shapes: list) -> Any:
        if len(shapes) < 1:
            return Shape.unknown()
        # axis 0 is the batch axis: joining there is never the fix for a layer
        return SMJ.concat(shapes, layer.config["axis"], call.bindings, op="Concatenate", never=(0,))


class Merge(KerasLayer):
    multi_input = True
    exact: Optional[int] = None

    def compute_multi(self, layer: Layer, call: Call, shapes: list) -> Any:
        name = layer.kind.rsplit(".", 1)[-1]
        if self.exact is not None and len(shapes) != self.exact:
            return Shape.unknown()
        if any(s.variadic for s in shapes) or not shapes:
            return Shape.unknown()
        rest = [Shape(s.dims[1:]) for s in shapes]
        out = broadcast_shapes(call, rest, what=f"{name} of {' and '.join(str(s) for s in shapes)}:")
        batch = next((s.dims[0] for s in shapes if not D.is_opaque(s.dims[0])), shapes[0].dims[0])
        return Shape((batch,) + out.dims)


for _n, _src in (("Add", "add"), ("Subtract", "subtract"), ("Multiply", "multiply"), ("Average", "average"),
                 ("Maximum", "maximum"), ("Minimum", "minimum")):
    layer_rule(*spellings(_n, f"merging.{_src}"))(type(_n, (Merge,), {"exact": 2 if _n == "Subtract" else None}))


@layer_rule(*spellings("Dot", "merging.dot"))
class Dot(KerasLayer):
    multi_input = True

    def configure(self, call: Call) -> Optional[dict]:
        v = call.get(0, "axes")
        if isinstance(v, Seq) and len(v.items) == 2:
            a = [D.as_int(as_dim(x)) if as_dim(x) is not None else None for x in v.items]
        else:
            d = as_dim(v)
            a = [D.as_int(d)] * 2 if d is not None else [None]
        if None in a:
            return None
        return {"axes": a, "normalize": call.bool(1, "normalize", False)}

    def compute_multi(self, layer: Layer, call: Call, shapes: list) -> Any:
        if len(shapes) != 2 or any(s.variadic for s in shapes):
            return Shape.unknown()
        a, b = shapes
        ax = [x % s.rank if s.rank else x for x, s in zip(layer.config["axes"], shapes)]
        if any(not 0 < x < s.rank for x, s in zip(ax, shapes)):
            return Shape.unknown()
        da, db = a.dims[ax[0]], b.dims[ax[1]]
        if D.compare(da, db, call.bindings, unify=False) is D.FALSE:
            raise ShapeError("matmul-mismatch", lambda: (
                f"Dot(axes={tuple(layer.config['axes'])}) of {a} and {b}: contracted sizes differ, {D.fmt(da)} != "
                f"{D.fmt(db)}{mismatch_note(da, db)}"))
        rest = ([d for i, d in enumerate(a.dims) if i != ax[0]]
                + [d for i, d in enumerate(b.dims) if i not in (0, ax[1])])
        if len(rest) == 1:
            rest.append(1)
        return Shape(tuple(rest))


class MergeFn:
    """``layers.concatenate([a, b], axis=1)``: build the layer and apply it at once."""


def _merge_fn(kind: str):
    def rule(call: Call) -> Value:
        r = lookup_layer(f"keras.layers.{kind}")
        if r is None:
            return UNKNOWN
        inputs = call.get(0, "inputs")
        kwargs = {k: v for k, v in call.kwargs.items() if k != "inputs"}
        bcall = call.with_args(list(call.args[1:]), kwargs)
        cfg = r.build(bcall)
        if cfg is None:
            return UNKNOWN
        layer = Layer(r.names[0], cfg, call.node)
        return r.apply(layer, call.with_args([inputs], {}))
    return rule


for _n in ("Concatenate", "Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Dot"):
    _f = _n.lower()
    _src = "concatenate" if _n == "Concatenate" else _f
    shape_rule(f"keras.layers.{_f}", f"keras.src.layers.merging.{_src}.{_f}")(_merge_fn(_n))
