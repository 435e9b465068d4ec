"""Window arithmetic of convolutions, pooling and their transposes, once for every framework.

Torch gives an explicit padding per side (``floor((L + lo + hi - d(k-1) - 1)/s) + 1``, with
``ceil_mode`` for pooling); Keras and TensorFlow name a padding kind (``valid``, ``same``,
``causal``, ``full``: Keras ``conv_output_length``); transposed convolutions run the formula
backwards (torch ``ConvTranspose*d`` docs, Keras ``compute_conv_transpose_output_shape``).
All of them go through ``floordiv``, whose unevaluated floor keeps symbolic layers cheap.

Pure: sizes in, a size out, or a ``ShapeError`` with a lazy message; no ``Call``, no qualname.
``require_*`` raise only where a comparison is FALSE (UNKNOWN is silence).
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Optional

from .. import dims as D
from ..dims import Bindings, Dim
from ..findings import ShapeError
from ..shapes import Shape

PADDING_KINDS = ("valid", "same", "causal", "full")


# ---------------------------------------------------------------------------- size arithmetic
def floordiv(a: Dim, s: Dim) -> Dim:
    """``a // s``. A symbolic ``a`` over a concrete stride gives an *unevaluated* sympy floor,
    ``floor((H - 3)/2)``: evaluating it (sympy's floor/Mul canonicalisation, assumption queries on
    fresh symbols) costs tens of milliseconds per layer, and an integer substitution still
    evaluates it to a number. Everything else goes to ``dims.floordiv``."""
    si = D.as_int(s)
    if si is None or si <= 0 or D.as_int(a) is not None:
        return D.floordiv(a, s)
    if si == 1:
        return a
    import sympy

    return sympy.floor(sympy.Mul(a, sympy.Pow(sympy.Integer(si), -1, evaluate=False), evaluate=False),
                       evaluate=False)


def ceildiv(a: Dim, s: Dim) -> Dim:
    """``ceil(a / s)`` as ``floor((a + s - 1) / s)`` where ``s`` is concrete (the cheap floor)."""
    si = D.as_int(s)
    if si is None or si <= 0 or D.as_int(a) is not None:
        return D.ceildiv(a, s)
    return floordiv(offset(a, si - 1), si)


def offset(L: Dim, *parts: Dim) -> Dim:
    """``L + sum(parts)``, adding the concrete parts first (one sympy Add at most)."""
    c: Dim = 0
    for x in parts:
        c = D.add(c, x)
    return L if D.as_int(c) == 0 else D.add(L, c)


def effective_kernel(k: Dim, d: Dim) -> Dim:
    """``d(k - 1) + 1``: the span of a dilated kernel."""
    return k if D.as_int(d) == 1 else D.add(D.mul(d, D.sub(k, 1)), 1)


def _floor_plus_one(L: Dim, c: Dim, s: Dim) -> Dim:
    """floor((L + c)/s) + 1, written floor(L/s) + c/s + 1 where s divides c (pooling by 2 gives
    ``floor(H/2)``, not ``floor((H - 2)/2) + 1``)."""
    ci, si = D.as_int(c), D.as_int(s)
    if ci is not None and si is not None and si > 0 and D.as_int(L) is None and ci % si == 0:
        return offset(floordiv(L, si), ci // si + 1)
    return D.add(floordiv(offset(L, c), s), 1)


def _pad_total(p: Dim, p_hi: Optional[Dim]) -> Dim:
    return D.mul(2, p) if p_hi is None else D.add(p, p_hi)


def conv_out(L: Dim, k: Dim, s: Dim, p: Dim, d: Dim, p_hi: Optional[Dim] = None) -> Dim:
    """floor((L + p + p_hi - d(k-1) - 1) / s) + 1 (torch.nn.Conv*d docs; ``p_hi`` defaults to ``p``)."""
    return _floor_plus_one(L, offset(_pad_total(p, p_hi), D.mul(-1, D.mul(d, D.sub(k, 1))), -1), s)


def conv_transpose_out(L: Dim, k: Dim, s: Dim, p: Dim, d: Dim, op: Dim) -> Dim:
    """(L - 1)s - 2p + d(k-1) + output_padding + 1 (torch.nn.ConvTranspose*d docs)."""
    return offset(D.mul(D.sub(L, 1), s), D.mul(-2, p), D.mul(d, D.sub(k, 1)), op, 1)


def pool_out(L: Dim, k: Dim, s: Dim, p: Dim, d: Dim, ceil: bool) -> Optional[Dim]:
    """Pooling output size; with ``ceil_mode`` the last window must start inside the input or
    its left padding. None where that cannot be decided (symbolic size with ceil_mode)."""
    c = offset(D.mul(2, p), D.mul(-1, D.mul(d, D.sub(k, 1))), -1)
    if not ceil:
        return _floor_plus_one(L, c, s)
    num = offset(L, c)
    li, ni, si, pi = D.as_int(L), D.as_int(num), D.as_int(s), D.as_int(p)
    if li is None or ni is None or si is None or pi is None or si == 0:
        if si == 1:
            return D.add(num, 1)
        return None
    out = -(-ni // si) + 1
    if (out - 1) * si >= li + pi:
        out -= 1
    return out


def padded_out(n: Dim, k: Dim, s: Dim, d: Dim, padding: str) -> Optional[Dim]:
    """Keras ``conv_output_length`` (also TF's VALID/SAME): valid / same / causal / full.
    An opaque size (a ``None`` batch-like axis) stays what it is; None for an unknown padding kind."""
    if D.is_opaque(n):
        return n
    ek = effective_kernel(k, d)
    if padding == "valid":
        return _floor_plus_one(n, D.sub(0, ek), s)
    if padding in ("same", "causal"):
        return n if D.as_int(s) == 1 else ceildiv(n, s)
    if padding == "full":
        return _floor_plus_one(n, D.sub(ek, 2), s)
    return None


def padded_transpose_out(n: Dim, k: Dim, s: Dim, d: Dim, padding: str, out_pad: Optional[Dim]) -> Optional[Dim]:
    """Keras ``compute_conv_transpose_output_shape`` (``deconv_output_length``)."""
    if D.is_opaque(n):
        return n
    ek = effective_kernel(k, d)
    if out_pad is None:
        if padding == "valid":
            ik, is_ = D.as_int(ek), D.as_int(s)
            if ik is None or is_ is None:
                return None
            return D.add(D.mul(n, s), max(ik - is_, 0))
        if padding == "same":
            return D.mul(n, s)
        return None
    if padding == "valid":
        pad = 0
    elif padding == "same":
        ik = D.as_int(ek)
        if ik is None:
            return None
        pad = ik // 2
    else:
        return None
    return D.add(D.add(D.sub(D.mul(D.sub(n, 1), s), 2 * pad), ek), out_pad)


# ---------------------------------------------------------------------------- preconditions
def require_nonempty_spatial(out: Dim, *, op: str, shape: Shape, axis: int, size: Dim, why: str,
                             advice: str = "use a smaller kernel, less padding, or a larger input",
                             bindings: Optional[Bindings] = None) -> None:
    """SHP403 (``empty-spatial``) where an output size is provably below 1. The one wording for
    every framework: ``{op} on input {shape}: spatial size {size} at axis {axis} {why}, so the
    output size would be {out}; {advice}``."""
    if D.positive(out, bindings) is not D.FALSE:
        return
    raise ShapeError("empty-spatial", (
        f"{op} on input {shape}: spatial size {D.fmt(size)} at axis {axis} {why}, so the output size would be "
        f"{D.fmt(out)}; {advice}"))


def kernel_why(k: Dim, d: Dim = 1, pad: Dim = 0, window: str = "kernel", padding: str = "") -> str:
    """``plus padding 2*1 is smaller than the dilated kernel 5``: the ``why`` of an empty output."""
    pad_text = f"plus padding 2*{D.fmt(pad)} " if D.as_int(pad) != 0 else ""
    kind = f" with padding '{padding}'" if padding else ""
    if D.as_int(d) != 1:
        return f"{pad_text}is smaller than the dilated {window} {D.fmt(effective_kernel(k, d))}{kind}"
    return f"{pad_text}is smaller than the {window} {D.fmt(k)}{kind}"


def require_pool_padding(op: str, k: Sequence[Dim], p: Sequence[Dim]) -> None:
    """SHP405: torch pooling rejects a padding over half the kernel ("pad should be at most half of
    effective kernel size"; max pooling checks the undilated kernel too, so ``2*pad <= kernel``)."""
    for ki, pi in zip(k, p):
        kc, pc = D.as_int(ki), D.as_int(pi)
        if kc is not None and pc is not None and 2 * pc > kc:
            raise ShapeError("invalid-shape-argument", (
                f"{op}: padding {pc} is more than half the kernel size {kc}; torch rejects it (padding may be at "
                f"most {kc // 2})"))


def require_output_padding(op: str, output_padding: Sequence[Dim], stride: Sequence[Dim],
                           dilation: Sequence[Dim]) -> None:
    """SHP405: a transposed convolution's ``output_padding`` must be smaller than its stride or its
    dilation (torch: "output padding must be smaller than either stride or dilation")."""
    for i, (o, s, d) in enumerate(zip(output_padding, stride, dilation)):
        oc, sc, dc = D.as_int(o), D.as_int(s), D.as_int(d)
        if oc is not None and sc is not None and dc is not None and oc >= sc and oc >= dc:
            raise ShapeError("invalid-shape-argument", (
                f"{op}: output_padding {oc} (spatial axis {i}) must be smaller than the stride {sc} or the "
                f"dilation {dc}"))


def require_reflect_padding(op: str, shape: Shape, axis: int, lo: Dim, hi: Dim) -> None:
    """SHP405: reflection padding must be smaller than the axis it reflects (torch: "Padding size
    should be less than the corresponding input dimension")."""
    n = shape.dim(axis)
    if n is None:
        return
    for p in (lo, hi):
        left = D.as_int(D.sub(n, p))
        if left is not None and left <= 0:
            raise ShapeError("invalid-shape-argument", (
                f"{op}: reflection padding {D.fmt(p)} at axis {axis} is not smaller than the input size "
                f"{D.fmt(n)} (input {shape}); reflect at most {D.fmt(D.sub(n, 1))}, or pad with mode='replicate'"))
