"""What shape rules report: a kind (a rule's NAME), a message, maybe a fix."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Optional, Union


@dataclass(frozen=True)
class Fix:
    description: str
    replacement: Optional[str] = None


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

    def to_json(self) -> dict:
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
                                                  "replacement": self.fix.replacement},
        }
        if self.cell is not None:  # as ruff: the cell, and the line and column inside it
            out["cell"] = self.cell
        return out
