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


# ------------------------------------------------------------------ --fix and --diff
def _nbformat_layout(data: dict) -> str:
    """What nbformat writes: indent 1, sorted keys, non-ASCII kept, a trailing newline."""
    return json.dumps(data, indent=1, ensure_ascii=False, sort_keys=True) + "\n"


@pytest.fixture
def with_outputs(tmp_path, monkeypatch):
    data = json.loads(BUGGY)
    data["cells"][3]["outputs"] = [{"output_type": "stream", "name": "stdout", "text": ["héllo ✓\n"]}]
    data["cells"][3]["execution_count"] = 7
    data["cells"][5]["source"] = "w = torch.randn(20, 10)\ntorch.zeros?\nz = torch.randn(32, 10) @ w  # project"
    data["cells"][5]["metadata"] = {"tags": ["keep"]}
    text = _nbformat_layout(data)
    (tmp_path / "buggy.ipynb").write_text(text, encoding="utf-8")
    (tmp_path / "clean.ipynb").write_text(CLEAN)
    monkeypatch.chdir(tmp_path)
    return tmp_path, data, text


def test_diff_shows_each_changed_cell_never_the_json(with_outputs, capsys):
    folder, _, text = with_outputs
    assert cli.run(["check", "--diff", "buggy.ipynb", "clean.ipynb"]) == 1
    out, err = capsys.readouterr()
    assert out == ("--- buggy.ipynb:cell 6\n+++ buggy.ipynb:cell 6\n@@ -1,3 +1,3 @@\n"
                   " w = torch.randn(20, 10)\n torch.zeros?\n-z = torch.randn(32, 10) @ w  # project\n"
                   "+z = torch.randn(32, 10) @ w.T  # project\n")
    assert err.startswith("Would fix 1 error.") and "1 hidden fix" in err  # the SHP301 edit is unsafe
    assert (folder / "buggy.ipynb").read_text(encoding="utf-8") == text


def test_fix_edits_only_the_cells_and_keeps_the_rest(with_outputs, capsys):
    folder, data, text = with_outputs
    clean_before = (folder / "clean.ipynb").read_bytes()
    assert cli.run(["check", "--fix", "--unsafe-fixes", "buggy.ipynb", "clean.ipynb"]) == 0
    assert capsys.readouterr().out == "Found 2 errors in 2 files checked (2 fixed, 0 remaining).\n"
    data["cells"][3]["source"][0] = data["cells"][3]["source"][0].replace("nn.Linear(256, 10)", "nn.Linear(128, 10)")
    data["cells"][5]["source"] = data["cells"][5]["source"].replace("@ w ", "@ w.T ")
    after = (folder / "buggy.ipynb").read_text(encoding="utf-8")
    assert after == _nbformat_layout(data)  # outputs, counts, metadata, layout, list/str sources: all kept
    assert (folder / "clean.ipynb").read_bytes() == clean_before
    assert cli.run(["check", "buggy.ipynb"]) == 0


def test_fix_on_a_clean_notebook_changes_nothing(notebooks_dir, capsys):
    before = (notebooks_dir / "clean.ipynb").read_bytes()
    assert cli.run(["check", "--fix", "--unsafe-fixes", "clean.ipynb"]) == 0
    assert cli.run(["check", "--diff", "clean.ipynb"]) == 0
    assert capsys.readouterr() == ("All checks passed! (1 file checked)\n", "No errors would be fixed.\n")
    assert (notebooks_dir / "clean.ipynb").read_bytes() == before


def test_json_edits_of_a_notebook_are_in_their_cell(notebooks_dir, capsys):
    cli.run(["check", "buggy.ipynb", "--output-format", "json"])
    found = json.loads(capsys.readouterr().out)
    (d,) = [d for d in found if d["code"] == "SHP102"]
    assert d["cell"] == 6 and d["fix"]["edits"] == [
        {"line": 3, "column": 5, "end_line": 3, "end_column": 28, "content": "torch.randn(32, 10) @ w.T", "cell": 6}]


def test_dumps_keeps_a_layout_nbformat_did_not_write():
    data = {"nbformat": 4, "cells": [], "metadata": {"title": "é"}}
    for text in (json.dumps(data, indent=2) + "\n", json.dumps(data), json.dumps(data, indent=1, ensure_ascii=False)):
        assert notebooks.dumps(json.loads(text), text) == text
