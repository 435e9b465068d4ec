"""TensorFlow ops a TF1 program builds its graph from: TF1 losses against their labels, the sampled
losses, sets, strided slices, scatters, boolean masks, random crops, input queues and set_shape.
Each error line raises when the graph is built (ValueError), unless it says otherwise."""
import tensorflow as tf

v1 = tf.compat.v1
v1.disable_eager_execution()

# --- TF1 losses: labels and predictions of one shape (assert_is_compatible_with)
y = v1.placeholder(tf.float32, [None])
y_col = v1.placeholder(tf.float32, [None, 1])
pred = v1.placeholder(tf.float32, [None, 1])
mse = v1.losses.mean_squared_error(y, pred)  # E: SHP501 "must have the same shape"
mse_ok = v1.losses.mean_squared_error(y_col, pred)
reveal_shape(mse_ok)  # revealed: ()
logits = v1.placeholder(tf.float32, [None, 10])
onehot = v1.placeholder(tf.float32, [None, 10])
xent = v1.losses.softmax_cross_entropy(onehot, logits)
reveal_shape(xent)  # revealed: ()
per_row = v1.losses.softmax_cross_entropy(onehot, logits, reduction=v1.losses.Reduction.NONE)
reveal_shape(per_row)  # revealed: (None,)
labels9 = v1.placeholder(tf.float32, [None, 9])
bad_xent = v1.losses.softmax_cross_entropy(labels9, logits)  # E: SHP501
ids = v1.placeholder(tf.int32, [None])
sparse = v1.losses.sparse_softmax_cross_entropy(ids, logits)
ids_col = v1.placeholder(tf.int32, [None, 1])
sparse_col = v1.losses.sparse_softmax_cross_entropy(ids_col, logits)  # (a last size of 1 is squeezed)
sparse_onehot = v1.losses.sparse_softmax_cross_entropy(onehot, logits)  # E: SHP104
sig = v1.losses.sigmoid_cross_entropy(onehot, logits)
abs_bad = v1.losses.absolute_difference(y, pred)  # E: SHP501

# --- nce_loss / sampled_softmax_loss: weights (num_classes, dim), labels (batch, num_true)
emb = v1.placeholder(tf.float32, [64, 128])
nce_w = tf.zeros([5000, 128])
nce_b = tf.zeros([5000])
train_labels = v1.placeholder(tf.int64, [64, 1])
nce = tf.nn.nce_loss(nce_w, nce_b, train_labels, emb, 16, 5000)
reveal_shape(nce)  # revealed: (64,)
flat_labels = v1.placeholder(tf.int64, [64])
nce_rank = tf.nn.nce_loss(nce_w, nce_b, flat_labels, emb, 16, 5000)  # E: SHP302
emb_t = tf.zeros([128, 64])
nce_dim = tf.nn.nce_loss(nce_w, nce_b, train_labels, emb_t, 16, 5000)  # E: SHP101
few_labels = v1.placeholder(tf.int64, [32, 1])
ssl = tf.nn.sampled_softmax_loss(nce_w, nce_b, few_labels, emb, 16, 5000)  # E: SHP104

# --- tf.sets: one rank, equal sizes before the last axis
a = tf.constant([[1, 2, 3], [4, 5, 6]])
b = tf.constant([[1, 2], [4, 7]])
common = tf.sets.intersection(a, b)
reveal_shape(common)  # revealed: (None, None)
c = tf.constant([[1, 2], [4, 7], [8, 9]])
bad_union = tf.sets.union(a, c)  # E: SHP104

# --- strided_slice, scatter_nd, boolean_mask, random_crop
x = tf.zeros([5, 6, 7])
s1 = tf.strided_slice(x, [1, 0], [4, 6], [1, 2])
reveal_shape(s1)  # revealed: (3, 3, 7)
s2 = tf.strided_slice(x, [0, 2], [0, 4], ellipsis_mask=1)
reveal_shape(s2)  # revealed: (5, 6, 2)
s3 = tf.strided_slice(x, [1, 0], [4], [1, 2])  # E: SHP405
idx = tf.constant([[1], [3]])
scattered = tf.scatter_nd(idx, tf.zeros([2, 7]), [8, 7])
reveal_shape(scattered)  # revealed: (8, 7)
bad_scatter = tf.scatter_nd(idx, tf.zeros([2, 6]), [8, 7])  # E: SHP404
mask = v1.placeholder(tf.bool, [5])
kept = tf.boolean_mask(x, mask)
reveal_shape(kept)  # revealed: (None, 6, 7)
mask2 = v1.placeholder(tf.bool, [5, 7])
bad_mask = tf.boolean_mask(x, mask2)  # E: SHP404
image = v1.placeholder(tf.float32, [32, 32, 3])
crop = tf.image.random_crop(image, [24, 24, 3])
reveal_shape(crop)  # revealed: (24, 24, 3)
big_crop = tf.image.random_crop(image, [40, 24, 3])  # runtime: ok (its assert fails when it runs)  # E: SHP405

# --- an input queue: enqueue_many takes batches of its element shapes, dequeue_many gives them
q = v1.FIFOQueue(100, [tf.float32, tf.int32], shapes=[[28, 28, 1], []])
images = v1.placeholder(tf.float32, [None, 28, 28, 1])
digits = v1.placeholder(tf.int32, [None])
enqueue_op = q.enqueue_many([images, digits])
batch_x, batch_y = q.dequeue_many(50)
reveal_shape(batch_x)  # revealed: (50, 28, 28, 1)
reveal_shape(batch_y)  # revealed: (50,)
flat_images = v1.placeholder(tf.float32, [None, 784])
bad_enqueue = q.enqueue_many([flat_images, digits])  # E: SHP701

# --- set_shape: the tensor has the merged shape from then on
decoded = v1.placeholder(tf.float32, [None, None, 3])
decoded.set_shape([28, 28, 3])
reveal_shape(decoded)  # revealed: (28, 28, 3)
fixed = v1.placeholder(tf.float32, [28, 28, 3])
fixed.set_shape([32, 32, 3])  # E: SHP405
