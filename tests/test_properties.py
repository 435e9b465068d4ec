"""Property tests: shapecheck never crashes on valid Python, and its answers do not depend on how a
run is made (serial or parallel, cold or warm cache, file order).

- Random programs from hypothesmith's grammar and LibCST strategies: ``engine.check_source`` never
  raises, and every diagnostic has a registered code and a 1-based position.
- Random *tensor* programs (``tensor_programs`` below): sequences of torch or NumPy ops on shapes
  the generator tracks itself (randn/zeros, ``@``/matmul/dot, cat, reshape/view, nn.Linear,
  transpose/permute/swapaxes, sum/mean over an axis, broadcasting adds, softmax, unsqueeze),
  optionally with one injected shape bug. Programs built shape-correct are run with the real
  torch/NumPy (the oracle: they run) and must get no error-severity finding; a program with a bug
  is run too (it must fail at the bug's line) and must get an error of the bug's rule there, and
  nothing else at warning or error.
- Every registered shape rule called with odd arguments, and random arithmetic on symbolic sizes
  fed to ops that take sizes: no internal error (SHP901 "internal error").
- A folder of such files checked with ``--jobs 1`` and ``--jobs 2``, cold and warm, created and
  listed in shuffled orders, and under several PYTHONHASHSEEDs: the JSON findings are the same
  every time.
- Crashes these tests found are kept as minimal reproducers (all fixed since).
"""
from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
import tempfile
import traceback
from dataclasses import dataclass, field
from math import prod
from pathlib import Path
from typing import Optional

import hypothesmith
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shapecheck import cli, engine
from shapecheck.rule import rule_by_code

ROOT = Path(__file__).resolve().parent.parent

# database=None: no .hypothesis/ folder in the checkout; print_blob: a failure prints the
# @reproduce_failure line that replays it.
COMMON = dict(deadline=None, database=None, print_blob=True,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])


def assert_well_formed(diags: list, path: str = "x.py") -> None:
    """Every diagnostic has a registered code, a 1-based position and the path it was given."""
    for d in diags:
        assert rule_by_code(d.code) is not None, d
        assert d.line >= 1 and d.column >= 1, d
        assert d.end_line >= d.line, d
        assert d.path == path, d
        assert d.severity in ("error", "warning", "info"), d


def internal_errors(diags: list) -> list:
    """SHP901s that say the analysis raised (a crash caught inside the engine)."""
    return [d for d in diags if d.code == "SHP901" and "internal error" in d.message]


def assert_checks_cleanly(source: str) -> list:
    """``check_source`` of ``source``: well-formed findings and no internal error; the findings."""
    diags = engine.check_source(source, "x.py")
    assert_well_formed(diags)
    assert not internal_errors(diags), (source, internal_errors(diags))
    return diags


# ---------------------------------------------------------------------------- (a) random Python
# (hypothesmith compiles what it generates: calls like "a"() warn, harmlessly)
never_mind_syntax_warnings = pytest.mark.filterwarnings("ignore::SyntaxWarning")


@never_mind_syntax_warnings
@settings(max_examples=60, **COMMON)
@given(source=hypothesmith.from_grammar())
def test_grammar_programs_never_crash(source):
    assert_checks_cleanly(source)


@never_mind_syntax_warnings
@settings(max_examples=60, **COMMON)
@given(source=hypothesmith.from_node())
def test_libcst_programs_never_crash(source):
    assert_checks_cleanly(source)


@never_mind_syntax_warnings
@pytest.mark.slow
@settings(max_examples=400, **COMMON)
@given(source=st.one_of(hypothesmith.from_grammar(), hypothesmith.from_node(),
                        hypothesmith.from_grammar("eval_input").map(lambda e: f"import torch\nx = {e.strip()}\n")))
def test_many_random_programs_never_crash(source):
    assert_checks_cleanly(source)


# ---------------------------------------------------------------------------- every registered API, odd arguments
# Each shape rule the registry knows (``torch.cat``, ``numpy.ndarray.reshape``, ``keras.layers.Dense``...)
# called with arguments of every kind: tensors, sizes (negative, zero, large), tuples, None, strings,
# keywords it may or may not take, starred sizes; layers built that way and applied. The rules must
# answer UNKNOWN to what they do not understand, never raise.

def _registered() -> tuple:
    from shapecheck.ops import registry

    return sorted(registry.FUNCS), sorted(registry.LAYERS)


FUNC_NAMES, LAYER_NAMES = _registered()
PRELUDE = "".join(f"import {m}\n" for m in sorted({n.split(".")[0] for n in FUNC_NAMES + LAYER_NAMES} - {"builtins"}))
PRELUDE += """a = torch.randn(2, 3, 4)
b = torch.randn(4, 5)
c = torch.randn(8)
na = numpy.zeros((2, 3, 4))
nb = numpy.ones((4, 5))
ta = tensorflow.zeros((2, 3, 4))
ka = keras.Input(shape=(3, 4))
"""
TENSORS = ["a", "b", "c", "na", "nb", "ta", "ka"]
KEYWORDS = ["dim", "axis", "keepdim", "keepdims", "shape", "size", "kernel_size", "stride", "padding", "dilation",
            "in_features", "out_features", "in_channels", "out_channels", "units", "filters", "input_shape",
            "input_dim", "dtype", "out", "perm", "axes", "transpose_a", "transpose_b", "num_heads", "embed_dim",
            "batch_first", "groups", "start_dim", "end_dim", "k", "index", "indices", "equation", "pattern",
            "normalized_shape", "num_features", "hidden_size", "input_size", "num_layers", "target_shape",
            "return_sequences", "activation", "p", "scale_factor", "mode", "reduction", "weight", "bias"]


def _atoms():
    ints = st.sampled_from([0, 1, 2, 3, 4, -1, -2, -5, 7, 100, 2**40])
    return st.one_of(
        ints.map(str), st.sampled_from(TENSORS),
        st.sampled_from(["None", "True", "False", "0.5", "-0.0", "1e309", "'same'", "'valid'", "'ij,jk->ik'",
                         "'b c h -> b (c h)'", "'mean'", "'float32'", "torch.float32", "numpy.int64", "...",
                         "a.shape", "a.shape[0]", "a.size(-1)", "b.T", "a[0]", "a[:, None]", "len(a)", "slice(1, 2)",
                         "[]", "()", "{}", "lambda t: t", "'relu'", "[[1, 2], [3]]", "2 ** 70", "3 // 0"]),
        st.lists(ints, max_size=4).map(lambda v: "(" + ", ".join(map(str, v)) + ",)" if v else "()"),
        st.lists(ints, max_size=4).map(lambda v: "[" + ", ".join(map(str, v)) + "]"),
        st.lists(st.sampled_from(TENSORS), min_size=1, max_size=3).map(lambda v: "[" + ", ".join(v) + "]"),
    )


@st.composite
def api_calls(draw) -> str:
    atom = _atoms()
    args = draw(st.lists(atom, max_size=4))
    if draw(st.integers(0, 9)) == 0:
        args.append(draw(st.sampled_from(["*a.shape", "*[2, 3]", "**{}", "*b"])))
    kws = draw(st.lists(st.tuples(st.sampled_from(KEYWORDS), atom), max_size=3, unique_by=lambda kv: kv[0]))
    if any(x.startswith("**") for x in args):  # (keywords go before a **mapping)
        args = [x for x in args if not x.startswith("**")] + [f"{k}={v}" for k, v in kws] + ["**{}"]
    else:
        args = args + [f"{k}={v}" for k, v in kws]
    arglist = ", ".join(args)
    lines = [PRELUDE]
    if draw(st.booleans()) or not LAYER_NAMES:
        name = draw(st.sampled_from(FUNC_NAMES))
        if name.startswith(("torch.Tensor.", "numpy.ndarray.")):
            lines.append(f"y = {draw(st.sampled_from(TENSORS))}.{name.rsplit('.', 1)[1]}({arglist})")
        else:
            lines.append(f"y = {name.removeprefix('builtins.')}({arglist})")
    else:
        name = draw(st.sampled_from(LAYER_NAMES))
        lines.append(f"layer = {name}({arglist})")
        lines.append(f"y = layer({draw(st.sampled_from(TENSORS + ['a, a', '[a, b]', '*[a]']))})")
        if draw(st.booleans()):
            lines.append(f"y2 = layer({draw(st.sampled_from(TENSORS))})")
    follow = draw(st.sampled_from(["", "z = y @ b", "z = y.sum(0)", "z = y[0]", "z = y.reshape(-1)", "z = y.shape",
                                   "z = y + a", "z = torch.cat([y, y], dim=1)", "z, w = y", "z = y.T"]))
    lines.append(follow)
    return "\n".join(lines) + "\n"


@settings(max_examples=300, **COMMON)
@given(source=api_calls())
def test_registered_apis_with_odd_arguments_never_crash(source):
    assert_checks_cleanly(source)


@pytest.mark.slow
@settings(max_examples=1500, **COMMON)
@given(source=api_calls())
def test_many_api_calls_never_crash(source):
    assert_checks_cleanly(source)


# ---------------------------------------------------------------------------- arithmetic on sizes
# Sizes are sympy expressions: random arithmetic over a function's parameters (symbolic), the
# sizes of a tensor and small literals, fed to ops that take sizes, axes or counts; in a function
# never called (symbolic), called with values, and at the top level. Divisors of // and % are
# nonzero literals here (a zero divisor crashed once: its reproducers are below).

def _size_expressions():
    leaf = st.one_of(st.sampled_from(["n", "m", "k", "x.shape[0]", "x.size(1)", "len(x)", "x.ndim", "x.numel()"]),
                     st.integers(-3, 8).map(str))
    unary = ["abs", "int", "math.ceil", "math.floor", "round", "math.sqrt", "math.log2"]

    def extend(children):
        return st.one_of(
            st.tuples(children, st.sampled_from(["+", "-", "*", "**", "/"]), children).map(
                lambda t: f"({t[0]} {t[1]} {t[2]})"),
            st.tuples(children, st.sampled_from(["//", "%"]), st.integers(1, 8)).map(
                lambda t: f"({t[0]} {t[1]} {t[2]})"),
            children.map(lambda c: f"(-{c})"),
            st.tuples(st.sampled_from(unary), children).map(lambda t: f"{t[0]}({t[1]})"),
            st.tuples(st.sampled_from(["min", "max", "math.gcd"]), children, children).map(
                lambda t: f"{t[0]}({t[1]}, {t[2]})"),
            st.tuples(children, children).map(lambda t: f"math.prod([{t[0]}, {t[1]}])"),
        )

    return st.recursive(leaf, extend, max_leaves=6)


SIZE_USES = ["torch.randn({e}, 3)", "x.reshape({e}, -1)", "x.view(-1, {e})", "x[:{e}]", "x[{e}]",
             "torch.zeros(({e}, {f}))", "x.sum({e})", "x.repeat({e}, 1)", "torch.nn.Linear({e}, {f})(x)",
             "x.unsqueeze({e})", "x.transpose({e}, {f})", "torch.cat([x, x], dim={e})", "x.split({e})",
             "x.expand({e}, -1)", "torch.arange({e})", "x.flatten({e})",
             "torch.nn.Conv1d(3, 4, {e}, stride={f})(x.unsqueeze(0))", "torch.nn.functional.pad(x, ({e}, {f}))",
             "x.chunk({e})", "x.topk({e})", "x.narrow(0, {e}, {f})", "torch.nn.MaxPool1d({e})(x)",
             "x.new_zeros({e})", "torch.eye({e}, {f})", "np.zeros(({e}, {f})).reshape({f}, -1)"]


@st.composite
def size_programs(draw) -> str:
    expr = _size_expressions()
    line = draw(st.sampled_from(SIZE_USES)).format(e=draw(expr), f=draw(expr))
    head = "import math\n\nimport numpy as np\nimport torch\n"
    how = draw(st.sampled_from(["symbolic", "called", "top"]))
    if how == "top":
        return head + f"n, m, k = 4, 6, 3\nx = torch.randn(n, m)\ny = {line}\n"
    src = head + f"\n\ndef g(n, m, k):\n    x = torch.randn(n, m)\n    return {line}\n"
    return src + ("\n\ny = g(4, 6, 3)\nz = g(2, 0, -1)\n" if how == "called" else "")


@settings(max_examples=200, **COMMON)
@given(source=size_programs())
def test_size_arithmetic_never_crashes(source):
    assert_checks_cleanly(source)


@pytest.mark.slow
@settings(max_examples=2000, **COMMON)
@given(source=size_programs())
def test_much_size_arithmetic_never_crashes(source):
    assert_checks_cleanly(source)


# ---------------------------------------------------------------------------- crashes found
# Minimal reproducers of crashes these tests found (fixed since: each must stay fixed).

def test_a_symbolic_size_modulo_zero_is_no_internal_error():
    diags = engine.check_source("def f(n):\n    return n % 0\n", "x.py")
    assert not internal_errors(diags), diags


def subprocess_env(**extra: str) -> dict:
    e = dict(os.environ)
    e["PYTHONPATH"] = str(ROOT) + os.pathsep + e.get("PYTHONPATH", "")
    e.pop("SHAPECHECK_CACHE_DIR", None)
    return {**e, **extra}


CHECK_STDIN = ("import json, sys\nfrom shapecheck import engine\n"
               "print(json.dumps([d.message for d in engine.check_source(sys.stdin.read(), 'x.py')]))\n")


def test_a_symbolic_size_floor_divided_by_zero_is_no_internal_error():
    source = "import torch\n\n\ndef f(n):\n    x = torch.randn(n, 2)\n    return x.reshape(n // 0, -1)\n"
    runs = [subprocess.Popen([sys.executable, "-c", CHECK_STDIN], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env=subprocess_env(PYTHONHASHSEED=str(seed)))
            for seed in range(8)]
    outs = [r.communicate(source, timeout=300) for r in runs]
    assert all(r.returncode == 0 for r in runs), [o[1] for o in outs]
    messages = [json.loads(o[0]) for o in outs]
    assert all(m == messages[0] for m in messages), messages  # the same whatever the hash seed
    assert not [m for m in messages[0] if "internal error" in m], messages


def test_a_long_sum_does_not_raise_out_of_check_source():
    source = "x = 1" + " + 1" * 1000 + "\n"
    compile(source, "x.py", "exec")  # valid Python
    assert_checks_cleanly(source)


def test_a_deeply_nested_file_is_a_syntax_error_not_a_segfault(tmp_path):
    n = 100_000
    (tmp_path / "deep.py").write_text("x = " + "(" * n + "1" + ")" * n + "\n")
    run = subprocess.run([sys.executable, "-m", "shapecheck", "check", "--no-cache", "deep.py"], cwd=tmp_path,
                         env=subprocess_env(), capture_output=True, text=True, timeout=300)
    assert run.returncode == 1 and "SHP900" in run.stdout, (run.returncode, run.stdout, run.stderr)


# ---------------------------------------------------------------------------- tensor programs

@dataclass
class Program:
    framework: str  # "torch" or "numpy"
    lines: list = field(default_factory=list)
    shapes: dict = field(default_factory=dict)  # variable -> its shape (ints), for the correct ones
    bug_line: Optional[int] = None  # 1-based line of the injected bug (in the final source)
    bug_kind: Optional[str] = None
    # where the bug may be reported besides its line: the nn.Linear inside an nn.Sequential is
    # reported where it is built
    bug_also: set = field(default_factory=set)
    in_function: bool = False
    counter: int = 0
    # torch tensors that may not be contiguous (a transpose's view, and what is computed from one:
    # elementwise ops keep the strides): ``view`` fails on them, so it is used on the others only
    strided: set = field(default_factory=set)

    def fresh(self, prefix: str = "t") -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"

    def result(self, name: str, shape, source: str, strided: bool = False) -> None:
        """``name`` holds a tensor of ``shape`` computed from ``source``."""
        self.shapes[name] = tuple(shape)
        if strided or source in self.strided:
            self.strided.add(name)

    def emit(self, line: str) -> int:
        self.lines.append(line)
        return len(self.lines)

    def source(self) -> str:
        head = ["import numpy as np"] if self.framework == "numpy" else ["import torch", "import torch.nn as nn"]
        if not self.in_function:
            return "\n".join(head + self.lines) + "\n"
        return "\n".join(head + ["", "", "def run():"] + ["    " + line for line in self.lines]
                         + ["", "", "run()"]) + "\n"

    def source_line(self, body_line: int) -> int:
        """The line of the source where body line ``body_line`` (1-based) ends up."""
        head = 1 if self.framework == "numpy" else 2
        return head + (3 if self.in_function else 0) + body_line


SIZE = st.integers(1, 6)
BIG = st.integers(2, 6)  # sizes where a bug must not broadcast or otherwise fit by accident


def shape_text(shape) -> str:
    return "(" + ", ".join(map(str, shape)) + ("," if len(shape) == 1 else "") + ")"


def make(p: Program, draw, shape) -> str:
    """Text of a new tensor of ``shape`` (whose items may be expressions, e.g. ``x.shape[1]``)."""
    args = ", ".join(map(str, shape))
    if p.framework == "torch":
        return draw(st.sampled_from([f"torch.randn({args})", f"torch.zeros({shape_text(shape)})",
                                     f"torch.ones({args})", f"torch.rand({args})"]))
    return draw(st.sampled_from([f"np.zeros({shape_text(shape)})", f"np.ones({shape_text(shape)})",
                                 f"np.random.randn({args})", f"np.random.rand({args})"]))


def size_of(p: Program, draw, name: str, axis: int) -> str:
    """An expression for a size of ``name``'s ``axis`` read off the tensor itself."""
    if p.framework == "torch":
        return draw(st.sampled_from([f"{name}.shape[{axis}]", f"{name}.size({axis})", f"{name}.size()[{axis}]"]))
    return f"{name}.shape[{axis}]"


def new_tensor(p: Program, draw, shape) -> str:
    name = p.fresh()
    p.emit(f"{name} = {make(p, draw, shape)}")
    p.shapes[name] = tuple(shape)
    return name


def pick(p: Program, draw, ok=lambda s: True) -> Optional[str]:
    names = [n for n, s in p.shapes.items() if ok(s)]
    return draw(st.sampled_from(names)) if names else None


def other_than(draw, value: int) -> int:
    return draw(BIG.filter(lambda v: v != value))


def op_create(p, draw, bug):
    new_tensor(p, draw, draw(st.lists(SIZE, min_size=1, max_size=4)))
    return None


def op_matmul(p, draw, bug):
    a = pick(p, draw, lambda s: len(s) == 2)
    if a is None:
        a = new_tensor(p, draw, (draw(SIZE), draw(BIG)))
    m, k = p.shapes[a]
    n = draw(SIZE)
    kk = other_than(draw, k) if bug else k
    if bug and k == 1:
        return None  # (m, 1) @ (kk, n) is a bug too, but keep bugs clear of size-1 corner cases
    b = p.fresh("w")
    p.emit(f"{b} = {make(p, draw, (size_of(p, draw, a, 1) if draw(st.booleans()) and not bug else kk, n))}")
    if not bug:
        p.shapes[b] = (kk, n)
    if p.framework == "torch":
        expr = draw(st.sampled_from([f"{a} @ {b}", f"torch.matmul({a}, {b})", f"torch.mm({a}, {b})", f"{a}.mm({b})"]))
    else:
        expr = draw(st.sampled_from([f"{a} @ {b}", f"np.matmul({a}, {b})", f"np.dot({a}, {b})", f"{a}.dot({b})"]))
    c = p.fresh()
    line = p.emit(f"{c} = {expr}")
    if bug:
        return line, "matmul"
    p.result(c, (m, n), a)
    return None


def op_cat(p, draw, bug):
    need = 2 if bug else 1
    a = pick(p, draw, lambda s: len(s) >= need and (not bug or sum(d > 1 for d in s) >= 1))
    if a is None:
        return None
    shape = p.shapes[a]
    r = len(shape)
    d = draw(st.integers(-r, r - 1))
    other = list(shape)
    other[d] = draw(SIZE)
    if bug:
        axes = [e for e in range(r) if e != d % r and shape[e] > 1]
        if not axes:
            return None
        e = draw(st.sampled_from(axes))
        other[e] = other_than(draw, shape[e])
    b = p.fresh("u")
    p.emit(f"{b} = {make(p, draw, other)}")
    if not bug:
        p.shapes[b] = tuple(other)
    kw = draw(st.sampled_from(["dim=", ""])) if p.framework == "torch" else draw(st.sampled_from(["axis=", ""]))
    fn = draw(st.sampled_from(["torch.cat", "torch.concat"])) if p.framework == "torch" else "np.concatenate"
    c = p.fresh()
    line = p.emit(f"{c} = {fn}([{a}, {b}], {kw}{d})")
    if bug:
        return line, "cat"
    joined = list(shape)
    joined[d] = shape[d] + other[d]
    p.result(c, tuple(joined), a)
    return None


def factorizations(n: int, parts: int) -> list:
    if parts == 1:
        return [(n,)]
    out = []
    for f in range(1, n + 1):
        if n % f == 0:
            out += [(f, *rest) for rest in factorizations(n // f, parts - 1)]
    return out


def op_reshape(p, draw, bug):
    a = pick(p, draw)
    if a is None:
        return None
    n = prod(p.shapes[a])
    target = list(draw(st.sampled_from(factorizations(n, draw(st.integers(1, 3))))))
    if bug:
        target = [*target[:-1], target[-1] + draw(st.integers(1, 3))]  # never n elements (n >= 1)
    shown = list(target)
    if not bug and draw(st.booleans()):
        shown[draw(st.integers(0, len(shown) - 1))] = -1
    meth = draw(st.sampled_from(["reshape", "view"])) if p.framework == "torch" and a not in p.strided else "reshape"
    if p.framework == "numpy" and draw(st.booleans()):
        expr = f"np.reshape({a}, {shape_text(shown)})"
    else:
        args = ", ".join(map(str, shown)) if draw(st.booleans()) else shape_text(shown)
        expr = f"{a}.{meth}({args})"
    c = p.fresh()
    line = p.emit(f"{c} = {expr}")
    if bug:
        return line, "reshape"
    p.result(c, tuple(target), a)
    return None


def op_linear(p, draw, bug):
    if p.framework != "torch":
        return op_matmul(p, draw, bug)
    a = pick(p, draw, lambda s: s[-1] > 1 or not bug)
    if a is None:
        return None
    shape = p.shapes[a]
    k = shape[-1]
    n = draw(SIZE)
    kk = other_than(draw, k) if bug else k
    layer = p.fresh("layer")
    if draw(st.booleans()):
        p.emit(f"{layer} = nn.Linear({kk}, {n})")
    else:  # a chain: the bug (if any) is in the first layer's in_features
        h = draw(SIZE)
        act = draw(st.sampled_from(["nn.ReLU(), ", "nn.Dropout(0.1), ", ""]))
        built = p.emit(f"{layer} = nn.Sequential(nn.Linear({kk}, {h}), {act}nn.Linear({h}, {n}))")
        if bug:
            p.bug_also.add(p.source_line(built))
    c = p.fresh()
    line = p.emit(f"{c} = {layer}({a})")
    if bug:
        return line, "linear"
    p.result(c, (*shape[:-1], n), a)
    return None


def op_transpose(p, draw, bug):
    a = pick(p, draw, lambda s: len(s) >= 2)
    if a is None:
        return None
    shape = p.shapes[a]
    r = len(shape)
    c = p.fresh()
    kind = draw(st.sampled_from(["swap", "permute", "T"] if r == 2 else ["swap", "permute"]))
    if kind == "T" and not bug:
        line = p.emit(f"{c} = {a}.T")
        p.result(c, shape[::-1], a, strided=True)
        return None
    if kind == "permute":
        perm = list(draw(st.permutations(range(r))))
        if bug:
            i, j = draw(st.permutations(range(r)))[:2]
            if draw(st.booleans()):
                perm[i] = r  # an axis the tensor does not have
            else:
                perm[i] = perm[j]  # an axis twice
                kind = "permute-repeat"
        fn = (f"{a}.permute({', '.join(map(str, perm))})" if p.framework == "torch"
              else f"np.transpose({a}, {shape_text(perm)})")
        line = p.emit(f"{c} = {fn}")
        if bug:
            return line, kind
        p.result(c, tuple(shape[i] for i in perm), a, strided=True)
        return None
    i = draw(st.integers(-r, r - 1))
    j = draw(st.integers(-r, r - 1))
    if bug:
        j = draw(st.sampled_from([r, r + 1, -r - 1]))
    fn = f"{a}.transpose({i}, {j})" if p.framework == "torch" else f"np.swapaxes({a}, {i}, {j})"
    line = p.emit(f"{c} = {fn}")
    if bug:
        return line, "transpose"
    out = list(shape)
    out[i], out[j] = out[j], out[i]
    p.result(c, tuple(out), a, strided=True)
    return None


def op_reduce(p, draw, bug):
    a = pick(p, draw)
    if a is None:
        return None
    shape = p.shapes[a]
    r = len(shape)
    d = draw(st.sampled_from([r, r + 1, -r - 1])) if bug else draw(st.integers(-r, r - 1))
    keep = draw(st.booleans())
    fn = draw(st.sampled_from(["sum", "mean", "amax"] if p.framework == "torch" else ["sum", "mean", "max"]))
    if p.framework == "torch":
        kw = draw(st.sampled_from(["dim=", ""]))
        expr = f"{a}.{fn}({kw}{d}{', keepdim=True' if keep else ''})"
        if fn != "amax" and draw(st.booleans()):
            expr = f"torch.{fn}({a}, {kw}{d}{', keepdim=True' if keep else ''})"
    else:
        expr = draw(st.sampled_from([f"{a}.{fn}(axis={d}{', keepdims=True' if keep else ''})",
                                     f"np.{fn}({a}, axis={d}{', keepdims=True' if keep else ''})"]))
    c = p.fresh()
    line = p.emit(f"{c} = {expr}")
    if bug:
        return line, "reduce"
    out = list(shape)
    if keep:
        out[d] = 1
    else:
        del out[d]
    if out:
        p.result(c, tuple(out), a)
    return None


def op_broadcast(p, draw, bug):
    a = pick(p, draw, lambda s: not bug or s[-1] > 1)
    if a is None:
        return None
    shape = p.shapes[a]
    tail = list(shape[-draw(st.integers(1, len(shape))):])
    tail = [1 if draw(st.booleans()) and not (bug and i == len(tail) - 1) else s for i, s in enumerate(tail)]
    if bug:
        tail[-1] = other_than(draw, shape[-1])
    b = p.fresh("v")
    p.emit(f"{b} = {make(p, draw, tail)}")
    opname = draw(st.sampled_from(["+", "-", "*"]))
    c = p.fresh()
    expr = f"{a} {opname} {b}" if draw(st.booleans()) else f"{b} {opname} {a}"
    line = p.emit(f"{c} = {expr}")
    if bug:
        return line, "broadcast"
    p.shapes[b] = tuple(tail)
    p.result(c, shape, a)
    return None


def op_misc(p, draw, bug):
    """unsqueeze / softmax / flatten (torch), expand_dims (NumPy)."""
    a = pick(p, draw)
    if a is None:
        return None
    shape = p.shapes[a]
    r = len(shape)
    c = p.fresh()
    if p.framework == "numpy":
        d = draw(st.sampled_from([r + 1, -r - 2])) if bug else draw(st.integers(-r - 1, r))
        line = p.emit(f"{c} = np.expand_dims({a}, {d})")
        if bug:
            return line, "expand_dims"
        out = list(shape)
        out.insert(d if d >= 0 else d + r + 1, 1)
        p.result(c, tuple(out), a)
        return None
    kind = draw(st.sampled_from(["unsqueeze", "softmax", "flatten"]))
    if kind == "unsqueeze":
        d = draw(st.sampled_from([r + 1, -r - 2])) if bug else draw(st.integers(-r - 1, r))
        line = p.emit(f"{c} = {a}.unsqueeze({d})")
        if bug:
            return line, "unsqueeze"
        out = list(shape)
        out.insert(d if d >= 0 else d + r + 1, 1)
        p.result(c, tuple(out), a)
        return None
    if kind == "softmax":
        d = draw(st.sampled_from([r, -r - 1])) if bug else draw(st.integers(-r, r - 1))
        line = p.emit(f"{c} = torch.softmax({a}, dim={d})")
        if bug:
            return line, "softmax"
        p.result(c, shape, a)
        return None
    if bug:
        return None
    start = draw(st.integers(0, r - 1))
    p.emit(f"{c} = torch.flatten({a}, {start})")
    p.result(c, (*shape[:start], prod(shape[start:])), a)
    return None


# what each injected bug must be reported as (RULES.md's codes)
EXPECTED = {"matmul": {"SHP101", "SHP102"}, "cat": {"SHP201", "SHP202"}, "reshape": {"SHP401"},
            "linear": {"SHP301", "SHP303"}, "permute": {"SHP402"}, "permute-repeat": {"SHP403"},
            "transpose": {"SHP402"}, "reduce": {"SHP402"}, "broadcast": {"SHP501"}, "expand_dims": {"SHP402"},
            "unsqueeze": {"SHP402"}, "softmax": {"SHP402"}}

OPS = [op_create, op_matmul, op_cat, op_reshape, op_linear, op_transpose, op_reduce, op_broadcast, op_misc]
BUGGY_OPS = [op_matmul, op_cat, op_reshape, op_linear, op_transpose, op_reduce, op_broadcast, op_misc]


@st.composite
def tensor_programs(draw, bug: Optional[bool] = None, framework: Optional[str] = None) -> Program:
    """A random program of tensor ops whose shapes the generator tracks. ``bug``: True, one op is
    made shape-wrong (the program fails there); False, none; None, either."""
    p = Program(framework or draw(st.sampled_from(["torch", "numpy"])), in_function=draw(st.booleans()))
    if bug is None:
        bug = draw(st.booleans())
    new_tensor(p, draw, draw(st.lists(SIZE, min_size=1, max_size=3)))
    steps = draw(st.integers(1, 8))
    bug_at = draw(st.integers(0, steps - 1)) if bug else -1
    for i in range(steps):
        op = draw(st.sampled_from(BUGGY_OPS if i == bug_at else OPS))
        got = op(p, draw, i == bug_at)
        if i == bug_at:
            if got is None:  # this op had nothing to break: one that always can
                got = op_reduce(p, draw, True)
            p.bug_line, p.bug_kind = p.source_line(got[0]), got[1]
            break  # the program would stop here
    return p


def run_for_real(p: Program) -> Optional[int]:
    """Run the program with the real torch/NumPy: None if it completes, else the line that raised."""
    try:
        code = compile(p.source(), "<generated>", "exec")
        exec(code, {"__name__": "generated"})
    except Exception as e:  # noqa: BLE001 - any failure is an answer
        frames = [f for f in traceback.extract_tb(e.__traceback__) if f.filename == "<generated>"]
        return frames[-1].lineno if frames else -1
    return None


@pytest.fixture(scope="module")
def frameworks():
    torch = pytest.importorskip("torch")
    pytest.importorskip("numpy")
    torch.set_num_threads(1)
    return torch


@settings(max_examples=300, **COMMON)
@given(p=tensor_programs(bug=False))
def test_correct_tensor_programs_have_no_errors(frameworks, p):
    check_correct(p)


def check_correct(p: Program) -> None:
    source = p.source()
    assert run_for_real(p) is None, source  # the oracle: torch/NumPy run it
    diags = engine.check_source(source, "x.py")
    assert_well_formed(diags)
    errors = [d for d in diags if d.severity == "error" or internal_errors([d])]
    assert not errors, source + "\n" + "\n".join(f"{d.line}:{d.column} {d.code} {d.message}" for d in errors)


@settings(max_examples=300, **COMMON)
@given(p=tensor_programs(bug=True))
def test_buggy_tensor_programs_are_caught_on_the_bug_line(frameworks, p):
    check_buggy(p)


@pytest.mark.slow
@settings(max_examples=3000, **COMMON)
@given(p=tensor_programs())
def test_many_tensor_programs(frameworks, p):
    if p.bug_line is None:
        check_correct(p)
    else:
        check_buggy(p)


def check_buggy(p: Program) -> None:
    source = p.source()
    assert run_for_real(p) == p.bug_line, source  # the generator's bug is real and where it says
    diags = assert_checks_cleanly(source)
    shown = source + "\n" + "\n".join(f"{d.line}:{d.column} {d.code} {d.severity} {d.message}" for d in diags)
    at = {p.bug_line} | p.bug_also
    assert {d.code for d in diags if d.line in at and d.severity == "error"} & EXPECTED[p.bug_kind], shown
    assert not [d for d in diags if d.line not in at and d.severity != "info"], shown  # the rest is correct


# ---------------------------------------------------------------------------- (b) how a run is made
# A folder of generated files (some buggy), two of which import a model and a helper from a
# sibling module, so findings inside imported code land on call sites and cache entries depend on
# another file. The JSON findings must not depend on --jobs, on a cold or warm cache, on the order
# the files were created in or are listed in, and must follow an edit of the imported module.

COMMON_PY = """import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear({n}, 5)

    def forward(self, x):
        return self.fc(x)


def make(n):
    return torch.randn(n, 7)
"""
USES_COMMON = "\nimport torch\nfrom common import Net, make\n\nnet = Net()\nout = net(torch.randn(3, {k}))\n" \
              "q = make(4) @ torch.randn({m}, 2)\n"


@st.composite
def folders(draw) -> tuple:
    """({file name: source}, {n: the files with an error while common.py's Net takes n features}):
    12 generated programs, some importing from common.py, and common.py."""
    files, errors = {}, {10: set(), 20: set()}
    for i in range(12):
        name = f"m{i:02d}.py"
        p = draw(tensor_programs())
        files[name] = p.source()
        for n in errors:
            if p.bug_line is not None:
                errors[n].add(name)
        if i < 4 and draw(st.booleans()):
            k, m = draw(st.sampled_from([10, 20])), draw(st.sampled_from([7, 6]))
            files[name] += USES_COMMON.format(k=k, m=m)
            for n in errors:
                if k != n or m != 7:
                    errors[n].add(name)
    files["common.py"] = COMMON_PY.format(n=10)
    return files, errors


def write_folder(folder: Path, files: dict, order: list) -> None:
    folder.mkdir()
    (folder / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    for name in order:
        (folder / name).write_text(files[name])


def findings(folder: Path, *argv: str) -> list:
    """``shapecheck check ... --output-format json`` in-process: the findings as printed, paths
    relative to ``folder``."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        status = cli.run(["check", *argv, "--output-format", "json"])
    assert status in (0, 1), out.getvalue()
    data = json.loads(out.getvalue())
    for d in data:
        d["path"] = Path(os.path.relpath(d["path"], folder)).as_posix()
    assert not [d for d in data if d["code"] == "SHP901" and "internal error" in d["message"]], data
    return data


def by_place(data: list) -> list:
    return sorted(data, key=lambda d: (d["path"], d["line"], d["column"], d["code"], d["message"]))


@settings(max_examples=5, **COMMON)
@given(folder=folders(), seed=st.randoms(use_true_random=False))
def test_same_findings_serial_parallel_cold_warm_any_order(folder, seed):
    same_findings_every_way(folder, seed)


@pytest.mark.slow
@settings(max_examples=25, **COMMON)
@given(folder=folders(), seed=st.randoms(use_true_random=False))
def test_same_findings_every_way_many_folders(folder, seed):
    same_findings_every_way(folder, seed)


def same_findings_every_way(folder: tuple, seed) -> None:
    """Ten runs over one generated folder (about a second): --no-cache, cold and warm caches of
    --jobs 1 and 2 crossed, another copy created in shuffled order, files listed shuffled; then
    common.py edited and the warm caches against --no-cache again."""
    files, errors = folder
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        a, b = root / "a", root / "b"
        write_folder(a, files, sorted(files))
        order = list(files)
        seed.shuffle(order)
        write_folder(b, files, order)  # created in another order (directory order, mtimes)
        c1, c2, c3 = (str(root / n) for n in ("cache1", "cache2", "cache3"))

        base = findings(a, str(a), "--no-cache", "--jobs", "1")
        assert {d["path"] for d in base if d["severity"] == "error"} == errors[10]
        runs = {
            "jobs1 cold": findings(a, str(a), "--jobs", "1", "--cache-dir", c1),
            "jobs2 cold": findings(a, str(a), "--jobs", "2", "--cache-dir", c2),
            "jobs1 warm (cache of jobs 2)": findings(a, str(a), "--jobs", "1", "--cache-dir", c2),
            "jobs2 warm (cache of jobs 1)": findings(a, str(a), "--jobs", "2", "--cache-dir", c1),
            "created shuffled, jobs2": findings(b, str(b), "--jobs", "2", "--cache-dir", c3),
            "listed shuffled, jobs2 warm": findings(a, *[str(a / n) for n in order], "--jobs", "2",
                                                    "--cache-dir", c1),
            "created and listed shuffled, jobs1 warm": findings(b, *[str(b / n) for n in reversed(order)],
                                                                "--jobs", "1", "--cache-dir", c3),
        }
        for how, got in runs.items():
            assert by_place(got) == by_place(base), how
            if "listed" not in how:  # a folder is walked in sorted order, whatever order its files were made in
                assert got == base, how

        # an edit of the imported module: warm caches must see it
        (a / "common.py").write_text(COMMON_PY.format(n=20))
        edited = findings(a, str(a), "--no-cache", "--jobs", "1")
        assert {d["path"] for d in edited if d["severity"] == "error"} == errors[20]
        for how, argv in {"jobs2 warm": ("--jobs", "2", "--cache-dir", c1),
                          "jobs1 warm": ("--jobs", "1", "--cache-dir", c2)}.items():
            assert findings(a, str(a), *argv) == edited, f"after editing common.py, {how}"  # (order too)


@pytest.mark.slow
@settings(max_examples=2, **COMMON)
@given(sources=st.lists(st.one_of(tensor_programs().map(Program.source), size_programs(), api_calls()),
                        min_size=40, max_size=40))
def test_same_findings_whatever_the_hash_seed(sources):
    """Set and dict-of-set orders change with PYTHONHASHSEED (per process): the findings must not."""
    with tempfile.TemporaryDirectory() as tmp:
        for i, text in enumerate(sources):
            Path(tmp, f"p{i:02d}.py").write_text(text)
        outs = []
        for seed in ("0", "1", "2", "3"):
            run = subprocess.run([sys.executable, "-m", "shapecheck", "check", "--no-cache", "--jobs", "2",
                                  "--output-format", "json", "."], cwd=tmp, env=subprocess_env(PYTHONHASHSEED=seed),
                                 capture_output=True, text=True, timeout=600)
            assert run.returncode in (0, 1), run.stderr
            outs.append(run.stdout)
        assert outs[1:] == outs[:1] * 3
