"""The registry of shape rules: pure functions from abstract arguments to an abstract result.

``@shape_rule("torch.matmul", "numpy.matmul", ...)`` registers a function ``f(call) -> Value``
under every qualified name that spells it. Tensor methods are registered under
``torch.Tensor.<name>`` / ``numpy.ndarray.<name>`` and receive the tensor as argument 0.

``@layer_rule("torch.nn.Linear", ...)`` registers a ``LayerRule`` subclass: ``build`` binds the
constructor's arguments into a config, ``apply`` computes the output for an input, ``weights``
gives the weight shapes in the framework's own layout.

Rules raise ``ShapeError`` only on a provably FALSE check, and return ``UNKNOWN`` whenever an
argument or keyword is not understood.
"""
from __future__ import annotations

import builtins
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Optional

from .. import dims as D
from ..dims import Dim
from ..findings import Fix
from ..framework import Framework, framework_of, is_method
from ..shapes import Shape
from ..values import (
    UNKNOWN,
    AnalysisState,
    Const,
    Int,
    Layer,
    Seq,
    Tensor,
    Value,
    analysis_state,
    as_bool,
    as_dim,
    as_dims,
    as_int,
    as_str,
    tensor_of,
)

FUNCS: dict[str, Callable[[Call], Value]] = {}
LAYERS: dict[str, LayerRule] = {}


def _who(obj: Any) -> str:
    return f"{getattr(obj, '__module__', '?')}.{getattr(obj, '__qualname__', type(obj).__qualname__)}"


def shape_rule(*names: str) -> Callable:
    """Register ``fn`` under every qualified name in ``names``. A name already registered (by
    another function, or twice in one list) is an error at import time: a silent overwrite would
    make the winner depend on import order."""
    def register(fn: Callable[[Call], Value]) -> Callable[[Call], Value]:
        _check_new(FUNCS, names, fn)
        for n in names:
            FUNCS[n] = fn
        return fn

    return register


def layer_rule(*names: str) -> Callable:
    """Register a ``LayerRule`` subclass under every qualified name in ``names`` (one instance
    serves them all); a name already registered is an error at import time, as for ``shape_rule``."""
    def register(cls: type) -> type:
        _check_new(LAYERS, names, cls)
        inst = cls()
        inst.names = names
        for n in names:
            LAYERS[n] = inst
        return cls

    return register


@dataclass(frozen=True)
class Signature:
    """The framework signature a shared torch/NumPy rule was registered under.

    ``torch.squeeze(input, dim)`` and ``numpy.squeeze(a, axis)`` share their shape math but not
    their argument names, defaults or quirks (NumPy raises on an axis of size > 1 where torch
    ignores it). ``by_signature`` registers a rule once per signature and passes it the one it
    was registered as, so a rule never asks the qualified name it was called by which framework
    it serves. (``tensorflow_ops.Api`` is the same idea for TF and ``keras.ops``.)"""

    fw: Framework
    method: bool = False  # x.f(...) rather than f(x, ...): the tensor is argument 0 either way

    @property
    def np(self) -> bool:
        """NumPy semantics (and argument names)."""
        return self.fw is Framework.NUMPY

    def arg(self, torch_name: str, numpy_name: str) -> str:
        """The argument's name in this signature."""
        return numpy_name if self.np else torch_name

    def __str__(self) -> str:
        return f"{self.fw.value}{'.method' if self.method else ''}"


def by_signature(*names: str) -> Callable:
    """Register ``fn(call, sig)`` under ``names``, once per signature among them (torch function,
    torch method, NumPy function, NumPy method, or a framework-neutral name), each bound to its
    ``Signature``. The names are sorted by their spelling here, at import time, not per call."""
    def register(fn: Callable[[Call, Signature], Value]) -> Callable[[Call, Signature], Value]:
        groups: dict[Signature, list[str]] = {}
        for n in names:
            groups.setdefault(Signature(framework_of(n), is_method(n)), []).append(n)
        for sig, ns in groups.items():
            def bound(call: Call, _sig: Signature = sig) -> Value:
                return fn(call, _sig)
            bound.__name__ = bound.__qualname__ = f"{fn.__name__}[{sig}]"
            bound.__doc__ = fn.__doc__
            bound.__module__ = fn.__module__
            shape_rule(*ns)(bound)
        return fn

    return register


def _check_new(table: dict, names: Sequence[str], what: Any) -> None:
    """Raise where one of ``names`` is already in ``table`` or repeated in ``names``."""
    seen: set[str] = set()
    for n in names:
        if n in table or n in seen:
            old = table.get(n, what)
            raise ValueError(f"{n!r} is registered twice: by {_who(old)} and by {_who(what)}")
        seen.add(n)


_MISSING = object()


class Call:
    """The arguments of one call, as abstract values, with what a rule needs around them.

    ``text(i)`` / ``text("name")`` give an argument's source text (for fixes); ``rewrite(i, text)``
    the call's code with that argument replaced (a fix's replacement, built by the interpreter with
    LibCST), ``fix(...)`` a ``Fix`` carrying it, ``argument_fix(...)`` one that edits a literal
    argument of another call (a layer's constructor); ``bindings``
    records flexible sizes unified so far; ``invoke(fn, *args)`` calls any value (a layer, a
    module defined in the file) through the interpreter; ``ctx`` is the running analysis's
    ``values.AnalysisState`` (folding options, Keras call history), never a process-wide one."""

    __slots__ = ("args", "kwargs", "bindings", "_text", "_invoke", "fw", "qualname", "node", "_warn", "ctx",
                 "_rewrite", "_arg_edit", "_ran")

    def __init__(self, args: Sequence[Value], kwargs: dict[str, Value], bindings: Optional[D.Bindings] = None,
                 text: Optional[Callable[[Any], str]] = None, invoke: Optional[Callable[..., Value]] = None,
                 fw: str = "torch", qualname: str = "", node: Any = None,
                 warn: Optional[Callable[..., None]] = None, ctx: Optional[AnalysisState] = None,
                 rewrite: Optional[Callable[..., Optional[str]]] = None,
                 arg_edit: Optional[Callable[..., Any]] = None, ran: Optional[Callable[[Any], None]] = None) -> None:
        self._warn = warn
        self._ran = ran
        self._rewrite = rewrite
        self._arg_edit = arg_edit
        self.ctx = ctx if ctx is not None else analysis_state()
        self.args = list(args)
        self.kwargs = kwargs
        self.bindings = bindings if bindings is not None else D.Bindings()
        self._text = text
        self._invoke = invoke
        self.fw = fw
        self.qualname = qualname
        self.node = node

    # -- arguments ---------------------------------------------------------------------------
    def has(self, i: Optional[int], name: Optional[str] = None) -> bool:
        return (name is not None and name in self.kwargs) or (i is not None and i < len(self.args))

    def get(self, i: Optional[int], name: Optional[str] = None, default: Any = _MISSING) -> Value:
        if name is not None and name in self.kwargs:
            return self.kwargs[name]
        if i is not None and i < len(self.args):
            return self.args[i]
        if default is _MISSING:
            return UNKNOWN
        return default if isinstance(default, Value) else _const(default)

    def tensor(self, i: Optional[int], name: Optional[str] = None) -> Optional[Tensor]:
        return tensor_of(self.get(i, name))

    def dim(self, i: Optional[int], name: Optional[str] = None,
             default: Any = _MISSING) -> Optional[Dim]:
        v = self.get(i, name, default)
        return as_dim(v)

    def int(self, i: Optional[int], name: Optional[str] = None,
             default: Any = _MISSING) -> Optional[int]:
        return as_int(self.get(i, name, default))

    def dims(self, i: Optional[builtins.int], name: Optional[builtins.str] = None,
             default: Any = _MISSING) -> Optional[list]:
        return as_dims(self.get(i, name, default))

    def str(self, i: Optional[builtins.int], name: Optional[builtins.str] = None,
             default: Any = _MISSING) -> Optional[builtins.str]:
        return as_str(self.get(i, name, default))

    def bool(self, i: Optional[builtins.int], name: Optional[builtins.str] = None,
             default: Any = _MISSING) -> Optional[builtins.bool]:
        return as_bool(self.get(i, name, default))

    def is_none(self, i: Optional[builtins.int], name: Optional[builtins.str] = None) -> builtins.bool:
        if not self.has(i, name):
            return True
        v = self.get(i, name)
        return isinstance(v, Const) and v.value is None

    def text(self, key: Any) -> builtins.str:
        if self._text is None:
            return "?"
        try:
            return self._text(key)
        except Exception:  # noqa: BLE001 - a fix text is a nicety
            return "?"

    def key(self, i: builtins.int, name: Optional[builtins.str] = None) -> Any:
        """The key an argument is given by: its keyword where it was passed so, else its position."""
        return name if name is not None and name in self.kwargs else i

    def rewrite(self, key: Any, new_text: builtins.str) -> Optional[builtins.str]:
        """The call's code with argument ``key`` (a position, a keyword, ``"func"``; for an operator
        0 and 1 are its operands, for a method 0 is the receiver) replaced by ``new_text``,
        parenthesised where the place needs it; None where that cannot be built."""
        return self.rewrite_many({key: new_text})

    def rewrite_many(self, replace: Optional[Mapping[Any, builtins.str]] = None,
                     keywords: Optional[Mapping[builtins.str, builtins.str]] = None) -> Optional[builtins.str]:
        """``rewrite`` of several arguments at once, and ``keywords`` set (replaced where given,
        else appended: ``transpose_b=True``)."""
        if self._rewrite is None:
            return None
        try:
            return self._rewrite(dict(replace or {}), dict(keywords or {}))
        except Exception:  # noqa: BLE001 - a fix text is a nicety
            return None

    def fix(self, description: builtins.str, replace: Optional[Mapping[Any, builtins.str]] = None,
            keywords: Optional[Mapping[builtins.str, builtins.str]] = None, safe: builtins.bool = True) -> Fix:
        """A ``Fix`` whose replacement is this call rewritten (``rewrite_many``); description only
        where the rewrite cannot be built."""
        new = self.rewrite_many(replace, keywords)
        return Fix(description, new, target=self.node if new is not None else None, safe=safe)

    def argument_fix(self, description: builtins.str, node: Any, index: Optional[builtins.int],
                     keyword: Optional[builtins.str], new_text: builtins.str, safe: builtins.bool = True,
                     arithmetic: Optional[builtins.str] = None) -> Optional[Fix]:
        """A ``Fix`` that replaces an argument of another call ``node`` (a layer's constructor: the
        ``6272`` of ``nn.Linear(6272, 10)``), only where it is written as a literal size there; None
        otherwise. ``node`` is opaque here (``Layer.node``): the interpreter finds the argument.
        ``arithmetic``: the text to write where the argument is arithmetic on literals rather than
        one number (``32 * 14 * 14`` -> ``32 * 13 * 13``, the derivation, not ``5408``)."""
        if self._arg_edit is None or node is None:
            return None
        try:
            found = self._arg_edit(node, index, keyword)
        except Exception:  # noqa: BLE001
            return None
        if found is None:
            return None
        target, plain = found
        text = new_text if plain or arithmetic is None else arithmetic
        return Fix(description, text, target=target, safe=safe)

    def invoke(self, fn: Value, *args: Value, **kwargs: Value) -> Value:
        if self._invoke is None:
            return UNKNOWN
        return self._invoke(fn, list(args), kwargs)

    def with_args(self, args: Sequence[Value], kwargs: Optional[dict] = None) -> Call:
        # (the arguments' texts and rewrites stay those of the call as written)
        return Call(args, self.kwargs if kwargs is None else kwargs, self.bindings, self._text, self._invoke,
                    self.fw, self.qualname, self.node, self._warn, self.ctx, self._rewrite, self._arg_edit, self._ran)

    def ran_through(self, layer: Any) -> None:
        """Tell the analysis that a container's chain ran to its end on this call, every layer on a
        tensor and none failing: its construction check on an input of unknown shape
        (``LayerRule.defer_build_check``) has nothing more to show."""
        if self._ran is not None:
            self._ran(layer)

    def warn(self, kind: builtins.str, message: builtins.str, fix: Any = None, where: Any = None,
             only_in: Optional[builtins.str] = None) -> None:
        """Report a finding that does not stop the op (a warning such as SHP502): the rule goes on
        and returns its result. ``only_in="keras2"``: what fails under Keras 2 only, where the rule
        goes on with Keras 3's reading (the ``keras-version`` setting weighs it)."""
        if self._warn is not None:
            self._warn(kind, message, fix, where, only_in)

    # -- comparisons --------------------------------------------------------------------------
    def cmp(self, a: Dim, b: Dim) -> D.Truth:
        return D.compare(a, b, self.bindings)

    def differ(self, a: Optional[Dim], b: Optional[Dim]) -> builtins.bool:
        if a is None or b is None:
            return False
        return D.compare(a, b, self.bindings) is D.FALSE

    def shape(self, t: Tensor) -> Shape:
        return t.shape.resolved(self.bindings)


def _const(x: Any) -> Value:
    if isinstance(x, bool) or x is None or isinstance(x, (float, str)):
        return Const(x)
    if isinstance(x, int):
        return Int(x)
    if isinstance(x, tuple):
        return Seq([_const(i) for i in x], "tuple")
    return UNKNOWN


def const(x: Any) -> Value:
    return _const(x)


class LayerRule:
    """How one framework layer builds, applies and stores its weights."""

    names: Sequence[str] = ()
    framework = "torch"

    def build(self, call: Call) -> Optional[dict]:
        """The config from the constructor's arguments (None: not understood -> unknown layer)."""
        return {}

    def apply(self, layer: Layer, call: Call) -> Value:
        """The output for the inputs in ``call`` (the layer itself is not among the args)."""
        return UNKNOWN

    def weights(self, layer: Layer) -> Optional[dict[str, Shape]]:
        """Weight shapes in the framework's layout, by attribute name (``weight``, ``bias``); None
        when a size they depend on is unknown (never ``{}``: that says the layer has none)."""
        return {}

    def attr(self, layer: Layer, name: str) -> Value:
        """An attribute of the layer: a weight, or a config entry."""
        w = self.weights(layer) or {}
        if name in w:
            return Tensor(w[name], self.framework, "float", f"{layer.kind}.{name}")
        if name in layer.config and self.method(name) is None:  # (a ModuleDict's items() is a method)
            v = layer.config[name]
            return v if isinstance(v, Value) else const(v)
        return UNKNOWN

    # -- optional hooks: every one has a default here, so the analysis asks instead of probing --------
    # Whether what ``after_build`` finds waits for the end of the analysis and is dropped when the
    # container is iterated by hand: a torch Sequential looped over (``for m in seq: outs.append(m(x))``)
    # is a list of layers, not a chain. (A Keras Sequential is a model: its build is the chain.)
    defer_build_check = False
    # How many sizes from the end the layer reads of its input (a 2-d conv: channels, height, width):
    # a parameter first used by it is known to have them (``values.refine_param``).
    trailing_dims = 1

    def after_build(self, layer: Layer, call: Call) -> None:
        """Work after the constructor (a Sequential builds its layers on a known input)."""
        return None

    def children(self, layer: Layer) -> Optional[list]:
        """The sub-layers of a container, in order (iteration, ``named_parameters``); None: not a
        container, or its contents are unknown."""
        return None

    def getitem(self, layer: Layer, idx: list) -> Value:
        """``layer[i]`` of a container."""
        return UNKNOWN

    def sublayers(self, layer: Layer) -> Optional[list]:
        """The layers a Keras model lists (``model.layers``), for summaries; None: unknown."""
        return None

    def weight_list(self, layer: Layer) -> Optional[list]:
        """``[(name, Shape, trainable)]`` in the framework's own order; None: not built / unknown."""
        return None

    def method(self, name: str) -> Optional[Callable[[Layer, Call], Value]]:
        """The rule's ``method_<name>(layer, call)`` for ``layer.<name>(...)``, or None: a layer
        method is declared by defining ``method_<name>`` on the rule class."""
        return getattr(self, "method_" + name, None)


def lookup_func(qualname: str) -> Optional[Callable[[Call], Value]]:
    return FUNCS.get(qualname)


def lookup_layer(qualname: str) -> Optional[LayerRule]:
    return LAYERS.get(qualname)


def remember(fn: Callable[[Call], Value], call: Call, out: Value) -> None:
    """Record the op that made each TF tensor of ``out`` (``AnalysisState.tf_history``): a TF1 graph
    runs later, in ``Session.run``, on the shapes fed to its placeholders, and is re-run then."""
    if isinstance(out, Tensor):
        if out.fw == "tf":
            call.ctx.tf_history[out] = (fn, call, None)
    elif isinstance(out, Seq):
        for i, t in enumerate(out.items):
            if isinstance(t, Tensor) and t.fw == "tf":
                call.ctx.tf_history[t] = (fn, call, i)


# -- attribute-like rules (``x.shape``, ``x.T``, ``x.ndim``) ---------------------------------------
PROPERTIES: dict[str, Callable[[Call], Value]] = {}
PROPERTIES_ANY: set = set()


def property_rule(*names: str) -> Callable:
    """Register an attribute read on a tensor: ``"torch.Tensor.T"``, ``"tensor.shape"`` (any framework)."""

    def register(fn: Callable[[Call], Value]) -> Callable[[Call], Value]:
        _check_new(PROPERTIES, names, fn)
        for n in names:
            PROPERTIES[n] = fn
            PROPERTIES_ANY.add(n.rsplit(".", 1)[-1])
        return fn

    return register


# -- spellings: one rule, many qualified names -------------------------------------------------------
_PREFIXES = (
    ("tensorflow.keras.", "keras."),
    ("tensorflow.python.keras.", "keras."),
    ("tf_keras.", "keras."),
    ("keras.api.", "keras."),
    ("torch.nn.modules.", "torch.nn.modules."),
)
# Keras 1/2 module paths of the layers (``keras.layers.convolutional.Conv2D``, ``keras.layers.core.Dense``):
# the same layers as ``keras.layers.*``
_KERAS2_LAYER_MODULES = frozenset({
    "convolutional", "core", "recurrent", "pooling", "normalization", "embeddings", "merge", "wrappers",
    "advanced_activations", "noise", "local", "convolutional_recurrent", "cudnn_recurrent", "recurrent_v2",
    "dense_attention"})


def public_names(module: str) -> list:
    """The names the checker knows in a framework module (``keras.layers``: ``Dense``, ``Conv2D``,
    ...): what ``from module import *`` binds, and what ``dir(module)`` holds."""
    prefix = canonical(module) + "."
    return sorted({k[len(prefix):] for k in list(FUNCS) + list(LAYERS)
                   if k.startswith(prefix) and "." not in k[len(prefix):] and not k[len(prefix):].startswith("_")})


def canonical(q: str) -> str:
    """One spelling per thing: ``tensorflow.keras.layers.Dense`` -> ``keras.layers.Dense``,
    ``torch.nn.modules.linear.Linear`` -> ``torch.nn.Linear``."""
    for old, new in _PREFIXES:
        if q.startswith(old):
            q = new + q[len(old):]
            break
    if q.startswith("torch.nn.modules."):
        rest = q[len("torch.nn.modules."):].split(".")
        if len(rest) >= 2:
            q = "torch.nn." + rest[-1]
    elif q.startswith("keras.layers."):
        parts = q.split(".")
        if len(parts) in (3, 4) and parts[2] in _KERAS2_LAYER_MODULES:
            q = ".".join(parts[:2] + parts[3:])
    return q
