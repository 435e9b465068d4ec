"""Parsing a text again after an edit: only its top-level statements that changed.

An editor sends the whole text after each keystroke; LibCST parses a 500-line model file in about
30 ms, a sixth of the re-check. ``Reparser`` cuts the text before each top-level statement, as the
check of a huge file does (``analysis.parts.units``: blank lines and comments go with the statement
before), parses each piece it has not seen (by its text), and joins the pieces into the module a
whole parse gives:

- the lines a piece's module keeps as its footer (blank lines and comments after its last
  statement) lead the next piece's first statement, where a whole parse puts them;
- the module's own settings are the file's: its encoding and header from the first piece, whether
  it ends in a newline from the last, the newline and indentation every piece was read with.

The join is the whole parse wherever it is made (``deep_equals``, the settings included: checked
over every file of the torchvision, timm, keras and transformers wheels by tests/test_reparse.py);
where it cannot be (a piece that does not parse, or one read with another newline or indentation
than the rest: a file that mixes them), the text is parsed whole. A piece met twice in one text is
parsed again for the second place: no node stands in two places of a tree. The nodes of a piece
that did not change are those of the module before: nothing the analysis reads from a node changes
it (the imported files' trees are shared the same way)."""
from __future__ import annotations

import threading
from collections import OrderedDict
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import libcst as cst

PIECES = 4096  # pieces kept (by their text): a few open files' worth


class Reparser:
    """``parse(text)``: ``libcst.parse_module(text)``, reusing the pieces of texts parsed before."""

    def __init__(self, keep: int = PIECES) -> None:
        self.keep = keep
        self._pieces: OrderedDict[str, cst.Module] = OrderedDict()
        self._lock = threading.Lock()

    def parse(self, text: str) -> cst.Module:
        import libcst as cst

        from .analysis import parts

        units = parts.top_units(text)
        if len(units) < 2:
            return cst.parse_module(text)
        seen: set[str] = set()
        try:
            joined = self._join([self._piece(text[u.start:u.end], seen) for u in units])
        except Exception:  # noqa: BLE001 - (a syntax error, a mixed file: what the whole parse says)
            joined = None
        return joined if joined is not None else cst.parse_module(text)  # (a syntax error: the whole file's)

    def _piece(self, text: str, seen: set[str]) -> cst.Module:
        import libcst as cst

        if text in seen:  # (the same statement twice: a tree of its own for each place)
            return cst.parse_module(text)
        seen.add(text)
        with self._lock:
            got = self._pieces.get(text)
            if got is not None:
                self._pieces.move_to_end(text)
                return got
        got = cst.parse_module(text)
        with self._lock:
            self._pieces[text] = got
            while len(self._pieces) > self.keep:
                self._pieces.popitem(last=False)
        return got

    def _join(self, mods: list[cst.Module]) -> cst.Module:
        import libcst as cst

        first = mods[0]
        indents = {m.default_indent for m in mods if _has_block(m)}
        if len(indents) > 1 or any(m.default_newline != first.default_newline for m in mods):
            raise _Whole  # (the settings a piece was read with are not the file's)
        body = list(first.body)
        carry = list(first.footer)
        for m in mods[1:]:
            if m.header or not m.body:
                raise _Whole
            stmts = list(m.body)
            if carry:
                stmts[0] = stmts[0].with_changes(leading_lines=(*carry, *stmts[0].leading_lines))
            carry = list(m.footer)
            body += stmts
        indent = next(iter(indents)) if indents else first.default_indent
        return cst.Module(body=tuple(body), header=first.header, footer=tuple(carry), encoding=first.encoding,
                          default_indent=indent, default_newline=first.default_newline,
                          has_trailing_newline=mods[-1].has_trailing_newline)


class _Whole(Exception):
    """The pieces do not join into the whole parse: parse the text whole."""


def _has_block(m: cst.Module) -> bool:
    """Whether a piece has an indented block, whose indentation its module was read with."""
    import libcst as cst

    return any(isinstance(getattr(s, "body", None), cst.IndentedBlock) for s in m.body)
