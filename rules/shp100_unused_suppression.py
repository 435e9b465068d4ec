"""SHP100 unused-suppression."""
from __future__ import annotations

from shapecheck.rule import Rule


class UnusedSuppression(Rule):
    """## What it does
    Reports a suppression comment whose SHP code reported nothing on its line.

    In detail: a `# noqa: SHPxxx` or `# shapecheck: ignore[SHPxxx]` comment naming a code that
    reported nothing on its line. Blanket forms (`# noqa`, `# shapecheck: ignore`) and codes of
    other tools (`# noqa: E501`) are left alone.

    ## Why is this bad?
    A suppression outlives the bug it was written for: once the line is fixed, the stale
    comment silently hides the next real shape bug on that line. A suppression naming the
    wrong code (`SHP102` where `SHP101` is reported) suppresses nothing at all.

    ## Example
    ```python
    import numpy as np

    h = np.random.rand(64, 128) @ np.random.rand(128, 10)  # noqa: SHP101  (SHP100)
    ```

    Use instead: remove the comment once the line is clean.
    ```python
    h = np.random.rand(64, 128) @ np.random.rand(128, 10)
    ```
    """

    CODE = "SHP100"
    NAME = "unused-suppression"
    SEVERITY = "warning"
    VALID = [
        """\
import numpy as np
h = np.random.rand(64, 128) @ np.random.rand(100, 10)  # noqa: SHP101
""",
        """\
import numpy as np
a = np.random.rand(64, 128)
h = a @ np.random.rand(100, 10)  # shapecheck: ignore[SHP101]
g = a @ np.random.rand(128, 10)  # noqa
k = a @ np.random.rand(128, 10)  # noqa: E501
""",
    ]
    INVALID = [
        """\
import numpy as np
h = np.random.rand(64, 128) @ np.random.rand(128, 10)  # noqa: SHP101  # E: SHP100
""",
        """\
import numpy as np
a = np.random.rand(64, 128)
h = a @ np.random.rand(100, 10)  # noqa: SHP102  # E: SHP100, SHP101
g = a @ np.random.rand(128, 10)  # shapecheck: ignore[SHP101]  # E: SHP100
""",
    ]
