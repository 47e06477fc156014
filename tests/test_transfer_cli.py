"""The data transfer commands: each one end to end, with its exit codes and messages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from surveys.cli import main
from surveys.storage import audit_entries, open_database
from surveys.storage import core as store

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data" / "xlsforms"
COMMANDS = ("import-xlsform", "export-xlsform", "import-responses", "export-responses", "merge", "backup", "restore")


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def published_version(path: Path) -> str:
    db = open_database(path)
    try:
        return next(v["id"] for v in store.list_versions(db) if v["status"] == "published")
    finally:
        db.conn.close()


def test_xlsform_commands_import_and_export(capsys, demo_db_path, tmp_path):
    code, out, _ = run(capsys, "import-xlsform", DATA / "tutorial.xls", "--db", demo_db_path)
    assert code == 0
    assert out.splitlines()[0] == "Made the survey 'tutorial' with 10 questions, as a draft."
    version_id = out.strip().splitlines()[-1].removeprefix("The new version id is ").rstrip(".")
    db = open_database(demo_db_path)
    assert len(store.questions_for_version(db, version_id)) == 10
    assert audit_entries(db, action="import form")[0]["actor"].startswith("command line")
    db.conn.close()
    code, out, _ = run(capsys, "export-xlsform", version_id, "--out", tmp_path / "f.xlsx", "--db", demo_db_path)
    assert (code, out) == (0, f"Saved the form to {tmp_path / 'f.xlsx'}. It opens in KoboToolbox and ODK.\n")


def test_responses_commands_export_then_import(capsys, demo_db_path, tmp_path):
    version_id = published_version(demo_db_path)
    code, out, _ = run(capsys, "export-responses", "--version", version_id, "--out", tmp_path / "a.csv",
                       "--db", demo_db_path)
    assert code == 0
    assert out.splitlines()[1] == f"The codebook (what each column means) is in {tmp_path / 'a_codebook.csv'}."
    assert out.splitlines()[2].startswith("Names, phone numbers and other personal details")
    code, out, _ = run(capsys, "import-responses", tmp_path / "a.csv", "--version", version_id, "--db", demo_db_path)
    assert code == 0 and "were already here, so they were left alone" in out


def test_identifiable_export_is_logged_with_the_computer_user(capsys, demo_db_path, tmp_path):
    version_id = published_version(demo_db_path)
    code, out, _ = run(capsys, "export-responses", "--version", version_id, "--out", tmp_path / "a.xlsx",
                       "--identifiable", "--db", demo_db_path)
    assert code == 0 and "the export was logged" in out
    db = open_database(demo_db_path)
    logged = audit_entries(db, action="identifiable export")
    assert len(logged) == 1 and logged[0]["actor"].startswith("command line (")
    db.conn.close()


def test_import_responses_lists_every_bad_row_and_exits_2(capsys, demo_db_path, tmp_path):
    version_id = published_version(demo_db_path)
    bad = tmp_path / "bad.csv"
    bad.write_text("rough_sleeping_nights,gp\nmany,Yes\n2,Perhaps\n", encoding="utf-8")
    code, out, err = run(capsys, "import-responses", bad, "--version", version_id, "--db", demo_db_path)
    assert code == 2 and out == ""
    assert err.splitlines() == [
        "Error: nothing was imported from bad.csv. Fix these rows and try again:",
        "  row 2: rough_sleeping_nights: 'many' is not a number",
        "  row 3: gp: 'Perhaps' is not one of the options",
    ]


def test_merge_backup_and_restore_commands(capsys, demo_db_path, tmp_path):
    code, out, _ = run(capsys, "backup", "--db", demo_db_path, "--out", tmp_path / "b.db")
    assert (code, out) == (0, f"Saved a backup of {demo_db_path} to {tmp_path / 'b.db'}.\n")
    empty = tmp_path / "empty.db"
    assert run(capsys, "init", "--db", empty)[0] == 0
    code, out, _ = run(capsys, "merge", tmp_path / "b.db", "--into", empty)
    assert code == 0 and out.startswith("Added 1 surveys, 7 people,")
    code, out, _ = run(capsys, "merge", tmp_path / "b.db", "--into", empty)
    assert (code, out) == (0, "Nothing new in b.db: this laptop already has all of it.\n")
    code, out, _ = run(capsys, "restore", tmp_path / "b.db", "--db", empty)
    assert code == 0 and out.splitlines()[0] == f"Put the backup {tmp_path / 'b.db'} in place of {empty}."
    assert "before-restore" in out.splitlines()[1]


@pytest.mark.parametrize("argv, message", [
    (["merge", "missing.db", "--into", "{db}"], "Error: There is no file at missing.db. Check the path."),
    (["export-responses", "--version", "nope", "--out", "{tmp}/a.csv", "--db", "{db}"],
     "Error: There is no survey version with the id nope."),
    (["export-xlsform", "nope", "--out", "{tmp}/a.xlsx", "--db", "{db}"],
     "Error: There is no survey version with the id nope."),
    (["import-xlsform", "{tmp}/missing.xlsx", "--db", "{db}"], "Error: There is no file at {tmp}/missing.xlsx."),
    (["backup", "--db", "{tmp}/missing.db", "--out", "{tmp}/b.db"], "Error: There is no file at {tmp}/missing.db."),
])
def test_mistakes_exit_2_with_a_plain_message(capsys, demo_db_path, tmp_path, argv, message):
    argv = [a.format(db=demo_db_path, tmp=tmp_path) for a in argv]
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert err.strip().startswith(message.format(tmp=tmp_path))


def test_every_transfer_command_is_in_the_docs():
    docs = (ROOT / "docs" / "cli.md").read_text()
    assert [c for c in COMMANDS if f"## python -m surveys {c}\n" not in docs] == []
    guide = (ROOT / "docs" / "data-transfer.md").read_text()
    assert [c for c in COMMANDS if f"python -m surveys {c}" not in guide] == []


def test_versions_json_ids_work_with_the_transfer_commands(capsys, demo_db_path, tmp_path):
    code, out, _ = run(capsys, "versions", "--format", "json", "--db", demo_db_path)
    for version in json.loads(out):
        code, _, _ = run(capsys, "export-xlsform", version["id"], "--out", tmp_path / f"{version['number']}.xlsx",
                         "--db", demo_db_path)
        assert code == 0
    assert sorted(p.name for p in tmp_path.glob("*.xlsx")) == ["1.xlsx", "2.xlsx"]
