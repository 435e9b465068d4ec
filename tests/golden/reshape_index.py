"""Reshaping and indexing (SHP4xx): reshape/view/flatten, squeeze/unsqueeze, permute/transpose,
reductions and their axes, size(d)/shape[i], subscripts, gather/scatter/take_along."""
import numpy as np
import torch
import torch.nn.functional as F

x = torch.randn(4, 3, 8, 8)

# ---------------------------------------------------------------- reshape / view / flatten
reveal_shape(x.view(4, -1))  # revealed: (4, 192)
reveal_shape(x.reshape(4, 3, 64))  # revealed: (4, 3, 64)
reveal_shape(x.reshape(-1, 64))  # revealed: (12, 64)
reveal_shape(torch.reshape(x, (4, 192)))  # revealed: (4, 192)
reveal_shape(x.view(x.size(0), -1))  # revealed: (4, 192)
reveal_shape(x.reshape(x.shape[0], 3, -1))  # revealed: (4, 3, 64)
reveal_shape(x.flatten(1))  # revealed: (4, 192)
reveal_shape(x.flatten())  # revealed: (768,)
reveal_shape(torch.flatten(x, start_dim=2))  # revealed: (4, 3, 64)
reveal_shape(x.view(-1))  # revealed: (768,)
r = x.view(4, 100)  # E: SHP401
r = x.reshape(-1, 7)  # E: SHP401
r = x.view(-1, -1)  # E: SHP401
r = torch.reshape(x, (5, -1))  # E: SHP401

a = np.arange(12)
reveal_shape(a)  # revealed: (12,)
reveal_shape(a.reshape(3, 4))  # revealed: (3, 4)
reveal_shape(a.reshape((2, -1)))  # revealed: (2, 6)
reveal_shape(np.reshape(a, (4, 3)))  # revealed: (4, 3)
reveal_shape(np.zeros((2, 3, 4)).reshape(6, 4))  # revealed: (6, 4)
r2 = a.reshape(5, 2)  # E: SHP401
r2 = np.reshape(a, (5, -1))  # E: SHP401

# ---------------------------------------------------------------- squeeze / unsqueeze
reveal_shape(x.unsqueeze(0))  # revealed: (1, 4, 3, 8, 8)
reveal_shape(x.unsqueeze(-1))  # revealed: (4, 3, 8, 8, 1)
reveal_shape(torch.unsqueeze(x, 1))  # revealed: (4, 1, 3, 8, 8)
reveal_shape(torch.randn(4, 1, 8).squeeze(1))  # revealed: (4, 8)
reveal_shape(torch.randn(4, 1, 8).squeeze())  # revealed: (4, 8)
reveal_shape(np.expand_dims(a, 0))  # revealed: (1, 12)
u = x.unsqueeze(5)  # E: SHP402
u = x.squeeze(4)  # E: SHP402

# ---------------------------------------------------------------- permute / transpose
reveal_shape(x.permute(0, 2, 3, 1))  # revealed: (4, 8, 8, 3)
reveal_shape(torch.permute(x, (0, 2, 3, 1)))  # revealed: (4, 8, 8, 3)
reveal_shape(x.transpose(1, 3))  # revealed: (4, 8, 8, 3)
reveal_shape(x.movedim(1, -1))  # revealed: (4, 8, 8, 3)
p = x.permute(0, 2, 1)  # E: SHP403
p = x.permute(0, 1, 2, 2)  # E: SHP403
p = x.transpose(1, 4)  # E: SHP402
z = np.zeros((2, 3, 4))
reveal_shape(np.transpose(z, (2, 0, 1)))  # revealed: (4, 2, 3)
reveal_shape(z.transpose(1, 0, 2))  # revealed: (3, 2, 4)
reveal_shape(z.T)  # revealed: (4, 3, 2)
reveal_shape(np.swapaxes(z, 0, 2))  # revealed: (4, 3, 2)
p2 = np.transpose(z, (0, 1))  # E: SHP403
p2 = z.transpose(0, 1, 3)  # E: SHP402
p2 = z.transpose(0, 1, 1)  # E: SHP403

# ---------------------------------------------------------------- reductions and their axes
reveal_shape(x.sum(dim=1))  # revealed: (4, 8, 8)
reveal_shape(x.mean((2, 3)))  # revealed: (4, 3)
reveal_shape(x.sum(1, keepdim=True))  # revealed: (4, 1, 8, 8)
reveal_shape(x.argmax(dim=-1))  # revealed: (4, 3, 8)
reveal_shape(torch.amax(x, dim=(1, 2)))  # revealed: (4, 8)
reveal_shape(x.sum())  # revealed: ()
reveal_shape(F.softmax(x, dim=1))  # revealed: (4, 3, 8, 8)
reveal_shape(x.softmax(-1))  # revealed: (4, 3, 8, 8)
reveal_shape(torch.log_softmax(x, dim=3))  # revealed: (4, 3, 8, 8)
s = x.sum(dim=4)  # E: SHP402
s = x.mean(-5)  # E: SHP402
s = torch.softmax(x, dim=4)  # E: SHP402
s = F.log_softmax(x, dim=-5)  # E: SHP402
s = x.argmax(dim=7)  # E: SHP402
reveal_shape(z.sum(axis=0))  # revealed: (3, 4)
reveal_shape(np.mean(z, axis=(0, 2)))  # revealed: (3,)
reveal_shape(np.max(z, axis=-1, keepdims=True))  # revealed: (2, 3, 1)
reveal_shape(z.argmax(axis=1))  # revealed: (2, 4)
s2 = z.sum(axis=3)  # E: SHP402
s2 = np.mean(z, axis=-4)  # E: SHP402

# ---------------------------------------------------------------- sizes
reveal_shape(x.size(1))  # revealed: int 3
reveal_shape(x.shape[-1])  # revealed: int 8
reveal_shape(z.shape[0])  # revealed: int 2
n = x.size(4)  # E: SHP402
n = x.shape[4]  # E: SHP402
n = z.shape[-4]  # E: SHP402

# ---------------------------------------------------------------- subscripts
reveal_shape(x[0])  # revealed: (3, 8, 8)
reveal_shape(x[:, 0])  # revealed: (4, 8, 8)
reveal_shape(x[..., 0])  # revealed: (4, 3, 8)
reveal_shape(x[:, None])  # revealed: (4, 1, 3, 8, 8)
reveal_shape(x[0, 1, 2:5])  # revealed: (3, 8)
reveal_shape(x[:, :, ::2])  # revealed: (4, 3, 4, 8)
reveal_shape(x[:2, -1])  # revealed: (2, 8, 8)
reveal_shape(z[1:, :, np.newaxis])  # revealed: (1, 3, 1, 4)

# ---------------------------------------------------------------- gather / scatter / take_along
src = torch.randn(4, 10)
idx = torch.randint(0, 10, (4, 3))
reveal_shape(torch.gather(src, 1, idx))  # revealed: (4, 3)
reveal_shape(src.gather(1, idx))  # revealed: (4, 3)
reveal_shape(torch.take_along_dim(src, idx, dim=1))  # revealed: (4, 3)
reveal_shape(torch.zeros(4, 10).scatter(1, idx, 1.0))  # revealed: (4, 10)
reveal_shape(np.take_along_axis(np.zeros((4, 10)), np.zeros((4, 3), dtype=int), axis=1))  # revealed: (4, 3)
g = torch.gather(src, 1, torch.randint(0, 10, (4,)))  # E: SHP404
g = src.gather(1, torch.randint(0, 10, (4, 3, 1)))  # E: SHP404
g = torch.zeros(4, 10).scatter_(1, torch.randint(0, 10, (4, 3, 1)), 1.0)  # E: SHP404
g2 = np.take_along_axis(np.zeros((4, 10)), np.zeros((4,), dtype=int), axis=1)  # E: SHP404

# ---------------------------------------------------------------- more spellings
reveal_shape(x.flatten(0, 1))  # revealed: (12, 8, 8)
reveal_shape(x.contiguous().view(4, 3, -1))  # revealed: (4, 3, 64)
reveal_shape(x.repeat(2, 1, 1, 1))  # revealed: (8, 3, 8, 8)
reveal_shape(torch.randn(4, 1, 8).expand(4, 5, 8))  # revealed: (4, 5, 8)
reveal_shape(torch.randn(4, 1, 8).expand(-1, 5, -1))  # revealed: (4, 5, 8)
reveal_shape(x.max(dim=1)[0])  # revealed: (4, 8, 8)
reveal_shape(x.narrow(2, 0, 4))  # revealed: (4, 3, 4, 8)
reveal_shape(x.chunk(2, dim=2)[0])  # revealed: (4, 3, 4, 8)
reveal_shape(torch.unbind(x, dim=1)[0])  # revealed: (4, 8, 8)
reveal_shape(x.split(4, dim=-1)[1])  # revealed: (4, 3, 8, 4)
reveal_shape(np.squeeze(np.zeros((3, 1, 4))))  # revealed: (3, 4)
reveal_shape(z.ravel())  # revealed: (24,)
reveal_shape(np.tile(z, (2, 1, 1)))  # revealed: (4, 3, 4)
reveal_shape(np.expand_dims(z, axis=-1))  # revealed: (2, 3, 4, 1)
reveal_shape(F.one_hot(torch.randint(0, 10, (16,)), 10))  # revealed: (16, 10)
reveal_shape(F.pad(x, (1, 1, 2, 2)))  # revealed: (4, 3, 12, 10)
reveal_shape(x.mean(dim=[2, 3]))  # revealed: (4, 3)
reveal_shape(x.squeeze(0))  # revealed: (4, 3, 8, 8)
reveal_shape(x.to("cpu").float().detach())  # revealed: (4, 3, 8, 8)
reveal_shape(z.astype(np.float32).copy())  # revealed: (2, 3, 4)
reveal_shape(torch.zeros_like(x))  # revealed: (4, 3, 8, 8)
reveal_shape(np.ones_like(z))  # revealed: (2, 3, 4)
reveal_shape(torch.arange(10))  # revealed: (10,)
reveal_shape(torch.eye(5))  # revealed: (5, 5)
reveal_shape(torch.from_numpy(z))  # revealed: (2, 3, 4)
reveal_shape(torch.tensor(z))  # revealed: (2, 3, 4)
reveal_shape(np.random.randn(3, 4))  # revealed: (3, 4)
reveal_shape(np.random.normal(0, 1, size=(3, 4)))  # revealed: (3, 4)
reveal_shape(x.numpy())  # revealed: (4, 3, 8, 8)
e = x.expand(4, 5, 8, 8)  # E: SHP501
