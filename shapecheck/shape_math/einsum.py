"""Einsum subscripts and tensordot axes (SHP103 einsum-mismatch), once for torch, NumPy,
TensorFlow and ``keras.ops``.

``einsum`` binds every subscript letter to the sizes it meets (a size 1 broadcasts), broadcasts
what the ``...`` of each operand stands for, and builds the output (implicit mode: ``...`` then
the letters used once, sorted). The one framework difference is a parameter: NumPy refuses an
explicit output without ``...`` when the inputs' ``...`` stand for some axes
(``ellipsis_needs_output``); torch and TensorFlow sum them away.
"""
from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Optional, Union

from .. import dims as D
from ..dims import Bindings, Dim
from ..findings import Later, ShapeError
from ..shapes import Shape
from .broadcast import broadcast
from .index import axis as norm_axis
from .join import pick
from .require import mismatch_note, require_equal
from .reshape import make

_LETTERS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")


def parse_subscripts(text: str) -> Optional[list[str]]:
    """``"...ij"`` -> ``["...", "i", "j"]``; None when not an einsum subscript string."""
    out = []
    k = 0
    while k < len(text):
        if text.startswith("...", k):
            out.append("...")
            k += 3
        elif text[k] in _LETTERS:
            out.append(text[k])
            k += 1
        else:
            return None
    return out if out.count("...") <= 1 else None


def _error(msg: Union[str, object]) -> ShapeError:
    return ShapeError("einsum-mismatch", msg)  # type: ignore[arg-type]


def _operand_pairs(eq: str, what: str, k: int, g: list[str], s: Shape,
                   ell_parts: list[Shape]) -> list[tuple[str, Dim]]:
    """The (letter, size) pairs operand ``k`` binds; what its ``...`` stands for goes to ``ell_parts``."""
    letters = [c for c in g if c != "..."]
    if "..." not in g:
        if s.rank is not None and s.rank != len(letters):
            raise _error(f"{what} '{eq}': operand {k} {s} has {s.rank} dims but its subscripts "
                         f"'{''.join(letters)}' name {len(letters)}")
        if s.variadic and len(s.dims) > len(letters):
            raise _error(f"{what} '{eq}': operand {k} {s} has at least {len(s.dims)} dims but its "
                         f"subscripts '{''.join(letters)}' name {len(letters)}")
        return list(zip(letters[len(letters) - len(s.dims):], s.dims)) if s.variadic else list(zip(letters, s.dims))
    e = g.index("...")
    before, after = g[:e], g[e + 1:]
    if s.rank is not None and s.rank < len(letters):
        raise _error(f"{what} '{eq}': operand {k} {s} has {s.rank} dims but its subscripts "
                     f"'{''.join(g)}' need at least {len(letters)}")
    if s.variadic:
        tail = list(s.dims[-len(after):]) if after and len(s.dims) >= len(after) else None
        if not before and s.dims and len(s.dims) > len(after):  # the prefix is all '...'
            ell_parts.append(Shape(s.dims[:len(s.dims) - len(after)], True))
        else:
            ell_parts.append(Shape.unknown())
        return list(zip(after, tail)) if tail is not None else []
    r = len(s.dims)
    ell_parts.append(Shape(s.dims[len(before):r - len(after)]))
    return list(zip(before, s.dims[:len(before)])) + list(zip(after, s.dims[r - len(after):]))


def einsum(eq: str, shapes: Sequence[Shape], *, bindings: Optional[Bindings] = None, what: str = "einsum",
           ellipsis_needs_output: bool = False) -> Shape:
    """The result of ``einsum(eq, *operands)``; SHP103 where the equation and the operand shapes
    provably disagree (operand count, rank, a letter bound to two sizes, an output letter no input
    has, '...' parts that do not broadcast)."""
    eq = eq.replace(" ", "")
    out_subs: Optional[list[str]]
    if "->" in eq:
        lhs, rhs = eq.split("->", 1)
        out_subs = parse_subscripts(rhs)
        if out_subs is None:
            return Shape.unknown()
    else:
        lhs, out_subs = eq, None
    parsed = [parse_subscripts(g) for g in lhs.split(",")]
    groups = [g for g in parsed if g is not None]
    if len(groups) != len(parsed):
        return Shape.unknown()
    ops = Later(lambda shown: ", ".join(str(s) for s in shown), tuple(shapes))
    if len(groups) != len(shapes):
        raise _error(f"{what} '{eq}' of {ops}: the equation has {len(groups)} operand subscripts but "
                     f"{len(shapes)} operands were given")
    sizes: dict[str, list[tuple[Dim, int]]] = {}
    ell_parts: list[Shape] = []
    any_ell = any("..." in g for g in groups)
    for k, (g, s) in enumerate(zip(groups, shapes)):
        for c, d in _operand_pairs(eq, what, k, g, s, ell_parts):
            for d0, k0 in sizes.get(c, []):
                if k0 == k and D.compare(d0, d, bindings, unify=False) is D.FALSE:
                    raise _error(f"{what} '{eq}': subscript {c} is repeated in operand {k} {s} with sizes "
                                 f"{D.fmt(d0)} and {D.fmt(d)}")
            sizes.setdefault(c, []).append((d, k))
    letters_in = [c for g in groups for c in g if c != "..."]
    for c, pairs in sizes.items():
        known = [(d, k) for d, k in pairs if D.as_int(d) != 1]
        for d, k in known[1:]:
            d0, k0 = known[0]
            if k != k0 and D.compare(d0, d, bindings, unify=False) is D.FALSE:
                raise _error(
                    f"{what} '{eq}' of {ops}: subscript {c} is {D.fmt(d0)} in operand {k0} {shapes[k0]} but "
                    f"{D.fmt(d)} in operand {k} {shapes[k]}{mismatch_note(d0, d)}")
        for d, _ in known[1:]:
            D.compare(known[0][0], d, bindings)  # the equation makes them equal: flexible sizes learn it
    if out_subs is None:
        once = sorted(c for c in set(letters_in) if letters_in.count(c) == 1)
        out_subs = (["..."] if any_ell else []) + once
    else:
        for c in out_subs:
            if c != "..." and c not in letters_in:
                raise _error(f"{what} '{eq}': output subscript {c} does not appear in any input")
        if len(set(out_subs)) != len(out_subs):
            return Shape.unknown()
    ell = Shape(())
    if any_ell:
        ell = broadcast(ell_parts, bindings, "einsum-mismatch", f"{what} '{eq}' broadcast dims")
        if "..." not in out_subs and ellipsis_needs_output and not ell.variadic and ell.dims:
            raise _error(f"{what} '{eq}': the inputs' '...' stand for {ell} but the output has no '...'")
    out: list[Dim] = []
    variadic = False
    for c in out_subs:
        if c == "...":
            if ell.variadic:  # what comes before joins the unknown prefix
                out = []
                variadic = True
            out.extend(ell.dims)
            continue
        have = [d for d, _ in sizes.get(c, [])]
        big = [d for d in have if D.as_int(d) != 1]
        out.append(pick(big) if big else (D.norm(1) if have else D.flexible("n")))
    return make(out, None, variadic)


def _contracted(what: str, da: Dim, i: int, db: Dim, j: int) -> str:
    return (f"{what}: contracted sizes differ, {D.fmt(da)} at axis {i} of the first vs {D.fmt(db)} at axis {j} "
            f"of the second{mismatch_note(da, db)}")


def tensordot_axes(n: int, ra: int, rb: int, what: str) -> Optional[tuple[list[int], list[int]]]:
    """The contracted axes of ``tensordot(a, b, axes=n)``: the last ``n`` of a with the first ``n``
    of b; SHP103 where ``n`` exceeds a rank, None for a negative ``n`` (every framework raises, no
    rule names it)."""
    if n < 0:
        return None
    if n > ra or n > rb:
        raise _error(f"{what}: axes={n} exceeds an operand's rank ({ra}-D and {rb}-D)")
    return list(range(ra - n, ra)), list(range(n))


def tensordot(sa: Shape, sb: Shape, xa: Sequence[int], xb: Sequence[int], *, bindings: Optional[Bindings] = None,
              what: str = "tensordot") -> Shape:
    """``tensordot`` of two known-rank shapes over axes ``xa`` of a and ``xb`` of b (as written:
    negative axes count from the end); SHP103 where the axis lists differ in length or a contracted
    pair of sizes provably differs."""
    if len(xa) != len(xb):
        raise _error(f"{what}: axes {tuple(xa)} and {tuple(xb)} have different lengths")
    ia = [norm_axis(x, len(sa.dims), what) for x in xa]
    ib = [norm_axis(x, len(sb.dims), what) for x in xb]
    for i, j in zip(ia, ib):
        da, db = sa.dims[i], sb.dims[j]
        require_equal(da, db, bindings, "einsum-mismatch", functools.partial(_contracted, what, da, i, db, j))
    out = [d for k, d in enumerate(sa.dims) if k not in ia] + [d for k, d in enumerate(sb.dims) if k not in ib]
    return make(out)
