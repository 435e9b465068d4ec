"""SHP702 target-mismatch."""
from __future__ import annotations

from shapecheck.rule import Rule


class TargetMismatch(Rule):
    """## What it does
    Checks targets given to `fit`/`evaluate` against the model's output under its loss.

    Covers Keras `fit`, `evaluate` and `train_on_batch`: one-hot targets `(N, C)` for a `(None, C)`
    output with `categorical_crossentropy`, integer labels `(N,)` or `(N, 1)` with
    `sparse_categorical_crossentropy`, and targets with the output's rank and sizes otherwise.

    ## Why is this bad?
    Targets that do not fit raise when training starts (`Shapes (None, 4) and (None, 3) are
    incompatible`), or -- worse -- broadcast silently into a wrong loss: `(N, 9)` targets for a
    `(None, 148, 9)` sequence output, integer labels with `categorical_crossentropy`.

    ## Example
    ```python
    import numpy as np
    from tensorflow import keras

    model = keras.Sequential([keras.Input(shape=(8,)), keras.layers.Dense(3, activation="softmax")])
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    model.fit(np.zeros((100, 8)), np.zeros((100, 4)))  # SHP702: 4 classes for 3 outputs
    ```

    Use instead: one-hot targets with as many columns as the output has units, or integer
    labels with `sparse_categorical_crossentropy`.
    ```python
    model.fit(np.zeros((100, 8)), np.zeros((100, 3)))
    ```
    """

    CODE = "SHP702"
    NAME = "target-mismatch"
    SEVERITY = "error"
    VALID = [
        """\
import numpy as np
from tensorflow import keras
model = keras.Sequential([keras.Input(shape=(8,)), keras.layers.Dense(3, activation="softmax")])
model.compile(optimizer="adam", loss="categorical_crossentropy")
model.fit(np.zeros((100, 8)), np.zeros((100, 3)))
""",
    ]
    INVALID = [
        """\
import numpy as np
from tensorflow import keras
model = keras.Sequential([keras.Input(shape=(8,)), keras.layers.Dense(3, activation="softmax")])
model.compile(optimizer="adam", loss="categorical_crossentropy")
model.fit(np.zeros((100, 8)), np.zeros((100, 4)))  # E: SHP702
""",
    ]
