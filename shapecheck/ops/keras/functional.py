"""The functional ``keras.Model(inputs, outputs)``: the layer graph recorded in the analysis's Keras
history, re-run on the shape of the data it is fed, as Keras 3 does (keras/src/models/functional.py).
"""
from __future__ import annotations

from typing import Optional

from ...findings import ShapeError
from ...values import UNKNOWN, Dict, Layer, Seq, Tensor, Value
from ..registry import Call, layer_rule, lookup_layer
from .base import HISTORY, name_of
from .model import KerasModel, keras_rule_of


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
            node: tuple = ("in", id(t))
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
            return None if any(x is None for x in items) else Seq(items, v.kind)
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
            out = r.apply(lay, call.with_args(new_args, new_kwargs))  # type: ignore[arg-type]  # no None, above
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
            "keras.src.models.functional.Functional", "keras.engine.training.Model",
            "keras.engine.functional.Functional")
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
            r = keras_rule_of(sub)
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
