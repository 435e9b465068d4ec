"""Keras losses: how each one compares targets with predictions (Keras 3 ``losses/loss.py``:
``squeeze_or_expand_to_same_rank``, then equal shapes, sparse targets or broadcasting).
"""
from __future__ import annotations

from typing import Any, Optional

from ... import dims as D
from ...findings import ShapeError
from ...shapes import Shape
from ...values import Const, Ext, Seq, Value
from ..common import broadcast_shapes
from ..registry import Call, shape_rule

# ---------------------------------------------------------------------------------- losses
_LOSS_ALIASES = {
    "mse": "mean_squared_error", "mae": "mean_absolute_error", "mape": "mean_absolute_percentage_error",
    "msle": "mean_squared_logarithmic_error", "kld": "kl_divergence", "kullback_leibler_divergence": "kl_divergence",
    "logcosh": "log_cosh", "huber_loss": "huber",
}
_LOSS_CLASSES = {
    "BinaryCrossentropy": "binary_crossentropy", "CategoricalCrossentropy": "categorical_crossentropy",
    "SparseCategoricalCrossentropy": "sparse_categorical_crossentropy", "MeanSquaredError": "mean_squared_error",
    "MeanAbsoluteError": "mean_absolute_error", "MeanAbsolutePercentageError": "mean_absolute_percentage_error",
    "MeanSquaredLogarithmicError": "mean_squared_logarithmic_error", "Hinge": "hinge", "SquaredHinge": "squared_hinge",
    "CategoricalHinge": "categorical_hinge", "Huber": "huber", "LogCosh": "log_cosh", "Poisson": "poisson",
    "KLDivergence": "kl_divergence", "CosineSimilarity": "cosine_similarity",
    "BinaryFocalCrossentropy": "binary_focal_crossentropy",
    "CategoricalFocalCrossentropy": "categorical_focal_crossentropy",
}
STRICT = {"binary_crossentropy", "categorical_crossentropy", "binary_focal_crossentropy"}
SPARSE = {"sparse_categorical_crossentropy"}
BROADCAST = {"mean_squared_error", "mean_absolute_error", "mean_absolute_percentage_error",
             "mean_squared_logarithmic_error", "hinge", "squared_hinge", "categorical_hinge", "huber", "log_cosh",
             "poisson", "kl_divergence", "cosine_similarity", "categorical_focal_crossentropy"}
KNOWN_LOSSES = STRICT | SPARSE | BROADCAST


def _loss_class_rule(fn_name: str):
    def rule(call: Call) -> Value:
        return Ext(f"keras.losses.{fn_name}")
    return rule


for _cls, _fn in _LOSS_CLASSES.items():
    shape_rule(f"keras.losses.{_cls}", f"keras.src.losses.losses.{_cls}")(_loss_class_rule(_fn))


def loss_name(v: Value) -> Optional[str]:
    """A loss the target check understands (``"mse"``, ``keras.losses.mse``, ``CategoricalCrossentropy()``)."""
    if isinstance(v, Seq) and len(v.items) == 1:
        v = v.items[0]
    name = None
    if isinstance(v, Const) and isinstance(v.value, str):
        name = v.value
    elif isinstance(v, Ext) and v.qualname.startswith(("keras.losses.", "keras.src.losses.", "keras.metrics.")):
        name = v.qualname.rsplit(".", 1)[-1]
        name = _LOSS_CLASSES.get(name, name)
    if name is None:
        return None
    name = _LOSS_ALIASES.get(name, _LOSS_ALIASES.get(name.lower(), name))
    return name if name in KNOWN_LOSSES else None


def _is_one(d: Any) -> D.Truth:
    return D.compare(d, 1, None, unify=False)


def _squeeze_or_expand(t: list, p: list) -> Optional[tuple]:
    """Keras ``squeeze_or_expand_to_same_rank(y_true, y_pred)``; None where it cannot be decided."""
    rt, rp = len(t), len(p)
    if rt == rp:
        return t, p
    if rt == rp + 1:
        one = _is_one(t[-1])
        if one is D.UNKNOWN:
            return None
        if one is D.TRUE:
            if rp == 1:
                p = p + [1]
            else:
                t = t[:-1]
    if rp == rt + 1:
        one = _is_one(p[-1])
        if one is D.UNKNOWN:
            return None
        if one is D.TRUE:
            if rt == 1:
                t = t + [1]
            else:
                p = p[:-1]
    return t, p


def target_error(call: Call, loss: str, out: Shape, y: Shape) -> Optional[str]:
    """Why targets ``y`` do not fit predictions ``out`` under ``loss`` (Keras 3), or None."""
    if out.variadic or y.variadic or not y.dims or not out.dims:
        return None
    r = _squeeze_or_expand(list(y.dims), list(out.dims))
    if r is None:
        return None
    t, p = r
    if loss in STRICT:
        if len(t) != len(p):
            return f"{loss} needs targets of the output's shape {out}, got {y}"
        for a, b in zip(t, p):
            if D.compare(a, b, call.bindings, unify=False) is D.FALSE:
                return f"{loss} needs targets of the output's shape {out}, got {y}"
        return None
    if loss in SPARSE:
        if len(t) == len(p):
            one = _is_one(t[-1])
            if one is D.UNKNOWN:
                return None
            if one is D.TRUE:
                t = t[:-1]
        want = p[:-1]
        bad = len(t) != len(want) or any(
            D.compare(a, b, call.bindings, unify=False) is D.FALSE for a, b in zip(t, want))
        if bad:
            return (f"{loss} needs integer labels of shape {Shape(tuple(out.dims[:-1]))} (or with a trailing 1) for "
                    f"an output of shape {out}, got {y}")
        return None
    try:
        broadcast_shapes(call, [Shape(tuple(t)), Shape(tuple(p))])
    except ShapeError:
        return f"{loss} of targets {y} and predictions {out}: the shapes do not broadcast"
    return None


def silent_broadcast(call: Call, loss: str, out: Shape, y: Shape) -> Optional[str]:
    """An elementwise loss whose targets and predictions still differ after Keras's own rank
    adjustment but broadcast: Keras computes it over the broadcast pairs without a word (SHP503)."""
    if loss not in BROADCAST or out.variadic or y.variadic or not y.dims or not out.dims:
        return None
    r = _squeeze_or_expand(list(y.dims), list(out.dims))
    if r is None:
        return None
    t, p = r
    if len(t) == len(p) and not any(D.compare(a, b, call.bindings, unify=False) is D.FALSE for a, b in zip(t, p)):
        return None
    try:
        both = broadcast_shapes(call, [Shape(tuple(t)), Shape(tuple(p))])
    except ShapeError:
        return None
    return (f"{loss} gets targets {y} and predictions {out} of different shapes; they broadcast to {both}, so "
            f"the loss averages over every pair of the broadcast instead of target-prediction pairs")
