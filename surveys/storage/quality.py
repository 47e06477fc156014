"""SQL for the feedback-quality measures: answer counts, open answers, interviews and scale answers.

Each function takes the same filters (versions, interviewer, first and last day) and returns
plain rows; analysis/quality.py turns them into measures with pandas. The heavy counting is
one GROUP BY over the covering index `answer_quality` (migration 0004), so it never reads
the answer rows themselves.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from . import _rows

GROUPINGS = {
    None: "''",
    "interviewer": "COALESCE(i.interviewer_id, '')",
    "month": "substr(i.started_at, 1, 7)",
    "language": "i.language",
}
# Splits the running totals do not keep: counted from the answers themselves when asked for.
COUNTED_SPLITS = ("language",)
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

    One row per distinct combination (a key may come back more than once; add them up), so a
    million answers come back as a few thousand rows. The counts come from the running totals
    (migration 0030), which are kept by interviewer and month; only the days of a month that a
    day filter cuts in two are counted from the answers themselves.
    """
    if by not in GROUPINGS:
        raise ValueError(f"{by!r} is not a way to split the figures. Use interviewer, month or language.")
    months, partial = _tally_plan(db, flt) if by not in COUNTED_SPLITS else ([], [(flt.start, flt.end)])
    rows = _read_total(db, "answer_tally_by", TALLY_COLUMNS, flt, months, by) if months != [] else []
    for first, last in partial:
        part = AnswerFilter(flt.version_ids, flt.interviewer_id, first, last)
        where, params = part.interview_where("i")
        rows += db.execute(
            f"SELECT a.question_id, {GROUPINGS[by]} AS grp, a.opt_out, a.needed_explaining, a.reworded, "
            "a.upsetting, a.word_count, COUNT(*) FROM interview i INDEXED BY interview_started "
            f"JOIN answer a ON a.interview_id = i.id{_where_sql(where)} GROUP BY 1, 2, 3, 4, 5, 6, 7",
            params,
        ).fetchall()
    return rows


TALLY_GROUPS = {None: "''", "interviewer": "t.interviewer_id", "month": "t.month"}
TALLY_COLUMNS = ("NULLIF(t.opt_out, '')", "t.needed_explaining", "t.reworded", "t.upsetting", "t.word_count")


def _read_total(db: Database, table: str, columns: tuple[str, ...], flt: AnswerFilter,
                months: list[str] | None, by: str | None, question_ids: Sequence[str] | None = None) -> list[tuple]:
    """Return rows of a running total summed over the groups not asked for."""
    where: list[str] = []
    params: list[Any] = []
    if question_ids is not None:
        where.append(f"t.question_id IN ({_marks(question_ids)})")
        params.extend(question_ids)
    if flt.version_ids is not None:
        where.append(f"t.question_id IN (SELECT id FROM question WHERE version_id IN ({_marks(flt.version_ids)}))")
        params.extend(flt.version_ids)
    if flt.interviewer_id:
        where.append("t.interviewer_id = ?")
        params.append(flt.interviewer_id)
    if months is not None:
        where.append(f"t.month IN ({_marks(months)})")
        params.extend(months)
    sql = (
        f"SELECT t.question_id, {TALLY_GROUPS[by]} AS grp, {', '.join(columns)}, SUM(t.n) FROM {table} t"
        f"{_where_sql(where)} GROUP BY {', '.join(str(i) for i in range(1, len(columns) + 3))}"
    )
    return db.execute(sql, params).fetchall()


def _month_after(day: _dt.date) -> _dt.date:
    return (day.replace(day=28) + _dt.timedelta(days=4)).replace(day=1)


def _tally_plan(db: Database, flt: AnswerFilter) -> tuple[list[str] | None, list[tuple[_dt.date, _dt.date]]]:
    """Return (months to read from the running totals, None for all; day ranges to count directly).

    A month counts whole when the filter covers it, or when none of its interviews fall outside
    the filter's days, so the usual "first day to last day of the data" reads only totals.
    """
    if not (flt.start or flt.end):
        return None, []
    where, params = AnswerFilter(flt.version_ids, flt.interviewer_id).interview_where("i")
    first, last = db.execute(f"SELECT MIN(started_at), MAX(started_at) FROM interview i{_where_sql(where)}",
                             params).fetchone()
    if first is None:
        return [], []
    low = max(flt.start or _dt.date.min, _dt.date.fromisoformat(first[:10]))
    high = min(flt.end or _dt.date.max, _dt.date.fromisoformat(last[:10]))
    months: list[str] = []
    partial: list[tuple[_dt.date, _dt.date]] = []
    month = low.replace(day=1)
    while month <= high:
        after = _month_after(month)
        a, b = max(month, low), min(after - _dt.timedelta(days=1), high)
        outside = db.execute(
            f"SELECT EXISTS (SELECT 1 FROM interview i{_where_sql(where + ['i.started_at >= ?', 'i.started_at < ?'])}"
            " AND (i.started_at < ? OR i.started_at >= ?))",
            [*params, month.isoformat(), after.isoformat(), a.isoformat(),
             (b + _dt.timedelta(days=1)).isoformat()],
        ).fetchone()[0]
        if outside:
            partial.append((a, b))
        else:
            months.append(month.strftime("%Y-%m"))
        month = after
    return months, partial


def tally_counts(db: Database, version_ids: Sequence[str] | None = None) -> list[tuple]:
    """Return the same rows as answer_counts (no interviewer, days or split), read from the running totals."""
    rows = _read_total(db, "answer_tally_by", TALLY_COLUMNS, AnswerFilter.make(version_ids), None, None)
    return [row for row in rows if row[-1] > 0]


def counted_answer_groups(db: Database, flt: AnswerFilter) -> list[tuple]:
    """Return answer_counts' rows counted from the answers themselves (never from the totals)."""
    where, params = _answer_where(flt)
    sql = (
        "SELECT a.question_id, '' AS grp, a.opt_out, a.needed_explaining, a.reworded, a.upsetting, "
        "a.word_count, COUNT(*) FROM answer a INDEXED BY answer_quality"
        f"{_where_sql(where)} GROUP BY 1, 3, 4, 5, 6, 7"
    )
    return db.execute(sql, params).fetchall()


def open_text_counts(db: Database, flt: AnswerFilter, by: str | None = None) -> list[tuple]:
    """Return (question_id, grp, value, n) for open answers with words, one row per distinct text.

    Read from the running total of open answer texts, like answer_counts.
    """
    if by not in GROUPINGS:
        raise ValueError(f"{by!r} is not a way to split the figures. Use interviewer, month or language.")
    months, partial = _tally_plan(db, flt) if by not in COUNTED_SPLITS else ([], [(flt.start, flt.end)])
    rows = _read_total(db, "open_text_tally", ("t.value",), flt, months, by) if months != [] else []
    for first, last in partial:
        where, params = AnswerFilter(flt.version_ids, flt.interviewer_id, first, last).interview_where("i")
        where = ["a.opt_out IS NULL", "a.word_count > 0", *where]
        rows += db.execute(
            f"SELECT a.question_id, {GROUPINGS[by]} AS grp, a.value, COUNT(*) FROM interview i "
            f"INDEXED BY interview_started JOIN answer a ON a.interview_id = i.id{_where_sql(where)} GROUP BY 1, 2, 3",
            params,
        ).fetchall()
    return rows


def _open_answer_where(flt: AnswerFilter, question_ids: Sequence[str] | None, contains: str | None,
                       text_column: str) -> tuple[list[str], list[Any]]:
    """Return (conditions, parameters) for open answers matching FLT, QUESTION_IDS and CONTAINS in TEXT_COLUMN."""
    where, params = _answer_where(flt)
    where = ["a.opt_out IS NULL", "a.word_count > 0", *where]
    if question_ids is not None:
        where.append(f"a.question_id IN ({_marks(question_ids)})")
        params.extend(question_ids)
    if contains:
        # LIKE with an escape character, so % and _ typed in the search box are plain letters.
        escaped = contains.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        where.append(f"{text_column} LIKE ? ESCAPE '\\'")
        params.append(f"%{escaped}%")
    return where, params


def open_answers(
    db: Database,
    flt: AnswerFilter,
    *,
    question_ids: Sequence[str] | None = None,
    contains: str | None = None,
    limit: int | None = None,
) -> list[dict]:
    """Return open answers (question, text, interview, start time), newest first, optionally matching text."""
    where, params = _open_answer_where(flt, question_ids, contains, "a.value")
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
    """Return (question_id, value, n): how many gave each answer to these questions (opt-outs left out).

    For questions that are not open (options, numbers, dates), read from the running total
    (migration 0031) like answer_counts; a key may come back more than once, so add them up.
    """
    months, partial = _tally_plan(db, flt)
    rows = []
    if months != []:
        rows = [(q, v, n) for q, _grp, v, n in _read_total(db, "answer_value_tally", ("t.value",), flt, months, None,
                                                           question_ids)]
    for first, last in partial:
        where, params = AnswerFilter(flt.version_ids, flt.interviewer_id, first, last).interview_where("i")
        where = [f"a.question_id IN ({_marks(question_ids)})", "a.opt_out IS NULL", "a.value IS NOT NULL",
                 "a.word_count = 0", *where]
        rows += db.execute(
            "SELECT a.question_id, a.value, COUNT(*) FROM interview i INDEXED BY interview_started "
            f"JOIN answer a ON a.interview_id = i.id{_where_sql(where)} GROUP BY 1, 2",
            [*question_ids, *params],
        ).fetchall()
    return rows


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
        "i.finished_at, i.seconds, COALESCE(t.answers, 0) AS answers, t.last_question_id, "
        # Minutes worked out here, not by parsing 20,000 times in Python: the seconds saved, or else
        # finish time minus start time.
        "COALESCE(i.seconds, ROUND((julianday(i.finished_at) - julianday(i.started_at)) * 86400.0, 3)) / 60.0 AS minutes "
        f"FROM interview i LEFT JOIN interview_tally t ON t.interview_id = i.id{_where_sql(where)} "
        "ORDER BY i.started_at"
    )
    return _rows(db, sql, params)


def scale_places(db: Database, flt: AnswerFilter) -> list[tuple]:
    """Return (interview_id, scale answers, different places taken on the answer lists) per interview."""
    where, params = flt.interview_where("i")
    sql = (
        "SELECT s.interview_id, SUM(s.n), COUNT(*) FROM interview_scale_place s "
        f"JOIN interview i ON i.id = s.interview_id{_where_sql(where)} GROUP BY 1"
    )
    return db.execute(sql, params).fetchall()


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


# ---- open answers read once: personal details, masked text and common words ------------------


def waiting_texts(db: Database, limit: int | None = None) -> list[dict]:
    """Return answers still to be read (answer_id, value, note, open), oldest saved first."""
    sql = (
        "SELECT a.id AS answer_id, a.value, a.note, (a.opt_out IS NULL AND a.word_count > 0) AS open "
        "FROM open_text_queue q JOIN answer a ON a.id = q.answer_id"
    )
    params: list[Any] = []
    if limit is not None:
        sql += " LIMIT ?"
        params.append(int(limit))
    return _rows(db, sql, params)


def count_waiting_texts(db: Database) -> int:
    """Return how many open answers and notes are still to be read."""
    return db.execute("SELECT COUNT(*) FROM open_text_queue").fetchone()[0]


def save_read_texts(db: Database, rows: Sequence[dict]) -> int:
    """Store what was read from each answer and take it off the queue; return how many were stored.

    Each row: answer_id, value and note as they were read, value_findings, masked_value,
    note_findings, masked_note, terms (JSON text) and made_with. An answer changed since it was
    read is left on the queue, so stale words are never stored.
    """
    from . import write_transaction

    same = "EXISTS (SELECT 1 FROM answer WHERE id = ? AND value IS ? AND note IS ?)"
    with write_transaction(db):
        before = db.conn.total_changes
        db.conn.executemany(
            "INSERT OR REPLACE INTO open_text_derived (answer_id, value_findings, masked_value, note_findings, "
            f"masked_note, terms, made_with) SELECT ?, ?, ?, ?, ?, ?, ? WHERE {same}",
            [(r["answer_id"], r["value_findings"], r["masked_value"], r["note_findings"], r["masked_note"],
              r["terms"], r["made_with"], r["answer_id"], r["value"], r["note"]) for r in rows],
        )
        stored = db.conn.total_changes - before
        db.conn.executemany(
            f"DELETE FROM open_text_queue WHERE answer_id = ? AND {same}",
            [(r["answer_id"], r["answer_id"], r["value"], r["note"]) for r in rows],
        )
    return stored


def requeue_texts_read_otherwise(db: Database, made_with: str) -> int:
    """Put back on the queue answers read another way (another model or rules); return how many."""
    from . import write_transaction

    if db.execute("SELECT 1 FROM open_text_derived WHERE made_with != ? LIMIT 1", [made_with]).fetchone() is None:
        return 0
    with write_transaction(db):
        return db.execute(
            "INSERT OR IGNORE INTO open_text_queue (answer_id) SELECT answer_id FROM open_text_derived "
            "WHERE made_with != ?", [made_with],
        ).rowcount


def terms_of_stored_texts(db: Database, version_id: str, texts: Sequence[str]) -> list[tuple[str, str]]:
    """Return (text, its terms as JSON) for these open answer texts of a version that were read."""
    out: list[tuple[str, str]] = []
    for start in range(0, len(texts), 500):
        part = list(texts[start:start + 500])
        out += db.execute(
            "SELECT a.value, MIN(d.terms) FROM answer a INDEXED BY answer_open_text "
            "JOIN open_text_derived d ON d.answer_id = a.id WHERE a.opt_out IS NULL AND a.word_count > 0 "
            f"AND a.question_id IN (SELECT id FROM question WHERE version_id = ?) AND a.value IN ({_marks(part)}) "
            "GROUP BY a.value",
            [version_id, *part],
        ).fetchall()
    return out


def masked_open_answers(
    db: Database,
    flt: AnswerFilter,
    *,
    question_ids: Sequence[str] | None = None,
    contains: str | None = None,
    limit: int | None = None,
) -> list[dict]:
    """Return open answers as masked text (question, masked text, interview, start time), newest first.

    The search looks in the masked text only, so a hidden name cannot be found by searching
    for it. Answers not read yet have no masked text and are left out.
    """
    where, params = _open_answer_where(flt, question_ids, contains, "d.masked_value")
    sql = (
        "SELECT a.id AS answer_id, a.question_id, q.name, q.topic, q.version_id, d.masked_value AS value, "
        # With nothing to look for, the newest interviews are walked from the start index, so the
        # first 200 answers are found without sorting every open answer of the version; a search
        # reads the open answers themselves (a word may be in few of them).
        "a.word_count, a.interview_id, i.started_at FROM "
        + ("answer a JOIN interview i ON i.id = a.interview_id" if contains else
           "interview i INDEXED BY interview_started CROSS JOIN answer a ON a.interview_id = i.id")
        + f" JOIN open_text_derived d ON d.answer_id = a.id JOIN question q ON q.id = a.question_id{_where_sql(where)} "
        "ORDER BY i.started_at DESC, q.position"
    )
    if limit is not None:
        sql += " LIMIT ?"
        params.append(int(limit))
    return _rows(db, sql, params)


def masked_texts_for_version(db: Database, version_id: str) -> dict[str, str | None]:
    """Return answer text: its masked text, for every different open answer of a version already read."""
    return dict(db.execute(
        "SELECT DISTINCT a.value, d.masked_value FROM open_text_derived d JOIN answer a ON a.id = d.answer_id "
        "JOIN question q ON q.id = a.question_id WHERE q.version_id = ? AND d.masked_value IS NOT NULL",
        [version_id],
    ).fetchall())


def stored_findings(db: Database, version_id: str | None = None) -> list[dict]:
    """Return answers with personal details found in their text or note, with the findings as JSON."""
    sql = (
        "SELECT a.id AS answer_id, a.interview_id, i.respondent_code, v.label AS version_label, "
        "q.name AS question_name, q.wording, a.value, a.note, d.value_findings, d.note_findings "
        "FROM open_text_derived d JOIN answer a ON a.id = d.answer_id JOIN interview i ON i.id = a.interview_id "
        "JOIN question q ON q.id = a.question_id JOIN survey_version v ON v.id = q.version_id "
        "WHERE (d.value_findings != '[]' OR d.note_findings != '[]')"
    )
    params: list[Any] = []
    if version_id is not None:
        sql += " AND q.version_id = ?"
        params.append(version_id)
    # Interviews started at the same moment keep one order, whichever plan SQLite picks.
    sql += " ORDER BY i.started_at, i.id, q.position"
    return _rows(db, sql, params)


# Answer indexes a bulk load may drop and make again: none of them holds a constraint. They are
# made again in this order, the widest last (see _sorting).
REBUILDABLE_ANSWER_INDEXES = ("answer_open_text", "answer_updated", "answer_quality")


# The trigger that refuses an answer to a question of another version. Run once per row it costs
# more than the insert itself, so a bulk load drops it and checks every new answer in one query.
VERSION_CHECK_TRIGGER = "answer_question_matches_version_insert"
VERSION_CHECK_MESSAGE = "This answer is for a question that is not in this survey version."


def _check_new_answers_match_version(db: Database, after_rowid: int) -> None:
    """Raise sqlite3.IntegrityError, as the trigger would, if an answer added after AFTER_ROWID
    is for a question that is not in its interview's version."""
    # A join, not the trigger's two lookups per answer: a third quicker. An answer whose interview
    # or question is missing is left to the foreign keys, which refuse it by the commit.
    wrong = db.execute(
        "SELECT 1 FROM answer a JOIN interview i ON i.id = a.interview_id JOIN question q ON q.id = a.question_id "
        "WHERE a.rowid > ? AND q.version_id IS NOT i.version_id LIMIT 1",
        [after_rowid],
    ).fetchone()
    if wrong is not None:
        raise sqlite3.IntegrityError(VERSION_CHECK_MESSAGE)


def _totals_can_be_copied(db: Database, schema: str) -> bool:
    """Return True when SCHEMA (an attached database) has every running total, agreeing with its answers.

    A cheap check that the other laptop's totals were kept: every answer is counted once in the
    per-question totals and once in the per-interview totals.
    """
    from .migrations import TOTAL_TABLES

    for table in (*TOTAL_TABLES, "open_text_derived"):
        if db.execute(f"SELECT 1 FROM {schema}.sqlite_master WHERE type = 'table' AND name = ?",
                      [table]).fetchone() is None:
            return False
    answers, by_question, by_interview = db.execute(
        f"SELECT (SELECT COUNT(*) FROM {schema}.answer), (SELECT COALESCE(SUM(n), 0) FROM {schema}.answer_tally_by), "
        f"(SELECT COALESCE(SUM(answers), 0) FROM {schema}.interview_tally)").fetchone()
    return answers == by_question == by_interview


@contextlib.contextmanager
def bulk_answer_load(db: Database, *, totals_from: str | None = None,
                     totals_counted: bool = False) -> Iterator[None]:
    """Run a bulk insert of answers with the running totals and spare indexes worked out once, after.

    Inside the caller's write transaction: the triggers that keep the running totals and the
    answer indexes that hold no constraint are dropped, the block inserts, then the indexes are
    made again (one sort each instead of a million single inserts) and the totals are worked out
    from scratch. The trigger that refuses an answer to a question of another version is dropped
    too, and every new answer is checked in one query after the block instead: a wrong one raises
    the same error. Everything is one transaction, so a failure leaves the schema as it was.

    TOTALS_FROM names an attached database whose totals are taken as they are instead of being
    worked out again: only for a merge into a laptop that had no questions, interviews or answers
    and took every one of the other laptop's answers, whose totals then are exactly the other's.
    They are taken only when that database has them all and they agree with its answers, and
    then what it read from each open answer is taken too, so nothing is read again.

    TOTALS_COUNTED: the block counts its own answers into the totals with add_counted_totals
    (the demo, which knows every answer it makes). The totals are then not worked out again,
    unless they do not add up: every new answer must be counted once per question and once
    per interview, or everything is worked out from scratch after all.
    """
    from .migrations import ALL_TOTAL_TRIGGERS as RUNNING_TOTAL_TRIGGERS
    from .migrations import BULK_TOTAL_REBUILD, QUEUE_REBUILD, TOTAL_TABLES

    if not db.conn.in_transaction:
        raise RuntimeError("bulk_answer_load must run inside write_transaction")
    triggers = [*RUNNING_TOTAL_TRIGGERS, VERSION_CHECK_TRIGGER]
    kept = db.execute(
        f"SELECT name, sql FROM sqlite_master WHERE (type = 'trigger' AND name IN ({_marks(triggers)})) "
        f"OR (type = 'index' AND name IN ({_marks(REBUILDABLE_ANSWER_INDEXES)})) ORDER BY type DESC",
        [*triggers, *REBUILDABLE_ANSWER_INDEXES],
    ).fetchall()
    before = db.execute("SELECT COALESCE(MAX(rowid), 0) FROM answer").fetchone()[0]
    sums_before = _total_sums(db)
    for name, sql in kept:
        kind = "TRIGGER" if sql.lstrip().upper().startswith("CREATE TRIGGER") else "INDEX"
        db.execute(f"DROP {kind} {name}")
    yield
    _check_new_answers_match_version(db, before)
    dropped = dict(kept)
    for name, sql in kept:
        if name not in REBUILDABLE_ANSWER_INDEXES:
            db.execute(sql)
    with _sorting(db):
        for name in REBUILDABLE_ANSWER_INDEXES:
            if name == REBUILDABLE_ANSWER_INDEXES[-1]:
                db.execute(f"PRAGMA cache_size = {SORT_CACHE}")
            if name in dropped:
                db.execute(dropped[name])
    if totals_counted:
        added = db.execute("SELECT COUNT(*) FROM answer WHERE rowid > ?", [before]).fetchone()[0]
        if _total_sums(db) == tuple(n + added for n in sums_before):
            return
    if totals_from is None or not _totals_can_be_copied(db, totals_from):
        for sql in BULK_TOTAL_REBUILD:
            db.execute(sql)
        return
    # What the other laptop read from each open answer (personal details, masks, common words)
    # holds for the same answer here, so those answers are not queued to be read again.
    for table in (*TOTAL_TABLES, "open_text_derived"):
        columns = ", ".join(r[1] for r in db.execute(f"PRAGMA main.table_info({table})").fetchall())
        if table == "open_text_derived":
            db.execute(f"INSERT OR IGNORE INTO main.{table} ({columns}) SELECT {columns} "
                       f"FROM {totals_from}.{table} WHERE answer_id IN (SELECT id FROM main.answer)")
        else:
            db.execute(f"DELETE FROM main.{table}")
            db.execute(f"INSERT INTO main.{table} ({columns}) SELECT {columns} FROM {totals_from}.{table}")
    db.execute(QUEUE_REBUILD)


@contextlib.contextmanager
def _sorting(db: Database) -> Iterator[None]:
    """Let SQLite's sorter use helper threads while the answer indexes are made again.

    The widest index goes last, with a small page cache: the sorter then sorts it in pieces, on
    both cores (answer_quality on 20,000 interviews: 2.9 s with the load's large cache, 1.2 s
    so). The smaller indexes go first, while the new answers are still in the large cache.
    """
    cache, threads = (db.execute(f"PRAGMA {name}").fetchone()[0] for name in ("cache_size", "threads"))
    db.execute(f"PRAGMA threads = {SORT_THREADS}")
    try:
        yield
    finally:
        db.execute(f"PRAGMA cache_size = {int(cache)}")
        db.execute(f"PRAGMA threads = {int(threads)}")


SORT_THREADS = 2
SORT_CACHE = -8192  # KiB


def _total_sums(db: Database) -> tuple[int, int]:
    """Return how many answers the per-question and the per-interview totals count."""
    return db.execute("SELECT (SELECT COALESCE(SUM(n), 0) FROM answer_tally_by), "
                      "(SELECT COALESCE(SUM(answers), 0) FROM interview_tally)").fetchone()


def add_counted_totals(db: Database, rows: Mapping[str, Sequence[Sequence[Any]]]) -> None:
    """Add totals a bulk load counted itself to the running-total tables (see bulk_answer_load).

    ROWS maps each table of migrations.TOTAL_TABLES, and open_text_queue, to its new rows, each
    in the order of the table's columns. They are for new answers, so they add rows, never counts.
    """
    from .migrations import TOTAL_TABLES

    for table in (*TOTAL_TABLES, "open_text_queue"):
        columns = [r[1] for r in db.execute(f"PRAGMA main.table_info({table})").fetchall()]
        db.conn.executemany(f"INSERT INTO main.{table} ({', '.join(columns)}) VALUES ({_marks(columns)})",
                            rows.get(table, ()))


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


def interviews_taking_part(db: Database, version_id: str) -> int:
    """Return how many interviews of a version had the person's agreement to take part."""
    return db.execute("SELECT COUNT(*) FROM interview WHERE version_id = ? AND consent = 'given'",
                      [version_id]).fetchone()[0]


def question_stamp(db: Database) -> str:
    """Return a short text that changes whenever questions change (not when answers arrive)."""
    row = db.execute("SELECT COUNT(*), MAX(updated_at) FROM question").fetchone()
    return "|".join("" if v is None else str(v) for v in row)


def bare_answer_group_by(db: Database) -> list[tuple]:
    """Return (question_id, count) over all answers: the floor the benchmark compares against."""
    return db.execute("SELECT question_id, COUNT(*) FROM answer GROUP BY question_id").fetchall()


__all__ = [
    "AnswerFilter",
    "count_waiting_texts",
    "masked_open_answers",
    "masked_texts_for_version",
    "requeue_texts_read_otherwise",
    "save_read_texts",
    "stored_findings",
    "terms_of_stored_texts",
    "waiting_texts",
    "OPEN_TYPES",
    "answer_counts",
    "bare_answer_group_by",
    "add_counted_totals",
    "bulk_answer_load",
    "counted_answer_groups",
    "data_stamp",
    "interview_date_range",
    "interview_rows",
    "interviews_taking_part",
    "interviewers",
    "open_answers",
    "open_text_counts",
    "question_stamp",
    "questions_for_versions",
    "scale_answers",
    "scale_places",
    "tally_counts",
    "value_counts",
]
