"""The guard: every registered shape rule has a table row.

For every distinct function in the registry (``FUNCS`` values) and every layer rule (``LAYERS``
values), at least one of its qualified names is the op of some row: an ``OpCase`` of a table in
any tests/ops/test_*.py module (found, not listed), or a call in the source-snippet tables of
test_keras_models.py (Lambda layers and weights, which need the interpreter). A rule counts once
however many names spell it, seen through the registry's wrappers (tests/ops/harness.py
``_unwrapped``). There is no list of exceptions: a new rule comes with its row.
"""
from __future__ import annotations

import ast
import importlib
from pathlib import Path
from types import ModuleType

import test_keras_models
from harness import OpCase, registered_targets, target_of

from shapecheck.ops import registry

# the import names the expression tables use
_ALIASES = {"tf": "tensorflow", "layers": "keras.layers", "ops": "keras.ops", "np": "numpy", "keras": "keras"}


def _called_names(expr: str) -> set[str]:
    """Qualified names of the calls in one table expression (``layers.Dense(8)`` -> keras.layers.Dense)."""
    out = set()
    for node in ast.walk(ast.parse(expr, mode="eval")):
        if isinstance(node, ast.Call):
            parts = []
            f = node.func
            while isinstance(f, ast.Attribute):
                parts.append(f.attr)
                f = f.value
            if isinstance(f, ast.Name) and f.id in _ALIASES:
                out.add(".".join([_ALIASES[f.id], *reversed(parts)]))
    return out


def _table_modules() -> list[ModuleType]:
    """Every test module of tests/ops (this one aside)."""
    here = Path(__file__).parent
    return [importlib.import_module(p.stem) for p in sorted(here.glob("test_*.py")) if p.stem != Path(__file__).stem]


def _op_cases() -> list[OpCase]:
    cases: list[OpCase] = []
    for module in _table_modules():
        for value in vars(module).values():
            if isinstance(value, list) and value and all(isinstance(c, OpCase) for c in value):
                cases.extend(value)
    return cases


def _row_names() -> set[str]:
    names = set()

    def add(x: object) -> None:
        """A row and the rows among its arguments and inputs (``Sequential([Linear(4, 8), ...])``)."""
        if isinstance(x, OpCase):
            names.add(x.name)
            add([*x.args, *x.kwargs.values(), *(x.inputs or []), *x.call_kwargs.values()])
        elif isinstance(x, (list, tuple)):
            for item in x:
                add(item)
        elif isinstance(x, dict):
            add(list(x.values()))

    for case in _op_cases():
        add(case)
    for expr, *_ in [*test_keras_models.CASES, *test_keras_models.WEIGHTS]:
        names |= _called_names(expr)
    return names


def _missing() -> list[str]:
    covered = {t for t in (target_of(n) for n in _row_names()) if t is not None}
    return sorted(names[0] for target, names in registered_targets().items() if target not in covered)


def test_every_registered_rule_has_a_row() -> None:
    missing = _missing()
    assert not missing, f"{len(missing)} registered rules have no table row (one name each):\n" + "\n".join(missing)


def test_the_guard_counts_functions_and_layers() -> None:
    """A guard for the guard: it sees the whole registry and the rows of every table."""
    targets = registered_targets()
    assert sum(len(names) for names in targets.values()) == len(registry.FUNCS) + len(registry.LAYERS)
    assert len(targets) > 400
    names = _row_names()
    assert {"torch.cat", "torch.nn.Conv2d", "tensorflow.matmul", "keras.ops.matmul", "keras.layers.Dense"} <= names
