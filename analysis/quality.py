"""Feedback-quality measures per question and per interview, computed from SQLite with pandas.

The formulas are written out in docs/quality.md. In short, per question:

* asked: answer rows saved for the question (a real answer or an opt-out). Questions hidden by a
  show-if rule, or not reached in an unfinished interview, were not asked.
* answered_rate, skipped_rate, dont_know_rate, prefer_not_rate: shares of ``asked``.
* explained_rate, reworded_rate, upset_rate: shares of ``asked`` where the interviewer ticked
  "needed explaining", "reworded" or "upsetting".
* open questions (text, long_text) only: median_words and very_short_share (2 words or fewer)
  over the answers given, and distinct_words, the number of different words used in them.
* quality_index (0 to 100): the mean, times 100, of equal-weight parts, each 0 to 1:
  1 - (skipped_rate + dont_know_rate), 1 - explained_rate, 1 - reworded_rate, and for open
  questions also min(median_words / 10, 1) and 1 - very_short_share.
  "Prefer not to say" is a choice we respect, so it does not lower the index.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Sequence

import numpy as np
import pandas as pd
from sqlite_utils import Database

from surveys.storage import quality as store
from surveys.storage.quality import OPEN_TYPES, AnswerFilter

DEPTH_CAP_WORDS = 10
VERY_SHORT_WORDS = 2
STRAIGHT_LINE_MIN = 3
WORD_PATTERN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")

RATE_COLUMNS = (
    "answered_rate",
    "skipped_rate",
    "dont_know_rate",
    "prefer_not_rate",
    "explained_rate",
    "reworded_rate",
    "upset_rate",
    "very_short_share",
)
# Each rate with the count it is made of and what it is a share of.
RATE_PARTS = {
    "answered_rate": ("answered", "asked"),
    "skipped_rate": ("skipped", "asked"),
    "dont_know_rate": ("dont_know", "asked"),
    "prefer_not_rate": ("prefer_not", "asked"),
    "explained_rate": ("explained", "asked"),
    "reworded_rate": ("reworded", "asked"),
    "upset_rate": ("upset", "asked"),
    "very_short_share": ("very_short", "open_answers"),
}
MEASURE_COLUMNS = (
    "asked",
    *RATE_COLUMNS[:-1],
    "median_words",
    "very_short_share",
    "distinct_words",
    "quality_index",
)
COUNT_COLUMNS = (
    "answered",
    "skipped",
    "dont_know",
    "prefer_not",
    "explained",
    "reworded",
    "upset",
    "open_answers",
    "very_short",
)
QUESTION_COLUMNS = ("name", "version_id", "lineage_id", "position", "wording", "type", "topic")
MEASURE_FRAME_COLUMNS = ("question_id", *QUESTION_COLUMNS, "group", *MEASURE_COLUMNS, *COUNT_COLUMNS)
INTERVIEW_COLUMNS = (
    "interview_id",
    "version_id",
    "interviewer_id",
    "status",
    "consent",
    "started_at",
    "minutes",
    "answers",
    "scale_answers",
    "straight_lining",
    "last_position",
    "last_question",
)
# Labels in plain words for tables and charts.
MEASURE_LABELS = {
    "asked": "Times asked",
    "answered_rate": "Answered",
    "skipped_rate": "Skipped",
    "dont_know_rate": "Don't know",
    "prefer_not_rate": "Prefer not to say",
    "explained_rate": "Needed explaining",
    "reworded_rate": "Reworded by the interviewer",
    "upset_rate": "Upset the person",
    "median_words": "Middle number of words",
    "very_short_share": "Very short answers",
    "distinct_words": "Different words used",
    "quality_index": "Answer quality (0 to 100)",
}
# For each measure: True when higher is better, False when lower is better, None when neither:
# "prefer not to say" is a choice we respect, so more of it is not counted as worse.
HIGHER_IS_BETTER: dict[str, bool | None] = {
    "answered_rate": True,
    "skipped_rate": False,
    "dont_know_rate": False,
    "prefer_not_rate": None,
    "explained_rate": False,
    "reworded_rate": False,
    "upset_rate": False,
    "very_short_share": False,
    "median_words": True,
    "distinct_words": True,
    "quality_index": True,
}


def make_filter(
    version_ids: Sequence[str] | str | None = None,
    interviewer_id: str | None = None,
    start: _dt.date | str | None = None,
    end: _dt.date | str | None = None,
) -> AnswerFilter:
    """Return the answer filter for these versions, interviewer and days (inclusive)."""
    flt = AnswerFilter.make(version_ids, interviewer_id, start, end)
    if flt.start and flt.end and flt.start > flt.end:
        raise ValueError("The first day is after the last day. Swap them round.")
    return flt


def weighted_median(values: np.ndarray, weights: np.ndarray) -> float:
    """Return the median of VALUES each repeated WEIGHTS times (NaN when there are none)."""
    total = int(weights.sum())
    if total == 0:
        return float("nan")
    order = np.argsort(values, kind="stable")
    values, cumulative = values[order], np.cumsum(weights[order])
    # The two middle items (0-based), the same item when the total is odd.
    low = values[np.searchsorted(cumulative, (total - 1) // 2, side="right")]
    high = values[np.searchsorted(cumulative, total // 2, side="right")]
    return float((low + high) / 2)


def words_of(text: str) -> list[str]:
    """Return the lower-case words of TEXT (letters and numbers, with an apostrophe part)."""
    return WORD_PATTERN.findall(text.lower()) if text else []


def _question_frame(db: Database, version_ids: Sequence[str] | None) -> pd.DataFrame:
    rows = store.questions_for_versions(db, version_ids)
    frame = pd.DataFrame(rows, columns=[
        "question_id", "name", "version_id", "lineage_id", "position", "wording", "type", "topic",
        "options", "version_number", "version_label", "survey_id",
    ])
    return frame[frame["type"] != "note"].reset_index(drop=True)


def _empty_measures() -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype="object") for c in MEASURE_FRAME_COLUMNS})
    for column in (*MEASURE_COLUMNS, *COUNT_COLUMNS, "position"):
        frame[column] = frame[column].astype("float64")
    return frame


def question_measures(
    db: Database,
    version_ids: Sequence[str] | str | None = None,
    interviewer_id: str | None = None,
    start: _dt.date | str | None = None,
    end: _dt.date | str | None = None,
    by: str | None = None,
) -> pd.DataFrame:
    """Return one row per question (and per group when BY is "interviewer" or "month") with every measure.

    Without BY, every question of the chosen versions is listed, even one never asked (its rates
    are empty, never a division by zero). With BY, only groups that have answers are listed.
    """
    flt = make_filter(version_ids, interviewer_id, start, end)
    questions = _question_frame(db, flt.version_ids)
    if questions.empty:
        return _empty_measures()
    open_ids = set(questions.loc[questions["type"].isin(OPEN_TYPES), "question_id"])
    totals, medians = _count_answers(store.answer_counts(db, flt, by), open_ids)
    distinct = _distinct_words(db, flt, by)
    if by is None:
        keys = list(zip(questions["question_id"], [""] * len(questions)))
        frame = questions.assign(group="")
    else:
        known = set(questions["question_id"])
        keys = sorted(k for k in totals if k[0] in known)
        frame = questions.set_index("question_id").loc[[k[0] for k in keys]].reset_index()
        frame["group"] = [k[1] for k in keys]
    zero = np.zeros(len(COUNT_COLUMNS) + 1)
    counts = np.array([totals.get(k, zero) for k in keys], dtype="float64").reshape(len(keys), -1)
    for index, column in enumerate(("asked", *COUNT_COLUMNS)):
        frame[column] = counts[:, index]
    frame["median_words"] = np.array([medians.get(k, np.nan) for k in keys], dtype="float64")
    is_open_question = frame["type"].isin(OPEN_TYPES).to_numpy()
    frame["distinct_words"] = np.where(
        is_open_question, np.array([float(distinct.get(k, 0)) for k in keys]), np.nan
    )
    for rate, (count, base) in RATE_PARTS.items():
        frame[rate] = _share(frame[count], frame[base])
    frame.loc[~is_open_question, ["very_short_share", "median_words"]] = np.nan
    frame["quality_index"] = quality_index(frame)
    frame = frame.sort_values(["version_number", "position", "group"], kind="stable").reset_index(drop=True)
    return frame[list(MEASURE_FRAME_COLUMNS)]


def _count_answers(rows: list[tuple], open_ids: set[str]) -> tuple[dict, dict]:
    """Return per (question, group): counts in ("asked", *COUNT_COLUMNS) order, and median open-answer words.

    ROWS are (question_id, group, opt_out, explained, reworded, upset, word_count, n) combinations
    from one GROUP BY, so this loop sees a few thousand rows, not a million answers.
    """
    totals: dict[tuple[str, str], np.ndarray] = {}
    words: dict[tuple[str, str], list[tuple[int, int]]] = {}
    skipped, dont_know, prefer_not = (1 + COUNT_COLUMNS.index(c) for c in ("skipped", "dont_know", "prefer_not"))
    for question_id, group, opt_out, explained, reworded, upset, word_count, n in rows:
        key = (question_id, group)
        row = totals.get(key)
        if row is None:
            row = totals[key] = np.zeros(len(COUNT_COLUMNS) + 1)
        # asked, answered, skipped, dont_know, prefer_not, explained, reworded, upset, open_answers, very_short
        row[0] += n
        if opt_out is None:
            row[1] += n
            if question_id in open_ids:
                row[8] += n
                if word_count <= VERY_SHORT_WORDS:
                    row[9] += n
                words.setdefault(key, []).append((word_count, n))
        elif opt_out == "skipped":
            row[skipped] += n
        elif opt_out == "dont_know":
            row[dont_know] += n
        elif opt_out == "prefer_not_to_say":
            row[prefer_not] += n
        row[5] += n * explained
        row[6] += n * reworded
        row[7] += n * upset
    medians = {
        key: weighted_median(np.array([w for w, _ in pairs]), np.array([c for _, c in pairs]))
        for key, pairs in words.items()
    }
    return totals, medians


def _share(count: pd.Series, base: pd.Series) -> pd.Series:
    """Return COUNT / BASE, empty (NaN) where BASE is 0."""
    base = base.astype("float64")
    return count.astype("float64") / base.where(base > 0)


def _distinct_words(db: Database, flt: AnswerFilter, by: str | None) -> dict[tuple[str, str], int]:
    """Return the number of different words in the open answers of each (question, group)."""
    texts: dict[tuple[str, str], list[str]] = {}
    # Rows are distinct texts, so a text given by many people is split into words once.
    for question_id, group, value, _n in store.open_text_counts(db, flt, by):
        texts.setdefault((question_id, group), []).append(value)
    return {key: len(set(words_of("\n".join(values)))) for key, values in texts.items()}


def quality_index(frame: pd.DataFrame) -> pd.Series:
    """Return the feedback-quality index (0 to 100) for each row of a measures frame.

    Equal weights: clear answers (1 - skipped - don't know), 1 - needed explaining,
    1 - reworded, and for open questions depth (median words / 10, at most 1) and
    1 - very short share. Parts that cannot be worked out (nobody asked) are left out;
    a question nobody was asked has no index.
    """
    parts = pd.DataFrame({
        "clear": 1 - (frame["skipped_rate"] + frame["dont_know_rate"]),
        "explained": 1 - frame["explained_rate"],
        "reworded": 1 - frame["reworded_rate"],
        "depth": (frame["median_words"] / DEPTH_CAP_WORDS).clip(upper=1.0),
        "not_short": 1 - frame["very_short_share"],
    })
    return (parts.mean(axis=1, skipna=True) * 100).astype("float64")


def interview_measures(
    db: Database,
    version_ids: Sequence[str] | str | None = None,
    interviewer_id: str | None = None,
    start: _dt.date | str | None = None,
    end: _dt.date | str | None = None,
) -> pd.DataFrame:
    """Return one row per interview: length in minutes, straight-lining and where unfinished ones stopped.

    straight_lining is True when at least 3 scale questions were answered and every one got the
    same place on its answer list (first option, or second, ...). last_position and last_question
    are filled only for unfinished (draft) interviews: the furthest question answered.
    """
    flt = make_filter(version_ids, interviewer_id, start, end)
    rows = store.interview_rows(db, flt)
    frame = pd.DataFrame(rows, columns=[
        "interview_id", "version_id", "interviewer_id", "status", "consent", "started_at", "finished_at",
        "seconds", "answers", "last_question_id", "minutes",
    ])
    if frame.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in INTERVIEW_COLUMNS})
    frame["minutes"] = pd.to_numeric(frame["minutes"], errors="coerce").astype("float64")
    questions = _question_frame(db, flt.version_ids).set_index("question_id")
    scale = _scale_positions(db, flt, questions)
    frame = frame.merge(scale, on="interview_id", how="left")
    frame["scale_answers"] = frame["scale_answers"].fillna(0).astype("int64")
    frame["straight_lining"] = frame["straight_lining"].astype("boolean").fillna(False).astype(bool)
    unfinished = frame["status"] == "draft"
    last = frame["last_question_id"].where(unfinished)
    frame["last_position"] = last.map(questions["position"]).astype("float64")
    frame["last_question"] = last.map(questions["name"])
    return frame[list(INTERVIEW_COLUMNS)]


def _scale_positions(db: Database, flt: AnswerFilter, questions: pd.DataFrame) -> pd.DataFrame:
    """Return per interview: scale questions answered, and whether all got the same option place."""
    places = pd.DataFrame(store.scale_places(db, flt), columns=["interview_id", "scale_answers", "places"])
    return pd.DataFrame({
        "interview_id": places["interview_id"],
        "scale_answers": places["scale_answers"].astype("int64"),
        "straight_lining": (places["scale_answers"] >= STRAIGHT_LINE_MIN) & (places["places"] == 1),
    })


def dropoff_by_question(
    db: Database,
    version_ids: Sequence[str] | str | None = None,
    interviewer_id: str | None = None,
    start: _dt.date | str | None = None,
    end: _dt.date | str | None = None,
    interviews: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Return, per question, how many unfinished interviews stopped there (last question answered).

    INTERVIEWS is interview_measures' frame for the same filters, when the caller already has it.
    """
    flt = make_filter(version_ids, interviewer_id, start, end)
    questions = _question_frame(db, flt.version_ids)
    if interviews is None:
        interviews = interview_measures(db, flt.version_ids, interviewer_id, start, end)
    unfinished = interviews[interviews["status"] == "draft"]
    stopped = unfinished.groupby(["version_id", "last_question"]).size().rename("stopped_here")
    frame = questions[["question_id", "name", "version_id", "lineage_id", "position"]].merge(
        stopped.reset_index().rename(columns={"last_question": "name"}), on=["version_id", "name"], how="left"
    )
    frame["stopped_here"] = frame["stopped_here"].fillna(0).astype("int64")
    totals = unfinished.groupby("version_id").size()
    frame["unfinished"] = frame["version_id"].map(totals).fillna(0).astype("int64")
    frame["stopped_share"] = _share(frame["stopped_here"], frame["unfinished"])
    return frame.reset_index(drop=True)


def interview_summary(interviews: pd.DataFrame) -> pd.DataFrame:
    """Return per version: interviews, finished, unfinished, declined, middle length, straight-lining share.

    A person who said no to taking part is counted only as declined: never as finished or
    unfinished, and not in the middle length or the straight-lining share.
    """
    columns = ["version_id", "interviews", "finished", "unfinished", "declined", "median_minutes",
               "straight_lining_share"]
    if interviews.empty:
        return pd.DataFrame(columns=columns)
    declined = interviews["consent"] == "declined"
    took_part = interviews[~declined]
    flags = pd.DataFrame({
        "version_id": interviews["version_id"],
        "finished": (~declined & (interviews["status"] == "submitted")).astype("int64"),
        "unfinished": (~declined & (interviews["status"] == "draft")).astype("int64"),
        "declined": declined.astype("int64"),
    })
    grouped = flags.groupby("version_id", sort=False)
    frame = pd.DataFrame({
        "interviews": grouped.size(),
        "finished": grouped["finished"].sum(),
        "unfinished": grouped["unfinished"].sum(),
        "declined": grouped["declined"].sum(),
    })
    part = took_part.groupby("version_id", sort=False)
    frame["median_minutes"] = part["minutes"].median()
    frame["straight_lining_share"] = part["straight_lining"].mean()
    return frame.reset_index()[columns]


def measures_for_report(frame: pd.DataFrame) -> list[dict]:
    """Return the measures as plain dicts: name, version_id, lineage_id and one key per measure."""
    records = []
    for row in frame.itertuples(index=False):
        item = {"name": row.name, "version_id": row.version_id, "lineage_id": row.lineage_id}
        if getattr(row, "group", ""):
            item["group"] = row.group
        for column in MEASURE_COLUMNS:
            value = getattr(row, column)
            item[column] = None if value is None or (isinstance(value, float) and np.isnan(value)) else (
                int(value) if column in ("asked", "distinct_words") else round(float(value), 4)
            )
        records.append(item)
    return records


__all__ = [
    "HIGHER_IS_BETTER",
    "MEASURE_COLUMNS",
    "MEASURE_LABELS",
    "RATE_COLUMNS",
    "RATE_PARTS",
    "dropoff_by_question",
    "interview_measures",
    "interview_summary",
    "make_filter",
    "measures_for_report",
    "quality_index",
    "question_measures",
    "weighted_median",
    "words_of",
]
