"""shape_math.window: the window arithmetic of conv/pool/deconv, as tables (JAX shape_poly style)
and against the real frameworks (torch over a grid of sizes, kernels, strides, paddings,
dilations and ceil_mode; Keras 3 ``compute_output_shape`` for its padding kinds)."""
from __future__ import annotations

import itertools

import pytest
import sympy

from shapecheck import dims as D
from shapecheck.findings import ShapeError
from shapecheck.shape_math import window as W
from shapecheck.shapes import Shape

H = D.rigid("H")


# ---------------------------------------------------------------- tables
@pytest.mark.parametrize("L, k, s, p, d, want", [
    (28, 5, 1, 0, 1, 24),
    (28, 3, 1, 1, 1, 28),
    (32, 3, 2, 1, 1, 16),
    (10, 3, 1, 0, 2, 6),
    (3, 5, 1, 0, 1, -1),
    (H, 2, 2, 0, 1, sympy.floor(H / 2)),
    (H, 3, 1, 1, 1, H),
])
def test_conv_out(L, k, s, p, d, want):
    assert D.compare(W.conv_out(L, k, s, p, d), want) is D.TRUE


def test_conv_out_asymmetric_padding():
    assert W.conv_out(8, 3, 1, 0, 1, p_hi=2) == 8  # (8 + 0 + 2 - 2 - 1) / 1 + 1


@pytest.mark.parametrize("L, k, s, p, d, op, want", [
    (8, 3, 2, 0, 1, 1, 18),
    (8, 3, 1, 0, 2, 1, 13),
    (1, 3, 1, 4, 1, 0, -5),
])
def test_conv_transpose_out(L, k, s, p, d, op, want):
    assert W.conv_transpose_out(L, k, s, p, d, op) == want


@pytest.mark.parametrize("L, k, s, p, ceil, want", [
    (7, 2, 2, 0, False, 3),
    (7, 2, 2, 0, True, 4),
    (6, 3, 3, 1, True, 3),
    (H, 2, 2, 0, True, None),  # ceil_mode on a symbolic size: undecided
    (H, 3, 1, 0, True, H - 2),
])
def test_pool_out(L, k, s, p, ceil, want):
    got = W.pool_out(L, k, s, p, 1, ceil)
    assert got == want if want is None else D.compare(got, want) is D.TRUE


@pytest.mark.parametrize("n, k, s, d, padding, want", [
    (28, 3, 1, 1, "valid", 26),
    (28, 3, 2, 1, "same", 14),
    (27, 3, 2, 1, "same", 14),
    (10, 3, 1, 2, "causal", 10),
    (10, 3, 2, 1, "full", 6),
    (10, 3, 1, 1, "reflect", None),
])
def test_padded_out(n, k, s, d, padding, want):
    assert W.padded_out(n, k, s, d, padding) == want


def test_padded_out_keeps_an_opaque_size():
    batch = D.opaque()
    assert W.padded_out(batch, 3, 1, 1, "valid") is batch


@pytest.mark.parametrize("n, k, s, padding, out_pad, want", [
    (10, 3, 2, "valid", None, 21),
    (10, 3, 2, "same", None, 20),
    (10, 3, 2, "same", 1, 20),
    (10, 3, 2, "valid", 0, 21),
])
def test_padded_transpose_out(n, k, s, padding, out_pad, want):
    assert W.padded_transpose_out(n, k, s, 1, padding, out_pad) == want


def test_symbolic_sizes_stay_unevaluated_and_substitute_to_the_integer_formula():
    """The cheap floor (an unevaluated sympy floor) is still the right function of H."""
    for out in (W.conv_out(H, 3, 2, 1, 1), W.padded_out(H, 3, 2, 1, "valid"), W.padded_out(H, 3, 2, 1, "same")):
        assert out.has(sympy.floor)
    for n in range(3, 30):
        assert W.conv_out(H, 3, 2, 1, 1).subs(H, n) == W.conv_out(n, 3, 2, 1, 1)
        assert W.padded_out(H, 3, 2, 1, "valid").subs(H, n) == W.padded_out(n, 3, 2, 1, "valid")
        assert W.padded_out(H, 3, 2, 1, "same").subs(H, n) == W.padded_out(n, 3, 2, 1, "same")


# ---------------------------------------------------------------- preconditions
def test_require_nonempty_spatial_one_wording_and_a_lazy_message():
    s = Shape.of(1, 1, 3, 3)
    W.require_nonempty_spatial(1, op="nn.Conv2d", shape=s, axis=2, size=3, why="x")  # fine
    W.require_nonempty_spatial(D.sub(H, 4), op="nn.Conv2d", shape=s, axis=2, size=H, why="x")  # unknown: silent
    with pytest.raises(ShapeError) as e:
        W.require_nonempty_spatial(-1, op="nn.Conv2d(1, 1, 5)", shape=s, axis=2, size=3, why=W.kernel_why(5))
    assert e.value.kind == "empty-spatial"
    assert e.value.message == ("nn.Conv2d(1, 1, 5) on input (1, 1, 3, 3): spatial size 3 at axis 2 is smaller than "
                               "the kernel 5, so the output size would be -1; use a smaller kernel, less padding, "
                               "or a larger input")


@pytest.mark.parametrize("k, d, pad, padding, want", [
    (5, 1, 0, "", "is smaller than the kernel 5"),
    (3, 2, 1, "", "plus padding 2*1 is smaller than the dilated kernel 5"),
    (3, 1, 0, "valid", "is smaller than the kernel 3 with padding 'valid'"),
])
def test_kernel_why(k, d, pad, padding, want):
    assert W.kernel_why(k, d, pad, padding=padding) == want


@pytest.mark.parametrize("k, p, bad", [((3,), (1,), False), ((3,), (2,), True), ((4, 4), (2, 2), False),
                                       ((5, 2), (2, 2), True)])
def test_require_pool_padding(k, p, bad):
    if bad:
        with pytest.raises(ShapeError) as e:
            W.require_pool_padding("nn.MaxPool2d", k, p)
        assert e.value.kind == "invalid-shape-argument" and "more than half the kernel" in e.value.message
    else:
        W.require_pool_padding("nn.MaxPool2d", k, p)


@pytest.mark.parametrize("op, s, d, bad", [(1, 2, 1, False), (2, 2, 1, True), (1, 1, 2, False), (1, 1, 1, True),
                                           (2, 2, 3, False)])
def test_require_output_padding(op, s, d, bad):
    if bad:
        with pytest.raises(ShapeError) as e:
            W.require_output_padding("nn.ConvTranspose1d", (op,), (s,), (d,))
        assert e.value.kind == "invalid-shape-argument" and "must be smaller than the stride" in e.value.message
    else:
        W.require_output_padding("nn.ConvTranspose1d", (op,), (s,), (d,))


def test_require_reflect_padding():
    s = Shape.of(1, 1, 8)
    W.require_reflect_padding("nn.ReflectionPad1d", s, -1, 7, 7)
    W.require_reflect_padding("nn.ReflectionPad1d", Shape.of(1, 1, H), -1, 100, 100)  # unknown: silent
    with pytest.raises(ShapeError) as e:
        W.require_reflect_padding("nn.ReflectionPad1d", s, -1, 2, 8)
    assert e.value.kind == "invalid-shape-argument" and "reflect at most 7" in e.value.message


# ---------------------------------------------------------------- against torch
def _ours_pool(L, k, s, p, d, ceil):
    """What the torch pooling adapter concludes: ("error", kind) or ("ok", size)."""
    try:
        W.require_pool_padding("pool", (k,), (p,))
        out = W.pool_out(L, k, s, p, d, ceil)
        W.require_nonempty_spatial(out, op="pool", shape=Shape.of(1, 1, L), axis=2, size=L, why="")
    except ShapeError as e:
        return ("error", e.kind)
    return ("ok", out)


def _ours_conv(L, k, s, p, d):
    try:
        out = W.conv_out(L, k, s, p, d)
        W.require_nonempty_spatial(out, op="conv", shape=Shape.of(1, 1, L), axis=2, size=L, why="")
    except ShapeError as e:
        return ("error", e.kind)
    return ("ok", out)


def _ours_conv_transpose(L, k, s, p, d, op):
    try:
        W.require_output_padding("conv_transpose", (op,), (s,), (d,))
        out = W.conv_transpose_out(L, k, s, p, d, op)
        W.require_nonempty_spatial(out, op="conv_transpose", shape=Shape.of(1, 1, L), axis=2, size=L, why="")
    except ShapeError as e:
        return ("error", e.kind)
    return ("ok", out)


def _real(f):
    try:
        return ("ok", f().shape[-1])
    except RuntimeError:
        return ("error", None)


def _agree(ours, real):
    if real[0] == "error":
        return ours[0] == "error"
    return ours == real


def test_pool_sizes_match_torch():
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    bad = []
    for L, k, s, p, d, ceil in itertools.product(range(1, 9), range(1, 5), range(1, 4), range(0, 3), (1, 2),
                                                 (False, True)):
        x = torch.zeros(1, 1, L)
        real = _real(lambda: F.max_pool1d(x, k, s, p, d, ceil_mode=ceil))
        ours = _ours_pool(L, k, s, p, d, ceil)
        if not _agree(ours, real):
            bad.append(("max", L, k, s, p, d, ceil, ours, real))
        if d == 1:
            real = _real(lambda: F.avg_pool1d(x, k, s, p, ceil_mode=ceil))
            if not _agree(ours, real):
                bad.append(("avg", L, k, s, p, ceil, ours, real))
    assert not bad, bad[:10]


def test_conv_sizes_match_torch():
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    bad = []
    for L, k, s, p, d in itertools.product(range(1, 9), range(1, 5), range(1, 4), range(0, 3), (1, 2)):
        x, w = torch.zeros(1, 1, L), torch.zeros(1, 1, k)
        real = _real(lambda: F.conv1d(x, w, stride=s, padding=p, dilation=d))
        ours = _ours_conv(L, k, s, p, d)
        if not _agree(ours, real):
            bad.append((L, k, s, p, d, ours, real))
    assert not bad, bad[:10]


def test_conv_transpose_sizes_match_torch():
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    bad = []
    for L, k, s, p, d, op in itertools.product(range(1, 6), range(1, 4), range(1, 4), range(0, 4), (1, 2),
                                               range(0, 3)):
        x, w = torch.zeros(1, 1, L), torch.zeros(1, 1, k)
        real = _real(lambda: F.conv_transpose1d(x, w, stride=s, padding=p, output_padding=op, dilation=d))
        if real[0] == "ok" and real[1] == 0:
            real = ("error", None)  # an empty output (some CPU backends return one instead of raising)
        ours = _ours_conv_transpose(L, k, s, p, d, op)
        if not _agree(ours, real):
            bad.append((L, k, s, p, d, op, ours, real))
    assert not bad, bad[:10]


# ---------------------------------------------------------------- against Keras 3
def test_padded_out_matches_keras_compute_output_shape():
    keras = pytest.importorskip("keras")
    bad = []
    for n, k, s, d, padding in itertools.product((1, 2, 5, 8, 11), (1, 2, 3, 5), (1, 2, 3), (1, 2),
                                                 ("valid", "same", "causal")):
        if s > 1 and d > 1:
            continue  # Keras rejects strides > 1 with dilation_rate > 1
        try:
            real = keras.layers.Conv1D(1, k, strides=s, padding=padding, dilation_rate=d).compute_output_shape(
                (1, n, 1))[1]
        except ValueError:
            real = "error"
        ours = W.padded_out(n, k, s, d, padding)
        if real == "error" or real is None or real < 1:
            if not D.positive(ours) is D.FALSE:
                bad.append(("conv", n, k, s, d, padding, ours, real))
        elif ours != real:
            bad.append(("conv", n, k, s, d, padding, ours, real))
        if padding != "causal" and d == 1:
            try:
                real = keras.layers.MaxPooling1D(k, strides=s, padding=padding).compute_output_shape((1, n, 1))[1]
            except ValueError:  # "Computed output size would be zero or negative"
                real = "error"
            ours = W.padded_out(n, k, s, 1, padding)
            if (real == "error" and D.positive(ours) is not D.FALSE) or (real != "error" and ours != real):
                bad.append(("pool", n, k, s, padding, ours, real))
    assert not bad, bad[:10]


def test_padded_transpose_out_matches_keras_compute_output_shape():
    keras = pytest.importorskip("keras")
    bad = []
    for n, k, s, padding, op in itertools.product((1, 3, 8), (1, 2, 3), (1, 2, 3), ("valid", "same"),
                                                  (None, 0, 1)):
        if op is not None and op >= s:
            continue  # Keras rejects output_padding >= strides
        real = keras.layers.Conv1DTranspose(1, k, strides=s, padding=padding,
                                            output_padding=op).compute_output_shape((1, n, 1))[1]
        ours = W.padded_transpose_out(n, k, s, 1, padding, op)
        if ours != real:
            bad.append((n, k, s, padding, op, ours, real))
    assert not bad, bad[:10]
