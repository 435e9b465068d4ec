"""SHP602 weights-count."""
from __future__ import annotations

from shapecheck.rule import Rule


class WeightsCount(Rule):
    """## What it does
    Checks that `set_weights` gets as many arrays as the layer has weights.

    In detail: a `Dense` with a bias has two (kernel, bias), without one a single kernel; an `LSTM`
    has three (kernel, recurrent kernel, bias); a `BatchNormalization` four.

    ## Why is this bad?
    `set_weights` raises (`You called set_weights(weights) on layer "dense" with a weight list
    of length 1, but the layer was expecting 2 weights`) -- typically in weight-porting code
    that forgot the bias or built the layer with `use_bias=False`.

    ## Example
    ```python
    import numpy as np
    from tensorflow import keras

    dense = keras.layers.Dense(10)
    dense.build((None, 4))
    dense.set_weights([np.zeros((4, 10))])  # SHP602: 1 array for 2 weights
    ```

    Use instead:
    ```python
    dense.set_weights([np.zeros((4, 10)), np.zeros(10)])
    ```
    """

    CODE = "SHP602"
    NAME = "weights-count"
    SEVERITY = "error"
    VALID = [
        """\
import numpy as np
from tensorflow import keras
dense = keras.layers.Dense(10)
dense.build((None, 4))
dense.set_weights([np.zeros((4, 10)), np.zeros(10)])
""",
    ]
    INVALID = [
        """\
import numpy as np
from tensorflow import keras
dense = keras.layers.Dense(10)
dense.build((None, 4))
dense.set_weights([np.zeros((4, 10))])  # E: SHP602
""",
    ]
