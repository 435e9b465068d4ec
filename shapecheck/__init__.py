"""shapecheck: a static, symbolic shape checker for PyTorch, NumPy and Keras/TensorFlow code."""
from __future__ import annotations

__version__ = "0.1.0"
