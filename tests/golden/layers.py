"""Layers (SHP3xx): Linear chains in Sequential and forward, conv arithmetic, pooling, norms,
RNNs, attention. ``# runtime:`` notes are for the torch oracle only: where the checker reports
a broken chain on the layer that does not fit, torch raises where the chain is called."""
import torch
import torch.nn as nn
import torch.nn.functional as F

x = torch.randn(32, 784)
e64 = torch.randn(2, 10, 64)

# ---------------------------------------------------------------- Linear
fc = nn.Linear(784, 128)
reveal_shape(fc(x))  # revealed: (32, 128)
reveal_shape(nn.Linear(64, 32)(torch.randn(2, 10, 64)))  # revealed: (2, 10, 32)
reveal_shape(nn.Linear(in_features=784, out_features=10, bias=False)(x))  # revealed: (32, 10)
h = nn.Linear(100, 10)(x)  # E: SHP301
h = nn.Linear(in_features=100, out_features=10)(x)  # E: SHP301

mlp = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Dropout(0.1), nn.Linear(256, 10))
reveal_shape(mlp(x))  # revealed: (32, 10)
reveal_shape(mlp[0](x))  # revealed: (32, 256)
bad_mlp = nn.Sequential(
    nn.Linear(784, 256),
    nn.ReLU(),
    nn.Linear(128, 10),  # runtime: ok (raises at the call below)  # E: SHP301
)
out = bad_mlp(x)  # runtime: raises (reported on the Linear that does not fit)


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(784, 256)
        self.fc2 = nn.Linear(256, 64)
        self.fc3 = nn.Linear(128, 10)

    def forward(self, x):
        x = F.relu(self.fc1(x))
        x = torch.relu(self.fc2(x))
        return self.fc3(x)  # E: SHP301


net_out = MLP()(x)

# ---------------------------------------------------------------- convolution arithmetic
img = torch.randn(8, 3, 32, 32)
reveal_shape(nn.Conv2d(3, 16, 3)(img))  # revealed: (8, 16, 30, 30)
reveal_shape(nn.Conv2d(3, 16, kernel_size=5, stride=2, padding=2)(img))  # revealed: (8, 16, 16, 16)
reveal_shape(nn.Conv2d(3, 16, 3, dilation=2)(img))  # revealed: (8, 16, 28, 28)
reveal_shape(nn.Conv2d(3, 16, 3, padding="same")(img))  # revealed: (8, 16, 32, 32)
reveal_shape(nn.Conv2d(3, 16, (3, 5), stride=(1, 2))(img))  # revealed: (8, 16, 30, 14)
reveal_shape(nn.Conv2d(3, 16, 3)(torch.randn(3, 32, 32)))  # revealed: (16, 30, 30)
reveal_shape(nn.Conv1d(4, 8, 3)(torch.randn(2, 4, 10)))  # revealed: (2, 8, 8)
reveal_shape(nn.ConvTranspose2d(16, 8, 2, stride=2)(torch.randn(8, 16, 15, 15)))  # revealed: (8, 8, 30, 30)
reveal_shape(F.conv2d(img, torch.randn(16, 3, 3, 3), padding=1))  # revealed: (8, 16, 32, 32)
c = nn.Conv2d(1, 16, 3)(img)  # E: SHP301
c = nn.Conv2d(3, 16, 3)(torch.randn(3, 32))  # E: SHP302
c = nn.Conv2d(3, 16, 7)(torch.randn(1, 3, 5, 5))  # E: SHP304

# ---------------------------------------------------------------- pooling
reveal_shape(nn.MaxPool2d(2)(img))  # revealed: (8, 3, 16, 16)
reveal_shape(nn.MaxPool2d(kernel_size=3, stride=2)(img))  # revealed: (8, 3, 15, 15)
reveal_shape(nn.AvgPool2d(3, stride=2, padding=1)(img))  # revealed: (8, 3, 16, 16)
reveal_shape(F.max_pool2d(img, 2))  # revealed: (8, 3, 16, 16)
reveal_shape(nn.AdaptiveAvgPool2d((1, 1))(img))  # revealed: (8, 3, 1, 1)
reveal_shape(nn.AdaptiveAvgPool2d(7)(img))  # revealed: (8, 3, 7, 7)
reveal_shape(F.adaptive_avg_pool2d(img, 1))  # revealed: (8, 3, 1, 1)
reveal_shape(nn.MaxPool1d(2)(torch.randn(2, 4, 10)))  # revealed: (2, 4, 5)
p = nn.MaxPool2d(4)(torch.randn(1, 3, 2, 2))  # E: SHP304

# ---------------------------------------------------------------- norms
feat = torch.randn(8, 16, 4, 4)
reveal_shape(nn.BatchNorm2d(16)(feat))  # revealed: (8, 16, 4, 4)
reveal_shape(nn.BatchNorm1d(16)(torch.randn(8, 16)))  # revealed: (8, 16)
reveal_shape(nn.BatchNorm1d(16)(torch.randn(8, 16, 5)))  # revealed: (8, 16, 5)
reveal_shape(nn.LayerNorm(128)(torch.randn(8, 10, 128)))  # revealed: (8, 10, 128)
reveal_shape(nn.LayerNorm([10, 128])(torch.randn(8, 10, 128)))  # revealed: (8, 10, 128)
reveal_shape(nn.GroupNorm(4, 16)(feat))  # revealed: (8, 16, 4, 4)
n = nn.BatchNorm2d(32)(feat)  # E: SHP301
n = nn.BatchNorm1d(16)(feat)  # E: SHP302
n = nn.LayerNorm(128)(torch.randn(8, 64))  # E: SHP301
n = nn.GroupNorm(4, 32)(feat)  # E: SHP301


# ---------------------------------------------------------------- a conv net and its flatten
class LeNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5)
        self.pool = nn.MaxPool2d(2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 4 * 4, 120)  # right for 28x28 inputs, not for 32x32
        self.fc2 = nn.Linear(120, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        reveal_shape(x)  # revealed: (4, 16, 5, 5)
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))  # E: SHP303 "16*5*5"
        return self.fc2(x)


lenet_out = LeNet()(torch.randn(4, 1, 32, 32))

convnet = nn.Sequential(
    nn.Conv2d(1, 32, 3),
    nn.ReLU(),
    nn.MaxPool2d(2),
    nn.Flatten(),
    nn.Linear(32 * 13 * 13, 10),
)
reveal_shape(convnet(torch.randn(4, 1, 28, 28)))  # revealed: (4, 10)
convnet_bad = nn.Sequential(
    nn.Conv2d(1, 32, 3),
    nn.ReLU(),
    nn.MaxPool2d(2),
    nn.Flatten(),
    nn.Linear(32 * 14 * 14, 10),  # runtime: ok (raises at the call below)  # E: SHP303
)
y_bad = convnet_bad(torch.randn(4, 1, 28, 28))  # runtime: raises (reported on the Linear)

# ---------------------------------------------------------------- recurrent layers
seq = torch.randn(4, 7, 10)  # (batch, time, features)
lstm = nn.LSTM(input_size=10, hidden_size=20, batch_first=True)
out, (h, c) = lstm(seq)
reveal_shape(out)  # revealed: (4, 7, 20)
reveal_shape(h)  # revealed: (1, 4, 20)
gru = nn.GRU(10, 20, num_layers=2, bidirectional=True)
g_out, g_h = gru(torch.randn(7, 4, 10))
reveal_shape(g_out)  # revealed: (7, 4, 40)
reveal_shape(g_h)  # revealed: (4, 4, 20)
r = nn.LSTM(10, 20, batch_first=True)(torch.randn(4, 7, 12))  # E: SHP301
r = nn.RNN(10, 20)(torch.randn(7, 10, 10, 3))  # E: SHP302
time_major = nn.LSTM(10, 20)
h0 = torch.zeros(1, 4, 20)
c0 = torch.zeros(1, 4, 20)
r = time_major(seq, (h0, c0))  # E: SHP305

# ---------------------------------------------------------------- attention and embeddings
tokens = torch.randint(0, 1000, (2, 10))
emb = nn.Embedding(1000, 64)
e = emb(tokens)
reveal_shape(e)  # revealed: (2, 10, 64)
mha = nn.MultiheadAttention(embed_dim=64, num_heads=8, batch_first=True)
attn, weights = mha(e, e, e)
reveal_shape(attn)  # revealed: (2, 10, 64)
reveal_shape(weights)  # revealed: (2, 10, 10)
attn2, _ = nn.MultiheadAttention(32, 4, batch_first=True)(e, e, e)  # E: SHP301
q4 = torch.randn(2, 4, 10, 16)
reveal_shape(F.scaled_dot_product_attention(q4, q4, q4))  # revealed: (2, 4, 10, 16)

# ---------------------------------------------------------------- more layers and spellings
e = torch.randn(2, 10, 64)
reveal_shape(nn.Flatten()(torch.randn(8, 3, 4, 4)))  # revealed: (8, 48)
reveal_shape(nn.Unflatten(1, (3, 16))(torch.randn(8, 48)))  # revealed: (8, 3, 16)
reveal_shape(nn.LazyLinear(10)(x))  # revealed: (32, 10)
reveal_shape(nn.Identity()(x))  # revealed: (32, 784)
reveal_shape(nn.TransformerEncoderLayer(d_model=64, nhead=8, batch_first=True)(e64))  # revealed: (2, 10, 64)
reveal_shape(nn.Upsample(scale_factor=2)(img))  # revealed: (8, 3, 64, 64)
reveal_shape(F.interpolate(img, size=(16, 16)))  # revealed: (8, 3, 16, 16)
reveal_shape(nn.PixelShuffle(2)(torch.randn(1, 16, 8, 8)))  # revealed: (1, 4, 16, 16)
reveal_shape(nn.Conv2d(3, 16, 3, stride=2, padding=1, bias=False)(img))  # revealed: (8, 16, 16, 16)
reveal_shape(nn.Conv2d(3, 12, 3, groups=3)(img))  # revealed: (8, 12, 30, 30)
reveal_shape(nn.ConvTranspose2d(3, 8, 3, stride=2, padding=1, output_padding=1)(img))  # revealed: (8, 8, 64, 64)
reveal_shape(nn.MaxPool2d(2, ceil_mode=True)(torch.randn(1, 3, 5, 5)))  # revealed: (1, 3, 3, 3)
reveal_shape(nn.AvgPool1d(2)(torch.randn(2, 4, 9)))  # revealed: (2, 4, 4)
reveal_shape(nn.Conv3d(1, 4, 3)(torch.randn(2, 1, 8, 8, 8)))  # revealed: (2, 4, 6, 6, 6)
reveal_shape(nn.InstanceNorm2d(3)(img))  # revealed: (8, 3, 32, 32)
reveal_shape(nn.Dropout2d(0.2)(img))  # revealed: (8, 3, 32, 32)
reveal_shape(nn.ReLU(inplace=True)(torch.randn(4, 5)))  # revealed: (4, 5)
reveal_shape(nn.Softmax(dim=-1)(torch.randn(4, 5)))  # revealed: (4, 5)
reveal_shape(nn.Bilinear(5, 6, 7)(torch.randn(4, 5), torch.randn(4, 6)))  # revealed: (4, 7)
reveal_shape(nn.Embedding(100, 16, padding_idx=0)(torch.randint(0, 100, (3,))))  # revealed: (3, 16)
reveal_shape(nn.RNN(10, 20)(torch.randn(7, 10))[0])  # revealed: (7, 20)
reveal_shape(nn.LSTM(10, 20, proj_size=5, batch_first=True)(torch.randn(4, 7, 10))[0])  # revealed: (4, 7, 5)
reveal_shape(F.embedding(torch.randint(0, 10, (4, 5)), torch.randn(10, 3)))  # revealed: (4, 5, 3)
reveal_shape(F.avg_pool2d(img, kernel_size=4))  # revealed: (8, 3, 8, 8)
reveal_shape(F.layer_norm(e64, (64,)))  # revealed: (2, 10, 64)
reveal_shape(F.dropout(x, 0.5, training=True))  # revealed: (32, 784)
bad_c1 = nn.Conv1d(4, 8, 3)(torch.randn(2, 5, 10))  # E: SHP301
bad_bi = nn.Bilinear(5, 6, 7)(torch.randn(4, 5), torch.randn(4, 5))  # E: SHP301
bad_emb = nn.Embedding(100, 16)(torch.randint(0, 100, (3,))) @ torch.randn(8, 2)  # E: SHP101
bad_c3 = nn.Conv3d(1, 4, 3)(torch.randn(2, 1, 8, 8))  # E: SHP301
bad_ln = F.layer_norm(e64, (32,))  # E: SHP301
bad_pool = nn.AvgPool1d(4)(torch.randn(2, 4, 3))  # E: SHP304
bad_tf = nn.TransformerEncoderLayer(d_model=32, nhead=4, batch_first=True)(e64)  # E: SHP301
