"""Real code nobody here wrote: model sources shipped in PyPI wheels must check clean.

The wheels are fetched with ``pip download --no-deps`` (never installed) into a cache folder
(``SHAPECHECK_CORPUS_DIR``, default ``~/.cache/shapecheck-corpus``) and unzipped.
"""
from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from shapecheck.discover import iter_files
from shapecheck.engine import check_path

CACHE = Path(os.environ.get("SHAPECHECK_CORPUS_DIR", Path.home() / ".cache" / "shapecheck-corpus"))


def unpacked(requirement: str, name: str) -> Path:
    """The unzipped wheel of ``requirement`` (downloaded once)."""
    dest = CACHE / requirement.replace("==", "-")
    if (dest / ".done").exists():
        return dest
    CACHE.mkdir(parents=True, exist_ok=True)
    wheels = CACHE / "wheels"
    r = subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "-q",
                        "-d", str(wheels), requirement], capture_output=True, text=True, timeout=900)
    found = sorted(wheels.glob(f"{name}-{requirement.split('==')[1]}-*.whl"))
    if r.returncode != 0 or not found:
        pytest.skip(f"cannot download {requirement}: {r.stderr.strip()[-300:]}")
    with zipfile.ZipFile(found[0]) as z:
        z.extractall(dest)
    (dest / ".done").write_text("ok")
    return dest


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
