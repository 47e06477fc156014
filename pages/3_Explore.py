"""Explore: how good the answers to each question are, and one version against another."""

import datetime as dt

import pandas as pd
import streamlit as st

from analysis import charts, compare, quality, summary, themes
from surveys.storage import open_database
from surveys.storage import core as store
from surveys.storage import quality as quality_store
from ui.common import db_path, get_db, page_header, require_role, synthetic_notice, version_label

st.set_page_config(page_title="Explore – Peer Survey Studio", page_icon="📊", layout="wide")
db = get_db()
user = require_role(db, "explore")
page_header("Explore", "See which questions got good answers, and compare versions.")

EVERYONE = ""
NO_INTERVIEWS = "There are no interviews for this version yet."
SPLITS = {"": "No split", "interviewer": "By interviewer", "month": "By month"}
for key, default in (("explore_by", ""), ("explore_search", ""), ("explore_summary_for", None)):
    st.session_state.setdefault(key, default)


# ---- cached work: each takes the database path, the filters and a data stamp ----------------


def _open(path: str):
    return open_database(path, migrate_now=False)


@st.cache_data(show_spinner=False, max_entries=16)
def load_filter_choices(path, version_ids, stamp) -> tuple[list[dict], tuple]:
    """Return the interviewers of these versions and their first and last interview times."""
    conn = _open(path)
    try:
        return (quality_store.interviewers(conn, list(version_ids)),
                quality_store.interview_date_range(conn, list(version_ids)))
    finally:
        conn.conn.close()


@st.cache_data(show_spinner=False, max_entries=16)
def load_measures(path, version_ids, interviewer_id, start, end, by, stamp) -> pd.DataFrame:
    """Return the per-question measures for the filters."""
    conn = _open(path)
    try:
        return quality.question_measures(conn, list(version_ids), interviewer_id, start, end, by or None)
    finally:
        conn.conn.close()


@st.cache_data(show_spinner=False, max_entries=16)
def load_interviews(path, version_ids, interviewer_id, start, end, stamp) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return (interview summary per version, drop-off per question) for the filters."""
    conn = _open(path)
    try:
        interviews = quality.interview_measures(conn, list(version_ids), interviewer_id, start, end)
        dropoff = quality.dropoff_by_question(conn, list(version_ids), interviewer_id, start, end)
        return quality.interview_summary(interviews), dropoff
    finally:
        conn.conn.close()


@st.cache_data(show_spinner=False, max_entries=16)
def load_comparison(path, version_a, version_b, interviewer_id, start, end, stamp) -> pd.DataFrame:
    """Return version A against version B, question by question."""
    conn = _open(path)
    try:
        return compare.compare_versions(conn, version_a, version_b, interviewer_id, start, end)
    finally:
        conn.conn.close()


@st.cache_data(show_spinner=False, max_entries=16)
def load_wording(path, version_ids, interviewer_id, start, end, stamp) -> pd.DataFrame:
    """Return checker score and quality index per question."""
    conn = _open(path)
    try:
        return compare.wording_and_quality(conn, list(version_ids), interviewer_id, start, end)
    finally:
        conn.conn.close()


@st.cache_data(show_spinner=False, max_entries=32)
def load_terms(path, version_id, question_id, interviewer_id, start, end, stamp) -> pd.DataFrame:
    """Return the common words and phrases in one question's open answers."""
    conn = _open(path)
    try:
        texts = themes.open_texts(conn, version_id, question_id or None,
                                  interviewer_id=interviewer_id, start=start, end=end)
        return themes.common_terms(texts, top=20)
    finally:
        conn.conn.close()


@st.cache_data(show_spinner=False, max_entries=32)
def load_search(path, version_id, text, question_id, interviewer_id, start, end, stamp) -> pd.DataFrame:
    """Return matching open answers with personal details masked."""
    conn = _open(path)
    try:
        return themes.search_answers(conn, version_id, text, question_id or None,
                                     interviewer_id=interviewer_id, start=start, end=end, limit=200)
    finally:
        conn.conn.close()


@st.cache_data(show_spinner=False, max_entries=8)
def load_summary(path, version_id, stamp) -> str:
    """Return the "You said, we did" Markdown for a version."""
    conn = _open(path)
    try:
        return summary.you_said_we_did(conn, version_id)
    finally:
        conn.conn.close()


def download(frame: pd.DataFrame, name: str, label: str = "Download this table") -> None:
    """Draw a CSV download for FRAME; the file is only made when someone clicks."""
    st.download_button(label, data=lambda: frame.to_csv(index=False), file_name=f"{name}.csv",
                       mime="text/csv", key=f"explore_download_{name}", on_click="ignore")


def percent(frame: pd.DataFrame, columns) -> pd.DataFrame:
    """Return FRAME with share columns shown as whole percentages."""
    frame = frame.copy()
    for column in columns:
        if column in frame:
            frame[column] = (frame[column] * 100).round(1)
    return frame


# ---- filters ----------------------------------------------------------------------------------

versions = [v for v in store.list_versions(db) if v["interviews"]]
if not versions:
    st.info("There are no interviews yet, so there is nothing to show.")
    st.stop()
synthetic_notice(db)
path = str(db_path())
stamp = quality_store.data_stamp(db)
surveys = {v["survey_id"]: v["survey_name"] for v in versions}
by_id = {v["id"]: v for v in versions}

left, middle, right = st.columns(3)
with left:
    survey_id = st.selectbox("Survey", list(surveys), format_func=surveys.get, key="explore_survey")
survey_versions = [v["id"] for v in versions if v["survey_id"] == survey_id]
if any(v not in survey_versions for v in st.session_state.get("explore_versions", [])):
    st.session_state["explore_versions"] = survey_versions
st.session_state.setdefault("explore_versions", survey_versions)
with middle:
    chosen = st.multiselect("Versions", survey_versions, format_func=lambda vid: version_label(by_id[vid]),
                            key="explore_versions", placeholder="Pick one or more versions")
people, (first, last) = load_filter_choices(path, tuple(survey_versions), stamp)
names = {EVERYONE: "Everyone", **{p["id"]: p["display_name"] for p in people}}
with right:
    interviewer = st.selectbox("Interviewer", list(names), format_func=names.get, key="explore_interviewer")
first_day = dt.date.fromisoformat(first[:10]) if first else dt.date.today()
last_day = dt.date.fromisoformat(last[:10]) if last else dt.date.today()
# A new survey starts with its own first and last interview days.
if st.session_state.get("explore_days_for") != survey_id:
    st.session_state["explore_days_for"] = survey_id
    st.session_state["explore_start"] = first_day
    st.session_state["explore_end"] = last_day
day_a, day_b = st.columns(2)
start = day_a.date_input("First day", key="explore_start", format="DD/MM/YYYY")
end = day_b.date_input("Last day", key="explore_end", format="DD/MM/YYYY")

if not chosen:
    st.info("Pick at least one version to see its figures.")
    st.stop()
if start and end and start > end:
    st.error("The first day is after the last day. Swap them round.")
    st.stop()
filters = (tuple(chosen), interviewer or None, start, end)
labels = {vid: version_label(by_id[vid]) for vid in chosen}

with st.spinner("Working out the figures…"):
    measures = load_measures(path, *filters, None, stamp)
    interview_table, dropoff = load_interviews(path, *filters, stamp)

tab_questions, tab_versions, tab_wording, tab_open, tab_summary = st.tabs(
    ["Questions", "Version against version", "Wording and quality", "Open answers", "You said, we did"]
)

# ---- questions --------------------------------------------------------------------------------

with tab_questions:
    if measures.empty or measures["asked"].sum() == 0:
        st.info(NO_INTERVIEWS if len(chosen) == 1 else "There are no answers for these choices yet.")
    else:
        overview = interview_table.assign(version=interview_table["version_id"].map(labels))
        cols = st.columns(4)
        cols[0].metric("Interviews", f"{int(overview['interviews'].sum()):,}")
        cols[1].metric("Not finished", f"{int(overview['unfinished'].sum()):,}")
        cols[2].metric("Answers", f"{int(measures['asked'].sum()):,}",
                       help="How many times a question was asked, across all these interviews.")
        cols[3].metric("Middle quality", f"{measures['quality_index'].median():.0f}",
                       help="Answer quality is a score out of 100. Half the questions score more than this.")
        st.header("Interviews")
        shown = overview.rename(columns={
            "version": "Version", "interviews": "Interviews", "finished": "Finished", "unfinished": "Not finished",
            "declined": "Said no to taking part", "median_minutes": "Middle length (minutes)",
            "straight_lining_share": "Same answer to every scale question (%)",
        }).drop(columns=["version_id"])
        # The version first, so people see which row is which without scrolling sideways.
        shown = shown[["Version", *[c for c in shown.columns if c != "Version"]]]
        shown["Middle length (minutes)"] = shown["Middle length (minutes)"].round(1)
        shown = percent(shown, ["Same answer to every scale question (%)"])
        st.dataframe(shown, hide_index=True, width="stretch", key="explore_table_interviews")
        download(shown, "interviews")

        st.header("Each question")
        split = st.selectbox("Split the figures", list(SPLITS), format_func=SPLITS.get, key="explore_by")
        table = measures if not split else load_measures(path, *filters, split, stamp)
        if split == "interviewer":
            table = table.assign(group=table["group"].map(names).fillna("Not recorded"))
        table = table.assign(version=table["version_id"].map(labels))
        view = table[["version", "name", "group", "wording", "type", "topic", *quality.MEASURE_COLUMNS]]
        if not split:
            view = view.drop(columns=["group"])
        view = percent(view, quality.RATE_COLUMNS).rename(
            columns={**quality.MEASURE_LABELS, "version": "Version", "name": "Question", "group": "Group",
                     "wording": "Wording", "type": "Kind", "topic": "Topic"}
        )
        st.dataframe(view, hide_index=True, width="stretch", key="explore_table_questions")
        download(view, "questions")
        named = measures.assign(name=measures["name"] + measures["version_id"].map(
            lambda vid: f" (v{by_id[vid]['number']})" if len(chosen) > 1 else ""))
        st.plotly_chart(charts.rates_by_question(named), key="explore_chart_rates", width="stretch")
        st.plotly_chart(charts.measure_by_question(named, "quality_index"), key="explore_chart_quality",
                        width="stretch")
        st.header("Where unfinished interviews stopped")
        stops = dropoff.assign(version=dropoff["version_id"].map(labels))
        stops = stops[["version", "name", "position", "stopped_here", "unfinished", "stopped_share"]]
        stops = percent(stops, ["stopped_share"]).rename(columns={
            "version": "Version", "name": "Question", "position": "Place in survey",
            "stopped_here": "Stopped here", "unfinished": "Not finished (all)", "stopped_share": "Share (%)",
        })
        st.plotly_chart(charts.dropoff_chart(dropoff), key="explore_chart_dropoff", width="stretch")
        st.dataframe(stops, hide_index=True, width="stretch", key="explore_table_dropoff")
        download(stops, "dropoff")

# ---- version against version ------------------------------------------------------------------

with tab_versions:
    if len(chosen) < 2:
        st.info("Pick two versions above to compare them.")
    else:
        col_a, col_b = st.columns(2)
        version_a = col_a.selectbox("Version A (before)", chosen, index=0, format_func=labels.get,
                                    key="explore_version_a")
        version_b = col_b.selectbox("Version B (after)", chosen, index=1, format_func=labels.get,
                                    key="explore_version_b")
        if version_a == version_b:
            st.warning("Pick two different versions.")
        else:
            with st.spinner("Comparing the versions…"):
                comparison = load_comparison(path, version_a, version_b, *filters[1:], stamp)
            if comparison.empty:
                st.info("One of these versions has no answers for these choices yet.")
            else:
                better = int((comparison["quality_diff"] > 0).sum())
                worse = int(comparison["got_worse"].sum())
                st.write(f"{better} questions got better answers and {worse} got worse answers.")
                st.plotly_chart(
                    charts.version_dumbbell(comparison, "quality", labels[version_a], labels[version_b]),
                    key="explore_chart_versions", width="stretch",
                )
                view = comparison[["name", "wording_a", "wording_b", "quality_a", "quality_b", "quality_diff",
                                   "score_a", "score_b", "got_worse", "better_measures", "worse_measures"]]
                view = view.rename(columns={
                    "name": "Question", "wording_a": "Wording A", "wording_b": "Wording B",
                    "quality_a": "Quality A", "quality_b": "Quality B", "quality_diff": "Change",
                    "score_a": "Checker score A", "score_b": "Checker score B", "got_worse": "Got worse",
                    "better_measures": "Clearly better", "worse_measures": "Clearly worse",
                }).round(1)
                st.dataframe(view, hide_index=True, width="stretch", key="explore_table_compare")
                download(view, "compare", "Download the comparison")
                download(comparison, "compare_all_figures", "Download every figure")
                pick = st.selectbox("See every figure for one question", comparison["lineage_id"].tolist(),
                                    format_func=dict(zip(comparison["lineage_id"], comparison["name"])).get,
                                    key="explore_compare_question")
                detail = compare.compare_long(comparison, pick).rename(columns={
                    "measure": "Measure", "a": "Version A", "b": "Version B", "diff": "Change",
                    "ci_low": "Lowest likely change", "ci_high": "Highest likely change",
                    "p_value": "Chance it is luck (p)", "test": "Test",
                })
                st.dataframe(detail, hide_index=True, width="stretch", key="explore_table_compare_question")
                download(detail, "compare_question", "Download this question's figures")
                st.caption("Changes in shares are B minus A. The likely range is a 95% interval. "
                           "A small chance it is luck (below 0.05) means the change is probably real.")

# ---- wording and quality ----------------------------------------------------------------------

with tab_wording:
    with st.spinner("Checking the wording…"):
        points = load_wording(path, *filters, stamp)
    if points.empty:
        st.info("There are no answers for these choices yet.")
    else:
        rho, p_value, n = compare.score_quality_correlation(points)
        if n >= 3 and rho == rho:
            direction = "better" if rho > 0 else "worse"
            st.write(f"Across {n} questions, clearer wording went with {direction} answers "
                     f"(rank link {rho:.2f}, chance it is luck {p_value:.3g}).")
        st.plotly_chart(charts.score_vs_quality(points), key="explore_chart_wording", width="stretch")
        view = points[["version", "name", "wording", "score", "quality_index", "asked"]].rename(columns={
            "version": "Version", "name": "Question", "wording": "Wording", "score": "Checker score",
            "quality_index": "Answer quality", "asked": "Times asked",
        }).round(1)
        st.dataframe(view, hide_index=True, width="stretch", key="explore_table_wording")
        download(view, "wording")

# ---- open answers -----------------------------------------------------------------------------

with tab_open:
    open_version = st.selectbox("Version", chosen, format_func=labels.get, key="explore_open_version")
    open_questions = measures[(measures["version_id"] == open_version) & measures["type"].isin(quality_store.OPEN_TYPES)]
    question_names = {"": "Every open question", **dict(zip(open_questions["question_id"], open_questions["name"]))}
    question_id = st.selectbox("Question", list(question_names), format_func=question_names.get,
                               key="explore_open_question")
    if open_questions.empty or open_questions["open_answers"].sum() == 0:
        st.info("There are no open answers for these choices yet.")
    else:
        with st.spinner("Finding common words…"):
            terms = load_terms(path, open_version, question_id, *filters[1:], stamp)
        if themes.language_model() is None:
            st.caption(themes.FALLBACK_NOTE)
        st.plotly_chart(charts.terms_chart(terms), key="explore_chart_terms", width="stretch")
        shown_terms = terms.rename(columns={"term": "Word or phrase", "kind": "Kind", "count": "Answers"})
        st.dataframe(shown_terms, hide_index=True, width="stretch", key="explore_table_terms")
        download(shown_terms, "terms")
        search = st.text_input("Look for words in the answers", key="explore_search",
                               placeholder="For example: council")
        with st.spinner("Looking through the answers…"):
            found = load_search(path, open_version, search, question_id, *filters[1:], stamp)
        st.write(f"{len(found)} answers shown. Names, phone numbers and other personal details are hidden.")
        view = found[["question", "answer", "words", "started_at"]].rename(columns={
            "question": "Question", "answer": "Answer", "words": "Words", "started_at": "Interview started",
        })
        st.dataframe(view, hide_index=True, width="stretch", key="explore_table_answers")
        download(view, "answers")

# ---- you said, we did -------------------------------------------------------------------------

with tab_summary:
    st.write("A short summary to give back to the people you talked with. Add what you changed.")
    summary_version = st.selectbox("Version", chosen, format_func=labels.get, key="explore_summary_version")
    if st.button("Make the summary", key="explore_make_summary"):
        st.session_state["explore_summary_for"] = summary_version
    if st.session_state["explore_summary_for"] == summary_version:
        with st.spinner("Writing the summary…"):
            text = load_summary(path, summary_version, stamp)
        st.download_button("Download the summary (Markdown)", data=text, file_name="you-said-we-did.md",
                           mime="text/markdown", key="explore_download_summary", on_click="ignore")
        # The summary escapes everything people typed, and Markdown here never renders HTML.
        st.markdown(text)
