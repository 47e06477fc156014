"""When someone else saved first: both texts side by side, and a choice. Nothing is saved over
anyone's words without them being shown."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from surveys import codesign
from ui.design.context import esc


def pending(where: str) -> dict | None:
    """Return the refused save kept for WHERE, or None."""
    return st.session_state.get(f"design_conflict_{where}")


def clear(where: str) -> None:
    """Forget the refused save kept for WHERE."""
    st.session_state.pop(f"design_conflict_{where}", None)


def show_conflict(where: str, *, mine_label: str = "Your words (not saved)",
                  choices: list[tuple[str, str, Callable[[dict], None]]]) -> bool:
    """Show the refused save for WHERE with both texts side by side and the CHOICES as buttons.

    CHOICES are (button label, key, callback taking the conflict). Return True when shown.
    """
    conflict = pending(where)
    if not conflict:
        return False
    with st.container(border=True):
        st.warning(esc(conflict["message"]), icon=":material/group:")
        left, right = st.columns(2)
        with left:
            st.markdown(f"**{esc(mine_label)}**")
            st.markdown(esc(conflict.get("mine") or "") or "–")
        with right:
            st.markdown(f"**Saved by {esc(conflict.get('by') or 'someone else')}**")
            st.markdown(esc(conflict.get("theirs") or "") or "–")
        if conflict.get("mine") and conflict.get("theirs") and conflict["mine"] != conflict["theirs"]:
            st.markdown("**What is different:** " + codesign.diff_markdown(
                codesign.word_diff(conflict["theirs"], conflict["mine"])))
        columns = st.columns(len(choices))
        for column, (label, key, callback) in zip(columns, choices):
            column.button(label, key=key, on_click=callback, args=(conflict,))
    return True


__all__ = ["clear", "pending", "show_conflict"]
