"""docs/rules/ is generated from the rules' docstrings and must match them."""
from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _load_gen_docs():
    """scripts/gen_docs.py is a maintainer tool outside the package: loaded from its file."""
    spec = importlib.util.spec_from_file_location("gen_docs", ROOT / "scripts" / "gen_docs.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


docs = _load_gen_docs()


def test_generated_rule_docs_are_up_to_date():
    folder = ROOT / "docs" / "rules"
    expected = docs.render()
    actual = {p.name: p.read_text(encoding="utf-8") for p in folder.glob("*.md")} if folder.is_dir() else {}
    stale = sorted(name for name in expected.keys() | actual.keys() if expected.get(name) != actual.get(name))
    assert not stale, f"docs/rules is out of date ({', '.join(stale)}): run `python scripts/gen_docs.py`"


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

    rule = rule_by_code("SHP102")
    assert rule is not None and rule.summary().startswith("Checks matrix products that would fit")


def test_the_runtime_does_not_import_the_docs_generator():
    """The generator uses the CLI; the CLI and the formats must not need the generator."""
    import shapecheck

    assert not (Path(shapecheck.__file__).parent / "docs.py").exists()


def test_readme_blocks_are_up_to_date(monkeypatch):
    """The rule table and the examples' output in README.md are what the code says now."""
    monkeypatch.chdir(ROOT)
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    for block in ("intro-output", "examples-output", "summary-output", "rule-table"):
        assert f"<!-- begin: {block} -->" in text
    assert docs.refresh_readme(text, docs.readme_blocks()) == text, \
        "README.md is out of date: run `python scripts/gen_docs.py`"


def test_readme_set_up_commands_are_what_ci_runs():
    """The README's test command is the line .ci/run runs."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    commands = [line for line in readme.splitlines() if line.startswith("python3 -m venv .venv && ")]
    assert len(commands) == 2
    assert commands[0].endswith("shapecheck check examples/")
    assert commands[1] in ci.splitlines()
    assert 'torch==2.13.0' in commands[1] and '".[test]"' in commands[1]


def test_the_ci_recipes_use_flags_that_exist():
    """Every `shapecheck check` line of docs/ci.md parses with the real command's options, and the
    install line is the README's placeholder form (no URL invented)."""
    import argparse
    import re
    import shlex

    from shapecheck import cli

    text = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    subs = next(a for a in cli.build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    options = {o: a for a in subs.choices["check"]._actions for o in a.option_strings}
    code = "\n".join(re.findall(r"```\w*\n(.*?)```", text, re.S))  # the recipes, not the prose
    lines = [line.split("shapecheck check", 1)[1].split("|")[0].strip().rstrip("\\")
             for line in code.splitlines() if "shapecheck check " in line and not line.lstrip().startswith("#")]
    assert len(lines) >= 6
    formats = set()
    for line in lines:
        words = shlex.split(re.sub(r"\$\{\{[^}]*\}\}", "REV", line).strip("`"))
        for i, word in enumerate(words):
            if word.startswith("-"):
                assert word in options, f"docs/ci.md: `shapecheck check {line}`: no option {word}"
                if word == "--output-format":
                    formats.add(words[i + 1])
    assert {"sarif", "github", "rdjson", "gitlab", "junit"} <= formats
    assert formats <= {f.value for f in cli.OutputFormat}
    installs = set(re.findall(r'pip install "git\+[^"]*"', text))
    assert installs == {'pip install "git+<url of this repository>"'}
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert 'pip install "git+<url of this repository>"' in readme and "(docs/ci.md)" in readme
