"""The Checker: runs every registered check on a question or a whole survey and scores it."""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from . import metrics as metrics_module
from . import model as model_module
from .context import CompiledRules, Question
from .flags import SEVERITIES, Flag, Hit
from .registry import CODES, SUPPRESSED_BY
from . import specificity
from .score import clarity_score
from .wordlists import load_rules, normalise

MAX_TEXT_CHARS = 5000  # the command line refuses longer questions; the library copes with any length
# Texts sent to spaCy together in one nlp.pipe call.
PIPE_BATCH_SIZE = 256
# Longer texts are not parsed (the grammar checks skip them); no survey question is this long.
MAX_PARSE_CHARS = 100_000


@dataclass(frozen=True, eq=False)
class GroupTerms:
    """A peer research group's own words: extra jargon and labels (term -> what to say instead),
    terms it accepts (never flagged), and flags it has dismissed (code, quoted words).

    Hashable, so a Checker can be cached per set of terms.
    """

    extra_jargon: Mapping[str, str] = field(default_factory=dict)
    extra_stigmatising: Mapping[str, str] = field(default_factory=dict)
    accepted: frozenset[str] = frozenset()
    dismissed: frozenset[tuple[str, str]] = frozenset()

    def __post_init__(self) -> None:
        # Copy into plain types so later changes to the caller's dicts cannot change a cached Checker.
        object.__setattr__(self, "extra_jargon", dict(self.extra_jargon or {}))
        object.__setattr__(self, "extra_stigmatising", dict(self.extra_stigmatising or {}))
        object.__setattr__(self, "accepted", frozenset(self.accepted or ()))
        object.__setattr__(self, "dismissed", frozenset(tuple(d) for d in (self.dismissed or ())))

    def key(self) -> tuple:
        """Return a hashable value that is equal for equal sets of terms."""
        return (
            tuple(sorted(self.extra_jargon.items())),
            tuple(sorted(self.extra_stigmatising.items())),
            tuple(sorted(self.accepted)),
            tuple(sorted(self.dismissed)),
        )

    def __hash__(self) -> int:
        return hash(self.key())

    def __eq__(self, other: object) -> bool:
        return isinstance(other, GroupTerms) and self.key() == other.key()


@dataclass
class QuestionReport:
    """The result for one question: its score, figures and flags (dismissed flags kept apart)."""

    text: str
    options: list[str]
    score: int
    metrics: dict
    flags: list[Flag]
    dismissed_flags: list[Flag] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Return {"text", "score", "metrics", "flags"} as plain values, ready for JSON."""
        return {
            "text": self.text,
            "score": self.score,
            "metrics": dict(self.metrics),
            "flags": [f.to_dict() for f in self.flags],
        }

    @property
    def problem_count(self) -> int:
        """Return how many flags are problems."""
        return sum(1 for f in self.flags if f.severity == "problem")

    @property
    def counts_by_severity(self) -> dict[str, int]:
        """Return {"info": n, "warning": n, "problem": n} for the flags."""
        counts = {s: 0 for s in SEVERITIES}
        for f in self.flags:
            counts[f.severity] += 1
        return counts


Item = str | tuple | Mapping[str, Any]


def _item_parts(item: Item) -> tuple[str, Sequence[str] | None, Iterable[tuple[str, str]]]:
    if isinstance(item, str):
        return item, None, ()
    if isinstance(item, Mapping):
        return item.get("text", ""), item.get("options"), item.get("dismissed", ())
    parts = tuple(item)
    text = parts[0] if parts else ""
    options = parts[1] if len(parts) > 1 else None
    dismissed = parts[2] if len(parts) > 2 else ()
    return text, options, dismissed or ()


# Half of a UTF-16 character pair on its own ("\ud800"): no real text holds one, but JSON
# escapes and some ways of reading bytes can make one, and it cannot be written as UTF-8.
_LONE_SURROGATE_RE = re.compile("[\ud800-\udfff]")
REPLACEMENT_CHARACTER = "\ufffd"


def without_lone_surrogates(text: str) -> str:
    """Return TEXT with each lone surrogate replaced by U+FFFD, one character for one, so every
    offset into the text stays the same."""
    return _LONE_SURROGATE_RE.sub(REPLACEMENT_CHARACTER, text) if _LONE_SURROGATE_RE.search(text) else text


def _clean_options(options: Sequence[str] | None) -> tuple[str, ...]:
    if options is None:
        return ()
    if isinstance(options, str):
        raise TypeError("Answer options must be a list of texts, not one text.")
    return tuple(without_lone_surrogates(o if isinstance(o, str) else str(o)) for o in options if o is not None)


class Checker:
    """Runs every registered check. Build it once (get_checker() caches one per set of group
    terms); it loads the English model once and compiles the word lists once."""

    def __init__(self, terms: GroupTerms | None = None, model: str | None = None) -> None:
        self.terms = terms or GroupTerms()
        self.rules = CompiledRules.build(
            load_rules(),
            extra_jargon=self.terms.extra_jargon,
            extra_stigmatising=self.terms.extra_stigmatising,
            accepted=self.terms.accepted,
        )
        self.nlp, self.model_name = model_module.get_pipeline(model)
        self._lock = threading.Lock()  # spaCy pipelines are not promised to be thread-safe
        self._checks = [c for c in CODES.values() if self.nlp is not None or not c.needs_parser]

    @property
    def disabled_checks(self) -> list[str]:
        """Return the codes switched off because no English language model is installed."""
        if self.nlp is not None:
            return []
        return [c.code for c in CODES.values() if c.needs_parser]

    @property
    def disabled_reason(self) -> str | None:
        """Return a plain sentence saying which checks are off and why, or None when all run."""
        off = self.disabled_checks
        if not off:
            return None
        return (
            "Grammar checks are off because the English language model is not installed: "
            + ", ".join(off)
            + "."
        )

    # ---------------------------------------------------------------------------------------

    def check(self, text: str, options: Sequence[str] | None = None, dismissed: Iterable[tuple[str, str]] = ()) -> QuestionReport:
        """Return the report for one question (wording plus optional answer options)."""
        return self.check_many([(text, options, dismissed)])[0]

    def check_many(self, items: Iterable[Item]) -> list[QuestionReport]:
        """Return one report per item, in order, parsing every text in ONE nlp.pipe call.

        An item is a text, a (text, options) or (text, options, dismissed) tuple, or a dict with
        "text" and optional "options" and "dismissed".
        """
        parts = [_item_parts(item) for item in items]
        for text, _, _ in parts:
            if not isinstance(text, str):
                raise TypeError("Each question must be text.")
        parts = [(without_lone_surrogates(text), options, dismissed) for text, options, dismissed in parts]
        texts = [p[0] for p in parts]
        docs: list[Any] = [None] * len(texts)
        # A text too long to parse in reasonable time still gets every other check.
        parse = [i for i, t in enumerate(texts) if len(t) <= MAX_PARSE_CHARS]
        if self.nlp is not None and len(parse) == 1:
            # One text: calling the pipeline directly skips nlp.pipe's batching machinery.
            with self._lock:
                docs[parse[0]] = self.nlp(texts[parse[0]])
        elif self.nlp is not None and parse:
            with self._lock:
                for i, doc in zip(parse, self.nlp.pipe([texts[i] for i in parse], batch_size=PIPE_BATCH_SIZE)):
                    docs[i] = doc
        return [
            self._report(text, _clean_options(options), doc, dismissed)
            for (text, options, dismissed), doc in zip(parts, docs)
        ]

    def _report(self, text: str, options: tuple[str, ...], doc: Any, dismissed: Iterable[tuple[str, str]]) -> QuestionReport:
        q = Question(text, options, doc, self.rules)
        figures = metrics_module.question_metrics(text, q.words, q.sentences, q.infos)
        figures["parse_depth"] = metrics_module.parse_depth(doc)
        q.shared["metrics"] = figures
        flags: list[Flag] = []
        for check in self._checks:
            if doc is None and check.needs_parser:
                continue
            for hit in check.run(q):
                flag = self._flag(check.code, hit, text)
                if flag is not None:
                    flags.append(flag)
        flags = self._tidy(flags)
        dismissed_keys = {(c, normalise(quoted)) for c, quoted in self.terms.dismissed}
        dismissed_keys |= {(c, normalise(quoted)) for c, quoted in dismissed}
        kept = [f for f in flags if (f.code, normalise(f.quoted)) not in dismissed_keys]
        gone = [f for f in flags if (f.code, normalise(f.quoted)) in dismissed_keys]
        return QuestionReport(
            text=text,
            options=list(options),
            score=clarity_score(kept, figures, specificity.found(q)),
            metrics=figures,
            flags=kept,
            dismissed_flags=gone,
        )

    def _flag(self, code: str, hit: Hit, text: str) -> Flag | None:
        check = CODES[code]
        start, end = hit.start, hit.end
        quoted = ""
        if start is not None and end is not None:
            if not (0 <= start < end <= len(text)):
                return None  # never hand out offsets outside the text
            quoted = text[start:end]
            if quoted.casefold() in self.rules.accepted or normalise(quoted) in self.rules.accepted:
                return None
        else:
            start = end = None
        return Flag(
            code=code,
            severity=check.severity,
            start=start,
            end=end,
            message=hit.message,
            suggestion=hit.suggestion,
            why=check.why,
            source=hit.source or check.source,
            quoted=quoted,
        )

    @staticmethod
    def _tidy(flags: list[Flag]) -> list[Flag]:
        """Return FLAGS without repeats and without flags a stronger flag on the same words covers,
        ordered by position (whole-question and option flags last)."""
        unique: dict[tuple, Flag] = {}
        for f in flags:
            unique.setdefault((f.code, f.start, f.end, f.message), f)
        flags = list(unique.values())
        kept = []
        for f in flags:
            stronger = SUPPRESSED_BY.get(f.code, ())
            if stronger and f.start is not None and any(
                o.code in stronger and o.start is not None and o.start < f.end and f.start < o.end for o in flags
            ):
                continue
            kept.append(f)
        order = {code: i for i, code in enumerate(CODES)}
        return sorted(kept, key=lambda f: (f.start is None, f.start or 0, order[f.code]))


@functools.lru_cache(maxsize=16)
def _cached_checker(terms: GroupTerms, model: str | None) -> Checker:
    return Checker(terms, model)


def get_checker(terms: GroupTerms | None = None, model: str | None = None) -> Checker:
    """Return a Checker for these group TERMS, built once and reused (the spaCy pipeline itself is
    shared by every Checker on the same model)."""
    return _cached_checker(terms or GroupTerms(), model)


def check_question(text: str, options: Sequence[str] | None = None, terms: GroupTerms | None = None) -> QuestionReport:
    """Return the report for one question, using the cached Checker for TERMS."""
    return get_checker(terms).check(text, options)


def check_survey(items: Iterable[Item], terms: GroupTerms | None = None) -> list[QuestionReport]:
    """Return one report per question of a survey, parsed in one batch."""
    return get_checker(terms).check_many(items)


def apply_suggestion(text: str, flag: Flag) -> str:
    """Return TEXT with the flagged words replaced by the flag's suggestion.

    Raises ValueError (plain words) when the flag has no suggestion or no place in the text, or
    when the text has changed since it was checked.
    """
    if flag.suggestion is None:
        raise ValueError("This flag has no suggested words to use.")
    if flag.start is None or flag.end is None:
        raise ValueError("This flag is about the whole question, so there are no words to swap.")
    if not (0 <= flag.start < flag.end <= len(text)) or (flag.quoted and text[flag.start : flag.end] != flag.quoted):
        raise ValueError("The question has changed since it was checked. Check it again first.")
    return text[: flag.start] + flag.suggestion + text[flag.end :]
