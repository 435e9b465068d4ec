"""Broadcasting (SHP501/SHP502): arithmetic operators, comparisons, torch/numpy elementwise
functions, in-place updates, and the silent outer product of a column with a row."""
import numpy as np
import torch

a = torch.randn(4, 3)
reveal_shape(a + torch.randn(3))  # revealed: (4, 3)
reveal_shape(a * torch.randn(4, 1))  # revealed: (4, 3)
reveal_shape(a - 1.0)  # revealed: (4, 3)
reveal_shape(2 * a)  # revealed: (4, 3)
reveal_shape(torch.randn(2, 1, 3) + torch.randn(5, 1))  # revealed: (2, 5, 3)
reveal_shape(torch.add(a, torch.randn(1, 3)))  # revealed: (4, 3)
reveal_shape(torch.where(a > 0, a, torch.zeros(3)))  # revealed: (4, 3)
reveal_shape(a > torch.randn(1))  # revealed: (4, 3)
b = a + torch.randn(4)  # E: SHP501
b = a * torch.randn(3, 4)  # E: SHP501
b = a / torch.randn(4, 3, 2)  # E: SHP501
b = a ** torch.randn(2)  # E: SHP501
b = a % torch.randn(5, 3)  # E: SHP501
b = a > torch.randn(4)  # E: SHP501
b = torch.add(a, torch.randn(5))  # E: SHP501
b = torch.mul(a, torch.randn(2, 3))  # E: SHP501
b = torch.where(a > 0, a, torch.randn(5, 3))  # E: SHP501
b = torch.maximum(a, torch.randn(4, 2))  # E: SHP501
acc = torch.zeros(4, 3)
acc += torch.randn(1, 3)
acc += torch.randn(4)  # E: SHP501

# ---------------------------------------------------------------- numpy
u = np.ones((5, 3))
reveal_shape(u + np.ones(3))  # revealed: (5, 3)
reveal_shape(np.multiply(u, np.ones((5, 1))))  # revealed: (5, 3)
reveal_shape(np.maximum(u, 0))  # revealed: (5, 3)
reveal_shape(np.ones((7, 1, 3)) - u)  # revealed: (7, 5, 3)
v = u + np.ones(5)  # E: SHP501
v = np.add(u, np.ones((3, 5)))  # E: SHP501
v = np.where(u > 0, u, np.zeros((2, 3)))  # E: SHP501
v = u * np.ones((5, 2))  # E: SHP501

# ---------------------------------------------------------------- column times row (warning)
features = torch.randn(1, 5)
weights = torch.randn_like(features)
outer = features.t() * weights  # E: SHP502
y_true = np.random.rand(100, 1)
y_pred = np.random.rand(100)
residual = y_true - y_pred  # E: SHP502
reveal_shape(y_true[:, 0] - y_pred)  # revealed: (100,)
reveal_shape(y_true.ravel() - y_pred)  # revealed: (100,)
reveal_shape(y_true - y_pred[:, None])  # revealed: (100, 1)
reveal_shape(np.outer(y_pred, y_pred))  # revealed: (100, 100)
bias = torch.randn(1, 3)
reveal_shape(a + bias)  # revealed: (4, 3)


# ---------------------------------------------------------------- symbolic sizes
def add_rows(n, m):
    p = torch.zeros(n, 3)
    q = torch.zeros(m, 3)
    same = p + torch.zeros(n, 1)
    reveal_shape(same)  # revealed: (n, 3)
    return p + q  # E: SHP501
