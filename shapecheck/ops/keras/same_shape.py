"""Keras layers that return their input's shape: activations, dropout and noise, rescaling ..."""
from __future__ import annotations

from typing import Any, Optional

from ...shapes import Shape
from ...values import UNKNOWN, Const, Dict, Layer, Seq, Tensor, Value
from ..registry import Call, layer_rule
from .base import FW, KerasLayer, bind_built, check_rank, record, snake, spellings, usable
from .normalization import axes_arg, normalized_axes


# ---------------------------------------------------------------------------------- same-shape layers
class SameShape(KerasLayer):
    min_ndim: Optional[int] = None
    ndim: Optional[int] = None

    def compute(self, layer: Layer, call: Call, s: Shape) -> Any:
        check_rank(layer, s, ndim=self.ndim, min_ndim=self.min_ndim)
        return s


_SAME = {
    "Dropout": "regularization.dropout", "GaussianNoise": "regularization.gaussian_noise",
    "GaussianDropout": "regularization.gaussian_dropout", "AlphaDropout": "regularization.alpha_dropout",
    "ActivityRegularization": "regularization.activity_regularization", "Activation": "activations.activation",
    "Softmax": "activations.softmax", "ReLU": "activations.relu", "LeakyReLU": "activations.leaky_relu",
    "ELU": "activations.elu", "Masking": "core.masking", "Identity": "core.identity",
    "Rescaling": "preprocessing.rescaling", "UnitNormalization": "normalization.unit_normalization",
    "ThresholdedReLU": "activations.thresholded_relu",
}
for _n, _src in _SAME.items():
    layer_rule(*spellings(_n, _src))(type(_n, (SameShape,), {}))
# image augmentation and preprocessing layers: the output has the input's shape (checked against
# Keras 3.15 in tests/test_ops_keras.py), no weights
_AUGMENT = ("RandomFlip", "RandomRotation", "RandomZoom", "RandomTranslation", "RandomContrast", "RandomBrightness",
            "RandomHue", "RandomSaturation", "RandomColorDegeneration", "RandomColorJitter", "RandomSharpness",
            "RandomShear", "RandomInvert", "RandomPosterization", "RandomGaussianBlur", "RandomErasing",
            "RandomPerspective", "RandomElasticTransform", "AutoContrast", "Equalization", "Solarization",
            "RandomGrayscale", "AugMix", "RandAugment")
for _n in _AUGMENT:
    layer_rule(*spellings(_n, "preprocessing.image_preprocessing." + snake(_n)))(type(_n, (SameShape,), {}))
for _r in (1, 2, 3):
    layer_rule(*spellings(f"SpatialDropout{_r}D", "regularization.spatial_dropout"))(
        type(f"SpatialDropout{_r}D", (SameShape,), {"ndim": _r + 2}))


@layer_rule(*spellings("PReLU", "activations.prelu"))
class PReLU(KerasLayer):
    def configure(self, call: Call) -> Optional[dict]:
        sa = call.get(None, "shared_axes")
        shared = [] if sa is UNKNOWN or (isinstance(sa, Const) and sa.value is None) else axes_arg(sa, 1)
        return None if shared is None else {"shared": shared}

    def compute(self, layer: Layer, call: Call, s: Shape) -> Any:
        if not s.variadic and layer.config.get("_alpha") is None and all(usable(d) for d in s.dims[1:]):
            layer.config["_alpha"] = tuple(1 if i in layer.config["shared"] else d for i, d in enumerate(s.dims) if i)
        return s

    def is_built(self, layer: Layer) -> bool:
        return layer.config.get("_alpha") is not None

    def weights(self, layer: Layer) -> dict:
        a = layer.config.get("_alpha")
        return {} if a is None else {"alpha": Shape(a)}


@layer_rule(*spellings("Normalization", "preprocessing.normalization"))
class Normalization(KerasLayer):
    """Keras 3 Normalization: non-trainable ``mean``, ``variance`` (the axis sizes) and ``count``."""

    def configure(self, call: Call) -> Optional[dict]:
        axes = axes_arg(call.get(0, "axis"), -1)
        if axes is None or len(axes) != 1:
            return None
        return {"axis": axes[0]}

    def compute(self, layer: Layer, call: Call, s: Shape) -> Any:
        ax = normalized_axes(layer, s, [layer.config["axis"]])
        if ax is not None:
            bind_built(layer, call, s, ax[0], param="features")
        return s

    def is_built(self, layer: Layer) -> bool:
        return layer.config.get("_in") is not None

    def weights(self, layer: Layer) -> dict:
        c = layer.config.get("_in")
        if c is None:
            return {}
        return {"mean": Shape((c,)), "variance": Shape((c,)), "count": Shape(())}

    def non_trainable(self, layer: Layer) -> set:
        return {"mean", "variance", "count"}


@layer_rule(*spellings("Lambda", "core.lambda_layer"))
class Lambda(KerasLayer):
    """Keras computes the output by running the function on the symbolic input: so do we (a body
    of known ops gives a shape; anything else is unknown). A given ``output_shape`` is not read."""

    def configure(self, call: Call) -> Optional[dict]:
        extra = call.get(None, "arguments")
        return {"function": call.get(0, "function"), "arguments": extra,
                "known": not call.has(1, "output_shape") and not call.has(None, "mask") and (
                    not call.has(None, "arguments") or isinstance(extra, Dict))}

    def apply(self, layer: Layer, call: Call) -> Value:
        x = call.get(0, "inputs")
        fn = layer.config.get("function")
        if not layer.config.get("known") or fn is None or fn is UNKNOWN or not (
                isinstance(x, Tensor) or isinstance(x, Seq) and all(isinstance(t, Tensor) for t in x.items)):
            return record(Tensor(Shape.unknown(), FW, "float"), layer, call)
        extra = layer.config.get("arguments")
        out = call.invoke(fn, x, **(dict(extra.items) if isinstance(extra, Dict) else {}))
        if isinstance(out, Tensor):
            out = Tensor(out.shape, FW, out.dtype)
        elif not (isinstance(out, Seq) and all(isinstance(t, Tensor) for t in out.items)):
            out = Tensor(Shape.unknown(), FW, "float")
        if "_output_tensor" not in layer.config and (isinstance(x, Tensor) and x.fw == FW):
            layer.config["_output_tensor"] = out
        return record(out, layer, call)

    def weights(self, layer: Layer) -> dict:
        return {}
