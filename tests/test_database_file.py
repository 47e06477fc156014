"""Nothing opens the database file outside SQLite: an outside reader never costs the app its locks.

On Linux, closing any file descriptor of a file drops every POSIX lock the process holds on it.
If the app opened the database with Python's open() (to check its header, to copy it), SQLite's
locks would vanish under open connections; an outside `sqlite3` reader would then think it was
the last user, checkpoint and delete the -wal file, and every page would fail with "disk I/O
error". These tests run the app's own ways in (open, backup, merge checks, restore checks) next
to an outside reader, again and again.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from surveys import backup
from surveys.storage import open_database, write_transaction
from surveys.storage import transfer as transfer_store

READER = ("import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
          "c.execute('SELECT COUNT(*) FROM sqlite_master').fetchall(); c.close()")


def outside_reader(path) -> None:
    """Read the database from another process, as `sqlite3 surveys.db` would, and close it."""
    subprocess.run([sys.executable, "-c", READER, str(path)], check=True, timeout=30)


def test_two_app_connections_and_an_outside_reader_keep_the_wal_fifty_times(db_path):
    first = open_database(db_path)
    with write_transaction(first):
        first.execute("CREATE TABLE probe (round INTEGER)")
    wal = db_path.with_name(db_path.name + "-wal")
    for round_number in range(50):
        second = open_database(db_path)  # the page of another browser tab, opened while the first is open
        second.execute("SELECT COUNT(*) FROM probe").fetchall()
        # The app's other ways of looking at a database file, all while connections are open.
        transfer_store.check_database_file(db_path)
        outside_reader(db_path)
        assert wal.exists(), f"the -wal file was deleted in round {round_number}"
        with write_transaction(first):
            first.execute("INSERT INTO probe VALUES (?)", [round_number])
        with write_transaction(second):
            second.execute("INSERT INTO probe VALUES (?)", [-round_number])
        assert wal.exists(), f"the -wal file was deleted in round {round_number}"
        assert first.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        second.conn.close()
    assert first.execute("SELECT COUNT(*) FROM probe").fetchone()[0] == 100
    first.conn.close()
    check = open_database(db_path)
    assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert check.execute("SELECT COUNT(*) FROM probe").fetchone()[0] == 100
    check.conn.close()


def test_a_backup_of_the_open_database_keeps_its_locks(db_path, tmp_path):
    app = open_database(db_path)
    with write_transaction(app):
        app.execute("CREATE TABLE probe (round INTEGER)")
    for round_number in range(5):
        backup.backup(db_path, tmp_path / f"copy-{round_number}.db")
        outside_reader(db_path)
        assert db_path.with_name(db_path.name + "-wal").exists()
        with write_transaction(app):
            app.execute("INSERT INTO probe VALUES (?)", [round_number])
    assert app.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    app.conn.close()


@pytest.mark.parametrize("suffix", ["", "-wal", "-shm"])
def test_a_backup_is_never_written_over_the_database_or_its_side_files(db_path, suffix):
    app = open_database(db_path)
    with write_transaction(app):
        app.execute("CREATE TABLE probe (round INTEGER)")
    with pytest.raises(backup.StorageError, match="over the database itself"):
        backup.backup(db_path, db_path.with_name(db_path.name + suffix))
    assert app.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    app.conn.close()


def test_no_code_opens_a_database_file_with_python_open():
    """A guard for new code: the storage, backup and merge modules read files only through SQLite."""
    import inspect

    import surveys.backup
    import surveys.merge
    import surveys.storage
    import surveys.storage.transfer

    for module in (surveys.storage, surveys.storage.transfer, surveys.backup, surveys.merge):
        source = inspect.getsource(module)
        for banned in ("open(path", "open(db_path", "path.read_bytes()", "shutil.copy"):
            assert banned not in source.replace("open_database(path", ""), f"{module.__name__} uses {banned}"


@pytest.mark.parametrize("suffix", ["", "-wal", "-shm"])
def test_picking_the_open_database_as_a_file_to_import_is_refused_without_opening_it(db_path, suffix, monkeypatch):
    import builtins

    from surveys.input_files import check_input_file
    from surveys.storage.core import InvalidInput

    app = open_database(db_path)
    with write_transaction(app):
        app.execute("CREATE TABLE probe (round INTEGER)")
    real_open = builtins.open
    opened = []
    monkeypatch.setattr(builtins, "open", lambda file, *a, **k: opened.append(file) or real_open(file, *a, **k))
    with pytest.raises(InvalidInput, match="is a database file that is in use"):
        check_input_file(db_path.with_name(db_path.name + suffix), what="an answers file")
    assert opened == []
    monkeypatch.undo()
    outside_reader(db_path)
    assert db_path.with_name(db_path.name + "-wal").exists()
    app.conn.close()
