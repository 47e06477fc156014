"""The "You said, we did" summary: counts per topic, space for changes, and plain sentences."""

from __future__ import annotations

import re

import pytest

from analysis.summary import CHANGED_LINE, summary_parts, summary_sentences, you_said_we_did
from surveys.storage import core as store
from surveys.storage import open_database
from tests.test_quality import add_interview, build_survey

QUOTED = re.compile(r"\u201c[^\u201d]*\u201d")


def problem_flags(sentences: list[str]) -> dict[str, list[str]]:
    """Return each sentence with a problem flag, and its flags (one checker batch for all)."""
    from surveys.checks import get_checker

    reports = get_checker().check_many([(s, []) for s in sentences])
    found = {s: [f"{f.code}: {f.message}" for f in r.flags if f.severity == "problem"]
             for s, r in zip(sentences, reports)}
    return {s: flags for s, flags in found.items() if flags}


@pytest.fixture
def demo(demo_db_path):
    database = open_database(demo_db_path)
    versions = {v["number"]: v["id"] for v in store.list_versions(database)}
    yield database, versions
    database.conn.close()


def test_every_sentence_of_the_co_produced_version_passes_the_checker(demo):
    database, versions = demo
    sentences = summary_sentences(database, versions[2])
    assert len(sentences) > 40
    assert not problem_flags(sentences)


def test_our_sentences_pass_for_the_staff_version_too(demo):
    # Version 1 answer options are quoted as people saw them (some are jargon); our words around them pass.
    database, versions = demo
    sentences = [QUOTED.sub("this", s) for s in summary_sentences(database, versions[1])]
    assert not problem_flags(sentences)


def test_summary_has_topics_counts_and_space_for_changes(demo):
    database, versions = demo
    text = you_said_we_did(database, versions[2])
    parts = summary_parts(database, versions[2])
    assert text.startswith("# You said, we did")
    topics = [q["topic"] for q in store.questions_for_version(database, versions[2]) if q["type"] != "note"]
    assert list(parts["topics"]) == list(dict.fromkeys(topics))
    for topic in parts["topics"]:
        assert f"### {topic}" in text
    assert text.count(CHANGED_LINE) == len(parts["topics"])
    assert "These answers are made up" in text


def test_hand_counts_appear_in_the_sentences(db):
    _survey, version_id = build_survey(db)
    questions = {q["name"]: q for q in store.questions_for_version(db, version_id)}
    for mood, agree, story in (("Good", "Yes", "the council was slow"), ("Good", "No", "council staff kind"),
                               ("Bad", "Yes", "kind council")):
        add_interview(db, version_id, questions, None, "2025-03-04T10:00:00+00:00", answers=[
            ("mood", mood, None, 0, 0, 0), ("yes", agree, None, 0, 0, 0), ("story", story, None, 0, 0, 0)])
    parts = summary_parts(db, version_id)
    you = {q["name"]: q["sentences"] for q in parts["topics"]["You"]}
    views = {q["name"]: q["sentences"] for q in parts["topics"]["Views"]}
    assert you["mood"] == ["3 people answered this.", "The answer given most was \u201cGood\u201d: 2 of 3 people."]
    assert views["yes"] == ["3 people answered this.", "2 of 3 people said yes."]
    assert you["story"][0] == "3 people answered this."
    assert you["story"][1].startswith("Words people used most: council")
    assert parts["intro"][0] == "We talked with 3 people in March 2025."
    assert "feel" not in views, "questions nobody was asked are left out"


def test_version_with_no_interviews_says_so(db):
    _survey, version_id = build_survey(db)
    text = you_said_we_did(db, version_id)
    assert "We have no answers to this survey yet." in text
    assert "We asked" not in text


def test_typed_markdown_is_escaped(db):
    survey_id = store.create_survey(db, "Survey *bold* [link](x)")
    version_id = store.create_version(db, survey_id, "One")
    store.add_question(db, version_id, name="q", type="text", wording="What is <b>new</b> _here_?")
    questions = {q["name"]: q for q in store.questions_for_version(db, version_id)}
    add_interview(db, version_id, questions, None, "2025-03-04T10:00:00+00:00",
                  answers=[("q", "a *loud* answer", None, 0, 0, 0)])
    text = you_said_we_did(db, version_id)
    assert r"Survey \*bold\* \[link\](x)" in text
    assert r"**We asked:** What is \<b\>new\</b\> \_here\_?" in text
