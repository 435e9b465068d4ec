"""A model zoo's builders fill the keywords from a registry the checker cannot read
(``kwargs.setdefault("num_classes", cfg["num_classes"])``): the model they build has sizes of no
known value, so the class also runs with its own defaults, and a head built the wrong way round
is found there ("with the defaults ...") or, where the builders pass the size on, as a condition on it."""
import os

from torch import nn

_REGISTRY = {name: {"num_classes": 1000} for name in os.environ.get("MODELS", "").split(",")}


def build_with_cfg(model_cls, variant, **kwargs):
    cfg = _REGISTRY.get(variant, {})
    for name in ("num_classes", "in_chans"):
        if name in cfg:
            kwargs.setdefault(name, cfg[name])
    return model_cls(**kwargs)


class Mixer(nn.Module):
    def __init__(self, num_classes=1000, in_chans=3, embed_dim=512, patch_size=16):
        super().__init__()
        self.stem = nn.Conv2d(in_chans, embed_dim, patch_size, stride=patch_size)
        self.norm = nn.LayerNorm(embed_dim)
        self.head = nn.Linear(num_classes, embed_dim) if num_classes > 0 else nn.Identity()

    def forward(self, x):
        x = self.norm(self.stem(x).flatten(2).transpose(1, 2))
        return self.head(x.mean(dim=1))  # E: SHP301 "num_classes"


def mixer_s16(pretrained=False, **kwargs):
    return build_with_cfg(Mixer, "mixer_s16", embed_dim=512, **kwargs)


def mixer_b16(pretrained=False, **kwargs):
    return build_with_cfg(Mixer, "mixer_b16", embed_dim=768, **kwargs)


def build_from_registry(model_cls, variant, **kwargs):
    kwargs.setdefault("num_classes", _REGISTRY[variant]["num_classes"])
    return model_cls(**kwargs)


class Classifier(nn.Module):
    def __init__(self, num_classes=10, embed_dim=256):
        super().__init__()
        self.body = nn.Linear(784, embed_dim)
        self.head = nn.Linear(num_classes, embed_dim)

    def forward(self, x):
        return self.head(self.body(x))  # E: SHP301 "with the defaults num_classes=10, embed_dim=256"


def classifier_small(**kwargs):
    return build_from_registry(Classifier, "small", embed_dim=256, **kwargs)
