"""The expression evaluator: ``ex_*`` handlers, operators, comparisons, truth and iteration."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, Optional

import libcst as cst

from .. import dims as D
from .. import pyast
from ..ops import registry as R
from ..ops import streams as ST
from ..shapes import Shape
from ..values import (
    FAILED,
    NONE,
    NUMBER,
    UNKNOWN,
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
    Value,
    as_bool,
    as_dim,
    as_int,
    merge_values,
    poison,
    present,
    same_value,
    tensor_of,
    update_items,
    without_values,
)
from .context import Part
from .frames import UNKNOWN_KEY, UNKNOWN_STAR, Frame, branch
from .objects import (
    BINOPS,
    MAX_ITEMS,
    MAX_UNROLL,
    PYOPS,
    FuncInfo,
    Partial,
    enum_member,
    int_arith,
    number,
    plain_value,
)
from .project import ModuleRef
from .syntax import string_value

_ARITH = frozenset({"add", "sub", "mul", "truediv", "floordiv", "mod", "pow"})
_BUILTIN_NAMES = frozenset(dir(__import__("builtins")))


class ExpressionEvaluator(Part):
    """Expressions: one handler per node kind (``ex_*``), operators, comparisons, truth, iteration."""

    def wire(self, other: Part) -> None:
        """Also build the handler table: node class name -> ``ex_*`` handler, wherever it lives
        (``ex_Call`` in calls.py, ``ex_Attribute`` in members.py)."""
        super().wire(other)
        self.handlers: dict[type, Callable[[Any, Frame], Value]] = {}
        for part in (self, self.calls, self.members):
            for name in dir(type(part)):
                if name.startswith("ex_"):
                    self.handlers[getattr(cst, name[3:])] = getattr(part, name)

    def eval(self, e: Optional[cst.BaseExpression], frame: Frame) -> Value:
        if e is None:
            return UNKNOWN
        self.ctx.tick()
        handler = self.handlers.get(type(e))
        if handler is None:
            return UNKNOWN
        return handler(e, frame)

    def ex_Name(self, e: cst.Name, frame: Frame) -> Value:
        n = e.value
        if n in frame.env:
            return self.project.read_name(frame.env, n)
        g = frame.globals if frame.globals is not None else self.ctx.globals
        if n in g:
            return self.project.read_name(g, n)
        if n in ("True", "False"):
            return Const(n == "True")
        if n == "None":
            return NONE
        if self.ctx._stars and n not in _BUILTIN_NAMES:
            got = self.project.star_name(g, n)
            if got is not None:
                return got
        return Ext(f"builtins.{n}")

    def ex_Integer(self, e: cst.Integer, frame: Frame) -> Value:
        try:
            return Int(int(pyast.literal(e.value)))
        except Exception:  # noqa: BLE001
            return UNKNOWN

    def ex_Float(self, e: cst.Float, frame: Frame) -> Value:
        try:
            return Const(float(pyast.literal(e.value)))
        except Exception:  # noqa: BLE001
            return UNKNOWN

    def ex_SimpleString(self, e: cst.SimpleString, frame: Frame) -> Value:
        v = string_value(e)
        return Const(v) if v is not None else UNKNOWN

    def ex_ConcatenatedString(self, e: cst.ConcatenatedString, frame: Frame) -> Value:
        v = string_value(e)
        return Const(v) if v is not None else UNKNOWN

    def ex_FormattedString(self, e: cst.FormattedString, frame: Frame) -> Value:
        out: Optional[list] = []
        for part in e.parts:
            if isinstance(part, cst.FormattedStringExpression):
                v = plain_value(self.eval(part.expression, frame))
                if v is None or part.conversion is not None or part.format_spec is not None or out is None:
                    out = None
                else:
                    out.append(str(v))
            elif isinstance(part, cst.FormattedStringText) and out is not None:
                out.append(part.value)
        # f"stage{i}" with a known i is that string (torch module names)
        known = out is not None and "{" not in e.start and e.start.lower().count("b") == 0
        return Const("".join(out)) if known and out is not None else UNKNOWN

    def ex_Ellipsis(self, e: cst.Ellipsis, frame: Frame) -> Value:
        return Const(Ellipsis)

    def ex_Tuple(self, e: cst.Tuple, frame: Frame) -> Value:
        return Seq(self._elements(e.elements, frame), "tuple")

    def ex_List(self, e: cst.List, frame: Frame) -> Value:
        return Seq(self._elements(e.elements, frame), "list")

    def ex_Set(self, e: cst.Set, frame: Frame) -> Value:
        return self.set_of(self._elements(e.elements, frame))

    def set_of(self, items: list) -> Value:
        """A set of known numbers, strings and classes (``{BatchNormAct2d, GroupNormAct}``), each once;
        only its size and members are used, never an order. Anything else is unknown."""
        out: list = []
        for x in items:
            if isinstance(x, (Int, Const)):
                key = D.as_int(x.dim) if isinstance(x, Int) else x.value
                if key is None or not isinstance(key, (int, float, str, bool)):
                    return UNKNOWN
                if any(isinstance(y, (Int, Const)) and key == (D.as_int(y.dim) if isinstance(y, Int) else y.value)
                       for y in out):
                    continue
            elif self.same_object(x, x) is None:
                return UNKNOWN
            elif any(self.same_object(x, y) for y in out):
                continue
            out.append(x)
        return Seq(out, "set")

    def same_object(self, a: Value, b: Value) -> Optional[bool]:
        """``a is b`` for classes and functions the checker can tell apart: the file's own (by their
        definition) and the frameworks' it knows (by name); None for anything else."""
        def ident(v: Value) -> Any:
            if isinstance(v, ClassRef):
                return v.info
            if isinstance(v, Func) and v.bound is None:
                return v.info
            if isinstance(v, Ext) and self.calls.known_callee(v) and not v.qualname.startswith("builtins."):
                return v.qualname
            return None
        ia, ib = ident(a), ident(b)
        if ia is None or ib is None:
            return None
        return ia is ib if not isinstance(ia, str) or not isinstance(ib, str) else ia == ib

    def _elements(self, elements: Any, frame: Frame) -> list:
        out: list = []
        for el in elements:
            if isinstance(el, cst.StarredElement):
                v = self.eval(el.value, frame)
                items = self.iter_items(v)
                if items is None:
                    return [UNKNOWN_STAR]
                out.extend(items)
            else:
                out.append(self.eval(el.value, frame))
        if any(x is UNKNOWN_STAR for x in out):
            return [UNKNOWN_STAR]
        return out

    def ex_Dict(self, e: cst.Dict, frame: Frame) -> Value:
        """A dict with string keys is a ``Dict``; one keyed by tensors (a TF1 ``feed_dict``) is a
        ``Seq`` of (key, value) pairs of kind ``pairs``; anything else is unknown."""
        items = {}
        pairs = []
        strings = tensors = True
        for el in e.elements:
            if isinstance(el, cst.DictElement):
                k = self.eval(el.key, frame)
                v = self.eval(el.value, frame)
                strings = strings and isinstance(k, Const) and isinstance(k.value, str)
                tensors = tensors and isinstance(k, Tensor)
                pairs.append(Seq([k, v], "tuple"))
                if strings and isinstance(k, Const):
                    items[k.value] = v
            else:  # ``{**dd, **(kw or {})}``: a dict's keys in order; one we cannot read may override the known
                v = self.eval(el.value, frame)
                tensors = False
                if isinstance(v, Dict):
                    if UNKNOWN_KEY in v.items:
                        items.clear()
                    update_items(items, v.items)
                else:
                    items = {UNKNOWN_KEY: UNKNOWN}
        if strings:
            return Dict(items)
        if tensors and pairs:
            return Seq(pairs, "pairs")
        return UNKNOWN

    def ex_ListComp(self, e: cst.ListComp, frame: Frame) -> Value:
        vals = self._comprehension(e.elt, e.for_in, frame)
        return Seq(vals, "list") if vals is not None else UNKNOWN

    def ex_GeneratorExp(self, e: cst.GeneratorExp, frame: Frame) -> Value:
        vals = self._comprehension(e.elt, e.for_in, frame)
        return Seq(vals, "tuple") if vals is not None else UNKNOWN

    def ex_SetComp(self, e: cst.SetComp, frame: Frame) -> Value:
        vals = self._comprehension(e.elt, e.for_in, frame)
        return self.set_of(vals) if vals is not None else UNKNOWN

    def ex_DictComp(self, e: cst.DictComp, frame: Frame) -> Value:
        keys: list = []
        vals = self._comprehension(e.value, e.for_in, frame, key=e.key, keys=keys)
        if vals is None or any(not (isinstance(k, Const) and isinstance(k.value, (str, int, bool))) for k in keys):
            return UNKNOWN
        return Dict({k.value: v for k, v in zip(keys, vals)})  # {str(k): str(v) for k, v in d.items()}

    def _comprehension(self, elt: cst.BaseExpression, comp: cst.CompFor, frame: Frame,
                       key: Optional[cst.BaseExpression] = None, keys: Optional[list] = None) -> Optional[list]:
        """Unroll a comprehension over known iterables; None where the count is unknown."""
        out: list = []
        known = True

        def go(c: cst.CompFor, f: Frame) -> None:
            nonlocal known
            it = self.eval(c.iter, f)
            items = self.iter_items(it)
            if items is not None and len(items) > MAX_UNROLL and c is comp and not c.ifs \
                    and c.inner_for_in is None and key is None:
                same = self._same_each_time(elt, c.target, items, f)
                if same is not None:  # [np.zeros(62) for _ in range(500)]: one value, n times
                    out.extend([same] * len(items))
                    return
            if items is None or len(items) > MAX_UNROLL:
                known = False
                items = [self.element_of(it)]
            for item in items:
                inner = branch(f)
                self.stmts.assign(c.target, item, inner)
                skip = False
                for cond in c.ifs:
                    t = self.truth(cond.test, inner)
                    if t is False:
                        skip = True
                    elif t is None:
                        known = False
                if skip:
                    continue
                if c.inner_for_in is not None:
                    go(c.inner_for_in, inner)
                else:
                    if key is not None:
                        k = self.eval(key, inner)
                        if keys is not None:
                            keys.append(k)
                    out.append(self.eval(elt, inner))

        go(comp, branch(frame))
        return out if known else None

    def _same_each_time(self, elt: cst.BaseExpression, target: cst.BaseExpression, items: list,
                        frame: Frame) -> Optional[Value]:
        """The value of a comprehension's element when it is the same for the first and the last
        item (a row of random numbers, a placeholder named by its index), else None."""
        first, last = branch(frame), branch(frame)
        self.stmts.assign(target, items[0], first)
        self.stmts.assign(target, items[-1], last)
        a, b = self.eval(elt, first), self.eval(elt, last)
        return a if a is not UNKNOWN and same_value(a, b) else None

    def ex_Lambda(self, e: cst.Lambda, frame: Frame) -> Value:
        """A lambda is a one-line function (``layers.Lambda(lambda t: tf.reduce_mean(t, 1))``): run
        when called, like a nested function, seeing the names around it."""
        node = cst.FunctionDef(name=cst.Name("lambda"), params=e.params,
                               body=cst.IndentedBlock([cst.SimpleStatementLine([cst.Return(e.body)])]))
        info = FuncInfo(node, "<lambda>", home=self.ctx.current)
        info.scope = {**(frame.globals if frame.globals is not None else self.ctx.globals), **frame.env}
        return Func(info)

    def ex_IfExp(self, e: cst.IfExp, frame: Frame) -> Value:
        test = self.eval(e.test, frame)
        t = self.truth_of(test)
        if t is True:
            return self.eval(e.body, frame)
        if t is False:
            return self.eval(e.orelse, frame)
        a = self.eval(e.body, frame)
        b = self.eval(e.orelse, frame)
        return a if same_value(a, b) else (merge_values(a, b, cond=test if isinstance(test, Cond) else None) or UNKNOWN)

    def ex_NamedExpr(self, e: cst.NamedExpr, frame: Frame) -> Value:
        v = self.eval(e.value, frame)
        self.stmts.assign(e.target, v, frame)
        return v

    def ex_Await(self, e: Any, frame: Frame) -> Value:
        self.eval(e.expression, frame)
        return UNKNOWN

    def ex_Yield(self, e: Any, frame: Frame) -> Value:
        if e.value is not None and not isinstance(e.value, cst.From):
            self.eval(e.value, frame)
        return UNKNOWN

    def ex_StarredElement(self, e: Any, frame: Frame) -> Value:
        return self.eval(e.value, frame)

    def ex_UnaryOperation(self, e: cst.UnaryOperation, frame: Frame) -> Value:
        v = self.eval(e.expression, frame)
        op = type(e.operator).__name__
        if op == "Minus":
            if isinstance(v, Int):
                return Int(D.mul(-1, v.dim))
            if isinstance(v, Const) and isinstance(v.value, float):
                return Const(-v.value)
            if isinstance(v, Tensor):
                return without_values(v)
        if op == "Plus":
            return v
        if op == "Not":
            if isinstance(v, Cond):
                return v.negate()
            b = self.truth_of(v)
            return Const(not b) if b is not None else UNKNOWN
        if op == "BitInvert" and isinstance(v, Tensor):
            return without_values(v)
        return UNKNOWN

    def ex_BooleanOperation(self, e: cst.BooleanOperation, frame: Frame) -> Value:
        a = self.eval(e.left, frame)
        ba = self.truth_of(a)
        is_and = isinstance(e.operator, cst.And)
        if ba is not None:
            if is_and and not ba:
                return a
            if not is_and and ba:
                return a
            return self.eval(e.right, frame)
        b = self.eval(e.right, frame)
        if is_and and as_bool(b) is False and isinstance(b, Const):
            return Const(False)
        if is_and and as_bool(b) is True:
            return a if isinstance(a, Cond) else UNKNOWN
        if not is_and and isinstance(b, Const) and b.value is True:  # ``not kwargs or not names``: true
            return Const(True)
        if not (_truth_like(a) and _truth_like(b)):
            return UNKNOWN  # ``hidden or dim``: one of two values, not a condition
        ca = a if isinstance(a, Cond) else Cond()
        cb = b if isinstance(b, Cond) else Cond()
        if is_and:  # true: both hold; false: nothing known
            return Cond(ca.pos + cb.pos, ())
        return Cond((), ca.neg + cb.neg)  # or: false means both are false

    def ex_Comparison(self, e: cst.Comparison, frame: Frame) -> Value:
        left = self.eval(e.left, frame)
        result: Optional[bool] = True
        for c in e.comparisons:
            right = self.eval(c.comparator, frame)
            r = self.compare_values(type(c.operator).__name__, left, right, c, frame)
            if isinstance(r, Tensor) or (isinstance(r, Cond) and len(e.comparisons) == 1):
                return r
            if isinstance(r, Cond):
                r = None
            if r is None:
                result = None
            elif r is False and result is not None:
                result = False
            left = right
        return Const(result) if result is not None else UNKNOWN

    def compare_values(self, op: str, a: Value, b: Value, node: Any, frame: Frame) -> Any:
        if isinstance(a, Tensor) or isinstance(b, Tensor):
            if op in ("Is", "IsNot"):
                return (op == "IsNot") if (isinstance(b, Const) and b.value is None and isinstance(a, Tensor)) else None
            if op in ("In", "NotIn"):
                return None
            return self.binop("compare", a, b, node, frame)
        same = self.same_object(a, b)
        if same is not None and op in ("Is", "IsNot", "Equal", "NotEqual"):  # norm_layer is nn.BatchNorm2d
            return same if op in ("Is", "Equal") else not same
        if op in ("In", "NotIn") and isinstance(b, Seq) and b.items and UNKNOWN_STAR not in b.items:
            found = [self.same_object(a, x) for x in b.items]  # norm_layer in {BatchNormAct2d, ...}
            if all(f is not None for f in found):
                return any(found) if op == "In" else not any(found)
        if op in ("Is", "IsNot") and isinstance(a, Const) and isinstance(b, Const) and (
                isinstance(a.value, EnumMember) or isinstance(b.value, EnumMember)):
            return (a.value == b.value) == (op == "Is")  # an enum's members are singletons
        if op in ("Is", "IsNot"):
            if isinstance(b, Const) and b.value is None:
                if isinstance(a, Const):
                    same = a.value is None
                elif isinstance(a, OneOf) and a.maybe_none:  # not None only where its builder's condition held
                    return (Cond((), a.given) if op == "Is" else Cond(a.given, ())) if a.given else None
                elif isinstance(a, (Layer, Obj, OneOf, Tensor, Func, ClassRef, Seq, Dict, Int, Partial, ModuleRef)) or (
                        isinstance(a, Ext) and self.calls.known_callee(a) and not a.qualname.startswith("builtins.")):
                    same = False  # (a framework class or function the registry knows is not None)
                else:
                    return None
                return same if op == "Is" else not same
            return None
        da, db = as_dim(a), as_dim(b)
        if isinstance(a, (Int, Param)) and isinstance(b, (Int, Param)) and da is not None and db is not None:
            ia, ib = D.as_int(da), D.as_int(db)
            if ia is not None and ib is not None:
                return {"Equal": ia == ib, "NotEqual": ia != ib, "LessThan": ia < ib, "GreaterThan": ia > ib,
                        "LessThanEqual": ia <= ib, "GreaterThanEqual": ia >= ib}.get(op)
            if op in ("Equal", "NotEqual"):
                t = D.compare(da, db, frame.bindings, unify=False)
                if t is D.TRUE:
                    return op == "Equal"
                c = Cond(((da, db),), ())
                return c if op == "Equal" else c.negate()
            return None
        if op in ("Equal", "NotEqual") and (
                isinstance(a, Int) and isinstance(b, Const) and isinstance(b.value, str)
                or isinstance(b, Int) and isinstance(a, Const) and isinstance(a.value, str)):
            return op == "NotEqual"  # a size is never equal to a string (vgg's cfg: 64 == "M")
        na, nb = plain_value(a), plain_value(b)
        if isinstance(na, (int, float)) and isinstance(nb, (int, float)) and not isinstance(na, bool) \
                and not isinstance(nb, bool):  # known numbers: 96 >= 0.9 * 96.0
            return {"Equal": na == nb, "NotEqual": na != nb, "LessThan": na < nb, "GreaterThan": na > nb,
                    "LessThanEqual": na <= nb, "GreaterThanEqual": na >= nb}.get(op)
        if isinstance(a, Const) and isinstance(b, Const):
            try:
                return {"Equal": a.value == b.value, "NotEqual": a.value != b.value}.get(op)
            except Exception:  # noqa: BLE001
                return None
        if op in ("In", "NotIn") and isinstance(b, Dict) and isinstance(a, Const):
            try:
                r = a.value in b.items
            except TypeError:
                return None
            if not r and UNKNOWN_KEY in b.items:
                return None  # a key the dict may have
            if r and isinstance(b.items[a.value], Maybe):
                return None  # a key one branch set
            return r if op == "In" else not r
        if op in ("In", "NotIn") and isinstance(b, Seq) and isinstance(a, Const):
            consts = [x for x in b.items if isinstance(x, Const)]
            r = any(x.value == a.value for x in consts)
            if r or len(consts) == len(b.items):  # (found among the known items, or all are known)
                return r if op == "In" else not r
        return None

    def truth(self, e: cst.BaseExpression, frame: Frame) -> Optional[bool]:
        return self.truth_of(self.eval(e, frame))

    def truth_of(self, v: Value) -> Optional[bool]:
        if isinstance(v, Const):
            if v.value is None:
                return False
            if isinstance(v.value, (bool, str, float)):
                return bool(v.value)
        if isinstance(v, Int):
            i = D.as_int(v.dim)
            return None if i is None else bool(i)
        if isinstance(v, Seq) and v.kind != "size":
            return bool(v.items)
        if isinstance(v, Dict):  # an open dict is true when it surely holds a key
            sure = [k for k, x in v.items.items() if k != UNKNOWN_KEY and not isinstance(x, Maybe)]
            return True if sure else (None if v.items else False)
        if isinstance(v, OneOf) and v.maybe_none:
            return None
        if isinstance(v, (Layer, Obj, OneOf, Func, ClassRef, Partial)):
            return True  # (``conv_block or ConvNormAct`` given ``partial(ConvNormAct, padding=0)``)
        if isinstance(v, Ext) and self.calls.known_callee(v) and not v.qualname.startswith("builtins."):
            return True  # a framework class or function
        return None

    def ex_BinaryOperation(self, e: cst.BinaryOperation, frame: Frame) -> Value:
        a = self.eval(e.left, frame)
        b = self.eval(e.right, frame)
        op = BINOPS.get(type(e.operator).__name__)
        if op is None:
            return UNKNOWN
        return self.binop(op, a, b, e, frame, left=e.left, right=e.right)

    def binop(self, op: str, a: Value, b: Value, node: Any, frame: Frame, left: Any = None, right: Any = None) -> Value:
        if isinstance(a, Failed) or isinstance(b, Failed):
            return FAILED  # (an operand that failed upstream: nothing more on it)
        if isinstance(a, Tensor) or isinstance(b, Tensor) or (
                op == "matmul" and (tensor_of(a) is not None and tensor_of(b) is not None)):
            fw = a.fw if isinstance(a, Tensor) else (b.fw if isinstance(b, Tensor) else "torch")
            name = "operator.matmul" if op == "matmul" else f"operator.{op}"
            fn = R.lookup_func(name)
            if fn is None:
                return UNKNOWN
            texts = {0: left, 1: right}
            call = self.calls.make_call([a, b], {}, node, frame.bindings, texts=texts, fw=fw, qualname=name)
            return self.calls.apply_rule(fn, call, node)
        if isinstance(a, (Int, Param)) and isinstance(b, (Int, Param)):
            da, db = as_dim(a), as_dim(b)
            return int_arith(op, da, db)
        if isinstance(a, Seq) and isinstance(b, Seq) and op == "add":
            if len(a.items) + len(b.items) > MAX_ITEMS:  # (``x = x + x`` in a loop: it doubles each time)
                return UNKNOWN
            return Seq(a.items + b.items, a.kind if a.kind == b.kind else "tuple")
        if isinstance(a, Seq) and isinstance(b, Int) and op == "mul":
            n = D.as_int(b.dim)
            if n is not None and 0 <= n <= MAX_UNROLL and len(a.items) * n <= MAX_ITEMS:
                return Seq(a.items * n, a.kind)
        if op == "mod" and isinstance(a, Const) and isinstance(a.value, str):
            vals = b.items if isinstance(b, Seq) else [b]
            plain = [plain_value(x) for x in vals]
            if any(p is None for p in plain):
                return UNKNOWN
            try:  # "denseblock%d" % (i + 1)
                return Const(a.value % (tuple(plain) if isinstance(b, Seq) else plain[0]))
            except Exception:  # noqa: BLE001
                return UNKNOWN
        if isinstance(a, Const) and isinstance(b, Const):
            try:
                return Const(PYOPS[op](a.value, b.value))
            except Exception:  # noqa: BLE001
                return UNKNOWN
        if isinstance(a, (Int, Const)) and isinstance(b, (Int, Const)):
            x, y = number(a), number(b)
            if x is not None and y is not None:
                try:
                    r = PYOPS[op](x, y)
                except Exception:  # noqa: BLE001
                    return UNKNOWN
                return Int(r) if isinstance(r, int) and not isinstance(r, bool) else Const(r)
        if op in _ARITH and all(isinstance(v, (Int, Number)) or (isinstance(v, Const) and type(v.value) in (int, float))
                                for v in (a, b)):
            return NUMBER  # a number the checker cannot compute is still a number
        return UNKNOWN

    def ex_Subscript(self, e: cst.Subscript, frame: Frame) -> Value:
        obj = self.eval(e.value, frame)
        idx = []
        for el in e.slice:
            s = el.slice
            if isinstance(s, cst.Index):
                v = self.eval(s.value, frame)
                if s.star is not None:
                    return UNKNOWN
                idx.append(v)
            elif isinstance(s, cst.Slice):
                idx.append(Const(slice(self._slice_part(s.lower, frame), self._slice_part(s.upper, frame),
                                       self._slice_part(s.step, frame))))
        return self.subscript(obj, idx, e, frame)

    def _slice_part(self, e: Any, frame: Frame) -> Any:
        if e is None:
            return None
        v = self.eval(e, frame)
        if isinstance(v, Int):
            return v.dim
        if isinstance(v, Param):
            return D.rigid(v.name)
        return UNKNOWN

    def subscript(self, obj: Value, idx: list, node: Any, frame: Frame) -> Value:
        if isinstance(obj, Failed):
            return FAILED  # (``y[:, 0]`` of a y that failed upstream)
        if isinstance(obj, Tensor) or isinstance(obj, Param):
            t = tensor_of(obj)
            fn = R.lookup_func("tensor.__getitem__")
            poison(obj)  # x[i] is a view of x: changing it changes x
            if fn is None or t is None:
                return UNKNOWN
            call = self.calls.make_call([t, Seq(idx, "tuple")], {}, node, frame.bindings, fw=t.fw,
                                        qualname="__getitem__")
            return self.calls.apply_rule(fn, call, node)
        if isinstance(obj, Seq) and len(idx) == 1:
            i = idx[0]
            if isinstance(i, Const) and isinstance(i.value, slice):
                sl = i.value
                parts = [D.as_int(x) if x is not None and x is not UNKNOWN else (None if x is None else UNKNOWN)
                         for x in (sl.start, sl.stop, sl.step)]
                if any(p is UNKNOWN for p in parts):
                    return UNKNOWN
                start, stop, step = (p if isinstance(p, int) else None for p in parts)
                return Seq(obj.items[start:stop:step], obj.kind)
            n = as_int(i)
            if n is not None and -len(obj.items) <= n < len(obj.items):
                return obj.items[n]
            if n is not None and obj.kind == "size":
                fn = R.lookup_func("tensor.size_index_error")
                if fn is not None:
                    call = self.calls.make_call([obj, Int(n)], {}, node, frame.bindings)
                    return self.calls.run_rule(lambda: fn(call), node)
            return UNKNOWN
        if isinstance(obj, Dict) and len(idx) == 1 and isinstance(idx[0], Const):
            # (a Dict of unknown contents has no known key; one a branch set is there if this runs)
            return present(obj.items.get(idx[0].value, UNKNOWN), None)
        if isinstance(obj, Dict) and len(idx) == 1:
            return _any_entry(obj)
        if isinstance(obj, Layer):
            rule = R.lookup_layer(obj.kind)
            if rule is not None:
                return rule.getitem(obj, idx)
        if isinstance(obj, Ext):
            return obj  # typing subscripts and the like
        if isinstance(obj, ClassRef) and len(idx) == 1:
            return enum_member(obj.info, "name", idx[0])  # BoundingBoxFormat["XYXY"]
        return UNKNOWN

    def iter_items(self, v: Value) -> Optional[list]:
        if isinstance(v, Seq):
            if v.kind == "set" or any(x is UNKNOWN_STAR for x in v.items):  # a set's order is not its making
                return None
            return list(v.items)
        if isinstance(v, Dict):
            return None if UNKNOWN_KEY in v.items or any(isinstance(x, Maybe) for x in v.items.values()) \
                else [Const(k) for k in v.items]
        if isinstance(v, Obj) and isinstance(v.base, Layer) and v.cls.lookup("__iter__") is None:
            v = v.base  # a subclass of nn.Sequential or nn.ModuleList iterates its base's children
        if isinstance(v, Layer):
            rule = R.lookup_layer(v.kind)
            if rule is not None:
                self.ctx.iterated.add(id(v.node))  # (copies of a layer keep its construction node)
                return rule.children(v)
        if isinstance(v, Tensor):
            poison(v)  # its rows are views
            d = v.shape.dim(0)
            n = D.as_int(d) if d is not None else None
            if n is not None and n <= MAX_UNROLL and v.shape.rank:
                return [Tensor(Shape(v.shape.dims[1:]), v.fw, v.dtype)] * n
        if isinstance(v, Method) and isinstance(v.obj, (Seq, Dict)):
            return None
        return None

    def element_of(self, v: Value) -> Value:
        poison(v)
        batch = ST.element_of(v)  # a DataLoader, a tf.data dataset: one batch
        if batch is not None:
            return batch
        if isinstance(v, Tensor) and v.shape.rank:
            return Tensor(Shape(v.shape.dims[1:]), v.fw, v.dtype)
        return UNKNOWN


def _truth_like(v: Value) -> bool:
    """Whether ``v`` can stand in a condition built of ``and``/``or``: a condition, a boolean, or
    a value the checker knows nothing of (a flag)."""
    return isinstance(v, (Cond, Param)) or v is UNKNOWN or (isinstance(v, Const) and isinstance(v.value, bool))


def _any_entry(d: Dict) -> Value:
    """``d[key]`` with a key the checker cannot tell: the one shape every entry has (``data[split]``
    of a dict of equally shaped arrays), else unknown."""
    vals = [v for v in d.items.values() if isinstance(v, Tensor)]
    if not vals or len(vals) != len(d.items):
        return UNKNOWN
    first = vals[0]
    if any(v.fw != first.fw or v.shape.variadic != first.shape.variadic or v.shape.same(first.shape) is not D.TRUE
           for v in vals[1:]):
        return UNKNOWN
    return Tensor(first.shape, first.fw, first.dtype if all(v.dtype == first.dtype for v in vals) else None)
