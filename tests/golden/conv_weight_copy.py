"""Formerly pending, now met: a conv kernel copied in the Keras layout (SHP601).

expected: SHP601 weight-layout (torch stores a conv kernel (out, in, kh, kw); (kh, kw, in, out)
is Keras's layout); got: SHP501 broadcast-mismatch ("copy_ between (16, 3, 3, 3) and
(3, 3, 3, 16) ... do not broadcast"): copy_ into a parameter is checked as a broadcast for
conv weights, as SHP601 for Linear weights.
"""
import torch
import torch.nn as nn

conv = nn.Conv2d(3, 16, 3)
with torch.no_grad():
    conv.weight.copy_(torch.zeros(16, 3, 3, 3))
    conv.weight.copy_(torch.zeros(3, 3, 3, 16))  # E: SHP601
