"""Shape manipulation, joins, splits, indexing, gathers, reductions and einsum (PyTorch, NumPy).

Every rule reads its framework from the qualified name: ``numpy.X`` / ``numpy.ndarray.X`` follow
NumPy's semantics, ``torch.X`` / ``torch.Tensor.X`` PyTorch's; where the two differ (``repeat``,
``max(dim)``, integer indices next to advanced ones, axes of a 0-d tensor) the rule says so.

As everywhere in ``ops/``: raise ``ShapeError`` only on a provably FALSE check; anything not
understood gives an unknown shape.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any, Callable, Optional, Sequence


from .. import dims as D
from ..dims import Dim
from ..findings import Fix, ShapeError
from ..framework import Framework
from ..shape_math import einsum as SME
from ..shape_math import index as SMI
from ..shape_math import join as SMJ
from ..shape_math import reduce as SMRed
from ..shape_math import reshape as SMR
from ..shape_math.require import require_equal
from ..shapes import Shape, norm_axis
from ..values import UNKNOWN, Const, Ext, Int, Param, Seq, Tensor, Value, as_dim, as_int, tensor_of
from .common import axis_of, broadcast_shapes, out_dtype
from .registry import FUNCS, Call, Signature, by_signature, mismatch_note

try:  # the role SHP502 looks for on a transpose's result
    from .tensor import TRANSPOSED
except ImportError:  # pragma: no cover - an older tensor.py
    TRANSPOSED = "transposed"

MAX_PIECES = 256  # split/unbind/chunk into more pieces than this: an unknown list


# ---------------------------------------------------------------------------------- spellings
def _t(*names: str) -> tuple:
    """``torch.X`` functions."""
    return tuple(f"torch.{n}" for n in names)


def _tm(*names: str) -> tuple:
    """``torch.Tensor.X`` methods."""
    return tuple(f"torch.Tensor.{n}" for n in names)


def _n(*names: str) -> tuple:
    """``numpy.X`` functions."""
    return tuple(f"numpy.{n}" for n in names)


def _nm(*names: str) -> tuple:
    """``numpy.ndarray.X`` methods."""
    return tuple(f"numpy.ndarray.{n}" for n in names)


# ---------------------------------------------------------------------------------- helpers
def _name(call: Call, sig: Signature) -> str:
    """How the op is named in messages: ``np.concatenate``, ``torch.cat``, ``view`` (the name the
    user called, which is why this reads ``call.qualname``: message text only)."""
    q = call.qualname
    last = q.rsplit(".", 1)[-1]
    if sig.method:
        return last
    if sig.np and q.startswith("numpy."):
        return "np." + q[len("numpy."):]
    return q or last


def _fw(sig: Signature, t: Optional[Tensor]) -> str:
    """Output framework: a NumPy/torch function decides; a method keeps its receiver's."""
    if not sig.method and sig.fw in (Framework.NUMPY, Framework.TORCH):
        return sig.fw.value
    return t.fw if t is not None else "torch"


def _tensor(sig: Signature, t: Tensor, shape: Shape, dtype: Any = "same", role: Optional[str] = None) -> Tensor:
    return Tensor(shape, _fw(sig, t), t.dtype if dtype == "same" else dtype, role)


def _unknown(sig: Signature, t: Optional[Tensor]) -> Value:
    return UNKNOWN if t is None else Tensor(Shape.unknown(), _fw(sig, t), t.dtype)


def _whys(s: Shape) -> list:
    if s.why is not None and len(s.why) == len(s.dims):
        return list(s.why)
    return [None] * len(s.dims)


def _mk(dims: Sequence[Dim], whys: Optional[Sequence[Optional[str]]] = None, variadic: bool = False) -> Shape:
    ds = tuple(D.norm(d) for d in dims)
    if whys is not None and any(whys):
        return Shape(ds, variadic, tuple(whys))
    return Shape(ds, variadic)


def _flex() -> Dim:
    return D.flexible("n")


def _shapes_text(shapes: Sequence[Shape]) -> str:
    return ", ".join(str(s) for s in shapes[:-1]) + (" and " if len(shapes) > 1 else "") + str(shapes[-1])


def _torch_scalar(call: Call, sig: Signature, s: Shape) -> bool:
    """torch treats the dims of a 0-d tensor as those of a 1-D one (``dim`` in ``[-1, 0]``)."""
    return s.rank == 0 and not sig.np


def _pos(call: Call, s: Shape, axis: int, what: str, extra: int = 0) -> Optional[int]:
    """Index into ``s.dims`` (with ``extra`` more slots, for ops that insert an axis) for ``axis``.

    Raises SHP402 where the rank is known and the axis is outside it; None where the rank is
    unknown and the axis cannot be placed among the known trailing sizes."""
    n = len(s.dims) + extra
    if s.variadic:
        if axis < 0 and -axis <= n:
            return n + axis
        return None
    return axis_of(call, axis, n, what)


def _arg(call: Call, i: Optional[int], *names: str) -> Optional[Value]:
    """An argument by keyword (any of ``names``) or position; None where absent."""
    for n in names:
        if n in call.kwargs:
            return call.kwargs[n]
    if i is not None and i < len(call.args):
        return call.args[i]
    return None


def _is_none(v: Optional[Value]) -> bool:
    return v is None or (isinstance(v, Const) and v.value is None)


def _int_list(v: Optional[Value]) -> Optional[list]:
    """An int or a sequence of ints as a list; None when not all known."""
    if v is None:
        return None
    if isinstance(v, Seq):
        out = [as_int(x) for x in v.items]
        return None if any(x is None for x in out) else out  # type: ignore[return-value]
    i = as_int(v)
    return None if i is None else [i]


def _axes(v: Optional[Value]) -> tuple:
    """``(ok, axes)``: axes None means "none given" (all); ok False means not understood."""
    if _is_none(v):
        return True, None
    ints = _int_list(v)
    if ints is None:
        return False, None
    return True, ints


def _size_values(call: Call, start: int, kw: Optional[str]) -> Optional[list]:
    """Sizes given as ``f(2, 3)``, ``f((2, 3))`` or ``f(shape=(2, 3))``, as Values."""
    if kw is not None and kw in call.kwargs:
        v = call.kwargs[kw]
        if isinstance(v, Seq):
            return list(v.items)
        return [v] if _one_size(v) else None
    rest = call.args[start:]
    if len(rest) == 1 and isinstance(rest[0], Seq):
        return list(rest[0].items)
    if len(rest) == 1 and not _one_size(rest[0]):
        return None  # a lone value we cannot read may as well be a whole shape tuple (x.size()[:-1] + (4, -1))
    return list(rest)


def _one_size(v: Value) -> bool:
    """Whether ``v`` is surely a single size (an int, or a 0-d tensor), not a tuple of them."""
    if isinstance(v, Tensor):
        return v.shape.rank == 0
    return not isinstance(v, Param) and as_dim(v) is not None


def _size_of(v: Value) -> tuple:
    """``(ok, dim, why)``: dim None for one size we cannot read; ok False for a non-size."""
    d = as_dim(v)
    if d is not None:
        return True, d, (v.why if isinstance(v, Int) else None)
    if v is UNKNOWN or (isinstance(v, Tensor) and v.shape.rank == 0):
        return True, None, None
    return False, None, None


def _sizes(call: Call, start: int, kw: Optional[str]) -> Optional[tuple]:
    """``(dims, whys)`` for a size list (a dim may be None: unknown), or None when not sizes."""
    vals = _size_values(call, start, kw)
    if vals is None:
        return None
    ds, ws = [], []
    for v in vals:
        ok, d, w = _size_of(v)
        if not ok:
            return None
        ds.append(d)
        ws.append(w)
    return ds, ws


def _is_neg1(d: Optional[Dim]) -> bool:
    return d is not None and D.as_int(d) == -1


def _tensors_of(v: Optional[Value]) -> Optional[list]:
    """The tensors of a tuple/list literal; None when any item is not a tensor."""
    if not isinstance(v, Seq) or not v.items:
        return None
    out = []
    for x in v.items:
        t = tensor_of(x) if isinstance(x, (Tensor, Param)) else None
        if t is None:
            return None
        out.append(t)
    return out


# ---------------------------------------------------------------------------------- reshape / view
def reshape_shape(call: Call, sig: Signature, s: Shape, ds: list, ws: list, what: str) -> Shape:
    """``s`` reshaped to ``ds`` with this signature's policy for sizes below -1 (NumPy infers them)."""
    return SMR.reshape(s, ds, ws, bindings=call.bindings, what=what, negative="infer" if sig.np else "error")


@by_signature(*_tm("view", "reshape"), *_nm("reshape"), *_t("reshape"), *_n("reshape"))
def reshape(call: Call, sig: Signature) -> Value:
    t = call.tensor(0, "input" if not sig.np else "a")
    if t is None:
        return UNKNOWN
    if sig.method:
        if len(call.args) == 1 and not call.kwargs:
            # ndarray.view() is a same-shape view; torch's view() needs sizes (or a dtype)
            return _tensor(sig, t, call.shape(t)) if t.fw in ("numpy", "any") else _unknown(sig, t)
        got = _sizes(call, 1, "shape")
    else:
        kw = "shape" if "shape" in call.kwargs else "newshape"
        got = _sizes(call, 1, kw) if (kw in call.kwargs or len(call.args) == 2) else None
    if got is None:
        return _unknown(sig, t)
    ds, ws = got
    return _tensor(sig, t, reshape_shape(call, sig, call.shape(t), ds, ws, _name(call, sig)))


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
    return _tensor(sig, t, flatten_shape(call, sig, call.shape(t), start, end, f"{_name(call, sig)} of {call.shape(t)}"))


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
    what = f"{_name(call, sig)} of {s}"
    p = _pos(call, s, dim, what)
    if p is None:
        return _unknown(sig, t)
    ds, ws = got
    part = reshape_shape(call, sig, Shape((s.dims[p],)), ds, ws, f"{_name(call, sig)} of axis {dim} (size {D.fmt(s.dims[p])}) of {s}")
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
    what = f"{_name(call, sig)} of {s}"
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
            raise ShapeError("axis-out-of-range", lambda: (
                f"{what}: axis {a} has size {D.fmt(d)}, not 1; only axes of size 1 can be squeezed"))
        # torch: squeezing a size other than 1 is a no-op
    w = _whys(s)
    keep = [k for k in range(len(s.dims)) if k not in drop]
    return _tensor(sig, t, _mk([s.dims[k] for k in keep], [w[k] for k in keep], s.variadic))


def _insert_axes(call: Call, s: Shape, axes: list, what: str) -> Shape:
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
    ds, ws = [], []
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
    return _tensor(sig, t, _insert_axes(call, s, [d], f"{_name(call, sig)} of {s}"))


@by_signature(*_n("expand_dims"))
def expand_dims(call: Call, sig: Signature) -> Value:
    t = call.tensor(0, "a")
    axes = _int_list(_arg(call, 1, "axis"))
    if t is None:
        return UNKNOWN
    if axes is None:
        return _unknown(sig, t)
    s = call.shape(t)
    return _tensor(sig, t, _insert_axes(call, s, axes, f"{_name(call, sig)} of {s}"))


@by_signature(*_n("atleast_1d", "atleast_2d", "atleast_3d"), *_t("atleast_1d", "atleast_2d", "atleast_3d"))
def atleast(call: Call, sig: Signature) -> Value:
    if len(call.args) != 1:
        return UNKNOWN
    t = call.tensor(0)
    if t is None:
        return UNKNOWN
    n = int(call.qualname[-2])
    return _tensor(sig, t, _atleast(call.shape(t), n))


def _atleast(s: Shape, n: int) -> Shape:
    if s.variadic:
        return s if len(s.dims) >= n else Shape.unknown()
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
def _expand_differs(what: str, s: Shape, target: str, have: Dim, k: int, d: Dim) -> str:
    return (f"{what} of {s} to {target}: size {D.fmt(have)} at axis {k} must match {D.fmt(d)} (only a size of 1 "
            f"expands){mismatch_note(have, d)}")


def expand_shape(call: Call, s: Shape, ds: list, what: str, allow_neg1: bool) -> Shape:
    target = SMR.sizes_text(ds)
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
        if d is not None and D.as_int(d) is not None and D.as_int(d) < 0:
            if not (allow_neg1 and D.as_int(d) == -1) or leading:
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
        raise ShapeError("reshape-size", f"{_name(call, sig)} of {s} with {len(reps)} sizes {SMR.sizes_text(reps)}: "
                                         f"torch needs at least one size per dim ({len(s.dims)}{'+' if s.variadic else ''})")
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
    what = f"{_name(call, sig)} of {s}"
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
            new = D.add(new, x)  # type: ignore[arg-type]
    elif isinstance(reps, (Tensor, Param, Seq)):
        new = _flex()  # one count per element: their sum
    else:
        return _unknown(sig, t)
    if p is None:
        return _tensor(sig, t, Shape((new,)))
    return _tensor(sig, t, _mk(s.dims[:p] + (new,) + s.dims[p + 1:], None, s.variadic))


# ---------------------------------------------------------------------------------- permutations
def _bad_perm(what: str, s: Shape, perm: list, why: str) -> ShapeError:
    return ShapeError("bad-permutation", f"{what} of {s} with axes {tuple(perm)}: {why}")


def permute_shape(call: Call, s: Shape, perm: list, what: str) -> Shape:
    n = len(perm)
    if s.variadic:
        if len(s.dims) > n:
            raise _bad_perm(what, s, perm, f"{n} axes for a tensor of at least {len(s.dims)} dims")
        s = Shape(tuple(_flex() for _ in range(n - len(s.dims))) + s.dims, False,
                  None if s.why is None else (None,) * (n - len(s.dims)) + s.why)
    r = len(s.dims)
    norm = [axis_of(call, a, r, what) if r else a for a in perm]
    if n != r:
        raise _bad_perm(what, s, perm, f"{n} axes for a {r}-D tensor; a permutation must name each of the {r} "
                                       f"axes once")
    if len(set(norm)) != n:
        dup = sorted({a for a in norm if norm.count(a) > 1})
        missing = sorted(set(range(r)) - set(norm))
        raise _bad_perm(what, s, perm, f"axis {dup[0]} repeated, axis {missing[0]} missing" if missing
                        else f"axis {dup[0]} repeated")
    w = _whys(s)
    return _mk([s.dims[a] for a in norm], [w[a] for a in norm])


@by_signature(*_t("permute"), *_tm("permute"))
def permute(call: Call, sig: Signature) -> Value:
    t = call.tensor(0, "input")
    if t is None:
        return UNKNOWN
    vals = _size_values(call, 1, "dims")
    perm = [as_int(v) for v in vals] if vals is not None else None
    if not perm or any(p is None for p in perm):
        return _unknown(sig, t)
    s = call.shape(t)
    return _tensor(sig, t, permute_shape(call, s, perm, _name(call, sig)), role=TRANSPOSED)  # type: ignore[arg-type]


@by_signature(*_n("transpose"), *_nm("transpose"))
def np_transpose(call: Call, sig: Signature) -> Value:
    t = call.tensor(0, "a")
    if t is None:
        return UNKNOWN
    s = call.shape(t)
    if sig.method:
        vals = _size_values(call, 1, "axes")
        if vals is not None and len(vals) == 1 and _is_none(vals[0]):
            vals = []
    else:
        v = _arg(call, 1, "axes")
        vals = [] if _is_none(v) else (list(v.items) if isinstance(v, Seq) else [v])  # type: ignore[union-attr]
    if vals is None:
        return _unknown(sig, t)
    if not vals:
        if s.variadic:
            return _unknown(sig, t)
        w = _whys(s)
        return _tensor(sig, t, _mk(tuple(reversed(s.dims)), list(reversed(w))), role=TRANSPOSED)
    perm = [as_int(v) for v in vals]
    if any(p is None for p in perm):
        return _unknown(sig, t)
    return _tensor(sig, t, permute_shape(call, s, perm, _name(call, sig)), role=TRANSPOSED)  # type: ignore[arg-type]


def swap_shape(call: Call, sig: Signature, s: Shape, a: int, b: int, what: str) -> Shape:
    if _torch_scalar(call, sig, s):
        axis_of(call, a, 1, what)
        axis_of(call, b, 1, what)
        return s
    i, j = _pos(call, s, a, what), _pos(call, s, b, what)
    if i is None or j is None:
        return Shape.unknown()
    ds, w = list(s.dims), _whys(s)
    ds[i], ds[j] = ds[j], ds[i]
    w[i], w[j] = w[j], w[i]
    return _mk(ds, w, s.variadic)


@by_signature(*_t("transpose", "swapaxes", "swapdims"), *_tm("transpose", "swapaxes", "swapdims"),
            *_n("swapaxes"), *_nm("swapaxes"))
def transpose(call: Call, sig: Signature) -> Value:
    t = call.tensor(0)
    if t is None:
        return UNKNOWN
    if call.qualname == "torch.Tensor.transpose" and t.fw == "any" and len(call.args) != 3:
        return _unknown(sig, t)  # an unannotated receiver might be an ndarray
    if sig.np:
        names = ("axis1", "axis2")
    elif "swapaxes" in call.qualname:
        names = ("axis0", "axis1")
    else:
        names = ("dim0", "dim1")
    av, bv = _arg(call, 1, names[0]), _arg(call, 2, names[1])
    if av is None or bv is None or len(call.args) + len(call.kwargs) != 3:
        return _unknown(sig, t)
    a, b = as_int(av), as_int(bv)
    if a is None or b is None:
        return _unknown(sig, t)
    s = call.shape(t)
    return _tensor(sig, t, swap_shape(call, sig, s, a, b, f"{_name(call, sig)} of {s}"), role=TRANSPOSED)


@by_signature(*_t("t"), *_tm("t"))
def torch_t(call: Call, sig: Signature) -> Value:
    t = call.tensor(0)
    if t is None:
        return UNKNOWN
    s = call.shape(t)
    if s.rank is None or s.rank > 2:
        return _unknown(sig, t)  # > 2-D raises; no rule names it
    return _tensor(sig, t, _mk(tuple(reversed(s.dims)), list(reversed(_whys(s)))), role=TRANSPOSED)


@by_signature(*_n("moveaxis"), *_t("movedim", "moveaxis"), *_tm("movedim", "moveaxis"))
def moveaxis(call: Call, sig: Signature) -> Value:
    t = call.tensor(0)
    if t is None:
        return UNKNOWN
    src = _int_list(_arg(call, 1, "source"))
    dst = _int_list(_arg(call, 2, "destination"))
    if src is None or dst is None:
        return _unknown(sig, t)
    s = call.shape(t)
    what = f"{_name(call, sig)} of {s}"
    if len(src) != len(dst):
        raise ShapeError("bad-permutation", f"{what}: source {tuple(src)} and destination {tuple(dst)} name "
                                            f"different numbers of axes")
    if s.variadic:
        return _unknown(sig, t)
    r = len(s.dims)
    si = [axis_of(call, a, r, what) for a in src]
    di = [axis_of(call, a, r, what) for a in dst]
    if len(set(si)) != len(si) or len(set(di)) != len(di):
        raise ShapeError("bad-permutation", f"{what}: an axis is repeated in source {tuple(src)} or destination "
                                            f"{tuple(dst)}")
    order = [k for k in range(r) if k not in si]
    for d, sidx in sorted(zip(di, si)):
        order.insert(d, sidx)
    w = _whys(s)
    return _tensor(sig, t, _mk([s.dims[k] for k in order], [w[k] for k in order]))


# ---------------------------------------------------------------------------------- same shape with a dim
def _check_dims(call: Call, sig: Signature, s: Shape, axes: Sequence[int], what: str) -> None:
    if s.variadic:
        return
    r = max(len(s.dims), 1) if not sig.np else len(s.dims)
    for a in axes:
        axis_of(call, a, r, what)


@by_signature(*_t("flip", "roll"), *_tm("flip", "roll"), *_n("flip", "roll"))
def flip_roll(call: Call, sig: Signature) -> Value:
    """Shape kept; the axes are checked (roll without axes works on the flattened tensor)."""
    t = call.tensor(0)
    if t is None:
        return UNKNOWN
    s = call.shape(t)
    roll = call.qualname.endswith("roll")
    ok, axes = _axes(_arg(call, 2 if roll else 1, "dims", "axis"))
    if not ok:
        return _unknown(sig, t)
    if axes is not None:
        _check_dims(call, sig, s, axes, f"{_name(call, sig)} of {s}")
    return _tensor(sig, t, s)


@by_signature(*_t("index_add", "index_copy", "index_fill"),
            *_tm("index_add", "index_add_", "index_copy", "index_copy_", "index_fill", "index_fill_"))
def index_update(call: Call, sig: Signature) -> Value:
    """Shape kept; the dim is checked and the index must be a vector."""
    t = call.tensor(0)
    if t is None:
        return UNKNOWN
    s = call.shape(t)
    d = call.int(1, "dim")
    if d is not None:
        _check_dims(call, sig, s, [d], f"{_name(call, sig)} of {s}")
    ix = call.tensor(2, "index")
    if ix is not None and ix.shape.rank is not None and ix.shape.rank > 1:
        raise ShapeError("index-rank", f"{_name(call, sig)} of {s} with index {ix.shape}: the index must be 1-D (a vector)")
    return _tensor(sig, t, s)


@by_signature(*_t("masked_select"), *_tm("masked_select"))
def masked_select(call: Call, sig: Signature) -> Value:
    t, m = call.tensor(0), call.tensor(1, "mask")
    if t is None:
        return UNKNOWN
    if m is not None:
        broadcast_shapes(call, [call.shape(t), call.shape(m)], what=_name(call, sig))
    return _tensor(sig, t, Shape((_flex(),)))


@by_signature(*_t("nonzero", "argwhere"), *_tm("nonzero", "argwhere"), *_n("nonzero", "argwhere", "flatnonzero"),
            *_nm("nonzero"))
def nonzero(call: Call, sig: Signature) -> Value:
    """Indices of the nonzero elements: ``(count, rank)``, or one ``(count,)`` per axis as a tuple."""
    t = call.tensor(0, "input" if not sig.np else "a")
    if t is None:
        return UNKNOWN
    s = call.shape(t)
    last = call.qualname.rsplit(".", 1)[-1]
    n = _flex()
    if last == "flatnonzero":
        return Tensor(Shape((n,)), "numpy", "int")
    as_tuple = call.bool(None, "as_tuple", False) if not sig.np else last == "nonzero"
    if as_tuple is None or s.rank is None:
        return _unknown(sig, t)
    if as_tuple and s.rank == 0 and sig.np:
        return UNKNOWN  # numpy refuses 0-d here
    r = max(s.rank, 1) if as_tuple else s.rank
    if as_tuple:
        return Seq([Tensor(Shape((n,)), _fw(sig, t), "int") for _ in range(r)], "tuple")
    return Tensor(Shape((n, r)), _fw(sig, t), "int")


@by_signature(*_t("narrow"), *_tm("narrow"))
def narrow(call: Call, sig: Signature) -> Value:
    t = call.tensor(0)
    d, length = call.int(1, "dim"), call.dim(3, "length")
    if t is None:
        return UNKNOWN
    if d is None:
        return _unknown(sig, t)
    s = call.shape(t)
    p = _pos(call, s, d, f"{_name(call, sig)} of {s}")
    if p is None or length is None:
        return _unknown(sig, t)
    return _tensor(sig, t, _mk(s.dims[:p] + (length,) + s.dims[p + 1:], None, s.variadic))


@by_signature(*_t("select"), *_tm("select"))
def select(call: Call, sig: Signature) -> Value:
    t = call.tensor(0)
    d = call.int(1, "dim")
    if t is None:
        return UNKNOWN
    if d is None:
        return _unknown(sig, t)
    s = call.shape(t)
    p = _pos(call, s, d, f"{_name(call, sig)} of {s}")
    if p is None:
        return _unknown(sig, t)
    w = _whys(s)
    return _tensor(sig, t, _mk(s.dims[:p] + s.dims[p + 1:], w[:p] + w[p + 1:], s.variadic))


# ---------------------------------------------------------------------------------- joins
def _axis_fix(call: Call, word: str, value: int, given: bool) -> Fix:
    """``use dim=1``, with the call rewritten where that is safe: the axis added at the end, or
    a ``dim=``/``axis=`` keyword's value replaced."""
    desc = f"use {word}={value}"
    text = call.text("call").rstrip()
    if text == "?" or not text.endswith(")"):
        return Fix(desc, None)
    if given:
        kw = next((k for k in ("dim", "axis") if k in call.kwargs), None)
        if kw is None:
            return Fix(f"use {value} as the axis", None)
        pat = re.compile(rf"\b{kw}\s*=\s*{re.escape(call.text(kw))}(?=\s*[,)])")
        if call.text(kw) == "?" or len(pat.findall(text)) != 1:
            return Fix(f"use {kw}={value}", None)
        return Fix(f"use {kw}={value}", pat.sub(f"{kw}={value}", text))
    inner = text[:-1].rstrip()
    sep = " " if inner.endswith(",") or inner.endswith("(") else ", "
    return Fix(desc, f"{inner}{sep}{word}={value})")


_pick = SMJ.pick


def _drop_legacy_empty(shapes: list) -> list:
    """torch quirk: ``cat`` still skips legacy empty 1-D tensors of shape ``(0,)`` among others."""
    if any(s.rank != 1 for s in shapes):
        kept = [s for s in shapes if not (s.rank == 1 and D.as_int(s.dims[0]) == 0)]
        return kept or shapes
    return shapes


def _join_inputs(call: Call, *names: str) -> Optional[list]:
    return _tensors_of(_arg(call, 0, *names))


@by_signature(*_t("cat", "concat", "concatenate"))
def torch_cat(call: Call, sig: Signature) -> Value:
    """``torch.cat(tensors, dim=0)``."""
    ts = _join_inputs(call, "tensors")
    if ts is None:
        return UNKNOWN
    av = _arg(call, 1, "dim", "axis")
    axis = 0 if av is None else as_int(av)
    if axis is None:
        return Tensor(Shape.unknown(), "torch", out_dtype(*ts))
    shapes = _drop_legacy_empty([call.shape(t) for t in ts])
    out = SMJ.concat(shapes, axis, call.bindings, op=_name(call, sig), word="dim",
                     fix_for=lambda q: _axis_fix(call, "dim", q, av is not None))
    return Tensor(out, "torch", out_dtype(*ts))


@by_signature(*_n("concatenate", "concat"))
def np_concatenate(call: Call, sig: Signature) -> Value:
    """``np.concatenate(arrays, axis=0)``; ``axis=None`` flattens every array first."""
    ts = _join_inputs(call, "arrays", "tup", "seq")
    if ts is None:
        return UNKNOWN
    av = _arg(call, 1, "axis")
    if av is not None and _is_none(av):
        total: Dim = 0
        for t in ts:
            n = call.shape(t).numel()
            if n is None:
                return Tensor(Shape((_flex(),)), "numpy", out_dtype(*ts))
            total = D.add(total, n)
        return Tensor(Shape((total,)), "numpy", out_dtype(*ts))
    axis = 0 if av is None else as_int(av)
    if axis is None:
        return Tensor(Shape.unknown(), "numpy", out_dtype(*ts))
    out = SMJ.concat([call.shape(t) for t in ts], axis, call.bindings, op=_name(call, sig), word="axis",
                     fix_for=lambda q: _axis_fix(call, "axis", q, av is not None))
    return Tensor(out, "numpy", out_dtype(*ts))


@by_signature(*_n("hstack", "vstack", "row_stack", "dstack", "column_stack"),
            *_t("hstack", "vstack", "row_stack", "dstack", "column_stack"))
def stack_family(call: Call, sig: Signature) -> Value:
    """``hstack``/``vstack``/``dstack``/``column_stack`` (NumPy and torch alike): promote, then a
    concat along the op's own axis (no axis to suggest: the op fixes it)."""
    ts = _join_inputs(call, "tensors", "tup", "arrays")
    if ts is None:
        return UNKNOWN
    last = call.qualname.rsplit(".", 1)[-1]
    shapes = [call.shape(t) for t in ts]
    if last == "hstack":
        shapes = [_atleast(s, 1) for s in shapes]
        axis = 0 if shapes[0].rank == 1 else (1 if shapes[0].rank is not None else None)
    elif last in ("vstack", "row_stack"):
        shapes = [_atleast(s, 2) for s in shapes]
        axis = 0
    elif last == "dstack":
        shapes = [_atleast(s, 3) for s in shapes]
        axis = 2
    else:  # column_stack: 1-D arrays become columns
        shapes = [Shape((s.dims[0], 1), False, None) if s.rank == 1 else (_atleast(s, 2) if s.rank == 0 else s)
                  for s in shapes]
        axis = 1
    torch = sig.fw is Framework.TORCH
    fw = "torch" if torch else "numpy"
    if axis is None or any(s.variadic and not s.dims for s in shapes):
        return Tensor(Shape.unknown(), fw, out_dtype(*ts))
    if torch:
        shapes = _drop_legacy_empty(shapes)
    out = SMJ.concat(shapes, axis, call.bindings, op=_name(call, sig), word="dim" if torch else "axis", suggest=False)
    return Tensor(out, fw, out_dtype(*ts))


def _stack(call: Call, sig: Signature, fw: str, names: tuple, axis_names: tuple) -> Value:
    ts = _join_inputs(call, *names)
    if ts is None:
        return UNKNOWN
    av = _arg(call, 1, *axis_names)
    axis = 0 if av is None else as_int(av)
    if axis is None:
        return Tensor(Shape.unknown(), fw, out_dtype(*ts))
    shapes = [call.shape(t) for t in ts]
    return Tensor(SMJ.stack(shapes, axis, call.bindings, op=_name(call, sig)), fw, out_dtype(*ts))


@by_signature(*_t("stack"))
def torch_stack(call: Call, sig: Signature) -> Value:
    """``torch.stack(tensors, dim=0)``."""
    return _stack(call, sig, "torch", ("tensors",), ("dim", "axis"))


@by_signature(*_n("stack"))
def np_stack(call: Call, sig: Signature) -> Value:
    """``np.stack(arrays, axis=0)``."""
    return _stack(call, sig, "numpy", ("arrays", "tup", "seq"), ("axis",))


# ---------------------------------------------------------------------------------- splits
def _pieces(call: Call, sig: Signature, t: Tensor, s: Shape, p: int, sizes: list) -> Value:
    w = _whys(s)
    return Seq([_tensor(sig, t, _mk(s.dims[:p] + (sz,) + s.dims[p + 1:], w[:p] + [None] + w[p + 1:], s.variadic))
                for sz in sizes], "tuple")


def _split_axis(call: Call, sig: Signature, t: Tensor, i: int, names: tuple, default: int) -> Optional[tuple]:
    s = call.shape(t)
    v = _arg(call, i, *names)
    a = default if v is None else as_int(v)
    if a is None:
        return None
    p = _pos(call, s, a, f"{_name(call, sig)} of {s}")
    if p is None:
        return None
    return s, p


@by_signature(*_t("split"), *_tm("split"))
def torch_split(call: Call, sig: Signature) -> Value:
    t = call.tensor(0)
    if t is None:
        return UNKNOWN
    got = _split_axis(call, sig, t, 2, ("dim",), 0)
    arg = _arg(call, 1, "split_size_or_sections", "split_size")
    if got is None or arg is None:
        return UNKNOWN
    s, p = got
    n = s.dims[p]
    if isinstance(arg, Seq):
        sizes = [as_dim(x) for x in arg.items]
        if any(x is None for x in sizes) or len(sizes) > MAX_PIECES:
            return UNKNOWN
        SMI.require_split_sizes(sizes, n, call.bindings, f"{_name(call, sig)} of {s} along dim {p}")
        return _pieces(call, sig, t, s, p, sizes)
    k, ni = as_int(arg), D.as_int(n)
    if k is None or k <= 0:
        return UNKNOWN
    if ni is None:
        q, _ = SMR.divide(n, k)
        cnt = None if q is None else D.as_int(q)
        if cnt is None or cnt > MAX_PIECES:
            return UNKNOWN
        return _pieces(call, sig, t, s, p, [k] * cnt)
    cnt = max(1, -(-ni // k))
    if cnt > MAX_PIECES:
        return UNKNOWN
    return _pieces(call, sig, t, s, p, [k] * (cnt - 1) + [ni - k * (cnt - 1)])


@by_signature(*_t("chunk"), *_tm("chunk"))
def chunk(call: Call, sig: Signature) -> Value:
    t = call.tensor(0)
    if t is None:
        return UNKNOWN
    got = _split_axis(call, sig, t, 2, ("dim",), 0)
    k = call.int(1, "chunks")
    if got is None or k is None or k <= 0 or k > MAX_PIECES:
        return UNKNOWN
    s, p = got
    n = s.dims[p]
    ni = D.as_int(n)
    if ni is None:
        q, _ = SMR.divide(n, k)
        return _pieces(call, sig, t, s, p, [q if q is not None else _flex()] * k)
    each = -(-ni // k) if ni else 0
    if each == 0:
        return _pieces(call, sig, t, s, p, [0] * k)
    cnt = -(-ni // each)
    return _pieces(call, sig, t, s, p, [each] * (cnt - 1) + [ni - each * (cnt - 1)])


@by_signature(*_t("unbind"), *_tm("unbind"))
def unbind(call: Call, sig: Signature) -> Value:
    t = call.tensor(0)
    if t is None:
        return UNKNOWN
    got = _split_axis(call, sig, t, 1, ("dim",), 0)
    if got is None:
        return UNKNOWN
    s, p = got
    n = D.as_int(s.dims[p])
    if n is None or n > MAX_PIECES:
        return UNKNOWN
    w = _whys(s)
    one = _tensor(sig, t, _mk(s.dims[:p] + s.dims[p + 1:], w[:p] + w[p + 1:], s.variadic))
    return Seq([one] * n, "tuple")


def _sections(n: Dim, k: int, exact: bool) -> Optional[list]:
    """Sizes of ``k`` sections of ``n`` (np.split: equal; np.array_split: the first ``n % k`` one larger)."""
    ni = D.as_int(n)
    if ni is None:
        q, _ = SMR.divide(n, k)
        if q is not None:
            return [q] * k
        if exact:
            f = _flex()
            return [f] * k
        return [_flex() for _ in range(k)]
    if exact and ni % k:
        return None  # numpy raises; no rule names it
    q, r = divmod(ni, k)
    return [q + 1] * r + [q] * (k - r)


def _by_indices(n: Dim, idx: list) -> Optional[list]:
    ni = D.as_int(n)
    if ni is None:
        return None
    bounds = [0] + [min(max(i if i >= 0 else ni + i, 0), ni) for i in idx] + [ni]
    return [max(b - a, 0) for a, b in zip(bounds, bounds[1:])]


@by_signature(*_n("split", "array_split", "hsplit", "vsplit", "dsplit"), *_t("tensor_split", "hsplit", "vsplit",
                                                                         "dsplit"), *_tm("tensor_split"))
def np_split(call: Call, sig: Signature) -> Value:
    t = call.tensor(0)
    if t is None:
        return UNKNOWN
    last = call.qualname.rsplit(".", 1)[-1]
    s = call.shape(t)
    if last in ("hsplit", "vsplit", "dsplit"):
        if last == "hsplit":
            axis = 0 if s.rank == 1 else (1 if s.rank is not None else None)
        else:
            axis = 0 if last == "vsplit" else 2
        if axis is None:
            return UNKNOWN
        av: Optional[Value] = Int(axis)
    else:
        av = _arg(call, 2, "axis", "dim")
    a = 0 if av is None else as_int(av)
    if a is None:
        return UNKNOWN
    p = _pos(call, s, a, f"{_name(call, sig)} of {s}")
    if p is None:
        return UNKNOWN
    arg = _arg(call, 1, "indices_or_sections", "sections", "indices", "tensor_indices_or_sections")
    n = s.dims[p]
    if isinstance(arg, Seq):
        idx = [as_int(x) for x in arg.items]
        if any(i is None for i in idx) or len(idx) >= MAX_PIECES:
            return UNKNOWN
        sizes = _by_indices(n, idx)  # type: ignore[arg-type]
    else:
        k = as_int(arg) if arg is not None else None
        if k is None or k <= 0 or k > MAX_PIECES:
            return UNKNOWN
        sizes = _sections(n, k, last in ("split", "hsplit", "vsplit", "dsplit") and sig.np)
    if sizes is None:
        return UNKNOWN
    return _pieces(call, sig, t, s, p, sizes)


# ---------------------------------------------------------------------------------- indexing
@dataclass
class _Ix:
    kind: str  # int | slice | none | ell | adv
    consumes: int = 0
    value: Any = None
    adv: Optional[Shape] = None  # the index's own shape (adv)


def _literal_index(v: Seq) -> Optional[_Ix]:
    """A list of ints (or bools, or nested lists) used as an index."""
    def shape_of(x: Value) -> Optional[tuple]:
        if isinstance(x, Seq):
            subs = [shape_of(i) for i in x.items]
            if not subs or any(sub is None for sub in subs) or len({sub for sub in subs}) != 1:
                return None if subs else ((0,), "int")
            return ((len(x.items),) + subs[0][0], subs[0][1])  # type: ignore[index]
        if isinstance(x, Const) and isinstance(x.value, bool):
            return ((), "bool")
        if as_int(x) is not None:
            return ((), "int")
        return None

    got = shape_of(v)
    if got is None:
        return None
    dims, kind = got
    if kind == "bool":
        return _Ix("adv", len(dims), v, Shape((_flex(),)))
    return _Ix("adv", 1, v, Shape(dims))


def _classify(v: Value) -> Optional[_Ix]:
    if isinstance(v, Ext) and v.qualname in ("numpy.newaxis", "torch.newaxis"):
        return _Ix("none")
    if isinstance(v, Const):
        if v.value is Ellipsis:
            return _Ix("ell")
        if v.value is None:
            return _Ix("none")
        if isinstance(v.value, slice):
            return _Ix("slice", 1, v.value)
        return None
    if isinstance(v, Int):
        return _Ix("int", 1, v.dim)
    if isinstance(v, Tensor):
        s = v.shape
        if v.dtype == "bool":
            if s.variadic:
                return None
            return _Ix("adv", len(s.dims), v, Shape((_flex(),)))
        if v.dtype == "int":
            return None if s.variadic and not s.dims else _Ix("adv", 1, v, s)
        if s.rank == 1:  # int or bool: either way one axis in, one axis out
            return _Ix("adv", 1, v, Shape((_flex(),)))
        return None
    if isinstance(v, Seq) and v.kind in ("list", "tuple"):
        return _literal_index(v)
    return None


def _from_end(d: Dim, size: Optional[Dim]) -> Optional[Dim]:
    """A slice bound as a position: a negative one counts from the end; None where its sign
    is not known (``k - 3``) or the size is needed and unknown."""
    i = D.as_int(d)
    if i is not None:
        neg = i < 0
    elif getattr(d, "is_negative", None) is True:
        neg = True
    elif getattr(d, "is_nonnegative", None) is True:
        neg = False
    else:
        return None
    if not neg:
        return d
    return None if size is None else D.add(size, d)


def _slice_len(size: Optional[Dim], sl: slice, np_: bool) -> Dim:
    start, stop, step = sl.start, sl.stop, sl.step
    if any(p is UNKNOWN for p in (start, stop, step)):
        return _flex()
    st = 1 if step is None else D.as_int(step)
    if st is None or st == 0:
        return _flex()
    n = None if size is None else D.as_int(size)
    si = None if start is None else D.as_int(start)
    ti = None if stop is None else D.as_int(stop)
    if n is not None and (start is None or si is not None) and (stop is None or ti is not None):
        return len(range(*slice(si, ti, st).indices(n)))
    if st < 0:
        if start is None and stop is None and size is not None:
            return D.ceildiv(size, -st) if st != -1 else size
        return _flex()
    lo: Optional[Dim] = 0 if start is None else _from_end(start, size)
    hi: Optional[Dim] = size if stop is None else _from_end(stop, size)
    if lo is None or hi is None:
        return _flex()
    length = D.sub(hi, lo)
    li = D.as_int(length)
    if li is not None and li < 0:
        return 0
    if st != 1:
        length = D.ceildiv(length, st)
    return length


def index_shape(call: Call, s: Shape, items: list, np_: bool) -> Shape:
    """The shape of ``x[items]`` (basic and advanced indexing, NumPy or torch flavour)."""
    cls = []
    for v in items:
        c = _classify(v)
        if c is None:
            return Shape.unknown()
        cls.append(c)
    if sum(1 for c in cls if c.kind == "ell") > 1:
        return Shape.unknown()
    if not any(c.kind == "ell" for c in cls):
        cls.append(_Ix("ell"))
    e = next(k for k, c in enumerate(cls) if c.kind == "ell")
    front, back = cls[:e], cls[e + 1:]
    cf, cb = sum(c.consumes for c in front), sum(c.consumes for c in back)
    if s.rank is not None and cf + cb > s.rank:
        raise ShapeError("axis-out-of-range", f"indexing {s} with {cf + cb} indices: too many indices for a "
                                              f"{s.rank}-D tensor")
    has_adv = any(c.kind == "adv" for c in cls)
    if has_adv and np_:  # numpy: integers next to arrays are advanced indices too
        for c in cls:
            if c.kind == "int":
                c.kind, c.adv = "adv", Shape(())
    w = _whys(s)
    if s.variadic:
        if has_adv:
            return Shape.unknown()
        k = len(s.dims)
        if cb <= k:
            bdims, bw = list(s.dims[k - cb:]), w[k - cb:]
            middle, mw = list(s.dims[:k - cb]), w[:k - cb]
        else:
            bdims, bw = [None] * (cb - k) + list(s.dims), [None] * (cb - k) + w
            middle, mw = [], []
        out_b, ow_b, _ = _apply(call, back, bdims, bw, np_)
        # only new axes, then whole axes at the front: the known trailing sizes survive (a new
        # axis after a consumed one could land among them when the rank is small)
        kinds = ["none" if c.kind == "none" else ("full" if c.kind == "slice" and c.value.start is None
                                                  and c.value.stop is None and c.value.step is None else "other")
                 for c in front]
        untouched = "other" not in kinds and "none" not in kinds[kinds.index("full"):] if "full" in kinds else (
            "other" not in kinds)
        if untouched:
            return _mk(middle + out_b, mw + ow_b, True)
        return _mk(out_b, ow_b, True)
    r = len(s.dims)
    fdims, fw_ = list(s.dims[:cf]), w[:cf]
    middle, mw = list(s.dims[cf:r - cb]), w[cf:r - cb]
    bdims, bw = list(s.dims[r - cb:]), w[r - cb:]
    out_f, ow_f, adv_f = _apply(call, front, fdims, fw_, np_)
    out_b, ow_b, adv_b = _apply(call, back, bdims, bw, np_)
    out = out_f + middle + out_b
    ow = ow_f + mw + ow_b
    if not has_adv:
        return _mk(out, ow)
    adv_shapes = [c.adv for c in cls if c.kind == "adv"]
    bshape = broadcast_shapes(call, adv_shapes, what="advanced indices")  # type: ignore[arg-type]
    if bshape.variadic:
        return Shape.unknown()
    # adjacent advanced indices put their dims where the first one was; else they go first
    seq = [c.kind for c in cls if c.kind != "int" or np_]
    first = seq.index("adv")
    last_adv = len(seq) - 1 - seq[::-1].index("adv")
    adjacent = all(kind == "adv" for kind in seq[first:last_adv + 1])
    marker = out.index(_ADV)
    rest = [d for d in out if d is not _ADV]
    rest_w = [wi for d, wi in zip(out, ow) if d is not _ADV]
    if adjacent:
        return _mk(rest[:marker] + list(bshape.dims) + rest[marker:],
                   rest_w[:marker] + [None] * len(bshape.dims) + rest_w[marker:])
    return _mk(list(bshape.dims) + rest, [None] * len(bshape.dims) + rest_w)


_ADV = object()


def _apply(call: Call, cls: list, dims: list, whys: list, np_: bool) -> tuple:
    """Output sizes of a run of index items over ``dims``; one ``_ADV`` marker for the first
    advanced index (later ones add nothing: their dims are placed once)."""
    out: list = []
    ow: list = []
    k = 0
    seen_adv = False
    for c in cls:
        if c.kind == "none":
            out.append(1)
            ow.append(None)
        elif c.kind == "int":
            k += 1
        elif c.kind == "slice":
            d = dims[k]
            n = _slice_len(d, c.value, np_)
            out.append(n)
            full = c.value.start is None and c.value.stop is None and c.value.step is None
            ow.append(whys[k] if full else None)
            k += 1
        elif c.kind == "adv":
            if not seen_adv:
                out.append(_ADV)
                ow.append(None)
                seen_adv = True
            k += c.consumes
    return [d if d is not None or d is _ADV else _flex() for d in out], ow, seen_adv


@by_signature("tensor.__getitem__")
def getitem(call: Call, sig: Signature) -> Value:
    t = call.tensor(0)
    idx = call.get(1)
    if t is None or not isinstance(idx, Seq):
        return UNKNOWN
    items = list(idx.items)
    if len(items) == 1 and isinstance(items[0], Seq) and items[0].kind == "tuple":
        items = list(items[0].items)
    s = call.shape(t)
    out = index_shape(call, s, items, t.fw == "numpy")
    if out.variadic and not out.dims and t.fw == "any":
        return Tensor(out, t.fw)
    return Tensor(out, t.fw, t.dtype)


# ---------------------------------------------------------------------------------- gather / scatter
def _index_rank(what: str, s: Shape, i: Shape, extra: str = "") -> ShapeError:
    return ShapeError("index-rank", f"{what} of {s} with index {i}: the index must have the same rank as the input "
                                    f"({i.rank if i.rank is not None else 'at least ' + str(len(i.dims))}-D index "
                                    f"for a {s.rank}-D input){extra}")


def _same_rank(call: Call, what: str, s: Shape, i: Shape, fix: Optional[Fix] = None, extra: str = "") -> None:
    if s.rank is not None and i.rank is not None and s.rank != i.rank:
        raise ShapeError("index-rank", _index_rank(what, s, i, extra).message, fix)
    if s.rank is not None and i.variadic and len(i.dims) > s.rank:
        raise _index_rank(what, s, i)
    if i.rank is not None and s.variadic and len(s.dims) > i.rank:
        raise ShapeError("index-rank", f"{what} of {s} with index {i}: the index must have the same rank as the "
                                       f"input ({i.rank}-D index for an input of at least {len(s.dims)} dims)")


def _unsqueeze_fix(call: Call, key: Any, s: Shape, i: Shape, dim: int) -> tuple:
    """A fix for a gather whose index lacks the gathered axis: ``index.unsqueeze(dim)``."""
    if s.rank is None or i.rank is None or i.rank + 1 != s.rank:
        return None, ""
    text = call.text(key)
    if text == "?":
        text = "index"
    fixed = f"{text}.unsqueeze({dim})"
    return Fix(f"use {fixed}", None), f"; did you mean {fixed}?"


@by_signature(*_t("gather"), *_tm("gather"))
def gather(call: Call, sig: Signature) -> Value:
    t = call.tensor(0, "input")
    d = call.int(1, "dim")
    ix = call.tensor(2, "index")
    if t is None:
        return UNKNOWN
    if d is None or ix is None:
        return _unknown(sig, t)
    s, i = call.shape(t), call.shape(ix)
    what = _name(call, sig)
    if not s.variadic:
        if _torch_scalar(call, sig, s):
            axis_of(call, d, 1, f"{what} of {s}")
        else:
            axis_of(call, d, len(s.dims), f"{what} of {s}")
    fix, extra = _unsqueeze_fix(call, 2 if "index" not in call.kwargs else "index", s, i, d)
    if s.rank != 0 and i.rank != 0:
        _same_rank(call, what, s, i, fix, extra)
    if s.rank is not None and i.rank == s.rank and s.rank > 0:
        p = axis_of(call, d, s.rank, what)
        for k, (a, b) in enumerate(zip(i.dims, s.dims)):
            ai, bi = D.as_int(a), D.as_int(b)
            if k != p and ai is not None and bi is not None and ai > bi:
                raise ShapeError("index-rank", f"{what} of {s} with index {i}: the index is larger than the input at "
                                               f"dim {k} ({ai} > {bi}); only dim {d} may differ")
    return Tensor(i, _fw(sig, t), t.dtype)


@by_signature(*_t("scatter", "scatter_add", "scatter_reduce"),
            *_tm("scatter", "scatter_", "scatter_add", "scatter_add_", "scatter_reduce", "scatter_reduce_"))
def scatter(call: Call, sig: Signature) -> Value:
    t = call.tensor(0, "input")
    d = call.int(1, "dim")
    ix = call.tensor(2, "index")
    if t is None:
        return UNKNOWN
    s = call.shape(t)
    if d is None or ix is None:
        return _tensor(sig, t, s)
    i = call.shape(ix)
    what = _name(call, sig)
    if not s.variadic and s.rank:
        axis_of(call, d, len(s.dims), f"{what} of {s}")
    if s.rank != 0 and i.rank != 0:
        _same_rank(call, what, s, i)
    src = call.tensor(3, "src")
    if src is not None:
        ss = call.shape(src)
        if ss.rank is not None and i.rank is not None and ss.rank != i.rank and ss.rank and i.rank:
            raise ShapeError("index-rank", f"{what} of {s} with index {i} and src {ss}: the index must have the same "
                                           f"rank as src")
        if ss.rank == i.rank and i.rank:
            for k, (a, b) in enumerate(zip(i.dims, ss.dims)):
                ai, bi = D.as_int(a), D.as_int(b)
                if ai is not None and bi is not None and ai > bi:
                    raise ShapeError("index-rank", f"{what} of {s} with index {i} and src {ss}: the index is larger "
                                                   f"than src at dim {k} ({ai} > {bi})")
    if s.rank is not None and i.rank == s.rank and s.rank:
        p = axis_of(call, d, s.rank, what)
        for k, (a, b) in enumerate(zip(i.dims, s.dims)):
            ai, bi = D.as_int(a), D.as_int(b)
            if k != p and ai is not None and bi is not None and ai > bi:
                raise ShapeError("index-rank", f"{what} of {s} with index {i}: the index is larger than the input at "
                                               f"dim {k} ({ai} > {bi}); only dim {d} may differ")
    return _tensor(sig, t, s)


@by_signature(*_t("take_along_dim"), *_tm("take_along_dim"), *_n("take_along_axis"))
def take_along(call: Call, sig: Signature) -> Value:
    t = call.tensor(0, "input" if not sig.np else "arr")
    ix = call.tensor(1, "indices")
    if t is None:
        return UNKNOWN
    if ix is None:
        return _unknown(sig, t)
    av = _arg(call, 2, "dim", "axis")
    s, i = call.shape(t), call.shape(ix)
    what = _name(call, sig)
    if _is_none(av):
        if sig.np:
            if i.rank is not None and i.rank != 1:
                raise ShapeError("index-rank", f"{what} of {s} with indices {i} and axis=None: the indices must "
                                               f"be 1-D")
            return _tensor(sig, t, i)
        n = i.numel()
        return _tensor(sig, t, Shape((_flex() if n is None else n,)))
    a = as_int(av)
    if a is None:
        return _unknown(sig, t)
    if not s.variadic:
        axis_of(call, a, max(len(s.dims), 1), f"{what} of {s}")
    fix, extra = _unsqueeze_fix(call, 1 if "indices" not in call.kwargs else "indices", s, i, a)
    _same_rank(call, what, s, i, fix, extra)
    if s.rank is None or i.rank is None or s.rank == 0:
        return _tensor(sig, t, i if s.rank is None else Shape.unknown())
    p = axis_of(call, a, s.rank, what)
    ss = _mk([1 if k == p else d for k, d in enumerate(s.dims)])
    ii = _mk([1 if k == p else d for k, d in enumerate(i.dims)])
    b = broadcast_shapes(call, [ss, ii], what=f"{what} input and indices")
    out = list(b.dims)
    out[p] = i.dims[p]
    return _tensor(sig, t, _mk(out))


@by_signature(*_t("index_select"), *_tm("index_select"))
def index_select(call: Call, sig: Signature) -> Value:
    t = call.tensor(0, "input")
    d = call.int(1, "dim")
    ix = call.tensor(2, "index")
    if t is None:
        return UNKNOWN
    if d is None or ix is None:
        return _unknown(sig, t)
    s, i = call.shape(t), call.shape(ix)
    what = _name(call, sig)
    if i.rank is not None and i.rank > 1 or (i.variadic and len(i.dims) > 1):
        raise ShapeError("index-rank", f"{what} of {s} with index {i}: the index must be 1-D (a vector), got "
                                       f"{'at least ' if i.variadic else ''}{len(i.dims)}-D")
    if _torch_scalar(call, sig, s):
        axis_of(call, d, 1, f"{what} of {s}")
        return _tensor(sig, t, s)
    p = _pos(call, s, d, f"{what} of {s}")
    if p is None:
        return _unknown(sig, t)
    n: Dim = _flex() if i.rank is None else (1 if i.rank == 0 else i.dims[0])
    w = _whys(s)
    return _tensor(sig, t, _mk(s.dims[:p] + (n,) + s.dims[p + 1:], w[:p] + [None] + w[p + 1:], s.variadic))


@by_signature(*_n("take"), *_nm("take"), *_t("take"), *_tm("take"))
def take(call: Call, sig: Signature) -> Value:
    t = call.tensor(0, "a" if sig.np else "input")
    if t is None:
        return UNKNOWN
    iv = _arg(call, 1, "indices", "index")
    if iv is None:
        return _unknown(sig, t)
    if isinstance(iv, Tensor):
        ishape = call.shape(iv)
    elif as_int(iv) is not None:
        ishape = Shape(())
    elif isinstance(iv, Seq):
        c = _literal_index(iv)
        if c is None or c.adv is None or c.consumes != 1:
            return _unknown(sig, t)
        ishape = c.adv
    else:
        return _unknown(sig, t)
    if not sig.np and set(call.kwargs) - {"input", "index"}:
        return _unknown(sig, t)  # take(i, axis=1) is numpy's: torch's take has no axis
    av = _arg(call, 2, "axis") if sig.np else None
    if _is_none(av):
        return _tensor(sig, t, ishape)
    a = as_int(av)
    s = call.shape(t)
    if a is None or s.variadic or ishape.variadic:
        return _unknown(sig, t)
    p = axis_of(call, a, len(s.dims), f"{_name(call, sig)} of {s}")
    return _tensor(sig, t, _mk(s.dims[:p] + ishape.dims + s.dims[p + 1:]))


# ---------------------------------------------------------------------------------- reductions
def reduce_shape(call: Call, sig: Signature, s: Shape, axes: Optional[list], keep: bool, what: str) -> Shape:
    """``s`` reduced over ``axes`` (None: all of them); torch reads an empty list as all axes and a
    0-d tensor's axes as a 1-D one's."""
    torch = not sig.np
    return SMRed.reduce(s, axes, keep, what=what, empty_means_all=torch, scalar_as_1d=torch)


_TORCH_RED = ("sum", "mean", "nansum", "nanmean", "prod", "amax", "amin", "std", "var", "any", "all",
              "logsumexp", "count_nonzero", "argmax", "argmin", "norm", "median", "nanmedian", "max", "min", "mode",
              "kthvalue", "std_mean", "var_mean", "aminmax")
_NP_RED = ("sum", "mean", "prod", "max", "min", "amax", "amin", "argmax", "argmin", "std", "var", "any", "all",
           "median", "nanmedian", "nansum", "nanmean", "nanmax", "nanmin", "nanstd", "nanvar", "nanprod",
           "nanargmax", "nanargmin", "count_nonzero", "average", "ptp")
_NP_RED_METHODS = ("sum", "mean", "prod", "max", "min", "argmax", "argmin", "std", "var", "any", "all", "ptp")
_TUPLE_WITH_DIM = {"max", "min", "median", "nanmedian", "mode", "kthvalue"}  # torch: (values, indices)
_TORCH_RED_KW = {"input", "dim", "axis", "keepdim", "keepdims", "dtype", "out", "unbiased", "correction", "p", "ord",
                 "k", "other"}


@by_signature(*_t(*_TORCH_RED), *_tm(*_TORCH_RED), "torch.linalg.vector_norm",
            *_n(*_NP_RED), *_nm(*_NP_RED_METHODS), "numpy.linalg.norm")
def reduction(call: Call, sig: Signature) -> Value:
    t = call.tensor(0, "input" if not sig.np else "a")
    if t is None:
        return _reduce_sizes(call, sig)
    s = call.shape(t)
    last = call.qualname.rsplit(".", 1)[-1]
    np_ = sig.np
    what = f"{_name(call, sig)} of {s}"
    dtype: Any = "int" if last in ("argmax", "argmin", "count_nonzero", "nanargmax", "nanargmin") else (
        "bool" if last in ("any", "all") else t.dtype)
    if np_:
        if len(call.args) > (3 if last == "norm" else 2) or "out" in call.kwargs:
            return _unknown(sig, t)
        av = _arg(call, 2 if last == "norm" else 1, "axis")
        keep = call.bool(None, "keepdims", False)
        if keep is None:
            return _unknown(sig, t)
        if last == "average" and call.bool(None, "returned", False):
            return _unknown(sig, t)
        ok, axes = _axes(av)
        if not ok:
            return _unknown(sig, t)
        if last == "norm" and axes is None and not keep and not _is_none(_arg(call, 1, "ord")):
            return _unknown(sig, t)  # a matrix/vector norm of a 1-D/2-D input only
        if t.fw == "any" and sig.method and last in ("max", "min"):
            return _unknown(sig, t)
        return Tensor(reduce_shape(call, sig, s, axes, keep, what), _fw(sig, t), dtype)
    # torch
    if t.fw == "any" and sig.method and last in _TUPLE_WITH_DIM:
        return _unknown(sig, t)  # an unannotated receiver might be an ndarray
    if last in ("max", "min") and isinstance(_arg(call, 1, "other"), (Tensor, Param)):
        o = tensor_of(_arg(call, 1, "other"))  # type: ignore[arg-type]
        return Tensor(broadcast_shapes(call, [s, call.shape(o)], what=_name(call, sig)), _fw(sig, t), out_dtype(t, o))
    dim_pos, keep_pos = 1, 2
    if last in ("std", "var", "std_mean", "var_mean"):
        keep_pos = 3
        if isinstance(_arg(call, 1), Const) and isinstance(call.args[1].value, bool):  # std(unbiased)
            dim_pos = 99
    elif last == "norm":
        dim_pos, keep_pos = 2, 3
    elif last == "vector_norm":
        dim_pos, keep_pos = 2, 3
    elif last == "kthvalue":
        dim_pos, keep_pos = 2, 3
    elif last == "count_nonzero":
        keep_pos = 99
    if set(call.kwargs) - _TORCH_RED_KW:
        # a keyword torch does not take here (ddof=, where=): the receiver may be an ndarray after all
        return UNKNOWN if last in _TUPLE_WITH_DIM or last in ("std_mean", "var_mean", "aminmax") else _unknown(sig, t)
    dv = _arg(call, dim_pos, "dim", "axis")
    if last in ("mode", "kthvalue") and dv is None:
        dv = Int(-1)
    if last == "logsumexp" and dv is None:
        return _unknown(sig, t)
    # torch takes numpy's spelling too: x.mean(axis=-1, keepdims=True)
    keep = call.bool(None, "keepdims") if "keepdims" in call.kwargs else call.bool(keep_pos, "keepdim", False)
    ok, axes = _axes(dv)
    if not ok or keep is None:  # (a tuple-returning reduction with an unknown dim: unknown, not a tensor)
        return UNKNOWN if last in _TUPLE_WITH_DIM or last in ("std_mean", "var_mean", "aminmax") else _unknown(sig, t)
    if last == "kthvalue" or last == "mode":
        axes = axes[:1] if axes else axes
    if last == "kthvalue" and axes and not s.variadic and norm_axis(axes[0], max(len(s.dims), 1)) is not None:
        k = call.dim(1, "k")
        n = s.dims[norm_axis(axes[0], len(s.dims))] if s.dims else 1
        if k is not None:
            SMI.require_k_within(k, n, call.bindings, what, least=1)
    out = reduce_shape(call, sig, s, axes, keep, what)
    if last in _TUPLE_WITH_DIM and (dv is not None or last in ("mode", "kthvalue")):
        return Seq([Tensor(out, _fw(sig, t), t.dtype), Tensor(out, _fw(sig, t), "int")], "tuple")
    if last in ("std_mean", "var_mean"):
        return Seq([Tensor(out, _fw(sig, t), t.dtype), Tensor(out, _fw(sig, t), t.dtype)], "tuple")
    if last == "aminmax":
        return Seq([Tensor(out, _fw(sig, t), t.dtype), Tensor(out, _fw(sig, t), t.dtype)], "tuple")
    return Tensor(out, _fw(sig, t), dtype)


@by_signature("torch.linalg.norm")
def linalg_norm(call: Call, sig: Signature) -> Value:
    """``torch.linalg.norm(x, ord)`` without ``dim`` is a vector or a matrix norm by the input's
    rank (and rejects other ranks): unknown here; with ``dim`` it is a reduction."""
    t = call.tensor(0, "input")
    if t is not None and _is_none(_arg(call, 2, "dim", "axis")) and not _is_none(_arg(call, 1, "ord")):
        return _unknown(sig, t)
    return reduction(call, sig)


def _reduce_sizes(call: Call, sig: Signature) -> Value:
    """``np.prod(x.shape[1:])`` and the like: a reduction of a tuple of sizes is a size."""
    v = call.get(0)
    last = call.qualname.rsplit(".", 1)[-1]
    if not sig.np or not isinstance(v, Seq) or len(call.args) != 1 or call.kwargs:
        return UNKNOWN
    ds = [as_dim(x) for x in v.items]
    if not ds or any(d is None for d in ds):
        return UNKNOWN
    if last == "prod":
        total = D.mul(*ds)  # type: ignore[arg-type]
        return Int(total, SMR.product_why(ds, [x.why if isinstance(x, Int) else None for x in v.items], total))
    if last == "sum":
        out: Dim = 0
        for d in ds:
            out = D.add(out, d)  # type: ignore[arg-type]
        return Int(out)
    ints = [D.as_int(d) for d in ds]  # type: ignore[arg-type]
    if last in ("max", "amax", "min", "amin") and all(i is not None for i in ints):
        return Int(max(ints) if last in ("max", "amax") else min(ints))  # type: ignore[type-var]
    return UNKNOWN


@by_signature(*_t("cumsum", "cumprod", "cummax", "cummin", "logcumsumexp"),
            *_tm("cumsum", "cumprod", "cummax", "cummin", "logcumsumexp", "cumsum_", "cumprod_"),
            *_n("cumsum", "cumprod", "nancumsum", "nancumprod"), *_nm("cumsum", "cumprod"))
def cumulative(call: Call, sig: Signature) -> Value:
    t = call.tensor(0, "input" if not sig.np else "a")
    if t is None:
        return UNKNOWN
    s = call.shape(t)
    last = call.qualname.rsplit(".", 1)[-1]
    av = _arg(call, 1, "dim", "axis")
    if _is_none(av):
        if not sig.np:
            return _unknown(sig, t)
        n = s.numel()
        return _tensor(sig, t, Shape((_flex() if n is None else n,)))
    a = as_int(av)
    if a is None:
        return _unknown(sig, t)
    what = f"{_name(call, sig)} of {s}"
    if not s.variadic:
        axis_of(call, a, max(len(s.dims), 1), what)
    if sig.np and s.rank == 0:
        s = Shape((1,))  # numpy treats a 0-d array as 1-D here: np.cumsum(np.array(1), axis=0) is (1,)
    out = _tensor(sig, t, s)
    if last in ("cummax", "cummin"):
        return Seq([out, Tensor(s, out.fw, "int")], "tuple")
    return out


@by_signature(*_t("softmax", "log_softmax"), *_tm("softmax", "log_softmax"), "torch.special.softmax",
            "torch.special.log_softmax")
def softmax(call: Call, sig: Signature) -> Value:
    t = call.tensor(0, "input")
    if t is None:
        return UNKNOWN
    s = call.shape(t)
    d = _arg(call, 1, "dim")
    if d is not None and not _is_none(d):
        a = as_int(d)
        if a is not None and not s.variadic:
            axis_of(call, a, max(len(s.dims), 1), f"{_name(call, sig)} of {s}")
    return _tensor(sig, t, s, "float")


@by_signature(*_t("topk"), *_tm("topk"))
def topk(call: Call, sig: Signature) -> Value:
    t = call.tensor(0, "input")
    if t is None:
        return UNKNOWN
    k = call.dim(1, "k")
    a = call.int(2, "dim", -1)
    s = call.shape(t)
    if k is None or a is None:
        return UNKNOWN
    what = f"{_name(call, sig)} of {s}"
    if _torch_scalar(call, sig, s):
        axis_of(call, a, 1, what)
        out = s
    else:
        p = _pos(call, s, a, what)
        if p is None:
            return UNKNOWN
        if not s.variadic:
            SMI.require_k_within(k, s.dims[p], call.bindings, what)
        out = _mk(s.dims[:p] + (k,) + s.dims[p + 1:], None, s.variadic)
    return Seq([_tensor(sig, t, out), Tensor(out, _fw(sig, t), "int")], "tuple")


@by_signature(*_t("sort", "argsort", "msort"), *_tm("sort", "argsort", "msort"), *_n("sort", "argsort", "partition",
                                                                                  "argpartition"),
            *_nm("argsort"))
def sort(call: Call, sig: Signature) -> Value:
    t = call.tensor(0, "input" if not sig.np else "a")
    if t is None:
        return UNKNOWN
    s = call.shape(t)
    last = call.qualname.rsplit(".", 1)[-1]
    np_ = sig.np
    if np_ and last in ("partition", "argpartition"):
        av = _arg(call, 2, "axis")
        av = Int(-1) if av is None else av
    elif np_:
        av = _arg(call, 1, "axis")
        av = Int(-1) if av is None else av
    elif last == "msort":
        av = Int(0)
    else:
        av = _arg(call, 1, "dim")
        if isinstance(av, Const) and isinstance(av.value, bool):  # sort(descending)
            av = None
        av = Int(-1) if av is None else av
    dtype = "int" if last.startswith("arg") else t.dtype
    if np_ and _is_none(av):
        n = s.numel()
        return Tensor(Shape((_flex() if n is None else n,)), "numpy", dtype)
    a = as_int(av)
    if a is None:
        return UNKNOWN if last == "sort" and not np_ else _unknown(sig, t)
    if np_ and last.startswith("arg") and s.rank == 0:
        # np.argsort/argpartition see a 0-d array as 1-D (axis -1 or 0) and give (1,); np.sort does not
        axis_of(call, a, 1, f"{_name(call, sig)} of {s}")
        return Tensor(Shape((1,)), "numpy", dtype)
    if not s.variadic:
        axis_of(call, a, len(s.dims) if np_ else max(len(s.dims), 1), f"{_name(call, sig)} of {s}")
    if last == "sort" and not np_:
        if t.fw == "any" and sig.method:
            return _unknown(sig, t)
        return Seq([_tensor(sig, t, s), Tensor(s, _fw(sig, t), "int")], "tuple")
    return Tensor(s, _fw(sig, t), dtype)


# ---------------------------------------------------------------------------------- einsum
@by_signature("torch.einsum", "numpy.einsum", "torch.functional.einsum")
def einsum(call: Call, sig: Signature) -> Value:
    eq = call.str(0, "equation")
    if eq is None:
        return UNKNOWN
    operands = call.args[1:]
    fw = "numpy" if sig.np else "torch"
    if len(operands) == 1 and isinstance(operands[0], Seq):
        if sig.np:  # np.einsum('ij->j', [a, b]): the list is one array-like operand, not two operands
            return Tensor(Shape.unknown(), fw)
        operands = list(operands[0].items)  # torch.einsum(eq, [a, b]) takes a list of operands
    ts = [tensor_of(v) if isinstance(v, (Tensor, Param)) else None for v in operands]
    if any(t is None for t in ts):
        return Tensor(Shape.unknown(), fw) if ts else UNKNOWN
    shapes = [call.shape(t) for t in ts]  # type: ignore[arg-type]
    return Tensor(SME.einsum(eq, shapes, bindings=call.bindings, what=_name(call, sig),
                             ellipsis_needs_output=sig.np), fw, out_dtype(*ts))


# ---------------------------------------------------------------------------------- tensordot / outer / inner / kron
@by_signature("torch.tensordot", "numpy.tensordot")
def tensordot(call: Call, sig: Signature) -> Value:
    a, b = call.tensor(0, "a"), call.tensor(1, "b")
    fw = "numpy" if sig.np else "torch"
    if a is None or b is None:
        return UNKNOWN
    sa, sb = call.shape(a), call.shape(b)
    av = _arg(call, 2, "axes", "dims")
    if av is None:
        av = Int(2)
    what = f"{_name(call, sig)} of {sa} and {sb}"
    if sa.variadic or sb.variadic:
        return Tensor(Shape.unknown(), fw, out_dtype(a, b))
    ra, rb = len(sa.dims), len(sb.dims)
    n = as_int(av)
    if n is not None:
        axes = SME.tensordot_axes(n, ra, rb, what)
        if axes is None:
            return Tensor(Shape.unknown(), fw, out_dtype(a, b))
        xa, xb = axes
    elif isinstance(av, Seq) and len(av.items) == 2:
        la, lb = _int_list(av.items[0]), _int_list(av.items[1])
        if la is None or lb is None:
            return Tensor(Shape.unknown(), fw, out_dtype(a, b))
        xa, xb = la, lb
    else:
        return Tensor(Shape.unknown(), fw, out_dtype(a, b))
    return Tensor(SME.tensordot(sa, sb, xa, xb, bindings=call.bindings, what=what), fw, out_dtype(a, b))


@by_signature("numpy.outer", "torch.outer", "torch.ger", "torch.Tensor.outer", "torch.Tensor.ger")
def outer(call: Call, sig: Signature) -> Value:
    a, b = call.tensor(0), call.tensor(1, "vec2")
    fw = "numpy" if sig.np else "torch"
    if a is None or b is None:
        return UNKNOWN
    sa, sb = call.shape(a), call.shape(b)
    if sig.np:
        na, nb = sa.numel(), sb.numel()
        return Tensor(Shape((_flex() if na is None else na, _flex() if nb is None else nb)), fw, out_dtype(a, b))
    if sa.rank != 1 or sb.rank != 1:
        return Tensor(Shape.unknown(), fw, out_dtype(a, b))  # torch raises on non-vectors; no rule names it
    return Tensor(Shape((sa.dims[0], sb.dims[0])), fw, out_dtype(a, b))


@by_signature("numpy.inner", "torch.inner", "torch.Tensor.inner")
def inner(call: Call, sig: Signature) -> Value:
    a, b = call.tensor(0), call.tensor(1, "other")
    fw = "numpy" if sig.np else "torch"
    if a is None or b is None:
        return UNKNOWN
    sa, sb = call.shape(a), call.shape(b)
    if sa.rank == 0 or sb.rank == 0:
        return Tensor(broadcast_shapes(call, [sa, sb], what=_name(call, sig)), fw, out_dtype(a, b))
    if not sa.dims or not sb.dims:
        return Tensor(Shape.unknown(), fw, out_dtype(a, b))
    ka, kb = sa.dims[-1], sb.dims[-1]
    require_equal(ka, kb, call.bindings, "matmul-mismatch", lambda: (
        f"{_name(call, sig)} of {sa} and {sb}: the last sizes differ, {D.fmt(ka)} != {D.fmt(kb)}{mismatch_note(ka, kb)}"))
    if sb.variadic:
        return Tensor(Shape.unknown(), fw, out_dtype(a, b))
    return Tensor(Shape(sa.dims[:-1] + sb.dims[:-1], sa.variadic), fw, out_dtype(a, b))


@by_signature("numpy.kron", "torch.kron", "torch.Tensor.kron")
def kron(call: Call, sig: Signature) -> Value:
    a, b = call.tensor(0), call.tensor(1, "other")
    fw = "numpy" if sig.np else "torch"
    if a is None or b is None:
        return UNKNOWN
    sa, sb = call.shape(a), call.shape(b)
    if sa.variadic or sb.variadic:
        return Tensor(Shape.unknown(), fw, out_dtype(a, b))
    n = max(len(sa.dims), len(sb.dims))
    da = (1,) * (n - len(sa.dims)) + sa.dims
    db = (1,) * (n - len(sb.dims)) + sb.dims
    return Tensor(_mk([D.mul(x, y) for x, y in zip(da, db)]), fw, out_dtype(a, b))


@by_signature("torch.cross", "torch.linalg.cross", "torch.Tensor.cross")
def cross(call: Call, sig: Signature) -> Value:
    a, b = call.tensor(0), call.tensor(1, "other")
    if a is None or b is None:
        return UNKNOWN
    out = broadcast_shapes(call, [call.shape(a), call.shape(b)], what=_name(call, sig))
    d = _arg(call, 2, "dim")
    if d is not None and as_int(d) is not None and not out.variadic:
        axis_of(call, as_int(d), len(out.dims), f"{_name(call, sig)} of {out}")  # type: ignore[arg-type]
    return Tensor(out, "torch", out_dtype(a, b))


# ---------------------------------------------------------------------------------- axes added on purpose
def _marks_added_axis(fn: Callable[[Call], Value], only_with_none: bool = False) -> Callable[[Call], Value]:
    """The result of an op that adds a size-1 axis on purpose (``x[:, None]``, ``unsqueeze``,
    ``reshape(-1, 1)``, ``expand_dims``) is tagged, so broadcasting it against a row is not SHP502."""
    from .common import AXIS_ADDED

    @functools.wraps(fn)
    def rule(call: Call) -> Value:
        out = fn(call)
        if not isinstance(out, Tensor):
            return out
        if only_with_none:
            idx = call.get(1)
            items = idx.items if isinstance(idx, Seq) else [idx]
            if not any(isinstance(i, Const) and i.value is None for i in items):
                return out
        return Tensor(out.shape, out.fw, out.dtype, AXIS_ADDED)

    return rule


def _tag_added_axes() -> None:
    wrapped: dict = {}  # one wrapper per rule function, shared by all its spellings
    for qual, fn in list(FUNCS.items()):
        if qual.rsplit(".", 1)[-1] in ("unsqueeze", "expand_dims", "reshape", "view"):
            if id(fn) not in wrapped:
                wrapped[id(fn)] = _marks_added_axis(fn)
            FUNCS[qual] = wrapped[id(fn)]


_tag_added_axes()
FUNCS["tensor.__getitem__"] = _marks_added_axis(FUNCS["tensor.__getitem__"], only_with_none=True)
