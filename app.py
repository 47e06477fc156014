"""Peer Survey Studio: the home page. Other pages live in pages/ and show in the sidebar."""

import streamlit as st

from surveys.storage import core as store
from ui.common import PAGE_ROLES, get_db, require_role, synthetic_notice

st.set_page_config(page_title="Peer Survey Studio", page_icon="💬", layout="wide")

db = get_db()
user = require_role(db, "home")

st.title("Peer Survey Studio")
st.write(
    "A tool for peer researchers, staff and the people they interview to make a survey together, "
    "ask it, and see if the answers got better."
)

st.header("What you can do here")
col_design, col_interview, col_explore = st.columns(3)
with col_design:
    st.markdown("**1. Design**")
    st.write("Write and reword questions as a group. The tool points out words that may be hard, "
             "unkind or confusing, and what to say instead.")
    if user["role"] in PAGE_ROLES["design"]:
        st.page_link("pages/1_Design.py", label="Go to Design", icon=":material/edit:")
with col_interview:
    st.markdown("**2. Interview**")
    st.write("Ask the questions with someone, on a laptop, with no internet. Every answer is saved "
             "as soon as you give it.")
    if user["role"] in PAGE_ROLES["interview"]:
        st.page_link("pages/2_Interview.py", label="Go to Interview", icon=":material/record_voice_over:")
with col_explore:
    st.markdown("**3. Explore**")
    st.write("See which questions got good answers, and compare one version of the survey with another.")
    if user["role"] in PAGE_ROLES["explore"]:
        st.page_link("pages/3_Explore.py", label="Go to Explore", icon=":material/bar_chart:")

st.header("What is saved now")
counts = store.database_summary(db)
if store.is_empty(db):
    st.info("There are no surveys yet. Start one on the Design page, or run `make run` to load the demo.")
else:
    synthetic_notice(db)
    a, b, c, d = st.columns(4)
    a.metric("Surveys", counts["survey"])
    b.metric("Versions", counts["survey_version"])
    c.metric("Interviews", f"{counts['interview']:,}")
    d.metric("Answers", f"{counts['answer']:,}")
    rows = [
        {
            "Survey": v["survey_name"],
            "Version": v["label"],
            "State": {"draft": "Draft", "published": "Ready to use", "retired": "No longer used"}[v["status"]],
            "Questions": v["questions"],
            "Interviews": v["interviews"],
        }
        for v in store.list_versions(db)
    ]
    st.dataframe(rows, hide_index=True, width="stretch")
