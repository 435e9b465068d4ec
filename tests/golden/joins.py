"""Joining (SHP2xx): cat/concat/concatenate, stack, hstack/vstack/column_stack, torch and numpy."""
import numpy as np
import torch

# ---------------------------------------------------------------- torch
a = torch.randn(4, 3)
b = torch.randn(4, 5)
reveal_shape(torch.cat([a, b], dim=1))  # revealed: (4, 8)
reveal_shape(torch.cat((a, b), 1))  # revealed: (4, 8)
reveal_shape(torch.cat([a, b], -1))  # revealed: (4, 8)
reveal_shape(torch.concat([a, b], dim=1))  # revealed: (4, 8)
reveal_shape(torch.concatenate([a, b], axis=1))  # revealed: (4, 8)
reveal_shape(torch.cat([a, a, a]))  # revealed: (12, 3)
reveal_shape(torch.cat([a, a, a], dim=-2))  # revealed: (12, 3)
c = torch.cat([a, b])  # E: SHP202
c = torch.cat([a, b], dim=0)  # E: SHP202
c = torch.cat([a, b, a], dim=0)  # E: SHP202
c = torch.cat([a, torch.randn(6, 5)], dim=1)  # E: SHP201
c = torch.cat([a, torch.randn(6, 5)], dim=0)  # E: SHP201
c = torch.cat([a, torch.randn(4, 3, 1)], dim=1)  # E: SHP203
c = torch.cat([a, b], dim=2)  # E: SHP402

reveal_shape(torch.stack([a, a]))  # revealed: (2, 4, 3)
reveal_shape(torch.stack((a, a, a), dim=1))  # revealed: (4, 3, 3)
reveal_shape(torch.stack([a, a], dim=-1))  # revealed: (4, 3, 2)
s = torch.stack([a, b])  # E: SHP205
s = torch.stack([a, torch.randn(3, 4)], dim=0)  # E: SHP205

reveal_shape(torch.hstack([a, b]))  # revealed: (4, 8)
reveal_shape(torch.vstack([a, a]))  # revealed: (8, 3)
c = torch.vstack([a, torch.randn(2, 7)])  # E: SHP201

# a list of parts built by a comprehension, then joined
parts = [torch.randn(4, 2) for _ in range(3)]
reveal_shape(torch.cat(parts, dim=1))  # revealed: (4, 6)
reveal_shape(torch.stack(parts))  # revealed: (3, 4, 2)

# the usual pattern: features concatenated before a head
img = torch.randn(16, 128)
txt = torch.randn(16, 64)
fused = torch.cat([img, txt], dim=-1)
reveal_shape(fused)  # revealed: (16, 192)
fused_bad = torch.cat([img, txt], dim=0)  # E: SHP202

# ---------------------------------------------------------------- numpy
x = np.zeros((4, 3))
y = np.zeros((4, 5))
reveal_shape(np.concatenate([x, y], axis=1))  # revealed: (4, 8)
reveal_shape(np.concatenate((x, x)))  # revealed: (8, 3)
reveal_shape(np.concatenate([x, y], axis=None))  # revealed: (32,)
z = np.concatenate([x, y])  # E: SHP202
z = np.concatenate([x, y], axis=0)  # E: SHP202
z = np.concatenate([x, np.zeros((4, 3, 2))], axis=1)  # E: SHP203
reveal_shape(np.hstack([x, y]))  # revealed: (4, 8)
reveal_shape(np.vstack([x, x]))  # revealed: (8, 3)
reveal_shape(np.vstack([x, np.zeros(3)]))  # revealed: (5, 3)
z = np.vstack([x, np.zeros((2, 7))])  # E: SHP201
reveal_shape(np.column_stack([np.zeros(4), np.zeros(4)]))  # revealed: (4, 2)
z = np.column_stack([np.zeros(4), np.zeros(5)])  # E: SHP201
reveal_shape(np.stack([x, x]))  # revealed: (2, 4, 3)
reveal_shape(np.stack([x, x], axis=2))  # revealed: (4, 3, 2)
z = np.stack([x, y])  # E: SHP205


# ---------------------------------------------------------------- symbolic sizes
def merge(n_a, n_b):
    left = torch.zeros(n_a, 16)
    right = torch.zeros(n_b, 16)
    rows = torch.cat([left, right], dim=0)
    reveal_shape(rows)  # revealed: (n_a + n_b, 16)
    return torch.cat([left, right], dim=1)  # E: SHP202 "holds only if"


def merge_features(h, n_feat):
    extra = torch.zeros(h.shape[0], n_feat)
    out = torch.cat([h, extra], dim=1)
    return out
