"""The pre-commit hook for real: ``pre-commit try-repo <this checkout> shapecheck`` in a temp repo.

pre-commit builds the hook's own environment with pip (libcst, sympy, typer from PyPI, the
package from this checkout, uncommitted changes included). Skipped only when pre-commit or git
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

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def git_env(tmp_path_factory) -> dict:
    pytest.importorskip("pre_commit")
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    if not (ROOT / ".git").exists():
        pytest.skip("this checkout is not a git repository (try-repo needs one)")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT", "VIRTUAL_ENV"))}
    env.update(GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.invalid", GIT_COMMITTER_NAME="t",
               GIT_COMMITTER_EMAIL="t@example.invalid", GIT_CONFIG_NOSYSTEM="1",
               HOME=str(tmp_path_factory.mktemp("home")),
               # one hook environment for the module's tests, built once
               PRE_COMMIT_HOME=str(tmp_path_factory.mktemp("pre-commit-home")))
    env.pop("PYTHONPATH", None)
    return env


def try_repo(repo: Path, env: dict, *files: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), "shapecheck",
                           "--verbose", "--files", *files],
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


def test_hook_fails_on_a_shape_bug_and_passes_clean_files(repo, git_env):
    bad = try_repo(repo, git_env, "models/bad.py", "models/good.py", "notes.txt")
    output = bad.stdout + bad.stderr
    assert bad.returncode == 1, output[-3000:]
    assert "models/bad.py:4:5: SHP101 " in output
    assert "Failed" in output

    good = try_repo(repo, git_env, "models/good.py", "notes.txt")
    output = good.stdout + good.stderr
    assert good.returncode == 0, output[-3000:]
    assert "Passed" in output


def test_hook_honours_the_users_config(repo, git_env):
    (repo / "pyproject.toml").write_text("[tool.shapecheck]\nexclude = ['models/bad.py']\n")
    done = try_repo(repo, git_env, "models/bad.py")
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
