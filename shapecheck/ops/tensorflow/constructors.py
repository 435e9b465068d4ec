"""TensorFlow and ``keras.ops`` constructors: ``constant``/``Variable``, ``zeros``/``ones``/random,
``fill``/``full``, ``eye``, ``one_hot``, ``shape``/``size``/``rank``."""
from __future__ import annotations

from typing import Optional

from ... import dims as D
from ...shapes import Shape
from ...values import UNKNOWN, Const, Int, Seq, Tensor, Value, tensor_of
from ..common import axis_of
from ..keras.base import shape_tuple
from ..registry import Call, shape_rule
from .base import Api, _fw, _shape, kops, tf, tf_kops


# ---------------------------------------------------------------------------------- constructors
def _literal(v: Value) -> Optional[Shape]:
    from ..tensor.constructors import _literal_shape

    got = _literal_shape(v)
    return None if got is None else Shape(tuple(got[0]))


@shape_rule(*tf("Variable", "constant", "convert_to_tensor", "identity_of"))
def tf_const(call: Call) -> Value:
    v = call.get(0, "initial_value" if call.qualname.endswith("Variable") else "value")
    if call.qualname.endswith("constant") and call.has(None, "shape"):
        ds = shape_tuple(call.get(None, "shape"))
        return Tensor(Shape(tuple(ds)), "tf") if ds is not None else UNKNOWN
    t = tensor_of(v)
    if t is not None:
        return Tensor(t.shape, "tf", t.dtype, t.role)
    s = _literal(v)
    if s is None:
        return UNKNOWN
    return Tensor(s, "tf", "int" if isinstance(v, Int) else None)


@tf_kops(tf("zeros", "ones", "random.normal", "random.uniform", "random.truncated_normal", "random_normal",
            "random_uniform", "truncated_normal", "random.stateless_normal", "random.stateless_uniform", "empty"),
         (*kops("zeros", "ones", "empty"), "keras.random.normal", "keras.random.uniform",
          "keras.random.truncated_normal"))
def tf_ctor(call: Call, api: Api) -> Value:
    ds = shape_tuple(call.get(0, "shape"))
    if ds is None:
        return UNKNOWN
    dtype = call.get(None, "dtype")
    kind = None
    q = getattr(dtype, "qualname", "") or (
        dtype.value if isinstance(dtype, Const) and isinstance(dtype.value, str) else "")
    if q:
        kind = "int" if "int" in q else ("bool" if "bool" in q else "float")
    fw = api.tensor_fw
    return Tensor(Shape(tuple(ds)), fw, kind or "float")


@tf_kops((*tf("fill"),), (*kops("full"),))
def tf_fill(call: Call, api: Api) -> Value:
    ds = shape_tuple(call.get(0, api.arg("dims", "shape")))
    if ds is None:
        return UNKNOWN
    return Tensor(Shape(tuple(ds)), api.tensor_fw)


@tf_kops((*tf("eye", "linalg.eye"),), (*kops("eye"),))
def tf_eye(call: Call, api: Api) -> Value:
    n = call.dim(0, api.arg("num_rows", "N"))
    m = call.dim(1, api.arg("num_columns", "M"), n)
    if n is None or m is None:
        return UNKNOWN
    return Tensor(Shape((n, m)), api.tensor_fw)


@tf_kops((*tf("one_hot"),), (*kops("one_hot"),))
def tf_one_hot(call: Call, api: Api) -> Value:
    t = call.tensor(0, api.arg("indices", "x"))
    depth = call.dim(1, api.arg("depth", "num_classes"))
    if t is None or depth is None:
        return UNKNOWN
    s = _shape(call, t)
    axis = call.int(None, "axis", -1)
    if axis is None or s.variadic:
        return Tensor(Shape((depth,), True) if axis == -1 else Shape.unknown(), _fw(call, t))
    r = len(s.dims)
    ax = axis_of(call, axis, r + 1, "one_hot") if axis != -1 else r
    dims = list(s.dims)
    dims.insert(ax, depth)
    return Tensor(Shape(tuple(dims)), _fw(call, t), "float")


@tf_kops((*tf("shape"),), (*kops("shape"),))
def tf_shape(call: Call, api: Api) -> Value:
    t = call.tensor(0, api.arg("input", "x"))
    if t is None:
        return UNKNOWN
    s = _shape(call, t)
    if s.variadic:
        return UNKNOWN
    return Seq([Int(d) for d in s.dims], "size")


@tf_kops((*tf("size", "rank"),), (*kops("size", "ndim"),))
def tf_size(call: Call, api: Api) -> Value:
    t = call.tensor(0, api.arg("input", "x"))
    if t is None:
        return UNKNOWN
    s = _shape(call, t)
    if call.qualname.endswith(("rank", "ndim")):
        return UNKNOWN if s.rank is None else Int(s.rank)
    n = s.numel()
    return UNKNOWN if n is None or any(D.is_opaque(d) for d in s.dims) else Int(n)
