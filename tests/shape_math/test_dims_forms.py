"""``dims.by_form``: answers about sizes remembered by the expressions' form, each fresh symbol
(flexible, opaque, computed) standing for its class and the order it first appears in.

A generic run makes fresh symbols for every network it builds, so the same question comes again
about other symbols; the answer is shared only between expressions that are the same but for a
renaming of fresh symbols that keeps each one's class. Each test asks a question whose answer
changes under a looser sharing first, then the one it must not be confused with."""
from __future__ import annotations

import pytest

from shapecheck import dims as D


@pytest.fixture(autouse=True)
def _forget() -> None:
    for fn in (D._never_equal, D._compare_exprs, D._positive_expr, D._nonneg_expr, D._never_zero):
        fn.cache_clear()


def _stage(n: D.Dim, times: int) -> D.Dim:
    for _ in range(times):
        n = D.floordiv(n, 2)
    return n


def test_the_same_question_of_new_symbols_is_answered_from_memory() -> None:
    asked = []

    @D.by_form
    def never_equal(a: D.Dim, b: D.Dim) -> bool:
        asked.append((a, b))
        return D._never_equal.__wrapped__(a, b)

    h1, h2, w = D.flexible("h"), D.flexible("h"), D.flexible("w")
    assert never_equal(_stage(h1, 3), h1)
    assert never_equal(_stage(h2, 3), h2)
    assert len(asked) == 1
    assert not never_equal(_stage(h2, 3), w)  # (another form: w may be h // 8)
    assert len(asked) == 2
    never_equal.cache_clear()
    assert never_equal(_stage(h1, 3), h1) and len(asked) == 3


@pytest.mark.parametrize("first", ["shared", "apart"])
def test_a_symbol_shared_between_the_arguments_is_part_of_the_form(first: str) -> None:
    h, w = D.flexible("h"), D.flexible("w")
    questions = [(D.floordiv(h, 2), h, True), (D.floordiv(h, 2), w, False)]  # h = 2, w = 1
    for a, b, never in questions if first == "shared" else questions[::-1]:
        assert D.never_equal(a, b) is never
        assert D.compare(a, b, None, unify=False) is (D.FALSE if never else D.UNKNOWN)


@pytest.mark.parametrize("first", ["w", "h"])
def test_where_each_symbol_stands_is_part_of_the_form(first: str) -> None:
    h, w = D.flexible("h"), D.flexible("w")
    b = D.add(w, D.floordiv(h, 2))
    questions = {"w": (w, D.TRUE), "h": (h, D.UNKNOWN)}  # h <= w + h // 2 fails at h = 4, w = 1
    for name in (first, "h" if first == "w" else "w"):
        a, want = questions[name]
        assert D.at_most(a, b) is want


@pytest.mark.parametrize("first", ["flexible", "opaque"])
def test_a_fresh_symbol_keeps_its_class_in_the_form(first: str) -> None:
    # an opaque size (Keras's None batch) never compares FALSE; a flexible one does
    n, b = D.flexible("n"), D.opaque()
    order = [n, b] if first == "flexible" else [b, n]
    for s in order:
        assert D.never_equal(D.mul(2, s), s) is (s is n)
        assert D.compare(D.mul(2, s), s, None, unify=False) is (D.FALSE if s is n else D.UNKNOWN)


def test_a_computed_size_is_fresh_and_a_setting_is_itself() -> None:
    c1, c2 = D.computed("int(c * r)"), D.computed("int(c * r)")
    assert c1 != c2
    assert D.never_equal(D.mul(2, c1), c1) and D.never_equal(D.mul(2, c2), c2)
    s, t = D.setting("cfg.forms_a"), D.setting("cfg.forms_b")
    assert D.never_equal(D.mul(3, s), D.mul(2, s))
    assert not D.never_equal(D.mul(3, t), D.mul(2, s))  # (t = 2, s = 3)


def test_numbers_keep_their_type_in_the_form() -> None:
    import sympy

    n = D.flexible("n")
    assert D._form(sympy.Integer(2) * n, {}) != D._form(sympy.Float(2.0) * n, {})
