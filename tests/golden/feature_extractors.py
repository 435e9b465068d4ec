"""torchvision's IntermediateLayerGetter idiom: a ModuleDict of a backbone's children up to the last
layer asked for (``named_children()``, a dict comprehension, ``del d[k]``), run in order, its
outputs collected by name; the segmentation head then reads ``features["out"]``."""
from collections import OrderedDict

import torch
from torch import nn


class IntermediateLayerGetter(nn.ModuleDict):
    def __init__(self, model: nn.Module, return_layers: dict) -> None:
        if not set(return_layers).issubset([name for name, _ in model.named_children()]):
            raise ValueError("return_layers are not present in model")
        orig_return_layers = return_layers
        return_layers = {str(k): str(v) for k, v in return_layers.items()}
        layers = OrderedDict()
        for name, module in model.named_children():
            layers[name] = module
            if name in return_layers:
                del return_layers[name]
            if not return_layers:
                break
        super().__init__(layers)
        self.return_layers = orig_return_layers

    def forward(self, x):
        out = OrderedDict()
        for name, module in self.items():
            x = module(x)
            if name in self.return_layers:
                out[self.return_layers[name]] = x
        return out


class Backbone(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 16, 3, padding=1)
        self.relu = nn.ReLU()
        self.layer1 = nn.Conv2d(16, 32, 3, padding=1)
        self.layer2 = nn.Conv2d(32, 64, 3, padding=1)
        self.fc = nn.Linear(100, 10)  # never reached: the getter stops at the last layer asked for


class Segmenter(nn.Module):
    def __init__(self, backbone, head):
        super().__init__()
        self.backbone = backbone
        self.head = head

    def forward(self, x):
        features = self.backbone(x)
        return self.head(features["out"])  # E: SHP301


names = [name for name, _ in Backbone().named_children()]
reveal_shape(names)  # revealed: ['conv1', 'relu', 'layer1', 'layer2', 'fc']
getter = IntermediateLayerGetter(Backbone(), {"layer2": "out", "layer1": "aux"})
features = getter(torch.randn(1, 3, 8, 8))
reveal_shape(features["out"])  # revealed: (1, 64, 8, 8)
reveal_shape(features["aux"])  # revealed: (1, 32, 8, 8)
good = Segmenter(IntermediateLayerGetter(Backbone(), {"layer2": "out"}), nn.Conv2d(64, 2, 1))
reveal_shape(good(torch.randn(1, 3, 8, 8)))  # revealed: (1, 2, 8, 8)
bad = Segmenter(IntermediateLayerGetter(Backbone(), {"layer1": "out"}), nn.Conv2d(64, 2, 1))
masks = bad(torch.randn(1, 3, 8, 8))
