"""Rows for the per-signature adapters of ``ops.tensor`` (``registry.by_signature``): a rule
shared by torch and NumPy is now registered once per signature (torch function, ``Tensor``
method, NumPy function, ``ndarray`` method), so each spelling is its own registered target and
gets its own row here, plus the two adapters split off on purpose (``np.identity``,
``torch.linalg.norm``). Each row also runs in the real framework (the oracle)."""
from __future__ import annotations

from harness import OpCase, S, row_tests

S_IDX = S("(3,)", "int")  # an index vector of three elements
DATA_DEPENDENT = "the size depends on the data (how many elements are nonzero): n, a size learned later"

ROWS = [
    # NumPy functions and ndarray methods
    OpCase("numpy.broadcast_arrays", ["(4, 1)", "(1, 5)"], expect="[(4, 5), (4, 5)]"),
    OpCase("numpy.identity", [3], expect="(3, 3)"),
    OpCase("numpy.ndarray.argsort", ["(4, 5)"], expect="(4, 5)"),
    OpCase("numpy.ndarray.cumprod", ["(4, 5)"], {"axis": 1}, expect="(4, 5)"),
    OpCase("numpy.ndarray.cumprod", ["(4, 5)"], {"axis": 2}, error="axis-out-of-range"),
    OpCase("numpy.ndarray.nonzero", ["(4, 5)"], expect="[(n,), (n,)]", no_oracle=DATA_DEPENDENT),
    OpCase("numpy.ndarray.squeeze", ["(4, 1, 5)"], expect="(4, 5)"),
    OpCase("numpy.ndarray.squeeze", ["(4, 2, 5)"], {"axis": 1}, error="axis-out-of-range"),
    OpCase("numpy.ndarray.take", ["(4, 5)", S_IDX], {"axis": 1}, expect="(4, 3)"),
    # torch.Tensor methods
    OpCase("torch.Tensor.broadcast_to", ["(1, 5)", (4, 5)], expect="(4, 5)"),
    OpCase("torch.Tensor.broadcast_to", ["(3, 5)", (4, 5)], error="broadcast-mismatch"),
    OpCase("torch.Tensor.cross", ["(4, 3)", "(4, 3)"], {"dim": 1}, expect="(4, 3)"),
    OpCase("torch.Tensor.ger", ["(4,)", "(5,)"], expect="(4, 5)"),
    OpCase("torch.Tensor.index_select", ["(4, 5)", 1, S_IDX], expect="(4, 3)"),
    OpCase("torch.Tensor.inner", ["(2, 3)", "(4, 3)"], expect="(2, 4)"),
    OpCase("torch.Tensor.inner", ["(2, 3)", "(4, 5)"], error="matmul-mismatch"),
    OpCase("torch.Tensor.kron", ["(2, 3)", "(4, 5)"], expect="(8, 15)"),
    OpCase("torch.Tensor.masked_select", ["(4, 5)", S("(4, 5)", "bool")], expect="(n,)",
           no_oracle=DATA_DEPENDENT),
    OpCase("torch.Tensor.moveaxis", ["(2, 3, 4)", 0, -1], expect="(3, 4, 2)"),
    OpCase("torch.Tensor.narrow", ["(4, 10)", 1, 2, 5], expect="(4, 5)"),
    OpCase("torch.Tensor.ravel", ["(4, 5)"], expect="(20,)"),
    OpCase("torch.Tensor.repeat_interleave", ["(4, 5)", 2], {"dim": 0}, expect="(8, 5)"),
    OpCase("torch.Tensor.select", ["(4, 5, 6)", 1, 2], expect="(4, 6)"),
    OpCase("torch.Tensor.take", ["(4, 5)", S_IDX], expect="(3,)"),
    OpCase("torch.Tensor.take_along_dim", ["(2, 9)", S("(2, 3)", "int"), 1], expect="(2, 3)"),
    OpCase("torch.Tensor.tensor_split", ["(6, 4)", 3], expect="[(2, 4), (2, 4), (2, 4)]"),
    OpCase("torch.Tensor.tile", ["(4, 5)", (2, 1)], expect="(8, 5)"),
    OpCase("torch.Tensor.unbind", ["(3, 4)"], expect="[(4,), (4,), (4,)]"),
    # torch functions
    OpCase("torch.atleast_1d", ["()"], expect="(1,)"),
    OpCase("torch.broadcast_to", ["(1, 5)", (4, 5)], expect="(4, 5)"),
    OpCase("torch.chunk", ["(6, 4)", 2], expect="[(3, 4), (3, 4)]"),
    OpCase("torch.column_stack", [["(4,)", "(4, 2)"]], expect="(4, 3)"),
    OpCase("torch.dsplit", ["(2, 3, 4)", 2], expect="[(2, 3, 2), (2, 3, 2)]"),
    OpCase("torch.index_add", ["(4, 5)", 0, S_IDX, "(3, 5)"], expect="(4, 5)"),
    OpCase("torch.kron", ["(2, 3)", "(4, 5)"], expect="(8, 15)"),
    OpCase("torch.linalg.multi_dot", [["(4, 3)", "(3, 5)", "(5, 2)"]], expect="(4, 2)"),
    OpCase("torch.linalg.multi_dot", [["(4, 3)", "(4, 5)"]], error="missing-transpose"),
    OpCase("torch.linalg.norm", ["(4, 5)"], {"dim": 1}, expect="(4,)"),
    OpCase("torch.linalg.norm", ["(4, 5)"], expect="()"),
    OpCase("torch.ravel", ["(4, 5)"], expect="(20,)"),
    OpCase("torch.scatter", ["(4, 5)", 1, S("(4, 2)", "int"), "(4, 2)"], expect="(4, 5)"),
    OpCase("torch.t", ["(4, 5)"], expect="(5, 4)"),
    OpCase("torch.take", ["(4, 5)", S_IDX], expect="(3,)"),
    OpCase("torch.tile", ["(4, 5)", (2, 1)], expect="(8, 5)"),
    OpCase("torch.unflatten", ["(4, 12)", 1, (3, 4)], expect="(4, 3, 4)"),
    OpCase("torch.unflatten", ["(4, 12)", 1, (5, -1)], error="reshape-size"),
]

test_row, test_row_against_the_framework = row_tests(ROWS)
