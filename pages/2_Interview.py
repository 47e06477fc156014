"""Interview: ask a published survey with someone, saving each answer the moment it is given.

The screens are in ui/interview_screens.py (start, one question at a time, all on one page, sent
in) and each question in ui/interview_questions.py; the rules are in surveys/interviews.py.
"""

import streamlit as st

from surveys.safe_markdown import escape_markdown
from surveys.storage import StorageError
from ui import interview_questions as ask
from ui import interview_screens as screens
from ui.auth import remember_place, take_restored_place
from ui.common import get_db, page_header, require_role

st.set_page_config(page_title="Interview – Peer Survey Studio", page_icon="🗣️", layout="wide")
db = get_db()
user = require_role(db, "interview")
actor = user["actor"]
page_header("Interview", "Ask the questions with someone. Each answer is saved as soon as you give it.")

# Session state holds only ids and where we are; answers are read from the database.
st.session_state.setdefault("interview_id", None)
st.session_state.setdefault("interview_step", None)  # question id on screen, or "review"
st.session_state.setdefault("interview_message", None)  # (text, "top" or "consent")

# A reloaded tab (or a laptop that slept) comes back to the interview and question it was on.
restored_id, restored_step = take_restored_place()
if st.session_state["interview_id"] is None and restored_id:
    screens.open_interview(restored_id, restored_step)

message = st.session_state.pop("interview_message", None)
if message and message[1] == "top":
    st.success(message[0])

if st.session_state["interview_id"] is None:
    remember_place(db, None, None)
    screens.start_screen(db, actor, message)
    st.stop()

try:
    current = ask.load_state(db, actor, st.session_state["interview_id"])
except StorageError as exc:
    st.error(str(exc))
    st.button("Back to the start", key="interview_leave_error", on_click=screens.leave, args=(None,))
    st.stop()

top, leave = st.columns([3, 1])
top.header(escape_markdown(f"{current.interview['survey_name']} – {current.interview['version_label']}"))
top.text(f"Code: {current.interview['respondent_code']}")
leave.button("Stop for now" if not current.submitted else "Back to the start", key="interview_leave",
             width="stretch", on_click=screens.leave,
             args=("Everything is saved. You can carry on later." if not current.submitted else None,))
if current.submitted:
    remember_place(db, current.interview["id"], None)
    screens.sent_in(db, actor, current, message_shown=bool(message))
elif current.interview["mode"] == "whole_form":
    screens.whole_form(current)
else:
    screens.one_at_a_time(current.interview["id"])
