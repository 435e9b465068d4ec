"""einops: ``rearrange``, ``repeat``, ``reduce``, ``einsum``, ``pack``/``unpack`` and the
``Rearrange``/``Reduce`` layers of torch and Keras. The pattern math is ``shape_math/einops.py``;
these adapters read einops' arguments (the tensor or list of tensors, the pattern, the axis
sizes as keywords) and give the result in the input's framework.

A pattern that is not a string constant, or an axis size that is not understood, gives an
unknown result or an unknown size: never a guess.
"""
from __future__ import annotations

from typing import Any, Optional

from .. import dims as D
from ..shape_math import einops as SME
from ..shapes import Shape
from ..values import UNKNOWN, Int, Layer, Seq, Tensor, Value, as_dim, as_dims, as_str, tensor_of
from .keras.base import KerasLayer
from .registry import Call, LayerRule, layer_rule, shape_rule

_NOT_SIZES = ("tensor", "pattern", "reduction")


def _lengths(kwargs: dict) -> dict[str, Optional[D.Dim]]:
    """The axis sizes given as keywords (``h=2``); None where a size is not understood."""
    return {k: as_dim(v) for k, v in kwargs.items() if k not in _NOT_SIZES}


def _input(call: Call, what: str) -> Optional[tuple[Shape, str, Optional[str]]]:
    """The tensor (or the stack of a list of tensors) a transform gets: shape, framework, dtype."""
    v = call.get(0, "tensor")
    if isinstance(v, Seq):
        ts = [tensor_of(x) for x in v.items]
        if not ts or any(t is None for t in ts):
            return None
        shapes = [call.shape(t) for t in ts]  # type: ignore[arg-type]
        return SME.stacked(shapes, call.bindings, what), ts[0].fw, ts[0].dtype  # type: ignore[union-attr]
    t = tensor_of(v)
    if t is None:
        return None
    return call.shape(t), t.fw, t.dtype


def _transform(call: Call, op: str, pattern: Optional[str], lengths: dict, what: str) -> Value:
    got = _input(call, what)
    if got is None or pattern is None:
        return UNKNOWN
    shape, fw, dtype = got
    return Tensor(SME.transform(op, shape, pattern, lengths, call.bindings, what=what), fw, dtype)


@shape_rule("einops.rearrange")
def rearrange(call: Call) -> Value:
    """``rearrange(tensor, pattern, **axes_lengths)``."""
    return _transform(call, "rearrange", call.str(1, "pattern"), _lengths(call.kwargs), "rearrange")


@shape_rule("einops.repeat")
def repeat(call: Call) -> Value:
    """``repeat(tensor, pattern, **axes_lengths)``."""
    return _transform(call, "repeat", call.str(1, "pattern"), _lengths(call.kwargs), "repeat")


@shape_rule("einops.reduce")
def reduce(call: Call) -> Value:
    """``reduce(tensor, pattern, reduction, **axes_lengths)``: the reduction (a name or a
    function) does not change the shape."""
    return _transform(call, "reduce", call.str(1, "pattern"), _lengths(call.kwargs), "reduce")


@shape_rule("einops.einsum")
def einsum(call: Call) -> Value:
    """``einsum(*tensors, pattern)``: the pattern comes last."""
    if len(call.args) < 2 or call.kwargs:
        return UNKNOWN
    pattern = as_str(call.args[-1])
    ts = [tensor_of(v) for v in call.args[:-1]]
    if pattern is None or any(t is None for t in ts):
        return UNKNOWN
    shapes = [call.shape(t) for t in ts]  # type: ignore[arg-type]
    first: Any = ts[0]
    return Tensor(SME.einsum(shapes, pattern, call.bindings), first.fw, first.dtype)


@shape_rule("einops.pack")
def pack(call: Call) -> Value:
    """``pack(tensors, pattern) -> (packed, packed_shapes)``."""
    v = call.get(0, "tensors")
    pattern = call.str(1, "pattern")
    if not isinstance(v, Seq) or pattern is None or not v.items:
        return UNKNOWN
    ts = [tensor_of(x) for x in v.items]
    if any(t is None for t in ts):
        return UNKNOWN
    packed, parts = SME.pack([call.shape(t) for t in ts], pattern, call.bindings)  # type: ignore[arg-type]
    first: Any = ts[0]
    shapes = Seq([UNKNOWN if p is None else Seq([Int(d) for d in p.dims], "tuple") for p in parts], "list")
    return Seq([Tensor(packed, first.fw, first.dtype), shapes], "tuple")


@shape_rule("einops.unpack")
def unpack(call: Call) -> Value:
    """``unpack(tensor, packed_shapes, pattern) -> [tensors]``."""
    t = call.tensor(0, "tensor")
    ps = call.get(1, "packed_shapes")
    pattern = call.str(2, "pattern")
    if t is None or pattern is None or not isinstance(ps, Seq):
        return UNKNOWN
    parts = [as_dims(p) if isinstance(p, Seq) else None for p in ps.items]
    out = SME.unpack(call.shape(t), parts, pattern, call.bindings)
    return Seq([Tensor(Shape.unknown() if s is None else s, t.fw, t.dtype) for s in out], "list")


# ---------------------------------------------------------------------------------- layers
def _layer_config(call: Call, reduce: bool) -> Optional[dict]:
    pattern = call.str(0, "pattern")
    if pattern is None:
        return None
    cfg: dict = {"pattern": pattern, "lengths": _lengths(call.kwargs)}
    if reduce:
        cfg["reduction"] = call.str(1, "reduction")
    # the pattern's own mistakes show at construction, as einops raises them there
    left, right = SME.parse(pattern, "Reduce" if reduce else "Rearrange")
    SME.check_pattern("reduce" if reduce else "rearrange", left, right, list(cfg["lengths"]),
                      "Reduce" if reduce else "Rearrange")
    return cfg


@layer_rule("einops.layers.torch.Rearrange")
class Rearrange(LayerRule):
    """``Rearrange(pattern, **axes_lengths)``: rearrange as a module."""

    op = "rearrange"
    word = "Rearrange"

    def build(self, call: Call) -> Optional[dict]:
        return _layer_config(call, self.op == "reduce")

    def apply(self, layer: Layer, call: Call) -> Value:
        t = call.tensor(0, "input")
        if t is None:
            return UNKNOWN
        out = SME.transform(self.op, call.shape(t), layer.config["pattern"], layer.config["lengths"],
                            call.bindings, what=self.word)
        return Tensor(out, t.fw, t.dtype)

    def weights(self, layer: Layer) -> Optional[dict[str, Shape]]:
        return {}


@layer_rule("einops.layers.torch.Reduce")
class Reduce(Rearrange):
    """``Reduce(pattern, reduction, **axes_lengths)``."""

    op = "reduce"
    word = "Reduce"


@layer_rule("einops.layers.keras.Rearrange", "einops.layers.tensorflow.Rearrange")
class KerasRearrange(KerasLayer):
    """The Keras/TensorFlow ``Rearrange`` layer (the batch axis is the pattern's first)."""

    op = "rearrange"
    word = "Rearrange"

    def configure(self, call: Call) -> Optional[dict]:
        return _layer_config(call, self.op == "reduce")

    def compute(self, layer: Layer, call: Call, s: Shape) -> Any:
        return SME.transform(self.op, s, layer.config["pattern"], layer.config["lengths"], call.bindings,
                             what=self.word)


@layer_rule("einops.layers.keras.Reduce", "einops.layers.tensorflow.Reduce")
class KerasReduce(KerasRearrange):
    """The Keras/TensorFlow ``Reduce`` layer."""

    op = "reduce"
    word = "Reduce"


