"""Data plumbing between arrays and Keras ``fit``: scikit-learn's splitting and preprocessing,
``tf.data`` datasets and Keras image iterators (``shapecheck/ops/sklearn.py``,
``ops/tensorflow/data.py``, ``ops/keras/preprocessing.py``, ``ops/streams.py``).

The rows are checked through the registry and, for scikit-learn, against scikit-learn itself
where it is installed (the oracle test skips without it). A stream's rows print the stream; what
it yields is checked by ``ELEMENTS``. The row arithmetic of ``train_test_split`` is compared
with scikit-learn's over a grid of sizes.
"""
from __future__ import annotations

import pytest
from harness import OpCase, S, build, make_call, row_tests, run, show

from shapecheck.ops import registry
from shapecheck.ops.sklearn import split_rows
from shapecheck.ops.streams import element_of

DS = "Layer(tensorflow.data.Dataset)"

SKLEARN_ROWS = [
    OpCase("sklearn.model_selection.train_test_split", ["(100, 2)", "(100,)"], {"test_size": 0.2},
           expect="[(80, 2), (20, 2), (80,), (20,)]", fw="numpy"),
    OpCase("sklearn.model_selection.train_test_split", ["(4725, 6)", "(4725, 2)"], {"test_size": 0.2},
           expect="[(3780, 6), (945, 6), (3780, 2), (945, 2)]", fw="numpy"),
    OpCase("sklearn.model_selection.train_test_split", ["(10, 3)"], expect="[(7, 3), (3, 3)]", fw="numpy"),
    OpCase("sklearn.model_selection.train_test_split", ["(10, 3)", "(10,)"], {"test_size": 3},
           expect="[(7, 3), (3, 3), (7,), (3,)]", fw="numpy"),
    OpCase("sklearn.model_selection.train_test_split", ["(10, 3)"], {"train_size": 0.75},
           expect="[(7, 3), (3, 3)]", fw="numpy"),
    OpCase("sklearn.model_selection.train_test_split", ["(10, 3)"], {"train_size": 4, "test_size": 2},
           expect="[(4, 3), (2, 3)]", fw="numpy"),
    OpCase("sklearn.model_selection.train_test_split", ["(33, 2, 5)", S("(33,)", "int"), "(33, 1)"],
           {"test_size": 0.33}, expect="[(22, 2, 5), (11, 2, 5), (22,), (11,), (22, 1), (11, 1)]", fw="numpy"),
    # symbolic rows: the train and test parts add up to N, the same for every array
    OpCase("sklearn.model_selection.train_test_split", ["(N, 3)", "(N,)"], {"test_size": 0.2},
           expect="[(-ceil(0.2N) + N, 3), (ceil(0.2N), 3), (-ceil(0.2N) + N,), (ceil(0.2N),)]", fw="numpy"),
    # sklearn raises (lengths differ, an empty part): no shapes
    OpCase("sklearn.model_selection.train_test_split", ["(10, 3)", "(9,)"], expect="unknown", fw="numpy",
           no_oracle="sklearn raises; the checker names no bug for it"),
    OpCase("sklearn.model_selection.train_test_split", ["(10, 3)"], {"test_size": 1.5}, expect="unknown",
           fw="numpy", no_oracle="sklearn raises; the checker names no bug for it"),
    OpCase("sklearn.cross_validation.train_test_split", ["(8, 2)"], {"test_size": 0.5},
           expect="[(4, 2), (4, 2)]", fw="numpy", no_oracle="the module is gone from sklearn"),
    OpCase("sklearn.utils.shuffle", ["(10, 3)", "(10,)"], expect="[(10, 3), (10,)]", fw="numpy"),
    OpCase("sklearn.utils.shuffle", ["(10, 3)"], expect="(10, 3)", fw="numpy"),
    OpCase("sklearn.utils.resample", ["(10, 3)"], {"n_samples": 4}, expect="(4, 3)", fw="numpy"),
    OpCase("sklearn.preprocessing.scale", ["(10, 3)"], expect="(10, 3)", fw="numpy"),
    OpCase("sklearn.preprocessing.minmax_scale", ["(10, 3)"], expect="(10, 3)", fw="numpy"),
    OpCase("sklearn.preprocessing.normalize", ["(10, 3)"], expect="(10, 3)", fw="numpy"),
    # the estimators: built here, their methods in ESTIMATOR_METHODS
    OpCase("sklearn.preprocessing.StandardScaler", [], expect="Layer(sklearn.preprocessing.StandardScaler)",
           fw="numpy"),
    OpCase("sklearn.preprocessing.LabelEncoder", [], expect="Layer(sklearn.preprocessing.LabelEncoder)",
           fw="numpy"),
    OpCase("sklearn.preprocessing.OneHotEncoder", [], expect="Layer(sklearn.preprocessing.OneHotEncoder)",
           fw="numpy"),
    OpCase("sklearn.decomposition.PCA", [2], expect="Layer(sklearn.decomposition.PCA)", fw="numpy"),
]

# (constructor row, method, its arguments, the printed result)
ESTIMATOR_METHODS = [
    (OpCase("sklearn.preprocessing.StandardScaler", [], fw="numpy"), "fit_transform", ["(100, 2)"], "(100, 2)"),
    (OpCase("sklearn.preprocessing.MinMaxScaler", [], fw="numpy"), "fit_transform", ["(20, 5)"], "(20, 5)"),
    (OpCase("sklearn.preprocessing.RobustScaler", [], fw="numpy"), "fit_transform", ["(20, 5)"], "(20, 5)"),
    (OpCase("sklearn.preprocessing.MaxAbsScaler", [], fw="numpy"), "fit_transform", ["(20, 5)"], "(20, 5)"),
    (OpCase("sklearn.preprocessing.Normalizer", [], fw="numpy"), "fit_transform", ["(20, 5)"], "(20, 5)"),
    (OpCase("sklearn.preprocessing.StandardScaler", [], fw="numpy"), "transform", ["(7, 2)"], "(7, 2)"),
    (OpCase("sklearn.preprocessing.StandardScaler", [], fw="numpy"), "inverse_transform", ["(7, 2)"], "(7, 2)"),
    # sklearn needs a 2-D X: no shape for a 1-D one
    (OpCase("sklearn.preprocessing.StandardScaler", [], fw="numpy"), "fit_transform", ["(100,)"], "unknown"),
    (OpCase("sklearn.preprocessing.LabelEncoder", [], fw="numpy"), "fit_transform", [S("(30,)", "int")], "(30,)"),
    (OpCase("sklearn.preprocessing.LabelEncoder", [], fw="numpy"), "fit_transform", [S("(30, 1)", "int")], "(30,)"),
    (OpCase("sklearn.preprocessing.OneHotEncoder", [], fw="numpy"), "fit_transform", [S("(30, 1)", "int")],
     "(30, number of categories)"),
    (OpCase("sklearn.preprocessing.LabelBinarizer", [], fw="numpy"), "fit_transform", [S("(30,)", "int")],
     "(30, number of categories)"),
    (OpCase("sklearn.decomposition.PCA", [3], fw="numpy"), "fit_transform", ["(30, 8)"], "(30, 3)"),
    (OpCase("sklearn.decomposition.TruncatedSVD", [], {"n_components": 2}, fw="numpy"), "fit_transform",
     ["(30, 8)"], "(30, 2)"),
]

DATA_ROWS = [
    OpCase("tensorflow.data.Dataset.from_tensor_slices", [("(100, 8)", S("(100,)", "int"))], expect=DS),
    OpCase("tensorflow.data.Dataset.from_tensor_slices", ["(100, 28, 28)"], expect=DS),
    OpCase("tensorflow.data.Dataset.from_tensor_slices", [{"a": "(10, 3)", "b": "(10,)"}], expect=DS),
    OpCase("tensorflow.data.Dataset.from_tensor_slices", [("(100, 8)", "(99,)")], expect=DS),
    OpCase("tensorflow.data.Dataset.from_tensors", [("(4, 8)", "(4,)")], expect=DS),
    OpCase("tensorflow.data.Dataset.range", [10], expect=DS),
    OpCase("tensorflow.data.Dataset.zip", [(OpCase("tensorflow.data.Dataset.from_tensor_slices", ["(10, 3)"]),
                                            OpCase("tensorflow.data.Dataset.range", [10]))], expect=DS),
    OpCase("tensorflow.data.Dataset", [], expect=DS),
    OpCase("keras.utils.image_dataset_from_directory", ["photos"], {"image_size": (180, 180)}, expect=DS,
           no_oracle="reads a folder of images"),
    OpCase("keras.utils.image_dataset_from_directory", ["photos"],
           {"label_mode": "categorical", "class_names": ["a", "b", "c"], "color_mode": "grayscale"}, expect=DS,
           no_oracle="reads a folder of images"),
    OpCase("keras.utils.image_dataset_from_directory", ["photos"], {"label_mode": "binary", "batch_size": None},
           expect=DS, no_oracle="reads a folder of images"),
    OpCase("keras.preprocessing.image.ImageDataGenerator", [], {"rescale": 0.5},
           expect="Layer(keras.preprocessing.image.ImageDataGenerator)", no_oracle="a Keras 2 API (tf_keras)"),
    OpCase("keras.preprocessing.image.Iterator", [], expect="Layer(keras.preprocessing.image.Iterator)",
           no_oracle="an abstract base"),
]

# what each stream row yields, in DATA_ROWS order
ELEMENTS = [
    "[(8,), ()]",
    "(28, 28)",
    "{'a': (3,), 'b': ()}",
    "unknown",  # the first axes differ: TF raises
    "[(4, 8), (4,)]",
    "()",
    "[(3,), ()]",
    "unknown",
    "[(None, 180, 180, 3), (None,)]",
    "[(None, 256, 256, 1), (None, 3)]",
    "[(256, 256, 3), (1,)]",
    None,
    "unknown",
]

ROWS = SKLEARN_ROWS + DATA_ROWS

test_row, test_row_against_the_framework = row_tests(ROWS)


@pytest.mark.parametrize("case,element", [pytest.param(c, e, id=str(c)) for c, e in zip(DATA_ROWS, ELEMENTS)
                                          if e is not None])
def test_stream_element(case: OpCase, element: str) -> None:
    got = element_of(run(case))
    assert got is not None
    assert show(got) == element


def _method(case: OpCase, name: str, args: list):  # noqa: ANN202 - a Value
    layer = build(case)
    assert layer is not None
    rule = registry.lookup_layer(layer.kind)
    assert rule is not None
    meth = rule.method(name)
    assert meth is not None, f"{layer.kind} has no {name}"
    return meth(layer, make_call(f"{layer.kind}.{name}", args, {}, "numpy"))


@pytest.mark.parametrize("case,name,args,expect", [pytest.param(*r, id=f"{r[0]}.{r[1]}{tuple(r[2])}")
                                                   for r in ESTIMATOR_METHODS])
def test_estimator_method(case: OpCase, name: str, args: list, expect: str) -> None:
    assert show(_method(case, name, args)) == expect


def test_encoder_columns_are_one_size_per_encoder() -> None:
    """``enc.fit_transform(a)`` and ``enc.transform(b)`` have the same columns; two encoders need not."""
    case = OpCase("sklearn.preprocessing.OneHotEncoder", [], fw="numpy")
    layer = build(case)
    other = build(case)
    assert layer is not None and other is not None
    rule = registry.lookup_layer(layer.kind)
    assert rule is not None
    a = rule.method("fit_transform")(layer, make_call("fit_transform", [S("(30, 1)", "int")], {}, "numpy"))
    b = rule.method("transform")(layer, make_call("transform", [S("(5, 1)", "int")], {}, "numpy"))
    c = rule.method("transform")(other, make_call("transform", [S("(5, 1)", "int")], {}, "numpy"))
    assert a.shape.dims[1] is b.shape.dims[1]
    assert c.shape.dims[1] is not a.shape.dims[1]


def _real_sklearn():
    try:
        import sklearn  # noqa: F401
    except ImportError:
        return None
    return sklearn


@pytest.mark.parametrize("case,name,args,expect", [pytest.param(*r, id=f"{r[0]}.{r[1]}{tuple(r[2])}")
                                                   for r in ESTIMATOR_METHODS if r[3] != "unknown"])
def test_estimator_method_against_sklearn(case: OpCase, name: str, args: list, expect: str) -> None:
    if _real_sklearn() is None:
        pytest.skip("scikit-learn is not installed")
    import importlib

    import numpy as np

    mod, cls = case.name.rsplit(".", 1)
    est = getattr(importlib.import_module(mod), cls)(*case.args, **case.kwargs)
    real_args = []
    for a in args:
        shape = a.shape if isinstance(a, S) else a
        dims = tuple(int(p) for p in shape.strip("()").split(",") if p.strip())
        rng = np.random.default_rng(0)
        real_args.append(rng.integers(0, 3, dims) if isinstance(a, S) and a.dtype == "int" else rng.random(dims))
    got = getattr(est, name)(*real_args) if name != "transform" and name != "inverse_transform" else getattr(
        est.fit(real_args[0]), name)(*real_args)
    got = got.toarray() if hasattr(got, "toarray") else np.asarray(got)
    printed = show(_method(case, name, args))
    # an encoder's columns are the categories it saw (3 here): unknown to the checker, any count agrees
    want = printed.replace("number of categories", str(got.shape[1]) if got.ndim > 1 else "?")
    assert want == ("(" + ", ".join(str(d) for d in got.shape) + ("," if got.ndim == 1 else "") + ")")


_SIZES = [None, 0.1, 0.2, 0.25, 0.3, 0.33, 0.5, 0.7, 0.9, 1, 2, 3, 7, 10, 25]


def test_train_test_split_rows_against_sklearn() -> None:
    """Every (n, test_size, train_size) of a grid: the same rows as sklearn, or no shapes where it raises."""
    if _real_sklearn() is None:
        pytest.skip("scikit-learn is not installed")
    import warnings

    import numpy as np
    from sklearn.model_selection import train_test_split

    checked = 0
    for n in (1, 2, 3, 4, 5, 7, 10, 11, 13, 20, 33, 50, 99, 100, 101, 4725, 11200):
        x = np.zeros((n, 1))
        for test in _SIZES:
            for train in _SIZES:
                try:
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        a, b = train_test_split(x, test_size=test, train_size=train, random_state=0)
                    real = (len(a), len(b))
                except ValueError:
                    real = None
                assert split_rows(n, test, train) == real, (n, test, train)
                checked += 1
    assert checked > 3000
