"""The ``Plugin`` protocol: framework semantics for one family of framework classes.

Every hook defaults to "not mine"; ``plugins/__init__.py`` describes the hooks and asks every
plugin in turn through ``PluginTable``.
"""
from __future__ import annotations

from typing import Any, Optional

from ..analysis.context import Part
from ..values import AnalysisState, Value


class Plugin(Part):
    """Framework semantics for one family of framework classes; every hook defaults to "not mine"."""

    layer_roots: tuple = ()  # every layer of the framework is an instance of these
    object_roots: tuple = ()  # every object of the file is taken to be an instance of these
    tensor_classes: tuple = ()  # the framework's tensor classes (``isinstance(x, torch.Tensor)``)

    def method_hook(self, obj: Value, name: str, args: list, kwargs: dict, node: Any, frame: Any,
                    arg_nodes: dict) -> Optional[Value]:
        return None

    def attribute_hook(self, obj: Value, name: str) -> bool:
        return False

    def before_call(self, obj: Value, args: list, node: Any, frame: Any) -> None:
        return None

    def after_function(self, qualname: str, out: Value, kwargs: dict, node: Any) -> None:
        return None

    def layer_bases(self, kind: str) -> Optional[tuple]:
        return None

    def role_of(self, module: Any, key: str) -> Optional[str]:
        return None

    @staticmethod
    def adjust_state(state: AnalysisState, source: str) -> None:
        return None
