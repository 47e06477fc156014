"""SQL for moving data in and out: answer import and export, laptop merge, backup checks.

Every function takes a database (or a path for whole-file checks) and does one small thing.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from .migrations import ERASED_MARK

from . import (
    ERASURE_KEY_PREFIX,
    NotOurDatabase,
    SchemaTooNew,
    StorageError,
    _refuse_foreign_or_newer,
    _rows,
    erasure_key,
    get_setting,
    set_setting,
    sqlite_uri,
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
ERASE_ACTION = "erase respondent"
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
    if path.stat().st_size == 0:
        raise NotOurDatabase(f"{path.name} is empty, so it is not a Peer Survey Studio database.")
    # Only SQLite reads the file, never Python's open(): the file may be a database that this
    # process has open, and closing a plain file handle would drop SQLite's locks on it.
    try:
        conn = sqlite3.connect(sqlite_uri(path, mode="ro"), uri=True)
    except sqlite3.DatabaseError as exc:
        raise NotOurDatabase(f"{path.name} could not be opened as a database.") from exc
    try:
        db = Database(conn, execute_plugins=False)
        try:
            conn.execute("PRAGMA schema_version").fetchone()
        except sqlite3.DatabaseError as exc:
            raise NotOurDatabase(f"{path.name} is not a Peer Survey Studio database, so it was left alone.") from exc
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
    db.execute("ATTACH DATABASE ? AS src", [sqlite_uri(path, mode="ro")])


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


def table_is_empty(db: Database, table: str, schema: str = "main") -> bool:
    """Return True when TABLE in SCHEMA has no rows (one lookup)."""
    return db.execute(f"SELECT 1 FROM {schema}.[{table}] LIMIT 1").fetchone() is None


def add_rows_only_in_source(db: Database, table: str, columns: Sequence[str],
                            erased: dict[str, str] | None = None) -> int:
    """Copy source rows of TABLE whose id is not here yet, in one INSERT ... SELECT; return how many.

    For interviews, ERASED ({code fingerprint: when}) leaves out those started before their
    code was erased. Raises sqlite3.IntegrityError when a row breaks a rule (the caller then
    adds rows one by one to say which).
    """
    cols = ", ".join(f"[{c}]" for c in columns)
    scols = ", ".join(f"s.[{c}]" for c in columns)
    where = f"NOT EXISTS (SELECT 1 FROM main.[{table}] m WHERE m.id = s.id)"
    if erased:
        _fill_erased(db, erased)
        where += (" AND NOT EXISTS (SELECT 1 FROM temp.erased_code e "
                  "WHERE e.key = erasure_key(s.respondent_code) AND s.started_at <= e.at)")
    return db.execute(f"INSERT INTO main.[{table}] ({cols}) SELECT {scols} FROM src.[{table}] s WHERE {where}").rowcount


def rows_only_in_source(db: Database, table: str, columns: Sequence[str],
                        erased: dict[str, str] | None = None) -> list[dict]:
    """Return source rows of TABLE whose id is not here yet (for interviews, not erased here)."""
    cols = ", ".join(f"s.[{c}]" for c in columns)
    rows = _rows(
        db,
        f"SELECT {cols} FROM src.[{table}] s WHERE NOT EXISTS (SELECT 1 FROM main.[{table}] m WHERE m.id = s.id)",
    )
    if erased:
        rows = [r for r in rows if r["started_at"] > erased.get(erasure_key(r["respondent_code"]), "")]
    return rows


def _fill_erased(db: Database, erased: dict[str, str]) -> None:
    db.execute("CREATE TEMP TABLE IF NOT EXISTS erased_code (key TEXT PRIMARY KEY, at TEXT NOT NULL)")
    db.execute("DELETE FROM temp.erased_code")
    db.conn.executemany("INSERT INTO temp.erased_code (key, at) VALUES (?, ?)", list(erased.items()))


def _missing_here(db: Database, table: str) -> int:
    """Fill temp.missing_<table> with source ids of TABLE that are not here; return how many."""
    db.execute(f"CREATE TEMP TABLE IF NOT EXISTS missing_{table} (id TEXT PRIMARY KEY)")
    db.execute(f"DELETE FROM temp.missing_{table}")
    return db.execute(
        f"INSERT INTO temp.missing_{table} SELECT s.id FROM src.[{table}] s "
        f"WHERE NOT EXISTS (SELECT 1 FROM main.[{table}] m WHERE m.id = s.id)").rowcount


def answers_only_in_source(db: Database, columns: Sequence[str], *, none_here: bool = False,
                           fresh_laptop: bool = False) -> tuple[int, int]:
    """Copy source answers that are new here (by id and by interview and question); return (added, left out).

    Only answers whose interview and question are here come in: an erased interview stays
    erased. NONE_HERE (this side had no answers before) needs no check against answers here,
    so the copy is one plain INSERT ... SELECT with at most a check against the few interviews
    and questions that did not come in, with the running totals worked out once after it.
    "Left out" counts source answers that have no copy here. FRESH_LAPTOP (this side had no
    questions, interviews or answers before the merge): when every source answer comes in, the
    source's running totals are taken as they are (see quality.bulk_answer_load).
    """
    cols = ", ".join(f"[{c}]" for c in columns)
    scols = ", ".join(f"s.[{c}]" for c in columns)
    if not none_here:
        added = db.execute(
            f"INSERT INTO main.answer ({cols}) SELECT {scols} FROM src.answer s "
            "WHERE NOT EXISTS (SELECT 1 FROM main.answer m WHERE m.id = s.id) "
            "AND NOT EXISTS (SELECT 1 FROM main.answer m WHERE m.interview_id = s.interview_id "
            "AND m.question_id = s.question_id) "
            "AND EXISTS (SELECT 1 FROM main.interview i WHERE i.id = s.interview_id) "
            "AND EXISTS (SELECT 1 FROM main.question q WHERE q.id = s.question_id)"
        ).rowcount
        left = db.execute(
            "SELECT COUNT(*) FROM src.answer s WHERE NOT EXISTS (SELECT 1 FROM main.answer m WHERE m.id = s.id) "
            "AND NOT EXISTS (SELECT 1 FROM main.answer m WHERE m.interview_id = s.interview_id "
            "AND m.question_id = s.question_id)"
        ).fetchone()[0]
        return added, left
    gaps = []
    if _missing_here(db, "interview"):
        gaps.append("s.interview_id IN (SELECT id FROM temp.missing_interview)")
    if _missing_here(db, "question"):
        gaps.append("s.question_id IN (SELECT id FROM temp.missing_question)")
    where = f" WHERE NOT ({' OR '.join(gaps)})" if gaps else ""
    from .quality import bulk_answer_load

    # The running totals and the spare answer indexes are worked out once after the copy, as
    # the demo load does, instead of once per answer.
    with bulk_answer_load(db, totals_from="src" if fresh_laptop and not gaps else None):
        added = db.execute(f"INSERT INTO main.answer ({cols}) SELECT {scols} FROM src.answer s{where}").rowcount
    left = db.execute(f"SELECT COUNT(*) FROM src.answer s WHERE {' OR '.join(gaps)}").fetchone()[0] if gaps else 0
    return added, left


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
    """Copy audit entries from the source that are not here by content; return how many.

    An erasure entry from an older app names the code itself: it comes in with the code's
    fingerprint instead, and the code taken out of its reason.
    """
    cols = ", ".join(AUDIT_COLUMNS)
    scols = ", ".join(f"s.{c}" for c in AUDIT_COLUMNS)
    # An entry blanked by an erasure here is still the same entry as the source's full one.
    same = " AND ".join(
        f"(m.{c} IS s.{c} OR m.{c} = '{ERASED_MARK}')" if c in ("old_value", "new_value") else f"m.{c} IS s.{c}"
        for c in AUDIT_COLUMNS
    )
    added = db.execute(
        f"INSERT INTO main.audit_log ({cols}) SELECT {scols} FROM src.audit_log s "
        f"WHERE s.action != '{ERASE_ACTION}' AND NOT EXISTS (SELECT 1 FROM main.audit_log m WHERE {same}) "
        "ORDER BY s.id"
    ).rowcount
    for row in _rows(db, f"SELECT {cols} FROM src.audit_log WHERE action = '{ERASE_ACTION}' ORDER BY id"):
        row = fingerprint_erasure_entry(row)
        exists = db.execute(
            "SELECT 1 FROM main.audit_log WHERE " + " AND ".join(f"{c} IS :{c}" for c in AUDIT_COLUMNS) + " LIMIT 1",
            row).fetchone()
        if not exists:
            db.execute(f"INSERT INTO main.audit_log ({cols}) VALUES ({', '.join(':' + c for c in AUDIT_COLUMNS)})",
                       row)
            added += 1
    return added


def fingerprint_erasure_entry(row: dict) -> dict:
    """Return an erasure log entry naming the code by its fingerprint, with the code out of the reason."""
    code = row["record_id"]
    if not code or code.startswith(ERASURE_KEY_PREFIX):
        return row
    new_value = row["new_value"]
    try:
        value = json.loads(new_value) if new_value else None
    except json.JSONDecodeError:
        value = None
    if isinstance(value, dict) and isinstance(value.get("reason"), str):
        value["reason"] = re.sub(re.escape(code), "[code]", value["reason"], flags=re.IGNORECASE)
        new_value = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return {**row, "record_id": erasure_key(code), "new_value": new_value}


def audit_entry_exists(db: Database, action: str, record_id: str, old: Any, new: Any) -> bool:
    """Return True when an audit entry with this action, record and old and new values is here."""
    from . import _json

    return db.execute(
        "SELECT 1 FROM audit_log WHERE action = ? AND record_id = ? AND old_value IS ? AND new_value IS ? LIMIT 1",
        [action, record_id, _json(old), _json(new)],
    ).fetchone() is not None


def erasures(db: Database, schema: str = "main") -> list[tuple[str, str]]:
    """Return (code fingerprint, when) for every erasure recorded in SCHEMA's audit log.

    Entries from an older app name the code itself; it is turned into its fingerprint here.
    """
    return [tuple(r) for r in db.execute(
        f"SELECT CASE WHEN record_id LIKE '{ERASURE_KEY_PREFIX}%' THEN record_id ELSE erasure_key(record_id) END, "
        f"at FROM {schema}.audit_log WHERE action = '{ERASE_ACTION}'"
    ).fetchall()]


def erased_interview_ids(db: Database, erased: dict[str, str], schema: str = "main") -> list[str]:
    """Return ids of SCHEMA's interviews erased by ERASED ({code fingerprint: when}): same code, started before."""
    if not erased:
        return []
    _fill_erased(db, erased)
    try:
        return [r[0] for r in db.execute(
            f"SELECT i.id FROM {schema}.interview i JOIN temp.erased_code e "
            "ON e.key = erasure_key(i.respondent_code) WHERE i.started_at <= e.at").fetchall()]
    finally:
        db.execute("DELETE FROM temp.erased_code")


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
    "add_rows_only_in_source",
    "erased_interview_ids",
    "fingerprint_erasure_entry",
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
    "table_is_empty",
]
