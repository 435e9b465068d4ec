"""torch.nn losses as modules, and the element-wise / class-index target checks ``F.*_loss`` share."""
from __future__ import annotations

from typing import Optional

from ... import dims as D
from ...findings import Fix, ShapeError
from ...shape_math.require import mismatch_note
from ...shapes import Shape
from ...values import UNKNOWN, Const, Layer, Tensor, Value
from ..common import broadcast_shapes
from ..registry import Call, layer_rule
from .base import TorchLayer, nn

# ================================================================================== losses
ELEMENTWISE_LOSSES = {
    "MSELoss": "mse_loss", "L1Loss": "l1_loss", "SmoothL1Loss": "smooth_l1_loss", "HuberLoss": "huber_loss",
    "BCELoss": "binary_cross_entropy", "BCEWithLogitsLoss": "binary_cross_entropy_with_logits",
    "KLDivLoss": "kl_div", "SoftMarginLoss": "soft_margin_loss", "PoissonNLLLoss": "poisson_nll_loss",
}
# These raise (ValueError) on any size difference instead of broadcasting.
STRICT_LOSSES = {"binary_cross_entropy", "binary_cross_entropy_with_logits"}


def shapes_differ(a: Shape, b: Shape) -> bool:
    """Provably different shapes (without binding anything)."""
    if a.rank is not None and b.rank is not None and a.rank != b.rank:
        return True
    return a.same(b, None) is D.FALSE


def elementwise_loss(call: Call, name: str, inp: Optional[Tensor], tgt: Optional[Tensor],
                     reduction: Optional[str]) -> Value:
    """An elementwise loss: SHP501 where input and target do not broadcast, SHP503 where they differ
    but broadcast (torch warns, or for BCE raises, and the mean runs over the wrong pairs)."""
    if inp is None or tgt is None:
        return UNKNOWN if reduction == "none" or reduction is None else Tensor(Shape(()), "torch", "float")
    a, b = call.shape(inp), call.shape(tgt)
    out = broadcast_shapes(call, [a, b], what=f"{name} of input and target")
    if shapes_differ(a, b):
        if name in STRICT_LOSSES:
            tail = f"; {name} requires equal sizes and raises ValueError"
        else:
            tail = f", so the loss is computed over a broadcast {out} (torch only warns)"
        raise ShapeError("loss-broadcast", lambda: (
            f"{name} gets input {a} and target {b} of different shapes{tail}"),
            Fix("make input and target the same shape (e.g. pred.squeeze(-1) or target.view_as(pred))"))
    if reduction == "none":
        return Tensor(out, "torch", "float")
    if reduction in ("mean", "sum", "batchmean"):
        return Tensor(Shape(()), "torch", "float")
    return UNKNOWN


def class_loss(call: Call, name: str, inp: Optional[Tensor], tgt: Optional[Tensor], reduction: Optional[str],
               probabilities: bool) -> Value:
    """cross_entropy / nll_loss: input (C,), (N, C) or (N, C, d1, ...); target class indices of the
    input's shape without the class axis, or (cross_entropy) probabilities of the input's shape."""
    scalar = Tensor(Shape(()), "torch", "float")
    if inp is None or tgt is None:
        return scalar if reduction in ("mean", "sum") else UNKNOWN
    a, b = call.shape(inp), call.shape(tgt)
    if a.rank == 0:
        raise ShapeError("layer-rank", f"{name} expects an input of at least 1-D (C,) or (N, C, ...), got 0-D")
    if a.rank is None or b.rank is None:
        return scalar if reduction in ("mean", "sum") else UNKNOWN
    want = Shape(()) if a.rank == 1 else Shape((a.dims[0],) + a.dims[2:])
    is_index = b.rank == want.rank and want.same(b, None) is not D.FALSE
    if a.rank == 1 and b.rank == 1 and D.as_int(b.dims[0]) != 1 and not (probabilities and a.same(b, None)
                                                                          is not D.FALSE):
        if D.as_int(b.dims[0]) is not None:
            raise ShapeError("batch-mismatch", f"{name}: for a 1-D input {a} (one sample) the target must be () or "
                                               f"(1,), got {b}")
    if a.rank == 1 and b.rank == 1 and D.as_int(b.dims[0]) == 1:
        is_index = True  # torch accepts a (1,) target for a single sample
    is_prob = probabilities and b.rank == a.rank and a.same(b, None) is not D.FALSE
    if not is_index and not is_prob:
        if b.rank == want.rank and a.rank >= 2 and D.compare(b.dims[0], a.dims[0], None, unify=False) is D.FALSE:
            raise ShapeError("batch-mismatch", lambda: (
                f"{name}: input {a} has batch {D.fmt(a.dims[0])} but target {b} has batch {D.fmt(b.dims[0])}"
                f"{mismatch_note(a.dims[0], b.dims[0])}"))
        also = f" or class probabilities of the input's shape {a}" if probabilities else ""
        hint = ""
        if b.rank == a.rank and a.rank >= 2 and D.as_int(b.dims[-1]) == 1:
            hint = "; squeeze the target's last axis (target.squeeze(-1))"
        raise ShapeError("batch-mismatch", lambda: (
            f"{name}: target {b} does not fit input {a}: expected class indices of shape {want}{also}{hint}"))
    if is_index:
        for x, y in zip(want.dims, b.dims):
            D.compare(x, y, call.bindings)
    if reduction == "none":
        return Tensor(want if a.rank == 1 or not is_index else b, "torch", "float")
    if reduction in ("mean", "sum"):
        return scalar
    return UNKNOWN


class LossBase(TorchLayer):
    fname = "mse_loss"

    def build(self, call: Call) -> Optional[dict]:
        red = call.get(None, "reduction", "mean")
        legacy = any(k in call.kwargs for k in ("size_average", "reduce"))
        return {"reduction": None if legacy else (red.value if isinstance(red, Const) else None)}

    def apply(self, layer: Layer, call: Call) -> Value:
        inp, tgt = call.tensor(0, "input"), call.tensor(1, "target")
        red = layer.config["reduction"]
        if self.fname in ("cross_entropy", "nll_loss"):
            return class_loss(call, self.fname, inp, tgt, red, self.fname == "cross_entropy")
        return elementwise_loss(call, self.fname, inp, tgt, red)

    def weights(self, layer: Layer) -> Optional[dict]:
        return {}


for _cls, _f in list(ELEMENTWISE_LOSSES.items()) + [("CrossEntropyLoss", "cross_entropy"), ("NLLLoss", "nll_loss")]:
    layer_rule(*nn(_cls))(type(_cls, (LossBase,), {"fname": _f}))
