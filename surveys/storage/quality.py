"""SQL for the feedback-quality measures: answer counts, open answers, interviews and scale answers.

Each function takes the same filters (versions, interviewer, first and last day) and returns
plain rows; analysis/quality.py turns them into measures with pandas. The heavy counting is
one GROUP BY over the covering index `answer_quality` (migration 0004), so it never reads
the answer rows themselves.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from . import _rows

GROUPINGS = {
    None: "''",
    "interviewer": "COALESCE(i.interviewer_id, '')",
    "month": "substr(i.started_at, 1, 7)",
}
OPEN_TYPES = ("text", "long_text")


@dataclass(frozen=True)
class AnswerFilter:
    """Which answers to count: versions, one interviewer, and a first and last day (inclusive)."""

    version_ids: tuple[str, ...] | None = None
    interviewer_id: str | None = None
    start: _dt.date | None = None
    end: _dt.date | None = None

    @classmethod
    def make(
        cls,
        version_ids: Sequence[str] | str | None = None,
        interviewer_id: str | None = None,
        start: _dt.date | str | None = None,
        end: _dt.date | str | None = None,
    ) -> "AnswerFilter":
        """Return a filter with dates parsed and one version id turned into a tuple."""
        if isinstance(version_ids, str):
            version_ids = (version_ids,)
        return cls(
            tuple(version_ids) if version_ids is not None else None,
            interviewer_id or None,
            _as_date(start),
            _as_date(end),
        )

    @property
    def on_interviews(self) -> bool:
        """Return True when the filter needs the interview table (interviewer or dates)."""
        return bool(self.interviewer_id or self.start or self.end)

    def interview_where(self, alias: str = "i") -> tuple[list[str], list[Any]]:
        """Return SQL conditions and parameters on the interview table."""
        where: list[str] = []
        params: list[Any] = []
        if self.version_ids is not None:
            where.append(f"{alias}.version_id IN ({_marks(self.version_ids)})")
            params.extend(self.version_ids)
        if self.interviewer_id:
            where.append(f"{alias}.interviewer_id = ?")
            params.append(self.interviewer_id)
        if self.start:
            where.append(f"{alias}.started_at >= ?")
            params.append(self.start.isoformat())
        if self.end:
            # The last day counts whole: anything that started before the next day.
            where.append(f"{alias}.started_at < ?")
            params.append((self.end + _dt.timedelta(days=1)).isoformat())
        return where, params


def _as_date(value: _dt.date | str | None) -> _dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    try:
        return _dt.date.fromisoformat(str(value)[:10])
    except ValueError as exc:
        raise ValueError(f"{value!r} is not a date. Write dates like 2025-03-31.") from exc


def _marks(values: Sequence[Any]) -> str:
    return ", ".join("?" for _ in values) or "NULL"


def _answer_where(flt: AnswerFilter, alias: str = "a") -> tuple[list[str], list[Any]]:
    """Return conditions on the answer table that apply the filter."""
    where: list[str] = []
    params: list[Any] = []
    if flt.version_ids is not None:
        # Versions narrow the questions; the index then jumps straight to their answers.
        where.append(
            f"{alias}.question_id IN (SELECT id FROM question WHERE version_id IN ({_marks(flt.version_ids)}))"
        )
        params.extend(flt.version_ids)
    if flt.on_interviews:
        iw, ip = flt.interview_where("fi")
        where.append(f"{alias}.interview_id IN (SELECT fi.id FROM interview fi WHERE {' AND '.join(iw)})")
        params.extend(ip)
    return where, params


def _where_sql(where: list[str]) -> str:
    return (" WHERE " + " AND ".join(where)) if where else ""


def answer_counts(db: Database, flt: AnswerFilter, by: str | None = None) -> list[tuple]:
    """Return (question_id, grp, opt_out, needed_explaining, reworded, upsetting, word_count, n) rows.

    One row per distinct combination, so a million answers come back as a few thousand rows.
    Without interviewer or day filters and without a split, the counts come from the running
    tally (migration 0005) instead of counting the answers again.
    """
    if by not in GROUPINGS:
        raise ValueError(f"{by!r} is not a way to split the figures. Use interviewer or month.")
    if by is None and not flt.on_interviews:
        return tally_counts(db, flt.version_ids)
    where, params = _answer_where(flt)
    if by is None:
        sql = (
            "SELECT a.question_id, '' AS grp, a.opt_out, a.needed_explaining, a.reworded, a.upsetting, "
            "a.word_count, COUNT(*) FROM answer a INDEXED BY answer_quality"
            f"{_where_sql(where)} GROUP BY 1, 3, 4, 5, 6, 7"
        )
    else:
        sql = (
            f"SELECT a.question_id, {GROUPINGS[by]} AS grp, a.opt_out, a.needed_explaining, a.reworded, "
            "a.upsetting, a.word_count, COUNT(*) FROM answer a JOIN interview i ON i.id = a.interview_id"
            f"{_where_sql(where)} GROUP BY 1, 2, 3, 4, 5, 6, 7"
        )
    return db.execute(sql, params).fetchall()


def tally_counts(db: Database, version_ids: Sequence[str] | None = None) -> list[tuple]:
    """Return the same rows as answer_counts, read from the running tally kept by triggers."""
    sql = (
        "SELECT question_id, '' AS grp, NULLIF(opt_out, ''), needed_explaining, reworded, upsetting, "
        "word_count, n FROM answer_tally WHERE n > 0"
    )
    params: list[Any] = []
    if version_ids is not None:
        sql += f" AND question_id IN (SELECT id FROM question WHERE version_id IN ({_marks(version_ids)}))"
        params.extend(version_ids)
    return db.execute(sql, params).fetchall()


def counted_answer_groups(db: Database, flt: AnswerFilter) -> list[tuple]:
    """Return answer_counts' rows counted from the answers themselves (never from the tally)."""
    where, params = _answer_where(flt)
    sql = (
        "SELECT a.question_id, '' AS grp, a.opt_out, a.needed_explaining, a.reworded, a.upsetting, "
        "a.word_count, COUNT(*) FROM answer a INDEXED BY answer_quality"
        f"{_where_sql(where)} GROUP BY 1, 3, 4, 5, 6, 7"
    )
    return db.execute(sql, params).fetchall()


def open_text_counts(db: Database, flt: AnswerFilter, by: str | None = None) -> list[tuple]:
    """Return (question_id, grp, value, n) for open answers with words, one row per distinct text."""
    if by not in GROUPINGS:
        raise ValueError(f"{by!r} is not a way to split the figures. Use interviewer or month.")
    where, params = _answer_where(flt)
    where = ["a.opt_out IS NULL", "a.word_count > 0", *where]
    if by is None:
        sql = (
            "SELECT a.question_id, '' AS grp, a.value, COUNT(*) FROM answer a INDEXED BY answer_open_text"
            f"{_where_sql(where)} GROUP BY 1, 3"
        )
    else:
        sql = (
            f"SELECT a.question_id, {GROUPINGS[by]} AS grp, a.value, COUNT(*) FROM answer a "
            f"JOIN interview i ON i.id = a.interview_id{_where_sql(where)} GROUP BY 1, 2, 3"
        )
    return db.execute(sql, params).fetchall()


def open_answers(
    db: Database,
    flt: AnswerFilter,
    *,
    question_ids: Sequence[str] | None = None,
    contains: str | None = None,
    limit: int | None = None,
) -> list[dict]:
    """Return open answers (question, text, interview, start time), newest first, optionally matching text."""
    where, params = _answer_where(flt)
    where = ["a.opt_out IS NULL", "a.word_count > 0", *where]
    if question_ids is not None:
        where.append(f"a.question_id IN ({_marks(question_ids)})")
        params.extend(question_ids)
    if contains:
        # LIKE with an escape character, so % and _ typed in the search box are plain letters.
        escaped = contains.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        where.append("a.value LIKE ? ESCAPE '\\'")
        params.append(f"%{escaped}%")
    sql = (
        "SELECT a.id AS answer_id, a.question_id, q.name, q.topic, q.version_id, a.value, a.word_count, "
        "a.interview_id, i.started_at FROM answer a JOIN question q ON q.id = a.question_id "
        f"JOIN interview i ON i.id = a.interview_id{_where_sql(where)} "
        "ORDER BY i.started_at DESC, q.position"
    )
    if limit is not None:
        sql += " LIMIT ?"
        params.append(int(limit))
    return _rows(db, sql, params)


def value_counts(db: Database, flt: AnswerFilter, question_ids: Sequence[str]) -> list[tuple]:
    """Return (question_id, value, n): how many gave each answer to these questions (opt-outs left out)."""
    where, params = _answer_where(flt)
    where = [f"a.question_id IN ({_marks(question_ids)})", "a.opt_out IS NULL", "a.value IS NOT NULL", *where]
    sql = f"SELECT a.question_id, a.value, COUNT(*) FROM answer a{_where_sql(where)} GROUP BY 1, 2"
    return db.execute(sql, [*question_ids, *params]).fetchall()


def scale_answers(db: Database, flt: AnswerFilter) -> list[tuple]:
    """Return (interview_id, question_id, value) for every scale question answered with a value."""
    where, params = _answer_where(flt)
    where = ["q.type = 'scale'", "a.opt_out IS NULL", "a.value IS NOT NULL", *where]
    sql = (
        "SELECT a.interview_id, a.question_id, a.value FROM question q "
        f"JOIN answer a ON a.question_id = q.id{_where_sql(where)}"
    )
    return db.execute(sql, params).fetchall()


def interview_rows(db: Database, flt: AnswerFilter) -> list[dict]:
    """Return interviews with their answer count and the last question answered (by position)."""
    where, params = flt.interview_where("i")
    sql = (
        "SELECT i.id AS interview_id, i.version_id, i.interviewer_id, i.status, i.consent, i.started_at, "
        "i.finished_at, i.seconds, "
        "(SELECT COUNT(*) FROM answer a WHERE a.interview_id = i.id) AS answers, "
        "(SELECT q.id FROM answer a JOIN question q ON q.id = a.question_id WHERE a.interview_id = i.id "
        " ORDER BY q.position DESC LIMIT 1) AS last_question_id "
        f"FROM interview i{_where_sql(where)} ORDER BY i.started_at"
    )
    return _rows(db, sql, params)


def questions_for_versions(db: Database, version_ids: Sequence[str] | None = None) -> list[dict]:
    """Return questions (with version number and label) of the given versions, or of every version."""
    sql = (
        "SELECT q.id AS question_id, q.name, q.version_id, q.lineage_id, q.position, q.wording, q.type, "
        "q.topic, q.options, v.number AS version_number, v.label AS version_label, v.survey_id "
        "FROM question q JOIN survey_version v ON v.id = q.version_id"
    )
    params: list[Any] = []
    if version_ids is not None:
        sql += f" WHERE q.version_id IN ({_marks(version_ids)})"
        params.extend(version_ids)
    sql += " ORDER BY v.survey_id, v.number, q.position"
    return _rows(db, sql, params)


def interviewers(db: Database, version_ids: Sequence[str] | None = None) -> list[dict]:
    """Return the people who ran interviews (in these versions), with how many, by name."""
    sql = (
        "SELECT p.id, p.display_name, COUNT(*) AS interviews FROM interview i "
        "JOIN person p ON p.id = i.interviewer_id"
    )
    params: list[Any] = []
    if version_ids is not None:
        sql += f" WHERE i.version_id IN ({_marks(version_ids)})"
        params.extend(version_ids)
    sql += " GROUP BY p.id ORDER BY p.display_name"
    return _rows(db, sql, params)


def interview_date_range(db: Database, version_ids: Sequence[str] | None = None) -> tuple[str | None, str | None]:
    """Return the first and last interview start times (ISO text), or (None, None)."""
    sql = "SELECT MIN(started_at), MAX(started_at) FROM interview"
    params: list[Any] = []
    if version_ids is not None:
        sql += f" WHERE version_id IN ({_marks(version_ids)})"
        params.extend(version_ids)
    first, last = db.execute(sql, params).fetchone()
    return first, last


def data_stamp(db: Database) -> str:
    """Return a short text that changes whenever answers, interviews or questions change.

    Every part is an index lookup or a small count, so checking it costs well under a millisecond
    on a million answers; caches use it to know when to recompute.
    """
    row = db.execute(
        "SELECT (SELECT MAX(updated_at) FROM answer), (SELECT MAX(rowid) FROM answer), "
        "(SELECT COUNT(*) FROM interview), (SELECT MAX(updated_at) FROM interview), "
        "(SELECT COUNT(*) FROM question), (SELECT MAX(updated_at) FROM question)"
    ).fetchone()
    return "|".join("" if v is None else str(v) for v in row)


def bare_answer_group_by(db: Database) -> list[tuple]:
    """Return (question_id, count) over all answers: the floor the benchmark compares against."""
    return db.execute("SELECT question_id, COUNT(*) FROM answer GROUP BY question_id").fetchall()


__all__ = [
    "AnswerFilter",
    "OPEN_TYPES",
    "answer_counts",
    "bare_answer_group_by",
    "counted_answer_groups",
    "data_stamp",
    "interview_date_range",
    "interview_rows",
    "interviewers",
    "open_answers",
    "open_text_counts",
    "questions_for_versions",
    "scale_answers",
    "tally_counts",
    "value_counts",
]
