"""TensorFlow (2.x and TF1 through ``tf.compat.v1``) and ``keras.ops`` shape rules.

Every TF function is registered as ``tensorflow.X``, ``tensorflow.compat.v1.X`` and
``tensorflow.compat.v2.X``; TF tensors are ``Tensor(shape, fw="tf")``. TF1 graphs: a
``placeholder`` with ``None`` sizes has opaque sizes there; ``Session.run(..., feed_dict=...)``
checks each fed array against the tensor it feeds (exact rank, fixed sizes), SHP701.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Callable, Optional

from .. import dims as D
from ..dims import Dim
from ..findings import Fix, ShapeError
from ..framework import Framework, framework_of
from ..shape_math import einsum as SME
from ..shape_math import index as SMI
from ..shape_math import join as SMJ
from ..shape_math import matmul as SMM
from ..shape_math import reduce as SMRed
from ..shape_math import reshape as SMR
from ..shape_math.features import require_feature
from ..shape_math.require import require_equal
from ..shape_math.window import kernel_why, padded_out, require_nonempty_spatial
from ..shapes import Shape
from ..values import UNKNOWN, Const, Dict, Ext, Int, Seq, Tensor, Value, as_dim, tensor_of
from .common import (axis_of, broadcast_shapes, matmul_shape, out_dtype, out_fw, unknown_like)
from .keras_layers import shape_tuple
from .registry import Call, shape_rule


def tf(*names: str) -> tuple:
    out = []
    for n in names:
        out += [f"tensorflow.{n}", f"tensorflow.compat.v1.{n}", f"tensorflow.compat.v2.{n}"]
    return tuple(out)


def kops(*names: str) -> tuple:
    out = []
    for n in names:
        out += [f"keras.ops.{n}", f"keras.src.ops.numpy.{n}", f"keras.backend.{n}"]
    return tuple(out)


@dataclass(frozen=True)
class Api:
    """The framework signature a shared TF/``keras.ops`` rule was registered under.

    ``tf.squeeze(input, axis)`` and ``keras.ops.squeeze(x, axis)`` share their shape math but not
    their argument names, defaults or quirks. Each rule is registered once per signature
    (``tf_kops``) and receives the ``Api`` it was registered as, instead of guessing the
    framework from the qualified name it was called by."""

    fw: Framework

    @property
    def tf(self) -> bool:
        return self.fw is Framework.TF

    def arg(self, tf_name: str, keras_name: str) -> str:
        """The argument's name in this signature."""
        return tf_name if self.tf else keras_name

    @property
    def tensor_fw(self) -> str:
        """What tensors a constructor of this API makes are tagged with."""
        return "tf" if self.tf else "keras"


TF_API, KOPS_API = Api(Framework.TF), Api(Framework.KERAS)


def tf_kops(tf_names: tuple, kops_names: tuple) -> Callable:
    """Register ``fn(call, api)`` as two rules: one under the TF names, one under ``keras.ops``'s."""

    def register(fn: Callable[[Call, Api], Value]) -> Callable[[Call, Api], Value]:
        for names, api in ((tf_names, TF_API), (kops_names, KOPS_API)):
            def bound(call: Call, _api: Api = api) -> Value:
                return fn(call, _api)
            bound.__name__ = bound.__qualname__ = f"{fn.__name__}[{api.fw.value}]"
            bound.__doc__ = fn.__doc__
            shape_rule(*names)(bound)
        return fn

    return register


def _fw(call: Call, *ts: Optional[Tensor]) -> str:
    """The result's framework: TF functions make TF tensors; ``keras.ops`` keeps its inputs'."""
    if framework_of(call.qualname) is Framework.TF:
        return "tf"
    return out_fw(*ts) if any(t is not None for t in ts) else "keras"


def _t(call: Call, shape: Shape, *like: Optional[Tensor], dtype: Optional[str] = None) -> Tensor:
    return Tensor(shape, _fw(call, *like), dtype if dtype is not None else out_dtype(*like))


def _dims(v: Value) -> Optional[list]:
    """A shape argument: a list/tuple of sizes (``None``/-1 kept as opaque / -1), or a TF shape."""
    if isinstance(v, Tensor):
        return None
    return shape_tuple(v)


def _shape(call: Call, t: Tensor) -> Shape:
    return call.shape(t)


# ---------------------------------------------------------------------------------- products
@shape_rule(*tf("matmul", "linalg.matmul"))
def tf_matmul(call: Call) -> Value:
    """``tf.matmul(a, b, transpose_a=, transpose_b=, adjoint_a=, adjoint_b=)``: both operands at
    least 2-D; fixes are spelled with the flags (or a swap)."""
    a, b = call.tensor(0, "a"), call.tensor(1, "b")
    if a is None or b is None:
        return UNKNOWN
    sa, sb = _shape(call, a), _shape(call, b)
    flags = {}
    for k in ("transpose_a", "transpose_b", "adjoint_a", "adjoint_b"):
        v = call.bool(None, k, False)
        if v is None:
            return unknown_like(a)
        flags[k] = v
    ta = flags["transpose_a"] or flags["adjoint_a"]
    tb = flags["transpose_b"] or flags["adjoint_b"]
    for s, n in ((sa, "a"), (sb, "b")):
        if s.rank is not None and s.rank < 2:
            raise ShapeError("operand-rank", f"tf.matmul: operand {n} of shape {s} must be at least 2-D")
    if (ta and len(sa.dims) < 2) or (tb and len(sb.dims) < 2):
        return unknown_like(a)
    xa = SMM.transposed(sa) if ta else sa
    xb = SMM.transposed(sb) if tb else sb
    texts = call.text(0), call.text(1)

    def spell(fit: SMM.Fits) -> tuple[str, Fix]:
        if fit is SMM.Fits.TRANSPOSE_B:
            flag = "transpose_b=False" if tb else "transpose_b=True"
        elif fit is SMM.Fits.TRANSPOSE_A:
            flag = "transpose_a=False" if ta else "transpose_a=True"
        else:
            swapped = f"tf.matmul({texts[1]}, {texts[0]})"
            return f"to swap the operands ({swapped})", Fix(f"swap the operands: {swapped}")
        return flag, Fix(f"pass {flag}")

    head = f"matmul of {sa} and {sb} (transposed)" if ta or tb else None
    out = SMM.matmul(xa, xb, call.bindings, name="matmul", speller=spell, head=head)
    return _t(call, out, a, b)


@shape_rule(*kops("matmul"))
def kops_matmul(call: Call) -> Value:
    """``keras.ops.matmul(x1, x2)``: NumPy semantics and no transpose flags, so a fix transposes
    an operand (``keras.ops.transpose``) or swaps them."""
    a, b = call.tensor(0, "x1"), call.tensor(1, "x2")
    if a is None or b is None:
        return UNKNOWN
    ta, tb = call.text(0), call.text(1)
    out = matmul_shape(call, a.shape, b.shape, name="matmul", texts=(0, 1), fw=Framework.KERAS,
                       swapped=f"keras.ops.matmul({tb}, {ta})")
    return _t(call, out, a, b)


@tf_kops((*tf("tensordot", "linalg.tensordot"),), (*kops("tensordot"),))
def tf_tensordot(call: Call, api: Api) -> Value:
    a, b = call.tensor(0), call.tensor(1)
    if a is None or b is None:
        return UNKNOWN
    sa, sb = _shape(call, a), _shape(call, b)
    if sa.variadic or sb.variadic:
        return _t(call, Shape.unknown(), a, b)
    ax = call.get(2, "axes")
    ra, rb = len(sa.dims), len(sb.dims)
    n = as_dim(ax)
    what = f"tensordot of {sa} and {sb}"
    if n is not None and D.as_int(n) is not None:
        axes = SME.tensordot_axes(D.as_int(n), ra, rb, what)  # type: ignore[arg-type]
        if axes is None:
            return _t(call, Shape.unknown(), a, b)
        xa, xb = axes
    elif isinstance(ax, Seq) and len(ax.items) == 2:
        la, lb = _int_axes(ax.items[0]), _int_axes(ax.items[1])
        if la is None or lb is None:
            return _t(call, Shape.unknown(), a, b)
        xa, xb = la, lb
    else:
        return _t(call, Shape.unknown(), a, b)
    return _t(call, SME.tensordot(sa, sb, xa, xb, bindings=call.bindings, what=what), a, b)


def _int_axes(v: Value) -> Optional[list[int]]:
    """An axis list argument as ints (a lone int is a one-axis list); None where one is not known."""
    ds = shape_tuple(v)
    if ds is None:
        return None
    out = [D.as_int(d) for d in ds]
    return None if any(i is None for i in out) else [i for i in out if i is not None]


@tf_kops((*tf("einsum", "linalg.einsum"),), (*kops("einsum"),))
def tf_einsum(call: Call, api: Api) -> Value:
    eq = call.str(0, "equation") if call.has(0, "equation") else None
    ops = [tensor_of(v) for v in call.args[1:]]
    ts = [t for t in ops if t is not None]
    if eq is None or not ts or len(ts) != len(ops):
        return UNKNOWN
    return _t(call, SME.einsum(eq, [_shape(call, t) for t in ts], bindings=call.bindings), *ts)


# ---------------------------------------------------------------------------------- joins
def _tensor_list(v: Value) -> Optional[list]:
    if isinstance(v, Seq):
        ts = [tensor_of(x) for x in v.items]
        return None if any(t is None for t in ts) else ts
    return None


@shape_rule(*tf("concat"))
def tf_concat(call: Call) -> Value:
    """``tf.concat(values, axis)``: the axis has no default."""
    ts = _tensor_list(call.get(0, "values"))
    if ts is None or not ts:
        return UNKNOWN
    axis = call.int(1, "axis")
    if axis is None:
        return _t(call, Shape.unknown(), *ts)
    shapes = [_shape(call, t) for t in ts]
    return _t(call, SMJ.concat(shapes, axis, call.bindings, op="tf.concat"), *ts)


@shape_rule(*kops("concatenate", "concat"))
def kops_concatenate(call: Call) -> Value:
    """``keras.ops.concatenate(xs, axis=0)``."""
    ts = _tensor_list(call.get(0, "xs"))
    if ts is None or not ts:
        return UNKNOWN
    axis = call.int(1, "axis", 0)
    if axis is None:
        return _t(call, Shape.unknown(), *ts)
    shapes = [_shape(call, t) for t in ts]
    return _t(call, SMJ.concat(shapes, axis, call.bindings, op="keras.ops.concatenate"), *ts)


def _stack(call: Call, values: str, op: str) -> Value:
    ts = _tensor_list(call.get(0, values))
    axis = call.int(1, "axis", 0)
    if ts is None or not ts or axis is None:
        return UNKNOWN
    shapes = [_shape(call, t) for t in ts]
    return _t(call, SMJ.stack(shapes, axis, call.bindings, op=op), *ts)


@shape_rule(*tf("stack"))
def tf_stack(call: Call) -> Value:
    """``tf.stack(values, axis=0)``."""
    return _stack(call, "values", "tf.stack")


@shape_rule(*kops("stack"))
def kops_stack(call: Call) -> Value:
    """``keras.ops.stack(x, axis=0)``."""
    return _stack(call, "x", "keras.ops.stack")


# ---------------------------------------------------------------------------------- reshaping
@tf_kops((*tf("reshape"),), (*kops("reshape"),))
def tf_reshape(call: Call, api: Api) -> Value:
    t = call.tensor(0, api.arg("tensor", "x"))
    v = call.get(1, api.arg("shape", "newshape"))
    if t is None:
        return UNKNOWN
    if not isinstance(v, Seq):
        return _t(call, Shape.unknown(), t)
    ds = [as_dim(x) for x in v.items]
    if any(d is None for d in ds):
        return _t(call, Shape.unknown(), t)
    ws = [x.why if isinstance(x, Int) else None for x in v.items]
    return _t(call, SMR.reshape(_shape(call, t), ds, ws, bindings=call.bindings, unknown=lambda: D.opaque("None")), t)


@tf_kops((*tf("transpose", "linalg.transpose"),), (*kops("transpose"),))
def tf_transpose(call: Call, api: Api) -> Value:
    t = call.tensor(0, api.arg("a", "x"))
    if t is None:
        return UNKNOWN
    s = _shape(call, t)
    pv = call.get(1, api.arg("perm", "axes"))
    if pv is UNKNOWN or (isinstance(pv, Const) and pv.value is None):
        if call.qualname.endswith("linalg.transpose"):
            if len(s.dims) < 2:
                return _t(call, Shape.unknown(), t)
            return _t(call, Shape(s.dims[:-2] + (s.dims[-1], s.dims[-2]), s.variadic), t)
        if s.variadic:
            return _t(call, Shape.unknown(), t)
        return _t(call, Shape(tuple(reversed(s.dims))), t)
    perm = shape_tuple(pv)
    if perm is None or any(D.as_int(p) is None for p in perm):
        return _t(call, Shape.unknown(), t)
    perm = [D.as_int(p) for p in perm]
    if s.variadic:
        return _t(call, Shape.unknown(), t)
    r = len(s.dims)
    norm = [p % r if -r <= p < r else None for p in perm]
    if len(perm) != r or None in norm or sorted(norm) != list(range(r)):  # type: ignore[type-var]
        raise ShapeError("bad-permutation", f"transpose of {s} with perm={tuple(perm)}: not a permutation of "
                                            f"the axes 0..{r - 1}")
    return _t(call, Shape(tuple(s.dims[p] for p in norm)), t)  # type: ignore[index]


@tf_kops((*tf("expand_dims"),), (*kops("expand_dims"),))
def tf_expand_dims(call: Call, api: Api) -> Value:
    t = call.tensor(0, api.arg("input", "x"))
    axis = call.int(1, "axis")
    if t is None:
        return UNKNOWN
    s = _shape(call, t)
    if axis is None or s.variadic:
        return _t(call, Shape.unknown(), t)
    r = len(s.dims)
    ax = axis_of(call, axis, r + 1, f"expand_dims of {s}")
    dims = list(s.dims)
    dims.insert(ax, 1)
    return _t(call, Shape(tuple(dims)), t)


@tf_kops((*tf("squeeze"),), (*kops("squeeze"),))
def tf_squeeze(call: Call, api: Api) -> Value:
    t = call.tensor(0, api.arg("input", "x"))
    if t is None:
        return UNKNOWN
    s = _shape(call, t)
    av = call.get(1, "axis")
    if av is UNKNOWN and call.has(None, "squeeze_dims"):
        av = call.kwargs["squeeze_dims"]
    if s.variadic:
        return _t(call, Shape.unknown(), t)
    r = len(s.dims)
    if av is UNKNOWN or (isinstance(av, Const) and av.value is None):
        if any(D.as_int(d) is None for d in s.dims):
            return _t(call, Shape.unknown(), t)
        return _t(call, Shape(tuple(d for d in s.dims if D.as_int(d) != 1)), t)
    axes = shape_tuple(av)
    if axes is None or any(D.as_int(a) is None for a in axes):
        return _t(call, Shape.unknown(), t)
    norm = [axis_of(call, D.as_int(a), r, f"squeeze of {s}") for a in axes]  # type: ignore[arg-type]
    if any(D.as_int(s.dims[a]) not in (1, None) for a in norm):
        return _t(call, Shape.unknown(), t)
    return _t(call, Shape(tuple(d for i, d in enumerate(s.dims) if i not in norm)), t)


@tf_kops((*tf("tile"),), (*kops("tile"),))
def tf_tile(call: Call, api: Api) -> Value:
    t = call.tensor(0, api.arg("input", "x"))
    m = shape_tuple(call.get(1, api.arg("multiples", "repeats")))
    if t is None:
        return UNKNOWN
    s = _shape(call, t)
    if m is None or s.variadic:
        return _t(call, Shape.unknown(), t)
    if api.tf and len(m) != len(s.dims):
        raise ShapeError("axis-out-of-range", f"tf.tile of {s}: multiples has {len(m)} entries, the input has "
                                              f"{len(s.dims)} dims")
    if len(m) != len(s.dims):
        return _t(call, Shape.unknown(), t)
    return _t(call, Shape(tuple(D.mul(d, k) for d, k in zip(s.dims, m))), t)


@tf_kops((*tf("broadcast_to"),), (*kops("broadcast_to"),))
def tf_broadcast_to(call: Call, api: Api) -> Value:
    t = call.tensor(0, api.arg("input", "x"))
    ds = shape_tuple(call.get(1, "shape"))
    if t is None:
        return UNKNOWN
    if ds is None:
        return _t(call, Shape.unknown(), t)
    s = _shape(call, t)
    target = Shape(tuple(ds))
    out = broadcast_shapes(call, [s, target], what="broadcast_to")
    if not s.variadic and len(s.dims) > len(ds):
        raise ShapeError("broadcast-mismatch", f"broadcast_to of {s} to {target}: the target has fewer dims")
    for i in range(1, min(len(s.dims), len(ds)) + 1):
        a, b = s.dims[-i], ds[-i]
        if D.as_int(a) != 1:
            require_equal(a, b, call.bindings, "broadcast-mismatch", f"broadcast_to of {s} to {target}: size "
                          f"{D.fmt(a)} at axis {-i} is neither {D.fmt(b)} nor 1", unify=False)
    return _t(call, Shape(tuple(ds)) if out.rank == len(ds) else out, t)


@tf_kops((*tf("gather"),), (*kops("take"),))
def tf_gather(call: Call, api: Api) -> Value:
    p = call.tensor(0, api.arg("params", "x"))
    iv = call.get(1, "indices")
    if p is None:
        return UNKNOWN
    s = _shape(call, p)
    bd = call.int(None, "batch_dims", 0)
    # tf.gather's axis defaults to batch_dims
    axis = call.int(None if api.tf else 2, "axis", bd if bd is not None else 0)
    if not api.tf and not call.has(2, "axis"):
        return _t(call, Shape.unknown(), p)
    it = tensor_of(iv)
    if it is not None:
        ish = _shape(call, it)
    elif isinstance(iv, Seq):
        ish = Shape((len(iv.items),))
    elif as_dim(iv) is not None:
        ish = Shape(())
    else:
        return _t(call, Shape.unknown(), p)
    if axis is None or bd is None or s.variadic or ish.variadic:
        return _t(call, Shape.unknown(), p)
    ax = axis_of(call, axis, len(s.dims), f"gather of {s}")
    if bd:
        # the first batch_dims axes of params and indices go together: out = params[:axis] +
        # indices[batch_dims:] + params[axis + 1:] (TensorFlow's own checks are left to it)
        b = bd + len(ish.dims) if bd < 0 else bd
        if not 0 < b <= min(ax, len(ish.dims)):
            return _t(call, Shape.unknown(), p)
        return _t(call, Shape(s.dims[:ax] + ish.dims[b:] + s.dims[ax + 1:]), p)
    return _t(call, Shape(s.dims[:ax] + ish.dims + s.dims[ax + 1:]), p)


# ---------------------------------------------------------------------------------- reductions
_REDUCE_TF = ("reduce_sum", "reduce_mean", "reduce_max", "reduce_min", "reduce_prod", "reduce_any", "reduce_all",
              "reduce_logsumexp", "reduce_std", "reduce_variance", "math.reduce_sum", "math.reduce_mean",
              "math.reduce_max", "math.reduce_min", "math.reduce_prod", "math.reduce_any", "math.reduce_all",
              "math.reduce_logsumexp", "math.reduce_std", "math.reduce_variance", "argmax", "argmin",
              "math.argmax", "math.argmin")
_REDUCE_K = ("sum", "mean", "max", "min", "prod", "any", "all", "logsumexp", "std", "var", "argmax", "argmin",
             "amax", "amin")


@tf_kops((*tf(*_REDUCE_TF),), (*kops(*_REDUCE_K),))
def tf_reduce(call: Call, api: Api) -> Value:
    t = call.tensor(0, api.arg("input_tensor", "x"))
    if t is None:
        t = call.tensor(None, "input")
    if t is None:
        return UNKNOWN
    s = _shape(call, t)
    arg = call.qualname.rsplit(".", 1)[-1] in ("argmax", "argmin")
    av = call.get(1, "axis")
    if av is UNKNOWN and "reduction_indices" in call.kwargs:
        av = call.kwargs["reduction_indices"]
    if arg and api.tf and av is UNKNOWN:
        av = Int(0)
    keep = call.bool(2 if not arg else None, "keepdims", False)
    if "keep_dims" in call.kwargs:
        keep = call.bool(None, "keep_dims", False)
    if keep is None:
        return _t(call, Shape.unknown(), t)
    dtype = "int" if arg else t.dtype
    if av is UNKNOWN or (isinstance(av, Const) and av.value is None):
        return _t(call, SMRed.reduce(s, None, keep), t, dtype=dtype)
    axes = shape_tuple(av)
    ints = [D.as_int(a) for a in axes] if axes is not None else None
    if ints is None or any(i is None for i in ints):
        return _t(call, Shape.unknown(), t, dtype=dtype)
    what = f"{call.qualname.rsplit('.', 1)[-1]} of {s}"
    return _t(call, SMRed.reduce(s, sorted(set(i for i in ints if i is not None)), keep, what=what), t, dtype=dtype)


# ---------------------------------------------------------------------------------- more shape ops
def _operand(call: Call, name: str) -> Optional[tuple]:
    """(the first tensor argument, its shape), or None when it is not a tensor."""
    t = call.tensor(0, name)
    return None if t is None else (t, _shape(call, t))


@shape_rule(*tf("pad"))
def tf_pad(call: Call) -> Value:
    """``tf.pad(t, [[1, 1], [2, 2]])``: each size grows by its two paddings."""
    got = _operand(call, "tensor")
    if got is None:
        return UNKNOWN
    t, s = got
    pv = call.get(1, "paddings")
    pairs = [shape_tuple(p) for p in pv.items] if isinstance(pv, Seq) else None
    if s.variadic or pairs is None or len(pairs) != len(s.dims) or any(
            p is None or len(p) != 2 or any(D.as_int(x) is None for x in p) for p in pairs):
        return _t(call, Shape.unknown(), t)
    return _t(call, Shape(tuple(D.add(d, D.as_int(a) + D.as_int(b)) for d, (a, b) in zip(s.dims, pairs))), t)


@shape_rule(*tf("split"))
def tf_split(call: Call) -> Value:
    """``tf.split(x, 3, axis=1)`` (equal parts) or ``tf.split(x, [2, 3, -1], axis=1)``: a list of tensors."""
    t = call.tensor(0, "value")
    ax = call.int(2, "axis", 0)
    if t is None:
        return UNKNOWN
    s = _shape(call, t)
    spec = call.get(1, "num_or_size_splits")
    if s.variadic or ax is None:
        return UNKNOWN
    a = axis_of(call, ax, len(s.dims), f"tf.split of {s}")
    n = D.as_int(s.dims[a])
    parts: Optional[list] = None
    k = as_dim(spec) if not isinstance(spec, Seq) else None
    if k is not None and D.as_int(k) is not None and n is not None and D.as_int(k) > 0 and n % D.as_int(k) == 0:
        parts = [n // D.as_int(k)] * D.as_int(k)
    elif isinstance(spec, Seq):
        sizes = [D.as_int(as_dim(x)) if as_dim(x) is not None else None for x in spec.items]
        if None not in sizes and n is not None and -1 not in sizes:
            SMI.require_split_sizes(sizes, n, call.bindings, f"tf.split of {s} along axis {a}")
        if None not in sizes and n is not None and sizes.count(-1) <= 1:
            rest = n - sum(x for x in sizes if x != -1)
            if rest >= 0 and (-1 in sizes or rest == 0):
                parts = [rest if x == -1 else x for x in sizes]
    if parts is None or len(parts) > 64:
        return UNKNOWN
    return Seq([_t(call, Shape(s.dims[:a] + (p,) + s.dims[a + 1:]), t) for p in parts], "list")


@tf_kops((*tf("unstack"),), (*kops("unstack"),))
def tf_unstack(call: Call, api: Api) -> Value:
    t = call.tensor(0, api.arg("value", "x"))
    ax = call.int(None, "axis", 0)
    if t is None or ax is None:
        return UNKNOWN
    s = _shape(call, t)
    if s.variadic:
        return UNKNOWN
    a = axis_of(call, ax, len(s.dims), f"unstack of {s}")
    n = D.as_int(s.dims[a])
    if n is None or n > 64:
        return UNKNOWN
    return Seq([_t(call, Shape(s.dims[:a] + s.dims[a + 1:]), t) for _ in range(n)], "list")


@shape_rule(*tf("slice"))
def tf_slice(call: Call) -> Value:
    """``tf.slice(x, begin, size)``: the result has ``size`` (-1: to the end)."""
    got = _operand(call, "input_")
    if got is None:
        return UNKNOWN
    t, s = got
    begin, size = shape_tuple(call.get(1, "begin")), shape_tuple(call.get(2, "size"))
    if s.variadic or begin is None or size is None or not len(begin) == len(size) == len(s.dims):
        return _t(call, Shape.unknown(), t)
    out = []
    for d, b, z in zip(s.dims, begin, size):
        bi, zi = D.as_int(b), D.as_int(z)
        if bi is None or zi is None:
            return _t(call, Shape.unknown(), t)
        out.append(D.sub(d, bi) if zi == -1 else zi)
    return _t(call, Shape(tuple(out)), t)


@tf_kops(("tensorflow.where", "tensorflow.compat.v2.where"), (*kops("where"),))
def tf_where(call: Call, api: Api) -> Value:
    """``tf.where(cond, x, y)`` broadcasts its three operands (TF2 and keras.ops)."""
    ts = [call.tensor(0, "condition"), call.tensor(1, api.arg("x", "x1")),
          call.tensor(2, api.arg("y", "x2"))]
    if ts[0] is None or not call.has(1, "x") and not call.has(1, "x1"):
        return UNKNOWN  # (one argument: the coordinates of the true elements, a data-dependent count)
    shapes = [_shape(call, t) for t in ts if t is not None]
    if len(shapes) != 3:
        return UNKNOWN
    return _t(call, broadcast_shapes(call, shapes, what=call.qualname.rsplit(".", 1)[-1]), ts[1], ts[2])


@shape_rule(*tf("range"))
def tf_range(call: Call) -> Value:
    vals = [D.as_int(as_dim(v)) if as_dim(v) is not None else None for v in call.args[:3]]
    if len(call.args) == 0 or call.kwargs.keys() - {"dtype", "name"} or None in vals:
        return UNKNOWN
    start, limit, delta = (0, vals[0], 1) if len(vals) == 1 else (vals[0], vals[1], vals[2] if len(vals) > 2 else 1)
    if delta == 0:
        return UNKNOWN
    n = max(0, -((start - limit) // delta))
    return Tensor(Shape((n,)), "tf", "int")


@shape_rule(*tf("sequence_mask"))
def tf_sequence_mask(call: Call) -> Value:
    t = call.tensor(0, "lengths")
    m = call.dim(1, "maxlen")
    if t is None:
        return UNKNOWN
    s = _shape(call, t)
    if s.variadic or m is None:
        return Tensor(Shape.unknown(), "tf", "bool")
    return Tensor(Shape(s.dims + (m,)), "tf", "bool")


@tf_kops((*tf("reverse", "roll"),), (*kops("roll", "flip"),))
def tf_same_shape(call: Call, api: Api) -> Value:
    t = call.tensor(0, "tensor" if call.qualname.endswith("reverse") else (
        api.arg("input", "x")))
    return UNKNOWN if t is None else _t(call, _shape(call, t), t)


@tf_kops((*tf("repeat"),), (*kops("repeat"),))
def tf_repeat(call: Call, api: Api) -> Value:
    t = call.tensor(0, api.arg("input", "x"))
    r = as_dim(call.get(1, "repeats"))
    ax = call.get(2, "axis")
    if t is None:
        return UNKNOWN
    s = _shape(call, t)
    if r is None or s.variadic:
        return _t(call, Shape.unknown(), t)
    if ax is UNKNOWN or isinstance(ax, Const) and ax.value is None:
        n = s.numel()
        return _t(call, Shape((D.mul(n, r),)) if n is not None else Shape.unknown(), t)
    a = as_dim(ax)
    if a is None or D.as_int(a) is None:
        return _t(call, Shape.unknown(), t)
    i = axis_of(call, D.as_int(a), len(s.dims), f"repeat of {s}")
    return _t(call, Shape(s.dims[:i] + (D.mul(s.dims[i], r),) + s.dims[i + 1:]), t)


@shape_rule(*tf("nn.embedding_lookup"))
def tf_embedding_lookup(call: Call) -> Value:
    p, ids = call.tensor(0, "params"), call.tensor(1, "ids")
    if p is None or ids is None:
        return UNKNOWN
    ps, si = _shape(call, p), _shape(call, ids)
    if ps.variadic or si.variadic or not ps.dims:
        return _t(call, Shape.unknown(), p)
    return _t(call, Shape(si.dims + ps.dims[1:]), p)


@shape_rule(*tf("image.resize", "image.resize_images"))
def tf_image_resize(call: Call) -> Value:
    """``tf.image.resize(images, [h, w])``: (..., h, w, channels), a 3-D or 4-D input."""
    t = call.tensor(0, "images")
    size = shape_tuple(call.get(1, "size"))
    if t is None:
        return UNKNOWN
    s = _shape(call, t)
    if s.variadic or size is None or len(size) != 2 or len(s.dims) not in (3, 4) or call.has(None, "preserve_aspect_ratio"):
        return Tensor(Shape.unknown(), "tf", "float")
    return Tensor(Shape(s.dims[:-3] + tuple(size) + s.dims[-1:]), "tf", "float")


@tf_kops((*tf("math.top_k", "nn.top_k"),), (*kops("top_k"),))
def tf_top_k(call: Call, api: Api) -> Value:
    t = call.tensor(0, api.arg("input", "x"))
    k = call.dim(1, "k") if call.has(1, "k") else 1
    if t is None:
        return UNKNOWN
    s = _shape(call, t)
    if k is None or not s.dims:
        return UNKNOWN
    out = Shape(s.dims[:-1] + (k,), s.variadic)
    return Seq([_t(call, out, t), _t(call, out, t, dtype="int")], "tuple")


@shape_rule(*tf("nn.moments"))
def tf_moments(call: Call) -> Value:
    """``tf.nn.moments(x, axes)``: (mean, variance), both reduced over ``axes``."""
    t = call.tensor(0, "x")
    axes = shape_tuple(call.get(1, "axes"))
    keep = call.bool(None, "keepdims", False)
    if t is None:
        return UNKNOWN
    s = _shape(call, t)
    if s.variadic or axes is None or keep is None or any(D.as_int(a) is None for a in axes):
        return UNKNOWN
    norm = {axis_of(call, D.as_int(a), len(s.dims), f"tf.nn.moments of {s}") for a in axes}  # type: ignore[arg-type]
    dims = tuple(1 if i in norm else d for i, d in enumerate(s.dims)) if keep else tuple(
        d for i, d in enumerate(s.dims) if i not in norm)
    return Seq([_t(call, Shape(dims), t), _t(call, Shape(dims), t)], "tuple")


@shape_rule(*tf("nn.softmax_cross_entropy_with_logits", "nn.sparse_softmax_cross_entropy_with_logits",
                "nn.sigmoid_cross_entropy_with_logits"))
def tf_xent_with_logits(call: Call) -> Value:
    """Per-example losses: the logits' shape without the class axis (with it, for sigmoid)."""
    lg = call.tensor(None, "logits")
    if lg is None:
        return UNKNOWN
    s = _shape(call, lg)
    if call.qualname.endswith("sigmoid_cross_entropy_with_logits"):
        return Tensor(s, "tf", "float")
    if s.variadic or not s.dims or call.has(None, "axis") and call.int(None, "axis") != -1:
        return Tensor(Shape.unknown(), "tf", "float")
    return Tensor(Shape(s.dims[:-1]), "tf", "float")


@shape_rule(*tf("gather_nd"))
def tf_gather_nd(call: Call) -> Value:
    """``tf.gather_nd(params, indices)``: indices[:-1] + params[indices[-1]:] (batch_dims=0)."""
    p, i = call.tensor(0, "params"), call.tensor(1, "indices")
    if p is None or i is None:
        return UNKNOWN
    ps, si = _shape(call, p), _shape(call, i)
    k = D.as_int(si.dims[-1]) if si.dims and not si.variadic else None
    if ps.variadic or k is None or call.int(None, "batch_dims", 0) != 0 or k > len(ps.dims):
        return _t(call, Shape.unknown(), p)
    return _t(call, Shape(si.dims[:-1] + ps.dims[k:]), p)


# ---------------------------------------------------------------------------------- elementwise
_BINARY = ("add", "subtract", "multiply", "divide", "truediv", "floordiv", "maximum", "minimum", "pow",
           "squared_difference", "math.add", "math.subtract", "math.multiply", "math.divide", "math.truediv",
           "math.floordiv", "math.maximum", "math.minimum", "math.pow", "math.squared_difference", "equal",
           "not_equal", "less", "less_equal", "greater", "greater_equal", "math.equal", "math.not_equal",
           "math.less", "math.greater", "logical_and", "logical_or", "math.logical_and", "math.logical_or",
           "math.divide_no_nan", "math.mod", "mod", "realdiv", "math.xdivy", "atan2", "math.atan2")
_BINARY_K = ("add", "subtract", "multiply", "divide", "true_divide", "floor_divide", "maximum", "minimum", "power",
             "equal", "not_equal", "less", "less_equal", "greater", "greater_equal", "logical_and", "logical_or",
             "mod", "arctan2")


@tf_kops((*tf(*_BINARY),), (*kops(*_BINARY_K),))
def tf_binary(call: Call, api: Api) -> Value:
    from .tensor import elementwise

    out = elementwise(call, call.get(0, api.arg("x", "x1")),
                      call.get(1, api.arg("y", "x2")),
                      call.qualname.rsplit(".", 1)[-1])
    if isinstance(out, Tensor) and api.tf:
        return Tensor(out.shape, "tf", out.dtype)
    return out


@shape_rule(*tf("add_n", "math.add_n"))
def tf_add_n(call: Call) -> Value:
    ts = _tensor_list(call.get(0, "inputs"))
    if not ts:
        return UNKNOWN
    shapes = [_shape(call, t) for t in ts]
    for s in shapes[1:]:
        if s.same(shapes[0], call.bindings) is D.FALSE:
            raise ShapeError("broadcast-mismatch", f"add_n of {' and '.join(str(x) for x in shapes)}: all inputs "
                                                   f"must have the same shape")
    return _t(call, shapes[0], *ts)


_UNARY = ("nn.relu", "nn.relu6", "nn.sigmoid", "nn.tanh", "nn.elu", "nn.selu", "nn.gelu", "nn.silu", "nn.swish",
          "nn.leaky_relu", "nn.softplus", "nn.softsign", "nn.dropout", "sigmoid", "tanh", "exp", "log", "sqrt",
          "rsqrt", "abs", "square", "negative", "sign", "round", "floor", "ceil", "cast", "identity",
          "stop_gradient", "clip_by_value", "clip_by_norm", "math.exp", "math.log", "math.sqrt", "math.rsqrt",
          "math.abs", "math.square", "math.sigmoid", "math.tanh", "math.negative", "math.sign", "math.round",
          "math.floor", "math.ceil", "math.log1p", "math.reciprocal", "math.sin", "math.cos", "math.erf",
          "math.is_nan", "math.is_finite", "math.logical_not", "logical_not", "nn.l2_normalize",
          "math.l2_normalize", "zeros_like", "ones_like", "random.shuffle", "image.per_image_standardization",
          "math.softplus", "nn.local_response_normalization", "saturate_cast", "ensure_shape_unknown", "sin", "cos")
_UNARY_K = ("relu", "relu6", "sigmoid", "tanh", "elu", "selu", "gelu", "silu", "swish", "leaky_relu", "softplus",
            "softsign", "exp", "log", "sqrt", "abs", "absolute", "square", "negative", "sign", "round", "floor",
            "ceil", "cast", "clip", "stop_gradient", "zeros_like", "ones_like", "log1p", "reciprocal", "sin",
            "cos", "erf", "isnan", "isfinite", "logical_not", "convert_to_tensor", "copy", "hard_sigmoid",
            "hard_silu", "mish")


@tf_kops((*tf(*_UNARY),), (*kops(*_UNARY_K),))
def tf_unary(call: Call, api: Api) -> Value:
    t = call.tensor(0)
    if t is None:
        t = call.tensor(None, "x") or call.tensor(None, "features") or call.tensor(None, "t")
    if t is None:
        return UNKNOWN
    last = call.qualname.rsplit(".", 1)[-1]
    dtype = "bool" if last in ("is_nan", "is_finite", "isnan", "isfinite", "logical_not") else t.dtype
    if last in ("cast", "saturate_cast"):
        dtype = None
    return _t(call, _shape(call, t), t, dtype=dtype)


@tf_kops((*tf("nn.softmax", "nn.log_softmax", "math.softmax", "math.log_softmax"),), (*kops("softmax", "log_softmax"),))
def tf_softmax(call: Call, api: Api) -> Value:
    t = call.tensor(0, api.arg("logits", "x"))
    if t is None:
        return UNKNOWN
    s = _shape(call, t)
    a = call.int(1, "axis", -1)
    if a is None:
        return _t(call, s, t)
    if s.rank is not None:
        axis_of(call, a, s.rank, f"softmax of {s}")
    return _t(call, s, t)


@shape_rule(*tf("nn.bias_add"))
def tf_bias_add(call: Call) -> Value:
    v, b = call.tensor(0, "value"), call.tensor(1, "bias")
    if v is None:
        return UNKNOWN
    s = _shape(call, v)
    if b is not None:
        bs = _shape(call, b)
        if bs.rank is not None and bs.rank != 1:
            raise ShapeError("broadcast-mismatch", f"tf.nn.bias_add: bias must be 1-D, got {bs}")
        fmt = call.str(None, "data_format") or "NHWC"
        axis = 1 if fmt.startswith("NC") else -1
        c = s.dim(axis)
        if bs.rank == 1:
            require_equal(c, bs.dims[0], call.bindings, "broadcast-mismatch", lambda: (
                f"tf.nn.bias_add of {s} and a bias {bs}: the bias size {D.fmt(bs.dims[0])} must equal the channel "
                f"size {D.fmt(c)} at axis {axis}"), unify=False)
    return _t(call, s, v)


def _op_name(call: Call) -> str:
    """``tf.nn.conv2d``: the op as users spell it, for messages."""
    return call.qualname.replace("tensorflow.", "tf.")


def _window(v: Value, n: int) -> Optional[list]:
    """TF strides/ksize: an int, a list of ``n`` ints, or a list of ``n + 2`` with 1s around."""
    ds = shape_tuple(v)
    if ds is None:
        return None
    if len(ds) == 1:
        return ds * n
    if len(ds) == n:
        return ds
    if len(ds) == n + 2:
        return ds[1:-1]
    return None


@shape_rule(*tf("nn.conv2d", "nn.conv1d", "nn.conv3d", "nn.convolution", "nn.depthwise_conv2d"))
def tf_conv(call: Call) -> Value:
    x = call.tensor(0, "input") or call.tensor(None, "value")
    w = call.tensor(1, "filters") or call.tensor(None, "filter")
    if x is None or w is None:
        return UNKNOWN
    s, ws = _shape(call, x), _shape(call, w)
    if ws.variadic or s.variadic:
        return _t(call, Shape.unknown(), x)
    n = len(ws.dims) - 2
    if n < 1:
        return _t(call, Shape.unknown(), x)
    if len(s.dims) != n + 2:
        raise ShapeError("layer-rank", f"{_op_name(call)} expects a {n + 2}-D input for "
                                       f"a {len(ws.dims)}-D filter {ws}, got {len(s.dims)}-D {s}")
    fmt = call.str(None, "data_format") or ("NWC" if n == 1 else "NHWC" if n == 2 else "NDHWC")
    cf = fmt.startswith("NC")
    require_feature(s, 1 if cf else len(s.dims) - 1, ws.dims[-2], "in_channels",
                    f"{_op_name(call)} with filter {ws} (*kernel, in, out)", bindings=call.bindings, fix_param=False,
                    unify=False)
    strides = _window(call.get(2, "strides" if not call.qualname.endswith("conv1d") else "stride"), n)
    padding = call.str(3, "padding")
    dil = _window(call.get(None, "dilations"), n) if call.has(None, "dilations") else [1] * n
    if strides is None or padding is None or dil is None or padding.upper() not in ("VALID", "SAME"):
        return _t(call, Shape.unknown(), x)
    sp = s.dims[2:] if cf else s.dims[1:-1]
    out = []
    for i, d in enumerate(sp):
        o = padded_out(d, ws.dims[i], strides[i], dil[i], padding.lower())
        if o is None:
            return _t(call, Shape.unknown(), x)
        require_nonempty_spatial(o, op=f"{_op_name(call)} with filter {ws}", shape=s, axis=i + (2 if cf else 1),
                                 size=d, bindings=call.bindings, why=kernel_why(ws.dims[i], dil[i], padding="VALID"))
        out.append(o)
    # a depthwise filter is (*kernel, in, multiplier): in*multiplier channels out
    cout = D.mul(ws.dims[-2], ws.dims[-1]) if call.qualname.endswith("depthwise_conv2d") else ws.dims[-1]
    dims = (s.dims[0], cout, *out) if cf else (s.dims[0], *out, cout)
    return _t(call, Shape(tuple(dims)), x)


@shape_rule(*tf("nn.conv2d_transpose", "nn.conv1d_transpose", "nn.conv3d_transpose", "nn.conv_transpose"))
def tf_conv_transpose(call: Call) -> Value:
    """The output shape is given (``output_shape``); the filter is (*kernel, out, in): the input's
    channels must be its last size."""
    x, w = call.tensor(0, "input"), call.tensor(1, "filters")
    if x is None or w is None:
        return UNKNOWN
    s, ws = _shape(call, x), _shape(call, w)
    out = shape_tuple(call.get(2, "output_shape"))
    fmt = call.str(None, "data_format") or "NHWC"
    if not s.variadic and not ws.variadic and ws.dims and len(s.dims) == len(ws.dims):
        require_feature(s, 1 if fmt.startswith("NC") else len(s.dims) - 1, ws.dims[-1], "in_channels",
                        f"{_op_name(call)} with filter {ws} (*kernel, out, in)", bindings=call.bindings,
                        fix_param=False, unify=False)
    if out is None or any(D.as_int(d) is None for d in out):
        return _t(call, Shape.unknown(), x)
    return _t(call, Shape(tuple(out)), x)


@shape_rule(*tf("nn.batch_normalization"))
def tf_batch_normalization(call: Call) -> Value:
    """``tf.nn.batch_normalization(x, mean, variance, offset, scale, eps)``: the broadcast of all."""
    names = ("x", "mean", "variance", "offset", "scale")
    ts = [call.tensor(i, n) for i, n in enumerate(names)]
    if ts[0] is None:
        return UNKNOWN
    shapes = [_shape(call, t) for t in ts if t is not None]
    return _t(call, broadcast_shapes(call, shapes, what="tf.nn.batch_normalization"), ts[0])


@shape_rule(*tf("norm", "linalg.norm"))
def tf_norm(call: Call) -> Value:
    """``tf.norm(x, axis=...)``: reduced over ``axis`` (all of it when None)."""
    t = call.tensor(0, "tensor")
    if t is None:
        return UNKNOWN
    s = _shape(call, t)
    av = call.get(2, "axis")
    keep = call.bool(3, "keepdims", False)
    if s.variadic or keep is None:
        return _t(call, Shape.unknown(), t)
    if av is UNKNOWN or isinstance(av, Const) and av.value is None:
        return _t(call, Shape((1,) * len(s.dims) if keep else ()), t)
    axes = shape_tuple(av)
    if axes is None or any(D.as_int(a) is None for a in axes):
        return _t(call, Shape.unknown(), t)
    norm = {axis_of(call, D.as_int(a), len(s.dims), f"tf.norm of {s}") for a in axes}  # type: ignore[arg-type]
    return _t(call, Shape(tuple(1 if i in norm else d for i, d in enumerate(s.dims)) if keep else tuple(
        d for i, d in enumerate(s.dims) if i not in norm)), t)


@shape_rule(*tf("nn.max_pool2d", "nn.avg_pool2d", "nn.max_pool", "nn.avg_pool", "nn.max_pool1d", "nn.avg_pool1d",
                "nn.max_pool3d", "nn.avg_pool3d"))
def tf_pool(call: Call) -> Value:
    x = call.tensor(0, "input") or call.tensor(None, "value")
    if x is None:
        return UNKNOWN
    s = _shape(call, x)
    if s.variadic:
        return _t(call, Shape.unknown(), x)
    last = call.qualname.rsplit(".", 1)[-1]
    n = int(last[-2]) if last[-2].isdigit() else len(s.dims) - 2
    if len(s.dims) != n + 2:
        raise ShapeError("layer-rank", f"{_op_name(call)} expects a {n + 2}-D input, "
                                       f"got {len(s.dims)}-D {s}")
    k = _window(call.get(1, "ksize"), n)
    st = _window(call.get(2, "strides"), n)
    padding = call.str(3, "padding")
    fmt = call.str(None, "data_format") or "NHWC"
    if k is None or st is None or padding is None or padding.upper() not in ("VALID", "SAME"):
        return _t(call, Shape.unknown(), x)
    cf = fmt.startswith("NC")
    sp = s.dims[2:] if cf else s.dims[1:-1]
    out = []
    for i, d in enumerate(sp):
        o = padded_out(d, k[i], st[i], 1, padding.lower())
        if o is None:
            return _t(call, Shape.unknown(), x)
        require_nonempty_spatial(o, op=_op_name(call), shape=s, axis=i + (2 if cf else 1), size=d,
                                 bindings=call.bindings, advice="pool less or earlier",
                                 why=kernel_why(k[i], window="pooling window", padding="VALID"))
        out.append(o)
    dims = (s.dims[0], s.dims[1], *out) if cf else (s.dims[0], *out, s.dims[-1])
    return _t(call, Shape(tuple(dims)), x)


# ---------------------------------------------------------------------------------- constructors
def _literal(v: Value) -> Optional[Shape]:
    from .tensor import _literal_shape

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
    q = getattr(dtype, "qualname", "") or (dtype.value if isinstance(dtype, Const) and isinstance(dtype.value, str) else "")
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
    t = call.tensor(0, "inputs")
    u = call.dim(1, "units")
    if t is None or u is None:
        return UNKNOWN
    s = _shape(call, t)
    if not s.dims:
        return Tensor(Shape((u,), True), "tf")
    return Tensor(s.replace_last(1, [u]), "tf")


@shape_rule(*tf("Session", "InteractiveSession", "Session.__enter__"))
def tf_session(call: Call) -> Value:
    return Ext("tensorflow.Session")


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


@shape_rule(*tf("Session.run", "InteractiveSession.run"))
def session_run(call: Call) -> Value:
    fd = call.get(1, "feed_dict")
    pairs = _feed_pairs(fd) or []
    for k, v in pairs:
        kt, vt = tensor_of(k), tensor_of(v)
        if kt is None or vt is None:
            continue
        ks, vs = call.shape(kt), call.shape(vt)
        if ks.variadic or vs.variadic:
            continue
        if len(ks.dims) != len(vs.dims):
            raise ShapeError("input-data-mismatch", lambda ks=ks, vs=vs: (
                f"feed_dict feeds a value of shape {vs} ({len(vs.dims)}-D) for a tensor of shape "
                f"{_tf_shape_text(ks)} ({len(ks.dims)}-D)"))
        for i, (a, b) in enumerate(zip(ks.dims, vs.dims)):
            require_equal(a, b, call.bindings, "input-data-mismatch", functools.partial(_feed_size, ks, vs, i, a, b),
                          unify=False)
    f = call.get(0, "fetches")
    t = tensor_of(f)
    if t is not None:
        return Tensor(t.shape, "numpy", t.dtype)
    return UNKNOWN


def _tf_shape_text(s: Shape) -> str:
    return str(s)


__all__ = ["tf", "kops", "Dim"]
