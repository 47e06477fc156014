"""Erasure: everything for one respondent code goes, in one transaction, and only counts are logged."""

from __future__ import annotations

import json
import sqlite3

import pytest

from surveys.accounts import command_line_actor
from surveys.erasure import erase_respondent, erasure_preview
from surveys.storage import core as store
from surveys.storage import erasure_key, now, open_database
from tests.conftest import actor_in
from surveys.storage.core import InvalidInput, NotFound

SECRET = "I sleep behind the library on Park Road"


@pytest.fixture
def two_people(db):
    """Two versions; R-001 answered both (two interviews), R-002 answered one."""
    survey = store.create_survey(db, "Test survey")
    versions, questions = [], []
    for label in ("Version 1", "Version 2"):
        version = store.create_version(db, survey, label)
        questions.append([
            store.add_question(db, version, name="story", type="long_text", wording="Tell us more"),
            store.add_question(db, version, name="age", type="number", wording="How old are you?"),
        ])
        store.set_version_status(db, version, "published")
        versions.append(version)
    stamp = now()
    store.bulk_insert(db, "interview", [
        ("i1", versions[0], "R-001", None, "given", "submitted", "one_at_a_time", stamp, stamp, 60, 0, stamp),
        ("i2", versions[1], "R-001", None, "given", "draft", "one_at_a_time", stamp, None, None, 0, stamp),
        ("i3", versions[0], "R-002", None, "given", "submitted", "one_at_a_time", stamp, stamp, 60, 0, stamp),
    ])
    store.bulk_insert(db, "answer", [
        ("a1", "i1", questions[0][0], SECRET, None, 8, 0, 0, 0, "", 5, stamp),
        ("a2", "i1", questions[0][1], "34", None, 0, 0, 0, 0, "", 5, stamp),
        ("a3", "i2", questions[1][0], None, "skipped", 0, 0, 0, 0, "", 5, stamp),
        ("a4", "i3", questions[0][0], "Fine thanks", None, 2, 0, 0, 0, "", 5, stamp),
    ])
    return db


def held(db) -> dict:
    return {
        "interviews": sorted(r[0] for r in db.execute("SELECT id FROM interview")),
        "answers": sorted(r[0] for r in db.execute("SELECT id FROM answer")),
    }


def test_preview_counts_what_would_go(two_people):
    assert erasure_preview(two_people, " r-001 ") == {
        "respondent_code": "r-001", "interviews": 2, "answers": 3, "versions": 2}
    assert erasure_preview(two_people, "R-999") == {
        "respondent_code": "R-999", "interviews": 0, "answers": 0, "versions": 0}
    assert held(two_people)["answers"] == ["a1", "a2", "a3", "a4"]


def test_erasing_removes_every_interview_and_answer_for_the_code_only(two_people):
    sam = actor_in(two_people, "admin", "Sam")
    summary = erase_respondent(two_people, "r-001", sam, "R-001 asked us to delete their answers")
    assert summary == {"respondent_code": "r-001", "interviews": 2, "answers": 3, "wiped": True}
    assert held(two_people) == {"interviews": ["i3"], "answers": ["a4"]}
    entry = two_people.execute(
        "SELECT actor, action, table_name, record_id, old_value, new_value FROM audit_log "
        "WHERE action = 'erase respondent'").fetchall()
    assert len(entry) == 1
    # The code is named only by its fingerprint (the same whatever its case), and taken out of the reason.
    assert entry[0][:5] == ("Sam", "erase respondent", "interview", erasure_key("R-001"), None)
    assert erasure_key("r-001") == erasure_key(" R-001 ") != erasure_key("R-002")
    assert json.loads(entry[0][5]) == {
        "interviews": 2, "answers": 3, "reason": "[code] asked us to delete their answers"}
    assert "r-001" not in str(two_people.execute("SELECT * FROM audit_log").fetchall()).lower()


def test_only_an_admin_account_that_is_on_may_erase(two_people):
    from surveys.accounts import NotAllowed, command_line_actor, disable_account

    before_accounts = command_line_actor(two_people)
    evaluator = actor_in(two_people, "evaluator", "Eve")
    with pytest.raises(NotAllowed):
        erase_respondent(two_people, "R-001", evaluator, "asked")
    with pytest.raises(NotAllowed):
        erase_respondent(two_people, "R-001", "admin", "asked")  # a role string is not an account
    with pytest.raises(NotAllowed, match="an admin must sign in"):
        erase_respondent(two_people, "R-001", before_accounts, "asked")
    sam = actor_in(two_people, "admin", "Sam")
    other = actor_in(two_people, "admin", "Other")
    disable_account(two_people, sam.account_id, other)
    with pytest.raises(NotAllowed):
        erase_respondent(two_people, "R-001", sam, "asked")
    assert held(two_people)["interviews"] == ["i1", "i2", "i3"]
    # The log holds counts, never what was erased.
    logged = " ".join(str(r) for r in two_people.execute("SELECT * FROM audit_log").fetchall())
    assert SECRET not in logged


def test_erasing_needs_a_reason_and_a_code_that_exists(two_people):
    before = held(two_people)
    with pytest.raises(InvalidInput, match="Say why"):
        erase_respondent(two_people, "R-001", command_line_actor(two_people), "   ")
    with pytest.raises(InvalidInput, match="Type the respondent code"):
        erase_respondent(two_people, "  ", command_line_actor(two_people), "asked")
    with pytest.raises(NotFound, match="Nothing is held for the code R-404"):
        erase_respondent(two_people, "R-404", command_line_actor(two_people), "asked")
    assert held(two_people) == before
    assert two_people.execute("SELECT COUNT(*) FROM audit_log WHERE action = 'erase respondent'").fetchone()[0] == 0


def test_erasure_is_all_or_nothing(two_people):
    # Make the last step fail: the answers deleted before it must come back.
    two_people.execute(
        "CREATE TEMP TRIGGER refuse_interview_delete BEFORE DELETE ON interview "
        "BEGIN SELECT RAISE(ABORT, 'test refuses'); END"
    )
    before = held(two_people)
    two_people.execute("PRAGMA secure_delete = OFF")
    with pytest.raises(sqlite3.DatabaseError, match="test refuses"):
        erase_respondent(two_people, "R-001", command_line_actor(two_people), "asked")
    assert held(two_people) == before
    assert two_people.execute("SELECT COUNT(*) FROM audit_log WHERE action = 'erase respondent'").fetchone()[0] == 0
    # The connection's own setting is put back afterwards.
    assert two_people.execute("PRAGMA secure_delete").fetchone()[0] == 0


def test_erased_words_are_gone_from_the_database_file(demo_db_path):
    db = open_database(demo_db_path)
    code, interview_id = db.execute("SELECT respondent_code, id FROM interview LIMIT 1").fetchone()
    question_id = db.execute(
        "SELECT q.id FROM question q JOIN interview i ON i.version_id = q.version_id "
        "WHERE i.id = ? AND q.type = 'long_text' LIMIT 1", [interview_id]).fetchone()[0]
    marker = "Zanzibar-unique-marker-5521"
    db.execute("UPDATE answer SET value = ?, opt_out = NULL, word_count = 1 WHERE interview_id = ? AND question_id = ?",
               [marker, interview_id, question_id])
    if not db.execute("SELECT changes()").fetchone()[0]:
        stamp = now()
        store.bulk_insert(db, "answer", [
            ("marker-answer", interview_id, question_id, marker, None, 1, 0, 0, 0, "", 1, stamp)])
    db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    interviews_before = db.execute("SELECT COUNT(*) FROM interview").fetchone()[0]
    summary = erase_respondent(db, code, command_line_actor(db), "asked")
    assert summary["interviews"] == 1 and summary["answers"] > 0
    assert db.execute("SELECT COUNT(*) FROM interview").fetchone()[0] == interviews_before - 1
    db.conn.close()
    raw = demo_db_path.read_bytes()
    wal = demo_db_path.with_name(demo_db_path.name + "-wal")
    raw += wal.read_bytes() if wal.exists() else b""
    assert marker.encode() not in raw


def test_erasure_blanks_answer_values_in_earlier_log_entries(db):
    """An answer changed after sending in leaves its old value in the log; erasure blanks it."""
    import json as _json

    from surveys import accounts, interviews
    from surveys.storage import audit_entries
    from surveys.storage import core as store
    from surveys.erasure import erase_respondent

    survey = store.create_survey(db, "Feedback")
    version = store.create_version(db, survey)
    question = store.add_question(db, version, name="story", type="long_text", wording="Tell us more?")
    store.set_version_status(db, version, "published")
    # No accounts yet: the person at the laptop acts (interview functions take an accounts.Actor).
    person = accounts.command_line_actor(db)
    interview = interviews.start_interview(db, version, "ZZ-0042", person, True)
    interviews.save_answer(db, interview, question, value="My secret story", actor=person)
    interviews.submit_interview(db, interview, actor=person)
    interviews.edit_submitted_answer(db, interview, question, value="A different story",
                                     reason="They asked", actor=person)
    before = _json.dumps(audit_entries(db, limit=1000))
    assert "My secret story" in before and "ZZ-0042" in before

    erase_respondent(db, "ZZ-0042", actor=command_line_actor(db), reason="They asked us to")
    entries = audit_entries(db, limit=1000)
    text = _json.dumps([{k: e[k] for k in ("old_value", "new_value")} for e in entries
                        if e["action"] != "erase respondent"])
    assert "secret story" not in text and "different story" not in text and "ZZ-0042" not in text
    actions = [e["action"] for e in entries]
    assert "edit answer after submit" in actions and "start interview" in actions, "the entries themselves stay"


def test_the_log_allows_no_change_but_blanking_values(db):
    import sqlite3

    from surveys.storage import audit

    audit(db, "Sam", "change question", "question", "q1", {"wording": "a"}, {"wording": "b"})
    with pytest.raises(sqlite3.IntegrityError, match="cannot be changed"):
        db.execute("UPDATE audit_log SET actor = 'Jo'")
    with pytest.raises(sqlite3.IntegrityError, match="cannot be changed"):
        db.execute("UPDATE audit_log SET new_value = '\"something else\"'")
    db.execute("UPDATE audit_log SET new_value = '\"[erased]\"'")
    assert db.execute("SELECT actor, new_value FROM audit_log").fetchone() == ("Sam", '"[erased]"')
