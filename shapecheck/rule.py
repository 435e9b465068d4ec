"""The lint-rule base: a code, a name, a severity, the finding kinds it reports, docs, examples.

Rules live in the top-level ``rules/`` folder of the repository (the layout users asked for), one
module per code, each defining one ``Rule`` subclass. They are always imported under the name
``shapecheck.rules``:

- installed (a wheel, or ``pip install -e .``), ``[tool.setuptools.package-dir]`` in
  pyproject.toml maps ``shapecheck.rules`` to ``rules/``, so a plain import finds them;
- in a bare checkout that was never installed (``python -m shapecheck`` from the repository
  root), there is no such mapping, and ``_load_rules_package`` imports ``rules/__init__.py``
  from beside the ``shapecheck`` folder under the same name, with importlib's documented
  ``spec_from_file_location`` recipe.

``all_rules()`` loads them once and indexes them by code and by finding kind.
"""
from __future__ import annotations

import importlib
import importlib.util
import inspect
import os
import pkgutil
import sys
from types import ModuleType
from typing import ClassVar, Optional


class Rule:
    """Subclass per code. ``KINDS`` are the finding kinds (by default just ``NAME``);
    ``SUPERSEDES`` names kinds of other rules that this rule replaces where both are found on
    the same node (SHP102 missing-transpose is a more specific SHP101 matmul-mismatch)."""

    CODE: ClassVar[str] = ""
    NAME: ClassVar[str] = ""
    SEVERITY: ClassVar[str] = "error"
    KINDS: ClassVar[tuple[str, ...]] = ()
    SUPERSEDES: ClassVar[tuple[str, ...]] = ()
    VALID: ClassVar[list[str]] = []
    INVALID: ClassVar[list[str]] = []

    @classmethod
    def kinds(cls) -> tuple[str, ...]:
        return cls.KINDS or (cls.NAME,)

    @classmethod
    def doc(cls) -> str:
        return inspect.cleandoc(cls.__doc__ or "")

    @classmethod
    def summary(cls) -> str:
        """The first paragraph of the docstring's "What it does" section (or of the docstring):
        the one line that ``shapecheck rule all``, SARIF and the rule table show."""
        lines = cls.doc().splitlines()
        start = 0
        for i, line in enumerate(lines):
            if line.strip().lower().lstrip("#").strip() == "what it does":
                start = i + 1
                break
        para: list[str] = []
        for line in lines[start:]:
            if not line.strip() or line.lstrip().startswith("#"):
                if para:
                    break
                continue
            para.append(line.strip())
        return " ".join(para)


def _load_rules_package() -> ModuleType:
    """``shapecheck.rules``: the installed mapping of ``rules/``, or, in a checkout that was never
    installed, ``rules/__init__.py`` beside the ``shapecheck`` folder imported under that name."""
    try:
        return importlib.import_module("shapecheck.rules")
    except ModuleNotFoundError as e:
        if e.name != "shapecheck.rules":  # an import inside the rules package failed: a real error
            raise
        src = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "rules")
        init = os.path.join(src, "__init__.py")
        if not os.path.isfile(init):
            raise
        spec = importlib.util.spec_from_file_location("shapecheck.rules", init, submodule_search_locations=[src])
        assert spec is not None and spec.loader is not None
        mod = importlib.util.module_from_spec(spec)
        sys.modules["shapecheck.rules"] = mod
        spec.loader.exec_module(mod)
        return mod


class _Index:
    """The loaded rules, sorted by code, with the two look-ups every finding needs."""

    def __init__(self, rules: list[type[Rule]]) -> None:
        self.rules = rules
        self.by_code: dict[str, type[Rule]] = {}
        self.by_kind: dict[str, type[Rule]] = {}
        for r in rules:
            if r.CODE in self.by_code:
                raise RuntimeError(f"rule code {r.CODE} is defined twice: {self.by_code[r.CODE].__name__} "
                                   f"and {r.__name__}")
            self.by_code[r.CODE] = r
            for kind in r.kinds():
                if kind in self.by_kind:
                    raise RuntimeError(f"finding kind {kind!r} maps to two rules: {self.by_kind[kind].CODE} "
                                       f"and {r.CODE}")
                self.by_kind[kind] = r
        for r in rules:
            for kind in r.SUPERSEDES:
                if kind not in self.by_kind:
                    raise RuntimeError(f"{r.CODE} supersedes {kind!r}, which no rule reports")


_INDEX: Optional[_Index] = None


def _index() -> _Index:
    global _INDEX
    if _INDEX is None:
        pkg = _load_rules_package()
        found: set[type[Rule]] = set()
        for info in pkgutil.iter_modules(pkg.__path__):
            mod = importlib.import_module(f"shapecheck.rules.{info.name}")
            for obj in vars(mod).values():
                if isinstance(obj, type) and issubclass(obj, Rule) and obj is not Rule and obj.CODE:
                    found.add(obj)
        _INDEX = _Index(sorted(found, key=lambda r: r.CODE))
    return _INDEX


def all_rules() -> list[type[Rule]]:
    """Every rule class, sorted by code."""
    return _index().rules


def rule_for_kind(kind: str) -> Optional[type[Rule]]:
    """The rule that reports findings of ``kind`` (None: no rule does)."""
    return _index().by_kind.get(kind)


def rule_by_code(code: str) -> Optional[type[Rule]]:
    """The rule with this code, in any case (``shp102``)."""
    return _index().by_code.get(code.upper())
