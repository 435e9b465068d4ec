"""How fast `shapecheck check` is on real trees, cold and warm, against the LibCST parse floor.

    python -m benchmarks.speed [--trees torchvision,transformers] [--limit N] [--jobs 1,2]

For each tree (torchvision's whole package and transformers' ``models/`` folder, from the wheels
in benchmarks/corpus.py, copied to a temporary folder first so they can be touched):
  - parse: ``libcst.parse_module`` of every file, serially, in a fresh process (the floor: the
    checker parses each file once);
  - cold: ``shapecheck check --jobs N`` with an empty cache (``--cache-dir`` a new folder);
  - warm: the same command again (nothing changed: every file from the cache);
  - touched: after appending a comment to one file (that file, and the files importing it, again);
  - peak RSS of the largest process of each run (``RUSAGE_CHILDREN`` of a wrapper process: the
    main process or one worker);
and, once, the single-file warm latency: ``shapecheck check FILE`` on a file already cached,
wall clock including the interpreter's start, best of 5.
Prints a Markdown table (the README's speed section) with the ratios the targets are written in.
``--limit N`` takes the first N files of each tree (sorted), for a quicker look.
Numbers only: nothing here asserts a time.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TREES = {  # name -> (wheel, folder inside it)
    "torchvision": ("torchvision==0.29.1", "torchvision"),
    "transformers": ("transformers==5.25.0", "transformers/models"),
}
_WRAP = ("import resource, subprocess, sys, time\n"
         "t = time.perf_counter()\n"
         "done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)\n"
         "wall = time.perf_counter() - t\n"
         "print(wall, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, done.returncode)\n"
         "sys.stderr.write(done.stderr)\n")
_PARSE = ("import sys, time\nimport libcst\nfiles = sys.argv[1:]\nt = time.perf_counter()\n"
          "for f in files:\n"
          "    try:\n        libcst.parse_module(open(f, encoding='utf-8').read())\n"
          "    except Exception:\n        pass\n"
          "print(time.perf_counter() - t)\n")


def _env() -> dict:
    return dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))


def measured(cmd: list[str], cwd: str) -> tuple[float, float]:
    """(wall seconds, peak RSS in MB of the largest process) of ``cmd``."""
    out = subprocess.run([sys.executable, "-c", _WRAP, *cmd], capture_output=True, text=True, env=_env(), cwd=cwd)
    wall, rss, status = out.stdout.split()
    if int(status) not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} exited {status}: {out.stderr.strip()[-500:]}")
    return float(wall), int(rss) / 1024


def parse_floor(files: list[str], cwd: str) -> float:
    out = subprocess.run([sys.executable, "-c", _PARSE, *files], capture_output=True, text=True, env=_env(),
                         cwd=cwd, check=True)
    return float(out.stdout.strip())


def tree_copy(name: str, limit: int | None, work: str) -> tuple[str, list[str]]:
    sys.path.insert(0, str(ROOT))
    from benchmarks import corpus

    wheel, inner = TREES[name]
    src = Path(corpus.unpacked(wheel, wheel.split("==")[0])) / inner
    dest = Path(work) / name
    files = sorted(p for p in src.rglob("*.py") if "__pycache__" not in p.parts)
    if limit:
        files = files[:limit]
    for f in files:
        target = dest / f.relative_to(src)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(f, target)
    return str(dest), [str(dest / f.relative_to(src)) for f in files]


def one_tree(name: str, limit: int | None, jobs: list[int], work: str) -> list[dict]:
    folder, files = tree_copy(name, limit, work)
    lines = sum(len(Path(f).read_text(encoding="utf-8", errors="replace").splitlines()) for f in files)
    floor = parse_floor(files, work)
    rows = []
    check = [sys.executable, "-m", "shapecheck", "check", "--isolated", "--exit-zero", "-q"]
    touched = max(files, key=lambda f: Path(f).stat().st_size)  # the largest file: a worst case
    original = Path(touched).read_text(encoding="utf-8")
    for n in jobs:
        cache = tempfile.mkdtemp(prefix="cache-", dir=work)
        cmd = check + ["--jobs", str(n), "--cache-dir", cache, folder]
        cold, cold_rss = measured(cmd, work)
        warm, warm_rss = measured(cmd, work)
        Path(touched).write_text(original + "\n# touched\n", encoding="utf-8")
        try:
            after, _ = measured(cmd, work)
        finally:
            Path(touched).write_text(original, encoding="utf-8")
        rows.append({"tree": name, "files": len(files), "lines": lines, "jobs": n, "parse_s": floor,
                     "cold_s": cold, "warm_s": warm, "touched_s": after, "cold_rss_mb": cold_rss,
                     "warm_rss_mb": warm_rss})
        shutil.rmtree(cache, ignore_errors=True)
    return rows


def single_file(work: str) -> float:
    path = Path(work) / "one.py"
    path.write_text((ROOT / "examples" / "torch_conv_flatten.py").read_text())
    cache = tempfile.mkdtemp(prefix="cache-", dir=work)
    cmd = [sys.executable, "-m", "shapecheck", "check", "--isolated", "--cache-dir", cache, str(path)]
    subprocess.run(cmd, capture_output=True, env=_env(), cwd=work)
    best = float("inf")
    for _ in range(5):
        t = time.perf_counter()
        subprocess.run(cmd, capture_output=True, env=_env(), cwd=work)
        best = min(best, time.perf_counter() - t)
    return best


def table(rows: list[dict], latency: float) -> str:
    out = ["| tree | files | lines | jobs | LibCST parse | cold | cold / parse | warm | warm / cold | "
           "one file touched | touched / cold | peak RSS (cold) |",
           "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        out.append(f"| {r['tree']} | {r['files']} | {r['lines']} | {r['jobs']} | {r['parse_s']:.1f} s | "
                   f"{r['cold_s']:.1f} s | {r['cold_s'] / r['parse_s']:.2f}x | {r['warm_s']:.2f} s | "
                   f"{100 * r['warm_s'] / r['cold_s']:.1f}% | {r['touched_s']:.2f} s | "
                   f"{100 * r['touched_s'] / r['cold_s']:.1f}% | {r['cold_rss_mb']:.0f} MB |")
    by = {(r["tree"], r["jobs"]): r["cold_s"] for r in rows}
    for tree in dict.fromkeys(r["tree"] for r in rows):
        if (tree, 1) in by and (tree, 2) in by:
            out.append(f"\n{tree}: `--jobs 2` is {by[(tree, 1)] / by[(tree, 2)]:.2f}x faster than `--jobs 1` (cold).")
    out.append(f"\nSingle file, warm (cached), interpreter start included: {latency:.3f} s.")
    return "\n".join(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--trees", default="torchvision,transformers")
    ap.add_argument("--limit", type=int, default=None, help="only the first N files of each tree")
    ap.add_argument("--jobs", default="1,2")
    ap.add_argument("--json", action="store_true", help="print the rows as JSON too")
    args = ap.parse_args()
    jobs = [int(j) for j in args.jobs.split(",")]
    with tempfile.TemporaryDirectory(prefix="shapecheck-speed-") as work:
        rows = [r for name in args.trees.split(",") for r in one_tree(name.strip(), args.limit, jobs, work)]
        latency = single_file(work)
    print(table(rows, latency))
    if args.json:
        print(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
