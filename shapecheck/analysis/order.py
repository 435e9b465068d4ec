"""The order of the generic runs: what builds a class runs before the class itself.

A class built by another class or function of the file (``self.cell = NormalCell(c_left=ch,
c_right=ch)`` in a model's ``__init__``) is then run on the instance that call built, so its
checks see the sizes its call sites give. Run first on generic arguments instead, every pair of
its constructor parameters would be two unrelated sizes, and a check that holds at every call
site ("holds only if c_left == c_right") would be reported though no caller can break it.
"""
from __future__ import annotations

import ast
import re
from collections import Counter, OrderedDict
from collections.abc import Collection, Sequence
from typing import Optional, Protocol, TypeVar

from .. import pyast
from . import parts


class _Definition(Protocol):
    @property
    def name(self) -> str: ...


T = TypeVar("T", bound=_Definition)

_WORD = re.compile(r"\w+")


def called_names(source: str, wanted: Optional[Collection[str]] = None) -> dict[str, set[str]]:
    """For each class or function name defined in ``source`` (at any depth), the plain names its
    body calls or hands on (``NormalCell(...)``, ``build_model_with_cfg(MlpMixer, ...)``, a default
    ``block_layer=MixerBlock``: what it may build); one definition name that occurs twice gets the
    union. With ``wanted``, only those names are collected (the definitions ``builders_first``
    orders), and where none of them occurs in the text beside its own definition, nothing is
    parsed. Python's own parser: a LibCST walk per definition cost as much as the analysis; one
    walk of the tree, each name going to its innermost definition and then to the enclosing ones
    (a walk per definition is quadratic in the nesting). Each top-level statement is parsed on
    its own and remembered by its text (``_unit_names``); where one does not parse, nothing is
    returned, as for the whole file before."""
    if wanted is not None:
        counts = Counter(_WORD.findall(source))
        wanted = {n for n in wanted if counts[n] > 1}  # (its definition, and a use somewhere)
        if not wanted:
            return {}
    out: dict[str, set[str]] = {}
    with pyast.no_gc():  # (a walk of plain nodes: no cycles to collect, many tuples made)
        for unit in parts.top_units(source):  # (none in a file of comments only: nothing defined)
            got = _unit_names(source[unit.start:unit.end])
            if got is None:
                return {}
            for name, used in got.items():
                out.setdefault(name, set()).update(used if wanted is None else used & wanted)
    return out


_UNITS: OrderedDict[str, Optional[dict[str, frozenset[str]]]] = OrderedDict()  # a statement's text -> its names
UNITS_KEPT = 500_000  # characters of statements remembered: an editor's open files, not a batch run's every file
_kept = 0


def _unit_names(text: str) -> Optional[dict[str, frozenset[str]]]:
    """``_called_names`` of one top-level statement (a definition and what is nested in it),
    remembered by its text: an edit in the language server changes one statement of a file, and
    the others are not parsed again. None where Python's parser refuses it."""
    global _kept
    got = _UNITS.get(text, False)
    if got is not False:
        return got  # type: ignore[return-value]
    try:
        names: Optional[dict[str, frozenset[str]]] = {
            k: frozenset(v) for k, v in _called_names(pyast.parse(text)).items()}
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        names = None
    while _UNITS and _kept + len(text) > UNITS_KEPT:
        _kept -= len(_UNITS.popitem(last=False)[0])
    _UNITS[text] = names
    _kept += len(text)
    return names


def _called_names(tree: ast.AST) -> dict[str, set[str]]:
    names: list[str] = []  # per definition met: its name, what it uses, the definition around it
    uses: list[set[str]] = []
    around: list[int] = []
    todo: list[tuple[ast.AST, int]] = [(tree, -1)]
    while todo:
        node, owner = todo.pop()
        if isinstance(node, ast.Name):
            if owner >= 0 and isinstance(node.ctx, ast.Load):
                uses[owner].add(node.id)
            continue
        if isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            names.append(node.name)
            uses.append(set())
            around.append(owner)
            owner = len(names) - 1
        for field in node._fields:
            value = getattr(node, field, None)
            if isinstance(value, list):
                todo.extend((x, owner) for x in value if isinstance(x, ast.AST))
            elif isinstance(value, ast.AST):
                todo.append((value, owner))
    for i in range(len(names) - 1, 0, -1):  # (a definition comes after the one around it)
        if around[i] >= 0:
            uses[around[i]] |= uses[i]
    out: dict[str, set[str]] = {}
    for name, used in zip(names, uses):
        out.setdefault(name, set()).update(used)
    return out


def builders_first(items: Sequence[T], calls: dict[str, set[str]]) -> list[T]:
    """``items`` (classes and functions, each with a ``name``) in definition order, except that an
    item comes after every item whose body calls it by name (``calls``: ``called_names`` of the
    file). A cycle (two functions calling each other) is cut where the depth-first search meets it."""
    by_name: dict[str, list[int]] = {}
    for i, it in enumerate(items):
        by_name.setdefault(it.name, []).append(i)
    callers: list[set[int]] = [set() for _ in items]
    for i, it in enumerate(items):
        for name in calls.get(it.name, ()):
            for j in by_name.get(name, ()):
                if j != i:
                    callers[j].add(i)
    out: list[T] = []
    state = [0] * len(items)  # 0 new, 1 on the path, 2 placed

    for root in range(len(items)):
        if state[root]:
            continue
        state[root] = 1
        stack = [(root, iter(sorted(callers[root])))]  # depth-first, callers placed before the callee
        while stack:
            i, todo = stack[-1]
            c = next((c for c in todo if state[c] == 0), None)
            if c is not None:
                state[c] = 1
                stack.append((c, iter(sorted(callers[c]))))
                continue
            stack.pop()
            state[i] = 2
            out.append(items[i])
    return out
