"""The order of the generic runs: what builds a class runs before the class itself.

A class built by another class or function of the file (``self.cell = NormalCell(c_left=ch,
c_right=ch)`` in a model's ``__init__``) is then run on the instance that call built, so its
checks see the sizes its call sites give. Run first on generic arguments instead, every pair of
its constructor parameters would be two unrelated sizes, and a check that holds at every call
site ("holds only if c_left == c_right") would be reported though no caller can break it.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, TypeVar

import libcst as cst


class _Definition(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def node(self) -> cst.CSTNode: ...


T = TypeVar("T", bound=_Definition)


class _Called(cst.CSTVisitor):
    """The plain names a body calls (``NormalCell(...)``, ``make_layer(...)``)."""

    def __init__(self) -> None:
        self.names: set[str] = set()

    def visit_Call(self, node: cst.Call) -> None:
        if isinstance(node.func, cst.Name):
            self.names.add(node.func.value)


def builders_first(items: Sequence[T]) -> list[T]:
    """``items`` (classes and functions, each with ``name`` and ``node``) in definition order,
    except that an item comes after every item whose body calls it by name. A cycle (two
    functions calling each other) is cut where the depth-first search meets it."""
    by_name: dict[str, list[int]] = {}
    for i, it in enumerate(items):
        by_name.setdefault(it.name, []).append(i)
    callers: list[set[int]] = [set() for _ in items]
    for i, it in enumerate(items):
        v = _Called()
        it.node.visit(v)
        for name in v.names:
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
