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

import re
from collections import ChainMap
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Optional

import libcst as cst

from .. import dims as D
from .. import imports
from ..findings import Finding
from ..plugins import PluginTable, adjust_state
from ..values import AnalysisState, Layer, Obj, Value, activated, epoch
from .builtins import BuiltinMethods
from .calls import CallEvaluator, RunWatch
from .context import FUNCTION_MEMORY_MAX, Budget, Context, Part, resident_bytes
from .expressions import ExpressionEvaluator
from .frames import BranchLog, Frame
from .members import MemberEvaluator
from .objects import ClassInfo, FuncInfo, copy_value, reveal_text
from .order import builders_first, called_names
from .project import ModuleInfo, Project
from .recording import DEFAULTS, GENERIC, ValueLog, recording_parts
from .room import roomy
from .sources import Sources
from .statements import StatementEvaluator
from .syntax import is_static

__all__ = ["Analysis", "AnalysisResult", "reveal_text"]

# A class whose generic run took more steps (a whole model zoo's network) is not run again with its
# defaults: that run costs as much again, and more where loops of known count unroll.
DEFAULTS_RUN_MAX = 3000
# The run with the defaults may take this many steps more than the generic one: loops of known count
# unroll (torchvision's DenseNet-121: 58 dense layers, ~9000 steps against the generic run's 340).
DEFAULTS_UNROLL = 15000
# A class the file built runs once more with its own literal defaults while the file has used less
# than this share of its budget (a model zoo's top-level classes cost thousands of steps a run).
BUILT_DEFAULTS_SHARE = 0.75
# Each run of a module function (generic, or the plain call of a builder taking no required
# argument, ``resnet18()``) takes at most this many steps.
FUNCTION_RUN_MAX = 30000
FUNCTION_RUN_MIN = 500
FUNCTIONS_SHARE = 0.6
# Functions and classes the file's budget cut: this many get a note each, the rest one note together.
CUT_NOTES = 10


@dataclass(eq=False)
class AnalysisResult:
    """What one analysis found and built: everything ``engine`` and ``summary`` read.

    ``findings`` before positions; ``revealed``: (node, text) of ``reveal_shape`` calls;
    ``globals``: the module's names after it ran; ``instances``/``created``/``classes``: the
    objects, framework layers (in construction order) and classes of the file; ``trace``: id of a
    module or layer -> its first output at a concrete call site (kept with ``keep_trace``);
    ``values``: what each expression of the file evaluated to (kept with ``keep_values``, for hover)."""

    findings: list[Finding]
    revealed: list[tuple[cst.CSTNode, str]]
    globals: dict[str, Value]
    instances: list[Obj]
    created: list[Layer]
    classes: list[ClassInfo]
    trace: dict[int, Value] = field(default_factory=dict)
    analysis: Optional[Analysis] = field(default=None, repr=False)
    values: Optional[ValueLog] = field(default=None, repr=False)
    uses: dict[int, set] = field(default_factory=dict)  # AnalysisState.uses: what fixes must agree with

    def call(self, model: Value, args: list[Value]) -> dict[int, Value]:
        """Call ``model`` on ``args`` after the analysis (a summary's input shape): id of every
        module or layer it called -> its first output."""
        assert self.analysis is not None
        return self.analysis.trace_call(model, args)


class Analysis(Part):
    """One file's analysis: builds the context and the parts, runs the module, then the generic pass."""

    def __init__(self, module: cst.Module, source: str = "", path: Optional[str] = None,
                 keras_version: Optional[int] = None, cancel: Optional[Callable[[], bool]] = None,
                 keep_values: bool = False) -> None:
        state = adjust_state(AnalysisState(keras_version=keras_version), source or module.code)
        main = ModuleInfo(path, imports.place_of(path), module, {})
        super().__init__(Context(module, source, main, state, cancel=cancel))
        self.file_budget = self.ctx.budget
        # the instances and classes looked at so far (``_scan_instances``): the first instance of each
        # class, and the framework classes of the file with none yet
        self._first: dict[int, Obj] = {}
        self._waiting: dict[int, ClassInfo] = {}
        self._instances_seen = self._classes_seen = 0

        if keep_values:  # (other parts, not a flag: an analysis that keeps no values runs as before)
            self.exprs, self.stmts = recording_parts(self.ctx)
        else:
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
        (concrete call sites) are kept in the result's ``trace`` for summaries. (Above a frame that
        leaves the recursion room: ``room.roomy``.)"""
        return roomy(self._run, keep_trace)

    def _run(self, keep_trace: bool) -> AnalysisResult:
        ctx = self.ctx
        with activated(ctx.state):
            if keep_trace:
                ctx.trace = {}
            frame = Frame(ctx.globals, D.Bindings())
            body = ctx.module.body
            for i, stmt in enumerate(body):
                if self._guarded(partial(self.stmts.exec_stmt, stmt, frame), stmt, "module statement",
                                 rest=body[i + 1:]):
                    break
            if keep_trace:
                ctx.kept_trace, ctx.trace = ctx.trace, None
            # Every function and class also runs on generic inputs, whatever calls reached it: a call
            # with unknown data (`model(batch)` from a loader) proves little, the definitions much.
            # What builds a class runs before it, so the class runs on what its call sites built.
            work = [c for c in ctx.classes] + [f for f in ctx.functions if f.cls is None]
            order = builders_first(work, called_names(ctx.source, {item.name for item in work}))
            left = sum(isinstance(item, FuncInfo) for item in order) + 1
            first_plain = True
            if ctx.values is not None:
                ctx.values.run = GENERIC
            cut: list[Any] = []  # what the file's budget left no steps for
            for item in order:
                if self._out():
                    if isinstance(item, ClassInfo) or self._needs_generic(item):
                        cut.append(item)
                    continue
                if isinstance(item, ClassInfo):
                    with self._memory_cap():
                        self._guarded(partial(self.analyse_class_generic, item), item.node, f"class {item.name}")
                    continue
                left -= 1
                if self._needs_generic(item):
                    if not item.analysed and _callable_bare(item) and self._unbuilt():
                        # ``resnet18()`` first: what the plain call builds (the classes run on it) has the
                        # builder's own defaults (``weights=None``), where its generic run takes any value.
                        # The file's first such call may take a whole run's steps (timm's cspresnet50()
                        # builds its network in 25000): a model zoo's builders each building a part of
                        # their network check less than one that builds it whole.
                        with self.run_kind(DEFAULTS):
                            self._capped(partial(self.calls.call_func, item, [], {}, node=item.node), item, left,
                                         whole=first_plain)
                        first_plain = False
                    self._capped(partial(self.analyse_func_generic, item), item, left)
            self._report_cut(cut)
            for built, err, call_node in ctx.pending:  # construction checks of containers not iterated by hand
                if id(built) not in ctx.iterated:
                    ctx.report_error(err, call_node)
        ctx.limits.spent += ctx.steps
        # (what a later call of the result computes, a summary's trace, is no value of the file's code)
        values, ctx.values = ctx.values, None
        return AnalysisResult(ctx.findings, ctx.revealed, ctx.globals, ctx.instances, ctx.created, ctx.classes,
                              ctx.kept_trace or {}, self, values, ctx.state.uses)

    def dispose(self) -> None:
        """Once nothing reads this analysis again (its diagnostics made): the parts, the context
        and the analysis let go of each other and of what they hold, so what the analysis built is
        freed by reference counting as soon as its result is dropped. Wired to each other, they
        left tens of thousands of objects a model file to the cycle collector (the language
        server's collection after four re-checks of a timm model took 50-100 ms, ~20 ms after)."""
        ctx = self.ctx
        for info in [ctx.main, *ctx.modules.values()]:  # (names -> classes -> the module they are of)
            if info is not None:
                info.ns.clear()
        for part in (self.stmts, self.exprs, self.calls, self.members, self.project, self.sources, self.builtins,
                     self.plugins, self.flow, ctx):
            vars(part).clear()
        vars(self).clear()

    def trace_call(self, model: Value, args: list[Value]) -> dict[int, Value]:
        """Run ``model(*args)`` in this analysis (its state active) and trace what it calls."""
        ctx = self.ctx
        ctx.trace = {}
        try:
            with activated(ctx.state):
                roomy(self.calls.call_value, model, args, {}, None, Frame({}, D.Bindings(), None, ctx.globals), {})
        except Exception:  # noqa: BLE001 - a summary without shapes is still a summary
            pass
        trace, ctx.trace = ctx.trace or {}, None
        return trace

    def _guarded(self, work: Callable[[], Any], node: cst.CSTNode, what: str, quiet_budget: bool = False,
                 rest: Sequence[cst.CSTNode] = (), run_cap: Optional[int] = None) -> bool:
        """Run ``work``; an internal error becomes SHP901 on ``node``. True when the file is out of
        budget (``rest``: the module statements that then do not run, whose definitions the
        message names). With ``quiet_budget``, a run that only used up its own share of steps
        keeps what it found and says nothing; ``run_cap``: the steps the run had, to name."""
        ctx = self.ctx
        try:
            work()
        except Budget as e:
            out = self._out()
            if quiet_budget and not out and not e.whole and ctx.steps > ctx.budget:
                return False
            reason = e.reason
            if run_cap is not None and not out and not e.whole:
                reason = f"{reason} ({run_cap} steps a run)"
            message = f"{what} not fully analyzed: {reason}"
            names = defined_names(rest)
            if names:
                message += f"; not run after it: {_listed(names, 'definition', 'definitions')}"
            ctx.report("analysis-skipped", message, node)
            return out
        except RecursionError:
            ctx.report("analysis-skipped", f"{what} not fully analyzed: nesting too deep", node)
        except MemoryError:  # (a single step that asked for more than there is: the file stops)
            ctx.out = "out of memory"
            ctx.report("analysis-skipped", f"{what} not fully analyzed: out of memory", node)
            return True
        except Exception as e:  # noqa: BLE001 - failure containment: one function, not the file
            ctx.report("analysis-skipped", f"{what} not analyzed: internal error {type(e).__name__}: {e}"[:300],
                       node)
        return False

    def _out(self) -> bool:
        """Whether the file's own budget (steps, clock, memory) is used up: nothing more runs."""
        ctx = self.ctx
        return ctx.out is not None or ctx.steps >= self.file_budget

    def _report_cut(self, cut: list[Any]) -> None:
        """SHP901 for each function or class the file's budget left unanalyzed (the first
        ``CUT_NOTES`` each on its own definition, the rest named in one more note)."""
        if not cut:
            return
        reason = self.ctx.out or "step budget exhausted"
        for item in cut[:CUT_NOTES]:
            kind = "class" if isinstance(item, ClassInfo) else "function"
            self.ctx.report("analysis-skipped", f"{kind} {item.name} not analyzed: {reason}", item.node)
        more = cut[CUT_NOTES:]
        if more:
            names = _listed([m.name for m in more], "more function or class", "more functions and classes")
            self.ctx.report("analysis-skipped", f"{names} not analyzed: {reason}", more[0].node)

    @contextmanager
    def _memory_cap(self) -> Iterator[None]:
        """One run (a function's, a class's) may grow the process by ``FUNCTION_MEMORY_MAX`` before
        it alone is cut (``Context.watch``)."""
        ctx = self.ctx
        saved = ctx.fn_memory
        ctx.fn_memory = resident_bytes() + FUNCTION_MEMORY_MAX
        try:
            yield
        finally:
            ctx.fn_memory = saved

    # ------------------------------------------------------------------ generic analysis
    def _capped(self, work: Callable[[], Any], fn: FuncInfo, left: int, whole: bool = False) -> None:
        """Run a module function on at most ``FUNCTION_RUN_MAX`` steps, and on no more than its
        share of what the functions still to run have left (``FUNCTIONS_SHARE`` of the budget): a
        model zoo's builders each build a network (timm's vision_transformer.py has 200), and the
        classes' own analyses must not starve. A run cut short keeps what it found so far. A
        ``whole`` run takes up to ``FUNCTION_RUN_MAX`` whatever the share, while the file affords it."""
        ctx = self.ctx
        saved = ctx.budget
        share = max(0, int(saved * FUNCTIONS_SHARE) - ctx.steps) // max(left, 1)
        cap = max(min(FUNCTION_RUN_MAX, share), FUNCTION_RUN_MIN)
        if whole and self._affords(FUNCTION_RUN_MAX):
            cap = FUNCTION_RUN_MAX
        ctx.budget = min(saved, ctx.steps + cap)
        # (cut at its share of what is left: the file's schedule, said nothing of; cut at the most a
        # run may take: named, with what it found so far)
        quiet = ctx.budget < saved and cap < FUNCTION_RUN_MAX
        try:
            with self._memory_cap():
                self._guarded(work, fn.node, f"function {fn.name}", quiet_budget=quiet,
                              run_cap=cap if cap >= FUNCTION_RUN_MAX else None)
        finally:
            ctx.budget = saved

    def _unbuilt(self) -> bool:
        """Whether a class of the file has no instance yet (the plain calls of builders stop there)."""
        self._scan_instances()
        ctx = self.ctx
        for c in ctx.classes[self._classes_seen:]:
            if (c.home is None or c.home is ctx.main) and (c.framework_base() or "").startswith(
                    ("torch.nn.", "keras.", "tensorflow.", "tf_keras.")) and id(c) not in self._first:
                self._waiting[id(c)] = c
        self._classes_seen = len(ctx.classes)
        return bool(self._waiting)

    def _built(self, cls: ClassInfo) -> Optional[Obj]:
        """The first instance of ``cls`` the file built, if any."""
        self._scan_instances()
        return self._first.get(id(cls))

    def _scan_instances(self) -> None:
        """Index the instances built since the last look (the first of each class), once each: a
        model zoo has thousands of classes, builders and instances, and a look over all of them for
        each would be quadratic. A run aside takes its instances back before anything looks."""
        ctx = self.ctx
        if len(ctx.instances) < self._instances_seen:  # (taken back after a look: look anew)
            self._first, self._instances_seen, self._classes_seen, self._waiting = {}, 0, 0, {}
        for o in ctx.instances[self._instances_seen:]:
            self._first.setdefault(id(o.cls), o)
            self._waiting.pop(id(o.cls), None)
        self._instances_seen = len(ctx.instances)

    def analyse_class_generic(self, cls: ClassInfo) -> None:
        """Run the methods on generic inputs (those calls reached too, when they take arguments),
        on an instance the file built (concrete sizes) or, where there is none, on one built from
        generic arguments -- and, where the constructor has literal size defaults, once more with
        those (``_weigh_defaults``)."""
        methods = self._generic_methods(cls)  # (an inherited forward too: torchvision's FCN has none of its own)
        if cls.analysed and not methods:
            return
        built = self._built(cls)
        if built is not None:  # methods no call reached must not change what the file built (summaries)
            cls.analysed = True
            steps = self.ctx.steps
            self._run_methods(cls, copy_value(built, True, {}), methods)
            cost = self.ctx.steps - steps
            if cost <= DEFAULTS_RUN_MAX:
                self._run_any_arguments(cls, methods)
            init = cls.lookup("__init__")
            defaults = literal_defaults(init) if isinstance(init, FuncInfo) else []
            if defaults and isinstance(init, FuncInfo) and self._affords(FUNCTION_RUN_MAX):
                # what the file built may have taken sizes the checker cannot see (a builder's **kwargs
                # from a registry): the class also runs with its own defaults (building it anew: up to a
                # builder's steps), and what only they show is reported as theirs
                self._weigh_defaults(cls, init, defaults, methods, len(self.ctx.findings), FUNCTION_RUN_MAX,
                                     RunWatch())
            return
        init = cls.lookup("__init__")
        args = self._generic_args(init) if isinstance(init, FuncInfo) else ([], {})
        defaults = literal_defaults(init) if isinstance(init, FuncInfo) else []
        first = len(self.ctx.findings)
        steps = self.ctx.steps
        watch = self.calls.watch = RunWatch() if defaults else None
        try:
            obj = self.calls.instantiate(cls, args[0], args[1], cls.node, generic=True)
            cls.analysed = True
            self._run_methods(cls, obj, methods)
        finally:
            self.calls.watch = None
        cost = self.ctx.steps - steps
        if watch is not None and isinstance(init, FuncInfo) and (
                cost <= DEFAULTS_RUN_MAX or self._affords(3 * cost + DEFAULTS_UNROLL)):
            # (a larger class too, while the file has budget: a model no code of the file builds)
            self._weigh_defaults(cls, init, defaults, methods, first, cost, watch)

    def _affords(self, cost: int) -> bool:
        """Whether a run of ``cost`` steps leaves most of the file's budget to what is still to run."""
        ctx = self.ctx
        return ctx.steps + cost < ctx.budget * BUILT_DEFAULTS_SHARE

    def _run_any_arguments(self, cls: ClassInfo, methods: list[FuncInfo]) -> None:
        """A class its call sites built also runs on generic constructor arguments, for what holds
        whatever they pass (``Conv2d(c, 2 * out)`` before ``BatchNorm2d(out)``): the sizes a call
        site gives may be unknown to the checker. What holds only under a condition on the
        arguments ("holds only if a == b") is the call sites' to decide, so it is not reported."""
        init = cls.lookup("__init__")
        if not isinstance(init, FuncInfo):
            return
        pos, kw = self._generic_args(init)
        if not pos and not kw:
            return  # no arguments: the built instance was the whole story
        # (a layer type it defaults to is not taken as given here: the call sites passed theirs, and
        # a type can change sizes -- timm's Inception blocks get ``partial(ConvNormAct, padding=0)``)
        self.calls.layer_defaults = False
        try:
            with self._aside():
                obj = self.calls.instantiate(cls, pos, kw, cls.node, generic=True)
        finally:
            self.calls.layer_defaults = True
        with self._aside():
            self._run_methods(cls, obj, methods)

    @contextmanager
    def run_kind(self, kind: str) -> Iterator[None]:
        """What the values the block computes stand for, where they are kept (``recording.Seen.run``)."""
        log = self.ctx.values
        if log is None:
            yield
            return
        saved, log.run = log.run, kind
        try:
            yield
        finally:
            log.run = saved

    @contextmanager
    def _aside(self) -> Iterator[None]:
        """A run beside the file's own: counted as a second run (``Context.second_run``: no
        conditional findings, no reveals), and what it builds stays out of the file's instances
        and layers (summaries)."""
        ctx = self.ctx
        saved = len(ctx.instances), len(ctx.created)
        ctx.second_run += 1
        try:
            yield
        finally:
            ctx.second_run -= 1
            del ctx.instances[saved[0]:], ctx.created[saved[1]:]

    def _generic_methods(self, cls: ClassInfo) -> list[FuncInfo]:
        """The methods a generic run calls, in order: the call method first, then the others."""
        out: list[FuncInfo] = []
        for name in ("forward", "call", "__call__"):
            m = cls.lookup(name)
            if isinstance(m, FuncInfo) and self._needs_generic(m):
                out.append(m)
                break
        out += [m for name, m in cls.methods.items()
                if name != "__init__" and m not in out and self._needs_generic(m)]
        return out

    def _run_methods(self, cls: ClassInfo, obj: Value, methods: list[FuncInfo]) -> None:
        """The call method runs first; each other method runs on the object as it left it (the
        caches a forward fills: ConViT's ``rel_indices``), on a copy: one that changes the object
        (timm's ``prune_intermediate_layers`` truncates ``self.stages``, ``reset_classifier``
        replaces the head) does not decide what the methods after it see. The methods share a copy
        until one writes into something older than its run (``Reuse.wrote_older``): copying a
        network for each of its methods cost more than running them."""
        if isinstance(obj, Obj):
            call_first = bool(methods) and methods[0].name in ("forward", "call", "__call__")
            state = obj if call_first else copy_value(obj, True, {})  # (the call method changes it in place)
            reuse = self.calls.reuse
            copy: Optional[Value] = None  # a copy of ``state`` no method changed yet
            for i, m in enumerate(methods):
                on: Value = obj
                if i > 0 or not call_first:
                    if copy is None:
                        copy = copy_value(state, True, {})
                    on = copy
                # a method inherited from an imported class reports on the class of this file
                node = m.node if m.home is None or m.home is self.ctx.main else cls.node
                start, effects = epoch(), reuse.effects()
                self._guarded(partial(self.analyse_func_generic, m, on, node), node, f"{cls.name}.{m.name}")
                if reuse.wrote_older(start, effects):
                    copy = None  # (it changed what it was given, or something else: the next gets a copy of its own)

    def _weigh_defaults(self, cls: ClassInfo, init: FuncInfo, defaults: list[cst.Param], methods: list[FuncInfo],
                        first: int, cost: int, generic: RunWatch) -> None:
        """A class no code built, whose constructor has literal size defaults (``hidden=128``,
        ``sizes=(784, 256, 128, 10)``), runs once more with them. Its generic run's findings hold
        for every value of the parameters; one the defaults make pass (``Linear(hidden, ...)`` fed
        ``(*, 256)`` with ``hidden=256``) is not a bug of the code as written and is dropped. A
        finding only the defaults show says so: "...; with the defaults sizes=(784, 256, 128, 10)"."""
        ctx = self.ctx
        # every parameter with a default takes it (``Cls()``, flags and layer types too); the others
        # are generic
        given = {p.name.value for p in list(init.params.posonly_params) + list(init.params.params)
                 + list(init.params.kwonly_params) if p.default is not None}
        pos, kw = self._generic_args(init)
        names = [p.name.value for p in _own_params(init)]
        kwargs = {n: v for n, v in list(zip(names, pos)) + list(kw.items()) if n not in given}
        saved = ctx.memo, ctx.budget
        # calls with the same arguments as before need no second run; what this run memoizes goes
        # with it (an overlay: a copy per class was quadratic in a model zoo)
        ctx.memo = ChainMap({}, ctx.memo)
        ctx.budget = min(ctx.budget, ctx.steps + 3 * cost + DEFAULTS_UNROLL)  # unrolled loops: past that, no verdict
        done = False
        watch = self.calls.watch = RunWatch()
        try:
            with self._aside(), ctx.isolated() as got, self.run_kind(DEFAULTS):
                obj = self.calls.instantiate(cls, [], kwargs, cls.node, generic=True)
                if isinstance(obj, Obj):
                    for m in methods:
                        self.analyse_func_generic(m, obj)
                done = True
        except Budget:
            pass
        except Exception:  # noqa: BLE001 - the generic run's findings stand as they are
            pass
        finally:
            ctx.memo, ctx.budget = saved
            self.calls.watch = None
        if not done:
            return
        found = {id(f.node) for f in got if f.kind != "analysis-skipped"}
        # a finding of code the defaults ran again and found right is dropped; code they did not run
        # again (the same arguments: a memoized call) keeps its findings
        ctx.findings[first:] = [f for f in ctx.findings[first:] if f.kind == "analysis-skipped" or id(
            f.node) in found or generic.owner.get(id(f)) not in watch.ran]
        flagged = {id(f.node) for f in ctx.findings}
        statements = {f.statement for f in ctx.findings if f.statement is not None}
        for f in got:  # (a statement already found wrong: what follows from it is no second bug)
            if f.kind != "analysis-skipped" and id(f.node) not in flagged and f.statement not in statements:
                flagged.add(id(f.node))
                ctx.report(f.kind, f"{f.message}; with the defaults {self._defaults_text(defaults, f.message)}",
                           f.node, f.fix, fallback=f.fallback)

    def _defaults_text(self, defaults: list[cst.Param], message: str) -> str:
        """``sizes=(784, 256, 128, 10)``: the defaults whose numbers the message shows, else all."""
        shown = set(re.findall(r"\d+", message))
        texts = [(p.name.value, self.ctx.text(p.default) if p.default is not None else "?") for p in defaults]
        named = [(n, t) for n, t in texts if set(re.findall(r"\d+", t)) & shown] or texts
        out = ", ".join(f"{n}={t}" for n, t in named[:4])
        return out + (", ..." if len(named) > 4 else "")

    def _needs_generic(self, fn: FuncInfo) -> bool:
        """Whether ``fn`` still needs its run on generic inputs: not yet done, and (when a call
        reached it) it has parameters, so a generic run can see more than the calls did."""
        if fn.generic:
            return False
        if not fn.analysed:
            return True
        return bool(_own_params(fn) or fn.params.kwonly_params)

    def analyse_func_generic(self, fn: FuncInfo, bound: Optional[Value] = None, node: Any = None) -> None:
        """Run ``fn`` on generic inputs (bound to ``bound`` for a method). For a function calls
        already reached, only its findings count: what it reveals stays the calls' answer."""
        pos, kw = self._generic_args(fn)
        second = fn.analysed
        self.ctx.second_run += second
        try:
            self.calls.call_func(fn, pos, kw, bound=bound, node=node if node is not None else fn.node, generic=True)
        finally:
            self.ctx.second_run -= second

    def _generic_args(self, fn: FuncInfo) -> tuple[list, dict]:
        pos = [self.sources.generic_param(p) for p in _own_params(fn)]
        kw = {p.name.value: self.sources.generic_param(p) for p in fn.params.kwonly_params}
        return pos, kw


def defined_names(stmts: Sequence[cst.CSTNode]) -> list[str]:
    """The functions and classes the top-level statements ``stmts`` define (what a budget that
    stops the module code before them leaves unanalyzed)."""
    return [s.name.value for s in stmts if isinstance(s, (cst.FunctionDef, cst.ClassDef))]


def _listed(names: list[str], one: str, many: str, shown: int = 5) -> str:
    """``3 functions (f, g, h)``; past ``shown`` names, the first ones and the last."""
    noun = one if len(names) == 1 else many
    if len(names) <= shown:
        return f"{len(names)} {noun} ({', '.join(names)})"
    return f"{len(names)} {noun} ({', '.join(names[:shown - 1])}, ..., {names[-1]})"


def _own_params(fn: FuncInfo) -> list[cst.Param]:
    """The positional parameters a caller passes (a method's ``self`` aside)."""
    plist = list(fn.params.posonly_params) + list(fn.params.params)
    if fn.cls is not None and plist and not is_static(fn.node):
        plist = plist[1:]
    return plist


def _callable_bare(fn: FuncInfo) -> bool:
    """Whether ``fn()`` is a call: it has parameters, each with a default (or ``*args``/``**kw``).
    Its generic run takes any value for them (``weights=None`` becomes unknown); the plain call
    is the one users make (``resnet18()``), so what it finds holds."""
    params = fn.params
    named = list(params.posonly_params) + list(params.params) + list(params.kwonly_params)
    return bool(named) and all(p.default is not None for p in named)


def literal_defaults(fn: FuncInfo) -> list[cst.Param]:
    """The parameters of ``fn`` whose default is a literal size: an int or a tuple/list of them."""
    params = fn.params
    return [p for p in list(params.posonly_params) + list(params.params) + list(params.kwonly_params)
            if p.default is not None and _literal_sizes(p.default)]


def _literal_sizes(e: cst.BaseExpression) -> bool:
    if isinstance(e, cst.Integer):
        return True
    if isinstance(e, cst.UnaryOperation) and isinstance(e.operator, cst.Minus):
        return isinstance(e.expression, cst.Integer)
    if isinstance(e, (cst.Tuple, cst.List)):
        return bool(e.elements) and all(
            isinstance(el, cst.Element) and _literal_sizes(el.value) for el in e.elements)
    return False


def analyse(module: cst.Module, source: str = "", path: Optional[str] = None,
            keep_trace: bool = False, keras_version: Optional[int] = None,
            cancel: Optional[Callable[[], bool]] = None, keep_values: bool = False) -> AnalysisResult:
    """The public entry: one file's analysis result (``keras_version``: the setting, where the
    reading of the code itself depends on it). ``cancel`` is polled while it runs: when it says
    True the analysis stops with ``context.Cancelled`` (an editor's newer edit). With
    ``keep_values``, the result's ``values`` holds what each expression of the file evaluated to
    (``recording.ValueLog``: hover and inlay hints); without, nothing is recorded."""
    return Analysis(module, source, path, keras_version, cancel, keep_values).run(keep_trace)
