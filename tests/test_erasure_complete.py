"""Erasure leaves nothing behind: not in the database file, its -wal, a fresh backup, the audit log,
any export; not after a merge on the other laptop; not after re-importing an old answers file.

The person is made the way the app makes one: an interview started, answered, a show-if answer
removed when it is sent in, an answer changed after sending in. The erasure runs on a connection
with secure_delete off (the default of many SQLite builds) while another program holds a read
transaction open, so the last checkpoint cannot finish until the next open.
"""

from __future__ import annotations

import shutil
import sqlite3
import zipfile
from pathlib import Path

from surveys import interviews
from surveys.accounts import command_line_actor
from surveys.backup import backup
from surveys.erasure import erase_respondent
from surveys.merge import merge_databases
from surveys.responses import export_responses, import_responses
from surveys.storage import audit_entries, open_database, wipe_pending
from surveys.storage import core as store

CODE = "ZQ-4471"
SECRETS = ("Purple-elephant-secret-4471", "Twice-a-week-secret-4471", CODE)


def make_person(path: Path) -> tuple[str, str]:
    """Add a survey and one person's interview the way the app does; return (version id, interview id)."""
    db = open_database(path)
    survey = store.create_survey(db, "Erasure check")
    version = store.create_version(db, survey)
    how_often = store.add_question(db, version, name="how_often", type="text", wording="How often do you go?")
    sleeps = store.add_question(db, version, name="sleeps_out", type="yes_no", wording="Do you sleep outside?",
                                options=["Yes", "No"])
    store.add_question(db, version, name="where", type="long_text", wording="Where do you sleep?",
                       show_if={"question": "sleeps_out", "operator": "equals", "values": ["Yes"]})
    store.set_version_status(db, version, "published")
    where = [q["id"] for q in store.questions_for_version(db, version) if q["name"] == "where"][0]
    person = command_line_actor(db)  # no accounts yet: the laptop's own person, as in the demo
    interview = interviews.start_interview(db, version, CODE, person, True)
    interviews.save_answer(db, interview, how_often, value=SECRETS[1], actor=person)
    interviews.save_answer(db, interview, sleeps, value="Yes", actor=person)
    interviews.save_answer(db, interview, where, value=SECRETS[0], actor=person)
    # Changing the show-if answer hides "where": sending in removes that answer, into the log.
    interviews.save_answer(db, interview, sleeps, value="No", actor=person)
    interviews.submit_interview(db, interview, actor=person)
    interviews.edit_submitted_answer(db, interview, how_often, value="Now and then", reason="typo", actor=person)
    # Another person, who stays.
    other = interviews.start_interview(db, version, "KEEP-1", person, True)
    interviews.save_answer(db, other, how_often, value="Every day", actor=person)
    text = str(audit_entries(db, limit=10_000))
    assert all(secret in text for secret in SECRETS), "the person is in the log before erasure"
    db.conn.close()
    return version, interview


def file_bytes(path: Path) -> bytes:
    """Return the bytes of a database and the files beside it (call with no connection open)."""
    data = b""
    for part in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-journal")):
        if part.exists():
            data += part.read_bytes()
    return data


def remnants(data: bytes) -> list[str]:
    return [s for s in SECRETS if s.encode() in data or s.encode("utf-16-le") in data]


def export_text(db, version: str, folder: Path) -> bytes:
    """Return every export of the version (masked and identifiable, both kinds of file) as bytes."""
    out = b""
    admin = command_line_actor(db)
    for identifiable in (False, True):
        for suffix in (".csv", ".xlsx"):
            result = export_responses(db, version, folder / f"e-{identifiable}{suffix}", identifiable=identifiable,
                                      actor=admin)
            for path in (result.path, result.codebook_path):
                if path is None:
                    continue
                if path.suffix == ".xlsx":
                    with zipfile.ZipFile(path) as book:
                        out += b"".join(book.read(name) for name in book.namelist())
                else:
                    out += path.read_bytes()
    return out


def test_erasure_leaves_no_copy_anywhere_even_with_a_reader_open(tmp_path):
    path = tmp_path / "surveys.db"
    version, interview = make_person(path)
    db = open_database(path)
    db.execute("PRAGMA secure_delete = OFF")  # as many SQLite builds are by default
    reader = sqlite3.connect(path)
    reader.execute("BEGIN")
    assert reader.execute("SELECT COUNT(*) FROM answer").fetchone()[0] > 0  # holds its snapshot open
    done = erase_respondent(db, CODE.lower(), command_line_actor(db), f"{CODE} asked us to.")
    assert (done["interviews"], done["wiped"]) == (1, False), "the reader blocks the last checkpoint, and we say so"
    assert wipe_pending(db)
    reader.rollback()
    reader.close()
    db.conn.close()

    again = open_database(path)  # the next open finishes the job
    assert not wipe_pending(again)
    log = str(audit_entries(again, limit=10_000))
    assert remnants(log.encode()) == []
    assert [e["action"] for e in audit_entries(again, action="remove hidden answer")] == ["remove hidden answer"]
    exports = export_text(again, version, tmp_path)
    assert b"KEEP-1" in exports and remnants(exports) == []
    fresh = backup(path, tmp_path / "fresh-backup.db")
    again.conn.close()
    assert remnants(file_bytes(path)) == []
    assert remnants(fresh.read_bytes()) == []


def test_a_merged_erasure_and_an_old_answers_file_bring_nobody_back(tmp_path):
    here = tmp_path / "here.db"
    version, interview = make_person(here)
    there = tmp_path / "there.db"
    shutil.copy(here, there)  # the other laptop, before anyone erased (both closed)
    db = open_database(here)
    old_export = export_responses(db, version, tmp_path / "before-erasure.csv", identifiable=True,
                                  actor=command_line_actor(db)).path
    db.conn.close()

    other = open_database(there)
    erase_respondent(other, CODE, command_line_actor(other), "They asked us to.")
    other.conn.close()

    db = open_database(here)
    db.execute("PRAGMA secure_delete = OFF")
    summary = merge_databases(there, db, command_line_actor(db))
    assert summary.erased_interviews == 1
    assert remnants(str(audit_entries(db, limit=10_000)).encode()) == [], "this laptop's own entries are blanked"
    report = import_responses(db, old_export, version, command_line_actor(db))
    assert report.erased_rows == [2] and report.interviews_added == 0
    assert "Left out 1 row (row 2): those people asked for their answers to be erased" in report.summary()
    assert db.execute("SELECT COUNT(*) FROM interview WHERE respondent_code = ?", [CODE]).fetchone()[0] == 0
    again = merge_databases(there, db, command_line_actor(db))
    assert not again.changed, "merging again changes nothing"
    db.conn.close()
    assert remnants(file_bytes(here)) == []


def test_a_new_interview_after_an_erasure_can_still_be_imported(tmp_path):
    path = tmp_path / "surveys.db"
    version, _ = make_person(path)
    db = open_database(path)
    erase_respondent(db, CODE, command_line_actor(db), "They asked us to.")
    later = tmp_path / "later.csv"
    later.write_text(f"respondent_code,started_at,how_often\n{CODE},2999-01-01T00:00:00+00:00,Weekly\n"
                     f"{CODE},2001-01-01T00:00:00+00:00,Daily\n", encoding="utf-8")
    report = import_responses(db, later, version, command_line_actor(db))
    assert (report.interviews_added, report.erased_rows) == (1, [3])
    db.conn.close()
