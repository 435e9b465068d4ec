"""More TensorFlow and ``keras.ops`` shape ops: ``pad``, ``split``, ``unstack``, ``slice``, ``where``,
``range``, ``sequence_mask``, ``repeat``, ``top_k``, ``moments``, losses with logits, ``gather_nd``."""
from __future__ import annotations

from typing import Optional

from ... import dims as D
from ...findings import ShapeError
from ...shape_math import index as SMI
from ...shape_math.require import require_equal
from ...shapes import Shape
from ...values import UNKNOWN, Const, Seq, Tensor, Value, as_dim
from ..common import axis_of, broadcast_shapes
from ..keras.base import shape_tuple
from ..registry import Call, shape_rule
from .base import Api, _shape, _t, known_ints, kops, tf, tf_kops


# ---------------------------------------------------------------------------------- more shape ops
def _operand(call: Call, name: str) -> Optional[tuple]:
    """(the first tensor argument, its shape), or None when it is not a tensor."""
    t = call.tensor(0, name)
    return None if t is None else (t, _shape(call, t))


@shape_rule(*tf("pad"))
def tf_pad(call: Call) -> Value:
    """``tf.pad(t, [[1, 1], [2, 2]])``: each size grows by its two paddings."""
    got = _operand(call, "tensor")
    if got is None:
        return UNKNOWN
    t, s = got
    pv = call.get(1, "paddings")
    got_pairs = [known_ints(p) for p in pv.items] if isinstance(pv, Seq) else []
    pairs = [p for p in got_pairs if p is not None and len(p) == 2]
    if s.variadic or not isinstance(pv, Seq) or len(pairs) != len(got_pairs) or len(pairs) != len(s.dims):
        return _t(call, Shape.unknown(), t)
    return _t(call, Shape(tuple(D.add(d, lo + hi) for d, (lo, hi) in zip(s.dims, pairs))), t)


@shape_rule(*tf("split"))
def tf_split(call: Call) -> Value:
    """``tf.split(x, 3, axis=1)`` (equal parts) or ``tf.split(x, [2, 3, -1], axis=1)``: a list of tensors."""
    t = call.tensor(0, "value")
    ax = call.int(2, "axis", 0)
    if t is None:
        return UNKNOWN
    s = _shape(call, t)
    spec = call.get(1, "num_or_size_splits")
    if s.variadic or ax is None:
        return UNKNOWN
    a = axis_of(call, ax, len(s.dims), f"tf.split of {s}")
    n = D.as_int(s.dims[a])
    parts: Optional[list] = None
    k = as_dim(spec) if not isinstance(spec, Seq) else None
    kc = D.as_int(k) if k is not None else None
    if kc is not None and n is not None and kc > 0 and n % kc == 0:
        parts = [n // kc] * kc
    elif kc is not None and kc > 0 and n is None:  # (28*None rows in 28 parts: None each)
        q = D.floordiv(s.dims[a], kc)
        if D.compare(D.mul(q, kc), s.dims[a], None, unify=False) is D.TRUE:
            parts = [q] * kc
    elif isinstance(spec, Seq):
        ds = [as_dim(x) for x in spec.items]
        sizes = [i for i in (D.as_int(d) for d in ds if d is not None) if i is not None]
        got = sizes if len(sizes) == len(spec.items) else None
        if got is not None and n is not None and -1 not in sizes:
            SMI.require_split_sizes(sizes, n, call.bindings, f"tf.split of {s} along axis {a}")
        if got is not None and n is not None and sizes.count(-1) <= 1:
            rest = n - sum(x for x in sizes if x != -1)
            if rest >= 0 and (-1 in sizes or rest == 0):
                parts = [rest if x == -1 else x for x in sizes]
    if parts is None or len(parts) > 64:
        return UNKNOWN
    return Seq([_t(call, Shape(s.dims[:a] + (p,) + s.dims[a + 1:]), t) for p in parts], "list")


@tf_kops((*tf("unstack"),), (*kops("unstack"),))
def tf_unstack(call: Call, api: Api) -> Value:
    t = call.tensor(0, api.arg("value", "x"))
    ax = call.int(None, "axis", 0)
    if t is None or ax is None:
        return UNKNOWN
    s = _shape(call, t)
    if s.variadic:
        return UNKNOWN
    a = axis_of(call, ax, len(s.dims), f"unstack of {s}")
    n = D.as_int(s.dims[a])
    if n is None or n > 64:
        return UNKNOWN
    return Seq([_t(call, Shape(s.dims[:a] + s.dims[a + 1:]), t) for _ in range(n)], "list")


@shape_rule(*tf("slice"))
def tf_slice(call: Call) -> Value:
    """``tf.slice(x, begin, size)``: the result has ``size`` (-1: to the end)."""
    got = _operand(call, "input_")
    if got is None:
        return UNKNOWN
    t, s = got
    begin, size = shape_tuple(call.get(1, "begin")), shape_tuple(call.get(2, "size"))
    if s.variadic or begin is None or size is None or not len(begin) == len(size) == len(s.dims):
        return _t(call, Shape.unknown(), t)
    out = []
    for d, b, z in zip(s.dims, begin, size):
        bi, zi = D.as_int(b), D.as_int(z)
        if bi is None or zi is None:
            return _t(call, Shape.unknown(), t)
        out.append(D.sub(d, bi) if zi == -1 else zi)
    return _t(call, Shape(tuple(out)), t)


@tf_kops(("tensorflow.where", "tensorflow.compat.v2.where"), (*kops("where"),))
def tf_where(call: Call, api: Api) -> Value:
    """``tf.where(cond, x, y)`` broadcasts its three operands (TF2 and keras.ops)."""
    ts = [call.tensor(0, "condition"), call.tensor(1, api.arg("x", "x1")),
          call.tensor(2, api.arg("y", "x2"))]
    if ts[0] is None or not call.has(1, "x") and not call.has(1, "x1"):
        return UNKNOWN  # (one argument: the coordinates of the true elements, a data-dependent count)
    shapes = [_shape(call, t) for t in ts if t is not None]
    if len(shapes) != 3:
        return UNKNOWN
    return _t(call, broadcast_shapes(call, shapes, what=call.qualname.rsplit(".", 1)[-1]), ts[1], ts[2])


@shape_rule(*tf("range"))
def tf_range(call: Call) -> Value:
    got = [as_dim(v) for v in call.args[:3]]
    vals = [i for i in (D.as_int(d) for d in got if d is not None) if i is not None]
    if len(call.args) == 0 or call.kwargs.keys() - {"dtype", "name"} or len(vals) != len(got):
        return UNKNOWN
    start, limit, delta = (0, vals[0], 1) if len(vals) == 1 else (vals[0], vals[1], vals[2] if len(vals) > 2 else 1)
    if delta == 0:
        return UNKNOWN
    n = max(0, -((start - limit) // delta))
    return Tensor(Shape((n,)), "tf", "int")


@shape_rule(*tf("sequence_mask"))
def tf_sequence_mask(call: Call) -> Value:
    t = call.tensor(0, "lengths")
    m = call.dim(1, "maxlen")
    if t is None:
        return UNKNOWN
    s = _shape(call, t)
    if s.variadic or m is None:
        return Tensor(Shape.unknown(), "tf", "bool")
    return Tensor(Shape(s.dims + (m,)), "tf", "bool")


@tf_kops((*tf("reverse", "roll"),), (*kops("roll", "flip"),))
def tf_same_shape(call: Call, api: Api) -> Value:
    t = call.tensor(0, "tensor" if call.qualname.endswith("reverse") else (
        api.arg("input", "x")))
    return UNKNOWN if t is None else _t(call, _shape(call, t), t)


@tf_kops((*tf("repeat"),), (*kops("repeat"),))
def tf_repeat(call: Call, api: Api) -> Value:
    t = call.tensor(0, api.arg("input", "x"))
    r = as_dim(call.get(1, "repeats"))
    ax = call.get(2, "axis")
    if t is None:
        return UNKNOWN
    s = _shape(call, t)
    if r is None or s.variadic:
        return _t(call, Shape.unknown(), t)
    if ax is UNKNOWN or isinstance(ax, Const) and ax.value is None:
        n = s.numel()
        return _t(call, Shape((D.mul(n, r),)) if n is not None else Shape.unknown(), t)
    a = as_dim(ax)
    ai = D.as_int(a) if a is not None else None
    if ai is None:
        return _t(call, Shape.unknown(), t)
    i = axis_of(call, ai, len(s.dims), f"repeat of {s}")
    return _t(call, Shape(s.dims[:i] + (D.mul(s.dims[i], r),) + s.dims[i + 1:]), t)


@shape_rule(*tf("nn.embedding_lookup"))
def tf_embedding_lookup(call: Call) -> Value:
    p, ids = call.tensor(0, "params"), call.tensor(1, "ids")
    if p is None or ids is None:
        return UNKNOWN
    ps, si = _shape(call, p), _shape(call, ids)
    if ps.variadic or si.variadic or not ps.dims:
        return _t(call, Shape.unknown(), p)
    return _t(call, Shape(si.dims + ps.dims[1:]), p)


@shape_rule(*tf("image.resize", "image.resize_images"))
def tf_image_resize(call: Call) -> Value:
    """``tf.image.resize(images, [h, w])``: (..., h, w, channels), a 3-D or 4-D input."""
    t = call.tensor(0, "images")
    size = shape_tuple(call.get(1, "size"))
    if t is None:
        return UNKNOWN
    s = _shape(call, t)
    if s.variadic or size is None or len(size) != 2 or len(s.dims) not in (3, 4) or \
            call.has(None, "preserve_aspect_ratio"):
        return Tensor(Shape.unknown(), "tf", "float")
    return Tensor(Shape(s.dims[:-3] + tuple(size) + s.dims[-1:]), "tf", "float")


@tf_kops((*tf("math.top_k", "nn.top_k"),), (*kops("top_k"),))
def tf_top_k(call: Call, api: Api) -> Value:
    t = call.tensor(0, api.arg("input", "x"))
    k = call.dim(1, "k") if call.has(1, "k") else 1
    if t is None:
        return UNKNOWN
    s = _shape(call, t)
    if k is None or not s.dims:
        return UNKNOWN
    out = Shape(s.dims[:-1] + (k,), s.variadic)
    return Seq([_t(call, out, t), _t(call, out, t, dtype="int")], "tuple")


@shape_rule(*tf("nn.moments"))
def tf_moments(call: Call) -> Value:
    """``tf.nn.moments(x, axes)``: (mean, variance), both reduced over ``axes``."""
    t = call.tensor(0, "x")
    axes = shape_tuple(call.get(1, "axes"))
    keep = call.bool(None, "keepdims", False)
    if t is None:
        return UNKNOWN
    s = _shape(call, t)
    if s.variadic or axes is None or keep is None or any(D.as_int(a) is None for a in axes):
        return UNKNOWN
    norm = {axis_of(call, D.as_int(a), len(s.dims), f"tf.nn.moments of {s}") for a in axes}  # type: ignore[arg-type]
    dims = tuple(1 if i in norm else d for i, d in enumerate(s.dims)) if keep else tuple(
        d for i, d in enumerate(s.dims) if i not in norm)
    return Seq([_t(call, Shape(dims), t), _t(call, Shape(dims), t)], "tuple")


@shape_rule(*tf("nn.softmax_cross_entropy_with_logits", "nn.softmax_cross_entropy_with_logits_v2",
                "nn.sparse_softmax_cross_entropy_with_logits", "nn.sigmoid_cross_entropy_with_logits"))
def tf_xent_with_logits(call: Call) -> Value:
    """Per-example losses: the logits' shape without the class axis (with it, for sigmoid).

    The labels must fit the logits as TF checks them: ``sigmoid``: the same shape (a ``ValueError``
    when the graph is built); ``sparse``: the logits' shape without its last size, one rank less
    (``ValueError``: "Rank mismatch" / "Shape mismatch"); ``softmax``: both made 2-D by keeping their
    last size and joining the others (``_flatten_outer_dims``), then broadcast ("logits and labels
    must be broadcastable")."""
    lg = call.tensor(None, "logits")
    if lg is None:
        return UNKNOWN
    s = _shape(call, lg)
    lb = call.tensor(None, "labels")
    ls = _shape(call, lb) if lb is not None else None
    op = _op(call)
    if call.qualname.endswith("sigmoid_cross_entropy_with_logits"):
        if ls is not None and not s.variadic and not ls.variadic:
            _same_shape(call, op, ls, s)
        return Tensor(s, "tf", "float")
    if s.variadic or not s.dims or call.has(None, "axis") and call.int(None, "axis") != -1:
        return Tensor(Shape.unknown(), "tf", "float")
    if ls is not None and not ls.variadic:
        if call.qualname.endswith("sparse_softmax_cross_entropy_with_logits"):
            _sparse_labels(call, op, ls, s)
        elif ls.dims:
            flat = [Shape((D.mul(*x.dims[:-1]), x.dims[-1])) for x in (ls, s)]
            broadcast_shapes(call, flat, what=f"{op}: labels {ls} and logits {s} flattened to 2-D")
    return Tensor(Shape(s.dims[:-1]), "tf", "float")


def _op(call: Call) -> str:
    """The op as users spell it: ``tf.losses.log_loss`` (``tf.compat.v1.`` dropped)."""
    return "tf." + call.qualname.split(".", 3)[-1] if call.qualname.startswith("tensorflow.compat.") else \
        call.qualname.replace("tensorflow.", "tf.")


def _same_shape(call: Call, op: str, ls: Shape, s: Shape, names: tuple = ("labels", "logits")) -> None:
    """TF's ``assert_is_compatible_with``: the same rank, equal sizes where both are known."""
    x, y = names
    if len(ls.dims) != len(s.dims):
        raise ShapeError("broadcast-mismatch", f"{op}: {x} {ls} and {y} {s} must have the same shape; "
                                               f"their ranks differ")
    for i, (a, b) in enumerate(zip(ls.dims, s.dims)):
        require_equal(a, b, call.bindings, "broadcast-mismatch",
                      f"{op}: {x} {ls} and {y} {s} must have the same shape; {D.fmt(a)} != {D.fmt(b)} "
                      f"at axis {i}", unify=False)


def _sparse_labels(call: Call, op: str, ls: Shape, s: Shape) -> None:
    want = s.dims[:-1]
    if len(ls.dims) != len(want):
        raise ShapeError("batch-mismatch", f"{op}: labels {ls} ({len(ls.dims)}-D) must have the shape of the logits "
                                           f"{s} without its last axis, {Shape(want)} ({len(want)}-D): one class "
                                           f"index per row")
    for i, (a, b) in enumerate(zip(ls.dims, want)):
        require_equal(a, b, call.bindings, "batch-mismatch",
                      f"{op}: labels {ls} must have the shape of the logits {s} without its last axis, "
                      f"{Shape(want)}: {D.fmt(a)} != {D.fmt(b)} at axis {i}", unify=False)


@shape_rule(*tf("gather_nd"))
def tf_gather_nd(call: Call) -> Value:
    """``tf.gather_nd(params, indices)``: indices[:-1] + params[indices[-1]:] (batch_dims=0)."""
    p, i = call.tensor(0, "params"), call.tensor(1, "indices")
    if p is None or i is None:
        return UNKNOWN
    ps, si = _shape(call, p), _shape(call, i)
    k = D.as_int(si.dims[-1]) if si.dims and not si.variadic else None
    if ps.variadic or k is None or call.int(None, "batch_dims", 0) != 0 or k > len(ps.dims):
        return _t(call, Shape.unknown(), p)
    return _t(call, Shape(si.dims[:-1] + ps.dims[k:]), p)


@shape_rule(*tf("image.non_max_suppression", "image.non_max_suppression_v2", "image.non_max_suppression_with_scores",
                "image.non_max_suppression_overlaps"))
def tf_non_max_suppression(call: Call) -> Value:
    """``tf.image.non_max_suppression(boxes, scores, max_output_size, ...)``: boxes ``(num_boxes, 4)``,
    scores ``(num_boxes,)`` (``overlaps``: a ``(num_boxes, num_boxes)`` matrix); the indices kept, at
    most ``max_output_size`` of them: a 1-D int tensor of unknown length (``_with_scores``: and their
    scores)."""
    overlaps = call.qualname.endswith("overlaps")
    b = call.tensor(0, "overlaps" if overlaps else "boxes")
    sc = call.tensor(1, "scores")
    op = _op(call)
    if b is not None:
        bs = _shape(call, b)
        if bs.rank is not None and bs.rank != 2:
            raise ShapeError("layer-rank", f"{op} takes {'overlaps' if overlaps else 'boxes'} as a 2-D "
                                           f"{'(num_boxes, num_boxes)' if overlaps else '(num_boxes, 4)'} tensor, "
                                           f"got {bs.rank}-D {bs}")
        if bs.rank == 2 and not overlaps:
            require_equal(bs.dims[1], 4, call.bindings, "layer-input-mismatch",
                          f"{op} takes boxes (num_boxes, 4), one (y1, x1, y2, x2) row per box; got {bs}", unify=False)
        if sc is not None:
            ss = _shape(call, sc)
            if ss.rank is not None and ss.rank != 1:
                raise ShapeError("layer-rank", f"{op} takes scores as a 1-D (num_boxes,) tensor, got {ss.rank}-D {ss}")
            if ss.rank == 1 and bs.rank == 2:
                require_equal(ss.dims[0], bs.dims[0], call.bindings, "layer-input-mismatch",
                              f"{op}: scores {ss} must have one score per box of {bs}", unify=False)
    kept = D.opaque("None")
    idx = Tensor(Shape((kept,)), "tf", "int")
    if call.qualname.endswith("with_scores"):
        return Seq([idx, Tensor(Shape((kept,)), "tf", "float")], "tuple")
    return idx
