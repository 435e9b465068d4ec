"""The static summary of torchvision 0.29.1's classification builders against torch itself.

The static side reads each builder's own source file from the wheel (``pip download``, never
installed; see test_corpus.py) and appends one line to it, ``__shapecheck_model__ = resnet18()``,
analysed as if it stood at the file's place in the package: shapecheck follows the imports into the
package's other files (``..ops.misc``, ``._utils``, ``._api``), as it does for any checked file.
Nothing else in the source is changed.

The oracle builds the same builders for real with torch, in a subprocess, without torchvision's
package ``__init__`` (its C extension does not load beside torch 2.13 here): ``torchvision``,
``torchvision.models``, ``.ops`` and ``.transforms`` are empty packages pointing at the unzipped
wheel, PIL and the transforms presets (only named in annotations and weight metadata) are stubs,
and ``torchvision.ops`` gets the names of ops/misc.py and ops/stochastic_depth.py, the only ops
the classification models use. Every parameter is moved to the meta device as it is registered
(no memory, no initialisation work); the count is ``sum(p.numel() for p in m.parameters())``.

A builder the summary cannot count yet is ``?`` (unknown), never a wrong number: that is
``test_never_a_wrong_total``; ``test_total_equals_torch`` wants the number. Builders that do not
agree yet are listed below with the reason (strict xfail: a fix shows up as XPASS).
``python tests/test_summary_torchvision.py`` prints the table.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any, Optional

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from shapecheck import dims as D  # noqa: E402
from shapecheck.summary import summarize_source  # noqa: E402

REQUIREMENT = "torchvision==0.29.1"

from torchvision_models import BUILDERS  # noqa: E402

CASES = [(mod, fn) for mod, fns in BUILDERS.items() for fn in fns]

# --------------------------------------------------------------------------- what does not agree yet
# Not counted (``?``, never a wrong number), and why:
FAMILY_GAPS: dict = {}  # none today: regnet's and maxvit's sizes inside tensors are folded (values.Vals)
# Counted, but wrong: none today (a fix that makes one wrong fails test_never_a_wrong_total).
WRONG: dict = {}


def wrong_reason(mod: str, fn: str) -> Optional[str]:
    return WRONG.get(mod)


def gap_reason(mod: str, fn: str) -> Optional[str]:
    return wrong_reason(mod, fn) or FAMILY_GAPS.get(mod)


# ---------------------------------------------------------------------------------- the oracle
ORACLE = r'''
import importlib, json, sys, types, warnings
warnings.simplefilter("ignore")
root = sys.argv[1]
sys.path.insert(0, root)

from pathlib import Path
sys.path.insert(0, sys.argv[2])  # tests/: the shared loader
from torchvision_models import load_torchvision
load_torchvision(Path(root))

import torch

# every parameter goes to the meta device as it is registered: no memory, no initialisation work
_register = torch.nn.Module.register_parameter
def _meta_register(self, name, param):
    if param is not None and param.device.type != "meta":
        param = torch.nn.Parameter(param.detach().to("meta"), requires_grad=param.requires_grad)
    return _register(self, name, param)
torch.nn.Module.register_parameter = _meta_register

def count(m):
    return sum(p.numel() for p in m.parameters())

out = {}
for spec in sys.argv[3:]:
    mod, fn = spec.split(":")
    try:
        model = getattr(importlib.import_module("torchvision.models." + mod), fn)()
        out[fn] = {"total": count(model),
                   "children": [[n, type(c).__name__, count(c)] for n, c in model.named_children()]}
    except Exception as e:
        out[fn] = {"error": f"{type(e).__name__}: {str(e)[:300]}"}
print(json.dumps(out))
'''


def wheel_root() -> Path:
    from test_corpus import unpacked

    return unpacked(REQUIREMENT, "torchvision")


def run_oracle(root: Path) -> dict:
    specs = [f"{mod}:{fn}" for mod, fn in CASES]
    r = subprocess.run([sys.executable, "-c", ORACLE, str(root), str(HERE)] + specs, capture_output=True, text=True,
                       timeout=900)
    if r.returncode != 0:
        raise RuntimeError(f"the torch oracle failed:\n{r.stderr[-3000:]}")
    return json.loads(r.stdout.strip().splitlines()[-1])


_STATIC: dict = {}


def static_summary(root: Path, mod: str, fn: str) -> Any:
    """The summary of ``__shapecheck_model__ = fn()`` appended to a copy of the builder's file."""
    if fn not in _STATIC:
        path = root / "torchvision" / "models" / f"{mod}.py"
        source = path.read_text(encoding="utf-8") + f"\n__shapecheck_model__ = {fn}()\n"
        found = [m for m in summarize_source(source, str(path)) if m.var == "__shapecheck_model__"]
        _STATIC[fn] = found[0] if found else None
    return _STATIC[fn]


def static_total(root: Path, mod: str, fn: str) -> Optional[int]:
    m = static_summary(root, mod, fn)
    if m is None or m.total is None:
        return None
    n = D.as_int(m.total)
    assert n is not None, f"{fn}: a symbolic total {m.total} for a builder with every size known"
    return n


@pytest.fixture(scope="module")
def root() -> Path:
    return wheel_root()


@pytest.fixture(scope="module")
def oracle(root: Path) -> dict:
    pytest.importorskip("torch")
    return run_oracle(root)


# ---------------------------------------------------------------------------------- tests
def test_oracle_builds_every_builder(oracle: dict) -> None:
    failed = {fn: r["error"] for fn, r in oracle.items() if "error" in r}
    assert not failed, failed
    assert len(oracle) == len(CASES) >= 80
    # the published counts (the weights' "num_params"): the oracle is torchvision's own model
    assert oracle["resnet18"]["total"] == 11689512 and oracle["vgg11"]["total"] == 132863336
    assert oracle["efficientnet_b0"]["total"] == 5288548 and oracle["vit_b_16"]["total"] == 86567656


def _mark(reason: Optional[str]) -> list:
    return [pytest.mark.xfail(reason=reason, strict=True)] if reason else []


@pytest.mark.parametrize("mod,fn", [pytest.param(m, f, marks=_mark(gap_reason(m, f)), id=f) for m, f in CASES])
def test_total_equals_torch(root: Path, oracle: dict, mod: str, fn: str) -> None:
    assert static_total(root, mod, fn) == oracle[fn]["total"]


@pytest.mark.parametrize("mod,fn", [pytest.param(m, f, marks=_mark(wrong_reason(m, f)), id=f) for m, f in CASES])
def test_never_a_wrong_total(root: Path, oracle: dict, mod: str, fn: str) -> None:
    """Unknown (``?``) is allowed; a number must be torch's."""
    got = static_total(root, mod, fn)
    assert got is None or got == oracle[fn]["total"], f"{fn}: shapecheck {got:,} != torch {oracle[fn]['total']:,}"


@pytest.mark.parametrize("mod,fn", [(m, f) for m, f in CASES if gap_reason(m, f) is None], ids=lambda x: x)
def test_rows_are_the_named_children(root: Path, oracle: dict, mod: str, fn: str) -> None:
    """Where the total agrees, each row is one of ``named_children()`` with its own count."""
    m = static_summary(root, mod, fn)
    want = [tuple(c) for c in oracle[fn]["children"]]
    got = [(r.name, r.type, None if r.params is None else D.as_int(r.params)) for r in m.top() if r.kind == "module"]
    assert got == want


# ---------------------------------------------------------------------------------- report
def main() -> None:  # pragma: no cover - a table for humans
    root = wheel_root()
    real = run_oracle(root)
    rows = {"ok": [], "unknown": [], "WRONG": []}
    for mod, fn in CASES:
        got = static_total(root, mod, fn)
        want = real[fn].get("total")
        kind = "ok" if got == want else ("unknown" if got is None else "WRONG")
        rows[kind].append(fn)
        print(f"{kind:8} {fn:22} shapecheck {'?' if got is None else f'{got:,}':>14}   torch {want:>14,}")
    print(", ".join(f"{k}: {len(v)}" for k, v in rows.items()), f"of {len(CASES)} builders")


if __name__ == "__main__":  # pragma: no cover
    main()
