"""scikit-learn as Keras tutorials use it between the arrays and ``model.fit``: splitting, shuffling
and preprocessing that keeps (or sets) the number of columns. Only shapes; sklearn's own errors
(inconsistent lengths, a 1-D ``X``) are no shape bug this checker names, so they give unknowns.

- ``train_test_split(*arrays, test_size=None, train_size=None)``: ``[a_train, a_test, b_train,
  b_test, ...]``, rows as sklearn's ``_validate_shuffle_split`` computes them: a float test size
  takes ``ceil(test_size * n)`` rows, a float train size ``floor(train_size * n)``, an int that
  many; the other part the rest; neither given: ``test_size=0.25``. Where ``n`` or a size is not
  known the rows are symbolic, the same for every array (``X_train`` and ``y_train`` agree);
- ``shuffle(*arrays, n_samples=None)``: the arrays (one array: itself);
- scalers (``StandardScaler``, ``MinMaxScaler``, ...): ``fit_transform``/``transform``/
  ``inverse_transform`` of a 2-D ``X`` give its shape, as float; ``fit`` gives the scaler;
- ``LabelEncoder``: ``(n,)`` int labels of ``(n,)`` or ``(n, 1)``; ``OneHotEncoder`` and
  ``LabelBinarizer``: ``(n, k)``, ``k`` the categories seen (unknown; the same for each call of
  one encoder); ``PCA``/``TruncatedSVD(n_components=k)``: ``(n, k)``.
"""
from __future__ import annotations

import math
from typing import Optional

from .. import dims as D
from ..dims import Dim
from ..shapes import Shape
from ..values import UNKNOWN, Const, Int, Layer, Seq, Tensor, Value, as_dim, tensor_of
from .registry import Call, LayerRule, layer_rule, shape_rule

FW = "numpy"
_DEFAULT_TEST_SIZE = 0.25


def _size_arg(v: Value) -> object:
    """A ``test_size``/``train_size``: None (not given), a float, an int, or UNKNOWN."""
    if isinstance(v, Const) and v.value is None:
        return None
    if isinstance(v, Const) and isinstance(v.value, float):
        return v.value
    d = as_dim(v)
    return d if d is not None else UNKNOWN


def _part(size: object, n: Dim, rounding: str) -> Optional[Dim]:
    """The rows a float or int size asks for (sklearn: ``ceil`` for the test part, ``floor`` for the
    train part of a float); None where sklearn raises or the size is not understood."""
    if isinstance(size, float):
        if not 0.0 < size < 1.0:
            return None
        k = D.as_int(n)
        if k is not None:
            return math.ceil(size * k) if rounding == "ceil" else math.floor(size * k)
        # (named without operators: ``N - ceil(0.2N)`` prints as ``-ceil(0.2N) + N``, not with parentheses)
        name = D.fmt(n) if D.fmt(n).isidentifier() else "n"
        return D.computed(f"{rounding}({size!r}{name})")
    if size is UNKNOWN:
        return D.computed("n_test" if rounding == "ceil" else "n_train")
    return size  # an int or a symbolic size


def split_rows(n: Dim, test: object, train: object) -> Optional[tuple]:
    """``(n_train, n_test)`` as sklearn's ``_validate_shuffle_split``; None where it raises."""
    if test is None and train is None:
        test = _DEFAULT_TEST_SIZE
    if isinstance(test, float) and isinstance(train, float) and test + train > 1:
        return None  # sklearn: "the sum of test_size and train_size should be in the (0, 1) range"
    whole = D.as_int(n)
    for size in (test, train):
        if isinstance(size, int) and whole is not None and not 0 < size < whole:
            return None  # sklearn: an int size must be in [1, n_samples)
    n_test = _part(test, n, "ceil") if test is not None else None
    n_train = _part(train, n, "floor") if train is not None else None
    if test is not None and n_test is None or train is not None and n_train is None:
        return None
    if n_train is None:
        assert n_test is not None
        n_train = D.sub(n, n_test)
    elif n_test is None:
        n_test = D.sub(n, n_train)
    a, b = D.as_int(n_train), D.as_int(n_test)
    if a is not None and b is not None and (a <= 0 or b <= 0 or (whole is not None and a + b > whole)):
        return None  # sklearn raises (an empty part, or more rows than there are)
    return n_train, n_test


def _rows(arrays: list) -> Optional[Dim]:
    """The common number of rows of the arrays; None where unknown or where they differ."""
    n: Optional[Dim] = None
    for a in arrays:
        t = tensor_of(a)
        if t is None or t.shape.variadic or not t.shape.dims:
            continue
        d = t.shape.dims[0]
        if n is None:
            n = d
        elif D.compare(n, d, None, unify=False) is D.FALSE:
            return None
    return n


def _with_rows(a: Value, rows: Dim) -> Value:
    t = tensor_of(a)
    if t is None or t.shape.variadic or not t.shape.dims:
        return UNKNOWN
    return Tensor(Shape((rows,) + t.shape.dims[1:]), FW, t.dtype)


@shape_rule("sklearn.model_selection.train_test_split", "sklearn.cross_validation.train_test_split",
            "sklearn.model_selection._split.train_test_split")
def train_test_split(call: Call) -> Value:
    """``train_test_split(*arrays, test_size=None, train_size=None, ...)``."""
    arrays = list(call.args)
    if not arrays:
        return UNKNOWN
    n = _rows(arrays)
    if n is None:
        if any(tensor_of(a) is not None for a in arrays):
            return UNKNOWN
        n = D.computed("n_samples")
    got = split_rows(n, _size_arg(call.get(None, "test_size", None)), _size_arg(call.get(None, "train_size", None)))
    if got is None:
        return UNKNOWN
    n_train, n_test = got
    out: list = []
    for a in arrays:
        out += [_with_rows(a, n_train), _with_rows(a, n_test)]
    return Seq(out, "list")


@shape_rule("sklearn.utils.shuffle", "sklearn.utils._indexing.shuffle", "sklearn.utils.resample")
def shuffle(call: Call) -> Value:
    """``shuffle(*arrays, n_samples=None)`` / ``resample(...)``: the arrays, rows permuted (or sampled)."""
    arrays = list(call.args)
    if not arrays:
        return UNKNOWN
    n = _rows(arrays)
    rows = call.dim(None, "n_samples") if not call.is_none(None, "n_samples") else n
    if rows is None:
        return UNKNOWN
    out = [_with_rows(a, rows) for a in arrays]
    return out[0] if len(out) == 1 else Seq(out, "list")


def _matrix(call: Call, i: int = 0) -> Optional[Tensor]:
    """A 2-D ``X`` (sklearn raises on another rank)."""
    t = call.tensor(i, "X")
    if t is None:
        return None
    s = call.shape(t)
    if not s.variadic and len(s.dims) != 2:
        return None
    return t


@shape_rule("sklearn.preprocessing.scale", "sklearn.preprocessing.minmax_scale", "sklearn.preprocessing.maxabs_scale",
            "sklearn.preprocessing.robust_scale", "sklearn.preprocessing.normalize")
def scale(call: Call) -> Value:
    """``scale(X)`` and the other scaling functions: ``X``'s shape, float."""
    t = call.tensor(0, "X")
    if t is None:
        return UNKNOWN
    s = call.shape(t)
    if not s.variadic and len(s.dims) not in ((1, 2) if call.has(None, "axis") else (2,)):
        return UNKNOWN
    return Tensor(s, FW, "float")


class Estimator(LayerRule):
    """An sklearn transformer object: ``fit`` gives it back; ``fit_transform``/``transform`` map data."""

    framework = FW

    def build(self, call: Call) -> Optional[dict]:
        return {}

    def out(self, layer: Layer, call: Call) -> Value:
        return UNKNOWN

    def method_fit(self, layer: Layer, call: Call) -> Value:
        return layer

    def method_fit_transform(self, layer: Layer, call: Call) -> Value:
        return self.out(layer, call)

    def method_transform(self, layer: Layer, call: Call) -> Value:
        return self.out(layer, call)


_SCALERS = ("StandardScaler", "MinMaxScaler", "MaxAbsScaler", "RobustScaler", "Normalizer", "QuantileTransformer",
            "PowerTransformer", "Binarizer")


@layer_rule(*[f"sklearn.preprocessing.{c}" for c in _SCALERS])
class Scaler(Estimator):
    """A scaler keeps ``X``'s shape (a 2-D array), as float."""

    def out(self, layer: Layer, call: Call) -> Value:
        t = _matrix(call)
        return UNKNOWN if t is None else Tensor(call.shape(t), FW, "float")

    def method_inverse_transform(self, layer: Layer, call: Call) -> Value:
        return self.out(layer, call)


@layer_rule("sklearn.preprocessing.LabelEncoder")
class LabelEncoder(Estimator):
    """Labels to ints ``0..k-1``: ``(n,)`` of ``(n,)`` or of a column ``(n, 1)`` (sklearn ravels it)."""

    def out(self, layer: Layer, call: Call) -> Value:
        t = call.tensor(0, "y")
        if t is None:
            return UNKNOWN
        s = call.shape(t)
        if s.variadic or not (len(s.dims) == 1 or len(s.dims) == 2 and D.as_int(s.dims[1]) == 1):
            return UNKNOWN
        return Tensor(Shape(s.dims[:1]), FW, "int")


@layer_rule("sklearn.preprocessing.OneHotEncoder", "sklearn.preprocessing.LabelBinarizer",
            "sklearn.preprocessing.MultiLabelBinarizer")
class Encoder(Estimator):
    """One column per category seen in ``fit``: ``(n, k)``, ``k`` unknown but one per encoder."""

    def build(self, call: Call) -> Optional[dict]:
        return {"columns": D.computed("number of categories")}

    def out(self, layer: Layer, call: Call) -> Value:
        t = call.tensor(0, "X") or call.tensor(0, "y")
        if t is None:
            return UNKNOWN
        s = call.shape(t)
        if s.variadic or not s.dims:
            return UNKNOWN
        return Tensor(Shape((s.dims[0], layer.config["columns"])), FW, "float")


@layer_rule("sklearn.decomposition.PCA", "sklearn.decomposition.TruncatedSVD")
class Decomposition(Estimator):
    """``(n, n_components)`` of a 2-D ``X``."""

    def build(self, call: Call) -> Optional[dict]:
        v = call.get(0, "n_components")
        k = as_dim(v)
        if isinstance(v, Int) and k is not None:
            return {"k": k}
        return {"k": D.computed("n_components")}

    def out(self, layer: Layer, call: Call) -> Value:
        t = _matrix(call)
        if t is None or call.shape(t).variadic:
            return UNKNOWN
        return Tensor(Shape((call.shape(t).dims[0], layer.config["k"])), FW, "float")
