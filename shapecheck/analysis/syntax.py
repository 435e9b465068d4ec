"""Small readers of LibCST syntax the analysis needs (dotted names, decorators, handlers)."""
from __future__ import annotations

from typing import Any, Optional

import libcst as cst


def _dotted(e: Any) -> str:
    if isinstance(e, cst.Name):
        return e.value
    if isinstance(e, cst.Attribute):
        return f"{_dotted(e.value)}.{e.attr.value}"
    return "?"


def _alias_name(alias: cst.ImportAlias) -> str:
    if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
        return alias.asname.name.value
    return _dotted(alias.name).split(".")[-1]


def _is_main_guard(test: cst.BaseExpression) -> bool:
    return (isinstance(test, cst.Comparison) and isinstance(test.left, cst.Name) and test.left.value == "__name__")


def _decorator_names(fn: cst.FunctionDef) -> set:
    out = set()
    for d in fn.decorators:
        x = d.decorator
        if isinstance(x, cst.Call):
            x = x.func
        out.add(_dotted(x).split(".")[-1])
    return out


def _is_static(fn: cst.FunctionDef) -> bool:
    return "staticmethod" in _decorator_names(fn)


def _is_classmethod(fn: cst.FunctionDef) -> bool:
    return "classmethod" in _decorator_names(fn)


def _is_property(fn: cst.FunctionDef) -> bool:
    return bool({"property", "cached_property"} & _decorator_names(fn))


def _broad_handler(h: cst.ExceptHandler) -> bool:
    if h.type is None:
        return True
    names = []
    t = h.type
    if isinstance(t, cst.Tuple):
        names = [_dotted(el.value) for el in t.elements]
    else:
        names = [_dotted(t)]
    return any(n.split(".")[-1] in ("Exception", "BaseException", "RuntimeError", "ValueError", "IndexError",
                                    "InvalidArgumentError", "TypeError") for n in names)


def _expects_error(e: cst.BaseExpression) -> bool:
    """``pytest.raises(...)``, ``self.assertRaises(...)``, ``np.testing.assert_raises(...)``."""
    if isinstance(e, cst.Call):
        e = e.func
    last = _dotted(e).rsplit(".", 1)[-1] if isinstance(e, (cst.Name, cst.Attribute)) else ""
    return last in ("raises", "assertRaises", "assertRaisesRegex", "assert_raises", "assert_raises_regex",
                    "assertRaisesRegexp")


def _string_value(e: Any) -> Optional[str]:
    try:
        v = e.evaluated_value
    except Exception:  # noqa: BLE001
        return None
    return v if isinstance(v, str) else None
