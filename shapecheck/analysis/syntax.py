"""Small readers of LibCST syntax the analysis needs (dotted names, decorators, handlers)."""
from __future__ import annotations

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


def mutated_globals(module: cst.Module) -> set:
    """The module-level names whose contents the file's functions change in place
    (``_model_default_cfgs[name] = cfg``, ``_registry.append(fn)``): registries that code run at
    import time elsewhere (decorators of other files) may have filled."""
    out: set = set()

    class Finder(cst.CSTVisitor):
        def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
            local = {p.name.value for p in [*node.params.params, *node.params.kwonly_params,
                                            *node.params.posonly_params]}
            found: set = set()

            class Inner(cst.CSTVisitor):
                def visit_AssignTarget(self, t: cst.AssignTarget) -> None:
                    if isinstance(t.target, cst.Name):
                        local.add(t.target.value)
                    elif isinstance(t.target, cst.Subscript) and isinstance(t.target.value, cst.Name):
                        found.add(t.target.value.value)

                def visit_AugAssign(self, a: cst.AugAssign) -> None:
                    if isinstance(a.target, cst.Subscript) and isinstance(a.target.value, cst.Name):
                        found.add(a.target.value.value)

                def visit_Del(self, d: cst.Del) -> None:
                    if isinstance(d.target, cst.Subscript) and isinstance(d.target.value, cst.Name):
                        found.add(d.target.value.value)

                def visit_Call(self, c: cst.Call) -> None:
                    f = c.func
                    if isinstance(f, cst.Attribute) and isinstance(f.value, cst.Name) and f.attr.value in _MUTATORS:
                        found.add(f.value.value)

            node.body.visit(Inner())
            out.update(found - local)

    module.visit(Finder())
    return out
