"""Helpers shared by the torch.nn modules and their functional forms: the ``torch.nn.X``
spellings, the feature-size check (SHP301/303 through ``shape_math.features``), config values as
abstract values, tuple arguments, rank checks, and ``TorchLayer``, the base whose attribute reads
find weights, then child modules, then config entries.
"""
from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Sequence
from typing import Any, Optional

from ... import dims as D
from ...dims import Dim
from ...findings import Fix, ShapeError
from ...shape_math.features import require_feature
from ...shapes import Shape
from ...values import UNKNOWN, Const, Int, Layer, Seq, Tensor, Value, as_dim, as_dims
from ..registry import Call, LayerRule, lookup_layer


def nn(*names: str) -> tuple:
    """Every spelling of ``torch.nn.X``."""
    out = []
    for n in names:
        out += [f"torch.nn.{n}"]
    return tuple(out)


F = "torch.nn.functional."


def fn(*names: str) -> tuple:
    """Every spelling of ``torch.nn.functional.X``."""
    return tuple(F + n for n in names)


def feature_mismatch(call: Call, what: str, got: Shape, axis: int, want: Dim, param: str,
                     layer: Optional[Layer] = None, index: Optional[int] = None, other: Optional[Dim] = None) -> None:
    """SHP301 (or SHP303 where the size came from a flatten) when ``got[axis]`` is not ``want``,
    a constructor argument the user can change (``use in_features=9216``).

    With ``layer`` and ``index`` (the argument's position in the constructor, ``param`` its
    keyword), the fix edits that argument where the constructor writes it as a literal size
    (``nn.Linear(6272, 10)`` -> ``nn.Linear(5408, 10)``). Each size a use brings is noted
    (``AnalysisState.uses``): the edit is unsafe where another use of the layer wants another size.
    SHP303's edit is otherwise safe where the flatten made a ``(batch, features)`` input: the
    flatten's derivation is the size that arrives. It is unsafe where the flattened input keeps
    more axes (``flatten(x, 2)``: the flatten may be the bug) or the layer's ``other`` size (its
    out_features) is the one that arrives (the two sizes may be swapped). SHP301's is always
    unsafe: a mismatch between neighbours may be the other layer's error."""
    have = got.dim(axis)
    size = D.as_int(call.bindings.resolve(have)) if have is not None else None
    if layer is not None and layer.node is not None and size is not None:
        call.ctx.uses.setdefault(id(layer.node), set()).add(size)
    try:
        require_feature(got, axis, want, param, what, bindings=call.bindings)
    except ShapeError as e:
        if layer is not None and index is not None and size is not None and size > 0 and \
                e.kind in ("flatten-size", "layer-input-mismatch"):
            why = got.why_of(axis if axis < 0 or not got.variadic else axis - len(got.dims))
            factors = [f for f in why.split("*") if f != "1"] if why and re.fullmatch(r"\d+(\*\d+)+", why) else []
            swapped = other is not None and D.as_int(call.bindings.resolve(other)) == size
            fix = call.argument_fix(f"use {param}={size}", layer.node, index, param, str(size),
                                    safe=e.kind == "flatten-size" and got.rank == 2 and not swapped,
                                    arithmetic=" * ".join(factors) if len(factors) > 1 else None)
            # (a size the constructor computes, or a layer built elsewhere: the advice alone)
            e.fix = dataclasses.replace(fix, agree=(id(layer.node), size)) if fix is not None else \
                Fix(f"use {param}={size}", safe=False)
        raise


def describe(layer: Layer) -> str:
    """``nn.Linear(1000, 4800)``-like text for messages."""
    short = layer.kind.replace("torch.nn.", "nn.")
    args = layer.config.get("_repr")
    return f"{short}({args})" if args else short


_DIMNAMES = {1: ("l",), 2: ("h", "w"), 3: ("d", "h", "w")}


# ================================================================================== helpers
def to_value(v: Any) -> Value:
    """A config entry as an abstract value (sizes may be sympy expressions)."""
    if isinstance(v, Value):
        return v
    if isinstance(v, bool) or v is None or isinstance(v, (float, str)):
        return Const(v)
    if isinstance(v, int):
        return Int(v)
    if isinstance(v, (tuple, list)):
        return Seq([to_value(x) for x in v], "tuple")
    if hasattr(v, "free_symbols"):
        return Int(D.norm(v))
    return UNKNOWN


def ntuple(v: Value, n: int) -> Optional[tuple]:
    """``3`` -> ``(3, 3)``; ``(3, 5)`` -> ``(3, 5)``; None where not understood."""
    if isinstance(v, Seq):
        ds = as_dims(v)
        if ds is None or len(ds) != n or any(d is None for d in ds):
            return None
        return tuple(ds)
    d = as_dim(v)
    return None if d is None else (d,) * n


def arg_tuple(call: Call, i: Optional[int], name: str, n: int, default: Any) -> Optional[tuple]:
    return ntuple(call.get(i, name, default), n)


def const_of(v: Value) -> Any:
    """The Python value of a constant (``Const`` / ``Int`` with a concrete value), else a sentinel."""
    if isinstance(v, Const):
        return v.value
    if isinstance(v, Int):
        i = D.as_int(v.dim)
        return i if i is not None else _NOT_CONST
    return _NOT_CONST


_NOT_CONST = object()


def fmt_tuple(t: Optional[Sequence]) -> str:
    if t is None:
        return "?"
    if len(set(map(str, t))) == 1:
        return D.fmt(t[0])
    return "(" + ", ".join(D.fmt(x) for x in t) + ")"


def flex_spatial(n: int) -> tuple:
    return tuple(D.flexible(h) for h in _DIMNAMES.get(n, ("n",) * n))


def tail_replace(s: Shape, n_tail: int, new_tail: Sequence[Dim]) -> Shape:
    """``s`` with its last ``n_tail`` axes replaced by ``new_tail``; a variadic shape with fewer
    known dims keeps its unknown prefix."""
    if len(s.dims) >= n_tail:
        return Shape(tuple(s.dims[: len(s.dims) - n_tail]) + tuple(D.norm(d) for d in new_tail), s.variadic)
    return Shape(tuple(D.norm(d) for d in new_tail), True)


def spatial_of(s: Shape, n: int) -> list:
    """The last ``n`` sizes (None where unknown)."""
    return [s.dim(i - n) for i in range(n)]


def channel_axis(s: Shape, n_spatial: int) -> int:
    """The channel axis of a ``(N, C, *spatial)`` / ``(C, *spatial)`` input, positive where the rank
    is known (messages read better)."""
    if s.rank is not None:
        return s.rank - n_spatial - 1
    return -(n_spatial + 1)


def ranks_text(ranks: Sequence[int]) -> str:
    return " or ".join(f"{r}-D" for r in ranks)


def check_rank(what: str, s: Shape, ranks: Sequence[int], hint: str = "") -> None:
    """SHP302 where the rank is provably not among ``ranks``."""
    r = s.rank
    if r is not None and r not in ranks:
        raise ShapeError("layer-rank", f"{what} expects a {ranks_text(ranks)} input, got {r}-D {s}{hint}")
    if r is None and len(s.dims) > max(ranks):
        raise ShapeError("layer-rank", f"{what} expects a {ranks_text(ranks)} input, got at least "
                                       f"{len(s.dims)}-D {s}{hint}")


def check_min_rank(what: str, s: Shape, rmin: int) -> None:
    r = s.rank
    if r is not None and r < rmin:
        raise ShapeError("layer-rank", f"{what} expects an input of at least {rmin}-D, got {r}-D {s}")


def scaled(L: Optional[Dim], sf: Any) -> Optional[Dim]:
    """floor(L * scale_factor) as torch computes interpolate's output size."""
    if L is None:
        return None
    if isinstance(sf, bool) or not isinstance(sf, (int, float)):
        return None
    if isinstance(sf, int) or float(sf).is_integer():
        return D.mul(L, int(sf))
    li = D.as_int(L)
    return None if li is None else int(math.floor(float(li) * sf))


# ================================================================================== base class
class TorchLayer(LayerRule):
    """Attribute reads: weights, then child modules, then config entries (as torch names them).

    ``weights()`` lists every parameter as ``named_parameters()`` would, nested modules included
    under dotted names (``self_attn.in_proj_weight``, ``layers.0.linear1.weight``), so the layer's
    parameter count is the sum over ``weights()`` alone; no rule here has ``children()``."""

    def attr(self, layer: Layer, name: str) -> Value:
        w = self.weights(layer) or {}
        if name in w:  # a weight knows whose it is, so SHP601 can name the layout
            return Tensor(w[name], "torch", "float", f"{layer.kind}.{name}")
        child = self.child(layer, name)
        if child is not None:
            return child
        if name in layer.config and not name.startswith("_"):
            return to_value(layer.config[name])
        return UNKNOWN

    def child(self, layer: Layer, name: str) -> Optional[Layer]:
        return None


def sub_layer(kind: str, *args: Any, **kwargs: Any) -> Optional[Layer]:
    """Build a child layer (MultiheadAttention.out_proj, the Linear of a transformer) by its rule."""
    rule = lookup_layer(kind)
    if rule is None:
        return None
    cfg = rule.build(Call([to_value(a) for a in args], {k: to_value(v) for k, v in kwargs.items()}))
    return None if cfg is None else Layer(kind, cfg)


def weights_of(layer: Optional[Value], prefix: str = "") -> Optional[dict]:
    """The weights of a (child) layer under ``prefix.``; ``{}`` for no layer, None when unknown."""
    if layer is None or isinstance(layer, Const) and layer.value is None:
        return {}
    if not isinstance(layer, Layer):
        return None
    rule = lookup_layer(layer.kind)
    w = rule.weights(layer) if rule is not None else None
    return None if w is None else {f"{prefix}{k}": v for k, v in w.items()}


def merged(parts: list) -> Optional[dict]:
    """The union of weight dicts in order; None when any part is unknown."""
    out: dict = {}
    for p in parts:
        if p is None:
            return None
        out.update(p)
    return out
