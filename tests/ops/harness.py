"""One table form for the shape rules of every framework: ``OpCase``.

A row names the op by its registered qualified name (``torch.cat``, ``numpy.reshape``,
``tensorflow.matmul``, ``keras.ops.matmul``, ``torch.nn.Conv2d``, ``keras.layers.Dense``), never
by the module that implements it (ops modules get split and moved), and gives:

- ``args``/``kwargs``: shape strings (``"(B, 3)"``: a tensor), ``S(shape, dtype)`` for a tensor
  of another dtype, ``P(name)`` for an unannotated parameter, or plain values (ints, tuples,
  strings, slices, ``None``); an ``OpCase`` among the arguments is built first (a layer wrapped
  by ``Bidirectional``);
- for a layer, ``inputs``/``call_kwargs``: what the built layer is called with (``args``/``kwargs``
  are then the constructor's);
- the outcome: ``expect``, the printed result (``"(4, 5)"``, ``"[(2, 3), (2, 3)]"``,
  ``"int 3"``), or ``error``, the ``ShapeError`` kind (a rule NAME such as ``reshape-size``),
  optionally with text the message must ``contain``.

``run(case)`` calls the registry; ``outcome(case)`` gives the printed result or ``!kind``.
``registered_targets()`` lists what the "every registered rule has a row" guard counts.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

import shapecheck.ops  # noqa: F401 - registers every rule
from shapecheck import dims as D
from shapecheck import shapes
from shapecheck.findings import ShapeError
from shapecheck.ops import registry
from shapecheck.ops.registry import Call
from shapecheck.values import UNKNOWN, Const, Dict, Int, Layer, Param, Seq, Tensor, Value


@dataclass(frozen=True)
class S:
    """A tensor argument: a shape string and a coarse dtype (``float``, ``int``, ``bool``; None:
    unknown, as for a tensor whose dtype the interpreter could not tell)."""

    shape: str
    dtype: Optional[str] = "float"


@dataclass(frozen=True)
class P:
    """An unannotated parameter (a rigid size ``name`` where used as a size)."""

    name: str


@dataclass
class OpCase:
    """One row: an op by qualified name, its arguments, and the printed result or the error kind."""

    name: str
    args: list = field(default_factory=list)
    kwargs: dict = field(default_factory=dict)
    expect: Optional[str] = None  # printed result
    error: Optional[str] = None  # the ShapeError kind
    contains: Optional[str] = None  # text the error message must contain
    inputs: Optional[list] = None  # a layer: what the built layer is called with
    call_kwargs: dict = field(default_factory=dict)
    fw: Optional[str] = None  # the tensors' framework (default: from the name)
    xfail: Optional[str] = None  # a known bug of the rule: why (strict: the fix must take the mark off)
    no_oracle: Optional[str] = None  # why the framework cannot run this row (the oracle test skips it)
    slow: bool = False  # the framework's run is heavy (a whole keras.applications model): marked slow

    def __post_init__(self) -> None:
        if self.expect is not None and self.expect.startswith("!"):  # "!kind": the error spelling of old tables
            self.expect, self.error = None, self.expect[1:]
        # neither: a constructor given as another row's argument (``Bidirectional(LSTM(6))``)
        assert self.expect is None or self.error is None, f"{self}: give expect or error, not both"

    @property
    def is_layer(self) -> bool:
        return self.inputs is not None

    def __str__(self) -> str:
        ctor = f"{self.name}{tuple(self.args)}{self.kwargs or ''}"
        return ctor if self.inputs is None else f"{ctor}{tuple(self.inputs)}{self.call_kwargs or ''}"

    __repr__ = __str__  # a row given as another row's argument prints as its call


_PREFIX_FW = (("numpy.", "numpy"), ("torch.", "torch"), ("tensorflow.", "tf"), ("keras.", "keras"))


def framework_of(name: str) -> str:
    """The framework of the tensors a row's op receives (``tensor.*`` methods: torch)."""
    for prefix, fw in _PREFIX_FW:
        if name.startswith(prefix):
            return fw
    return "torch"


def _shape(text: str, fw: str) -> shapes.Shape:
    """A shape string; ``None`` is Keras's unknown batch size (the one ``keras.Input`` makes)."""
    if "None" not in text:
        return shapes.parse(text)
    from shapecheck.ops.keras.base import BATCH

    parts = [p.strip() for p in text.strip()[1:-1].split(",") if p.strip()]
    dims = [BATCH if p == "None" else shapes.parse(f"({p},)").dims[0] for p in parts]
    return shapes.Shape(tuple(dims))


_SAME: dict = {}  # the values of the argument rows of the row being run, by identity
_REAL_SAME: dict = {}  # the same for the framework's run


def to_value(x: Any, fw: str) -> Value:
    """A table argument as the abstract value the interpreter would pass."""
    if isinstance(x, Value):
        return x
    if isinstance(x, OpCase):  # a layer (built), a layer called on inputs, or a function's result
        if id(x) in _SAME:  # one row object used twice in a row is one value (Model(inp, f(inp)))
            return _SAME[id(x)]
        if x.is_layer or registry.lookup_layer(x.name) is None:
            value: Value = run(x)
        else:
            built = build(x)
            assert built is not None, f"{x}: not built"
            value = built
        _SAME[id(x)] = value
        return value
    if isinstance(x, S):
        return Tensor(_shape(x.shape, fw), fw, x.dtype)
    if isinstance(x, str) and x.startswith("("):
        return Tensor(_shape(x, fw), fw, "float")
    if isinstance(x, bool) or x is None or isinstance(x, float) or x is Ellipsis:
        return Const(x)
    if isinstance(x, int):
        return Int(x)
    if isinstance(x, str):
        return Const(x)
    if isinstance(x, P):
        return Param(x.name)
    if isinstance(x, slice):  # the interpreter passes slice parts as sizes
        parts = [D.rigid(p.name) if isinstance(p, P) else p for p in (x.start, x.stop, x.step)]
        return Const(slice(*parts))
    if isinstance(x, tuple):
        return Seq([to_value(i, fw) for i in x], "tuple")
    if isinstance(x, list):
        return Seq([to_value(i, fw) for i in x], "list")
    if isinstance(x, dict):
        return Dict({k: to_value(v, fw) for k, v in x.items()})
    raise TypeError(x)


def make_call(name: str, args: list, kwargs: Optional[dict] = None, fw: Optional[str] = None) -> Call:
    fw = fw or framework_of(name)
    return Call([to_value(a, fw) for a in args], {k: to_value(v, fw) for k, v in (kwargs or {}).items()},
                fw=fw, qualname=name)


def lookup(name: str) -> Callable[[Call], Value]:
    fn = registry.lookup_func(name)
    assert fn is not None, f"{name} is not a registered shape rule"
    return fn


def build(case: OpCase) -> Optional[Layer]:
    """The layer a layer row constructs (None: the rule did not understand the arguments)."""
    rule = registry.lookup_layer(case.name)
    assert rule is not None, f"{case.name} is not a registered layer"
    cfg = rule.build(make_call(case.name, case.args, case.kwargs, case.fw))
    return None if cfg is None else Layer(rule.names[0], cfg)


def run(case: OpCase) -> Value:
    """The registry's result for a row; a ShapeError propagates."""
    if not case.is_layer and registry.lookup_func(case.name) is None:  # a layer only constructed
        built = build(case)
        assert built is not None, f"{case}: the layer was not built"
        return built
    if not case.is_layer:
        return lookup(case.name)(make_call(case.name, case.args, case.kwargs, case.fw))
    layer = build(case)
    assert layer is not None, f"{case}: the layer was not built"
    rule = registry.lookup_layer(layer.kind)
    assert rule is not None
    return rule.apply(layer, make_call(layer.kind, case.inputs or [], case.call_kwargs, case.fw))


def show(v: Value) -> str:
    if isinstance(v, Tensor):
        return str(v.shape)
    if isinstance(v, Seq):
        return "[" + ", ".join(show(i) for i in v.items) + "]"
    if isinstance(v, Int):
        return f"int {v.dim}"
    if isinstance(v, Dict):
        return "{" + ", ".join(f"{k!r}: {show(i)}" for k, i in v.items.items()) + "}"
    if isinstance(v, Const) and v.value is None:
        return "None"
    if isinstance(v, Const) and isinstance(v.value, (bool, float)):
        return f"{type(v.value).__name__} {v.value!r}"
    return "unknown" if v is UNKNOWN else repr(v)


def starts_lowercase(message: str) -> bool:
    """DESIGN.md: messages start lowercase, unless with a name whose case is its spelling: a
    registered layer or op name as the user wrote it (``Conv1D(4, 3) expects a 3-D input``)."""
    if message[:1] == message[:1].lower():
        return True
    first = message.replace("(", " ").replace(":", " ").split(" ", 1)[0]
    return any(n.rsplit(".", 1)[-1] == first for table in (registry.LAYERS, registry.FUNCS) for n in table)


def outcome(case: OpCase) -> str:
    """The printed result, or ``!kind`` for a ShapeError (whose message must start lowercase)."""
    _SAME.clear()
    try:
        return show(run(case))
    except ShapeError as e:
        assert starts_lowercase(e.message), e.message
        if case.contains is not None:
            assert case.contains in e.message, e.message
        return "!" + e.kind


def check(case: OpCase) -> None:
    """Assert a row's outcome."""
    assert (case.expect is None) != (case.error is None), f"{case}: give expect or error"
    assert outcome(case) == (case.expect if case.error is None else "!" + case.error), str(case)


# -- what the coverage guard counts ------------------------------------------------------------------
def _unwrapped(target: Any) -> Any:
    """The rule under the wrappers the registry adds: ``functools.wraps`` tags (added axes) and
    the value-folding wrappers, which keep the rule they wrap as their ``base`` default; for a
    layer, its ``LayerRule`` class (a loop may register one class under many names)."""
    if isinstance(target, registry.LayerRule):  # one rule class registered under several loops' names
        return type(target)
    while True:
        inner = getattr(target, "__wrapped__", None)
        if inner is None and callable(target) and getattr(target, "__kwdefaults__", None) is None:
            code = getattr(target, "__code__", None)
            defaults = getattr(target, "__defaults__", None) or ()
            if code is not None and "base" in code.co_varnames[:code.co_argcount]:
                names = code.co_varnames[code.co_argcount - len(defaults):code.co_argcount]
                inner = dict(zip(names, defaults)).get("base")
        if inner is None:
            return target
        target = inner


def registered_targets() -> dict[int, tuple[str, ...]]:
    """Every distinct registered shape function and layer rule (by identity, wrappers seen
    through), with its names."""
    out: dict[int, list[str]] = {}
    for table in (registry.FUNCS, registry.LAYERS):
        for name, target in table.items():
            out.setdefault(id(_unwrapped(target)), []).append(name)
    return {k: tuple(sorted(v)) for k, v in out.items()}


def target_of(name: str) -> Optional[int]:
    """The identity of what ``name`` is registered as (None: nothing)."""
    canon = registry.canonical(name)
    for table in (registry.FUNCS, registry.LAYERS):
        for n in (name, canon):
            if n in table:
                return id(_unwrapped(table[n]))
    return None


# -- the oracle: the same row run by the real framework ------------------------------------------------
def _concrete(text: str) -> Optional[tuple]:
    """A shape string's sizes (``None`` for Keras's batch), or None where a size is a symbol."""
    parts = [p.strip() for p in text.strip()[1:-1].split(",") if p.strip()]
    out: list = []
    for p in parts:
        if p == "None":
            out.append(None)
        elif p.lstrip("-").isdigit():
            out.append(int(p))
        else:
            return None
    return tuple(out)


def _real_arg(x: Any, fw: str, make: Callable[[tuple, str], Any]) -> Any:
    if isinstance(x, OpCase):
        if id(x) in _REAL_SAME:
            return _REAL_SAME[id(x)]
        built = real_build(x)
        if x.is_layer:  # a layer called on its inputs: the result
            built = built(*[_real_arg(a, fw, make) for a in x.inputs or []],
                          **{k: _real_arg(v, fw, make) for k, v in x.call_kwargs.items()})
        _REAL_SAME[id(x)] = built
        return built
    if isinstance(x, S) or (isinstance(x, str) and x.startswith("(")):
        shape = _concrete(x.shape if isinstance(x, S) else x)
        if shape is None:
            raise LookupError("symbolic sizes")
        return make(shape, (x.dtype or "float") if isinstance(x, S) else "float")
    if isinstance(x, tuple):
        return tuple(_real_arg(i, fw, make) for i in x)
    if isinstance(x, list):
        return [_real_arg(i, fw, make) for i in x]
    if isinstance(x, dict):
        return {k: _real_arg(v, fw, make) for k, v in x.items()}
    if isinstance(x, P):
        raise LookupError("an unannotated parameter")
    return x


def _maker(fw: str) -> Callable[[tuple, str], Any]:
    if fw == "torch":
        import torch

        def make(shape: tuple, dtype: str) -> Any:
            if dtype == "int":
                return torch.zeros(shape, dtype=torch.long)
            return torch.zeros(shape, dtype=torch.bool) if dtype == "bool" else torch.rand(shape)
        return make
    if fw == "numpy":
        import numpy as np

        def make(shape: tuple, dtype: str) -> Any:
            return np.zeros(shape, dtype={"int": np.int64, "bool": bool}.get(dtype, np.float32)) + (dtype == "float")
        return make
    if fw == "keras":
        import keras

        def make(shape: tuple, dtype: str) -> Any:
            if shape and shape[0] is None:
                return keras.Input(shape=shape[1:], dtype=_KERAS_DTYPES.get(dtype or "float", "float32"))
            return keras.ops.ones(shape, dtype=_KERAS_DTYPES.get(dtype or "float", "float32"))
        return make
    if fw == "tf":
        import tensorflow as tf  # absent here: ImportError, the row is not run for real

        def make(shape: tuple, dtype: str) -> Any:
            if None in shape:
                raise LookupError("an unknown size outside Keras")
            return tf.zeros(shape, dtype=_KERAS_DTYPES.get(dtype or "float", "float32"))
        return make
    raise LookupError(f"no oracle for {fw}")


_KERAS_DTYPES = {"int": "int32", "bool": "bool", "float": "float32", "string": "string"}


def _resolve(name: str) -> Any:
    """The real object a qualified name spells (``torch.Tensor.mm`` -> the unbound method)."""
    import importlib

    parts = name.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        for p in parts[i:]:
            obj = getattr(obj, p)
        return obj
    raise LookupError(name)


def real_build(case: OpCase) -> Any:
    fw = case.fw or framework_of(case.name)
    make = _maker(fw)
    return _resolve(case.name)(*[_real_arg(a, fw, make) for a in case.args],
                               **{k: _real_arg(v, fw, make) for k, v in case.kwargs.items()})


ACCEPTED = "accepted"  # what the oracle prints for a result that is neither an array nor a number


def _real_shape(r: Any) -> str:
    """The real result printed as ``show`` prints the abstract one (a number as ``int 3``)."""
    if isinstance(r, bool):
        return f"bool {r!r}"
    if isinstance(r, int):
        return f"int {r}"
    if isinstance(r, float):
        return f"float {r!r}"
    if r is None:
        return "None"
    if isinstance(r, dict):
        return "{" + ", ".join(f"{k!r}: {_real_shape(i)}" for k, i in r.items()) + "}"
    if (isinstance(r, (list, tuple, set, frozenset, range)) or hasattr(r, "__next__")) and not hasattr(r, "shape"):
        return "[" + ", ".join(_real_shape(i) for i in r) + "]"
    shape = getattr(r, "shape", None)
    if shape is None or callable(shape):
        return ACCEPTED
    shape = tuple(shape)
    if len(shape) == 1:
        return f"({shape[0]},)"
    return "(" + ", ".join(str(d) for d in shape) + ")"


def real_outcome(case: OpCase) -> Optional[str]:
    """What the framework itself gives for a row: the printed shape, ``!`` for an error, or None
    where the row cannot be run for real (symbolic sizes, framework not installed)."""
    import warnings

    fw = case.fw or framework_of(case.name)
    if case.no_oracle is not None:
        return None
    _REAL_SAME.clear()
    try:
        make = _maker(fw)
        _resolve(case.name)
        args = [_real_arg(a, fw, make) for a in (case.inputs if case.is_layer else case.args) or []]
        kwargs = {k: _real_arg(v, fw, make) for k, v in (case.call_kwargs if case.is_layer else case.kwargs).items()}
    except (ImportError, LookupError, AttributeError):
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fn = real_build(case) if case.is_layer else _resolve(case.name)
            return _real_shape(fn(*args, **kwargs))
    except (LookupError, ImportError):  # ImportError: the layer needs TensorFlow (Hashing, IntegerLookup)
        return None
    except Exception:  # noqa: BLE001 - any framework error (at construction or call) is the "raises" outcome
        return "!"


def agrees_with_the_framework(case: OpCase, real: str) -> bool:
    """The oracle's verdict: an error row must raise; a row whose result is an array or a number
    must print the same; any other result (a layer, a loss object, a session) must be accepted."""
    if case.error is not None:
        return real == "!"
    assert case.expect is not None
    if case.expect.startswith(("(", "[", "{", "int ", "float ", "bool ")) or case.expect == "None":
        # "unknown" (a number the rule cannot tell, as in ``tolist()``) stands for any one item
        pattern = re.escape(case.expect).replace("unknown", r"[^,\]\[]+")
        return re.fullmatch(pattern, real) is not None
    return real != "!"


def row_tests(rows: list) -> tuple:
    """The two tests of a table, for a module to bind at top level: each row through the registry
    (strict xfail where ``xfail`` names a known bug), and each row run by the framework itself
    (skipped where it cannot be: framework absent, symbolic sizes, ``no_oracle``)."""
    import pytest

    def param(case: OpCase, oracle: bool) -> Any:
        marks = []
        if case.xfail is not None and not oracle:
            marks.append(pytest.mark.xfail(strict=True, reason=case.xfail))
        if case.slow and oracle:
            marks.append(pytest.mark.slow)
        return pytest.param(case, id=str(case), marks=marks)

    @pytest.mark.parametrize("case", [param(c, False) for c in rows])
    def test_row(case: OpCase) -> None:
        check(case)

    @pytest.mark.parametrize("case", [param(c, True) for c in rows])
    def test_row_against_the_framework(case: OpCase) -> None:
        """The expectation is the framework's: the same call run for real."""
        real = real_outcome(case)
        if real is None:
            pytest.skip(case.no_oracle or "not runnable here (framework absent or symbolic sizes)")
        assert agrees_with_the_framework(case, real), f"{case}: the framework gives {real}"

    return test_row, test_row_against_the_framework


def layer(name: str, args: list, inputs: list, expect: str, **kwargs: Any) -> OpCase:
    """A layer row: constructed with ``args``/``kwargs``, called on ``inputs``; ``expect`` is the
    printed result or ``!kind``."""
    return OpCase(name, args, kwargs, expect, inputs=inputs)
