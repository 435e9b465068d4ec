"""Regenerate ``torchinfo_small.json``: torchinfo 1.8 on the small models of ``summary_models/``,
the oracle of ``tests/test_summary_torch.py``.

    python tests/data/make_torchinfo_small.py

Each program is run for real (they are ours), and ``torchinfo.summary(model, input_data=[x],
depth=10)`` is taken of its global ``model`` on its global ``x`` -- the input the program itself
feeds the model, which shapecheck finds in the file's own call. Kept per program: every row
of torchinfo's summary list (the fields of ``make_torchinfo_torchvision.ROW``), the totals, the four
memory lines as printed, and ``named_modules()`` (name, class).
"""
from __future__ import annotations

import json
import re
import runpy
import sys
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from make_torchinfo_torchvision import ROW, qualified  # noqa: E402

OUT = HERE / "torchinfo_small.json"
MODELS = HERE / "summary_models"
DEPTH = 10


def main() -> None:
    warnings.simplefilter("ignore")
    import torch
    import torchinfo

    out: dict = {"torch": torch.__version__, "torchinfo": torchinfo.__version__, "depth": DEPTH, "row": ROW,
                 "models": {}}
    for path in sorted(MODELS.glob("*.py")):
        torch.manual_seed(0)
        ns = runpy.run_path(str(path))
        model, x = ns["model"], ns["x"]
        stats = torchinfo.summary(model, input_data=[x], depth=DEPTH, verbose=0,
                                  col_names=("input_size", "output_size", "num_params", "kernel_size", "mult_adds",
                                             "trainable"))
        rows = [[qualified(li), li.class_name, li.depth, li.depth_index, li.is_leaf_layer, li.is_recursive,
                 li.executed, li.input_size, li.output_size, li.kernel_size, li.num_params, li.trainable_params,
                 li.macs, li.output_bytes] for li in stats.summary_list]
        text = str(stats)
        memory = dict(re.findall(r"^(Input size|Forward/backward pass size|Params size|Estimated Total Size) \(MB\): "
                                 r"([\d.]+)$", text, re.M))
        out["models"][path.stem] = {
            "rows": rows, "total_params": stats.total_params, "trainable_params": stats.trainable_params,
            "total_mult_adds": stats.total_mult_adds, "input_bytes": stats.total_input,
            "output_bytes": stats.total_output_bytes, "param_bytes": stats.total_param_bytes, "memory_mb": memory,
            "named_modules": [[n, type(m).__name__] for n, m in model.named_modules() if n],
            "named_parameters": [[n, list(p.shape)] for n, p in model.named_parameters()],
            "named_buffers": [[n, list(b.shape)] for n, b in model.named_buffers()]}
        print(path.stem, stats.total_params, stats.total_mult_adds, memory, file=sys.stderr)
    OUT.write_text(json.dumps(out, indent=0) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
