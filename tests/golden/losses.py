"""Losses (SHP503, and SHP501 where the shapes do not even broadcast): the functional and the
module spellings, prediction (B, 1) against target (B,), and the clean fixes."""
import torch
import torch.nn as nn
import torch.nn.functional as F

pred = torch.randn(16, 1)
target = torch.randn(16)

loss = F.mse_loss(pred, target)  # E: SHP503
loss = F.l1_loss(pred, target)  # E: SHP503
loss = F.smooth_l1_loss(pred, target)  # E: SHP503
loss = torch.nn.functional.mse_loss(input=pred, target=target)  # E: SHP503
loss = nn.MSELoss()(pred, target)  # E: SHP503
criterion = nn.L1Loss()
loss = criterion(pred, target)  # E: SHP503
mse = nn.MSELoss(reduction="sum")
loss = mse(target, pred)  # E: SHP503

# the fixes
reveal_shape(F.mse_loss(pred.squeeze(1), target))  # revealed: ()
reveal_shape(F.mse_loss(pred.view(-1), target))  # revealed: ()
reveal_shape(F.mse_loss(pred, target.unsqueeze(1)))  # revealed: ()
reveal_shape(F.mse_loss(pred, target[:, None], reduction="none"))  # revealed: (16, 1)
reveal_shape(criterion(pred.squeeze(-1), target))  # revealed: ()

# shapes that do not broadcast at all
loss = F.mse_loss(torch.randn(16, 10), torch.randn(16, 5))  # E: SHP501

# classification losses take (B, C) logits and (B,) class indices: not a broadcast
logits = torch.randn(16, 10)
labels = torch.randint(0, 10, (16,))
reveal_shape(F.cross_entropy(logits, labels))  # revealed: ()
reveal_shape(nn.CrossEntropyLoss()(logits, labels))  # revealed: ()
reveal_shape(F.nll_loss(F.log_softmax(logits, dim=1), labels))  # revealed: ()
reveal_shape(F.cross_entropy(logits, labels, reduction="none"))  # revealed: (16,)
reveal_shape(F.binary_cross_entropy_with_logits(pred, target.unsqueeze(1)))  # revealed: ()


class Regressor(nn.Module):
    def __init__(self, n_in):
        super().__init__()
        self.head = nn.Linear(n_in, 1)
        self.loss_fn = nn.MSELoss()

    def forward(self, x, y):
        out = self.head(x)
        reveal_shape(out)  # revealed: (32, 1)
        return self.loss_fn(out, y)  # E: SHP503


reg_loss = Regressor(8)(torch.randn(32, 8), torch.randn(32))
