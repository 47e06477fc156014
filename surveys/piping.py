"""Earlier answers inside question words: "Is ${name} your first name?" becomes "Is Sam your first name?".

A spreadsheet form writes ``${question_name}`` in a label or hint to show an earlier answer.
The words are stored as written, so a form saved again keeps ``${name}``; only the screen
the interviewer reads fills it in.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping

PIPE = re.compile(r"\$\{\s*([A-Za-z_][\w.\-]*)\s*\}")
NOT_ANSWERED = "…"


def piped_names(text: str | None) -> list[str]:
    """Return the question names TEXT shows answers of, each once, in order."""
    return list(dict.fromkeys(PIPE.findall(text or "")))


def fill_in_answers(text: str | None, shown: Mapping[str, str], missing: str = NOT_ANSWERED) -> str:
    """Return TEXT with each ${name} replaced by SHOWN[name], or MISSING when there is no answer yet."""
    return PIPE.sub(lambda m: shown.get(m.group(1)) or missing, text or "")


def answers_to_show(questions: Iterable[Mapping], answers: Mapping[str, Mapping]) -> dict[str, str]:
    """Return {question name: the answer as words}, for filling in ${name}.

    QUESTIONS may carry `option_labels` (a translated interview), so a chosen option shows
    in the interview's language. Skipped questions and questions with no answer are left out.
    """
    shown = {}
    for question in questions:
        answer = answers.get(question["id"])
        if not answer or answer.get("opt_out") or answer.get("value") is None:
            continue
        value = answer["value"]
        labels = question.get("option_labels") or {}
        if question["type"] == "multiple_choice":
            try:
                chosen = json.loads(value)
            except ValueError:
                chosen = [value]
            if not isinstance(chosen, list):
                chosen = [chosen]
            shown[question["name"]] = ", ".join(labels.get(str(c), str(c)) for c in chosen)
        else:
            shown[question["name"]] = labels.get(str(value), str(value))
    return shown


def fill_question(question: Mapping, shown: Mapping[str, str]) -> dict:
    """Return QUESTION with ${name} in its wording and help text filled in from SHOWN."""
    return {**question, "wording": fill_in_answers(question.get("wording"), shown),
            "help_text": fill_in_answers(question.get("help_text"), shown)}


__all__ = ["NOT_ANSWERED", "PIPE", "answers_to_show", "fill_in_answers", "fill_question", "piped_names"]
