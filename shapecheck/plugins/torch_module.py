"""torch ``nn.Module`` semantics for objects of the checked file: ``add_module`` /
``register_module``, ``register_buffer`` / ``register_parameter``, ``load_state_dict`` of a
literal dict (SHP601 per tensor, against the parameter it loads into), the registered layers
that subclass other registered layers (``isinstance`` answers), and where a parameter lives
(``fc1.weight`` -> ``torch.nn.Linear.weight``)."""
from __future__ import annotations

from functools import partial
from typing import Any, Optional

from ..ops import registry as R
from ..shapes import Shape
from ..values import NONE, UNKNOWN, AnalysisState, Const, Dict, Layer, Method, Obj, OneOf, Seq, Tensor, Value
from .base import Plugin

PARAMETER = "torch.nn.Parameter"
UNKNOWN_CHILDREN = "__unknown_children__"  # (analysis/frames.py) children under names we could not compute

# Registered layers that subclass other registered layers in torch (isinstance must say True).
LAYER_BASES = {
    "torch.nn.LazyLinear": ("torch.nn.Linear",),
    "torch.nn.LazyConv1d": ("torch.nn.Conv1d",), "torch.nn.LazyConv2d": ("torch.nn.Conv2d",),
    "torch.nn.LazyConv3d": ("torch.nn.Conv3d",),
    "torch.nn.LazyConvTranspose1d": ("torch.nn.ConvTranspose1d",),
    "torch.nn.LazyConvTranspose2d": ("torch.nn.ConvTranspose2d",),
    "torch.nn.LazyConvTranspose3d": ("torch.nn.ConvTranspose3d",),
    "torch.nn.LazyBatchNorm1d": ("torch.nn.BatchNorm1d",), "torch.nn.LazyBatchNorm2d": ("torch.nn.BatchNorm2d",),
    "torch.nn.SyncBatchNorm": (), "torch.nn.Softmax2d": (),
}


def role_of(module: Value, key: str) -> str:
    """``fc1.weight`` of a module -> ``torch.nn.Linear.weight`` (the layer kind owning it)."""
    parts = key.split(".")
    cur: Any = module
    for p in parts[:-1]:
        if isinstance(cur, Obj):
            cur = cur.attrs.get(p, cur.base)
        elif isinstance(cur, Layer):
            rule = R.lookup_layer(cur.kind)
            kids = rule.children(cur) if rule is not None else None
            cur = kids[int(p)] if kids is not None and p.isdigit() and int(p) < len(kids) else None
    if isinstance(cur, Obj) and cur.base is not None:
        cur = cur.base
    return f"{cur.kind}.{parts[-1]}" if isinstance(cur, Layer) else PARAMETER


def named_children(v: Value) -> Optional[list]:
    """``module.named_children()``: (name, module) in registration order -- a container's children
    (``0``, ``1``, ... or a ModuleDict's keys), then the modules set as attributes; None where any is
    unknown (a child registered under a name the checker cannot compute, an attribute it cannot see)."""
    if isinstance(v, Layer):
        rule = R.lookup_layer(v.kind)
        kids = rule.children(v) if rule is not None else None
        if kids is not None:
            return [(str(i), k) for i, k in enumerate(kids)]
        items = v.config.get("items", 0)
        if isinstance(items, dict):
            return [(str(k), m) for k, m in items.items()]
        return None if items is None or v.config.get("layers", 0) is None else []
    if not isinstance(v, Obj) or "__unknown_children__" in v.attrs:
        return None
    out = named_children(v.base) if v.base is not None else []
    if out is None:
        return None
    seen = {id(m) for _, m in out}
    for k, a in v.attrs.items():
        if a is UNKNOWN:
            return None  # it may be a module
        if isinstance(a, (Layer, Obj, OneOf)) and id(a) not in seen:
            out.append((k, a))
    return out


class TorchModulePlugin(Plugin):
    """``torch.nn.Module`` and its subclasses."""

    layer_roots = ("torch.nn.Module",)
    object_roots = ("torch.nn.Module",)
    tensor_classes = ("torch.Tensor",)

    @staticmethod
    def adjust_state(state: AnalysisState, source: str) -> None:
        """Values inside torch float tensors assume float32, the default dtype, unless the code changes it."""
        if "set_default_dtype" in source or "set_default_tensor_type" in source:
            state.torch_float = False

    def method_hook(self, obj: Value, name: str, args: list, kwargs: dict, node: Any, frame: Any,
                    arg_nodes: dict) -> Optional[Value]:
        if name == "load_state_dict" and args and isinstance(args[0], Dict):
            self.check_state_dict(obj, args[0], node, frame)
            return UNKNOWN
        if name in ("named_children", "children") and not args and not kwargs:
            kids = named_children(obj)
            if kids is None:
                return UNKNOWN
            return Seq([Seq([Const(k), m], "tuple") if name == "named_children" else m for k, m in kids], "list")
        if not isinstance(obj, Obj):
            return None
        base = obj.base
        base_rule = R.lookup_layer(base.kind) if isinstance(base, Layer) else None
        if name in ("add_module", "register_module") and base is not None and base_rule is not None and \
                base_rule.method(name) is not None:  # a Sequential/ModuleDict base keeps its list
            return self.members.call_method(Method(base, name), args, kwargs, node, frame, arg_nodes)
        if name in ("add_module", "register_module") and len(args) == 2:
            key = args[0].value if isinstance(args[0], Const) and isinstance(args[0].value, str) else None
            self.flow.record(obj, key or UNKNOWN_CHILDREN)
            obj.attrs[key or UNKNOWN_CHILDREN] = args[1] if key else Const(True)
            return NONE
        if name in ("register_buffer", "register_parameter") and args and isinstance(args[0], Const) and \
                isinstance(args[0].value, str):
            v = args[1] if len(args) > 1 else kwargs.get("tensor", kwargs.get("param", UNKNOWN))
            if isinstance(v, Tensor) and name == "register_parameter":
                v = Tensor(v.shape, v.fw, v.dtype, v.role or PARAMETER)
            elif name == "register_buffer" and not isinstance(v, (Tensor, Const)):
                v = Tensor(Shape.unknown(), "torch")  # a buffer, whatever it is: never a parameter
            self.flow.record(obj, args[0].value)
            obj.attrs[args[0].value] = v
            return NONE
        return None

    def check_state_dict(self, module: Value, sd: Dict, node: Any, frame: Any) -> None:
        """``load_state_dict({...})`` of a literal dict: each tensor against the parameter it loads into."""
        from ..modules import named_parameters
        from ..ops.common import check_weight_assignment

        params = named_parameters(module)
        if not params:
            return
        for key, v in sd.items.items():
            if key in params and isinstance(v, Tensor):
                call = self.calls.make_call([], {}, node, frame.bindings)
                self.calls.run_rule(partial(check_weight_assignment, call, f"{role_of(module, key)}", params[key],
                                            v.shape, f"loading '{key}':"), node)

    def layer_bases(self, kind: str) -> Optional[tuple]:
        return LAYER_BASES.get(kind)

    def role_of(self, module: Any, key: str) -> Optional[str]:
        return role_of(module, key)
