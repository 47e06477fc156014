"""Per-question and per-interview measures on a small hand-built database, worked out by hand.

The survey has five questions: mood (scale), story (long text), yes (yes/no), feel (scale),
calm (scale). Four interviews:

1. Interviewer A, 10 Jan 2025, finished, 600 s: mood Good (needed explaining), story "The council
   lost my forms again" (6 words), yes Yes, feel Happy, calm Calm. All scale answers are the first
   option, three of them: straight-lining.
2. Interviewer A, 20 Jan 2025, finished, 1200 s: mood OK, story "fine" (reworded), yes skipped,
   feel Sad, calm Calm.
3. Interviewer B, 5 Feb 2025, finished, no seconds saved (10:00 to 10:30): mood don't know
   (needed explaining, upsetting), story "ok then", yes No, feel So-so, calm prefer not to say.
4. Interviewer B, 10 Feb 2025, not finished, 120 s: mood Bad, story skipped, then stopped.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from analysis import quality
from analysis.quality import interview_measures, question_measures
from surveys.storage import core as store
from surveys.storage import new_id

SCALE_A = ["Good", "OK", "Bad"]
SCALE_B = ["Happy", "So-so", "Sad"]
SCALE_C = ["Calm", "Bit", "Tense"]


def add_interview(db, version_id, questions, interviewer, started, *, status="submitted", seconds=None,
                  finished=None, answers=(), consent="given"):
    """Insert one interview and its answers: answers are (name, value, opt_out, explained, reworded, upset)."""
    interview_id = new_id()
    store.bulk_insert(db, "interview", [(
        interview_id, version_id, f"R-{interview_id[:6]}", interviewer, consent, status, "one_at_a_time",
        started, finished, seconds, 0, started,
    )])
    rows = []
    for name, value, opt_out, explained, reworded, upset in answers:
        question = questions[name]
        words = store.count_words(value) if question["type"] in ("text", "long_text") else 0
        rows.append((new_id(), interview_id, question["id"], value, opt_out, words, int(explained),
                     int(reworded), int(upset), "", 10.0, started))
    store.bulk_insert(db, "answer", rows)
    return interview_id


def build_survey(db, label="Version 1"):
    survey_id = store.create_survey(db, "Hand survey")
    version_id = store.create_version(db, survey_id, label)
    store.add_question(db, version_id, name="mood", type="scale", wording="How is your mood?", options=SCALE_A,
                       topic="You")
    store.add_question(db, version_id, name="story", type="long_text", wording="Tell us your story.",
                       topic="You")
    store.add_question(db, version_id, name="yes", type="yes_no", wording="Do you agree?",
                       options=["Yes", "No"], topic="Views")
    store.add_question(db, version_id, name="feel", type="scale", wording="How do you feel?", options=SCALE_B,
                       topic="Views")
    store.add_question(db, version_id, name="calm", type="scale", wording="How calm are you?", options=SCALE_C,
                       topic="Views")
    store.add_question(db, version_id, name="bye", type="note", wording="Thank you.", topic="Views")
    store.set_version_status(db, version_id, "published")
    return survey_id, version_id


@pytest.fixture
def hand(db):
    survey_id, version_id = build_survey(db)
    questions = {q["name"]: q for q in store.questions_for_version(db, version_id)}
    a = store.add_person(db, "Interviewer A", "interviewer")
    b = store.add_person(db, "Interviewer B", "interviewer")
    ids = {}
    ids[1] = add_interview(db, version_id, questions, a, "2025-01-10T10:00:00+00:00", seconds=600,
                           finished="2025-01-10T10:10:00+00:00", answers=[
        ("mood", "Good", None, 1, 0, 0), ("story", "The council lost my forms again", None, 0, 0, 0),
        ("yes", "Yes", None, 0, 0, 0), ("feel", "Happy", None, 0, 0, 0), ("calm", "Calm", None, 0, 0, 0)])
    ids[2] = add_interview(db, version_id, questions, a, "2025-01-20T09:00:00+00:00", seconds=1200,
                           finished="2025-01-20T09:20:00+00:00", answers=[
        ("mood", "OK", None, 0, 0, 0), ("story", "fine", None, 0, 1, 0), ("yes", None, "skipped", 0, 0, 0),
        ("feel", "Sad", None, 0, 0, 0), ("calm", "Calm", None, 0, 0, 0)])
    ids[3] = add_interview(db, version_id, questions, b, "2025-02-05T10:00:00+00:00",
                           finished="2025-02-05T10:30:00+00:00", answers=[
        ("mood", None, "dont_know", 1, 0, 1), ("story", "ok then", None, 0, 0, 0), ("yes", "No", None, 0, 0, 0),
        ("feel", "So-so", None, 0, 0, 0), ("calm", None, "prefer_not_to_say", 0, 0, 0)])
    ids[4] = add_interview(db, version_id, questions, b, "2025-02-10T11:00:00+00:00", status="draft",
                           seconds=120, answers=[("mood", "Bad", None, 0, 0, 0), ("story", None, "skipped", 0, 0, 0)])
    return {"db": db, "survey_id": survey_id, "version_id": version_id, "a": a, "b": b, "interviews": ids,
            "questions": questions}


def by_name(frame: pd.DataFrame) -> dict[str, dict]:
    return {row["name"]: row for row in frame.to_dict("records")}


def test_every_measure_per_question_matches_the_hand_count(hand):
    rows = by_name(question_measures(hand["db"], [hand["version_id"]]))
    assert list(rows) == ["mood", "story", "yes", "feel", "calm"], "notes are left out, order is the survey's"
    mood, story, yes, feel, calm = (rows[n] for n in ("mood", "story", "yes", "feel", "calm"))
    assert (mood["asked"], mood["answered_rate"], mood["dont_know_rate"], mood["skipped_rate"]) == (4, 0.75, 0.25, 0)
    assert (mood["explained_rate"], mood["reworded_rate"], mood["upset_rate"]) == (0.5, 0.0, 0.25)
    assert math.isnan(mood["median_words"]) and math.isnan(mood["very_short_share"])
    assert math.isnan(mood["distinct_words"])
    # clear 0.75, explained 0.5, reworded 1 -> 75
    assert mood["quality_index"] == pytest.approx(75.0)

    assert (story["asked"], story["answered_rate"], story["skipped_rate"], story["reworded_rate"]) == (4, .75, .25, .25)
    assert story["median_words"] == 2  # words 6, 1, 2
    assert story["very_short_share"] == pytest.approx(2 / 3)  # "fine" and "ok then"
    assert story["distinct_words"] == 9  # the council lost my forms again fine ok then
    # clear .75, explained 1, reworded .75, depth 2/10, not short 1/3
    assert story["quality_index"] == pytest.approx(100 * (0.75 + 1 + 0.75 + 0.2 + 1 / 3) / 5)

    assert (yes["asked"], yes["answered_rate"], yes["skipped_rate"]) == (3, pytest.approx(2 / 3), pytest.approx(1 / 3))
    assert yes["quality_index"] == pytest.approx(100 * (2 / 3 + 1 + 1) / 3)
    assert (feel["asked"], feel["answered_rate"], feel["quality_index"]) == (3, 1.0, 100.0)
    # Prefer not to say is a respected choice: it does not lower the index.
    assert (calm["asked"], calm["prefer_not_rate"], calm["quality_index"]) == (3, pytest.approx(1 / 3), 100.0)


def test_columns_are_the_documented_ones(hand):
    frame = question_measures(hand["db"], [hand["version_id"]])
    for column in ("name", "version_id", "lineage_id", "position", "wording", "type", "topic", "asked",
                   "answered_rate", "skipped_rate", "dont_know_rate", "prefer_not_rate", "explained_rate",
                   "reworded_rate", "upset_rate", "median_words", "very_short_share", "distinct_words",
                   "quality_index"):
        assert column in frame.columns, column


def test_interviewer_filter_counts_only_their_interviews(hand):
    rows = by_name(question_measures(hand["db"], [hand["version_id"]], interviewer_id=hand["a"]))
    assert (rows["mood"]["asked"], rows["mood"]["explained_rate"], rows["mood"]["answered_rate"]) == (2, 0.5, 1.0)
    assert rows["story"]["median_words"] == 3.5  # 6 and 1
    assert rows["yes"]["skipped_rate"] == 0.5


def test_date_filter_includes_whole_last_day(hand):
    rows = by_name(question_measures(hand["db"], [hand["version_id"]], start="2025-01-11", end="2025-01-20"))
    assert rows["mood"]["asked"] == 1  # only interview 2, which started on the last day
    assert rows["story"]["very_short_share"] == 1.0
    rows = by_name(question_measures(hand["db"], [hand["version_id"]], start="2025-02-01"))
    assert rows["mood"]["asked"] == 2 and rows["mood"]["dont_know_rate"] == 0.5


def test_split_by_month_and_by_interviewer(hand):
    frame = question_measures(hand["db"], [hand["version_id"]], by="month")
    mood = frame[frame["name"] == "mood"].set_index("group")
    assert mood["asked"].to_dict() == {"2025-01": 2, "2025-02": 2}
    assert mood.loc["2025-02", "dont_know_rate"] == 0.5
    frame = question_measures(hand["db"], [hand["version_id"]], by="interviewer")
    story = frame[frame["name"] == "story"].set_index("group")
    assert story.loc[hand["a"], "median_words"] == 3.5
    assert story.loc[hand["b"], "skipped_rate"] == 0.5


def test_version_without_interviews_has_empty_rates_not_errors(hand):
    empty_version = store.create_version(hand["db"], hand["survey_id"], "New", based_on_id=hand["version_id"])
    frame = question_measures(hand["db"], [empty_version])
    assert len(frame) == 5
    assert (frame["asked"] == 0).all()
    assert frame["answered_rate"].isna().all() and frame["quality_index"].isna().all()
    assert interview_measures(hand["db"], [empty_version]).empty
    dropoff = quality.dropoff_by_question(hand["db"], [empty_version])
    assert (dropoff["stopped_here"] == 0).all() and dropoff["stopped_share"].isna().all()


def test_empty_database_gives_empty_frames(db):
    assert question_measures(db).empty
    assert interview_measures(db).empty
    assert quality.interview_summary(interview_measures(db)).empty


def test_interview_length_straight_lining_and_where_unfinished_stopped(hand):
    frame = interview_measures(hand["db"], [hand["version_id"]]).set_index("interview_id")
    ids = hand["interviews"]
    assert frame.loc[[ids[1], ids[2], ids[3], ids[4]], "minutes"].tolist() == [10.0, 20.0, 30.0, 2.0]
    assert frame.loc[[ids[1], ids[2], ids[3], ids[4]], "straight_lining"].tolist() == [True, False, False, False]
    assert frame.loc[[ids[1], ids[2], ids[3], ids[4]], "scale_answers"].tolist() == [3, 3, 1, 1]
    assert frame.loc[ids[4], "last_question"] == "story" and frame.loc[ids[4], "last_position"] == 2
    assert frame.loc[[ids[1], ids[2], ids[3]], "last_position"].isna().all()


def test_dropoff_by_question_and_interview_summary(hand):
    dropoff = quality.dropoff_by_question(hand["db"], [hand["version_id"]]).set_index("name")
    assert dropoff["stopped_here"].to_dict() == {"mood": 0, "story": 1, "yes": 0, "feel": 0, "calm": 0}
    assert dropoff.loc["story", "stopped_share"] == 1.0
    summary = quality.interview_summary(interview_measures(hand["db"], [hand["version_id"]])).iloc[0]
    assert (summary["interviews"], summary["finished"], summary["unfinished"], summary["declined"]) == (4, 3, 1, 0)
    assert summary["median_minutes"] == 15.0  # 2, 10, 20, 30
    assert summary["straight_lining_share"] == 0.25


def test_straight_lining_needs_three_scale_answers(db):
    _survey, version_id = build_survey(db)
    questions = {q["name"]: q for q in store.questions_for_version(db, version_id)}
    two = add_interview(db, version_id, questions, None, "2025-03-01T10:00:00+00:00", answers=[
        ("mood", "Good", None, 0, 0, 0), ("feel", "Happy", None, 0, 0, 0)])
    frame = interview_measures(db, [version_id]).set_index("interview_id")
    assert not bool(frame.loc[two, "straight_lining"])
    assert frame.loc[two, "scale_answers"] == 2


def test_weighted_median_matches_pandas():
    import numpy as np

    values, weights = np.array([5, 1, 3, 9]), np.array([2, 3, 1, 2])
    expanded = np.repeat(values, weights)
    assert quality.weighted_median(values, weights) == float(np.median(expanded))
    assert quality.weighted_median(np.array([1, 2]), np.array([1, 1])) == 1.5
    assert math.isnan(quality.weighted_median(np.array([], dtype=int), np.array([], dtype=int)))


def test_first_day_after_last_day_is_refused(hand):
    with pytest.raises(ValueError, match="first day is after the last day"):
        question_measures(hand["db"], [hand["version_id"]], start="2025-03-01", end="2025-01-01")


def test_unknown_split_is_refused(hand):
    with pytest.raises(ValueError, match="not a way to split"):
        question_measures(hand["db"], [hand["version_id"]], by="weather")


def test_report_records_have_name_ids_and_measures(hand):
    records = quality.measures_for_report(question_measures(hand["db"], [hand["version_id"]]))
    assert records[0] == {
        "name": "mood", "version_id": hand["version_id"], "lineage_id": hand["questions"]["mood"]["lineage_id"],
        "asked": 4, "answered_rate": 0.75, "skipped_rate": 0.0, "dont_know_rate": 0.25, "prefer_not_rate": 0.0,
        "explained_rate": 0.5, "reworded_rate": 0.0, "upset_rate": 0.25, "median_words": None,
        "very_short_share": None, "distinct_words": None, "quality_index": 75.0,
    }


def test_data_stamp_changes_when_an_answer_is_saved(hand):
    from surveys.storage import quality as quality_store

    before = quality_store.data_stamp(hand["db"])
    assert quality_store.data_stamp(hand["db"]) == before
    add_interview(hand["db"], hand["version_id"], hand["questions"], hand["a"], "2025-03-01T10:00:00+00:00",
                  answers=[("mood", "Good", None, 0, 0, 0)])
    assert quality_store.data_stamp(hand["db"]) != before


def test_counting_uses_the_covering_index(hand):
    from surveys.storage.quality import AnswerFilter

    plan = hand["db"].execute(
        "EXPLAIN QUERY PLAN SELECT question_id, opt_out, needed_explaining, reworded, upsetting, word_count, "
        "COUNT(*) FROM answer INDEXED BY answer_quality GROUP BY 1, 2, 3, 4, 5, 6"
    ).fetchall()
    assert any("COVERING INDEX answer_quality" in row[-1] for row in plan)
    assert AnswerFilter.make("x").version_ids == ("x",)


def test_running_tally_matches_a_fresh_count_after_every_kind_of_change(hand):
    from surveys.storage import quality as quality_store

    db = hand["db"]
    flt = quality.make_filter()

    def same() -> None:
        assert sorted(quality_store.tally_counts(db), key=repr) == sorted(
            quality_store.counted_answer_groups(db, flt), key=repr)

    same()
    answer_id = db.execute("SELECT id FROM answer WHERE opt_out IS NULL LIMIT 1").fetchone()[0]
    db.execute("UPDATE answer SET value = NULL, opt_out = 'dont_know', word_count = 0, needed_explaining = 1 "
               "WHERE id = ?", [answer_id])
    same()
    db.execute("UPDATE answer SET reworded = 1, upsetting = 1 WHERE opt_out IS NOT NULL")
    same()
    db.execute("DELETE FROM answer WHERE id = ?", [answer_id])
    same()
    # Deleting an interview removes its answers by cascade; the tally follows.
    db.execute("DELETE FROM interview WHERE id = ?", [hand["interviews"][1]])
    same()
    frame = question_measures(db, [hand["version_id"]])
    wide = question_measures(db, [hand["version_id"]], start="2000-01-01", end="2100-01-01")
    pd.testing.assert_frame_equal(frame, wide, check_dtype=False)
    db.execute("DELETE FROM answer")
    assert quality_store.tally_counts(db) == []
    for table in RUNNING_TOTALS:
        assert db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] == 0, f"no rows left at 0 in {table}"


from surveys.storage.migrations import TOTAL_TABLES as RUNNING_TOTALS  # noqa: E402


def assert_totals_match_a_rebuild(db) -> None:
    """Every running total equals the same total worked out from scratch from the answers."""
    from surveys.storage.migrations import ALL_TOTAL_REBUILD

    def totals():
        return {t: sorted(db.execute(f"SELECT * FROM {t}").fetchall(), key=repr) for t in RUNNING_TOTALS}

    kept = totals()
    db.execute("SAVEPOINT rebuild")
    try:
        for sql in ALL_TOTAL_REBUILD:
            db.execute(sql)
        rebuilt = totals()
    finally:
        db.execute("ROLLBACK TO rebuild")
        db.execute("RELEASE rebuild")
    assert kept == rebuilt


def test_every_running_total_follows_inserts_changes_moves_and_deletes(demo_db_path):
    import random

    from surveys.storage import open_database

    db = open_database(demo_db_path)
    assert_totals_match_a_rebuild(db)
    rng = random.Random(3)
    ids = [r[0] for r in db.execute("SELECT id FROM answer ORDER BY id").fetchall()]
    people = [r[0] for r in db.execute("SELECT id FROM person").fetchall()]
    interviews = [r[0] for r in db.execute("SELECT id FROM interview ORDER BY id").fetchall()]
    # Answers change kind, words and flags (and their text, for the open-text total).
    for answer_id in rng.sample(ids, 40):
        db.execute("UPDATE answer SET needed_explaining = 1 - needed_explaining, value = CASE WHEN word_count > 0 "
                   "THEN value || ' and more' ELSE value END, word_count = CASE WHEN word_count > 0 "
                   "THEN word_count + 2 ELSE 0 END WHERE id = ?", [answer_id])
    for answer_id in rng.sample(ids, 20):
        db.execute("UPDATE answer SET value = NULL, opt_out = 'skipped', word_count = 0 WHERE id = ?", [answer_id])
    assert_totals_match_a_rebuild(db)
    # An interview moves to another interviewer and another month: its answers change group.
    for interview_id in interviews[:5]:
        db.execute("UPDATE interview SET interviewer_id = ?, started_at = '2024-02-03T10:00:00+00:00' WHERE id = ?",
                   [rng.choice(people), interview_id])
    db.execute("UPDATE interview SET interviewer_id = NULL WHERE id = ?", [interviews[6]])
    assert_totals_match_a_rebuild(db)
    # Answers deleted one by one, and whole interviews deleted (their answers go by cascade).
    for answer_id in rng.sample(ids, 30):
        db.execute("DELETE FROM answer WHERE id = ?", [answer_id])
    for interview_id in interviews[10:20]:
        db.execute("DELETE FROM interview WHERE id = ?", [interview_id])
    assert_totals_match_a_rebuild(db)
    # A copied answer comes back in (as a merge adds one).
    row = db.execute("SELECT * FROM answer LIMIT 1").fetchone()
    db.execute("DELETE FROM answer WHERE id = ?", [row[0]])
    db.execute(f"INSERT INTO answer VALUES ({', '.join('?' * len(row))})", row)
    assert_totals_match_a_rebuild(db)


def test_totals_and_day_filters_give_the_same_counts_as_the_answers(demo_db_path):
    from surveys.storage import quality as quality_store
    from collections import Counter

    from surveys.storage import open_database

    db = open_database(demo_db_path)
    person = db.execute("SELECT interviewer_id FROM interview WHERE interviewer_id IS NOT NULL LIMIT 1").fetchone()[0]
    closed = [r[0] for r in db.execute("SELECT id FROM question WHERE type IN ('single_choice', 'scale', 'yes_no')")]

    def summed(rows, key_length):
        total = Counter()
        for row in rows:
            total[tuple(row[:key_length])] += row[-1]
        return total

    # Whole data, one interviewer, days that cut two months in two, and a month split.
    for start, end, interviewer in ((None, None, None), (None, None, person), ("2025-02-10", "2025-03-20", None),
                                    ("2025-02-10", "2025-09-20", person)):
        flt = quality.make_filter(None, interviewer, start, end)
        counted = summed(quality_store.counted_answer_groups(db, flt), 7)
        from_totals = summed(quality_store.answer_counts(db, flt), 7)
        assert from_totals == counted, (start, end, interviewer)
        where, params = flt.interview_where("i")
        direct = db.execute(
            "SELECT a.question_id, a.value, COUNT(*) FROM answer a JOIN interview i ON i.id = a.interview_id "
            f"WHERE a.opt_out IS NULL AND a.value IS NOT NULL AND a.question_id IN ({', '.join('?' * len(closed))})"
            + "".join(f" AND {w}" for w in where) + " GROUP BY 1, 2", [*closed, *params]).fetchall()
        assert summed(quality_store.value_counts(db, flt, closed), 2) == summed(direct, 2), (start, end)
    by_month = summed(quality_store.answer_counts(db, quality.make_filter(), "month"), 2)
    direct = db.execute("SELECT a.question_id, substr(i.started_at, 1, 7), COUNT(*) FROM answer a "
                        "JOIN interview i ON i.id = a.interview_id GROUP BY 1, 2").fetchall()
    assert by_month == summed(direct, 2)
