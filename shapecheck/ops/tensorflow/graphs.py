"""TF1 graphs through ``tf.compat.v1``: a ``placeholder`` with ``None`` sizes has opaque sizes there;
``Session.run(..., feed_dict=...)`` checks each fed array against the tensor it feeds (exact rank,
fixed sizes), SHP701."""
from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Optional

from ... import dims as D
from ...dims import Dim
from ...findings import ShapeError
from ...shape_math.require import require_equal
from ...shapes import Shape
from ...values import UNKNOWN, Const, Dict, Ext, Int, Seq, Tensor, Value, tensor_of
from ..keras.base import shape_tuple
from ..registry import Call, shape_rule
from .base import _shape, tf


# ---------------------------------------------------------------------------------- TF1 graphs
@shape_rule(*tf("placeholder"))
def tf_placeholder(call: Call) -> Value:
    v = call.get(1, "shape")
    if v is UNKNOWN or (isinstance(v, Const) and v.value is None):
        return Tensor(Shape.unknown(), "tf")
    ds = shape_tuple(v)
    if ds is None:
        return Tensor(Shape.unknown(), "tf")
    return Tensor(Shape(tuple(ds)), "tf", _dtype_of(call.get(0, "dtype")))


def _feed_size(ks: Shape, vs: Shape, i: int, a: Dim, b: Dim) -> str:
    return (f"feed_dict feeds a value of shape {vs} for a tensor of shape {_tf_shape_text(ks)}: size {D.fmt(b)} at "
            f"axis {i}, not {D.fmt(a)}")


def _dtype_of(v: Value) -> Optional[str]:
    q = v.qualname if isinstance(v, Ext) else (v.value if isinstance(v, Const) and isinstance(v.value, str) else "")
    if not q:
        return None
    return "int" if "int" in q else ("bool" if "bool" in q else "float")


@shape_rule(*tf("layers.dense"))
def tf_layers_dense(call: Call) -> Value:
    return dense_output(call, "units")


def dense_output(call: Call, units: str) -> Value:
    """A TF1 fully connected layer (``tf.layers.dense``, ``tf.contrib.layers.fully_connected``):
    the last size of ``inputs`` becomes the second argument."""
    t = call.tensor(0, "inputs")
    u = call.dim(1, units)
    if t is None or u is None:
        return UNKNOWN
    s = _shape(call, t)
    if not s.dims:
        return Tensor(Shape((u,), True), "tf", "float")
    return Tensor(s.replace_last(1, [u]), "tf", "float")


@shape_rule(*tf("Session", "InteractiveSession", "Session.__enter__"))
def tf_session(call: Call) -> Value:
    return Ext("tensorflow.Session")


_OPTIMIZERS = ("GradientDescentOptimizer", "AdamOptimizer", "AdagradOptimizer", "AdadeltaOptimizer",
               "RMSPropOptimizer", "MomentumOptimizer", "FtrlOptimizer", "ProximalGradientDescentOptimizer",
               "ProximalAdagradOptimizer", "AdagradDAOptimizer", "Optimizer")


@shape_rule(*tf(*(f"train.{o}" for o in _OPTIMIZERS)))
def tf_optimizer(call: Call) -> Value:
    """A TF1 optimizer: its ``minimize`` makes the training operation."""
    return Ext("tensorflow.train.Optimizer")


@shape_rule(*tf("train.Optimizer.minimize"))
def tf_minimize(call: Call) -> Value:
    """``optimizer.minimize(loss)``: an operation (kept as a TF tensor of unknown shape) that runs the
    graph of ``loss``: ``Session.run(train_op, feed_dict=...)`` re-runs that graph on the fed shapes."""
    if call.tensor(0, "loss") is None:
        return UNKNOWN
    return Tensor(Shape.unknown(), "tf", None, OPERATION)


OPERATION = "tf.Operation"


def _feed_pairs(v: Value) -> Optional[list]:
    """``feed_dict={x: array}`` as (tensor, value) pairs; needs the interpreter to keep non-string keys."""
    if isinstance(v, Seq) and v.kind == "pairs":
        out = []
        for p in v.items:
            if isinstance(p, Seq) and len(p.items) == 2:
                out.append((p.items[0], p.items[1]))
        return out
    if isinstance(v, Dict) and getattr(v, "kind", "") == "pairs":
        return list(v.items.values())
    return None


def _fed(v: Value) -> Optional[Tensor]:
    """What a fed value is as an array: a tensor, or nested lists of numbers (``np.asarray`` of them)."""
    t = tensor_of(v)
    if t is not None:
        return t
    from ..tensor.constructors import _literal_shape

    got = _literal_shape(v)
    if got is None:
        return None
    return Tensor(Shape(tuple(got[0])), "numpy", got[1])


def _check_feeds(call: Call, pairs: list) -> tuple[dict, dict, list]:
    """Check each fed value against its placeholder (exact rank, fixed sizes), SHP701. Returns what a
    re-run of the graph takes from the feeds: the placeholders' ``None`` sizes -> the fed sizes, the
    placeholders of unknown shape -> the fed tensors, and the fed shapes (for messages)."""
    sizes: dict = {}
    whole: dict = {}
    shown: list = []
    for k, v in pairs:
        kt, vt = tensor_of(k), _fed(v)
        if kt is None or vt is None:
            continue
        ks, vs = call.shape(kt), call.shape(vt)
        if vs.variadic:
            continue
        if ks.variadic:
            if not ks.dims:  # tf.placeholder(tf.float32): it takes the shape it is fed
                whole[id(kt)] = Tensor(vs, "tf", kt.dtype)
                shown.append(str(vs))
            continue
        if len(ks.dims) != len(vs.dims):
            raise ShapeError("input-data-mismatch", f"feed_dict feeds a value of shape {vs} ({len(vs.dims)}-D) for a "
                                                    f"tensor of shape {_tf_shape_text(ks)} ({len(ks.dims)}-D)")
        for i, (a, b) in enumerate(zip(ks.dims, vs.dims)):
            require_equal(a, b, call.bindings, "input-data-mismatch", functools.partial(_feed_size, ks, vs, i, a, b),
                          unify=False)
            if D.is_opaque(a) and not D.is_opaque(b) and not D.has_flexible(b):
                sizes[a] = b
                shown.append(str(vs))
        if any(D.is_opaque(d) for d in ks.dims):  # a fed tensor is the value it is fed, whatever made it
            whole[id(kt)] = Tensor(Shape(tuple(b if D.is_opaque(a) else a for a, b in zip(ks.dims, vs.dims))),
                                   "tf", kt.dtype)
    return sizes, whole, list(dict.fromkeys(shown))


def _fetch_list(f: Value) -> Optional[list]:
    if isinstance(f, Seq):
        return list(f.items)
    if isinstance(f, Dict):
        return list(f.items.values())
    return None


def _run(call: Call, fetches: Value, feed: Value) -> Value:
    """``Session.run(fetches, feed_dict)``: check the feeds, re-run the fetched graph on the fed shapes,
    and give what it returns (NumPy arrays of the fetched tensors' shapes)."""
    pairs = _feed_pairs(feed) or []
    sizes, whole, shown = _check_feeds(call, pairs)
    items = _fetch_list(fetches)
    flat = items if items is not None else [fetches]
    if sizes or whole:
        got = replay(call, flat, sizes, whole, shown)
    else:
        got = flat
    out = [_result(v) for v in got]
    if items is None:
        return out[0]
    if isinstance(fetches, Seq):
        return Seq(out, fetches.kind if fetches.kind in ("list", "tuple") else "list")
    return UNKNOWN


def _result(v: Value) -> Value:
    t = tensor_of(v)
    if t is None or t.role == OPERATION:
        return UNKNOWN
    return Tensor(t.shape, "numpy", t.dtype)


@shape_rule(*tf("Session.run", "InteractiveSession.run"))
def session_run(call: Call) -> Value:
    return _run(call, call.get(0, "fetches"), call.get(1, "feed_dict"))


@shape_rule("tensorflow.Tensor.eval", "tensorflow.Tensor.run")
def tensor_eval(call: Call) -> Value:
    """``t.eval(feed_dict=...)`` of a tensor, ``op.run(feed_dict=...)`` of an operation (``minimize``):
    ``Session.run`` of it in the default session."""
    return _run(call, call.get(0), call.get(1, "feed_dict"))


def _subs(d: Dim, sizes: dict) -> Dim:
    if isinstance(d, int) or not sizes:
        return d
    return D.norm(d.xreplace(sizes))


def _subs_shape(s: Shape, sizes: dict) -> Shape:
    return Shape(tuple(_subs(d, sizes) for d in s.dims), s.variadic, s.why)


def replay(call: Call, fetches: list, sizes: dict, whole: dict, shown: list) -> list:
    """Re-run the ops that made ``fetches`` (``AnalysisState.tf_history``) with the placeholders' ``None``
    sizes replaced as ``sizes`` says and the placeholders of unknown shape by the tensors ``whole`` gives:
    what TF1 does when ``Session.run`` feeds them. Only the fetched graph runs, as in TF. A value no op
    made (a variable, a constant, an op the checker does not record) keeps its shape, its ``None``
    sizes replaced."""
    history = call.ctx.tf_history
    memo: dict = {}
    bindings = call.bindings.copy()

    def sub(v: Value, depth: int) -> Value:
        if isinstance(v, Tensor):
            return go(v, depth + 1)
        if isinstance(v, Seq):
            return Seq([sub(x, depth) for x in v.items], v.kind)
        if isinstance(v, Dict):
            return Dict({k: sub(x, depth) for k, x in v.items.items()}, v.kind)
        if isinstance(v, Int):
            return Int(_subs(v.dim, sizes))
        return v

    def go(t: Tensor, depth: int) -> Value:
        key = id(t)
        if key in memo:
            return memo[key]
        if key in whole:
            return whole[key]
        h = history.get(t) if depth < 400 else None
        if h is None or h[0] is tf_placeholder:  # (a placeholder is what is fed, not an op to re-run)
            out: Value = Tensor(_subs_shape(t.shape, sizes), t.fw, t.dtype, t.role) if sizes else t
        else:
            fn, c, idx = h
            again = Call([sub(a, depth) for a in c.args], {k: sub(v, depth) for k, v in c.kwargs.items()},
                         bindings, None, None, c.fw, c.qualname, c.node, c._warn, c.ctx)
            try:
                got = fn(again)
            except ShapeError as e:
                raise ShapeError(e.kind, _fed_message(e, shown), None,
                                 e.where if e.where is not None else c.node) from None
            out = got if idx is None else (got.items[idx] if isinstance(got, Seq) and idx < len(got.items)
                                           else UNKNOWN)
        memo[key] = out
        return out

    return [sub(f, 0) for f in fetches]


def _fed_message(e: ShapeError, shown: list) -> Callable[[], str]:
    return lambda: f"{e.message} (when Session.run feeds {' and '.join(shown)})"


def _tf_shape_text(s: Shape) -> str:
    return str(s)



@shape_rule("tensorflow.Tensor.set_shape")
def tensor_set_shape(call: Call) -> Value:
    """``t.set_shape(shape)``: the tensor's static shape merged with ``shape`` (``None``: keep the size).
    TF raises where they cannot be merged ("Shapes must be equal rank", "Dimension 0 in both shapes must
    be equal"). The merged tensor is what the name then holds (the analysis assigns it in place)."""
    t = call.tensor(0)
    new = shape_tuple(call.get(1, "shape"))
    if t is None:
        return UNKNOWN
    s = call.shape(t)
    if new is None:
        return t
    if s.variadic and not s.dims:
        return Tensor(Shape(tuple(new)), t.fw, t.dtype)
    if s.variadic:
        return t
    if len(s.dims) != len(new):
        raise ShapeError("invalid-shape-argument", f"set_shape({Shape(tuple(new))}) of a tensor of shape {s}: "
                                                   f"the ranks must be equal, {len(s.dims)} != {len(new)}")
    out = []
    for i, (a, b) in enumerate(zip(s.dims, new)):
        if D.is_opaque(b):
            out.append(a)
            continue
        require_equal(a, b, call.bindings, "invalid-shape-argument",
                      f"set_shape({Shape(tuple(new))}) of a tensor of shape {s}: size {D.fmt(a)} at axis {i} is not "
                      f"compatible with {D.fmt(b)}")
        out.append(b if D.as_int(a) is None else a)
    return Tensor(Shape(tuple(out)), t.fw, t.dtype, t.role)
