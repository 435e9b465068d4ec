"""The torch summary: torchinfo's table and figures, without running anything.

Small models of ours (``tests/data/summary_models/``: a module-level Sequential, an embedding and
LSTM fed token ids, a model made only of parameters and a buffer, an activation called twice with
blocks in a ModuleList and heads in a ModuleDict, MultiheadAttention, transposed convolutions, a
constructor default followed) against torchinfo 1.8 run on them for real
(``tests/data/make_torchinfo_small.py`` keeps its figures in ``torchinfo_small.json``), row by row
and to the byte; goldens of the text the command prints; the command line's options.
"""
from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
import sympy

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
MODELS = DATA / "summary_models"
GOLDEN = DATA / "summary_golden"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from shapecheck import cli  # noqa: E402
from shapecheck import dims as D  # noqa: E402
from shapecheck.summary import ModelSummary, render_text, summarize_source, to_json  # noqa: E402

SMALL = json.loads((DATA / "torchinfo_small.json").read_text(encoding="utf-8")) if (
    DATA / "torchinfo_small.json").exists() else {"models": {}, "row": []}


def run(capsys: Any, *argv: str) -> tuple:
    code = cli.run(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def model_of(name: str) -> ModelSummary:
    path = MODELS / f"{name}.py"
    found = [m for m in summarize_source(path.read_text(encoding="utf-8"), str(path)) if m.var == "model"]
    assert len(found) == 1
    return found[0]


def _dims(s: Any) -> Any:
    while isinstance(s, list):
        s = s[0] if s else None
    return None if s is None or s.variadic else [D.as_int(d) for d in s.dims]


def _int(n: Any) -> Any:
    return None if n is None else D.as_int(n)


# ---------------------------------------------------------------------------------- against torchinfo
@pytest.mark.parametrize("name", sorted(SMALL["models"]))
def test_small_models_equal_torchinfo(name: str) -> None:
    """Every row torchinfo has (every call of every module): the module's row, its input and output
    shapes at its first call, its parameters, its calls, its mult-adds over them; every module of
    ``named_modules()`` a row in that order; totals and memory to the byte."""
    want = SMALL["models"][name]
    m = model_of(name)
    rows = {r.path: r for r in m.rows if r.kind == "module"}
    rows[""] = m.root
    trows = [dict(zip(SMALL["row"], r)) for r in want["rows"]]
    macs: dict = defaultdict(int)
    calls: dict = defaultdict(int)
    for t in trows:
        macs[t["path"]] += t["mult_adds"]
        calls[t["path"]] += t["executed"]
    problems = []
    for t in trows:
        r = rows.get(t["path"])
        if r is None:
            problems.append(f"{t['path']}: no row")
            continue
        if t["recursive"]:
            continue
        got = {"params": _int(r.params), "calls": r.calls}
        exp = {"params": t["params"], "calls": calls[t["path"]]}
        if t["executed"]:
            got.update(input=_dims(r.input), output=_dims(r.output))
            exp.update(input=t["input"], output=t["output"])
        if t["leaf"]:
            got["mult_adds"], exp["mult_adds"] = _int(r.mult_adds), macs[t["path"]]
        if got != exp:
            problems.append(f"{t['path'] or '(model)'} ({t['type']}): {got} != torchinfo {exp}")
    named = [(r.path, r.type) for r in m.rows if r.kind == "module"]
    if named != [tuple(x) for x in want["named_modules"]]:
        problems.append(f"rows {named} != named_modules() {want['named_modules']}")
    params = [(r.path, [_int(d) for d in r.output.dims]) for r in m.rows if r.kind == "parameter"]
    own = {p for p, _ in params}
    if any([p, s] not in want["named_parameters"] for p, s in params) or not own <= {
            p for p, _ in want["named_parameters"]}:
        problems.append(f"parameter rows {params} are not parameters of {want['named_parameters']}")
    totals = {"params": _int(m.total), "trainable": _int(m.trainable), "mult_adds": _int(m.mult_adds),
              "input_bytes": _int(m.input_bytes), "output_bytes": _int(m.output_bytes),
              "param_bytes": _int(m.param_bytes)}
    expected = {"params": want["total_params"], "trainable": want["trainable_params"],
                "mult_adds": want["total_mult_adds"], "input_bytes": want["input_bytes"],
                "output_bytes": want["output_bytes"], "param_bytes": want["param_bytes"]}
    if totals != expected:
        problems.append(f"totals {totals} != torchinfo {expected}")
    assert not problems, "\n".join(problems)


@pytest.mark.skipif(not SMALL["models"], reason="tests/data/torchinfo_small.json is absent")
def test_the_small_oracle_covers_the_brief() -> None:
    assert {"seq_cnn", "params_only", "norm_default", "lstm_tagger", "reuse", "attention"} <= set(SMALL["models"])
    assert SMALL["torchinfo"].startswith("1.8")


def test_a_model_of_parameters_alone_lists_them() -> None:
    """No submodule: the table holds its parameters and its buffer, not totals over an empty table."""
    m = model_of("params_only")
    assert [(r.name, r.type, r.kind, _int(r.params)) for r in m.rows] == [
        ("weight", "Parameter", "parameter", 128), ("bias", "Parameter", "parameter", 16),
        ("scale", "Buffer", "buffer", 0)]
    text = render_text([m])
    assert "weight (Parameter)" in text and "scale (Buffer)" in text and "Total params: 144" in text


def test_a_constructor_default_is_followed_and_said() -> None:
    """``norm_layer=None`` then ``if norm_layer is None: norm_layer = nn.BatchNorm2d``: the rows
    exist, and the header says which defaults were taken -- for a class no code builds too, whose
    required sizes stay symbols."""
    src = (MODELS / "norm_default.py").read_text(encoding="utf-8")
    found = {m.var: m for m in summarize_source(src, "norm_default.py")}
    block = found["Block"]
    assert block.built_by == "Block(c)" and block.assumed == ["Block(norm_layer=None -> nn.BatchNorm2d)"]
    assert [(r.name, r.type) for r in block.rows] == [("conv", "Conv2d"), ("bn", "BatchNorm2d"), ("relu", "ReLU")]
    c = sympy.Symbol("c", integer=True, positive=True)
    assert sympy.expand(block.total - (9 * c**2 + 2 * c)) == 0
    net = found["model"]
    assert net.assumed == ["Net(width=16, blocks=2, num_classes=10, norm_layer=None -> nn.BatchNorm2d)"]
    assert [r.path for r in net.rows if r.type == "BatchNorm2d"] == ["bn", "layers.0.bn", "layers.1.bn"]


def test_symbolic_sizes_give_formulas() -> None:
    """A class of symbolic width fed through its jaxtyping annotation: the mult-adds of a free
    batch are a formula (torchinfo's definition: a Linear counts its output's first size times its
    parameters)."""
    src = '''import torch
from jaxtyping import Float
from torch import Tensor, nn


class SelfAttention(nn.Module):
    def __init__(self, d: int):
        super().__init__()
        self.qkv = nn.Linear(d, 3 * d)
        self.proj = nn.Linear(d, d)

    def forward(self, x: Float[Tensor, "B T d"]) -> Float[Tensor, "B T d"]:
        q, k, v = self.qkv(x).chunk(3, dim=-1)
        return self.proj(torch.softmax(q @ k.transpose(-2, -1), dim=-1) @ v)
'''
    (m,) = summarize_source(src, "attn.py")
    b, t, d = (sympy.Symbol(n, integer=True, positive=True) for n in "BTd")
    assert m.input_source == "forward's annotations" and [_dims_sym(x.shape) for x in m.inputs] == [[b, t, d]]
    assert sympy.expand(m.mult_adds - 4 * b * d * (d + 1)) == 0
    assert sympy.expand(m.output_bytes - 2 * 4 * (b * t * 3 * d + b * t * d)) == 0
    assert [_dims_sym(r.output) for r in m.rows] == [[b, t, 3 * d], [b, t, d]]
    assert "Total mult-adds: 4*B*d*(d + 1)" in render_text([m], columns=["output_size", "mult_adds"])


def _dims_sym(s: Any) -> list:
    return list(s.dims)


def test_json_nests_rows_and_keeps_the_contract() -> None:
    m = model_of("norm_default")
    data = to_json([m], depth=2)
    (model,) = data["models"]
    assert set(model) == {"name", "framework", "path", "line", "layers", "total_params", "trainable_params",
                          "non_trainable_params"}
    assert [x["name"] for x in model["layers"]] == ["stem", "bn", "layers", "pool", "fc"]
    layers = model["layers"][2]
    assert [c["path"] for c in layers["children"]] == ["layers.0", "layers.1"]
    assert all(c["children"] == [] for c in layers["children"])  # (depth 3 cut off)
    assert layers["children"][0]["output_shape"] == [2, 16, 16, 16] and layers["index"] == 3
    if not SMALL["models"]:
        return
    (stat,) = data["statistics"]
    assert stat["inputs"] == [[2, 3, 16, 16]] and stat["total_mult_adds"] == SMALL["models"]["norm_default"][
        "total_mult_adds"] and stat["defaults_assumed"] == m.assumed


# ---------------------------------------------------------------------------------- goldens
def _golden(name: str, text: str) -> None:
    path = GOLDEN / f"{name}.txt"
    if "--regen" in sys.argv or not path.exists():  # (``python tests/test_summary_torch.py --regen``)
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"the summary of {name} changed (see {path})"


GOLDENS = {
    "seq_cnn": ["tests/data/summary_models/seq_cnn.py", "--columns", "input_size,output_size,num_params,kernel_size,"
                "mult_adds,trainable"],
    "norm_default": ["tests/data/summary_models/norm_default.py", "--columns", "output_size,num_params,mult_adds"],
}


@pytest.mark.parametrize("name", sorted(GOLDENS))
def test_golden_text(name: str, capsys: Any, monkeypatch: Any) -> None:
    monkeypatch.chdir(ROOT)
    code, out, err = run(capsys, "summary", *GOLDENS[name])
    assert code == 0 and not err, err
    _golden(name, out)


def test_golden_resnet_builder(capsys: Any, monkeypatch: Any) -> None:
    """torchvision's ``resnet18()`` from its own source file: the builder's and the class's
    defaults in the header, the nested table with mult-adds, torchinfo's totals."""
    from test_corpus import unpacked

    models = unpacked("torchvision==0.29.1", "torchvision") / "torchvision" / "models"
    monkeypatch.chdir(models)
    code, out, err = run(capsys, "summary", "resnet.py::resnet18", "--input-shape", "1,3,224,224", "--depth", "2",
                         "--columns", "output_size,num_params,mult_adds")
    assert code == 0 and not err, err
    assert "Total mult-adds (G): 1.81" in out and "Params size (MB): 46.76" in out
    _golden("resnet18", out)


README_COMMAND = ["summary", "torchvision/models/resnet.py", "--model", "resnet18", "--input-shape", "1,3,224,224",
                  "--depth", "2", "--columns", "output_size,num_params,mult_adds"]


def readme_nested_block(capsys: Any, monkeypatch: Any) -> str:
    """The README's nested table: the command run for real in the unzipped torchvision wheel."""
    from test_corpus import unpacked

    monkeypatch.chdir(unpacked("torchvision==0.29.1", "torchvision"))
    code, out, err = run(capsys, *README_COMMAND)
    assert code == 0 and not err, err
    return f"```console\n$ shapecheck {' '.join(README_COMMAND)}\n{out}```\n"


def test_readme_nested_table_is_the_tools_output(capsys: Any, monkeypatch: Any) -> None:
    """README's "Model summaries" shows resnet18 as the command prints it now (``python
    tests/test_summary_torch.py --regen`` writes it)."""
    sys.path.insert(0, str(ROOT / "scripts"))
    from gen_docs import refresh_readme

    readme = ROOT / "README.md"
    text = readme.read_text(encoding="utf-8")
    assert "<!-- begin: summary-nested-output -->" in text
    fresh = refresh_readme(text, {"summary-nested-output": readme_nested_block(capsys, monkeypatch)})
    if "--regen" in sys.argv:
        readme.write_text(fresh, encoding="utf-8")
        text = fresh
    assert fresh == text, "README.md's nested summary is out of date: run python tests/test_summary_torch.py --regen"
    assert "Total mult-adds (G): 1.81" in text and "│    └─0 (BasicBlock): 2-1" in text


# ---------------------------------------------------------------------------------- the command line
def test_a_file_that_does_not_parse_is_one_shp900_line(tmp_path: Path, capsys: Any) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("import torch\ndef f(:\n    pass\n", encoding="utf-8")
    code, out, err = run(capsys, "summary", str(bad))
    assert code == 1 and not err
    check_code, check_out, _ = run(capsys, "check", "--no-cache", "--quiet", str(bad))
    assert out.splitlines() == [check_out.splitlines()[0]] and out.startswith(f"{bad}:2:7: SHP900 ")


def test_depth_columns_and_model(capsys: Any, monkeypatch: Any) -> None:
    monkeypatch.chdir(ROOT)
    path = "tests/data/summary_models/reuse.py"
    code, out, _ = run(capsys, "summary", path, "--model", "model", "--depth", "1", "--columns", "num_params,trainable")
    assert code == 0 and "blocks (ModuleList): 1-1" in out and "fc1" not in out
    head = next(line for line in out.splitlines() if line.startswith("Layer"))
    assert head.split() == ["Layer", "(var_name", "(type):depth-idx)", "Param", "#", "Trainable"]
    code, out, _ = run(capsys, "summary", path, "--model", "Block", "--depth", "1")
    # (LayerNorm(d) of a symbolic d is not counted: the block as Net builds it is shown, and where)
    assert code == 0 and out.startswith(f'{path}:6: torch model "Block" as built by the call at line 21\n')
    assert "Total params: 2,424" in out
    other = "tests/data/summary_models/norm_default.py"
    code, out, _ = run(capsys, "summary", other, "--model", "Block")
    assert code == 0 and out.startswith(f'{other}:6: torch model "Block" = Block(c)\n'
                                        "Defaults assumed: Block(norm_layer=None -> nn.BatchNorm2d)\n")
    code, out, _ = run(capsys, "summary", f"{path}::Net(d=8, depth=1)", "--input-shape", "2,8", "--ascii")
    assert code == 0 and "Total params: 8*16+16+16*8+8+16" not in out and "+ blocks (ModuleList): 1-1" in out
    assert "|    + 0 (Block): 2-1" in out and "[2, 4]" in out and out.isascii()
    code, _, err = run(capsys, "summary", path, "--columns", "output_size,flops")
    assert code == 2 and "--columns: unknown column flops" in err
    code, _, err = run(capsys, "summary", path, "--model", "Missing")
    assert code == 2 and "the file defines no 'Missing'" in err
    code, _, err = run(capsys, "summary", path, "--model", "Net(")
    assert code == 2 and "--model: not a name or a call" in err
    code, _, err = run(capsys, "summary", path, "--input-shape", "2,x")
    assert code == 2 and err.startswith("shapecheck: error: --input-shape")


@pytest.mark.skipif(not SMALL["models"], reason="tests/data/torchinfo_small.json is absent")
def test_token_ids_on_the_command_line(capsys: Any, monkeypatch: Any) -> None:
    """``--input-shape 4,12:int``: int64 ids (torchinfo's input size counts 8 bytes each)."""
    monkeypatch.chdir(ROOT)
    src = (MODELS / "lstm_tagger.py").read_text(encoding="utf-8").replace("out = model(x)\n", "")
    (m,) = [x for x in summarize_source(src, "t.py", inputs=None) if x.var == "model"]
    assert not m.inputs and m.mult_adds is None and "Total mult-adds" not in render_text([m])
    from shapecheck.cli import _summary_inputs

    (m,) = [x for x in summarize_source(src, "t.py", inputs=_summary_inputs(["4,12:int"])) if x.var == "model"]
    assert _int(m.input_bytes) == SMALL["models"]["lstm_tagger"]["input_bytes"] == 4 * 12 * 8 + 64
    assert _int(m.mult_adds) == SMALL["models"]["lstm_tagger"]["total_mult_adds"]


if __name__ == "__main__":  # pragma: no cover - ``--regen``: rewrite the goldens and README's table
    sys.exit(pytest.main([__file__, "-q", "-p", "no:cacheprovider"] + (["-k", "golden or readme"] if "--regen" in
                                                                         sys.argv else [])))
