"""TensorFlow and keras.ops shape rules: table-driven, each case also run for real where
tensorflow-cpu (or Keras 3 for keras.ops) is installed, so the expectations are the framework's."""
from __future__ import annotations

import os
import sys
import warnings

import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

from shapecheck.engine import check_source, reveal  # noqa: E402

# Variables every case can use, as (name, shape).
VARS = [("a", (4, 3)), ("b", (3, 5)), ("c", (5, 3)), ("v", (3,)), ("x", (2, 4, 3)), ("img", (2, 8, 8, 3)),
        ("k", (3, 3, 3, 6)), ("bias", (6,)), ("i", (4,))]


def _head(ns: str) -> str:
    lines = ["import tensorflow as tf", "import keras", "from keras import ops"]
    for name, shape in VARS:
        if name == "i":
            lines.append(f"{name} = {ns}.zeros({list(shape)!r}, dtype='int32')")
        else:
            lines.append(f"{name} = {ns}.zeros({list(shape)!r})")
    return "\n".join(lines) + "\n"


TF_CASES = [
    ("tf.matmul(a, b)", (4, 5)),
    ("tf.matmul(a, c, transpose_b=True)", (4, 5)),
    ("tf.matmul(b, a, transpose_a=True, transpose_b=True)", (5, 4)),
    ("tf.linalg.matmul(x, b)", (2, 4, 5)),
    ("tf.matmul(a, c)", "SHP102"),
    ("tf.matmul(a, a)", "SHP102"),
    ("tf.matmul(a, v)", "SHP105"),
    ("tf.matmul(b, b)", "SHP102"),
    ("tf.matmul(a, tf.zeros([5, 2]))", "SHP101"),
    ("tf.tensordot(a, b, axes=1)", (4, 5)),
    ("tf.tensordot(x, c, axes=[[2], [1]])", (2, 4, 5)),
    ("tf.tensordot(a, c, axes=1)", "SHP103"),
    ("tf.einsum('ij,jk->ik', a, b)", (4, 5)),
    ("tf.einsum('bij,jk->bik', x, b)", (2, 4, 5)),
    ("tf.einsum('ij,jk->ik', a, c)", "SHP103"),
    ("tf.concat([a, a], axis=0)", (8, 3)),
    ("tf.concat([a, b], axis=0)", "SHP201"),
    ("tf.concat([b, c], axis=1)", "SHP201"),
    ("tf.concat([a, tf.zeros([4, 5])], axis=0)", "SHP202"),
    ("tf.concat([a, x], axis=0)", "SHP203"),
    ("tf.stack([a, a])", (2, 4, 3)),
    ("tf.stack([a, a], axis=-1)", (4, 3, 2)),
    ("tf.stack([a, c])", "SHP205"),
    ("tf.reshape(x, [-1, 3])", (8, 3)),
    ("tf.reshape(x, [4, 6])", (4, 6)),
    ("tf.reshape(x, [5, -1])", "SHP401"),
    ("tf.reshape(x, [4, 5])", "SHP401"),
    ("tf.transpose(x, perm=[1, 0, 2])", (4, 2, 3)),
    ("tf.transpose(a)", (3, 4)),
    ("tf.transpose(x, perm=[1, 0])", "SHP403"),
    ("tf.expand_dims(a, 1)", (4, 1, 3)),
    ("tf.expand_dims(a, -1)", (4, 3, 1)),
    ("tf.expand_dims(a, 3)", "SHP402"),
    ("tf.squeeze(tf.zeros([4, 1, 3]), axis=1)", (4, 3)),
    ("tf.squeeze(tf.zeros([4, 1, 3, 1]))", (4, 3)),
    ("tf.tile(a, [2, 3])", (8, 9)),
    ("tf.broadcast_to(v, [4, 3])", (4, 3)),
    ("tf.broadcast_to(a, [4, 4])", "SHP501"),
    ("tf.gather(a, i)", (4, 3)),
    ("tf.gather(x, i, axis=1)", (2, 4, 3)),
    ("tf.pad(a, [[1, 1], [0, 2]])", (6, 5)),
    ("tf.pad(x, [[0, 0], [1, 2], [3, 0]], mode='CONSTANT')", (2, 7, 6)),
    ("tf.split(x, 2, axis=1)[1]", (2, 2, 3)),
    ("tf.split(x, [1, -1], axis=1)[1]", (2, 3, 3)),
    ("tf.split(b, [2, 2, 1], axis=1)[2]", (3, 1)),
    ("tf.unstack(x, axis=1)[3]", (2, 3)),
    ("tf.slice(x, [0, 1, 0], [2, -1, 2])", (2, 3, 2)),
    ("tf.where(a > 0, a, v)", (4, 3)),
    ("tf.where(a > 0, a, b)", "SHP501"),
    ("tf.range(7)", (7,)),
    ("tf.range(2, 11, 3)", (3,)),
    ("tf.sequence_mask(i, 6)", (4, 6)),
    ("tf.reverse(x, [1])", (2, 4, 3)),
    ("tf.roll(x, shift=1, axis=2)", (2, 4, 3)),
    ("tf.repeat(a, 2, axis=0)", (8, 3)),
    ("tf.repeat(a, 3)", (36,)),
    ("tf.nn.embedding_lookup(b, i)", (4, 5)),
    ("tf.image.resize(img, [4, 6])", (2, 4, 6, 3)),
    ("tf.math.top_k(x, k=2).values", (2, 4, 2)),
    ("tf.nn.moments(x, axes=[0, 1])[1]", (3,)),
    ("tf.nn.softmax_cross_entropy_with_logits(labels=a, logits=a)", (4,)),
    ("tf.nn.sparse_softmax_cross_entropy_with_logits(labels=i, logits=a)", (4,)),
    ("tf.gather_nd(x, tf.zeros([5, 2], dtype='int32'))", (5, 3)),
    ("tf.nn.depthwise_conv2d(img, tf.zeros([3, 3, 3, 2]), strides=[1, 1, 1, 1], padding='VALID')", (2, 6, 6, 6)),
    ("tf.nn.depthwise_conv2d(img, tf.zeros([3, 3, 4, 2]), strides=[1, 1, 1, 1], padding='SAME')", "SHP301"),
    ("tf.nn.conv2d_transpose(img, tf.zeros([3, 3, 5, 3]), [2, 16, 16, 5], strides=2)", (2, 16, 16, 5)),
    ("tf.nn.conv2d_transpose(img, tf.zeros([3, 3, 5, 4]), [2, 16, 16, 5], strides=2)", "SHP301"),
    ("tf.nn.batch_normalization(x, v, v, None, None, 1e-3)", (2, 4, 3)),
    ("tf.norm(x, axis=-1)", (2, 4)),
    ("tf.norm(x)", ()),
    ("tf.linalg.norm(x, axis=[1, 2], keepdims=True)", (2, 1, 1)),
    ("tf.gather(x, tf.zeros([2, 5], dtype='int32'), batch_dims=1)", (2, 5, 3)),
    ("tf.gather(x, tf.zeros([2, 5], dtype='int32'), axis=2, batch_dims=1)", (2, 4, 5)),
    ("tf.gather(x, tf.zeros([2, 4, 6], dtype='int32'), axis=2, batch_dims=-1)", (2, 4, 6)),
    ("tf.reduce_sum(x, axis=1)", (2, 3)),
    ("tf.reduce_mean(x, axis=[1, 2], keepdims=True)", (2, 1, 1)),
    ("tf.reduce_max(x)", ()),
    ("tf.reduce_sum(x, axis=3)", "SHP402"),
    ("tf.argmax(a, axis=1)", (4,)),
    ("tf.add(a, v)", (4, 3)),
    ("tf.multiply(a, b)", "SHP501"),
    ("tf.nn.softmax(a)", (4, 3)),
    ("tf.nn.softmax(a, axis=2)", "SHP402"),
    ("tf.nn.relu(x)", (2, 4, 3)),
    ("tf.nn.conv2d(img, k, strides=1, padding='SAME')", (2, 8, 8, 6)),
    ("tf.nn.conv2d(img, k, strides=[1, 2, 2, 1], padding='VALID')", (2, 3, 3, 6)),
    ("tf.nn.conv2d(img, tf.zeros([3, 3, 4, 6]), strides=1, padding='SAME')", "SHP301"),
    ("tf.nn.max_pool2d(img, ksize=2, strides=2, padding='VALID')", (2, 4, 4, 3)),
    ("tf.nn.bias_add(tf.zeros([2, 8, 8, 6]), bias)", (2, 8, 8, 6)),
    ("tf.nn.bias_add(img, bias)", "SHP501"),
    ("tf.Variable(tf.zeros([10, 784]))", (10, 784)),
    ("tf.constant([[1.0, 2.0], [3.0, 4.0]])", (2, 2)),
    ("tf.ones([3, 2])", (3, 2)),
    ("tf.fill([3, 2], 7.0)", (3, 2)),
    ("tf.random.normal([5, 2])", (5, 2)),
    ("tf.random.uniform((5, 2))", (5, 2)),
    ("tf.one_hot(i, 10)", (4, 10)),
    ("tf.eye(3)", (3, 3)),
]

KOPS_CASES = [
    ("ops.where(a > 0, a, v)", (4, 3)),
    ("ops.repeat(a, 2, axis=1)", (4, 6)),
    ("ops.flip(x, axis=1)", (2, 4, 3)),
    ("ops.roll(x, 1, axis=0)", (2, 4, 3)),
    ("ops.unstack(x, axis=2)[0]", (2, 4)),
    ("ops.top_k(x, 2)[1]", (2, 4, 2)),
    ("ops.matmul(a, b)", (4, 5)),
    ("ops.matmul(a, c)", "SHP102"),
    ("ops.concatenate([a, a])", (8, 3)),
    ("ops.concatenate([a, b], axis=0)", "SHP201"),
    ("ops.reshape(x, (-1, 3))", (8, 3)),
    ("ops.reshape(x, (-2, 3))", "SHP401"),
    ("ops.reshape(x, (-1, -1, 3))", "SHP401"),
    ("ops.transpose(x, (2, 0, 1))", (3, 2, 4)),
    ("ops.expand_dims(a, 0)", (1, 4, 3)),
    ("ops.sum(x, axis=-1)", (2, 4)),
    ("ops.mean(x, axis=1, keepdims=True)", (2, 1, 3)),
    ("ops.add(a, v)", (4, 3)),
    ("ops.softmax(a)", (4, 3)),
    ("ops.stack([a, a], axis=1)", (4, 2, 3)),
    ("ops.one_hot(i, 7)", (4, 7)),
    ("ops.einsum('ij,jk->ik', a, b)", (4, 5)),
    ("ops.tensordot(a, b, axes=1)", (4, 5)),
]


def _fmt(shape: tuple) -> str:
    if len(shape) == 1:
        return f"({shape[0]},)"
    return "(" + ", ".join(str(d) for d in shape) + ")"


def _check(head: str, expr: str, expect) -> None:
    src = head + f"y = {expr}\nreveal_shape(y)\n"
    found = [d.code for d in check_source(src)]
    if isinstance(expect, str):
        assert expect in found, found
        return
    assert found == [], found
    got = reveal(src)
    assert got and got[-1][1] == _fmt(expect), got


@pytest.mark.parametrize("expr,expect", TF_CASES, ids=[c[0] for c in TF_CASES])
def test_tf_table(expr: str, expect) -> None:
    _check(_head("tf"), expr, expect)


@pytest.mark.parametrize("expr,expect", KOPS_CASES, ids=[c[0] for c in KOPS_CASES])
def test_keras_ops_table(expr: str, expect) -> None:
    _check(_head("ops"), expr, expect)


def _run(head: str, expr: str):
    ns: dict = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        exec(head, ns)  # noqa: S102 - the oracle runs the snippet; the checker never does
        return eval(expr, ns)  # noqa: S307


@pytest.mark.parametrize("expr,expect", TF_CASES, ids=[c[0] for c in TF_CASES])
def test_tf_table_against_tensorflow(expr: str, expect) -> None:
    tf = pytest.importorskip("tensorflow")
    try:
        y = _run(_head("tf"), expr)
    except Exception:  # noqa: BLE001 - TF raises InvalidArgumentError/ValueError on shape errors
        assert isinstance(expect, str), f"TensorFlow raises on {expr}"
        return
    assert not isinstance(expect, str), f"TensorFlow accepts {expr}: {tuple(y.shape)}"
    assert tuple(tf.convert_to_tensor(y).shape) == tuple(expect)


@pytest.mark.parametrize("expr,expect", KOPS_CASES, ids=[c[0] for c in KOPS_CASES])
def test_keras_ops_against_keras(expr: str, expect) -> None:
    try:
        import keras
    except Exception:  # noqa: BLE001
        pytest.skip("keras not installed")
    if keras.backend.backend() != "torch":
        pytest.skip("keras not on the torch backend")
    try:
        y = _run(_head("ops").replace("import tensorflow as tf\n", ""), expr)
    except Exception:  # noqa: BLE001
        assert isinstance(expect, str), f"keras.ops raises on {expr}"
        return
    assert not isinstance(expect, str), f"keras.ops accepts {expr}: {tuple(y.shape)}"
    assert tuple(y.shape) == tuple(expect)


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


def test_reshape_messages_show_sizes_as_written() -> None:
    # not "(-10 elements)" for a -2 nor a tuple of strings ('-1', '-1', '5')
    head = "from keras import ops\nimport numpy as np\nx = np.zeros(20)\n"
    msgs = [d.message for d in check_source(head + "a = ops.reshape(x, (-2, 5))\nb = ops.reshape(x, (-1, -1, 5))\n")]
    assert msgs == ["reshape of (20,) to (-2, 5): a size must be non-negative or -1 (inferred), got -2",
                    "reshape of (20,) to (-1, -1, 5): only one -1 is allowed"]
