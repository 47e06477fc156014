"""Surveys in more than one language on the pages: Explore splits by language."""

from __future__ import annotations

from pathlib import Path

import pytest

from surveys import languages
from surveys.accounts import command_line_actor
from surveys.interviews import save_answer, start_interview, submit_interview
from surveys.storage import open_database
from surveys.storage import core as store


@pytest.fixture
def two_languages(db_path: Path) -> dict:
    """A published survey in English and Welsh with sent-in interviews in each language."""
    db = open_database(db_path)
    survey_id = store.create_survey(db, "Homes")
    version_id = store.create_version(db, survey_id)
    story = store.add_question(db, version_id, name="story", type="text", wording="How is your home?")
    languages.set_languages(db, version_id, "English", ["Welsh"])
    jo = store.add_person(db, "Jo", "peer_researcher")
    languages.save_translation(db, story, "Welsh", wording="Sut mae eich cartref?", person_id=jo)
    store.set_version_status(db, version_id, "published")
    me = command_line_actor(db)  # no accounts yet: the person at the laptop acts
    for code, language, words in (("R1", "", "fine thanks"), ("R2", "Welsh", "iawn"), ("R3", "Welsh", "da iawn")):
        interview_id = start_interview(db, version_id, code, me, True, language=language)
        save_answer(db, interview_id, story, words, actor=me)
        submit_interview(db, interview_id, me)
    db.conn.close()
    return {"version_id": version_id}


def test_explore_splits_the_figures_by_the_language_people_were_asked_in(app_test, db_path, two_languages):
    at = app_test(db_path, "explore", role="evaluator")
    assert not at.exception, [e.value for e in at.exception]
    splits = at.selectbox(key="explore_by")
    assert "language" in splits.options or "Each language" in splits.options
    splits.set_value("language").run()
    assert not at.exception, [e.value for e in at.exception]
    table = next(f.value for f in at.dataframe if "Group" in f.value.columns)
    assert sorted(zip(table["Group"], table["Times asked"])) == [("English", 1), ("Welsh", 2)]


def test_explore_offers_no_language_split_for_a_survey_in_one_language(app_test, demo_db_path):
    at = app_test(demo_db_path, "explore", role="evaluator")
    assert not at.exception
    assert "Each language" not in at.selectbox(key="explore_by").options
