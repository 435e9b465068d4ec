"""Invalid shape arguments (SHP405) of layers: a size argument torch rejects whatever input flows
in. Each anchored line raises in torch 2.13; each clean line next to it is the edge that runs."""
import torch
import torch.nn as nn
import torch.nn.functional as F

x = torch.randn(1, 1, 8, 8)
s = torch.randn(1, 1, 8)

# ---------------------------------------------------------------- pooling padding over half the kernel
reveal_shape(nn.MaxPool2d(3, padding=1)(x))  # revealed: (1, 1, 3, 3)
p = nn.MaxPool2d(3, padding=2)(x)  # E: SHP405
p = nn.MaxPool2d(3, padding=2, dilation=2)(x)  # E: SHP405
reveal_shape(nn.AvgPool2d(4, padding=2)(x))  # revealed: (1, 1, 3, 3)
p = nn.AvgPool2d(5, padding=3)(x)  # E: SHP405
p = nn.MaxPool1d(3, padding=2)(s)  # E: SHP405
p = F.max_pool2d(x, 3, padding=2)  # E: SHP405
p = F.avg_pool1d(s, 3, padding=2)  # E: SHP405

# ---------------------------------------------------------------- output_padding not below stride or dilation
reveal_shape(nn.ConvTranspose2d(1, 1, 3, stride=2, output_padding=1)(x))  # revealed: (1, 1, 18, 18)
reveal_shape(nn.ConvTranspose2d(1, 1, 3, dilation=2, output_padding=1)(x))  # revealed: (1, 1, 13, 13)
t = nn.ConvTranspose2d(1, 1, 3, stride=2, output_padding=2)(x)  # E: SHP405
t = nn.ConvTranspose1d(1, 1, 3, output_padding=1)(s)  # E: SHP405
t = F.conv_transpose2d(x, torch.randn(1, 1, 3, 3), output_padding=1)  # E: SHP405

# ---------------------------------------------------------------- reflection padding not below the input size
reveal_shape(nn.ReflectionPad2d(7)(x))  # revealed: (1, 1, 22, 22)
r = nn.ReflectionPad2d(8)(x)  # E: SHP405
r = nn.ReflectionPad1d((2, 8))(s)  # E: SHP405
reveal_shape(F.pad(x, (7, 7, 0, 0), mode="reflect"))  # revealed: (1, 1, 8, 22)
r = F.pad(x, (8, 8, 0, 0), mode="reflect")  # E: SHP405
reveal_shape(nn.ReplicationPad2d(20)(x))  # revealed: (1, 1, 48, 48)

# ---------------------------------------------------------------- feature dropout on too few dims
reveal_shape(nn.Dropout2d()(torch.randn(3, 4, 5)))  # revealed: (3, 4, 5)
d = nn.Dropout2d()(torch.randn(3))  # E: SHP405
reveal_shape(nn.Dropout3d()(torch.randn(5)))  # revealed: (5,)
d = nn.Dropout3d()(torch.tensor(1.0))  # E: SHP405
d = F.dropout2d(torch.randn(3))  # E: SHP405
reveal_shape(F.dropout2d(torch.randn(3), training=False))  # revealed: (3,)
