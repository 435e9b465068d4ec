"""ruff and mypy over shapecheck/ and rules/, with the configuration in pyproject.toml.

They run inside the test suite, so the README's one test command (the line .ci/run runs) is
also the lint step. When the guards were added, files written before them still had errors;
``RUFF_LEFT``/``MYPY_LEFT`` list how many per file, as a ratchet: a file may never get *more*
errors than listed (a new file: none), and a fixed file should be taken off the list. Lower
these numbers as the files are cleaned; never raise them.
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

RUFF_LEFT = {
    "shapecheck/dims.py": 5,
    "shapecheck/engine.py": 1,
    "shapecheck/findings.py": 2,
    "shapecheck/imports.py": 1,
    "shapecheck/ops/common.py": 8,
    "shapecheck/ops/registry.py": 3,
    "shapecheck/ops/tensor.py": 5,
    "shapecheck/ops/tensor_shape.py": 12,
    "shapecheck/ops/tensorflow_ops.py": 3,
    "shapecheck/shapes.py": 7,
    "shapecheck/summary.py": 3,
    "shapecheck/values.py": 5,
}

MYPY_LEFT = {
    "shapecheck/engine.py": 6,
    "shapecheck/ops/registry.py": 10,
    "shapecheck/ops/tensor.py": 31,
    "shapecheck/ops/tensor_shape.py": 20,
    "shapecheck/ops/tensorflow_ops.py": 24,
    "shapecheck/positions.py": 1,
    "shapecheck/summary.py": 2,
    "shapecheck/values.py": 1,
}


def _over(found: dict[str, list[str]], left: dict[str, int]) -> list[str]:
    """One line per file with more errors than it is allowed, with its errors."""
    out = []
    for path, errors in sorted(found.items()):
        if len(errors) > left.get(path, 0):
            out.append(f"{path}: {len(errors)} errors (allowed {left.get(path, 0)}):\n  " + "\n  ".join(errors))
    return out


def test_ruff():
    pytest.importorskip("ruff")
    run = subprocess.run([sys.executable, "-m", "ruff", "check", "--output-format", "json", "shapecheck", "rules"],
                         cwd=ROOT, capture_output=True, text=True)
    assert run.returncode in (0, 1), run.stderr
    found: dict[str, list[str]] = collections.defaultdict(list)
    for e in json.loads(run.stdout or "[]"):
        path = Path(os.path.relpath(e["filename"], ROOT)).as_posix()
        found[path].append(f"{e['location']['row']}: {e['code']} {e['message']}")
    over = _over(found, RUFF_LEFT)
    assert not over, "ruff found new errors:\n" + "\n".join(over)


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
    over = _over(found, MYPY_LEFT)
    assert not over, "mypy found new errors:\n" + "\n".join(over)


def test_the_ratchet_lists_only_files_that_exist():
    """A file renamed or split away must leave the lists (its successors start from zero)."""
    gone = sorted(p for p in {*RUFF_LEFT, *MYPY_LEFT} if not (ROOT / p).is_file())
    assert not gone, f"remove from tests/test_lint.py: {', '.join(gone)}"
