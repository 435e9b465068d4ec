"""The base of the Keras model rules (Sequential, functional ``Model``, applications): the data
they are fed (SHP701) and trained on (SHP702), one ``fit_check`` for every training method.

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

from collections.abc import Callable
from typing import Optional

from ... import dims as D
from ...findings import Fix, ShapeError
from ...shapes import Shape
from ...values import FAILED, UNKNOWN, Const, Dict, Int, Layer, Obj, Seq, Tensor, Value, tensor_of
from ..registry import Call, lookup_layer
from ..streams import element_of
from .base import FW, HISTORY, KerasLayer, name_of, record
from .losses import loss_name, silent_broadcast, target_error

# how a model runs its data: the data tensors in, the output out (or a ShapeError)
Runner = Callable[[list], Value]


def keras_rule_of(v: Value) -> Optional[KerasLayer]:
    """The Keras rule of a layer value, None for anything else (a torch layer, an unknown)."""
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


def _warn_keras2_rank(call: Call, ins: list, given: list, adjusted: list, what: str, data: bool) -> None:
    """Data one axis short of a model input that ends in 1, or with one trailing axis of 1 too
    many: Keras 3 adds or drops that axis (``_adjust_input_rank``, as tf-keras 2.x's functional
    models do); keras 2.3 and the tf.keras of TF 1.x raised ("expected conv1d_input to have 3
    dimensions", ``standardize_input_data``). A finding under Keras 2 only; the analysis goes on
    with Keras 3's reading."""
    for ref, x, got in zip(ins, given, adjusted):
        s, g = call.shape(x), call.shape(got)
        if s.variadic or g.variadic or len(g.dims) == len(s.dims):
            continue
        grew = len(g.dims) > len(s.dims)
        kind = "input-data-mismatch" if data else "layer-rank"
        call.warn(kind, (
            f"{what} data of shape {s} has {len(s.dims)} dimensions where the model input {_shape_text(ref)} "
            f"has {len(ref.dims)}: Keras 3 {'adds' if grew else 'drops'} the trailing axis of 1, older Keras 2 "
            f"(keras 2.3, the tf.keras of TF 1.x) raises \"expected {len(ref.dims)} dimensions\" "
            f"(keras-version = 2 makes this an error, 3 drops it)"),
            Fix("add the axis: np.expand_dims(x, -1)" if grew else "drop the axis: np.squeeze(x, -1)"),
            only_in="keras2")


def _shape_text(s: Shape) -> str:
    return str(s).replace("None", "None")


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
            kind = "input-data-mismatch" if data else "layer-input-mismatch"
            raise ShapeError(kind, lambda i=i, want=want, got=got: (  # type: ignore[misc]
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
        if isinstance(out, (Tensor, Seq)) and all(isinstance(x, Tensor) and x.fw == FW for x in xs):
            record(out, layer, call)  # (called on Keras tensors, one or several: a node of a graph)
        return out

    def feed(self, layer: Layer, call: Call, xs: list, what: str, run: Optional[Runner] = None,
             shown: Optional[list] = None) -> Value:
        """Run the model on ``xs`` as Keras does; data that does not fit is SHP701 at the call.

        ``run`` replaces how the model runs its data (a subclassed model: through its own
        ``call``, which Keras runs on the data as given, without a functional model's rank
        adjustment); ``shown`` are the input shapes a message names (a subclass: what it was
        built for)."""
        if layer.config.get(BROKEN):  # its build was reported: the data is not checked against it again
            return FAILED
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
                _warn_keras2_rank(call, ins, given, xs, what, data)
            return self.run(layer, call, xs) if run is None else run(xs)
        except BuildFailed as e:
            shapes = ", ".join(str(call.shape(x)) for x in given)
            msg = e.message
            raise ShapeError(e.kind, lambda: f"{what} builds the model on data of shape {shapes}: {msg}",
                             e.fix) from None
        except ShapeError as e:
            if not data:
                e.where = None
                raise
            shapes = ", ".join(str(call.shape(x)) for x in given)
            adjusted = ", ".join(str(call.shape(x)) for x in xs)
            note = ""
            if adjusted != shapes:
                ranks = [(call.shape(a).rank, call.shape(b).rank) for a, b in zip(xs, given)]
                grew = any(ra > rb for ra, rb in ranks if ra is not None and rb is not None)
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
            r = keras_rule_of(sub)
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

    def method(self, name: str) -> Optional[Callable[[Layer, Call], Value]]:
        """``fit``, ``evaluate``, ``train_on_batch``, ``predict``... and Keras 2's generator methods,
        ``predict_classes`` and ``predict_proba`` (fit/evaluate/predict on the same data; Keras 3
        removed them): one training check, ``fit_check``."""
        if name in TRAINING_METHODS:
            return lambda layer, call: fit_check(layer, call, name)
        return super().method(name)

    def method_summary(self, layer: Layer, call: Call) -> Value:
        return Const(None)

    def method_build(self, layer: Layer, call: Call) -> Value:
        return Const(None)


# ---------------------------------------------------------------------------------- training
TRAINING_METHODS = ("fit", "evaluate", "train_on_batch", "test_on_batch", "predict", "predict_on_batch",
                    "fit_generator", "evaluate_generator", "predict_generator", "predict_classes", "predict_proba")
# Keras 2 methods that train, evaluate or predict on the same data as the Keras 3 one they map to
_KERAS2 = {"fit_generator": "fit", "evaluate_generator": "evaluate", "predict_generator": "predict",
           "predict_classes": "predict", "predict_proba": "predict"}


def fit_check(model: Layer, call: Call, method: str, run: Optional[Runner] = None,
              shown: Optional[list] = None) -> Value:
    """``model.fit/evaluate/train_on_batch/test_on_batch/predict/predict_on_batch(...)``: the one
    training path of every Keras model (Sequential, functional, and a subclass through the
    ``keras_model`` plugin, which passes ``run``: its own ``call`` on the data). The data must fit
    the model (SHP701), the targets its output under the compiled loss (SHP702, SHP503), and
    ``validation_data`` is checked the same way. ``x`` may be a stream (a ``tf.data`` dataset, a
    Keras image iterator): each element is a batch, ``(x, y)`` or ``x``. The targets are checked
    against what the model declares even where ``x`` is unknown."""
    rule = keras_rule_of(model)
    if not isinstance(rule, KerasModel):
        return UNKNOWN
    base = _KERAS2.get(method, method)
    x, y = _unpack(call.get(0, "generator" if method.endswith("_generator") else "x"), call.get(1, "y"))
    if base.startswith("predict"):
        out = _output_for(rule, model, call, x, method, run, shown)
        if method in ("predict_classes",):
            return UNKNOWN
        return Tensor(out.shape, "numpy", "float") if isinstance(out, Tensor) else UNKNOWN
    _check_xy(rule, model, call, x, y, method, run, shown)
    vd = call.get(None, "validation_data") if base == "fit" else UNKNOWN
    if isinstance(vd, Seq) and len(vd.items) >= 2:
        _check_xy(rule, model, call, vd.items[0], vd.items[1], f"{method} (validation_data)", run, shown)
    elif element_of(vd) is not None:  # a dataset or an iterator
        vx, vy = _unpack(vd, UNKNOWN)
        _check_xy(rule, model, call, vx, vy, f"{method} (validation_data)", run, shown)
    return UNKNOWN


def _unpack(x: Value, y: Value) -> tuple:
    """The data and targets of a training call: a stream yields ``(x, y[, sample_weight])`` or ``x``."""
    el = element_of(x)
    if el is None:
        return x, y
    if isinstance(el, Seq) and el.kind == "tuple" and el.items:
        return el.items[0], el.items[1] if len(el.items) > 1 else UNKNOWN
    return el, UNKNOWN


def _output_for(rule: KerasModel, layer: Layer, call: Call, x: Value, what: str, run: Optional[Runner],
                shown: Optional[list]) -> Value:
    xs = _data_tensors(x)
    if xs is None:
        return UNKNOWN
    return rule.feed(layer, call, xs, what, run, shown)


# layers whose output's last size is their own setting (units, filters), whatever sizes the data has,
# and layers that pass the last size through
_SETS_LAST = frozenset({"Dense", "Conv1D", "Conv2D", "Conv3D", "Conv1DTranspose", "Conv2DTranspose",
                        "Conv3DTranspose", "SeparableConv1D", "SeparableConv2D", "LSTM", "GRU", "SimpleRNN",
                        "Embedding", "Convolution1D", "Convolution2D", "Convolution3D"})
_KEEPS_LAST = frozenset({"Activation", "Dropout", "BatchNormalization", "LayerNormalization", "Softmax", "ReLU",
                         "LeakyReLU", "ELU", "PReLU", "GaussianNoise", "GaussianDropout", "AlphaDropout",
                         "ActivityRegularization", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D"})


def _declared_output(rule: KerasModel, layer: Layer) -> Value:
    """What the model gives for any data it accepts, where ``x`` is unknown: a functional model checks
    every size its inputs fix, so its output is what it was built with (the batch aside); a
    Sequential runs on the data's own sizes (``check_input_spec``), so only the rank and a last size
    that a Dense/Conv/recurrent layer sets (maybe through activations and dropouts) are known."""
    out = layer.config.get("_output_tensor")
    strict = rule.strict_inputs
    if not strict:
        subs = rule.sublayers(layer) or []
        last = next((s for s in reversed(subs) if not (
            isinstance(s, Layer) and s.kind.rsplit(".", 1)[-1] in _KEEPS_LAST)), None)
        if not isinstance(last, Layer) or last.kind.rsplit(".", 1)[-1] not in _SETS_LAST:
            return UNKNOWN

    def loosen(t: Value) -> Value:
        if not isinstance(t, Tensor) or t.shape.variadic or not t.shape.dims:
            return UNKNOWN
        ds = t.shape.dims
        keep = ds[1:] if strict else tuple(D.opaque("None") for _ in ds[1:-1]) + ds[-1:]
        return Tensor(Shape((D.opaque("None"),) + tuple(keep)), t.fw, t.dtype)

    if isinstance(out, Tensor):
        return loosen(out)
    if isinstance(out, Seq) and strict:
        items = [loosen(t) for t in out.items]
        return UNKNOWN if any(t is UNKNOWN for t in items) else Seq(items, out.kind)
    return UNKNOWN


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
    xs = _data_tensors(x)
    declared = xs is None and out is UNKNOWN and run is None
    if declared:
        out = _declared_output(rule, layer)  # x unknown: the targets still meet what the model declares
    if isinstance(out, Seq) and len(out.items) == 1 and not isinstance(y, (Seq, Dict)):
        out = out.items[0]  # outputs=[out]: one array of targets is its target
    yt = tensor_of(y) if not isinstance(y, Seq) else None
    by_name = layer.config.get("losses_by_name")
    names = _output_names(layer) if by_name is not None or isinstance(y, Dict) else None
    if isinstance(y, Dict) and isinstance(out, Seq) and names is not None and len(names) == len(out.items) and all(
            n is not None and n in y.items for n in names) and len(y.items) == len(names):
        y = Seq([y.items[n] for n in names], "list")  # targets by output name
    if isinstance(y, Seq) and isinstance(out, Seq) and len(y.items) == len(out.items) > 1:
        # several outputs, targets as a list in the same order: each pair under its own loss
        if by_name is not None:
            losses = [by_name.get(n) if n is not None else None for n in names or [None] * len(out.items)]
        else:
            losses = layer.config.get("losses") or [layer.config.get("loss")] * len(out.items)
        if len(losses) == len(out.items):
            for i, (yi, oi, li) in enumerate(zip(y.items, out.items, losses)):
                _check_pair(call, xs or [], tensor_of(yi), oi, li, f"{what} (output {i})", not declared)
        return out
    if yt is None:
        return out
    _check_pair(call, xs or [], yt, out, layer.config.get("loss"), what, not declared)
    return out


def _check_pair(call: Call, xs: list, yt: Optional[Tensor], out: Value, loss: Optional[str], what: str,
                silent_check: bool = True) -> None:
    """Targets against the output. ``silent_check``: also SHP503 where they broadcast; not for an
    output whose sizes the unknown data decides (whether they broadcast is not known then)."""
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
    silent = silent_broadcast(call, loss, os, ys) if silent_check else None
    if silent:
        raise ShapeError("loss-broadcast", lambda: f"{what}: {silent}", Fix(
            "give targets the output's shape (e.g. y.reshape(-1, 1) for a (None, 1) output)"))


BROKEN = "_broken"  # (layer.config) the model's build failed and was reported


class BuildFailed(ShapeError):
    """A model with no declared input failed to build on the first data it got: the failing
    layer's own finding (SHP302, SHP304...), not the data's."""


def broken_if_raises(model: Layer, build: Callable[[], Value]) -> Value:
    """Build ``model`` (a Sequential on its declared input); what fails there is reported once, at
    the layer that fails, and the model is marked broken: a later ``fit`` or ``predict`` does not
    report it again (one bug, one finding)."""
    try:
        return build()
    except ShapeError:
        model.config[BROKEN] = True
        model.config["_output_tensor"] = FAILED
        raise


def chain(layers: list, x: Value, call: Call) -> Value:
    """Apply ``layers`` one after the other; an error points at the layer that raised it."""
    for sub in layers:
        if x is UNKNOWN:
            return UNKNOWN
        if isinstance(sub, Tensor):  # keras.Input inside the list
            continue
        try:
            r = keras_rule_of(sub)
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
