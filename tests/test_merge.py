"""Laptop merge: by UUID, idempotent, order-independent, later edit wins, nothing lost, erasures travel."""

from __future__ import annotations

import atexit
import json
import shutil
import sqlite3
import tempfile
import uuid
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from surveys.accounts import command_line_actor
from surveys.merge import MergeRefused, merge_databases
from surveys.storage import NotOurDatabase, SchemaTooNew, audit, audit_entries, open_database
from surveys.storage import core as store
from surveys.storage.transfer import dump_tables
from tests.test_quality import assert_totals_match_a_rebuild

BASE_STAMP = "2024-06-01T00:00:00+00:00"


def _open(path: Path):
    return open_database(path)


def _close(db) -> None:
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.conn.close()


def merge_file(src: Path, dst: Path):
    db = _open(dst)
    try:
        return merge_databases(src, db, command_line_actor(db))
    finally:
        _close(db)


def dump(path: Path) -> dict:
    db = _open(path)
    try:
        return dump_tables(db)
    finally:
        _close(db)


# ---- a small shared starting point ------------------------------------------------------------------------

_TEMPLATE: dict[str, object] = {}


def template() -> tuple[Path, dict]:
    """Return (path, ids) of a small database: one published version, 3 questions, 2 interviews."""
    if "path" not in _TEMPLATE:
        folder = Path(tempfile.mkdtemp(prefix="merge-template-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)  # gone when the test run ends
        path = folder / "base.db"
        db = _open(path)
        survey_id = store.create_survey(db, "Base")
        version_id = store.create_version(db, survey_id, "One")
        questions = [
            store.add_question(db, version_id, name="story", type="text", wording="Tell us more?"),
            store.add_question(db, version_id, name="home", type="single_choice", wording="Where do you stay?",
                               options=["Hostel", "Flat"]),
            store.add_question(db, version_id, name="nights", type="number", wording="How many nights?"),
        ]
        store.set_version_status(db, version_id, "published")
        interviews = [str(uuid.UUID(int=n, version=4)) for n in (1, 2)]
        store.bulk_insert(db, "interview", [
            (iid, version_id, f"R{n}", None, "given", "submitted", "x", BASE_STAMP, None, None, 0, BASE_STAMP)
            for n, iid in enumerate(interviews)])
        store.bulk_insert(db, "answer", [
            (str(uuid.UUID(int=100 + n, version=4)), interviews[0], qid, "first", None, 1, 0, 0, 0, "", None,
             BASE_STAMP) for n, qid in enumerate(questions[:1])])
        _close(db)
        _TEMPLATE.update(path=path, ids={"version": version_id, "questions": questions, "interviews": interviews})
    return _TEMPLATE["path"], _TEMPLATE["ids"]  # type: ignore[return-value]


def laptop(folder: Path, name: str, ops: list[tuple]) -> Path:
    """Return the path of a copy of the template with OPS applied, as interviews on a laptop would."""
    base, ids = template()
    path = folder / f"{name}.db"
    shutil.copy(base, path)
    db = _open(path)
    for op in ops:
        if op[0] == "new":
            _, interview_id, values, stamp = op
            store.bulk_insert(db, "interview", [(interview_id, ids["version"], "NEW", None, "given", "submitted",
                                                 "x", stamp, None, None, 0, stamp)])
            store.bulk_insert(db, "answer", [
                (str(uuid.uuid4()), interview_id, ids["questions"][q], value, None, 0, 0, 0, 0, "", None, stamp)
                for q, value in values.items()])
        else:
            _, which, q, value, stamp = op
            interview_id, question_id = ids["interviews"][which], ids["questions"][q]
            # Test set-up: an interviewer editing an answer, with a chosen time so clashes and ties happen.
            changed = db.execute("UPDATE answer SET value = ?, updated_at = ? WHERE interview_id = ? AND "
                                 "question_id = ?", [value, stamp, interview_id, question_id]).rowcount
            if not changed:
                store.bulk_insert(db, "answer", [(str(uuid.uuid4()), interview_id, question_id, value, None, 0, 0,
                                                  0, 0, "", None, stamp)])
    audit(db, name, "laptop note", "", name, None, {"ops": len(ops)})
    _close(db)
    return path


def answers(path: Path) -> dict[tuple[str, str], tuple]:
    db = _open(path)
    try:
        rows = db.execute("SELECT interview_id, question_id, value, updated_at FROM answer").fetchall()
    finally:
        _close(db)
    return {(r[0], r[1]): (r[2], r[3]) for r in rows}


def without_merge_entries(data: dict) -> dict:
    """Return the dump with audit entries compared by content, leaving out the merges' own entries."""
    data = dict(data)
    data["audit_log"] = Counter(tuple(r[1:]) for r in data["audit_log"] if not r[3].startswith("merge"))
    return data


stamps = st.sampled_from([f"2025-01-0{d}T00:00:00+00:00" for d in range(1, 4)])
values = st.sampled_from(["Hostel", "Flat", "a", "b", "3"])
edit = st.tuples(st.just("edit"), st.integers(0, 1), st.integers(0, 2), values, stamps)
new = st.tuples(st.just("new"), st.uuids(version=4).map(str),
                st.dictionaries(st.integers(0, 2), values, max_size=3), stamps)
ops = st.lists(st.one_of(edit, new), max_size=4)
PROPERTY = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(ops_a=ops, ops_b=ops)
def test_merging_twice_is_the_same_as_merging_once(ops_a, ops_b):
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        a, b = laptop(folder, "a", ops_a), laptop(folder, "b", ops_b)
        merge_file(a, b)
        once = dump(b)
        second = merge_file(a, b)
        assert dump(b) == once
        assert not second.changed


@PROPERTY
@given(ops_a=ops, ops_b=ops)
def test_merge_order_does_not_change_the_result(ops_a, ops_b):
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        a, b = laptop(folder, "a", ops_a), laptop(folder, "b", ops_b)
        base, _ = template()
        first, second = folder / "ab.db", folder / "ba.db"
        shutil.copy(base, first)
        shutil.copy(base, second)
        merge_file(a, first)
        merge_file(b, first)
        merge_file(b, second)
        merge_file(a, second)
        assert without_merge_entries(dump(first)) == without_merge_entries(dump(second))


@PROPERTY
@given(ops_a=ops, ops_b=ops)
def test_no_answer_is_lost_and_the_later_edit_wins(ops_a, ops_b):
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        a, b = laptop(folder, "a", ops_a), laptop(folder, "b", ops_b)
        theirs, ours = answers(a), answers(b)
        merge_file(a, b)
        merged = answers(b)
        assert set(merged) == set(theirs) | set(ours)
        for place, (value, stamp) in merged.items():
            sides = [s for s in (theirs.get(place), ours.get(place)) if s]
            latest = max(s[1] for s in sides)
            assert stamp == latest and (value, stamp) in sides


# ---- plain cases ----------------------------------------------------------------------------------------


def test_a_demo_laptop_merges_into_an_empty_one_and_then_adds_nothing(demo_db_path, tmp_path):
    empty = tmp_path / "empty.db"
    _close(_open(empty))
    summary = merge_file(demo_db_path, empty)
    source, target = _open(demo_db_path), _open(empty)
    assert store.database_summary(target) == store.database_summary(source)
    assert summary.added["answer"] == store.database_summary(source)["answer"]
    assert summary.lines()[0].startswith("Added 1 surveys, 7 people,")
    source_log = Counter(tuple(r[1:]) for r in dump_tables(source)["audit_log"])
    target_log = Counter(tuple(r[1:]) for r in dump_tables(target)["audit_log"] if r[3] != "merge database")
    assert target_log == source_log, "every audit entry came over once"
    _close(source)
    _close(target)
    again = merge_file(demo_db_path, empty)
    assert again.lines() == ["Nothing new in demo.db: this laptop already has all of it."]


def test_an_answer_changed_on_both_laptops_keeps_the_later_change_and_logs_only_times(tmp_path):
    a = laptop(tmp_path, "a", [("edit", 0, 0, "older words", "2025-01-01T00:00:00+00:00")])
    b = laptop(tmp_path, "b", [("edit", 0, 0, "newer words", "2025-01-02T00:00:00+00:00")])
    summary = merge_file(b, a)
    assert summary.settled["answer"] == 1
    assert "later change was kept" in " ".join(summary.lines())
    _, ids = template()
    assert answers(a)[(ids["interviews"][0], ids["questions"][0])][0] == "newer words"
    db = _open(a)
    logged = audit_entries(db, action="merge: kept the later answer")
    _close(db)
    assert len(logged) == 1
    assert json.loads(logged[0]["old_value"]) == {"updated_at": "2025-01-01T00:00:00+00:00"}
    assert json.loads(logged[0]["new_value"]) == {"updated_at": "2025-01-02T00:00:00+00:00"}
    assert "words" not in logged[0]["old_value"] + logged[0]["new_value"], "no answer text in the log"
    # The other way round: the later change is already there, so it stays; the clash is logged once.
    merge_file(a, b)
    assert answers(b)[(ids["interviews"][0], ids["questions"][0])][0] == "newer words"


def test_an_erased_interview_does_not_come_back(tmp_path):
    from surveys.erasure import erase_respondent

    a = laptop(tmp_path, "a", [])
    b = laptop(tmp_path, "b", [])
    db = _open(a)
    erase_respondent(db, "R0", command_line_actor(db), "They asked us to.")
    _close(db)
    summary = merge_file(a, b)
    assert summary.erased_interviews == 1
    merge_file(b, a)
    for path in (a, b):
        db = _open(path)
        assert db.execute("SELECT COUNT(*) FROM interview WHERE respondent_code = 'R0'").fetchone()[0] == 0
        _close(db)


def test_a_version_published_on_the_other_laptop_arrives_with_its_questions(tmp_path):
    a = laptop(tmp_path, "a", [])
    b = laptop(tmp_path, "b", [])
    db = _open(a)
    survey_id = store.list_surveys(db)[0]["id"]
    draft = store.create_version(db, survey_id, "Two", based_on_id=template()[1]["version"])
    _close(db)
    merge_file(a, b)  # b now has the draft
    db = _open(a)
    store.add_question(db, draft, name="extra", type="text", wording="Anything else?")
    store.set_version_status(db, draft, "published")
    _close(db)
    summary = merge_file(a, b)
    assert summary.left_out == []
    db = _open(b)
    assert store.get_version(db, draft)["status"] == "published"
    assert [q["name"] for q in store.questions_for_version(db, draft)] == ["story", "home", "nights", "extra"]
    _close(db)


def test_a_file_that_is_not_ours_or_too_new_or_the_same_is_refused(tmp_path):
    b = laptop(tmp_path, "b", [])
    before = dump(b)
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE pets (name TEXT)")
    conn.commit()
    conn.close()
    with pytest.raises(NotOurDatabase):
        merge_file(other, b)
    newer = laptop(tmp_path, "newer", [])
    conn = sqlite3.connect(newer)
    conn.execute("INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
                 "VALUES ('peer_survey_studio', '9999_future', '2030')")
    conn.commit()
    conn.close()
    with pytest.raises(SchemaTooNew):
        merge_file(newer, b)
    with pytest.raises(MergeRefused, match="own database"):
        merge_file(b, b)
    assert dump(b) == before


def test_merge_upload_helper_reports_in_words(tmp_path):
    from ui.transfer_panels import merge_upload

    a = laptop(tmp_path, "a", [("new", str(uuid.uuid4()), {0: "hello"}, "2025-01-01T00:00:00+00:00")])
    b = laptop(tmp_path, "b", [])
    db = _open(b)
    lines = merge_upload(db, {"name": "Ada", "actor": command_line_actor(db)}, "a.db", a.read_bytes())
    _close(db)
    assert lines[0] == "Added 1 interviews, 1 answers from a.db."


def test_merging_from_a_laptop_that_missed_an_erasure_brings_back_no_erased_words(tmp_path):
    """Laptop b still has R0's log entry with an answer's old value; after merging into the
    laptop that erased R0, that value is blanked, and merging again adds nothing."""
    from surveys.erasure import erase_respondent

    a = laptop(tmp_path, "a", [])
    b = laptop(tmp_path, "b", [])
    base, ids = template()
    db = _open(b)
    answer_id = db.execute("SELECT id FROM answer WHERE interview_id = ?", [ids["interviews"][0]]).fetchone()[0]
    audit(db, "Priya", "edit answer after submit", "answer", answer_id, {"value": "my private words"},
          {"value": "first", "reason": "typo"})
    _close(db)
    db = _open(a)
    erase_respondent(db, "R0", command_line_actor(db), "They asked us to.")
    _close(db)

    merge_file(b, a)
    once = dump(a)
    assert "my private words" not in str(once["audit_log"])
    assert any(row[3] == "edit answer after submit" for row in once["audit_log"]), "the entry itself arrives"
    merge_file(b, a)
    assert without_merge_entries(dump(a)) == without_merge_entries(once)


def test_merging_into_an_empty_laptop_keeps_the_running_totals_exact(demo_db_path, tmp_path):
    """Into a laptop with no answers, answers go in with one INSERT ... SELECT and the running
    totals are worked out once after it: they must equal the other laptop's, row for row."""
    from surveys.storage.migrations import GROUPED_TOTALS

    tables = [t.table for t in GROUPED_TOTALS] + ["answer_value_tally", "interview_tally", "interview_scale_place",
                                                  "answer"]
    import sqlite3 as sqlite

    from analysis import themes

    source_path = tmp_path / "source.db"  # the demo, with its open answers read, as a laptop has them
    with sqlite.connect(demo_db_path) as src, sqlite.connect(source_path) as dst:
        src.backup(dst)
    source = _open(source_path)
    assert themes.read_waiting_answers(source) > 0
    _close(source)
    demo_db_path = source_path
    empty = tmp_path / "empty.db"
    db = _open(empty)
    summary = merge_databases(demo_db_path, db, command_line_actor(db))
    assert summary.added["answer"] > 1000 and summary.left_out == []
    here = {t: sorted(db.execute(f"SELECT * FROM [{t}]").fetchall()) for t in tables}
    indexes = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type IN ('index', 'trigger')")}
    _close(db)
    source = _open(demo_db_path)
    there = {t: sorted(source.execute(f"SELECT * FROM [{t}]").fetchall()) for t in tables}
    source_indexes = {r[0] for r in source.execute("SELECT name FROM sqlite_master WHERE type IN ('index', 'trigger')")}
    _close(source)
    assert here == there
    assert indexes == source_indexes, "every index and trigger is back after the bulk copy"
    db = _open(empty)
    assert_totals_match_a_rebuild(db)  # the totals taken from the other laptop are right for the answers here
    # What the other laptop read from the open answers comes too: nothing waits to be read again.
    derived = db.execute("SELECT COUNT(*) FROM open_text_derived").fetchone()[0]
    waiting = db.execute("SELECT COUNT(*) FROM open_text_queue").fetchone()[0]
    _close(db)
    source = _open(demo_db_path)
    there_derived, there_waiting = source.execute(
        "SELECT (SELECT COUNT(*) FROM open_text_derived), (SELECT COUNT(*) FROM open_text_queue)").fetchone()
    _close(source)
    assert (derived, waiting) == (there_derived, there_waiting) and derived > 0


def test_a_fresh_laptop_works_the_totals_out_again_when_the_other_laptop_s_are_wrong(demo_db_path, tmp_path):
    """The other laptop's running totals are taken as they are only when they agree with its answers."""
    import sqlite3 as sqlite

    source = tmp_path / "source.db"
    with sqlite.connect(demo_db_path) as src, sqlite.connect(source) as dst:
        src.backup(dst)
    broken = sqlite.connect(source)
    broken.execute("UPDATE answer_tally_by SET n = n + 5 WHERE question_id = (SELECT question_id FROM answer_tally_by LIMIT 1)")
    broken.commit()
    broken.close()
    empty = tmp_path / "empty.db"
    db = _open(empty)
    summary = merge_databases(source, db, command_line_actor(db))
    assert summary.added["answer"] > 1000 and summary.left_out == []
    assert_totals_match_a_rebuild(db)
    _close(db)
