"""``dims``: arithmetic on sizes (floor division, Mod, products) against brute force.

Sizes are positive integers. For random expressions over a few symbols, every three-valued answer
is checked on every assignment of 1..6 to the symbols:

- ``compare(a, b)`` over *flexible* symbols (they may take any value): FALSE only where no
  assignment makes ``a == b``; TRUE only where every assignment does. (Over rigid symbols FALSE
  also means "generically different", a polynomial that some values make equal: that is what
  ``never_equal`` separates, and the messages say.)
- ``never_equal(a, b)`` over rigid symbols: only where no assignment makes them equal.
- ``at_most(a, b)``: TRUE only where ``a <= b`` everywhere, FALSE only where ``a > b`` everywhere.
- ``positive(a)``: TRUE only where ``a >= 1`` everywhere, FALSE only where ``a < 1`` everywhere.
"""
from __future__ import annotations

import itertools
import operator
import random
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from shapecheck import dims as D

NAMES = ("x", "y", "z")
GRID = list(itertools.product(range(1, 7), repeat=len(NAMES)))


@dataclass
class Expr:
    """A size expression built with the ``dims`` helpers, and the same one as a Python function."""

    dim: D.Dim
    fn: Callable[[dict], int]
    text: str


def _leaf(rng: random.Random, syms: dict) -> Expr:
    if rng.random() < 0.3:
        c = rng.randint(1, 4)
        return Expr(c, lambda env, c=c: c, str(c))
    name = rng.choice(NAMES)
    return Expr(syms[name], lambda env, n=name: env[n], name)


def _build(rng: random.Random, syms: dict, depth: int) -> Expr:
    if depth == 0 or rng.random() < 0.25:
        return _leaf(rng, syms)
    a = _build(rng, syms, depth - 1)
    op = rng.choice(["add", "sub", "mul", "floordiv_c", "floordiv_s", "mod_c", "pow", "ceildiv_c"])
    if op in ("add", "sub", "mul"):
        b = _build(rng, syms, depth - 1)
        f = {"add": D.add, "sub": D.sub, "mul": D.mul}[op]
        py = {"add": operator.add, "sub": operator.sub, "mul": operator.mul}[op]
        return Expr(f(a.dim, b.dim), lambda env, a=a, b=b, py=py: py(a.fn(env), b.fn(env)), f"({a.text} {op} {b.text})")
    if op == "floordiv_c":
        c = rng.randint(1, 4)
        return Expr(D.floordiv(a.dim, c), lambda env, a=a, c=c: a.fn(env) // c, f"({a.text} // {c})")
    if op == "ceildiv_c":
        c = rng.randint(1, 4)
        return Expr(D.ceildiv(a.dim, c), lambda env, a=a, c=c: -(-a.fn(env) // c), f"ceil({a.text} / {c})")
    if op == "floordiv_s":
        name = rng.choice(NAMES)
        return Expr(D.floordiv(a.dim, syms[name]), lambda env, a=a, n=name: a.fn(env) // env[n],
                    f"({a.text} // {name})")
    if op == "mod_c":
        c = rng.randint(2, 4)
        return Expr(D.mod(a.dim, c), lambda env, a=a, c=c: a.fn(env) % c, f"({a.text} % {c})")
    return Expr(D.mul(a.dim, a.dim), lambda env, a=a: a.fn(env) ** 2, f"({a.text})**2")


def _related(rng: random.Random, syms: dict, a: Expr) -> Expr:
    """A second expression that is often close to the first (where the interesting answers are)."""
    pick = rng.random()
    if pick < 0.25:
        return _build(rng, syms, 2)
    if pick < 0.5:
        c = rng.randint(1, 3)
        return Expr(D.floordiv(a.dim, c), lambda env: a.fn(env) // c, f"({a.text} // {c})")
    if pick < 0.75:
        c = rng.randint(1, 3)
        return Expr(D.mul(a.dim, c), lambda env: a.fn(env) * c, f"({a.text} * {c})")
    name = rng.choice(NAMES)
    b = Expr(D.floordiv(a.dim, syms[name]), lambda env: a.fn(env) // env[name], f"({a.text} // {name})")
    return Expr(D.mul(b.dim, syms[name]), lambda env: b.fn(env) * env[name], f"({b.text} * {name})")


def _values(e: Expr) -> list:
    return [e.fn(dict(zip(NAMES, v))) for v in GRID]


def _pairs(seed: int, flexible: bool, n: int) -> list:
    rng = random.Random(seed)
    syms = {k: (D.flexible(k) if flexible else D.rigid(f"arith_{k}")) for k in NAMES}
    out = []
    for _ in range(n):
        a = _build(rng, syms, 3)
        out.append((a, _related(rng, syms, a)))
    return out


@pytest.mark.parametrize("seed", range(4))
def test_compare_over_flexible_sizes_is_sound(seed: int) -> None:
    decided = 0
    for a, b in _pairs(seed, flexible=True, n=60):
        t = D.compare(a.dim, b.dim, None, unify=False)
        va, vb = _values(a), _values(b)
        if t is D.FALSE:
            decided += 1
            assert all(x != y for x, y in zip(va, vb)), f"{a.text} == {b.text} is FALSE but equal somewhere"
        elif t is D.TRUE:
            decided += 1
            assert va == vb, f"{a.text} == {b.text} is TRUE but differs somewhere"
    assert decided > 10  # the brute force checks something


@pytest.mark.parametrize("seed", range(4))
def test_never_equal_and_at_most_are_sound(seed: int) -> None:
    proved = 0
    for a, b in _pairs(100 + seed, flexible=False, n=60):
        va, vb = _values(a), _values(b)
        if D.never_equal(a.dim, b.dim):
            proved += 1
            assert all(x != y for x, y in zip(va, vb)), f"{a.text} != {b.text} claimed, equal somewhere"
        t = D.at_most(a.dim, b.dim)
        if t is D.TRUE:
            assert all(x <= y for x, y in zip(va, vb)), f"{a.text} <= {b.text} claimed"
        elif t is D.FALSE:
            assert all(x > y for x, y in zip(va, vb)), f"{a.text} > {b.text} claimed"
        p = D.positive(a.dim)
        if p is D.TRUE:
            assert all(x >= 1 for x in va), f"{a.text} >= 1 claimed"
        elif p is D.FALSE:
            assert all(x < 1 for x in va), f"{a.text} < 1 claimed"
    assert proved > 5


X, P = D.rigid("arith_dim"), D.rigid("arith_p")
N = D.flexible("n")


@pytest.mark.parametrize("a,b,expect,never", [
    (D.floordiv(X, 2), X, D.FALSE, True),                  # dim // 2 is never dim
    (D.mul(2, X), X, D.FALSE, True),                       # 2*h is never h
    (D.mul(2, N), N, D.FALSE, True),                       # ... a flexible size neither
    (D.floordiv(N, 2), N, D.FALSE, True),
    (D.floordiv(X, P), X, D.UNKNOWN, False),               # p may be 1
    (D.mul(D.floordiv(X, P), P), X, D.UNKNOWN, False),     # p may divide dim
    (D.mul(D.floordiv(X, 2), 2), X, D.UNKNOWN, False),     # dim may be even
    (D.add(D.floordiv(D.sub(X, 3), 2), 1), X, D.FALSE, True),   # a stride-2 conv never keeps the size
    (D.floordiv(D.mul(4, X), 2), D.mul(2, X), D.TRUE, False),   # a multiple divides exactly
    (D.mul(2, X), D.add(D.mul(2, P), 1), D.FALSE, True),   # even against odd
    (X, P, D.FALSE, False),                                # two rigid sizes: generically different only
    (D.mul(X, X), X, D.FALSE, False),                      # equal at dim = 1
])
def test_size_arithmetic_cases(a: D.Dim, b: D.Dim, expect: D.Truth, never: bool) -> None:
    assert D.compare(a, b, None, unify=False) is expect
    assert D.never_equal(a, b) is never


def test_at_most_and_positive_cases() -> None:
    assert D.at_most(D.mul(D.floordiv(X, P), P), X) is D.TRUE      # (h // p) * p <= h
    assert D.at_most(X, D.floordiv(X, 2)) is D.FALSE                # dim <= dim // 2 never
    assert D.at_most(X, P) is D.UNKNOWN
    assert D.positive(D.add(D.floordiv(X, 2), 1)) is D.TRUE
    assert D.positive(D.add(D.floordiv(D.sub(X, 3), 2), 1)) is D.UNKNOWN  # empty when dim < 3
    assert D.positive(D.sub(D.floordiv(X, 2), X)) is D.FALSE


def test_opaque_sizes_never_compare_false() -> None:
    b = D.opaque()
    assert D.compare(D.mul(2, b), b, None, unify=False) is D.UNKNOWN
    assert not D.never_equal(D.mul(2, b), b)
