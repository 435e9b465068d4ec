"""Weights and layouts (SHP601): copy_, .data =, Parameter assignment, load_state_dict of a
literal dict; torch stores Linear.weight (out, in) and conv kernels (out, in, *kernel)."""
import numpy as np
import torch
import torch.nn as nn

layer = nn.Linear(3, 2)
reveal_shape(layer.weight)  # revealed: (2, 3)
reveal_shape(layer.bias)  # revealed: (2,)
keras_kernel = np.zeros((3, 2), dtype=np.float32)  # a Keras Dense kernel: (in, out)
with torch.no_grad():
    layer.weight.copy_(torch.from_numpy(keras_kernel).T)
    layer.bias.copy_(torch.zeros(2))
    layer.weight.copy_(torch.from_numpy(keras_kernel))  # E: SHP601
    layer.bias.copy_(torch.zeros(3))  # E: SHP601
layer.load_state_dict({"weight": torch.zeros(2, 3), "bias": torch.zeros(2)})
layer.load_state_dict({"weight": torch.zeros(3, 2), "bias": torch.zeros(2)})  # E: SHP601

by_data = nn.Linear(3, 2)
by_data.weight.data = torch.zeros(2, 3)
by_data.weight.data = torch.zeros(3, 2)  # E: SHP601
by_param = nn.Linear(3, 2)
by_param.weight = nn.Parameter(torch.zeros(3, 2))  # E: SHP601

conv = nn.Conv2d(3, 16, 3)
reveal_shape(conv.weight)  # revealed: (16, 3, 3, 3)
with torch.no_grad():
    conv.weight.copy_(torch.zeros(16, 3, 3, 3))
