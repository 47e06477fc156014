"""Explore's tables and sentences in plain words: question wording instead of internal names,
percentages everywhere, whole counts, "less than 0.001" instead of raw p-values, and no empty
"None" cells. No Streamlit here; the page shows what these return.

The exact statistics stay one click away: `exact_figures` keeps every interval and p-value,
written out so a person can read them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd

from analysis.quality import MEASURE_LABELS
from surveys.codesign import QUESTION_TYPE_LABELS

SHORT_LABEL = 60
# The measures every question has, and those only open questions have.
COMMON_MEASURES = ("answered_rate", "skipped_rate", "dont_know_rate", "prefer_not_rate", "explained_rate",
                   "reworded_rate", "upset_rate")
OPEN_MEASURES = ("median_words", "very_short_share", "distinct_words")
PERCENT_SUFFIX = " (%)"
VERDICTS = {
    "better": "Better",
    "worse": "Worse",
    "mixed": "Better in one way, worse in another",
    "too_close": "Too close to call",
    "one_side": "Only in one version",
}


def plural(count: int, word: str, many: str | None = None) -> str:
    """Return "1 answer" or "3 answers" (with thousands separators)."""
    return f"{count:,} {word if count == 1 else (many or word + 's')}"


def format_p(value: float | None) -> str:
    """Return a p-value people can read: "less than 0.001", "0.042", or "" when there is none."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if value < 0.001:
        return "less than 0.001"
    return f"{value:.3f}"


def short_label(wording: str, limit: int = SHORT_LABEL) -> str:
    """Return a question's wording cut to LIMIT characters at a word, for chart labels and menus."""
    text = " ".join(str(wording).split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0]
    return cut + "…"


def kind_label(question_type: str) -> str:
    """Return the plain name of a kind of question ("Pick one answer", not single_choice)."""
    return QUESTION_TYPE_LABELS.get(question_type, question_type.replace("_", " "))


def percent_label(measure: str) -> str:
    return MEASURE_LABELS[measure] + PERCENT_SUFFIX


def no_blanks(frame: pd.DataFrame, decimals: int = 1) -> pd.DataFrame:
    """Return FRAME with every column that has an empty cell written as text, empty cells as ""."""
    frame = frame.copy()
    for column in frame.columns:
        series = frame[column]
        if not series.isna().any():
            continue
        if pd.api.types.is_numeric_dtype(series):
            frame[column] = [
                "" if pd.isna(v) else (f"{int(v):,}" if float(v).is_integer() else f"{v:,.{decimals}f}")
                for v in series
            ]
        else:
            frame[column] = series.astype("object").where(series.notna(), "")
    return frame


def chart_names(measures: pd.DataFrame, version_numbers: Mapping[str, int] | None = None) -> pd.DataFrame:
    """Return MEASURES with "name" replaced by the short wording (and "(version 2)" when versions are mixed)."""
    names = measures["wording"].map(short_label)
    if version_numbers and measures["version_id"].nunique() > 1:
        names = names + measures["version_id"].map(lambda vid: f" (version {version_numbers[vid]})")
    return measures.assign(name=names)


def questions_table(measures: pd.DataFrame, version_labels: Mapping[str, str], group_names: Mapping[str, str] | None
                    = None) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    """Return (every question's measures, open questions' word measures, questions not asked yet) to show.

    Shares are whole percentages with one decimal, counts are whole numbers, and a question
    nobody was asked is left out (and counted), so no cell is ever empty.
    """
    asked = measures[measures["asked"] > 0]
    not_asked = int((measures["asked"] == 0).sum()) if "group" not in measures or (measures["group"] == "").all() else 0
    base = pd.DataFrame({
        "Version": asked["version_id"].map(version_labels),
        "Question": asked["wording"],
        "Kind": asked["type"].map(kind_label),
        "Topic": asked["topic"].replace("", "Other questions"),
    })
    if group_names is not None:
        base.insert(2, "Group", asked["group"].map(lambda g: group_names.get(g, g) or "Not recorded"))
    table = base.assign(**{"Times asked": asked["asked"].astype("int64")})
    for measure in COMMON_MEASURES:
        table[percent_label(measure)] = (asked[measure] * 100).round(1)
    table[MEASURE_LABELS["quality_index"]] = asked["quality_index"].round(1)
    open_rows = asked[asked["open_answers"] > 0]
    words = base.loc[open_rows.index].assign(**{
        "Answers in their own words": open_rows["open_answers"].astype("int64"),
        MEASURE_LABELS["median_words"]: open_rows["median_words"].round(1),
        percent_label("very_short_share"): (open_rows["very_short_share"] * 100).round(1),
        MEASURE_LABELS["distinct_words"]: open_rows["distinct_words"].astype("int64"),
    }).drop(columns=["Kind", "Topic"])
    return table.reset_index(drop=True), words.reset_index(drop=True), not_asked


INTERVIEW_HEADERS = {
    "interviews": "Interviews",
    "finished": "Finished",
    "unfinished": "Not finished",
    "declined": "Said no to taking part",
    "median_minutes": "Usual length (minutes)",
    "straight_lining_share": "Picked the same on every rating question (%)",
}


def interviews_table(summary: pd.DataFrame, version_labels: Mapping[str, str]) -> pd.DataFrame:
    """Return the interviews per version, with the usual length in minutes and a percentage."""
    table = summary.rename(columns=INTERVIEW_HEADERS)
    table.insert(0, "Version", summary["version_id"].map(version_labels))
    table = table.drop(columns=["version_id"])
    for column in ("Interviews", "Finished", "Not finished", "Said no to taking part"):
        table[column] = table[column].astype("int64")
    table["Usual length (minutes)"] = table["Usual length (minutes)"].astype("float64").round(1)
    share = INTERVIEW_HEADERS["straight_lining_share"]
    table[share] = (table[share].astype("float64") * 100).round(1)
    return no_blanks(table)


def dropoff_table(dropoff: pd.DataFrame, wording: Mapping[str, str], version_labels: Mapping[str, str]) -> pd.DataFrame:
    """Return where unfinished interviews stopped, as plain columns, only questions where some stopped."""
    rows = dropoff[dropoff["stopped_here"] > 0]
    return no_blanks(pd.DataFrame({
        "Version": rows["version_id"].map(version_labels),
        "Question": rows["question_id"].map(wording),
        "Place in survey": rows["position"].astype("int64"),
        "Stopped here": rows["stopped_here"].astype("int64"),
        "Share of unfinished interviews (%)": (rows["stopped_share"] * 100).round(1),
    }).reset_index(drop=True))


def comparison_counts(comparison: pd.DataFrame) -> dict[str, int]:
    """Return how many questions were clearly better, clearly worse, mixed, too close to call, or in one version."""
    counts = comparison["verdict"].value_counts()
    return {key: int(counts.get(key, 0)) for key in VERDICTS}


def comparison_sentence(comparison: pd.DataFrame, label_b: str) -> str:
    """Return the lead sentence: what version B did better and worse, and how many were too close to call."""
    counts = comparison_counts(comparison)
    def how_many(n: int) -> str:
        return "none" if n == 0 else plural(n, "question")

    sentence = (f"{label_b} got clearly better answers to {how_many(counts['better'])} "
                f"and clearly worse answers to {how_many(counts['worse'])}.")
    close = counts["too_close"] + counts["mixed"]
    if close:
        sentence += f" {plural(close, 'question')} {'was' if close == 1 else 'were'} too close to call"
        sentence += f" or went both ways ({counts['mixed']:,} went both ways)." if counts["mixed"] else "."
    return sentence


def comparison_table(comparison: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return (questions in both versions, questions in only one) as tables people read.

    The first has each question's wording, quality in A and B, the change, and whether it is
    real; its numbers stay numbers, so the table sorts by them. The second says which version
    has the question and its quality there.
    """
    both = comparison[comparison["verdict"] != "one_side"]
    table = pd.DataFrame({
        "Question": both["wording_b"].combine_first(both["wording_a"]),
        "Answer quality A": both["quality_a"].round(1),
        "Answer quality B": both["quality_b"].round(1),
        "Change": both["quality_diff"].round(1),
        "Is the change real?": both["verdict"].map(VERDICTS),
        "Clearly better in": both["better_measures"],
        "Clearly worse in": both["worse_measures"],
        "Checker score A": both["score_a"].round(0),
        "Checker score B": both["score_b"].round(0),
    })
    one = comparison[comparison["verdict"] == "one_side"]
    only = pd.DataFrame({
        "Question": one["wording_b"].combine_first(one["wording_a"]),
        "In version": np.where(one["quality_b"].notna() | one["wording_b"].notna(), "B", "A"),
        "Answer quality": one["quality_b"].combine_first(one["quality_a"]).round(1),
    })
    return no_blanks(table.reset_index(drop=True)), no_blanks(only.reset_index(drop=True))


def exact_figures(detail: pd.DataFrame) -> pd.DataFrame:
    """Return one question's exact figures (compare.compare_long) with percentages and readable p-values."""
    rows = []
    for record in detail.to_dict("records"):
        scale = 1 if record["measure"] in (MEASURE_LABELS["quality_index"], MEASURE_LABELS["median_words"]) else 100
        unit = "" if scale == 1 else PERCENT_SUFFIX

        def number(value: float, unit_scale: int = scale) -> float:
            return np.nan if value is None or pd.isna(value) else round(float(value) * unit_scale, 1)

        rows.append({
            "Measure": record["measure"] + unit,
            "Version A": number(record["a"]),
            "Version B": number(record["b"]),
            "Change": number(record["diff"]),
            "Likely change from": number(record["ci_low"]),
            "Likely change to": number(record["ci_high"]),
            "Chance of a change this big by luck": format_p(record["p_value"]),
            "Test": record["test"] or "",
        })
    return no_blanks(pd.DataFrame(rows))


def correlation_sentence(rho: float, p_value: float, n: int) -> tuple[str, str]:
    """Return (plain sentence, exact figures) for checker score against answer quality."""
    if n < 3 or rho != rho:
        return "", ""
    if p_value >= 0.05 or abs(rho) < 0.1:
        plain = f"Across {plural(n, 'question')}, clearer wording did not clearly go with better or worse answers."
    else:
        direction = "better" if rho > 0 else "worse"
        plain = f"Across {plural(n, 'question')}, clearer wording usually went with {direction} answers."
    exact = f"Spearman's rank correlation {rho:.2f}; chance of a link this strong by luck {format_p(p_value)}."
    return plain, exact


__all__ = [
    "INTERVIEW_HEADERS",
    "VERDICTS",
    "chart_names",
    "comparison_counts",
    "comparison_sentence",
    "comparison_table",
    "correlation_sentence",
    "dropoff_table",
    "exact_figures",
    "format_p",
    "interviews_table",
    "kind_label",
    "no_blanks",
    "plural",
    "questions_table",
    "short_label",
]
