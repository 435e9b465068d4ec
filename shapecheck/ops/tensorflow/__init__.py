"""TensorFlow adapters: ``tf.*`` (TF 2 and the ``tf.compat.v1`` graph API) and ``keras.ops``, over
the shared shape math; a rule two of them share is registered once per signature."""
