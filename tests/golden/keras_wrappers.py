"""Keras wrappers: ``TimeDistributed`` of a layer or of a whole model runs it on every time step;
``Bidirectional`` joins the two directions by ``merge_mode`` (``concat`` doubles the units, ``sum``,
``mul`` and ``ave`` keep them); a model called on a tensor is a layer like any other."""
import numpy as np
import keras
from keras import layers

seq = keras.Input(shape=(10, 8))
reveal_shape(layers.TimeDistributed(layers.Dense(5))(seq))  # revealed: (None, 10, 5)
reveal_shape(layers.Bidirectional(layers.LSTM(6, return_sequences=True))(seq))  # revealed: (None, 10, 12)
reveal_shape(layers.Bidirectional(layers.LSTM(6), merge_mode="sum")(seq))  # revealed: (None, 6)
reveal_shape(layers.Bidirectional(layers.GRU(4), merge_mode="ave")(seq))  # revealed: (None, 4)

frame_encoder = keras.Sequential([keras.Input((28, 28, 1)), layers.Conv2D(4, 3), layers.Flatten()])
frames = keras.Input(shape=(5, 28, 28, 1))
per_frame = layers.TimeDistributed(frame_encoder)(frames)
reveal_shape(per_frame)  # revealed: (None, 5, 2704)
clip = layers.LSTM(16)(per_frame)
video = keras.Model(frames, layers.Dense(3, activation="softmax")(clip))
video.compile(optimizer="adam", loss="categorical_crossentropy")
video.fit(np.zeros((4, 5, 28, 28, 1)), np.zeros((4, 3)), epochs=1, verbose=0)
video.fit(np.zeros((4, 5, 28, 28)), np.zeros((4, 3)), epochs=1, verbose=0)  # runtime: ok  # E: SHP701

step_model = keras.Sequential([keras.Input((6,)), layers.Dense(7)])
layers.TimeDistributed(step_model)(seq)  # E: SHP301

encoder = keras.Model(seq, layers.LSTM(12)(seq))
other = keras.Input(shape=(10, 8))
reveal_shape(encoder(other))  # revealed: (None, 12)
head = layers.Dense(2)(encoder(other))
reveal_shape(head)  # revealed: (None, 2)
encoder(keras.Input(shape=(10, 9)))  # E: SHP301
