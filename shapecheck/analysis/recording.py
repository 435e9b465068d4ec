"""What the expressions of the checked file evaluated to, kept for an editor (``analyse(...,
keep_values=True)``): hover and inlay hints read it (``shapecheck.hover``).

Recording is a choice of parts, not a flag they test: the driver builds these subclasses of the
expression and statement evaluators only when values are kept, so an analysis that keeps none
runs exactly the code it ran before (no test per expression). They repeat what they override
rather than call it where that would put a frame more on the analysis's deep recursions.

Each evaluation of a node of the checked file (never of an imported one) adds a ``Seen``: the
value, the bindings of the run that computed it (resolved when shown: a flexible size bound
later in the same run is that size), and which kind of run it was -- the file's own code and the
calls it makes (``call``), a definition run on generic inputs (``generic``), or a builder's plain
call and a class run on its constructor's literal defaults (``defaults``); the driver says which
(``Analysis.run_kind``). A function analysed several times has several.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Optional

import libcst as cst

from .. import dims as D
from ..values import UNKNOWN, Int, Layer, Obj, OneOf, Seq, Value
from .context import Context
from .expressions import ExpressionEvaluator
from .frames import Frame
from .objects import BINOPS
from .statements import StatementEvaluator

# A node evaluated more often than this (a loop unrolled over a deep network) keeps its first
# values and says it saw more (``ValueLog.more``): what is shown never claims to be all.
MAX_PER_NODE = 32

CALL, GENERIC, DEFAULTS = "call", "generic", "defaults"

# how a derivation prints each operator (``64*12*12 = 9216``)
_OP_TEXT = {"add": " + ", "sub": " - ", "mul": "*", "floordiv": " // ", "mod": " % ", "pow": "**"}


# literals are not kept: nothing to show of them beyond their text (an operand of a derivation
# is read off the node, ``_operand``)
_UNKEPT = frozenset({"Integer", "Float", "Imaginary", "SimpleString", "ConcatenatedString", "FormattedString",
                     "Ellipsis"})


@dataclass(eq=False, slots=True)
class Seen:
    """One evaluation of a node: ``value`` under ``bindings`` in a run of kind ``run``. For a call
    of a layer or module, ``callee`` is that module and ``arg`` its first argument."""

    value: Value
    bindings: Optional[D.Bindings]
    run: str
    seq: int
    callee: Optional[Value] = None
    arg: Optional[Value] = None


class ValueLog:
    """What the nodes of the checked file evaluated to, by ``id`` of the node (``nodes`` holds
    them): ``values``, each node's ``Seen`` in evaluation order; ``targets``, what the Name and
    Attribute targets of assignments were given (kept apart, so an augmented assignment's target
    shows its value after, not before) and what the parameters of a function hold as its body
    begins. ``derivations``: id of an ``Int`` the file's arithmetic computed -> (operator, how:
    ``64*12*12``), for a size without a ``why`` of its own."""

    def __init__(self) -> None:
        self.nodes: dict[int, cst.CSTNode] = {}
        self.values: dict[int, list[Seen]] = {}
        self.targets: dict[int, list[Seen]] = {}
        self.more: set[int] = set()  # nodes evaluated more than MAX_PER_NODE times
        self.params: set[int] = set()  # the names of parameters among the targets (no inlay hint)
        self.derivations: dict[int, tuple[str, str]] = {}
        self.run = CALL  # the kind of run now going on (the driver says when it changes)
        self.seq = 0

    def add(self, table: dict[int, list[Seen]], node: cst.CSTNode, value: Value,
            bindings: Optional[D.Bindings], callee: Optional[Value] = None, arg: Optional[Value] = None) -> None:
        self.seq += 1
        key = id(node)
        got = table.get(key)
        if got is None:
            got = table[key] = []
            self.nodes[key] = node
        elif got[-1].value is value and got[-1].bindings is bindings:
            got[-1].seq = self.seq  # (the same value again, a name read twice: ``since`` finds it now)
            return
        if len(got) >= MAX_PER_NODE:
            self.more.add(key)
            return
        if isinstance(value, Seq) and value.kind == "list":
            value = Seq(list(value.items), "list")  # (as it was here: a list changes later)
        got.append(Seen(value, bindings, self.run, self.seq, callee, arg))

    def since(self, node: Any, start: int) -> Optional[Seen]:
        """The first value ``node`` took at or after step ``start`` (a call's own callee and argument)."""
        found = None
        for s in reversed(self.values.get(id(node), ())):
            if s.seq < start:
                break
            found = s
        return found


class RecordingExpressions(ExpressionEvaluator):
    """``eval`` that also logs what each node of the checked file evaluated to."""

    def eval(self, e: Optional[cst.BaseExpression], frame: Frame) -> Value:
        # (``ExpressionEvaluator.eval`` again rather than a call of it: a frame more per nested
        # expression pushes the analysis's deep recursions over CPython's frame-stack chunks, whose
        # allocation then costs a third more time -- measured on torchvision's resnet.py)
        if e is None:
            return UNKNOWN
        ctx = self.ctx
        ctx.tick()
        kind = type(e).__name__
        handler = self.handlers.get(type(e))
        if handler is None:
            return UNKNOWN
        log = ctx.values
        if log is None or kind in _UNKEPT:
            return handler(e, frame)
        start = log.seq + 1  # what e's parts log during its evaluation comes at or after this step
        v = handler(e, frame)
        if ctx.current is not ctx.main:
            return v
        callee = arg = None
        if kind == "Call" and isinstance(e, cst.Call):
            fn = log.since(e.func, start)
            if fn is not None and isinstance(fn.value, (Layer, Obj, OneOf)):
                callee = fn.value
                first = next((a.value for a in e.args if a.keyword is None and not a.star), None)
                got = log.since(first, start) if first is not None else None
                arg = got.value if got is not None else None
        elif kind == "BinaryOperation" and isinstance(v, Int) and isinstance(e, cst.BinaryOperation):
            self._derive(e, v, log, start, frame)
        log.add(log.values, e, v, frame.bindings, callee, arg)
        return v

    def _derive(self, e: cst.BinaryOperation, v: Int, log: ValueLog, start: int, frame: Frame) -> None:
        """``c*h*w`` with known operands: how the int it computed came about (``64*12*12``)."""
        op = BINOPS.get(type(e.operator).__name__)
        if op not in _OP_TEXT or D.as_int(v.dim) is None:
            return
        parts = []
        for side in (e.left, e.right):
            if isinstance(side, cst.Integer):
                value: Value = self.ex_Integer(side, frame)
            else:
                got = log.since(side, start)
                if got is None:
                    return
                value = got.value
            if not isinstance(value, Int) or D.as_int(value.dim) is None:
                return
            had = log.derivations.get(id(value))
            flat = had is not None and had[0] == op and op in ("mul", "add") and side is e.left
            parts.append(had[1] if flat and had is not None else D.fmt(value.dim))
        log.derivations[id(v)] = (op, _OP_TEXT[op].join(parts))


class RecordingStatements(StatementEvaluator):
    """``assign`` that also logs what each Name and Attribute target of the checked file was given,
    and ``exec_block`` what a function's parameters hold as its body begins."""

    def exec_block(self, body: Iterable[cst.CSTNode], frame: Frame, stop: bool = True) -> None:
        fn, ctx = frame.func, self.ctx
        if ctx.values is not None and fn is not None and ctx.current is ctx.main and isinstance(
                fn.node.body, cst.IndentedBlock) and body is fn.node.body.body:
            _note_params(ctx.values, fn.params, frame)
        super().exec_block(body, frame, stop)

    def assign(self, target: cst.BaseExpression, v: Value, frame: Frame) -> None:
        ctx = self.ctx
        if ctx.values is not None and ctx.current is ctx.main and isinstance(target, (cst.Name, cst.Attribute)):
            ctx.values.add(ctx.values.targets, target, v, frame.bindings)
        if isinstance(target, cst.Name):  # (as the base does, without a frame more: see RecordingExpressions)
            frame.env[target.value] = v
            return
        super().assign(target, v, frame)


def _note_params(log: ValueLog, params: cst.Parameters, frame: Frame) -> None:
    """What each parameter of a function holds as its body begins (``x`` in ``def forward(self, x)``)."""
    for p in (*params.posonly_params, *params.params, *params.kwonly_params):
        v = frame.env.get(p.name.value)
        if v is not None:
            log.add(log.targets, p.name, v, frame.bindings)
            log.params.add(id(p.name))


def recording_parts(ctx: Context) -> tuple[ExpressionEvaluator, StatementEvaluator]:
    """The parts that log values, and the log on ``ctx``."""
    ctx.values = ValueLog()
    return RecordingExpressions(ctx), RecordingStatements(ctx)
