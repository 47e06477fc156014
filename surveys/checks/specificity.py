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


def found(q: Question) -> list[str]:
    """Return the kinds of specificity Q has: "time_frame", "complete_options", "opt_out"."""
    from . import options, timeframe, wording

    kinds = []
    if (timeframe.asks_about_behaviour(q.text) or _COUNTING_RE.search(q.text)) and timeframe.has_time_frame(
        q.text, q.options
    ):
        kinds.append("time_frame")
    if len(q.options) >= 3:
        pairs, _integer = options._number_pairs(q)
        if len(pairs) >= 2 and not options.find_overlapping_options(q) and not options.find_gaps_in_options(q):
            kinds.append("complete_options")
    sensitive = wording.sensitive_topics(q) or (q.rules.personal is not None and q.rules.personal.search(q.text))
    if sensitive and ("prefer_not" in options._opt_out_kinds(q) or _SKIP_TEXT_RE.search(q.text)):
        kinds.append("opt_out")
    return kinds
