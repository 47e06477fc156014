"""One survey version against another: questions matched by lineage, every measure side by side.

For each rate (answered, skipped, ...) the frame holds both rates, the difference (B minus A),
a 95% confidence interval for the difference (Newcombe's hybrid score interval, built from two
Wilson intervals) and a p-value: chi-square with Yates' correction on the 2 x 2 table, or
Fisher's exact test when any expected count is below 5. For open answers the middle number of
words is compared with the Mann-Whitney U test. Formulas are in docs/quality.md.
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from sqlite_utils import Database

from analysis.quality import HIGHER_IS_BETTER, MEASURE_LABELS, RATE_PARTS, make_filter, question_measures
from surveys.storage import quality as store
from surveys.storage.quality import OPEN_TYPES

Z_95 = 1.959963984540054


def _stats():
    """Return scipy.stats, imported on first use: it takes about a second, and most pages never test."""
    from scipy import stats

    return stats

SIGNIFICANT = 0.05
RATE_MEASURES = tuple(RATE_PARTS)
SIDE_COLUMNS = ("question_id", "wording", "asked", "quality", "score", "median_words")
COMPARE_COLUMNS = (
    "name",
    "lineage_id",
    "topic",
    "type",
    "position",
    "question_id_a",
    "question_id_b",
    "wording_a",
    "wording_b",
    "asked_a",
    "asked_b",
    "quality_a",
    "quality_b",
    "quality_diff",
    "score_a",
    "score_b",
    "score_diff",
    *[f"{m}_{part}" for m in RATE_MEASURES for part in ("a", "b", "diff", "ci_low", "ci_high", "p", "test")],
    "median_words_a",
    "median_words_b",
    "median_words_diff",
    "median_words_p",
    "got_worse",
    "worse_measures",
    "better_measures",
    "verdict",
)


def wilson_interval(count: float, total: float, z: float = Z_95) -> tuple[float, float]:
    """Return the Wilson score interval (low, high) for COUNT out of TOTAL; (nan, nan) when TOTAL is 0."""
    if total <= 0:
        return (math.nan, math.nan)
    p = count / total
    denominator = 1 + z * z / total
    centre = (p + z * z / (2 * total)) / denominator
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / denominator
    return (max(0.0, centre - half), min(1.0, centre + half))


def newcombe_interval(count_a: float, total_a: float, count_b: float, total_b: float,
                      z: float = Z_95) -> tuple[float, float]:
    """Return the 95% interval for rate B minus rate A (Newcombe's hybrid score method 10)."""
    if total_a <= 0 or total_b <= 0:
        return (math.nan, math.nan)
    p_a, p_b = count_a / total_a, count_b / total_b
    low_a, high_a = wilson_interval(count_a, total_a, z)
    low_b, high_b = wilson_interval(count_b, total_b, z)
    diff = p_b - p_a
    return (
        diff - math.sqrt((p_b - low_b) ** 2 + (high_a - p_a) ** 2),
        diff + math.sqrt((high_b - p_b) ** 2 + (p_a - low_a) ** 2),
    )


def rate_test(count_a: float, total_a: float, count_b: float, total_b: float) -> tuple[float, str]:
    """Return (p-value, test name) for two rates: chi-square (Yates), or Fisher's exact for small counts.

    With no people on one side there is nothing to test (nan, ""). When nobody on either side
    has the thing (or everybody has), the rates cannot differ and p is 1.
    """
    if total_a <= 0 or total_b <= 0:
        return (math.nan, "")
    table = np.array([[count_a, total_a - count_a], [count_b, total_b - count_b]], dtype=float)
    if (table.sum(axis=0) == 0).any():
        return (1.0, "none needed")
    expected = _stats().contingency.expected_freq(table)
    if (expected < 5).any():
        result = _stats().fisher_exact(table.astype(int))
        return (float(result.pvalue), "Fisher's exact")
    result = _stats().chi2_contingency(table, correction=True)
    return (float(result.pvalue), "chi-square")


def words_test(words_a: np.ndarray, words_b: np.ndarray) -> tuple[float, float]:
    """Return (median B minus median A, Mann-Whitney U two-sided p-value); nan when a side is empty."""
    if len(words_a) == 0 or len(words_b) == 0:
        return (math.nan, math.nan)
    diff = float(np.median(words_b) - np.median(words_a))
    if np.all(words_a == words_a[0]) and np.all(words_b == words_a[0]):
        return (diff, 1.0)
    return (diff, float(_stats().mannwhitneyu(words_a, words_b, alternative="two-sided").pvalue))


def wording_scores(items: Sequence[tuple[str, Sequence[str]]]) -> list[float]:
    """Return the question checker's score (0 to 100) for each (wording, options); nan if the checker is missing."""
    if not items:
        return []
    try:
        from surveys.checks import get_checker
    except ImportError:
        return [math.nan] * len(items)
    reports = get_checker().check_many([(text, list(options or [])) for text, options in items])
    return [float(report.score) for report in reports]


def _empty_frame() -> pd.DataFrame:
    return pd.DataFrame({column: pd.Series(dtype="object") for column in COMPARE_COLUMNS})


def _word_arrays(db: Database, version_id: str, interviewer_id, start, end) -> dict[str, np.ndarray]:
    """Return the word counts of every open answer given, per question id."""
    flt = make_filter([version_id], interviewer_id, start, end)
    counts: dict[str, list[tuple[int, int]]] = {}
    for question_id, _grp, opt_out, _e, _r, _u, word_count, n in store.answer_counts(db, flt):
        if opt_out is None:
            counts.setdefault(question_id, []).append((word_count, n))
    return {
        qid: np.repeat(np.array([w for w, _ in pairs]), np.array([n for _, n in pairs]))
        for qid, pairs in counts.items()
    }


def compare_versions(
    db: Database,
    version_a: str,
    version_b: str,
    interviewer_id: str | None = None,
    start: _dt.date | str | None = None,
    end: _dt.date | str | None = None,
    *,
    with_scores: bool = True,
    scores: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """Return one row per question lineage with version A beside version B for every measure.

    SCORES (question id: checker score) are used when given, so a caller that keeps them
    does not run the question checker again when only answers changed.

    Sorted with the biggest gain in the quality index first; questions that got worse have
    got_worse True and come after the ones that got better. Questions only in one version come
    last, with the other side empty. Returns an empty frame with the same columns when either
    version has no answers, so nothing is ever divided by zero.
    """
    from surveys.storage import core

    core.get_version(db, version_a)
    core.get_version(db, version_b)
    if version_a == version_b:
        raise ValueError("Pick two different versions to compare.")
    a = question_measures(db, [version_a], interviewer_id, start, end)
    b = question_measures(db, [version_b], interviewer_id, start, end)
    if a.empty or b.empty or a["asked"].sum() == 0 or b["asked"].sum() == 0:
        return _empty_frame()
    merged = a.merge(b, on="lineage_id", how="outer", suffixes=("_a", "_b"))
    for field in ("name", "topic", "type", "position"):
        merged[field] = merged[f"{field}_b"].combine_first(merged[f"{field}_a"])
    merged["quality_a"] = merged["quality_index_a"]
    merged["quality_b"] = merged["quality_index_b"]
    merged["quality_diff"] = merged["quality_b"] - merged["quality_a"]
    if with_scores:
        scores = scores if scores is not None else _scores_for(db, merged)
        merged["score_a"] = merged["question_id_a"].map(scores)
        merged["score_b"] = merged["question_id_b"].map(scores)
    else:
        merged["score_a"] = math.nan
        merged["score_b"] = math.nan
    merged["score_diff"] = merged["score_b"] - merged["score_a"]
    for measure, (count, base) in RATE_PARTS.items():
        results = [
            _rate_row(row[f"{count}_a"], row[f"{base}_a"], row[f"{count}_b"], row[f"{base}_b"])
            for _, row in merged.iterrows()
        ]
        merged[f"{measure}_a"] = merged[f"{measure}_a"].astype("float64")
        merged[f"{measure}_b"] = merged[f"{measure}_b"].astype("float64")
        merged[f"{measure}_diff"] = merged[f"{measure}_b"] - merged[f"{measure}_a"]
        merged[f"{measure}_ci_low"] = [r[0] for r in results]
        merged[f"{measure}_ci_high"] = [r[1] for r in results]
        merged[f"{measure}_p"] = [r[2] for r in results]
        merged[f"{measure}_test"] = [r[3] for r in results]
    words_a = _word_arrays(db, version_a, interviewer_id, start, end)
    words_b = _word_arrays(db, version_b, interviewer_id, start, end)
    medians = []
    for _, row in merged.iterrows():
        if row["type"] in OPEN_TYPES:
            wa = words_a.get(row["question_id_a"], np.array([], dtype=int))
            wb = words_b.get(row["question_id_b"], np.array([], dtype=int))
            medians.append(words_test(wa, wb))
        else:
            medians.append((math.nan, math.nan))
    merged["median_words_diff"] = [m[0] for m in medians]
    merged["median_words_p"] = [m[1] for m in medians]
    merged["better_measures"] = [_changed(row, better=True) for _, row in merged.iterrows()]
    merged["worse_measures"] = [_changed(row, better=False) for _, row in merged.iterrows()]
    merged["got_worse"] = (merged["quality_diff"] < 0).fillna(False).astype(bool)
    merged["verdict"] = [_verdict(row) for _, row in merged.iterrows()]
    matched = merged["quality_diff"].notna()
    merged["_order"] = np.where(matched, 0, 1)
    merged = merged.sort_values(["_order", "quality_diff", "position"], ascending=[True, False, True],
                                kind="stable", na_position="last")
    return merged[list(COMPARE_COLUMNS)].reset_index(drop=True)


def _rate_row(count_a, total_a, count_b, total_b) -> tuple[float, float, float, str]:
    values = [0.0 if pd.isna(v) else float(v) for v in (count_a, total_a, count_b, total_b)]
    low, high = newcombe_interval(*values)
    p_value, test = rate_test(*values)
    return (low, high, p_value, test)


def _changed(row: pd.Series, *, better: bool) -> str:
    """Return the plain names of the measures that changed for real, for the better or the worse.

    A share changed for real when its 95% interval leaves out "no change" (both ends above 0,
    or both below); the middle number of words when the Mann-Whitney test gives p below 0.05.
    """
    names = []
    for measure in RATE_MEASURES:
        low, high = row[f"{measure}_ci_low"], row[f"{measure}_ci_high"]
        if HIGHER_IS_BETTER[measure] is None or pd.isna(low) or pd.isna(high) or (low <= 0 <= high):
            continue
        improved = (low > 0) == HIGHER_IS_BETTER[measure]
        if improved == better:
            names.append(MEASURE_LABELS[measure])
    p_value, diff = row["median_words_p"], row["median_words_diff"]
    if not (pd.isna(p_value) or pd.isna(diff)) and p_value < SIGNIFICANT and diff != 0 and (diff > 0) == better:
        names.append(MEASURE_LABELS["median_words"])
    return ", ".join(names)


def _verdict(row: pd.Series) -> str:
    """Return "better", "worse", "mixed", "too_close" (nothing changed for real) or "one_side"."""
    if pd.isna(row["quality_diff"]):
        return "one_side"
    if row["better_measures"] and row["worse_measures"]:
        return "mixed"
    if row["better_measures"]:
        return "better"
    if row["worse_measures"]:
        return "worse"
    return "too_close"


def _scores_for(db: Database, merged: pd.DataFrame) -> dict[str, float]:
    """Return the checker score for each question id on either side."""
    import json

    ids = [qid for qid in pd.concat([merged["question_id_a"], merged["question_id_b"]]).dropna().unique()]
    rows = {r["question_id"]: r for r in store.questions_for_versions(db, None) if r["question_id"] in set(ids)}
    items = [(rows[qid]["wording"], json.loads(rows[qid]["options"] or "[]")) for qid in ids]
    return dict(zip(ids, wording_scores(items)))


def compare_long(frame: pd.DataFrame, lineage_id: str) -> pd.DataFrame:
    """Return one question's comparison as rows: measure, A, B, difference, interval, p-value, test."""
    rows = frame[frame["lineage_id"] == lineage_id]
    if rows.empty:
        return pd.DataFrame(columns=["measure", "a", "b", "diff", "ci_low", "ci_high", "p_value", "test"])
    row = rows.iloc[0]
    records = [
        {"measure": MEASURE_LABELS["quality_index"], "a": row["quality_a"], "b": row["quality_b"],
         "diff": row["quality_diff"], "ci_low": math.nan, "ci_high": math.nan, "p_value": math.nan, "test": ""},
    ]
    for measure in RATE_MEASURES:
        records.append({
            "measure": MEASURE_LABELS[measure], "a": row[f"{measure}_a"], "b": row[f"{measure}_b"],
            "diff": row[f"{measure}_diff"], "ci_low": row[f"{measure}_ci_low"],
            "ci_high": row[f"{measure}_ci_high"], "p_value": row[f"{measure}_p"], "test": row[f"{measure}_test"],
        })
    records.append({
        "measure": MEASURE_LABELS["median_words"], "a": row["median_words_a"], "b": row["median_words_b"],
        "diff": row["median_words_diff"], "ci_low": math.nan, "ci_high": math.nan,
        "p_value": row["median_words_p"], "test": "Mann-Whitney U" if pd.notna(row["median_words_p"]) else "",
    })
    return pd.DataFrame(records)


def wording_and_quality(
    db: Database,
    version_ids: Sequence[str],
    interviewer_id: str | None = None,
    start: _dt.date | str | None = None,
    end: _dt.date | str | None = None,
    *,
    scores: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """Return one row per asked question: name, version, wording, checker score and quality index.

    SCORES (question id: checker score) are used when given instead of running the checker.
    """
    import json

    columns = ["name", "version_id", "version", "lineage_id", "wording", "score", "quality_index", "asked"]
    measures = question_measures(db, list(version_ids), interviewer_id, start, end)
    measures = measures[measures["asked"] > 0]
    if measures.empty:
        return pd.DataFrame(columns=columns)
    questions = {r["question_id"]: r for r in store.questions_for_versions(db, list(version_ids))}
    items = [(row.wording, json.loads(questions[row.question_id]["options"] or "[]"))
             for row in measures.itertuples(index=False)]
    labels = {qid: f"v{r['version_number']} {r['version_label']}".strip() for qid, r in questions.items()}
    frame = measures.assign(
        score=[scores.get(qid, math.nan) for qid in measures["question_id"]] if scores is not None
        else wording_scores(items),
        version=measures["question_id"].map(labels),
    )
    return frame[columns].reset_index(drop=True)


def question_scores(db: Database, version_ids: Sequence[str]) -> dict[str, float]:
    """Return the question checker's score (0 to 100) for every question of these versions, by question id.

    Scores depend on the wording only, so callers keep them until questions change.
    """
    import json

    rows = [r for r in store.questions_for_versions(db, list(version_ids)) if r["type"] != "note"]
    items = [(r["wording"], json.loads(r["options"] or "[]")) for r in rows]
    return dict(zip([r["question_id"] for r in rows], wording_scores(items)))


def score_quality_correlation(frame: pd.DataFrame) -> tuple[float, float, int]:
    """Return (Spearman's rho, p-value, number of questions) for checker score against quality index."""
    rows = frame[frame["score"].notna() & frame["quality_index"].notna()]
    if len(rows) < 3 or rows["score"].nunique() < 2 or rows["quality_index"].nunique() < 2:
        return (math.nan, math.nan, len(rows))
    result = _stats().spearmanr(rows["score"], rows["quality_index"])
    return (float(result.statistic), float(result.pvalue), len(rows))


__all__ = [
    "COMPARE_COLUMNS",
    "score_quality_correlation",
    "wording_and_quality",
    "RATE_MEASURES",
    "compare_long",
    "compare_versions",
    "newcombe_interval",
    "question_scores",
    "rate_test",
    "wilson_interval",
    "words_test",
    "wording_scores",
]
