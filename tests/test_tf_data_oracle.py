"""The tf.data pipelines of tests/golden/keras_data_pipelines.py run for real where TensorFlow is
installed (TF 2.21 with Keras 3 on TF; skipped otherwise): each pipeline function raises first on a
line the checker reports (an ``# E:`` anchor), as the golden oracle checks the fixtures that run at
module level. (Checked by hand with TF 2.21: tf_data_from_arrays raises at its SHP701 line,
next_token_windows at its SHP702 line.)"""
from __future__ import annotations

from pathlib import Path

import pytest
from test_golden import parse_anchors

FIXTURE = Path(__file__).parent / "golden" / "keras_data_pipelines.py"
PIPELINES = ["tf_data_from_arrays", "next_token_windows"]


@pytest.mark.parametrize("name", PIPELINES)
def test_pipeline_raises_on_an_anchored_line(name: str) -> None:
    pytest.importorskip("tensorflow")
    import keras

    if keras.backend.backend() != "tensorflow":
        pytest.skip("keras runs on another backend")
    source = FIXTURE.read_text(encoding="utf-8")
    env: dict = {"__name__": "keras_data_pipelines", "reveal_shape": lambda x: x}
    exec(compile(source, str(FIXTURE), "exec"), env)  # noqa: S102 - our own fixture
    line = None
    try:
        env[name]()
    except Exception as e:  # noqa: BLE001 - where it raises is the datum
        tb = e.__traceback__
        while tb is not None:
            if tb.tb_frame.f_code.co_filename == str(FIXTURE):
                line = tb.tb_lineno
            tb = tb.tb_next
    anchors = parse_anchors(source)
    assert line is not None and line in anchors and anchors[line].codes, f"{name} raised at line {line}"
