"""The evidence beside each question on the Design page: how each version of it did in interviews.

For a question and every earlier version of it (its lineage), the counts come from
analysis.quality.question_measures, the same function the Explore page and
`python -m surveys report` use, so the numbers always agree. Added here: the interviewers' own
notes (masked, so no names or phone numbers show), the checker's score of each wording, and
the "Look at these again" list of the questions whose answers were worst.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from sqlite_utils import Database

from analysis.quality import question_measures
from surveys.storage import core as store
from surveys.storage import evidence as sql
from surveys.storage.quality import OPEN_TYPES

# The counts shown for each version of a question, with their plain-words labels.
COUNT_LABELS = {
    "asked": "Asked",
    "answered": "Answered",
    "skipped": "Skipped",
    "dont_know": "Don't know",
    "prefer_not": "Prefer not to say",
    "explained": "Needed explaining",
    "reworded": "Reworded by the interviewer",
    "upset": "Upset the person",
}
# What makes answers "worse" in the Look again list, each with the words used to say so.
TROUBLE = {
    "explained": "needed explaining",
    "reworded": "were reworded",
    "dont_know": "got \"don't know\"",
    "skipped": "were skipped",
    "upset": "upset the person",
}
NOTES_PER_VERSION = 5


def _number(value: Any) -> float | None:
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) else value


def evidence_by_lineage(db: Database, survey_id: str, mask: Callable[[list[str]], list[str]] | None = None,
                        notes_per_version: int = NOTES_PER_VERSION) -> dict[str, list[dict]]:
    """Return {lineage id: one dict per version of that question, oldest version first}.

    Each dict: version_id, version_number, version_label, version_status, question_id, name,
    wording, type, is_open, the counts in COUNT_LABELS, median_words, very_short_share,
    quality_index (None when nobody was asked), notes (the newest interviewers' notes, masked
    with MASK, which defaults to surveys.privacy.mask_many) and notes_total.
    """
    versions = store.list_versions(db, survey_id)
    if not versions:
        return {}
    by_version = {v["id"]: v for v in versions}
    frame = question_measures(db, list(by_version))
    notes = _masked_notes(db, list(frame["question_id"]), mask, notes_per_version)
    result: dict[str, list[dict]] = {}
    for row in frame.to_dict("records"):
        version = by_version[row["version_id"]]
        item = {
            "version_id": row["version_id"],
            "version_number": version["number"],
            "version_label": version["label"],
            "version_status": version["status"],
            "question_id": row["question_id"],
            "name": row["name"],
            "wording": row["wording"],
            "type": row["type"],
            "is_open": row["type"] in OPEN_TYPES,
            **{key: int(row[key] or 0) for key in COUNT_LABELS},
            "median_words": _number(row["median_words"]),
            "very_short_share": _number(row["very_short_share"]),
            "quality_index": _number(row["quality_index"]),
            "notes": notes.get(row["question_id"], ([], 0))[0],
            "notes_total": notes.get(row["question_id"], ([], 0))[1],
        }
        result.setdefault(row["lineage_id"], []).append(item)
    for items in result.values():
        items.sort(key=lambda item: item["version_number"])
    return result


def _masked_notes(db: Database, question_ids: Sequence[str], mask, per_question: int) -> dict[str, tuple]:
    """Return {question id: (newest notes masked, notes in all)}: the masks Explore stored when it
    read each note, and the rest masked now in one batch."""
    rows = sql.interviewer_notes(db, question_ids, per_question)
    if not rows:
        return {}
    if mask is None:
        from surveys.privacy import mask_many as mask
    waiting = [note for _, note, stored, _ in rows if stored is None]
    masked_now = dict(zip(waiting, mask(waiting))) if waiting else {}
    out: dict[str, tuple[list[str], int]] = {}
    for question_id, note, stored, total in rows:
        text = stored if stored is not None else masked_now.get(note, "")
        out.setdefault(question_id, ([], total))[0].append(text or "")
    return out


def add_scores(evidence: dict[str, list[dict]], score: Callable[[list[dict]], list[int]]) -> None:
    """Put the checker's score of each version's wording into EVIDENCE (a "score" key), in place.

    SCORE takes the question dicts and returns their scores in order (one checker batch).
    """
    items = [item for items in evidence.values() for item in items]
    for item, value in zip(items, score(items)):
        item["score"] = value


def share(count: int, asked: int) -> str:
    """Return "12 of 200 (6%)", or "none asked" when nobody was asked."""
    if not asked:
        return "none asked"
    return f"{count:,} of {asked:,} ({count / asked:.0%})"


def look_again(evidence: dict[str, list[dict]], version_id: str, limit: int = 8) -> list[dict]:
    """Return the questions of VERSION_ID whose answers were worst, worst first, at most LIMIT.

    Worst means the lowest answer quality (the Explore index); each comes with lineage_id,
    question_id, name, wording, quality_index, asked and a plain "why" naming its biggest troubles.
    """
    rows = []
    for lineage_id, items in evidence.items():
        for item in items:
            if item["version_id"] != version_id or not item["asked"] or item["quality_index"] is None:
                continue
            troubles = sorted(((item[key] / item["asked"], words) for key, words in TROUBLE.items()), reverse=True)
            why = ", ".join(f"{rate:.0%} {words}" for rate, words in troubles[:2] if rate >= 0.05)
            rows.append({"lineage_id": lineage_id, "question_id": item["question_id"], "name": item["name"],
                         "wording": item["wording"], "quality_index": item["quality_index"],
                         "asked": item["asked"], "why": why or "answers were a little short or patchy"})
    rows.sort(key=lambda row: (row["quality_index"], row["name"]))
    return rows[:limit]


__all__ = ["COUNT_LABELS", "add_scores", "evidence_by_lineage", "look_again", "share"]
