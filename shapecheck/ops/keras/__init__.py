"""Keras 3 layers: InputSpec rank checks, ``compute_output_shape``, weights in Keras layout.

A Keras tensor is ``Tensor(shape, fw="keras")``; the batch ``None`` is ``BATCH``, one opaque size
(never unifies, never compares FALSE) that flows through every layer, so a batch dim stays the
same object. Other ``None`` sizes (``Input(shape=(None, 8))``) are fresh opaque sizes.

Keras builds a layer on its first call: the input size its weights depend on (Dense's last
dim, a Conv's channels) is stored in ``layer.config`` then, and a later call with another size
is SHP301. ``input_shape=`` / ``input_dim=`` / ``batch_input_shape=`` only matter on the first
layer of a Sequential (Keras 3 ignores them elsewhere), so they are kept as ``_input`` for the
Sequential rule (``sequential``) to use.

Every output tensor remembers the layer call that made it (``HISTORY``), so a functional model
can be re-run on the shape of the data it is fed, as Keras does.

The modules: ``base`` (arguments, the ``KerasLayer`` base rule, ``record`` and the history view),
one module per family of layers, then the models (``model``: the base and ``fit_check``;
``sequential``, ``functional``, ``applications``) and ``losses``. This file imports nothing:
``ops.load_all`` discovers the modules.
"""
