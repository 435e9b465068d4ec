"""TensorFlow and ``keras.ops`` reshaping: ``reshape`` (``shape_math.reshape``), ``transpose``,
``expand_dims``, ``squeeze``, ``tile``, ``broadcast_to``, ``gather``/``take``."""
from __future__ import annotations

from ... import dims as D
from ...findings import ShapeError
from ...shape_math import reshape as SMR
from ...shape_math.require import require_equal
from ...shapes import Shape
from ...values import UNKNOWN, Const, Int, Seq, Value, as_dim, tensor_of
from ..common import axis_of, broadcast_shapes
from ..keras.base import shape_tuple
from ..registry import Call
from .base import Api, _shape, _t, kops, tf, tf_kops


# ---------------------------------------------------------------------------------- reshaping
@tf_kops((*tf("reshape"),), (*kops("reshape"),))
def tf_reshape(call: Call, api: Api) -> Value:
    t = call.tensor(0, api.arg("tensor", "x"))
    v = call.get(1, api.arg("shape", "newshape"))
    if t is None:
        return UNKNOWN
    if not isinstance(v, Seq):
        return _t(call, Shape.unknown(), t)
    ds = [as_dim(x) for x in v.items]
    if any(d is None for d in ds):
        return _t(call, Shape.unknown(), t)
    ws = [x.why if isinstance(x, Int) else None for x in v.items]
    return _t(call, SMR.reshape(_shape(call, t), ds, ws, bindings=call.bindings, unknown=lambda: D.opaque("None")), t)


@tf_kops((*tf("transpose", "linalg.transpose"),), (*kops("transpose"),))
def tf_transpose(call: Call, api: Api) -> Value:
    t = call.tensor(0, api.arg("a", "x"))
    if t is None:
        return UNKNOWN
    s = _shape(call, t)
    pv = call.get(1, api.arg("perm", "axes"))
    if pv is UNKNOWN or (isinstance(pv, Const) and pv.value is None):
        if call.qualname.endswith("linalg.transpose"):
            if len(s.dims) < 2:
                return _t(call, Shape.unknown(), t)
            return _t(call, Shape(s.dims[:-2] + (s.dims[-1], s.dims[-2]), s.variadic), t)
        if s.variadic:
            return _t(call, Shape.unknown(), t)
        return _t(call, Shape(tuple(reversed(s.dims))), t)
    perm = shape_tuple(pv)
    if perm is None or any(D.as_int(p) is None for p in perm):
        return _t(call, Shape.unknown(), t)
    perm = [D.as_int(p) for p in perm]
    if s.variadic:
        return _t(call, Shape.unknown(), t)
    r = len(s.dims)
    norm = [p % r if -r <= p < r else None for p in perm]
    if len(perm) != r or None in norm or sorted(norm) != list(range(r)):  # type: ignore[type-var]
        raise ShapeError("bad-permutation", f"transpose of {s} with perm={tuple(perm)}: not a permutation of "
                                            f"the axes 0..{r - 1}")
    return _t(call, Shape(tuple(s.dims[p] for p in norm)), t)  # type: ignore[index]


@tf_kops((*tf("expand_dims"),), (*kops("expand_dims"),))
def tf_expand_dims(call: Call, api: Api) -> Value:
    t = call.tensor(0, api.arg("input", "x"))
    axis = call.int(1, "axis")
    if t is None:
        return UNKNOWN
    s = _shape(call, t)
    if axis is None or s.variadic:
        return _t(call, Shape.unknown(), t)
    r = len(s.dims)
    ax = axis_of(call, axis, r + 1, f"expand_dims of {s}")
    dims = list(s.dims)
    dims.insert(ax, 1)
    return _t(call, Shape(tuple(dims)), t)


@tf_kops((*tf("squeeze"),), (*kops("squeeze"),))
def tf_squeeze(call: Call, api: Api) -> Value:
    t = call.tensor(0, api.arg("input", "x"))
    if t is None:
        return UNKNOWN
    s = _shape(call, t)
    av = call.get(1, "axis")
    if av is UNKNOWN and call.has(None, "squeeze_dims"):
        av = call.kwargs["squeeze_dims"]
    if s.variadic:
        return _t(call, Shape.unknown(), t)
    r = len(s.dims)
    if av is UNKNOWN or (isinstance(av, Const) and av.value is None):
        if any(D.as_int(d) is None for d in s.dims):
            return _t(call, Shape.unknown(), t)
        return _t(call, Shape(tuple(d for d in s.dims if D.as_int(d) != 1)), t)
    axes = shape_tuple(av)
    if axes is None or any(D.as_int(a) is None for a in axes):
        return _t(call, Shape.unknown(), t)
    norm = [axis_of(call, D.as_int(a), r, f"squeeze of {s}") for a in axes]  # type: ignore[arg-type]
    if any(D.as_int(s.dims[a]) not in (1, None) for a in norm):
        return _t(call, Shape.unknown(), t)
    return _t(call, Shape(tuple(d for i, d in enumerate(s.dims) if i not in norm)), t)


@tf_kops((*tf("tile"),), (*kops("tile"),))
def tf_tile(call: Call, api: Api) -> Value:
    t = call.tensor(0, api.arg("input", "x"))
    m = shape_tuple(call.get(1, api.arg("multiples", "repeats")))
    if t is None:
        return UNKNOWN
    s = _shape(call, t)
    if m is None or s.variadic:
        return _t(call, Shape.unknown(), t)
    if api.tf and len(m) != len(s.dims):
        raise ShapeError("axis-out-of-range", f"tf.tile of {s}: multiples has {len(m)} entries, the input has "
                                              f"{len(s.dims)} dims")
    if len(m) != len(s.dims):
        return _t(call, Shape.unknown(), t)
    return _t(call, Shape(tuple(D.mul(d, k) for d, k in zip(s.dims, m))), t)


@tf_kops((*tf("broadcast_to"),), (*kops("broadcast_to"),))
def tf_broadcast_to(call: Call, api: Api) -> Value:
    t = call.tensor(0, api.arg("input", "x"))
    ds = shape_tuple(call.get(1, "shape"))
    if t is None:
        return UNKNOWN
    if ds is None:
        return _t(call, Shape.unknown(), t)
    s = _shape(call, t)
    target = Shape(tuple(ds))
    out = broadcast_shapes(call, [s, target], what="broadcast_to")
    if not s.variadic and len(s.dims) > len(ds):
        raise ShapeError("broadcast-mismatch", f"broadcast_to of {s} to {target}: the target has fewer dims")
    for i in range(1, min(len(s.dims), len(ds)) + 1):
        a, b = s.dims[-i], ds[-i]
        if D.as_int(a) != 1:
            require_equal(a, b, call.bindings, "broadcast-mismatch", f"broadcast_to of {s} to {target}: size "
                          f"{D.fmt(a)} at axis {-i} is neither {D.fmt(b)} nor 1", unify=False)
    return _t(call, Shape(tuple(ds)) if out.rank == len(ds) else out, t)


@tf_kops((*tf("gather"),), (*kops("take"),))
def tf_gather(call: Call, api: Api) -> Value:
    p = call.tensor(0, api.arg("params", "x"))
    iv = call.get(1, "indices")
    if p is None:
        return UNKNOWN
    s = _shape(call, p)
    bd = call.int(None, "batch_dims", 0)
    # tf.gather's axis defaults to batch_dims
    axis = call.int(None if api.tf else 2, "axis", bd if bd is not None else 0)
    if not api.tf and not call.has(2, "axis"):
        return _t(call, Shape.unknown(), p)
    it = tensor_of(iv)
    if it is not None:
        ish = _shape(call, it)
    elif isinstance(iv, Seq):
        ish = Shape((len(iv.items),))
    elif as_dim(iv) is not None:
        ish = Shape(())
    else:
        return _t(call, Shape.unknown(), p)
    if axis is None or bd is None or s.variadic or ish.variadic:
        return _t(call, Shape.unknown(), p)
    ax = axis_of(call, axis, len(s.dims), f"gather of {s}")
    if bd:
        # the first batch_dims axes of params and indices go together: out = params[:axis] +
        # indices[batch_dims:] + params[axis + 1:] (TensorFlow's own checks are left to it)
        b = bd + len(ish.dims) if bd < 0 else bd
        if not 0 < b <= min(ax, len(ish.dims)):
            return _t(call, Shape.unknown(), p)
        return _t(call, Shape(s.dims[:ax] + ish.dims[b:] + s.dims[ax + 1:]), p)
    return _t(call, Shape(s.dims[:ax] + ish.dims + s.dims[ax + 1:]), p)
