"""One bug, one finding, for Keras models: a model whose build failed is reported once, at the
layer that fails, and not again at every ``fit``, ``evaluate`` and ``predict`` that follows. A
Sequential with no declared input builds on its first data: what fails there is the failing
layer's finding (its own code), at that training call, and only there. A functional model whose
outputs are a list of one is trained against one array of targets."""
import numpy as np
import keras
from keras import layers



def declared_then_trained():
    declared = keras.Sequential([keras.Input((4,)), layers.Dense(8), layers.LSTM(3)])  # E: SHP302
    declared.compile(loss="mse", optimizer="adam")
    declared.fit(np.zeros((10, 4)), np.zeros((10, 3)), epochs=1, verbose=0)
    declared.predict(np.zeros((10, 4)), verbose=0)


def added_then_evaluated():
    added = keras.Sequential()
    added.add(layers.Dense(8, input_shape=(4,)))
    added.add(layers.LSTM(3))  # E: SHP302
    added.compile(loss="mse", optimizer="adam")
    added.evaluate(np.zeros((10, 4)), np.zeros((10, 3)), verbose=0)


lazy = keras.Sequential()
lazy.add(layers.Dense(8))
lazy.add(layers.LSTM(3))
lazy.compile(loss="mse", optimizer="adam")
lazy.fit(np.zeros((10, 4)), np.zeros((10, 3)), epochs=1, verbose=0)  # E: SHP302 "fit builds the model"
lazy.predict(np.zeros((10, 4)), verbose=0)  # runtime: raises
lazy.evaluate(np.zeros((10, 4)), np.zeros((10, 3)), verbose=0)  # runtime: raises

inp = keras.Input(shape=(100,))
out = layers.Dense(2, activation="softmax")(inp)
listed = keras.Model(inputs=[inp], outputs=[out])
listed.compile(optimizer="adam", loss="categorical_crossentropy")
listed.fit(np.zeros((64, 100)), np.zeros((64, 2)), epochs=1, verbose=0)
listed.fit(np.zeros((64, 100)), np.zeros((64, 5)), epochs=1, verbose=0)  # E: SHP702
