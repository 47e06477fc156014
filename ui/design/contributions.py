"""Contributions: who proposed, changed, commented and reacted, for the survey or one question."""

from __future__ import annotations

import streamlit as st

from surveys import codesign, downloads
from ui.common import db_path
from ui.design.context import Design


def show(design: Design, q: dict | None) -> None:
    scope = st.radio("Whose part to show", ["This survey", "The chosen question"], key="design_contrib_scope",
                     horizontal=True)
    if scope == "The chosen question" and q is not None:
        rows = codesign.contributions(design.db, question_id=q["id"])
    else:
        rows = codesign.contributions(design.db, survey_id=design.version["survey_id"])
    if not rows:
        st.info("Nobody has proposed, changed, commented or reacted yet.")
        return
    st.dataframe([dict(zip(codesign.CONTRIBUTION_HEADINGS, (r[c] for c in codesign.CONTRIBUTION_COLUMNS)))
                  for r in rows], hide_index=True, width="stretch")
    st.download_button("Download as a spreadsheet file", key="design_contrib_csv", file_name="contributions.csv",
                       mime=downloads.CSV_MIME, on_click="ignore",
                       data=downloads.logged_download(db_path(), design.actor, "Design: contributions",
                                                      "contributions.csv", lambda: codesign.contributions_csv(rows),
                                                      rows=len(rows), roles=codesign.DESIGN_ROLES))
