"""TF1 losses (``tf.losses.*`` / ``tf.compat.v1.losses.*``) and the sampled losses ``tf.nn.nce_loss`` /
``tf.nn.sampled_softmax_loss``.

TF1's losses check their two arguments with ``assert_is_compatible_with``: the same rank, and
sizes that are equal where both are known (a ``ValueError``, "Shapes (?, 1) and (?,) are
incompatible", when the graph is built); ``sparse_softmax_cross_entropy`` first drops a last size
of 1 from labels of the logits' rank, then wants labels of the logits' shape without its last
axis. The result is a scalar (the default reduction), the per-element losses with
``reduction=Reduction.NONE``.

``tf.losses.mean_squared_error`` is also TF 2's name of the Keras loss, which broadcasts its
arguments instead: under that spelling shapes that differ but broadcast are SHP503 (a TF1 graph
raises on them, TF 2 silently averages over the broadcast pairs), and only shapes that do not
broadcast are an error."""
from __future__ import annotations

from typing import Optional

from ... import dims as D
from ...dims import Dim
from ...findings import Fix, ShapeError
from ...shape_math.require import mismatch_note
from ...shapes import Shape
from ...values import UNKNOWN, Const, Ext, Seq, Tensor, Value, tensor_of
from ..common import broadcast_shapes
from ..registry import Call, shape_rule
from .base import _shape, tf
from .shape_ops import _op, _same_shape, _sparse_labels

_TF1 = ("tensorflow.losses.", "tensorflow.compat.v1.losses.")


def _tf1(*names: str) -> tuple:
    """A TF1 loss: ``tf.losses.X`` and ``tf.compat.v1.losses.X`` (``tf.compat.v2.losses`` is Keras's)."""
    return tuple(p + n for n in names for p in _TF1)


# the (labels, predictions) argument names of each loss
_PAIRS = {"mean_squared_error": ("labels", "predictions"), "absolute_difference": ("labels", "predictions"),
          "huber_loss": ("labels", "predictions"), "log_loss": ("labels", "predictions"),
          "hinge_loss": ("labels", "logits"), "softmax_cross_entropy": ("onehot_labels", "logits"),
          "sigmoid_cross_entropy": ("multi_class_labels", "logits"),
          "sparse_softmax_cross_entropy": ("labels", "logits")}


def _unreduced(call: Call) -> Optional[bool]:
    """``reduction=``: True for ``Reduction.NONE``, False for a reducing one (or none given), None
    where it is not known."""
    if not call.has(None, "reduction"):
        return False
    v = call.get(None, "reduction")
    name = v.qualname.rsplit(".", 1)[-1] if isinstance(v, Ext) else (
        v.value if isinstance(v, Const) and isinstance(v.value, str) else None)
    if name is None:
        return None
    return name.lower() == "none"


def _pair(call: Call, names: tuple) -> Optional[tuple]:
    a, b = call.tensor(0, names[0]), call.tensor(1, names[1])
    if a is None or b is None:
        return None
    sa, sb = _shape(call, a), _shape(call, b)
    return None if sa.variadic or sb.variadic else (sa, sb)


def _loss_name(call: Call) -> str:
    return call.qualname.rsplit(".", 1)[-1]


@shape_rule(*_tf1("absolute_difference", "huber_loss", "log_loss", "hinge_loss", "softmax_cross_entropy",
                  "sigmoid_cross_entropy"), "tensorflow.compat.v1.losses.mean_squared_error")
def tf1_loss(call: Call) -> Value:
    """``tf.losses.mean_squared_error(labels, predictions)`` and the others taking two tensors of one
    shape (``softmax_cross_entropy(onehot_labels, logits)``: the per-example loss drops the class axis)."""
    names = _PAIRS[_loss_name(call)]
    got = _pair(call, names)
    if got is not None:
        _same_shape(call, _op(call), got[0], got[1], names)
    return _result(call, got[1] if got is not None else None, _loss_name(call) == "softmax_cross_entropy")


@shape_rule("tensorflow.losses.mean_squared_error")
def tf_losses_mse(call: Call) -> Value:
    """``tf.losses.mean_squared_error``: TF1's loss, or (TF 2) Keras's, which broadcasts (module docstring)."""
    got = _pair(call, _PAIRS["mean_squared_error"])
    if got is None:
        return UNKNOWN
    ls, ps = got
    out = broadcast_shapes(call, [ls, ps], what="tf.losses.mean_squared_error of labels and predictions")
    if len(ls.dims) != len(ps.dims) or ls.same(ps, None) is D.FALSE:
        raise ShapeError("loss-broadcast", lambda: (
            f"tf.losses.mean_squared_error gets labels {ls} and predictions {ps} of different shapes: TF1 raises "
            f"(\"Shapes {ps} and {ls} are incompatible\"), TF 2's Keras loss averages over the broadcast {out}"),
            Fix("give labels and predictions one shape (e.g. tf.reshape(labels, [-1, 1]) or "
                "tf.squeeze(predictions, -1))"))
    return UNKNOWN  # (a scalar in TF1, one loss per row in TF 2)


@shape_rule(*_tf1("sparse_softmax_cross_entropy"))
def tf1_sparse_softmax_loss(call: Call) -> Value:
    """``tf.losses.sparse_softmax_cross_entropy(labels, logits)``: labels of the logits' rank lose a last
    size of 1 first (``remove_squeezable_dimensions``), then must be the logits' shape without its last axis."""
    got = _pair(call, _PAIRS["sparse_softmax_cross_entropy"])
    if got is not None:
        ls, s = got
        if ls.dims and len(ls.dims) == len(s.dims) and D.compare(ls.dims[-1], 1, None, unify=False) is not D.FALSE:
            ls = Shape(ls.dims[:-1])
        if s.dims:
            _sparse_labels(call, _op(call), ls, s)
    return _result(call, got[1] if got is not None else None, True)


def _result(call: Call, s: Optional[Shape], drop_last: bool) -> Value:
    un = _unreduced(call)
    if un is False:
        return Tensor(Shape(()), "tf", "float")
    if un is None or s is None or (drop_last and not s.dims):
        return Tensor(Shape.unknown(), "tf", "float")
    return Tensor(Shape(s.dims[:-1]) if drop_last else s, "tf", "float")


# ---------------------------------------------------------------------------------- sampled losses
def _weights(call: Call) -> Optional[tuple]:
    """(num_classes, dim) of ``weights``: a ``(num_classes, dim)`` tensor or a list of row shards."""
    v = call.get(0, "weights")
    ts = [tensor_of(x) for x in v.items] if isinstance(v, Seq) else [tensor_of(v)]
    shapes = [_shape(call, t) for t in ts if t is not None]
    if len(shapes) != len(ts) or not shapes or any(s.variadic or len(s.dims) != 2 for s in shapes):
        return None
    n: Dim = 0
    for s in shapes:
        n = D.add(n, s.dims[0])
    return n, shapes[0].dims[1], shapes[0] if len(shapes) == 1 else None


@shape_rule(*tf("nn.nce_loss", "nn.sampled_softmax_loss"))
def tf_sampled_loss(call: Call) -> Value:
    """``tf.nn.nce_loss(weights, biases, labels, inputs, num_sampled, num_classes, num_true=1)`` (and
    ``sampled_softmax_loss``): weights ``(num_classes, dim)``, labels ``(batch, num_true)``, inputs
    ``(batch, dim)``; one loss per row, ``(batch,)``. TF checks (when the graph is built): labels 2-D
    (the candidate sampler), inputs 2-D, ``inputs @ weights.T`` (dim), and labels against inputs: the
    sampled weights of the ``batch * num_true`` labels are multiplied with the inputs row by row."""
    op = _op(call)
    x, lb = call.tensor(3, "inputs"), call.tensor(2, "labels")
    xs = _shape(call, x) if x is not None else None
    ls = _shape(call, lb) if lb is not None else None
    if ls is not None and ls.rank is not None and ls.rank != 2:
        raise ShapeError("layer-rank", f"{op} takes labels as a 2-D (batch, num_true) tensor of class ids, "
                                       f"got {ls.rank}-D {ls}")
    if xs is not None and xs.rank is not None and xs.rank != 2:
        raise ShapeError("layer-rank", f"{op} takes inputs as a 2-D (batch, dim) tensor, got {xs.rank}-D {xs}")
    if xs is None or xs.rank != 2:
        return Tensor(Shape.unknown(), "tf", "float")
    w = _weights(call)
    if w is not None:
        _, dim, ws = w
        if D.compare(xs.dims[1], dim, call.bindings) is D.FALSE:
            wtext = f"weights {ws}" if ws is not None else "the weights' shards"
            raise ShapeError("matmul-mismatch", lambda: (
                f"{op}: inputs {xs} @ {wtext}.T (weights are (num_classes, dim)): {D.fmt(xs.dims[1])} != "
                f"{D.fmt(dim)}{mismatch_note(xs.dims[1], dim)}"))
    nt = call.dim(6, "num_true", 1)
    if ls is not None and ls.rank == 2 and nt is not None:
        want = D.mul(xs.dims[0], nt)
        if D.compare(D.mul(*ls.dims), want, call.bindings, unify=False) is D.FALSE:
            raise ShapeError("batch-mismatch", lambda: (
                f"{op}: labels {ls} must be (batch, num_true) = ({D.fmt(xs.dims[0])}, {D.fmt(nt)}) for "
                f"inputs {xs} and num_true={D.fmt(nt)}"))
    return Tensor(Shape((xs.dims[0],)), "tf", "float")
