"""Which framework a qualified name belongs to: one answer, one place.

Rules used to guess the framework from a name's prefix in several places (``_is_np``, ``_fw``,
``call.qualname.startswith("tensorflow")``), each with its own idea of where ``keras.ops`` or
``operator.matmul`` belong. ``framework_of`` is the only guess left; everything else asks it.

The enum's values are the strings ``Tensor.fw`` already uses (``"torch"``, ``"numpy"``, ``"tf"``,
``"any"``), so ``Framework.TF == "tf"`` holds and existing values need no migration. ``KERAS``
is a framework of its own for *call sites* (``keras.ops.matmul`` has other argument names and
other fixes than ``tf.matmul``); tensors Keras makes are still tagged ``"tf"`` or by their input.
"""
from __future__ import annotations

import enum


class Framework(enum.StrEnum):
    TORCH = "torch"
    NUMPY = "numpy"
    TF = "tf"
    KERAS = "keras"
    # an operator (``a @ b``, ``operator.add``) or a framework-neutral name (``tensor.shape``):
    # the operands decide
    ANY = "any"


# Longest prefixes first where one is a prefix of another (``tf_keras`` is Keras, not TF).
_PREFIXES: tuple[tuple[str, Framework], ...] = (
    ("tensorflow.keras.", Framework.KERAS),
    ("tensorflow.python.keras.", Framework.KERAS),
    ("tf_keras.", Framework.KERAS),
    ("keras.", Framework.KERAS),
    ("tensorflow.", Framework.TF),
    ("numpy.", Framework.NUMPY),
    ("torch.", Framework.TORCH),
)

_METHOD_PREFIXES = ("torch.Tensor.", "numpy.ndarray.", "tensor.", "tensorflow.Tensor.")


def framework_of(qualname: str) -> Framework:
    """The framework that defines ``qualname`` (``ANY`` for operators and unknown names)."""
    for prefix, fw in _PREFIXES:
        if qualname.startswith(prefix) or qualname == prefix[:-1]:
            return fw
    return Framework.ANY


def is_method(qualname: str) -> bool:
    """Whether ``qualname`` names a tensor method (``x.view(...)``) rather than a function
    (``torch.reshape(x, ...)``): messages name methods by their short name."""
    return qualname.startswith(_METHOD_PREFIXES)
