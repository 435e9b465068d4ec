"""docs/rules/ is generated from the rules' docstrings and must match them."""
from __future__ import annotations

from pathlib import Path

from shapecheck import docs

ROOT = Path(__file__).resolve().parent.parent


def test_generated_rule_docs_are_up_to_date():
    folder = ROOT / "docs" / "rules"
    expected = docs.render()
    actual = {p.name: p.read_text(encoding="utf-8") for p in folder.glob("*.md")} if folder.is_dir() else {}
    stale = sorted(name for name in expected.keys() | actual.keys() if expected.get(name) != actual.get(name))
    assert not stale, f"docs/rules is out of date ({', '.join(stale)}): run `python -m shapecheck.docs`"


def test_check_mode_and_regeneration(tmp_path):
    out = str(tmp_path / "rules")
    assert docs.main(["--check", out]) == 1
    assert docs.main([out]) == 0
    assert docs.main(["--check", out]) == 0
    (tmp_path / "rules" / "SHP000.md").write_text("a rule that no longer exists")
    assert docs.main(["--check", out]) == 1
    docs.main([out])
    assert not (tmp_path / "rules" / "SHP000.md").exists()


def test_summary_is_the_first_paragraph_of_what_it_does():
    from shapecheck.rule import rule_by_code

    assert docs.summary(rule_by_code("SHP102")).startswith("Checks matrix products that would fit")
