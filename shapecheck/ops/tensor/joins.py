"""torch/NumPy joins and splits over ``shape_math.join``/``shape_math.index``: ``cat``/``concatenate``,
``stack`` and the ``hstack`` family, ``split``/``chunk``/``unbind``/``array_split``."""
from __future__ import annotations

from typing import Optional

from ... import dims as D
from ...dims import Dim
from ...findings import Fix
from ...framework import Framework
from ...shape_math import index as SMI
from ...shape_math import join as SMJ
from ...shape_math import reshape as SMR
from ...shapes import Shape
from ...shapes import build as _mk
from ...shapes import whys_of as _whys
from ...values import UNKNOWN, Int, Seq, Tensor, Value, as_dim, as_int
from ..common import decided, noting, out_dtype
from ..registry import Call, Signature, by_signature
from .base import MAX_PIECES, _arg, _flex, _is_none, _n, _name, _of, _pos, _t, _tensor, _tensors_of, _tm
from .reshaping import _atleast


# ---------------------------------------------------------------------------------- joins
def _axis_fix(call: Call, word: str, value: int, given: bool) -> Fix:
    """``use dim=1``, with the call rewritten: the axis given (by keyword or as argument 1)
    replaced, or ``dim=1`` added."""
    if given:
        kw = next((k for k in ("dim", "axis") if k in call.kwargs), None)
        if kw is None:
            return call.fix(f"use {value} as the axis", {1: str(value)})
        return call.fix(f"use {kw}={value}", {kw: str(value)})
    return call.fix(f"use {word}={value}", keywords={word: str(value)})


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
    out = noting(call, lambda: SMJ.concat(shapes, axis, call.bindings, op=_name(call, sig), word="dim",
                                          fix_for=lambda q: _axis_fix(call, "dim", q, av is not None)),
                 decided(*shapes))
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
    shapes = [call.shape(t) for t in ts]
    out = noting(call, lambda: SMJ.concat(shapes, axis, call.bindings, op=_name(call, sig), word="axis",
                                          fix_for=lambda q: _axis_fix(call, "axis", q, av is not None)),
                 decided(*shapes))
    return Tensor(out, "numpy", out_dtype(*ts))


@by_signature("torch.meshgrid", "numpy.meshgrid")
def meshgrid(call: Call, sig: Signature) -> Value:
    """``torch.meshgrid(*tensors, indexing="ij")`` / ``numpy.meshgrid(*xi, indexing="xy")``: one
    grid per input, each of shape (n1, ..., nN) for inputs of n1, ..., nN elements; ``"xy"``
    swaps the first two (NumPy's default). torch also takes the tensors as one list."""
    items = list(call.args)
    if not sig.np and len(items) == 1 and isinstance(items[0], Seq):
        items = list(items[0].items)
    ts = _tensors_of(Seq(items, "tuple"))
    mode = getattr(call.get(None, "indexing", "xy" if sig.np else "ij"), "value", None)
    sparse = call.get(None, "sparse")  # (sparse grids broadcast: not sized here)
    if ts is None or mode not in ("ij", "xy") or (sparse is not UNKNOWN and getattr(sparse, "value", 0) is not False):
        return UNKNOWN
    sizes = []
    for t in ts:
        s = call.shape(t)
        if s.variadic or (not sig.np and (s.rank or 0) > 1):  # (torch takes 0-d and 1-d tensors only)
            return UNKNOWN
        n = s.numel()
        if n is None:
            return UNKNOWN
        sizes.append(n)
    if mode == "xy" and len(sizes) >= 2:
        sizes[0], sizes[1] = sizes[1], sizes[0]
    fw = "numpy" if sig.np else "torch"
    return Seq([Tensor(Shape(tuple(sizes)), fw, t.dtype) for t in ts], "tuple")


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
    p = _pos(call, s, a, _of(call, sig, s))
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
    p = _pos(call, s, a, _of(call, sig, s))
    if p is None:
        return UNKNOWN
    arg = _arg(call, 1, "indices_or_sections", "sections", "indices", "tensor_indices_or_sections")
    n = s.dims[p]
    if isinstance(arg, Seq):
        idx = [as_int(x) for x in arg.items]
        if any(i is None for i in idx) or len(idx) >= MAX_PIECES:
            return UNKNOWN
        sizes = _by_indices(n, idx)
    else:
        k = as_int(arg) if arg is not None else None
        if k is None or k <= 0 or k > MAX_PIECES:
            return UNKNOWN
        sizes = _sections(n, k, last in ("split", "hsplit", "vsplit", "dsplit") and sig.np)
    if sizes is None:
        return UNKNOWN
    return _pieces(call, sig, t, s, p, sizes)
