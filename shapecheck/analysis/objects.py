"""What the analysis knows of the file's own code: functions, classes, partials, and value helpers."""
from __future__ import annotations

import operator as _op
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any, Optional

import libcst as cst
import sympy

from .. import dims as D
from ..values import (
    UNKNOWN,
    Choice,
    ClassRef,
    Cond,
    Const,
    Dict,
    EnumMember,
    Ext,
    Failed,
    Func,
    Int,
    Layer,
    Maybe,
    Method,
    Number,
    Obj,
    OneOf,
    Param,
    Seq,
    Tensor,
    Unknown,
    Value,
    epoch,
    present,
)
from .syntax import dotted

if TYPE_CHECKING:
    from .project import ModuleInfo


MAX_DEPTH = 16


MAX_UNROLL = 64
# What the checker computes from the code's constants stays small: an int of more bits (``10**10**10``
# would take minutes and gigabytes), a string, bytes or tuple of more items, or a list the code
# builds by ``+``/``*`` of more items (``x = x + x`` in a loop doubles it), is unknown instead.
MAX_INT_BITS = 4096
MAX_ITEMS = 1 << 14


@dataclass(eq=False)
class Partial(Value):
    """``functools.partial(fn, *args, **kwargs)``: calling it calls ``fn`` with those first."""

    fn: Value
    args: list
    kwargs: dict


@dataclass(eq=False)
class ArgParser(Value):
    """``argparse.ArgumentParser()``: ``items`` maps each destination it was given to ``"int"`` (a
    size: ``type=int``, or an int default and no type) or ``"other"``."""

    items: dict = field(default_factory=dict)


@dataclass(eq=False)
class Namespace(Value):
    """What ``parser.parse_args()`` returns: an int argument reads as the setting named by its
    access path (``args.hidden``); ``name`` is the variable it was stored in (or first read from)."""

    parser: ArgParser
    name: Optional[str] = None
    attrs: dict = field(default_factory=dict)  # arguments the code assigned (args.hidden = 64)


def argument_dest(args: list, kwargs: dict) -> Optional[str]:
    """The destination of ``add_argument("--hidden-size", "-H", ...)``: ``hidden_size``."""
    dest = kwargs.get("dest")
    if isinstance(dest, Const) and isinstance(dest.value, str):
        return dest.value
    flags = [a.value for a in args if isinstance(a, Const) and isinstance(a.value, str)]
    if len(flags) != len(args) or not flags:
        return None
    long = [f for f in flags if f.startswith("--")]
    name = long[0][2:] if long else flags[0].lstrip("-")
    return name.replace("-", "_") or None


def argument_kind(kwargs: dict) -> str:
    """``"int"`` where the parsed value is an int whatever the command line says, else ``"other"``."""
    action = kwargs.get("action")
    if "nargs" in kwargs or (action is not None and not (isinstance(action, Const) and action.value == "store")):
        return "other"
    typ = kwargs.get("type")
    if typ is not None:
        return "int" if isinstance(typ, Ext) and typ.qualname == "builtins.int" else "other"
    default = kwargs.get("default")
    return "int" if isinstance(default, Int) and D.as_int(default.dim) is not None else "other"


@dataclass(eq=False)
class FuncInfo:
    node: cst.FunctionDef
    name: str
    cls: Optional[ClassInfo] = None
    analysed: bool = False  # some call (concrete or generic) reached it
    generic: bool = False  # it ran on generic (flexible) inputs: what its definition alone proves
    scope: Optional[dict] = None  # names visible from an enclosing function (closures)
    home: Optional[ModuleInfo] = None  # the file it is defined in

    @property
    def params(self) -> cst.Parameters:
        return self.node.params


@dataclass(eq=False)
class ClassInfo:
    node: cst.ClassDef
    name: str
    bases: list  # Values
    methods: dict = field(default_factory=dict)  # name -> FuncInfo
    attrs: dict = field(default_factory=dict)  # class-level names -> Value
    analysed: bool = False
    fields: list = field(default_factory=list)  # annotated class-level names, in order (dataclass fields)
    defaults: dict = field(default_factory=dict)  # field -> default Value
    home: Optional[ModuleInfo] = None  # the file it is defined in

    def lookup(self, name: str) -> Optional[Any]:
        """A method or class attribute, through the bases defined in this file."""
        if name in self.methods:
            return self.methods[name]
        if name in self.attrs:
            return self.attrs[name]
        for b in self.bases:
            if isinstance(b, ClassRef):
                got = b.info.lookup(name)
                if got is not None:
                    return got
        return None

    def framework_base(self) -> Optional[str]:
        """The qualified name of the first framework class this one extends, if any."""
        for b in self.bases:
            if isinstance(b, Ext):
                return b.qualname
            if isinstance(b, ClassRef):
                got = b.info.framework_base()
                if got:
                    return got
        return None


_PLAIN_ENUMS = ("enum.Enum", "enum.Flag")
_MIXED_ENUMS = ("enum.IntEnum", "enum.StrEnum", "enum.IntFlag", "enum.ReprEnum")


def enum_kind(info: ClassInfo) -> Optional[str]:
    """``"plain"`` for a subclass of ``enum.Enum`` (or ``Flag``) whose members are members only,
    ``"mixed"`` for one that mixes in a data type (``class F(str, Enum)``, ``IntEnum``, or a base the
    checker cannot read): its members compare as their values; None for a class that is no enum."""
    enum, mixed = False, False
    for b in info.bases:
        if isinstance(b, Ext) and b.qualname in _PLAIN_ENUMS:
            enum = True
        elif isinstance(b, Ext) and b.qualname in _MIXED_ENUMS:
            enum = mixed = True
        elif isinstance(b, ClassRef) and b.info is not info:
            k = enum_kind(b.info)
            enum = enum or k is not None
            mixed = mixed or k != "plain"
        else:
            mixed = True
    return None if not enum else ("mixed" if mixed else "plain")


def enum_members(info: ClassInfo) -> None:
    """The class-level names of a plain enum become its members (``EnumMember``); methods stay."""
    if enum_kind(info) != "plain":
        return
    for k, v in list(info.attrs.items()):
        if not k.startswith("_") and not isinstance(v, (ClassRef, Func)):
            info.attrs[k] = Const(EnumMember(info.name, id(info), k, v))


def enum_member(info: ClassInfo, by: str, key: Value) -> Value:
    """``Enum[name]`` (``by="name"``) or ``Enum(value)`` (``by="value"``) of an enum class: its
    member where the key is known, else unknown."""
    kind = enum_kind(info)
    if kind is None or not isinstance(key, (Const, Int)):
        return UNKNOWN
    if by == "name":
        name = key.value if isinstance(key, Const) and isinstance(key.value, str) else None
        got = info.attrs.get(name) if name is not None and not name.startswith("_") else None
        return got if isinstance(got, (Const, Int)) else UNKNOWN
    if isinstance(key, Const) and isinstance(key.value, EnumMember):
        return key if key.value.key == id(info) else UNKNOWN
    if kind == "mixed":
        return UNKNOWN
    want = key.value if isinstance(key, Const) else D.as_int(key.dim)
    if want is None:
        return UNKNOWN
    for m in info.attrs.values():
        if isinstance(m, Const) and isinstance(m.value, EnumMember):
            v = m.value.value
            have = v.value if isinstance(v, Const) else D.as_int(v.dim) if isinstance(v, Int) else None
            if have is not None and type(have) is type(want) and have == want:
                return m
    return UNKNOWN


def copy_value(v: Value, deep: bool, memo: dict) -> Value:
    """``copy.copy`` / ``copy.deepcopy`` of objects, layers and containers (tensors and sizes are
    immutable values here: shared)."""
    if id(v) in memo:
        return memo[id(v)]
    # (not a closure that calls itself: that made a cycle per copy, left to the cycle collector)
    sub: Callable[[Any], Any] = partial(_deep_part, memo=memo) if deep else _shallow_part
    if isinstance(v, Obj):
        obj = Obj(v.cls, node=v.node)
        memo[id(v)] = obj
        obj.attrs.update({k: sub(x) for k, x in v.attrs.items()})
        obj.base = sub(v.base) if v.base is not None else None
        return obj
    if isinstance(v, Layer):
        layer = Layer(v.kind, {}, v.node)
        memo[id(v)] = layer
        layer.config.update({k: sub(x) for k, x in v.config.items()})
        layer.attrs.update({k: sub(x) for k, x in v.attrs.items()})
        return layer
    if isinstance(v, Seq):
        seq = Seq([], v.kind)
        memo[id(v)] = seq
        seq.items.extend(sub(x) for x in v.items)
        return seq
    if isinstance(v, OneOf):
        one = OneOf(tuple(sub(o) for o in v.options), v.given)
        memo[id(v)] = one
        return one
    if isinstance(v, Dict):
        d = Dict({}, v.kind)
        memo[id(v)] = d
        d.items.update({k: sub(x) for k, x in v.items.items()})
        return d
    return v


def _shallow_part(x: Any) -> Any:
    return x


def _deep_part(x: Any, memo: dict) -> Any:
    """``copy_value``'s deep copy of what a value holds."""
    if isinstance(x, Value):
        return copy_value(x, True, memo)
    if isinstance(x, list):
        return [_deep_part(y, memo) for y in x]
    if isinstance(x, dict):
        return {k: _deep_part(y, memo) for k, y in x.items()}
    return x


def init_record(cls: ClassInfo, obj: Obj, args: list, kwargs: dict) -> None:
    """The ``__init__`` a dataclass or NamedTuple gets: its fields from the arguments, in order."""
    for i, name in enumerate(cls.fields):
        if i < len(args):
            obj.attrs[name] = args[i]
        elif name in kwargs:
            obj.attrs[name] = present(kwargs[name], cls.defaults.get(name))
        elif name in cls.defaults:
            obj.attrs[name] = cls.defaults[name]


def record_items(v: Value, as_dict: bool, depth: int) -> Value:
    """``dataclasses.asdict`` (``as_dict``) or ``astuple`` of a record: its fields in order, records,
    lists, tuples and dicts in them converted alike (copies, as the library makes)."""
    if depth > 8:
        return UNKNOWN
    if isinstance(v, Obj) and v.cls.fields and is_record_class(v.cls):
        items = [record_items(v.attrs.get(n, UNKNOWN), as_dict, depth + 1) for n in v.cls.fields]
        return Dict(dict(zip(v.cls.fields, items))) if as_dict else Seq(items, "tuple")
    if isinstance(v, Seq) and v.kind in ("list", "tuple"):
        return Seq([record_items(x, as_dict, depth + 1) for x in v.items], v.kind)
    if isinstance(v, Dict):
        return Dict({k: record_items(x, as_dict, depth + 1) for k, x in v.items.items()}, v.kind)
    return v


def is_record_class(cls: ClassInfo) -> bool:
    names = {dotted(d.decorator.func if isinstance(d.decorator, cst.Call) else d.decorator).split(".")[-1]
             for d in cls.node.decorators}
    return "dataclass" in names or any(isinstance(b, Ext) and b.qualname.endswith("NamedTuple") for b in cls.bases)


def is_subclass(c: ClassInfo, target: ClassInfo, depth: int = 0) -> Optional[bool]:
    if c is target:
        return True
    if depth > 16:
        return None
    answer: Optional[bool] = False
    for b in c.bases:
        if isinstance(b, ClassRef):
            got = is_subclass(b.info, target, depth + 1)
            if got is True:
                return True
            if got is None:
                answer = None
        elif not isinstance(b, Ext):
            answer = None
    return answer


def signature(v: Value) -> Any:
    # sizes by structure, not by their text: printing sympy is slow, and two flexible sizes that
    # print alike (``n``) are not the same size
    if isinstance(v, Tensor):
        return ("T", v.shape.dims, v.shape.variadic, v.fw)
    if isinstance(v, Int):
        return ("I", v.dim)
    if isinstance(v, Const):
        return ("C", repr(v.value))
    if isinstance(v, Param):
        return ("P", v.name)
    if isinstance(v, Seq):
        return ("S", v.kind, tuple(signature(x) for x in v.items))
    if isinstance(v, Ext):
        return ("E", v.qualname)
    if isinstance(v, Dict):  # by contents: a dict filled between two calls is another argument
        return ("D", v.kind, tuple(sorted((k, signature(x)) for k, x in v.items.items())))
    return ("id", id(v))  # (the memo keeps the object alive, so its id is not reused)


def plain_value(v: Value) -> Any:
    """A known int / str / float / bool as a Python value, else None."""
    if isinstance(v, Int):
        return D.as_int(v.dim)
    if isinstance(v, Const) and isinstance(v.value, (int, str, float, bool)):
        return v.value
    return None


def number(v: Value) -> Any:
    if isinstance(v, Int):
        return D.as_int(v.dim)
    if isinstance(v, Const) and isinstance(v.value, (int, float)):
        return v.value
    return None


def int_arith(op: str, a: Any, b: Any) -> Value:
    if a is None or b is None:
        return UNKNOWN
    ia, ib = D.as_int(a), D.as_int(b)
    if ia is not None and ib is not None:
        try:
            r = PYOPS[op](ia, ib)
        except Exception:  # noqa: BLE001
            return UNKNOWN
        return Int(r) if isinstance(r, int) and not isinstance(r, bool) else Const(r)
    if op == "add":
        return Int(D.add(a, b))
    if op == "sub":
        return Int(D.sub(a, b))
    if op == "mul":
        return Int(D.mul(a, b))
    if op in ("floordiv", "mod"):
        # (Python raises there: what follows is unknown, never sympy's zoo)
        if ib == 0 or getattr(b, "is_zero", None) is True:
            return UNKNOWN
        return Int(D.floordiv(a, b) if op == "floordiv" else D.mod(a, b))
    if op == "pow" and ib is not None and 0 <= ib <= 8:  # (image_size // patch_size) ** 2
        return Int(D.mul(*([a] * ib)))
    return UNKNOWN


BINOPS = {
    "Add": "add", "Subtract": "sub", "Multiply": "mul", "Divide": "truediv", "FloorDivide": "floordiv",
    "Modulo": "mod", "Power": "pow", "MatrixMultiply": "matmul", "BitAnd": "and_", "BitOr": "or_",
    "BitXor": "xor", "LeftShift": "lshift", "RightShift": "rshift",
}


def _too_big(x: Any) -> bool:
    if isinstance(x, int):
        return x.bit_length() > MAX_INT_BITS
    return isinstance(x, (str, bytes, tuple, list)) and len(x) > MAX_ITEMS


def _bounded(fn: Callable[[Any, Any], Any], name: str) -> Callable[[Any, Any], Any]:
    """``fn`` that raises ``OverflowError`` (read as unknown) where its result would be too big to
    compute cheaply (``_too_big``), before computing it where only its size tells."""

    def run(a: Any, b: Any) -> Any:
        if _too_big(a) or _too_big(b):
            raise OverflowError("too large to compute")
        if name == "pow" and isinstance(a, int) and isinstance(b, int) and b > 0 and abs(a) > 1 \
                and (abs(a).bit_length() - 1) * b > MAX_INT_BITS:
            raise OverflowError("too large to compute")
        if name == "lshift" and isinstance(a, int) and isinstance(b, int) and a and b > MAX_INT_BITS:
            raise OverflowError("too large to compute")
        if name == "mul":  # (``"ab" * 10**9``: a repeated sequence)
            for n, seq in ((a, b), (b, a)):
                if isinstance(n, int) and isinstance(seq, (str, bytes, tuple, list)) and len(seq) * n > MAX_ITEMS:
                    raise OverflowError("too large to compute")
        out = fn(a, b)
        if _too_big(out):
            raise OverflowError("too large to compute")
        return out

    return run


PYOPS = {name: _bounded(fn, name) for name, fn in {
    "add": _op.add, "sub": _op.sub, "mul": _op.mul, "truediv": _op.truediv, "floordiv": _op.floordiv,
    "mod": _op.mod, "pow": _op.pow, "and_": _op.and_, "or_": _op.or_, "xor": _op.xor, "lshift": _op.lshift,
    "rshift": _op.rshift, "matmul": _op.matmul,
}.items()}


def reveal_text(v: Value, bindings: Optional[D.Bindings] = None) -> str:
    """How ``reveal_shape`` prints a value: a shape ``(32, 10)``, ``int 5``, or ``unknown``."""
    if isinstance(v, Tensor):
        return str(v.shape.resolved(bindings))
    if isinstance(v, Int):
        return f"int {D.fmt(bindings.resolve(v.dim) if bindings else v.dim)}"
    if isinstance(v, Seq):
        return "[" + ", ".join(reveal_text(x, bindings) for x in v.items) + "]"
    if isinstance(v, Const):
        return repr(v.value)
    return "unknown"


# How many values ``Structures.of_module`` looks at anew (modules it already knows aside) before it gives
# up: a network too big to compare is not compared (its methods are memoized by identity alone).
STRUCTURE_MAX = 400


class _TooBig(Exception):
    pass


class Structures:
    """What a method run on a module can read of it, by value: two modules built alike (the blocks
    of a stage, ``nn.Sequential(*[Block(d) for _ in range(n)])``) have the same structure, and a
    method run on one with the same arguments computes what it computes on the other. Classes,
    layer kinds, sizes and the nodes that built each part are compared (a finding inside one points
    at the same node as inside the other); anything else by identity.

    Each module's structure is a small int (hash-consed), kept with what it was read from: the
    containers walked (the module itself, its lists and dicts) and the numbers of its parts. It
    holds while none of those containers was written into since (``touched``, ``BranchLog.record``)
    and each part still has its number; a write into a holder without a birth time
    (``BranchLog.unborn_writes``) drops them all. A module copied from one whose number is known
    (``share``) has that number."""

    def __init__(self, flow: Any) -> None:
        self.flow = flow
        self.codes: dict = {}  # structure -> its number
        # id(module) -> (module, when worked out, number, containers walked, [(part, its number)],
        # unborn_writes then)
        self.known: dict[int, tuple] = {}
        self.seen = 0
        self.open: list[int] = []  # id() of the modules being walked, outermost first
        self.walk: list[tuple[list, list]] = []  # the containers and parts of each module walked
        self.checked: dict[int, int] = {}  # id(module) -> ``BranchLog.writes`` when its number last held
        self.alive: list = []

    def of_module(self, v: Value) -> Optional[int]:
        """The number of ``v``'s structure; None when it holds more than ``STRUCTURE_MAX`` values
        anew, or a module that holds one of its parents."""
        self.seen = 0
        self.open = []
        self.walk = []
        try:
            return self._module(v)
        except _TooBig:
            return None

    def _holds(self, hit: tuple) -> bool:
        """Whether a number worked out before still holds (the module's parts checked in turn)."""
        when = hit[1]
        if hit[5] != self.flow.unborn_writes or any(h.touched > when for h in hit[3]):
            return False
        self.open.append(id(hit[0]))
        try:
            return all(self._module(part) == code for part, code in hit[4])
        finally:
            self.open.pop()

    def _module(self, v: Any) -> int:
        hit = self.known.get(id(v))
        if hit is not None:
            writes = self.flow.writes
            if self.checked.get(id(v)) == writes:  # (nothing was written into anything since it was checked)
                return hit[2]
            if self._holds(hit):
                self.checked[id(v)] = writes
                return hit[2]
        if id(v) in self.open:  # a module that holds its parent: not compared
            raise _TooBig
        self.open.append(id(v))
        when = epoch()
        holders: list = [v]
        parts: list = []
        self.walk.append((holders, parts))
        try:
            if isinstance(v, Obj):
                shape: tuple = ("O", id(v.cls), id(v.node), self._attrs(v.attrs),
                                None if v.base is None else self._part(v.base))
            else:
                shape = ("L", v.kind, id(v.node), self._of(v.config), self._attrs(v.attrs))
        finally:
            self.open.pop()
            self.walk.pop()
        code = self.codes.setdefault(shape, len(self.codes))
        self.known[id(v)] = (v, when, code, holders, parts, self.flow.unborn_writes)
        self.checked[id(v)] = self.flow.writes
        return code

    def _part(self, v: Any) -> int:
        code = self._module(v)
        self.walk[-1][1].append((v, code))
        return code

    def share(self, made: dict) -> None:
        """Modules just copied (``Remake.made``: id of the original -> its copy) take the numbers of
        their originals where those were found to hold since the last write (``of_module`` of the
        original, just before): a copy holds what its original holds, its own containers and parts
        in their place."""
        known, checked, writes = self.known, self.checked, self.flow.writes
        when = epoch()
        for key, new in made.items():
            hit = known.get(key)
            if hit is None or checked.get(key) != writes or not isinstance(new, (Obj, Layer)):
                continue
            known[id(new)] = (new, when, hit[2], [made.get(id(h), h) for h in hit[3]],
                              [(made.get(id(p), p), c) for p, c in hit[4]], hit[5])
            checked[id(new)] = writes

    def _of(self, v: Any) -> Any:
        self.seen += 1
        if self.seen > STRUCTURE_MAX:
            raise _TooBig
        t = type(v)  # (the common kinds first, by their exact type)
        if t in _PLAIN:
            return v
        if t is Obj or t is Layer:
            return ("#", self._part(v))
        if t in _SIGNED:
            return signature(v)
        if isinstance(v, Tensor):
            if v.values is not None:
                return self._by_id(v)
            return ("T", v.shape.dims, v.shape.variadic, v.fw, v.dtype, v.role)
        if isinstance(v, (int, float, str, bool)):  # (a subclass: an IntEnum member)
            return v
        if isinstance(v, (list, tuple)):
            return ("l", tuple(self._of(x) for x in v))
        if isinstance(v, dict):
            return ("d", self._attrs(v))
        if isinstance(v, Seq):
            self.walk[-1][0].append(v)
            return ("S", v.kind, tuple(self._of(x) for x in v.items))
        if isinstance(v, Dict):
            self.walk[-1][0].append(v)
            return ("D", v.kind, self._attrs(v.items))
        if isinstance(v, OneOf):
            return ("1", tuple(self._of(o) for o in v.options), tuple(self._of(g) for g in v.given))
        if isinstance(v, Func):  # (``self.forward = self.forward_split_cat``: the module itself)
            bound = v.bound
            if bound is not None and self.open and id(bound) == self.open[-1]:
                return ("F", id(v.info), "self")
            return ("F", id(v.info), None if bound is None else self._of(bound))
        if isinstance(v, sympy.Basic):
            return ("e", v)
        return self._by_id(v)

    def _by_id(self, v: Any) -> tuple:
        self.alive.append(v)  # (the numbers name it by id: it stays alive, so its id is not reused)
        return ("id", id(v))

    def _attrs(self, attrs: dict) -> tuple:
        # in the order they were set: modules built by the same code set them in the same order
        return tuple((k, self._of(x)) for k, x in attrs.items())


class NotClonable(Exception):
    """A value ``Remake`` cannot copy (a mutable kind it does not know): the constructor runs."""


# what ``Remake`` shares by its type alone: values that never change
_KEPT = frozenset({type(None), int, float, str, bool, Tensor, Int, Const, Param, Ext, ClassRef, Cond, Unknown, Failed,
                   Number})


_HELD = frozenset({Obj, Layer, Seq, Dict})  # the values made at a time (``born``) and written into
_PLAIN = frozenset({type(None), int, float, str, bool})
_SIGNED = frozenset({Int, Const, Param, Ext})  # (``Structures``: compared by ``signature``)


def unchanging(v: Any) -> bool:
    """A value that never changes once made (``Remake`` shares it)."""
    return type(v) in _KEPT or isinstance(v, sympy.Basic)


class Remake:
    """A copy of what a constructor made after ``start`` (``values.epoch``) and reachable from what
    is copied: objects, layers, containers, bound methods, made anew; what is older (the
    arguments, the classes, shared layers) and what never changes (tensors, sizes, constants)
    shared, as a second run of the constructor would share or make them."""

    def __init__(self, start: int, until: Optional[int] = None) -> None:
        self.start = start
        # a copy of a module still in use (``reuse.Made``): what its constructor made, unless
        # something was made after ``until`` or written into since (``touched``)
        self.until = until
        self.made: dict[int, Any] = {}

    def copy(self, v: Any) -> Any:
        t = type(v)
        if t in _KEPT:
            return v
        got = self.made.get(id(v))
        if got is not None:
            return got
        if t in _HELD:
            born = v.born
            if born <= self.start:
                return v
            if self.until is not None and (born > self.until or v.touched > self.until):
                raise NotClonable("changed since it was built")
        elif isinstance(v, sympy.Basic):
            return v
        if isinstance(v, Obj):
            obj = Obj(v.cls, node=v.node)
            self.made[id(v)] = obj
            obj.attrs.update({k: self.copy(x) for k, x in v.attrs.items()})
            obj.base = self.copy(v.base)
            return obj
        if isinstance(v, Layer):
            layer = Layer(v.kind, {}, v.node)
            self.made[id(v)] = layer
            layer.config.update({k: self.copy(x) for k, x in v.config.items()})
            layer.attrs.update({k: self.copy(x) for k, x in v.attrs.items()})
            return layer
        if isinstance(v, Seq):
            seq = Seq([], v.kind)
            self.made[id(v)] = seq
            seq.items.extend(self.copy(x) for x in v.items)
            return seq
        if isinstance(v, Dict):
            d = Dict({}, v.kind)
            self.made[id(v)] = d
            d.items.update({k: self.copy(x) for k, x in v.items.items()})
            return d
        if isinstance(v, list):
            return [self.copy(x) for x in v]
        if isinstance(v, dict):
            return {k: self.copy(x) for k, x in v.items()}
        # values that never change once made: the same one where nothing in it was made anew
        if isinstance(v, tuple):
            if all(type(x) in _KEPT for x in v):  # (a kernel size)
                return v
            parts: tuple = tuple(self.copy(x) for x in v)
            if _same(parts, v):
                return v
            return parts
        if isinstance(v, OneOf):
            parts = (tuple(self.copy(o) for o in v.options), v.given)
        elif isinstance(v, Func):
            parts = (v.info, self.copy(v.bound))
        elif isinstance(v, Method):
            parts = (self.copy(v.obj), v.name)
        elif isinstance(v, Maybe):
            parts = (self.copy(v.value),)
        elif isinstance(v, Choice):
            parts = (tuple(self.copy(o) for o in v.options),)
        elif isinstance(v, Partial):
            parts = (self.copy(v.fn), self.copy(v.args), self.copy(v.kwargs))
        else:
            raise NotClonable(type(v).__name__)
        if _same(parts, _fields(v)):
            return v
        new = type(v)(*parts)
        self.made[id(v)] = new
        return new


def _same(a: Any, b: Any) -> bool:
    """Whether a copy holds the very values of the original (nothing in it was made anew)."""
    if a is b:
        return True
    if isinstance(a, (tuple, list)) and isinstance(b, (tuple, list)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return False


def _fields(v: Any) -> tuple:
    if isinstance(v, OneOf):
        return (v.options, v.given)
    if isinstance(v, Func):
        return (v.info, v.bound)
    if isinstance(v, Method):
        return (v.obj, v.name)
    if isinstance(v, Maybe):
        return (v.value,)
    if isinstance(v, Choice):
        return (v.options,)
    assert isinstance(v, Partial)
    return (v.fn, v.args, v.kwargs)
