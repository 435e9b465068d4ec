"""Configuration: where it is found, what it selects, and one-line errors for bad files."""
from __future__ import annotations

import json

import pytest

from shapecheck import cli, config

MISMATCH = "import numpy as np\na = np.zeros((64, 128))\nb = np.zeros((100, 10))\nc = a @ b\n"
TRANSPOSE = "import torch\nx = torch.randn(64, 20)\nw = torch.randn(10, 20)\ny = x @ w\n"


def codes_found(capsys, *argv: str) -> tuple:
    code = cli.run(["check", "--output-format", "json", *argv])
    out, err = capsys.readouterr()
    return code, sorted((d["path"], d["code"]) for d in json.loads(out)) if code != 2 else err


@pytest.fixture
def tree(tmp_path, monkeypatch):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "a.py").write_text(MISMATCH)
    (tmp_path / "pkg" / "b.py").write_text(TRANSPOSE)
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_a.py").write_text(MISMATCH)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_no_config_checks_everything(tree, capsys):
    assert codes_found(capsys, ".") == (1, [("pkg/a.py", "SHP101"), ("pkg/b.py", "SHP102"),
                                            ("tests/test_a.py", "SHP101")])


def test_pyproject_select_ignore_exclude_per_file(tree, capsys):
    (tree / "pyproject.toml").write_text(
        "[project]\nname = 'x'\n\n[tool.shapecheck]\nselect = ['SHP1']\nignore = ['SHP102']\n"
        "exclude = ['legacy']\n\n[tool.shapecheck.per-file-ignores]\n'tests/*' = ['SHP101']\n")
    (tree / "legacy").mkdir()
    (tree / "legacy" / "old.py").write_text(MISMATCH)
    assert codes_found(capsys, ".") == (1, [("pkg/a.py", "SHP101")])


def test_config_is_found_from_a_subfolder(tree, capsys, monkeypatch):
    (tree / "pyproject.toml").write_text("[tool.shapecheck]\nignore = ['SHP101']\n")
    monkeypatch.chdir(tree / "pkg")
    assert codes_found(capsys, ".") == (1, [("b.py", "SHP102")])
    # and from the checked paths when the cwd is elsewhere
    monkeypatch.chdir(tree.parent)
    code, found = codes_found(capsys, str(tree / "pkg"))
    assert [c for _, c in found] == ["SHP102"]


def test_per_file_ignores_globs_are_relative_to_the_config(tree, capsys, monkeypatch):
    (tree / "pyproject.toml").write_text("[tool.shapecheck.per-file-ignores]\n'pkg/a.py' = ['SHP1']\n")
    monkeypatch.chdir(tree / "pkg")
    assert codes_found(capsys, "a.py", "b.py") == (1, [("b.py", "SHP102")])


def test_shapecheck_toml_wins_over_pyproject(tree, capsys):
    (tree / "pyproject.toml").write_text("[tool.shapecheck]\nignore = ['SHP101']\n")
    (tree / "shapecheck.toml").write_text("ignore = ['SHP102']\n")
    assert codes_found(capsys, "pkg") == (1, [("pkg/a.py", "SHP101")])


def test_pyproject_without_table_is_passed_over(tree, capsys):
    (tree / "pkg" / "pyproject.toml").write_text("[project]\nname = 'inner'\n")
    (tree / "pyproject.toml").write_text("[tool.shapecheck]\nignore = ['SHP102']\n")
    assert codes_found(capsys, "pkg") == (1, [("pkg/a.py", "SHP101")])


def test_cli_select_replaces_and_ignore_adds(tree, capsys):
    (tree / "shapecheck.toml").write_text("select = ['SHP101']\nignore = ['SHP5']\n")
    assert codes_found(capsys, "--select", "SHP102", "pkg") == (1, [("pkg/b.py", "SHP102")])
    assert codes_found(capsys, "--ignore", "SHP101", "pkg") == (0, [])


def test_explicit_config_and_isolated(tree, capsys):
    (tree / "shapecheck.toml").write_text("ignore = ['SHP1']\n")
    (tree / "other.toml").write_text("ignore = ['SHP101']\n")
    assert codes_found(capsys, "pkg") == (0, [])
    assert codes_found(capsys, "--config", "other.toml", "pkg") == (1, [("pkg/b.py", "SHP102")])
    assert codes_found(capsys, "--isolated", "pkg")[1] == [("pkg/a.py", "SHP101"), ("pkg/b.py", "SHP102")]


def test_pre_commit_style_run_keeps_config_excludes(tree, capsys):
    (tree / "shapecheck.toml").write_text("exclude = ['tests/*']\n")
    assert codes_found(capsys, "tests/test_a.py") == (1, [("tests/test_a.py", "SHP101")])
    assert codes_found(capsys, "--force-exclude", "tests/test_a.py") == (0, [])


@pytest.mark.parametrize("text, reason", [
    ("[tool.shapecheck]\nselct = ['SHP1']\n", "[tool.shapecheck] selct: unknown key"),
    ("[tool.shapecheck]\nper_file_ignores = {}\n", "did you mean 'per-file-ignores'?"),
    ("[tool.shapecheck]\nselect = 'SHP1'\n", "[tool.shapecheck] select: expected a list of strings, got a string"),
    ("[tool.shapecheck]\nignore = [101]\n", "[tool.shapecheck] ignore: expected a list of strings"),
    ("[tool.shapecheck]\nignore = ['E501']\n", "[tool.shapecheck] ignore: 'E501' is not a rule code"),
    ("[tool.shapecheck]\nselect = ['SHP999']\n", "[tool.shapecheck] select: 'SHP999' matches no rule"),
    ("[tool.shapecheck]\nexclude = 3\n", "[tool.shapecheck] exclude: expected a list of strings, got int"),
    ("[tool.shapecheck]\nper-file-ignores = ['x']\n", "[tool.shapecheck] per-file-ignores: expected a table"),
    ("[tool.shapecheck.per-file-ignores]\n'a.py' = ['SHPX']\n", "per-file-ignores.'a.py': 'SHPX' is not"),
    ("[tool.shapecheck]\nselect = [\n", "not valid TOML"),
])
def test_bad_config_exits_2_naming_file_and_key(tree, capsys, text, reason):
    (tree / "pyproject.toml").write_text(text)
    code = cli.run(["check", "pkg"])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1
    assert err.startswith("shapecheck: error: ") and "pyproject.toml" in err and reason in err, err


def test_bad_shapecheck_toml_names_the_bare_key(tree, capsys):
    (tree / "shapecheck.toml").write_text("selct = ['SHP1']\n")
    assert cli.run(["check", "pkg"]) == 2
    assert "shapecheck.toml: selct: unknown key" in capsys.readouterr().err


def test_enabled_codes_most_specific_wins():
    codes = ["SHP101", "SHP102", "SHP201", "SHP301"]
    assert config.enabled_codes(codes, None, ()) == set(codes)
    assert config.enabled_codes(codes, ["SHP1"], ["SHP102"]) == {"SHP101"}
    assert config.enabled_codes(codes, ["SHP102"], ["SHP1"]) == {"SHP102"}
    assert config.enabled_codes(codes, ["SHP1"], ["SHP1"]) == set()  # a tie: ignore wins
    assert config.enabled_codes(codes, ["SHP"], ["SHP1", "SHP2"]) == {"SHP301"}


@pytest.mark.parametrize("path, pattern, hit", [
    ("tests/test_a.py", "tests/*", True),
    ("tests/deep/test_b.py", "tests/*", True),
    ("pkg/test_a.py", "test_*.py", True),  # a bare name matches at any depth
    ("pkg/a.py", "**/a.py", True),
    ("a.py", "**/a.py", True),
    ("pkg/a.py", "tests/*", False),
    ("pkg/a.py", "./pkg/a.py", True),
])
def test_path_matches(tmp_path, path, pattern, hit):
    assert config.path_matches(str(tmp_path / path), pattern, str(tmp_path)) is hit


def test_extend_keys_add_to_their_base(tmp_path):
    from shapecheck import config as cfgmod

    f = tmp_path / "shapecheck.toml"
    f.write_text('select = ["SHP1"]\nextend-select = ["SHP301"]\nignore = ["SHP102"]\nextend-ignore = ["SHP5"]\n'
                 'exclude = ["a/*"]\nextend-exclude = ["b/*"]\n[extend-per-file-ignores]\n"t/*" = ["SHP2"]\n')
    cfg = cfgmod.load(str(f))
    assert cfg.select == ("SHP1", "SHP301") and cfg.ignore == ("SHP102", "SHP5")
    assert cfg.exclude == ("a/*", "b/*") and cfg.per_file_ignores == (("t/*", ("SHP2",)),)
    f.write_text('extend-select = ["SHP999x"]\n')
    with pytest.raises(cfgmod.ConfigError, match="extend-select"):
        cfgmod.load(str(f))
