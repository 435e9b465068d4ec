"""``check --write-baseline`` / ``--baseline``: old findings stay quiet, new ones are reported."""
from __future__ import annotations

import json

from shapecheck.cli import run

OLD = "import torch\n\na = torch.randn(3, 4)\nold = a @ torch.randn(5, 4)\n"


def test_the_baseline_survives_lines_inserted_above(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "m.py").write_text(OLD)
    assert run(["check", ".", "--write-baseline", "shapecheck-baseline.json"]) == 0
    assert capsys.readouterr().out.strip() == "Wrote 1 finding to shapecheck-baseline.json."
    data = json.loads((tmp_path / "shapecheck-baseline.json").read_text())
    assert data["findings"] == [{"path": "m.py", "code": "SHP102", "message": data["findings"][0]["message"],
                                 "line": "old = a @ torch.randn(5, 4)"}]
    # lines above the old finding, and a new bug
    (tmp_path / "m.py").write_text("# new header\n\n" + OLD + "new = torch.cat([a, torch.randn(3, 2)])\n")
    assert run(["check", ".", "--baseline", "shapecheck-baseline.json"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert [line.split(": ")[1].split()[0] for line in out[:-1]] == ["SHP202"]
    assert out[-1] == "Found 1 error in 1 file checked."
    # the old finding fixed: its entry is stale and counted
    (tmp_path / "m.py").write_text(OLD.replace("(5, 4)", "(4, 5)"))
    assert run(["check", ".", "--baseline", "shapecheck-baseline.json"]) == 0
    assert capsys.readouterr().out.strip() == ("All checks passed! (1 file checked) "
                                               "(1 baseline entry no longer found)")


def test_two_alike_findings_need_two_entries_and_a_bad_baseline_exits_2(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "m.py").write_text(OLD)
    assert run(["check", "m.py", "--write-baseline", "b.json"]) == 0
    (tmp_path / "m.py").write_text(OLD + "old = a @ torch.randn(5, 4)\n")  # the same line again
    capsys.readouterr()
    assert run(["check", "m.py", "--baseline", "b.json", "-q"]) == 1
    assert len(capsys.readouterr().out.splitlines()) == 1
    (tmp_path / "bad.json").write_text("[]")
    assert run(["check", "m.py", "--baseline", "bad.json"]) == 2
    assert "--baseline: bad.json: not a shapecheck baseline" in capsys.readouterr().err
    assert run(["check", "m.py", "--baseline", "missing.json"]) == 2
    assert "--baseline: cannot read missing.json" in capsys.readouterr().err
