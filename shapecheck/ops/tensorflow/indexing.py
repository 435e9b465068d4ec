"""TensorFlow indexing ops: ``tf.strided_slice``, ``tf.scatter_nd``, ``tf.boolean_mask`` and
``tf.image.random_crop`` (``tf.random_crop`` in TF1).

What TF checks, and when: ``strided_slice`` (as its shape function does when the graph is built)
wants ``begin``/``end``/``strides`` of one length, no zero stride, and no more indices than the
input has axes; each axis is then Python slicing (clamped ends). ``scatter_nd`` wants
``updates.shape == indices.shape[:-1] + shape[indices.shape[-1]:]``. ``boolean_mask`` wants the
mask's shape to be the tensor's at ``axis``, ``axis + 1``, ...; the kept count is unknown.
``random_crop`` asserts ``value.shape >= size`` (an assert op: it fails each time it runs) after
checking that ``size`` has one entry per axis."""
from __future__ import annotations

from typing import Optional

from ... import dims as D
from ...dims import Dim
from ...findings import ShapeError
from ...shape_math.require import require_equal
from ...shapes import Shape
from ...values import UNKNOWN, Const, Value
from ..keras.base import shape_tuple
from ..registry import Call, shape_rule
from .base import _shape, _t, known_ints, tf


def _bits(call: Call, name: str, pos: int) -> Optional[int]:
    return call.int(pos, name, 0)


@shape_rule(*tf("strided_slice"))
def tf_strided_slice(call: Call) -> Value:
    """``tf.strided_slice(x, begin, end, strides, begin_mask, end_mask, ellipsis_mask, new_axis_mask,
    shrink_axis_mask)``: ``x[begin:end:strides, ...]`` with literal bounds; the masks as TF reads them
    (a begin/end bit: that end is open; ellipsis: ``...``; new axis: ``None``; shrink: the index ``begin``)."""
    t = call.tensor(0, "input_")
    if t is None:
        return UNKNOWN
    s = _shape(call, t)
    b, e = known_ints(call.get(1, "begin")), known_ints(call.get(2, "end"))
    st = known_ints(call.get(3, "strides")) if not call.is_none(3, "strides") else None
    masks = [_bits(call, n, i) for i, n in enumerate(("begin_mask", "end_mask", "ellipsis_mask", "new_axis_mask",
                                                     "shrink_axis_mask"), start=4)]
    if b is None or e is None or (st is None and not call.is_none(3, "strides")) or any(m is None for m in masks):
        return _t(call, Shape.unknown(), t)
    st = st if st is not None else [1] * len(b)
    op = "tf.strided_slice"
    if not len(b) == len(e) == len(st):
        raise ShapeError("invalid-shape-argument", f"{op}: begin {b}, end {e} and strides {st} must have one length")
    if 0 in st:
        raise ShapeError("invalid-shape-argument", f"{op}: strides {st} must be non-zero")
    bm, em, elm, nm, sm = (m or 0 for m in masks)
    specs: list[tuple] = []
    for i, (bi, ei, si) in enumerate(zip(b, e, st)):
        bit = 1 << i
        if elm & bit:
            specs.append(("...",))
        elif nm & bit:
            specs.append(("new",))
        elif sm & bit:
            specs.append(("int", bi))
        else:
            specs.append(("slice", None if bm & bit else bi, None if em & bit else ei, si))
    if sum(1 for x in specs if x[0] == "...") > 1:
        return _t(call, Shape.unknown(), t)
    used = sum(1 for x in specs if x[0] in ("int", "slice"))
    if s.rank is not None and used > s.rank:
        raise ShapeError("axis-out-of-range", f"{op} of {s}: {used} indices for a {s.rank}-D tensor")
    if s.variadic:
        return _t(call, Shape.unknown(), t)
    if not any(x[0] == "..." for x in specs):
        specs.append(("...",))
    k = next(i for i, x in enumerate(specs) if x[0] == "...")
    specs[k:k + 1] = [("slice", None, None, 1)] * (len(s.dims) - used)
    out: list = []
    axis = 0
    for x in specs:
        if x[0] == "new":
            out.append(1)
            continue
        d = s.dims[axis]
        axis += 1
        if x[0] == "slice":
            out.append(_slice_len(d, x[1], x[2], x[3]))
    return _t(call, Shape(tuple(out)), t)


def _slice_len(d: Dim, b: Optional[int], e: Optional[int], st: int) -> Dim:
    n = D.as_int(d)
    if n is not None:
        return len(range(*slice(b, e, st).indices(n)))
    if b is None and e is None and abs(st) == 1:
        return d
    return D.opaque("None")


@shape_rule(*tf("scatter_nd"))
def tf_scatter_nd(call: Call) -> Value:
    """``tf.scatter_nd(indices, updates, shape)``: a tensor of ``shape``; the updates must be
    ``indices.shape[:-1] + shape[indices.shape[-1]:]``."""
    i, u = call.tensor(0, "indices"), call.tensor(1, "updates")
    shape = shape_tuple(call.get(2, "shape"))
    if i is None or u is None:
        return UNKNOWN
    if shape is None:
        return _t(call, Shape.unknown(), u)
    si, su = _shape(call, i), _shape(call, u)
    k = D.as_int(si.dims[-1]) if si.dims and not si.variadic else None
    if k is not None and k <= len(shape) and not su.variadic:
        want = Shape(si.dims[:-1] + tuple(shape[k:]))
        op = f"tf.scatter_nd with indices {si} into shape {Shape(tuple(shape))}"
        if su.rank != want.rank:
            raise ShapeError("index-rank", f"{op}: the updates must have shape indices.shape[:-1] + "
                                           f"shape[{k}:] = {want}, got {su} ({su.rank}-D, not {want.rank}-D)")
        for ax, (a, w) in enumerate(zip(su.dims, want.dims)):
            require_equal(a, w, call.bindings, "index-rank",
                          f"{op}: the updates must have shape indices.shape[:-1] + shape[{k}:] = {want}, got {su}: "
                          f"{D.fmt(a)} != {D.fmt(w)} at axis {ax}")
    return _t(call, Shape(tuple(shape)), u)


@shape_rule(*tf("boolean_mask"))
def tf_boolean_mask(call: Call) -> Value:
    """``tf.boolean_mask(tensor, mask, axis=0)``: the axes ``axis .. axis + mask.rank`` become one of
    unknown size (the count of true elements)."""
    t, m = call.tensor(0, "tensor"), call.tensor(1, "mask")
    if t is None or m is None:
        return UNKNOWN
    ax = _mask_axis(call)
    s, ms = _shape(call, t), _shape(call, m)
    if ms.rank == 0:
        raise ShapeError("index-rank", f"tf.boolean_mask of {s}: the mask cannot be a scalar")
    if ax is None or s.variadic or ms.variadic:
        return _t(call, Shape.unknown(), t)
    a = ax + len(s.dims) if ax < 0 else ax
    k = len(ms.dims)
    if a < 0 or a + k > len(s.dims):
        raise ShapeError("index-rank", f"tf.boolean_mask of {s} with a {k}-D mask {ms} at axis {ax}: the mask "
                                       f"covers axes {a}..{a + k - 1}, past the tensor's {len(s.dims)}")
    for i, (x, y) in enumerate(zip(ms.dims, s.dims[a:a + k])):
        require_equal(x, y, call.bindings, "index-rank",
                      f"tf.boolean_mask of {s} with mask {ms}: the mask's shape must be the tensor's at axes "
                      f"{a}..{a + k - 1}, {Shape(s.dims[a:a + k])}; {D.fmt(x)} != {D.fmt(y)} at mask axis {i}",
                      unify=False)
    return _t(call, Shape(s.dims[:a] + (D.opaque("None"),) + s.dims[a + k:]), t)


def _mask_axis(call: Call) -> Optional[int]:
    """``axis=`` (None: 0); TF 2 also takes it third, where TF1 takes ``name`` (a string)."""
    if call.has(None, "axis"):
        return 0 if call.is_none(None, "axis") else call.int(None, "axis")
    if not call.has(2):
        return 0
    v = call.get(2)
    if isinstance(v, Const) and (v.value is None or isinstance(v.value, str)):
        return 0
    return call.int(2)


@shape_rule(*tf("image.random_crop", "random_crop"))
def tf_random_crop(call: Call) -> Value:
    """``tf.image.random_crop(value, size)``: a tensor of ``size``, one entry per axis, each at most the
    value's size there."""
    t = call.tensor(0, "value")
    size = shape_tuple(call.get(1, "size"))
    if t is None:
        return UNKNOWN
    if size is None:
        return _t(call, Shape.unknown(), t)
    s = _shape(call, t)
    op = f"tf.image.random_crop of {s} to size {Shape(tuple(size))}"
    if s.rank is not None and s.rank != len(size):
        raise ShapeError("invalid-shape-argument", f"{op}: size must have one entry per axis of the value "
                                                   f"({s.rank}), got {len(size)}")
    if not s.variadic:
        for ax, (d, c) in enumerate(zip(s.dims, size)):
            if D.at_most(c, d, call.bindings) is D.FALSE:
                raise ShapeError("invalid-shape-argument", f"{op}: the crop {D.fmt(c)} at axis {ax} is larger "
                                                           f"than the value's {D.fmt(d)} (TF asserts "
                                                           f"value.shape >= size)")
    return _t(call, Shape(tuple(size)), t)
