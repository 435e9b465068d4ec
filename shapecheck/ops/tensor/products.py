"""torch/NumPy products other than matmul (that is ``operators``): ``einsum`` and ``tensordot`` over
``shape_math.einsum``, ``outer``, ``inner``, ``kron``, ``cross``."""
from __future__ import annotations

from ... import dims as D
from ...shape_math import einsum as SME
from ...shape_math.require import mismatch_note, require_equal
from ...shapes import Shape
from ...shapes import build as _mk
from ...values import UNKNOWN, Int, Param, Seq, Tensor, Value, as_int, tensor_of
from ..common import axis_of, broadcast_shapes, out_dtype
from ..registry import Call, Signature, by_signature
from .base import _arg, _flex, _int_list, _name


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
        f"{_name(call, sig)} of {sa} and {sb}: the last sizes differ, {D.fmt(ka)} != "
        f"{D.fmt(kb)}{mismatch_note(ka, kb)}"))
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
