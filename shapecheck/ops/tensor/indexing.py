"""torch/NumPy indexing (``x[...]`` with slices, ``None``, ints, masks and index arrays) and the
gather/scatter family (``gather``, ``scatter``, ``take_along_dim``, ``index_select``, ``take``)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

from ... import dims as D
from ...dims import Dim
from ...findings import Fix, ShapeError
from ...shapes import Shape
from ...shapes import build as _mk
from ...shapes import whys_of as _whys
from ...values import UNKNOWN, Const, Ext, Int, Seq, Tensor, Value, as_int
from ..common import _operand, axis_of, broadcast_shapes
from ..registry import FUNCS, Call, Signature, by_signature
from .base import (
    _arg,
    _flex,
    _fw,
    _is_none,
    _marks_added_axis,
    _n,
    _name,
    _nm,
    _of,
    _pos,
    _t,
    _tensor,
    _tm,
    _torch_scalar,
    _unknown,
)


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
            pad: list[Optional[str]] = [None] * (cb - k)
            bdims, bw = [None] * (cb - k) + list(s.dims), pad + w
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
        m = len(front)
        if all(c.kind == "int" for c in front) and m <= len(middle):
            # integers at the front drop whole axes: at worst (the rank is exactly what is known)
            # the first known ones, so the rest survive: h[-1] of (*, n, 20) is (*, 20)
            return _mk(middle[m:] + out_b, mw[m:] + ow_b, True)
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


def _unsqueeze_fix(call: Call, key: Any, s: Shape, i: Shape, dim: int, np: bool = False) -> tuple:
    """A fix for a gather whose index lacks the gathered axis: ``index.unsqueeze(dim)`` (NumPy:
    ``np.expand_dims(index, dim)``). Unsafe: the result keeps the new axis, where the code may want
    it squeezed again (``.squeeze(dim)``)."""
    if s.rank is None or i.rank is None or i.rank + 1 != s.rank:
        return None, ""
    text = call.text(key)
    shown = "index" if text == "?" else text
    fixed = f"np.expand_dims({shown}, {dim})" if np else f"{_operand(shown)}.unsqueeze({dim})"
    fix = Fix(f"use {fixed}", safe=False) if text == "?" else call.fix(f"use {fixed}", {key: fixed}, safe=False)
    return fix, f"; did you mean {fixed}?"


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
    fix, extra = _unsqueeze_fix(call, 2 if "index" not in call.kwargs else "index", s, i, d, sig.np)
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
    a = as_int(av) if av is not None else None
    if a is None:
        return _unknown(sig, t)
    if not s.variadic:
        axis_of(call, a, max(len(s.dims), 1), f"{what} of {s}")
    fix, extra = _unsqueeze_fix(call, 1 if "indices" not in call.kwargs else "indices", s, i, a, sig.np)
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
    a = as_int(av) if av is not None else None
    s = call.shape(t)
    if a is None or s.variadic or ishape.variadic:
        return _unknown(sig, t)
    p = axis_of(call, a, len(s.dims), _of(call, sig, s))
    return _tensor(sig, t, _mk(s.dims[:p] + ishape.dims + s.dims[p + 1:]))




FUNCS["tensor.__getitem__"] = _marks_added_axis(FUNCS["tensor.__getitem__"], only_with_none=True)
