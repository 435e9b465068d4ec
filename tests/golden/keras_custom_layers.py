"""Custom Keras layers: the weights ``build`` makes with ``add_weight`` have the shapes it asks
for, so ``call`` is checked against them (a bias of the wrong size, a kernel built for another
input size); ``keras.ops.dot``/``matmul`` on ``keras.random`` and ``keras.ops`` arrays too."""
import keras
from keras import layers, ops


class Linear(layers.Layer):
    def __init__(self, units=32):
        super().__init__()
        self.units = units

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], self.units), initializer="random_normal")
        self.b = self.add_weight(shape=(self.units,), initializer="zeros")

    def call(self, inputs):
        return ops.matmul(inputs, self.w) + self.b


class OffByOne(layers.Layer):
    def __init__(self, units=32):
        super().__init__()
        self.units = units

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], self.units), initializer="random_normal")
        self.b = self.add_weight(shape=(self.units + 1,), initializer="zeros")

    def call(self, inputs):
        return ops.matmul(inputs, self.w) + self.b  # E: SHP501


x = ops.ones((2, 3))
reveal_shape(Linear(4)(x))  # revealed: (2, 4)
OffByOne(4)(x)

a = keras.random.normal((3, 4))
b = ops.zeros((5, 6))
reveal_shape(ops.dot(a, ops.zeros((4, 6))))  # revealed: (3, 6)
ops.matmul(a, b)  # E: SHP101
ops.dot(a, b)  # E: SHP101
