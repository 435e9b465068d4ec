"""The analysis of one file: ``Analysis(module, source, path).run() -> AnalysisResult``.

Module code runs top to bottom; then every function and class runs on
*generic* inputs (unannotated parameters are ``Param`` values: rigid sizes where used as sizes,
tensors of unknown rank where used as tensors). Calls to functions of the same file, or of a
project file it imports (read lazily, see ``project.py``), are analysed with the caller's
arguments (memoized, depth-limited, recursion cut). A ``ShapeError`` from a shape rule becomes
a finding on the node that raised it (inside an imported file: on the call in the checked file
that led there); an internal error in one function becomes SHP901 for it, and running out of
steps stops the file with SHP901 (failure containment).

The driver builds the ``Context`` and the parts (statements, expressions, calls, members,
project, sources, branch log, plugins), wires them together, and activates the analysis's own
``AnalysisState`` for the shape rules while it runs (per thread: analyses never share state).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Optional

import libcst as cst

from .. import dims as D
from .. import imports
from ..findings import Finding
from ..plugins import PluginTable, adjust_state
from ..values import AnalysisState, Layer, Obj, Value, activated
from .builtins import BuiltinMethods
from .calls import CallEvaluator
from .context import Budget, Context, Part
from .expressions import ExpressionEvaluator
from .frames import BranchLog, Frame
from .members import MemberEvaluator
from .objects import ClassInfo, FuncInfo, copy_value, reveal_text
from .order import builders_first
from .project import ModuleInfo, Project
from .sources import Sources
from .statements import StatementEvaluator
from .syntax import is_static

__all__ = ["Analysis", "AnalysisResult", "reveal_text"]


@dataclass(eq=False)
class AnalysisResult:
    """What one analysis found and built: everything ``engine`` and ``summary`` read.

    ``findings`` before positions; ``revealed``: (node, text) of ``reveal_shape`` calls;
    ``globals``: the module's names after it ran; ``instances``/``created``/``classes``: the
    objects, framework layers (in construction order) and classes of the file; ``trace``: id of a
    module or layer -> its first output at a concrete call site (kept with ``keep_trace``)."""

    findings: list[Finding]
    revealed: list[tuple[cst.CSTNode, str]]
    globals: dict[str, Value]
    instances: list[Obj]
    created: list[Layer]
    classes: list[ClassInfo]
    trace: dict[int, Value] = field(default_factory=dict)
    analysis: Optional[Analysis] = field(default=None, repr=False)

    def call(self, model: Value, args: list[Value]) -> dict[int, Value]:
        """Call ``model`` on ``args`` after the analysis (a summary's input shape): id of every
        module or layer it called -> its first output."""
        assert self.analysis is not None
        return self.analysis.trace_call(model, args)


class Analysis(Part):
    """One file's analysis: builds the context and the parts, runs the module, then the generic pass."""

    def __init__(self, module: cst.Module, source: str = "", path: Optional[str] = None) -> None:
        state = adjust_state(AnalysisState(), source or module.code)
        main = ModuleInfo(path, imports.place_of(path), module, {})
        super().__init__(Context(module, source, main, state))

        self.stmts = StatementEvaluator(self.ctx)
        self.exprs = ExpressionEvaluator(self.ctx)
        self.calls = CallEvaluator(self.ctx)
        self.members = MemberEvaluator(self.ctx)
        self.project = Project(self.ctx)
        self.sources = Sources(self.ctx)
        self.flow = BranchLog()
        self.builtins = BuiltinMethods(self.ctx)
        self.plugins = PluginTable(self.ctx)
        for part in (self.stmts, self.exprs, self.calls, self.members, self.project, self.sources, self.builtins,
                     self.plugins):
            part.wire(self)

    # ------------------------------------------------------------------ entry
    def run(self, keep_trace: bool = False) -> AnalysisResult:
        """Analyse the file; with ``keep_trace``, the outputs of modules called by the module code
        (concrete call sites) are kept in the result's ``trace`` for summaries."""
        ctx = self.ctx
        with activated(ctx.state):
            if keep_trace:
                ctx.trace = {}
            frame = Frame(ctx.globals, D.Bindings())
            for stmt in ctx.module.body:
                if self._guarded(partial(self.stmts.exec_stmt, stmt, frame), stmt, "module statement"):
                    break
            if keep_trace:
                ctx.kept_trace, ctx.trace = ctx.trace, None
            # Every function and class also runs on generic inputs, whatever calls reached it: a call
            # with unknown data (`model(batch)` from a loader) proves little, the definitions much.
            # What builds a class runs before it, so the class runs on what its call sites built.
            for item in builders_first(list(ctx.classes) + [f for f in ctx.functions if f.cls is None]):
                if isinstance(item, ClassInfo):
                    self._guarded(partial(self.analyse_class_generic, item), item.node, f"class {item.name}")
                elif self._needs_generic(item):
                    self._guarded(partial(self.analyse_func_generic, item), item.node, f"function {item.name}")
        return AnalysisResult(ctx.findings, ctx.revealed, ctx.globals, ctx.instances, ctx.created, ctx.classes,
                              ctx.kept_trace or {}, self)

    def trace_call(self, model: Value, args: list[Value]) -> dict[int, Value]:
        """Run ``model(*args)`` in this analysis (its state active) and trace what it calls."""
        ctx = self.ctx
        ctx.trace = {}
        try:
            with activated(ctx.state):
                self.calls.call_value(model, args, {}, None, Frame({}, D.Bindings(), None, ctx.globals), {})
        except Exception:  # noqa: BLE001 - a summary without shapes is still a summary
            pass
        trace, ctx.trace = ctx.trace or {}, None
        return trace

    def _guarded(self, work: Callable[[], Any], node: cst.CSTNode, what: str) -> bool:
        """Run ``work``; an internal error becomes SHP901 on ``node``. True when out of budget."""
        try:
            work()
        except Budget:
            self.ctx.report("analysis-skipped", f"{what} not fully analyzed: step budget exhausted", node)
            return True
        except RecursionError:
            self.ctx.report("analysis-skipped", f"{what} not fully analyzed: nesting too deep", node)
        except Exception as e:  # noqa: BLE001 - failure containment: one function, not the file
            self.ctx.report("analysis-skipped", f"{what} not analyzed: internal error {type(e).__name__}: {e}"[:300],
                            node)
        return False

    # ------------------------------------------------------------------ generic analysis
    def analyse_class_generic(self, cls: ClassInfo) -> None:
        """Run the methods on generic inputs (those calls reached too, when they take arguments),
        on an instance the file built (concrete sizes) or, where there is none, on one built from
        generic arguments."""
        pending = [m for m in cls.methods.values() if m.name != "__init__" and self._needs_generic(m)]
        if cls.analysed and not pending:
            return
        built = next((o for o in self.ctx.instances if o.cls is cls), None)
        obj: Optional[Value] = None
        if built is not None:  # methods no call reached must not change what the file built (summaries)
            obj = copy_value(built, True, {})
        if obj is None:
            init = cls.lookup("__init__")
            args = self._generic_args(init) if isinstance(init, FuncInfo) else ([], {})
            obj = self.calls.instantiate(cls, args[0], args[1], cls.node, generic=True)
        cls.analysed = True
        if not isinstance(obj, Obj):
            return
        for name in ("forward", "call", "__call__"):
            m = cls.lookup(name)
            if isinstance(m, FuncInfo) and self._needs_generic(m):
                self._guarded(partial(self.analyse_func_generic, m, obj), m.node, f"{cls.name}.{name}")
                break
        for name, m in cls.methods.items():
            if name != "__init__" and self._needs_generic(m):
                self._guarded(partial(self.analyse_func_generic, m, obj), m.node, f"{cls.name}.{name}")

    def _needs_generic(self, fn: FuncInfo) -> bool:
        """Whether ``fn`` still needs its run on generic inputs: not yet done, and (when a call
        reached it) it has parameters, so a generic run can see more than the calls did."""
        if fn.generic:
            return False
        if not fn.analysed:
            return True
        params = fn.params
        plist = list(params.posonly_params) + list(params.params)
        if fn.cls is not None and plist and not is_static(fn.node):
            plist = plist[1:]
        return bool(plist or params.kwonly_params)

    def analyse_func_generic(self, fn: FuncInfo, bound: Optional[Value] = None) -> None:
        """Run ``fn`` on generic inputs (bound to ``bound`` for a method). For a function calls
        already reached, only its findings count: what it reveals stays the calls' answer."""
        pos, kw = self._generic_args(fn)
        second = fn.analysed
        self.ctx.second_run += second
        try:
            self.calls.call_func(fn, pos, kw, bound=bound, node=fn.node, generic=True)
        finally:
            self.ctx.second_run -= second

    def _generic_args(self, fn: FuncInfo) -> tuple[list, dict]:
        params = fn.params
        plist = list(params.posonly_params) + list(params.params)
        if fn.cls is not None and plist and not is_static(fn.node):
            plist = plist[1:]
        pos = [self.sources.generic_param(p) for p in plist]
        kw = {p.name.value: self.sources.generic_param(p) for p in params.kwonly_params}
        return pos, kw


def analyse(module: cst.Module, source: str = "", path: Optional[str] = None,
            keep_trace: bool = False) -> AnalysisResult:
    """The public entry: one file's analysis result."""
    return Analysis(module, source, path).run(keep_trace)
