"""The lint-rule base: a code, a name, a severity, the finding kinds it reports, docs, examples.

Rules live in the top-level ``rules/`` folder, shipped as ``shapecheck.rules``; each module
defines one ``Rule`` subclass. ``all_rules()`` loads them once.
"""
from __future__ import annotations

import importlib
import importlib.util
import os
import pkgutil
import sys
from typing import ClassVar, Optional


class Rule:
    """Subclass per code. ``KINDS`` are the finding kinds (by default just ``NAME``)."""

    CODE: ClassVar[str] = ""
    NAME: ClassVar[str] = ""
    SEVERITY: ClassVar[str] = "error"
    KINDS: ClassVar[tuple] = ()
    VALID: ClassVar[list] = []
    INVALID: ClassVar[list] = []

    @classmethod
    def kinds(cls) -> tuple:
        return cls.KINDS or (cls.NAME,)

    @classmethod
    def doc(cls) -> str:
        import inspect

        return inspect.cleandoc(cls.__doc__ or "")


def _load_rules_package():
    """``shapecheck.rules``: installed inside the wheel, or the top-level ``rules/`` of a checkout."""
    try:
        return importlib.import_module("shapecheck.rules")
    except ModuleNotFoundError:
        here = os.path.dirname(os.path.abspath(__file__))
        src = os.path.join(os.path.dirname(here), "rules")
        init = os.path.join(src, "__init__.py")
        if not os.path.isfile(init):
            raise
        spec = importlib.util.spec_from_file_location("shapecheck.rules", init, submodule_search_locations=[src])
        assert spec is not None and spec.loader is not None
        mod = importlib.util.module_from_spec(spec)
        sys.modules["shapecheck.rules"] = mod
        spec.loader.exec_module(mod)
        return mod


_RULES: Optional[list] = None


def all_rules() -> list:
    """Every rule class, sorted by code."""
    global _RULES
    if _RULES is None:
        pkg = _load_rules_package()
        found = []
        for info in pkgutil.iter_modules(pkg.__path__):
            mod = importlib.import_module(f"shapecheck.rules.{info.name}")
            for obj in vars(mod).values():
                if isinstance(obj, type) and issubclass(obj, Rule) and obj is not Rule and obj.CODE:
                    found.append(obj)
        _RULES = sorted(set(found), key=lambda r: r.CODE)
    return _RULES


def rule_for_kind(kind: str):
    for r in all_rules():
        if kind in r.kinds():
            return r
    return None


def rule_by_code(code: str):
    for r in all_rules():
        if r.CODE == code.upper():
            return r
    return None
