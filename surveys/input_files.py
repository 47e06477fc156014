"""Checking a file someone picked before anything reads it: there, not empty, not too big."""

from __future__ import annotations

from pathlib import Path

from surveys.storage.core import InvalidInput

MAX_FILE_BYTES = 20 * 1024 * 1024


def check_input_file(path: Path, *, what: str, error: type[InvalidInput] = InvalidInput,
                     max_bytes: int = MAX_FILE_BYTES, too_big_hint: str = "") -> None:
    """Raise ERROR with a plain reason unless PATH is a file with something in it, within MAX_BYTES.

    WHAT names the file in messages ("an answers file", "a form file"); checking the size
    first means a huge file is refused before any reader loads it into memory.
    """
    if not path.exists() or not path.is_file():
        raise error(f"There is no file at {path}. Check the name.")
    size = path.stat().st_size
    if size == 0:
        raise error(f"{path.name} is empty. Pick {what} again.")
    if size > max_bytes:
        megabytes = 1024 * 1024
        raise error(
            f"{path.name} is too big ({size // megabytes} MB). {what[0].upper()}{what[1:]} can be at most "
            f"{max_bytes // megabytes} MB.{(' ' + too_big_hint) if too_big_hint else ''}"
        )
