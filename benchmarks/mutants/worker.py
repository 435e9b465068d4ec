"""The torch half: build a model from a (mutated) model file and run it, in a forked child.

    python -m benchmarks.mutants.worker FRAMEWORK ROOT [ROOT ...]   (JSON lines on stdin/stdout)

The server imports torch and the framework (timm or torchvision, from CORPUS_ROOT, the unzipped
wheel) once. Every request runs in a child forked from that clean state: the child executes the
mutated source as a fresh module object under the original module's name (relative imports
resolve; timm and torchvision register the file's builders again, now the mutated ones), builds
the model, runs it, reports through a pipe, and exits. Nothing a mutant does reaches the server
or the next mutant. A child that runs past the timeout is killed.

Requests: ``{"op": "probe", "module": M}`` (the file's model builders, smallest first, and the
first of them that builds and runs, with the device and input that worked) and
``{"op": "run", "module": M, "source": S, "model": N, "device": D, "input": I}``.
"""
from __future__ import annotations

import importlib
import inspect
import io
import json
import os
import re
import select
import signal
import sys
import traceback
import types
import warnings
from typing import Any, Optional

TIMEOUT = 120.0
CPU_PARAM_LIMIT = 60_000_000  # larger models are only run on the meta device
# inputs tried for a model whose config does not say (torchvision): images, clips, pairs of images
CANDIDATE_INPUTS: list[dict[str, Any]] = [
    {"shape": [2, 3, 224, 224]}, {"shape": [2, 3, 16, 112, 112]}, {"shape": [2, 3, 16, 224, 224]},
    {"shape": [2, 3, 299, 299]}, {"shape": [1, 3, 128, 128], "pair": True},
]

# messages of errors that are about shapes (torch's checks, and the models' own asserts on shapes)
SHAPE_MESSAGE = re.compile("|".join([
    r"shapes cannot be multiplied", r"size mismatch", r"must match the size", r"[Ss]izes of tensors must match",
    r"to have \d+ channels", r"[Ee]xpected .*(dim|channels|size|shape)", r"is invalid for input of size",
    r"[Dd]imension out of range", r"The size of tensor a", r"number of dims don't match",
    r"einsum\(\)", r"[Cc]alculated (padded )?input size", r"[Kk]ernel size can't be greater",
    r"[Oo]utput size is too small", r"must be divisible by", r"normalized_shape", r"[Ii]nput height",
    r"[Ii]nput width", r"doesn't match model", r"does not match", r"don't match", r"mismatch",
    r"shape", r"[Ii]nconsistent", r"must be [a-z ]*equal", r"view size is not compatible",
    r"only one dimension can be inferred", r"dimension", r"dim ", r"got \d+D", r"rank", r"reduction dim",
    r"contain \d+ elements", r"[Nn]umber of (channels|features|elements|groups)", r"groups",
]))
UNPACK = re.compile(r"(not enough|too many) values to unpack")


def classify(exc_type: str, message: str) -> str:
    """``shape`` for an error about shapes, else ``other`` (a TypeError of an argument, a name ...)."""
    if exc_type in ("RuntimeError", "ValueError", "IndexError", "AssertionError") and SHAPE_MESSAGE.search(message):
        return "shape"
    if exc_type == "ValueError" and UNPACK.search(message):
        return "shape"  # ``B, N, C = x.shape`` on a tensor of another rank
    if exc_type == "AssertionError" and not message:
        return "shape"  # timm's and torchvision's bare asserts in forward/__init__ check sizes
    return "other"


PROBE_SIZED = 6  # builders sized per file (the likeliest small ones first): building all 200 ViTs takes minutes
SMALL_WORDS = ("test", "atto", "femto", "pico", "nano", "tiny", "xxs", "xs", "small", "mini", "micro", "lite",
               "_s", "b0", "18", "_050", "_075", "_100", "x0_5", "400mf", "mobile", "base")


def smallness(name: str) -> tuple[int, int, str]:
    """Names that say small first (``test_vit``, ``*_tiny``, ``resnet18``), then the short ones."""
    hits = [i for i, w in enumerate(SMALL_WORDS) if w in name]
    return (hits[0] if hits else len(SMALL_WORDS), len(name), name)


class Runner:
    def __init__(self, framework: str) -> None:
        self.framework = framework
        # torchvision's C extension is built for another torch (and CUDA); the model code does not
        # need it: skip its fake-kernel registrations (ops like nms then fail if called). timm
        # imports torchvision too.
        sys.modules["torchvision._meta_registrations"] = types.ModuleType("torchvision._meta_registrations")
        warnings.simplefilter("ignore")
        import torch  # noqa: F401

        if framework == "timm":
            import timm  # noqa: F401
        elif framework == "torchvision":
            import torchvision  # noqa: F401
        # any other framework name: plain modules whose builders are their functions (the tests)

    # -- in the child ------------------------------------------------------------------------------
    def load(self, module: str, source: Optional[str]) -> types.ModuleType:
        old = sys.modules.get(module) or importlib.import_module(module)
        if source is None:
            return old
        if self.framework == "torchvision":
            from torchvision.models import _api
            for name in [n for n, fn in _api.BUILTIN_MODELS.items() if fn.__module__ == module]:
                del _api.BUILTIN_MODELS[name]
        mod = types.ModuleType(module)
        mod.__file__ = old.__file__
        mod.__package__ = old.__package__
        mod.__spec__ = old.__spec__
        sys.modules[module] = mod
        parent, _, short = module.rpartition(".")
        setattr(sys.modules[parent], short, mod)
        exec(compile(source, old.__file__ or module, "exec"), mod.__dict__)  # the model file, not checked code
        return mod

    def builders(self, module: str) -> list[str]:
        if self.framework == "timm":
            from timm.models import _registry
            return sorted(n for n, fn in _registry._model_entrypoints.items() if fn.__module__ == module)
        from torchvision.models import _api
        return sorted(n for n, fn in _api.BUILTIN_MODELS.items() if fn.__module__ == module)

    def build(self, name: str, module: str):
        if self.framework not in ("timm", "torchvision"):
            return getattr(sys.modules[module], name)()
        if self.framework == "timm":
            import timm
            return timm.create_model(name, pretrained=False)
        import torchvision
        kwargs: dict[str, Any] = {"weights": None}
        if "weights_backbone" in inspect.signature(torchvision.models.get_model_builder(name)).parameters:
            kwargs["weights_backbone"] = None
        return torchvision.models.get_model(name, **kwargs)

    def inputs_for(self, model) -> list[dict[str, Any]]:
        cfg = getattr(model, "pretrained_cfg", None) or {}
        size = cfg.get("input_size") if isinstance(cfg, dict) else None
        if size:
            return [{"shape": [2, *size]}]
        return CANDIDATE_INPUTS

    def forward(self, model, spec: dict[str, Any], device: str) -> None:
        import torch
        x = torch.randn(*spec["shape"], device=device)
        model.eval()
        with torch.no_grad():
            if spec.get("pair"):
                model(x, x)
            else:
                model(x)

    def run_model(self, module: str, name: str, device: str, spec: Optional[dict[str, Any]]) -> dict[str, Any]:
        """Build ``name`` on ``device`` and run it on ``spec`` (or on each candidate input)."""
        import torch
        phase = "build"
        try:
            with torch.device(device):
                model = self.build(name, module)
            params = sum(p.numel() for p in model.parameters())
            specs = [spec] if spec is not None else self.inputs_for(model)
            last: Optional[BaseException] = None
            for s in specs:
                phase = "forward"
                try:
                    self.forward(model, s, device)
                    return {"status": "ok", "params": params, "input": s, "device": device}
                except Exception as e:  # noqa: BLE001 - the next candidate input
                    last = e
            assert last is not None
            raise last
        except Exception as e:  # noqa: BLE001 - the result is the error
            return self.error(e, phase, device)

    def error(self, e: BaseException, phase: str, device: str) -> dict[str, Any]:
        tb = traceback.extract_tb(e.__traceback__)
        frames = [f"{os.path.basename(f.filename)}:{f.lineno}" for f in tb[-4:]]
        message = str(e).strip().splitlines()[0][:400] if str(e).strip() else ""
        kind = classify(type(e).__name__, message)
        return {"status": "error", "type": type(e).__name__, "message": message, "kind": kind, "phase": phase,
                "device": device, "frames": frames}

    def run(self, req: dict[str, Any]) -> dict[str, Any]:
        self.load(req["module"], req.get("source"))
        device = req["device"]
        result = self.run_model(req["module"], req["model"], device, req["input"])
        if device == "meta" and result["status"] == "error" and req.get("cpu_ok"):
            # an error on meta is confirmed on the CPU: the real kernels, their messages, and the
            # data-dependent code (``.item()``) that meta tensors cannot run
            on_cpu = self.run_model(req["module"], req["model"], "cpu", req["input"])
            result = {**on_cpu, "meta_error": result["message"]}
        return result

    def probe(self, req: dict[str, Any]) -> dict[str, Any]:
        """The file's builders ranked by size (on meta), and the smallest that runs."""
        mod = req["module"]
        names = self.builders(mod)
        sized: list[tuple[int, str]] = []
        for name in sorted(names, key=smallness)[:PROBE_SIZED]:
            size = self.run_model_size(mod, name)
            sized.append((size if size is not None else 10**12, name))
        sized.sort()
        tried = []
        for params, name in sized[:4]:
            r = self.run_model(mod, name, "meta", None)
            device = "meta"
            if r["status"] != "ok" and params <= CPU_PARAM_LIMIT:
                r = self.run_model(mod, name, "cpu", None)
                device = "cpu"
            tried.append({"model": name, **r})
            if r["status"] == "ok":
                return {"status": "ok", "model": name, "device": device, "input": r["input"], "params": params,
                        "cpu_ok": params <= CPU_PARAM_LIMIT, "builders": len(names), "tried": tried}
        return {"status": "unusable", "builders": len(names), "tried": tried}

    def run_model_size(self, module: str, name: str) -> Optional[int]:
        import torch
        try:
            with torch.device("meta"):
                model = self.build(name, module)
            return sum(p.numel() for p in model.parameters())
        except Exception:  # noqa: BLE001 - unknown size: tried last
            return None

    # -- in the server -----------------------------------------------------------------------------
    def fork(self, req: dict[str, Any]) -> dict[str, Any]:
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: one mutant, then exit
            os.close(read)
            code = 0
            try:
                import torch
                torch.set_num_threads(1)
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, 1)
                os.dup2(devnull, 2)
                sys.stdout = sys.stderr = io.StringIO()
                out = self.probe(req) if req["op"] == "probe" else self.run(req)
            except BaseException as e:  # noqa: BLE001 - the mutated module itself fails to load
                out = self.error(e, "import", req.get("device", "cpu"))
            try:
                with os.fdopen(write, "w") as fh:
                    fh.write(json.dumps(out))
            except BaseException:  # noqa: BLE001
                code = 1
            os._exit(code)
        os.close(write)
        chunks: list[bytes] = []
        timeout = float(req.get("timeout", TIMEOUT)) * (4 if req["op"] == "probe" else 1)
        while True:
            ready, _, _ = select.select([read], [], [], timeout)
            if not ready:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                os.close(read)
                return {"status": "timeout"}
            chunk = os.read(read, 1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
        os.close(read)
        _, status = os.waitpid(pid, 0)
        try:
            return json.loads(b"".join(chunks).decode())
        except ValueError:
            return {"status": "crash", "exit": status}


def main() -> None:
    framework, roots = sys.argv[1], sys.argv[2:]
    sys.path[:0] = roots  # the unzipped wheels: the framework's, then torchvision's
    runner = Runner(framework)
    import torch
    print(json.dumps({"ready": True, "torch": torch.__version__,
                      "version": getattr(sys.modules.get(framework), "__version__", "?")}), flush=True)
    for line in sys.stdin:
        if not line.strip():
            continue
        req = json.loads(line)
        print(json.dumps(runner.fork(req)), flush=True)


if __name__ == "__main__":
    main()
