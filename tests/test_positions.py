"""``positions.Positions``: where a node is, from a position pass over the top-level statement that
holds it, equal to LibCST's pass over the whole module for every node of real files and of texts
whose lines the pieces could count differently (carriage returns, tabs, no newline at the end)."""
from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from benchmarks import corpus
from shapecheck.positions import Positions


def _every_node_placed_as_the_whole_pass_places_it(module: cst.Module) -> int:
    whole = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    pos = Positions(module)
    for node, r in whole.items():
        assert pos.has(node), node
        assert pos.span(node) == ((r.start.line, r.start.column + 1), (r.end.line, r.end.column + 1)), node
    return len(whole)


TEXTS = {
    "a model": '''"""Doc."""
# header comment

import torch
from torch import nn  # trailing comment


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(
            784,
            10,
        )

    # a comment between methods
    def forward(self, x):
        return self.fc(x)
    # indented at the end of the class


@decorator  # on the decorator
# between decorators

@other
def build(a=(1,
             2)):
    s = """a
string"""
    return Net()
# at the end
''',
    "header comments": "#!/usr/bin/env python\n# -*- coding: utf-8 -*-\n\n# license\n\nimport torch\n\nx = 1\n",
    "carriage returns": "import torch\r\nx = torch.zeros(3)\r\n\r\ndef f():\r\n    return x\r\n",
    "old Mac newlines": "import torch\rx = 1\r",
    "tabs": "def f():\n\tif True:\n\t\treturn 1\n\nclass A:\n\tx = 2\n",
    "two spaces": "def f():\n  if True:\n    return 1\nclass A:\n  x = 2\n",
    "no newline at the end": "x = 1\ny = [1,\n     2]",
    "only comments": "# one\n# two\n",
    "a one-line file": "x = 1",
    "semicolons and backslashes": "a = 1; b = 2\nc = a + \\\n    b\nif a: d = 3\nelse: d = 4\n",
}


@pytest.mark.parametrize("text", TEXTS.values(), ids=TEXTS.keys())
def test_texts_are_placed_as_the_whole_pass_places_them(text: str) -> None:
    _every_node_placed_as_the_whole_pass_places_it(cst.parse_module(text))


def test_only_the_statement_asked_about_is_passed_over() -> None:
    module = cst.parse_module(TEXTS["a model"])
    pos = Positions(module)
    net = next(s for s in module.body if isinstance(s, cst.ClassDef))
    fc = net.body.body[0].body.body[1]
    assert pos.span(fc)[0] == (11, 9)
    assert list(pos._parts) == [module.body.index(net)] and pos._map is None


def test_a_node_of_another_module_is_not_here() -> None:
    here, there = cst.parse_module("x = 1\n"), cst.parse_module("x = 1\n")
    pos = Positions(here)
    assert pos.has(here.body[0]) and not pos.has(there.body[0]) and not pos.has(None)
    assert pos.span(there.body[0]) == ((1, 1), (1, 1))


FOLDERS = [("torchvision==0.29.1", "torchvision", "torchvision/models"),
           ("torchvision==0.29.1", "torchvision", "torchvision/transforms/v2/functional"),
           ("timm==1.0.31", "timm", "timm/layers")]


@pytest.mark.parametrize("requirement,name,folder", FOLDERS, ids=[f[2] for f in FOLDERS])
def test_every_node_of_real_files_is_placed_as_the_whole_pass_places_it(requirement: str, name: str,
                                                                        folder: str) -> None:
    try:
        root = corpus.unpacked(requirement, name) / folder
    except corpus.Unavailable as e:
        pytest.skip(str(e))
    files = sorted(Path(root).rglob("*.py"))
    assert len(files) >= 10
    placed = sum(_every_node_placed_as_the_whole_pass_places_it(cst.parse_module(f.read_text(encoding="utf-8")))
                 for f in files)
    assert placed > 10000
