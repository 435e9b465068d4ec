"""What the TensorFlow and ``keras.ops`` adapters share: the ``tf()``/``kops()`` spellings, the ``Api``
signature a shared rule is registered under (``tf_kops``), and the result's framework.

Every TF function is registered as ``tensorflow.X``, ``tensorflow.compat.v1.X`` and
``tensorflow.compat.v2.X``; TF tensors are ``Tensor(shape, fw="tf")``."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Optional

from ... import dims as D
from ...framework import Framework, framework_of
from ...shapes import Shape
from ...values import Tensor, Value
from ..common import out_dtype, out_fw
from ..keras.base import shape_tuple
from ..registry import Call, shape_rule


def tf(*names: str) -> tuple:
    out = []
    for n in names:
        out += [f"tensorflow.{n}", f"tensorflow.compat.v1.{n}", f"tensorflow.compat.v2.{n}"]
    return tuple(out)


def kops(*names: str) -> tuple:
    out = []
    for n in names:
        out += [f"keras.ops.{n}", f"keras.src.ops.numpy.{n}", f"keras.backend.{n}"]
    return tuple(out)


@dataclass(frozen=True)
class Api:
    """The framework signature a shared TF/``keras.ops`` rule was registered under.

    ``tf.squeeze(input, axis)`` and ``keras.ops.squeeze(x, axis)`` share their shape math but not
    their argument names, defaults or quirks. Each rule is registered once per signature
    (``tf_kops``) and receives the ``Api`` it was registered as, instead of guessing the
    framework from the qualified name it was called by."""

    fw: Framework

    @property
    def tf(self) -> bool:
        return self.fw is Framework.TF

    def arg(self, tf_name: str, keras_name: str) -> str:
        """The argument's name in this signature."""
        return tf_name if self.tf else keras_name

    @property
    def tensor_fw(self) -> str:
        """What tensors a constructor of this API makes are tagged with."""
        return "tf" if self.tf else "keras"


TF_API, KOPS_API = Api(Framework.TF), Api(Framework.KERAS)


def tf_kops(tf_names: tuple, kops_names: tuple) -> Callable:
    """Register ``fn(call, api)`` as two rules: one under the TF names, one under ``keras.ops``'s."""

    def register(fn: Callable[[Call, Api], Value]) -> Callable[[Call, Api], Value]:
        for names, api in ((tf_names, TF_API), (kops_names, KOPS_API)):
            def bound(call: Call, _api: Api = api) -> Value:
                return fn(call, _api)
            bound.__name__ = bound.__qualname__ = f"{fn.__name__}[{api.fw.value}]"
            bound.__doc__ = fn.__doc__
            shape_rule(*names)(bound)
        return fn

    return register


def _fw(call: Call, *ts: Optional[Tensor]) -> str:
    """The result's framework: TF functions make TF tensors; ``keras.ops`` keeps its inputs'."""
    if framework_of(call.qualname) is Framework.TF:
        return "tf"
    return out_fw(*ts) if any(t is not None for t in ts) else "keras"


def _t(call: Call, shape: Shape, *like: Optional[Tensor], dtype: Optional[str] = None) -> Tensor:
    return Tensor(shape, _fw(call, *like), dtype if dtype is not None else out_dtype(*like))


def _dims(v: Value) -> Optional[list]:
    """A shape argument: a list/tuple of sizes (``None``/-1 kept as opaque / -1), or a TF shape."""
    if isinstance(v, Tensor):
        return None
    return shape_tuple(v)


def _shape(call: Call, t: Tensor) -> Shape:
    return call.shape(t)


def known_ints(v: Value) -> Optional[list[int]]:
    """A list of sizes or axes as ints (a lone int is a one-item list); None where one is not known."""
    ds = shape_tuple(v)
    if ds is None:
        return None
    out = [D.as_int(d) if d is not None else None for d in ds]
    return None if any(i is None for i in out) else [i for i in out if i is not None]
