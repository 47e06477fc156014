"""Opening the database, applying migrations, write transactions and the audit log.

All SQL in the project lives in this package as small named functions that take a database.
"""

from __future__ import annotations

import collections
import contextlib
import datetime as _dt
import hashlib
import json
import os
import random
import sqlite3
import threading
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
# The erasure log names an erased respondent by this fingerprint of the code, never the code.
ERASURE_KEY_PREFIX = "erased:"
CHECKPOINT_PENDING_KEY = "erasure_wipe_pending"


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
    """Raise StorageError unless PATH can be opened or made, using only os.stat and os.access.

    Never open the database file with Python's open(): on Linux, closing any descriptor of a
    file drops every POSIX lock this process holds on it, so SQLite's locks would vanish under
    open connections and the write-ahead log could be deleted. Whether the file really is a
    database is left to SQLite itself, which reads the header when the connection starts.
    """
    folder = path.parent if str(path.parent) else Path(".")
    if path.exists():
        if path.is_dir():
            raise StorageError(f"{path} is a folder, not a database file. Give the path of a file.")
        if not os.access(path, os.R_OK | os.W_OK):
            raise StorageError(f"Cannot open {path}: this user is not allowed to read and change it.")
        return
    if not folder.exists():
        raise StorageError(f"Cannot make a database at {path}: the folder {folder} does not exist.")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise StorageError(f"Cannot make a database at {path}: this user cannot write in {folder}.")


def sqlite_uri(path: str | os.PathLike, **options: str) -> str:
    """Return a file: URI for PATH (quoted, so ? and # in a name are safe) with OPTIONS such as mode="ro"."""
    from urllib.parse import quote, urlencode

    query = f"?{urlencode(options)}" if options else ""
    return f"file:{quote(str(Path(path).resolve()))}{query}"


def database_sidecars(path: str | os.PathLike) -> list[Path]:
    """Return the database file at PATH and the files SQLite keeps beside it (-wal, -shm, -journal)."""
    path = Path(path)
    return [path] + [path.with_name(path.name + suffix) for suffix in ("-wal", "-shm", "-journal")]


def open_database(path: str | os.PathLike, *, migrate_now: bool = True) -> Database:
    """Return a sqlite-utils Database on PATH with WAL, foreign keys and a busy timeout set.

    The connection runs in autocommit mode; writes go through write_transaction() so that
    each one is its own transaction, started with BEGIN IMMEDIATE to avoid lock upgrades.
    """
    path = Path(path)
    if str(path) != ":memory:":
        _check_writable(path)
    conn = None
    try:
        conn = sqlite3.connect(
            str(path),
            timeout=BUSY_TIMEOUT_SECONDS,
            isolation_level=None,
            check_same_thread=False,
        )
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_SECONDS * 1000)}")
        conn.execute("PRAGMA foreign_keys = ON")
        # Deleted rows are overwritten with zeros, whatever this SQLite build's default is, so an
        # erased answer cannot be read back from free space in the file.
        conn.execute("PRAGMA secure_delete = ON")
        conn.create_function("erasure_key", 1, erasure_key, deterministic=True)
        if str(path) != ":memory:":
            conn.execute("PRAGMA journal_mode = WAL")
        # FULL: each commit reaches the disk before the save returns, so an answer survives a
        # laptop whose battery dies, not only a crash of the app. It costs a disk flush per save.
        conn.execute("PRAGMA synchronous = FULL")
    except sqlite3.OperationalError as exc:
        if conn is not None:
            conn.close()
        raise StorageError(f"Cannot open or make a database at {path}: {exc}.") from exc
    except sqlite3.DatabaseError as exc:
        if conn is not None:
            conn.close()
        raise NotOurDatabase(f"{path} is not a database file ({exc}). Check the path.") from exc
    db = Database(conn, execute_plugins=False)
    if migrate_now:
        migrate(db)
    if str(path) != ":memory:":
        finish_pending_wipe(db)
    return db


def erasure_key(respondent_code: str | None) -> str | None:
    """Return the fingerprint that stands for an erased respondent code in the log (any case).

    The log must not keep the code itself, yet merges on other laptops must recognise it, so
    the same code gives the same fingerprint everywhere (SHA-256 of the folded code).
    """
    if respondent_code is None:
        return None
    folded = str(respondent_code).strip().casefold()
    return ERASURE_KEY_PREFIX + hashlib.sha256(("peer-survey-studio erasure\n" + folded).encode("utf-8",
                                                "surrogatepass")).hexdigest()


def checkpoint_wal(db: Database, *, attempts: int = 4, wait_seconds: float = 0.25) -> bool:
    """Return True once the write-ahead file is copied into the database and emptied (TRUNCATE).

    A connection that is still reading holds old pages, so the checkpoint cannot finish; it is
    tried ATTEMPTS times with a short wait each, never the long busy timeout of a save.
    """
    conn = db.conn
    if conn.in_transaction:
        return False
    conn.execute(f"PRAGMA busy_timeout = {int(wait_seconds * 1000)}")
    try:
        for attempt in range(attempts):
            busy, _, _ = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            if not busy:
                return True
            time.sleep(wait_seconds * (attempt + 1))
        return False
    finally:
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_SECONDS * 1000)}")


def set_wipe_pending(db: Database, pending: bool) -> None:
    """Note (or clear) that erased words may still sit in the write-ahead file, to wipe at the next open."""
    with write_transaction(db):
        if pending:
            db.execute("INSERT INTO setting (key, value) VALUES (?, '1') ON CONFLICT(key) DO NOTHING",
                       [CHECKPOINT_PENDING_KEY])
        else:
            db.execute("DELETE FROM setting WHERE key = ?", [CHECKPOINT_PENDING_KEY])


def wipe_pending(db: Database) -> bool:
    """Return True when an erasure could not empty the write-ahead file yet."""
    try:
        return db.execute("SELECT 1 FROM setting WHERE key = ?", [CHECKPOINT_PENDING_KEY]).fetchone() is not None
    except sqlite3.OperationalError:  # a database not made yet has no setting table
        return False


def finish_pending_wipe(db: Database) -> bool:
    """Return True when nothing is left to wipe: finish an erasure's checkpoint that readers blocked."""
    if not wipe_pending(db):
        return True
    set_wipe_pending(db, False)
    if checkpoint_wal(db, attempts=1, wait_seconds=0.2):
        return True
    set_wipe_pending(db, True)
    return False


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


class _FairLock:
    """A first-come, first-served lock for the threads of this process; the owner may take it again.

    Python's own locks and SQLite's busy handler both let a newcomer jump ahead of someone who
    has waited long, so under load one save could wait many seconds. Here threads queue in order.
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._queue: collections.deque[object] = collections.deque()
        self._owner: int | None = None
        self._depth = 0

    def acquire(self, timeout: float) -> bool:
        me = threading.get_ident()
        with self._cond:
            if self._owner == me:
                self._depth += 1
                return True
            ticket = object()
            self._queue.append(ticket)
            deadline = time.monotonic() + timeout
            while self._owner is not None or self._queue[0] is not ticket:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    self._queue.remove(ticket)
                    self._cond.notify_all()
                    return False
                self._cond.wait(remaining)
            self._queue.popleft()
            self._owner, self._depth = me, 1
            return True

    def release(self) -> None:
        with self._cond:
            self._depth -= 1
            if self._depth == 0:
                self._owner = None
                self._cond.notify_all()


_write_queues: dict[str, _FairLock] = {}
_write_queues_lock = threading.Lock()
WRITE_WAIT_SECONDS = BUSY_TIMEOUT_SECONDS * 2


def _write_queue(db: Database) -> tuple[str | None, _FairLock | None]:
    """Return (file key, queue of this process's writers) for DB's file; (None, None) in memory."""
    row = db.conn.execute("PRAGMA database_list").fetchone()
    file = row[2] if row else ""
    if not file:
        return None, None
    key = os.path.realpath(file)
    with _write_queues_lock:
        return key, _write_queues.setdefault(key, _FairLock())


def _retry_pause(waited: float) -> float:
    """Return how long to sleep before trying for the write lock again: short, jittered, and
    shorter the longer this writer has waited, so someone who waited long wins the next turn."""
    longest = 0.004 if waited < 0.05 else 0.001 if waited < 0.25 else 0.0002
    return random.uniform(longest / 4, longest)


# When this process last had to wait for another process's writer, per database file. A process
# that just finished a save and starts the next at once would otherwise take the lock again
# before the others (asleep between tries) notice it was free: it lets them go first.
_last_contended: dict[str, float] = {}
POLITE_SECONDS = 2.0


def _begin_immediate(conn: sqlite3.Connection, deadline: float, key: str | None = None) -> None:
    """Start a write transaction, waiting in short jittered turns for writers in other processes."""
    started = time.monotonic()
    tries = 0
    # SQLite's own busy handler sleeps longer and longer (up to 100 ms a turn), so a writer that
    # has waited long loses to newcomers; our own short turns keep every wait short.
    conn.execute("PRAGMA busy_timeout = 0")
    try:
        if key is not None and started - _last_contended.get(key, -POLITE_SECONDS) < POLITE_SECONDS:
            time.sleep(random.uniform(0.0005, 0.002))
        while True:
            try:
                conn.execute("BEGIN IMMEDIATE")
                if tries and key is not None:
                    _last_contended[key] = time.monotonic()
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise
                tries += 1
                now_ = time.monotonic()
                if now_ > deadline:
                    raise StorageError(
                        "The database is busy with other work. Wait a moment and try again."
                    ) from exc
                time.sleep(_retry_pause(now_ - started))
    finally:
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_SECONDS * 1000)}")


@contextlib.contextmanager
def write_transaction(db: Database) -> Iterator[Database]:
    """Run the block as one write transaction (BEGIN IMMEDIATE), committed or rolled back whole.

    Nested calls join the outer transaction. BEGIN IMMEDIATE takes the write lock up front, so a
    reader never fails to upgrade to a writer. Writers wait their turn fairly: the threads of
    this process queue first come, first served, and the one at the front tries for SQLite's
    write lock in short jittered turns against other processes (see docs/architecture.md).
    """
    conn = db.conn
    if conn.in_transaction:
        yield db
        return
    deadline = time.monotonic() + WRITE_WAIT_SECONDS
    key, queue = _write_queue(db)
    if queue is not None and not queue.acquire(WRITE_WAIT_SECONDS):
        raise StorageError("The database is busy with other work. Wait a moment and try again.")
    try:
        _begin_immediate(conn, deadline, key)
        try:
            yield db
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        else:
            try:
                conn.execute("COMMIT")
            except BaseException:
                # A commit refused (a deferred foreign key, a full disk) must not leave the
                # connection inside a transaction that later writes would silently join.
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
    finally:
        if queue is not None:
            queue.release()


@contextlib.contextmanager
def savepoint(db: Database, name: str = "step") -> Iterator[Database]:
    """Run the block inside a write transaction as one step that is undone whole if it fails."""
    db.execute(f"SAVEPOINT {name}")
    try:
        yield db
    except BaseException:
        db.execute(f"ROLLBACK TO {name}")
        db.execute(f"RELEASE {name}")
        raise
    else:
        db.execute(f"RELEASE {name}")


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
    """Blank the old and new values of log entries about RECORD_IDS; return how many changed."""
    ids = list(dict.fromkeys(record_ids))
    entries: list[int] = []
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        entries += [row[0] for row in db.execute(
            f"SELECT id FROM audit_log WHERE record_id IN ({', '.join('?' for _ in chunk)})", chunk).fetchall()]
    return redact_audit_entries(db, entries)


def redact_audit_entries(db: Database, entry_ids: list[int]) -> int:
    """Blank the old and new values of the log entries with these ids; return how many changed.

    Used only by erasure: the entries stay (who did what, when), the erased words do not.
    The database refuses any other change to the log.
    """
    from .migrations import ERASED_MARK

    changed = 0
    ids = list(dict.fromkeys(entry_ids))
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        marks = ", ".join("?" for _ in chunk)
        changed += db.execute(
            "UPDATE audit_log SET "
            "old_value = CASE WHEN old_value IS NULL THEN NULL ELSE ? END, "
            "new_value = CASE WHEN new_value IS NULL THEN NULL ELSE ? END "
            f"WHERE id IN ({marks}) AND (old_value IS NOT NULL OR new_value IS NOT NULL) "
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
    "checkpoint_wal",
    "database_sidecars",
    "erasure_key",
    "finish_pending_wipe",
    "redact_audit_entries",
    "redact_audit_values",
    "set_wipe_pending",
    "savepoint",
    "sqlite_uri",
    "wipe_pending",
    "resolve_db_path",
    "schema_status",
    "set_setting",
    "write_transaction",
]
