"""--fix on products: comments and formatting around each fixed expression stay as they were."""
import numpy as np
import tensorflow as tf
import torch

x = torch.randn(64, 20)
w = torch.randn(10, 20)  # nn.Linear layout: (out, in)

y = x @ w  # the projection
z = torch.matmul(
    x,  # the input, one row per sample
    w,  # the weight
)
h = (x @ w) + 1.0
q = x.matmul(w)

a = np.zeros((3, 4))
b = np.zeros((5, 4))
c = np.dot(a, b)

ta = tf.zeros((3, 4))
tb = tf.zeros((5, 4))
tc = tf.matmul(ta, tb)
td = tf.matmul(
    ta,
    tb,
)

# a fix that unlocks another: once h2 is known, h2 @ v fails and is fixed in the next round
h2 = x @ w
v = torch.randn(3, 10)
out = h2 @ v

# two changes fit a square product: an unsafe fix, left alone without --unsafe-fixes
sq = torch.randn(4, 5)
r = sq @ sq
