"""``x.view(dtype=...)`` reinterprets the elements as another dtype: the rank stays and only the last
size changes (by the ratio of element sizes), unlike ``x.view(sizes)``, a reshape."""
import torch

output_ids = torch.zeros(2, 16, dtype=torch.int32)
n = 0
logprobs = output_ids[1, :n].view(dtype=torch.float32)
reveal_shape(logprobs)  # revealed: (n,)
halves = torch.zeros(4, 6).view(dtype=torch.float16)
reveal_shape(halves)  # revealed: (4, n)
rows = halves.view(4, 3, 4)
flat = torch.zeros(4, 6).view(5, 5)  # E: SHP401
