"""The group's glossary and dismissed flags in SQLite: adding, removing, reading, the audit log,
and what the checker does with them."""

from __future__ import annotations

import json

import pytest

from surveys.checks import GroupTerms, get_checker
from surveys.storage import StorageError, audit_entries
from surveys.storage import core as store
from surveys.storage import glossary
from surveys.storage.codesign import StaleSave
from surveys.storage.core import InvalidInput


@pytest.fixture
def person(db):
    return store.add_person(db, "Sam", "peer_researcher")


@pytest.fixture
def question_id(db):
    survey_id = store.create_survey(db, "Hostel survey")
    version_id = store.create_version(db, survey_id)
    return store.add_question(
        db, version_id, name="worker", type="text", wording="How often do you see your key worker?"
    )


def test_add_and_list_terms(db, person):
    row = glossary.add_term(db, "drop-in", "jargon", "day centre", "We call it the day centre", person_id=person)
    glossary.add_term(db, "punters", "stigmatising", "people who use the service", "It sounds like a label")
    glossary.add_term(db, "key worker", "accepted", reason="Everyone here knows it")
    terms = glossary.list_terms(db)
    assert [(t["term"], t["kind"], t["alternative"]) for t in terms] == [
        ("key worker", "accepted", ""),
        ("drop-in", "jargon", "day centre"),
        ("punters", "stigmatising", "people who use the service"),
    ]
    assert terms[1] == {**row, "removed_at": None}
    assert row["source"] == "Group's own list"
    assert row["person_id"] == person


def test_group_terms_turns_rows_into_a_value_for_the_checker(db):
    glossary.add_term(db, "drop-in", "jargon", "day centre", "")
    glossary.add_term(db, "punters", "stigmatising", "people who use the service", "")
    glossary.add_term(db, "key worker", "accepted", "", "")
    terms = glossary.group_terms(db)
    assert terms == GroupTerms(
        extra_jargon={"drop-in": "day centre"},
        extra_stigmatising={"punters": "people who use the service"},
        accepted=frozenset({"key worker"}),
    )
    report = get_checker(terms).check("Do punters at the drop-in see a key worker?")
    assert [(f.code, f.quoted, f.suggestion) for f in report.flags] == [
        ("stigmatising", "punters", "people who use the service"),
        ("jargon", "drop-in", "day centre"),
    ]


def test_group_terms_of_an_empty_database():
    from surveys.storage import open_database

    database = open_database(":memory:")
    assert glossary.group_terms(database) == GroupTerms()
    assert glossary.list_terms(database) == []


@pytest.mark.parametrize(
    "term,kind,alternative,message",
    [
        ("  ", "jargon", "x", "Type the word or words first."),
        ("drop-in", "slang", "x", "Choose what kind of word it is: jargon, stigmatising or accepted."),
        ("drop-in", "jargon", "  ", 'Say what to use instead of "drop-in".'),
        ("punters", "stigmatising", "", 'Say what to use instead of "punters".'),
    ],
)
def test_add_term_refuses_bad_input_in_plain_words(db, term, kind, alternative, message):
    with pytest.raises(ValueError) as caught:
        glossary.add_term(db, term, kind, alternative, "reason")
    assert str(caught.value) == message
    assert isinstance(caught.value, StorageError)
    assert glossary.list_terms(db) == []


def test_a_term_is_only_on_the_list_once(db):
    glossary.add_term(db, "Drop-in", "jargon", "day centre", "")
    with pytest.raises(ValueError, match='"drop-in" is already on your list'):
        glossary.add_term(db, "drop-in", "accepted", "", "")


def test_remove_term_is_soft_and_needs_a_reason(db, person):
    row = glossary.add_term(db, "drop-in", "jargon", "day centre", "")
    with pytest.raises(ValueError, match="Say why you are taking the word off the list."):
        glossary.remove_term(db, row["id"], person, " ")
    removed = glossary.remove_term(db, row["id"], person, "People know this word after all")
    assert removed["removed_at"] is not None
    assert glossary.list_terms(db) == []
    assert glossary.group_terms(db) == GroupTerms()
    kept = db.execute("SELECT term, removed_at FROM glossary_term WHERE id = ?", [row["id"]]).fetchone()
    assert kept == ("drop-in", removed["removed_at"])
    with pytest.raises(ValueError, match='"drop-in" was already taken off the list.'):
        glossary.remove_term(db, row["id"], person, "again")
    with pytest.raises(LookupError, match="That word is not in your list."):
        glossary.remove_term(db, "no-such-id", person, "why")
    # Once removed, the same word can be added again.
    glossary.add_term(db, "drop-in", "accepted", "", "")


def test_every_glossary_change_is_in_the_audit_log(db, person):
    row = glossary.add_term(db, "drop-in", "jargon", "day centre", "We call it that", person_id=person)
    glossary.remove_term(db, row["id"], person, "Changed our minds")
    entries = audit_entries(db, record_id=row["id"])
    assert [(e["action"], e["actor"], e["table_name"]) for e in entries] == [
        ("remove glossary term", "Sam", "glossary_term"),
        ("add glossary term", "Sam", "glossary_term"),
    ]
    assert json.loads(entries[1]["new_value"])["term"] == "drop-in"
    assert json.loads(entries[0]["new_value"])["removal_reason"] == "Changed our minds"
    assert json.loads(entries[0]["old_value"])["removed_at"] is None


def test_dismiss_a_flag_on_one_question(db, person, question_id):
    row = glossary.dismiss_flag(db, question_id, "jargon", "key worker", "Our members use this word", person)
    assert glossary.dismissals_for(db, question_id) == {("jargon", "key worker")}
    assert [r["reason"] for r in glossary.dismissal_rows(db, question_id)] == ["Our members use this word"]
    entries = audit_entries(db, record_id=row["id"])
    assert [(e["action"], e["actor"]) for e in entries] == [("dismiss flag", "Sam")]
    report = get_checker().check(  # "each week" gives a time frame, so jargon is the only flag
        "How often each week do you see your key worker?", dismissed=glossary.dismissals_for(db, question_id)
    )
    assert report.flags == [] and [f.code for f in report.dismissed_flags] == ["jargon"]


def test_dismissals_belong_to_one_question(db, question_id):
    assert glossary.dismissals_for(db, question_id) == set()
    assert glossary.dismissals_for(db, "another-question") == set()


@pytest.mark.parametrize(
    "code,reason,message",
    [
        ("jargon", "", "Say why this flag is fine for this question before you dismiss it."),
        ("jargon", "   ", "Say why this flag is fine for this question before you dismiss it."),
        ("made-up", "a reason", '"made-up" is not one of the checks, so it cannot be dismissed.'),
    ],
)
def test_dismiss_flag_needs_a_reason_and_a_real_code(db, question_id, code, reason, message):
    with pytest.raises(ValueError) as caught:
        glossary.dismiss_flag(db, question_id, code, "key worker", reason)
    assert str(caught.value) == message
    assert glossary.dismissals_for(db, question_id) == set()


def test_dismiss_flag_on_a_missing_question(db):
    with pytest.raises(LookupError, match="That question is not in the database."):
        glossary.dismiss_flag(db, "no-such-question", "jargon", "key worker", "a reason")


def test_sql_values_are_parameters_not_text(db):
    tricky = "x'); DROP TABLE glossary_term; --"
    glossary.add_term(db, tricky, "jargon", "y", "")
    assert [t["term"] for t in glossary.list_terms(db)] == [tricky]


def test_a_change_based_on_an_old_copy_of_a_word_is_refused(db, person):
    row = glossary.add_term(db, "drop-in", "jargon", alternative="day centre", reason="Plain", person_id=person)
    seen = row["revision"]
    glossary.change_term(db, row["id"], "day centre or hub", "Both are used here", person, based_on=seen)
    with pytest.raises(StaleSave) as refused:
        glossary.change_term(db, row["id"], "open session", "Newer word", person, based_on=seen)
    assert "day centre or hub" in refused.value.theirs and "open session" in refused.value.mine
    with pytest.raises(StaleSave):
        glossary.remove_term(db, row["id"], person, "Not needed", based_on=seen)
    assert [(t["alternative"], t["reason"]) for t in glossary.list_terms(db)] == [
        ("day centre or hub", "Both are used here")]
    now = glossary.get_term(db, row["id"])["revision"]
    glossary.remove_term(db, row["id"], person, "Not needed", based_on=now)
    assert glossary.list_terms(db) == []


def test_a_dismissed_flag_can_be_brought_back_and_is_dismissed_once(db, person, question_id):
    row = glossary.dismiss_flag(db, question_id, "jargon", "keyworker", "Our word", person)
    with pytest.raises(InvalidInput, match="already dismissed"):
        glossary.dismiss_flag(db, question_id, "jargon", "keyworker", "Again", person)
    assert [(d["code"], d["name"]) for d in glossary.dismissals_listed(db, question_id)] == [("jargon", "Sam")]
    glossary.undo_dismissal(db, row["id"], person)
    assert glossary.dismissals_for(db, question_id) == set()
    assert glossary.dismissals_listed(db, question_id) == []
    assert [d["undone_at"] is not None for d in glossary.dismissal_rows(db, question_id)] == [True]
    with pytest.raises(InvalidInput, match="already brought back"):
        glossary.undo_dismissal(db, row["id"], person)
    glossary.dismiss_flag(db, question_id, "jargon", "keyworker", "We talked again", person)
    assert glossary.dismissals_for(db, question_id) == {("jargon", "keyworker")}
