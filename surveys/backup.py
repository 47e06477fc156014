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
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from surveys.accounts import Actor, NotAllowed, check_actor
from surveys.storage import (
    BUSY_TIMEOUT_SECONDS,
    StorageError,
    audit,
    checkpoint_wal,
    database_sidecars,
    open_database,
    sqlite_uri,
    write_transaction,
)
from surveys.storage import transfer as transfer_store


# progress(share done from 0 to 1, what is happening in words): for a progress bar.
Progress = Callable[[float, str], None]


def _quiet(_share: float, _words: str) -> None:
    return None


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
    try:
        handle, temp_name = tempfile.mkstemp(prefix=".backup-", suffix=".db", dir=out_path.parent)
    except OSError as exc:
        raise StorageError(f"Cannot save a backup in {out_path.parent}: {exc.strerror}.") from exc
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


def _check_admin(db_path: Path, actor: Actor) -> Actor:
    """Return ACTOR after checking it is an admin of the database at DB_PATH (the command line when new)."""
    if not db_path.exists():
        if not isinstance(actor, Actor) or actor.account_id is not None:
            raise NotAllowed("There is no database here yet, so only the command line can put a backup in place.")
        return actor
    db = open_database(db_path)
    try:
        return check_actor(db, actor, "admin")
    finally:
        db.conn.close()


def default_backup_name(now: _dt.datetime | None = None) -> str:
    """Return a file name for a backup made now, such as surveys-backup-2025-03-31-1405.db."""
    moment = now or _dt.datetime.now()
    return f"surveys-backup-{moment:%Y-%m-%d-%H%M%S}.db"


def restore(backup_path: str | os.PathLike, db_path: str | os.PathLike, actor: Actor,
            progress: Progress | None = None) -> RestoreResult:
    """Return what was done after replacing the database at DB_PATH with the backup at BACKUP_PATH.

    Only an admin of the database as it is now (ACTOR, checked in it) may restore. The backup
    must be a Peer Survey Studio database this version can open. The current database is first
    copied to a safety file beside it (surveys.db.before-restore-<time>.db). A backup from an
    older version of the app is brought up to date after it goes in. PROGRESS, when given, is
    told how far it has got, in words, so a page can show a bar for a big file.
    """
    say = progress or _quiet
    backup_path, db_path = Path(backup_path), Path(db_path)
    actor = _check_admin(db_path, actor)
    say(0.0, "Checking the backup file")
    transfer_store.check_database_file(backup_path)
    if db_path.exists() and os.path.samefile(backup_path, db_path):
        raise StorageError("That is the database itself, not a backup. Pick the backup file.")
    safety = None
    if db_path.exists():
        transfer_store.check_database_file(db_path)
        stamp = _dt.datetime.now().strftime("%Y-%m-%d-%H%M%S-%f")
        safety = db_path.with_name(f"{db_path.name}.before-restore-{stamp}.db")
        say(0.1, "Keeping a copy of the data as it is now")
        _copy_with_backup_api(db_path, safety)
    elif not db_path.parent.exists():
        raise StorageError(f"The folder {db_path.parent} does not exist.")
    source = sqlite3.connect(sqlite_uri(backup_path, mode="ro"), uri=True)
    try:
        target = sqlite3.connect(str(db_path), timeout=BUSY_TIMEOUT_SECONDS)
        try:
            # The online backup into the live file holds the write lock until the last page is in
            # and commits once, so other connections (the running app) see either old or new,
            # never a mix. Steps of about a twentieth of the file let the page show progress;
            # nothing else writes the backup file, so the copy never has to start again.
            total = source.execute("PRAGMA page_count").fetchone()[0] or 1
            say(0.4, "Putting the backup in place")

            def copied(_status: int, remaining: int, pages: int) -> None:
                say(0.4 + 0.5 * (1 - remaining / max(pages, 1)), "Putting the backup in place")

            source.backup(target, pages=max(1024, total // 20), progress=copied, sleep=0.05)
            target.execute("PRAGMA journal_mode = WAL")
        finally:
            target.close()
    finally:
        source.close()
    say(0.92, "Bringing the data up to date")
    db = open_database(db_path)  # brings a backup from an older app up to date
    try:
        with write_transaction(db):
            audit(db, actor.name, "restore backup", "", "", None,
                  {"backup": backup_path.name, "safety_copy": safety.name if safety else None})
        # The whole file went through the write-ahead log: fold it back in now, not at a save.
        checkpoint_wal(db)
    finally:
        db.conn.close()
    say(1.0, "Done")
    return RestoreResult(backup_path, safety)


__all__ = ["Progress", "RestoreResult", "backup", "backup_bytes", "default_backup_name", "restore"]
