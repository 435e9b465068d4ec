"""Python operators and elementwise functions of PyTorch and NumPy: ``@``/``matmul``/``dot``/``mm``/``bmm``,
broadcasting arithmetic and comparisons, ``where``, same-shape functions (``abs``, ``exp``, ``clone``, ...)."""
from __future__ import annotations

import re
from typing import Optional

from ... import dims as D
from ...findings import ShapeError
from ...framework import Framework
from ...shape_math.matmul import dot_nd
from ...shape_math.require import mismatch_note, require_equal
from ...shapes import Shape
from ...values import UNKNOWN, Const, Int, Number, Seq, Tensor, Value, tensor_of
from ..common import (
    AXIS_ADDED,
    broadcast_shapes,
    decided,
    is_outer_product,
    matmul_shape,
    matmul_speller,
    noting,
    out_dtype,
    out_fw,
    require_rank,
    unknown_like,
)
from ..registry import Call, Signature, by_signature, shape_rule
from .constructors import _dtype_kind

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
    keys = (call.key(0, "input"), call.key(1, "other"))
    return Tensor(matmul_shape(call, a.shape, b.shape, name="matmul", texts=keys, fw=fw), fw, out_dtype(a, b))


@shape_rule("operator.matmul")
def matmul_operator(call: Call) -> Value:
    """``a @ b``: the operands' framework spells the fix (``tf.transpose`` for TF tensors)."""
    a, b = call.tensor(0), call.tensor(1)
    if a is None and b is not None and call.get(0) is UNKNOWN and len(b.shape.dims) >= 2:
        # ``attn @ v`` with attn unseen: whatever it is, the product ends with v's last size
        return Tensor(Shape((b.shape.dims[-1],), True), b.fw, b.dtype)
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
    keys = (0, call.key(1, "tensor"))
    return Tensor(matmul_shape(call, a.shape, b.shape, name="dot", texts=keys, fw=Framework.TORCH), "torch",
                  out_dtype(a, b))


@shape_rule("numpy.dot", "numpy.ndarray.dot")
def np_dot(call: Call) -> Value:
    """``np.dot``: a product with a scalar, matmul up to 2-D ``b``, and ``dot_nd`` beyond."""
    return dot_rule(call, "numpy", "np.dot", ("a", "b"))


def dot_rule(call: Call, fw: str, name: str, keys: tuple) -> Value:
    """NumPy's ``dot`` (``np.dot``, ``keras.ops.dot``): a product with a scalar, matmul up to 2-D
    ``b``, and ``dot_nd`` beyond; the result is of framework ``fw``."""
    a, b = call.tensor(0, keys[0]), call.tensor(1, keys[1])
    framework = Framework.KERAS if fw == "keras" else Framework.NUMPY
    if a is None or b is None:
        # np.dot(a, 2.0): a product with a scalar keeps the array's shape
        t, other = (a, call.get(1, keys[1])) if a is not None else (b, call.get(0, keys[0]))
        if t is not None and isinstance(other, (Int, Const)):
            return Tensor(t.shape, fw, t.dtype)
        return UNKNOWN
    sa, sb = call.shape(a), call.shape(b)
    keys = (call.key(0, keys[0]), call.key(1, keys[1]))  # (the arguments' keys as given: for the fix texts)
    if sa.rank == 0 or sb.rank == 0:
        return Tensor(broadcast_shapes(call, [sa, sb]), fw, out_dtype(a, b))
    if sa.variadic or sb.variadic:
        if sb.rank is not None and sb.rank <= 2 and len(sa.dims) >= 1:
            return Tensor(matmul_shape(call, sa, sb, name=name, texts=keys, fw=framework), fw)
        return Tensor(Shape.unknown(), fw)
    ta, tb = call.text(keys[0]), call.text(keys[1])
    if sb.rank is not None and sb.rank > 2:
        speller = matmul_speller(call, framework, keys, sa, sb, swapped=f"{name}({tb}, {ta})")
        out = noting(call, lambda: dot_nd(sa, sb, call.bindings, name=name, speller=speller),
                     decided(dims=[sa.dims[-1], sb.dims[-2]]))
        return Tensor(out, fw, out_dtype(a, b))
    return Tensor(matmul_shape(call, sa, sb, name=name, texts=keys, fw=framework,
                               swapped=f"{name}({tb}, {ta})"), fw, out_dtype(a, b))


@shape_rule("torch.mm", "torch.Tensor.mm")
def mm(call: Call) -> Value:
    a, b = call.tensor(0), call.tensor(1, "mat2")
    if a is None or b is None:
        return UNKNOWN
    for t in (a, b):
        require_rank(call, t, (2,), "operand-rank", "torch.mm")
    keys = (0, call.key(1, "mat2"))
    return Tensor(matmul_shape(call, a.shape, b.shape, name="mm", texts=keys), "torch", out_dtype(a, b))


@shape_rule("torch.bmm", "torch.Tensor.bmm")
def bmm(call: Call) -> Value:
    a, b = call.tensor(0), call.tensor(1, "mat2")
    if a is None or b is None:
        return UNKNOWN
    for t in (a, b):
        require_rank(call, t, (3,), "operand-rank", "torch.bmm")
    sa, sb = call.shape(a), call.shape(b)
    if sa.rank == 3 and sb.rank == 3:
        ba, bb = sa.dims[0], sb.dims[0]
        require_equal(ba, bb, call.bindings, "batch-mismatch", lambda: (
            f"bmm of {sa} and {sb}: batch sizes differ, {D.fmt(ba)} != {D.fmt(bb)} (bmm does not broadcast)"
            f"{mismatch_note(ba, bb)}"))
    return Tensor(matmul_shape(call, sa, sb, name="bmm", texts=(0, call.key(1, "mat2"))), "torch", out_dtype(a, b))


@shape_rule("torch.mv", "torch.Tensor.mv")
def mv(call: Call) -> Value:
    a, b = call.tensor(0), call.tensor(1, "vec")
    if a is None or b is None:
        return UNKNOWN
    require_rank(call, a, (2,), "operand-rank", "torch.mv (matrix)")
    require_rank(call, b, (1,), "operand-rank", "torch.mv (vector)")
    keys = (0, call.key(1, "vec"))
    return Tensor(matmul_shape(call, a.shape, b.shape, name="mv", texts=keys), "torch", out_dtype(a, b))


@shape_rule("torch.addmm", "torch.Tensor.addmm")
def addmm(call: Call) -> Value:
    c, a, b = call.tensor(0), call.tensor(1, "mat1"), call.tensor(2, "mat2")
    if a is None or b is None:
        return UNKNOWN
    for t in (a, b):
        require_rank(call, t, (2,), "operand-rank", "torch.addmm")
    out = matmul_shape(call, a.shape, b.shape, name="addmm", texts=(call.key(1, "mat1"), call.key(2, "mat2")))
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
        t = ta if ta is not None else tb
        if t is None:  # (both None returned above; this tells the type checker)
            return UNKNOWN
        other = b if ta is not None else a
        if isinstance(other, (Int, Const, Number)):  # a Python scalar keeps the tensor's shape
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
    elif last in ("astype", "to", "type_as"):
        dtype = _cast_kind(call, last, dtype)
    return Tensor(t.shape, fw, dtype)


def _dtype_name_kind(v: Value) -> Optional[str]:
    """``float``, ``int`` or ``bool`` for a value naming a dtype (``"float32"``, ``np.uint8``,
    ``torch.long``, ``float``); None where it names none the checker knows."""
    name = v.value if isinstance(v, Const) and isinstance(v.value, str) else getattr(v, "qualname", None)
    if not isinstance(name, str):
        return None
    name = name.rsplit(".", 1)[-1]
    if name in ("bool", "bool_", "bool8"):
        return "bool"
    if name in ("int", "long", "short", "intc", "intp", "uint", "byte") or re.fullmatch(r"u?int(8|16|32|64)", name):
        return "int"
    if name in ("float", "double", "half", "bfloat16", "single", "longdouble") or re.fullmatch(r"float(16|32|64)",
                                                                                                name):
        return "float"
    return None


def _cast_kind(call: Call, last: str, kept: Optional[str]) -> Optional[str]:
    """The dtype kind after a cast: the one its argument names (``astype("float32")``,
    ``.to(torch.long)``, ``type_as(y)``, ``.to(y)``); ``.to`` of a device string keeps the
    receiver's; anything the checker cannot read (``.to(device)`` of a variable) leaves it unknown."""
    if last == "type_as":
        other = call.tensor(1, "other")
        return other.dtype if other is not None else None
    if last == "astype":
        return _dtype_name_kind(call.get(1, "dtype"))
    given = list(call.args[1:]) + [call.kwargs[k] for k in ("dtype", "other") if k in call.kwargs]
    kind = kept
    for v in given:
        if isinstance(v, Tensor):
            kind = v.dtype
        elif isinstance(v, Const) and isinstance(v.value, (str, bool)) and _dtype_name_kind(v) is None:
            continue  # a device ("cuda"), or non_blocking/copy flags
        else:
            kind = _dtype_name_kind(v)
            if kind is None:
                return None
    return kind


for _name in _SAME:
    for _ns in ("torch", "torch.Tensor", "numpy", "numpy.ndarray", "torch.nn.functional", "torch.special"):
        shape_rule(f"{_ns}.{_name}")(same_shape)


@shape_rule("torch.Tensor.copy_")
def copy_(call: Call) -> Value:
    """``dest.copy_(src)``: src must broadcast to dest; into a layer's weight, SHP601 names the layout."""
    from ..common import check_weight_assignment

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
    from ...values import Dict

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
    vals: list[float] = []  # ints stay ints (a float list accepts them)
    for v in call.args:
        iv = D.as_int(v.dim) if isinstance(v, Int) else None
        if iv is not None:
            vals.append(iv)
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
    from ...values import Ext

    return Ext("numpy.random.Generator")
