"""Tensor functions, methods and attributes shared by PyTorch and NumPy, one module per family
(attributes, constructors, operators, reshaping, axes, joins, indexing, reductions, products).

Names: ``torch.X``, ``torch.Tensor.X`` (methods get the tensor as argument 0), ``numpy.X``,
``numpy.ndarray.X``, ``operator.X`` (Python operators), ``tensor.X`` (a method or attribute of
any framework's tensor). The pure shape math lives in ``shape_math``; these are its adapters.
"""
from __future__ import annotations
