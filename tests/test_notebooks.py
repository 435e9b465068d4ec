"""Jupyter notebooks in ``shapecheck check``: the code cells in order as one program, IPython
magics and shell lines blanked, findings placed in their cell (``nb.ipynb:cell 4:1:55``, and
``cell`` with the cell's line in JSON and SARIF), as ruff reports notebooks."""
from __future__ import annotations

import json

import pytest

from shapecheck import cli, notebooks


def _notebook(cells: list) -> str:
    return json.dumps({
        "cells": [{"cell_type": kind, "metadata": {}, "source": src,
                   **({"outputs": [], "execution_count": None} if kind == "code" else {})} for kind, src in cells],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
        "nbformat": 4, "nbformat_minor": 5}, indent=1)


BUGGY = _notebook([
    ("markdown", ["# A small MLP\n"]),
    ("code", ["%matplotlib inline\n", "!pip install torch\n", "import torch\n", "from torch import nn\n"]),
    ("markdown", ["The model, then a batch through it\n"]),
    ("code", ["model = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(256, 10))\n",
              "x = torch.randn(32, 784)\n", "y = model(x)"]),
    ("code", ["%%time\n", "this cell is timed, not Python\n"]),
    ("code", ["w = torch.randn(20, 10)\n", "torch.zeros?\n", "z = torch.randn(32, 10) @ w"]),
])
CLEAN = BUGGY.replace("nn.Linear(256, 10)", "nn.Linear(128, 10)").replace("@ w", "@ w.T")


@pytest.fixture
def notebooks_dir(tmp_path, monkeypatch):
    (tmp_path / "buggy.ipynb").write_text(BUGGY)
    (tmp_path / "clean.ipynb").write_text(CLEAN)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_program_blanks_ipython_lines_and_keeps_places():
    nb = notebooks.parse(BUGGY)
    lines = nb.source.splitlines()
    assert lines[:4] == ["", "", "import torch", "from torch import nn"]
    assert nb.place(5) == (2, 5)  # the empty line the trailing newline of cell 2 leaves
    assert nb.place(lines.index("y = model(x)") + 1) == (4, 3)
    assert "this cell is timed" not in nb.source and "torch.zeros?" not in nb.source
    assert nb.place(lines.index("z = torch.randn(32, 10) @ w") + 1) == (6, 3)


def test_text_output_names_cell_and_line(notebooks_dir, capsys):
    code = cli.run(["check", "buggy.ipynb", "clean.ipynb"])
    out = capsys.readouterr().out.splitlines()
    assert code == 1
    assert out == [
        "buggy.ipynb:cell 4:1:55: SHP301 nn.Linear(256, 10) expects in_features=256 at axis -1 but gets 128 "
        "(input (32, 128))",
        "buggy.ipynb:cell 6:3:5: SHP102 @ of (32, 10) and (20, 10): contracted sizes differ, 10 != 20; "
        "did you mean w.T?",
        "Found 2 errors in 2 files checked.",
    ]


def test_json_and_folder_walk(notebooks_dir, capsys):
    assert cli.run(["check", ".", "--output-format", "json"]) == 1
    found = json.loads(capsys.readouterr().out)
    assert [(d["path"], d["cell"], d["line"], d["code"]) for d in found][:1] == [("buggy.ipynb", 4, 1, "SHP301")]
    assert all(d["path"] == "buggy.ipynb" for d in found)
    assert cli.run(["check", "clean.ipynb"]) == 0


def test_sarif_carries_the_cell(notebooks_dir, capsys):
    cli.run(["check", "buggy.ipynb", "--output-format", "sarif"])
    log = json.loads(capsys.readouterr().out)
    loc = log["runs"][0]["results"][0]["locations"][0]
    assert loc["properties"] == {"cell": 4} and loc["physicalLocation"]["region"]["startLine"] == 1


def test_a_file_that_is_not_a_notebook_is_shp900(tmp_path, capsys):
    (tmp_path / "broken.ipynb").write_text("{not json")
    assert cli.run(["check", str(tmp_path / "broken.ipynb"), "--output-format", "json"]) == 1
    (d,) = json.loads(capsys.readouterr().out)
    assert d["code"] == "SHP900" and "cannot read this notebook" in d["message"]
