"""Keras core layers: Dense, EinsumDense, Embedding and their weights in Keras layout."""
from __future__ import annotations

import re
from typing import Any, Optional

from ... import dims as D
from ...findings import ShapeError
from ...shapes import Shape
from ...values import UNKNOWN, Layer, Seq, tensor_of
from ..common import check_weight_assignment
from ..registry import Call, layer_rule
from .base import (
    BATCH,
    KerasLayer,
    bind_built,
    check_rank,
    declared_input,
    describe,
    name_of,
    shape_tuple,
    spellings,
    usable,
)


# ---------------------------------------------------------------------------------- Dense & co
@layer_rule(*spellings("Dense", "core.dense"))
class Dense(KerasLayer):
    # the output it guarantees whatever the input (the input may be a value the analysis cannot see)
    output_on_unknown = True
    layouts = {"kernel": "io"}  # shape_math.layout tags: Keras stores (input_dim, units)

    def configure(self, call: Call) -> Optional[dict]:
        units = call.dim(0, "units") if call.has(0, "units") else call.dim(None, "output_dim")  # Keras 1
        if units is None:
            return None
        return {"units": units, "use_bias": call.bool(None, "use_bias", True) is not False, "_repr": D.fmt(units)}

    def compute(self, layer: Layer, call: Call, s: Shape) -> Any:
        check_rank(layer, s, min_ndim=2)
        if s.dims and D.is_undefined(s.dims[-1]):  # Keras builds the (in, units) kernel on it and raises
            raise ShapeError("layer-input-mismatch", lambda: (
                f"{describe(layer)} gets inputs {s} whose last size is None: its kernel needs that size "
                f"(Keras: \"The last dimension of the inputs to `Dense` should be defined\")"))
        bind_built(layer, call, s, -1)
        if not s.dims:
            return Shape((layer.config["units"],), True)
        return s.replace_last(1, [layer.config["units"]])

    def is_built(self, layer: Layer) -> bool:
        return layer.config.get("_in") is not None

    def weights(self, layer: Layer) -> dict:
        fin, u = layer.config.get("_in"), layer.config["units"]
        if fin is None:
            return {}
        out = {"kernel": Shape((fin, u))}
        if layer.config["use_bias"]:
            out["bias"] = Shape((u,))
        return out


_EINSUM = re.compile(r"^([a-zA-Z.]+),([a-zA-Z]+)->([a-zA-Z.]+)$")


@layer_rule(*spellings("EinsumDense", "core.einsum_dense"))
class EinsumDense(KerasLayer):
    def configure(self, call: Call) -> Optional[dict]:
        eq = name_of(call.get(0, "equation"))
        out = call.get(1, "output_shape")
        ds = shape_tuple(out)
        if eq is None or ds is None:
            return None
        m = _EINSUM.match(eq.replace(" ", ""))
        if not m:
            return None
        bias = name_of(call.get(3, "bias_axes")) if call.has(3, "bias_axes") else None
        return {"eq": m.groups(), "output_shape": ds, "bias_axes": bias, "_repr": repr(eq)}

    def compute(self, layer: Layer, call: Call, s: Shape) -> Any:
        ins, ker, outs = layer.config["eq"]
        lead: tuple = ()  # the sizes "..." stands for, in front of the output (Keras: left-elided)
        if ins.startswith("...") and outs.startswith("...") and "..." not in ins[3:] + outs[3:] + ker:
            ins, outs = ins[3:], outs[3:]
            if s.rank is None:  # variadic
                return Shape.unknown()
            if s.rank <= len(ins):
                return Shape.unknown()  # (nothing elided: Keras's own reading is odd there)
            lead, core = s.dims[:s.rank - len(ins)], s.dims[s.rank - len(ins):]
            full_out = list(lead) + list(layer.config["output_shape"])
            if len(full_out) != len(lead) + len(outs):
                return Shape.unknown()
            full_out = full_out[len(lead):]
        elif "..." in ins or "..." in outs or "..." in ker:
            return Shape.unknown()  # right-elided equations: not modelled
        else:
            check_rank(layer, s, ndim=len(ins))
            if s.variadic:
                return Shape.unknown()
            core = s.dims
            full_out = list(layer.config["output_shape"])
            if len(full_out) == len(outs) - 1:
                full_out = [s.dims[0]] + full_out
            if len(full_out) != len(outs):
                return Shape.unknown()
        sizes = dict(zip(ins, core))
        for c, d in zip(outs, full_out):
            if c in sizes:
                full_out[outs.index(c)] = sizes[c]
            sizes.setdefault(c, d)
        kshape = []
        for c in ker:
            if c not in sizes:
                return Shape.unknown()
            kshape.append(sizes[c])
        built = layer.config.get("_kernel")
        if built is None:
            if all(usable(d) for d in kshape):
                layer.config["_kernel"] = tuple(kshape)
                ba = layer.config.get("bias_axes")
                if ba:
                    first = min(outs.find(c) for c in ba)
                    layer.config["_bias"] = tuple(full_out[i] if outs[i] in ba else 1 for i in range(first, len(outs)))
        else:
            for c, have, got in zip(ker, built, kshape):
                if D.compare(have, got, call.bindings) is D.FALSE:
                    raise ShapeError("layer-input-mismatch", lambda c=c, have=have, got=got: (  # type: ignore[misc]
                        f"{describe(layer)} was built with '{c}' = {D.fmt(have)} but gets {D.fmt(got)} (input {s})"))
        return Shape(tuple(lead) + tuple(full_out))

    def is_built(self, layer: Layer) -> bool:
        return layer.config.get("_kernel") is not None

    def weights(self, layer: Layer) -> dict:
        k = layer.config.get("_kernel")
        if k is None:
            return {}
        out = {"kernel": Shape(k)}
        if layer.config.get("_bias"):
            out["bias"] = Shape(layer.config["_bias"])
        return out


@layer_rule(*spellings("Embedding", "core.embedding"))
class Embedding(KerasLayer):
    # the output it guarantees whatever the input (the input may be a value the analysis cannot see)
    output_on_unknown = True
    def configure(self, call: Call) -> Optional[dict]:
        n, d = call.dim(0, "input_dim"), call.dim(1, "output_dim")
        if n is None or d is None:
            return None
        cfg: dict = {"input_dim": n, "output_dim": d, "_repr": f"{D.fmt(n)}, {D.fmt(d)}"}
        if "input_length" in call.kwargs:  # Keras 2: the Sequential's input is (None, input_length)
            ln = shape_tuple(call.kwargs["input_length"])
            if ln is not None and len(ln) == 1:
                cfg["_input_len"] = ln[0]
        return cfg

    def build(self, call: Call) -> Optional[dict]:
        # input_dim here is the vocabulary, not a Keras 2 input size
        cfg = self.configure(call)
        if cfg is None:
            return None
        name = name_of(call.kwargs.get("name", UNKNOWN))
        if name:
            cfg["name"] = name
        if "_input_len" in cfg:
            cfg["_input"] = Shape((BATCH, cfg["_input_len"]))
        elif "input_shape" in call.kwargs or "batch_input_shape" in call.kwargs:
            kw = {k: v for k, v in call.kwargs.items() if k not in ("input_dim",)}
            decl = declared_input(call.with_args([], kw))
            if decl is not None:
                cfg["_input"] = decl
        self._check_initial_weights(cfg, call)
        return cfg

    def _check_initial_weights(self, cfg: dict, call: Call) -> None:
        """``Embedding(n, d, weights=[matrix])``: Keras sets the matrix as the ``(n, d)`` embeddings
        when it builds the layer (``set_weights``): a matrix of another shape is SHP601 there."""
        v = call.kwargs.get("weights")
        if isinstance(v, Seq) and len(v.items) == 1:
            v = v.items[0]
        t = tensor_of(v) if v is not None and not isinstance(v, Seq) else None
        if t is not None:
            dest = Shape((cfg["input_dim"], cfg["output_dim"]))
            check_weight_assignment(call, "keras.layers.Embedding.embeddings", dest, call.shape(t), "setting")

    def compute(self, layer: Layer, call: Call, s: Shape) -> Any:
        return Shape(s.dims + (layer.config["output_dim"],), s.variadic)

    def weights(self, layer: Layer) -> dict:
        return {"embeddings": Shape((layer.config["input_dim"], layer.config["output_dim"]))}
