"""Abstract values the interpreter computes: tensors with shapes, sizes, containers, layers."""
from __future__ import annotations

import itertools
import weakref
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Optional

from . import dims as D
from .dims import Dim
from .framework import Framework, framework_of
from .shapes import Shape


class Value:
    """Base of every abstract value."""

    __slots__ = ()


class _Singleton(Value):
    """A value of which there is one: its class's name says all."""

    __slots__ = ()
    _made: dict[type, Value] = {}

    def __new__(cls) -> Any:
        inst = _Singleton._made.get(cls)
        if inst is None:
            inst = _Singleton._made[cls] = super().__new__(cls)
        return inst

    def __repr__(self) -> str:
        return type(self).__name__


class Unknown(_Singleton):
    """Anything we cannot say anything about. Nothing downstream of it is reported."""

    __slots__ = ()


UNKNOWN = Unknown()


class Failed(Unknown):
    """What an operation that was just reported produces: unknown, and nothing built on it is
    checked (one bug, one finding) -- not even what a layer guarantees whatever its input, which
    holds for a value the checker cannot see, not for one that does not exist."""

    __slots__ = ()


FAILED = Failed()


def failed(args: Any) -> bool:
    """Whether an argument (or an item of a list or tuple argument) is the result of a failure."""
    return any(isinstance(a, Failed) or (isinstance(a, Seq) and any(isinstance(x, Failed) for x in a.items))
               for a in args)


@dataclass(frozen=True, eq=False)
class Tensor(Value):
    """A tensor / ndarray. ``fw`` is ``torch``, ``numpy`` or ``tf``; ``dtype`` a coarse kind
    (``float``, ``int``, ``bool``) or None."""

    shape: Shape
    fw: str = "torch"
    dtype: Optional[str] = None
    role: Optional[str] = None  # a layer's weight: "torch.nn.Linear.weight" (for SHP601 messages)
    # the numbers inside a small 1-D tensor where every one is known (``torch.arange(4) * 0.5``);
    # dropped (``poison``) as soon as the tensor may be changed in place or escapes into a view
    values: Optional[Vals] = None

    def __repr__(self) -> str:
        return f"Tensor{self.shape}"


# Where a tensor's methods are registered, by its ``fw``: Keras tensors have TF's methods.
# (keyed by the plain strings: an enum member hashes by its name, not by its value)
_METHOD_NAMESPACES = {Framework.NUMPY.value: "numpy.ndarray", Framework.TF.value: "tensorflow.Tensor",
                      Framework.KERAS.value: "tensorflow.Tensor", Framework.TORCH.value: "torch.Tensor"}


def method_namespace(fw: str) -> str:
    """The registry prefix of a tensor's methods and properties (``torch.Tensor``,
    ``numpy.ndarray``, ``tensorflow.Tensor``); a tensor of no framework (``any``) has torch's."""
    return _METHOD_NAMESPACES.get(str(fw), "torch.Tensor")


def result_fw(qualname: str) -> str:
    """The ``fw`` of the tensors a framework function returns, from ``framework.framework_of``:
    Keras functions make TF tensors (``keras.ops`` runs on the TF backend's semantics), and a name
    of no framework (an operator, a builtin) makes torch ones, the analysis's default."""
    fw = framework_of(qualname)
    if fw is Framework.KERAS:
        return Framework.TF.value
    if fw is Framework.ANY:
        return Framework.TORCH.value
    return fw.value


MAX_VALUES = 4096  # longer tensors never carry their values


@dataclass(frozen=True, eq=False)
class Vals:
    """The elements of a 1-D tensor, flat, as Python numbers in the tensor's own arithmetic.

    ``kind`` is ``int`` (int64/int32; ints), ``f32`` (floats already rounded to float32), ``f64``
    or ``bool``. ``err`` is None where every element is exactly what torch/numpy computes, else a
    per-element bound on the absolute difference (after a ``log`` or ``pow``, whose last bit a
    library may round either way): rounding such a value is only known away from its boundaries."""

    items: tuple
    kind: str
    err: Optional[tuple] = None

    def same(self, other: Vals) -> bool:
        return self.kind == other.kind and self.items == other.items and self.err == other.err


# rules that read a tensor's values without changing it or returning a view of it (value folding in
# ops/tensor.py); a tensor given to any other call may be changed in place: the interpreter poisons it
PURE_RULES: set = set()


@dataclass(eq=False)
class AnalysisState:
    """What shape rules may read of the analysis that runs them, one per analysis (an editor server
    or a thread pool runs several at once: nothing here is process-wide).

    ``torch_float``: torch's default float dtype is float32 unless the analysed code (or a project
    file it imports) changes it; then no float values are folded. ``keras_history``: output tensor
    -> (layer, args, kwargs, index of the output or None), the layer call that made it, so a
    functional model can be re-run on the shape of the data it is fed."""

    torch_float: bool = True
    keras_history: weakref.WeakKeyDictionary[Tensor, tuple] = field(default_factory=weakref.WeakKeyDictionary)
    param_dims: dict[str, D.Dim] = field(default_factory=dict)  # parameter name -> its flexible last size
    # id(Param) -> (the Param, its shape) where a layer told more of it than the last size: a conv's
    # input is (*, C, *spatial), channels at -3 (``refine_param``)
    param_shapes: dict[int, tuple] = field(default_factory=dict)
    refined_dims: set = field(default_factory=set)  # the flexible sizes ``refine_param`` made
    # TF tensor -> (rule, Call, index of the output or None): the op that made it, so a TF1 graph can
    # be re-run on the shapes ``Session.run`` feeds its placeholders (ops/tensorflow/graphs.py)
    tf_history: weakref.WeakKeyDictionary[Tensor, tuple] = field(default_factory=weakref.WeakKeyDictionary)
    # the ``keras-version`` setting (2, 3, or None: either); whether the code imports standalone
    # ``keras`` (which may be Keras 2, whose Conv2D(32, 3, 3) is a 3x3 kernel) rather than tf.keras
    keras_version: Optional[int] = None
    standalone_keras: bool = False
    # what each use of something a fix may change wants of it: id of a layer's construction node ->
    # the sizes its applications brought (known ones); an edit of the constructor is safe only where
    # they all want the new size (``findings.Fix.agree``)
    uses: dict[int, set] = field(default_factory=dict)
    # every framework layer built so far, in construction order (the analysis's list): a Keras
    # Sequential built by its first call notes how many came before (the names Keras takes then)
    created: list = field(default_factory=list)


_STATE: ContextVar[Optional[AnalysisState]] = ContextVar("shapecheck_analysis_state", default=None)


def analysis_state() -> AnalysisState:
    """The state of the analysis running in this thread (the driver activates it). A rule called
    outside any analysis (a unit test of one rule) gets a state of its own context."""
    got = _STATE.get()
    if got is None:
        got = AnalysisState()
        _STATE.set(got)
    return got


@contextmanager
def activated(state: AnalysisState) -> Iterator[AnalysisState]:
    """Make ``state`` the one rules read in this thread while the block runs."""
    token = _STATE.set(state)
    try:
        yield state
    finally:
        _STATE.reset(token)


class _FoldingView:
    """``FOLDING["torch_float"]``: the running analysis's folding options (read by ops/tensor.py)."""

    __slots__ = ()

    def __getitem__(self, key: str) -> bool:
        return bool(getattr(analysis_state(), key))


class _HistoryView:
    """``HISTORY[t] = ...`` / ``HISTORY.get(t)``: the running analysis's Keras call history."""

    __slots__ = ()

    def get(self, t: Tensor, default: Any = None) -> Any:
        return analysis_state().keras_history.get(t, default)

    def __setitem__(self, t: Tensor, v: tuple) -> None:
        analysis_state().keras_history[t] = v

    def __contains__(self, t: object) -> bool:
        return t in analysis_state().keras_history


FOLDING = _FoldingView()
KERAS_HISTORY = _HistoryView()


def poison(v: Value, depth: int = 0) -> None:
    """Forget the values of a tensor (and of tensors in a container) that may be changed in place
    or aliased by a view we do not follow: every holder of the same object sees it."""
    if isinstance(v, Tensor):
        if v.values is not None:
            object.__setattr__(v, "values", None)
    elif depth < 3 and isinstance(v, Seq):
        for x in v.items:
            poison(x, depth + 1)
    elif depth < 3 and isinstance(v, Dict):
        for x in v.items.values():
            poison(x, depth + 1)


def without_values(t: Tensor) -> Tensor:
    return t if t.values is None else Tensor(t.shape, t.fw, t.dtype, t.role)


@dataclass(frozen=True, eq=False)
class Int(Value):
    """An integer: a literal, a size read off a tensor, arithmetic on sizes."""

    dim: Dim
    why: Optional[str] = None

    def __repr__(self) -> str:
        return f"Int({D.fmt(self.dim)})"


@dataclass(frozen=True, eq=False)
class Const(Value):
    """A Python constant other than an int: str, float, bool, None, Ellipsis, a slice."""

    value: Any

    def __repr__(self) -> str:
        return f"Const({self.value!r})"


NONE = Const(None)


@dataclass(frozen=True, repr=False)
class EnumMember:
    """What a ``Const`` holds for a member of a plain ``enum.Enum`` (``BoundingBoxFormat.XYXY``):
    equal only to itself -- not to the value it was assigned (``"XYXY"``), not a ``str`` -- and
    never None. (An enum mixed with ``str`` or ``int`` keeps its members' values: they compare so.)"""

    cls: str  # the enum's name, for messages
    key: int  # which class: the identity of its ``ClassInfo`` (two classes of one name differ)
    name: str
    value: Any = field(default=None, compare=False, hash=False)  # the Value it was assigned

    def __repr__(self) -> str:
        return f"{self.cls}.{self.name}"

    __str__ = __repr__


class Number(_Singleton):
    """A Python number whose value the checker cannot compute (``head_dim ** -0.5``, ``1 / d``):
    still a scalar, so a tensor times it keeps its shape."""

    __slots__ = ()


NUMBER = Number()


# When each mutable value was made, on one clock with the branches of the analysis (``born``): a
# branch does not undo, nor merge with the other branch, writes to what it made itself.
_EPOCH = itertools.count()


def epoch() -> int:
    return next(_EPOCH)


@dataclass(eq=False)
class Seq(Value):
    """A tuple, list or torch.Size. Lists are mutable (``layers.append(...)``)."""

    items: list
    kind: str = "tuple"  # tuple | list | size
    born: int = field(default_factory=epoch, compare=False, repr=False)
    touched: int = field(default=-1, compare=False, repr=False)  # when last written into (``BranchLog.record``)

    def __repr__(self) -> str:
        return f"{self.kind}{self.items!r}"


@dataclass(eq=False)
class Dict(Value):
    items: dict  # str key -> Value
    kind: str = "dict"
    born: int = field(default_factory=epoch, compare=False, repr=False)
    touched: int = field(default=-1, compare=False, repr=False)  # when last written into (``BranchLog.record``)


@dataclass(eq=False)
class Layer(Value):
    """An instance of a framework layer (``nn.Linear(784, 128)``, ``nn.Sequential(...)``).

    ``kind`` is the rule's canonical name; ``config`` what the constructor bound; ``node`` is
    where it was built (findings inside a Sequential point there)."""

    kind: str
    config: dict
    node: Any = None
    attrs: dict = field(default_factory=dict)
    born: int = field(default_factory=epoch, compare=False, repr=False)
    touched: int = field(default=-1, compare=False, repr=False)  # when last written into (``BranchLog.record``)

    def __repr__(self) -> str:
        return f"Layer({self.kind})"


@dataclass(eq=False)
class ClassRef(Value):
    """A class defined in the analysed file."""

    info: Any  # analysis.objects.ClassInfo


@dataclass(eq=False)
class Obj(Value):
    """An instance of a class defined in the file; ``base`` is a framework layer it extends."""

    cls: Any  # analysis.objects.ClassInfo
    attrs: dict = field(default_factory=dict)
    base: Optional[Layer] = None
    node: Any = None
    born: int = field(default_factory=epoch, compare=False, repr=False)
    touched: int = field(default=-1, compare=False, repr=False)  # when last written into (``BranchLog.record``)


@dataclass(eq=False)
class Func(Value):
    """A function defined in the file, maybe bound to ``self``."""

    info: Any  # analysis.objects.FuncInfo
    bound: Optional[Value] = None


@dataclass(frozen=True, eq=False)
class Ext(Value):
    """An external name resolved to its qualified name (``torch.nn.Linear``, ``numpy.dot``)."""

    qualname: str


@dataclass(frozen=True, eq=False)
class Method(Value):
    """``obj.name`` for a built-in value (a tensor method, ``list.append``...)."""

    obj: Value
    name: str


@dataclass(frozen=True, eq=False)
class OneOf(Value):
    """A module that is one of ``options`` (layers or objects), after branches that built different
    ones: ``nn.Linear(d, n) if n > 0 else nn.Identity()``. A call runs each; a finding in one is a
    bug of that branch."""

    options: tuple  # may hold None (``self.downsample = None`` on one branch): a call never takes it
    # equalities of sizes that hold wherever it is not None: the condition of the branch that built
    # it (``nn.BatchNorm2d(c) if out_c == in_c else None``), taken as given under ``if x is not None``
    given: tuple = ()

    @property
    def maybe_none(self) -> bool:
        return any(_is_none(o) for o in self.options)

    @property
    def modules(self) -> tuple:
        """The options a call or a method can take (None aside: calling it is no shape bug)."""
        return tuple(o for o in self.options if not _is_none(o))


MAX_ONE_OF = 4  # more alternatives than that: unknown


@dataclass(frozen=True, eq=False)
class Choice(Value):
    """A tuple of known constants that is one of two ``options`` after branches that built it
    differently (timm's ``names += ('img_size',)`` under a condition the checker cannot decide): a
    ``for`` over it runs each, as the two branches would; anything else takes it as unknown."""

    options: tuple  # two Seq of kind "tuple", each of Const items


MAX_CHOICE_ITEMS = 16


def _constant_tuple(v: Value) -> bool:
    return isinstance(v, Seq) and v.kind == "tuple" and len(v.items) <= MAX_CHOICE_ITEMS and all(
        isinstance(x, Const) for x in v.items)


@dataclass(frozen=True, eq=False)
class Maybe(Value):
    """A dict entry one branch set and the other did not (timm's ``kwargs.setdefault('img_size',
    ...)`` under a condition the checker cannot decide): the key may be absent; where present, it
    holds ``value``. Binding ``**kwargs`` gives a parameter ``value`` or its default."""

    value: Value


def present(v: Value, default: Optional[Value]) -> Value:
    """A dict entry as read: a maybe-absent one is its value or ``default`` (None: a read that
    raises when the key is absent, so its value)."""
    if not isinstance(v, Maybe):
        return v
    return v.value if default is None else merge_all([v.value, default])


def update_items(target: dict, source: dict) -> None:
    """``target.update(source)`` of dict entries: a maybe-absent entry of ``source`` leaves
    ``target``'s own as one option."""
    for k, v in source.items():
        old = target.get(k)
        if isinstance(v, Maybe) and old is not None:
            merged = merge_all([old.value if isinstance(old, Maybe) else old, v.value])
            target[k] = Maybe(merged) if isinstance(old, Maybe) else merged
        else:
            target[k] = v


@dataclass(frozen=True, eq=False)
class Param(Value):
    """An unannotated parameter of a function analysed without a call site.

    Used as a size it is the rigid size of that name; used as a tensor, a tensor of unknown
    rank; anything else, unknown."""

    name: str


def as_dim(v: Value) -> Optional[Dim]:
    """A size from a value (an Int, a bool-free constant int, a parameter), else None."""
    if isinstance(v, Int):
        return v.dim
    if isinstance(v, Param):
        return D.rigid(v.name)
    if isinstance(v, Const) and isinstance(v.value, int) and not isinstance(v.value, bool):
        return v.value
    return None


def as_int(v: Value) -> Optional[int]:
    d = as_dim(v)
    return None if d is None else D.as_int(d)


def as_dims(v: Value) -> Optional[list]:
    """A sequence of sizes (a tuple/list/Size of ints, or a single int), else None.
    Unknown members are None inside the list."""
    if isinstance(v, Seq):
        return [as_dim(x) for x in v.items]
    if isinstance(v, Param):  # an unannotated parameter may as well be a tuple of sizes
        return None
    d = as_dim(v)
    return None if d is None else [d]


def as_str(v: Value) -> Optional[str]:
    return v.value if isinstance(v, Const) and isinstance(v.value, str) else None


def as_bool(v: Value) -> Optional[bool]:
    if isinstance(v, Const) and isinstance(v.value, bool):
        return v.value
    if isinstance(v, Const) and v.value is None:
        return False
    if isinstance(v, Int):
        i = D.as_int(v.dim)
        return None if i is None else bool(i)
    return None


def tensor_of(v: Value) -> Optional[Tensor]:
    """A value used as a tensor: a Tensor, or an unannotated parameter (unknown rank)."""
    if isinstance(v, Tensor):
        return v
    if isinstance(v, Param):
        got = analysis_state().param_shapes.get(id(v))
        return Tensor(got[1], "any") if got is not None else param_tensor(v.name)
    return None


def refine_param(p: Param, trailing: int) -> None:
    """A parameter first used by a layer that reads ``trailing`` sizes from the end (a 2-d conv:
    channels and two spatial sizes): from then on it is ``(*, c, h, d)``, rank still open, each new
    size flexible, so the next layer that reads its channels meets what the first one bound."""
    state = analysis_state()
    if id(p) in state.param_shapes:
        return
    last = param_tensor(p.name).shape.dims[-1]
    new = tuple(D.flexible("c" if i == 0 else "s") for i in range(trailing - 1))
    state.param_shapes[id(p)] = (p, Shape(new + (last,), True))
    state.refined_dims.update(new + (last,))


def unpacked_rank(v: Value, k: int, hints: Sequence[str]) -> Optional[Tensor]:
    """``a, b, c = x.shape`` proves ``x`` has rank 3 (else Python raises): the tensor ``x`` is from
    then on, its unknown leading sizes fresh flexible ones printed as the names unpacked into; an
    unannotated parameter is refined so (like ``refine_param``). None where nothing is learnt."""
    t = tensor_of(v)
    if t is None or not t.shape.variadic or len(t.shape.dims) > k:
        return None
    tail = t.shape.dims
    fresh = hints[:k - len(tail)]
    if not isinstance(v, Param):
        return Tensor(Shape(tuple(D.flexible(h) for h in fresh) + tail, False), t.fw, t.dtype, t.role)
    state = analysis_state()  # a parameter's sizes are the same each run, like ``param_tensor``'s (memo hits)
    lead = tuple(state.param_dims.setdefault(f"{v.name}/{k}/{i}:{h}", D.flexible(h)) for i, h in enumerate(fresh))
    new = Shape(lead + tail, False)
    state.param_shapes[id(v)] = (v, new)
    state.refined_dims.update(new.dims)
    return Tensor(new, t.fw, t.dtype, t.role)


def param_tensor(name: str) -> Tensor:
    """An unannotated parameter used as a tensor: ``(*, d)``, unknown rank, a flexible last size
    that the first layer it meets binds (per analysis; ``Bindings`` are per function)."""
    dims = analysis_state().param_dims
    d = dims.get(name)
    if d is None:
        d = dims[name] = D.flexible("d")
    return Tensor(Shape((d,), True), "any")


def resolve_value(v: Value, b: Optional[D.Bindings]) -> Value:
    """A value with the flexible sizes bound in ``b`` substituted (before it leaves a function)."""
    if b is None or not b.map:
        return v
    if isinstance(v, Tensor):
        s = v.shape.resolved(b)
        return v if s is v.shape else Tensor(s, v.fw, v.dtype, v.role)
    if isinstance(v, Int):
        return Int(b.resolve(v.dim), v.why)
    if isinstance(v, Seq) and v.kind != "list":
        return Seq([resolve_value(x, b) for x in v.items], v.kind)
    return v


def same_value(a: Value, b: Value, bindings: Optional[D.Bindings] = None) -> bool:
    """Do two branches agree on a value (for merging if/else)?"""
    if a is b:
        return True
    if isinstance(a, Tensor) and isinstance(b, Tensor):
        if a.values is None or b.values is None:
            if a.values is not b.values:
                return False  # see merge_values: the shape may still agree
        elif not a.values.same(b.values):
            return False
        return a.shape.same(b.shape, None) is D.TRUE and a.shape.variadic == b.shape.variadic
    if isinstance(a, Int) and isinstance(b, Int):
        return D.compare(a.dim, b.dim, None, unify=False) is D.TRUE
    if isinstance(a, Const) and isinstance(b, Const):
        return type(a.value) is type(b.value) and a.value == b.value
    if isinstance(a, Seq) and isinstance(b, Seq):
        return a.kind == b.kind and len(a.items) == len(b.items) and all(
            same_value(x, y) for x, y in zip(a.items, b.items))
    if isinstance(a, Ext) and isinstance(b, Ext):
        return a.qualname == b.qualname
    if isinstance(a, Param) and isinstance(b, Param):
        return a.name == b.name
    return False


def _merge_dim(x: Dim, y: Dim) -> Dim:
    if x == y or D.compare(x, y, unify=False) is D.TRUE:
        return x
    if D.is_opaque(x) or D.is_opaque(y):
        return D.opaque("None")
    return D.computed(f"{D.fmt(x)} or {D.fmt(y)}")


def _is_none(v: Value) -> bool:
    return isinstance(v, Const) and v.value is None


def merge_all(vals: list) -> Value:
    """What one of several runs gives (a function's returns, each option of a ``OneOf``): the value
    they agree on, else their merge, else unknown."""
    out: Value = vals[0] if vals else UNKNOWN
    for v in vals[1:]:
        if not (v is out or same_value(out, v)):
            out = merge_values(out, v) or UNKNOWN
    return out


def merge_values(a: Value, b: Value, name: Optional[str] = None, cond: Optional[Cond] = None) -> Optional[Value]:
    """Two branches' tensors that agree on the shape but not on the values: that shape, no values.
    Two branches' modules (or a module and None): one of them (``OneOf``); where ``cond`` is the
    condition that chose between them, a module on one side and None on the other is there only where
    that side's equalities hold (``OneOf.given``). Two branches' ints: an int of its own
    (``D.computed``, printed as ``name``, the variable, or as the two), the same wherever it goes."""
    if isinstance(a, Int) and isinstance(b, Int):
        return Int(D.computed(name or f"{D.fmt(a.dim)} or {D.fmt(b.dim)}"))
    if isinstance(a, Tensor) and isinstance(b, Tensor) and (a.values is not None or b.values is not None):
        wa, wb = without_values(a), without_values(b)
        if same_value(wa, wb):
            return wa
    if isinstance(a, Tensor) and isinstance(b, Tensor) and a.fw == b.fw:
        # two branches' tensors: the sizes they agree on, and an int of its own for each other
        # (``(N, c, h, w)`` and ``(N, 2*c, h, w)``: ``(N, c or 2*c, h, w)``); of two ranks, the last
        # sizes both have, after any number of others (``(N, H, L, 64)`` and ``(*, 64)``: ``(*, 64)``)
        da, db = a.shape.dims, b.shape.dims
        same_rank = a.shape.variadic == b.shape.variadic and len(da) == len(db)
        n = min(len(da), len(db))
        if n == 0 and not same_rank:
            return None
        tail = tuple(_merge_dim(x, y) for x, y in zip(da[len(da) - n:], db[len(db) - n:]))
        dtype = a.dtype if a.dtype == b.dtype else None
        return Tensor(Shape(tail, a.shape.variadic if same_rank else True), a.fw, dtype)
    if _constant_tuple(a) and _constant_tuple(b):
        return Choice((a, b))
    modules = (Layer, Obj, OneOf)
    if isinstance(a, modules) and isinstance(b, modules) or (
            isinstance(a, modules) and _is_none(b) or _is_none(a) and isinstance(b, modules)):
        opts: list = []
        for v in (a, b):
            for o in (v.options if isinstance(v, OneOf) else (v,)):
                if all(o is not x for x in opts):
                    opts.append(o)
        if len(opts) > MAX_ONE_OF:
            return None
        given: tuple = ()
        if cond is not None and _is_none(b) and not _is_none(a):
            given = cond.pos + (a.given if isinstance(a, OneOf) else ())
        elif cond is not None and _is_none(a) and not _is_none(b):
            given = cond.neg + (b.given if isinstance(b, OneOf) else ())
        return OneOf(tuple(opts), given)
    return None


@dataclass(frozen=True, eq=False)
class Super(Value):
    """``super()`` inside a method of ``cls`` bound to ``obj``."""

    obj: Value
    cls: Any  # analysis.objects.ClassInfo


@dataclass(frozen=True, eq=False)
class Cond(Value):
    """A condition on sizes whose truth is not known (``in_ch == out_ch``): each branch of an
    ``if`` on it may assume its equalities. ``pos`` hold where it is true, ``neg`` where false."""

    pos: tuple = ()
    neg: tuple = ()

    def negate(self) -> Cond:
        return Cond(self.neg, self.pos)
