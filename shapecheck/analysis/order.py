"""The order of the generic runs: what builds a class runs before the class itself.

A class built by another class or function of the file (``self.cell = NormalCell(c_left=ch,
c_right=ch)`` in a model's ``__init__``) is then run on the instance that call built, so its
checks see the sizes its call sites give. Run first on generic arguments instead, every pair of
its constructor parameters would be two unrelated sizes, and a check that holds at every call
site ("holds only if c_left == c_right") would be reported though no caller can break it.
"""
from __future__ import annotations

import ast
from collections.abc import Sequence
from typing import Protocol, TypeVar

from .. import pyast


class _Definition(Protocol):
    @property
    def name(self) -> str: ...


T = TypeVar("T", bound=_Definition)


def called_names(source: str) -> dict[str, set[str]]:
    """For each class or function name defined in ``source`` (at any depth), the plain names its
    body calls or hands on (``NormalCell(...)``, ``build_model_with_cfg(MlpMixer, ...)``, a default
    ``block_layer=MixerBlock``: what it may build); one definition name that occurs twice gets the
    union. Python's own parser: a LibCST walk per definition cost as much as the analysis."""
    try:
        tree = pyast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return {}
    out: dict[str, set[str]] = {}
    for node in ast.walk(tree):
        if isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            got = out.setdefault(node.name, set())
            for sub in ast.walk(node):
                if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Load):
                    got.add(sub.id)
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
