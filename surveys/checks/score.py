"""The clarity score: 0 to 100, higher is clearer. See docs/checks.md, "The score".

Three parts, each with its evidence in docs/checks.md:
- flags: points off for what the checks found (problem 15, warning 7, info 2; capped per code);
- plainness: a continuous part from length, rare words, long words and how deep the grammar
  nests, so two wordings without flags are still told apart;
- specificity: points back for what methodologists ask for and a plainness count would punish:
  a time frame on a question about what people do, number answers that cover every case once,
  and a way not to answer a sensitive question; and points off for asking people to put a label
  on themselves instead of what they do.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from .flags import Flag

# Points taken off for each flag, by severity.
PENALTY = {"problem": 15, "warning": 7, "info": 2}
# At most this many points per code, so one long list of, say, jargon words cannot sink a
# question on its own: two flags' worth.
CAP_PER_CODE = {severity: 2 * points for severity, points in PENALTY.items()}

# Plainness (continuous). Length: 0.2 a word over 6 words, and 0.3 more a word over 15.
LENGTH_FREE_WORDS = 6
LENGTH_POINTS_PER_WORD = 0.2
LONG_FREE_WORDS = 15
LONG_POINTS_PER_WORD = 0.3
LENGTH_MAX = 10.0
# Rare words: 20 points times the share of rare words (zipf below 3), at most 6 points.
RARE_POINTS = 20.0
RARE_MAX = 6.0
# Long words: 5 points for each syllable per word above 1.2, at most 3 points.
SYLLABLES_FREE = 1.2
SYLLABLE_POINTS = 5.0
SYLLABLE_MAX = 3.0
# Grammar depth (needs the language model): 0.5 a level beyond 4, at most 2 points.
DEPTH_FREE = 4
DEPTH_POINTS = 0.5
DEPTH_MAX = 2.0

# Specificity: points given back.
TIME_FRAME_POINTS = 3.0
COMPLETE_OPTIONS_POINTS = 2.0
OPT_OUT_POINTS = 4.0
# Taken off: asking people to put a label on themselves ("Are you a gun person?", "Are you a
# drinker?") rather than what they do.
SELF_LABEL_POINTS = -4.0


def flag_points(flags: Iterable[Flag]) -> float:
    """Return the points the FLAGS take off: per code, the sum of its flags' penalties, capped at
    two flags' worth."""
    by_code: dict[str, float] = defaultdict(float)
    caps: dict[str, float] = {}
    for flag in flags:
        by_code[flag.code] += PENALTY.get(flag.severity, 0)
        caps[flag.code] = max(caps.get(flag.code, 0), CAP_PER_CODE.get(flag.severity, 0))
    return float(sum(min(points, caps[code]) for code, points in by_code.items()))


def plainness_points(metrics: dict) -> float:
    """Return the continuous plainness part taken off: length, rare words, long words, depth."""
    words = metrics.get("words") or 0
    length = min(
        LENGTH_MAX,
        max(0, words - LENGTH_FREE_WORDS) * LENGTH_POINTS_PER_WORD + max(0, words - LONG_FREE_WORDS) * LONG_POINTS_PER_WORD,
    )
    rare = min(RARE_MAX, RARE_POINTS * (metrics.get("rare_word_share") or 0.0))
    syllables = min(SYLLABLE_MAX, max(0.0, (metrics.get("syllables_per_word") or 0.0) - SYLLABLES_FREE) * SYLLABLE_POINTS)
    depth = min(DEPTH_MAX, max(0, (metrics.get("parse_depth") or 0) - DEPTH_FREE) * DEPTH_POINTS)
    return length + rare + syllables + depth


def specificity_points(specific: Iterable[str]) -> float:
    """Return the points given back for each kind of specificity found ("time_frame",
    "complete_options", "opt_out"), less 4 for a label question ("self_label")."""
    values = {
        "time_frame": TIME_FRAME_POINTS,
        "complete_options": COMPLETE_OPTIONS_POINTS,
        "opt_out": OPT_OUT_POINTS,
        "self_label": SELF_LABEL_POINTS,
    }
    return float(sum(values.get(kind, 0.0) for kind in set(specific)))


def score_parts(flags: Iterable[Flag], metrics: dict, specific: Iterable[str] = ()) -> dict[str, float]:
    """Return {"flags", "plainness", "specificity", "score"}: the points of each part and the
    unrounded score (100 - flags - plainness + specificity, kept between 0 and 100)."""
    parts = {
        "flags": flag_points(flags),
        "plainness": round(plainness_points(metrics), 2),
        "specificity": specificity_points(specific),
    }
    parts["score"] = max(0.0, min(100.0, 100 - parts["flags"] - parts["plainness"] + parts["specificity"]))
    return parts


def clarity_score(flags: Iterable[Flag], metrics: dict, specific: Iterable[str] = ()) -> int:
    """Return the clarity score (0-100): 100 minus the flags' points (problem 15, warning 7,
    info 2, capped at two flags' worth per code), minus the plainness part, plus the specificity
    part, rounded and kept between 0 and 100."""
    return int(round(score_parts(flags, metrics, specific)["score"]))
