"""What shape rules report: a kind (a rule's NAME), a message, maybe a fix."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Optional, Union


@dataclass(frozen=True)
class Edit:
    """One text change: the span ``(line, column)`` to ``(end_line, end_column)`` (1-based, columns
    in characters, the end exclusive) becomes ``content``. ``cell``: a notebook's cell, whose lines
    these are."""

    line: int
    column: int
    end_line: int
    end_column: int
    content: str
    cell: Optional[int] = None

    def to_json(self) -> dict:
        out: dict = {"line": self.line, "column": self.column, "end_line": self.end_line,
                     "end_column": self.end_column, "content": self.content}
        if self.cell is not None:
            out["cell"] = self.cell
        return out


@dataclass(frozen=True)
class Fix:
    """What would mend a finding. ``description`` is advice for a person; ``replacement``, where
    the fix is a precise change of code, is the new text of the finding's node -- or, with
    ``target``, of that node instead (an opaque node the engine places, as ``ShapeError.where``:
    the constructor argument ``6272`` of ``nn.Linear(6272, 10)`` for a finding on the call that
    applies the layer). ``safe``: the change is what the code means, unambiguously; an unsafe fix
    is only usually right (``--unsafe-fixes`` applies it). ``edits`` are filled in by the engine,
    positioned; a Diagnostic's ``replacement`` then always means its own region's new text, and is
    None where the edit is elsewhere."""

    description: str
    replacement: Optional[str] = None
    target: Any = field(default=None, compare=False, repr=False)
    safe: bool = True
    edits: tuple[Edit, ...] = ()
    # (key, value): the fix changes something other code uses too (a layer's constructor); the
    # engine makes it unsafe unless every use the analysis saw wants ``value`` (AnalysisState.uses)
    agree: Optional[tuple] = field(default=None, compare=False, repr=False)

    def applicability(self, edits: tuple[Edit, ...]) -> str:
        """ruff's words: ``safe``/``unsafe`` for a fix with ``edits``; ``display-only`` for advice."""
        if not edits:
            return "display-only"
        return "safe" if self.safe else "unsafe"


class Later:
    """Message text made only when a message shows it: ``Later(shapes_text, shapes)`` formats as
    ``shapes_text(shapes)``, computed the first time. A rule names what it checks (``"sum of (B,
    4*h)"``) before it knows whether anything fails, and printing a symbolic size is slow (sympy's
    printer, ~1 ms for a new expression); most checks pass. The arguments are taken as they are
    now, so what is shown is what the rule saw, whatever it changes later."""

    __slots__ = ("_make", "_args", "_text")

    def __init__(self, make: Callable[..., str], *args: Any) -> None:
        self._make = make
        self._args = args
        self._text: Optional[str] = None

    def __str__(self) -> str:
        if self._text is None:
            self._text = self._make(*self._args)
            self._args = ()
        return self._text

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)


Text = Union[str, Later]  # a message part: text, or text made when shown


class ShapeError(Exception):
    """Raised by a shape rule when a check is provably FALSE.

    ``kind`` is the NAME of the lint rule that reports it (``"missing-transpose"``); ``where``
    optionally names a node the interpreter should point at instead of the call (a layer inside
    a Sequential, say) — it is an opaque token to ops, set by the interpreter.
    """

    def __init__(self, kind: str, message: Union[str, Callable[[], str]], fix: Optional[Fix] = None,
                 where: Any = None) -> None:
        super().__init__(kind)
        self.kind = kind
        self._message = message
        self.fix = fix
        self.where = where

    @property
    def message(self) -> str:
        if callable(self._message):
            self._message = self._message()
        return self._message


@dataclass(frozen=True)
class Finding:
    """A finding before positions: the node it is on and what it says."""

    kind: str
    message: str
    node: Any
    fix: Optional[Fix] = None
    severity_override: Optional[str] = None
    fallback: Any = None  # the call to point at when ``node`` is in another file (a layer built there)
    statement: Optional[int] = None  # id of the statement it was found in (one finding a statement)
    only_in: Optional[str] = None  # "keras2": fails under Keras 2 only (the keras-version setting weighs it)


@dataclass(frozen=True)
class Diagnostic:
    """A positioned, coded finding, as the output formats print it."""

    code: str
    name: str
    severity: str
    message: str
    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    fix: Optional[Fix] = None
    cell: Optional[int] = None  # a notebook's cell (1-based, over all cells); lines are then the cell's

    def edits(self) -> tuple[Edit, ...]:
        """The fix's edits; a fix made with a replacement but never placed (by hand, in a test)
        replaces the diagnostic's own region."""
        if self.fix is None:
            return ()
        if self.fix.edits or self.fix.replacement is None:
            return self.fix.edits
        return (Edit(self.line, self.column, self.end_line, self.end_column, self.fix.replacement, self.cell),)

    def to_json(self) -> dict:
        edits = self.edits()
        out = {
            "code": self.code,
            "name": self.name,
            "severity": self.severity,
            "message": self.message,
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "fix": None if self.fix is None else {"description": self.fix.description,
                                                  "replacement": self.fix.replacement,
                                                  "applicability": self.fix.applicability(edits),
                                                  "edits": [e.to_json() for e in edits]},
        }
        if self.cell is not None:  # as ruff: the cell, and the line and column inside it
            out["cell"] = self.cell
        return out
