"""Other people's spreadsheet forms: nothing lost silently, every export converts, round trips are stable.

The forms come from pyxform's and Ona's test suites (tests/data/xlsforms/public/README.md).
"""

from __future__ import annotations

import re
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

import surveys.xlsform as xlsform
from surveys import languages
from surveys.accounts import command_line_actor
from surveys.interviews import resume, save_answer, start_interview, visible_questions
from surveys.storage import open_database
from surveys.storage import core as store
from surveys.storage import languages as language_store
from surveys.xlsform import XLSFormError, import_xlsform, save_form

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "xlsforms"
PUBLIC = DATA / "public"
REFUSED = {
    "pyxform-duplicate_columns.xlsx": "The form checker says: Duplicate column header: label",
    "pyxform-bad_calc.xlsx": "Row 2 (badcalc): the rule in the 'calculation' column is not written correctly: "
                             "a quote mark (') is never closed.",
}
FORMS = sorted(p for p in [*PUBLIC.glob("*.xls*"), *DATA.glob("*.xls*")] if p.name not in REFUSED)
COMPARED = ("name", "type", "wording", "help_text", "required", "options", "show_if", "topic")


@pytest.fixture(autouse=True)
def _no_wording_checker(monkeypatch):
    # The wording checker has its own tests; here it would only make 29 imports slower.
    monkeypatch.setattr(xlsform, "_check_wording", lambda db, version_id, report: None)


def snapshot(db, version_id: str) -> dict:
    """Return everything a round trip must keep: questions, languages, translations, settings, kept parts."""
    questions = store.questions_for_version(db, version_id)
    kept = language_store.form_file(db, version_id)
    return {
        "questions": [{k: q[k] for k in COMPARED} for q in questions],
        "columns": [(q["name"], q["form_columns"].get("columns"), q["form_columns"].get("list_name"),
                     [g["name"] for g in q["form_columns"].get("groups", [])]) for q in questions],
        "languages": languages.version_languages(db, version_id),
        "translations": sorted((t["language"], t["wording"], t["help_text"], sorted(t["options"].items()))
                               for t in language_store.translations_for_version(db, version_id)),
        "settings": {k: v for k, v in kept.get("settings", {}).items() if k != "form_title"},
        "rows": [(r["type"], r["name"], r["columns"], r["labels"]) for r in kept.get("rows", [])],
        "sheets": kept.get("sheets", {}),
    }


@pytest.mark.parametrize("path", FORMS, ids=lambda p: p.name)
def test_a_form_saved_again_keeps_everything_and_imports_the_same(db, tmp_path, path):
    """Import, save as a form (pyxform converts it), import again: the same survey, and nothing lost silently.

    Every filled-in cell of the form must be in the saved form or named in the import report.
    """
    report = import_xlsform(db, path, "t")
    exported = save_form(db, report.version_id, tmp_path / "again.xlsx")
    assert exported.notes == []
    assert _lost(path, exported.path, "\n".join(report.lines())) == []
    again = import_xlsform(db, exported.path, "t")
    assert snapshot(db, again.version_id) == snapshot(db, report.version_id)
    assert [(r.name, r.reason) for r in again.rules_not_converted] == [
        (r.name, r.reason) for r in report.rules_not_converted]


def _lost(before_path: Path, after_path: Path, text: str) -> list[tuple]:
    """Return the cells of the form at BEFORE_PATH that are neither in AFTER_PATH nor named in TEXT."""
    before, after = _cells(before_path), _cells(after_path)
    lost = []
    for sheet, rows in before.items():
        kept = {cell for row in after.get(sheet, []) for cell in row["cells"]}
        names = {row["name"] for row in after.get(sheet, [])}
        for row in rows:
            named_row = f"Row {row['number']} ({row['name']})" in text if sheet == "survey" else \
                bool(re.search(rf"{sheet} sheet \(rows? [^)]*\b{row['number']}\b", text))
            for tokens, value in row["cells"]:
                if (tokens, value) in kept or named_row:
                    continue
                if sheet == "survey" and tokens in (("type",), ("name",), ("bind", "relevant"), ("bind", "required")) \
                        and row["name"] in names:
                    continue  # written in our own words; the round trip compares what they mean
                if sheet == "settings" and tokens == ("title",):
                    continue  # the survey's name, written back as the form title
                if any(re.search(rf"\b{re.escape(t)}\b", text) for t in (tokens[0], *tokens[1:2])):
                    continue
                lost.append((sheet, row["number"], row["name"], tokens, value[:40]))
    return lost


def test_a_lost_column_would_be_found(tmp_path, db):
    """The check above finds a column that is dropped without a word in the report."""
    report = import_xlsform(db, DATA / "tutorial.xls", "t")
    out = save_form(db, report.version_id, tmp_path / "again.xlsx").path
    text = "\n".join(report.lines()).replace("an answer rule (constraint) (2), ", "")
    from openpyxl import load_workbook

    book = load_workbook(out)
    header = [c.value for c in book["survey"][1]]
    book["survey"].delete_cols(header.index("constraint") + 1)
    book.save(out)
    assert [(r[2], r[3]) for r in _lost(DATA / "tutorial.xls", out, text)] == [
        ("age_in_months", ("bind", "constraint")), ("age_in_years", ("bind", "constraint"))]


def _cells(path: Path) -> dict[str, list[dict]]:
    """Return, per sheet, each row's number, name and (column split as pyxform reads it, value) cells."""
    from pyxform import aliases
    from pyxform.parsing.sheet_headers import process_header
    from pyxform.question import MultipleChoiceQuestion, Option
    from pyxform.survey import Survey
    from pyxform.xls2json_backends import get_xlsform

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        data = get_xlsform(str(path))
    sheets = {"survey": (data.survey, data.survey_header, aliases.survey_header,
                         set(MultipleChoiceQuestion.get_slot_names())),
              "choices": (data.choices, data.choices_header, aliases.list_header, set(Option.get_slot_names())),
              "settings": (data.settings, data.settings_header, aliases.settings_header,
                           set(Survey.get_slot_names())),
              "external_choices": (data.external_choices, data.external_choices_header, aliases.list_header,
                                   set(Option.get_slot_names()))}
    out: dict[str, list[dict]] = {}
    for name, (rows, headers, header_aliases, columns) in sheets.items():
        header_names = list((headers or [{}])[0])
        double = any("::" in h for h in header_names)
        tokens = {h: tuple(t.lower() if i == 0 else t for i, t in
                           enumerate(process_header(h, double, header_aliases, columns)[1])) for h in header_names}
        out[name] = []
        for index, row in enumerate(rows or []):
            cells = {(tokens.get(h, (h,)), str(v).strip()) for h, v in row.items() if str(v).strip()}
            cells = {c for c in cells if c[0] not in (("list name",), ("list_name",))}
            out[name].append({"number": index + 2, "name": str(row.get("name", "")).strip(), "cells": cells})
    return out


@pytest.mark.parametrize("name, message", sorted(REFUSED.items()))
def test_broken_public_forms_are_refused_in_their_own_words(db, name, message):
    with pytest.raises(XLSFormError) as refused:
        import_xlsform(db, PUBLIC / name, "t")
    assert message in str(refused.value)
    assert store.list_surveys(db) == []


def test_a_form_in_english_french_and_swahili_is_asked_in_french_and_saved_with_all_three(db, tmp_path):
    report = import_xlsform(db, PUBLIC / "onadata-multi_lingual_form.xlsx", "t")
    version_id = report.version_id
    assert [lang["language"] for lang in languages.version_languages(db, version_id)] == [
        "English", "Swahili", "French"]
    assert report.lines()[1] == "It is in 3 languages: English (the main one), Swahili and French."
    french = {q["name"]: q for q in languages.questions_in_language(db, version_id, "French")}
    assert french["sex_resp"]["wording"] == "Le genre"
    assert french["sex_resp"]["option_labels"] == {"Male": "Masculine", "Female": "Feminine"}
    assert french["age"]["untranslated"] == []
    store.set_version_status(db, version_id, "published")
    me = command_line_actor(db)  # no accounts yet: the person at the laptop acts
    interview_id = start_interview(db, version_id, "R1", me, True, language="French")
    save_answer(db, interview_id, french["sex_resp"]["id"], "Female", actor=me)
    state = resume(db, interview_id, me)
    assert state.interview["language"] == "French"
    assert state.answers[french["sex_resp"]["id"]]["value"] == "Female", "answers are stored in the main language"
    assert [q["name"] for q in visible_questions(state.questions, state.answers)][:3] == ["resp_name", "age",
                                                                                          "sex_resp"]
    from openpyxl import load_workbook

    out = save_form(db, version_id, tmp_path / "three.xlsx").path
    header, *rows = list(load_workbook(out)["survey"].iter_rows(values_only=True))
    assert [h for h in header if h.startswith("label")] == ["label::English", "label::Swahili", "label::French"]
    sex = dict(zip(header, next(r for r in rows if r[1] == "sex_resp")))
    assert (sex["label::English"], sex["label::Swahili"], sex["label::French"]) == (
        "Sex of respondent", "Jinsia", "Le genre")
    choice_header, *choices = list(load_workbook(out)["choices"].iter_rows(values_only=True))
    female = dict(zip(choice_header, next(c for c in choices if c[1] == "2")))
    assert (female["label::English"], female["label::Swahili"], female["label::French"]) == (
        "Female", "Mke", "Feminine")


def test_integer_stays_integer_and_string_and_int_are_text_and_number(db, tmp_path):
    from openpyxl import load_workbook

    report = import_xlsform(db, PUBLIC / "pyxform-text_and_integer.xlsx", "t")
    out = save_form(db, report.version_id, tmp_path / "again.xlsx").path
    header, *rows = list(load_workbook(out)["survey"].iter_rows(values_only=True))
    original = xlsform.read_form_file(PUBLIC / "pyxform-text_and_integer.xlsx").survey.rows
    assert [(r[0], r[1]) for r in rows] == [(r["type"], r["name"]) for r in original]
    path = tmp_path / "aliases.xlsx"
    _write(path, [["type", "name", "label"], ["string", "nickname", "What do people call you?"],
                  ["int", "nights", "How many nights?"]])
    aliases = import_xlsform(db, path, "t")
    assert [(q["name"], q["type"]) for q in store.questions_for_version(db, aliases.version_id)] == [
        ("nickname", "text"), ("nights", "number")]
    out = save_form(db, aliases.version_id, tmp_path / "aliases-again.xlsx").path
    assert [r[0] for r in list(load_workbook(out)["survey"].iter_rows(values_only=True))[1:]] == ["string", "int"]


def _write(path: Path, survey: list[list[str]]) -> None:
    from openpyxl import Workbook

    book = Workbook()
    for row in survey:
        book.active.append(row)
    book.active.title = "survey"
    book.save(path)


def test_settings_come_back_as_written(db, tmp_path):
    from openpyxl import load_workbook

    report = import_xlsform(db, PUBLIC / "onadata-tutorial_encrypted.xlsx", "t")
    assert set(report.settings) == {"form_id", "public_key", "submission_url"}
    out = save_form(db, report.version_id, tmp_path / "again.xlsx").path
    header, values = list(load_workbook(out)["settings"].iter_rows(values_only=True))
    written = dict(zip(header, values))
    original = xlsform.read_form_file(PUBLIC / "onadata-tutorial_encrypted.xlsx").settings
    assert {k: written[k] for k in original} == original
    assert "version" not in written, "a form with no version is not given one"


def test_a_form_with_no_form_id_keeps_the_id_its_file_name_gave_it(db, tmp_path):
    from openpyxl import load_workbook

    report = import_xlsform(db, DATA / "tutorial.xls", "t")
    out = save_form(db, report.version_id, tmp_path / "survey-form.xlsx").path
    header, values = list(load_workbook(out)["settings"].iter_rows(values_only=True))
    assert dict(zip(header, values))["form_id"] == "tutorial"


def test_the_same_name_in_two_groups_is_reported_at_its_own_row(db):
    report = import_xlsform(db, PUBLIC / "onadata-groups_in_repeats.xlsx", "t")
    renamed = [r.sentence() for r in report.changes if "name was changed" in r.reason]
    assert renamed == [
        "Row 10 (name): its name was changed to 'name_2', because names here use only letters, numbers and _ "
        "and must all differ.",
        "Row 11 (age): its name was changed to 'age_2', because names here use only letters, numbers and _ "
        "and must all differ.",
    ]


def test_no_made_up_names_and_no_warnings_reach_the_person(db):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        report = import_xlsform(db, PUBLIC / "pyxform-widgets.xls", "t")
        import_xlsform(db, PUBLIC / "onadata-groups_in_repeats.xlsx", "t")
    assert [str(w.message) for w in caught] == []
    text = "\n".join(report.lines())
    assert "reserved_name" not in text and "generated_table_list" not in text
    names = [q["name"] for q in store.questions_for_version(db, report.version_id)]
    assert not any(n.startswith(("reserved_name", "generated_table_list")) for n in names)


def test_the_command_line_passes_pyxform_s_message_with_nothing_before_error(tmp_path):
    database = tmp_path / "s.db"
    subprocess.run([sys.executable, "-m", "surveys", "init", "--db", str(database)], cwd=ROOT, check=True,
                   capture_output=True)
    refused = subprocess.run([sys.executable, "-m", "surveys", "import-xlsform", "--db", str(database),
                              str(PUBLIC / "pyxform-duplicate_columns.xlsx")], cwd=ROOT, capture_output=True, text=True)
    assert refused.returncode == 2
    assert refused.stderr.startswith("Error: pyxform-duplicate_columns.xlsx has a mistake")
    assert "Duplicate column header: label" in refused.stderr
    taken = subprocess.run([sys.executable, "-m", "surveys", "import-xlsform", "--db", str(database),
                            str(PUBLIC / "onadata-groups_in_repeats.xlsx")], cwd=ROOT, capture_output=True, text=True)
    assert taken.returncode == 0 and taken.stderr == "", "openpyxl's warnings about the file never show"
    assert "The wording was not checked yet: the Design page checks every question." in taken.stdout


def test_the_command_line_starts_without_loading_pandas_or_the_language_model(tmp_path):
    database = tmp_path / "s.db"
    subprocess.run([sys.executable, "-m", "surveys", "init", "--db", str(database)], cwd=ROOT, check=True,
                   capture_output=True)
    result = subprocess.run([sys.executable, "-X", "importtime", "-m", "surveys", "import-xlsform", "--db",
                             str(database), str(DATA / "tutorial.xls")], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0
    loaded = {line.split("|")[-1].strip().split(".")[0] for line in result.stderr.splitlines() if "|" in line}
    assert {"pyxform", "sqlite_utils"} <= loaded
    assert loaded.isdisjoint({"pandas", "spacy"})  # numpy comes with openpyxl, which pyxform reads with
    import importlib

    from surveys.quick_start import hidden

    with hidden("a_package_left_out"), pytest.raises(ImportError):
        importlib.import_module("a_package_left_out.sub")


def test_piping_is_kept_and_reported_when_the_answer_is_not_asked_here(db, tmp_path):
    from openpyxl import load_workbook

    report = import_xlsform(db, PUBLIC / "pyxform-calculate.xls", "t")
    lines = [r.sentence() for r in report.changes if "show the answer" in r.reason]
    assert lines and all("kept for the form file but not asked here" in line for line in lines)
    out = save_form(db, report.version_id, tmp_path / "again.xlsx").path
    assert any("${" in str(cell) for row in load_workbook(out)["survey"].iter_rows(values_only=True)
               for cell in row if cell)


def test_import_reports_are_plain_words(db):
    """Every report sentence (with the form's own words taken out) passes the question checker."""
    from surveys.checks import get_checker
    from tests.test_plain_words import QUESTION_ONLY_CHECKS, plain_sentences

    lines: set[str] = set()
    for name in ("pyxform-xlsform_spec_test.xlsx", "onadata-tutorial_2.xlsx", "onadata-groups_in_repeats.xlsx",
                 "pyxform-loop.xlsx", "onadata-multi_lingual_form.xlsx", "onadata-childrens_survey_sw.xlsx"):
        report = import_xlsform(db, PUBLIC / name, "t")
        for line in report.lines():
            # The form's own names, rules and words are quoted as written; the sentence around them is ours.
            line = re.sub(r"“[^”]*”|'[^']*'|\"[^\"]*\"|\([^)]*\)|\$\{[^}]*\}", "it", line)
            lines.update(plain_sentences(line))
    sentences = sorted(lines)
    reports = get_checker().check_many([(s, None) for s in sentences])
    problems = [(s, [f.code for f in r.flags if f.severity == "problem" and f.code not in QUESTION_ONLY_CHECKS])
                for s, r in zip(sentences, reports)]
    assert [p for p in problems if p[1]] == []
