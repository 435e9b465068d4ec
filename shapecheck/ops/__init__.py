"""Shape rules by API family; importing this package registers them all.

Every module under this package (subpackages included) is imported once, in name order, by
``load_all``: a family registers its rules as a side effect of being imported, and a module
that registers nothing (``registry``, ``common``) costs nothing more to import. Families are
discovered, never listed by hand, so a new module or subpackage cannot be forgotten; and since
registering one name twice fails (``registry.shape_rule``), the import order cannot pick a
winner.
"""
from __future__ import annotations

import importlib
import pkgutil


def load_all() -> None:
    """Import every module of this package and of its subpackages."""
    for info in sorted(pkgutil.walk_packages(__path__, prefix=f"{__name__}."), key=lambda i: i.name):
        importlib.import_module(info.name)


load_all()
