"""Reshape: ``-1`` inference, the element-count check (SHP401 reshape-size) and the provenance of
the sizes it makes, once for torch, NumPy, TensorFlow, ``keras.ops`` and the Keras layers.

Provenance: a size made of several input sizes keeps its derivation, so a later mismatch can say
``32*13*13 = 5408`` (``Shape.why``). That used to survive a torch/NumPy ``view`` only; it now
survives every framework's reshape.

The policy for sizes below ``-1`` is one parameter, because the frameworks really differ:
torch, TensorFlow and Keras reject them (``invalid shape dimension -2``), NumPy reads any
negative size as the inferred one. Adapters pass ``negative="infer"`` for NumPy only.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Literal, Optional

import sympy

from .. import dims as D
from ..dims import Bindings, Dim
from ..findings import Later, ShapeError, Text
from ..shapes import Shape
from .require import mismatch_note, require_equal

Negative = Literal["error", "infer"]


def whys(s: Shape) -> list[Optional[str]]:
    """The per-axis derivations of ``s`` (None where a size has none)."""
    if s.why is not None and len(s.why) == len(s.dims):
        return list(s.why)
    return [None] * len(s.dims)


def make(dims: Sequence[Dim], ws: Optional[Sequence[Optional[str]]] = None, variadic: bool = False) -> Shape:
    """A shape of normalised sizes that keeps the derivations only where one exists."""
    ds = tuple(D.norm(d) for d in dims)
    if ws is not None and any(ws):
        return Shape(ds, variadic, tuple(ws))
    return Shape(ds, variadic)


def product_why(ds: Sequence[Dim], ws: Sequence[Optional[str]], total: Dim) -> Optional[str]:
    """``"16*5*5"`` for a size made of several (a derivation worth showing), else None."""
    if not ds:
        return None
    if len(ds) == 1:
        return ws[0] if ws else None
    text = "*".join(w if w else D.fmt(d) for d, w in zip(ds, ws))
    return None if text == D.fmt(total) else text


def sizes_text(ds: Sequence[Optional[Dim]]) -> str:
    """A size list as the user wrote it: ``(-1, -1, 5)`` (``?`` for a size we cannot read)."""
    parts = ["?" if d is None else D.fmt(d) for d in ds]
    return "(" + ", ".join(parts) + ("," if len(parts) == 1 else "") + ")"


def divide(n: Dim, p: Dim) -> tuple[Optional[Dim], bool]:
    """``(quotient or None, provably_not_divisible)`` for an inferred ``-1`` size."""
    ni, pi = D.as_int(n), D.as_int(p)
    if ni is not None and pi is not None:
        if pi == 0:
            return None, False
        return (ni // pi, False) if ni % pi == 0 else (None, True)
    q = sympy.Mul(n, sympy.Pow(p, -1))  # monomials cancel without simplify
    if q.is_Number:
        if q.is_Integer:
            return int(q), False
        return None, True
    if q.is_integer:
        return D.norm(q), False
    return None, False


def leftover_why(s: Shape, known: Sequence[Dim], q: Dim) -> Optional[str]:
    """How a ``-1`` size was made: the input sizes the named target sizes did not account for."""
    rem = list(range(len(s.dims)))
    divs = []
    for d in known:
        for j in rem:
            if s.dims[j] == d:
                rem.remove(j)
                break
        else:
            divs.append(d)
    if divs:
        return None
    sw = whys(s)
    return product_why([s.dims[j] for j in rem], [sw[j] for j in rem], q)


def flexible() -> Dim:
    """A size the analysis learns later (what an inferred ``-1`` becomes when it cannot be computed)."""
    return D.flexible("n")


def reshape(s: Shape, ds: Sequence[Optional[Dim]], ws: Optional[Sequence[Optional[str]]] = None, *,
            bindings: Optional[Bindings] = None, what: Text = "reshape", negative: Negative = "error",
            unknown: Callable[[], Dim] = flexible) -> Shape:
    """``s`` reshaped to ``ds`` (``-1`` inferred, None a size we cannot read); SHP401 reshape-size
    where the element counts provably differ, more than one size is inferred, or (``negative=
    "error"``) a size is below ``-1``. ``unknown`` makes the size of an inferred ``-1`` that cannot
    be computed (a flexible size by default; TensorFlow's adapters use the opaque ``None``)."""
    if bindings is not None and bindings.map:  # sizes already bound (``C`` of ``B, N, C = x.shape``)
        ds = [bindings.resolve(d) if d is not None else None for d in ds]
    target = Later(sizes_text, tuple(ds))
    ws = list(ws) if ws is not None else [None] * len(ds)
    ds = list(ds)
    for k, d in enumerate(ds):
        i = D.as_int(d) if d is not None else None
        if i is not None and i < -1:
            if negative == "infer":
                ds[k] = D.norm(-1)
            else:
                raise ShapeError("reshape-size", f"{what} of {s} to {target}: a size must be non-negative or "
                                                 f"-1 (inferred), got {i}")
    negs = [k for k, d in enumerate(ds) if _is_neg1(d)]
    if len(negs) > 1:
        raise ShapeError("reshape-size", f"{what} of {s} to {target}: only one -1 is allowed")
    known = [d for d in ds if d is not None and not _is_neg1(d)]
    # a size the checker cannot read is unknown, not one to learn: a later use must not bind it
    # (a helper's ``x.view(b, c, h, w)`` of sizes unpacked from unknown data is memoized and
    # returned to every caller: a flexible size would take the first caller's channels)
    out: list[Dim] = [d if d is not None else D.opaque("n") for d in ds]
    if any(d is None for d in ds):
        return make([unknown() if _is_neg1(d) else o for d, o in zip(ds, out)], ws)
    p = D.mul(*known) if known else D.norm(1)
    if D.as_int(p) == 0:
        return Shape.unknown()
    n = s.numel()
    if n is None:  # unknown rank: numel is (something) * (product of the known trailing sizes)
        q, pi = (D.as_int(D.mul(*s.dims)) if s.dims else None), D.as_int(p)
        if not negs and q and pi is not None and pi % q != 0:
            raise ShapeError("reshape-size", f"{what} of {s} to {target}: {pi} elements cannot be a multiple "
                                             f"of the {q} in the input's trailing sizes")
        if negs:
            out[negs[0]] = unknown()
        return make(out, ws)
    if negs:
        quot, bad = divide(n, p)
        if bad:
            raise ShapeError("reshape-size", lambda: (
                f"{what} of {s} to {target}: cannot infer -1, {D.fmt(n)} elements are not a multiple of "
                f"{D.fmt(p)}"))
        if quot is None:
            out[negs[0]] = unknown()
        else:
            out[negs[0]] = quot
            ws[negs[0]] = leftover_why(s, known, quot)
        return make(out, ws)
    require_equal(n, p, bindings, "reshape-size", lambda: (
        f"{what} of {s} to {target}: element counts differ, {D.fmt(n)} != {D.fmt(p)}{mismatch_note(n, p)}"))
    return make(out, ws)


def flatten_range(s: Shape, i: int, j: int) -> Shape:
    """``s`` with axes ``i..j`` (normalised, ``i <= j``) merged into one size that remembers its
    factors (``16*5*5``)."""
    w = whys(s)
    merged = D.mul(*s.dims[i:j + 1])
    why = product_why(s.dims[i:j + 1], w[i:j + 1], merged)
    return make(s.dims[:i] + (merged,) + s.dims[j + 1:], w[:i] + [why] + w[j + 1:], s.variadic)


def ravel(s: Shape) -> Shape:
    """All of ``s`` as one axis, with its derivation."""
    if s.variadic:
        return Shape((flexible(),))
    n = D.mul(*s.dims)
    return make((n,), [product_why(s.dims, whys(s), n)])


def _is_neg1(d: Optional[Dim]) -> bool:
    return d is not None and D.as_int(d) == -1
