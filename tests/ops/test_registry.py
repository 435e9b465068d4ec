"""Registration hygiene: names are registered once, and every ops module is discovered."""
from __future__ import annotations

import pkgutil
import sys

import pytest

import shapecheck.ops
from shapecheck.ops import registry


def test_registering_a_name_twice_fails() -> None:
    with pytest.raises(ValueError, match="'torch.cat' is registered twice"):
        registry.shape_rule("torch.cat")(lambda call: call)
    with pytest.raises(ValueError, match="registered twice"):
        registry.shape_rule("test.only.a", "test.only.a")(lambda call: call)
    assert "test.only.a" not in registry.FUNCS  # nothing of a failed registration stays

    class Twice(registry.LayerRule):
        pass

    with pytest.raises(ValueError, match="'torch.nn.Linear' is registered twice"):
        registry.layer_rule("torch.nn.Linear")(Twice)
    with pytest.raises(ValueError, match="registered twice"):
        registry.property_rule("tensor.T")(lambda call: call)


def test_every_ops_module_is_imported() -> None:
    """Discovery, not a list: every module and subpackage under shapecheck/ops is loaded."""
    found = {m.name for m in pkgutil.walk_packages(shapecheck.ops.__path__, "shapecheck.ops.")}
    assert {"shapecheck.ops.keras.model", "shapecheck.ops.tensor", "shapecheck.ops.registry"} <= found
    assert found <= set(sys.modules)


def test_keras_models_are_registered_without_importing_them_from_the_layers() -> None:
    assert registry.lookup_layer("keras.Sequential") is not None
    assert registry.lookup_layer("keras.layers.Dense") is not None
