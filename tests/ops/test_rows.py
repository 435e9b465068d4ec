"""Rows for registered rules that no other table had (see test_coverage.py), each run through the
registry and, where the framework is installed and the sizes are numbers, by the framework itself."""
from __future__ import annotations

import pytest
from harness import OpCase, S, check, real_outcome

N = "torch.nn."
F = "torch.nn.functional."
KL = "keras.layers."


def layer(name: str, args: list, inputs: list, expect: str, **kwargs) -> OpCase:
    return OpCase(name, args, kwargs, expect, inputs=inputs)


MATMUL_ROWS = [
    OpCase("torch.Tensor.mm", ["(4, 3)", "(3, 5)"], expect="(4, 5)"),
    OpCase("torch.Tensor.mm", ["(4, 3)", "(4, 5)"], error="missing-transpose"),  # fits as a.T @ b
    OpCase("torch.Tensor.mm", ["(4, 3)", "(2, 5)"], error="matmul-mismatch"),
    OpCase("torch.Tensor.bmm", ["(2, 4, 3)", "(2, 3, 5)"], expect="(2, 4, 5)"),
    OpCase("torch.Tensor.bmm", ["(2, 4, 3)", "(3, 3, 5)"], error="batch-mismatch"),
    OpCase("torch.Tensor.mv", ["(4, 3)", "(3,)"], expect="(4,)"),
    OpCase("torch.Tensor.addmm", ["(4, 5)", "(4, 3)", "(3, 5)"], expect="(4, 5)"),
    OpCase("torch.Tensor.baddbmm", ["(2, 4, 5)", "(2, 4, 3)", "(2, 3, 5)"], expect="(2, 4, 5)"),
    OpCase("numpy.dot", ["(4, 3)", "(3, 5)"], expect="(4, 5)"),
    OpCase("numpy.dot", ["(4, 3)", "(5, 3)"], error="missing-transpose"),
    OpCase("numpy.matmul", ["(2, 4, 3)", "(3, 5)"], expect="(2, 4, 5)"),
    OpCase("numpy.linalg.multi_dot", [["(4, 3)", "(3, 5)", "(5, 2)"]], expect="(4, 2)"),
]

FUNCTION_ROWS = [
    OpCase("torch.Tensor.masked_fill", ["(4, 3)", S("(4, 3)", "bool"), 0.0], expect="(4, 3)"),
    OpCase(F + "glu", ["(4, 6)"], expect="(4, 3)"),
    OpCase(F + "pixel_shuffle", ["(1, 8, 3, 3)", 2], expect="(1, 2, 6, 6)"),
    OpCase(F + "adaptive_avg_pool1d", ["(2, 3, 9)", 4], expect="(2, 3, 4)"),
    OpCase(F + "adaptive_max_pool3d", ["(2, 3, 4, 4, 4)", 2], expect="(2, 3, 2, 2, 2)"),
    OpCase(F + "instance_norm", ["(2, 3, 5)"], expect="(2, 3, 5)"),
    OpCase(F + "local_response_norm", ["(2, 3, 5, 5)", 2], expect="(2, 3, 5, 5)"),
    OpCase("torch.max_pool1d", ["(2, 3, 8)", 2], expect="(2, 3, 4)"),
    OpCase("torch.avg_pool2d", ["(2, 3, 8, 8)", 2], expect="(2, 3, 4, 4)"),
    OpCase("torch.conv3d", ["(1, 2, 5, 5, 5)", "(4, 2, 3, 3, 3)"], expect="(1, 4, 3, 3, 3)"),
    OpCase("torch.conv_transpose1d", ["(1, 4, 7)", "(4, 2, 3)"], expect="(1, 2, 9)"),
]

LAYER_ROWS = [
    layer(N + "Linear", [20, 10], ["(64, 20)"], "(64, 10)"),
    layer(N + "Linear", [20, 10], ["(64, 30)"], "!layer-input-mismatch"),
    layer(N + "ReLU", [], ["(4, 3)"], "(4, 3)"),
    layer(N + "Tanh", [], ["(4, 3)"], "(4, 3)"),
    layer(N + "Sigmoid", [], ["(4, 3)"], "(4, 3)"),
    layer(N + "GELU", [], ["(4, 3)"], "(4, 3)"),
    layer(N + "LeakyReLU", [0.1], ["(4, 3)"], "(4, 3)"),
    layer(N + "Dropout", [0.5], ["(4, 3)"], "(4, 3)"),
    layer(N + "Dropout2d", [0.5], ["(2, 4, 5, 5)"], "(2, 4, 5, 5)"),
    layer(N + "Identity", [], ["(4, 3)"], "(4, 3)"),
    layer(N + "LogSoftmax", [], ["(4, 3)"], "(4, 3)", dim=1),
    layer(N + "ConstantPad2d", [1, 0.0], ["(1, 2, 4, 4)"], "(1, 2, 6, 6)"),
    layer(N + "ReplicationPad1d", [2], ["(1, 2, 4)"], "(1, 2, 8)"),
    layer(N + "AdaptiveAvgPool1d", [3], ["(2, 4, 9)"], "(2, 4, 3)"),
    layer(N + "AvgPool3d", [2], ["(1, 2, 4, 4, 4)"], "(1, 2, 2, 2, 2)"),
    layer(N + "MaxPool3d", [2], ["(1, 2, 4, 4, 4)"], "(1, 2, 2, 2, 2)"),
    layer(N + "BatchNorm3d", [2], ["(1, 2, 4, 4, 4)"], "(1, 2, 4, 4, 4)"),
    layer(N + "BatchNorm3d", [3], ["(1, 2, 4, 4, 4)"], "!layer-input-mismatch"),
    layer(N + "Bilinear", [5, 6, 3], ["(8, 5)", "(8, 6)"], "(8, 3)"),
    layer(N + "CosineSimilarity", [], ["(8, 16)", "(8, 16)"], "(8,)"),
    layer(N + "PairwiseDistance", [], ["(8, 16)", "(8, 16)"], "(8,)"),
    layer(N + "Unfold", [3], ["(2, 3, 8, 8)"], "(2, 27, 36)"),
    layer(N + "Fold", [(8, 8), 3], ["(2, 27, 36)"], "(2, 3, 8, 8)"),
    layer(N + "RMSNorm", [8], ["(2, 5, 8)"], "(2, 5, 8)"),
    layer(N + "RNNCell", [4, 6], ["(3, 4)"], "(3, 6)"),
    layer(N + "SmoothL1Loss", [], ["(4, 3)", "(4, 3)"], "()"),
    layer(N + "UpsamplingNearest2d", [], ["(1, 2, 4, 4)"], "(1, 2, 8, 8)", scale_factor=2),
    layer(N + "LazyLinear", [10], ["(64, 20)"], "(64, 10)"),
    layer(N + "ConvTranspose3d", [2, 4, 3], ["(1, 2, 4, 4, 4)"], "(1, 4, 6, 6, 6)"),
    layer(KL + "Add", [], [["(None, 4)", "(None, 4)"]], "(None, 4)"),
    ADD_MISMATCH := layer(KL + "Add", [], [["(None, 4)", "(None, 5)"]], "!broadcast-mismatch"),
    layer(KL + "Concatenate", [], [["(None, 4)", "(None, 5)"]], "(None, 9)"),
    layer(KL + "Multiply", [], [["(None, 4)", "(None, 4)"]], "(None, 4)"),
    layer(KL + "Subtract", [], [["(None, 4)", "(None, 4)"]], "(None, 4)"),
    layer(KL + "Maximum", [], [["(None, 4)", "(None, 4)"]], "(None, 4)"),
    layer(KL + "Average", [], [["(None, 4)", "(None, 4)"]], "(None, 4)"),
    layer(KL + "AveragePooling1D", [2], ["(None, 10, 3)"], "(None, 5, 3)"),
    layer(KL + "GlobalAveragePooling3D", [], ["(None, 4, 4, 4, 2)"], "(None, 2)"),
    layer(KL + "Identity", [], ["(None, 4)"], "(None, 4)"),
    layer(KL + "ELU", [], ["(None, 4)"], "(None, 4)"),
    layer(KL + "GaussianDropout", [0.1], ["(None, 4)"], "(None, 4)"),
    layer(KL + "Cropping3D", [1], ["(None, 4, 4, 4, 2)"], "(None, 2, 2, 2, 2)"),
]

ROWS = MATMUL_ROWS + FUNCTION_ROWS + LAYER_ROWS


# rows the registry gets wrong today (strict: a fix makes the test fail until the entry goes)
KNOWN_WRONG = {id(ADD_MISMATCH): "the merge layers' message starts with the layer name, capitalized ('Add of ...')"}


@pytest.mark.parametrize("case", ROWS, ids=str)
def test_row(case: OpCase, request: pytest.FixtureRequest) -> None:
    if id(case) in KNOWN_WRONG:
        request.applymarker(pytest.mark.xfail(strict=True, reason=KNOWN_WRONG[id(case)]))
    check(case)


@pytest.mark.parametrize("case", ROWS, ids=str)
def test_row_against_the_framework(case: OpCase) -> None:
    """The expectation is the framework's: the same call run for real (skipped where it cannot be)."""
    real = real_outcome(case)
    if real is None:
        pytest.skip("not runnable here (framework absent or symbolic sizes)")
    if case.error is not None:
        assert real == "!", f"the framework accepts {case}: {real}"
    else:
        assert real == case.expect, f"{case}: the framework gives {real}"
