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



# ---- issue 12: counts, messages, sent-in interviews, show-if after a change -----------------


@pytest.fixture
def noted_db(db_path) -> tuple:
    """A published survey that starts with words to read out; return (path, ids)."""
    db = open_database(db_path)
    survey_id = store.create_survey(db, "Drop-in survey")
    version_id = store.create_version(db, survey_id, "Version 1")
    ids = {
        "welcome": store.add_question(db, version_id, name="welcome", type="note", wording="Thank you for coming."),
        "outside": store.add_question(db, version_id, name="outside", type="yes_no", wording="Did you sleep outside?"),
        "nights": store.add_question(db, version_id, name="nights", type="number", wording="How many nights?",
                                     show_if={"question": "outside", "operator": "equals", "values": ["Yes"]}),
        "place": store.add_question(db, version_id, name="place", type="text", wording="Where do you stay?"),
    }
    store.set_version_status(db, version_id, "published")
    ids["version_id"] = version_id
    db.conn.close()
    return db_path, ids


def start(at, code: str, mode: str = "one_at_a_time"):
    at.text_input(key="interview_code").input(code).run()
    at.radio(key="interview_mode").set_value(mode).run()
    return at.button(key="interview_consent_yes").click().run()


def test_every_count_leaves_out_words_to_read_out(app_test, noted_db):
    path, ids = noted_db
    user = signed_in_user(path, "interviewer")
    at = open_as(app_test, path, user)
    assert any(m.value == "3 questions, 1 of them only asked after certain answers. 0 people took part so far."
               for m in at.markdown), [m.value for m in at.markdown]
    start(at, "AB-1", "whole_form")
    no_errors(at)
    assert at.get("progress")[0].proto.text == "0 of 2 answered"
    assert [m.value.split("\n")[0] for m in at.markdown if m.value.startswith(("Question ", "Read this"))] == [
        "Read this out", "Question 1 of 2", "Question 2 of 2"]
    # A yes shows the follow-up: the whole page is drawn again, and every count moves together.
    at.radio(key=f"interview_answer_{ids['outside']}").set_value("Yes").run()
    no_errors(at)
    assert at.get("progress")[0].proto.text == "1 of 3 answered"
    assert [m.value.split("\n")[0] for m in at.markdown if m.value.startswith(("Question ", "Read this"))] == [
        "Read this out", "Question 1 of 3", "Question 2 of 3", "Question 3 of 3"]
    at.button(key="interview_leave").click().run()
    assert any("AB-1" in t.value and "1 of 3 answered" in t.value for t in at.text)

    at.text_input(key="interview_code").input("AB-2").run()
    at.radio(key="interview_mode").set_value("one_at_a_time").run()
    at.button(key="interview_consent_yes").click().run()
    assert at.get("progress")[0].proto.text == "Read this out. 0 of 2 questions asked"
    at.button(key=f"interview_next_{ids['welcome']}").click().run()
    assert at.get("progress")[0].proto.text == "Question 1 of 2"


def test_whole_page_saves_typed_answers_opt_outs_and_notes_one_question_at_a_time(app_test, noted_db):
    path, ids = noted_db
    user = signed_in_user(path, "interviewer")
    at = open_as(app_test, path, user)
    start(at, "AB-3", "whole_form")
    interview_id = interviews(path)[0]["id"]
    at.text_input(key=f"interview_answer_{ids['place']}").input("With a friend").run()  # Enter, or leaving the box
    assert answers(path, interview_id)["place"]["value"] == "With a friend"
    # Only this question's box, the count and the send-in part were drawn again.
    assert {t.key for t in at.text_input} == {f"interview_answer_{ids['place']}"}
    at.run()
    at.segmented_control(key=f"interview_optout_{ids['outside']}").set_value("dont_know").run()
    assert (answers(path, interview_id)["outside"]["opt_out"], at.get("progress")[0].proto.text) == (
        "dont_know", "2 of 2 answered")
    at.run()
    at.toggle(key=f"interview_notes_open_{ids['place']}").set_value(True).run()
    at.checkbox(key=f"interview_upset_{ids['place']}").check().run()
    assert answers(path, interview_id)["place"]["upsetting"] == 1
    assert not at.toast  # "Note saved" sits under the notes, not over the question's heading
    assert ":material/check: Note saved" in [c.value for c in at.caption]
    at.run()
    at.button(key="interview_submit").click().run()
    no_errors(at)
    assert interviews(path)[0]["status"] == "submitted"


def test_a_no_is_said_under_the_consent_buttons_and_never_counts_as_taking_part(app_test, noted_db):
    path, ids = noted_db
    at = open_as(app_test, path, signed_in_user(path, "interviewer"))
    at.text_input(key="interview_code").input("AB-4").run()
    at.button(key="interview_consent_no").click().run()
    no_errors(at)
    main = list(at.main)
    said = [n for n, e in enumerate(main) if getattr(e, "value", None) == "We saved that they did not agree. "
                                                                           "No questions were asked."]
    buttons = [n for n, e in enumerate(main) if getattr(e, "type", None) == "horizontal_block" or
               "interview_consent_no" in str(getattr(e, "proto", ""))]
    assert said and buttons and said[0] > buttons[-1], "the message comes after the buttons"
    assert any(m.value.endswith("0 people took part so far. 1 person did not want to take part.")
               for m in at.markdown)
    assert at.text_input(key="interview_code").value == ""


def test_a_sent_in_interview_is_found_by_code_later_and_changed_with_a_reason(app_test, noted_db):
    path, ids = noted_db
    user = signed_in_user(path, "interviewer", "Ivy")
    db = open_database(path)
    actor = accounts.actor_for_user(db, user)
    for code in ("CD-100", "CD-200", "XY-300"):
        interview_id = iv.start_interview(db, ids["version_id"], code, actor, True)
        iv.save_answer(db, interview_id, ids["outside"], "Yes", actor=actor)
        iv.save_answer(db, interview_id, ids["nights"], "4", actor=actor)
        iv.submit_interview(db, interview_id, actor=actor)
    db.conn.close()
    # Another day, another browser session: the list is there, newest first, and finds by code.
    at = open_as(app_test, path, user)
    no_errors(at)
    listed = [t.value for t in at.text if " – Drop-in survey" in t.value]
    assert [row.split(" – ")[0] for row in listed] == ["XY-300", "CD-200", "CD-100"]
    at.text_input(key="interview_find_code").input("cd-2").run()
    [row] = [t.value for t in at.text if " – Drop-in survey" in t.value]
    assert row.startswith("CD-200 – Drop-in survey, Version 1: sent in ")
    [open_button] = [b for b in at.button if b.key.startswith("interview_open_")]
    open_button.click().run()
    no_errors(at)
    assert any(s.value == "This interview is sent in." for s in at.success)

    at.selectbox(key="interview_edit_question").set_value(ids["outside"]).run()
    at.radio(key=f"interview_edit_answer_{ids['outside']}").set_value("No").run()
    assert any("no longer apply" in w.value and "How many nights?" in w.value for w in at.warning)
    at.text_input(key="interview_edit_reason").input("They slept at a friend's").run()
    at.button(key="interview_edit_save").click().run()
    no_errors(at)
    code_200 = [i for i in interviews(path) if i["respondent_code"] == "CD-200"][0]["id"]
    saved = answers(path, code_200)
    assert saved["outside"]["value"] == "No" and "nights" not in saved
    assert any("their answers were taken out: How many nights?" in s.value for s in at.success)
    db = open_database(path)
    entries = {e["action"]: e for e in audit_entries(db, limit=20)}
    db.conn.close()
    assert entries["edit answer after submit"]["actor"] == "Ivy"
    assert json.loads(entries["remove hidden answer"]["old_value"])["value"] == "4"


def test_an_admin_can_open_anyone_s_interview_but_an_interviewer_only_their_own(app_test, noted_db):
    path, ids = noted_db
    owner = signed_in_user(path, "interviewer", "Ivy")
    db = open_database(path)
    interview_id = iv.start_interview(db, ids["version_id"], "EF-1", accounts.actor_for_user(db, owner), True)
    db.conn.close()
    other = open_as(app_test, path, signed_in_user(path, "interviewer", "Kim"))
    other.session_state["interview_id"] = interview_id
    other.run()
    assert [e.value for e in other.error] == ["This interview was started by another interviewer, so you cannot open it."]
    admin = open_as(app_test, path, signed_in_user(path, "admin", "Alex"))
    admin.session_state["interview_id"] = interview_id
    admin.run()
    no_errors(admin)
    assert any("Code: EF-1" in t.value for t in admin.text)


def test_a_pick_the_page_shows_but_no_callback_saved_is_saved_at_the_next_run(app_test, noted_db):
    """A pick made while the page was still drawing can miss its callback; the next run saves it."""
    path, ids = noted_db
    at = open_as(app_test, path, signed_in_user(path, "interviewer"))
    start(at, "AB-9", "whole_form")
    interview_id = interviews(path)[0]["id"]
    at.session_state[f"interview_answer_{ids['outside']}"] = "No"  # in the box, as if no callback ran
    at.run()
    no_errors(at)
    assert answers(path, interview_id)["outside"]["value"] == "No"
    assert at.get("progress")[0].proto.text == "1 of 2 answered"


def test_a_box_that_cannot_be_saved_says_why_on_every_run_without_looping(app_test, noted_db):
    path, ids = noted_db
    at = open_as(app_test, path, signed_in_user(path, "interviewer"))
    start(at, "AB-10", "whole_form")
    at.run()
    at.radio(key=f"interview_answer_{ids['outside']}").set_value("Yes").run()
    at.run()
    at.text_input(key=f"interview_answer_{ids['nights']}").input("a few").run()
    at.run()
    assert [e.value for e in at.error] == ["Type a number, like 12 or 3.5."]
    assert "nights" not in answers(path, interviews(path)[0]["id"])


def test_on_the_whole_page_an_answer_fills_in_later_questions_words_at_once(app_test, db_path):
    db = open_database(db_path)
    version_id = store.create_version(db, store.create_survey(db, "Piped survey"), "Version 1")
    place = store.add_question(db, version_id, name="place", type="text", wording="Where do you stay?")
    store.add_question(db, version_id, name="how_long", type="text", wording="How long have you stayed at ${place}?")
    store.set_version_status(db, version_id, "published")
    db.conn.close()
    at = open_as(app_test, db_path, signed_in_user(db_path, "interviewer"))
    start(at, "AB-11", "whole_form")
    assert any(m.value.endswith("### How long have you stayed at …?") for m in at.markdown)
    at.text_input(key=f"interview_answer_{place}").input("the Salvation Army hostel").run()
    no_errors(at)
    assert any(m.value.endswith("### How long have you stayed at the Salvation Army hostel?") for m in at.markdown), \
        [m.value for m in at.markdown]


def test_a_new_interview_never_takes_answers_left_in_the_boxes_of_the_last_one(app_test, noted_db):
    """The boxes are named by question, so a new interview of the same version must start empty."""
    path, ids = noted_db
    at = open_as(app_test, path, signed_in_user(path, "interviewer"))
    start(at, "AB-1", "whole_form")
    at.radio(key=f"interview_answer_{ids['outside']}").set_value("Yes").run()
    at.text_input(key=f"interview_answer_{ids['place']}").input("With a friend").run()
    at.run()  # the whole page again (the box's own run drew only its question)
    at.button(key="interview_leave").click().run()
    for mode in ("whole_form", "one_at_a_time"):
        start(at, f"AB-2-{mode}", mode)
        no_errors(at)
        newest = max(interviews(path), key=lambda row: row["started_at"])
        assert newest["respondent_code"] == f"AB-2-{mode}"
        assert answers(path, newest["id"]) == {}, "nothing carried over from AB-1"
        if mode == "whole_form":
            assert at.radio(key=f"interview_answer_{ids['outside']}").value is None
            assert not at.text_input(key=f"interview_answer_{ids['place']}").value
        at.run()
        at.button(key="interview_leave").click().run()


def test_a_pick_no_callback_saved_is_saved_into_its_own_interview_when_the_interviewer_stops(app_test, noted_db):
    """Stopping straight after a pick whose callback was missed keeps the pick, in the right interview."""
    path, ids = noted_db
    at = open_as(app_test, path, signed_in_user(path, "interviewer"))
    start(at, "AB-11", "whole_form")
    first_id = interviews(path)[0]["id"]
    at.session_state[f"interview_answer_{ids['outside']}"] = "No"  # in the box, as if no callback ran
    at.button(key="interview_leave").click().run()
    no_errors(at)
    assert answers(path, first_id)["outside"]["value"] == "No"
    start(at, "AB-12", "whole_form")
    second = next(row for row in interviews(path) if row["respondent_code"] == "AB-12")
    assert answers(path, second["id"]) == {}
