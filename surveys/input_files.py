"""Checking a file someone picked before anything reads it: there, not empty, not too big.

A spreadsheet (.xlsx) is a zip of text files, packed small: a 1.6 MB file can unpack to 1.6 GB
and take all the laptop's memory when a reader opens it. So the sizes of what is inside are
added up first, from the zip's own list, before any reader opens the file.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from surveys.storage.core import InvalidInput

MAX_FILE_BYTES = 20 * 1024 * 1024
# What a spreadsheet may unpack to. A real 20 MB spreadsheet unpacks to about 100-150 MB.
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
ZIP_START = b"PK\x03\x04"
MEGABYTE = 1024 * 1024


def check_input_file(path: Path, *, what: str, error: type[InvalidInput] = InvalidInput,
                     max_bytes: int = MAX_FILE_BYTES, too_big_hint: str = "",
                     max_unpacked_bytes: int = MAX_UNPACKED_BYTES) -> None:
    """Raise ERROR with a plain reason unless PATH is a file with something in it, within MAX_BYTES.

    WHAT names the file in messages ("an answers file", "a form file"); checking the size
    first means a huge file is refused before any reader loads it into memory. A spreadsheet
    must also unpack to at most MAX_UNPACKED_BYTES.
    """
    if not path.exists() or not path.is_file():
        raise error(f"There is no file at {path}. Check the name.")
    if is_live_database_file(path):
        raise error(f"{path.name} is a database file that is in use, not {what}. Pick {what} again.")
    size = path.stat().st_size
    if size == 0:
        raise error(f"{path.name} is empty. Pick {what} again.")
    if size > max_bytes:
        raise error(
            f"{path.name} is too big ({size // MEGABYTE} MB). {what[0].upper()}{what[1:]} can be at most "
            f"{max_bytes // MEGABYTE} MB.{(' ' + too_big_hint) if too_big_hint else ''}"
        )
    check_unpacked_size(path, what=what, error=error, max_unpacked_bytes=max_unpacked_bytes)


def is_live_database_file(path: Path) -> bool:
    """Return True when PATH is an SQLite database in use (a -wal or -shm file beside it) or one of
    those files, found with os.stat only.

    Such a file must never be opened with Python's open(): closing the handle drops SQLite's
    locks for every connection this process has on it (docs/architecture.md).
    """
    name = path.name
    for suffix in ("-wal", "-shm", "-journal"):
        if name.endswith(suffix) and path.with_name(name[: -len(suffix)]).exists():
            return True
    return any(path.with_name(name + suffix).exists() for suffix in ("-wal", "-shm", "-journal"))


def check_unpacked_size(path: Path, *, what: str, error: type[InvalidInput] = InvalidInput,
                        max_unpacked_bytes: int = MAX_UNPACKED_BYTES) -> None:
    """Raise ERROR when the spreadsheet at PATH would unpack to more than MAX_UNPACKED_BYTES.

    Looks at the file's first bytes, not its name, so a packed file renamed to .xls or .csv is
    checked too. An old .xls file is not packed: its size on disk is about what it needs, and
    that is already checked. Other files are left to their readers, which say what is wrong.
    """
    with open(path, "rb") as handle:
        start = handle.read(8)
    if start.startswith(ZIP_START):
        try:
            with zipfile.ZipFile(path) as archive:
                unpacked = sum(member.file_size for member in archive.infolist())
        except (zipfile.BadZipFile, OSError) as exc:
            raise error(f"{path.name} could not be opened as a spreadsheet. It may be damaged.") from exc
        if unpacked > max_unpacked_bytes:
            raise error(
                f"{path.name} is packed small, but opening it would need {unpacked // MEGABYTE:,} MB. "
                f"{what[0].upper()}{what[1:]} can need at most {max_unpacked_bytes // MEGABYTE} MB, "
                "so it was not opened."
            )
