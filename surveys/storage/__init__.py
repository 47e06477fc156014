"""Opening the database, applying migrations, write transactions and the audit log.

All SQL in the project lives in this package as small named functions that take a database.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import json
import os
import sqlite3
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from .migrations import MIGRATION_SET, migrations

DEFAULT_DB_PATH = Path(__file__).resolve().parents[2] / "data" / "surveys.db"
BUSY_TIMEOUT_SECONDS = 30.0
SQLITE_HEADER = b"SQLite format 3\x00"


class StorageError(Exception):
    """A problem with the database, told in plain words for the person using the tool."""


class SchemaTooNew(StorageError):
    """The database was made by a newer version of Peer Survey Studio."""


class NotOurDatabase(StorageError):
    """The file is not a Peer Survey Studio database."""


def resolve_db_path(cli_value: str | os.PathLike | None = None) -> Path:
    """Return the database path: the --db value, else $SURVEYS_DB, else data/surveys.db."""
    if cli_value:
        return Path(cli_value)
    env = os.environ.get("SURVEYS_DB")
    if env:
        return Path(env)
    return DEFAULT_DB_PATH


def now() -> str:
    """Return the current UTC time as an ISO 8601 string with microseconds."""
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="microseconds")


def new_id() -> str:
    """Return a new random UUID string: IDs that travel between laptops never clash."""
    return str(uuid.uuid4())


def _check_writable(path: Path) -> None:
    folder = path.parent if str(path.parent) else Path(".")
    if path.exists():
        if path.is_dir():
            raise StorageError(f"{path} is a folder, not a database file. Give the path of a file.")
        if not os.access(path, os.R_OK | os.W_OK):
            raise StorageError(f"Cannot open {path}: this user is not allowed to read and change it.")
        # The file is not opened here to read its first bytes: closing any Python handle on the
        # file drops every SQLite lock this process holds on it, and the app opens a connection
        # per run while other runs (other people, other tabs) are mid-transaction. Two people
        # saving at once corrupted the database that way. SQLite itself refuses a file that is
        # not a database (see open_database).
        return
    if not folder.exists():
        raise StorageError(f"Cannot make a database at {path}: the folder {folder} does not exist.")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise StorageError(f"Cannot make a database at {path}: this user cannot write in {folder}.")


def open_database(path: str | os.PathLike, *, migrate_now: bool = True) -> Database:
    """Return a sqlite-utils Database on PATH with WAL, foreign keys and a busy timeout set.

    The connection runs in autocommit mode; writes go through write_transaction() so that
    each one is its own transaction, started with BEGIN IMMEDIATE to avoid lock upgrades.
    """
    path = Path(path)
    if str(path) != ":memory:":
        _check_writable(path)
    try:
        conn = sqlite3.connect(
            str(path),
            timeout=BUSY_TIMEOUT_SECONDS,
            isolation_level=None,
            check_same_thread=False,
        )
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_SECONDS * 1000)}")
        try:
            conn.execute("PRAGMA schema_version").fetchone()
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise NotOurDatabase(f"{path} is not a database file. Check the path.") from exc
        conn.execute("PRAGMA foreign_keys = ON")
        if str(path) != ":memory:":
            conn.execute("PRAGMA journal_mode = WAL")
        # FULL: each commit reaches the disk before the save returns, so an answer survives a
        # laptop whose battery dies, not only a crash of the app. It costs a disk flush per save.
        conn.execute("PRAGMA synchronous = FULL")
    except sqlite3.OperationalError as exc:
        raise StorageError(f"Cannot open or make a database at {path}: {exc}.") from exc
    except sqlite3.DatabaseError as exc:
        raise NotOurDatabase(f"{path} could not be opened as a database: {exc}.") from exc
    db = Database(conn, execute_plugins=False)
    if migrate_now:
        migrate(db)
    return db


connect = open_database


def known_migration_names() -> list[str]:
    """Return the names of every migration this version of the code knows, in order."""
    return [m.name for m in migrations._migrations]


def migrate(db: Database) -> list[str]:
    """Apply pending migrations and return the names applied; refuse a newer database."""
    _refuse_foreign_or_newer(db)
    pending = [m.name for m in migrations.pending(db)]
    if pending:
        migrations.apply(db)
    return pending


def _refuse_foreign_or_newer(db: Database) -> None:
    tables = set(db.table_names())
    if not tables:
        return
    if "_sqlite_migrations" not in tables:
        raise NotOurDatabase(
            "This database was not made by Peer Survey Studio, so it was left alone."
        )
    applied = [
        row[0]
        for row in db.execute(
            "SELECT name FROM _sqlite_migrations WHERE migration_set = ?", [MIGRATION_SET]
        ).fetchall()
    ]
    if not applied:
        raise NotOurDatabase(
            "This database was not made by Peer Survey Studio, so it was left alone."
        )
    unknown = [name for name in applied if name not in known_migration_names()]
    if unknown:
        raise SchemaTooNew(
            "This database was made by a newer version of Peer Survey Studio "
            f"(it has changes called {', '.join(unknown)}). Update the app before you open it."
        )


def schema_status(db: Database) -> dict[str, Any]:
    """Return which migrations are applied and which are still to run."""
    applied = [m.name for m in migrations.applied(db)]
    return {"applied": applied, "pending": [n for n in known_migration_names() if n not in applied]}


@contextlib.contextmanager
def write_transaction(db: Database) -> Iterator[Database]:
    """Run the block as one write transaction (BEGIN IMMEDIATE), committed or rolled back whole.

    Nested calls join the outer transaction. BEGIN IMMEDIATE takes the write lock up front,
    so the busy timeout applies and a reader never fails to upgrade to a writer.
    """
    conn = db.conn
    if conn.in_transaction:
        yield db
        return
    deadline = time.monotonic() + BUSY_TIMEOUT_SECONDS * 2
    while True:
        try:
            conn.execute("BEGIN IMMEDIATE")
            break
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc):
                raise
            if time.monotonic() > deadline:
                raise StorageError(
                    "The database is busy with other work. Wait a moment and try again."
                ) from exc
            time.sleep(0.05)
    try:
        yield db
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    else:
        conn.execute("COMMIT")


def _json(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def audit(
    db: Database,
    actor: str | None,
    action: str,
    table_name: str = "",
    record_id: str = "",
    old: Any = None,
    new: Any = None,
) -> None:
    """Add one row to the audit log: who did what, when, to which record, old and new value."""
    db.execute(
        "INSERT INTO audit_log (at, actor, action, table_name, record_id, old_value, new_value) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [now(), actor or "", action, table_name, record_id or "", _json(old), _json(new)],
    )


def redact_audit_values(db: Database, record_ids: list[str]) -> int:
    """Blank the old and new values of log entries about RECORD_IDS; return how many changed.

    Used only by erasure: the entries stay (who did what, when), the erased words do not.
    The database refuses any other change to the log.
    """
    from .migrations import ERASED_MARK

    changed = 0
    ids = list(dict.fromkeys(record_ids))
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        marks = ", ".join("?" for _ in chunk)
        changed += db.execute(
            "UPDATE audit_log SET "
            "old_value = CASE WHEN old_value IS NULL THEN NULL ELSE ? END, "
            "new_value = CASE WHEN new_value IS NULL THEN NULL ELSE ? END "
            f"WHERE record_id IN ({marks}) AND (old_value IS NOT NULL OR new_value IS NOT NULL) "
            "AND NOT (COALESCE(old_value, ?) = ? AND COALESCE(new_value, ?) = ?)",
            [ERASED_MARK, ERASED_MARK, *chunk, ERASED_MARK, ERASED_MARK, ERASED_MARK, ERASED_MARK],
        ).rowcount
    return changed


def audit_entries(
    db: Database, *, limit: int = 500, action: str | None = None, record_id: str | None = None
) -> list[dict]:
    """Return audit log rows, newest first, optionally for one action or one record."""
    where, params = [], []
    if action:
        where.append("action = ?")
        params.append(action)
    if record_id:
        where.append("record_id = ?")
        params.append(record_id)
    sql = "SELECT * FROM audit_log"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY id DESC LIMIT ?"
    params.append(limit)
    return [dict(row) for row in _rows(db, sql, params)]


def _rows(db: Database, sql: str, params: Any = ()) -> list[dict]:
    cursor = db.execute(sql, params)
    columns = [c[0] for c in cursor.description]
    return [dict(zip(columns, row)) for row in cursor.fetchall()]


def get_setting(db: Database, key: str, default: str | None = None) -> str | None:
    """Return one project setting, or DEFAULT when it is not set."""
    row = db.execute("SELECT value FROM setting WHERE key = ?", [key]).fetchone()
    return row[0] if row else default


def set_setting(db: Database, key: str, value: str, actor: str | None = None) -> None:
    """Store one project setting and log the change."""
    with write_transaction(db):
        old = get_setting(db, key)
        db.execute(
            "INSERT INTO setting (key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [key, value],
        )
        audit(db, actor, "change setting", "setting", key, old, value)


__all__ = [
    "DEFAULT_DB_PATH",
    "NotOurDatabase",
    "SchemaTooNew",
    "StorageError",
    "audit",
    "audit_entries",
    "connect",
    "get_setting",
    "known_migration_names",
    "migrate",
    "new_id",
    "now",
    "open_database",
    "redact_audit_values",
    "resolve_db_path",
    "schema_status",
    "set_setting",
    "write_transaction",
]
