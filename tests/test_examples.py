"""examples/: each `# bug:` line is reported and nothing else is; each program does for real what
the checker says (the buggy ones raise a shape error under torch/numpy, the clean ones run)."""
from __future__ import annotations

import os
import runpy
from pathlib import Path

import pytest

from shapecheck.engine import check_path

EXAMPLES = sorted((Path(__file__).resolve().parent.parent / "examples").glob("*.py"))


def bug_lines(path: Path) -> list:
    return [i for i, line in enumerate(path.read_text().splitlines(), 1) if "# bug:" in line]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_findings_are_the_marked_bugs(path):
    found = [(d.line, d.code) for d in check_path(str(path))]
    assert [line for line, _ in found] == bug_lines(path), found
    assert all(code.startswith("SHP") for _, code in found)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_examples_run_as_the_checker_says(path):
    text = path.read_text()
    if "keras" in text:
        os.environ.setdefault("KERAS_BACKEND", "torch")  # Keras 3 on the torch CPU build
        pytest.importorskip("keras")
    if "torch" in text:
        pytest.importorskip("torch")
    pytest.importorskip("numpy")
    if bug_lines(path):
        with pytest.raises((RuntimeError, ValueError)):
            runpy.run_path(str(path), run_name="__main__")
    else:
        runpy.run_path(str(path), run_name="__main__")


def test_there_are_buggy_and_clean_examples():
    assert sum(1 for p in EXAMPLES if bug_lines(p)) >= 4
    assert sum(1 for p in EXAMPLES if not bug_lines(p)) >= 3
