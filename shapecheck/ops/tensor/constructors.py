"""Tensor constructors of PyTorch and NumPy: ``zeros``/``ones``/``randn``, ``arange``, ``eye``, ``*_like``,
literals (``torch.tensor``, ``np.array``), random generators, ``linspace``."""
from __future__ import annotations

from typing import Optional

from ... import dims as D
from ...shapes import Shape
from ...values import UNKNOWN, Const, Int, Number, Seq, Tensor, Value, as_dim, as_dims, tensor_of
from ..registry import Call, Signature, by_signature, shape_rule
from .base import at_least_rank


# ---------------------------------------------------------------------------------- constructors
def _size_args(call: Call, start: int = 0, kw: str = "size") -> Optional[list]:
    """Sizes given as ``f(2, 3)``, ``f((2, 3))``, ``f([2, 3])`` or ``size=(2, 3)``."""
    if kw in call.kwargs:
        ds = as_dims(call.kwargs[kw])
    elif len(call.args) == start + 1 and isinstance(call.args[start], Seq):
        ds = as_dims(call.args[start])
    elif len(call.args) == start + 1 and not isinstance(call.args[start], Int):
        return None  # one argument that is not a known int: maybe a tuple of sizes
    else:
        ds = [as_dim(a) for a in call.args[start:]] if len(call.args) > start else None
    if ds is None or any(d is None for d in ds):
        return None
    return ds


def _dtype_kind(call: Call, default: str = "float") -> str:
    dt = call.get(None, "dtype")
    name = ""
    if isinstance(dt, Const) and isinstance(dt.value, str):
        name = dt.value
    elif dt is not UNKNOWN and hasattr(dt, "qualname"):
        name = dt.qualname
    elif dt is not UNKNOWN and hasattr(dt, "value") is False and dt.__class__.__name__ == "Ext":
        name = getattr(dt, "qualname", "")
    name = name.split(".")[-1]
    if not name:
        return default
    if "int" in name or name in ("long", "short", "uint8"):
        return "int"
    if "bool" in name:
        return "bool"
    return "float"


@by_signature("torch.randn", "torch.rand", "torch.zeros", "torch.ones", "torch.empty", "torch.Tensor.new_zeros",
              "torch.Tensor.new_ones", "torch.Tensor.new_empty", "torch.FloatTensor", "torch.LongTensor_size")
def torch_ctor(call: Call, sig: Signature) -> Value:
    start = 1 if sig.method else 0  # x.new_zeros(2, 3): the sizes follow the receiver
    ds = _size_args(call, start)
    if ds is None:
        return UNKNOWN
    return Tensor(Shape(tuple(ds)), "torch", _dtype_kind(call))


@shape_rule("torch.full")
def torch_full(call: Call) -> Value:
    ds = call.dims(0, "size")
    if ds is None or any(d is None for d in ds):
        return UNKNOWN
    return Tensor(Shape(tuple(ds)), "torch", _dtype_kind(call))


@shape_rule("torch.randint")
def torch_randint(call: Call) -> Value:
    # randint(high, size) or randint(low, high, size)
    size = call.get(None, "size")
    if size is UNKNOWN:
        for i in (2, 1):
            if i < len(call.args) and isinstance(call.args[i], Seq):
                size = call.args[i]
                break
    ds = as_dims(size) if isinstance(size, Seq) else None
    if ds is None or any(d is None for d in ds):
        return UNKNOWN
    return Tensor(Shape(tuple(ds)), "torch", "int")


@by_signature("torch.arange", "numpy.arange")
def arange(call: Call, sig: Signature) -> Value:
    """``arange(end)``, ``arange(start, end[, step])``, any of them by keyword (``end`` is NumPy's
    ``stop``): ``ceil((end - start) / step)`` elements."""
    end_name = "stop" if sig.np else "end"
    args, kw = call.args[:3], call.kwargs
    zero, one = Int(0), Int(1)
    if len(args) >= 2:
        start, end = args[0], args[1]
    elif len(args) == 1:
        start, end = (args[0], kw[end_name]) if end_name in kw else (kw.get("start", zero), args[0])
    else:
        start, end = kw.get("start", zero), kw.get(end_name, UNKNOWN)
    step = args[2] if len(args) == 3 else kw.get("step", one)
    vals = [start, end, step]
    ints = [as_dim(v) for v in vals]
    fw = sig.fw.value
    if any(i is None for i in ints):
        floats = any(isinstance(v, Const) and isinstance(v.value, float) for v in vals)
        return Tensor(Shape((D.flexible("n"),)), fw, _dtype_kind(call, "float") if floats else
                      (_dtype_kind(call, "") or None))
    step_n = D.as_int(ints[2])
    if step_n is None or step_n == 0:
        return Tensor(Shape((D.flexible("n"),)), fw)
    n = D.sub(ints[1], ints[0]) if step_n == 1 else D.ceildiv(D.sub(ints[1], ints[0]), step_n)
    return Tensor(Shape((n,)), fw, _dtype_kind(call, "int"))


@by_signature("torch.zeros_like", "torch.ones_like", "torch.randn_like", "torch.rand_like", "torch.empty_like",
            "torch.full_like", "torch.randint_like", "numpy.zeros_like", "numpy.ones_like", "numpy.empty_like",
            "numpy.full_like")  # numpy.copy and torch.clone: same_shape (_SAME)
def like(call: Call, sig: Signature) -> Value:
    t = call.tensor(0)
    if t is None:
        return UNKNOWN
    fw = "numpy" if sig.np else t.fw
    return Tensor(t.shape, fw, _dtype_kind(call, t.dtype or "float"))


def _literal_shape(v: Value, torch_items: bool = False) -> Optional[tuple]:
    """Shape and dtype of nested literal lists (``[[1, 2], [3, 4]]`` -> (2, 2)). With ``torch_items``
    (``torch.tensor``), a torch tensor inside the list is read as one number (``.item()``): it must
    hold one element, so ``torch.tensor([t1, t2])`` of 0-d or one-element tensors is (2,)."""
    if isinstance(v, Seq) and v.kind != "size":
        if not v.items:
            return ((0,), "float")
        subs = [_literal_shape(x, torch_items) for x in v.items]
        if any(s is None for s in subs):
            return None
        first = subs[0]
        if any(s[0] != first[0] for s in subs):  # type: ignore[index]
            return None
        kinds = {s[1] for s in subs}  # type: ignore[index]
        return ((len(v.items),) + first[0], "float" if "float" in kinds else first[1])  # type: ignore[index]
    if isinstance(v, Seq) and v.kind == "size":
        return ((len(v.items),), "int")
    if isinstance(v, Int):
        return ((), "int")
    if isinstance(v, Const) and isinstance(v.value, bool):
        return ((), "bool")
    if isinstance(v, Const) and isinstance(v.value, float):
        return ((), "float")
    if isinstance(v, Number):  # (a number of unknown value: ``random.randint(0, 9)``)
        return ((), None)
    if isinstance(v, Tensor) and not v.shape.variadic:
        if torch_items and v.fw == "torch":
            return ((), v.dtype) if all(D.as_int(d) == 1 for d in v.shape.dims) else None
        return (tuple(v.shape.dims), v.dtype)
    return None


@shape_rule("torch.tensor", "torch.as_tensor", "torch.Tensor_literal", "torch.from_numpy")
def torch_tensor(call: Call) -> Value:
    v = call.get(0, "data")
    if isinstance(v, Tensor):
        return Tensor(v.shape, "torch", _dtype_kind(call, v.dtype or "float"))
    got = _literal_shape(v, torch_items=True)
    if got is None:
        if call.qualname == "torch.Tensor_literal":
            return UNKNOWN
        # data we cannot see still makes a torch tensor, of unknown rank: what follows may fix
        # the rank (``torch.as_tensor(x).view(-1, 512)``)
        t = tensor_of(v)
        return Tensor(t.shape if t is not None else Shape.unknown(), "torch", _dtype_kind(call, "") or None)
    return Tensor(Shape(got[0]), "torch", _dtype_kind(call, got[1] or "float"))


@shape_rule("numpy.array", "numpy.asarray", "numpy.asanyarray", "numpy.ascontiguousarray", "numpy.float32_array")
def np_array(call: Call) -> Value:
    v = call.get(0, "object")
    ndmin = call.int(None, "ndmin", 0) or 0
    if isinstance(v, Tensor):
        shape = v.shape
        dtype = v.dtype
    else:
        got = _literal_shape(v)
        if got is None:
            t = tensor_of(v)  # data we cannot see: of unknown rank, at least ``ndmin``
            if ndmin < 1:
                return UNKNOWN
            return Tensor(at_least_rank(t.shape if t is not None else Shape.unknown(), ndmin), "numpy",
                          _dtype_kind(call, "") or None)
        shape, dtype = Shape(got[0]), got[1]
    return Tensor(at_least_rank(shape, ndmin), "numpy", _dtype_kind(call, dtype or "float"))


@shape_rule("numpy.zeros", "numpy.ones", "numpy.empty", "numpy.full")
def np_ctor(call: Call) -> Value:
    ds = call.dims(0, "shape")
    if ds is None or any(d is None for d in ds):
        return UNKNOWN
    return Tensor(Shape(tuple(ds)), "numpy", _dtype_kind(call))


@shape_rule("numpy.random.rand", "numpy.random.randn")
def np_rand(call: Call) -> Value:
    ds = [as_dim(a) for a in call.args]
    if any(d is None for d in ds):
        return UNKNOWN
    return Tensor(Shape(tuple(ds)), "numpy", "float")


@shape_rule("numpy.random.random", "numpy.random.random_sample", "numpy.random.uniform", "numpy.random.normal",
            "numpy.random.randint", "numpy.random.standard_normal", "numpy.random.choice", "numpy.random.binomial",
            "numpy.random.poisson", "numpy.random.exponential", "numpy.random.beta", "numpy.random.gamma",
            "numpy.random.ranf", "numpy.random.sample", "numpy.random.permutation_size",
            "numpy.random.Generator.random", "numpy.random.Generator.normal", "numpy.random.Generator.uniform",
            "numpy.random.Generator.integers", "numpy.random.Generator.standard_normal",
            "numpy.random.Generator.choice", "numpy.random.Generator.binomial", "numpy.random.Generator.poisson",
            "numpy.random.Generator.exponential")
def np_random_sized(call: Call) -> Value:
    pos = {"numpy.random.random": 0, "numpy.random.random_sample": 0, "numpy.random.standard_normal": 0,
           "numpy.random.ranf": 0, "numpy.random.sample": 0, "numpy.random.uniform": 2, "numpy.random.normal": 2,
           "numpy.random.randint": 2, "numpy.random.choice": 1, "numpy.random.binomial": 2,
           "numpy.random.poisson": 1, "numpy.random.exponential": 1, "numpy.random.beta": 2,
           "numpy.random.gamma": 2, "numpy.random.Generator.normal": 2, "numpy.random.Generator.uniform": 2,
           "numpy.random.Generator.integers": 2, "numpy.random.Generator.choice": 1,
           "numpy.random.Generator.binomial": 2, "numpy.random.Generator.poisson": 1,
           "numpy.random.Generator.exponential": 1}.get(call.qualname, 0)
    dtype = "int" if call.qualname.endswith(("randint", "binomial", "poisson", "integers")) else "float"
    if not call.has(pos, "size"):
        if call.qualname.endswith("choice"):
            return UNKNOWN
        # a scalar draw, unless a parameter is an array (then its shape)
        for a in call.args:
            if isinstance(a, Tensor):
                return Tensor(a.shape, "numpy", dtype)
        return Const(0.0) if dtype == "float" else UNKNOWN
    size = call.get(pos, "size")
    ds = as_dims(size)
    if ds is None or any(d is None for d in ds):
        return UNKNOWN
    return Tensor(Shape(tuple(ds)), "numpy", dtype)


@by_signature("numpy.eye", "torch.eye")
def eye(call: Call, sig: Signature) -> Value:
    """``eye(N, M=N)`` (NumPy's names are capitals: ``np.eye(N, M)``, ``torch.eye(n, m)``)."""
    n = call.dim(0, sig.arg("n", "N"))
    m = call.dim(1, sig.arg("m", "M"), n)
    if n is None or m is None:
        return UNKNOWN
    return Tensor(Shape((n, m)), sig.fw.value, "float")


@shape_rule("numpy.identity")
def np_identity(call: Call) -> Value:
    """``np.identity(n)``: a square ``(n, n)``."""
    n = call.dim(0, "n")
    return UNKNOWN if n is None else Tensor(Shape((n, n)), "numpy", "float")


@shape_rule("torch.nn.Parameter", "torch.nn.parameter.Parameter")
def nn_parameter(call: Call) -> Value:
    t = call.tensor(0, "data")
    if t is None:
        return UNKNOWN
    return Tensor(t.shape, t.fw, t.dtype, t.role or "torch.nn.Parameter")
