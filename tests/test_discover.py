"""Which files a run checks: .gitignore (nested, negated, anchored), the usual excludes, globs."""
from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from shapecheck.discover import Excluder, iter_files, parse_gitignore


def make(root, *paths: str) -> None:
    for p in paths:
        full = root / p
        full.parent.mkdir(parents=True, exist_ok=True)
        full.write_text("x = 1\n")


def found(paths, **kwargs) -> list:
    return [p.replace(os.sep, "/") for p in iter_files([str(p) for p in paths], **kwargs)]


@pytest.fixture
def cwd(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_sorted_walk_relative_paths_and_python_files_only(cwd):
    make(cwd, "b.py", "a.py", "sub/c.py", "sub/z/d.py", "notes.txt", "stub.pyi", "aa/e.py")
    assert found(["."]) == ["a.py", "b.py", "aa/e.py", "sub/c.py", "sub/z/d.py"]
    assert found(["sub"]) == ["sub/c.py", "sub/z/d.py"]
    assert found([cwd / "sub"]) == [str(cwd / "sub/c.py").replace(os.sep, "/"), str(cwd / "sub/z/d.py").replace(os.sep, "/")]


def test_default_excludes(cwd):
    make(cwd, "ok.py", ".venv/lib/x.py", "venv/y.py", "build/b.py", "dist/d.py", "node_modules/n.py",
         "__pycache__/c.py", ".git/hooks/h.py", "pkg.egg-info/e.py", "lib/site-packages/s.py", ".tox/t.py")
    assert found(["."]) == ["ok.py"]


def test_explicit_files_are_always_checked_once(cwd):
    make(cwd, ".venv/x.py", "build/b.py", "a.py", "notes.txt")
    assert found([".venv/x.py", "build/b.py", "a.py", "./a.py", "notes.txt"]) == [
        ".venv/x.py", "build/b.py", "a.py", "notes.txt"]


def test_gitignore_root_and_nested(cwd):
    (cwd / ".gitignore").write_text("# comment\n*.gen.py\n/top_only.py\ndata/\n!keep.gen.py\n")
    make(cwd, "a.py", "x.gen.py", "keep.gen.py", "top_only.py", "sub/top_only.py", "data/d.py",
         "sub/data/d2.py", "sub/b.py", "sub/secret.py", "sub/inner/secret.py", "sub/inner/c.py")
    (cwd / "sub" / ".gitignore").write_text("secret.py\n/inner/c.py\n")
    assert found(["."]) == ["a.py", "keep.gen.py", "sub/b.py", "sub/top_only.py"]


def test_gitignore_negation_cannot_reach_inside_an_ignored_folder(cwd):
    (cwd / ".gitignore").write_text("gen/\n!gen/keep.py\nlogs/*\n!logs/keep.py\n")
    make(cwd, "gen/keep.py", "logs/keep.py", "logs/drop.py")
    assert found(["."]) == ["logs/keep.py"]


def test_gitignore_double_star_and_dir_only(cwd):
    (cwd / ".gitignore").write_text("**/fixtures/**\nfoo/**/bar.py\nonlydir/\n")
    make(cwd, "a/fixtures/f.py", "fixtures/g.py", "foo/bar.py", "foo/x/y/bar.py", "foo/baz.py",
         "onlydir/o.py", "x/onlydir/o.py")
    (cwd / "onlydir.py").write_text("")
    assert found(["."]) == ["onlydir.py", "foo/baz.py"]


def test_gitignore_of_the_repository_applies_to_a_subfolder_run(cwd):
    (cwd / ".git").mkdir()
    (cwd / ".gitignore").write_text("generated/\n*_pb2.py\n")
    make(cwd, "src/generated/g.py", "src/m_pb2.py", "src/m.py")
    assert found(["src"]) == ["src/m.py"]
    # .git/info/exclude counts too
    (cwd / ".git" / "info").mkdir()
    (cwd / ".git" / "info" / "exclude").write_text("m.py\n")
    assert found(["src"]) == []


def test_gitignore_above_an_unrelated_folder_is_not_read(tmp_path, monkeypatch):
    (tmp_path / ".gitignore").write_text("*.py\n")  # no .git: this folder is no repository
    make(tmp_path, "proj/a.py")
    monkeypatch.chdir(tmp_path / "proj")
    assert found(["."]) == ["a.py"]


def test_no_gitignore_option(cwd):
    (cwd / ".gitignore").write_text("*.py\n")
    make(cwd, "a.py")
    assert found(["."]) == []
    assert found(["."], respect_gitignore=False) == ["a.py"]


def test_exclude_globs(cwd):
    make(cwd, "a.py", "legacy/old.py", "pkg/legacy/old2.py", "pkg/gen_x.py", "pkg/y.py", "tests/t.py")
    assert found(["."], exclude=["legacy", "gen_*.py", "tests/*"]) == ["a.py", "pkg/y.py"]
    assert found(["."], exclude=["pkg/legacy"]) == ["a.py", "legacy/old.py", "pkg/gen_x.py", "pkg/y.py", "tests/t.py"]


def test_excludes_relative_to_their_own_folder(cwd):
    make(cwd, "proj/pkg/a.py", "proj/pkg/b.py")
    excl = Excluder([("pkg/a.py", str(cwd / "proj"))])
    assert found(["proj"], exclude=excl) == ["proj/pkg/b.py"]


def test_force_exclude_applies_to_named_files(cwd):
    make(cwd, "legacy/old.py", ".venv/x.py", "a.py")
    assert found(["legacy/old.py", ".venv/x.py", "a.py"], exclude=["legacy"], force_exclude=True) == ["a.py"]


def test_symlinked_duplicates_are_checked_once(cwd):
    make(cwd, "real/a.py")
    try:
        os.symlink(cwd / "real" / "a.py", cwd / "link.py")
    except OSError:
        pytest.skip("no symlinks here")
    assert found(["."]) == ["link.py"]


@pytest.mark.parametrize("pattern, path, hit", [
    ("*.py", "a/b.py", True),
    ("/a.py", "a.py", True),
    ("/a.py", "x/a.py", False),
    ("a/b.py", "a/b.py", True),
    ("a/b.py", "x/a/b.py", False),
    ("a?.py", "ab.py", True),
    ("[ab].py", "b.py", True),
    ("[!ab].py", "b.py", False),
    ("\\#x.py", "#x.py", True),
    ("**/x.py", "x.py", True),
    ("**/x.py", "a/b/x.py", True),
    ("a/**", "a/b/c.py", True),
    ("a/**/c.py", "a/c.py", True),
])
def test_gitignore_pattern(pattern, path, hit):
    (rule,) = parse_gitignore(pattern + "\n")
    assert bool(rule.regex.match(path)) is hit


def test_a_folder_named_explicitly_is_walked_even_if_git_ignores_it(cwd):
    (cwd / ".git").mkdir()
    (cwd / ".gitignore").write_text("scratch/\n")
    make(cwd, "scratch/s.py", "a.py")
    assert found(["."]) == ["a.py"]
    assert found(["scratch"]) == ["scratch/s.py"]
    assert found(["scratch"], force_exclude=True) == []


_TREE = ("a.py", "ab.py", "b.py", "c.py", "bx.py", "dx.py", "#x.py", "!x.py", "]x.py", "-x.py", "[x.py", "x.py",
         "foo bar.py", "a/b.py", "a/c.py", "a/x.py", "a/b/c.py", "a/b/x.py", "a/b/d/e.py", "a/x/b.py", "b/c.py",
         "x/a.py", "x/a/b.py", "x/b/c.py", "aXb.py", "keep/k.py", "keep/drop.py")
_PATTERNS = ["*.py", "/a.py", "a/b.py", "a?.py", "[ab].py", "[!ab].py", "[a-c]x.py", "\\#x.py", "\\!x.py", "**/x.py",
             "a/**", "a/**/c.py", "a**b.py", "a***b.py", "***/x.py", "a/*", "*/b.py", "b/", "/b/", "b/*.py", "x.py/",
             "**/b/**", "a/**/", "[]]x.py", "[\\]]x.py", "[!]]x.py", "[a-]x.py", "[a\\-c]x.py", "*[", "foo bar.py",
             "a/b/**/*.py", "keep/*\n!keep/k.py", "keep/\n!keep/k.py", "*.py\n!a/\n!a/*.py"]


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
@pytest.mark.parametrize("patterns", _PATTERNS)
def test_gitignore_walk_agrees_with_git(tmp_path, monkeypatch, patterns):
    """The files a walk keeps are the untracked files git does not ignore, for each pattern."""
    make(tmp_path, *_TREE)
    (tmp_path / ".gitignore").write_text(patterns + "\n")
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    listed = subprocess.run(["git", "ls-files", "--others", "--exclude-standard", "-z"], cwd=tmp_path, check=True,
                            capture_output=True, text=True).stdout.split("\0")
    monkeypatch.chdir(tmp_path)
    assert sorted(found(["."])) == sorted(p for p in listed if p.endswith(".py"))
