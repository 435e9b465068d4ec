"""Positions, resolved only for files that have findings (LibCST metadata costs a full pass)."""
from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Optional

if TYPE_CHECKING:
    import libcst as cst
    from libcst.metadata import CodeRange


class Positions:
    def __init__(self, module: cst.Module) -> None:
        self.module = module
        self._map: Optional[Mapping[cst.CSTNode, CodeRange]] = None

    def _positions(self) -> Mapping[cst.CSTNode, CodeRange]:
        if self._map is None:
            from libcst.metadata import MetadataWrapper, PositionProvider

            wrapper = MetadataWrapper(self.module, unsafe_skip_copy=True)
            self._map = wrapper.resolve(PositionProvider)
        return self._map

    def has(self, node: Any) -> bool:
        """Whether ``node`` is in this file (values built by an imported file are not)."""
        return node is not None and node in self._positions()

    def span(self, node: Any) -> tuple[tuple[int, int], tuple[int, int]]:
        """((line, column), (end_line, end_column)), 1-based columns in characters."""
        r = self._positions().get(node)
        if r is None:
            return (1, 1), (1, 1)
        return (r.start.line, r.start.column + 1), (r.end.line, r.end.column + 1)
