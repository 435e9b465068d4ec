"""The guard: every registered shape rule has a table row.

For every distinct function in the registry (``FUNCS`` values) and every layer rule (``LAYERS``
values), at least one of its qualified names is the op of some row: an ``OpCase`` of a table
under tests/ops, or a call in the expression tables of test_tf.py/test_keras.py (those rows go
through the interpreter: ``tf.matmul(a, c)``, ``layers.Dense(8)``). A rule counts once however
many names spell it, seen through the registry's wrappers (tests/ops/harness.py ``_unwrapped``).
"""
from __future__ import annotations

import ast

import test_keras
import test_rows
import test_tensor
import test_tf
import test_torch_nn
from harness import OpCase, registered_targets, target_of

from shapecheck.ops import registry

# The rules that had no row when the guard was written, one name each: the list may only shrink.
# A new rule comes with its row; writing a row for one of these means taking it off the list.
NO_ROW_YET = frozenset({
    "builtins.dict", "builtins.enumerate", "builtins.float", "builtins.frozenset", "builtins.int", "builtins.len",
    "builtins.list", "builtins.max", "builtins.range", "builtins.reversed", "builtins.round", "builtins.sum",
    "builtins.zip", "keras.Input", "keras.Model", "keras.Sequential", "keras.applications.ConvNeXtBase",
    "keras.applications.ConvNeXtLarge", "keras.applications.ConvNeXtSmall", "keras.applications.ConvNeXtTiny",
    "keras.applications.ConvNeXtXLarge", "keras.applications.DenseNet121", "keras.applications.DenseNet169",
    "keras.applications.DenseNet201", "keras.applications.EfficientNetB0", "keras.applications.EfficientNetB1",
    "keras.applications.EfficientNetB2", "keras.applications.EfficientNetB3", "keras.applications.EfficientNetB4",
    "keras.applications.EfficientNetB5", "keras.applications.EfficientNetB6", "keras.applications.EfficientNetB7",
    "keras.applications.InceptionResNetV2", "keras.applications.InceptionV3", "keras.applications.MobileNet",
    "keras.applications.MobileNetV2", "keras.applications.MobileNetV3Large", "keras.applications.MobileNetV3Small",
    "keras.applications.NASNetLarge", "keras.applications.NASNetMobile", "keras.applications.ResNet101",
    "keras.applications.ResNet101V2", "keras.applications.ResNet152", "keras.applications.ResNet152V2",
    "keras.applications.ResNet50", "keras.applications.ResNet50V2", "keras.applications.VGG16",
    "keras.applications.VGG19", "keras.applications.Xception", "keras.backend.ndim", "keras.backend.shape",
    "keras.layers.ActivityRegularization", "keras.layers.AdaptiveAveragePooling3D",
    "keras.layers.AdaptiveMaxPooling1D", "keras.layers.AdditiveAttention", "keras.layers.AlphaDropout",
    "keras.layers.AugMix", "keras.layers.AutoContrast", "keras.layers.Dot", "keras.layers.Equalization",
    "keras.layers.GlobalMaxPool2D", "keras.layers.InputLayer", "keras.layers.Masking", "keras.layers.MaxPool3D",
    "keras.layers.Minimum", "keras.layers.RandomColorDegeneration", "keras.layers.RandomColorJitter",
    "keras.layers.RandomElasticTransform", "keras.layers.RandomErasing", "keras.layers.RandomGaussianBlur",
    "keras.layers.RandomHue", "keras.layers.RandomInvert", "keras.layers.RandomPerspective",
    "keras.layers.RandomPosterization", "keras.layers.RandomSaturation", "keras.layers.RandomSharpness",
    "keras.layers.RandomShear", "keras.layers.Solarization", "keras.layers.SpatialDropout3D",
    "keras.layers.StringLookup", "keras.layers.ThresholdedReLU", "keras.layers.add", "keras.layers.average",
    "keras.layers.concatenate", "keras.layers.dot", "keras.layers.maximum", "keras.layers.minimum",
    "keras.layers.multiply", "keras.layers.subtract", "keras.losses.BinaryCrossentropy",
    "keras.losses.BinaryFocalCrossentropy", "keras.losses.CategoricalCrossentropy",
    "keras.losses.CategoricalFocalCrossentropy", "keras.losses.CategoricalHinge", "keras.losses.CosineSimilarity",
    "keras.losses.Hinge", "keras.losses.Huber", "keras.losses.KLDivergence", "keras.losses.LogCosh",
    "keras.losses.MeanAbsoluteError", "keras.losses.MeanAbsolutePercentageError", "keras.losses.MeanSquaredError",
    "keras.losses.MeanSquaredLogarithmicError", "keras.losses.Poisson", "keras.losses.SparseCategoricalCrossentropy",
    "keras.losses.SquaredHinge", "keras.np_utils.to_categorical", "math.ceil", "math.prod", "numpy.abs", "numpy.add",
    "numpy.arange", "numpy.array", "numpy.diff", "numpy.empty", "numpy.empty_like", "numpy.eye", "numpy.geomspace",
    "numpy.ndarray.tolist", "numpy.random.Generator", "numpy.random.Generator.binomial", "numpy.random.rand",
    "numpy.size", "numpy.where", "operator.add", "operator.and_", "operator.compare", "operator.floordiv",
    "operator.mod", "operator.mul", "operator.or_", "operator.pow", "operator.sub", "operator.truediv",
    "operator.xor", "tensor.size_index_error", "tensorflow.InteractiveSession", "tensorflow.InteractiveSession.run",
    "tensorflow.add_n", "tensorflow.compat.v1.layers.dense", "tensorflow.compat.v1.placeholder", "torch.FloatTensor",
    "torch.Tensor.copy_", "torch.Tensor.dim", "torch.Tensor.size", "torch.Tensor.to_dtype", "torch.Tensor_literal",
    "torch.avg_pool3d", "torch.conv_transpose3d", "torch.full", "torch.lp_pool1d", "torch.lp_pool2d",
    "torch.lp_pool3d", "torch.max_pool3d", "torch.nn.AdaptiveAvgPool3d", "torch.nn.AdaptiveMaxPool2d",
    "torch.nn.AdaptiveMaxPool3d", "torch.nn.AlphaDropout", "torch.nn.CELU", "torch.nn.CircularPad1d",
    "torch.nn.CircularPad2d", "torch.nn.CircularPad3d", "torch.nn.ConstantPad1d", "torch.nn.ConstantPad3d",
    "torch.nn.Dropout1d", "torch.nn.Dropout3d", "torch.nn.ELU", "torch.nn.Embedding.from_pretrained",
    "torch.nn.FeatureAlphaDropout", "torch.nn.Hardshrink", "torch.nn.Hardsigmoid", "torch.nn.Hardswish",
    "torch.nn.Hardtanh", "torch.nn.HuberLoss", "torch.nn.InstanceNorm3d", "torch.nn.KLDivLoss", "torch.nn.LPPool1d",
    "torch.nn.LPPool3d", "torch.nn.LazyBatchNorm1d", "torch.nn.LazyBatchNorm3d", "torch.nn.LazyConv1d",
    "torch.nn.LazyConv3d", "torch.nn.LazyConvTranspose1d", "torch.nn.LazyConvTranspose3d",
    "torch.nn.LazyInstanceNorm1d", "torch.nn.LazyInstanceNorm2d", "torch.nn.LazyInstanceNorm3d",
    "torch.nn.LogSigmoid", "torch.nn.Mish", "torch.nn.ModuleDict", "torch.nn.ModuleList", "torch.nn.Parameter",
    "torch.nn.PoissonNLLLoss", "torch.nn.RReLU", "torch.nn.ReLU6", "torch.nn.ReflectionPad2d",
    "torch.nn.ReflectionPad3d", "torch.nn.ReplicationPad2d", "torch.nn.ReplicationPad3d", "torch.nn.SELU",
    "torch.nn.Sequential", "torch.nn.SiLU", "torch.nn.SoftMarginLoss", "torch.nn.Softmax2d", "torch.nn.Softmin",
    "torch.nn.Softplus", "torch.nn.Softshrink", "torch.nn.Softsign", "torch.nn.SyncBatchNorm", "torch.nn.Tanhshrink",
    "torch.nn.Threshold", "torch.nn.TransformerDecoder", "torch.nn.TransformerEncoder",
    "torch.nn.UpsamplingBilinear2d", "torch.nn.ZeroPad1d", "torch.nn.ZeroPad3d",
    "torch.nn.functional.adaptive_avg_pool3d", "torch.nn.functional.adaptive_max_pool1d",
    "torch.nn.functional.adaptive_max_pool1d_with_indices", "torch.nn.functional.adaptive_max_pool2d_with_indices",
    "torch.nn.functional.adaptive_max_pool3d_with_indices", "torch.nn.functional.max_pool1d_with_indices",
    "torch.nn.functional.max_pool2d_with_indices", "torch.nn.functional.max_pool3d_with_indices",
    "torch.nn.functional.prelu", "torch.randint", "typing.cast",
})

# the import names the expression tables use
_ALIASES = {"tf": "tensorflow", "layers": "keras.layers", "ops": "keras.ops", "np": "numpy", "keras": "keras"}


def _called_names(expr: str) -> set[str]:
    """Qualified names of the calls in one table expression (``layers.Dense(8)`` -> keras.layers.Dense)."""
    out = set()
    for node in ast.walk(ast.parse(expr, mode="eval")):
        if isinstance(node, ast.Call):
            parts = []
            f = node.func
            while isinstance(f, ast.Attribute):
                parts.append(f.attr)
                f = f.value
            if isinstance(f, ast.Name) and f.id in _ALIASES:
                out.add(".".join([_ALIASES[f.id], *reversed(parts)]))
    return out


def _op_cases() -> list[OpCase]:
    cases: list[OpCase] = []
    for module in (test_tensor, test_torch_nn, test_rows):
        for value in vars(module).values():
            if isinstance(value, list) and value and all(isinstance(c, OpCase) for c in value):
                cases.extend(value)
    return cases


def _row_names() -> set[str]:
    names = set()

    def add(case: OpCase) -> None:
        names.add(case.name)
        for a in [*case.args, *case.kwargs.values()]:
            if isinstance(a, OpCase):
                add(a)

    for case in _op_cases():
        add(case)
    for expr, *_ in [*test_tf.TF_CASES, *test_tf.KOPS_CASES, *test_keras.CASES, *test_keras.WEIGHTS]:
        names |= _called_names(expr)
    return names


def _missing() -> list[str]:
    covered = {t for t in (target_of(n) for n in _row_names()) if t is not None}
    return sorted(names[0] for target, names in registered_targets().items() if target not in covered)


def test_every_registered_rule_has_a_row() -> None:
    missing = [n for n in _missing() if n not in NO_ROW_YET]
    assert not missing, f"{len(missing)} registered rules have no table row (one name each):\n" + "\n".join(missing)


def test_the_list_of_rules_without_rows_only_shrinks() -> None:
    """An entry of NO_ROW_YET that has a row now (or names nothing registered) must leave the list."""
    missing = set(_missing())
    stale = sorted(NO_ROW_YET - missing)
    assert not stale, "take off NO_ROW_YET in tests/ops/test_coverage.py: " + ", ".join(stale)


def test_the_guard_counts_functions_and_layers() -> None:
    """A guard for the guard: it sees the whole registry and the rows of every table."""
    targets = registered_targets()
    assert sum(len(names) for names in targets.values()) == len(registry.FUNCS) + len(registry.LAYERS)
    assert len(targets) > 400
    names = _row_names()
    assert {"torch.cat", "torch.nn.Conv2d", "tensorflow.matmul", "keras.ops.matmul", "keras.layers.Dense"} <= names
