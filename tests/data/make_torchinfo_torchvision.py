"""Regenerate ``torchinfo_torchvision.json``: what torchinfo 1.8 reports for torchvision 0.29.1's
classification builders, the oracle of ``tests/test_summary_torchinfo.py``.

    python tests/data/make_torchinfo_torchvision.py [ROOT]

``ROOT`` is the unzipped torchvision 0.29.1 wheel (default: the corpus cache, as
``benchmarks/corpus.py`` unzips it). torchvision's package ``__init__`` is not imported (its C
extension does not load beside torch 2.13): ``torchvision``, ``.models``, ``.ops`` and
``.transforms`` are empty packages pointing at the wheel's sources, PIL and the transforms presets
(named only in annotations and weight metadata) are stubs, and ``torchvision.ops`` gets the names
of ops/misc.py and ops/stochastic_depth.py, the only ops these models use.

Each builder is built with its defaults on the meta device (no memory, no initialisation work)
and summarised by ``torchinfo.summary(model, input_size=(1, 3, 224, 224), depth=3, device="meta")``
in eval mode, as a user would call it. Kept per builder: every row of torchinfo's summary list
(its qualified module name, class, depth, depth index, leaf/recursive flags, input and output
sizes, kernel size, parameters, trainable parameters, mult-adds) down to depth 3, the totals
(``ModelStatistics``: params, trainable params, mult-adds, input bytes, forward/backward bytes,
param bytes), the four memory lines as torchinfo prints them, and ``named_modules()`` (name, class)
down to depth 3: the rows a table must hold.
"""
from __future__ import annotations

import importlib
import json
import re
import sys
import time
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "torchinfo_torchvision.json"
INPUT = (1, 3, 224, 224)
# a row of torchinfo's summary list, as a list of these (LayerInfo's attributes; ``path`` is its qualified name)
ROW = ["path", "type", "depth", "index", "leaf", "recursive", "executed", "input", "output", "kernel", "params",
       "trainable", "mult_adds", "output_bytes"]
DEPTH = 3

sys.path.insert(0, str(HERE.parent))
from torchvision_models import BUILDERS, load_torchvision  # noqa: E402  (shared with the tests)


def default_root() -> Path:
    sys.path.insert(0, str(HERE.parent.parent))
    from benchmarks.corpus import unpacked

    return unpacked("torchvision==0.29.1", "torchvision")


def qualified(info: object) -> str:
    """The module's name in ``named_modules()`` (``layer1.0.conv1``) from torchinfo's parent chain."""
    parts = []
    cur = info
    while cur is not None and getattr(cur, "depth", 0) > 0:
        parts.append(cur.var_name)  # type: ignore[attr-defined]
        cur = cur.parent_info  # type: ignore[attr-defined]
    return ".".join(reversed(parts))


def describe(model: object, name: str) -> dict:
    import torch
    import torchinfo

    t0 = time.perf_counter()
    stats = torchinfo.summary(model, input_size=INPUT, depth=DEPTH, device="meta", verbose=0,
                              col_names=("input_size", "output_size", "num_params", "kernel_size", "mult_adds",
                                         "trainable"))
    took = time.perf_counter() - t0
    rows = []
    for li in stats.summary_list:
        if li.depth > DEPTH:
            continue  # (the table's rows; deeper ones count in the totals only)
        rows.append([qualified(li), li.class_name, li.depth, li.depth_index, li.is_leaf_layer, li.is_recursive,
                     li.executed, li.input_size, li.output_size, li.kernel_size, li.num_params, li.trainable_params,
                     li.macs, li.output_bytes])
    text = str(stats)
    memory = dict(re.findall(r"^(Input size|Forward/backward pass size|Params size|Estimated Total Size) \(MB\): "
                             r"([\d.]+)$", text, re.M))
    assert isinstance(model, torch.nn.Module)
    modules = [[n, type(m).__name__] for n, m in model.named_modules() if n and n.count(".") < DEPTH]
    return {"rows": rows, "total_params": stats.total_params, "trainable_params": stats.trainable_params,
            "total_mult_adds": stats.total_mult_adds, "input_bytes": stats.total_input,
            "output_bytes": stats.total_output_bytes, "param_bytes": stats.total_param_bytes,
            "memory_mb": memory, "named_modules": modules,
            "torchinfo_seconds": round(took, 3)}


def main() -> None:
    warnings.simplefilter("ignore")
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else default_root()
    load_torchvision(root)
    import torch
    import torchinfo

    out: dict = {"torch": torch.__version__, "torchinfo": torchinfo.__version__, "torchvision": "0.29.1",
                 "input_size": list(INPUT), "depth": DEPTH, "row": ROW, "models": {}}
    # every parameter goes to the meta device as it is registered: no memory, no initialisation work
    # (``with torch.device("meta")`` would break builders that compute sizes with tensors: regnet)
    register = torch.nn.Module.register_parameter

    def meta_register(self: torch.nn.Module, name: str, param: object) -> None:
        if isinstance(param, torch.nn.Parameter) and param.device.type != "meta":
            param = torch.nn.Parameter(param.detach().to("meta"), requires_grad=param.requires_grad)
        register(self, name, param)  # type: ignore[arg-type]

    torch.nn.Module.register_parameter = meta_register  # type: ignore[method-assign]
    for mod, fns in BUILDERS.items():
        module = importlib.import_module("torchvision.models." + mod)
        for fn in fns:
            model = getattr(module, fn)()
            out["models"][fn] = {"module": mod, **describe(model, fn)}
            print(fn, out["models"][fn]["total_params"], out["models"][fn]["total_mult_adds"], file=sys.stderr)
    OUT.write_text(json.dumps(out, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"wrote {OUT} ({len(out['models'])} models)", file=sys.stderr)


if __name__ == "__main__":
    main()
