"""The question checker: plain-language and survey-design checks for peer research questions.

    from surveys.checks import check_question
    report = check_question("Why didn't you go to your appointment?")
    report.score, [f.code for f in report.flags]

Every check is registered in `registry.py` (CODES) with its severity, reason, source and
examples; the word lists live in `rules/*.toml`; docs/checks.md describes every code.
"""

from .checker import (
    MAX_TEXT_CHARS,
    Checker,
    GroupTerms,
    QuestionReport,
    apply_suggestion,
    check_question,
    check_survey,
    get_checker,
)
from .flags import SEVERITIES, Check, Example, Flag
from .metrics import survey_reading_age
from .registry import CODES, TITLES, title_for
from .wordlists import RulesError, load_rules

__all__ = [
    "CODES",
    "MAX_TEXT_CHARS",
    "SEVERITIES",
    "TITLES",
    "Check",
    "Checker",
    "Example",
    "Flag",
    "GroupTerms",
    "QuestionReport",
    "RulesError",
    "apply_suggestion",
    "check_question",
    "check_survey",
    "get_checker",
    "load_rules",
    "survey_reading_age",
    "title_for",
]
