"""The generic runs follow the file's own call sites (tests/golden/call_sites.py), checked
against torch: what the checker accepts runs, what it reports raises."""
from __future__ import annotations

from pathlib import Path

import pytest

from shapecheck.analysis.order import builders_first, called_names
from shapecheck.engine import check_source

torch = pytest.importorskip("torch")

SRC = (Path(__file__).parent / "golden" / "call_sites.py").read_text()


def test_what_the_checker_accepts_runs_and_what_it_reports_raises() -> None:
    ns: dict = {}
    exec(compile(SRC, "call_sites.py", "exec"), ns)  # the oracle: torch runs the fixture
    stack = ns["Stack"](4)
    out = stack(torch.zeros(2, 8, 5, 5), torch.zeros(2, 4, 5, 5))
    assert out.shape == (2, 4, 5, 5)
    with pytest.raises(RuntimeError, match="size of tensor"):
        ns["build_pair"]()(torch.zeros(3, 4))
    lines = {d.line for d in check_source(SRC, "call_sites.py") if d.severity == "error"}
    cell_forward = SRC.splitlines().index("        return self.left(x_prev) + self.right(x)") + 1
    pair_forward = SRC.splitlines().index("        return self.fa(x) + self.fb(x)  # E: SHP501") + 1
    assert cell_forward not in lines and pair_forward in lines


class _Item:
    def __init__(self, name: str) -> None:
        self.name = name


def _order(calls: dict, names: tuple) -> list:
    return [i.name for i in builders_first([_Item(n) for n in names], calls)]


def test_builders_come_first_and_a_cycle_is_cut_once() -> None:
    source = (
        "class Inner:\n    pass\n"
        "class Outer:\n    def __init__(self):\n        self.a = Inner()\n"
        "def make():\n    return Outer()\n"
        "def a():\n    return b()\n"
        "def b():\n    return a()\n"
    )
    calls = called_names(source)
    assert "Inner" in calls["Outer"] and "Outer" in calls["make"]
    order = _order(calls, ("Inner", "Outer", "make", "a", "b"))
    assert order == ["make", "Outer", "Inner", "b", "a"]  # a cycle: cut where the search meets it
    assert called_names("def broken(:\n") == {}


def test_a_class_handed_to_a_factory_is_built_by_the_caller() -> None:
    """``build_model_with_cfg(MlpMixer, ...)`` and ``block_layer=MixerBlock`` build those classes."""
    source = (
        "class Block:\n    pass\n"
        "class Net:\n    def __init__(self, block_layer=Block):\n        self.b = block_layer()\n"
        "def factory(cls, **kw):\n    return cls(**kw)\n"
        "def net_small(**kw):\n    return factory(Net, **kw)\n"
    )
    calls = called_names(source)
    assert "Net" in calls["net_small"] and "Block" in calls["Net"]
    order = _order(calls, ("Block", "Net", "factory", "net_small"))
    assert order.index("net_small") < order.index("Net") < order.index("Block")


def test_statement_by_statement_is_the_whole_file_walk_on_real_files() -> None:
    """``called_names`` parses each top-level statement on its own (remembered by its text): on every
    file of timm's models it gives what one walk of the whole file gives, with and without
    ``wanted``, first and again from what it remembers; what it remembers stays bounded."""
    import ast
    from pathlib import Path

    from benchmarks import corpus
    from shapecheck.analysis import order

    try:
        root = corpus.unpacked("timm==1.0.31", "timm") / "timm" / "models"
    except corpus.Unavailable as e:
        pytest.skip(str(e))
    files = sorted(Path(root).glob("*.py"))
    assert len(files) > 100
    for f in files:
        text = f.read_text(encoding="utf-8")
        whole = order._called_names(ast.parse(text))
        wanted = {n for n in whole if n.startswith(("_", "V", "R", "B"))}
        for _ in range(2):
            assert called_names(text) == whole, f
            got = called_names(text, wanted)
            assert got == {} or got == {k: v & wanted for k, v in whole.items()}, f
        assert order._kept <= order.UNITS_KEPT and len(order._UNITS) > 0
