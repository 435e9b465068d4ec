"""ruff and mypy over shapecheck/ and rules/, with the configuration in pyproject.toml.

They run inside the test suite, so the README's one test command (the line .ci/run runs) is
also the lint step. Both must report nothing: every file of shapecheck/ and rules/ is clean.
"""
from __future__ import annotations

import collections
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _report(found: dict[str, list[str]]) -> list[str]:
    """One line per file with errors, with its errors."""
    return [f"{path}: {len(errors)} errors:\n  " + "\n  ".join(errors) for path, errors in sorted(found.items())]


def test_ruff():
    pytest.importorskip("ruff")
    run = subprocess.run([sys.executable, "-m", "ruff", "check", "--output-format", "json", "shapecheck", "rules"],
                         cwd=ROOT, capture_output=True, text=True)
    assert run.returncode in (0, 1), run.stderr
    found: dict[str, list[str]] = collections.defaultdict(list)
    for e in json.loads(run.stdout or "[]"):
        path = Path(os.path.relpath(e["filename"], ROOT)).as_posix()
        found[path].append(f"{e['location']['row']}: {e['code']} {e['message']}")
    assert not found, "ruff found errors:\n" + "\n".join(_report(found))


def test_mypy(tmp_path):
    pytest.importorskip("mypy")
    run = subprocess.run([sys.executable, "-m", "mypy", "--cache-dir", str(tmp_path / "cache"),
                          "--no-error-summary", "--hide-error-context"],
                         cwd=ROOT, capture_output=True, text=True)
    assert run.returncode in (0, 1), run.stdout + run.stderr
    found: dict[str, list[str]] = collections.defaultdict(list)
    for line in run.stdout.splitlines():
        m = re.match(r"(.+?):(\d+): error: (.*)", line)
        if m:
            found[Path(m.group(1)).as_posix()].append(f"{m.group(2)}: {m.group(3)}")
    assert not found, "mypy found errors:\n" + "\n".join(_report(found))
