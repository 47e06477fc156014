"""Explore: how good the answers to each question are, and one version against another."""

import datetime as dt

import pandas as pd
import streamlit as st

from analysis import charts, compare, quality, summary, tables, themes
from surveys import downloads, languages
from surveys.storage import open_database
from surveys.storage import core as store
from surveys.storage import quality as quality_store
from ui.common import PAGE_ROLES, STATUS_LABELS, db_path, get_db, page_header, require_role, synthetic_notice
from ui.design.evidence import look_again_links

st.set_page_config(page_title="Explore – Peer Survey Studio", page_icon="📊", layout="wide")
db = get_db()
user = require_role(db, "explore")
page_header("Explore", "See which questions got good answers, and compare versions.")

EVERYONE = ""
NO_INTERVIEWS = "There are no interviews for this version yet."
SPLITS = {"": "Everyone together", "interviewer": "Each interviewer", "month": "Each month"}
TABS = ("Questions", "Version against version", "Wording and quality", "Open answers", "You said, we did")
for key, default in (("explore_by", ""), ("explore_search", ""), ("explore_summary_for", None),
                     ("explore_tab", TABS[0])):
    st.session_state.setdefault(key, default)


# ---- cached work: each takes the database path, the filters and a data stamp ----------------
# Every figure comes from running totals that new answers update (surveys/storage/quality.py),
# so when the stamp changes a recount reads a few thousand rows, never every answer.


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
        dropoff = quality.dropoff_by_question(conn, list(version_ids), interviewer_id, start, end,
                                              interviews=interviews)
        return quality.interview_summary(interviews), dropoff
    finally:
        conn.conn.close()


@st.cache_data(show_spinner=False, max_entries=8)
def load_scores(path, version_ids, question_stamp) -> dict:
    """Return the question checker's score per question: it changes only when questions change."""
    conn = _open(path)
    try:
        return compare.question_scores(conn, list(version_ids))
    finally:
        conn.conn.close()


@st.cache_data(show_spinner=False, max_entries=16)
def load_comparison(path, version_a, version_b, interviewer_id, start, end, stamp, scores) -> pd.DataFrame:
    """Return version A against version B, question by question."""
    conn = _open(path)
    try:
        return compare.compare_versions(conn, version_a, version_b, interviewer_id, start, end, scores=scores)
    finally:
        conn.conn.close()


@st.cache_data(show_spinner=False, max_entries=16)
def load_wording(path, version_ids, interviewer_id, start, end, stamp, scores) -> pd.DataFrame:
    """Return checker score and quality index per question."""
    conn = _open(path)
    try:
        return compare.wording_and_quality(conn, list(version_ids), interviewer_id, start, end, scores=scores)
    finally:
        conn.conn.close()


@st.cache_data(show_spinner=False, max_entries=32)
def load_terms(path, version_id, question_id, interviewer_id, start, end, stamp, waiting) -> pd.DataFrame:
    """Return the common words and phrases in one question's open answers (stored when each was read)."""
    conn = _open(path)
    try:
        return themes.stored_common_terms(conn, version_id, question_id or None,
                                          interviewer_id=interviewer_id, start=start, end=end, top=20)
    finally:
        conn.conn.close()


@st.cache_data(show_spinner=False, max_entries=32)
def load_search(path, version_id, text, question_id, interviewer_id, start, end, stamp, waiting) -> pd.DataFrame:
    """Return matching open answers, searched and shown as masked text only."""
    conn = _open(path)
    try:
        return themes.search_answers(conn, version_id, text, question_id or None, interviewer_id=interviewer_id,
                                     start=start, end=end, limit=200, read_first=False)
    finally:
        conn.conn.close()


@st.cache_data(show_spinner=False, max_entries=8)
def load_summary(path, version_id, stamp, waiting) -> str:
    """Return the "You said, we did" Markdown for a version."""
    conn = _open(path)
    try:
        return summary.you_said_we_did(conn, version_id, read_first=False)
    finally:
        conn.conn.close()


def answers_still_waiting() -> int:
    """Return how many new open answers are still being read, after starting the reader if need be.

    New answers are read once (personal details, masks, common words) in a process of their own,
    so the page never waits for the language model; until then they are left out.
    """
    waiting = themes.waiting_answers(db)
    if waiting:
        themes.read_in_background(path)
    return waiting


def waiting_note(waiting: int) -> None:
    if waiting:
        st.caption(f"{tables.plural(waiting, 'new answer')} {'is' if waiting == 1 else 'are'} still being read "
                   "for personal details, so they are not shown yet. Open this tab again in a moment.")


def download(frame: pd.DataFrame, name: str, label: str = "Download this table") -> None:
    """Draw a download for FRAME through the one safe writer: made, checked and logged when clicked."""
    file_name = f"{name}.csv"
    st.download_button(
        label, key=f"explore_download_{name}", file_name=file_name, mime=downloads.CSV_MIME, on_click="ignore",
        data=downloads.logged_download(path, user["actor"], f"Explore table: {name}", file_name,
                                       lambda: downloads.csv_bytes(*downloads.frame_table(frame)),
                                       rows=len(frame), roles=PAGE_ROLES["explore"]),
    )


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

# Survey and interviewer share a row; the versions get a row of their own, so every picked
# version's name can be read in full.
left, right = st.columns(2)
with left:
    survey_id = st.selectbox("Survey", list(surveys), format_func=surveys.get, key="explore_survey")
survey_versions = [v["id"] for v in versions if v["survey_id"] == survey_id]
if any(v not in survey_versions for v in st.session_state.get("explore_versions", [])):
    st.session_state["explore_versions"] = survey_versions
st.session_state.setdefault("explore_versions", survey_versions)
# The survey is picked already, so a version is named by its own label: short enough to read in full.
short_names = {vid: f"{by_id[vid]['label'] or 'Version ' + str(by_id[vid]['number'])}" for vid in survey_versions}
chosen = st.multiselect("Versions", survey_versions, format_func=short_names.get,
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
# The survey is picked above, so tables and menus name each version by its own label and state.
labels = {vid: f"{short_names[vid]} ({STATUS_LABELS[by_id[vid]['status']]})" for vid in chosen}
numbers = {vid: by_id[vid]["number"] for vid in chosen}

with st.spinner("Working out the figures…"):
    measures = load_measures(path, *filters, None, stamp)
# New open answers start being read now, so they are ready when someone opens Open answers.
answers_still_waiting()
wording = dict(zip(measures["question_id"], measures["wording"]))

# Only the open tab is worked out (the others wait until someone opens them).
tab_questions, tab_versions, tab_wording, tab_open, tab_summary = st.tabs(list(TABS), key="explore_tab",
                                                                          on_change="rerun")

# ---- questions --------------------------------------------------------------------------------

if tab_questions.open:
    with tab_questions:
        if measures.empty or measures["asked"].sum() == 0:
            st.info(NO_INTERVIEWS if len(chosen) == 1 else "There are no answers for these choices yet.")
        else:
            with st.spinner("Working out the figures…"):
                interview_summary, dropoff = load_interviews(path, *filters, stamp)
            cols = st.columns(4)
            cols[0].metric("Interviews", f"{int(interview_summary['interviews'].sum()):,}")
            cols[1].metric("Not finished", f"{int(interview_summary['unfinished'].sum()):,}")
            cols[2].metric("Answers", f"{int(measures['asked'].sum()):,}",
                           help="How many times a question was asked, across all these interviews.")
            # "95/100", not "95 out of 100": the longer words were cut off in a quarter of the page.
            cols[3].metric("Usual answer quality", f"{measures['quality_index'].median():.0f}/100",
                           help="A score out of 100. Half the questions score more than this, and half score less.")
            st.header("Interviews")
            shown = tables.interviews_table(interview_summary, labels)
            st.dataframe(shown, hide_index=True, width="stretch", key="explore_table_interviews")
            download(shown, "interviews")

            st.header("Each question")
            spoken = languages.interview_language_names(db, chosen)
            splits = {**SPLITS, **({"language": "Each language"} if spoken else {})}
            if st.session_state["explore_by"] not in splits:
                st.session_state["explore_by"] = ""
            split = st.selectbox("Show the figures for", list(splits), format_func=splits.get, key="explore_by")
            table = measures if not split else load_measures(path, *filters, split, stamp)
            group_names = {"interviewer": names, "language": spoken}.get(split, {} if split else None)
            view, words, not_asked = tables.questions_table(table, labels, group_names)
            st.dataframe(view, hide_index=True, width="stretch", key="explore_table_questions")
            download(view, "questions")
            if not_asked:
                st.caption(f"{tables.plural(not_asked, 'question')} {'was' if not_asked == 1 else 'were'} "
                           "not asked yet, so they are left out.")
            with st.expander("Look at these again: the questions people found hardest", expanded=False):
                # Each opens the question on the Design page, beside how it did (issue 16).
                look_again_links(db, survey_id, links=user["role"] in PAGE_ROLES["design"])
            if not words.empty:
                st.subheader("Answers in their own words")
                st.dataframe(words, hide_index=True, width="stretch", key="explore_table_words")
                download(words, "own_words")
            named = tables.chart_names(measures, numbers)
            st.plotly_chart(charts.rates_by_question(named), key="explore_chart_rates", width="stretch")
            st.plotly_chart(charts.measure_by_question(named, "quality_index"), key="explore_chart_quality",
                            width="stretch")
            st.header("Where unfinished interviews stopped")
            stops = tables.dropoff_table(dropoff, wording, labels)
            st.plotly_chart(charts.dropoff_chart(dropoff.assign(name=dropoff["question_id"].map(wording).map(
                tables.short_label))), key="explore_chart_dropoff", width="stretch")
            st.dataframe(stops, hide_index=True, width="stretch", key="explore_table_dropoff")
            download(stops, "dropoff")

# ---- version against version ------------------------------------------------------------------

if tab_versions.open:
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
                    scores = load_scores(path, tuple(chosen), quality_store.question_stamp(db))
                    comparison = load_comparison(path, version_a, version_b, *filters[1:], stamp, scores)
                if comparison.empty:
                    st.info("One of these versions has no answers for these choices yet.")
                else:
                    st.write(tables.comparison_sentence(comparison, short_names[version_b]))
                    st.caption("A change is real when it is big enough that it is very unlikely to be luck. "
                               "The rest are too close to call.")
                    named = comparison.assign(name=comparison["wording_b"].combine_first(
                        comparison["wording_a"]).map(tables.short_label))
                    st.plotly_chart(
                        charts.version_dumbbell(named, "quality", short_names[version_a], short_names[version_b]),
                        key="explore_chart_versions", width="stretch",
                    )
                    view, only_one = tables.comparison_table(comparison)
                    st.dataframe(view, hide_index=True, width="stretch", key="explore_table_compare")
                    download(view, "compare", "Download the comparison")
                    if not only_one.empty:
                        st.subheader("Questions in only one version")
                        st.dataframe(only_one, hide_index=True, width="stretch", key="explore_table_compare_only")
                        download(only_one, "compare_only_one")
                    question_names = dict(zip(comparison["lineage_id"], comparison["wording_b"].combine_first(
                        comparison["wording_a"]).map(tables.short_label)))
                    with st.expander("Exact figures for one question"):
                        pick = st.selectbox("Question", comparison["lineage_id"].tolist(),
                                            format_func=question_names.get, key="explore_compare_question")
                        detail = tables.exact_figures(compare.compare_long(comparison, pick))
                        st.dataframe(detail, hide_index=True, width="stretch",
                                     key="explore_table_compare_question")
                        download(detail, "compare_question", "Download this question's figures")
                        download(comparison, "compare_all_figures", "Download every figure")
                        st.caption("Changes are version B minus version A. The likely change is a 95% confidence "
                                   "interval. The chance by luck is the p-value of the test named.")

# ---- wording and quality ----------------------------------------------------------------------

if tab_wording.open:
    with tab_wording:
        with st.spinner("Checking the wording…"):
            scores = load_scores(path, tuple(chosen), quality_store.question_stamp(db))
            points = load_wording(path, *filters, stamp, scores)
        if points.empty:
            st.info("There are no answers for these choices yet.")
        else:
            plain, exact = tables.correlation_sentence(*compare.score_quality_correlation(points))
            if plain:
                st.write(plain)
                with st.expander("Exact figures"):
                    st.write(exact)
            chart_points = points.assign(name=points["wording"].map(tables.short_label),
                                         version=points["version_id"].map(short_names))
            st.plotly_chart(charts.score_vs_quality(chart_points), key="explore_chart_wording", width="stretch")
            view = tables.no_blanks(pd.DataFrame({
                "Version": points["version_id"].map(labels), "Question": points["wording"],
                "Checker score": points["score"].round(0), "Answer quality": points["quality_index"].round(1),
                "Times asked": points["asked"].astype("int64"),
            }))
            st.dataframe(view, hide_index=True, width="stretch", key="explore_table_wording")
            download(view, "wording")

# ---- open answers -----------------------------------------------------------------------------

if tab_open.open:
    with tab_open:
        waiting = answers_still_waiting()
        waiting_note(waiting)
        open_version = st.selectbox("Version", chosen, format_func=labels.get, key="explore_open_version")
        open_questions = measures[(measures["version_id"] == open_version)
                                  & measures["type"].isin(quality_store.OPEN_TYPES)]
        question_names = {"": "Every open question",
                          **dict(zip(open_questions["question_id"], open_questions["wording"].map(tables.short_label)))}
        question_id = st.selectbox("Question", list(question_names), format_func=question_names.get,
                                   key="explore_open_question")
        if open_questions.empty or open_questions["open_answers"].sum() == 0:
            st.info("There are no open answers for these choices yet.")
        else:
            terms = load_terms(path, open_version, question_id, *filters[1:], stamp, waiting)
            st.plotly_chart(charts.terms_chart(terms), key="explore_chart_terms", width="stretch")
            shown_terms = tables.no_blanks(terms.rename(columns={"term": "Word or phrase", "kind": "Kind",
                                                                 "count": "Answers"}).assign(
                Kind=lambda f: f["Kind"].map({"word": "Word", "phrase": "Phrase"})))
            st.dataframe(shown_terms, hide_index=True, width="stretch", key="explore_table_terms")
            download(shown_terms, "terms")
            search = st.text_input("Look for words in the answers", key="explore_search",
                                   placeholder="For example: council")
            found = load_search(path, open_version, search, question_id, *filters[1:], stamp, waiting)
            st.write(f"{tables.plural(len(found), 'answer')} shown. "
                     "Names, phone numbers and other personal details are hidden.")
            view = tables.no_blanks(pd.DataFrame({
                "Question": found["question_id"].map(wording).map(tables.short_label), "Answer": found["answer"],
                "Words": found["words"].astype("int64"), "Interview started": found["started_at"].str[:10],
            }))
            st.dataframe(view, hide_index=True, width="stretch", key="explore_table_answers")
            download(view, "answers")

# ---- you said, we did -------------------------------------------------------------------------

if tab_summary.open:
    with tab_summary:
        st.write("A short summary to give back to the people you talked with. Add what you changed.")
        summary_version = st.selectbox("Version", chosen, format_func=labels.get, key="explore_summary_version")
        if st.button("Make the summary", key="explore_make_summary"):
            st.session_state["explore_summary_for"] = summary_version
        if st.session_state["explore_summary_for"] == summary_version:
            waiting = answers_still_waiting()
            waiting_note(waiting)
            with st.spinner("Writing the summary…"):
                text = load_summary(path, summary_version, stamp, waiting)
            st.download_button(
                "Download the summary", key="explore_download_summary", file_name="you-said-we-did.md",
                mime=downloads.mime_type("you-said-we-did.md"), on_click="ignore",
                data=downloads.logged_download(path, user["actor"], "Explore: the you said, we did summary",
                                               "you-said-we-did.md", lambda: text, roles=PAGE_ROLES["explore"]))
            # The summary escapes everything people typed, and Markdown here never renders HTML.
            st.markdown(text)
