"""Backup and restore: a consistent copy while the app writes, a checked restore with a safety copy."""

from __future__ import annotations

import sqlite3

import pytest

from surveys.accounts import command_line_actor
from surveys.backup import backup, backup_bytes, restore
from surveys.storage import SQLITE_HEADER, StorageError, audit_entries, open_database
from surveys.storage import core as store
from surveys.storage.transfer import dump_tables
from tests.conftest import actor_in


def _tables(path) -> dict:
    db = open_database(path, migrate_now=False)
    try:
        return dump_tables(db)
    finally:
        db.conn.close()


def test_backup_is_consistent_while_another_connection_is_writing(demo_db_path, tmp_path):
    app = open_database(demo_db_path)
    committed = store.database_summary(app)
    writer = open_database(demo_db_path)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("DELETE FROM answer")  # not committed: the backup must not see it
    out = backup(demo_db_path, tmp_path / "copy.db")
    writer.execute("ROLLBACK")
    copy = sqlite3.connect(out)
    assert copy.execute("PRAGMA journal_mode").fetchone()[0] == "delete", "one self-contained file"
    assert copy.execute("PRAGMA quick_check").fetchone()[0] == "ok"
    assert copy.execute("SELECT COUNT(*) FROM answer").fetchone()[0] == committed["answer"]
    copy.close()
    assert _tables(out) == dump_tables(app)
    app.conn.close()
    writer.conn.close()


def test_backup_includes_changes_still_in_the_write_ahead_log(db_path, tmp_path):
    db = open_database(db_path)
    store.create_survey(db, "Only in the log so far")
    out = backup(db_path, tmp_path / "b.db")
    assert [s["name"] for s in store.list_surveys(open_database(out))] == ["Only in the log so far"]
    db.conn.close()


def test_restore_puts_the_backup_back_keeps_a_safety_copy_and_logs_it(demo_db_path, tmp_path):
    saved = backup(demo_db_path, tmp_path / "saved.db")
    expected = _tables(saved)
    app = open_database(demo_db_path)  # the running app keeps its connection open
    store.create_survey(app, "Made after the backup")
    ada = actor_in(app, "admin", "Ada")
    before_restore = dump_tables(app)
    result = restore(saved, demo_db_path, ada)
    assert result.safety_copy is not None and result.safety_copy.parent == demo_db_path.parent
    assert _tables(result.safety_copy) == before_restore
    after = dump_tables(app)
    assert "Made after the backup" not in [s["name"] for s in store.list_surveys(app)], "open connection sees it"
    logged = audit_entries(app, action="restore backup")
    assert len(logged) == 1 and logged[0]["actor"] == "Ada"
    after["audit_log"] = [row for row in after["audit_log"] if row[3] != "restore backup"]
    assert after == expected
    app.conn.close()


@pytest.mark.parametrize("content", [b"", b"hello, this is not a database" * 10, SQLITE_HEADER + b"\0" * 100])
def test_restore_refuses_a_file_that_is_not_a_backup(demo_db_path, tmp_path, content):
    bad = tmp_path / "bad.db"
    bad.write_bytes(content)
    before = demo_db_path.read_bytes()
    with pytest.raises(StorageError):
        restore(bad, demo_db_path, command_line_actor(open_database(":memory:")))
    assert demo_db_path.read_bytes() == before
    assert list(tmp_path.glob("*.before-restore-*")) == []


def test_backup_refuses_a_missing_folder_and_a_missing_database(demo_db_path, tmp_path):
    with pytest.raises(StorageError, match="does not exist"):
        backup(demo_db_path, tmp_path / "no" / "such" / "b.db")
    with pytest.raises(StorageError, match="There is no file"):
        backup(tmp_path / "missing.db", tmp_path / "b.db")
    assert not (tmp_path / "b.db").exists()


def test_backup_bytes_is_a_whole_database(demo_db_path):
    data = backup_bytes(demo_db_path)
    assert data[:16] == SQLITE_HEADER


def test_backup_panel_makes_a_download_and_logs_it(app_test, demo_db_path):
    at = app_test(demo_db_path, "admin")
    at.button(key="admin_transfer_backup_make").click().run()
    assert not at.exception and not at.error
    name, data = at.session_state["admin_transfer_backup"]
    assert name.startswith("surveys-backup-") and name.endswith(".db")
    assert data[:16] == SQLITE_HEADER
    db = open_database(demo_db_path)
    assert [e["actor"] for e in audit_entries(db, action="make backup")] == ["Test admin"]
    db.conn.close()


def test_restore_upload_helper_restores_the_app_database(demo_db_path, tmp_path, monkeypatch):
    from ui.transfer_panels import restore_upload

    monkeypatch.setenv("SURVEYS_DB", str(demo_db_path))
    data = backup_bytes(demo_db_path)
    db = open_database(demo_db_path)
    store.create_survey(db, "Gone after restore")
    message = restore_upload({"name": "Ada", "actor": command_line_actor(db)}, "backup.db", data)
    assert message.startswith("The backup is back in place. The data as it was before is kept in demo.db.before")
    assert "Gone after restore" not in [s["name"] for s in store.list_surveys(db)]
    db.conn.close()


@pytest.mark.slow
def test_a_500_megabyte_backup_restores_through_the_admin_page(app_test, demo_db_path, tmp_path):
    """A backup as big as the 20,000-interview demo's (about 490 MB) goes back in from the page,
    by typing where it is on the laptop (the browser upload limit does not apply), with a bar."""
    from ui.transfer_panels import PICK_PATH

    big = backup(demo_db_path, tmp_path / "big-backup.db")
    conn = sqlite3.connect(big)
    conn.execute("CREATE TABLE padding (chunk BLOB)")
    conn.executemany("INSERT INTO padding VALUES (zeroblob(1048576))", [()] * 500)
    conn.execute("INSERT INTO survey (id, name, description, synthetic, created_at) "
                 "VALUES ('only-in-backup', 'Only in the big backup', '', 0, '2025-01-01')")
    conn.commit()
    conn.close()
    assert big.stat().st_size >= 500 * 1024 * 1024
    at = app_test(demo_db_path, "admin")
    at.radio(key="admin_transfer_restore_how").set_value(PICK_PATH).run()
    at.text_input(key="admin_transfer_restore_path").input(str(big))
    at.checkbox(key="admin_transfer_restore_sure").check().run()
    at.button(key="admin_transfer_restore_run").click().run(timeout=900)
    assert not at.exception, [e.value for e in at.exception]
    assert any(s.value.replace("\\", "").startswith("The backup is back in place.") for s in at.success), (
        [e.value for e in at.error], [s.value for s in at.success], [w.value for w in at.warning])
    assert [p.value for p in at.get("progress")][-1] == 100, "the bar reached the end"
    db = open_database(demo_db_path)
    assert db.execute("SELECT COUNT(*) FROM padding").fetchone()[0] == 500
    assert "Only in the big backup" in [s["name"] for s in store.list_surveys(db)]
    assert db.execute("PRAGMA quick_check").fetchone()[0] == "ok"
    db.conn.close()
    for leftover in tmp_path.iterdir():  # half a gigabyte each: do not keep them in /tmp
        leftover.unlink()
