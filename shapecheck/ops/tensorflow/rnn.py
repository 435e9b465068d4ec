"""TF1 recurrent cells and the functions that run them: ``tf.nn.rnn_cell.*`` / ``tf.contrib.rnn.*``
(``BasicLSTMCell``, ``LSTMCell``, ``GRUCell``, ``BasicRNNCell``, ``MultiRNNCell``, ``DropoutWrapper``,
``ResidualWrapper``), ``cell.zero_state``, ``tf.nn.dynamic_rnn``, ``bidirectional_dynamic_rnn``,
``static_rnn`` and ``legacy_seq2seq.basic_rnn_seq2seq``.

As TF builds them: a cell takes one time step, a 2-D ``(batch, features)`` input (its ``InputSpec``
``ndim=2``), and creates its kernel for the features of its first input, ``(features + units,
gates * units)``: the same cell object called again on another size (``[cell] * 3`` in a
``MultiRNNCell``) no longer fits its kernel, SHP301. ``dynamic_rnn`` takes ``(batch, time, ...)``
(each input of a nested structure at least 3-D) and a ``sequence_length`` vector; ``static_rnn`` a
list of ``(batch, features)`` steps. ``ResidualWrapper`` adds a cell's input to its output: they must
have the same shape."""
from __future__ import annotations

from typing import Optional

from ... import dims as D
from ...dims import Dim
from ...findings import ShapeError
from ...shape_math.features import require_feature
from ...shapes import Shape
from ...values import UNKNOWN, Const, Int, Layer, Seq, Tensor, Value, tensor_of
from ..common import tensor_leaves
from ..keras.base import describe, usable
from ..registry import Call, LayerRule, layer_rule, lookup_layer, shape_rule
from .base import tf

FW = "tf"
_CELL_HOMES = ("nn.rnn_cell", "contrib.rnn", "python.ops.rnn_cell", "contrib.rnn.python.ops.rnn_cell",
               "contrib.rnn.python.ops.core_rnn_cell")


def _spellings(name: str) -> tuple:
    out: list = []
    for home in _CELL_HOMES:
        out += tf(f"{home}.{name}") if home == "nn.rnn_cell" else [f"tensorflow.{home}.{name}"]
    return tuple(out)


def _rule(v: Value) -> Optional[CellRule]:
    r = lookup_layer(v.kind) if isinstance(v, Layer) else None
    return r if isinstance(r, CellRule) else None


class CellRule(LayerRule):
    """A TF1 RNN cell: ``output_size``, a state, and a call on one time step."""

    framework = FW

    def output_size(self, layer: Layer) -> Optional[Dim]:
        return None

    def state(self, layer: Layer, batch: Dim) -> Value:
        """The cell's state for ``batch`` rows (``zero_state``): a tensor, or a tuple of them."""
        return UNKNOWN

    def step(self, layer: Layer, call: Call, s: Shape) -> Optional[Shape]:
        """The output of one step on an input of shape ``s``: checks it, and builds the cell."""
        return None

    def apply(self, layer: Layer, call: Call) -> Value:
        t = call.tensor(0, "inputs")
        if t is None:
            return UNKNOWN
        out = self.step(layer, call, call.shape(t))
        if out is None:
            return UNKNOWN
        return Seq([Tensor(out, FW, "float"), self.state(layer, out.dims[0]) if out.dims else UNKNOWN], "tuple")

    def attr(self, layer: Layer, name: str) -> Value:
        if name == "output_size":
            d = self.output_size(layer)
            return Int(d) if d is not None else UNKNOWN
        return super().attr(layer, name)

    def method_zero_state(self, layer: Layer, call: Call) -> Value:
        b = call.dim(0, "batch_size")
        return UNKNOWN if b is None else self.state(layer, b)


class BasicCell(CellRule):
    """``BasicLSTMCell(num_units)``, ``LSTMCell(num_units, num_proj=None)``, ``GRUCell``, ``BasicRNNCell``."""

    gates = 1
    states = 1  # tensors in the state: (c, h) for an LSTM with state_is_tuple

    def build(self, call: Call) -> Optional[dict]:
        u = call.dim(0, "num_units")
        if u is None:
            return None
        out = u
        if call.has(None, "num_proj") and not call.is_none(None, "num_proj"):
            out = call.dim(None, "num_proj")
            if out is None:
                return None
        tup = call.bool(None, "state_is_tuple", True)
        if tup is None:
            return None
        return {"units": u, "out": out, "tuple": tup, "_repr": D.fmt(u)}

    def output_size(self, layer: Layer) -> Optional[Dim]:
        return layer.config["out"]

    def state(self, layer: Layer, batch: Dim) -> Value:
        c = layer.config
        if self.states == 1:
            return Tensor(Shape((batch, c["units"])), FW, "float")
        parts = [Tensor(Shape((batch, c["units"])), FW, "float"), Tensor(Shape((batch, c["out"])), FW, "float")]
        if c["tuple"]:
            return Seq(parts, "tuple")
        return Tensor(Shape((batch, D.add(c["units"], c["out"]))), FW, "float")

    def step(self, layer: Layer, call: Call, s: Shape) -> Optional[Shape]:
        r = s.rank
        if r is not None and r != 2:
            raise ShapeError("layer-rank", f"{describe(layer)} takes one time step, a 2-D (batch, features) input; "
                                           f"got {r}-D {s}")
        if r is None:
            return Shape((s.dims[0] if len(s.dims) == 2 else D.opaque("None"), layer.config["out"]))
        have = layer.config.get("_in")
        if have is None:
            if usable(s.dims[1]):
                layer.config["_in"] = s.dims[1]
        else:
            require_feature(s, 1, have, "features", f"{describe(layer)}, called again on another input,",
                            bindings=call.bindings, fix_param=False, built=True, unify=False)
        return Shape((s.dims[0], layer.config["out"]))

    def weights(self, layer: Layer) -> Optional[dict]:
        c = layer.config
        fin = c.get("_in")
        if fin is None:
            return None
        g = D.mul(self.gates, c["units"])
        return {"kernel": Shape((D.add(fin, c["out"]), g)), "bias": Shape((g,))}


@layer_rule(*_spellings("BasicLSTMCell"), *_spellings("LSTMCell"), *_spellings("LSTMBlockCell"))
class LSTMCell(BasicCell):
    gates = 4
    states = 2


@layer_rule(*_spellings("GRUCell"), *_spellings("GRUBlockCell"))
class GRUCell(BasicCell):
    gates = 3

    def weights(self, layer: Layer) -> Optional[dict]:
        return None  # (gates/kernel and candidate/kernel: not attributes of the cell)


@layer_rule(*_spellings("BasicRNNCell"), *_spellings("RNNCell"))
class RNNCell(BasicCell):
    gates = 1


@layer_rule(*_spellings("MultiRNNCell"))
class MultiRNNCell(CellRule):
    """``MultiRNNCell(cells)``: each cell's output is the next one's input. ``[cell] * 3`` lists one
    cell three times: one kernel, built for the first layer's input."""

    def build(self, call: Call) -> Optional[dict]:
        v = call.get(0, "cells")
        if not isinstance(v, Seq) or not v.items or any(_rule(x) is None for x in v.items):
            return None
        if call.bool(1, "state_is_tuple", True) is not True:
            return None
        return {"cells": list(v.items)}

    def children(self, layer: Layer) -> Optional[list]:
        return list(layer.config["cells"])

    def output_size(self, layer: Layer) -> Optional[Dim]:
        last = layer.config["cells"][-1]
        r = _rule(last)
        return r.output_size(last) if r is not None else None

    def state(self, layer: Layer, batch: Dim) -> Value:
        return Seq([r.state(c, batch) if (r := _rule(c)) is not None else UNKNOWN for c in layer.config["cells"]],
                   "tuple")

    def step(self, layer: Layer, call: Call, s: Shape) -> Optional[Shape]:
        out: Optional[Shape] = s
        for c in layer.config["cells"]:
            r = _rule(c)
            if r is None or out is None:
                return None
            out = r.step(c, call, out)
        return out


class Wrapper(CellRule):
    """A wrapper of one cell (``DropoutWrapper``, ``DeviceWrapper``): the cell's sizes."""

    def build(self, call: Call) -> Optional[dict]:
        cell = call.get(0, "cell")
        return {"cell": cell} if _rule(cell) is not None else None

    def children(self, layer: Layer) -> Optional[list]:
        return [layer.config["cell"]]

    def _inner(self, layer: Layer) -> tuple:
        c = layer.config["cell"]
        return c, _rule(c)

    def output_size(self, layer: Layer) -> Optional[Dim]:
        c, r = self._inner(layer)
        return r.output_size(c) if r is not None else None

    def state(self, layer: Layer, batch: Dim) -> Value:
        c, r = self._inner(layer)
        return r.state(c, batch) if r is not None else UNKNOWN

    def step(self, layer: Layer, call: Call, s: Shape) -> Optional[Shape]:
        c, r = self._inner(layer)
        return r.step(c, call, s) if r is not None else None


@layer_rule(*_spellings("DropoutWrapper"), *_spellings("DeviceWrapper"))
class DropoutWrapper(Wrapper):
    pass


@layer_rule(*_spellings("ResidualWrapper"))
class ResidualWrapper(Wrapper):
    """Adds the cell's input to its output: TF asserts the two shapes are compatible."""

    def step(self, layer: Layer, call: Call, s: Shape) -> Optional[Shape]:
        out = super().step(layer, call, s)
        if out is None or s.variadic or out.variadic or len(s.dims) != len(out.dims):
            return out
        a, b = s.dims[-1], out.dims[-1]
        if D.compare(a, b, call.bindings, unify=False) is D.FALSE:
            c = layer.config["cell"]
            raise ShapeError("broadcast-mismatch", f"ResidualWrapper adds the input {s} of {describe(c)} to its "
                                                   f"output {out}: {D.fmt(a)} != {D.fmt(b)} features; the cell's "
                                                   f"num_units must be the input's size")
        return out


# ---------------------------------------------------------------------------------- running cells
def _cell(call: Call, i: int, name: str) -> Optional[tuple]:
    v = call.get(i, name)
    r = _rule(v)
    return (v, r) if r is not None else None


def _sequence_length(call: Call, op: str) -> None:
    """``sequence_length``: "An int32/int64 vector sized [batch_size]"; TF raises on any other rank."""
    if not call.has(None, "sequence_length") or call.is_none(None, "sequence_length"):
        return
    v = call.get(None, "sequence_length")
    t = tensor_of(v)
    if isinstance(v, Int) or (isinstance(v, Const) and isinstance(v.value, (int, float))
                              and not isinstance(v.value, bool)):
        rank: Optional[int] = 0
        shown = "a number"
    elif t is not None:
        rank = call.shape(t).rank
        shown = f"{rank}-D {call.shape(t)}"
    else:
        return
    if rank is not None and rank != 1:
        raise ShapeError("invalid-shape-argument", f"{op}: sequence_length must be a vector of length batch_size "
                                                   f"(one length per sequence), got {shown}")


def _dynamic(call: Call, op: str, cell: tuple, inputs: Value, time_major: bool) -> Optional[tuple]:
    """(outputs, state) of ``cell`` run over ``inputs`` (batch, time, features) as ``dynamic_rnn`` does."""
    ts = tensor_leaves(inputs, ("tuple", "list"), dicts=False)
    if ts is None:
        return None
    for t in ts:
        s = call.shape(t)
        if s.rank is not None and s.rank < 3:
            raise ShapeError("layer-rank", f"{op} takes inputs of shape (batch, time, features) "
                                           f"(time_major: (time, batch, features)), at least 3-D; got {s.rank}-D {s}"
                                           + (" (one of a list of inputs: stack them on a time axis)"
                                              if len(ts) > 1 or isinstance(inputs, Seq) else ""))
    if len(ts) != 1 or isinstance(inputs, Seq):
        return None
    s = call.shape(ts[0])
    if s.variadic:
        return None
    b, n = (s.dims[1], s.dims[0]) if time_major else (s.dims[0], s.dims[1])
    lay, r = cell
    out = r.step(lay, call, Shape((b, *s.dims[2:])))
    if out is None:
        return None
    o = out.dims[-1]
    y = Shape((n, b, o)) if time_major else Shape((b, n, o))
    return Tensor(y, FW, "float"), r.state(lay, b)


@shape_rule(*tf("nn.dynamic_rnn"), "tensorflow.python.ops.rnn.dynamic_rnn")
def tf_dynamic_rnn(call: Call) -> Value:
    """``tf.nn.dynamic_rnn(cell, inputs, sequence_length=None, initial_state=None, dtype=None, ...,
    time_major=False)`` -> (outputs (batch, time, output_size), final state)."""
    cell = _cell(call, 0, "cell")
    tm = call.bool(None, "time_major", False)
    _sequence_length(call, "tf.nn.dynamic_rnn")
    if cell is None or tm is None:
        return UNKNOWN
    got = _dynamic(call, "tf.nn.dynamic_rnn", cell, call.get(1, "inputs"), tm)
    return Seq(list(got), "tuple") if got is not None else UNKNOWN


@shape_rule(*tf("nn.bidirectional_dynamic_rnn"), "tensorflow.python.ops.rnn.bidirectional_dynamic_rnn")
def tf_bidirectional_dynamic_rnn(call: Call) -> Value:
    """``tf.nn.bidirectional_dynamic_rnn(cell_fw, cell_bw, inputs, sequence_length=None, ...)`` ->
    ((output_fw, output_bw), (state_fw, state_bw))."""
    fw, bw = _cell(call, 0, "cell_fw"), _cell(call, 1, "cell_bw")
    tm = call.bool(None, "time_major", False)
    _sequence_length(call, "tf.nn.bidirectional_dynamic_rnn")
    if fw is None or bw is None or tm is None:
        return UNKNOWN
    inputs = call.get(2, "inputs")
    a = _dynamic(call, "tf.nn.bidirectional_dynamic_rnn", fw, inputs, tm)
    b = _dynamic(call, "tf.nn.bidirectional_dynamic_rnn", bw, inputs, tm)
    if a is None or b is None:
        return UNKNOWN
    return Seq([Seq([a[0], b[0]], "tuple"), Seq([a[1], b[1]], "tuple")], "tuple")


def _static(call: Call, op: str, cell: tuple, inputs: Value) -> Optional[tuple]:
    """([output per step], state) of ``cell`` run over a list of (batch, features) steps."""
    if not isinstance(inputs, Seq) or inputs.kind == "size":
        return None
    lay, r = cell
    outs: list = []
    state: Value = UNKNOWN
    for x in inputs.items:
        t = tensor_of(x)
        if t is None:
            return None
        s = call.shape(t)
        if s.rank is not None and s.rank < 2:
            raise ShapeError("layer-rank", f"{op} takes a list of time steps, each 2-D (batch, features); "
                                           f"got {s.rank}-D {s}")
        out = r.step(lay, call, s)
        if out is None:
            return None
        outs.append(Tensor(out, FW, "float"))
        state = r.state(lay, out.dims[0]) if out.dims else UNKNOWN
    return outs, state


@shape_rule(*tf("nn.static_rnn"), "tensorflow.contrib.rnn.static_rnn", "tensorflow.python.ops.rnn.static_rnn")
def tf_static_rnn(call: Call) -> Value:
    """``static_rnn(cell, inputs, initial_state=None, dtype=None, sequence_length=None)`` -> (outputs, state)."""
    cell = _cell(call, 0, "cell")
    _sequence_length(call, "static_rnn")
    if cell is None:
        return UNKNOWN
    got = _static(call, "static_rnn", cell, call.get(1, "inputs"))
    return Seq([Seq(got[0], "list"), got[1]], "tuple") if got is not None else UNKNOWN


@shape_rule("tensorflow.contrib.legacy_seq2seq.basic_rnn_seq2seq", "tensorflow.contrib.legacy_seq2seq.tied_rnn_seq2seq")
def tf_basic_rnn_seq2seq(call: Call) -> Value:
    """``basic_rnn_seq2seq(encoder_inputs, decoder_inputs, cell)``: ``static_rnn`` of a copy of the cell over
    the encoder's steps, then the cell over the decoder's (``tied``: the same cell both times)."""
    cell = _cell(call, 2, "cell")
    if cell is None:
        return UNKNOWN
    lay, r = cell
    op = call.qualname.rsplit(".", 1)[-1]
    tied = op.startswith("tied")
    enc = _static(call, op, (lay if tied else _copy(lay), r), call.get(0, "encoder_inputs"))
    if enc is None:
        return UNKNOWN
    dec = _static(call, op, cell, call.get(1, "decoder_inputs"))
    if dec is None:
        return UNKNOWN
    return Seq([Seq(dec[0], "list"), dec[1]], "tuple")


def _copy(layer: Layer) -> Layer:
    """``copy.deepcopy(cell)``: a cell of its own, not yet built."""
    cfg = {k: ([_copy(c) if isinstance(c, Layer) else c for c in v] if isinstance(v, list) else
               _copy(v) if isinstance(v, Layer) else v) for k, v in layer.config.items() if k != "_in"}
    return Layer(layer.kind, cfg, layer.node)
