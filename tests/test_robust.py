"""A run stops cleanly and never hangs: Ctrl-C exits 130 at once with no traceback (serially and
with workers) and leaves no half-written cache entry; special files are skipped with a note."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def env() -> dict:
    e = dict(os.environ)
    e["PYTHONPATH"] = str(ROOT) + os.pathsep + e.get("PYTHONPATH", "")
    return e


def heavy_folder(folder: Path, files: int = 10, functions: int = 400) -> Path:
    """Files that take seconds to check (many small functions of tensor code)."""
    folder.mkdir(parents=True, exist_ok=True)
    for k in range(files):
        body = ["import torch", "import torch.nn as nn", ""]
        for i in range(functions):
            body += [f"def f{i}(x):", f"    w = torch.randn({i + 2}, 16)", f"    h = nn.Linear(16, {i + 3})(x @ w)",
                     f"    return torch.cat([h, h], dim=1).reshape(-1, {2 * (i + 3)})", ""]
        (folder / f"m{k}.py").write_text("\n".join(body))
    return folder


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_ctrl_c_exits_130_at_once_without_a_traceback(tmp_path, jobs):
    folder = heavy_folder(tmp_path / "src", files=24)  # (~8 s with two workers: the signal lands mid-run)
    cache = tmp_path / "cache"
    proc = subprocess.Popen([sys.executable, "-m", "shapecheck", "check", str(folder), "-j", jobs,
                             "--cache-dir", str(cache)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env())
    time.sleep(2.5)  # (imports done, files being analysed)
    assert proc.poll() is None, "the run ended before it could be interrupted: make the files heavier"
    proc.send_signal(signal.SIGINT)
    start = time.perf_counter()
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, (out, err)
    assert time.perf_counter() - start < 5
    assert "Traceback" not in err + out
    for entry in cache.glob("v*/*.json"):  # whatever was kept is whole
        json.loads(entry.read_text())
    assert not list(cache.glob("v*/.tmp-*"))
    time.sleep(0.5)
    leftovers = subprocess.run(["pgrep", "-f", f"shapecheck check {folder}"], capture_output=True, text=True)
    assert leftovers.stdout.strip() == "", "workers outlived the run"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_special_files_are_skipped_with_a_note(tmp_path):
    (tmp_path / "ok.py").write_text("import torch\nx = torch.randn(64, 20) @ torch.randn(10, 20)\n")
    os.mkfifo(tmp_path / "pipe.py")  # reading it would block forever
    (tmp_path / "folder.py").mkdir()
    (tmp_path / "folder.py" / "inner.py").write_text("x = 1\n")
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(tmp_path / "sock.py"))
    try:
        done = subprocess.run([sys.executable, "-m", "shapecheck", "check", ".", "--no-cache"], cwd=tmp_path,
                              capture_output=True, text=True, env=env(), timeout=60)
        assert done.returncode == 1, done.stderr
        assert "ok.py:2:" in done.stdout and "SHP102" in done.stdout
        assert "1 file checked" in done.stdout  # ok.py (folder.py/ is a folder named like a file: skipped)
        assert "pipe.py" in done.stderr and "sock.py" in done.stderr and "Traceback" not in done.stderr
        assert "skipped folder.py: a folder named like a Python file" in done.stderr
        walked = subprocess.run([sys.executable, "-m", "shapecheck", "check", "folder.py", "--no-cache"],
                                cwd=tmp_path, capture_output=True, text=True, env=env(), timeout=60)
        assert walked.returncode == 0 and "1 file checked" in walked.stdout, walked.stdout + walked.stderr
        named = subprocess.run([sys.executable, "-m", "shapecheck", "check", "pipe.py", "ok.py", "--no-cache"],
                               cwd=tmp_path, capture_output=True, text=True, env=env(), timeout=60)
        assert named.returncode == 1 and "pipe.py" in named.stderr and "ok.py:2:" in named.stdout
    finally:
        sock.close()


def test_a_file_that_vanishes_or_cannot_be_read_is_one_line(tmp_path):
    (tmp_path / "ok.py").write_text("import torch\nx = torch.randn(64, 20) @ torch.randn(10, 20)\n")
    locked = tmp_path / "locked.py"
    locked.write_text("x = 1\n")
    locked.chmod(0)
    try:
        if os.access(locked, os.R_OK):
            pytest.skip("running as root: permissions do not stop reading")
        done = subprocess.run([sys.executable, "-m", "shapecheck", "check", ".", "--no-cache"], cwd=tmp_path,
                              capture_output=True, text=True, env=env(), timeout=60)
        assert done.returncode == 1 and "ok.py:2:" in done.stdout and "locked.py" in done.stdout + done.stderr
        assert "Traceback" not in done.stderr
    finally:
        locked.chmod(0o644)


def test_a_file_that_vanished_after_the_walk_is_one_finding_and_the_run_goes_on(tmp_path, monkeypatch, capsys):
    from shapecheck import cli, discover

    (tmp_path / "ok.py").write_text("import torch\nx = torch.randn(64, 20) @ torch.randn(10, 20)\n")
    real = discover.iter_files

    def walk_then_vanish(*args, **kwargs):
        yield str(tmp_path / "gone.py")  # listed, then deleted before it is read
        yield from real(*args, **kwargs)

    monkeypatch.setattr(discover, "iter_files", walk_then_vanish)
    code = cli.run(["check", str(tmp_path), "--no-cache"])
    out, err = capsys.readouterr()
    assert code == 1 and "Traceback" not in out + err
    gone = [line for line in out.splitlines() if "gone.py" in line]
    assert len(gone) == 1 and "SHP900" in gone[0] and "cannot read" in gone[0]
    assert "ok.py:2:" in out
