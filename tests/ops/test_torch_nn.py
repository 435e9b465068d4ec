"""torch.nn layer rules and torch.nn.functional rules.

Three kinds of tests:

* table-driven cases (``OpCase``, tests/ops/harness.py): build a layer (or call a function) on
  parsed shapes, compare the printed result (``(N, 6, 28, 28)``, ``[(...), (...)]``) or the
  finding kind it raises;
* end-to-end snippets through ``shapecheck.engine.check_source`` / ``reveal``;
* differential tests against real torch: many random configurations (fixed seed) run for real;
  the inferred output shape must equal torch's, a reported ShapeError must match a real error
  (never a false positive), and the weights' sizes must add up to ``sum(p.numel())``.
"""
from __future__ import annotations

import os
import random
import warnings
from typing import Any, Optional

import pytest

from harness import OpCase, S, check

from shapecheck import dims as D
from shapecheck.engine import check_source, reveal
from shapecheck.findings import ShapeError
from shapecheck.ops.registry import Call, lookup_func, lookup_layer
from shapecheck.shapes import parse
from shapecheck.values import Const, Int, Layer, Seq, Tensor, Value


# ================================================================================== harness
class T:
    """A tensor argument given by its shape text: ``T("(N, 3, 32, 32)")``."""

    def __init__(self, shape: str, dtype: Optional[str] = None) -> None:
        self.shape = shape
        self.dtype = dtype


def val(x: Any) -> Value:
    if isinstance(x, Value):
        return x
    if isinstance(x, T):
        return Tensor(parse(x.shape), "torch", x.dtype)
    if isinstance(x, bool) or x is None or isinstance(x, (float, str)):
        return Const(x)
    if isinstance(x, int):
        return Int(x)
    if isinstance(x, tuple):
        return Seq([val(i) for i in x], "tuple")
    if isinstance(x, list):
        return Seq([val(i) for i in x], "list")
    raise TypeError(x)


def build(kind: str, *args: Any, **kwargs: Any) -> Optional[Layer]:
    q = kind if kind.startswith("torch.") else f"torch.nn.{kind}"
    rule = lookup_layer(q)
    assert rule is not None, q
    cfg = rule.build(Call([val(a) for a in args], {k: val(v) for k, v in kwargs.items()}, qualname=q))
    return None if cfg is None else Layer(rule.names[0], cfg)


def apply(layer: Layer, *inputs: Any, **kwargs: Any) -> Value:
    rule = lookup_layer(layer.kind)
    return rule.apply(layer, Call([val(a) for a in inputs], {k: val(v) for k, v in kwargs.items()},
                                  qualname=layer.kind))


def call_fn(name: str, *args: Any, **kwargs: Any) -> Value:
    q = name if name.startswith("torch.") else f"torch.nn.functional.{name}"
    f = lookup_func(q)
    assert f is not None, q
    return f(Call([val(a) for a in args], {k: val(v) for k, v in kwargs.items()}, qualname=q))


def show(v: Value) -> str:
    if isinstance(v, Tensor):
        return str(v.shape)
    if isinstance(v, Seq):
        return "[" + ", ".join(show(i) for i in v.items) + "]"
    if isinstance(v, Const) and v.value is None:
        return "None"
    return "?"


def outcome(f) -> str:
    """The printed result, or ``!kind`` for a ShapeError."""
    try:
        return show(f())
    except ShapeError as e:
        assert e.message[:1] == e.message[:1].lower(), e.message  # messages start lowercase
        return "!" + e.kind


def n_params(layer: Layer) -> Optional[int]:
    rule = lookup_layer(layer.kind)
    total = 0
    for s in rule.weights(layer).values():
        n = s.numel()
        if D.as_int(n) is None:
            return None
        total += D.as_int(n)
    return total


# ================================================================================== table cases
# (kind, ctor args, ctor kwargs, inputs, call kwargs, expected)
LAYER_ROWS = [
    ("Conv2d", (3, 6, 5), {}, ["(1, 3, 32, 32)"], {}, "(1, 6, 28, 28)"),
    ("Conv2d", (3, 6, 5), {}, ["(3, 32, 32)"], {}, "(6, 28, 28)"),
    ("Conv2d", (3, 6, 5), {}, ["(1, 4, 32, 32)"], {}, "!layer-input-mismatch"),
    ("Conv2d", (3, 6, 5), {}, ["(32, 32)"], {}, "!layer-rank"),
    ("Conv2d", (3, 6, 5), {}, ["(2, 1, 3, 32, 32)"], {}, "!layer-rank"),
    ("Conv2d", (3, 6, 5), {}, ["(1, 3, 4, 32)"], {}, "!empty-spatial"),
    ("Conv2d", (3, 64), {"kernel_size": 7, "stride": 2, "padding": 3, "bias": False}, ["(2, 3, 224, 224)"], {},
     "(2, 64, 112, 112)"),
    ("Conv2d", (3, 8, 3), {"padding": "same"}, ["(2, 3, 17, 9)"], {}, "(2, 8, 17, 9)"),
    ("Conv2d", (3, 8, 3), {"padding": "valid"}, ["(2, 3, 17, 9)"], {}, "(2, 8, 15, 7)"),
    ("Conv2d", (4, 8, (3, 1)), {"groups": 2, "dilation": 2}, ["(2, 4, 9, 9)"], {}, "(2, 8, 5, 9)"),
    ("Conv2d", (3, 8, 3), {"stride": 2}, ["(N, 3, H, W)"], {}, "(N, 8, floor((H - 3)/2) + 1, floor((W - 3)/2) + 1)"),
    ("Conv2d", (3, 8, 3), {}, ["(N, 3, H, W)"], {}, "(N, 8, H - 2, W - 2)"),
    ("Conv2d", (3, 8, 3), {}, ["(*, 3, 10, 10)"], {}, "(N, 8, 8, 8)"),  # taken as batched (conv.batched)
    ("Conv1d", (16, 33, 3), {"stride": 2}, ["(20, 16, 50)"], {}, "(20, 33, 24)"),
    ("Conv3d", (16, 33, 3), {"stride": 2}, ["(20, 16, 10, 50, 100)"], {}, "(20, 33, 4, 24, 49)"),
    ("ConvTranspose2d", (16, 33, 3), {"stride": 2}, ["(20, 16, 50, 100)"], {}, "(20, 33, 101, 201)"),
    ("ConvTranspose2d", (16, 33, (3, 5)), {"stride": (2, 1), "padding": (4, 2)}, ["(20, 16, 50, 100)"], {},
     "(20, 33, 93, 100)"),
    ("ConvTranspose2d", (16, 8, 3), {"stride": 2, "padding": 1}, ["(1, 16, 12, 12)"], {"output_size": (24, 24)},
     "(1, 8, 24, 24)"),
    ("ConvTranspose1d", (4, 2, 3), {}, ["(1, 5, 7)"], {}, "!layer-input-mismatch"),
    ("LazyConv2d", (8, 3), {}, ["(1, 5, 7, 7)"], {}, "(1, 8, 5, 5)"),
    ("LazyConvTranspose2d", (8, 3), {}, ["(1, 5, 7, 7)"], {}, "(1, 8, 9, 9)"),
    ("MaxPool2d", (2,), {}, ["(1, 16, 10, 10)"], {}, "(1, 16, 5, 5)"),
    ("MaxPool2d", (3,), {"stride": 2, "padding": 1}, ["(2, 64, 112, 112)"], {}, "(2, 64, 56, 56)"),
    ("MaxPool2d", (3,), {"stride": 2, "ceil_mode": True}, ["(1, 1, 6, 6)"], {}, "(1, 1, 3, 3)"),
    ("MaxPool2d", (4,), {}, ["(1, 4, 2, 2)"], {}, "!empty-spatial"),
    ("MaxPool2d", (2,), {"return_indices": True}, ["(1, 4, 8, 8)"], {}, "[(1, 4, 4, 4), (1, 4, 4, 4)]"),
    ("MaxPool1d", (2,), {}, ["(1, 2, 3, 4)"], {}, "!layer-rank"),
    ("AvgPool2d", (2,), {}, ["(N, C, H, W)"], {}, "(N, C, floor(H/2), floor(W/2))"),
    ("AvgPool1d", (3,), {"stride": 2}, ["(1, 4, 9)"], {}, "(1, 4, 4)"),
    ("AdaptiveAvgPool2d", ((5, 7),), {}, ["(1, 64, 8, 9)"], {}, "(1, 64, 5, 7)"),
    ("AdaptiveAvgPool2d", ((None, 7),), {}, ["(1, 64, 10, 9)"], {}, "(1, 64, 10, 7)"),
    ("AdaptiveAvgPool2d", (1,), {}, ["(*, 512, 7, 7)"], {}, "(*, 512, 1, 1)"),
    ("AdaptiveMaxPool1d", (4,), {}, ["(2, 3, 9)"], {}, "(2, 3, 4)"),
    ("LPPool2d", (2, 3), {"stride": 2}, ["(1, 16, 50, 32)"], {}, "(1, 16, 24, 15)"),
    ("BatchNorm2d", (64,), {}, ["(2, 64, 8, 8)"], {}, "(2, 64, 8, 8)"),
    ("BatchNorm2d", (64,), {}, ["(2, 32, 8, 8)"], {}, "!layer-input-mismatch"),
    ("BatchNorm2d", (64,), {}, ["(64, 8, 8)"], {}, "!layer-rank"),
    ("BatchNorm1d", (10,), {}, ["(4, 10)"], {}, "(4, 10)"),
    ("LazyBatchNorm2d", (), {}, ["(2, 7, 8, 8)"], {}, "(2, 7, 8, 8)"),
    ("BatchNorm2d", (64, 1e-5, 0.1, False), {}, ["(2, 64, 8, 8)"], {}, "(2, 64, 8, 8)"),
    ("BatchNorm1d", (10,), {}, ["(4, 10, 7)"], {}, "(4, 10, 7)"),
    ("BatchNorm1d", (10,), {}, ["(4, 7, 10)"], {}, "!layer-input-mismatch"),
    ("BatchNorm1d", (10,), {}, ["(4, 10, 7, 7)"], {}, "!layer-rank"),
    ("InstanceNorm1d", (10,), {}, ["(4, 7, 3)"], {}, "(4, 7, 3)"),  # affine=False: torch only warns
    ("InstanceNorm1d", (10,), {"affine": True}, ["(4, 7, 3)"], {}, "!layer-input-mismatch"),
    ("InstanceNorm2d", (3,), {"affine": True}, ["(3, 7, 5)"], {}, "(3, 7, 5)"),
    ("GroupNorm", (2, 6), {}, ["(4, 6, 5)"], {}, "(4, 6, 5)"),
    ("GroupNorm", (2, 6), {}, ["(4, 8, 5)"], {}, "!layer-input-mismatch"),
    ("LayerNorm", (128,), {}, ["(2, 7, 128)"], {}, "(2, 7, 128)"),
    ("LayerNorm", (128,), {}, ["(2, 7, 64)"], {}, "!layer-input-mismatch"),
    ("LayerNorm", ((7, 128),), {}, ["(2, 7, 128)"], {}, "(2, 7, 128)"),
    ("LayerNorm", ((7, 128),), {}, ["(128,)"], {}, "!layer-rank"),
    ("LayerNorm", (128,), {}, ["(*)"], {}, "(*, 128)"),
    ("LocalResponseNorm", (2,), {}, ["(3, 4)"], {}, "!layer-rank"),
    ("Embedding", (1000, 64), {}, ["(B, T)"], {}, "(B, T, 64)"),
    ("Embedding", (10, 3), {}, ["()"], {}, "(3,)"),
    ("EmbeddingBag", (10, 3), {}, ["(4, 5)"], {}, "(4, 3)"),
    ("GRU", (), {"input_size": 12, "hidden_size": 24, "batch_first": True}, ["(9, 3, 12)", "(1, 3, 24)"], {},
     "!recurrent-layout"),
    ("GRU", (12, 24), {}, ["(3, 9, 12)", "(1, 3, 24)"], {}, "!recurrent-layout"),
    ("GRU", (), {"input_size": 12, "hidden_size": 24, "batch_first": True}, ["(3, 9, 12)", "(1, 3, 24)"], {},
     "[(3, 9, 24), (1, 3, 24)]"),
    ("GRU", (12, 24), {}, ["(9, 3, 12)", "(1, 5, 24)"], {}, "!layer-input-mismatch"),
    ("GRU", (12, 24), {}, ["(9, 3, 10)"], {}, "!layer-input-mismatch"),
    ("GRU", (12, 24), {}, ["(9, 3, 4, 12)"], {}, "!layer-rank"),
    ("LSTM", (10, 20, 2), {"bidirectional": True}, ["(5, 3, 10)"], {}, "[(5, 3, 40), [(4, 3, 20), (4, 3, 20)]]"),
    ("LSTM", (10, 20), {"proj_size": 5}, ["(5, 10)"], {}, "[(5, 5), [(1, 5), (1, 20)]]"),
    ("LSTM", (10, 20), {"batch_first": True}, ["(3, 5, 10)", ("(1, 3, 20)", "(1, 3, 20)")], {},
     "[(3, 5, 20), [(1, 3, 20), (1, 3, 20)]]"),
    ("LSTM", (10, 20), {}, ["(5, 3, 10)", ("(2, 3, 20)", "(2, 3, 20)")], {}, "!layer-input-mismatch"),
    ("RNN", (10, 20, 2, "relu"), {}, ["(5, 3, 10)"], {}, "[(5, 3, 20), (2, 3, 20)]"),
    ("LSTMCell", (10, 20), {}, ["(3, 10)"], {}, "[(3, 20), (3, 20)]"),
    ("GRUCell", (10, 20), {}, ["(3, 10)", "(3, 20)"], {}, "(3, 20)"),
    ("GRUCell", (10, 20), {}, ["(3, 10)", "(3, 21)"], {}, "!layer-input-mismatch"),
    ("MultiheadAttention", (128, 4), {"batch_first": True}, ["(2, 7, 128)", "(2, 9, 128)", "(2, 9, 128)"], {},
     "[(2, 7, 128), (2, 7, 9)]"),
    ("MultiheadAttention", (128, 4), {}, ["(7, 2, 128)", "(9, 2, 128)", "(9, 2, 128)"],
     {"average_attn_weights": False}, "[(7, 2, 128), (2, 4, 7, 9)]"),
    ("MultiheadAttention", (128, 4, 0.0, True, False, False, None, None, True),
     {}, ["(2, 7, 128)", "(2, 9, 128)", "(2, 9, 128)", None, True, None, False], {}, "[(2, 7, 128), (2, 4, 7, 9)]"),
    ("Transformer", (64, 4, 1, 1, 128, 0.0, "relu", None, None, 1e-5, True), {}, ["(2, 9, 64)", "(2, 7, 64)"], {},
     "(2, 7, 64)"),
    ("Transformer", (64, 4, 1, 1, 128, 0.0, "relu", None, None, 1e-5, True), {}, ["(2, 9, 64)", "(3, 7, 64)"], {},
     "!batch-mismatch"),
    ("MultiheadAttention", (128, 4), {}, ["(7, 128)", "(9, 128)", "(9, 128)"], {"need_weights": False},
     "[(7, 128), None]"),
    ("MultiheadAttention", (128, 4), {}, ["(7, 2, 64)", "(9, 2, 128)", "(9, 2, 128)"], {}, "!layer-input-mismatch"),
    ("MultiheadAttention", (128, 4), {"kdim": 32, "vdim": 16}, ["(7, 2, 128)", "(9, 2, 32)", "(9, 2, 16)"], {},
     "[(7, 2, 128), (2, 7, 9)]"),
    ("MultiheadAttention", (128, 4), {}, ["(7, 2, 128)", "(9, 3, 128)", "(9, 3, 128)"], {}, "!batch-mismatch"),
    ("TransformerEncoderLayer", (64, 4), {"dim_feedforward": 128, "batch_first": True}, ["(2, 7, 64)"], {},
     "(2, 7, 64)"),
    ("TransformerEncoderLayer", (64, 4), {}, ["(7, 2, 32)"], {}, "!layer-input-mismatch"),
    ("TransformerDecoderLayer", (64, 4), {}, ["(7, 2, 64)", "(9, 2, 64)"], {}, "(7, 2, 64)"),
    ("TransformerDecoderLayer", (64, 4), {}, ["(7, 2, 64)", "(9, 3, 64)"], {}, "!batch-mismatch"),
    ("Transformer", (64, 4), {}, ["(9, 2, 64)", "(7, 2, 64)"], {}, "(7, 2, 64)"),
    ("Flatten", (), {}, ["(1, 16, 5, 5)"], {}, "(1, 400)"),
    ("Flatten", (0,), {}, ["(1, 16, 5, 5)"], {}, "(400,)"),
    ("Flatten", (1, 2), {}, ["(1, 16, 5, 5)"], {}, "(1, 80, 5)"),
    ("Flatten", (3,), {}, ["(1, 16, 5)"], {}, "!axis-out-of-range"),
    ("Flatten", (-3,), {}, ["(*, 16, 5, 5)"], {}, "(*, 400)"),
    ("Unflatten", (1, (2, 5)), {}, ["(3, 10)"], {}, "(3, 2, 5)"),
    ("Unflatten", (1, (2, -1)), {}, ["(3, 10)"], {}, "(3, 2, 5)"),
    ("Unflatten", (1, (3, 5)), {}, ["(3, 10)"], {}, "!reshape-size"),
    ("Upsample", (), {"scale_factor": 2}, ["(1, 3, 8, 9)"], {}, "(1, 3, 16, 18)"),
    ("Upsample", (), {"scale_factor": 1.5, "mode": "bilinear"}, ["(1, 3, 8, 9)"], {}, "(1, 3, 12, 13)"),
    ("Upsample", ((4, 5),), {}, ["(1, 3, 8, 9)"], {}, "(1, 3, 4, 5)"),
    ("Upsample", (), {"scale_factor": 2, "mode": "bilinear"}, ["(1, 3, 8)"], {}, "!layer-rank"),
    ("Softmax", (), {"dim": -1}, ["(2, 10)"], {}, "(2, 10)"),
    ("Softmax", (), {"dim": 2}, ["(2, 10)"], {}, "!axis-out-of-range"),
    ("PixelShuffle", (3,), {}, ["(1, 9, 4, 4)"], {}, "(1, 1, 12, 12)"),
    ("PixelShuffle", (3,), {}, ["(1, 8, 4, 4)"], {}, "!layer-input-mismatch"),
    ("PixelUnshuffle", (2,), {}, ["(1, 1, 4, 6)"], {}, "(1, 4, 2, 3)"),
    ("ZeroPad2d", ((1, 2, 3, 4),), {}, ["(1, 3, 8, 8)"], {}, "(1, 3, 15, 11)"),
    ("ReflectionPad1d", (2,), {}, ["(1, 3, 8)"], {}, "(1, 3, 12)"),
    ("GLU", (), {}, ["(4, 10)"], {}, "(4, 5)"),
    ("GLU", (), {}, ["(4, 9)"], {}, "!layer-input-mismatch"),
    ("PReLU", (3,), {}, ["(2, 3, 5)"], {}, "(2, 3, 5)"),
    ("PReLU", (3,), {}, ["(2, 4, 5)"], {}, "!layer-input-mismatch"),
    ("MSELoss", (), {}, ["(16, 1)", "(16,)"], {}, "!loss-broadcast"),
    ("MSELoss", (), {}, ["(16, 3)", "(16, 2)"], {}, "!broadcast-mismatch"),
    ("MSELoss", (), {}, ["(16, 1)", "(16, 1)"], {}, "()"),
    ("MSELoss", (), {"reduction": "none"}, ["(16, 3)", "(16, 3)"], {}, "(16, 3)"),
    ("BCELoss", (), {}, ["(16, 1)", "(16,)"], {}, "!loss-broadcast"),
    ("BCEWithLogitsLoss", (), {}, ["(B, 1)", "(B,)"], {}, "!loss-broadcast"),
    ("L1Loss", (), {}, ["(*, 1)", "(16,)"], {}, "!loss-broadcast"),
    ("CrossEntropyLoss", (), {}, ["(16, 10)", "(16,)"], {}, "()"),
    ("CrossEntropyLoss", (), {}, ["(16, 10)", "(16, 10)"], {}, "()"),
    ("CrossEntropyLoss", (), {}, ["(16, 10)", "(8,)"], {}, "!batch-mismatch"),
    ("CrossEntropyLoss", (), {}, ["(16, 10)", "(16, 1)"], {}, "!batch-mismatch"),
    ("CrossEntropyLoss", (), {"reduction": "none"}, ["(4, 10, 5, 5)", "(4, 5, 5)"], {}, "(4, 5, 5)"),
    ("NLLLoss", (), {}, ["(16, 10)", "(16, 10)"], {}, "!batch-mismatch"),
]


def _input(x: Any) -> Any:
    """A table input: a shape string is a torch tensor of unknown dtype."""
    if isinstance(x, tuple):
        return tuple(_input(i) for i in x)
    return S(x, None) if isinstance(x, str) else x


def layer_case(kind: str, args: tuple, kwargs: dict, inputs: list, call_kwargs: dict, expect: str) -> OpCase:
    """A row (kind, ctor args, ctor kwargs, inputs, call kwargs, expected) as an ``OpCase``."""
    name = kind if kind.startswith("torch.") else f"torch.nn.{kind}"
    return OpCase(name, list(args), kwargs, expect, inputs=[_input(i) for i in inputs], call_kwargs=call_kwargs)


def func_case(name: str, args: list, kwargs: dict, expect: str) -> OpCase:
    """A row (function, args, kwargs, expected) as an ``OpCase``."""
    name = name if name.startswith("torch.") else f"torch.nn.functional.{name}"
    return OpCase(name, [_input(a) for a in args], kwargs, expect)


LAYER_CASES = [layer_case(*row) for row in LAYER_ROWS]


@pytest.mark.parametrize("case", LAYER_CASES, ids=str)
def test_layer_table(case: OpCase) -> None:
    check(case)


FUNC_ROWS = [
    ("linear", ["(64, 784)", "(128, 784)"], {}, "(64, 128)"),
    ("linear", ["(64, 784)", "(784, 128)"], {}, "!weight-layout"),
    ("linear", ["(64, 784)", "(128, 100)"], {}, "!matmul-mismatch"),
    ("linear", ["(64, 784)", "(2, 128, 784)"], {}, "!operand-rank"),
    ("linear", ["(B, T, 16)", "(32, 16)", "(32,)"], {}, "(B, T, 32)"),
    ("linear", ["(3, 4)", "(4,)"], {}, "(3,)"),
    ("linear", ["(3, 4)", "(4,)", "(4,)"], {}, "!operand-rank"),
    ("linear", ["(3, 5)", "(1, 5)", "(2,)"], {}, "!broadcast-mismatch"),
    ("bilinear", ["(8, 5)", "(8, 6)", "(3, 5, 6)"], {}, "(8, 3)"),
    ("conv2d", ["(1, 3, 32, 32)", "(6, 3, 5, 5)"], {}, "(1, 6, 28, 28)"),
    ("conv2d", ["(1, 4, 32, 32)", "(6, 3, 5, 5)"], {}, "!layer-input-mismatch"),
    ("conv2d", ["(1, 4, 32, 32)", "(6, 2, 5, 5)"], {"groups": 2, "padding": 2}, "(1, 6, 32, 32)"),
    ("conv1d", ["(1, 3, 4)", "(6, 3, 5)"], {}, "!empty-spatial"),
    ("conv_transpose2d", ["(1, 4, 8, 8)", "(4, 2, 3, 3)"], {"stride": 2}, "(1, 2, 17, 17)"),
    ("max_pool2d", ["(1, 3, 8, 8)", 2], {}, "(1, 3, 4, 4)"),
    ("max_pool2d", ["(1, 3, 8, 8)", 3], {"stride": 1, "padding": 1}, "(1, 3, 8, 8)"),
    ("avg_pool1d", ["(1, 3, 8)", 3], {}, "(1, 3, 2)"),
    ("adaptive_avg_pool2d", ["(1, 3, 8, 8)", (1, 1)], {}, "(1, 3, 1, 1)"),
    ("adaptive_max_pool2d", ["(1, 3, 8, 8)", 2], {"return_indices": True}, "[(1, 3, 2, 2), (1, 3, 2, 2)]"),
    ("softmax", ["(2, 10)"], {"dim": -1}, "(2, 10)"),
    ("softmax", ["(2, 10)"], {"dim": 2}, "!axis-out-of-range"),
    ("log_softmax", ["(2, 10)", 1], {}, "(2, 10)"),
    ("pad", ["(1, 3, 8, 8)", (1, 1, 2, 2)], {}, "(1, 3, 12, 10)"),
    ("pad", ["(1, 3, 8, 8)", (1, 1, 2)], {}, "!layer-rank"),
    ("interpolate", ["(1, 3, 8, 8)"], {"scale_factor": 2, "mode": "bilinear"}, "(1, 3, 16, 16)"),
    ("interpolate", ["(1, 3, 8, 8)"], {"size": (5, 6)}, "(1, 3, 5, 6)"),
    ("interpolate", ["(1, 8, 8)"], {"size": (5, 6), "mode": "bilinear"}, "!layer-rank"),
    ("one_hot", ["(16,)", 10], {}, "(16, 10)"),
    ("embedding", ["(4, 7)", "(100, 32)"], {}, "(4, 7, 32)"),
    ("normalize", ["(4, 7)"], {"dim": -1}, "(4, 7)"),
    ("normalize", ["(4,)"], {}, "!axis-out-of-range"),
    ("layer_norm", ["(4, 7, 32)", (32,)], {}, "(4, 7, 32)"),
    ("layer_norm", ["(4, 7, 32)", (16,)], {}, "!layer-input-mismatch"),
    ("group_norm", ["(4, 6, 5)", 4], {}, "!layer-input-mismatch"),
    ("batch_norm", ["(4, 6, 5)", "(6,)", "(6,)"], {}, "(4, 6, 5)"),
    ("batch_norm", ["(4, 6, 5)", "(5,)", "(5,)"], {}, "!layer-input-mismatch"),
    ("mse_loss", ["(16, 1)", "(16,)"], {}, "!loss-broadcast"),
    ("mse_loss", ["(16, 1)", "(16, 1)"], {}, "()"),
    ("l1_loss", ["(16, 3)", "(16, 2)"], {}, "!broadcast-mismatch"),
    ("binary_cross_entropy_with_logits", ["(16,)", "(16,)"], {"reduction": "none"}, "(16,)"),
    ("cross_entropy", ["(16, 10)", "(16,)"], {}, "()"),
    ("cross_entropy", ["(16, 10)", "(12,)"], {}, "!batch-mismatch"),
    ("nll_loss", ["(16, 10)", "(16,)"], {"reduction": "none"}, "(16,)"),
    ("kl_div", ["(16, 10)", "(16, 10)"], {"reduction": "batchmean"}, "()"),
    ("cosine_similarity", ["(8, 128)", "(8, 128)"], {}, "(8,)"),
    ("cosine_similarity", ["(8, 128)", "(8, 64)"], {}, "!broadcast-mismatch"),
    ("pairwise_distance", ["(8, 128)", "(8, 128)"], {}, "(8,)"),
    ("unfold", ["(2, 3, 8, 8)", 3], {}, "(2, 27, 36)"),
    ("unfold", ["(3, 8, 8)", 3], {"stride": 2, "padding": 1}, "(27, 16)"),
    ("unfold", ["(2, 3, 2, 8)", 3], {}, "!empty-spatial"),
    ("fold", ["(2, 27, 36)", (8, 8), 3], {}, "(2, 3, 8, 8)"),
    ("fold", ["(2, 27, 35)", (8, 8), 3], {}, "!layer-input-mismatch"),
    ("fold", ["(2, 28, 36)", (8, 8), 3], {}, "!layer-input-mismatch"),
    ("grid_sample", ["(2, 3, 8, 8)", "(2, 5, 6, 2)"], {}, "(2, 3, 5, 6)"),
    ("grid_sample", ["(2, 3, 8, 8)", "(3, 5, 6, 2)"], {}, "!batch-mismatch"),
    ("affine_grid", ["(2, 2, 3)", (2, 3, 5, 6)], {}, "(2, 5, 6, 2)"),
    ("scaled_dot_product_attention", ["(2, 4, 7, 16)", "(2, 4, 9, 16)", "(2, 4, 9, 32)"], {}, "(2, 4, 7, 32)"),
    ("scaled_dot_product_attention", ["(2, 4, 7, 16)", "(2, 4, 9, 8)", "(2, 4, 9, 32)"], {}, "!matmul-mismatch"),
    ("scaled_dot_product_attention", ["(2, 4, 7, 16)", "(2, 4, 9, 16)", "(2, 4, 8, 32)"], {}, "!matmul-mismatch"),
    ("scaled_dot_product_attention", ["(2, 4, 7, 16)", "(3, 4, 9, 16)", "(3, 4, 9, 32)"], {}, "!batch-mismatch"),
]


FUNC_CASES = [func_case(*row) for row in FUNC_ROWS]


@pytest.mark.parametrize("case", FUNC_CASES, ids=str)
def test_functional_table(case: OpCase) -> None:
    check(case)


def test_weight_layout_message() -> None:
    with pytest.raises(ShapeError) as e:
        call_fn("linear", T("(64, 784)"), T("(784, 128)"))
    assert "torch stores Linear.weight as (out, in)" in e.value.message


def test_flatten_keeps_derivation() -> None:
    out = apply(build("Flatten"), T("(1, 16, 5, 5)"))
    assert out.shape.why_of(1) == "16*5*5"


# ---------------------------------------------------------------------------------- weights (symbolic)
def test_weights_torch_layout() -> None:
    assert {k: str(v) for k, v in lookup_layer("torch.nn.Conv2d").weights(build("Conv2d", 4, 8, 3, groups=2)).items()} \
        == {"weight": "(8, 2, 3, 3)", "bias": "(8,)"}
    w = lookup_layer("torch.nn.ConvTranspose2d").weights(build("ConvTranspose2d", 4, 8, 3, groups=2))
    assert str(w["weight"]) == "(4, 4, 3, 3)"
    lstm = build("LSTM", 10, 20, 2, bidirectional=True, proj_size=5)
    w = lookup_layer("torch.nn.LSTM").weights(lstm)
    assert str(w["weight_ih_l1_reverse"]) == "(80, 10)" and str(w["weight_hr_l0"]) == "(5, 20)"
    mha = build("MultiheadAttention", 16, 4, kdim=8)
    w = lookup_layer("torch.nn.MultiheadAttention").weights(mha)
    assert str(w["k_proj_weight"]) == "(16, 8)" and "in_proj_weight" not in w


def test_symbolic_lstm_params() -> None:
    import sympy

    e, h = D.rigid("embed"), D.rigid("hidden")
    layer = build("LSTM", Int(e), Int(h))
    total = sum((s.numel() for s in lookup_layer("torch.nn.LSTM").weights(layer).values()), sympy.Integer(0))
    assert sympy.expand(total - 4 * h * (h + e + 2)) == 0


def test_lazy_conv_binds_in_channels() -> None:
    src = """
import torch
import torch.nn as nn
conv = nn.LazyConv2d(8, 3)
a = conv(torch.randn(1, 5, 7, 7))
b = conv(torch.randn(1, 6, 7, 7))
"""
    assert codes(src) == [(6, "SHP301")]


def test_attr_reads() -> None:
    layer = build("LSTM", 10, 20)
    rule = lookup_layer("torch.nn.LSTM")
    assert show(rule.attr(layer, "weight_ih_l0")) == "(80, 10)"
    assert D.as_int(rule.attr(layer, "hidden_size").dim) == 20
    mha = build("MultiheadAttention", 16, 4)
    out_proj = lookup_layer("torch.nn.MultiheadAttention").attr(mha, "out_proj")
    assert isinstance(out_proj, Layer) and out_proj.kind == "torch.nn.Linear"


# ================================================================================== end to end
def codes(src: str) -> list:
    return [(d.line, d.code) for d in check_source(src)]


E2E = [
    ("""
import torch
import torch.nn as nn
net = nn.Sequential(nn.Conv2d(1, 4, 3), nn.MaxPool2d(4), nn.Conv2d(4, 8, 3))
net(torch.randn(1, 1, 10, 10))
""", [(4, "SHP304")]),
    ("""
import torch
import torch.nn as nn
class LeNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(3, 6, 5), nn.ReLU(), nn.MaxPool2d(2),
                                      nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2))
        self.flat = nn.Flatten()
        self.fc = nn.Linear(16 * 4 * 4, 10)
    def forward(self, x):
        return self.fc(self.flat(self.features(x)))
LeNet()(torch.randn(1, 3, 32, 32))
""", [(12, "SHP303")]),
    ("""
import torch
import torch.nn as nn
gru = nn.GRU(input_size=12, hidden_size=24, batch_first=True)
out, h = gru(torch.randn(9, 3, 12), torch.zeros(1, 3, 24))
""", [(5, "SHP305")]),
    ("""
import torch
import torch.nn as nn
lstm = nn.LSTM(10, 20, batch_first=True)
out, (h, c) = lstm(torch.randn(3, 5, 10))
y = nn.Linear(20, 2)(out[:, -1])
""", []),
    ("""
import torch
import torch.nn.functional as F
W = torch.randn(784, 128)
y = F.linear(torch.randn(64, 784), W)
""", [(5, "SHP601")]),
    ("""
import torch
import torch.nn as nn
crit = nn.MSELoss()
loss = crit(torch.randn(16, 1), torch.randn(16))
""", [(5, "SHP503")]),
    ("""
import torch
import torch.nn.functional as F
loss = F.cross_entropy(torch.randn(16, 10), torch.randint(0, 10, (8,)))
""", [(4, "SHP104")]),
    ("""
import torch
import torch.nn as nn
class Block(nn.Module):
    def __init__(self, d_model=128, n_heads=4):
        super().__init__()
        self.attn = nn.MultiheadAttention(d_model, n_heads, batch_first=True)
        self.ln = nn.LayerNorm(d_model)
    def forward(self, x):
        h = self.ln(x)
        a, _ = self.attn(h, h, h, need_weights=False)
        return x + a
Block()(torch.randn(2, 7, 128))
Block()(torch.randn(2, 7, 64))
""", [(10, "SHP301")]),
]


@pytest.mark.parametrize("src,expect", E2E)
def test_end_to_end(src: str, expect: list) -> None:
    assert codes(src) == expect


def test_reveal_conv_chain() -> None:
    src = """
import torch
import torch.nn as nn
conv = nn.Conv2d(3, 16, 3, stride=2, padding=1)
pool = nn.MaxPool2d(2)
y = pool(conv(torch.randn(8, 3, 64, 64)))
reveal_shape(y)
out, (h, c) = nn.LSTM(16, 32, num_layers=2)(torch.randn(5, 8, 16))
reveal_shape(out)
reveal_shape(h)
"""
    assert reveal(src) == [(7, "(8, 16, 16, 16)"), (9, "(5, 8, 32)"), (10, "(2, 8, 32)")]


# ---------------------------------------------------------------------------------- realistic programs
# Clean models in the style of the PyTorch tutorials / popular repos: no finding at all, and the
# revealed shapes are what torch computes. Each also runs mutated into a known bug.
PROGRAMS = {
    "resnet": r"""import torch
import torch.nn as nn
import torch.nn.functional as F


class BasicBlock(nn.Module):
    expansion = 1

    def __init__(self, in_planes, planes, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(in_planes, planes, kernel_size=3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, kernel_size=3, stride=1, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.shortcut = nn.Sequential()
        if stride != 1 or in_planes != self.expansion * planes:
            self.shortcut = nn.Sequential(
                nn.Conv2d(in_planes, self.expansion * planes, kernel_size=1, stride=stride, bias=False),
                nn.BatchNorm2d(self.expansion * planes),
            )

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        out += self.shortcut(x)
        out = F.relu(out)
        return out


class ResNet(nn.Module):
    def __init__(self, block, num_blocks, num_classes=10):
        super().__init__()
        self.in_planes = 64
        self.conv1 = nn.Conv2d(3, 64, kernel_size=3, stride=1, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.layer1 = self._make_layer(block, 64, num_blocks[0], stride=1)
        self.layer2 = self._make_layer(block, 128, num_blocks[1], stride=2)
        self.layer3 = self._make_layer(block, 256, num_blocks[2], stride=2)
        self.layer4 = self._make_layer(block, 512, num_blocks[3], stride=2)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.linear = nn.Linear(512 * block.expansion, num_classes)

    def _make_layer(self, block, planes, num_blocks, stride):
        strides = [stride] + [1] * (num_blocks - 1)
        layers = []
        for stride in strides:
            layers.append(block(self.in_planes, planes, stride))
            self.in_planes = planes * block.expansion
        return nn.Sequential(*layers)

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.layer1(out)
        out = self.layer2(out)
        out = self.layer3(out)
        out = self.layer4(out)
        out = F.avg_pool2d(out, 4)
        out = out.view(out.size(0), -1)
        out = self.linear(out)
        return out


net = ResNet(BasicBlock, [2, 2, 2, 2])
y = net(torch.randn(2, 3, 32, 32))
reveal_shape(y)
""",
    "unet": r"""import torch
import torch.nn as nn
import torch.nn.functional as F


class DoubleConv(nn.Module):
    def __init__(self, in_channels, out_channels, mid_channels=None):
        super().__init__()
        if not mid_channels:
            mid_channels = out_channels
        self.double_conv = nn.Sequential(
            nn.Conv2d(in_channels, mid_channels, kernel_size=3, padding=1, bias=False),
            nn.BatchNorm2d(mid_channels),
            nn.ReLU(inplace=True),
            nn.Conv2d(mid_channels, out_channels, kernel_size=3, padding=1, bias=False),
            nn.BatchNorm2d(out_channels),
            nn.ReLU(inplace=True),
        )

    def forward(self, x):
        return self.double_conv(x)


class Down(nn.Module):
    def __init__(self, in_channels, out_channels):
        super().__init__()
        self.maxpool_conv = nn.Sequential(nn.MaxPool2d(2), DoubleConv(in_channels, out_channels))

    def forward(self, x):
        return self.maxpool_conv(x)


class Up(nn.Module):
    def __init__(self, in_channels, out_channels, bilinear=True):
        super().__init__()
        if bilinear:
            self.up = nn.Upsample(scale_factor=2, mode="bilinear", align_corners=True)
            self.conv = DoubleConv(in_channels, out_channels, in_channels // 2)
        else:
            self.up = nn.ConvTranspose2d(in_channels, in_channels // 2, kernel_size=2, stride=2)
            self.conv = DoubleConv(in_channels, out_channels)

    def forward(self, x1, x2):
        x1 = self.up(x1)
        diffY = x2.size()[2] - x1.size()[2]
        diffX = x2.size()[3] - x1.size()[3]
        x1 = F.pad(x1, [diffX // 2, diffX - diffX // 2, diffY // 2, diffY - diffY // 2])
        x = torch.cat([x2, x1], dim=1)
        return self.conv(x)


class UNet(nn.Module):
    def __init__(self, n_channels, n_classes, bilinear=False):
        super().__init__()
        factor = 2 if bilinear else 1
        self.inc = DoubleConv(n_channels, 64)
        self.down1 = Down(64, 128)
        self.down2 = Down(128, 256)
        self.down3 = Down(256, 512)
        self.down4 = Down(512, 1024 // factor)
        self.up1 = Up(1024, 512 // factor, bilinear)
        self.up2 = Up(512, 256 // factor, bilinear)
        self.up3 = Up(256, 128 // factor, bilinear)
        self.up4 = Up(128, 64, bilinear)
        self.outc = nn.Conv2d(64, n_classes, kernel_size=1)

    def forward(self, x):
        x1 = self.inc(x)
        x2 = self.down1(x1)
        x3 = self.down2(x2)
        x4 = self.down3(x3)
        x5 = self.down4(x4)
        x = self.up1(x5, x4)
        x = self.up2(x, x3)
        x = self.up3(x, x2)
        x = self.up4(x, x1)
        return self.outc(x)


y = UNet(3, 2)(torch.randn(1, 3, 64, 64))
reveal_shape(y)
y2 = UNet(3, 2, bilinear=True)(torch.randn(1, 3, 64, 64))
reveal_shape(y2)
""",
    "seq": r"""import torch
import torch.nn as nn
import torch.nn.functional as F


class TextCNN(nn.Module):
    def __init__(self, vocab_size, embed_dim, num_classes, kernel_sizes=(3, 4, 5), num_filters=100):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embed_dim, padding_idx=0)
        self.convs = nn.ModuleList([nn.Conv1d(embed_dim, num_filters, k) for k in kernel_sizes])
        self.dropout = nn.Dropout(0.5)
        self.fc = nn.Linear(num_filters * len(kernel_sizes), num_classes)

    def forward(self, x):
        x = self.embedding(x)
        x = x.permute(0, 2, 1)
        xs = [F.relu(conv(x)) for conv in self.convs]
        xs = [F.max_pool1d(c, c.size(2)).squeeze(2) for c in xs]
        x = torch.cat(xs, 1)
        return self.fc(self.dropout(x))


class GRUClassifier(nn.Module):
    def __init__(self, vocab, emb, hidden, n_out, n_layers=2):
        super().__init__()
        self.emb = nn.Embedding(vocab, emb)
        self.rnn = nn.GRU(emb, hidden, num_layers=n_layers, batch_first=True, bidirectional=True, dropout=0.1)
        self.fc = nn.Linear(hidden * 2, n_out)

    def forward(self, tokens):
        e = self.emb(tokens)
        out, h = self.rnn(e)
        last = torch.cat([h[-2], h[-1]], dim=1)
        return self.fc(last)


class Seq2Seq(nn.Module):
    def __init__(self, vocab=1000, emb=32, hid=64):
        super().__init__()
        self.enc_emb = nn.Embedding(vocab, emb)
        self.encoder = nn.LSTM(emb, hid, batch_first=True)
        self.dec_emb = nn.Embedding(vocab, emb)
        self.decoder = nn.LSTM(emb, hid, batch_first=True)
        self.out = nn.Linear(hid, vocab)
        self.cell = nn.LSTMCell(emb, hid)

    def forward(self, src, tgt):
        _, (h, c) = self.encoder(self.enc_emb(src))
        dec_out, _ = self.decoder(self.dec_emb(tgt), (h, c))
        logits = self.out(dec_out)
        hx, cx = self.cell(self.dec_emb(tgt[:, 0]), (h[0], c[0]))
        return logits, hx


m = TextCNN(5000, 128, 4)
y = m(torch.randint(0, 5000, (8, 50)))
reveal_shape(y)
g = GRUClassifier(100, 16, 32, 3)
reveal_shape(g(torch.randint(0, 100, (4, 12))))
s = Seq2Seq()
logits, hx = s(torch.randint(0, 1000, (4, 10)), torch.randint(0, 1000, (4, 7)))
reveal_shape(logits)
reveal_shape(hx)
loss = F.cross_entropy(logits.reshape(-1, 1000), torch.randint(0, 1000, (4, 7)).reshape(-1))
loss2 = nn.CrossEntropyLoss()(logits.transpose(1, 2), torch.randint(0, 1000, (4, 7)))
reveal_shape(loss2)
""",
    "gan": r"""import torch
import torch.nn as nn

nz, ngf, ndf, nc = 100, 64, 64, 3


class Generator(nn.Module):
    def __init__(self):
        super().__init__()
        self.main = nn.Sequential(
            nn.ConvTranspose2d(nz, ngf * 8, 4, 1, 0, bias=False),
            nn.BatchNorm2d(ngf * 8),
            nn.ReLU(True),
            nn.ConvTranspose2d(ngf * 8, ngf * 4, 4, 2, 1, bias=False),
            nn.BatchNorm2d(ngf * 4),
            nn.ReLU(True),
            nn.ConvTranspose2d(ngf * 4, ngf * 2, 4, 2, 1, bias=False),
            nn.BatchNorm2d(ngf * 2),
            nn.ReLU(True),
            nn.ConvTranspose2d(ngf * 2, ngf, 4, 2, 1, bias=False),
            nn.BatchNorm2d(ngf),
            nn.ReLU(True),
            nn.ConvTranspose2d(ngf, nc, 4, 2, 1, bias=False),
            nn.Tanh(),
        )

    def forward(self, input):
        return self.main(input)


class Discriminator(nn.Module):
    def __init__(self):
        super().__init__()
        self.main = nn.Sequential(
            nn.Conv2d(nc, ndf, 4, 2, 1, bias=False),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(ndf, ndf * 2, 4, 2, 1, bias=False),
            nn.BatchNorm2d(ndf * 2),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(ndf * 2, ndf * 4, 4, 2, 1, bias=False),
            nn.BatchNorm2d(ndf * 4),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(ndf * 4, ndf * 8, 4, 2, 1, bias=False),
            nn.BatchNorm2d(ndf * 8),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(ndf * 8, 1, 4, 1, 0, bias=False),
            nn.Sigmoid(),
        )

    def forward(self, input):
        return self.main(input)


netG, netD = Generator(), Discriminator()
criterion = nn.BCELoss()
noise = torch.randn(16, nz, 1, 1)
fake = netG(noise)
reveal_shape(fake)
output = netD(fake).view(-1)
reveal_shape(output)
label = torch.full((16,), 1.0)
errD = criterion(output, label)
""",
    "tfm": r"""import math
import torch
import torch.nn as nn
import torch.nn.functional as F


class PositionalEncoding(nn.Module):
    def __init__(self, d_model, dropout=0.1, max_len=5000):
        super().__init__()
        self.dropout = nn.Dropout(p=dropout)
        position = torch.arange(max_len).unsqueeze(1)
        div_term = torch.exp(torch.arange(0, d_model, 2) * (-math.log(10000.0) / d_model))
        pe = torch.zeros(max_len, 1, d_model)
        pe[:, 0, 0::2] = torch.sin(position * div_term)
        pe[:, 0, 1::2] = torch.cos(position * div_term)
        self.register_buffer("pe", pe)

    def forward(self, x):
        x = x + self.pe[: x.size(0)]
        return self.dropout(x)


class TransformerModel(nn.Module):
    def __init__(self, ntoken, d_model, nhead, d_hid, nlayers, dropout=0.5):
        super().__init__()
        self.pos_encoder = PositionalEncoding(d_model, dropout)
        encoder_layers = nn.TransformerEncoderLayer(d_model, nhead, d_hid, dropout)
        self.transformer_encoder = nn.TransformerEncoder(encoder_layers, nlayers)
        self.embedding = nn.Embedding(ntoken, d_model)
        self.d_model = d_model
        self.linear = nn.Linear(d_model, ntoken)

    def forward(self, src, src_mask=None):
        src = self.embedding(src) * math.sqrt(self.d_model)
        src = self.pos_encoder(src)
        output = self.transformer_encoder(src, src_mask)
        output = self.linear(output)
        return output


class Attn(nn.Module):
    def __init__(self, dim, heads=8):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, dim * 3)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        B, N, C = x.shape
        qkv = self.qkv(x).reshape(B, N, 3, self.heads, C // self.heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        out = F.scaled_dot_product_attention(q, k, v)
        out = out.transpose(1, 2).reshape(B, N, C)
        return self.proj(out)


m = TransformerModel(1000, 64, 4, 128, 2)
y = m(torch.randint(0, 1000, (35, 8)))
reveal_shape(y)
a = Attn(64)
reveal_shape(a(torch.randn(2, 10, 64)))
mha = nn.MultiheadAttention(64, 8)
q = torch.randn(10, 2, 64)
o, w = mha(q, q, q)
reveal_shape(o)
reveal_shape(w)
t = nn.Transformer(d_model=64, nhead=4, num_encoder_layers=2, num_decoder_layers=2, batch_first=True)
reveal_shape(t(torch.randn(2, 10, 64), torch.randn(2, 7, 64)))
""",
    "vae": r"""import torch
import torch.nn as nn
import torch.nn.functional as F


class VAE(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(784, 400)
        self.fc21 = nn.Linear(400, 20)
        self.fc22 = nn.Linear(400, 20)
        self.fc3 = nn.Linear(20, 400)
        self.fc4 = nn.Linear(400, 784)

    def encode(self, x):
        h1 = F.relu(self.fc1(x))
        return self.fc21(h1), self.fc22(h1)

    def reparameterize(self, mu, logvar):
        std = torch.exp(0.5 * logvar)
        eps = torch.randn_like(std)
        return mu + eps * std

    def decode(self, z):
        h3 = F.relu(self.fc3(z))
        return torch.sigmoid(self.fc4(h3))

    def forward(self, x):
        mu, logvar = self.encode(x.view(-1, 784))
        z = self.reparameterize(mu, logvar)
        return self.decode(z), mu, logvar


def loss_function(recon_x, x, mu, logvar):
    BCE = F.binary_cross_entropy(recon_x, x.view(-1, 784), reduction="sum")
    KLD = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
    return BCE + KLD


model = VAE()
data = torch.rand(128, 1, 28, 28)
recon, mu, logvar = model(data)
loss = loss_function(recon, data, mu, logvar)
reveal_shape(recon)


class ConvAE(nn.Module):
    def __init__(self):
        super().__init__()
        self.enc = nn.Sequential(nn.Conv2d(1, 16, 3, stride=2, padding=1), nn.ReLU(),
                                 nn.Conv2d(16, 32, 3, stride=2, padding=1), nn.ReLU(), nn.Conv2d(32, 64, 7))
        self.dec = nn.Sequential(nn.ConvTranspose2d(64, 32, 7), nn.ReLU(),
                                 nn.ConvTranspose2d(32, 16, 3, stride=2, padding=1, output_padding=1), nn.ReLU(),
                                 nn.ConvTranspose2d(16, 1, 3, stride=2, padding=1, output_padding=1), nn.Sigmoid())

    def forward(self, x):
        return self.dec(self.enc(x))


ae = ConvAE()
img = torch.rand(8, 1, 28, 28)
out = ae(img)
reveal_shape(out)
l = nn.MSELoss()(out, img)
""",
}

PROGRAM_REVEALS = {
    "resnet": ["(2, 10)"],
    "unet": ["(1, 2, 64, 64)", "(1, 2, 64, 64)"],
    "seq": ["(8, 4)", "(4, 3)", "(4, 7, 1000)", "(4, 64)", "()"],
    "gan": ["(16, 3, 64, 64)", "(16,)"],
    "tfm": ["(35, 8, 1000)", "(2, 10, 64)", "(10, 2, 64)", "(2, 10, 10)", "(2, 7, 64)"],
    "vae": ["(128, 784)", "(8, 1, 28, 28)"],
}

MUTATIONS = [
    ("resnet", "self.linear = nn.Linear(512 * block.expansion, num_classes)", "self.linear = nn.Linear(1024, num_classes)",
     "SHP303"),
    ("unet", "self.outc = nn.Conv2d(64, n_classes", "self.outc = nn.Conv2d(32, n_classes", "SHP301"),
    ("seq", "self.fc = nn.Linear(hidden * 2, n_out)", "self.fc = nn.Linear(hidden, n_out)", "SHP301"),
    ("gan", "output = netD(fake).view(-1)", "output = netD(fake)", "SHP503"),
    ("vae", "nn.ConvTranspose2d(32, 16, 3, stride=2, padding=1, output_padding=1)",
     "nn.ConvTranspose2d(32, 16, 3, stride=2, padding=1)", "SHP501"),
    ("gan", "nn.Conv2d(ndf * 8, 1, 4, 1, 0, bias=False)", "nn.Conv2d(ndf * 8, 1, 5, 1, 0, bias=False)", "SHP304"),
    ("seq", "self.rnn = nn.GRU(emb, hidden,", "self.rnn = nn.GRU(hidden, hidden,", "SHP301"),
    ("tfm", "mha = nn.MultiheadAttention(64, 8)", "mha = nn.MultiheadAttention(32, 8)", "SHP301"),
]


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_clean_program(name: str) -> None:
    src = PROGRAMS[name]
    assert [(d.line, d.code, d.message) for d in check_source(src)] == []
    assert [text for _, text in reveal(src)] == PROGRAM_REVEALS[name]


@pytest.mark.parametrize("name,old,new,code", MUTATIONS, ids=lambda x: str(x)[:20])
def test_mutated_program(name: str, old: str, new: str, code: str) -> None:
    src = PROGRAMS[name]
    assert old in src
    found = [d.code for d in check_source(src.replace(old, new, 1))]
    assert found == [code]


# ================================================================================== differential


def _torch():
    return pytest.importorskip("torch")


class Tally:
    """Agreement between shapecheck and torch over random configurations."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.agree_shape = self.agree_error = self.abstain = self.missed = 0
        self.params_ok = self.params_checked = 0
        self.problems: list = []
        self.misses: list = []

    def record(self, desc: str, real: Any, ours: Any) -> None:
        """``real``: a tuple of shapes or an exception; ``ours``: shape strings or a ShapeError."""
        if isinstance(real, Exception):
            if isinstance(ours, ShapeError):
                self.agree_error += 1
            else:
                self.missed += 1
                self.misses.append(f"{desc}: {type(real).__name__}: {str(real)[:120]}")
            return
        if isinstance(ours, ShapeError) and ours.kind == "empty-spatial" and any(0 in r for r in real):
            self.agree_error += 1  # torch returned an empty tensor: degenerate, reported on purpose
            return
        if isinstance(ours, ShapeError) and "differ in the source length" in ours.message:
            # torch's CPU flash-attention kernel does not check key/value lengths for 4-D inputs: it
            # returns garbage (the math path, used for 2-D inputs, raises); reported on purpose
            self.agree_error += 1
            return
        if isinstance(ours, ShapeError):
            self.problems.append(f"false positive {ours.kind}: {desc}: torch gives {real}; we say {ours.message}")
            return
        if ours is None or any(o is None for o in ours):
            self.abstain += 1
            return
        if tuple(ours) != tuple(real):
            self.problems.append(f"shape: {desc}: torch {real}, ours {ours}")
            return
        self.agree_shape += 1

    def params(self, desc: str, module: Any, layer: Optional[Layer]) -> None:
        if layer is None:
            return
        want = sum(p.numel() for p in module.parameters())
        got = n_params(layer)
        if got is None:
            return
        self.params_checked += 1
        real_named = {k: tuple(p.shape) for k, p in module.named_parameters()}
        ours_named = {k: tuple(D.as_int(d) for d in v.dims) for k, v in lookup_layer(layer.kind).weights(layer).items()}
        if got == want and real_named == ours_named:
            self.params_ok += 1
        else:
            self.problems.append(f"params: {desc}: torch {want} {real_named}, ours {got} {ours_named}")

    def check(self, min_agree: int = 1) -> None:
        print(f"\n{self.name}: shape agree {self.agree_shape}, error agree {self.agree_error}, "
              f"abstain {self.abstain}, missed errors {self.missed}, params {self.params_ok}/{self.params_checked}")
        if os.environ.get("SHAPECHECK_SHOW_MISSES"):
            print("\n".join(f"  missed: {m}" for m in self.misses))
        assert not self.problems, "\n".join(self.problems[:20])
        assert self.agree_shape + self.agree_error >= min_agree


def _concrete(v: Value) -> Optional[tuple]:
    """Our result as a tuple of concrete shapes (None where not fully known)."""
    if isinstance(v, Tensor):
        s = v.shape
        if s.variadic or any(D.as_int(d) is None for d in s.dims):
            return None
        return (tuple(D.as_int(d) for d in s.dims),)
    if isinstance(v, Seq):
        out: tuple = ()
        for i in v.items:
            c = _concrete(i)
            if c is None:
                return None
            out += c
        return out
    if isinstance(v, Const) and v.value is None:
        return ()
    return None


def _real_shapes(r: Any) -> tuple:
    if r is None:
        return ()
    if isinstance(r, (tuple, list)):
        out: tuple = ()
        for i in r:
            out += _real_shapes(i)
        return out
    return (tuple(r.shape),)


def _run(tally: Tally, desc: str, module_or_fn: Any, real_inputs: list, real_kwargs: dict, ours_fn) -> None:
    torch = _torch()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            with torch.no_grad():
                real: Any = _real_shapes(module_or_fn(*real_inputs, **real_kwargs))
        except Exception as e:  # noqa: BLE001 - any failure of the real op counts as "raises"
            real = e
    try:
        ours: Any = _concrete(ours_fn())
        if ours is None:
            ours = [None]
    except ShapeError as e:
        ours = e
    tally.record(desc, real, ours)


def _rand_input(rng: random.Random, shape: tuple, dtype: str = "float"):
    torch = _torch()
    if dtype == "int":
        return torch.randint(0, 5, shape)
    return torch.rand(shape) if dtype == "prob" else torch.randn(shape)


def _build_both(kind: str, args: tuple, kwargs: dict):
    torch = _torch()
    cls = getattr(torch.nn, kind)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            module = cls(*args, **kwargs)
        except Exception:  # noqa: BLE001 - the constructor refused: not a forward-shape test
            return None, None
    return module, build(kind, *args, **kwargs)


_RNN_ORDER = {"RNN": ["input_size", "hidden_size", "num_layers", "nonlinearity", "bias", "batch_first", "dropout",
                      "bidirectional"],
              "LSTM": ["input_size", "hidden_size", "num_layers", "bias", "batch_first", "dropout", "bidirectional",
                       "proj_size"]}
_RNN_ORDER["GRU"] = _RNN_ORDER["LSTM"][:-1]


def _positional(rng: random.Random, func: Any, args: tuple, kwargs: dict, skip: int = 1,
                order: Optional[list] = None) -> tuple:
    """Move a random prefix of ``kwargs`` into positional arguments, in ``func``'s parameter order
    (so the rules' positional indices are exercised too)."""
    import inspect

    if order is None:
        try:
            order = [p.name for p in list(inspect.signature(func).parameters.values())[skip:]
                     if p.kind == p.POSITIONAL_OR_KEYWORD]
        except (TypeError, ValueError):
            return args, kwargs
    args, kwargs = list(args), dict(kwargs)
    while len(args) < len(order) and order[len(args)] in kwargs and rng.random() < 0.7:
        args.append(kwargs.pop(order[len(args)]))
    return tuple(args), kwargs


def _layer_diff(tally: Tally, rng: random.Random, kind: str, args: tuple, kwargs: dict, inputs: list,
                call_kwargs: Optional[dict] = None, dtypes: Optional[list] = None) -> None:
    torch = _torch()
    if rng.random() < 0.5:
        args, kwargs = _positional(rng, getattr(torch.nn, kind).__init__, args, kwargs, order=_RNN_ORDER.get(kind))
    module, layer = _build_both(kind, args, kwargs)
    if module is None:
        return
    desc = f"{kind}{args}{kwargs} on {inputs}"
    tally.params(desc, module, layer)
    if layer is None:
        tally.abstain += 1
        return
    dtypes = dtypes or ["float"] * len(inputs)
    real_in = [_nested(rng, i, dt) for i, dt in zip(inputs, dtypes)]
    ours_in = [_nested_t(i, dt) for i, dt in zip(inputs, dtypes)]
    ck = call_kwargs or {}
    if any(isinstance(v, Mask) for v in ck.values()):
        torch = _torch()
        real_ck = {k: torch.zeros(v.shape, dtype=torch.bool) if isinstance(v, Mask) else v for k, v in ck.items()}
        ours_ck = {k: _shape_t(v.shape, "bool") if isinstance(v, Mask) else v for k, v in ck.items()}
        _run(tally, desc + f" masks {ck}", module, real_in, real_ck, lambda: apply(layer, *ours_in, **ours_ck))
        return
    if kind == "MultiheadAttention" and ck and rng.random() < 0.5:
        # forward(query, key, value, key_padding_mask, need_weights, attn_mask, average_attn_weights): by position
        extra = [None, ck.get("need_weights", True), None, ck.get("average_attn_weights", True)]
        real_in, ours_in, ck = real_in + extra, ours_in + extra, {}
    _run(tally, desc, module, real_in, ck, lambda: apply(layer, *ours_in, **ck))


class Mask:
    """A boolean mask argument of the given shape (differential tests)."""

    def __init__(self, shape: tuple) -> None:
        self.shape = shape

    def __repr__(self) -> str:
        return f"Mask{self.shape}"


def _shape_t(shape: tuple, dtype: Optional[str] = None) -> T:
    return T(str(shape) if len(shape) != 1 else f"({shape[0]},)", dtype)


def _nested(rng: random.Random, shape: Any, dtype: str):
    if isinstance(shape, list):
        return tuple(_nested(rng, s, dtype) for s in shape)
    return _rand_input(rng, shape, dtype)


def _nested_t(shape: Any, dtype: str):
    if isinstance(shape, list):
        return tuple(_nested_t(s, dtype) for s in shape)
    return T(str(shape) if len(shape) != 1 else f"({shape[0]},)", "int" if dtype == "int" else "float")


def _k(rng: random.Random, n: int, lo: int, hi: int):
    """An int or an n-tuple of ints in [lo, hi]."""
    if n > 1 and rng.random() < 0.3:
        return tuple(rng.randint(lo, hi) for _ in range(n))
    return rng.randint(lo, hi)


def _spatial(rng: random.Random, n: int, lo: int = 1, hi: int = 12) -> tuple:
    return tuple(rng.randint(lo, hi) for _ in range(n))


N_RANDOM = int(os.environ.get("SHAPECHECK_DIFF_N", "150"))  # more: SHAPECHECK_DIFF_N=2000


def test_diff_conv() -> None:
    _torch()
    rng = random.Random(1)
    tally = Tally("conv")
    for _ in range(N_RANDOM * 2):
        n = rng.choice((1, 2, 3))
        transposed = rng.random() < 0.35
        groups = rng.choice((1, 1, 2))
        cin, cout = groups * rng.randint(1, 3), groups * rng.randint(1, 3)
        kw: dict = {"stride": _k(rng, n, 1, 3), "dilation": _k(rng, n, 1, 2), "groups": groups,
                    "bias": rng.random() < 0.7}
        k = _k(rng, n, 1, 4)
        if transposed:
            kw["padding"] = _k(rng, n, 0, 2)
            kw["output_padding"] = 0 if rng.random() < 0.6 else _k(rng, n, 0, 1)
            kind = f"ConvTranspose{n}d"
        else:
            kind = f"Conv{n}d"
            r = rng.random()
            kw["padding"] = "same" if r < 0.15 else ("valid" if r < 0.25 else _k(rng, n, 0, 2))
            if kw["padding"] == "same":
                kw["stride"] = 1
        batched = rng.random() < 0.7
        c = cin if rng.random() < 0.85 else cin + 1
        rank_off = 0 if rng.random() < 0.92 else rng.choice((-1, 1))
        shape = ((rng.randint(1, 3),) if batched else ()) + (c,) + _spatial(rng, n + rank_off, 1, 9)
        _layer_diff(tally, rng, kind, (cin, cout, k), kw, [shape])
    tally.check(100)


def test_diff_pool() -> None:
    _torch()
    rng = random.Random(2)
    tally = Tally("pool")
    for _ in range(N_RANDOM * 2):
        n = rng.choice((1, 2, 3))
        kind = rng.choice(("Max", "Avg", "AdaptiveAvg", "AdaptiveMax", "LP"))
        shape = ((rng.randint(1, 2),) if rng.random() < 0.7 else ()) + (rng.randint(1, 3),) + _spatial(rng, n, 1, 10)
        if rng.random() < 0.05:
            shape = shape + (3,)
        if kind in ("Max", "Avg"):
            k = _k(rng, n, 1, 4)
            kmin = min(k) if isinstance(k, tuple) else k
            kw: dict = {"stride": None if rng.random() < 0.4 else _k(rng, n, 1, 3),
                        "padding": rng.randint(0, kmin // 2), "ceil_mode": rng.random() < 0.3}
            if kind == "Max":
                kw["dilation"] = _k(rng, n, 1, 2)
                kw["return_indices"] = rng.random() < 0.2
            _layer_diff(tally, rng, f"{kind}Pool{n}d", (k,), kw, [shape])
        elif kind == "LP":
            k = _k(rng, n, 1, 3)
            _layer_diff(tally, rng, f"LPPool{n}d", (2, k), {"stride": None if rng.random() < 0.5 else _k(rng, n, 1, 2),
                                                            "ceil_mode": rng.random() < 0.3}, [shape])
        else:
            os: Any = _k(rng, n, 1, 5)
            if isinstance(os, tuple) and rng.random() < 0.4:
                os = tuple(None if rng.random() < 0.4 else x for x in os)
            _layer_diff(tally, rng, f"{kind}Pool{n}d", (os,), {}, [shape])
    tally.check(100)


def test_diff_norm() -> None:
    _torch()
    rng = random.Random(3)
    tally = Tally("norm")
    for _ in range(N_RANDOM * 2):
        kind = rng.choice(("BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "InstanceNorm1d", "InstanceNorm2d",
                           "GroupNorm", "LayerNorm", "LocalResponseNorm", "RMSNorm"))
        c = rng.randint(1, 4)
        got_c = c if rng.random() < 0.8 else c + 1
        rank = rng.randint(1, 5)
        shape = (rng.randint(2, 3), got_c) + _spatial(rng, max(rank - 2, 0), 2, 5)
        shape = shape[:rank] if rank >= 2 else (got_c,)
        if kind.startswith("BatchNorm") or kind.startswith("InstanceNorm"):
            kw = {"affine": rng.random() < 0.6}
            _layer_diff(tally, rng, kind, (c,), kw, [shape])
        elif kind == "GroupNorm":
            g = rng.choice((1, 2))
            _layer_diff(tally, rng, kind, (g, g * c), {"affine": rng.random() < 0.7}, [shape[:1] + (g * got_c,) + shape[2:]
                                                                                          if len(shape) > 1 else shape])
        elif kind in ("LayerNorm", "RMSNorm"):
            shape = (2,) + _spatial(rng, rng.randint(0, 3), 1, 5)
            k = rng.randint(1, 2)
            ns = shape[-k:] if len(shape) >= k and rng.random() < 0.8 else tuple(rng.randint(1, 5) for _ in range(k))
            kw = {"elementwise_affine": rng.random() < 0.8}
            if kind == "LayerNorm":
                kw["bias"] = rng.random() < 0.8
            _layer_diff(tally, rng, kind, (ns if k > 1 else ns[0],), kw, [shape])
        else:
            _layer_diff(tally, rng, kind, (2,), {}, [shape])
    tally.check(100)


def test_diff_recurrent() -> None:
    _torch()
    rng = random.Random(4)
    tally = Tally("recurrent")
    for _ in range(N_RANDOM * 2):
        mode = rng.choice(("RNN", "LSTM", "GRU", "RNNCell", "LSTMCell", "GRUCell"))
        ins, hs = rng.randint(1, 5), rng.randint(2, 6)
        x_feat = ins if rng.random() < 0.85 else ins + 1
        if mode.endswith("Cell"):
            batched = rng.random() < 0.7
            b = rng.randint(1, 3)
            shape = ((b,) if batched else ()) + (x_feat,)
            inputs: list = [shape]
            if rng.random() < 0.5:
                hb = b if rng.random() < 0.85 else b + 1
                hh = hs if rng.random() < 0.85 else hs + 1
                h = ((hb,) if batched else ()) + (hh,)
                inputs.append([h, h] if mode == "LSTMCell" else h)
            _layer_diff(tally, rng, mode, (ins, hs), {"bias": rng.random() < 0.7}, inputs)
            continue
        nl = rng.randint(1, 2)
        kw = {"num_layers": nl, "bias": rng.random() < 0.7, "batch_first": rng.random() < 0.5,
              "bidirectional": rng.random() < 0.4}
        proj = 0
        if mode == "LSTM" and rng.random() < 0.3:
            proj = rng.randint(1, hs - 1)
            kw["proj_size"] = proj
        L, B = rng.randint(1, 4), rng.randint(1, 4)
        batched = rng.random() < 0.75
        if batched:
            shape = (B, L, x_feat) if kw["batch_first"] else (L, B, x_feat)
            if rng.random() < 0.15:
                shape = (shape[1], shape[0], shape[2])  # the wrong layout
        else:
            shape = (L, x_feat)
        inputs = [shape]
        if rng.random() < 0.5:
            ndir = 2 if kw["bidirectional"] else 1
            lead = nl * ndir if rng.random() < 0.9 else nl * ndir + 1
            hout = proj or hs
            h = (lead, B, hout) if batched else (lead, hout)
            c = (lead, B, hs) if batched else (lead, hs)
            inputs.append([h, c] if mode == "LSTM" else h)
        _layer_diff(tally, rng, mode, (ins, hs), kw, inputs)
    tally.check(100)


def _random_masks(rng: random.Random, batched: bool, B: int, L: int, S: int, h: int, kpm: str, am: str) -> dict:
    """A right or wrong key padding mask and/or attention mask (including the swapped layout)."""
    out: dict = {}
    if rng.random() < 0.6:
        good = (B, S) if batched else (S,)
        out[kpm] = Mask(rng.choice([good, good, (S, B) if batched else (S + 1,), (B + 1, S) if batched else (1,)]))
    if rng.random() < 0.6:
        r = rng.random()
        if r < 0.5:
            shape = (L, S)
        elif r < 0.7:
            shape = ((B * h) if batched else h, L, S)
        elif r < 0.85:
            shape = (B, B) if batched else (L + 1, S)
        else:
            shape = (L, S + 1)
        out[am] = Mask(shape)
    return out


def test_diff_attention() -> None:
    _torch()
    rng = random.Random(5)
    tally = Tally("attention")
    for _ in range(N_RANDOM):
        kind = rng.choice(("MultiheadAttention", "MultiheadAttention", "TransformerEncoderLayer",
                           "TransformerDecoderLayer"))
        h = rng.choice((1, 2))
        e = h * rng.randint(1, 4)
        bf = rng.random() < 0.5
        L, S, B = rng.randint(1, 4), rng.randint(1, 4), rng.randint(1, 3)
        batched = rng.random() < 0.75

        def seq(n: int, f: int, b: int = B) -> tuple:
            if not batched:
                return (n, f)
            return (b, n, f) if bf else (n, b, f)

        if kind == "MultiheadAttention":
            kdim = e if rng.random() < 0.6 else rng.randint(1, 5)
            vdim = e if rng.random() < 0.6 else rng.randint(1, 5)
            kw = {"batch_first": bf, "bias": rng.random() < 0.7, "add_bias_kv": rng.random() < 0.2,
                  "add_zero_attn": rng.random() < 0.2, "kdim": kdim, "vdim": vdim}
            qe = e if rng.random() < 0.9 else e + 1
            kb = B if rng.random() < 0.9 else B + 1
            ck: dict = {"need_weights": rng.random() < 0.7, "average_attn_weights": rng.random() < 0.6}
            if rng.random() < 0.4:
                ck.update(_random_masks(rng, batched, B, L, S, h, "key_padding_mask", "attn_mask"))
            _layer_diff(tally, rng, kind, (e, h), kw, [seq(L, qe), seq(S, kdim, kb), seq(S, vdim, kb)], ck)
        else:
            kw = {"dim_feedforward": rng.randint(1, 8), "batch_first": bf, "norm_first": rng.random() < 0.5,
                  "bias": rng.random() < 0.8, "dropout": 0.0}
            xe = e if rng.random() < 0.9 else e + 1
            inputs = [seq(L, xe)]
            ck = {}
            if kind == "TransformerDecoderLayer":
                inputs.append(seq(S, e, B if rng.random() < 0.9 else B + 1))
                if rng.random() < 0.4:
                    ck.update(_random_masks(rng, batched, B, L, S, h, "memory_key_padding_mask", "memory_mask"))
                if rng.random() < 0.3:
                    ck.update(_random_masks(rng, batched, B, L, L, h, "tgt_key_padding_mask", "tgt_mask"))
            elif rng.random() < 0.4:
                ck.update(_random_masks(rng, batched, B, L, L, h, "src_key_padding_mask", "src_mask"))
            _layer_diff(tally, rng, kind, (e, h), kw, inputs, ck)
    tally.check(60)


def test_diff_misc_layers() -> None:
    _torch()
    rng = random.Random(6)
    tally = Tally("misc layers")
    for _ in range(N_RANDOM * 2):
        kind = rng.choice(("Flatten", "Unflatten", "Upsample", "Softmax", "PixelShuffle", "PixelUnshuffle", "Pad",
                           "GLU", "PReLU", "Embedding", "CosineSimilarity", "PairwiseDistance"))
        rank = rng.randint(1, 5)
        shape = tuple(rng.randint(1, 6) for _ in range(rank))
        if kind == "Flatten":
            _layer_diff(tally, rng, kind, (rng.randint(-3, 3), rng.randint(-3, 3)), {}, [shape])
        elif kind == "Unflatten":
            d = rng.randint(-rank, rank - 1)
            size = shape[d]
            parts = (size, 1) if rng.random() < 0.3 else ((-1, 1) if rng.random() < 0.5 else (2, size // 2 or 1))
            _layer_diff(tally, rng, kind, (d, parts), {}, [shape])
        elif kind == "Upsample":
            mode = rng.choice(("nearest", "linear", "bilinear", "bicubic", "trilinear"))
            kw: dict = {"mode": mode}
            if rng.random() < 0.5:
                kw["scale_factor"] = rng.choice((2, 3, 1.5, 0.5, 2.0))
            else:
                kw["size"] = _k(rng, max(rank - 2, 1), 1, 6)
            _layer_diff(tally, rng, kind, (), kw, [shape])
        elif kind == "Softmax":
            _layer_diff(tally, rng, rng.choice(("Softmax", "LogSoftmax", "Softmin")), (), {"dim": rng.randint(-4, 3)},
                        [shape])
        elif kind == "PixelShuffle":
            r = rng.randint(1, 3)
            _layer_diff(tally, rng, kind, (r,), {}, [shape[:-3] + (r * r * rng.randint(1, 2) + rng.choice((0, 0, 1)),)
                                                     + shape[-2:] if rank >= 3 else shape])
        elif kind == "PixelUnshuffle":
            _layer_diff(tally, rng, kind, (rng.randint(1, 3),), {}, [shape])
        elif kind == "Pad":
            n = rng.randint(1, 3)
            pre = rng.choice(("Zero", "Constant", "Reflection", "Replication", "Circular"))
            name = f"{pre}Pad{n}d"
            if pre == "Zero" and n == 1:
                name = "ZeroPad1d"
            pad = _k(rng, 2 * n, 0, 2)
            args = (pad, 0.5) if pre == "Constant" else (pad,)
            _layer_diff(tally, rng, name, args, {}, [shape])
        elif kind == "GLU":
            _layer_diff(tally, rng, kind, (rng.randint(-rank, rank - 1),), {}, [shape])
        elif kind == "PReLU":
            _layer_diff(tally, rng, kind, (rng.choice((1, shape[1] if rank > 1 else shape[0], 3)),), {}, [shape])
        elif kind == "Embedding":
            _layer_diff(tally, rng, kind, (6, rng.randint(1, 4)), {}, [shape[:rng.randint(0, 3)] or (2,)],
                        dtypes=["int"])
        elif kind == "CosineSimilarity":
            other = shape if rng.random() < 0.6 else tuple(rng.choice((1, d, d + 1)) for d in shape)
            _layer_diff(tally, rng, kind, (), {"dim": rng.randint(-rank, rank - 1)}, [shape, other])
        else:
            other = shape if rng.random() < 0.6 else shape[1:] or shape
            _layer_diff(tally, rng, kind, (), {"keepdim": rng.random() < 0.3}, [shape, other])
    tally.check(100)


def test_diff_losses() -> None:
    torch = _torch()
    rng = random.Random(7)
    tally = Tally("losses")
    elementwise = ("MSELoss", "L1Loss", "SmoothL1Loss", "HuberLoss", "BCELoss", "BCEWithLogitsLoss", "KLDivLoss")
    for _ in range(N_RANDOM * 2):
        kind = rng.choice(elementwise + ("CrossEntropyLoss", "NLLLoss", "CrossEntropyLoss"))
        red = rng.choice(("mean", "sum", "none"))
        if kind in elementwise:
            a = tuple(rng.randint(1, 4) for _ in range(rng.randint(0, 3)))
            r = rng.random()
            b = a if r < 0.4 else (a[1:] if r < 0.6 else (a + (1,) if r < 0.7 else
                                                            tuple(rng.choice((1, d, d + 1)) for d in a)))
            module, layer = _build_both(kind, (), {"reduction": red})
            desc = f"{kind}({red}) on {a}, {b}"
            real_in = [torch.rand(a), torch.rand(b)]
            ours_in = [T(str(a) if len(a) != 1 else f"({a[0]},)"), T(str(b) if len(b) != 1 else f"({b[0]},)")]
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    real: Any = _real_shapes(module(*real_in))
            except Exception as e:  # noqa: BLE001
                real = e
            try:
                ours: Any = _concrete(apply(layer, *ours_in))
                ours = ours if ours is not None else [None]
            except ShapeError as e:
                if e.kind == "loss-broadcast":
                    # a warning: the shapes must really differ and broadcast (or the loss raises)
                    if a == b:
                        tally.problems.append(f"loss-broadcast on equal shapes: {desc}")
                    tally.agree_error += 1
                    continue
                ours = e
            tally.record(desc, real, ours)
        else:
            C = rng.randint(2, 4)
            inp = rng.choice(((C,), (3, C), (3, C, 2), (3, C, 2, 2)))
            want = () if len(inp) == 1 else (inp[0],) + inp[2:]
            r = rng.random()
            if r < 0.5:
                tgt, dt = want, "int"
            elif r < 0.65 and kind == "CrossEntropyLoss":
                tgt, dt = inp, "prob"
            elif r < 0.8:
                tgt, dt = (want[0] + 1,) + want[1:] if want else (2,), "int"
            else:
                tgt, dt = want + (1,), "int"
            module, layer = _build_both(kind, (), {"reduction": red})
            inp_t = torch.randn(inp) if kind == "CrossEntropyLoss" else torch.log_softmax(torch.randn(inp), 1 if len(inp) > 1 else 0)
            tgt_t = torch.randint(0, C, tgt) if dt == "int" else torch.softmax(torch.randn(tgt), 1 if len(tgt) > 1 else 0)
            _run(tally, f"{kind}({red}) on {inp}, {tgt}", module, [inp_t, tgt_t], {},
                 lambda: apply(layer, T(str(inp) if len(inp) != 1 else f"({inp[0]},)"),
                               T(str(tgt) if len(tgt) != 1 else (f"({tgt[0]},)" if tgt else "()"), dt)))
    tally.check(100)


def test_diff_functional() -> None:
    torch = _torch()
    Fn = torch.nn.functional
    rng = random.Random(8)
    tally = Tally("functional")

    def run(name: str, real_args: list, kwargs: dict, ours_args: list) -> None:
        _run(tally, f"F.{name}({[tuple(a.shape) if hasattr(a, 'shape') else a for a in real_args]}, {kwargs})",
             getattr(Fn, name), real_args, kwargs, lambda: call_fn(name, *ours_args, **kwargs))

    def t(shape: tuple) -> T:
        return T(str(shape) if len(shape) != 1 else f"({shape[0]},)")

    for _ in range(N_RANDOM * 3):
        which = rng.choice(("linear", "conv", "pool", "pad", "interpolate", "one_hot", "embedding", "normalize",
                            "layer_norm", "group_norm", "cosine", "pairwise", "sdpa", "softmax", "unfold", "fold",
                            "grid_sample"))
        if which == "linear":
            fin, fout = rng.randint(1, 5), rng.randint(1, 5)
            x = tuple(rng.randint(1, 3) for _ in range(rng.randint(0, 2))) + (fin,)
            w = rng.choice(((fout, fin), (fin, fout), (fout, fin + 1), (fin,), (2, fout, fin)))
            args = [x, w] + ([(rng.choice((fout, 1, fout + 1)),)] if rng.random() < 0.4 else [])
            run("linear", [torch.randn(a) for a in args], {}, [t(a) for a in args])
        elif which == "conv":
            n = rng.randint(1, 3)
            g = rng.choice((1, 2))
            cin, cout = g * rng.randint(1, 2), g * rng.randint(1, 2)
            k = tuple(rng.randint(1, 3) for _ in range(n))
            x = (rng.randint(1, 2), cin if rng.random() < 0.85 else cin + 1) + _spatial(rng, n, 1, 7)
            transposed = rng.random() < 0.3
            w = ((cin, cout // g) if transposed else (cout, cin // g)) + k
            kw = {"stride": rng.randint(1, 2), "padding": rng.randint(0, 1), "groups": g}
            name = f"conv_transpose{n}d" if transposed else f"conv{n}d"
            run(name, [torch.randn(x), torch.randn(w)], kw, [t(x), t(w)])
        elif which == "pool":
            n = rng.randint(1, 3)
            kind = rng.choice(("max", "avg", "adaptive_avg", "adaptive_max"))
            x = (rng.randint(1, 2), 2) + _spatial(rng, n, 1, 8)
            if kind.startswith("adaptive"):
                os = rng.randint(1, 4)
                run(f"{kind}_pool{n}d", [torch.randn(x), os], {}, [t(x), os])
            else:
                k = rng.randint(1, 4)
                kw = {"stride": rng.randint(1, 3), "padding": rng.randint(0, k // 2), "ceil_mode": rng.random() < 0.3}
                run(f"{kind}_pool{n}d", [torch.randn(x), k], kw, [t(x), k])
        elif which == "pad":
            x = tuple(rng.randint(1, 5) for _ in range(rng.randint(1, 4)))
            p = tuple(rng.randint(-1, 2) for _ in range(2 * rng.randint(1, 3)))
            run("pad", [torch.randn(x), p], {}, [t(x), p])
        elif which == "interpolate":
            x = tuple(rng.randint(1, 5) for _ in range(rng.randint(3, 5)))
            mode = rng.choice(("nearest", "bilinear", "linear", "area"))
            kw = {"mode": mode}
            if rng.random() < 0.5:
                kw["scale_factor"] = rng.choice((2, 0.5, 1.7))
            else:
                kw["size"] = rng.randint(1, 6)
            run("interpolate", [torch.randn(x)], kw, [t(x)])
        elif which == "unfold":
            x = ((rng.randint(1, 2),) if rng.random() < 0.7 else ()) + (rng.randint(1, 3),) + _spatial(rng, 2, 1, 7)
            kw = {"kernel_size": _k(rng, 2, 1, 3), "dilation": _k(rng, 2, 1, 2), "padding": _k(rng, 2, 0, 1),
                  "stride": _k(rng, 2, 1, 2)}
            run("unfold", [torch.randn(x)], kw, [t(x)])
        elif which == "fold":
            out = _spatial(rng, 2, 2, 6)
            k = rng.randint(1, 3)
            blocks = (out[0] - k + 1) * (out[1] - k + 1)
            c = rng.randint(1, 2) * k * k + (1 if rng.random() < 0.1 else 0)
            nb = blocks if rng.random() < 0.85 else blocks + 1
            x = ((rng.randint(1, 2),) if rng.random() < 0.7 else ()) + (c, max(nb, 1))
            run("fold", [torch.randn(x)], {"output_size": out, "kernel_size": k}, [t(x)])
        elif which == "grid_sample":
            n = rng.randint(2, 3)
            b = rng.randint(1, 2)
            x = (b, 2) + _spatial(rng, n, 2, 5)
            g = (b if rng.random() < 0.85 else b + 1,) + _spatial(rng, n, 1, 4) + (n if rng.random() < 0.9 else 1,)
            run("grid_sample", [torch.randn(x), torch.randn(g)], {"align_corners": False}, [t(x), t(g)])
        elif which == "one_hot":
            x = tuple(rng.randint(1, 4) for _ in range(rng.randint(1, 3)))
            run("one_hot", [torch.randint(0, 3, x), 3], {}, [T(str(x) if len(x) != 1 else f"({x[0]},)", "int"), 3])
        elif which == "embedding":
            x = tuple(rng.randint(1, 4) for _ in range(rng.randint(1, 3)))
            w = (5, rng.randint(1, 4))
            run("embedding", [torch.randint(0, 5, x), torch.randn(w)], {}, [t(x), t(w)])
        elif which == "normalize":
            x = tuple(rng.randint(1, 4) for _ in range(rng.randint(1, 3)))
            run("normalize", [torch.randn(x)], {"dim": rng.randint(-3, 2)}, [t(x)])
        elif which == "softmax":
            x = tuple(rng.randint(1, 4) for _ in range(rng.randint(1, 3)))
            run(rng.choice(("softmax", "log_softmax")), [torch.randn(x)], {"dim": rng.randint(-3, 2)}, [t(x)])
        elif which == "layer_norm":
            x = tuple(rng.randint(1, 4) for _ in range(rng.randint(1, 3)))
            ns = x[-1:] if rng.random() < 0.7 else (x[-1] + 1,)
            run("layer_norm", [torch.randn(x), ns], {}, [t(x), ns])
        elif which == "group_norm":
            x = (2, rng.randint(1, 6), 3)
            g = rng.randint(1, 3)
            run("group_norm", [torch.randn(x), g], {}, [t(x), g])
        elif which in ("cosine", "pairwise"):
            a = tuple(rng.randint(1, 4) for _ in range(rng.randint(1, 3)))
            b = a if rng.random() < 0.5 else tuple(rng.choice((1, d, d + 1)) for d in a)
            if which == "cosine":
                run("cosine_similarity", [torch.randn(a), torch.randn(b)], {"dim": rng.randint(-len(a), len(a) - 1)},
                    [t(a), t(b)])
            else:
                run("pairwise_distance", [torch.randn(a), torch.randn(b)], {"keepdim": rng.random() < 0.3},
                    [t(a), t(b)])
        else:
            bq = tuple(rng.randint(1, 2) for _ in range(rng.randint(0, 2)))
            L, S, E, Ev = rng.randint(1, 4), rng.randint(1, 4), rng.randint(1, 4), rng.randint(1, 4)
            q = bq + (L, E)
            k = (bq if rng.random() < 0.85 else tuple(d + 1 for d in bq)) + (S, E if rng.random() < 0.85 else E + 1)
            v = k[:-2] + (S if rng.random() < 0.85 else S + 1, Ev)
            run("scaled_dot_product_attention", [torch.randn(q), torch.randn(k), torch.randn(v)], {},
                [t(q), t(k), t(v)])
    tally.check(200)


def test_diff_containers_params() -> None:
    """Parameter counts of nested modules (Transformer stacks) equal torch's."""
    torch = _torch()
    tally = Tally("stacks")
    enc = build("TransformerEncoderLayer", 32, 4, 64)
    stack = build("TransformerEncoder", enc, 3, norm=build("LayerNorm", 32))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        real = torch.nn.TransformerEncoder(torch.nn.TransformerEncoderLayer(32, 4, 64), 3, norm=torch.nn.LayerNorm(32))
        tally.params("TransformerEncoder", real, stack)
        tally.params("Transformer", torch.nn.Transformer(32, 4, 2, 1, 64), build("Transformer", 32, 4, 2, 1, 64))
        tally.params("MHA kdim", torch.nn.MultiheadAttention(16, 4, kdim=8, vdim=4, add_bias_kv=True),
                     build("MultiheadAttention", 16, 4, kdim=8, vdim=4, add_bias_kv=True))
    assert tally.params_checked == 3 and not tally.problems, tally.problems
    assert show(apply(stack, T("(7, 2, 32)"))) == "(7, 2, 32)"


def test_interpolate_size_from_an_unannotated_parameter_is_unknown() -> None:
    # size may be an int or a tuple: the rank is known, the spatial sizes are not (never the rigid "size")
    src = ("import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\ndef f(size):\n"
           "    x = torch.zeros(2, 3, 8, 8)\n    reveal_shape(F.interpolate(x, size=size))\n"
           "    reveal_shape(nn.Upsample(size=size)(x))\n    y = F.interpolate(x, size=size)\n"
           "    return y + torch.zeros(2, 3, 16, 32)\n")
    assert reveal(src) == [(6, "(2, 3, n, n)"), (7, "(2, 3, n, n)")]
    assert [d.code for d in check_source(src) if d.severity in ("error", "warning")] == []
