"""TF1 input queues: ``tf.FIFOQueue`` / ``tf.queue.FIFOQueue(capacity, dtypes, shapes=None)``,
``RandomShuffleQueue(capacity, min_after_dequeue, dtypes, shapes)`` and ``PaddingFIFOQueue``.

A queue built with ``shapes`` holds elements of those component shapes: ``enqueue(vals)`` takes one
element (each component compatible with its shape), ``enqueue_many(vals)`` a batch of them (each
component ``(n, *shape)``, one ``n`` for all), as TF checks when the graph is built ("Shapes (3, 5)
and (3, 4) are incompatible"), SHP701; ``dequeue()`` gives the component shapes (one tensor for a
queue of one component), ``dequeue_many(n)`` ``(n, *shape)``, ``dequeue_up_to(n)`` an unknown count.
A queue built without ``shapes`` (or with ``names``) gives tensors of unknown shape."""
from __future__ import annotations

from typing import Optional

from ... import dims as D
from ...findings import ShapeError
from ...shape_math.require import require_equal
from ...shapes import Shape
from ...values import UNKNOWN, Layer, Seq, Tensor, Value, tensor_of
from ..keras.base import shape_tuple
from ..registry import Call, LayerRule, layer_rule
from .base import tf
from .graphs import OPERATION, _dtype_of

_QUEUES = ("FIFOQueue", "RandomShuffleQueue", "PaddingFIFOQueue")


def _shape_list(v: Value, n: int) -> Optional[list]:
    """``shapes=``: one shape per component. A list of sizes is one shape (TF's ``_as_shape_list``)."""
    if not isinstance(v, Seq):
        return None
    items = v.items
    if all(not isinstance(x, Seq) for x in items):
        items = [v]
    out = [shape_tuple(x) if isinstance(x, Seq) else None for x in items]
    if len(out) != n or any(s is None for s in out):
        return None
    return [Shape(tuple(s)) for s in out if s is not None]


@layer_rule(*tf(*_QUEUES, *(f"queue.{q}" for q in _QUEUES)))
class QueueRule(LayerRule):
    framework = "tf"

    def build(self, call: Call) -> Optional[dict]:
        shuffle = call.qualname.endswith("RandomShuffleQueue")
        dt = call.get(2 if shuffle else 1, "dtypes")
        dtypes = [_dtype_of(x) for x in dt.items] if isinstance(dt, Seq) else [_dtype_of(dt)]
        sv = call.get(3 if shuffle else 2, "shapes")
        named = call.has(4 if shuffle else 3, "names") and not call.is_none(4 if shuffle else 3, "names")
        shapes = None if named else _shape_list(sv, len(dtypes))
        return {"shapes": shapes, "dtypes": dtypes, "named": named,
                "_repr": ", ".join(str(s) for s in shapes) if shapes else "?"}

    def _components(self, layer: Layer, call: Call) -> Optional[list]:
        """The tensors given to an enqueue, paired with the queue's shapes (None: not comparable)."""
        shapes = layer.config.get("shapes")
        v = call.get(0, "vals")
        vals = v.items if isinstance(v, Seq) else [v]
        ts = [tensor_of(x) for x in vals]
        if shapes is None or len(ts) != len(shapes) or any(t is None for t in ts):
            return None
        return [(call.shape(t), want) for t, want in zip(ts, shapes) if t is not None]

    def method_enqueue(self, layer: Layer, call: Call) -> Value:
        for i, (got, want) in enumerate(self._components(layer, call) or []):
            _compatible(call, f"queue.enqueue: component {i}", got, want)
        return Tensor(Shape.unknown(), "tf", None, OPERATION)

    def method_enqueue_many(self, layer: Layer, call: Call) -> Value:
        count = None
        for i, (got, want) in enumerate(self._components(layer, call) or []):
            what = f"queue.enqueue_many: component {i}"
            if got.variadic:
                continue
            if not got.dims:
                raise ShapeError("input-data-mismatch", f"{what} is a scalar; enqueue_many takes a batch "
                                                        f"(n, *{want}) of elements of shape {want}")
            _compatible(call, what + " without its leading (count) axis", Shape(got.dims[1:]), want)
            if count is None:
                count = got.dims[0]
            else:
                require_equal(got.dims[0], count, call.bindings, "input-data-mismatch",
                              f"{what} of shape {got} has {D.fmt(got.dims[0])} elements, component 0 has "
                              f"{D.fmt(count)}: enqueue_many takes one count for all components", unify=False)
        return Tensor(Shape.unknown(), "tf", None, OPERATION)

    def _out(self, layer: Layer, lead: tuple) -> Value:
        shapes = layer.config.get("shapes")
        dtypes = layer.config.get("dtypes") or []
        if layer.config.get("named"):
            return UNKNOWN
        if shapes is None:
            outs = [Tensor(Shape.unknown(), "tf", d) for d in dtypes]
        else:
            outs = [Tensor(Shape(lead + s.dims), "tf", d) for s, d in zip(shapes, dtypes)]
        if len(outs) == 1:  # (TF: one component, one tensor)
            return outs[0]
        return Seq(outs, "list")

    def method_dequeue(self, layer: Layer, call: Call) -> Value:
        return self._out(layer, ())

    def method_dequeue_many(self, layer: Layer, call: Call) -> Value:
        n = call.dim(0, "n")
        return self._out(layer, (n if n is not None else D.opaque("None"),))

    def method_dequeue_up_to(self, layer: Layer, call: Call) -> Value:
        return self._out(layer, (D.opaque("None"),))

    def method_size(self, layer: Layer, call: Call) -> Value:
        return Tensor(Shape(()), "tf", "int")

    def method_close(self, layer: Layer, call: Call) -> Value:
        return Tensor(Shape.unknown(), "tf", None, OPERATION)


def _compatible(call: Call, what: str, got: Shape, want: Shape) -> None:
    """TF's ``assert_is_compatible_with``: one rank, equal sizes where both are known."""
    if got.variadic:
        return
    if len(got.dims) != len(want.dims):
        raise ShapeError("input-data-mismatch", f"{what}: shape {got} does not fit the queue's {want} "
                                                f"({len(got.dims)}-D, not {len(want.dims)}-D)")
    for i, (a, b) in enumerate(zip(got.dims, want.dims)):
        require_equal(a, b, call.bindings, "input-data-mismatch",
                      f"{what}: shape {got} does not fit the queue's {want}: {D.fmt(a)} != {D.fmt(b)} at axis {i}",
                      unify=False)

