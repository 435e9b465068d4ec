"""Keras 3 models and what needs the interpreter: Lambda layers, weights (``get_weights``), merge
layers in source, Sequential/functional/applications models, the loss grids, and a differential
test over generated Sequential and functional models, all checked against real Keras 3 (torch
backend) where it is installed. The per-layer table is test_keras_layers.py.

The real run is the oracle: a generated program that raises at build or ``fit`` must get an error
finding; one that runs must get none, and every layer's output shape and parameter count must
equal ``layer.output.shape`` / ``layer.count_params()``. ``python tests/ops/test_keras_models.py`` prints
the agreement counts.
"""
from __future__ import annotations

import os
import random
import sys
import warnings
from typing import Optional

import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

from shapecheck import dims as D  # noqa: E402
from shapecheck.values import Const  # noqa: E402
from shapecheck.engine import check_source, reveal  # noqa: E402


def _keras():
    try:
        import keras  # noqa: F401
    except Exception:  # noqa: BLE001 - absent or broken: the oracle parts skip
        return None
    if keras.backend.backend() != "torch":
        return None
    return keras


HEAD = "import numpy as np\nimport keras\nfrom keras import layers\n"


def codes(src: str) -> list:
    return [d.code for d in check_source(src)]


# ------------------------------------------------------------------- layers taking a function
# The per-layer table is test_keras_layers.py (OpCase rows). A Lambda layer runs the function it is
# given, which only the interpreter can do: these rows stay source snippets, checked the same way
# (expression, input shape without the batch, expected output without the batch or an SHP code).
CASES = [
    ("layers.Lambda(lambda t: keras.ops.mean(t, axis=1))", (10, 8), (8,)),
    ("layers.Lambda(lambda t: t * 2.0)", (10, 8), (10, 8)),
    ("layers.Lambda(lambda t, k: keras.ops.reshape(t, (-1, k, 4)), arguments={'k': 20})", (10, 8), (20, 4)),
    ("layers.Lambda(lambda t: keras.ops.transpose(t, (0, 2, 1)))", (10, 8), (8, 10)),
    ("layers.Lambda(lambda t: keras.ops.matmul(t, keras.ops.ones((5, 2))))", (10, 8), "SHP101"),
]


def _int_input(expr: str) -> bool:
    return any(n in expr for n in ("Embedding", "CategoryEncoding", "Hashing", "IntegerLookup"))


def _case_source(expr: str, shape: tuple) -> str:
    dtype = ', dtype="int32"' if _int_input(expr) else ""
    return HEAD + f"x = keras.Input(shape={shape!r}{dtype})\ny = {expr}(x)\nreveal_shape(y)\n"


def _fmt(shape: tuple) -> str:
    dims = ["None"] + [str(d) for d in shape]
    return "(" + ", ".join(dims) + ")"


@pytest.mark.parametrize("expr,shape,expect", CASES, ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_layer_table(expr: str, shape: tuple, expect) -> None:
    src = _case_source(expr, shape)
    found = codes(src)
    if isinstance(expect, str):
        assert expect in found, found
        return
    assert found == [], found
    got = reveal(src)
    assert got and got[-1][1] == _fmt(expect), got


@pytest.mark.parametrize("expr,shape,expect", CASES, ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_layer_table_against_keras(expr: str, shape: tuple, expect) -> None:
    """The table itself is checked against real Keras 3: the expectations are not ours alone."""
    keras = _keras()
    if keras is None:
        pytest.skip("keras (torch backend) not installed")
    ns: dict = {}
    exec(HEAD, ns)  # noqa: S102 - the oracle runs the snippet; the checker never does
    dtype = "int32" if _int_input(expr) else "float32"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            x = keras.Input(shape=shape, dtype=dtype)
            y = eval(expr, ns)(x)  # noqa: S307
    except ImportError as e:  # Hashing, IntegerLookup, StringLookup need TensorFlow installed
        pytest.skip(str(e)[:100])
    except Exception:  # noqa: BLE001
        assert isinstance(expect, str), f"Keras raises on {expr} {shape}"
        return
    assert not isinstance(expect, str), f"Keras accepts {expr} {shape}: {tuple(y.shape)}"
    assert tuple(y.shape) == (None,) + tuple(expect)


# -------------------------------------------------------------------------- weights, params
WEIGHTS = [
    ("layers.Dense(8)", (5,), [(5, 8), (8,)]),
    ("layers.Conv2D(8, 3)", (9, 9, 2), [(3, 3, 2, 8), (8,)]),
    ("layers.Conv2DTranspose(8, 3)", (9, 9, 2), [(3, 3, 8, 2), (8,)]),
    ("layers.SeparableConv2D(8, 3)", (9, 9, 2), [(3, 3, 2, 1), (1, 1, 2, 8), (8,)]),
    ("layers.DepthwiseConv2D(3)", (9, 9, 2), [(3, 3, 2, 1), (2,)]),
    ("layers.LSTM(4)", (5, 3), [(3, 16), (4, 16), (16,)]),
    ("layers.GRU(4)", (5, 3), [(3, 12), (4, 12), (2, 12)]),
    ("layers.GRU(4, reset_after=False)", (5, 3), [(3, 12), (4, 12), (12,)]),
    ("layers.SimpleRNN(4)", (5, 3), [(3, 4), (4, 4), (4,)]),
    ("layers.BatchNormalization()", (5, 3), [(3,), (3,), (3,), (3,)]),
    ("layers.Embedding(100, 16)", (10,), [(100, 16)]),
    ("layers.Bidirectional(layers.LSTM(4))", (5, 3), [(3, 16), (4, 16), (16,)] * 2),
    ("layers.MultiHeadAttention(2, 4)", None, [(6, 2, 4), (2, 4), (6, 2, 4), (2, 4), (6, 2, 4), (2, 4), (2, 4, 6), (6,)]),
    ("layers.LayerNormalization()", (5, 3), [(3,), (3,)]),
    ("layers.RMSNormalization()", (5, 3), [(3,)]),
    ("layers.RNN(layers.LSTMCell(4))", (5, 3), [(3, 16), (4, 16), (16,)]),
    ("layers.RNN(layers.GRUCell(4))", (5, 3), [(3, 12), (4, 12), (2, 12)]),
    ("layers.RNN(layers.GRUCell(4, reset_after=False))", (5, 3), [(3, 12), (4, 12), (12,)]),
    ("layers.PReLU()", (5, 3), [(5, 3)]),
    ("layers.ConvLSTM2D(4, 3)", (5, 9, 9, 2), [(3, 3, 2, 16), (3, 3, 4, 16), (16,)]),
    ("layers.EinsumDense('...b,bc->...c', output_shape=(16,), bias_axes='c')", (7, 5), [(5, 16), (16,)]),
    ("layers.EinsumDense('...ab,bcd->...acd', output_shape=(3, 2, 4))", (6, 3, 5), [(5, 2, 4)]),
    ("layers.ConvLSTM1D(4, 2, use_bias=False)", (5, 8, 3), [(2, 3, 16), (2, 4, 16)]),
]


def _weights_source(expr: str, shape: Optional[tuple]) -> str:
    if shape is None:  # attention: query and value
        return HEAD + f"q = keras.Input(shape=(7, 6))\nl = {expr}\ny = l(q, q)\nw = l.get_weights()\nreveal_shape(w)\n"
    dtype = ', dtype="int32"' if "Embedding" in expr else ""
    return HEAD + f"x = keras.Input(shape={shape!r}{dtype})\nl = {expr}\ny = l(x)\nw = l.get_weights()\nreveal_shape(w)\n"


@pytest.mark.parametrize("expr,shape,expect", WEIGHTS, ids=[w[0] for w in WEIGHTS])
def test_weights(expr: str, shape, expect) -> None:
    got = reveal(_weights_source(expr, shape))
    want = "[" + ", ".join(str(s) if len(s) != 1 else f"({s[0]},)" for s in expect) + "]"
    assert got and got[-1][1] == want


@pytest.mark.parametrize("expr,shape,expect", WEIGHTS, ids=[w[0] for w in WEIGHTS])
def test_weights_against_keras(expr: str, shape, expect) -> None:
    keras = _keras()
    if keras is None:
        pytest.skip("keras (torch backend) not installed")
    ns: dict = {}
    exec(HEAD, ns)  # noqa: S102
    layer = eval(expr, ns)  # noqa: S307
    import numpy as np
    if shape is None:
        q = np.zeros((2, 7, 6), "float32")
        layer(q, q)
    else:
        layer(np.zeros((2,) + shape, "int32" if "Embedding" in expr else "float32"))
    assert [tuple(w.shape) for w in layer.get_weights()] == [tuple(s) for s in expect]


def test_set_weights_layout_and_count() -> None:
    src = HEAD + ("l = layers.Dense(4800)\nl.build((None, 2000))\n"
                  "l.set_weights([np.zeros((4800, 2000)), np.zeros(4800)])\n")
    assert codes(src) == ["SHP601"]
    src = HEAD + "l = layers.Dense(4)\nl.build((None, 3))\nl.set_weights([np.zeros((3, 4))])\n"
    assert codes(src) == ["SHP602"]
    src = HEAD + "l = layers.Dense(4)\nl.build((None, 3))\nl.set_weights([np.zeros((3, 4)), np.zeros(4)])\n"
    assert codes(src) == []
    src = HEAD + "l = layers.Dense(4)\nl.set_weights([np.zeros((3, 4))])\n"  # not built: unknown
    assert codes(src) == []


def test_layer_reused_with_another_size() -> None:
    src = HEAD + ("d = layers.Dense(4)\na = d(keras.Input(shape=(3,)))\n"
                  "b = d(keras.Input(shape=(5,)))\n")
    assert codes(src) == ["SHP301"]


def test_sequential_points_at_the_layer() -> None:
    src = HEAD + ("model = keras.Sequential([\n    keras.Input(shape=(300,)),\n    layers.LSTM(64),\n"
                  "    layers.Dense(2),\n])\n")
    diags = check_source(src)
    assert [(d.code, d.line) for d in diags] == [("SHP302", 6)]


def test_sequential_add_and_keras2_input_shape() -> None:
    src = HEAD + ("m = keras.Sequential()\nm.add(layers.Dense(8, input_shape=(4,)))\nm.add(layers.LSTM(3))\n")
    assert codes(src) == ["SHP302"]
    src = HEAD + ("m = keras.Sequential()\nm.add(layers.Dense(8, input_dim=4))\nm.add(layers.Dense(3))\n"
                  "reveal_shape(m.output)\nm.compile(loss='mse')\nm.fit(np.zeros((10, 5)), np.zeros((10, 3)))\n")
    assert codes(src) == ["SHP701"]
    assert reveal(src)[-1][1] == "(None, 3)"


def test_functional_model_and_layers() -> None:
    src = HEAD + ("a = keras.Input(shape=(6,))\nb = keras.Input(shape=(4,))\n"
                  "h = layers.concatenate([layers.Dense(8, name='da')(a), layers.Dense(8)(b)])\n"
                  "out = layers.Dense(1, name='head')(h)\nm = keras.Model([a, b], out)\n"
                  "reveal_shape(m.get_layer('head').kernel)\nreveal_shape(m.output)\n"
                  "m.compile(loss='binary_crossentropy')\n"
                  "m.fit([np.zeros((5, 6)), np.zeros((5, 4))], np.zeros((5, 1)))\n"
                  "m.fit([np.zeros((5, 6)), np.zeros((5, 5))], np.zeros((5, 1)))\n"
                  "m.fit([np.zeros((5, 6)), np.zeros((5, 4))], np.zeros((5, 2)))\n")
    diags = check_source(src)
    assert [(d.code, d.line) for d in diags] == [("SHP701", 13), ("SHP702", 14)]
    assert [t for _, t in reveal(src)] == ["(16, 1)", "(None, 1)"]


def test_model_called_as_layer_and_applications() -> None:
    src = HEAD + ("inner = keras.Sequential([keras.Input(shape=(8,)), layers.Dense(3)])\n"
                  "x = keras.Input(shape=(8,))\ny = inner(x)\nreveal_shape(y)\n"
                  "z = inner(keras.Input(shape=(9,)))\n"
                  "base = keras.applications.ResNet50(include_top=False, pooling='avg', input_shape=(96, 96, 3))\n"
                  "f = base(keras.Input(shape=(96, 96, 3)))\nreveal_shape(f)\n"
                  "v = keras.applications.VGG16()\nreveal_shape(v.output)\n"
                  "v.predict(np.zeros((2, 224, 224, 1)))\n")
    diags = check_source(src)
    assert [d.code for d in diags] == ["SHP301", "SHP701"]
    assert [t for _, t in reveal(src)] == ["(None, 3)", "(None, 2048)", "(None, 1000)"]


def test_tf_keras_spellings() -> None:
    src = ("import tensorflow as tf\nfrom tensorflow.keras.layers import Dense, LSTM\n"
           "from tensorflow.keras.models import Sequential\n"
           "m = Sequential([tf.keras.Input(shape=(5,)), LSTM(3)])\n")
    assert codes(src) == ["SHP302"]
    src = ("from keras.src.layers.core.dense import Dense\nimport keras\n"
           "y = Dense(3)(keras.Input(shape=(5,)))\nreveal_shape(y)\n")
    assert reveal(src)[-1][1] == "(None, 3)"


def test_merge_layers() -> None:
    assert codes(HEAD + "a = keras.Input(shape=(6, 3))\nb = keras.Input(shape=(3, 5))\n"
                        "m = layers.Concatenate(axis=-1)([a, b])\n") == ["SHP201"]
    assert codes(HEAD + "a = keras.Input(shape=(6, 3))\nb = keras.Input(shape=(6, 5))\n"
                        "m = layers.Concatenate(axis=1)([a, b])\n") == ["SHP202"]
    assert codes(HEAD + "a = keras.Input(shape=(6, 3))\nb = keras.Input(shape=(6,))\n"
                        "m = layers.concatenate([a, b])\n") == ["SHP203"]
    assert codes(HEAD + "a = keras.Input(shape=(6, 3))\nb = keras.Input(shape=(6, 4))\n"
                        "m = layers.Add()([a, b])\n") == ["SHP501"]
    src = HEAD + "a = keras.Input(shape=(6, 3))\nb = keras.Input(shape=(1, 3))\nm = layers.Multiply()([a, b])\n" \
                 "reveal_shape(m)\nd = layers.Dot(axes=(2, 2))([a, a])\nreveal_shape(d)\n"
    assert codes(src) == []
    assert [t for _, t in reveal(src)] == ["(None, 6, 3)", "(None, 6, 6)"]


# ---------------------------------------------------------------------------------- losses
LOSSES = ["sparse_categorical_crossentropy", "categorical_crossentropy", "binary_crossentropy", "mse", "mae", "hinge",
          "kl_divergence", "categorical_hinge", "huber", "cosine_similarity", "binary_focal_crossentropy",
          "categorical_focal_crossentropy"]
OUTS = [(4,), (1,), (5, 4), (5, 1), (3, 3, 1), (3, 3, 2)]
YS = [(), (1,), (4,), (2,), (5,), (5, 4), (5, 1), (3,), (3, 3), (3, 3, 1), (3, 3, 2), (4, 1), (1, 4), (5, 4, 1)]
N = 8


def _target_static(loss: str, out: tuple, y: tuple) -> bool:
    """True where shapecheck reports SHP702 for targets ``y`` on an output ``out``."""
    src = HEAD + (f"m = keras.Sequential([keras.Input(shape={out!r}), layers.Activation('sigmoid')])\n"
                  f"m.compile(optimizer='sgd', loss={loss!r})\n"
                  f"m.train_on_batch(np.zeros({(N,) + out!r}), np.zeros({(N,) + y!r}))\n")
    return "SHP702" in codes(src)


def test_target_rules_against_keras() -> None:
    """SHP702 against real Keras 3 for every loss x output x target shape of the grid."""
    keras = _keras()
    if keras is None:
        pytest.skip("keras (torch backend) not installed")
    import numpy as np
    disagree = []
    total = 0
    for out in OUTS:
        m = keras.Sequential([keras.Input(shape=out), keras.layers.Activation("sigmoid")])
        x = np.random.rand(N, *out).astype("float32")
        for loss in LOSSES:
            m.compile(optimizer="sgd", loss=loss)
            for y in YS:
                total += 1
                try:
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        m.train_on_batch(x, np.zeros((N,) + y, "int32"))
                    real = False
                except Exception:  # noqa: BLE001
                    real = True
                if real != _target_static(loss, out, y):
                    disagree.append((loss, out, y, real))
    assert not disagree, f"{len(disagree)}/{total} disagree: {disagree[:10]}"


def test_silent_loss_broadcast_against_keras() -> None:
    """SHP503 exactly where Keras accepts the targets but, after its own rank adjustment
    (``squeeze_or_expand_to_same_rank``), targets and predictions still differ in shape."""
    keras = _keras()
    if keras is None:
        pytest.skip("keras (torch backend) not installed")
    import numpy as np
    from keras.src.losses.loss import squeeze_or_expand_to_same_rank

    from shapecheck.ops.keras.losses import BROADCAST, loss_name

    disagree, wanted, accepted = [], 0, 0
    for out in OUTS:
        m = keras.Sequential([keras.Input(shape=out), keras.layers.Activation("sigmoid")])
        x = np.random.rand(N, *out).astype("float32")
        for loss in [name for name in LOSSES if loss_name(Const(name)) in BROADCAST]:
            m.compile(optimizer="sgd", loss=loss)
            for y in YS:
                try:
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        m.train_on_batch(x, np.zeros((N,) + y, "int32"))
                except Exception:  # noqa: BLE001 - SHP702's business (test_target_rules_against_keras)
                    continue
                t, p = squeeze_or_expand_to_same_rank(np.zeros((N,) + y), np.zeros((N,) + out))
                want = tuple(t.shape) != tuple(p.shape)
                wanted, accepted = wanted + want, accepted + 1
                src = HEAD + (f"m = keras.Sequential([keras.Input(shape={out!r}), layers.Activation('sigmoid')])\n"
                              f"m.compile(optimizer='sgd', loss={loss!r})\n"
                              f"m.train_on_batch(np.zeros({(N,) + out!r}), np.zeros({(N,) + y!r}))\n")
                if ("SHP503" in codes(src)) != want:
                    disagree.append((loss, out, y, want))
    assert not disagree, disagree[:10]
    assert accepted > 200 and wanted > 50, (accepted, wanted)  # the grid exercises both answers


def test_fit_inputs_rank_adjustment() -> None:
    """Keras 3 squeezes/expands a trailing 1 of the data (older Keras 2 raises there: a warning,
    tests/test_keras_versions.py); other rank differences raise."""
    base = HEAD + "m = keras.Sequential([keras.Input(shape=(30, 1)), layers.Conv1D(4, 3), layers.GlobalMaxPooling1D()])\n"
    for short_or_long in ("(8, 30)", "(8, 30, 1, 1)"):
        found = check_source(base + f"m.predict(np.zeros({short_or_long}))\n")
        assert [(d.code, d.severity) for d in found] == [("SHP701", "warning")]
    assert codes(base + "m.predict(np.zeros((8, 31, 1)))\n") == []  # sequence length is free
    assert codes(base + "m.predict(np.zeros((8, 30, 2)))\n") == ["SHP701"]
    assert codes(base + "m.predict(np.zeros((8,)))\n") == ["SHP701"]


# ---------------------------------------------------------------------------------- differential
def _rand_layer(rng: random.Random, rank: int) -> tuple:
    """(expression, rank after) for a random layer that usually fits a ``rank``-D input."""
    if rng.random() < 0.12:
        rank = rng.choice([2, 3, 4])  # a deliberate misfit now and then
    u = rng.choice([1, 2, 3, 4, 8])
    k = rng.choice([1, 2, 3, 5])
    pad = rng.choice(["valid", "same"])
    common = [(f"layers.Dense({u})", rank), ("layers.Dropout(0.1)", rank), ("layers.Activation('relu')", rank),
              ("layers.BatchNormalization()", rank), ("layers.LayerNormalization()", rank)]
    if rank == 2:
        pool = common + [(f"layers.RepeatVector({rng.choice([2, 3])})", 3),
                         (f"layers.Reshape(({rng.choice([2, 3, 4])}, -1))", 3),
                         (f"layers.Reshape(({rng.choice([2, 4])}, {rng.choice([2, 3, 4])}))", 3)]
    elif rank == 3:
        rs = rng.choice([True, False])
        pool = common + [(f"layers.LSTM({u}, return_sequences={rs})", 3 if rs else 2),
                         (f"layers.GRU({u}, return_sequences={rs})", 3 if rs else 2),
                         (f"layers.SimpleRNN({u}, return_sequences={rs})", 3 if rs else 2),
                         (f"layers.Conv1D({u}, {k}, padding='{pad}', strides={rng.choice([1, 2])})", 3),
                         (f"layers.MaxPooling1D({rng.choice([2, 3])})", 3), ("layers.GlobalAveragePooling1D()", 2),
                         ("layers.GlobalMaxPooling1D()", 2), ("layers.Flatten()", 2),
                         (f"layers.Bidirectional(layers.LSTM({u}, return_sequences={rs}))", 3 if rs else 2),
                         (f"layers.TimeDistributed(layers.Dense({u}))", 3), ("layers.ZeroPadding1D(1)", 3),
                         ("layers.Cropping1D(1)", 3), ("layers.UpSampling1D(2)", 3), ("layers.Permute((2, 1))", 3),
                         (f"layers.Conv1DTranspose({u}, {k}, strides={rng.choice([1, 2])})", 3),
                         (f"layers.SeparableConv1D({u}, {k})", 3), (f"layers.DepthwiseConv1D({k})", 3),
                         ("layers.SpatialDropout1D(0.1)", 3), (f"layers.GroupNormalization({rng.choice([1, 2, 4])})", 3)]
    else:
        pool = common + [(f"layers.Conv2D({u}, {k}, padding='{pad}', strides={rng.choice([1, 2])})", 4),
                         (f"layers.MaxPooling2D({rng.choice([2, 3])})", 4), ("layers.AveragePooling2D(2)", 4),
                         ("layers.GlobalAveragePooling2D()", 2), ("layers.GlobalMaxPooling2D()", 2),
                         ("layers.Flatten()", 2), ("layers.ZeroPadding2D(1)", 4), ("layers.Cropping2D(1)", 4),
                         ("layers.UpSampling2D()", 4), (f"layers.Conv2DTranspose({u}, {k}, strides=2)", 4),
                         (f"layers.SeparableConv2D({u}, {k})", 4), (f"layers.DepthwiseConv2D({k})", 4),
                         ("layers.SpatialDropout2D(0.1)", 4), (f"layers.Reshape((-1, {rng.choice([2, 3, 4])}))", 3),
                         ("layers.Permute((2, 1, 3))", 4), (f"layers.GroupNormalization({rng.choice([1, 2, 3])})", 4)]
    return rng.choice(pool)


def _input_shape(rng: random.Random) -> tuple:
    rank = rng.choice([2, 3, 3, 4, 4])
    if rank == 2:
        return (rng.choice([3, 4, 6, 8]),)
    if rank == 3:
        return (rng.choice([4, 6, 9]), rng.choice([1, 2, 3, 4]))
    return (rng.choice([5, 8, 12]), rng.choice([5, 8, 12]), rng.choice([1, 2, 3]))


def _perturb(rng: random.Random, shape: tuple) -> tuple:
    r = rng.random()
    if r < 0.6:
        return shape
    if r < 0.75:
        return shape[:-1] + (shape[-1] + 1,)
    if r < 0.85 and len(shape) > 1:
        return shape[:-1] if shape[-1] == 1 else shape + (1,)
    if r < 0.92:
        return shape + (1,)
    return shape[:-1] + (shape[-1] + 1,) if len(shape) == 1 else (shape[0] + 1,) + shape[1:]


def generate(n: int = 240, seed: int = 20240607) -> list:
    """Programs as (id, source, fits): Sequential (list, .add, Keras 2 input_shape=) and functional."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        shape = _input_shape(rng)
        rank = len(shape) + 1
        lines = [HEAD.rstrip("\n")]
        style = rng.choice(["list", "list", "add", "functional", "functional2"])
        exprs = []
        for _ in range(rng.randint(1, 4)):
            e, rank = _rand_layer(rng, rank)
            exprs.append(e)
        head = rng.choice([1, 3, 4])
        exprs.append(f"layers.Dense({head}, name='head')")
        if style == "list":
            body = ",\n    ".join([f"keras.Input(shape={shape!r})"] + exprs)
            lines.append(f"model = keras.Sequential([\n    {body},\n])")
        elif style == "add":
            lines.append("model = keras.Sequential()")
            first = exprs[0]
            # Keras 2's input_shape= on the first layer, where the layer takes **kwargs
            if first.startswith(("layers.Dense(", "layers.Conv", "layers.LSTM(", "layers.GRU(", "layers.SimpleRNN(")):
                lines.append(f"model.add({first[:-1]}, input_shape={shape!r}))")
            else:
                lines.append(f"model.add(keras.Input(shape={shape!r}))")
                lines.append(f"model.add({first})")
            for e in exprs[1:]:
                lines.append(f"model.add({e})")
        elif style == "functional":
            lines.append(f"inp = keras.Input(shape={shape!r})")
            lines.append("x = inp")
            for e in exprs:
                lines.append(f"x = {e}(x)")
            lines.append("model = keras.Model(inp, x)")
        else:
            shape2 = shape if rng.random() < 0.6 else _perturb(rng, shape)
            lines.append(f"a = keras.Input(shape={shape!r})")
            lines.append(f"b = keras.Input(shape={shape2!r})")
            e1, _ = _rand_layer(rng, len(shape) + 1)
            merge = rng.choice(["layers.Concatenate()", "layers.Concatenate(axis=1)", "layers.Add()",
                                "layers.Multiply()", "layers.Average()"])
            lines.append(f"x = {e1}(a)")
            lines.append(f"y = {e1}(b)" if rng.random() < 0.5 else "y = b")
            lines.append(f"x = {merge}([x, y])")
            lines.append("x = layers.Flatten()(x)")
            lines.append(f"x = layers.Dense({head}, name='head')(x)")
            lines.append("model = keras.Model([a, b], x)")
        if rng.random() < 0.7:
            loss = rng.choice(["mse", "categorical_crossentropy", "sparse_categorical_crossentropy",
                               "binary_crossentropy", "mae"])
            lines.append(f"model.compile(optimizer='sgd', loss={loss!r})")
            xs = _perturb(rng, shape)
            n_ = 6
            xdata = f"np.zeros({(n_,) + xs!r}, dtype='float32')"
            if style == "functional2":
                xdata = f"[{xdata}, np.zeros({(n_,) + shape2!r}, dtype='float32')]"
            ylast = head
            ychoice = rng.random()
            if loss == "sparse_categorical_crossentropy":
                ys = (n_,) if ychoice < 0.5 else (n_, 1) if ychoice < 0.8 else (n_, ylast)
            else:
                ys = (n_, ylast) if ychoice < 0.6 else (n_, ylast + 1) if ychoice < 0.8 else (n_,)
            lines.append(f"model.fit({xdata}, np.zeros({ys!r}, dtype='int32'), epochs=1, verbose=0, batch_size={n_})")
        out.append((f"m{i:03d}-{style}", "\n".join(lines) + "\n"))
    return out


PROGRAMS = generate()


def run_real(src: str) -> tuple:
    """(raised, {layer name or index: (output shape, params)}) from building and fitting for real."""
    keras = _keras()
    ns: dict = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        keras.utils.set_random_seed(0)
        try:
            exec(src, ns)  # noqa: S102 - the oracle; the checker never executes code
        except Exception as e:  # noqa: BLE001
            return True, {}, f"{type(e).__name__}: {str(e)[:200]}"
    model = ns.get("model")
    layers = {}
    for i, l in enumerate(model.layers):
        if type(l).__name__ == "InputLayer":
            continue
        try:
            shape = tuple(l.output.shape)
        except Exception:  # noqa: BLE001
            shape = None
        layers[i] = (shape, l.count_params())
    return False, layers, ""


def run_static(src: str) -> tuple:
    import libcst as cst

    from shapecheck.analysis.driver import analyse
    from shapecheck.ops.keras.base import KerasLayer, params_of
    from shapecheck.ops.registry import lookup_layer
    from shapecheck.values import Layer, Tensor

    diags = check_source(src)
    errors = [d for d in diags if d.severity == "error"]
    model = analyse(cst.parse_module(src), src).globals.get("model")
    layers: dict = {}
    rule = lookup_layer(model.kind) if isinstance(model, Layer) else None
    subs = rule.sublayers(model) if rule is not None else None
    for i, sub in enumerate(subs or []):
        if sub.kind.endswith("InputLayer"):
            continue
        r = lookup_layer(sub.kind)
        t = sub.config.get("_output_tensor")
        shape = None
        if isinstance(t, Tensor) and not t.shape.variadic:
            shape = tuple(None if D.is_opaque(d) else (d if isinstance(d, int) else str(d)) for d in t.shape.dims)
        p = params_of(r, sub) if isinstance(r, KerasLayer) else None
        layers[i] = (shape, None if p is None else p[0] + p[1])
    return errors, layers


def compare(pid: str, src: str) -> Optional[str]:
    """None where shapecheck agrees with real Keras, else what differs."""
    raised, real_layers, why = run_real(src)
    errors, static_layers = run_static(src)
    if raised and not errors:
        return f"missed: Keras raises {why}"
    if not raised and errors:
        return f"false positive: {[(e.code, e.line, e.message) for e in errors]}"
    if raised:
        return None
    for i, (shape, params) in real_layers.items():
        got = static_layers.get(i)
        if got is None:
            return f"layer {i} not found statically"
        if got[0] != shape:
            return f"layer {i}: output {got[0]} != Keras {shape}"
        if got[1] != params:
            return f"layer {i}: params {got[1]} != Keras {params}"
    return None


# Programs where shapecheck is known to disagree with Keras, and why (xfail strict).
KNOWN_GAPS: dict = {}


@pytest.mark.parametrize("pid,src", PROGRAMS, ids=[p[0] for p in PROGRAMS])
def test_differential(pid: str, src: str) -> None:
    if _keras() is None:
        pytest.skip("keras (torch backend) not installed")
    if pid in KNOWN_GAPS:
        pytest.xfail(KNOWN_GAPS[pid])
    why = compare(pid, src)
    assert why is None, f"{pid}: {why}\n{src}"


def main() -> None:  # pragma: no cover - a report for humans
    agree = 0
    raised = 0
    fails = []
    for pid, src in PROGRAMS:
        why = compare(pid, src)
        r, _, _ = run_real(src)
        raised += r
        if why is None:
            agree += 1
        else:
            fails.append((pid, why))
    print(f"agreement: {agree}/{len(PROGRAMS)} programs ({raised} raise for real)")
    for pid, why in fails:
        print(f"  {pid}: {why}")


if __name__ == "__main__":  # pragma: no cover
    main()


def test_attention_axes_keep_output_and_weights() -> None:
    """MultiHeadAttention(attention_axes=...) attends over other axes: the output and the weights
    are those of the plain layer (checked against Keras where it is installed)."""
    src = HEAD + ("x = keras.Input((5, 6, 8))\nl = layers.MultiHeadAttention(2, 4, attention_axes=(1, 2))\n"
                  "y = l(x, x)\nreveal_shape(y)\nw = l.get_weights()\nreveal_shape(w)\n")
    got = [t for _, t in reveal(src)]
    want = ["(None, 5, 6, 8)", "[(8, 2, 4), (2, 4), (8, 2, 4), (2, 4), (8, 2, 4), (2, 4), (2, 4, 8), (8,)]"]
    assert got == want
    keras = _keras()
    if keras is None:
        return
    x = keras.Input((5, 6, 8))
    layer = keras.layers.MultiHeadAttention(2, 4, attention_axes=(1, 2))
    y = layer(x, x)
    real = [str(tuple(y.shape)), "[" + ", ".join(str(tuple(w.shape)) for w in layer.get_weights()) + "]"]
    assert real == want


MULTI_OUTPUT = HEAD + """
inp = keras.Input((8,))
h = layers.Dense(16, activation="relu")(inp)
a = layers.Dense(1, name="reg")(h)
b = layers.Dense(3, activation="softmax", name="cls")(h)
model = keras.Model(inp, [a, b])
model.compile(optimizer="adam", loss={loss})
x = np.zeros((32, 8), "float32")
model.fit(x, [np.zeros({y1}, "float32"), np.zeros({y2}, "float32")], epochs=1, verbose=0)
"""
MULTI_CASES = [
    ('["mse", "categorical_crossentropy"]', (32, 1), (32, 3), None),
    ('["mse", "categorical_crossentropy"]', (32, 1), (32, 5), "SHP702"),
    ('["mse", "sparse_categorical_crossentropy"]', (32,), (32, 1), None),
    ('["mse", "sparse_categorical_crossentropy"]', (32,), (32, 3), "SHP702"),
    ('"mse"', (32, 1), (32, 3), None),
    ('"categorical_crossentropy"', (32, 1), (32, 4), "SHP702"),
    ('["mse", "mse"]', (16, 1), (32, 3), "SHP702"),
    ('{"reg": "mse", "cls": "categorical_crossentropy"}', (32, 1), (32, 3), None),
    ('{"reg": "mse", "cls": "categorical_crossentropy"}', (32, 1), (32, 4), "SHP702"),
    ('{"cls": "sparse_categorical_crossentropy", "reg": "mse"}', (32, 1), (32, 3), "SHP702"),
    ('{"cls": "sparse_categorical_crossentropy", "reg": "mse"}', (32, 1), (32,), None),
]


@pytest.mark.parametrize("as_dict", [False, True], ids=["y-list", "y-dict"])
@pytest.mark.parametrize("loss,y1,y2,expect", MULTI_CASES)
def test_multi_output_targets(loss: str, y1: tuple, y2: tuple, expect, as_dict: bool) -> None:
    """Targets given as a list (or a dict by output name), one per output, each under its own loss
    (a list or a dict by output name, or the one loss for all); the real fit is the oracle where
    Keras is installed."""
    src = MULTI_OUTPUT.format(loss=loss, y1=y1, y2=y2)
    if as_dict:
        src = src.replace('[np.zeros(', '{"reg": np.zeros(').replace('"float32"), np.zeros(', '"float32"), "cls": np.zeros(')
        src = src.replace('"float32")], epochs', '"float32")}, epochs')
    found = codes(src)
    assert found == ([expect] if expect else []), found
    keras = _keras()
    if keras is None:
        return
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            exec(src, {})  # noqa: S102 - the oracle runs the program; the checker never does
    except Exception:  # noqa: BLE001
        assert expect, f"Keras raises on {loss} {y1} {y2}"
        return
    assert not expect, f"Keras accepts {loss} {y1} {y2}"
