"""Versions: publish the draft (and say what happens to the version in use), and how a wording changed."""

from __future__ import annotations

import streamlit as st

from surveys import codesign
from surveys.storage import core as store
from ui.common import STATUS_LABELS
from ui.design.context import Design, esc, run, show_error

OLDER = {"retire": "Retire it: interviewers will only be offered the new version",
         "keep": "Keep it ready to use too: interviewers can pick either"}


def show(design: Design, q: dict | None) -> None:
    versions = store.list_versions(design.db, design.version["survey_id"])
    st.dataframe([{"Version": v["label"], "State": STATUS_LABELS[v["status"]], "Questions": v["questions"],
                   "Interviews": v["interviews"]} for v in versions], hide_index=True, width="stretch")
    if design.is_draft:
        st.write("When the group is happy, publish this version. Then it is frozen and ready for interviews.")
        show_error("publish")
        older = codesign.other_ready_versions(design.db, design.version["id"])
        if older:
            names = ", ".join(v["label"] for v in older)
            st.radio(f"{names} is ready to use now. What should happen to it when you publish?",
                     list(OLDER), key="design_publish_older", format_func=OLDER.get)
        sure = st.checkbox("The group has checked every question", key="design_publish_sure")
        st.button("Publish this version", key="design_publish", disabled=not sure, type="primary", on_click=_publish,
                  args=(design, bool(older)))
    if q is None:
        return
    st.header("How this question's wording changed")
    for entry in codesign.wording_history(design.db, q["lineage_id"]):
        with st.container(border=True):
            st.markdown(f"**{esc(entry['version_label'])}** ({STATUS_LABELS[entry['version_status']]})")
            for h in entry["earlier"]:
                who = f" – changed by {h['name']}" if h["name"] else ""
                st.text(f"Before: {h['wording']}{who} ({h['reason']})")
            st.text(f"Now: {entry['wording']}")


def _publish(design: Design, asked: bool) -> None:
    retire = st.session_state.get("design_publish_older", "retire") == "retire" if asked else True

    def message(retired: list[str]) -> None:
        if retired:
            st.session_state["design_flash"] = (f"This version is published and ready to use. "
                                                f"{', '.join(retired)} is no longer offered to interviewers.")

    run("publish", lambda db: codesign.publish(db, design.version["id"], design.actor, retire_older=retire),
        success="This version is published and ready to use.", clear=("design_publish_sure", "design_publish_older"),
        after=message)
