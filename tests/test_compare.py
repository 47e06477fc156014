"""Version against version: statistics against scipy and published values, matching by lineage, empty groups."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from analysis import compare
from analysis.compare import COMPARE_COLUMNS, compare_versions, newcombe_interval, rate_test, wilson_interval
from surveys.storage import core as store
from tests.test_quality import add_interview


def two_versions(db):
    """Version 1 and 2 of a survey with the same two questions (lineage shared) and one new in v2."""
    survey_id = store.create_survey(db, "Compare survey")
    v1 = store.create_version(db, survey_id, "Before")
    store.add_question(db, v1, name="mood", type="single_choice", wording="What is your mood?",
                       options=["Good", "Bad"], topic="You")
    store.add_question(db, v1, name="story", type="long_text", wording="Tell us more.", topic="You")
    store.set_version_status(db, v1, "published")
    v2 = store.create_version(db, survey_id, "After", based_on_id=v1)
    store.update_question(db, store.questions_for_version(db, v2)[0]["id"], {"wording": "How do you feel today?"})
    store.add_question(db, v2, name="extra", type="yes_no", wording="Do you want more help?", options=["Yes", "No"])
    store.set_version_status(db, v2, "published")
    return survey_id, v1, v2


def fill(db, version_id, *, answered, skipped, stories):
    """Add interviews: ANSWERED mood answers then SKIPPED mood skips; story answers from STORIES."""
    questions = {q["name"]: q for q in store.questions_for_version(db, version_id)}
    total = answered + skipped
    for i in range(total):
        answers = [("mood", "Good", None, 0, 0, 0) if i < answered else ("mood", None, "skipped", 0, 0, 0)]
        if i < len(stories):
            answers.append(("story", stories[i], None, 0, 0, 0))
        add_interview(db, version_id, questions, None, f"2025-01-{1 + i % 28:02d}T10:00:00+00:00", answers=answers)


def test_wilson_interval_matches_scipy():
    for k, n in ((30, 40), (0, 12), (12, 12), (3, 250)):
        low, high = wilson_interval(k, n)
        expected = stats.binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
        assert (low, high) == (pytest.approx(expected.low, abs=1e-9), pytest.approx(expected.high, abs=1e-9))


def test_newcombe_interval_matches_the_published_example():
    # Newcombe (1998), Statistics in Medicine 17:873-890, Table II: 56/70 against 48/80,
    # hybrid score interval (method 10) 0.0524 to 0.3339 for the difference 0.2.
    low, high = newcombe_interval(48, 80, 56, 70)
    assert (round(low, 4), round(high, 4)) == (0.0524, 0.3339)
    assert all(math.isnan(v) for v in newcombe_interval(0, 0, 5, 10))


def test_rate_test_uses_chi_square_or_fisher_like_scipy():
    p_value, test = rate_test(30, 40, 45, 50)
    assert test == "chi-square"
    assert p_value == pytest.approx(stats.chi2_contingency([[30, 10], [45, 5]], correction=True).pvalue)
    p_value, test = rate_test(2, 10, 7, 10)
    assert test == "Fisher's exact"
    assert p_value == pytest.approx(stats.fisher_exact([[2, 8], [7, 3]]).pvalue)
    assert rate_test(0, 10, 0, 12) == (1.0, "none needed")
    p_value, test = rate_test(0, 0, 3, 10)
    assert math.isnan(p_value) and test == ""


def test_words_test_matches_mann_whitney():
    a, b = np.array([1, 1, 2, 3, 1]), np.array([5, 8, 2, 9, 12, 4])
    diff, p_value = compare.words_test(a, b)
    assert diff == float(np.median(b) - np.median(a))
    assert p_value == pytest.approx(stats.mannwhitneyu(a, b, alternative="two-sided").pvalue)
    assert all(math.isnan(v) for v in compare.words_test(np.array([]), b))


def test_compare_versions_matches_by_lineage_with_scipy_figures(db):
    _survey, v1, v2 = two_versions(db)
    stories_a = ["ok", "fine", "not sure", "it was alright i guess"]
    stories_b = ["the staff listened to me and helped", "they found me a room fast", "ok",
                 "my worker came with me to every meeting", "good"]
    fill(db, v1, answered=30, skipped=10, stories=stories_a)
    fill(db, v2, answered=45, skipped=5, stories=stories_b)
    frame = compare_versions(db, v1, v2, with_scores=False)
    assert list(frame.columns) == list(COMPARE_COLUMNS)
    mood = frame.set_index("name").loc["mood"]
    assert (mood["wording_a"], mood["wording_b"]) == ("What is your mood?", "How do you feel today?")
    assert (mood["answered_rate_a"], mood["answered_rate_b"]) == (0.75, 0.9)
    assert mood["answered_rate_diff"] == pytest.approx(0.15)
    assert mood["answered_rate_p"] == pytest.approx(stats.chi2_contingency([[30, 10], [45, 5]]).pvalue)
    assert mood["answered_rate_test"] == "chi-square"
    low, high = newcombe_interval(30, 40, 45, 50)
    assert (mood["answered_rate_ci_low"], mood["answered_rate_ci_high"]) == (pytest.approx(low), pytest.approx(high))
    assert mood["quality_diff"] == pytest.approx(100 * (0.9 - 0.75) / 3)
    story = frame.set_index("name").loc["story"]
    words_a = np.array([1, 1, 2, 5])
    words_b = np.array([7, 6, 1, 8, 1])
    assert story["median_words_diff"] == float(np.median(words_b) - np.median(words_a))
    assert story["median_words_p"] == pytest.approx(stats.mannwhitneyu(words_a, words_b).pvalue)
    # Question only in version 2 comes last, with version A empty.
    assert frame.iloc[-1]["name"] == "extra" and math.isnan(frame.iloc[-1]["quality_a"])


def test_sorted_biggest_improvement_first_and_worse_flagged(db):
    _survey, v1, v2 = two_versions(db)
    fill(db, v1, answered=10, skipped=10, stories=["the staff were kind to me"] * 20)
    fill(db, v2, answered=20, skipped=0, stories=["ok"] * 20)
    frame = compare_versions(db, v1, v2, with_scores=False)
    matched = frame[frame["quality_diff"].notna()]
    assert matched["quality_diff"].tolist() == sorted(matched["quality_diff"].tolist(), reverse=True)
    rows = frame.set_index("name")
    assert not rows.loc["mood", "got_worse"] and rows.loc["mood", "quality_diff"] > 0
    assert rows.loc["story", "got_worse"]
    assert "Very short answers" in rows.loc["story", "worse_measures"]
    assert "Skipped" in rows.loc["mood", "better_measures"]


def test_version_without_interviews_gives_an_empty_frame_with_the_columns(db):
    _survey, v1, v2 = two_versions(db)
    fill(db, v1, answered=3, skipped=1, stories=["fine"])
    frame = compare_versions(db, v1, v2, with_scores=False)
    assert frame.empty and list(frame.columns) == list(COMPARE_COLUMNS)
    # A filter that leaves nobody is empty too, not a division by zero.
    fill(db, v2, answered=3, skipped=0, stories=[])
    assert compare_versions(db, v1, v2, interviewer_id="nobody", with_scores=False).empty


def test_comparing_a_version_with_itself_or_a_missing_one_is_refused(db):
    _survey, v1, _v2 = two_versions(db)
    with pytest.raises(ValueError, match="two different versions"):
        compare_versions(db, v1, v1)
    with pytest.raises(store.NotFound):
        compare_versions(db, v1, "no-such-version")


def test_checker_scores_each_wording(db):
    from surveys.checks import get_checker

    _survey, v1, v2 = two_versions(db)
    fill(db, v1, answered=3, skipped=1, stories=["fine"])
    fill(db, v2, answered=3, skipped=0, stories=["fine"])
    frame = compare_versions(db, v1, v2).set_index("name")
    checker = get_checker()
    assert frame.loc["mood", "score_a"] == checker.check("What is your mood?", ["Good", "Bad"]).score
    assert frame.loc["mood", "score_b"] == checker.check("How do you feel today?", ["Good", "Bad"]).score


def test_compare_long_lists_every_measure(db):
    _survey, v1, v2 = two_versions(db)
    fill(db, v1, answered=30, skipped=10, stories=[])
    fill(db, v2, answered=45, skipped=5, stories=[])
    frame = compare_versions(db, v1, v2, with_scores=False)
    lineage = frame.set_index("name").loc["mood", "lineage_id"]
    detail = compare.compare_long(frame, lineage).set_index("measure")
    assert detail.loc["Answered", "a"] == 0.75 and detail.loc["Answered", "b"] == 0.9
    assert len(detail) == 1 + len(compare.RATE_MEASURES) + 1


def test_score_quality_correlation_is_spearman(db):
    import pandas as pd

    frame = pd.DataFrame({"score": [50, 60, 70, 80, 90], "quality_index": [55, 50, 75, 80, 95]})
    rho, p_value, n = compare.score_quality_correlation(frame)
    expected = stats.spearmanr(frame["score"], frame["quality_index"])
    assert (rho, p_value, n) == (pytest.approx(expected.statistic), pytest.approx(expected.pvalue), 5)
    assert math.isnan(compare.score_quality_correlation(frame.head(2))[0])
