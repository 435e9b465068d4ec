"""The same mistake in torch, NumPy, TensorFlow and ``keras.ops`` gets the same code and an
equivalent fix, spelled in each framework's own words; and the fix really runs.

Each row is one mistake; each framework column writes it the way that framework's users do.
Where the framework is installed (torch, NumPy, Keras on the torch backend; not TensorFlow)
the suggested fix is applied to the source and executed, and the fixed source must check
clean. This is the table issue 7 asked for: it failed where ``tf.matmul`` gave SHP101 for a
swap, where ``keras.ops.matmul`` was told to pass ``transpose_a=True`` (it has no such
argument) and where the concat messages and axis suggestions differed by framework.
"""
from __future__ import annotations

import re
from typing import Optional

import pytest

from shapecheck.engine import check_source

FRAMEWORKS = {
    # name: (prelude, constructor, matmul spelling)
    "torch": ("import torch\n", "torch.zeros({dims})", "torch.matmul({a}, {b})"),
    "numpy": ("import numpy as np\n", "np.zeros(({dims},))", "np.matmul({a}, {b})"),
    "tf": ("import tensorflow as tf\n", "tf.zeros([{dims}])", "tf.matmul({a}, {b})"),
    "keras": ("import keras\n", "keras.ops.zeros(({dims},))", "keras.ops.matmul({a}, {b})"),
}

MATMUL = [
    # (id, a, b, code, fix kind: "b" / "a" (an operand transposed), "swap", or None)
    ("transposed-b", (32, 784), (10, 784), "SHP102", "b"),
    ("transposed-a", (784, 32), (784, 10), "SHP102", "a"),
    ("swapped", (3, 2), (4, 3), "SHP102", "swap"),
    ("fits-nothing", (32, 784), (100, 10), "SHP101", None),
    ("batched-transposed-b", (8, 32, 64), (8, 16, 64), "SHP102", "b"),
    ("batched-fits-nothing", (8, 32, 64), (8, 50, 16), "SHP101", None),
]


def _source(fw: str, a: tuple, b: tuple, expr: str) -> str:
    prelude, ctor, _ = FRAMEWORKS[fw]
    dims = lambda s: ", ".join(map(str, s))  # noqa: E731
    return f"{prelude}a = {ctor.format(dims=dims(a))}\nb = {ctor.format(dims=dims(b))}\ny = {expr}\n"


def _runnable(fw: str) -> bool:
    if fw == "tf":
        return pytest.importorskip("importlib").util.find_spec("tensorflow") is not None
    if fw == "keras":
        try:
            import keras
        except Exception:  # noqa: BLE001
            return False
        return keras.backend.backend() == "torch"
    return True


def _run(src: str) -> tuple:
    scope: dict = {}
    exec(compile(src, "<fixed>", "exec"), scope)  # the *fixed* test program, never checked code
    return tuple(scope["y"].shape)


def _apply(fw: str, phrase: str, call: str) -> str:
    """The call with the suggested fix applied: a swapped call, an operand replaced by its
    transposed spelling, or a flag added."""
    if phrase.startswith("to swap the operands ("):
        return phrase[len("to swap the operands ("):-1]
    if re.fullmatch(r"transpose_[ab]=(True|False)", phrase):
        return call[:-1] + f", {phrase})"
    for name in ("a", "b"):
        if re.search(rf"\b{name}\b", phrase):
            return re.sub(rf"\b{name}\b(?=[,)])", phrase, call, count=1) if name == "a" else \
                re.sub(rf", {name}\)$", f", {phrase})", call)
    raise AssertionError(f"cannot apply {phrase!r}")


@pytest.mark.parametrize("fw", list(FRAMEWORKS))
@pytest.mark.parametrize("case", MATMUL, ids=[c[0] for c in MATMUL])
def test_matmul_mismatch_same_code_and_a_fix_that_runs(case: tuple, fw: str) -> None:
    _, a, b, code, kind = case
    call = FRAMEWORKS[fw][2].format(a="a", b="b")
    src = _source(fw, a, b, call)
    (d,) = check_source(src)
    assert d.code == code, d.message
    if kind is None:
        assert "did you mean" not in d.message
        return
    phrase = d.message.rsplit("did you mean ", 1)[1].rstrip("?")
    if kind == "swap":
        assert phrase.startswith("to swap the operands")
    else:
        assert re.search(rf"\b{kind}\b|transpose_{kind}=True", phrase), phrase
    if fw == "keras":
        assert "transpose_a" not in phrase and "transpose_b" not in phrase  # keras.ops.matmul has no such flags
    if fw == "tf" and kind != "swap":
        assert phrase == f"transpose_{kind}=True"
    fixed = _source(fw, a, b, _apply(fw, phrase, call))
    assert check_source(fixed) == [], fixed
    if _runnable(fw):
        _run(fixed)


def test_np_dot_with_a_3d_operand_gets_transpose_advice() -> None:
    """np.dot's rank>2 branch used to raise SHP101 with no transpose check."""
    src = "import numpy as np\na = np.zeros((5, 4))\nb = np.zeros((2, 3, 4))\ny = np.dot(a, b)\n"
    (d,) = check_source(src)
    assert d.code == "SHP102" and "np.swapaxes(b, -1, -2)" in d.message
    fixed = src.replace("np.dot(a, b)", "np.dot(a, np.swapaxes(b, -1, -2))")
    assert check_source(fixed) == [] and _run(fixed) == (5, 2, 3)


JOINS = {
    # name: (concat spelling, stack spelling, axis keyword)
    "torch": ("torch.cat([a, b], dim={axis})", "torch.stack([a, b], dim={axis})", "dim"),
    "numpy": ("np.concatenate([a, b], axis={axis})", "np.stack([a, b], axis={axis})", "axis"),
    "tf": ("tf.concat([a, b], axis={axis})", "tf.stack([a, b], axis={axis})", "axis"),
    "keras": ("keras.ops.concatenate([a, b], axis={axis})", "keras.ops.stack([a, b], axis={axis})", "axis"),
}

CONCAT = [
    # (id, a, b, axis, code, the axis a fix names)
    ("wrong-axis", (32, 7), (32, 16), 0, "SHP202", 1),
    ("wrong-axis-first", (4, 3), (5, 3), 1, "SHP202", 0),
    ("wrong-axis-negative", (32, 7), (32, 16), -2, "SHP202", -1),
    ("mismatch", (2, 3, 4), (2, 5, 6), 0, "SHP201", None),
    ("rank", (2, 3), (2, 3, 1), 0, "SHP203", None),
]


@pytest.mark.parametrize("fw", list(JOINS))
@pytest.mark.parametrize("case", CONCAT, ids=[c[0] for c in CONCAT])
def test_concat_same_code_same_message_and_axis(case: tuple, fw: str) -> None:
    _, a, b, axis, code, fix_axis = case
    spelling, _, word = JOINS[fw]
    src = _source(fw, a, b, spelling.format(axis=axis))
    (d,) = check_source(src)
    assert d.code == code, d.message
    if code != "SHP203":
        assert f"along {word}={axis}: sizes differ at {word} " in d.message
    if fix_axis is None:
        assert "did you mean" not in d.message
        return
    assert d.message.endswith(f"did you mean {word}={fix_axis}?")
    fixed = _source(fw, a, b, spelling.format(axis=fix_axis))
    assert check_source(fixed) == []
    if _runnable(fw):
        _run(fixed)


@pytest.mark.parametrize("fw", list(JOINS))
def test_stack_mismatch_same_code(fw: str) -> None:
    src = _source(fw, (2, 3), (2, 4), JOINS[fw][1].format(axis=0))
    (d,) = check_source(src)
    assert d.code == "SHP205" and "inputs must all have the same shape, input 1 is (2, 4)" in d.message


RESHAPE = {
    "torch": "torch.reshape(a, ({shape}))",
    "numpy": "np.reshape(a, ({shape}))",
    "tf": "tf.reshape(a, [{shape}])",
    "keras": "keras.ops.reshape(a, ({shape}))",
}


@pytest.mark.parametrize("fw", list(RESHAPE))
@pytest.mark.parametrize("shape,code", [("5, 5", "SHP401"), ("-1, 5", "SHP401"), ("-1, 4", None)])
def test_reshape_same_code(fw: str, shape: str, code: Optional[str]) -> None:
    src = _source(fw, (4, 6), (1,), RESHAPE[fw].format(shape=shape))
    found = check_source(src)
    assert [d.code for d in found] == ([code] if code else [])
    if code is None and _runnable(fw):
        assert _run(src) == (6, 4)


RESHAPE_RULES = {  # (qualified name, how the target is passed)
    "torch": ("torch.reshape", tuple),
    "numpy": ("numpy.reshape", tuple),
    "tf": ("tensorflow.reshape", list),
    "keras": ("keras.ops.reshape", tuple),
}


def _reshape(fw: str, shape: tuple, target: tuple):
    """Run the framework's reshape rule on a tensor whose last three sizes came from a conv
    (their product remembers ``32*13*13``)."""
    from shapecheck import dims as D
    from shapecheck.ops import registry
    from shapecheck.ops.registry import Call
    from shapecheck.shapes import Shape
    from shapecheck.values import Int, Seq, Tensor

    name, kind = RESHAPE_RULES[fw]
    x = Tensor(Shape(tuple(D.norm(d) for d in shape)), "tf" if fw == "keras" else fw, "float")
    t = Seq([Int(d) for d in target], "list" if kind is list else "tuple")
    fn = registry.lookup_func(name)
    assert fn is not None
    return fn(Call([x, t], {}, fw=x.fw, qualname=name))


@pytest.mark.parametrize("fw", list(RESHAPE_RULES))
def test_reshape_keeps_its_provenance_in_every_framework(fw: str) -> None:
    """``x.view(x.size(0), -1)`` after a conv: the inferred size says it is ``32*13*13``, in TF
    and ``keras.ops`` as well as torch and NumPy (issue 7: provenance was torch/NumPy only)."""
    out = _reshape(fw, (8, 32, 13, 13), (8, -1))
    assert str(out.shape) == "(8, 5408)" and out.shape.why_of(1) == "32*13*13"


@pytest.mark.parametrize("fw", list(RESHAPE_RULES))
@pytest.mark.parametrize("target,text", [((5, 5), "element counts differ, 24 != 25"),
                                         ((-1, -1), "only one -1 is allowed"),
                                         ((-1, 5), "cannot infer -1, 24 elements are not a multiple of 5")])
def test_reshape_one_message_set(fw: str, target: tuple, text: str) -> None:
    from shapecheck.findings import ShapeError

    with pytest.raises(ShapeError) as e:
        _reshape(fw, (4, 6), target)
    assert e.value.kind == "reshape-size" and text in e.value.message


@pytest.mark.parametrize("fw", list(RESHAPE_RULES))
def test_reshape_sizes_below_minus_one_follow_the_framework(fw: str) -> None:
    """NumPy reads any negative size as the inferred one; torch, TF and Keras reject it."""
    from shapecheck.findings import ShapeError

    if fw == "numpy":
        assert str(_reshape(fw, (4, 6), (-2, 4)).shape) == "(6, 4)"
        import numpy as np
        assert np.zeros((4, 6)).reshape(-2, 4).shape == (6, 4)
        return
    with pytest.raises(ShapeError) as e:
        _reshape(fw, (4, 6), (-2, 4))
    assert "a size must be non-negative or -1 (inferred), got -2" in e.value.message
    if fw == "torch":
        import torch
        with pytest.raises(RuntimeError):
            torch.zeros(4, 6).reshape(-2, 4)
