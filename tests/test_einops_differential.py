"""einops, differentially: generated (pattern, shape, axis sizes) cases run by real einops on NumPy
arrays and by shapecheck's registered rules (``einops.rearrange`` & co) on concrete shapes.

For every case the two must agree: shapecheck reports a ShapeError exactly where einops raises,
and where einops returns, shapecheck's result is that shape. The generator makes right
patterns and the mistakes people make with them (a group that does not divide, a size that
contradicts the tensor, an axis on one side only, a pattern of the wrong rank, a new axis
without a size, a size for an axis the pattern does not use).
"""
from __future__ import annotations

import random
from typing import Any, Optional

import pytest

import shapecheck.ops  # noqa: F401 - registers every rule
from shapecheck.findings import ShapeError
from shapecheck.ops.registry import Call, lookup_func
from shapecheck.shapes import Shape
from shapecheck.values import Const, Int, Seq, Tensor, Value

np = pytest.importorskip("numpy")
einops = pytest.importorskip("einops")

SIZES = (1, 2, 3, 4, 6, 8)
NAMES = ("a", "b", "c", "d", "e", "f", "g", "h")


def _val(x: Any) -> Value:
    if isinstance(x, tuple) and all(isinstance(i, int) for i in x):
        return Tensor(Shape(x), "numpy", "float")
    if isinstance(x, list):
        return Seq([_val(i) for i in x], "list")
    if isinstance(x, int):
        return Int(x)
    return Const(x)


def ours(op: str, args: list, kwargs: dict) -> str:
    """shapecheck's answer: the printed shape, ``!kind``, or ``unknown``."""
    fn = lookup_func(f"einops.{op}")
    assert fn is not None
    call = Call([_val(a) for a in args], {k: _val(v) for k, v in kwargs.items()}, fw="numpy", qualname=f"einops.{op}")
    try:
        out = fn(call)
    except ShapeError as e:
        assert e.message[:1] == e.message[:1].lower(), e.message
        return "!" + e.kind
    if isinstance(out, Seq):  # pack: (packed, shapes); unpack: [pieces]
        out = out.items[0]
    if not isinstance(out, Tensor) or out.shape.variadic:
        return "unknown"
    return str(tuple(out.shape.dims))


def theirs(op: str, args: list, kwargs: dict) -> str:
    def arr(x: Any) -> Any:
        if isinstance(x, tuple) and all(isinstance(i, int) for i in x):
            return np.zeros(x)
        if isinstance(x, list):
            return [arr(i) for i in x]
        return x

    try:
        out = getattr(einops, op)(*[arr(a) for a in args], **kwargs)
    except Exception:  # noqa: BLE001 - any einops error is "raises"
        return "!"
    if isinstance(out, tuple):
        out = out[0]
    if isinstance(out, list):
        out = out[0]
    return str(tuple(int(d) for d in out.shape))


# ---------------------------------------------------------------------------------- the generator
def _groups(rng: random.Random, names: list) -> list:
    """Split names into groups of one or two (a composed axis)."""
    out: list = []
    i = 0
    while i < len(names):
        if i + 1 < len(names) and rng.random() < 0.3:
            out.append(names[i:i + 2])
            i += 2
        else:
            out.append(names[i:i + 1])
            i += 1
    return out


def _text(groups: list) -> str:
    return " ".join(g[0] if isinstance(g, list) and len(g) == 1 else
                    ("(" + " ".join(g) + ")" if isinstance(g, list) else g) for g in groups)


def make_case(rng: random.Random) -> tuple:
    op = rng.choice(["rearrange", "rearrange", "repeat", "reduce"])
    n = rng.randint(1, 5)
    names = list(rng.sample(NAMES, n))
    size = {k: rng.choice(SIZES) for k in names}
    left = _groups(rng, names)
    shape = [1] * len(left)
    for i, g in enumerate(left):
        for k in g:
            shape[i] *= size[k]
    kwargs: dict = {}
    for g in left:  # a composed axis needs all sizes but one
        for k in g[1:] if len(g) > 1 else (g if rng.random() < 0.15 else []):
            kwargs[k] = size[k]
    right_names = names[:]
    rng.shuffle(right_names)
    if op == "reduce":
        right_names = [k for k in right_names if rng.random() < 0.6]
    if op == "repeat":
        new = [k for k in NAMES if k not in names][:rng.randint(1, 2)]
        for k in new:
            kwargs[k] = rng.choice(SIZES[1:])
            right_names.insert(rng.randint(0, len(right_names)), k)
    right = _groups(rng, right_names)
    use_ellipsis = rng.random() < 0.2 and len(left) > 1
    if use_ellipsis:  # the first left axis becomes '...' (and so on the right)
        dropped = left[0]
        if all(k not in kwargs for k in dropped):
            left = [["..."]] + left[1:]
            right = [["..."]] + [[k for k in g if k not in dropped] for g in right]
            right = [g for g in right if g]
            if rng.random() < 0.3:
                shape = [2] + shape
    # mistakes
    mistake = rng.random()
    if mistake < 0.12 and kwargs:
        k = rng.choice(sorted(kwargs))
        kwargs[k] = kwargs[k] + rng.choice([1, 2])
    elif mistake < 0.2:
        shape[rng.randrange(len(shape))] += 1
    elif mistake < 0.26:
        shape.append(rng.choice(SIZES))
    elif mistake < 0.3 and len(shape) > 1:
        shape.pop()
    elif mistake < 0.34 and right:
        right.append(["z"])
    elif mistake < 0.37:
        kwargs["y"] = 3
    elif mistake < 0.4 and op == "repeat":
        for k in [k for k in kwargs if k not in names]:
            del kwargs[k]
    elif mistake < 0.43 and any(len(g) == 2 for g in left):
        g = next(g for g in left if len(g) == 2)
        for k in g:
            kwargs.pop(k, None)
    pattern = f"{_text(left)} -> {_text(right)}"
    args: list = [tuple(shape), pattern] + (["mean"] if op == "reduce" else [])
    return op, args, kwargs


def make_einsum_case(rng: random.Random) -> tuple:
    n = rng.randint(2, 4)
    names = list(rng.sample(NAMES, n))
    size = {k: rng.choice(SIZES[1:]) for k in names}
    a = rng.sample(names, rng.randint(1, n))
    b = rng.sample(names, rng.randint(1, n))
    out = [k for k in names if (k in a) != (k in b) or rng.random() < 0.3]
    rng.shuffle(out)
    sa, sb = [size[k] for k in a], [size[k] for k in b]
    if rng.random() < 0.2:
        sb[rng.randrange(len(sb))] += 1
    if rng.random() < 0.1:
        sa.append(2)
    if rng.random() < 0.05:
        out.append("z")
    return "einsum", [tuple(sa), tuple(sb), f"{' '.join(a)}, {' '.join(b)} -> {' '.join(out)}"], {}


def make_pack_case(rng: random.Random) -> tuple:
    before = rng.randint(0, 2)
    after = rng.randint(0, 1)
    head = tuple(rng.choice(SIZES[1:]) for _ in range(before))
    tail = tuple(rng.choice(SIZES[1:]) for _ in range(after))
    shapes = []
    for _ in range(rng.randint(1, 3)):
        star = tuple(rng.choice(SIZES) for _ in range(rng.randint(0, 2)))
        h = tuple(d + 1 for d in head) if rng.random() < 0.1 else head
        shapes.append(h + star + tail)
    pattern = " ".join(["p", "q"][:before] + ["*"] + ["r"][:after])
    return "pack", [shapes, pattern], {}


def _cases(n: int = 400, seed: int = 8) -> list:
    rng = random.Random(seed)
    out = [make_case(rng) for _ in range(n)]
    out += [make_einsum_case(rng) for _ in range(n // 4)]
    out += [make_pack_case(rng) for _ in range(n // 8)]
    return out


CASES = _cases()


def _id(case: tuple) -> str:
    op, args, kwargs = case
    return f"{op}{args}{kwargs or ''}"


@pytest.mark.parametrize("case", CASES, ids=[_id(c) for c in CASES])
def test_agrees_with_einops(case: tuple) -> None:
    op, args, kwargs = case
    real = theirs(op, args, kwargs)
    got = ours(op, args, kwargs)
    if real == "!":
        assert got.startswith("!"), f"einops raises, shapecheck gives {got}"
    else:
        assert got == real, f"einops gives {real}, shapecheck {got}"


def test_the_generator_makes_both_outcomes() -> None:
    """The table is worth something only if it holds mistakes and right patterns both."""
    outcomes = [theirs(*c) == "!" for c in CASES]
    assert 0.15 * len(CASES) < sum(outcomes) < 0.7 * len(CASES)


def test_unpack_agrees_with_einops() -> None:
    rng = random.Random(3)
    for _ in range(60):
        shapes = [(2,) + tuple(rng.choice(SIZES) for _ in range(rng.randint(0, 2))) + (3,) for _ in range(2)]
        packed, ps = einops.pack([np.zeros(s) for s in shapes], "b * c")
        wrong: Optional[list] = None
        if rng.random() < 0.3:
            wrong = [tuple(d + 1 for d in p) if p else (2,) for p in ps]
        parts = wrong if wrong is not None else [tuple(int(d) for d in p) for p in ps]
        args = [tuple(int(d) for d in packed.shape), [tuple(p) for p in parts], "b * c"]
        try:
            real: Any = [tuple(x.shape) for x in einops.unpack(packed, parts, "b * c")]
        except Exception:  # noqa: BLE001
            real = "!"
        fn = lookup_func("einops.unpack")
        assert fn is not None
        call = Call([Tensor(Shape(args[0]), "numpy", "float"),
                     Seq([Seq([Int(d) for d in p], "tuple") for p in args[1]], "list"), Const("b * c")], {},
                    fw="numpy", qualname="einops.unpack")
        try:
            out = fn(call)
            got: Any = [tuple(t.shape.dims) for t in out.items]  # type: ignore[attr-defined]
        except ShapeError:
            got = "!"
        assert got == real, (args, real, got)
