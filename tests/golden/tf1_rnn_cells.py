"""TF1 recurrent cells as the sequence tutorials use them: dynamic_rnn over (batch, time, features),
stacked cells, wrappers, static_rnn over a list of steps, and the sizes each cell is built for."""
import numpy as np
import tensorflow.compat.v1 as tf

tf.disable_eager_execution()

batch_size, n_steps, n_input, n_hidden = 64, 28, 28, 128

# --- one LSTM over (batch, time, features)
x = tf.placeholder(tf.float32, [None, n_steps, n_input])
cell = tf.nn.rnn_cell.BasicLSTMCell(n_hidden, forget_bias=1.0)
outputs, state = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32, scope="rnn1")
reveal_shape(outputs)  # revealed: (None, 28, 128)
reveal_shape(state)  # revealed: [(None, 128), (None, 128)]
last = tf.matmul(outputs[:, -1, :], tf.zeros([n_hidden, 10]))
reveal_shape(last)  # revealed: (None, 10)

# --- stacked cells: one cell per layer
stacked = tf.nn.rnn_cell.MultiRNNCell([tf.nn.rnn_cell.LSTMCell(64) for _ in range(3)])
out2, states2 = tf.nn.dynamic_rnn(stacked, tf.placeholder(tf.float32, [batch_size, 10, 1]), dtype=tf.float32, scope="rnn2")
reveal_shape(out2)  # revealed: (64, 10, 64)

# ... one cell object listed three times shares one kernel, made for the first layer's input
shared = tf.nn.rnn_cell.BasicLSTMCell(32)
tower = tf.nn.rnn_cell.MultiRNNCell([shared] * 3)
out3, _ = tf.nn.dynamic_rnn(tower, tf.placeholder(tf.float32, [batch_size, 10, 1]), dtype=tf.float32, scope="rnn3")  # E: SHP301

# ... cells made by a function: one each call
def lstm_cell():
    return tf.nn.rnn_cell.BasicLSTMCell(16)


deep = tf.nn.rnn_cell.DropoutWrapper(tf.nn.rnn_cell.MultiRNNCell([lstm_cell() for _ in range(2)]),
                                     output_keep_prob=0.75)
out4, _ = tf.nn.dynamic_rnn(deep, tf.placeholder(tf.float32, [None, 10, 50]), dtype=tf.float32, scope="rnn4")
reveal_shape(out4)  # revealed: (None, 10, 16)

# --- a residual connection adds the cell's input to its output: the sizes must match
text = tf.placeholder(tf.float32, [None, 10, 83])
res_ok = tf.nn.rnn_cell.MultiRNNCell([tf.nn.rnn_cell.ResidualWrapper(tf.nn.rnn_cell.BasicLSTMCell(83))
                                      for _ in range(2)])
out5, _ = tf.nn.dynamic_rnn(res_ok, text, dtype=tf.float32, scope="rnn5")
reveal_shape(out5)  # revealed: (None, 10, 83)
res_bad = tf.nn.rnn_cell.MultiRNNCell([tf.nn.rnn_cell.ResidualWrapper(tf.nn.rnn_cell.BasicLSTMCell(units))
                                       for units in [128, 256]])
out6, _ = tf.nn.dynamic_rnn(res_bad, text, dtype=tf.float32, scope="rnn6")  # E: SHP501

# --- dynamic_rnn takes one (batch, time, features) tensor, not a list of steps
data = np.random.random((4, 3, 2)).astype(np.float32)
steps = tf.unstack(data, 3, axis=1)
fw, bw = tf.nn.rnn_cell.LSTMCell(25), tf.nn.rnn_cell.LSTMCell(25)
bi = tf.nn.bidirectional_dynamic_rnn(fw, bw, inputs=steps, dtype=tf.float32, scope="rnn7")  # E: SHP302
(o_fw, o_bw), _ = tf.nn.bidirectional_dynamic_rnn(tf.nn.rnn_cell.LSTMCell(25), tf.nn.rnn_cell.LSTMCell(25),
                                                  inputs=data, dtype=tf.float32, scope="rnn8")
reveal_shape(o_bw)  # revealed: (4, 3, 25)

# ... and one length per sequence
gru_fw, gru_bw = tf.nn.rnn_cell.GRUCell(64), tf.nn.rnn_cell.GRUCell(64)
init_fw = gru_fw.zero_state(32, tf.float32)
reveal_shape(init_fw)  # revealed: (32, 64)
seqs = tf.zeros([32, 10, 100])
bad_len = tf.nn.bidirectional_dynamic_rnn(gru_fw, gru_bw, inputs=seqs, sequence_length=10, initial_state_fw=init_fw, dtype=tf.float32, scope="bad_len")  # E: SHP405
lengths = tf.fill([32], 10)
(g_fw, g_bw), _ = tf.nn.bidirectional_dynamic_rnn(tf.nn.rnn_cell.GRUCell(64), tf.nn.rnn_cell.GRUCell(64), inputs=seqs,
                                                  sequence_length=lengths, dtype=tf.float32, scope="rnn9")
reveal_shape(g_fw)  # revealed: (32, 10, 64)

# --- a cell takes one step: (batch, features)
deep_in = tf.placeholder(tf.float32, [None, 5, 3, 2])
bad_rank = tf.nn.dynamic_rnn(tf.nn.rnn_cell.GRUCell(8), deep_in, dtype=tf.float32, scope="rnn10")  # E: SHP302
proj, proj_state = tf.nn.dynamic_rnn(tf.nn.rnn_cell.LSTMCell(8, num_proj=4), tf.placeholder(tf.float32, [None, 5, 3]),
                                     dtype=tf.float32, scope="rnn11")
reveal_shape(proj)  # revealed: (None, 5, 4)
reveal_shape(proj_state)  # revealed: [(None, 8), (None, 4)]
tm, tm_state = tf.nn.dynamic_rnn(tf.nn.rnn_cell.BasicRNNCell(8), tf.placeholder(tf.float32, [7, None, 3]),
                                 dtype=tf.float32, time_major=True)
reveal_shape(tm)  # revealed: (7, None, 8)
reveal_shape(tm_state)  # revealed: (None, 8)

# --- static_rnn: a list of (batch, features) steps
x_steps = tf.split(tf.reshape(tf.transpose(x, [1, 0, 2]), [-1, n_input]), n_steps, 0)
s_out, s_state = tf.nn.static_rnn(tf.nn.rnn_cell.BasicLSTMCell(n_hidden), x_steps, dtype=tf.float32, scope="rnn12")
reveal_shape(s_out[-1])  # revealed: (None, 128)
vectors = [tf.placeholder(tf.float32, [None]) for _ in range(3)]
flat_steps = tf.nn.static_rnn(tf.nn.rnn_cell.BasicLSTMCell(8), vectors, dtype=tf.float32, scope="rnn13")  # E: SHP302
