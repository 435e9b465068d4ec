"""``tf.data``: datasets built from arrays and transformed step by step, as TF computes their
``element_spec`` (tensorflow/python/data/ops/dataset_ops.py).

- ``from_tensor_slices(x | (x, y) | {"a": x})``: each tensor loses its first axis (all must share
  it); a list is converted to one tensor, so only tuples and dicts are structures;
- ``from_tensors(t)``: the whole structure is one element; ``range(n)``: scalars; ``zip``: a tuple;
- ``batch(n, drop_remainder=False)``: a leading axis, ``None`` unless the remainder is dropped and
  ``n`` is known; ``unbatch``: the leading axis removed; ``padded_batch``: sizes unknown;
- ``map(f)``: ``f`` runs on the element (a tuple is unpacked into its arguments);
- ``shuffle``/``repeat``/``prefetch``/``cache``/``take``/``skip``/``filter``/``shard``/
  ``with_options``: the same element; ``element_spec``: the element.
``model.fit(dataset)`` trains on the element as on arrays (``ops/keras/model.fit_check``).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Optional

from ... import dims as D
from ...shapes import Shape
from ...values import UNKNOWN, Dict, Layer, Seq, Tensor, Value, same_value
from .. import streams as ST
from ..registry import Call, layer_rule, shape_rule
from .base import tf

DATASET = ST.DATASET
_SAME_ELEMENT = ("shuffle", "repeat", "prefetch", "cache", "take", "skip", "filter", "shard", "with_options",
                 "take_while", "ignore_errors", "rebatch_remainder")


def _tf_tensor(t: Tensor) -> Tensor:
    return Tensor(t.shape, "tf", t.dtype)


def _slice(v: Value) -> Value:
    """``from_tensor_slices``: each tensor without its first axis, all sharing that axis."""
    ts = ST.leaves(v)
    if ts is None:
        return UNKNOWN
    firsts = [t.shape.dim(0) for t in ts]
    if any(t.shape.variadic or not t.shape.dims for t in ts):
        return UNKNOWN
    if any(D.compare(firsts[0], d, None, unify=False) is D.FALSE for d in firsts[1:]):
        return UNKNOWN  # TF raises (the sizes of the first axis differ): no shape bug this checker names
    return ST.map_structure(v, lambda t: Tensor(Shape(t.shape.dims[1:]), "tf", t.dtype))


@shape_rule(*tf("data.Dataset.from_tensor_slices"))
def from_tensor_slices(call: Call) -> Value:
    """``tf.data.Dataset.from_tensor_slices(tensors)``: one element per row."""
    return ST.stream(DATASET, _slice(call.get(0, "tensors")), call.node)


@shape_rule(*tf("data.Dataset.from_tensors"))
def from_tensors(call: Call) -> Value:
    """``tf.data.Dataset.from_tensors(tensors)``: the whole structure is the one element."""
    return ST.stream(DATASET, ST.map_structure(call.get(0, "tensors"), _tf_tensor), call.node)


@shape_rule(*tf("data.Dataset.range"))
def dataset_range(call: Call) -> Value:
    """``tf.data.Dataset.range(...)``: int64 scalars."""
    return ST.stream(DATASET, Tensor(Shape(()), "tf", "int"), call.node)


@shape_rule(*tf("data.Dataset.zip"))
def dataset_zip(call: Call) -> Value:
    """``tf.data.Dataset.zip((a, b))`` (or ``zip(a, b)``): a tuple of their elements."""
    v = call.get(0, "datasets")
    parts = v.items if isinstance(v, Seq) and v.kind == "tuple" and len(call.args) == 1 else call.args
    els = [ST.element_of(d) for d in parts]
    if not els or any(e is None or e is UNKNOWN for e in els):
        return ST.stream(DATASET, UNKNOWN, call.node)
    return ST.stream(DATASET, Seq(list(els), "tuple"), call.node)


@layer_rule(*tf("data.Dataset"))
class Dataset(ST.DataStream):
    """A ``tf.data.Dataset``; its methods give new datasets."""

    def _same(self, layer: Layer, call: Call) -> Value:
        return ST.stream(DATASET, ST.element_of(layer) or UNKNOWN, call.node)

    def method(self, name: str) -> Optional[Callable[[Layer, Call], Value]]:
        if name in _SAME_ELEMENT:
            return self._same
        return super().method(name)

    def method_batch(self, layer: Layer, call: Call) -> Value:
        el = ST.element_of(layer) or UNKNOWN
        drop = call.bool(1, "drop_remainder", False)
        n = ST.batch_size(call, 0, "batch_size", drop is True)
        return ST.stream(DATASET, ST.map_structure(el, lambda t: ST.with_batch(t, n)), call.node)

    def method_padded_batch(self, layer: Layer, call: Call) -> Value:
        el = ST.element_of(layer) or UNKNOWN

        def padded(t: Tensor) -> Optional[Value]:
            if t.shape.variadic:
                return None
            return Tensor(Shape(tuple(D.opaque("None") for _ in range(len(t.shape.dims) + 1))), t.fw, t.dtype)

        return ST.stream(DATASET, ST.map_structure(el, padded), call.node)

    def method_unbatch(self, layer: Layer, call: Call) -> Value:
        el = ST.element_of(layer) or UNKNOWN

        def unbatched(t: Tensor) -> Optional[Value]:
            if t.shape.variadic or not t.shape.dims:
                return None
            return Tensor(Shape(t.shape.dims[1:]), t.fw, t.dtype)

        return ST.stream(DATASET, ST.map_structure(el, unbatched), call.node)

    def method_map(self, layer: Layer, call: Call) -> Value:
        el = ST.element_of(layer) or UNKNOWN
        fn = call.get(0, "map_func")
        if el is UNKNOWN or fn is UNKNOWN:
            return ST.stream(DATASET, UNKNOWN, call.node)
        args = list(el.items) if isinstance(el, Seq) else [el]
        out = call.invoke(fn, *args)
        if isinstance(out, Seq) and out.kind == "list":
            out = UNKNOWN  # (a list is converted to one tensor: stacked, if it can be)
        return ST.stream(DATASET, ST.map_structure(out, _tf_tensor), call.node)

    def method_apply(self, layer: Layer, call: Call) -> Value:
        out = call.invoke(call.get(0, "transformation_func"), layer)
        return out if ST.is_stream(out) else ST.stream(DATASET, UNKNOWN, call.node)

    def method_concatenate(self, layer: Layer, call: Call) -> Value:
        a, b = ST.element_of(layer), ST.element_of(call.get(0, "dataset"))
        same = a is not None and b is not None and _same_structure(a, b)
        return ST.stream(DATASET, a if same and a is not None else UNKNOWN, call.node)


def _same_structure(a: Value, b: Value) -> bool:
    if isinstance(a, Tensor) and isinstance(b, Tensor):
        return same_value(Tensor(a.shape, "tf"), Tensor(b.shape, "tf"))
    if isinstance(a, Seq) and isinstance(b, Seq):
        return len(a.items) == len(b.items) and all(_same_structure(x, y) for x, y in zip(a.items, b.items))
    if isinstance(a, Dict) and isinstance(b, Dict):
        return a.items.keys() == b.items.keys() and all(_same_structure(a.items[k], b.items[k]) for k in a.items)
    return False
