"""Answer-option checks: numbers that overlap or leave gaps, scales that lean one way, a missing
way not to answer, and too many answers to read out. None needs the language model."""

from __future__ import annotations

import re
from collections import Counter
from typing import NamedTuple

from .context import Question
from .flags import Hit
from .metrics import WORD_RE
from .wordlists import normalise
from .wording import quote, sensitive_topics

MAX_OPTIONS_READ_ALOUD = 7  # more than 7 strains memory when read out; use a show card

_NUMBER_WORDS = {
    "none": 0, "zero": 0, "never": 0, "no": 0, "a": 1, "an": 1, "one": 1, "once": 1, "two": 2, "twice": 2,
    "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "hundred": 100,
}
# unit word -> (dimension, how many base units it holds, integer family)
# Integer families convert exactly (7 days in a week, 12 months in a year), so whole-number
# gap checks still make sense after conversion; across families only overlaps are checked.
_UNITS = {
    "hour": ("time", 1 / 24, "hours"), "hours": ("time", 1 / 24, "hours"),
    "day": ("time", 1.0, "days"), "days": ("time", 1.0, "days"),
    "night": ("time", 1.0, "days"), "nights": ("time", 1.0, "days"),
    "week": ("time", 7.0, "days"), "weeks": ("time", 7.0, "days"),
    "fortnight": ("time", 14.0, "days"), "fortnights": ("time", 14.0, "days"),
    "month": ("time", 30.4375, "months"), "months": ("time", 30.4375, "months"),
    "year": ("time", 365.25, "months"), "years": ("time", 365.25, "months"),
    "yr": ("time", 365.25, "months"), "yrs": ("time", 365.25, "months"),
}
_PER_YEAR = {"day": 365.25, "week": 365.25 / 7, "fortnight": 365.25 / 14, "month": 12.0, "year": 1.0}
_FAMILY_STEP = {"days": {1.0: 1, 7.0: 7, 14.0: 14}, "months": {30.4375: 1, 365.25: 12}, "hours": {1 / 24: 1}}

_NUM = r"(?:\d+(?:\.\d+)?|" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + r")"
_UNIT = r"(?:" + "|".join(sorted(_UNITS, key=len, reverse=True)) + r")"
_RATE = r"(?:times?\s+)?(?:a|per|each|every|in\s+a)\s+(?P<period>day|week|fortnight|month|year)"
_LOW = r"less than|fewer than|under|below|up to|no more than|not more than|in the last|in the past|within"
_HIGH = r"more than|over|above|at least|greater than"
_OPTION_RE = re.compile(
    rf"^(?:(?P<pre>{_LOW}|{_HIGH}|between)\s+)?"
    rf"(?P<cur1>[£$])?(?P<a>{_NUM})\s*(?P<u1>{_UNIT})?\s*(?P<plus>\+)?"
    rf"(?:\s*(?:-|to|and|or)\s*(?P<cur2>[£$])?(?P<b>{_NUM}))?\s*(?P<u2>{_UNIT})?\s*(?:{_RATE})?\s*"
    r"(?P<post>\+|or more|or over|and over|and above|or above|plus|or older|and older|or more often"
    r"|or less|or fewer|or under|and under|or younger|or below|or less often)?"
    r"(?:\s+(?:old|of age|times?|nights?|days?|ago))?$"
)
_EVERY_RE = re.compile(r"^(?:every|each)\s+(?P<period>day|week|fortnight|month|year)$|^(?P<adv>daily|weekly|fortnightly|monthly|yearly)$")
_ADVERB_PERIOD = {"daily": "day", "weekly": "week", "fortnightly": "fortnight", "monthly": "month", "yearly": "year"}


class Interval(NamedTuple):
    """The numbers an answer option covers, in its own unit."""

    lo: float
    hi: float
    lo_open: bool
    hi_open: bool
    dimension: str  # "count", "money", "time", "rate", or "any" for "Never"/"None" (zero)
    factor: float  # base units per unit (days for time, times a year for rates)
    family: str  # integer family: values convert exactly within one family
    text: str


def _clean(option: str) -> str:
    text = option.strip().lower().replace("\u2013", "-").replace("\u2014", "-")
    text = re.sub(r"(?<=\d),(?=\d{3}\b)", "", text)  # 1,000 -> 1000
    text = re.sub(r"\s*-\s*", " - ", text)
    return re.sub(r"\s+", " ", text).strip(" .!?:;")


def _number(value: str) -> float:
    return float(_NUMBER_WORDS[value]) if value in _NUMBER_WORDS else float(value)


def parse_option(option: str) -> Interval | None:
    """Return the interval an answer option covers ("18-24", "Under 18", "50+", "Once a week",
    "More than 10 years"), or None when it is not a number answer."""
    text = _clean(option)
    if not text:
        return None
    if text in ("never", "none", "no times", "zero", "0 times", "not at all"):
        return Interval(0, 0, False, False, "any", 1.0, "any", option.strip())
    every = _EVERY_RE.match(text)
    if every:
        period = every.group("period") or _ADVERB_PERIOD[every.group("adv")]
        return Interval(1, 1, False, False, "rate", _PER_YEAR[period], period, option.strip())
    m = _OPTION_RE.match(text)
    if not m:
        return None
    if m.group("a") in ("a", "an", "no") and not (m.group("u1") or m.group("u2") or m.group("period")):
        return None
    a = _number(m.group("a"))
    b = _number(m.group("b")) if m.group("b") else None
    unit = m.group("u1") or m.group("u2")
    period = m.group("period")
    if period:
        dimension, factor, family = "rate", _PER_YEAR[period], period
    elif unit:
        dimension, (factor, family) = "time", _UNITS[unit][1:]
    elif m.group("cur1") or m.group("cur2"):
        dimension, factor, family = "money", 1.0, "money"
    else:
        dimension, factor, family = "count", 1.0, "count"
    pre, post = m.group("pre") or "", m.group("post") or ""
    if m.group("plus"):
        post = "+"
    lo, hi, lo_open, hi_open = a, a, False, False
    if b is not None:
        if b < a:
            return None
        lo, hi = a, b
    elif pre in ("less than", "fewer than", "under", "below"):
        # Open at zero too: next to "Never" or "0", "Less than once a month" means at least once.
        lo, hi, lo_open, hi_open = 0, a, True, True
    elif pre in ("up to", "no more than", "not more than"):
        lo, hi = 0, a
    elif pre in ("in the last", "in the past", "within"):
        lo, hi, lo_open = 0, a, True  # "in the last 6 months": some time ago, up to 6 months
    elif pre in ("more than", "over", "above", "greater than"):
        lo, hi, lo_open = a, float("inf"), True
    elif pre == "at least":
        lo, hi = a, float("inf")
    if post in ("+", "or more", "or over", "and over", "and above", "or above", "plus", "or older", "and older", "or more often"):
        hi = float("inf")
    elif post in ("or less", "or fewer", "or under", "and under", "or younger", "or below", "or less often"):
        lo = 0
    return Interval(lo, hi, lo_open, hi_open, dimension, factor, family, option.strip())


def _comparable(intervals: list[Interval]) -> tuple[list[Interval], bool]:
    """Return the intervals in one dimension, converted to one unit, and whether whole-number
    gap checks apply (every bound a whole number in a unit that converts exactly)."""
    counted = Counter(i.dimension for i in intervals if i.dimension != "any")
    if not counted:
        return [], False
    dimension = counted.most_common(1)[0][0]
    chosen = [i for i in intervals if i.dimension in (dimension, "any")]
    families = {i.family for i in chosen if i.dimension != "any"}
    factors = {i.factor for i in chosen if i.dimension != "any"}
    integer = len(families) == 1
    if dimension == "time" and integer and len(factors) > 1:
        family = next(iter(families))
        step = _FAMILY_STEP.get(family, {})
        integer = all(f in step for f in factors)
        unit = min(factors)
        converted = [
            i._replace(lo=i.lo * step.get(i.factor, 1) / step.get(unit, 1), hi=i.hi * step.get(i.factor, 1) / step.get(unit, 1))
            if i.dimension != "any" else i
            for i in chosen
        ]
    elif len(factors) > 1:
        # Different periods (times a week and times a month): compare as times a year, overlaps only.
        integer = False
        converted = [i._replace(lo=i.lo * i.factor, hi=i.hi * i.factor) if i.dimension != "any" else i for i in chosen]
    else:
        converted = chosen
    if integer:
        integer = all(float(v).is_integer() for i in converted for v in (i.lo, i.hi) if v != float("inf"))
    return converted, integer


def _closed(i: Interval) -> tuple[float, float]:
    lo = i.lo + 1 if i.lo_open else i.lo
    hi = i.hi - 1 if i.hi_open and i.hi != float("inf") else i.hi
    return lo, hi


_HAS_NUMBER_RE = re.compile(r"\d|\b(?:once|twice|one|two|three|four|five|six|seven|eight|nine|ten)\b", re.IGNORECASE)


def _number_pairs(q: Question) -> tuple[list[tuple[Interval, Interval]], bool]:
    if not q.options:
        return [], False
    if "number_pairs" not in q.shared:
        parsed_all = [(o, parse_option(o)) for o in q.options]
        parsed = [p for _, p in parsed_all if p is not None]
        # An answer with a number we could not read may fill the gap we would report: say nothing.
        if any(p is None and _HAS_NUMBER_RE.search(o) for o, p in parsed_all):
            parsed = []
        intervals, integer = _comparable(parsed) if len(parsed) >= 2 else ([], False)
        ordered = sorted(intervals, key=lambda i: (i.lo, i.hi))
        q.shared["number_pairs"] = (list(zip(ordered, ordered[1:])), integer)
    return q.shared["number_pairs"]


def find_overlapping_options(q: Question) -> list[Hit]:
    """Return a hit for each pair of number answers that share a value ("18-25" and "25-35")."""
    pairs, integer = _number_pairs(q)
    hits = []
    for p, n in pairs:
        if integer:
            overlap = _closed(n)[0] <= _closed(p)[1]
        else:
            overlap = n.lo < p.hi or (n.lo == p.hi and not n.lo_open and not p.hi_open)
        if overlap:
            hits.append(
                Hit(
                    None,
                    None,
                    f"The answers {quote(p.text)} and {quote(n.text)} overlap, so some people could pick both. "
                    "Consider answers that do not share any numbers.",
                )
            )
    return hits


def find_gaps_in_options(q: Question) -> list[Hit]:
    """Return a hit for each gap between number answers ("1-5" then "7-10" leaves out 6)."""
    pairs, integer = _number_pairs(q)
    hits = []
    for p, n in pairs:
        if integer:
            gap = _closed(n)[0] > _closed(p)[1] + 1
        else:
            # Without whole numbers only a missing boundary is sure: "under 6" then "over 6".
            gap = n.lo == p.hi and n.lo_open and p.hi_open
        if gap:
            hits.append(
                Hit(
                    None,
                    None,
                    f"There is a gap between {quote(p.text)} and {quote(n.text)}, so some people may have no "
                    "answer to pick. Consider adding an answer or changing the numbers.",
                )
            )
    return hits


def option_polarity(option: str, q: Question) -> str | None:
    """Return "positive", "negative" or "neutral" for a rating-scale answer, else None."""
    rules = q.rules
    # Checked in this order because "Neither satisfied nor dissatisfied" holds both kinds of
    # word, and "Not satisfied" holds a good word.
    if (rules.polarity_neutral and rules.polarity_neutral.search(option)) or normalise(option).startswith("neither"):
        return "neutral"
    if rules.polarity_negative and rules.polarity_negative.search(option):
        return "negative"
    if rules.polarity_positive and rules.polarity_positive.search(option):
        return "positive"
    return None


def _unipolar(options: list[str], q: Question) -> bool:
    """Return True for a one-sided scale ("Not at all helpful" ... "Very helpful")."""
    cores = set()
    starts_at_zero = False
    for option in options:
        text = normalise(option).strip(" .!?")
        if text.startswith("not at all") or text.startswith("not very"):
            starts_at_zero = True
        if q.rules.polarity_intensity is not None:
            text = q.rules.polarity_intensity.sub(" ", text)
        cores.add(" ".join(text.split()))
    return starts_at_zero and len(cores) == 1


_NEGATING_WORDS = frozenset("not no never nor hardly didn't don't doesn't wasn't weren't isn't aren't".split())
MIN_SCALE_VALENCE = 1.5  # VADER: a word at least this strong says which side an answer is on


def _shared_scale_word(options: list[str]) -> str | None:
    """Return the word that half or more of OPTIONS share, when the options are points on one
    scale of it ("Extremely enjoyed it", "Enjoyed it", "Did not enjoy..."), else None."""
    from .valence import valence

    counts: dict[str, int] = {}
    for option in options:
        for word in set(WORD_RE.findall(option.lower())):
            if abs(valence(word)) >= MIN_SCALE_VALENCE:
                counts[word] = counts.get(word, 0) + 1
    if not counts:
        return None
    word, n = max(counts.items(), key=lambda item: item[1])
    return word if n >= 2 and n * 2 >= len(options) else None


def _valence_polarity(option: str) -> str | None:
    """Return the side of OPTION read from the VADER lexicon: the sign of its strongest word,
    turned round by a "not"; None when no word is strong enough to say."""
    from .valence import valence

    words = WORD_RE.findall(option.lower())
    rated = [valence(w) for w in words if abs(valence(w)) >= MIN_SCALE_VALENCE]
    if not rated:
        return None
    score = max(rated, key=abs)
    if any(w in _NEGATING_WORDS for w in words):
        score = -score
    return "positive" if score > 0 else "negative"


def find_unbalanced_scale(q: Question) -> list[Hit]:
    """Return a hit when a rating scale has more good answers than bad ones, or the reverse.
    Answers none of our scale words cover ("Enjoyed it", "Did not enjoy it") are placed from the
    VADER lexicon, when half or more of them share one strong word."""
    polar = [(o, option_polarity(o, q)) for o in q.options]
    if q.options and all(p is None for _, p in polar):
        if _shared_scale_word(list(q.options)) is not None:
            polar = [(o, _valence_polarity(o)) for o in q.options]
    good = [o.strip() for o, p in polar if p == "positive"]
    bad = [o.strip() for o, p in polar if p == "negative"]
    positive, negative = len(good), len(bad)
    neutral = sum(1 for _, p in polar if p == "neutral")
    if positive == negative:
        return []
    one_sided = (positive == 0 or negative == 0) and positive + negative >= 2 and neutral >= 1
    if positive + negative < 3 and not one_sided:
        return []
    if _unipolar([o for o, p in polar if p in ("positive", "negative")], q):
        return []
    return [
        Hit(
            None,
            None,
            f"The answers have {positive} on the good side ({_quoted_list(good)}) and {negative} on the bad "
            f"side ({_quoted_list(bad)}). This may push people one way. Consider the same number on each side.",
        )
    ]


def _quoted_list(options: list[str]) -> str:
    return ", ".join(quote(o) for o in options) if options else "none"


def _opt_out_kinds(q: Question) -> set[str]:
    kinds = set()
    for option in q.options:
        text = normalise(option).strip(" .!?")
        if any(text.startswith(p) for p in q.rules.rules.opt_out_prefer_not):
            kinds.add("prefer_not")
        if any(text.startswith(p) for p in q.rules.rules.opt_out_dont_know):
            kinds.add("dont_know")
    return kinds


def find_missing_opt_out(q: Question) -> list[Hit]:
    """Return a hit when a sensitive or personal question has no "Prefer not to say", or a
    question people may not know the answer to has no "Don't know"."""
    if len(q.options) < 2:
        return []
    kinds = _opt_out_kinds(q)
    hits = []
    personal = q.rules.personal is not None and q.rules.personal.search(q.text)
    if (sensitive_topics(q) or personal) and "prefer_not" not in kinds:
        hits.append(
            Hit(
                None,
                None,
                'There is no "Prefer not to say" answer. This question is personal, so some people may not '
                "want to answer. Consider adding one.",
            )
        )
    knowledge = q.rules.dont_know_markers is not None and q.rules.dont_know_markers.search(q.text)
    if knowledge and "dont_know" not in kinds:
        hits.append(
            Hit(
                None,
                None,
                "There is no \"Don't know\" answer. Some people may not know. Consider adding one.",
            )
        )
    return hits


def find_too_many_options(q: Question) -> list[Hit]:
    """Return a hit when there are more than 7 answers to choose from (opt-outs not counted)."""
    rules = q.rules.rules
    opt_outs = rules.opt_out_prefer_not + rules.opt_out_dont_know
    substantive = [o for o in q.options if o.strip() and not any(normalise(o).startswith(p) for p in opt_outs)]
    n = len(substantive)
    if n <= MAX_OPTIONS_READ_ALOUD:
        return []
    return [
        Hit(
            None,
            None,
            f"There are {n} answers. More than {MAX_OPTIONS_READ_ALOUD} may be hard to remember when they are "
            "read out. Consider a show card, or fewer answers.",
        )
    ]
