"""``reparse.Reparser``: a text parsed again after an edit, reusing the statements it did not change,
is the module a whole parse gives (``deep_equals`` and the module's own settings), over real files
and over edits of every kind; the statements an edit left alone keep their nodes."""
from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest

from benchmarks import corpus
from shapecheck.reparse import Reparser


def _same(got: cst.Module, text: str) -> None:
    whole = cst.parse_module(text)
    assert got.deep_equals(whole)
    for lines in ("header", "footer"):  # (nodes are equal by identity: compared by deep_equals)
        a, b = getattr(got, lines), getattr(whole, lines)
        assert len(a) == len(b) and all(x.deep_equals(y) for x, y in zip(a, b)), lines
    for setting in ("encoding", "default_indent", "default_newline", "has_trailing_newline"):
        assert getattr(got, setting) == getattr(whole, setting), setting
    assert got.code == whole.code


MODEL = '''"""A model."""
# a comment before the imports
import torch
from torch import nn


class Block(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.fc = nn.Linear(c, c)
        # a comment at the end of the block

    def forward(self, x):
        return self.fc(x)
    # a comment indented like the methods


# between the classes


@register
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.blocks = nn.Sequential(Block(8), Block(8))

    def forward(self, x):
        if x.ndim == 2:
            return self.blocks(x)
        else:
            return x


def build():
    return Net()


try:
    import timm
except ImportError:
    timm = None
x = 1
x = 1
# the end
'''

EDITS = [  # (what is edited, old, new)
    ("a space at the end of a line", "        self.fc = nn.Linear(c, c)\n", "        self.fc = nn.Linear(c, c) \n"),
    ("a size", "Block(8), Block(8)", "Block(8), Block(16)"),
    ("a comment added between statements", "def build():", "# built here\ndef build():"),
    ("a blank line taken away", "\n\n# between the classes", "\n# between the classes"),
    ("a statement added at the end", "# the end\n", "# the end\ny = x\n"),
    ("no newline at the end", "# the end\n", "# the end"),
    ("a method removed", "    def forward(self, x):\n        return self.fc(x)\n", ""),
    ("the docstring", '"""A model."""', '"""The model."""'),
    ("an else at the top level", "    timm = None\n", "    timm = None\nelse:\n    timm.x = 1\n"),
    ("a statement right after a function", "    return Net()\n", "    return Net()\nz = 2\n"),
]


@pytest.mark.parametrize("what,old,new", EDITS, ids=[e[0] for e in EDITS])
def test_an_edited_text_parses_as_a_whole_parse_would(what: str, old: str, new: str) -> None:
    r = Reparser()
    before = r.parse(MODEL)
    _same(before, MODEL)
    assert old in MODEL
    text = MODEL.replace(old, new, 1)
    after = r.parse(text)
    _same(after, text)
    kept = {id(getattr(s, "body", s)) for s in before.body} & {id(getattr(s, "body", s)) for s in after.body}
    assert kept, "nothing was reused"


def test_the_statements_an_edit_left_alone_keep_their_nodes() -> None:
    r = Reparser()
    before = r.parse(MODEL)
    after = r.parse(MODEL.replace("Block(8), Block(8)", "Block(8), Block(16)"))
    by_name = {s.name.value: s for s in before.body if isinstance(s, cst.ClassDef)}
    again = {s.name.value: s for s in after.body if isinstance(s, cst.ClassDef)}
    # (a piece's first statement takes the blank lines before it: a node of its own around the same body)
    assert again["Block"].body is by_name["Block"].body
    assert again["Net"].body is not by_name["Net"].body


def test_the_same_statement_twice_is_two_trees() -> None:
    text = "import torch\nx = torch.zeros(3)\nx = torch.zeros(3)\n"
    got = Reparser().parse(text)
    _same(got, text)
    assert got.body[1] is not got.body[2] and got.body[1].body[0] is not got.body[2].body[0]


@pytest.mark.parametrize("text", [
    "import torch\n\nclass A:\n    def f(self):\n        pass\n\nclass B:\n  def g(self):\n    pass\n",  # indents mixed
    "import torch\r\nx = 1\nclass A:\r\n    pass\r\n",  # newlines mixed
    "x = (1,\n2)\ny = '''\nz = 3\n'''\nw = 1 \\\n  + 2\n",  # lines in brackets, strings, continued
    "# -*- coding: latin-1 -*-\nimport torch\nx = 1\n",
    "\ufeffimport torch\nx = 1\n",
    "if True:\n    x = 1\n# end\n\n\n",
    "async def f():\n    pass\n@dec\n\n@dec2\ndef g():\n    pass\n",
])
def test_texts_the_pieces_read_differently_are_parsed_as_whole(text: str) -> None:
    _same(Reparser().parse(text), text)


def test_a_syntax_error_is_the_whole_parse_s() -> None:
    text = MODEL.replace("return Net()", "return Net(")
    with pytest.raises(cst.ParserSyntaxError) as got:
        Reparser().parse(text)
    with pytest.raises(cst.ParserSyntaxError) as whole:
        cst.parse_module(text)
    assert (got.value.raw_line, got.value.raw_column, got.value.message) == \
        (whole.value.raw_line, whole.value.raw_column, whole.value.message)


def test_the_pieces_kept_are_bounded() -> None:
    r = Reparser(keep=5)
    for i in range(20):
        r.parse("".join(f"x{j} = {i}\n" for j in range(4)))
    assert len(r._pieces) <= 5


# Every file of real wheels: the join is the whole parse (or the whole parse itself).
WHEELS = [("torchvision==0.29.1", "torchvision", "torchvision"), ("timm==1.0.31", "timm", "timm"),
          ("keras==3.15.1", "keras", "keras/src/layers")]


@pytest.mark.parametrize("requirement,name,folder", WHEELS, ids=[w[0] for w in WHEELS])
def test_real_files_parse_as_a_whole_parse_would(requirement: str, name: str, folder: str) -> None:
    try:
        root = corpus.unpacked(requirement, name) / folder
    except corpus.Unavailable as e:
        pytest.skip(str(e))
    files = sorted(Path(root).rglob("*.py"))
    assert len(files) > 50
    r = Reparser()
    checked = 0
    for f in files:
        text = f.read_text(encoding="utf-8")
        try:
            whole = cst.parse_module(text)
        except cst.ParserSyntaxError:
            continue
        got = r.parse(text)
        assert got.deep_equals(whole), f
        assert (got.default_indent, got.default_newline, got.has_trailing_newline, got.encoding) == \
            (whole.default_indent, whole.default_newline, whole.has_trailing_newline, whole.encoding), f
        checked += 1
    assert checked > 50
