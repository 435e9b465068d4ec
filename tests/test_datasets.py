"""The dataset table (shapecheck/ops/datasets.py) against what the datasets' docs say.

Every documented value is written here by hand, with the page or source file it comes from, and
compared with what the registered loader returns: a wrong row in the table fails here, not only in
a program. Nothing is downloaded; where Keras is installed, the loaders' signatures are compared
with the parameters the table binds arguments to.
"""
from __future__ import annotations

import inspect
import os

import pytest

from shapecheck import dims as D
from shapecheck.engine import check_source, reveal
from shapecheck.ops import datasets as DS
from shapecheck.ops import registry
from shapecheck.ops.registry import Call
from shapecheck.shapes import Shape
from shapecheck.values import UNKNOWN, Const, Ext, Int, Layer, Seq, Tensor, Value

# name: ((x_train, y_train), (x_test, y_test)) shapes, the dtypes of x and y; a ragged x is given by
# its rows only ((25000,): an object array of lists)
DOCUMENTED = {
    # https://keras.io/api/datasets/mnist/ (and keras/src/datasets/mnist.py's docstring)
    "mnist": ((((60000, 28, 28), (60000,)), ((10000, 28, 28), (10000,))), "uint8", "uint8"),
    # https://keras.io/api/datasets/fashion_mnist/
    "fashion_mnist": ((((60000, 28, 28), (60000,)), ((10000, 28, 28), (10000,))), "uint8", "uint8"),
    # https://keras.io/api/datasets/cifar10/
    "cifar10": ((((50000, 32, 32, 3), (50000, 1)), ((10000, 32, 32, 3), (10000, 1))), "uint8", "uint8"),
    # https://keras.io/api/datasets/cifar100/
    "cifar100": ((((50000, 32, 32, 3), (50000, 1)), ((10000, 32, 32, 3), (10000, 1))), "uint8", "uint8"),
    # https://keras.io/api/datasets/imdb/: 25,000 reviews each for training and testing, labels 0/1
    "imdb": ((((25000,), (25000,)), ((25000,), (25000,))), "object", "int64"),
    # https://keras.io/api/datasets/reuters/: 11,228 newswires, test_split=0.2 of them for testing
    "reuters": ((((8982,), (8982,)), ((2246,), (2246,))), "object", "int64"),
    # https://keras.io/api/datasets/boston_housing/: 506 samples of 13 attributes, test_split=0.2
    "boston_housing": ((((404, 13), (404,)), ((102, 13), (102,))), "float64", "float64"),
    # https://keras.io/api/datasets/california_housing/: version="large", 20,640 samples of 8
    # features, test_split=0.2
    "california_housing": ((((16512, 8), (16512,)), ((4128, 8), (4128,))), "float64", "float64"),
}

_KINDS = {"uint8": "int", "int64": "int", "float64": "float", "object": None}


def _call(name: str, args: list | None = None, kwargs: dict | None = None) -> Value:
    fn = registry.lookup_func(f"keras.datasets.{name}.load_data")
    assert fn is not None, name
    return fn(Call(args or [], kwargs or {}))


def _splits(v: Value) -> list:
    assert isinstance(v, Seq) and len(v.items) == 2
    out = []
    for split in v.items:
        assert isinstance(split, Seq) and len(split.items) == 2
        out.append(tuple(split.items))
    return out


def test_every_dataset_of_the_table_is_documented_here() -> None:
    assert set(DS.KERAS_DATASETS) == set(DOCUMENTED)


@pytest.mark.parametrize("name", sorted(DOCUMENTED))
def test_loader_gives_the_documented_shapes(name: str) -> None:
    (want_train, want_test), x_dtype, y_dtype = DOCUMENTED[name]
    got = _splits(_call(name))
    for (x, y), (want_x, want_y) in zip(got, (want_train, want_test)):
        assert isinstance(x, Tensor) and isinstance(y, Tensor)
        if x_dtype == "object":  # rows only: each row a sequence of a length of its own
            assert x.shape.dims[0] == want_x[0] and len(x.shape.dims) == 2 and D.as_int(x.shape.dims[1]) is None
        else:
            assert x.shape.dims == want_x
        assert y.shape.dims == want_y and not x.shape.variadic and not y.shape.variadic
        assert (x.dtype, y.dtype) == (_KINDS[x_dtype], _KINDS[y_dtype])
        assert (DS.KERAS_DATASETS[name].x_dtype, DS.KERAS_DATASETS[name].y_dtype) == (x_dtype, y_dtype)


@pytest.mark.parametrize("name", sorted(DOCUMENTED))
def test_every_spelling_reaches_the_loader(name: str) -> None:
    fn = registry.lookup_func(f"keras.datasets.{name}.load_data")
    assert registry.lookup_func(f"keras.src.datasets.{name}.load_data") is fn
    # tf.keras and tensorflow.keras spell the same loader
    assert registry.lookup_func(registry.canonical(f"tensorflow.keras.datasets.{name}.load_data")) is fn


@pytest.mark.parametrize("name", sorted(DOCUMENTED))
def test_table_binds_the_parameters_keras_has(name: str) -> None:
    """Positional arguments bind as Keras binds them (never downloads: only the signature is read)."""
    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras")
    params = inspect.signature(getattr(keras.datasets, name).load_data).parameters
    named = tuple(p for p, v in params.items() if v.kind is not inspect.Parameter.VAR_KEYWORD)
    assert DS.KERAS_DATASETS[name].params == named


def test_arguments_that_change_the_rows() -> None:
    # imdb's maxlen drops the longer reviews: the rows are unknown, one size for x and y of a split
    (x, y), (xt, yt) = _splits(_call("imdb", kwargs={"maxlen": Int(100)}))
    assert x.shape.dims[0] is y.shape.dims[0] and D.as_int(x.shape.dims[0]) is None
    assert D.as_int(xt.shape.dims[0]) is None and xt.shape.dims[0] != x.shape.dims[0]
    (x, _), _ = _splits(_call("imdb", kwargs={"maxlen": Const(None)}))
    assert x.shape.dims[0] == 25000
    # test_split: int(n * (1 - test_split)) rows for training, as Keras computes it
    (x, _), (xt, _) = _splits(_call("boston_housing", kwargs={"test_split": Const(0.1)}))
    assert (x.shape.dims[0], xt.shape.dims[0]) == (int(506 * 0.9), 506 - int(506 * 0.9))
    (x, _), (xt, _) = _splits(_call("california_housing", kwargs={"version": Const("small")}))
    assert (x.shape.dims[0], xt.shape.dims[0]) == (480, 120)  # the first 600 rows, split 0.8/0.2
    # what the checker cannot read leaves the rows unknown, not the columns
    (x, _), _ = _splits(_call("california_housing", kwargs={"test_split": UNKNOWN}))
    assert D.as_int(x.shape.dims[0]) is None and x.shape.dims[1] == 8
    for bad in ({"test_split": Const(1.0)}, {"version": Const("medium")}):
        (x, _), _ = _splits(_call("california_housing", kwargs=bad))
        assert D.as_int(x.shape.dims[0]) is None


def test_arguments_a_loader_does_not_take_give_nothing() -> None:
    assert _call("mnist", kwargs={"one_hot": Const(True)}) is UNKNOWN
    assert _call("cifar10", args=[Const("cifar.npz")]) is UNKNOWN


# -- TF1 tutorials: tensorflow/contrib/learn/python/learn/datasets/mnist.py (TF 1.x), re-exported by
# tensorflow/examples/tutorials/mnist/input_data.py: read_data_sets(train_dir, fake_data=False,
# one_hot=False, dtype=dtypes.float32, reshape=True, validation_size=5000, ...); 60000 training
# images, the first validation_size of them for validation; 10000 test images; extract_images gives
# uint8 (n, 28, 28, 1), DataSet reshapes to (n, 784) and scales to float32; labels uint8 (n,), or
# dense_to_one_hot's float64 (n, 10)
READ = "tensorflow.examples.tutorials.mnist.input_data.read_data_sets"


def _read(**kwargs: Value) -> Layer | None:
    rule = registry.lookup_layer(READ)
    assert rule is not None
    config = rule.build(Call([Const("MNIST_data/")], kwargs))
    return None if config is None else Layer(rule.names[0], config)


def _split(ds: Layer, name: str) -> dict:
    s = ds.config[name]
    assert isinstance(s, Layer)
    return s.config


@pytest.mark.parametrize("name", [READ, "tensorflow.contrib.learn.datasets.mnist.read_data_sets",
                                  "tensorflow.contrib.learn.python.learn.datasets.mnist.read_data_sets"])
def test_read_data_sets_spellings(name: str) -> None:
    assert registry.lookup_layer(name) is registry.lookup_layer(READ)


def test_read_data_sets_defaults() -> None:
    ds = _read()
    assert ds is not None
    for split, n in (("train", 55000), ("validation", 5000), ("test", 10000)):
        c = _split(ds, split)
        assert c["images"].shape.dims == (n, 784) and c["images"].dtype == "float"
        assert c["labels"].shape.dims == (n,) and c["labels"].dtype == "int"
        assert c["num_examples"].dim == n


def test_read_data_sets_arguments() -> None:
    ds = _read(one_hot=Const(True), reshape=Const(False), validation_size=Int(0),
               dtype=Ext("tensorflow.uint8"))
    assert ds is not None
    c = _split(ds, "train")
    assert c["images"].shape.dims == (60000, 28, 28, 1) and c["images"].dtype == "int"
    assert c["labels"].shape.dims == (60000, 10) and c["labels"].dtype == "float"
    assert _split(ds, "validation")["images"].shape.dims == (0, 28, 28, 1)
    # an unknown validation size: the train and validation rows are unknown, the test rows are not
    ds = _read(validation_size=UNKNOWN)
    assert ds is not None
    assert D.as_int(_split(ds, "train")["images"].shape.dims[0]) is None
    assert _split(ds, "test")["images"].shape.dims == (10000, 784)
    # an unknown flag: what it decides is unknown
    ds = _read(one_hot=UNKNOWN)
    assert ds is not None and _split(ds, "train")["labels"] is UNKNOWN
    # fake data (lists of one fake image) and arguments it does not take: not understood
    assert _read(fake_data=Const(True)) is None and _read(num_classes=Int(10)) is None


def _next_batch(ds: Layer, split: str, *args: Value) -> Value:
    rule = registry.lookup_layer(ds.config[split].kind)
    assert rule is not None
    meth = rule.method("next_batch")
    assert meth is not None
    return meth(ds.config[split], Call(list(args), {}))


def test_next_batch() -> None:
    ds = _read(one_hot=Const(True))
    assert ds is not None
    images, labels = _splits_of(_next_batch(ds, "train", Int(50)))
    assert images.shape.dims == (50, 784) and labels.shape.dims == (50, 10)
    images, labels = _splits_of(_next_batch(ds, "train", Int(55000)))  # the whole split
    assert images.shape.dims[0] == 55000
    # more than the split has: the batch wraps round into the next epoch, with fewer rows
    images, _ = _splits_of(_next_batch(ds, "test", Int(20000)))
    assert D.as_int(images.shape.dims[0]) is None
    images, _ = _splits_of(_next_batch(ds, "train", UNKNOWN))
    assert D.as_int(images.shape.dims[0]) is None and images.shape.dims[1] == 784


def _splits_of(v: Value) -> tuple:
    assert isinstance(v, Seq) and len(v.items) == 2
    return tuple(v.items)


def test_dataset_constructor() -> None:
    rule = registry.lookup_layer("tensorflow.contrib.learn.datasets.mnist.DataSet")
    assert rule is not None
    images, labels = Tensor(Shape((100, 28, 28, 1)), "numpy", "int"), Tensor(Shape((100,)), "numpy", "int")
    c = rule.build(Call([images, labels], {}))
    assert c is not None and c["images"].shape.dims == (100, 784) and c["num_examples"].dim == 100
    c = rule.build(Call([images, labels], {"reshape": Const(False)}))
    assert c is not None and c["images"].shape.dims == (100, 28, 28, 1)
    colour = Tensor(Shape((100, 28, 28, 3)), "numpy", "int")
    assert rule.build(Call([colour, labels], {})) is None  # (reshape asserts one channel)


def test_program_reaches_the_splits() -> None:
    src = ("from tensorflow.examples.tutorials.mnist import input_data\n"
           "mnist = input_data.read_data_sets('MNIST_data/', one_hot=True)\n"
           "train, validation, test = mnist\n"
           "reveal_shape(validation.images)\n"
           "reveal_shape(mnist[2].labels)\n"
           "xs, ys = mnist.train.next_batch(100)\n"
           "reveal_shape(ys)\n"
           "reveal_shape(mnist.train.num_examples // 100)\n")
    assert check_source(src) == []
    assert [t for _, t in reveal(src)] == ["(5000, 784)", "(10000, 10)", "(100, 10)", "int 550"]


def test_a_local_input_data_module_is_not_the_tutorials() -> None:
    """``import input_data`` names a file of the user's (not found here): nothing is assumed."""
    src = "import input_data\nmnist = input_data.read_data_sets('d')\nreveal_shape(mnist.train.images)\n"
    assert [t for _, t in reveal(src)] == ["unknown"]


# torchvision's image datasets, as its documentation gives them (https://pytorch.org/vision/stable/
# datasets.html): MNIST "60,000 training images and 10,000 testing images" of 28x28 grayscale
# digits (https://pytorch.org/vision/stable/generated/torchvision.datasets.MNIST.html), FashionMNIST
# and KMNIST the same layout; CIFAR10/100 "60000 32x32 colour images", "50000 training images and
# 10000 test images" (https://pytorch.org/vision/stable/generated/torchvision.datasets.CIFAR10.html).
TORCHVISION_DOCUMENTED = {
    "MNIST": (1, (28, 28), (60000, 10000)),
    "FashionMNIST": (1, (28, 28), (60000, 10000)),
    "KMNIST": (1, (28, 28), (60000, 10000)),
    "CIFAR10": (3, (32, 32), (50000, 10000)),
    "CIFAR100": (3, (32, 32), (50000, 10000)),
}


@pytest.mark.parametrize("name", sorted(TORCHVISION_DOCUMENTED))
def test_torchvision_table_is_the_documented_one(name: str) -> None:
    from shapecheck.ops.torch.data import TORCHVISION_DATASETS

    row = TORCHVISION_DATASETS[name]
    assert (row.channels, row.size, row.rows) == TORCHVISION_DOCUMENTED[name]
    assert set(TORCHVISION_DATASETS) == set(TORCHVISION_DOCUMENTED)


@pytest.mark.parametrize("name", sorted(TORCHVISION_DOCUMENTED))
def test_torchvision_dataset_through_to_tensor(name: str) -> None:
    c, (h, w), _ = TORCHVISION_DOCUMENTED[name]
    src = ("from torchvision import datasets, transforms\n"
           f"ds = datasets.{name}('data', train=True, transform=transforms.ToTensor())\n"
           "reveal_shape(ds[0][0])\n")
    assert reveal(src) == [(3, f"({c}, {h}, {w})")]
