"""The call evaluator: argument binding, escape, dispatch to rules, layers, functions and classes."""
from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial
from typing import Any, Optional

import libcst as cst

from .. import dims as D
from ..findings import ShapeError
from ..ops import registry as R
from ..ops.registry import Call
from ..shapes import Shape
from ..values import (
    FAILED,
    NONE,
    PURE_RULES,
    UNKNOWN,
    ClassRef,
    Const,
    Dict,
    Ext,
    Failed,
    Func,
    Int,
    Layer,
    Maybe,
    Method,
    Obj,
    OneOf,
    Param,
    Seq,
    Super,
    Tensor,
    Value,
    analysis_state,
    epoch,
    failed,
    merge_all,
    method_namespace,
    poison,
    present,
    refine_param,
    resolve_value,
    result_fw,
    update_items,
)
from . import rewrite as RW
from .context import Budget, Context, Part
from .frames import ITEMS, UNKNOWN_CHILDREN, UNKNOWN_KEY, UNKNOWN_STAR, Frame, branch
from .objects import (
    MAX_DEPTH,
    ArgParser,
    ClassInfo,
    FuncInfo,
    Partial,
    copy_value,
    enum_kind,
    enum_member,
    init_record,
    is_record_class,
    record_items,
    reveal_text,
    signature,
)
from .reuse import Reuse, plain_result
from .syntax import is_classmethod, is_static

# builtins that read a tensor without keeping a view of it
_VALUE_SAFE_BUILTINS = {"builtins.len", "builtins.isinstance", "builtins.print", "builtins.str", "builtins.repr",
                        "builtins.type", "builtins.id", "builtins.hasattr", "builtins.float", "builtins.int",
                        "builtins.bool", "builtins.reveal_shape", "builtins.callable", "builtins.format"}


class RunWatch:
    """Which functions a run analysed (memo hits aside), and which function each of its findings
    came from (the innermost one that ran): the driver weighs a run with defaults by them."""

    def __init__(self) -> None:
        self.ran: set[int] = set()
        self.owner: dict[int, int] = {}  # id(finding) -> id(function)

    def note(self, fn: FuncInfo, findings: list) -> None:
        self.ran.add(id(fn))
        for f in findings:
            self.owner.setdefault(id(f), id(fn))


# an annotation naming a layer type or a factory (the parameter picks how a block is built)
_LAYER_TYPE = re.compile(r"\b(Type|Callable|LayerType|ModuleType)\b")


def _open_callee(fn: Value) -> bool:
    """Whether a call of ``fn`` can take keywords we cannot all name: a function or class of the
    project (their parameters bind them, ``_run_function``), not a rule of the catalog."""
    if isinstance(fn, Partial):
        fn = fn.fn
    return isinstance(fn, (Func, ClassRef))


# library calls ``call_ext`` models itself: what they are given is not lost in unknown code
# (``partial(ConvNormAct, norm_kwargs=dict(eps=1e-3))`` keeps its dict)
# the functions of ``dataclasses`` modelled on a record the file built (``_dataclass_call``)
_DATACLASS_CALLS = frozenset({"dataclasses.asdict", "dataclasses.astuple", "dataclasses.replace"})
_MODELLED = frozenset({"functools.partial", "copy.copy", "copy.deepcopy", "argparse.ArgumentParser"}) \
    | _DATACLASS_CALLS

# builtins that iterate their arguments (a container of modules iterates its children)
_ITERATING = frozenset({"builtins.enumerate", "builtins.zip", "builtins.list", "builtins.tuple", "builtins.reversed"})


class CallEvaluator(Part):
    """Calls: argument binding, escape of tensors into unknown code, framework functions and
    layers through the registry, functions and classes of the file (memoized, depth-limited)."""

    watch: Optional[RunWatch] = None  # set while the driver watches a run
    layer_defaults = True  # a generic run takes a layer-type default as given (``_layer_default``)
    # set while a summary records a forward pass: told of each function rule applied (``torch.cat``,
    # ``x + y``, ``x.view(...)``) with its call, output and node, so a graph can join the tensors
    on_rule: Optional[Callable[[Call, Value, Any], None]] = None
    # whether a module or a method's result may be one made for a module built alike (``reuse``); off
    # while a summary records each module's call
    alike = True

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.reuse = Reuse(self)  # what is built alike, built and run once

    def ex_Call(self, e: cst.Call, frame: Frame) -> Value:
        fn = self.exprs.eval(e.func, frame)
        args: list = []
        kwargs: dict = {}
        arg_nodes: dict = {}
        for a in e.args:
            if a.keyword is not None:
                v = self.exprs.eval(a.value, frame)
                kwargs[a.keyword.value] = v
                arg_nodes[a.keyword.value] = a.value
            elif a.star == "*":
                v = self.exprs.eval(a.value, frame)
                items = self.exprs.iter_items(v)
                if items is None:
                    args = None  # type: ignore[assignment]
                    break
                args.extend(items)
            elif a.star == "**":
                v = self.exprs.eval(a.value, frame)
                if isinstance(v, Dict) and UNKNOWN_KEY not in v.items:
                    update_items(kwargs, v.items)
                elif isinstance(v, Dict) and len(v.items) > 1 and _open_callee(fn):
                    # keywords we know and maybe others (``kwargs`` after ``kwargs.setdefault(n, ...)``):
                    # the known ones bind, the callee's other parameters may be given (open_bind)
                    kwargs.update(v.items)
                else:  # keywords we cannot name: the call is unknown
                    return UNKNOWN
            else:
                arg_nodes[len(args)] = a.value
                args.append(self.exprs.eval(a.value, frame))
        if args is None:
            return UNKNOWN
        self._escape(fn, args, kwargs)
        if isinstance(fn, (Func, ClassRef, Obj)) and frame.bindings.map:
            # sizes unified here travel into the callee, which has its own bindings
            args = [resolve_value(a, frame.bindings) for a in args]
            kwargs = {k: resolve_value(v, frame.bindings) for k, v in kwargs.items()}
        if not self.known_callee(fn):
            # a function we cannot see may fill a dict or list it is given (kwargs, layers): forget their contents
            for a in list(args) + list(kwargs.values()):
                self._forget_contents(a)
        self.ctx.param_binds = {}
        self.ctx.seed_binds = self._param_sizes(frame) if any(isinstance(a, Param) for a in args) else {}
        out = self.call_value(fn, args, kwargs, e, frame, arg_nodes)
        self.ctx.seed_binds = {}
        for sym, val in self.ctx.param_binds.items():
            # what the callee learned of a parameter's sizes holds here too: it is the same tensor
            # (a block whose two branches each feed ``x`` to a conv of their own)
            if sym not in frame.bindings.map and not (not isinstance(val, int) and sym in val.free_symbols):
                frame.bindings.map[sym] = val
        self.ctx.param_binds = {}
        return out

    def _param_sizes(self, frame: Frame) -> dict:
        """What ``frame`` bound the flexible sizes of refined parameters (``values.refine_param``)
        to: they travel with the parameter into a callee and back, being sizes of the one tensor the
        caller was given."""
        refined = analysis_state().refined_dims
        return {d: frame.bindings.resolve(d) for d in frame.bindings.map if d in refined}

    def _layer_default(self, p: cst.Param, defaults_frame: Frame) -> Value:
        """A parameter the generic run leaves unknown whose default names a layer type or a function
        (``norm_layer=nn.BatchNorm2d``, ``act_layer=partial(nn.GELU)``, ``block=Bottleneck``): that
        default. A caller may pass another, but the sizes follow the arguments, not the type; so does
        None for a parameter annotated as a layer type (``conv_block: Optional[Type[nn.Module]] =
        None``, then ``conv_block or ConvNormAct``). A flag, a string or another None stays unknown
        (both branches run)."""
        d = p.default
        if not self.layer_defaults:
            return UNKNOWN
        if isinstance(d, cst.Name) and d.value == "None" and p.annotation is not None and \
                _LAYER_TYPE.search(self.ctx.text(p.annotation.annotation)):
            return NONE  # ``conv_block: Optional[Type[nn.Module]] = None``: then ``conv_block or ConvNormAct``
        if d is None or not isinstance(d, (cst.Name, cst.Attribute, cst.Call)) or (
                isinstance(d, cst.Name) and d.value in ("None", "True", "False")):
            return UNKNOWN
        v = self.exprs.eval(d, defaults_frame)
        if isinstance(v, (ClassRef, Func, Partial)) or (
                isinstance(v, Ext) and self.known_callee(v) and not v.qualname.startswith("builtins.")):
            return v
        return UNKNOWN

    def _open_param(self, p: cst.Param, defaults_frame: Frame) -> Value:
        """A parameter keywords we cannot name may give: a size parameter (an int default) is any
        size, as in the generic analysis; another keeps its default (a layer type, a flag), since
        ``**kwargs`` that a builder filled with ``setdefault`` from a config it read leaves
        them as they were."""
        if p.default is None or self.sources.generic_param(p) is not UNKNOWN:
            return self.sources.generic_param(p)
        return self.exprs.eval(p.default, defaults_frame)

    def _escape(self, fn: Value, args: list, kwargs: dict) -> None:
        """Tensors given to a call that may change them in place (or keep a view of them) lose their
        values; only the value-folding rules and harmless builtins keep them."""
        if isinstance(fn, Ext) and fn.qualname.startswith("builtins."):
            if fn.qualname not in _VALUE_SAFE_BUILTINS:
                for a in list(args) + list(kwargs.values()):
                    if isinstance(a, Tensor):  # list(x), zip(x, y): views of its rows
                        poison(a)
            return
        if isinstance(fn, Method) and isinstance(fn.obj, (Seq, Dict, Const, Int)):
            return  # lst.append(x) keeps the same tensor
        if "out" not in kwargs:
            if isinstance(fn, Ext) and R.lookup_func(fn.qualname) in PURE_RULES:
                return
            if isinstance(fn, Method) and isinstance(fn.obj, Tensor):
                ns = method_namespace(fn.obj.fw)
                if (R.lookup_func(f"{ns}.{fn.name}") or R.lookup_func(f"tensor.{fn.name}")) in PURE_RULES:
                    return
        for a in list(args) + list(kwargs.values()):
            poison(a)
        if isinstance(fn, Method):
            poison(fn.obj)
        elif isinstance(fn, Partial):
            for a in list(fn.args) + list(fn.kwargs.values()):
                poison(a)

    def known_callee(self, fn: Value) -> bool:
        if isinstance(fn, Ext):
            return fn.qualname.startswith("builtins.") or fn.qualname in _MODELLED or \
                R.lookup_func(fn.qualname) is not None or R.lookup_layer(fn.qualname) is not None
        return not (fn is UNKNOWN or isinstance(fn, Param))

    def _forget_contents(self, v: Value) -> None:
        if isinstance(v, Dict) and list(v.items) != [UNKNOWN_KEY]:
            self.flow.record(v, ITEMS)
            v.items.clear()
            v.items[UNKNOWN_KEY] = UNKNOWN
        elif isinstance(v, Seq) and v.kind == "list" and UNKNOWN_STAR not in v.items:
            self.flow.record(v, ITEMS)
            v.items[:] = [UNKNOWN_STAR]

    def make_call(self, args: list, kwargs: dict, node: Any, bindings: D.Bindings, texts: Optional[dict] = None,
                  fw: str = "torch", qualname: str = "") -> Call:
        """The rule-facing ``Call``: its arguments, the source texts of their nodes (fixes), a way to
        report a warning on this node, and the running analysis's state."""
        texts = texts or {}

        def text(key: Any) -> str:
            if key == "func" and isinstance(node, cst.Call):
                return self.ctx.text(node.func)
            if key == "call":
                return self.ctx.text(node)
            n = texts.get(key)
            return self.ctx.text(n) if n is not None else "?"

        def invoke(f: Value, a: list, kw: dict) -> Value:
            return self.call_value(f, a, kw, node, Frame({}, bindings, None, self.ctx.current.ns), {})

        def warn(kind: str, message: str, fix: Any = None, where: Any = None, only_in: Optional[str] = None) -> None:
            self.ctx.report(kind, message, where if where is not None else node, fix, only_in=only_in)

        def rewrite(replace: dict, keywords: dict) -> Optional[str]:
            if self.ctx.current is not self.ctx.main:
                return None  # (a finding in an imported file's code goes on the call here, without its fix)
            nodes: dict = {}
            for key, new_text in replace.items():
                n = node.func if key == "func" and isinstance(node, cst.Call) else texts.get(key)
                if n is None:
                    return None
                nodes[n] = new_text
            return RW.rewrite(self.ctx.module, node, nodes, keywords, bound=self._bound_module, source=self.ctx.source)

        def arg_edit(ctor: Any, index: Optional[int], keyword: Optional[str]) -> Any:
            arg = RW.argument(ctor, index, keyword)
            if arg is None or RW.literal_int(arg) is None:
                return None
            return arg, isinstance(arg, cst.Integer)

        return Call(args, kwargs, bindings, text, invoke, fw, qualname, node, warn, self.ctx.state, rewrite, arg_edit,
                    self.reuse.ran_through_chain)

    def _bound_module(self, name: str) -> bool:
        """Whether a fix may spell a module ``name`` (``np``, ``tf``): the checked file binds it to
        that module."""
        want = RW.MODULE_ALIASES.get(name)
        v = self.ctx.globals.get(name)
        return want is not None and isinstance(v, Ext) and R.canonical(v.qualname) in want

    def run_rule(self, work: Callable[[], Any], node: Any) -> Value:
        """Run a shape rule; its ``ShapeError`` becomes a finding on ``node`` (or where it points)."""
        try:
            out = work()
        except ShapeError as err:
            self.ctx.report_error(err, node)
            return FAILED
        return out if isinstance(out, Value) else UNKNOWN

    def apply_rule(self, fn: Callable[[Call], Value], call: Call, node: Any) -> Value:
        """``run_rule`` of ``fn(call)``, remembering the op that made each TF tensor it returns."""
        out = self.run_rule(partial(fn, call), node)
        R.remember(fn, call, out)
        if self.on_rule is not None:
            self.on_rule(call, out, node)
        return out

    def call_value(self, fn: Value, args: list, kwargs: dict, node: Any, frame: Frame, arg_nodes: dict) -> Value:
        if isinstance(fn, Failed):
            return FAILED  # (``y.mean(...)`` of a y that failed upstream)
        if isinstance(fn, Ext):
            # (a keyword a ``**kwargs`` may lack: the library's default is not known here)
            kwargs = {k: UNKNOWN if isinstance(v, Maybe) else v for k, v in kwargs.items()}
            return self.call_ext(fn.qualname, args, kwargs, node, frame, arg_nodes)
        if isinstance(fn, Method):
            return self.members.call_method(fn, args, kwargs, node, frame, arg_nodes)
        if isinstance(fn, Param) and "." in fn.name:  # x.view(...) of a parameter: a method of it
            base, name = fn.name.rsplit(".", 1)
            return self.members.call_method(Method(Param(base), name), args, kwargs, node, frame, arg_nodes)
        if isinstance(fn, Func):
            return self.call_func(fn.info, args, kwargs, bound=fn.bound, node=node)
        if isinstance(fn, ClassRef) and enum_kind(fn.info) is not None:  # Format("XYXY"): a member
            return enum_member(fn.info, "value", args[0]) if len(args) == 1 and not kwargs else UNKNOWN
        if isinstance(fn, ClassRef):
            return self.instantiate(fn.info, args, kwargs, node)
        if isinstance(fn, Partial):
            return self.call_value(fn.fn, fn.args + list(args), {**fn.kwargs, **kwargs}, node, frame, {})
        if isinstance(fn, OneOf):  # a module one of several branches built: each runs
            return self._call_options(fn.modules, args, kwargs, node, frame, arg_nodes)
        if isinstance(fn, (Layer, Obj)):
            out = self.apply_module(fn, args, kwargs, node, frame, arg_nodes)
            if self.ctx.trace is not None and id(fn) not in self.ctx.trace:
                self.ctx.trace[id(fn)] = out
            return out
        return UNKNOWN

    def _call_options(self, options: tuple, args: list, kwargs: dict, node: Any, frame: Frame,
                      arg_nodes: dict) -> Value:
        """Each module a ``OneOf`` may be, called as on a branch of its own: what one option binds
        of the input's sizes is no constraint on another (``Linear(3 * d, d) if pool else Linear(d,
        d)`` fed a tensor of unknown width: the caller picks the input with the option), and only
        what they all bind holds after the call."""
        if len(options) == 1:
            return self.call_value(options[0], list(args), dict(kwargs), node, frame, arg_nodes)
        outs, binds, learned = [], [], []
        before = dict(self.ctx.param_binds)
        for o in options:
            sub = branch(frame)
            self.ctx.param_binds = dict(before)
            outs.append(self.call_value(o, list(args), dict(kwargs), node, sub, arg_nodes))
            binds.append(sub.bindings.map)
            learned.append(self.ctx.param_binds)
        frame.bindings.map = {k: v for k, v in binds[0].items() if all(k in b and b[k] == v for b in binds[1:])}
        self.ctx.param_binds = {k: v for k, v in learned[0].items()
                                if all(k in b and b[k] == v for b in learned[1:])}
        return merge_all(outs)

    def apply_module(self, fn: Value, args: list, kwargs: dict, node: Any, frame: Frame, arg_nodes: dict) -> Value:
        if args and isinstance(args[0], Failed):
            return FAILED  # (a module applied to what failed upstream: nothing more on it)
        if isinstance(fn, Layer):
            rule = R.lookup_layer(fn.kind)
            if rule is None:
                return UNKNOWN
            if args and isinstance(args[0], Param) and rule.trailing_dims > 1:
                refine_param(args[0], rule.trailing_dims)  # a conv's input: (*, C, H, W) from now on
            if args and args[0] is UNKNOWN and getattr(rule, "output_on_unknown", False):
                # a layer applied to a value we cannot see into (a backbone's output, a batch from a
                # loader) still gives what it guarantees: Linear(768, 256) -> (*, 256)
                args = [Tensor(Shape.unknown(), rule.framework)] + list(args[1:])
            call = self.make_call(args, kwargs, node, frame.bindings, texts=arg_nodes, fw=rule.framework,
                                  qualname=fn.kind)
            return self.run_rule(lambda: rule.apply(fn, call), node)
        assert isinstance(fn, Obj)
        self.plugins.before_call(fn, args, node, frame)  # (Keras builds before the first call)
        for name in ("forward", "call", "__call__"):
            m = fn.cls.lookup(name)
            if isinstance(m, FuncInfo):
                return self.call_func(m, self._unknown_as_params(m, args), kwargs, bound=fn, node=node)
        if fn.base is not None:
            return self.call_value(fn.base, args, kwargs, node, frame, arg_nodes)
        return UNKNOWN

    def _unknown_as_params(self, m: FuncInfo, args: list) -> list:
        """A module called on data we cannot see (``model(batch)``, a batch from a loader): each
        unknown positional argument is the parameter it binds, as in the generic analysis -- a
        tensor of unknown rank with flexible sizes where used as a tensor, nothing it may not be."""
        if not any(a is UNKNOWN for a in args):
            return args
        plist = list(m.params.posonly_params) + list(m.params.params)
        if m.cls is not None and plist and not is_static(m.node):
            plist = plist[1:]
        return [Param(plist[i].name.value) if a is UNKNOWN and i < len(plist) and plist[i].default is None
                and plist[i].annotation is None else a for i, a in enumerate(args)]

    def call_ext(self, q: str, args: list, kwargs: dict, node: Any, frame: Frame, arg_nodes: dict) -> Value:
        if q == "builtins.super":
            fn = frame.func
            if fn is not None and fn.cls is not None:
                plist = list(fn.params.posonly_params) + list(fn.params.params)
                me = frame.env.get(plist[0].name.value) if plist else None
                if isinstance(me, Obj):
                    return Super(me, fn.cls)
            return UNKNOWN
        if q in ("copy.copy", "copy.deepcopy") and len(args) == 1 and not kwargs:
            return copy_value(args[0], q == "copy.deepcopy", {})
        if q == "argparse.ArgumentParser":
            return ArgParser()
        if q in _DATACLASS_CALLS and args and isinstance(args[0], Obj) and is_record_class(args[0].cls):
            return self._dataclass_call(q, args[0], args[1:], kwargs, node)
        if q == "builtins.dir" and len(args) == 1 and isinstance(args[0], Ext):
            # dir(torch.nn.functional): the names the checker knows there, and others
            # (timm's ``_has_silu = 'silu' in dir(torch.nn.functional)``)
            return Seq([Const(n) for n in R.public_names(args[0].qualname)] + [UNKNOWN_STAR], "list")
        if q in _ITERATING and any(isinstance(a, (Layer, Obj, Dict)) for a in args):
            # enumerate(self.blocks), zip(self.convs, self.norms), list(seq): a container's members
            args = [Seq(items, "list") if isinstance(a, (Layer, Obj, Dict)) and (
                items := self.exprs.iter_items(a)) is not None else a for a in args]
        if q == "functools.partial" and args:
            inner = args[0]
            if isinstance(inner, Partial):  # a partial of a partial is flattened, as functools does
                return Partial(inner.fn, list(inner.args) + list(args[1:]), {**inner.kwargs, **kwargs})
            return Partial(inner, list(args[1:]), dict(kwargs))
        if q == "builtins.setattr" and len(args) == 3:
            name = args[1]
            if isinstance(name, Const) and isinstance(name.value, str):
                self.members.set_attr(args[0], name.value, args[2], node, frame.bindings)
            elif isinstance(args[0], Obj):
                self.flow.record(args[0], UNKNOWN_CHILDREN)
                args[0].attrs[UNKNOWN_CHILDREN] = Const(True)
            return NONE
        if q in ("builtins.getattr", "builtins.hasattr") and len(args) in (2, 3) and not kwargs \
                and isinstance(args[1], Const) and isinstance(args[1].value, str):
            has = self.members.has_attr(args[0], args[1].value)
            if q == "builtins.hasattr":
                return UNKNOWN if has is None else Const(has)
            if has:  # getattr(self, 'aa', None)
                return self.members.get_attr(args[0], args[1].value, node, frame)
            return args[2] if has is False and len(args) == 3 else UNKNOWN
        if q == "builtins.bool" and len(args) == 1 and not kwargs:  # flatten=bool(global_pool)
            truth = self.exprs.truth_of(args[0])
            return UNKNOWN if truth is None else Const(truth)
        if q == "builtins.isinstance" and len(args) == 2:
            got = self.members.isinstance_of(args[0], args[1])
            return UNKNOWN if got is None else Const(got)
        if q == "builtins.reveal_shape" and len(args) == 1:
            if self.ctx.current is self.ctx.main and not self.ctx.second_run:
                self.ctx.revealed.append((node, reveal_text(args[0], frame.bindings)))
            return args[0]
        rule = R.lookup_layer(q)
        if rule is not None:
            call = self.make_call(args, kwargs, node, frame.bindings, texts=arg_nodes, fw=rule.framework, qualname=q)
            try:
                config = rule.build(call)
            except ShapeError as err:
                self.ctx.report(err.kind, err.message, err.where if err.where is not None else node, err.fix)
                return UNKNOWN
            if config is None:
                return UNKNOWN
            layer = Layer(q if not rule.names else rule.names[0], config, node)
            self.ctx.created.append(layer)
            if rule.defer_build_check and self.ctx.current is self.ctx.main:
                self.reuse.defer_check(layer, rule, call, node)
            else:
                self.run_rule(lambda: rule.after_build(layer, call), node)
            return layer
        shape_rule = R.lookup_func(q)
        if shape_rule is None:
            return UNKNOWN
        if failed(args) or failed(kwargs.values()):
            return FAILED  # (a failure reported upstream: nothing more on it)
        call = self.make_call(args, kwargs, node, frame.bindings, texts=arg_nodes, fw=result_fw(q), qualname=q)
        out = self.apply_rule(shape_rule, call, node)
        self.plugins.after_function(q, out, kwargs, node)
        return out

    def instantiate(self, cls: ClassInfo, args: list, kwargs: dict, node: Any, generic: bool = False) -> Value:
        init = cls.lookup("__init__")
        reuse = self.reuse
        made_key = reuse.made_key(cls, init, args, kwargs, node, generic)
        if made_key is not None and made_key in self.ctx.memo:
            again = reuse.make_again(self.ctx.memo[made_key], args, kwargs)
            if again is not None:
                cls.analysed = True
                return again
        start = epoch()
        obj = Obj(cls, node=node)
        self.ctx.instances.append(obj)
        base_q = cls.framework_base()
        if isinstance(init, FuncInfo):
            first = len(self.ctx.instances) - 1, len(self.ctx.created)
            effects = reuse.effects() if made_key is not None else None
            reuse.building.add(id(obj))
            try:
                self.call_func(init, args, kwargs, bound=obj, node=node, generic=generic)
            except BaseException:
                # a constructor cut short (out of budget) built half an object: not an instance the
                # file built, whose methods would run on the attributes it never set
                self.ctx.instances.remove(obj)
                reuse.kept(start, effects)
                reuse.constructed(obj, done=False)
                raise
            if made_key is not None and reuse.kept(start, effects, made=True):
                reuse.remember(made_key, obj, start, first, args, kwargs)
            reuse.constructed(obj, done=True)
        elif UNKNOWN_KEY in kwargs:
            pass  # keywords we cannot all name, for fields or a framework layer: an object of unknown contents
        elif cls.fields and is_record_class(cls):  # @dataclass / NamedTuple: fields from the arguments
            init_record(cls, obj, args, kwargs)
            post = cls.lookup("__post_init__")
            if isinstance(post, FuncInfo):  # (timm's CspStagesCfg pads its per-stage tuples there)
                self.call_func(post, [], {}, bound=obj, node=node)
        elif base_q is not None and R.lookup_layer(base_q) is not None:
            obj.base = self.build_base(base_q, args, kwargs, node)
        cls.analysed = True
        return obj

    def _given(self, p: cst.Param, v: Value, defaults_frame: Frame) -> Value:
        """A keyword argument as its parameter takes it: one a ``**kwargs`` may lack (``Maybe``) is
        its value or the parameter's default."""
        if not isinstance(v, Maybe):
            return v
        default = self.exprs.eval(p.default, defaults_frame) if p.default is not None else None
        if v.value is UNKNOWN and default is not None:
            # a value some config may give (timm's registry): a size is a setting of its own, FALSE
            # only where no value fits (``in_chans`` against a stem's hard-wired 3 is no finding);
            # a flag or a layer type keeps its default
            return Int(D.computed(p.name.value)) if isinstance(default, Int) else self._open_param(p, defaults_frame)
        return present(v, default)

    def _dataclass_call(self, q: str, obj: Obj, rest: list, kwargs: dict, node: Any) -> Value:
        """``dataclasses.asdict``/``astuple`` (nested records too) and ``replace`` (a new record
        through the constructor, ``__post_init__`` included) of a record the file built."""
        if q == "dataclasses.replace":
            if rest or UNKNOWN_KEY in kwargs:
                return UNKNOWN  # (which fields the unknown keywords replace: unknown)
            fields = {n: obj.attrs.get(n, UNKNOWN) for n in obj.cls.fields}
            update_items(fields, kwargs)
            return self.instantiate(obj.cls, [], fields, node)
        if rest or kwargs:
            return UNKNOWN  # (a dict_factory / tuple_factory)
        return record_items(obj, q == "dataclasses.asdict", 0)

    def build_base(self, q: str, args: list, kwargs: dict, node: Any) -> Optional[Layer]:
        v = self.call_ext(q, args, kwargs, node, Frame({}, D.Bindings(), None, self.ctx.current.ns), {})
        return v if isinstance(v, Layer) else None

    def call_func(self, fn: FuncInfo, args: list, kwargs: dict, bound: Optional[Value] = None, node: Any = None,
                  generic: bool = False) -> Value:
        """Analyse ``fn`` with these arguments (memoized); an internal error is SHP901 for ``fn`` alone."""
        fn.analysed = True
        fn.generic = fn.generic or generic
        key = (id(fn), id(bound), generic, tuple(signature(a) for a in args),
               tuple(sorted((k, signature(v)) for k, v in kwargs.items())))
        reusable = not any(isinstance(a, Dict) or (isinstance(a, Seq) and a.kind == "list")
                           for a in list(args) + list(kwargs.values()))
        # (a call given a dict or list runs again: what it writes into them must happen again)
        if key in self.ctx.memo and reusable:
            return self.ctx.memo[key]
        alike = self.reuse.method_key(fn, bound, key, node) if reusable else None
        if alike is not None and alike in self.ctx.memo:
            return self.ctx.memo[alike]
        self.ctx.memo_alive.append((bound, args, kwargs))  # the ids in the key stay theirs
        if fn in self.ctx.stack or len(self.ctx.stack) >= MAX_DEPTH:
            return UNKNOWN
        self.ctx.stack.append(fn)
        self.ctx.memo[key] = UNKNOWN
        saved = self.ctx.current, self.ctx.entry
        home = fn.home if fn.home is not None else self.ctx.main
        if home is not self.ctx.current:
            if self.ctx.current is self.ctx.main:
                self.ctx.entry = (node if node is not None else fn.node, fn)
            self.ctx.current = home
        watch = self.watch
        before = len(self.ctx.findings) if watch is not None else 0
        start = epoch()
        effects = self.reuse.effects() if alike is not None else None
        try:
            result = self._run_function(fn, args, kwargs, bound, generic)
        except (Budget, RecursionError):
            raise
        except Exception as e:  # noqa: BLE001 - failure containment: this function, not the file
            what = f"{fn.cls.name}.{fn.name}" if fn.cls is not None else fn.name
            self.ctx.report("analysis-skipped", f"function {what} not analyzed: internal error "
                                                f"{type(e).__name__}: {e}"[:300], fn.node)
            result = UNKNOWN
        finally:
            self.ctx.stack.pop()
            self.ctx.current, self.ctx.entry = saved
            if watch is not None:
                watch.note(fn, self.ctx.findings[before:])
            kept = self.reuse.kept(start, effects)
        if isinstance(result, Layer) and result.born > start and _built_by_first_input(result):
            # a factory (``def cell(): return BasicLSTMCell(64)``): each call makes a layer of its own,
            # which its first input builds (a Keras layer, a TF1 cell), so it runs again; a torch
            # module is built whole by its constructor, and one made alike may stand for each
            del self.ctx.memo[key]
        else:
            self.ctx.memo[key] = result
            if alike is not None and kept and plain_result(result):
                self.ctx.memo[alike] = result
        return result

    def _run_function(self, fn: FuncInfo, args: list, kwargs: dict, bound: Optional[Value], generic: bool) -> Value:
        env: dict = {}
        params = fn.params
        plist = list(params.posonly_params) + list(params.params)
        static = is_static(fn.node)
        if fn.cls is not None and not static and plist:
            self_name = plist[0].name.value
            if is_classmethod(fn.node):
                env[self_name] = ClassRef(fn.cls)
            else:
                env[self_name] = bound if bound is not None else UNKNOWN
            plist = plist[1:]
        scope = fn.scope if fn.scope is not None else (fn.home.ns if fn.home is not None else self.ctx.globals)
        frame = Frame(env, D.Bindings(self.ctx.seed_binds), fn, scope)
        self.ctx.seed_binds = {}
        defaults_frame = Frame({}, frame.bindings, None, scope)
        opened = UNKNOWN_KEY in kwargs  # keywords beside the known ones may be given
        for i, p in enumerate(plist):
            name = p.name.value
            if i < len(args):
                env[name] = self._layer_default(p, defaults_frame) if generic and args[i] is UNKNOWN else args[i]
            elif name in kwargs:
                env[name] = self._given(p, kwargs[name], defaults_frame)
            elif opened:
                env[name] = self._open_param(p, defaults_frame)
            elif p.default is not None:
                env[name] = self.exprs.eval(p.default, defaults_frame)
            else:
                env[name] = self.sources.generic_param(p) if generic else UNKNOWN  # (a call missing it raises)
        if isinstance(params.star_arg, cst.Param):
            extra = args[len(plist):]
            env[params.star_arg.name.value] = UNKNOWN if generic else Seq(list(extra), "tuple")
        for p in params.kwonly_params:
            name = p.name.value
            if name in kwargs:
                env[name] = self._layer_default(p, defaults_frame) if generic and kwargs[name] is UNKNOWN \
                    else self._given(p, kwargs[name], defaults_frame)
            elif opened:
                env[name] = self._open_param(p, defaults_frame)
            elif p.default is not None:
                env[name] = self.exprs.eval(p.default, defaults_frame)
            else:
                env[name] = self.sources.generic_param(p) if generic else UNKNOWN
        if params.star_kwarg is not None:
            known = {p.name.value for p in plist} | {p.name.value for p in params.kwonly_params}
            # a generic run takes the defaults of the parameters it is not given, and so no extra
            # keywords (``resnet18(**kwargs)`` -> ``ResNet(block, layers, **kwargs)`` builds the model
            # the plain call builds); extra positionals stay unknown (``forward(self, *xs)`` expects some)
            env[params.star_kwarg.name.value] = Dict({k: v for k, v in kwargs.items() if k not in known})
        # annotations on parameters given no concrete tensor: jaxtyping shapes
        for p in plist + list(params.kwonly_params):
            if p.annotation is not None:
                cur = env.get(p.name.value)
                if cur is UNKNOWN:
                    # A jaxtyping annotation declares the shape of an argument the caller could not
                    # tell; other annotations (int) would name an unknown value after this parameter
                    # and make two values the caller knows to be equal look different.
                    ann = self.sources.annotation_value(p.annotation.annotation, p.name.value)
                    if isinstance(ann, Tensor):
                        env[p.name.value] = ann
        body = fn.node.body
        # Given keywords we cannot all name, its parameters hold what an unknown caller passes: a
        # condition on them ("holds only if in_chans == 3") is that caller's to decide, not reported.
        self.ctx.second_run += opened
        try:
            if isinstance(body, cst.IndentedBlock):
                self.stmts.exec_block(body.body, frame)
            elif isinstance(body, cst.SimpleStatementSuite):
                for small in body.body:
                    self.stmts.exec_small(small, frame)
        finally:
            self.ctx.second_run -= opened
        self.ctx.param_binds = self._param_sizes(frame)  # (for the caller: ex_Call)
        if fn.name == "__init__" and isinstance(bound, Obj):
            return NONE
        if not frame.returns:
            return NONE
        # (modules built on two paths, a try and its fallback: one of them)
        return merge_all([resolve_value(r, frame.bindings) for r in frame.returns])


def _built_by_first_input(layer: Layer) -> bool:
    """Whether a layer's weights are made by its first call (Keras, TF1 cells), not by its constructor."""
    rule = R.lookup_layer(layer.kind)
    return rule is not None and rule.framework in ("keras", "tf")
