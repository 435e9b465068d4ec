"""TF1 graphs as the tutorials build them: placeholders with a None batch, ops that only fail once a
Session.run feeds a batch (the graph is re-run on the fed shapes), feeds checked against their
placeholders, and the losses' labels against the logits."""
import random

import numpy as np
import tensorflow.compat.v1 as tf

tf.disable_eager_execution()

# --- a convolutional net whose flatten size is wrong: fine for some batches, not for the fed one
x = tf.placeholder(tf.float32, shape=[None, 784])
y_ = tf.placeholder(tf.float32, shape=[None, 10])
keep_prob = tf.placeholder(tf.float32)
x_image = tf.reshape(x, [-1, 28, 28, 1])
reveal_shape(x_image)  # revealed: (None, 28, 28, 1)
W1 = tf.Variable(tf.truncated_normal([5, 5, 1, 32], stddev=0.1))
h1 = tf.nn.max_pool(tf.nn.relu(tf.nn.conv2d(x_image, W1, strides=[1, 1, 1, 1], padding='VALID')),
                    ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding='SAME')
reveal_shape(h1)  # revealed: (None, 12, 12, 32)
flat = tf.reshape(h1, [-1, 7 * 7 * 32])  # runtime: ok (raises in the Session.run below)  # E: SHP401 "when Session.run feeds (50, 784)"
W2 = tf.Variable(tf.zeros([7 * 7 * 32, 10]))
logits = tf.matmul(tf.nn.dropout(flat, keep_prob), W2)
loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=y_, logits=logits))
train_step = tf.train.AdamOptimizer(1e-4).minimize(loss)
reveal_shape(train_step)  # revealed: (*)

images = np.zeros((50, 784), dtype=np.float32)
labels = np.zeros((50, 10), dtype=np.float32)
sess = tf.InteractiveSession()
sess.run(tf.global_variables_initializer())
train_step.run(feed_dict={x: images, y_: labels, keep_prob: 0.5})  # runtime: raises

# --- the same net with the right flatten size: every batch works
flat_ok = tf.reshape(h1, [-1, 12 * 12 * 32])
logits_ok = tf.matmul(flat_ok, tf.zeros([12 * 12 * 32, 10]))
correct = tf.equal(tf.argmax(logits_ok, 1), tf.argmax(y_, 1))
accuracy = tf.reduce_mean(tf.cast(correct, tf.float32))
acc = accuracy.eval(feed_dict={x: images, y_: labels})
reveal_shape(acc)  # revealed: ()
out = sess.run(logits_ok, feed_dict={x: images})
reveal_shape(out)  # revealed: (50, 10)
pair = sess.run([logits_ok, accuracy], feed_dict={x: images, y_: labels})
reveal_shape(pair)  # revealed: [(50, 10), ()]

# --- an embedding that keeps the word axis: the logits have a row per word, the labels per text
words = tf.placeholder(tf.int32, [None, 30])
targets = tf.placeholder(tf.float32, [None, 4])
emb = tf.nn.embedding_lookup(tf.random_uniform([100, 16], -1.0, 1.0), words)
reveal_shape(emb)  # revealed: (None, 30, 16)
scores = tf.matmul(tf.reshape(emb, [-1, 16]), tf.zeros([16, 4]))
xent = tf.nn.softmax_cross_entropy_with_logits(labels=targets, logits=scores)  # runtime: ok (raises in the Session.run below)  # E: SHP501
with tf.Session() as s:
    s.run(xent, feed_dict={words: np.zeros((8, 30)), targets: np.zeros((8, 4))})  # runtime: raises

# --- a placeholder of unknown shape takes the shape it is fed
target = tf.placeholder("float")
pred = tf.matmul(tf.placeholder("float", [None, 3]), tf.zeros([3, 2]))
cost = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(logits=pred, labels=target))  # runtime: ok (raises in the Session.run below)  # E: SHP501
with tf.Session() as s:
    s.run(cost, feed_dict={target: [[0.0, 1.0, 1.0, 0.0]], pred: np.zeros((4, 2))})  # runtime: raises

# --- feeds checked against the placeholders (lists fed as arrays)
inp = tf.placeholder(tf.float32, shape=[None, 2])
out_t = tf.placeholder(tf.float32, shape=[None, 1])
hid = tf.nn.sigmoid(tf.matmul(inp, tf.zeros([2, 1])))
with tf.Session() as s:
    s.run(hid, feed_dict={inp: [[0.0, 0.0], [0.0, 1.0]], out_t: [[0.0], [1.0]]})
    s.run(hid, feed_dict={inp: [0.0, 1.0]})  # E: SHP701
    for row in np.zeros((4, 2)):
        s.run(hid, feed_dict={inp: row[np.newaxis, :]})

# --- losses: labels against logits
sparse_logits = tf.tensordot(tf.placeholder(tf.float32, (1, 5, 7)), tf.zeros((7, 1)), 1)
reveal_shape(sparse_logits)  # revealed: (1, 5, 1)
bad = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=tf.placeholder(tf.int32, (1, 1)), logits=sparse_logits)  # E: SHP104
good = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=tf.placeholder(tf.int32, (None,)),
                                                      logits=tf.placeholder(tf.float32, (None, 3)))
reveal_shape(good)  # revealed: (None,)
rank = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=tf.placeholder(tf.int32, (None, 1)), logits=tf.placeholder(tf.float32, (None, 3)))  # E: SHP104
sig = tf.nn.sigmoid_cross_entropy_with_logits(labels=tf.zeros((4, 1)), logits=tf.zeros((4,)))  # E: SHP501
soft = tf.nn.softmax_cross_entropy_with_logits(labels=tf.zeros((4, 3)), logits=tf.zeros((4, 1)))
reveal_shape(soft)  # revealed: (4,)

# --- a regression whose targets are a vector and predictions a column
xs = tf.constant([[1.0, 1.0], [1.0, 2.0], [1.0, 3.0]])
ys = tf.constant([1.0, 2.0, 3.0])
pred_col = tf.matmul(xs, tf.zeros((2, 1)))
mse = tf.reduce_mean(tf.square(ys - pred_col))  # E: SHP502
mse_ok = tf.reduce_mean(tf.square(tf.expand_dims(ys, 1) - pred_col))

# --- a regression fed one sample at a time: each row of a (40, 1) array is (1,), not (1, 1)
train_X = np.expand_dims(np.linspace(-1.0, 1.0, 40), 1)
train_Y = np.expand_dims(np.linspace(0.0, 2.0, 40), 1)
X = tf.placeholder("float", shape=[None, 1])
Y = tf.placeholder("float", shape=[None, 1])
l2 = tf.reduce_sum(tf.pow(tf.matmul(X, tf.ones([1, 1])) - Y, 2))
with tf.Session() as s:
    for (sx, sy) in zip(train_X, train_Y):
        reveal_shape(sx)  # revealed: (1,)
        s.run(l2, feed_dict={X: sx, Y: sy})  # E: SHP701
    for (sx, sy) in zip(train_X, train_Y):
        s.run(l2, feed_dict={X: np.expand_dims(sx, 0), Y: np.expand_dims(sy, 0)})

# --- labels drawn at random: a list of class indices is 1-D, not one-hot
def make_batch(n):
    return [np.random.normal(0, 0.1, [8]) for _ in range(n)], [random.randint(0, 9) for _ in range(n)]


feats = tf.placeholder(tf.float32, [None, 8])
onehot = tf.placeholder(tf.float32, [None, 10])
ce = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=onehot, logits=tf.matmul(feats, tf.zeros([8, 10]))))
batch_x, batch_y = make_batch(16)
with tf.Session() as s:
    s.run(ce, feed_dict={feats: batch_x, onehot: batch_y})  # E: SHP701
    s.run(ce, feed_dict={feats: batch_x, onehot: np.eye(10)[batch_y]})

# --- non-max suppression keeps some boxes of one image: (num_boxes, 4) and (num_boxes,)
boxes = np.random.random((1, 500, 4)).astype(np.float32)
box_scores = np.random.random((1, 500)).astype(np.float32)
kept = tf.image.non_max_suppression(boxes=boxes, scores=box_scores, max_output_size=7, iou_threshold=0.5)  # E: SHP302
kept = tf.image.non_max_suppression(boxes=boxes[0], scores=box_scores[0], max_output_size=7, iou_threshold=0.5)
reveal_shape(kept)  # revealed: (None,)
