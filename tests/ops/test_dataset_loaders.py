"""Rows for the dataset loaders (shapecheck/ops/datasets.py): what each returns for its arguments.

The documented sizes themselves are checked row by row against the docs in tests/test_datasets.py;
these rows are the registry's table form (argument binding: positional and keyword arguments,
arguments that change the rows, arguments a loader does not take). No row runs the framework: a
loader downloads its data."""
from __future__ import annotations

from harness import OpCase, S, row_tests

DOWNLOADS = "the loader downloads the dataset"
MNIST_TF1 = "tensorflow.contrib.learn.datasets.mnist"


def load(name: str, *args: object, expect: str, **kwargs: object) -> OpCase:
    return OpCase(f"keras.datasets.{name}.load_data", list(args), dict(kwargs), expect=expect, no_oracle=DOWNLOADS)


ROWS = [
    load("mnist", expect="[[(60000, 28, 28), (60000,)], [(10000, 28, 28), (10000,)]]"),
    load("mnist", "mnist.npz", expect="[[(60000, 28, 28), (60000,)], [(10000, 28, 28), (10000,)]]"),
    load("fashion_mnist", expect="[[(60000, 28, 28), (60000,)], [(10000, 28, 28), (10000,)]]"),
    load("cifar10", expect="[[(50000, 32, 32, 3), (50000, 1)], [(10000, 32, 32, 3), (10000, 1)]]"),
    load("cifar100", expect="[[(50000, 32, 32, 3), (50000, 1)], [(10000, 32, 32, 3), (10000, 1)]]",
         label_mode="coarse"),
    # ragged reviews: rows, each a sequence of its own length
    load("imdb", expect="[[(25000, len(sequence)), (25000,)], [(25000, len(sequence)), (25000,)]]",
         num_words=10000),
    load("imdb", expect="[[(25000, len(sequence)), (25000,)], [(25000, len(sequence)), (25000,)]]",
         nb_words=10000),  # (Keras 2's spelling of num_words)
    load("imdb", expect="[[(imdb training rows, len(sequence)), (imdb training rows,)], "
                        "[(imdb test rows, len(sequence)), (imdb test rows,)]]", maxlen=100),
    load("reuters", expect="[[(8982, len(sequence)), (8982,)], [(2246, len(sequence)), (2246,)]]"),
    load("reuters", expect="[[(10105, len(sequence)), (10105,)], [(1123, len(sequence)), (1123,)]]",
         test_split=0.1),
    load("boston_housing", expect="[[(404, 13), (404,)], [(102, 13), (102,)]]"),
    load("boston_housing", "boston_housing.npz", 0.5, expect="[[(253, 13), (253,)], [(253, 13), (253,)]]"),
    load("california_housing", expect="[[(16512, 8), (16512,)], [(4128, 8), (4128,)]]"),
    load("california_housing", "small", expect="[[(480, 8), (480,)], [(120, 8), (120,)]]"),
    load("california_housing", expect="[[(california_housing training rows, 8), (california_housing training rows,)],"
                                      " [(california_housing test rows, 8), (california_housing test rows,)]]",
         version=S("(1,)")),  # a version the checker cannot read
    load("mnist", expect="unknown", one_hot=True),  # not an argument of keras's mnist
    load("cifar10", "x", expect="unknown"),
    # TF1 tutorials: read_data_sets builds Datasets(train, validation, test), DataSet one split (what
    # they hold, and the arguments they do not understand: tests/test_datasets.py)
    OpCase(f"{MNIST_TF1}.read_data_sets", ["MNIST_data/"], {"one_hot": True},
           expect="Layer(tensorflow.contrib.learn.python.learn.datasets.mnist.read_data_sets)", no_oracle=DOWNLOADS),
    OpCase(f"{MNIST_TF1}.DataSet", [S("(100, 28, 28, 1)", "int"), S("(100,)", "int")],
           expect="Layer(tensorflow.contrib.learn.python.learn.datasets.mnist.DataSet)",
           no_oracle="TF1 contrib is not installed"),
]

test_row, test_row_against_the_framework = row_tests(ROWS)
