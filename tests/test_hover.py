"""What an editor shows on hover and as inlay hints (``shapecheck.hover``), from the values an
analysis keeps when asked (``engine.analyse_source(..., hover=True)``).

Positions in these tests are found by text: ``_at(src, "h = ", 0)`` is the line holding the first
``h = `` and the column of its first character (1-based line, 0-based column, as ``HoverIndex``
takes them)."""
from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Optional

import libcst as cst

from shapecheck import engine
from shapecheck.analysis.driver import analyse
from shapecheck.analysis.expressions import ExpressionEvaluator
from shapecheck.analysis.statements import StatementEvaluator
from shapecheck.hover import Hover, HoverIndex
from shapecheck.positions import Positions


def _index(src: str, path: str = "<string>", real_path: Optional[str] = None) -> HoverIndex:
    return HoverIndex.of(engine.analyse_source(src, path, real_path=real_path, hover=True))


def _at(src: str, needle: str, offset: int = 0, nth: int = 0) -> tuple[int, int]:
    """(line, column) of ``needle``'s character ``offset``, its ``nth`` occurrence."""
    start = -1
    for _ in range(nth + 1):
        start = src.index(needle, start + 1)
    start += offset
    line = src.count("\n", 0, start) + 1
    return line, start - (src.rfind("\n", 0, start) + 1)


def _hover(src: str, needle: str, offset: int = 0, nth: int = 0, index: Optional[HoverIndex] = None) -> Optional[Hover]:
    return (index or _index(src)).at(*_at(src, needle, offset, nth))


TORCH = textwrap.dedent("""\
    import torch
    import torch.nn as nn
    import torch.nn.functional as F


    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(64, 64, 3, padding=1)
            self.fc1 = nn.Linear(784, 128)
            self.fc2 = nn.Linear(128, 10)

        def forward(self, x):
            h = self.fc1(x)
            return self.fc2(F.relu(h))


    model = Net()
    x = torch.randn(32, 784)
    out = model(x)
    feats = torch.flatten(torch.randn(8, 64, 12, 12), 1)
    n = feats.shape[1]
    c, hh, ww = 64, 12, 12
    m = c * hh * ww
    y = mystery(x)
    k = 5
    """)


def test_a_tensor_shows_its_shape_framework_and_dtype():
    h = _hover(TORCH, "x = torch")
    assert h is not None
    assert h.values == ("(32, 784)",)
    assert "x: (32, 784)" in h.text and "torch.Tensor, float" in h.text
    assert h.start == _at(TORCH, "x = torch") and h.end == _at(TORCH, "x = torch", 1)


def test_a_layer_object_shows_its_construction_sizes_weights_and_parameters():
    h = _hover(TORCH, "fc1(x)", 1)  # on ``fc1`` of ``self.fc1(x)``
    assert h is not None
    assert h.values == ("nn.Linear(784, 128)",)
    assert "weight (128, 784), bias (128,)" in h.text and "100,480 parameters" in h.text
    at_def = _hover(TORCH, "self.fc1 =", 6)  # the target of ``self.fc1 = nn.Linear(784, 128)``
    assert at_def is not None and at_def.values == ("nn.Linear(784, 128)",)
    ctor = _hover(TORCH, "784, 128")  # a literal argument: the call around it, which made the layer
    assert ctor is not None and ctor.text.startswith("```python\nnn.Linear(784, 128)\n")


def test_a_layer_call_shows_input_output_and_parameters():
    h = _hover(TORCH, "self.fc1(x)", len("self.fc1"))  # on its parentheses
    assert h is not None
    assert h.values[0] == "(32, 128)"  # the file's own call first
    assert "nn.Linear(784, 128): (32, 784) → (32, 128) · 100,480 parameters" in h.text
    whole = _hover(TORCH, "model(x)", len("model"))
    assert whole is not None and whole.values == ("(32, 10)",)
    assert "Net: (32, 784) → (32, 10) · 138,698 parameters" in whole.text


def test_a_module_object_shows_its_class_and_parameters():
    h = _hover(TORCH, "model = ")
    assert h is not None and h.values == ("Net",)
    # conv 64*64*3*3 + 64, fc1 784*128 + 128, fc2 128*10 + 10
    assert "subclass of torch.nn.Module" in h.text and "138,698 parameters" in h.text


def test_a_size_shows_how_it_was_derived():
    h = _hover(TORCH, "n = feats")
    assert h is not None and h.values == ("9216",)
    assert "64*12*12 = 9216" in h.text
    flat = _hover(TORCH, "feats = ")
    assert flat is not None and "axis 1: 64*12*12 = 9216" in flat.text
    m = _hover(TORCH, "m = c")  # the file's own arithmetic on known ints
    assert m is not None and m.values == ("9216",) and "64*12*12 = 9216" in m.text


def test_nothing_is_shown_where_nothing_is_known():
    idx = _index(TORCH)
    assert idx.at(*_at(TORCH, "y = mystery")) is None  # an unknown function's result
    assert idx.at(*_at(TORCH, "mystery(")) is None
    assert idx.at(*_at(TORCH, "import torch")) is None  # no expression there
    assert idx.at(*_at(TORCH, "    return self.fc2", 1)) is None  # whitespace
    assert idx.at(999, 0) is None
    for _line, _col, label in idx.inlay_hints():
        assert "?" not in label
    assert all(line != _at(TORCH, "y = mystery")[0] for line, _, _ in idx.inlay_hints())


def test_inlay_hints_follow_tensor_assignments_only():
    hints = _index(TORCH).inlay_hints()
    by_line = {line: (col, label) for line, col, label in hints}
    line, col = _at(TORCH, "h = self.fc1")
    assert by_line[line] == (col + 1, ": (32, 128) | (*, 128)")  # the call's value, then any input's
    line, col = _at(TORCH, "out = model")
    assert by_line[line] == (col + 3, ": (32, 10)")
    assert _at(TORCH, "k = 5")[0] not in by_line  # an int: no shape
    line, col = _at(TORCH, "self.conv = ")
    assert line not in by_line  # a layer: no shape
    src = "import numpy as np\n\nclass A:\n    def __init__(self):\n        self.v = np.zeros(7)\n"
    assert _index(src).inlay_hints() == [(5, 14, ": (7,)")]  # an attribute target; a 1-d shape keeps its comma
    assert _at(TORCH, "model = ")[0] not in by_line  # a module: no shape


def test_a_function_analysed_generically_is_symbolic():
    src = textwrap.dedent("""\
        import torch.nn as nn


        class Block(nn.Module):
            def __init__(self, hidden):
                super().__init__()
                self.up = nn.Linear(hidden, 4 * hidden)

            def forward(self, x):
                y = self.up(x)
                return y
        """)
    h = _hover(src, "y = self")
    assert h is not None and h.values == ("(*, 4*hidden)",)
    assert "Block" not in h.text
    param = _hover(src, "x):", 0)  # the parameter: what the layers it meets require of it
    assert param is not None and param.values == ("(*, hidden)",)
    assert _hover(src, "hidden):") is None  # a size parameter: nothing known beyond its name
    assert all(line != _at(src, "x):")[0] for line, _, _ in _index(src).inlay_hints())  # no hint on parameters
    layer = _hover(src, "self.up(x)", 6)
    assert layer is not None and layer.values == ("nn.Linear(hidden, 4*hidden)",)
    assert "4*hidden*(hidden + 1) parameters" in layer.text


def test_call_site_values_come_before_the_generic_one():
    src = textwrap.dedent("""\
        import torch
        import torch.nn as nn

        fc = nn.Linear(784, 10)


        def head(x):
            return fc(x)


        out = head(torch.randn(8, 784))
        """)
    h = _hover(src, "fc(x)", len("fc"))
    assert h is not None and h.values == ("(8, 10)", "(*, 10)")
    assert "as the file runs it: `(8, 10)`; for any arguments: `(*, 10)`" in h.text
    x = _hover(src, "fc(x)", len("fc("))  # ``x``: the call's tensor, then what fc requires of any x
    assert x is not None and x.values == ("(8, 784)", "(*, 784)")


def test_innermost_expression_wins_in_a_multi_line_expression():
    src = textwrap.dedent("""\
        import torch
        import torch.nn as nn

        a = nn.Linear(784, 10)
        b = nn.Linear(784, 5)
        x = torch.randn(4, 784)
        out = torch.cat(
            [a(x),
             b(x)],
            dim=1,
        )
        """)
    idx = _index(src)
    inner = idx.at(*_at(src, "b(x)", 2))
    assert inner is not None and inner.values == ("(4, 784)",)  # ``x`` inside ``b(x)``
    call = idx.at(*_at(src, "b(x)", 1))
    assert call is not None and call.values == ("(4, 5)",) and call.start == _at(src, "b(x)")
    outer = idx.at(*_at(src, "dim=1"))  # a keyword's name is no expression: the call around it
    assert outer is not None and outer.values == ("(4, 15)",)
    assert outer.start == _at(src, "torch.cat") and outer.end == (src.count("\n"), 1)
    name = idx.at(*_at(src, "cat("))  # the callee's name: the call it names
    assert name is not None and name.values == ("(4, 15)",)
    lst = idx.at(*_at(src, "[a(x)"))
    assert lst is not None and lst.values == ("[(4, 10), (4, 5)]",)


def test_numpy_arrays_and_casts():
    src = textwrap.dedent("""\
        import numpy as np

        w = np.random.randn(64, 784)
        x = np.zeros((784, 32), dtype=np.uint8)
        xf = x.astype("float32") / 255
        h = w @ xf
        """)
    idx = _index(src)
    h = idx.at(*_at(src, "h = "))
    assert h is not None and h.values == ("(64, 32)",) and "numpy.ndarray, float" in h.text
    x = idx.at(*_at(src, "x = np"))
    assert x is not None and "numpy.ndarray, int" in x.text
    xf = idx.at(*_at(src, "xf = "))
    assert xf is not None and "numpy.ndarray, float" in xf.text  # the cast's dtype, not the int it was
    mm = idx.at(*_at(src, "@"))
    assert mm is not None and mm.values == ("(64, 32)",) and mm.start == _at(src, "w @")


def test_keras_functional_tensors_show_the_none_batch():
    src = textwrap.dedent("""\
        from tensorflow import keras
        from tensorflow.keras import layers

        inputs = keras.Input(shape=(28, 28, 1))
        x = layers.Conv2D(32, kernel_size=(3, 3), activation="relu")(inputs)
        x = layers.Flatten()(x)
        outputs = layers.Dense(10, activation="softmax")(x)
        model = keras.Model(inputs, outputs)
        """)
    idx = _index(src)
    i = idx.at(*_at(src, "inputs = "))
    assert i is not None and i.values == ("(None, 28, 28, 1)",) and "Keras tensor" in i.text
    conv = idx.at(*_at(src, "(inputs)"))
    assert conv is not None and conv.values == ("(None, 26, 26, 32)",)
    assert "layers.Conv2D(…)(inputs): (None, 26, 26, 32)" in conv.text
    assert "Conv2D(32, (3, 3)): (None, 28, 28, 1) → (None, 26, 26, 32) · 320 parameters" in conv.text
    flat = idx.at(*_at(src, "x = layers.Flatten"))
    assert flat is not None and flat.values == ("(None, 21632)",) and "26*26*32 = 21632" in flat.text
    model = idx.at(*_at(src, "model = "))
    assert model is not None and "Keras model" in model.text and "216,650 parameters" in model.text


def test_recording_is_off_unless_asked(tmp_path: Path):
    src = TORCH
    checked = engine.analyse_source(src, "m.py")
    assert checked.result is not None and checked.result.values is None
    assert HoverIndex.of(checked).at(*_at(src, "x = torch")) is None
    assert HoverIndex.of(checked).inlay_hints() == []
    result = analyse(cst.parse_module(src), src)
    assert result.values is None and result.analysis is not None
    # not a flag the parts test: the plain parts run
    assert type(result.analysis.exprs) is ExpressionEvaluator and type(result.analysis.stmts) is StatementEvaluator
    assert engine.check_source(src) == engine.analyse_source(src, hover=True).diagnostics


def test_only_the_checked_files_expressions_are_kept(tmp_path: Path):
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'p'\n")
    (tmp_path / "blocks.py").write_text(textwrap.dedent("""\
        import torch.nn as nn

        def block(n):
            inner = nn.Linear(n, 2 * n)
            return inner
        """))
    main = tmp_path / "main.py"
    src = "import torch\nfrom blocks import block\n\nlayer = block(16)\nout = layer(torch.randn(3, 16))\n"
    main.write_text(src)
    checked = engine.analyse_source(src, str(main), real_path=str(main), hover=True)
    assert checked.result is not None and checked.result.values is not None
    pos = Positions(checked.module)
    log = checked.result.values
    assert all(pos.has(node) for node in log.nodes.values())
    idx = HoverIndex.of(checked)
    layer = idx.at(*_at(src, "layer = "))
    assert layer is not None and layer.values == ("nn.Linear(16, 32)",)
    out = idx.at(*_at(src, "out = "))
    assert out is not None and out.values == ("(3, 32)",)


def test_a_file_that_does_not_parse_has_no_hover():
    checked = engine.analyse_source("def broken(:\n", hover=True)
    idx = HoverIndex.of(checked)
    assert idx.at(1, 0) is None and idx.inlay_hints() == []


def test_a_later_call_of_the_result_records_nothing():
    """A summary traces a model after the analysis (``AnalysisResult.call``): what that computes
    is not what the file's code evaluates to."""
    from shapecheck.shapes import Shape
    from shapecheck.values import Tensor

    src = TORCH
    checked = engine.analyse_source(src, hover=True)
    assert checked.result is not None and checked.result.values is not None
    before = {k: len(v) for k, v in checked.result.values.values.items()}
    checked.result.call(checked.result.globals["model"], [Tensor(Shape((2, 784)), "torch", "float")])
    assert {k: len(v) for k, v in checked.result.values.values.items()} == before
    h = HoverIndex.of(checked).at(*_at(src, "h = self"))
    assert h is not None and "(2, 128)" not in h.values
