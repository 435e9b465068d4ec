"""shape_math.features: one SHP301/SHP303 wording, and the same mistake reads the same in torch
and Keras (through the whole engine)."""
from __future__ import annotations

import textwrap

import pytest

from shapecheck import dims as D
from shapecheck.engine import check_source
from shapecheck.findings import ShapeError
from shapecheck.shape_math.features import require_feature, require_feature_dropout_rank
from shapecheck.shapes import Shape

N = D.rigid("hnodes")


@pytest.mark.parametrize("got, axis, want, kwargs, kind, message", [
    (Shape.of(4, 5), -1, 8, {}, "layer-input-mismatch",
     "nn.Linear(8, 16) expects in_features=8 at axis -1 but gets 5 (input (4, 5))"),
    (Shape.of(4, 5), -1, 8, {"built": True, "fix_param": False}, "layer-input-mismatch",
     "nn.Linear(8, 16) expects in_features=8 (fixed when the layer was built) at axis -1 but gets 5 (input (4, 5))"),
    (Shape.of(4, 5), -1, 8, {"kind": "matmul-mismatch"}, "matmul-mismatch",
     "nn.Linear(8, 16) expects in_features=8 at axis -1 but gets 5 (input (4, 5))"),
    (Shape.of(4, 5), -1, N, {}, "layer-input-mismatch",
     "nn.Linear(8, 16) expects in_features=hnodes at axis -1 but gets 5 (input (4, 5)); holds only if 5 == hnodes"),
])
def test_require_feature_messages(got, axis, want, kwargs, kind, message):
    with pytest.raises(ShapeError) as e:
        require_feature(got, axis, want, "in_features", "nn.Linear(8, 16)", **kwargs)
    assert e.value.kind == kind
    assert e.value.message == message


def test_require_feature_is_silent_unless_false():
    assert require_feature(Shape.of(4, 8), -1, 8, "in_features", "L") == 8
    flex = D.flexible("n")
    assert require_feature(Shape.of(4, flex), -1, 8, "in_features", "L") == flex  # unknown: silent
    assert require_feature(Shape.unknown(), -1, 8, "in_features", "L") is None


def test_flatten_provenance_is_shp303_with_its_derivation():
    got = Shape((8, 9216), False, (None, "64*12*12"))
    with pytest.raises(ShapeError) as e:
        require_feature(got, -1, 12544, "in_features", "nn.Linear(12544, 128)")
    assert e.value.kind == "flatten-size"
    assert e.value.message == ("nn.Linear(12544, 128) expects in_features=12544 but the flattened input has "
                               "64*12*12 = 9216 features (input (8, 9216)); use in_features=9216")


@pytest.mark.parametrize("rank, min_rank, bad", [(1, 2, True), (2, 2, False), (0, 1, True), (1, 1, False)])
def test_feature_dropout_rank(rank, min_rank, bad):
    s = Shape.of(*([3] * rank))
    if bad:
        with pytest.raises(ShapeError) as e:
            require_feature_dropout_rank("nn.Dropout2d", s, min_rank)
        assert e.value.kind == "invalid-shape-argument"
    else:
        require_feature_dropout_rank("nn.Dropout2d", s, min_rank)


def _findings(src: str) -> list:
    return [(d.line, d.code, d.message) for d in check_source(textwrap.dedent(src), "t.py")]


def test_the_same_mistake_reads_the_same_in_torch_and_keras():
    """A layer built for 8 features gets 5: one code, one wording (Keras adds where the 8 came from)."""
    torch_f = _findings("""\
        import torch
        import torch.nn as nn
        lin = nn.Linear(8, 16)
        y = lin(torch.zeros(4, 5))
        """)
    keras_f = _findings("""\
        import keras
        d = keras.layers.Dense(16)
        y = d(keras.ops.zeros((4, 8)))
        y = d(keras.ops.zeros((4, 5)))
        """)
    assert [c for _, c, _ in torch_f] == [c for _, c, _ in keras_f] == ["SHP301"]
    assert torch_f[0][2] == "nn.Linear(8, 16) expects in_features=8 at axis -1 but gets 5 (input (4, 5))"
    assert keras_f[0][2] == ("Dense(16) expects input_dim=8 (fixed when the layer was built) at axis -1 but gets 5 "
                             "(input (4, 5))")


def test_flatten_mismatch_reads_the_same_in_torch_and_keras():
    torch_f = _findings("""\
        import torch
        import torch.nn as nn
        x = torch.zeros(8, 64, 12, 12)
        y = nn.Linear(12544, 128)(torch.flatten(x, 1))
        """)
    keras_f = _findings("""\
        import keras
        d = keras.layers.Dense(16)
        y = d(keras.ops.zeros((8, 12544)))
        z = d(keras.layers.Flatten()(keras.ops.zeros((8, 12, 12, 64))))
        """)
    assert [c for _, c, _ in torch_f] == [c for _, c, _ in keras_f] == ["SHP303"]
    assert "expects in_features=12544 but the flattened input has 64*12*12 = 9216 features" in torch_f[0][2]
    assert "expects input_dim=12544 (fixed when the layer was built) but the flattened input has 12*12*64 = 9216" \
        in keras_f[0][2]


def test_tf_conv_channels_use_the_same_wording():
    got = _findings("""\
        import tensorflow as tf
        y = tf.nn.conv2d(tf.zeros((1, 8, 8, 3)), tf.zeros((3, 3, 4, 8)), strides=1, padding="VALID")
        """)
    assert got == [(2, "SHP301", "tf.nn.conv2d with filter (3, 3, 4, 8) (*kernel, in, out) expects in_channels=4 "
                                 "at axis 3 but gets 3 (input (1, 8, 8, 3))")]
