"""Script: the interviewer script to download (a readable text file or a web page) and to read here."""

from __future__ import annotations

import streamlit as st

from surveys import codesign, downloads
from ui.common import db_path
from ui.design.context import Design


def show(design: Design) -> None:
    fmt = st.radio("Kind of file", ["markdown", "html"], key="design_script_format", horizontal=True,
                   format_func={"markdown": "Text file", "html": "Web page"}.get)
    script = codesign.interviewer_script(design.db, design.version["id"], fmt)
    file_name = f"interviewer-script.{'md' if fmt == 'markdown' else 'html'}"
    st.download_button("Download the interviewer script", key="design_script_download", file_name=file_name,
                       mime="text/markdown" if fmt == "markdown" else "text/html", on_click="ignore",
                       data=downloads.logged_download(db_path(), design.actor, "Design: interviewer script",
                                                      file_name, lambda: script, roles=codesign.DESIGN_ROLES))
    with st.container(border=True):
        st.markdown(codesign.interviewer_script(design.db, design.version["id"], "markdown", for_screen=True))
