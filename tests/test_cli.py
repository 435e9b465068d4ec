"""The command line as a user meets it: output lines, formats, selection, exit status, errors."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from shapecheck import cli

ROOT = Path(__file__).resolve().parent.parent
RULES_MD = ROOT.parent / "shared" / "RULES.md"

# SHP101: 128 != 100, no transpose fits. SHP102: x @ w fits as x @ w.T.
MISMATCH = "import numpy as np\na = np.zeros((64, 128))\nb = np.zeros((100, 10))\nc = a @ b\n"
TRANSPOSE = "import torch\nx = torch.randn(64, 20)\nw = torch.randn(10, 20)\ny = x @ w\n"
CLEAN = "import numpy as np\na = np.zeros((64, 128))\nb = np.zeros((128, 10))\nc = a @ b\n"
LINE = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<code>SHP\d{3}) (?P<msg>.+)$")
CONTRACT_KEYS = {"code", "name", "severity", "message", "path", "line", "column", "end_line", "end_column", "fix"}


def run(capsys, *argv: str) -> tuple:
    """The program in-process: (exit status, stdout, stderr)."""
    code = cli.run(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def subprocess_env() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A folder with one file of each kind, as the cwd (no configuration above it counts)."""
    (tmp_path / "mismatch.py").write_text(MISMATCH)
    (tmp_path / "transpose.py").write_text(TRANSPOSE)
    (tmp_path / "clean.py").write_text(CLEAN)
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_text_lines_and_count(project, capsys):
    code, out, err = run(capsys, "check", "mismatch.py", "transpose.py", "clean.py")
    lines = out.splitlines()
    found = [LINE.match(line) for line in lines[:-1]]
    assert all(found), lines
    assert [(m["path"], m["line"], m["col"], m["code"]) for m in found] == [
        ("mismatch.py", "4", "5", "SHP101"), ("transpose.py", "4", "5", "SHP102")]
    assert "128" in found[0]["msg"] and "100" in found[0]["msg"]
    assert lines[-1] == "Found 2 errors in 3 files checked."
    assert code == 1 and err == ""


def test_clean_exits_zero(project, capsys):
    code, out, _ = run(capsys, "check", "clean.py")
    assert code == 0
    assert out.strip() == "All checks passed! (1 file checked)"


def test_folder_is_walked_in_sorted_order_and_paths_stay_relative(project, capsys):
    code, out, _ = run(capsys, "check", ".")
    paths = [LINE.match(line)["path"] for line in out.splitlines()[:-1]]
    assert paths == ["mismatch.py", "transpose.py"]
    assert out.splitlines()[-1] == "Found 2 errors in 3 files checked."
    assert code == 1


def test_default_path_is_the_current_folder(project, capsys):
    code, out, _ = run(capsys, "check")
    assert code == 1 and "3 files checked" in out


def test_exit_zero(project, capsys):
    code, out, _ = run(capsys, "check", "--exit-zero", "mismatch.py")
    assert code == 0 and "SHP101" in out


def test_quiet_prints_findings_only(project, capsys):
    code, out, _ = run(capsys, "check", "-q", "mismatch.py", "clean.py")
    assert code == 1
    assert len(out.splitlines()) == 1 and out.startswith("mismatch.py:4:5: SHP101 ")
    code, out, _ = run(capsys, "check", "--quiet", "clean.py")
    assert code == 0 and out == ""


def test_statistics(project, capsys):
    code, out, _ = run(capsys, "check", "--statistics", ".")
    assert code == 1
    assert [line.split("\t") for line in out.splitlines()] == [
        ["1", "SHP101", "matmul-mismatch"], ["1", "SHP102", "missing-transpose"]]
    code, out, _ = run(capsys, "check", "--statistics", "--output-format", "json", ".")
    assert json.loads(out) == [{"code": "SHP101", "name": "matmul-mismatch", "count": 1},
                               {"code": "SHP102", "name": "missing-transpose", "count": 1}]


def test_json_is_the_contract(project, capsys):
    code, out, _ = run(capsys, "check", "--output-format", "json", "mismatch.py", "transpose.py", "clean.py")
    data = json.loads(out)
    assert code == 1
    assert [set(d) for d in data] == [CONTRACT_KEYS, CONTRACT_KEYS]
    first, second = data
    assert (first["code"], first["name"], first["severity"], first["path"]) == (
        "SHP101", "matmul-mismatch", "error", "mismatch.py")
    assert (first["line"], first["column"], first["end_line"], first["end_column"]) == (4, 5, 4, 10)
    assert first["fix"] is None or set(first["fix"]) == {"description", "replacement"}
    assert second["code"] == "SHP102"
    assert all(isinstance(d[k], int) and d[k] >= 1 for d in data for k in ("line", "column", "end_line", "end_column"))


def test_json_clean_is_an_empty_array(project, capsys):
    code, out, _ = run(capsys, "check", "--output-format", "json", "clean.py")
    assert code == 0 and json.loads(out) == []


def test_github_annotations(project, capsys):
    code, out, _ = run(capsys, "check", "--output-format", "github", "mismatch.py", "clean.py")
    assert code == 1
    assert out.startswith("::error title=shapecheck (SHP101),file=mismatch.py,line=4,col=5,endLine=4,endColumn=10::SHP101 ")
    assert len(out.splitlines()) == 1


def test_sarif_output_parses(project, capsys):
    code, out, _ = run(capsys, "check", "--output-format", "sarif", "mismatch.py")
    log = json.loads(out)
    assert code == 1 and log["version"] == "2.1.0"
    (result,) = log["runs"][0]["results"]
    assert result["ruleId"] == "SHP101"
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "mismatch.py"


@pytest.mark.parametrize("flags, codes", [
    (["--select", "SHP102"], ["SHP102"]),
    (["--select", "shp1"], ["SHP101", "SHP102"]),
    (["--ignore", "SHP101"], ["SHP102"]),
    (["--ignore", "SHP1"], []),
    (["--ignore", "SHP1", "--select", "SHP102"], ["SHP102"]),  # the more specific selector wins
    (["--select", "SHP101,SHP102", "--ignore", "SHP102"], ["SHP101"]),
    (["--select", "SHP3"], []),
])
def test_select_and_ignore(project, capsys, flags, codes):
    code, out, _ = run(capsys, "check", "--output-format", "json", *flags, ".")
    assert [d["code"] for d in json.loads(out)] == codes
    assert code == (1 if codes else 0)


def test_exclude_flag(project, capsys):
    code, out, _ = run(capsys, "check", "--exclude", "mismatch.py", "--exclude", "trans*", ".")
    assert code == 0 and "1 file checked" in out


def test_explicit_file_is_checked_even_when_excluded_unless_forced(project, capsys):
    code, out, _ = run(capsys, "check", "--exclude", "mismatch.py", "mismatch.py")
    assert code == 1
    code, out, _ = run(capsys, "check", "--exclude", "mismatch.py", "--force-exclude", "mismatch.py")
    assert code == 0 and "0 files checked" in out


def test_syntax_error_is_a_finding(project, capsys):
    (project / "broken.py").write_text("def f(:\n    pass\n")
    code, out, _ = run(capsys, "check", "broken.py")
    assert code == 1
    assert re.match(r"broken\.py:\d+:\d+: SHP900 ", out)


def test_stdin(project, capsys, monkeypatch):
    import io

    monkeypatch.setattr(sys, "stdin", io.StringIO(MISMATCH))
    code, out, _ = run(capsys, "check", "--stdin-filename", "models/x.py", "-")
    assert code == 1 and out.startswith("models/x.py:4:5: SHP101 ")


def test_info_findings_do_not_fail_the_run(project, capsys, monkeypatch):
    from shapecheck import engine
    from shapecheck.findings import Diagnostic

    def fake(path, opts=None, display=None):
        return [Diagnostic("SHP901", "analysis-skipped", "info", "function f not analyzed: budget", path, 1, 1, 1, 1)]

    monkeypatch.setattr(engine, "check_path", fake)
    code, out, _ = run(capsys, "check", "clean.py")
    assert code == 0
    assert out.splitlines() == ["clean.py:1:1: SHP901 function f not analyzed: budget",
                                "All checks passed! (1 file checked) (1 note)"]


@pytest.mark.parametrize("argv, reason", [
    (["check", "--bogus", "."], "--bogus"),
    (["check", "does-not-exist.py"], "no such file or directory: does-not-exist.py"),
    (["check", "--output-format", "xml", "."], "--output-format"),
    (["check", "--select", "SHP8", "."], "--select: 'SHP8' matches no rule"),
    (["check", "--ignore", "E501", "."], "--ignore: 'E501' is not a rule code"),
    (["check", "--config", "nope.toml", "."], "--config: no such file: nope.toml"),
    (["rule", "SHP999"], "unknown rule 'SHP999'"),
    (["frobnicate"], "No such command"),
])
def test_usage_errors_exit_2_with_one_line(project, capsys, argv, reason):
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert len(err.strip().splitlines()) == 1, err
    assert err.startswith("shapecheck: error: ") and reason in err
    assert "Traceback" not in err + out


def test_internal_error_exits_2_with_one_line(project, capsys, monkeypatch):
    from shapecheck import discover

    def boom(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(discover, "iter_files", boom)
    code, out, err = run(capsys, "check", ".")
    assert code == 2
    assert err.strip() == "shapecheck: error: internal error: RuntimeError: disk on fire"


def test_rule_prints_docs(capsys):
    code, out, _ = run(capsys, "rule", "SHP102")
    assert code == 0
    assert out.startswith("# SHP102 missing-transpose (error)")
    assert "## What it does" in out and "## Example" in out
    code, out2, _ = run(capsys, "rule", "shp102")
    assert out2 == out


def test_rule_all_lists_every_code(capsys):
    from shapecheck.rule import all_rules

    code, out, _ = run(capsys, "rule", "all")
    listed = [line.split()[0] for line in out.splitlines()]
    assert code == 0 and listed == [r.CODE for r in all_rules()]
    code, out, _ = run(capsys, "rule", "SHP2")
    assert code == 0 and all(line.startswith("SHP2") for line in out.splitlines())


@pytest.mark.skipif(not RULES_MD.is_file(), reason="../shared/RULES.md is not beside this checkout")
def test_every_code_of_rules_md_has_a_rule():
    from shapecheck.rule import all_rules

    table = dict(re.findall(r"^\| (SHP\d{3}) \| ([a-z0-9-]+) \|", RULES_MD.read_text(), re.M))
    ours = {r.CODE: r.NAME for r in all_rules()}
    assert table and ours == table


def test_help_names_every_option(capsys):
    code, out, _ = run(capsys, "check", "--help")
    assert code == 0
    for flag in ("--output-format", "--select", "--ignore", "--exclude", "--config", "--isolated",
                 "--force-exclude", "--exit-zero", "--statistics", "--quiet", "--stdin-filename", "--jobs",
                 "--fix", "--unsafe-fixes", "--diff"):
        assert flag in out
    for fmt in ("text", "full", "json", "github", "sarif"):
        assert fmt in out


def test_version(capsys):
    from shapecheck import __version__

    code, out, _ = run(capsys, "--version")
    assert code == 0 and out.strip() == f"shapecheck {__version__}"


def test_python_dash_m_and_the_console_script_are_one_program(project):
    """Out of process: same stdout and exit status, and errors stay one line."""
    argv = ["check", "mismatch.py", "clean.py"]
    by_module = subprocess.run([sys.executable, "-m", "shapecheck", *argv], capture_output=True, text=True,
                               env=subprocess_env(), cwd=project)
    assert by_module.returncode == 1 and "mismatch.py:4:5: SHP101" in by_module.stdout
    script = Path(sys.executable).with_name("shapecheck")
    if script.exists():
        by_script = subprocess.run([str(script), *argv], capture_output=True, text=True, cwd=project)
        assert (by_script.returncode, by_script.stdout) == (by_module.returncode, by_module.stdout)
    bad = subprocess.run([sys.executable, "-m", "shapecheck", "check", "--nope"], capture_output=True, text=True,
                         env=subprocess_env(), cwd=project)
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1 and "Traceback" not in bad.stderr


def test_fix_and_diff(project, capsys):
    """--diff prints what --fix would change and writes nothing; --fix writes it, then reports
    what remains (tests/test_fixes.py has the rest)."""
    code, out, err = run(capsys, "check", "--diff", "mismatch.py", "transpose.py", "clean.py")
    assert code == 1 and out == ("--- transpose.py\n+++ transpose.py\n@@ -1,4 +1,4 @@\n import torch\n"
                                 " x = torch.randn(64, 20)\n w = torch.randn(10, 20)\n-y = x @ w\n+y = x @ w.T\n")
    assert err == "Would fix 1 error.\n" and (project / "transpose.py").read_text() == TRANSPOSE
    code, out, _ = run(capsys, "check", "--fix", "mismatch.py", "transpose.py", "clean.py")
    assert code == 1 and (project / "transpose.py").read_text() == TRANSPOSE.replace("x @ w", "x @ w.T")
    assert out.splitlines() == [out.splitlines()[0], "Found 2 errors in 3 files checked (1 fixed, 1 remaining)."]
    assert out.startswith("mismatch.py:4:5: SHP101 ")


def test_parallel_fix_does_what_a_serial_one_does(project, capsys):
    for i in range(12):
        (project / f"m{i:02d}.py").write_text(TRANSPOSE if i % 3 == 0 else CLEAN)
    serial = run(capsys, "check", "-j", "1", "--diff", ".")
    parallel = run(capsys, "check", "-j", "2", "--diff", ".")
    assert serial == parallel and serial[0] == 1 and serial[2].startswith("Would fix 5 errors.")
    assert run(capsys, "check", "-j", "2", "--fix", ".")[0] == 1  # mismatch.py stays
    assert run(capsys, "check", "-j", "2", "--diff", ".")[0] == 0


def test_parallel_run_prints_what_a_serial_one_does(project, capsys):
    for i in range(12):
        (project / f"m{i:02d}.py").write_text(MISMATCH if i % 3 == 0 else CLEAN)
    serial = run(capsys, "check", "-j", "1", ".")
    parallel = run(capsys, "check", "-j", "2", ".")
    assert serial == parallel
    assert serial[0] == 1 and "Found 6 errors in 15 files checked." in serial[1]


SUMMARY_KEYS = {"name", "framework", "path", "line", "layers", "total_params", "trainable_params",
                "non_trainable_params"}


def test_summary_json_is_the_contract_and_counts_like_torch(capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    code, out, err = run(capsys, "summary", "--output-format", "json", "examples/torch_convnet_clean.py")
    assert code == 0, err
    (model,) = json.loads(out)["models"]
    assert set(model) == SUMMARY_KEYS
    assert (model["framework"], model["path"]) == ("torch", "examples/torch_convnet_clean.py")
    assert all(set(layer) >= {"name", "type", "output_shape", "params"} for layer in model["layers"])
    pytest.importorskip("torch")
    import runpy

    net = runpy.run_path(str(ROOT / "examples" / "torch_convnet_clean.py"))["LeNet"]()
    assert model["total_params"] == sum(p.numel() for p in net.parameters()) == 62006


def test_summary_text_and_errors(capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    code, out, _ = run(capsys, "summary", "examples/torch_mlp_clean.py")
    assert code == 0 and "Total params:" in out and "fc1 (Linear)" in out
    code, out, err = run(capsys, "summary", "--input-shape", "a,b", "examples")
    assert code == 2 and err.startswith("shapecheck: error: --input-shape") and len(err.strip().splitlines()) == 1
    code, out, err = run(capsys, "summary", "nope.py")
    assert code == 2 and "no such file or directory: nope.py" in err


@pytest.mark.parametrize("command", [[], ["check"], ["summary"], ["rule"], ["server"]])
def test_help_shows_no_type_labels(command, capsys):
    """``--select CODES`` and bare flags, as ruff and click print them; never ``<list[str]>``/``<bool>``."""
    from shapecheck.cli import run

    assert run(command + ["--help"]) == 0
    out = capsys.readouterr().out
    assert "--help" in out
    for label in ("<bool>", "<list[str]>", "<str>", "<int>"):
        assert label not in out, (command, label)


@pytest.mark.parametrize("typo,meant", [("--sel", "--select"), ("--ignor", "--ignore"), ("--fx", "--fix"),
                                        ("--output-fromat", "--output-format")])
def test_an_unknown_flag_names_the_nearest_real_one(typo, meant, capsys):
    from shapecheck.cli import run

    assert run(["check", "x.py", typo]) == 2
    err = capsys.readouterr().err
    assert f"no such option {typo} (did you mean {meant}?)" in err and "--help`)" in err
    assert "--help," not in err  # (click's list offered --help for --sel)


def test_a_folder_without_python_files_is_a_warning_and_nothing_checked_exits_2(tmp_path, monkeypatch, capsys):
    from shapecheck.cli import run

    monkeypatch.chdir(tmp_path)
    (tmp_path / "empty").mkdir()
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "m.py").write_text("x = 1\n")
    assert run(["check", "empty"]) == 2
    err = capsys.readouterr().err
    assert "warning: no Python files found under empty" in err and "error: no Python files found" in err
    assert run(["check", "empty", "src"]) == 0  # something was checked: a warning only
    captured = capsys.readouterr()
    assert "no Python files found under empty" in captured.err and "1 file checked" in captured.out
    assert run(["check", "src", "--exclude", "*.py"]) == 0  # excluded on purpose is not "none found"
    assert "warning" not in capsys.readouterr().err


def test_a_symlink_loop_named_on_the_command_line_says_so(tmp_path, capsys):
    from shapecheck.cli import run

    (tmp_path / "a.py").symlink_to(tmp_path / "b.py")
    (tmp_path / "b.py").symlink_to(tmp_path / "a.py")
    (tmp_path / "c.py").symlink_to(tmp_path / "gone.py")
    assert run(["check", str(tmp_path / "a.py")]) == 2
    assert "a symlink loop: " in capsys.readouterr().err
    assert run(["check", str(tmp_path / "c.py")]) == 2
    assert "a broken symlink: " in capsys.readouterr().err


def test_the_summary_line_counts_the_files_the_excludes_left_out(tmp_path, monkeypatch, capsys):
    """Files left out by exclude/extend-exclude, --exclude and .gitignore are counted (those inside an
    excluded folder too); the default excludes (.venv, build, ...) are not; no count, no words."""
    monkeypatch.chdir(tmp_path)
    for f in ("a.py", "b.py", "legacy/old.py", "legacy/deep/older.py", "legacy/notes.txt", "gen_x.py", "scratch.py",
              ".venv/lib/v.py", "build/b.py", "out/o.py"):
        (tmp_path / f).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / f).write_text(CLEAN)
    (tmp_path / "pyproject.toml").write_text('[tool.shapecheck]\nexclude = ["legacy"]\nextend-exclude = ["gen_*.py"]\n')
    (tmp_path / ".gitignore").write_text("out/\n")
    code, out, _ = run(capsys, "check", ".", "--exclude", "scratch.py")
    assert code == 0 and out.splitlines()[-1] == "All checks passed! (2 files checked, 5 excluded)"
    (tmp_path / "a.py").write_text(MISMATCH)
    code, out, _ = run(capsys, "check", ".")
    assert code == 1 and out.splitlines()[-1] == "Found 1 error in 3 files checked, 4 excluded."
    code, out, _ = run(capsys, "check", "a.py", "b.py")  # nothing walked, nothing excluded: the words as before
    assert out.splitlines()[-1] == "Found 1 error in 2 files checked."
    # the pre-commit hook's --force-exclude: a named file an exclude matches is counted
    code, out, _ = run(capsys, "check", "--force-exclude", "b.py", "gen_x.py", "legacy/old.py", ".venv/lib/v.py")
    assert code == 0 and out.splitlines()[-1] == "All checks passed! (1 file checked, 2 excluded)"
    code, out, _ = run(capsys, "check", "--isolated", ".")
    assert out.splitlines()[-1] == "Found 1 error in 6 files checked, 1 excluded."  # only .gitignore's out/o.py
