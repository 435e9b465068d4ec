"""Preconditions of shape rules: raise a ``ShapeError`` only where a check is provably FALSE.

One helper family instead of ``if D.compare(...) is D.FALSE: raise ...`` at every site, with
one stated policy for *unification* (``dims.compare(..., unify=True)`` binds a lone flexible
size to what it meets):

- ``require_equal(..., unify=True)`` (the default) is for a constraint the op imposes on its
  inputs (the inner sizes of a matmul, the non-axis sizes of a concat): a program that gets
  past the op has those sizes equal, so a flexible size learns the other one. That is what
  lets ``x @ W`` teach the analysis ``x``'s last size.
- ``unify=False`` is for checks that must not teach anything: broadcasting (a flexible size
  may be 1 rather than equal), comparing against a *candidate* (which axis or transpose would
  fit, for advice), and comparing two results the program does not force to agree.

TRUE and UNKNOWN pass; messages are lazy (``str`` or a zero-argument callable), the way
``torch._check(cond, lambda: ...)`` builds them only when they are shown.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Optional, Union

from .. import dims as D
from ..dims import Bindings, Dim
from ..findings import Fix, ShapeError
from ..shapes import Shape

Message = Union[str, Callable[[], str]]

# How a message says that a mismatch rests on sizes that may still be equal (read by the analysis:
# a call site that passed its sizes has already decided such a check).
CONDITIONAL = "holds only if"


def mismatch_note(a: Dim, b: Dim) -> str:
    """``"; holds only if hnodes == onodes"`` where a mismatch rests on symbols that some sizes
    could make equal; where none can (``2*hidden`` against ``hidden``: sizes are at least 1), say
    so plainly: ``"; the sizes never match: hidden != 2*hidden for every hidden >= 1"``."""
    if D.as_int(a) is not None and D.as_int(b) is not None:
        return ""
    if D.never_equal(a, b):
        names = sorted({D.fmt(s) for d in (a, b) if not isinstance(d, int) for s in d.free_symbols})
        return f"; the sizes never match: {D.fmt(a)} != {D.fmt(b)} for every {', '.join(names)} >= 1"
    return f"; {CONDITIONAL} {D.fmt(a)} == {D.fmt(b)}"


def require_equal(a: Optional[Dim], b: Optional[Dim], bindings: Optional[Bindings], kind: str, message: Message,
                  fix: Optional[Fix] = None, *, unify: bool = True) -> None:
    """Raise ``kind`` where ``a == b`` is provably FALSE (see the module docstring for ``unify``)."""
    if a is None or b is None:
        return
    if D.compare(a, b, bindings, unify=unify) is D.FALSE:
        raise ShapeError(kind, message, fix)


def require_positive(d: Optional[Dim], bindings: Optional[Bindings], kind: str, message: Message) -> None:
    """Raise ``kind`` where ``d >= 1`` is provably FALSE (an empty or negative size)."""
    if d is not None and D.positive(d, bindings) is D.FALSE:
        raise ShapeError(kind, message)


def require_rank(shape: Shape, ranks: Sequence[int], kind: str, what: str) -> None:
    """Raise ``kind`` where ``shape`` provably has none of ``ranks`` (a variadic shape fails only
    when it already has more axes than the largest rank allowed)."""
    r = shape.rank
    if r is not None and r not in ranks:
        want = " or ".join(f"{x}-D" for x in ranks)
        raise ShapeError(kind, f"{what} expects a {want} tensor, got {r}-D {shape}")
    if r is None and len(shape.dims) > max(ranks):
        raise ShapeError(kind, f"{what} expects at most {max(ranks)}-D, got at least {len(shape.dims)}-D {shape}")


def require_at_most(d: Optional[Dim], limit: Optional[Dim], bindings: Optional[Bindings], kind: str,
                    message: Message) -> None:
    """Raise ``kind`` where ``d <= limit`` is provably FALSE (for every size >= 1: ``dim`` against
    ``dim // 2`` is, ``k`` against ``n`` is not)."""
    if d is None or limit is None:
        return
    if D.at_most(d, limit, bindings) is D.FALSE:
        raise ShapeError(kind, message)
