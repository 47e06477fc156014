"""The table of examples: every code's must-flag and must-pass examples, the quality bar from the
issue, and the labelled set of questions."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from surveys.checks import CODES, TITLES, check_question, title_for

LABELLED = Path(__file__).resolve().parent / "data" / "labelled_questions.jsonl"
MIN_EXAMPLES = 3


def _cases(kind: str) -> list[tuple[str, str, tuple[str, ...] | None]]:
    cases = []
    for code, check in CODES.items():
        examples = check.examples_flag if kind == "flag" else check.examples_pass
        cases.extend((code, e.text, e.options) for e in examples)
    return cases


def _id(case) -> str:
    code, text, options = case if isinstance(case, tuple) else (case, "", None)
    return f"{code}: {text[:50]}" + (" [options]" if options else "")


def test_every_code_has_at_least_three_examples_of_each_kind():
    short = {
        code: (len(check.examples_flag), len(check.examples_pass))
        for code, check in CODES.items()
        if len(check.examples_flag) < MIN_EXAMPLES or len(check.examples_pass) < MIN_EXAMPLES
    }
    assert short == {}, f"codes without enough examples (flag, pass): {short}"


# ---- plain-words titles ------------------------------------------------------------------------

# Checks whose title names the very words they look for ("Words like always or never").
_TITLE_NAMES_ITS_WORDS = {"absolute", "vague-quantifier"}


def test_every_code_has_a_plain_title_and_no_two_share_one():
    assert set(TITLES) == set(CODES)
    assert all(TITLES[code] == check.title == title_for(code) for code, check in CODES.items())
    folded = [t.casefold() for t in TITLES.values()]
    assert len(set(folded)) == len(folded)


@pytest.mark.parametrize("code", list(CODES))
def test_titles_are_short_plain_words_the_checker_itself_passes(code):
    from surveys.checks.metrics import word_info, words

    title = title_for(code)
    assert title[:1].isupper() and not title.endswith(".")
    assert "-" not in title and code not in title
    assert len(title.split()) <= 7, title
    # No long, uncommon words: three or more syllables only for words most people use a lot.
    hard = [w.lower for w in words(title) if word_info(w.lower).syllables >= 3 and word_info(w.lower).zipf < 4.5]
    assert hard == [], title
    report = check_question(title)
    allowed = {code} if code in _TITLE_NAMES_ITS_WORDS else set()
    assert {f.code for f in report.flags} - allowed - {"missing-time-frame"} == set(), [f.message for f in report.flags]


def test_title_for_an_unknown_code_gives_its_words():
    assert title_for("double-barrelled") == "Asks two things at once"
    assert title_for("leading") == "Pushes people towards an answer"
    assert title_for("an-old-code") == "An old code"


@pytest.mark.parametrize("case", _cases("flag"), ids=_id)
def test_must_flag(case):
    code, text, options = case
    report = check_question(text, options)
    assert code in [f.code for f in report.flags]


@pytest.mark.parametrize("case", _cases("pass"), ids=_id)
def test_must_pass(case):
    code, text, options = case
    report = check_question(text, options)
    assert code not in [f.code for f in report.flags], [f.message for f in report.flags if f.code == code]


# ---- the quality bar from the issue ---------------------------------------------------------


def test_a_plain_question_has_no_warnings_or_problems():
    report = check_question("How many days in the last week did you sleep outside?")
    assert [f for f in report.flags if f.severity != "info"] == []


@pytest.mark.parametrize(
    "pair",
    ["friends or family", "doctor or nurse", "partner or ex-partner", "easy or difficult", "yes or no",
     "more or less", "friends and family", "mum and dad", "drugs and alcohol"],
)
def test_fixed_pairs_and_balanced_phrases_are_not_double_barrelled(pair):
    for text in (f"Did you talk to {pair} about it?", f"Was it {pair} for you?"):
        assert "double-barrelled" not in [f.code for f in check_question(text).flags], text


@pytest.mark.parametrize(
    "text",
    ["How would you rate the food?", "How would you describe your health?", "Would you like a copy of the results?",
     "Would you recommend the drop-in to a friend?", "Would you be willing to take part in a group?"],
)
def test_ratings_and_requests_with_would_are_not_hypothetical(text):
    assert "hypothetical" not in [f.code for f in check_question(text).flags]


@pytest.mark.parametrize(
    "text",
    ["Have you ever been homeless?", "Do you use drugs?", "How long have you been homeless?",
     "Did you go to the homeless hostel?", "Do you drink alcohol?", "Have you been to the homeless team?"],
)
def test_domain_words_alone_are_not_stigmatising(text):
    assert "stigmatising" not in [f.code for f in check_question(text).flags]


@pytest.mark.parametrize(
    "text,quoted,alternative",
    [
        ("Should the council do more for the homeless?", "the homeless", "people who are homeless"),
        ("How many addicts use the hostel?", "addicts", "person who uses drugs"),
        ("Are you an alcoholic?", "an alcoholic", "someone with an alcohol problem"),
        ("Do service users get a say?", "service users", "people who use the service"),
        ("Do homeless people get enough help?", "homeless people", "people who are homeless"),
    ],
)
def test_labelling_constructions_are_stigmatising_with_person_first_words(text, quoted, alternative):
    flags = [f for f in check_question(text).flags if f.code == "stigmatising"]
    assert [f.quoted for f in flags] == [quoted]
    assert f'"{alternative}"' in flags[0].message


@pytest.mark.parametrize("acronym", ["GP", "NHS", "A&E", "TV", "UK"])
def test_well_known_acronyms_pass(acronym):
    assert "acronym" not in [f.code for f in check_question(f"Have you used the {acronym} this year?").flags]


@pytest.mark.parametrize("acronym", ["MARAC", "CMHT", "IAPT", "OST", "MAPPA", "MDT"])
def test_service_acronyms_are_flagged(acronym):
    flags = [f for f in check_question(f"Have you been in touch with the {acronym} this year?").flags if f.code == "acronym"]
    assert [f.quoted for f in flags] == [acronym]


def test_how_many_days_is_not_vague_but_often_is():
    assert "vague-quantifier" not in [f.code for f in check_question("How many days did you eat a hot meal?").flags]
    assert "vague-quantifier" not in [f.code for f in check_question("How often do you eat a hot meal?").flags]
    assert "vague-quantifier" in [f.code for f in check_question("Do you often eat a hot meal?").flags]


# ---- the labelled set ------------------------------------------------------------------------


def _labelled() -> list[dict]:
    return [json.loads(line) for line in LABELLED.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_the_labelled_set_is_well_formed_and_big_enough():
    rows = _labelled()
    assert len(rows) >= 150
    for row in rows:
        assert set(row) <= {"text", "options", "codes", "pair", "role", "batch"}, row
        assert row.get("batch", "held-out") == "held-out"
        assert isinstance(row["text"], str) and row["text"].strip()
        assert all(code in CODES for code in row["codes"]), row
        assert row["codes"] == sorted(set(row["codes"]))
        if "options" in row:
            assert isinstance(row["options"], list) and all(isinstance(o, str) for o in row["options"])
        if "pair" in row:
            assert row["role"] in ("original", "rewording")
    keys = Counter((r["text"], tuple(r.get("options") or ())) for r in rows)
    assert [k for k, n in keys.items() if n > 1] == []
    good = [r for r in rows if not r["codes"]]
    assert len(good) >= 50, "the set needs plenty of good questions, to measure false alarms"


def test_every_code_appears_in_the_labelled_set():
    counts = Counter(code for row in _labelled() for code in row["codes"])
    assert {code for code in CODES if counts[code] < 3} == set()


def test_precision_and_recall_on_the_labelled_set_are_at_least_0_9():
    from surveys.checks import check_survey

    rows = _labelled()
    reports = check_survey([(r["text"], r.get("options")) for r in rows])
    true_pos = false_pos = false_neg = 0
    for row, report in zip(rows, reports):
        found = {f.code for f in report.flags}
        expected = set(row["codes"])
        true_pos += len(found & expected)
        false_pos += len(found - expected)
        false_neg += len(expected - found)
    precision = true_pos / (true_pos + false_pos)
    recall = true_pos / (true_pos + false_neg)
    assert precision >= 0.9 and recall >= 0.9, (precision, recall)


# ---- other people's questions (issue 15) ---------------------------------------------------------

EXTERNAL = Path(__file__).resolve().parent / "data" / "external_questions.jsonl"


def _external() -> list[dict]:
    return [json.loads(line) for line in EXTERNAL.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_the_set_of_other_peoples_questions_is_well_formed_and_kept_apart():
    rows = _external()
    # Issue 15: at least 200 questions and 50 rewrites, each with its source.
    assert len(rows) >= 200
    own = {r["text"] for r in _labelled()}
    for row in rows:
        assert set(row) <= {"text", "options", "codes", "source", "split", "pair", "role"}, row
        assert row["text"].strip() and row["source"].strip(), row
        assert row["split"] in ("dev", "held-out", "fresh", "fresh-2")
        assert all(code in CODES for code in row["codes"]), row
        assert row["codes"] == sorted(set(row["codes"]))
        if "pair" in row:
            assert row["role"] in ("original", "rewording")
    keys = Counter((r["text"], tuple(r.get("options") or ())) for r in rows)
    assert [k for k, n in keys.items() if n > 1] == []
    # A separate file of other people's questions: only a standard question or two is in both.
    assert len([r for r in rows if r["text"] in own]) <= 3
    pairs: dict[str, dict[str, dict]] = {}
    for row in rows:
        if "pair" in row:
            pairs.setdefault(row["pair"], {})[row["role"]] = row
    assert len(pairs) >= 50 and all(set(p) == {"original", "rewording"} for p in pairs.values())
    # A pair is never split across the slices, so each slice is whole.
    assert all(p["original"]["split"] == p["rewording"]["split"] for p in pairs.values())
    assert {r["split"] for r in rows} == {"dev", "held-out", "fresh", "fresh-2"}


def test_on_other_peoples_questions_how_was_the_help_and_satisfied_or_dissatisfied_pass():
    for text in ("How was the help you got?", "How satisfied or dissatisfied are you with the hostel?"):
        assert "leading" not in [f.code for f in check_question(text).flags], text
