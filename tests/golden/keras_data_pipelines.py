"""Input pipelines fed to Keras ``fit``, as the Keras and TensorFlow guides write them: ``tf.data``
datasets from arrays (batched, mapped, shuffled, prefetched), Keras image generators and
``image_dataset_from_directory``. ``fit(dataset)`` trains on each element as on arrays.

TensorFlow is not installed where the golden oracle runs, and the generators read folders of
images: each pipeline is a function the oracle defines but never calls (the checker runs every
function of the file)."""
import keras
import numpy as np
from keras import layers


def mnist_model():
    model = keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        layers.Conv2D(4, 3, activation="relu"),
        layers.MaxPooling2D(),
        layers.Flatten(),
        layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    return model


def normalize(image, label):
    import tensorflow as tf

    return tf.cast(image, tf.float32) / 255.0, label


def tf_data_from_arrays():
    import tensorflow as tf

    images, digits = np.zeros((600, 28, 28)), np.random.randint(0, 10, 600)
    convnet = mnist_model()
    train_ds = tf.data.Dataset.from_tensor_slices((images[..., None], digits))
    reveal_shape(train_ds.element_spec)  # revealed: [(28, 28, 1), ()]
    train_ds = train_ds.shuffle(1000).map(normalize).batch(32).prefetch(tf.data.AUTOTUNE)
    reveal_shape(train_ds.element_spec)  # revealed: [(None, 28, 28, 1), (None,)]
    convnet.fit(train_ds, epochs=2)
    convnet.fit(train_ds, validation_data=train_ds.take(5), epochs=2)
    # never batched: each element, one row of 8 features, is taken as a batch
    rows = tf.data.Dataset.from_tensor_slices((np.zeros((500, 8)), np.random.randint(0, 3, 500)))
    tabular = keras.Sequential([keras.Input(shape=(8,)), layers.Dense(3, activation="softmax")])
    tabular.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    tabular.fit(rows, epochs=2)  # E: SHP701 "(8,)"
    tabular.fit(rows.batch(32), epochs=2)
    onehot = tf.data.Dataset.from_tensor_slices((images[..., None], digits)).map(
        lambda x, y: (x, tf.one_hot(y, 10))).batch(64, drop_remainder=True)
    reveal_shape(onehot.element_spec)  # revealed: [(64, 28, 28, 1), (64, 10)]
    convnet.fit(onehot, epochs=2)  # E: SHP702 "sparse_categorical_crossentropy"
    features = tf.data.Dataset.from_tensor_slices({"pixels": images, "digit": digits})
    reveal_shape(features.element_spec["pixels"])  # revealed: (28, 28)
    reveal_shape(features.batch(8).element_spec["digit"])  # revealed: (None,)
    reveal_shape(features.batch(8).unbatch().element_spec["pixels"])  # revealed: (28, 28)


def split_window(chunk):
    return chunk[:-1], chunk[1:]


def next_token_windows():
    import tensorflow as tf

    tokens = np.random.randint(0, 64, (4096,))
    windows = tf.data.Dataset.from_tensor_slices(tokens).batch(33, drop_remainder=True)
    pairs = windows.map(split_window).batch(16, drop_remainder=True)
    reveal_shape(pairs.element_spec)  # revealed: [(16, 32), (16, 32)]
    lm = keras.Sequential([
        layers.Embedding(64, 16),
        layers.GRU(32, return_sequences=True),
        layers.Dense(64, activation="softmax"),
    ])
    lm.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    lm.fit(pairs, epochs=1)
    lm.compile(optimizer="adam", loss="categorical_crossentropy")
    lm.fit(pairs, epochs=1)  # E: SHP702 "(16, 32, 64)"


def image_generators():
    from tensorflow.keras.preprocessing.image import ImageDataGenerator

    small = keras.Sequential([
        keras.Input(shape=(150, 150, 3)),
        layers.Conv2D(32, 3, activation="relu"),
        layers.GlobalAveragePooling2D(),
        layers.Dense(1, activation="sigmoid"),
    ])
    small.compile(optimizer="rmsprop", loss="binary_crossentropy")
    datagen = ImageDataGenerator(rescale=1.0 / 255, horizontal_flip=True)
    flowers = datagen.flow_from_directory("data/train", target_size=(150, 150), batch_size=20, class_mode="binary")
    small.fit(flowers, epochs=3)
    small.fit_generator(flowers, steps_per_epoch=100, epochs=3, validation_data=flowers)
    gray = datagen.flow_from_directory("data/train", target_size=(150, 150), color_mode="grayscale",
                                       class_mode="binary")
    small.fit(gray, epochs=3)  # E: SHP701 "(batch, 150, 150, 1)"
    several = datagen.flow_from_directory("data/train", target_size=(150, 150), classes=["cat", "dog", "fox"])
    small.fit(several, epochs=3)  # E: SHP702 "binary_crossentropy"
    unlisted = datagen.flow_from_directory("data/train", target_size=(150, 150))
    small.fit(unlisted, epochs=3)  # (as many classes as folders: one folder would fit)
    # 256 x 256 images by default: a Keras 3 Sequential runs its layers on them (the pooling takes any size)
    square = datagen.flow_from_directory("data/train", class_mode="binary")
    small.fit(square, epochs=3)
    digits = np.random.randint(0, 10, 60)
    augmented = datagen.flow(np.zeros((60, 28, 28, 1)), digits, batch_size=32)
    mnist_model().fit(augmented, epochs=2)
    mnist_model().fit(datagen.flow(np.zeros((60, 28, 28, 3)), digits), epochs=2)  # E: SHP701


def photos_from_folders():
    photos = keras.utils.image_dataset_from_directory("data/photos", image_size=(150, 150), batch_size=32)
    reveal_shape(photos.element_spec)  # revealed: [(None, 150, 150, 3), (None,)]
    model = keras.Sequential([
        keras.Input(shape=(150, 150, 3)),
        layers.Rescaling(1.0 / 255),
        layers.Conv2D(8, 3, activation="relu"),
        layers.GlobalAveragePooling2D(),
        layers.Dense(5),
    ])
    model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    model.fit(photos, epochs=3)
    onehot = keras.utils.image_dataset_from_directory("data/photos", label_mode="categorical",
                                                      class_names=["a", "b", "c"], image_size=(150, 150))
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    model.fit(onehot, epochs=3)  # E: SHP702 "(None, 5)"
