"""SQL for the evidence the Design page shows beside a question: the interviewers' own notes,
and a cheap stamp that changes when answers change (so cached evidence is worked out again).

The answer counts themselves come from surveys/storage/quality.py through analysis/quality.py,
the same functions the Explore page and `python -m surveys report` use.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlite_utils import Database


def interviewer_notes(db: Database, question_ids: Sequence[str], per_question: int = 5) -> list[tuple]:
    """Return (question_id, note, stored mask or None, notes on that question in all) for the newest
    PER_QUESTION notes interviewers wrote on each question.

    The stored mask is the one Explore keeps when it reads a note (open_text_derived), given only
    when the note has not changed since (it is not waiting on open_text_queue); else None, and the
    caller masks the note itself. Uses the partial index answer_notes (migration 0040).
    """
    if not question_ids:
        return []
    marks = ", ".join("?" for _ in question_ids)
    return db.execute(
        "SELECT n.question_id, n.note, CASE WHEN d.answer_id IS NOT NULL AND w.answer_id IS NULL "
        "AND d.masked_note != '' THEN d.masked_note END, n.total FROM ("
        "  SELECT id, question_id, note,"
        "    ROW_NUMBER() OVER (PARTITION BY question_id ORDER BY updated_at DESC, id) AS place,"
        "    COUNT(*) OVER (PARTITION BY question_id) AS total"
        f"  FROM answer INDEXED BY answer_notes WHERE note != '' AND question_id IN ({marks})"
        ") n LEFT JOIN open_text_derived d ON d.answer_id = n.id "
        "LEFT JOIN open_text_queue w ON w.answer_id = n.id "
        "WHERE n.place <= ? ORDER BY n.question_id, n.place",
        [*question_ids, per_question],
    ).fetchall()


def answers_stamp(db: Database) -> str:
    """Return a short text that changes whenever an answer or interview is added, changed or removed.

    Unlike the Explore stamp it leaves out questions: saving a wording in a draft (which has no
    answers) must not throw away the evidence worked out for every question.
    """
    row = db.execute(
        "SELECT (SELECT MAX(updated_at) FROM answer), (SELECT MAX(rowid) FROM answer), "
        "(SELECT COUNT(*) FROM interview), (SELECT MAX(updated_at) FROM interview)"
    ).fetchone()
    return "|".join("" if v is None else str(v) for v in row)


def versions_with_answers(db: Database, survey_id: str) -> list[str]:
    """Return the ids of a survey's versions that have at least one interview, newest first."""
    return [row[0] for row in db.execute(
        "SELECT v.id FROM survey_version v WHERE v.survey_id = ? "
        "AND EXISTS (SELECT 1 FROM interview i WHERE i.version_id = v.id) ORDER BY v.number DESC",
        [survey_id],
    ).fetchall()]


__all__ = ["answers_stamp", "interviewer_notes", "versions_with_answers"]
