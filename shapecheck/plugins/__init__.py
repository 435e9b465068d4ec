"""Framework object semantics (torch modules, Keras models), keyed by qualified name.

The analysis knows Python; what ``nn.Module.register_buffer`` or ``keras.Model.fit`` does to an
object of the checked file is a plugin's (mypy's ``plugins/default.py``, pytype's overlays). Each
plugin answers for the framework classes it knows (by the qualified name of the base an object
extends, or a layer's kind):

- ``method_hook(obj, name, ...)``: a method of a layer or object (``load_state_dict``,
  ``add_module``, ``compile``, ``fit``, ``add_weight``); None: not the plugin's;
- ``attribute_hook(obj, name)``: ``obj.name`` is a framework method the object has where neither
  its class nor the layer it extends defines it (``fit`` on a ``keras.Model`` subclass);
- ``before_call(obj, ...)``: what the framework does before an object's call (Keras builds);
- ``after_function(qualname, out, ...)``: a framework function with effects beyond its shape
  rule (``keras.Input`` creates a named InputLayer);
- ``layer_bases(kind)``, ``layer_roots``, ``object_roots``, ``tensor_classes``: ``isinstance`` answers;
- ``adjust_state(state, source)``: what a file's source changes in the state rules read (torch's
  default dtype, for folding float values);
- ``role_of(module, key)``: the layer kind a parameter name belongs to (summaries, SHP601).

``PluginTable`` asks every plugin in turn; the analysis asks nothing else about frameworks.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

from ..analysis.context import Part
from ..values import AnalysisState, Value

if TYPE_CHECKING:
    from ..analysis.context import Context


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


PLUGINS: tuple = ()  # the plugin classes, in the order they are asked (filled below)


def adjust_state(state: AnalysisState, source: str) -> AnalysisState:
    """``state`` after a file (the checked one or a project file it runs) with this source."""
    for cls in PLUGINS:
        cls.adjust_state(state, source)
    return state


class PluginTable(Part):
    """Every plugin, asked in order: the one seam between the analysis and framework objects."""

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.all: list[Plugin] = [cls(ctx) for cls in PLUGINS]
        self.layer_roots = frozenset(q for p in self.all for q in p.layer_roots)
        self.object_roots = frozenset(q for p in self.all for q in p.object_roots)
        self.tensor_classes = frozenset(q for p in self.all for q in p.tensor_classes)

    def wire(self, other: Part) -> None:
        super().wire(other)
        for p in self.all:
            p.wire(other)

    def method_hook(self, obj: Value, name: str, args: list, kwargs: dict, node: Any, frame: Any,
                    arg_nodes: dict) -> Optional[Value]:
        for p in self.all:
            got = p.method_hook(obj, name, args, kwargs, node, frame, arg_nodes)
            if got is not None:
                return got
        return None

    def attribute_hook(self, obj: Value, name: str) -> bool:
        return any(p.attribute_hook(obj, name) for p in self.all)

    def before_call(self, obj: Value, args: list, node: Any, frame: Any) -> None:
        for p in self.all:
            p.before_call(obj, args, node, frame)

    def after_function(self, qualname: str, out: Value, kwargs: dict, node: Any) -> None:
        for p in self.all:
            p.after_function(qualname, out, kwargs, node)

    def layer_bases(self, kind: str) -> tuple:
        for p in self.all:
            got = p.layer_bases(kind)
            if got is not None:
                return got
        return ()

    def role_of(self, module: Any, key: str) -> str:
        for p in self.all:
            got = p.role_of(module, key)
            if got is not None:
                return got
        return "?"


from .keras_model import KerasModelPlugin  # noqa: E402 - the plugins subclass Plugin, defined above
from .torch_module import TorchModulePlugin  # noqa: E402

PLUGINS = (TorchModulePlugin, KerasModelPlugin)
