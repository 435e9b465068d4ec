"""SHP701 input-data-mismatch."""
from __future__ import annotations

from shapecheck.rule import Rule


class InputDataMismatch(Rule):
    """## What it does
    Checks arrays fed to a Keras model against the model's input shape.

    Covers `fit`, `predict`, `evaluate`, `train_on_batch`, `predict_on_batch`, `model(x)`, and a TF1
    `feed_dict` for a placeholder, against `Input(shape=...)`, `input_shape=`, `input_dim=`, or the
    placeholder's shape. The rank and every fixed size must fit (the batch axis is free).

    Data one axis short of an input that ends in 1 (`(N, 6)` for `input_shape=(6, 1)`) is where
    Keras versions differ: Keras 3 adds the trailing axis, older Keras 2 (keras 2.3, the tf.keras
    of TF 1.x) raises "expected conv1d_input to have 3 dimensions". By default that is a
    **warning** that says so; `keras-version = 2` (or `--keras-version 2`) makes it an error and
    `keras-version = 3` drops it.

    ## Why is this bad?
    Data of the wrong rank or feature size raises when training starts (`Input 0 of layer
    "dense" is incompatible with the layer: expected axis -1 of input shape to have value 8,
    but received input with shape (32, 10)`), after data loading and model building have
    already taken their time.

    ## Example
    ```python
    import numpy as np
    from tensorflow import keras

    model = keras.Sequential([keras.Input(shape=(8,)), keras.layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    model.fit(np.zeros((100, 10)), np.zeros((100, 1)))  # SHP701: 10 features for 8
    ```

    Use instead: data with the declared number of features, or a model declared for the data.
    ```python
    model.fit(np.zeros((100, 8)), np.zeros((100, 1)))
    ```
    """

    CODE = "SHP701"
    NAME = "input-data-mismatch"
    SEVERITY = "error"
    VALID = [
        """\
import numpy as np
from tensorflow import keras
model = keras.Sequential([keras.Input(shape=(8,)), keras.layers.Dense(1)])
model.compile(optimizer="adam", loss="mse")
model.fit(np.zeros((100, 8)), np.zeros((100, 1)))
""",
    ]
    INVALID = [
        """\
import numpy as np
from tensorflow import keras
model = keras.Sequential([keras.Input(shape=(8,)), keras.layers.Dense(1)])
model.compile(optimizer="adam", loss="mse")
model.fit(np.zeros((100, 10)), np.zeros((100, 1)))  # E: SHP701
""",
    ]
