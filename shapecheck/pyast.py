"""Python's own ``ast`` module, safe to call from several threads at once.

CPython 3.11's ``ast.parse`` (and ``ast.literal_eval``, which parses) keeps the depth of the AST
objects it builds in per-interpreter state: two threads converting at the same time raise
``SystemError: AST constructor recursion depth mismatch``. LibCST's ``evaluated_value`` is a
``literal_eval``, so an analysis on a thread (an editor server, the thread test) could read the
literal ``200`` as unknown, silently. Every use of ``ast`` by shapecheck goes through here, one
at a time; literals that need no ``ast`` (ints, floats) are read without it.
"""
from __future__ import annotations

import ast
import contextlib
import functools
import gc
import threading
from collections.abc import Iterator
from typing import Any

_LOCK = threading.Lock()


def parse(source: str) -> ast.Module:
    """``ast.parse(source)``, one thread at a time (raises what ``ast.parse`` raises), the
    garbage collector paused (``no_gc``)."""
    with _LOCK, no_gc():
        return ast.parse(source)


@contextlib.contextmanager
def no_gc() -> Iterator[None]:
    """The cyclic garbage collector waits in the block: for building or walking a tree of plain
    nodes, which has no cycles to find, while its collections would walk the LibCST tree alive
    beside it again and again (measured on a 576 KB file: ``ast.parse`` 0.3 s without, 0.8-1.5 s
    with). Reference counting still frees what the block drops."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


@functools.lru_cache(maxsize=4096)  # (a pure function of the text; the same literals recur per run)
def literal(text: str) -> Any:
    """The value of a Python literal's source text (``"1_000"``, ``"0x1F"``, ``"2.5e-3"``,
    ``"'abc'"``, ``'b"x"'``); raises ``ValueError`` where it is not one."""
    t = text.replace("_", "")
    try:
        return int(t, 0)
    except ValueError:
        pass
    try:
        return float(t)
    except ValueError:
        pass
    with _LOCK:
        try:
            return ast.literal_eval(text)
        except (SyntaxError, TypeError, MemoryError, RecursionError) as e:
            raise ValueError(f"not a literal: {text[:40]!r}") from e
