"""Shape rules by API family; importing this package registers them all."""
from __future__ import annotations

import importlib

_FAMILIES = ("tensor", "torch_nn")


def load_all() -> None:
    for name in _FAMILIES:
        importlib.import_module(f"{__name__}.{name}")


load_all()
