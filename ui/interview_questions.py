"""One interview question on screen: its answer box, the ways not to answer, and the notes.

Every answer and note is saved by a widget callback the moment it is given (a pick, Enter, or
leaving a box), so a reload or a laptop that sleeps loses nothing that was chosen. Callbacks
run before the page, so each one checks again that the person is still signed in
(ui.auth.still_signed_in) and reruns the whole page when they are not.

The interview as read from the database is kept in st.session_state["interview_state"] and
refreshed after every save: the page reads it once per full run (one query) and the question
fragments of the whole-page view reuse it, so saving one answer redraws one question.

Session-state keys start with "interview_". Per question (by id): interview_answer_<id> (the
answer box), interview_optout_<id> (the ways not to answer on the whole page),
interview_notes_open_<id>, interview_explain_<id>, interview_reworded_<id>, interview_upset_<id>,
interview_note_<id> (the notes) and interview_flash_<id> (what the last save said).
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import streamlit as st
from sqlite_utils import Database

from surveys import accounts, languages
from surveys import interviews as iv
from surveys.safe_markdown import escape_markdown as md
from surveys.storage import StorageError
from ui.auth import still_signed_in
from ui.common import get_db

STATE_KEY = "interview_state"
SHOWN_KEY = "interview_shown"  # [question id or None, time it was shown or last saved]
OPT_OUTS = (("prefer_not_to_say", "Prefer not to say"), ("dont_know", "Don't know"), ("skipped", "Skip"))
OPT_OUT_LABELS = dict(OPT_OUTS)
NOTE_FLAGS = (
    ("needed_explaining", "explain", "I had to explain it"),
    ("reworded", "reworded", "I said it in other words"),
    ("upsetting", "upset", "It upset them"),
)
NOTE_LABEL = "Anything else about this question"
CHOICE_TYPES = ("single_choice", "scale", "yes_no")
# Questions answered by picking: saved the moment they are picked, with no form around them.
PICKED_TYPES = (*CHOICE_TYPES, "multiple_choice", "date")


def one_line(text: str) -> str:
    """Return text on one line, for headings."""
    return " ".join(str(text).split())


def answer_key(question_id: str) -> str:
    """Return the session-state key of a question's answer box."""
    return f"interview_answer_{question_id}"


def card_key(question_id: str) -> str:
    """Return the fragment key of a question's box on the whole-page view."""
    return f"interview_q_{question_id}"


# ---- the interview as last read -------------------------------------------------------------


def load_state(db: Database, actor: accounts.Actor, interview_id: str) -> iv.InterviewState:
    """Return the interview read fresh from the database (one query), and keep it for this page.

    Its questions are as the interviewer reads them out: in the interview's language, with
    earlier answers filled in for ${name}, and the answer rule in words (surveys.languages.as_asked).
    """
    state = iv.resume(db, interview_id, actor)
    asked = {q["id"]: q for q in languages.as_asked(db, state.interview["version_id"], state.questions,
                                                     state.interview.get("language") or "", state.answers)}
    state.questions = [asked[q["id"]] for q in state.questions]
    state.visible = [asked[q["id"]] for q in state.visible]
    st.session_state[STATE_KEY] = state
    return state


def kept_state() -> iv.InterviewState:
    """Return the interview as last read by the page or by a save."""
    return st.session_state[STATE_KEY]


def seconds_on_screen(question_id: str | None) -> float | None:
    """Return the seconds since the question was shown (or since the last save), then restart the clock."""
    shown = st.session_state.get(SHOWN_KEY)
    st.session_state[SHOWN_KEY] = [question_id, time.time()]
    if not shown or (question_id is not None and shown[0] not in (question_id, None)):
        return None
    return max(0.0, time.time() - shown[1])


def start_clock(question_id: str | None) -> None:
    """Start timing a question when it first comes on screen (None: the whole page)."""
    shown = st.session_state.get(SHOWN_KEY)
    if not shown or shown[0] != question_id:
        st.session_state[SHOWN_KEY] = [question_id, time.time()]


# What a question's boxes hold in session state. They are named by question, not by interview,
# so they are emptied whenever another interview (or the start screen) comes on screen: a box
# left holding the last person's answer would otherwise be saved into the next person's
# interview by catch_up.
BOX_KEY_PREFIXES = (
    "interview_answer_", "interview_optout_", "interview_notes_open_", "interview_note_",
    "interview_edit_answer_", "interview_flash_", *(f"interview_{short}_" for _field, short, _label in NOTE_FLAGS),
)


def forget_boxes() -> None:
    """Empty every question's boxes, so the next interview's are filled from its own answers.

    First, what a box of the interview on screen shows but no callback saved (a pick made while
    the page was drawing) is saved into that interview, as the next run would have done.
    """
    interview_id = st.session_state.get("interview_id")
    state = st.session_state.get(STATE_KEY)
    if interview_id and state is not None and state.interview["id"] == interview_id and not state.submitted:
        for question in state.asked:
            catch_up(interview_id, question["id"])
    for key in [k for k in st.session_state if isinstance(k, str) and k.startswith(BOX_KEY_PREFIXES)]:
        del st.session_state[key]


def _flash(question_id: str, kind: str, text: str) -> None:
    st.session_state[f"interview_flash_{question_id}"] = (kind, text)


def show_flash(question_id: str) -> None:
    """Show what the last save of this question said, next to the question (never over its heading)."""
    kind, text = st.session_state.pop(f"interview_flash_{question_id}", (None, None))
    if kind == "error":
        st.error(text)
    elif kind == "saved":
        st.caption(f":material/check: {text}")


# ---- answer boxes ---------------------------------------------------------------------------


def _box_value(question: dict, answer: dict | None) -> Any:
    """Return what the answer box shows for a saved answer (None when empty)."""
    kind = question["type"]
    saved = answer.get("value") if answer else None
    if kind == "date":
        return dt.date.fromisoformat(saved) if saved else None
    if kind == "multiple_choice":
        options = iv.question_options(question)
        return [c for c in iv.decode_value(kind, saved) or [] if c in options]
    if kind in CHOICE_TYPES:
        options = iv.question_options(question)
        if saved in options:
            return saved
        if answer and answer.get("opt_out"):
            # A choice question whose option means "no answer" shows that option picked.
            return next((o for o in options if iv.opt_out_for_option(o) == answer["opt_out"]), None)
        return None
    return saved


def is_empty(raw: Any) -> bool:
    """Return True when an answer box holds nothing."""
    return raw is None or raw == [] or (isinstance(raw, str) and not raw.strip())


def answer_box(question: dict, answer: dict | None, *, key: str | None = None, on_change=None,
               args: tuple = (), label: str | None = None) -> Any:
    """Draw the answer box for a question's type, filled from the saved answer; return what is in it.

    The box's value lives in session state under KEY (filled from ANSWER the first time), so a
    callback can empty it when a way not to answer is chosen instead.
    """
    kind = question["type"]
    key = key or answer_key(question["id"])
    if key not in st.session_state:
        st.session_state[key] = _box_value(question, answer)
    shown = "collapsed" if label is None else "visible"
    label = label or "Answer"
    common = {"key": key, "label_visibility": shown}
    if on_change is not None:
        common.update(on_change=on_change, args=args)
    if kind == "text":
        return st.text_input(label, value=None, max_chars=iv.MAX_TEXT_LENGTH,
                             placeholder="Type the answer, then press Enter", **common)
    if kind == "long_text":
        return st.text_area(label, value=None, max_chars=iv.MAX_TEXT_LENGTH, placeholder="Type the answer",
                            **common)
    if kind == "number":
        return st.text_input(label, value=None, placeholder="Type a number, then press Enter", **common)
    if kind == "date":
        return st.date_input(label, value=None, min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31),
                             format="DD/MM/YYYY", **common)
    options = iv.question_options(question)
    # Answers are stored as the main-language option; the box shows the interview's language.
    words = question.get("option_labels") or {}

    def shown_as(option: str) -> str:
        return md(words.get(option, option))

    if kind == "multiple_choice":
        return st.multiselect(label, options, default=None, placeholder="Pick one or more", format_func=shown_as,
                              **common)
    if kind in CHOICE_TYPES:
        return st.radio(label, options, index=None, format_func=shown_as, horizontal=kind == "scale", **common)
    return None


def _same_as_saved(question: dict, answer: dict | None, raw: Any) -> bool:
    try:
        value, opt_out = iv.normalise_answer(question, raw)
    except StorageError:
        return False
    return bool(answer) and (answer.get("value"), answer.get("opt_out")) == (value, opt_out)


# ---- saving from callbacks ------------------------------------------------------------------


def _acting() -> tuple[Database, accounts.Actor]:
    """Return the database and who is acting, or rerun the whole page to sign them out."""
    db = get_db()
    actor = still_signed_in(db)
    if actor is None:
        st.rerun()  # the page's own sign-in check says what happened
    return db, actor


def _as_shown(state: iv.InterviewState) -> list[tuple]:
    return [(q["id"], q.get("wording"), q.get("help_text"), q.get("answer_rule")) for q in state.visible]


def _reread(db: Database, actor: accounts.Actor, interview_id: str) -> bool:
    """Read the interview again after a save; return True when other questions changed on screen:
    shown or hidden by a show-if rule, or their words changed (an earlier answer filled in)."""
    before = _as_shown(kept_state())
    state = load_state(db, actor, interview_id)
    return _as_shown(state) != before


def redraw(shown_changed: bool, fragments: tuple[str, ...]) -> None:
    """End a callback by drawing again what a save changed: the whole page when a show-if rule
    showed or hid a question, else only FRAGMENTS (none: Streamlit's own choice, the fragment
    the widget is in)."""
    # In a callback st.rerun stops the callback at once, so it is always the last thing done.
    if shown_changed:
        st.rerun()
    if fragments:
        st.rerun(list(fragments))


def save_box(interview_id: str, question_id: str, *, keep_saved: bool = False) -> tuple[bool, bool]:
    """Save what is in a question's answer box; return (saved or unchanged, other questions shown or hidden).

    With KEEP_SAVED, an empty box over a saved answer keeps that answer ("Save and go on" with
    nothing new typed). What the save said is shown next to the question (show_flash).
    """
    db, actor = _acting()
    state = kept_state()
    question = state.question(question_id)
    answer = state.answers.get(question_id)
    raw = st.session_state.get(answer_key(question_id))
    if is_empty(raw):
        if iv.is_answered(answer) and keep_saved:
            return True, False
        _flash(question_id, "error", "Give an answer, or choose Skip.")
        return False, False
    if _same_as_saved(question, answer, raw):
        return True, False
    try:
        iv.save_answer(db, interview_id, question_id, raw, seconds=seconds_on_screen(question_id), actor=actor)
    except StorageError as exc:
        _flash(question_id, "error", str(exc))
        return False, False
    _flash(question_id, "saved", "Answer saved")
    st.session_state[f"interview_optout_{question_id}"] = None
    return True, _reread(db, actor, interview_id)


def catch_up(interview_id: str, question_id: str) -> bool:
    """Save what a question's answer box shows when the database does not have it; return True
    when that saved something (when it cannot be saved, the question shows why).

    A pick made while the page was still being drawn can reach the server before its callback is
    known, so the box shows it but nothing saved it. Every run of a question checks, so what is on
    screen is what is saved (a box that holds something that cannot be saved shows why again).
    """
    raw = st.session_state.get(answer_key(question_id))
    if is_empty(raw):
        return False
    state = kept_state()
    if _same_as_saved(state.question(question_id), state.answers.get(question_id), raw):
        return False
    return save_box(interview_id, question_id)[0]


def save_opt_out(interview_id: str, question_id: str, kind: str | None = None) -> tuple[bool, bool]:
    """Save a way not to answer (KIND, or the one picked on the whole page); return as save_box does."""
    db, actor = _acting()
    state = kept_state()
    if kind is None:
        kind = st.session_state.get(f"interview_optout_{question_id}")
        if kind is None:  # picked again to take it away: an answer stays needed, so keep what is saved
            st.session_state[f"interview_optout_{question_id}"] = (state.answers.get(question_id) or {}).get("opt_out")
            return False, False
    try:
        iv.save_answer(db, interview_id, question_id, opt_out=kind, seconds=seconds_on_screen(question_id),
                       actor=actor)
    except StorageError as exc:
        _flash(question_id, "error", str(exc))
        return False, False
    _flash(question_id, "saved", f"Saved as: {OPT_OUT_LABELS[kind]}")
    st.session_state.pop(answer_key(question_id), None)  # the box shows the saved state again
    return True, _reread(db, actor, interview_id)


def save_note_field(interview_id: str, question_id: str, field: str, fragments: tuple[str, ...] = ()) -> None:
    """Save one of the interviewer's notes on a question the moment it changes (a callback)."""
    db, actor = _acting()
    key = {"needed_explaining": "explain", "reworded": "reworded", "upsetting": "upset", "note": "note"}[field]
    value = st.session_state.get(f"interview_{key}_{question_id}")
    if field == "note":
        value = value or ""
    try:
        iv.save_note(db, interview_id, question_id, actor=actor, **{field: value})
    except StorageError as exc:
        _flash(f"note_{question_id}", "error", str(exc))
    else:
        _flash(f"note_{question_id}", "saved", "Note saved")
        load_state(db, actor, interview_id)
    redraw(False, fragments)


# ---- drawing --------------------------------------------------------------------------------


REQUIRED_NOTE = "This question needs an answer, or they can choose not to answer."


def heading(question: dict, level: str, *, above: str | None = None, required_note: bool = False) -> None:
    """Draw the question's words as a heading, and its help text under it.

    On the whole page, ABOVE ("Question 3 of 47") and the note for a required question go in the
    same block as the heading: every element less per question is quicker to draw, 48 times over.
    """
    words = f"{level} {md(one_line(question['wording']))}"
    if above is not None:
        words = f"{md(above)}\n{words}"
    if required_note and question["required"]:
        words += f"\n\n:small[{REQUIRED_NOTE}]"
    st.markdown(words)
    if question["help_text"]:
        st.caption(md(question["help_text"]))
    if question.get("answer_rule"):
        st.caption(f":material/rule: {md(question['answer_rule'])}")


def notes(state: iv.InterviewState, question: dict, fragments: tuple[str, ...] = ()) -> None:
    """Draw the interviewer's notes on a question; each is saved the moment it changes."""
    qid = question["id"]
    interview_id = state.interview["id"]
    answer = state.answers.get(qid) or {}
    st.markdown("**Your notes on this question**")
    columns = st.columns(len(NOTE_FLAGS))
    for column, (field, short, label) in zip(columns, NOTE_FLAGS):
        key = f"interview_{short}_{qid}"
        st.session_state.setdefault(key, bool(answer.get(field)))
        column.checkbox(label, key=key, on_change=save_note_field, args=(interview_id, qid, field, fragments))
    st.session_state.setdefault(f"interview_note_{qid}", answer.get("note") or "")
    st.text_area(NOTE_LABEL, key=f"interview_note_{qid}", max_chars=iv.MAX_TEXT_LENGTH, height=68,
                 on_change=save_note_field, args=(interview_id, qid, "note", fragments))
    show_flash(f"note_{qid}")


def has_notes(answer: dict | None) -> bool:
    """Return True when any note is saved on a question."""
    return bool(answer) and bool(answer.get("note") or any(answer.get(field) for field, _, _ in NOTE_FLAGS))


__all__ = [
    "OPT_OUTS",
    "PICKED_TYPES",
    "answer_box",
    "answer_key",
    "card_key",
    "catch_up",
    "has_notes",
    "heading",
    "is_empty",
    "kept_state",
    "load_state",
    "notes",
    "one_line",
    "redraw",
    "save_box",
    "save_note_field",
    "save_opt_out",
    "seconds_on_screen",
    "show_flash",
    "start_clock",
]
