"""What every Keras layer rule shares: the arguments (shape literals with ``None``, the batch size
``BATCH``, ``input_shape=`` & co), ``KerasLayer`` (``configure`` at
construction, the input size bound on the first call, ``compute`` as Keras's
``compute_output_shape``, weights in Keras layout and the layer methods), and ``record``, which
writes each output into the running analysis's Keras history (``HISTORY``) so a functional
model can be re-run on its data. The package docstring (``ops/keras/__init__.py``) states the
Keras semantics these follow.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, Optional

from ... import dims as D
from ...dims import Dim
from ...findings import ShapeError
from ...shape_math.features import require_feature
from ...shapes import Shape
from ...values import KERAS_HISTORY as HISTORY
from ...values import UNKNOWN, Const, Int, Layer, Param, Seq, Tensor, Value, as_dim, tensor_of
from ..common import check_weight_assignment
from ..registry import Call, LayerRule

# HISTORY (imported above): output tensor -> (layer, args, kwargs, index of the output or None),
# a view of the running analysis's own table (values.AnalysisState.keras_history), never shared
# by two analyses
FW = "keras"
BATCH = D.opaque("None")


def kt(dims: Sequence[Dim], variadic: bool = False, why: Any = None, dtype: str = "float") -> Tensor:
    return Tensor(Shape(tuple(D.norm(d) for d in dims), variadic, why), FW, dtype)


def snake(name: str) -> str:
    """``RandomColorJitter`` -> ``random_color_jitter`` (Keras's module names)."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def spellings(cls: str, src: str, *aliases: str) -> tuple:
    """``keras.layers.X``, ``keras.src.layers.<src>.X`` and the Keras 2 aliases."""
    out = [f"keras.layers.{cls}", f"keras.src.layers.{src}.{cls}"]
    for a in aliases:
        out.append(f"keras.layers.{a}")
    return tuple(out)


# ---------------------------------------------------------------------------------- arguments
def shape_tuple(v: Value) -> Optional[list]:
    """A shape literal ``(30, None)``: sizes, ``None`` as a fresh undefined size; None if not a literal."""
    if isinstance(v, Seq):
        out: list = []
        for x in v.items:
            if isinstance(x, Const) and x.value is None:
                out.append(D.undefined())
                continue
            d = as_dim(x)
            if d is None:
                return None
            out.append(d)
        return out
    if isinstance(v, Param):  # an unannotated parameter: a tuple of unknown length as often as a size
        return None
    d = as_dim(v)
    return None if d is None else [d]


def batch_dim(v: Value) -> Optional[Dim]:
    d = as_dim(v)
    return d if d is not None else (BATCH if v is UNKNOWN or (isinstance(v, Const) and v.value is None) else None)


def declared_input(call: Call) -> Optional[Shape]:
    """``input_shape=`` / ``batch_input_shape=`` / ``input_dim=`` (+ ``input_length=``) given to a layer."""
    kw = call.kwargs
    if "batch_input_shape" in kw or "batch_shape" in kw:
        ds = shape_tuple(kw["batch_input_shape"] if "batch_input_shape" in kw else kw["batch_shape"])
        if ds is None or not ds:
            return None
        b = ds[0]
        return Shape(tuple([BATCH if D.is_opaque(b) else b] + ds[1:]))
    batch: Dim = BATCH
    if "batch_size" in kw:
        batch = as_dim(kw["batch_size"]) or BATCH
    if "input_shape" in kw:
        ds = shape_tuple(kw["input_shape"])
        return None if ds is None else Shape(tuple([batch] + ds))
    if "input_dim" in kw:
        d = as_dim(kw["input_dim"])
        if d is None:
            return None
        if "input_length" in kw:
            n = shape_tuple(kw["input_length"])
            if n is None or len(n) != 1:
                return None
            return Shape((batch, n[0], d))
        return Shape((batch, d))
    return None


def ints(v: Value, n: int) -> Optional[list]:
    """An int or a tuple of ``n`` ints (kernel_size, strides...)."""
    if isinstance(v, Seq):
        ds = [as_dim(x) for x in v.items]
        if len(ds) != n or any(d is None for d in ds):
            return None
        return ds
    d = as_dim(v)
    return None if d is None else [d] * n


def name_of(v: Value) -> Optional[str]:
    if isinstance(v, Const) and isinstance(v.value, str):
        return v.value
    return None


def describe(layer: Layer) -> str:
    short = layer.kind.rsplit(".", 1)[-1]
    name = layer.config.get("name")
    args = layer.config.get("_repr")
    text = f"{short}({args})" if args else short
    return f"{text} '{name}'" if name else text


def rank_error(layer: Layer, s: Shape, want: str) -> ShapeError:
    return ShapeError("layer-rank", lambda: (
        f"{describe(layer)} expects {want} input, got {s.rank}-D {s}"))


def check_rank(layer: Layer, s: Shape, ndim: Optional[int] = None, min_ndim: Optional[int] = None,
               max_ndim: Optional[int] = None, what: str = "") -> None:
    """Keras's InputSpec ``ndim`` / ``min_ndim`` / ``max_ndim``; raises SHP302 only where provable."""
    r = s.rank
    hint = f" {what}" if what else ""
    if ndim is not None:
        if (r is not None and r != ndim) or (r is None and len(s.dims) > ndim):
            raise rank_error(layer, s, f"a {ndim}-D{hint}")
    if min_ndim is not None and r is not None and r < min_ndim:
        raise rank_error(layer, s, f"an at least {min_ndim}-D{hint}")
    if max_ndim is not None and ((r is not None and r > max_ndim) or len(s.dims) > max_ndim):
        raise rank_error(layer, s, f"an at most {max_ndim}-D{hint}")


def usable(d: Optional[Dim]) -> bool:
    """A size worth remembering as what a layer was built for (not opaque, not flexible)."""
    return d is not None and not D.is_opaque(d) and not D.has_flexible(d)


def bind_built(layer: Layer, call: Call, s: Shape, axis: int, key: str = "_in",
               param: str = "input_dim") -> Optional[Dim]:
    """Keras builds on the first call: remember ``s[axis]``; a later call with another size is SHP301
    (SHP303 where the size came from a Flatten), worded as torch's (``shape_math.features``).
    ``param`` is the size's name in the layer's ``build`` (``input_dim``, ``input_channel``).
    Returns the size the layer is built for, or None."""
    got = s.dim(axis)
    have = layer.config.get(key)
    if have is None:
        if usable(got):
            layer.config[key] = got
            return got
        return None
    if got is not None:
        require_feature(s, axis, have, param, describe(layer), bindings=call.bindings, fix_param=False, built=True)
    return have


def input_tensors(call: Call) -> Optional[list]:
    """The inputs of a multi-input layer: a list/tuple of tensors as the first argument."""
    v = call.get(0, "inputs")
    if isinstance(v, Seq):
        ts = [tensor_of(x) for x in v.items]
        if any(t is None for t in ts):
            return None
        return ts
    return None


def record(out: Value, layer: Layer, call: Call) -> Value:
    """Remember which layer call produced ``out`` (functional models replay it on data shapes)."""
    try:
        args, kwargs = list(call.args), dict(call.kwargs)  # one node: shared by all its outputs
        if isinstance(out, Tensor):
            HISTORY[out] = (layer, args, kwargs, None)
        elif isinstance(out, Seq):
            for i, t in enumerate(out.items):
                if isinstance(t, Tensor):
                    HISTORY[t] = (layer, args, kwargs, i)
    except TypeError:  # pragma: no cover - a value that cannot be weakly referenced
        pass
    return out


def channel_axis(layer: Layer, rank_spatial: int) -> int:
    return 1 if layer.config.get("data_format") == "channels_first" else -1


# ---------------------------------------------------------------------------------- the base rule
class KerasLayer(LayerRule):
    """A Keras layer: ``configure`` binds the constructor's arguments, ``compute`` the output."""

    framework = FW
    multi_input = False

    def build(self, call: Call) -> Optional[dict]:
        cfg = self.configure(call)
        if cfg is None:
            return None
        name = name_of(call.kwargs.get("name", UNKNOWN))
        if name:
            cfg["name"] = name
        declared = declared_input(call)
        if declared is not None:
            cfg["_input"] = declared
        return cfg

    def configure(self, call: Call) -> Optional[dict]:
        return {}

    def apply(self, layer: Layer, call: Call) -> Value:
        if self.multi_input:
            xs = input_tensors(call)
            if xs is None:
                return UNKNOWN
            out = self.compute_multi(layer, call, [call.shape(t) for t in xs])
        else:
            x = call.tensor(0, "inputs")
            if x is None:
                return UNKNOWN
            out = self.compute(layer, call, call.shape(x))
        if isinstance(out, Shape):
            out = Tensor(out, FW, "float")
        first = call.get(0, "inputs")
        first = first.items[0] if isinstance(first, Seq) and first.items else first
        if "_output_tensor" not in layer.config and isinstance(first, Tensor) and first.fw == FW and isinstance(
                out, (Tensor, Seq)):
            layer.config["_output_tensor"] = out  # Keras's layer.output: its first symbolic call
        return record(out, layer, call)

    def compute(self, layer: Layer, call: Call, s: Shape) -> Any:
        return Shape.unknown()

    def compute_multi(self, layer: Layer, call: Call, shapes: list) -> Any:
        return Shape.unknown()

    def non_trainable(self, layer: Layer) -> set:
        """Names of the weights Keras counts as non-trainable (BatchNormalization's moving stats)."""
        return set()

    def weights(self, layer: Layer) -> dict[str, Shape]:
        """A Keras layer's weights exist once it is built (never None, unlike an unknown torch size)."""
        return {}

    def weight_list(self, layer: Layer) -> Optional[list]:
        """``[(name, Shape, trainable)]`` in ``layer.weights`` order, or None where not built."""
        if not self.is_built(layer):
            return None
        w = self.weights(layer)
        nt = self.non_trainable(layer)
        return [(n, s, n not in nt) for n, s in w.items()]

    def is_built(self, layer: Layer) -> bool:
        return True

    def attr(self, layer: Layer, name: str) -> Value:
        if name in ("weights", "trainable_weights", "non_trainable_weights", "variables", "trainable_variables",
                    "non_trainable_variables"):
            wl = self.weight_list(layer)
            if wl is None:
                return UNKNOWN
            keep = [(n, s) for n, s, tr in wl if "non_trainable" not in name or not tr]
            if name.startswith("trainable"):
                keep = [(n, s) for n, s, tr in wl if tr]
            return Seq([Tensor(s, FW, "float", f"{layer.kind}.{n}") for n, s in keep], "list")
        if name == "name":
            n = layer.config.get("name")
            return Const(n) if n else UNKNOWN
        if name in ("units", "filters"):
            v = layer.config.get(name)
            return Int(v) if v is not None else UNKNOWN
        if name in ("output", "input"):
            v = layer.config.get("_" + name + "_tensor")
            return v if isinstance(v, Value) else UNKNOWN
        if name.startswith("_"):
            return UNKNOWN
        w = self.weights(layer) if self.is_built(layer) else {}
        if name in w:
            return Tensor(w[name], FW, "float", f"{layer.kind}.{name}")
        return UNKNOWN

    # -- methods ---------------------------------------------------------------------------------
    def method_build(self, layer: Layer, call: Call) -> Value:
        ds = shape_tuple(call.get(0, "input_shape"))
        if ds is None or not ds:
            return UNKNOWN
        if D.is_opaque(ds[0]):
            ds[0] = BATCH
        self.apply(layer, call.with_args([kt(ds)], {}))
        return Const(None)

    def method_get_weights(self, layer: Layer, call: Call) -> Value:
        wl = self.weight_list(layer)
        if wl is None:
            return UNKNOWN
        return Seq([Tensor(s, "numpy", "float", f"{layer.kind}.{n}") for n, s, _ in wl], "list")

    def method_set_weights(self, layer: Layer, call: Call) -> Value:
        wl = self.weight_list(layer)
        v = call.get(0, "weights")
        if wl is None or not isinstance(v, Seq):
            return Const(None)
        if len(v.items) != len(wl):
            names = ", ".join(f"{n} {s}" for n, s, _ in wl)
            raise ShapeError("weights-count", lambda: (
                f"set_weights of {describe(layer)} gets {len(v.items)} arrays but the layer has {len(wl)} "
                f"weights ({names})"))
        for (n, s, _), src in zip(wl, v.items):
            t = tensor_of(src)
            if t is not None:
                check_weight_assignment(call, f"{layer.kind}.{n}", s, call.shape(t), "setting")
        return Const(None)

    def method_count_params(self, layer: Layer, call: Call) -> Value:
        wl = self.weight_list(layer)
        if wl is None:
            return UNKNOWN
        total: Dim = 0
        for _, s, _ in wl:
            n = s.numel()
            if n is None:
                return UNKNOWN
            total = D.add(total, n)
        return Int(total)

    def method_compute_output_shape(self, layer: Layer, call: Call) -> Value:
        ds = shape_tuple(call.get(0, "input_shape"))
        if ds is None:
            return UNKNOWN
        probe = Layer(layer.kind, dict(layer.config), layer.node)
        out = self.apply(probe, call.with_args([kt(ds)], {}))
        if isinstance(out, Tensor) and not out.shape.variadic:
            return Seq([Const(None) if D.is_opaque(d) else Int(d) for d in out.shape.dims], "tuple")
        return UNKNOWN


def params_of(rule: KerasLayer, layer: Layer) -> Optional[tuple]:
    """(trainable, non-trainable) parameter counts of a built layer, or None."""
    wl = rule.weight_list(layer)
    if wl is None:
        return None
    tr: Dim = 0
    nt: Dim = 0
    for _, s, trainable in wl:
        n = s.numel()
        if n is None:
            return None
        if trainable:
            tr = D.add(tr, n)
        else:
            nt = D.add(nt, n)
    return tr, nt
