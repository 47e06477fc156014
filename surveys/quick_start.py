"""Start the command line without loading pandas and numpy that nothing asked for.

sqlite-utils imports pandas and numpy when they are installed, only to know how to store their
number and date types. The command line never hands it those types, and loading pandas costs
about half a second of every command's start (more on a busy laptop): most of the time of a
quick command such as `import-xlsform`. So the command line imports sqlite-utils with those two
hidden; any later `import pandas` or `import numpy` (the `report` command, openpyxl) works as
usual.
"""

from __future__ import annotations

import contextlib
import importlib.abc
import sys
from collections.abc import Iterator


class _Hidden(importlib.abc.MetaPathFinder):
    """An import finder that says the named top-level packages are not installed."""

    def __init__(self, names: tuple[str, ...]) -> None:
        self.names = names

    def find_spec(self, fullname, path, target=None):  # noqa: ANN001 - the finder protocol
        if fullname.split(".")[0] in self.names:
            raise ModuleNotFoundError(f"{fullname} is left out at start-up", name=fullname)
        return None


@contextlib.contextmanager
def hidden(*names: str) -> Iterator[None]:
    """Within the block, importing any of NAMES (not already imported) fails as if not installed."""
    finder = _Hidden(names)
    sys.meta_path.insert(0, finder)
    try:
        yield
    finally:
        sys.meta_path.remove(finder)


def import_sqlite_utils() -> None:
    """Import sqlite-utils without its optional pandas and numpy support."""
    if "sqlite_utils" in sys.modules:
        return
    with hidden("pandas", "numpy"):
        import sqlite_utils  # noqa: F401


__all__ = ["hidden", "import_sqlite_utils"]
