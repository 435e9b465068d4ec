"""torch.nn containers and the core layers: Sequential, ModuleList, ModuleDict, Linear, activations."""
from __future__ import annotations

from typing import Optional

from ... import dims as D
from ...findings import ShapeError
from ...shape_math.features import require_feature_dropout_rank
from ...shapes import Shape
from ...values import UNKNOWN, Const, Dict, Layer, Obj, Seq, Tensor, Value, as_dim, tensor_of
from ..registry import Call, LayerRule, layer_rule, lookup_layer, shape_rule
from .base import describe, feature_mismatch, nn


# ---------------------------------------------------------------------------------- containers
@layer_rule(*nn("Sequential"))
class Sequential(LayerRule):
    defer_build_check = True  # a Sequential only iterated by hand is not a chain
    output_on_unknown = True  # called on a batch the checker cannot see into, the chain still runs

    def build(self, call: Call) -> Optional[dict]:
        if len(call.args) == 1 and not isinstance(call.args[0], (Layer, Obj)) and not tensor_of(call.args[0]):
            d = call.args[0]
            if isinstance(d, Dict):  # OrderedDict([...]) of named layers
                if any(k.startswith("\x00") for k in d.items):  # contents unknown
                    return {"layers": None}
                return {"layers": list(d.items.values()), "names": list(d.items.keys())}
            if isinstance(d, Seq) and all(isinstance(x, Seq) and len(x.items) == 2 for x in d.items):
                return {"layers": [x.items[1] for x in d.items]}
            if not isinstance(d, (Layer, Obj)):
                return {"layers": None}
        return {"layers": list(call.args)}

    def after_build(self, layer: Layer, call: Call) -> None:
        """Check the chain once on an input of unknown shape: mismatches between neighbours."""
        layers = layer.config.get("layers")
        if not layers:
            return
        x: Value = Tensor(Shape.unknown(), "torch")
        if isinstance(self._chain(layers, x, call), Tensor):
            call.ran_through(layer)

    def _chain(self, layers: list, x: Value, call: Call) -> Value:
        for sub in layers:
            if x is UNKNOWN:
                return UNKNOWN
            try:
                x = call.invoke(sub, x) if not isinstance(sub, Layer) else _apply_layer(sub, x, call)
            except ShapeError as e:
                if e.where is None and isinstance(sub, Layer):
                    e.where = sub.node
                raise
        return x

    def apply(self, layer: Layer, call: Call) -> Value:
        layers = layer.config.get("layers")
        if layers is None or not call.args:
            return UNKNOWN
        out = self._chain(layers, call.args[0], call)
        if isinstance(out, Tensor):
            call.ran_through(layer)
        return out

    def children(self, layer: Layer) -> Optional[list]:
        return layer.config.get("layers")

    def attr(self, layer: Layer, name: str) -> Value:
        """A child named in an ``OrderedDict`` (``net.fc1``)."""
        names, layers = layer.config.get("names"), layer.config.get("layers")
        if names and layers and name in names and len(names) == len(layers):
            return layers[names.index(name)]
        return UNKNOWN

    def getitem(self, layer: Layer, idx: list) -> Value:
        layers = layer.config.get("layers")
        if layers is None or len(idx) != 1:
            return UNKNOWN
        i = as_dim(idx[0])
        if isinstance(i, int) and -len(layers) <= i < len(layers):
            return layers[i]
        return UNKNOWN

    def method_append(self, layer: Layer, call: Call) -> Value:
        if call.args:
            add_child(layer, None, call.args[0])
        return layer

    def method_add_module(self, layer: Layer, call: Call) -> Value:
        name = call.args[0] if call.args else None
        if len(call.args) == 2 and isinstance(name, Const) and isinstance(name.value, str):
            add_child(layer, name.value, call.args[1])
        elif len(call.args) == 2:  # a name the analysis does not know: the module is there, its name is not
            add_child(layer, None, call.args[1])
            if layer.config.get("layers") is not None:
                layer.config["names"] = None
        elif layer.config.get("layers") is not None:
            layer.config["layers"] = None
        return Const(None)

    method_register_module = method_add_module


def add_child(seq: Layer, name: Optional[str], v: Value) -> None:
    """Register ``v`` as the next child of an ``nn.Sequential``/``nn.ModuleList`` (torch's
    ``_modules``): under ``name`` (``add_module``, an attribute set on a subclass), else under its
    position (``append``: ``str(len(self))``). A name already there keeps its place and takes the
    new module. The names are ``config["names"]``: absent while every child has its position's
    name, None once one is unknown."""
    layers = seq.config.get("layers")
    if layers is None:
        return
    names = seq.config.get("names", [str(i) for i in range(len(layers))])
    if names is not None and len(names) != len(layers):
        names = None
    key = name if name is not None else str(len(layers))
    if names is not None and key in names:
        layers[names.index(key)] = v
        return
    layers.append(v)
    if names is not None:
        names.append(key)
        if name is not None or "names" in seq.config:
            seq.config["names"] = names
    else:
        seq.config["names"] = None


def _apply_layer(sub: Layer, x: Value, call: Call) -> Value:
    rule = lookup_layer(sub.kind)
    if rule is None:
        return UNKNOWN
    return rule.apply(sub, call.with_args([x], {}))


@layer_rule(*nn("ModuleList"))
class ModuleList(LayerRule):
    def build(self, call: Call) -> Optional[dict]:
        if not call.args:
            return {"layers": []}
        v = call.args[0]
        if isinstance(v, Seq):
            return {"layers": list(v.items)}
        return {"layers": None}

    def children(self, layer: Layer) -> Optional[list]:
        return layer.config.get("layers")

    def getitem(self, layer: Layer, idx: list) -> Value:
        return Sequential.getitem(self, layer, idx)  # type: ignore[arg-type]

    def method_append(self, layer: Layer, call: Call) -> Value:
        return Sequential.method_append(self, layer, call)  # type: ignore[arg-type]

    def method_extend(self, layer: Layer, call: Call) -> Value:
        layers = layer.config.get("layers")
        if layers is not None and call.args and isinstance(call.args[0], Seq):
            for item in call.args[0].items:
                add_child(layer, None, item)
        elif layers is not None:
            layer.config["layers"] = None
        return layer


@layer_rule(*nn("ModuleDict", "ParameterDict"))
class ModuleDict(LayerRule):
    def build(self, call: Call) -> Optional[dict]:
        v = call.get(0, "modules")
        if isinstance(v, Dict):
            return {"items": dict(v.items)}
        if not call.args:
            return {"items": {}}
        return {"items": None}

    def getitem(self, layer: Layer, idx: list) -> Value:
        items = layer.config.get("items")
        if items is None or len(idx) != 1:
            return UNKNOWN
        k = idx[0]
        return items.get(getattr(k, "value", None), UNKNOWN)

    def children(self, layer: Layer) -> Optional[list]:
        return None

    def method_add_module(self, layer: Layer, call: Call) -> Value:
        items = layer.config.get("items")
        name = call.args[0] if call.args else None
        if items is not None and len(call.args) == 2 and isinstance(name, Const) and isinstance(name.value, str):
            items[name.value] = call.args[1]
        elif items is not None:
            layer.config["items"] = None
        return Const(None)

    method_register_module = method_add_module

    def method_values(self, layer: Layer, call: Call) -> Value:
        items = layer.config.get("items")
        return Seq(list(items.values()), "list") if items is not None else UNKNOWN

    def method_keys(self, layer: Layer, call: Call) -> Value:
        items = layer.config.get("items")
        return Seq([Const(k) for k in items], "list") if items is not None else UNKNOWN

    def method_items(self, layer: Layer, call: Call) -> Value:
        items = layer.config.get("items")
        return Seq([Seq([Const(k), v], "tuple") for k, v in items.items()], "list") if items is not None else UNKNOWN


# ---------------------------------------------------------------------------------- Linear
@layer_rule(*nn("Linear"))
class Linear(LayerRule):
    # the output it guarantees whatever the input (the input may be a value the analysis cannot see)
    output_on_unknown = True
    layouts = {"weight": "oi"}  # shape_math.layout tags: torch stores (out_features, in_features)

    def build(self, call: Call) -> Optional[dict]:
        fin = call.dim(0, "in_features")
        fout = call.dim(1, "out_features")
        bias = call.bool(2, "bias", True)
        return {"in_features": fin, "out_features": fout, "bias": bias,
                "_repr": f"{D.fmt(fin)}, {D.fmt(fout)}"}

    def apply(self, layer: Layer, call: Call) -> Value:
        x = call.tensor(0, "input")
        if x is None:
            return UNKNOWN
        s = call.shape(x)
        if s.rank == 0:
            raise ShapeError("layer-rank", f"{describe(layer)} needs at least a 1-D input, got a 0-D tensor")
        fin, fout = layer.config["in_features"], layer.config["out_features"]
        if fin is not None:
            feature_mismatch(call, describe(layer), s, -1, fin, "in_features", layer, 0, other=fout)
        if fout is None:
            return Tensor(Shape.unknown(), "torch")
        if not s.dims:
            return Tensor(Shape((fout,), True), "torch")
        return Tensor(s.replace_last(1, [fout]), "torch")

    def weights(self, layer: Layer) -> Optional[dict]:
        fin, fout = layer.config["in_features"], layer.config["out_features"]
        if fin is None or fout is None:
            return None
        out = {"weight": Shape((fout, fin))}
        if layer.config.get("bias") is not False:
            out["bias"] = Shape((fout,))
        return out


@layer_rule(*nn("LazyLinear"))
class LazyLinear(LayerRule):
    # the output it guarantees whatever the input (the input may be a value the analysis cannot see)
    output_on_unknown = True
    def build(self, call: Call) -> Optional[dict]:
        return {"out_features": call.dim(0, "out_features")}

    def apply(self, layer: Layer, call: Call) -> Value:
        x = call.tensor(0)
        fout = layer.config["out_features"]
        if x is None or fout is None:
            return UNKNOWN
        s = call.shape(x)
        if not s.dims:
            return Tensor(Shape((fout,), True), "torch")
        return Tensor(s.replace_last(1, [fout]), "torch")


@layer_rule(*nn("Bilinear"))
class Bilinear(LayerRule):
    def build(self, call: Call) -> Optional[dict]:
        return {"in1": call.dim(0, "in1_features"), "in2": call.dim(1, "in2_features"),
                "out": call.dim(2, "out_features"), "bias": call.bool(3, "bias", True)}

    def apply(self, layer: Layer, call: Call) -> Value:
        a, b = call.tensor(0, "input1"), call.tensor(1, "input2")
        if a is None or b is None:
            return UNKNOWN
        c = layer.config
        if c["in1"] is not None:
            feature_mismatch(call, "nn.Bilinear (input1)", call.shape(a), -1, c["in1"], "in1_features")
        if c["in2"] is not None:
            feature_mismatch(call, "nn.Bilinear (input2)", call.shape(b), -1, c["in2"], "in2_features")
        if c["out"] is None or not a.shape.dims:
            return UNKNOWN
        return Tensor(call.shape(a).replace_last(1, [c["out"]]), "torch")

    def weights(self, layer: Layer) -> Optional[dict]:
        c = layer.config
        if None in (c["in1"], c["in2"], c["out"]):
            return None
        out = {"weight": Shape((c["out"], c["in1"], c["in2"]))}
        if c["bias"] is not False:
            out["bias"] = Shape((c["out"],))
        return out


@layer_rule(*nn("Identity"))
class Identity(LayerRule):
    def apply(self, layer: Layer, call: Call) -> Value:
        return call.get(0) if call.args else UNKNOWN


# Activations and other layers that keep their input's shape and have no weights.
_ACTIVATIONS = """ReLU ReLU6 LeakyReLU PReLU_ ELU SELU CELU GELU SiLU Mish Sigmoid Tanh Hardtanh Hardswish
Hardsigmoid Softplus Softsign Softshrink Hardshrink Tanhshrink Threshold LogSigmoid Dropout Dropout1d Dropout2d
Dropout3d AlphaDropout FeatureAlphaDropout GLU_ RReLU Softmin_""".split()


class SameShape(LayerRule):
    def apply(self, layer: Layer, call: Call) -> Value:
        x = call.tensor(0, "input")
        return x if x is not None else UNKNOWN


class FeatureDropout(SameShape):
    """Dropout2d/Dropout3d: channel-wise, so at least 2-D (SHP405 below that, as torch raises)."""

    def apply(self, layer: Layer, call: Call) -> Value:
        x = call.tensor(0, "input")
        if x is not None:
            require_feature_dropout_rank(describe(layer), call.shape(x), 2 if layer.kind.endswith("2d") else 1)
        return x if x is not None else UNKNOWN


for _n in _ACTIVATIONS:
    if not _n.endswith("_"):
        layer_rule(*nn(_n))(type(_n, (FeatureDropout if _n in ("Dropout2d", "Dropout3d") else SameShape,), {}))


# ---------------------------------------------------------------------------------- the mode
@shape_rule("torch.jit.is_scripting", "torch.jit.is_tracing", "torch.jit._script.is_scripting",
            "torch._jit_internal.is_scripting", "torch.compiler.is_compiling", "torch.compiler.is_dynamo_compiling",
            "torch.compiler.is_exporting", "torch._dynamo.is_compiling", "torch.onnx.is_in_onnx_export",
            "torch.fx._symbolic_trace.is_fx_tracing")
def eager_mode(call: Call) -> Value:
    """False: the file runs as Python runs it, eagerly (TorchScript, tracing, torch.compile and ONNX
    export read the same source another way); the branch each guards is what eager code skips."""
    return Const(False)
