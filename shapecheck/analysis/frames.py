"""Frames (one function activation) and the branch log: how branches fork and merge names and heap."""
from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Optional

from .. import dims as D
from ..values import UNKNOWN, Cond, Maybe, Value, epoch, merge_all, merge_values, same_value

if TYPE_CHECKING:
    from .objects import FuncInfo


class Frame:
    """One function activation (or the module): local names, and where control is."""

    __slots__ = ("env", "bindings", "returns", "done", "func", "globals", "broke")

    def __init__(self, env: dict, bindings: D.Bindings, func: Optional[FuncInfo] = None,
                 globals_: Optional[dict] = None) -> None:
        self.env = env
        self.bindings = bindings
        self.returns: list = []
        self.done = False  # returned / raised / broke out on every path so far
        self.broke = False  # a `break` was reached on some path
        self.func = func
        self.globals = globals_


ITEMS = "__items__"  # a Seq's or Dict's contents, as one heap field


UNKNOWN_CHILDREN = "__unknown_children__"  # an object given attributes we cannot name (setattr with a computed name)


CONFIG = "__config__"  # a container layer's children


UNKNOWN_KEY = "\x00unknown"  # a Dict holding this key has unknown contents


class _UnknownStar(Value):
    __slots__ = ()


UNKNOWN_STAR = _UnknownStar()


_ABSENT = object()


def heap_get(holder: Any, field: str) -> Any:
    if field == ITEMS:
        return list(holder.items) if isinstance(holder.items, list) else dict(holder.items)
    if field == CONFIG:
        return {k: (list(v) if isinstance(v, list) else dict(v) if isinstance(v, dict) else v)
                for k, v in holder.config.items()}
    return holder.attrs.get(field, _ABSENT)


def heap_set(holder: Any, field: str, value: Any) -> None:
    if field == ITEMS:
        if isinstance(holder.items, list):
            holder.items[:] = value
        else:
            holder.items.clear()
            holder.items.update(value)
    elif field == CONFIG:
        holder.config.clear()
        holder.config.update(value)
    elif value is _ABSENT:
        holder.attrs.pop(field, None)
    else:
        holder.attrs[field] = value


def heap_same(a: Any, b: Any) -> bool:
    if a is b:
        return True
    if isinstance(a, Value) and isinstance(b, Value):
        return same_value(a, b)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(heap_same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(heap_same(a[k], b[k]) for k in a)
    try:
        return bool(a == b)
    except Exception:  # noqa: BLE001
        return False


def _merge_items(va: dict, vb: dict) -> dict:
    """A dict's entries after two branches: a key both set holds what they agree on (merged); a
    key one set may be absent (``Maybe``). A dict with keys no branch can name stays open: the
    keys both hold with the same value stay known, the rest may be there or not."""
    if UNKNOWN_KEY in va or UNKNOWN_KEY in vb:
        agreed = {k: v for k, v in va.items() if k != UNKNOWN_KEY and k in vb and heap_same(v, vb[k])}
        return {**agreed, UNKNOWN_KEY: UNKNOWN}
    out: dict = {}
    for k in list(va) + [k for k in vb if k not in va]:
        x, y = va.get(k), vb.get(k)
        if x is not None and y is not None and heap_same(x, y):
            out[k] = x
            continue
        maybe = x is None or y is None or isinstance(x, Maybe) or isinstance(y, Maybe)
        vx = x.value if isinstance(x, Maybe) else x
        vy = y.value if isinstance(y, Maybe) else y
        value = merge_all([vx, vy]) if vx is not None and vy is not None else (vx if vx is not None else vy)
        assert value is not None  # (k is in one of the two)
        out[k] = Maybe(value) if maybe else value
    return out


def heap_unknown(holder: Any, field: str) -> Any:
    """What a field holds after branches that disagree on it."""
    if field == ITEMS:
        return [UNKNOWN_STAR] if isinstance(holder.items, list) else {UNKNOWN_KEY: UNKNOWN}
    if field == CONFIG:
        cfg = dict(holder.config)
        for k in ("layers", "items"):
            if k in cfg:
                cfg[k] = None
        return cfg
    return UNKNOWN


def set_env(frame: Frame, env: dict) -> None:
    """Replace a frame's names in place: the module frame's dict is ``Interpreter.globals``."""
    if env is not frame.env:
        frame.env.clear()
        frame.env.update(env)


class BranchLog:
    """Writes to objects and containers inside a branch, logged so that each branch starts from the same
    heap and writes the branches disagree on merge to unknown (mypy's binder, for the heap)."""

    def __init__(self) -> None:
        self.logs: list = []
        self.starts: list = []  # when each log's branch began (``values.epoch``)
        self.oldest = sys.maxsize  # ``born`` of the oldest holder written into (``reuse.Reuse.effects``)
        # writes into holders with no birth time (a class's attributes, an argparse namespace):
        # ``objects.Structures`` can tell nothing of what they change
        self.unborn_writes = 0
        self.writes = 0  # all writes so far

    def logged(self, work: Callable[[], Any]) -> dict:
        """Run one branch with a fresh write log; undo its writes; return {key: (holder, field, old, new)}."""
        self.push()
        try:
            work()
        finally:
            log = self.pop()
        out = {}
        for key, (holder, field, old) in log.items():
            out[key] = (holder, field, old, heap_get(holder, field))
            heap_set(holder, field, old)
        return out

    def merge_heap(self, log_a: dict, log_b: dict, a_done: bool, b_done: bool, cond: Optional[Cond] = None) -> None:
        """After both branches (of an ``if`` on ``cond``, where it is a condition on sizes): writes
        they agree on stay, others merge or become unknown."""
        for key in set(log_a) | set(log_b):
            holder, field, old, _ = log_a.get(key) or log_b[key]
            va = log_a[key][3] if key in log_a else old
            vb = log_b[key][3] if key in log_b else old
            if a_done and not b_done:
                va = vb
            elif b_done and not a_done:
                vb = va
            self.heap_merge(holder, field, old, va, vb, cond)

    def push(self) -> None:
        self.logs.append({})
        self.starts.append(epoch())

    def pop(self) -> dict:
        self.starts.pop()
        return self.logs.pop()

    def _made_here(self, holder: Any) -> bool:
        """Whether ``holder`` was made inside the current branch: the other branch never sees it."""
        return getattr(holder, "born", -1) > self.starts[-1]

    def heap_merge(self, holder: Any, field: str, old: Any, va: Any, vb: Any, cond: Optional[Cond] = None) -> None:
        if self.logs and not self._made_here(holder):  # the enclosing branch must be able to undo this too
            self.logs[-1].setdefault((id(holder), field), (holder, field, old))
        if heap_same(va, vb):
            heap_set(holder, field, va)
        elif field == ITEMS and isinstance(va, dict) and isinstance(vb, dict):
            heap_set(holder, field, _merge_items(va, vb))
        else:
            merged = merge_values(va, vb, cond=cond) if isinstance(va, Value) and isinstance(vb, Value) else None
            heap_set(holder, field, merged if merged is not None else heap_unknown(holder, field))

    def record(self, holder: Any, field: str) -> None:
        """Note the value of ``holder.field`` before the first write to it in the current branch
        (and, in ``oldest``, when the oldest value written into since a call began was made; in the
        holder's ``touched``, when it was last written: ``objects.Remake`` copies a module only while
        nothing it holds changed since its constructor returned)."""
        born = getattr(holder, "born", -1)
        self.writes += 1
        if born >= 0:
            holder.touched = epoch()
        else:
            self.unborn_writes += 1
        if born < self.oldest:
            self.oldest = born
        if not self.logs or self._made_here(holder):
            return
        log = self.logs[-1]
        key = (id(holder), field)
        if key not in log:
            log[key] = (holder, field, heap_get(holder, field))


def branch(frame: Frame) -> Frame:
    """A copy of ``frame`` for one branch: its own names and bindings, the same function and globals."""
    return Frame(dict(frame.env), frame.bindings.copy(), frame.func, frame.globals)


def merge(frame: Frame, a: Frame, b: Frame, cond: Optional[Cond] = None) -> None:
    """``frame`` after two branches ``a`` and ``b`` (of an ``if`` on ``cond``, where it is a condition
    on sizes): names they agree on stay, others merge or become unknown."""
    frame.returns.extend(a.returns)
    frame.returns.extend(b.returns)
    frame.broke = frame.broke or a.broke or b.broke
    if a.done and b.done:
        frame.done = True
        return
    if a.done:
        set_env(frame, b.env)
        frame.bindings = b.bindings
        return
    if b.done:
        set_env(frame, a.env)
        frame.bindings = a.bindings
        return
    env: dict[str, Value] = {}
    for k in set(a.env) | set(b.env):
        va, vb = a.env.get(k), b.env.get(k)
        if va is None or vb is None:
            env[k] = UNKNOWN
        elif va is vb or same_value(va, vb):
            env[k] = va
        else:
            env[k] = merge_values(va, vb, k, cond) or UNKNOWN
    set_env(frame, env)
    frame.bindings.keep_agreeing(a.bindings, b.bindings)
