"""Flags as people see them: a plain name for each check, one box per different flag (with how
many times it was found), suggestions, dismissing a flag with a reason, and bringing it back."""

from __future__ import annotations

import hashlib

import streamlit as st

from surveys import codesign
from surveys.checks import apply_suggestion, title_for
from ui.design.context import Design, esc, run, show_error
from ui.design.live_text import set_live_text

SEVERITY_LABELS = {
    "problem": ":material/error: Problem",
    "warning": ":material/warning: Check this",
    "info": ":material/lightbulb: Tip",
}


def flag_title(code: str) -> str:
    """Return a check's plain name ("Asks two things at once"), read from the checker's registry."""
    return title_for(code)


def _field(flag, name: str):
    return flag.get(name) if isinstance(flag, dict) else getattr(flag, name, None)


def _digest(flag) -> str:
    """Return a short id for a flag made from its check and words, so a form belongs to its flag."""
    raw = f"{_field(flag, 'code')}\x00{(_field(flag, 'quoted') or '').casefold()}\x00{_field(flag, 'message')}"
    return hashlib.sha1(raw.encode("utf-8")).hexdigest()[:10]


def _apply_everywhere(text: str, flags: list) -> str:
    """Return TEXT with the suggestion applied at every place the same flag was found, last first."""
    for flag in sorted(flags, key=lambda f: _field(f, "start") or 0, reverse=True):
        text = apply_suggestion(text, flag)
    return text


def show_flags(design: Design, flags, *, editable: bool = False, text: str = "", question_id: str | None = None,
               key_prefix: str = "design") -> None:
    """List each different flag once with its plain name, message, why and count.

    With EDITABLE, offer "Use this suggestion" (puts the words in the box KEY_PREFIX_wording) and,
    with QUESTION_ID, a dismiss form that belongs to that flag (its keys come from the flag, not
    its place in the list, so a reason never moves to another flag).
    """
    flags = list(flags)
    if not flags:
        st.success("No flags. This reads well.")
        return
    show_error("flags")
    for flag, count in codesign.collapse_flags(flags):
        digest = _digest(flag)
        with st.container(border=True):
            severity = _field(flag, "severity")
            found = f" (found {count} times)" if count > 1 else ""
            st.markdown(f"**{SEVERITY_LABELS.get(severity, esc(severity))}: {esc(flag_title(_field(flag, 'code')))}**"
                        f"{found}  \n{esc(_field(flag, 'message'))}")
            if _field(flag, "why"):
                st.caption(esc(_field(flag, "why")))
            if not editable:
                continue
            same = [f for f in flags if _digest(f) == digest]
            if _field(flag, "suggestion") and _field(flag, "start") is not None:
                st.button("Use this suggestion", key=f"{key_prefix}_apply_{digest}", on_click=set_live_text,
                          args=(f"{key_prefix}_wording", _apply_everywhere(text, same)),
                          help="Puts the new words in the box. Press Save wording to keep them.")
            if question_id and design.is_draft:
                reason_key = f"{key_prefix}_dismiss_reason_{digest}"
                st.text_input("Why is this fine for your group?", key=reason_key)
                st.button("Dismiss this flag", key=f"{key_prefix}_dismiss_{digest}", on_click=_dismiss,
                          args=(design, question_id, _field(flag, "code"), _field(flag, "quoted") or "", reason_key))


def _dismiss(design: Design, question_id: str, code: str, quoted: str, reason_key: str) -> None:
    run("flags", lambda db: codesign.dismiss_flag(db, design.actor, question_id, code, quoted,
                                                  st.session_state.get(reason_key, "")),
        success="The flag is dismissed for this question. You can bring it back below.", clear=(reason_key,))


def show_dismissed(design: Design, question_id: str) -> None:
    """List the flags the group dismissed on a question, with why, and a button to bring each back."""
    dismissed = codesign.dismissed_flags(design.db, question_id)
    label = f"Flags your group dismissed ({len(dismissed)})"
    with st.expander(label, expanded=False):
        if not dismissed:
            st.caption("None. When your group dismisses a flag, it shows here and you can bring it back.")
            return
        for row in dismissed:
            words = f" on “{esc(row['quoted'])}”" if row["quoted"] else ""
            who = f" – {esc(row['name'])}" if row["name"] else ""
            st.markdown(f"**{esc(flag_title(row['code']))}**{words}: {esc(row['reason'])}{who}")
            if design.is_draft:
                st.button("Bring this flag back", key=f"design_undismiss_{row['id']}", on_click=run,
                          args=("flags", lambda db, rid=row["id"]: codesign.undo_dismissal(db, design.actor, rid)),
                          kwargs={"success": "The flag is back on this question."})


__all__ = ["SEVERITY_LABELS", "flag_title", "show_dismissed", "show_flags"]
