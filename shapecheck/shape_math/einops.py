"""einops patterns as a shape language: ``rearrange``/``repeat``/``reduce``, ``einsum``, ``pack``/``unpack``.

One parser and one set of checks for the functions and the ``Rearrange``/``Reduce`` layers of
every backend, following einops' own ``_prepare_transformation_recipe``: a pattern is checked
on its own first (its sides must name the same axes, a repeat's new axes need sizes, a group
may leave at most one size to infer), then against the tensor (its rank, each group's product).

Kinds, from RULES.md: a pattern that contradicts itself or the tensor's rank is
``einsum-mismatch`` (SHP103: subscripts that do not fit the operand, an output subscript not
in any input); a group whose product cannot be the axis it names (a size that does not divide,
a given size the tensor contradicts, two sizes left to infer) is ``reshape-size`` (SHP401, as
``view`` with a ``-1`` that cannot divide); a size given for an axis the pattern does not use is
``invalid-shape-argument`` (SHP405); a ``pack`` whose inputs disagree outside the packed axes is
the concat error it is.

Sizes may be symbols: a group's product is compared with ``dims.compare`` and a division is
decided where sympy can decide it (``(h*w)/h == w``, ``12 % 5 != 0``, ``7`` against ``2*h``);
otherwise the inferred size is ``floor(n/k)`` and nothing is reported. A flexible axis size
(an input not seen yet) learns the product it must be (``n == h*w'``).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Optional, Union

import sympy

from .. import dims as D
from ..dims import Bindings, Dim
from ..findings import ShapeError
from ..shapes import Shape
from .join import concat
from .require import mismatch_note

ELLIPSIS = "..."
REDUCTIONS = ("min", "max", "sum", "mean", "prod", "any", "all")


@dataclass(frozen=True)
class Anon:
    """An anonymous axis (``(h 2)``): a size with no name; no two are the same axis."""

    size: int
    at: int  # position in the side's text: keeps two ``2``s apart

    def __str__(self) -> str:
        return str(self.size)


Item = Union[str, Anon]
Entry = Union[str, tuple]  # ELLIPSIS, or a group of items (a bare name is a group of one; ``()``/``1`` none)


@dataclass(frozen=True)
class Side:
    """One side of a pattern: its entries (one per tensor axis, the ellipsis standing for several)."""

    entries: tuple
    text: str

    @property
    def names(self) -> set:
        """Named axes, with ``...`` if present (anonymous axes are not names)."""
        out = set()
        for e in self.entries:
            if e == ELLIPSIS:
                out.add(ELLIPSIS)
            else:
                out.update(i for i in e if isinstance(i, str))
        return out

    @property
    def has_ellipsis(self) -> bool:
        return ELLIPSIS in self.names

    @property
    def ellipsis_in_group(self) -> bool:
        return any(e != ELLIPSIS and ELLIPSIS in e for e in self.entries)

    @property
    def anonymous(self) -> list:
        return [i for e in self.entries if e != ELLIPSIS for i in e if isinstance(i, Anon)]


def _pattern_error(message: str) -> ShapeError:
    return ShapeError("einsum-mismatch", message)


def valid_name(name: str, underscore: bool = False) -> bool:
    """einops' axis names: identifiers that neither start nor end with ``_`` (``_`` alone where allowed)."""
    if not name.isidentifier():
        return False
    if name.startswith("_") or name.endswith("_"):
        return underscore and name == "_"
    return True


def parse_side(text: str, *, underscore: bool = False, duplicates: bool = False, what: str = "pattern") -> Side:
    """One side of a pattern (``"b (h w) c"``), or einsum-mismatch where einops rejects it."""
    if "." in text and (text.count("...") != 1 or text.count(".") != 3):
        raise _pattern_error(f"{what}: '{text.strip()}' may contain dots only in one ellipsis (...)")
    src = text.replace("...", "\u2026")
    entries: list = []
    group: Optional[list] = None
    seen: set = set()
    tok = ""
    pos = 0

    def add(x: str, at: int) -> None:
        target = entries if group is None else group
        if x == "\u2026":
            target.append(ELLIPSIS)
            seen.add(ELLIPSIS)
            return
        if x.isdecimal():
            n = int(x)
            if n == 1:
                if group is None:
                    entries.append(())
                return
            if n == 0:
                raise _pattern_error(f"{what}: an anonymous axis must have a positive size, not 0")
            item: Item = Anon(n, at)
        elif valid_name(x, underscore):
            if x in seen and not duplicates and not (underscore and x == "_"):
                raise _pattern_error(f"{what}: axis '{x}' appears twice in '{text.strip()}'")
            item = x
        else:
            raise _pattern_error(f"{what}: '{x}' is not a valid axis name")
        seen.add(x)
        if group is None:
            entries.append((item,))
        else:
            group.append(item)

    for pos, ch in enumerate(src):
        if ch in "() ":
            if tok:
                add(tok, pos)
            tok = ""
            if ch == "(":
                if group is not None:
                    raise _pattern_error(f"{what}: brackets inside brackets in '{text.strip()}'")
                group = []
            elif ch == ")":
                if group is None:
                    raise _pattern_error(f"{what}: unbalanced brackets in '{text.strip()}'")
                entries.append(tuple(group))
                group = None
        elif ch.isalnum() or ch in "_\u2026":
            tok += ch
        else:
            raise _pattern_error(f"{what}: unexpected character {ch!r} in '{text.strip()}'")
    if group is not None:
        raise _pattern_error(f"{what}: unbalanced brackets in '{text.strip()}'")
    if tok:
        add(tok, pos + 1)
    return Side(tuple(entries), text.strip())


def parse(pattern: str, what: str = "pattern") -> tuple[Side, Side]:
    """``"left -> right"`` as two sides."""
    parts = pattern.split("->")
    if len(parts) != 2:
        raise _pattern_error(f"{what} '{pattern}' needs exactly one '->'")
    return parse_side(parts[0], what=what), parse_side(parts[1], what=what)


def _names(xs: set) -> str:
    return ", ".join(sorted(str(x) for x in xs))


def check_pattern(op: str, left: Side, right: Side, given: Sequence[str], what: str) -> None:
    """The checks einops makes before it sees a tensor (``op``: rearrange, repeat or reduce)."""
    pat = f"'{left.text} -> {right.text}'"
    if right.has_ellipsis and not left.has_ellipsis:
        raise _pattern_error(f"{what} {pat}: '...' on the right but not on the left")
    if left.ellipsis_in_group:
        raise _pattern_error(f"{what} {pat}: '...' inside brackets on the left")
    ln, rn = left.names, right.names
    if op == "rearrange":
        if left.anonymous or right.anonymous:
            raise _pattern_error(f"{what} {pat}: rearrange takes no anonymous axes other than 1 (use repeat or reduce)")
        if ln != rn:
            raise _pattern_error(f"{what} {pat}: axes on one side only: {_names(ln ^ rn)}")
    elif op == "repeat":
        if left.anonymous or ln - rn:
            extra = {str(a) for a in left.anonymous} | (ln - rn)
            raise _pattern_error(f"{what} {pat}: axes on the left but not on the right: {_names(extra)}")
        missing = rn - ln - set(given)
        if missing:
            raise ShapeError("reshape-size", f"{what} {pat}: no size given for the new axes {_names(missing)}")
    else:
        if right.anonymous or rn - ln:
            extra = {str(a) for a in right.anonymous} | (rn - ln)
            raise _pattern_error(f"{what} {pat}: axes on the right but not on the left: {_names(extra)}")
    used = (ln | rn) - {ELLIPSIS}
    for g in given:
        if g not in used:
            raise ShapeError("invalid-shape-argument", f"{what} {pat}: size given for axis '{g}', which the "
                                                       "pattern does not use")
    for e in left.entries:
        if e != ELLIPSIS:
            unknown = [i for i in e if isinstance(i, str) and i not in given]
            if len(unknown) > 1:
                raise ShapeError("reshape-size", f"{what} {pat}: cannot infer both {' and '.join(unknown)} of "
                                                 f"'({' '.join(str(i) for i in e)})'; give all sizes but one")


def divide(n: Dim, k: Dim, bindings: Optional[Bindings] = None, hint: str = "n") -> tuple[D.Truth, Dim]:
    """Is ``n`` divisible by ``k``, and the quotient (``floor(n/k)`` where undecided). A lone
    flexible ``n`` is bound to ``k * q`` for a fresh flexible ``q``: code past the split has it so."""
    if bindings is not None:
        n, k = bindings.resolve(n), bindings.resolve(k)
    ni, ki = D.as_int(n), D.as_int(k)
    if ni is not None and ki is not None:
        if ki > 0 and ni % ki == 0:
            return D.TRUE, ni // ki
        return D.FALSE, 0
    if ki == 1:
        return D.TRUE, n
    if D.is_opaque(n) or (not isinstance(k, int) and any(D.is_opaque(s) for s in k.free_symbols)):
        return D.UNKNOWN, D.opaque(hint)
    if D.is_flexible(n) and (isinstance(k, int) or n not in k.free_symbols):
        q = D.flexible(hint)
        if bindings is not None:
            bindings.bind(n, D.mul(k, q))
        return D.TRUE, q
    num, den = sympy.fraction(sympy.cancel(sympy.Mul(n, sympy.Pow(k, -1))))
    if den == 1 and num.is_polynomial() and all(c.is_Integer for c in sympy.Poly(num).coeffs()):
        return D.TRUE, D.norm(num)
    if ni is not None and not isinstance(k, int):
        c, _ = sympy.factor_terms(k).as_coeff_Mul()
        if c.is_Integer and int(c) > 1 and ni % int(c):
            return D.FALSE, 0
    if ni is not None and ni == 0:
        return D.TRUE, 0
    return D.UNKNOWN, D.floordiv(n, k)


def _group_text(e: tuple) -> str:
    return "(" + " ".join(str(i) for i in e) + ")" if len(e) != 1 else str(e[0])


def _align(left: Side, shape: Shape, what: str, pat: str) -> tuple[list, Optional[Shape]]:
    """``[(group, size or None)]`` for the left groups, and what the ellipsis stands for."""
    groups = [e for e in left.entries if e != ELLIPSIS]
    n = len(groups)
    dims = list(shape.dims)
    if not left.has_ellipsis:
        if shape.rank is not None and shape.rank != n:
            raise _pattern_error(f"{what} {pat} names {n} axes but the tensor {shape} has {shape.rank}")
        if shape.variadic and len(dims) > n:
            raise _pattern_error(f"{what} {pat} names {n} axes but the tensor {shape} has at least {len(dims)}")
        sizes: list = [None] * (n - len(dims)) + dims
        return list(zip(groups, sizes)), None
    e = left.entries.index(ELLIPSIS)
    before, after = list(left.entries[:e]), list(left.entries[e + 1:])
    if shape.rank is not None:
        if shape.rank < n:
            raise _pattern_error(f"{what} {pat} needs at least {n} axes but the tensor {shape} has {shape.rank}")
        r = shape.rank
        return (list(zip(before, dims[:len(before)])) + list(zip(after, dims[r - len(after):])),
                Shape(tuple(dims[len(before):r - len(after)])))
    tail = dims[len(dims) - len(after):] if len(dims) >= len(after) else [None] * (len(after) - len(dims)) + dims
    if before:
        return list(zip(before, [None] * len(before))) + list(zip(after, tail)), Shape.unknown()
    return list(zip(after, tail)), Shape(tuple(dims[:len(dims) - len(after)]), True)


def transform(op: str, shape: Shape, pattern: str, lengths: Mapping[str, Optional[Dim]],
              bindings: Optional[Bindings] = None, *, what: Optional[str] = None) -> Shape:
    """The result of ``einops.<op>(x, pattern, **lengths)`` on a tensor of ``shape`` (``op``:
    rearrange, repeat or reduce; a length None is given but unknown)."""
    what = what or op
    if bindings is not None:
        shape = shape.resolved(bindings)
    left, right = parse(pattern, what)
    check_pattern(op, left, right, list(lengths), what)
    pat = f"'{left.text} -> {right.text}'"
    sizes: dict = {k: (D.opaque(k) if v is None else v) for k, v in lengths.items()}
    aligned, ell = _align(left, shape, what, pat)
    for group, d in aligned:
        known = [i.size if isinstance(i, Anon) else sizes[i] for i in group if isinstance(i, Anon) or i in sizes]
        unknown = [i for i in group if isinstance(i, str) and i not in sizes]
        product = D.mul(*known) if known else 1
        gt = _group_text(group)
        if not unknown:
            if d is not None and D.compare(d, product, bindings) is D.FALSE:
                raise ShapeError("reshape-size", f"{what} {pat} of {shape}: the axis '{gt}' is {D.fmt(d)}, but its "
                                                 f"sizes make {D.fmt(product)}{mismatch_note(d, product)}")
            continue
        u = unknown[0]
        if d is None:
            sizes[u] = D.flexible(u)
            continue
        truth, q = divide(d, product, bindings, u)
        if truth is D.FALSE:
            raise ShapeError("reshape-size", f"{what} {pat} of {shape}: the axis '{gt}' of size {D.fmt(d)} cannot be "
                                             f"split: {D.fmt(d)} is not divisible by {D.fmt(product)}")
        sizes[u] = q
    for a in right.anonymous:
        sizes[a] = a.size
    out: list = []
    whys: list = []
    variadic = False
    for k, e in enumerate(right.entries):
        if e == ELLIPSIS:
            assert ell is not None
            if ell.variadic:
                if k:
                    return Shape.unknown()  # an unknown number of axes after known ones: no Shape says that
                variadic = True
            out.extend(ell.dims)
            whys.extend([None] * len(ell.dims))
            continue
        parts: list = []
        for i in e:
            if i == ELLIPSIS:
                assert ell is not None
                if ell.variadic:
                    parts = [D.flexible("n")]
                    break
                parts.extend(ell.dims)
            else:
                parts.append(sizes[i])
        out.append(D.mul(*parts) if parts else 1)
        whys.append("*".join(D.fmt(p) for p in parts) if len(parts) > 1 else None)
    ds = tuple(D.norm(d) for d in out)
    return Shape(ds, variadic, tuple(whys)) if any(whys) else Shape(ds, variadic)


def stacked(shapes: Sequence[Shape], bindings: Optional[Bindings] = None, what: str = "rearrange") -> Shape:
    """A list of tensors given to rearrange/repeat/reduce: einops stacks them on a new first axis."""
    from .join import stack

    return stack(shapes, 0, bindings, op=f"{what} of a list")


def einsum(shapes: Sequence[Shape], pattern: str, bindings: Optional[Bindings] = None, what: str = "einsum") -> Shape:
    """``einops.einsum(*tensors, pattern)``: named axes, one name per axis, ``...`` allowed."""
    if "->" not in pattern:
        raise _pattern_error(f"{what} '{pattern}' needs '->'")
    lhs, rhs = pattern.split("->", 1)
    if "->" in rhs:
        raise _pattern_error(f"{what} '{pattern}' needs exactly one '->'")
    if bindings is not None:
        shapes = [s.resolved(bindings) for s in shapes]
    ins = [parse_side(t, underscore=True, duplicates=True, what=what) for t in lhs.split(",")]
    out = parse_side(rhs, underscore=True, what=what)
    for side in [*ins, out]:
        for e in side.entries:
            if e != ELLIPSIS and len(e) != 1:
                raise _pattern_error(f"{what} '{pattern}': einsum takes one name per axis, not '{_group_text(e)}'")
            if e != ELLIPSIS and isinstance(e[0], Anon):
                raise _pattern_error(f"{what} '{pattern}': einsum takes no anonymous axes")
    if len(ins) != len(shapes):
        raise _pattern_error(f"{what} '{pattern}' names {len(ins)} operands but {len(shapes)} were given")
    seen: dict = {}  # name -> (size, operand)
    ells: list = []
    for k, (side, s) in enumerate(zip(ins, shapes)):
        aligned, ell = _align(side, s, what, f"'{pattern}' operand {k}")
        if ell is not None:
            ells.append(ell)
        for (name,), d in aligned:
            if d is None:
                continue
            if name in seen and D.as_int(d) != 1 and D.as_int(seen[name][0]) != 1:
                d0, k0 = seen[name]
                if D.compare(d0, d, bindings) is D.FALSE:
                    raise _pattern_error(f"{what} '{pattern}': axis {name} is {D.fmt(d0)} in operand {k0} "
                                         f"{shapes[k0]} but {D.fmt(d)} in operand {k} {s}{mismatch_note(d0, d)}")
            if name not in seen or D.as_int(seen[name][0]) == 1:
                seen[name] = (d, k)
    in_names = set().union(*(side.names for side in ins))
    for e in out.entries:
        if e != ELLIPSIS and e[0] not in in_names:
            raise _pattern_error(f"{what} '{pattern}': output axis {e[0]} is in no input")
    dims: list = []
    variadic = False
    for k, e in enumerate(out.entries):
        if e == ELLIPSIS:
            if any(x.variadic for x in ells):
                if k:
                    return Shape.unknown()
                variadic = True
            known = [x for x in ells if not x.variadic] or ells
            widest = max(known, key=lambda x: len(x.dims)) if known else Shape(())
            if len({len(x.dims) for x in ells if not x.variadic}) > 1:
                return Shape.unknown()  # broadcast among ellipses of different ranks: not followed here
            dims.extend(widest.dims)
        else:
            dims.append(seen[e[0]][0] if e[0] in seen else D.flexible(e[0]))
    if not out.has_ellipsis and any(x.variadic or x.dims for x in ells):
        return Shape.unknown()
    return Shape(tuple(D.norm(d) for d in dims), variadic)


def _pack_pattern(pattern: str, what: str) -> tuple[int, int]:
    axes = pattern.split()
    if len(set(axes)) != len(axes):
        raise _pattern_error(f"{what} '{pattern}': an axis name appears twice")
    if "*" not in axes:
        raise _pattern_error(f"{what} '{pattern}': no '*' axis")
    for a in axes:
        if a != "*" and not valid_name(a):
            raise _pattern_error(f"{what} '{pattern}': '{a}' is not a valid axis name")
    before = axes.index("*")
    return before, len(axes) - before - 1


def pack(shapes: Sequence[Shape], pattern: str, bindings: Optional[Bindings] = None,
         what: str = "pack") -> tuple[Shape, list]:
    """``einops.pack(tensors, pattern)``: the packed shape and each tensor's ``*`` part (None: unknown)."""
    before, after = _pack_pattern(pattern, what)
    if bindings is not None:
        shapes = [s.resolved(bindings) for s in shapes]
    reshaped: list = []
    parts: list = []
    for s in shapes:
        if s.rank is not None and s.rank < before + after:
            raise _pattern_error(f"{what} '{pattern}' needs at least {before + after} axes but a tensor {s} "
                                 f"has {s.rank}")
        if s.variadic:
            if before:
                return Shape.unknown(), [None] * len(shapes)
            tail = s.dims[len(s.dims) - after:] if after and len(s.dims) >= after else ()
            reshaped.append(Shape(tuple([D.flexible("n")]) + tuple(tail)) if len(tail) == after
                            else Shape.unknown())
            parts.append(None)
            continue
        r = len(s.dims)
        star = s.dims[before:r - after]
        parts.append(Shape(tuple(star)))
        reshaped.append(Shape(tuple(s.dims[:before]) + (D.mul(*star) if star else 1,) + tuple(s.dims[r - after:])))
    if any(x.variadic for x in reshaped):
        return Shape.unknown(), parts
    return concat(reshaped, before, bindings, op=f"{what} '{pattern}'", suggest=False), parts


def unpack(shape: Shape, parts: Sequence[Optional[Sequence[Dim]]], pattern: str,
           bindings: Optional[Bindings] = None, what: str = "unpack") -> list:
    """``einops.unpack(x, packed_shapes, pattern)``: the shape of each piece (a part None: unknown;
    a size -1 in one part is inferred)."""
    before, after = _pack_pattern(pattern, what)
    if bindings is not None:
        shape = shape.resolved(bindings)
    n = before + 1 + after
    if shape.rank is not None and shape.rank != n or shape.variadic and len(shape.dims) > n:
        raise _pattern_error(f"{what} '{pattern}' needs {n} axes but the tensor {shape} has "
                             f"{shape.rank if shape.rank is not None else f'at least {len(shape.dims)}'}")
    dims: list = [None] * (n - len(shape.dims)) + list(shape.dims)
    lengths: list = []
    for p in parts:
        if p is None:
            lengths.append(None)
        elif any(D.as_int(d) == -1 for d in p):
            lengths.append(-1)
        else:
            lengths.append(D.mul(*p) if p else 1)
    if lengths.count(-1) > 1:
        raise ShapeError("reshape-size", f"{what} '{pattern}': more than one -1 in the packed shapes")
    axis = dims[before]
    if axis is not None and None not in lengths:
        total: Dim = 0
        for x in lengths:
            if x != -1:
                total = D.add(total, x)
        if -1 in lengths:
            left = D.sub(axis, total)
            li = D.as_int(left)
            if li is not None and li < 0:
                raise ShapeError("reshape-size", f"{what} '{pattern}' of {shape}: the packed axis of {D.fmt(axis)} "
                                                 f"is smaller than the known parts ({D.fmt(total)})")
        elif D.compare(axis, total, bindings) is D.FALSE:
            raise ShapeError("reshape-size", lambda: (
                f"{what} '{pattern}' of {shape}: the packed axis is {D.fmt(axis)}, but the packed shapes make "
                f"{D.fmt(total)}{mismatch_note(axis, total)}"))
    out: list = []
    for p in parts:
        if p is None or any(d is None for d in dims[:before] + dims[before + 1:]):
            out.append(None)
            continue
        mid = list(p)
        if any(D.as_int(d) == -1 for d in mid):
            out.append(None)
            continue
        out.append(Shape(tuple(D.norm(d) for d in [*dims[:before], *mid, *dims[before + 1:]])))
    return out
