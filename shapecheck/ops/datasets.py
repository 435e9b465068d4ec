"""Datasets whose shapes are documented: what their loaders return, so the data a program loads is
checked against the model it feeds (SHP701/SHP702) instead of being unknown.

- ``keras.datasets.<name>.load_data()`` (also under ``tensorflow.keras.datasets``): one row of
  ``KERAS_DATASETS`` per dataset, giving ``((x_train, y_train), (x_test, y_test))``.
- the TF1 tutorials' MNIST, ``input_data.read_data_sets(dir, one_hot=..., reshape=...,
  validation_size=...)``: a ``Datasets`` object whose ``train``/``validation``/``test`` are
  ``DataSet`` objects with ``images``, ``labels``, ``num_examples`` and ``next_batch(n)``
  (``MNIST_SPLITS`` and the ``DataSet`` rule).

Every row names the source its sizes were checked against. A size that depends on an argument the
checker cannot read (``maxlen=`` of imdb drops the longer reviews; a ``test_split`` that is not a
literal) is a computed size of its own, compared like a setting: nothing is reported against it
unless no value could fit. An argument the loader's current signature does not have makes the
whole result unknown (an older Keras, a local function of the same name).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from .. import dims as D
from ..dims import Dim
from ..shapes import Shape
from ..values import NONE, UNKNOWN, Const, Ext, Int, Layer, Seq, Tensor, Value, as_dim
from .registry import Call, LayerRule, layer_rule, shape_rule

# the coarse dtype kind a Tensor carries, of a NumPy dtype the docs give
_KIND = {"uint8": "int", "int64": "int", "float32": "float", "float64": "float", "object": None}


@dataclass(frozen=True)
class KerasDataset:
    """One ``keras.datasets`` loader: each example's shape and dtype, the label's, and how many rows
    each split has.

    ``rows`` is ``(train, test)`` for a fixed split; for one made by ``test_split`` it is ``None``
    and ``total`` gives the rows split as Keras does, ``int(total * (1 - test_split))`` of them
    for training (``total`` may depend on ``version``, by its value). ``x`` is None for ragged
    sequences (object arrays of lists of word indices): rows only, each row a sequence of a
    length of its own. ``rows_vary_with`` names the arguments that drop rows (``maxlen``)."""

    name: str
    params: tuple[str, ...]  # the loader's parameters, in order (positional arguments bind to them)
    x: Optional[tuple[int, ...]]
    x_dtype: str
    y: tuple[int, ...]
    y_dtype: str
    source: str
    rows: Optional[tuple[int, int]] = None
    total: Optional[dict[str, int]] = None  # version (or "" where there is one) -> rows before the split
    test_split: float = 0.2  # the default
    rows_vary_with: tuple[str, ...] = ()
    legacy: tuple[str, ...] = ()  # keywords older releases took, which change no shape (Keras 2's ``nb_words``)


_DOCS = "https://keras.io/api/datasets/"
_SEQ_PARAMS = ("path", "num_words", "skip_top", "maxlen", "seed", "start_char", "oov_char", "index_from")

# Checked against the Keras 3 sources and docstrings (keras/src/datasets/<name>.py, their
# ``load_data`` docstrings and code) and the pages under https://keras.io/api/datasets/; the same
# shapes hold for tf.keras (Keras 2).
KERAS_DATASETS: dict[str, KerasDataset] = {d.name: d for d in (
    KerasDataset("mnist", ("path",), (28, 28), "uint8", (), "uint8", _DOCS + "mnist/", rows=(60000, 10000)),
    KerasDataset("fashion_mnist", (), (28, 28), "uint8", (), "uint8", _DOCS + "fashion_mnist/",
                 rows=(60000, 10000)),
    KerasDataset("cifar10", (), (32, 32, 3), "uint8", (1,), "uint8", _DOCS + "cifar10/", rows=(50000, 10000)),
    KerasDataset("cifar100", ("label_mode",), (32, 32, 3), "uint8", (1,), "uint8", _DOCS + "cifar100/",
                 rows=(50000, 10000)),
    # x: object arrays of lists of word indices; y: int64 labels (``labels[:idx]``)
    KerasDataset("imdb", _SEQ_PARAMS, None, "object", (), "int64", _DOCS + "imdb/", rows=(25000, 25000),
                 rows_vary_with=("maxlen",), legacy=("nb_words",)),
    KerasDataset("reuters", ("path", "num_words", "skip_top", "maxlen", "test_split", "seed", "start_char",
                             "oov_char", "index_from"), None, "object", (), "int64", _DOCS + "reuters/",
                 total={"": 11228}, rows_vary_with=("maxlen",), legacy=("nb_words",)),
    KerasDataset("boston_housing", ("path", "test_split", "seed"), (13,), "float64", (), "float64",
                 _DOCS + "boston_housing/", total={"": 506}),
    # version="small" keeps the first 600 of the 20640 rows
    KerasDataset("california_housing", ("version", "path", "test_split", "seed"), (8,), "float64", (),
                 "float64", _DOCS + "california_housing/", total={"large": 20640, "small": 600}),
)}


def _keras_names(name: str) -> tuple[str, ...]:
    return (f"keras.datasets.{name}.load_data", f"keras.src.datasets.{name}.load_data")


def _bound(call: Call, params: tuple[str, ...], legacy: tuple[str, ...] = ()) -> Optional[dict[str, Value]]:
    """The loader's arguments by parameter name; None where one is not in its signature."""
    if len(call.args) > len(params) or any(k not in params and k not in legacy for k in call.kwargs):
        return None
    got = dict(zip(params, call.args))
    got.update(call.kwargs)
    return got


def _is_none(v: Value) -> bool:
    return isinstance(v, Const) and v.value is None


def _split_rows(ds: KerasDataset, args: dict[str, Value]) -> tuple[Optional[Dim], Optional[Dim]]:
    """(train rows, test rows), each None where the arguments leave it unknown."""
    if any(not _is_none(args.get(p, NONE)) for p in ds.rows_vary_with):
        return None, None  # (``maxlen=200``: the longer sequences are dropped)
    if ds.rows is not None:
        return ds.rows
    assert ds.total is not None
    if "" in ds.total:
        total: Optional[int] = ds.total[""]
    else:
        v = args.get("version", Const("large"))
        total = ds.total.get(v.value) if isinstance(v, Const) and isinstance(v.value, str) else None
    ts = args.get("test_split", Const(ds.test_split))
    split = ts.value if isinstance(ts, Const) and isinstance(ts.value, float) else (
        as_dim(ts) if as_dim(ts) == 0 else None)
    if total is None or split is None or not 0 <= split < 1:
        return None, None
    train = int(total * (1 - split))  # (Keras's own arithmetic, float rounding included)
    return train, total - train


def keras_load_data(ds: KerasDataset, call: Call) -> Value:
    args = _bound(call, ds.params, ds.legacy)
    if args is None:
        return UNKNOWN
    train, test = _split_rows(ds, args)
    if train is None or test is None:
        train, test = D.computed(f"{ds.name} training rows"), D.computed(f"{ds.name} test rows")
    length = D.computed("len(sequence)") if ds.x is None else None

    def split(n: Dim) -> Seq:
        x_dims = (n, length) if length is not None else (n, *(ds.x or ()))
        x = Tensor(Shape(tuple(x_dims)), "numpy", _KIND[ds.x_dtype])
        y = Tensor(Shape((n, *ds.y)), "numpy", _KIND[ds.y_dtype])
        return Seq([x, y], "tuple")

    return Seq([split(train), split(test)], "tuple")


def _register_keras() -> None:
    for ds in KERAS_DATASETS.values():
        def load_data(call: Call, _ds: KerasDataset = ds) -> Value:
            return keras_load_data(_ds, call)
        load_data.__name__ = load_data.__qualname__ = f"load_data_{ds.name}"
        load_data.__doc__ = f"``keras.datasets.{ds.name}.load_data()``: {ds.source}"
        shape_rule(*_keras_names(ds.name))(load_data)


_register_keras()


# ---------------------------------------------------------------------------------- TF1 MNIST
# Checked against TF 1.x tensorflow/contrib/learn/python/learn/datasets/mnist.py (which
# tensorflow/examples/tutorials/mnist/input_data.py re-exports): ``extract_images`` gives uint8
# (n, 28, 28, 1), ``extract_labels`` uint8 (n,) or, one_hot, ``dense_to_one_hot``'s float64
# (n, 10); ``read_data_sets`` takes the first ``validation_size`` (5000) of the 60000 training
# images for validation; ``DataSet`` reshapes the images to (n, 784) where ``reshape`` (the
# default) and scales them to float32 where ``dtype`` is float32 (the default).
MNIST_SPLITS = {"train": 60000, "test": 10000}
MNIST_IMAGE = (28, 28, 1)
MNIST_CLASSES = 10
MNIST_VALIDATION = 5000
_TF1_MNIST = "tensorflow.contrib.learn.python.learn.datasets.mnist"
_READ_PARAMS = ("train_dir", "fake_data", "one_hot", "dtype", "reshape", "validation_size", "seed", "source_url")
_DATASET_PARAMS = ("images", "labels", "fake_data", "one_hot", "dtype", "reshape", "seed")


def _flag(args: dict[str, Value], name: str, default: bool) -> Optional[bool]:
    v = args.get(name)
    if v is None:
        return default
    if isinstance(v, Const) and isinstance(v.value, bool):
        return v.value
    if isinstance(v, Const) and v.value is None:
        return False
    if isinstance(v, Int) and D.as_int(v.dim) in (0, 1):
        return bool(D.as_int(v.dim))
    return None


def _image_kind(args: dict[str, Value]) -> Optional[str]:
    """``dtype=`` of the images: float32 (the default, scaled to [0, 1]) or uint8."""
    v = args.get("dtype")
    if v is None:
        return "float"
    q = v.qualname if isinstance(v, Ext) else (v.value if isinstance(v, Const) and isinstance(v.value, str) else "")
    if q.endswith("uint8"):
        return "int"
    if q.endswith("float32"):
        return "float"
    return None


def _dataset(images: Value, labels: Value, num: Value, node: object) -> Layer:
    return Layer(f"{_TF1_MNIST}.DataSet", {"images": images, "labels": labels, "num_examples": num}, node)


@layer_rule(f"{_TF1_MNIST}.read_data_sets", "tensorflow.contrib.learn.datasets.mnist.read_data_sets",
            "tensorflow.examples.tutorials.mnist.input_data.read_data_sets")
class ReadDataSets(LayerRule):
    """``read_data_sets(train_dir, fake_data=False, one_hot=False, dtype=float32, reshape=True,
    validation_size=5000, seed=None, source_url=...)``: ``Datasets(train, validation, test)``.
    (A bare ``import input_data`` names a file of the user's -- early tutorials had them copy it,
    others wrote their own for other data -- and is not taken for this one.)"""

    framework = "numpy"

    def build(self, call: Call) -> Optional[dict]:
        args = _bound(call, _READ_PARAMS)
        if args is None or _flag(args, "fake_data", False) is not False:
            return None  # (fake data: Python lists of one fake image)
        one_hot, reshape = _flag(args, "one_hot", False), _flag(args, "reshape", True)
        kind = _image_kind(args)
        v = args.get("validation_size", Int(MNIST_VALIDATION))
        val = D.as_int(as_dim(v)) if as_dim(v) is not None else None
        if val is None or not 0 <= val <= MNIST_SPLITS["train"]:
            val_rows: Dim = D.computed("validation_size")
            train_rows: Dim = D.computed(f"{MNIST_SPLITS['train']} - validation_size")
        else:
            val_rows, train_rows = val, MNIST_SPLITS["train"] - val

        def split(n: Dim) -> Layer:
            images: Value = UNKNOWN if reshape is None else Tensor(
                Shape((n, MNIST_IMAGE[0] * MNIST_IMAGE[1]) if reshape else (n, *MNIST_IMAGE)), "numpy", kind)
            labels: Value = UNKNOWN if one_hot is None else (
                Tensor(Shape((n, MNIST_CLASSES)), "numpy", "float") if one_hot else Tensor(Shape((n,)), "numpy", "int"))
            return _dataset(images, labels, Int(n), call.node)

        return {"train": split(train_rows), "validation": split(val_rows), "test": split(MNIST_SPLITS["test"])}

    def getitem(self, layer: Layer, idx: list) -> Value:
        """``Datasets`` is a namedtuple: ``mnist[0]`` is ``mnist.train``."""
        i = D.as_int(as_dim(idx[0])) if len(idx) == 1 and as_dim(idx[0]) is not None else None
        names = ("train", "validation", "test")
        return layer.config[names[i]] if i is not None and -3 <= i < 3 else UNKNOWN

    def children(self, layer: Layer) -> Optional[list]:
        """``train, validation, test = mnist`` (a namedtuple unpacks)."""
        return [layer.config["train"], layer.config["validation"], layer.config["test"]]


@layer_rule(f"{_TF1_MNIST}.DataSet", "tensorflow.contrib.learn.datasets.mnist.DataSet")
class DataSet(LayerRule):
    """``DataSet(images, labels, fake_data=False, one_hot=False, dtype=float32, reshape=True)``:
    images ``(n, rows, cols, 1)`` become ``(n, rows*cols)`` where ``reshape``; ``images``,
    ``labels``, ``num_examples`` and ``next_batch(batch_size)``."""

    framework = "numpy"

    def build(self, call: Call) -> Optional[dict]:
        args = _bound(call, _DATASET_PARAMS)
        if args is None or _flag(args, "fake_data", False) is not False:
            return None
        images, labels = args.get("images"), args.get("labels")
        reshape = _flag(args, "reshape", True)
        if not isinstance(images, Tensor) or not isinstance(labels, Tensor) or reshape is None:
            return None
        s = call.shape(images)
        if s.variadic or s.rank != 4 or (reshape and D.as_int(s.dims[3]) != 1):
            return None  # (``reshape`` asserts one channel)
        kind = _image_kind(args)
        out = Tensor(Shape((s.dims[0], D.mul(s.dims[1], s.dims[2]))) if reshape else s, "numpy", kind)
        return {"images": out, "labels": labels, "num_examples": Int(s.dims[0])}

    def method_next_batch(self, layer: Layer, call: Call) -> Value:
        """``next_batch(batch_size, fake_data=False, shuffle=True)``: the next ``batch_size`` images
        and labels -- where there are that many; a larger batch wraps round once into the next
        epoch (fewer rows than asked)."""
        args = _bound(call, ("batch_size", "fake_data", "shuffle"))
        if args is None or _flag(args, "fake_data", False) is not False or "batch_size" not in args:
            return UNKNOWN
        b = as_dim(args["batch_size"])
        n = as_dim(layer.config["num_examples"])
        have = D.as_int(n) if n is not None else None
        asked = D.as_int(b) if b is not None else None
        if b is None or (asked is not None and (have is None or asked > have)):
            text = call.text(0 if call.has(0) else "batch_size")
            b = D.computed("batch_size" if text == "?" else text)
        out: list = []
        for key in ("images", "labels"):
            t = layer.config[key]
            out.append(Tensor(Shape((b,) + t.shape.dims[1:]), t.fw, t.dtype) if isinstance(t, Tensor) else UNKNOWN)
        return Seq(out, "tuple")
