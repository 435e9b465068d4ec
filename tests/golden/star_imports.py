"""Star imports from the frameworks bind every name the checker knows there, so a model built of
``from keras.layers import *`` names is checked like one built of ``layers.Dense``;
Python's builtins (``sum``, ``max``) are left as they are (numpy's ``*`` shadows some of them, with
the same answer on plain lists). Data one axis short of an input
that ends in 1 is accepted by Keras 3 and refused by Keras 2 (a warning by default)."""
import numpy as np
from keras.layers import *
from keras.models import *
from numpy import *

inp = Input(shape=(20, 8))
x = Conv1D(16, 3, activation="relu")(inp)
x = GlobalMaxPool1D()(x)
out = Dense(1)(x)
model = Model(inputs=inp, outputs=out)
model.compile(optimizer="adam", loss="mse")
model.fit(np.zeros((100, 8)), np.zeros((100, 1)), epochs=1, verbose=0)  # E: SHP701

seq = Sequential()
seq.add(LSTM(4, input_shape=(30, 1)))
seq.add(Dense(1))
seq.compile(optimizer="adam", loss="mse")
seq.fit(np.zeros((50, 30)), np.zeros((50, 1)), epochs=1, verbose=0)  # runtime: ok  # E: SHP701 "older Keras 2"
seq.fit(np.zeros((50, 30, 1)), np.zeros((50, 1)), epochs=1, verbose=0)

w = zeros((32, 10)) @ ones((20, 5))  # E: SHP101
total = sum([1, 2, 3])
