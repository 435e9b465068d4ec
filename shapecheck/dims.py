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
import functools
import itertools
import math
from collections.abc import Callable
from fractions import Fraction
from typing import Any, Optional, Union

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
# Our own numbering of flexible and opaque sizes: sympy numbers a Dummy with ``Dummy._count += 1``,
# which two threads can interleave into one index, and two Dummies of one name and index are
# equal. ``next()`` of an itertools.count is atomic; the offset keeps clear of sympy's own numbers.
_counter = itertools.count(1 << 40)


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


class Computed(Setting):
    """An int computed from what the checker cannot see (``int(v * ratio)``): a fresh size each
    time it is computed, printed as that expression; it compares like a setting."""

    __slots__ = ("index",)
    index: int

    def __new__(cls, name: str, index: int) -> Computed:
        obj = sympy.Symbol.__xnew__(cls, name, integer=True, positive=True)  # (not the cached Symbol of name)
        obj.index = index
        return obj

    def __getnewargs_ex__(self) -> tuple:
        return (self.name, self.index), {}

    def _hashable_content(self) -> tuple:
        return super()._hashable_content() + (self.index,)


def computed(text: str) -> Computed:
    """A fresh ``Computed`` size printed as ``text``."""
    return Computed(text, next(_counter))


def flexible(hint: str = "n") -> sympy.Dummy:
    """A fresh flexible size; ``hint`` is how it prints."""
    return sympy.Dummy(hint, next(_counter), integer=True, positive=True)


class Opaque(sympy.Dummy):
    """A size that is unknown and stays so: Keras's ``None`` batch. It never unifies and never
    compares FALSE with anything; only itself is equal to it."""


def opaque(hint: str = "None") -> Opaque:
    return Opaque(hint, next(_counter), integer=True, positive=True)


class Undefined(Opaque):
    """A ``None`` the code wrote in a Keras shape (``Input(shape=(None, 1))``), and what Keras keeps
    undefined from it (a Flatten over it): unlike an opaque size the checker could not work out,
    it is ``None`` for Keras too, where a layer that builds a weight on it raises."""


def undefined() -> Undefined:
    return Undefined("None", next(_counter), integer=True, positive=True)


_FRESH = (sympy.Dummy, Computed)  # the symbols made fresh each time (an Opaque is a Dummy)


# --- Answers alike for sizes built alike -------------------------------------------------------
#
# A generic run makes fresh symbols (``flexible``, ``opaque``, ``computed``) for what it cannot see,
# so the same network built again (another variant, the next edit in the editor) asks the same
# questions of expressions equal but for those symbols: ``floor(floor(_h/2)/2) >= 1`` for each
# variant's own ``_h``. A question of sizes is a pure function of its expressions, and every fresh
# symbol is made here with the same assumptions (integer, positive), so the answer is the same for
# any renaming of them that keeps each one's class: ``by_form`` remembers answers by the
# expressions' structure, each fresh symbol standing for its class and the order it first appears
# in (across all the arguments: ``(floor(_h/2), _h)`` and ``(floor(_h/2), _w)`` differ).

_FORMS_MAX = 32768  # answers kept by form (cleared whole when full: they are cheap to find again)
_MISSING = object()


def _form(e: Any, fresh: dict) -> object:
    """``e``'s structure with each fresh symbol as (its class, its number in ``fresh``)."""
    if isinstance(e, (int, type(None))) or not isinstance(e, sympy.Basic):
        return e
    args = e.args
    if not args:
        if isinstance(e, _FRESH):
            n = fresh.get(e)
            if n is None:
                n = fresh[e] = len(fresh)
            return type(e), n
        return type(e), e  # (a number by its type too: 2 and 2.0 are different sizes)
    return (e.func,) + tuple(_form(a, fresh) for a in args)


def by_form(fn: Callable) -> Callable:
    """``fn`` (pure in its size arguments) remembered by the arguments themselves, and where they
    hold fresh symbols, by their form (``_form``): an answer found for one network's sizes is
    the answer for another's built alike. ``cache_clear`` forgets both."""
    forms: dict = {}

    @functools.lru_cache(maxsize=8192)
    def remembered(*args: object) -> object:
        fresh: dict = {}
        key = tuple(_form(a, fresh) for a in args)
        if not fresh:
            return fn(*args)
        got = forms.get(key, _MISSING)
        if got is _MISSING:
            if len(forms) >= _FORMS_MAX:
                forms.clear()
            got = forms[key] = fn(*args)
        return got

    exact_clear = remembered.cache_clear

    def cache_clear() -> None:
        exact_clear()
        forms.clear()

    setattr(remembered, "cache_clear", cache_clear)  # noqa: B010 - (the lru_cache's, widened)
    setattr(remembered, "__wrapped__", fn)  # noqa: B010
    remembered.__doc__ = fn.__doc__
    return remembered


def is_undefined(d: Dim) -> bool:
    return isinstance(d, Undefined)


def is_opaque(d: Dim) -> bool:
    return isinstance(d, Opaque)


def is_flexible(d: Dim) -> bool:
    return isinstance(d, sympy.Dummy) and not isinstance(d, Opaque)


def has_flexible(d: Dim) -> bool:
    return not isinstance(d, int) and _has_dummy(d)


@functools.lru_cache(maxsize=8192)
def _has_dummy(e: sympy.Expr) -> bool:  # (free_symbols walks the whole tree: remembered per expression)
    return any(isinstance(s, sympy.Dummy) for s in e.free_symbols)


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
        q = sympy.Mul(a, sympy.Rational(1, b))
        if b > 0 and (_whole(q) or (not isinstance(a, int) and a.has(sympy.Mod) and _sympy_mod(a, b) == 0)):
            # (4*h) // 2 is 2*h: a multiple divides exactly; so does a size padded to a multiple,
            # ``(h + (-h) % 7) // 7`` (window partitions pad H to whole windows)
            return norm(q)
        return sympy.floor(q, evaluate=False)
    # a size over a size (a stride the generic run leaves open): sympy's evaluation of the floor
    # costs milliseconds (assumption queries) and rewrites nothing a comparison needs
    q = sympy.Mul(a, sympy.Pow(b, -1))
    if q.is_Number or _whole(q):
        return norm(sympy.floor(q))
    return sympy.floor(q, evaluate=False)


def ceildiv(a: Dim, b: Dim) -> Dim:
    if isinstance(a, int) and isinstance(b, int) and b != 0:
        return -(-a // b)
    return norm(sympy.ceiling(sympy.Mul(a, sympy.Pow(b, -1))))


def mod(a: Dim, b: Dim) -> Dim:
    if isinstance(a, int) and isinstance(b, int) and b != 0:
        return a % b
    return _sympy_mod(a, b)


@functools.lru_cache(maxsize=16384)
def _sympy_mod(a: Dim, b: Dim) -> Dim:
    """(sympy's Mod of symbols takes milliseconds: window padding computes it often)"""
    if _FAST_MOD and isinstance(b, (int, sympy.Integer)) and not isinstance(b, bool) and b > 0 and isinstance(
            a, sympy.Expr):
        return norm(_mod(a, sympy.Integer(b)))
    return norm(sympy.Mod(a, b))


# --- sympy's Mod by a positive integer, without its slowest steps --------------------------------
#
# ``sympy.Mod(p, q)`` spends most of its time in assumption queries on new expressions (milliseconds
# each): "by difference" (``is_le``/``is_lt``: is ``-2q <= p < 2q``?), ``p.is_even``/``p.is_odd``
# (q = 2), ``(p/q).is_integer``, and the polynomial ``gcd`` of ``p`` and ``q``. Each query only
# matters where sympy answers True, and sympy proves only what holds: so a query is left out where
# exact values of ``p`` at a few sizes >= 1 refute it (``p`` odd somewhere, ``p/q`` not an integer
# somewhere, ``p`` taking values no window of "by difference" holds) or where a polynomial bound of
# ``p`` grows without end. The gcd of a sum of integer multiples of sizes (and of floor/ceiling/Mod)
# is read off its coefficients. Everything else is sympy 1.14's ``Mod.eval`` step by step (same
# constructions, same order), so the result is the very expression ``sympy.Mod`` gives (checked
# against it by tests/test_dims_fastpath.py); with another sympy version ``sympy.Mod`` is called.

_FAST_MOD = sympy.__version__ == "1.14.0"


@functools.lru_cache(maxsize=4096)
def _mod(p: sympy.Expr, q: sympy.Expr) -> sympy.Expr:
    """``sympy.Mod(p, q)`` (the same expression), ``q`` a positive sympy Integer. (Remembered, as
    sympy remembers ``Mod(p, q)``: its evaluation meets the same ``Mod`` again in its branches.)"""
    rv = _mod_eval(p, q)
    if rv is not None:
        return rv
    return sympy.Mod(p, q, evaluate=False)


def _mod_number_eval(p: sympy.Expr, q: sympy.Expr) -> Optional[sympy.Expr]:
    """sympy's ``Mod.eval.number_eval`` (1.14)."""
    S = sympy.S
    if q.is_zero:
        raise ZeroDivisionError("Modulo by zero")
    # (``p.is_finite`` is not asked of an expression ``_samples`` can evaluate: integer sizes,
    # numbers, arithmetic, floor, ceiling and Mod; sympy cannot prove such a thing infinite. And
    # ``q == 1`` before ``p.is_integer``: the same answer, the slow query last)
    if p is S.NaN or q is S.NaN or (_samples(p, _FEW) is None and p.is_finite is False) or q.is_finite is False:
        return S.NaN
    if p is S.Zero or p in (q, -q) or (q == 1 and p.is_integer):
        return S.Zero
    if q.is_Number:
        if p.is_Number:
            return p % q
        if q == 2:
            # (``is_even``/``is_odd`` of a sum take milliseconds: not asked where a value shows
            # ``p`` odd, or even, or not an integer, for some sizes, so that sympy cannot say so)
            if not _refuted(p, 2, 0) and p.is_even:
                return S.Zero
            elif not _refuted(p, 2, 1) and p.is_odd:
                return S.One
    if hasattr(p, "_eval_Mod"):
        rv = p._eval_Mod(q)
        if rv is not None:
            return rv
    # by ratio
    r = p / q
    if not _refuted(p, q, 0) and r.is_integer:  # (likewise)
        return S.Zero
    try:
        d = int(r)
    except TypeError:
        pass
    else:
        if isinstance(d, int):
            rv = p - d * q
            if (rv * q < 0) == True:  # noqa: E712 (sympy's test, kept as it is)
                rv += q
            return rv
    # by difference: -2|q| <= p < 2|q| (only a bounded ``p`` gets past it)
    if _unbounded(p) or _no_window(p, q):
        return None
    from sympy.core.relational import is_ge, is_gt, is_le, is_lt
    if q.is_positive:
        comp1, comp2 = is_le, is_lt
    elif q.is_negative:
        comp1, comp2 = is_ge, is_gt
    else:
        return None
    ls = -2 * q
    r = p - q
    for _ in range(4):
        if not comp1(ls, p):
            return None
        if comp2(r, ls):
            return p - ls
        ls += q
    return None


def _mod_eval(p: sympy.Expr, q: sympy.Expr) -> Optional[sympy.Expr]:
    """sympy's ``Mod.eval(p, q)`` (1.14), its own recursion through ``_mod``."""
    from sympy.core.exprtools import gcd_terms
    from sympy.core.numbers import equal_valued
    from sympy.polys.polyerrors import PolynomialError
    from sympy.polys.polytools import gcd
    cls = sympy.Mod
    Add, Mul = sympy.Add, sympy.Mul

    rv = _mod_number_eval(p, q)
    if rv is not None:
        return rv

    # denest
    if isinstance(p, cls):
        qinner = p.args[1]
        if qinner % q == 0:
            return _mod(p.args[0], q)
        elif (qinner * (q - qinner)).is_nonnegative:
            return p
    elif isinstance(-p, cls):
        qinner = (-p).args[1]
        if qinner % q == 0:
            return _mod(-(-p).args[0], q)
        elif (qinner * (q + qinner)).is_nonpositive:
            return p
    elif isinstance(p, Add):
        non_mod_l: list = []
        mod_l: list = []
        for arg in p.args:
            (mod_l if isinstance(arg, cls) else non_mod_l).append(arg)
        if mod_l and all(inner.args[1] == q for inner in mod_l):
            net = Add(*non_mod_l) + Add(*[i.args[0] for i in mod_l])
            return _mod(net, q)
    elif isinstance(p, Mul):
        non_mod_l = []
        mod_l = []
        for arg in p.args:
            (mod_l if isinstance(arg, cls) else non_mod_l).append(arg)
        if mod_l and all(inner.args[1] == q for inner in mod_l) and all(
                t.is_integer for t in p.args) and q.is_integer:
            non_mod_l = [_mod(x, q) for x in non_mod_l]
            mod = []
            non_mod = []
            for j in non_mod_l:
                if isinstance(j, cls):
                    mod.append(j.args[0])
                else:
                    non_mod.append(j)
            prod_mod = Mul(*mod)
            prod_non_mod = Mul(*non_mod)
            prod_mod1 = Mul(*[i.args[0] for i in mod_l])
            net = prod_mod1 * prod_mod
            return prod_non_mod * _mod(net, q)
        if q.is_Integer and q is not sympy.S.One:
            if all(t.is_integer for t in p.args):
                non_mod_l = [i % q if i.is_Integer else i for i in p.args]
                if any(iq is sympy.S.Zero for iq in non_mod_l):
                    return sympy.S.Zero
        p = Mul(*(non_mod_l + mod_l))

    # extract gcd; any further simplification should be done by the user
    try:
        G = _content_gcd(p, q)
        if G is None:
            G = gcd(p, q)
        if not equal_valued(G, 1):
            p, q = [gcd_terms(i / G, clear=False, fraction=False) for i in (p, q)]
    except PolynomialError:
        G = sympy.S.One
    pwas, qwas = p, q

    # simplify terms: (x + y + 2) % x -> Mod(y + 2, x)
    if p.is_Add:
        args = []
        for i in p.args:
            a = _mod(i, q)
            if a.count(cls) > i.count(cls):
                args.append(i)
            else:
                args.append(a)
        if args != list(p.args):
            p = Add(*args)
    else:
        cp, p = p.as_coeff_Mul()
        cq, q = q.as_coeff_Mul()
        ok = False
        if not cp.is_Rational or not cq.is_Rational:
            r = cp % cq
            if equal_valued(r, 0):
                G *= cq
                p *= int(cp / cq)
                ok = True
        if not ok:
            p = cp * p
            q = cq * q

    # simple -1 extraction
    if p.could_extract_minus_sign() and q.could_extract_minus_sign():
        G, p, q = [-i for i in (G, p, q)]

    # check again to see if p and q can now be handled as numbers
    rv = _mod_number_eval(p, q)
    if rv is not None:
        return rv * G

    # put 1.0 from G on inside
    if G.is_Float and equal_valued(G, 1):
        p *= G
        return cls(p, q, evaluate=False)
    elif G.is_Mul and G.args[0].is_Float and equal_valued(G.args[0], 1):
        p = G.args[0] * p
        G = Mul._from_args(G.args[1:])
    if (p, q) != (pwas, qwas):
        return G * _mod_in(p, q)
    return G * cls(p, q, evaluate=False)


def _content_gcd(p: sympy.Expr, q: sympy.Expr) -> Optional[sympy.Integer]:
    """``sympy.gcd(p, q)`` for a positive integer ``q`` and a sum of integer multiples of products of
    sizes, powers of them and floor/ceiling/Mod (what the polynomial ``gcd`` sees as distinct
    monomials over the integers): the gcd of the coefficients and ``q``. None for anything else."""
    g = int(q)
    for t in p.args if p.is_Add else (p,):
        c, m = t.as_coeff_Mul()
        if not c.is_Integer:
            return None
        if m is not sympy.S.One:
            for f in m.args if m.is_Mul else (m,):
                if f.is_Pow:
                    if not (f.exp.is_Integer and f.exp > 0):
                        return None
                    f = f.base
                if not (f.is_Symbol or isinstance(f, (sympy.Mod, sympy.floor, sympy.ceiling))):
                    return None
        g = math.gcd(g, int(c))
    return sympy.Integer(g)


def _mod_in(p: sympy.Expr, q: sympy.Expr) -> sympy.Expr:
    """``sympy.Mod(p, q)`` for any ``q``: the fast one where ``q`` is a positive integer."""
    if isinstance(q, sympy.Integer) and q > 0:
        return _mod(p, q)
    return sympy.Mod(p, q)


_FEW = 3  # points for the divisibility questions (all sizes 1, 2, 3; one 2 or 3, the rest 1)


@functools.lru_cache(maxsize=4096)
def _samples(p: sympy.Expr, top: int) -> Optional[tuple]:
    """Exact values of ``p`` at points of sizes >= 1: all sizes equal to k for k = 1..``top``, then
    (with several sizes) one of them 2 or 3 and the rest 1. None where ``p`` has a part ``_values``
    does not know (or is not made of integer sizes)."""
    syms = sorted(p.free_symbols, key=str)
    if not syms or not all(s.is_integer and s.is_positive for s in syms):
        return None
    points = [dict.fromkeys(syms, k) for k in range(1, top + 1)]
    if len(syms) > 1:
        points += [{**dict.fromkeys(syms, 1), s: k} for s in syms for k in (2, 3)]
    try:
        return _values(p, points, {})
    except (_GiveUp, ZeroDivisionError, OverflowError):
        return None


def _refuted(p: sympy.Expr, q: Dim, rest: int) -> bool:
    """Is ``p - rest`` not a multiple of the integer ``q`` for some sizes (``p`` not an integer
    there, or an integer of another remainder)? Then no sound prover says it is one for all sizes
    (``p/q`` an integer, ``p`` even or odd), sympy's assumptions included."""
    if p.is_Number or not isinstance(q, (int, sympy.Integer)) or q == 0:
        return False
    n = int(q)
    seen = _samples(p, _FEW)
    return seen is not None and any(
        (v.denominator != 1 if isinstance(v, Fraction) else False) or (int(v) - rest) % n for v in seen)


def _no_window(p: sympy.Expr, q: sympy.Expr) -> bool:
    """Does sympy's "by difference" answer nothing, from the values of ``p`` at some sizes? It
    answers where it proves ``ls <= p`` for each ``ls`` of -2q, -q, 0, q up to one where it proves
    ``p < ls + q`` (q > 0); a value refutes ``ls <= p`` above it and ``p < ls + q`` up to it."""
    if p.is_Number or not q.is_Integer or q <= 0:
        return False
    n = int(q)
    seen = _samples(p, min(2 * n + 1, 40))  # (a period of ``Mod(h, q)``, and one more)
    if seen is None:
        return False
    lo, hi = min(seen), max(seen)
    return not any(ls <= lo and hi < ls + n for ls in (-2 * n, -n, 0, n))


_Num = Union[int, Fraction]


def _values(e: sympy.Expr, points: list, memo: dict) -> tuple:
    """The exact values of a size expression at integer sizes, one per point (``_GiveUp`` past
    what it knows); ``memo`` holds those of the subexpressions met (a nested size repeats them)."""
    got = memo.get(e)
    if got is not None:
        return got
    n = len(points)
    out: tuple
    if e.is_Integer:
        out = (int(e),) * n
    elif e.is_Rational:
        out = (Fraction(int(e.p), int(e.q)),) * n
    elif e.is_Symbol:
        if e not in points[0]:
            raise _GiveUp
        out = tuple(pt[e] for pt in points)
    elif e.is_Add:
        acc = list(_values(e.args[0], points, memo))
        for a in e.args[1:]:
            acc = [x + y for x, y in zip(acc, _values(a, points, memo))]
        out = tuple(acc)
    elif e.is_Mul:
        acc = list(_values(e.args[0], points, memo))
        for a in e.args[1:]:
            acc = [x * y for x, y in zip(acc, _values(a, points, memo))]
        out = tuple(acc)
    elif e.is_Pow:
        base, k = e.args
        if not k.is_Integer or abs(int(k)) > 64:
            raise _GiveUp
        k = int(k)
        vals = _values(base, points, memo)
        out = tuple(v ** k if k >= 0 else 1 / Fraction(v) ** -k for v in vals)  # (ZeroDivisionError at 0)
    elif isinstance(e, (sympy.floor, sympy.ceiling)):
        f = math.floor if isinstance(e, sympy.floor) else math.ceil
        out = tuple(f(v) for v in _values(e.args[0], points, memo))
    elif isinstance(e, sympy.Mod):
        # (sympy's sign rule is Python's, the divisor's sign)
        out = tuple(a % b if isinstance(a, int) and isinstance(b, int) else a - b * math.floor(Fraction(a) / b)
                    for a, b in zip(_values(e.args[0], points, memo), _values(e.args[1], points, memo)))
    else:
        raise _GiveUp
    memo[e] = out
    return out


@functools.lru_cache(maxsize=4096)
def _unbounded(p: sympy.Expr) -> bool:
    """Is ``p`` shown to take arbitrarily large (or arbitrarily negative) values, for sizes >= 1?
    (a polynomial bound that grows along a ray of sizes: all equal to t, one t and the rest 1, or
    one t**2 and the rest t, for integers t -> oo)"""
    try:
        lo, hi = _bounds(p)
    except _GiveUp:
        return False
    return (lo is not None and _grows(lo)) or (hi is not None and _grows(_p_scale(hi, -1)))


def _grows(p: _Poly) -> bool:
    """Does ``p`` tend to +oo along one of a few rays of positive integer points?"""
    syms = sorted({s for m in p for s, _ in m}, key=str)
    if not syms:
        return False
    rays = [{s: 1 for s in syms}]
    for s in syms:
        rays.append({s: 1})  # (a symbol not in the ray is 1: t**0)
        if len(syms) > 1:
            rays.append({**{o: 1 for o in syms}, s: 2})
    for w in rays:
        lead: dict = {}
        for m, c in p.items():
            k = sum(e * w.get(s, 0) for s, e in m)
            lead[k] = lead.get(k, 0) + c
        top = max((k for k, c in lead.items() if c), default=0)
        if top > 0 and lead[top] > 0:
            return True
    return False


_OPAQUE = (sympy.floor, sympy.ceiling, sympy.Mod, sympy.Max, sympy.Min, sympy.Abs)


def _has_opaque_parts(e: Dim) -> bool:
    return not isinstance(e, int) and bool(e.atoms(*_OPAQUE))


def _opaque(e: sympy.Expr) -> bool:
    return bool(e.atoms(*_OPAQUE)) or any(not (p.exp.is_Integer or p.exp.is_Symbol) for p in e.atoms(sympy.Pow))


# --- Sizes are positive integers: bounds, signs and "never equal" -------------------------------
#
# sympy's assumption system can prove ``x - floor(x/2) > 0`` but takes milliseconds per query, and
# comparisons are on the hot path. Instead: a size expression is bounded between two polynomials
# (Laurent polynomials in the symbols, rational coefficients; a floor by ``u - 1 < floor(u) <= u``,
# tightened where ``u`` has a known denominator), and a polynomial is shown positive for every
# symbol >= 1 by substituting ``s = 1 + t`` and finding every coefficient nonnegative (a sufficient
# test: it never answers "positive" for a polynomial that is not). Everything here answers
# "proven" or "not proven", never a guess.

_Mono = frozenset  # of (symbol, exponent) pairs; the empty set is the constant term
_Poly = dict  # _Mono -> int or Fraction, no zero coefficients
_ONE: frozenset = frozenset()
_MAX_TERMS = 400  # a bound or expansion bigger than this is given up (not proven)


class _GiveUp(Exception):
    """The expression is outside what the bounds know (an unknown function, a huge expansion)."""


def _p_const(c: Fraction | int) -> _Poly:
    return {_ONE: c} if c else {}


def _acc(out: _Poly, m: frozenset, c: object) -> None:
    """Add ``c`` to the coefficient of monomial ``m``; a zero coefficient leaves no term."""
    v = out.get(m, 0) + c
    if v:
        out[m] = v
    else:
        out.pop(m, None)


def _p_add(p: _Poly, q: _Poly, sign: int = 1) -> _Poly:
    out = dict(p)
    for m, c in q.items():
        _acc(out, m, sign * c)
    return out


def _m_mul(a: frozenset, b: frozenset) -> frozenset:
    if not a:
        return b
    if not b:
        return a
    exps = dict(a)
    for s, e in b:
        exps[s] = exps.get(s, 0) + e
    return frozenset((s, e) for s, e in exps.items() if e)


def _p_mul(p: _Poly, q: _Poly) -> _Poly:
    if len(p) * len(q) > _MAX_TERMS:
        raise _GiveUp
    out: _Poly = {}
    for ma, ca in p.items():
        for mb, cb in q.items():
            _acc(out, _m_mul(ma, mb), ca * cb)
    return out


def _p_scale(p: _Poly, c: Fraction | int) -> _Poly:
    return {m: v * c for m, v in p.items()} if c else {}


def _p_pow(p: _Poly, n: int) -> _Poly:
    out = _p_const(1)
    for _ in range(n):
        out = _p_mul(out, p)
    return out


def _proven_nonneg(p: _Poly, strict: bool) -> bool:
    """``p >= 0`` (``> 0`` if ``strict``) for every value >= 1 of its symbols: clear the negative
    powers (a positive factor), put ``s = 1 + t``, and ask for nonnegative coefficients."""
    if not p:
        return not strict
    low: dict = {}
    for m in p:
        for s, e in m:
            if e < low.get(s, 0):
                low[s] = e
    shift = frozenset((s, -e) for s, e in low.items())
    terms = {_m_mul(m, shift): c for m, c in p.items()} if shift else p
    out: dict = {}
    for m, c in terms.items():
        part: dict = {_ONE: c}
        for s, e in m:  # (1 + t)^e, binomially
            nxt: dict = {}
            for mm, cc in part.items():
                for k in range(e + 1):
                    key = _m_mul(mm, frozenset({(s, k)})) if k else mm
                    nxt[key] = nxt.get(key, 0) + cc * math.comb(e, k)
            part = nxt
            if len(part) > _MAX_TERMS:
                return False
        for mm, cc in part.items():
            out[mm] = out.get(mm, 0) + cc
        if len(out) > 4 * _MAX_TERMS:
            return False
    if any(c < 0 for c in out.values()):
        return False
    return not strict or out.get(_ONE, 0) > 0


def _exact(e: sympy.Expr) -> Optional[_Poly]:
    lo, hi = _bounds(e)
    return lo if lo is hi else None


def _integer_valued(p: _Poly) -> bool:
    return all(c.denominator == 1 for c in p.values()) and all(e > 0 for m in p for _, e in m)


def _denominator(p: _Poly) -> Optional[int]:
    """``q`` such that ``q * p`` is an integer for integer symbols (a polynomial), else None."""
    if any(e < 0 for m in p for _, e in m):
        return None
    q = 1
    for c in p.values():
        q = q * c.denominator // math.gcd(q, c.denominator)
    return q


_Bounds = tuple  # (lo, hi): Optional[_Poly] each; ``lo is hi`` where the expression is exact


@functools.lru_cache(maxsize=16384)
def _bounds(e: sympy.Expr) -> _Bounds:
    """Polynomials ``lo <= e <= hi`` for every value >= 1 of the symbols (None: no bound known).
    (Remembered per expression: a pure function of it, asked again of the same parts by ``_whole``,
    ``_never_zero`` and ``Mod``; the polynomials returned are shared, and never changed in place.)"""
    if isinstance(e, int):
        p = _p_const(e)
        return p, p
    if e.is_Rational:
        p = _p_const(Fraction(int(e.p), int(e.q)) if e.q != 1 else int(e.p))
        return p, p
    if e.is_Symbol:
        if not (e.is_integer and e.is_positive):
            return None, None
        p = {frozenset({(e, 1)}): 1}
        return p, p
    if e.is_Add:
        lo: Optional[_Poly] = {}
        hi: Optional[_Poly] = {}
        for a in e.args:
            alo, ahi = _bounds(a)
            lo = _p_add(lo, alo) if lo is not None and alo is not None else None
            hi = _p_add(hi, ahi) if hi is not None and ahi is not None else None
            if lo is None and hi is None:
                return None, None
        if lo is not None and lo == hi:
            return lo, lo
        return lo, hi
    if e.is_Mul:
        exact: _Poly = _p_const(1)
        loose: list = []
        for a in e.args:
            alo, ahi = _bounds(a)
            if alo is not None and alo is ahi:
                exact = _p_mul(exact, alo)
            else:
                loose.append((alo, ahi))
        if not loose:
            return exact, exact
        lo, hi = loose[0]
        for blo, bhi in loose[1:]:  # a product of bounded factors needs them nonnegative
            if lo is None or blo is None or hi is None or bhi is None or not (
                    _proven_nonneg(lo, False) and _proven_nonneg(blo, False)):
                return None, None
            lo, hi = _p_mul(lo, blo), _p_mul(hi, bhi)
        if _proven_nonneg(exact, True):
            return (_p_mul(exact, lo) if lo is not None else None), (_p_mul(exact, hi) if hi is not None else None)
        neg = _p_scale(exact, -1)
        if _proven_nonneg(neg, True):
            return (_p_mul(exact, hi) if hi is not None else None), (_p_mul(exact, lo) if lo is not None else None)
        return None, None
    if e.is_Pow:
        base, n = e.args
        if not n.is_Integer:
            return None, None
        n = int(n)
        blo, bhi = _bounds(base)
        if blo is not None and blo is bhi:
            if n >= 0:
                p = _p_pow(blo, n)
                return p, p
            if len(blo) == 1:  # 1/monomial
                ((m, c),) = blo.items()
                p = {frozenset((s, x * n) for s, x in m): Fraction(c) ** n}
                return p, p
            return None, None
        if n > 0 and blo is not None and bhi is not None and _proven_nonneg(blo, False):
            return _p_pow(blo, n), _p_pow(bhi, n)
        return None, None
    if isinstance(e, (sympy.floor, sympy.ceiling)):
        ulo, uhi = _bounds(e.args[0])
        q = _denominator(ulo) if ulo is not None and ulo is uhi else None
        # floor(u) > u - 1, and floor(n/q) >= (n - q + 1)/q where q*u is an integer n
        slack: Fraction | int = Fraction(q - 1, q) if q is not None and q > 1 else 0 if q == 1 else 1
        if isinstance(e, sympy.floor):
            return (_p_add(ulo, _p_const(-slack)) if ulo is not None else None), uhi
        return ulo, (_p_add(uhi, _p_const(slack)) if uhi is not None else None)
    if isinstance(e, sympy.Mod):  # 0 <= a mod b < b for b > 0 (Python's and sympy's sign rule)
        div = _exact(e.args[1])
        if div is None or not _integer_valued(div) or not _proven_nonneg(div, True):
            return None, None
        num = _exact(e.args[0])
        whole = num is not None and _integer_valued(num)
        return {}, (_p_add(div, _p_const(-1)) if whole else div)
    return None, None


def _whole(e: sympy.Expr) -> bool:
    """Is ``e`` a polynomial with integer coefficients in the sizes (an integer for any sizes)?"""
    try:
        p = _exact(e)
    except _GiveUp:
        return False
    return p is not None and _integer_valued(p)


def _never_zero_uncached(e: sympy.Expr) -> bool:
    try:
        lo, hi = _bounds(e)
        if lo is not None and _proven_nonneg(lo, True):
            return True
        if hi is not None and _proven_nonneg(_p_scale(hi, -1), True):
            return True
        if lo is not None and lo is hi and _denominator(lo) is not None:
            # an integer polynomial whose non-constant coefficients share a factor the constant lacks
            q = _denominator(lo) or 1
            coeffs = [c * q for m, c in lo.items() if m]
            const = lo.get(_ONE, 0) * q
            g = 0
            for c in coeffs:
                g = math.gcd(g, int(c))
            return g > 1 and int(const) % g != 0
    except _GiveUp:
        return False
    return False


@by_form
def _never_zero(e: sympy.Expr) -> bool:
    return _never_zero_uncached(e)


def _nonneg(e: Dim) -> Truth:
    """Is ``e >= 0`` for every value >= 1 of its symbols? TRUE, FALSE (never) or UNKNOWN."""
    if isinstance(e, int):
        return TRUE if e >= 0 else FALSE
    return _nonneg_expr(e)


@by_form
def _nonneg_expr(e: sympy.Expr) -> Truth:
    """``_nonneg`` of an expression: a pure function of it (its symbols' assumptions included),
    asked again and again of the same sizes (every convolution's output >= 1), so remembered."""
    try:
        lo, hi = _bounds(e)
        if lo is not None and _proven_nonneg(lo, False):
            return TRUE
        if hi is not None and _proven_nonneg(_p_scale(hi, -1), True):
            return FALSE
    except _GiveUp:
        pass
    return UNKNOWN


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
    return _compare_exprs(a, b)


@by_form
def _compare_exprs(a: Dim, b: Dim) -> Truth:
    """``compare`` of two sizes once nothing is left to bind (pure in them)."""
    if (_has_opaque_parts(a) or _has_opaque_parts(b)) and any(
            isinstance(s, sympy.Dummy) for e in (a, b) if not isinstance(e, int) for s in e.free_symbols):
        # flexible sizes under floor/Mod: expanding costs much; only a proof of "never" decides
        return FALSE if _never_equal(a, b) else UNKNOWN
    diff = sympy.expand(sympy.Add(a, sympy.Mul(-1, b)))
    if diff == 0:
        return TRUE
    if diff.is_Number:
        return FALSE
    if any(isinstance(s, (sympy.Dummy, Setting)) for s in diff.free_symbols) or _opaque(diff):
        # flexible sizes and settings (config.n_embd: the user picks it) may take any value, floor
        # and Mod may cancel: FALSE only where no positive sizes make the two equal (dim // 2
        # against dim, 3*config.n_embd against 2*config.n_embd)
        return FALSE if _never_equal(a, b, diff) else UNKNOWN
    # A nonzero polynomial in rigid sizes: generically different.
    return FALSE


@by_form
def _never_equal(a: Dim, b: Dim, diff: Optional[sympy.Expr] = None) -> bool:
    # (pure in its arguments; the spatial sizes of one network's stages are compared again for each
    # method run on it)
    if any(isinstance(s, Opaque) for e in (a, b) if not isinstance(e, int) for s in e.free_symbols):
        return False  # an opaque size never compares FALSE
    if diff is None:
        diff = sympy.Add(a, sympy.Mul(-1, b))
    if isinstance(diff, sympy.Integer):
        return diff != 0
    if not isinstance(a, int) and not isinstance(b, int) and a.is_Mul and b.is_Mul:
        # a constant multiple of a positive size is another size (element counts of a reshape:
        # ``B*nH*nW*49*C`` against ``B*pH*pW*2*C``, window arithmetic cancelling)
        ratio = sympy.factor_terms(sympy.Mul(a, sympy.Pow(b, -1)))  # (h/7 + m/7 is (h + m)/7)
        if ratio.is_Number and ratio != 1 and positive(b) is TRUE:
            return True
    return _never_zero(diff)


def never_equal(a: Dim, b: Dim, bindings: Bindings | None = None) -> bool:
    """Is ``a != b`` for every value >= 1 of the sizes involved (not only generically)?

    ``2*hidden`` and ``hidden``, ``dim // 2`` and ``dim``: yes. ``hnodes`` and ``onodes``, or
    ``h // p`` and ``h`` (p may be 1): no. Where this is False but ``compare`` says FALSE, the
    mismatch holds only under some condition on the sizes."""
    if bindings is not None:
        a, b = bindings.resolve(a), bindings.resolve(b)
    if isinstance(a, int) and isinstance(b, int):
        return a != b
    return _never_equal(a, b)


def may_be_one(d: Dim, bindings: Bindings | None = None) -> bool:
    """Could ``d`` be 1, where a FALSE comparison of it is meant for every value (a flexible size,
    or floor/Mod arithmetic) rather than generically (a polynomial in rigid sizes, taken to be
    general)? Broadcasting asks: ``(*, 2*n)`` against ``(*, n)`` broadcasts where n is 1."""
    if bindings is not None:
        d = bindings.resolve(d)
    if isinstance(d, int) or d.is_Integer:
        return int(d) == 1
    if not (has_flexible(d) or _has_opaque_parts(d)):
        return False
    return not _never_equal(d, 1)


def at_most(a: Dim, b: Dim, bindings: Bindings | None = None) -> Truth:
    """Is ``a <= b``? TRUE, FALSE or UNKNOWN, for every value >= 1 of the sizes involved
    (``(h // p) * p <= h`` is TRUE, ``dim <= dim // 2`` FALSE, ``h <= w`` UNKNOWN)."""
    if bindings is not None:
        a, b = bindings.resolve(a), bindings.resolve(b)
    if isinstance(a, int) and isinstance(b, int):
        return TRUE if a <= b else FALSE
    if any(isinstance(s, Opaque) for e in (a, b) if not isinstance(e, int) for s in e.free_symbols):
        return TRUE if a == b else UNKNOWN
    return _nonneg(norm(sympy.Add(b, sympy.Mul(-1, a))))


def positive(d: Dim, bindings: Bindings | None = None) -> Truth:
    """Is ``d >= 1``?"""
    if bindings is not None:
        d = bindings.resolve(d)
    if isinstance(d, int):
        return TRUE if d >= 1 else FALSE
    if d.is_Integer:
        return TRUE if int(d) >= 1 else FALSE
    return _positive_expr(d)


@by_form
def _positive_expr(d: sympy.Expr) -> Truth:  # (pure in ``d``; every conv output size is asked again and again)
    if any(isinstance(s, Opaque) for s in d.free_symbols):
        return UNKNOWN
    return _nonneg(norm(sympy.Add(d, -1)))  # sizes are integers: d >= 1 is d - 1 >= 0


def fmt(d: Dim | None) -> str:
    """How a size prints in messages: ints as ints, symbols by name, flexible by hint."""
    if d is None:
        return "?"
    if isinstance(d, int):
        return str(d)
    if isinstance(d, sympy.Symbol):  # (a Dummy, a setting, a computed size: by its name)
        return d.name
    return _expr_text(d)


def _compound(s: sympy.Basic) -> bool:
    """A size whose printed name is an expression of its own (``h or 2*h``, ``int(c * 0.5)``)."""
    return isinstance(s, sympy.Symbol) and any(c in s.name for c in " +-*/")


@functools.lru_cache(maxsize=65536)
def _expr_text(d: sympy.Expr) -> str:
    """(printing sympy is slow, and messages print the same sizes again and again)"""
    if d.free_symbols and any(isinstance(s, sympy.Dummy) or _compound(s) for s in d.free_symbols):
        # (a size printed as text of its own, ``h or 2*h``, is one term of a larger expression)
        d = d.xreplace({s: sympy.Symbol(f"({s.name})" if _compound(s) else s.name)
                        for s in d.free_symbols if isinstance(s, sympy.Dummy) or _compound(s)})
    return str(d)
