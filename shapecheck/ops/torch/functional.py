"""torch.nn.functional: the functional forms of the layers (``F.linear``, ``F.conv2d``, pools,
normalizations, losses, attention), sharing the size arithmetic of the layer modules.

Only ``torch.nn.functional.*`` names (and a few ``torch.*`` aliases no other family registers)
are registered here; shape-preserving activations live in ``ops/tensor.py``.
"""
from __future__ import annotations

from typing import Optional

from ... import dims as D
from ...findings import ShapeError
from ...shape_math.features import require_feature, require_feature_dropout_rank
from ...shape_math.require import mismatch_note
from ...shapes import Shape
from ...values import UNKNOWN, Const, Seq, Tensor, Value, as_dim
from ..common import axis_of, broadcast_shapes, matmul_shape, transpose_text
from ..registry import FUNCS, Call, shape_rule
from ..tensor.operators import same_shape
from .base import F, check_min_rank, check_rank, const_of, feature_mismatch, fn, ntuple
from .conv import conv_forward
from .losses import class_loss, elementwise_loss
from .normalization import layer_norm_forward
from .pooling import adaptive_forward, pool_forward
from .reshaping import (
    cosine_similarity_shape,
    fold_shape,
    glu_forward,
    interpolate_forward,
    pad_shape,
    pairwise_distance_shape,
    pixel_shuffle_forward,
    require_reflect_pads,
    unfold_shape,
)


def also(names: tuple, extra: tuple) -> tuple:
    """``names`` plus ``extra`` aliases that no other family has registered."""
    return names + tuple(n for n in extra if n not in FUNCS)


# ---------------------------------------------------------------------------------- linear
@shape_rule(*also(fn("linear"), ("torch._C._nn.linear",)))
def linear(call: Call) -> Value:
    """linear(x, W, b) = x @ W.T + b with W stored (out, in)."""
    x, w = call.tensor(0, "input"), call.tensor(1, "weight")
    if x is None or w is None:
        return UNKNOWN
    xs, ws = call.shape(x), call.shape(w)
    if ws.rank is not None and ws.rank not in (1, 2):
        raise ShapeError("operand-rank", f"linear expects a 2-D weight (out_features, in_features), got {ws.rank}-D "
                                         f"{ws}")
    if xs.rank == 0:
        raise ShapeError("operand-rank", "linear expects an input of at least 1-D, got a 0-D tensor")
    if ws.rank == 2 and xs.dims:
        fin = xs.dims[-1]
        out_f, in_f = ws.dims
        if D.compare(fin, in_f, call.bindings) is D.FALSE:
            wkey = 1 if call.has(1) else "weight"
            wt: str = call.text(wkey)
            if D.compare(fin, out_f, None, unify=False) is D.TRUE:
                fixed = transpose_text(wt, "torch", 2)
                raise ShapeError("weight-layout", lambda: (
                    f"linear computes input @ weight.T, and torch stores Linear.weight as (out, in); the weight "
                    f"{ws} looks like (in, out) = ({D.fmt(out_f)}, {D.fmt(in_f)}) for input {xs}: its axis 0 "
                    f"({D.fmt(out_f)}) matches the input's features, its axis 1 ({D.fmt(in_f)}) does not; "
                    f"pass {fixed}"), call.fix(f"use {fixed}", {wkey: fixed}))
            # F.linear is a product, not a layer: a plain mismatch stays SHP101, a flattened one SHP303
            require_feature(xs, -1, in_f, "in_features", f"linear with weight {ws} (out, in)", bindings=call.bindings,
                            kind="matmul-mismatch", fix_param=False)
    if ws.rank == 1:
        if not call.is_none(2, "bias"):
            raise ShapeError("operand-rank", f"linear with a bias needs a 2-D weight (out_features, in_features), "
                                             f"got 1-D {ws}")
        out = matmul_shape(call, xs, ws, name="linear")
    elif ws.rank == 2:
        out = Shape(xs.dims[:-1] + (ws.dims[0],), xs.variadic) if xs.dims else Shape((ws.dims[0],), True)
    else:
        return Tensor(Shape.unknown(), "torch", "float")
    b = call.tensor(2, "bias")
    if b is not None:
        bs = call.shape(b)
        grown = broadcast_shapes(call, [out, bs], what="linear bias")
        # the bias is added in place of the output (addmm): it may not grow it
        if out.same(grown, None) is D.FALSE:
            raise ShapeError("broadcast-mismatch", f"linear: bias {bs} does not fit the output {out} "
                                                   f"(it must be (out_features,) = ({D.fmt(out.dims[-1])},) or 1)")
    return Tensor(out, "torch", "float")


@shape_rule(*fn("bilinear"))
def bilinear(call: Call) -> Value:
    a, b, w = call.tensor(0, "input1"), call.tensor(1, "input2"), call.tensor(2, "weight")
    if a is None or b is None or w is None:
        return UNKNOWN
    sa, sb, sw = call.shape(a), call.shape(b), call.shape(w)
    if sw.rank is not None and sw.rank != 3:
        raise ShapeError("operand-rank", f"bilinear expects a 3-D weight (out, in1, in2), got {sw.rank}-D {sw}")
    if sw.rank != 3:
        return Tensor(Shape.unknown(), "torch", "float")
    out_f, in1, in2 = sw.dims
    for what, s, want in (("input1", sa, in1), ("input2", sb, in2)):
        require_feature(s, -1, want, f"{what[:2]}{what[-1]}_features", f"bilinear ({what}) with weight {sw}",
                        bindings=call.bindings, kind="matmul-mismatch", fix_param=False)
    if not sa.dims:
        return Tensor(Shape((out_f,), True), "torch", "float")
    return Tensor(sa.replace_last(1, [out_f]), "torch", "float")


# ---------------------------------------------------------------------------------- convolutions
def _conv_fn(n: int, transposed: bool):
    def rule(call: Call) -> Value:
        x, w = call.tensor(0, "input"), call.tensor(1, "weight")
        if x is None or w is None:
            return UNKNOWN
        name = f"conv{'_transpose' if transposed else ''}{n}d"
        xs, ws = call.shape(x), call.shape(w)
        if ws.rank is not None and ws.rank != n + 2:
            layout = "(in, out/groups, *kernel)" if transposed else "(out, in/groups, *kernel)"
            raise ShapeError("layer-rank", f"{name} expects a {n + 2}-D weight {layout}, got {ws.rank}-D {ws}")
        if ws.rank != n + 2:
            return Tensor(Shape.unknown(), "torch", "float")
        st = ntuple(call.get(3, "stride", 1), n)
        if transposed:
            pv = call.get(4, "padding", 0)
            op = ntuple(call.get(5, "output_padding", 0), n)
            groups = call.dim(6, "groups", 1)
            d = ntuple(call.get(7, "dilation", 1), n)
        else:
            pv = call.get(4, "padding", 0)
            d = ntuple(call.get(5, "dilation", 1), n)
            groups = call.dim(6, "groups", 1)
            op = (0,) * n
        ps = const_of(pv)
        p = ("same" if ps == "same" else (0,) * n if ps == "valid" else None) if isinstance(ps, str) else ntuple(pv, n)
        if isinstance(ps, str) and (transposed or ps not in ("same", "valid")):
            return Tensor(Shape.unknown(), "torch", "float")
        k = tuple(ws.dims[2:])
        if groups is None:
            return Tensor(Shape.unknown(), "torch", "float")
        if transposed:
            cin, cout = ws.dims[0], D.mul(ws.dims[1], groups)
        else:
            cin, cout = D.mul(ws.dims[1], groups), ws.dims[0]
            gi, oi = D.as_int(groups), D.as_int(cout)
            if gi and oi is not None and oi % gi:
                return Tensor(Shape.unknown(), "torch", "float")
        out = conv_forward(call, name, xs, n, transposed, cin, cout, k, st, p, d, op, groups)
        b = call.tensor(2, "bias")
        if b is not None and isinstance(out, Tensor):
            bs = call.shape(b)
            have = bs.dim(0) if bs.rank == 1 else None
            if bs.rank is not None and bs.rank != 1:
                raise ShapeError("layer-rank", f"{name} expects a 1-D bias (out_channels,), got {bs.rank}-D {bs}")
            if have is not None and D.compare(have, cout, call.bindings) is D.FALSE:
                raise ShapeError("layer-input-mismatch", f"{name}: bias {bs} has {D.fmt(have)} entries but the weight "
                                                         f"{ws} gives {D.fmt(cout)} output channels")
        return out
    return rule


for _n in (1, 2, 3):
    shape_rule(*also(fn(f"conv{_n}d"), (f"torch.conv{_n}d",)))(_conv_fn(_n, False))
    shape_rule(*also(fn(f"conv_transpose{_n}d"), (f"torch.conv_transpose{_n}d",)))(_conv_fn(_n, True))


# ---------------------------------------------------------------------------------- pooling
def _pool_fn(n: int, kind: str):
    def rule(call: Call) -> Value:
        x = call.tensor(0, "input")
        if x is None:
            return UNKNOWN
        name = f"{kind}_pool{n}d"
        off = 1 if kind == "lp" else 0
        k = ntuple(call.get(off + 1, "kernel_size"), n)
        sv = call.get(off + 2, "stride", None)
        none = isinstance(sv, Const) and sv.value is None
        if isinstance(sv, Seq) and not sv.items:
            none = True  # torch accepts stride=[] as "default"
        st = k if none else ntuple(sv, n)
        ri: Optional[bool] = False
        if kind == "max":
            p = ntuple(call.get(3, "padding", 0), n)
            d = ntuple(call.get(4, "dilation", 1), n)
            ceil = call.bool(5, "ceil_mode", False)
            ri = call.bool(6, "return_indices", False)
        elif kind == "avg":
            p = ntuple(call.get(3, "padding", 0), n)
            d = (1,) * n
            ceil = call.bool(4, "ceil_mode", False)
        else:
            p, d = (0,) * n, (1,) * n
            ceil = call.bool(4, "ceil_mode", False)
        out = pool_forward(call, name, call.shape(x), n, k, st, p, d, ceil, avg3d=n == 3 and kind != "max")
        if ri is True:
            return Seq([out, Tensor(out.shape, "torch", "int")], "tuple")
        return out if ri is False else UNKNOWN
    return rule


for _n in (1, 2, 3):
    for _k in ("max", "avg", "lp"):
        shape_rule(*also(fn(f"{_k}_pool{_n}d"), (f"torch.{_k}_pool{_n}d",)))(_pool_fn(_n, _k))


def _adaptive_fn(n: int, is_max: bool):
    def rule(call: Call) -> Value:
        x = call.tensor(0, "input")
        if x is None:
            return UNKNOWN
        v = call.get(1, "output_size")
        sizes: Optional[list]
        if isinstance(v, Seq):
            sizes = [None if isinstance(i, Const) and i.value is None else as_dim(i) for i in v.items]
            if len(sizes) != n or any(s is None and not (isinstance(i, Const) and i.value is None)
                                      for s, i in zip(sizes, v.items)):
                sizes = None
        else:
            d = as_dim(v)
            sizes = [d] * n if d is not None else None
        out = adaptive_forward(f"adaptive_{'max' if is_max else 'avg'}_pool{n}d", call.shape(x), n, sizes)
        if is_max:
            ri = call.bool(2, "return_indices", False)
            if ri is True:
                return Seq([out, Tensor(out.shape, "torch", "int")], "tuple")
            if ri is None:
                return UNKNOWN
        return out
    return rule


for _n in (1, 2, 3):
    shape_rule(*fn(f"adaptive_avg_pool{_n}d"))(_adaptive_fn(_n, False))
    shape_rule(*fn(f"adaptive_max_pool{_n}d"))(_adaptive_fn(_n, True))
    shape_rule(*fn(f"adaptive_max_pool{_n}d_with_indices"))(_adaptive_fn(_n, True))
    shape_rule(*fn(f"max_pool{_n}d_with_indices"))(_pool_fn(_n, "max"))


# ---------------------------------------------------------------------------------- softmax & co
@shape_rule(*also(fn("softmax", "log_softmax", "softmin", "gumbel_softmax"),
                  ("torch.softmax", "torch.log_softmax", "torch.Tensor.softmax", "torch.Tensor.log_softmax",
                   "torch.special.softmax", "torch.special.log_softmax")))
def softmax(call: Call) -> Value:
    x = call.tensor(0, "logits" if call.qualname.endswith("gumbel_softmax") else "input")
    if x is None:
        return UNKNOWN
    s = call.shape(x)
    if call.qualname.endswith("gumbel_softmax"):
        dv = call.get(None, "dim", -1)
    else:
        dv = call.get(1, "dim", None)
    dim = as_dim(dv)
    short = call.qualname.rsplit(".", 1)[-1]
    di = D.as_int(dim) if dim is not None else None
    if di is not None and s.rank is not None:
        axis_of(call, di, max(s.rank, 1), f"{short}(dim={dim}) on {s}")
    return Tensor(s, x.fw, "float")


@shape_rule(*fn("glu"))
def glu(call: Call) -> Value:
    x = call.tensor(0, "input")
    if x is None:
        return UNKNOWN
    return glu_forward(call, "glu", call.shape(x), call.int(1, "dim", -1))


@shape_rule(*fn("normalize"))
def normalize(call: Call) -> Value:
    x = call.tensor(0, "input")
    if x is None:
        return UNKNOWN
    s = call.shape(x)
    dim = call.int(2, "dim", 1)
    if dim is not None and s.rank is not None:
        axis_of(call, dim, max(s.rank, 1), f"normalize(dim={dim}) on {s}")
    return Tensor(s, x.fw, "float")


@shape_rule(*fn("prelu"))
def prelu(call: Call) -> Value:
    x, w = call.tensor(0, "input"), call.tensor(1, "weight")
    if x is None:
        return UNKNOWN
    s = call.shape(x)
    if w is not None and s.rank is not None and s.rank >= 1:
        ws = call.shape(w)
        n = ws.dims[0] if ws.rank == 1 else None
        if n is not None and D.as_int(n) != 1 and s.rank >= 2:
            feature_mismatch(call, "prelu", s, 1 if s.rank >= 2 else 0, n, "weight.numel()")
    return Tensor(s, x.fw, "float")


@shape_rule(*fn("dropout2d", "dropout3d"))
def feature_dropout(call: Call) -> Value:
    """Channel-wise dropout: the input's shape, from at least 2-D (SHP405 below, as torch raises)."""
    x = call.tensor(0, "input")
    if x is None:
        return UNKNOWN
    if call.bool(2, "training", True) is not False:  # not training: the input comes back as it is
        name = call.qualname.rsplit(".", 1)[-1]
        require_feature_dropout_rank(name, call.shape(x), 2 if name == "dropout2d" else 1)
    return x


# Shape-preserving functional forms not in ops/tensor.py's list.
for _name in ("dropout1d", "rrelu", "rrelu_", "elu_", "leaky_relu_", "hardtanh_",
              "threshold_", "celu_", "selu_", "relu_", "silu", "tanh", "sigmoid", "hardswish"):
    if F + _name not in FUNCS:
        shape_rule(F + _name)(same_shape)


@shape_rule(*fn("local_response_norm"))
def local_response_norm(call: Call) -> Value:
    x = call.tensor(0, "input")
    if x is None:
        return UNKNOWN
    s = call.shape(x)
    check_min_rank("local_response_norm", s, 3)
    return Tensor(s, x.fw, "float")


# ---------------------------------------------------------------------------------- padding, resizing
@shape_rule(*fn("pad"))
def pad(call: Call) -> Value:
    x = call.tensor(0, "input")
    if x is None:
        return UNKNOWN
    s = call.shape(x)
    pads = call.dims(1, "pad")
    if pads is None or any(p is None for p in pads) or not isinstance(call.get(1, "pad"), Seq):
        return Tensor(Shape.unknown(), x.fw, x.dtype)
    if len(pads) % 2:
        raise ShapeError("layer-rank", f"pad: the pad sequence {tuple(D.fmt(p) for p in pads)} must have an even "
                                       f"length (pairs for the last axes)")
    if s.rank is not None and len(pads) // 2 > s.rank:
        raise ShapeError("layer-rank", f"pad: {len(pads)} pad values pad {len(pads) // 2} axes but the input {s} "
                                       f"has only {s.rank}")
    mode = call.str(2, "mode", "constant")
    if mode == "reflect":
        require_reflect_pads("pad(mode='reflect')", s, pads)
    out = pad_shape(s, pads)
    return Tensor(out if out is not None else Shape.unknown(), x.fw, x.dtype)


@shape_rule(*fn("interpolate", "upsample", "upsample_nearest", "upsample_bilinear"))
def interpolate(call: Call) -> Value:
    x = call.tensor(0, "input")
    if x is None:
        return UNKNOWN
    short = call.qualname.rsplit(".", 1)[-1]
    fixed = {"upsample_nearest": "nearest", "upsample_bilinear": "bilinear"}.get(short)
    mode = fixed or call.str(3, "mode", "nearest")
    if not fixed and call.has(3, "mode") and mode is None:
        return Tensor(Shape.unknown(), "torch", "float")
    return interpolate_forward(call, f"{short}", call.shape(x), call.get(1, "size", None),
                               call.get(2, "scale_factor", None), mode)


@shape_rule(*fn("pixel_shuffle", "pixel_unshuffle"))
def pixel_shuffle(call: Call) -> Value:
    x = call.tensor(0, "input")
    if x is None:
        return UNKNOWN
    inverse = call.qualname.endswith("unshuffle")
    r = call.dim(1, "downscale_factor" if inverse else "upscale_factor")
    return pixel_shuffle_forward(call, f"{call.qualname.rsplit('.', 1)[-1]}", call.shape(x), r, inverse)


@shape_rule(*fn("one_hot"))
def one_hot(call: Call) -> Value:
    x = call.tensor(0, "tensor")
    if x is None:
        return UNKNOWN
    s = call.shape(x)
    n = call.dim(1, "num_classes", -1)
    if n is None or D.as_int(n) == -1:
        n = D.flexible("num_classes")  # data-dependent: max(tensor) + 1
    return Tensor(Shape(s.dims + (n,), s.variadic), "torch", "int")


@shape_rule(*also(fn("embedding"), ("torch.embedding",)))
def embedding(call: Call) -> Value:
    x, w = call.tensor(0, "input"), call.tensor(1, "weight")
    if x is None or w is None:
        return UNKNOWN
    ws = call.shape(w)
    if ws.rank is not None and ws.rank != 2:
        raise ShapeError("operand-rank", f"embedding expects a 2-D weight (num_embeddings, embedding_dim), got "
                                         f"{ws.rank}-D {ws}")
    s = call.shape(x)
    if ws.rank != 2:
        return Tensor(Shape.unknown(), "torch", "float")
    return Tensor(Shape(s.dims + (ws.dims[1],), s.variadic), "torch", "float")


# ---------------------------------------------------------------------------------- normalization
@shape_rule(*fn("layer_norm", "rms_norm"))
def layer_norm(call: Call) -> Value:
    x = call.tensor(0, "input")
    if x is None:
        return UNKNOWN
    ns = call.dims(1, "normalized_shape")
    if ns is not None and any(d is None for d in ns):
        ns = None
    name = f"{call.qualname.rsplit('.', 1)[-1]}"
    nst = tuple(ns) if ns is not None else None
    for i, key in ((2, "weight"), (3, "bias")):
        t = call.tensor(i, key)
        if t is not None and nst is not None and not (name == "rms_norm" and key == "bias"):
            ts = call.shape(t)
            if ts.rank is not None and ts.same(Shape(nst), call.bindings) is D.FALSE:
                raise ShapeError("layer-input-mismatch", f"{name}: {key} {ts} must have normalized_shape "
                                                         f"{Shape(nst)}")
    return layer_norm_forward(call, name, call.shape(x), nst)


def _channel_check(call: Call, name: str, s: Shape, what: str, t: Optional[Tensor]) -> None:
    if t is None or s.rank is None or s.rank < 2:
        return
    ts = call.shape(t)
    if ts.rank != 1:
        return
    require_feature(s, 1, ts.dims[0], "num_features", f"{name} with {what} {ts}", bindings=call.bindings,
                    fix_param=False)


@shape_rule(*fn("batch_norm"))
def batch_norm(call: Call) -> Value:
    x = call.tensor(0, "input")
    if x is None:
        return UNKNOWN
    s = call.shape(x)
    check_min_rank("batch_norm", s, 2)
    for i, key in ((1, "running_mean"), (2, "running_var"), (3, "weight"), (4, "bias")):
        _channel_check(call, "batch_norm", s, key, call.tensor(i, key))
    return Tensor(s, x.fw, "float")


@shape_rule(*fn("instance_norm"))
def instance_norm(call: Call) -> Value:
    x = call.tensor(0, "input")
    if x is None:
        return UNKNOWN
    s = call.shape(x)
    for i, key in ((1, "running_mean"), (2, "running_var"), (3, "weight"), (4, "bias")):
        _channel_check(call, "instance_norm", s, key, call.tensor(i, key))
    return Tensor(s, x.fw, "float")


@shape_rule(*fn("group_norm"))
def group_norm(call: Call) -> Value:
    x = call.tensor(0, "input")
    if x is None:
        return UNKNOWN
    s = call.shape(x)
    check_min_rank("group_norm", s, 2)
    g = call.dim(1, "num_groups")
    if s.rank is not None and g is not None:
        ci, gi = D.as_int(s.dims[1]), D.as_int(g)
        if ci is not None and gi and ci % gi:
            raise ShapeError("layer-input-mismatch", f"group_norm: {ci} channels at axis 1 of {s} cannot be split "
                                                     f"into {gi} groups")
    for i, key in ((2, "weight"), (3, "bias")):
        _channel_check(call, "group_norm", s, key, call.tensor(i, key))
    return Tensor(s, x.fw, "float")


# ---------------------------------------------------------------------------------- losses
def _reduction(call: Call, pos: int) -> Optional[str]:
    if any(k in call.kwargs for k in ("size_average", "reduce")):
        return None
    v = call.get(pos, "reduction", "mean")
    return v.value if isinstance(v, Const) and isinstance(v.value, str) else None


_LOSS_REDUCTION_POS = {"mse_loss": 4, "l1_loss": 4, "smooth_l1_loss": 4, "huber_loss": 2,
                       "binary_cross_entropy": 5, "binary_cross_entropy_with_logits": 5, "kl_div": 4,
                       "soft_margin_loss": 4, "poisson_nll_loss": 7}


@shape_rule(*fn(*_LOSS_REDUCTION_POS))
def loss_elementwise(call: Call) -> Value:
    name = call.qualname.rsplit(".", 1)[-1]
    inp, tgt = call.tensor(0, "input"), call.tensor(1, "target")
    return elementwise_loss(call, name, inp, tgt, _reduction(call, _LOSS_REDUCTION_POS[name]))


@shape_rule(*fn("cross_entropy", "nll_loss"))
def loss_class(call: Call) -> Value:
    name = call.qualname.rsplit(".", 1)[-1]
    pos = 6  # cross_entropy and nll_loss: (input, target, weight, size_average, ignore_index, reduce, reduction)
    return class_loss(call, name, call.tensor(0, "input"), call.tensor(1, "target"), _reduction(call, pos),
                      name == "cross_entropy")


# ---------------------------------------------------------------------------------- similarity, attention
@shape_rule(*also(fn("cosine_similarity"), ("torch.cosine_similarity",)))
def cosine_similarity(call: Call) -> Value:
    a, b = call.tensor(0, "x1"), call.tensor(1, "x2")
    if a is None or b is None:
        return UNKNOWN
    return cosine_similarity_shape(call, "cosine_similarity", call.shape(a), call.shape(b), call.int(2, "dim", 1))


@shape_rule(*also(fn("pairwise_distance"), ("torch.pairwise_distance",)))
def pairwise_distance(call: Call) -> Value:
    a, b = call.tensor(0, "x1"), call.tensor(1, "x2")
    if a is None or b is None:
        return UNKNOWN
    return pairwise_distance_shape(call, "pairwise_distance", call.shape(a), call.shape(b),
                                   call.bool(4, "keepdim", False))


@shape_rule(*fn("scaled_dot_product_attention"))
def scaled_dot_product_attention(call: Call) -> Value:
    """q (..., L, E), k (..., S, E), v (..., S, Ev) -> (..., L, Ev)."""
    q, k, v = call.tensor(0, "query"), call.tensor(1, "key"), call.tensor(2, "value")
    if q is None or k is None or v is None:
        return UNKNOWN
    qs, ks, vs = call.shape(q), call.shape(k), call.shape(v)
    name = "scaled_dot_product_attention"
    for what, s in (("query", qs), ("key", ks), ("value", vs)):
        if s.rank is not None and s.rank < 2:
            raise ShapeError("operand-rank", f"{name} expects {what} of at least 2-D (..., L, E), got {s.rank}-D {s}")
    eq, ek = qs.dim(-1), ks.dim(-1)
    if eq is not None and ek is not None and D.compare(eq, ek, call.bindings) is D.FALSE:
        raise ShapeError("matmul-mismatch", lambda: (
            f"{name}: query {qs} and key {ks} differ in the embedding size at axis -1 ({D.fmt(eq)} != {D.fmt(ek)})"
            f"{mismatch_note(eq, ek)}"))
    sk, sv = ks.dim(-2), vs.dim(-2)
    if sk is not None and sv is not None and D.compare(sk, sv, call.bindings) is D.FALSE:
        raise ShapeError("matmul-mismatch", lambda: (
            f"{name}: key {ks} and value {vs} differ in the source length at axis -2 ({D.fmt(sk)} != {D.fmt(sv)})"
            f"{mismatch_note(sk, sv)}"))
    if len(qs.dims) < 2 or len(vs.dims) < 2:
        return Tensor(Shape.unknown(), "torch", "float")
    enable_gqa = call.bool(7, "enable_gqa", False)
    bq, bk, bv = (Shape(s.dims[:-2], s.variadic) for s in (qs, ks, vs))
    if enable_gqa is not False:
        return Tensor(Shape(qs.dims[:-1] + (vs.dims[-1],), qs.variadic), "torch", "float")
    batch = broadcast_shapes(call, [bq, bk, bv], kind="batch-mismatch", what=f"batch dims of {name}")
    return Tensor(Shape(batch.dims + (qs.dims[-2], vs.dims[-1]), batch.variadic), "torch", "float")


# ---------------------------------------------------------------------------------- unfold, fold, sampling grids
@shape_rule(*fn("unfold"))
def unfold(call: Call) -> Value:
    x = call.tensor(0, "input")
    if x is None:
        return UNKNOWN
    return unfold_shape(call, "unfold", call.shape(x), ntuple(call.get(1, "kernel_size"), 2),
                        ntuple(call.get(2, "dilation", 1), 2), ntuple(call.get(3, "padding", 0), 2),
                        ntuple(call.get(4, "stride", 1), 2))


@shape_rule(*fn("fold"))
def fold(call: Call) -> Value:
    x = call.tensor(0, "input")
    if x is None:
        return UNKNOWN
    return fold_shape(call, "fold", call.shape(x), ntuple(call.get(1, "output_size"), 2),
                      ntuple(call.get(2, "kernel_size"), 2), ntuple(call.get(3, "dilation", 1), 2),
                      ntuple(call.get(4, "padding", 0), 2), ntuple(call.get(5, "stride", 1), 2))


@shape_rule(*fn("grid_sample"))
def grid_sample(call: Call) -> Value:
    """input (N, C, H, W) sampled at grid (N, H', W', 2) -> (N, C, H', W'); 5-D with a (..., 3) grid."""
    x, g = call.tensor(0, "input"), call.tensor(1, "grid")
    if x is None or g is None:
        return UNKNOWN
    xs, gs = call.shape(x), call.shape(g)
    check_rank("grid_sample", xs, (4, 5))
    check_rank("grid_sample (grid)", gs, (4, 5))
    if xs.rank is None or gs.rank is None:
        return Tensor(Shape.unknown(), "torch", "float")
    if xs.rank != gs.rank:
        raise ShapeError("layer-rank", f"grid_sample: input {xs} is {xs.rank}-D but grid {gs} is {gs.rank}-D")
    if D.compare(xs.dims[0], gs.dims[0], call.bindings) is D.FALSE:
        raise ShapeError("batch-mismatch", f"grid_sample: input {xs} has batch {D.fmt(xs.dims[0])} but grid {gs} "
                                           f"has {D.fmt(gs.dims[0])}")
    want = xs.rank - 2
    if D.compare(gs.dims[-1], want, call.bindings) is D.FALSE:
        raise ShapeError("layer-input-mismatch", f"grid_sample: the grid's last axis holds the {want} sampling "
                                                 f"coordinates, got {gs}")
    return Tensor(Shape(xs.dims[:2] + gs.dims[1:-1]), "torch", "float")


@shape_rule(*fn("affine_grid"))
def affine_grid(call: Call) -> Value:
    """theta (N, 2, 3) and size (N, C, H, W) -> (N, H, W, 2); (N, 3, 4) and 5-D size -> (N, D, H, W, 3)."""
    size = call.dims(1, "size")
    if size is None or any(d is None for d in size) or len(size) not in (4, 5):
        return UNKNOWN
    return Tensor(Shape.of(size[0], *size[2:], len(size) - 2), "torch", "float")
