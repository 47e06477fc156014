"""XLSForm import and export: sample forms, show-if rules, languages, groups, round trips."""

from __future__ import annotations

from pathlib import Path

import pytest

from surveys.storage import audit_entries, open_database
from surveys.storage import core as store
from surveys.xlsform import (
    RuleNotConverted,
    XLSFormError,
    export_xlsform,
    import_xlsform,
    relevant_to_show_if,
    save_form,
    split_relevant,
)

DATA = Path(__file__).resolve().parent / "data" / "xlsforms"
COMPARED = ("name", "type", "wording", "help_text", "required", "options", "show_if", "topic")


def write_form(path: Path, survey: list[dict], choices: list[dict] | None = None,
               settings: dict | None = None, sheet_names: tuple[str, str, str] = ("survey", "choices", "settings")) -> Path:
    """Write an XLSForm .xlsx from row dicts; return its path."""
    from openpyxl import Workbook

    book = Workbook()
    sheets = [(sheet_names[0], survey), (sheet_names[1], choices or []), (sheet_names[2], [settings] if settings else [])]
    book.remove(book.active)
    for title, rows in sheets:
        if not rows:
            continue
        sheet = book.create_sheet(title)
        header = list(dict.fromkeys(k for row in rows for k in row))
        sheet.append(header)
        for row in rows:
            sheet.append([row.get(k, "") for k in header])
    book.save(path)
    return path


def simple(questions: list[dict]) -> list[dict]:
    return [{k: q[k] for k in COMPARED} for q in questions]


# ---- the sample forms -------------------------------------------------------------------------------


def test_tutorial_form_imports_with_a_full_report(db):
    report = import_xlsform(db, DATA / "tutorial.xls", "tester")
    questions = store.questions_for_version(db, report.version_id)
    assert [q["name"] for q in questions] == [
        "name", "relationship_to_household_head", "sex", "resident", "stayed_last_night", "older_than_five",
        "age_in_months", "age_in_years", "literate", "pregnant",
    ]
    assert store.get_version(db, report.version_id)["status"] == "draft"
    by_name = {q["name"]: q for q in questions}
    assert by_name["sex"]["type"] == "single_choice" and by_name["sex"]["options"] == ["Male", "Female"]
    assert by_name["resident"]["type"] == "yes_no"
    assert by_name["age_in_months"]["type"] == "number"
    # ${older_than_five}='no' uses the choice name; the show-if rule uses the option label.
    assert by_name["age_in_months"]["show_if"] == {"question": "older_than_five", "operator": "equals",
                                                   "values": ["No"]}
    # The answer rule is kept for the form file, not pasted into the help text.
    assert by_name["age_in_months"]["help_text"] == ""
    assert by_name["age_in_months"]["form_columns"]["columns"]["constraint"] == ". <= 72"
    assert {q["topic"] for q in questions} == {"Household Member or Visitor"}
    # ${sex}='female' and ${age_in_years}>=15 and ${age_in_years}<50: one rule on two questions.
    assert by_name["literate"]["show_if"] == {"all": [
        {"question": "sex", "operator": "equals", "values": ["Female"]},
        {"question": "age_in_years", "operator": "greater_than", "values": ["14"]},
        {"question": "age_in_years", "operator": "less_than", "values": ["50"]}]}
    assert report.rules_not_converted == [] and report.not_taken == []
    assert [(r.row, r.name) for r in report.changes] == [(2, "member")]
    assert report.groups == ["Household Member or Visitor"]
    assert report.lines() == [
        "Made the survey 'tutorial' with 10 questions, as a draft.",
        "Row 2 (member): this block repeats in the form; here its questions are asked once. It is written back "
        "as a repeat.",
        "Questions in groups sit in one list here; each keeps its group as its topic: Household Member or "
        "Visitor. The groups are written back when you save the survey as a form.",
        "Kept for the form file and written back when you save the survey as a form, but not used here: an "
        "answer rule (constraint) (2), tutorial notes (7).",
        "2 questions have answer rules, such as “A whole number up to 72”. Interviewers see them in words; "
        "the app does not check them.",
        "The wording checks read English.",
        report.lines()[-1],
    ]
    assert report.lines()[-1].startswith("The wording checker looked at every question")


def test_specify_other_form_gets_the_other_option_and_its_follow_up(db):
    report = import_xlsform(db, DATA / "specify_other.xlsx", "tester")
    questions = simple(store.questions_for_version(db, report.version_id))
    assert questions == [
        {"name": "sex", "type": "single_choice", "wording": "What sex are you?", "help_text": "",
         "required": False, "options": ["Male", "Female", "Other"], "show_if": None, "topic": ""},
        {"name": "sex_other", "type": "text", "wording": "Specify other.", "help_text": "", "required": False,
         "options": [], "show_if": {"question": "sex", "operator": "equals", "values": ["Other"]}, "topic": ""},
    ]
    assert report.not_taken == [] and report.rules_not_converted == []
    assert [r.sentence() for r in report.changes] == [
        "Row 2 (sex): the form adds a question 'sex_other' for people who pick Other; it is a question here too."]


def test_cascading_form_reports_filters_and_repeated_options(db):
    report = import_xlsform(db, DATA / "choice_filter_test.xlsx", "tester")
    assert report.survey_name == "cascading selects"
    questions = {q["name"]: q for q in store.questions_for_version(db, report.version_id)}
    assert questions["county"]["options"] == ["King", "Pierce", "Cameron"]
    reasons = [(r.row, r.name, r.reason) for r in report.changes]
    assert (3, "county", "the option 'King' is listed twice on the choices sheet (rows 4 and 6); here it is kept "
                         "once.") in reasons
    assert sum("filtered by an earlier answer" in r[2] for r in reasons) == 2
    assert questions["county"]["form_columns"]["columns"]["choice_filter"] == "${state}=cf"


@pytest.mark.parametrize("name", sorted(p.name for p in DATA.glob("*.xls*")))
def test_every_sample_form_imports_and_is_logged(db, name):
    report = import_xlsform(db, DATA / name, "tester")
    assert report.questions == [q["name"] for q in store.questions_for_version(db, report.version_id)]
    assert report.lines()[0].startswith("Made the survey")
    logged = audit_entries(db, action="import form")
    assert logged[0]["record_id"] == report.version_id and logged[0]["actor"] == "tester"


# ---- relevant to show-if ----------------------------------------------------------------------------


@pytest.mark.parametrize("expr, expected", [
    ("${a} = 'x'", {"question": "a", "operator": "equals", "values": ["x"]}),
    ("${a}='x'", {"question": "a", "operator": "equals", "values": ["x"]}),
    ("${a} != 'x'", {"question": "a", "operator": "not_equals", "values": ["x"]}),
    ("${a} != ''", {"question": "a", "operator": "answered", "values": []}),
    ("selected(${a}, 'x')", {"question": "a", "operator": "any_of", "values": ["x"]}),
    ("not(selected(${a}, 'x'))", {"question": "a", "operator": "none_of", "values": ["x"]}),
    ("selected(../a, 'other')", {"question": "a", "operator": "any_of", "values": ["other"]}),
    ("${a} = 'x' or ${a} = 'y'", {"question": "a", "operator": "any_of", "values": ["x", "y"]}),
    ("selected(${a}, 'x') or selected(${a}, 'y')", {"question": "a", "operator": "any_of", "values": ["x", "y"]}),
    ("${a} != 'x' and ${a} != 'y'", {"question": "a", "operator": "none_of", "values": ["x", "y"]}),
    ("${n} > 5", {"question": "n", "operator": "greater_than", "values": ["5"]}),
    ("${n} < 2.5", {"question": "n", "operator": "less_than", "values": ["2.5"]}),
    ("(${a} = 'x')", {"question": "a", "operator": "equals", "values": ["x"]}),
    ("${a} = 'x and y'", {"question": "a", "operator": "equals", "values": ["x and y"]}),
])
def test_simple_relevant_rules_become_show_if(expr, expected):
    assert relevant_to_show_if(expr) == expected


def test_at_least_converts_only_for_whole_numbers():
    assert relevant_to_show_if("${n} >= 15", {"n"}) == {"question": "n", "operator": "greater_than",
                                                          "values": ["14"]}
    assert relevant_to_show_if("${n} <= 49", {"n"}) == {"question": "n", "operator": "less_than", "values": ["50"]}
    with pytest.raises(RuleNotConverted, match="whole-number"):
        relevant_to_show_if("${n} >= 15")


@pytest.mark.parametrize("expr, expected", [
    ("${a} = 'x' and ${b} = 'y'", {"all": [{"question": "a", "operator": "equals", "values": ["x"]},
                                           {"question": "b", "operator": "equals", "values": ["y"]}]}),
    ("${a} = 'x' or (${b} = 'y' and ${c} > 2)",
     {"any": [{"question": "a", "operator": "equals", "values": ["x"]},
              {"all": [{"question": "b", "operator": "equals", "values": ["y"]},
                       {"question": "c", "operator": "greater_than", "values": ["2"]}]}]}),
    ("${n} > 5 and ${n} < 9", {"all": [{"question": "n", "operator": "greater_than", "values": ["5"]},
                                       {"question": "n", "operator": "less_than", "values": ["9"]}]}),
    ("string-length(${a}) > 0", {"question": "a", "operator": "answered", "values": []}),
    ("not(${a} = 'x')", {"question": "a", "operator": "not_equals", "values": ["x"]}),
])
def test_rules_on_more_than_one_question_join_with_all_or_any(expr, expected):
    assert relevant_to_show_if(expr) == expected


@pytest.mark.parametrize("expr, reason", [
    ("count-selected(${a}) > 2", "not a simple rule"),
    ("${n} > 'x'", "not a number"),
    ("", "empty"),
])
def test_other_relevant_rules_are_refused_with_a_reason(expr, reason):
    with pytest.raises(RuleNotConverted, match=reason.replace("(", r"\(")):
        relevant_to_show_if(expr)


def test_a_rule_that_is_partly_readable_keeps_the_readable_part():
    rule, left, reason = split_relevant("${a} = 'x' and regex(${b}, '^[0-9]+$') and ${c} != 'y'")
    assert rule == {"all": [{"question": "a", "operator": "equals", "values": ["x"]},
                            {"question": "c", "operator": "not_equals", "values": ["y"]}]}
    assert left == "regex(${b}, '^[0-9]+$')" and "not a simple rule" in reason
    assert split_relevant("${a} = 'x' or regex(${b}, 'z')")[:2] == (None, "${a} = 'x' or regex(${b}, 'z')")


# ---- labels, languages, groups, types -----------------------------------------------------------------


def test_default_language_is_picked_then_the_first(db, tmp_path):
    survey = [{"type": "text", "name": "q1", "label::English (en)": "How are you?",
               "label::French (fr)": "Comment ça va ?", "hint::English (en)": "In your words",
               "hint::French (fr)": "Avec vos mots"}]
    french = import_xlsform(db, write_form(tmp_path / "fr.xlsx", survey, settings={"default_language": "French (fr)"}),
                            "t")
    first = import_xlsform(db, write_form(tmp_path / "first.xlsx", survey), "t")
    assert [(q["wording"], q["help_text"]) for q in store.questions_for_version(db, french.version_id)] == [
        ("Comment ça va ?", "Avec vos mots")]
    assert [(q["wording"], q["help_text"]) for q in store.questions_for_version(db, first.version_id)] == [
        ("How are you?", "In your words")]


def test_groups_are_flattened_into_topics_and_pass_on_their_rule(db, tmp_path):
    survey = [
        {"type": "select_one yn", "name": "housed", "label": "Do you have a home?", "required": "yes"},
        {"type": "begin group", "name": "home", "label": "Your home", "relevant": "${housed} = 'y'"},
        {"type": "text", "name": "home_like", "label": "What is it like?", "appearance": "multiline"},
        {"type": "select_one agree", "name": "home_safe", "label": "It feels safe", "appearance": "likert"},
        {"type": "end group"},
        {"type": "select_multiple help", "name": "help", "label": "What help do you get?",
         "constraint": ". != 'none'", "constraint_message": "Pick at least one kind of help"},
        {"type": "date", "name": "when", "label": "When did it start?"},
        {"type": "decimal", "name": "rent", "label": "Rent each week"},
        {"type": "note", "name": "thanks", "label": "Thank you."},
        {"type": "geopoint", "name": "where", "label": "Where are you?"},
        {"type": "calculate", "name": "calc", "calculation": "1 + 1"},
    ]
    choices = [
        {"list_name": "yn", "name": "y", "label": "Yes"}, {"list_name": "yn", "name": "n", "label": "No"},
        {"list_name": "agree", "name": "a", "label": "Agree"}, {"list_name": "agree", "name": "d", "label": "Disagree"},
        {"list_name": "help", "name": "food", "label": "Food"}, {"list_name": "help", "name": "money", "label": "Money"},
    ]
    report = import_xlsform(db, write_form(tmp_path / "g.xlsx", survey, choices), "t")
    got = simple(store.questions_for_version(db, report.version_id))
    rule = {"question": "housed", "operator": "equals", "values": ["Yes"]}
    assert got == [
        {"name": "housed", "type": "yes_no", "wording": "Do you have a home?", "help_text": "", "required": True,
         "options": ["Yes", "No"], "show_if": None, "topic": ""},
        {"name": "home_like", "type": "long_text", "wording": "What is it like?", "help_text": "", "required": False,
         "options": [], "show_if": rule, "topic": "Your home"},
        {"name": "home_safe", "type": "scale", "wording": "It feels safe", "help_text": "", "required": False,
         "options": ["Agree", "Disagree"], "show_if": rule, "topic": "Your home"},
        {"name": "help", "type": "multiple_choice", "wording": "What help do you get?",
         "help_text": "", "required": False, "options": ["Food", "Money"], "show_if": None, "topic": ""},
        {"name": "when", "type": "date", "wording": "When did it start?", "help_text": "", "required": False,
         "options": [], "show_if": None, "topic": ""},
        {"name": "rent", "type": "number", "wording": "Rent each week", "help_text": "", "required": False,
         "options": [], "show_if": None, "topic": ""},
        {"name": "thanks", "type": "note", "wording": "Thank you.", "help_text": "", "required": False,
         "options": [], "show_if": None, "topic": ""},
    ]
    assert [(r.row, r.name) for r in report.not_taken] == [(11, "where"), (12, "calc")]
    assert "'geopoint' is not one this tool can ask" in report.not_taken[0].reason
    assert "kept for the form file" in report.not_taken[0].reason
    assert report.groups == ["Your home"]
    help_question = store.questions_for_version(db, report.version_id)[3]
    assert help_question["form_columns"]["columns"] == {"constraint": ". != 'none'",
                                                        "constraint_message": "Pick at least one kind of help"}
    home_like = store.questions_for_version(db, report.version_id)[1]
    assert home_like["form_columns"]["group_rule"] == rule
    assert home_like["form_columns"]["groups"][0]["name"] == "home"


def test_names_that_do_not_fit_are_changed_and_reported(db, tmp_path):
    survey = [{"type": "text", "name": "first-name", "label": "What should we call you?"},
              {"type": "text", "name": "first_name", "label": "Again?"}]
    report = import_xlsform(db, write_form(tmp_path / "n.xlsx", survey), "t")
    assert [q["name"] for q in store.questions_for_version(db, report.version_id)] == ["first_name", "first_name_2"]
    assert [(r.row, r.name) for r in report.changes] == [(2, "first-name"), (3, "first_name")]


def test_imported_questions_are_checked_at_once(db, tmp_path):
    survey = [{"type": "text", "name": "q1", "label": "Do you utilise multi-agency provision?"},
              {"type": "text", "name": "q2", "label": "How are you?"}]
    report = import_xlsform(db, write_form(tmp_path / "c.xlsx", survey), "t")
    assert set(report.checks) == {"q1", "q2"}
    assert report.checks["q1"]["flags"], "hard words are flagged"
    assert report.checks["q1"]["score"] < report.checks["q2"]["score"]


# ---- export -----------------------------------------------------------------------------------------


@pytest.fixture
def demo(demo_db_path):
    database = open_database(demo_db_path)
    yield database
    database.conn.close()


def _version_ids(db) -> list[str]:
    return [v["id"] for v in store.list_versions(db)]


def test_export_converts_to_an_xform_without_errors(demo, tmp_path):
    from pyxform.xls2xform import convert

    for version_id in _version_ids(demo):
        out = export_xlsform(demo, version_id, tmp_path / f"{version_id}.xlsx")
        result = convert(str(out), warnings=[])
        for question in store.questions_for_version(demo, version_id):
            assert f"<{question['name']}" in result.xform, question["name"]
        assert 'relevant=" /' in result.xform, "show-if rules become relevant rules"


def test_export_then_import_gives_the_same_questions(demo, tmp_path):
    for version_id in _version_ids(demo):
        out = export_xlsform(demo, version_id, tmp_path / "form.xlsx")
        report = import_xlsform(demo, out, "t")
        assert simple(store.questions_for_version(demo, report.version_id)) == \
            simple(store.questions_for_version(demo, version_id))
        assert report.not_taken == [] and report.rules_not_converted == []


def test_imported_choice_names_come_back_on_export(db, tmp_path):
    from openpyxl import load_workbook

    report = import_xlsform(db, DATA / "tutorial.xls", "t")
    out = export_xlsform(db, report.version_id, tmp_path / "again.xlsx")
    choices = [row[:3] for row in load_workbook(out)["choices"].iter_rows(values_only=True)]
    assert ("relationships", "wife_or_husband", "Wife / Husband") in choices, "the form's own list name"
    header, *survey = [row for row in load_workbook(out)["survey"].iter_rows(values_only=True)]
    rows = {row[1]: dict(zip(header, row)) for row in survey}
    assert rows["age_in_months"]["relevant"] == "${older_than_five} = 'no'"
    assert rows["age_in_months"]["type"] == "integer", "an integer stays an integer"
    assert rows["age_in_months"]["constraint"] == ". <= 72"
    assert rows["member"]["type"] == "begin_repeat", "the repeat is written back"


def test_export_refuses_a_wrong_name_and_an_empty_version(db, tmp_path):
    survey_id = store.create_survey(db, "Empty")
    version_id = store.create_version(db, survey_id)
    with pytest.raises(XLSFormError, match="no questions"):
        export_xlsform(db, version_id, tmp_path / "f.xlsx")
    with pytest.raises(XLSFormError, match=r"\.xlsx"):
        export_xlsform(db, version_id, tmp_path / "f.csv")
    assert not (tmp_path / "f.xlsx").exists()


# ---- admin panel ------------------------------------------------------------------------------------


def test_form_panels_import_an_upload_and_make_a_form_file(app_test, demo_db_path):
    from ui.transfer_panels import import_form_upload

    database = open_database(demo_db_path)
    lines = import_form_upload(database, {"name": "Admin"}, "specify_other.xlsx",
                               (DATA / "specify_other.xlsx").read_bytes())
    assert lines[0] == "Made the survey 'specify_other' with 2 questions, as a draft."
    database.conn.close()

    at = app_test(demo_db_path, "admin")
    assert not at.exception
    at.button(key="admin_transfer_form_export").click().run()
    assert not at.exception and not at.error
    assert at.session_state["admin_transfer_form_file_bytes"][1][:2] == b"PK", "an .xlsx file was made"


def test_exported_form_never_holds_a_formula(db, tmp_path):
    from openpyxl import load_workbook

    survey_id = store.create_survey(db, "=1+1")
    version_id = store.create_version(db, survey_id)
    store.add_question(db, version_id, name="q1", type="single_choice", wording="=HYPERLINK(\"http://x\")",
                       options=["=A1", "B"])
    out = export_xlsform(db, version_id, tmp_path / "f.xlsx")
    book = load_workbook(out)
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row if c.value]
    assert [c.data_type for c in cells if str(c.value).startswith("=")] == ["s", "s", "s"]
    report = import_xlsform(db, out, "t")
    assert simple(store.questions_for_version(db, report.version_id)) == simple(
        store.questions_for_version(db, version_id))


@pytest.mark.parametrize("target, rule", [
    ("home", {"operator": "equals", "values": ["Own flat"]}),
    ("home", {"operator": "not_equals", "values": ["Own flat"]}),
    ("home", {"operator": "any_of", "values": ["Own flat", "Hostel"]}),
    ("home", {"operator": "none_of", "values": ["Own flat", "Hostel"]}),
    ("home", {"operator": "answered", "values": []}),
    ("help", {"operator": "any_of", "values": ["Food", "A bed"]}),
    ("help", {"operator": "none_of", "values": ["Food"]}),
    ("nights", {"operator": "greater_than", "values": ["3"]}),
    ("nights", {"operator": "less_than", "values": ["7"]}),
    ("nights", {"operator": "equals", "values": ["0"]}),
    ("nickname", {"operator": "equals", "values": ["Sam's"]}),
])
def test_every_show_if_rule_survives_export_and_import(db, tmp_path, target, rule):
    survey_id = store.create_survey(db, "Rules")
    version_id = store.create_version(db, survey_id)
    store.add_question(db, version_id, name="home", type="single_choice", wording="Where do you stay?",
                       options=["Own flat", "Hostel"])
    store.add_question(db, version_id, name="help", type="multiple_choice", wording="What help?",
                       options=["Food", "A bed"])
    store.add_question(db, version_id, name="nights", type="number", wording="How many nights?")
    store.add_question(db, version_id, name="nickname", type="text", wording="What do people call you?")
    store.add_question(db, version_id, name="follow_up", type="text", wording="Tell us more?",
                       show_if={"question": target, **rule})
    report = import_xlsform(db, export_xlsform(db, version_id, tmp_path / "r.xlsx"), "t")
    assert report.rules_not_converted == []
    assert store.questions_for_version(db, report.version_id)[-1]["show_if"] == {"question": target, **rule}


def test_a_topic_starting_with_a_number_gives_a_group_name_pyxform_accepts(db, tmp_path):
    from openpyxl import load_workbook

    survey_id = store.create_survey(db, "Families")
    version_id = store.create_version(db, survey_id)
    store.add_question(db, version_id, name="kids", type="number", wording="How many children live with you?",
                       topic="3. Children")
    out = export_xlsform(db, version_id, tmp_path / "f.xlsx")
    rows = list(load_workbook(out)["survey"].iter_rows(values_only=True))
    assert rows[1][:3] == ("begin_group", "group_3_children_group", "3. Children")
    again = import_xlsform(db, out, "t")
    assert store.questions_for_version(db, again.version_id)[0]["topic"] == "3. Children"


def test_an_export_error_names_the_question_not_a_row_of_the_file_made(db, tmp_path):
    survey_id = store.create_survey(db, "S")
    version_id = store.create_version(db, survey_id)
    store.add_question(db, version_id, name="q1", type="text", wording="Hi?")
    store.add_question(db, version_id, name="q2", type="text", wording="How are you?",
                       form_columns={"columns": {"parameters": "max-pixels=abc"}})
    with pytest.raises(XLSFormError) as failed:
        export_xlsform(db, version_id, tmp_path / "f.xlsx")
    assert str(failed.value).startswith("The form file could not be made: Question 2 (q2): ")
    assert "[row" not in str(failed.value) and "row :" not in str(failed.value)
    assert not (tmp_path / "f.xlsx").exists()


def test_a_kept_rule_naming_a_question_taken_out_is_left_out_with_a_note(db, tmp_path):
    survey = [{"type": "integer", "name": "age", "label": "How old are you?"},
              {"type": "text", "name": "why", "label": "Why?", "constraint": ". != ${age}"},
              {"type": "calculate", "name": "double", "calculation": "${age} * 2"},
              {"type": "note", "name": "show", "label": "Twice your age is ${double}; you are ${age}."}]
    report = import_xlsform(db, write_form(tmp_path / "k.xlsx", survey), "t")
    age = store.questions_for_version(db, report.version_id)[0]
    store.delete_question(db, age["id"])
    saved = save_form(db, report.version_id, tmp_path / "again.xlsx")
    assert saved.notes == [
        "The 'constraint' rule of question 1 (why) was left out of the form: it uses age, which is not in this "
        "survey any more.",
        "The kept row double was left out of the form: its calculation uses age, which is not in this survey "
        "any more.",
        "The words of question 2 (show) showed the answer to age, which is not in this survey any more, so the "
        "form shows … there.",
        "The words of question 2 (show) showed the answer to double, which is not in this survey any more, so "
        "the form shows … there.",
    ]


def test_the_interviewer_script_says_answer_rules_in_words(db):
    from surveys import codesign

    report = import_xlsform(db, DATA / "tutorial.xls", "t", check_wording=False)
    script = codesign.interviewer_script(db, report.version_id)
    assert "Answer rule: A whole number up to 72." in script.replace("\\", "")
    assert "Form rule" not in script and ". <= 72" not in script
