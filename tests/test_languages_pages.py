"""Surveys in more than one language on the pages: Interview asks in a language, Explore splits by
language, Design adds languages and credited translations and marks what is not translated yet."""

from __future__ import annotations

from pathlib import Path

import pytest

from surveys import codesign, languages
from tests.conftest import actor_in
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
    languages.save_translation(db, story, "Welsh", wording="Sut mae eich cartref?",
                               actor=actor_in(db, "designer", "Jo"))
    store.set_version_status(db, version_id, "published")
    me = actor_in(db, "interviewer", "Ola")
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


def shown(at) -> list[str]:
    """Return the page's Markdown as people read it (escapes taken out)."""
    return [m.value.replace("\\", "") for m in at.markdown]


@pytest.fixture
def french_survey(db_path: Path) -> dict:
    """A published survey in English and French: a choice, a question that shows its answer, an answer rule."""
    db = open_database(db_path)
    survey_id = store.create_survey(db, "Homes")
    version_id = store.create_version(db, survey_id)
    ids = {
        "home": store.add_question(db, version_id, name="home", type="single_choice", wording="Where do you stay?",
                                   options=["Hostel", "Own flat"]),
        "nights": store.add_question(db, version_id, name="nights", type="number",
                                     wording="How many nights in the ${home}?",
                                     form_columns={"type": "integer", "columns": {"constraint": ". <= 31"}}),
    }
    languages.set_languages(db, version_id, "English", ["French"])
    jo = actor_in(db, "designer", "Jo")
    languages.save_translation(db, ids["home"], "French", wording="Où dormez-vous ?",
                               options={"Hostel": "Foyer", "Own flat": "Appartement"}, actor=jo)
    languages.save_translation(db, ids["nights"], "French", wording="Combien de nuits au ${home} ?", actor=jo)
    store.set_version_status(db, version_id, "published")
    db.conn.close()
    return ids


def test_an_interview_in_french_asks_in_french_and_fills_in_the_earlier_answer(app_test, db_path, french_survey):
    from tests.conftest import signed_in_user

    ids = french_survey
    at = app_test(db_path, role=None, run=False)
    at.session_state["auth_user"] = signed_in_user(db_path, "interviewer", "Ola")
    at.run()
    at.switch_page("pages/2_Interview.py")
    at.run()
    assert at.radio(key="interview_language").options == ["English", "French"]
    at.radio(key="interview_language").set_value("French").run()
    at.text_input(key="interview_code").input("AB-1001").run()
    at.button(key="interview_consent_yes").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert "## Où dormez-vous ?" in shown(at)
    choice = at.radio(key=f"interview_answer_{ids['home']}")
    assert choice.options == ["Foyer", "Appartement"]
    choice.set_value("Hostel")
    at.button(key=f"interview_save_{ids['home']}").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert "## Combien de nuits au Foyer ?" in shown(at)
    assert any("A whole number up to 31." in c.value.replace("\\", "") for c in at.caption)
    db = open_database(db_path)
    [(language, value)] = db.execute(
        "SELECT i.language, a.value FROM interview i JOIN answer a ON a.interview_id = i.id").fetchall()
    db.conn.close()
    assert (language, value) == ("French", "Hostel"), "the answer is stored as the main-language option"


@pytest.fixture
def draft(db_path: Path) -> dict:
    """A draft version in English with a choice question."""
    db = open_database(db_path)
    survey_id = store.create_survey(db, "Homes")
    version_id = store.create_version(db, survey_id)
    home = store.add_question(db, version_id, name="home", type="single_choice", wording="Where do you stay?",
                              options=["Hostel", "Own flat"])
    db.conn.close()
    return {"survey_id": survey_id, "version_id": version_id, "home": home}


def test_design_adds_a_language_and_a_translation_credited_to_its_maker(app_test, db_path, draft):
    at = app_test(db_path, "design", role="designer")
    assert not at.exception, [e.value for e in at.exception]
    at.radio(key="design_part").set_value("Languages").run()
    assert any("The wording checks read English." in c.value for c in at.caption)
    at.text_input(key="design_lang_new").input("Welsh").run()
    at.button(key="design_lang_add").click().run()
    assert not at.exception, [e.value for e in at.exception]
    at.text_area(key="design_lang_wording").input("Ble ydych chi'n aros?")
    at.text_input(key="design_lang_option_0").input("Hostel")
    at.text_input(key="design_lang_option_1").input("Fflat eich hun")
    at.button(key="design_lang_save").click().run()
    assert not at.exception, [e.value for e in at.exception]
    db = open_database(db_path)
    welsh = languages.questions_in_language(db, draft["version_id"], "Welsh")[0]
    [credit] = [r for r in codesign.contributions(db, survey_id=draft["survey_id"]) if r["translated"]]
    db.conn.close()
    assert (welsh["wording"], welsh["option_labels"]) == (
        "Ble ydych chi'n aros?", {"Hostel": "Hostel", "Own flat": "Fflat eich hun"})
    assert (credit["name"], credit["translated"]) == ("Test designer", 1)
    at.radio(key="design_part").set_value("Questions").run()
    assert any("do not check the Welsh words" in c.value for c in at.caption)
    table = next(f.value for f in at.dataframe if "Not translated yet" in f.value.columns)
    assert list(table["Not translated yet"]) == ["–"]


def test_saving_details_keeps_a_joined_rule_from_a_form(app_test, db_path):
    db = open_database(db_path)
    survey_id = store.create_survey(db, "Homes")
    version_id = store.create_version(db, survey_id)
    store.add_question(db, version_id, name="housed", type="yes_no", wording="Do you have a home?",
                       options=["Yes", "No"])
    store.add_question(db, version_id, name="age", type="number", wording="How old are you?")
    rule = {"all": [{"question": "housed", "operator": "equals", "values": ["Yes"]},
                    {"question": "age", "operator": "greater_than", "values": ["17"]}]}
    later = store.add_question(db, version_id, name="rent", type="text", wording="Who pays the rent?", show_if=rule)
    db.conn.close()
    at = app_test(db_path, "design", role="designer")
    at.radio(key="design_part").set_value("Edit").run()
    at.selectbox(key="design_question").set_value(later).run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("is “Yes” and question 2 (age) is more than 17" in c.value.replace("\\", "") for c in at.caption)
    at.text_area(key="design_help").input("Ask gently").run()
    at.button(key="design_save_details").click().run()
    assert not at.exception, [e.value for e in at.exception]
    db = open_database(db_path)
    saved = store.get_question(db, later)
    db.conn.close()
    assert (saved["help_text"], saved["show_if"]) == ("Ask gently", rule)
