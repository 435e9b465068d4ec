"""torch/NumPy reductions over ``shape_math.reduce`` (``sum``, ``mean``, ``max(dim)``, ``norm`` ...),
cumulative ops, ``softmax``, ``topk``, ``sort``."""
from __future__ import annotations

from typing import Any, Optional

from ... import dims as D
from ...dims import Dim
from ...findings import Text
from ...shape_math import index as SMI
from ...shape_math import reduce as SMRed
from ...shape_math import reshape as SMR
from ...shapes import Shape, norm_axis
from ...shapes import build as _mk
from ...values import UNKNOWN, Const, Int, Param, Seq, Tensor, Value, as_dim, as_int, tensor_of
from ..common import axis_of, broadcast_shapes, out_dtype
from ..registry import Call, Signature, by_signature
from .base import (
    _arg,
    _axes,
    _flex,
    _fw,
    _is_none,
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


# ---------------------------------------------------------------------------------- reductions
def reduce_shape(call: Call, sig: Signature, s: Shape, axes: Optional[list], keep: bool, what: Text) -> Shape:
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
    what = _of(call, sig, s)
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
    other = _arg(call, 1, "other")
    o = tensor_of(other) if isinstance(other, (Tensor, Param)) else None
    if last in ("max", "min") and o is not None:
        return Tensor(broadcast_shapes(call, [s, call.shape(o)], what=_name(call, sig)), _fw(sig, t), out_dtype(t, o))
    dim_pos, keep_pos = 1, 2
    if last in ("std", "var", "std_mean", "var_mean"):
        keep_pos = 3
        a1 = _arg(call, 1)
        if isinstance(a1, Const) and isinstance(a1.value, bool):  # std(unbiased)
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
        ax0 = norm_axis(axes[0], len(s.dims)) if s.dims else None
        n = s.dims[ax0] if ax0 is not None else 1
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
        total = D.mul(*ds)
        return Int(total, SMR.product_why(ds, [x.why if isinstance(x, Int) else None for x in v.items], total))
    if last == "sum":
        out: Dim = 0
        for d in ds:
            out = D.add(out, d)
        return Int(out)
    ints = [D.as_int(d) for d in ds]
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
    a = as_int(av) if av is not None else None
    if a is None:
        return _unknown(sig, t)
    what = _of(call, sig, s)
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
            axis_of(call, a, max(len(s.dims), 1), _of(call, sig, s))
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
    what = _of(call, sig, s)
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
        axis_of(call, a, 1, _of(call, sig, s))
        return Tensor(Shape((1,)), "numpy", dtype)
    if not s.variadic:
        axis_of(call, a, len(s.dims) if np_ else max(len(s.dims), 1), _of(call, sig, s))
    if last == "sort" and not np_:
        if t.fw == "any" and sig.method:
            return _unknown(sig, t)
        return Seq([_tensor(sig, t, s), Tensor(s, _fw(sig, t), "int")], "tuple")
    return Tensor(s, _fw(sig, t), dtype)
