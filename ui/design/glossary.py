"""Glossary: the group's own word list. Hard words and unkind labels with a better word, and
words the group accepts. Each change says who made it and why, and is based on what was shown."""

from __future__ import annotations

import streamlit as st

from surveys import codesign
from surveys.storage import glossary
from ui.design import conflict
from ui.design.context import Design, run, show_error

KINDS = {"jargon": "Hard word (jargon)", "stigmatising": "Unkind label", "accepted": "Fine for our group"}
ADD_KEYS = ("design_term", "design_term_kind", "design_term_alt", "design_term_reason")
CHANGE_KEYS = ("design_term_change_alt", "design_term_change_reason", "design_term_change_base")


def show(design: Design) -> None:
    st.write("Add words your group finds hard or unkind, with a better word. Or accept a word the "
             "checker flags, if your group is happy with it. Each change says who made it and why.")
    terms = glossary.list_terms(design.db)
    if terms:
        st.dataframe([{"Word": t["term"], "Kind": KINDS.get(t["kind"], t["kind"]),
                       "Say instead": t["alternative"], "Why": t["reason"]} for t in terms],
                     hide_index=True, width="stretch")
    else:
        st.info("Your group has not added any words yet. The checker uses its own lists.")

    st.header("Add a word")
    show_error("term_add")
    st.text_input("Word or words", key="design_term")
    st.selectbox("What kind?", list(KINDS), key="design_term_kind", format_func=KINDS.get)
    st.text_input("What to say instead", key="design_term_alt")
    st.text_input("Why?", key="design_term_reason")
    st.button("Add the word", key="design_term_add", on_click=run, args=("term_add", lambda db: codesign.add_glossary_term(
        db, design.actor, st.session_state.get("design_term", ""), st.session_state.get("design_term_kind", "jargon"),
        st.session_state.get("design_term_alt", ""), st.session_state.get("design_term_reason", ""))),
        kwargs={"success": "The word is added. The checks now use it.", "clear": ADD_KEYS})
    if not terms:
        return

    by_tid = {t["id"]: t for t in terms}
    if st.session_state.get("design_term_pick") not in by_tid:
        st.session_state["design_term_pick"] = terms[0]["id"]
    st.header("Change or take off a word")
    tid = st.selectbox("Word", list(by_tid), key="design_term_pick", format_func=lambda t: by_tid[t]["term"],
                       on_change=_forget_change_form)
    term = by_tid[tid]
    conflict.show_conflict("term", mine_label="Your change (not saved)", choices=[
        ("Take theirs", "design_term_theirs", lambda found: (conflict.clear("term"), _forget_change_form())),
        ("Save mine over theirs", "design_term_mine", lambda found: _change(design, tid, found["revision"])),
    ])
    show_error("term")
    left, right = st.columns(2)
    with left:
        if "design_term_change_base" not in st.session_state:
            # The form starts from this revision; a save is based on it, whatever changed since.
            st.session_state.update(design_term_change_base=term["revision"],
                                    design_term_change_alt=term["alternative"],
                                    design_term_change_reason=term["reason"])
        st.text_input("What to say instead", key="design_term_change_alt")
        st.text_input("Why?", key="design_term_change_reason")
        st.button("Save the change", key="design_term_change", on_click=_change,
                  args=(design, tid, st.session_state["design_term_change_base"]))
    with right:
        st.text_input("Why take it off?", key="design_term_remove_reason")
        st.button("Take it off", key="design_term_remove", on_click=run, args=(
            "term", lambda db: codesign.remove_glossary_term(
                db, design.actor, tid, st.session_state.get("design_term_remove_reason", ""),
                based_on=term["revision"])),
            kwargs={"success": "The word is taken off the list.",
                    "clear": ("design_term_remove_reason", "design_term_pick", *CHANGE_KEYS)})


def _forget_change_form() -> None:
    for key in CHANGE_KEYS:
        st.session_state.pop(key, None)


def _change(design: Design, term_id: str, revision: int) -> None:
    run("term", lambda db: codesign.change_glossary_term(
        db, design.actor, term_id, st.session_state.get("design_term_change_alt", ""),
        st.session_state.get("design_term_change_reason", ""), based_on=revision),
        success="The change is saved. The checks now use it.", clear=CHANGE_KEYS)
