"""Adding a bias column to a design matrix: the ones must go beside the features, not below."""
import numpy as np

n_samples, n_features = 100, 3
X = np.random.rand(n_samples, n_features)
ones = np.ones((n_samples, 1))
X_b = np.concatenate([ones, X], axis=0)  # bug: axis=1 puts the column beside X
theta = np.linalg.pinv(X_b.T @ X_b) @ X_b.T @ np.random.rand(n_samples)

if __name__ == "__main__":
    print(X_b.shape, theta.shape)
