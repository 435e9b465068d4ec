"""The statement evaluator: ``exec_block``/``exec_stmt``, compound statements, one handler per small statement."""
from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import libcst as cst

from .. import dims as D
from ..ops import registry as R
from ..values import (
    NONE,
    UNKNOWN,
    Choice,
    ClassRef,
    Cond,
    Const,
    Dict,
    Ext,
    Func,
    Int,
    Layer,
    Obj,
    OneOf,
    Param,
    Seq,
    Tensor,
    Value,
    as_dim,
    as_int,
    merge_values,
    poison,
    same_value,
    unpacked_rank,
)
from .context import Part
from .frames import CONFIG, ITEMS, UNKNOWN_KEY, UNKNOWN_STAR, Frame, branch, heap_get, heap_set, merge, set_env
from .objects import BINOPS, MAX_UNROLL, ClassInfo, FuncInfo, enum_members
from .syntax import alias_name, broad_handler, dotted, expects_error, import_handler, is_main_guard


def assume_equal(eqs: tuple, bindings: D.Bindings) -> None:
    """Take ``a == b`` as given in ``bindings`` (a branch's or after an assert): a bare symbol,
    rigid or flexible, is mapped to the other side."""
    for a, b in eqs:
        a, b = bindings.resolve(a), bindings.resolve(b)
        if D.compare(a, b, bindings) is D.TRUE:
            continue
        for x, y in ((a, b), (b, a)):
            if not isinstance(x, int) and x.is_Symbol and not D.is_opaque(x) and (
                    isinstance(y, int) or x not in y.free_symbols):
                bindings.bind(x, y)
                break


def _settled(v: Value, bindings: D.Bindings) -> Value | None:
    """The size ``v`` is now known to be, where an assumption just bound one of its symbols."""
    d = D.rigid(v.name) if isinstance(v, Param) else v.dim if isinstance(v, Int) else None
    if d is None or isinstance(d, int):
        return None
    r = bindings.resolve(d)
    return None if r is d or r == d else Int(r)


def _raises(block: cst.BaseSuite) -> bool:
    """Does ``block`` end in a ``raise`` (the body of a guard ``if a != b: raise ...``)?"""
    body = block.body if isinstance(block, cst.IndentedBlock) else [block]
    last = body[-1] if body else None
    if isinstance(last, cst.SimpleStatementSuite) or isinstance(last, cst.SimpleStatementLine):
        return any(isinstance(small, cst.Raise) for small in last.body)
    return False


_FRAMEWORK_ROOTS = ("torch", "tensorflow", "keras", "numpy", "jax", "einops", "tf_keras")


class StatementEvaluator(Part):
    """Statements and control flow: one handler per statement kind (``stmt_*``, ``small_*``)."""

    def exec_block(self, body: Iterable[cst.CSTNode], frame: Frame, stop: bool = True) -> None:
        """Each statement in turn, until the frame is done (with ``stop``); a small statement by
        its handler as ``exec_small`` runs it, written out here: no Python frame of its own per
        statement of every function the analysis runs (its recursion is that much shallower, and
        CPython allocates frames in chunks it frees as the frame at their base returns)."""
        ctx = self.ctx
        handlers = self._handlers
        for stmt in body:
            if stop and frame.done:
                return
            ctx.tick()
            if isinstance(stmt, cst.SimpleStatementLine):
                self.sources.shape_comments(stmt, frame)
                for small in stmt.body:
                    if frame.done:
                        break
                    handler = handlers.get(type(small))
                    if handler is not None:
                        outer, ctx.statement = ctx.statement, small
                        try:
                            handler(small, frame)
                        finally:
                            ctx.statement = outer
                continue
            handler = handlers.get(type(stmt))
            if handler is not None:
                handler(stmt, frame)

    def exec_stmt(self, stmt: cst.CSTNode, frame: Frame) -> None:
        """One statement, run even where the frame is done (a module's statements after a raise)."""
        self.exec_block((stmt,), frame, stop=False)

    @functools.cached_property
    def _handlers(self) -> dict[type, Callable[[Any, Frame], None]]:
        """Node class -> its handler (``stmt_If``, ``small_Assign``)."""
        return {getattr(cst, name.split("_", 1)[1]): getattr(self, name) for name in dir(type(self))
                if name.startswith(("stmt_", "small_")) and hasattr(cst, name.split("_", 1)[1])}

    def exec_small(self, s: cst.BaseSmallStatement, frame: Frame) -> None:
        """One small statement, by its handler ``small_<node class>`` (``pass``, ``del``, ``global``,
        ``nonlocal`` and ``continue`` have none: nothing to do)."""
        handler = self._handlers.get(type(s))
        if handler is not None:
            outer, self.ctx.statement = self.ctx.statement, s
            try:
                handler(s, frame)
            finally:
                self.ctx.statement = outer

    def small_Expr(self, s: cst.Expr, frame: Frame) -> None:
        self.exprs.eval(s.value, frame)
        e = s.value
        # ``torch._assert(H == n, msg)`` (or ``_assert`` imported from it): the callee is named so
        # before it is resolved, so other calls are not evaluated twice
        if isinstance(e, cst.Call) and e.args and e.args[0].keyword is None and not e.args[0].star \
                and dotted(e.func).endswith("_assert"):
            fn = self.exprs.eval(e.func, frame)
            if isinstance(fn, Ext) and fn.qualname == "torch._assert":
                self._assume(e.args[0].value, frame)

    def small_Assign(self, s: cst.Assign, frame: Frame) -> None:
        v = self.exprs.eval(s.value, frame)
        if v is UNKNOWN:
            v = self._unpacked_shape(s, frame) or v
        for t in s.targets:
            self.assign(t.target, v, frame)

    def _unpacked_shape(self, s: cst.Assign, frame: Frame) -> Value | None:
        """``B, N, C = x.shape`` (or ``x.size()``) of a tensor of unknown rank: Python raises unless
        ``x`` has rank 3, so from here on it has (``values.unpacked_rank``), and the names get its sizes."""
        e = s.value
        if isinstance(e, cst.Call) and not e.args:
            e = e.func
            if not (isinstance(e, cst.Attribute) and e.attr.value == "size"):
                return None
        elif not (isinstance(e, cst.Attribute) and e.attr.value == "shape"):
            return None
        if not isinstance(e.value, cst.Name) or e.value.value not in frame.env:
            return None
        targets = [t.target for t in s.targets if isinstance(t.target, (cst.Tuple, cst.List))]
        if len(targets) != 1 or any(not isinstance(el, cst.Element) for el in targets[0].elements):
            return None
        hints = [el.value.value if isinstance(el.value, cst.Name) and el.value.value != "_" else "n"
                 for el in targets[0].elements]
        x = frame.env[e.value.value]
        t = unpacked_rank(x, len(hints), hints)
        if t is None:
            return None
        if isinstance(x, Tensor):
            frame.env[e.value.value] = t
        return Seq([Int(d) for d in t.shape.dims], "size")

    def small_AnnAssign(self, s: cst.AnnAssign, frame: Frame) -> None:
        v = self.exprs.eval(s.value, frame) if s.value is not None else None
        if v is None:  # `x: Float[Tensor, "b d"]` declares a shape; `n: int` declares nothing
            ann = self.sources.annotation_value(s.annotation.annotation, "")
            if isinstance(ann, Tensor) and isinstance(s.target, cst.Name):
                frame.env[s.target.value] = ann
            return
        self.assign(s.target, v, frame)

    def small_Del(self, s: cst.Del, frame: Frame) -> None:
        """``del d[k]`` takes the key out of a dict (torchvision's IntermediateLayerGetter stops when
        its ``return_layers`` runs out); ``del xs[i]`` an item of a list; ``del name`` the name."""
        targets = [el.value for el in s.target.elements] if isinstance(s.target, (cst.Tuple, cst.List)) \
            else [s.target]
        for t in targets:
            if isinstance(t, cst.Name):
                frame.env.pop(t.value, None)
                continue
            if not isinstance(t, cst.Subscript):
                self.assign(t, UNKNOWN, frame)
                continue
            obj = self.exprs.eval(t.value, frame)
            index = self.exprs.eval(t.slice[0].slice.value, frame) if len(t.slice) == 1 and isinstance(
                t.slice[0].slice, cst.Index) else UNKNOWN
            i = as_int(index)
            if isinstance(obj, Dict) and isinstance(index, Const) and index.value in obj.items:
                self.flow.record(obj, ITEMS)
                del obj.items[index.value]
            elif isinstance(obj, Seq) and obj.kind == "list" and i is not None and \
                    -len(obj.items) <= i < len(obj.items):
                self.flow.record(obj, ITEMS)
                del obj.items[i]
            else:
                self.assign(t, UNKNOWN, frame)  # a key or slice we cannot name: contents unknown

    def small_AugAssign(self, s: cst.AugAssign, frame: Frame) -> None:
        cur = self.exprs.eval(s.target, frame)
        rhs = self.exprs.eval(s.value, frame)
        op = BINOPS.get(type(s.operator).__name__.replace("Assign", ""))
        layer = cur if isinstance(cur, Layer) and op == "add" else None
        rule = R.lookup_layer(layer.kind) if layer is not None else None
        extend = rule.method("extend") if rule is not None else None
        if layer is not None and extend is not None:  # module_list += [...] extends it in place
            self.flow.record(layer, CONFIG)
            extend(layer, self.calls.make_call([rhs], {}, s, frame.bindings))
            return
        poison(cur)  # `x += 1` changes a tensor in place: every alias of it too
        v = self.exprs.binop(op, cur, rhs, s, frame) if op else UNKNOWN
        self.assign(s.target, v, frame)

    def small_Return(self, s: cst.Return, frame: Frame) -> None:
        v = self.exprs.eval(s.value, frame) if s.value is not None else NONE
        frame.returns.append(v)
        frame.done = True

    def small_Raise(self, s: cst.Raise, frame: Frame) -> None:
        if s.exc is not None:
            self.exprs.eval(s.exc, frame)
        frame.done = True

    def small_Assert(self, s: cst.Assert, frame: Frame) -> None:
        self.exprs.eval(s.test, frame)
        self._assume(s.test, frame)

    def small_Import(self, s: cst.Import, frame: Frame) -> None:
        for alias in s.names:
            full = dotted(alias.name)
            if alias.asname is not None:
                local = self.project.import_module(full, 0)
                name = cst.ensure_type(alias.asname.name, cst.Name)  # `import a.b as c`: always a name
                frame.env[name.value] = local if local is not None else Ext(R.canonical(full))
            else:
                top = full.split(".")[0]
                local = self.project.import_module(top, 0)
                frame.env[top] = local if local is not None else Ext(top)

    def small_ImportFrom(self, s: cst.ImportFrom, frame: Frame) -> None:
        self.project.import_from(s, frame)

    def small_Break(self, s: cst.Break, frame: Frame) -> None:
        frame.done = frame.broke = True

    def settle(self, frame: Frame) -> None:
        """After ``assert a == b`` or on the path past ``if a != b: raise``, names (and ``self``'s
        attributes) holding ``a`` hold ``b``: the equality is this function's knowledge only
        (``Bindings``), but what ``__init__`` builds from the names outlives it (a layer made after
        the guard is built for the size the guard allows, as ``forward`` will see it)."""
        if not frame.bindings.map:
            return
        for k, v in list(frame.env.items()):
            if isinstance(v, Obj):
                for name, attr in list(v.attrs.items()):
                    new = _settled(attr, frame.bindings)
                    if new is not None:
                        self.flow.record(v, name)
                        v.attrs[name] = new
                continue
            new = _settled(v, frame.bindings)
            if new is not None:
                frame.env[k] = new

    def _assume(self, test: cst.BaseExpression, frame: Frame) -> None:
        """``assert a == b`` on sizes: what follows may take them as equal."""
        if isinstance(test, cst.Comparison) and len(test.comparisons) == 1 and isinstance(
                test.comparisons[0].operator, cst.Equal):
            a = as_dim(self.exprs.eval(test.left, frame))
            b = as_dim(self.exprs.eval(test.comparisons[0].comparator, frame))
            if a is not None and b is not None:
                assume_equal(((a, b),), frame.bindings)
                self.settle(frame)

    def stmt_FunctionDef(self, node: cst.FunctionDef, frame: Frame) -> None:
        info = FuncInfo(node, node.name.value, home=self.ctx.current)
        if frame.func is not None:  # a nested function sees its enclosing function's names
            info.scope = {**(frame.globals if frame.globals is not None else self.ctx.globals), **frame.env}
        if self.ctx.current is self.ctx.main:  # imported files are checked on their own
            self.ctx.functions.append(info)
        for d in node.decorators:
            self.exprs.eval(d.decorator, frame)
        frame.env[node.name.value] = Func(info)

    def stmt_ClassDef(self, node: cst.ClassDef, frame: Frame) -> None:
        bases = [self.exprs.eval(a.value, frame) for a in node.bases if a.keyword is None]
        info = ClassInfo(node, node.name.value, bases, home=self.ctx.current)
        if self.ctx.current is self.ctx.main:
            self.ctx.classes.append(info)
        body = node.body.body if isinstance(node.body, cst.IndentedBlock) else []
        cframe = Frame(dict(frame.env), frame.bindings)
        for stmt in body:
            if isinstance(stmt, cst.FunctionDef):
                f = FuncInfo(stmt, stmt.name.value, info, home=self.ctx.current)
                info.methods[stmt.name.value] = f
                if self.ctx.current is self.ctx.main:
                    self.ctx.functions.append(f)
            elif isinstance(stmt, cst.SimpleStatementLine):
                for small in stmt.body:
                    if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
                        info.fields.append(small.target.value)
                        if small.value is not None:
                            info.defaults[small.target.value] = self.exprs.eval(small.value, cframe)
                    if isinstance(small, (cst.Assign, cst.AnnAssign)):
                        before = dict(cframe.env)
                        self.exec_small(small, cframe)
                        for k, v in cframe.env.items():
                            if before.get(k) is not v:
                                info.attrs[k] = v
        enum_members(info)
        frame.env[node.name.value] = ClassRef(info)

    def stmt_If(self, node: cst.If, frame: Frame) -> None:
        if is_main_guard(node.test):
            if self.ctx.current is self.ctx.main:  # an imported file is not __main__
                self.exec_block(node.body.body, frame)
            return
        test = self.exprs.eval(node.test, frame)
        cond = self.exprs.truth_of(test)
        if isinstance(test, OneOf) and test.given and cond is None:  # `if self.proj:` is `is not None`
            test = Cond(test.given, ())
        orelse = node.orelse
        if cond is True:
            self.exec_block(node.body.body, frame)
            return
        if cond is False:
            if isinstance(orelse, cst.If):
                self.stmt_If(orelse, frame)
            elif isinstance(orelse, cst.Else):
                self.exec_block(orelse.body.body, frame)
            return
        a = branch(frame)
        b = branch(frame)
        if isinstance(test, Cond):  # each branch assumes what its condition says of the sizes
            assume_equal(test.pos, a.bindings)
            assume_equal(test.neg, b.bindings)
        # `if a != b: raise ...`: the other branch (and what follows) may build with a as b
        settle_b = isinstance(test, Cond) and bool(test.neg) and _raises(node.body)
        settle_a = isinstance(test, Cond) and bool(test.pos) and isinstance(orelse, cst.Else) and _raises(orelse.body)

        def run_a() -> None:
            if settle_a:
                self.settle(a)
            self.exec_block(node.body.body, a)

        def run_b() -> None:
            if settle_b:
                self.settle(b)
            if isinstance(orelse, cst.If):
                self.stmt_If(orelse, b)
            elif isinstance(orelse, cst.Else):
                self.exec_block(orelse.body.body, b)

        log_a = self.flow.logged(run_a)
        log_b = self.flow.logged(run_b) if orelse is not None or settle_b else {}
        sizes = test if isinstance(test, Cond) else None
        merge(frame, a, b, sizes)
        self.flow.merge_heap(log_a, log_b, a.done, b.done, sizes)
        if isinstance(test, Cond) and a.done != b.done and (test.neg if a.done else test.pos):
            self.settle(frame)  # past `if a != b: return/raise`, a is b (as after `assert a == b`)

    def stmt_For(self, node: cst.For, frame: Frame) -> None:
        it = self.exprs.eval(node.iter, frame)
        if isinstance(it, Choice):  # one of two tuples: the loop over each, as after two branches
            a, b = branch(frame), branch(frame)
            log_a = self.flow.logged(lambda: self._unrolled(node, it.options[0].items, a))
            log_b = self.flow.logged(lambda: self._unrolled(node, it.options[1].items, b))
            merge(frame, a, b)
            self.flow.merge_heap(log_a, log_b, a.done, b.done)
            return
        items = self.exprs.iter_items(it)
        if items is not None and len(items) <= MAX_UNROLL:
            self._unrolled(node, items, frame)
            return
        first = self._first_item(node.iter, it, frame)
        if first is not None:  # the first time round, from the values before the loop
            self.assign(node.target, first, frame)
            self._loop_once(node.body.body, frame)
        # any time round, from what earlier rounds may have left (the first round's changes merged in)
        self.assign(node.target, self.exprs.element_of(it), frame)
        self._loop_once(node.body.body, frame)
        if node.orelse is not None:
            self.exec_block(node.orelse.body.body, frame)

    def _first_item(self, it: cst.BaseExpression, value: Value, frame: Frame) -> Value | None:
        """The item a loop of unknown count takes first, where its iterable says so: ``enumerate(xs)``
        counts from 0 (or a literal ``start``), ``range(a, n)`` from a literal ``a``. Only then is
        ``if i == 2:`` in the body known false the first time round, when the loop-carried values
        are still those from before the loop."""
        if not isinstance(it, cst.Call) or any(a.star for a in it.args):
            return None
        fn = self.exprs.eval(it.func, frame)
        q = R.canonical(fn.qualname) if isinstance(fn, Ext) else None
        pos = [a.value for a in it.args if a.keyword is None]
        kw = {a.keyword.value: a.value for a in it.args if a.keyword is not None}
        if q == "builtins.enumerate" and len(pos) <= 2:
            start = pos[1] if len(pos) == 2 else kw.get("start")
            n = 0 if start is None else _literal_int(start)
            pair = self.exprs.element_of(value)  # enumerate(loader): its batches are known
            item = pair.items[1] if isinstance(pair, Seq) and len(pair.items) == 2 else UNKNOWN
            return None if n is None else Seq([Int(n), item], "tuple")
        if q == "builtins.range" and not kw and 1 <= len(pos) <= 3:
            n = 0 if len(pos) == 1 else _literal_int(pos[0])
            return None if n is None else Int(n)
        return None

    def _unrolled(self, node: cst.For, items: Sequence[Value], frame: Frame) -> None:
        """A ``for`` over items the checker knows: the body once per item, in order."""
        before = dict(frame.env)
        for item in items:
            self.assign(node.target, item, frame)
            inner = branch(frame)
            self.exec_block(node.body.body, inner)
            frame.returns.extend(inner.returns)
            if inner.broke and inner.done and not inner.returns:
                set_env(frame, inner.env)  # it stops here on every path
                frame.bindings = inner.bindings
                return
            if inner.broke:
                # where the loop stops is not known: what it assigns is unknown after it
                for k, v in inner.env.items():
                    if before.get(k) is not v:
                        frame.env[k] = UNKNOWN
                return
            if inner.done:  # every path returned or raised
                frame.done = True
                return
            set_env(frame, inner.env)
            frame.bindings = inner.bindings
        if node.orelse is not None:
            self.exec_block(node.orelse.body.body, frame)

    def _loop_once(self, body: Any, frame: Frame) -> None:
        """A loop of unknown count: run the body once; loop-carried values that change become unknown."""
        inner = branch(frame)
        self.flow.push()
        try:
            self.exec_block(body, inner)
        finally:
            log = self.flow.pop()
        # the body may run any number of times: what it changed on the heap is unknown after it
        for holder, field, old in log.values():
            new = heap_get(holder, field)
            heap_set(holder, field, old)
            self.flow.heap_merge(holder, field, old, new, old)
        frame.returns.extend(inner.returns)
        for k, v in inner.env.items():
            old = frame.env.get(k)
            if old is None or not (old is v or same_value(old, v)):
                frame.env[k] = (merge_values(old, v, k) if old is not None else None) or UNKNOWN

    def stmt_While(self, node: cst.While, frame: Frame) -> None:
        self.exprs.eval(node.test, frame)
        self._loop_once(node.body.body, frame)

    def stmt_With(self, node: cst.With, frame: Frame) -> None:
        on_purpose = False
        for item in node.items:
            v = self.exprs.eval(item.item, frame)
            on_purpose = on_purpose or expects_error(item.item)
            if item.asname is not None:
                self.assign(item.asname.name, self.enter_value(v), frame)
        if on_purpose:  # pytest.raises / assertRaises: the body fails on purpose
            self.ctx.suppress += 1
        try:
            self.exec_block(node.body.body, frame)
        finally:
            if on_purpose:
                self.ctx.suppress -= 1

    def enter_value(self, v: Value) -> Value:
        if isinstance(v, Ext) and v.qualname.endswith("Session"):
            return v
        return v if isinstance(v, (Obj, Ext)) else UNKNOWN

    def stmt_Try(self, node: cst.Try, frame: Frame) -> None:
        # Code under a broad handler may fail on purpose (tests, fallbacks): nothing is reported there.
        broad = any(broad_handler(h) for h in node.handlers)
        if broad:
            self.ctx.suppress += 1
        body = branch(frame)
        try:
            self.exec_block(node.body.body, body)
            if node.orelse is not None and not body.done:
                self.exec_block(node.orelse.body.body, body)
        finally:
            if broad:
                self.ctx.suppress -= 1
        # Each handler starts from the state before the try (the body may have failed anywhere).
        # A fallback for a framework import (``try: from torch import _assert`` / ``except
        # ImportError: def _assert(...)``) does not run: the code is checked against the framework.
        handlers = node.handlers
        if self._framework_imports(node.body.body, body):
            handlers = tuple(h for h in handlers if not import_handler(h))
        if body.done and body.returns and all(isinstance(r, (Layer, Obj)) for r in body.returns):
            # ``try: return aa_layer(channels=c, stride=s) except TypeError: return aa_layer(s)``: the
            # module the body built and returned is the answer; the handler's is a fallback for a
            # constructor that refuses the arguments, which the checker does not model
            handlers = ()
        for h in handlers:
            handler = branch(frame)
            self.exec_block(h.body.body, handler)
            merged = branch(frame)
            merge(merged, body, handler)
            body = merged
        set_env(frame, body.env)
        frame.bindings, frame.done = body.bindings, body.done
        frame.returns.extend(body.returns)
        if node.finalbody is not None:
            self.exec_block(node.finalbody.body.body, frame)

    def _framework_imports(self, stmts: Sequence[cst.BaseStatement | cst.BaseSmallStatement], frame: Frame) -> bool:
        """Whether ``stmts`` are only imports, each binding a name of a framework the checker knows."""
        names: list[str] = []
        for st in stmts:
            if not isinstance(st, cst.SimpleStatementLine):
                return False
            for small in st.body:
                if isinstance(small, cst.ImportFrom) and not isinstance(small.names, cst.ImportStar):
                    names += [alias_name(a) for a in small.names]
                elif isinstance(small, cst.Import):  # ``import a.b`` binds ``a``
                    names += [(a.asname.name.value if a.asname is not None and isinstance(a.asname.name, cst.Name)
                               else dotted(a.name).split(".")[0]) for a in small.names]
                else:
                    return False
        got = [frame.env.get(n) for n in names]
        return bool(got) and all(isinstance(v, Ext) and v.qualname.split(".")[0] in _FRAMEWORK_ROOTS for v in got)

    def stmt_TryStar(self, node: Any, frame: Frame) -> None:
        self.stmt_Try(node, frame)

    def stmt_Match(self, node: Any, frame: Frame) -> None:
        for case in node.cases:
            self.exec_block(case.body.body, branch(frame))

    def assign(self, target: cst.BaseExpression, v: Value, frame: Frame) -> None:
        if isinstance(target, cst.Name):
            frame.env[target.value] = v
        elif isinstance(target, (cst.Tuple, cst.List)):
            elems = target.elements
            star = [i for i, e in enumerate(elems) if isinstance(e, cst.StarredElement)]
            items = self.exprs.iter_items(v)
            if items is None or (not star and len(items) != len(elems)):
                for e in elems:
                    self.assign(e.value, UNKNOWN, frame)
                return
            if star:
                i = star[0]
                n_after = len(elems) - i - 1
                if len(items) < len(elems) - 1:
                    for e in elems:
                        self.assign(e.value, UNKNOWN, frame)
                    return
                for j in range(i):
                    self.assign(elems[j].value, items[j], frame)
                self.assign(elems[i].value, Seq(list(items[i:len(items) - n_after]), "list"), frame)
                for j in range(n_after):
                    self.assign(elems[i + 1 + j].value, items[len(items) - n_after + j], frame)
                return
            for e, item in zip(elems, items):
                self.assign(e.value, item, frame)
        elif isinstance(target, cst.Attribute):
            obj = self.exprs.eval(target.value, frame)
            self.members.set_attr(obj, target.attr.value, v, target, frame.bindings)
        elif isinstance(target, cst.Subscript):
            obj = self.exprs.eval(target.value, frame)
            if isinstance(obj, Dict) and len(target.slice) == 1 and isinstance(target.slice[0].slice, cst.Index):
                key = self.exprs.eval(target.slice[0].slice.value, frame)
                if isinstance(key, Const) and isinstance(key.value, str):
                    self.flow.record(obj, ITEMS)
                    obj.items[key.value] = v
                    return
            if isinstance(obj, Seq) and obj.kind == "list" and len(target.slice) == 1 and isinstance(
                    target.slice[0].slice, cst.Index):
                index = as_int(self.exprs.eval(target.slice[0].slice.value, frame))
                if index is not None and -len(obj.items) <= index < len(obj.items):
                    self.flow.record(obj, ITEMS)
                    obj.items[index] = v
                    return
            if isinstance(obj, Seq) and obj.kind == "list" and len(target.slice) == 1 and isinstance(
                    target.slice[0].slice, cst.Slice) and self._assign_slice(obj, target.slice[0].slice, v, frame):
                return
            self.eval_subscript_side_effects(target, frame)
            poison(obj)  # x[i] = v changes a tensor in place
            if isinstance(obj, Dict):  # a key we cannot name: the dict's contents are unknown now
                self.flow.record(obj, ITEMS)
                obj.items.clear()
                obj.items[UNKNOWN_KEY] = UNKNOWN
            elif isinstance(obj, Seq) and obj.kind == "list":
                self.flow.record(obj, ITEMS)
                obj.items[:] = [UNKNOWN_STAR]
        elif isinstance(target, cst.StarredElement):
            self.assign(target.value, v, frame)

    def _assign_slice(self, obj: Seq, sl: cst.Slice, v: Value, frame: Frame) -> bool:
        """``xs[i:j] = items`` of a list whose items and bounds are known (timm's ``val2tuple``
        repeats an item in place: ``x[-1:-1] = [x[-1]] * n``). False where it cannot say."""
        items = self.exprs.iter_items(v)
        if items is None or any(i is UNKNOWN_STAR for i in items) or UNKNOWN_STAR in obj.items:
            return False
        bounds = []
        for b in (sl.lower, sl.upper, sl.step):
            got = None if b is None else as_int(self.exprs.eval(b, frame))
            if b is not None and got is None:
                return False
            bounds.append(got)
        if bounds[2] not in (None, 1):
            return False  # (an extended slice must keep its length)
        self.flow.record(obj, ITEMS)
        obj.items[bounds[0]:bounds[1]] = list(items)
        return True

    def eval_subscript_side_effects(self, target: cst.Subscript, frame: Frame) -> None:
        for el in target.slice:
            if isinstance(el.slice, cst.Index):
                self.exprs.eval(el.slice.value, frame)


def _literal_int(node: cst.BaseExpression) -> int | None:
    """The value of an int literal (``2``, ``-1``), else None."""
    neg = isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus)
    inner = node.expression if neg else node  # type: ignore[attr-defined]
    if isinstance(inner, cst.Integer):
        return -int(inner.evaluated_value) if neg else int(inner.evaluated_value)
    return None
