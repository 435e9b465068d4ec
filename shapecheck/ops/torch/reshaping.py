"""torch.nn reshaping layers: Flatten/Unflatten, upsampling and pixel shuffles, Unfold/Fold and
the padding layers, with the shape helpers their functional forms share.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Optional

from ... import dims as D
from ...dims import Dim
from ...findings import ShapeError
from ...shape_math.require import mismatch_note
from ...shape_math.window import (
    conv_out,
    kernel_why,
    require_nonempty_spatial,
    require_reflect_padding,
)
from ...shapes import Shape
from ...values import UNKNOWN, Const, Layer, Param, Seq, Tensor, Value, as_dim, as_dims
from ..common import axis_of, broadcast_shapes
from ..registry import Call, layer_rule
from .base import (
    TorchLayer,
    arg_tuple,
    check_min_rank,
    check_rank,
    const_of,
    describe,
    feature_mismatch,
    fmt_tuple,
    nn,
    scaled,
    tail_replace,
)


# ================================================================================== reshaping layers
def flatten_shape(call: Call, what: str, s: Shape, start: int, end: int) -> Shape:
    """``s`` with axes ``start..end`` joined; the joined size remembers its derivation."""
    if s.rank is None:
        # Only negative bounds inside the known trailing dims can be followed.
        if start < 0 and end < 0 and -start <= len(s.dims) and start <= end:
            n = len(s.dims)
            return _flatten_known(Shape(s.dims, False, s.why), n + start, n + end, variadic=True)
        return Shape.unknown()
    r = s.rank
    if r == 0:
        for a in (start, end):
            if a not in (0, -1):
                axis_of(call, a, 1, what)
        return Shape.of(1)
    a = axis_of(call, start, r, what)
    b = axis_of(call, end, r, what)
    if a > b:
        raise ShapeError("axis-out-of-range", f"{what}: start_dim {start} comes after end_dim {end} for a {r}-D "
                                              f"input {s}")
    return _flatten_known(s, a, b)


def _flatten_known(s: Shape, a: int, b: int, variadic: bool = False) -> Shape:
    dims = s.dims
    if a == b:
        return Shape(dims, variadic, s.why)
    joined = dims[a:b + 1]
    size = D.mul(*joined)
    parts = []
    for i in range(a, b + 1):
        w = s.why_of(i)
        parts.append(w if w and "*" not in w else (f"({w})" if w else D.fmt(dims[i])))
    why = "*".join(parts)
    old = s.why or (None,) * len(dims)
    return Shape(dims[:a] + (size,) + dims[b + 1:], variadic, tuple(old[:a]) + (why,) + tuple(old[b + 1:]))


@layer_rule(*nn("Flatten"))
class Flatten(TorchLayer):
    def build(self, call: Call) -> Optional[dict]:
        return {"start_dim": call.int(0, "start_dim", 1), "end_dim": call.int(1, "end_dim", -1)}

    def apply(self, layer: Layer, call: Call) -> Value:
        x = call.tensor(0, "input")
        a, b = layer.config["start_dim"], layer.config["end_dim"]
        if x is None:
            return UNKNOWN
        if a is None or b is None:
            return Tensor(Shape.unknown(), "torch", x.dtype)
        return Tensor(flatten_shape(call, "nn.Flatten", call.shape(x), a, b), x.fw, x.dtype)


@layer_rule(*nn("Unflatten"))
class Unflatten(TorchLayer):
    def build(self, call: Call) -> Optional[dict]:
        sizes = call.dims(1, "unflattened_size")
        return {"dim": call.int(0, "dim"), "unflattened_size": None if sizes is None or any(
            x is None for x in sizes) else tuple(sizes)}

    def apply(self, layer: Layer, call: Call) -> Value:
        x = call.tensor(0, "input")
        if x is None:
            return UNKNOWN
        return Tensor(unflatten_shape(call, "nn.Unflatten", call.shape(x), layer.config["dim"],
                                      layer.config["unflattened_size"]), x.fw, x.dtype)


def unflatten_shape(call: Call, what: str, s: Shape, dim: Optional[int], sizes: Optional[tuple]) -> Shape:
    if dim is None or sizes is None:
        return Shape.unknown()
    if s.rank is None and dim >= 0:
        return Shape.unknown()
    if s.rank is not None:
        ax = axis_of(call, dim, s.rank, what)
        neg = ax - s.rank
    else:
        neg = dim
        if -neg > len(s.dims):
            return Shape.unknown()
    have = s.dims[neg]
    minus = [i for i, d in enumerate(sizes) if D.as_int(d) == -1]
    if len(minus) > 1:
        raise ShapeError("reshape-size", f"{what}: unflattened_size {fmt_tuple(sizes)} has more than one -1")
    if minus:
        rest = D.mul(*[d for i, d in enumerate(sizes) if i != minus[0]])
        ri, hi = D.as_int(rest), D.as_int(have)
        if ri is not None and hi is not None and (ri == 0 or hi % ri):
            raise ShapeError("reshape-size", f"{what}: size {hi} at axis {dim} of {s} cannot be split into "
                                             f"{fmt_tuple(sizes)}")
        new = list(sizes)
        new[minus[0]] = D.floordiv(have, rest)
    else:
        prod = D.mul(*sizes)
        if D.compare(prod, have, call.bindings) is D.FALSE:
            raise ShapeError("reshape-size", lambda: (
                f"{what}: unflattened_size {fmt_tuple(sizes)} holds {D.fmt(prod)} elements but axis {dim} of {s} has "
                f"{D.fmt(have)}{mismatch_note(prod, have)}"))
        new = list(sizes)
    dims = s.dims
    i = len(dims) + neg
    return Shape(dims[:i] + tuple(D.norm(d) for d in new) + dims[i + 1:], s.variadic)


class UpsampleBase(TorchLayer):
    fixed_mode: Optional[str] = None

    def build(self, call: Call) -> Optional[dict]:
        size = call.get(0, "size", None)
        sf = call.get(1, "scale_factor", None)
        mode = self.fixed_mode or call.str(2, "mode", "nearest")
        return {"size": size, "scale_factor": sf, "mode": mode}

    def apply(self, layer: Layer, call: Call) -> Value:
        x = call.tensor(0, "input")
        if x is None:
            return UNKNOWN
        c = layer.config
        return interpolate_forward(call, describe(layer), call.shape(x), c["size"], c["scale_factor"], c["mode"],
                                   four_d=self.fixed_mode is not None)


def interpolate_forward(call: Call, what: str, s: Shape, size: Value, sf: Value, mode: Optional[str],
                        four_d: bool = False) -> Value:
    need = {"linear": (3,), "bilinear": (4,), "bicubic": (4,), "trilinear": (5,)}.get(mode or "", (3, 4, 5))
    if four_d:
        need = (4,)
    if mode is not None:
        check_rank(f"{what} (mode={mode!r})", s, need)
    if s.rank is None:
        return Tensor(Shape.unknown(), "torch", "float")
    n = s.rank - 2
    if n < 1:
        return Tensor(Shape.unknown(), "torch", "float")
    size_none = isinstance(size, Const) and size.value is None
    sf_none = isinstance(sf, Const) and sf.value is None
    if size_none == sf_none:
        return Tensor(Shape.unknown(), "torch", "float")
    if not size_none:
        if isinstance(size, Seq):
            ds = as_dims(size)
            if ds is None or len(ds) != n or any(d is None for d in ds):
                return Tensor(Shape.unknown(), "torch", "float")
            outs = ds
        elif isinstance(size, Param):  # an unannotated parameter may be an int or a tuple: sizes unknown
            return Tensor(Shape(s.dims[:2] + tuple(D.flexible("n") for _ in range(n))), "torch", "float")
        else:
            d = as_dim(size)
            if d is None:
                return Tensor(Shape.unknown(), "torch", "float")
            outs = [d] * n
    else:
        if isinstance(sf, Seq):
            fs = [const_of(v) for v in sf.items]
            if len(fs) != n:
                return Tensor(Shape.unknown(), "torch", "float")
        else:
            fs = [const_of(sf)] * n
        outs = [scaled(L, f) for L, f in zip(s.dims[2:], fs)]
        for i, o in enumerate(outs):
            if o is not None:
                require_nonempty_spatial(o, op=what, shape=s, axis=2 + i, size=s.dims[2 + i],
                                         why=f"scaled by scale_factor {fs[i]} rounds down to nothing",
                                         advice="use a larger scale_factor or give size=")
        if any(o is None for o in outs):
            return Tensor(Shape(s.dims[:2] + tuple(D.flexible("n") if o is None else o for o in outs)), "torch",
                          "float")
    return Tensor(Shape(s.dims[:2] + tuple(D.norm(o) for o in outs)), "torch", "float")


layer_rule(*nn("Upsample"))(type("Upsample", (UpsampleBase,), {}))
layer_rule(*nn("UpsamplingNearest2d"))(type("UpsamplingNearest2d", (UpsampleBase,), {"fixed_mode": "nearest"}))
layer_rule(*nn("UpsamplingBilinear2d"))(type("UpsamplingBilinear2d", (UpsampleBase,), {"fixed_mode": "bilinear"}))


class SoftmaxBase(TorchLayer):
    def build(self, call: Call) -> Optional[dict]:
        v = call.get(0, "dim", None)
        return {"dim": None if isinstance(v, Const) and v.value is None else call.int(0, "dim"),
                "implicit": isinstance(v, Const) and v.value is None}

    def apply(self, layer: Layer, call: Call) -> Value:
        x = call.tensor(0, "input")
        if x is None:
            return UNKNOWN
        s = call.shape(x)
        dim = layer.config["dim"]
        if dim is not None and s.rank is not None:
            axis_of(call, dim, max(s.rank, 1), f"{describe(layer)}(dim={dim}) on {s}")
        return Tensor(s, x.fw, "float")


for _name in ("Softmax", "LogSoftmax", "Softmin"):
    layer_rule(*nn(_name))(type(_name, (SoftmaxBase,), {}))


@layer_rule(*nn("Softmax2d"))
class Softmax2d(TorchLayer):
    def apply(self, layer: Layer, call: Call) -> Value:
        x = call.tensor(0, "input")
        if x is None:
            return UNKNOWN
        s = call.shape(x)
        check_rank("nn.Softmax2d", s, (3, 4))
        return Tensor(s, x.fw, "float")


@layer_rule(*nn("GLU"))
class GLU(TorchLayer):
    def build(self, call: Call) -> Optional[dict]:
        return {"dim": call.int(0, "dim", -1)}

    def apply(self, layer: Layer, call: Call) -> Value:
        x = call.tensor(0, "input")
        if x is None:
            return UNKNOWN
        return glu_forward(call, "nn.GLU", call.shape(x), layer.config["dim"])


def glu_forward(call: Call, what: str, s: Shape, dim: Optional[int]) -> Value:
    if dim is None:
        return Tensor(Shape.unknown(), "torch", "float")
    if s.rank is not None:
        if s.rank == 0:
            raise ShapeError("layer-rank", f"{what} does not take a 0-D input")
        ax = axis_of(call, dim, s.rank, f"{what}(dim={dim}) on {s}")
    elif dim < 0 and -dim <= len(s.dims):
        ax = len(s.dims) + dim
    else:
        return Tensor(Shape.unknown(), "torch", "float")
    have = s.dims[ax]
    hi = D.as_int(have)
    if hi is not None and hi % 2:
        raise ShapeError("layer-input-mismatch", f"{what} halves axis {dim} of {s}, but its size {hi} is odd")
    dims = list(s.dims)
    dims[ax] = D.floordiv(have, 2)
    return Tensor(Shape(tuple(dims), s.variadic), "torch", "float")


@layer_rule(*nn("PReLU"))
class PReLU(TorchLayer):
    def build(self, call: Call) -> Optional[dict]:
        return {"num_parameters": call.dim(0, "num_parameters", 1)}

    def apply(self, layer: Layer, call: Call) -> Value:
        x = call.tensor(0, "input")
        if x is None:
            return UNKNOWN
        s = call.shape(x)
        n = layer.config["num_parameters"]
        if n is not None and D.as_int(n) != 1 and s.rank is not None:
            if s.rank >= 2:
                feature_mismatch(call, "nn.PReLU", s, 1, n, "num_parameters")
            elif D.as_int(n) is not None:  # torch counts one channel for a 0-D/1-D input
                raise ShapeError("layer-input-mismatch", f"nn.PReLU({D.fmt(n)}) has {D.fmt(n)} parameters but a "
                                                         f"{s.rank}-D input {s} has a single channel")
        return Tensor(s, x.fw, "float")

    def weights(self, layer: Layer) -> Optional[dict]:
        n = layer.config["num_parameters"]
        return None if n is None else {"weight": Shape.of(n)}


class PixelShuffleBase(TorchLayer):
    inverse = False

    def build(self, call: Call) -> Optional[dict]:
        return {"factor": call.dim(0, "downscale_factor" if self.inverse else "upscale_factor")}

    def apply(self, layer: Layer, call: Call) -> Value:
        x = call.tensor(0, "input")
        if x is None:
            return UNKNOWN
        return pixel_shuffle_forward(call, describe(layer), call.shape(x), layer.config["factor"], self.inverse)


def pixel_shuffle_forward(call: Call, what: str, s: Shape, r: Optional[Dim], inverse: bool) -> Value:
    check_min_rank(what, s, 3)
    ri = D.as_int(r) if r is not None else None
    if r is None or len(s.dims) < 3 or (ri is not None and ri < 1):
        return Tensor(Shape.unknown(), "torch", "float")
    c, h, w = s.dims[-3:]
    r2 = D.mul(r, r)
    if not inverse:
        ci, ri = D.as_int(c), D.as_int(r2)
        if ci is not None and ri is not None and ci % ri:
            raise ShapeError("layer-input-mismatch", f"{what} needs the channel axis -3 of {s} to be divisible by "
                                                     f"upscale_factor**2 = {ri}, got {ci}")
        new = (D.floordiv(c, r2), D.mul(h, r), D.mul(w, r))
    else:
        for name, d in (("height", h), ("width", w)):
            di, ri = D.as_int(d), D.as_int(r)
            if di is not None and ri is not None and di % ri:
                raise ShapeError("layer-input-mismatch", f"{what} needs the {name} of {s} to be divisible by "
                                                         f"downscale_factor = {ri}, got {di}")
        new = (D.mul(c, r2), D.floordiv(h, r), D.floordiv(w, r))
    return Tensor(tail_replace(s, 3, new), "torch", "float")


layer_rule(*nn("PixelShuffle"))(type("PixelShuffle", (PixelShuffleBase,), {}))
layer_rule(*nn("PixelUnshuffle"))(type("PixelUnshuffle", (PixelShuffleBase,), {"inverse": True}))


# ---------------------------------------------------------------------------------- Unfold / Fold
def _blocks(call: Call, what: str, spatial: Sequence[Optional[Dim]], k: tuple, d: tuple, p: tuple, st: tuple,
            s: Shape) -> Optional[Dim]:
    """The number of sliding blocks (product of the per-axis conv output sizes), or None."""
    total: Dim = 1
    for i, L in enumerate(spatial):
        if L is None:
            return None
        o = conv_out(L, k[i], st[i], p[i], d[i])
        require_nonempty_spatial(o, op=what, shape=s, axis=i - len(spatial), size=L, bindings=call.bindings,
                                 why=kernel_why(k[i], d[i], p[i]), advice="there are no blocks to extract")
        total = D.mul(total, o)
    return total


def unfold_shape(call: Call, what: str, s: Shape, k: Optional[tuple], d: Optional[tuple], p: Optional[tuple],
                 st: Optional[tuple]) -> Tensor:
    """(N, C, H, W) -> (N, C*kh*kw, L); a 3-D input is (C, H, W)."""
    check_rank(what, s, (3, 4))
    if k is None or d is None or p is None or st is None or len(s.dims) < 3:
        return Tensor(Shape.unknown(), "torch", "float")
    c = s.dims[-3]
    n = _blocks(call, what, s.dims[-2:], k, d, p, st, s)
    return Tensor(tail_replace(s, 3, [D.mul(c, *k), n if n is not None else D.flexible("L")]), "torch", "float")


def fold_shape(call: Call, what: str, s: Shape, out: Optional[tuple], k: Optional[tuple], d: Optional[tuple],
               p: Optional[tuple], st: Optional[tuple]) -> Tensor:
    """(N, C*kh*kw, L) -> (N, C, *output_size); a 2-D input is (C*kh*kw, L)."""
    check_rank(what, s, (2, 3))
    if out is None or k is None or d is None or p is None or st is None or len(s.dims) < 2:
        return Tensor(Shape.unknown(), "torch", "float")
    ck, nblocks = s.dims[-2], s.dims[-1]
    kk = D.mul(*k)
    ci, ki = D.as_int(ck), D.as_int(kk)
    if ci is not None and ki and ci % ki:
        raise ShapeError("layer-input-mismatch", f"{what}: axis -2 of {s} ({ci}) must be divisible by the kernel's "
                                                 f"{ki} positions")
    want = _blocks(call, what, out, k, d, p, st, s)
    if want is not None and D.compare(nblocks, want, call.bindings) is D.FALSE:
        raise ShapeError("layer-input-mismatch", f"{what}: output_size {fmt_tuple(out)} with kernel {fmt_tuple(k)} "
                                                 f"holds {D.fmt(want)} blocks but axis -1 of {s} has {D.fmt(nblocks)}")
    return Tensor(tail_replace(s, 2, [D.floordiv(ck, kk), *out]), "torch", "float")


class UnfoldBase(TorchLayer):
    fold = False

    def build(self, call: Call) -> Optional[dict]:
        off = 1 if self.fold else 0
        return {"output_size": arg_tuple(call, 0, "output_size", 2, None) if self.fold else None,
                "kernel_size": arg_tuple(call, off, "kernel_size", 2, None),
                "dilation": arg_tuple(call, off + 1, "dilation", 2, 1),
                "padding": arg_tuple(call, off + 2, "padding", 2, 0),
                "stride": arg_tuple(call, off + 3, "stride", 2, 1)}

    def apply(self, layer: Layer, call: Call) -> Value:
        x = call.tensor(0, "input")
        if x is None:
            return UNKNOWN
        c = layer.config
        if self.fold:
            return fold_shape(call, "nn.Fold", call.shape(x), c["output_size"], c["kernel_size"], c["dilation"],
                              c["padding"], c["stride"])
        return unfold_shape(call, "nn.Unfold", call.shape(x), c["kernel_size"], c["dilation"], c["padding"],
                            c["stride"])


layer_rule(*nn("Unfold"))(type("Unfold", (UnfoldBase,), {}))
layer_rule(*nn("Fold"))(type("Fold", (UnfoldBase,), {"fold": True}))


# ---------------------------------------------------------------------------------- padding layers
class PadBase(TorchLayer):
    N = 2
    constant = True  # constant/zero padding takes any rank >= N; the others (N+1)-D or (N+2)-D
    reflect = False  # reflection padding must be smaller than the axis it reflects (SHP405)

    def build(self, call: Call) -> Optional[dict]:
        v = call.get(0, "padding")
        if isinstance(v, Seq):
            ds = as_dims(v)
            pads = tuple(ds) if ds is not None and len(ds) == 2 * self.N and None not in ds else None
        else:
            d = as_dim(v)
            pads = (d,) * (2 * self.N) if d is not None else None
        return {"padding": pads, "_repr": fmt_tuple(pads)}

    def apply(self, layer: Layer, call: Call) -> Value:
        x = call.tensor(0, "input")
        if x is None:
            return UNKNOWN
        s = call.shape(x)
        what = describe(layer)
        if self.constant:
            check_min_rank(what, s, self.N)
        else:
            check_rank(what, s, (self.N + 1, self.N + 2))
        pads = layer.config["padding"]
        if pads is None:
            return Tensor(Shape.unknown(), x.fw, x.dtype)
        if self.reflect:
            require_reflect_pads(what, s, pads)
        out = pad_shape(s, pads)
        return Tensor(out, x.fw, x.dtype) if out is not None else Tensor(Shape.unknown(), x.fw, x.dtype)


def require_reflect_pads(what: str, s: Shape, pads: Sequence[Dim]) -> None:
    """SHP405 for reflection padding ``(left, right)`` pairs from the last axis backwards."""
    for i in range(len(pads) // 2):
        require_reflect_padding(what, s, -1 - i, pads[2 * i], pads[2 * i + 1])


def pad_shape(s: Shape, pads: Sequence[Dim]) -> Optional[Shape]:
    """F.pad: pairs (left, right) from the last axis backwards."""
    k = len(pads) // 2
    if len(s.dims) < k:
        return None
    dims = list(s.dims)
    for i in range(k):
        ax = len(dims) - 1 - i
        new = D.add(D.add(dims[ax], pads[2 * i]), pads[2 * i + 1])
        ni = D.as_int(new)
        if ni is not None and ni < 0:
            return None
        dims[ax] = new
    return Shape(tuple(dims), s.variadic)


for _n in (1, 2, 3):
    for _pre, _const in (("Zero", True), ("Constant", True), ("Reflection", False), ("Replication", False),
                         ("Circular", False)):
        _name = f"{_pre}Pad{_n}d"
        layer_rule(*nn(_name))(type(_name, (PadBase,), {"N": _n, "constant": _const, "reflect": _pre == "Reflection"}))


@layer_rule(*nn("CosineSimilarity"))
class CosineSimilarity(TorchLayer):
    def build(self, call: Call) -> Optional[dict]:
        return {"dim": call.int(0, "dim", 1)}

    def apply(self, layer: Layer, call: Call) -> Value:
        a, b = call.tensor(0, "x1"), call.tensor(1, "x2")
        if a is None or b is None:
            return UNKNOWN
        return cosine_similarity_shape(call, "nn.CosineSimilarity", call.shape(a), call.shape(b), layer.config["dim"])


def cosine_similarity_shape(call: Call, what: str, a: Shape, b: Shape, dim: Optional[int]) -> Value:
    out = broadcast_shapes(call, [a, b], what=what)
    if dim is None or out.rank is None:
        return Tensor(Shape.unknown(), "torch", "float")
    ax = axis_of(call, dim, max(out.rank, 1), f"{what}(dim={dim}) on {out}")
    if out.rank == 0:
        return Tensor(Shape(()), "torch", "float")
    return Tensor(Shape(out.dims[:ax] + out.dims[ax + 1:]), "torch", "float")


@layer_rule(*nn("PairwiseDistance"))
class PairwiseDistance(TorchLayer):
    def build(self, call: Call) -> Optional[dict]:
        return {"keepdim": call.bool(2, "keepdim", False)}

    def apply(self, layer: Layer, call: Call) -> Value:
        a, b = call.tensor(0, "x1"), call.tensor(1, "x2")
        if a is None or b is None:
            return UNKNOWN
        return pairwise_distance_shape(call, "nn.PairwiseDistance", call.shape(a), call.shape(b),
                                       layer.config["keepdim"])


def pairwise_distance_shape(call: Call, what: str, a: Shape, b: Shape, keepdim: Optional[bool]) -> Value:
    out = broadcast_shapes(call, [a, b], what=what)
    if keepdim is None or out.rank is None:
        return Tensor(Shape.unknown(), "torch", "float")
    if out.rank == 0:
        return Tensor(Shape(()), "torch", "float")
    # torch.pairwise_distance reduces the last axis; 1-D inputs give a 0-D result.
    if keepdim:
        return Tensor(Shape(out.dims[:-1] + (1,)), "torch", "float")
    return Tensor(Shape(out.dims[:-1]), "torch", "float")
