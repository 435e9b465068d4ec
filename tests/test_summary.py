"""The static summary against real Keras 3 (torch backend): generated models, layer by layer.

A fixed-seed generator writes Sequential (a list, ``.add``, Keras 2 ``input_shape=`` on the first
layer), functional (chains, branches merged by Concatenate/Add, two inputs, a model used as a
layer) and subclassed programs (a ``keras.Model`` subclass, sometimes with a custom layer using
``add_weight``, built by its first call on data), some with explicit names and some with a model
built before the one under test, so the automatic names (``dense``, ``dense_1``, ...) depend on
what the file built first. In a subclassed model Keras's summary shows ``?`` for a layer without
weights (it has no symbolic output and no build shapes); shapecheck gives the shape there.

The oracle builds every program for real in ONE subprocess, calling ``keras.utils.clear_session()``
before each (it resets the name counters in Keras 3.15, as a fresh process would), and prints for
each model: its name, every row of ``model.layers`` (name, class, ``layer.output.shape``,
``layer.count_params()``), ``model.count_params()``, the trainable / non-trainable counts, and the
three totals lines ``model.summary()`` prints. ``summarize_source`` on the same text must agree on
all of it. Programs Keras refuses to build are not compared (the differential test in
tests/ops/test_keras_models.py covers findings). ``python tests/test_summary.py`` prints the agreement counts.
"""
from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
from typing import Any, Optional

import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from shapecheck import dims as D  # noqa: E402
from shapecheck.summary import fmt_shape, render_text, summarize_source, to_json  # noqa: E402

HEAD = "import numpy as np\nimport keras\nfrom keras import layers\n"
SEED = 20250301
N_PROGRAMS = 240


# ---------------------------------------------------------------------------------- generator
class Gen:
    """One program: tracks the current shape (without the batch) so most layers fit."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.names = 0

    def name(self) -> str:
        """An explicit ``name=`` now and then (unique within the program)."""
        if self.rng.random() < 0.15:
            self.names += 1
            return f", name='l{self.names}'"
        return ""

    def layer(self, shape: tuple) -> tuple:
        """(expression, shape after) for a layer that fits ``shape``."""
        rng = self.rng
        u = rng.choice([1, 2, 3, 4, 8, 16])
        nm = self.name()
        bias = ", use_bias=False" if rng.random() < 0.15 else ""
        bn = rng.choice(["", "", "center=False", "scale=False", "momentum=0.9"])
        bn = ", ".join(x for x in (bn, nm.lstrip(", ")) if x)
        common = [(f"layers.Dense({u}{bias}{nm})", shape[:-1] + (u,)),
                  (f"layers.Dropout(0.2{nm})", shape),
                  (f"layers.BatchNormalization({bn})", shape),
                  (f"layers.LayerNormalization({nm.lstrip(', ')})", shape),
                  (f"layers.Activation('relu'{nm})", shape)]
        if len(shape) == 1:
            (n,) = shape
            pool = common * 2
            for a in (2, 3, 4):
                if n % a == 0 and n > a:
                    pool.append((f"layers.Reshape(({a}, -1){nm})", (a, n // a)))
                    break
            pool.append((f"layers.RepeatVector(3{nm})", (3, n)))
        elif len(shape) == 2:
            t, c = shape
            k = rng.choice([1, 2, 3])
            s = rng.choice([1, 2])
            pad = rng.choice(["valid", "same"])
            rs = rng.random() < 0.5
            rnn = rng.choice(["LSTM", "GRU", "SimpleRNN", "GRU"])
            extra = ", reset_after=False" if rnn == "GRU" and rng.random() < 0.3 else ""
            merge = rng.choice(["concat", "concat", "sum", "mul", "ave"])
            pool = common + [
                (f"layers.{rnn}({u}, return_sequences={rs}{extra}{nm})", (t, u) if rs else (u,)),
                (f"layers.Bidirectional(layers.{rnn}({u}, return_sequences={rs}{extra}), merge_mode='{merge}'{nm})",
                 ((t,) if rs else ()) + ((2 * u,) if merge == "concat" else (u,))),
                (f"layers.GlobalAveragePooling1D({nm.lstrip(', ')})", (c,)),
                (f"layers.GlobalMaxPooling1D({nm.lstrip(', ')})", (c,)),
                (f"layers.Flatten({nm.lstrip(', ')})", (t * c,)),
                (f"layers.Reshape(({t * c},){nm})", (t * c,)),
            ]
            if t >= k:
                out_t = -(-t // s) if pad == "same" else (t - k) // s + 1
                pool.append((f"layers.Conv1D({u}, {k}, strides={s}, padding='{pad}'{bias}{nm})", (out_t, u)))
            if t >= 2:
                pool.append((f"layers.MaxPooling1D(2{nm})", (t // 2, c)))
                pool.append((f"layers.AveragePooling1D(2, padding='same'{nm})", (-(-t // 2), c)))
        else:
            h, w, c = shape
            k = rng.choice([1, 2, 3])
            s = rng.choice([1, 2])
            pad = rng.choice(["valid", "same"])
            pool = common + [
                (f"layers.GlobalAveragePooling2D({nm.lstrip(', ')})", (c,)),
                (f"layers.GlobalMaxPooling2D({nm.lstrip(', ')})", (c,)),
                (f"layers.Flatten({nm.lstrip(', ')})", (h * w * c,)),
                (f"layers.Reshape((-1, {c}){nm})", (h * w, c)),
            ]
            if min(h, w) >= k:
                f = lambda n: -(-n // s) if pad == "same" else (n - k) // s + 1  # noqa: E731
                pool += [(f"layers.Conv2D({u}, {k}, strides={s}, padding='{pad}'{bias}{nm})", (f(h), f(w), u))] * 3
            if min(h, w) >= 2:
                pool.append((f"layers.MaxPooling2D(2{nm})", (h // 2, w // 2, c)))
                pool.append((f"layers.AveragePooling2D(2, padding='same'{nm})", (-(-h // 2), -(-w // 2), c)))
        return rng.choice(pool)

    def chain(self, shape: tuple, n: int) -> tuple:
        exprs = []
        for _ in range(n):
            e, shape = self.layer(shape)
            exprs.append(e)
        return exprs, shape


def _input(rng: random.Random) -> tuple:
    """(input shape, dtype, first layer or None): vectors, sequences, images, token ids."""
    kind = rng.choice(["vec", "seq", "seq", "img", "img", "tokens"])
    if kind == "vec":
        return (rng.choice([3, 4, 6, 8, 12]),), None, None
    if kind == "seq":
        return (rng.choice([4, 6, 9]), rng.choice([1, 2, 3, 5])), None, None
    if kind == "img":
        return (rng.choice([5, 8, 12]), rng.choice([5, 8, 12]), rng.choice([1, 2, 3])), None, None
    t, v, e = rng.choice([5, 10]), rng.choice([20, 100]), rng.choice([4, 8])
    return (t,), "int32", (f"layers.Embedding({v}, {e})", (t, e))


def _model_kwarg(rng: random.Random) -> str:
    return ", name='net'" if rng.random() < 0.1 else ""


# Models built before the one under test. Keras numbers what it builds behind the scenes too: a
# Functional per Sequential build (one per ``add`` once the input is known), an InputLayer for
# a Keras 2 ``input_shape=``; an unbuilt Sequential takes no number but its own.
PRE = [
    "pre = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(2), layers.Dense(1)])",
    "pre = keras.Sequential([layers.Dense(2, input_shape=(4,)), layers.Dense(1)])",
    "pre = keras.Sequential()\npre.add(keras.Input(shape=(4,)))\npre.add(layers.Dense(2))\npre.add(layers.Dense(1))",
    "pre = keras.Sequential()\npre.add(layers.Dense(2, input_shape=(4,)))\npre.add(layers.Dense(1))",
    "p_in = keras.Input(shape=(4,))\npre = keras.Model(p_in, layers.Dense(2)(p_in))",
    "pre = keras.Sequential([layers.Dense(2), layers.Dense(1)])",
]


def generate(n: int = N_PROGRAMS, seed: int = SEED) -> list:
    """Programs as (id, source); the model under test is ``model``, others are summarized too."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        g = Gen(rng)
        shape, dtype, first = _input(rng)
        dt = f", dtype='{dtype}'" if dtype else ""
        lines = [HEAD.rstrip("\n")]
        if rng.random() < 0.3:  # a model built first: the names below continue its counters
            lines.append(rng.choice(PRE))
        style = rng.choice(["list", "list", "add", "keras2", "functional", "functional", "branch", "two", "nested",
                            "subclass"])
        exprs, out_shape = g.chain(first[1] if first else shape, rng.randint(1, 4))
        if first:
            exprs.insert(0, first[0])
        head = rng.choice([1, 3, 10])
        if len(out_shape) > 1 and rng.random() < 0.7:
            exprs.append("layers.Flatten()")
        exprs.append(f"layers.Dense({head}{g.name()})")
        if style == "keras2" and not first and exprs[0].startswith(("layers.Dense(", "layers.Conv", "layers.LSTM(",
                                                                      "layers.GRU(", "layers.SimpleRNN(")):
            e0 = exprs[0][:-1] + f", input_shape={shape!r})"
            body = ",\n    ".join([e0] + exprs[1:])
            lines.append(f"model = keras.Sequential([\n    {body},\n]{_model_kwarg(rng)})")
        elif style in ("list", "keras2"):
            body = ",\n    ".join([f"keras.Input(shape={shape!r}{dt})"] + exprs)
            lines.append(f"model = keras.Sequential([\n    {body},\n]{_model_kwarg(rng)})")
        elif style == "add":
            lines.append(f"model = keras.Sequential({_model_kwarg(rng).lstrip(', ')})")
            e0 = exprs[0]
            if not first and rng.random() < 0.5 and e0.startswith(("layers.Dense(", "layers.Conv")):
                lines.append(f"model.add({e0[:-1]}, input_shape={shape!r}))")
            else:
                lines.append(f"model.add(keras.Input(shape={shape!r}{dt}))")
                lines.append(f"model.add({e0})")
            for e in exprs[1:]:
                lines.append(f"model.add({e})")
        elif style == "functional":
            nm = ", name='inp'" if rng.random() < 0.2 else ""
            lines.append(f"inp = keras.Input(shape={shape!r}{dt}{nm})")
            lines.append("x = inp")
            for e in exprs:
                lines.append(f"x = {e}(x)")
            lines.append(f"model = keras.Model(inp, x{_model_kwarg(rng)})")
        elif style == "branch":
            # x -> two branches -> Concatenate / Add -> head
            lines.append(f"inp = keras.Input(shape={shape!r}{dt})")
            lines.append("x = inp")
            for e in exprs[:-1]:
                lines.append(f"x = {e}(x)")
            u = rng.choice([2, 4, 8])
            merge = rng.choice(["layers.Concatenate()", "layers.Add()", "layers.concatenate", "layers.add"])
            lines.append(f"a = layers.Dense({u}{g.name()})(x)")
            lines.append(f"b = layers.Dense({u}, activation='relu')(x)")
            if rng.random() < 0.5:
                lines.append("b = layers.Dropout(0.1)(b)")
            lines.append(f"x = {merge}([a, b])")
            lines.append(f"x = {exprs[-1]}(x)")
            lines.append(f"model = keras.Model(inputs=inp, outputs=x{_model_kwarg(rng)})")
        elif style == "two":
            shape2 = (rng.choice([2, 5]),)
            lines.append(f"a = keras.Input(shape={shape!r}{dt})")
            lines.append(f"b = keras.Input(shape={shape2!r}{g.name()})")
            lines.append("x = a")
            for e in exprs[:-1]:
                lines.append(f"x = {e}(x)")
            if len(out_shape) > 1 and exprs[-2:-1] != ["layers.Flatten()"]:
                lines.append("x = layers.Flatten()(x)")
            lines.append(f"y = layers.Dense({rng.choice([3, 4])})(b)")
            lines.append("x = layers.Concatenate(axis=-1)([x, y])")
            lines.append(f"x = {exprs[-1]}(x)")
            lines.append(f"model = keras.Model([a, b], x{_model_kwarg(rng)})")
        elif style == "subclass":  # a subclassed keras.Model, built by its first call on data
            scale = rng.random() < 0.4
            if scale:
                lines += ["", "", "class Scale(layers.Layer):", "    def build(self, input_shape):",
                          "        self.w = self.add_weight(shape=(input_shape[-1],), initializer='ones')", "",
                          "    def call(self, x):", "        return x * self.w"]
            lines += ["", "", "class Net(keras.Model):", "    def __init__(self):", "        super().__init__()"]
            for k, e in enumerate(exprs):
                lines.append(f"        self.l{k} = {e}")
            if scale:
                lines.append("        self.scale = Scale()")
            lines += ["", "    def call(self, x):"]
            for k in range(len(exprs)):
                lines.append(f"        x = self.l{k}(x)")
            if scale:
                lines.append("        x = self.scale(x)")
            lines += ["        return x", "", ""]
            lines.append("model = Net()")
            data = f"np.zeros({(2,) + shape!r}{', dtype=' + repr(dtype) if dtype else ''})"
            lines.append(f"y = model({data})")
        else:  # nested: a Sequential used as a layer of a functional model
            body = ", ".join([f"keras.Input(shape={shape!r}{dt})"] + exprs[:-1])
            lines.append(f"trunk = keras.Sequential([{body}])")
            lines.append(f"inp = keras.Input(shape={shape!r}{dt})")
            lines.append("x = trunk(inp)")
            if len(out_shape) > 1 and exprs[-2:-1] != ["layers.Flatten()"]:
                lines.append("x = layers.Flatten()(x)")
            lines.append(f"x = {exprs[-1]}(x)")
            lines.append(f"model = keras.Model(inp, x{_model_kwarg(rng)})")
        out.append((f"k{i:03d}-{style}", "\n".join(lines) + "\n"))
    return out


PROGRAMS = generate()


# ---------------------------------------------------------------------------------- the oracle
ORACLE = r'''
import json, re, sys, warnings
sys.modules["tensorflow"] = None  # the torch backend never needs it; importing it costs ~10 s
import numpy as np
import keras

def shape(layer):
    # as model.summary() finds it (summary_utils.format_layer_shape): the symbolic output where the
    # layer was called on a Keras tensor, else compute_output_shape of the shapes it was built for
    try:
        out = layer.output
    except Exception:
        if not getattr(layer, "_build_shapes_dict", None):
            return "?"
        try:
            got = layer.compute_output_shape(**layer._build_shapes_dict)
        except Exception:
            return "?"
        if isinstance(got, list) or (isinstance(got, tuple) and got and isinstance(got[0], (tuple, list))):
            return [list(x) for x in got]
        return list(got)
    if isinstance(out, (list, tuple)):
        return [list(t.shape) for t in out]
    return list(out.shape)

def count(layer):
    try:
        return layer.count_params()
    except ValueError:  # not built: Keras cannot count it either
        return None

def describe(model):
    text = []
    model.summary(print_fn=lambda s, **kw: text.append(s))
    text = "\n".join(text)
    totals = {k: int(v.replace(",", "")) for k, v in
              re.findall(r"(Total|Trainable|Non-trainable) params: ([\d,]+)", text)}
    return {
        "name": model.name, "type": type(model).__name__,
        "layers": [[l.name, type(l).__name__, shape(l), count(l)] for l in model.layers],
        "total": count(model),
        "trainable": int(sum(np.prod(w.shape) for w in model.trainable_weights)),
        "non_trainable": int(sum(np.prod(w.shape) for w in model.non_trainable_weights)),
        "text_totals": totals,
    }

out = {}
for pid, src in json.load(sys.stdin):
    # resets the automatic name counters, as a fresh process would (skipping its gc.collect: speed)
    keras.utils.clear_session(free_memory=False)
    ns = {}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            exec(src, ns)
    except Exception as e:
        out[pid] = {"error": f"{type(e).__name__}: {str(e)[:200]}"}
        continue
    out[pid] = {"models": {var: describe(v) for var, v in ns.items() if isinstance(v, keras.Model)}}
print(json.dumps(out))
'''


def _keras_available() -> bool:
    r = subprocess.run([sys.executable, "-c", "import keras; assert keras.backend.backend() == 'torch'"],
                       capture_output=True, env={**os.environ, "KERAS_BACKEND": "torch"}, timeout=120)
    return r.returncode == 0


_ORACLE_CACHE: dict = {}


def run_oracle(programs: list) -> dict:
    """pid -> what real Keras builds (one subprocess for all programs)."""
    key = tuple(p[0] for p in programs)
    if key not in _ORACLE_CACHE:
        r = subprocess.run([sys.executable, "-c", ORACLE], input=json.dumps(programs), capture_output=True,
                           text=True, env={**os.environ, "KERAS_BACKEND": "torch"}, timeout=600)
        if r.returncode != 0:
            raise RuntimeError(f"the Keras oracle failed:\n{r.stderr[-3000:]}")
        _ORACLE_CACHE[key] = json.loads(r.stdout.strip().splitlines()[-1])
    return _ORACLE_CACHE[key]


@pytest.fixture(scope="module")
def oracle() -> dict:
    try:
        import importlib.util
        if importlib.util.find_spec("keras") is None:
            pytest.skip("keras not installed")
    except Exception:  # noqa: BLE001
        pytest.skip("keras not installed")
    if not _keras_available():
        pytest.skip("keras (torch backend) does not import")
    return run_oracle(PROGRAMS)


# ---------------------------------------------------------------------------------- comparison
def _dim(d: Any) -> Any:
    if D.is_opaque(d):
        return None
    i = D.as_int(d)
    return i if i is not None else str(d)


def _shape(s: Any) -> Any:
    if s is None:
        return "?"
    if isinstance(s, list):
        return [_shape(x) for x in s]
    if s.variadic:
        return "?"
    return [_dim(d) for d in s.dims]


def _count(n: Any) -> Any:
    if n is None:
        return None
    i = D.as_int(n)
    return i if i is not None else str(n)


def static_models(src: str) -> dict:
    """var -> the same description as the oracle's, from the static summary."""
    out = {}
    for m in summarize_source(src, "<generated>"):
        if m.framework != "keras":
            continue
        out[m.var] = {
            "name": m.name,
            "layers": [[r.name, r.type, _shape(r.output), _count(r.params)] for r in m.rows],
            "total": _count(m.total), "trainable": _count(m.trainable), "non_trainable": _count(m.non_trainable),
        }
    return out


def diff(real: dict, static: dict) -> list:
    """What differs between Keras and shapecheck for one program (empty: they agree)."""
    problems = []
    for var, r in real["models"].items():
        s = static.get(var)
        if s is None:
            problems.append(f"{var}: no static summary")
            continue
        if s["name"] != r["name"]:
            problems.append(f"{var}: model name {s['name']!r} != Keras {r['name']!r}")
        if len(s["layers"]) != len(r["layers"]):
            problems.append(f"{var}: {len(s['layers'])} rows != Keras {len(r['layers'])}: "
                            f"{[x[0] for x in s['layers']]} vs {[x[0] for x in r['layers']]}")
        subclassed = r["type"] not in ("Sequential", "Functional")
        for got, want in zip(s["layers"], r["layers"]):
            for what, g, w in zip(("name", "type", "output", "params"), got, want):
                if what == "output" and subclassed and w == "?":
                    continue  # Keras cannot tell a weightless layer's shape in a subclassed model; we can
                if g != w:
                    problems.append(f"{var}: {want[0]} ({want[1]}): {what} {g!r} != Keras {w!r}")
        if r["total"] is None:
            # not built (a Sequential without an input): Keras cannot count it (count_params raises;
            # its summary prints the 0 weights that exist yet); statically it is unknown
            if (s["total"], s["trainable"], s["non_trainable"]) != (None, None, None):
                problems.append(f"{var}: Keras has not built it, shapecheck counts {s['total']!r}")
            continue
        for what in ("total", "trainable", "non_trainable"):
            if s[what] != r[what]:
                problems.append(f"{var}: {what} params {s[what]!r} != Keras {r[what]!r}")
        printed = {"Total": r["total"], "Trainable": r["trainable"], "Non-trainable": r["non_trainable"]}
        if r["text_totals"] != printed:  # the oracle's own two readings agree
            problems.append(f"{var}: Keras summary text {r['text_totals']} != counts {printed}")
    return problems


@pytest.mark.parametrize("pid,src", PROGRAMS, ids=[p[0] for p in PROGRAMS])
def test_summary_equals_keras(oracle: dict, pid: str, src: str) -> None:
    real = oracle[pid]
    if "error" in real:
        pytest.skip(f"Keras does not build it: {real['error']}")
    problems = diff(real, static_models(src))
    assert not problems, "\n".join(problems) + "\n\n" + src


def test_generator_covers_the_brief(oracle: dict) -> None:
    """Enough programs build, and every layer kind and style asked for occurs among them."""
    built = [(pid, src) for pid, src in PROGRAMS if "error" not in oracle[pid]]
    assert len(PROGRAMS) >= 200 and len(built) >= 200, (len(PROGRAMS), len(built))
    text = "\n".join(src for _, src in built)
    for needle in ["Dense(", "Conv1D(", "Conv2D(", "MaxPooling1D(", "MaxPooling2D(", "AveragePooling2D(",
                   "GlobalAveragePooling1D(", "GlobalMaxPooling2D(", "Flatten(", "Dropout(", "BatchNormalization(",
                   "LayerNormalization(", "Embedding(", "LSTM(", "GRU(", "SimpleRNN(", "return_sequences=True",
                   "Bidirectional(", "Concatenate(", "Add()", "Reshape(", "name='", "input_shape=", "keras.Input(",
                   "keras.Model(", "model.add(", "trunk(inp)", "class Net(keras.Model)", "self.add_weight("]:
        assert needle in text, needle
    styles = {pid.split("-", 1)[1] for pid, _ in built}
    assert styles == {"list", "add", "keras2", "functional", "branch", "two", "nested", "subclass"}, styles


def _printed_totals(text: str) -> list:
    return [(k, int(v.replace(",", ""))) for k, v in re.findall(r"(Total|Trainable|Non-trainable) params: ([\d,]+)", text)]


def test_printed_totals_equal_keras_summary_text(oracle: dict) -> None:
    """The totals lines of ``shapecheck summary`` read as Keras's (``Total params: 1,234``)."""
    bad = []
    for pid, src in PROGRAMS:
        real = oracle[pid]
        if "error" in real:
            continue
        models = {m.var: m for m in summarize_source(src, "<generated>")}
        for var, r in real["models"].items():
            m = models.get(var)
            if m is None or r["total"] is None:
                continue
            got = _printed_totals(render_text([m]))
            want = [(k, r["text_totals"][k]) for k in ("Total", "Trainable", "Non-trainable")]
            if got != want:
                bad.append(f"{pid} {var}: {got} != {want}")
    assert not bad, "\n".join(bad[:20])


# ---------------------------------------------------------------------------------- rendering
SMALL = HEAD + """model = keras.Sequential([
    keras.Input(shape=(8, 3)),
    layers.LSTM(4, return_sequences=True),
    layers.BatchNormalization(),
    layers.Flatten(),
    layers.Dense(2),
])
"""


def test_text_reads_like_keras() -> None:
    text = render_text(summarize_source(SMALL, "small.py"))
    lines = text.splitlines()
    assert lines[0] == "small.py:4: keras model" and lines[1] == 'Model: "sequential"'
    assert any(re.match(r"^ Layer \(type\) +Output Shape +Param #$", ln) for ln in lines)
    assert all(ln.isascii() for ln in lines)
    row = next(ln for ln in lines if ln.startswith(" batch_normalization"))
    # a long name+type wraps its type onto the next line as Keras does, columns stay aligned
    assert row.split()[:1] == ["batch_normalization"] and "(None, 8, 4)" in row and row.rstrip().endswith("16")
    assert lines[lines.index(row) + 1].strip() == "(BatchNormalization)"
    assert " Total params: 210" in lines and " Trainable params: 202" in lines and " Non-trainable params: 8" in lines
    for ln in lines:
        if ln.startswith(" lstm (LSTM)"):
            assert ln.index("(None, 8, 4)") == lines[3].index("Output Shape")


def test_json_summary_keeps_the_contract() -> None:
    (m,) = to_json(summarize_source(SMALL, "small.py"))["models"]
    assert m["name"] == "sequential" and m["total_params"] == 210 and m["non_trainable_params"] == 8
    assert [r["name"] for r in m["layers"]] == ["lstm", "batch_normalization", "flatten", "dense"]
    assert m["layers"][0]["output_shape"] == [None, 8, 4]


# ---------------------------------------------------------------------------------- report
def main() -> None:  # pragma: no cover - a report for humans
    import collections

    real = run_oracle(PROGRAMS)
    built = agree = 0
    by_style: collections.Counter = collections.Counter()
    fails = []
    rows = 0
    for pid, src in PROGRAMS:
        r = real[pid]
        if "error" in r:
            print(f"  {pid}: Keras does not build it: {r['error'][:120]}")
            continue
        built += 1
        rows += sum(len(m["layers"]) for m in r["models"].values())
        problems = diff(r, static_models(src))
        if problems:
            fails.append((pid, problems))
        else:
            agree += 1
            by_style[pid.split("-", 1)[1]] += 1
    print(f"{len(PROGRAMS)} programs, {built} build in Keras ({rows} layer rows); summary agrees on {agree}/{built}")
    print(f"  agreeing by style: {dict(by_style)}")
    for pid, problems in fails:
        print(f"  {pid}: {problems[:3]}")


if __name__ == "__main__":  # pragma: no cover
    main()


# ---------------------------------------------------------------------------------- torch, symbolic
ENCODER = """import torch.nn as nn

class Encoder(nn.Module):
    def __init__(self, vocab, embed, hidden):
        super().__init__()
        self.hidden = hidden
        self.emb = nn.Embedding(vocab, embed)
        self.lstm = nn.LSTM(embed, hidden, batch_first=True)
        self.out = nn.Linear(hidden, vocab)

    def forward(self, x):
        return self.out(self.lstm(self.emb(x))[0])
"""


def test_torch_class_gets_a_formula_and_an_instance_gets_torchs_number() -> None:
    (m,) = summarize_source(ENCODER, "enc.py")
    at = {"vocab": 7, "embed": 3, "hidden": 5}
    assert {s.name for s in m.total.free_symbols} == set(at)
    v, e, h = at["vocab"], at["embed"], at["hidden"]
    assert m.total.subs({s: at[s.name] for s in m.total.free_symbols}) == v * e + 4 * h * (e + h + 2) + h * v + v
    assert "Total params: " in render_text([m]) and "?" not in render_text([m]).split("Total params:")[1].split("\n")[0]
    (m,) = [x for x in summarize_source(ENCODER + "enc = Encoder(5000, 100, 128)\n", "enc.py") if x.var == "enc"]
    torch = pytest.importorskip("torch")
    ns: dict = {}
    exec(ENCODER, ns)  # noqa: S102 - the oracle
    with torch.device("meta"):
        real = ns["Encoder"](5000, 100, 128)
    assert D.as_int(m.total) == sum(p.numel() for p in real.parameters())
    assert [(r.name, D.as_int(r.params)) for r in m.rows] == [
        (n, sum(p.numel() for p in c.parameters())) for n, c in real.named_children()]


def test_sequential_built_by_hand() -> None:
    """``model.build((None, 4))`` gives the input shape: Keras prints dense (None, 3) 15, dense_1 (None, 1) 4."""
    src = ("import keras\nfrom keras import layers\n"
           "model = keras.Sequential([layers.Dense(3), layers.Dense(1)])\nmodel.build((None, 4))\n")
    (m,) = summarize_source(src, "built.py")
    assert [(r.name, fmt_shape(r.output, True), r.params) for r in m.rows] == [
        ("dense", "(None, 3)", 15), ("dense_1", "(None, 1)", 4)]
    assert m.total == 19
