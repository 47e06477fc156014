"""Reference-period checks: a question about what people do with no time frame, and counting over
a time too long to remember. QAS-99 (Willis and Lessler 1999), problem types 3d (reference
periods) and 4b (recall); QUAID (Graesser et al.), working memory. No language model needed."""

from __future__ import annotations

import re

from .context import Question
from .flags import Hit
from .wordlists import normalise
from .wording import quote

# A question about how often or how much people do something, or what they use now.
_BEHAVIOUR_RE = re.compile(
    r"\bhow\s+(?:often|frequently)\s+(?:do|does|have|did)\s+you\b"
    r"|\bhow\s+many\s+times\s+(?:do|does|have|did)\s+you\b"
    r"|\bhow\s+many\s+(?:\w+\s+){1,3}(?:do|does)\s+you\b"
    r"|\bhow\s+much\s+(?:\w+\s+)?(?:do|does)\s+you\s+(?:spend|drink|smoke|pay|use|eat|earn|gamble|bet|borrow)\b"
    r"|\bwhich\s+(?:brands?|kinds?|types?|\w+)\s+(?:\w+\s+){0,3}(?:do|does)\s+you\s+(?:use|buy|visit|read|watch|drink|eat|take|shop)\b",
    re.IGNORECASE,
)
# Feelings, views and habits of mind are asked about "usually"; a reference period is for behaviour.
_FEELING_RE = re.compile(
    r"\b(?:do|does)\s+you\s+(?:\w+\s+)?(?:feel|think|worry|believe|agree|find|wish|hope|want|like|enjoy|trust|notice)\b",
    re.IGNORECASE,
)
_NUMBER = r"(?:\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|few|couple of)"
_UNIT = r"(?:days?|nights?|weeks?|fortnights?|months?|years?|hours?)"
_MONTHS = r"(?:january|february|march|april|june|july|august|september|october|november|december)"
# A time named on the calendar: "November 2008", "since January", "in 2019", "1st of March".
# "May" counts only with a year or after "in"/"since", as it is also "may" the verb.
CALENDAR_RE = re.compile(
    rf"\b(?:{_MONTHS}|may)\s+(?:\d{{1,2}}(?:st|nd|rd|th)?,?\s+)?(?:19|20)\d{{2}}\b"
    rf"|\b(?:in|since|during|before|after|until|from|by)\s+(?:(?:early|late|mid)\s+)?(?:{_MONTHS}|may|(?:19|20)\d{{2}})\b"
    rf"|\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTHS}\b",
    re.IGNORECASE,
)
# Words that set the time the question is about.
TIME_FRAME_RE = re.compile(
    rf"\b(?:in|during|over|for|within)\s+the\s+(?:last|past|previous|next)\s+(?:{_NUMBER}\s+)?{_UNIT}\b"
    rf"|\b(?:last|past|this|next)\s+(?:{_NUMBER}\s+)?(?:night|{_UNIT}|weekend|term|summer|winter|christmas)\b"
    rf"|\b(?:yesterday|today|tonight|this morning|since|ago|nowadays|these days|at the moment|at present|right now|currently)\b"
    rf"|\b(?:a|per|each|every)\s+(?:day|night|week|fortnight|month|year)\b"
    rf"|\b(?:on\s+a|in\s+a|during\s+a)\s+(?:typical|usual|normal|average)\s+(?:day|night|week|month|year)\b"
    rf"|\b(?:ever|in your life|lifetime|so far)\b"
    rf"|\b(?:daily|weekly|monthly|yearly|annually)\b"
    rf"|\b(?:when you were|growing up|as a child|in your childhood)\b"
    # A stretch of time named by what happened in it: "during your first semester", "over the
    # school year", "in your first week", "throughout your stay".
    rf"|\b(?:during|in|over|throughout|for)\s+(?:the|your|this|that|each|every)\s+(?:[a-z]+\s+){{0,2}}"
    rf"(?:semester|term|school\s+year|academic\s+year|stay|visit|holidays?|vacation|pregnancy|treatment"
    rf"|placement|programme|program|course|season|quarter|shift|sentence|tenancy)\b"
    rf"|\b(?:first|second|third|final)\s+(?:day|night|week|month|year|semester|term)\b"
    rf"|{CALENDAR_RE.pattern}",
    re.IGNORECASE,
)
# Time words that set no period anyone could count in: "ever", "these days", "since".
_OPEN_ENDED = frozenset(
    "ever|in your life|lifetime|so far|since|nowadays|these days|at the moment|at present|right now|currently".split("|")
)
# A yes/no question about what the person did or was doing: "Did you vote...?", "Since January
# have you looked for a job?", "In the last four weeks, were you looking for work?". Feelings and
# views are left out, as for behaviour questions.
_DID_RE = re.compile(
    r"\b(?:did|have|has|had|were)\s+you\s+(?!(?:\w+\s+)?(?:feel|felt|think|thought|believe|believed|agree|agreed|"
    r"like|liked|enjoy|enjoyed|want|wanted|wish|hope|worry|worried|find|found)\b)",
    re.IGNORECASE,
)
# "How much do you pay for a pint?": the price of one thing, not an amount built up over time.
_PRICE_RE = re.compile(r"\b(?:pay|paid|cost|costs|spend)\b[^?]*?\bfor\s+(?:a|an|one|each|every|the\s+average)\b", re.IGNORECASE)


def has_time_frame(text: str, options: tuple[str, ...] = ()) -> bool:
    """Return True when TEXT or its answer OPTIONS set a time (a period, a rate, "ever")."""
    return bool(TIME_FRAME_RE.search(text)) or any(TIME_FRAME_RE.search(o) for o in options)


def has_set_period(text: str) -> bool:
    """Return True when TEXT names a period people can count in ("in the last 4 weeks",
    "yesterday", "November 2008"), not only an open-ended one ("ever", "these days", "since")."""
    if CALENDAR_RE.search(text):  # "since January": the bare "since" would match first below
        return True
    return any(normalise(m.group(0)) not in _OPEN_ENDED for m in TIME_FRAME_RE.finditer(text))


def asks_what_you_did(text: str) -> bool:
    """Return True for a yes/no question about what the person did or was doing ("Did you
    vote...?"), not about feelings or views."""
    return bool(_DID_RE.search(text))


def asks_about_behaviour(text: str) -> re.Match[str] | None:
    """Return the words that ask how often or how much people do something, or None (feelings
    and views do not count)."""
    if _FEELING_RE.search(text):
        return None
    return _BEHAVIOUR_RE.search(text)


def find_missing_time_frame(q: Question) -> list[Hit]:
    """Return a hit when a question asks how often or how much people do something, or what they
    use, with no time frame in the question or its answers."""
    match = asks_about_behaviour(q.text)
    if not match or has_time_frame(q.text, q.options) or _PRICE_RE.search(q.text, match.start()):
        return []
    return [
        Hit(
            match.start(),
            match.end(),
            f"{quote(q.text[match.start():match.end()])} has no time frame, so people may think of different "
            'times. Consider a set time, such as "in the last 4 weeks".',
        )
    ]


# Counting or exact amounts: the kind of answer a long period makes hard to give.
_COUNTING_RE = re.compile(
    r"\bhow\s+(?:many|often|frequently|much)\b|\bnumber\s+of\b|\bhow\s+many\s+times\b", re.IGNORECASE
)
_WORD_NUMBERS = {
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "fifteen": 15, "twenty": 20, "eighteen": 18, "twenty-four": 24, "thirty-six": 36, "forty-eight": 48,
}
_PERIOD_RE = re.compile(
    r"\b(?:last|past|previous)\s+(?P<n>\d+|[a-z]+(?:-[a-z]+)?)\s+(?P<unit>years?|months?)\b", re.IGNORECASE
)
# Periods with no end people can count from: a whole life, or childhood.
_LIFETIME_RE = re.compile(
    r"\b(?:in\s+your\s+(?:whole\s+)?life(?:time)?|ever\s+in\s+your\s+life|when\s+you\s+were\s+(?:growing\s+up|a\s+child|young|at\s+school)"
    r"|as\s+a\s+child|in\s+your\s+childhood|growing\s+up)\b",
    re.IGNORECASE,
)
# Spending over a year on everyday things: adding up twelve months of bills from memory.
_YEAR_AMOUNT_RE = re.compile(
    r"\bhow\s+much\b[^?]*\b(?:cost|spend|spent|pay|paid)\b[^?]*\b(?:last|past)\s+(?:year|12\s+months|twelve\s+months)\b",
    re.IGNORECASE,
)
LONG_PERIOD_MONTHS = 24  # counting over more than two years


def _months(number: str, unit: str) -> int | None:
    n = int(number) if number.isdigit() else _WORD_NUMBERS.get(number.lower())
    if n is None:
        return None
    return n * 12 if unit.lower().startswith("year") else n


def find_long_recall_period(q: Question) -> list[Hit]:
    """Return a hit when a question asks people to count or add up over a long time: more than two
    years, a whole life or childhood, or a year of everyday spending."""
    text = q.text
    found = None
    if _COUNTING_RE.search(text):
        for match in _PERIOD_RE.finditer(text):
            months = _months(match.group("n"), match.group("unit"))
            if months is not None and months > LONG_PERIOD_MONTHS:
                found = match
                break
        if found is None:
            found = _LIFETIME_RE.search(text)
    if found is None:
        found = _YEAR_AMOUNT_RE.search(text)
        if found is not None:
            tail = re.search(r"(?:last|past)\s+(?:year|12\s+months|twelve\s+months)", found.group(0), re.IGNORECASE)
            if tail:
                found = re.compile(re.escape(tail.group(0))).search(text, found.start())
    if found is None:
        return []
    return [
        Hit(
            found.start(),
            found.end(),
            f"{quote(text[found.start():found.end()])} is a long time to count over. People may guess. Consider a "
            'shorter time, such as "in the last 12 months", or asking about the last time.',
        )
    ]
