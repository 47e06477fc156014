"""The "You said, we did" summary: a short plain-words document to give back to the people interviewed.

It says, topic by topic, what people told us (with counts) and leaves space for the team to
write what changed. Every sentence we write is short and plain; a test runs each one through
the project's question checker and expects no problem flags.
"""

from __future__ import annotations

import datetime as _dt
import json
import statistics
from collections import Counter, defaultdict

from sqlite_utils import Database

from analysis.quality import make_filter, question_measures
from analysis.themes import read_waiting_answers, stored_terms_by_question
from surveys.codesign import what_changed_after
from surveys.storage import core
from surveys.storage import quality as store
from surveys.storage.quality import OPEN_TYPES

CHANGED_LINE = "What we changed: ____________________"
CHOICE_TYPES = ("single_choice", "scale", "yes_no", "multiple_choice")


def _people(n: int) -> str:
    return "1 person" if n == 1 else f"{n:,} people"


def _month(iso: str | None) -> str:
    if not iso:
        return ""
    return _dt.date.fromisoformat(iso[:10]).strftime("%B %Y")


def _markdown_text(text: str) -> str:
    """Return TEXT with Markdown characters escaped, so typed words show as they are."""
    out = []
    for ch in text:
        if ch in "\\`*_[]<>|~#":
            out.append("\\" + ch)
        else:
            out.append(ch)
    return "".join(out)


def _choice_sentence(question: dict, counts: Counter[str], answered: int) -> str | None:
    if not counts or answered == 0:
        return None
    if question["type"] == "yes_no":
        yes = counts.get("Yes", 0)
        return f"{yes:,} of {answered:,} people said yes."
    top, n = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[0]
    return f"The answer given most was \u201c{top}\u201d: {n:,} of {answered:,} people."


def _number_sentence(values: Counter[str]) -> str | None:
    numbers = []
    for value, n in values.items():
        try:
            numbers.extend([float(value)] * n)
        except ValueError:
            continue
    if not numbers:
        return None
    middle = statistics.median(numbers)
    shown = int(middle) if float(middle).is_integer() else round(middle, 1)
    return f"The middle answer was {shown}."


def _open_sentence(terms_text: list[str]) -> str | None:
    if not terms_text:
        return None
    # A list with commas only: "and" between items reads to the checker as two questions in one.
    listed = ", ".join(terms_text)
    return f"Words people used most: {listed}."


def summary_parts(db: Database, version_id: str, *, terms: int = 3, read_first: bool = True) -> dict:
    """Return the summary as data: title, intro sentences, and per topic the questions and sentences.

    Open answers still waiting to be read are read first, unless READ_FIRST is False.
    """
    version = core.get_version(db, version_id)
    if read_first:
        read_waiting_answers(db)
    measures = question_measures(db, [version_id])
    first, last = store.interview_date_range(db, [version_id])
    # People who said no to taking part were not talked with about the survey: they are not counted.
    count = store.interviews_taking_part(db, version_id)
    intro = []
    if count == 0:
        intro.append("We have no answers to this survey yet.")
    else:
        if _month(first) == _month(last):
            intro.append(f"We talked with {_people(count)} in {_month(first)}.")
        else:
            intro.append(f"We talked with {_people(count)} from {_month(first)} to {_month(last)}.")
        intro.append("Thank you for your answers.")
        intro.append("Here is what you told us.")
        intro.append("Below, we say what we changed.")
    if version.get("synthetic"):
        intro.append("These answers are made up, to show how the tool works.")
    asked = measures[measures["asked"] > 0]
    closed_ids = asked.loc[asked["type"].isin(CHOICE_TYPES + ("number",)), "question_id"].tolist()
    values: dict[str, Counter[str]] = defaultdict(Counter)
    if closed_ids:
        for question_id, value, n in store.value_counts(db, make_filter([version_id]), closed_ids):
            values[question_id][value] += n
    open_ids = asked.loc[asked["type"].isin(OPEN_TYPES) & (asked["answered"] > 0), "question_id"].tolist()
    # Words stored when each answer was read, from the masked text: no hidden name shows here.
    open_terms = stored_terms_by_question(db, version_id, open_ids, top=terms * 3) if open_ids else {}
    # What the group changed in later versions, with why and what it saw (kept when it adopted them).
    changes = what_changed_after(db, version_id)
    topics: dict[str, list[dict]] = {}
    for row in asked.itertuples(index=False):
        answered = int(row.answered)
        sentences = [f"{_people(answered)} answered this."]
        question = {"type": row.type, "wording": row.wording}
        extra = None
        if row.type == "multiple_choice":
            counts = Counter()
            for value, n in values[row.question_id].items():
                try:
                    picked = json.loads(value)
                except ValueError:
                    picked = [value]
                for option in picked if isinstance(picked, list) else [picked]:
                    counts[str(option)] += n
            extra = _choice_sentence(question, counts, answered)
        elif row.type in CHOICE_TYPES:
            extra = _choice_sentence(question, values[row.question_id], answered)
        elif row.type == "number":
            extra = _number_sentence(values[row.question_id])
        elif row.type in OPEN_TYPES and answered:
            found = open_terms[row.question_id]
            phrases = found[found["kind"] == "phrase"]["term"].tolist()
            words = found[found["kind"] == "word"]["term"].tolist()
            extra = _open_sentence((phrases + words)[:terms])
        if extra:
            sentences.append(extra)
        topics.setdefault(row.topic or "Other questions", []).append(
            {"name": row.name, "wording": row.wording, "sentences": sentences,
             "changed": _changed_sentences(changes.get(row.lineage_id), version["label"])}
        )
    return {"title": "You said, we did", "survey": version["survey_name"], "intro": intro, "topics": topics}


def _changed_sentences(change: dict | None, label: str) -> list[str]:
    """Return what the group changed in this question after the interviews, why, and what it saw."""
    if not change:
        return []
    out = [f"We changed this question. Now we ask: \u201c{change['after']}\u201d"]
    out += [f"Why: {reason}" for reason in change["reasons"]]
    seen = next((v for e in change["evidence"] for v in e.get("versions", []) if v.get("version_label") == label), None)
    if seen and seen.get("asked"):
        out.append(f"When we asked it, {seen['explained'] / seen['asked']:.0%} of people needed it explained.")
    return out


def you_said_we_did(db: Database, version_id: str, *, read_first: bool = True) -> str:
    """Return the "You said, we did" summary of a version as Markdown, with space for what changed."""
    parts = summary_parts(db, version_id, read_first=read_first)
    lines = [f"# {parts['title']}", "", f"## {_markdown_text(parts['survey'])}", ""]
    lines += [" ".join(parts["intro"]), ""]
    for topic, questions in parts["topics"].items():
        lines += [f"### {_markdown_text(topic)}", ""]
        for q in questions:
            lines.append(f"**We asked:** {_markdown_text(q['wording'])}")
            lines.append("")
            lines += [f"- {_markdown_text(s)}" for s in q["sentences"]]
            lines.append("")
            if q["changed"]:
                lines.append("**What we changed:** " + " ".join(_markdown_text(s) for s in q["changed"]))
                lines.append("")
        lines += [CHANGED_LINE, ""]
    return "\n".join(lines)


def summary_sentences(db: Database, version_id: str) -> list[str]:
    """Return every sentence the summary writes (intro, per-question and the changed line), unescaped."""
    parts = summary_parts(db, version_id)
    sentences = list(parts["intro"])
    for questions in parts["topics"].values():
        for q in questions:
            sentences += q["sentences"]
    sentences.append(CHANGED_LINE)
    return sentences


__all__ = ["CHANGED_LINE", "summary_parts", "summary_sentences", "you_said_we_did"]
