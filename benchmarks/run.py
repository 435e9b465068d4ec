"""Time shapecheck against the LibCST parse floor.

    python benchmarks/run.py [FOLDER ...] [--repeat N] [--top K]

For the Python files under each FOLDER (default: examples/, and ../shared/cases beside the
checkout when it is there):
  - cold: one ``python -m shapecheck check`` process over the folder, wall clock (interpreter
    start, imports, discovery, analysis, output), the bare start-up (``--version``), and a check
    of a one-line file (start-up plus importing the engine);
  - per file, in one process: ``engine.check_source`` (parse + analysis + positions) against
    ``libcst.parse_module`` alone (the floor: shapecheck parses each file once), best of N;
  - lines per second for both, the ratio, and the slowest files.
Numbers only: nothing here asserts a time.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def best_of(fn, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def cold(folder: str) -> tuple:
    cmd = [sys.executable, "-m", "shapecheck"]
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    t0 = time.perf_counter()
    subprocess.run(cmd + ["--version"], capture_output=True, env=env, check=True)
    start = time.perf_counter() - t0
    with tempfile.TemporaryDirectory() as tmp:  # start-up + importing the engine (sympy, LibCST, ops)
        Path(tmp, "empty.py").write_text("import torch\n")
        t0 = time.perf_counter()
        subprocess.run(cmd + ["check", "--isolated", "--no-cache", str(Path(tmp, "empty.py"))], capture_output=True, env=env,
                       check=True)
        one = time.perf_counter() - t0
    t0 = time.perf_counter()
    done = subprocess.run(cmd + ["check", "--isolated", "--no-cache", "--exit-zero", "--statistics", folder], capture_output=True,
                          env=env, text=True)
    total = time.perf_counter() - t0
    if done.returncode != 0:
        raise SystemExit(f"shapecheck failed on {folder}: {done.stderr.strip()}")
    return start, one, total


def per_file(files: list, repeat: int) -> list:
    import libcst as cst

    from shapecheck.engine import check_source

    rows = []
    for f in files:
        src = Path(f).read_text(encoding="utf-8", errors="replace")
        lines = src.count("\n") + 1
        parse = best_of(lambda src=src: cst.parse_module(src), repeat)
        check = best_of(lambda src=src, f=f: check_source(src, f), repeat)
        rows.append((f, lines, parse, check))
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folders", nargs="*")
    ap.add_argument("--repeat", type=int, default=3, help="best of N for the per-file timings")
    ap.add_argument("--top", type=int, default=5, help="how many of the slowest files to list")
    args = ap.parse_args()
    folders = args.folders or [str(ROOT / "examples")] + (
        [str(ROOT.parent / "shared" / "cases")] if (ROOT.parent / "shared" / "cases").is_dir() else [])

    from shapecheck.discover import iter_files

    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores")
    for folder in folders:
        files = list(iter_files([folder]))
        if not files:
            print(f"\n{folder}: no Python files")
            continue
        start, one, total = cold(folder)
        rows = per_file(files, args.repeat)
        lines = sum(r[1] for r in rows)
        parse = sum(r[2] for r in rows)
        check = sum(r[3] for r in rows)
        print(f"\n{folder}: {len(files)} files, {lines} lines")
        print(f"  cold `shapecheck check`: {total:.2f} s wall (start-up {start:.2f} s; with the engine's imports, "
              f"on a one-line file, {one:.2f} s)")
        print(f"  LibCST parse only:       {parse * 1000:8.1f} ms  {lines / parse:10.0f} lines/s")
        print(f"  shapecheck per file:     {check * 1000:8.1f} ms  {lines / check:10.0f} lines/s"
              f"  ({check / parse:.1f}x the parse floor)")
        print("  slowest files (check ms / parse ms):")
        for f, n, p, c in sorted(rows, key=lambda r: -r[3])[:args.top]:
            print(f"    {c * 1000:8.1f} / {p * 1000:6.1f}  {n:6d} lines  {os.path.relpath(f)}")


if __name__ == "__main__":
    main()
