"""torch.nn Embedding and EmbeddingBag."""
from __future__ import annotations

from typing import Optional

from ... import dims as D
from ...shapes import Shape
from ...values import UNKNOWN, Layer, Tensor, Value
from ..registry import Call, layer_rule
from .base import TorchLayer, check_rank, describe, nn


# ================================================================================== embeddings
@layer_rule(*nn("Embedding"))
class Embedding(TorchLayer):
    # the output it guarantees whatever the input (the input may be a value the analysis cannot see)
    output_on_unknown = True
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
        if cfg is not None:  # (Embedding.build always gives one)
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
