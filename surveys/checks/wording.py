"""Wording checks: word lists (jargon, labels, long words, vague and absolute words, sensitive
topics, abbreviations) and length. None of them needs the language model."""

from __future__ import annotations

import re

from . import metrics
from .context import Question
from .flags import Hit

LONG_QUESTION_WORDS = 25  # GOV.UK: sentences of 25 words at most
LONG_SENTENCE_WORDS = 20  # at an average of 14 words readers understand over 90%
HARD_WORD_SYLLABLES = 3  # Social Security Scotland: avoid words of three or more syllables
HARD_WORD_ZIPF = 4.0  # a long word this common is fine ("important" 5.4, "facilitate" 4.0)
VERY_COMMON_ZIPF = 5.0  # long words at least this common never count towards hard-to-read
MAX_WORDS_QUOTED = 4


def quote(text: str) -> str:
    """Return TEXT in double quotes, as every message quotes the words it is about."""
    return f'"{text}"'


def match_case(found: str, suggestion: str | None) -> str | None:
    """Return SUGGESTION with a capital first letter when FOUND starts with one."""
    if not suggestion:
        return suggestion
    if found[:1].isupper() and suggestion[:1].islower() and not (len(found) > 1 and found.isupper()):
        return suggestion[0].upper() + suggestion[1:]
    return suggestion


def find_jargon(q: Question) -> list[Hit]:
    """Return hits for service jargon, each with its plain alternative."""
    hits = []
    for start, end, term in q.matches(q.rules.jargon):
        found = q.text[start:end]
        hits.append(
            Hit(
                start,
                end,
                f"{quote(found)} is a service word that people may not know. Consider {quote(term.alternative)}.",
                match_case(found, term.suggestion),
                term.source,
            )
        )
    return hits


def find_stigmatising(q: Question) -> list[Hit]:
    """Return hits for words that label people, each with person-first words to try."""
    hits = []
    for start, end, term in q.matches(q.rules.stigmatising):
        found = q.text[start:end]
        reason = term.reason or "may label people"
        hits.append(
            Hit(
                start,
                end,
                f"{quote(found)} {reason}. Consider {quote(term.alternative)}.",
                match_case(found, term.suggestion),
                term.source,
            )
        )
    return hits


# A question turned into a noun ("What is the frequency of your use of...?"): the verb hides in a
# noun, and a "how" question says the same in fewer, plainer words (Plain English Campaign, How to
# write in plain English: use verbs, not nouns made from them).
_NOUN_QUESTION_RE = re.compile(
    r"\bwhat(?:\s+is|['\u2019]s)\s+the\s+(?P<noun>frequency|number|amount|quantity|likelihood|duration)\s+of\b",
    re.IGNORECASE,
)
_HOW_FOR_NOUN = {
    "frequency": "How often",
    "number": "How many",
    "amount": "How much",
    "quantity": "How much",
    "likelihood": "How likely",
    "duration": "How long",
}
NOUN_QUESTION_SOURCE = "Plain English Campaign, How to write in plain English (use verbs, not nouns made from them)"


def find_complex_words(q: Question) -> list[Hit]:
    """Return hits for long or formal words and wordy phrases that have a plain alternative, and
    for a question turned into a noun ("What is the frequency of...": "How often...")."""
    hits = []
    for match in _NOUN_QUESTION_RE.finditer(q.text):
        plain = _HOW_FOR_NOUN[match.group("noun").lower()]
        hits.append(
            Hit(
                match.start(),
                match.end(),
                f"{quote(match.group(0))} uses more words than it needs. Consider asking {quote(plain)}.",
                None,
                NOUN_QUESTION_SOURCE,
            )
        )
    for start, end, term in q.matches(q.rules.plain_words):
        found = q.text[start:end]
        if " " in term.forms[0].strip():
            message = f"{quote(found)} uses more words than it needs. Consider {quote(term.alternative)}."
        else:
            message = f"{quote(found)} may be hard for some people to read. Consider {quote(term.alternative)}."
        hits.append(Hit(start, end, message, match_case(found, term.suggestion), term.source))
    return hits


# Answers that only say how often in vague words ("Occasionally", "Often", "Regularly").
_VAGUE_FREQUENCY_OPTIONS = frozenset(
    "occasionally sometimes often regularly frequently rarely seldom usually hardly ever very often quite often "
    "a lot a little not often".split(" ")
) | {"hardly ever", "very often", "quite often", "a lot", "a little", "not often", "now and then", "from time to time"}


def _vague_option(option: str, q: Question) -> bool:
    """Return True for an answer that says how often or how much only in vague words: "Often",
    or "A lot more than average" (a vague word and no number)."""
    text = option.strip().rstrip(".").lower()
    if text in _VAGUE_FREQUENCY_OPTIONS:
        return True
    return not any(c.isdigit() for c in text) and any(True for _ in q.rules.vague.finditer(text))


def find_vague_quantifiers(q: Question) -> list[Hit]:
    """Return hits for vague amounts and times ("often", "recently") that people read differently,
    and for a question about what people do whose answers are only vague words for how often."""
    hits = [
        Hit(
            start,
            end,
            f"{quote(q.text[start:end])} may mean different things to different people. Consider {term.alternative}.",
        )
        for start, end, term in q.matches(q.rules.vague)
    ]
    vague = [o.strip() for o in q.options if _vague_option(o, q)]
    if len(vague) >= 2:
        from .timeframe import asks_about_behaviour

        if asks_about_behaviour(q.text):
            shown = ", ".join(quote(o) for o in vague[:MAX_WORDS_QUOTED])
            hits.append(
                Hit(
                    None,
                    None,
                    f"The answers {shown} may mean different amounts to different people. Consider numbers, "
                    'such as "1 or 2 times" or "once a week".',
                )
            )
    return hits


# Words for how often, which a question may read out as its answers ("always, sometimes, rarely
# or never?"): a list of three or more of them is a scale, not a claim that something always happens.
_HOW_OFTEN_WORD = (
    r"(?:always|almost always|nearly always|usually|most of the time|often|very often|sometimes|occasionally"
    r"|rarely|seldom|hardly ever|almost never|never)"
)
_SPOKEN_SCALE_RE = re.compile(
    rf"\b{_HOW_OFTEN_WORD}(?:\s*(?:,|/|\bor\b|\band\b)\s*(?:or\s+)?{_HOW_OFTEN_WORD}){{2,}}\b", re.IGNORECASE
)


def find_absolutes(q: Question) -> list[Hit]:
    """Return hits for absolute words ("always", "never", "everyone") that leave no middle ground.
    "always" and "never" in a scale read out in the question ("always, sometimes or never?") are
    the ends of the answers, not absolutes."""
    scales = [m.span() for m in _SPOKEN_SCALE_RE.finditer(q.text)]
    return [
        Hit(
            start,
            end,
            f'{quote(q.text[start:end])} leaves no room for "sometimes". People may answer "no" even '
            f"when it is nearly true. Consider {term.alternative}.",
        )
        for start, end, term in q.matches(q.rules.absolute)
        if not any(a <= start and end <= b for a, b in scales)
    ]


def sensitive_topics(q: Question) -> list[tuple[int, int, str]]:
    """Return (start, end, topic name) for the first mention of each sensitive topic."""
    if "topics" not in q.shared:
        seen: dict[str, tuple[int, int, str]] = {}
        for start, end, term in q.matches(q.rules.topics):
            if term.about_you and not _about_the_person(q, start):
                continue
            seen.setdefault(term.name, (start, end, term.name))
        q.shared["topics"] = sorted(seen.values())
    return q.shared["topics"]


_YOU = frozenset({"you", "your", "yours", "yourself"})


def _about_the_person(q: Question, offset: int) -> bool:
    """Return True when the words at OFFSET are about the person answering: "your income", "do
    you earn", "Do you have a religion?", but not "teacher salaries" or "your father's faith".
    Without the language model every mention counts."""
    if q.doc is None:
        return True
    tok = next((t for t in q.doc if t.idx <= offset < t.idx + max(1, len(t.text))), None)
    if tok is None:
        return True
    while not tok.tag_.startswith(("VB", "MD")):
        # The words in front of the noun: "your household's annual income", "your own salary".
        if any(t.lower_ in _YOU for t in q.doc[tok.left_edge.i : tok.i]):
            return True
        if tok.head.i == tok.i:
            return False
        tok = tok.head
    for child in tok.children:
        if child.dep_ in ("nsubj", "nsubjpass") and child.lower_ in _YOU:
            return True  # "Do you have a religion?", "How much do you earn?"
        if child.dep_ in ("acomp", "prep", "dative") and any(t.lower_ in _YOU for t in child.subtree):
            return True  # "Is religion important to you?"
    return False


def find_sensitive_topics(q: Question) -> list[Hit]:
    """Return one hit per sensitive topic, suggesting a content note and a way not to answer."""
    return [
        Hit(
            start,
            end,
            f"{quote(q.text[start:end])} is about {name}, which may upset some people. Consider a short "
            'note before the question. Also give a way to skip it, such as "Prefer not to say".',
        )
        for start, end, name in sensitive_topics(q)
    ]


# Capital letters (with digits or "&" inside, like "A&E"), two or more, maybe a plural "s"; or
# capitals with full stops ("P.S.A."), read as the same letters without them.
ACRONYM_RE = re.compile(
    r"(?<![\w&\-'\u2019.])(?:[A-Z](?:[A-Z0-9]|&(?=[A-Z]))+s?(?![\w&\-])|(?:[A-Z]\.){2,}(?![\w]))"
)
COMMON_WORD_ZIPF = 3.5  # a word in capitals this common is emphasis ("NOT"), not an abbreviation


def find_acronyms(q: Question) -> list[Hit]:
    """Return hits for abbreviations most people may not know; GP, NHS and the like pass."""
    text = q.text
    letters = [c for c in text if c.isalpha()]
    # A question typed in capitals is shouting, not a string of abbreviations.
    shouting = len(letters) >= 12 and sum(c.isupper() for c in letters) / len(letters) > 0.6
    rules = q.rules.rules
    hits = []
    for match in ACRONYM_RE.finditer(text):
        found = match.group(0).replace(".", "")
        singular = found[:-1] if found.endswith("s") and len(found) > 2 else found
        if found in rules.well_known_acronyms or singular in rules.well_known_acronyms:
            continue
        if found.casefold() in q.rules.accepted or singular.casefold() in q.rules.accepted:
            continue
        known = rules.unfamiliar_acronyms.get(found) or rules.unfamiliar_acronyms.get(singular)
        if known is not None:
            message = (
                f"{quote(match.group(0))} may not be known to everyone. It stands for {quote(known.stands_for)}. "
                f"Consider {quote(known.plain)}."
            )
        else:
            if shouting or sum(c.isalpha() for c in found) < 2:
                continue
            if metrics.zipf(found.lower()) >= COMMON_WORD_ZIPF:
                continue
            message = f"{quote(match.group(0))} may not be known to everyone. Consider writing it out in full."
        hits.append(Hit(match.start(), match.end(), message))
    return hits


def find_long_question(q: Question) -> list[Hit]:
    """Return a whole-question hit when the question has more than 25 words."""
    n = len(q.words)
    if n <= LONG_QUESTION_WORDS:
        return []
    return [
        Hit(
            None,
            None,
            f"This question has {n} words. More than {LONG_QUESTION_WORDS} words may be hard to follow. "
            "Consider cutting words, or making it two questions.",
        )
    ]


def find_long_sentences(q: Question) -> list[Hit]:
    """Return a hit for each sentence over 20 words, unless it is the whole question and the
    question is already too long (the long-question flag says the same)."""
    hits = []
    for start, end in q.sentences:
        n = len(q.words_between(start, end))
        if n <= LONG_SENTENCE_WORDS:
            continue
        if len(q.sentences) == 1 and len(q.words) > LONG_QUESTION_WORDS:
            continue
        hits.append(
            Hit(start, end, f"{quote(q.text[start:end])} has {n} words. Consider two shorter sentences.")
        )
    return hits


def _word_stats(q: Question) -> tuple[list[str], int]:
    """Return (hard words in order without repeats, number of long words that are not very common).

    A hard word has three or more syllables and is not common (zipf below 4), or is rare (zipf
    below 3) and seven letters or longer. Words in capitals, words the audience knows well
    (hostel, tenancy, methadone...), terms the group accepts, and words another check already
    flags with a plain alternative (jargon, long words, labels) do not count: those flags say
    more, and counting them twice would mark one fault two times.
    """
    if "word_stats" in q.shared:
        return q.shared["word_stats"]
    listed = [
        (start, end)
        for matcher in (q.rules.jargon, q.rules.plain_words, q.rules.stigmatising)
        for start, end, _ in q.matches(matcher)
    ]
    found: list[str] = []
    long_words = 0
    skip = q.rules.familiar_words
    accepted = q.rules.accepted
    for word, info in zip(q.words, q.infos):
        # Most words are short or very common ("different", "consider"): rule them out first.
        frequency = info.zipf
        many_syllables = info.syllables >= HARD_WORD_SYLLABLES
        if frequency >= VERY_COMMON_ZIPF or not info.has_letters:
            continue
        if not many_syllables and not (frequency < metrics.RARE_ZIPF and len(word.lower) >= 7):
            continue
        lower = word.lower
        if lower in skip or lower in accepted or q.text[word.start : word.end].isupper():
            continue
        if listed and any(a <= word.start < b for a, b in listed):
            continue
        long_words += many_syllables
        if lower in found:
            continue
        if (many_syllables and frequency < HARD_WORD_ZIPF) or (frequency < metrics.RARE_ZIPF and len(lower) >= 7):
            found.append(lower)
    q.shared["word_stats"] = (found, long_words)
    return found, long_words


def find_hard_to_read(q: Question) -> list[Hit]:
    """Return a whole-question hit when the question has several hard words.

    Judged from the words themselves, never from a readability formula alone: three or more
    hard words; or two in a short question (a fifth of its words or more); or three or more
    long words (three or more syllables, not very common) making up 30% or more of the
    words. On a long item (30 words or more) a Flesch-Kincaid grade of 11+ with two hard words
    also counts.
    """
    found, long_words = _word_stats(q)
    n = len(q.words)
    if not n:
        return []
    hard = len(found) >= 3 or (len(found) >= 2 and len(found) / n >= 0.2)
    hard = hard or (long_words >= 3 and long_words / n >= 0.3)
    if not hard:
        return []
    if found:
        shown = ", ".join(quote(w) for w in found[:MAX_WORDS_QUOTED])
        return [Hit(None, None, f"Some words may be hard to read: {shown}. Consider everyday words.")]
    return [
        Hit(
            None,
            None,
            f"{long_words} of the {n} words are long (three or more parts, or syllables). This may be hard "
            "to read. Consider shorter, everyday words.",
        )
    ]
