"""The result cache (shapecheck/cache.py) as a user meets it: a second run reads what the first
kept and prints the same; editing a file, a file it imports, or adding a module where an import
looked re-checks; a corrupt, truncated or foreign entry is rewritten; concurrent runs share a
cache; nothing goes through a link; a run whose files all hit loads no analysis."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from shapecheck import cache as cachemod
from shapecheck import cli
from shapecheck.findings import Diagnostic, Edit, Fix

ROOT = Path(__file__).resolve().parent.parent

MODEL = ("import torch.nn as nn\n\n\nclass Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
         "        self.fc = nn.Linear({n}, 5)\n\n    def forward(self, x):\n        return self.fc(x)\n")
TRAIN = "import torch\nfrom model import Net\n\nnet = Net()\ny = net(torch.randn(3, 20))\n"
TRANSPOSE = "import torch\nx = torch.randn(64, 20)\nw = torch.randn(10, 20)\ny = x @ w\n"


def env() -> dict:
    """The environment of a ``python -m shapecheck`` child: this checkout importable, no cache
    folder from the caller's environment."""
    e = dict(os.environ)
    # (no empty entry: Python reads one as the current folder)
    e["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), e.get("PYTHONPATH", "")) if p)
    e.pop(cachemod.ENV_DIR, None)
    return e


def check(capsys, *argv: str) -> tuple:
    code = cli.run(["check", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def entries(cache_dir: Path) -> list[Path]:
    return sorted(cache_dir.glob("v*/*.json"))


@pytest.fixture
def proj(tmp_path, monkeypatch):
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    (tmp_path / "model.py").write_text(MODEL.format(n=10))
    (tmp_path / "train.py").write_text(TRAIN)
    (tmp_path / "transpose.py").write_text(TRANSPOSE)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(cachemod.ENV_DIR, raising=False)
    return tmp_path


def test_second_run_reads_the_cache_and_prints_the_same(proj, capsys):
    first = check(capsys, ".", "--output-format", "json")
    made = entries(proj / ".shapecheck_cache")
    assert len(made) == 3  # one entry per file
    stamps = {p: p.stat().st_mtime_ns for p in made}
    second = check(capsys, ".", "--output-format", "json")
    assert second == first
    assert {p: p.stat().st_mtime_ns for p in entries(proj / ".shapecheck_cache")} == stamps  # read, not rewritten
    codes = sorted(d["code"] for d in json.loads(first[1]))
    assert codes == ["SHP102", "SHP301"] and first[0] == 1
    fix = next(d["fix"] for d in json.loads(second[1]) if d["code"] == "SHP102")
    assert fix["applicability"] in ("safe", "unsafe") and fix["edits"]  # fixes survive the cache
    assert (proj / ".shapecheck_cache" / "CACHEDIR.TAG").read_text().startswith(
        "Signature: 8a477f597d28d172789f06886806bc55")
    assert (proj / ".shapecheck_cache" / ".gitignore").read_text().splitlines()[-1] == "*"


def test_editing_an_imported_file_rechecks_its_importers(proj, capsys):
    code, out, _ = check(capsys, "train.py")
    assert "SHP301" in out and code == 1
    (proj / "model.py").write_text(MODEL.format(n=20))  # the layer now takes 20 features
    code, out, _ = check(capsys, "train.py")
    assert "SHP301" not in out and code == 0
    (proj / "model.py").write_text(MODEL.format(n=10))
    code, out, _ = check(capsys, "train.py")
    assert "SHP301" in out and code == 1


def test_a_module_added_where_an_import_looked_rechecks(proj, capsys):
    (proj / "use.py").write_text("import torch\nfrom helpers import make\n\ny = make() @ torch.randn(7, 2)\n")
    code, out, _ = check(capsys, "use.py")
    assert code == 0  # helpers.py does not exist: make() is unknown
    (proj / "helpers.py").write_text("import torch\n\n\ndef make():\n    return torch.randn(3, 4)\n")
    code, out, _ = check(capsys, "use.py")
    assert "SHP101" in out and code == 1


def test_options_are_part_of_the_key(proj, capsys):
    assert "SHP102" in check(capsys, "transpose.py")[1]
    assert "SHP102" not in check(capsys, "transpose.py", "--ignore", "SHP102")[1]
    assert "SHP102" in check(capsys, "transpose.py")[1]
    assert len(entries(proj / ".shapecheck_cache")) == 2


@pytest.mark.parametrize("damage", ["truncate", "garbage", "foreign", "empty"])
def test_a_damaged_entry_is_ignored_and_rewritten(proj, capsys, damage):
    first = check(capsys, ".", "--output-format", "json")
    for p in entries(proj / ".shapecheck_cache"):
        text = p.read_text()
        p.write_text({"truncate": text[: len(text) // 2], "garbage": "\x00\xff not json",
                      "foreign": json.dumps({"format": 99, "diagnostics": [1, 2]}), "empty": ""}[damage])
    assert check(capsys, ".", "--output-format", "json") == first
    for p in entries(proj / ".shapecheck_cache"):
        assert json.loads(p.read_text())["format"] == cachemod.FORMAT  # rewritten whole


def test_no_cache_and_cache_dir_and_config(proj, capsys):
    check(capsys, ".", "--no-cache")
    assert not (proj / ".shapecheck_cache").exists()
    check(capsys, ".", "--cache-dir", "elsewhere")
    assert len(entries(proj / "elsewhere")) == 3
    (proj / "pyproject.toml").write_text("[tool.shapecheck]\ncache-dir = 'build/sc'\n")
    check(capsys, ".")
    assert len(entries(proj / "build" / "sc")) == 3
    (proj / "pyproject.toml").write_text("[tool.shapecheck]\ncache-dir = 3\n")
    code, _, err = check(capsys, ".")
    assert code == 2 and "cache-dir" in err and len(err.strip().splitlines()) == 1


def test_an_unwritable_cache_is_no_failure(proj, capsys):
    (proj / "blocked").write_text("a file, not a folder")
    code, out, err = check(capsys, "transpose.py", "--cache-dir", "blocked")
    assert code == 1 and "SHP102" in out and not err


def test_links_inside_the_cache_are_never_followed(proj, capsys, tmp_path_factory):
    outside = tmp_path_factory.mktemp("outside") / "secret.json"
    outside.write_text("keep me")
    first = check(capsys, "transpose.py")
    [entry] = entries(proj / ".shapecheck_cache")
    entry.unlink()
    entry.symlink_to(outside)  # a planted link where the entry was
    assert check(capsys, "transpose.py") == first
    assert outside.read_text() == "keep me"  # not read as an entry, not written through
    assert not entry.is_symlink() and json.loads(entry.read_text())["format"] == cachemod.FORMAT


def test_concurrent_runs_share_a_cache(proj):
    for i in range(12):
        (proj / f"m{i}.py").write_text(TRANSPOSE.replace("64", str(30 + i)))
    cmd = [sys.executable, "-m", "shapecheck", "check", ".", "--output-format", "json", "--jobs", "1"]
    runs = [subprocess.Popen(cmd, cwd=proj, env=env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(3)]
    outs = [r.communicate(timeout=300) for r in runs]
    assert all(r.returncode == 1 for r in runs), [o[1] for o in outs]
    assert outs[0][0] == outs[1][0] == outs[2][0]
    for p in entries(proj / ".shapecheck_cache"):
        json.loads(p.read_text())  # every entry whole
    assert not list((proj / ".shapecheck_cache").glob("v*/.tmp-*"))
    again = subprocess.run(cmd, cwd=proj, env=env(), capture_output=True, text=True, timeout=300)
    assert again.stdout == outs[0][0]


def test_a_run_that_hits_imports_no_analysis(proj):
    probe = ("import sys\nfrom shapecheck.cli import run\nstatus = run(['check', '.'])\n"
             "print(status, 'sympy' in sys.modules, 'libcst' in sys.modules)\n")
    cold = subprocess.run([sys.executable, "-c", probe], cwd=proj, env=env(), capture_output=True, text=True)
    assert cold.stdout.split()[-3:] == ["1", "True", "True"], cold.stderr
    warm = subprocess.run([sys.executable, "-c", probe], cwd=proj, env=env(), capture_output=True, text=True)
    assert warm.stdout.split()[-3:] == ["1", "False", "False"], warm.stderr
    assert warm.stdout.splitlines()[:-1] == cold.stdout.splitlines()[:-1]


def test_an_interrupted_write_leaves_no_entry(tmp_path, monkeypatch):
    c = cachemod.Cache.open(str(tmp_path))
    assert c is not None

    def interrupted(src, dst):
        raise KeyboardInterrupt

    monkeypatch.setattr(cachemod.os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        cachemod._write_atomic(os.path.join(c.folder, "x.json"), b"{}", c.folder)
    assert os.listdir(c.folder) == []


def test_diagnostics_round_trip_losslessly():
    edits = (Edit(1, 2, 1, 5, "w.T"), Edit(3, 1, 3, 4, "x", cell=2))
    ds = [Diagnostic("SHP102", "missing-transpose", "error", "msg", "a.py", 1, 2, 1, 5,
                     Fix("use w.T", "w.T", safe=False, edits=edits), cell=None),
          Diagnostic("SHP901", "analysis-skipped", "info", "m", "nb.ipynb", 4, 1, 4, 9, None, cell=3),
          Diagnostic("SHP301", "layer-input-mismatch", "error", "m", "b.py", 2, 1, 2, 9, Fix("advice only"))]
    back = [cachemod.diagnostic_from_dict(json.loads(json.dumps(cachemod.diagnostic_to_dict(d)))) for d in ds]
    assert back == ds
    assert [d.to_json() for d in back] == [d.to_json() for d in ds]
