"""What the torch/NumPy shape-manipulation adapters share: name spellings (``torch.X``,
``torch.Tensor.X``, ``numpy.X``, ``numpy.ndarray.X``), argument readers, and the result's framework.

Every rule here is registered once per signature (``registry.by_signature``) and receives the
``Signature`` it serves; where torch and NumPy differ (``repeat``, ``max(dim)``, integer indices next
to advanced ones, axes of a 0-d tensor) the rule says so. As everywhere in ``ops/``: raise
``ShapeError`` only on a provably FALSE check; anything not understood gives an unknown shape."""
from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, Optional

from ... import dims as D
from ...dims import Dim
from ...findings import Later, Text
from ...framework import Framework
from ...shapes import Shape
from ...values import UNKNOWN, Const, Int, Param, Seq, Tensor, Value, as_dim, as_int, tensor_of
from ..common import axis_of
from ..registry import Call, Signature

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


def _of(call: Call, sig: Signature, s: Shape) -> Later:
    """``sum of (B, 4*h)``: what a message says the op was applied to (made when shown)."""
    return Later("{} of {}".format, _name(call, sig), s)


def _fw(sig: Signature, t: Optional[Tensor]) -> str:
    """Output framework: a NumPy/torch function decides; a method keeps its receiver's."""
    if not sig.method and sig.fw in (Framework.NUMPY, Framework.TORCH):
        return sig.fw.value
    return t.fw if t is not None else "torch"


def _tensor(sig: Signature, t: Tensor, shape: Shape, dtype: Any = "same", role: Optional[str] = None) -> Tensor:
    return Tensor(shape, _fw(sig, t), t.dtype if dtype == "same" else dtype, role)


def _unknown(sig: Signature, t: Optional[Tensor]) -> Value:
    return UNKNOWN if t is None else Tensor(Shape.unknown(), _fw(sig, t), t.dtype)




def _flex() -> Dim:
    return D.flexible("n")


def _torch_scalar(call: Call, sig: Signature, s: Shape) -> bool:
    """torch treats the dims of a 0-d tensor as those of a 1-D one (``dim`` in ``[-1, 0]``)."""
    return s.rank == 0 and not sig.np


def _pos(call: Call, s: Shape, axis: int, what: Text, extra: int = 0) -> Optional[int]:
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
        return None if any(x is None for x in out) else out
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



def _marks_added_axis(fn: Callable[[Call], Value], only_with_none: bool = False) -> Callable[[Call], Value]:
    """The result of an op that adds a size-1 axis on purpose (``x[:, None]``, ``unsqueeze``,
    ``reshape(-1, 1)``, ``expand_dims``) is tagged, so broadcasting it against a row is not SHP502."""
    from ..common import AXIS_ADDED

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


def at_least_rank(shape: Shape, n: int) -> Shape:
    """``shape`` with leading axes added up to rank ``n`` (numpy's ``ndmin``, ``atleast_2d``): ones
    where the rank is known; where it is not, sizes not seen yet ahead of the known last ones."""
    pad = n - len(shape.dims)
    if pad <= 0:
        return shape
    if not shape.variadic:
        return Shape((1,) * pad + shape.dims)
    return Shape(tuple(D.flexible("n") for _ in range(pad)) + shape.dims, True)
