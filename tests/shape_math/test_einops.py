"""``shape_math.einops``: tables on the pure pattern math (no Call, no framework), symbolic sizes included."""
from __future__ import annotations

import pytest

from shapecheck import dims as D
from shapecheck.findings import ShapeError
from shapecheck.shape_math.einops import divide, einsum, pack, transform, unpack
from shapecheck.shapes import Shape, parse

H, W = D.rigid("H"), D.rigid("W")

TRANSFORM = [
    # (op, shape, pattern, lengths, result, or error kind and a text the message contains)
    ("rearrange", "(2, 16, 3)", "b (h w) c -> b h w c", {"h": 4}, "(2, 4, 4, 3)", None),
    ("rearrange", "(2, 3, 8, 8)", "b c h w -> b (c h w)", {}, "(2, 192)", None),
    ("rearrange", "(2, 3, 8, 8)", "b c (h p1) (w p2) -> b (h w) (p1 p2 c)", {"p1": 4, "p2": 4}, "(2, 4, 48)", None),
    ("rearrange", "(2, 3, 4)", "... c -> c ...", {}, "(4, 2, 3)", None),
    ("rearrange", "(*, 3, 4)", "... h w -> ... (h w)", {}, "(*, 12)", None),
    ("rearrange", "(*, 3, 4)", "b h w -> b w h", {}, "(b, 4, 3)", None),
    ("rearrange", "(5,)", "a -> a 1", {}, "(5, 1)", None),
    ("rearrange", "(5, 1)", "a () -> a", {}, "(5,)", None),
    ("rearrange", "(B, N, C)", "b n (h d) -> b h n d", {"h": H}, "(B, H, N, floor(C/H))", None),
    ("rearrange", "(B, H*W, C)", "b (h w) c -> b h w c", {"h": H}, "(B, H, W, C)", None),
    ("repeat", "(3, 4)", "h w -> h w c", {"c": 5}, "(3, 4, 5)", None),
    ("repeat", "(3,)", "h -> (h 2) k", {"k": 2}, "(6, 2)", None),
    ("repeat", "(C,)", "c -> b c", {"b": D.rigid("B")}, "(B, C)", None),
    ("reduce", "(2, 3, 8, 8)", "b c (h 2) (w 2) -> b c h w", {}, "(2, 3, 4, 4)", None),
    ("reduce", "(2, 3, 8, 8)", "b c h w -> b c", {}, "(2, 3)", None),
    ("reduce", "(2, 3, 8, 8)", "b c h w -> b c 1 1", {}, "(2, 3, 1, 1)", None),
    ("reduce", "(*, 3, 8)", "... c -> c", {}, "(8,)", None),
    # errors
    ("rearrange", "(2, 15, 3)", "b (h w) c -> b h w c", {"h": 4}, "reshape-size", "15 is not divisible by 4"),
    ("rearrange", "(2, 16, 3)", "b (h w) c -> b h w c", {"h": 4, "w": 5}, "reshape-size", "sizes make 20"),
    ("rearrange", "(2, 16, 3)", "b n c -> b n c", {"c": 4}, "reshape-size", "'c' is 3"),
    ("rearrange", "(2, 16, 3)", "b (h w) c -> b h w c", {}, "reshape-size", "cannot infer both h and w"),
    ("rearrange", "(2, 16)", "b n c -> b c n", {}, "einsum-mismatch", "names 3 axes but the tensor (2, 16) has 2"),
    ("rearrange", "(*, 2, 3, 4)", "b c -> c b", {}, "einsum-mismatch", "has at least 3"),
    ("rearrange", "(2, 3)", "a b -> a", {}, "einsum-mismatch", "axes on one side only: b"),
    ("rearrange", "(2, 3)", "a a -> a", {}, "einsum-mismatch", "appears twice"),
    ("rearrange", "(2, 3)", "a b -> b ...", {}, "einsum-mismatch", "'...' on the right but not on the left"),
    ("rearrange", "(2, 3)", "a (b -> a b", {}, "einsum-mismatch", "unbalanced brackets"),
    ("rearrange", "(2, 3)", "a b -> a b", {"z": 2}, "invalid-shape-argument", "axis 'z'"),
    ("rearrange", "(2, 6)", "a (b 2) -> a b", {}, "einsum-mismatch", "no anonymous axes"),
    ("repeat", "(3, 4)", "h w -> h w c", {}, "reshape-size", "no size given for the new axes c"),
    ("repeat", "(3, 4)", "h w -> h", {}, "einsum-mismatch", "on the left but not on the right: w"),
    ("reduce", "(3, 4)", "h w -> h z", {}, "einsum-mismatch", "on the right but not on the left: z"),
    ("reduce", "(2, 3, 7, 8)", "b c (h 2) (w 2) -> b c h w", {}, "reshape-size", "7 is not divisible by 2"),
    ("rearrange", "(B, C)", "b (h d) -> b h d", {"h": H, "d": W}, "reshape-size", "holds only if C == H*W"),
]


@pytest.mark.parametrize("op,shape,pattern,lengths,expect,text", TRANSFORM,
                         ids=[f"{r[0]}:{r[1]}:{r[2]}" for r in TRANSFORM])
def test_transform(op: str, shape: str, pattern: str, lengths: dict, expect: str, text: str) -> None:
    if text is None:
        out = transform(op, parse(shape), pattern, lengths)
        assert str(out) == (expect if "b" in expect else str(parse(expect)))
        return
    with pytest.raises(ShapeError) as e:
        transform(op, parse(shape), pattern, lengths)
    assert e.value.kind == expect and text in e.value.message, e.value.message


DIVIDE = [
    # (n, k, truth, quotient)
    (12, 4, D.TRUE, 3),
    (12, 5, D.FALSE, None),
    (H * W, H, D.TRUE, W),
    (4 * H, 2, D.TRUE, 2 * H),
    (7, 2 * H, D.FALSE, None),
    (8, 2 * H, D.UNKNOWN, None),  # H may be 1, 2 or 4
    (W, H, D.UNKNOWN, None),      # never a false alarm where sympy cannot tell
    (H, 3, D.UNKNOWN, None),
]


@pytest.mark.parametrize("n,k,truth,q", DIVIDE, ids=[f"{n}/{k}" for n, k, _, _ in DIVIDE])
def test_divide(n: D.Dim, k: D.Dim, truth: D.Truth, q: D.Dim) -> None:
    got, quotient = divide(n, k)
    assert got is truth
    if q is not None:
        assert D.compare(quotient, q) is D.TRUE


def test_a_flexible_size_learns_the_product_it_is_split_into() -> None:
    """``rearrange(x, '(h w) -> h w', h=4)`` on an input not seen yet: afterwards it is ``4*w``."""
    b = D.Bindings()
    n = D.flexible("n")
    out = transform("rearrange", Shape((n,)), "(h w) -> h w", {"h": 4}, b)
    assert out.dims[0] == 4 and D.is_flexible(out.dims[1])
    assert D.compare(b.resolve(n), D.mul(4, out.dims[1])) is D.TRUE


def test_an_unknown_given_size_decides_nothing() -> None:
    out = transform("rearrange", parse("(2, 15, 3)"), "b (h w) c -> b h w c", {"h": None})
    assert out.rank == 4 and out.dims[0] == 2 and out.dims[3] == 3


def test_composed_output_axes_keep_their_derivation() -> None:
    out = transform("rearrange", parse("(2, 3, 8, 8)"), "b c h w -> b (c h w)", {})
    assert out.why_of(1) == "3*8*8"


EINSUM = [
    (["(2, 3)", "(3, 4)"], "i j, j k -> i k", "(2, 4)", None),
    (["(B, N, C)", "(C, D)"], "batch n c, c d -> batch n d", "(B, N, D)", None),
    (["(5, 2, 3)", "(4, 3)"], "... c, d c -> ... d", "(5, 2, 4)", None),
    (["(3, 3)"], "i i ->", "()", None),
    (["(2, 3)", "(4, 4)"], "i j, j k -> i k", "einsum-mismatch", "axis j is 3 in operand 0"),
    (["(2, 3)", "(3, 4)"], "i j, j k -> i z", "einsum-mismatch", "output axis z is in no input"),
    (["(2, 3)", "(3, 4)"], "i j k, j k -> i", "einsum-mismatch", "names 3 axes"),
    (["(2, 3)", "(3, 4)"], "i j, j k", "einsum-mismatch", "needs '->'"),
    (["(2, 6)"], "i (j k) -> i j", "einsum-mismatch", "one name per axis"),
    (["(B, C)", "(D, E)"], "b c, c e -> b e", "einsum-mismatch", "holds only if C == D"),
]


@pytest.mark.parametrize("shapes,pattern,expect,text", EINSUM, ids=[r[1] for r in EINSUM])
def test_einsum(shapes: list, pattern: str, expect: str, text: str) -> None:
    ss = [parse(s) for s in shapes]
    if text is None:
        assert str(einsum(ss, pattern)) == (str(parse(expect)) if expect != "()" else "()")
        return
    with pytest.raises(ShapeError) as e:
        einsum(ss, pattern)
    assert e.value.kind == expect and text in e.value.message, e.value.message


def test_pack_and_unpack() -> None:
    packed, parts = pack([parse("(2, 16, 3)"), parse("(2, 3)"), parse("(2, 4, 4, 3)")], "b * c")
    assert str(packed) == str(parse("(2, 33, 3)"))
    assert [str(p) for p in parts] == [str(parse("(16,)")), "()", str(parse("(4, 4)"))]
    pieces = unpack(packed, [p.dims for p in parts], "b * c")
    assert [str(p) for p in pieces] == [str(parse("(2, 16, 3)")), str(parse("(2, 3)")), str(parse("(2, 4, 4, 3)"))]


PACK_ERRORS = [
    (lambda: pack([parse("(2, 3)"), parse("(4, 3)")], "b * c"), "concat-mismatch", "sizes differ"),
    (lambda: pack([parse("(2,)")], "b * c"), "einsum-mismatch", "needs at least 2 axes"),
    (lambda: pack([parse("(2, 3)")], "b c"), "einsum-mismatch", "no '*' axis"),
    (lambda: unpack(parse("(2, 33, 3)"), [(16,), (4, 4)], "b * c"), "reshape-size", "the packed axis is 33"),
    (lambda: unpack(parse("(2, 33)"), [(16,)], "b * c"), "einsum-mismatch", "needs 3 axes"),
    (lambda: unpack(parse("(2, 33, 3)"), [(-1,), (-1, 2)], "b * c"), "reshape-size", "more than one -1"),
]


@pytest.mark.parametrize("fn,kind,text", PACK_ERRORS, ids=[r[2] for r in PACK_ERRORS])
def test_pack_errors(fn, kind: str, text: str) -> None:  # noqa: ANN001 - a table of thunks
    with pytest.raises(ShapeError) as e:
        fn()
    assert e.value.kind == kind and text in e.value.message, e.value.message
