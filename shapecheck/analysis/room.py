"""Room on CPython's frame stack for a deep run: ``roomy(work, *args)``.

Since 3.11, CPython keeps the frames of Python calls on a stack of its own per thread, made of 16 kB
chunks, and gives a chunk back to the system (``munmap``) as soon as the frame at its base returns;
the next call that needs it maps a new one (``mmap``, then page faults as it is written). The
analysis recurses with the program it interprets, and its depth swings across a chunk boundary
thousands of times per file: timm's fasternet.py made ~2300 mmap/munmap pairs per analysis, at ~7 µs
each (system calls and page faults), 10-25% of the analysis. How many depends on how deep the stack
already was where the analysis began, so the same file took 0.16 s or 0.21 s by who called it (the
language server's worker thread was among the slow ones).

A frame larger than a chunk gets a chunk of its own, sized to the next power of two; the frames
pushed above it use the rest of that chunk, which lives as long as the large frame. ``roomy`` runs
its work inside such a frame: a function whose code has ``ROOM_SLOTS`` more local variables than it
uses (``CodeType.replace``; never assigned, so never read). Entering it costs ~0.15 ms (the slots are
cleared, the chunk mapped); the analysis above it then maps nothing until it is 256 kB deep. Where the
code object cannot be widened (another Python), the work runs in a plain call. CPython 3.12 and 3.13
free their chunks alike: a recursion swinging across a boundary ran up to 6x slower there too, and
not at all slower above this frame.
"""
from __future__ import annotations

import types
from collections.abc import Callable
from typing import Any, TypeVar

R = TypeVar("R")

ROOM_SLOTS = 32768  # 256 kB of frame: a chunk of 512 kB, half of it left to the frames above


def _room(work: Callable[..., Any], args: tuple) -> Any:
    return work(*args)


def _widened(fn: Callable[..., Any], slots: int) -> Callable[..., Any]:
    """``fn`` with ``slots`` unused local variables more (its frame that much larger)."""
    code = fn.__code__
    try:
        names = code.co_varnames + tuple(f"_slot{i}" for i in range(slots))
        wide = code.replace(co_varnames=names, co_nlocals=len(names))
        return types.FunctionType(wide, fn.__globals__, fn.__name__)
    except (TypeError, ValueError, AttributeError):  # (an implementation whose code objects differ)
        return fn


_ROOMY = _widened(_room, ROOM_SLOTS)


def roomy(work: Callable[..., R], *args: Any) -> R:
    """``work(*args)``, run above a frame that leaves it ``ROOM_SLOTS`` pointers of stack."""
    return _ROOMY(work, args)
