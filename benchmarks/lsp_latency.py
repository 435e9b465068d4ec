"""How long `shapecheck server` takes to re-diagnose a file after a one-character edit.

    python -m benchmarks.lsp_latency [FILE ...] [--edits N]

A real LSP client (pygls's) starts the server over stdio with no debounce, opens each FILE
(default: a set of real ~500-line model files from the torchvision, timm and keras wheels, see
benchmarks/corpus.py, and examples/), waits for its first diagnostics (cold: the first analysis
in the server, imports of the project included), then makes N one-character edits in the middle
of the file (a space added at the end of a line, then taken away again) and times each from the
`didChange` sent to the `publishDiagnostics` of that version received. Prints per file: lines,
cold, and the median and worst re-diagnose time. Numbers only: nothing here asserts a time.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from pathlib import Path

from lsprotocol import types as T
from pygls.lsp.client import LanguageClient

ROOT = Path(__file__).resolve().parent.parent
WHEEL_FILES = [  # (wheel, path inside it): ~500-line model files people wrote
    ("torchvision==0.29.1", "torchvision/models/inception.py"),
    ("torchvision==0.29.1", "torchvision/models/vgg.py"),
    ("keras==3.15.1", "keras/src/applications/mobilenet_v2.py"),
    ("keras==3.15.1", "keras/src/applications/densenet.py"),
    ("timm==1.0.31", "timm/models/selecsls.py"),
    ("timm==1.0.31", "timm/models/fasternet.py"),
]


def default_files() -> list[Path]:
    sys.path.insert(0, str(ROOT))
    from benchmarks import corpus

    out = []
    for wheel, inner in WHEEL_FILES:
        name = wheel.split("==")[0]
        out.append(Path(corpus.unpacked(wheel, name)) / inner)
    return out


class Client(LanguageClient):
    def __init__(self) -> None:
        super().__init__("shapecheck-bench", "1")
        self.arrived: dict[tuple, float] = {}  # (uri, version) -> when its diagnostics came
        self.waiters: dict[tuple, asyncio.Event] = {}

        @self.feature(T.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def on_diagnostics(params: T.PublishDiagnosticsParams) -> None:
            key = (params.uri, params.version)
            self.arrived[key] = time.perf_counter()
            ev = self.waiters.get(key)
            if ev is not None:
                ev.set()

    async def wait(self, uri: str, version: int, timeout: float = 120.0) -> float:
        key = (uri, version)
        if key not in self.arrived:
            ev = self.waiters.setdefault(key, asyncio.Event())
            await asyncio.wait_for(ev.wait(), timeout)
        return self.arrived[key]


async def measure(files: list[Path], edits: int) -> list[tuple]:
    client = Client()
    await client.start_io(sys.executable, "-m", "shapecheck", "server",
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    await client.initialize_async(T.InitializeParams(
        capabilities=T.ClientCapabilities(), initialization_options={"debounce": 0}))
    client.initialized(T.InitializedParams())
    rows = []
    for path in files:
        text = path.read_text()
        uri = path.resolve().as_uri()
        lines = text.splitlines()
        t0 = time.perf_counter()
        client.text_document_did_open(T.DidOpenTextDocumentParams(
            T.TextDocumentItem(uri=uri, language_id="python", version=1, text=text)))
        cold = await client.wait(uri, 1) - t0
        mid = len(lines) // 2
        col = len(lines[mid])
        times = []
        for i in range(edits):
            version = i + 2
            if i % 2 == 0:  # add a space at the end of the middle line
                change = T.TextDocumentContentChangePartial(
                    range=T.Range(T.Position(mid, col), T.Position(mid, col)), text=" ")
            else:  # and take it away
                change = T.TextDocumentContentChangePartial(
                    range=T.Range(T.Position(mid, col), T.Position(mid, col + 1)), text="")
            t0 = time.perf_counter()
            client.text_document_did_change(T.DidChangeTextDocumentParams(
                T.VersionedTextDocumentIdentifier(uri=uri, version=version), [change]))
            times.append(await client.wait(uri, version) - t0)
        client.text_document_did_close(T.DidCloseTextDocumentParams(T.TextDocumentIdentifier(uri)))
        rows.append((path, len(lines), cold, statistics.median(times), max(times)))
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()
    return rows


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("files", nargs="*", type=Path)
    ap.add_argument("--edits", type=int, default=10)
    args = ap.parse_args(argv)
    files = args.files or default_files()
    rows = asyncio.run(measure(files, args.edits))
    print(f"{'file':<44} {'lines':>5} {'cold s':>7} {'median s':>8} {'worst s':>8}")
    for path, n, cold, med, worst in rows:
        shown = "/".join(path.parts[-3:])
        print(f"{shown:<44} {n:>5} {cold:>7.3f} {med:>8.3f} {worst:>8.3f}")


if __name__ == "__main__":
    main()
