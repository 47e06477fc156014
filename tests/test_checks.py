"""The question checker library: API, reports, score, metrics, word lists, group terms, the
language model being missing, no network, and docs for every code."""

from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from surveys.checks import (
    CODES,
    SEVERITIES,
    Checker,
    Flag,
    GroupTerms,
    QuestionReport,
    RulesError,
    apply_suggestion,
    check_question,
    check_survey,
    get_checker,
    load_rules,
    survey_reading_age,
)
from surveys import nlp as shared_nlp
from surveys.checks import model as model_module
from surveys.checks.wordlists import RULES_DIR

ROOT = Path(__file__).resolve().parents[1]
LABELLED = ROOT / "tests" / "data" / "labelled_questions.jsonl"
PARSER_CODES = ["passive-voice", "double-barrelled", "negative-wording", "complex-syntax"]


def codes(report: QuestionReport) -> list[str]:
    return [f.code for f in report.flags]


# ---- the public API -------------------------------------------------------------------------


def test_a_plain_question_has_no_flags_and_full_marks():
    report = check_question("How many days in the last week did you sleep outside?")
    assert report.flags == []
    assert report.score == 100
    assert report.problem_count == 0
    assert report.counts_by_severity == {"info": 0, "warning": 0, "problem": 0}


def test_report_to_dict_has_exactly_the_documented_keys():
    report = check_question("Why didn't you go to your appointment?")
    data = report.to_dict()
    assert set(data) == {"text", "score", "metrics", "flags"}
    assert data["flags"] == [
        {
            "code": "blaming",
            "severity": "problem",
            "start": 0,
            "end": 14,
            "message": '"Why didn\'t you" may sound like blame. Consider asking what made things hard instead.',
            "suggestion": None,
            "why": CODES["blaming"].why,
            "source": CODES["blaming"].source,
            "quoted": "Why didn't you",
        }
    ]
    json.dumps(data)  # plain values only


def test_metrics_has_every_documented_figure():
    report = check_question("Do you have a GP? Is it easy to get an appointment?")
    assert report.metrics == {
        "words": 12,
        "sentences": 2,
        "longest_sentence": 7,
        "syllables_per_word": report.metrics["syllables_per_word"],
        "rare_word_share": 0.0,
        "flesch_reading_ease": report.metrics["flesch_reading_ease"],
        "flesch_kincaid_grade": report.metrics["flesch_kincaid_grade"],
        "parse_depth": 3,
    }
    assert 1.0 <= report.metrics["syllables_per_word"] <= 2.0


def test_rare_word_share_counts_words_below_zipf_3():
    report = check_question("Have you seen a keyworker?")
    assert report.metrics["rare_word_share"] == pytest.approx(1 / 5, abs=0.001)


def test_empty_text_gives_an_empty_report():
    report = check_question("")
    assert report.flags == []
    assert report.metrics["words"] == 0
    assert report.metrics["flesch_reading_ease"] is None
    assert report.score == 100


def test_flags_are_frozen_and_severities_known():
    report = check_question("Do you drink alcohol and use drugs?")
    flag = report.flags[0]
    assert isinstance(flag, Flag)
    with pytest.raises(Exception):
        flag.code = "other"  # type: ignore[misc]
    assert SEVERITIES == ("info", "warning", "problem")
    assert all(c.severity in SEVERITIES for c in CODES.values())


def test_the_registry_has_exactly_the_codes_of_the_issue():
    assert set(CODES) == {
        "hard-to-read", "long-question", "long-sentence", "complex-word", "jargon", "acronym",
        "stigmatising", "passive-voice", "double-barrelled", "leading", "double-negative",
        "negative-wording", "vague-quantifier", "absolute", "presupposition", "hypothetical",
        "blaming", "sensitive-topic", "overlapping-options", "gap-in-options", "unbalanced-scale",
        "missing-opt-out", "too-many-options", "missing-time-frame", "long-recall-period", "complex-syntax",
    }
    for code, check in CODES.items():
        assert check.code == code
        assert check.why and len(check.why.splitlines()) == 1
        assert check.source


def test_check_many_parses_the_whole_survey_in_one_pipe_call():
    checker = Checker()
    calls = []

    class Spy:
        def __init__(self, nlp):
            self.nlp = nlp

        def pipe(self, texts, **kwargs):
            texts = list(texts)
            calls.append(len(texts))
            return self.nlp.pipe(texts, **kwargs)

        def __call__(self, text):  # pragma: no cover - must not be used for a batch
            raise AssertionError("check_many must use nlp.pipe")

    checker.nlp = Spy(checker.nlp)
    items = [("Do you drink alcohol and use drugs?", None), ("How old are you?", ["18-25", "25-35"])] * 20
    reports = checker.check_many(items)
    assert calls == [40]
    assert [r.text for r in reports] == [t for t, _ in items]
    assert "double-barrelled" in codes(reports[0])
    assert "overlapping-options" in codes(reports[1])


def test_check_survey_accepts_texts_tuples_and_dicts():
    reports = check_survey(
        [
            "Do you often sleep outside?",
            ("Have you ever been in prison?", ["Yes", "No"]),
            {"text": "How often each week do you see your key worker?", "options": None},
        ]
    )
    assert [codes(r) for r in reports] == [
        ["vague-quantifier"],
        ["sensitive-topic", "missing-opt-out"],
        ["jargon"],
    ]


def test_get_checker_is_cached_per_set_of_terms():
    assert get_checker() is get_checker()
    terms = GroupTerms(extra_jargon={"drop-in": "day centre"})
    assert get_checker(terms) is get_checker(GroupTerms(extra_jargon={"drop-in": "day centre"}))
    assert get_checker(terms) is not get_checker()
    assert get_checker(terms).nlp is get_checker().nlp  # one spaCy pipeline per model


def test_flags_are_ordered_by_position_with_whole_question_flags_last():
    report = check_question("Have you recently been discussed at a MARAC?", ["Yes", "No"])
    starts = [f.start for f in report.flags]
    with_span = [s for s in starts if s is not None]
    assert with_span == sorted(with_span)
    assert starts[len(with_span):] == [None] * (len(starts) - len(with_span))


def test_negative_wording_gives_way_to_a_stronger_flag_on_the_same_words():
    assert codes(check_question("Why didn't you call us?")) == ["blaming"]
    assert codes(check_question("Don't you agree that the hostel is safe?")) == ["leading"]
    assert "negative-wording" in codes(check_question("Didn't the staff help you?"))


# ---- apply_suggestion ---------------------------------------------------------------------------


def test_apply_suggestion_swaps_the_flagged_words():
    text = "How often each week do you see your key worker?"
    flag = check_question(text).flags[0]
    assert (flag.code, flag.quoted, flag.suggestion) == ("jargon", "key worker", "support worker")
    assert apply_suggestion(text, flag) == "How often each week do you see your support worker?"


def test_apply_suggestion_keeps_a_capital_letter_at_the_start():
    text = "Substance misuse: has it affected your health?"
    flag = next(f for f in check_question(text).flags if f.code == "jargon")
    assert apply_suggestion(text, flag) == "Drug or alcohol use: has it affected your health?"


def test_apply_suggestion_refuses_without_words_to_swap():
    text = "Why didn't you go?"
    flag = check_question(text).flags[0]
    with pytest.raises(ValueError, match="no suggested words"):
        apply_suggestion(text, flag)
    long_flag = Flag("long-question", "warning", None, None, "m", "x", "w", "s")
    with pytest.raises(ValueError, match="whole question"):
        apply_suggestion(text, long_flag)


def test_apply_suggestion_refuses_when_the_text_changed():
    text = "How often each week do you see your key worker?"
    flag = check_question(text).flags[0]
    with pytest.raises(ValueError, match="changed since it was checked"):
        apply_suggestion("Do you see your worker often?", flag)


# ---- the score ------------------------------------------------------------------------------------


def test_score_falls_with_more_and_worse_flags():
    clean = check_question("Do you feel safe in the hostel?").score
    warning = check_question("Do you often feel safe in the hostel?").score
    problem = check_question("Do you feel safe and happy in the hostel?").score
    assert clean == 100
    assert clean > warning > problem


def test_score_caps_the_points_one_code_can_take():
    from surveys.checks.score import clarity_score

    def flag(code, severity):
        return Flag(code, severity, None, None, "m", None, "w", "s")

    figures = {"words": 6, "rare_word_share": 0.0}
    assert check_question("Did you see your key worker?").score == 93  # jargon, 7 points
    assert clarity_score([flag("jargon", "warning")] * 4, figures) == 86  # capped at two flags' worth
    assert clarity_score([flag("blaming", "problem")] * 3, figures) == 70
    assert clarity_score([flag("passive-voice", "info")], figures) == 98
    assert clarity_score([flag("leading", "problem")] * 2 + [flag("jargon", "warning")] * 2 + [flag("absolute", "warning")] * 2 + [flag("acronym", "warning")] * 2 + [flag("blaming", "problem")] * 2, figures) == 0


def test_score_takes_points_for_length_rare_words_long_words_and_depth():
    from surveys.checks.score import clarity_score, score_parts

    assert clarity_score([], {"words": 6, "rare_word_share": 0.0}) == 100
    assert clarity_score([], {"words": 15, "rare_word_share": 0.0}) == 98  # 0.2 a word over 6
    assert clarity_score([], {"words": 21, "rare_word_share": 0.0}) == 95  # and 0.3 more a word over 15
    assert clarity_score([], {"words": 60, "rare_word_share": 0.0}) == 90  # at most 10
    assert clarity_score([], {"words": 6, "rare_word_share": 0.2}) == 96
    assert clarity_score([], {"words": 6, "rare_word_share": 0.9}) == 94  # at most 6
    assert clarity_score([], {"words": 6, "syllables_per_word": 1.6}) == 98  # 5 a syllable over 1.2
    assert clarity_score([], {"words": 6, "parse_depth": 7}) == 98  # 0.5 a level over 4
    assert score_parts([], {"words": 11, "rare_word_share": 0.1, "syllables_per_word": 1.3, "parse_depth": 5}) == {
        "flags": 0.0, "plainness": 4.0, "specificity": 0.0, "score": 96.0,
    }


def test_score_gives_points_back_for_specificity():
    from surveys.checks.score import clarity_score

    figures = {"words": 16, "rare_word_share": 0.0}
    assert clarity_score([], figures) == 98
    assert clarity_score([], figures, ["time_frame"]) == 100  # 3 back, kept at most 100
    assert clarity_score([], {"words": 30}) == 91  # 9.3 points for length
    assert clarity_score([], {"words": 30}, ["time_frame"]) == 94
    assert clarity_score([], {"words": 30}, ["complete_options"]) == 93
    assert clarity_score([], {"words": 30}, ["opt_out"]) == 95
    assert clarity_score([], {"words": 30}, ["time_frame", "complete_options", "opt_out"]) == 100


def test_a_time_frame_options_and_an_opt_out_raise_the_score():
    vague = check_question("How many times have you used a food bank?").score
    timed = check_question("In the last 4 weeks, how many times have you used a food bank?").score
    assert timed > vague
    bare = check_question("Have you ever been in prison?").score
    kind = check_question("Have you ever been in prison? You can skip this one.").score
    assert kind > bare
    text = "Thinking about last week, on how many nights did you sleep outside in a doorway, a tent or a car?"
    plain = check_question(text, ["None", "A few", "Some", "Most"]).score
    full = check_question(text, ["0", "1-2", "3-5", "6-7"]).score
    assert full > plain


def test_the_issues_example_a_kind_specific_question_beats_a_label():
    specific = check_question("Have you ever been convicted of a crime? You can skip this one.")
    label = check_question("Are you an ex-offender?")
    assert specific.score > label.score


def _specific(text: str, options=None) -> list[str]:
    from surveys.checks import specificity
    from surveys.checks.context import Question

    checker = get_checker()
    return specificity.found(Question(text, tuple(options or ()), checker.nlp(text), checker.rules))


@pytest.mark.parametrize(
    "text",
    [
        "Did you vote in the May 2024 general election?",
        "Since January have you looked for work?",
        "In the last 4 weeks, were you looking for work?",
        "Did you use the food bank in 2023?",
        "Have you been to A&E in the last month?",
    ],
)
def test_a_set_period_on_a_question_about_what_someone_did_counts_as_a_time_frame(text):
    assert "time_frame" in _specific(text)


@pytest.mark.parametrize(
    "text",
    [
        "Did you vote in the last election?",  # which election? not a period anyone can count in
        "Have you ever been in prison?",  # open-ended: "ever"
        "Have you felt safe in the last week?",  # a feeling, not something done
        "Did you use the food bank recently?",
        "Have you looked for work since you moved?",  # "since" an event: open-ended
    ],
)
def test_open_ended_or_vague_times_and_feelings_get_no_time_frame_points(text):
    assert "time_frame" not in _specific(text)


def test_a_named_election_scores_above_the_last_election():
    assert check_question("Did you vote in the May 2024 general election?").score > check_question(
        "Did you vote in the last election?"
    ).score


def test_a_calendar_date_is_a_time_frame_but_may_the_verb_is_not():
    from surveys.checks.timeframe import has_time_frame

    assert has_time_frame("How often did you use the food bank in 2023?")
    assert has_time_frame("How many times have you moved since March?")
    assert has_time_frame("How many nights did you sleep outside in May 2024?")
    assert not has_time_frame("How often do you visit? You may skip this one.")
    assert codes(check_question("How often did you use the food bank in 2023?")) == []
    assert "missing-time-frame" in codes(check_question("How often did you use the food bank?"))


@pytest.mark.parametrize(
    "text",
    [
        "Are you a gun person?",
        "Would you say you are a dog person?",
        "Are you a cat or a dog person?",
        "Are you a drinker?",
        "Are you a heavy smoker?",
        "Were you a gambler?",
    ],
)
def test_asking_people_to_put_a_label_on_themselves_takes_points_off(text):
    from surveys.checks.score import SELF_LABEL_POINTS, score_parts

    assert "self_label" in _specific(text)
    assert score_parts([], {"words": 5}, ["self_label"])["specificity"] == SELF_LABEL_POINTS == -4.0


@pytest.mark.parametrize(
    "text",
    [
        "Are you a religious person?",  # describes, as the World Values Survey asks it
        "Are you a student?",
        "Is your partner a smoker?",
        "Do you drink alcohol?",
        "Are you the type of person who asks for help?",
        "Do you currently own a gun?",
    ],
)
def test_facts_and_descriptions_are_not_label_questions(text):
    assert "self_label" not in _specific(text)


def test_a_question_about_what_people_do_scores_above_a_label():
    assert check_question("Do you currently own a gun?").score > check_question("Are you a gun person?").score
    assert check_question("Do you smoke at the moment?").score > check_question("Are you a smoker?").score


def test_label_words_are_found_without_the_language_model_and_the_noun_person_form_needs_it():
    from surveys.checks import specificity
    from surveys.checks.context import Question

    rules = get_checker().rules
    assert specificity.asks_for_a_label(Question("Are you a drinker?", (), None, rules))
    assert not specificity.asks_for_a_label(Question("Are you a gun person?", (), None, rules))


def test_two_flag_free_wordings_are_told_apart_by_plainness():
    plain = check_question("Did the staff help you?")
    wordy = check_question("Did the members of staff at the centre give you the help that you were looking for?")
    assert plain.flags == [] and wordy.flags == []
    assert plain.score > wordy.score


def _pairs() -> list[tuple[dict, dict]]:
    rows = [json.loads(line) for line in LABELLED.read_text().splitlines()]
    by_pair: dict[str, dict[str, dict]] = {}
    for row in rows:
        if "pair" in row:
            by_pair.setdefault(row["pair"], {})[row["role"]] = row
    return [(p["original"], p["rewording"]) for p in by_pair.values()]


def test_the_labelled_set_has_pairs_of_an_original_and_a_rewording():
    assert len(_pairs()) >= 15


@pytest.mark.parametrize("original,rewording", _pairs(), ids=lambda row: row["text"][:40])
def test_score_ranks_the_better_rewording_above_the_original(original, rewording):
    before = check_question(original["text"], original.get("options"))
    after = check_question(rewording["text"], rewording.get("options"))
    assert after.score > before.score


# ---- survey reading age ----------------------------------------------------------------------------


def test_survey_reading_age_needs_100_words():
    result = survey_reading_age(["Do you have a GP?", "Where did you sleep last night?"])
    assert result["reading_age"] is None
    assert result["indicative"] is True
    assert result["words"] == 11
    assert "100 words" in result["note"]


def test_survey_reading_age_is_grade_plus_five_over_the_whole_survey():
    import textstat

    texts = [json.loads(line)["text"] for line in LABELLED.read_text().splitlines()][:40]
    result = survey_reading_age(texts)
    assert result["words"] >= 100
    assert result["indicative"] is True
    assert result["reading_age"] == pytest.approx(result["grade"] + 5)
    joined = " ".join(t if t.rstrip()[-1] in ".?!" else t + "." for t in texts)
    assert result["grade"] == pytest.approx(textstat.flesch_kincaid_grade(joined), abs=0.05)
    assert "rough guide" in result["note"]


def test_survey_reading_age_of_nothing():
    assert survey_reading_age([]) == {
        "reading_age": None,
        "grade": None,
        "words": 0,
        "indicative": True,
        "note": "There are no words to measure yet.",
    }


# ---- word lists as data -----------------------------------------------------------------------------


def test_the_shipped_word_lists_load_and_every_label_has_an_alternative_and_a_source():
    rules = load_rules()
    assert rules.stigmatising and rules.jargon and rules.plain_words and rules.topics
    for term in rules.stigmatising + rules.jargon:
        assert term.alternative and term.source
    assert {"GP", "NHS", "A&E", "TV", "UK"} <= rules.well_known_acronyms
    assert {"MARAC", "CMHT", "IAPT", "OST", "MAPPA", "MDT"} <= set(rules.unfamiliar_acronyms)


def _broken_rules(tmp_path: Path, file: str, old: str, new: str) -> Path:
    folder = tmp_path / "rules"
    shutil.copytree(RULES_DIR, folder)
    path = folder / file
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    return folder


@pytest.mark.parametrize(
    "file,old,new,message",
    [
        ("stigmatising.toml", 'source = "NSWP (Global Network of Sex Work Projects)"\n', "",
         r"stigmatising\.toml, entry \d+ \('prostitute'\) has no source"),
        ("stigmatising.toml", 'alternative = "older people"', 'alternative = ""',
         r"\('the elderly'\) has no alternative"),
        ("jargon.toml", 'match = ["holistic"]', 'match = ["holistic", "key worker"]',
         r"jargon\.toml lists 'key worker' twice"),
        ("plain_words.toml", 'obtain = "get"', 'obtain = "get"\n"in order to" = "so as to"',
         r"not valid TOML"),
        ("vague.toml", 'match = ["always"]', 'match = ["always", "key worker"]',
         r"'key worker' is in both the jargon list and the absolute list"),
        ("acronyms.toml", '"GP", "GPs"', '"GP", "GP"', r"well_known lists 'GP' twice"),
        ("design.toml", '"easy or difficult", "easy or hard"', '"easy or difficult", "easy or difficult"',
         r"fixed_pairs\] pairs lists 'easy or difficult' twice"),
    ],
)
def test_broken_word_lists_fail_loudly_with_a_plain_reason(tmp_path, file, old, new, message):
    folder = _broken_rules(tmp_path, file, old, new)
    with pytest.raises(RulesError, match=message):
        load_rules(folder)


def test_a_missing_word_list_is_named(tmp_path):
    folder = tmp_path / "rules"
    shutil.copytree(RULES_DIR, folder)
    (folder / "jargon.toml").unlink()
    with pytest.raises(RulesError, match="jargon.toml is missing"):
        load_rules(folder)


# ---- group terms and dismissals --------------------------------------------------------------------


def test_a_groups_own_jargon_is_flagged_with_its_alternative():
    terms = GroupTerms(extra_jargon={"drop-in": "day centre"})
    report = get_checker(terms).check("Did you go to the drop-in last week?")
    flag = report.flags[0]
    assert (flag.code, flag.quoted, flag.suggestion, flag.source) == (
        "jargon", "drop-in", "day centre", "Group's own list"
    )


def test_a_groups_own_label_wins_over_the_default_list():
    terms = GroupTerms(extra_stigmatising={"key worker": "the worker you chose"})
    report = get_checker(terms).check("How often each week do you see your key worker?")
    assert [(f.code, f.quoted, f.suggestion) for f in report.flags] == [
        ("stigmatising", "key worker", "the worker you chose")
    ]


def test_accepted_terms_are_never_flagged():
    text = "Are you in touch with the CMHT or your key worker?"
    assert {"acronym", "jargon"} <= set(codes(check_question(text)))
    terms = GroupTerms(accepted=frozenset({"CMHT", "Key Worker"}))
    assert codes(get_checker(terms).check(text)) == []


def test_a_dismissed_flag_moves_aside_and_the_score_goes_up():
    text = "How often each week do you see your key worker?"
    checker = get_checker()
    before = checker.check(text)
    after = checker.check(text, dismissed={("jargon", "key worker")})
    assert after.flags == []
    assert [f.code for f in after.dismissed_flags] == ["jargon"]
    assert after.score > before.score
    # A dismissal is for those words only.
    other = checker.check("Did your key worker call?", dismissed={("jargon", "care coordinator")})
    assert codes(other) == ["jargon"]


def test_dismissals_in_group_terms_work_like_the_argument():
    terms = GroupTerms(dismissed=frozenset({("long-question", "")}))
    text = " ".join(["word"] * 30) + "?"
    assert "long-question" in codes(check_question(text))
    assert "long-question" not in codes(get_checker(terms).check(text))


def test_group_terms_are_hashable_and_compare_by_value():
    a = GroupTerms({"x": "y"}, {}, {"z"}, {("jargon", "x")})
    b = GroupTerms(extra_jargon={"x": "y"}, accepted=frozenset({"z"}), dismissed={("jargon", "x")})
    assert a == b and hash(a) == hash(b)
    assert a != GroupTerms()


# ---- no model, no network -------------------------------------------------------------------------


def test_without_the_language_model_word_checks_still_run_and_grammar_checks_say_they_are_off(monkeypatch):
    def missing(name, components=None):
        raise ImportError(f"No module named {name!r}")

    monkeypatch.setattr(shared_nlp, "_PIPELINES", {})
    monkeypatch.setattr(shared_nlp, "load_model", missing)
    checker = Checker()
    assert checker.nlp is None and checker.model_name is None
    assert checker.disabled_checks == PARSER_CODES
    assert checker.disabled_reason == (
        "Grammar checks are off because the English language model is not installed: "
        "passive-voice, double-barrelled, negative-wording, complex-syntax."
    )
    report = checker.check("Have you been discussed at a MARAC with your key worker and the addicts?")
    assert codes(report) == ["acronym", "jargon", "stigmatising"]
    reports = checker.check_many([("Do you drink alcohol and use drugs?", ["Yes", "No"])])
    assert codes(reports[0]) == ["missing-opt-out"]


def test_the_model_package_is_loaded_without_the_unused_components():
    checker = get_checker()
    assert checker.model_name in model_module.MODEL_NAMES
    assert "ner" not in checker.nlp.pipe_names
    assert {"tagger", "parser"} <= set(checker.nlp.pipe_names)


def test_every_check_runs_with_sockets_blocked(monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("network access is blocked in this test")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(shared_nlp, "_PIPELINES", {})  # load the model again, offline
    checker = Checker()
    assert checker.nlp is not None
    seen = set()
    for check in CODES.values():
        for example in check.examples_flag:
            seen.update(codes(checker.check(example.text, example.options)))
    assert seen == set(CODES)


# ---- messages are plain and hedged ---------------------------------------------------------------


def _our_words(text: str) -> str:
    """Return TEXT without the quoted words (those are the question's words, not ours)."""
    return re.sub(r'"[^"]*"', "this", text)


def _all_messages() -> list[str]:
    checker = get_checker()
    messages = set()
    for check in CODES.values():
        for example in check.examples_flag:
            for flag in checker.check(example.text, example.options).flags:
                messages.add(flag.message)
    return sorted(messages)


@pytest.mark.parametrize("message", _all_messages())
def test_every_message_hedges_and_passes_the_checker(message):
    assert "may" in message or "Consider" in message
    report = check_question(_our_words(message))
    assert report.problem_count == 0, [f.message for f in report.flags]
    assert not {"hard-to-read", "jargon", "long-sentence"} & set(codes(report))


@pytest.mark.parametrize("code", sorted(CODES))
def test_every_why_and_description_passes_the_checker(code):
    check = CODES[code]
    for text in (check.why, check.catches):
        report = check_question(_our_words(text))
        assert report.problem_count == 0, (text, [f.message for f in report.flags])


def test_messages_quote_the_words_they_are_about():
    checker = get_checker()
    for check in CODES.values():
        for example in check.examples_flag:
            for flag in checker.check(example.text, example.options).flags:
                if flag.start is not None or flag.code in ("overlapping-options", "gap-in-options", "unbalanced-scale", "missing-opt-out"):
                    assert '"' in flag.message, flag.message


# ---- docs and layering ---------------------------------------------------------------------------


def test_every_code_is_documented_with_example_better_wording_and_source():
    docs = (ROOT / "docs" / "checks.md").read_text()
    sections = re.split(r"^#### ", docs, flags=re.M)
    documented = {}
    for section in sections[1:]:
        heading = section.splitlines()[0].strip()
        match = re.fullmatch(r"`([a-z-]+)`.*", heading)
        if match:
            documented[match.group(1)] = section
    assert set(documented) == set(CODES)
    for code, section in documented.items():
        check = CODES[code]
        for label in ("What it catches:", "Why it matters:", "Example:", "Better:", "Source:", "Severity:"):
            assert label in section, (code, label)
        assert check.example in section and check.better in section, code
        assert check.catches in section and check.why in section and check.source in section, code


def test_the_docs_match_the_registry():
    from surveys.checks.docs import MARKER, codes_markdown

    docs = (ROOT / "docs" / "checks.md").read_text()
    assert MARKER in docs
    assert docs.split(MARKER, 1)[1].strip() == codes_markdown().strip(), (
        "docs/checks.md is out of date: run python -m surveys.checks.docs"
    )


def test_the_checker_does_not_import_streamlit():
    code = "import sys, surveys.checks, surveys.cli.check; assert 'streamlit' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


def test_a_text_too_long_to_parse_still_gets_the_word_checks(monkeypatch):
    from surveys.checks import checker as checker_module

    monkeypatch.setattr(checker_module, "MAX_PARSE_CHARS", 40)
    text = "Do you drink alcohol and use drugs with your key worker?"
    report = Checker().check(text)
    assert codes(report) == ["jargon"]  # double-barrelled needs the parse, which was skipped
    short = Checker().check("Do you drink alcohol and use drugs?")
    assert codes(short) == ["double-barrelled"]


# ---- lone surrogates (issue 11) -----------------------------------------------------------------------


def test_lone_surrogates_are_replaced_so_offsets_stay_the_same():
    text = "Do you \ud800 drink alcohol and use drugs?"
    report = check_question(text, ["Yes", "No\udfff"])
    assert report.text == "Do you \ufffd drink alcohol and use drugs?"
    assert report.options == ["Yes", "No\ufffd"]
    assert len(report.text) == len(text)
    flag = next(f for f in report.flags if f.code == "double-barrelled")
    assert report.text[flag.start : flag.end] == flag.quoted == "drink alcohol and use drugs"
    json.dumps(report.to_dict(), ensure_ascii=False).encode("utf-8")  # writable as UTF-8


def test_a_question_of_surrogates_only_is_checked_without_error():
    report = check_question("\ud800\udc00\udbff")
    assert report.text == "\ufffd\ufffd\ufffd"
    assert report.flags == []
