"""Explore: how good the answers to each question are, and one version against another."""

import streamlit as st

from surveys.storage import core as store
from ui.common import require_role, get_db, page_header, synthetic_notice

st.set_page_config(page_title="Explore – Peer Survey Studio", page_icon="📊", layout="wide")
db = get_db()
user = require_role(db, "explore")
page_header("Explore", "See which questions got good answers, and compare versions.")

versions = [v for v in store.list_versions(db) if v["interviews"]]
if not versions:
    st.info("There are no interviews yet, so there is nothing to show.")
    st.stop()
synthetic_notice(db)
st.dataframe(
    [{"Survey": v["survey_name"], "Version": v["label"], "Interviews": v["interviews"]} for v in versions],
    hide_index=True,
    width="stretch",
)
