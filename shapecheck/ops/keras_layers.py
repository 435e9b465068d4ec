"""Keras 3 layers: InputSpec rank checks, ``compute_output_shape``, weights in Keras layout.

A Keras tensor is ``Tensor(shape, fw="keras")``; the batch ``None`` is ``BATCH``, one opaque size
(never unifies, never compares FALSE) that flows through every layer, so a batch dim stays the
same object. Other ``None`` sizes (``Input(shape=(None, 8))``) are fresh opaque sizes.

Keras builds a layer on its first call: the input size its weights depend on (Dense's last
dim, a Conv's channels) is stored in ``layer.config`` then, and a later call with another size
is SHP301. ``input_shape=`` / ``input_dim=`` / ``batch_input_shape=`` only matter on the first
layer of a Sequential (Keras 3 ignores them elsewhere), so they are kept as ``_input`` for the
Sequential rule (keras_models.py) to use.

Every output tensor remembers the layer call that made it (``HISTORY``), so a functional model
can be re-run on the shape of the data it is fed, as Keras does.
"""
from __future__ import annotations

import re
from typing import Any, Optional, Sequence

from .. import dims as D
from ..dims import Dim
from ..findings import ShapeError
from ..shape_math import join as SMJ
from ..shape_math.features import require_feature
from ..shape_math.window import kernel_why, padded_out, padded_transpose_out, require_nonempty_spatial
from ..shapes import Shape
from ..values import UNKNOWN, Const, Dict, Int, Layer, Param, Seq, Tensor, Value, as_dim, tensor_of
from .common import broadcast_shapes
from .registry import Call, LayerRule, layer_rule, mismatch_note, shape_rule

FW = "keras"
BATCH = D.opaque("None")

# output tensor -> (layer, args, kwargs, index of the output or None): the running analysis's own
# table (values.AnalysisState.keras_history), never shared by two analyses
from ..values import KERAS_HISTORY as HISTORY  # noqa: E402


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
    """A shape literal ``(30, None)``: sizes, ``None`` as a fresh opaque size; None if not a literal."""
    if isinstance(v, Seq):
        out: list = []
        for x in v.items:
            if isinstance(x, Const) and x.value is None:
                out.append(D.opaque("None"))
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
        ds = shape_tuple(kw.get("batch_input_shape", kw.get("batch_shape")))
        if ds is None or not ds:
            return None
        b = ds[0]
        return Shape(tuple([BATCH if D.is_opaque(b) else b] + ds[1:]))
    batch = BATCH
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
        return ts  # type: ignore[return-value]
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
        from .common import check_weight_assignment

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


def params_of(rule: "KerasLayer", layer: Layer) -> Optional[tuple]:
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


# ---------------------------------------------------------------------------------- Input
@shape_rule("keras.Input", "keras.layers.Input", "keras.src.layers.core.input_layer.Input",
            "keras.src.layers.input_layer.Input", "keras.engine.input_layer.Input")
def keras_input(call: Call) -> Value:
    """``keras.Input(shape=(30, 1))`` -> a (None, 30, 1) Keras tensor."""
    if call.has(None, "batch_shape") or call.has(None, "batch_input_shape"):
        ds = shape_tuple(call.get(None, "batch_shape") if call.has(None, "batch_shape") else call.get(None, "batch_input_shape"))
        if not ds:
            return UNKNOWN
        if D.is_opaque(ds[0]):
            ds[0] = BATCH
    else:
        ds = shape_tuple(call.get(0, "shape"))
        if ds is None:
            return UNKNOWN
        b = call.get(1, "batch_size")
        batch = as_dim(b) if call.has(1, "batch_size") and as_dim(b) is not None else BATCH
        ds = [batch] + ds
    dtype = name_of(call.get(2, "dtype")) or ""
    kind = "int" if "int" in dtype else ("bool" if "bool" in dtype else "float")
    return Tensor(Shape(tuple(D.norm(d) for d in ds)), FW, kind)


@layer_rule(*spellings("InputLayer", "core.input_layer"))
class InputLayer(KerasLayer):
    def configure(self, call: Call) -> Optional[dict]:
        kw = call.kwargs
        key = next((k for k in ("shape", "input_shape") if k in kw), None)
        if key is not None or call.args:
            ds = shape_tuple(kw[key] if key else call.args[0])
            if ds is None:
                return None
            batch = as_dim(kw["batch_size"]) if "batch_size" in kw and as_dim(kw["batch_size"]) else BATCH
            shape = Shape(tuple([batch] + ds))
        elif "batch_shape" in kw or "batch_input_shape" in kw:
            ds = shape_tuple(kw.get("batch_shape", kw.get("batch_input_shape")))
            if not ds:
                return None
            shape = Shape(tuple([BATCH if D.is_opaque(ds[0]) else ds[0]] + ds[1:]))
        else:
            return None
        t = Tensor(shape, FW, "float")
        return {"_input": shape, "_output_tensor": t, "_input_tensor": t}

    def compute(self, layer: Layer, call: Call, s: Shape) -> Any:
        return s


# ---------------------------------------------------------------------------------- Dense & co
@layer_rule(*spellings("Dense", "core.dense"))
class Dense(KerasLayer):
    layouts = {"kernel": "io"}  # shape_math.layout tags: Keras stores (input_dim, units)

    def configure(self, call: Call) -> Optional[dict]:
        units = call.dim(0, "units") if call.has(0, "units") else call.dim(None, "output_dim")  # Keras 1
        if units is None:
            return None
        return {"units": units, "use_bias": call.bool(None, "use_bias", True) is not False, "_repr": D.fmt(units)}

    def compute(self, layer: Layer, call: Call, s: Shape) -> Any:
        check_rank(layer, s, min_ndim=2)
        bind_built(layer, call, s, -1)
        if not s.dims:
            return Shape((layer.config["units"],), True)
        return s.replace_last(1, [layer.config["units"]])

    def is_built(self, layer: Layer) -> bool:
        return layer.config.get("_in") is not None

    def weights(self, layer: Layer) -> dict:
        fin, u = layer.config.get("_in"), layer.config["units"]
        if fin is None:
            return {}
        out = {"kernel": Shape((fin, u))}
        if layer.config["use_bias"]:
            out["bias"] = Shape((u,))
        return out


_EINSUM = re.compile(r"^([a-zA-Z.]+),([a-zA-Z]+)->([a-zA-Z.]+)$")


@layer_rule(*spellings("EinsumDense", "core.einsum_dense"))
class EinsumDense(KerasLayer):
    def configure(self, call: Call) -> Optional[dict]:
        eq = name_of(call.get(0, "equation"))
        out = call.get(1, "output_shape")
        ds = shape_tuple(out)
        if eq is None or ds is None:
            return None
        m = _EINSUM.match(eq.replace(" ", ""))
        if not m:
            return None
        bias = name_of(call.get(3, "bias_axes")) if call.has(3, "bias_axes") else None
        return {"eq": m.groups(), "output_shape": ds, "bias_axes": bias, "_repr": repr(eq)}

    def compute(self, layer: Layer, call: Call, s: Shape) -> Any:
        ins, ker, outs = layer.config["eq"]
        lead: tuple = ()  # the sizes "..." stands for, in front of the output (Keras: left-elided)
        if ins.startswith("...") and outs.startswith("...") and "..." not in ins[3:] + outs[3:] + ker:
            ins, outs = ins[3:], outs[3:]
            if s.variadic:
                return Shape.unknown()
            if s.rank <= len(ins):
                return Shape.unknown()  # (nothing elided: Keras's own reading is odd there)
            lead, core = s.dims[:s.rank - len(ins)], s.dims[s.rank - len(ins):]
            full_out = list(lead) + list(layer.config["output_shape"])
            if len(full_out) != len(lead) + len(outs):
                return Shape.unknown()
            full_out = full_out[len(lead):]
        elif "..." in ins or "..." in outs or "..." in ker:
            return Shape.unknown()  # right-elided equations: not modelled
        else:
            check_rank(layer, s, ndim=len(ins))
            if s.variadic:
                return Shape.unknown()
            core = s.dims
            full_out = list(layer.config["output_shape"])
            if len(full_out) == len(outs) - 1:
                full_out = [s.dims[0]] + full_out
            if len(full_out) != len(outs):
                return Shape.unknown()
        sizes = dict(zip(ins, core))
        for c, d in zip(outs, full_out):
            if c in sizes:
                full_out[outs.index(c)] = sizes[c]
            sizes.setdefault(c, d)
        kshape = []
        for c in ker:
            if c not in sizes:
                return Shape.unknown()
            kshape.append(sizes[c])
        built = layer.config.get("_kernel")
        if built is None:
            if all(usable(d) for d in kshape):
                layer.config["_kernel"] = tuple(kshape)
                ba = layer.config.get("bias_axes")
                if ba:
                    first = min(outs.find(c) for c in ba)
                    layer.config["_bias"] = tuple(full_out[i] if outs[i] in ba else 1 for i in range(first, len(outs)))
        else:
            for c, have, got in zip(ker, built, kshape):
                if D.compare(have, got, call.bindings) is D.FALSE:
                    raise ShapeError("layer-input-mismatch", lambda: (
                        f"{describe(layer)} was built with '{c}' = {D.fmt(have)} but gets {D.fmt(got)} (input {s})"))
        return Shape(tuple(lead) + tuple(full_out))

    def is_built(self, layer: Layer) -> bool:
        return layer.config.get("_kernel") is not None

    def weights(self, layer: Layer) -> dict:
        k = layer.config.get("_kernel")
        if k is None:
            return {}
        out = {"kernel": Shape(k)}
        if layer.config.get("_bias"):
            out["bias"] = Shape(layer.config["_bias"])
        return out


@layer_rule(*spellings("Embedding", "core.embedding"))
class Embedding(KerasLayer):
    def configure(self, call: Call) -> Optional[dict]:
        n, d = call.dim(0, "input_dim"), call.dim(1, "output_dim")
        if n is None or d is None:
            return None
        cfg: dict = {"input_dim": n, "output_dim": d, "_repr": f"{D.fmt(n)}, {D.fmt(d)}"}
        if "input_length" in call.kwargs:  # Keras 2: the Sequential's input is (None, input_length)
            ln = shape_tuple(call.kwargs["input_length"])
            if ln is not None and len(ln) == 1:
                cfg["_input_len"] = ln[0]
        return cfg

    def build(self, call: Call) -> Optional[dict]:
        # input_dim here is the vocabulary, not a Keras 2 input size
        cfg = self.configure(call)
        if cfg is None:
            return None
        name = name_of(call.kwargs.get("name", UNKNOWN))
        if name:
            cfg["name"] = name
        if "_input_len" in cfg:
            cfg["_input"] = Shape((BATCH, cfg["_input_len"]))
        elif "input_shape" in call.kwargs or "batch_input_shape" in call.kwargs:
            kw = {k: v for k, v in call.kwargs.items() if k not in ("input_dim",)}
            decl = declared_input(call.with_args([], kw))
            if decl is not None:
                cfg["_input"] = decl
        return cfg

    def compute(self, layer: Layer, call: Call, s: Shape) -> Any:
        return Shape(s.dims + (layer.config["output_dim"],), s.variadic)

    def weights(self, layer: Layer) -> dict:
        return {"embeddings": Shape((layer.config["input_dim"], layer.config["output_dim"]))}


# ---------------------------------------------------------------------------------- convolutions
def _padding(call: Call, default: str = "valid") -> Optional[str]:
    p = call.get(None, "padding") if call.has(None, "padding") else call.get(None, "border_mode")
    if p is UNKNOWN and not call.has(None, "padding") and not call.has(None, "border_mode"):
        return default
    s = name_of(p)
    return s.lower() if s else None


class Conv(KerasLayer):
    rank = 2
    transpose = False
    separable = False
    depthwise = False

    @property
    def layouts(self) -> dict:
        """shape_math.layout tags: (*kernel, in, filters); transposed (*kernel, filters, in). A
        depthwise kernel (*kernel, in, multiplier) is in no other framework's layout: no tag."""
        if self.separable or self.depthwise:
            return {}
        return {"kernel": "koi" if self.transpose else "kio"}

    def configure(self, call: Call) -> Optional[dict]:
        r = self.rank
        kw = call.kwargs
        args = list(call.args)
        keras1 = any(k in kw for k in ("nb_filter", "border_mode", "subsample", "nb_row", "nb_col", "filter_length"))
        if self.depthwise:
            filters = None
            k = ints(call.get(0, "kernel_size"), r)
        else:
            filters = call.dim(None, "nb_filter") if "nb_filter" in kw else call.dim(0, "filters")
            if keras1 or (len(args) == r + 1 and r > 1 and all(as_dim(a) is not None for a in args)):
                if not keras1:
                    return None  # Conv2D(32, 3, 3): Keras 2 reads strides=3, Keras 1 a 3x3 kernel; ambiguous
                ks = args[1:1 + r] if len(args) >= 1 + r else [kw.get(n, UNKNOWN) for n in ("nb_row", "nb_col", "nb_depth")[:r]]
                if r == 1:
                    ks = [kw.get("filter_length", args[1] if len(args) > 1 else UNKNOWN)]
                k = [as_dim(x) for x in ks]
                if any(x is None for x in k):
                    return None
                if "nb_filter" not in kw and args:
                    filters = as_dim(args[0])
            else:
                k = ints(call.get(1, "kernel_size"), r)
            if filters is None:
                return None
        if k is None:
            return None
        if keras1:
            sv = kw.get("subsample", UNKNOWN)
        else:
            sv = call.get(2 if not self.depthwise else 1, "strides")
        strides = ints(sv, r) if sv is not UNKNOWN else [1] * r
        padding = _padding(call) if "padding" in kw or "border_mode" in kw else name_of(
            call.get(3 if not self.depthwise else 2, "padding")) or "valid"
        dil = ints(call.get(None, "dilation_rate"), r) if "dilation_rate" in kw else [1] * r
        fmt = name_of(call.get(None, "data_format")) or "channels_last"
        if strides is None or padding is None or dil is None:
            return None
        cfg: dict = {"filters": filters, "kernel": k, "strides": strides, "padding": padding.lower(), "dilation": dil,
                     "data_format": fmt, "use_bias": call.bool(None, "use_bias", True) is not False,
                     "groups": call.int(None, "groups", 1) or 1,
                     "depth_multiplier": call.dim(None, "depth_multiplier", 1) or 1,
                     "_repr": (f"{D.fmt(filters)}, " if filters is not None else "")
                     + (str(tuple(D.fmt(x) for x in k)).replace("'", "") if len(k) > 1 else D.fmt(k[0]))}
        if self.transpose:
            op = call.get(None, "output_padding")
            cfg["output_padding"] = None if op is UNKNOWN or (isinstance(op, Const) and op.value is None) else ints(op, r)
        return cfg

    def compute(self, layer: Layer, call: Call, s: Shape) -> Any:
        r = self.rank
        c = layer.config
        check_rank(layer, s, ndim=r + 2, what="(batch, *spatial, channels)" if c["data_format"] != "channels_first"
                   else "(batch, channels, *spatial)")
        if s.variadic:
            if c["data_format"] == "channels_first" or self.depthwise:
                return Shape.unknown()
            bind_built(layer, call, s, -1, param="input_channel")
            out_c = c["filters"]
            return Shape((out_c,), True)
        cf = c["data_format"] == "channels_first"
        cax = 1 if cf else r + 1
        cin = bind_built(layer, call, s, cax, param="input_channel")
        g = c["groups"]
        if cin is not None and isinstance(g, int) and g > 1 and isinstance(D.as_int(cin), int) and D.as_int(cin) % g:
            raise ShapeError("layer-input-mismatch", f"{describe(layer)} with groups={g} gets {D.fmt(cin)} channels, "
                                                     f"not a multiple of groups (input {s})")
        spatial = s.dims[2:] if cf else s.dims[1:1 + r]
        out_sp = []
        for i, n in enumerate(spatial):
            if self.transpose:
                op = c.get("output_padding")
                o = padded_transpose_out(n, c["kernel"][i], c["strides"][i], c["dilation"][i], c["padding"],
                                  op[i] if op else None)
            else:
                o = padded_out(n, c["kernel"][i], c["strides"][i], c["dilation"][i], c["padding"])
            if o is None:
                return Shape.unknown()
            require_nonempty_spatial(o, op=describe(layer), shape=s, axis=i + (2 if cf else 1), size=n,
                                     bindings=call.bindings,
                                     why=kernel_why(c["kernel"][i], c["dilation"][i], padding=c["padding"])
                                     if not self.transpose else f"with kernel {D.fmt(c['kernel'][i])} and padding "
                                     f"'{c['padding']}' loses more to the padding than it has")
            out_sp.append(o)
        if self.depthwise:
            cin_d = s.dims[cax]
            out_c = D.mul(cin_d, c["depth_multiplier"])
        else:
            out_c = c["filters"]
        dims = [s.dims[0]] + ([out_c] + out_sp if cf else out_sp + [out_c])
        return Shape(tuple(dims))

    def is_built(self, layer: Layer) -> bool:
        return layer.config.get("_in") is not None

    def weights(self, layer: Layer) -> dict:
        c = layer.config
        cin = c.get("_in")
        if cin is None:
            return {}
        k = tuple(c["kernel"])
        f = c["filters"]
        if self.depthwise:
            dm = c["depth_multiplier"]
            out = {"kernel": Shape(k + (cin, dm))}
            if c["use_bias"]:
                out["bias"] = Shape((D.mul(cin, dm),))
            return out
        if self.separable:
            dm = c["depth_multiplier"]
            out = {"depthwise_kernel": Shape(k + (cin, dm)),
                   "pointwise_kernel": Shape((1,) * self.rank + (D.mul(cin, dm), f))}
        elif self.transpose:
            out = {"kernel": Shape(k + (f, cin))}
        else:
            g = c["groups"]
            out = {"kernel": Shape(k + (D.floordiv(cin, g) if g != 1 else cin, f))}
        if c["use_bias"]:
            out["bias"] = Shape((f,))
        return out


for _r in (1, 2, 3):
    layer_rule(*spellings(f"Conv{_r}D", f"convolutional.conv{_r}d", f"Convolution{_r}D"))(
        type(f"Conv{_r}D", (Conv,), {"rank": _r}))
    layer_rule(*spellings(f"Conv{_r}DTranspose", f"convolutional.conv{_r}d_transpose", f"Convolution{_r}DTranspose",
                          *(("Deconvolution2D", "Deconv2D") if _r == 2 else ("Deconv3D",) if _r == 3 else ())))(
        type(f"Conv{_r}DTranspose", (Conv,), {"rank": _r, "transpose": True}))
for _r in (1, 2):
    layer_rule(*spellings(f"SeparableConv{_r}D", f"convolutional.separable_conv{_r}d", f"SeparableConvolution{_r}D"))(
        type(f"SeparableConv{_r}D", (Conv,), {"rank": _r, "separable": True}))
    layer_rule(*spellings(f"DepthwiseConv{_r}D", f"convolutional.depthwise_conv{_r}d"))(
        type(f"DepthwiseConv{_r}D", (Conv,), {"rank": _r, "depthwise": True}))


class ConvLSTM(Conv):
    """ConvLSTM1D/2D/3D: an LSTM whose gates are convolutions. The input is (batch, time, *spatial,
    channels); each step is the convolution of ``Conv`` (the recurrent one keeps the size: 'same',
    stride 1); weights are the four gates' kernels side by side."""

    def configure(self, call: Call) -> Optional[dict]:
        cfg = super().configure(call)
        if cfg is None or cfg["groups"] != 1:
            return None
        cfg["return_sequences"] = call.bool(None, "return_sequences", False) is True
        cfg["return_state"] = call.bool(None, "return_state", False) is True
        if call.has(None, "return_sequences") and call.bool(None, "return_sequences") is None or \
                call.has(None, "return_state") and call.bool(None, "return_state") is None:
            return None
        return cfg

    def compute(self, layer: Layer, call: Call, s: Shape) -> Any:
        c = layer.config
        cf = c["data_format"] == "channels_first"
        check_rank(layer, s, ndim=self.rank + 3, what="(batch, time, *spatial, channels)" if not cf
                   else "(batch, time, channels, *spatial)")
        if s.variadic:
            return Shape.unknown()
        step = super().compute(layer, call, Shape((s.dims[0],) + s.dims[2:]))
        if not isinstance(step, Shape) or step.variadic:
            return Shape.unknown()
        out = Shape((s.dims[0], s.dims[1]) + step.dims[1:]) if c["return_sequences"] else step
        if c["return_state"]:
            return Seq([Tensor(out, FW, "float"), Tensor(step, FW, "float"), Tensor(step, FW, "float")], "list")
        return out

    def weights(self, layer: Layer) -> dict:
        c = layer.config
        cin = c.get("_in")
        if cin is None:
            return {}
        k, f4 = tuple(c["kernel"]), D.mul(4, c["filters"])
        out = {"kernel": Shape(k + (cin, f4)), "recurrent_kernel": Shape(k + (c["filters"], f4))}
        if c["use_bias"]:
            out["bias"] = Shape((f4,))
        return out


for _r in (1, 2, 3):
    layer_rule(*spellings(f"ConvLSTM{_r}D", f"rnn.conv_lstm{_r}d"))(type(f"ConvLSTM{_r}D", (ConvLSTM,), {"rank": _r}))


# ---------------------------------------------------------------------------------- pooling
class Pool(KerasLayer):
    rank = 2

    def configure(self, call: Call) -> Optional[dict]:
        r = self.rank
        kw = call.kwargs
        pv = call.get(None, "pool_length") if "pool_length" in kw else call.get(0, "pool_size")
        if pv is UNKNOWN and "Average" in type(self).__name__:
            return None  # Keras 3 requires pool_size here (Keras 2 defaulted to 2): a TypeError, not ours
        pool = [2] * r if pv is UNKNOWN else ints(pv, r)
        sv = call.get(1, "strides") if "stride" not in kw else kw["stride"]
        strides = pool if sv is UNKNOWN or (isinstance(sv, Const) and sv.value is None) else ints(sv, r)
        padding = _padding(call) if ("padding" in kw or "border_mode" in kw) else (
            name_of(call.get(2, "padding")) or "valid")
        fmt = name_of(call.get(3, "data_format")) or "channels_last"
        if pool is None or strides is None or padding is None:
            return None
        return {"pool": pool, "strides": strides, "padding": padding.lower(), "data_format": fmt}

    def compute(self, layer: Layer, call: Call, s: Shape) -> Any:
        r = self.rank
        c = layer.config
        check_rank(layer, s, ndim=r + 2)
        if s.variadic:
            return Shape.unknown()
        cf = c["data_format"] == "channels_first"
        spatial = s.dims[2:] if cf else s.dims[1:1 + r]
        out = []
        for i, n in enumerate(spatial):
            o = padded_out(n, c["pool"][i], c["strides"][i], 1, c["padding"])
            if o is None:
                return Shape.unknown()
            require_nonempty_spatial(o, op=describe(layer), shape=s, axis=i + (2 if cf else 1), size=n,
                                     bindings=call.bindings, advice="pool less or earlier",
                                     why=kernel_why(c["pool"][i], window="pool size", padding=c["padding"]))
            out.append(o)
        dims = [s.dims[0], s.dims[1]] + out if cf else [s.dims[0]] + out + [s.dims[-1]]
        return Shape(tuple(dims))


class GlobalPool(KerasLayer):
    rank = 2

    def configure(self, call: Call) -> Optional[dict]:
        return {"data_format": name_of(call.get(0, "data_format")) or "channels_last",
                "keepdims": call.bool(1, "keepdims", False) is True}

    def compute(self, layer: Layer, call: Call, s: Shape) -> Any:
        r = self.rank
        check_rank(layer, s, ndim=r + 2)
        if s.variadic:
            return Shape.unknown()
        cf = layer.config["data_format"] == "channels_first"
        ch = s.dims[1] if cf else s.dims[-1]
        if layer.config["keepdims"]:
            return Shape((s.dims[0], ch) + (1,) * r) if cf else Shape((s.dims[0],) + (1,) * r + (ch,))
        return Shape((s.dims[0], ch))


for _r in (1, 2, 3):
    for _kind, _src in (("Max", "max"), ("Average", "average")):
        _short = "Max" if _kind == "Max" else "Avg"
        layer_rule(*spellings(f"{_kind}Pooling{_r}D", f"pooling.{_src}_pooling{_r}d", f"{_short}Pool{_r}D"))(
            type(f"{_kind}Pooling{_r}D", (Pool,), {"rank": _r}))
        layer_rule(*spellings(f"Global{_kind}Pooling{_r}D", f"pooling.global_{_src}_pooling{_r}d",
                              f"Global{_short}Pool{_r}D"))(
            type(f"Global{_kind}Pooling{_r}D", (GlobalPool,), {"rank": _r}))


# ---------------------------------------------------------------------------------- normalization
def _axes(v: Value, default: int) -> Optional[list]:
    if v is UNKNOWN:
        return [default]
    if isinstance(v, Seq):
        out = [as_dim(x) for x in v.items]
        return None if any(D.as_int(x) is None for x in out if x is not None) or None in out else [D.as_int(x) for x in out]
    d = as_dim(v)
    return None if d is None or D.as_int(d) is None else [D.as_int(d)]


def _norm_axes(layer: Layer, s: Shape, axes: list) -> Optional[list]:
    r = s.rank
    out = []
    for a in axes:
        if r is None:
            if a >= 0:
                return None
            out.append(a)
            continue
        if not -r <= a < r:
            raise ShapeError("axis-out-of-range", f"{describe(layer)}: axis {a} is out of range for a {r}-D input {s}")
        out.append(a - r if a >= 0 else a)
    return out


@layer_rule(*spellings("BatchNormalization", "normalization.batch_normalization"))
class BatchNormalization(KerasLayer):
    def configure(self, call: Call) -> Optional[dict]:
        axes = _axes(call.get(0, "axis"), -1)
        if axes is None or len(axes) != 1:
            return None
        return {"axis": axes[0], "center": call.bool(None, "center", True) is not False,
                "scale": call.bool(None, "scale", True) is not False}

    def compute(self, layer: Layer, call: Call, s: Shape) -> Any:
        ax = _norm_axes(layer, s, [layer.config["axis"]])
        if ax is None:
            return s
        bind_built(layer, call, s, ax[0], param="features")
        return s

    def is_built(self, layer: Layer) -> bool:
        return layer.config.get("_in") is not None

    def weights(self, layer: Layer) -> dict:
        c = layer.config.get("_in")
        if c is None:
            return {}
        out = {}
        if layer.config["scale"]:
            out["gamma"] = Shape((c,))
        if layer.config["center"]:
            out["beta"] = Shape((c,))
        out["moving_mean"] = Shape((c,))
        out["moving_variance"] = Shape((c,))
        return out

    def non_trainable(self, layer: Layer) -> set:
        return {"moving_mean", "moving_variance"}


@layer_rule(*spellings("LayerNormalization", "normalization.layer_normalization"))
class LayerNormalization(KerasLayer):
    def configure(self, call: Call) -> Optional[dict]:
        axes = _axes(call.get(0, "axis"), -1)
        if axes is None:
            return None
        return {"axis": axes, "center": call.bool(None, "center", True) is not False,
                "scale": call.bool(None, "scale", True) is not False,
                "rms_scaling": call.bool(None, "rms_scaling", False) is True}

    def compute(self, layer: Layer, call: Call, s: Shape) -> Any:
        ax = _norm_axes(layer, s, layer.config["axis"])
        if ax is None:
            return s
        if len(ax) == 1:
            bind_built(layer, call, s, ax[0], param="features")
        else:
            got = tuple(s.dim(a) for a in sorted(ax))
            if all(usable(d) for d in got) and layer.config.get("_shape") is None:
                layer.config["_shape"] = got
        return s

    def is_built(self, layer: Layer) -> bool:
        return layer.config.get("_in") is not None or layer.config.get("_shape") is not None

    def weights(self, layer: Layer) -> dict:
        shp = layer.config.get("_shape") or ((layer.config["_in"],) if layer.config.get("_in") is not None else None)
        if shp is None:
            return {}
        out = {}
        if layer.config["scale"] or layer.config["rms_scaling"]:
            out["gamma"] = Shape(shp)
        if layer.config["center"] and not layer.config["rms_scaling"]:
            out["beta"] = Shape(shp)
        return out


@layer_rule(*spellings("GroupNormalization", "normalization.group_normalization"))
class GroupNormalization(KerasLayer):
    def configure(self, call: Call) -> Optional[dict]:
        g = call.dim(0, "groups", 32)
        axes = _axes(call.get(1, "axis"), -1)
        if g is None or axes is None or len(axes) != 1:
            return None
        return {"groups": g, "axis": axes[0], "center": call.bool(None, "center", True) is not False,
                "scale": call.bool(None, "scale", True) is not False}

    def compute(self, layer: Layer, call: Call, s: Shape) -> Any:
        check_rank(layer, s, min_ndim=2)
        ax = _norm_axes(layer, s, [layer.config["axis"]])
        if ax is None:
            return s
        c = bind_built(layer, call, s, ax[0], param="input_channel")
        g = D.as_int(layer.config["groups"])
        ci = D.as_int(c) if c is not None else None
        if g is not None and ci is not None and (ci < g or ci % g):
            raise ShapeError("layer-input-mismatch", f"{describe(layer)}: {ci} channels cannot be split into {g} "
                                                     f"groups (input {s})")
        return s

    def is_built(self, layer: Layer) -> bool:
        return layer.config.get("_in") is not None

    def weights(self, layer: Layer) -> dict:
        c = layer.config.get("_in")
        if c is None:
            return {}
        out = {}
        if layer.config["scale"]:
            out["gamma"] = Shape((c,))
        if layer.config["center"]:
            out["beta"] = Shape((c,))
        return out


class AdaptivePooling(KerasLayer):
    """``AdaptiveAveragePooling2D(output_size)``: the spatial sizes become ``output_size``."""

    rank = 2

    def configure(self, call: Call) -> Optional[dict]:
        out = ints(call.get(0, "output_size"), self.rank)
        fmt = name_of(call.get(1, "data_format")) if call.has(1, "data_format") else "channels_last"
        if out is None or fmt not in ("channels_last", "channels_first"):
            return None
        return {"output_size": out, "data_format": fmt}

    def compute(self, layer: Layer, call: Call, s: Shape) -> Any:
        if s.variadic or s.rank != self.rank + 2:  # (Keras itself does not check the rank when building)
            return Shape.unknown()
        out = tuple(layer.config["output_size"])
        if layer.config["data_format"] == "channels_first":
            return Shape(s.dims[:2] + out)
        return Shape(s.dims[:1] + out + s.dims[-1:])


for _r in (1, 2, 3):
    for _kind in ("Average", "Max"):
        layer_rule(*spellings(f"Adaptive{_kind}Pooling{_r}D", f"pooling.adaptive_{_kind.lower()}_pooling{_r}d"))(
            type(f"Adaptive{_kind}Pooling{_r}D", (AdaptivePooling,), {"rank": _r}))


@layer_rule(*spellings("RMSNormalization", "normalization.rms_normalization"))
class RMSNormalization(KerasLayer):
    """Same shape; one ``scale`` weight over the normalized axis (or axes)."""

    def configure(self, call: Call) -> Optional[dict]:
        axes = _axes(call.get(0, "axis"), -1)
        return None if axes is None else {"axis": axes}

    compute = LayerNormalization.compute
    is_built = LayerNormalization.is_built

    def weights(self, layer: Layer) -> dict:
        shp = layer.config.get("_shape") or ((layer.config["_in"],) if layer.config.get("_in") is not None else None)
        return {} if shp is None else {"scale": Shape(shp)}


# ---------------------------------------------------------------------------------- same-shape layers
class SameShape(KerasLayer):
    min_ndim: Optional[int] = None
    ndim: Optional[int] = None

    def compute(self, layer: Layer, call: Call, s: Shape) -> Any:
        check_rank(layer, s, ndim=self.ndim, min_ndim=self.min_ndim)
        return s


_SAME = {
    "Dropout": "regularization.dropout", "GaussianNoise": "regularization.gaussian_noise",
    "GaussianDropout": "regularization.gaussian_dropout", "AlphaDropout": "regularization.alpha_dropout",
    "ActivityRegularization": "regularization.activity_regularization", "Activation": "activations.activation",
    "Softmax": "activations.softmax", "ReLU": "activations.relu", "LeakyReLU": "activations.leaky_relu",
    "ELU": "activations.elu", "Masking": "core.masking", "Identity": "core.identity",
    "Rescaling": "preprocessing.rescaling", "UnitNormalization": "normalization.unit_normalization",
    "ThresholdedReLU": "activations.thresholded_relu",
}
for _n, _src in _SAME.items():
    layer_rule(*spellings(_n, _src))(type(_n, (SameShape,), {}))
# image augmentation and preprocessing layers: the output has the input's shape (checked against
# Keras 3.15 in tests/test_ops_keras.py), no weights
_AUGMENT = ("RandomFlip", "RandomRotation", "RandomZoom", "RandomTranslation", "RandomContrast", "RandomBrightness",
            "RandomHue", "RandomSaturation", "RandomColorDegeneration", "RandomColorJitter", "RandomSharpness",
            "RandomShear", "RandomInvert", "RandomPosterization", "RandomGaussianBlur", "RandomErasing",
            "RandomPerspective", "RandomElasticTransform", "AutoContrast", "Equalization", "Solarization",
            "RandomGrayscale", "AugMix", "RandAugment")
for _n in _AUGMENT:
    layer_rule(*spellings(_n, "preprocessing.image_preprocessing." + snake(_n)))(type(_n, (SameShape,), {}))
for _r in (1, 2, 3):
    layer_rule(*spellings(f"SpatialDropout{_r}D", "regularization.spatial_dropout"))(
        type(f"SpatialDropout{_r}D", (SameShape,), {"ndim": _r + 2}))


@layer_rule(*spellings("PReLU", "activations.prelu"))
class PReLU(KerasLayer):
    def configure(self, call: Call) -> Optional[dict]:
        sa = call.get(None, "shared_axes")
        shared = [] if sa is UNKNOWN or (isinstance(sa, Const) and sa.value is None) else _axes(sa, 1)
        return None if shared is None else {"shared": shared}

    def compute(self, layer: Layer, call: Call, s: Shape) -> Any:
        if not s.variadic and layer.config.get("_alpha") is None and all(usable(d) for d in s.dims[1:]):
            layer.config["_alpha"] = tuple(1 if i in layer.config["shared"] else d for i, d in enumerate(s.dims) if i)
        return s

    def is_built(self, layer: Layer) -> bool:
        return layer.config.get("_alpha") is not None

    def weights(self, layer: Layer) -> dict:
        a = layer.config.get("_alpha")
        return {} if a is None else {"alpha": Shape(a)}


@layer_rule(*spellings("Normalization", "preprocessing.normalization"))
class Normalization(KerasLayer):
    """Keras 3 Normalization: non-trainable ``mean``, ``variance`` (the axis sizes) and ``count``."""

    def configure(self, call: Call) -> Optional[dict]:
        axes = _axes(call.get(0, "axis"), -1)
        if axes is None or len(axes) != 1:
            return None
        return {"axis": axes[0]}

    def compute(self, layer: Layer, call: Call, s: Shape) -> Any:
        ax = _norm_axes(layer, s, [layer.config["axis"]])
        if ax is not None:
            bind_built(layer, call, s, ax[0], param="features")
        return s

    def is_built(self, layer: Layer) -> bool:
        return layer.config.get("_in") is not None

    def weights(self, layer: Layer) -> dict:
        c = layer.config.get("_in")
        if c is None:
            return {}
        return {"mean": Shape((c,)), "variance": Shape((c,)), "count": Shape(())}

    def non_trainable(self, layer: Layer) -> set:
        return {"mean", "variance", "count"}


@layer_rule(*spellings("Lambda", "core.lambda_layer"))
class Lambda(KerasLayer):
    """Keras computes the output by running the function on the symbolic input: so do we (a body
    of known ops gives a shape; anything else is unknown). A given ``output_shape`` is not read."""

    def configure(self, call: Call) -> Optional[dict]:
        extra = call.get(None, "arguments")
        return {"function": call.get(0, "function"), "arguments": extra,
                "known": not call.has(1, "output_shape") and not call.has(None, "mask") and (
                    not call.has(None, "arguments") or isinstance(extra, Dict))}

    def apply(self, layer: Layer, call: Call) -> Value:
        x = call.get(0, "inputs")
        fn = layer.config.get("function")
        if not layer.config.get("known") or fn is None or fn is UNKNOWN or not (
                isinstance(x, Tensor) or isinstance(x, Seq) and all(isinstance(t, Tensor) for t in x.items)):
            return record(Tensor(Shape.unknown(), FW, "float"), layer, call)
        extra = layer.config.get("arguments")
        out = call.invoke(fn, x, **(dict(extra.items) if isinstance(extra, Dict) else {}))
        if isinstance(out, Tensor):
            out = Tensor(out.shape, FW, out.dtype)
        elif not (isinstance(out, Seq) and all(isinstance(t, Tensor) for t in out.items)):
            out = Tensor(Shape.unknown(), FW, "float")
        if "_output_tensor" not in layer.config and (isinstance(x, Tensor) and x.fw == FW):
            layer.config["_output_tensor"] = out
        return record(out, layer, call)

    def weights(self, layer: Layer) -> dict:
        return {}


# ---------------------------------------------------------------------------------- reshaping
@layer_rule(*spellings("Flatten", "reshaping.flatten"))
class Flatten(KerasLayer):
    def configure(self, call: Call) -> Optional[dict]:
        return {}

    def compute(self, layer: Layer, call: Call, s: Shape) -> Any:
        check_rank(layer, s, min_ndim=1)
        if s.variadic:
            return Shape.unknown()
        rest = s.dims[1:]
        if not rest:
            return Shape((s.dims[0], 1))
        if any(D.is_opaque(d) for d in rest):
            return Shape((s.dims[0], D.opaque("None")))
        n = D.mul(*rest)
        why = "*".join(s.why_of(i + 1) or D.fmt(d) for i, d in enumerate(rest)) if len(rest) > 1 else None
        return Shape((s.dims[0], n), False, (None, why))


@layer_rule(*spellings("Reshape", "reshaping.reshape"))
class Reshape(KerasLayer):
    def configure(self, call: Call) -> Optional[dict]:
        v = call.get(0, "target_shape")
        if not isinstance(v, Seq):
            return None
        ds = [as_dim(x) for x in v.items]
        if any(d is None for d in ds):
            return None
        return {"target": ds, "_repr": "(" + ", ".join(D.fmt(d) for d in ds) + ")"}

    def compute(self, layer: Layer, call: Call, s: Shape) -> Any:
        target = list(layer.config["target"])
        unknown = [i for i, d in enumerate(target) if D.as_int(d) == -1]
        if len(unknown) > 1:
            raise ShapeError("reshape-size", f"{describe(layer)}: only one -1 is allowed in the target shape")
        if s.variadic or any(D.is_opaque(d) for d in s.dims[1:]):
            return Shape(tuple([s.dims[0] if not s.variadic else BATCH] + [
                D.opaque("None") if D.as_int(d) == -1 else d for d in target]))
        n = D.mul(*s.dims[1:]) if len(s.dims) > 1 else 1
        if unknown:
            known = D.mul(*[d for d in target if D.as_int(d) != -1]) if len(target) > 1 else 1
            ni, ki = D.as_int(n), D.as_int(known)
            if ni is not None and ki is not None:
                if ki == 0 or ni % ki:
                    raise ShapeError("reshape-size", lambda: (
                        f"{describe(layer)}: cannot reshape {s} (without the batch: {ni} elements) into "
                        f"{tuple(D.fmt(d) for d in target)}: {ni} is not divisible by {ki}"))
                target[unknown[0]] = ni // ki
            else:
                target[unknown[0]] = D.floordiv(n, known)
        else:
            want = D.mul(*target) if target else 1
            if D.compare(n, want, call.bindings, unify=False) is D.FALSE:
                raise ShapeError("reshape-size", lambda: (
                    f"{describe(layer)}: cannot reshape {s} into (batch, {', '.join(D.fmt(d) for d in target)}): "
                    f"{D.fmt(n)} elements per sample, the target has {D.fmt(want)}{mismatch_note(n, want)}"))
        return Shape(tuple([s.dims[0]] + target))


@layer_rule(*spellings("Permute", "reshaping.permute"))
class Permute(KerasLayer):
    def configure(self, call: Call) -> Optional[dict]:
        v = call.get(0, "dims")
        ds = [D.as_int(as_dim(x)) if as_dim(x) is not None else None for x in v.items] if isinstance(v, Seq) else None
        if ds is None or None in ds:
            return None
        if sorted(ds) != list(range(1, len(ds) + 1)):
            raise ShapeError("bad-permutation", f"Permute{tuple(ds)}: dims must be a permutation of 1..{len(ds)} "
                                                f"(the batch axis 0 is never permuted)")
        return {"dims": ds, "_repr": str(tuple(ds))}

    def compute(self, layer: Layer, call: Call, s: Shape) -> Any:
        dims = layer.config["dims"]
        check_rank(layer, s, ndim=len(dims) + 1)
        if s.variadic:
            return Shape.unknown()
        return Shape((s.dims[0],) + tuple(s.dims[d] for d in dims))


@layer_rule(*spellings("RepeatVector", "reshaping.repeat_vector"))
class RepeatVector(KerasLayer):
    def configure(self, call: Call) -> Optional[dict]:
        n = call.dim(0, "n")
        return None if n is None else {"n": n, "_repr": D.fmt(n)}

    def compute(self, layer: Layer, call: Call, s: Shape) -> Any:
        check_rank(layer, s, ndim=2)
        if s.variadic:
            return Shape.unknown()
        return Shape((s.dims[0], layer.config["n"], s.dims[1]))


def _pairs(v: Value, r: int, default: Any) -> Optional[list]:
    """ZeroPadding/Cropping amounts: an int, a tuple of ``r`` ints, or ``r`` (before, after) pairs."""
    if v is UNKNOWN:
        v = default
        if isinstance(v, int):
            return [(v, v)] * r
        return [tuple(p) for p in v]
    if isinstance(v, Seq):
        if r == 1 and len(v.items) == 2 and all(as_dim(x) is not None for x in v.items):
            return [(as_dim(v.items[0]), as_dim(v.items[1]))]
        if len(v.items) != r:
            return None
        out = []
        for x in v.items:
            if isinstance(x, Seq) and len(x.items) == 2:
                a, b = as_dim(x.items[0]), as_dim(x.items[1])
            else:
                a = b = as_dim(x)
            if a is None or b is None:
                return None
            out.append((a, b))
        return out
    d = as_dim(v)
    return None if d is None else [(d, d)] * r


class SpatialResize(KerasLayer):
    rank = 1
    op = "pad"

    def configure(self, call: Call) -> Optional[dict]:
        r = self.rank
        fmt = name_of(call.get(None, "data_format")) or "channels_last"
        if self.op == "pad":
            p = _pairs(call.get(0, "padding"), r, 1)
        elif self.op == "crop":
            p = _pairs(call.get(0, "cropping"), r, (1, 1) if r == 1 else [(0, 0)] * r)
        else:
            sz = call.get(0, "size") if call.has(0, "size") else (Int(2) if r > 0 else UNKNOWN)
            p = ints(sz, r)
        return None if p is None else {"amount": p, "data_format": fmt}

    def compute(self, layer: Layer, call: Call, s: Shape) -> Any:
        r = self.rank
        check_rank(layer, s, ndim=r + 2)
        if s.variadic:
            return Shape.unknown()
        cf = layer.config["data_format"] == "channels_first" and r > 1
        start = 2 if cf else 1
        dims = list(s.dims)
        for i, amt in enumerate(layer.config["amount"]):
            n = dims[start + i]
            if D.is_opaque(n):
                continue
            if self.op == "pad":
                dims[start + i] = D.add(D.add(n, amt[0]), amt[1])
            elif self.op == "crop":
                o = D.sub(n, D.add(amt[0], amt[1]))
                require_nonempty_spatial(o, op=describe(layer), shape=s, axis=start + i, size=n,
                                         bindings=call.bindings, advice="crop less",
                                         why=f"is not more than the cropping {D.fmt(amt[0])}+{D.fmt(amt[1])}")
                dims[start + i] = o
            else:
                dims[start + i] = D.mul(n, amt)
        return Shape(tuple(dims))


for _r in (1, 2, 3):
    layer_rule(*spellings(f"ZeroPadding{_r}D", f"reshaping.zero_padding{_r}d"))(
        type(f"ZeroPadding{_r}D", (SpatialResize,), {"rank": _r, "op": "pad"}))
    layer_rule(*spellings(f"Cropping{_r}D", f"reshaping.cropping{_r}d"))(
        type(f"Cropping{_r}D", (SpatialResize,), {"rank": _r, "op": "crop"}))
    layer_rule(*spellings(f"UpSampling{_r}D", f"reshaping.up_sampling{_r}d"))(
        type(f"UpSampling{_r}D", (SpatialResize,), {"rank": _r, "op": "up"}))


@layer_rule(*spellings("Resizing", "preprocessing.image_preprocessing.resizing"),
            *spellings("CenterCrop", "preprocessing.image_preprocessing.center_crop"),
            *spellings("RandomCrop", "preprocessing.image_preprocessing.random_crop"))
class Resizing(KerasLayer):
    def configure(self, call: Call) -> Optional[dict]:
        h, w = call.dim(0, "height"), call.dim(1, "width")
        if h is None or w is None:
            return None
        return {"h": h, "w": w, "data_format": name_of(call.get(None, "data_format")) or "channels_last"}

    def compute(self, layer: Layer, call: Call, s: Shape) -> Any:
        if s.rank is not None and s.rank not in (3, 4):
            raise rank_error(layer, s, "a 3-D (unbatched) or 4-D")
        if s.variadic:
            return Shape.unknown()
        h, w = layer.config["h"], layer.config["w"]
        if layer.config["data_format"] == "channels_first":
            return Shape(s.dims[:-2] + (h, w))
        return Shape(s.dims[:-3] + (h, w, s.dims[-1]))


@layer_rule(*spellings("CategoryEncoding", "preprocessing.category_encoding"))
class CategoryEncoding(KerasLayer):
    """Integer tokens to multi-hot / count / one-hot vectors of ``num_tokens`` (Keras's
    ``compute_output_shape``)."""

    def configure(self, call: Call) -> Optional[dict]:
        n = call.dim(0, "num_tokens")
        mode = name_of(call.get(1, "output_mode")) if call.has(1, "output_mode") else "multi_hot"
        if n is None or mode not in ("multi_hot", "one_hot", "count"):
            return None
        return {"num_tokens": n, "mode": mode}

    def compute(self, layer: Layer, call: Call, s: Shape) -> Any:
        n = layer.config["num_tokens"]
        if s.variadic:
            return Shape.unknown()
        if not s.dims:
            return Shape((n,))
        if layer.config["mode"] == "one_hot":
            one = D.as_int(s.dims[-1])
            if one is None:
                return Shape.unknown()
            if one != 1 or len(s.dims) == 1:
                return Shape(s.dims + (n,))
        return Shape(s.dims[:-1] + (n,))

    def weights(self, layer: Layer) -> dict:
        return {}


class Lookup(SameShape):
    """Hashing / IntegerLookup / StringLookup / Discretization in their default ``output_mode='int'``:
    one integer per input value (other modes: unknown)."""

    def configure(self, call: Call) -> Optional[dict]:
        mode = call.get(None, "output_mode")
        return {} if mode is UNKNOWN or name_of(mode) == "int" else None


for _n, _src in (("Hashing", "hashing"), ("IntegerLookup", "integer_lookup"), ("StringLookup", "string_lookup"),
                 ("Discretization", "discretization")):
    layer_rule(*spellings(_n, "preprocessing." + _src))(type(_n, (Lookup,), {}))


# ---------------------------------------------------------------------------------- merging
@layer_rule(*spellings("Concatenate", "merging.concatenate"))
class Concatenate(KerasLayer):
    multi_input = True

    def configure(self, call: Call) -> Optional[dict]:
        a = call.int(0, "axis", -1)
        return None if a is None else {"axis": a}

    def compute_multi(self, layer: Layer, call: Call, shapes: list) -> Any:
        if len(shapes) < 1:
            return Shape.unknown()
        # axis 0 is the batch axis: joining there is never the fix for a layer
        return SMJ.concat(shapes, layer.config["axis"], call.bindings, op="Concatenate", never=(0,))


class Merge(KerasLayer):
    multi_input = True
    exact: Optional[int] = None

    def compute_multi(self, layer: Layer, call: Call, shapes: list) -> Any:
        name = layer.kind.rsplit(".", 1)[-1]
        if self.exact is not None and len(shapes) != self.exact:
            return Shape.unknown()
        if any(s.variadic for s in shapes) or not shapes:
            return Shape.unknown()
        rest = [Shape(s.dims[1:]) for s in shapes]
        out = broadcast_shapes(call, rest, what=f"{name} of {' and '.join(str(s) for s in shapes)}:")
        batch = next((s.dims[0] for s in shapes if not D.is_opaque(s.dims[0])), shapes[0].dims[0])
        return Shape((batch,) + out.dims)


for _n, _src in (("Add", "add"), ("Subtract", "subtract"), ("Multiply", "multiply"), ("Average", "average"),
                 ("Maximum", "maximum"), ("Minimum", "minimum")):
    layer_rule(*spellings(_n, f"merging.{_src}"))(type(_n, (Merge,), {"exact": 2 if _n == "Subtract" else None}))


@layer_rule(*spellings("Dot", "merging.dot"))
class Dot(KerasLayer):
    multi_input = True

    def configure(self, call: Call) -> Optional[dict]:
        v = call.get(0, "axes")
        if isinstance(v, Seq) and len(v.items) == 2:
            a = [D.as_int(as_dim(x)) if as_dim(x) is not None else None for x in v.items]
        else:
            d = as_dim(v)
            a = [D.as_int(d)] * 2 if d is not None else [None]
        if None in a:
            return None
        return {"axes": a, "normalize": call.bool(1, "normalize", False)}

    def compute_multi(self, layer: Layer, call: Call, shapes: list) -> Any:
        if len(shapes) != 2 or any(s.variadic for s in shapes):
            return Shape.unknown()
        a, b = shapes
        ax = [x % s.rank if s.rank else x for x, s in zip(layer.config["axes"], shapes)]
        if any(not 0 < x < s.rank for x, s in zip(ax, shapes)):
            return Shape.unknown()
        da, db = a.dims[ax[0]], b.dims[ax[1]]
        if D.compare(da, db, call.bindings, unify=False) is D.FALSE:
            raise ShapeError("matmul-mismatch", lambda: (
                f"Dot(axes={tuple(layer.config['axes'])}) of {a} and {b}: contracted sizes differ, {D.fmt(da)} != "
                f"{D.fmt(db)}{mismatch_note(da, db)}"))
        rest = [d for i, d in enumerate(a.dims) if i != ax[0]] + [d for i, d in enumerate(b.dims) if i not in (0, ax[1])]
        if len(rest) == 1:
            rest.append(1)
        return Shape(tuple(rest))


class MergeFn:
    """``layers.concatenate([a, b], axis=1)``: build the layer and apply it at once."""


def _merge_fn(kind: str):
    def rule(call: Call) -> Value:
        from .registry import lookup_layer

        r = lookup_layer(f"keras.layers.{kind}")
        if r is None:
            return UNKNOWN
        inputs = call.get(0, "inputs")
        kwargs = {k: v for k, v in call.kwargs.items() if k != "inputs"}
        bcall = call.with_args(list(call.args[1:]), kwargs)
        cfg = r.build(bcall)
        if cfg is None:
            return UNKNOWN
        layer = Layer(r.names[0], cfg, call.node)
        return r.apply(layer, call.with_args([inputs], {}))
    return rule


for _n in ("Concatenate", "Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Dot"):
    _f = _n.lower()
    _src = "concatenate" if _n == "Concatenate" else _f
    shape_rule(f"keras.layers.{_f}", f"keras.src.layers.merging.{_src}.{_f}")(_merge_fn(_n))


# ---------------------------------------------------------------------------------- recurrent
class RNN(KerasLayer):
    gates = 1

    def configure(self, call: Call) -> Optional[dict]:
        u = call.dim(0, "units") if call.has(0, "units") else call.dim(None, "output_dim")
        if u is None:
            return None
        return {"units": u, "return_sequences": call.bool(None, "return_sequences", False) is True,
                "return_state": call.bool(None, "return_state", False) is True,
                "use_bias": call.bool(None, "use_bias", True) is not False,
                "reset_after": call.bool(None, "reset_after", True) is not False,
                "time_major": call.bool(None, "time_major", False) is True, "_repr": D.fmt(u)}

    def states(self) -> int:
        return 1

    def compute(self, layer: Layer, call: Call, s: Shape) -> Any:
        c = layer.config
        check_rank(layer, s, ndim=3, what="(batch, timesteps, features)")
        bind_built(layer, call, s, -1, param="features")
        u = c["units"]
        if s.variadic:
            return Shape.unknown()
        b, t = s.dims[0], s.dims[1]
        out = Shape((b, t, u)) if c["return_sequences"] else Shape((b, u))
        if c["return_state"]:
            items = [Tensor(out, FW, "float")] + [Tensor(Shape((b, u)), FW, "float") for _ in range(self.states())]
            return Seq(items, "list")
        return out

    def is_built(self, layer: Layer) -> bool:
        return layer.config.get("_in") is not None

    def weights(self, layer: Layer) -> dict:
        c = layer.config
        fin = c.get("_in")
        if fin is None:
            return {}
        u = c["units"]
        g = D.mul(self.gates, u)
        out = {"kernel": Shape((fin, g)), "recurrent_kernel": Shape((u, g))}
        if c["use_bias"]:
            if self.gates == 3 and c["reset_after"]:
                out["bias"] = Shape((2, g))
            else:
                out["bias"] = Shape((g,))
        return out


@layer_rule(*spellings("SimpleRNN", "rnn.simple_rnn"))
class SimpleRNN(RNN):
    gates = 1


@layer_rule(*spellings("LSTM", "rnn.lstm", "CuDNNLSTM"))
class LSTM(RNN):
    gates = 4

    def states(self) -> int:
        return 2


@layer_rule(*spellings("GRU", "rnn.gru", "CuDNNGRU"))
class GRU(RNN):
    gates = 3


class Cell(KerasLayer):
    """SimpleRNNCell / LSTMCell / GRUCell: one step, meant for ``layers.RNN(cell)``. Called on its own
    (with states) it is not modelled."""

    rnn: type = RNN

    def configure(self, call: Call) -> Optional[dict]:
        return self.rnn().configure(call)

    def apply(self, layer: Layer, call: Call) -> Value:
        return UNKNOWN

    def weights(self, layer: Layer) -> dict:
        return {}


for _n, _src, _rnn in (("SimpleRNNCell", "simple_rnn", SimpleRNN), ("LSTMCell", "lstm", LSTM),
                       ("GRUCell", "gru", GRU)):
    layer_rule(*spellings(_n, "rnn." + _src))(type(_n, (Cell,), {"rnn": _rnn}))


@layer_rule(*spellings("RNN", "rnn.rnn"))
class CellRNN(KerasLayer):
    """``layers.RNN(layers.LSTMCell(4), return_sequences=True)`` is ``layers.LSTM(4, return_sequences=True)``
    (same output, same weights). A list of cells (StackedRNNCells) is not modelled."""

    def configure(self, call: Call) -> Optional[dict]:
        from .registry import lookup_layer

        cell = call.get(0, "cell")
        rule = lookup_layer(cell.kind) if isinstance(cell, Layer) else None
        if not isinstance(rule, Cell) or any(k in call.kwargs for k in ("go_backwards", "stateful", "unroll",
                                                                          "time_major", "zero_output_for_mask")):
            return None
        seqs, state = call.bool(1, "return_sequences", False), call.bool(2, "return_state", False)
        if seqs is None or state is None:
            return None
        cfg = {k: v for k, v in cell.config.items() if not k.startswith("_") or k == "_repr"}
        cfg.update({"return_sequences": seqs, "return_state": state, "_rnn": rule.rnn()})
        return cfg

    def compute(self, layer: Layer, call: Call, s: Shape) -> Any:
        return layer.config["_rnn"].compute(layer, call, s)

    def is_built(self, layer: Layer) -> bool:
        return layer.config.get("_in") is not None

    def weights(self, layer: Layer) -> dict:
        return layer.config["_rnn"].weights(layer)


def _inner(v: Value) -> Optional[tuple]:
    """A wrapped layer and its rule."""
    from .registry import lookup_layer

    if isinstance(v, Layer):
        r = lookup_layer(v.kind)
        if isinstance(r, KerasLayer):
            return v, r
    return None


@layer_rule(*spellings("Bidirectional", "rnn.bidirectional"))
class Bidirectional(KerasLayer):
    def configure(self, call: Call) -> Optional[dict]:
        inner = _inner(call.get(0, "layer"))
        if inner is None or not isinstance(inner[1], RNN):
            return None
        mode = call.get(1, "merge_mode")
        m = "concat" if mode is UNKNOWN else (None if isinstance(mode, Const) and mode.value is None else name_of(mode))
        if m is None and not (isinstance(mode, Const) and mode.value is None):
            return None
        back = _inner(call.get(None, "backward_layer"))
        fwd = inner[0]
        bwd = back[0] if back else Layer(fwd.kind, dict(fwd.config), fwd.node)
        return {"forward": fwd, "backward": bwd, "merge_mode": m}

    def compute(self, layer: Layer, call: Call, s: Shape) -> Any:
        c = layer.config
        check_rank(layer, s, ndim=3, what="(batch, timesteps, features)")
        fwd, bwd = c["forward"], c["backward"]
        fr = _inner(fwd)[1]  # type: ignore[index]
        br = _inner(bwd)[1]  # type: ignore[index]
        fo = fr.compute(fwd, call, s)
        bo = br.compute(bwd, call, s)
        if isinstance(fo, Seq) or isinstance(bo, Seq):
            fo_t = fo.items[0].shape if isinstance(fo, Seq) else fo
            bo_t = bo.items[0].shape if isinstance(bo, Seq) else bo
            fst = fo.items[1:] if isinstance(fo, Seq) else []
            bst = bo.items[1:] if isinstance(bo, Seq) else []
        else:
            fo_t, bo_t, fst, bst = fo, bo, [], []
        if not isinstance(fo_t, Shape) or fo_t.variadic or not isinstance(bo_t, Shape):
            return Shape.unknown()
        m = c["merge_mode"]
        if m == "concat":
            out: Any = Shape(fo_t.dims[:-1] + (D.add(fo_t.dims[-1], bo_t.dims[-1]),))
        elif m in ("sum", "mul", "ave"):
            out = fo_t
        elif m is None:
            out = Seq([Tensor(fo_t, FW, "float"), Tensor(bo_t, FW, "float")], "list")
        else:
            return Shape.unknown()
        if fst or bst:
            head = out.items if isinstance(out, Seq) else [Tensor(out, FW, "float")]
            return Seq(list(head) + list(fst) + list(bst), "list")
        return out

    def is_built(self, layer: Layer) -> bool:
        return all(_inner(layer.config[k])[1].is_built(layer.config[k]) for k in ("forward", "backward"))  # type: ignore[index]

    def weights(self, layer: Layer) -> dict:
        out = {}
        for k in ("forward", "backward"):
            sub = layer.config[k]
            for n, s in _inner(sub)[1].weights(sub).items():  # type: ignore[index]
                out[f"{k}_{n}"] = s
        return out


@layer_rule(*spellings("TimeDistributed", "rnn.time_distributed"))
class TimeDistributed(KerasLayer):
    def configure(self, call: Call) -> Optional[dict]:
        inner = _inner(call.get(0, "layer"))
        return None if inner is None else {"layer": inner[0]}

    def compute(self, layer: Layer, call: Call, s: Shape) -> Any:
        check_rank(layer, s, min_ndim=3)
        if s.variadic:
            return Shape.unknown()
        sub = layer.config["layer"]
        rule = _inner(sub)[1]  # type: ignore[index]
        o = rule.compute(sub, call, Shape((s.dims[0],) + s.dims[2:]))
        if not isinstance(o, Shape) or o.variadic or not o.dims:
            return Shape.unknown()
        return Shape((o.dims[0], s.dims[1]) + o.dims[1:])

    def is_built(self, layer: Layer) -> bool:
        sub = layer.config["layer"]
        return _inner(sub)[1].is_built(sub)  # type: ignore[index]

    def weights(self, layer: Layer) -> dict:
        sub = layer.config["layer"]
        return _inner(sub)[1].weights(sub)  # type: ignore[index]

    def non_trainable(self, layer: Layer) -> set:
        sub = layer.config["layer"]
        return _inner(sub)[1].non_trainable(sub)  # type: ignore[index]


# ---------------------------------------------------------------------------------- attention
@layer_rule(*spellings("Attention", "attention.attention"), *spellings("AdditiveAttention",
                                                                      "attention.additive_attention"))
class Attention(KerasLayer):
    multi_input = True

    def configure(self, call: Call) -> Optional[dict]:
        return {"use_scale": call.bool(0, "use_scale", False) is True,
                "score_mode": name_of(call.get(None, "score_mode")) or "dot"}

    def compute_multi(self, layer: Layer, call: Call, shapes: list) -> Any:
        if len(shapes) not in (2, 3) or any(s.variadic for s in shapes):
            return Shape.unknown()
        q, v = shapes[0], shapes[1]
        k = shapes[2] if len(shapes) == 3 else v
        if q.rank < 2 or v.rank < 2:
            return Shape.unknown()
        if D.compare(q.dims[-1], k.dims[-1], call.bindings, unify=False) is D.FALSE:
            raise ShapeError("matmul-mismatch", lambda: (
                f"{describe(layer)}: query {q} and key {k} must have the same last size for the scores, "
                f"{D.fmt(q.dims[-1])} != {D.fmt(k.dims[-1])}"))
        if layer.config.get("_in") is None and usable(q.dims[-1]):
            layer.config["_in"] = q.dims[-1]
        return Shape(q.dims[:-1] + (v.dims[-1],))

    def weights(self, layer: Layer) -> dict:
        out = {}
        if layer.kind.endswith("AdditiveAttention"):
            if layer.config.get("use_scale", True) and layer.config.get("_in") is not None:
                out["scale"] = Shape((layer.config["_in"],))
            return out
        if layer.config["use_scale"]:
            out["scale"] = Shape(())
        if layer.config["score_mode"] == "concat":
            out["concat_score_weight"] = Shape(())
        return out


@layer_rule(*spellings("MultiHeadAttention", "attention.multi_head_attention"))
class MultiHeadAttention(KerasLayer):
    def configure(self, call: Call) -> Optional[dict]:
        h, k = call.dim(0, "num_heads"), call.dim(1, "key_dim")
        if h is None or k is None:
            return None
        vd = call.get(2, "value_dim")
        v = k if vd is UNKNOWN or (isinstance(vd, Const) and vd.value is None) else as_dim(vd)
        osv = call.get(None, "output_shape")
        os_ = None if osv is UNKNOWN or (isinstance(osv, Const) and osv.value is None) else shape_tuple(osv)
        if v is None or (osv is not UNKNOWN and os_ is None and not (isinstance(osv, Const) and osv.value is None)):
            return None
        aa = call.get(None, "attention_axes")  # changes the scores' shape only: output and weights stay
        return {"heads": h, "key_dim": k, "value_dim": v, "output_shape": os_,
                "axes": aa is not UNKNOWN and not (isinstance(aa, Const) and aa.value is None),
                "use_bias": call.bool(None, "use_bias", True) is not False, "_repr": f"{D.fmt(h)}, {D.fmt(k)}"}

    def apply(self, layer: Layer, call: Call) -> Value:
        q, v = call.tensor(0, "query"), call.tensor(1, "value")
        if q is None or v is None:
            return UNKNOWN
        k = call.tensor(2, "key") or v
        qs, vs, ks = call.shape(q), call.shape(v), call.shape(k)
        for s in (qs, vs, ks):
            check_rank(layer, s, min_ndim=3)
        if qs.variadic or vs.variadic or ks.variadic:
            return UNKNOWN
        if ks.rank == vs.rank:
            for i in range(1, ks.rank - 1):
                if D.compare(ks.dims[i], vs.dims[i], call.bindings, unify=False) is D.FALSE:
                    raise ShapeError("layer-input-mismatch", lambda: (
                        f"{describe(layer)}: key {ks} and value {vs} must have the same sequence sizes"))
        c = layer.config
        got = (qs.dims[-1], vs.dims[-1], ks.dims[-1])
        built = c.get("_dims")
        if built is None:
            if all(usable(d) for d in got):
                c["_dims"] = got
        else:
            for what, have, ts in zip(("query", "value", "key"), built, (qs, vs, ks)):
                require_feature(ts, -1, have, f"{what}_dim", f"{describe(layer)} ({what})", bindings=call.bindings,
                                fix_param=False, built=True)
        out_last = c["output_shape"][-1] if c["output_shape"] else qs.dims[-1]
        if c["output_shape"] and len(c["output_shape"]) != 1:
            out = Shape(qs.dims[:-1] + tuple(c["output_shape"]))
        else:
            out = Shape(qs.dims[:-1] + (out_last,))
        ret = call.bool(None, "return_attention_scores", False)
        t = Tensor(out, FW, "float")
        if ret:
            scores = Tensor(Shape((qs.dims[0], c["heads"], qs.dims[1], ks.dims[1])) if qs.rank == 3 and not c["axes"]
                            else Shape.unknown(), FW, "float")
            return record(Seq([t, scores], "tuple"), layer, call)
        return record(t, layer, call)

    def is_built(self, layer: Layer) -> bool:
        return layer.config.get("_dims") is not None

    def weights(self, layer: Layer) -> dict:
        c = layer.config
        d = c.get("_dims")
        if d is None:
            return {}
        qd, vd, kd = d
        h, k, v = c["heads"], c["key_dim"], c["value_dim"]
        o = tuple(c["output_shape"]) if c["output_shape"] else (qd,)
        out = {"query_kernel": Shape((qd, h, k))}
        if c["use_bias"]:
            out["query_bias"] = Shape((h, k))
        out["key_kernel"] = Shape((kd, h, k))
        if c["use_bias"]:
            out["key_bias"] = Shape((h, k))
        out["value_kernel"] = Shape((vd, h, v))
        if c["use_bias"]:
            out["value_bias"] = Shape((h, v))
        out["attention_output_kernel"] = Shape((h, v) + o)
        if c["use_bias"]:
            out["attention_output_bias"] = Shape(o)
        return out


# ---------------------------------------------------------------------------------- utilities
@shape_rule("keras.utils.to_categorical", "keras.utils.np_utils.to_categorical",
            "keras.src.utils.numerical_utils.to_categorical", "keras.np_utils.to_categorical")
def to_categorical(call: Call) -> Value:
    """One-hot labels: ``(N,)`` or ``(N, 1)`` -> ``(N, num_classes)``; Keras drops a trailing 1."""
    y = call.tensor(0, "x")
    n = call.dim(1, "num_classes")
    if y is None or n is None:
        return UNKNOWN
    s = call.shape(y)
    if s.variadic:
        return Tensor(Shape((n,), True), "numpy", "float")
    dims = s.dims
    if len(dims) > 1 and D.as_int(dims[-1]) == 1:
        dims = dims[:-1]
    return Tensor(Shape(dims + (n,)), "numpy", "float")

