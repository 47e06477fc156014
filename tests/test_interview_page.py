"""The Interview page: consent gate, one question per screen, notes, resume, submit and edit."""

from __future__ import annotations

import json

import pytest

from surveys import accounts
from surveys import interviews as iv
from surveys.storage import audit_entries, open_database
from surveys.storage import core as store
from surveys.storage import interviews as sql
from tests.conftest import signed_in_user


@pytest.fixture
def survey_db(db_path) -> tuple:
    """A database with one published four-question survey; return (path, question ids by name)."""
    db = open_database(db_path)
    survey_id = store.create_survey(db, "Day centre survey")
    version_id = store.create_version(db, survey_id, "Version 1")
    ids = {
        "place": store.add_question(db, version_id, name="place", type="text", wording="Where do you stay?"),
        "colour": store.add_question(db, version_id, name="colour", type="single_choice", required=True,
                                     wording="Which *room* do you like?", options=["Red", "Blue"]),
        "outside": store.add_question(db, version_id, name="outside", type="yes_no",
                                      wording="Did you sleep outside?"),
        "nights": store.add_question(db, version_id, name="nights", type="number", wording="How many nights?",
                                     show_if={"question": "outside", "operator": "equals", "values": ["Yes"]}),
    }
    store.set_version_status(db, version_id, "published")
    ids["version_id"] = version_id
    db.conn.close()
    return db_path, ids


def open_as(app_test, path, user: dict):
    """Return an AppTest on the Interview page signed in as USER (a session user dict)."""
    at = app_test(path, role=None, run=False)
    at.session_state["auth_user"] = user
    at.run()
    at.switch_page("pages/2_Interview.py")
    return at.run()


def interviews(path) -> list[dict]:
    db = open_database(path)
    rows = list(db["interview"].rows)
    db.conn.close()
    return rows


def answers(path, interview_id) -> dict:
    db = open_database(path)
    rows = {r["question_name"]: r for r in sql.answers_for_interview(db, interview_id)}
    db.conn.close()
    return rows


def headings(at) -> list[str]:
    return [m.value for m in at.markdown]


def no_errors(at):
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def test_no_question_shows_before_consent_and_a_no_is_recorded(app_test, survey_db):
    path, ids = survey_db
    user = signed_in_user(path, "interviewer", "Ola")
    at = open_as(app_test, path, user)
    no_errors(at)
    assert not [w for w in at.text_input if w.key.startswith("interview_answer_")]
    assert not any("Where do you stay" in h for h in headings(at))

    at.text_input(key="interview_code").input("Jane Smith").run()
    assert any("person's name" in w.value for w in at.warning)
    at.text_input(key="interview_code").input("AB-1001").run()
    assert not at.warning
    at.button(key="interview_consent_no").click().run()
    no_errors(at)
    [row] = interviews(path)
    assert (row["consent"], row["status"], row["respondent_code"], row["interviewer_id"]) == (
        "declined", "submitted", "AB-1001", user["person_id"])
    assert answers(path, row["id"]) == {}
    assert any("did not agree" in s.value for s in at.success)
    assert not any("Where do you stay" in h for h in headings(at))


def test_one_question_per_screen_with_a_skip_a_note_back_and_submit(app_test, survey_db):
    path, ids = survey_db
    at = open_as(app_test, path, signed_in_user(path, "interviewer"))
    at.text_input(key="interview_code").input("AB-2002").run()
    at.button(key="interview_consent_yes").click().run()
    no_errors(at)
    [row] = interviews(path)
    interview_id = row["id"]
    assert (row["consent"], row["status"]) == ("given", "draft")
    assert at.get("progress")[0].proto.text == "Question 1 of 3"
    assert "## Where do you stay?" in headings(at)

    at.text_input(key=f"interview_answer_{ids['place']}").input("A hostel in Leeds")
    at.button(key=f"interview_save_{ids['place']}").click().run()
    no_errors(at)
    assert answers(path, interview_id)["place"]["value"] == "A hostel in Leeds"
    assert answers(path, interview_id)["place"]["seconds"] is not None
    assert at.get("progress")[0].proto.text == "Question 2 of 3"
    assert r"## Which \*room\* do you like?" in headings(at)  # typed stars stay stars

    # Notes are saved the moment they change, before any answer.
    at.checkbox(key=f"interview_explain_{ids['colour']}").check().run()
    at.text_area(key=f"interview_note_{ids['colour']}").input("They asked which rooms.").run()
    saved = answers(path, interview_id)["colour"]
    assert (saved["needed_explaining"], saved["note"], saved["value"], saved["opt_out"]) == (
        1, "They asked which rooms.", None, None)

    at.button(key=f"interview_skipped_{ids['colour']}").click().run()
    no_errors(at)
    saved = answers(path, interview_id)["colour"]
    assert (saved["value"], saved["opt_out"], saved["needed_explaining"]) == (None, "skipped", 1)
    assert at.get("progress")[0].proto.text == "Question 3 of 3"

    # A yes shows the follow-up question.
    at.radio(key=f"interview_answer_{ids['outside']}").set_value("Yes")
    at.button(key=f"interview_save_{ids['outside']}").click().run()
    assert at.get("progress")[0].proto.text == "Question 4 of 4"
    at.button(key="interview_back").click().run()
    assert at.get("progress")[0].proto.text == "Question 3 of 4"
    assert any("Saved answer: Yes" in i.value for i in at.info)
    at.button(key=f"interview_save_{ids['outside']}").click().run()

    at.text_input(key=f"interview_answer_{ids['nights']}").input("a few")
    at.button(key=f"interview_save_{ids['nights']}").click().run()
    assert [e.value for e in at.error] == ["Type a number, like 12 or 3.5."]
    at.text_input(key=f"interview_answer_{ids['nights']}").input("3")
    at.button(key=f"interview_save_{ids['nights']}").click().run()
    no_errors(at)
    assert any("reached the end" in s.value for s in at.header)

    at.button(key="interview_submit").click().run()
    no_errors(at)
    [row] = interviews(path)
    assert row["status"] == "submitted"
    assert {k: (v["value"], v["opt_out"]) for k, v in answers(path, interview_id).items()} == {
        "place": ("A hostel in Leeds", None), "colour": (None, "skipped"),
        "outside": ("Yes", None), "nights": ("3", None)}
    assert any("sent in" in s.value for s in at.success)


def test_resume_after_reopening_and_others_cannot_see_it(app_test, survey_db):
    path, ids = survey_db
    user = signed_in_user(path, "interviewer", "Ola")
    at = open_as(app_test, path, user)
    at.text_input(key="interview_code").input("AB-3003").run()
    at.button(key="interview_consent_yes").click().run()
    at.text_input(key=f"interview_answer_{ids['place']}").input("With my sister")
    at.button(key=f"interview_save_{ids['place']}").click().run()
    [row] = interviews(path)

    # Another interviewer on the same server sees nothing of it.
    other = open_as(app_test, path, signed_in_user(path, "interviewer", "Kim"))
    no_errors(other)
    assert not [b for b in other.button if b.key.startswith("interview_resume_")]

    # The tab is closed and opened again: a new session, same person.
    again = open_as(app_test, path, user)
    no_errors(again)
    assert any("AB-3003" in t.value and "1 of 3 answered" in t.value for t in again.text), [t.value for t in again.text]
    again.button(key=f"interview_resume_{row['id']}").click().run()
    no_errors(again)
    assert again.get("progress")[0].proto.text == "Question 2 of 3"
    again.button(key="interview_back").click().run()
    assert again.text_input(key=f"interview_answer_{ids['place']}").value == "With my sister"


def test_submit_asks_for_required_questions_then_edit_needs_a_reason(app_test, survey_db):
    path, ids = survey_db
    user = signed_in_user(path, "interviewer")
    db = open_database(path)
    interview_id = iv.start_interview(db, ids["version_id"], "AB-4004", accounts.actor_for_user(db, user), True,
                                      "whole_form")
    db.conn.close()
    at = open_as(app_test, path, user)
    at.button(key=f"interview_resume_{interview_id}").click().run()
    no_errors(at)
    # Whole-form view: every shown question is on the page at once.
    assert {w.key for w in at.radio} >= {f"interview_answer_{ids['colour']}", f"interview_answer_{ids['outside']}"}
    at.button(key="interview_submit").click().run()
    assert [e.value for e in at.error] == ["Question 2 needs an answer or a skip before you send this in."]
    assert interviews(path)[0]["status"] == "draft"

    # A pick is saved at once; only this question's box, the count and the send-in part are drawn again.
    at.radio(key=f"interview_answer_{ids['colour']}").set_value("Red").run()
    assert answers(path, interview_id)["colour"]["value"] == "Red"
    assert at.get("progress")[0].proto.text == "1 of 3 answered"
    assert [c.value for c in at.caption if "saved" in c.value] == [":material/check: Answer saved"]
    at.run()
    at.button(key="interview_submit").click().run()
    no_errors(at)
    assert interviews(path)[0]["status"] == "submitted"

    at.selectbox(key="interview_edit_question").set_value(ids["colour"]).run()
    at.radio(key=f"interview_edit_answer_{ids['colour']}").set_value("Blue")
    at.button(key="interview_edit_save").click().run()
    assert [e.value for e in at.error] == ["Say why you are changing this answer."]
    at.text_input(key="interview_edit_reason").input("They said blue, I pressed red")
    at.button(key="interview_edit_save").click().run()
    no_errors(at)
    assert answers(path, interview_id)["colour"]["value"] == "Blue"
    db = open_database(path)
    [entry] = audit_entries(db, action="edit answer after submit")
    assert json.loads(entry["old_value"]) == {"value": "Red", "opt_out": None}
    assert json.loads(entry["new_value"])["reason"] == "They said blue, I pressed red"


def test_page_with_no_published_survey_says_so(app_test, db_path):
    at = app_test(db_path, "interview", role="interviewer")
    no_errors(at)
    assert any("No survey is ready" in i.value for i in at.info)

