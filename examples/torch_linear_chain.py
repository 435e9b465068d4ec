"""An MLP whose layer sizes do not chain: the second Linear expects 256 features, gets 512."""
import torch
from torch import nn

model = nn.Sequential(
    nn.Flatten(),
    nn.Linear(28 * 28, 512),
    nn.ReLU(),
    nn.Linear(256, 10),  # bug: in_features must be 512
)

if __name__ == "__main__":
    images = torch.randn(64, 1, 28, 28)
    print(model(images).shape)
