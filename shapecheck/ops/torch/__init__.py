"""torch.nn layers and torch.nn.functional, one module per family of layers.

Every rule follows torch's own documentation for the output size and creates its weights with
exactly the shapes torch gives them (so parameter counts equal ``sum(p.numel())``). The window
arithmetic (``conv_out``, ``pool_out``...) lives in ``shape_math.window``, shared with Keras and
TensorFlow; the ``*_forward`` helpers of the layer modules are shared with the functional rules
in ``functional``. Modules register their rules when ``ops.load_all`` imports them; this file
imports nothing, so the discovery order is the only order.
"""
