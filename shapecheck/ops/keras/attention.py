"""Keras attention layers: Attention, AdditiveAttention, MultiHeadAttention."""
from __future__ import annotations

from typing import Any, Optional

from ... import dims as D
from ...findings import ShapeError
from ...shape_math.features import require_feature
from ...shapes import Shape
from ...values import UNKNOWN, Const, Layer, Seq, Tensor, Value, as_dim
from ..registry import Call, layer_rule
from .base import FW, KerasLayer, check_rank, describe, name_of, record, shape_tuple, spellings, usable


# ---------------------------------------------------------------------------------- attention
@layer_rule(*spellings("Attention", "attention.attention"), *spellings("AdditiveAttention",
                                                                      "attention.additive_attention"))
class Attention(KerasLayer):
    multi_input = True

    def configure(self, call: Call) -> Optional[dict]:
        return {"use_scale": call.bool(0, "use_scale", False) is True,
                "score_mode": name_of(call.get(None, "score_mode")) or "dot"}

    def compute_multi(self, layer: Layer, call: Call, shapes: list) -> Any:
        if len(shapes) not in (2, 3) or any(s.variadic for s in shapes):
            return Shape.unknown()
        q, v = shapes[0], shapes[1]
        k = shapes[2] if len(shapes) == 3 else v
        if q.rank < 2 or v.rank < 2:
            return Shape.unknown()
        if D.compare(q.dims[-1], k.dims[-1], call.bindings, unify=False) is D.FALSE:
            raise ShapeError("matmul-mismatch", lambda: (
                f"{describe(layer)}: query {q} and key {k} must have the same last size for the scores, "
                f"{D.fmt(q.dims[-1])} != {D.fmt(k.dims[-1])}"))
        if layer.config.get("_in") is None and usable(q.dims[-1]):
            layer.config["_in"] = q.dims[-1]
        return Shape(q.dims[:-1] + (v.dims[-1],))

    def weights(self, layer: Layer) -> dict:
        out = {}
        if layer.kind.endswith("AdditiveAttention"):
            if layer.config.get("use_scale", True) and layer.config.get("_in") is not None:
                out["scale"] = Shape((layer.config["_in"],))
            return out
        if layer.config["use_scale"]:
            out["scale"] = Shape(())
        if layer.config["score_mode"] == "concat":
            out["concat_score_weight"] = Shape(())
        return out


@layer_rule(*spellings("MultiHeadAttention", "attention.multi_head_attention"))
class MultiHeadAttention(KerasLayer):
    def configure(self, call: Call) -> Optional[dict]:
        h, k = call.dim(0, "num_heads"), call.dim(1, "key_dim")
        if h is None or k is None:
            return None
        vd = call.get(2, "value_dim")
        v = k if vd is UNKNOWN or (isinstance(vd, Const) and vd.value is None) else as_dim(vd)
        osv = call.get(None, "output_shape")
        os_ = None if osv is UNKNOWN or (isinstance(osv, Const) and osv.value is None) else shape_tuple(osv)
        if v is None or (osv is not UNKNOWN and os_ is None and not (isinstance(osv, Const) and osv.value is None)):
            return None
        aa = call.get(None, "attention_axes")  # changes the scores' shape only: output and weights stay
        return {"heads": h, "key_dim": k, "value_dim": v, "output_shape": os_,
                "axes": aa is not UNKNOWN and not (isinstance(aa, Const) and aa.value is None),
                "use_bias": call.bool(None, "use_bias", True) is not False, "_repr": f"{D.fmt(h)}, {D.fmt(k)}"}

    def apply(self, layer: Layer, call: Call) -> Value:
        q, v = call.tensor(0, "query"), call.tensor(1, "value")
        if q is None or v is None:
            return UNKNOWN
        k = call.tensor(2, "key") or v
        qs, vs, ks = call.shape(q), call.shape(v), call.shape(k)
        for s in (qs, vs, ks):
            check_rank(layer, s, min_ndim=3)
        if qs.variadic or vs.variadic or ks.variadic:
            return UNKNOWN
        if ks.rank is not None and ks.rank == vs.rank:  # (not variadic: returned above)
            for i in range(1, ks.rank - 1):
                if D.compare(ks.dims[i], vs.dims[i], call.bindings, unify=False) is D.FALSE:
                    raise ShapeError("layer-input-mismatch", lambda: (
                        f"{describe(layer)}: key {ks} and value {vs} must have the same sequence sizes"))
        c = layer.config
        got = (qs.dims[-1], vs.dims[-1], ks.dims[-1])
        built = c.get("_dims")
        if built is None:
            if all(usable(d) for d in got):
                c["_dims"] = got
        else:
            for what, have, ts in zip(("query", "value", "key"), built, (qs, vs, ks)):
                require_feature(ts, -1, have, f"{what}_dim", f"{describe(layer)} ({what})", bindings=call.bindings,
                                fix_param=False, built=True)
        out_last = c["output_shape"][-1] if c["output_shape"] else qs.dims[-1]
        if c["output_shape"] and len(c["output_shape"]) != 1:
            out = Shape(qs.dims[:-1] + tuple(c["output_shape"]))
        else:
            out = Shape(qs.dims[:-1] + (out_last,))
        ret = call.bool(None, "return_attention_scores", False)
        t = Tensor(out, FW, "float")
        if ret:
            scores = Tensor(Shape((qs.dims[0], c["heads"], qs.dims[1], ks.dims[1])) if qs.rank == 3 and not c["axes"]
                            else Shape.unknown(), FW, "float")
            return record(Seq([t, scores], "tuple"), layer, call)
        return record(t, layer, call)

    def is_built(self, layer: Layer) -> bool:
        return layer.config.get("_dims") is not None

    def weights(self, layer: Layer) -> dict:
        c = layer.config
        d = c.get("_dims")
        if d is None:
            return {}
        qd, vd, kd = d
        h, k, v = c["heads"], c["key_dim"], c["value_dim"]
        o = tuple(c["output_shape"]) if c["output_shape"] else (qd,)
        out = {"query_kernel": Shape((qd, h, k))}
        if c["use_bias"]:
            out["query_bias"] = Shape((h, k))
        out["key_kernel"] = Shape((kd, h, k))
        if c["use_bias"]:
            out["key_bias"] = Shape((h, k))
        out["value_kernel"] = Shape((vd, h, v))
        if c["use_bias"]:
            out["value_bias"] = Shape((h, v))
        out["attention_output_kernel"] = Shape((h, v) + o)
        if c["use_bias"]:
            out["attention_output_bias"] = Shape(o)
        return out
