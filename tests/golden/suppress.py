"""Suppressions: `# noqa: SHPxxx`, `# shapecheck: ignore[...]`, blanket forms, and SHP100 for a
suppression naming a code that reported nothing on its line."""
import numpy as np

a = np.random.rand(64, 128)
w = np.random.rand(100, 10)
good = np.random.rand(128, 10)

y = a @ w  # noqa: SHP101
y = a @ w  # noqa:SHP101
y = a @ w  # NOQA: shp101
y = a @ w  # noqa
y = a @ w  # noqa: SHP101, E501
y = a @ w  # noqa: E501, SHP101
y = a @ w  # shapecheck: ignore[SHP101]
y = a @ w  # shapecheck: ignore
y = a @ w  # shapecheck: ignore[SHP101, SHP501]  # E: SHP100
y = a @ w  # noqa: E501  # E: SHP101
y = a @ w  # noqa: SHP102  # E: SHP100, SHP101
y = a @ w  # a comment that mentions noqa is not a suppression  # E: SHP101

y = a @ good  # noqa: SHP101  # E: SHP100
y = a @ good  # shapecheck: ignore[SHP101]  # E: SHP100
y = a @ good  # noqa
y = a @ good  # shapecheck: ignore
y = a @ good  # noqa: E501
text = "a @ w  # noqa: SHP101"
