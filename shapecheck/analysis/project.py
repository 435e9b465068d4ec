"""Following project imports: ModuleInfo/ModuleRef/LazyName, loading files, star imports (over imports.py)."""
from __future__ import annotations

import builtins
import os
from dataclasses import dataclass
from typing import Optional

import libcst as cst

from .. import dims as D
from .. import imports
from ..ops import registry as R
from ..plugins import adjust_state
from ..values import UNKNOWN, Const, Dict, Ext, Seq, Value
from .context import Budget, Part
from .frames import UNKNOWN_KEY, UNKNOWN_STAR, Frame
from .syntax import alias_name, dotted, mutated_globals

_BUILTIN_NAMES = frozenset(dir(builtins))

MAX_MODULES = 48  # files of the project loaded for one checked file


@dataclass(eq=False)
class ModuleInfo:
    """A file of the project: the checked one, or one it imports (read and run, never imported)."""

    path: Optional[str]
    place: Optional[imports.Place]
    module: cst.Module
    ns: dict  # its global names


@dataclass(eq=False)
class ModuleRef(Value):
    """``import pkg.mod`` of a project file: attributes are its global names (or its submodules)."""

    info: ModuleInfo


@dataclass(eq=False)
class LazyName(Value):
    """``from .misc import X``: the file is read the first time ``X`` is used."""

    path: str
    name: str
    fallback: Value  # what X is when the file does not define it


class Project(Part):
    """The project files a checked file imports: read lazily, run once, never imported."""

    def load_module(self, path: str) -> Optional[ModuleInfo]:
        """Run the module code of a project file (once per checked file); None when unreadable."""
        if path in self.ctx.modules:
            return self.ctx.modules[path]
        if self.ctx.main.path is not None and path == os.path.abspath(self.ctx.main.path):
            return self.ctx.main
        if len(self.ctx.modules) >= MAX_MODULES:
            return None
        parsed = imports.parse(path)
        if parsed is None:
            self.ctx.modules[path] = None
            return None
        info = ModuleInfo(path, imports.place_of(path), parsed[0], {})
        self.ctx.modules[path] = info
        adjust_state(self.ctx.state, parsed[1])  # (an imported file may change torch's default dtype)
        saved = self.ctx.current, self.ctx.entry
        self.ctx.current, self.ctx.entry = info, None
        frame = Frame(info.ns, D.Bindings(), None, info.ns)
        try:
            for stmt in info.module.body:
                self.stmts.exec_stmt(stmt, frame)
        except (Budget, RecursionError):
            raise
        except Exception:  # noqa: BLE001 - what ran so far stays; the rest of the file is unknown
            pass
        finally:
            self.ctx.current, self.ctx.entry = saved
        for name in mutated_globals(parsed[1]):
            # a registry its functions fill (timm's ``_model_pretrained_cfgs``, filled by the
            # ``@register_model`` of every model file): its contents are not the empty literal it starts as
            v = info.ns.get(name)
            if isinstance(v, Dict):
                info.ns[name] = Dict({UNKNOWN_KEY: UNKNOWN}, v.kind)
            elif isinstance(v, Seq) and v.kind in ("list", "set"):
                info.ns[name] = Seq([UNKNOWN_STAR], v.kind)
        return info

    def star_name(self, ns: dict, name: str) -> Optional[Value]:
        """``name`` from the files ``ns`` star-imports, in import order (later ones win)."""
        found: Optional[Value] = None
        for path in self.ctx._stars.get(id(ns), ()):
            info = self.load_module(path)
            if info is None or name not in info.ns:
                continue
            public = info.ns.get("__all__")
            if isinstance(public, Seq):
                if not any(isinstance(x, Const) and x.value == name for x in public.items):
                    continue
            elif name.startswith("_"):
                continue
            found = self.resolve_lazy(info.ns[name])
        if found is not None:
            ns[name] = found
        return found

    def resolve_lazy(self, v: Value, depth: int = 0) -> Value:
        while isinstance(v, LazyName) and depth < 8:
            info = self.load_module(v.path)
            if info is None:
                return v.fallback
            if v.name in info.ns:
                v, depth = info.ns[v.name], depth + 1
                continue
            sub = self._submodule(info, v.name) or self.star_name(info.ns, v.name)
            return sub if sub is not None else v.fallback
        return UNKNOWN if isinstance(v, LazyName) else v

    def _submodule(self, info: ModuleInfo, name: str) -> Optional[Value]:
        if info.path is None or not info.path.endswith("__init__.py"):
            return None
        path = imports.file_in(os.path.dirname(info.path), name)
        sub = self.load_module(path) if path else None
        return ModuleRef(sub) if sub is not None else None

    def read_name(self, ns: dict, name: str) -> Value:
        """``ns[name]``, reading the imported file the first time a lazily imported name is used."""
        v = ns[name]
        if isinstance(v, LazyName):
            v = ns[name] = self.resolve_lazy(v)
        return v

    def module_attr(self, ref: ModuleRef, name: str) -> Value:
        info = ref.info
        if name in info.ns:
            return self.read_name(info.ns, name)
        sub = self._submodule(info, name) or self.star_name(info.ns, name)
        return sub if sub is not None else UNKNOWN

    def import_module(self, dotted: str, level: int) -> Optional[Value]:
        path = imports.resolve(self.ctx.current.place, dotted, level)
        info = self.load_module(path) if path else None
        return ModuleRef(info) if info is not None else None

    def import_from(self, s: cst.ImportFrom, frame: Frame) -> None:
        level = len(s.relative)
        mod = dotted(s.module) if s.module is not None else ""
        path = imports.resolve(self.ctx.current.place, mod, level)
        if isinstance(s.names, cst.ImportStar):
            if path:  # read when a name is not found (models/__init__.py star-imports every model)
                self.ctx._stars.setdefault(id(frame.env), []).append(path)
            elif mod and not level:  # ``from tensorflow.keras.layers import *``: what the checker knows there
                for name in R.public_names(mod):
                    if name not in _BUILTIN_NAMES:  # (``from numpy import *`` may or may not shadow sum)
                        frame.env[name] = Ext(R.canonical(f"{mod}.{name}"))
            return
        for alias in s.names:
            name = dotted(alias.name)
            fallback = UNKNOWN if level or not mod else Ext(R.canonical(f"{mod}.{name}"))
            frame.env[alias_name(alias)] = LazyName(path, name, fallback) if path else fallback
