"""TensorFlow shape rules as ``OpCase`` rows (tests/ops/harness.py), each called through the
registry by qualified name and, where TensorFlow is installed, run by TensorFlow itself (the
oracle; it skips where TensorFlow is absent, so these rows are written from TF's documentation).

The rows of the former expression table keep their operands: ``a`` (4, 3), ``b`` (3, 5),
``c`` (5, 3), ``v`` (3,), ``x`` (2, 4, 3), ``img`` (2, 8, 8, 3), ``k`` (3, 3, 3, 6), ``bias`` (6,),
``i`` (4,) int32. A few end-to-end tests at the bottom go through ``check_source`` (a fix's
wording, TF1 placeholders, ``Session.run``).
"""
from __future__ import annotations

import pytest
from harness import OpCase, S, row_tests, to_value

from shapecheck.engine import check_source, reveal
from shapecheck.values import Seq

TF_ROWS = [
    OpCase("tensorflow.matmul", ["(4, 3)", "(3, 5)"], expect="(4, 5)"),
    OpCase("tensorflow.matmul", ["(4, 3)", "(5, 3)"], {"transpose_b": True}, expect="(4, 5)"),
    OpCase("tensorflow.matmul", ["(3, 5)", "(4, 3)"], {"transpose_a": True, "transpose_b": True}, expect="(5, 4)"),
    OpCase("tensorflow.linalg.matmul", ["(2, 4, 3)", "(3, 5)"], expect="(2, 4, 5)"),
    OpCase("tensorflow.matmul", ["(4, 3)", "(5, 3)"], error="missing-transpose"),
    OpCase("tensorflow.matmul", ["(4, 3)", "(4, 3)"], error="missing-transpose"),
    OpCase("tensorflow.matmul", ["(4, 3)", "(3,)"], error="operand-rank"),
    OpCase("tensorflow.matmul", ["(3, 5)", "(3, 5)"], error="missing-transpose"),
    OpCase("tensorflow.matmul", ["(4, 3)", "(5, 2)"], error="matmul-mismatch"),
    OpCase("tensorflow.tensordot", ["(4, 3)", "(3, 5)"], {"axes": 1}, expect="(4, 5)"),
    OpCase("tensorflow.tensordot", ["(2, 4, 3)", "(5, 3)"], {"axes": [[2], [1]]}, expect="(2, 4, 5)"),
    OpCase("tensorflow.tensordot", ["(4, 3)", "(5, 3)"], {"axes": 1}, error="einsum-mismatch"),
    OpCase("tensorflow.einsum", ['ij,jk->ik', "(4, 3)", "(3, 5)"], expect="(4, 5)"),
    OpCase("tensorflow.einsum", ['bij,jk->bik', "(2, 4, 3)", "(3, 5)"], expect="(2, 4, 5)"),
    OpCase("tensorflow.einsum", ['ij,jk->ik', "(4, 3)", "(5, 3)"], error="einsum-mismatch"),
    OpCase("tensorflow.concat", [["(4, 3)", "(4, 3)"]], {"axis": 0}, expect="(8, 3)"),
    OpCase("tensorflow.concat", [["(4, 3)", "(3, 5)"]], {"axis": 0}, error="concat-mismatch"),
    OpCase("tensorflow.concat", [["(3, 5)", "(5, 3)"]], {"axis": 1}, error="concat-mismatch"),
    OpCase("tensorflow.concat", [["(4, 3)", "(4, 5)"]], {"axis": 0}, error="concat-wrong-axis"),
    OpCase("tensorflow.concat", [["(4, 3)", "(2, 4, 3)"]], {"axis": 0}, error="concat-rank"),
    OpCase("tensorflow.stack", [["(4, 3)", "(4, 3)"]], expect="(2, 4, 3)"),
    OpCase("tensorflow.stack", [["(4, 3)", "(4, 3)"]], {"axis": -1}, expect="(4, 3, 2)"),
    OpCase("tensorflow.stack", [["(4, 3)", "(5, 3)"]], error="stack-mismatch"),
    OpCase("tensorflow.reshape", ["(2, 4, 3)", [-1, 3]], expect="(8, 3)"),
    OpCase("tensorflow.reshape", ["(2, 4, 3)", [4, 6]], expect="(4, 6)"),
    OpCase("tensorflow.reshape", ["(2, 4, 3)", [5, -1]], error="reshape-size"),
    OpCase("tensorflow.reshape", ["(2, 4, 3)", [4, 5]], error="reshape-size"),
    OpCase("tensorflow.transpose", ["(2, 4, 3)"], {"perm": [1, 0, 2]}, expect="(4, 2, 3)"),
    OpCase("tensorflow.transpose", ["(4, 3)"], expect="(3, 4)"),
    OpCase("tensorflow.transpose", ["(2, 4, 3)"], {"perm": [1, 0]}, error="bad-permutation"),
    OpCase("tensorflow.expand_dims", ["(4, 3)", 1], expect="(4, 1, 3)"),
    OpCase("tensorflow.expand_dims", ["(4, 3)", -1], expect="(4, 3, 1)"),
    OpCase("tensorflow.expand_dims", ["(4, 3)", 3], error="axis-out-of-range"),
    OpCase("tensorflow.squeeze", ["(4, 1, 3)"], {"axis": 1}, expect="(4, 3)"),
    OpCase("tensorflow.squeeze", ["(4, 1, 3, 1)"], expect="(4, 3)"),
    OpCase("tensorflow.tile", ["(4, 3)", [2, 3]], expect="(8, 9)"),
    OpCase("tensorflow.broadcast_to", ["(3,)", [4, 3]], expect="(4, 3)"),
    OpCase("tensorflow.broadcast_to", ["(4, 3)", [4, 4]], error="broadcast-mismatch"),
    OpCase("tensorflow.gather", ["(4, 3)", S("(4,)", "int")], expect="(4, 3)"),
    OpCase("tensorflow.gather", ["(2, 4, 3)", S("(4,)", "int")], {"axis": 1}, expect="(2, 4, 3)"),
    OpCase("tensorflow.pad", ["(4, 3)", [[1, 1], [0, 2]]], expect="(6, 5)"),
    OpCase("tensorflow.pad", ["(2, 4, 3)", [[0, 0], [1, 2], [3, 0]]], {"mode": 'CONSTANT'}, expect="(2, 7, 6)"),
    OpCase("tensorflow.split", ["(2, 4, 3)", 2], {"axis": 1}, expect="[(2, 2, 3), (2, 2, 3)]"),
    OpCase("tensorflow.split", ["(2, 4, 3)", [1, -1]], {"axis": 1}, expect="[(2, 1, 3), (2, 3, 3)]"),
    OpCase("tensorflow.split", ["(3, 5)", [2, 2, 1]], {"axis": 1}, expect="[(3, 2), (3, 2), (3, 1)]"),
    OpCase("tensorflow.unstack", ["(2, 4, 3)"], {"axis": 1}, expect="[(2, 3), (2, 3), (2, 3), (2, 3)]"),
    OpCase("tensorflow.slice", ["(2, 4, 3)", [0, 1, 0], [2, -1, 2]], expect="(2, 3, 2)"),
    OpCase("tensorflow.where", [S("(4, 3)", "bool"), "(4, 3)", "(3,)"], expect="(4, 3)"),
    OpCase("tensorflow.where", [S("(4, 3)", "bool"), "(4, 3)", "(3, 5)"], error="broadcast-mismatch"),
    OpCase("tensorflow.range", [7], expect="(7,)"),
    OpCase("tensorflow.range", [2, 11, 3], expect="(3,)"),
    OpCase("tensorflow.sequence_mask", [S("(4,)", "int"), 6], expect="(4, 6)"),
    OpCase("tensorflow.reverse", ["(2, 4, 3)", [1]], expect="(2, 4, 3)"),
    OpCase("tensorflow.roll", ["(2, 4, 3)"], {"shift": 1, "axis": 2}, expect="(2, 4, 3)"),
    OpCase("tensorflow.repeat", ["(4, 3)", 2], {"axis": 0}, expect="(8, 3)"),
    OpCase("tensorflow.repeat", ["(4, 3)", 3], expect="(36,)"),
    OpCase("tensorflow.nn.embedding_lookup", ["(3, 5)", S("(4,)", "int")], expect="(4, 5)"),
    OpCase("tensorflow.image.resize", ["(2, 8, 8, 3)", [4, 6]], expect="(2, 4, 6, 3)"),
    OpCase("tensorflow.math.top_k", ["(2, 4, 3)"], {"k": 2}, expect="[(2, 4, 2), (2, 4, 2)]"),  # values, indices
    OpCase("tensorflow.nn.moments", ["(2, 4, 3)"], {"axes": [0, 1]}, expect="[(3,), (3,)]"),  # mean, variance
    OpCase("tensorflow.nn.softmax_cross_entropy_with_logits", [], {"labels": "(4, 3)", "logits": "(4, 3)"}, expect="(4,)"),
    OpCase("tensorflow.nn.sparse_softmax_cross_entropy_with_logits", [], {"labels": S("(4,)", "int"), "logits": "(4, 3)"}, expect="(4,)"),
    OpCase("tensorflow.gather_nd", ["(2, 4, 3)", S("(5, 2)", "int")], expect="(5, 3)"),
    OpCase("tensorflow.nn.depthwise_conv2d", ["(2, 8, 8, 3)", "(3, 3, 3, 2)"], {"strides": [1, 1, 1, 1], "padding": 'VALID'}, expect="(2, 6, 6, 6)"),
    OpCase("tensorflow.nn.depthwise_conv2d", ["(2, 8, 8, 3)", "(3, 3, 4, 2)"], {"strides": [1, 1, 1, 1], "padding": 'SAME'}, error="layer-input-mismatch"),
    OpCase("tensorflow.nn.conv2d_transpose", ["(2, 8, 8, 3)", "(3, 3, 5, 3)", [2, 16, 16, 5]], {"strides": 2}, expect="(2, 16, 16, 5)"),
    OpCase("tensorflow.nn.conv2d_transpose", ["(2, 8, 8, 3)", "(3, 3, 5, 4)", [2, 16, 16, 5]], {"strides": 2}, error="layer-input-mismatch"),
    OpCase("tensorflow.nn.batch_normalization", ["(2, 4, 3)", "(3,)", "(3,)", None, None, 0.001], expect="(2, 4, 3)"),
    OpCase("tensorflow.norm", ["(2, 4, 3)"], {"axis": -1}, expect="(2, 4)"),
    OpCase("tensorflow.norm", ["(2, 4, 3)"], expect="()"),
    OpCase("tensorflow.linalg.norm", ["(2, 4, 3)"], {"axis": [1, 2], "keepdims": True}, expect="(2, 1, 1)"),
    OpCase("tensorflow.gather", ["(2, 4, 3)", S("(2, 5)", "int")], {"batch_dims": 1}, expect="(2, 5, 3)"),
    OpCase("tensorflow.gather", ["(2, 4, 3)", S("(2, 5)", "int")], {"axis": 2, "batch_dims": 1}, expect="(2, 4, 5)"),
    OpCase("tensorflow.gather", ["(2, 4, 3)", S("(2, 4, 6)", "int")], {"axis": 2, "batch_dims": -1}, expect="(2, 4, 6)"),
    OpCase("tensorflow.reduce_sum", ["(2, 4, 3)"], {"axis": 1}, expect="(2, 3)"),
    OpCase("tensorflow.reduce_mean", ["(2, 4, 3)"], {"axis": [1, 2], "keepdims": True}, expect="(2, 1, 1)"),
    OpCase("tensorflow.reduce_max", ["(2, 4, 3)"], expect="()"),
    OpCase("tensorflow.reduce_sum", ["(2, 4, 3)"], {"axis": 3}, error="axis-out-of-range"),
    OpCase("tensorflow.argmax", ["(4, 3)"], {"axis": 1}, expect="(4,)"),
    OpCase("tensorflow.add", ["(4, 3)", "(3,)"], expect="(4, 3)"),
    OpCase("tensorflow.multiply", ["(4, 3)", "(3, 5)"], error="broadcast-mismatch"),
    OpCase("tensorflow.nn.softmax", ["(4, 3)"], expect="(4, 3)"),
    OpCase("tensorflow.nn.softmax", ["(4, 3)"], {"axis": 2}, error="axis-out-of-range"),
    OpCase("tensorflow.nn.relu", ["(2, 4, 3)"], expect="(2, 4, 3)"),
    OpCase("tensorflow.nn.conv2d", ["(2, 8, 8, 3)", "(3, 3, 3, 6)"], {"strides": 1, "padding": 'SAME'}, expect="(2, 8, 8, 6)"),
    OpCase("tensorflow.nn.conv2d", ["(2, 8, 8, 3)", "(3, 3, 3, 6)"], {"strides": [1, 2, 2, 1], "padding": 'VALID'}, expect="(2, 3, 3, 6)"),
    OpCase("tensorflow.nn.conv2d", ["(2, 8, 8, 3)", "(3, 3, 4, 6)"], {"strides": 1, "padding": 'SAME'}, error="layer-input-mismatch"),
    OpCase("tensorflow.nn.max_pool2d", ["(2, 8, 8, 3)"], {"ksize": 2, "strides": 2, "padding": 'VALID'}, expect="(2, 4, 4, 3)"),
    OpCase("tensorflow.nn.bias_add", ["(2, 8, 8, 6)", "(6,)"], expect="(2, 8, 8, 6)"),
    OpCase("tensorflow.nn.bias_add", ["(2, 8, 8, 3)", "(6,)"], error="broadcast-mismatch"),
    OpCase("tensorflow.Variable", ["(10, 784)"], expect="(10, 784)"),
    OpCase("tensorflow.constant", [[[1.0, 2.0], [3.0, 4.0]]], expect="(2, 2)"),
    OpCase("tensorflow.ones", [[3, 2]], expect="(3, 2)"),
    OpCase("tensorflow.fill", [[3, 2], 7.0], expect="(3, 2)"),
    OpCase("tensorflow.random.normal", [[5, 2]], expect="(5, 2)"),
    OpCase("tensorflow.random.uniform", [(5, 2)], expect="(5, 2)"),
    OpCase("tensorflow.one_hot", [S("(4,)", "int"), 10], expect="(4, 10)"),
    OpCase("tensorflow.eye", [3], expect="(3, 3)"),
]

# rules the former table had no row for (written from TF's documentation; checked by TensorFlow
# where it is installed)
def _feed(placeholder: str, array: str) -> Seq:
    """A ``feed_dict`` of one placeholder (a TF tensor) fed one NumPy array."""
    return Seq([Seq([to_value(placeholder, "tf"), to_value(array, "numpy")], "tuple")], "pairs")


HOLDS = "a tensor holding the numbers (shape () or (rank,)), where the rule gives the numbers"
MORE_TF_ROWS = [
    OpCase("tensorflow.add_n", [["(4, 3)", "(4, 3)", "(4, 3)"]], expect="(4, 3)"),
    OpCase("tensorflow.add_n", [["(4, 3)", "(3, 4)"]], error="broadcast-mismatch"),
    # TF returns these as tensors holding the numbers; the rules track the numbers themselves
    OpCase("tensorflow.rank", ["(2, 4, 3)"], expect="int 3", no_oracle=HOLDS),
    OpCase("tensorflow.size", ["(2, 4, 3)"], expect="int 24", no_oracle=HOLDS),
    OpCase("tensorflow.shape", ["(2, 4, 3)"], expect="[int 2, int 4, int 3]", no_oracle=HOLDS),
    OpCase("tensorflow.compat.v1.placeholder", ["float32"], {"shape": [None, 28, 28, 1]}, expect="(None, 28, 28, 1)",
           no_oracle="placeholders exist only in TF1 graph mode"),
    OpCase("tensorflow.compat.v1.layers.dense", ["(None, 20)", 7], expect="(None, 7)",
           no_oracle="tf.layers needs TF1 graph mode"),
    OpCase("tensorflow.compat.v1.Session", [], expect="Ext(qualname='tensorflow.Session')", no_oracle="a TF1 session"),
    # sess.run(fetch, feed_dict={placeholder: array}): the interpreter hands the feed as pairs
    # (the table's None is one size: the fetched tensor has the fed placeholder's, so the graph re-run
    # on the feed gives the fed batch)
    OpCase("tensorflow.compat.v1.Session.run", ["(None, 3)"], {"feed_dict": _feed("(None, 3)", "(8, 3)")},
           expect="(8, 3)", no_oracle="a TF1 session"),
    OpCase("tensorflow.compat.v1.Session.run", ["(None, 3)"], {"feed_dict": _feed("(None, 3)", "(8, 4)")},
           error="input-data-mismatch", no_oracle="a TF1 session"),
]

# TF1 recurrent cells (tf.nn.rnn_cell / tf.contrib.rnn): a cell takes one (batch, features) step and
# returns (output, state); dynamic_rnn runs it over (batch, time, features). Checked by hand against
# TF 2.21 with tf_keras (tf.compat.v1 in graph mode); a cell is called with its state for real.
CELL = "a TF1 cell is called with its state"
LSTM8 = OpCase("tensorflow.compat.v1.nn.rnn_cell.BasicLSTMCell", [8])
RNN_ROWS = [
    OpCase("tensorflow.compat.v1.nn.rnn_cell.BasicLSTMCell", [8], inputs=["(4, 5)"],
           expect="[(4, 8), [(4, 8), (4, 8)]]", no_oracle=CELL),
    OpCase("tensorflow.compat.v1.nn.rnn_cell.BasicLSTMCell", [8], inputs=["(4, 7, 5)"], error="layer-rank",
           no_oracle=CELL),
    OpCase("tensorflow.nn.rnn_cell.LSTMCell", [8], {"num_proj": 3}, inputs=["(4, 5)"],
           expect="[(4, 3), [(4, 8), (4, 3)]]", no_oracle=CELL),
    OpCase("tensorflow.compat.v1.nn.rnn_cell.GRUBlockCell", [6], inputs=["(4, 5)"], expect="[(4, 6), (4, 6)]",
           no_oracle=CELL),
    OpCase("tensorflow.contrib.rnn.GRUCell", [6], inputs=["(4, 5)"], expect="[(4, 6), (4, 6)]", no_oracle=CELL),
    OpCase("tensorflow.compat.v1.nn.rnn_cell.BasicRNNCell", [6], inputs=["(4, 5)"], expect="[(4, 6), (4, 6)]",
           no_oracle=CELL),
    OpCase("tensorflow.compat.v1.nn.rnn_cell.MultiRNNCell", [[OpCase("tensorflow.nn.rnn_cell.GRUCell", [6]),
                                                             OpCase("tensorflow.nn.rnn_cell.GRUCell", [3])]],
           inputs=["(4, 5)"], expect="[(4, 3), [(4, 6), (4, 3)]]", no_oracle=CELL),
    # one cell listed twice: its kernel is made for the first input (5 features), then gets 8
    OpCase("tensorflow.compat.v1.nn.rnn_cell.MultiRNNCell", [[LSTM8, LSTM8]], inputs=["(4, 5)"],
           error="layer-input-mismatch", no_oracle=CELL),
    OpCase("tensorflow.compat.v1.nn.rnn_cell.DeviceWrapper", [OpCase("tensorflow.nn.rnn_cell.GRUCell", [6]), "/cpu:0"],
           inputs=["(4, 5)"], expect="[(4, 6), (4, 6)]", no_oracle=CELL),
    OpCase("tensorflow.compat.v1.nn.rnn_cell.ResidualWrapper", [OpCase("tensorflow.nn.rnn_cell.GRUCell", [5])],
           inputs=["(4, 5)"], expect="[(4, 5), (4, 5)]", no_oracle=CELL),
    OpCase("tensorflow.compat.v1.nn.rnn_cell.ResidualWrapper", [OpCase("tensorflow.nn.rnn_cell.GRUCell", [6])],
           inputs=["(4, 5)"], error="broadcast-mismatch", no_oracle=CELL),
    OpCase("tensorflow.compat.v1.nn.dynamic_rnn", [OpCase("tensorflow.nn.rnn_cell.GRUCell", [6]), "(4, 7, 5)"],
           {"dtype": "float32"}, expect="[(4, 7, 6), (4, 6)]", no_oracle=CELL),
    OpCase("tensorflow.compat.v1.nn.dynamic_rnn", [OpCase("tensorflow.nn.rnn_cell.GRUCell", [6]), "(7, 4, 5)"],
           {"dtype": "float32", "time_major": True}, expect="[(7, 4, 6), (4, 6)]", no_oracle=CELL),
    OpCase("tensorflow.compat.v1.nn.dynamic_rnn", [OpCase("tensorflow.nn.rnn_cell.GRUCell", [6]), "(4, 5)"],
           {"dtype": "float32"}, error="layer-rank", no_oracle=CELL),
    OpCase("tensorflow.compat.v1.nn.dynamic_rnn", [OpCase("tensorflow.nn.rnn_cell.GRUCell", [6]), "(4, 7, 5)"],
           {"dtype": "float32", "sequence_length": 7}, error="invalid-shape-argument", no_oracle=CELL),
    OpCase("tensorflow.compat.v1.nn.bidirectional_dynamic_rnn",
           [OpCase("tensorflow.nn.rnn_cell.GRUCell", [6]), OpCase("tensorflow.nn.rnn_cell.GRUCell", [2]),
            "(4, 7, 5)"], {"dtype": "float32", "sequence_length": S("(4,)", "int")},
           expect="[[(4, 7, 6), (4, 7, 2)], [(4, 6), (4, 2)]]", no_oracle=CELL),
    OpCase("tensorflow.compat.v1.nn.bidirectional_dynamic_rnn",
           [OpCase("tensorflow.nn.rnn_cell.GRUCell", [6]), OpCase("tensorflow.nn.rnn_cell.GRUCell", [2]),
            ["(4, 5)", "(4, 5)"]], {"dtype": "float32"}, error="layer-rank", no_oracle=CELL),
    OpCase("tensorflow.compat.v1.nn.static_rnn", [OpCase("tensorflow.nn.rnn_cell.GRUCell", [6]), ["(4, 5)", "(4, 5)"]],
           {"dtype": "float32"}, expect="[[(4, 6), (4, 6)], (4, 6)]", no_oracle=CELL),
    OpCase("tensorflow.contrib.rnn.static_rnn", [OpCase("tensorflow.nn.rnn_cell.GRUCell", [6]), ["(4,)", "(4,)"]],
           {"dtype": "float32"}, error="layer-rank", no_oracle=CELL),
    # the encoder runs a copy of the cell (its own kernel), the decoder the cell itself
    OpCase("tensorflow.contrib.legacy_seq2seq.basic_rnn_seq2seq", [["(4, 5)", "(4, 5)"], ["(4, 3)"], LSTM8],
           expect="[[(4, 8)], [(4, 8), (4, 8)]]", no_oracle="tf.contrib is TF 1.x only"),
    OpCase("tensorflow.contrib.legacy_seq2seq.basic_rnn_seq2seq", [["(4,)"], ["(4, 3)"], LSTM8],
           error="layer-rank", no_oracle="tf.contrib is TF 1.x only"),
]

# TF1 graphs: an optimizer's minimize makes an operation (kept as a TF tensor of unknown shape);
# Tensor.eval / Operation.run are Session.run of it
GRAPH = "TF1 graph mode"
GRAPH_ROWS = [
    OpCase("tensorflow.compat.v1.train.AdadeltaOptimizer", [0.1], expect="Ext(qualname='tensorflow.train.Optimizer')",
           no_oracle=GRAPH),
    OpCase("tensorflow.compat.v1.train.Optimizer.minimize", ["()"], expect="(*)", no_oracle=GRAPH),
    OpCase("tensorflow.Tensor.eval", ["(3, 4)"], expect="(3, 4)", no_oracle=GRAPH),
    OpCase("tensorflow.Tensor.eval", ["(None, 3)"], {"feed_dict": _feed("(None, 3)", "(2, 3)")}, expect="(2, 3)",
           no_oracle=GRAPH),
    OpCase("tensorflow.Tensor.eval", ["(None, 3)"], {"feed_dict": _feed("(None, 3)", "(2, 4)")},
           error="input-data-mismatch", no_oracle=GRAPH),
]

NMS_ROWS = [
    OpCase("tensorflow.image.non_max_suppression", ["(6, 4)", "(6,)", 3], expect="(None,)", no_oracle="as many as kept"),
    OpCase("tensorflow.image.non_max_suppression", ["(1, 6, 4)", "(1, 6)", 3], error="layer-rank"),
    OpCase("tensorflow.image.non_max_suppression", ["(6, 5)", "(6,)", 3], error="layer-input-mismatch"),
    OpCase("tensorflow.image.non_max_suppression", ["(6, 4)", "(5,)", 3], error="layer-input-mismatch"),
]

ROWS = TF_ROWS + MORE_TF_ROWS + RNN_ROWS + GRAPH_ROWS + NMS_ROWS

test_row, test_row_against_the_framework = row_tests(ROWS)


def test_tf_matmul_case_fix() -> None:
    src = "import tensorflow as tf\nx = tf.zeros([100, 784])\nW = tf.Variable(tf.zeros([10, 784]))\n" \
          "y = tf.nn.softmax(tf.matmul(x, W))\n"
    (d,) = check_source(src)
    assert d.code == "SHP102" and "transpose_b=True" in d.message and d.line == 4


def test_tf1_placeholder_and_layers() -> None:
    src = ("import tensorflow.compat.v1 as tf\n"
           "x = tf.placeholder(tf.float32, shape=[None, 128, 128, 3])\n"
           "m = tf.reduce_mean(x, axis=[1, 2])\nreveal_shape(m)\n"
           "h = tf.layers.dense(tf.placeholder(tf.float32, [None, 20]), 7)\nreveal_shape(h)\n")
    assert check_source(src) == []
    assert [t for _, t in reveal(src)] == ["(None, 3)", "(None, 7)"]


def test_session_run_feed_dict_rule() -> None:
    """The Session.run rule on feed pairs (the interpreter hands a dict with tensor keys as pairs)."""
    from shapecheck import dims as D
    from shapecheck.findings import ShapeError
    from shapecheck.ops.registry import Call, lookup_func
    from shapecheck.shapes import Shape
    from shapecheck.values import Seq, Tensor

    run = lookup_func("tensorflow.compat.v1.Session.run")
    ph = Tensor(Shape((D.opaque("None"), 128, 128, 3)), "tf")
    ok = Seq([Seq([ph, Tensor(Shape((1, 128, 128, 3)), "numpy")], "tuple")], "pairs")
    bad_rank = Seq([Seq([ph, Tensor(Shape((128, 128, 3)), "numpy")], "tuple")], "pairs")
    bad_size = Seq([Seq([ph, Tensor(Shape((4, 128, 128, 1)), "numpy")], "tuple")], "pairs")
    run(Call([ph], {"feed_dict": ok}))
    for fd in (bad_rank, bad_size):
        with pytest.raises(ShapeError) as e:
            run(Call([ph], {"feed_dict": fd}))
        assert e.value.kind == "input-data-mismatch"
    # a Session reached through `with tf.Session() as sess:` resolves to this rule
    assert lookup_func("tensorflow.Session") is not None and lookup_func("tensorflow.Session.run") is run

