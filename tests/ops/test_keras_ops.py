"""keras.ops (and the old ``keras.backend`` spellings) as ``OpCase`` rows, each called through the
registry and run by Keras 3 itself (torch backend) where it is installed.

Operands as in test_tf.py: ``a`` (4, 3), ``b`` (3, 5), ``c`` (5, 3), ``v`` (3,), ``x`` (2, 4, 3),
``i`` (4,) int32.
"""
from __future__ import annotations

from harness import OpCase, S, row_tests

from shapecheck.engine import check_source

KOPS_ROWS = [
    OpCase("keras.ops.where", [S("(4, 3)", "bool"), "(4, 3)", "(3,)"], expect="(4, 3)"),
    OpCase("keras.ops.repeat", ["(4, 3)", 2], {"axis": 1}, expect="(4, 6)"),
    OpCase("keras.ops.flip", ["(2, 4, 3)"], {"axis": 1}, expect="(2, 4, 3)"),
    OpCase("keras.ops.roll", ["(2, 4, 3)", 1], {"axis": 0}, expect="(2, 4, 3)"),
    OpCase("keras.ops.unstack", ["(2, 4, 3)"], {"axis": 2}, expect="[(2, 4), (2, 4), (2, 4)]"),
    OpCase("keras.ops.top_k", ["(2, 4, 3)", 2], expect="[(2, 4, 2), (2, 4, 2)]"),  # values, indices
    OpCase("keras.ops.matmul", ["(4, 3)", "(3, 5)"], expect="(4, 5)"),
    OpCase("keras.ops.matmul", ["(4, 3)", "(5, 3)"], error="missing-transpose"),
    OpCase("keras.ops.dot", ["(4, 3)", "(3, 5)"], expect="(4, 5)"),
    OpCase("keras.ops.dot", ["(2, 4, 3)", "(3, 5)"], expect="(2, 4, 5)"),
    OpCase("keras.ops.dot", ["(4, 3)", "(4, 3)"], error="missing-transpose"),
    OpCase("keras.ops.concatenate", [["(4, 3)", "(4, 3)"]], expect="(8, 3)"),
    OpCase("keras.ops.concatenate", [["(4, 3)", "(3, 5)"]], {"axis": 0}, error="concat-mismatch"),
    OpCase("keras.ops.reshape", ["(2, 4, 3)", (-1, 3)], expect="(8, 3)"),
    OpCase("keras.ops.reshape", ["(2, 4, 3)", (-2, 3)], error="reshape-size"),
    OpCase("keras.ops.reshape", ["(2, 4, 3)", (-1, -1, 3)], error="reshape-size"),
    OpCase("keras.ops.transpose", ["(2, 4, 3)", (2, 0, 1)], expect="(3, 2, 4)"),
    OpCase("keras.ops.expand_dims", ["(4, 3)", 0], expect="(1, 4, 3)"),
    OpCase("keras.ops.sum", ["(2, 4, 3)"], {"axis": -1}, expect="(2, 4)"),
    OpCase("keras.ops.mean", ["(2, 4, 3)"], {"axis": 1, "keepdims": True}, expect="(2, 1, 3)"),
    OpCase("keras.ops.add", ["(4, 3)", "(3,)"], expect="(4, 3)"),
    OpCase("keras.ops.softmax", ["(4, 3)"], expect="(4, 3)"),
    OpCase("keras.ops.stack", [["(4, 3)", "(4, 3)"]], {"axis": 1}, expect="(4, 2, 3)"),
    OpCase("keras.ops.one_hot", [S("(4,)", "int"), 7], expect="(4, 7)"),
    OpCase("keras.ops.einsum", ['ij,jk->ik', "(4, 3)", "(3, 5)"], expect="(4, 5)"),
    OpCase("keras.ops.tensordot", ["(4, 3)", "(3, 5)"], {"axes": 1}, expect="(4, 5)"),
]

MORE_KOPS_ROWS = [
    OpCase("keras.ops.abs", ["(2, 4, 3)"], expect="(2, 4, 3)"),
    OpCase("keras.ops.relu", ["(4, 3)"], expect="(4, 3)"),
    OpCase("keras.ops.broadcast_to", ["(3,)", (4, 3)], expect="(4, 3)"),
    OpCase("keras.ops.broadcast_to", ["(4, 3)", (4, 4)], error="broadcast-mismatch"),
    OpCase("keras.ops.eye", [3], expect="(3, 3)"),
    OpCase("keras.ops.full", [(2, 3), 7.0], expect="(2, 3)"),
    OpCase("keras.ops.ndim", ["(2, 4, 3)"], expect="int 3"),
    OpCase("keras.ops.shape", ["(2, 4, 3)"], expect="[int 2, int 4, int 3]"),
    OpCase("keras.ops.squeeze", ["(4, 1, 3)"], {"axis": 1}, expect="(4, 3)"),
    OpCase("keras.ops.squeeze", ["(4, 1, 3)"], {"axis": 3}, error="axis-out-of-range"),
    OpCase("keras.ops.take", ["(4, 3)", S("(5,)", "int")], {"axis": 0}, expect="(5, 3)"),
    OpCase("keras.ops.tile", ["(4, 3)", (2, 3)], expect="(8, 9)"),
]

ROWS = KOPS_ROWS + MORE_KOPS_ROWS

test_row, test_row_against_the_framework = row_tests(ROWS)


def test_reshape_messages_show_sizes_as_written() -> None:
    # not "(-10 elements)" for a -2 nor a tuple of strings ('-1', '-1', '5')
    head = "from keras import ops\nimport numpy as np\nx = np.zeros(20)\n"
    msgs = [d.message for d in check_source(head + "a = ops.reshape(x, (-2, 5))\nb = ops.reshape(x, (-1, -1, 5))\n")]
    assert msgs == ["reshape of (20,) to (-2, 5): a size must be non-negative or -1 (inferred), got -2",
                    "reshape of (20,) to (-1, -1, 5): only one -1 is allowed"]
