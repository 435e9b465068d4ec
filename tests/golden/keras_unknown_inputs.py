"""Keras layers applied to values the checker cannot see into (a pretrained backbone's output,
a batch from a generator; here data parsed at run time) still give what they guarantee: a
recurrent layer's input is 3-D and its output (batch, units) or (batch, timesteps, units); a
channels-last convolution gives (*, filters); a Dense gives (*, units)."""
import json

import numpy as np
from keras import layers

h = np.array(json.loads(json.dumps(np.zeros((2, 5, 7)).tolist())), "float32")  # known at run time only
img = np.array(json.loads(json.dumps(np.zeros((2, 9, 9, 3)).tolist())), "float32")

seq = layers.LSTM(16, return_sequences=True)(h)
reveal_shape(seq)  # revealed: (None, timesteps, 16)
last = layers.GRU(8)(seq)
reveal_shape(last)  # revealed: (None, 8)
feat = layers.Conv2D(32, 3, activation="relu")(img)
reveal_shape(feat)  # revealed: (*, 32)
reveal_shape(layers.Dense(10)(feat))  # revealed: (*, 10)

# stacked recurrent layers need return_sequences=True on all but the last
first = layers.LSTM(32)(h)
second = layers.LSTM(16)(first)  # E: SHP302

# a layer is built for the features of its first call
head = layers.Dense(4)
a = head(layers.SimpleRNN(12)(h))
b = head(layers.SimpleRNN(6)(h))  # E: SHP301
