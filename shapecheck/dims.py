"""Sizes: concrete ints, rigid symbols and flexible symbols, compared with three answers.

A size (``Dim``) is a Python ``int`` or a sympy expression over symbols made here, in one
factory, so that ``hidden`` is always the same symbol. Two kinds of symbol:

- rigid (``sympy.Symbol``): a size the program names (a constructor parameter, a jaxtyping
  name). Two different rigid sizes are generically different.
- flexible (``sympy.Dummy``): a size we have not seen yet (an unannotated input). It unifies
  with the first constraint it meets; ``Bindings`` records that.

Comparisons answer TRUE, FALSE or UNKNOWN; a rule fires only on FALSE.
"""
from __future__ import annotations

import enum
import itertools
from typing import Union

import sympy

Dim = Union[int, sympy.Expr]


class Truth(enum.Enum):
    TRUE = "true"
    FALSE = "false"
    UNKNOWN = "unknown"

    def __bool__(self) -> bool:  # pragma: no cover - guard against `if truth:` mistakes
        raise TypeError("use `is Truth.TRUE` / `is Truth.FALSE`, a Truth has three values")


TRUE, FALSE, UNKNOWN = Truth.TRUE, Truth.FALSE, Truth.UNKNOWN

_RIGID: dict[str, sympy.Symbol] = {}
_counter = itertools.count()


def rigid(name: str) -> sympy.Symbol:
    """The rigid size called ``name`` (one symbol per name)."""
    sym = _RIGID.get(name)
    if sym is None:
        sym = _RIGID[name] = sympy.Symbol(name, integer=True, positive=True)
    return sym


class Setting(sympy.Symbol):
    """A rigid size read from a setting (``config.n_embd``, ``args.hidden``): the user picks it, so
    two settings may well be equal; a comparison is FALSE only where it fails for every value."""


def setting(name: str) -> sympy.Symbol:
    """The setting called ``name`` (its access path); ``rigid(name)`` is the same symbol after."""
    sym = _RIGID.get(name)
    if sym is None:
        sym = _RIGID[name] = Setting(name, integer=True, positive=True)
    return sym


def flexible(hint: str = "n") -> sympy.Dummy:
    """A fresh flexible size; ``hint`` is how it prints."""
    return sympy.Dummy(hint, integer=True, positive=True)


class Opaque(sympy.Dummy):
    """A size that is unknown and stays so: Keras's ``None`` batch. It never unifies and never
    compares FALSE with anything; only itself is equal to it."""


def opaque(hint: str = "None") -> Opaque:
    return Opaque(hint, integer=True, positive=True)


def is_opaque(d: Dim) -> bool:
    return isinstance(d, Opaque)


def is_flexible(d: Dim) -> bool:
    return isinstance(d, sympy.Dummy) and not isinstance(d, Opaque)


def has_flexible(d: Dim) -> bool:
    return not isinstance(d, int) and any(isinstance(s, sympy.Dummy) for s in d.free_symbols)


def as_int(d: Dim) -> int | None:
    """The concrete value of a size, or None."""
    if isinstance(d, int):
        return d
    if isinstance(d, sympy.Integer):
        return int(d)
    return None


def norm(d: Dim) -> Dim:
    """Concrete sympy integers become Python ints (cheap to compare and print)."""
    if isinstance(d, sympy.Integer):
        return int(d)
    return d


def mul(*ds: Dim) -> Dim:
    out: Dim = 1
    for d in ds:
        if isinstance(out, int) and isinstance(d, int):
            out = out * d
        else:
            out = norm(sympy.Mul(out, d))
    return out


def add(a: Dim, b: Dim) -> Dim:
    if isinstance(a, int) and isinstance(b, int):
        return a + b
    return norm(sympy.Add(a, b))


def sub(a: Dim, b: Dim) -> Dim:
    if isinstance(a, int) and isinstance(b, int):
        return a - b
    return norm(sympy.Add(a, -b))


def floordiv(a: Dim, b: Dim) -> Dim:
    if isinstance(a, int) and isinstance(b, int) and b != 0:
        return a // b
    if b == 1:
        return a
    if isinstance(b, int):  # an unevaluated floor: sympy's evaluation of floor(H/2) is slow and gains nothing
        return sympy.floor(sympy.Mul(a, sympy.Rational(1, b)), evaluate=False)
    return norm(sympy.floor(sympy.Mul(a, sympy.Pow(b, -1))))


def ceildiv(a: Dim, b: Dim) -> Dim:
    if isinstance(a, int) and isinstance(b, int) and b != 0:
        return -(-a // b)
    return norm(sympy.ceiling(sympy.Mul(a, sympy.Pow(b, -1))))


def mod(a: Dim, b: Dim) -> Dim:
    if isinstance(a, int) and isinstance(b, int) and b != 0:
        return a % b
    return norm(sympy.Mod(a, b))


_OPAQUE = (sympy.floor, sympy.ceiling, sympy.Mod, sympy.Max, sympy.Min, sympy.Abs)


def _has_opaque_parts(e: Dim) -> bool:
    return not isinstance(e, int) and bool(e.atoms(*_OPAQUE))


def _opaque(e: sympy.Expr) -> bool:
    return bool(e.atoms(*_OPAQUE)) or any(not (p.exp.is_Integer or p.exp.is_Symbol) for p in e.atoms(sympy.Pow))


class Bindings:
    """What the flexible sizes of one analysis have been unified with.

    Copy-on-branch: an ``if`` analyses each branch on a copy and keeps what both agree on.
    """

    __slots__ = ("map",)

    def __init__(self, mapping: dict[sympy.Dummy, Dim] | None = None) -> None:
        self.map: dict[sympy.Dummy, Dim] = dict(mapping or {})

    def copy(self) -> Bindings:
        return Bindings(self.map)

    def resolve(self, d: Dim) -> Dim:
        if isinstance(d, int) or not self.map:
            return d
        if d.is_Symbol:
            seen = 0
            while not isinstance(d, int) and d.is_Symbol and d in self.map and seen < 64:
                d = self.map[d]
                seen += 1
            if isinstance(d, int) or d.is_Symbol or not any(s in self.map for s in d.free_symbols):
                return d
        syms = [s for s in d.free_symbols if s in self.map]
        if not syms:
            return d
        return norm(d.xreplace({s: self.resolve(s) for s in syms}))

    def bind(self, flex: sympy.Symbol, value: Dim) -> None:
        self.map[flex] = value

    def keep_agreeing(self, a: Bindings, b: Bindings) -> None:
        self.map = {k: v for k, v in a.map.items() if k in b.map and b.map[k] == v}


def compare(a: Dim, b: Dim, bindings: Bindings | None = None, unify: bool = True) -> Truth:
    """Is ``a == b``? TRUE, FALSE or UNKNOWN; with ``unify``, a lone flexible size is bound."""
    if isinstance(a, int) and isinstance(b, int):
        return TRUE if a == b else FALSE
    if bindings is not None:
        a, b = bindings.resolve(a), bindings.resolve(b)
        if isinstance(a, int) and isinstance(b, int):
            return TRUE if a == b else FALSE
    if a == b:
        return TRUE
    if isinstance(a, Opaque) or isinstance(b, Opaque):
        return UNKNOWN
    if unify and bindings is not None:
        for x, y in ((a, b), (b, a)):
            if is_flexible(x) and (isinstance(y, int) or x not in y.free_symbols):
                bindings.bind(x, y)
                return TRUE
    if (_has_opaque_parts(a) or _has_opaque_parts(b)) and any(
            isinstance(s, sympy.Dummy) for e in (a, b) if not isinstance(e, int) for s in e.free_symbols):
        return UNKNOWN  # flexible sizes under floor/Mod: expanding costs much and cannot decide
    diff = sympy.expand(sympy.Add(a, sympy.Mul(-1, b)))
    if diff == 0:
        return TRUE
    if diff.is_Number:
        return FALSE
    if any(isinstance(s, sympy.Dummy) for s in diff.free_symbols):
        return UNKNOWN
    if _opaque(diff):
        return UNKNOWN
    if any(isinstance(s, Setting) for s in diff.free_symbols):  # 3*n != 2*n for every n; a != b may hold
        return FALSE if diff.is_positive or diff.is_negative else UNKNOWN
    # A nonzero polynomial in rigid sizes: generically different.
    return FALSE


def positive(d: Dim, bindings: Bindings | None = None) -> Truth:
    """Is ``d >= 1``?"""
    if bindings is not None:
        d = bindings.resolve(d)
    if isinstance(d, int):
        return TRUE if d >= 1 else FALSE
    if d.is_Integer:
        return TRUE if int(d) >= 1 else FALSE
    return UNKNOWN


def fmt(d: Dim | None) -> str:
    """How a size prints in messages: ints as ints, symbols by name, flexible by hint."""
    if d is None:
        return "?"
    if isinstance(d, int):
        return str(d)
    if isinstance(d, sympy.Dummy):
        return d.name
    if d.free_symbols and any(isinstance(s, sympy.Dummy) for s in d.free_symbols):
        d = d.xreplace({s: sympy.Symbol(s.name) for s in d.free_symbols if isinstance(s, sympy.Dummy)})
    return str(d)
