"""``shape_math.matmul``: JAX-style tables on the pure functions (no Call, no framework)."""
from __future__ import annotations

from typing import Optional

import pytest

from shapecheck.findings import Fix, ShapeError
from shapecheck.shape_math.matmul import Fits, dot_nd, fits_if, matmul, mismatch, transposed
from shapecheck.shapes import parse


def _spell(fit: Fits) -> tuple[str, Fix]:
    return fit.value, Fix(fit.value)


MATMUL = [
    # (a, b, result or error kind, fits-if where the error is a missing transpose)
    ("(32, 784)", "(784, 10)", "(32, 10)", None),
    ("(B, 784)", "(784, 10)", "(B, 10)", None),
    ("(784,)", "(784, 10)", "(10,)", None),
    ("(32, 784)", "(784,)", "(32,)", None),
    ("(7,)", "(7,)", "()", None),
    ("(8, 1, 32, 64)", "(5, 64, 16)", "(8, 5, 32, 16)", None),
    ("(*, 64)", "(64, 16)", "(*, 16)", None),
    ("(32, 784)", "(10, 784)", "missing-transpose", Fits.TRANSPOSE_B),
    ("(8, 32, 64)", "(8, 32, 16)", "missing-transpose", Fits.TRANSPOSE_A),
    ("(3, 2)", "(4, 3)", "missing-transpose", Fits.SWAP),
    ("(32, 784)", "(100, 10)", "matmul-mismatch", None),
    ("(8, 3, 32, 64)", "(5, 64, 16)", "batch-mismatch", None),
    ("()", "(3,)", "operand-rank", None),
]


@pytest.mark.parametrize("a,b,expect,fit", MATMUL, ids=[f"{r[0]}@{r[1]}" for r in MATMUL])
def test_matmul(a: str, b: str, expect: str, fit: Optional[Fits]) -> None:
    if expect.startswith("("):
        assert str(matmul(parse(a), parse(b), speller=_spell)) == str(parse(expect))
        return
    with pytest.raises(ShapeError) as e:
        matmul(parse(a), parse(b), speller=_spell)
    assert e.value.kind == expect
    if fit is not None:
        assert e.value.message.endswith(f"did you mean {fit.value}?")


def test_without_a_speller_a_fixable_mismatch_is_plain_shp101() -> None:
    """An adapter that cannot spell a fix must not claim one."""
    with pytest.raises(ShapeError) as e:
        matmul(parse("(32, 784)"), parse("(10, 784)"))
    assert e.value.kind == "matmul-mismatch"


@pytest.mark.parametrize("a,b,fit", [
    ("(32, 784)", "(10, 784)", Fits.TRANSPOSE_B),
    ("(784, 32)", "(784, 10)", Fits.TRANSPOSE_A),
    ("(3, 2)", "(4, 3)", Fits.SWAP),
    ("(3, 2)", "(5, 7)", None),
    ("(3, 2)", "(5,)", None),
])
def test_fits_if(a: str, b: str, fit: Optional[Fits]) -> None:
    sa, sb = parse(a), parse(b)
    kb = sb.dims[-2] if sb.rank and sb.rank >= 2 else sb.dims[0]
    assert fits_if(sa, sb, sa.dims[-1], kb) is fit


def test_symbolic_mismatch_says_when_it_would_hold() -> None:
    err = mismatch(parse("(B, H)"), parse("(O, 10)"), parse("(H,)").dims[0], parse("(O,)").dims[0], name="matmul",
                   speller=None)
    assert err.kind == "matmul-mismatch" and "holds only if H == O" in err.message


DOT_ND = [
    ("(5, 4)", "(2, 4, 3)", "(5, 2, 3)", None),
    ("(6, 5, 4)", "(2, 4, 3)", "(6, 5, 2, 3)", None),
    ("(5, 4)", "(2, 3, 4)", "missing-transpose", Fits.TRANSPOSE_B),
    ("(4, 3)", "(2, 4, 7)", "missing-transpose", Fits.TRANSPOSE_A),
    ("(5, 4)", "(2, 3, 7)", "matmul-mismatch", None),
]


@pytest.mark.parametrize("a,b,expect,fit", DOT_ND, ids=[f"dot{r[0]},{r[1]}" for r in DOT_ND])
def test_dot_nd(a: str, b: str, expect: str, fit: Optional[Fits]) -> None:
    """np.dot with a 3-D b: now with the same transpose advice as matmul (it had none)."""
    if expect.startswith("("):
        assert str(dot_nd(parse(a), parse(b), speller=_spell)) == str(parse(expect))
        return
    with pytest.raises(ShapeError) as e:
        dot_nd(parse(a), parse(b), speller=_spell)
    assert e.value.kind == expect
    if fit is not None:
        assert e.value.message.endswith(f"did you mean {fit.value}?")


def test_transposed_swaps_the_last_two_axes() -> None:
    assert str(transposed(parse("(2, 3, 4)"))) == str(parse("(2, 4, 3)"))
    assert str(transposed(parse("(3,)"))) == str(parse("(3,)"))
