"""A conv net for 28x28 MNIST digits whose first Linear was sized for 32x32 CIFAR images."""
import torch
import torch.nn.functional as F
from torch import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3)
        self.conv2 = nn.Conv2d(32, 64, 3)
        self.pool = nn.MaxPool2d(2)
        self.fc1 = nn.Linear(64 * 14 * 14, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = F.relu(self.conv1(x))
        x = self.pool(F.relu(self.conv2(x)))
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))  # bug: 64 * 12 * 12 features reach fc1
        return self.fc2(x)


if __name__ == "__main__":
    net = Net()
    print(net(torch.randn(8, 1, 28, 28)).shape)
