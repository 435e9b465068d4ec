"""einops as the shape rules see it: one row per registered rule (functions and layers), each
also run by einops itself on torch tensors of the same shapes (the oracle; the Keras layers
need TensorFlow, absent here, and skip)."""
from __future__ import annotations

from harness import OpCase, layer, row_tests

ROWS = [
    OpCase("einops.rearrange", ["(2, 16, 3)", "b (h w) c -> b h w c"], {"h": 4}, expect="(2, 4, 4, 3)"),
    OpCase("einops.rearrange", ["(2, 15, 3)", "b (h w) c -> b h w c"], {"h": 4}, error="reshape-size",
           contains="15 is not divisible by 4"),
    OpCase("einops.rearrange", ["(2, 16)", "b n c -> b c n"], error="einsum-mismatch"),
    OpCase("einops.rearrange", [["(2, 3)", "(2, 3)"], "n a b -> a (n b)"], expect="(2, 6)"),
    OpCase("einops.repeat", ["(3, 4)", "h w -> b h w"], {"b": 2}, expect="(2, 3, 4)"),
    OpCase("einops.repeat", ["(3, 4)", "h w -> b h w"], error="reshape-size", contains="no size given"),
    OpCase("einops.reduce", ["(2, 3, 8, 8)", "b c (h 2) (w 2) -> b c h w", "max"], expect="(2, 3, 4, 4)"),
    OpCase("einops.reduce", ["(2, 3, 8, 8)", "b c h w -> b c z", "mean"], error="einsum-mismatch"),
    OpCase("einops.einsum", ["(2, 3)", "(3, 4)", "i j, j k -> i k"], expect="(2, 4)"),
    OpCase("einops.einsum", ["(2, 3)", "(4, 4)", "i j, j k -> i k"], error="einsum-mismatch"),
    OpCase("einops.pack", [["(2, 16, 3)", "(2, 3)"], "b * c"], expect="[(2, 17, 3), [[int 16], []]]"),
    OpCase("einops.pack", [["(2, 16, 3)", "(4, 3)"], "b * c"], error="concat-mismatch"),
    OpCase("einops.unpack", ["(2, 17, 3)", [(16,), ()], "b * c"], expect="[(2, 16, 3), (2, 3)]"),
    OpCase("einops.unpack", ["(2, 18, 3)", [(16,), ()], "b * c"], error="reshape-size"),
    layer("einops.layers.torch.Rearrange", ["b c h w -> b (c h w)"], ["(2, 3, 8, 8)"], "(2, 192)"),
    layer("einops.layers.torch.Rearrange", ["b c (h p) w -> b h p c w"], ["(2, 3, 9, 8)"], "!reshape-size",
          p=2),
    layer("einops.layers.torch.Reduce", ["b c h w -> b c", "mean"], ["(2, 3, 8, 8)"], "(2, 3)"),
    layer("einops.layers.torch.Reduce", ["b c h w -> b c", "mean"], ["(2, 3, 8)"], "!einsum-mismatch"),
    layer("einops.layers.keras.Rearrange", ["b h w c -> b (h w) c"], ["(2, 4, 4, 3)"], "(2, 16, 3)"),
    layer("einops.layers.keras.Reduce", ["b h w c -> b c", "max"], ["(2, 4, 4, 3)"], "(2, 3)"),
]

test_row, test_row_against_the_framework = row_tests(ROWS)
