"""The built wheel, installed (not editable) in a fresh venv, is a working ``shapecheck``.

Builds with ``pip wheel`` (no build isolation when setuptools>=77 is at hand, so no download),
installs the wheel with ``--no-deps`` into a new venv, and lets that venv see this interpreter's
site-packages through a ``.pth`` line for libcst/sympy/pygls (appended after the venv's own
site-packages, so ``shapecheck`` itself can only come from the wheel; the test checks that).
Takes ~10-20 s.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BUGGY = "import numpy as np\na = np.zeros((64, 128))\nb = np.zeros((100, 10))\nc = a @ b\n"

pytestmark = pytest.mark.slow


def _setuptools_ok() -> bool:
    try:
        import setuptools
    except ImportError:
        return False
    return int(setuptools.__version__.split(".")[0]) >= 77


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    if not (ROOT / "pyproject.toml").is_file():
        pytest.skip("not a source checkout")
    out = tmp_path_factory.mktemp("wheel")
    src = out / "src"
    # build from a copy: no build/ or egg-info left in the checkout, nothing of the checkout's
    # untracked clutter (.venv) copied
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns(
        ".git", ".venv", "venv", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache", "tests"))
    cmd = [sys.executable, "-m", "pip", "wheel", str(src), "--no-deps", "-w", str(out), "-q"]
    if _setuptools_ok():
        cmd.append("--no-build-isolation")
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    (whl,) = out.glob("shapecheck_lint-*.whl")
    return whl


def test_wheel_contents(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    rule_modules = sorted(p.name for p in (ROOT / "rules").glob("*.py"))
    assert rule_modules and sorted(n.split("/")[-1] for n in names if n.startswith("shapecheck/rules/")) == rule_modules
    assert not any(n.startswith("rules/") for n in names), "a top-level `rules` package would clash with users' code"
    tops = {n.split("/")[0] for n in names}
    assert tops == {"shapecheck", wheel.name.split("-")[0] + "-" + wheel.name.split("-")[1] + ".dist-info"}
    # every module of the source tree ships (a new subpackage must be listed in pyproject.toml)
    source = sorted(str(p.relative_to(ROOT)).replace(os.sep, "/") for p in (ROOT / "shapecheck").rglob("*.py")
                    if "__pycache__" not in p.parts)
    assert [m for m in source if m not in names] == []
    assert "shapecheck/py.typed" in names
    meta = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith("/METADATA"))).decode()
    requires = sorted(line.split(":", 1)[1].strip().split(">")[0].split("=")[0].split("<")[0].strip()
                      for line in meta.splitlines() if line.startswith("Requires-Dist:") and "extra ==" not in line)
    assert requires == ["libcst", "lsprotocol", "pygls", "sympy"]  # (pygls, lsprotocol: `shapecheck server`)
    assert "Name: shapecheck-lint" in meta


def test_installed_wheel_runs(wheel, tmp_path):
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True, symlinks=os.name != "nt").create(env_dir)
    bindir = env_dir / ("Scripts" if os.name == "nt" else "bin")
    py = bindir / ("python.exe" if os.name == "nt" else "python")
    clean_env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    done = subprocess.run([str(py), "-m", "pip", "install", "--no-deps", "--no-index", "-q", str(wheel)],
                          capture_output=True, text=True, env=clean_env, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    site = subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, env=clean_env).stdout.strip()
    # the runtime deps from this interpreter, after the venv's own site-packages
    ours = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    Path(site, "zz_outer_deps.pth").write_text("\n".join(sorted(ours)) + "\n")

    work = tmp_path / "work"
    work.mkdir()
    (work / "bug.py").write_text(BUGGY)
    script = bindir / ("shapecheck.exe" if os.name == "nt" else "shapecheck")
    run = subprocess.run([str(script), "check", "bug.py"], capture_output=True, text=True, cwd=work, env=clean_env,
                         timeout=120)
    assert run.returncode == 1, run.stderr
    assert run.stdout.splitlines()[0].startswith("bug.py:4:5: SHP101 ")
    assert run.stdout.splitlines()[-1] == "Found 1 error in 1 file checked."
    served = subprocess.run([str(script), "server", "--help"], capture_output=True, text=True, cwd=work,
                            env=clean_env, timeout=120)
    assert served.returncode == 0 and "language server" in served.stdout, served.stderr

    probe = ("import shapecheck, shapecheck.rules, importlib.util as u;"
             "from shapecheck.rule import all_rules;"
             "print(shapecheck.__file__); print(shapecheck.rules.__file__); print(len(all_rules()));"
             "print(u.find_spec('rules'))")
    out = subprocess.run([str(py), "-c", probe], capture_output=True, text=True, cwd=work, env=clean_env)
    assert out.returncode == 0, out.stderr
    pkg, rules_init, count, top_rules = out.stdout.splitlines()
    assert Path(pkg).resolve().is_relative_to(Path(site).resolve())
    assert Path(rules_init).resolve().is_relative_to(Path(site).resolve())
    assert int(count) == len(list((ROOT / "rules").glob("shp*.py")))
    assert top_rules == "None"
    dash_m = subprocess.run([str(py), "-m", "shapecheck", "rule", "SHP101"], capture_output=True, text=True,
                            cwd=work, env=clean_env)
    assert dash_m.returncode == 0 and dash_m.stdout.startswith("# SHP101 matmul-mismatch")
