"""Keras layers on inputs the checker cannot see (tests/golden/keras_unknown_inputs.py), against
real Keras (torch backend) on an input of the rank the layers accept."""
from __future__ import annotations

from pathlib import Path

import pytest

from shapecheck.engine import check_source, reveal

SRC = (Path(__file__).parent / "golden" / "keras_unknown_inputs.py").read_text()


def _keras():
    try:
        import keras
    except ImportError:
        return None
    return keras if keras.backend.backend() == "torch" else None


def test_real_keras_agrees() -> None:
    keras = _keras()
    if keras is None:
        pytest.skip("keras (torch backend) not installed")
    import numpy as np

    from keras import layers

    h = np.zeros((2, 5, 7), "float32")  # what the backbone gives: any 3-D input
    seq = layers.LSTM(16, return_sequences=True)(h)
    assert tuple(seq.shape) == (2, 5, 16)
    assert tuple(layers.GRU(8)(seq).shape) == (2, 8)
    img = np.zeros((2, 9, 9, 3), "float32")
    assert tuple(layers.Conv2D(32, 3)(img).shape)[-1] == 32
    with pytest.raises(ValueError, match="ndim=3"):
        layers.LSTM(16)(layers.LSTM(32)(h))
    head = layers.Dense(4)
    head(layers.SimpleRNN(12)(h))
    with pytest.raises(Exception, match="12|6"):
        head(layers.SimpleRNN(6)(h))
    # the checker: same verdicts, same shapes (its batch is Keras's None)
    codes = {(d.line, d.code) for d in check_source(SRC, "keras_unknown_inputs.py")}
    lines = SRC.splitlines()
    assert (lines.index("second = layers.LSTM(16)(first)  # E: SHP302") + 1, "SHP302") in codes
    assert (lines.index("b = head(layers.SimpleRNN(6)(h))  # E: SHP301") + 1, "SHP301") in codes
    shown = dict(reveal(SRC))
    assert shown[lines.index("reveal_shape(last)  # revealed: (None, 8)") + 1] == "(None, 8)"
