"""``keras.Sequential``: layers built in order, the first one's input from ``input_shape=``/``Input``."""
from __future__ import annotations

from typing import Optional

from ... import dims as D
from ...findings import ShapeError
from ...shapes import Shape
from ...values import UNKNOWN, Const, Layer, Obj, Seq, Tensor, Value
from ..registry import Call, layer_rule
from .base import BATCH, FW, kt, name_of, shape_tuple
from .model import BuildFailed, KerasModel, broken_if_raises, chain


# ---------------------------------------------------------------------------------- Sequential
@layer_rule("keras.Sequential", "keras.models.Sequential", "keras.src.models.sequential.Sequential",
            "keras.engine.sequential.Sequential")
class Sequential(KerasModel):
    def build(self, call: Call) -> Optional[dict]:
        v = call.get(0, "layers")
        layers: Optional[list]
        if v is UNKNOWN and not call.has(0, "layers"):
            layers = []
        elif isinstance(v, Seq):
            layers = list(v.items)
        else:
            layers = None
        cfg: dict = {"layers": layers}
        name = name_of(call.get(None, "name"))
        if name:
            cfg["name"] = name
        return cfg

    def _input(self, layers: list) -> Optional[Shape]:
        if not layers:
            return None
        first = layers[0]
        if isinstance(first, Tensor):
            return first.shape
        if isinstance(first, Layer):
            s = first.config.get("_input")
            return s if isinstance(s, Shape) else None
        return None

    def after_build(self, layer: Layer, call: Call) -> None:
        layers = layer.config.get("layers")
        if layers is None:
            return
        if any(not isinstance(x, (Layer, Obj, Tensor)) for x in layers):
            layer.config["layers"] = None
            return
        self._rebuild(layer, call)

    def _rebuild(self, layer: Layer, call: Call) -> None:
        """Keras builds a Sequential whose input is known: every layer is called on it, in order."""
        layers = layer.config["layers"]
        shape = self._input(layers)
        if shape is None:
            shape = layer.config.get("_build_shape")
        if shape is None:
            return
        x = kt(shape.dims)
        layer.config["_input_tensor"] = x
        layer.config["_has_input"] = True
        layer.config["_output_tensor"] = broken_if_raises(
            layer, lambda: chain([s for s in layers if not (isinstance(s, Layer) and s.kind.endswith("InputLayer"))],
                                 x, call))

    def method_build(self, layer: Layer, call: Call) -> Value:
        """``model.build((None, 4))``: the input shape given by hand; every layer is built on it."""
        ds = shape_tuple(call.get(0, "input_shape"))
        if ds and layer.config.get("layers") is not None and not layer.config.get("_has_input"):
            if D.is_opaque(ds[0]):
                ds[0] = BATCH
            layer.config["_build_shape"] = Shape(tuple(ds))
            self._rebuild(layer, call)
        return Const(None)

    def model_inputs(self, layer: Layer) -> Optional[list]:
        if not layer.config.get("_has_input"):
            return None
        t = layer.config.get("_input_tensor")
        return [t.shape] if isinstance(t, Tensor) else None

    def sublayers(self, layer: Layer) -> Optional[list]:
        layers = layer.config.get("layers")
        if layers is None:
            return None
        return [x for x in layers if not isinstance(x, Tensor) and not (
            isinstance(x, Layer) and x.kind.endswith("InputLayer"))]

    def run(self, layer: Layer, call: Call, xs: list) -> Value:
        layers = layer.config.get("layers")
        if layers is None or len(xs) != 1:
            return UNKNOWN
        if layer.config.get("_has_input") or layer.config.get("_output_tensor") is not None:
            out = chain([s for s in layers if not isinstance(s, Tensor)], xs[0], call)
        else:  # built by this first call: what fails is the build's (the failing layer's code), once
            # (Keras's build makes an InputLayer and a Functional then: the summary's names count them)
            layer.config.setdefault("_built_at", len(call.ctx.created))
            try:
                out = broken_if_raises(layer, lambda: chain([s for s in layers if not isinstance(s, Tensor)], xs[0],
                                                            call))
            except ShapeError as e:
                raise BuildFailed(e.kind, e.message, e.fix) from None
        if (not layer.config.get("_has_input") and isinstance(out, Tensor)
                and layer.config.get("_output_tensor") is None):
            # built by its first call: later data is checked against what it was built for
            layer.config["_output_tensor"] = Tensor(Shape((BATCH,) + out.shape.dims[1:], out.shape.variadic), FW)
        return out

    def is_built(self, layer: Layer) -> bool:
        return self.weight_list(layer) is not None

    def method_add(self, layer: Layer, call: Call) -> Value:
        layers = layer.config.get("layers")
        sub = call.get(0, "layer")
        if layers is None:
            return Const(None)
        if not isinstance(sub, (Layer, Obj, Tensor)):
            layer.config["layers"] = None
            return Const(None)
        layers.append(sub)
        if layer.config.get("_has_input"):
            prev = layer.config.get("_output_tensor")
            if isinstance(sub, Tensor):
                return Const(None)
            layer.config["_output_tensor"] = broken_if_raises(layer, lambda: chain([sub], prev, call)) if isinstance(
                prev, (Tensor, Seq)) else UNKNOWN
        elif len(layers) == 1:
            self._rebuild(layer, call)
        return Const(None)

    def method_pop(self, layer: Layer, call: Call) -> Value:
        layers = layer.config.get("layers")
        if layers:
            layers.pop()
            if layer.config.get("_has_input"):
                self._rebuild(layer, call)
        return Const(None)
