"""The result cache: a checked file's diagnostics, kept on disk between runs.

One entry per file, named by a key over everything the result depends on: the cache's format,
shapecheck's version and the code it runs (the package's files, so an edited checkout never reads
an old answer), the options (codes in force, Keras version), the shown and the real path, and
the file's bytes. The entry also lists what the analysis read of the project (``imports.Reads``:
each imported file with the sha256 of its bytes, each path probed for a module and what was
there); it is used only while all of that still holds, so editing an imported file, or adding a
module where an import looked for one, re-checks the files that import it.

Entries live in ``<cache dir>/v<FORMAT>-<version>/`` (default ``.shapecheck_cache`` beside the
configuration file, else in the current folder), which holds a ``CACHEDIR.TAG`` and a
``.gitignore`` of ``*`` as ruff's cache does. Writes are atomic (a temporary file then
``os.replace``), so concurrent runs and an interrupted one never leave half an entry; an entry
that is corrupt, truncated or not ours is ignored and rewritten. Nothing is read or written
through a symbolic link inside the cache. Importing this module imports neither LibCST nor sympy:
a run whose files all hit never loads the analysis.
"""
from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from typing import Any, Optional

from . import __version__
from .findings import Diagnostic, Edit, Fix

FORMAT = 1
DEFAULT_DIR = ".shapecheck_cache"
ENV_DIR = "SHAPECHECK_CACHE_DIR"
_TAG = ("Signature: 8a477f597d28d172789f06886806bc55\n"
        "# This file is a cache directory tag created by shapecheck.\n"
        "# For information about cache directory tags see https://bford.info/cachedir/\n")


def _code_fingerprint() -> str:
    """The code shapecheck runs: its version and every source file's name, size and mtime (an
    edited checkout or a reinstall of the same version never reads another code's answers)."""
    h = hashlib.sha256(__version__.encode())
    here = os.path.dirname(os.path.abspath(__file__))
    roots = [here, os.path.join(os.path.dirname(here), "rules")]
    for root in roots:
        for folder, dirs, files in os.walk(root):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            for name in sorted(files):
                if name.endswith(".py"):
                    try:
                        st = os.stat(os.path.join(folder, name))
                    except OSError:
                        continue
                    h.update(f"{os.path.relpath(os.path.join(folder, name), root)}:{st.st_size}:{st.st_mtime_ns}\n"
                             .encode())
    return h.hexdigest()


def diagnostic_to_dict(d: Diagnostic) -> dict:
    """Everything a diagnostic holds, fixes included (``Diagnostic.to_json`` is the output
    contract; this is the cache's own, lossless form)."""
    fix = None
    if d.fix is not None:
        fix = {"description": d.fix.description, "replacement": d.fix.replacement, "safe": d.fix.safe,
               "edits": [[e.line, e.column, e.end_line, e.end_column, e.content, e.cell] for e in d.fix.edits]}
    return {"code": d.code, "name": d.name, "severity": d.severity, "message": d.message, "path": d.path,
            "span": [d.line, d.column, d.end_line, d.end_column], "cell": d.cell, "fix": fix}


def diagnostic_from_dict(o: dict) -> Diagnostic:
    fix = None
    if o["fix"] is not None:
        f = o["fix"]
        fix = Fix(str(f["description"]), f["replacement"], safe=bool(f["safe"]),
                  edits=tuple(Edit(int(a), int(b), int(c), int(d), str(t), cell) for a, b, c, d, t, cell in f["edits"]))
    line, column, end_line, end_column = (int(v) for v in o["span"])
    return Diagnostic(str(o["code"]), str(o["name"]), str(o["severity"]), str(o["message"]), str(o["path"]),
                      line, column, end_line, end_column, fix, o["cell"])


class Cache:
    """One run's view of a cache folder; ``open`` returns None where no cache can be kept."""

    def __init__(self, folder: str) -> None:
        self.folder = folder
        self._code = _code_fingerprint()
        self._digests: dict[tuple, Optional[str]] = {}  # (path, size, mtime) -> sha256 (this run)

    @classmethod
    def open(cls, root: str) -> Optional[Cache]:
        """The cache in ``root`` (made, with its CACHEDIR.TAG and .gitignore, if absent)."""
        folder = os.path.join(root, f"v{FORMAT}-{__version__}")
        try:
            os.makedirs(folder, exist_ok=True)
            if os.path.islink(folder) or not os.path.isdir(folder):
                return None  # (a link planted inside the cache: never followed)
            for name, text in (("CACHEDIR.TAG", _TAG), (".gitignore", "# created by shapecheck\n*\n")):
                target = os.path.join(root, name)
                if not os.path.lexists(target):
                    _write_atomic(target, text.encode(), root)
        except OSError:
            return None
        return cls(folder)

    # ----------------------------------------------------------------- keys
    def key(self, path: str, shown: str, data: bytes, options: Iterable[Any]) -> str:
        h = hashlib.sha256()
        for part in (str(FORMAT), self._code, repr(tuple(options)), shown, os.path.abspath(path)):
            h.update(part.encode("utf-8", "surrogateescape"))
            h.update(b"\0")
        h.update(data)
        return h.hexdigest()

    def _entry(self, key: str) -> str:
        return os.path.join(self.folder, f"{key}.json")

    # ----------------------------------------------------------------- reading
    def get(self, key: str) -> Optional[list[Diagnostic]]:
        """The diagnostics kept under ``key``, if the entry is sound and what it read still holds."""
        try:
            fd = os.open(self._entry(key), os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        except OSError:
            return None
        try:
            with os.fdopen(fd, "rb") as fh:
                entry = json.loads(fh.read())
            if not isinstance(entry, dict) or entry.get("format") != FORMAT or entry.get("key") != key:
                return None
            if not self._still_holds(entry["files"], entry["probes"]):
                return None
            return [diagnostic_from_dict(o) for o in entry["diagnostics"]]
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None  # corrupt, truncated or foreign: checked again and rewritten

    def _still_holds(self, files: dict, probes: dict) -> bool:
        from .imports import probe

        for path, state in probes.items():
            if probe(path) != state:
                return False
        return all(self.digest(path) == digest for path, digest in files.items())

    def digest(self, path: str) -> Optional[str]:
        """sha256 of a file's bytes (None: unreadable), hashed once per run and file version."""
        try:
            st = os.stat(path)
        except OSError:
            return None
        stamp = (path, st.st_size, st.st_mtime_ns)
        if stamp not in self._digests:
            try:
                with open(path, "rb") as fh:
                    self._digests[stamp] = hashlib.sha256(fh.read()).hexdigest()
            except OSError:
                self._digests[stamp] = None
        return self._digests[stamp]

    # ----------------------------------------------------------------- writing
    def put(self, key: str, diagnostics: list[Diagnostic], files: dict, probes: dict, main: str) -> None:
        """Keep ``diagnostics`` under ``key`` with what the analysis read (``main``, the file itself,
        is in the key already). A failure to write is no failure of the run."""
        main = os.path.abspath(main)
        entry = {"format": FORMAT, "key": key, "files": {p: d for p, d in files.items() if p != main},
                 "probes": probes, "diagnostics": [diagnostic_to_dict(d) for d in diagnostics]}
        try:
            _write_atomic(self._entry(key), json.dumps(entry, separators=(",", ":")).encode(), self.folder)
        except (OSError, ValueError, TypeError):
            pass


def _write_atomic(target: str, data: bytes, folder: str) -> None:
    """``data`` into ``target``: a new temporary file in ``folder`` (never through a link), then
    renamed over it (a rename replaces a link itself, never what it points to)."""
    tmp = os.path.join(folder, f".tmp-{os.getpid()}-{os.urandom(6).hex()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, target)
    except BaseException:  # (Ctrl-C included: no temporary file left behind)
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def default_root(config_root: Optional[str]) -> str:
    """Where the cache lives when nothing says: ``$SHAPECHECK_CACHE_DIR``, else
    ``.shapecheck_cache`` beside the configuration file, else in the current folder."""
    env = os.environ.get(ENV_DIR)
    if env:
        return env
    return os.path.join(config_root or os.getcwd(), DEFAULT_DIR)
