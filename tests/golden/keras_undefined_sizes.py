"""A ``None`` written in a Keras shape stays undefined: a Flatten over it has an undefined size, and
a Dense fed that size cannot build its kernel (Keras raises "The last dimension of the inputs to
`Dense` should be defined"). Pooling over the undefined axis, or a Dense on a defined last axis, is
fine."""
import keras
from keras import layers

seq = keras.Input(shape=(None, 8))
h = layers.LSTM(16, return_sequences=True)(seq)
pooled = layers.GlobalAveragePooling1D()(h)
reveal_shape(layers.Dense(4)(pooled))  # revealed: (None, 4)
reveal_shape(layers.Dense(4)(h))  # revealed: (None, None, 4)
flat = layers.Flatten()(h)
reveal_shape(flat)  # revealed: (None, None)
head = layers.Dense(1)(flat)  # E: SHP301 "last size is None"

fixed = keras.Input(shape=(12, 8))
reveal_shape(layers.Dense(1)(layers.Flatten()(layers.LSTM(16, return_sequences=True)(fixed))))  # revealed: (None, 1)
