"""The import-layering contract, checked over the AST import graph (no code is imported).

Every ``import``/``from ... import`` of shapecheck/ and rules/ counts, at module level or inside a
function (a lazy import still makes the dependency), except those under ``if TYPE_CHECKING:``,
which only annotations read and which never run. The contract (docs: the architecture
review, section 4):

- no import cycle among shapecheck's modules;
- ``shapecheck.shape_math`` is pure: it imports only the standard library, itself, and
  ``shapecheck.dims``/``shapes``/``findings`` (no libcst, no ``Call``, no framework);
- ``rules/`` (``shapecheck.rules``) imports only ``shapecheck.rule`` and the standard library;
- ``shapecheck.ops`` (the shape rules) never imports the layers above it: the interpreter
  (``analysis``, ``interpret``, ``plugins``), the engine, the CLI and the output formats.
"""
from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _modules() -> dict[str, Path]:
    """Module name -> file, for shapecheck/ and rules/ (loaded as ``shapecheck.rules``)."""
    out: dict[str, Path] = {}
    for base, pkg in ((ROOT / "shapecheck", "shapecheck"), (ROOT / "rules", "shapecheck.rules")):
        for path in sorted(base.rglob("*.py")):
            parts = list(path.relative_to(base).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            out[".".join([pkg, *parts])] = path
    return out


MODULES = _modules()


def _is_package(name: str) -> bool:
    return MODULES[name].name == "__init__.py"


def _type_checking(test: ast.expr) -> bool:
    """``TYPE_CHECKING`` or ``typing.TYPE_CHECKING``."""
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(name: str) -> set[str]:
    """Every name ``name`` imports: a module of ours where it is one, else the dotted name."""
    tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
    package = name if _is_package(name) else name.rpartition(".")[0]
    found: set[str] = set()
    typing_only = {id(n) for block in ast.walk(tree) if isinstance(block, ast.If) and _type_checking(block.test)
                   for stmt in block.body for n in ast.walk(stmt)}
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:  # `from . import dims` imports a module, `from .dims import Dim` a name
                sub = f"{target}.{alias.name}"
                found.add(sub if sub in MODULES else target)
    return found


GRAPH = {name: _imports(name) for name in MODULES}


def _ours(name: str) -> bool:
    return name == "shapecheck" or name.startswith("shapecheck.")


def _stdlib(name: str) -> bool:
    return name.split(".")[0] in sys.stdlib_module_names or name == "__future__"


def _cycles() -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in GRAPH[v]:
            if w not in MODULES:
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    for v in sorted(MODULES):
        if v not in index:
            visit(v)
    return found


def _violations(prefix: str, allowed) -> list[str]:
    return sorted(f"{mod} imports {dep}" for mod, deps in GRAPH.items()
                  if mod == prefix or mod.startswith(prefix + ".") for dep in deps if not allowed(dep))


def test_the_graph_sees_the_known_modules():
    """A guard for the guard: a broken walk would pass every contract below vacuously."""
    assert {"shapecheck.cli", "shapecheck.engine", "shapecheck.ops.registry", "shapecheck.rule",
            "shapecheck.rules.shp102_missing_transpose"} <= MODULES.keys()
    assert "shapecheck.ops.registry" in GRAPH["shapecheck.ops.tensor.operators"]
    assert "shapecheck.rule" in GRAPH["shapecheck.rules.shp102_missing_transpose"]


def test_no_import_cycles():
    assert _cycles() == []


def test_shape_math_imports_only_dims_shapes_and_findings():
    """Pure shape math: sizes (dims, sympy), shapes and ShapeError; never the syntax tree, a Call or a framework."""
    pure = {"shapecheck.dims", "shapecheck.shapes", "shapecheck.findings", "sympy"}
    assert _violations("shapecheck.shape_math", lambda d: _stdlib(d) or d in pure or d == "shapecheck.shape_math"
                       or d.startswith("shapecheck.shape_math.")) == []


def test_rules_import_only_the_rule_base():
    assert _violations("shapecheck.rules", lambda d: _stdlib(d) or d == "shapecheck.rule") == []


def test_ops_never_import_the_interpreter_engine_or_cli():
    above = ("shapecheck.analysis", "shapecheck.interpret", "shapecheck.plugins", "shapecheck.engine",
             "shapecheck.summary", "shapecheck.cli", "shapecheck.formats", "shapecheck.__main__")
    assert _violations("shapecheck.ops", lambda d: not any(d == a or d.startswith(a + ".") for a in above)) == []


def test_the_runtime_never_imports_the_test_or_maintainer_tools():
    assert _violations("shapecheck", lambda d: not (d.split(".")[0] in ("tests", "scripts")
                                                    or d == "shapecheck.docs")) == []
