"""The mutation harness (benchmarks/mutants): each operator plants the change it names, the worker
builds and runs a mutated model for real, and a confirmed mutant is counted found or missed as
shapecheck really reports it."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.mutants.operators import OPERATORS, iter_mutants, mutant_at
from benchmarks.mutants.run import new_findings
from benchmarks.mutants.worker import classify
from shapecheck.engine import check_path

ROOT = Path(__file__).resolve().parent.parent

SOURCE = '''\
import torch
import torch.nn as nn
import torch.nn.functional as F
from einops import rearrange


class Net(nn.Module):
    def __init__(self, dim, heads, patch):
        super().__init__()
        self.proj = nn.Conv2d(3, dim, patch, stride=patch)
        self.fc = nn.Linear(dim, 10)
        self.num_patches = (224 // patch) ** 2

    def forward(self, x, w):
        x = rearrange(self.proj(x), 'b c h w -> b (h w) c')
        q = x.reshape(2, self.num_patches, 4, 8)
        a = torch.einsum('bnhd,bmhd->bhnm', q, q)
        y = x @ w.T
        z = torch.cat([x, y], dim=1)
        return self.fc(F.softmax(z, -1).mean(1))
'''

# operator -> every (original, mutated) it yields on SOURCE, in source order
EXPECTED = {
    "linear_swap": [("nn.Linear(dim, 10)", "nn.Linear(10, dim)")],
    "linear_in_scale": [("nn.Linear(dim, 10)", "nn.Linear(2 * dim, 10)")],
    "linear_in_plus_one": [("nn.Linear(dim, 10)", "nn.Linear(dim + 1, 10)")],
    "conv_in_scale": [("nn.Conv2d(3, dim, patch, stride=patch)", "nn.Conv2d(2 * 3, dim, patch, stride=patch)")],
    "conv_out_scale": [("nn.Conv2d(3, dim, patch, stride=patch)", "nn.Conv2d(3, 2 * dim, patch, stride=patch)")],
    "dim_shift": [("torch.cat([x, y], dim=1)", "torch.cat([x, y], dim=2)"),
                  ("F.softmax(z, -1).mean(1)", "F.softmax(z, -1).mean(2)"),
                  ("F.softmax(z, -1)", "F.softmax(z, -2)")],
    "einops_swap": [("rearrange(self.proj(x), 'b c h w -> b (h w) c')",
                     "rearrange(self.proj(x), 'b c h w -> b c (h w)')")],
    "einsum_swap": [("torch.einsum('bnhd,bmhd->bhnm', q, q)", "torch.einsum('bnhd,bmhd->bhmn', q, q)")],
    "floordiv_scale": [("(224 // patch)", "(224 // (2 * patch))")],  # the parentheses belong to the node
    "pow2_drop": [("(224 // patch) ** 2", "(224 // patch)")],
    "transpose_drop": [("w.T", "w")],
    "transpose_add": [],  # the only product's operand is transposed already: that is transpose_drop's mutant
    "reshape_size": [("x.reshape(2, self.num_patches, 4, 8)", "x.reshape(2, self.num_patches, 4, 2 * 8)")],
}


def test_every_operator_has_an_expectation():
    assert set(EXPECTED) == set(OPERATORS)


@pytest.mark.parametrize("operator", OPERATORS)
def test_operator_yields_the_expected_mutants(operator):
    mutants = list(iter_mutants(SOURCE, (operator,)))
    assert [(m.original, m.mutated) for m in mutants] == EXPECTED[operator]
    for m in mutants:
        # one change in one place: the mutant is the source with the original span replaced
        before, after = SOURCE.splitlines(), m.text.splitlines()
        assert len(before) == len(after)
        assert [i + 1 for i, (a, b) in enumerate(zip(before, after)) if a != b] == [m.line]
        assert after[m.line - 1] == before[m.line - 1].replace(m.original, m.mutated, 1)
        assert mutant_at(SOURCE, operator, m.index) == m


def test_transpose_add_on_a_plain_product():
    [m] = iter_mutants("def f(q, k):\n    return q @ k\n", ("transpose_add",))
    assert m.text == "def f(q, k):\n    return q @ k.transpose(-2, -1)\n"


def test_multiline_call_is_spliced_in_place():
    src = "import torch.nn as nn\nfc = nn.Linear(\n    64,\n    10,\n)\n"
    [m] = iter_mutants(src, ("linear_in_scale",))
    assert m.text == "import torch.nn as nn\nfc = nn.Linear(\n    2 * 64,\n    10,\n)\n"
    assert (m.line, m.end_line) == (2, 5)


def test_reshape_of_a_tuple_changes_the_last_size_not_minus_one():
    [m] = iter_mutants("y = x.reshape((a, b, -1))\n", ("reshape_size",))
    assert m.mutated == "x.reshape((a, 2 * b, -1))"


def test_no_mutants_of_functional_calls_or_dtype_views():
    src = "import torch.nn.functional as F\ndef f(x, w):\n    return F.conv2d(x, w).view(torch.float16)\n"
    assert list(iter_mutants(src, ("conv_in_scale", "conv_out_scale", "reshape_size"))) == []


@pytest.mark.parametrize("exc_type,message,kind", [
    ("RuntimeError", "mat1 and mat2 shapes cannot be multiplied (2x512 and 513x400)", "shape"),
    ("RuntimeError", "Given groups=1, weight of size [8, 6, 3, 3], expected input[2, 3, 8, 8] to have 6 channels, "
                     "but got 3 channels instead", "shape"),
    ("RuntimeError", "shape '[2, 1, 8]' is invalid for input of size 1204224", "shape"),
    ("ValueError", "not enough values to unpack (expected 3, got 2)", "shape"),
    ("TypeError", "forward() takes 2 positional arguments but 3 were given", "other"),
    ("NameError", "name 'dim' is not defined", "other"),
    ("RuntimeError", "Tensor.item() cannot be called on meta tensors", "other"),
])
def test_classify(exc_type, message, kind):
    assert classify(exc_type, message) == kind


def test_new_findings_by_code_and_message():
    before = [("SHP302", 10, "rank 3")]
    after = [("SHP302", 11, "rank 3"), ("SHP301", 20, "in_features")]
    assert new_findings(before, after) == [("SHP301", 20, "in_features")]


TINY = '''\
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1)
        self.fc1 = nn.Linear(8 * 4 * 4, 32)
        self.fc2 = nn.Linear(32, 10)

    def forward(self, x):
        x = torch.relu(self.conv(x))
        x = nn.functional.adaptive_avg_pool2d(x, 4)
        x = torch.flatten(x, 1)
        return self.fc2(torch.relu(self.fc1(x)))


def build():
    return Net()
'''


def _worker(tmp_path: Path, requests: list[dict]) -> list[dict]:
    """The harness's worker process over a package written here (each request in a forked child)."""
    lines = "".join(json.dumps(r) + "\n" for r in requests)
    run = subprocess.run([sys.executable, "-m", "benchmarks.mutants.worker", "plain", str(tmp_path)], cwd=ROOT,
                         input=lines, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    out = [json.loads(line) for line in run.stdout.splitlines()]
    assert out[0]["ready"]
    return out[1:]


def test_tiny_model_end_to_end(tmp_path):
    pytest.importorskip("torch")
    pkg = tmp_path / "tinypkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    path = pkg / "net.py"
    path.write_text(TINY)
    swap = next(m for m in iter_mutants(TINY, ("linear_swap",)) if "32, 10" in m.original)
    flat = next(iter(iter_mutants(TINY, ("dim_shift",))))
    conv = next(iter(iter_mutants(TINY, ("conv_out_scale",))))
    base = {"op": "run", "module": "tinypkg.net", "model": "build", "device": "cpu", "input": {"shape": [2, 3, 8, 8]}}
    results = _worker(tmp_path, [base, *({**base, "source": m.text} for m in (swap, flat, conv))])
    assert results[0]["status"] == "ok"  # the unmutated model runs
    for r in results[1:]:
        assert r["status"] == "error" and classify(r["type"], r["message"]) == "shape", r
    assert "mat1 and mat2 shapes cannot be multiplied" in results[1]["message"]
    assert "(2x256 and 128x32)" in results[3]["message"]  # 16 channels * 4 * 4 reach Linear(8 * 4 * 4, 32)

    def findings() -> list[tuple[str, int, str]]:
        return [(d.code, d.line, d.message) for d in check_path(str(path)) if d.severity in ("error", "warning")]

    clean = findings()
    assert clean == []
    verdicts = {}
    for m in (swap, flat, conv):
        path.write_text(m.text)
        new = new_findings(clean, findings())
        verdicts[m.operator] = [(c, line) for c, line, _ in new]
    path.write_text(TINY)
    # what shapecheck really does today: the Linear chain is provable from the constructors alone
    assert verdicts["linear_swap"] == [("SHP301", 16)]
    # a conv's output is taken as batched (N, C, h, w), so what flatten(x, 1 or 2) gives the Linear
    # is known: flatten(x, 2) is (N, 8, 16), a conv 16 wide gives 16*4*4 features; both are found
    # where the flattened features reach the Linear
    assert verdicts["dim_shift"] == [("SHP303", 16)]
    assert verdicts["conv_out_scale"] == [("SHP303", 16)]
