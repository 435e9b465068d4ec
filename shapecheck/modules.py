"""What a module holds: its parameters by qualified name (``fc1.weight``), from layers and objects.

Used for ``load_state_dict`` checks (SHP601) and, later, for parameter counts in summaries.
"""
from __future__ import annotations

from typing import Optional

from .ops import registry as R
from .values import UNKNOWN, ClassRef, Ext, Layer, Obj, Seq, Tensor, Value

PARAMETER = "torch.nn.Parameter"


def named_parameters(v: Value, prefix: str = "", depth: int = 0) -> Optional[dict]:
    """``{name: Shape}`` in registration order, or None where any part is unknown."""
    if depth > 32:
        return None
    out: dict = {}
    if isinstance(v, Layer):
        rule = R.lookup_layer(v.kind)
        if rule is None:
            return None
        kids = rule.children(v)
        if kids is not None:
            for i, k in enumerate(kids):
                sub = named_parameters(k, f"{prefix}{i}.", depth + 1)
                if sub is None:
                    return None
                out.update(sub)
            return out
        if kids is None and v.config.get("layers", 0) is None:
            return None
        if "items" in v.config:  # a ModuleDict: its values under their keys
            items = v.config["items"]
            if not isinstance(items, dict):
                return None
            for k, child in items.items():
                sub = named_parameters(child, f"{prefix}{k}.", depth + 1) if isinstance(child, (Layer, Obj)) else None
                if sub is None:
                    return None
                out.update(sub)
            return out
        weights = rule.weights(v)
        if weights is None:  # a size they depend on is unknown
            return None
        for name, shape in weights.items():
            got = v.attrs.get(name)
            out[prefix + name] = got.shape if isinstance(got, Tensor) else shape
        return out
    if isinstance(v, Obj):
        if "__unknown_children__" in v.attrs:  # children registered under names we could not compute
            return None
        if v.base is None and not _plain_module(v.cls):
            return None  # it extends a class from another file (torchvision's MLP): parameters unknown
        chained: set = set()
        if v.base is not None:
            sub = named_parameters(v.base, prefix, depth + 1)
            if sub is None:
                return None
            out.update(sub)
            rule = R.lookup_layer(v.base.kind)
            chained = {id(k) for k in (rule.children(v.base) if rule is not None else None) or []}
        for name, a in v.attrs.items():
            if id(a) in chained:
                continue  # (an attribute of a Sequential subclass is a child of its chain: counted there)
            if isinstance(a, (Layer, Obj)):
                sub = named_parameters(a, f"{prefix}{name}.", depth + 1)
                if sub is None:
                    return None
                out.update(sub)
            elif isinstance(a, Tensor) and a.role == PARAMETER:
                out[prefix + name] = a.shape
            elif isinstance(a, Seq) and any(isinstance(x, (Layer, Obj)) for x in a.items):
                return None  # a plain list of modules is not registered by torch: unknown intent
            elif a is UNKNOWN:
                return None  # may be a module or a parameter: a count without it could be wrong
        return out
    return None


_ROOTS = ("torch.nn.Module", "torch.nn.modules.module.Module", "builtins.object", "abc.ABC", "typing.Generic")


def _plain_module(cls: object, depth: int = 0) -> bool:
    """Whether every class ``cls`` extends is defined in this file or is ``nn.Module`` itself."""
    if depth > 16:
        return False
    for b in getattr(cls, "bases", ()):
        if isinstance(b, ClassRef):
            if not _plain_module(b.info, depth + 1):
                return False
        elif not (isinstance(b, Ext) and b.qualname in _ROOTS):
            return False
    return True

