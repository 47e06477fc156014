"""Interview: ask a published survey with someone, saving each answer as it is given."""

import streamlit as st

from ui.common import require_role, get_db, page_header, version_picker

st.set_page_config(page_title="Interview – Peer Survey Studio", page_icon="🗣️", layout="wide")
db = get_db()
user = require_role(db, "interview")
page_header("Interview", "Ask the questions with someone. Each answer is saved as soon as you give it.")

version = version_picker(db, "interview_version", statuses=("published",))
if version is None:
    st.info("No survey is ready to use yet. A survey must be published on the Design page first.")
    st.stop()
st.write(f"{version['questions']} questions. {version['interviews']:,} interviews so far.")
