"""Interview library: show-if rules, answer checks, opt-outs, autosave, submit and edits with audit."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from surveys import accounts
from surveys import interviews as iv
from surveys.storage import accounts as account_store
from surveys.storage import audit_entries, open_database, set_setting
from surveys.storage import core as store
from surveys.storage import interviews as sql
from tests.conftest import as_admin


_HASH: list[str] = []


def make_actor(db, role: str = "interviewer", name: str = "Ola") -> accounts.Actor:
    """Return the Actor of a new account of ROLE (with its person) in DB.

    The argon2 hash is made once per run: making accounts is not what these tests are about.
    """
    import uuid
    from unittest import mock

    if not _HASH:
        _HASH.append(accounts.hash_password("test-password-1234"))
    with mock.patch.object(accounts, "hash_password", lambda _password: _HASH[0]):
        # Set-up, not a permission path: added as the first-run form adds an account.
        account_id = accounts._add_account(db, f"{role}-{uuid.uuid4().hex[:8]}", "test-password-1234", role,
                                           name, "")
    assert account_store.account_by_id(db, account_id) is not None
    return accounts.actor_for_account(db, account_id)


def make_survey(db, *, required_name: str | None = None) -> dict:
    """Add a published version with one question of every type and two interviewers' accounts.

    Returns ids by name, plus "actor" and "other_actor" (Actors) and "person" (the first's person id).
    """
    survey_id = store.create_survey(db, "Test survey")
    version_id = store.create_version(db, survey_id, "v1")
    specs = [
        dict(name="intro", type="note", wording="Thank you for your time."),
        dict(name="name_of_place", type="text", wording="Where do you stay?"),
        dict(name="story", type="long_text", wording="Tell me about it."),
        dict(name="colour", type="single_choice", wording="Pick one.",
             options=["Red", "Blue", "Prefer not to say"]),
        dict(name="foods", type="multiple_choice", wording="Pick some.",
             options=["Bread", "Rice", "Soup", "Don't know"]),
        dict(name="mood", type="scale", wording="How do you feel?", options=["1", "2", "3", "4", "5"]),
        dict(name="outside", type="yes_no", wording="Did you sleep outside?"),
        dict(name="nights", type="number", wording="How many nights?",
             show_if={"question": "outside", "operator": "equals", "values": ["Yes"]}),
        dict(name="when", type="date", wording="When did you come here?"),
    ]
    ids = {"version_id": version_id}
    for spec in specs:
        ids[spec["name"]] = store.add_question(db, version_id, required=spec["name"] == required_name, **spec)
    store.set_version_status(db, version_id, "published")
    ids["actor"] = make_actor(db, "interviewer", "Ola")
    ids["other_actor"] = make_actor(db, "interviewer", "Kim")
    ids["person"] = ids["actor"].person_id
    return ids


@pytest.fixture
def survey(db):
    return make_survey(db, required_name="colour")


@pytest.fixture
def interview(db, survey):
    return iv.start_interview(db, survey["version_id"], "AB-1234", survey["actor"], True)


def question(kind: str, options=()) -> dict:
    return {"type": kind, "options": list(options)}


# ---- show-if rules --------------------------------------------------------------------------

SHOW_IF_CASES = [
    # operator, values, answer, expected
    ("equals", ["Yes"], "Yes", True),
    ("equals", ["Yes"], "No", False),
    ("equals", ["Yes"], None, False),
    ("equals", ["Yes"], iv.OptOut("skipped"), False),
    ("equals", ["A", "B"], ["B", "A"], True),
    ("equals", ["A"], ["A", "B"], False),
    ("not_equals", ["Yes"], "No", True),
    ("not_equals", ["Yes"], "Yes", False),
    ("not_equals", ["Yes"], None, True),
    ("not_equals", ["Yes"], iv.OptOut("prefer_not_to_say"), True),
    ("not_equals", ["A"], ["A"], False),
    ("any_of", ["A", "B"], "B", True),
    ("any_of", ["A", "B"], "C", False),
    ("any_of", ["A", "B"], ["C", "A"], True),
    ("any_of", ["A", "B"], ["C"], False),
    ("any_of", ["A"], iv.OptOut("dont_know"), False),
    ("none_of", ["A", "B"], "C", True),
    ("none_of", ["A", "B"], "A", False),
    ("none_of", ["A", "B"], ["C", "B"], False),
    ("none_of", ["A", "B"], ["C"], True),
    ("none_of", ["A"], iv.OptOut("dont_know"), True),
    ("greater_than", ["5"], "6", True),
    ("greater_than", ["5"], "5", False),
    ("greater_than", ["5"], "10", True),  # numbers, not text order
    ("greater_than", ["2025-01-01"], "2025-02-01", True),
    ("greater_than", ["5"], "lots", False),
    ("greater_than", ["5"], None, False),
    ("less_than", ["5"], "4.5", True),
    ("less_than", ["5"], "5", False),
    ("less_than", ["2025-01-01"], "2024-12-31", True),
    ("less_than", ["5"], iv.OptOut("skipped"), False),
    ("answered", [], "anything", True),
    ("answered", [], ["A"], True),
    ("answered", [], None, False),
    ("answered", [], iv.OptOut("skipped"), False),
]


@pytest.mark.parametrize("operator,values,answer,expected", SHOW_IF_CASES)
def test_evaluate_show_if_for_every_operator(operator, values, answer, expected):
    rule = {"question": "q", "operator": operator, "values": values}
    answers = {} if answer is None else {"q": answer}
    assert iv.evaluate_show_if(rule, answers) is expected


def test_every_operator_is_covered_by_the_cases():
    from surveys.storage.migrations import SHOW_IF_OPERATORS

    assert {case[0] for case in SHOW_IF_CASES} == set(SHOW_IF_OPERATORS)


def test_no_rule_always_shows():
    assert iv.evaluate_show_if(None, {}) is True


def test_visible_questions_follow_answers_and_chains():
    questions = [
        {"id": "1", "name": "a", "type": "yes_no", "options": [], "show_if": None},
        {"id": "2", "name": "b", "type": "text", "options": [],
         "show_if": {"question": "a", "operator": "equals", "values": ["Yes"]}},
        {"id": "3", "name": "c", "type": "text", "options": [],
         "show_if": {"question": "b", "operator": "not_equals", "values": ["x"]}},
        {"id": "4", "name": "d", "type": "multiple_choice", "options": ["P", "Q"], "show_if": None},
        {"id": "5", "name": "e", "type": "text", "options": [],
         "show_if": {"question": "d", "operator": "any_of", "values": ["Q"]}},
    ]
    names = lambda answers: [q["name"] for q in iv.visible_questions(questions, answers)]  # noqa: E731
    assert names({}) == ["a", "d"]
    assert names([{"question_id": "1", "value": "Yes", "opt_out": None}]) == ["a", "b", "c", "d"]
    # c depends on b; when b is hidden, c is hidden too, although not_equals holds for no answer.
    assert names([{"question_id": "1", "value": "No", "opt_out": None}]) == ["a", "d"]
    assert names({"4": {"question_id": "4", "value": json.dumps(["P", "Q"]), "opt_out": None}}) == ["a", "d", "e"]
    assert names({"1": {"question_id": "1", "value": None, "opt_out": "skipped"}}) == ["a", "d"]


# ---- checking answers -----------------------------------------------------------------------


@pytest.mark.parametrize("kind,options,raw,stored", [
    ("text", [], "  hello  ", "  hello  "),
    ("long_text", [], "line one\nline two", "line one\nline two"),
    ("number", [], "12", "12"),
    ("number", [], " 3.50 ", "3.5"),
    ("number", [], 7, "7"),
    ("number", [], "-2", "-2"),
    ("date", [], "2025-03-31", "2025-03-31"),
    ("date", [], dt.date(2024, 2, 29), "2024-02-29"),
    ("single_choice", ["Red", "Blue"], "blue", "Blue"),
    ("scale", ["1", "2", "3"], "2", "2"),
    ("yes_no", [], "yes", "Yes"),
    ("yes_no", [], False, "No"),
    ("yes_no", ["Ie", "Na"], "Na", "Na"),
    ("multiple_choice", ["A", "B", "C"], ["C", "A", "C"], json.dumps(["A", "C"])),
    ("multiple_choice", ["A", "B"], json.dumps(["B"]), json.dumps(["B"])),
])
def test_validate_answer_normalises_each_type(kind, options, raw, stored):
    assert iv.validate_answer(question(kind, options), raw) == stored


@pytest.mark.parametrize("kind,options,raw,message", [
    ("text", [], "   ", "Give an answer, or choose Skip."),
    ("text", [], "x" * 10_001, "This answer is too long. Keep it to 10,000 letters or fewer."),
    ("number", [], "twelve", "Type a number, like 12 or 3.5."),
    ("number", [], "nan", "Type a number, like 12 or 3.5."),
    ("number", [], "inf", "Type a number, like 12 or 3.5."),
    ("date", [], "31/03/2025", "Type the date as year-month-day, like 2025-03-31."),
    ("date", [], "2025-02-30", "Type the date as year-month-day, like 2025-03-31."),
    ("single_choice", ["Red", "Blue"], "Green", "Pick one of the answers on the list."),
    ("single_choice", ["Red", "Blue"], ["Red"], "Pick only one answer."),
    ("scale", ["1", "2"], "3", "Pick one of the answers on the list."),
    ("yes_no", [], "maybe", "Pick one of the answers on the list."),
    ("multiple_choice", ["A", "B"], ["A", "Z"], "Pick only answers from the list."),
    ("multiple_choice", ["A", "B"], [], "Give an answer, or choose Skip."),
    ("note", [], "x", "This is something to read out. It does not need an answer."),
])
def test_validate_answer_refuses_with_plain_words(kind, options, raw, message):
    with pytest.raises(iv.InvalidAnswer) as caught:
        iv.validate_answer(question(kind, options), raw)
    assert str(caught.value) == message


def test_text_of_exactly_the_limit_is_kept():
    assert iv.validate_answer(question("text"), "y" * 10_000) == "y" * 10_000


# ---- respondent codes -----------------------------------------------------------------------


@pytest.mark.parametrize("code,expected", [
    ("AB-1234", []),
    ("XY99", []),
    ("sam@example.org", ["email address", "pattern"]),
    ("07700 900123", ["phone number", "pattern"]),
    ("+44 7700 900123", ["phone number", "pattern"]),
    ("John Smith", ["person's name", "pattern"]),
    ("sarah", ["person's name", "pattern"]),
    ("Bartholomew", ["person's name", "pattern"]),
    ("AB 12 CD 34", ["pattern"]),
])
def test_respondent_code_warnings(code, expected):
    warnings = iv.respondent_code_warnings(code)
    assert len(warnings) == len(expected), warnings
    for warning, word in zip(warnings, expected):
        assert word in warning


def test_project_pattern_comes_from_the_setting(db):
    assert iv.respondent_code_pattern(db) == iv.DEFAULT_CODE_PATTERN
    set_setting(db, "respondent_code_pattern", r"^P\d{3}$")
    pattern = iv.respondent_code_pattern(db)
    assert iv.respondent_code_warnings("P123", pattern) == []
    assert iv.respondent_code_warnings("AB-1234", pattern) == [
        "This code does not match the pattern your project uses."
    ]


# ---- start and consent ----------------------------------------------------------------------


def test_start_with_consent_makes_a_draft_and_audits_it(db, survey):
    interview_id = iv.start_interview(db, survey["version_id"], " AB-1234 ", survey["actor"], True, "whole_form")
    row = sql.get_interview(db, interview_id)
    assert (row["status"], row["consent"], row["respondent_code"], row["mode"]) == (
        "draft", "given", "AB-1234", "whole_form")
    [entry] = audit_entries(db, record_id=interview_id)
    assert entry["action"] == "start interview"
    assert entry["actor"] == "Ola"  # a name, not a raw id


def test_declined_consent_is_recorded_with_no_answers(db, survey):
    interview_id = iv.start_interview(db, survey["version_id"], "AB-1", survey["actor"], False)
    row = sql.get_interview(db, interview_id)
    assert (row["status"], row["consent"]) == ("submitted", "declined")
    assert audit_entries(db, record_id=interview_id)[0]["action"] == "consent declined"
    with pytest.raises(iv.InvalidAnswer, match="did not agree"):
        iv.save_answer(db, interview_id, survey["name_of_place"], "Leeds", actor=survey["actor"])
    assert sql.answers_for_interview(db, interview_id) == []
    assert iv.unfinished_interviews(db, survey["actor"]) == []


def test_start_refuses_a_version_that_is_not_published(db, survey):
    draft = store.create_version(db, store.list_surveys(db)[0]["id"], "v2", based_on_id=survey["version_id"])
    with pytest.raises(iv.InvalidAnswer, match="not ready to use"):
        iv.start_interview(db, draft, "AB-1", survey["actor"], True)
    store.set_version_status(db, survey["version_id"], "retired")
    with pytest.raises(iv.InvalidAnswer, match="not ready to use"):
        iv.start_interview(db, survey["version_id"], "AB-1", survey["actor"], True)


def test_start_needs_a_code(db, survey):
    with pytest.raises(iv.InvalidAnswer, match="Type a code"):
        iv.start_interview(db, survey["version_id"], "  ", survey["actor"], True)


# ---- saving answers and opt-outs ------------------------------------------------------------


def test_save_answer_upserts_keeping_the_same_id(db, survey, interview):
    first = iv.save_answer(db, interview, survey["story"], "I like it here", seconds=4.0, actor=survey["actor"])
    second = iv.save_answer(db, interview, survey["story"], "It is fine now", seconds=2.5, actor=survey["actor"])
    assert first == second
    [row] = sql.answers_for_interview(db, interview)
    assert (row["id"], row["value"], row["opt_out"], row["word_count"], row["seconds"]) == (
        first, "It is fine now", None, 4, 6.5)


@pytest.mark.parametrize("kind", ["skipped", "dont_know", "prefer_not_to_say"])
def test_every_question_can_be_opted_out_even_when_required(db, survey, interview, kind):
    iv.save_answer(db, interview, survey["colour"], opt_out=kind, actor=survey["actor"])
    row = sql.get_answer(db, interview, survey["colour"])
    assert (row["value"], row["opt_out"]) == (None, kind)


def test_opt_out_option_text_stores_the_opt_out_not_a_value(db, survey, interview):
    iv.save_answer(db, interview, survey["colour"], "Prefer not to say", actor=survey["actor"])
    iv.save_answer(db, interview, survey["foods"], ["Don't know"], actor=survey["actor"])
    rows = {r["question_name"]: (r["value"], r["opt_out"]) for r in sql.answers_for_interview(db, interview)}
    assert rows == {"colour": (None, "prefer_not_to_say"), "foods": (None, "dont_know")}


def test_opt_out_option_cannot_be_mixed_with_answers(db, survey, interview):
    with pytest.raises(iv.InvalidAnswer, match="cannot go with other answers"):
        iv.save_answer(db, interview, survey["foods"], ["Bread", "Don't know"], actor=survey["actor"])


def test_value_and_opt_out_together_are_refused(db, survey, interview):
    with pytest.raises(iv.InvalidAnswer, match="not both"):
        iv.save_answer(db, interview, survey["colour"], "Red", opt_out="skipped", actor=survey["actor"])
    with pytest.raises(iv.InvalidAnswer, match="not a way to skip"):
        iv.save_answer(db, interview, survey["colour"], opt_out="later", actor=survey["actor"])


def test_answer_to_a_question_of_another_version_is_refused(db, survey, interview):
    other = make_survey(db)
    with pytest.raises(iv.InvalidAnswer, match="not in this survey version"):
        iv.save_answer(db, interview, other["colour"], "Red", actor=survey["actor"])


def test_notes_are_saved_at_once_and_kept_apart_from_the_answer(db, survey, interview):
    iv.save_note(db, interview, survey["mood"], needed_explaining=True, actor=survey["actor"])
    iv.save_note(db, interview, survey["mood"], note="They asked what 1 means.", actor=survey["actor"])
    iv.save_answer(db, interview, survey["mood"], "4", actor=survey["actor"])
    iv.save_note(db, interview, survey["mood"], upsetting=True, needed_explaining=False, actor=survey["actor"])
    row = sql.get_answer(db, interview, survey["mood"])
    assert {k: row[k] for k in ("value", "needed_explaining", "reworded", "upsetting", "note")} == {
        "value": "4", "needed_explaining": 0, "reworded": 0, "upsetting": 1, "note": "They asked what 1 means."}


def test_another_interviewer_cannot_open_or_change_an_interview(db, survey, interview):
    with pytest.raises(iv.NotYours, match="another interviewer"):
        iv.resume(db, interview, survey["other_actor"])
    with pytest.raises(iv.NotYours):
        iv.save_answer(db, interview, survey["colour"], "Red", actor=survey["other_actor"])
    with pytest.raises(iv.NotYours):
        iv.submit_interview(db, interview, actor=survey["other_actor"])
    assert iv.unfinished_interviews(db, survey["other_actor"]) == []
    assert [r["id"] for r in iv.unfinished_interviews(db, survey["actor"])] == [interview]


def test_resume_reads_everything_back_and_finds_the_next_question(db, survey, interview):
    iv.save_answer(db, interview, survey["name_of_place"], "Leeds", actor=survey["actor"])
    iv.save_answer(db, interview, survey["story"], opt_out="skipped", actor=survey["actor"])
    state = iv.resume(db, interview, survey["actor"])
    assert state.next_unanswered_id() == survey["colour"]
    assert [q["name"] for q in state.visible] == [
        "intro", "name_of_place", "story", "colour", "foods", "mood", "outside", "when"]
    [listed] = iv.unfinished_interviews(db, survey["actor"])
    assert (listed["respondent_code"], listed["answered"], listed["questions"]) == ("AB-1234", 2, 7)  # shown questions, not the note


# ---- submit and edit ------------------------------------------------------------------------


def test_submit_needs_required_questions_then_skips_the_rest(db, survey, interview):
    iv.save_answer(db, interview, survey["outside"], "Yes", actor=survey["actor"])
    iv.save_answer(db, interview, survey["nights"], "3", seconds=5, actor=survey["actor"])
    with pytest.raises(iv.InvalidAnswer) as caught:
        iv.submit_interview(db, interview, actor=survey["actor"])
    assert str(caught.value) == "Question 3 needs an answer or a skip before you send this in."  # the note is not counted
    assert sql.get_interview(db, interview)["status"] == "draft"

    iv.save_answer(db, interview, survey["colour"], opt_out="prefer_not_to_say", seconds=2, actor=survey["actor"])
    done = iv.submit_interview(db, interview, actor=survey["actor"])
    assert (done["status"], done["seconds"]) == ("submitted", 7.0)
    assert done["finished_at"] is not None
    rows = {r["question_name"]: (r["value"], r["opt_out"]) for r in sql.answers_for_interview(db, interview)}
    assert rows == {
        "name_of_place": (None, "skipped"), "story": (None, "skipped"), "colour": (None, "prefer_not_to_say"),
        "foods": (None, "skipped"), "mood": (None, "skipped"), "outside": ("Yes", None), "nights": ("3", None),
        "when": (None, "skipped"),
    }
    assert audit_entries(db, record_id=interview)[0]["action"] == "submit interview"
    with pytest.raises(iv.InvalidAnswer, match="sent in"):
        iv.save_answer(db, interview, survey["colour"], "Red", actor=survey["actor"])
    with pytest.raises(iv.InvalidAnswer, match="already sent in"):
        iv.submit_interview(db, interview, actor=survey["actor"])


def test_submit_removes_answers_a_rule_now_hides_and_keeps_them_in_the_audit_log(db, survey, interview):
    iv.save_answer(db, interview, survey["colour"], "Red", actor=survey["actor"])
    iv.save_answer(db, interview, survey["outside"], "Yes", actor=survey["actor"])
    nights = iv.save_answer(db, interview, survey["nights"], "3", actor=survey["actor"])
    iv.save_answer(db, interview, survey["outside"], "No", actor=survey["actor"])
    iv.submit_interview(db, interview, actor=survey["actor"])
    assert sql.get_answer(db, interview, survey["nights"]) is None
    [entry] = audit_entries(db, record_id=nights)
    assert entry["action"] == "remove hidden answer"
    assert json.loads(entry["old_value"])["value"] == "3"


def test_edit_after_submit_needs_a_reason_and_keeps_the_old_value(db, survey, interview):
    answer_id = iv.save_answer(db, interview, survey["colour"], "Red", actor=survey["actor"])
    iv.submit_interview(db, interview, actor=survey["actor"])
    with pytest.raises(iv.InvalidAnswer, match="Say why"):
        iv.edit_submitted_answer(db, interview, survey["colour"], value="Blue", reason=" ", actor=survey["actor"])
    edited = iv.edit_submitted_answer(db, interview, survey["colour"], value="Blue",
                                      reason="I pressed the wrong one", actor=survey["actor"])
    assert edited == iv.AnswerChange(answer_id, [], [])
    assert sql.get_answer(db, interview, survey["colour"])["value"] == "Blue"
    [entry] = audit_entries(db, record_id=answer_id)
    assert entry["action"] == "edit answer after submit"
    assert json.loads(entry["old_value"]) == {"value": "Red", "opt_out": None}
    new = json.loads(entry["new_value"])
    assert (new["value"], new["opt_out"], new["reason"]) == ("Blue", None, "I pressed the wrong one")
    with pytest.raises(iv.NotYours):
        iv.edit_submitted_answer(db, interview, survey["colour"], value="Red", reason="x",
                                 actor=survey["other_actor"])


def test_edit_is_only_for_sent_in_interviews(db, survey, interview):
    with pytest.raises(iv.InvalidAnswer, match="not sent in yet"):
        iv.edit_submitted_answer(db, interview, survey["colour"], value="Blue", reason="typo", actor=survey["actor"])


def test_answer_text_is_plain():
    q = question("multiple_choice", ["A", "B"])
    assert iv.answer_text(q, {"value": json.dumps(["A", "B"]), "opt_out": None}) == "A, B"
    assert iv.answer_text(q, {"value": None, "opt_out": "dont_know"}) == "Don't know"
    assert iv.answer_text(q, None) == "No answer yet"


# ---- any text reads back exactly ------------------------------------------------------------

_PROPERTY_DB: dict = {}


def _property_target():
    """Return (db, interview id, text question id, long text question id, actor), made once per run."""
    if not _PROPERTY_DB:
        db = open_database(":memory:")
        ids = make_survey(db)
        interview_id = iv.start_interview(db, ids["version_id"], "AB-1", ids["actor"], True)
        _PROPERTY_DB.update(db=db, interview=interview_id, text=ids["name_of_place"], long=ids["story"],
                            actor=ids["actor"])
    t = _PROPERTY_DB
    return t["db"], t["interview"], t["text"], t["long"], t["actor"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(min_size=1, max_size=10_000).filter(lambda s: s.strip()))
@example("x" * 10_000)
@example("'; DROP TABLE answer; --")
@example('Robert"); DELETE FROM interview WHERE ("1"="1')
@example("emoji 🏠🙂👩🏽‍🦱 and \x00 nul \x1b[31m and \r\n tabs\t")
@example("NULL")
@example("[\"Red\"]")
def test_any_text_answer_reads_back_exactly(text):
    db, interview_id, text_q, long_q, actor = _property_target()
    for question_id in (text_q, long_q):
        iv.save_answer(db, interview_id, question_id, text, actor=actor)
        row = sql.get_answer(db, interview_id, question_id)
        assert row["value"] == text
        assert row["word_count"] == len(text.split())


# ---- who may act (issue 11.5) ---------------------------------------------------------------


def test_interview_functions_need_a_real_account_that_may_interview(db, survey, interview):
    made_up = accounts.Actor("not-an-account", survey["person"], "Ola", "admin")
    evaluator = make_actor(db, "evaluator", "Eve")
    for who in (None, survey["person"], made_up, evaluator):
        with pytest.raises(accounts.NotAllowed):
            iv.save_answer(db, interview, survey["colour"], "Red", actor=who)
        with pytest.raises(accounts.NotAllowed):
            iv.start_interview(db, survey["version_id"], "AB-9", who, True)
    accounts.disable_account(db, survey["actor"].account_id, actor=as_admin(db))
    with pytest.raises(accounts.NotAllowed):
        iv.save_note(db, interview, survey["colour"], note="hello", actor=survey["actor"])
    assert sql.answers_for_interview(db, interview) == []
    assert len(db.execute("SELECT * FROM interview").fetchall()) == 1


def test_an_admin_may_change_anyone_s_interview_and_the_log_names_each_person(db, survey, interview):
    admin = make_actor(db, "admin", "Alex Admin")
    iv.save_answer(db, interview, survey["colour"], "Red", actor=admin)
    iv.submit_interview(db, interview, actor=admin)
    iv.edit_submitted_answer(db, interview, survey["colour"], value="Blue", reason="typo", actor=admin)
    assert iv.resume(db, interview, admin).answers[survey["colour"]]["value"] == "Blue"
    who = {e["action"]: e["actor"] for e in audit_entries(db, limit=50)}
    assert (who["start interview"], who["submit interview"], who["edit answer after submit"]) == (
        "Ola", "Alex Admin", "Alex Admin")
    # A designer may interview too, but only their own interviews.
    designer = make_actor(db, "designer", "Sam")
    with pytest.raises(iv.NotYours):
        iv.resume(db, interview, designer)


# ---- bad input gives plain words and saves nothing (issue 11.6) -----------------------------


@pytest.mark.parametrize("code", ["\x00AB-1234", "AB-\x001234", "AB\u200b-1234", "AB-12\t34", "AB\n-1"])
def test_codes_with_hidden_signs_are_refused_in_plain_words(db, survey, code):
    with pytest.raises(iv.InvalidAnswer) as caught:
        iv.start_interview(db, survey["version_id"], code, survey["actor"], True)
    assert str(caught.value) == "A code can only have letters, numbers and signs you can see, like AB-1234."
    assert db.execute("SELECT COUNT(*) FROM interview").fetchone()[0] == 0


def test_lone_surrogates_are_refused_in_plain_words_and_nothing_is_saved(db, survey, interview):
    iv.save_answer(db, interview, survey["story"], "First words", actor=survey["actor"])
    iv.save_note(db, interview, survey["story"], note="first note", actor=survey["actor"])
    before = sql.get_answer(db, interview, survey["story"])
    broken = "Half a sign \ud800 here"
    cases = [
        lambda: iv.save_answer(db, interview, survey["story"], broken, actor=survey["actor"]),
        lambda: iv.save_answer(db, interview, survey["foods"], ["Bread", "\udfff"], actor=survey["actor"]),
        lambda: iv.save_note(db, interview, survey["story"], note=broken, actor=survey["actor"]),
        lambda: iv.start_interview(db, survey["version_id"], "AB-\ud800", survey["actor"], True),
    ]
    for call in cases:
        with pytest.raises(iv.InvalidAnswer, match="broken sign in it that cannot be saved"):
            call()
    with pytest.raises(store.NotFound):
        iv.save_answer(db, "\ud800", survey["story"], "words", actor=survey["actor"])
    assert sql.get_answer(db, interview, survey["story"]) == before
    assert db.execute("SELECT COUNT(*) FROM interview").fetchone()[0] == 1
    iv.save_answer(db, interview, survey["colour"], opt_out="skipped", actor=survey["actor"])
    iv.submit_interview(db, interview, actor=survey["actor"])
    with pytest.raises(iv.InvalidAnswer, match="broken sign"):
        iv.edit_submitted_answer(db, interview, survey["story"], value="ok", reason=broken, actor=survey["actor"])
    assert sql.get_answer(db, interview, survey["story"])["value"] == "First words"


# ---- counts that agree (issue 12) -----------------------------------------------------------


def test_numbers_and_counts_leave_out_things_to_read_out(db, survey, interview):
    state = iv.resume(db, interview, survey["actor"])
    assert state.visible[0]["type"] == "note"
    assert (len(state.asked), state.answered_count) == (7, 0)
    assert state.numbers[survey["name_of_place"]] == 1 and survey["intro"] not in state.numbers
    iv.save_answer(db, interview, survey["name_of_place"], "Leeds", actor=survey["actor"])
    iv.save_note(db, interview, survey["story"], note="a note is not an answer", actor=survey["actor"])
    state = iv.resume(db, interview, survey["actor"])
    assert state.answered_count == 1
    [listed] = iv.unfinished_interviews(db, survey["actor"])
    assert (listed["answered"], listed["questions"]) == (1, 7)


def test_declined_interviews_never_count_as_finished(db, survey, interview):
    iv.start_interview(db, survey["version_id"], "AB-2", survey["actor"], False)
    done = iv.start_interview(db, survey["version_id"], "AB-3", survey["actor"], True)
    iv.save_answer(db, done, survey["colour"], "Red", actor=survey["actor"])
    iv.submit_interview(db, done, actor=survey["actor"])
    assert iv.version_counts(db, survey["version_id"]) == {"questions": 8, "with_rules": 1, "finished": 1,
                                                           "declined": 1, "unfinished": 1}  # 9, one to read out


def test_opening_an_interview_is_a_few_queries_whatever_its_size(db, survey, interview):
    statements: list[str] = []
    db.conn.set_trace_callback(statements.append)
    iv.resume(db, interview, survey["actor"])
    empty = len(statements)
    for name in ("name_of_place", "story", "colour", "mood", "outside", "nights", "when"):
        iv.save_note(db, interview, survey[name], note="x", actor=survey["actor"])
    statements.clear()
    state = iv.resume(db, interview, survey["actor"])
    db.conn.set_trace_callback(None)
    assert len(state.answers) == 7
    assert len(statements) == empty
    assert sum("FROM interview i JOIN survey_version" in s for s in statements) == 1


# ---- finding a sent-in interview again, and changing it -------------------------------------


def test_sent_in_interviews_are_listed_by_code_for_their_interviewer_only(db, survey):
    for code in ("AB-1001", "AB-2002", "XY-1003", "AB_100"):
        interview_id = iv.start_interview(db, survey["version_id"], code, survey["actor"], True)
        iv.save_answer(db, interview_id, survey["colour"], "Red", actor=survey["actor"])
        iv.submit_interview(db, interview_id, actor=survey["actor"])
    iv.start_interview(db, survey["version_id"], "AB-1004", survey["actor"], False)  # declined: not listed
    iv.start_interview(db, survey["version_id"], "AB-1005", survey["actor"], True)  # not sent in yet
    rows, total = iv.submitted_interviews(db, survey["actor"])
    assert ([r["respondent_code"] for r in rows], total) == (["AB_100", "XY-1003", "AB-2002", "AB-1001"], 4)
    assert [r["respondent_code"] for r in iv.submitted_interviews(db, survey["actor"], "ab-1")[0]] == ["AB-1001"]
    assert iv.submitted_interviews(db, survey["actor"], "b_")[0][0]["respondent_code"] == "AB_100"  # _ is not a wildcard
    assert iv.submitted_interviews(db, survey["actor"], "%") == ([], 0)
    assert iv.submitted_interviews(db, survey["actor"], "AB", limit=1)[1] == 3
    assert iv.submitted_interviews(db, survey["other_actor"]) == ([], 0)


def test_changing_a_sent_in_answer_runs_the_show_if_rules_again(db, survey, interview):
    actor = survey["actor"]
    iv.save_answer(db, interview, survey["colour"], "Red", actor=actor)
    iv.save_answer(db, interview, survey["outside"], "Yes", actor=actor)
    nights = iv.save_answer(db, interview, survey["nights"], "3", actor=actor)
    iv.submit_interview(db, interview, actor=actor)
    state = iv.resume(db, interview, actor)
    stops, starts = iv.edit_effects(state, survey["outside"], "No")
    assert ([q["name"] for q in stops], starts) == (["nights"], [])

    change = iv.edit_submitted_answer(db, interview, survey["outside"], value="No", reason="They said no", actor=actor)
    assert ([q["name"] for q in change.removed], change.now_shown) == (["nights"], [])
    assert sql.get_answer(db, interview, survey["nights"]) is None
    [entry] = audit_entries(db, record_id=nights)
    assert (entry["action"], json.loads(entry["old_value"])["value"]) == ("remove hidden answer", "3")
    assert json.loads(entry["old_value"])["interview_id"] == interview
    assert "They said no" in json.loads(entry["new_value"])["reason"]

    state = iv.resume(db, interview, actor)
    assert iv.edit_effects(state, survey["outside"], "Yes")[1][0]["name"] == "nights"
    change = iv.edit_submitted_answer(db, interview, survey["outside"], value="Yes", reason="Yes after all",
                                      actor=actor)
    assert ([q["name"] for q in change.now_shown], change.removed) == (["nights"], [])
    row = sql.get_answer(db, interview, survey["nights"])
    assert (row["value"], row["opt_out"]) == (None, "skipped")
