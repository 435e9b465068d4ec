"""TensorFlow and ``keras.ops`` products: ``matmul`` (advice from ``shape_math.matmul``, spelled
``transpose_a``/``transpose_b`` for TF and as a swap or a transposed operand for ``keras.ops``),
``tensordot`` and ``einsum`` over ``shape_math.einsum``."""
from __future__ import annotations

from ... import dims as D
from ...findings import Fix, ShapeError
from ...framework import Framework
from ...shape_math import einsum as SME
from ...shape_math import matmul as SMM
from ...shapes import Shape
from ...values import UNKNOWN, Seq, Value, as_dim, tensor_of
from ..common import contracted, decided, matmul_shape, noting, unknown_like
from ..registry import Call, shape_rule
from ..tensor.operators import dot_rule
from .base import Api, _shape, _t, known_ints, kops, tf, tf_kops


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

    plain = len(call.args) <= 2  # (flags given by position are not read: no rewrite then)

    def flag_fix(side: str, on: bool) -> tuple[str, Fix]:
        adjoint = flags[f"adjoint_{side}"] and not flags[f"transpose_{side}"]
        key = f"{'adjoint' if adjoint else 'transpose'}_{side}"
        flag = f"{key}={'False' if on else 'True'}"
        if not plain:
            return flag, Fix(f"pass {flag}")
        return flag, call.fix(f"pass {flag}", keywords={key: "False" if on else "True"})

    def spell(fit: SMM.Fits) -> tuple[str, Fix]:
        if fit is SMM.Fits.TRANSPOSE_B:
            return flag_fix("b", tb)
        if fit is SMM.Fits.TRANSPOSE_A:
            return flag_fix("a", ta)
        swapped = f"tf.matmul({texts[1]}, {texts[0]})"
        if ta or tb or not plain:  # the flags stay where they are: a swap would move them too
            return f"to swap the operands ({swapped})", Fix(f"swap the operands: {swapped}")
        return f"to swap the operands ({swapped})", call.fix(f"swap the operands: {swapped}",
                                                             {0: texts[1], 1: texts[0]})

    head = f"matmul of {sa} and {sb} (transposed)" if ta or tb else None
    sizes = contracted(xa, xb)
    out = noting(call, lambda: SMM.matmul(xa, xb, call.bindings, name="matmul", speller=spell, head=head),
                 sizes is not None and decided(dims=sizes))
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


@shape_rule(*kops("dot"))
def kops_dot(call: Call) -> Value:
    """``keras.ops.dot(x1, x2)``: NumPy's ``dot``."""
    return dot_rule(call, "keras", "keras.ops.dot", ("x1", "x2"))


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
        la, lb = known_ints(ax.items[0]), known_ints(ax.items[1])
        if la is None or lb is None:
            return _t(call, Shape.unknown(), a, b)
        xa, xb = la, lb
    else:
        return _t(call, Shape.unknown(), a, b)
    return _t(call, SME.tensordot(sa, sb, xa, xb, bindings=call.bindings, what=what), a, b)


@tf_kops((*tf("einsum", "linalg.einsum"),), (*kops("einsum"),))
def tf_einsum(call: Call, api: Api) -> Value:
    eq = call.str(0, "equation") if call.has(0, "equation") else None
    ops = [tensor_of(v) for v in call.args[1:]]
    ts = [t for t in ops if t is not None]
    if eq is None or not ts or len(ts) != len(ops):
        return UNKNOWN
    return _t(call, SME.einsum(eq, [_shape(call, t) for t in ts], bindings=call.bindings), *ts)
