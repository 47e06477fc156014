"""The clarity score: 0 to 100, higher is clearer. See docs/checks.md, "The score"."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from .flags import Flag

# Points taken off for each flag, by severity.
PENALTY = {"problem": 15, "warning": 7, "info": 2}
# At most this many points per code, so one long list of, say, jargon words cannot sink a
# question on its own: two flags' worth.
CAP_PER_CODE = {severity: 2 * points for severity, points in PENALTY.items()}
# Length: half a point for each word over 15, at most 10 points.
LENGTH_FREE_WORDS = 15
LENGTH_POINTS_PER_WORD = 0.5
LENGTH_MAX = 10.0
# Rare words: 20 points times the share of rare words, at most 6 points.
RARE_POINTS = 20.0
RARE_MAX = 6.0


def clarity_score(flags: Iterable[Flag], metrics: dict) -> int:
    """Return the clarity score (0-100) for a question with these FLAGS and METRICS.

    100 minus, for each code, the sum of its flags' penalties (problem 15, warning 7, info 2)
    capped at two flags' worth; minus half a point per word over 15 (at most 10); minus 20 times
    the share of rare words (at most 6). Rounded and kept between 0 and 100.
    """
    by_code: dict[str, float] = defaultdict(float)
    caps: dict[str, float] = {}
    for flag in flags:
        by_code[flag.code] += PENALTY.get(flag.severity, 0)
        caps[flag.code] = max(caps.get(flag.code, 0), CAP_PER_CODE.get(flag.severity, 0))
    flag_points = sum(min(points, caps[code]) for code, points in by_code.items())
    words = metrics.get("words") or 0
    length_points = min(LENGTH_MAX, max(0, words - LENGTH_FREE_WORDS) * LENGTH_POINTS_PER_WORD)
    rare_points = min(RARE_MAX, RARE_POINTS * (metrics.get("rare_word_share") or 0.0))
    score = 100 - flag_points - length_points - rare_points
    return int(max(0, min(100, round(score))))
