"""The interpreter: abstract values through statements, calls and classes of the checked file.

It walks LibCST nodes once per analysis context. Module code runs top to bottom; then every
function and class not yet analysed runs on *generic* inputs (unannotated parameters are
``Param`` values: rigid sizes where used as sizes, tensors of unknown rank where used as
tensors). Calls to functions of the same file, or of a project file it imports (read lazily,
see ``imports.py`` and ``load_module``), are analysed with the caller's arguments (memoized,
depth-limited, recursion cut). A ``ShapeError`` from a shape rule becomes a finding on the node
that raised it (inside an imported file: on the call in the checked file that led there); an
internal error in one function becomes SHP901 for it.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Optional

import libcst as cst

from . import dims as D
from . import imports
from .findings import Finding, ShapeError
from .ops import registry as R
from .ops.registry import Call
from .shapes import Shape
from .values import (NONE, UNKNOWN, ClassRef, Cond, Const, Dict, Ext, Func, Int, Layer, Method, Obj, Param, Seq,
                     Super, Tensor, Value, as_bool, as_dim, as_dims, as_int, merge_values, poison, resolve_value,
                     same_value, tensor_of, without_values)
from .values import FOLDING, PURE_RULES

MAX_DEPTH = 10


@dataclass(eq=False)
class Partial(Value):
    """``functools.partial(fn, *args, **kwargs)``: calling it calls ``fn`` with those first."""

    fn: Value
    args: list
    kwargs: dict
MAX_UNROLL = 64
MAX_MODULES = 48  # files of the project loaded for one checked file
STEP_BUDGET = 400_000


class Budget(Exception):
    """The analysis of a file ran out of steps."""


@dataclass(eq=False)
class ModuleInfo:
    """A file of the project: the checked one, or one it imports (read and run, never imported)."""

    path: Optional[str]
    place: Optional[imports.Place]
    module: cst.Module
    ns: dict  # its global names


@dataclass(eq=False)
class ModuleRef(Value):
    """``import pkg.mod`` of a project file: attributes are its global names (or its submodules)."""

    info: ModuleInfo


@dataclass(eq=False)
class LazyName(Value):
    """``from .misc import X``: the file is read the first time ``X`` is used."""

    path: str
    name: str
    fallback: Value  # what X is when the file does not define it


@dataclass(eq=False)
class FuncInfo:
    node: cst.FunctionDef
    name: str
    cls: Optional["ClassInfo"] = None
    analysed: bool = False
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


class Frame:
    """One function activation (or the module): local names, and where control is."""

    __slots__ = ("env", "bindings", "returns", "done", "func", "globals", "broke")

    def __init__(self, env: dict, bindings: D.Bindings, func: Optional[FuncInfo] = None,
                 globals_: Optional[dict] = None) -> None:
        self.env = env
        self.bindings = bindings
        self.returns: list = []
        self.done = False  # returned / raised / broke out on every path so far
        self.broke = False  # a `break` was reached on some path
        self.func = func
        self.globals = globals_


SHAPE_COMMENT = re.compile(r"#\s*([A-Za-z_]\w*)\s*:\s*[\(\[]([^)\]]*)[\)\]]")


class Interpreter:
    def __init__(self, module: cst.Module, source: str = "", path: Optional[str] = None) -> None:
        self.module = module
        self.source = source
        self.findings: list[Finding] = []
        self._seen: set = set()
        self.globals: dict = {}
        # The checked file, the project files it imports (path -> ModuleInfo, None: unreadable), the
        # file whose code runs now, and the call in the checked file that entered another file.
        self.main = ModuleInfo(path, imports.place_of(path), module, self.globals)
        self.modules: dict = {}
        self.current = self.main
        self.entry: Optional[tuple] = None
        self._stars: dict = {}  # id(namespace) -> files it star-imports
        self.functions: list[FuncInfo] = []
        self.classes: list[ClassInfo] = []
        self.memo: dict = {}
        self.stack: list = []
        self.steps = 0
        self.suppress = 0  # inside try bodies with broad handlers
        # Writes to objects and containers (``self.fc = ...``, ``layers.append(...)``) inside a branch
        # are logged so that each branch starts from the same heap and disagreeing writes merge to unknown.
        self.logs: list = []
        self.instances: list[Obj] = []  # every object instantiated (for summaries)
        self.revealed: list = []  # (node, text) for reveal_shape(x) calls (golden tests)
        self.created: list = []  # every framework layer built, in construction order (summary names)
        self.trace: Optional[dict] = None  # id(layer or module) -> its first output, while a summary traces
        self.kept_trace: Optional[dict] = None
        self.captures: list = []  # findings of a model's own call() run on training data (see _runner)
        # values inside torch float tensors assume float32, the default dtype, unless the code changes it
        FOLDING["torch_float"] = not _changes_default_dtype(source or module.code)

    # ------------------------------------------------------------------ entry
    def run(self, keep_trace: bool = False) -> list[Finding]:
        """Analyse the file; with ``keep_trace``, the outputs of modules called by the module code
        (concrete call sites) are kept in ``kept_trace`` for summaries."""
        frame = Frame(self.globals, D.Bindings())
        for stmt in self.module.body:
            if self._guarded(lambda s=stmt: self.exec_stmt(s, frame), stmt, "module statement"):
                break
        if keep_trace:
            self.kept_trace, self.trace = self.trace, None
        # Every function and class that no call reached runs on generic inputs.
        for cls in list(self.classes):
            self._guarded(lambda c=cls: self.analyse_class_generic(c), cls.node, f"class {cls.name}")
        for fn in list(self.functions):
            if not fn.analysed and fn.cls is None:
                self._guarded(lambda f=fn: self.analyse_func_generic(f), fn.node, f"function {fn.name}")
        return self.findings

    def _guarded(self, work: Callable[[], Any], node: cst.CSTNode, what: str) -> bool:
        """Run ``work``; an internal error becomes SHP901 on ``node``. True when out of budget."""
        try:
            work()
        except Budget:
            self.report("analysis-skipped", f"{what} not fully analyzed: step budget exhausted", node)
            return True
        except RecursionError:
            self.report("analysis-skipped", f"{what} not fully analyzed: nesting too deep", node)
        except Exception as e:  # noqa: BLE001 - failure containment: one function, not the file
            self.report("analysis-skipped", f"{what} not analyzed: internal error {type(e).__name__}: {e}"[:300], node)
        return False

    # ------------------------------------------------------------------ findings
    def report(self, kind: str, message: str, node: Any, fix: Any = None, fallback: Any = None) -> None:
        if self.suppress and kind != "analysis-skipped":
            return
        if self.captures and kind != "analysis-skipped":
            self.captures[-1].append(Finding(kind, message, node, fix, fallback=fallback))
            return
        if self.current is not self.main:
            # Code of an imported file, run with the arguments of a call in the checked file: the
            # finding goes on that call. Errors of the imported file alone are its own file's.
            if self.entry is None or kind == "analysis-skipped":
                return
            node, fn = self.entry
            message = f"in {_func_label(fn)} ({self._rel(fn.home)}): {message}"
            fix = None
        key = (id(node), kind)
        if key in self._seen:
            return
        self._seen.add(key)
        self.findings.append(Finding(kind, message, node, fix, fallback=fallback))

    def _rel(self, info: Optional[ModuleInfo]) -> str:
        if info is None or info.path is None:
            return "?"
        root = self.main.place.root if self.main.place is not None else None
        try:
            return os.path.relpath(info.path, root) if root else info.path
        except ValueError:
            return info.path

    # ------------------------------------------------------------------ imported files
    def load_module(self, path: str) -> Optional[ModuleInfo]:
        """Run the module code of a project file (once per checked file); None when unreadable."""
        if path in self.modules:
            return self.modules[path]
        if self.main.path is not None and path == os.path.abspath(self.main.path):
            return self.main
        if len(self.modules) >= MAX_MODULES:
            return None
        parsed = imports.parse(path)
        if parsed is None:
            self.modules[path] = None
            return None
        info = ModuleInfo(path, imports.place_of(path), parsed[0], {})
        self.modules[path] = info
        if _changes_default_dtype(parsed[1]):
            FOLDING["torch_float"] = False
        saved = self.current, self.entry
        self.current, self.entry = info, None
        frame = Frame(info.ns, D.Bindings(), None, info.ns)
        try:
            for stmt in info.module.body:
                self.exec_stmt(stmt, frame)
        except (Budget, RecursionError):
            raise
        except Exception:  # noqa: BLE001 - what ran so far stays; the rest of the file is unknown
            pass
        finally:
            self.current, self.entry = saved
        return info

    def _star_name(self, ns: dict, name: str) -> Optional[Value]:
        """``name`` from the files ``ns`` star-imports, in import order (later ones win)."""
        found: Optional[Value] = None
        for path in self._stars.get(id(ns), ()):
            info = self.load_module(path)
            if info is None or name not in info.ns:
                continue
            public = info.ns.get("__all__")
            if isinstance(public, Seq):
                if not any(isinstance(x, Const) and x.value == name for x in public.items):
                    continue
            elif name.startswith("_"):
                continue
            found = self.resolve_lazy(info.ns[name])
        if found is not None:
            ns[name] = found
        return found

    def resolve_lazy(self, v: Value, depth: int = 0) -> Value:
        while isinstance(v, LazyName) and depth < 8:
            info = self.load_module(v.path)
            if info is None:
                return v.fallback
            if v.name in info.ns:
                v, depth = info.ns[v.name], depth + 1
                continue
            sub = self._submodule(info, v.name) or self._star_name(info.ns, v.name)
            return sub if sub is not None else v.fallback
        return UNKNOWN if isinstance(v, LazyName) else v

    def _submodule(self, info: ModuleInfo, name: str) -> Optional[Value]:
        if info.path is None or not info.path.endswith("__init__.py"):
            return None
        path = imports.file_in(os.path.dirname(info.path), name)
        sub = self.load_module(path) if path else None
        return ModuleRef(sub) if sub is not None else None

    def read_name(self, ns: dict, name: str) -> Value:
        """``ns[name]``, reading the imported file the first time a lazily imported name is used."""
        v = ns[name]
        if isinstance(v, LazyName):
            v = ns[name] = self.resolve_lazy(v)
        return v

    def module_attr(self, ref: ModuleRef, name: str) -> Value:
        info = ref.info
        if name in info.ns:
            return self.read_name(info.ns, name)
        sub = self._submodule(info, name) or self._star_name(info.ns, name)
        return sub if sub is not None else UNKNOWN

    def text(self, node: cst.CSTNode) -> str:
        try:
            return self.module.code_for_node(node)
        except Exception:  # noqa: BLE001
            return "?"

    def tick(self) -> None:
        self.steps += 1
        if self.steps > STEP_BUDGET:
            raise Budget()

    # ------------------------------------------------------------------ generic analysis
    def analyse_class_generic(self, cls: ClassInfo) -> None:
        """Run the methods no call reached on generic inputs, on an instance the file built
        (concrete sizes) or, where there is none, on one built from generic arguments."""
        pending = [m for m in cls.methods.values() if not m.analysed and m.name != "__init__"]
        if cls.analysed and not pending:
            return
        obj = next((o for o in self.instances if o.cls is cls), None)
        if obj is not None:  # methods no call reached must not change what the file built (summaries)
            obj = _copy_value(obj, True, {})
        if obj is None:
            init = cls.lookup("__init__")
            args = self._generic_args(init) if isinstance(init, FuncInfo) else ([], {})
            obj = self.instantiate(cls, args[0], args[1], cls.node, generic=True)
        cls.analysed = True
        if not isinstance(obj, Obj):
            return
        for name in ("forward", "call", "__call__"):
            m = cls.lookup(name)
            if isinstance(m, FuncInfo) and not m.analysed:
                pos, kw = self._generic_args(m)
                self._guarded(lambda m=m, pos=pos, kw=kw: self.call_func(m, pos, kw, bound=obj, node=m.node,
                                                                         generic=True),
                              m.node, f"{cls.name}.{name}")
                break
        for name, m in cls.methods.items():
            if not m.analysed and name not in ("__init__",):
                pos, kw = self._generic_args(m)
                self._guarded(lambda m=m, pos=pos, kw=kw: self.call_func(m, pos, kw, bound=obj, node=m.node,
                                                                         generic=True),
                              m.node, f"{cls.name}.{name}")

    def analyse_func_generic(self, fn: FuncInfo) -> None:
        pos, kw = self._generic_args(fn)
        self.call_func(fn, pos, kw, node=fn.node, generic=True)

    def _generic_args(self, fn: FuncInfo) -> tuple[list, dict]:
        params = fn.params
        plist = list(params.posonly_params) + list(params.params)
        if fn.cls is not None and plist and not _is_static(fn.node):
            plist = plist[1:]
        pos = [self.generic_param(p) for p in plist]
        kw = {p.name.value: self.generic_param(p) for p in params.kwonly_params}
        return pos, kw

    def generic_param(self, p: cst.Param) -> Value:
        name = p.name.value
        if p.annotation is not None:
            v = self.annotation_value(p.annotation.annotation, name)
            if v is not None:
                return v
        if p.default is not None:
            d = p.default
            if isinstance(d, cst.Integer) or (isinstance(d, cst.UnaryOperation) and isinstance(d.expression, cst.Integer)):
                return Param(name)
            return UNKNOWN
        return Param(name)

    # ------------------------------------------------------------------ annotations
    def annotation_value(self, ann: cst.BaseExpression, name: str) -> Optional[Value]:
        """A value from an annotation: jaxtyping ``Float[Tensor, "b t d"]``, ``int``, ``Tensor``."""
        if isinstance(ann, cst.Subscript):
            head = self.qualname_of(ann.value)
            if head and head.startswith("jaxtyping.") and len(ann.slice) == 2:
                arr = ann.slice[0].slice
                spec = ann.slice[1].slice
                if isinstance(arr, cst.Index) and isinstance(spec, cst.Index):
                    arr_q = self.qualname_of(arr.value) or ""
                    s = _string_value(spec.value)
                    if s is not None:
                        shape = jaxtyping_shape(s)
                        if shape is None:
                            return None
                        fw = "numpy" if arr_q.startswith("numpy") else ("tf" if arr_q.startswith("tensorflow") else "torch")
                        dtype = "int" if head.split(".")[-1] in ("Int", "Int64", "Int32", "Integer", "UInt8", "Long") else (
                            "bool" if head.split(".")[-1] == "Bool" else "float")
                        return Tensor(shape, fw, dtype)
            return None
        q = self.qualname_of(ann)
        if q == "builtins.int" or (isinstance(ann, cst.Name) and ann.value == "int"):
            return Param(name)
        return None

    def qualname_of(self, expr: cst.BaseExpression) -> Optional[str]:
        """The qualified name an expression denotes, from the global names (imports)."""
        if isinstance(expr, cst.Name):
            ns = self.current.ns
            v = self.read_name(ns, expr.value) if expr.value in ns else None
            if isinstance(v, Ext):
                return v.qualname
            return None
        if isinstance(expr, cst.Attribute):
            base = self.qualname_of(expr.value)
            return None if base is None else f"{base}.{expr.attr.value}"
        return None

    # ------------------------------------------------------------------ statements
    def exec_block(self, body: Iterable[cst.CSTNode], frame: Frame) -> None:
        for stmt in body:
            if frame.done:
                return
            self.exec_stmt(stmt, frame)

    def exec_stmt(self, stmt: cst.CSTNode, frame: Frame) -> None:
        self.tick()
        if isinstance(stmt, cst.SimpleStatementLine):
            self._shape_comments(stmt, frame)
            for small in stmt.body:
                if frame.done:
                    return
                self.exec_small(small, frame)
            return
        handler = getattr(self, "stmt_" + type(stmt).__name__, None)
        if handler is not None:
            handler(stmt, frame)

    def _shape_comments(self, stmt: cst.SimpleStatementLine, frame: Frame) -> None:
        """``# x: (B, T, C)`` above a statement declares the shape of ``x`` where it is unknown."""
        if frame.func is None or not stmt.leading_lines:
            return
        for line in stmt.leading_lines:
            c = line.comment
            if c is None:
                continue
            m = SHAPE_COMMENT.match(c.value)
            if not m:
                continue
            name, body = m.group(1), m.group(2)
            cur = frame.env.get(name)
            if cur is not None and not isinstance(cur, Param) and cur is not UNKNOWN:
                continue
            shape = self._comment_shape(body, frame)
            if shape is not None:
                frame.env[name] = Tensor(shape, "any")

    def _comment_shape(self, body: str, frame: Frame) -> Optional[Shape]:
        out: list = []
        variadic = False
        known = self._rigid_names(frame)
        for tok in [t.strip() for t in body.split(",") if t.strip()]:
            if tok in ("*", "...") or tok.startswith("*"):
                variadic = True
                continue
            if tok.isdigit():
                out.append(int(tok))
            elif re.fullmatch(r"[A-Za-z_]\w*", tok):
                out.append(D.rigid(tok) if tok in known else _scoped_flexible(frame, tok))
            else:
                return None
        return Shape(tuple(out), variadic)

    def _rigid_names(self, frame: Frame) -> set:
        names = {k for k, v in frame.env.items() if isinstance(v, Param)}
        fn = frame.func
        if fn is not None and fn.cls is not None:
            init = fn.cls.lookup("__init__")
            if isinstance(init, FuncInfo):
                p = init.params
                names |= {x.name.value for x in list(p.params) + list(p.kwonly_params)}
        return names

    def exec_small(self, s: cst.BaseSmallStatement, frame: Frame) -> None:
        if isinstance(s, cst.Expr):
            self.eval(s.value, frame)
        elif isinstance(s, cst.Assign):
            v = self.eval(s.value, frame)
            for t in s.targets:
                self.assign(t.target, v, frame)
        elif isinstance(s, cst.AnnAssign):
            v = self.eval(s.value, frame) if s.value is not None else None
            if v is None:  # `x: Float[Tensor, "b d"]` declares a shape; `n: int` declares nothing
                ann = self.annotation_value(s.annotation.annotation, "")
                if isinstance(ann, Tensor) and isinstance(s.target, cst.Name):
                    frame.env[s.target.value] = ann
                return
            self.assign(s.target, v, frame)
        elif isinstance(s, cst.AugAssign):
            cur = self.eval(s.target, frame)
            rhs = self.eval(s.value, frame)
            op = _BINOPS.get(type(s.operator).__name__.replace("Assign", ""))
            rule = R.lookup_layer(cur.kind) if isinstance(cur, Layer) and op == "add" else None
            if rule is not None and hasattr(rule, "method_extend"):  # module_list += [...] extends it in place
                self._record(cur, CONFIG)
                rule.method_extend(cur, self._call([rhs], {}, s, frame.bindings))
                return
            poison(cur)  # `x += 1` changes a tensor in place: every alias of it too
            v = self.binop(op, cur, rhs, s, frame) if op else UNKNOWN
            self.assign(s.target, v, frame)
        elif isinstance(s, cst.Return):
            v = self.eval(s.value, frame) if s.value is not None else NONE
            frame.returns.append(v)
            frame.done = True
        elif isinstance(s, cst.Raise):
            if s.exc is not None:
                self.eval(s.exc, frame)
            frame.done = True
        elif isinstance(s, cst.Assert):
            self.eval(s.test, frame)
            self._assume(s.test, frame)
        elif isinstance(s, cst.Import):
            for alias in s.names:
                full = _dotted(alias.name)
                if alias.asname is not None:
                    local = self._import_module(full, 0)
                    frame.env[alias.asname.name.value] = local if local is not None else Ext(R.canonical(full))
                else:
                    top = full.split(".")[0]
                    local = self._import_module(top, 0)
                    frame.env[top] = local if local is not None else Ext(top)
        elif isinstance(s, cst.ImportFrom):
            self._import_from(s, frame)
        elif isinstance(s, cst.Del):
            pass
        elif isinstance(s, cst.Break):
            frame.done = frame.broke = True
        elif isinstance(s, (cst.Global, cst.Nonlocal, cst.Pass, cst.Continue)):
            pass

    def _import_module(self, dotted: str, level: int) -> Optional[Value]:
        path = imports.resolve(self.current.place, dotted, level)
        info = self.load_module(path) if path else None
        return ModuleRef(info) if info is not None else None

    def _import_from(self, s: cst.ImportFrom, frame: Frame) -> None:
        level = len(s.relative)
        mod = _dotted(s.module) if s.module is not None else ""
        path = imports.resolve(self.current.place, mod, level)
        if isinstance(s.names, cst.ImportStar):
            if path:  # read when a name is not found (models/__init__.py star-imports every model)
                self._stars.setdefault(id(frame.env), []).append(path)
            return
        for alias in s.names:
            name = _dotted(alias.name)
            fallback = UNKNOWN if level or not mod else Ext(R.canonical(f"{mod}.{name}"))
            frame.env[_alias_name(alias)] = LazyName(path, name, fallback) if path else fallback

    def _assume(self, test: cst.BaseExpression, frame: Frame) -> None:
        """``assert a == b`` on sizes: what follows may take them as equal."""
        if isinstance(test, cst.Comparison) and len(test.comparisons) == 1 and isinstance(
                test.comparisons[0].operator, cst.Equal):
            a = as_dim(self.eval(test.left, frame))
            b = as_dim(self.eval(test.comparisons[0].comparator, frame))
            if a is not None and b is not None:
                _assume_equal(((a, b),), frame.bindings)

    # ------------------------------------------------------------------ compound statements
    def stmt_FunctionDef(self, node: cst.FunctionDef, frame: Frame) -> None:
        info = FuncInfo(node, node.name.value, home=self.current)
        if frame.func is not None:  # a nested function sees its enclosing function's names
            info.scope = {**(frame.globals if frame.globals is not None else self.globals), **frame.env}
        if self.current is self.main:  # imported files are checked on their own
            self.functions.append(info)
        for d in node.decorators:
            self.eval(d.decorator, frame)
        frame.env[node.name.value] = Func(info)

    def stmt_ClassDef(self, node: cst.ClassDef, frame: Frame) -> None:
        bases = [self.eval(a.value, frame) for a in node.bases if a.keyword is None]
        info = ClassInfo(node, node.name.value, bases, home=self.current)
        if self.current is self.main:
            self.classes.append(info)
        body = node.body.body if isinstance(node.body, cst.IndentedBlock) else []
        cframe = Frame(dict(frame.env), frame.bindings)
        for stmt in body:
            if isinstance(stmt, cst.FunctionDef):
                f = FuncInfo(stmt, stmt.name.value, info, home=self.current)
                info.methods[stmt.name.value] = f
                if self.current is self.main:
                    self.functions.append(f)
            elif isinstance(stmt, cst.SimpleStatementLine):
                for small in stmt.body:
                    if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
                        info.fields.append(small.target.value)
                        if small.value is not None:
                            info.defaults[small.target.value] = self.eval(small.value, cframe)
                    if isinstance(small, (cst.Assign, cst.AnnAssign)):
                        before = dict(cframe.env)
                        self.exec_small(small, cframe)
                        for k, v in cframe.env.items():
                            if before.get(k) is not v:
                                info.attrs[k] = v
        frame.env[node.name.value] = ClassRef(info)

    def stmt_If(self, node: cst.If, frame: Frame) -> None:
        if _is_main_guard(node.test):
            if self.current is self.main:  # an imported file is not __main__
                self.exec_block(node.body.body, frame)
            return
        test = self.eval(node.test, frame)
        cond = self.truth_of(test)
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
        a = self._branch(frame)
        b = self._branch(frame)
        if isinstance(test, Cond):  # each branch assumes what its condition says of the sizes
            _assume_equal(test.pos, a.bindings)
            _assume_equal(test.neg, b.bindings)
        log_a = self._logged(lambda: self.exec_block(node.body.body, a))
        if isinstance(orelse, cst.If):
            log_b = self._logged(lambda: self.stmt_If(orelse, b))
        elif isinstance(orelse, cst.Else):
            log_b = self._logged(lambda: self.exec_block(orelse.body.body, b))
        else:
            log_b = {}
        self._merge(frame, a, b)
        self._merge_heap(log_a, log_b, a.done, b.done)

    def _logged(self, work: Callable[[], Any]) -> dict:
        """Run one branch with a fresh write log; undo its writes; return {key: (holder, field, old, new)}."""
        self.logs.append({})
        try:
            work()
        finally:
            log = self.logs.pop()
        out = {}
        for key, (holder, field, old) in log.items():
            out[key] = (holder, field, old, _heap_get(holder, field))
            _heap_set(holder, field, old)
        return out

    def _merge_heap(self, log_a: dict, log_b: dict, a_done: bool, b_done: bool) -> None:
        """After both branches: writes they agree on stay, others become unknown."""
        for key in set(log_a) | set(log_b):
            holder, field, old, _ = log_a.get(key) or log_b[key]
            va = log_a[key][3] if key in log_a else old
            vb = log_b[key][3] if key in log_b else old
            if a_done and not b_done:
                va = vb
            elif b_done and not a_done:
                vb = va
            self._heap_merge(holder, field, old, va, vb)

    def _heap_merge(self, holder: Any, field: str, old: Any, va: Any, vb: Any) -> None:
        if self.logs:  # the enclosing branch must be able to undo this too
            self.logs[-1].setdefault((id(holder), field), (holder, field, old))
        if _heap_same(va, vb):
            _heap_set(holder, field, va)
        else:
            _heap_set(holder, field, _heap_unknown(holder, field))

    def _record(self, holder: Any, field: str) -> None:
        """Note the value of ``holder.field`` before the first write to it in the current branch."""
        if not self.logs:
            return
        log = self.logs[-1]
        key = (id(holder), field)
        if key not in log:
            log[key] = (holder, field, _heap_get(holder, field))

    def _branch(self, frame: Frame) -> Frame:
        f = Frame(dict(frame.env), frame.bindings.copy(), frame.func, frame.globals)
        return f

    def _merge(self, frame: Frame, a: Frame, b: Frame) -> None:
        frame.returns.extend(a.returns)
        frame.returns.extend(b.returns)
        frame.broke = frame.broke or a.broke or b.broke
        if a.done and b.done:
            frame.done = True
            return
        if a.done:
            _set_env(frame, b.env)
            frame.bindings = b.bindings
            return
        if b.done:
            _set_env(frame, a.env)
            frame.bindings = a.bindings
            return
        env = {}
        for k in set(a.env) | set(b.env):
            va, vb = a.env.get(k), b.env.get(k)
            if va is None or vb is None:
                env[k] = UNKNOWN
            elif va is vb or same_value(va, vb):
                env[k] = va
            else:
                env[k] = merge_values(va, vb) or UNKNOWN
        _set_env(frame, env)
        frame.bindings.keep_agreeing(a.bindings, b.bindings)

    def stmt_For(self, node: cst.For, frame: Frame) -> None:
        it = self.eval(node.iter, frame)
        items = self.iter_items(it)
        if items is not None and len(items) <= MAX_UNROLL:
            before = dict(frame.env)
            for item in items:
                self.assign(node.target, item, frame)
                inner = self._branch(frame)
                self.exec_block(node.body.body, inner)
                frame.returns.extend(inner.returns)
                if inner.broke and inner.done and not inner.returns:
                    _set_env(frame, inner.env)  # it stops here on every path
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
                _set_env(frame, inner.env)
                frame.bindings = inner.bindings
            if node.orelse is not None:
                self.exec_block(node.orelse.body.body, frame)
            return
        self.assign(node.target, self.element_of(it), frame)
        self._loop_once(node.body.body, frame)
        if node.orelse is not None:
            self.exec_block(node.orelse.body.body, frame)

    def _loop_once(self, body: Any, frame: Frame) -> None:
        """A loop of unknown count: run the body once; loop-carried values that change become unknown."""
        inner = self._branch(frame)
        self.logs.append({})
        try:
            self.exec_block(body, inner)
        finally:
            log = self.logs.pop()
        # the body may run any number of times: what it changed on the heap is unknown after it
        for key, (holder, field, old) in log.items():
            new = _heap_get(holder, field)
            _heap_set(holder, field, old)
            self._heap_merge(holder, field, old, new, old)
        frame.returns.extend(inner.returns)
        for k, v in inner.env.items():
            old = frame.env.get(k)
            if old is None or not (old is v or same_value(old, v)):
                frame.env[k] = (merge_values(old, v) if old is not None else None) or UNKNOWN

    def stmt_While(self, node: cst.While, frame: Frame) -> None:
        self.eval(node.test, frame)
        self._loop_once(node.body.body, frame)

    def stmt_With(self, node: cst.With, frame: Frame) -> None:
        expects_error = False
        for item in node.items:
            v = self.eval(item.item, frame)
            expects_error = expects_error or _expects_error(item.item)
            if item.asname is not None:
                self.assign(item.asname.name, self.enter_value(v), frame)
        if expects_error:  # pytest.raises / assertRaises: the body fails on purpose
            self.suppress += 1
        try:
            self.exec_block(node.body.body, frame)
        finally:
            if expects_error:
                self.suppress -= 1

    def enter_value(self, v: Value) -> Value:
        if isinstance(v, Ext) and v.qualname.endswith("Session"):
            return v
        return v if isinstance(v, (Obj, Ext)) else UNKNOWN

    def stmt_Try(self, node: cst.Try, frame: Frame) -> None:
        # Code under a broad handler may fail on purpose (tests, fallbacks): nothing is reported there.
        broad = any(_broad_handler(h) for h in node.handlers)
        if broad:
            self.suppress += 1
        body = self._branch(frame)
        try:
            self.exec_block(node.body.body, body)
            if node.orelse is not None and not body.done:
                self.exec_block(node.orelse.body.body, body)
        finally:
            if broad:
                self.suppress -= 1
        # Each handler starts from the state before the try (the body may have failed anywhere).
        for h in node.handlers:
            handler = self._branch(frame)
            self.exec_block(h.body.body, handler)
            merged = self._branch(frame)
            self._merge(merged, body, handler)
            body = merged
        _set_env(frame, body.env)
        frame.bindings, frame.done = body.bindings, body.done
        frame.returns.extend(body.returns)
        if node.finalbody is not None:
            self.exec_block(node.finalbody.body.body, frame)

    def stmt_TryStar(self, node: Any, frame: Frame) -> None:
        self.stmt_Try(node, frame)

    def stmt_Match(self, node: Any, frame: Frame) -> None:
        for case in node.cases:
            self.exec_block(case.body.body, self._branch(frame))

    # ------------------------------------------------------------------ assignment
    def assign(self, target: cst.BaseExpression, v: Value, frame: Frame) -> None:
        if isinstance(target, cst.Name):
            frame.env[target.value] = v
        elif isinstance(target, (cst.Tuple, cst.List)):
            elems = target.elements
            star = [i for i, e in enumerate(elems) if isinstance(e, cst.StarredElement)]
            items = self.iter_items(v)
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
            obj = self.eval(target.value, frame)
            self.set_attr(obj, target.attr.value, v, target)
        elif isinstance(target, cst.Subscript):
            obj = self.eval(target.value, frame)
            if isinstance(obj, Dict) and len(target.slice) == 1 and isinstance(target.slice[0].slice, cst.Index):
                key = self.eval(target.slice[0].slice.value, frame)
                if isinstance(key, Const) and isinstance(key.value, str):
                    self._record(obj, ITEMS)
                    obj.items[key.value] = v
                    return
            if isinstance(obj, Seq) and obj.kind == "list" and len(target.slice) == 1 and isinstance(
                    target.slice[0].slice, cst.Index):
                i = as_int(self.eval(target.slice[0].slice.value, frame))
                if i is not None and -len(obj.items) <= i < len(obj.items):
                    self._record(obj, ITEMS)
                    obj.items[i] = v
                    return
            self.eval_subscript_side_effects(target, frame)
            poison(obj)  # x[i] = v changes a tensor in place
            if isinstance(obj, Dict):  # a key we cannot name: the dict's contents are unknown now
                self._record(obj, ITEMS)
                obj.items[UNKNOWN_KEY] = UNKNOWN
            elif isinstance(obj, Seq) and obj.kind == "list":
                self._record(obj, ITEMS)
                obj.items[:] = [UNKNOWN_STAR]
        elif isinstance(target, cst.StarredElement):
            self.assign(target.value, v, frame)

    def eval_subscript_side_effects(self, target: cst.Subscript, frame: Frame) -> None:
        for el in target.slice:
            if isinstance(el.slice, cst.Index):
                self.eval(el.slice.value, frame)

    def set_attr(self, obj: Value, name: str, v: Value, node: cst.CSTNode) -> None:
        """``obj.name = v``; a layer's weight assigned a tensor of another shape is SHP601."""
        if isinstance(obj, Obj):
            if obj.base is not None and isinstance(v, Tensor) and self._check_weight(obj.base, name, v, node):
                return
            self._record(obj, name)
            obj.attrs[name] = v
        elif isinstance(obj, Layer):
            if isinstance(v, Tensor) and self._check_weight(obj, name, v, node):
                return
            self._record(obj, name)
            obj.attrs[name] = v
        elif isinstance(obj, Tensor) and name == "data" and obj.role and isinstance(v, Tensor):
            from .ops.common import check_weight_assignment

            call = self._call([], {}, node, self._cur_bindings)
            self._call_rule(lambda: check_weight_assignment(call, obj.role, obj.shape, v.shape, "assigning"), node)

    def _check_state_dict(self, module: Value, sd: Dict, node: Any, frame: Frame) -> None:
        """``load_state_dict({...})`` of a literal dict: each tensor against the parameter it loads into."""
        from .modules import named_parameters
        from .ops.common import check_weight_assignment

        params = named_parameters(module)
        if not params:
            return
        for key, v in sd.items.items():
            if key in params and isinstance(v, Tensor):
                call = self._call([], {}, node, frame.bindings)
                self._call_rule(lambda k=key, v=v: check_weight_assignment(
                    call, f"{_role_of(module, k)}", params[k], v.shape, f"loading '{k}':"), node)

    def _check_weight(self, layer: Layer, name: str, v: Tensor, node: Any) -> bool:
        """True where ``v`` does not fit ``layer.name`` (reported)."""
        from .ops.common import check_weight_assignment

        rule = R.lookup_layer(layer.kind)
        w = (rule.weights(layer) if rule is not None else None) or {}
        if name not in w:
            return False
        call = self._call([], {}, node, self._cur_bindings)
        before = len(self.findings)
        self._call_rule(lambda: check_weight_assignment(call, f"{layer.kind}.{name}", w[name], v.shape,
                                                        "assigning"), node)
        return len(self.findings) > before

    _cur_bindings: D.Bindings = D.Bindings()

    # ------------------------------------------------------------------ expressions
    def eval(self, e: Optional[cst.BaseExpression], frame: Frame) -> Value:
        if e is None:
            return UNKNOWN
        self.tick()
        handler = getattr(self, "ex_" + type(e).__name__, None)
        if handler is None:
            return UNKNOWN
        self._cur_bindings = frame.bindings
        return handler(e, frame)

    def ex_Name(self, e: cst.Name, frame: Frame) -> Value:
        n = e.value
        if n in frame.env:
            return self.read_name(frame.env, n)
        g = frame.globals if frame.globals is not None else self.globals
        if n in g:
            return self.read_name(g, n)
        if n in ("True", "False"):
            return Const(n == "True")
        if n == "None":
            return NONE
        if self._stars and n not in _BUILTIN_NAMES:
            got = self._star_name(g, n)
            if got is not None:
                return got
        return Ext(f"builtins.{n}")

    def ex_Integer(self, e: cst.Integer, frame: Frame) -> Value:
        try:
            return Int(int(e.evaluated_value))
        except Exception:  # noqa: BLE001
            return UNKNOWN

    def ex_Float(self, e: cst.Float, frame: Frame) -> Value:
        try:
            return Const(float(e.evaluated_value))
        except Exception:  # noqa: BLE001
            return UNKNOWN

    def ex_SimpleString(self, e: cst.SimpleString, frame: Frame) -> Value:
        v = _string_value(e)
        return Const(v) if v is not None else UNKNOWN

    def ex_ConcatenatedString(self, e: cst.ConcatenatedString, frame: Frame) -> Value:
        v = _string_value(e)
        return Const(v) if v is not None else UNKNOWN

    def ex_FormattedString(self, e: cst.FormattedString, frame: Frame) -> Value:
        out: Optional[list] = []
        for part in e.parts:
            if isinstance(part, cst.FormattedStringExpression):
                v = _plain(self.eval(part.expression, frame))
                if v is None or part.conversion is not None or part.format_spec is not None or out is None:
                    out = None
                else:
                    out.append(str(v))
            elif out is not None:
                out.append(part.value)
        # f"stage{i}" with a known i is that string (torch module names)
        return Const("".join(out)) if out is not None and "{" not in e.start and e.start.lower().count("b") == 0 else UNKNOWN

    def ex_Ellipsis(self, e: cst.Ellipsis, frame: Frame) -> Value:
        return Const(Ellipsis)

    def ex_Tuple(self, e: cst.Tuple, frame: Frame) -> Value:
        return Seq(self._elements(e.elements, frame), "tuple")

    def ex_List(self, e: cst.List, frame: Frame) -> Value:
        return Seq(self._elements(e.elements, frame), "list")

    def ex_Set(self, e: cst.Set, frame: Frame) -> Value:
        self._elements(e.elements, frame)
        return UNKNOWN

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
                if strings:
                    items[k.value] = v
            else:
                self.eval(el.value, frame)
                strings = tensors = False
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
        self._comprehension(e.elt, e.for_in, frame)
        return UNKNOWN

    def ex_DictComp(self, e: cst.DictComp, frame: Frame) -> Value:
        self._comprehension(e.value, e.for_in, frame, key=e.key)
        return UNKNOWN

    def _comprehension(self, elt: cst.BaseExpression, comp: cst.CompFor, frame: Frame,
                       key: Optional[cst.BaseExpression] = None) -> Optional[list]:
        """Unroll a comprehension over known iterables; None where the count is unknown."""
        out: list = []
        known = True

        def go(c: cst.CompFor, f: Frame) -> None:
            nonlocal known
            it = self.eval(c.iter, f)
            items = self.iter_items(it)
            if items is None or len(items) > MAX_UNROLL:
                known = False
                items = [self.element_of(it)]
            for item in items:
                inner = self._branch(f)
                self.assign(c.target, item, inner)
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
                        self.eval(key, inner)
                    out.append(self.eval(elt, inner))

        go(comp, self._branch(frame))
        return out if known else None

    def ex_Lambda(self, e: cst.Lambda, frame: Frame) -> Value:
        """A lambda is a one-line function (``layers.Lambda(lambda t: tf.reduce_mean(t, 1))``): run
        when called, like a nested function, seeing the names around it."""
        node = cst.FunctionDef(name=cst.Name("lambda"), params=e.params,
                               body=cst.IndentedBlock([cst.SimpleStatementLine([cst.Return(e.body)])]))
        info = FuncInfo(node, "<lambda>", home=self.current)
        info.scope = {**(frame.globals if frame.globals is not None else self.globals), **frame.env}
        return Func(info)

    def ex_IfExp(self, e: cst.IfExp, frame: Frame) -> Value:
        t = self.truth(e.test, frame)
        if t is True:
            return self.eval(e.body, frame)
        if t is False:
            return self.eval(e.orelse, frame)
        a = self.eval(e.body, frame)
        b = self.eval(e.orelse, frame)
        return a if same_value(a, b) else UNKNOWN

    def ex_NamedExpr(self, e: cst.NamedExpr, frame: Frame) -> Value:
        v = self.eval(e.value, frame)
        self.assign(e.target, v, frame)
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
            b = as_bool(v)
            return Const(not b) if b is not None else UNKNOWN
        if op == "BitInvert" and isinstance(v, Tensor):
            return without_values(v)
        return UNKNOWN

    def ex_BooleanOperation(self, e: cst.BooleanOperation, frame: Frame) -> Value:
        a = self.eval(e.left, frame)
        ba = as_bool(a)
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
        if op in ("Is", "IsNot"):
            if isinstance(b, Const) and b.value is None:
                if isinstance(a, Const):
                    same = a.value is None
                elif isinstance(a, (Layer, Obj, Tensor, Func, ClassRef, Seq, Dict, Int, Partial, ModuleRef)) or (
                        isinstance(a, Ext) and self._known_callee(a) and not a.qualname.startswith("builtins.")):
                    same = False  # (a framework class or function the registry knows is not None)
                else:
                    return None
                return same if op == "Is" else not same
            return None
        da, db = as_dim(a), as_dim(b)
        if isinstance(a, Int) and isinstance(b, Int) and da is not None and db is not None:
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
        if op in ("Equal", "NotEqual") and (isinstance(a, Int) and isinstance(b, Const) and isinstance(b.value, str)
                                            or isinstance(b, Int) and isinstance(a, Const) and isinstance(a.value, str)):
            return op == "NotEqual"  # a size is never equal to a string (vgg's cfg: 64 == "M")
        na, nb = _plain(a), _plain(b)
        if isinstance(na, (int, float)) and isinstance(nb, (int, float)) and not isinstance(na, bool) \
                and not isinstance(nb, bool):  # known numbers: 96 >= 0.9 * 96.0
            return {"Equal": na == nb, "NotEqual": na != nb, "LessThan": na < nb, "GreaterThan": na > nb,
                    "LessThanEqual": na <= nb, "GreaterThanEqual": na >= nb}.get(op)
        if isinstance(a, Const) and isinstance(b, Const):
            try:
                return {"Equal": a.value == b.value, "NotEqual": a.value != b.value}.get(op)
            except Exception:  # noqa: BLE001
                return None
        if op in ("In", "NotIn") and isinstance(b, Dict) and isinstance(a, Const) and UNKNOWN_KEY not in b.items:
            try:
                r = a.value in b.items
            except TypeError:
                return None
            return r if op == "In" else not r
        if op in ("In", "NotIn") and isinstance(b, Seq) and isinstance(a, Const):
            if all(isinstance(x, Const) for x in b.items):
                r = any(x.value == a.value for x in b.items)
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
        if isinstance(v, (Layer, Obj, Func, ClassRef)):
            return True
        return None

    def ex_BinaryOperation(self, e: cst.BinaryOperation, frame: Frame) -> Value:
        a = self.eval(e.left, frame)
        b = self.eval(e.right, frame)
        op = _BINOPS.get(type(e.operator).__name__)
        if op is None:
            return UNKNOWN
        return self.binop(op, a, b, e, frame, left=e.left, right=e.right)

    def binop(self, op: str, a: Value, b: Value, node: Any, frame: Frame, left: Any = None, right: Any = None) -> Value:
        if isinstance(a, Tensor) or isinstance(b, Tensor) or (
                op == "matmul" and (tensor_of(a) is not None and tensor_of(b) is not None)):
            fw = a.fw if isinstance(a, Tensor) else (b.fw if isinstance(b, Tensor) else "torch")
            name = "operator.matmul" if op == "matmul" else f"operator.{op}"
            fn = R.lookup_func(name)
            if fn is None:
                return UNKNOWN
            texts = {0: left, 1: right}
            call = self._call([a, b], {}, node, frame.bindings, texts=texts, fw=fw, qualname=name)
            return self._call_rule(lambda: fn(call), node)
        if isinstance(a, (Int, Param)) and isinstance(b, (Int, Param)):
            da, db = as_dim(a), as_dim(b)
            return _int_arith(op, da, db)
        if isinstance(a, Seq) and isinstance(b, Seq) and op == "add":
            return Seq(a.items + b.items, a.kind if a.kind == b.kind else "tuple")
        if isinstance(a, Seq) and isinstance(b, Int) and op == "mul":
            n = D.as_int(b.dim)
            if n is not None and 0 <= n <= MAX_UNROLL:
                return Seq(a.items * n, a.kind)
        if op == "mod" and isinstance(a, Const) and isinstance(a.value, str):
            vals = b.items if isinstance(b, Seq) else [b]
            plain = [_plain(x) for x in vals]
            if any(p is None for p in plain):
                return UNKNOWN
            try:  # "denseblock%d" % (i + 1)
                return Const(a.value % (tuple(plain) if isinstance(b, Seq) else plain[0]))
            except Exception:  # noqa: BLE001
                return UNKNOWN
        if isinstance(a, Const) and isinstance(b, Const):
            try:
                return Const(_PYOPS[op](a.value, b.value))
            except Exception:  # noqa: BLE001
                return UNKNOWN
        if isinstance(a, (Int, Const)) and isinstance(b, (Int, Const)):
            x, y = _num(a), _num(b)
            if x is not None and y is not None:
                try:
                    r = _PYOPS[op](x, y)
                except Exception:  # noqa: BLE001
                    return UNKNOWN
                return Int(r) if isinstance(r, int) and not isinstance(r, bool) else Const(r)
        return UNKNOWN

    def ex_Attribute(self, e: cst.Attribute, frame: Frame) -> Value:
        obj = self.eval(e.value, frame)
        return self.get_attr(obj, e.attr.value, e, frame)

    def get_attr(self, obj: Value, name: str, node: Any, frame: Frame) -> Value:
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
        if isinstance(obj, Ext):
            return Ext(R.canonical(f"{obj.qualname}.{name}"))
        if isinstance(obj, ModuleRef):
            return self.module_attr(obj, name)
        if isinstance(obj, Tensor):
            prop = R.PROPERTIES.get(f"{_tensor_ns(obj)}.{name}") or R.PROPERTIES.get(f"tensor.{name}")
            if prop is not None:
                if name not in _READ_ONLY_ATTRS:  # x.T, x.data: a view that may be changed in place
                    poison(obj)
                call = self._call([obj], {}, node, frame.bindings, fw=obj.fw, qualname=name)
                return self._call_rule(lambda: prop(call), node)
            return Method(obj, name)
        if isinstance(obj, Param):
            # an unannotated parameter may not be a tensor at all (a sympy expression, a string):
            # its methods run on a tensor of unknown rank, but report nothing (see call_method)
            return Method(obj, name) if name not in R.PROPERTIES_ANY else UNKNOWN
        if isinstance(obj, Obj):
            if name in obj.attrs:
                return obj.attrs[name]
            got = obj.cls.lookup(name)
            if isinstance(got, FuncInfo):
                if _is_property(got.node):
                    return self.call_func(got, [], {}, bound=obj, node=node)
                return Func(got, obj)
            if got is not None:
                return got
            if name in _KERAS_OBJECT_METHODS and _is_keras_class(obj.cls):
                return Method(obj, name)  # runs through the object's own call()
            if obj.base is not None:
                return self.get_attr(obj.base, name, node, frame)
            return Method(obj, name)  # an inherited framework method (load_state_dict, parameters...)
        if isinstance(obj, ClassRef):
            got = obj.info.lookup(name)
            if isinstance(got, FuncInfo):
                return Func(got)
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
        if isinstance(obj, (Seq, Dict, Int, Const)):
            if isinstance(obj, Int) and name in ("real",):
                return obj
            if isinstance(obj, Seq) and len(obj.items) == 2 and name in ("values", "indices") and all(
                    isinstance(x, Tensor) for x in obj.items):  # torch's (values, indices) results
                return obj.items[0 if name == "values" else 1]
            return Method(obj, name)
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
            else:
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
        if isinstance(obj, Tensor) or isinstance(obj, Param):
            t = tensor_of(obj)
            fn = R.lookup_func("tensor.__getitem__")
            poison(obj)  # x[i] is a view of x: changing it changes x
            if fn is None or t is None:
                return UNKNOWN
            call = self._call([t, Seq(idx, "tuple")], {}, node, frame.bindings, fw=t.fw, qualname="__getitem__")
            return self._call_rule(lambda: fn(call), node)
        if isinstance(obj, Seq) and len(idx) == 1:
            i = idx[0]
            if isinstance(i, Const) and isinstance(i.value, slice):
                sl = i.value
                parts = [D.as_int(x) if x is not None and x is not UNKNOWN else (None if x is None else UNKNOWN)
                         for x in (sl.start, sl.stop, sl.step)]
                if any(p is UNKNOWN for p in parts):
                    return UNKNOWN
                return Seq(obj.items[slice(*parts)], obj.kind)
            n = as_int(i)
            if n is not None and -len(obj.items) <= n < len(obj.items):
                return obj.items[n]
            if n is not None and obj.kind == "size":
                fn = R.lookup_func("tensor.size_index_error")
                if fn is not None:
                    call = self._call([obj, Int(n)], {}, node, frame.bindings)
                    return self._call_rule(lambda: fn(call), node)
            return UNKNOWN
        if isinstance(obj, Dict) and len(idx) == 1 and isinstance(idx[0], Const):
            return obj.items.get(idx[0].value, UNKNOWN)  # a Dict of unknown contents has no known key
        if isinstance(obj, Layer):
            rule = R.lookup_layer(obj.kind)
            if rule is not None and hasattr(rule, "getitem"):
                return rule.getitem(obj, idx)
        if isinstance(obj, Ext):
            return obj  # typing subscripts and the like
        return UNKNOWN

    # ------------------------------------------------------------------ calls
    def ex_Call(self, e: cst.Call, frame: Frame) -> Value:
        fn = self.eval(e.func, frame)
        args: list = []
        kwargs: dict = {}
        arg_nodes: dict = {}
        for a in e.args:
            if a.keyword is not None:
                v = self.eval(a.value, frame)
                kwargs[a.keyword.value] = v
                arg_nodes[a.keyword.value] = a.value
            elif a.star == "*":
                v = self.eval(a.value, frame)
                items = self.iter_items(v)
                if items is None:
                    args = None  # type: ignore[assignment]
                    break
                args.extend(items)
            elif a.star == "**":
                v = self.eval(a.value, frame)
                if isinstance(v, Dict) and UNKNOWN_KEY not in v.items:
                    kwargs.update(v.items)
                else:  # keywords we cannot name: the call is unknown
                    return UNKNOWN
            else:
                arg_nodes[len(args)] = a.value
                args.append(self.eval(a.value, frame))
        if args is None:
            return UNKNOWN
        self._escape(fn, args, kwargs)
        if isinstance(fn, (Func, ClassRef, Obj)) and frame.bindings.map:
            # sizes unified here travel into the callee, which has its own bindings
            args = [resolve_value(a, frame.bindings) for a in args]
            kwargs = {k: resolve_value(v, frame.bindings) for k, v in kwargs.items()}
        if not self._known_callee(fn):
            # a function we cannot see may fill a dict or list it is given (kwargs, layers): forget their contents
            for a in list(args) + list(kwargs.values()):
                self._forget_contents(a)
        return self.call_value(fn, args, kwargs, e, frame, arg_nodes)

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
                ns = _tensor_ns(fn.obj)
                if (R.lookup_func(f"{ns}.{fn.name}") or R.lookup_func(f"tensor.{fn.name}")) in PURE_RULES:
                    return
        for a in list(args) + list(kwargs.values()):
            poison(a)
        if isinstance(fn, Method):
            poison(fn.obj)
        elif isinstance(fn, Partial):
            for a in list(fn.args) + list(fn.kwargs.values()):
                poison(a)

    def _known_callee(self, fn: Value) -> bool:
        if isinstance(fn, Ext):
            return fn.qualname.startswith("builtins.") or R.lookup_func(fn.qualname) is not None or \
                R.lookup_layer(fn.qualname) is not None
        return not (fn is UNKNOWN or isinstance(fn, Param))

    def _forget_contents(self, v: Value) -> None:
        if isinstance(v, Dict) and UNKNOWN_KEY not in v.items:
            self._record(v, ITEMS)
            v.items[UNKNOWN_KEY] = UNKNOWN
        elif isinstance(v, Seq) and v.kind == "list" and UNKNOWN_STAR not in v.items:
            self._record(v, ITEMS)
            v.items[:] = [UNKNOWN_STAR]

    def _call(self, args: list, kwargs: dict, node: Any, bindings: D.Bindings, texts: Optional[dict] = None,
              fw: str = "torch", qualname: str = "") -> Call:
        texts = texts or {}

        def text(key: Any) -> str:
            if key == "func" and isinstance(node, cst.Call):
                return self.text(node.func)
            if key == "call":
                return self.text(node)
            n = texts.get(key)
            return self.text(n) if n is not None else "?"

        def invoke(f: Value, a: list, kw: dict) -> Value:
            return self.call_value(f, a, kw, node, Frame({}, bindings, None, self.current.ns), {})

        def warn(kind: str, message: str, fix: Any = None, where: Any = None) -> None:
            self.report(kind, message, where if where is not None else node, fix)

        return Call(args, kwargs, bindings, text, invoke, fw, qualname, node, warn)

    def _call_rule(self, work: Callable[[], Value], node: Any) -> Value:
        try:
            out = work()
        except ShapeError as err:
            self.report(err.kind, err.message, err.where if err.where is not None else node, err.fix, fallback=node)
            return UNKNOWN
        return out if isinstance(out, Value) else UNKNOWN

    def call_value(self, fn: Value, args: list, kwargs: dict, node: Any, frame: Frame, arg_nodes: dict) -> Value:
        if isinstance(fn, Ext):
            return self.call_ext(fn.qualname, args, kwargs, node, frame, arg_nodes)
        if isinstance(fn, Method):
            return self.call_method(fn, args, kwargs, node, frame, arg_nodes)
        if isinstance(fn, Func):
            return self.call_func(fn.info, args, kwargs, bound=fn.bound, node=node)
        if isinstance(fn, ClassRef):
            return self.instantiate(fn.info, args, kwargs, node)
        if isinstance(fn, Partial):
            return self.call_value(fn.fn, fn.args + list(args), {**fn.kwargs, **kwargs}, node, frame, {})
        if isinstance(fn, (Layer, Obj)):
            out = self._apply_module(fn, args, kwargs, node, frame, arg_nodes)
            if self.trace is not None and id(fn) not in self.trace:
                self.trace[id(fn)] = out
            return out
        return UNKNOWN

    def _apply_module(self, fn: Value, args: list, kwargs: dict, node: Any, frame: Frame, arg_nodes: dict) -> Value:
        if isinstance(fn, Layer):
            rule = R.lookup_layer(fn.kind)
            if rule is None:
                return UNKNOWN
            call = self._call(args, kwargs, node, frame.bindings, texts=arg_nodes, fw=rule.framework, qualname=fn.kind)
            return self._call_rule(lambda: rule.apply(fn, call), node)
        assert isinstance(fn, Obj)
        if _is_keras_class(fn.cls) and "__built__" not in fn.attrs and args and isinstance(args[0], Tensor):
            from .ops import keras_layers as KL

            # Keras calls build(input_shape) before the first call
            build = fn.cls.lookup("build")
            self._record(fn, "__built__")
            shape = args[0].shape.resolved(frame.bindings)
            # what it was built for, batch axis free (a later fit's message names it)
            fn.attrs["__built__"] = Const(Shape((KL.BATCH,) + shape.dims[1:]) if shape.dims and not shape.variadic
                                          else True)
            if isinstance(build, FuncInfo) and not args[0].shape.variadic:
                dims = [NONE if D.is_opaque(d) else Int(d) for d in args[0].shape.dims]
                self.call_func(build, [Seq(dims, "tuple")], {}, bound=fn, node=node)
        for name in ("forward", "call", "__call__"):
            m = fn.cls.lookup(name)
            if isinstance(m, FuncInfo):
                return self.call_func(m, args, kwargs, bound=fn, node=node)
        if fn.base is not None:
            return self.call_value(fn.base, args, kwargs, node, frame, arg_nodes)
        return UNKNOWN

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
            return _copy_value(args[0], q == "copy.deepcopy", {})
        if q == "functools.partial" and args:
            return Partial(args[0], list(args[1:]), dict(kwargs))
        if q == "builtins.setattr" and len(args) == 3:
            name = args[1]
            if isinstance(name, Const) and isinstance(name.value, str):
                self.set_attr(args[0], name.value, args[2], node)
            elif isinstance(args[0], Obj):
                self._record(args[0], UNKNOWN_CHILDREN)
                args[0].attrs[UNKNOWN_CHILDREN] = Const(True)
            return NONE
        if q == "builtins.isinstance" and len(args) == 2:
            got = self.isinstance_of(args[0], args[1])
            return UNKNOWN if got is None else Const(got)
        if q == "builtins.reveal_shape" and len(args) == 1:
            if self.current is self.main:
                self.revealed.append((node, reveal_text(args[0], frame.bindings)))
            return args[0]
        rule = R.lookup_layer(q)
        if rule is not None:
            call = self._call(args, kwargs, node, frame.bindings, texts=arg_nodes, fw=rule.framework, qualname=q)
            try:
                config = rule.build(call)
            except ShapeError as err:
                self.report(err.kind, err.message, err.where if err.where is not None else node, err.fix)
                return UNKNOWN
            if config is None:
                return UNKNOWN
            layer = Layer(q if not rule.names else rule.names[0], config, node)
            self.created.append(layer)
            if hasattr(rule, "after_build"):
                self._call_rule(lambda: rule.after_build(layer, call), node)
            return layer
        fn = R.lookup_func(q)
        if fn is None:
            return UNKNOWN
        fw = "numpy" if q.startswith("numpy") else ("tf" if q.startswith(("tensorflow", "keras")) else "torch")
        call = self._call(args, kwargs, node, frame.bindings, texts=arg_nodes, fw=fw, qualname=q)
        out = self._call_rule(lambda: fn(call), node)
        if q.startswith("keras") and q.endswith(".Input") and isinstance(out, Tensor):
            # keras.Input builds an InputLayer: it takes a name (input_layer, input_layer_1, ...) in order
            name = kwargs.get("name")
            self.created.append(Layer("keras.layers.InputLayer", {
                "_output_tensor": out, "name": name.value if isinstance(name, Const) else None}, node))
        return out

    def call_method(self, m: Method, args: list, kwargs: dict, node: Any, frame: Frame, arg_nodes: dict) -> Value:
        obj = m.obj
        if isinstance(obj, Param):
            self.suppress += 1
            try:
                return self.call_method(Method(tensor_of(obj), m.name), args, kwargs, node, frame, arg_nodes)
            finally:
                self.suppress -= 1
        if m.name == "load_state_dict" and isinstance(obj, (Layer, Obj)) and args and isinstance(args[0], Dict):
            self._check_state_dict(obj, args[0], node, frame)
            return UNKNOWN
        if isinstance(obj, Super):
            # a framework base class: __init__ builds the layer this object extends
            me = obj.obj
            base_q = next((b.qualname for b in obj.cls.bases if isinstance(b, Ext)), None)
            if m.name == "__init__" and isinstance(me, Obj) and base_q is not None and R.lookup_layer(base_q):
                me.base = self._build_base(base_q, args, kwargs, node)
                return NONE
            if isinstance(me, Obj) and me.base is not None and m.name in ("forward", "__call__", "call"):
                return self.call_value(me.base, args, kwargs, node, frame, arg_nodes)
            record = next((b.info for b in obj.cls.bases if isinstance(b, ClassRef)), None)
            if m.name == "__init__" and isinstance(me, Obj) and record is not None and record.fields and \
                    _is_record_class(record):  # a dataclass base's generated __init__
                _init_record(record, me, args, kwargs)
                return NONE
            return UNKNOWN if m.name != "__init__" else NONE
        if isinstance(obj, Tensor):
            ns = _tensor_ns(obj)
            fn = R.lookup_func(f"{ns}.{m.name}") or R.lookup_func(f"tensor.{m.name}")
            if fn is None:
                if m.name in _RESHAPING_INPLACE and isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
                    self.assign(node.func.value, UNKNOWN, frame)
                return UNKNOWN
            texts = {i + 1: n for i, n in arg_nodes.items() if isinstance(i, int)}
            texts.update({k: n for k, n in arg_nodes.items() if isinstance(k, str)})
            if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
                texts[0] = node.func.value
            call = self._call([obj] + args, kwargs, node, frame.bindings, texts=texts, fw=obj.fw,
                              qualname=f"{ns}.{m.name}")
            out = self._call_rule(lambda: fn(call), node)
            if m.name in _RESHAPING_INPLACE and isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
                # x.unsqueeze_(0) changes x itself
                self.assign(node.func.value, out if isinstance(out, Tensor) else UNKNOWN, frame)
            return out
        if isinstance(obj, Seq):
            if m.name in ("append", "insert", "extend", "pop", "clear", "remove", "reverse", "sort"):
                self._record(obj, ITEMS)
            if m.name in ("insert", "pop", "clear", "remove", "reverse", "sort") and obj.kind == "list":
                obj.items[:] = [UNKNOWN_STAR]  # contents no longer tracked
                return UNKNOWN
            if m.name == "append" and obj.kind == "list" and len(args) == 1:
                obj.items.append(args[0])
                return NONE
            if m.name == "extend" and obj.kind == "list" and len(args) == 1:
                items = self.iter_items(args[0])
                if items is None:
                    obj.items.append(UNKNOWN_STAR)
                else:
                    obj.items.extend(items)
                return NONE
            if m.name == "index" or m.name == "count":
                return UNKNOWN
            if obj.kind == "size" and m.name == "numel":
                return Int(D.mul(*[as_dim(x) for x in obj.items])) if all(as_dim(x) is not None for x in obj.items) else UNKNOWN
            return UNKNOWN
        if isinstance(obj, Dict) and UNKNOWN_KEY in obj.items:
            if m.name in ("update", "pop", "setdefault", "clear", "__setitem__"):
                self._record(obj, ITEMS)
            return UNKNOWN
        if isinstance(obj, Dict):
            if m.name in ("update", "pop", "setdefault", "clear"):
                self._record(obj, ITEMS)
                if m.name == "update" and len(args) == 1 and isinstance(args[0], Dict):
                    obj.items.update(args[0].items)
                    obj.items.update(kwargs)
                    return NONE
                key = args[0].value if args and isinstance(args[0], Const) and isinstance(args[0].value, str) else None
                if m.name == "pop" and key is not None and (key in obj.items or len(args) == 2):
                    return obj.items.pop(key) if key in obj.items else args[1]  # kwargs.pop("x", 224)
                if m.name == "setdefault" and key is not None and len(args) == 2:
                    return obj.items.setdefault(key, args[1])
                obj.items[UNKNOWN_KEY] = UNKNOWN
                return UNKNOWN
            if m.name == "items":
                return Seq([Seq([Const(k), v], "tuple") for k, v in obj.items.items()], "list")
            if m.name == "values":
                return Seq(list(obj.items.values()), "list")
            if m.name == "keys":
                return Seq([Const(k) for k in obj.items], "list")
            if m.name == "get" and args and isinstance(args[0], Const):
                return obj.items.get(args[0].value, args[1] if len(args) > 1 else NONE)
            return UNKNOWN
        if isinstance(obj, Layer):
            rule = R.lookup_layer(obj.kind)
            if m.name in ("append", "extend", "insert", "add_module", "update", "pop") and (
                    "layers" in obj.config or "items" in obj.config):
                self._record(obj, CONFIG)
            meth = getattr(rule, "method_" + m.name, None) if rule is not None else None
            if meth is not None:
                call = self._call(args, kwargs, node, frame.bindings, texts=arg_nodes, fw=rule.framework,
                                  qualname=f"{obj.kind}.{m.name}")
                return self._call_rule(lambda: meth(obj, call), node)
            if m.name in ("forward", "__call__", "call"):
                return self.call_value(obj, args, kwargs, node, frame, arg_nodes)
            if m.name in _SELF_RETURNING:
                return obj
            return UNKNOWN
        if isinstance(obj, Obj):
            if m.name in ("add_module", "register_module") and isinstance(obj.base, Layer) and hasattr(
                    R.lookup_layer(obj.base.kind), "method_" + m.name):  # a Sequential/ModuleDict base keeps its list
                return self.call_method(Method(obj.base, m.name), args, kwargs, node, frame, arg_nodes)
            if m.name in ("add_module", "register_module") and len(args) == 2:
                name = args[0].value if isinstance(args[0], Const) and isinstance(args[0].value, str) else None
                self._record(obj, name or UNKNOWN_CHILDREN)
                obj.attrs[name or UNKNOWN_CHILDREN] = args[1] if name else Const(True)
                return NONE
            if m.name in ("register_buffer", "register_parameter") and args and isinstance(args[0], Const) and \
                    isinstance(args[0].value, str):
                v = args[1] if len(args) > 1 else kwargs.get("tensor", kwargs.get("param", UNKNOWN))
                if isinstance(v, Tensor) and m.name == "register_parameter":
                    v = Tensor(v.shape, v.fw, v.dtype, v.role or "torch.nn.Parameter")
                elif m.name == "register_buffer" and not isinstance(v, (Tensor, Const)):
                    v = Tensor(Shape.unknown(), "torch")  # a buffer, whatever it is: never a parameter
                self._record(obj, args[0].value)
                obj.attrs[args[0].value] = v
                return NONE
            if m.name in ("forward", "__call__", "call"):
                return self.call_value(obj, args, kwargs, node, frame, arg_nodes)
            if _is_keras_class(obj.cls):
                got = self._keras_object_method(obj, m.name, args, kwargs, node, frame)
                if got is not None:
                    return got
            if m.name in _SELF_RETURNING:
                return obj
        if isinstance(obj, Const) and isinstance(obj.value, str) and m.name in _STR_METHODS and not kwargs and all(
                isinstance(a, Const) and isinstance(a.value, (str, int, tuple)) or isinstance(a, Seq) and all(
                    isinstance(x, Const) and isinstance(x.value, str) for x in a.items) for a in args):
            plain = [tuple(x.value for x in a.items) if isinstance(a, Seq) else a.value for a in args]
            try:
                got = getattr(obj.value, m.name)(*plain)
            except Exception:  # noqa: BLE001 - a str method that raises: unknown
                return UNKNOWN
            if isinstance(got, (list, tuple)):
                return Seq([Const(x) for x in got], "list" if isinstance(got, list) else "tuple")
            return Int(got) if isinstance(got, int) and not isinstance(got, bool) else Const(got)
        return UNKNOWN

    def _keras_object_method(self, obj: Obj, name: str, args: list, kwargs: dict, node: Any,
                             frame: Frame) -> Optional[Value]:
        """A subclassed Keras model or layer: compile/fit/predict through its own ``call``;
        ``add_weight(shape=...)`` gives a weight of that shape."""
        from .ops import keras_models as KM

        if name == "compile" and isinstance(obj.base, Layer):
            rule = R.lookup_layer(obj.base.kind)
            if isinstance(rule, KM.KerasModel):
                self._record(obj.base, CONFIG)
                call = self._call(args, kwargs, node, frame.bindings, fw="keras", qualname=f"{obj.cls.name}.compile")
                return self._call_rule(lambda: rule.method_compile(obj.base, call), node)
            return NONE
        if name == "add_weight":
            shape = kwargs.get("shape", args[0] if args and not isinstance(args[0], Const) else UNKNOWN)
            ds = as_dims(shape) if isinstance(shape, Seq) else None
            if ds is None or any(d is None for d in ds):
                return Tensor(Shape.unknown(), "keras", "float")
            return Tensor(Shape(tuple(ds)), "keras", "float", "keras.Variable")
        if name in KM.TRAINING_METHODS and isinstance(obj.base, Layer):
            # the same training path as a Sequential or functional model: the data runs through the
            # object's own call(); an error there is the data's (SHP701 at this call)
            built = obj.attrs.get("__built__")
            shown = [built.value] if isinstance(built, Const) and isinstance(built.value, Shape) else None
            call = self._call(args, kwargs, node, frame.bindings, fw="keras", qualname=f"{obj.cls.name}.{name}")
            return self._call_rule(lambda: KM.fit_check(obj.base, call, name, self._runner(obj, node, frame), shown),
                                   node)
        return None

    def _runner(self, obj: Obj, node: Any, frame: Frame) -> Callable[[list], Value]:
        """Run a model object on data; the first finding its code reports becomes a ShapeError."""

        def run(xs: list) -> Value:
            arg = xs[0] if len(xs) == 1 else Seq(list(xs), "list")
            self.captures.append([])
            try:
                out = self.call_value(obj, [arg], {}, node, frame, {})
            finally:
                got = self.captures.pop()
            if got:
                raise ShapeError(got[0].kind, got[0].message, got[0].fix)
            return out

        return run

    def isinstance_of(self, v: Value, cls: Value) -> Optional[bool]:
        """``isinstance(v, cls)`` where it is certain, else None."""
        if isinstance(cls, Seq):
            answers = [self.isinstance_of(v, c) for c in cls.items]
            if any(a is True for a in answers):
                return True
            return False if answers and all(a is False for a in answers) else None
        if isinstance(cls, ClassRef):
            if isinstance(v, Obj):
                return _subclass(v.cls, cls.info)
            if isinstance(v, (Tensor, Int, Const, Seq, Dict, Layer)):
                return False
            return None
        if not isinstance(cls, Ext):
            return None
        q = cls.qualname
        if isinstance(v, Layer):
            if q == v.kind or q in _LAYER_BASES.get(v.kind, ()):
                return True
            if q in ("torch.nn.Module", "keras.layers.Layer", "keras.Layer"):
                return True
            if R.lookup_layer(q) is not None and q not in _LAYER_BASES.get(v.kind, ()):
                return False
            return None
        if isinstance(v, Obj):
            base = v.cls.framework_base()
            if base == q or q in ("torch.nn.Module", "builtins.object"):
                return True
            return None
        simple = {Tensor: ("torch.Tensor", "numpy.ndarray", "tensorflow.Tensor"), Int: ("builtins.int",),
                  Seq: ("builtins.list", "builtins.tuple"), Dict: ("builtins.dict",)}
        for typ, names in simple.items():
            if isinstance(v, typ):
                if isinstance(v, Seq) and v.kind == "set":
                    return q in ("builtins.set", "builtins.frozenset") or None
                if isinstance(v, Seq):
                    return q == ("builtins.list" if v.kind == "list" else "builtins.tuple") or (
                        None if q not in ("builtins.list", "builtins.tuple", "builtins.int", "builtins.str",
                                          "builtins.float", "builtins.dict", "torch.Tensor", "numpy.ndarray") else False)
                if isinstance(v, Tensor):
                    if q in names:
                        return (q == "numpy.ndarray") == (v.fw == "numpy") if v.fw in ("numpy", "torch") else None
                    return False if q.startswith("builtins.") else None
                return True if q in names else (False if q.startswith("builtins.") else None)
        if isinstance(v, Const):
            if v.value is None:
                return q == "builtins.NoneType" if q.startswith("builtins.") else False
            t = type(v.value).__name__
            return q == f"builtins.{t}" if q.startswith("builtins.") else False
        return None

    def instantiate(self, cls: ClassInfo, args: list, kwargs: dict, node: Any, generic: bool = False) -> Value:
        obj = Obj(cls, node=node)
        self.instances.append(obj)
        base_q = cls.framework_base()
        init = cls.lookup("__init__")
        if isinstance(init, FuncInfo):
            self.call_func(init, args, kwargs, bound=obj, node=node, generic=generic)
        elif cls.fields and _is_record_class(cls):  # @dataclass / NamedTuple: fields from the arguments
            _init_record(cls, obj, args, kwargs)
        elif base_q is not None and R.lookup_layer(base_q) is not None:
            obj.base = self._build_base(base_q, args, kwargs, node)
        cls.analysed = True
        return obj

    def _build_base(self, q: str, args: list, kwargs: dict, node: Any) -> Optional[Layer]:
        v = self.call_ext(q, args, kwargs, node, Frame({}, D.Bindings(), None, self.current.ns), {})
        return v if isinstance(v, Layer) else None

    def call_func(self, fn: FuncInfo, args: list, kwargs: dict, bound: Optional[Value] = None, node: Any = None,
                  generic: bool = False) -> Value:
        """Analyse ``fn`` with these arguments (memoized); an internal error is SHP901 for ``fn`` alone."""
        fn.analysed = True
        key = (id(fn), id(bound), generic, tuple(_sig(a) for a in args),
               tuple(sorted((k, _sig(v)) for k, v in kwargs.items())))
        if key in self.memo:
            return self.memo[key]
        if fn in self.stack or len(self.stack) >= MAX_DEPTH:
            return UNKNOWN
        self.stack.append(fn)
        self.memo[key] = UNKNOWN
        saved = self.current, self.entry
        home = fn.home if fn.home is not None else self.main
        if home is not self.current:
            if self.current is self.main:
                self.entry = (node if node is not None else fn.node, fn)
            self.current = home
        try:
            result = self._run_function(fn, args, kwargs, bound, generic)
        except (Budget, RecursionError):
            raise
        except Exception as e:  # noqa: BLE001 - failure containment: this function, not the file
            what = f"{fn.cls.name}.{fn.name}" if fn.cls is not None else fn.name
            self.report("analysis-skipped", f"function {what} not analyzed: internal error "
                                            f"{type(e).__name__}: {e}"[:300], fn.node)
            result = UNKNOWN
        finally:
            self.stack.pop()
            self.current, self.entry = saved
        self.memo[key] = result
        return result

    def _run_function(self, fn: FuncInfo, args: list, kwargs: dict, bound: Optional[Value], generic: bool) -> Value:
        env: dict = {}
        params = fn.params
        plist = list(params.posonly_params) + list(params.params)
        static = _is_static(fn.node)
        if fn.cls is not None and not static and plist:
            first = plist[0].name.value
            if _is_classmethod(fn.node):
                env[first] = ClassRef(fn.cls)
            else:
                env[first] = bound if bound is not None else UNKNOWN
            plist = plist[1:]
        scope = fn.scope if fn.scope is not None else (fn.home.ns if fn.home is not None else self.globals)
        frame = Frame(env, D.Bindings(), fn, scope)
        defaults_frame = Frame({}, frame.bindings, None, scope)
        for i, p in enumerate(plist):
            name = p.name.value
            if i < len(args):
                env[name] = args[i]
            elif name in kwargs:
                env[name] = kwargs[name]
            elif p.default is not None:
                env[name] = self.eval(p.default, defaults_frame)
            else:
                env[name] = self.generic_param(p) if generic else UNKNOWN  # (a call missing it raises)
        if isinstance(params.star_arg, cst.Param):
            extra = args[len(plist):]
            env[params.star_arg.name.value] = UNKNOWN if generic else Seq(list(extra), "tuple")
        for p in params.kwonly_params:
            name = p.name.value
            if name in kwargs:
                env[name] = kwargs[name]
            elif p.default is not None:
                env[name] = self.eval(p.default, defaults_frame)
            else:
                env[name] = self.generic_param(p) if generic else UNKNOWN
        if params.star_kwarg is not None:
            known = {p.name.value for p in plist} | {p.name.value for p in params.kwonly_params}
            env[params.star_kwarg.name.value] = UNKNOWN if generic else Dict(
                {k: v for k, v in kwargs.items() if k not in known})
        # annotations on parameters given no concrete tensor: jaxtyping shapes
        for p in plist + list(params.kwonly_params):
            if p.annotation is not None:
                cur = env.get(p.name.value)
                if cur is UNKNOWN:
                    # A jaxtyping annotation declares the shape of an argument the caller could not
                    # tell; other annotations (int) would name an unknown value after this parameter
                    # and make two values the caller knows to be equal look different.
                    ann = self.annotation_value(p.annotation.annotation, p.name.value)
                    if isinstance(ann, Tensor):
                        env[p.name.value] = ann
        body = fn.node.body
        if isinstance(body, cst.IndentedBlock):
            self.exec_block(body.body, frame)
        else:
            for small in body.body:
                self.exec_small(small, frame)
        if fn.name == "__init__" and isinstance(bound, Obj):
            return NONE
        if not frame.returns:
            return NONE
        returns = [resolve_value(r, frame.bindings) for r in frame.returns]
        first = returns[0]
        if all(r is first or same_value(first, r) for r in returns[1:]):
            return first
        return UNKNOWN

    # ------------------------------------------------------------------ iteration
    def iter_items(self, v: Value) -> Optional[list]:
        if isinstance(v, Seq):
            if v.kind == "set" or any(x is UNKNOWN_STAR for x in v.items):  # a set's order is not its making
                return None
            if any(x is UNKNOWN_STAR for x in v.items):
                return None
            return list(v.items)
        if isinstance(v, Dict):
            return None if UNKNOWN_KEY in v.items else [Const(k) for k in v.items]
        if isinstance(v, Layer):
            rule = R.lookup_layer(v.kind)
            if rule is not None and hasattr(rule, "children"):
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
        if isinstance(v, Tensor) and v.shape.rank:
            return Tensor(Shape(v.shape.dims[1:]), v.fw, v.dtype)
        return UNKNOWN


def _copy_value(v: Value, deep: bool, memo: dict) -> Value:
    """``copy.copy`` / ``copy.deepcopy`` of objects, layers and containers (tensors and sizes are
    immutable values here: shared)."""
    if id(v) in memo:
        return memo[id(v)]

    def sub(x: Any) -> Any:
        if not deep:
            return x
        if isinstance(x, Value):
            return _copy_value(x, True, memo)
        if isinstance(x, list):
            return [sub(y) for y in x]
        if isinstance(x, dict):
            return {k: sub(y) for k, y in x.items()}
        return x

    if isinstance(v, Obj):
        out: Value = Obj(v.cls, node=v.node)
        memo[id(v)] = out
        out.attrs.update({k: sub(x) for k, x in v.attrs.items()})
        out.base = sub(v.base) if v.base is not None else None
        return out
    if isinstance(v, Layer):
        out = Layer(v.kind, {}, v.node)
        memo[id(v)] = out
        out.config.update({k: sub(x) for k, x in v.config.items()})
        out.attrs.update({k: sub(x) for k, x in v.attrs.items()})
        return out
    if isinstance(v, Seq):
        out = Seq([], v.kind)
        memo[id(v)] = out
        out.items.extend(sub(x) for x in v.items)
        return out
    if isinstance(v, Dict):
        out = Dict({}, v.kind)
        memo[id(v)] = out
        out.items.update({k: sub(x) for k, x in v.items.items()})
        return out
    return v


def _init_record(cls: ClassInfo, obj: Obj, args: list, kwargs: dict) -> None:
    """The ``__init__`` a dataclass or NamedTuple gets: its fields from the arguments, in order."""
    for i, name in enumerate(cls.fields):
        if i < len(args):
            obj.attrs[name] = args[i]
        elif name in kwargs:
            obj.attrs[name] = kwargs[name]
        elif name in cls.defaults:
            obj.attrs[name] = cls.defaults[name]


def _func_label(fn: FuncInfo) -> str:
    return f"{fn.cls.name}.{fn.name}" if fn.cls is not None else fn.name


def _expects_error(e: cst.BaseExpression) -> bool:
    """``pytest.raises(...)``, ``self.assertRaises(...)``, ``np.testing.assert_raises(...)``."""
    if isinstance(e, cst.Call):
        e = e.func
    last = _dotted(e).rsplit(".", 1)[-1] if isinstance(e, (cst.Name, cst.Attribute)) else ""
    return last in ("raises", "assertRaises", "assertRaisesRegex", "assert_raises", "assert_raises_regex",
                    "assertRaisesRegexp")


def _is_keras_class(cls: ClassInfo) -> bool:
    base = cls.framework_base()
    return bool(base) and base.startswith("keras.")


def _is_record_class(cls: ClassInfo) -> bool:
    names = {_dotted(d.decorator.func if isinstance(d.decorator, cst.Call) else d.decorator).split(".")[-1]
             for d in cls.node.decorators}
    return "dataclass" in names or any(isinstance(b, Ext) and b.qualname.endswith("NamedTuple") for b in cls.bases)


def _assume_equal(eqs: tuple, bindings: D.Bindings) -> None:
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


def _subclass(c: ClassInfo, target: ClassInfo, depth: int = 0) -> Optional[bool]:
    if c is target:
        return True
    if depth > 16:
        return None
    answer: Optional[bool] = False
    for b in c.bases:
        if isinstance(b, ClassRef):
            got = _subclass(b.info, target, depth + 1)
            if got is True:
                return True
            if got is None:
                answer = None
        elif not isinstance(b, Ext):
            answer = None
    return answer


# Registered layers that subclass other registered layers in torch (isinstance must say True).
_LAYER_BASES = {
    "torch.nn.LazyLinear": ("torch.nn.Linear",),
    "torch.nn.LazyConv1d": ("torch.nn.Conv1d",), "torch.nn.LazyConv2d": ("torch.nn.Conv2d",),
    "torch.nn.LazyConv3d": ("torch.nn.Conv3d",),
    "torch.nn.LazyConvTranspose1d": ("torch.nn.ConvTranspose1d",),
    "torch.nn.LazyConvTranspose2d": ("torch.nn.ConvTranspose2d",),
    "torch.nn.LazyConvTranspose3d": ("torch.nn.ConvTranspose3d",),
    "torch.nn.LazyBatchNorm1d": ("torch.nn.BatchNorm1d",), "torch.nn.LazyBatchNorm2d": ("torch.nn.BatchNorm2d",),
    "torch.nn.SyncBatchNorm": (), "torch.nn.Softmax2d": (),
}


def _role_of(module: Value, key: str) -> str:
    """``fc1.weight`` of a module -> ``torch.nn.Linear.weight`` (the layer kind owning it)."""
    parts = key.split(".")
    cur = module
    for p in parts[:-1]:
        if isinstance(cur, Obj):
            cur = cur.attrs.get(p, cur.base)
        elif isinstance(cur, Layer):
            rule = R.lookup_layer(cur.kind)
            kids = rule.children(cur) if rule is not None and hasattr(rule, "children") else None
            cur = kids[int(p)] if kids is not None and p.isdigit() and int(p) < len(kids) else None
    if isinstance(cur, Obj) and cur.base is not None:
        cur = cur.base
    return f"{cur.kind}.{parts[-1]}" if isinstance(cur, Layer) else "torch.nn.Parameter"


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


_BUILTIN_NAMES = frozenset(dir(__import__("builtins")))

# str methods answered on known strings (pure; bounded result sizes)
_STR_METHODS = frozenset({"startswith", "endswith", "lower", "upper", "strip", "lstrip", "rstrip", "split", "rsplit",
                          "replace", "find", "rfind", "count", "isdigit", "isalpha", "title", "capitalize",
                          "removeprefix", "removesuffix", "partition", "rpartition"})

ITEMS = "__items__"  # a Seq's or Dict's contents, as one heap field
UNKNOWN_CHILDREN = "__unknown_children__"  # an object given attributes we cannot name (setattr with a computed name)
CONFIG = "__config__"  # a container layer's children


def _heap_get(holder: Any, field: str) -> Any:
    if field == ITEMS:
        return list(holder.items) if isinstance(holder.items, list) else dict(holder.items)
    if field == CONFIG:
        return {k: (list(v) if isinstance(v, list) else dict(v) if isinstance(v, dict) else v)
                for k, v in holder.config.items()}
    return holder.attrs.get(field, _ABSENT)


def _heap_set(holder: Any, field: str, value: Any) -> None:
    if field == ITEMS:
        if isinstance(holder.items, list):
            holder.items[:] = value
        else:
            holder.items.clear()
            holder.items.update(value)
    elif field == CONFIG:
        holder.config.clear()
        holder.config.update(value)
    elif value is _ABSENT:
        holder.attrs.pop(field, None)
    else:
        holder.attrs[field] = value


def _heap_same(a: Any, b: Any) -> bool:
    if a is b:
        return True
    if isinstance(a, Value) and isinstance(b, Value):
        return same_value(a, b)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_heap_same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_heap_same(a[k], b[k]) for k in a)
    try:
        return bool(a == b)
    except Exception:  # noqa: BLE001
        return False


def _heap_unknown(holder: Any, field: str) -> Any:
    """What a field holds after branches that disagree on it."""
    if field == ITEMS:
        return [UNKNOWN_STAR] if isinstance(holder.items, list) else {UNKNOWN_KEY: UNKNOWN}
    if field == CONFIG:
        cfg = dict(holder.config)
        for k in ("layers", "items"):
            if k in cfg:
                cfg[k] = None
        return cfg
    return UNKNOWN


_ABSENT = object()


def _plain(v: Value) -> Any:
    """A known int / str / float / bool as a Python value, else None."""
    if isinstance(v, Int):
        return D.as_int(v.dim)
    if isinstance(v, Const) and isinstance(v.value, (int, str, float, bool)):
        return v.value
    return None


def _set_env(frame: Frame, env: dict) -> None:
    """Replace a frame's names in place: the module frame's dict is ``Interpreter.globals``."""
    if env is not frame.env:
        frame.env.clear()
        frame.env.update(env)


UNKNOWN_KEY = "\x00unknown"  # a Dict holding this key has unknown contents


class _UnknownStar(Value):
    __slots__ = ()


UNKNOWN_STAR = _UnknownStar()


def _scoped_flexible(frame: Frame, name: str) -> Any:
    key = "__flex__" + name
    v = frame.env.get(key)
    if not isinstance(v, Int):  # absent, or lost in a branch merge
        v = frame.env[key] = Int(D.flexible(name))
    return v.dim


def jaxtyping_shape(spec: str) -> Optional[Shape]:
    """``"batch 784"`` -> ``(batch, 784)``; ``"*b n"`` / ``"... n"`` -> ``(*, n)``."""
    out: list = []
    variadic = False
    for tok in spec.split():
        tok = tok.lstrip("#")
        if tok.startswith("*") or tok == "...":
            if variadic or out:
                if tok.startswith("*") and not out:
                    pass
                else:
                    return None
            variadic = True
            continue
        if tok.startswith("_"):
            out.append(D.flexible(tok.lstrip("_") or "n"))
            continue
        if "=" in tok:
            tok = tok.split("=", 1)[1]
        if tok.isdigit():
            out.append(int(tok))
        elif re.fullmatch(r"[A-Za-z_]\w*", tok):
            out.append(D.rigid(tok))
        else:
            return None
    return Shape(tuple(out), variadic)


def _string_value(e: Any) -> Optional[str]:
    try:
        v = e.evaluated_value
    except Exception:  # noqa: BLE001
        return None
    return v if isinstance(v, str) else None


def _dotted(e: Any) -> str:
    if isinstance(e, cst.Name):
        return e.value
    if isinstance(e, cst.Attribute):
        return f"{_dotted(e.value)}.{e.attr.value}"
    return "?"


def _alias_name(alias: cst.ImportAlias) -> str:
    if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
        return alias.asname.name.value
    return _dotted(alias.name).split(".")[-1]


def _is_main_guard(test: cst.BaseExpression) -> bool:
    return (isinstance(test, cst.Comparison) and isinstance(test.left, cst.Name) and test.left.value == "__name__")


def _decorator_names(fn: cst.FunctionDef) -> set:
    out = set()
    for d in fn.decorators:
        x = d.decorator
        if isinstance(x, cst.Call):
            x = x.func
        out.add(_dotted(x).split(".")[-1])
    return out


def _is_static(fn: cst.FunctionDef) -> bool:
    return "staticmethod" in _decorator_names(fn)


def _is_classmethod(fn: cst.FunctionDef) -> bool:
    return "classmethod" in _decorator_names(fn)


def _is_property(fn: cst.FunctionDef) -> bool:
    return bool({"property", "cached_property"} & _decorator_names(fn))


def _broad_handler(h: cst.ExceptHandler) -> bool:
    if h.type is None:
        return True
    names = []
    t = h.type
    if isinstance(t, cst.Tuple):
        names = [_dotted(el.value) for el in t.elements]
    else:
        names = [_dotted(t)]
    return any(n.split(".")[-1] in ("Exception", "BaseException", "RuntimeError", "ValueError", "IndexError",
                                    "InvalidArgumentError", "TypeError") for n in names)


def _tensor_ns(t: Tensor) -> str:
    return {"numpy": "numpy.ndarray", "tf": "tensorflow.Tensor", "keras": "tensorflow.Tensor"}.get(t.fw, "torch.Tensor")


def _sig(v: Value) -> Any:
    if isinstance(v, Tensor):
        return ("T", str(v.shape), v.fw)
    if isinstance(v, Int):
        return ("I", str(v.dim))
    if isinstance(v, Const):
        return ("C", repr(v.value))
    if isinstance(v, Param):
        return ("P", v.name)
    if isinstance(v, Seq):
        return ("S", v.kind, tuple(_sig(x) for x in v.items))
    if isinstance(v, Ext):
        return ("E", v.qualname)
    return ("id", id(v))


def _num(v: Value) -> Any:
    if isinstance(v, Int):
        return D.as_int(v.dim)
    if isinstance(v, Const) and isinstance(v.value, (int, float)):
        return v.value
    return None


def _int_arith(op: str, a: Any, b: Any) -> Value:
    if a is None or b is None:
        return UNKNOWN
    ia, ib = D.as_int(a), D.as_int(b)
    if ia is not None and ib is not None:
        try:
            r = _PYOPS[op](ia, ib)
        except Exception:  # noqa: BLE001
            return UNKNOWN
        return Int(r) if isinstance(r, int) and not isinstance(r, bool) else Const(r)
    if op == "add":
        return Int(D.add(a, b))
    if op == "sub":
        return Int(D.sub(a, b))
    if op == "mul":
        return Int(D.mul(a, b))
    if op == "floordiv":
        return Int(D.floordiv(a, b))
    if op == "mod":
        return Int(D.mod(a, b))
    return UNKNOWN


_BINOPS = {
    "Add": "add", "Subtract": "sub", "Multiply": "mul", "Divide": "truediv", "FloorDivide": "floordiv",
    "Modulo": "mod", "Power": "pow", "MatrixMultiply": "matmul", "BitAnd": "and_", "BitOr": "or_",
    "BitXor": "xor", "LeftShift": "lshift", "RightShift": "rshift",
}

import operator as _op  # noqa: E402

_PYOPS = {
    "add": _op.add, "sub": _op.sub, "mul": _op.mul, "truediv": _op.truediv, "floordiv": _op.floordiv,
    "mod": _op.mod, "pow": _op.pow, "and_": _op.and_, "or_": _op.or_, "xor": _op.xor, "lshift": _op.lshift,
    "rshift": _op.rshift, "matmul": _op.matmul,
}

_KERAS_OBJECT_METHODS = {"compile", "add_weight", "fit", "evaluate", "train_on_batch", "test_on_batch", "predict",
                         "predict_on_batch"}

# tensor attributes that are not views of it
_READ_ONLY_ATTRS = {"shape", "ndim", "dtype", "device", "is_cuda", "requires_grad", "size_attr_numpy", "itemsize",
                    "nbytes", "layout", "names", "is_leaf", "grad_fn", "size"}
# builtins that read a tensor without keeping a view of it
_VALUE_SAFE_BUILTINS = {"builtins.len", "builtins.isinstance", "builtins.print", "builtins.str", "builtins.repr",
                        "builtins.type", "builtins.id", "builtins.hasattr", "builtins.float", "builtins.int",
                        "builtins.bool", "builtins.reveal_shape", "builtins.callable", "builtins.format"}


def _changes_default_dtype(source: str) -> bool:
    return "set_default_dtype" in source or "set_default_tensor_type" in source


_RESHAPING_INPLACE = {"unsqueeze_", "squeeze_", "t_", "transpose_", "resize_", "resize_as_", "swapaxes_", "swapdims_",
                      "as_strided_", "set_"}

_SELF_RETURNING = {"to", "cuda", "cpu", "train", "eval", "float", "double", "half", "requires_grad_", "apply",
                   "type", "share_memory", "bfloat16"}
