"""Design: the questions of a survey version, for the group to read and reword."""

import streamlit as st

from surveys.storage import core as store
from ui.common import require_role, get_db, page_header, version_picker

st.set_page_config(page_title="Design – Peer Survey Studio", page_icon="✏️", layout="wide")
db = get_db()
user = require_role(db, "design")
page_header("Design", "Write and reword the questions together.")

version = version_picker(db, "design_version")
if version is None:
    st.info("There are no surveys yet.")
    st.stop()

questions = store.questions_for_version(db, version["id"])
if not questions:
    st.info("This version has no questions yet.")
else:
    st.dataframe(
        [{"No.": q["position"], "Question": q["wording"], "Type": q["type"].replace("_", " ")} for q in questions],
        hide_index=True,
        width="stretch",
    )
