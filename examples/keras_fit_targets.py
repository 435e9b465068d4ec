"""A Keras classifier for 28x28 images trained on labels of the wrong shape."""
import numpy as np
import keras
from keras import layers

model = keras.Sequential([
    keras.Input(shape=(28, 28)),
    layers.Flatten(),
    layers.Dense(128, activation="relu"),
    layers.Dense(10, activation="softmax"),
])
model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])

x_train = np.random.rand(1000, 28, 28).astype("float32")
y_train = np.random.randint(0, 10, size=(1000, 1))  # integer labels
model.fit(x_train, y_train, epochs=1, batch_size=32)  # bug: one-hot targets (1000, 10) needed
