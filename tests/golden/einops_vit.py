"""A vision transformer as research code writes it (lucidrains' vit-pytorch style): patches cut
by an einops pattern, sizes computed from the constructor's arguments."""
import torch
from einops import rearrange, repeat
from einops.layers.torch import Rearrange
from torch import nn


class ViT(nn.Module):
    def __init__(self, image_size=32, patch_size=8, dim=64, channels=3, num_classes=10):
        super().__init__()
        num_patches = (image_size // patch_size) ** 2
        patch_dim = channels * patch_size * patch_size
        self.to_patch_embedding = nn.Sequential(
            Rearrange("b c (h p1) (w p2) -> b (h w) (p1 p2 c)", p1=patch_size, p2=patch_size),
            nn.LayerNorm(patch_dim),
            nn.Linear(patch_dim, dim),
        )
        self.pos_embedding = nn.Parameter(torch.randn(1, num_patches + 1, dim))
        self.cls_token = nn.Parameter(torch.randn(1, 1, dim))
        self.head = nn.Linear(dim, num_classes)

    def forward(self, img):
        x = self.to_patch_embedding(img)
        b, n, _ = x.shape
        cls_tokens = repeat(self.cls_token, "1 1 d -> b 1 d", b=b)
        x = torch.cat((cls_tokens, x), dim=1)
        x = x + self.pos_embedding[:, : (n + 1)]
        return self.head(x[:, 0])


class BadViT(nn.Module):
    """The patch dimension forgets one factor of the patch size."""

    def __init__(self, patch_size=8, dim=64, channels=3):
        super().__init__()
        patch_dim = channels * patch_size
        self.to_patch_embedding = nn.Sequential(
            Rearrange("b c (h p1) (w p2) -> b (h w) (p1 p2 c)", p1=patch_size, p2=patch_size),
            nn.Linear(patch_dim, dim),  # runtime: ok (raises at the call below)  # E: SHP303
        )

    def forward(self, img):
        return self.to_patch_embedding(img)  # runtime: raises


class Unpatchify(nn.Module):
    def __init__(self, patch_size=4):
        super().__init__()
        self.patch_size = patch_size

    def forward(self, x, h):
        return rearrange(x, "b (h w) (p1 p2 c) -> b c (h p1) (w p2)", h=h, p1=self.patch_size, p2=self.patch_size)  # E: SHP401 "50 is not divisible by 16"


model = ViT()
reveal_shape(model(torch.randn(2, 3, 32, 32)))  # revealed: (2, 10)
out = BadViT()(torch.randn(2, 3, 32, 32))
pixels = Unpatchify()(torch.randn(2, 16, 48), 4)
reveal_shape(pixels)  # revealed: (2, 3, 16, 16)
bad_pixels = Unpatchify()(torch.randn(2, 16, 50), 4)
