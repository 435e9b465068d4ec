"""torch.nn Transformer, its encoder/decoder layers and stacks, built from their sub-layers."""
from __future__ import annotations

from typing import Optional

from ... import dims as D
from ...findings import ShapeError
from ...shapes import Shape
from ...values import NONE, UNKNOWN, Const, Layer, Tensor, Value
from ..registry import Call, layer_rule, lookup_layer
from .attention import attention_masks
from .base import TorchLayer, check_rank, describe, feature_mismatch, merged, nn, sub_layer, weights_of


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
                "dim_feedforward": call.dim(4, "dim_feedforward", 2048),
                "batch_first": call.bool(10, "batch_first", False),
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
