"""torch/NumPy adapters over ``shape_math.reshape``: ``reshape``/``view``, ``flatten``/``ravel``/``unflatten``,
``squeeze``/``unsqueeze``/``expand_dims``, ``expand``/``broadcast_to``, ``repeat``/``tile``."""
from __future__ import annotations

import functools
from typing import Optional

from ... import dims as D
from ...dims import Dim
from ...findings import Later, ShapeError, Text
from ...shape_math import index as SMI
from ...shape_math import reshape as SMR
from ...shape_math.require import mismatch_note, require_equal
from ...shapes import Shape
from ...shapes import build as _mk
from ...shapes import whys_of as _whys
from ...values import UNKNOWN, Param, Seq, Tensor, Value, as_dim, tensor_of
from ..common import axis_of, broadcast_shapes
from ..registry import FUNCS, Call, Signature, by_signature
from .base import (
    _arg,
    _axes,
    _flex,
    _int_list,
    _marks_added_axis,
    _n,
    _name,
    _nm,
    _of,
    _pos,
    _sizes,
    _t,
    _tensor,
    _tm,
    _torch_scalar,
    _unknown,
    at_least_rank,
)


# ---------------------------------------------------------------------------------- reshape / view
def reshape_shape(call: Call, sig: Signature, s: Shape, ds: list, ws: list, what: Text) -> Shape:
    """``s`` reshaped to ``ds`` with this signature's policy for sizes below -1 (NumPy infers them)."""
    return SMR.reshape(s, ds, ws, bindings=call.bindings, what=what, negative="infer" if sig.np else "error")


@by_signature(*_tm("view", "reshape"), *_nm("reshape"), *_t("reshape"), *_n("reshape"))
def reshape(call: Call, sig: Signature) -> Value:
    t = call.tensor(0, "input" if not sig.np else "a")
    if t is None:
        return _reshaped_unknown(call) if sig.np and not sig.method else UNKNOWN
    if sig.method:
        if len(call.args) == 1 and not call.kwargs:
            # ndarray.view() is a same-shape view; torch's view() needs sizes (or a dtype)
            return _tensor(sig, t, call.shape(t)) if t.fw in ("numpy", "any") else _unknown(sig, t)
        if call.has(None, "dtype"):
            # ``x.view(dtype=torch.float32)`` reinterprets the elements: the rank stays, the last
            # size scales by the ratio of element sizes (which dtypes these are is not known here)
            s = call.shape(t)
            if s.variadic or not s.dims:
                return _unknown(sig, t)
            return _tensor(sig, t, Shape(tuple(s.dims[:-1]) + (_flex(),)), dtype=None)
        got = _sizes(call, 1, "shape")
    else:
        kw = "shape" if "shape" in call.kwargs else "newshape"
        got = _sizes(call, 1, kw) if (kw in call.kwargs or len(call.args) == 2) else None
    if got is None:
        return _unknown(sig, t)
    ds, ws = got
    return _tensor(sig, t, reshape_shape(call, sig, call.shape(t), ds, ws, _name(call, sig)))


def _reshaped_unknown(call: Call) -> Value:
    """``np.reshape(data, (1, 16, 16, 512))`` of data the checker cannot see: where NumPy does not
    raise, the result has the sizes asked for (a -1 is a size of its own)."""
    if call.get(0, "a") is not UNKNOWN:
        return UNKNOWN
    kw = "shape" if "shape" in call.kwargs else "newshape"
    got = _sizes(call, 1, kw) if (kw in call.kwargs or len(call.args) == 2) else None
    if got is None:
        return UNKNOWN
    if any(d is None for d in got[0]) or sum(1 for d in got[0] if D.as_int(d) == -1) > 1:
        return UNKNOWN
    ds = [D.opaque("-1") if D.as_int(d) == -1 else d for d in got[0]]
    if any((D.as_int(d) or 0) < 0 for d in ds):
        return UNKNOWN
    return Tensor(Shape(tuple(ds)), "numpy", None)


@by_signature(*_tm("view_as", "reshape_as"))
def view_as(call: Call, sig: Signature) -> Value:
    t, o = call.tensor(0), call.tensor(1, "other")
    if t is None:
        return UNKNOWN
    if o is None or o.shape.variadic:
        return _unknown(sig, t)
    os_ = call.shape(o)
    return _tensor(sig, t, reshape_shape(call, sig, call.shape(t), list(os_.dims), _whys(os_), _name(call, sig)))


# ---------------------------------------------------------------------------------- flatten / unflatten
def flatten_shape(call: Call, sig: Signature, s: Shape, start: int, end: int, what: str) -> Shape:
    if _torch_scalar(call, sig, s):
        axis_of(call, start, 1, what)
        axis_of(call, end, 1, what)
        return Shape((1,))
    if s.variadic:
        k = len(s.dims)
        if start < 0 and end < 0 and -start <= k:
            i, j = k + start, k + end
        elif start >= 0 and end == -1:
            return Shape(tuple(_flex() for _ in range(start + 1)))  # rank start+1, sizes unknown
        else:
            return Shape.unknown()
    else:
        r = len(s.dims)
        if r == 0:  # numpy ravel of a 0-d array
            return Shape((1,))
        i, j = axis_of(call, start, r, what), axis_of(call, end, r, what)
        SMI.require_axis_order(i, j, what)
    if i > j:
        return Shape.unknown()
    return SMR.flatten_range(s, i, j)


@by_signature(*_t("flatten"), *_tm("flatten"))
def torch_flatten(call: Call, sig: Signature) -> Value:
    t = call.tensor(0, "input")
    if t is None:
        return UNKNOWN
    start, end = call.int(1, "start_dim", 0), call.int(2, "end_dim", -1)
    if start is None or end is None:
        return _unknown(sig, t)
    what = f"{_name(call, sig)} of {call.shape(t)}"
    return _tensor(sig, t, flatten_shape(call, sig, call.shape(t), start, end, what))


@by_signature(*_n("ravel"), *_nm("ravel", "flatten"), *_t("ravel"), *_tm("ravel"))
def ravel(call: Call, sig: Signature) -> Value:
    t = call.tensor(0, "a")
    if t is None:
        return UNKNOWN
    return _tensor(sig, t, SMR.ravel(call.shape(t)))


@by_signature(*_t("unflatten"), *_tm("unflatten"))
def unflatten(call: Call, sig: Signature) -> Value:
    t = call.tensor(0, "input")
    if t is None:
        return UNKNOWN
    dim = call.int(1, "dim")
    got = _sizes(call.with_args(call.args[:2] + call.args[2:3], {k: v for k, v in call.kwargs.items()
                                                               if k == "sizes"}), 2, "sizes")
    if dim is None or got is None:
        return _unknown(sig, t)
    s = call.shape(t)
    p = _pos(call, s, dim, _of(call, sig, s))
    if p is None:
        return _unknown(sig, t)
    ds, ws = got
    what = Later(lambda n, d, k, sh: f"{n} of axis {d} (size {D.fmt(k)}) of {sh}", _name(call, sig), dim, s.dims[p], s)
    part = reshape_shape(call, sig, Shape((s.dims[p],)), ds, ws, what)
    if part.variadic:
        return _unknown(sig, t)
    w = _whys(s)
    pw = _whys(part)
    return _tensor(sig, t, _mk(s.dims[:p] + part.dims + s.dims[p + 1:], w[:p] + pw + w[p + 1:], s.variadic))


# ---------------------------------------------------------------------------------- squeeze / unsqueeze
@by_signature(*_t("squeeze"), *_tm("squeeze"), *_n("squeeze"), *_nm("squeeze"))
def squeeze(call: Call, sig: Signature) -> Value:
    t = call.tensor(0, "input" if not sig.np else "a")
    if t is None:
        return UNKNOWN
    s = call.shape(t)
    ok, axes = _axes(_arg(call, 1, "dim", "axis"))
    if not ok:
        return _unknown(sig, t)
    what = _of(call, sig, s)
    if axes is None:
        if s.variadic or any(D.has_flexible(d) for d in s.dims if not isinstance(d, int)):
            return _unknown(sig, t)
        keep = [k for k, d in enumerate(s.dims) if D.as_int(d) != 1]
        w = _whys(s)
        return _tensor(sig, t, _mk([s.dims[k] for k in keep], [w[k] for k in keep]))
    if _torch_scalar(call, sig, s):
        for a in axes:
            axis_of(call, a, 1, what)
        return _tensor(sig, t, s)
    drop = set()
    for a in axes:
        p = _pos(call, s, a, what)
        if p is None:
            return _unknown(sig, t)
        d = s.dims[p]
        i = D.as_int(d)
        if i == 1:
            drop.add(p)
        elif i is None and D.has_flexible(d):
            return _unknown(sig, t)  # might be 1
        elif sig.np:  # numpy raises where torch ignores it; the axis is the wrong one
            raise ShapeError("axis-out-of-range",
                             f"{what}: axis {a} has size {D.fmt(d)}, not 1; only axes of size 1 can be squeezed")
        # torch: squeezing a size other than 1 is a no-op
    w = _whys(s)
    keep = [k for k in range(len(s.dims)) if k not in drop]
    return _tensor(sig, t, _mk([s.dims[k] for k in keep], [w[k] for k in keep], s.variadic))


def _insert_axes(call: Call, s: Shape, axes: list, what: Text) -> Shape:
    """``s`` with a size-1 axis at each of ``axes`` (positions in the output)."""
    n_out = len(s.dims) + len(axes)
    pos = []
    for a in axes:
        if s.variadic:
            if a < 0 and -a <= n_out:
                pos.append(n_out + a)
            else:
                return Shape.unknown()
        else:
            pos.append(axis_of(call, a, n_out, what))
    if len(set(pos)) != len(pos):
        return Shape.unknown()
    it = iter(zip(s.dims, _whys(s)))
    ds: list[Dim] = []
    ws: list[Optional[str]] = []
    for k in range(n_out):
        if k in pos:
            ds.append(1)
            ws.append(None)
        else:
            d, w = next(it)
            ds.append(d)
            ws.append(w)
    return _mk(ds, ws, s.variadic)


@by_signature(*_t("unsqueeze"), *_tm("unsqueeze"))
def unsqueeze(call: Call, sig: Signature) -> Value:
    t = call.tensor(0, "input")
    d = call.int(1, "dim")
    if t is None:
        return UNKNOWN
    if d is None:
        return _unknown(sig, t)
    s = call.shape(t)
    return _tensor(sig, t, _insert_axes(call, s, [d], _of(call, sig, s)))


@by_signature(*_n("expand_dims"))
def expand_dims(call: Call, sig: Signature) -> Value:
    t = call.tensor(0, "a")
    axes = _int_list(_arg(call, 1, "axis"))
    if t is None:
        return UNKNOWN
    if axes is None:
        return _unknown(sig, t)
    s = call.shape(t)
    return _tensor(sig, t, _insert_axes(call, s, axes, _of(call, sig, s)))


@by_signature(*_n("atleast_1d", "atleast_2d", "atleast_3d"), *_t("atleast_1d", "atleast_2d", "atleast_3d"))
def atleast(call: Call, sig: Signature) -> Value:
    if len(call.args) != 1:
        return UNKNOWN
    t = call.tensor(0)
    n = int(call.qualname[-2])
    if t is None:  # data we cannot see (a list, a batch): an array of at least that rank
        return Tensor(_atleast(Shape.unknown(), n), "numpy" if sig.np else "torch")
    return _tensor(sig, t, _atleast(call.shape(t), n))


def _atleast(s: Shape, n: int) -> Shape:
    if s.variadic:  # atleast_1d/2d keep the last sizes (a 1-D (d,) becomes (1, d)); atleast_3d does not
        return s if len(s.dims) >= n else (at_least_rank(s, n) if n <= 2 else Shape.unknown())
    r = len(s.dims)
    if r >= n:
        return s
    w = _whys(s)
    if n == 1:
        return Shape((1,))
    if n == 2:
        return _mk((1,) * (2 - r) + s.dims, [None] * (2 - r) + w)
    if r == 0:
        return Shape((1, 1, 1))
    if r == 1:
        return _mk((1, s.dims[0], 1), [None, w[0], None])
    return _mk(s.dims + (1,), w + [None])


# ---------------------------------------------------------------------------------- expand / broadcast
def _expand_differs(what: str, s: Shape, target: Text, have: Dim, k: int, d: Dim) -> str:
    return (f"{what} of {s} to {target}: size {D.fmt(have)} at axis {k} must match {D.fmt(d)} (only a size of 1 "
            f"expands){mismatch_note(have, d)}")


def expand_shape(call: Call, s: Shape, ds: list, what: str, allow_neg1: bool) -> Shape:
    target = Later(SMR.sizes_text, tuple(ds))
    m = len(ds)
    if not s.variadic and m < len(s.dims):
        raise ShapeError("broadcast-mismatch", f"{what} of {s} to {target}: the target has fewer dims ({m}) "
                                               f"than the tensor ({len(s.dims)})")
    if s.variadic and m < len(s.dims):
        raise ShapeError("broadcast-mismatch", f"{what} of {s} to {target}: the target has fewer dims ({m}) "
                                               f"than the tensor (at least {len(s.dims)})")
    w = _whys(s)
    out, ws = [], []
    for k, d in enumerate(ds):
        j = k - (m - len(s.dims))  # aligned input axis in s.dims, negative where none is known
        have = s.dims[j] if j >= 0 else None
        leading = j < 0 and not s.variadic
        di = D.as_int(d) if d is not None else None
        if di is not None and di < 0:
            if not (allow_neg1 and di == -1) or leading:
                return Shape.unknown()
            out.append(have if have is not None else _flex())
            ws.append(w[j] if have is not None else None)
            continue
        if d is None:
            out.append(have if have is not None and D.as_int(have) != 1 else _flex())
            ws.append(None)
            continue
        if have is not None and D.as_int(have) != 1:
            require_equal(have, d, call.bindings, "broadcast-mismatch", functools.partial(
                _expand_differs, what, s, target, have, k, d), unify=False)
        out.append(d)
        ws.append(w[j] if have is not None and have == d else None)
    return _mk(out, ws)


@by_signature(*_tm("expand"))
def expand(call: Call, sig: Signature) -> Value:
    t = call.tensor(0)
    got = _sizes(call, 1, "size")
    if t is None:
        return UNKNOWN
    if got is None:
        return _unknown(sig, t)
    return _tensor(sig, t, expand_shape(call, call.shape(t), got[0], _name(call, sig), True))


@by_signature(*_t("broadcast_to"), *_tm("broadcast_to"), *_n("broadcast_to"))
def broadcast_to(call: Call, sig: Signature) -> Value:
    t = call.tensor(0, "input" if not sig.np else "array")
    v = _arg(call, 1, "size", "shape")
    if t is None:
        return UNKNOWN
    got = _sizes(call.with_args([t, v], {}), 1, None) if v is not None else None
    if got is None:
        return _unknown(sig, t)
    return _tensor(sig, t, expand_shape(call, call.shape(t), got[0], _name(call, sig), not sig.np))


@by_signature(*_tm("expand_as"))
def expand_as(call: Call, sig: Signature) -> Value:
    t, o = call.tensor(0), call.tensor(1, "other")
    if t is None:
        return UNKNOWN
    if o is None or o.shape.variadic:
        return _unknown(sig, t)
    return _tensor(sig, t, expand_shape(call, call.shape(t), list(call.shape(o).dims), _name(call, sig), True))


@by_signature(*_t("broadcast_tensors"), *_n("broadcast_arrays"))
def broadcast_tensors(call: Call, sig: Signature) -> Value:
    ts = [tensor_of(a) for a in call.args]
    if not ts or any(t is None for t in ts):
        return UNKNOWN
    out = broadcast_shapes(call, [call.shape(t) for t in ts], what=_name(call, sig))  # type: ignore[arg-type]
    return Seq([_tensor(sig, t, out) for t in ts], "tuple")  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------- repeat / tile
def _tile_shape(s: Shape, reps: list) -> Shape:
    """np.tile / torch.tile: pad the shorter of shape and reps with leading 1s, multiply."""
    if s.variadic:
        if len(reps) < len(s.dims):
            reps = [1] * (len(s.dims) - len(reps)) + reps
        k = len(s.dims)
        tail = [D.mul(d, r) for d, r in zip(s.dims, reps[len(reps) - k:])]
        return Shape(tuple(tail), True)
    n = max(len(s.dims), len(reps))
    ds = (1,) * (n - len(s.dims)) + s.dims
    rs = [1] * (n - len(reps)) + reps
    w = [None] * (n - len(s.dims)) + _whys(s)
    return _mk([D.mul(d, r) for d, r in zip(ds, rs)], [wi if D.as_int(r) == 1 else None for wi, r in zip(w, rs)])


@by_signature(*_tm("repeat"))
def torch_repeat(call: Call, sig: Signature) -> Value:
    t = call.tensor(0)
    got = _sizes(call, 1, "repeats")
    if t is None:
        return UNKNOWN
    if t.fw == "any" or got is None or any(d is None for d in got[0]):
        return _unknown(sig, t)  # an unannotated receiver might be an ndarray (np.repeat semantics)
    reps = got[0]
    s = call.shape(t)
    if len(reps) < len(s.dims):  # the sizes are the result's shape: one per dim at least
        least = f"{len(s.dims)}{'+' if s.variadic else ''}"
        raise ShapeError("reshape-size", f"{_name(call, sig)} of {s} with {len(reps)} sizes {SMR.sizes_text(reps)}: "
                                         f"torch needs at least one size per dim ({least})")
    if s.variadic:
        k = len(s.dims)
        lead = [_flex() for _ in range(len(reps) - k)]
        return _tensor(sig, t, Shape(tuple(lead) + tuple(D.mul(d, r) for d, r in zip(s.dims, reps[len(reps) - k:]))))
    return _tensor(sig, t, _tile_shape(s, reps))


@by_signature(*_n("tile"), *_t("tile"), *_tm("tile"))
def tile(call: Call, sig: Signature) -> Value:
    t = call.tensor(0)
    got = _sizes(call, 1, "reps" if sig.np else "dims")
    if t is None:
        return UNKNOWN
    if got is None or any(d is None for d in got[0]):
        return _unknown(sig, t)
    return _tensor(sig, t, _tile_shape(call.shape(t), list(got[0])))


@by_signature(*_n("repeat"), *_nm("repeat"), *_t("repeat_interleave"), *_tm("repeat_interleave"))
def np_repeat(call: Call, sig: Signature) -> Value:
    """np.repeat / torch.repeat_interleave: each element repeated; no axis flattens first."""
    t = call.tensor(0)
    if t is None:
        return UNKNOWN
    reps = _arg(call, 1, "repeats")
    ok, axes = _axes(_arg(call, 2, "axis", "dim"))
    if reps is None or not ok or (axes is not None and len(axes) != 1):
        return _unknown(sig, t)
    s = call.shape(t)
    what = _of(call, sig, s)
    if axes is None:
        base: Optional[Dim] = s.numel()
        p: Optional[int] = None
    elif _torch_scalar(call, sig, s):
        axis_of(call, axes[0], 1, what)
        base, p = 1, None
    else:
        p = _pos(call, s, axes[0], what)
        if p is None:
            return _unknown(sig, t)
        base = s.dims[p]
    r = as_dim(reps)
    items = [as_dim(x) for x in reps.items] if isinstance(reps, Seq) else None
    if r is None and items is not None and len(items) == 1:
        r = items[0]
    if r is not None:
        new: Dim = _flex() if base is None else D.mul(base, r)
    elif items is not None and items and all(x is not None for x in items):
        new = 0
        for x in items:
            new = D.add(new, x)
    elif isinstance(reps, (Tensor, Param, Seq)):
        new = _flex()  # one count per element: their sum
    else:
        return _unknown(sig, t)
    if p is None:
        return _tensor(sig, t, Shape((new,)))
    return _tensor(sig, t, _mk(s.dims[:p] + (new,) + s.dims[p + 1:], None, s.variadic))



# ---------------------------------------------------------------------------------- axes added on purpose
# The spellings whose result is tagged as having an axis added on purpose (``x[:, None]`` is
# tagged in ``indexing``). Listed, not found by scanning the registry, so the set cannot depend
# on which modules happened to be imported first.
_ADDS_AXES = (*_t("unsqueeze", "reshape"), *_tm("unsqueeze", "reshape", "view"), *_n("expand_dims", "reshape"),
              *_nm("reshape"))


def _tag_added_axes() -> None:
    wrapped: dict = {}  # one wrapper per rule function, shared by all its spellings
    for qual in _ADDS_AXES:
        fn = FUNCS[qual]
        if id(fn) not in wrapped:
            wrapped[id(fn)] = _marks_added_axis(fn)
        FUNCS[qual] = wrapped[id(fn)]


_tag_added_axes()
