"""``summary --expand-nested`` against Keras's own ``model.summary(expand_nested=True)``.

Models used as layers (a Sequential in a functional model, a functional model in a Sequential,
three levels, a shared tower called on two inputs, a two-input functional model called on two
tensors) are built by Keras 3 (torch backend) in a subprocess; its printed table is parsed (the
``   └ `` prefix gives the nesting level) and compared row by row -- level, name, type, output
shape, parameter count -- with the rows and ``children`` of the static summary, its text with
``expand_nested`` and its JSON. Skipped where Keras does not import.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from shapecheck.summary import fmt_count, fmt_shape, render_text, summarize_source, to_json  # noqa: E402

PROGRAMS = {  # id -> a file that makes models of models
"seq_in_functional": '''
import keras
from keras import layers
inner = keras.Sequential([layers.Dense(16, activation="relu"), layers.Dense(8)], name="block")
inputs = keras.Input(shape=(32,))
x = layers.Dense(32)(inputs)
x = inner(x)
outputs = layers.Dense(2)(x)
model = keras.Model(inputs, outputs)
''',
"two_levels_two_inputs": '''
import keras
from keras import layers
head = keras.Sequential([layers.Dense(16, activation="relu"), layers.Dropout(0.1), layers.Dense(4)], name="head")
a = keras.Input(shape=(10,))
b = keras.Input(shape=(6,))
h = layers.Concatenate()([layers.Dense(8)(a), layers.Dense(8)(b)])
trunk = keras.Model([a, b], head(h), name="trunk")
x1 = keras.Input(shape=(10,))
x2 = keras.Input(shape=(6,))
y = layers.Dense(1)(trunk([x1, x2]))
outer = keras.Model([x1, x2], y, name="outer")
''',
"seq_in_seq": '''
import keras
from keras import layers
inner = keras.Sequential([layers.Dense(12), layers.BatchNormalization(), layers.ReLU()])
model = keras.Sequential([keras.Input(shape=(8,)), inner, layers.Dense(3)])
''',
"functional_in_seq": '''
import keras
from keras import layers
i = keras.Input(shape=(8,))
o = layers.Dense(5, activation="tanh")(layers.Dense(7)(i))
base = keras.Model(i, o)
model = keras.Sequential([keras.Input(shape=(8,)), base, layers.Dense(3)])
''',
"three_levels": '''
import keras
from keras import layers
leaf = keras.Sequential([layers.Dense(6), layers.Dense(6)], name="leaf")
i = keras.Input(shape=(4,))
mid = keras.Model(i, leaf(layers.Dense(6)(i)), name="mid")
model = keras.Sequential([keras.Input(shape=(4,)), mid, layers.Dense(1)], name="top")
''',
"siamese_cnn": '''
import keras
from keras import layers
tower = keras.Sequential([
    layers.Conv2D(8, 3, activation="relu"),
    layers.MaxPooling2D(),
    layers.Conv2D(16, 3, activation="relu"),
    layers.GlobalAveragePooling2D(),
], name="tower")
left = keras.Input(shape=(28, 28, 1))
right = keras.Input(shape=(28, 28, 1))
diff = layers.Subtract()([tower(left), tower(right)])
out = layers.Dense(1, activation="sigmoid")(diff)
model = keras.Model([left, right], out)
''',
}


ORACLE = r"""
import json, sys
sys.modules["tensorflow"] = None  # the torch backend never needs it
import keras

out = {}
for pid, src in json.load(sys.stdin).items():
    keras.utils.clear_session(free_memory=False)  # the name counters of a fresh process
    ns = {}
    exec(src, ns)
    out[pid] = {}
    for var, v in ns.items():
        if isinstance(v, keras.Model):
            lines = []
            v.summary(line_length=200, expand_nested=True, print_fn=lambda s, **kw: lines.append(s))
            out[pid][var] = "\\n".join(lines)
print(json.dumps(out))
"""


def keras_rows(text: str) -> list:
    """(level, name, type, output shape, params) of each row of Keras's table."""
    rows = []
    for line in text.splitlines():
        if not line.startswith("\u2502"):  # a row: "│ name (Type) │ shape │ params │ ..."
            continue
        cells = [c.strip() for c in line.strip("\u2502").split("\u2502")]
        label = line[1:].split("\u2502")[0][1:]
        level = 0
        if label.lstrip().startswith("\u2514"):
            level = (len(label) - len(label.lstrip())) // 3
            cells[0] = cells[0][1:].strip()
        name, _, kind = cells[0].rpartition(" (")
        rows.append((level, name, kind.rstrip(")"), cells[1], cells[2]))
    return rows


@pytest.fixture(scope="module")
def oracle() -> dict:
    env = {**os.environ, "KERAS_BACKEND": "torch", "COLUMNS": "250"}  # (rich cuts rows at the terminal width)
    try:
        r = subprocess.run([sys.executable, "-c", ORACLE], input=json.dumps(PROGRAMS), capture_output=True,
                           text=True, env=env, timeout=600)
    except (OSError, subprocess.TimeoutExpired) as e:  # pragma: no cover
        pytest.skip(f"Keras did not run: {e}")
    if r.returncode != 0:
        if "No module named" in r.stderr:
            pytest.skip("keras (torch backend) does not import")
        raise AssertionError(r.stderr[-3000:])
    return json.loads(r.stdout.strip().splitlines()[-1])


def static_rows(rows: list, level: int = 0) -> list:
    out = []
    for r in rows:
        out.append((level, r.name, r.type, fmt_shape(r.output, True), fmt_count(r.params)))
        out += static_rows(r.children, level + 1)
    return out


@pytest.mark.parametrize("pid", sorted(PROGRAMS))
def test_expand_nested_equals_keras(oracle: dict, pid: str) -> None:
    models = {m.var: m for m in summarize_source(PROGRAMS[pid], f"{pid}.py") if m.framework == "keras"}
    assert set(models) == set(oracle[pid])
    for var, text in oracle[pid].items():
        want = keras_rows(text)
        assert any(level for level, *_ in want) or var not in ("model", "outer"), "the oracle shows no nesting"
        assert static_rows(models[var].rows) == want, var


@pytest.mark.parametrize("pid", sorted(PROGRAMS))
def test_text_and_json_show_the_nesting(oracle: dict, pid: str) -> None:
    models = [m for m in summarize_source(PROGRAMS[pid], f"{pid}.py") if m.framework == "keras"]
    flat = render_text(models)
    nested = render_text(models, expand_nested=True)
    starts = [line.rstrip() + " " for line in nested.splitlines()]
    for m in models:
        for level, name, _, _, _ in static_rows(m.rows):
            prefix = "   " * level + "\u2514 " if level else ""
            assert any(s.startswith(f" {prefix}{name} ") for s in starts), name  # (a long type wraps)
            if level:
                assert f"\u2514 {name}" not in flat
    data = to_json(models)

    def json_rows(rows: list, level: int = 0) -> list:
        out = []
        for r in rows:
            out.append((level, r["name"], r["type"]))
            out += json_rows(r.get("children", []), level + 1)
        return out

    for m, j in zip(models, data["models"]):
        assert json_rows(j["layers"]) == [row[:3] for row in static_rows(m.rows)]
