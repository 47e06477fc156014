"""The schema, its migrations and the constraints the data model promises."""

import sqlite3

import pytest

from surveys.storage import (
    NotOurDatabase,
    SchemaTooNew,
    StorageError,
    audit,
    audit_entries,
    known_migration_names,
    migrate,
    open_database,
    schema_status,
    write_transaction,
)
from surveys.storage import core as store


def _draft_with_question(db, **question):
    survey = store.create_survey(db, "Feedback")
    version = store.create_version(db, survey)
    fields = dict(name="q1", type="text", wording="How are things?")
    fields.update(question)
    question_id = store.add_question(db, version, **fields)
    return survey, version, question_id


def _interview(db, version_id):
    from surveys.storage import new_id, now

    interview_id = new_id()
    db.execute(
        "INSERT INTO interview (id, version_id, respondent_code, consent, started_at, updated_at) "
        "VALUES (?, ?, 'R-001', 'given', ?, ?)",
        [interview_id, version_id, now(), now()],
    )
    return interview_id


def test_fresh_database_gets_every_migration(db_path):
    db = open_database(db_path)
    assert schema_status(db) == {"applied": known_migration_names(), "pending": []}
    tables = set(db.table_names())
    assert {"survey", "survey_version", "question", "person", "interview", "answer", "audit_log"} <= tables


def test_applying_migrations_twice_changes_nothing(db_path):
    db = open_database(db_path)
    before = db.execute("SELECT sql FROM sqlite_master ORDER BY name").fetchall()
    assert migrate(db) == []
    db.conn.close()
    again = open_database(db_path)
    assert migrate(again) == []
    assert again.execute("SELECT sql FROM sqlite_master ORDER BY name").fetchall() == before
    count = again.execute("SELECT COUNT(*) FROM _sqlite_migrations").fetchone()[0]
    assert count == len(known_migration_names())


def test_connection_settings(db_path):
    db = open_database(db_path)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
    assert db.execute("PRAGMA synchronous").fetchone()[0] == 2, "FULL: a saved answer survives a power cut"


def test_newer_schema_is_refused(db_path):
    db = open_database(db_path)
    db.execute(
        "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) VALUES ('peer_survey_studio', '9999_future', 'x')"
    )
    db.conn.close()
    with pytest.raises(SchemaTooNew, match="newer version"):
        open_database(db_path)


def test_a_database_that_is_not_ours_is_refused(tmp_path):
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE stuff (x)")
    conn.commit()
    conn.close()
    with pytest.raises(NotOurDatabase):
        open_database(path)
    tables = sqlite3.connect(path).execute("SELECT name FROM sqlite_master").fetchall()
    assert tables == [("stuff",)], "a database that is not ours is left alone"


def test_a_file_that_is_not_a_database_is_refused(tmp_path):
    path = tmp_path / "notes.db"
    path.write_text("hello, this is not a database")
    with pytest.raises(NotOurDatabase, match="not a database"):
        open_database(path)


def test_missing_folder_gives_a_clear_error(tmp_path):
    with pytest.raises(StorageError, match="does not exist"):
        open_database(tmp_path / "no" / "such" / "folder" / "x.db")


def test_published_version_refuses_edits(db):
    _, version, question_id = _draft_with_question(db)
    store.set_version_status(db, version, "published")
    with pytest.raises(store.InvalidInput, match="published"):
        store.update_question(db, question_id, {"wording": "New words?"})
    with pytest.raises(store.InvalidInput, match="published"):
        store.add_question(db, version, name="q2", type="text", wording="More?")
    with pytest.raises(store.InvalidInput, match="published"):
        store.delete_question(db, question_id)
    # The rule holds in the database itself, not only in the library.
    with pytest.raises(sqlite3.IntegrityError, match="published"):
        db.execute("UPDATE question SET wording = 'sneaky' WHERE id = ?", [question_id])
    with pytest.raises(sqlite3.IntegrityError, match="published"):
        db.execute("DELETE FROM question WHERE id = ?", [question_id])
    with pytest.raises(sqlite3.IntegrityError, match="draft"):
        db.execute("UPDATE survey_version SET status = 'draft' WHERE id = ?", [version])
    assert store.get_question(db, question_id)["wording"] == "How are things?"


def _question_of_another_version(db):
    """Return (version, its question, a question of another version, an interview of the version)."""
    survey, version, question_id = _draft_with_question(db)
    other_version = store.create_version(db, survey)
    other_q = store.add_question(db, other_version, name="q9", type="text", wording="Other?")
    store.set_version_status(db, version, "published")
    return version, question_id, other_q, _interview(db, version)


def _add_answer(db, interview_id, question_id, value):
    from surveys.storage import new_id, now

    db.execute("INSERT INTO answer (id, interview_id, question_id, value, updated_at) VALUES (?, ?, ?, ?, ?)",
               [new_id(), interview_id, question_id, value, now()])


def test_answer_needs_a_question_of_its_version(db):
    _, question_id, other_q, interview_id = _question_of_another_version(db)
    _add_answer(db, interview_id, question_id, "fine")
    with pytest.raises(sqlite3.IntegrityError, match="not in this survey version"):
        _add_answer(db, interview_id, other_q, "x")
    with pytest.raises(sqlite3.IntegrityError, match="UNIQUE"):
        _add_answer(db, interview_id, question_id, "again")


def test_bulk_load_refuses_an_answer_of_another_version_and_keeps_the_check(db):
    """A bulk load checks versions in one query after the insert, not per row; the rule still holds."""
    from surveys.storage import quality, write_transaction

    version, question_id, other_q, interview_id = _question_of_another_version(db)
    cache = db.execute("PRAGMA cache_size").fetchone()[0]
    with pytest.raises(sqlite3.IntegrityError, match="not in this survey version"):
        with write_transaction(db), quality.bulk_answer_load(db):
            _add_answer(db, interview_id, question_id, "a")
            _add_answer(db, interview_id, other_q, "b")
    assert db.execute("SELECT COUNT(*) FROM answer").fetchone()[0] == 0
    # The per-row trigger is back after a bulk load that worked, too.
    with write_transaction(db), quality.bulk_answer_load(db):
        _add_answer(db, interview_id, question_id, "a")
    assert db.execute("SELECT COUNT(*) FROM sqlite_master WHERE name = ?",
                      [quality.VERSION_CHECK_TRIGGER]).fetchone()[0] == 1
    names = [quality.VERSION_CHECK_TRIGGER, *quality.REBUILDABLE_ANSWER_INDEXES]
    assert db.execute(f"SELECT COUNT(*) FROM sqlite_master WHERE name IN ({', '.join('?' * len(names))})",
                      names).fetchone()[0] == len(names), "every index dropped for the load is made again"
    assert (db.execute("PRAGMA threads").fetchone()[0], db.execute("PRAGMA cache_size").fetchone()[0]) == (0, cache)
    with pytest.raises(sqlite3.IntegrityError, match="not in this survey version"):
        _add_answer(db, _interview(db, version), other_q, "x")


def test_answer_cannot_have_both_a_value_and_an_opt_out(db):
    _, version, question_id = _draft_with_question(db)
    store.set_version_status(db, version, "published")
    interview_id = _interview(db, version)
    from surveys.storage import new_id, now

    with pytest.raises(sqlite3.IntegrityError):
        db.execute(
            "INSERT INTO answer (id, interview_id, question_id, value, opt_out, updated_at) "
            "VALUES (?, ?, ?, 'yes', 'skipped', ?)",
            [new_id(), interview_id, question_id, now()],
        )
    with pytest.raises(sqlite3.IntegrityError):
        db.execute(
            "INSERT INTO answer (id, interview_id, question_id, opt_out, updated_at) VALUES (?, ?, ?, 'shrug', ?)",
            [new_id(), interview_id, question_id, now()],
        )


def test_audit_log_cannot_be_edited_or_deleted(db):
    audit(db, "Sam", "test action", "survey", "abc", None, {"x": 1})
    with pytest.raises(sqlite3.IntegrityError, match="cannot be changed"):
        db.execute("UPDATE audit_log SET actor = 'someone else'")
    with pytest.raises(sqlite3.IntegrityError, match="cannot be changed"):
        db.execute("DELETE FROM audit_log")
    entry = audit_entries(db, action="test action")[0]
    assert (entry["actor"], entry["record_id"], entry["new_value"]) == ("Sam", "abc", '{"x": 1}')


def test_changes_are_audited_with_old_and_new_values(db):
    _, _, question_id = _draft_with_question(db)
    store.update_question(db, question_id, {"wording": "How are you doing?"}, actor="Jo")
    entry = audit_entries(db, action="change question", record_id=question_id)[0]
    assert entry["actor"] == "Jo"
    assert entry["old_value"] == '{"wording": "How are things?"}'
    assert entry["new_value"] == '{"wording": "How are you doing?"}'


def test_new_version_keeps_lineage(db):
    survey, version, question_id = _draft_with_question(db)
    store.set_version_status(db, version, "published")
    new_version = store.create_version(db, survey, based_on_id=version)
    copied = store.questions_for_version(db, new_version)
    original = store.get_question(db, question_id)
    assert [(q["name"], q["lineage_id"], q["wording"]) for q in copied] == [
        (original["name"], original["lineage_id"], original["wording"])
    ]
    assert copied[0]["id"] != question_id
    assert store.get_version(db, new_version)["number"] == 2


def test_question_input_is_checked(db):
    _, version, _ = _draft_with_question(db)
    with pytest.raises(store.InvalidInput, match="already has that name"):
        store.add_question(db, version, name="q1", type="text", wording="Again?")
    with pytest.raises(store.InvalidInput, match="no spaces"):
        store.add_question(db, version, name="bad name", type="text", wording="Hi?")
    with pytest.raises(store.InvalidInput, match="at least two"):
        store.add_question(db, version, name="q3", type="single_choice", wording="Pick?", options=["Only"])
    with pytest.raises(store.InvalidInput, match="the same"):
        store.add_question(db, version, name="q4", type="single_choice", wording="Pick?", options=["A", "a"])
    with pytest.raises(store.InvalidInput, match="not a question type"):
        store.add_question(db, version, name="q5", type="essay", wording="Hi?")
    with pytest.raises(store.InvalidInput, match="show-if"):
        store.add_question(db, version, name="q6", type="text", wording="Hi?",
                           show_if={"question": "q1", "operator": "roughly", "values": []})


def test_reorder_and_delete_keep_positions_in_order(db):
    _, version, first = _draft_with_question(db)
    second = store.add_question(db, version, name="q2", type="text", wording="Two?")
    third = store.add_question(db, version, name="q3", type="text", wording="Three?")
    store.move_question(db, third, 1)
    assert [q["id"] for q in store.questions_for_version(db, version)] == [third, first, second]
    store.delete_question(db, first)
    assert [(q["id"], q["position"]) for q in store.questions_for_version(db, version)] == [(third, 1), (second, 2)]


def test_failed_transaction_leaves_nothing(db):
    with pytest.raises(RuntimeError):
        with write_transaction(db):
            store.create_survey(db, "Half made")
            raise RuntimeError("power cut")
    assert store.list_surveys(db) == []


def test_publishing_an_empty_version_is_refused(db):
    survey = store.create_survey(db, "Empty")
    version = store.create_version(db, survey)
    with pytest.raises(store.InvalidInput, match="no questions"):
        store.set_version_status(db, version, "published")


def test_opening_the_database_again_keeps_the_locks_other_connections_hold(tmp_path):
    """Each Streamlit run opens its own connection while other runs still have theirs. Opening must
    not drop their locks: closing any Python handle on the file drops all of this process's locks,
    and then another process that closes its last connection thinks it is alone, checkpoints and
    deletes the write-ahead log under our feet. Two people saving at once corrupted a database so."""
    import subprocess
    import sys
    from pathlib import Path

    path = tmp_path / "shared.db"
    ours = open_database(path)
    ours.execute("CREATE TABLE note (x)")
    try:
        open_database(path, migrate_now=False).conn.close()  # what every new run does
        other = subprocess.run(
            [sys.executable, "-c",
             "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute('INSERT INTO note VALUES (1)');"
             " c.commit(); c.close()", str(path)],
            capture_output=True, text=True, timeout=60,
        )
        assert other.returncode == 0, other.stderr
        # Had our lock been dropped, the other process would have removed the log as the last one out.
        assert Path(str(path) + "-wal").exists(), "another process removed the log while we still had it open"
        assert ours.execute("SELECT x FROM note").fetchall() == [(1,)]
    finally:
        ours.conn.close()
