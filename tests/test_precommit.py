"""The pre-commit hook for real: ``pre-commit try-repo <this checkout> shapecheck`` in a temp repo.

pre-commit builds the hook's own environment with pip (libcst, sympy, pygls from PyPI, the
package from this checkout, uncommitted changes included): twice per run, ~30 s each with pip's cache warm. Skipped only when pre-commit or git
is missing, or this checkout is no git repository.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BUGGY = "import numpy as np\na = np.zeros((64, 128))\nb = np.zeros((100, 10))\nc = a @ b\n"
CLEAN = "import numpy as np\na = np.zeros((64, 128))\nb = np.zeros((128, 10))\nc = a @ b\n"

pytestmark = pytest.mark.slow  # ~1 min: two hook environments built by pip


@pytest.fixture(scope="module")
def git_env(tmp_path_factory) -> dict:
    pytest.importorskip("pre_commit")
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    if not (ROOT / ".git").exists():
        pytest.skip("this checkout is not a git repository (try-repo needs one)")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT", "VIRTUAL_ENV"))}
    # HOME stays (pip's download cache lives there); the user's git config does not count
    env.update(GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.invalid", GIT_COMMITTER_NAME="t",
               GIT_COMMITTER_EMAIL="t@example.invalid", GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=os.devnull,
               PRE_COMMIT_HOME=str(tmp_path_factory.mktemp("pre-commit-home")))
    env.pop("PYTHONPATH", None)
    return env


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory, git_env) -> tuple:
    """This checkout as it is now (uncommitted and untracked-not-ignored files too) committed in a
    scratch repo: every try-repo then names one (repo, rev) and pre-commit builds the hook's
    environment once, not once per call as it does for a dirty work tree."""
    files = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                           env=git_env, check=True, capture_output=True).stdout.decode().split("\0")
    dest = tmp_path_factory.mktemp("hook-repo")
    for name in filter(None, files):
        src = ROOT / name
        if src.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / name)
    subprocess.run(["git", "init", "-q", str(dest)], check=True, env=git_env)
    subprocess.run(["git", "add", "-A"], cwd=dest, check=True, env=git_env)
    subprocess.run(["git", "commit", "-q", "-m", "snapshot"], cwd=dest, check=True, env=git_env)
    rev = subprocess.run(["git", "rev-parse", "HEAD"], cwd=dest, check=True, env=git_env, capture_output=True,
                         text=True).stdout.strip()
    return dest, rev


def try_repo(repo: Path, env: dict, snapshot: tuple, *files: str) -> subprocess.CompletedProcess:
    """``pre-commit try-repo``: builds the hook's environment in a store of its own, every call."""
    hook_repo, rev = snapshot
    return subprocess.run([sys.executable, "-m", "pre_commit", "try-repo", str(hook_repo), "shapecheck",
                           "--ref", rev, "--verbose", "--files", *files],
                          cwd=repo, env=env, capture_output=True, text=True, timeout=900)


def run_hook(repo: Path, env: dict, snapshot: tuple, *files: str) -> subprocess.CompletedProcess:
    """``pre-commit run`` with a .pre-commit-config.yaml naming the same (repo, rev): the store in
    PRE_COMMIT_HOME keeps the environment, so it is built once for the module."""
    hook_repo, rev = snapshot
    (repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {hook_repo.as_posix()}\n    rev: {rev}\n    hooks:\n      - id: shapecheck\n")
    return subprocess.run([sys.executable, "-m", "pre_commit", "run", "shapecheck", "--verbose", "--files", *files],
                          cwd=repo, env=env, capture_output=True, text=True, timeout=900)


@pytest.fixture
def repo(tmp_path, git_env) -> Path:
    path = tmp_path / "user-repo"
    path.mkdir()
    subprocess.run(["git", "init", "-q", str(path)], check=True, env=git_env)
    (path / "models").mkdir()
    (path / "models" / "bad.py").write_text(BUGGY)
    (path / "models" / "good.py").write_text(CLEAN)
    (path / "notes.txt").write_text("not python\n")
    subprocess.run(["git", "add", "-A"], cwd=path, check=True, env=git_env)
    subprocess.run(["git", "commit", "-q", "-m", "init"], cwd=path, check=True, env=git_env)
    return path


def test_try_repo_fails_on_a_shape_bug_only(repo, git_env, snapshot):
    done = try_repo(repo, git_env, snapshot, "models/bad.py", "models/good.py", "notes.txt")
    output = done.stdout + done.stderr
    assert done.returncode == 1, output[-3000:]
    assert "models/bad.py:4:5: SHP101 " in output
    assert "models/good.py" not in output.replace("--files", "")
    assert "Failed" in output


def test_hook_passes_clean_files(repo, git_env, snapshot):
    done = run_hook(repo, git_env, snapshot, "models/good.py", "notes.txt")
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-3000:]
    assert "Passed" in output


def test_hook_honours_the_users_config(repo, git_env, snapshot):
    assert run_hook(repo, git_env, snapshot, "models/bad.py").returncode == 1
    (repo / "pyproject.toml").write_text("[tool.shapecheck]\nexclude = ['models/bad.py']\n")
    done = run_hook(repo, git_env, snapshot, "models/bad.py")
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]


def test_manifest_is_valid():
    pytest.importorskip("pre_commit")
    done = subprocess.run([sys.executable, "-m", "pre_commit", "validate-manifest", str(ROOT / ".pre-commit-hooks.yaml")],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    text = (ROOT / ".pre-commit-hooks.yaml").read_text()
    for line in ("- id: shapecheck", "entry: shapecheck check --force-exclude", "language: python", "types_or: [python, jupyter]"):
        assert line in text
