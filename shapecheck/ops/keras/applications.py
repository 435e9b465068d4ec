"""``keras.applications`` builders: the input and output shapes of the stock models."""
from __future__ import annotations

from typing import Optional

from ... import dims as D
from ...findings import ShapeError
from ...shapes import Shape
from ...values import UNKNOWN, Const, Layer, Tensor, Value
from ..registry import Call, layer_rule
from .base import BATCH, FW, name_of, shape_tuple
from .model import KerasModel

# ---------------------------------------------------------------------------------- applications
# name -> (module, default input size, channels of the last feature map, top is a Flatten)
_APPS = {
    "ResNet50": ("resnet", 224, 2048, False), "ResNet101": ("resnet", 224, 2048, False),
    "ResNet152": ("resnet", 224, 2048, False), "ResNet50V2": ("resnet_v2", 224, 2048, False),
    "ResNet101V2": ("resnet_v2", 224, 2048, False), "ResNet152V2": ("resnet_v2", 224, 2048, False),
    "VGG16": ("vgg16", 224, 512, True), "VGG19": ("vgg19", 224, 512, True),
    "MobileNet": ("mobilenet", 224, 1024, False), "MobileNetV2": ("mobilenet_v2", 224, 1280, False),
    "MobileNetV3Small": ("mobilenet_v3", 224, None, False), "MobileNetV3Large": ("mobilenet_v3", 224, None, False),
    "InceptionV3": ("inception_v3", 299, 2048, False), "InceptionResNetV2": ("inception_resnet_v2", 299, 1536, False),
    "Xception": ("xception", 299, 2048, False), "DenseNet121": ("densenet", 224, 1024, False),
    "DenseNet169": ("densenet", 224, 1664, False), "DenseNet201": ("densenet", 224, 1920, False),
    "NASNetMobile": ("nasnet", 224, 1056, False), "NASNetLarge": ("nasnet", 331, 4032, False),
    "EfficientNetB0": ("efficientnet", 224, 1280, False), "EfficientNetB1": ("efficientnet", 240, 1280, False),
    "EfficientNetB2": ("efficientnet", 260, 1408, False), "EfficientNetB3": ("efficientnet", 300, 1536, False),
    "EfficientNetB4": ("efficientnet", 380, 1792, False), "EfficientNetB5": ("efficientnet", 456, 2048, False),
    "EfficientNetB6": ("efficientnet", 528, 2304, False), "EfficientNetB7": ("efficientnet", 600, 2560, False),
    "ConvNeXtTiny": ("convnext", 224, 768, False), "ConvNeXtSmall": ("convnext", 224, 768, False),
    "ConvNeXtBase": ("convnext", 224, 1024, False), "ConvNeXtLarge": ("convnext", 224, 1536, False),
    "ConvNeXtXLarge": ("convnext", 224, 2048, False),
}


class Application(KerasModel):
    """A ``keras.applications`` builder: an opaque model with a known input and output."""

    strict_inputs = True

    app = ""

    def build(self, call: Call) -> Optional[dict]:
        mod, size, chans, flat = _APPS[self.app]
        top = call.bool(0, "include_top", True)
        if top is None:
            return None
        it = call.tensor(None, "input_tensor")
        isv = call.get(None, "input_shape")
        if it is not None:
            inp = call.shape(it)
        elif isv is not UNKNOWN and not (isinstance(isv, Const) and isv.value is None):
            ds = shape_tuple(isv)
            if ds is None:
                return None
            inp = Shape(tuple([BATCH] + ds))
        elif top:
            inp = Shape((BATCH, size, size, 3))
        else:
            inp = Shape((BATCH, D.opaque("None"), D.opaque("None"), 3))
        pooling = name_of(call.get(None, "pooling"))
        classes = call.dim(None, "classes", 1000)
        c = chans if chans is not None else D.opaque("None")
        if top:
            if classes is None:
                return None
            out = Shape((BATCH, classes))
        elif pooling in ("avg", "max"):
            out = Shape((BATCH, c))
        else:
            out = Shape((BATCH, D.opaque("None"), D.opaque("None"), c))
        cfg: dict = {"input": inp, "output": out, "top": top, "flat": flat,
                     "_input_tensor": Tensor(inp, FW, "float"), "_output_tensor": Tensor(out, FW, "float")}
        name = name_of(call.get(None, "name"))
        if name:
            cfg["name"] = name
        return cfg

    def model_inputs(self, layer: Layer) -> Optional[list]:
        return [layer.config["input"]]

    def run(self, layer: Layer, call: Call, xs: list) -> Value:
        if len(xs) != 1:
            return UNKNOWN
        s = call.shape(xs[0])
        ref = layer.config["input"]
        if s.variadic or ref.variadic or len(s.dims) != len(ref.dims):
            return UNKNOWN
        # the channels always matter (the first conv's kernel); the spatial sizes only where the
        # top is a Flatten feeding Dense layers (VGG)
        axes = [len(ref.dims) - 1] + (list(range(1, len(ref.dims) - 1)) if layer.config["top"] and layer.config["flat"]
                                      else [])
        for i in axes:
            if D.compare(ref.dims[i], s.dims[i], call.bindings, unify=False) is D.FALSE:
                raise ShapeError("layer-input-mismatch", lambda i=i: (  # type: ignore[misc]
                    f"{self.app} expects inputs of shape {ref} but gets {s}: size {D.fmt(s.dims[i])} at axis {i}, "
                    f"not {D.fmt(ref.dims[i])}"))
        out = layer.config["output"]
        return Tensor(Shape((s.dims[0],) + out.dims[1:]), FW, "float")

    def sublayers(self, layer: Layer) -> Optional[list]:
        return None


for _app, (_mod, *_rest) in _APPS.items():
    layer_rule(f"keras.applications.{_app}", f"keras.applications.{_mod}.{_app}",
               f"keras.src.applications.{_mod}.{_app}")(type(_app, (Application,), {"app": _app}))
