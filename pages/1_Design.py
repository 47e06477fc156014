"""Design: the group writes, checks, rewords and agrees the questions of a survey together.

This file is the frame: who is signed in, which version, which part and which question. Each
part lives in its own module under ui/design/ (see ui/design/__init__.py for the list).
Session-state keys start with "design_".
"""

from __future__ import annotations

import streamlit as st

from surveys import codesign
from surveys.storage.core import NotFound
from surveys.storage import core as store
from ui.common import get_db, page_header, require_role, version_picker
from ui.design import contributions, edit, glossary, languages, proposals, questions, script, versions, workshop
from ui.design.context import Design, run, show_error, show_flash

st.set_page_config(page_title="Design – Peer Survey Studio", page_icon="✏️", layout="wide")
db = get_db()
user = require_role(db, "design")

PARTS = ("Questions", "Edit", "Proposals", "Languages", "Versions", "Contributions", "Workshop", "Glossary",
         "Script")
NEEDS_QUESTION = ("Questions", "Edit", "Proposals", "Languages", "Versions", "Contributions")
st.session_state.setdefault("design_part", PARTS[0])
edit.keep_details_alive()

# A link from "Look at these again" (here or on Explore) opens one question in Edit.
if "question" in st.query_params:
    try:
        linked = store.get_question(db, st.query_params["question"])
    except NotFound:
        linked = None
    st.query_params.clear()
    if linked is not None:
        st.session_state.update(design_version_next=linked["version_id"], design_question_next=linked["id"],
                                design_part="Edit")

# On a projector the question comes first: the menus move to the side, the title goes.
workshop_mode = st.session_state["design_part"] == "Workshop"
if not workshop_mode:
    page_header("Design", "Write and reword the questions together. Everyone's part is saved and credited.")
menus = st.sidebar if workshop_mode else st.container()
if "design_version_next" in st.session_state:
    st.session_state["design_version"] = st.session_state.pop("design_version_next")
with menus:
    chosen = version_picker(db, "design_version")
if chosen is None:
    st.info("There are no surveys yet. Load the demo, or ask your admin to start a survey.")
    st.stop()
version = store.get_version(db, chosen["id"])
show_flash()
if version["status"] != "draft" and not workshop_mode:
    st.info(codesign.LOCKED_VERSION, icon=":material/lock:")
    show_error("version")
    st.button("Start a new draft version", key="design_new_version", on_click=run, args=(
        "version", lambda conn: codesign.start_new_version(conn, version["id"], user["actor"])), kwargs={
        "success": "A new draft version is ready. It has the same questions, and you can change it.",
        "after": lambda new_id: st.session_state.update(design_version_next=new_id)})

with menus:
    part = st.radio("What do you want to do?", PARTS, key="design_part", horizontal=True)
design = Design(db=db, user=user, version=version, questions=store.questions_for_version(db, version["id"]))
if "design_question_next" in st.session_state:
    st.session_state["design_question"] = st.session_state.pop("design_question_next")
if part in NEEDS_QUESTION and design.questions:
    by_id = design.by_id
    if st.session_state.get("design_question") not in by_id:
        st.session_state["design_question"] = design.questions[0]["id"]
    question_id = st.selectbox("Question", list(by_id), key="design_question",
                               format_func=lambda qid: f"{by_id[qid]['position']}. {by_id[qid]['wording'][:90]}")
    design.question = by_id[question_id]
if part != "Edit":
    edit.unsaved_elsewhere(design)

if part == "Questions":
    questions.show(design)
elif part == "Workshop":
    workshop.show(design)
elif part == "Glossary":
    glossary.show(design)
elif part == "Script":
    script.show(design)
elif part == "Versions":
    versions.show(design, design.question)
elif part == "Languages":
    languages.show(design, design.question)
elif part == "Contributions":
    contributions.show(design, design.question)
elif design.question is None:
    st.info("This version has no questions yet. Add one under Questions.")
elif part == "Edit":
    edit.show(design, design.question)
elif part == "Proposals":
    proposals.show(design, design.question)
