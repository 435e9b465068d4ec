"""Which file an import names, and the parsed files themselves (read, never imported).

A checked file's imports are followed only into code of the same project: relative imports
(``from .misc import X``), absolute imports of the file's own top-level package
(``from torchvision.ops import X`` inside torchvision), and, for a file that is not in a package,
modules beside it (``from model import Net`` next to ``train.py``: Python puts the script's
folder first on ``sys.path``). Frameworks (torch, keras, numpy, ...) are never looked up on
disk: their names resolve to the shape rules of the registry.

Parsed modules are cached per process, keyed by path, size and modification time, and bounded
by their total source size.
"""
from __future__ import annotations

import gc
import hashlib
import os
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Optional

if TYPE_CHECKING:
    import libcst as cst

# Top-level names that always denote the installed framework, never a file beside the code.
FRAMEWORKS = frozenset({
    "torch", "torchvision", "torchaudio", "torchtext", "numpy", "keras", "tensorflow", "tf_keras", "jax", "jaxlib",
    "flax", "scipy", "sklearn", "pandas", "einops", "jaxtyping", "typing", "typing_extensions", "collections",
    "functools", "math", "os", "sys", "re", "abc", "dataclasses", "enum", "itertools", "warnings", "copy",
    "inspect", "logging", "json", "pathlib", "random", "time", "operator", "contextlib", "types", "io",
})
# Packages whose names are the registry's shape rules: their own sources are checked file by file.
REGISTERED = frozenset({"torch", "keras", "tensorflow", "tf_keras", "numpy", "jax"})
MAX_FILE_BYTES = 400_000  # larger files are not followed (generated code, vendored bundles)
# Parsed files kept per process, by the size of their sources: a LibCST tree takes ~17 bytes of
# Python objects per byte of source, so 8 MB of sources (~500 typical files) is ~140 MB of trees;
# the least recently used go first, so a module most files import (modeling_utils) stays.
CACHE_BYTES = 8_000_000


@dataclass(frozen=True)
class Place:
    """Where a checked file sits: the folder imports start from, and its own dotted name."""

    root: str  # the folder holding the top-level package (or the file itself when it has none)
    parts: tuple  # the file's dotted module name, e.g. ("torchvision", "models", "resnet")
    is_package: bool  # the file is a package's __init__.py


@dataclass
class Reads:
    """What the analysis of one file read of the project (``recording``): the files it parsed
    (path -> sha256 of their bytes, None when unreadable) and every path it probed while looking
    for a module (path -> ``probe`` of it then). A result cache entry is valid while both still hold."""

    files: dict = field(default_factory=dict)
    probes: dict = field(default_factory=dict)


_RECORDING = threading.local()  # .reads: the Reads of the analysis running on this thread, if recorded


@contextmanager
def recording() -> Iterator[Reads]:
    """Record what the analyses run inside the block read of the project."""
    reads = Reads()
    saved = getattr(_RECORDING, "reads", None)
    _RECORDING.reads = reads
    try:
        yield reads
    finally:
        _RECORDING.reads = saved


def probe(path: str) -> str:
    """What a module lookup sees at ``path``: "file", "big" (a file too large to follow) or "none"."""
    if not os.path.isfile(path):
        return "none"
    try:
        return "big" if os.path.getsize(path) > MAX_FILE_BYTES else "file"
    except OSError:
        return "none"


def _probed(path: str) -> str:
    state = probe(path)
    reads = getattr(_RECORDING, "reads", None)
    if reads is not None:
        reads.probes.setdefault(path, state)
    return state


def place_of(path: Optional[str]) -> Optional[Place]:
    if not path or not path.endswith(".py") or not os.path.isfile(path):
        return None
    path = os.path.abspath(path)
    folder, fname = os.path.split(path)
    is_pkg = fname == "__init__.py"
    parts: list = [] if is_pkg else [fname[:-3]]
    while _probed(os.path.join(folder, "__init__.py")) != "none":
        parent, name = os.path.split(folder)
        if not name.isidentifier() or parent == folder:
            break
        parts.insert(0, name)
        folder = parent
    if parts and parts[0] in REGISTERED and (len(parts) > 1 or is_pkg):
        return None
    return Place(folder, tuple(parts), is_pkg)


def resolve(place: Optional[Place], module: str, level: int) -> Optional[str]:
    """The file of module ``module`` (dotted, may be empty) imported with ``level`` leading dots
    from a file at ``place``; None when it is not this project's code."""
    if place is None:
        return None
    if level:
        pkg = list(place.parts if place.is_package else place.parts[:-1])
        if level - 1 > len(pkg):
            return None
        base = pkg[:len(pkg) - (level - 1)]
        target = base + ([p for p in module.split(".") if p] if module else [])
        return _file_of(place.root, target) if target else None
    target = module.split(".")
    own_top = place.parts[0] if len(place.parts) > 1 or place.is_package else None
    if not target or (target[0] in FRAMEWORKS and target[0] != own_top):
        return None
    for root in _search_roots(place.root):
        got = _file_of(root, target)
        if got is not None:
            return got
    return None


_ROOTS: dict = {}
_PROJECT_MARKERS = ("pyproject.toml", "setup.py", "setup.cfg", ".git")


def _search_roots(root: str) -> tuple:
    """Where absolute imports are looked up: the file's own root, then the project's root and its
    ``src/`` (tests beside a src-layout package) — the project being the nearest folder above with
    a pyproject.toml, setup.py, setup.cfg or .git."""
    hit = _ROOTS.get(root)
    if hit is None:
        out = [root]
        folder = root
        for _ in range(6):
            if any(os.path.exists(os.path.join(folder, m)) for m in _PROJECT_MARKERS):
                for cand in (folder, os.path.join(folder, "src")):
                    if cand not in out and os.path.isdir(cand):
                        out.append(cand)
                break
            parent = os.path.dirname(folder)
            if parent == folder:
                break
            folder = parent
        hit = _ROOTS[root] = tuple(out)
    return hit


def _file_of(root: str, target: list) -> Optional[str]:
    base = os.path.join(root, *target)
    for cand in (base + ".py", os.path.join(base, "__init__.py")):
        state = _probed(os.path.abspath(cand))
        if state == "big":
            return None
        if state == "file":
            return os.path.abspath(cand)
    return None


def file_in(folder: str, name: str) -> Optional[str]:
    """The file of submodule ``name`` of the package in ``folder``."""
    return _file_of(folder, [name]) if name.isidentifier() else None


_CACHE: OrderedDict[tuple[str, int, int], tuple[cst.Module, str]] = OrderedDict()
_DIGESTS: dict[tuple[str, int, int], str] = {}  # the sha256 of each cached file's bytes
_cached_bytes = 0
_CACHE_LOCK = threading.Lock()  # analyses on threads (an editor server) share the cache


def parse(path: str) -> Optional[tuple[cst.Module, str]]:
    """(LibCST module, source) of ``path``, cached; None when it cannot be read or parsed."""
    global _cached_bytes
    reads = getattr(_RECORDING, "reads", None)
    try:
        st = os.stat(path)
    except OSError:
        if reads is not None:
            reads.files.setdefault(path, None)
        return None
    key = (path, st.st_size, st.st_mtime_ns)
    with _CACHE_LOCK:
        hit = _CACHE.get(key)
        if hit is not None:
            _CACHE.move_to_end(key)
            if reads is not None:
                reads.files.setdefault(path, _DIGESTS.get(key))
            return hit
    import io
    import tokenize

    import libcst as cst

    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError:
        if reads is not None:
            reads.files.setdefault(path, None)
        return None
    digest = hashlib.sha256(data).hexdigest()
    if reads is not None:
        reads.files.setdefault(path, digest)
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        source = data.decode(encoding).lstrip("\ufeff")
        module = cst.parse_module(source)
    except Exception:  # noqa: BLE001 - an unreadable import is an unknown module, never a crash
        return None
    with _CACHE_LOCK:
        hit = _CACHE.get(key)
        if hit is not None:  # parsed meanwhile on another thread: one tree per file
            return hit
        _CACHE[key] = (module, source)
        _DIGESTS[key] = digest
        _cached_bytes += len(source)
        while _cached_bytes > CACHE_BYTES and len(_CACHE) > 1:
            gone, (_, old) = _CACHE.popitem(last=False)
            _DIGESTS.pop(gone, None)
            _cached_bytes -= len(old)
    return module, source


def settle() -> None:
    """Between two files of a batch run: collect what the last analysis left (its cycles), then
    freeze what is still alive -- above all the cached trees, large long-lived object graphs -- out
    of every later collection's scans. Never during an analysis: what it holds then would be
    frozen with it, and its cycles never collected (a run over 900 files grew by 400 MB)."""
    gc.collect()
    gc.freeze()
