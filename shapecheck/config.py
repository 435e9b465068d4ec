"""Configuration: ``[tool.shapecheck]`` in pyproject.toml, or a ``shapecheck.toml``.

```toml
[tool.shapecheck]              # in shapecheck.toml the keys stand at the top level
select = ["SHP1", "SHP301"]    # codes or prefixes; default: every rule
ignore = ["SHP502"]
exclude = ["legacy/*", "notebooks"]
keras-version = 3              # 2 or 3; default: both (what fails under Keras 2 only is a warning)
extend-ignore = ["SHP100"]     # ruff's extend-select/-ignore/-exclude/-per-file-ignores add to their base key
[tool.shapecheck.per-file-ignores]
"tests/*" = ["SHP5"]
```
Globs are relative to the folder of the file that holds them. A bad file (unknown key, wrong
type, unknown code) is a ``ConfigError`` whose one-line message names the file and the key.
"""
from __future__ import annotations

import fnmatch
import os
import re
import tomllib  # Python >= 3.11 (requires-python): the only TOML reader we may depend on
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Optional

CONFIG_NAMES = ("shapecheck.toml", "pyproject.toml")  # in one folder, shapecheck.toml wins (as ruff.toml)
KEYS = ("select", "ignore", "exclude", "per-file-ignores", "keras-version", "extend-select", "extend-ignore",
        "extend-exclude", "extend-per-file-ignores", "cache-dir")
_SELECTOR = re.compile(r"^SHP[0-9]{0,3}$")


class ConfigError(Exception):
    """A one-line reason the configuration cannot be used (the CLI exits 2 with it)."""


@dataclass(frozen=True)
class Config:
    select: Optional[tuple] = None  # selectors; None: every rule
    ignore: tuple = ()
    exclude: tuple = ()  # globs, relative to ``root``
    per_file_ignores: tuple = ()  # ((glob, (selectors...)), ...)
    keras_version: Optional[int] = None  # 2 or 3; None: both (Keras-2-only failures are warnings)
    path: Optional[str] = None  # the file it came from; None: defaults
    cache_dir: Optional[str] = None  # the result cache's folder (absolute); None: the default
    root: str = field(default_factory=os.getcwd)  # globs are relative to this folder


def known_codes() -> list:
    from .rule import all_rules

    return [r.CODE for r in all_rules()]


def check_selector(sel: str, codes: Iterable[str]) -> Optional[str]:
    """None if ``sel`` names at least one rule (a code or a prefix such as ``SHP1``), else why not."""
    if not _SELECTOR.match(sel):
        return f"{sel!r} is not a rule code or prefix (codes look like SHP101; prefixes like SHP1)"
    if not any(c.startswith(sel) for c in codes):
        return f"{sel!r} matches no rule (see `shapecheck rule all`)"
    return None


def parse_selectors(values: Iterable[str], codes: Iterable[str], where: str) -> tuple:
    """``["SHP1,SHP301", "shp502"]`` -> ``("SHP1", "SHP301", "SHP502")``; a bad one raises."""
    codes = list(codes)
    out = []
    for v in values:
        for sel in v.split(","):
            sel = sel.strip().upper()
            if not sel:
                continue
            if sel == "ALL":
                sel = "SHP"
            why = check_selector(sel, codes)
            if why:
                raise ConfigError(f"{where}: {why}")
            out.append(sel)
    return tuple(out)


def enabled_codes(codes: Iterable[str], select: Optional[Iterable[str]], ignore: Iterable[str]) -> set:
    """The codes in force: the most specific selector wins (``ignore SHP1`` + ``select SHP101``
    keeps SHP101), and on a tie ``ignore`` wins, as in ruff."""
    select = ("SHP",) if select is None else tuple(select)
    ignore = tuple(ignore)
    out = set()
    for code in codes:
        best_sel = max((len(s) for s in select if code.startswith(s)), default=-1)
        best_ign = max((len(s) for s in ignore if code.startswith(s)), default=-1)
        if best_sel >= 0 and best_sel > best_ign:
            out.add(code)
    return out


def parse_keras_version(value: object, where: str) -> int:
    """``2`` or ``3`` (an int, or a string such as "3"); anything else raises."""
    text = str(value).strip() if isinstance(value, (int, str)) and not isinstance(value, bool) else None
    if text not in ("2", "3"):
        raise ConfigError(f"{where}: expected 2 or 3, got {value!r}")
    return int(text)


def string_list(value: object, where: str) -> list:
    if isinstance(value, str):
        raise ConfigError(f"{where}: expected a list of strings, got a string (write [{value!r}])")
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: expected a list of strings, got {type(value).__name__}")
    return value


def from_table(table: dict, path: str, prefix: str) -> Config:
    """Validate one configuration table (``prefix`` is how the key is written in the message)."""
    codes = known_codes()
    for key in table:
        if key not in KEYS:
            alt = key.replace("_", "-")
            hint = f" (did you mean {alt!r}?)" if alt in KEYS else f" (known keys: {', '.join(KEYS)})"
            raise ConfigError(f"{path}: {prefix}{key}: unknown key{hint}")
    def selectors(key: str) -> tuple:
        return parse_selectors(string_list(table.get(key, []), f"{path}: {prefix}{key}"), codes,
                               f"{path}: {prefix}{key}")

    # ruff's extend-* keys add to their base key (this file has no `extend = other.toml` to inherit)
    select = None
    if "select" in table:
        select = selectors("select")
        if "extend-select" in table:
            select = select + selectors("extend-select")
    elif "extend-select" in table:
        selectors("extend-select")  # (checked; every rule is on already)
    ignore = selectors("ignore") + selectors("extend-ignore")
    exclude = tuple(string_list(table.get("exclude", []), f"{path}: {prefix}exclude")) + tuple(
        string_list(table.get("extend-exclude", []), f"{path}: {prefix}extend-exclude"))
    per_file = []
    for key in ("per-file-ignores", "extend-per-file-ignores"):
        pfi = table.get(key, {})
        if not isinstance(pfi, dict):
            raise ConfigError(f"{path}: {prefix}{key}: expected a table of glob = [codes], got {type(pfi).__name__}")
        for glob, sels in pfi.items():
            where = f"{path}: {prefix}{key}.{glob!r}"
            per_file.append((glob, parse_selectors(string_list(sels, where), codes, where)))
    keras = table.get("keras-version")
    keras_version = None if keras is None else parse_keras_version(keras, f"{path}: {prefix}keras-version")
    root = os.path.dirname(os.path.abspath(path))
    cache_dir = table.get("cache-dir")
    if cache_dir is not None:
        if not isinstance(cache_dir, str) or not cache_dir.strip():
            raise ConfigError(f"{path}: {prefix}cache-dir: expected a folder name, got {cache_dir!r}")
        cache_dir = os.path.join(root, os.path.expanduser(cache_dir))  # (relative to the configuration file)
    return Config(select=select, ignore=ignore, exclude=exclude, per_file_ignores=tuple(per_file),
                  keras_version=keras_version, path=path, root=root, cache_dir=cache_dir)


def load(path: str) -> Config:
    """Read one configuration file; a pyproject.toml without ``[tool.shapecheck]`` gives defaults."""
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except OSError as e:
        raise ConfigError(f"{path}: cannot read: {e.strerror or e}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise ConfigError(f"{path}: not valid TOML: {e}") from None
    if os.path.basename(path) == "pyproject.toml":
        tool = data.get("tool", {})
        table = tool.get("shapecheck", {}) if isinstance(tool, dict) else {}
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: tool.shapecheck: expected a table")
        return from_table(table, path, "[tool.shapecheck] ")
    if "tool" in data and isinstance(data["tool"], dict) and "shapecheck" in data["tool"] and len(data) == 1:
        # a shapecheck.toml written with the pyproject header works too
        return from_table(data["tool"]["shapecheck"], path, "[tool.shapecheck] ")
    return from_table(data, path, "")


def _has_table(pyproject: str) -> bool:
    try:
        with open(pyproject, "rb") as fh:
            raw = fh.read()
    except OSError:
        return False
    # cheap test before parsing: most pyproject.toml files have no [tool.shapecheck]
    return b"tool.shapecheck" in raw or b"[tool]" in raw


def find(start: str) -> Optional[str]:
    """The nearest configuration file in ``start`` or a folder above it."""
    cur = os.path.abspath(start)
    if not os.path.isdir(cur):
        cur = os.path.dirname(cur)
    while True:
        own = os.path.join(cur, "shapecheck.toml")
        if os.path.isfile(own):
            return own
        py = os.path.join(cur, "pyproject.toml")
        if os.path.isfile(py) and _has_table(py):
            try:
                with open(py, "rb") as fh:
                    data = tomllib.load(fh)
            except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
                return py  # let load() report it with the file's name
            tool = data.get("tool")
            if isinstance(tool, dict) and "shapecheck" in tool:
                return py
        parent = os.path.dirname(cur)
        if parent == cur:
            return None
        cur = parent


def discover(paths: Iterable[str]) -> Config:
    """The configuration for a run over ``paths``: the nearest file above their common folder."""
    absolute = [os.path.abspath(p) for p in paths] or [os.getcwd()]
    try:
        common = os.path.commonpath(absolute)
    except ValueError:  # different drives
        common = os.getcwd()
    found = find(common)
    return load(found) if found else Config()


def resolve(config_path: Optional[str], isolated: bool, paths: Iterable[str]) -> Config:
    """The configuration in force: none with ``isolated``, the named file, else the nearest one
    above ``paths`` (no paths: defaults). The CLI's run and the language server's documents alike."""
    paths = list(paths)
    if isolated or (config_path is None and not paths):
        return Config()
    if config_path is not None:
        return load(config_path)
    return discover(paths)


def enabled_for(cfg: Config, path: Optional[str], select: Optional[Iterable[str]], ignore: Iterable[str] = ()) -> set:
    """The codes in force for ``path``: ``select`` (None: the configuration's), less the
    configuration's ``ignore``, ``ignore`` and what ``per-file-ignores`` turns off for ``path``."""
    extra = ignores_for(cfg, path) if path is not None and cfg.per_file_ignores else ()
    return enabled_codes(known_codes(), cfg.select if select is None else select,
                         tuple(cfg.ignore) + tuple(ignore) + tuple(extra))


def _glob_match(rel: str, pattern: str) -> bool:
    """fnmatch where ``*`` crosses folders (as ruff's globs do for ``tests/*``), and a leading
    ``**/`` also matches at the top."""
    if pattern.startswith("./"):
        pattern = pattern[2:]
    if fnmatch.fnmatchcase(rel, pattern):
        return True
    while pattern.startswith("**/"):
        pattern = pattern[3:]
        if fnmatch.fnmatchcase(rel, pattern):
            return True
    return False


def path_matches(path: str, pattern: str, root: str) -> bool:
    """Does ``pattern`` (relative to ``root``) match ``path``: its path from ``root``, or its name."""
    rel = os.path.relpath(os.path.abspath(path), root).replace(os.sep, "/")
    if _glob_match(rel, pattern.rstrip("/")):
        return True
    if "/" not in pattern.rstrip("/"):
        return fnmatch.fnmatchcase(os.path.basename(path), pattern.rstrip("/"))
    return False


def ignores_for(cfg: Config, path: str) -> tuple:
    """Selectors that ``per-file-ignores`` turns off for ``path``."""
    out: list = []
    for glob, sels in cfg.per_file_ignores:
        if path_matches(path, glob, cfg.root):
            out.extend(sels)
    return tuple(out)
