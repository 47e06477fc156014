"""Plotly figures for the Explore page (no Streamlit here): rates by question, version against
version, checker score against answer quality, where unfinished interviews stopped, common terms.

Every builder takes a data frame from analysis/ and returns a plotly Figure; an empty frame gives
an empty figure with a plain note instead of an error.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from analysis.quality import MEASURE_LABELS

# Opt-outs and answers stacked to 100%, in this order.
STACK = (
    ("answered_rate", "Answered", "#2b8cbe"),
    ("prefer_not_rate", "Prefer not to say", "#a6bddb"),
    ("dont_know_rate", "Don't know", "#fdae6b"),
    ("skipped_rate", "Skipped", "#e6550d"),
)
COLOUR_A = "#969696"
COLOUR_B = "#2b8cbe"


def _empty(message: str) -> go.Figure:
    figure = go.Figure()
    figure.add_annotation(text=message, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper")
    figure.update_xaxes(visible=False)
    figure.update_yaxes(visible=False)
    figure.update_layout(height=200)
    return figure


def rates_by_question(measures: pd.DataFrame, title: str = "How each question was answered") -> go.Figure:
    """Return a stacked bar chart per question: answered, prefer not to say, don't know, skipped."""
    rows = measures[measures["asked"] > 0]
    if rows.empty:
        return _empty("There are no answers to show.")
    labels = rows["name"].astype(str)
    figure = go.Figure()
    for column, label, colour in STACK:
        figure.add_bar(y=labels, x=rows[column] * 100, name=label, orientation="h", marker_color=colour,
                       hovertemplate="%{y}: %{x:.1f}%<extra>" + label + "</extra>")
    figure.update_layout(barmode="stack", title=title, xaxis_title="Share of times asked (%)",
                         yaxis=dict(autorange="reversed"), height=max(320, 22 * len(rows) + 120),
                         legend=dict(orientation="h", y=-0.1))
    return figure


def measure_by_question(measures: pd.DataFrame, measure: str) -> go.Figure:
    """Return a bar chart of one measure per question (rates shown as %)."""
    rows = measures[measures[measure].notna()]
    if rows.empty:
        return _empty("There are no answers to show.")
    is_rate = measure.endswith("_rate") or measure.endswith("_share")
    values = rows[measure] * 100 if is_rate else rows[measure]
    figure = go.Figure(go.Bar(y=rows["name"].astype(str), x=values, orientation="h", marker_color=COLOUR_B))
    figure.update_layout(title=MEASURE_LABELS.get(measure, measure),
                         xaxis_title="%" if is_rate else MEASURE_LABELS.get(measure, measure),
                         yaxis=dict(autorange="reversed"), height=max(320, 22 * len(rows) + 120))
    return figure


def version_dumbbell(comparison: pd.DataFrame, measure: str = "quality", label_a: str = "Version A",
                     label_b: str = "Version B") -> go.Figure:
    """Return a dumbbell chart: each question's measure in version A and B joined by a line."""
    a_col, b_col = f"{measure}_a", f"{measure}_b"
    rows = comparison[comparison[a_col].notna() & comparison[b_col].notna()]
    if rows.empty:
        return _empty("There are no questions in both versions with answers.")
    scale = 1 if measure in ("quality", "median_words", "score") else 100
    names = rows["name"].astype(str).tolist()
    figure = go.Figure()
    # One trace for every joining line (gaps between them), so a long survey draws quickly.
    xs, ys = [], []
    for name, a, b in zip(names, rows[a_col] * scale, rows[b_col] * scale):
        xs += [a, b, None]
        ys += [name, name, None]
    figure.add_trace(go.Scatter(x=xs, y=ys, mode="lines", line=dict(color="#bdbdbd"), showlegend=False,
                                hoverinfo="skip"))
    figure.add_trace(go.Scatter(x=rows[a_col] * scale, y=names, mode="markers", name=label_a,
                                marker=dict(color=COLOUR_A, size=10)))
    figure.add_trace(go.Scatter(x=rows[b_col] * scale, y=names, mode="markers", name=label_b,
                                marker=dict(color=COLOUR_B, size=10)))
    label = "Answer quality (0 to 100)" if measure == "quality" else MEASURE_LABELS.get(measure, measure)
    figure.update_layout(title=f"{label}: one version against the other",
                         xaxis_title=label + ("" if scale == 1 else " (%)"),
                         yaxis=dict(autorange="reversed"), height=max(320, 22 * len(rows) + 120),
                         legend=dict(orientation="h", y=-0.1))
    return figure


def score_vs_quality(points: pd.DataFrame) -> go.Figure:
    """Return a scatter of checker score (x) against answer quality (y), one dot per question wording.

    POINTS needs columns score, quality_index, name and version (a label).
    """
    rows = points[points["score"].notna() & points["quality_index"].notna()]
    if rows.empty:
        return _empty("There are no scores and answers to compare yet.")
    figure = go.Figure()
    for version, part in rows.groupby("version", sort=False):
        figure.add_trace(go.Scatter(
            x=part["score"], y=part["quality_index"], mode="markers", name=str(version),
            text=part["name"], hovertemplate="%{text}<br>Score %{x:.0f}, quality %{y:.0f}<extra></extra>",
            marker=dict(size=9, opacity=0.8),
        ))
    figure.update_layout(title="Are clearer questions answered better?",
                         xaxis_title="Question checker score (0 to 100)",
                         yaxis_title="Answer quality (0 to 100)", height=460,
                         legend=dict(orientation="h", y=-0.15))
    return figure


def dropoff_chart(dropoff: pd.DataFrame) -> go.Figure:
    """Return a bar chart of how many unfinished interviews stopped at each question."""
    rows = dropoff[dropoff["stopped_here"] > 0]
    if rows.empty:
        return _empty("No interviews were left unfinished.")
    figure = go.Figure(go.Bar(x=rows["name"].astype(str), y=rows["stopped_here"], marker_color="#e6550d"))
    figure.update_layout(title="Where unfinished interviews stopped (last question answered)",
                         yaxis_title="Interviews", height=360)
    return figure


def terms_chart(terms: pd.DataFrame, title: str = "Words and phrases that came up most") -> go.Figure:
    """Return a bar chart of common terms and how many answers used them."""
    if terms.empty:
        return _empty("There are no open answers to show.")
    figure = go.Figure(go.Bar(y=terms["term"], x=terms["count"], orientation="h", marker_color=COLOUR_B))
    figure.update_layout(title=title, xaxis_title="Answers", yaxis=dict(autorange="reversed"),
                         height=max(300, 22 * len(terms) + 120))
    return figure


__all__ = [
    "dropoff_chart",
    "measure_by_question",
    "rates_by_question",
    "score_vs_quality",
    "terms_chart",
    "version_dumbbell",
]
