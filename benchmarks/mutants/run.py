"""Plant shape bugs in real model code, keep those torch confirms, and count how many shapecheck finds.

    python -m benchmarks.mutants.run [--limit 300] [--seed 0] [--frameworks timm,torchvision]
                                     [--per-file 4] [--out benchmarks/mutants] [--jobs 1]
    python -m benchmarks.mutants.run --confirmed-only [--shapecheck /other/checkout] [--out DIR]

See README.md beside this file. The first form builds and runs every tried mutant (cached by
mutant text, so a rerun builds nothing it has seen); the second reruns only the shapecheck half
over the mutants a results.json lists (no torch needed).
"""
from __future__ import annotations

import argparse
import collections
import json
import os
import random
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Optional

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks import corpus  # noqa: E402
from benchmarks.mutants.operators import OPERATORS, Mutant, iter_mutants, mutant_at, text_hash  # noqa: E402
from benchmarks.mutants.worker import classify  # noqa: E402

CACHE = corpus.CACHE
# framework -> (requirement, wheel name, folder of model files)
CORPORA = {
    "timm": ("timm==1.0.31", "timm", "timm/models"),
    "torchvision": ("torchvision==0.29.1", "torchvision", "torchvision/models"),
}


def unpacked(requirement: str, name: str) -> Path:
    """The unzipped wheel of ``requirement``, downloaded (never installed) once."""
    try:
        return corpus.unpacked(requirement, name)
    except corpus.Unavailable as e:
        raise SystemExit(str(e)) from None


def model_files(framework: str) -> list[tuple[str, str]]:
    """(path relative to the wheel root, module name) of every file that registers model builders."""
    requirement, name, folder = CORPORA[framework]
    root = unpacked(requirement, name)
    out = []
    for path in sorted((root / folder).rglob("*.py")):
        if "@register_model" in path.read_text(encoding="utf-8"):
            rel = path.relative_to(root).as_posix()
            out.append((rel, rel[:-3].replace("/", ".")))
    return out


# ---- the torch half ------------------------------------------------------------------------------

class Confirmer:
    """A worker process per framework (benchmarks/mutants/worker.py), with a cache of its answers."""

    def __init__(self, framework: str, timeout: float) -> None:
        self.framework = framework
        self.timeout = timeout
        roots = [str(unpacked(*CORPORA[framework][:2]))]
        if framework != "torchvision":
            roots.append(str(unpacked(*CORPORA["torchvision"][:2])))  # timm imports torchvision
        self.proc = subprocess.Popen([sys.executable, "-m", "benchmarks.mutants.worker", framework, *roots],
                                     cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        hello = json.loads(self.proc.stdout.readline() or "{}")
        if not hello.get("ready"):
            raise SystemExit(f"the {framework} worker did not start")
        self.versions = {"torch": hello["torch"], framework: hello["version"]}
        self.cache_path = CACHE / "mutants-cache" / f"{framework}-{hello['version']}-torch-{hello['torch']}.jsonl"
        self.cache_path.parent.mkdir(parents=True, exist_ok=True)
        self.cache: dict[str, dict[str, Any]] = {}
        if self.cache_path.exists():
            for line in self.cache_path.read_text(encoding="utf-8").splitlines():
                try:
                    entry = json.loads(line)
                    self.cache[entry["key"]] = entry["result"]
                except (ValueError, KeyError):
                    continue
        self.hits = self.misses = 0

    def ask(self, key: str, req: dict[str, Any]) -> dict[str, Any]:
        if key in self.cache:
            self.hits += 1
            return self.cache[key]
        self.misses += 1
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps({**req, "timeout": self.timeout}) + "\n")
        self.proc.stdin.flush()
        result = json.loads(self.proc.stdout.readline() or '{"status": "worker-died"}')
        if result.get("status") not in ("timeout", "crash", "worker-died"):  # a flaky answer is asked again
            self.cache[key] = result
            with self.cache_path.open("a", encoding="utf-8") as fh:
                fh.write(json.dumps({"key": key, "result": result}) + "\n")
        return result

    def probe(self, module: str, source: str) -> dict[str, Any]:
        return self.ask(f"probe:{module}:{text_hash(source)}", {"op": "probe", "module": module})

    def run(self, module: str, probe: dict[str, Any], mutant: Mutant) -> dict[str, Any]:
        key = f"run:{module}:{probe['model']}:{probe['device']}:{mutant.key}"
        return self.ask(key, {"op": "run", "module": module, "source": mutant.text, "model": probe["model"],
                              "device": probe["device"], "input": probe["input"], "cpu_ok": probe["cpu_ok"]})

    def close(self) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()
        self.proc.wait(timeout=60)


@dataclass
class Confirmed:
    framework: str
    file: str
    module: str
    operator: str
    index: int
    line: int
    end_line: int
    original: str
    mutated: str
    key: str
    model: str
    device: str
    error: str
    phase: str
    found: Optional[bool] = None
    on_line: Optional[bool] = None
    new_findings: list[str] = field(default_factory=list)


def interleaved(mutants: list[Mutant], rng: random.Random) -> Iterator[Mutant]:
    """The file's mutants, one operator after another in turn, each operator's shuffled."""
    by_op: dict[str, list[Mutant]] = collections.defaultdict(list)
    for m in mutants:
        by_op[m.operator].append(m)
    queues = []
    for op in OPERATORS:
        ms = by_op.get(op, [])
        rng.shuffle(ms)
        if ms:
            queues.append(ms)
    rng.shuffle(queues)
    while queues:
        for q in list(queues):
            yield q.pop()
            if not q:
                queues.remove(q)


def confirm(args, log) -> tuple[list[Confirmed], dict[str, Any]]:
    confirmed: list[Confirmed] = []
    stats: dict[str, Any] = {"tried": collections.Counter(), "files": {}, "versions": {}}
    for framework in args.frameworks:
        root = unpacked(*CORPORA[framework][:2])
        files = model_files(framework)
        random.Random(f"{args.seed}:{framework}").shuffle(files)
        worker = Confirmer(framework, args.timeout)
        stats["versions"].update(worker.versions)
        quota = args.limit // len(args.frameworks) if framework != args.frameworks[-1] else \
            args.limit - len(confirmed)
        got = 0
        for rel, module in files:
            if got >= quota:
                break
            source = (root / rel).read_text(encoding="utf-8")
            probe = worker.probe(module, source)
            info: dict[str, Any] = {"framework": framework, "probe": probe.get("status"), "model": probe.get("model"),
                                    "device": probe.get("device"), "tried": 0, "confirmed": 0}
            stats["files"][rel] = info
            if probe.get("status") != "ok":
                info["why"] = [f"{t.get('model')}: {t.get('type')}: {t.get('message', '')[:120]}"
                               for t in probe.get("tried", [])][:2]
                log(f"{rel}: no model of this file runs unmutated: {info['why'] or probe.get('status')}")
                continue
            rng = random.Random(f"{args.seed}:{rel}")
            for mutant in interleaved(list(iter_mutants(source)), rng):
                if info["confirmed"] >= args.per_file or info["tried"] >= args.tries_per_file or got >= quota:
                    break
                result = worker.run(module, probe, mutant)
                info["tried"] += 1
                status = result.get("status")
                kind = classify(str(result.get("type")), str(result.get("message", "")))
                verdict = "runs" if status == "ok" else (f"{kind}-error" if status == "error" else str(status))
                stats["tried"][f"{mutant.operator}:{verdict}"] += 1
                if verdict != "shape-error":
                    continue
                info["confirmed"] += 1
                got += 1
                confirmed.append(Confirmed(
                    framework, rel, module, mutant.operator, mutant.index, mutant.line, mutant.end_line,
                    mutant.original, mutant.mutated, mutant.key, probe["model"], result.get("device", ""),
                    f"{result.get('type')}: {result.get('message')}", result.get("phase", "")))
            log(f"{rel}: {probe['model']} on {probe['device']}: {info['confirmed']} confirmed of {info['tried']} "
                f"tried (total {len(confirmed)}; cache {worker.hits} hits, {worker.misses} runs)")
        worker.close()
    stats["tried"] = dict(sorted(stats["tried"].items()))
    return confirmed, stats


# ---- the shapecheck half -------------------------------------------------------------------------

def private_tree(framework: str, slot: int) -> Path:
    """A copy of the wheel's package that mutants are written into (the shared corpus stays as is)."""
    requirement, name, _ = CORPORA[framework]
    src = unpacked(requirement, name)
    dest = CACHE / "mutants-trees" / f"{requirement.replace('==', '-')}-{slot}"
    if not (dest / ".done").exists() or any(
            (dest / p).read_bytes() != (src / p).read_bytes() for p in [f"{name}/__init__.py"]):
        shutil.rmtree(dest, ignore_errors=True)
        shutil.copytree(src / name, dest / name)
        (dest / ".done").write_text("ok")
    return dest


def _diag_texts(path: Path) -> list[tuple[str, int, str]]:
    from shapecheck.engine import check_path
    return [(d.code, d.line, d.message) for d in check_path(str(path)) if d.severity in ("error", "warning")]


def new_findings(before: list[tuple[str, int, str]], after: list[tuple[str, int, str]]) -> list[tuple[str, int, str]]:
    """The findings of ``after`` that ``before`` does not have, by code and message (lines may move)."""
    left = collections.Counter((c, msg) for c, _, msg in before)
    new = []
    for c, line, msg in after:
        if left[(c, msg)] > 0:
            left[(c, msg)] -= 1
        else:
            new.append((c, line, msg))
    return new


def check_group(job: tuple[str, int, list[dict[str, Any]]]) -> tuple[dict[str, list[str]], list[dict[str, Any]]]:
    """Run shapecheck on the unmutated files and on each mutant of one framework, in one tree."""
    framework, slot, mutants = job
    tree = private_tree(framework, slot)
    baseline: dict[str, list[str]] = {}
    baseline_diags: dict[str, list[tuple[str, int, str]]] = {}
    out = []
    for m in mutants:
        path = tree / m["file"]
        original = path.read_text(encoding="utf-8")
        if m["file"] not in baseline:
            baseline_diags[m["file"]] = _diag_texts(path)
            baseline[m["file"]] = [f"{c}:{line}: {msg}" for c, line, msg in baseline_diags[m["file"]]]
        rebuilt = mutant_at(original, m["operator"], m["index"])
        if rebuilt is None or rebuilt.key != m["key"]:
            out.append({**m, "found": None, "on_line": None, "new_findings": ["mutant could not be rebuilt"]})
            continue
        stat = path.stat()
        try:
            path.write_text(rebuilt.text, encoding="utf-8")
            # a distinct mtime per mutant: shapecheck's parse cache is keyed by path, size and mtime
            os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1000 * (1 + len(out))))
            diags = _diag_texts(path)
        finally:
            path.write_text(original, encoding="utf-8")
            os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
        new = new_findings(baseline_diags[m["file"]], diags)
        out.append({**m, "found": bool(new), "on_line": any(m["line"] <= line <= m["end_line"] for _, line, _ in new),
                    "new_findings": [f"{c}:{line}: {msg}"[:300] for c, line, msg in new]})
    return baseline, out


def shapecheck_half(mutants: list[dict[str, Any]], jobs: int, log) -> tuple[dict[str, list[str]], list[dict]]:
    by_file: dict[tuple[str, str], list[dict[str, Any]]] = collections.defaultdict(list)
    for m in mutants:
        by_file[(m["framework"], m["file"])].append(m)
    groups: list[tuple[str, int, list[dict[str, Any]]]] = []
    for slot in range(jobs):
        for fw in CORPORA:
            items = [m for i, ((f, _), ms) in enumerate(sorted(by_file.items())) if i % jobs == slot and f == fw
                     for m in ms]
            if items:
                groups.append((fw, slot, items))
    baseline: dict[str, list[str]] = {}
    results: list[dict[str, Any]] = []
    if jobs > 1:
        import multiprocessing
        with multiprocessing.get_context("spawn").Pool(jobs) as pool:
            parts = pool.map(check_group, groups)
    else:
        parts = [check_group(g) for g in groups]
    for b, r in parts:
        baseline.update(b)
        results.extend(r)
    order = {m["key"]: i for i, m in enumerate(mutants)}
    results.sort(key=lambda m: order[m["key"]])
    log(f"shapecheck: {sum(1 for r in results if r['found'])} of {len(results)} found")
    return baseline, results


def clean_findings(frameworks: list[str], log) -> dict[str, list[str]]:
    """shapecheck on every unmutated model file (errors and warnings)."""
    out: dict[str, list[str]] = {}
    for fw in frameworks:
        root = unpacked(*CORPORA[fw][:2])
        for rel, _ in model_files(fw):
            found = [f"{c}:{line}: {msg}" for c, line, msg in _diag_texts(root / rel)]
            if found:
                out[rel] = found
    log(f"unmutated files: {sum(len(v) for v in out.values())} findings")
    return out


# ---- the report ----------------------------------------------------------------------------------

def pct(a: int, b: int) -> str:
    return f"{100.0 * a / b:.1f}%" if b else "-"


def report(data: dict[str, Any]) -> str:
    ms = data["mutants"]
    found = [m for m in ms if m["found"]]
    lines = ["# Mutation measure: planted shape bugs in timm and torchvision model code", "",
             f"Generated by `{data['command']}` on {data['date']} ({data['seconds']:.0f} s); "
             f"shapecheck {data['shapecheck']}; " + ", ".join(f"{k} {v}" for k, v in data["versions"].items()) + ".",
             "", "## Totals", "",
             f"- confirmed mutants (raise a shape error when the mutated model is built and run): **{len(ms)}** "
             f"over {len({m['file'] for m in ms})} files",
             f"- found by shapecheck (a new error/warning the unmutated file does not have): **{len(found)}** "
             f"(**{pct(len(found), len(ms))}**), on the mutated line: {sum(1 for m in ms if m['on_line'])}",
             f"- findings on the unmutated model files: {sum(len(v) for v in data['clean_findings'].values())}"]
    for f, v in sorted(data["clean_findings"].items()):
        lines += [f"  - `{f}`: {x[:160]}" for x in v]
    tried: collections.Counter[str] = collections.Counter()
    for k, n in data["tried"].items():
        tried[k.split(":")[1]] += n
    lines += [f"- mutants tried: {sum(tried.values())} (" + ", ".join(f"{k} {v}" for k, v in tried.most_common())
              + "); `runs` are equivalent mutants, `other-error` ones fail for a reason other than shapes; "
              "both are dropped", ""]
    unusable = {f: i for f, i in data["files"].items() if i.get("probe") != "ok"}
    if unusable:
        lines += [f"Files with no builder that runs unmutated here (skipped): {len(unusable)}: "
                  + ", ".join(f"`{f}`" for f in sorted(unusable)), ""]
    lines += ["## By construct (mutation operator)", "", "| construct | tried | confirmed | found | % | on line |",
              "|---|---|---|---|---|---|"]
    for op in OPERATORS:
        c = [m for m in ms if m["operator"] == op]
        t = sum(n for k, n in data["tried"].items() if k.split(":")[0] == op)
        if not t and not c:
            lines.append(f"| {op} | 0 | 0 | 0 | - | 0 |")
            continue
        f = sum(1 for m in c if m["found"])
        lines.append(f"| {op} | {t} | {len(c)} | {f} | {pct(f, len(c))} | {sum(1 for m in c if m['on_line'])} |")
    lines += ["", "## By file", "", "| file | model (device) | confirmed | found | missed |", "|---|---|---|---|---|"]
    for file in sorted({m["file"] for m in ms}):
        c = [m for m in ms if m["file"] == file]
        f = sum(1 for m in c if m["found"])
        lines.append(f"| `{file}` | {c[0]['model']} ({c[0]['device']}) | {len(c)} | {f} | {len(c) - f} |")
    lines += ["", "## Example misses", ""]
    shown: collections.Counter[str] = collections.Counter()
    for m in ms:
        if m["found"] or shown[m["operator"]] >= 2:
            continue
        shown[m["operator"]] += 1
        lines.append(f"- `{m['file']}:{m['line']}` {m['operator']}: `{m['original'][:90]}` → `{m['mutated'][:90]}`; "
                     f"torch: {m['error'][:160]}")
    lines += ["", "## Example finds", ""]
    shown = collections.Counter[str]()
    for m in found:
        if shown[m["operator"]] >= 1:
            continue
        shown[m["operator"]] += 1
        lines.append(f"- `{m['file']}:{m['line']}` {m['operator']}: `{m['mutated'][:90]}`; shapecheck: "
                     f"{m['new_findings'][0][:160]}")
    return "\n".join(lines) + "\n"


def shapecheck_version(path: Optional[str]) -> str:
    import shapecheck
    where = Path(shapecheck.__file__).resolve().parent.parent
    try:
        rev = subprocess.run(["git", "-C", str(where), "rev-parse", "--short", "HEAD"], capture_output=True,
                             text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        rev = ""
    return f"{where} {rev}".strip()


def main(argv: Optional[list[str]] = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.mutants.run", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--limit", type=int, default=300, help="confirmed mutants to collect (split over frameworks)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--frameworks", default="timm,torchvision")
    ap.add_argument("--per-file", type=int, default=4, help="confirmed mutants per file at most")
    ap.add_argument("--tries-per-file", type=int, default=20, help="mutants built per file at most")
    ap.add_argument("--timeout", type=float, default=120.0, help="seconds per mutant build and run")
    ap.add_argument("--jobs", type=int, default=1, help="processes for the shapecheck half")
    ap.add_argument("--out", default=str(HERE), help="folder for results.json and RESULTS.md")
    ap.add_argument("--confirmed-only", action="store_true",
                    help="only the shapecheck half, over the mutants of --from (no torch)")
    ap.add_argument("--from", dest="source", default=str(HERE / "results.json"),
                    help="results.json whose confirmed mutants --confirmed-only checks")
    ap.add_argument("--shapecheck", default=None, help="a checkout of shapecheck to measure instead of this one")
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args(argv)
    if args.shapecheck:
        sys.path.insert(0, str(Path(args.shapecheck).resolve()))
        os.environ["PYTHONPATH"] = os.pathsep.join([str(Path(args.shapecheck).resolve()),
                                                    os.environ.get("PYTHONPATH", "")])
    args.frameworks = [f for f in args.frameworks.split(",") if f]
    bad = [f for f in args.frameworks if f not in CORPORA]
    if bad:
        ap.error(f"unknown frameworks {bad}; choose from {sorted(CORPORA)}")

    def log(msg: str) -> None:
        if not args.quiet:
            print(msg, file=sys.stderr, flush=True)

    start = time.time()
    if args.confirmed_only:
        previous = json.loads(Path(args.source).read_text(encoding="utf-8"))
        mutants = [{k: v for k, v in m.items() if k not in ("found", "on_line", "new_findings")}
                   for m in previous["mutants"] if m["framework"] in args.frameworks]
        data = {k: previous[k] for k in ("tried", "files", "versions", "seed", "limit")}
    else:
        confirmed, stats = confirm(args, log)
        mutants = [{k: v for k, v in asdict(c).items() if k not in ("found", "on_line", "new_findings")}
                   for c in confirmed]
        data = {**stats, "seed": args.seed, "limit": args.limit}
    clean = clean_findings(args.frameworks, log)
    _, results = shapecheck_half(mutants, max(1, args.jobs), log)
    data.update(command="python -m benchmarks.mutants.run " + " ".join(argv if argv is not None else sys.argv[1:]),
                date=time.strftime("%Y-%m-%d"), seconds=time.time() - start,
                shapecheck=shapecheck_version(args.shapecheck), clean_findings=clean, mutants=results)
    data["summary"] = {"confirmed": len(results), "found": sum(1 for m in results if m["found"]),
                       "on_line": sum(1 for m in results if m["on_line"]),
                       "files": len({m["file"] for m in results})}
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    (out / "RESULTS.md").write_text(report(data), encoding="utf-8")
    s = data["summary"]
    print(f"{s['found']} of {s['confirmed']} confirmed mutants found ({pct(s['found'], s['confirmed'])}), "
          f"{s['on_line']} on the mutated line; {out / 'RESULTS.md'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
