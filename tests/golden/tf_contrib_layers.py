"""TF 1.x tf.contrib.layers (and slim) as the TF1 tutorials stack them, checked against the TF 1.x
documentation: fully_connected, flatten, conv2d (SAME by default) and max_pool2d (VALID, stride 2)."""
# no-oracle: tf.contrib is TF 1.x only (gone from TF 2)
import tensorflow as tf

x = tf.placeholder(tf.float32, [None, 28, 28, 1])
net = tf.contrib.layers.conv2d(x, 32, 5)
reveal_shape(net)  # revealed: (None, 28, 28, 32)
net = tf.contrib.layers.max_pool2d(net, [2, 2])
reveal_shape(net)  # revealed: (None, 14, 14, 32)
net = tf.contrib.layers.conv2d(net, 64, [3, 3], stride=2, padding='VALID')
reveal_shape(net)  # revealed: (None, 6, 6, 64)
flat = tf.contrib.layers.flatten(net)
reveal_shape(flat)  # revealed: (None, 2304)
logits = tf.contrib.layers.fully_connected(flat, 10, activation_fn=None)
reveal_shape(logits)  # revealed: (None, 10)
tiny = tf.placeholder(tf.float32, [None, 2, 2, 8])
empty = tf.contrib.layers.conv2d(tiny, 8, 3, padding='VALID')  # E: SHP304

# --- a regression head whose labels lack the trailing axis of its (None, 1) predictions
seq = tf.placeholder(tf.float32, [None, 10, 64])
y = tf.placeholder(tf.float32, [None])
pred = tf.contrib.layers.fully_connected(seq[:, -1], 1, activation_fn=tf.sigmoid)
reveal_shape(pred)  # revealed: (None, 1)
cost = tf.losses.mean_squared_error(y, pred)  # E: SHP503 "TF1 raises"
y_col = tf.placeholder(tf.float32, [None, 1])
cost_ok = tf.losses.mean_squared_error(y_col, pred)
