"""Every rule's documentation and examples are its tests (Fixit/ruff style).

For each rule from ``shapecheck.rule.all_rules()``: the docstring has the three sections, every
``VALID`` snippet is clean, and every ``INVALID`` snippet reports exactly its ``# E:`` anchors
(the golden anchor syntax, parsed by ``tests/test_golden.py``). A new rule needs no new test.
"""
from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pytest

from shapecheck.engine import check_source
from shapecheck.rule import all_rules


def _golden_harness():
    """``tests/test_golden.py`` by path: works whatever pytest's import mode or rootdir."""
    name = "shapecheck_tests_golden_harness"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name("test_golden.py"))
        assert spec is not None and spec.loader is not None
        mod = importlib.util.module_from_spec(spec)
        sys.modules[name] = mod
        spec.loader.exec_module(mod)
    return sys.modules[name]


golden = _golden_harness()

RULES = all_rules()
SECTIONS = ("## What it does", "## Why is this bad?", "## Example")
# Rules whose only triggers are APIs not analyzed yet may have no examples (none at present:
# the Keras rules SHP602/SHP701/SHP702 have theirs).
NOT_YET_ANALYZED: set = set()
# No snippet can trigger SHP901 by design (a budget too large for a snippet, internal errors
# get fixed): a VALID example only.
NO_INVALID = {"SHP901"}
# Examples that are right but that the engine does not meet yet: (code, kind, index) -> why.
# Non-strict xfails: an XPASS means the entry can go.
KNOWN_GAPS: dict = {}


def _examples(kind: str) -> list:
    out = []
    for rule in RULES:
        for i, src in enumerate(getattr(rule, kind)):
            gap = KNOWN_GAPS.get((rule.CODE, kind, i))
            marks = [pytest.mark.xfail(reason=gap, strict=False)] if gap else []
            out.append(pytest.param(rule, i, src, id=f"{rule.CODE}-{kind}-{i}", marks=marks))
    return out


def _found(rule, source: str) -> dict:
    """Line -> sorted codes: errors and warnings, plus this rule's own findings at any severity
    (so an info rule like SHP901 can be tested too)."""
    out: dict = {}
    for d in check_source(source, f"<{rule.CODE} example>"):
        if d.severity in ("error", "warning") or d.code == rule.CODE:
            out.setdefault(d.line, []).append(d)
    return out


def _describe(found: dict) -> str:
    return "\n".join(f"  line {line}: {d.code} {d.message}" for line, ds in sorted(found.items()) for d in ds) or "  nothing"


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.CODE)
def test_rule_docs(rule) -> None:
    doc = rule.doc()
    assert doc.strip(), f"{rule.CODE} has no docstring"
    for section in SECTIONS:
        assert section in doc, f"{rule.CODE} docstring lacks {section!r}"
    positions = [doc.index(s) for s in SECTIONS]
    assert positions == sorted(positions), f"{rule.CODE}: sections out of order"
    for section, nxt in zip(SECTIONS, SECTIONS[1:] + ("\0",)):
        body = doc.split(section, 1)[1].split(nxt, 1)[0].strip()
        assert body, f"{rule.CODE}: section {section!r} is empty"
    example = doc.split("## Example", 1)[1]
    assert "```" in example, f"{rule.CODE}: the example section has no code block"
    assert re.fullmatch(r"SHP\d{3}", rule.CODE)
    assert re.fullmatch(r"[a-z]+(-[a-z]+)*", rule.NAME)
    assert rule.SEVERITY in ("error", "warning", "info")


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.CODE)
def test_rule_has_examples(rule) -> None:
    if rule.CODE in NOT_YET_ANALYZED:
        pytest.skip("no analyzed API triggers this rule yet")
    assert rule.VALID, f"{rule.CODE} has no VALID example"
    assert rule.INVALID or rule.CODE in NO_INVALID, f"{rule.CODE} has no INVALID example"
    for src in rule.INVALID:
        codes = {c for a in golden.parse_anchors(src).values() for c in a.codes}
        assert rule.CODE in codes, f"{rule.CODE}: an INVALID example does not anchor {rule.CODE}:\n{src}"


def test_codes_are_unique() -> None:
    codes = [r.CODE for r in RULES]
    names = [r.NAME for r in RULES]
    assert len(codes) == len(set(codes)) and len(names) == len(set(names))


@pytest.mark.parametrize("rule,index,source", _examples("VALID"))
def test_valid_example(rule, index: int, source: str) -> None:
    found = _found(rule, source)
    assert not found, f"{rule.CODE} VALID[{index}] reports:\n{_describe(found)}\n---\n{source}"


@pytest.mark.parametrize("rule,index,source", _examples("INVALID"))
def test_invalid_example(rule, index: int, source: str) -> None:
    anchors = golden.parse_anchors(source)
    found = _found(rule, source)
    problems = []
    for line in sorted(set(found) | {n for n, a in anchors.items() if a.codes}):
        want = anchors[line].codes if line in anchors else []
        have = sorted(d.code for d in found.get(line, []))
        if want != have:
            problems.append(f"line {line}: expected {want}, got {have}")
        for sub in anchors[line].messages if line in anchors else []:
            if not any(sub in d.message for d in found.get(line, [])):
                problems.append(f"line {line}: no message contains {sub!r}")
    assert not problems, (f"{rule.CODE} INVALID[{index}]: " + "; ".join(problems)
                          + f"\nreported:\n{_describe(found)}\n---\n{source}")


def _all_examples() -> list:
    return [pytest.param(rule, i, src, id=f"{rule.CODE}-{kind}-{i}")
            for rule in RULES for kind in ("VALID", "INVALID") for i, src in enumerate(getattr(rule, kind))]


@pytest.mark.parametrize("rule,index,source", _all_examples())
def test_example_matches_frameworks(rule, index: int, source: str, tmp_path: Path) -> None:
    """The examples are true of torch/numpy: the golden oracle runs each one for real."""
    pytest.importorskip("torch")
    pytest.importorskip("numpy")
    try:
        compile(source, "<example>", "exec")
    except SyntaxError:
        return  # SHP900's examples do not parse: nothing to run
    if "keras" in source or "tensorflow" in source:
        pytest.importorskip("tensorflow")
    path = tmp_path / f"{rule.CODE.lower()}_example_{index}.py"
    path.write_text(source, encoding="utf-8")
    problems = golden.oracle_problems(path)
    assert not problems, f"{rule.CODE} example contradicted by the frameworks:\n" + "\n".join(problems) + f"\n---\n{source}"



def test_file_level_noqa():
    from shapecheck.engine import check_source

    body = "import torch\na = torch.randn(3, 4)\nc = a @ torch.randn(5, 4)\nd = torch.cat([a, torch.randn(3, 2)])\n"
    assert [d.code for d in check_source(body)] == ["SHP102", "SHP202"]
    assert check_source("# shapecheck: noqa\n" + body) == []
    assert [d.code for d in check_source("# shapecheck: noqa: SHP102\n" + body)] == ["SHP202"]
    assert [d.code for d in check_source(body + "# shapecheck: noqa: SHP2\n")] == ["SHP102"]  # a prefix, anywhere
    stale = check_source("# shapecheck: noqa: SHP102, SHP301\n" + body)
    assert [(d.code, d.line) for d in stale] == [("SHP100", 1), ("SHP202", 5)]
    # not on a line of its own: a plain comment, not file-wide
    assert [d.code for d in check_source(body.replace("(5, 4)\n", "(5, 4)  # shapecheck: noqa\n"))] == ["SHP102",
                                                                                                       "SHP202"]
