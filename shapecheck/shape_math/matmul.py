"""Matrix products: ``matmul`` (NumPy/torch semantics: 1-D promotion, batch broadcasting) and
``dot_nd`` (``np.dot`` with a 3-D or higher second operand).

When the contracted sizes differ, the advice is computed here, once: would the product fit with
``b`` transposed, with ``a`` transposed, or with the operands swapped (``Fits``)? Each framework's
adapter only *spells* that answer (``speller``): torch ``W.T`` / ``.transpose(-2, -1)``, NumPy
``np.swapaxes``, ``tf.matmul``'s ``transpose_b=True``, ``keras.ops.transpose`` (``keras.ops.matmul``
has no transpose flags). The same mistake thus gets the same code (SHP102 where a fix exists,
SHP101 where none does) in every framework.
"""
from __future__ import annotations

import dataclasses
import enum
from collections.abc import Callable
from typing import Optional

from .. import dims as D
from ..dims import Bindings, Dim
from ..findings import Fix, ShapeError
from ..shapes import Shape
from .broadcast import broadcast
from .require import mismatch_note


class Fits(enum.Enum):
    """Which change of the operands makes the contracted sizes agree (checked in this order)."""

    TRANSPOSE_B = "transpose_b"
    TRANSPOSE_A = "transpose_a"
    SWAP = "swap"


# ``speller(fits) -> (phrase, fix)``: the phrase completes "did you mean ...?" (``W.T``,
# ``transpose_b=True``, ``to swap the operands (b @ a)``).
Speller = Callable[[Fits], tuple[str, Fix]]


def transposed(s: Shape) -> Shape:
    """``s`` with its last two axes swapped (unchanged below 2-D)."""
    if len(s.dims) < 2:
        return s
    return Shape(s.dims[:-2] + (s.dims[-1], s.dims[-2]), s.variadic)


def all_fits(a: Shape, b: Shape, ka: Dim, kb: Dim, *, b_axis: int = -2) -> list[Fits]:
    """Every change that makes ``a``'s contracted size ``ka`` meet ``b``'s ``kb``, in ``Fits``' order.

    ``b_axis`` is the axis of ``b`` that is contracted (-2 for matmul and ``np.dot``; transposing
    ``b`` then means swapping its last two axes). Candidates are compared without unifying: advice
    must not teach the analysis anything."""
    other_b = -1 if b_axis == -2 else -2
    out = []
    if b.rank is not None and b.rank >= 2 and not b.variadic and D.compare(
            ka, b.dims[other_b], None, unify=False) is D.TRUE:
        out.append(Fits.TRANSPOSE_B)
    if a.rank is not None and a.rank >= 2 and not a.variadic and D.compare(a.dims[-2], kb, None, unify=False) is D.TRUE:
        out.append(Fits.TRANSPOSE_A)
    if a.rank == 2 and b.rank == 2 and D.compare(b.dims[1], a.dims[0], None, unify=False) is D.TRUE:
        out.append(Fits.SWAP)
    return out


def fits_if(a: Shape, b: Shape, ka: Dim, kb: Dim, *, b_axis: int = -2) -> Optional[Fits]:
    """The first change that makes the product fit (``all_fits``), None where none does."""
    fits = all_fits(a, b, ka, kb, b_axis=b_axis)
    return fits[0] if fits else None


def mismatch(a: Shape, b: Shape, ka: Dim, kb: Dim, *, name: str, speller: Optional[Speller],
             head: Optional[str] = None, b_axis: int = -2) -> ShapeError:
    """SHP102 ``missing-transpose`` where ``all_fits`` finds a fix the speller can spell, else SHP101.

    The fix is safe only where it is the one change that fits, and not a swap: where two fit (a
    square operand: ``a.T @ b`` and ``a @ b.T`` both work, with different results), or the operands
    are swapped (``a.T @ b.T`` works too, the transpose of ``b @ a``), which one the code means is
    a guess."""
    msg = (f"{head or f'{name} of {a} and {b}'}: contracted sizes differ, {D.fmt(ka)} != {D.fmt(kb)}"
           f"{mismatch_note(ka, kb)}")
    fits = all_fits(a, b, ka, kb, b_axis=b_axis)
    if fits and speller is not None:
        phrase, fix = speller(fits[0])
        if len(fits) > 1 or fits[0] is Fits.SWAP:
            fix = dataclasses.replace(fix, safe=False)
        return ShapeError("missing-transpose", f"{msg}; did you mean {phrase}?", fix)
    return ShapeError("matmul-mismatch", msg)


def matmul(a: Shape, b: Shape, bindings: Optional[Bindings] = None, *, name: str = "matmul",
           kind_rank: str = "operand-rank", speller: Optional[Speller] = None, head: Optional[str] = None) -> Shape:
    """``a @ b`` with NumPy/torch semantics (1-D promotion, batch broadcasting).

    The contracted sizes are a constraint of the op, so they unify (see ``require``)."""
    if bindings is not None:
        a, b = a.resolved(bindings), b.resolved(bindings)
    if a.rank == 0 or b.rank == 0:
        raise ShapeError(kind_rank, f"{name} of {a} and {b}: operands must be at least 1-D")
    if (a.variadic and not a.dims) or (b.variadic and not b.dims):
        return _partial(a, b)
    ka = a.dims[-1]
    if b.rank == 1:
        kb = b.dims[0]
    elif len(b.dims) >= 2:
        kb = b.dims[-2]
    else:
        return _partial(a, b)
    if D.compare(ka, kb, bindings) is D.FALSE:
        raise mismatch(a, b, ka, kb, name=name, speller=speller, head=head)
    if len(a.dims) < 2 and a.rank != 1:  # (*, k): a vector or a batch of matrices
        return Shape((b.dims[-1],), True) if len(b.dims) >= 2 else Shape.unknown()
    if len(b.dims) < 2 and b.rank != 1:
        return Shape.unknown()
    if a.rank == 1 and b.rank == 1:
        return Shape(())
    if a.rank == 1:
        return Shape(b.dims[:-2] + (b.dims[-1],), b.variadic)
    if b.rank == 1:
        return Shape(a.dims[:-1], a.variadic)
    batch = Shape(())
    ba, bb = Shape(a.dims[:-2], a.variadic), Shape(b.dims[:-2], b.variadic)
    if ba.dims or bb.dims or ba.variadic or bb.variadic:
        try:
            batch = broadcast([ba, bb], bindings, kind="batch-mismatch", what=f"batch dims of {name}")
        except ShapeError:
            raise ShapeError("batch-mismatch", f"{name} of {a} and {b}: batch dims {ba} and {bb} are neither "
                                               f"equal nor broadcastable") from None
    return Shape(batch.dims + (a.dims[-2], b.dims[-1]), batch.variadic)


def _partial(a: Shape, b: Shape) -> Shape:
    """The result where an operand is only known as ``(*)``."""
    if a.variadic and not a.dims and len(b.dims) >= 2 and not b.variadic:
        return Shape((b.dims[-1],), True)
    if b.variadic and not b.dims and len(a.dims) >= 2:
        return Shape(a.dims[:-1] + (D.flexible("n"),), True)
    return Shape.unknown()


def dot_nd(a: Shape, b: Shape, bindings: Optional[Bindings] = None, *, name: str = "np.dot",
           speller: Optional[Speller] = None) -> Shape:
    """``np.dot(a, b)`` with ``b`` at least 3-D: ``a``'s last axis meets ``b``'s second-to-last,
    and the result is ``a[:-1] + b[:-2] + b[-1:]`` (no batch broadcasting, unlike matmul)."""
    if bindings is not None:
        a, b = a.resolved(bindings), b.resolved(bindings)
    ka, kb = a.dims[-1], b.dims[-2]
    if D.compare(ka, kb, bindings) is D.FALSE:
        raise mismatch(a, b, ka, kb, name=name, speller=speller)
    return Shape(a.dims[:-1] + b.dims[:-2] + b.dims[-1:])
