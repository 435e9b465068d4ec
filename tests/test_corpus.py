"""Real code nobody here wrote: model sources shipped in PyPI wheels must check clean.

The wheels are fetched with ``pip download --no-deps`` (never installed) into a cache folder
(``SHAPECHECK_CORPUS_DIR``, default ``~/.cache/shapecheck-corpus``) and unzipped.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks import corpus
from shapecheck.discover import iter_files
from shapecheck.engine import check_path


def unpacked(requirement: str, name: str) -> Path:
    """The unzipped wheel of ``requirement`` (downloaded once); skips where it cannot be had."""
    try:
        return corpus.unpacked(requirement, name)
    except corpus.Unavailable as e:
        pytest.skip(str(e))


def findings(folder: Path) -> tuple:
    files = list(iter_files([str(folder)]))
    diags = [d for f in files for d in check_path(f)]
    return files, diags


# (requirement, wheel name, folder inside the wheel, at least this many files)
CORPORA = [
    ("torchvision==0.29.1", "torchvision", "torchvision/models", 50),
    ("keras==3.15.1", "keras", "keras/src/applications", 15),
]


@pytest.mark.parametrize("requirement,name,folder,at_least", CORPORA, ids=[c[0] for c in CORPORA])
def test_model_sources_check_clean(requirement: str, name: str, folder: str, at_least: int):
    root = unpacked(requirement, name) / folder
    files, diags = findings(root)
    assert len(files) >= at_least
    bad = [f"{d.path}:{d.line}: {d.code} {d.message}" for d in diags if d.severity in ("error", "warning")]
    assert not bad, "\n".join(bad)
    skipped = [f"{d.path}:{d.line}: {d.message}" for d in diags if d.code == "SHP901"]
    assert not skipped, "\n".join(skipped)
