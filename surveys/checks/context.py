"""What every check gets: the question prepared once (words, sentences, parse) and the word lists
compiled once per Checker (with the group's own terms merged in)."""

from __future__ import annotations

import bisect
import dataclasses
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from . import metrics
from .wordlists import (
    GROUP_SOURCE,
    Rules,
    PatternSet,
    Term,
    TermMatcher,
    _AFTER,
    compile_phrases,
    normalise,
    phrase_pattern,
)

# Words that may follow an adjective used as a noun ("the homeless are...", "the homeless in
# Leeds"). Any other word after it, such as "hostel", makes it an ordinary adjective.
SMALL_WORDS = frozenset(
    """and or but nor who whom whose that which in on at to of for with from by about into onto
    are is were was be been being have has had do does did can could should would will may might
    must need needs get gets got as than like because when where while if so here there
    more less too also still often always never now today living sleeping face deserve
    themselves they their them you your we our i me my""".split()
)


@dataclass(frozen=True)
class CompiledRules:
    """Word lists turned into regexes and sets, once per Checker (defaults plus group terms)."""

    rules: Rules
    jargon: TermMatcher
    stigmatising: TermMatcher
    plain_words: TermMatcher
    vague: TermMatcher
    absolute: TermMatcher
    topics: TermMatcher
    personal: re.Pattern[str] | None
    dont_know_markers: re.Pattern[str] | None
    accepted: frozenset[str]
    leading: PatternSet
    leading_balanced: re.Pattern[str] | None
    presupposition: PatternSet
    blaming: PatternSet
    hypothetical_conditional: re.Pattern[str] | None
    hypothetical_modal: re.Pattern[str] | None
    hypothetical_openings: re.Pattern[str] | None
    not_hypothetical: re.Pattern[str] | None
    not_negations: re.Pattern[str] | None
    negation_words: frozenset[str]
    negation_prefixed: frozenset[str]
    clause_breaks: frozenset[str]
    fixed_pairs: frozenset[str]
    balanced_opposites: frozenset[frozenset[str]]
    polarity_positive: re.Pattern[str] | None
    polarity_negative: re.Pattern[str] | None
    polarity_neutral: re.Pattern[str] | None
    polarity_intensity: re.Pattern[str] | None
    familiar_words: frozenset[str]
    one_sided: re.Pattern[str] | None = None
    one_sided_balance: re.Pattern[str] | None = None
    not_loaded: frozenset[str] = frozenset()
    preamble_openings: re.Pattern[str] | None = None
    self_label: re.Pattern[str] | None = None

    @classmethod
    def build(
        cls,
        rules: Rules,
        extra_jargon: Mapping[str, str] | None = None,
        extra_stigmatising: Mapping[str, str] | None = None,
        accepted: Iterable[str] = (),
    ) -> "CompiledRules":
        """Return the compiled lists; the group's terms replace any default with the same words."""
        extra_jargon = dict(extra_jargon or {})
        extra_stigmatising = dict(extra_stigmatising or {})
        accepted_set = frozenset(normalise(a) for a in accepted if a and a.strip())
        # A group's own entry or acceptance wins over every default list, not just its own kind.
        overridden = accepted_set | {normalise(t) for t in extra_jargon} | {normalise(t) for t in extra_stigmatising}

        def keep(terms: Iterable[Term]) -> list[Term]:
            kept = []
            for term in terms:
                forms = tuple(f for f in term.forms if normalise(f) not in overridden)
                if forms:
                    kept.append(dataclasses.replace(term, forms=forms))
            return kept

        def group(entries: Mapping[str, str]) -> list[Term]:
            return [
                Term(forms=(t,), alternative=a.strip(), source=GROUP_SOURCE, suggestion=a.strip() or None)
                for t, a in entries.items()
                if t and t.strip() and normalise(t) not in accepted_set
            ]

        design = rules.design
        neg = design["negation"]
        hyp = design["hypothetical"]
        pol = design["polarity"]
        return cls(
            rules=rules,
            jargon=TermMatcher.build(keep(rules.jargon) + group(extra_jargon)),
            stigmatising=TermMatcher.build(keep(rules.stigmatising) + group(extra_stigmatising)),
            plain_words=TermMatcher.build(keep(rules.plain_words)),
            vague=TermMatcher.build(keep(rules.vague)),
            absolute=TermMatcher.build(keep(rules.absolute)),
            topics=TermMatcher.build(keep(rules.topics)),
            personal=compile_phrases(rules.personal),
            dont_know_markers=compile_phrases(rules.dont_know_markers),
            accepted=accepted_set,
            leading=PatternSet.build(design["leading"]["patterns"]),
            leading_balanced=compile_phrases(design["leading"]["balanced"]),
            presupposition=PatternSet.build(design["presupposition"]["patterns"]),
            blaming=PatternSet.build(design["blaming"]["patterns"]),
            hypothetical_conditional=compile_phrases(hyp["conditional"]),
            hypothetical_modal=compile_phrases(hyp["modal"]),
            hypothetical_openings=compile_phrases(hyp["openings"]),
            not_hypothetical=compile_phrases(hyp["not_hypothetical"]),
            not_negations=compile_phrases(neg["not_negations"]),
            negation_words=frozenset(normalise(w) for w in neg["words"]),
            negation_prefixed=frozenset(normalise(w) for w in neg["prefixed"]),
            clause_breaks=frozenset(normalise(w) for w in neg["clause_breaks"]),
            fixed_pairs=frozenset(normalise(p) for p in design["fixed_pairs"]["pairs"]),
            balanced_opposites=frozenset(frozenset(normalise(w) for w in p) for p in design["balanced_opposites"]["pairs"]),
            polarity_positive=compile_phrases(pol["positive"]),
            polarity_negative=compile_phrases(pol["negative"]),
            polarity_neutral=compile_phrases(pol["neutral"]),
            polarity_intensity=compile_phrases(pol["intensity"]),
            familiar_words=rules.familiar_words,
            one_sided=compile_phrases(design["leading"].get("one_sided", [])),
            one_sided_balance=compile_phrases(design["leading"].get("one_sided_balance", [])),
            not_loaded=frozenset(normalise(w) for w in design["leading"].get("not_loaded", [])),
            preamble_openings=compile_phrases(design["leading"].get("preamble_openings", [])),
            self_label=_self_label_regex(design["self_label"]["nouns"]),
        )


def _self_label_regex(nouns: Iterable[str]) -> re.Pattern[str] | None:
    """Return the regex for "Are you a/an [word] NOUN" with NOUN one of the self_label NOUNS."""
    bodies = "|".join(phrase_pattern(n) for n in sorted(set(nouns), key=len, reverse=True))
    if not bodies:
        return None
    return re.compile(rf"\b(?:are|were)\s+you\s+an?\s+(?:[\w'\u2019]+\s+)?(?:{bodies}){_AFTER}", re.IGNORECASE)


@dataclass
class Question:
    """One question prepared for the checks: offsets always refer to `text` as given."""

    text: str
    options: tuple[str, ...]
    doc: Any  # a spaCy Doc, or None when no language model is installed
    rules: CompiledRules
    words: list[metrics.Word] = field(init=False)
    infos: list[metrics.WordInfo] = field(init=False)  # syllables, frequency... of each word
    first_parts: list[str] = field(init=False)
    sentences: list[tuple[int, int]] = field(init=False)
    # Results one check works out and another reuses (e.g. the sensitive topics found).
    shared: dict[str, Any] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.words = metrics.words(self.text)
        self.infos = [metrics.word_info(w.lower) for w in self.words]
        # Each word in lower case up to any hyphen ("ex-partner" -> "ex"), to find patterns.
        self.first_parts = [i.first_part for i in self.infos]
        self._starts = [w.start for w in self.words]
        self.sentences = metrics.sentences(self.text)

    @property
    def word_starts(self) -> list[int]:
        """Return where each word starts."""
        return self._starts

    def word_index_at(self, offset: int) -> int:
        """Return the index of the first word that starts at or after OFFSET."""
        return bisect.bisect_left(self._starts, offset)

    def prev_word(self, start: int) -> metrics.Word | None:
        """Return the word just before offset START, or None."""
        i = bisect.bisect_left(self._starts, start) - 1
        return self.words[i] if i >= 0 else None

    def next_word(self, end: int) -> tuple[metrics.Word | None, str]:
        """Return (the word just after offset END or None, the characters in between)."""
        i = bisect.bisect_left(self._starts, end)
        if i >= len(self.words):
            return None, self.text[end:]
        return self.words[i], self.text[end : self.words[i].start]

    def words_between(self, start: int, end: int) -> list[metrics.Word]:
        """Return the words that start inside [START, END)."""
        return self.words[bisect.bisect_left(self._starts, start) : bisect.bisect_left(self._starts, end)]

    def sentence_of(self, offset: int) -> tuple[int, int]:
        """Return the (start, end) of the sentence holding OFFSET (the whole text if none)."""
        for a, b in self.sentences:
            if a <= offset < b:
                return a, b
        return 0, len(self.text)

    def matches(self, matcher: TermMatcher) -> list[tuple[int, int, Term]]:
        """Return (start, end, term) for each match of MATCHER that its entry's conditions allow."""
        key = ("matches", id(matcher))
        if key in self.shared:
            return self.shared[key]
        found = []
        for start, end, term in matcher.finditer(self.text):
            if term.unless_prev or term.unless_next or term.standalone:
                if not self._context_allows(start, end, term):
                    continue
            found.append((start, end, term))
        self.shared[key] = found
        return found

    def _context_allows(self, start: int, end: int, term: Term) -> bool:
        if term.unless_prev:
            prev = self.prev_word(start)
            if prev is not None and prev.lower in term.unless_prev and not _has_stop(self.text[prev.end : start]):
                return False
        if term.unless_next or term.standalone:
            nxt, gap = self.next_word(end)
            joined = nxt is not None and not _has_stop(gap)
            if term.unless_next and joined and nxt.lower in term.unless_next:
                return False
            if term.standalone and joined and (gap.strip() in ("-", "\u2010", "\u2011") or nxt.lower not in SMALL_WORDS):
                return False
        return True


_STOP_RE = re.compile(r"[.,;:!?()\[\]\"\u201c\u201d/]")


def _has_stop(gap: str) -> bool:
    """Return True when GAP (text between two words) holds punctuation that separates them."""
    return bool(_STOP_RE.search(gap))
