"""Rows for torchvision datasets, their transforms, ``TensorDataset`` and ``DataLoader``
(shapecheck/ops/torch/data.py): what one batch of a loader holds. torchvision is not installed
here and its datasets download their data: the sizes are those of the torchvision documentation
(tests/test_datasets.py checks the table); ``TensorDataset`` rows run for real with torch."""
from __future__ import annotations

from harness import OpCase, S, row_tests

DOWNLOADS = "the dataset downloads its data (torchvision)"
TV = "torchvision.transforms"


def mnist(transform: object = None, **kwargs: object) -> OpCase:
    kw = dict(kwargs)
    if transform is not None:
        kw["transform"] = transform
    return OpCase("torchvision.datasets.MNIST", ["data"], kw)


def loader(ds: OpCase, **kwargs: object) -> OpCase:
    return OpCase("torch.utils.data.DataLoader", [ds], dict(kwargs))


def first_batch(ds: OpCase, expect: str, no_oracle: str = DOWNLOADS, **kwargs: object) -> OpCase:
    return OpCase("builtins.next", [OpCase("builtins.iter", [loader(ds, **kwargs)])], expect=expect,
                  no_oracle=no_oracle)


TO_TENSOR = OpCase(f"{TV}.ToTensor")
NORMALIZED = OpCase(f"{TV}.Compose", [[TO_TENSOR, OpCase(f"{TV}.Normalize", [(0.5,), (0.5,)])]])

ROWS = [
    first_batch(mnist(TO_TENSOR), "[(None, 1, 28, 28), (None,)]", batch_size=64),
    first_batch(mnist(NORMALIZED), "[(64, 1, 28, 28), (64,)]", batch_size=64, drop_last=True),
    first_batch(mnist(), "[unknown, (None,)]", batch_size=64),  # PIL images: no tensor yet
    first_batch(OpCase("torchvision.datasets.CIFAR10", ["data"], {"train": False, "transform": OpCase(
        f"{TV}.Compose", [[OpCase(f"{TV}.Resize", [64]), TO_TENSOR]])}), "[(8, 3, 64, 64), (8,)]",
        batch_size=8, drop_last=True),
    first_batch(OpCase("torchvision.datasets.CIFAR100", ["data"], {"transform": OpCase(
        f"{TV}.Compose", [[OpCase(f"{TV}.RandomCrop", [24]), OpCase(f"{TV}.RandomHorizontalFlip"), TO_TENSOR,
                           OpCase(f"{TV}.Normalize", [(0.5, 0.5, 0.5), (0.2, 0.2, 0.2)])]])}),
        "[(4, 3, 24, 24), (4,)]", batch_size=4, drop_last=True),
    first_batch(mnist(OpCase(f"{TV}.Compose", [[OpCase(f"{TV}.Grayscale", [3]), TO_TENSOR]])),
                "[(2, 3, 28, 28), (2,)]", batch_size=2, drop_last=True),
    first_batch(OpCase("torch.utils.data.TensorDataset", [S("(100, 20)"), S("(100,)", "int")]),
                "[(10, 20), (10,)]", no_oracle=None, batch_size=10, drop_last=True),
    # 100 rows in batches of 16: the first is full, the last is not, so the batch axis is None
    first_batch(OpCase("torch.utils.data.TensorDataset", [S("(100, 3, 8)")]), "[(None, 3, 8)]",
                no_oracle="the last batch holds 4 rows, the first 16: the checker's None is either", batch_size=16),
]

test_row, test_row_against_the_framework = row_tests(ROWS)
