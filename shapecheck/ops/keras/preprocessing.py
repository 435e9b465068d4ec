"""Keras image loaders: ``ImageDataGenerator`` and its iterators (keras/src/legacy/preprocessing/
image.py, the Keras 2 API that tutorials still use) and ``image_dataset_from_directory``
(keras/src/utils/image_dataset_utils.py), as streams of batches (``ops/streams.py``).

- ``flow_from_directory(d, target_size=(256, 256), color_mode="rgb", classes=None,
  class_mode="categorical", batch_size=32)`` and ``flow_from_dataframe`` yield ``(x, y)``: ``x`` is
  ``(batch, *target_size, channels)`` (channels first where the generator's ``data_format`` says
  so; 3 for rgb, 4 for rgba, 1 for grayscale); ``y`` is ``(batch, k)`` one-hot for
  ``categorical`` (``k`` the classes: ``len(classes)`` where listed, else unknown), ``(batch,)``
  for ``binary`` and ``sparse``, ``x`` itself for ``input``; ``class_mode=None`` yields ``x`` only;
- ``flow(x, y=None, batch_size=32)``: batches of a 4-D ``x`` (and of ``y``);
- ``image_dataset_from_directory(d, label_mode="int", image_size=(256, 256), color_mode="rgb",
  batch_size=32)``: a ``tf.data`` dataset of ``(x, y)``, ``y`` ``(batch,)`` ints, ``(batch, k)``
  one-hot for ``categorical``, ``(batch, 1)`` for ``binary``; ``label_mode=None`` (or
  ``labels=None``) yields ``x`` only; ``batch_size=None`` yields single images.
The batch size is unknown (the last batch may be smaller).
"""
from __future__ import annotations

from typing import Optional

from ... import dims as D
from ...dims import Dim
from ...shapes import Shape
from ...values import UNKNOWN, Const, Layer, Seq, Tensor, Value, as_dims, as_str
from .. import streams as ST
from ..registry import Call, LayerRule, layer_rule, shape_rule

ITERATOR = "keras.preprocessing.image.Iterator"
_CHANNELS = {"rgb": 3, "rgba": 4, "grayscale": 1}


def _image_shape(call: Call, size_arg: str, size_i: Optional[int], channels_first: Optional[bool]) -> Optional[tuple]:
    """``(h, w, c)`` (or ``(c, h, w)``) of the images a loader yields; None where not known."""
    size = as_dims(call.get(size_i, size_arg, (256, 256)))
    mode = as_str(call.get(None, "color_mode", "rgb"))
    if size is None or len(size) != 2 or any(d is None for d in size) or mode not in _CHANNELS:
        return None
    if channels_first is None:
        return None
    c = _CHANNELS[mode]
    return (c, *size) if channels_first else (*size, c)


def _classes(call: Call) -> Dim:
    v = call.get(None, "classes", None)
    if isinstance(v, Seq) and v.items:
        return len(v.items)
    v = call.get(None, "class_names", None)
    if isinstance(v, Seq) and v.items:
        return len(v.items)
    return D.computed("number of classes")


def _tensor(dims: tuple, dtype: str = "float") -> Tensor:
    return Tensor(Shape(tuple(dims)), "numpy", dtype)


@layer_rule("keras.preprocessing.image.ImageDataGenerator", "keras.src.legacy.preprocessing.image.ImageDataGenerator",
            "keras._legacy.preprocessing.image.ImageDataGenerator", "keras_preprocessing.image.ImageDataGenerator",
            "keras_preprocessing.image.image_data_generator.ImageDataGenerator")
class ImageDataGenerator(LayerRule):
    """The generator: its ``flow*`` methods make iterators of batches."""

    framework = "numpy"

    def build(self, call: Call) -> Optional[dict]:
        fmt = call.get(None, "data_format", None)
        first: Optional[bool] = False  # Keras's image_data_format() is channels_last unless configured
        if not (isinstance(fmt, Const) and fmt.value is None):
            s = as_str(fmt)
            first = None if s not in ("channels_first", "channels_last") else s == "channels_first"
        return {"channels_first": first}

    def _iterator(self, layer: Layer, call: Call, directory: bool) -> Value:
        if len(call.args) > (2 if directory else 4):
            return ST.stream(ITERATOR, UNKNOWN, call.node)  # (color_mode, class_mode... given by position)
        shape = _image_shape(call, "target_size", 1 if directory else None, layer.config.get("channels_first"))
        mode_v = call.get(None, "class_mode", "categorical")
        if shape is None or not (isinstance(mode_v, Const) and (mode_v.value is None or isinstance(mode_v.value, str))):
            return ST.stream(ITERATOR, UNKNOWN, call.node)
        batch = D.opaque("batch")
        x = _tensor((batch, *shape))
        mode = mode_v.value
        y: Value
        if mode is None:
            return ST.stream(ITERATOR, x, call.node)
        if mode == "categorical":
            y = _tensor((batch, _classes(call)))
        elif mode in ("binary", "sparse"):
            y = _tensor((batch,))
        elif mode == "input":
            y = x
        else:  # "raw", "multi_output": the dataframe's own columns
            y = UNKNOWN
        return ST.stream(ITERATOR, Seq([x, y], "tuple") if y is not UNKNOWN else UNKNOWN, call.node)

    def method_flow_from_directory(self, layer: Layer, call: Call) -> Value:
        return self._iterator(layer, call, True)

    def method_flow_from_dataframe(self, layer: Layer, call: Call) -> Value:
        return self._iterator(layer, call, False)

    def method_flow(self, layer: Layer, call: Call) -> Value:
        x = call.tensor(0, "x")
        if x is None or call.shape(x).rank != 4:
            return ST.stream(ITERATOR, UNKNOWN, call.node)  # (Keras raises on another rank)
        batch = D.opaque("batch")
        bx = _tensor((batch, *call.shape(x).dims[1:]), x.dtype or "float")
        if call.is_none(1, "y"):
            return ST.stream(ITERATOR, bx, call.node)
        y = call.tensor(1, "y")
        if y is None or call.shape(y).variadic or not call.shape(y).dims:
            return ST.stream(ITERATOR, UNKNOWN, call.node)
        return ST.stream(ITERATOR, Seq([bx, _tensor((batch, *call.shape(y).dims[1:]), y.dtype or "float")], "tuple"),
                         call.node)

    def method_fit(self, layer: Layer, call: Call) -> Value:
        return Const(None)


@layer_rule(ITERATOR, "keras.preprocessing.image.DirectoryIterator", "keras.preprocessing.image.NumpyArrayIterator")
class ImageIterator(ST.DataStream):
    """A Keras iterator: each ``next()`` is one batch."""

    framework = "numpy"

    def method_next(self, layer: Layer, call: Call) -> Value:
        return ST.element_of(layer) or UNKNOWN


@shape_rule("keras.utils.image_dataset_from_directory", "keras.preprocessing.image_dataset_from_directory",
            "keras.src.utils.image_dataset_utils.image_dataset_from_directory")
def image_dataset_from_directory(call: Call) -> Value:
    """A ``tf.data`` dataset of ``(images, labels)`` batches read from class folders."""
    fmt = call.get(None, "data_format", None)
    first = None if not (isinstance(fmt, Const) and fmt.value in (None, "channels_last", "channels_first")) else (
        fmt.value == "channels_first")
    shape = _image_shape(call, "image_size", None, first)
    labels = call.get(1, "labels", "inferred")
    mode_v = call.get(2, "label_mode", "int")
    bs = call.get(None, "batch_size", 32)
    batched = not (isinstance(bs, Const) and bs.value is None)
    if len(call.args) > 3 or shape is None or not (
            isinstance(mode_v, Const) and (mode_v.value is None or isinstance(mode_v.value, str))):
        return ST.stream(ST.DATASET, UNKNOWN, call.node)  # (color_mode, image_size... given by position)
    lead: tuple = (D.opaque("None"),) if batched else ()
    x = Tensor(Shape(lead + shape), "tf", "float")
    mode = mode_v.value
    if mode is None or (isinstance(labels, Const) and labels.value is None):
        return ST.stream(ST.DATASET, x, call.node)
    if mode == "int":
        y = Tensor(Shape(lead), "tf", "int")
    elif mode == "categorical":
        y = Tensor(Shape(lead + (_classes(call),)), "tf", "float")
    elif mode == "binary":
        y = Tensor(Shape(lead + (1,)), "tf", "float")
    else:
        return ST.stream(ST.DATASET, UNKNOWN, call.node)
    return ST.stream(ST.DATASET, Seq([x, y], "tuple"), call.node)
