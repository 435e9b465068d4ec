"""torch and NumPy shape rules: reshape, joins, splits, indexing, gathers, reductions, einsum, and
the matrix products. Three layers of tests:

* a table of ``OpCase``s (tests/ops/harness.py) calling the registry by qualified name (symbolic
  sizes too);
* end-to-end snippets through ``check_source`` / ``reveal``;
* differential checks against real torch and NumPy (skipped where absent): many generated calls
  run for real on random arrays of the same concrete shapes; the inferred shape must equal the
  real one, and a real shape exception must match exactly a ShapeError of the right family.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any, Optional

import pytest

from harness import OpCase, P, S, check, make_call, show, to_value

from shapecheck import dims as D
from shapecheck import shapes
from shapecheck.engine import check_source, reveal
from shapecheck.findings import ShapeError
from shapecheck.ops import registry
from shapecheck.ops.registry import Call
from shapecheck.values import UNKNOWN, Seq, Tensor, Value


def _fw(name: str) -> str:
    return "numpy" if name.startswith("numpy") else "torch"


def run_rule(name: str, args: list, kwargs: Optional[dict] = None) -> Value:
    return registry.FUNCS[name](make_call(name, args, kwargs, _fw(name)))


GETITEM = "tensor.__getitem__"


def ix(*items: Any) -> tuple:
    """The index tuple passed to ``tensor.__getitem__``."""
    return tuple(items)


CASES = [
    # reshape / view
    OpCase("torch.Tensor.view", ["(32, 10)", 32, 5, 2], expect="(32, 5, 2)"),
    OpCase("torch.Tensor.view", ["(32, 10)", 32, 10, 10], error="reshape-size", contains="320 != 3200"),
    OpCase("torch.Tensor.view", ["(32, 10)", -1], expect="(320,)"),
    OpCase("torch.Tensor.view", ["(32, 10)", (-1, 5)], expect="(64, 5)"),
    OpCase("torch.Tensor.view", ["(32, 10)", -1, -1], error="reshape-size", contains="only one"),
    OpCase("torch.Tensor.view", ["(32, 10)", -1, 7], error="reshape-size", contains="cannot infer -1"),
    OpCase("torch.Tensor.view", ["(B, 16, 5, 5)", "float16"], expect="(*)"),  # view(dtype)
    OpCase("torch.Tensor.reshape", ["(B, T, C)", (-1, P("C"))], expect="(B*T, C)"),
    OpCase("torch.Tensor.reshape", ["(B, T, C)", P("B"), P("T"), P("H"), -1], expect="(B, T, H, n)"),
    OpCase("torch.reshape", ["(B, 3, 4)"], {"shape": (-1, 12)}, expect="(B, 12)"),
    OpCase("torch.Tensor.view", ["(B, 3, 4)", 3, 4], error="reshape-size", contains="holds only if"),
    OpCase("numpy.reshape", ["(2, 3, 4)", (6, -1)], expect="(6, 4)"),
    OpCase("numpy.reshape", ["(2, 3, 4)", 24], expect="(24,)"),
    OpCase("numpy.ndarray.reshape", ["(2, 3, 4)", 4, 6], expect="(4, 6)"),
    OpCase("numpy.ndarray.reshape", ["(2, 3, 4)", (5, 5)], error="reshape-size"),
    OpCase("torch.Tensor.view", ["(*, 784)", -1, 28, 28], expect="(n, 28, 28)"),
    OpCase("torch.Tensor.view", ["(*, 784)", 32, 10], error="reshape-size"),
    OpCase("torch.Tensor.view_as", ["(4, 6)", "(2, 12)"], expect="(2, 12)"),
    OpCase("torch.Tensor.view_as", ["(4, 6)", "(5, 5)"], error="reshape-size"),
    # flatten / ravel / unflatten
    OpCase("torch.flatten", ["(4, 16, 5, 5)", 1], expect="(4, 400)"),
    OpCase("torch.Tensor.flatten", ["(4, 16, 5, 5)"], expect="(1600,)"),
    OpCase("torch.Tensor.flatten", ["(4, 16, 5, 5)", 1, 2], expect="(4, 80, 5)"),
    OpCase("torch.Tensor.flatten", ["(4, 16, 5, 5)", 4], error="axis-out-of-range"),
    OpCase("torch.flatten", ["(B, C, H, W)"], {"start_dim": 1}, expect="(B, C*H*W)"),
    OpCase("torch.Tensor.flatten", ["(*, 16, 5, 5)", -3], expect="(*, 400)"),
    OpCase("numpy.ravel", ["(2, 3, 4)"], expect="(24,)"),
    OpCase("numpy.ndarray.flatten", ["(2, 3)"], expect="(6,)"),
    OpCase("torch.Tensor.unflatten", ["(2, 12)", 1, (3, -1)], expect="(2, 3, 4)"),
    OpCase("torch.Tensor.unflatten", ["(2, 12)", 1, (5, -1)], error="reshape-size"),
    # squeeze / unsqueeze / expand_dims
    OpCase("torch.Tensor.squeeze", ["(4, 1, 8)"], expect="(4, 8)"),
    OpCase("torch.Tensor.squeeze", ["(4, 1, 8)", 1], expect="(4, 8)"),
    OpCase("torch.Tensor.squeeze", ["(4, 1, 8)", 0], expect="(4, 1, 8)"),
    OpCase("torch.Tensor.squeeze", ["(4, 1, 8)", 3], error="axis-out-of-range"),
    OpCase("torch.squeeze", ["(1, 3, 1)", (0, 2)], expect="(3,)"),
    OpCase("numpy.squeeze", ["(1, 3, 1)"], {"axis": 0}, expect="(3, 1)"),
    OpCase("numpy.squeeze", ["(1, 3, 1)"], {"axis": 3}, error="axis-out-of-range"),
    OpCase("torch.Tensor.squeeze", ["(*, 1)", -1], expect="(*)"),
    OpCase("torch.Tensor.unsqueeze", ["(4, 3)", 0], expect="(1, 4, 3)"),
    OpCase("torch.Tensor.unsqueeze", ["(4, 3)", -1], expect="(4, 3, 1)"),
    OpCase("torch.Tensor.unsqueeze", ["(4, 3)", 2], expect="(4, 3, 1)"),
    OpCase("torch.Tensor.unsqueeze", ["(4, 3)", 3], error="axis-out-of-range"),
    OpCase("torch.unsqueeze", ["(4, 3)", -4], error="axis-out-of-range"),
    OpCase("torch.Tensor.unsqueeze", ["(*, 3)", -1], expect="(*, 3, 1)"),
    OpCase("numpy.expand_dims", ["(2, 3)", (0, -1)], expect="(1, 2, 3, 1)"),
    OpCase("numpy.expand_dims", ["(2, 3)", 3], error="axis-out-of-range"),
    # expand / broadcast_to / repeat / tile
    OpCase("torch.Tensor.expand", ["(1, 3, 4)", 10, -1, -1], expect="(10, 3, 4)"),
    OpCase("torch.Tensor.expand", ["(3, 4)", 2, 3, 4], expect="(2, 3, 4)"),
    OpCase("torch.Tensor.expand", ["(2, 3)", 2, 5], error="broadcast-mismatch"),
    OpCase("torch.Tensor.expand", ["(2, 3)", 3], error="broadcast-mismatch"),
    OpCase("torch.Tensor.expand_as", ["(1, 3)", "(5, 3)"], expect="(5, 3)"),
    OpCase("numpy.broadcast_to", ["(3,)", (4, 3)], expect="(4, 3)"),
    OpCase("numpy.broadcast_to", ["(2,)", (4, 3)], error="broadcast-mismatch"),
    OpCase("torch.Tensor.repeat", ["(2, 3)", 2, 2], expect="(4, 6)"),
    OpCase("torch.Tensor.repeat", ["(2, 3)", 4, 1, 2], expect="(4, 2, 6)"),
    OpCase("torch.Tensor.repeat", ["(1, 1, 4)", 1, 2], error="reshape-size"),
    OpCase("numpy.tile", ["(2, 3)", 2], expect="(2, 6)"),
    OpCase("numpy.tile", ["(2, 3)", (2, 1, 1)], expect="(2, 2, 3)"),
    OpCase("numpy.repeat", ["(2, 3)", 2], expect="(12,)"),
    OpCase("numpy.repeat", ["(2, 3)", 2], {"axis": 1}, expect="(2, 6)"),
    OpCase("numpy.repeat", ["(2, 3)", [1, 2]], {"axis": 0}, expect="(3, 3)"),
    OpCase("torch.repeat_interleave", ["(2, 3)", 3], {"dim": 0}, expect="(6, 3)"),
    OpCase("numpy.ndarray.repeat", ["(2, 3)", 2], {"axis": 2}, error="axis-out-of-range"),
    # permutations
    OpCase("torch.Tensor.permute", ["(8, 32, 32, 3)", 0, 3, 1, 2], expect="(8, 3, 32, 32)"),
    OpCase("torch.permute", ["(8, 32, 32, 3)", (0, 3, 1, 2)], expect="(8, 3, 32, 32)"),
    OpCase("torch.Tensor.permute", ["(2, 3, 4)", 0, 2], error="bad-permutation"),
    OpCase("torch.Tensor.permute", ["(2, 3, 4)", 0, 1, 1], error="bad-permutation"),
    OpCase("torch.Tensor.permute", ["(2, 3, 4)", 0, 1, 3], error="axis-out-of-range"),
    OpCase("torch.Tensor.permute", ["(*, d)", 0, 2, 1], expect="(n, d, n)"),
    OpCase("torch.Tensor.permute", ["(*, 2, 3, 4)", 1, 0], error="bad-permutation"),
    OpCase("numpy.transpose", ["(8, 32, 32, 3)", (0, 3, 1)], error="bad-permutation"),
    OpCase("numpy.transpose", ["(2, 3, 4)"], expect="(4, 3, 2)"),
    OpCase("numpy.transpose", ["(2, 3, 4)"], {"axes": (1, 0, 2)}, expect="(3, 2, 4)"),
    OpCase("numpy.ndarray.transpose", ["(2, 3, 4)", 1, 0, 2], expect="(3, 2, 4)"),
    OpCase("numpy.ndarray.transpose", ["(2, 3, 4)", (2, 1, 0)], expect="(4, 3, 2)"),
    OpCase("numpy.ndarray.transpose", ["(2, 3, 4)"], expect="(4, 3, 2)"),
    OpCase("torch.Tensor.transpose", ["(2, 3, 4)", 1, 2], expect="(2, 4, 3)"),
    OpCase("torch.transpose", ["(2, 3, 4)", 0, 3], error="axis-out-of-range"),
    OpCase("torch.Tensor.transpose", ["(*, T, D)", -2, -1], expect="(*, D, T)"),
    OpCase("torch.Tensor.t", ["(2, 3)"], expect="(3, 2)"),
    OpCase("torch.Tensor.t", ["(3,)"], expect="(3,)"),
    OpCase("numpy.swapaxes", ["(2, 3, 4)", 0, 2], expect="(4, 3, 2)"),
    OpCase("numpy.ndarray.swapaxes", ["(200, 1, 200)", 1, 2], expect="(200, 200, 1)"),
    OpCase("numpy.moveaxis", ["(2, 3, 4)", [0, 1], [-1, -2]], expect="(4, 3, 2)"),
    OpCase("torch.movedim", ["(2, 3, 4)", 0, -1], expect="(3, 4, 2)"),
    OpCase("numpy.moveaxis", ["(2, 3, 4)", [0, 1], [0]], error="bad-permutation"),
    OpCase("torch.movedim", ["(2, 3, 4)", 3, 0], error="axis-out-of-range"),
    # joins
    OpCase("torch.cat", [["(B, 3)", "(B, 5)"]], {"dim": 1}, expect="(B, 8)"),
    OpCase("torch.cat", [["(2, 3)", "(4, 3)"]], expect="(6, 3)"),
    OpCase("torch.cat", [["(32, 7)", "(32, 16)"]], error="concat-wrong-axis", contains="did you mean dim=1?"),
    OpCase("torch.cat", [["(32, 7)", "(32, 16)"]], {"dim": -2}, error="concat-wrong-axis",
           contains="did you mean dim=-1?"),
    OpCase("numpy.concatenate", [["(32, 7)", "(32, 16)"]], error="concat-wrong-axis",
           contains="did you mean axis=1?"),
    OpCase("torch.cat", [["(2, 3, 4)", "(2, 5, 6)"]], {"dim": 0}, error="concat-mismatch"),
    OpCase("torch.cat", [["(B, 3)", "(C, 5)"]], {"dim": 1}, error="concat-mismatch", contains="holds only if"),
    OpCase("numpy.concatenate", [["(10, 6, 3)", "(10, 3)"]], {"axis": -1}, error="concat-rank"),
    OpCase("torch.cat", [["(2, 3)", "(2, 3)"]], {"dim": 2}, error="axis-out-of-range"),
    OpCase("torch.cat", [["(*, 3)", "(*, 5)"]], {"dim": -1}, expect="(*, 8)"),
    OpCase("torch.cat", [["(*, 3)", "(4, 5)"]], {"dim": -1}, expect="(4, 8)"),
    OpCase("torch.cat", [["(*, 3)", "(*, 5)"]], {"dim": 0}, expect="(*)"),
    OpCase("torch.cat", [["(*, 3)", "(4, 5)"]], {"dim": 0}, error="concat-wrong-axis"),
    OpCase("torch.concat", [["(2, 3)", "(2, 3)"]], {"axis": 1}, expect="(2, 6)"),
    OpCase("numpy.concatenate", [["(2, 3)", "(4,)"]], {"axis": None}, expect="(10,)"),
    OpCase("numpy.hstack", [["(2, 3)", "(2, 4)"]], expect="(2, 7)"),
    OpCase("numpy.hstack", [["(3,)", "(4,)"]], expect="(7,)"),
    OpCase("numpy.hstack", [["(2, 3)", "(3, 4)"]], error="concat-mismatch"),
    OpCase("numpy.vstack", [["(3,)", "(3,)"]], expect="(2, 3)"),
    OpCase("numpy.vstack", [["(2, 3)", "(2, 4)"]], error="concat-mismatch"),
    OpCase("numpy.column_stack", [["(5,)", "(5,)", "(5, 2)"]], expect="(5, 4)"),
    OpCase("numpy.dstack", [["(2, 3)", "(2, 3)"]], expect="(2, 3, 2)"),
    OpCase("torch.stack", [["(2, 3)", "(2, 3)"]], expect="(2, 2, 3)"),
    OpCase("torch.stack", [["(2, 3)", "(2, 3)", "(2, 3)"]], {"dim": -1}, expect="(2, 3, 3)"),
    OpCase("torch.stack", [["(2, 3)", "(2, 3)"]], {"dim": 3}, error="axis-out-of-range"),
    OpCase("numpy.stack", [["(48, 48)", "(48, 48)", "(64, 64)"]], error="stack-mismatch"),
    OpCase("numpy.stack", [["(3,)", "(3, 1)"]], error="stack-mismatch"),
    OpCase("torch.stack", [["(*, 3)", "(*, 3)"]], {"dim": -1}, expect="(*, 3, 2)"),
    # splits
    OpCase("torch.Tensor.split", ["(10, 2)", 4], expect="[(4, 2), (4, 2), (2, 2)]"),
    OpCase("torch.split", ["(10, 2)", [3, 7]], expect="[(3, 2), (7, 2)]"),
    OpCase("torch.Tensor.chunk", ["(B, T, 3*C)", 3], {"dim": -1}, expect="[(B, T, C), (B, T, C), (B, T, C)]"),
    OpCase("torch.Tensor.chunk", ["(5,)", 4], expect="[(2,), (2,), (1,)]"),
    OpCase("torch.Tensor.chunk", ["(5,)", 2], {"dim": 1}, error="axis-out-of-range"),
    OpCase("torch.unbind", ["(3, 4)"], {"dim": 1}, expect="[(3,), (3,), (3,), (3,)]"),
    OpCase("numpy.split", ["(10,)", [3, 8]], expect="[(3,), (5,), (2,)]"),
    OpCase("numpy.split", ["(6, 4)", 2], {"axis": 1}, expect="[(6, 2), (6, 2)]"),
    OpCase("numpy.array_split", ["(10,)", 3], expect="[(4,), (3,), (3,)]"),
    OpCase("numpy.hsplit", ["(4, 6)", 3], expect="[(4, 2), (4, 2), (4, 2)]"),
    # indexing
    OpCase(GETITEM, ["(4, 3, 8, 8)", ix(0)], expect="(3, 8, 8)"),
    OpCase(GETITEM, ["(4, 3, 8, 8)", ix(slice(None), 0)], expect="(4, 8, 8)"),
    OpCase(GETITEM, ["(4, 3, 8, 8)", ix(Ellipsis, 0)], expect="(4, 3, 8)"),
    OpCase(GETITEM, ["(4, 3, 8, 8)", ix(slice(None), None)], expect="(4, 1, 3, 8, 8)"),
    OpCase(GETITEM, ["(4, 3, 8, 8)", ix(0, 1, slice(2, 5))], expect="(3, 8)"),
    OpCase(GETITEM, ["(4, 3, 8, 8)", ix(slice(None), slice(None), slice(None, None, 2))], expect="(4, 3, 4, 8)"),
    OpCase(GETITEM, ["(4, 3, 8, 8)", ix(0, 0, 0, 0, 0)], error="axis-out-of-range"),
    OpCase(GETITEM, ["(4, 3)", ix(S("(5,)", "int"))], expect="(5, 3)"),
    OpCase(GETITEM, ["(4, 3)", ix(S("(4, 3)", "bool"))], expect="(n,)"),
    OpCase(GETITEM, ["(4, 3)", ix([0, 2, 3])], expect="(3, 3)"),
    OpCase(GETITEM, ["(4, 3)", ix(slice(None), [0, 2])], expect="(4, 2)"),
    OpCase(GETITEM, ["(1, 5000, D)", ix(slice(None), slice(None, P("T")))], expect="(1, T, D)"),
    OpCase(GETITEM, ["(B, T, D)", ix(slice(None), -1)], expect="(B, D)"),
    OpCase(GETITEM, ["(B, T, D)", ix(slice(None), slice(1, None))], expect="(B, T - 1, D)"),
    OpCase(GETITEM, ["(B, T, D)", ix(slice(None), slice(-D.rigid("k"), None))], expect="(B, k, D)"),
    OpCase(GETITEM, ["(B, T, D)", ix(slice(None), slice(None, -D.rigid("k")))], expect="(B, T - k, D)"),
    OpCase(GETITEM, ["(B, T, D)", ix(slice(None), slice(D.rigid("k") - 3, None))], expect="(B, n, D)"),
    OpCase(GETITEM, ["(B, T, D)", ix(Ellipsis, slice(None, None, 2))], expect="(B, T, ceiling(D/2))"),
    OpCase(GETITEM, ["(*, 10)", ix(Ellipsis, slice(None, 3))], expect="(*, 3)"),
    OpCase(GETITEM, ["(*, 10)", ix(0)], expect="(*)"),
    OpCase(GETITEM, ["(*, 10)", ix(slice(None), None)], expect="(*)"),
    OpCase(GETITEM, ["(*, 10)", ix(None)], expect="(*, 10)"),
    OpCase(GETITEM, ["(3, 4, 5)", ix(0, slice(None), [1, 2])], expect="(4, 2)"),  # torch: ints select first
    # gather / scatter / take_along / index_select / take
    OpCase("torch.gather", ["(4, 10)", 1, S("(4, 3)", "int")], expect="(4, 3)"),
    OpCase("torch.Tensor.gather", ["(2, 9, 50)", -1, S("(2, 9)", "int")], error="index-rank",
           contains="unsqueeze(-1)"),
    OpCase("torch.Tensor.gather", ["(4, 10)", 2, S("(4, 3)", "int")], error="axis-out-of-range"),
    OpCase("torch.gather", ["(2, 9)", 1, S("(3, 2)", "int")], error="index-rank"),
    OpCase("torch.Tensor.scatter", ["(4, 10)", 1, S("(4, 3)", "int"), 1.0], expect="(4, 10)"),
    OpCase("torch.Tensor.scatter_", ["(4, 10)", 1, S("(4, 3, 1)", "int"), 1.0], error="index-rank"),
    OpCase("torch.Tensor.scatter_add", ["(4, 10)", 1, S("(4, 3)", "int"), "(4, 2)"], error="index-rank"),
    OpCase("torch.take_along_dim", ["(2, 9)", S("(1, 3)", "int"), 1], expect="(2, 3)"),
    OpCase("torch.take_along_dim", ["(2, 9)", S("(1, 3)", "int")], expect="(3,)"),
    OpCase("numpy.take_along_axis", ["(4, 10)", S("(4,)", "int")], {"axis": 1}, error="index-rank"),
    OpCase("numpy.take_along_axis", ["(4, 10)", S("(4, 3)", "int")], {"axis": 1}, expect="(4, 3)"),
    OpCase("torch.index_select", ["(4, 5)", 1, S("(3,)", "int")], expect="(4, 3)"),
    OpCase("torch.index_select", ["(4, 5)", 1, S("(3, 2)", "int")], error="index-rank"),
    OpCase("numpy.take", ["(4, 5)", [0, 1, 2]], {"axis": 1}, expect="(4, 3)"),
    OpCase("numpy.take", ["(4, 5)", S("(2, 2)", "int")], expect="(2, 2)"),
    # reductions
    OpCase("torch.Tensor.sum", ["(4, 3, 8)"], expect="()"),
    OpCase("torch.Tensor.sum", ["(4, 3, 8)", 1], expect="(4, 8)"),
    OpCase("torch.Tensor.sum", ["(4, 3, 8)"], {"dim": (0, 2), "keepdim": True}, expect="(1, 3, 1)"),
    OpCase("torch.mean", ["(4, 3, 8)", -1], expect="(4, 3)"),
    OpCase("torch.Tensor.sum", ["(4, 3, 8)", 3], error="axis-out-of-range"),
    OpCase("torch.Tensor.max", ["(4, 3)", 1], expect="[(4,), (4,)]"),
    OpCase("torch.max", ["(4, 3)"], expect="()"),
    OpCase("torch.max", ["(4, 3)", "(3,)"], expect="(4, 3)"),
    OpCase("torch.Tensor.argmax", ["(4, 3)"], {"dim": 1, "keepdim": True}, expect="(4, 1)"),
    OpCase("torch.Tensor.std", ["(4, 3)", 0, True, True], expect="(1, 3)"),
    OpCase("torch.Tensor.norm", ["(4, 3)", 2, 1], expect="(4,)"),
    OpCase("torch.logsumexp", ["(4, 3)", 1], expect="(4,)"),
    OpCase("torch.Tensor.median", ["(4, 3)"], {"dim": 0}, expect="[(3,), (3,)]"),
    OpCase("torch.Tensor.sum", ["()", 0], expect="()"),
    OpCase("torch.Tensor.sum", ["()", 1], error="axis-out-of-range"),
    OpCase("numpy.ndarray.argmax", ["(64, 10)"], {"axis": 2}, error="axis-out-of-range"),
    OpCase("numpy.sum", ["(2, 3, 4)"], {"axis": (0, 2)}, expect="(3,)"),
    OpCase("numpy.max", ["(2, 3, 4)"], {"axis": -1, "keepdims": True}, expect="(2, 3, 1)"),
    OpCase("numpy.ndarray.max", ["(2, 3, 4)", 1], expect="(2, 4)"),
    OpCase("numpy.mean", ["(2, 3, 4)"], expect="()"),
    OpCase("numpy.sum", ["()"], {"axis": 0}, error="axis-out-of-range"),
    OpCase("numpy.linalg.norm", ["(5, 3)"], {"axis": 1}, expect="(5,)"),
    OpCase("numpy.prod", [(3, 4, 5)], expect="int 60"),
    OpCase("torch.Tensor.sum", ["(*, d)", -1], expect="(*)"),
    OpCase("torch.Tensor.sum", ["(*, d)", 1], expect="(*)"),
    OpCase("torch.Tensor.cumsum", ["(4, 3)", 1], expect="(4, 3)"),
    OpCase("torch.cumsum", ["(4, 3)", 2], error="axis-out-of-range"),
    OpCase("numpy.cumsum", ["(4, 3)"], expect="(12,)"),
    OpCase("torch.softmax", ["(4, 3)", 1], expect="(4, 3)"),
    OpCase("torch.Tensor.log_softmax", ["(4, 3)", -3], error="axis-out-of-range"),
    OpCase("torch.Tensor.topk", ["(4, 10)", 3], expect="[(4, 3), (4, 3)]"),
    OpCase("torch.topk", ["(4, 10)", 3], {"dim": 0}, expect="[(3, 10), (3, 10)]"),
    OpCase("torch.sort", ["(4, 10)"], expect="[(4, 10), (4, 10)]"),
    OpCase("torch.Tensor.argsort", ["(4, 10)"], {"dim": 2}, error="axis-out-of-range"),
    OpCase("numpy.argsort", ["(4, 10)"], {"axis": None}, expect="(40,)"),
    # einsum / tensordot / outer / inner / kron
    OpCase("torch.einsum", ["ab,cbe->ace", "(2, 4)", "(5, 6, 4)"], error="einsum-mismatch",
           contains="subscript b"),
    OpCase("torch.einsum", ["ij,jk->ik", "(2, 3)", "(3, 4)"], expect="(2, 4)"),
    OpCase("torch.einsum", ["bij,bjk->bik", ["(B, 2, 3)", "(B, 3, 4)"]], expect="(B, 2, 4)"),
    OpCase("numpy.einsum", ["ijk,jl->ilk", "(200, 100, 1)", "(100, 200)"], expect="(200, 200, 1)"),
    OpCase("numpy.einsum", ["ij,jk", "(2, 3)", "(3, 4)"], expect="(2, 4)"),
    OpCase("numpy.einsum", ["ba", "(2, 3)"], expect="(3, 2)"),
    OpCase("torch.einsum", ["...ij,...jk->...ik", "(5, 2, 3)", "(3, 4)"], expect="(5, 2, 4)"),
    OpCase("torch.einsum", ["ii->i", "(3, 3)"], expect="(3,)"),
    OpCase("torch.einsum", ["ii->i", "(2, 3)"], error="einsum-mismatch"),
    OpCase("torch.einsum", ["ij,jk", "(2, 3, 1)", "(3, 4)"], error="einsum-mismatch"),
    OpCase("torch.einsum", ["ij,jk->iz", "(2, 3)", "(3, 4)"], error="einsum-mismatch"),
    OpCase("torch.einsum", ["ij,jk->ik", "(2, 3)"], error="einsum-mismatch"),
    OpCase("torch.einsum", ["bhd,bkd->bhk", "(B, H, D)", "(B, K, E)"], error="einsum-mismatch",
           contains="holds only if"),
    OpCase("torch.einsum", ["ij,ij->ij", "(2, 1)", "(2, 4)"], expect="(2, 4)"),
    OpCase("torch.einsum", ["b...ij->b...ji", "(*, 5, 3, 4)"], expect="(*, 4, 3)"),
    OpCase("torch.einsum", ["...ij,...jk->...ik", "(*, 5, 3, 4)", "(4, 2)"], expect="(*, 5, 3, 2)"),
    OpCase("torch.einsum", ["bij,bjk->bik", "(*, 3)", "(B, 3, 4)"], expect="(B, n, 4)"),
    OpCase("torch.einsum", ["bij,bjk->bik", "(*, d)", "(B, 3, 4)"], error="einsum-mismatch"),  # d is rigid here
    OpCase("numpy.tensordot", ["(200, 100, 1)", "(100, 200)"], {"axes": (1, 0)}, expect="(200, 1, 200)"),
    OpCase("numpy.tensordot", ["(2, 3, 4)", "(3, 4, 5)"], expect="(2, 5)"),
    OpCase("numpy.tensordot", ["(2, 3, 4)", "(3, 4, 5)", 1], error="einsum-mismatch"),
    OpCase("torch.tensordot", ["(2, 3, 4)", "(4, 3, 5)"], {"dims": ([1, 2], [1, 0])}, expect="(2, 5)"),
    OpCase("torch.tensordot", ["(2, 3, 4)", "(4, 3, 5)"], {"dims": ([1, 2], [0])}, error="einsum-mismatch"),
    OpCase("numpy.outer", ["(2, 3)", "(4,)"], expect="(6, 4)"),
    OpCase("torch.outer", ["(2,)", "(4,)"], expect="(2, 4)"),
    OpCase("numpy.inner", ["(2, 3)", "(4, 3)"], expect="(2, 4)"),
    OpCase("torch.inner", ["(2, 3)", "(4, 5)"], error="matmul-mismatch"),
    OpCase("numpy.kron", ["(2, 3)", "(4, 5)"], expect="(8, 15)"),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_op_table(case: OpCase) -> None:
    check(case)


def test_symbolic_messages_name_both_shapes_and_axis() -> None:
    with pytest.raises(ShapeError) as err:
        run_rule("torch.cat", [["(B, 7)", "(B, 16)"]])
    msg = err.value.message
    assert "(B, 7)" in msg and "(B, 16)" in msg and "dim 1" in msg and "dim=1" in msg


def _only_fix(src: str) -> Optional[str]:
    (d,) = check_source(src)
    assert d.code == "SHP202" and d.fix is not None
    return d.fix.replacement


def test_wrong_axis_fix_text() -> None:
    """The call rewritten with LibCST: the axis added where none was given."""
    src = "import torch\nnumeric = torch.randn(32, 7)\nembedded = torch.randn(32, 16)\nx = torch.cat((numeric, embedded))\n"
    assert _only_fix(src) == "torch.cat((numeric, embedded), dim=1)"


def test_wrong_axis_fix_replaces_the_keyword() -> None:
    src = "import torch\na = torch.randn(32, 7)\nb = torch.randn(32, 16)\nc = torch.cat([a, b], dim = 0)\n"
    assert _only_fix(src) == "torch.cat([a, b], dim = 1)"  # (only the value changes: the spacing stays)
    assert _only_fix(src.replace("dim = 0", "0")) == "torch.cat([a, b], 1)"
    src = "import numpy as np\na = np.zeros((3, 2))\nb = np.zeros((3, 5))\nc = np.concatenate((a, b), axis=0)\n"
    (d,) = check_source(src)
    assert d.code == "SHP202" and d.fix is not None and d.fix.replacement == "np.concatenate((a, b), axis=1)"


def test_flatten_derivation_is_recorded() -> None:
    got = run_rule("torch.Tensor.view", ["(4, 16, 5, 5)", 4, -1])
    assert isinstance(got, Tensor) and got.shape.why_of(-1) == "16*5*5"
    got = run_rule("torch.flatten", ["(4, 16, 5, 5)", 1])
    assert isinstance(got, Tensor) and got.shape.why_of(-1) == "16*5*5"
    got = run_rule("numpy.ravel", ["(3, 4)"])
    assert isinstance(got, Tensor) and got.shape.why_of(0) == "3*4"


def test_numpy_integer_next_to_array_index() -> None:
    # numpy counts the integer as an advanced index: the two are separated by a slice -> first
    call = Call([Tensor(shapes.parse("(3, 4, 5)"), "numpy"), to_value(ix(0, slice(None), [1, 2]), "numpy")], {},
                fw="numpy", qualname=GETITEM)
    assert show(registry.FUNCS[GETITEM](call)) == "(2, 4)"


# ---------------------------------------------------------------------------------- end to end
def codes(src: str) -> list:
    return [(d.line, d.code) for d in check_source(src) if d.severity in ("error", "warning")]


E2E_FLAGGED = [
    ("import torch\nx = torch.randn(32, 10)\nout = x.view(32, 10, 10)\n", (3, "SHP401")),
    ("import torch\na = torch.randn(32, 7)\nb = torch.randn(32, 16)\nc = torch.cat((a, b))\n", (4, "SHP202")),
    ("import numpy as np\nf = np.zeros((10, 6, 3))\nl = np.zeros((10, 3))\nm = np.concatenate([f, l], axis=-1)\n",
     (4, "SHP203")),
    ("import numpy as np\nfr = [np.zeros((48, 48)), np.zeros((64, 64))]\nc = np.stack(fr)\n", (3, "SHP205")),
    ("import numpy as np\nb = np.zeros((8, 32, 32, 3))\nc = np.transpose(b, (0, 3, 1))\n", (3, "SHP403")),
    ("import numpy as np\ns = np.random.rand(64, 10)\nb = s.argmax(axis=2)\n", (3, "SHP402")),
    ("import torch\nl = torch.randn(2, 9, 50)\nt = torch.randint(0, 50, (2, 9))\np = l.log_softmax(-1).gather(-1, t)\n",
     (4, "SHP404")),
    ("import torch\nx = torch.randn(2, 4)\nw = torch.randn(5, 6, 4)\ny = torch.einsum('ab,cbe->ace', x, w)\n",
     (4, "SHP103")),
    ("import torch\nx = torch.randn(4, 3)\ny = x[0, 0, 0]\n", (3, "SHP402")),
    ("import torch\nx = torch.randn(4, 3)\ny = x.unsqueeze(0).squeeze(3)\n", (3, "SHP402")),
    ("import torch\nimport torch.nn as nn\nx = torch.randn(4, 16, 5, 5)\nfc = nn.Linear(256, 10)\n"
     "y = fc(x.view(x.size(0), -1))\n", (5, "SHP303")),
    ("import torch\nimport torch.nn as nn\nx = torch.randn(4, 16, 5, 5)\nfc = nn.Linear(256, 10)\n"
     "y = fc(torch.flatten(x, 1))\n", (5, "SHP303")),
]


@pytest.mark.parametrize("src,want", E2E_FLAGGED)
def test_end_to_end_flagged(src: str, want: tuple) -> None:
    assert codes(src) == [want]


def test_flatten_message_shows_the_derivation() -> None:
    src = ("import torch\nimport torch.nn as nn\nx = torch.randn(4, 16, 5, 5)\nfc = nn.Linear(256, 10)\n"
           "y = fc(x.view(x.size(0), -1))\n")
    (d,) = check_source(src)
    assert "16*5*5 = 400" in d.message


E2E_CLEAN = [
    # ok_batch_matmul
    "import numpy as np\nimport torch\nx = torch.randn(10, 2, 3)\nW = torch.ones(3, 4)\nresult = torch.matmul(x, W)\n"
    "W_tile = W.unsqueeze(0).expand(x.shape[0], -1, -1)\nsame = torch.bmm(x, W_tile)\nA = np.zeros((200, 100, 1))\n"
    "Wn = np.zeros((100, 200))\nB = np.einsum('ijk,jl->ilk', A, Wn)\n"
    "C = np.tensordot(A, Wn, axes=((1), (0))).swapaxes(1, 2)\nD = B - C\n",
    # ok_multidim_projection
    "import torch\nnum_inputs, num_additional = 8, 3\nbatch_size = 4\n"
    "proj = torch.nn.Linear(num_inputs, num_inputs * num_additional)\nx = torch.randn(batch_size, num_inputs)\n"
    "output = proj(x).view(batch_size, num_inputs, num_additional)\n",
    # attention-style head split, symbolic
    "import torch\nimport torch.nn as nn\nclass A(nn.Module):\n    def __init__(self, d, h):\n        super().__init__()\n"
    "        self.h = h\n        self.qkv = nn.Linear(d, 3 * d)\n    def forward(self, x):\n        B, T, C = x.shape\n"
    "        q, k, v = self.qkv(x).chunk(3, dim=-1)\n        q = q.view(B, T, self.h, C // self.h).transpose(1, 2)\n"
    "        k = k.view(B, T, self.h, C // self.h).transpose(1, 2)\n        a = (q @ k.transpose(-2, -1)).softmax(-1)\n"
    "        return a\n",
    # positional encoding slice
    "import torch\nimport torch.nn as nn\nclass P(nn.Module):\n    def __init__(self, d):\n        super().__init__()\n"
    "        self.pe = torch.zeros(1, 5000, d)\n    def forward(self, x):\n        return x + self.pe[:, :x.size(1)]\n",
    # unannotated parameters everywhere
    "import torch\ndef f(x, y, idx):\n    a = torch.cat([x, y], dim=1)\n    b = x.view(x.size(0), -1)\n"
    "    c = x[idx]\n    d = x.permute(0, 2, 1)\n    e = torch.stack([x, y])\n    g = x.gather(1, idx)\n"
    "    return a, b, c, d, e, g\n",
]


@pytest.mark.parametrize("src", E2E_CLEAN)
def test_end_to_end_clean(src: str) -> None:
    assert codes(src) == []


def test_reveal_end_to_end() -> None:
    src = ("import torch\nimport numpy as np\nx = torch.randn(4, 3, 8, 8)\nreveal_shape(x.view(x.size(0), -1))\n"
           "vals, idx = x.max(dim=1)\nreveal_shape(idx)\nreveal_shape(x[:, None, 0])\n"
           "reveal_shape(torch.stack([x, x], dim=1))\nreveal_shape(np.zeros((2, 3))[1:, :, np.newaxis])\n"
           "q, k, v = torch.randn(2, 5, 12).chunk(3, dim=-1)\nreveal_shape(v)\n"
           "reveal_shape(torch.einsum('bchw->bhwc', x))\n")
    assert reveal(src) == [(4, "(4, 192)"), (6, "(4, 8, 8)"), (7, "(4, 1, 8, 8)"), (8, "(4, 2, 3, 8, 8)"),
                           (9, "(1, 3, 1)"), (11, "(2, 5, 4)"), (12, "(4, 8, 8, 3)")]


# ---------------------------------------------------------------------------------- differential
# A real call that raises one of these is a shape error; the rule must raise a ShapeError whose
# kind is in the op's family, and must raise nothing where the real call runs.
FAMILY = {
    "reshape": {"reshape-size"}, "axis": {"axis-out-of-range"}, "perm": {"bad-permutation", "axis-out-of-range"},
    "join": {"concat-mismatch", "concat-wrong-axis", "concat-rank", "axis-out-of-range"},
    "stack": {"stack-mismatch", "axis-out-of-range"}, "index": {"axis-out-of-range", "broadcast-mismatch"},
    "gather": {"index-rank", "axis-out-of-range", "broadcast-mismatch"}, "einsum": {"einsum-mismatch", "axis-out-of-range"},
    "expand": {"broadcast-mismatch", "reshape-size"}, "inner": {"matmul-mismatch"},
}


@dataclass
class Diff:
    name: str
    args: list
    kwargs: dict
    family: str

    def __str__(self) -> str:
        return f"{self.name}{tuple(self.args)}{self.kwargs or ''}"


def _real_fn(name: str) -> Any:
    import numpy as np
    import torch

    if name == GETITEM:
        return lambda x, idx: x[idx]
    for prefix in ("torch.Tensor.", "numpy.ndarray."):
        if name.startswith(prefix):
            meth = name[len(prefix):]
            return lambda x, *a, **k: getattr(x, meth)(*a, **k)
    root, rest = (torch, name[6:]) if name.startswith("torch.") else (np, name[6:])
    obj = root
    for part in rest.split("."):
        obj = getattr(obj, part)
    return obj


def _real_value(x: Any, fw: str, rng: Any) -> Any:
    import numpy as np
    import torch

    if isinstance(x, (S, str)) and (isinstance(x, S) or x.startswith("(")):
        spec = x if isinstance(x, S) else S(x)
        shape = tuple(int(d) for d in spec.shape.strip("()").split(",") if d.strip())
        if fw == "numpy":
            if spec.dtype == "int":
                return np.zeros(shape, dtype=np.int64)
            if spec.dtype == "bool":
                return rng.random(shape) > 0.5
            return rng.random(shape)
        if spec.dtype == "int":
            return torch.zeros(shape, dtype=torch.long)
        if spec.dtype == "bool":
            return torch.rand(shape) > 0.5
        return torch.randn(shape)
    if isinstance(x, tuple):
        return tuple(_real_value(i, fw, rng) for i in x)
    if isinstance(x, list):
        return [_real_value(i, fw, rng) for i in x]
    return x


def _shape_of(r: Any) -> Any:
    if isinstance(r, (tuple, list)):
        return [_shape_of(i) for i in r]
    return tuple(int(d) for d in r.shape)


def _inferred(v: Value) -> Any:
    if isinstance(v, Tensor):
        if v.shape.variadic:
            return None
        dims = []
        for d in v.shape.dims:
            if not isinstance(d, int):
                return None
            dims.append(d)
        return tuple(dims)
    if isinstance(v, Seq):
        out = [_inferred(i) for i in v.items]
        return None if any(o is None for o in out) else out
    return None


def _rand_shape(rng: random.Random, lo: int = 1, hi: int = 4, size: int = 4) -> tuple:
    return tuple(rng.randint(1, size) for _ in range(rng.randint(lo, hi)))


def _txt(shape: tuple) -> str:
    return "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


def _generate() -> list:
    rng = random.Random(20240513)
    out: list = []
    for fw, ns, meth in (("torch", "torch", "torch.Tensor"), ("numpy", "numpy", "numpy.ndarray")):
        for _ in range(40):  # reshape
            s = _rand_shape(rng)
            n = 1
            for d in s:
                n *= d
            tgt = list(_rand_shape(rng, 1, 3, 6))
            if rng.random() < 0.5:  # a real factorisation
                a = rng.choice([d for d in range(1, n + 1) if n % d == 0])
                tgt = [a, n // a]
            if rng.random() < 0.4:
                tgt[rng.randrange(len(tgt))] = -1
            if rng.random() < 0.1:
                tgt = [-1, -1]
            out.append(Diff(f"{meth}.reshape", [_txt(s), tuple(tgt)], {}, "reshape"))
        for _ in range(25):  # squeeze / unsqueeze / flatten / transpose
            s = _rand_shape(rng, 1, 4, 3)
            r = len(s)
            out.append(Diff(f"{ns}.squeeze" if fw == "torch" else "numpy.squeeze", [_txt(s)],
                            {"dim" if fw == "torch" else "axis": rng.randint(-r - 1, r)}, "axis"))
            if fw == "torch":
                out.append(Diff("torch.Tensor.unsqueeze", [_txt(s), rng.randint(-r - 2, r + 1)], {}, "axis"))
                out.append(Diff("torch.flatten", [_txt(s), rng.randint(-r, r - 1)], {}, "axis"))
                out.append(Diff("torch.Tensor.transpose", [_txt(s), rng.randint(-r - 1, r), rng.randint(-r, r - 1)], {},
                                "axis"))
            else:
                out.append(Diff("numpy.expand_dims", [_txt(s), rng.randint(-r - 2, r + 1)], {}, "axis"))
                out.append(Diff("numpy.swapaxes", [_txt(s), rng.randint(-r - 1, r), rng.randint(-r, r - 1)], {},
                                "axis"))
        for _ in range(25):  # permutations
            s = _rand_shape(rng, 1, 4, 4)
            r = len(s)
            perm = list(range(r))
            rng.shuffle(perm)
            roll = rng.random()
            if roll < 0.2:
                perm = perm[:-1] or [0, 0]
            elif roll < 0.35:
                perm[0] = perm[-1]
            elif roll < 0.45:
                perm[0] = r
            elif roll < 0.6:
                perm = [p - r for p in perm]
            if fw == "torch":
                out.append(Diff("torch.Tensor.permute", [_txt(s), *perm], {}, "perm"))
            else:
                out.append(Diff("numpy.transpose", [_txt(s), tuple(perm)], {}, "perm"))
        for _ in range(40):  # joins
            s = _rand_shape(rng, 1, 3, 3)
            r = len(s)
            t = list(s)
            roll = rng.random()
            if roll < 0.3:
                t[rng.randrange(r)] = rng.randint(1, 4)
            elif roll < 0.4:
                t = t + [2]
            axis = rng.randint(-r - 1, r)
            join = rng.choice(["cat", "stack"]) if fw == "torch" else rng.choice(["concatenate", "stack"])
            fam = "stack" if join == "stack" else "join"
            key = "dim" if fw == "torch" else "axis"
            out.append(Diff(f"{ns}.{join}", [[_txt(s), _txt(tuple(t))]], {key: axis}, fam))
        for name in ("hstack", "vstack", "column_stack", "dstack"):
            for _ in range(6):
                s = _rand_shape(rng, 1, 3, 3)
                t = list(s)
                if rng.random() < 0.5:
                    t[rng.randrange(len(t))] = rng.randint(1, 4)
                out.append(Diff(f"{ns}.{name}", [[_txt(s), _txt(tuple(t))]], {}, "join"))
        for _ in range(50):  # indexing
            s = _rand_shape(rng, 1, 4, 5)
            items: list = []
            for _k in range(rng.randint(1, len(s) + 1)):
                roll = rng.random()
                if roll < 0.25:
                    items.append(rng.randint(-1, 1))
                elif roll < 0.5:
                    items.append(slice(rng.choice([None, 0, 1, -2]), rng.choice([None, 2, -1, 9]),
                                       rng.choice([None, 1, 2])))
                elif roll < 0.6:
                    items.append(None)
                elif roll < 0.7:
                    items.append(Ellipsis)
                elif roll < 0.85:
                    items.append([0, 0, 0][: rng.randint(1, 3)])
                else:
                    items.append(S("(2,)", "int"))
            if items.count(Ellipsis) > 1:
                continue
            out.append(Diff(GETITEM, [_txt(s), tuple(items)], {}, "index"))
        for _ in range(30):  # reductions
            s = _rand_shape(rng, 1, 3, 4)
            r = len(s)
            name = rng.choice(["sum", "mean", "amax", "argmax", "std", "any"])
            kw = {("dim" if fw == "torch" else "axis"): rng.randint(-r - 1, r)}
            if rng.random() < 0.3:
                kw["keepdim" if fw == "torch" else "keepdims"] = True
            target = f"{meth}.{name}" if name != "amax" or fw == "torch" else "numpy.amax"
            out.append(Diff(target, [_txt(s)], kw, "axis"))
        for _ in range(20):  # gather-like
            s = _rand_shape(rng, 1, 3, 4)
            r = len(s)
            i = list(s)
            roll = rng.random()
            if roll < 0.3:
                i = i[:-1] or [1, 1]
            elif roll < 0.5:
                i[rng.randrange(r)] = rng.randint(1, 5)
            ax = rng.randint(-r, r - 1)
            if fw == "torch":
                out.append(Diff("torch.gather", [_txt(s), ax, S(_txt(tuple(i)), "int")], {}, "gather"))
                out.append(Diff("torch.take_along_dim", [_txt(s), S(_txt(tuple(i)), "int"), ax], {}, "gather"))
            else:
                out.append(Diff("numpy.take_along_axis", [_txt(s), S(_txt(tuple(i)), "int")], {"axis": ax},
                                "gather"))
        for _ in range(20):  # expand / broadcast_to / tile
            s = _rand_shape(rng, 1, 3, 3)
            tgt = [d if rng.random() < 0.6 else rng.choice([1, 2, 3]) for d in s]
            if rng.random() < 0.4:
                tgt = [rng.randint(1, 3)] + tgt
            if fw == "torch":
                out.append(Diff("torch.Tensor.expand", [_txt(s), *tgt], {}, "expand"))
            else:
                out.append(Diff("numpy.broadcast_to", [_txt(s), tuple(tgt)], {}, "expand"))
            out.append(Diff(f"{ns}.tile", [_txt(s), tuple(rng.randint(1, 3) for _ in range(rng.randint(1, 4)))], {},
                            "expand"))
        for _ in range(12):  # splits
            s = _rand_shape(rng, 1, 3, 6)
            r = len(s)
            ax = rng.randint(-r, r - 1)
            if fw == "torch":
                out.append(Diff("torch.chunk", [_txt(s), rng.randint(1, 4)], {"dim": ax}, "axis"))
                out.append(Diff("torch.split", [_txt(s), rng.randint(1, 4)], {"dim": ax}, "axis"))
            else:
                out.append(Diff("numpy.array_split", [_txt(s), rng.randint(1, 4)], {"axis": ax}, "axis"))
    out += _generate_more(rng)
    for eq, shapes_ in (("ij,jk->ik", [(2, 3), (3, 4)]), ("ij,jk->ik", [(2, 3), (4, 4)]), ("bij,bjk->bik",
                        [(5, 2, 3), (5, 3, 4)]), ("bij,bjk->bik", [(5, 2, 3), (4, 3, 4)]), ("ii->i", [(3, 3)]),
                        ("ij->ji", [(2, 3)]), ("...ij,jk->...ik", [(7, 2, 3), (3, 4)]), ("ij,kj", [(2, 3), (4, 3)]),
                        ("ij,kj", [(2, 3), (4, 5)]), ("ab,cbe->ace", [(2, 4), (5, 6, 4)]), ("ijk", [(2, 3)]),
                        ("ij,jk->iq", [(2, 3), (3, 4)]), ("i,i->", [(3,), (3,)]), ("i,j->ij", [(3,), (4,)])):
        for ns in ("torch", "numpy"):
            out.append(Diff(f"{ns}.einsum", [eq, *[_txt(s) for s in shapes_]], {}, "einsum"))
    for a, b, axes in (((2, 3, 4), (3, 4, 5), 2), ((2, 3, 4), (3, 4, 5), 1), ((2, 3, 4), (4, 3, 5), ([1, 2], [1, 0])),
                       ((2, 3, 4), (4, 3, 5), ([1, 2], [0, 1])), ((2, 3), (3, 2), ([0], [1]))):
        out.append(Diff("torch.tensordot", [_txt(a), _txt(b)], {"dims": axes}, "einsum"))
        out.append(Diff("numpy.tensordot", [_txt(a), _txt(b)], {"axes": axes}, "einsum"))
    for a, b in (((2, 3), (4, 3)), ((2, 3), (4, 5)), ((3,), (3,)), ((2, 3, 4), (5, 4))):
        out.append(Diff("numpy.inner", [_txt(a), _txt(b)], {}, "inner"))
        out.append(Diff("torch.inner", [_txt(a), _txt(b)], {}, "inner"))
    return out


def _generate_more(rng: random.Random) -> list:
    """Ops whose failures have no rule of their own are generated valid, bar the axes."""
    out: list = []
    letters = "abcdefg"
    for _ in range(40):  # random einsum equations, sizes consistent or perturbed
        size = {c: rng.randint(1, 4) for c in letters}
        n_ops = rng.randint(1, 3)
        subs = ["".join(rng.sample(letters[:5], rng.randint(1, 3))) for _ in range(n_ops)]
        used = sorted(set("".join(subs)))
        explicit = rng.random() < 0.6
        out_sub = "".join(rng.sample(used, rng.randint(0, len(used)))) if explicit else ""
        if explicit and rng.random() < 0.1:
            out_sub += "z"
        eq = ",".join(subs) + ("->" + out_sub if explicit else "")
        shapes_ = [[size[c] for c in sub] for sub in subs]
        if rng.random() < 0.3:
            k = rng.randrange(n_ops)
            shapes_[k][rng.randrange(len(shapes_[k]))] += 1
        if rng.random() < 0.1:
            shapes_[0] = shapes_[0] + [2]
        for ns in ("torch", "numpy"):
            out.append(Diff(f"{ns}.einsum", [eq, *[_txt(tuple(s)) for s in shapes_]], {}, "einsum"))
    for _ in range(30):
        s = _rand_shape(rng, 1, 4, 5)
        r = len(s)
        ax = rng.randint(-r - 1, r)
        for name in ("torch.sort", "torch.Tensor.argsort", "torch.cumsum", "torch.Tensor.softmax",
                     "torch.Tensor.flip", "torch.roll"):
            if name == "torch.Tensor.flip":
                out.append(Diff(name, [_txt(s), (ax,)], {}, "axis"))
            elif name == "torch.roll":
                out.append(Diff(name, [_txt(s), 1, ax], {}, "axis"))
            else:
                out.append(Diff(name, [_txt(s), ax], {}, "axis"))
        for name in ("numpy.sort", "numpy.argsort", "numpy.cumsum", "numpy.flip"):
            out.append(Diff(name, [_txt(s)], {"axis": ax if rng.random() < 0.8 else None}, "axis"))
        p = rng.randint(-r, r - 1)
        out.append(Diff("torch.topk", [_txt(s), rng.randint(1, s[p])], {"dim": p}, "axis"))
        out.append(Diff("torch.Tensor.topk", [_txt(s), 1, ax], {}, "axis"))
        n0 = s[p]
        start = rng.randint(0, n0 - 1)
        out.append(Diff("torch.narrow", [_txt(s), p, start, rng.randint(1, n0 - start)], {}, "axis"))
        out.append(Diff("torch.narrow", [_txt(s), ax, 0, 1], {}, "axis"))
        out.append(Diff("torch.select", [_txt(s), p, rng.randint(0, n0 - 1)], {}, "axis"))
        out.append(Diff("torch.select", [_txt(s), ax, 0], {}, "axis"))
        out.append(Diff("torch.index_select", [_txt(s), ax, S(_txt((rng.randint(1, 3),) * rng.randint(1, 2)), "int")],
                        {}, "gather"))
        out.append(Diff("numpy.take", [_txt(s), S(_txt((rng.randint(1, 3),) * rng.randint(1, 2)), "int")],
                        {"axis": ax}, "axis"))
        out.append(Diff("torch.movedim", [_txt(s), ax, rng.randint(-r, r - 1)], {}, "perm"))
        src = rng.sample(range(r), rng.randint(1, r))
        dst = rng.sample(range(r), len(src) if rng.random() < 0.8 else max(1, len(src) - 1))
        out.append(Diff("numpy.moveaxis", [_txt(s), src, dst], {}, "perm"))
        out.append(Diff("torch.Tensor.squeeze", [_txt(s)], {}, "axis"))
        out.append(Diff("numpy.squeeze", [_txt(s)], {}, "axis"))
        i, j = sorted([rng.randint(-r, r - 1) % r, rng.randint(-r, r - 1) % r])
        out.append(Diff("torch.Tensor.flatten", [_txt(s), i - r if rng.random() < 0.5 else i, j], {}, "axis"))
        reps = [rng.randint(1, 3) for _ in range(max(1, r + rng.randint(-1, 2)))]
        out.append(Diff("torch.Tensor.repeat", [_txt(s), *reps], {}, "expand"))
        out.append(Diff("numpy.repeat", [_txt(s), rng.randint(1, 3)], {"axis": ax if rng.random() < 0.8 else None},
                        "axis"))
        out.append(Diff("torch.repeat_interleave", [_txt(s), 2], {"dim": ax}, "axis"))
        m = rng.randint(1, r)
        out.append(Diff(GETITEM, [_txt(s), (S(_txt(s[:m]), "bool"),)], {}, "index"))
        out.append(Diff(GETITEM, [_txt(s), (Ellipsis, S(_txt(s[r - m:]), "bool"))], {}, "index"))
        out.append(Diff(GETITEM, [_txt(s), (slice(None), S("(2, 3)", "int"), 0)], {}, "index"))
        t = list(s)
        if rng.random() < 0.4:
            t[rng.randrange(r)] = rng.randint(1, 5)
        out.append(Diff("torch.Tensor.view_as", [_txt(s), _txt(tuple(t))], {}, "reshape"))
        out.append(Diff("torch.Tensor.expand_as", [_txt(s), _txt(tuple(t))], {}, "expand"))
        out.append(Diff("torch.broadcast_tensors", [_txt(s), _txt(tuple(t))], {}, "expand"))
        out.append(Diff("numpy.kron", [_txt(s), _txt(tuple(t[: rng.randint(1, r)]))], {}, "expand"))
        out.append(Diff("numpy.outer", [_txt(s), _txt(tuple(t))], {}, "expand"))
        n = 1
        for d in s:
            n *= d
        p = rng.randrange(r)
        a = rng.choice([d for d in range(1, s[p] + 1) if s[p] % d == 0])
        sizes = (a, -1) if rng.random() < 0.5 else (a, s[p] // a + (1 if rng.random() < 0.3 else 0))
        out.append(Diff("torch.Tensor.unflatten", [_txt(s), p, sizes], {}, "reshape"))
        cut = sorted(rng.sample(range(0, s[p] + 1), min(2, s[p] + 1)))
        pieces = [cut[0], cut[1] - cut[0], s[p] - cut[1]] if len(cut) == 2 else [s[p]]
        out.append(Diff("torch.split", [_txt(s), pieces], {"dim": p}, "axis"))
        out.append(Diff("numpy.split", [_txt(s), cut], {"axis": ax}, "axis"))
        out.append(Diff("torch.tensor_split", [_txt(s), rng.randint(1, 4)], {"dim": ax}, "axis"))
        out.append(Diff("torch.unbind", [_txt(s)], {"dim": ax}, "axis"))
        idx = list(s)
        roll = rng.random()
        if roll < 0.25:
            idx = idx + [1]
        elif roll < 0.5:
            idx[rng.randrange(r)] += 1
        else:
            idx = [max(1, d - rng.randint(0, 1)) for d in idx]
        src_s = list(idx) if rng.random() < 0.7 else list(idx[:-1] or [1, 1])
        out.append(Diff("torch.Tensor.scatter", [_txt(s), ax, S(_txt(tuple(idx)), "int"), _txt(tuple(src_s))], {},
                        "gather"))
        out.append(Diff("torch.scatter_add", [_txt(s), ax, S(_txt(tuple(idx)), "int"), _txt(tuple(src_s))], {},
                        "gather"))
    return out


DIFFS = _generate()


def _compare_fw(case: Diff, fw: str, rng: Any) -> Optional[str]:
    import warnings

    real_args = [_real_value(a, fw, rng) for a in case.args]
    real_kwargs = {k: _real_value(v, fw, rng) for k, v in case.kwargs.items()}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            r = _real_fn(case.name)(*real_args, **real_kwargs)
        real: Any = _shape_of(r)
        real_err = None
    except (RuntimeError, ValueError, IndexError) as e:
        real, real_err = None, e
    call = Call([to_value(a, fw) for a in case.args], {k: to_value(v, fw) for k, v in case.kwargs.items()}, fw=fw,
                qualname=case.name)
    try:
        got = registry.FUNCS[case.name](call)
        err = None
    except ShapeError as e:
        got, err = None, e
    if real_err is not None:
        if err is None:
            return f"real raised {type(real_err).__name__}: {str(real_err)[:120]}; inferred {show(got)}"
        if err.kind not in FAMILY[case.family]:
            return f"wrong family {err.kind} for {real_err}"
        return None
    if err is not None:
        return f"false positive {err.kind}: {err.message}; real {real}"
    if not _agrees(got, real):  # type: ignore[arg-type]
        return f"inferred {show(got)}, real {real}"  # type: ignore[arg-type]
    return None


def _agrees(v: Value, real: Any) -> bool:
    """Does an inferred value fit the real shape(s)? A size that is not a number (a flexible
    size: a mask's count, say) fits anything; a variadic prefix fits any leading sizes."""
    if isinstance(v, Seq):
        return isinstance(real, list) and len(real) == len(v.items) and all(
            _agrees(i, r) for i, r in zip(v.items, real))
    if not isinstance(v, Tensor) or not isinstance(real, tuple):
        return v is UNKNOWN
    s = v.shape
    if s.variadic:
        if len(s.dims) > len(real):
            return False
        real = real[len(real) - len(s.dims):]
    elif len(s.dims) != len(real):
        return False
    return all(not isinstance(d, int) or d == r for d, r in zip(s.dims, real))


@pytest.mark.parametrize("fw", ["torch", "numpy"])
def test_differential(fw: str) -> None:
    pytest.importorskip("torch" if fw == "torch" else "numpy")
    import numpy as np

    rng = np.random.default_rng(0)
    problems = []
    cases = [c for c in DIFFS if _fw(c.name) == fw or c.name == GETITEM]
    for case in cases:
        why = _compare_fw(case, fw, rng)
        if why is not None:
            problems.append(f"{case} [{fw}]: {why}")
    assert not problems, "\n".join(problems[:40]) + f"\n({len(problems)} of {len(cases)})"


@pytest.mark.parametrize("fw", ["torch", "numpy"])
def test_differential_coverage(fw: str) -> None:
    """Most generated calls get a definite answer (a shape or an error), not 'unknown'."""
    pytest.importorskip("torch" if fw == "torch" else "numpy")
    known = total = 0
    for case in DIFFS:
        if not (_fw(case.name) == fw or case.name == GETITEM):
            continue
        total += 1
        call = Call([to_value(a, fw) for a in case.args], {k: to_value(v, fw) for k, v in case.kwargs.items()},
                    fw=fw, qualname=case.name)
        try:
            got = registry.FUNCS[case.name](call)
        except ShapeError:
            known += 1
            continue
        if _inferred(got) is not None:
            known += 1
    assert known >= 0.85 * total, f"{known}/{total} answered"


def test_differential_has_both_outcomes() -> None:
    """The generated calls exercise both shape errors and successes."""
    kinds = {c.family for c in DIFFS}
    assert {"reshape", "join", "stack", "index", "gather", "einsum", "perm", "axis"} <= kinds
    assert len(DIFFS) > 500



MORE_CASES = [
    OpCase("torch.nonzero", ["(2, 3)"], expect="(n, 2)"),
    OpCase("torch.Tensor.nonzero", ["(2, 3)"], {"as_tuple": True}, expect="[(n,), (n,)]"),
    OpCase("numpy.nonzero", ["(2, 3, 4)"], expect="[(n,), (n,), (n,)]"),
    OpCase("numpy.argwhere", ["(2, 3, 4)"], expect="(n, 3)"),
    OpCase("torch.masked_select", ["(2, 3)", S("(3,)", "bool")], expect="(n,)"),
    OpCase("torch.masked_select", ["(2, 3)", S("(4,)", "bool")], error="broadcast-mismatch"),
    OpCase("torch.Tensor.index_add_", ["(5, 3)", 0, S("(2,)", "int"), "(2, 3)"], expect="(5, 3)"),
    OpCase("torch.Tensor.index_fill", ["(5, 3)", 2, S("(2,)", "int"), 0.0], error="axis-out-of-range"),
    OpCase("torch.Tensor.index_copy", ["(5, 3)", 0, S("(2, 1)", "int"), "(2, 3)"], error="index-rank"),
    OpCase("torch.flip", ["(5, 3)", (0, 1)], expect="(5, 3)"),
    OpCase("torch.Tensor.flip", ["(5, 3)", (2,)], error="axis-out-of-range"),
    OpCase("numpy.roll", ["(5, 3)", 1], {"axis": -3}, error="axis-out-of-range"),
    OpCase("torch.narrow", ["(5, 3)", 1, 0, 2], expect="(5, 2)"),
    OpCase("torch.select", ["(5, 3)", 0, 1], expect="(3,)"),
    OpCase("numpy.atleast_2d", ["(5,)"], expect="(1, 5)"),
    OpCase("numpy.atleast_3d", ["(5, 2)"], expect="(5, 2, 1)"),
    OpCase("torch.broadcast_tensors", ["(5, 1)", "(3,)"], expect="[(5, 3), (5, 3)]"),
    OpCase("torch.cross", ["(5, 3)", "(3,)"], expect="(5, 3)"),
]


@pytest.mark.parametrize("case", MORE_CASES, ids=str)
def test_op_table_more(case: OpCase) -> None:
    test_op_table(case)


# ---------------------------------------------------------------------------------- realistic programs
# Small programs in the style of real code, run for real (``reveal_shape`` records the shape) and
# checked: no finding, and every revealed shape equal to the real one.
PROGRAMS = {
    "numpy_mlp": """import numpy as np
X = np.random.rand(64, 3, 8, 8)
flat = X.reshape(X.shape[0], -1)
reveal_shape(flat)
W1 = np.random.randn(flat.shape[1], 32)
h = np.maximum(flat @ W1, 0)
logits = h @ np.random.randn(32, 10)
e = np.exp(logits - logits.max(axis=1, keepdims=True))
p = e / e.sum(axis=1, keepdims=True)
reveal_shape(p)
y = np.random.randint(0, 10, 64)
onehot = np.eye(10)[y]
reveal_shape(onehot)
picked = p[np.arange(64), y]
reveal_shape(picked)
grad = (p - onehot) / p.shape[0]
dW2 = h.T @ grad
reveal_shape(dW2)
aug = np.hstack([flat, np.ones((flat.shape[0], 1))])
reveal_shape(aug)
cols = np.concatenate([flat[:, :10], flat[:, -10:]], axis=1)
reveal_shape(cols)
pred = np.argmax(p, axis=1)
reveal_shape(pred)
batches = np.array_split(flat, 5)
reveal_shape(batches[0])
st = np.stack([flat.mean(axis=0), flat.std(axis=0)])
reveal_shape(st)
""",
    "numpy_images": """import numpy as np
imgs = np.zeros((10, 32, 32, 3))
chw = np.transpose(imgs, (0, 3, 1, 2))
reveal_shape(chw)
gray = imgs.mean(axis=-1)
reveal_shape(gray)
crop = imgs[:, 4:28, 4:28, :]
reveal_shape(crop)
flipped = imgs[:, :, ::-1]
reveal_shape(flipped)
tiles = np.tile(gray[:, None], (1, 3, 1, 1))
reveal_shape(tiles)
pairs = np.einsum("nhwc,nhwc->nc", imgs, imgs)
reveal_shape(pairs)
d = np.expand_dims(gray, -1)
reveal_shape(d)
sq = np.squeeze(d, axis=-1)
reveal_shape(sq)
moved = np.moveaxis(imgs, -1, 1)
reveal_shape(moved)
dots = np.tensordot(imgs, np.ones((3, 5)), axes=([3], [0]))
reveal_shape(dots)
""",
    "torch_cnn_head": """import torch
import torch.nn as nn
x = torch.randn(8, 16, 5, 5)
flat = x.view(x.size(0), -1)
reveal_shape(flat)
fc = nn.Linear(16 * 5 * 5, 10)
out = fc(flat)
reveal_shape(out)
probs = out.softmax(dim=1)
top_p, top_i = probs.topk(3, dim=1)
reveal_shape(top_i)
vals, idx = probs.max(dim=1)
reveal_shape(idx)
g = probs.gather(1, idx.unsqueeze(1))
reveal_shape(g)
pooled = x.mean(dim=(2, 3))
reveal_shape(pooled)
cat = torch.cat([pooled, pooled.flip(1)], dim=1)
reveal_shape(cat)
parts = torch.split(x, [6, 10], dim=1)
reveal_shape(parts[1])
""",
    "torch_attention": """import torch
B, T, C, H = 2, 7, 32, 4
x = torch.randn(B, T, C)
qkv = torch.randn(B, T, 3 * C)
q, k, v = qkv.chunk(3, dim=-1)
q = q.view(B, T, H, C // H).transpose(1, 2)
k = k.view(B, T, H, C // H).transpose(1, 2)
v = v.reshape(B, T, H, -1).permute(0, 2, 1, 3)
reveal_shape(v)
att = (q @ k.transpose(-2, -1)) / 8.0
mask = torch.tril(torch.ones(T, T))
att = att.masked_fill(mask[None, None] == 0, float("-inf"))
att = torch.softmax(att, dim=-1)
y = torch.einsum("bhts,bhsd->bhtd", att, v)
reveal_shape(y)
y = y.transpose(1, 2).contiguous().view(B, T, C)
reveal_shape(y)
last = y[:, -1, :]
reveal_shape(last)
first_two = y[:, :2]
reveal_shape(first_two)
ids = torch.randint(0, T, (B, 3))
sel = torch.take_along_dim(y, ids.unsqueeze(-1), dim=1)
reveal_shape(sel)
rep = y.repeat(1, 1, 2)
reveal_shape(rep)
exp = y[:, None].expand(-1, 3, -1, -1)
reveal_shape(exp)
flat = y.flatten(0, 1)
reveal_shape(flat)
back = flat.unflatten(0, (B, T))
reveal_shape(back)
st = torch.stack(torch.unbind(y, dim=1), dim=0)
reveal_shape(st)
""",
    "torch_indexing": """import torch
x = torch.randn(5, 4, 3)
idx = torch.tensor([0, 2, 4])
reveal_shape(x[idx])
reveal_shape(x[:, [1, 3]])
reveal_shape(x[idx, :, 0])
reveal_shape(x[..., None, 1])
m = torch.ones(5, 4, dtype=torch.bool)
rows = x[m]
reveal_shape(x.index_select(1, torch.tensor([0, 1])))
reveal_shape(x.narrow(0, 1, 3))
reveal_shape(x.squeeze().unsqueeze(0))
reveal_shape(x.movedim(0, -1))
reveal_shape(torch.nonzero(x > 0).t())
""",
}


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_realistic_program(name: str) -> None:
    src = PROGRAMS[name]
    pytest.importorskip("torch" if "torch" in src else "numpy")
    real: dict = {}
    lines = src.splitlines()

    def reveal_shape(v: Any) -> None:
        import inspect

        line = inspect.currentframe().f_back.f_lineno  # type: ignore[union-attr]
        real[line] = str(tuple(int(d) for d in v.shape)).replace(",)", ",)")

    exec(compile(src, f"<{name}>", "exec"), {"reveal_shape": reveal_shape, "__name__": name})  # noqa: S102
    assert codes(src) == []
    got = dict(reveal(src))
    bad = [n for n in sorted(set(got) | set(real)) if not _same_text(got.get(n), real.get(n))]
    assert not bad, "\n".join(f"{lines[n - 1].strip()}: real {real.get(n)}, inferred {got.get(n)}" for n in bad)


def _same_text(inferred: Optional[str], real: Optional[str]) -> bool:
    """``(3, n)`` fits ``(3, 31)``: a flexible size (a count of nonzeros) is not known statically."""
    if inferred is None or real is None:
        return inferred == real
    a, b = inferred.strip("()").split(","), real.strip("()").split(",")
    return len(a) == len(b) and all(x.strip() in (y.strip(), "n") for x, y in zip(a, b))


# ---------------------------------------------------------------------------------- real-code regressions
# Precision on model sources nobody here wrote: an unknown value in must give an unknown out.
def test_a_lone_unknown_size_may_be_a_whole_shape() -> None:
    # x.size()[:-1] + (4, -1) is a whole shape tuple once x's rank is unknown: never a 1-D (n,)
    src = ("import torch\ndef f(x, y, shape):\n    a = x.view(x.size()[:-1] + (4, -1))\n    reveal_shape(a)\n"
           "    b = y.view(4, 3)\n    c = b.expand(x.size())\n    reveal_shape(c)\n    d = b.reshape(shape)\n"
           "    reveal_shape(d)\n    e = a.permute(0, 2, 1, 3)\n    g = a[:, :, :, :2]\n    return e, g\n")
    assert codes(src) == []
    assert reveal(src) == [(4, "(*)"), (7, "(*)"), (9, "(*)")]
    # a single size that is surely an int still counts as one
    assert reveal("import torch\nx = torch.zeros(2, 3)\nn = 6\nreveal_shape(x.view(n))\n") == [(4, "(6,)")]
    assert codes("import torch\nx = torch.zeros(2, 3)\ny = x.expand(torch.zeros(4).size())\n") == [(3, "SHP501")]


def test_numpy_sees_a_0d_array_as_1d_in_argsort_and_cumsum() -> None:
    np = pytest.importorskip("numpy")
    x = np.array(1)
    assert np.argsort(x).shape == (1,) and np.cumsum(x, axis=-1).shape == (1,)
    src = ("import numpy as np\nx = np.array(1)\nreveal_shape(np.argsort(x))\nreveal_shape(np.cumsum(x, axis=0))\n"
           "reveal_shape(np.argpartition(x, 0))\n")
    assert codes(src) == []
    assert reveal(src) == [(3, "(1,)"), (4, "(1,)"), (5, "(1,)")]
    with pytest.raises(Exception):
        np.sort(x)  # np.sort does not: still SHP402
    assert codes("import numpy as np\nx = np.array(1)\ny = np.sort(x)\nz = np.argsort(x, axis=1)\n") == [
        (3, "SHP402"), (4, "SHP402")]


def test_np_einsum_takes_a_list_as_one_array() -> None:
    np = pytest.importorskip("numpy")
    a = np.ones((2, 3))
    assert np.einsum("ij->j", [a[0], a[0]]).shape == (3,)  # one (2, 3) array-like, not two operands
    src = "import numpy as np\na = np.ones((2, 3))\nb = np.einsum('ij->j', [a[0], a[0]])\n"
    assert codes(src) == []
    # torch.einsum(eq, [a, b]) does take a list of operands
    assert codes("import torch\na = torch.ones(2, 3)\nb = torch.einsum('ij,jk->ik', [a, a])\n") == [(3, "SHP103")]


def test_torch_reductions_take_numpy_keyword_spellings() -> None:
    torch = pytest.importorskip("torch")
    x = torch.ones(2, 3)
    assert x.mean(-1, keepdims=True).shape == (2, 1) and x.sum(axis=-1, keepdims=True).shape == (2, 1)
    src = ("import torch\nx = torch.ones(2, 3)\nreveal_shape(x.mean(-1, keepdims=True))\n"
           "reveal_shape(torch.sum(x, axis=-1, keepdims=True))\nreveal_shape(x.amax(1, keepdims=False))\n")
    assert reveal(src) == [(3, "(2, 1)"), (4, "(2, 1)"), (5, "(2,)")]
    # a receiver of unknown framework with numpy-only keywords (ddof=): unknown, never a guessed shape
    src = ("import numpy.typing as npt\ndef f(a: npt.NDArray, n: int, g: int, k: int):\n"
           "    v = a.reshape((n, g, k))\n    m = v.mean(axis=-1, keepdims=True)\n"
           "    s = v.var(axis=-1, ddof=0, keepdims=True)\n    return (v - m) * s\n")
    assert codes(src) == []


def test_numpy_method_spellings_on_a_receiver_of_unknown_framework() -> None:
    np = pytest.importorskip("numpy")
    a = np.ones((2, 3, 4))
    assert a.view().shape == (2, 3, 4) and a.take([0, 1], axis=1).shape == (2, 2, 4)
    src = ("def f(a, n: int):\n    v = a.reshape(n, 3, 4)\n    reveal_shape(v.view())\n"
           "    reveal_shape(v.take([0, 1], axis=1))\n")
    assert codes(src) == []
    assert reveal(src) == [(3, "(n, 3, 4)"), (4, "(*)")]
    assert codes("import torch\nx = torch.ones(2, 3)\ny = x.view()\n") == []  # not a reshape to ()
