"""A call with unknown data must not switch off what the definitions prove (issue 8, first part).

A model class that a training script calls on batches from a loader is found wrong exactly as
when the file holds the class alone; a module or layer applied to data the checker cannot see
into gives what it guarantees; values that may not be tensors get no invented findings."""
from __future__ import annotations

import textwrap

from shapecheck.engine import check_source, reveal

NET = textwrap.dedent('''
    import torch
    import torch.nn as nn
    import torch.nn.functional as F


    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 32, 3, 1)
            self.conv2 = nn.Conv2d(16, 64, 3, 1)
            self.fc = nn.Linear(9216, 10)

        def forward(self, x):
            x = F.relu(self.conv1(x))
            x = F.relu(self.conv2(x))
            x = torch.flatten(F.max_pool2d(x, 2), 1)
            return F.log_softmax(self.fc(x), dim=1)
''')

SCRIPT = NET + textwrap.dedent('''

    def train(model, loader, optimizer):
        model.train()
        for data, target in loader:
            optimizer.zero_grad()
            output = model(data)
            F.nll_loss(output, target).backward()
            optimizer.step()


    def main():
        loader = torch.utils.data.DataLoader(load_mnist(), batch_size=64)
        model = Net()
        train(model, loader, torch.optim.Adadelta(model.parameters(), lr=1.0))


    if __name__ == "__main__":
        main()
''')


def errors(source: str) -> list[tuple[int, str]]:
    return [(d.line, d.code) for d in check_source(source, "train.py") if d.severity in ("error", "warning")]


def test_the_class_alone_and_the_script_that_trains_it_give_the_same_finding() -> None:
    alone = errors(NET)
    assert alone == [(16, "SHP301")]
    assert errors(SCRIPT) == alone


def test_a_bug_both_analyses_see_is_reported_once() -> None:
    source = NET + "\n\nNet()(torch.randn(2, 1, 28, 28))\n"
    assert errors(source) == [(16, "SHP301")]


def test_no_knock_on_finding_from_the_generic_run_where_a_call_found_the_bug() -> None:
    source = textwrap.dedent('''
        import torch
        from torch import nn

        class Projection(nn.Module):
            def __init__(self):
                super().__init__()
                self.weight = nn.Parameter(torch.randn(128, 512))
                self.bias = nn.Parameter(torch.zeros(128))

            def forward(self, x):
                return x @ self.weight + self.bias

        Projection()(torch.randn(32, 512))
    ''')
    assert errors(source) == [(12, "SHP102")]


def test_what_a_call_reveals_stays_the_calls_answer() -> None:
    source = textwrap.dedent('''
        import torch
        from torch import nn

        def head(x):
            y = nn.Linear(784, 10)(x)
            reveal_shape(y)
            return y

        head(torch.randn(32, 784))
    ''')
    assert reveal(source) == [(7, "(32, 10)")]


def test_a_module_called_on_a_batch_from_a_loader_gives_what_its_layers_guarantee() -> None:
    source = textwrap.dedent('''
        import torch
        from torch import nn

        class Classifier(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(32, 16)

            def forward(self, x):
                return self.fc(x)

        def evaluate(model, loader):
            for batch in loader:
                logits = model(batch["x"])
                reveal_shape(logits)
                nn.Linear(12, 2)(logits)

        evaluate(Classifier(), load())
    ''')
    assert reveal(source) == [(16, "(*, 16)")]
    assert errors(source) == [(17, "SHP301")]


def test_layers_applied_to_unknown_values_keep_their_guarantees() -> None:
    source = textwrap.dedent('''
        import torch
        from torch import nn
        import keras

        h = torch.load("features.pt")
        reveal_shape(nn.Linear(768, 256)(h))
        reveal_shape(nn.Conv2d(3, 16, 3)(h))
        reveal_shape(nn.Embedding(100, 32)(h))
        reveal_shape(keras.layers.Dense(64)(h))
        z = nn.Linear(768, 256)(h)
        nn.Linear(128, 3)(z)
        c = nn.Conv2d(3, 16, 3)(h)
        nn.Conv2d(8, 4, 1)(c)
    ''')
    revealed = dict(reveal(source))
    assert revealed[7] == "(*, 256)"
    assert revealed[8].startswith("(N, 16, ")  # a conv output is taken as batched (ops/torch/conv.batched)
    assert revealed[9] == "(*, 32)"
    assert revealed[10] == "(*, 64)"
    assert errors(source) == [(12, "SHP301"), (14, "SHP301")]


def test_unknown_values_that_may_not_be_tensors_get_no_findings() -> None:
    source = textwrap.dedent('''
        import torch
        from torch import nn

        class Model(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(10, 2)

            def forward(self, batch, lengths):
                x, mask = batch
                n = lengths.max().item()
                y = self.fc(x[:, :n])
                return y, mask.sum(-1)

        def run(model, loader):
            for batch, lengths in loader:
                out, count = model(batch, lengths)
                print(out.shape, count)

        run(Model(), load())
    ''')
    assert errors(source) == []
