"""Imports into the project's own files: a model in ``model.py`` checked where ``train.py`` uses it.

Each test writes a small project to a temporary folder and checks one file of it the way the CLI
does (``check_path``); the imported files are read, never imported or run. Where a count is
asserted, torch builds the same project for real as the oracle.
"""
from __future__ import annotations

import importlib
import sys
import textwrap
from pathlib import Path

import pytest

from shapecheck.engine import check_path
from shapecheck.summary import summarize_source

MODEL = """
import torch
from torch import nn


class Net(nn.Module):
    def __init__(self, hidden=128):
        super().__init__()
        self.fc1 = nn.Linear(784, hidden)
        self.fc2 = nn.Linear(hidden, 10)

    def forward(self, x):
        return self.fc2(torch.relu(self.fc1(x)))
"""


def write(root: Path, files: dict) -> None:
    for name, text in files.items():
        p = root / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")


def codes(path: Path) -> list:
    return [(d.code, d.line) for d in check_path(str(path))]


def test_script_beside_its_model(tmp_path: Path) -> None:
    """``from model import Net`` next to the script: the data fed to Net is checked in train.py."""
    write(tmp_path, {"model.py": MODEL, "train.py": """
        import torch
        from model import Net

        net = Net()
        ok = net(torch.randn(32, 784))
        reveal_shape(ok)
        bad = net(torch.randn(32, 100))
        """})
    found = check_path(str(tmp_path / "train.py"))
    assert [(d.code, d.line) for d in found] == [("SHP301", 7)]
    assert found[0].message.startswith("in Net.forward (model.py): ")
    assert "784" in found[0].message and "100" in found[0].message
    assert codes(tmp_path / "model.py") == []  # Net alone is right


def test_package_relative_and_absolute_imports(tmp_path: Path) -> None:
    write(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/blocks.py": """
            from torch import nn
            from ._util import double


            class Block(nn.Sequential):
                def __init__(self, cin, cout):
                    super().__init__(nn.Conv2d(cin, double(cout), 3), nn.BatchNorm2d(double(cout)), nn.ReLU())
            """,
        "pkg/_util.py": "def double(n):\n    return 2 * n\n",
        "pkg/models/__init__.py": "from .small import *\n",
        "pkg/models/small.py": """
            from torch import nn
            import pkg.blocks as B
            from ..blocks import Block


            class Small(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.a = Block(3, 8)
                    self.b = B.Block(16, 16)
                    self.head = nn.Linear(32, 10)
            """,
        "use.py": """
            from pkg.models import Small
            m = Small()
            """,
    })
    torch = pytest.importorskip("torch")
    sys.path.insert(0, str(tmp_path))
    try:
        want = sum(p.numel() for p in importlib.import_module("pkg.models.small").Small().parameters())
    finally:
        sys.path.remove(str(tmp_path))
        for k in [k for k in sys.modules if k == "pkg" or k.startswith("pkg.")]:
            del sys.modules[k]
    assert torch is not None
    for path, var in [(tmp_path / "pkg/models/small.py", "Small"), (tmp_path / "use.py", "m")]:
        found = [m for m in summarize_source(path.read_text(), str(path)) if m.var == var]
        assert found and found[0].total == want, (path, found and found[0].total, want)


def test_imported_files_own_bugs_stay_in_their_file(tmp_path: Path) -> None:
    """A bug inside model.py that no argument from train.py causes is model.py's finding, found when
    model.py is checked; its ``__main__`` block does not run on import."""
    write(tmp_path, {"model.py": MODEL + """

def broken():
    return torch.randn(3, 4) @ torch.randn(5, 6)


if __name__ == "__main__":
    Net()(torch.randn(1, 5))
""", "train.py": """
        import torch
        from model import Net, broken

        y = Net()(torch.randn(2, 784))
        """})
    assert codes(tmp_path / "train.py") == []
    # (the __main__ block's bad input is found in forward, where fc1 meets it, as for any call)
    assert sorted(codes(tmp_path / "model.py")) == [("SHP101", 16), ("SHP301", 12)]


def test_framework_names_never_come_from_disk(tmp_path: Path) -> None:
    """A file named torch.py beside the script does not replace torch's shape rules."""
    write(tmp_path, {"torch.py": "def randn(*a):\n    return None\n", "main.py": """
        import torch
        x = torch.randn(3, 4) @ torch.randn(5, 6)
        """})
    assert codes(tmp_path / "main.py") == [("SHP101", 2)]


def test_cycles_unparsable_and_missing_files(tmp_path: Path) -> None:
    write(tmp_path, {
        "a.py": """
            import torch
            from b import g, missing_name
            from nowhere import thing
            from broken import h


            def f(x):
                return g(x)


            y = f(torch.randn(3, 4)) @ torch.randn(5, 6)
            """,
        "b.py": """
            from a import f


            def g(x):
                return x
            """,
        "broken.py": "def h(:\n",
    })
    assert codes(tmp_path / "a.py") == [("SHP101", 11)]


def test_checked_text_that_is_not_on_disk_follows_no_imports() -> None:
    assert check_path.__module__ == "shapecheck.engine"
    from shapecheck.engine import check_source

    assert check_source("from model import Net\nNet()(1)\n", "<stdin>") == []


def test_layer_built_in_another_file_is_reported_on_the_call_here(tmp_path: Path) -> None:
    """An ``nn.Sequential`` built by model.py's module code and fed the wrong size in train.py:
    the finding is on the call in train.py (the layer's own line is in the other file)."""
    write(tmp_path, {"model.py": """
        from torch import nn
        head = nn.Sequential(nn.Linear(64, 10), nn.ReLU())
        """, "train.py": """
        import torch
        from model import head

        y = head(torch.randn(8, 32))
        """})
    found = check_path(str(tmp_path / "train.py"))
    assert [(d.code, d.line) for d in found] == [("SHP301", 4)]


def test_tests_beside_a_src_layout_package(tmp_path: Path) -> None:
    """tests/test_net.py imports the package from src/ (found from the project's pyproject.toml)."""
    write(tmp_path, {"pyproject.toml": "[project]\nname = 'demo'\n", "src/demo/__init__.py": "",
                     "src/demo/model.py": MODEL, "tests/test_net.py": """
        import torch
        from demo.model import Net

        def test_forward():
            Net()(torch.randn(4, 28))
        """})
    assert codes(tmp_path / "tests/test_net.py") == [("SHP301", 5)]


def test_summary_of_a_model_built_by_another_files_function(tmp_path: Path) -> None:
    """``model = build_model((28, 28, 1))`` with build_model in models.py: summarised in train.py,
    where it is kept; a model only imported (``from models import net``) is models.py's."""
    write(tmp_path, {"models.py": """
        import keras
        from keras import layers


        def build_model(input_shape, num_classes=10):
            model = keras.Sequential([keras.Input(shape=input_shape), layers.Conv2D(32, 3), layers.Flatten(),
                                      layers.Dense(num_classes)])
            model.compile(optimizer="adam", loss="categorical_crossentropy")
            return model


        net = build_model((8, 8, 1), 3)
        """, "train.py": """
        import numpy as np
        from models import build_model, net

        model = build_model((28, 28, 1))
        model.fit(np.zeros((100, 28, 28, 1)), np.zeros((100,)))
        """})
    path = tmp_path / "train.py"
    found = summarize_source(path.read_text(), str(path))
    assert [(m.var, m.line, m.total) for m in found] == [("model", 4, 320 + 26 * 26 * 32 * 10 + 10)]
    assert codes(path) == [("SHP702", 5)]


def test_a_registry_other_files_fill_is_not_empty(tmp_path: Path) -> None:
    """``registry.py`` starts its table empty and fills it from its functions (``zoo.py``, which
    the checked file never imports, calls them at import time, as timm's decorators do): a lookup
    there is not the empty literal's answer.
    Taken as empty, the builder would fall back to ``img_size=224`` and report the patch grid it
    gives -- which torch never builds, since the registered config passes 240."""
    write(tmp_path, {
        "registry.py": """
            _cfgs = {}


            def register(name, cfg):
                _cfgs[name] = cfg


            def lookup(name):
                return _cfgs.get(name)
        """,
        "vit.py": """
            import torch
            from torch import nn

            from registry import lookup


            class ViT(nn.Module):
                def __init__(self, img_size=224, patch=12, dim=32):
                    super().__init__()
                    self.proj = nn.Conv2d(3, dim, patch, stride=patch)
                    self.pos = nn.Parameter(torch.zeros(1, (img_size // patch) ** 2, dim))

                def forward(self, x):
                    x = self.proj(x).flatten(2).transpose(1, 2)
                    return x + self.pos


            def vit_240():
                cfg = lookup("vit_240") or {"img_size": 224}
                return ViT(img_size=cfg["img_size"])


            def run():
                return vit_240()(torch.randn(1, 3, 240, 240))
        """,
        "zoo.py": """
            from registry import register

            register("vit_240", {"img_size": 240})
        """,
    })
    assert codes(tmp_path / "vit.py") == []
    sys.path.insert(0, str(tmp_path))
    try:
        importlib.import_module("zoo")  # (the package registers its models on import)
        vit = importlib.import_module("vit")
        assert vit.run().shape == (1, 400, 32)  # the oracle: the registered config builds it right
    finally:
        sys.path.remove(str(tmp_path))
        for name in ("vit", "zoo", "registry"):
            sys.modules.pop(name, None)
