"""``engine.release`` (``Analysis.dispose``): what an analysis built is freed by reference counting
once it is released, not left to the cycle collector."""
from __future__ import annotations


def test_a_released_analysis_is_freed_without_the_cycle_collector():
    import gc
    import weakref

    from shapecheck import engine

    source = ("import torch.nn as nn\n\nclass Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
              "        self.fc = nn.Linear(4, 8)\n\n    def forward(self, x):\n        return self.fc(x)\n\n"
              "net = Net()\n")
    was = gc.isenabled()
    gc.disable()
    try:
        checked = engine.analyse_source(source, "t.py")
        result = checked.result
        assert result is not None and result.analysis is not None and result.instances
        held = [weakref.ref(result.analysis), weakref.ref(result.analysis.ctx), weakref.ref(result.instances[0])]
        del result
        engine.release(checked)
        assert checked.result is None and checked.diagnostics == []
        assert [r() for r in held] == [None, None, None]
    finally:
        if was:
            gc.enable()
