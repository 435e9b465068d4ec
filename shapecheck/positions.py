"""Positions, resolved only for files that have findings (LibCST metadata costs a full pass)."""
from __future__ import annotations

from typing import Any


class Positions:
    def __init__(self, module: Any) -> None:
        self.module = module
        self._map = None

    def span(self, node: Any) -> tuple:
        """((line, column), (end_line, end_column)), 1-based columns in characters."""
        if self._map is None:
            from libcst.metadata import MetadataWrapper, PositionProvider

            wrapper = MetadataWrapper(self.module, unsafe_skip_copy=True)
            self._map = wrapper.resolve(PositionProvider)
        r = self._map.get(node)
        if r is None:
            return (1, 1), (1, 1)
        return (r.start.line, r.start.column + 1), (r.end.line, r.end.column + 1)
