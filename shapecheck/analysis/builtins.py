"""Methods of Python's own containers and strings on abstract values: ``list``/``tuple``/``torch.Size``
(``Seq``), ``dict`` (``Dict``) and ``str`` (a ``Const`` string), one table per receiver type.

A write to a container inside a branch is logged (``flow.record``) so that branches merge; a
method whose effect cannot be followed makes the contents unknown, never wrong.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, Optional

from .. import dims as D
from ..values import NONE, UNKNOWN, Const, Dict, Int, Maybe, Seq, Value, as_dim, present, update_items
from .context import Part
from .frames import ITEMS, UNKNOWN_KEY, UNKNOWN_STAR
from .objects import MAX_ITEMS

# str methods answered on known strings (pure; bounded result sizes)
_STR_METHODS = frozenset({"startswith", "endswith", "lower", "upper", "strip", "lstrip", "rstrip", "split", "rsplit",
                          "replace", "find", "rfind", "count", "isdigit", "isalpha", "title", "capitalize",
                          "removeprefix", "removesuffix", "partition", "rpartition"})
_LIST_WRITES = frozenset({"append", "insert", "extend", "pop", "clear", "remove", "reverse", "sort"})
_LIST_FORGETS = frozenset({"insert", "pop", "clear", "remove", "reverse", "sort"})  # contents no longer tracked
_DICT_WRITES = frozenset({"update", "pop", "setdefault", "clear"})

Handler = Callable[[Any, list, dict], Optional[Value]]


class BuiltinMethods(Part):
    """``lst.append(x)``, ``d.items()``, ``name.split(".")`` and the like."""

    def method(self, obj: Value, name: str, args: list, kwargs: dict) -> Optional[Value]:
        """The result of ``obj.name(*args, **kwargs)`` for a container or string; None: not one."""
        if isinstance(obj, Seq):
            return self.seq_method(obj, name, args)
        if isinstance(obj, Dict):
            return self.dict_method(obj, name, args, kwargs)
        if isinstance(obj, Const) and isinstance(obj.value, str):
            return self.str_method(obj, name, args, kwargs)
        return None

    # ------------------------------------------------------------------ list / tuple / torch.Size
    def seq_method(self, obj: Seq, name: str, args: list) -> Value:
        if name in _LIST_WRITES:
            self.flow.record(obj, ITEMS)
        if name in _LIST_FORGETS and obj.kind == "list":
            obj.items[:] = [UNKNOWN_STAR]
            return UNKNOWN
        handler = _SEQ_METHODS.get(name)
        return handler(self, obj, args) if handler is not None else UNKNOWN

    def list_append(self, obj: Seq, args: list) -> Value:
        if obj.kind != "list" or len(args) != 1:
            return UNKNOWN
        obj.items.append(args[0])
        return NONE

    def list_extend(self, obj: Seq, args: list) -> Value:
        if obj.kind != "list" or len(args) != 1:
            return UNKNOWN
        items = self.exprs.iter_items(args[0])
        if items is None or len(obj.items) + len(items) > MAX_ITEMS:  # (``x.extend(x)`` in a loop doubles it)
            obj.items.append(UNKNOWN_STAR)
        else:
            obj.items.extend(items)
        return NONE

    def size_numel(self, obj: Seq, args: list) -> Value:
        """``x.size().numel()``: the product of the sizes."""
        if obj.kind != "size" or not all(as_dim(x) is not None for x in obj.items):
            return UNKNOWN
        return Int(D.mul(*[as_dim(x) for x in obj.items]))

    # ------------------------------------------------------------------ dict
    def dict_method(self, obj: Dict, name: str, args: list, kwargs: dict) -> Value:
        if UNKNOWN_KEY in obj.items:
            return self.open_dict_method(obj, name, args, kwargs)
        if name in _DICT_WRITES:
            self.flow.record(obj, ITEMS)
            return self.dict_write(obj, name, args, kwargs)
        if name in ("items", "values", "keys") and any(isinstance(v, Maybe) for v in obj.items.values()):
            return UNKNOWN  # (which keys it holds is not known)
        handler = _DICT_READS.get(name)
        return handler(obj, args) if handler is not None else UNKNOWN

    def dict_write(self, obj: Dict, name: str, args: list, kwargs: dict) -> Value:
        if name == "update" and len(args) == 1 and isinstance(args[0], Dict):
            update_items(obj.items, args[0].items)
            update_items(obj.items, kwargs)
            return NONE
        key = args[0].value if args and isinstance(args[0], Const) and isinstance(args[0].value, str) else None
        if name == "pop" and key is not None and (key in obj.items or len(args) == 2):
            if key not in obj.items:
                return args[1]  # kwargs.pop("x", 224)
            return present(obj.items.pop(key), args[1] if len(args) == 2 else None)
        if name == "setdefault" and key is not None and len(args) == 2:
            if isinstance(obj.items.get(key), Maybe):  # there or not: its value, or the default set now
                obj.items[key] = present(obj.items[key], args[1])
            return obj.items.setdefault(key, args[1])
        if name != "setdefault":  # a key we cannot name removed or overwritten: no key is known
            obj.items.clear()
        obj.items[UNKNOWN_KEY] = UNKNOWN
        return UNKNOWN

    def open_dict_method(self, obj: Dict, name: str, args: list, kwargs: dict) -> Value:
        """A dict with keys we cannot name beside the ones we know (``kwargs`` after
        ``kwargs.setdefault(n, ...)`` for an unknown ``n``): the known keys are surely there with
        their values; any other key may be there, with any value."""
        key = args[0].value if args and isinstance(args[0], Const) and isinstance(args[0].value, str) else None
        known = key is not None and key in obj.items
        if name == "get" and known:
            return present(obj.items[key], args[1] if len(args) > 1 else NONE)
        if name in _DICT_WRITES or name == "__setitem__":
            self.flow.record(obj, ITEMS)
            if name == "pop" and known:
                return present(obj.items.pop(key), args[1] if len(args) > 1 else None)
            if name == "setdefault" and known:
                if isinstance(obj.items[key], Maybe):
                    obj.items[key] = present(obj.items[key], args[1] if len(args) > 1 else NONE)
                return obj.items[key]
            if name == "setdefault" or (name == "pop" and key is not None):
                return UNKNOWN  # the known keys stay as they are
            if name == "update" and len(args) == 1 and isinstance(args[0], Dict) and not kwargs \
                    and UNKNOWN_KEY not in args[0].items:
                obj.items.update(args[0].items)
                return NONE
            obj.items.clear()
            obj.items[UNKNOWN_KEY] = UNKNOWN
        return UNKNOWN

    # ------------------------------------------------------------------ str
    def str_method(self, obj: Const, name: str, args: list, kwargs: dict) -> Value:
        """A pure str method on known strings (``"layer1.0".split(".")``), computed."""
        if name not in _STR_METHODS or kwargs or not all(
                isinstance(a, Const) and isinstance(a.value, (str, int, tuple)) or isinstance(a, Seq) and all(
                    isinstance(x, Const) and isinstance(x.value, str) for x in a.items) for a in args):
            return UNKNOWN
        plain = [tuple(x.value for x in a.items) if isinstance(a, Seq) else a.value for a in args]
        if name == "replace" and len(plain) >= 2 and isinstance(plain[0], str) and isinstance(plain[1], str):
            # (``s = s.replace("a", s)`` in a loop squares it each time: what it would grow to first)
            grown = len(obj.value) + (obj.value.count(plain[0]) if plain[0] else len(obj.value) + 1) * len(plain[1])
            if grown > MAX_ITEMS:
                return UNKNOWN
        try:
            got = getattr(obj.value, name)(*plain)
        except Exception:  # noqa: BLE001 - a str method that raises: unknown
            return UNKNOWN
        if isinstance(got, (list, tuple)):
            return Seq([Const(x) for x in got], "list" if isinstance(got, list) else "tuple")
        return Int(got) if isinstance(got, int) and not isinstance(got, bool) else Const(got)


_SEQ_METHODS: dict[str, Callable[[BuiltinMethods, Seq, list], Value]] = {
    "append": BuiltinMethods.list_append,
    "extend": BuiltinMethods.list_extend,
    "numel": BuiltinMethods.size_numel,
}

_DICT_READS: dict[str, Callable[[Dict, list], Value]] = {
    "items": lambda d, args: Seq([Seq([Const(k), v], "tuple") for k, v in d.items.items()], "list"),
    "values": lambda d, args: Seq(list(d.items.values()), "list"),
    "keys": lambda d, args: Seq([Const(k) for k in d.items], "list"),
    "get": lambda d, args: (present(d.items.get(args[0].value, args[1] if len(args) > 1 else NONE),
                                    args[1] if len(args) > 1 else NONE)
                            if args and isinstance(args[0], Const) else UNKNOWN),
}
