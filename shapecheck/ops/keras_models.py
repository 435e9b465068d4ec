"""Keras models: Sequential, functional ``Model(inputs, outputs)``, ``keras.applications`` builders,
and the data they are fed (SHP701) and trained on (SHP702).

What Keras 3 does with data, followed exactly (keras/src/models/functional.py, losses/loss.py):
- each input array whose rank is one more than the model input's and ends in 1 is squeezed, one
  rank less where the model input ends in 1 is expanded; any other rank difference raises;
- the layers then run on the data's real shape: sizes a layer's weights were not built for
  (Dense's last dim, a Conv's channels, a Flatten feeding a Dense) fail, other sizes pass;
- a loss first squeezes/expands the last axis of targets or predictions where the ranks differ
  by one and the longer one ends in 1 (``squeeze_or_expand_to_same_rank``); then
  categorical / binary crossentropy need equal shapes, sparse categorical crossentropy needs
  the targets to be the output shape without its last axis (after dropping a trailing 1), and
  the other losses broadcast.
"""
from __future__ import annotations

from typing import Any, Callable, Optional

from .. import dims as D
from ..findings import Fix, ShapeError
from ..shapes import Shape
from ..values import UNKNOWN, Const, Dict, Ext, Int, Layer, Obj, Seq, Tensor, Value, tensor_of
from .common import broadcast_shapes
from .keras_layers import (BATCH, FW, HISTORY, KerasLayer, describe, kt, name_of, params_of, record,
                           shape_tuple)
from .registry import Call, layer_rule, lookup_layer, shape_rule

# how a model runs its data: the data tensors in, the output out (or a ShapeError)
Runner = Callable[[list], Value]


def _rule(v: Value) -> Optional[KerasLayer]:
    if isinstance(v, Layer):
        r = lookup_layer(v.kind)
        if isinstance(r, KerasLayer):
            return r
    return None


def _data_tensors(v: Value) -> Optional[list]:
    """The arrays given as ``x``: one tensor, or a list/tuple of them."""
    t = tensor_of(v) if not isinstance(v, Seq) else None
    if t is not None:
        return [t]
    if isinstance(v, Seq) and v.items:
        ts = [tensor_of(x) for x in v.items]
        return None if any(t is None for t in ts) else ts
    return None


def _is_data(ts: list) -> bool:
    return any(t.fw not in (FW, "any") for t in ts)


def adjust_rank(call: Call, ref: Shape, x: Tensor, data: bool) -> Tensor:
    """Keras functional ``_adjust_input_rank``: squeeze or expand a trailing 1, else raise."""
    s = call.shape(x)
    if s.variadic or ref.variadic:
        return x
    xr, rr = len(s.dims), len(ref.dims)
    if xr == rr:
        return x
    if xr == rr + 1 and D.compare(s.dims[-1], 1, None, unify=False) is not D.FALSE:
        if D.as_int(s.dims[-1]) == 1:
            return Tensor(Shape(s.dims[:-1]), x.fw, x.dtype)
        return Tensor(Shape.unknown(), x.fw, x.dtype)
    if xr == rr - 1 and D.compare(ref.dims[-1], 1, None, unify=False) is not D.FALSE:
        if D.as_int(ref.dims[-1]) == 1:
            return Tensor(Shape(s.dims + (1,)), x.fw, x.dtype)
        return Tensor(Shape.unknown(), x.fw, x.dtype)
    kind = "input-data-mismatch" if data else "layer-rank"
    raise ShapeError(kind, lambda: (
        f"the model expects inputs of shape {_shape_text(ref)} ({rr}-D) but gets {s} ({xr}-D)"))


def _shape_text(s: Shape) -> str:
    return str(s).replace("None", "None")


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


# ---------------------------------------------------------------------------------- the model base
def check_input_spec(call: Call, ref: Shape, x: Tensor, data: bool) -> None:
    """A functional model's InputSpec (``allow_last_axis_squeeze``): a trailing 1 is dropped from
    both shapes, then every size the model input fixes must match (Sequential does not check this)."""
    s = call.shape(x)
    if s.variadic or ref.variadic:
        return
    a, b = list(ref.dims), list(s.dims)
    if a and D.as_int(a[-1]) == 1:
        a = a[:-1]
    if b and D.as_int(b[-1]) == 1:
        b = b[:-1]
    for i, (want, got) in enumerate(zip(a, b)):
        if i == 0 or D.is_opaque(want):
            continue
        if D.compare(want, got, call.bindings, unify=False) is D.FALSE:
            raise ShapeError("input-data-mismatch" if data else "layer-input-mismatch", lambda i=i, want=want, got=got: (
                f"the model expects inputs of shape {ref} but gets {s}: size {D.fmt(got)} at axis {i}, not "
                f"{D.fmt(want)}"))


class KerasModel(KerasLayer):
    """What every Keras model shares: data checks, compile/fit/predict, weights of its layers."""

    strict_inputs = False  # functional models check the fixed sizes of their inputs

    def model_inputs(self, layer: Layer) -> Optional[list]:
        """The declared input shapes, or None (not built yet / not known)."""
        return None

    def run(self, layer: Layer, call: Call, xs: list) -> Value:
        return UNKNOWN

    def sublayers(self, layer: Layer) -> Optional[list]:
        return None

    def apply(self, layer: Layer, call: Call) -> Value:
        v = call.get(0, "inputs")
        xs = _data_tensors(v)
        if xs is None:
            return UNKNOWN
        out = self.feed(layer, call, xs, "input")
        if isinstance(out, (Tensor, Seq)) and isinstance(v, Tensor) and v.fw == FW:
            record(out, layer, call)
        return out

    def feed(self, layer: Layer, call: Call, xs: list, what: str, run: Optional[Runner] = None,
             shown: Optional[list] = None) -> Value:
        """Run the model on ``xs`` as Keras does; data that does not fit is SHP701 at the call.

        ``run`` replaces how the model runs its data (a subclassed model: through its own
        ``call``, which Keras runs on the data as given, without a functional model's rank
        adjustment); ``shown`` are the input shapes a message names (a subclass: what it was
        built for)."""
        data = _is_data(xs)
        ins = self.model_inputs(layer) if run is None else None
        given = xs
        try:
            if ins is not None:
                if len(ins) != len(xs):
                    return UNKNOWN
                if self.strict_inputs:
                    for ref, x in zip(ins, xs):
                        check_input_spec(call, ref, x, data)
                xs = [adjust_rank(call, ref, x, data) for ref, x in zip(ins, xs)]
            return self.run(layer, call, xs) if run is None else run(xs)
        except ShapeError as e:
            if not data:
                e.where = None
                raise
            shapes = ", ".join(str(call.shape(x)) for x in given)
            adjusted = ", ".join(str(call.shape(x)) for x in xs)
            note = ""
            if adjusted != shapes:
                grew = any(call.shape(a).rank > call.shape(b).rank for a, b in zip(xs, given)
                           if call.shape(a).rank is not None and call.shape(b).rank is not None)
                note = (f" (Keras reads it as {adjusted}: its first axis is the batch, and "
                        + ("a trailing axis of 1 is added; a single sample needs the batch axis: x[None])" if grew
                           else "its trailing axis of 1 is dropped)"))
            names = ins if ins is not None else shown
            want = ", ".join(str(s) for s in names) if names else None
            msg = e.message
            raise ShapeError("input-data-mismatch", lambda: (
                f"{what} data of shape {shapes}{note} does not fit the model"
                + (f" (input {want})" if want else "") + f": {msg}")) from None

    # -- weights -----------------------------------------------------------------------------------
    def weight_list(self, layer: Layer) -> Optional[list]:
        subs = self.sublayers(layer)
        if subs is None:
            return None
        out: list = []
        for i, sub in enumerate(subs):
            r = _rule(sub)
            if r is None:
                return None
            wl = r.weight_list(sub)
            if wl is None:
                return None
            prefix = sub.config.get("name") or str(i)
            out += [(f"{prefix}/{n}", s, tr) for n, s, tr in wl]
        return out

    def weights(self, layer: Layer) -> dict:
        wl = self.weight_list(layer)
        return {} if wl is None else {n: s for n, s, _ in wl}

    def children(self, layer: Layer) -> Optional[list]:
        return self.sublayers(layer)

    def attr(self, layer: Layer, name: str) -> Value:
        if name == "layers":
            subs = self.sublayers(layer)
            return Seq(list(subs), "list") if subs is not None else UNKNOWN
        if name in ("input_shape", "output_shape"):
            t = self.attr(layer, name.split("_")[0])
            if isinstance(t, Tensor) and not t.shape.variadic:
                return Seq([Const(None) if D.is_opaque(d) else Int(d) for d in t.shape.dims], "tuple")
            return UNKNOWN
        if name in ("input", "output"):
            v = layer.config.get(f"_{name}_tensor")
            return v if isinstance(v, Value) else UNKNOWN
        if name in ("inputs", "outputs"):
            v = layer.config.get(f"_{name[:-1]}_tensor")
            if isinstance(v, Tensor):
                return Seq([v], "list")
            return v if isinstance(v, Seq) else UNKNOWN
        return super().attr(layer, name)

    # -- methods -----------------------------------------------------------------------------------
    def method_compile(self, layer: Layer, call: Call) -> Value:
        v = call.get(1, "loss")
        layer.config["loss"] = loss_name(v)
        # one loss per output, in order (Keras 3 pairs a list of losses with the outputs' list)
        layer.config["losses"] = [loss_name(x) for x in v.items] if isinstance(v, Seq) and len(v.items) > 1 else None
        # {"output_layer_name": loss}: paired with the outputs through their layers' names
        layer.config["losses_by_name"] = {k: loss_name(x) for k, x in v.items.items() if isinstance(k, str)} \
            if isinstance(v, Dict) else None
        return Const(None)

    def method_get_layer(self, layer: Layer, call: Call) -> Value:
        subs = self.sublayers(layer) or []
        name = name_of(call.get(0, "name"))
        if name is not None:
            for s in subs:
                if isinstance(s, Layer) and s.config.get("name") == name:
                    return s
            return UNKNOWN
        i = call.int(1, "index")
        if i is not None and -len(subs) <= i < len(subs):
            return subs[i]
        return UNKNOWN

    def method_fit(self, layer: Layer, call: Call) -> Value:
        return fit_check(layer, call, "fit")

    def method_train_on_batch(self, layer: Layer, call: Call) -> Value:
        return fit_check(layer, call, "train_on_batch")

    def method_test_on_batch(self, layer: Layer, call: Call) -> Value:
        return fit_check(layer, call, "test_on_batch")

    def method_evaluate(self, layer: Layer, call: Call) -> Value:
        return fit_check(layer, call, "evaluate")

    def method_predict(self, layer: Layer, call: Call) -> Value:
        return fit_check(layer, call, "predict")

    def method_predict_on_batch(self, layer: Layer, call: Call) -> Value:
        return fit_check(layer, call, "predict_on_batch")

    def method_summary(self, layer: Layer, call: Call) -> Value:
        return Const(None)

    def method_build(self, layer: Layer, call: Call) -> Value:
        return Const(None)


# ---------------------------------------------------------------------------------- training
TRAINING_METHODS = ("fit", "evaluate", "train_on_batch", "test_on_batch", "predict", "predict_on_batch")


def fit_check(model: Layer, call: Call, method: str, run: Optional[Runner] = None,
              shown: Optional[list] = None) -> Value:
    """``model.fit/evaluate/train_on_batch/test_on_batch/predict/predict_on_batch(...)``: the one
    training path of every Keras model (Sequential, functional, and a subclass through the
    ``keras_model`` plugin, which passes ``run``: its own ``call`` on the data). The data must fit
    the model (SHP701), the targets its output under the compiled loss (SHP702, SHP503), and
    ``validation_data`` is checked the same way."""
    rule = _rule(model)
    if not isinstance(rule, KerasModel):
        return UNKNOWN
    if method.startswith("predict"):
        out = _output_for(rule, model, call, call.get(0, "x"), method, run, shown)
        return Tensor(out.shape, "numpy", "float") if isinstance(out, Tensor) else UNKNOWN
    _check_xy(rule, model, call, call.get(0, "x"), call.get(1, "y"), method, run, shown)
    vd = call.get(None, "validation_data") if method == "fit" else UNKNOWN
    if isinstance(vd, Seq) and len(vd.items) >= 2:
        _check_xy(rule, model, call, vd.items[0], vd.items[1], "fit (validation_data)", run, shown)
    return UNKNOWN


def _output_for(rule: KerasModel, layer: Layer, call: Call, x: Value, what: str, run: Optional[Runner],
                shown: Optional[list]) -> Value:
    xs = _data_tensors(x)
    if xs is None:
        return UNKNOWN
    return rule.feed(layer, call, xs, what, run, shown)


def _output_names(layer: Layer) -> Optional[list]:
    """The ``name=`` of the layer behind each output of a functional model (None where unnamed)."""
    outs = layer.config.get("outputs")
    if not isinstance(outs, list):
        return None
    names = []
    for t in outs:
        h = HISTORY.get(t) if isinstance(t, Tensor) else None
        n = h[0].config.get("name") if h is not None else None
        names.append(n if isinstance(n, str) else None)
    return names


def _check_xy(rule: KerasModel, layer: Layer, call: Call, x: Value, y: Value, what: str, run: Optional[Runner],
              shown: Optional[list]) -> Value:
    out = _output_for(rule, layer, call, x, what, run, shown)
    yt = tensor_of(y) if not isinstance(y, Seq) else None
    xs = _data_tensors(x)
    by_name = layer.config.get("losses_by_name")
    names = _output_names(layer) if by_name is not None or isinstance(y, Dict) else None
    if isinstance(y, Dict) and isinstance(out, Seq) and names is not None and len(names) == len(out.items) and all(
            n is not None and n in y.items for n in names) and len(y.items) == len(names):
        y = Seq([y.items[n] for n in names], "list")  # targets by output name
    if isinstance(y, Seq) and isinstance(out, Seq) and xs is not None and len(y.items) == len(out.items) > 1:
        # several outputs, targets as a list in the same order: each pair under its own loss
        if by_name is not None:
            losses = [by_name.get(n) if n is not None else None for n in names or [None] * len(out.items)]
        else:
            losses = layer.config.get("losses") or [layer.config.get("loss")] * len(out.items)
        if len(losses) == len(out.items):
            for i, (yi, oi, li) in enumerate(zip(y.items, out.items, losses)):
                _check_pair(call, xs, tensor_of(yi), oi, li, f"{what} (output {i})")
        return out
    if yt is None or xs is None:
        return out
    _check_pair(call, xs, yt, out, layer.config.get("loss"), what)
    return out


def _check_pair(call: Call, xs: list, yt: Optional[Tensor], out: Value, loss: Optional[str], what: str) -> None:
    if yt is None:
        return
    ys = call.shape(yt)
    n = next((call.shape(t).dim(0) for t in xs if not call.shape(t).variadic and call.shape(t).dims), None)
    if n is not None and ys.dims and not ys.variadic:
        if D.compare(n, ys.dims[0], call.bindings, unify=False) is D.FALSE:
            raise ShapeError("target-mismatch", lambda: (
                f"{what}: x has {D.fmt(n)} samples but y has {D.fmt(ys.dims[0])} (y of shape {ys})"))
    if loss is None or not isinstance(out, Tensor):
        return
    os = call.shape(out)
    why = target_error(call, loss, os, ys)
    if why:
        raise ShapeError("target-mismatch", lambda: f"{what}: targets do not fit the model output: {why}")
    silent = silent_broadcast(call, loss, os, ys)
    if silent:
        raise ShapeError("loss-broadcast", lambda: f"{what}: {silent}", Fix(
            "give targets the output's shape (e.g. y.reshape(-1, 1) for a (None, 1) output)"))


def chain(layers: list, x: Value, call: Call) -> Value:
    """Apply ``layers`` one after the other; an error points at the layer that raised it."""
    for sub in layers:
        if x is UNKNOWN:
            return UNKNOWN
        if isinstance(sub, Tensor):  # keras.Input inside the list
            continue
        try:
            r = _rule(sub)
            if r is not None:
                x = r.apply(sub, call.with_args([x], {}))
            elif isinstance(sub, (Layer, Obj)):
                x = call.invoke(sub, x)
            else:
                return UNKNOWN
        except ShapeError as e:
            if e.where is None and isinstance(sub, (Layer, Obj)):
                e.where = sub.node
            raise
    return x


# ---------------------------------------------------------------------------------- Sequential
@layer_rule("keras.Sequential", "keras.models.Sequential", "keras.src.models.sequential.Sequential",
            "keras.engine.sequential.Sequential")
class Sequential(KerasModel):
    def build(self, call: Call) -> Optional[dict]:
        v = call.get(0, "layers")
        layers: Optional[list]
        if v is UNKNOWN and not call.has(0, "layers"):
            layers = []
        elif isinstance(v, Seq):
            layers = list(v.items)
        else:
            layers = None
        cfg: dict = {"layers": layers}
        name = name_of(call.get(None, "name"))
        if name:
            cfg["name"] = name
        return cfg

    def _input(self, layers: list) -> Optional[Shape]:
        if not layers:
            return None
        first = layers[0]
        if isinstance(first, Tensor):
            return first.shape
        if isinstance(first, Layer):
            s = first.config.get("_input")
            return s if isinstance(s, Shape) else None
        return None

    def after_build(self, layer: Layer, call: Call) -> None:
        layers = layer.config.get("layers")
        if layers is None:
            return
        if any(not isinstance(x, (Layer, Obj, Tensor)) for x in layers):
            layer.config["layers"] = None
            return
        self._rebuild(layer, call)

    def _rebuild(self, layer: Layer, call: Call) -> None:
        """Keras builds a Sequential whose input is known: every layer is called on it, in order."""
        layers = layer.config["layers"]
        shape = self._input(layers)
        if shape is None:
            shape = layer.config.get("_build_shape")
        if shape is None:
            return
        x = kt(shape.dims)
        layer.config["_input_tensor"] = x
        layer.config["_has_input"] = True
        out = chain([s for s in layers if not (isinstance(s, Layer) and s.kind.endswith("InputLayer"))], x, call)
        layer.config["_output_tensor"] = out

    def method_build(self, layer: Layer, call: Call) -> Value:
        """``model.build((None, 4))``: the input shape given by hand; every layer is built on it."""
        from .keras_layers import shape_tuple

        ds = shape_tuple(call.get(0, "input_shape"))
        if ds and layer.config.get("layers") is not None and not layer.config.get("_has_input"):
            if D.is_opaque(ds[0]):
                ds[0] = BATCH
            layer.config["_build_shape"] = Shape(tuple(ds))
            self._rebuild(layer, call)
        return Const(None)

    def model_inputs(self, layer: Layer) -> Optional[list]:
        if not layer.config.get("_has_input"):
            return None
        t = layer.config.get("_input_tensor")
        return [t.shape] if isinstance(t, Tensor) else None

    def sublayers(self, layer: Layer) -> Optional[list]:
        layers = layer.config.get("layers")
        if layers is None:
            return None
        return [x for x in layers if not isinstance(x, Tensor) and not (
            isinstance(x, Layer) and x.kind.endswith("InputLayer"))]

    def run(self, layer: Layer, call: Call, xs: list) -> Value:
        layers = layer.config.get("layers")
        if layers is None or len(xs) != 1:
            return UNKNOWN
        out = chain([s for s in layers if not isinstance(s, Tensor)], xs[0], call)
        if not layer.config.get("_has_input") and isinstance(out, Tensor) and layer.config.get("_output_tensor") is None:
            # built by its first call: later data is checked against what it was built for
            layer.config["_output_tensor"] = Tensor(Shape((BATCH,) + out.shape.dims[1:], out.shape.variadic), FW)
        return out

    def is_built(self, layer: Layer) -> bool:
        return self.weight_list(layer) is not None

    def method_add(self, layer: Layer, call: Call) -> Value:
        layers = layer.config.get("layers")
        sub = call.get(0, "layer")
        if layers is None:
            return Const(None)
        if not isinstance(sub, (Layer, Obj, Tensor)):
            layer.config["layers"] = None
            return Const(None)
        layers.append(sub)
        if layer.config.get("_has_input"):
            prev = layer.config.get("_output_tensor")
            if isinstance(sub, Tensor):
                return Const(None)
            layer.config["_output_tensor"] = chain([sub], prev, call) if isinstance(prev, (Tensor, Seq)) else UNKNOWN
        elif len(layers) == 1:
            self._rebuild(layer, call)
        return Const(None)

    def method_pop(self, layer: Layer, call: Call) -> Value:
        layers = layer.config.get("layers")
        if layers:
            layers.pop()
            if layer.config.get("_has_input"):
                self._rebuild(layer, call)
        return Const(None)


# ---------------------------------------------------------------------------------- functional Model
def _flat(v: Value) -> Optional[list]:
    if isinstance(v, Tensor):
        return [v]
    if isinstance(v, Seq):
        ts = [x for x in v.items if isinstance(x, Tensor)]
        return ts if len(ts) == len(v.items) else None
    if isinstance(v, Dict):
        ts = [x for x in v.items.values() if isinstance(x, Tensor)]
        return ts if len(ts) == len(v.items) else None
    return None


def _graph_layers(outputs: list, inputs: list) -> Optional[list]:
    """The operations between inputs and outputs in Keras's order (``ops/function.py map_graph``):
    by decreasing depth, then by first visit in a depth-first walk from the outputs. Inputs appear
    as themselves (tensors); None where the graph is not fully known."""
    op_index: dict = {}  # id(op) -> first-visit index
    ops: dict = {}  # id(op) -> op (a Layer, or an input tensor)
    node_op: dict = {}
    parents: dict = {}
    order: list = []  # nodes, inputs first
    finished: set = set()
    input_ids = {id(t) for t in inputs}

    def visit(t: Tensor, depth: int) -> Optional[tuple]:
        if depth > 400:
            return None
        if id(t) in input_ids:
            node = ("in", id(t))
            if node not in finished:
                op_index.setdefault(id(t), len(op_index))
                ops[id(t)] = t
                node_op[node] = id(t)
                parents[node] = []
                finished.add(node)
                order.append(node)
            return node
        h = HISTORY.get(t)
        if h is None:
            return None
        lay, args, kwargs, _ = h
        node = (id(lay), id(args))
        if node in finished:
            return node
        op_index.setdefault(id(lay), len(op_index))
        ops[id(lay)] = lay
        ps = []
        for a in list(args) + list(kwargs.values()):
            for x in (a.items if isinstance(a, Seq) else [a]):
                if isinstance(x, Tensor):
                    p = visit(x, depth + 1)
                    if p is None:
                        return None
                    ps.append(p)
        finished.add(node)
        node_op[node] = id(lay)
        parents[node] = ps
        order.append(node)
        return node

    for o in outputs:
        if visit(o, 0) is None:
            return None
    node_depth: dict = {}
    op_depth: dict = {}
    for node in reversed(order):
        d = node_depth.setdefault(node, 0)
        d = max(d, op_depth.get(node_op[node], 0))
        op_depth[node_op[node]] = d
        node_depth[node] = d
        for p in parents[node]:
            node_depth[p] = max(d + 1, node_depth.get(p, 0))
    for t in inputs:
        if id(t) not in op_depth:
            ops[id(t)] = t
            op_depth[id(t)] = 0
            op_index[id(t)] = -1
    return [ops[k] for k in sorted(op_depth, key=lambda k: (-op_depth[k], op_index[k]))]


def replay(call: Call, outputs: list, env: dict) -> Optional[list]:
    """Re-run the layer calls that made ``outputs`` with the inputs replaced as in ``env``."""
    memo: dict = dict(env)

    def sub(v: Value, depth: int) -> Optional[Value]:
        if isinstance(v, Tensor):
            return go(v, depth + 1)
        if isinstance(v, Seq):
            items = [sub(x, depth) for x in v.items]
            return None if any(x is None for x in items) else Seq(items, v.kind)  # type: ignore[arg-type]
        return v

    def go(t: Tensor, depth: int) -> Optional[Value]:
        if id(t) in memo:
            return memo[id(t)]
        if depth > 400:
            return None
        h = HISTORY.get(t)
        if h is None:
            return None
        lay, args, kwargs, idx = h
        new_args = [sub(a, depth) for a in args]
        new_kwargs = {k: sub(v, depth) for k, v in kwargs.items()}
        if any(a is None for a in new_args) or any(v is None for v in new_kwargs.values()):
            return None
        r = lookup_layer(lay.kind)
        if r is None:
            return None
        try:
            out = r.apply(lay, call.with_args(new_args, new_kwargs))
        except ShapeError as e:
            if e.where is None:
                e.where = lay.node
            raise
        if idx is not None:
            out = out.items[idx] if isinstance(out, Seq) and idx < len(out.items) else UNKNOWN
        memo[id(t)] = out
        return out

    res = [go(o, 0) for o in outputs]
    return None if any(r is None for r in res) else res


@layer_rule("keras.Model", "keras.models.Model", "keras.src.models.model.Model",
            "keras.src.models.functional.Functional", "keras.engine.training.Model", "keras.engine.functional.Functional")
class Model(KerasModel):
    strict_inputs = True

    def build(self, call: Call) -> Optional[dict]:
        iv = call.get(0, "inputs") if call.has(0, "inputs") else call.get(None, "input")
        ov = call.get(1, "outputs") if call.has(1, "outputs") else call.get(None, "output")
        cfg: dict = {"functional": False}
        name = name_of(call.get(None, "name"))
        if name:
            cfg["name"] = name
        if iv is UNKNOWN and ov is UNKNOWN:
            return cfg  # a subclassed model's super().__init__()
        ins, outs = _flat(iv), _flat(ov)
        if ins is None or outs is None:
            return cfg
        ordered = _graph_layers(outs, ins)
        layers = None
        if ordered is not None:
            layers = [Layer("keras.layers.InputLayer", {"_input": x.shape, "_output_tensor": x, "_input_tensor": x})
                      if isinstance(x, Tensor) else x for x in ordered]
        cfg.update({"functional": True, "inputs": ins, "outputs": outs, "out_struct": ov,
                    "graph": layers, "_input_tensor": iv, "_output_tensor": ov})
        return cfg

    def model_inputs(self, layer: Layer) -> Optional[list]:
        ins = layer.config.get("inputs")
        return [t.shape for t in ins] if ins else None

    def sublayers(self, layer: Layer) -> Optional[list]:
        g = layer.config.get("graph")
        return None if g is None else list(g)

    def weight_list(self, layer: Layer) -> Optional[list]:
        g = layer.config.get("graph")
        if g is None:
            return None
        out: list = []
        for i, sub in enumerate(g):
            if sub.kind.endswith("InputLayer"):
                continue
            r = _rule(sub)
            wl = r.weight_list(sub) if r is not None else None
            if wl is None:
                return None
            prefix = sub.config.get("name") or str(i)
            out += [(f"{prefix}/{n}", s, tr) for n, s, tr in wl]
        return out

    def run(self, layer: Layer, call: Call, xs: list) -> Value:
        ins = layer.config.get("inputs")
        if not ins or len(ins) != len(xs):
            return UNKNOWN
        res = replay(call, layer.config["outputs"], {id(t): x for t, x in zip(ins, xs)})
        if res is None:
            return UNKNOWN
        struct = layer.config.get("out_struct")
        if isinstance(struct, Tensor):
            return res[0]
        if isinstance(struct, Seq):
            return Seq(res, struct.kind)
        return UNKNOWN


# ---------------------------------------------------------------------------------- applications
# name -> (module, default input size, channels of the last feature map, top is a Flatten)
_APPS = {
    "ResNet50": ("resnet", 224, 2048, False), "ResNet101": ("resnet", 224, 2048, False),
    "ResNet152": ("resnet", 224, 2048, False), "ResNet50V2": ("resnet_v2", 224, 2048, False),
    "ResNet101V2": ("resnet_v2", 224, 2048, False), "ResNet152V2": ("resnet_v2", 224, 2048, False),
    "VGG16": ("vgg16", 224, 512, True), "VGG19": ("vgg19", 224, 512, True),
    "MobileNet": ("mobilenet", 224, 1024, False), "MobileNetV2": ("mobilenet_v2", 224, 1280, False),
    "MobileNetV3Small": ("mobilenet_v3", 224, None, False), "MobileNetV3Large": ("mobilenet_v3", 224, None, False),
    "InceptionV3": ("inception_v3", 299, 2048, False), "InceptionResNetV2": ("inception_resnet_v2", 299, 1536, False),
    "Xception": ("xception", 299, 2048, False), "DenseNet121": ("densenet", 224, 1024, False),
    "DenseNet169": ("densenet", 224, 1664, False), "DenseNet201": ("densenet", 224, 1920, False),
    "NASNetMobile": ("nasnet", 224, 1056, False), "NASNetLarge": ("nasnet", 331, 4032, False),
    "EfficientNetB0": ("efficientnet", 224, 1280, False), "EfficientNetB1": ("efficientnet", 240, 1280, False),
    "EfficientNetB2": ("efficientnet", 260, 1408, False), "EfficientNetB3": ("efficientnet", 300, 1536, False),
    "EfficientNetB4": ("efficientnet", 380, 1792, False), "EfficientNetB5": ("efficientnet", 456, 2048, False),
    "EfficientNetB6": ("efficientnet", 528, 2304, False), "EfficientNetB7": ("efficientnet", 600, 2560, False),
    "ConvNeXtTiny": ("convnext", 224, 768, False), "ConvNeXtSmall": ("convnext", 224, 768, False),
    "ConvNeXtBase": ("convnext", 224, 1024, False), "ConvNeXtLarge": ("convnext", 224, 1536, False),
    "ConvNeXtXLarge": ("convnext", 224, 2048, False),
}


class Application(KerasModel):
    """A ``keras.applications`` builder: an opaque model with a known input and output."""

    strict_inputs = True

    app = ""

    def build(self, call: Call) -> Optional[dict]:
        mod, size, chans, flat = _APPS[self.app]
        top = call.bool(0, "include_top", True)
        if top is None:
            return None
        it = call.tensor(None, "input_tensor")
        isv = call.get(None, "input_shape")
        if it is not None:
            inp = call.shape(it)
        elif isv is not UNKNOWN and not (isinstance(isv, Const) and isv.value is None):
            ds = shape_tuple(isv)
            if ds is None:
                return None
            inp = Shape(tuple([BATCH] + ds))
        elif top:
            inp = Shape((BATCH, size, size, 3))
        else:
            inp = Shape((BATCH, D.opaque("None"), D.opaque("None"), 3))
        pooling = name_of(call.get(None, "pooling"))
        classes = call.dim(None, "classes", 1000)
        c = chans if chans is not None else D.opaque("None")
        if top:
            if classes is None:
                return None
            out = Shape((BATCH, classes))
        elif pooling in ("avg", "max"):
            out = Shape((BATCH, c))
        else:
            out = Shape((BATCH, D.opaque("None"), D.opaque("None"), c))
        cfg: dict = {"input": inp, "output": out, "top": top, "flat": flat,
                     "_input_tensor": Tensor(inp, FW, "float"), "_output_tensor": Tensor(out, FW, "float")}
        name = name_of(call.get(None, "name"))
        if name:
            cfg["name"] = name
        return cfg

    def model_inputs(self, layer: Layer) -> Optional[list]:
        return [layer.config["input"]]

    def run(self, layer: Layer, call: Call, xs: list) -> Value:
        if len(xs) != 1:
            return UNKNOWN
        s = call.shape(xs[0])
        ref = layer.config["input"]
        if s.variadic or ref.variadic or len(s.dims) != len(ref.dims):
            return UNKNOWN
        # the channels always matter (the first conv's kernel); the spatial sizes only where the
        # top is a Flatten feeding Dense layers (VGG)
        axes = [len(ref.dims) - 1] + (list(range(1, len(ref.dims) - 1)) if layer.config["top"] and layer.config["flat"]
                                      else [])
        for i in axes:
            if D.compare(ref.dims[i], s.dims[i], call.bindings, unify=False) is D.FALSE:
                raise ShapeError("layer-input-mismatch", lambda i=i: (
                    f"{self.app} expects inputs of shape {ref} but gets {s}: size {D.fmt(s.dims[i])} at axis {i}, "
                    f"not {D.fmt(ref.dims[i])}"))
        out = layer.config["output"]
        return Tensor(Shape((s.dims[0],) + out.dims[1:]), FW, "float")

    def sublayers(self, layer: Layer) -> Optional[list]:
        return None


for _app, (_mod, *_rest) in _APPS.items():
    layer_rule(f"keras.applications.{_app}", f"keras.applications.{_mod}.{_app}",
               f"keras.src.applications.{_mod}.{_app}")(type(_app, (Application,), {"app": _app}))


__all__ = ["Sequential", "Model", "KerasModel", "target_error", "loss_name", "params_of", "describe"]
