"""Known datasets: the shapes their loaders document reach the model the data is fed to.

1. `keras.datasets.<name>.load_data()`: MNIST images are (n, 28, 28) with integer labels (n,);
   CIFAR-10 labels are a column (n, 1); Boston housing has 13 features; IMDB reviews are ragged
   sequences (rows only).
2. The TF1 tutorials' `input_data.read_data_sets`: 55000/5000/10000 examples, images (n, 784)
   (or (n, 28, 28, 1) with reshape=False), labels (n,) or one-hot (n, 10); `next_batch(k)`.
3. `to_categorical` without `num_classes` counts the classes itself: a size of its own, so the
   rank and the rows are still checked and nothing is said of the class count.
"""
# no-oracle: the loaders download their datasets, and the tutorials need TensorFlow 1
import numpy as np
import tensorflow as tf
from tensorflow import keras
from tensorflow.examples.tutorials.mnist import input_data
from tensorflow.keras import layers

# 1. Keras datasets ---------------------------------------------------------------------------
(x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
reveal_shape(x_train)  # revealed: (60000, 28, 28)
reveal_shape(y_test)  # revealed: (10000,)

mlp = keras.Sequential([
    layers.Dense(128, activation="relu", input_shape=(784,)),
    layers.Dense(10, activation="softmax"),
])
mlp.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
mlp.fit(x_train, y_train, epochs=5)  # E: SHP701 "(60000, 28, 28)"

flat_train = x_train.reshape(60000, 784).astype("float32") / 255
bad_test = x_test.reshape(60000, 784)  # E: SHP401
flat_test = x_test.reshape(-1, 28 * 28).astype("float32") / 255
reveal_shape(flat_test)  # revealed: (10000, 784)
mlp.fit(flat_train, y_train, epochs=5, validation_data=(flat_test, y_test))
mlp.evaluate(flat_test, y_test)
mlp.predict(flat_test[0])  # E: SHP701
mlp.predict(flat_test[:1])

mlp.compile(optimizer="adam", loss="categorical_crossentropy")
mlp.fit(flat_train, y_train)  # E: SHP702
mlp.fit(flat_train, keras.utils.to_categorical(y_train, 10))
one_hot = keras.utils.to_categorical(y_train)
reveal_shape(one_hot)  # revealed: (60000, num_classes)
mlp.fit(flat_train, one_hot)
mlp.fit(flat_test, one_hot)  # E: SHP702 "x has 10000 samples but y has 60000"

(cx_train, cy_train), (cx_test, cy_test) = keras.datasets.cifar10.load_data()
reveal_shape(cy_train)  # revealed: (50000, 1)
cnn = keras.Sequential([
    keras.Input(shape=(32, 32, 3)),
    layers.Conv2D(32, 3, activation="relu"),
    layers.MaxPooling2D(),
    layers.Flatten(),
    layers.Dense(10, activation="softmax"),
])
cnn.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
cnn.fit(cx_train / 255.0, cy_train, validation_data=(cx_test / 255.0, cy_test))
cnn.fit(np.expand_dims(x_train, -1), y_train)  # E: SHP701
cnn.compile(optimizer="adam", loss="categorical_crossentropy")
cnn.fit(cx_train, cy_train)  # E: SHP702
cnn.fit(cx_train, keras.utils.to_categorical(cy_train, 10))

(hx_train, hy_train), (hx_test, hy_test) = keras.datasets.boston_housing.load_data()
reveal_shape(hx_test)  # revealed: (102, 13)
regressor = keras.Sequential([
    layers.Dense(64, activation="relu", input_shape=(hx_train.shape[1],)),
    layers.Dense(1),
])
regressor.compile(optimizer="rmsprop", loss="mse", metrics=["mae"])
regressor.fit(hx_train, hy_train, epochs=20, batch_size=16)
regressor.evaluate(hx_test, hy_test)
california = keras.Sequential([layers.Dense(1, input_shape=(8,))])
california.compile(optimizer="rmsprop", loss="mse")
california.fit(hx_train, hy_train)  # E: SHP701

(ix_train, iy_train), (ix_test, iy_test) = keras.datasets.imdb.load_data(num_words=10000)
reveal_shape(iy_train)  # revealed: (25000,)
longest = max(len(review) for review in ix_train)
first_review_length = len(ix_train[0])


def vectorize_sequences(sequences, dimension=10000):
    results = np.zeros((len(sequences), dimension))
    for i, sequence in enumerate(sequences):
        results[i, sequence] = 1.0
    return results


multi_hot = vectorize_sequences(ix_train)
reveal_shape(multi_hot)  # revealed: (25000, 10000)
sentiment = keras.Sequential([
    layers.Dense(16, activation="relu", input_shape=(10000,)),
    layers.Dense(1, activation="sigmoid"),
])
sentiment.compile(optimizer="rmsprop", loss="binary_crossentropy")
sentiment.fit(multi_hot, iy_train.astype("float32"), epochs=4, batch_size=512)
sentiment.fit(multi_hot[:10000], iy_train)  # E: SHP702

# 2. TF1 tutorials ----------------------------------------------------------------------------
mnist = input_data.read_data_sets("MNIST_data/", one_hot=True)
reveal_shape(mnist.train.images)  # revealed: (55000, 784)
reveal_shape(mnist.validation.labels)  # revealed: (5000, 10)

x = tf.placeholder(tf.float32, [None, 784])
y_ = tf.placeholder(tf.float32, [None, 10])
W = tf.Variable(tf.zeros([784, 10]))
b = tf.Variable(tf.zeros([10]))
y = tf.nn.softmax(tf.matmul(x, W) + b)
cross_entropy = tf.reduce_mean(-tf.reduce_sum(y_ * tf.log(y), reduction_indices=[1]))
train_step = tf.train.GradientDescentOptimizer(0.5).minimize(cross_entropy)
correct = tf.equal(tf.argmax(y, 1), tf.argmax(y_, 1))
accuracy = tf.reduce_mean(tf.cast(correct, tf.float32))

sess = tf.Session()
batch_size = 100
for _ in range(mnist.train.num_examples // batch_size):
    batch_xs, batch_ys = mnist.train.next_batch(batch_size)
    sess.run(train_step, feed_dict={x: batch_xs, y_: batch_ys})
print(sess.run(accuracy, feed_dict={x: mnist.test.images, y_: mnist.test.labels}))
sess.run(y, feed_dict={x: mnist.test.images[0]})  # E: SHP701 "(784,)"
sess.run(y, feed_dict={x: mnist.test.images[0:1]})

digits = input_data.read_data_sets("MNIST_data/")
images, labels = digits.train.next_batch(50)
reveal_shape(labels)  # revealed: (50,)
sess.run(train_step, feed_dict={x: images, y_: labels})  # E: SHP701 "(50,)"

square = input_data.read_data_sets("MNIST_data/", reshape=False, validation_size=0)
reveal_shape(square.train.images)  # revealed: (60000, 28, 28, 1)
sess.run(y, feed_dict={x: square.test.images})  # E: SHP701
sess.run(y, feed_dict={x: square.test.images.reshape(-1, 784)})
