"""Keras recurrent layers (SimpleRNN, LSTM, GRU, Bidirectional, TimeDistributed ...)."""
from __future__ import annotations

from typing import Any, Optional

from ... import dims as D
from ...shapes import Shape
from ...values import UNKNOWN, Const, Layer, Seq, Tensor, Value
from ..registry import Call, layer_rule, lookup_layer
from .base import FW, KerasLayer, bind_built, check_rank, kt, name_of, spellings
from .model import KerasModel


# ---------------------------------------------------------------------------------- recurrent
class RNN(KerasLayer):
    gates = 1
    # applied to a value the analysis cannot see into, it still gives (batch, units) or
    # (batch, timesteps, units): the input it accepts is 3-D
    output_on_unknown = True

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
        if s.variadic:  # only a 3-D input gets past the layer: the sizes it does not know are unknown
            s = Shape((D.opaque("None"), D.flexible("timesteps"), D.flexible("features"))[:3 - len(s.dims)] + s.dims)
        bind_built(layer, call, s, -1, param="features")
        u = c["units"]
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
        cell = call.get(0, "cell")
        rule = lookup_layer(cell.kind) if isinstance(cell, Layer) else None
        unsupported = ("go_backwards", "stateful", "unroll", "time_major", "zero_output_for_mask")
        if not isinstance(cell, Layer) or not isinstance(rule, Cell) or any(k in call.kwargs for k in unsupported):
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
        step = Shape((s.dims[0],) + s.dims[2:])
        if isinstance(rule, KerasModel):  # a whole model applied to every time step
            got = rule.apply(sub, call.with_args([kt(step.dims)], {}))
            o = got.shape if isinstance(got, Tensor) else None
        else:
            o = rule.compute(sub, call, step)
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
