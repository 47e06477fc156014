"""How strongly a word takes a side: the VADER sentiment lexicon (Hutto and Gilbert 2014).

VADER rates 7,500 English words from -4 (very bad) to +4 (very good), each the mean of ten
people's ratings. The leading-question check uses it to find describing words that praise or
blame the thing asked about ("our excellent service", "rude people"), which a list of our own
would never cover. Only the lexicon file of the `vadersentiment` package is read (MIT licence);
its sentiment analyser is not used.
"""

from __future__ import annotations

import functools
from importlib import resources

LEXICON_PACKAGE = "vaderSentiment"
LEXICON_FILE = "vader_lexicon.txt"


@functools.lru_cache(maxsize=1)
def lexicon() -> dict[str, float]:
    """Return {word: mean rating} from the VADER lexicon, read once; {} when it is not installed."""
    try:
        text = resources.files(LEXICON_PACKAGE).joinpath(LEXICON_FILE).read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError):
        return {}
    ratings: dict[str, float] = {}
    for line in text.splitlines():
        parts = line.split("\t")
        if len(parts) >= 2:
            try:
                ratings[parts[0]] = float(parts[1])
            except ValueError:
                continue
    return ratings


def valence(word: str) -> float:
    """Return the VADER rating of lower-case WORD, or 0.0 when it has none."""
    return lexicon().get(word, 0.0)
