"""Questions: the list with each question's checks, "Look at these again", and add, move, delete."""

from __future__ import annotations

import streamlit as st

from surveys import codesign, languages
from surveys.checks import CODES
from ui.design import evidence
from ui.design.context import Design, run, show_error
from ui.design.flags import flag_title

ADD_KEYS = ("design_add_name", "design_add_type", "design_add_wording", "design_add_options")


@st.cache_data(show_spinner="Checking every question…", max_entries=16)
def _question_rows(path: str, version_id: str, stamp: tuple, _checker, terms) -> list[dict]:
    """Return the checked question list; STAMP (ids, revisions, dismissals) says when to check again."""
    from surveys.storage import open_database

    db = open_database(path, migrate_now=False)
    try:
        return codesign.question_list(db, version_id, _checker)
    finally:
        db.conn.close()


def question_rows(design: Design) -> list[dict]:
    """Return every question of the version with its score and flags, checked once per change."""
    from ui.common import db_path

    stamp = tuple((q["id"], q["revision"], q["position"], tuple(sorted(codesign.dismissed_for(design.db, q["id"]))))
                  for q in design.questions)
    return _question_rows(str(db_path()), design.version["id"], stamp, design.checker(), design.group_terms())


def flag_counts(row: dict) -> str:
    """Return a question's flags in a few words, e.g. "1 problem, 2 to check"."""
    parts = [f"{row['problems']} problem{'s' if row['problems'] != 1 else ''}" if row["problems"] else "",
             f"{row['warnings']} to check" if row["warnings"] else "",
             f"{row['infos']} tip{'s' if row['infos'] != 1 else ''}" if row["infos"] else ""]
    return ", ".join(p for p in parts if p) or "none"


def show(design: Design) -> None:
    again = st.expander("Look at these again: the questions people found hardest", key="design_look_again",
                        on_change="rerun")
    if again.open:
        with again:
            evidence.look_again_links(design.db, design.version["survey_id"], version_id=design.version["id"])
    codes = [None, *sorted(CODES, key=flag_title)]
    code = st.selectbox("Show only questions with this flag", codes, key="design_code_filter",
                        format_func=lambda c: "All questions" if c is None else flag_title(c))
    rows = [r for r in question_rows(design) if code is None or code in r["codes"]]
    # The checker says which language it reads, and which questions still need words in the others.
    st.caption(languages.checked_languages_note(design.db, design.version["id"]))
    missing = languages.untranslated_by_question(design.db, design.version["id"])
    more = {"Not translated yet": lambda r: ", ".join(missing.get(r["id"], [])) or "–"} if len(
        languages.version_languages(design.db, design.version["id"])) > 1 else {}
    if rows:
        # The columns people look at first come first, so they fit on a 1280-pixel screen.
        st.dataframe(
            [{"No.": r["position"], "Score": r["score"], "State": r["status"], "Question": r["wording"],
              "Flags": flag_counts(r), "Kind of answer": codesign.QUESTION_TYPE_LABELS[r["type"]],
              **{heading: cell(r) for heading, cell in more.items()}} for r in rows],
            hide_index=True, width="stretch",
            column_config={
                "No.": st.column_config.NumberColumn(width=40),
                "Score": st.column_config.NumberColumn(width=55),
                "State": st.column_config.TextColumn(width=125),
                "Question": st.column_config.TextColumn(width="large"),
                "Flags": st.column_config.TextColumn(width=150),
            },
        )
    else:
        st.info("No questions to show." if code is None else "No question has this flag.")
    if not design.is_draft:
        return
    question = design.question
    if question is not None:
        st.header("Move or delete the chosen question")
        show_error("move")
        left, right = st.columns(2)
        with left:
            st.number_input("Move it to place", min_value=1, max_value=max(1, len(design.questions)),
                            value=question["position"], step=1, key="design_move_to")
            st.button("Move", key="design_move", on_click=run, args=(
                "move", lambda db: codesign.move_question(db, design.actor, question["id"],
                                                          int(st.session_state["design_move_to"]))),
                kwargs={"success": "The question has moved."})
        with right:
            sure = st.checkbox("Yes, delete this question", key="design_delete_sure")
            st.button("Delete", key="design_delete", disabled=not sure, on_click=run, args=(
                "move", lambda db: codesign.delete_question(db, design.actor, question["id"])),
                kwargs={"success": "The question is deleted.", "clear": ("design_question", "design_delete_sure"),
                        "after": lambda _: st.session_state.pop("design_question_next", None)})
    st.header("Add a question")
    show_error("add")
    st.text_input("Short name (letters, numbers and _ only)", key="design_add_name")
    st.selectbox("Kind of answer", list(codesign.QUESTION_TYPE_LABELS), key="design_add_type",
                 format_func=codesign.QUESTION_TYPE_LABELS.get)
    st.text_area("The question", key="design_add_wording")
    st.text_area("Answers to pick from (one a line)", key="design_add_options")
    st.button("Add the question", key="design_add", on_click=run, args=("add", lambda db: _add(db, design)),
              kwargs={"success": "The question is added.", "clear": ADD_KEYS,
                      "after": lambda new_id: st.session_state.update(design_question_next=new_id)})


def _add(db, design: Design) -> str:
    state = st.session_state
    return codesign.add_question(db, design.actor, design.version["id"],
                                 name=(state.get("design_add_name") or "").strip(),
                                 type=state.get("design_add_type") or "text",
                                 wording=(state.get("design_add_wording") or "").strip(),
                                 options=codesign.parse_options(state.get("design_add_options", "")))
