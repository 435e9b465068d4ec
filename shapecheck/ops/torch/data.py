"""torchvision datasets through their transforms, ``TensorDataset``, and ``DataLoader``.

A torchvision image dataset yields ``(image, label)``: the image is a PIL image until
``transforms.ToTensor()`` makes it a ``(C, H, W)`` float tensor; ``Normalize`` and the flips keep
it, ``Resize``/``CenterCrop``/``RandomCrop`` set its size; any other transform makes it unknown.
``DataLoader(ds, batch_size=B)`` is a stream (``ops/streams.py``) of batches, each tensor of the
item stacked under a batch axis (``default_collate``), ints becoming an int64 ``(B,)`` tensor; the
batch axis is ``B`` only where ``drop_last=True`` (else the last batch may be smaller: unknown).
``for x, y in loader`` iterates its elements (``analysis/expressions.element_of``).

Sizes checked against the torchvision documentation of each dataset and transform
(https://pytorch.org/vision/stable/datasets.html, .../transforms.html): MNIST, FashionMNIST and
KMNIST are 28x28 grayscale ("L") images, 60000 for training and 10000 for testing; CIFAR10 and
CIFAR100 are 32x32 RGB images, 50000 and 10000.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from ... import dims as D
from ...shapes import Shape
from ...values import UNKNOWN, Int, Layer, Seq, Tensor, Value, as_dim
from .. import streams as ST
from ..registry import Call, LayerRule, layer_rule, lookup_layer


@dataclass(frozen=True)
class ImageDataset:
    """One torchvision image dataset: its images' channels and size, and the rows of each split."""

    channels: int
    size: tuple[int, int]
    rows: tuple[int, int]  # (train=True, train=False)


TORCHVISION_DATASETS = {
    "MNIST": ImageDataset(1, (28, 28), (60000, 10000)),
    "FashionMNIST": ImageDataset(1, (28, 28), (60000, 10000)),
    "KMNIST": ImageDataset(1, (28, 28), (60000, 10000)),
    "CIFAR10": ImageDataset(3, (32, 32), (50000, 10000)),
    "CIFAR100": ImageDataset(3, (32, 32), (50000, 10000)),
}

_SAME_SIZE = ("Normalize", "RandomHorizontalFlip", "RandomVerticalFlip", "RandomRotation", "ColorJitter",
              "RandomAffine", "RandomErasing", "GaussianBlur", "RandomInvert", "RandomAutocontrast")
_SIZED = ("Resize", "CenterCrop", "RandomCrop", "RandomResizedCrop")
TRANSFORMS = ("ToTensor", "Compose", "Grayscale", *_SAME_SIZE, *_SIZED)
LOADER = "torch.utils.data.DataLoader"


def _kinds(name: str) -> tuple:
    return (f"torchvision.transforms.{name}", f"torchvision.transforms.transforms.{name}",
            f"torchvision.transforms.v2.{name}")


@dataclass
class _Image:
    """An image on its way through the transforms: ``(C, H, W)``, and whether it is a tensor yet."""

    channels: int
    size: tuple
    tensor: bool


@layer_rule(*[k for n in TRANSFORMS for k in _kinds(n)])
class Transform(LayerRule):
    """A torchvision transform: what it does to an image's size (``apply_to``)."""

    def build(self, call: Call) -> Optional[dict]:
        name = call.qualname.rsplit(".", 1)[-1]
        cfg: dict = {"name": name}
        if name == "Compose":
            steps = call.get(0, "transforms")
            cfg["steps"] = list(steps.items) if isinstance(steps, Seq) else None
        elif name in _SIZED:
            cfg["size"] = _size_arg(call.get(0, "size"))
        elif name == "Grayscale":
            cfg["channels"] = call.int(0, "num_output_channels", 1)
        return cfg

    def apply(self, layer: Layer, call: Call) -> Value:
        return UNKNOWN  # applied to a PIL image or a tensor the checker did not make here

    def apply_to(self, layer: Layer, img: _Image) -> Optional[_Image]:
        c = layer.config
        name = c["name"]
        if name == "Compose":
            steps = c.get("steps")
            if steps is None:
                return None
            for step in steps:
                rule = _transform_rule(step)
                if rule is None:
                    return None
                got = rule.apply_to(step, img)
                if got is None:
                    return None
                img = got
            return img
        if name == "ToTensor":
            return _Image(img.channels, img.size, True)
        if name in _SAME_SIZE:
            return img if img.tensor or name != "Normalize" else None
        if name == "Grayscale":
            n = c.get("channels")
            return _Image(n, img.size, img.tensor) if n in (1, 3) else None
        size = c.get("size")
        if size is None:
            return None
        if len(size) == 1:  # Resize(n): the smaller edge becomes n (a square image stays square)
            if name == "Resize" and img.size[0] != img.size[1]:
                return None
            size = (size[0], size[0])
        return _Image(img.channels, tuple(size), img.tensor)


def _size_arg(v: Value) -> Optional[tuple]:
    if isinstance(v, Seq):
        ds = [as_dim(x) for x in v.items]
        return tuple(ds) if len(ds) in (1, 2) and all(d is not None for d in ds) else None
    d = as_dim(v)
    return None if d is None else (d,)


def _transform_rule(v: Value) -> Optional[Transform]:
    rule = lookup_layer(v.kind) if isinstance(v, Layer) else None
    return rule if isinstance(rule, Transform) else None


@layer_rule(*[f"torchvision.datasets.{n}" for n in TORCHVISION_DATASETS],
            *[f"torchvision.datasets.mnist.{n}" for n in ("MNIST", "FashionMNIST", "KMNIST")],
            *[f"torchvision.datasets.cifar.{n}" for n in ("CIFAR10", "CIFAR100")])
class TorchvisionDataset(LayerRule):
    """``datasets.MNIST(root, train=True, transform=None, target_transform=None, download=False)``:
    items ``(image, label)``; the image is a tensor where the transform makes one."""

    def build(self, call: Call) -> Optional[dict]:
        row = TORCHVISION_DATASETS[call.qualname.rsplit(".", 1)[-1]]
        train = call.bool(1, "train", True)
        rows = row.rows[0] if train is True else row.rows[1] if train is False else None
        t = call.get(2, "transform")
        x: Value = UNKNOWN
        if t is not UNKNOWN and not ST.is_none(t):
            rule = _transform_rule(t)
            img = rule.apply_to(t, _Image(row.channels, row.size, False)) if rule is not None and isinstance(
                t, Layer) else None
            if img is not None and img.tensor:
                x = Tensor(Shape((img.channels, *img.size)), "torch", "float")
        label: Value = Int(D.computed("label")) if not call.has(3, "target_transform") or ST.is_none(
            call.get(3, "target_transform")) else UNKNOWN
        return {"item": Seq([x, label], "tuple"), "rows": rows}

    def apply(self, layer: Layer, call: Call) -> Value:
        return UNKNOWN

    def getitem(self, layer: Layer, idx: list) -> Value:
        return layer.config["item"]


@layer_rule("torch.utils.data.TensorDataset", "torch.utils.data.dataset.TensorDataset")
class TensorDataset(LayerRule):
    """``TensorDataset(*tensors)``: item ``i`` is the ``i``-th row of each tensor."""

    def build(self, call: Call) -> Optional[dict]:
        rows = []
        for i in range(len(call.args)):
            t = call.tensor(i)
            s = call.shape(t) if t is not None else None
            if s is None or s.variadic or not s.dims:
                rows.append(UNKNOWN)
            else:
                rows.append(Tensor(Shape(s.dims[1:]), t.fw, t.dtype))  # type: ignore[union-attr]
        return {"item": Seq(rows, "tuple") if rows else UNKNOWN}

    def apply(self, layer: Layer, call: Call) -> Value:
        return UNKNOWN

    def getitem(self, layer: Layer, idx: list) -> Value:
        return layer.config["item"]


def _collate(v: Value, batch: D.Dim) -> Value:
    """``default_collate`` of one item under a batch axis: tensors stacked, ints to int64 ``(B,)``."""
    if isinstance(v, Tensor):
        return ST.with_batch(v, batch) if not v.shape.variadic else UNKNOWN
    if isinstance(v, Int):
        return Tensor(Shape((batch,)), "torch", "int")
    if isinstance(v, Seq) and v.kind == "tuple":
        return Seq([_collate(x, batch) for x in v.items], "tuple")
    return UNKNOWN


@layer_rule(LOADER, "torch.utils.data.dataloader.DataLoader")
class DataLoader(ST.DataStream):
    """``DataLoader(dataset, batch_size=1, shuffle=False, ..., drop_last=False)``: batches of the
    dataset's items (a dataset the checker does not know yields unknown batches)."""

    framework = "torch"

    def build(self, call: Call) -> Optional[dict]:
        ds = call.get(0, "dataset")
        item = ds.config.get("item") if isinstance(ds, Layer) and isinstance(
            lookup_layer(ds.kind), (TorchvisionDataset, TensorDataset)) else None
        if not isinstance(item, Value) or (call.has(1, "batch_size") and ST.is_none(call.get(1, "batch_size"))) \
                or call.has(None, "collate_fn") or call.has(None, "batch_sampler"):
            return {ST.ELEMENT: UNKNOWN}
        drop = call.bool(None, "drop_last", False) is True
        batch = ST.batch_size(call, 1, "batch_size", drop) if call.has(1, "batch_size") else (
            1 if drop else D.opaque("None"))
        return {ST.ELEMENT: _collate(item, batch)}
