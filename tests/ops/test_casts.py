"""Casts set the dtype they name (``astype("float32")``, ``.to(torch.long)``, ``type_as(y)``) and
leave it unknown where the checker cannot read the argument (``.to(device)``): an editor's hover
shows the dtype, so it must never be the one from before the cast."""
from __future__ import annotations

import pytest

import shapecheck.ops  # noqa: F401 - registers every rule
from shapecheck.ops import registry as R
from shapecheck.ops.registry import Call
from shapecheck.shapes import Shape
from shapecheck.values import UNKNOWN, Const, Ext, Tensor


def _cast(qualname: str, kind: str, *args, **kwargs) -> object:
    x = Tensor(Shape((3, 4)), "numpy" if qualname.startswith("numpy") else "torch", kind)
    fn = R.lookup_func(qualname)
    assert fn is not None
    out = fn(Call([x, *args], kwargs, qualname=qualname))
    assert isinstance(out, Tensor) and str(out.shape) == "(3, 4)"
    return out.dtype


@pytest.mark.parametrize("arg, want", [
    (Const("float32"), "float"), (Ext("numpy.float64"), "float"), (Ext("builtins.float"), "float"),
    (Ext("numpy.uint8"), "int"), (Const("int64"), "int"), (Ext("builtins.bool"), "bool"),
    (Const("complex64"), None), (UNKNOWN, None),
])
def test_astype_takes_the_dtype_it_names(arg, want):
    assert _cast("numpy.ndarray.astype", "int", arg) == want


@pytest.mark.parametrize("args, kwargs, want", [
    ([Ext("torch.long")], {}, "int"), ([Ext("torch.float16")], {}, "float"), ([], {"dtype": Ext("torch.bool")}, "bool"),
    ([Const("cuda")], {}, "float"),  # a device keeps the dtype
    ([Const("cuda"), Ext("torch.int32")], {}, "int"),
    ([UNKNOWN], {}, None),  # ``.to(device)`` or ``.to(dtype)``: which, the checker cannot tell
    ([Tensor(Shape((2,)), "torch", "int")], {}, "int"),  # ``.to(other)``: other's dtype
])
def test_to_takes_the_dtype_it_is_given(args, kwargs, want):
    assert _cast("torch.Tensor.to", "float", *args, **kwargs) == want


def test_type_as_takes_the_other_tensors_dtype():
    assert _cast("torch.Tensor.type_as", "int", Tensor(Shape((5,)), "torch", "float")) == "float"
    assert _cast("torch.Tensor.type_as", "int", UNKNOWN) is None
