"""--fix on layer sizes: SHP303 edits the constructor's literal in_features, wherever it is."""
import torch
import torch.nn as nn
import torch.nn.functional as F


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3)
        self.pool = nn.MaxPool2d(2)
        self.fc1 = nn.Linear(32 * 14 * 14, 10)  # the classifier

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = torch.flatten(x, 1)
        return self.fc1(x)


net = Net()
out = net(torch.randn(8, 1, 28, 28))

seq = nn.Sequential(
    nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
    nn.Linear(in_features=6272, out_features=10),
)
y = seq(torch.randn(8, 1, 28, 28))

cat = torch.cat([torch.randn(4, 3), torch.randn(4, 5)])  # joined along the wrong axis
