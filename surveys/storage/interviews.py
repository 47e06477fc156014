"""SQL for interviews and their answers: start, upsert an answer or note, list, submit, edit.

Every function takes a database. Callers wrap writes in write_transaction(); the logic
(validation, show-if rules, what is audited) lives in surveys/interviews.py.
"""

from __future__ import annotations

from typing import Any

from sqlite_utils import Database

from . import _rows
from .core import NotFound, _decode_question

INTERVIEW_COLUMNS = (
    "id", "version_id", "respondent_code", "interviewer_id", "consent", "status", "mode",
    "started_at", "finished_at", "seconds", "synthetic", "updated_at",
)


def insert_interview(db: Database, row: dict) -> None:
    """Insert one interview row (a dict with every INTERVIEW_COLUMNS key); returns nothing."""
    db.execute(
        f"INSERT INTO interview ({', '.join(INTERVIEW_COLUMNS)}) "
        f"VALUES ({', '.join('?' for _ in INTERVIEW_COLUMNS)})",
        [row[c] for c in INTERVIEW_COLUMNS],
    )


def get_interview(db: Database, interview_id: str) -> dict:
    """Return one interview with its survey name and version label, or raise NotFound."""
    rows = _rows(
        db,
        "SELECT i.*, v.label AS version_label, v.status AS version_status, s.name AS survey_name "
        "FROM interview i JOIN survey_version v ON v.id = i.version_id "
        "JOIN survey s ON s.id = v.survey_id WHERE i.id = ?",
        [interview_id],
    )
    if not rows:
        raise NotFound("That interview is not in the database.")
    return rows[0]


def interview_sheet(db: Database, interview_id: str) -> tuple[dict, list[dict], dict[str, dict]]:
    """Return (interview, its version's questions in order, its answers by question id) in one query.

    Opening an interview is one read, whatever the size of the database: the interview row is
    joined to its version's questions and, for each, its answer row if there is one. The rows
    are split at marker columns, so columns added to these tables later come through as well.
    """
    cursor = db.execute(
        "SELECT i.*, v.label AS version_label, v.status AS version_status, s.name AS survey_name, "
        "'' AS _question_columns, q.*, '' AS _answer_columns, a.* "
        "FROM interview i JOIN survey_version v ON v.id = i.version_id JOIN survey s ON s.id = v.survey_id "
        "LEFT JOIN question q ON q.version_id = i.version_id "
        "LEFT JOIN answer a ON a.interview_id = i.id AND a.question_id = q.id "
        "WHERE i.id = ? ORDER BY q.position, q.name",
        [interview_id],
    )
    names = [c[0] for c in cursor.description]
    q_start, a_start = names.index("_question_columns"), names.index("_answer_columns")
    rows = cursor.fetchall()
    if not rows:
        raise NotFound("That interview is not in the database.")
    interview = dict(zip(names[:q_start], rows[0][:q_start]))
    questions, answers = [], {}
    for row in rows:
        question = dict(zip(names[q_start + 1:a_start], row[q_start + 1:a_start]))
        if question["id"] is None:
            continue  # a version with no questions
        question = _decode_question(question)
        questions.append(question)
        answer = dict(zip(names[a_start + 1:], row[a_start + 1:]))
        if answer["id"] is not None:
            answers[question["id"]] = {**answer, "question_name": question["name"],
                                       "question_type": question["type"], "question_position": question["position"]}
    return interview, questions, answers


def interview_status(db: Database, interview_id: str) -> str | None:
    """Return an interview's status ('draft' or 'submitted'), or None when it is not there."""
    row = db.execute("SELECT status FROM interview WHERE id = ?", [interview_id]).fetchone()
    return row[0] if row else None


def answer_context(db: Database, interview_id: str, question_id: str) -> dict | None:
    """Return what a save needs to know about an interview and a question, or None if either is missing.

    One query, so that saving an answer costs one read and one write.
    """
    rows = _rows(
        db,
        "SELECT i.status AS interview_status, i.consent, i.interviewer_id, i.version_id, "
        "q.version_id AS question_version_id, q.name, q.type, q.options, q.required "
        "FROM interview i, question q WHERE i.id = ? AND q.id = ?",
        [interview_id, question_id],
    )
    return rows[0] if rows else None


def upsert_answer(
    db: Database,
    *,
    answer_id: str,
    interview_id: str,
    question_id: str,
    value: str | None,
    opt_out: str | None,
    word_count: int,
    seconds: float | None,
    updated_at: str,
) -> str:
    """Insert or replace the value of one answer in one statement; return the answer's id.

    A retried save updates the same row and keeps its first id, so an answer never doubles.
    Seconds add up: going back to a question adds the new time to the time already spent.
    """
    row = db.execute(
        "INSERT INTO answer (id, interview_id, question_id, value, opt_out, word_count, seconds, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT(interview_id, question_id) DO UPDATE SET "
        "value = excluded.value, opt_out = excluded.opt_out, word_count = excluded.word_count, "
        "seconds = CASE WHEN excluded.seconds IS NULL THEN answer.seconds "
        "ELSE COALESCE(answer.seconds, 0) + excluded.seconds END, "
        "updated_at = excluded.updated_at "
        "RETURNING id",
        [answer_id, interview_id, question_id, value, opt_out, word_count, seconds, updated_at],
    ).fetchone()
    return row[0]


def upsert_note(
    db: Database,
    *,
    answer_id: str,
    interview_id: str,
    question_id: str,
    needed_explaining: bool | None,
    reworded: bool | None,
    upsetting: bool | None,
    note: str | None,
    updated_at: str,
) -> str:
    """Insert or change the interviewer's notes on one question (None keeps a note); return the answer id.

    A note can come before the answer, so the row may hold notes with no value yet.
    """
    flags = [None if f is None else int(bool(f)) for f in (needed_explaining, reworded, upsetting)]
    row = db.execute(
        "INSERT INTO answer (id, interview_id, question_id, needed_explaining, reworded, upsetting, note, "
        "updated_at) VALUES (?, ?, ?, COALESCE(?, 0), COALESCE(?, 0), COALESCE(?, 0), COALESCE(?, ''), ?) "
        "ON CONFLICT(interview_id, question_id) DO UPDATE SET "
        "needed_explaining = COALESCE(?, answer.needed_explaining), "
        "reworded = COALESCE(?, answer.reworded), "
        "upsetting = COALESCE(?, answer.upsetting), "
        "note = COALESCE(?, answer.note), "
        "updated_at = excluded.updated_at "
        "RETURNING id",
        [answer_id, interview_id, question_id, *flags, note, updated_at, *flags, note],
    ).fetchone()
    return row[0]


def answers_for_interview(db: Database, interview_id: str) -> list[dict]:
    """Return every answer row of an interview with its question's name and type, in question order."""
    return _rows(
        db,
        "SELECT a.*, q.name AS question_name, q.type AS question_type, q.position AS question_position "
        "FROM answer a JOIN question q ON q.id = a.question_id "
        "WHERE a.interview_id = ? ORDER BY q.position, q.name",
        [interview_id],
    )


def get_answer(db: Database, interview_id: str, question_id: str) -> dict | None:
    """Return the answer row of one question in one interview, or None."""
    rows = _rows(db, "SELECT * FROM answer WHERE interview_id = ? AND question_id = ?", [interview_id, question_id])
    return rows[0] if rows else None


def set_answer_value(
    db: Database, answer_id: str, *, value: str | None, opt_out: str | None, word_count: int, updated_at: str
) -> None:
    """Change the value or opt-out of one existing answer row; returns nothing."""
    db.execute(
        "UPDATE answer SET value = ?, opt_out = ?, word_count = ?, updated_at = ? WHERE id = ?",
        [value, opt_out, word_count, updated_at, answer_id],
    )


def delete_answer(db: Database, answer_id: str) -> None:
    """Remove one answer row (used at submit for questions a show-if rule hid); returns nothing."""
    db.execute("DELETE FROM answer WHERE id = ?", [answer_id])


def mark_submitted(db: Database, interview_id: str, *, finished_at: str, seconds: float) -> None:
    """Set an interview as sent in, with when it finished and how long it took; returns nothing."""
    db.execute(
        "UPDATE interview SET status = 'submitted', finished_at = ?, seconds = ?, updated_at = ? WHERE id = ?",
        [finished_at, seconds, finished_at, interview_id],
    )


def unfinished_for_interviewer(db: Database, interviewer_id: str) -> list[dict]:
    """Return the interviewer's own draft interviews, last worked on first, with answer counts."""
    return _rows(
        db,
        "SELECT i.id, i.respondent_code, i.mode, i.started_at, v.label AS version_label, "
        "s.name AS survey_name, "
        "(SELECT COUNT(*) FROM answer a WHERE a.interview_id = i.id "
        " AND (a.value IS NOT NULL OR a.opt_out IS NOT NULL)) AS answered, "
        "(SELECT COUNT(*) FROM question q WHERE q.version_id = i.version_id AND q.type != 'note') AS questions, "
        "COALESCE((SELECT MAX(a.updated_at) FROM answer a WHERE a.interview_id = i.id), i.updated_at) "
        " AS last_saved "
        "FROM interview i JOIN survey_version v ON v.id = i.version_id JOIN survey s ON s.id = v.survey_id "
        "WHERE i.interviewer_id = ? AND i.status = 'draft' AND i.consent = 'given' "
        "ORDER BY last_saved DESC",
        [interviewer_id],
    )


def _contains(search: str) -> str:
    """Return a LIKE pattern (with ESCAPE '\\') matching text that contains SEARCH as typed."""
    escaped = search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def submitted_for_interviewer(db: Database, interviewer_id: str, search: str = "", limit: int = 20) -> list[dict]:
    """Return the interviewer's own sent-in interviews (consent given), newest first.

    SEARCH keeps only codes that contain it (any case). LIMIT caps the rows; the total is in
    count_submitted_for_interviewer.
    """
    pattern = _contains(search)
    return _rows(
        db,
        "SELECT i.id, i.respondent_code, i.mode, i.started_at, i.finished_at, v.label AS version_label, "
        "s.name AS survey_name "
        "FROM interview i JOIN survey_version v ON v.id = i.version_id JOIN survey s ON s.id = v.survey_id "
        "WHERE i.interviewer_id = ? AND i.status = 'submitted' AND i.consent = 'given' "
        "AND i.respondent_code LIKE ? ESCAPE '\\' "
        "ORDER BY i.finished_at DESC, i.id LIMIT ?",
        [interviewer_id, pattern, limit],
    )


def count_submitted_for_interviewer(db: Database, interviewer_id: str, search: str = "") -> int:
    """Return how many sent-in interviews (consent given) of the interviewer have a code containing SEARCH."""
    pattern = _contains(search)
    return db.execute(
        "SELECT COUNT(*) FROM interview WHERE interviewer_id = ? AND status = 'submitted' AND consent = 'given' "
        "AND respondent_code LIKE ? ESCAPE '\\'",
        [interviewer_id, pattern],
    ).fetchone()[0]


def version_interview_counts(db: Database, version_id: str) -> dict[str, int]:
    """Return a version's questions that take an answer (and how many have a show-if rule), and its
    interviews finished (sent in, consent given), declined and unfinished."""
    questions = db.execute(
        "SELECT COUNT(*), COALESCE(SUM(show_if IS NOT NULL), 0) FROM question WHERE version_id = ? AND type != 'note'",
        [version_id],
    ).fetchone()
    row = db.execute(
        "SELECT COALESCE(SUM(consent = 'given' AND status = 'submitted'), 0), "
        "COALESCE(SUM(consent = 'declined'), 0), COALESCE(SUM(consent = 'given' AND status = 'draft'), 0) "
        "FROM interview WHERE version_id = ?",
        [version_id],
    ).fetchone()
    return {"questions": questions[0], "with_rules": questions[1], "finished": row[0], "declined": row[1],
            "unfinished": row[2]}


def count_rows(db: Database, interview_id: str) -> dict[str, Any]:
    """Return how many answer rows an interview has and the sum of their seconds."""
    row = db.execute(
        "SELECT COUNT(*), COALESCE(SUM(seconds), 0) FROM answer WHERE interview_id = ?", [interview_id]
    ).fetchone()
    return {"answers": row[0], "seconds": row[1]}
