"""Matrix products (SHP1xx): @, dot, matmul, mm, bmm, mv, addmm, einsum, tensordot, transposes."""
import numpy as np
import torch
import torch.nn as nn

# ---------------------------------------------------------------- numpy
a = np.random.rand(32, 784)
w = np.random.rand(784, 10)
y = a @ w
reveal_shape(y)  # revealed: (32, 10)
reveal_shape(np.dot(a, w))  # revealed: (32, 10)
reveal_shape(a.dot(w))  # revealed: (32, 10)
reveal_shape(np.matmul(a, w))  # revealed: (32, 10)

bad = np.random.rand(100, 10)
z = a @ bad  # E: SHP101
z = np.dot(a, bad)  # E: SHP101
z = a.dot(bad)  # E: SHP101
z = np.matmul(a, bad)  # E: SHP101

w_t = np.random.rand(10, 784)  # stored (out, in)
z = a @ w_t  # E: SHP102
z = np.dot(a, w_t)  # E: SHP102
z = a @ w_t.T
reveal_shape(z)  # revealed: (32, 10)
reveal_shape(a @ np.transpose(w_t))  # revealed: (32, 10)
reveal_shape(np.dot(w_t, a.T))  # revealed: (10, 32)

v = np.random.rand(784)
reveal_shape(a @ v)  # revealed: (32,)
reveal_shape(v @ w)  # revealed: (10,)
reveal_shape(np.dot(v, v))  # revealed: ()
z = v @ bad  # E: SHP101
reveal_shape(np.inner(a, w_t))  # revealed: (32, 10)
reveal_shape(np.outer(v, np.random.rand(5)))  # revealed: (784, 5)

stack3 = np.random.rand(8, 32, 64)
reveal_shape(stack3 @ np.random.rand(64, 16))  # revealed: (8, 32, 16)
reveal_shape(np.matmul(stack3, np.random.rand(1, 64, 16)))  # revealed: (8, 32, 16)
z = stack3 @ np.random.rand(4, 64, 16)  # E: SHP104

# ---------------------------------------------------------------- torch
x = torch.randn(32, 784)
W = torch.randn(784, 10)
reveal_shape(x @ W)  # revealed: (32, 10)
reveal_shape(torch.mm(x, W))  # revealed: (32, 10)
reveal_shape(x.mm(W))  # revealed: (32, 10)
reveal_shape(torch.matmul(x, W))  # revealed: (32, 10)
reveal_shape(x.matmul(W))  # revealed: (32, 10)
t = torch.mm(x, torch.randn(100, 10))  # E: SHP101
t = x.matmul(torch.randn(100, 10))  # E: SHP101

W_lin = torch.randn(10, 784)  # nn.Linear layout (out, in)
t = x @ W_lin  # E: SHP102
t = torch.matmul(x, W_lin)  # E: SHP102
reveal_shape(x @ W_lin.t())  # revealed: (32, 10)
reveal_shape(x @ W_lin.T)  # revealed: (32, 10)
reveal_shape(x @ W_lin.transpose(0, 1))  # revealed: (32, 10)
reveal_shape(x @ W_lin.mT)  # revealed: (32, 10)
reveal_shape(torch.mm(x, torch.t(W_lin)))  # revealed: (32, 10)
reveal_shape(torch.nn.functional.linear(x, W_lin))  # revealed: (32, 10)

t = torch.mm(x, torch.randn(784))  # E: SHP105
reveal_shape(torch.mv(W_lin, torch.randn(784)))  # revealed: (10,)
t = torch.mv(W_lin, torch.randn(10))  # E: SHP102
t = torch.mv(W_lin, torch.randn(20))  # E: SHP101
t = torch.mv(W_lin, x)  # E: SHP105
reveal_shape(torch.addmm(torch.zeros(10), x, W))  # revealed: (32, 10)
t = torch.addmm(torch.zeros(32, 10), x, torch.randn(100, 10))  # E: SHP101

A = torch.randn(8, 32, 64)
reveal_shape(torch.bmm(A, torch.randn(8, 64, 16)))  # revealed: (8, 32, 16)
reveal_shape(A.bmm(torch.randn(8, 64, 16)))  # revealed: (8, 32, 16)
t = torch.bmm(A, torch.randn(4, 64, 16))  # E: SHP104
t = torch.bmm(A, torch.randn(8, 32, 16))  # E: SHP102
t = torch.bmm(A, torch.randn(8, 50, 16))  # E: SHP101
t = torch.bmm(x, W)  # E: SHP105
reveal_shape(torch.randn(8, 1, 32, 64) @ torch.randn(5, 64, 16))  # revealed: (8, 5, 32, 16)
t = torch.randn(8, 3, 32, 64) @ torch.randn(5, 64, 16)  # E: SHP104

q = torch.randn(2, 4, 10, 16)
k = torch.randn(2, 4, 12, 16)
reveal_shape(q @ k.transpose(-2, -1))  # revealed: (2, 4, 10, 12)
reveal_shape(torch.matmul(q, k.transpose(2, 3)))  # revealed: (2, 4, 10, 12)
scores = q @ k  # E: SHP102

# ---------------------------------------------------------------- einsum and tensordot
reveal_shape(torch.einsum("bij,bjk->bik", A, torch.randn(8, 64, 16)))  # revealed: (8, 32, 16)
reveal_shape(torch.einsum("ij,jk->ik", x, W))  # revealed: (32, 10)
reveal_shape(torch.einsum("bhqd,bhkd->bhqk", q, k))  # revealed: (2, 4, 10, 12)
reveal_shape(np.einsum("ij,jk", a, w))  # revealed: (32, 10)
reveal_shape(np.einsum("ij->", a))  # revealed: ()
reveal_shape(np.einsum("ij->ji", a))  # revealed: (784, 32)
t = torch.einsum("ij,jk->ik", x, torch.randn(100, 10))  # E: SHP103
t = torch.einsum("ijk,jk->ik", x, W)  # E: SHP103
t = torch.einsum("ij,jk->il", x, W)  # E: SHP103
e = np.einsum("bhqd,bhkd->bhqk", np.random.rand(2, 4, 10, 16), np.random.rand(2, 4, 12, 8))  # E: SHP103

reveal_shape(np.tensordot(a, w, axes=1))  # revealed: (32, 10)
reveal_shape(np.tensordot(a, w, axes=([1], [0])))  # revealed: (32, 10)
reveal_shape(torch.tensordot(torch.randn(3, 4, 5), torch.randn(4, 5, 6), dims=2))  # revealed: (3, 6)
e = np.tensordot(a, bad, axes=([1], [0]))  # E: SHP103
t = torch.tensordot(torch.randn(3, 4, 5), torch.randn(5, 4, 6), dims=2)  # E: SHP103


# ---------------------------------------------------------------- symbolic sizes
def two_layer(n_in, n_hidden, n_out):
    """Sizes are parameters: rigid symbols, different unless proven equal."""
    w1 = np.random.rand(n_in, n_hidden)
    w2 = np.random.rand(n_hidden, n_out)
    w_bad = np.random.rand(n_out, n_out)
    h = np.ones((7, n_in)) @ w1
    reveal_shape(h)  # revealed: (7, n_hidden)
    reveal_shape(h @ w2)  # revealed: (7, n_out)
    return h @ w_bad  # E: SHP101 "holds only if"


def attention_scores(n_q, n_k, d):
    q = torch.randn(2, n_q, d)
    k = torch.randn(2, n_k, d)
    reveal_shape(q @ k.transpose(1, 2))  # revealed: (2, n_q, n_k)
    return q @ k  # E: SHP102 "holds only if"


class TwoLayer:
    """Sizes are constructor parameters: rigid symbols, different unless proven equal."""

    def __init__(self, n_in, n_hidden, n_out):
        self.w1 = np.random.rand(n_in, n_hidden)
        self.w2 = np.random.rand(n_hidden, n_out)
        self.w_bad = np.random.rand(n_out, n_out)

    def forward(self, x):
        h = x @ self.w1
        reveal_shape(h)  # revealed: (*, n_hidden)
        out = h @ self.w2
        reveal_shape(out)  # revealed: (*, n_out)
        return out

    def broken(self, x):
        h = x @ self.w1
        return h @ self.w_bad  # E: SHP101 "holds only if"


class Projection(nn.Module):
    def __init__(self, d_model, d_head):
        super().__init__()
        self.q = nn.Parameter(torch.randn(d_model, d_head))
        self.k = nn.Parameter(torch.randn(d_model, d_head))

    def forward(self, x):
        qx = x @ self.q
        kx = x @ self.k
        good = qx @ kx.transpose(-2, -1)
        bad = qx @ self.k  # E: SHP102 "holds only if"
        return good, bad

# an operand that is already a transpose: the fix drops it (w_t, not w_t.T.T)
w_t = torch.randn(10, 20)
z_t = torch.randn(32, 10) @ w_t.T  # E: SHP102 "did you mean w_t?"
z_ok = torch.randn(32, 10) @ w_t
