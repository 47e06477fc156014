"""What makes a question specific, for the score: a time frame on a question about what people do,
number answers that cover every case once, and a way not to answer a sensitive question."""

from __future__ import annotations

import re

from .context import Question

_SKIP_TEXT_RE = re.compile(
    r"\b(?:you can skip|you don't have to answer|you do not have to answer|skip this|prefer not to say|"
    r"you can leave (?:it|this) (?:out|blank)|you can choose not to answer)\b",
    re.IGNORECASE,
)
_COUNTING_RE = re.compile(r"\bhow\s+(?:many|often|much)\b", re.IGNORECASE)


_BE = frozenset({"are", "were", "am", "'re"})
_LABEL_HEADS = frozenset({"person", "type"})


def asks_for_a_label(q: Question) -> bool:
    """Return True when Q asks people to put a label on themselves instead of asking what they
    do: "Are you a drinker?" (a label from design.toml [self_label], found in the words), or
    "Are you a gun person?" ("you" as the subject of "be" and "a NOUN person/type" as what you
    are, found from the parse; the checker's pipeline has a tagger but no attribute ruler, so
    nouns are found by their tag)."""
    if q.rules.self_label is not None and q.rules.self_label.search(q.text):
        return True
    if q.doc is None:
        return False
    for token in q.doc:
        if token.lower_ not in _LABEL_HEADS or token.dep_ not in ("attr", "conj"):
            continue
        if not any(c.dep_ == "compound" and c.tag_.startswith("NN") for c in token.children):
            continue  # "a religious person" describes; "a gun person" labels
        be = token.head
        while be.dep_ in ("attr", "conj") and be.head is not be:  # "a cat or a dog person"
            be = be.head
        if be.lower_ in _BE and any(c.dep_ == "nsubj" and c.lower_ == "you" for c in be.children):
            return True
    return False


def found(q: Question) -> list[str]:
    """Return the kinds of specificity Q has: "time_frame", "complete_options", "opt_out", and
    "self_label" (a label question, which takes points off)."""
    from . import options, timeframe, wording

    kinds = []
    if (timeframe.asks_about_behaviour(q.text) or _COUNTING_RE.search(q.text)) and timeframe.has_time_frame(
        q.text, q.options
    ):
        kinds.append("time_frame")
    elif timeframe.asks_what_you_did(q.text) and timeframe.has_set_period(q.text):
        # "Did you vote in the November 2008 election?" over "...in the last election?": a set
        # period on a question about what someone did; "ever" or "since" alone is not one.
        kinds.append("time_frame")
    if len(q.options) >= 3:
        pairs, _integer = options._number_pairs(q)
        if len(pairs) >= 2 and not options.find_overlapping_options(q) and not options.find_gaps_in_options(q):
            kinds.append("complete_options")
    sensitive = wording.sensitive_topics(q) or (q.rules.personal is not None and q.rules.personal.search(q.text))
    if sensitive and ("prefer_not" in options._opt_out_kinds(q) or _SKIP_TEXT_RE.search(q.text)):
        kinds.append("opt_out")
    if asks_for_a_label(q):
        kinds.append("self_label")
    return kinds
