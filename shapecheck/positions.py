"""Positions, resolved only for files that have findings, and there only for the top-level
statements that hold a node asked about.

LibCST's position pass generates the code of the whole module through a visitor: several times the
parse (0.07 s on a 500-line model file, 0.47 s on a 110 kB one), paid again on every edit of a file
with one finding. Here a top-level statement's positions come from that pass over a module of the
statement alone, moved down by the lines before it (the header, and the code of the statements
before it, generated without the visitor); which statement holds a node, from one walk of the tree
(an eighth of the pass). A node outside every statement (the module, its header and footer lines)
and a statement after one whose code has a carriage return (LibCST counts a ``\\r`` that ends one
token and a ``\\n`` that begins the next as two lines, a count of the code's lines as one) are placed
by the pass over the whole module."""
from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Optional, cast

if TYPE_CHECKING:
    import libcst as cst
    from libcst.metadata import CodeRange

_NEWLINE = re.compile(r"\r\n?|\n")  # (how LibCST's position pass counts lines)
_FIELDS: dict[type, tuple[str, ...]] = {}
_WHOLE = -1  # (the owner of a node outside every top-level statement)


class Positions:
    """``whole``: a caller about to ask of most nodes (hover's index) takes the one pass over the
    whole module, cheaper then than a pass per statement."""

    def __init__(self, module: cst.Module, whole: bool = False) -> None:
        self.module = module
        self.whole = whole
        self._map: Optional[Mapping[cst.CSTNode, CodeRange]] = None
        self._owner: Optional[dict[int, int]] = None  # id(node) -> index of the top-level statement holding it
        self._parts: dict[int, Mapping[cst.CSTNode, CodeRange]] = {}  # statement -> positions in its own code
        self._starts: list[Optional[int]] = []  # the line each statement's code starts on (None: unknown)

    def _positions(self) -> Mapping[cst.CSTNode, CodeRange]:
        if self._map is None:
            self._map = _resolve(self.module)
        return self._map

    def _owners(self) -> dict[int, int]:
        if self._owner is None:
            import libcst as cst

            owner: dict[int, int] = {}
            node_type = cst.CSTNode
            roots = [(self.module, _WHOLE), *((line, _WHOLE) for line in (*self.module.header, *self.module.footer)),
                     *((s, i) for i, s in enumerate(self.module.body))]
            for root, i in roots:
                todo = [root]
                while todo:
                    n = todo.pop()
                    owner[id(n)] = i
                    if n is self.module:
                        continue  # (its statements are their own roots)
                    for name in _fields(type(n)):
                        v = getattr(n, name)
                        if isinstance(v, node_type):
                            todo.append(v)
                        elif isinstance(v, (tuple, list)):
                            todo.extend(x for x in v if isinstance(x, node_type))
            self._owner = owner
        return self._owner

    def _start(self, i: int) -> Optional[int]:
        """The line statement ``i``'s code (its leading lines first) starts on."""
        starts = self._starts
        if not starts:
            starts.append(1 + len(self.module.header))
        while len(starts) <= i:
            before, j = starts[-1], len(starts) - 1
            code = self.module.code_for_node(self.module.body[j])
            starts.append(None if before is None or "\r" in code else before + len(_NEWLINE.findall(code)))
        return starts[i]

    def _part(self, i: int) -> Optional[Mapping[cst.CSTNode, CodeRange]]:
        got = self._parts.get(i)
        if got is None:
            stmt = self.module.body[i]
            if self._start(i) is None:  # (a statement before it has a carriage return)
                return None
            got = self._parts[i] = _resolve(self.module.with_changes(body=(stmt,), header=(), footer=(),
                                                                     has_trailing_newline=True))
        return got

    def has(self, node: Any) -> bool:
        """Whether ``node`` is in this file (values built by an imported file are not)."""
        if self.whole:
            return node is not None and node in self._positions()
        return node is not None and id(node) in self._owners()

    def span(self, node: Any) -> tuple[tuple[int, int], tuple[int, int]]:
        """((line, column), (end_line, end_column)), 1-based columns in characters."""
        i = self._owners().get(id(node)) if node is not None and not self.whole else _WHOLE
        if i is None:
            return (1, 1), (1, 1)
        part = self._part(i) if i != _WHOLE else None
        if part is None:
            r = self._positions().get(node)
            if r is None:
                return (1, 1), (1, 1)
            return (r.start.line, r.start.column + 1), (r.end.line, r.end.column + 1)
        r = part[node]
        shift = (self._start(i) or 1) - 1
        return (r.start.line + shift, r.start.column + 1), (r.end.line + shift, r.end.column + 1)


def _resolve(module: cst.Module) -> Mapping[cst.CSTNode, CodeRange]:
    """LibCST's ``PositionProvider`` over ``module``: its pass alone where LibCST has it as
    this was written (``MetadataWrapper.resolve`` also walks the whole tree for the batched
    providers, none here: as long again), else through the wrapper."""
    from libcst.metadata import MetadataWrapper, PositionProvider

    provider = PositionProvider()
    gen, computed = getattr(provider, "_gen_impl", None), getattr(provider, "_computed", None)
    if callable(gen) and isinstance(computed, dict) and not computed:
        gen(module)
        return cast("Mapping[cst.CSTNode, CodeRange]", provider._computed)
    return MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)


def _fields(t: type) -> tuple[str, ...]:
    """The names of a node type's fields (its children are among their values)."""
    got = _FIELDS.get(t)
    if got is None:
        got = _FIELDS[t] = tuple(f.name for f in dataclasses.fields(t))
    return got
