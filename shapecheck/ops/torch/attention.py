"""torch.nn.MultiheadAttention: query/key/value checks and the packed in-projection weights."""
from __future__ import annotations

from typing import Optional

from ... import dims as D
from ...dims import Dim
from ...findings import ShapeError
from ...shapes import Shape
from ...values import NONE, UNKNOWN, Layer, Seq, Tensor, Value
from ..registry import Call, layer_rule
from .base import TorchLayer, check_rank, describe, feature_mismatch, nn, sub_layer


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
                "add_bias_kv": call.bool(4, "add_bias_kv", False),
                "add_zero_attn": call.bool(5, "add_zero_attn", False),
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
