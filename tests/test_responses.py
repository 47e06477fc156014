"""Answers in and out: round trips, KoboToolbox-style files, all-or-nothing, formulas, masking."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import actor_in, as_admin
from surveys.responses import ExportRefused, ImportFailed, export_responses, import_responses, neutralise
from surveys.storage import audit_entries, open_database
from surveys.storage import core as store
from surveys.storage.transfer import dump_tables


def answers_of(db, version_id: str) -> list[tuple]:
    return db.execute(
        "SELECT a.interview_id, q.name, a.value, a.opt_out, a.word_count FROM answer a "
        "JOIN question q ON q.id = a.question_id JOIN interview i ON i.id = a.interview_id "
        "WHERE i.version_id = ? ORDER BY 1, 2", [version_id]).fetchall()


def read_csv(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


@pytest.fixture
def small(tmp_path):
    """A database with one published version of every question type, and no interviews."""
    db = open_database(tmp_path / "small.db")
    survey_id = store.create_survey(db, "Small")
    version_id = store.create_version(db, survey_id, "One")
    for name, kind, options in (
        ("story", "long_text", []), ("nickname", "text", []), ("nights", "number", []), ("moved", "date", []),
        ("housing", "single_choice", ["Hostel", "Own flat", "Don't know"]), ("safe", "yes_no", ["Yes", "No"]),
        ("help", "multiple_choice", ["Food", "Money", "A bed"]), ("feel", "scale", ["Good", "OK", "Bad"]),
        ("thanks", "note", []),
    ):
        store.add_question(db, version_id, name=name, type=kind, wording=f"Question {name}?", options=options)
    store.set_version_status(db, version_id, "published")
    yield db, version_id, tmp_path
    db.conn.close()


def write_csv(path: Path, rows: list[list[str]], encoding: str = "utf-8") -> Path:
    with open(path, "w", encoding=encoding, newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


# ---- round trips --------------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_export_then_import_gives_the_same_answers(demo_db_path, tmp_path, suffix):
    copy = tmp_path / "copy.db"
    shutil.copy(demo_db_path, copy)
    source = open_database(demo_db_path)
    target = open_database(copy)
    target.execute("DELETE FROM answer")
    target.execute("DELETE FROM interview")
    for version in store.list_versions(source):
        out = export_responses(source, version["id"], tmp_path / f"{version['number']}{suffix}",
                               identifiable=True, actor=as_admin(source))
        report = import_responses(target, out.path, version["id"], as_admin(target))
        assert report.interviews_added == version["interviews"] and not report.problems
        assert answers_of(target, version["id"]) == answers_of(source, version["id"])
        again = import_responses(target, out.path, version["id"], as_admin(target))
        assert (again.interviews_added, again.already_here) == (0, version["interviews"]), "no duplicates"
    synthetic = target.execute("SELECT COUNT(*) FROM interview WHERE synthetic = 0").fetchone()[0]
    assert synthetic == 0, "demo interviews stay marked as made up"


def test_csv_has_a_byte_order_mark_and_a_codebook_beside_it(small):
    db, version_id, folder = small
    result = export_responses(db, version_id, folder / "out.csv")
    assert (folder / "out.csv").read_bytes()[:3] == b"\xef\xbb\xbf"
    assert result.codebook_path == folder / "out_codebook.csv"
    book = read_csv(result.codebook_path)
    assert book[0] == ["name", "wording", "type", "options", "required", "show_if", "topic", "lineage_id"]
    lineages = [q["lineage_id"] for q in store.questions_for_version(db, version_id)]
    assert [row[0] for row in book[1:]] == ["story", "nickname", "nights", "moved", "housing", "safe", "help",
                                            "feel", "thanks"]
    assert [row[7] for row in book[1:]] == lineages
    assert book[5][3] == "Hostel; Own flat; Don't know"


def test_excel_export_has_answers_and_codebook_sheets(small):
    from openpyxl import load_workbook

    db, version_id, folder = small
    export_responses(db, version_id, folder / "out.xlsx")
    book = load_workbook(folder / "out.xlsx")
    assert book.sheetnames == ["Answers", "Codebook"]
    header = [c.value for c in book["Answers"][1]]
    assert header[:8] == ["interview_id", "respondent_code", "interviewer", "status", "consent", "started_at",
                          "finished_at", "synthetic"]
    assert header[8:] == ["story", "nickname", "nights", "moved", "housing", "safe", "help", "feel"]


# ---- answers from other tools -----------------------------------------------------------------------------


def test_a_kobo_style_export_is_read_by_choice_names_and_group_paths(small):
    db, version_id, folder = small
    interview = "3f1c6f4e-8f0a-4c55-9d6a-0d6e1f6d2a11"
    rows = [
        ["start", "end", "group_a/story", "nickname", "nights", "moved", "housing", "safe", "help", "help/food",
         "help/money", "help/a_bed", "feel", "_id", "_uuid", "_submission_time", "__version__"],
        ["2025-03-01T10:00:00.000+00:00", "2025-03-01T10:20:00.000+00:00", "Café near the station", "Sam",
         "3", "31/01/2025", "own_flat", "yes", "food a_bed", "1", "0", "1", "ok", "17", interview,
         "2025-03-02T08:00:00", "vX"],
        ["", "", "", "", "2.5", "2025-02-01", "Don't know", "No", "Money; Food", "", "", "", "(skipped)", "18", "", "", ""],
    ]
    report = import_responses(db, write_csv(folder / "kobo.csv", rows), version_id, as_admin(db))
    assert (report.interviews_added, report.answers_added) == (2, 14)
    got = answers_of(db, version_id)
    first = {name: (value, opt_out) for iid, name, value, opt_out, _ in got if iid == interview}
    assert first == {
        "story": ("Café near the station", None), "nickname": ("Sam", None), "nights": ("3", None),
        "moved": ("2025-01-31", None), "housing": ("Own flat", None), "safe": ("Yes", None),
        "help": (json.dumps(["Food", "A bed"]), None), "feel": ("OK", None),
    }
    second = {name: (value, opt_out) for iid, name, value, opt_out, _ in got if iid != interview}
    assert second == {"nights": ("2.5", None), "moved": ("2025-02-01", None), "housing": ("Don't know", None),
                      "safe": ("No", None), "help": (json.dumps(["Money", "Food"]), None), "feel": (None, "skipped")}
    words = {name: count for iid, name, _, _, count in got if iid == interview}
    assert words["story"] == 4 and words["nights"] == 0
    started = db.execute("SELECT started_at, mode FROM interview WHERE id = ?", [interview]).fetchone()
    assert started == ("2025-03-01T10:00:00+00:00", "import")
    assert audit_entries(db, action="import answers")[0]["record_id"] == version_id


def test_one_bad_row_means_nothing_is_imported_and_every_problem_is_listed(small):
    db, version_id, folder = small
    before = dump_tables(db)
    rows = [["nights", "moved", "housing", "help", "thanks", "interview_id"],
            ["3", "2025-01-01", "Hostel", "Food", "", ""],
            ["three", "2025-01-01", "Hostel", "Food", "", ""],
            ["3", "yesterday", "Castle", "Food; Boat", "hello", "not-a-uuid"],
            ["4", "2025-01-02", "Hostel", "Money", "", ""]]
    with pytest.raises(ImportFailed) as caught:
        import_responses(db, write_csv(folder / "bad.csv", rows), version_id, as_admin(db))
    # The bad id stops row 4 before its cells are read; rows 2 and 5 are fine but still not saved.
    assert caught.value.report.problems == [
        (3, "nights: 'three' is not a number"),
        (4, "'not-a-uuid' is not a proper interview id"),
    ]
    assert str(caught.value).startswith("Nothing was imported from bad.csv")
    assert dump_tables(db) == before


def test_each_wrong_value_in_a_row_is_reported(small):
    db, version_id, folder = small
    rows = [["nights", "moved", "housing", "help", "thanks"],
            ["three", "yesterday", "Castle", "Food; Boat", "hello"]]
    with pytest.raises(ImportFailed) as caught:
        import_responses(db, write_csv(folder / "bad.csv", rows), version_id, as_admin(db))
    assert caught.value.report.problems == [
        (2, "nights: 'three' is not a number"),
        (2, "moved: 'yesterday' is not a date (write it like 2025-03-31 or 31/03/2025)"),
        (2, "housing: 'Castle' is not one of the options"),
        (2, "help: 'Boat' is not one of the options"),
        (2, "thanks: this is a note, so it takes no answer"),
    ]


# ---- safe files -----------------------------------------------------------------------------------------


FORMULAS = ["=HYPERLINK(\"http://x\",\"click\")", "+44 7700", "-1+2", "@SUM(A1)", "\tcmd", "\rcmd"]


def _interview_with_open_answers(db, version_id: str, texts: list[str], nights: str = "-5") -> str:
    interview_id = "0d7d4a0c-7a7e-4d4c-8d3c-2b0b8c6d9e01"
    questions = {q["name"]: q["id"] for q in store.questions_for_version(db, version_id)}
    store.bulk_insert(db, "interview", [(interview_id, version_id, "=cmd|' /C calc'!A0", None, "given",
                                         "submitted", "one_at_a_time", "2025-01-01T00:00:00+00:00", None, None,
                                         0, "2025-01-01T00:00:00+00:00")])
    rows = [("a-story", interview_id, questions["story"], texts[0]), ("a-nick", interview_id, questions["nickname"],
                                                                      texts[1]),
            ("a-nights", interview_id, questions["nights"], nights)]
    store.bulk_insert(db, "answer", [(i, iv, q, v, None, 0, 0, 0, 0, "", None, "2025-01-01T00:00:00+00:00")
                                     for i, iv, q, v in rows])
    return interview_id


@pytest.mark.parametrize("text", FORMULAS)
def test_formula_cells_are_neutralised_in_csv_and_excel(small, text):
    from openpyxl import load_workbook

    db, version_id, folder = small
    _interview_with_open_answers(db, version_id, [text, text])
    export_responses(db, version_id, folder / "out.csv", identifiable=True, actor=as_admin(db))
    row = read_csv(folder / "out.csv")[1]
    assert row[1] == "'=cmd|' /C calc'!A0"
    assert row[8] == "'" + text and row[9] == "'" + text
    assert row[10] == "-5", "a real number stays a number"
    export_responses(db, version_id, folder / "out.xlsx", identifiable=True, actor=as_admin(db))
    cells = list(load_workbook(folder / "out.xlsx")["Answers"].iter_rows(min_row=2, values_only=False))[0]
    assert [c.data_type for c in cells[8:10]] == ["s", "s"]
    # XML inside .xlsx turns a carriage return into a line break when read back; the ' stays first.
    assert cells[8].value == "'" + text.replace("\r", "\n") and cells[1].value == "'=cmd|' /C calc'!A0"
    assert cells[10].value == -5 and cells[10].data_type == "n"


def test_neutralise_leaves_safe_values_alone():
    assert [neutralise(v) for v in ("Hello", "", "5", 3, None, "a=b")] == ["Hello", "", "5", 3, None, "a=b"]


def test_open_answers_are_masked_unless_an_admin_asks_and_it_is_logged(small):
    db, version_id, folder = small
    text = "Ring me on 07700 900123 or write to sam.jones@example.com, I live at SW1A 1AA"
    _interview_with_open_answers(db, version_id, [text, "Sam"])
    eve = actor_in(db, "evaluator", "Eve")
    export_responses(db, version_id, folder / "masked.csv", actor=eve)
    masked = read_csv(folder / "masked.csv")[1][8]
    assert "07700" not in masked and "example.com" not in masked and "SW1A" not in masked
    assert "[phone]" in masked and "[email]" in masked and "[postcode]" in masked
    with pytest.raises(ExportRefused, match="Only an admin"):
        export_responses(db, version_id, folder / "full.csv", identifiable=True, actor=eve)
    with pytest.raises(ExportRefused, match="Only an admin"):
        export_responses(db, version_id, folder / "full.csv", identifiable=True, actor="admin")
    assert not (folder / "full.csv").exists()
    assert audit_entries(db, action="identifiable export") == []
    export_responses(db, version_id, folder / "full.csv", identifiable=True, actor=actor_in(db, "admin", "Ada"))
    assert read_csv(folder / "full.csv")[1][8] == text
    logged = audit_entries(db, action="identifiable export")
    assert len(logged) == 1 and logged[0]["actor"] == "Ada"
    assert [e["new_value"] for e in audit_entries(db, action="export answers")][0].count('"identifiable": true') == 1


def test_opt_outs_are_written_in_words(small):
    db, version_id, folder = small
    questions = {q["name"]: q["id"] for q in store.questions_for_version(db, version_id)}
    interview_id = "5b0a3c5e-9a52-4e1f-b1a7-6c1a9d9f2b10"
    store.bulk_insert(db, "interview", [(interview_id, version_id, "R1", None, "given", "submitted", "x",
                                         "2025-01-01T00:00:00+00:00", None, None, 0, "2025-01-01T00:00:00+00:00")])
    store.bulk_insert(db, "answer", [
        ("o1", interview_id, questions["housing"], None, "dont_know", 0, 0, 0, 0, "", None, "2025"),
        ("o2", interview_id, questions["safe"], None, "prefer_not_to_say", 0, 0, 0, 0, "", None, "2025"),
        ("o3", interview_id, questions["story"], None, "skipped", 0, 0, 0, 0, "", None, "2025"),
    ])
    export_responses(db, version_id, folder / "o.csv")
    header, row = read_csv(folder / "o.csv")
    cells = dict(zip(header, row))
    assert (cells["housing"], cells["safe"], cells["story"], cells["nights"]) == (
        "(don't know)", "(prefer not to say)", "(skipped)", "")


# ---- admin panel ----------------------------------------------------------------------------------------


def test_answers_panel_makes_a_file_and_logs_it(app_test, demo_db_path):
    at = app_test(demo_db_path, "admin")
    at.radio(key="admin_transfer_answers_kind").set_value("Plain table").run()
    at.button(key="admin_transfer_answers_export").click().run()
    assert not at.exception and not at.error
    files = at.session_state["admin_transfer_answer_files"][1]
    assert [name for name, _ in files] == ["answers.csv", "answers_codebook.csv"]
    assert files[0][1][:3] == b"\xef\xbb\xbf"
    db = open_database(demo_db_path)
    assert [e["actor"] for e in audit_entries(db, action="export answers")] == ["Test admin"]
    db.conn.close()


def test_answers_upload_helper_imports_all_or_nothing(small):
    from ui.transfer_panels import import_answers_upload

    db, version_id, folder = small
    report = import_answers_upload(db, {"name": "Ada", "actor": as_admin(db)}, version_id, "a.csv", b"nights,safe\n3,yes\n4,no\n")
    assert (report.interviews_added, report.answers_added) == (2, 4)
    with pytest.raises(ImportFailed):
        import_answers_upload(db, {"name": "Ada", "actor": as_admin(db)}, version_id, "b.csv", b"nights,safe\n3,yes\nx,no\n")
    assert db.execute("SELECT COUNT(*) FROM interview").fetchone()[0] == 2
