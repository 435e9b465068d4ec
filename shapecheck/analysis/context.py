"""The state one analysis shares among its parts, passed explicitly (never process-wide).

``Context`` holds what every part of one file's analysis reads and writes: the findings sink,
the step budget, the files of the project it follows, the objects the file built (for
summaries) and the ``AnalysisState`` the shape rules see (folding options, Keras call history).
Each part (statements, expressions, calls, members, project, sources, branch log, plugins) holds
the context and references to the other parts: two objects, an explicit seam (mypy's
``TypeChecker.expr_checker``), no inheritance and no globals.
"""
from __future__ import annotations

import os
import resource
import sys
import threading
import time
from collections.abc import Callable, Iterator, MutableMapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Optional

import libcst as cst

from ..findings import Finding, ShapeError
from ..shape_math.require import CONDITIONAL
from ..values import AnalysisState, Layer, Obj, Value

if TYPE_CHECKING:
    from ..plugins import PluginTable
    from .builtins import BuiltinMethods
    from .calls import CallEvaluator
    from .expressions import ExpressionEvaluator
    from .frames import BranchLog
    from .members import MemberEvaluator
    from .objects import ClassInfo, FuncInfo
    from .project import ModuleInfo, Project
    from .recording import ValueLog
    from .sources import Sources
    from .statements import StatementEvaluator

STEP_BUDGET = 400_000
# Resident memory of the process (bytes) past which an analysis stops with SHP901; a process that
# started the analysis above it (a long-lived editor server) may still grow MEMORY_HEADROOM.
MEMORY_LIMIT = 1 << 30
MEMORY_HEADROOM = 256 << 20
# One function's run may grow the process by this much before it alone is cut (the file goes on).
FUNCTION_MEMORY_MAX = 256 << 20
# Wall-clock seconds one file's analysis may take: a backstop for steps that are slow, never the
# budget that usually decides (steps are deterministic, the clock is not).
TIME_BUDGET = 60.0
WATCH_EVERY = 1024  # steps between two looks at the memory and the clock (each look ~10 us)


class Budget(Exception):
    """The analysis ran out of a budget: ``reason`` says which (steps, memory, time); ``whole``
    when it is the file's (everything after it stops), not one function's."""

    def __init__(self, reason: str = "step budget exhausted", whole: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.whole = whole


@dataclass
class Limits:
    """What one analysis may spend, where a caller set it (``limited``): a huge file's parts share
    the file's clock (``deadline``, ``time.monotonic()``) and split its steps."""

    steps: int = STEP_BUDGET
    deadline: Optional[float] = None
    spent: int = 0  # the steps the analyses that took these limits used, together


_limits = threading.local()  # (per thread: an editor server analyses on several)


@contextmanager
def limited(limits: Limits) -> Iterator[None]:
    """Analyses started on this thread in the block take ``limits``."""
    saved = getattr(_limits, "now", None)
    _limits.now = limits
    try:
        yield
    finally:
        _limits.now = saved


def current_limits() -> Limits:
    got = getattr(_limits, "now", None)
    return got if isinstance(got, Limits) else Limits()


_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def resident_bytes() -> int:
    """The process's resident memory now (Linux ``/proc/self/statm``: one small read); elsewhere
    its peak so far (``ru_maxrss``), which only errs towards stopping early."""
    try:
        with open("/proc/self/statm", "rb") as fh:
            return int(fh.read().split()[1]) * _PAGE
    except (OSError, ValueError, IndexError):
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak if sys.platform == "darwin" else peak * 1024  # (bytes on macOS, KiB on Linux)


def _megabytes(n: int) -> str:
    return f"{n / (1 << 20):.0f} MB"


class Cancelled(BaseException):
    """The analysis was called off from outside (an editor's newer edit): not an ``Exception``,
    so no per-function containment swallows it; it ends the whole analysis."""


CANCEL_EVERY = 512  # steps between two looks at the cancel flag


class Context:
    """Everything one analysis shares; one per analysed file."""

    def __init__(self, module: cst.Module, source: str, main: ModuleInfo, state: AnalysisState,
                 budget: Optional[int] = None, cancel: Optional[Callable[[], bool]] = None) -> None:
        self.module = module
        self.cancel = cancel  # polled every CANCEL_EVERY steps: True ends the analysis (Cancelled)
        self.source = source
        self.state = state  # what the shape rules read (values.analysis_state while running)
        self.findings: list[Finding] = []
        self._seen: set = set()
        self.limits = limits = current_limits()
        self.budget = budget if budget is not None else limits.steps
        self.steps = 0
        # The file's other budgets, looked at every WATCH_EVERY steps: the clock, the process's
        # memory (and one function's growth of it, ``fn_memory``: set by the driver per run), and
        # once one ran out, why (every step after raises: nothing more of the file runs).
        self.deadline = time.monotonic() + TIME_BUDGET
        self.late = f"time budget exhausted ({TIME_BUDGET:.0f} s a file)"
        if limits.deadline is not None and limits.deadline < self.deadline:
            self.deadline, self.late = limits.deadline, "time budget of the file exhausted"
        self.memory_limit = max(MEMORY_LIMIT, resident_bytes() + MEMORY_HEADROOM)
        self.fn_memory: Optional[int] = None  # resident bytes past which the function running now is cut
        self.out: Optional[str] = None
        # The checked file, the project files it imports (path -> ModuleInfo, None: unreadable), the
        # file whose code runs now, and the call in the checked file that entered another file.
        self.main = main
        self.globals: dict[str, Value] = main.ns
        self.modules: dict = {}
        self.current = main
        self.entry: Optional[tuple] = None
        self._stars: dict = {}  # id(namespace) -> files it star-imports
        self.functions: list[FuncInfo] = []
        self.classes: list[ClassInfo] = []
        self.memo: MutableMapping = {}
        self.memo_alive: list = []  # what the memo's keys name by id
        self.stack: list = []
        self.suppress = 0  # inside try bodies with broad handlers
        self.captures: list = []  # findings of a model's own call() run on training data (keras_model plugin)
        self.instances: list[Obj] = []  # every object instantiated (for summaries)
        self.revealed: list[tuple[cst.CSTNode, str]] = []  # (node, text) for reveal_shape(x) calls (golden tests)
        # >0 while a function that calls reached also runs on generic inputs: its findings count,
        # but what it reveals is the calls' answer, not the generic one
        self.second_run = 0
        self.param_binds: dict = {}  # flexible size -> what a call bound it to (calls.ex_Call)
        self.seed_binds: dict = {}  # and what the caller had bound it to, for the callee
        # the small statement running now, and those that already have a finding: a generic run
        # adds no second finding to a statement where a call's run found the bug (its knock-on)
        self.statement: Optional[cst.CSTNode] = None
        self._flagged: set = set()
        self.created: list[Layer] = []  # every framework layer built, in construction order (summary names)
        state.created = self.created  # (the rules read how many were built so far: Keras names)
        # what a container's construction check found, reported at the end unless the container was
        # iterated by hand (``LayerRule.defer_build_check``): (its construction node, error, call node)
        self.pending: list[tuple[Any, ShapeError, Any]] = []
        self.iterated: set[int] = set()  # id() of the construction nodes of containers iterated by hand
        # id(layer or module) -> its first output, while a summary traces
        self.trace: Optional[dict[int, Value]] = None
        self.kept_trace: Optional[dict[int, Value]] = None
        # what the checked file's expressions evaluated to (hover), only when asked: the recording
        # parts write it (``recording.py``), the others never look at it
        self.values: Optional[ValueLog] = None

    # ------------------------------------------------------------------ findings
    def report(self, kind: str, message: str, node: Any, fix: Any = None, fallback: Any = None,
               only_in: Optional[str] = None) -> None:
        """Record a finding once per (node, kind); inside imported code it goes on the entry call."""
        if self.suppress and kind != "analysis-skipped":
            return
        if self.captures and kind != "analysis-skipped":
            self.captures[-1].append(Finding(kind, message, node, fix, fallback=fallback, only_in=only_in))
            return
        if self.current is not self.main:
            # Code of an imported file, run with the arguments of a call in the checked file: the
            # finding goes on that call. Errors of the imported file alone are its own file's.
            if self.entry is None or kind == "analysis-skipped":
                return
            node, fn = self.entry
            what = f"{fn.cls.name}.{fn.name}" if fn.cls is not None else fn.name
            message = f"in {what} ({self.rel(fn.home)}): {message}"
            fix = None
        key = (id(node), kind, only_in)
        if key in self._seen:
            return
        where = id(self.statement) if self.statement is not None else None
        if self.second_run and (where is not None and where in self._flagged or CONDITIONAL in message):
            # The generic run of a function calls reached: a condition on its parameters ("holds
            # only if a == b") was checked at those calls with what they pass, and held or was unknown.
            return
        self._seen.add(key)
        if where is not None:
            self._flagged.add(where)
        self.findings.append(Finding(kind, message, node, fix, fallback=fallback, statement=where, only_in=only_in))

    def report_error(self, err: ShapeError, node: Any) -> None:
        """A rule's ``ShapeError`` as a finding: on the node it points at, else on ``node`` (the call)."""
        self.report(err.kind, err.message, err.where if err.where is not None else node, err.fix, fallback=node)

    @contextmanager
    def isolated(self) -> Iterator[list[Finding]]:
        """Findings reported in the block go to the list it yields, not to the file's (a run whose
        findings the driver weighs before it reports them)."""
        saved = self.findings, self._seen, self._flagged
        self.findings, self._seen, self._flagged = [], set(), set()
        try:
            yield self.findings
        finally:
            self.findings, self._seen, self._flagged = saved

    def reported(self) -> int:
        """How many findings were recorded so far (kept or captured by a training check)."""
        return len(self.findings) + sum(len(c) for c in self.captures)

    def rel(self, info: Optional[ModuleInfo]) -> str:
        """A project file's path relative to the project root (for messages)."""
        if info is None or info.path is None:
            return "?"
        root = self.main.place.root if self.main.place is not None else None
        try:
            return os.path.relpath(info.path, root) if root else info.path
        except ValueError:
            return info.path

    def text(self, node: cst.CSTNode) -> str:
        """The source text of a node of the checked file (fix suggestions)."""
        try:
            return self.module.code_for_node(node)
        except Exception:  # noqa: BLE001
            return "?"

    def tick(self) -> None:
        """One step of the budget: a pathological file stops here instead of running forever."""
        self.steps += 1
        if self.steps > self.budget or self.out is not None:
            raise Budget(self.out or "step budget exhausted", whole=self.out is not None)
        if self.steps % CANCEL_EVERY == 0:
            if self.cancel is not None and self.cancel():
                raise Cancelled()
            if self.steps % WATCH_EVERY == 0:
                self.watch()

    def watch(self) -> None:
        """Stop the file where it outgrew its clock or memory, or one function where it alone
        outgrew its share of memory (``Budget``)."""
        if time.monotonic() > self.deadline:
            self.out = self.late
            raise Budget(self.out, whole=True)
        rss = resident_bytes()
        if rss > self.memory_limit:
            self.out = f"memory budget exhausted ({_megabytes(rss)} resident, limit {_megabytes(self.memory_limit)})"
            raise Budget(self.out, whole=True)
        if self.fn_memory is not None and rss > self.fn_memory:
            self.fn_memory = None
            grew = _megabytes(FUNCTION_MEMORY_MAX)
            raise Budget(f"memory budget exhausted (the run grew the process by over {grew})")


class Part:
    """One responsibility of the analysis. ``wire`` gives every part the others; a part calls
    another through its attribute (``self.exprs.eval``), so each seam is visible in the code."""

    ctx: Context
    stmts: StatementEvaluator
    exprs: ExpressionEvaluator
    calls: CallEvaluator
    members: MemberEvaluator
    project: Project
    sources: Sources
    flow: BranchLog
    plugins: PluginTable
    builtins: BuiltinMethods

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def wire(self, other: Part) -> None:
        """Share the parts of ``other`` (the driver, which built them all)."""
        for name in ("stmts", "exprs", "calls", "members", "project", "sources", "flow", "plugins", "builtins"):
            setattr(self, name, getattr(other, name))
