"""The word lists behind the checks: read from rules/*.toml, checked when loaded, compiled once.

Word lists are data so that a peer research group can read them, argue with them and add its
own. Loading fails loudly (RulesError, in plain words) when a list has a duplicate, an entry
without an alternative or a source, or a field of the wrong type, because a silently broken
list would quietly stop flagging things.
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

RULES_DIR = Path(__file__).with_name("rules")
GROUP_SOURCE = "Group's own list"

# Characters that join the words of a phrase: a space in a list entry also matches a hyphen,
# so "self harm" finds "self-harm" and "key worker" finds "key-worker".
_JOINER = r"[\s\-\u2010\u2011\u2013]+"
_APOSTROPHE = "['\u2019]"
# Whole words only: no letter, digit or hyphen just before; no letter, digit or hyphen after.
# An apostrophe is allowed after ("addict's") but not before (so "n't" is never a word start).
_BEFORE = r"(?<![\w\-\u2010\u2011'\u2019])"
_AFTER = r"(?![\w\-\u2010\u2011])"


class RulesError(ValueError):
    """A word list file is broken; the message says which file and what to fix."""


@functools.lru_cache(maxsize=16384)
def normalise(phrase: str) -> str:
    """Return PHRASE in the form used to look entries up: lower case, one space, straight '."""
    phrase = phrase.replace("\u2019", "'").casefold()
    return re.sub(r"[\s\-\u2010\u2011\u2013]+", " ", phrase).strip()


@dataclass(frozen=True)
class Term:
    """One entry of a word list: the ways it is written and what to say instead."""

    forms: tuple[str, ...]
    alternative: str
    source: str
    suggestion: str | None = None
    reason: str | None = None
    unless_prev: frozenset[str] = frozenset()
    unless_next: frozenset[str] = frozenset()
    standalone: bool = False
    name: str = ""  # used by sensitive topics: a few plain words for the message
    about_you: bool = False  # sensitive topics: only when it is the person's own (their pay, their faith)


@dataclass(frozen=True)
class Acronym:
    """An abbreviation that most people may not know, with what it stands for."""

    text: str
    stands_for: str
    plain: str


@dataclass(frozen=True)
class Rules:
    """Every word list, validated. Built once by load_rules() and never changed."""

    jargon: tuple[Term, ...]
    stigmatising: tuple[Term, ...]
    plain_words: tuple[Term, ...]
    vague: tuple[Term, ...]
    absolute: tuple[Term, ...]
    topics: tuple[Term, ...]
    personal: tuple[str, ...]
    dont_know_markers: tuple[str, ...]
    opt_out_prefer_not: tuple[str, ...]
    opt_out_dont_know: tuple[str, ...]
    well_known_acronyms: frozenset[str]
    unfamiliar_acronyms: Mapping[str, Acronym]
    design: Mapping[str, Any]
    sources: Mapping[str, str]
    familiar_words: frozenset[str] = field(default_factory=frozenset)


# ---------------------------------------------------------------------------------------------
# Loading and validation


def _read(path: Path) -> dict[str, Any]:
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError as exc:
        raise RulesError(f"The word list {path.name} is missing from {path.parent}.") from exc
    except tomllib.TOMLDecodeError as exc:
        raise RulesError(f"The word list {path.name} is not valid TOML: {exc}.") from exc


def _text(value: Any, where: str, what: str, *, required: bool = True) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise RulesError(f"{where} has no {what}. Add one.")
        return None
    if not isinstance(value, str):
        raise RulesError(f"{where}: {what} must be text in quotes.")
    return value.strip()


def _words(value: Any, where: str, what: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise RulesError(f"{where}: {what} must be a list of words in quotes.")
    return tuple(v.strip() for v in value)


def _no_duplicates(items: Iterable[str], where: str) -> None:
    seen: set[str] = set()
    for item in items:
        key = normalise(item)
        if key in seen:
            raise RulesError(f"{where} lists {item!r} twice. Remove one.")
        seen.add(key)


def _terms(entries: Any, file: str, *, need_source: bool = True, default_source: str | None = None) -> tuple[Term, ...]:
    if not isinstance(entries, list):
        raise RulesError(f"{file} must have a list of [[term]] entries.")
    terms = []
    for number, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            raise RulesError(f"{file}, entry {number} is not a table.")
        forms = _words(entry.get("match"), f"{file}, entry {number}", "match")
        if not forms:
            raise RulesError(f"{file}, entry {number} has no match words. Add at least one.")
        where = f"{file}, entry {number} ({forms[0]!r})"
        source = _text(entry.get("source"), where, "source", required=need_source and default_source is None)
        terms.append(
            Term(
                forms=forms,
                alternative=_text(entry.get("alternative"), where, "alternative") or "",
                source=source or default_source or "",
                suggestion=_text(entry.get("suggestion"), where, "suggestion", required=False),
                reason=_text(entry.get("reason"), where, "reason", required=False),
                unless_prev=frozenset(normalise(w) for w in _words(entry.get("unless_prev"), where, "unless_prev")),
                unless_next=frozenset(normalise(w) for w in _words(entry.get("unless_next"), where, "unless_next")),
                standalone=bool(entry.get("standalone", False)),
            )
        )
    _no_duplicates((f for t in terms for f in t.forms), file)
    return tuple(terms)


def _plain_words(data: dict[str, Any]) -> tuple[Term, ...]:
    lists = data.get("list")
    if not isinstance(lists, list) or not lists:
        raise RulesError("plain_words.toml must have at least one [[list]] with a source and words.")
    terms = []
    for number, block in enumerate(lists, start=1):
        where = f"plain_words.toml, list {number}"
        source = _text(block.get("source"), where, "source")
        words = block.get("words")
        if not isinstance(words, dict) or not words:
            raise RulesError(f"{where} has no [list.words] table.")
        for word, plain in words.items():
            plain = _text(plain, f"{where} ({word!r})", "plain alternative")
            terms.append(Term(forms=(word,), alternative=plain, source=source, suggestion=plain))
    _no_duplicates((t.forms[0] for t in terms), "plain_words.toml")
    return tuple(terms)


def _flag(value: Any, where: str, key: str) -> bool:
    """Return VALUE, which must be true or false."""
    if not isinstance(value, bool):
        raise RulesError(f"{where}: {key} must be true or false.")
    return value


def _topics(data: dict[str, Any]) -> tuple[Term, ...]:
    source = _text(data.get("source"), "sensitive.toml", "source")
    topics = []
    for number, entry in enumerate(data.get("topic") or [], start=1):
        where = f"sensitive.toml, topic {number}"
        name = _text(entry.get("name"), where, "name")
        forms = _words(entry.get("match"), where, "match")
        if not forms:
            raise RulesError(f"{where} has no match words. Add at least one.")
        topics.append(
            Term(
                forms=forms,
                alternative="",
                source=source,
                name=name,
                unless_prev=frozenset(normalise(w) for w in _words(entry.get("unless_prev"), where, "unless_prev")),
                unless_next=frozenset(normalise(w) for w in _words(entry.get("unless_next"), where, "unless_next")),
                about_you=_flag(entry.get("about_you", False), where, "about_you"),
            )
        )
    if not topics:
        raise RulesError("sensitive.toml has no [[topic]] entries.")
    _no_duplicates((t.name for t in topics), "sensitive.toml topic names")
    _no_duplicates((f for t in topics for f in t.forms), "sensitive.toml")
    return tuple(topics)


def _vague(data: dict[str, Any], key: str) -> tuple[Term, ...]:
    source = _text(data.get(f"{key}_source"), "vague.toml", f"{key}_source")
    return _terms(data.get(key), f"vague.toml [{key}]", default_source=source)


def _design(data: dict[str, Any]) -> dict[str, Any]:
    required = {
        "fixed_pairs": ("pairs",),
        "balanced_opposites": ("pairs",),
        "leading": ("patterns", "balanced"),
        "presupposition": ("patterns",),
        "hypothetical": ("conditional", "modal", "openings", "not_hypothetical"),
        "blaming": ("patterns",),
        "negation": ("words", "prefixed", "clause_breaks", "not_negations"),
        "polarity": ("positive", "negative", "neutral", "intensity"),
        "familiar_words": ("words",),
        "self_label": ("nouns",),
    }
    for section, keys in required.items():
        block = data.get(section)
        if not isinstance(block, dict):
            raise RulesError(f"design.toml has no [{section}] section.")
        _text(block.get("source"), f"design.toml [{section}]", "source")
        for key in keys:
            if key == "pairs" and section == "balanced_opposites":
                pairs = block.get("pairs")
                if not isinstance(pairs, list) or not all(
                    isinstance(p, list) and len(p) == 2 and all(isinstance(w, str) for w in p) for p in pairs
                ):
                    raise RulesError("design.toml [balanced_opposites] pairs must be a list of [word, word].")
                _no_duplicates((" ".join(p) for p in pairs), "design.toml [balanced_opposites]")
                continue
            values = _words(block.get(key), f"design.toml [{section}]", key)
            if not values:
                raise RulesError(f"design.toml [{section}] has no {key}.")
            _no_duplicates(values, f"design.toml [{section}] {key}")
    polarity = data["polarity"]
    for a, b in (("positive", "negative"), ("positive", "neutral"), ("negative", "neutral")):
        both = {normalise(w) for w in polarity[a]} & {normalise(w) for w in polarity[b]}
        if both:
            raise RulesError(f"design.toml [polarity] has {sorted(both)[0]!r} in both {a} and {b}. Keep it in one.")
    return data


def _acronyms(data: dict[str, Any]) -> tuple[frozenset[str], dict[str, Acronym], str]:
    source = _text(data.get("source"), "acronyms.toml", "source")
    well_known = _words(data.get("well_known"), "acronyms.toml", "well_known")
    if len(set(well_known)) != len(well_known):
        dup = next(w for w in well_known if well_known.count(w) > 1)
        raise RulesError(f"acronyms.toml well_known lists {dup!r} twice. Remove one.")
    unfamiliar: dict[str, Acronym] = {}
    for number, entry in enumerate(data.get("unfamiliar") or [], start=1):
        where = f"acronyms.toml, unfamiliar {number}"
        text = _text(entry.get("match"), where, "match")
        if text in unfamiliar:
            raise RulesError(f"acronyms.toml lists {text!r} twice. Remove one.")
        if text in well_known:
            raise RulesError(f"acronyms.toml has {text!r} as both well known and unfamiliar. Keep it in one.")
        unfamiliar[text] = Acronym(
            text=text,
            stands_for=_text(entry.get("stands_for"), where, "stands_for"),
            plain=_text(entry.get("plain"), where, "plain"),
        )
    return frozenset(well_known), unfamiliar, source


def _no_term_in_two_lists(lists: Mapping[str, Sequence[Term]]) -> None:
    # A word in two lists would get two flags with two different pieces of advice.
    owner: dict[str, str] = {}
    for list_name, terms in lists.items():
        for term in terms:
            for form in term.forms:
                key = normalise(form)
                if key in owner and owner[key] != list_name:
                    raise RulesError(
                        f"{form!r} is in both the {owner[key]} list and the {list_name} list. Keep it in one."
                    )
                owner[key] = list_name


@functools.lru_cache(maxsize=4)
def load_rules(directory: Path = RULES_DIR) -> Rules:
    """Return every word list from DIRECTORY, validated; raise RulesError naming what to fix."""
    directory = Path(directory)
    stig = _read(directory / "stigmatising.toml")
    jargon = _read(directory / "jargon.toml")
    plain = _read(directory / "plain_words.toml")
    vague = _read(directory / "vague.toml")
    sensitive = _read(directory / "sensitive.toml")
    acronyms = _read(directory / "acronyms.toml")
    design = _design(_read(directory / "design.toml"))

    stigmatising = _terms(stig.get("term"), "stigmatising.toml")
    for term in stigmatising:
        # Person-first advice without a source is an opinion: the brief asks for both.
        if not term.alternative or not term.source:
            raise RulesError(f"stigmatising.toml entry {term.forms[0]!r} needs an alternative and a source.")
    lists = {
        "stigmatising": stigmatising,
        "jargon": _terms(jargon.get("term"), "jargon.toml"),
        "plain words": _plain_words(plain),
        "vague": _vague(vague, "vague"),
        "absolute": _vague(vague, "absolute"),
    }
    _no_term_in_two_lists(lists)
    well_known, unfamiliar, acronym_source = _acronyms(acronyms)

    def phrases(section: str) -> tuple[str, ...]:
        block = sensitive.get(section)
        if not isinstance(block, dict):
            raise RulesError(f"sensitive.toml has no [{section}] section.")
        values = _words(block.get("match"), f"sensitive.toml [{section}]", "match")
        _no_duplicates(values, f"sensitive.toml [{section}]")
        return values

    opt_out = sensitive.get("opt_out")
    if not isinstance(opt_out, dict):
        raise RulesError("sensitive.toml has no [opt_out] section.")
    prefer_not = _words(opt_out.get("prefer_not"), "sensitive.toml [opt_out]", "prefer_not")
    dont_know = _words(opt_out.get("dont_know"), "sensitive.toml [opt_out]", "dont_know")
    if not prefer_not or not dont_know:
        raise RulesError("sensitive.toml [opt_out] needs both prefer_not and dont_know lists.")

    sources = {
        "vague-quantifier": _text(vague.get("vague_source"), "vague.toml", "vague_source"),
        "absolute": _text(vague.get("absolute_source"), "vague.toml", "absolute_source"),
        "sensitive-topic": _text(sensitive.get("source"), "sensitive.toml", "source"),
        "acronym": acronym_source,
    }
    for section in ("fixed_pairs", "leading", "presupposition", "hypothetical", "blaming", "negation", "polarity"):
        sources[section] = design[section]["source"]
    return Rules(
        jargon=lists["jargon"],
        stigmatising=stigmatising,
        plain_words=lists["plain words"],
        vague=lists["vague"],
        absolute=lists["absolute"],
        topics=_topics(sensitive),
        personal=phrases("personal"),
        dont_know_markers=phrases("dont_know"),
        opt_out_prefer_not=tuple(normalise(p) for p in prefer_not),
        opt_out_dont_know=tuple(normalise(p) for p in dont_know),
        well_known_acronyms=well_known,
        unfamiliar_acronyms=unfamiliar,
        design=design,
        sources=sources,
        familiar_words=frozenset(normalise(w) for w in design["familiar_words"]["words"]),
    )


# ---------------------------------------------------------------------------------------------
# Compiling lists into matchers


def phrase_pattern(phrase: str) -> str:
    """Return a regular expression (no boundaries) for PHRASE: spaces match spaces or hyphens."""
    parts = re.split(r"[\s\-\u2010\u2011\u2013]+", phrase.strip())
    return _JOINER.join(re.escape(p).replace("'", _APOSTROPHE) for p in parts if p)


_JOIN_ATOM = "\x00"  # stands for "space or hyphen" in the trie below
_APOSTROPHE_ATOM = "\x01"  # stands for a straight or curly apostrophe


def _atoms(phrase: str) -> list[str]:
    atoms: list[str] = []
    for i, part in enumerate(p for p in re.split(r"[\s\-\u2010\u2011\u2013]+", phrase.strip()) if p):
        if i:
            atoms.append(_JOIN_ATOM)
        atoms.extend(_APOSTROPHE_ATOM if c in "'\u2019" else c.lower() for c in part)
    return atoms


def _trie_regex(node: dict) -> str:
    branches = []
    for atom in sorted(a for a in node if a is not None):
        piece = _JOINER if atom == _JOIN_ATOM else _APOSTROPHE if atom == _APOSTROPHE_ATOM else re.escape(atom)
        branches.append(piece + _trie_regex(node[atom]))
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    # A phrase that ends here but also goes on ("key worker" / "key workers"): the greedy "?"
    # tries the longer one first, as a longest-first list would.
    return f"(?:{body})?" if None in node else body


def compile_phrases(phrases: Iterable[str]) -> re.Pattern[str] | None:
    """Return one case-blind regex that finds any of PHRASES as whole words, longest first.

    The phrases are merged into a trie ("key worker", "key workers", "keyworker" share "key"),
    so the regex engine drops a position after a letter or two instead of trying every phrase;
    a flat list of a few hundred alternatives costs ten times as much on every question.
    """
    trie: dict = {}
    for phrase in {p.strip() for p in phrases if p and p.strip()}:
        node = trie
        for atom in _atoms(phrase):
            node = node.setdefault(atom, {})
        node[None] = {}
    if not trie:
        return None
    return re.compile(f"{_BEFORE}{_trie_regex(trie)}{_AFTER}", re.IGNORECASE)


@dataclass(frozen=True)
class TermMatcher:
    """A compiled word list: one regex plus a lookup from the matched words to their entry."""

    pattern: re.Pattern[str] | None
    entries: Mapping[str, Term]

    @classmethod
    def build(cls, terms: Iterable[Term]) -> "TermMatcher":
        """Return a matcher for TERMS; a later term with the same form replaces an earlier one."""
        entries: dict[str, Term] = {}
        for term in terms:
            for form in term.forms:
                entries[normalise(form)] = term
        return cls(compile_phrases(entries), entries)

    def finditer(self, text: str) -> Iterable[tuple[int, int, Term]]:
        """Yield (start, end, term) for every match in TEXT, left to right, never overlapping."""
        if self.pattern is None:
            return
        for match in self.pattern.finditer(text):
            term = self.entries.get(normalise(match.group(0)))
            if term is not None:
                yield match.start(), match.end(), term


# Contractions people often type without the apostrophe ("didnt", "dont"). "cant" and "wont" are
# also words, but far rarer in a survey question than the contraction.
NO_APOSTROPHE_NEGATIONS = frozenset(
    "didnt dont doesnt isnt arent wasnt werent havent hasnt hadnt cant couldnt wouldnt shouldnt wont".split()
)
# Pattern syntax used in design.toml: a|b, *, ..., {neg}.
_NEG = r"(?:not|\w+n['\u2019]t|cannot|" + "|".join(sorted(NO_APOSTROPHE_NEGATIONS)) + ")"


def compile_design_pattern(pattern: str) -> str:
    """Return the regex for one design.toml pattern (see the comment at the top of that file)."""
    parts = []
    for token in pattern.split():
        if token == "...":
            parts.append(r"(?:[\w'\u2019\-]+\s+){0,4}?")
            continue
        if token == "*":
            alt = r"[\w'\u2019\-]+"
        elif token == "{neg}":
            alt = _NEG
        else:
            alt = "(?:" + "|".join(phrase_pattern(t) for t in token.split("|")) + ")"
        parts.append(alt + r"\s+")
    regex = "".join(parts)
    # The last word needs no following space; "..." at the end would be meaningless.
    regex = regex[: -len(r"\s+")] if regex.endswith(r"\s+") else regex
    return regex


def compile_design_patterns(patterns: Iterable[str]) -> re.Pattern[str] | None:
    """Return one case-blind regex that finds any of the design.toml PATTERNS as whole words."""
    # Longer patterns first, so "why didn't you" is quoted rather than just "why didn't".
    bodies = [compile_design_pattern(p) for p in sorted(patterns, key=len, reverse=True)]
    if not bodies:
        return None
    return re.compile(f"{_BEFORE}(?:{'|'.join(bodies)}){_AFTER}", re.IGNORECASE)


_WORD_START_OK = re.compile(_BEFORE)


@dataclass(frozen=True)
class PatternSet:
    """design.toml patterns grouped by their first word.

    Only the patterns that start with a word of the question are tried, and only at that word:
    one regex of every pattern tried at every position cost more than the rest of the checks.
    Patterns that start with "*" or "{neg}" are searched the ordinary way.
    """

    by_first_word: Mapping[str, re.Pattern[str]]
    anywhere: re.Pattern[str] | None

    @classmethod
    def build(cls, patterns: Iterable[str]) -> "PatternSet":
        """Return the grouped, compiled PATTERNS."""
        groups: dict[str, list[str]] = {}
        anywhere = []
        for pattern in patterns:
            first = pattern.split()[0]
            if first in ("*", "{neg}", "..."):
                anywhere.append(pattern)
                continue
            for alternative in first.split("|"):
                groups.setdefault(normalise(alternative).split(" ")[0], []).append(pattern)
        compiled = {}
        for word, group in groups.items():
            bodies = [compile_design_pattern(p) for p in sorted(set(group), key=len, reverse=True)]
            compiled[word] = re.compile(f"(?:{'|'.join(bodies)}){_AFTER}", re.IGNORECASE)
        return cls(compiled, compile_design_patterns(anywhere))

    def finditer(self, text: str, starts: Sequence[int], first_parts: Sequence[str]) -> list[tuple[int, int]]:
        """Return (start, end) of the matches in TEXT, left to right, never overlapping.

        STARTS and FIRST_PARTS give each word of TEXT: where it starts, and its lower-case form
        up to any hyphen (as the Question prepares them).
        """
        found = []
        lookup = self.by_first_word.get
        for start, first in zip(starts, first_parts):
            pattern = lookup(first)
            if pattern is None or not _WORD_START_OK.match(text, start):
                continue
            match = pattern.match(text, start)
            if match:
                found.append(match.span())
        if self.anywhere is not None:
            found.extend(m.span() for m in self.anywhere.finditer(text))
        found.sort()
        result: list[tuple[int, int]] = []
        for start, end in found:
            if not result or start >= result[-1][1]:
                result.append((start, end))
        return result
