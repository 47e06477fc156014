"""SQL for accounts and sign-in attempts, and for the admin's privacy tools.

The privacy tools are the audit log search, erasing a respondent and reading or masking open
answers. Every function is small, named and takes a database; callers wrap writes in
write_transaction() and write the audit log.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlite_utils import Database

from . import _rows, now

# Columns safe to show or pass around: everything but the password hash.
ACCOUNT_COLUMNS = (
    "a.id AS account_id, a.username, a.role, a.person_id, a.created_at, a.disabled_at, "
    "p.display_name, p.role AS person_role"
)


# ---- accounts ---------------------------------------------------------------------------------


def insert_account(db: Database, row: dict) -> None:
    """Add one account row (id, person_id, username, password_hash, role, created_at)."""
    db.execute(
        "INSERT INTO account (id, person_id, username, password_hash, role, created_at, disabled_at) "
        "VALUES (:id, :person_id, :username, :password_hash, :role, :created_at, NULL)",
        row,
    )


def account_by_username(db: Database, username: str) -> dict | None:
    """Return the account (with its password hash) for USERNAME, any case, or None."""
    rows = _rows(
        db,
        f"SELECT {ACCOUNT_COLUMNS}, a.password_hash FROM account a JOIN person p ON p.id = a.person_id "
        "WHERE a.username = ? COLLATE NOCASE",
        [username.strip()],
    )
    return rows[0] if rows else None


def account_by_id(db: Database, account_id: str) -> dict | None:
    """Return one account (with its password hash) or None."""
    rows = _rows(
        db,
        f"SELECT {ACCOUNT_COLUMNS}, a.password_hash FROM account a JOIN person p ON p.id = a.person_id "
        "WHERE a.id = ?",
        [account_id],
    )
    return rows[0] if rows else None


def account_for_person(db: Database, person_id: str) -> dict | None:
    """Return the account (without its hash) linked to PERSON_ID, or None."""
    rows = _rows(
        db,
        f"SELECT {ACCOUNT_COLUMNS} FROM account a JOIN person p ON p.id = a.person_id "
        "WHERE a.person_id = ? ORDER BY a.created_at LIMIT 1",
        [person_id],
    )
    return rows[0] if rows else None


def list_accounts(db: Database) -> list[dict]:
    """Return every account without password hashes, by username."""
    return _rows(
        db,
        f"SELECT {ACCOUNT_COLUMNS} FROM account a JOIN person p ON p.id = a.person_id "
        "ORDER BY a.username COLLATE NOCASE",
    )


def active_accounts(db: Database, role: str | None = None) -> list[dict]:
    """Return accounts that are not turned off (optionally only ROLE), oldest first."""
    sql = (
        f"SELECT {ACCOUNT_COLUMNS} FROM account a JOIN person p ON p.id = a.person_id "
        "WHERE a.disabled_at IS NULL"
    )
    params: list[Any] = []
    if role:
        sql += " AND a.role = ?"
        params.append(role)
    return _rows(db, sql + " ORDER BY a.created_at", params)


def update_account(db: Database, account_id: str, changes: dict) -> None:
    """Change columns of one account (password_hash, role or disabled_at)."""
    allowed = {"password_hash", "role", "disabled_at"}
    if not changes or set(changes) - allowed:
        raise ValueError(f"Only {sorted(allowed)} can be changed on an account.")
    assignments = ", ".join(f"{column} = :{column}" for column in changes)
    db.execute(f"UPDATE account SET {assignments} WHERE id = :id", {**changes, "id": account_id})


# ---- sign-in attempts -------------------------------------------------------------------------


def add_login_attempt(db: Database, username: str, at: str, success: bool) -> None:
    """Record one sign-in attempt: the name typed, when, and whether it worked (never a password)."""
    db.execute(
        "INSERT INTO login_attempt (username, at, success) VALUES (?, ?, ?)",
        [username.strip(), at, int(success)],
    )


def failures_since(db: Database, username: str, since: str) -> int:
    """Return failed attempts for USERNAME after SINCE and after its last successful sign-in."""
    row = db.execute(
        "SELECT COUNT(*) FROM login_attempt WHERE username = ? COLLATE NOCASE AND success = 0 "
        "AND at > ? AND at > COALESCE((SELECT MAX(at) FROM login_attempt "
        "WHERE username = ? COLLATE NOCASE AND success = 1), '')",
        [username.strip(), since, username.strip()],
    ).fetchone()
    return int(row[0])


# ---- the audit log, for the admin page -------------------------------------------------------


def search_audit_log(
    db: Database,
    *,
    action: str | None = None,
    actor: str | None = None,
    start: str | None = None,
    end: str | None = None,
    limit: int = 1000,
) -> list[dict]:
    """Return audit log rows, newest first, filtered by action, actor and time (START <= at < END)."""
    where, params = [], []
    for column, value in (("action", action), ("actor", actor)):
        if value:
            where.append(f"{column} = ?")
            params.append(value)
    if start:
        where.append("at >= ?")
        params.append(start)
    if end:
        where.append("at < ?")
        params.append(end)
    sql = "SELECT id, at, actor, action, table_name, record_id, old_value, new_value FROM audit_log"
    if where:
        sql += " WHERE " + " AND ".join(where)
    return _rows(db, sql + " ORDER BY id DESC LIMIT ?", [*params, limit])


def audit_actions(db: Database) -> list[str]:
    """Return every kind of action in the audit log, A to Z."""
    return [r[0] for r in db.execute("SELECT DISTINCT action FROM audit_log ORDER BY action").fetchall()]


def audit_actors(db: Database) -> list[str]:
    """Return every name that appears as the doer in the audit log, A to Z."""
    return [
        r[0]
        for r in db.execute(
            "SELECT DISTINCT actor FROM audit_log WHERE actor != '' ORDER BY actor COLLATE NOCASE"
        ).fetchall()
    ]


def names_for_ids(db: Database, ids: Sequence[str] | set[str]) -> dict[str, str]:
    """Return {id: name} for the people, accounts, questions and versions among IDS (for the audit log view)."""
    names: dict[str, str] = {}
    ids = list(ids)
    for start in range(0, len(ids), 400):
        chunk = ids[start:start + 400]
        marks = ", ".join("?" for _ in chunk)
        for sql in (f"SELECT id, display_name FROM person WHERE id IN ({marks})",
                    f"SELECT a.id, p.display_name FROM account a JOIN person p ON p.id = a.person_id "
                    f"WHERE a.id IN ({marks})",
                    f"SELECT id, name FROM question WHERE id IN ({marks})",
                    f"SELECT v.id, s.name || ', ' || v.label FROM survey_version v JOIN survey s ON s.id = v.survey_id "
                    f"WHERE v.id IN ({marks})"):
            names.update((r[0], r[1]) for r in db.execute(sql, chunk).fetchall())
    return names


# ---- erasing one respondent -------------------------------------------------------------------


def interviews_for_respondent(db: Database, respondent_code: str) -> list[dict]:
    """Return the interviews (id, version_id, status) held under a respondent code, any case.

    Codes match as erasure_key folds them (Unicode case folding), so erasing here and a merged
    erasure on another laptop reach the same interviews.
    """
    return _rows(
        db,
        "SELECT id, version_id, status FROM interview WHERE erasure_key(respondent_code) = erasure_key(?) "
        "ORDER BY started_at",
        [respondent_code.strip()],
    )


def count_answers(db: Database, interview_ids: Sequence[str]) -> int:
    """Return how many answers belong to the given interviews."""
    if not interview_ids:
        return 0
    marks = ", ".join("?" for _ in interview_ids)
    return int(
        db.execute(f"SELECT COUNT(*) FROM answer WHERE interview_id IN ({marks})", list(interview_ids)).fetchone()[0]
    )


def answer_ids_for_interviews(db: Database, interview_ids: Sequence[str], schema: str = "main") -> list[str]:
    """Return the ids of every answer in these interviews (in SCHEMA: main, or an attached src)."""
    found: list[str] = []
    ids = list(interview_ids)
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        found += [r[0] for r in db.execute(
            f"SELECT id FROM {schema}.answer WHERE interview_id IN ({', '.join('?' for _ in chunk)})",
            chunk).fetchall()]
    return found


def tables_about_answers(db: Database) -> list[tuple[str, str]]:
    """Return (table, column) for every other table that holds an interview or answer id with no
    foreign key to say what happens when they go.

    Erasure empties these too, so a cache or store added later (masked text, themes) cannot keep
    an erased person's words. A column whose foreign key already cascades or sets itself to NULL
    (a signed-in session's place) is left to SQLite.
    """
    found = []
    for table, column in db.execute(
        "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p "
        "WHERE m.type = 'table' AND m.name NOT IN ('answer', 'interview', 'audit_log') "
        "AND m.name NOT LIKE 'sqlite_%' AND p.name IN ('interview_id', 'answer_id') ORDER BY m.name, p.name"
    ).fetchall():
        handled = db.execute(
            "SELECT 1 FROM pragma_foreign_key_list(?) WHERE [from] = ? AND on_delete IN "
            "('CASCADE', 'SET NULL', 'SET DEFAULT')", [table, column]).fetchone()
        if not handled:
            found.append((table, column))
    return found


def delete_interviews(db: Database, interview_ids: Sequence[str]) -> tuple[int, int]:
    """Delete the interviews, their answers and every row about them; return (interviews, answers) deleted."""
    ids = list(interview_ids)
    if not ids:
        return 0, 0
    answer_ids = answer_ids_for_interviews(db, ids)
    interviews = answers = 0
    for table, column in tables_about_answers(db):
        targets = ids if column == "interview_id" else answer_ids
        for start in range(0, len(targets), 500):
            chunk = targets[start:start + 500]
            db.execute(f"DELETE FROM [{table}] WHERE [{column}] IN ({', '.join('?' for _ in chunk)})", chunk)
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        marks = ", ".join("?" for _ in chunk)
        answers += db.execute(f"DELETE FROM answer WHERE interview_id IN ({marks})", chunk).rowcount
        interviews += db.execute(f"DELETE FROM interview WHERE id IN ({marks})", chunk).rowcount
    return interviews, answers


def audit_ids_about(db: Database, interview_ids: Sequence[str], answer_ids: Sequence[str]) -> list[int]:
    """Return the ids of log entries that hold words about these interviews and answers.

    That is entries about the records themselves, entries whose values name one of the
    interviews, and the "remove hidden answer" entries written when one of them was sent in
    (they name an answer that is gone, but sit straight before their interview's "submit
    interview" entry, because both are written in one transaction).
    """
    found: set[int] = set()
    records = list(dict.fromkeys([*interview_ids, *answer_ids]))
    for start in range(0, len(records), 500):
        chunk = records[start:start + 500]
        found.update(r[0] for r in db.execute(
            f"SELECT id FROM audit_log WHERE record_id IN ({', '.join('?' for _ in chunk)})", chunk).fetchall())
    interviews = list(dict.fromkeys(interview_ids))
    for start in range(0, len(interviews), 500):
        chunk = interviews[start:start + 500]
        marks = ", ".join("?" for _ in chunk)
        found.update(r[0] for r in db.execute(
            "SELECT id FROM audit_log WHERE "
            f"(CASE WHEN json_valid(old_value) THEN json_extract(old_value, '$.interview_id') END) IN ({marks}) OR "
            f"(CASE WHEN json_valid(new_value) THEN json_extract(new_value, '$.interview_id') END) IN ({marks})",
            chunk + chunk).fetchall())
        submits = [r[0] for r in db.execute(
            f"SELECT id FROM audit_log WHERE action = 'submit interview' AND record_id IN ({marks})",
            chunk).fetchall()]
        for submit_id in submits:
            for entry_id, action in db.execute(
                    "SELECT id, action FROM audit_log WHERE id < ? ORDER BY id DESC LIMIT 1000", [submit_id]):
                if action != "remove hidden answer":
                    break
                found.add(entry_id)
    return sorted(found)


# ---- open answers, for personal details ------------------------------------------------------


def open_answers(db: Database, version_id: str | None = None) -> list[dict]:
    """Return answers that hold typed words (open answers, and any answer with a note)."""
    sql = (
        "SELECT a.id AS answer_id, a.interview_id, i.respondent_code, v.label AS version_label, "
        "q.name AS question_name, q.wording, a.value, a.note "
        "FROM answer a JOIN interview i ON i.id = a.interview_id "
        "JOIN question q ON q.id = a.question_id JOIN survey_version v ON v.id = i.version_id "
        "WHERE ((q.type IN ('text', 'long_text') AND a.value IS NOT NULL AND a.value != '') "
        "OR a.note != '')"
    )
    params: list[Any] = []
    if version_id:
        sql += " AND i.version_id = ?"
        params.append(version_id)
    return _rows(db, sql + " ORDER BY i.started_at, q.position", params)


def get_answer_text(db: Database, answer_id: str) -> dict | None:
    """Return one answer's value, note and word count, or None."""
    rows = _rows(db, "SELECT id, value, note, word_count FROM answer WHERE id = ?", [answer_id])
    return rows[0] if rows else None


def set_answer_text(db: Database, answer_id: str, value: str | None, note: str, word_count: int) -> None:
    """Replace one answer's value and note (used to hide personal details for good)."""
    db.execute(
        "UPDATE answer SET value = ?, note = ?, word_count = ?, updated_at = ? WHERE id = ?",
        [value, note, word_count, now(), answer_id],
    )
