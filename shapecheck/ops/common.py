"""Shape rules every framework shares: broadcasting, matrix products, joins."""
from __future__ import annotations

from typing import Optional, Sequence

from .. import dims as D
from ..dims import Dim
from ..findings import Fix, ShapeError
from ..shapes import Shape, norm_axis
from ..values import UNKNOWN, Tensor, Value
from .registry import Call, mismatch_note


# Tensor.role of a result whose new size-1 axis was written on purpose (x[:, None], unsqueeze,
# reshape(-1, 1), np.newaxis, expand_dims): broadcasting it against a row is meant (no SHP502).
AXIS_ADDED = "axis-added"


def out_fw(*ts: Optional[Tensor]) -> str:
    for t in ts:
        if t is not None and t.fw != "any":
            return t.fw
    return "torch"


def out_dtype(*ts: Optional[Tensor]) -> Optional[str]:
    kinds = {t.dtype for t in ts if t is not None}
    if "float" in kinds:
        return "float"
    if len(kinds) == 1:
        return kinds.pop()
    return None


# ---------------------------------------------------------------------------------- broadcasting
def broadcast_shapes(call: Call, shapes: Sequence[Shape], kind: str = "broadcast-mismatch",
                     what: str = "elementwise op") -> Shape:
    """The broadcast of ``shapes``; raises ``kind`` where two sizes provably neither match nor are 1."""
    shapes = [s.resolved(call.bindings) for s in shapes]
    n = max(len(s.dims) for s in shapes)
    variadic = any(s.variadic for s in shapes)
    out: list = []
    for i in range(1, n + 1):
        cur: Optional[Dim] = None
        cur_known = True
        for s in shapes:
            if i > len(s.dims):
                if s.variadic:
                    cur_known = False
                continue
            d = s.dims[-i]
            if cur is None:
                cur = d
                continue
            if D.as_int(d) == 1:
                continue
            if D.as_int(cur) == 1:
                cur = d
                continue
            t = D.compare(cur, d, call.bindings, unify=False)
            if t is D.FALSE:
                axis = -i
                raise ShapeError(kind, lambda: (
                    f"{what} between {_list(shapes)}: sizes {D.fmt(cur)} and {D.fmt(d)} at axis {axis} do not "
                    f"broadcast (each must be equal or 1){mismatch_note(cur, d)}"))
            if t is D.UNKNOWN:
                # Could be 1 or equal: keep the one that is not flexible, unify no further.
                if D.is_flexible(cur) and not D.is_flexible(d):
                    cur = d
        if not cur_known and cur is not None and D.as_int(cur) == 1:
            cur = D.flexible("n")
        out.append(cur)
    return Shape(tuple(reversed(out)), variadic)


def _list(shapes: Sequence[Shape]) -> str:
    return " and ".join(str(s) for s in shapes)


def is_outer_product(a: Shape, b: Shape) -> bool:
    """A column (n, 1) against a row (1, m) / (m,) with n, m > 1: an outer product built by accident."""
    if a.variadic or b.variadic:
        return False

    def col(s: Shape) -> bool:
        return len(s.dims) == 2 and D.as_int(s.dims[1]) == 1 and (D.as_int(s.dims[0]) or 0) > 1

    def row(s: Shape) -> bool:
        if len(s.dims) == 2:
            return D.as_int(s.dims[0]) == 1 and (D.as_int(s.dims[1]) or 0) > 1
        return len(s.dims) == 1 and (D.as_int(s.dims[0]) or 0) > 1

    return (col(a) and row(b)) or (row(a) and col(b) and len(a.dims) == 2)


# ---------------------------------------------------------------------------------- matrix products
def _t(s: Shape) -> Shape:
    """Swap the last two axes."""
    if len(s.dims) < 2:
        return s
    return Shape(s.dims[:-2] + (s.dims[-1], s.dims[-2]), s.variadic)


def _transpose_text(text: str, fw: str, rank: Optional[int]) -> str:
    simple = text.replace(".", "").replace("_", "").isalnum()
    base = text if simple else f"({text})"
    if fw == "torch" and rank is not None and rank > 2:
        return f"{base}.transpose(-2, -1)"
    if fw == "tf":
        return f"tf.transpose({text})"
    return f"{base}.T"


def matmul_shape(call: Call, a: Shape, b: Shape, kind_rank: str = "operand-rank", name: str = "matmul",
                 texts: tuple = ("a", "b")) -> Shape:
    """``a @ b`` with NumPy/torch semantics (1-D promotion, batch broadcasting)."""
    a, b = a.resolved(call.bindings), b.resolved(call.bindings)
    if a.rank == 0 or b.rank == 0:
        raise ShapeError(kind_rank, f"{name} of {a} and {b}: operands must be at least 1-D")
    if (a.variadic and not a.dims) or (b.variadic and not b.dims):
        return _matmul_partial(a, b)
    ka = a.dims[-1]
    if b.rank == 1:
        kb = b.dims[0]
    elif len(b.dims) >= 2:
        kb = b.dims[-2]
    else:
        return _matmul_partial(a, b)
    t = D.compare(ka, kb, call.bindings)
    if t is D.FALSE:
        raise _inner_mismatch(call, a, b, ka, kb, name, texts)
    # result
    if len(a.dims) < 2 and a.rank != 1:  # (*, k): a vector or a batch of matrices
        return Shape((b.dims[-1],), True) if len(b.dims) >= 2 else Shape.unknown()
    if len(b.dims) < 2 and b.rank != 1:
        return Shape.unknown()
    if a.rank == 1 and b.rank == 1:
        return Shape(())
    if a.rank == 1:
        return Shape(b.dims[:-2] + (b.dims[-1],), b.variadic)
    if b.rank == 1:
        return Shape(a.dims[:-1], a.variadic)
    batch = Shape(())
    ba, bb = Shape(a.dims[:-2], a.variadic), Shape(b.dims[:-2], b.variadic)
    if ba.dims or bb.dims or ba.variadic or bb.variadic:
        try:
            batch = broadcast_shapes(call, [ba, bb], kind="batch-mismatch", what=f"batch dims of {name}")
        except ShapeError:
            raise ShapeError("batch-mismatch", f"{name} of {a} and {b}: batch dims {ba} and {bb} are neither "
                                               f"equal nor broadcastable") from None
    return Shape(batch.dims + (a.dims[-2], b.dims[-1]), batch.variadic)


def _matmul_partial(a: Shape, b: Shape) -> Shape:
    if a.variadic and not a.dims and len(b.dims) >= 2 and not b.variadic:
        return Shape((b.dims[-1],), True)
    if b.variadic and not b.dims and len(a.dims) >= 2:
        return Shape(a.dims[:-1] + (D.flexible("n"),), True)
    return Shape.unknown()


def _inner_mismatch(call: Call, a: Shape, b: Shape, ka: Dim, kb: Dim, name: str, texts: tuple) -> ShapeError:
    """SHP101, or SHP102 where a transpose or a swap of the operands makes the product fit."""
    ta, tb = call.text(texts[0]), call.text(texts[1])
    msg = f"{name} of {a} and {b}: contracted sizes differ, {D.fmt(ka)} != {D.fmt(kb)}{mismatch_note(ka, kb)}"
    fw = call.fw
    if b.rank is not None and b.rank >= 2 and not b.variadic and D.compare(ka, b.dims[-1], None, unify=False) is D.TRUE:
        fixed = _transpose_text(tb, fw, b.rank)
        return ShapeError("missing-transpose", f"{msg}; did you mean {fixed}?", Fix(f"use {fixed}", None))
    if a.rank is not None and a.rank >= 2 and not a.variadic and D.compare(a.dims[-2], kb, None, unify=False) is D.TRUE:
        fixed = _transpose_text(ta, fw, a.rank)
        return ShapeError("missing-transpose", f"{msg}; did you mean {fixed}?", Fix(f"use {fixed}", None))
    if (a.rank == 2 and b.rank == 2 and D.compare(b.dims[1], a.dims[0], None, unify=False) is D.TRUE):
        return ShapeError("missing-transpose", f"{msg}; did you mean to swap the operands ({tb} @ {ta})?",
                          Fix(f"swap the operands: {tb} @ {ta}", None))
    return ShapeError("matmul-mismatch", msg)


def require_rank(call: Call, t: Tensor, ranks: Sequence[int], kind: str, what: str) -> None:
    r = t.shape.rank
    if r is not None and r not in ranks:
        want = " or ".join(f"{x}-D" for x in ranks)
        raise ShapeError(kind, f"{what} expects a {want} tensor, got {r}-D {t.shape}")
    if r is None and len(t.shape.dims) > max(ranks):
        raise ShapeError(kind, f"{what} expects at most {max(ranks)}-D, got at least {len(t.shape.dims)}-D {t.shape}")


def axis_of(call: Call, axis: int, rank: int, what: str) -> int:
    n = norm_axis(axis, rank)
    if n is None:
        raise ShapeError("axis-out-of-range",
                         f"{what}: axis {axis} is out of range for a {rank}-D tensor (valid: {-rank} to {rank - 1})"
                         if rank else f"{what}: axis {axis} is out of range for a 0-D tensor")
    return n


def unknown_like(t: Optional[Tensor]) -> Value:
    return UNKNOWN if t is None else Tensor(Shape.unknown(), t.fw)


# ---------------------------------------------------------------------------------- weight layouts
def _layout_note(role: str, dest: Shape, src: Shape) -> str:
    """Which other known layout ``src`` is in, where ``dest`` is the weight ``role``
    (``torch.nn.Linear.weight``): the layer rule declares its weights' layout tags (``"oi"``,
    ``"kio"``...), and ``shape_math.layout`` permutes them; a weight without a tag gets no note."""
    # imported here: this section's imports stay out of the module header the tensor-math rules share
    from ..shape_math.layout import layout_note
    from .registry import lookup_layer

    kind, _, attr = role.rpartition(".")
    rule = lookup_layer(kind)
    tag = (getattr(rule, "layouts", None) or {}).get(attr) if rule is not None else None
    if tag is None:
        return ""
    short = kind.replace("torch.nn.", "nn.").replace("keras.layers.", "")
    owner = f"torch stores {short}.{attr}" if rule.framework == "torch" else f"Keras/TF store the {short} {attr}"
    return layout_note(tag, owner, dest, src)


def check_weight_assignment(call: Call, role: Optional[str], dest: Shape, src: Shape, how: str) -> None:
    """SHP601 when a weight gets a tensor of another shape (naming the layout where it is the other one)."""
    dest, src = dest.resolved(call.bindings), src.resolved(call.bindings)
    if dest.variadic or src.variadic:
        return
    if dest.same(src, call.bindings) is not D.FALSE:
        return
    note = _layout_note(role, dest, src) if role else ""
    target = role.replace("torch.nn.", "nn.") if role else "the parameter"
    if not note and not role:
        return
    raise ShapeError("weight-layout", f"{how} a {src} tensor into {target} of shape {dest}{note}")
