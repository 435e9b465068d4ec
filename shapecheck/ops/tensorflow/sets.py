"""``tf.sets``: ``intersection``/``union``/``difference`` of two sets along the last axis (``set_*`` in
TF1) and ``size``.

The two operands (dense or sparse) must have one rank, at least 2, and the same sizes but the last
(TF's shape function: "Shape must be rank 2 but is rank 3", "Dimension 0 in both shapes must be
equal"). The result is a ``SparseTensor`` of that rank whose sizes TF does not know statically; its
``size`` drops the last axis."""
from __future__ import annotations

from ... import dims as D
from ...findings import ShapeError
from ...shape_math.require import require_equal
from ...shapes import Shape
from ...values import UNKNOWN, Tensor, Value
from ..registry import Call, shape_rule
from .base import _shape, tf
from .shape_ops import _op


def _unknown_sizes(rank: int) -> Shape:
    return Shape(tuple(D.opaque("None") for _ in range(rank)))


@shape_rule(*tf("sets.intersection", "sets.union", "sets.difference", "sets.set_intersection", "sets.set_union",
                "sets.set_difference"))
def tf_set_op(call: Call) -> Value:
    a, b = call.tensor(0, "a"), call.tensor(1, "b")
    if a is None or b is None:
        return UNKNOWN
    sa, sb = _shape(call, a), _shape(call, b)
    op = _op(call)
    for s in (sa, sb):
        if s.rank is not None and s.rank < 2:
            raise ShapeError("layer-rank", f"{op} takes sets along the last axis of tensors of at least 2-D, "
                                           f"got {s.rank}-D {s}")
    if sa.rank is None or sb.rank is None:
        return Tensor(Shape.unknown(), "tf", a.dtype)
    if sa.rank != sb.rank:
        raise ShapeError("batch-mismatch", f"{op} of {sa} and {sb}: the operands must have one rank, "
                                           f"{sa.rank} != {sb.rank}")
    for i, (x, y) in enumerate(zip(sa.dims[:-1], sb.dims[:-1])):
        require_equal(x, y, call.bindings, "batch-mismatch",
                      f"{op} of {sa} and {sb}: the sizes before the last axis must be equal; {D.fmt(x)} != "
                      f"{D.fmt(y)} at axis {i}", unify=False)
    return Tensor(_unknown_sizes(sa.rank), "tf", a.dtype)


@shape_rule(*tf("sets.size", "sets.set_size"))
def tf_set_size(call: Call) -> Value:
    """``tf.sets.size(a)``: the number of elements of each set, ``a``'s shape without its last axis."""
    a = call.tensor(0, "a")
    if a is None:
        return UNKNOWN
    s = _shape(call, a)
    if s.rank is None:
        return Tensor(Shape.unknown(), "tf", "int")
    if s.rank < 2:
        raise ShapeError("layer-rank", f"{_op(call)} takes sets along the last axis of a tensor of at least 2-D, "
                                       f"got {s.rank}-D {s}")
    return Tensor(Shape(s.dims[:-1]), "tf", "int")
