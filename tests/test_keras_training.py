"""One Keras training path: the same two-layer model written as a Sequential, a functional model
and a ``keras.Model`` subclass gets the same findings for the same data (issue 7).

Each row is data fed to ``fit`` / ``evaluate`` / ``train_on_batch`` / ``predict`` (with
``validation_data`` where given). The three spellings must agree on every finding's code and
message (a functional model's SHP701 gives its InputSpec reason, as Keras does, after the same
data and input), every finding sits on the training call, and whether Keras 3 itself raises on the row
(KERAS_BACKEND=torch, ``epochs=1`` on tiny arrays) must match whether the checker reports an
error (SHP701/SHP702; SHP503 is a silent broadcast Keras accepts).
"""
from __future__ import annotations

import re
from typing import Optional

import pytest

from shapecheck.engine import check_source

HEAD = "import numpy as np\nimport keras\nfrom keras import layers\n\n"

MODELS = {
    "sequential": (
        "model = keras.Sequential([keras.Input((8,)), layers.Dense(16, activation='relu'), layers.Dense({k})])\n"),
    "functional": (
        "inp = keras.Input((8,))\n"
        "out = layers.Dense({k})(layers.Dense(16, activation='relu')(inp))\n"
        "model = keras.Model(inp, out)\n"),
    # one input and one output given as lists: Keras wraps a single target array to match
    "functional-lists": (
        "inp = keras.Input((8,))\n"
        "out = layers.Dense({k})(layers.Dense(16, activation='relu')(inp))\n"
        "model = keras.Model(inputs=[inp], outputs=[out])\n"),
    "subclassed": (
        "class TwoLayers(keras.Model):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        self.hidden = layers.Dense(16, activation='relu')\n"
        "        self.head = layers.Dense({k})\n"
        "\n"
        "    def call(self, x):\n"
        "        return self.head(self.hidden(x))\n"
        "\n"
        "\n"
        "model = TwoLayers()\n"),
}

# id, output units, loss, method, x shape, y shape, validation (x shape, y shape), expected codes
CASES = [
    ("fits", 1, "mse", "fit", (32, 8), (32, 1), None, []),
    ("sample-count", 1, "mse", "fit", (32, 8), (16, 1), None, ["SHP702"]),
    ("silent-broadcast", 1, "mse", "fit", (32, 8), (32, 3), None, ["SHP503"]),
    ("features", 1, "mse", "fit", (32, 5), (32, 1), None, ["SHP701"]),
    ("validation-samples", 1, "mse", "fit", (32, 8), (32, 1), ((10, 8), (20, 1)), ["SHP702"]),
    ("validation-features", 1, "mse", "fit", (32, 8), (32, 1), ((10, 5), (10, 1)), ["SHP701"]),
    ("validation-fits", 1, "mse", "fit", (32, 8), (32, 1), ((10, 8), (10, 1)), []),
    ("strict-loss", 1, "binary_crossentropy", "fit", (32, 8), (32, 3), None, ["SHP702"]),
    ("sparse-labels", 4, "sparse_categorical_crossentropy", "fit", (32, 8), (32,), None, []),
    ("evaluate-samples", 1, "mse", "evaluate", (32, 8), (16, 1), None, ["SHP702"]),
    ("train-on-batch-broadcast", 1, "mse", "train_on_batch", (32, 8), (32, 2), None, ["SHP503"]),
    ("test-on-batch-features", 1, "mse", "test_on_batch", (32, 6), (32, 1), None, ["SHP701"]),
    ("predict-features", 1, "mse", "predict", (32, 5), None, None, ["SHP701"]),
    ("predict-fits", 1, "mse", "predict", (32, 8), None, None, []),
]
ERRORS = {"SHP701", "SHP702"}


def _call_text(method: str, x: tuple, y: Optional[tuple], val: Optional[tuple]) -> str:
    args = [f"np.zeros({x!r})"]
    if y is not None:
        args.append(f"np.zeros({y!r})")
    if val is not None:
        args.append(f"validation_data=(np.zeros({val[0]!r}), np.zeros({val[1]!r}))")
    if method in ("fit", "evaluate", "predict"):
        args.append("verbose=0")
    if method == "fit":
        args.append("epochs=1")
    return f"model.{method}({', '.join(args)})\n"


def _source(form: str, k: int, loss: str, method: str, x: tuple, y: Optional[tuple], val: Optional[tuple]) -> str:
    # the model is called once on good data first: a subclass is built on its first call, as Keras does
    return (HEAD + MODELS[form].format(k=k) + "model(np.zeros((1, 8)))\n"
            + f"model.compile(optimizer='sgd', loss={loss!r})\n" + _call_text(method, x, y, val))


def _findings(src: str) -> list:
    last = src.rstrip("\n").count("\n") + 1
    out = check_source(src, "train.py")
    for d in out:
        assert d.line == last, f"{d.code} at line {d.line}, not on the training call (line {last}): {d.message}"
    return [(d.code, re.sub(r"\bline \d+\b", "line ?", d.message)) for d in out]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_three_spellings_agree(case: tuple) -> None:
    _, k, loss, method, x, y, val, codes = case
    got = {form: _findings(_source(form, k, loss, method, x, y, val)) for form in MODELS}
    assert [c for c, _ in got["sequential"]] == codes, got["sequential"]
    assert got["subclassed"] == got["sequential"]
    if any(c == "SHP701" for c in codes):
        # a functional model checks its InputSpec before any layer runs, as Keras does: same code,
        # same data and input named, the reason in Keras's InputSpec words
        def head(fs: list) -> list:
            return [(c, m.split("): ", 1)[0]) for c, m in fs]
        assert head(got["functional"]) == head(got["sequential"])
    else:
        assert got["functional"] == got["sequential"]
    if method != "predict":  # (predict of a one-output list gives a list)
        assert got["functional-lists"] == got["functional"]


def _keras():
    try:
        import keras
    except ImportError:
        return None
    return keras if keras.backend.backend() == "torch" else None


@pytest.mark.parametrize("form", list(MODELS))
@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_keras_agrees_on_raising(case: tuple, form: str) -> None:
    keras = _keras()
    if keras is None:
        pytest.skip("keras (torch backend) not installed")
    _, k, loss, method, x, y, val, codes = case
    src = _source(form, k, loss, method, x, y, val)
    raised: Optional[BaseException] = None
    try:
        exec(compile(src, f"<{form}>", "exec"), {"__name__": "train_case"})  # the oracle runs real Keras
    except Exception as e:  # noqa: BLE001 - any error Keras raises on the data counts
        raised = e
    assert (raised is not None) == bool(ERRORS & set(codes)), f"keras: {raised!r}; checker: {codes}"
