"""``check --since REV`` in a real temporary git repository."""
from __future__ import annotations

import shutil
import subprocess

import pytest

from shapecheck.cli import run

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

OLD = "import torch\n\na = torch.randn(3, 4)\nold = a @ torch.randn(5, 4)\n"


def git(cwd, *args):
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=cwd, check=True,
                   capture_output=True)


@pytest.fixture
def repo(tmp_path, monkeypatch):
    git(tmp_path, "init", "-q")
    (tmp_path / "m.py").write_text(OLD)
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "old")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def codes_lines(out: str) -> list:
    return [line.split(": ", 1)[0] for line in out.splitlines() if ": SHP" in line]


def test_only_the_new_buggy_line_is_reported(repo, capsys):
    (repo / "m.py").write_text(OLD + "new = torch.cat([a, torch.randn(3, 2)])\n")
    git(repo, "commit", "-qam", "new")
    assert run(["check", "m.py"]) == 1
    assert codes_lines(capsys.readouterr().out) == ["m.py:4:7", "m.py:5:7"]
    assert run(["check", "m.py", "--since", "HEAD~1"]) == 1
    assert codes_lines(capsys.readouterr().out) == ["m.py:5:7"]
    assert run(["check", "m.py", "--since", "HEAD"]) == 0  # nothing changed since HEAD
    assert "All checks passed!" in capsys.readouterr().out
    git(repo, "checkout", "-q", "--detach")  # a CI checkout of a pull request
    assert run(["check", "m.py", "--since", "HEAD~1"]) == 1
    assert codes_lines(capsys.readouterr().out) == ["m.py:5:7"]


def test_uncommitted_edits_and_new_files_count(repo, capsys):
    (repo / "m.py").write_text("# a line above\n" + OLD)  # the old finding moves: not changed
    (repo / "n.py").write_text(OLD)  # untracked: every finding is new
    assert run(["check", ".", "--since", "HEAD", "--output-format", "json-lines"]) == 1
    out = capsys.readouterr().out
    import json
    got = [(o["path"], o["line"]) for o in map(json.loads, out.splitlines())]
    assert got == [("n.py", 4)]


def test_a_renamed_file_is_new(repo, capsys):
    git(repo, "mv", "m.py", "renamed.py")
    assert run(["check", ".", "--since", "HEAD"]) == 1
    assert codes_lines(capsys.readouterr().out) == ["renamed.py:4:7"]


def test_an_unknown_revision_is_a_usage_error(repo, capsys):
    assert run(["check", ".", "--since", "no-such-branch"]) == 2
    err = capsys.readouterr().err
    assert "--since: unknown revision 'no-such-branch'" in err and "\n" == err[-1] and err.count("\n") == 1


def test_outside_a_repository(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    (tmp_path / "m.py").write_text(OLD)
    assert run(["check", ".", "--since", "HEAD"]) == 2
    assert "--since:" in capsys.readouterr().err
