"""``keras.utils`` functions with a shape: ``to_categorical``."""
from __future__ import annotations

from ... import dims as D
from ...shapes import Shape
from ...values import PURE_RULES, UNKNOWN, Tensor, Value
from ..registry import Call, shape_rule


# ---------------------------------------------------------------------------------- utilities
@shape_rule("keras.utils.to_categorical", "keras.utils.np_utils.to_categorical",
            "keras.src.utils.numerical_utils.to_categorical", "keras.np_utils.to_categorical")
def to_categorical(call: Call) -> Value:
    """One-hot labels: ``(N,)`` or ``(N, 1)`` -> ``(N, num_classes)``; Keras drops a trailing 1.
    Without ``num_classes`` (or with one the checker cannot compute) Keras counts ``max(y) + 1``
    classes: computed where the labels' values are known, else a computed size of its own, so the
    rank and the rows are still checked."""
    y = call.tensor(0, "x")
    n = call.dim(1, "num_classes")
    if y is None:
        return UNKNOWN
    if n is None:
        given = not call.is_none(1, "num_classes")
        n = D.computed(call.text(1 if call.has(1) else "num_classes")) if given else _classes_of(y)
    s = call.shape(y)
    if s.variadic:
        return Tensor(Shape((n,), True), "numpy", "float")
    dims = s.dims
    if len(dims) > 1 and D.as_int(dims[-1]) == 1:
        dims = dims[:-1]
    return Tensor(Shape(dims + (n,)), "numpy", "float")


PURE_RULES.add(to_categorical)  # it reads the labels' values, never changes them


def _classes_of(y: Tensor) -> D.Dim:
    """``max(y) + 1``: computed where the labels' values are known, else a size of its own."""
    vals = y.values
    if vals is not None and vals.kind == "int" and vals.items and all(
            isinstance(v, int) and v >= 0 for v in vals.items):
        return max(vals.items) + 1
    return D.computed("num_classes")
