"""Data that a model is fed one batch at a time: ``tf.data`` datasets and Keras's image iterators.

A stream is a ``Layer`` value whose rule is a ``DataStream``; ``config["element"]`` is what one
step yields, as abstract values: a tensor, a tuple ``(x, y)`` or ``(x, y, sample_weight)``, or a
dict of tensors (UNKNOWN where not known). ``model.fit(stream)`` trains on the elements exactly as
on arrays (``ops/keras/model.fit_check``): Keras takes each element as one batch, so a dataset
that was never batched feeds single samples as batches (a classic rank bug, found as such).

The families register their constructors and stream kinds (``ops/tensorflow/data.py``: tf.data;
``ops/keras/preprocessing.py``: ``ImageDataGenerator`` iterators); this module registers nothing.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Optional

from .. import dims as D
from ..dims import Dim
from ..shapes import Shape
from ..values import UNKNOWN, Const, Dict, Layer, Seq, Tensor, Value
from .common import tensor_leaves
from .registry import Call, LayerRule, lookup_layer

ELEMENT = "element"
DATASET = "tensorflow.data.Dataset"  # the kind of a tf.data dataset (ops/tensorflow/data.py)


class DataStream(LayerRule):
    """A source of batches. ``element`` is what one step yields."""

    framework = "tf"

    def build(self, call: Call) -> Optional[dict]:
        # a stream built from what the checker cannot read (a variant tensor, a generator): its
        # elements are unknown
        return {ELEMENT: UNKNOWN}

    def attr(self, layer: Layer, name: str) -> Value:
        if name == "element_spec":
            return element_of(layer) or UNKNOWN
        return UNKNOWN


def is_stream(v: Value) -> bool:
    return isinstance(v, Layer) and isinstance(lookup_layer(v.kind), DataStream)


def element_of(v: Value) -> Optional[Value]:
    """What one step of a stream yields (UNKNOWN where not known); None: ``v`` is no stream."""
    if not is_stream(v):
        return None
    assert isinstance(v, Layer)
    got = v.config.get(ELEMENT, UNKNOWN)
    return got if isinstance(got, Value) else UNKNOWN


def stream(kind: str, element: Value, node: object = None) -> Layer:
    """A new stream of ``kind`` yielding ``element``."""
    return Layer(kind, {ELEMENT: element}, node)


def map_structure(v: Value, f: Callable[[Tensor], Optional[Value]]) -> Value:
    """``f`` on every tensor of a nested tuple/dict structure; UNKNOWN where a leaf is not a tensor
    or ``f`` gives None (a list is no structure: ``tf.data`` converts it to one tensor)."""
    if isinstance(v, Tensor):
        got = f(v)
        return UNKNOWN if got is None else got
    if isinstance(v, Seq) and v.kind == "tuple" and v.items:
        items = [map_structure(x, f) for x in v.items]
        return UNKNOWN if any(x is UNKNOWN for x in items) else Seq(items, "tuple")
    if isinstance(v, Dict) and v.items and all(isinstance(k, str) for k in v.items):
        out = {k: map_structure(x, f) for k, x in v.items.items()}
        return UNKNOWN if any(x is UNKNOWN for x in out.values()) else Dict(out)
    return UNKNOWN


def leaves(v: Value) -> Optional[list]:
    """The tensors of a ``tf.data`` structure (tuples and dicts; a list is an array), in order;
    None where one is not a tensor."""
    return tensor_leaves(v, ("tuple",))


def with_batch(t: Tensor, batch: Dim) -> Tensor:
    """``t`` with a leading batch axis of size ``batch``."""
    if t.shape.variadic:
        return Tensor(Shape.unknown(), t.fw, t.dtype)
    return Tensor(Shape((batch,) + t.shape.dims), t.fw, t.dtype)


def batch_size(call: Call, i: int, name: str, drop: bool) -> Dim:
    """The static batch size: the given size where the remainder is dropped, else unknown (``None``:
    the last batch may be smaller)."""
    n = call.dim(i, name)
    if drop and n is not None and D.as_int(n) is not None:
        return n
    return D.opaque("None")


def is_none(v: Value) -> bool:
    return isinstance(v, Const) and v.value is None
