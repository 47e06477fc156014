"""SQL for signed-in sessions kept across a reload: the signing key and the session records.

Every function takes a database; callers wrap writes in write_transaction(). The rules (tokens,
idle time, what a session remembers) live in surveys/sessions.py.
"""

from __future__ import annotations

from sqlite_utils import Database

from . import _rows

SESSION_COLUMNS = (
    "id", "account_id", "token_hash", "created_at", "last_seen_at", "expires_at", "ended_at",
    "end_reason", "interview_id", "interview_step",
)


def session_key(db: Database) -> str | None:
    """Return the secret that signs session tokens on this database, or None before the first sign-in."""
    row = db.execute("SELECT secret FROM login_session_key WHERE id = 1").fetchone()
    return row[0] if row else None


def add_session_key(db: Database, secret: str, created_at: str) -> None:
    """Store the signing secret unless one is already there (the first one made wins)."""
    db.execute("INSERT OR IGNORE INTO login_session_key (id, secret, created_at) VALUES (1, ?, ?)",
               [secret, created_at])


def insert_session(db: Database, row: dict) -> None:
    """Add one session row (a dict with every SESSION_COLUMNS key)."""
    db.execute(
        f"INSERT INTO login_session ({', '.join(SESSION_COLUMNS)}) "
        f"VALUES ({', '.join('?' for _ in SESSION_COLUMNS)})",
        [row[c] for c in SESSION_COLUMNS],
    )


def get_session(db: Database, session_id: str) -> dict | None:
    """Return one session row, or None."""
    rows = _rows(db, f"SELECT {', '.join(SESSION_COLUMNS)} FROM login_session WHERE id = ?", [session_id])
    return rows[0] if rows else None


def latest_session_for_account(db: Database, account_id: str) -> dict | None:
    """Return the account's most recently started session, with its interview's status, or None."""
    rows = _rows(
        db,
        f"SELECT {', '.join('s.' + c for c in SESSION_COLUMNS)}, i.status AS interview_status "
        "FROM login_session s LEFT JOIN interview i ON i.id = s.interview_id WHERE s.account_id = ? "
        "ORDER BY s.created_at DESC LIMIT 1",
        [account_id],
    )
    return rows[0] if rows else None


def touch_session(db: Database, session_id: str, last_seen_at: str) -> None:
    """Record that the session did something at LAST_SEEN_AT."""
    db.execute("UPDATE login_session SET last_seen_at = ? WHERE id = ? AND ended_at IS NULL",
               [last_seen_at, session_id])


def end_session(db: Database, session_id: str, ended_at: str, reason: str) -> bool:
    """Close one open session for REASON; return True when it was open."""
    return db.execute(
        "UPDATE login_session SET ended_at = ?, end_reason = ? WHERE id = ? AND ended_at IS NULL",
        [ended_at, reason, session_id],
    ).rowcount > 0


def end_sessions_for_account(db: Database, account_id: str, ended_at: str, reason: str) -> int:
    """Close every open session of an account; return how many were open."""
    return db.execute(
        "UPDATE login_session SET ended_at = ?, end_reason = ? WHERE account_id = ? AND ended_at IS NULL",
        [ended_at, reason, account_id],
    ).rowcount


def set_session_place(db: Database, session_id: str, interview_id: str | None, step: str | None) -> None:
    """Remember which interview and question the session is on (None for neither)."""
    db.execute("UPDATE login_session SET interview_id = ?, interview_step = ? WHERE id = ?",
               [interview_id, step, session_id])


def delete_sessions_before(db: Database, before: str) -> int:
    """Delete sessions that ended, or ran out, before BEFORE; return how many went."""
    return db.execute(
        "DELETE FROM login_session WHERE COALESCE(ended_at, expires_at) < ?", [before]
    ).rowcount
