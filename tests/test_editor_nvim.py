"""One real editor: Neovim, headless, with its built-in LSP client, opens a buggy file and prints
the diagnostics `shapecheck server` sent it. Skipped only where `nvim` is absent (.ci/run installs
Debian's neovim)."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "tests" / "editors" / "nvim_diagnostics.lua"

pytestmark = pytest.mark.skipif(shutil.which("nvim") is None, reason="nvim is not installed")


def test_neovim_shows_the_servers_diagnostics(tmp_path: Path):
    src = tmp_path / "model.py"
    src.write_text("import torch\n\nx = torch.randn(32, 784)\nw = torch.randn(128, 784)\nh = x @ w\n")
    out = tmp_path / "diagnostics.txt"
    env = {**os.environ, "SHAPECHECK_FILE": str(src), "SHAPECHECK_OUT": str(out), "SHAPECHECK_PYTHON": sys.executable,
           "PYTHONPATH": str(ROOT), "XDG_STATE_HOME": str(tmp_path / "state"), "XDG_DATA_HOME": str(tmp_path / "data"),
           "XDG_CONFIG_HOME": str(tmp_path / "config"), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    proc = subprocess.run(["nvim", "--headless", "-u", "NONE", "-i", "NONE", "--noplugin", "-c", f"luafile {SCRIPT}"],
                          env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert out.exists(), proc.stderr
    lines = out.read_text().splitlines()
    assert lines == ["5:5: SHP102 @ of (32, 784) and (128, 784): contracted sizes differ, 784 != 128; "
                     "did you mean w.T?"], (lines, proc.stderr)
