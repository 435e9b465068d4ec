"""``keras.Input`` / ``keras.layers.InputLayer``: the symbolic tensors a functional model starts from."""
from __future__ import annotations

from typing import Any, Optional

from ... import dims as D
from ...shapes import Shape
from ...values import UNKNOWN, Layer, Tensor, Value, as_dim
from ..registry import Call, layer_rule, shape_rule
from .base import BATCH, FW, KerasLayer, name_of, shape_tuple, spellings


# ---------------------------------------------------------------------------------- Input
@shape_rule("keras.Input", "keras.layers.Input", "keras.src.layers.core.input_layer.Input",
            "keras.src.layers.input_layer.Input", "keras.engine.input_layer.Input")
def keras_input(call: Call) -> Value:
    """``keras.Input(shape=(30, 1))`` -> a (None, 30, 1) Keras tensor."""
    if call.has(None, "batch_shape") or call.has(None, "batch_input_shape"):
        key = "batch_shape" if call.has(None, "batch_shape") else "batch_input_shape"
        ds = shape_tuple(call.get(None, key))
        if not ds:
            return UNKNOWN
        if D.is_opaque(ds[0]):
            ds[0] = BATCH
    else:
        ds = shape_tuple(call.get(0, "shape"))
        if ds is None:
            return UNKNOWN
        b = call.get(1, "batch_size")
        batch = as_dim(b) if call.has(1, "batch_size") and as_dim(b) is not None else BATCH
        ds = [batch] + ds
    dtype = name_of(call.get(2, "dtype")) or ""
    kind = "int" if "int" in dtype else ("bool" if "bool" in dtype else "float")
    return Tensor(Shape(tuple(D.norm(d) for d in ds)), FW, kind)


@layer_rule(*spellings("InputLayer", "core.input_layer"))
class InputLayer(KerasLayer):
    def configure(self, call: Call) -> Optional[dict]:
        kw = call.kwargs
        key = next((k for k in ("shape", "input_shape") if k in kw), None)
        if key is not None or call.args:
            ds = shape_tuple(kw[key] if key else call.args[0])
            if ds is None:
                return None
            batch = as_dim(kw["batch_size"]) if "batch_size" in kw and as_dim(kw["batch_size"]) else BATCH
            shape = Shape(tuple([batch] + ds))
        elif "batch_shape" in kw or "batch_input_shape" in kw:
            ds = shape_tuple(kw["batch_shape"] if "batch_shape" in kw else kw["batch_input_shape"])
            if not ds:
                return None
            shape = Shape(tuple([BATCH if D.is_opaque(ds[0]) else ds[0]] + ds[1:]))
        else:
            return None
        t = Tensor(shape, FW, "float")
        return {"_input": shape, "_output_tensor": t, "_input_tensor": t}

    def compute(self, layer: Layer, call: Call, s: Shape) -> Any:
        return s
