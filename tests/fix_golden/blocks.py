"""--fix inside indented blocks: a call over several lines keeps its own indentation and layout."""
import torch
import torch.nn as nn


class Mixer(nn.Module):
    def __init__(self):
        super().__init__()
        self.proj = nn.Linear(12, 4)

    def forward(self, x_id, x_h):
        if x_id is not None:
            x = torch.cat((
                x_id,
                x_h,
                ), dim=2,
            )
            return x
        return x_h


mixer = Mixer()
y = mixer(torch.randn(2, 3, 4), torch.randn(2, 9, 4))


def attention(q, k):
    # an operand transposed once too often: the fix drops the transpose, never adds a second one
    return q @ k.transpose(-2, -1)


scores = attention(torch.randn(2, 4, 16), torch.randn(2, 16, 8))
