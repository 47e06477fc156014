"""Surveys in more than one language: languages, translations, credit, interviews, merge, piping, rules."""

from __future__ import annotations

import pytest

from surveys import codesign, languages
from surveys.accounts import command_line_actor
from surveys.interviews import evaluate_show_if, resume, start_interview, visible_questions
from surveys.merge import merge_databases
from surveys.piping import answers_to_show, fill_in_answers, piped_names
from surveys.rules import all_of, describe_constraint, describe_show_if, rule_questions
from surveys.storage import open_database
from surveys.storage import core as store
from surveys.storage.core import InvalidInput
from tests.conftest import actor_in


@pytest.fixture
def survey(db):
    """A draft version in English with French and Swahili, and two questions, one translated."""
    survey_id = store.create_survey(db, "Homes")
    version_id = store.create_version(db, survey_id)
    home = store.add_question(db, version_id, name="home", type="single_choice", wording="Where do you stay?",
                              help_text="Read the options out", options=["Hostel", "Own flat"])
    name = store.add_question(db, version_id, name="nickname", type="text",
                              wording="What should we call you, ${home}?")
    languages.set_languages(db, version_id, "English (en)", ["French (fr)", "Swahili (sw)"], actor="t")
    dee = actor_in(db, "designer", "Dee")
    languages.save_translation(db, home, "French (fr)", wording="Où dormez-vous ?", help_text="Lisez les choix",
                               options={"Hostel": "Foyer", "Own flat": "Appartement"}, actor=dee)
    return {"db": db, "survey_id": survey_id, "version_id": version_id, "home": home, "name": name, "dee": dee}


def test_a_version_lists_its_languages_main_first(survey):
    db, version_id = survey["db"], survey["version_id"]
    assert languages.version_languages(db, version_id) == [
        {"language": "English (en)", "name": "English", "is_main": True},
        {"language": "French (fr)", "name": "French", "is_main": False},
        {"language": "Swahili (sw)", "name": "Swahili", "is_main": False},
    ]
    other = store.create_version(db, survey["survey_id"])
    assert languages.version_languages(db, other) == [{"language": "", "name": "English", "is_main": True}]


def test_questions_come_in_the_language_asked_with_main_words_where_missing(survey):
    db, version_id = survey["db"], survey["version_id"]
    french = languages.questions_in_language(db, version_id, "French (fr)")
    assert [(q["wording"], q["help_text"], q["options"], q["option_labels"], q["untranslated"]) for q in french] == [
        ("Où dormez-vous ?", "Lisez les choix", ["Hostel", "Own flat"], {"Hostel": "Foyer", "Own flat": "Appartement"},
         []),
        ("What should we call you, ${home}?", "", [], {}, ["wording"]),
    ]
    english = languages.questions_in_language(db, version_id, "")
    assert [q["wording"] for q in english] == ["Where do you stay?", "What should we call you, ${home}?"]
    assert languages.questions_in_language(db, version_id, "French") == french, "the short name works too"
    with pytest.raises(InvalidInput, match="no Welsh words"):
        languages.questions_in_language(db, version_id, "Welsh")
    gaps = languages.untranslated(db, version_id)
    assert [(g["question"], g["language"], g["missing"]) for g in gaps] == [
        ("nickname", "French (fr)", ["wording"]),
        ("home", "Swahili (sw)", ["wording", "help_text", "options"]),
        ("nickname", "Swahili (sw)", ["wording"]),
    ]
    assert languages.untranslated_sentences(gaps, "English") == [
        "French: 1 question has words not translated yet (question 2). Until then the English words are shown.",
        "Swahili: 2 questions have words not translated yet (question 1, 2). Until then the English words are shown.",
    ]


def test_a_translation_made_in_the_app_is_credited_and_its_old_words_kept(survey):
    db, home, dee = survey["db"], survey["home"], survey["dee"]
    sam = actor_in(db, "designer", "Sam")
    languages.save_translation(db, home, "French (fr)", wording="Où habitez-vous ?", actor=sam,
                               options={"Hostel": "Foyer"}, reason="Plus clair")
    history = languages.translation_history(db, store.get_question(db, home)["lineage_id"], "French (fr)")
    assert [(h["wording"], h["name"], h["reason"]) for h in history] == [
        ("Où dormez-vous ?", "Dee", "Changed by Sam: Plus clair")]
    assert codesign.wording_history(db, store.get_question(db, home)["lineage_id"])[0]["earlier"] == [], \
        "the main wording's history does not mix in translations"
    languages.save_translation(db, home, "French (fr)", wording="Où habitez-vous ici ?", actor=sam)
    credit = {r["name"]: (r["translated"], r["total"]) for r in codesign.contributions(db, survey_id=survey["survey_id"])}
    assert credit == {"Dee": (1, 1), "Sam": (1, 1)}, "each translator counts once per question and language"
    with pytest.raises(InvalidInput, match="main language"):
        languages.save_translation(db, home, "English (en)", wording="x", actor=sam)
    with pytest.raises(InvalidInput, match="no option called 'Caravan'"):
        languages.save_translation(db, home, "French (fr)", wording="x", options={"Caravan": "y"}, actor=sam)
    assert dee


def test_a_new_version_copies_languages_and_translations_and_credit_counts_once(survey):
    db, version_id = survey["db"], survey["version_id"]
    store.set_version_status(db, version_id, "published")
    with pytest.raises(InvalidInput, match="published"):
        languages.save_translation(db, survey["home"], "French (fr)", wording="x", actor=survey["dee"])
    with pytest.raises(Exception, match="published"):
        db.execute("DELETE FROM question_translation")
    newer = codesign.start_new_version(db, version_id, survey["dee"])
    assert languages.version_languages(db, newer) == languages.version_languages(db, version_id)
    french = languages.questions_in_language(db, newer, "French (fr)")
    assert french[0]["wording"] == "Où dormez-vous ?"
    credit = {r["name"]: r["translated"] for r in codesign.contributions(db, survey_id=survey["survey_id"])}
    assert credit == {"Dee": 1}
    languages.save_translation(db, french[0]["id"], "French (fr)", wording="Où vivez-vous ?", actor=survey["dee"])
    credit = {r["name"]: r["translated"] for r in codesign.contributions(db, survey_id=survey["survey_id"])}
    assert credit == {"Dee": 1}, "changing your own words in a later version is still one translation"


def test_adding_a_language_in_the_app_names_the_main_one_english(db):
    survey_id = store.create_survey(db, "S")
    version_id = store.create_version(db, survey_id)
    jo = actor_in(db, "designer", "Jo")
    languages.add_language(db, version_id, "Welsh", jo)
    with pytest.raises(Exception, match="Only these kinds of account can do this: Admin, Designer"):
        languages.add_language(db, version_id, "Irish", actor_in(db, "interviewer", "Ola"))
    assert [(lang["language"], lang["is_main"]) for lang in languages.version_languages(db, version_id)] == [
        ("English", True), ("Welsh", False)]
    with pytest.raises(InvalidInput, match="already"):
        languages.add_language(db, version_id, "welsh", jo)


def test_an_interview_records_its_language(survey):
    db, version_id = survey["db"], survey["version_id"]
    store.set_version_status(db, version_id, "published")
    # No accounts yet: the person at the laptop acts (interview functions take an accounts.Actor).
    me = actor_in(db, "interviewer", "Ola")
    interview_id = start_interview(db, version_id, "R1", me, True, language="French")
    assert resume(db, interview_id, me).interview["language"] == "French (fr)"
    english = start_interview(db, version_id, "R2", me, True)
    assert resume(db, english, me).interview["language"] == ""
    with pytest.raises(InvalidInput, match="no Welsh words"):
        start_interview(db, version_id, "R3", me, True, language="Welsh")


def test_languages_translations_and_the_interview_language_travel_in_a_merge(tmp_path):
    source, target = tmp_path / "a.db", tmp_path / "b.db"
    db = open_database(source)
    survey_id = store.create_survey(db, "S")
    version_id = store.create_version(db, survey_id)
    question = store.add_question(db, version_id, name="q", type="text", wording="How are you?")
    languages.set_languages(db, version_id, "English", ["Welsh"])
    jo = actor_in(db, "designer", "Jo")
    languages.save_translation(db, question, "Welsh", wording="Sut wyt ti?", actor=jo)
    store.set_version_status(db, version_id, "published")
    start_interview(db, version_id, "R1", actor_in(db, "interviewer", "Ola"), True, language="Welsh")
    db.conn.close()
    other = open_database(target)
    summary = merge_databases(source, other, command_line_actor(other))
    assert summary.added["question_translation"] == 1 and summary.added["version_language"] == 2
    assert languages.questions_in_language(other, version_id, "Welsh")[0]["wording"] == "Sut wyt ti?"
    assert other.execute("SELECT language FROM interview").fetchall() == [("Welsh",)]
    other.conn.close()


# ---- show-if rules joined with all / any ------------------------------------------------------------


RULE_A = {"question": "housed", "operator": "equals", "values": ["Yes"]}
RULE_B = {"question": "age", "operator": "greater_than", "values": ["15"]}


def test_joined_rules_hold_when_all_or_any_of_their_parts_hold():
    both = {"all": [RULE_A, RULE_B]}
    either = {"any": [RULE_A, RULE_B]}
    assert evaluate_show_if(both, {"housed": "Yes", "age": "20"}) is True
    assert evaluate_show_if(both, {"housed": "Yes", "age": "10"}) is False
    assert evaluate_show_if(either, {"housed": "No", "age": "20"}) is True
    assert evaluate_show_if(either, {"housed": "No", "age": "10"}) is False
    assert all_of(None, RULE_A, {"all": [RULE_A, RULE_B]}) == {"all": [RULE_A, RULE_B]}
    assert all_of(RULE_A) == RULE_A and all_of(None, None) is None
    assert rule_questions({"any": [RULE_A, {"all": [RULE_B, RULE_A]}]}) == ["housed", "age"]


def test_a_question_whose_rule_looks_at_a_hidden_question_is_hidden_too():
    questions = [
        {"id": "1", "name": "housed", "type": "yes_no", "show_if": None},
        {"id": "2", "name": "age", "type": "number", "show_if": RULE_A},
        {"id": "3", "name": "both", "type": "text", "show_if": {"all": [RULE_A, RULE_B]}},
        {"id": "4", "name": "either", "type": "text", "show_if": {"any": [RULE_B, {"question": "housed",
                                                                                  "operator": "answered"}]}},
    ]
    answers = {"1": {"question_id": "1", "value": "No"}}
    assert [q["name"] for q in visible_questions(questions, answers)] == ["housed", "either"]
    answers = {"1": {"question_id": "1", "value": "Yes"}, "2": {"question_id": "2", "value": "30"}}
    assert [q["name"] for q in visible_questions(questions, answers)] == ["housed", "age", "both", "either"]


def test_joined_rules_are_saved_and_said_in_words(db):
    survey_id = store.create_survey(db, "S")
    version_id = store.create_version(db, survey_id)
    store.add_question(db, version_id, name="housed", type="yes_no", wording="Housed?", options=["Yes", "No"])
    store.add_question(db, version_id, name="age", type="number", wording="Age?")
    rule = {"all": [RULE_A, {"any": [RULE_B, {"question": "age", "operator": "less_than", "values": ["5"]}]}]}
    qid = store.add_question(db, version_id, name="q", type="text", wording="Why?", show_if=rule)
    assert store.get_question(db, qid)["show_if"] == rule
    questions = store.questions_for_version(db, version_id)
    assert describe_show_if(rule, questions) == (
        "Only ask if question 1 (housed) is “Yes” and (question 2 (age) is more than 15 "
        "or question 2 (age) is less than 5).")
    with pytest.raises(InvalidInput, match="at least two"):
        store.add_question(db, version_id, name="bad", type="text", wording="?", show_if={"all": [RULE_A]})
    with pytest.raises(InvalidInput, match="not a show-if rule"):
        store.add_question(db, version_id, name="bad", type="text", wording="?",
                           show_if={"any": [RULE_A, {"question": "age", "operator": "roughly"}]})


@pytest.mark.parametrize("expr, kind, number_kind, words", [
    (". <= 72", "number", "integer", "A whole number up to 72."),
    ("(. <= 72)", "number", "integer", "A whole number up to 72."),
    (". >= 0 and . <= 120", "number", "integer", "A whole number from 0 to 120."),
    (". > 0", "number", "integer", "A whole number of at least 1."),
    (". > 0 and . < 10.5", "number", "decimal", "A number more than 0 and less than 10.5."),
    (". >= 18 and . != 20", "number", "integer", "A whole number of at least 18, but not 20."),
    (". <= today()", "date", "", "A date that is no later than today."),
    ("count-selected(.) <= 3", "multiple_choice", "", "Pick up to 3 answers."),
    ("string-length(.) <= 10", "text", "", "Up to 10 letters."),
    ("regex(., '^[0-9]+$')", "text", "", ""),
    ("not(selected(., 'none') and count-selected(.) > 1)", "multiple_choice", "", ""),
])
def test_answer_rules_are_said_in_words_or_not_at_all(expr, kind, number_kind, words):
    assert describe_constraint(expr, kind, number_kind=number_kind) == words


# ---- piping -----------------------------------------------------------------------------------------


def test_earlier_answers_fill_in_the_words_in_the_interview_language():
    questions = [{"id": "1", "name": "home", "type": "single_choice", "option_labels": {"Hostel": "Foyer"}},
                 {"id": "2", "name": "help", "type": "multiple_choice", "option_labels": {}},
                 {"id": "3", "name": "nick", "type": "text"}]
    answers = {"1": {"value": "Hostel"}, "2": {"value": '["Food", "A bed"]'}, "3": {"opt_out": "skipped"}}
    shown = answers_to_show(questions, answers)
    assert shown == {"home": "Foyer", "help": "Food, A bed"}
    assert fill_in_answers("Vous dormez au ${home}; aide: ${help}; nom: ${nick}", shown) == \
        "Vous dormez au Foyer; aide: Food, A bed; nom: …"
    assert piped_names("${a} and ${ b } and ${a}") == ["a", "b"]


def test_interviewers_see_the_answer_rule_in_their_language_or_in_words():
    from surveys.rules import answer_rule_words

    question = {"type": "number", "form_columns": {"type": "integer", "columns": {
        "constraint": ". <= 72", "constraint_message::French (fr)": "72 au plus"}}}
    assert answer_rule_words(question, "French (fr)", "English (en)") == "72 au plus"
    assert answer_rule_words(question, "", "English (en)") == "A whole number up to 72."
    question["form_columns"]["columns"]["constraint_message"] = "No more than 72 months"
    assert answer_rule_words(question, "", "English (en)") == "No more than 72 months"
    assert answer_rule_words({"type": "text", "form_columns": {}}, "") == ""


def test_an_interviewer_reads_the_question_in_french_with_the_earlier_answer_filled_in(survey):
    from surveys.languages import asked_questions

    db, version_id = survey["db"], survey["version_id"]
    languages.save_translation(db, survey["name"], "French (fr)", wording="Comment vous appeler, ${home} ?",
                               actor=survey["dee"])
    store.update_question(db, survey["home"], {"form_columns": {"columns": {"constraint": "string-length(.) <= 20"}}})
    before = asked_questions(db, version_id, "French (fr)")
    assert [q["wording"] for q in before] == ["Où dormez-vous ?", "Comment vous appeler, … ?"]
    answers = {survey["home"]: {"question_id": survey["home"], "value": "Own flat"}}
    after = asked_questions(db, version_id, "French (fr)", answers)
    assert after[1]["wording"] == "Comment vous appeler, Appartement ?"
    assert after[0]["answer_rule"] == "Up to 20 letters."
    english = asked_questions(db, version_id, "", answers)
    assert english[1]["wording"] == "What should we call you, Own flat?"
    assert store.get_question(db, survey["name"])["wording"] == "What should we call you, ${home}?", \
        "the stored words keep ${home}"


def test_each_question_lists_the_languages_it_still_needs(survey):
    marks = languages.untranslated_by_question(survey["db"], survey["version_id"])
    assert marks == {survey["home"]: ["Swahili"], survey["name"]: ["French", "Swahili"]}
    assert languages.checked_languages_note(survey["db"], survey["version_id"]) == (
        "The wording checks read English only, so they do not check the French and Swahili words.")
