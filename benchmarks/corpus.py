"""Model sources of PyPI wheels, downloaded (never installed) and unzipped once into a cache
folder (``SHAPECHECK_CORPUS_DIR``, default ``~/.cache/shapecheck-corpus``): the real code the
corpus tests and the mutation measure read."""
from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

CACHE = Path(os.environ.get("SHAPECHECK_CORPUS_DIR", Path.home() / ".cache" / "shapecheck-corpus"))


class Unavailable(Exception):
    """The wheel cannot be downloaded here (no network, no such version)."""


def unpacked(requirement: str, name: str) -> Path:
    """The unzipped wheel of ``requirement`` (``torchvision==0.29.1``; ``name`` is the wheel's
    file prefix), downloaded once; raises ``Unavailable`` with pip's reason."""
    dest = CACHE / requirement.replace("==", "-")
    if (dest / ".done").exists():
        return dest
    CACHE.mkdir(parents=True, exist_ok=True)
    wheels = CACHE / "wheels"
    r = subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "-q",
                        "-d", str(wheels), requirement], capture_output=True, text=True, timeout=900)
    found = sorted(wheels.glob(f"{name}-{requirement.split('==')[1]}-*.whl"))
    if r.returncode != 0 or not found:
        raise Unavailable(f"cannot download {requirement}: {r.stderr.strip()[-300:]}")
    with zipfile.ZipFile(found[0]) as z:
        z.extractall(dest)
    (dest / ".done").write_text("ok")
    return dest
