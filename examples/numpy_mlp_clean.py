"""A clean NumPy forward and backward pass for one hidden layer."""
import numpy as np

np.random.seed(0)
X = np.random.randn(64, 10)
y = np.random.randn(64, 1)
W1 = np.random.randn(10, 32) * 0.1
b1 = np.zeros((1, 32))
W2 = np.random.randn(32, 1) * 0.1
b2 = np.zeros((1, 1))

h = np.maximum(0, X @ W1 + b1)
pred = h @ W2 + b2
grad_pred = 2 * (pred - y) / len(X)
grad_W2 = h.T @ grad_pred
grad_h = grad_pred @ W2.T
grad_W1 = X.T @ (grad_h * (h > 0))

if __name__ == "__main__":
    print(pred.shape, grad_W1.shape, grad_W2.shape)
