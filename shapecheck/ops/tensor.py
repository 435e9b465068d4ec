"""Tensor functions and methods shared by PyTorch and NumPy (and TensorFlow where spelled alike).

Names: ``torch.X``, ``torch.Tensor.X`` (methods get the tensor as argument 0), ``numpy.X``,
``numpy.ndarray.X``, ``operator.X`` (Python operators), ``tensor.X`` (a method or attribute of any
framework's tensor).
"""
from __future__ import annotations

from typing import Optional

from .. import dims as D
from ..dims import Dim
from ..findings import ShapeError
from ..framework import Framework
from ..shape_math.matmul import dot_nd
from ..shapes import Shape
from ..values import (UNKNOWN, Const, Int, Seq, Tensor, Value, as_dim, as_dims, as_int, tensor_of)
from .common import (AXIS_ADDED, axis_of, broadcast_shapes, is_outer_product, matmul_shape, matmul_speller,
                     out_dtype, out_fw, require_rank, unknown_like)
from .registry import Call, Signature, by_signature, mismatch_note, property_rule, shape_rule

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
    n = axis_of(call, d, len(s.dims), f"{what}({d}) of {s}")
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
    if not isinstance(n, (int, float)) or isinstance(n, bool):
        return UNKNOWN
    if len(call.args) > 1 or call.has(None, "ndigits"):
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
    return UNKNOWN


@shape_rule("math.prod", "numpy.prod_of_sizes")
def math_prod(call: Call) -> Value:
    ds = call.dims(0)
    if ds is None or any(d is None for d in ds):
        return UNKNOWN
    return Int(D.mul(*ds), "*".join(D.fmt(d) for d in ds) if len(ds) > 1 else None)


@shape_rule("builtins.range")
def builtin_range(call: Call) -> Value:
    ints = [call.int(i) for i in range(len(call.args))]
    if not ints or any(i is None for i in ints) or len(ints) > 3:
        return UNKNOWN
    r = range(*ints)  # type: ignore[arg-type]
    if len(r) > 256:
        return UNKNOWN
    return Seq([Int(i) for i in r], "list")


@shape_rule("builtins.zip")
def builtin_zip(call: Call) -> Value:
    seqs = [call.get(i) for i in range(len(call.args))]
    if not seqs or not all(isinstance(s, Seq) and s.kind != "set" for s in seqs):
        return UNKNOWN
    n = min(len(s.items) for s in seqs)  # type: ignore[union-attr]
    return Seq([Seq([s.items[i] for s in seqs], "tuple") for i in range(n)], "list")  # type: ignore[union-attr]


@shape_rule("builtins.enumerate")
def builtin_enumerate(call: Call) -> Value:
    s = call.get(0)
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
    vals = call.args if len(call.args) > 1 else (call.get(0).items if isinstance(call.get(0), Seq) else [])
    nums = [v.value if isinstance(v, Const) and type(v.value) in (int, float) else as_int(v) for v in vals]
    if not nums or any(n is None for n in nums):
        return UNKNOWN
    got = max(nums) if call.qualname.endswith("max") else min(nums)  # type: ignore[type-var]
    return Int(got) if isinstance(got, int) else Const(got)


@shape_rule("builtins.sum")
def builtin_sum(call: Call) -> Value:
    s = call.get(0)
    if isinstance(s, Seq):
        ds = [as_dim(v) for v in s.items]
        if ds and all(d is not None for d in ds):
            out: Dim = 0
            for d in ds:
                out = D.add(out, d)  # type: ignore[arg-type]
            return Int(out)
    return UNKNOWN


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
        name = dt.qualname  # type: ignore[attr-defined]
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
    vals = [call.get(i) for i in range(min(len(call.args), 3))]
    ints = [as_dim(v) for v in vals]
    fw = sig.fw.value
    if not ints or any(i is None for i in ints):
        return Tensor(Shape((D.flexible("n"),)), fw)
    if len(ints) == 1:
        n = ints[0]
    elif len(ints) == 2:
        n = D.sub(ints[1], ints[0])
    else:
        step = D.as_int(ints[2])
        if step is None or step == 0:
            return Tensor(Shape((D.flexible("n"),)), fw)
        n = D.ceildiv(D.sub(ints[1], ints[0]), step)
    return Tensor(Shape((n,)), fw, "int")


@by_signature("torch.zeros_like", "torch.ones_like", "torch.randn_like", "torch.rand_like", "torch.empty_like",
            "torch.full_like", "torch.randint_like", "numpy.zeros_like", "numpy.ones_like", "numpy.empty_like",
            "numpy.full_like")  # numpy.copy and torch.clone: same_shape (_SAME)
def like(call: Call, sig: Signature) -> Value:
    t = call.tensor(0)
    if t is None:
        return UNKNOWN
    fw = "numpy" if sig.np else t.fw
    return Tensor(t.shape, fw, _dtype_kind(call, t.dtype or "float"))


def _literal_shape(v: Value) -> Optional[tuple]:
    """Shape and dtype of nested literal lists (``[[1, 2], [3, 4]]`` -> (2, 2))."""
    if isinstance(v, Seq) and v.kind != "size":
        if not v.items:
            return ((0,), "float")
        subs = [_literal_shape(x) for x in v.items]
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
    if isinstance(v, Tensor) and not v.shape.variadic:
        return (tuple(v.shape.dims), v.dtype)
    return None


@shape_rule("torch.tensor", "torch.as_tensor", "torch.Tensor_literal", "torch.from_numpy")
def torch_tensor(call: Call) -> Value:
    v = call.get(0, "data")
    if isinstance(v, Tensor):
        return Tensor(v.shape, "torch", _dtype_kind(call, v.dtype or "float"))
    got = _literal_shape(v)
    if got is None:
        return UNKNOWN
    return Tensor(Shape(got[0]), "torch", _dtype_kind(call, got[1] or "float"))


@shape_rule("numpy.array", "numpy.asarray", "numpy.asanyarray", "numpy.ascontiguousarray", "numpy.float32_array")
def np_array(call: Call) -> Value:
    v = call.get(0, "object")
    if isinstance(v, Tensor):
        shape = v.shape
        dtype = v.dtype
    else:
        got = _literal_shape(v)
        if got is None:
            return UNKNOWN
        shape, dtype = Shape(got[0]), got[1]
    ndmin = call.int(None, "ndmin", 0) or 0
    if not shape.variadic and len(shape.dims) < ndmin:
        shape = Shape((1,) * (ndmin - len(shape.dims)) + shape.dims)
    return Tensor(shape, "numpy", _dtype_kind(call, dtype or "float"))


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
    return Tensor(Shape(tuple(ds)), "numpy", "float")  # type: ignore[arg-type]


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


# ---------------------------------------------------------------------------------- operators
_MATMUL_NAMES = ("torch.matmul", "torch.Tensor.matmul", "torch.Tensor.__matmul__",
                 "numpy.matmul", "numpy.ndarray.__matmul__")


@shape_rule(*_MATMUL_NAMES)
def matmul(call: Call) -> Value:
    a, b = call.tensor(0, "input"), call.tensor(1, "other")
    if a is None or b is None:
        return UNKNOWN
    if call.has(None, "axes") or call.has(None, "axis"):  # np.matmul's gufunc axes: not modelled
        return unknown_like(a)
    fw = out_fw(a, b)
    return Tensor(matmul_shape(call, a.shape, b.shape, name="matmul", texts=(0, 1), fw=fw), fw, out_dtype(a, b))


@shape_rule("operator.matmul")
def matmul_operator(call: Call) -> Value:
    """``a @ b``: the operands' framework spells the fix (``tf.transpose`` for TF tensors)."""
    a, b = call.tensor(0), call.tensor(1)
    if a is None or b is None:
        return UNKNOWN
    fw = out_fw(a, b)
    return Tensor(matmul_shape(call, a.shape, b.shape, name="@", texts=(0, 1), fw=fw), fw, out_dtype(a, b))


@shape_rule("torch.dot", "torch.Tensor.dot")
def torch_dot(call: Call) -> Value:
    """``torch.dot``: two 1-D tensors only."""
    a, b = call.tensor(0), call.tensor(1, "tensor")
    if a is None or b is None:
        return UNKNOWN
    for t in (a, b):
        require_rank(call, t, (1,), "operand-rank", "torch.dot")
    return Tensor(matmul_shape(call, a.shape, b.shape, name="dot", texts=(0, 1), fw=Framework.TORCH), "torch",
                  out_dtype(a, b))


@shape_rule("numpy.dot", "numpy.ndarray.dot")
def np_dot(call: Call) -> Value:
    """``np.dot``: a product with a scalar, matmul up to 2-D ``b``, and ``dot_nd`` beyond."""
    a, b = call.tensor(0, "a"), call.tensor(1, "b")
    if a is None or b is None:
        # np.dot(a, 2.0): a product with a scalar keeps the array's shape
        t, other = (a, call.get(1, "b")) if a is not None else (b, call.get(0, "a"))
        if t is not None and isinstance(other, (Int, Const)):
            return Tensor(t.shape, "numpy", t.dtype)
        return UNKNOWN
    sa, sb = call.shape(a), call.shape(b)
    if sa.rank == 0 or sb.rank == 0:
        return Tensor(broadcast_shapes(call, [sa, sb]), "numpy", out_dtype(a, b))
    if sa.variadic or sb.variadic:
        if sb.rank is not None and sb.rank <= 2 and len(sa.dims) >= 1:
            return Tensor(matmul_shape(call, sa, sb, name="np.dot", texts=(0, 1), fw=Framework.NUMPY), "numpy")
        return Tensor(Shape.unknown(), "numpy")
    ta, tb = call.text(0), call.text(1)
    if sb.rank is not None and sb.rank > 2:
        speller = matmul_speller(Framework.NUMPY, ta, tb, sa, sb, swapped=f"np.dot({tb}, {ta})")
        return Tensor(dot_nd(sa, sb, call.bindings, name="np.dot", speller=speller), "numpy", out_dtype(a, b))
    return Tensor(matmul_shape(call, sa, sb, name="np.dot", texts=(0, 1), fw=Framework.NUMPY,
                               swapped=f"np.dot({tb}, {ta})"), "numpy", out_dtype(a, b))


@shape_rule("torch.mm", "torch.Tensor.mm")
def mm(call: Call) -> Value:
    a, b = call.tensor(0), call.tensor(1, "mat2")
    if a is None or b is None:
        return UNKNOWN
    for t in (a, b):
        require_rank(call, t, (2,), "operand-rank", "torch.mm")
    return Tensor(matmul_shape(call, a.shape, b.shape, name="mm", texts=(0, 1)), "torch", out_dtype(a, b))


@shape_rule("torch.bmm", "torch.Tensor.bmm")
def bmm(call: Call) -> Value:
    a, b = call.tensor(0), call.tensor(1, "mat2")
    if a is None or b is None:
        return UNKNOWN
    for t in (a, b):
        require_rank(call, t, (3,), "operand-rank", "torch.bmm")
    sa, sb = call.shape(a), call.shape(b)
    if sa.rank == 3 and sb.rank == 3 and call.differ(sa.dims[0], sb.dims[0]):
        raise ShapeError("batch-mismatch", f"bmm of {sa} and {sb}: batch sizes differ, {D.fmt(sa.dims[0])} != "
                                           f"{D.fmt(sb.dims[0])} (bmm does not broadcast){mismatch_note(sa.dims[0], sb.dims[0])}")
    return Tensor(matmul_shape(call, sa, sb, name="bmm", texts=(0, 1)), "torch", out_dtype(a, b))


@shape_rule("torch.mv", "torch.Tensor.mv")
def mv(call: Call) -> Value:
    a, b = call.tensor(0), call.tensor(1, "vec")
    if a is None or b is None:
        return UNKNOWN
    require_rank(call, a, (2,), "operand-rank", "torch.mv (matrix)")
    require_rank(call, b, (1,), "operand-rank", "torch.mv (vector)")
    return Tensor(matmul_shape(call, a.shape, b.shape, name="mv", texts=(0, 1)), "torch", out_dtype(a, b))


@shape_rule("torch.addmm", "torch.Tensor.addmm")
def addmm(call: Call) -> Value:
    c, a, b = call.tensor(0), call.tensor(1, "mat1"), call.tensor(2, "mat2")
    if a is None or b is None:
        return UNKNOWN
    for t in (a, b):
        require_rank(call, t, (2,), "operand-rank", "torch.addmm")
    out = matmul_shape(call, a.shape, b.shape, name="addmm", texts=(1, 2))
    if c is not None:
        broadcast_shapes(call, [c.shape, out], what="addmm input and product")
    return Tensor(out, "torch")


@shape_rule("torch.baddbmm", "torch.Tensor.baddbmm")
def baddbmm(call: Call) -> Value:
    c, a, b = call.tensor(0), call.tensor(1, "batch1"), call.tensor(2, "batch2")
    if a is None or b is None:
        return UNKNOWN
    inner = call.with_args([a, b], {})
    out = bmm(inner)
    if isinstance(out, Tensor) and c is not None:
        broadcast_shapes(call, [c.shape, out.shape], what="baddbmm input and product")
    return out


_ELEMENTWISE = {
    "add": "+", "sub": "-", "mul": "*", "truediv": "/", "floordiv": "//", "mod": "%", "pow": "**",
    "compare": "comparison", "and_": "&", "or_": "|", "xor": "^",
}


def elementwise(call: Call, a: Value, b: Value, what: str) -> Value:
    ta, tb = tensor_of(a), tensor_of(b)
    if ta is None and tb is None:
        return UNKNOWN
    if ta is None or tb is None:
        t = ta or tb
        other = b if ta is not None else a
        if isinstance(other, (Int, Const)):  # a Python scalar keeps the tensor's shape
            return Tensor(t.shape, t.fw, t.dtype)
        return Tensor(Shape.unknown(), t.fw)  # the other side may be a tensor that broadcasts it up
    sa, sb = call.shape(ta), call.shape(tb)
    out = broadcast_shapes(call, [sa, sb], what=f"{what}")
    if is_outer_product(sa, sb) and AXIS_ADDED not in (ta.role, tb.role):
        # a column against a row: the classic slip for a dot product or a residual ((N, 1) - (N,));
        # an explicit x[:, None] * y[None, :] is an outer product on purpose and stays silent
        call.warn("broadcast-outer",
                  f"{what} between {sa} and {sb} broadcasts a column against a row into a {out} matrix; "
                  f"a dot product was most likely meant")
    return Tensor(out, out_fw(ta, tb), out_dtype(ta, tb))


for _op, _sym in _ELEMENTWISE.items():
    def _make(sym: str):
        def rule(call: Call) -> Value:
            return elementwise(call, call.get(0), call.get(1), f"'{sym}'")
        return rule
    shape_rule(f"operator.{_op}")(_make(_sym))


@shape_rule("torch.add", "torch.sub", "torch.subtract", "torch.mul", "torch.multiply", "torch.div", "torch.divide",
            "torch.true_divide", "torch.floor_divide", "torch.remainder", "torch.fmod", "torch.pow",
            "torch.maximum", "torch.minimum", "torch.fmax", "torch.fmin", "torch.atan2", "torch.eq", "torch.ne",
            "torch.lt", "torch.le", "torch.gt", "torch.ge", "torch.logical_and", "torch.logical_or",
            "torch.logical_xor", "torch.hypot", "torch.copysign", "torch.xlogy",
            "torch.Tensor.add", "torch.Tensor.sub", "torch.Tensor.mul", "torch.Tensor.div", "torch.Tensor.pow",
            "torch.Tensor.add_", "torch.Tensor.sub_", "torch.Tensor.mul_", "torch.Tensor.div_",
            "torch.Tensor.maximum", "torch.Tensor.minimum", "torch.Tensor.eq", "torch.Tensor.ne",
            "torch.Tensor.lt", "torch.Tensor.le", "torch.Tensor.gt", "torch.Tensor.ge",
            "torch.Tensor.remainder", "torch.Tensor.fmod", "torch.Tensor.subtract", "torch.Tensor.multiply",
            "torch.Tensor.divide", "torch.Tensor.logical_and", "torch.Tensor.logical_or",
            "numpy.add", "numpy.subtract", "numpy.multiply", "numpy.divide", "numpy.true_divide",
            "numpy.floor_divide", "numpy.power", "numpy.mod", "numpy.remainder", "numpy.maximum", "numpy.minimum",
            "numpy.fmax", "numpy.fmin", "numpy.equal", "numpy.not_equal", "numpy.less", "numpy.less_equal",
            "numpy.greater", "numpy.greater_equal", "numpy.logical_and", "numpy.logical_or", "numpy.logical_xor",
            "numpy.arctan2", "numpy.hypot", "numpy.heaviside")
def binary_fn(call: Call) -> Value:
    name = call.qualname.rsplit(".", 1)[-1]
    return elementwise(call, call.get(0, "input"), call.get(1, "other"), name)


@by_signature("torch.where", "numpy.where")
def where(call: Call, sig: Signature) -> Value:
    if len(call.args) < 3:
        return UNKNOWN
    ts = [tensor_of(v) for v in call.args[:3]]
    if any(t is None and not isinstance(v, (Int, Const)) for t, v in zip(ts, call.args[:3])):
        return unknown_like(next((t for t in ts if t is not None), None))  # an operand of unknown shape
    shapes = [t.shape for t in ts if t is not None]
    if len(shapes) < 2:
        t = next((t for t in ts if t is not None), None)
        return UNKNOWN if t is None else Tensor(t.shape, t.fw)
    return Tensor(broadcast_shapes(call, shapes, what="where"), sig.fw.value)


@shape_rule("torch.Tensor.masked_fill", "torch.Tensor.masked_fill_", "torch.masked_fill")
def masked_fill(call: Call) -> Value:
    t, m = call.tensor(0), call.tensor(1, "mask")
    if t is None:
        return UNKNOWN
    if m is not None:
        out = broadcast_shapes(call, [t.shape, m.shape], what="masked_fill mask")
        if out.rank is not None and t.shape.rank is not None and out.rank > t.shape.rank:
            return Tensor(out, t.fw, t.dtype)
    return Tensor(t.shape, t.fw, t.dtype)


# Shape-preserving functions and methods (activations, casts, elementwise math).
_SAME = """abs absolute exp log log2 log10 log1p expm1 sqrt rsqrt square sin cos tan tanh sinh cosh arcsin arccos
arctan asin acos atan sigmoid relu relu_ gelu silu elu selu celu leaky_relu softplus softsign hardtanh hardswish
hardsigmoid mish relu6 logsigmoid tanhshrink softshrink hardshrink threshold neg negative sign signbit floor ceil
round trunc frac reciprocal clamp clip clamp_ clamp_min clamp_max nan_to_num isnan isinf isfinite logical_not
bitwise_not erf erfc erfinv lgamma digamma exp2 float double half int long bool byte char short bfloat16 to cpu
cuda detach detach_ contiguous clone requires_grad_ type_as astype copy fill_ zero_ normal_ uniform_ fill
exponential_ bernoulli_ random_ cauchy_ log_normal_ geometric_ sigmoid_ tanh_ abs_ exp_ sqrt_ pin_memory
numpy ravel_like real conj positive dropout dropout_ alpha_dropout feature_alpha_dropout fliplr flipud
nan_to_num_ deg2rad rad2deg cumsum_like sinc logit tril triu tril_ triu_""".split()


def same_shape(call: Call) -> Value:
    t = call.tensor(0, "input")
    if t is None:
        return UNKNOWN
    fw = t.fw
    if call.qualname.endswith(".numpy"):
        fw = "numpy"
    dtype = t.dtype
    last = call.qualname.rsplit(".", 1)[-1]
    if last in ("float", "double", "half", "bfloat16"):
        dtype = "float"
    elif last in ("int", "long", "short", "byte", "char"):
        dtype = "int"
    elif last in ("bool", "isnan", "isinf", "isfinite", "logical_not", "signbit"):
        dtype = "bool"
    return Tensor(t.shape, fw, dtype)


for _name in _SAME:
    for _ns in ("torch", "torch.Tensor", "numpy", "numpy.ndarray", "torch.nn.functional", "torch.special"):
        shape_rule(f"{_ns}.{_name}")(same_shape)


@shape_rule("torch.Tensor.copy_")
def copy_(call: Call) -> Value:
    """``dest.copy_(src)``: src must broadcast to dest; into a layer's weight, SHP601 names the layout."""
    from .common import check_weight_assignment

    dest, src = call.tensor(0), call.tensor(1, "src")
    if dest is None:
        return UNKNOWN
    if src is not None:
        if dest.role:
            try:
                broadcast_shapes(call, [dest.shape, src.shape], what="copy_")
            except ShapeError:
                check_weight_assignment(call, dest.role, dest.shape, src.shape, "copying")
                raise
        else:
            out = broadcast_shapes(call, [dest.shape, src.shape], what="copy_")
            if out.rank is not None and dest.shape.rank is not None and out.rank > dest.shape.rank:
                raise ShapeError("broadcast-mismatch", f"copy_ of a {src.shape} tensor into {dest.shape}: the source "
                                                       f"has more dims than the destination")
    return dest


@shape_rule("collections.OrderedDict", "builtins.dict")
def ordered_dict(call: Call) -> Value:
    """``OrderedDict([("fc1", layer), ...])`` / ``dict(a=1)``: a dict with known string keys."""
    from ..values import Dict

    items: dict = {}
    if call.args:
        pairs = call.args[0]
        if isinstance(pairs, Dict):
            items.update(pairs.items)
        elif isinstance(pairs, Seq) and all(isinstance(p, Seq) and len(p.items) == 2 for p in pairs.items):
            for p in pairs.items:
                k = p.items[0]
                if not (isinstance(k, Const) and isinstance(k.value, str)):
                    return UNKNOWN
                items[k.value] = p.items[1]
        else:
            return UNKNOWN
    items.update(call.kwargs)
    return Dict(items)


@by_signature("numpy.linalg.multi_dot", "torch.linalg.multi_dot")
def multi_dot(call: Call, sig: Signature) -> Value:
    """A chain of products; the first and last operands may be 1-D (vectors)."""
    seq = call.get(0, sig.arg("tensors", "arrays"))
    if not isinstance(seq, Seq) or len(seq.items) < 2:
        return UNKNOWN
    ts = [tensor_of(v) for v in seq.items]
    if any(t is None for t in ts):
        return UNKNOWN
    fw = sig.fw.value
    cur = ts[0].shape  # type: ignore[union-attr]
    for t in ts[1:]:
        cur = matmul_shape(call, cur, t.shape, name="multi_dot")  # type: ignore[union-attr]
    return Tensor(cur, fw)


@shape_rule("math.sqrt", "math.log", "math.log2", "math.log10", "math.exp", "math.pow", "math.ceil", "math.floor",
            "math.gcd", "math.isqrt")
def math_fn(call: Call) -> Value:
    """Python math on numbers: a number where the arguments are known (sizes stay exact for ceil/floor)."""
    import math

    name = call.qualname.rsplit(".", 1)[-1]
    vals = []
    for v in call.args:
        if isinstance(v, Int) and D.as_int(v.dim) is not None:
            vals.append(D.as_int(v.dim))
        elif isinstance(v, Const) and isinstance(v.value, (int, float)) and not isinstance(v.value, bool):
            vals.append(v.value)
        else:
            if name in ("ceil", "floor") and len(call.args) == 1 and isinstance(v, Int):
                return v
            return UNKNOWN
    try:
        r = getattr(math, name)(*vals)
    except (ValueError, TypeError, OverflowError):
        return UNKNOWN
    return Int(r) if isinstance(r, int) and not isinstance(r, bool) else Const(r)


@shape_rule("torch.Tensor.type", "torch.Tensor.to_dtype")
def tensor_type(call: Call) -> Value:
    """``x.type(torch.float16)`` keeps the shape; ``x.type()`` is a string."""
    t = call.tensor(0)
    if t is None or not (call.has(1, "dtype")):
        return UNKNOWN
    return Tensor(t.shape, t.fw, _dtype_kind(call.with_args([t], {"dtype": call.get(1, "dtype")}), t.dtype or "float"))


@by_signature("numpy.linspace", "numpy.logspace", "numpy.geomspace", "torch.linspace", "torch.logspace")
def linspace(call: Call, sig: Signature) -> Value:
    """``linspace(start, stop, num=50)`` -> ``(num,)`` (torch's ``steps`` has no default)."""
    fw = sig.fw.value
    default = 50 if fw == "numpy" else None
    n = call.dim(2, "num" if fw == "numpy" else "steps", default) if call.has(2, "num" if fw == "numpy" else "steps") \
        else default
    if n is None:
        return UNKNOWN
    return Tensor(Shape((n,)), fw, "float")


@shape_rule("numpy.random.default_rng", "numpy.random.Generator", "numpy.random.RandomState")
def default_rng(call: Call) -> Value:
    """A random generator: its draws (``rng.normal(size=...)``) are rules of ``numpy.random.Generator``."""
    from ..values import Ext

    return Ext("numpy.random.Generator")


# ---------------------------------------------------------------------------------- values (constant folding)
# The numbers inside a small 1-D tensor whose every element is known (``torch.arange(d) * w_a + w_0``,
# ``torch.round(torch.log(x) / c)``, ``.int().tolist()``): sizes computed that way (torchvision's
# RegNet widths) come out exact. torch's float32 arithmetic is reproduced bit for bit (a Python float
# rounded to float32 after each + - * /: exact, the inputs being float32); ``log`` and ``pow`` may
# differ from a library in the last bits, so their results carry an error bound, and rounding such
# a value is only known away from its boundaries. Anything else: no values (never a guess).
import math as _math
import struct as _struct


from ..values import FOLDING, MAX_VALUES, PURE_RULES, Vals  # noqa: E402
from .registry import FUNCS  # noqa: E402

_INT_LIMIT = 2 ** 53  # ints stay below this (float conversions exact, no int64 wrap-around)
_REL = {"f32": 2.0 ** -20, "f64": 2.0 ** -48}  # a generous bound on last-bit differences, relative
_TINY = {"f32": 2.0 ** -140, "f64": 2.0 ** -1060}  # and absolute (denormals)


def _f32(x: float) -> Optional[float]:
    """``x`` rounded to float32 (to nearest, ties to even, like a C cast), None if not finite."""
    if not _math.isfinite(x):
        return None
    try:
        return _struct.unpack("f", _struct.pack("f", x))[0]
    except (OverflowError, _struct.error):
        return None


def _fit(x: object, kind: str) -> Optional[object]:
    """A Python number as an element of ``kind`` (a float32 rounded), None if it does not fit."""
    if isinstance(x, bool):
        return None
    if kind == "int":
        return x if isinstance(x, int) and abs(x) <= _INT_LIMIT else None
    if not isinstance(x, (int, float)) or (isinstance(x, int) and abs(x) > _INT_LIMIT):
        return None
    x = float(x)
    if kind == "f32":
        return _f32(x)
    return x if kind == "f64" and _math.isfinite(x) else None


def _bound(r: float, prop: float, kind: str, approx: bool) -> float:
    """The error bound of a result ``r``: what the inputs' bounds propagate, plus a last bit."""
    if prop == 0 and not approx:
        return 0.0
    return prop * (1 + 2.0 ** -20) + abs(r) * _REL[kind] + _TINY[kind]


def values_of(v: Value) -> Optional[Vals]:
    return v.values if isinstance(v, Tensor) else None


def with_values(out: Value, items: list, kind: str, errs: Optional[list] = None) -> Optional[Tensor]:
    """``out`` (a rule's 1-D result) carrying ``items``, if its length agrees; else None."""
    if not isinstance(out, Tensor) or out.shape.variadic or out.shape.rank != 1 or len(items) > MAX_VALUES:
        return None
    if D.as_int(out.shape.dims[0]) != len(items) or any(x is None for x in items):
        return None
    if kind in ("f32", "f64") and not FOLDING["torch_float"] and out.fw == "torch":
        return None
    err = tuple(errs) if errs is not None and any(errs) else None
    return Tensor(out.shape, out.fw, out.dtype, out.role, Vals(tuple(items), kind, err))


def _scalar(v: Value) -> Optional[tuple]:
    """A Python number operand: (kind, value); ``pyint`` or ``pyfloat``."""
    if isinstance(v, Int):
        n = D.as_int(v.dim)
        return None if n is None else ("pyint", n)
    if isinstance(v, Const) and not isinstance(v.value, bool) and isinstance(v.value, (int, float)):
        return ("pyint" if isinstance(v.value, int) else "pyfloat", v.value)
    return None


def _operands(call: Call, a: Value, b: Value) -> Optional[tuple]:
    """Both operands of a binary op as (kind, items, errs, fw); a scalar repeats to the tensor's length."""
    va, vb = values_of(a), values_of(b)
    if va is None and vb is None:
        return None
    fws = {t.fw for t in (a, b) if isinstance(t, Tensor)}
    if len(fws) != 1 or fws & {"any", "tf"}:
        return None
    n = len((va or vb).items)  # type: ignore[union-attr]
    out = []
    for v, vals in ((a, va), (b, vb)):
        if vals is not None:
            if len(vals.items) != n or vals.kind == "bool":
                return None
            out.append((vals.kind, vals.items, vals.err or (0.0,) * n))
            continue
        s = _scalar(v)
        if s is None:
            return None
        out.append((s[0], (s[1],) * n, (0.0,) * n))
    return out[0], out[1], fws.pop()


def _result_kind(fw: str, ka: str, kb: str, op: str) -> Optional[str]:
    """torch's / NumPy's result dtype for a tensor with a Python number or another tensor."""
    fl = "f32" if fw == "torch" else "f64"
    tensors = {k for k in (ka, kb) if k in ("int", "f32", "f64")}
    if "f64" in tensors:
        kind = "f64"
    elif "f32" in tensors:
        kind = "f32"
    else:
        kind = fl if "pyfloat" in (ka, kb) else "int"
    return fl if kind == "int" and op == "truediv" else kind


def _binary(op: str, kind: str, a: object, ea: float, b: object, eb: float) -> Optional[tuple]:
    """One element of ``a op b`` in ``kind``'s arithmetic, with its error bound."""
    if kind == "int":
        if not isinstance(a, int) or not isinstance(b, int):
            return None
        if op in ("floordiv", "mod") and b == 0:
            return None
        if op == "pow" and (b < 0 or b > 64):
            return None
        r = {"add": lambda: a + b, "sub": lambda: a - b, "mul": lambda: a * b, "floordiv": lambda: a // b,
             "mod": lambda: a % b, "pow": lambda: a ** b}.get(op)
        got = _fit(r(), "int") if r is not None else None
        return None if got is None else (got, 0.0)
    x, y = _fit(a, kind), _fit(b, kind)
    if x is None or y is None:
        return None
    approx = False
    if op == "add":
        r, prop = x + y, ea + eb
    elif op == "sub":
        r, prop = x - y, ea + eb
    elif op == "mul":
        r, prop = x * y, abs(x) * eb + abs(y) * ea + ea * eb
    elif op == "truediv":
        if abs(y) <= eb or y == 0:
            return None
        r, prop = x / y, (abs(x) * eb + abs(y) * ea) / (abs(y) * (abs(y) - eb))
    elif op == "pow":  # a positive base: monotone in both arguments, the corners bound it
        if x - ea <= 0:
            return None
        if ea == eb == 0 and float(y).is_integer() and 0 <= y <= 64:
            # a library pow is within one last bit, so a result float32/64 holds exactly comes out exactly
            from fractions import Fraction

            q = Fraction(x) ** int(y)
            if q.denominator.bit_length() < 1100 and _fit(float(q), kind) == q:
                return float(q), 0.0
        try:
            r = x ** y
            corners = [(x + sa * ea) ** (y + sb * eb) for sa in (-1, 1) for sb in (-1, 1)]
        except (OverflowError, ZeroDivisionError):
            return None
        prop, approx = max(abs(c - r) for c in corners), True
    else:
        return None
    got = _fit(r, kind)
    if got is None or not _math.isfinite(prop):
        return None
    return got, _bound(got, prop, kind, approx)  # type: ignore[arg-type]


def fold_binary(call: Call, out: Value, a: Value, b: Value, op: str) -> Optional[Value]:
    ops = _operands(call, a, b)
    if ops is None:
        return None
    (ka, xa, ea), (kb, xb, eb), fw = ops
    kind = _result_kind(fw, ka, kb, op)
    if kind is None:
        return None
    items, errs = [], []
    for x, ex, y, ey in zip(xa, ea, xb, eb):
        got = _binary(op, kind, x, ex, y, ey)
        if got is None:
            return None
        items.append(got[0])
        errs.append(got[1])
    return with_values(out, items, kind, errs)


def _round_half_even(x: float, e: float) -> Optional[float]:
    """``torch.round`` / ``np.round`` of a value known to within ``e``."""
    if e:
        h = _math.floor(x) + 0.5  # the only rounding boundary within 0.5 of x
        if e >= 0.25 or abs(x - h) <= e:
            return None
    return _math.copysign(float(round(x)), x)  # round(-0.4) is -0.0


def _trunc(x: float, e: float) -> Optional[int]:
    """A float cast to an integer dtype (towards zero), for a value known to within ``e``."""
    if e:
        k = round(x)
        if e >= 0.25 or abs(x - k) <= e:
            return None
    return _math.trunc(x)


def fold_unary(call: Call, out: Value, t: Value, name: str) -> Optional[Value]:
    """log, sqrt, round, neg/abs and the dtype casts of a tensor with values."""
    vals = values_of(t)
    if vals is None or vals.kind == "bool" or not isinstance(t, Tensor):
        return None
    errs = vals.err or (0.0,) * len(vals.items)
    fl = "f32" if t.fw == "torch" else "f64"
    if name in ("int", "long"):
        if vals.kind == "int":
            lim = 2 ** 31 if name == "int" else _INT_LIMIT
            return t if all(abs(x) < lim for x in vals.items) else None  # a no-op cast may be the tensor itself
        ints = [_trunc(x, e) for x, e in zip(vals.items, errs)]
        if any(i is None for i in ints) or (name == "int" and any(abs(i) >= 2 ** 31 for i in ints)):  # type: ignore[arg-type]
            return None
        return with_values(out, ints, "int")
    if name in ("float", "double"):
        want = "f32" if name == "float" else "f64"
        if vals.kind == want:
            return t
        items = [_fit(x, want) for x in vals.items]
        return with_values(out, items, want, [_bound(r or 0.0, e, want, False) if e else 0.0
                                             for r, e in zip(items, errs)])
    kind = fl if vals.kind == "int" and name in ("log", "sqrt") else vals.kind
    items, new = [], []
    for x, e in zip(vals.items, errs):
        if name == "round":
            r = x if vals.kind == "int" else _round_half_even(x, e)
            ne = 0.0
        elif name in ("neg", "negative"):
            r, ne = -x, e
        elif name in ("abs", "absolute"):
            r, ne = abs(x), e
        elif name == "log":
            x = _fit(x, kind)
            if x is None or x - e <= 0:
                return None
            r = _math.log(x)
            ne = _bound(r, e / (x - e), kind, True)
        elif name == "sqrt":  # correctly rounded (IEEE): exact where the input is
            x = _fit(x, kind)
            if x is None or x - e < 0:
                return None
            r = _math.sqrt(x)
            ne = _bound(r, _math.sqrt(x + e) - _math.sqrt(x - e) if e else 0.0, kind, False)
        else:
            return None
        r = _fit(r, kind) if r is not None else None
        if r is None:
            return None
        items.append(r)
        new.append(ne)
    return with_values(out, items, kind, new)


def fold_tolist(t: Value) -> Optional[Value]:
    """``.tolist()``: sizes (Int) for ints, floats and bools as constants; a value known only
    approximately is unknown."""
    vals = values_of(t)
    if vals is None:
        return None
    errs = vals.err or (0.0,) * len(vals.items)
    out: list = []
    for x, e in zip(vals.items, errs):
        if e:
            out.append(UNKNOWN)
        elif vals.kind == "int":
            out.append(Int(x))
        else:
            out.append(Const(bool(x) if vals.kind == "bool" else float(x)))
    return Seq(out, "list")


def _dtype_name(call: Call) -> Optional[str]:
    """The last part of a ``dtype=`` keyword (``float32``, ``int64``), "" if absent, None if not known."""
    if not call.has(None, "dtype"):
        return ""
    dt = call.get(None, "dtype")
    if isinstance(dt, Const) and isinstance(dt.value, str):
        return dt.value
    q = getattr(dt, "qualname", None)
    return q.rsplit(".", 1)[-1] if isinstance(q, str) else None


_DTYPES = {"float32": "f32", "float": "f32?", "float64": "f64", "double": "f64", "int64": "int", "long": "int",
           "int32": "int32", "int": "int?", "bool": "bool"}


def _literal_kind(call: Call, items: list, fw: str) -> Optional[str]:
    """The element kind of ``torch.tensor([...])`` / ``np.array([...])`` of Python numbers."""
    name = _dtype_name(call)
    if name is None:
        return None
    if any(isinstance(x, bool) for x in items):
        if not all(isinstance(x, bool) for x in items) or name not in ("", "bool"):
            return None
        return "bool"
    floats = any(isinstance(x, float) for x in items)
    if name == "":
        return ("f32" if fw == "torch" else "f64") if floats else "int"
    kind = _DTYPES.get(name)
    if kind == "f32?":  # torch.float is float32; NumPy's dtype=float is float64
        kind = "f32" if fw == "torch" else "f64"
    elif kind == "int?":  # torch.int is int32; NumPy's dtype=int is int64
        kind = "int32" if fw == "torch" else "int"
    if kind is None or kind == "bool" or (kind == "f32" and fw != "torch"):
        return None
    if kind in ("int", "int32"):
        if floats or (kind == "int32" and any(abs(x) >= 2 ** 31 for x in items)):
            return None
        return "int"
    return kind


def fold_literal(call: Call, out: Value, data: Value) -> Optional[Value]:
    if not isinstance(data, Seq) or data.kind == "set" or not isinstance(out, Tensor):
        return None
    nums = []
    for x in data.items:
        if isinstance(x, Const) and isinstance(x.value, bool):
            nums.append(x.value)
            continue
        s = _scalar(x)
        if s is None:
            return None
        nums.append(s[1])
    kind = _literal_kind(call, nums, out.fw)
    if kind is None:
        return None
    return with_values(out, [x if kind == "bool" else _fit(x, kind) for x in nums], kind)


def fold_arange(call: Call, out: Value) -> Optional[Value]:
    if len(call.args) > 3 or set(call.kwargs) - {"dtype"}:
        return None
    if call.has(None, "dtype") and _DTYPES.get(_dtype_name(call) or "?") != "int":
        return None
    ints = []
    for v in call.args:
        s = _scalar(v)
        if s is None or s[0] != "pyint":
            return None
        ints.append(s[1])
    if not ints or (len(ints) == 3 and ints[2] == 0):
        return None
    r = range(*ints)
    if len(r) > MAX_VALUES:
        return None
    return with_values(out, list(r), "int")


def fold_np_linspace(call: Call, out: Value) -> Optional[Value]:
    """NumPy's own algorithm in float64: ``start + i * step``, the last element ``stop`` exactly."""
    if set(call.kwargs) - {"num", "endpoint"} or len(call.args) > 4:
        return None
    s0, s1 = _scalar(call.get(0, "start")), _scalar(call.get(1, "stop"))
    n = call.int(2, "num", 50) if call.has(2, "num") else 50
    endpoint = call.bool(3, "endpoint", True) if call.has(3, "endpoint") else True
    if s0 is None or s1 is None or n is None or endpoint is None or not 0 <= n <= MAX_VALUES:
        return None
    start, stop = float(s0[1]), float(s1[1])
    div = n - 1 if endpoint else n
    delta = stop - start
    if div > 0:
        step = delta / div
        ys = [i / div * delta if step == 0 else i * step for i in map(float, range(n))]
    else:
        ys = [i * delta for i in map(float, range(n))]
    ys = [y + start for y in ys]
    if endpoint and n > 1:
        ys[-1] = stop
    if not all(_math.isfinite(y) for y in ys):
        return None
    return with_values(out, ys, "f64")


def fold_diff(call: Call, out: Value) -> Optional[Value]:
    t = call.get(0)
    vals = values_of(t)
    if vals is None or vals.kind == "bool" or call.kwargs or len(call.args) > 1:
        return None
    errs = vals.err or (0.0,) * len(vals.items)
    items, new = [], []
    for i in range(len(vals.items) - 1):
        got = _binary("sub", vals.kind, vals.items[i + 1], errs[i + 1], vals.items[i], errs[i])
        if got is None:
            return None
        items.append(got[0])
        new.append(got[1])
    return with_values(out, items, vals.kind, new)


@shape_rule("torch.diff", "torch.Tensor.diff", "numpy.diff")
def diff(call: Call) -> Value:
    """``diff(x, n=1, dim=-1)``: that axis ``n`` shorter (``prepend``/``append`` not modelled)."""
    t = call.tensor(0)
    if t is None:
        return UNKNOWN
    if set(call.kwargs) - {"n", "dim", "axis"} or len(call.args) > 3:
        return unknown_like(t)
    n = call.int(1, "n", 1)
    d = call.int(2, "axis" if t.fw == "numpy" else "dim", -1)
    s = call.shape(t)
    if n is None or d is None or n < 0 or s.variadic:
        return unknown_like(t)
    if not s.dims:
        raise ShapeError("axis-out-of-range", "diff of a 0-D tensor: it needs at least one dimension")
    k = axis_of(call, d, len(s.dims), f"diff along dim {d} of {s}")
    size = D.as_int(s.dims[k])
    new = max(size - n, 0) if size is not None else D.sub(s.dims[k], n)
    if size is None and n:
        return unknown_like(t)  # the size may be smaller than n (then 0)
    dims = list(s.dims)
    dims[k] = new
    return Tensor(Shape(tuple(dims)), t.fw, t.dtype)


@shape_rule("builtins.set", "builtins.frozenset")
def builtin_set(call: Call) -> Value:
    """A set of known numbers and strings: only its size and members are used (``len(set(widths))``);
    it is never iterated in an order."""
    if not call.args:
        return Seq([], "set")
    s = call.get(0)
    if not isinstance(s, Seq) or s.kind == "set":
        return UNKNOWN
    seen: dict = {}
    for x in s.items:
        key = D.as_int(x.dim) if isinstance(x, Int) else (x.value if isinstance(x, Const) else None)
        if key is None or not isinstance(key, (int, float, str, bool)):
            return UNKNOWN
        seen.setdefault(key, x)  # 1 == 1.0 == True: one member, as in Python
    return Seq(list(seen.values()), "set")


def _fold_rule(names: tuple, folder) -> None:
    """Wrap the shape rules of ``names`` so a result whose operands carry values carries its own."""
    for n in names:
        base = FUNCS.get(n)
        if base is None:
            continue

        def rule(call: Call, base=base, n=n) -> Value:
            out = base(call)
            if "out" in call.kwargs or not isinstance(out, (Tensor, Seq)):
                return out
            got = folder(call, out, n)
            return out if got is None else got
        FUNCS[n] = rule
        PURE_RULES.add(rule)


_BIN_NAMES = {
    "add": ("operator.add", "torch.add", "torch.Tensor.add", "numpy.add"),
    "sub": ("operator.sub", "torch.sub", "torch.subtract", "torch.Tensor.sub", "torch.Tensor.subtract",
            "numpy.subtract"),
    "mul": ("operator.mul", "torch.mul", "torch.multiply", "torch.Tensor.mul", "torch.Tensor.multiply",
            "numpy.multiply"),
    "truediv": ("operator.truediv", "torch.div", "torch.divide", "torch.true_divide", "torch.Tensor.div",
                "torch.Tensor.divide", "numpy.divide", "numpy.true_divide"),
    "floordiv": ("operator.floordiv", "numpy.floor_divide"),
    "mod": ("operator.mod",),
    "pow": ("operator.pow", "torch.pow", "torch.Tensor.pow", "numpy.power"),
}
for _op, _names in _BIN_NAMES.items():
    _fold_rule(_names, lambda call, out, n, op=_op: None if call.kwargs or len(call.args) != 2 else
               fold_binary(call, out, call.args[0], call.args[1], op))

for _un in ("log", "sqrt", "round", "neg", "negative", "abs", "absolute"):
    _fold_rule(tuple(f"{ns}.{_un}" for ns in ("torch", "torch.Tensor", "numpy")),
               lambda call, out, n, name=_un: None if call.kwargs or len(call.args) != 1 else
               fold_unary(call, out, call.args[0], name))
for _cast in ("int", "long", "float", "double"):
    _fold_rule((f"torch.Tensor.{_cast}",), lambda call, out, n, name=_cast: None if call.kwargs or len(call.args) != 1
               else fold_unary(call, out, call.args[0], name))
_fold_rule(("torch.Tensor.tolist", "numpy.ndarray.tolist"),
           lambda call, out, n: None if call.kwargs or len(call.args) != 1 else fold_tolist(call.args[0]))
_fold_rule(("torch.tensor", "numpy.array"), lambda call, out, n: None if set(call.kwargs) - {"dtype"} or len(
    call.args) != 1 else fold_literal(call, out, call.args[0]))
_fold_rule(("torch.arange", "numpy.arange"), lambda call, out, n: fold_arange(call, out))
_fold_rule(("numpy.linspace",), lambda call, out, n: fold_np_linspace(call, out))
_fold_rule(("torch.diff", "torch.Tensor.diff", "numpy.diff"), lambda call, out, n: fold_diff(call, out))
