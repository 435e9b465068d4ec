"""torch/NumPy ops that move or pick axes: ``permute``/``transpose``/``moveaxis``, ``flip``/``roll``,
``index_add``, ``masked_select``, ``nonzero``, ``narrow``, ``select``."""
from __future__ import annotations

from collections.abc import Sequence

from ...findings import ShapeError, Text
from ...shapes import Shape
from ...shapes import build as _mk
from ...shapes import whys_of as _whys
from ...values import UNKNOWN, Seq, Tensor, Value, as_int
from ..common import axis_of, broadcast_shapes
from ..registry import Call, Signature, by_signature
from .attributes import TRANSPOSED
from .base import (
    _arg,
    _axes,
    _flex,
    _fw,
    _int_list,
    _is_none,
    _n,
    _name,
    _nm,
    _of,
    _pos,
    _size_values,
    _t,
    _tensor,
    _tm,
    _torch_scalar,
    _unknown,
)


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
    return _tensor(sig, t, permute_shape(call, s, perm, _name(call, sig)), role=TRANSPOSED)


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
        vals = [] if _is_none(v) else (list(v.items) if isinstance(v, Seq) else [v])
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
    return _tensor(sig, t, permute_shape(call, s, perm, _name(call, sig)), role=TRANSPOSED)


def swap_shape(call: Call, sig: Signature, s: Shape, a: int, b: int, what: Text) -> Shape:
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
    op = call.qualname.rsplit(".", 1)[-1]  # which op of the family, not which framework
    if sig.method and not sig.np and op == "transpose" and t.fw == "any" and len(call.args) != 3:
        return _unknown(sig, t)  # an unannotated receiver might be an ndarray
    if sig.np:
        names = ("axis1", "axis2")
    elif op == "swapaxes":
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
    return _tensor(sig, t, swap_shape(call, sig, s, a, b, _of(call, sig, s)), role=TRANSPOSED)


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
    what = _of(call, sig, s)
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
def _check_dims(call: Call, sig: Signature, s: Shape, axes: Sequence[int], what: Text) -> None:
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
        _check_dims(call, sig, s, axes, _of(call, sig, s))
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
        _check_dims(call, sig, s, [d], _of(call, sig, s))
    ix = call.tensor(2, "index")
    if ix is not None and ix.shape.rank is not None and ix.shape.rank > 1:
        raise ShapeError("index-rank", f"{_name(call, sig)} of {s} with index {ix.shape}: the index must be 1-D "
                                       "(a vector)")
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
    p = _pos(call, s, d, _of(call, sig, s))
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
    p = _pos(call, s, d, _of(call, sig, s))
    if p is None:
        return _unknown(sig, t)
    w = _whys(s)
    return _tensor(sig, t, _mk(s.dims[:p] + s.dims[p + 1:], w[:p] + w[p + 1:], s.variadic))
