"""SHP100 unused-suppression."""
from __future__ import annotations

from shapecheck.rule import Rule


class UnusedSuppression(Rule):
    """## What it does
    Reports a `# noqa: SHPxxx` that suppressed nothing.

    ## Why is this bad?
    A stale suppression hides the next real bug on that line.

    ## Example
    ```python
    import numpy as np
    h = np.random.rand(64, 128) @ np.random.rand(128, 10)  # noqa: SHP101  # SHP100
    ```
    """

    CODE = "SHP100"
    NAME = "unused-suppression"
    SEVERITY = "warning"
    VALID = ['import numpy as np\nh = np.random.rand(64, 128) @ np.random.rand(100, 10)  # noqa: SHP101\n']
    INVALID = ['import numpy as np\nh = np.random.rand(64, 128) @ np.random.rand(128, 10)  # noqa: SHP101  # E: SHP100\n']
