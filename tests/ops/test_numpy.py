"""NumPy shape rules not covered by test_tensor.py's joint torch/NumPy table: constructors,
element-wise families, random sampling, sizes. Each row also runs in NumPy (the oracle)."""
from __future__ import annotations

from harness import OpCase, S, row_tests

MATMUL_ROWS = [
    OpCase("numpy.dot", ["(4, 3)", "(3, 5)"], expect="(4, 5)"),
    OpCase("numpy.dot", ["(4, 3)", "(5, 3)"], error="missing-transpose"),
    OpCase("numpy.matmul", ["(2, 4, 3)", "(3, 5)"], expect="(2, 4, 5)"),
    OpCase("numpy.linalg.multi_dot", [["(4, 3)", "(3, 5)", "(5, 2)"]], expect="(4, 2)"),]

NUMPY_ROWS = [
    OpCase("numpy.abs", ["(4, 3)"], expect="(4, 3)"),
    OpCase("numpy.exp", ["(2, 4, 3)"], expect="(2, 4, 3)"),
    OpCase("numpy.add", ["(4, 3)", "(3,)"], expect="(4, 3)"),
    OpCase("numpy.add", ["(4, 3)", "(4,)"], error="broadcast-mismatch"),
    OpCase("numpy.maximum", ["(4, 1)", "(1, 5)"], expect="(4, 5)"),
    OpCase("numpy.where", [S("(4, 3)", "bool"), "(4, 3)", "(3,)"], expect="(4, 3)"),
    OpCase("numpy.where", [S("(4, 3)", "bool"), "(4, 3)", "(4,)"], error="broadcast-mismatch"),
    OpCase("numpy.diff", ["(5, 3)"], expect="(5, 2)"),
    OpCase("numpy.diff", ["(5, 3)"], {"axis": 0}, expect="(4, 3)"),
    OpCase("numpy.arange", [2, 11, 3], expect="(3,)"),
    OpCase("numpy.arange", [10], expect="(10,)"),
    OpCase("numpy.arange", [1, 7], {"step": 2}, expect="(3,)"),
    OpCase("numpy.arange", [], {"stop": 5}, expect="(5,)"),
    OpCase("numpy.meshgrid", ["(3,)", "(5,)"], expect="[(5, 3), (5, 3)]"),
    OpCase("numpy.meshgrid", ["(3,)", "(2, 2)"], {"indexing": "ij"}, expect="[(3, 4), (3, 4)]"),
    OpCase("numpy.array", [[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]], expect="(3, 2)"),
    OpCase("numpy.zeros", [(2, 3)], expect="(2, 3)"),
    OpCase("numpy.full", [(2, 3), 7.0], expect="(2, 3)"),
    OpCase("numpy.empty", [5], expect="(5,)"),
    OpCase("numpy.zeros_like", ["(4, 3)"], expect="(4, 3)"),
    OpCase("numpy.full_like", ["(4, 3)", 1.0], expect="(4, 3)"),
    OpCase("numpy.eye", [3], expect="(3, 3)"),
    OpCase("numpy.eye", [3, 4], expect="(3, 4)"),
    OpCase("numpy.linspace", [0.0, 1.0, 5], expect="(5,)"),
    OpCase("numpy.geomspace", [1.0, 100.0, 3], expect="(3,)"),
    OpCase("numpy.ndarray.tolist", ["(3,)"], expect="[unknown, unknown, unknown]"),
    OpCase("numpy.size", ["(4, 3)"], expect="int 12"),
    OpCase("numpy.size", ["(4, 3)", 1], expect="int 3"),
    OpCase("numpy.random.rand", [4, 3], expect="(4, 3)"),
    OpCase("numpy.random.randn", [2], expect="(2,)"),
    OpCase("numpy.random.normal", [0.0, 1.0], {"size": (4, 3)}, expect="(4, 3)"),
    OpCase("numpy.random.randint", [0, 10], {"size": 5}, expect="(5,)"),
    OpCase("numpy.random.default_rng", [0], expect="Ext(qualname='numpy.random.Generator')"),
]

ROWS = MATMUL_ROWS + NUMPY_ROWS

test_row, test_row_against_the_framework = row_tests(ROWS)
