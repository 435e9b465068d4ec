"""Shape rules by API family; importing this package registers them all."""
from __future__ import annotations

import importlib

_FAMILIES = ("tensor", "tensor_shape", "torch_nn", "torch_layers", "torch_functional", "numpy_ops", "keras_layers",
             "tensorflow_ops")


def load_all() -> None:
    for name in _FAMILIES:
        try:
            importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as e:
            if e.name != f"{__name__}.{name}":  # a real import error inside the module
                raise


load_all()
