"""Attribute access and methods of values (mypy's checkmember): get_attr/set_attr/isinstance_of/call_method."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, Optional

import libcst as cst

from .. import dims as D
from ..ops import registry as R
from ..shapes import Shape
from ..values import (
    FAILED,
    NONE,
    UNKNOWN,
    ClassRef,
    Const,
    Dict,
    EnumMember,
    Ext,
    Failed,
    Func,
    Int,
    Layer,
    Method,
    Number,
    Obj,
    OneOf,
    Param,
    Seq,
    Super,
    Tensor,
    Value,
    merge_all,
    method_namespace,
    poison,
    same_value,
    tensor_of,
)
from .context import Part
from .frames import CONFIG, ITEMS, UNKNOWN_CHILDREN, Frame
from .objects import (
    ArgParser,
    FuncInfo,
    Namespace,
    Partial,
    argument_dest,
    argument_kind,
    enum_kind,
    init_record,
    is_record_class,
    is_subclass,
)
from .project import ModuleRef
from .syntax import dotted, is_property

# tensor attributes that are not views of it
_READ_ONLY_ATTRS = {"shape", "ndim", "dtype", "device", "is_cuda", "requires_grad", "size_attr_numpy", "itemsize",
                    "nbytes", "layout", "names", "is_leaf", "grad_fn", "size"}


_RESHAPING_INPLACE = {"unsqueeze_", "squeeze_", "t_", "transpose_", "resize_", "resize_as_", "swapaxes_", "swapdims_",
                      "as_strided_", "set_", "set_shape"}  # (TF: set_shape merges the static shape in place)


_SELF_RETURNING = {"to", "cuda", "cpu", "train", "eval", "float", "double", "half", "requires_grad_", "apply",
                   "type", "share_memory", "bfloat16"}



class MemberEvaluator(Part):
    """Attribute reads and writes, ``isinstance``, and methods of tensors, layers and objects
    (mypy's checkmember)."""

    def set_attr(self, obj: Value, name: str, v: Value, node: cst.CSTNode, bindings: D.Bindings) -> None:
        """``obj.name = v``; a layer's weight assigned a tensor of another shape is SHP601."""
        if isinstance(obj, Obj):
            if obj.base is not None and isinstance(v, Tensor) and self.check_weight(obj.base, name, v, node, bindings):
                return
            self.flow.record(obj, name)
            obj.attrs[name] = v
            if obj.base is not None and obj.base.kind == "torch.nn.Sequential" and isinstance(v, (Layer, Obj, OneOf)):
                self._register_child(obj.base, name, v)
        elif isinstance(obj, Layer):
            if isinstance(v, Tensor) and self.check_weight(obj, name, v, node, bindings):
                return
            self.flow.record(obj, name)
            obj.attrs[name] = v
        elif isinstance(obj, Namespace):
            self.flow.record(obj, name)
            obj.attrs[name] = v
        elif isinstance(obj, Tensor) and name == "data" and obj.role and isinstance(v, Tensor):
            from ..ops.common import check_weight_assignment

            call = self.calls.make_call([], {}, node, bindings)
            self.calls.run_rule(lambda: check_weight_assignment(call, obj.role, obj.shape, v.shape, "assigning"), node)

    def _register_child(self, seq: Layer, name: str, v: Value) -> None:
        """``self.conv = nn.Conv2d(...)`` in a subclass of ``nn.Sequential`` without a forward of
        its own: the module is the chain's next child (torch registers children in the order they
        are set, after those given to ``super().__init__``); set again, it keeps its place."""
        from ..ops.torch.core import add_child

        if seq.config.get("layers") is None:
            return
        self.flow.record(seq, CONFIG)
        add_child(seq, name, v)

    def check_weight(self, layer: Layer, name: str, v: Tensor, node: Any, bindings: D.Bindings) -> bool:
        """True where ``v`` does not fit ``layer.name`` (reported)."""
        from ..ops.common import check_weight_assignment

        rule = R.lookup_layer(layer.kind)
        w = (rule.weights(layer) if rule is not None else None) or {}
        if name not in w:
            return False
        call = self.calls.make_call([], {}, node, bindings)
        before = self.ctx.reported()
        self.calls.run_rule(lambda: check_weight_assignment(call, f"{layer.kind}.{name}", w[name], v.shape,
                                                            "assigning", tied=v.role is not None), node)
        return self.ctx.reported() > before

    def ex_Attribute(self, e: cst.Attribute, frame: Frame) -> Value:
        obj = self.exprs.eval(e.value, frame)
        return self.get_attr(obj, e.attr.value, e, frame)

    def has_attr(self, obj: Value, name: str) -> Optional[bool]:
        """``hasattr(obj, name)`` for an object of a class of the file whose attributes the checker
        followed: set or defined in the class; not there only for a plain class; None where unsure."""
        if not isinstance(obj, Obj):
            return None
        if name in obj.attrs or obj.cls.lookup(name) is not None:
            return True
        if UNKNOWN_CHILDREN in obj.attrs or name.startswith("__") or obj.base is not None \
                or obj.cls.framework_base() is not None:
            return None  # (a framework class has attributes of its own: training, built, ...)
        return False

    def get_attr(self, obj: Value, name: str, node: Any, frame: Frame) -> Value:
        if isinstance(obj, Failed):
            return FAILED  # (``y.shape``, ``y.mean`` of a y that failed upstream: nothing more on it)
        if isinstance(obj, Super):
            for b in obj.cls.bases:
                if isinstance(b, ClassRef):
                    got = b.info.lookup(name)
                    if isinstance(got, FuncInfo):
                        return Func(got, obj.obj)
                    if got is not None:
                        return got
                elif isinstance(b, Ext) and R.lookup_layer(b.qualname) is not None:
                    return Method(obj, name)
            return Method(obj, name) if name == "__init__" else UNKNOWN
        if isinstance(obj, OneOf):  # a module built one of several ways: what each option has
            got = [self.get_attr(o, name, node, frame) for o in obj.modules]
            if got and all(isinstance(g, Method) for g in got):
                return Method(obj, name)  # (a call runs it on each: add_module adds to each)
            if got and all(g is got[0] or same_value(g, got[0]) for g in got):
                return got[0]
            return UNKNOWN
        if obj is UNKNOWN and name in _TORCH_ONLY_METHODS:
            # ``y.permute(0, 2, 3, 1)`` of a y the checker cannot see: only a torch tensor has it,
            # so it is one (of unknown shape), and what the method gives is a tensor (not None)
            return Method(Tensor(Shape.unknown(), "torch"), name)
        if isinstance(obj, Ext):
            if name == "__name__" and self.calls.known_callee(obj):  # nn.BatchNorm2d.__name__
                return Const(obj.qualname.rsplit(".", 1)[-1])
            return Ext(R.canonical(f"{obj.qualname}.{name}"))
        if isinstance(obj, ModuleRef):
            return self.project.module_attr(obj, name)
        if isinstance(obj, Tensor):
            prop = R.PROPERTIES.get(f"{method_namespace(obj.fw)}.{name}") or R.PROPERTIES.get(f"tensor.{name}")
            if prop is not None:
                if name not in _READ_ONLY_ATTRS:  # x.T, x.data: a view that may be changed in place
                    poison(obj)
                call = self.calls.make_call([obj], {}, node, frame.bindings, fw=obj.fw, qualname=name)
                return self.calls.run_rule(lambda: prop(call), node)
            return Method(obj, name)
        if isinstance(obj, Param):
            return self.param_attr(obj, name)
        if isinstance(obj, Obj):
            if name in obj.attrs:
                return obj.attrs[name]
            got = obj.cls.lookup(name)
            if isinstance(got, FuncInfo):
                if is_property(got.node):
                    return self.calls.call_func(got, [], {}, bound=obj, node=node)
                return Func(got, obj)
            if got is not None:
                return got
            if self.plugins.attribute_hook(obj, name):
                return Method(obj, name)  # a framework method (keras fit) that runs through the object's call()
            if obj.base is not None:
                return self.get_attr(obj.base, name, node, frame)
            return Method(obj, name)  # an inherited framework method (load_state_dict, parameters...)
        if isinstance(obj, ClassRef):
            got = obj.info.lookup(name)
            if isinstance(got, FuncInfo):
                return Func(got)
            if got is None and name == "__name__":
                return Const(obj.info.name)
            return got if got is not None else UNKNOWN
        if isinstance(obj, Layer):
            rule = R.lookup_layer(obj.kind)
            if name in obj.attrs:
                return obj.attrs[name]
            if rule is not None:
                v = rule.attr(obj, name)
                if v is not UNKNOWN:
                    return v
            return Method(obj, name)
        if isinstance(obj, Namespace):
            return self.namespace_attr(obj, name, node)
        if isinstance(obj, Partial) and name in ("func", "args", "keywords"):  # timm's get_norm_act_layer
            return obj.fn if name == "func" else (
                Seq(list(obj.args), "tuple") if name == "args" else Dict(dict(obj.kwargs)))
        if isinstance(obj, ArgParser):
            return Method(obj, name)
        if isinstance(obj, Const) and isinstance(obj.value, EnumMember) and name.strip("_") in ("name", "value"):
            return Const(obj.value.name) if name.strip("_") == "name" else obj.value.value
        if isinstance(obj, (Seq, Dict, Int, Const)):
            if isinstance(obj, Int) and name in ("real",):
                return obj
            if isinstance(obj, Seq) and len(obj.items) == 2 and name in ("values", "indices") and all(
                    isinstance(x, Tensor) for x in obj.items):  # torch's (values, indices) results
                return obj.items[0 if name == "values" else 1]
            return Method(obj, name)
        return UNKNOWN

    def param_attr(self, obj: Param, name: str) -> Value:
        """``config.n_embd`` of a parameter no call gave (a config, an ``args`` namespace, a module):
        the parameter named by its access path, a rigid size where used as a size, the same symbol
        wherever the file reads the same path. Called, it is a method of ``obj``: an unannotated
        parameter may be a tensor (``x.view``), whose methods run on a tensor of unknown rank but
        report nothing (see ``call_method``). Tensor properties (``x.shape``) stay unknown, and so
        does a name some class of the file computes (a property or method: ``config.head_dim``
        may be ``n_embd // n_head``, not a size of its own)."""
        if name in R.PROPERTIES_ANY or name.startswith("__") or self.computed_by_file(name):
            return UNKNOWN
        path = f"{obj.name}.{name}"
        D.setting(path)  # (the symbol as_dim gives this parameter)
        return Param(path)

    def namespace_attr(self, ns: Namespace, name: str, node: Any) -> Value:
        """``args.hidden`` of a parsed command line: an int argument is the setting ``args.hidden``
        (its default is one value of many: the user picks it); other arguments are unknown."""
        if name in ns.attrs:
            return ns.attrs[name]
        if ns.parser.items.get(name) != "int":
            return UNKNOWN
        if ns.name is None:  # named after the first access where no assignment named it
            ns.name = dotted(node.value) if isinstance(node, cst.Attribute) else "?"
            if "?" in ns.name:
                ns.name = "args"
        return Int(D.setting(f"{ns.name}.{name}"))

    def parser_method(self, obj: ArgParser, name: str, args: list, kwargs: dict, node: Any, frame: Frame,
                      arg_nodes: dict) -> Value:
        """``add_argument`` records a destination; ``parse_args`` gives the namespace."""
        if name == "add_argument":
            dest = argument_dest(args, kwargs)
            if dest is not None:
                self.flow.record(obj, ITEMS)
                obj.items[dest] = argument_kind(kwargs)
            return UNKNOWN
        if name in ("add_argument_group", "add_mutually_exclusive_group"):
            return obj  # their arguments land in the parser's namespace
        if name == "set_defaults":
            self.flow.record(obj, ITEMS)
            for k in kwargs:
                obj.items.setdefault(k, "other")
            return NONE
        if name in ("parse_args", "parse_known_args", "parse_intermixed_args"):
            ns = Namespace(obj, self.assigned_name(node))
            return Seq([ns, UNKNOWN], "tuple") if name == "parse_known_args" else ns
        return UNKNOWN

    def assigned_name(self, node: Any) -> Optional[str]:
        """The name the running statement stores ``node``'s value in (``args = parser.parse_args()``)."""
        st = self.ctx.statement
        target: Any = None
        if isinstance(st, cst.Assign) and st.value is node and len(st.targets) == 1:
            target = st.targets[0].target
        elif isinstance(st, cst.AnnAssign) and st.value is node:
            target = st.target
        if isinstance(target, cst.Tuple) and target.elements:
            target = target.elements[0].value
        name = dotted(target) if isinstance(target, (cst.Name, cst.Attribute)) else "?"
        return None if "?" in name else name

    def computed_by_file(self, name: str) -> bool:
        """Whether a class of the checked file defines ``name`` as a method or property."""
        return any(name in c.methods for c in self.ctx.classes)

    def call_method(self, m: Method, args: list, kwargs: dict, node: Any, frame: Frame, arg_nodes: dict) -> Value:
        """``obj.name(...)``: framework object semantics first (plugins), then the method table of
        the receiver's type (tensors, layers, objects, ``super()``, containers and strings)."""
        obj = m.obj
        if isinstance(obj, OneOf):
            return merge_all([self.call_method(Method(o, m.name), list(args), dict(kwargs), node, frame, arg_nodes)
                              for o in obj.modules])
        if isinstance(obj, Param):
            self.ctx.suppress += 1
            try:
                return self.call_method(Method(tensor_of(obj) or UNKNOWN, m.name), args, kwargs, node, frame,
                                        arg_nodes)
            finally:
                self.ctx.suppress -= 1
        if isinstance(obj, (Layer, Obj)):  # framework object semantics (load_state_dict, add_module, fit, ...)
            got = self.plugins.method_hook(obj, m.name, args, kwargs, node, frame, arg_nodes)
            if got is not None:
                return got
        for typ in type(obj).__mro__:
            handler = _RECEIVERS.get(typ)
            if handler is not None:
                return handler(self, obj, m.name, args, kwargs, node, frame, arg_nodes)
        got = self.builtins.method(obj, m.name, args, kwargs)
        return got if got is not None else UNKNOWN

    def super_method(self, obj: Super, name: str, args: list, kwargs: dict, node: Any, frame: Frame,
                     arg_nodes: dict) -> Value:
        # a framework base class: __init__ builds the layer this object extends
        me = obj.obj
        base_q = next((b.qualname for b in obj.cls.bases if isinstance(b, Ext)), None)
        if name == "__init__" and isinstance(me, Obj) and base_q is not None and R.lookup_layer(base_q):
            me.base = self.calls.build_base(base_q, args, kwargs, node)
            return NONE
        if isinstance(me, Obj) and me.base is not None and name in ("forward", "__call__", "call"):
            return self.calls.call_value(me.base, args, kwargs, node, frame, arg_nodes)
        record = next((b.info for b in obj.cls.bases if isinstance(b, ClassRef)), None)
        if name == "__init__" and isinstance(me, Obj) and record is not None and record.fields and \
                is_record_class(record):  # a dataclass base's generated __init__
            init_record(record, me, args, kwargs)
            return NONE
        return UNKNOWN if name != "__init__" else NONE

    def tensor_method(self, obj: Tensor, name: str, args: list, kwargs: dict, node: Any, frame: Frame,
                      arg_nodes: dict) -> Value:
        ns = method_namespace(obj.fw)
        fn = R.lookup_func(f"{ns}.{name}") or R.lookup_func(f"tensor.{name}")
        if fn is None:
            if name in _RESHAPING_INPLACE and isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
                self.stmts.assign(node.func.value, UNKNOWN, frame)
            return UNKNOWN
        texts: dict[int | str, Any] = {i + 1: n for i, n in arg_nodes.items() if isinstance(i, int)}
        texts.update({k: n for k, n in arg_nodes.items() if isinstance(k, str)})
        if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
            texts[0] = node.func.value
        call = self.calls.make_call([obj] + args, kwargs, node, frame.bindings, texts=texts, fw=obj.fw,
                                    qualname=f"{ns}.{name}")
        out = self.calls.apply_rule(fn, call, node)
        if name in _RESHAPING_INPLACE and isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
            # x.unsqueeze_(0) changes x itself
            self.stmts.assign(node.func.value, out if isinstance(out, Tensor) else UNKNOWN, frame)
        return out

    def layer_method(self, obj: Layer, name: str, args: list, kwargs: dict, node: Any, frame: Frame,
                     arg_nodes: dict) -> Value:
        rule = R.lookup_layer(obj.kind)
        if name in ("append", "extend", "insert", "add_module", "register_module", "update", "pop") and (
                "layers" in obj.config or "items" in obj.config):
            self.flow.record(obj, CONFIG)
        meth = rule.method(name) if rule is not None else None
        if rule is not None and meth is not None:
            call = self.calls.make_call(args, kwargs, node, frame.bindings, texts=arg_nodes, fw=rule.framework,
                                        qualname=f"{obj.kind}.{name}")
            return self.calls.run_rule(lambda: meth(obj, call), node)
        if name in ("forward", "__call__", "call"):
            return self.calls.call_value(obj, args, kwargs, node, frame, arg_nodes)
        if name in _SELF_RETURNING:
            return obj
        return UNKNOWN

    def object_method(self, obj: Obj, name: str, args: list, kwargs: dict, node: Any, frame: Frame,
                      arg_nodes: dict) -> Value:
        if name in ("forward", "__call__", "call"):
            return self.calls.call_value(obj, args, kwargs, node, frame, arg_nodes)
        rule = R.lookup_layer(obj.base.kind) if isinstance(obj.base, Layer) else None
        if isinstance(obj.base, Layer) and rule is not None and rule.method(name) is not None:
            return self.layer_method(obj.base, name, args, kwargs, node, frame, arg_nodes)  # a ModuleDict's items()
        return obj if name in _SELF_RETURNING else UNKNOWN

    def isinstance_of(self, v: Value, cls: Value) -> Optional[bool]:
        """``isinstance(v, cls)`` where it is certain, else None."""
        if isinstance(cls, Seq):
            answers = [self.isinstance_of(v, c) for c in cls.items]
            if any(a is True for a in answers):
                return True
            return False if answers and all(a is False for a in answers) else None
        if isinstance(cls, ClassRef):
            if isinstance(v, Obj):
                return is_subclass(v.cls, cls.info)
            if isinstance(v, Const) and isinstance(v.value, EnumMember):  # a member of this enum, or of another
                return True if v.value.key == id(cls.info) else (False if enum_kind(cls.info) is None else None)
            if isinstance(v, (Tensor, Int, Const, Seq, Dict, Layer)):
                return False
            return None
        if not isinstance(cls, Ext):
            return None
        q = cls.qualname
        kind = _callable_kind(v)
        if kind is not None and q in _CALLABLE_TYPES:  # isinstance(norm_layer, (type, str, functools.partial))
            return _CALLABLE_TYPES[q] == kind
        abstract = _ABSTRACT.get(q.rsplit(".", 1)[-1]) if q.startswith(("collections.abc.", "typing.")) else None
        if abstract is not None:  # ``isinstance(x, collections.abc.Iterable)`` (timm's to_2tuple)
            return _abstract_instance(v, abstract)
        if q in _NUMBER_TOWER:  # ``isinstance(channels, numbers.Integral)`` (timm's RmsNorm2d)
            return _number_instance(v, _NUMBER_TOWER.index(q))
        if isinstance(v, Layer):
            bases = self.plugins.layer_bases(v.kind)
            if q == v.kind or q in bases or q in self.plugins.layer_roots:
                return True
            if R.lookup_layer(q) is not None and q not in bases:
                return False
            return None
        if isinstance(v, Obj):
            base = v.cls.framework_base()
            if base == q or q == "builtins.object" or q in self.plugins.object_roots:
                return True
            return None
        arrays = self.plugins.tensor_classes | {"numpy.ndarray"}  # what a list or tuple is certainly not
        simple = {Tensor: (*arrays, "tensorflow.Tensor"), Int: ("builtins.int",),
                  Seq: ("builtins.list", "builtins.tuple"), Dict: ("builtins.dict",)}
        for typ, names in simple.items():
            if isinstance(v, typ):
                if isinstance(v, Seq) and v.kind == "set":
                    return q in ("builtins.set", "builtins.frozenset") or None
                if isinstance(v, Seq):
                    return q == ("builtins.list" if v.kind == "list" else "builtins.tuple") or (
                        None if q not in arrays and q not in ("builtins.list", "builtins.tuple", "builtins.int",
                                                              "builtins.str", "builtins.float", "builtins.dict")
                        else False)
                if isinstance(v, Tensor):
                    if q in names:
                        return (q == "numpy.ndarray") == (v.fw == "numpy") if v.fw in ("numpy", "torch") else None
                    return False if q.startswith("builtins.") else None
                return True if q in names else (False if q.startswith("builtins.") else None)
        if isinstance(v, Const) and isinstance(v.value, EnumMember):  # no str, whatever its value
            return True if q in ("enum.Enum", "builtins.object") else (False if q.startswith("builtins.") else None)
        if isinstance(v, Const):
            if v.value is None:
                return q == "builtins.NoneType" if q.startswith("builtins.") else False
            t = type(v.value).__name__
            return q == f"builtins.{t}" if q.startswith("builtins.") else False
        return None


# isinstance of a class, a function or a partial against these types: which of them it is
_CALLABLE_TYPES = {"builtins.type": "class", "types.FunctionType": "function", "types.LambdaType": "function",
                   "functools.partial": "partial", "builtins.str": None, "builtins.int": None,
                   "builtins.float": None, "builtins.bool": None, "builtins.list": None, "builtins.tuple": None,
                   "builtins.dict": None}


def _callable_kind(v: Value) -> Optional[str]:
    """A class (the file's or a framework class the registry knows), a function of the file, a
    partial: which it is; None for other values."""
    if isinstance(v, ClassRef) or (isinstance(v, Ext) and R.lookup_layer(v.qualname) is not None):
        return "class"
    if isinstance(v, Func) and v.bound is None:
        return "function"
    if isinstance(v, Partial):
        return "partial"
    return None


# tensor methods no other common type has (numpy's and PIL's ``transpose``/``reshape``/``view``
# are left out): a value of unknown type with one of them is a torch tensor
_TORCH_ONLY_METHODS = frozenset({"permute", "contiguous", "unsqueeze", "movedim", "unflatten"})


# the abstract base classes whose instances the checker can tell: which of them a value is
_ABSTRACT = {"Iterable": "iter", "Collection": "iter", "Sized": "iter", "Container": "iter",
             "Sequence": "seq", "MutableSequence": "list", "Mapping": "map", "MutableMapping": "map"}


# numbers' abstract base classes, widest first: a value of one is a value of those before it
_NUMBER_TOWER = ("numbers.Number", "numbers.Complex", "numbers.Real", "numbers.Rational", "numbers.Integral")
# how deep in the tower each Python scalar type goes
_NUMBER_DEPTH = {"bool": 4, "int": 4, "float": 2, "complex": 1}


def _number_instance(v: Value, level: int) -> Optional[bool]:
    """``isinstance(v, numbers.<ABC>)`` (``level``: its place in ``_NUMBER_TOWER``) where the value's
    type is known, else None."""
    if isinstance(v, Int):
        return True
    if isinstance(v, Const):
        depth = _NUMBER_DEPTH.get(type(v.value).__name__)
        return depth is not None and level <= depth
    if isinstance(v, Number):
        return True if level == 0 else None
    if isinstance(v, (Seq, Dict, Layer)):
        return False
    if isinstance(v, Tensor):  # (a NumPy scalar is a number; a torch tensor never)
        return False if v.fw == "torch" else None
    return None


def _abstract_instance(v: Value, kind: str) -> Optional[bool]:
    """``isinstance(v, collections.abc.<kind>)`` where the value's type is known, else None."""
    if isinstance(v, Const):
        if isinstance(v.value, str):
            return kind in ("iter", "seq")
        return False  # numbers, None, booleans
    if isinstance(v, Int):
        return False
    if isinstance(v, Dict):
        return kind in ("iter", "map")
    if isinstance(v, Seq):
        if v.kind == "set":
            return kind == "iter"
        return kind in ("iter", "seq") or (kind == "list" and v.kind == "list")
    if isinstance(v, Tensor):
        return kind == "iter"
    return None


# the method table of each receiver type (containers and strings: builtins.py)
_RECEIVERS: dict[type, Callable[..., Value]] = {
    Super: MemberEvaluator.super_method,
    Tensor: MemberEvaluator.tensor_method,
    Layer: MemberEvaluator.layer_method,
    Obj: MemberEvaluator.object_method,
    ArgParser: MemberEvaluator.parser_method,
}
