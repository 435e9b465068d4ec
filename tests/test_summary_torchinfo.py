"""The torch summary against torchinfo 1.8 over torchvision 0.29.1's classification builders.

``shapecheck summary models/resnet.py --model resnet18 --input-shape 1,3,224,224`` reads the
builder's own source file from the wheel (downloaded, never installed; see test_corpus.py) and
never runs it. The oracle is ``torchinfo.summary(model, input_size=(1, 3, 224, 224), depth=3)`` of
the real model, run once by ``tests/data/make_torchinfo_torchvision.py`` and kept as JSON
(``tests/data/torchinfo_torchvision.json``: each row of torchinfo's table, its totals and memory
lines, and ``named_modules()`` down to depth 3). Compared, per builder:

- every module of ``named_modules()`` down to depth 3 is a row of the table, under its name and
  torch class, in registration order (no table omits a row);
- each row torchinfo has down to depth 3: its output shape and its parameter count;
- the totals: parameters exactly, mult-adds within 1%, the four memory lines to the printed MB.

Builders that do not agree yet are listed below with the reason (strict xfail: a fix shows up as
XPASS). ``python tests/test_summary_torchinfo.py`` prints the agreement counts and the time the
summary takes per builder.
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any, Optional

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from shapecheck import dims as D  # noqa: E402
from shapecheck.shapes import Shape  # noqa: E402
from shapecheck.summary import ModelSummary, summarize_source  # noqa: E402
from shapecheck.values import Tensor  # noqa: E402

DATA = HERE / "data" / "torchinfo_torchvision.json"
REQUIREMENT = "torchvision==0.29.1"


def oracle_data() -> dict:
    if not DATA.exists():
        pytest.skip(f"{DATA.name} is absent: run tests/data/make_torchinfo_torchvision.py")
    return json.loads(DATA.read_text(encoding="utf-8"))


ORACLE: dict = json.loads(DATA.read_text(encoding="utf-8")) if DATA.exists() else {"models": {}, "row": []}
CASES = [(v["module"], k) for k, v in ORACLE["models"].items()]

# ------------------------------------------------------------------------- what does not agree yet
# builder -> why (strict xfail), per comparison
GAPS: dict = {
    "rows": {},
    "shapes": {},
    "params": {},
    "macs": {},
    "memory": {},
}


def gap(what: str, fn: str) -> Optional[str]:
    return GAPS[what].get(fn)


# ------------------------------------------------------------------------- the static side
_STATIC: dict = {}
_TIMES: dict = {}


def wheel_root() -> Path:
    from test_corpus import unpacked

    return unpacked(REQUIREMENT, "torchvision")


def static(root: Path, mod: str, fn: str) -> ModelSummary:
    """``shapecheck summary models/<mod>.py --model <fn> --input-shape 1,3,224,224``, as data."""
    if fn not in _STATIC:
        path = root / "torchvision" / "models" / f"{mod}.py"
        shape = tuple(ORACLE.get("input_size", (1, 3, 224, 224)))
        t0 = time.perf_counter()
        (m,) = summarize_source(path.read_text(encoding="utf-8"), str(path),
                                inputs=[Tensor(Shape(shape), "torch", "float")], model=fn)
        _TIMES[fn] = time.perf_counter() - t0
        _STATIC[fn] = m
    return _STATIC[fn]


def rows_of(fn: str) -> list:
    """torchinfo's rows as dicts (``ROW`` fields)."""
    fields = ORACLE["row"]
    return [dict(zip(fields, r)) for r in ORACLE["models"][fn]["rows"]]


def _dims(s: Any) -> Any:
    """A row's shape as torchinfo prints it (a tuple output: its first tensor)."""
    while isinstance(s, list):
        s = s[0] if s else None
    if not isinstance(s, Shape) or s.variadic:
        return None
    return [D.as_int(d) for d in s.dims]


def _int(n: Any) -> Optional[int]:
    return None if n is None else D.as_int(n)


# ------------------------------------------------------------------------- comparisons
def diff_rows(m: ModelSummary, fn: str) -> list:
    """Every module of ``named_modules()`` to depth 3 is a row, under its name and class, in order."""
    want = [tuple(x) for x in ORACLE["models"][fn]["named_modules"]]
    got = [(r.path, r.type) for r in m.rows if r.kind == "module" and r.depth <= ORACLE["depth"]]
    if got == want:
        return []
    missing = [w for w in want if w not in got]
    extra = [g for g in got if g not in want]
    return [f"missing {missing[:5]}, extra {extra[:5]}" if missing or extra else "order differs"]


def diff_layers(m: ModelSummary, fn: str, what: str) -> list:
    """torchinfo's rows to depth 3 (the first call of each module): output shapes or params."""
    by_path = {r.path: r for r in m.rows if r.kind == "module"}
    by_path[""] = m.root
    out = []
    seen = set()
    for t in rows_of(fn):
        if t["path"] in seen or t["recursive"]:
            continue
        seen.add(t["path"])
        r = by_path.get(t["path"])
        if r is None:
            out.append(f"{t['path'] or '(model)'}: no row")
            continue
        if what == "params":
            if _int(r.params) != t["params"]:
                out.append(f"{t['path']}: params {_int(r.params)} != torchinfo {t['params']}")
        elif t["executed"] and _dims(r.output) != t["output"]:
            out.append(f"{t['path'] or '(model)'} ({t['type']}): output {_dims(r.output)} != torchinfo {t['output']}")
    return out


def diff_totals(m: ModelSummary, fn: str, what: str) -> list:
    want = ORACLE["models"][fn]
    if what == "params":
        got = (_int(m.total), _int(m.trainable))
        if got != (want["total_params"], want["trainable_params"]):
            return [f"params {got} != torchinfo {(want['total_params'], want['trainable_params'])}"]
        return []
    if what == "macs":
        got = _int(m.mult_adds)
        if got is None or abs(got - want["total_mult_adds"]) > 0.01 * want["total_mult_adds"]:
            return [f"mult-adds {got} != torchinfo {want['total_mult_adds']}"]
        return []
    lines = {"Input size": m.input_bytes, "Forward/backward pass size": m.output_bytes,
             "Params size": m.param_bytes, "Estimated Total Size": m.total_bytes}
    out = []
    for k, v in lines.items():
        got = None if _int(v) is None else f"{_int(v) / 1e6:0.2f}"  # type: ignore[operator]
        if got != want["memory_mb"][k]:
            out.append(f"{k} (MB): {got} != torchinfo {want['memory_mb'][k]}")
    return out


# ------------------------------------------------------------------------- tests
@pytest.fixture(scope="module")
def root() -> Path:
    oracle_data()
    return wheel_root()


def _mark(reason: Optional[str]) -> list:
    return [pytest.mark.xfail(reason=reason, strict=True)] if reason else []


def _cases(what: str) -> list:
    return [pytest.param(mod, fn, marks=_mark(gap(what, fn)), id=fn) for mod, fn in CASES]


def test_the_oracle_is_torchinfo_over_every_builder() -> None:
    data = oracle_data()
    assert len(data["models"]) >= 80 and data["torchinfo"].startswith("1.8") and data["depth"] == 3
    # the published figures (the weights' "num_params" / "_ops"): the oracle is torchvision's own model
    assert data["models"]["resnet18"]["total_params"] == 11689512
    assert data["models"]["resnet18"]["memory_mb"] == {"Input size": "0.60", "Forward/backward pass size": "39.75",
                                                       "Params size": "46.76", "Estimated Total Size": "87.11"}


@pytest.mark.parametrize("mod,fn", _cases("rows"))
def test_every_module_is_a_row(root: Path, mod: str, fn: str) -> None:
    problems = diff_rows(static(root, mod, fn), fn)
    assert not problems, problems


@pytest.mark.parametrize("mod,fn", _cases("shapes"))
def test_output_shapes_equal_torchinfo(root: Path, mod: str, fn: str) -> None:
    problems = diff_layers(static(root, mod, fn), fn, "shapes")
    assert not problems, problems[:10]


@pytest.mark.parametrize("mod,fn", _cases("params"))
def test_params_equal_torchinfo(root: Path, mod: str, fn: str) -> None:
    m = static(root, mod, fn)
    problems = diff_totals(m, fn, "params") + diff_layers(m, fn, "params")
    assert not problems, problems[:10]


@pytest.mark.parametrize("mod,fn", _cases("macs"))
def test_mult_adds_within_one_percent(root: Path, mod: str, fn: str) -> None:
    problems = diff_totals(static(root, mod, fn), fn, "macs")
    assert not problems, problems


@pytest.mark.parametrize("mod,fn", _cases("memory"))
def test_memory_lines_equal_torchinfo(root: Path, mod: str, fn: str) -> None:
    problems = diff_totals(static(root, mod, fn), fn, "memory")
    assert not problems, problems


# ------------------------------------------------------------------------- report
def main() -> None:  # pragma: no cover - a table for humans
    root = wheel_root()
    counts = {k: 0 for k in ("rows", "shapes", "params", "macs", "memory")}
    for mod, fn in CASES:
        m = static(root, mod, fn)
        res = {"rows": diff_rows(m, fn), "shapes": diff_layers(m, fn, "shapes"),
               "params": diff_totals(m, fn, "params") + diff_layers(m, fn, "params"),
               "macs": diff_totals(m, fn, "macs"), "memory": diff_totals(m, fn, "memory")}
        for k, v in res.items():
            counts[k] += not v
        bad = {k: v[:2] for k, v in res.items() if v}
        print(f"{fn:22} {_TIMES[fn]:6.2f} s  {'ok' if not bad else bad}")
    n = len(CASES)
    print(", ".join(f"{k}: {v}/{n}" for k, v in counts.items()))
    exact = sum(_int(_STATIC[fn].mult_adds) == ORACLE["models"][fn]["total_mult_adds"] for _, fn in CASES)
    print(f"mult-adds equal to the unit: {exact}/{n}")
    times = sorted(_TIMES.values())
    print(f"summary time per builder: median {times[len(times) // 2]:.2f} s, max {times[-1]:.2f} s, "
          f"total {sum(times):.1f} s")


if __name__ == "__main__":  # pragma: no cover
    main()
