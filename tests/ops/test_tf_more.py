"""More TensorFlow rules as ``OpCase`` rows (tests/ops/harness.py): TF1 losses, the sampled losses,
``tf.sets``, indexing ops, queues, ``Tensor.set_shape`` and ``tf.contrib.layers``.

Rows run by TensorFlow itself where it is installed (eager TF 2); the ``no_oracle`` ones were checked by
hand against TF 2.21 in TF1 graph mode (``tf.compat.v1``), except ``tf.contrib``, gone from TF 2: those
follow the TF 1.x documentation. A few end-to-end tests at the bottom go through ``check_source``
(a queue's methods, ``set_shape`` in place)."""
from __future__ import annotations

from harness import OpCase, S, row_tests

from shapecheck.engine import check_source, reveal

INT = "int"
GRAPH = "TF1 graph mode"
CONTRIB = "tf.contrib is TF 1.x only (checked against the TF 1.x documentation)"

LOSS_ROWS = [
    OpCase("tensorflow.compat.v1.losses.mean_squared_error", ["(5, 3)", "(5, 3)"], expect="()"),
    OpCase("tensorflow.compat.v1.losses.mean_squared_error", ["(5,)", "(5, 1)"], error="broadcast-mismatch"),
    OpCase("tensorflow.compat.v1.losses.mean_squared_error", ["(5, 3)", "(5, 1)"], error="broadcast-mismatch"),
    OpCase("tensorflow.compat.v1.losses.absolute_difference", ["(5, 3)", "(5, 4)"], error="broadcast-mismatch"),
    OpCase("tensorflow.compat.v1.losses.huber_loss", ["(5,)", "(5, 1)"], error="broadcast-mismatch"),
    OpCase("tensorflow.compat.v1.losses.log_loss", ["(5, 2)", "(5, 2)"], expect="()"),
    OpCase("tensorflow.compat.v1.losses.hinge_loss", ["(5, 3)", "(5, 3)"], expect="()"),
    OpCase("tensorflow.compat.v1.losses.softmax_cross_entropy", ["(5, 3)", "(5, 3)"], expect="()"),
    OpCase("tensorflow.compat.v1.losses.softmax_cross_entropy", ["(5, 3)", "(5, 4)"], error="broadcast-mismatch"),
    OpCase("tensorflow.compat.v1.losses.softmax_cross_entropy", ["(5,)", "(5, 3)"], error="broadcast-mismatch"),
    OpCase("tensorflow.compat.v1.losses.sigmoid_cross_entropy", ["(5, 3)", "(5, 3)"], expect="()"),
    OpCase("tensorflow.compat.v1.losses.sigmoid_cross_entropy", ["(5,)", "(5, 1)"], error="broadcast-mismatch"),
    OpCase("tensorflow.compat.v1.losses.sparse_softmax_cross_entropy", [S("(5,)", INT), "(5, 3)"], expect="()"),
    OpCase("tensorflow.compat.v1.losses.sparse_softmax_cross_entropy", [S("(5, 1)", INT), "(5, 3)"], expect="()"),
    OpCase("tensorflow.compat.v1.losses.sparse_softmax_cross_entropy", [S("(5, 2)", INT), "(5, 3)"],
           error="batch-mismatch"),
    OpCase("tensorflow.compat.v1.losses.sparse_softmax_cross_entropy", [S("(4,)", INT), "(5, 3)"],
           error="batch-mismatch"),
    OpCase("tensorflow.compat.v1.losses.mean_squared_error", ["(5, 3)", "(5, 3)"], {"reduction": "none"},
           expect="(5, 3)"),
    OpCase("tensorflow.compat.v1.losses.softmax_cross_entropy", ["(5, 3)", "(5, 3)"], {"reduction": "none"},
           expect="(5,)"),
    # TF 2's tf.losses.mean_squared_error is Keras's, which broadcasts: shapes that differ but broadcast
    # are the silent-broadcast warning (TF1 raises on them), shapes that do not broadcast an error
    OpCase("tensorflow.losses.mean_squared_error", ["(5,)", "(5, 1)"], error="loss-broadcast",
           no_oracle="TF 2 broadcasts where TF1 raises: a warning"),
    OpCase("tensorflow.losses.mean_squared_error", ["(5, 3)", "(5, 4)"], error="broadcast-mismatch"),
    OpCase("tensorflow.losses.mean_squared_error", ["(5, 3)", "(5, 3)"], expect="unknown",
           no_oracle="a scalar in TF1, (5,) in TF 2"),
]

W, B = "(50, 8)", "(50,)"
SAMPLED_ROWS = [
    OpCase("tensorflow.nn.nce_loss", [W, B, S("(4, 1)", INT), "(4, 8)", 5, 50], expect="(4,)"),
    OpCase("tensorflow.compat.v1.nn.nce_loss", [W, B, S("(4, 2)", INT), "(4, 8)", 5, 50], {"num_true": 2},
           expect="(4,)"),
    OpCase("tensorflow.nn.nce_loss", [W, B, S("(4, 1)", INT), "(4, 9)", 5, 50], error="matmul-mismatch"),
    OpCase("tensorflow.nn.nce_loss", [W, B, S("(3, 1)", INT), "(4, 8)", 5, 50], error="batch-mismatch"),
    OpCase("tensorflow.nn.nce_loss", [W, B, S("(4, 2)", INT), "(4, 8)", 5, 50], error="batch-mismatch"),
    OpCase("tensorflow.nn.nce_loss", [W, B, S("(4,)", INT), "(4, 8)", 5, 50], error="layer-rank"),
    OpCase("tensorflow.nn.nce_loss", [W, B, S("(4, 1)", INT), "(4, 2, 8)", 5, 50], error="layer-rank"),
    OpCase("tensorflow.nn.nce_loss", [["(25, 8)", "(25, 8)"], B, S("(4, 1)", INT), "(4, 8)", 5, 50], expect="(4,)"),
    OpCase("tensorflow.nn.sampled_softmax_loss", [W, B, S("(4, 1)", INT), "(4, 8)", 5, 50], expect="(4,)"),
    OpCase("tensorflow.nn.sampled_softmax_loss", [W, B, S("(4, 1)", INT), "(4, 9)", 5, 50], error="matmul-mismatch"),
    OpCase("tensorflow.nn.sampled_softmax_loss", [W, B, S("(3, 1)", INT), "(4, 8)", 5, 50], error="batch-mismatch"),
]

SET_ROWS = [
    OpCase("tensorflow.sets.intersection", [S("(4, 3)", INT), S("(4, 5)", INT)], expect="(None, None)",
           no_oracle="a SparseTensor"),
    OpCase("tensorflow.sets.union", [S("(2, 4, 3)", INT), S("(2, 4, 5)", INT)], expect="(None, None, None)",
           no_oracle="a SparseTensor"),
    OpCase("tensorflow.sets.intersection", [S("(4, 3)", INT), S("(5, 5)", INT)], error="batch-mismatch"),
    OpCase("tensorflow.sets.union", [S("(2, 4, 3)", INT), S("(2, 5, 3)", INT)], error="batch-mismatch"),
    OpCase("tensorflow.sets.difference", [S("(4, 3)", INT), S("(4, 2, 5)", INT)], error="batch-mismatch"),
    OpCase("tensorflow.compat.v1.sets.set_intersection", [S("(3,)", INT), S("(3,)", INT)], error="layer-rank"),
    OpCase("tensorflow.sets.size", [S("(4, 3)", INT)], expect="(4,)", no_oracle="TF takes a SparseTensor"),
]

INDEX_ROWS = [
    OpCase("tensorflow.strided_slice", ["(5, 6, 7)", [1, 0], [4, 6], [1, 2]], expect="(3, 3, 7)"),
    OpCase("tensorflow.strided_slice", ["(5, 6, 7)", [-1], [-4], [-1]], expect="(3, 6, 7)"),
    OpCase("tensorflow.strided_slice", ["(5, 6, 7)", [1], [10]], expect="(4, 6, 7)"),
    OpCase("tensorflow.strided_slice", ["(5, 6, 7)", [1, 0], [4, 6], [1, 2]], {"shrink_axis_mask": 1},
           expect="(3, 7)"),
    OpCase("tensorflow.strided_slice", ["(5, 6, 7)", [0, 1], [0, 3]], {"begin_mask": 1, "end_mask": 1},
           expect="(5, 2, 7)"),
    OpCase("tensorflow.strided_slice", ["(5, 6, 7)", [0, 2], [0, 4]], {"ellipsis_mask": 1}, expect="(5, 6, 2)"),
    OpCase("tensorflow.strided_slice", ["(5, 6)", [0, 1], [0, 3]], {"new_axis_mask": 1}, expect="(1, 2, 6)"),
    OpCase("tensorflow.strided_slice", ["(5, 6)", [4], [1]], expect="(0, 6)"),
    OpCase("tensorflow.strided_slice", ["(5, 6, 7)", [1, 0], [4], [1, 2]], error="invalid-shape-argument"),
    OpCase("tensorflow.strided_slice", ["(5, 6)", [1, 0, 0], [4, 6, 1]], error="axis-out-of-range"),
    OpCase("tensorflow.strided_slice", ["(5, 6)", [1], [4], [0]], error="invalid-shape-argument"),
    OpCase("tensorflow.scatter_nd", [S("(4, 1)", INT), "(4, 8)", [10, 8]], expect="(10, 8)"),
    OpCase("tensorflow.scatter_nd", [S("(4, 2)", INT), "(4,)", [10, 8]], expect="(10, 8)"),
    OpCase("tensorflow.scatter_nd", [S("(4, 1)", INT), "(4, 7)", [10, 8]], error="index-rank"),
    OpCase("tensorflow.scatter_nd", [S("(4, 1)", INT), "(3, 8)", [10, 8]], error="index-rank"),
    OpCase("tensorflow.scatter_nd", [S("(4, 1)", INT), "(4,)", [10, 8]], error="index-rank"),
    OpCase("tensorflow.boolean_mask", ["(4, 5, 6)", S("(4,)", "bool")], expect="(None, 5, 6)",
           no_oracle="eager TF counts the true elements"),
    OpCase("tensorflow.boolean_mask", ["(4, 5, 6)", S("(4, 5)", "bool")], expect="(None, 6)",
           no_oracle="eager TF counts the true elements"),
    OpCase("tensorflow.boolean_mask", ["(4, 5, 6)", S("(5,)", "bool")], {"axis": 1}, expect="(4, None, 6)",
           no_oracle="eager TF counts the true elements"),
    OpCase("tensorflow.compat.v1.boolean_mask", ["(4, 5, 6)", S("(4,)", "bool"), "mask"], expect="(None, 5, 6)",
           no_oracle="eager TF counts the true elements"),
    OpCase("tensorflow.boolean_mask", ["(4, 5, 6)", S("(5,)", "bool")], error="index-rank"),
    OpCase("tensorflow.boolean_mask", ["(4, 5, 6)", S("(4, 6)", "bool")], error="index-rank"),
    OpCase("tensorflow.boolean_mask", ["(4, 5)", S("(4, 5, 1)", "bool")], error="index-rank"),
    OpCase("tensorflow.boolean_mask", ["(4, 5, 6)", S("()", "bool")], error="index-rank"),
    OpCase("tensorflow.image.random_crop", ["(8, 8, 3)", [4, 4, 3]], expect="(4, 4, 3)"),
    OpCase("tensorflow.compat.v1.random_crop", ["(8, 8, 3)", [4, 4, 3]], expect="(4, 4, 3)"),
    OpCase("tensorflow.image.random_crop", ["(8, 8, 3)", [4, 4]], error="invalid-shape-argument"),
    OpCase("tensorflow.image.random_crop", ["(8, 8, 3)", [9, 4, 3]], error="invalid-shape-argument"),
]

QUEUE_ROWS = [
    OpCase("tensorflow.compat.v1.FIFOQueue", [10, ["float32", "int32"]], {"shapes": [[3, 4], []]},
           expect="Layer(tensorflow.FIFOQueue)", no_oracle="a queue object"),
]

SET_SHAPE_ROWS = [
    OpCase("tensorflow.Tensor.set_shape", ["(None, 3)", [5, 3]], expect="(5, 3)", no_oracle=GRAPH),
    OpCase("tensorflow.Tensor.set_shape", ["(None, 3)", [None, 3]], expect="(None, 3)", no_oracle=GRAPH),
    OpCase("tensorflow.Tensor.set_shape", ["(4, 3)", [5, 3]], error="invalid-shape-argument", no_oracle=GRAPH),
    OpCase("tensorflow.Tensor.set_shape", ["(4, 3)", [4]], error="invalid-shape-argument", no_oracle=GRAPH),
]

CONTRIB_ROWS = [
    OpCase("tensorflow.contrib.layers.fully_connected", ["(None, 64)", 1], expect="(None, 1)", no_oracle=CONTRIB),
    OpCase("tensorflow.contrib.layers.flatten", ["(None, 7, 7, 64)"], expect="(None, 3136)", no_oracle=CONTRIB),
    OpCase("tensorflow.contrib.layers.conv2d", ["(2, 28, 28, 1)", 32, 5], expect="(2, 28, 28, 32)",
           no_oracle=CONTRIB),
    OpCase("tensorflow.contrib.slim.conv2d", ["(2, 28, 28, 1)", 32, [3, 3]], {"stride": 2, "padding": "VALID"},
           expect="(2, 13, 13, 32)", no_oracle=CONTRIB),
    OpCase("tensorflow.contrib.layers.conv2d", ["(2, 2, 2, 1)", 32, 5], {"padding": "VALID"},
           error="empty-spatial", no_oracle=CONTRIB),
    OpCase("tensorflow.contrib.layers.max_pool2d", ["(2, 28, 28, 32)", [2, 2]], expect="(2, 14, 14, 32)",
           no_oracle=CONTRIB),
    OpCase("tensorflow.contrib.layers.max_pool2d", ["(28, 28, 32)", [2, 2]], error="layer-rank", no_oracle=CONTRIB),
]

# TF1 layer functions (tf.compat.v1.layers): Keras's Conv2D / MaxPooling2D as functions. TF 2.21 with
# Keras 3 has none: checked by hand against tf_keras's legacy_tf_layers in TF1 graph mode
LEGACY = "tf.compat.v1.layers is empty under Keras 3 (checked against tf_keras's legacy_tf_layers)"
LAYERS_ROWS = [
    OpCase("tensorflow.compat.v1.layers.conv2d", ["(2, 28, 28, 1)", 32, [5, 5]], {"padding": "same"},
           expect="(2, 28, 28, 32)", no_oracle=LEGACY),
    OpCase("tensorflow.compat.v1.layers.conv2d", ["(2, 28, 28, 1)", 8, 3], {"strides": 2}, expect="(2, 13, 13, 8)",
           no_oracle=LEGACY),
    OpCase("tensorflow.compat.v1.layers.conv2d", ["(28, 28, 1)", 8, 3], error="layer-rank", no_oracle=LEGACY),
    OpCase("tensorflow.compat.v1.layers.max_pooling2d", ["(2, 28, 28, 32)", [2, 2], 2], expect="(2, 14, 14, 32)",
           no_oracle=LEGACY),
    OpCase("tensorflow.compat.v1.layers.average_pooling2d", ["(2, 7, 7, 4)", 2, 2], {"padding": "same"},
           expect="(2, 4, 4, 4)", no_oracle=LEGACY),
    OpCase("tensorflow.compat.v1.layers.dropout", ["(2, 10)"], {"rate": 0.4}, expect="(2, 10)", no_oracle=LEGACY),
    OpCase("tensorflow.compat.v1.layers.flatten", ["(2, 7, 7, 4)"], expect="(2, 196)", no_oracle=LEGACY),
]

ROWS = LAYERS_ROWS + LOSS_ROWS + SAMPLED_ROWS + SET_ROWS + INDEX_ROWS + QUEUE_ROWS + SET_SHAPE_ROWS + CONTRIB_ROWS

test_row, test_row_against_the_framework = row_tests(ROWS)


def _findings(src: str) -> list:
    return [(d.line, d.code) for d in check_source(src)]


QUEUE_SRC = """import tensorflow as tf
v1 = tf.compat.v1
q = v1.FIFOQueue(10, [tf.float32, tf.int32], shapes=[[3, 4], []])
a, b = q.dequeue()
reveal_shape(a)
reveal_shape(b)
c, d = q.dequeue_many(7)
reveal_shape(c)
reveal_shape(d)
q1 = tf.queue.FIFOQueue(10, tf.float32, shapes=[3, 4])
reveal_shape(q1.dequeue())
reveal_shape(q1.dequeue_up_to(2))
ok = q.enqueue_many([tf.zeros([5, 3, 4]), tf.zeros([5], tf.int32)])
ok1 = q1.enqueue(tf.zeros([3, 4]))
"""


def test_queue_methods() -> None:
    assert _findings(QUEUE_SRC) == []
    assert [t for _, t in reveal(QUEUE_SRC)] == ["(3, 4)", "()", "(7, 3, 4)", "(7,)", "(3, 4)", "(None, 3, 4)"]


def test_queue_enqueue_checks() -> None:
    head = "import tensorflow as tf\nq = tf.queue.FIFOQueue(10, [tf.float32, tf.int32], shapes=[[3, 4], []])\n"
    assert _findings(head + "q.enqueue_many([tf.zeros([5, 3, 5]), tf.zeros([5], tf.int32)])\n") == [(3, "SHP701")]
    assert _findings(head + "q.enqueue_many([tf.zeros([5, 3, 4]), tf.zeros([6], tf.int32)])\n") == [(3, "SHP701")]
    assert _findings(head + "q.enqueue([tf.zeros([5, 3, 4]), tf.zeros([], tf.int32)])\n") == [(3, "SHP701")]
    assert _findings(head + "q.enqueue([tf.zeros([3, 4]), tf.zeros([], tf.int32)])\n") == []
    # a queue without shapes: nothing to check, tensors of unknown shape out
    free = "import tensorflow as tf\nq = tf.queue.FIFOQueue(10, tf.float32)\nq.enqueue(tf.zeros([5]))\n" \
           "x = q.dequeue()\nreveal_shape(x)\n"
    assert _findings(free) == [] and [t for _, t in reveal(free)] == ["(*)"]


def test_set_shape_updates_the_name() -> None:
    src = ("import tensorflow as tf\nv1 = tf.compat.v1\nx = v1.placeholder(tf.float32, [None, 3])\n"
           "x.set_shape([5, 3])\nreveal_shape(x)\ny = tf.matmul(x, tf.zeros([4, 2]))\n")
    assert _findings(src) == [(6, "SHP102")] or _findings(src) == [(6, "SHP101")]
    assert [t for _, t in reveal(src)] == ["(5, 3)"]
    bad = "import tensorflow as tf\nv1 = tf.compat.v1\nx = v1.placeholder(tf.float32, [4, 3])\nx.set_shape([5, 3])\n"
    assert _findings(bad) == [(4, "SHP405")]
