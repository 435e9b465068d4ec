"""Tensor attributes shared by PyTorch and NumPy: ``shape``, ``ndim``, ``T``/``mT``, ``size()``, ``dtype``
and the like (names: ``tensor.X`` for any framework's tensor, ``torch.Tensor.X``, ``numpy.ndarray.X``)."""
from __future__ import annotations

from typing import Optional

from ... import dims as D
from ...dims import Dim
from ...findings import Later, ShapeError
from ...shapes import Shape
from ...values import NUMBER, UNKNOWN, Const, Dict, Int, Layer, Seq, Tensor, Value, as_dim, as_int, tensor_of
from .. import streams as ST
from ..common import axis_of, unknown_like
from ..registry import Call, property_rule, shape_rule

# ---------------------------------------------------------------------------------- attributes


@property_rule("tensor.shape")
def shape_attr(call: Call) -> Value:
    t = call.tensor(0)
    if t is None or t.shape.variadic:
        return UNKNOWN
    s = call.shape(t)
    why = s.why or (None,) * len(s.dims)
    return Seq([Int(d, w) for d, w in zip(s.dims, why)], "size")


@property_rule("tensor.ndim")
def ndim_attr(call: Call) -> Value:
    t = call.tensor(0)
    return UNKNOWN if t is None or t.shape.rank is None else Int(t.shape.rank)


TRANSPOSED = "transposed"  # Tensor.role of a transpose's result


@property_rule("tensor.T", "numpy.ndarray.T")
def T_attr(call: Call) -> Value:
    t = call.tensor(0)
    if t is None or t.shape.variadic:
        return unknown_like(t)
    return Tensor(Shape(tuple(reversed(t.shape.dims))), t.fw, t.dtype, TRANSPOSED)


@property_rule("tensor.mT", "tensor.mH", "tensor.H")
def mT_attr(call: Call) -> Value:
    t = call.tensor(0)
    if t is None or len(t.shape.dims) < 2:
        return unknown_like(t)
    s = t.shape
    return Tensor(Shape(s.dims[:-2] + (s.dims[-1], s.dims[-2]), s.variadic), t.fw, t.dtype)


@property_rule("tensor.size_attr_numpy", "numpy.ndarray.size")
def np_size_attr(call: Call) -> Value:
    t = call.tensor(0)
    n = None if t is None else t.shape.numel()
    return UNKNOWN if n is None else Int(n)


@property_rule("tensor.data", "tensor.real", "tensor.imag", "torch.Tensor.grad")
def same_attr(call: Call) -> Value:
    return call.get(0)


@shape_rule("torch.Tensor.size")
def size_method(call: Call) -> Value:
    t = call.tensor(0)
    if t is None:
        return UNKNOWN
    if call.has(1, "dim"):
        d = call.int(1, "dim")
        if d is None:
            return UNKNOWN
        return _size_at(call, t, d, "size")
    return shape_attr(call)


def _size_at(call: Call, t: Tensor, d: int, what: str) -> Value:
    s = call.shape(t)
    if s.variadic:
        got = s.dim(d) if d < 0 else None
        return UNKNOWN if got is None else Int(got, s.why_of(d))
    n = axis_of(call, d, len(s.dims), Later("{}({}) of {}".format, what, d, s))
    return Int(s.dims[n], s.why_of(n))


@shape_rule("tensor.size_index_error")
def size_index(call: Call) -> Value:
    seq = call.get(0)
    i = call.int(1)
    if isinstance(seq, Seq) and i is not None:
        raise ShapeError("axis-out-of-range", f"shape[{i}] is out of range for a {len(seq.items)}-D tensor")
    return UNKNOWN


@shape_rule("torch.Tensor.dim", "torch.Tensor.ndimension")
def dim_method(call: Call) -> Value:
    return ndim_attr(call)


@shape_rule("torch.Tensor.numel", "torch.numel", "numpy.size")
def numel(call: Call) -> Value:
    t = call.tensor(0)
    if call.qualname == "numpy.size" and call.has(1, "axis"):
        a = call.int(1, "axis")
        return UNKNOWN if t is None or a is None else _size_at(call, t, a, "np.size")
    n = None if t is None else t.shape.numel()
    return UNKNOWN if n is None else Int(n)


@shape_rule("torch.Tensor.tolist", "numpy.ndarray.tolist")
def tolist(call: Call) -> Value:
    """A 1-D tensor of known length becomes a list of that many unknown numbers
    (``np.linspace(0, p, n).tolist()``): its length is what shapes depend on."""
    t = call.tensor(0)
    if t is None or t.shape.variadic or t.shape.rank != 1:
        return UNKNOWN
    n = D.as_int(t.shape.dims[0])
    return Seq([UNKNOWN] * n, "list") if n is not None and 0 <= n <= 4096 else UNKNOWN


@shape_rule("builtins.len")
def builtin_len(call: Call) -> Value:
    v = call.get(0)
    if isinstance(v, Seq):
        return Int(len(v.items))
    t = tensor_of(v) if isinstance(v, Tensor) else None
    if t is not None:
        s = call.shape(t)
        if s.rank == 0:
            raise ShapeError("axis-out-of-range", "len() of a 0-D tensor")
        d = s.dim(0)
        return UNKNOWN if d is None else Int(d)
    return UNKNOWN


@shape_rule("typing.cast")
def typing_cast(call: Call) -> Value:
    """``cast(T, v)`` is ``v`` at run time."""
    return call.get(1, "val")


@shape_rule("builtins.float")
def builtin_float(call: Call) -> Value:
    v = call.get(0)
    n = D.as_int(v.dim) if isinstance(v, Int) else (v.value if isinstance(v, Const) else None)
    if isinstance(n, (int, float)) and not isinstance(n, bool):
        return Const(float(n))
    return UNKNOWN


@shape_rule("builtins.round")
def builtin_round(call: Call) -> Value:
    v = call.get(0)
    n = D.as_int(v.dim) if isinstance(v, Int) else (v.value if isinstance(v, Const) else None)
    digits = len(call.args) > 1 or call.has(None, "ndigits")
    if isinstance(v, Int) and not digits:
        return v
    if not isinstance(n, (int, float)) or isinstance(n, bool):
        return UNKNOWN if digits else _computed(call, "round")
    if digits:
        k = call.int(1, "ndigits")
        return UNKNOWN if k is None else Const(round(n, k))
    return Int(round(n))


@shape_rule("builtins.int")
def builtin_int(call: Call) -> Value:
    v = call.get(0)
    if isinstance(v, Int):
        return v
    if isinstance(v, Const) and isinstance(v.value, (int, float)) and not isinstance(v.value, bool):
        return Int(int(v.value))
    return _computed(call, "int")


def _computed(call: Call, what: str) -> Value:
    """``int(out_chs * bottle_ratio)`` of a number the checker cannot compute: a size of its own
    (``D.computed``, printed as the expression), the same wherever the value goes (``Conv2d(c, bc)``
    then ``Conv2d(bc, ...)``). Like a setting it equals what it may equal: only a size it can never
    be (``2 * bc`` against ``bc``) is a mismatch. A tensor, string or container argument is unknown."""
    if not call.args or call.kwargs:
        return UNKNOWN
    v = call.get(0)
    if isinstance(v, (Tensor, Seq, Dict)) or (isinstance(v, Const) and not isinstance(v.value, (int, float))):
        return UNKNOWN
    text = " ".join(call.text(0).split())
    if text == "?" or len(text) > 60:
        return UNKNOWN
    return Int(D.computed(f"{what}({text})"))


@shape_rule("math.prod", "numpy.prod_of_sizes")
def math_prod(call: Call) -> Value:
    ds = call.dims(0)
    if ds is None or any(d is None for d in ds):
        return UNKNOWN
    return Int(D.mul(*ds), "*".join(D.fmt(d) for d in ds) if len(ds) > 1 else None)


def _truth(v: Value) -> Optional[bool]:
    if isinstance(v, Const) and (v.value is None or isinstance(v.value, (bool, int, float, str))):
        return bool(v.value)
    if isinstance(v, Int):
        n = as_int(v)
        return None if n is None else bool(n)
    if isinstance(v, (Seq, Dict)) and not isinstance(v, Tensor):
        return bool(v.items)
    return None


@shape_rule("builtins.any", "builtins.all")
def builtin_any_all(call: Call) -> Value:
    """``any([isinstance(v, (tuple, list)) for v in ...])`` (timm's get_padding) where each item is known."""
    s = call.get(0)
    if len(call.args) != 1 or call.kwargs or not isinstance(s, Seq) or s.kind == "set":
        return UNKNOWN
    truths = [_truth(v) for v in s.items]
    want = call.qualname.endswith("any")  # any: one True decides; all: one False decides
    if want in truths:
        return Const(want)
    return UNKNOWN if None in truths else Const(not want)


@shape_rule("builtins.str")
def builtin_str(call: Call) -> Value:
    """``str(x)`` of a constant or a known int (``str(k)`` of a dict's names); else unknown."""
    if len(call.args) != 1 or call.kwargs:
        return UNKNOWN
    v = call.get(0)
    if isinstance(v, Const) and (v.value is None or isinstance(v.value, (str, int, float, bool))):
        return Const(str(v.value))
    n = as_int(v) if isinstance(v, Int) else None
    return Const(str(n)) if n is not None else UNKNOWN


@shape_rule("builtins.range")
def builtin_range(call: Call) -> Value:
    ints = [call.int(i) for i in range(len(call.args))]
    if not ints or any(i is None for i in ints) or len(ints) > 3:
        return UNKNOWN
    r = range(*ints)  # type: ignore[arg-type]
    if len(r) > 4096:  # (loops over more run once; comprehensions of one value each time are counted)
        return UNKNOWN
    return Seq([Int(i) for i in r], "list")


def _rows(v: Value) -> Value:
    """An array zipped as the list of its rows, where it has a known number of them (up to 256)."""
    if isinstance(v, Tensor) and v.shape.rank:
        n = D.as_int(v.shape.dims[0])
        if n is not None and 0 <= n <= 256:
            return Seq([Tensor(Shape(v.shape.dims[1:]), v.fw, v.dtype)] * n, "list")
    return v


@shape_rule("builtins.zip")
def builtin_zip(call: Call) -> Value:
    """``zip(xs, ys)`` of lists, tuples, or arrays (their rows: ``for x, y in zip(train_X, train_Y)``)."""
    seqs = [s for s in (_rows(call.get(i)) for i in range(len(call.args))) if isinstance(s, Seq) and s.kind != "set"]
    if not seqs or len(seqs) != len(call.args):
        return UNKNOWN
    n = min(len(s.items) for s in seqs)
    return Seq([Seq([s.items[i] for s in seqs], "tuple") for i in range(n)], "list")


@shape_rule("random.random", "random.randint", "random.uniform", "random.gauss", "random.normalvariate",
            "random.randrange", "random.betavariate", "random.expovariate", "random.triangular")
def python_random(call: Call) -> Value:
    """A random Python number: a number of unknown value (a list of them is a 1-D array's worth)."""
    return NUMBER


@shape_rule("itertools.repeat")
def itertools_repeat(call: Call) -> Value:
    """``repeat(x, n)`` with a known ``n``: ``n`` times ``x`` (timm's ``to_2tuple``); endless: unknown."""
    n = call.int(1, "times")
    if n is None or not 0 <= n <= 256:
        return UNKNOWN
    return Seq([call.get(0)] * n, "list")


@shape_rule("builtins.enumerate")
def builtin_enumerate(call: Call) -> Value:
    s = call.get(0)
    batch = ST.element_of(s)
    if batch is not None:  # enumerate(loader): (index, batch) pairs, a stream of its own
        assert isinstance(s, Layer)
        return ST.stream(s.kind, Seq([Int(D.computed("i")), batch], "tuple"), call.node)
    if not isinstance(s, Seq) or s.kind == "set":
        return UNKNOWN
    start = call.int(1, "start", 0) or 0
    return Seq([Seq([Int(i + start), x], "tuple") for i, x in enumerate(s.items)], "list")


@shape_rule("builtins.list", "builtins.tuple")
def builtin_list(call: Call) -> Value:
    if not call.args:
        return Seq([], "list" if call.qualname.endswith("list") else "tuple")
    s = call.get(0)
    if isinstance(s, Seq) and s.kind != "set":  # a set's order is not the order it was made in
        return Seq(list(s.items), "list" if call.qualname.endswith("list") else "tuple")
    return UNKNOWN


@shape_rule("builtins.reversed")
def builtin_reversed(call: Call) -> Value:
    s = call.get(0)
    return Seq(list(reversed(s.items)), "list") if isinstance(s, Seq) and s.kind != "set" else UNKNOWN


@shape_rule("builtins.max", "builtins.min")
def builtin_minmax(call: Call) -> Value:
    first = call.get(0)
    vals = call.args if len(call.args) > 1 else (first.items if isinstance(first, Seq) else [])
    nums = [v.value if isinstance(v, Const) and type(v.value) in (int, float) else as_int(v) for v in vals]
    if nums and len(call.args) > 1 and not call.kwargs and all(isinstance(v, Int) for v in vals) and None in nums:
        # sizes: the one no other exceeds (max(c, 2 * c)), else an int of its own
        big = call.qualname.endswith("max")
        ints = [v for v in vals if isinstance(v, Int)]
        for v in ints:
            if all(D.at_most(w.dim, v.dim, call.bindings) is D.TRUE if big else
                   D.at_most(v.dim, w.dim, call.bindings) is D.TRUE for w in ints if w is not v):
                return v
        text = " ".join(f"{call.qualname.rsplit('.', 1)[-1]}({', '.join(call.text(i) for i in range(len(vals)))})"
                        .split())
        return Int(D.computed(text)) if "?" not in text and len(text) <= 60 else UNKNOWN
    if not nums or any(n is None for n in nums):
        return UNKNOWN
    got = max(nums) if call.qualname.endswith("max") else min(nums)  # type: ignore[type-var]
    return Int(got) if isinstance(got, int) else Const(got)


@shape_rule("builtins.sum")
def builtin_sum(call: Call) -> Value:
    s = call.get(0)
    start = call.get(1, "start") if call.has(1, "start") else None
    if isinstance(s, Seq) and isinstance(start, Seq):  # sum(lists, []): the lists joined
        if not all(isinstance(x, Seq) and x.kind != "set" for x in s.items):
            return UNKNOWN
        return Seq(list(start.items) + [y for x in s.items for y in x.items], start.kind)
    if isinstance(s, Seq):
        ds = [as_dim(v) for v in s.items]
        if ds and all(d is not None for d in ds):
            out: Dim = 0
            for d in ds:
                out = D.add(out, d)
            return Int(out)
    return UNKNOWN


@shape_rule("builtins.iter")
def builtin_iter(call: Call) -> Value:
    """``iter(loader)``: the same stream of batches."""
    s = call.get(0)
    return s if len(call.args) == 1 and ST.element_of(s) is not None else UNKNOWN


@shape_rule("builtins.next")
def builtin_next(call: Call) -> Value:
    """``next(iter(loader))``: one batch of a stream."""
    got = ST.element_of(call.get(0))
    return got if got is not None else UNKNOWN
