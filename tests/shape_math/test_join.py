"""``shape_math.join``: concat and stack tables on the pure functions (no Call, no framework)."""
from __future__ import annotations

import pytest

from shapecheck import dims as D
from shapecheck.findings import ShapeError
from shapecheck.shape_math.join import concat, stack
from shapecheck.shapes import Shape, parse

CONCAT = [
    # (shapes, axis, result, or error kind and a text the message contains)
    (["(B, 3)", "(B, 5)"], 1, "(B, 8)", None),
    (["(2, 3)", "(4, 3)"], 0, "(6, 3)", None),
    (["(2, 3)", "(4, 3)", "(1, 3)"], -2, "(7, 3)", None),
    (["(*, 3)", "(*, 5)"], -1, "(*, 8)", None),
    (["(*, 3)", "(4, 5)"], -1, "(4, 8)", None),
    (["(32, 7)", "(32, 16)"], 0, "concat-wrong-axis", "did you mean axis=1?"),
    (["(32, 7)", "(32, 16)"], -2, "concat-wrong-axis", "did you mean axis=-1?"),
    (["(2, 3, 4)", "(2, 5, 6)"], 0, "concat-mismatch", "all sizes but the join axis must match"),
    (["(B, 3)", "(C, 5)"], 1, "concat-mismatch", "holds only if B == C"),
    (["(2, 3)", "(2, 3, 1)"], 0, "concat-rank", "(2-D and 3-D)"),
    (["()", "()"], 0, "concat-rank", "use stack"),
    (["(2, 3)", "(2, 3)"], 2, "axis-out-of-range", "axis 2"),
]


@pytest.mark.parametrize("shapes,axis,expect,text", CONCAT, ids=[f"{'+'.join(r[0])}@{r[1]}" for r in CONCAT])
def test_concat(shapes: list, axis: int, expect: str, text: str) -> None:
    ss = [parse(s) for s in shapes]
    if text is None:
        assert str(concat(ss, axis)) == str(parse(expect))
        return
    with pytest.raises(ShapeError) as e:
        concat(ss, axis)
    assert e.value.kind == expect and text in e.value.message


def test_concat_suggestion_respects_the_adapters_forbidden_axes() -> None:
    """A Keras layer never joins along its batch axis: that is not a fix it may suggest."""
    with pytest.raises(ShapeError) as e:
        concat([parse("(4, 3)"), parse("(5, 3)")], 1, never=(0,))
    assert e.value.kind == "concat-mismatch"


def test_concat_without_suggestion_for_ops_with_a_fixed_axis() -> None:
    with pytest.raises(ShapeError) as e:
        concat([parse("(32, 7)"), parse("(32, 16)")], 0, suggest=False)
    assert e.value.kind == "concat-mismatch"


def test_concat_uses_the_adapters_word_and_fix() -> None:
    from shapecheck.findings import Fix

    with pytest.raises(ShapeError) as e:
        concat([parse("(32, 7)"), parse("(32, 16)")], 0, word="dim", fix_for=lambda q: Fix(f"dim={q}", "x"))
    assert "did you mean dim=1?" in e.value.message and e.value.fix is not None and e.value.fix.replacement == "x"


def test_concat_unifies_what_it_requires_equal() -> None:
    b = D.Bindings()
    n = D.flexible("n")
    out = concat([Shape((n, 3)), parse("(32, 5)")], 1, b)
    assert str(out) == str(parse("(32, 8)")) and b.resolve(n) == 32


def test_concat_keeps_the_provenance_of_kept_axes() -> None:
    s = Shape((D.rigid("B"), 400), False, (None, "16*5*5"))
    out = concat([s, parse("(B, 10)")], 1)
    assert out.why_of(0) is None and out.dims[1] == 410


def test_concat_of_an_opaque_batch_stays_opaque() -> None:
    none = D.opaque()
    out = concat([Shape((none, 3)), Shape((none, 3))], 0)
    assert D.is_opaque(out.dims[0])


STACK = [
    (["(2, 3)", "(2, 3)"], 0, "(2, 2, 3)", None),
    (["(2, 3)", "(2, 3)", "(2, 3)"], -1, "(2, 3, 3)", None),
    (["(*, 3)", "(*, 3)"], -1, "(*, 3, 2)", None),
    (["(48, 48)", "(48, 48)", "(64, 64)"], 0, "stack-mismatch", "input 2 is (64, 64)"),
    (["(3,)", "(3, 1)"], 0, "stack-mismatch", "same shape"),
    (["(2, 3)", "(2, 3)"], 3, "axis-out-of-range", "axis 3"),
]


@pytest.mark.parametrize("shapes,axis,expect,text", STACK, ids=[f"{'+'.join(r[0])}@{r[1]}" for r in STACK])
def test_stack(shapes: list, axis: int, expect: str, text: str) -> None:
    ss = [parse(s) for s in shapes]
    if text is None:
        assert str(stack(ss, axis)) == str(parse(expect))
        return
    with pytest.raises(ShapeError) as e:
        stack(ss, axis)
    assert e.value.kind == expect and text in e.value.message
