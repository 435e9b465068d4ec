"""Shape rules every framework shares: broadcasting, matrix products, joins."""
from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Sequence
from typing import Optional, TypeVar

from .. import dims as D
from ..findings import Fix, ShapeError, Text
from ..framework import Framework
from ..shape_math import broadcast as SM
from ..shape_math import matmul as SMM
from ..shape_math.require import require_rank as _require_rank
from ..shapes import Shape, norm_axis
from ..values import UNKNOWN, Dict, Seq, Tensor, Value, tensor_of
from .registry import Call

T = TypeVar("T")

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
    """The broadcast of ``shapes`` (``shape_math.broadcast``) under the call's bindings."""
    return SM.broadcast(shapes, call.bindings, kind, what)


is_outer_product = SM.is_outer_product


# ---------------------------------------------------------------------------------- matrix products
def _wrapped(text: str) -> bool:
    """Whether ``text`` is one parenthesised expression, ``(a + b)`` (not ``(a) + (b)``)."""
    if not (text.startswith("(") and text.endswith(")")):
        return False
    depth = 0
    for i, ch in enumerate(text):
        depth += ch == "("
        depth -= ch == ")"
        if depth == 0 and i < len(text) - 1:
            return False
    return True


def _operand(text: str) -> str:
    """``text`` ready for a method suffix: parenthesised unless it is a name, an attribute, a call
    or a subscript (``w``, ``self.w``, ``torch.randn(3, 4)``, ``w[0]``)."""
    import ast

    if text.replace(".", "").replace("_", "").isalnum() or _wrapped(text):
        return text
    try:
        tree = ast.parse(text.strip(), mode="eval").body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return f"({text})"
    return text if isinstance(tree, (ast.Name, ast.Attribute, ast.Call, ast.Subscript)) else f"({text})"


# a torch operand written transposed: its last two axes swapped (any rank), or a matrix's .T / .t()
_LAST_TWO_SWAPPED = re.compile(r"\.(?:mT|transpose\(\s*(?:-2\s*,\s*-1|-1\s*,\s*-2)\s*\))$")
_TRANSPOSED = re.compile(r"\.(?:T|mT|t\(\s*\)|transpose\(\s*(?:-2\s*,\s*-1|-1\s*,\s*-2|0\s*,\s*1|1\s*,\s*0)\s*\))$")


def transpose_text(text: str, fw: str, rank: Optional[int]) -> str:
    """How ``fw`` spells "swap the last two axes of ``text``" for an operand of ``rank``."""
    batched = rank is not None and rank > 2
    if fw == Framework.TF:
        return f"tf.linalg.matrix_transpose({text})" if batched else f"tf.transpose({text})"
    if fw == Framework.KERAS:
        return f"keras.ops.swapaxes({text}, -1, -2)" if batched else f"keras.ops.transpose({text})"
    if fw == Framework.NUMPY and batched:  # ndarray.T reverses every axis
        return f"np.swapaxes({text}, -1, -2)"
    # the operand is already a transpose (``w.T``, ``k.transpose(-2, -1)``): drop it, not ``w.T.T``
    m = (_LAST_TWO_SWAPPED if batched else _TRANSPOSED).search(text)
    if m is not None and m.start() > 0 and _operand(text[:m.start()]) == text[:m.start()]:
        return text[:m.start()]
    if batched:
        return f"{_operand(text)}.transpose(-2, -1)"
    return f"{_operand(text)}.T"


_IN_WORDS = {SMM.Fits.TRANSPOSE_A: ("the first operand transposed", "transpose the first operand"),
             SMM.Fits.TRANSPOSE_B: ("the second operand transposed", "transpose the second operand"),
             SMM.Fits.SWAP: ("to swap the operands", "swap the operands")}


def matmul_speller(call: Call, fw: str, keys: tuple, a: Shape, b: Shape,
                   swapped: Optional[str] = None) -> SMM.Speller:
    """Spell ``Fits`` for an operator or a function without transpose flags: transpose an operand
    in ``fw``'s own words, or swap the operands (``swapped``: how to say the swapped call, ``b @ a``
    by default). ``keys``: the operands' argument keys; each fix carries the call rewritten."""
    ka, kb = keys
    ta, tb = call.text(ka), call.text(kb)

    def spell(fit: SMM.Fits) -> tuple[str, Fix]:
        if "?" in (ta, tb):  # an operand whose text is not at hand (a list's item): in words, no rewrite
            phrase, advice = _IN_WORDS[fit]
            return phrase, Fix(advice)
        if fit is SMM.Fits.TRANSPOSE_B:
            fixed = transpose_text(tb, fw, b.rank)
            return fixed, call.fix(f"use {fixed}", {kb: fixed})
        if fit is SMM.Fits.TRANSPOSE_A:
            fixed = transpose_text(ta, fw, a.rank)
            return fixed, call.fix(f"use {fixed}", {ka: fixed})
        sw = swapped or f"{tb} @ {ta}"
        return f"to swap the operands ({sw})", call.fix(f"swap the operands: {sw}", {ka: tb, kb: ta})

    return spell


def noting(call: Call, run: Callable[[], T], decided: bool) -> T:
    """``run()``, a rule's check at ``call.node``, with its outcome noted for the fixes of that node
    (``AnalysisState.uses``): the code may run more than once (a function called from two places),
    and a fix that rewrites it is safe only where every run wanted that same rewrite. ``decided``:
    the sizes that decide the check are known in this run (a run on flexible sizes, the generic run
    of a function, says nothing: its sizes fit whatever comes)."""
    key = id(call.node)
    try:
        out = run()
    except ShapeError as e:
        fix = e.fix
        if fix is not None and fix.replacement is not None and fix.target is call.node:
            call.ctx.uses.setdefault(key, set()).add(fix.replacement)
            e.fix = dataclasses.replace(fix, agree=(key, fix.replacement))
        raise
    if decided and call.node is not None:
        call.ctx.uses.setdefault(key, set()).add(None)  # this run fits as written
    return out


def decided(*shapes: Shape, dims: Optional[Sequence[D.Dim]] = None) -> bool:
    """Whether ``dims`` (default: every size of ``shapes``) are known apart from flexible sizes."""
    if dims is None:
        if any(s.variadic for s in shapes):
            return False
        dims = [d for s in shapes for d in s.dims]
    return all(d is not None and not D.has_flexible(d) for d in dims)


def contracted(a: Shape, b: Shape) -> Optional[list]:
    """The two sizes a product contracts (``a[-1]``, ``b[-2]`` or a vector's only size), None where
    the shapes do not say."""
    if not a.dims or not b.dims or (b.variadic and len(b.dims) < 2):
        return None
    return [a.dims[-1], b.dims[0] if b.rank == 1 else b.dims[-2]]


def matmul_shape(call: Call, a: Shape, b: Shape, kind_rank: str = "operand-rank", name: str = "matmul",
                 texts: tuple = ("a", "b"), fw: Optional[str] = None, swapped: Optional[str] = None) -> Shape:
    """``a @ b`` (``shape_math.matmul``), with fixes spelled for ``fw`` (default: the call's framework)."""
    spell_fw = fw if fw is not None else call.fw
    a, b = a.resolved(call.bindings), b.resolved(call.bindings)
    k = contracted(a, b)
    return noting(call, lambda: SMM.matmul(a, b, call.bindings, name=name, kind_rank=kind_rank,
                                           speller=matmul_speller(call, spell_fw, texts, a, b, swapped)),
                  k is not None and decided(dims=k))


def require_rank(call: Call, t: Tensor, ranks: Sequence[int], kind: str, what: str) -> None:
    """``shape_math.require.require_rank`` on a tensor argument."""
    _require_rank(t.shape, ranks, kind, what)


def axis_of(call: Call, axis: int, rank: int, what: Text) -> int:
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
    if tag is None or rule is None:
        return ""
    short = kind.replace("torch.nn.", "nn.").replace("keras.layers.", "")
    owner = f"torch stores {short}.{attr}" if rule.framework == "torch" else f"Keras/TF store the {short} {attr}"
    return layout_note(tag, owner, dest, src)


def check_weight_assignment(call: Call, role: Optional[str], dest: Shape, src: Shape, how: str, *,
                            tied: bool = False) -> None:
    """SHP601 when a weight gets a tensor of another shape (naming the layout where it is the other one).

    ``tied``: the tensor is another layer's parameter (``decoder.weight = encoder.weight``). Tying
    is meant for equal sizes that the caller chooses (``Embedding(ntoken, ninp)`` tied to
    ``Linear(nhid, ntoken)`` works where ninp == nhid), so two different constructor parameters are
    no finding there: only sizes that can never be equal (or a different rank) are."""
    dest, src = dest.resolved(call.bindings), src.resolved(call.bindings)
    if dest.variadic or src.variadic:
        return
    if dest.same(src, call.bindings) is not D.FALSE:
        return
    if tied and len(dest.dims) == len(src.dims) and not any(
            D.never_equal(x, y, call.bindings) for x, y in zip(dest.dims, src.dims)):
        return
    note = _layout_note(role, dest, src) if role else ""
    target = role.replace("torch.nn.", "nn.") if role else "the parameter"
    if not note and not role:
        return
    raise ShapeError("weight-layout", f"{how} a {src} tensor into {target} of shape {dest}{note}")


def tensor_leaves(v: Value, kinds: tuple = ("tuple", "list"), dicts: bool = True) -> Optional[list]:
    """The tensors of a nested structure, in order: sequences of the given ``kinds`` and (where
    ``dicts``) dicts keyed by names are walked; None where a leaf is not a tensor (an unannotated
    parameter counts as one). ``tf.data`` structures are tuples and dicts (a list is an array);
    TF1 RNN inputs are lists of steps; a Keras functional model's inputs may be any of them."""
    t = tensor_of(v)
    if t is not None:
        return [t]
    parts = list(v.items) if isinstance(v, Seq) and v.kind in kinds and v.items else (
        list(v.items.values()) if dicts and isinstance(v, Dict) and v.items
        and all(isinstance(k, str) for k in v.items) else None)
    if parts is None:
        return None
    out: list = []
    for x in parts:
        got = tensor_leaves(x, kinds, dicts)
        if got is None:
            return None
        out += got
    return out
