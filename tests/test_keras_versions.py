"""The ``keras-version`` setting: where Keras 2 and Keras 3 differ on the data a model accepts.

Keras 3 (and recent tf.keras) adds a trailing axis of 1 to data one axis short of a model input
that ends in 1 (``Functional._adjust_input_rank``); Keras 2.3 and the tf.keras of TF 1.x raised
"expected conv1d_input to have 3 dimensions". By default such data is an SHP701 *warning* that
says so; ``keras-version = 2`` makes it an error, ``3`` drops it. What fails in Keras 3 is an error
whatever the setting. Keras 3 itself (torch backend) is the oracle for the Keras 3 side.
"""
from __future__ import annotations

import json
from typing import Optional

import pytest

from shapecheck import cli
from shapecheck.engine import Options, check_source

HEAD = "import numpy as np\nfrom tensorflow.keras import layers, models\n\n"

# id, the model's layers (input shape first), x shape, whether Keras 3 accepts it, Keras-2-only finding
CASES = [
    ("conv1d-short", "layers.Conv1D(2, 3, input_shape=(6, 1)), layers.Flatten(), layers.Dense(1)",
     (10, 6), True, True),
    ("conv2d-short", "layers.Conv2D(2, 3, padding='same', input_shape=(4, 5, 1)), layers.Flatten(), layers.Dense(1)",
     (10, 4, 5), True, True),
    ("lstm-short", "layers.LSTM(3, input_shape=(7, 1)), layers.Dense(1)", (10, 7), True, True),
    ("lstm-exact", "layers.LSTM(3, input_shape=(7, 1)), layers.Dense(1)", (10, 7, 1), True, False),
    ("short-not-one", "layers.LSTM(3, input_shape=(7, 2)), layers.Dense(1)", (10, 7), False, False),
]


def _source(model: str, x: tuple) -> str:
    return (HEAD + f"model = models.Sequential([{model}])\n"
            + "model.compile(optimizer='sgd', loss='mse')\n"
            + f"model.fit(np.zeros({x!r}), np.zeros(({x[0]}, 1)), epochs=1, verbose=0)\n")


def _found(src: str, version: Optional[int]) -> list:
    return [(d.code, d.severity) for d in check_source(src, "train.py", Options(keras_version=version))]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_severity_follows_the_setting(case: tuple) -> None:
    _, model, x, keras3_accepts, keras2_only = case
    src = _source(model, x)
    if keras2_only:
        assert _found(src, None) == [("SHP701", "warning")]
        assert _found(src, 2) == [("SHP701", "error")]
        assert _found(src, 3) == []
        msg = check_source(src, "train.py")[0].message
        assert "Keras 3 adds the trailing axis of 1" in msg and "older Keras 2" in msg
    elif keras3_accepts:
        assert _found(src, None) == _found(src, 2) == _found(src, 3) == []
    else:  # fails in both: an error whatever the setting
        assert _found(src, None) == _found(src, 2) == _found(src, 3) == [("SHP701", "error")]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_keras3_is_the_oracle(case: tuple) -> None:
    try:
        import keras
    except ImportError:
        pytest.skip("keras not installed")
    if keras.backend.backend() != "torch":
        pytest.skip("keras runs on another backend")
    _, model, x, keras3_accepts, _ = case
    src = _source(model, x).replace("from tensorflow.keras import", "from keras import")
    raised: Optional[BaseException] = None
    try:
        exec(compile(src, "<case>", "exec"), {"__name__": "keras_versions_case"})  # the oracle runs Keras 3
    except Exception as e:  # noqa: BLE001 - any error Keras raises on the data counts
        raised = e
    assert (raised is None) == keras3_accepts, repr(raised)
    errors = [c for c, sev in _found(_source(model, x), 3) if sev == "error"]
    assert bool(errors) == (raised is not None)


@pytest.fixture
def short_data(tmp_path, monkeypatch):
    (tmp_path / "train.py").write_text(_source(CASES[0][1], CASES[0][2]))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _cli(capsys, *argv: str) -> tuple:
    code = cli.run(["check", "--output-format", "json", *argv])
    out, err = capsys.readouterr()
    return code, [d["severity"] for d in json.loads(out)] if code != 2 else err


def test_cli_flag_and_config(short_data, capsys):
    assert _cli(capsys, "train.py") == (1, ["warning"])  # a warning fails the run, as in ruff
    assert _cli(capsys, "--keras-version", "2", "train.py") == (1, ["error"])
    assert _cli(capsys, "--keras-version", "3", "train.py") == (0, [])
    (short_data / "pyproject.toml").write_text("[tool.shapecheck]\nkeras-version = 3\n")
    assert _cli(capsys, "train.py") == (0, [])
    assert _cli(capsys, "--keras-version", "2", "train.py") == (1, ["error"])  # the flag replaces the config's
    (short_data / "pyproject.toml").write_text("[tool.shapecheck]\nkeras-version = \"2\"\n")
    assert _cli(capsys, "train.py") == (1, ["error"])


@pytest.mark.parametrize("argv, text, reason", [
    (["--keras-version", "4"], None, "--keras-version: expected 2 or 3, got '4'"),
    ([], "[tool.shapecheck]\nkeras-version = 2.5\n", "[tool.shapecheck] keras-version: expected 2 or 3, got 2.5"),
    ([], "[tool.shapecheck]\nkeras-version = true\n", "[tool.shapecheck] keras-version: expected 2 or 3, got True"),
    ([], "[tool.shapecheck]\nkeras_version = 3\n", "did you mean 'keras-version'?"),
])
def test_bad_keras_version_exits_2(short_data, capsys, argv, text, reason):
    if text is not None:
        (short_data / "pyproject.toml").write_text(text)
    code, err = _cli(capsys, *argv, "train.py")
    assert code == 2 and len(err.strip().splitlines()) == 1 and reason in err, err


def test_keras2_module_paths_are_the_same_layers():
    """``keras.layers.convolutional.Conv2D``, ``keras.layers.core.Dense`` (Keras 1/2 module paths,
    gone in Keras 3, so not run here) are the layers of ``keras.layers``; a star import of one of
    them binds them too."""
    from shapecheck.engine import reveal

    src = (
        "from keras.layers.convolutional import Conv2D, MaxPooling2D\n"
        "from keras.layers.core import Dense, Flatten\n"
        "from keras.layers.recurrent import *\n"
        "from keras.layers import Input\n"
        "import keras.layers.pooling\n"
        "x = Input(shape=(28, 28, 1))\n"
        "reveal_shape(MaxPooling2D((2, 2))(Conv2D(8, (3, 3))(x)))\n"
        "reveal_shape(Dense(4)(Flatten()(x)))\n"
        "reveal_shape(LSTM(5)(Input(shape=(7, 3))))\n"
        "reveal_shape(keras.layers.pooling.MaxPooling2D()(x))\n")
    assert reveal(src) == [(7, "(None, 13, 13, 8)"), (8, "(None, 4)"), (9, "(None, 5)"), (10, "(None, 14, 14, 1)")]


def _revealed(src: str, version: Optional[int]) -> list:
    import libcst as cst

    from shapecheck.analysis.driver import analyse

    return [text for _, text in analyse(cst.parse_module(src), src, keras_version=version).revealed]


CONV_3_3 = "x = Input(shape=(28, 28, 1))\nreveal_shape(Conv2D(32, 3, 3)(x))\n"


def test_conv2d_third_positional_follows_the_keras_version():
    """``Conv2D(32, 3, 3)``: the stride under tf.keras (any TF 2) and Keras 3; a 3x3 kernel under
    standalone Keras 2's legacy interface (Keras 1's nb_row, nb_col). Code that imports standalone
    ``keras`` may run on either: its shape is unknown unless keras-version says which."""
    tf_keras = "from tensorflow.keras.layers import Conv2D, Input\n" + CONV_3_3
    standalone = "from keras.layers import Conv2D, Input\n" + CONV_3_3
    for version in (None, 2, 3):
        assert _revealed(tf_keras, version) == ["(None, 9, 9, 32)"]
    assert _revealed(standalone, None) == ["unknown"]
    assert _revealed(standalone, 3) == ["(None, 9, 9, 32)"]
    assert _revealed(standalone, 2) == ["(None, 26, 26, 32)"]


def test_keras3_reads_the_third_positional_as_the_stride():
    try:
        import keras
    except ImportError:
        pytest.skip("keras not installed")
    assert tuple(keras.layers.Conv2D(32, 3, 3)(keras.Input(shape=(28, 28, 1))).shape) == (None, 9, 9, 32)
