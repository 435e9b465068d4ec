"""torchvision's classification builders, and its model sources made importable without its
package ``__init__`` (which loads a C extension that does not load beside torch 2.13): what the
oracle scripts of tests/test_summary_torchvision.py and tests/data/make_torchinfo_torchvision.py
share. No heavy imports here: a subprocess imports it before torch."""
from __future__ import annotations

import importlib
import sys
import types
from pathlib import Path

# module under torchvision/models -> its classification builders (every one that runs with defaults)
BUILDERS = {
    "alexnet": ["alexnet"],
    "convnext": ["convnext_tiny", "convnext_small", "convnext_base", "convnext_large"],
    "densenet": ["densenet121", "densenet161", "densenet169", "densenet201"],
    "efficientnet": ["efficientnet_b0", "efficientnet_b1", "efficientnet_b2", "efficientnet_b3", "efficientnet_b4",
                     "efficientnet_b5", "efficientnet_b6", "efficientnet_b7", "efficientnet_v2_s",
                     "efficientnet_v2_m", "efficientnet_v2_l"],
    "googlenet": ["googlenet"],
    "inception": ["inception_v3"],
    "maxvit": ["maxvit_t"],
    "mnasnet": ["mnasnet0_5", "mnasnet0_75", "mnasnet1_0", "mnasnet1_3"],
    "mobilenetv2": ["mobilenet_v2"],
    "mobilenetv3": ["mobilenet_v3_large", "mobilenet_v3_small"],
    "regnet": ["regnet_y_400mf", "regnet_y_800mf", "regnet_y_1_6gf", "regnet_y_3_2gf", "regnet_y_8gf",
               "regnet_y_16gf", "regnet_y_32gf", "regnet_y_128gf", "regnet_x_400mf", "regnet_x_800mf",
               "regnet_x_1_6gf", "regnet_x_3_2gf", "regnet_x_8gf", "regnet_x_16gf", "regnet_x_32gf"],
    "resnet": ["resnet18", "resnet34", "resnet50", "resnet101", "resnet152", "resnext50_32x4d", "resnext101_32x8d",
               "resnext101_64x4d", "wide_resnet50_2", "wide_resnet101_2"],
    "shufflenetv2": ["shufflenet_v2_x0_5", "shufflenet_v2_x1_0", "shufflenet_v2_x1_5", "shufflenet_v2_x2_0"],
    "squeezenet": ["squeezenet1_0", "squeezenet1_1"],
    "swin_transformer": ["swin_t", "swin_s", "swin_b", "swin_v2_t", "swin_v2_s", "swin_v2_b"],
    "vgg": ["vgg11", "vgg11_bn", "vgg13", "vgg13_bn", "vgg16", "vgg16_bn", "vgg19", "vgg19_bn"],
    "vision_transformer": ["vit_b_16", "vit_b_32", "vit_l_16", "vit_l_32", "vit_h_14"],
}


def load_torchvision(root: Path) -> None:
    """torchvision's model sources importable without its package ``__init__``."""
    sys.path.insert(0, str(root))

    class _Stub(types.ModuleType):
        def __getattr__(self, name: str) -> type:
            if name.startswith("__"):
                raise AttributeError(name)
            return type(name, (), {})

    pil = _Stub("PIL")
    pil.__version__ = "10.0.0"  # type: ignore[attr-defined]
    for n in ["Image", "ImageColor", "ImageDraw", "ImageFont"]:
        sub = _Stub("PIL." + n)
        setattr(pil, n, sub)
        sys.modules["PIL." + n] = sub
    sys.modules["PIL"] = pil
    for pkg in ["torchvision", "torchvision.models", "torchvision.ops", "torchvision.transforms"]:
        m = types.ModuleType(pkg)
        m.__path__ = [str(root / pkg.replace(".", "/"))]  # type: ignore[attr-defined]
        sys.modules[pkg] = m
    presets = types.ModuleType("torchvision.transforms._presets")

    class _Preset:
        def __init__(self, *a: object, **k: object) -> None:
            pass

    class _AnyName(type):
        def __getattr__(cls, name: str) -> str:
            return name

    for n in ["ImageClassification", "ObjectDetection", "SemanticSegmentation", "VideoClassification", "OpticalFlow"]:
        setattr(presets, n, _Preset)
    presets.InterpolationMode = _AnyName("InterpolationMode", (), {})  # type: ignore[attr-defined]
    sys.modules[presets.__name__] = presets
    ops = sys.modules["torchvision.ops"]
    for sub in ["misc", "stochastic_depth"]:
        mod = importlib.import_module("torchvision.ops." + sub)
        for k, v in vars(mod).items():
            if not k.startswith("__"):
                setattr(ops, k, v)
