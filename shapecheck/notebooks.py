"""Jupyter notebooks (``.ipynb``): the code cells in order as one program.

IPython syntax is not Python: a line magic (``%matplotlib inline``), a shell line (``!pip install``,
``files = !ls``), a help query (``x?``) and a cell magic (``%%time`` and the rest of its cell) are
blanked, so every other line keeps its place. ``index[i]`` is the (cell, line in cell) of line
``i + 1`` of the program; cells are numbered from 1 over all cells, markdown ones included, as ruff
and Jupyter number them (``nb.ipynb:cell 3:2:5``).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Optional

_HELP = re.compile(r"^(\?{1,2}[\w.]+|[\w.]+\?{1,2})$")  # ``np.zeros?``, ``??f``


class NotebookError(Exception):
    """The file is not a notebook the checker can read (the message says why)."""


@dataclass(frozen=True)
class Notebook:
    source: str
    index: tuple  # ((cell, line in cell), ...) for each line of ``source``

    def place(self, line: int) -> tuple:
        """(cell, line in cell) of a 1-based line of the program (the last cell's end past it)."""
        if not self.index:
            return 1, line
        return self.index[min(max(line, 1), len(self.index)) - 1]


def _ipython_only(line: str) -> bool:
    s = line.strip()
    if s.startswith(("%", "!")) or _HELP.match(s):
        return True
    if "=" in s and not s.startswith("#"):  # files = !ls, out = %timeit f()
        rhs = s.split("=", 1)[1].lstrip()
        return rhs.startswith(("!", "%")) and not rhs.startswith("%=")
    return False


def cell_text(cell: dict) -> str:
    """A cell's source as one string (nbformat stores a list of lines or a string)."""
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src if isinstance(src, str) else ""


def load(text: str) -> tuple[dict, Notebook]:
    """The notebook's JSON document and its program; ``NotebookError`` if it is not one."""
    try:
        data = json.loads(text)
    except ValueError as e:
        raise NotebookError(f"not valid JSON: {e}") from None
    return data, program(data)


def program(data: object) -> Notebook:
    """The program of a notebook's JSON document: its code cells in order."""
    cells = data.get("cells") if isinstance(data, dict) else None
    if not isinstance(cells, list):
        raise NotebookError("no list of cells (nbformat 4 is read)")
    texts: list = []
    for cell in cells:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            texts.append(None)
            continue
        texts.append(cell_text(cell))
    return from_cells(texts)


def from_cells(cells: list) -> Notebook:
    """The program of a notebook's cells in order: a code cell's text, or None for any other cell
    (an editor's notebook document, where cells arrive one text document each)."""
    lines: list = []
    index: list = []
    for number, text_ in enumerate(cells, start=1):
        if text_ is None:
            continue
        cell_lines = text_.split("\n")
        magic_cell = bool(cell_lines) and cell_lines[0].lstrip().startswith("%%")
        for i, line in enumerate(cell_lines, start=1):
            lines.append("" if magic_cell or _ipython_only(line) else line)
            index.append((number, i))
    return Notebook("\n".join(lines) + "\n", tuple(index))


def parse(text: str) -> Notebook:
    """The program of a notebook's JSON text; ``NotebookError`` if it is not one."""
    return load(text)[1]


def set_cell_text(cell: dict, text: str) -> None:
    """Give a cell new source, in the form it had: a list of lines (each with its newline, as
    nbformat writes them) or one string."""
    if isinstance(cell.get("source"), list):
        cell["source"] = text.splitlines(keepends=True)
    else:
        cell["source"] = text


def dumps(data: dict, original: str) -> str:
    """``data`` as JSON laid out as ``original`` was: its indent (nbformat's is 1), keys in the
    order they were read (nbformat sorts them, so a file it wrote stays sorted), non-ASCII text
    written as it was (``ensure_ascii=False``, as nbformat, unless the file escaped it), and the
    trailing newline kept."""
    indent: Optional[int] = None
    m = re.search(r"^[{\[]\r?\n([ \t]+)\S", original)
    if m:
        ws = m.group(1)
        indent = len(ws) if "\t" not in ws else None
    elif "\n" in original.strip():
        indent = 1
    ascii_only = original.isascii() and "\\u" in original
    out = json.dumps(data, indent=indent, ensure_ascii=ascii_only)
    if "\r\n" in original:
        out = out.replace("\n", "\r\n")
    tail = original[len(original.rstrip()):]
    return out + tail
