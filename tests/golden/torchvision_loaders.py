"""A PyTorch training script in the style of the tutorials: MNIST through ToTensor and Normalize,
batches from a DataLoader, iterated with ``for images, labels in loader`` (and ``enumerate``,
``next(iter(...))``). The batches are ``(B, 1, 28, 28)`` float and ``(B,)`` int64, so a model
built for colour images is found at its first layer, and one built for 784 features is not."""
# no-oracle: torchvision is not installed for the tests, and its datasets download their data
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
from torchvision import datasets, transforms

transform = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.1307,), (0.3081,))])
train_set = datasets.MNIST("data", train=True, download=True, transform=transform)
train_loader = DataLoader(train_set, batch_size=64, shuffle=True)

mlp = nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))
colour = nn.Sequential(nn.Conv2d(3, 16, 3), nn.ReLU(), nn.Flatten())  # E: SHP301
optimizer = torch.optim.SGD(mlp.parameters(), lr=0.01)

for epoch in range(2):
    for images, labels in train_loader:
        reveal_shape(images)  # revealed: (None, 1, 28, 28)
        reveal_shape(labels)  # revealed: (None,)
        loss = nn.functional.cross_entropy(mlp(images), labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

for i, (images, labels) in enumerate(train_loader):
    colour(images)  # (reported on the layer of the Sequential that fails)

images, labels = next(iter(train_loader))
flat = images.view(images.size(0), -1)
reveal_shape(flat)  # revealed: (None, 784)

features = TensorDataset(torch.randn(100, 20), torch.randint(0, 3, (100,)))
for x, y in DataLoader(features, batch_size=10, drop_last=True):
    reveal_shape(x)  # revealed: (10, 20)
    nn.Linear(30, 3)(x)  # E: SHP301
