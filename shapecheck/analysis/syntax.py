"""Small readers of LibCST syntax the analysis needs (dotted names, decorators, handlers)."""
from __future__ import annotations

import ast
import functools
from typing import Any, Optional

import libcst as cst

from .. import pyast


def dotted(e: Any) -> str:
    if isinstance(e, cst.Name):
        return e.value
    if isinstance(e, cst.Attribute):
        return f"{dotted(e.value)}.{e.attr.value}"
    return "?"


def alias_name(alias: cst.ImportAlias) -> str:
    if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
        return alias.asname.name.value
    return dotted(alias.name).split(".")[-1]


def is_main_guard(test: cst.BaseExpression) -> bool:
    return (isinstance(test, cst.Comparison) and isinstance(test.left, cst.Name) and test.left.value == "__name__")


def decorator_names(fn: cst.FunctionDef) -> set:
    out = set()
    for d in fn.decorators:
        x = d.decorator
        if isinstance(x, cst.Call):
            x = x.func
        out.add(dotted(x).split(".")[-1])
    return out


def is_static(fn: cst.FunctionDef) -> bool:
    return "staticmethod" in decorator_names(fn)


def is_classmethod(fn: cst.FunctionDef) -> bool:
    return "classmethod" in decorator_names(fn)


def is_property(fn: cst.FunctionDef) -> bool:
    return bool({"property", "cached_property"} & decorator_names(fn))


def broad_handler(h: cst.ExceptHandler) -> bool:
    if h.type is None:
        return True
    names = []
    t = h.type
    if isinstance(t, cst.Tuple):
        names = [dotted(el.value) for el in t.elements]
    else:
        names = [dotted(t)]
    return any(n.split(".")[-1] in ("Exception", "BaseException", "RuntimeError", "ValueError", "IndexError",
                                    "InvalidArgumentError", "TypeError") for n in names)


def import_handler(h: cst.ExceptHandler) -> bool:
    """``except ImportError:`` (or ``ModuleNotFoundError``): the fallback of an optional import."""
    t = h.type
    if t is None:
        return False
    names = [dotted(el.value) for el in t.elements] if isinstance(t, cst.Tuple) else [dotted(t)]
    return bool(names) and all(n.split(".")[-1] in ("ImportError", "ModuleNotFoundError") for n in names)


def expects_error(e: cst.BaseExpression) -> bool:
    """``pytest.raises(...)``, ``self.assertRaises(...)``, ``np.testing.assert_raises(...)``."""
    if isinstance(e, cst.Call):
        e = e.func
    last = dotted(e).rsplit(".", 1)[-1] if isinstance(e, (cst.Name, cst.Attribute)) else ""
    return last in ("raises", "assertRaises", "assertRaisesRegex", "assert_raises", "assert_raises_regex",
                    "assertRaisesRegexp")


def string_value(e: Any) -> Optional[str]:
    """The text of a string literal (plain or implicitly concatenated), else None."""
    try:
        if isinstance(e, cst.SimpleString):
            v = pyast.literal(e.value)
        elif isinstance(e, cst.ConcatenatedString):
            left, right = string_value(e.left), string_value(e.right)
            v = left + right if left is not None and right is not None else None
        else:
            return None
    except Exception:  # noqa: BLE001
        return None
    return v if isinstance(v, str) else None


# methods that change a list, dict or set in place
_MUTATORS = frozenset({"append", "extend", "insert", "add", "update", "setdefault", "pop", "popitem", "remove",
                       "discard", "clear", "__setitem__"})


@functools.lru_cache(maxsize=512)
def mutated_globals(source: str) -> frozenset:
    """The module-level names whose contents the file's functions change in place
    (``_model_default_cfgs[name] = cfg``, ``_registry.append(fn)``): registries that code run at
    import time elsewhere (decorators of other files) may have filled. (By the source, with
    ``ast``: a file every model of a zoo imports is read once per process.)"""
    try:
        tree = pyast.parse(source)  # (one thread at a time: CPython 3.11's ast is not thread-safe)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return frozenset()
    out: set = set()
    for fn in ast.walk(tree):
        if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        a = fn.args
        local = {p.arg for p in [*a.posonlyargs, *a.args, *a.kwonlyargs]}
        found: set = set()
        for node in ast.walk(fn):
            targets: list = []
            if isinstance(node, ast.Assign):
                local.update(t.id for t in node.targets if isinstance(t, ast.Name))
                targets = node.targets
            elif isinstance(node, ast.AugAssign):
                targets = [node.target]
            elif isinstance(node, ast.Delete):
                targets = node.targets
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and isinstance(
                    node.func.value, ast.Name) and node.func.attr in _MUTATORS:
                found.add(node.func.value.id)
            found.update(t.value.id for t in targets if isinstance(t, ast.Subscript) and isinstance(t.value, ast.Name))
        out.update(found - local)
    return frozenset(out)
