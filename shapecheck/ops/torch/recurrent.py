"""torch.nn recurrent layers (RNN, LSTM, GRU and their cells) with torch's weight layout."""
from __future__ import annotations

from typing import Optional

from ... import dims as D
from ...dims import Dim
from ...findings import Fix, ShapeError
from ...shape_math.require import mismatch_note
from ...shapes import Shape
from ...values import UNKNOWN, Const, Layer, Seq, Tensor, Value, tensor_of
from ..registry import Call, layer_rule
from .base import TorchLayer, check_rank, describe, feature_mismatch, nn

# ================================================================================== recurrent
_GATES = {"RNN": 1, "LSTM": 4, "GRU": 3}


class RNNBase(TorchLayer):
    output_on_unknown = True  # (*, num_directions*hidden_size) whatever it is applied to
    mode = "RNN"

    def build(self, call: Call) -> Optional[dict]:
        args = list(call.args)
        kwargs = dict(call.kwargs)
        if self.mode == "RNN":
            if len(args) > 3:
                args = args[:3] + args[4:]  # nn.RNN's 4th positional is nonlinearity
            kwargs.pop("nonlinearity", None)
        elif self.mode == "GRU" and "proj_size" in kwargs:
            return None
        c = call.with_args(args, kwargs)
        cfg = {"input_size": c.dim(0, "input_size"), "hidden_size": c.dim(1, "hidden_size"),
               "num_layers": c.dim(2, "num_layers", 1), "bias": c.bool(3, "bias", True),
               "batch_first": c.bool(4, "batch_first", False), "bidirectional": c.bool(6, "bidirectional", False),
               "proj_size": c.dim(7, "proj_size", 0) if self.mode == "LSTM" else 0}
        ps, hs = cfg["proj_size"], cfg["hidden_size"]
        pi = D.as_int(ps) if ps is not None else None
        hi = D.as_int(hs) if hs is not None else None
        if pi is not None and hi is not None:
            if pi < 0 or (pi and pi >= hi):
                return None  # torch raises in the constructor
        cfg["_repr"] = f"{D.fmt(cfg['input_size'])}, {D.fmt(cfg['hidden_size'])}" + (
            f", num_layers={D.fmt(cfg['num_layers'])}" if D.as_int(cfg["num_layers"] or 0) != 1 else "") + (
            ", batch_first=True" if cfg["batch_first"] is True else "") + (
            ", bidirectional=True" if cfg["bidirectional"] is True else "") + (
            f", proj_size={D.fmt(ps)}" if ps is not None and D.as_int(ps) != 0 else "")
        return cfg

    def _out_size(self, c: dict) -> Optional[Dim]:
        """H_out: proj_size where set, else hidden_size."""
        ps = c["proj_size"]
        if ps is None:
            return None
        return c["hidden_size"] if D.as_int(ps) == 0 else ps

    def apply(self, layer: Layer, call: Call) -> Value:
        x = call.tensor(0, "input")
        if x is None:
            return UNKNOWN
        c = layer.config
        what = describe(layer)
        s = call.shape(x)
        check_rank(what, s, (2, 3))
        if c["input_size"] is not None:
            feature_mismatch(call, what, s, -1, c["input_size"], "input_size")
        h_out = self._out_size(c)
        ndir = None if c["bidirectional"] is None else (2 if c["bidirectional"] else 1)
        bf = c["batch_first"]
        nl = c["num_layers"]
        hx = call.get(1, "hx")
        batched = s.rank == 3
        batch: Optional[Dim] = None
        if batched and bf is not None:
            batch = s.dims[0] if bf else s.dims[1]
        # the initial state
        states: list = []
        if not (isinstance(hx, Const) and hx.value is None) and call.has(1, "hx"):
            if self.mode == "LSTM":
                if isinstance(hx, Seq) and len(hx.items) == 2:
                    states = [("h0", tensor_of(hx.items[0]), h_out), ("c0", tensor_of(hx.items[1]), c["hidden_size"])]
            else:
                states = [("h0", tensor_of(hx), h_out)]
        for name, st, size in states:
            if st is None:
                continue
            ss = call.shape(st)
            if s.rank is not None and ss.rank is not None and ss.rank != s.rank:
                raise ShapeError("layer-rank", f"{what} gets a {s.rank}-D input {s} but a {ss.rank}-D initial "
                                               f"state {name} {ss}; both must be batched (3-D) or unbatched (2-D)")
            lead = ss.dim(0) if ss.rank is not None else None
            if lead is not None and nl is not None and ndir is not None:
                want = D.mul(nl, ndir)
                if D.compare(lead, want, call.bindings) is D.FALSE:
                    raise ShapeError("layer-input-mismatch", lambda lead=lead, want=want, ss=ss, name=name: (  # type: ignore[misc]
                        f"{what}: initial state {name} {ss} has {D.fmt(lead)} at axis 0 but the layer needs "
                        f"num_layers*num_directions = {D.fmt(want)}{mismatch_note(lead, want)}"))
            if size is not None:
                have = ss.dim(-1)
                if have is not None and D.compare(have, size, call.bindings) is D.FALSE:
                    raise ShapeError("layer-input-mismatch", lambda have=have, size=size, ss=ss, name=name: (  # type: ignore[misc]
                        f"{what}: initial state {name} {ss} has {D.fmt(have)} at axis -1 but the layer's "
                        f"{'hidden size' if name == 'c0' or h_out is c['hidden_size'] else 'proj_size'} is "
                        f"{D.fmt(size)}{mismatch_note(have, size)}"))
            if batched and ss.rank == 3 and batch is not None:
                hb = ss.dims[1]
                if D.compare(hb, batch, call.bindings, unify=False) is D.FALSE:
                    other = s.dims[1] if bf else s.dims[0]
                    if D.compare(hb, other, None, unify=False) is D.TRUE:
                        raise self._layout_error(what, s, ss, name, bool(bf), hb)
                    raise ShapeError("layer-input-mismatch", lambda hb=hb, ss=ss, name=name: (  # type: ignore[misc]
                        f"{what}: initial state {name} {ss} has batch {D.fmt(hb)} at axis 1 but the input {s} has "
                        f"batch {D.fmt(batch)} at axis {0 if bf else 1}{mismatch_note(hb, batch)}"))
                D.compare(hb, batch, call.bindings)  # unify
        if h_out is None or ndir is None or nl is None:
            return UNKNOWN
        feat = D.mul(ndir, h_out)
        if s.rank is None:
            out = Tensor(Shape(s.dims[:-1] + (feat,), True) if s.dims else Shape((feat,), True), "torch", "float")
            # (num_layers*num_directions, [batch,] size): 2-D or 3-D, the last size known
            h_n: Value = Tensor(Shape((D.opaque("n"), h_out), True), "torch", "float")
            c_n: Value = Tensor(Shape((D.opaque("n"), c["hidden_size"]), True), "torch", "float")
        else:
            out = Tensor(s.replace_last(1, [feat]), "torch", "float")
            lead = D.mul(nl, ndir)
            if batched:
                if batch is None:
                    h_n = c_n = Tensor(Shape.unknown(), "torch", "float")
                else:
                    h_n = Tensor(Shape.of(lead, batch, h_out), "torch", "float")
                    c_n = Tensor(Shape.of(lead, batch, c["hidden_size"]), "torch", "float")
            else:
                h_n = Tensor(Shape.of(lead, h_out), "torch", "float")
                c_n = Tensor(Shape.of(lead, c["hidden_size"]), "torch", "float")
        if self.mode == "LSTM":
            return Seq([out, Seq([h_n, c_n], "tuple")], "tuple")
        return Seq([out, h_n], "tuple")

    @staticmethod
    def _layout_error(what: str, s: Shape, ss: Shape, name: str, bf: bool, hb: Dim) -> ShapeError:
        if bf:
            msg = (f"{what} is batch_first=True, so it reads input {s} as (batch={D.fmt(s.dims[0])}, "
                   f"seq={D.fmt(s.dims[1])}, feature={D.fmt(s.dims[2])}); but the initial state {name} {ss} has batch "
                   f"{D.fmt(hb)}, the size of the input's axis 1: the input is in (seq, batch, feature) layout")
            fix = Fix("build the layer with batch_first=False, or pass the input as x.transpose(0, 1)")
        else:
            msg = (f"{what} is batch_first=False, so it reads input {s} as (seq={D.fmt(s.dims[0])}, "
                   f"batch={D.fmt(s.dims[1])}, feature={D.fmt(s.dims[2])}); but the initial state {name} {ss} "
                   f"has batch {D.fmt(hb)}, the size of the input's axis 0: the input is in (batch, seq, feature) "
                   "layout")
            fix = Fix("build the layer with batch_first=True, or pass the input as x.transpose(0, 1)")
        return ShapeError("recurrent-layout", msg + "; " + fix.description, fix)

    def weights(self, layer: Layer) -> Optional[dict]:
        c = layer.config
        ins, hs, nl, ps = c["input_size"], c["hidden_size"], D.as_int(c["num_layers"] or 0), c["proj_size"]
        if ins is None or hs is None or not nl or c["bidirectional"] is None or c["bias"] is None or ps is None:
            return None
        ndir = 2 if c["bidirectional"] else 1
        g = _GATES[self.mode]
        h_out = hs if D.as_int(ps) == 0 else ps
        out: dict = {}
        for k in range(nl):
            for sfx in ([""] if ndir == 1 else ["", "_reverse"]):
                layer_in = ins if k == 0 else D.mul(ndir, h_out)
                out[f"weight_ih_l{k}{sfx}"] = Shape.of(D.mul(g, hs), layer_in)
                out[f"weight_hh_l{k}{sfx}"] = Shape.of(D.mul(g, hs), h_out)
                if c["bias"]:
                    out[f"bias_ih_l{k}{sfx}"] = Shape.of(D.mul(g, hs))
                    out[f"bias_hh_l{k}{sfx}"] = Shape.of(D.mul(g, hs))
                if D.as_int(ps) != 0:
                    out[f"weight_hr_l{k}{sfx}"] = Shape.of(ps, hs)
        return out


for _m in ("RNN", "LSTM", "GRU"):
    layer_rule(*nn(_m))(type(_m, (RNNBase,), {"mode": _m}))


class CellBase(TorchLayer):
    mode = "RNN"

    def build(self, call: Call) -> Optional[dict]:
        ins, hs = call.dim(0, "input_size"), call.dim(1, "hidden_size")
        return {"input_size": ins, "hidden_size": hs, "bias": call.bool(2, "bias", True),
                "_repr": f"{D.fmt(ins)}, {D.fmt(hs)}"}

    def apply(self, layer: Layer, call: Call) -> Value:
        x = call.tensor(0, "input")
        if x is None:
            return UNKNOWN
        c, what = layer.config, describe(layer)
        s = call.shape(x)
        check_rank(what, s, (1, 2))
        if c["input_size"] is not None:
            feature_mismatch(call, what, s, -1, c["input_size"], "input_size")
        hx = call.get(1, "hx")
        states: list = []
        if call.has(1, "hx") and not (isinstance(hx, Const) and hx.value is None):
            if self.mode == "LSTM":
                if isinstance(hx, Seq) and len(hx.items) == 2:
                    states = [("h", tensor_of(hx.items[0])), ("c", tensor_of(hx.items[1]))]
            else:
                states = [("hx", tensor_of(hx))]
        for name, st in states:
            if st is None:
                continue
            ss = call.shape(st)
            if s.rank is not None and ss.rank is not None and ss.rank != s.rank:
                raise ShapeError("layer-rank", f"{what} gets a {s.rank}-D input {s} but a {ss.rank}-D state "
                                               f"{name} {ss}; both must be batched (2-D) or unbatched (1-D)")
            if c["hidden_size"] is not None:
                feature_mismatch(call, f"{what} state {name}", ss, -1, c["hidden_size"], "hidden_size")
            if s.rank == 2 and ss.rank == 2 and D.compare(ss.dims[0], s.dims[0], call.bindings) is D.FALSE:
                raise ShapeError("layer-input-mismatch", f"{what}: input {s} has batch {D.fmt(s.dims[0])} but the "
                                                         f"state {name} {ss} has batch {D.fmt(ss.dims[0])}")
        hs = c["hidden_size"]
        if hs is None:
            return UNKNOWN
        out = Tensor(s.replace_last(1, [hs]) if s.dims else Shape((hs,), True), "torch", "float")
        if self.mode == "LSTM":
            return Seq([out, out], "tuple")
        return out

    def weights(self, layer: Layer) -> Optional[dict]:
        c = layer.config
        ins, hs = c["input_size"], c["hidden_size"]
        if ins is None or hs is None or c["bias"] is None:
            return None
        g = _GATES[self.mode]
        out = {"weight_ih": Shape.of(D.mul(g, hs), ins), "weight_hh": Shape.of(D.mul(g, hs), hs)}
        if c["bias"]:
            out["bias_ih"] = Shape.of(D.mul(g, hs))
            out["bias_hh"] = Shape.of(D.mul(g, hs))
        return out


for _m in ("RNN", "LSTM", "GRU"):
    layer_rule(*nn(f"{_m}Cell"))(type(f"{_m}Cell", (CellBase,), {"mode": _m}))
