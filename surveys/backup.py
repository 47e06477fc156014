"""Backup and restore of the whole database file.

A backup uses SQLite's online backup, so it is a consistent copy even while the app is
saving answers. A restore checks the file first, keeps a safety copy of the database as it
is now, then copies the backup in through the same online backup, so open connections see
the restored data and nothing is left half-written.
"""

from __future__ import annotations

import datetime as _dt
import os
import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path

from surveys.storage import (
    BUSY_TIMEOUT_SECONDS,
    StorageError,
    audit,
    database_sidecars,
    open_database,
    sqlite_uri,
    write_transaction,
)
from surveys.storage import transfer as transfer_store


@dataclass
class RestoreResult:
    """What a restore did: which backup went in, and where the safety copy of the old data is."""

    restored_from: Path
    safety_copy: Path | None


def _copy_with_backup_api(source: Path, target: Path) -> None:
    """Copy the database at SOURCE to TARGET page by page with SQLite's online backup."""
    src = sqlite3.connect(str(source), timeout=BUSY_TIMEOUT_SECONDS)
    try:
        dst = sqlite3.connect(str(target))
        try:
            src.backup(dst)
            # A backup is one self-contained file: no write-ahead log beside it.
            dst.execute("PRAGMA journal_mode = DELETE")
            if dst.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise StorageError("The backup did not check out as whole. Try again.")
        finally:
            dst.close()
    finally:
        src.close()


def _is_part_of(path: Path, db_path: Path) -> bool:
    """Return True when PATH is the database at DB_PATH or one of the files SQLite keeps beside it."""
    for part in database_sidecars(db_path):
        try:
            if path.resolve() == part.resolve() or (path.exists() and part.exists() and os.path.samefile(path, part)):
                return True
        except OSError:
            continue
    return False


def backup(db_path: str | os.PathLike, out_path: str | os.PathLike) -> Path:
    """Return OUT_PATH after writing a consistent copy of the database at DB_PATH there.

    The copy is written to a temporary file beside OUT_PATH and moved into place at the end,
    so a half-made backup never sits under the real name.
    """
    db_path, out_path = Path(db_path), Path(out_path)
    transfer_store.check_database_file(db_path)
    if out_path.exists() and out_path.is_dir():
        raise StorageError(f"{out_path} is a folder. Give the name of the backup file to make.")
    if not out_path.parent.exists():
        raise StorageError(f"The folder {out_path.parent} does not exist.")
    if _is_part_of(out_path, db_path):
        raise StorageError("The backup cannot be written over the database itself. Pick another name.")
    handle, temp_name = tempfile.mkstemp(prefix=".backup-", suffix=".db", dir=out_path.parent)
    os.close(handle)
    temp = Path(temp_name)
    try:
        _copy_with_backup_api(db_path, temp)
        os.replace(temp, out_path)
    finally:
        temp.unlink(missing_ok=True)
    return out_path


def backup_bytes(db_path: str | os.PathLike) -> bytes:
    """Return a consistent backup of the database at DB_PATH as bytes, for a download button."""
    with tempfile.TemporaryDirectory() as folder:
        out = backup(db_path, Path(folder) / "backup.db")
        return out.read_bytes()


def default_backup_name(now: _dt.datetime | None = None) -> str:
    """Return a file name for a backup made now, such as surveys-backup-2025-03-31-1405.db."""
    moment = now or _dt.datetime.now()
    return f"surveys-backup-{moment:%Y-%m-%d-%H%M%S}.db"


def restore(backup_path: str | os.PathLike, db_path: str | os.PathLike, actor: str | None = None) -> RestoreResult:
    """Return what was done after replacing the database at DB_PATH with the backup at BACKUP_PATH.

    The backup must be a Peer Survey Studio database this version can open. The current
    database is first copied to a safety file beside it (surveys.db.before-restore-<time>.db).
    A backup from an older version of the app is brought up to date after it goes in.
    """
    backup_path, db_path = Path(backup_path), Path(db_path)
    transfer_store.check_database_file(backup_path)
    if db_path.exists() and os.path.samefile(backup_path, db_path):
        raise StorageError("That is the database itself, not a backup. Pick the backup file.")
    safety = None
    if db_path.exists():
        transfer_store.check_database_file(db_path)
        stamp = _dt.datetime.now().strftime("%Y-%m-%d-%H%M%S-%f")
        safety = db_path.with_name(f"{db_path.name}.before-restore-{stamp}.db")
        _copy_with_backup_api(db_path, safety)
    elif not db_path.parent.exists():
        raise StorageError(f"The folder {db_path.parent} does not exist.")
    source = sqlite3.connect(sqlite_uri(backup_path, mode="ro"), uri=True)
    try:
        target = sqlite3.connect(str(db_path), timeout=BUSY_TIMEOUT_SECONDS)
        try:
            # The online backup into the live file takes the write lock and replaces every page
            # at once, so other connections (the running app) see either old or new, never a mix.
            source.backup(target)
            target.execute("PRAGMA journal_mode = WAL")
        finally:
            target.close()
    finally:
        source.close()
    db = open_database(db_path)  # brings a backup from an older app up to date
    try:
        with write_transaction(db):
            audit(db, actor, "restore backup", "", "", None,
                  {"backup": backup_path.name, "safety_copy": safety.name if safety else None})
    finally:
        db.conn.close()
    return RestoreResult(backup_path, safety)


__all__ = ["RestoreResult", "backup", "backup_bytes", "default_backup_name", "restore"]
