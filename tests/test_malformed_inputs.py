"""Malformed inputs: each gives a clear message and leaves the database byte-for-byte unchanged."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from surveys.accounts import command_line_actor
from surveys.backup import restore
from surveys.merge import merge_databases
from surveys.responses import import_responses
from surveys.storage import StorageError, open_database
from surveys.storage import core as store
from surveys.storage.transfer import dump_tables
from surveys.xlsform import export_xlsform, import_xlsform
from tests.test_xlsform import write_form

FIFTY_MB = 50 * 1024 * 1024


def snapshot(path: Path) -> tuple[bytes, dict]:
    """Return the file's bytes (after moving the write-ahead log into it) and every table's rows."""
    db = open_database(path)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    rows = dump_tables(db)
    db.conn.close()
    return path.read_bytes(), rows


def sparse(path: Path, size: int = FIFTY_MB) -> Path:
    """Return PATH after making it SIZE bytes long without writing them (fast, takes no disk)."""
    with open(path, "wb") as fh:
        fh.truncate(size)
    return path


def csv_file(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def other_database(path: Path) -> Path:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE pets (name TEXT)")
    conn.execute("INSERT INTO pets VALUES ('Rex')")
    conn.commit()
    conn.close()
    return path


def newer_database(source: Path, path: Path) -> Path:
    path.write_bytes(source.read_bytes())
    conn = sqlite3.connect(path)
    conn.execute("INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
                 "VALUES ('peer_survey_studio', '9999_from_the_future', '2030')")
    conn.commit()
    conn.close()
    return path


def _form(tmp: Path, survey: list[dict], choices: list[dict] | None = None, **kw) -> Path:
    return write_form(tmp / "form.xlsx", survey, choices, **kw)


TEXT = {"type": "text", "name": "a", "label": "Tell us about it?"}

# Each case: (id, action taking (db, folder, version_id, db_path), words the message must hold)
CASES: list[tuple[str, Callable, str]] = [
    ("xlsform wrong sheet names",
     lambda db, tmp, v, p: import_xlsform(db, _form(tmp, [TEXT], sheet_names=("questions", "options", "extra")), "t"),
     "has no sheet called 'survey'"),
    ("xlsform duplicate names",
     lambda db, tmp, v, p: import_xlsform(db, _form(tmp, [TEXT, TEXT]), "t"),
     "the 'name' value 'a' is invalid"),
    ("xlsform unknown type",
     lambda db, tmp, v, p: import_xlsform(db, _form(tmp, [{**TEXT, "type": "textt"}]), "t"),
     "Unknown question type 'textt'"),
    ("xlsform broken relevant",
     lambda db, tmp, v, p: import_xlsform(db, _form(tmp, [TEXT, {**TEXT, "name": "b", "relevant": "${a = 'x'"}]),
                                          "t"),
     "the 'relevant' value is invalid"),
    ("xlsform choice list missing",
     lambda db, tmp, v, p: import_xlsform(db, _form(tmp, [{**TEXT, "type": "select_one colours"}],
                                                    [{"list_name": "sizes", "name": "s", "label": "Small"}]), "t"),
     "List name not in choices sheet: colours"),
    ("xlsform nothing we can ask",
     lambda db, tmp, v, p: import_xlsform(db, _form(tmp, [{"type": "calculate", "name": "c", "calculation": "1"}]),
                                          "t"),
     "has no questions this tool can ask"),
    ("xlsform empty file",
     lambda db, tmp, v, p: import_xlsform(db, csv_file(tmp / "empty.xlsx", ""), "t"),
     "empty.xlsx is empty"),
    ("xlsform 50 MB file",
     lambda db, tmp, v, p: import_xlsform(db, sparse(tmp / "huge.xlsx"), "t"),
     "huge.xlsx is too big (50 MB)"),
    ("xlsform not a spreadsheet",
     lambda db, tmp, v, p: import_xlsform(db, csv_file(tmp / "fake.xlsx", "just some words\n" * 20), "t"),
     "could not be read as a spreadsheet form"),
    ("answers not UTF-8",
     lambda db, tmp, v, p: import_responses(db, csv_file(tmp / "latin.csv", "gp,worker_listens\nYes,Café\n",
                                                         "latin-1"), v, command_line_actor(db)),
     "is not saved as UTF-8 text"),
    ("answers extra columns",
     lambda db, tmp, v, p: import_responses(db, csv_file(tmp / "extra.csv", "gp,favourite_colour\nYes,Blue\n"), v, command_line_actor(db)),
     "these columns are not questions in this version: favourite_colour"),
    ("answers same column twice",
     lambda db, tmp, v, p: import_responses(db, csv_file(tmp / "twice.csv", "gp,gp\nYes,No\n"), v, command_line_actor(db)),
     "gp (twice)"),
    ("answers empty file",
     lambda db, tmp, v, p: import_responses(db, csv_file(tmp / "empty.csv", ""), v, command_line_actor(db)),
     "empty.csv is empty"),
    ("answers names but no rows",
     lambda db, tmp, v, p: import_responses(db, csv_file(tmp / "head.csv", "gp,alcohol\n"), v, command_line_actor(db)),
     "has column names but no answers"),
    ("answers 50 MB file",
     lambda db, tmp, v, p: import_responses(db, sparse(tmp / "huge.csv"), v, command_line_actor(db)),
     "huge.csv is too big (50 MB)"),
    ("answers wrong file kind",
     lambda db, tmp, v, p: import_responses(db, csv_file(tmp / "a.txt", "gp\nYes\n"), v, command_line_actor(db)),
     "Use a .csv, .xlsx or .xls file"),
    ("answers one bad row among good ones",
     lambda db, tmp, v, p: import_responses(db, csv_file(tmp / "bad.csv", "gp\nYes\nNo\nMaybe\nYes\n"), v, command_line_actor(db)),
     "row 4: gp: 'Maybe' is not one of the options"),
    ("answers wrong version id",
     lambda db, tmp, v, p: import_responses(db, csv_file(tmp / "ok.csv", "gp\nYes\n"), "no-such-version", command_line_actor(db)),
     "There is no survey version with the id no-such-version"),
    ("form export wrong version id",
     lambda db, tmp, v, p: export_xlsform(db, "no-such-version", tmp / "f.xlsx"),
     "There is no survey version with the id no-such-version"),
    ("merge a database that is not ours",
     lambda db, tmp, v, p: merge_databases(other_database(tmp / "other.db"), db, command_line_actor(db)),
     "was not made by Peer Survey Studio"),
    ("merge a file that is not a database",
     lambda db, tmp, v, p: merge_databases(csv_file(tmp / "notes.db", "hello " * 100), db, command_line_actor(db)),
     "is not a Peer Survey Studio database"),
    ("merge a database from a newer app",
     lambda db, tmp, v, p: merge_databases(newer_database(p, tmp / "newer.db"), db, command_line_actor(db)),
     "made by a newer version of Peer Survey Studio"),
    ("restore a database that is not ours",
     lambda db, tmp, v, p: restore(other_database(tmp / "other.db"), p, command_line_actor(db)),
     "was not made by Peer Survey Studio"),
    ("restore a backup from a newer app",
     lambda db, tmp, v, p: restore(newer_database(p, tmp / "newer.db"), p, command_line_actor(db)),
     "made by a newer version of Peer Survey Studio"),
]


@pytest.mark.parametrize("action, words", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_malformed_input_is_refused_plainly_and_changes_nothing(demo_db_path, tmp_path, action, words):
    folder = tmp_path / "inputs"
    folder.mkdir()
    db = open_database(demo_db_path)
    version_id = next(v["id"] for v in store.list_versions(db) if v["status"] == "published")
    db.conn.close()
    before = snapshot(demo_db_path)
    db = open_database(demo_db_path)
    with pytest.raises((StorageError, ValueError)) as caught:
        action(db, folder, version_id, demo_db_path)
    db.conn.close()
    assert words in str(caught.value)
    assert "Traceback" not in str(caught.value)
    after = snapshot(demo_db_path)
    assert after[1] == before[1], "every table holds the same rows"
    assert after[0] == before[0], "the database file is byte-for-byte the same"
    assert list(tmp_path.glob("*.before-restore-*")) == [], "no safety copy when nothing was restored"


def test_the_command_line_also_changes_nothing_on_a_bad_file(demo_db_path, tmp_path, capsys):
    from surveys.cli import main

    db = open_database(demo_db_path)
    version_id = next(v["id"] for v in store.list_versions(db) if v["status"] == "published")
    db.conn.close()
    before = snapshot(demo_db_path)
    bad = csv_file(tmp_path / "bad.csv", "gp,alcohol\nYes,No\nsometimes,No\n")
    assert main(["import-responses", str(bad), "--version", version_id, "--db", str(demo_db_path)]) == 2
    assert "row 3: gp: 'sometimes' is not one of the options" in capsys.readouterr().err
    assert snapshot(demo_db_path) == before
