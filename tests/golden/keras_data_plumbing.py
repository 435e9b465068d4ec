"""Data plumbing between arrays and Keras ``fit``, as the Keras guides and tutorials write it:
scikit-learn splits and scalers, one-hot labels, added channel axes, a pretrained embedding
matrix, models fed data the checker cannot see. Each model is fed what its program gives it; the
shapes each step makes are revealed, and only data that cannot fit the model is reported.
(``tf.data`` and the image generators: keras_data_pipelines.py.)"""
import io

import keras
import numpy as np
from keras import layers
from keras.utils import to_categorical
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import LabelEncoder, MinMaxScaler, StandardScaler

# ---------------------------------------------------------------- a tabular classifier
features = np.random.random((500, 8)).astype("float32")
labels = np.random.randint(0, 3, 500)
reveal_shape(np.eye(3)[labels])  # revealed: (500, 3)
reveal_shape(to_categorical(labels))  # revealed: (500, num_classes)
reveal_shape(to_categorical(np.array([0, 2, 1, 1])))  # revealed: (4, 3)
onehot = to_categorical(labels, num_classes=3)
reveal_shape(onehot)  # revealed: (500, 3)

x_train, x_test, y_train, y_test = train_test_split(features, onehot, test_size=0.2, random_state=42)
reveal_shape(x_train)  # revealed: (400, 8)
reveal_shape(y_test)  # revealed: (100, 3)
scaler = StandardScaler()
x_train = scaler.fit_transform(x_train)
x_test = scaler.transform(x_test)
reveal_shape(x_test)  # revealed: (100, 8)

tabular = keras.Sequential([
    keras.Input(shape=(8,)),
    layers.Dense(32, activation="relu"),
    layers.Dense(3, activation="softmax"),
])
tabular.compile(optimizer="adam", loss="categorical_crossentropy")
tabular.fit(x_train, y_train, epochs=1, verbose=0, validation_data=(x_test, y_test))

wide = keras.Sequential([keras.Input(shape=(10,)), layers.Dense(3, activation="softmax")])
wide.compile(optimizer="adam", loss="categorical_crossentropy")
wide.fit(x_train, y_train, epochs=1, verbose=0)  # E: SHP701 "input (None, 10)"

# integer labels for a one-hot loss: the split keeps them (N,)
a_train, a_test, b_train, b_test = train_test_split(features, labels, train_size=0.75)
reveal_shape(b_train)  # revealed: (375,)
reveal_shape(a_test)  # revealed: (125, 8)
tabular.fit(a_train, b_train, epochs=1, verbose=0)  # E: SHP702 "categorical_crossentropy needs targets"
encoded = LabelEncoder().fit_transform(labels)
reveal_shape(encoded)  # revealed: (500,)
sparse = keras.Sequential([keras.Input(shape=(8,)), layers.Dense(3, activation="softmax")])
sparse.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
sparse.fit(MinMaxScaler().fit_transform(features), encoded, epochs=1, verbose=0)

# ---------------------------------------------------------------- images: the channel axis
pixels, digits = np.zeros((60, 28, 28), dtype="float32"), np.random.randint(0, 10, 60)
reveal_shape(pixels[..., None])  # revealed: (60, 28, 28, 1)
reveal_shape(np.expand_dims(pixels, -1))  # revealed: (60, 28, 28, 1)
convnet = keras.Sequential([
    keras.Input(shape=(28, 28, 1)),
    layers.Conv2D(4, 3, activation="relu"),
    layers.MaxPooling2D(),
    layers.Flatten(),
    layers.Dense(10, activation="softmax"),
])
convnet.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
convnet.fit(pixels[:, :, :, np.newaxis], digits, epochs=1, verbose=0)
convnet.fit(pixels.reshape(-1, 28, 28, 1), to_categorical(digits, 10), epochs=1, verbose=0)  # E: SHP702

# ---------------------------------------------------------------- a pretrained embedding matrix
vocab_size, embed_dim = 200, 16
glove = np.random.random((vocab_size, embed_dim))
keras.Sequential([layers.Embedding(vocab_size, embed_dim, weights=[glove], trainable=False), layers.LSTM(8)])
keras.Sequential([layers.Embedding(vocab_size, 100, weights=[glove]), layers.LSTM(8)])  # E: SHP601

# ---------------------------------------------------------------- functional models, unknown data
review = keras.Input(shape=(100,), dtype="int32")
hidden = layers.Flatten()(layers.Embedding(vocab_size, 8)(review))
verdict = layers.Dense(2, activation="softmax")(hidden)
reviews = keras.Model(inputs=[review], outputs=[verdict])
reviews.compile(optimizer="adam", loss="categorical_crossentropy")
texts = np.random.randint(0, vocab_size, (64, 100))
reviews.fit(texts, to_categorical(np.random.randint(0, 2, 64), 2), epochs=1, verbose=0)
reviews.fit(texts, to_categorical(np.random.randint(0, 5, 64), 5), epochs=1, verbose=0)  # E: SHP702 "(64, 2)"

saved = io.BytesIO()
np.save(saved, texts)


def load_saved(buffer):
    buffer.seek(0)
    return np.load(buffer)


# what the file holds is not known; the targets still meet the output the model declares
reviews.fit(load_saved(saved), np.random.randint(0, 2, 64).reshape(-1, 1), epochs=1, verbose=0)  # E: SHP702
reviews.fit(load_saved(saved), np.eye(2)[np.random.randint(0, 2, 64)], epochs=1, verbose=0)

# a Sequential runs on the data's own sizes: with unknown data only its rank and a last size its
# Dense sets are known
steps = io.BytesIO()
np.save(steps, np.zeros((64, 20, 4)))
per_step = keras.Sequential([keras.Input(shape=(20, 4)), layers.Dense(6)])
per_step.compile(optimizer="adam", loss="mse")
per_step.fit(load_saved(steps), np.zeros((64, 20, 6)), epochs=1, verbose=0)
per_step.fit(load_saved(steps), np.zeros((64, 20, 5)), epochs=1, verbose=0)  # E: SHP702
flat = keras.Sequential([keras.Input(shape=(20, 4)), layers.Flatten()])
flat.compile(optimizer="adam", loss="categorical_crossentropy")
flat.fit(load_saved(steps), np.zeros((64, 80)), epochs=1, verbose=0)

# a dict of equally shaped splits, read with a key the checker cannot tell
splits = {"train": np.zeros((64, 100)), "valid": np.zeros((64, 100))}


def features_of(name):
    return splits[name]


reveal_shape(features_of(str(np.random.choice(["train", "valid"]))))  # revealed: (64, 100)

# one image reshaped by hand for a model that wants flat rows
image = io.BytesIO()
np.save(image, np.zeros((28, 28)))
flat_in = keras.Sequential([keras.Input(shape=(784,)), layers.Dense(10, activation="softmax")])
one = np.reshape(load_saved(image), (1, 28, 28))
reveal_shape(one)  # revealed: (1, 28, 28)
flat_in.predict(one, verbose=0)  # E: SHP701
flat_in.predict(np.reshape(load_saved(image), (1, 784)), verbose=0)
