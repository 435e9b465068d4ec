"""``python -m shapecheck``. Python puts the current folder first on ``sys.path`` for ``-m``: run
from inside a project, its own ``sympy.py`` or ``libcst.py`` would be imported in place of the
dependencies (and run). As pip's ``__main__`` does, that entry is dropped before anything else is
imported (``shapecheck`` itself is already loaded: its modules come from its own folder)."""
import os
import sys

if sys.path and sys.path[0] in ("", os.getcwd()):
    sys.path.pop(0)

from shapecheck.cli import main  # noqa: E402 - after the path is safe

if __name__ == "__main__":
    main()
