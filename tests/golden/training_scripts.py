"""Training scripts as real code writes them: models called on batches from a loader the
checker cannot see into. The definitions still prove what they prove (each function and
``forward`` also runs on flexible inputs), a module called on unknown data gives what its layers
guarantee, and nothing is reported on values that may not be tensors."""
import io

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, Dataset, TensorDataset


# ---------------------------------------------------------------- a MNIST-style CNN and its loop
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, 1)
        self.conv2 = nn.Conv2d(16, 64, 3, 1)
        self.dropout = nn.Dropout(0.25)
        self.fc1 = nn.Linear(9216, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = F.relu(self.conv1(x))
        x = F.relu(self.conv2(x))  # E: SHP301 "expects in_channels=16"
        x = F.max_pool2d(x, 2)
        x = self.dropout(x)
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        return F.log_softmax(self.fc2(x), dim=1)


class GoodNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, 1)
        self.conv2 = nn.Conv2d(32, 64, 3, 1)
        self.fc1 = nn.Linear(9216, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = F.relu(self.conv1(x))
        x = F.relu(self.conv2(x))
        x = F.max_pool2d(x, 2)
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        return F.log_softmax(self.fc2(x), dim=1)


def train(model, loader, optimizer):
    model.train()
    for data, target in loader:
        optimizer.zero_grad()
        output = model(data)
        loss = F.nll_loss(output, target)
        loss.backward()
        optimizer.step()


def fit(model_cls):
    images = TensorDataset(torch.randn(8, 1, 28, 28), torch.randint(0, 10, (8,)))
    loader = DataLoader(images, batch_size=4)
    model = model_cls()
    train(model, loader, torch.optim.SGD(model.parameters(), lr=0.1))


fit(GoodNet)
fit(Net)


# ---------------------------------------------------------------- an MLP trained on random data
class MLP(nn.Module):
    def __init__(self, d_in=20, hidden=64, classes=3):
        super().__init__()
        self.fc1 = nn.Linear(d_in, hidden)
        self.fc2 = nn.Linear(hidden * 2, classes)

    def forward(self, x):
        return self.fc2(torch.relu(self.fc1(x)))  # E: SHP301


class GoodMLP(nn.Module):
    def __init__(self, d_in=20, hidden=64, classes=3):
        super().__init__()
        self.fc1 = nn.Linear(d_in, hidden)
        self.fc2 = nn.Linear(hidden, classes)

    def forward(self, x):
        return self.fc2(torch.relu(self.fc1(x)))


def train_random(model):
    x, y = torch.randn(16, 20), torch.randint(0, 3, (16,))
    opt = torch.optim.Adam(model.parameters())
    for _ in range(2):
        opt.zero_grad()
        F.cross_entropy(model(x), y).backward()
        opt.step()


train_random(GoodMLP())
train_random(MLP())


# ---------------------------------------------------------------- batches as dicts from a loader
class Pairs(Dataset):
    def __len__(self):
        return 8

    def __getitem__(self, i):
        return {"x": torch.randn(32), "y": torch.tensor(i % 2)}


class Classifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(32, 48), nn.ReLU(), nn.Linear(48, 16))

    def forward(self, x):
        return self.body(x)


def evaluate(model, loader):
    for batch in loader:
        logits = model(batch["x"])
        probs = logits.softmax(-1)
        head = nn.Linear(12, 2)
        head(probs)  # E: SHP301 "expects in_features=12"


def evaluate_good(model, loader):
    for batch in loader:
        logits = model(batch["x"])
        head = nn.Linear(16, 2)
        head(logits.softmax(-1))


evaluate_good(Classifier(), DataLoader(Pairs(), batch_size=4))
evaluate(Classifier(), DataLoader(Pairs(), batch_size=4))


# ---------------------------------------------------------------- layers on values we cannot see into
buf = io.BytesIO()
torch.save(torch.randn(4, 768), buf)
buf.seek(0)
hidden = torch.load(buf)
z = nn.Linear(768, 256)(hidden)
reveal_shape(z)  # revealed: (*, 256)
logits = nn.Linear(128, 3)(z)  # E: SHP301 "expects in_features=128"
logits = nn.Linear(256, 3)(z)
reveal_shape(nn.Embedding(100, 32)(torch.load(io.BytesIO(buf.getvalue())).long().abs() % 100))  # revealed: (*, 32)


# ---------------------------------------------------------------- recurrent layers on batches we cannot see into
class SeqClassifier(nn.Module):
    def __init__(self, bidirectional):
        super().__init__()
        self.lstm = nn.LSTM(10, 20, batch_first=True, bidirectional=bidirectional)
        self.fc = nn.Linear(20, 2)

    def forward(self, x):
        out, (h, c) = self.lstm(x)
        return self.fc(h[-1]), out


def classify(model):
    seqs = torch.load(io.BytesIO(buf_seq.getvalue()))
    logits, out = model(seqs)
    reveal_shape(out)  # revealed: (*, 40)
    return nn.Linear(20, 5)(out)  # E: SHP301 "expects in_features=20"


buf_seq = io.BytesIO()
torch.save(torch.randn(3, 7, 10), buf_seq)
reveal_shape(SeqClassifier(False)(torch.load(io.BytesIO(buf_seq.getvalue())))[0])  # revealed: (*, 2)
classify(SeqClassifier(True))
gru_out, gru_h = nn.GRU(10, 16)(torch.load(io.BytesIO(buf_seq.getvalue())))
reveal_shape(gru_h[-1])  # revealed: (*, 16)
