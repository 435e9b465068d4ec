"""Comprehensions longer than the checker unrolls: when the element is the same for the first and
the last item (a row of random numbers, a list of zeros), the list holds that one value n times, so
an array made of it has n rows. Where the element depends on the item, the list stays unknown."""
import random

import numpy as np

rows = [np.random.uniform(0, 255, 900) for _ in range(500)]
X = np.asarray(rows, dtype=np.float32)
reveal_shape(X)  # revealed: (500, 900)
labels = np.array([[random.randint(0, 1) for _ in range(500)]])
reveal_shape(labels)  # revealed: (1, 500)
W = np.zeros((900, 10))
scores = X @ W
reveal_shape(scores)  # revealed: (500, 10)
scores + labels  # E: SHP501
scores + labels.T[:, :1]

growing = [np.zeros(i) for i in range(100)]
stacked = np.concatenate(growing)
reveal_shape(stacked)  # revealed: unknown
