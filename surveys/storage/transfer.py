"""SQL for moving data in and out: answer import and export, laptop merge, backup checks.

Every function takes a database (or a path for whole-file checks) and does one small thing.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from .migrations import ERASED_MARK

from . import (
    SQLITE_HEADER,
    NotOurDatabase,
    SchemaTooNew,
    StorageError,
    _refuse_foreign_or_newer,
    _rows,
    get_setting,
    set_setting,
)

# Tables copied between laptops, in an order where parents come before children.
# Accounts, sign-in attempts and settings stay on each laptop on purpose: passwords and
# local choices do not travel.
MERGE_TABLES = (
    "survey",
    "person",
    "survey_version",
    "question",
    "interview",
    "answer",
    "proposal",
    "proposal_comment",
    "proposal_reaction",
    "wording_history",
    "glossary_term",
    "flag_dismissal",
    "version_language",
    "question_translation",
)
AUDIT_COLUMNS = ("at", "actor", "action", "table_name", "record_id", "old_value", "new_value")
CHOICE_NAMES_PREFIX = "xlsform_choice_names:"


# ---- checking a database file -----------------------------------------------------------------


def check_database_file(path: str | os.PathLike) -> None:
    """Return None when PATH is a Peer Survey Studio database this code can read; else raise.

    Opens the file read-only, so checking never changes it.
    """
    path = Path(path)
    if not path.exists() or not path.is_file():
        raise StorageError(f"There is no file at {path}. Check the path.")
    with open(path, "rb") as fh:
        head = fh.read(16)
    if head != SQLITE_HEADER:
        raise NotOurDatabase(f"{path.name} is not a Peer Survey Studio database, so it was left alone.")
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.DatabaseError as exc:
        raise NotOurDatabase(f"{path.name} could not be opened as a database.") from exc
    try:
        db = Database(conn, execute_plugins=False)
        try:
            _refuse_foreign_or_newer(db)
            if not db.table_names():
                raise NotOurDatabase(f"{path.name} is an empty database, not a Peer Survey Studio one.")
            status = conn.execute("PRAGMA quick_check").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            raise NotOurDatabase(f"{path.name} is damaged or is not a database.") from exc
        if status != "ok":
            raise NotOurDatabase(f"{path.name} is damaged, so it was not used.")
    finally:
        conn.close()


def checkpoint(db: Database) -> None:
    """Return None after copying the write-ahead log into the main file, so file bytes are final."""
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")


# ---- answers in ---------------------------------------------------------------------------------


def existing_interview_ids(db: Database, ids: Iterable[str]) -> set[str]:
    """Return which of IDS are already interviews in the database."""
    found: set[str] = set()
    ids = list(ids)
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        sql = f"SELECT id FROM interview WHERE id IN ({', '.join('?' for _ in chunk)})"
        found.update(row[0] for row in db.execute(sql, chunk).fetchall())
    return found


def choice_names(db: Database, lineage_id: str) -> dict[str, str]:
    """Return the XLSForm choice names kept for a question's options: {option label: name}."""
    raw = get_setting(db, CHOICE_NAMES_PREFIX + lineage_id)
    return json.loads(raw) if raw else {}


def save_choice_names(db: Database, lineage_id: str, names: dict[str, str], actor: str | None) -> None:
    """Keep the XLSForm choice names of a question's options, so answers coded by name come back."""
    set_setting(db, CHOICE_NAMES_PREFIX + lineage_id, json.dumps(names, ensure_ascii=False), actor=actor)


# ---- answers out --------------------------------------------------------------------------------


def interviews_for_export(db: Database, version_id: str) -> list[dict]:
    """Return the interviews of a version with the interviewer's name, oldest first."""
    return _rows(
        db,
        "SELECT i.id, i.respondent_code, i.consent, i.status, i.mode, i.started_at, i.finished_at, "
        "i.seconds, i.synthetic, COALESCE(p.display_name, '') AS interviewer "
        "FROM interview i LEFT JOIN person p ON p.id = i.interviewer_id "
        "WHERE i.version_id = ? ORDER BY i.started_at, i.id",
        [version_id],
    )


def answers_for_export(db: Database, version_id: str) -> list[tuple]:
    """Return (interview_id, question_id, value, opt_out) for every answer in a version."""
    return db.execute(
        "SELECT a.interview_id, a.question_id, a.value, a.opt_out FROM answer a "
        "JOIN interview i ON i.id = a.interview_id WHERE i.version_id = ?",
        [version_id],
    ).fetchall()


# ---- laptop merge ---------------------------------------------------------------------------------


def attach_source(db: Database, path: str | os.PathLike) -> None:
    """Attach the database at PATH as schema `src`, read-only, for the merge queries."""
    uri = f"file:{Path(path).resolve()}?mode=ro"
    db.execute("ATTACH DATABASE ? AS src", [uri])


def detach_source(db: Database) -> None:
    """Detach the `src` schema after a merge."""
    db.execute("DETACH DATABASE src")


def table_columns(db: Database, table: str, schema: str = "main") -> list[str]:
    """Return the column names of TABLE in SCHEMA (empty when the table is not there)."""
    return [row[1] for row in db.execute(f"PRAGMA {schema}.table_info([{table}])").fetchall()]


def shared_columns(db: Database, table: str) -> list[str]:
    """Return the columns TABLE has both here and in the attached source, in this side's order."""
    theirs = set(table_columns(db, table, "src"))
    return [c for c in table_columns(db, table, "main") if c in theirs]


def rows_only_in_source(db: Database, table: str, columns: Sequence[str]) -> list[dict]:
    """Return source rows of TABLE whose id is not here yet."""
    cols = ", ".join(f"s.[{c}]" for c in columns)
    return _rows(
        db,
        f"SELECT {cols} FROM src.[{table}] s WHERE NOT EXISTS (SELECT 1 FROM main.[{table}] m WHERE m.id = s.id)",
    )


def rows_differing(db: Database, table: str, columns: Sequence[str]) -> list[tuple[dict, dict]]:
    """Return (ours, theirs) pairs for rows of TABLE with the same id but different content."""
    differ = " OR ".join(f"m.[{c}] IS NOT s.[{c}]" for c in columns if c != "id")
    ours = ", ".join(f"m.[{c}] AS [m_{c}]" for c in columns)
    theirs = ", ".join(f"s.[{c}] AS [s_{c}]" for c in columns)
    pairs = []
    for row in _rows(db, f"SELECT {ours}, {theirs} FROM src.[{table}] s JOIN main.[{table}] m ON m.id = s.id "
                         f"WHERE {differ}"):
        pairs.append(({c: row[f"m_{c}"] for c in columns}, {c: row[f"s_{c}"] for c in columns}))
    return pairs


def insert_row(db: Database, table: str, row: dict) -> None:
    """Insert one row into TABLE."""
    cols = list(row)
    db.execute(
        f"INSERT INTO main.[{table}] ({', '.join(f'[{c}]' for c in cols)}) VALUES ({', '.join('?' for _ in cols)})",
        [row[c] for c in cols],
    )


def replace_row(db: Database, table: str, row: dict) -> None:
    """Overwrite the row of TABLE with the same id by ROW's values."""
    cols = [c for c in row if c != "id"]
    db.execute(
        f"UPDATE main.[{table}] SET {', '.join(f'[{c}] = ?' for c in cols)} WHERE id = ?",
        [row[c] for c in cols] + [row["id"]],
    )


def delete_row(db: Database, table: str, row_id: str) -> None:
    """Delete the row of TABLE with this id."""
    db.execute(f"DELETE FROM main.[{table}] WHERE id = ?", [row_id])


def answers_only_in_source(db: Database, columns: Sequence[str]) -> int:
    """Copy source answers that are new here (by id and by interview and question); return how many."""
    cols = ", ".join(f"[{c}]" for c in columns)
    scols = ", ".join(f"s.[{c}]" for c in columns)
    cursor = db.execute(
        f"INSERT INTO main.answer ({cols}) SELECT {scols} FROM src.answer s "
        "WHERE NOT EXISTS (SELECT 1 FROM main.answer m WHERE m.id = s.id) "
        "AND NOT EXISTS (SELECT 1 FROM main.answer m WHERE m.interview_id = s.interview_id "
        "AND m.question_id = s.question_id) "
        # Only answers whose interview and question made it here: an erased interview stays erased.
        "AND EXISTS (SELECT 1 FROM main.interview i WHERE i.id = s.interview_id) "
        "AND EXISTS (SELECT 1 FROM main.question q WHERE q.id = s.question_id)"
    )
    return cursor.rowcount


def answers_clashing_by_place(db: Database, columns: Sequence[str]) -> list[tuple[dict, dict]]:
    """Return (ours, theirs) answers for the same interview and question but different ids."""
    ours = ", ".join(f"m.[{c}] AS [m_{c}]" for c in columns)
    theirs = ", ".join(f"s.[{c}] AS [s_{c}]" for c in columns)
    rows = _rows(
        db,
        f"SELECT {ours}, {theirs} FROM src.answer s JOIN main.answer m "
        "ON m.interview_id = s.interview_id AND m.question_id = s.question_id WHERE m.id != s.id",
    )
    return [({c: r[f"m_{c}"] for c in columns}, {c: r[f"s_{c}"] for c in columns}) for r in rows]


def audit_rows_only_in_source(db: Database) -> int:
    """Copy audit entries from the source that are not here by content; return how many."""
    cols = ", ".join(AUDIT_COLUMNS)
    scols = ", ".join(f"s.{c}" for c in AUDIT_COLUMNS)
    # An entry blanked by an erasure here is still the same entry as the source's full one.
    same = " AND ".join(
        f"(m.{c} IS s.{c} OR m.{c} = '{ERASED_MARK}')" if c in ("old_value", "new_value") else f"m.{c} IS s.{c}"
        for c in AUDIT_COLUMNS
    )
    cursor = db.execute(
        f"INSERT INTO main.audit_log ({cols}) SELECT {scols} FROM src.audit_log s "
        f"WHERE NOT EXISTS (SELECT 1 FROM main.audit_log m WHERE {same}) ORDER BY s.id"
    )
    return cursor.rowcount


def audit_entry_exists(db: Database, action: str, record_id: str, old: Any, new: Any) -> bool:
    """Return True when an audit entry with this action, record and old and new values is here."""
    from . import _json

    return db.execute(
        "SELECT 1 FROM audit_log WHERE action = ? AND record_id = ? AND old_value IS ? AND new_value IS ? LIMIT 1",
        [action, record_id, _json(old), _json(new)],
    ).fetchone() is not None


def erasures(db: Database, schema: str = "main") -> list[tuple[str, str]]:
    """Return (respondent code, when) for every erasure recorded in SCHEMA's audit log."""
    return [tuple(r) for r in db.execute(
        f"SELECT record_id, at FROM {schema}.audit_log WHERE action = 'erase respondent'"
    ).fetchall()]


def erased_record_ids(db: Database, respondent_code: str, erased_at: str, schema: str = "src") -> list[str]:
    """Return ids of SCHEMA's interviews for an erased code (started before the erasure) and their answers."""
    where = "lower(respondent_code) = lower(?) AND started_at <= ?"
    interviews = [r[0] for r in db.execute(
        f"SELECT id FROM {schema}.interview WHERE {where}", [respondent_code, erased_at]).fetchall()]
    if not interviews:
        return []
    marks = ", ".join("?" for _ in interviews)
    answers = [r[0] for r in db.execute(
        f"SELECT id FROM {schema}.answer WHERE interview_id IN ({marks})", interviews).fetchall()]
    return interviews + answers


def delete_erased_interviews(db: Database, respondent_code: str, erased_at: str) -> tuple[int, int]:
    """Delete interviews here for an erased code that started before the erasure; return (interviews, answers)."""
    where = "lower(respondent_code) = lower(?) AND started_at <= ?"
    answers = db.execute(
        f"SELECT COUNT(*) FROM answer WHERE interview_id IN (SELECT id FROM interview WHERE {where})",
        [respondent_code, erased_at],
    ).fetchone()[0]
    db.execute(f"DELETE FROM answer WHERE interview_id IN (SELECT id FROM interview WHERE {where})",
               [respondent_code, erased_at])
    interviews = db.execute(f"DELETE FROM interview WHERE {where}", [respondent_code, erased_at]).rowcount
    return interviews, answers


def answers_left_out(db: Database) -> int:
    """Return how many source answers have no copy here (by id or by interview and question)."""
    return db.execute(
        "SELECT COUNT(*) FROM src.answer s WHERE NOT EXISTS (SELECT 1 FROM main.answer m WHERE m.id = s.id) "
        "AND NOT EXISTS (SELECT 1 FROM main.answer m WHERE m.interview_id = s.interview_id "
        "AND m.question_id = s.question_id)"
    ).fetchone()[0]


def table_exists(db: Database, table: str, schema: str = "main") -> bool:
    """Return True when TABLE is in SCHEMA."""
    return db.execute(
        f"SELECT 1 FROM {schema}.sqlite_master WHERE type = 'table' AND name = ?", [table]
    ).fetchone() is not None


def dump_tables(db: Database) -> dict[str, list[tuple]]:
    """Return every row of every table, sorted, for comparing two databases' contents."""
    out = {}
    for (name,) in db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
    ).fetchall():
        rows = db.execute(f"SELECT * FROM [{name}]").fetchall()
        out[name] = sorted(rows, key=lambda r: json.dumps(r, default=str))
    return out


__all__ = [
    "MERGE_TABLES",
    "NotOurDatabase",
    "SchemaTooNew",
    "answers_clashing_by_place",
    "answers_for_export",
    "answers_only_in_source",
    "attach_source",
    "audit_entry_exists",
    "audit_rows_only_in_source",
    "check_database_file",
    "checkpoint",
    "choice_names",
    "answers_left_out",
    "delete_erased_interviews",
    "delete_row",
    "erasures",
    "detach_source",
    "dump_tables",
    "existing_interview_ids",
    "insert_row",
    "interviews_for_export",
    "replace_row",
    "rows_differing",
    "rows_only_in_source",
    "save_choice_names",
    "shared_columns",
    "table_columns",
    "table_exists",
]
