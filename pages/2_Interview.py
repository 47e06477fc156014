"""Interview: ask a published survey with someone, saving each answer as it is given."""

import datetime as dt
import time

import streamlit as st

from surveys.safe_markdown import escape_markdown

from surveys import interviews as iv
from surveys.storage import StorageError
from ui.common import require_role, get_db, page_header, version_picker

st.set_page_config(page_title="Interview – Peer Survey Studio", page_icon="🗣️", layout="wide")
db = get_db()
user = require_role(db, "interview")
page_header("Interview", "Ask the questions with someone. Each answer is saved as soon as you give it.")

# Session state holds only ids and where we are; answers are read back from the database on
# every run, so a reloaded tab or a laptop that slept loses nothing.
st.session_state.setdefault("interview_id", None)
st.session_state.setdefault("interview_step", None)  # question id on screen, or "review"
st.session_state.setdefault("interview_shown", None)  # [question id, time it was shown]
st.session_state.setdefault("interview_message", None)

MODE_LABELS = {"one_at_a_time": "One question at a time", "whole_form": "All questions on one page"}
OPT_OUT_BUTTONS = (("prefer_not_to_say", "Prefer not to say"), ("dont_know", "Don't know"), ("skipped", "Skip"))
md = escape_markdown


def one_line(text: str) -> str:
    """Return text on one line, for headings."""
    return " ".join(str(text).split())


def person_id() -> str:
    """Return the signed-in person's id."""
    return user["person_id"]


def go_to_start(message: str | None = None) -> None:
    """Leave the interview on screen (everything is saved) and show the start screen."""
    st.session_state["interview_id"] = None
    st.session_state["interview_step"] = None
    st.session_state["interview_shown"] = None
    st.session_state["interview_message"] = message
    st.rerun()


def seconds_on_screen(question_id: str | None) -> float | None:
    """Return the seconds since the question was shown (or since the last save), then restart the clock."""
    shown = st.session_state["interview_shown"]
    st.session_state["interview_shown"] = [question_id, time.time()]
    if not shown or (question_id is not None and shown[0] not in (question_id, None)):
        return None
    return max(0.0, time.time() - shown[1])


def step_after(question: dict) -> str:
    """Return the question id that comes after QUESTION, given answers as saved now, or "review"."""
    state = iv.resume(db, st.session_state["interview_id"], person_id())
    later = [q for q in state.visible if (q["position"], q["name"]) > (question["position"], question["name"])]
    return later[0]["id"] if later else "review"


def answer_widget(question: dict, answer: dict | None, key: str):
    """Draw the answer box for a question's type and return what is in it."""
    kind = question["type"]
    saved = answer.get("value") if answer else None
    if kind == "text":
        return st.text_input("Answer", value=saved or "", key=key, max_chars=iv.MAX_TEXT_LENGTH,
                             label_visibility="collapsed", placeholder="Type the answer, then press Enter")
    if kind == "long_text":
        return st.text_area("Answer", value=saved or "", key=key, max_chars=iv.MAX_TEXT_LENGTH,
                            label_visibility="collapsed", placeholder="Type the answer")
    if kind == "number":
        return st.text_input("Number", value=saved or "", key=key, label_visibility="collapsed",
                             placeholder="Type a number, then press Enter")
    if kind == "date":
        value = dt.date.fromisoformat(saved) if saved else None
        return st.date_input("Date", value=value, key=key, min_value=dt.date(1900, 1, 1),
                             max_value=dt.date(2100, 12, 31), format="DD/MM/YYYY", label_visibility="collapsed")
    options = iv.question_options(question)
    if kind == "multiple_choice":
        chosen = iv.decode_value(kind, saved) or []
        return st.multiselect("Answers", options, default=[c for c in chosen if c in options], key=key,
                              label_visibility="collapsed", placeholder="Pick one or more")
    if kind in ("single_choice", "scale", "yes_no"):
        index = options.index(saved) if saved in options else None
        if index is None and answer and answer.get("opt_out"):
            matching = [n for n, o in enumerate(options) if iv.opt_out_for_option(o) == answer["opt_out"]]
            index = matching[0] if matching else None
        return st.radio("Answer", options, index=index, key=key, format_func=md,
                        horizontal=kind == "scale", label_visibility="collapsed")
    return None


def notes_block(state: iv.InterviewState, question: dict) -> None:
    """Draw the interviewer's notes on a question and save any change at once."""
    qid = question["id"]
    answer = state.answers.get(qid) or {}
    saved = {
        "needed_explaining": bool(answer.get("needed_explaining")),
        "reworded": bool(answer.get("reworded")),
        "upsetting": bool(answer.get("upsetting")),
        "note": answer.get("note") or "",
    }
    st.markdown("**Your notes on this question**")
    a, b, c = st.columns(3)
    now = {
        "needed_explaining": a.checkbox("I had to explain it", value=saved["needed_explaining"],
                                        key=f"interview_explain_{qid}"),
        "reworded": b.checkbox("I said it in other words", value=saved["reworded"], key=f"interview_reworded_{qid}"),
        "upsetting": c.checkbox("It upset them", value=saved["upsetting"], key=f"interview_upset_{qid}"),
        "note": st.text_area("Anything else about this question", value=saved["note"],
                             key=f"interview_note_{qid}", max_chars=iv.MAX_TEXT_LENGTH, height=68),
    }
    changes = {k: v for k, v in now.items() if v != saved[k]}
    if changes:
        try:
            iv.save_note(db, state.interview["id"], qid, actor=person_id(), **changes)
            st.toast("Note saved")
        except StorageError as exc:
            st.error(str(exc))


def question_block(state: iv.InterviewState, question: dict, number: int, *, heading: str) -> str | None:
    """Draw one question with its answer box, opt-out buttons and notes; return the action taken."""
    qid = question["id"]
    answer = state.answers.get(qid)
    st.markdown(f"{heading} {md(one_line(question['wording']))}")
    if question["help_text"]:
        st.caption(md(question["help_text"]))
    if question["type"] == "note":
        return "next" if st.button("Next", key=f"interview_next_{qid}", type="primary") else None
    if iv.is_answered(answer):
        st.info("Saved answer: " + md(iv.answer_text(question, answer)), icon=":material/check_circle:")
    if question["required"]:
        st.caption("This question needs an answer, or they can choose not to answer.")
    action = None
    with st.form(key=f"interview_form_{qid}", border=False):
        raw = answer_widget(question, answer, f"interview_answer_{qid}")
        label = "Save and go on" if heading == "##" else "Save"
        if st.form_submit_button(label, key=f"interview_save_{qid}", type="primary"):
            action = "save"
    columns = st.columns(len(OPT_OUT_BUTTONS))
    for column, (kind, text) in zip(columns, OPT_OUT_BUTTONS):
        if column.button(text, key=f"interview_{kind}_{qid}"):
            action = kind
    notes_block(state, question)
    if action is None:
        return None
    try:
        if action == "save":
            if raw in (None, "", []) and iv.is_answered(answer):
                return "next"  # nothing new typed: keep the saved answer and move on
            iv.save_answer(db, state.interview["id"], qid, raw, seconds=seconds_on_screen(qid), actor=person_id())
        else:
            iv.save_answer(db, state.interview["id"], qid, opt_out=action, seconds=seconds_on_screen(qid),
                           actor=person_id())
    except StorageError as exc:
        st.error(str(exc))
        return None
    return "next"


def answers_table(state: iv.InterviewState) -> None:
    """Show every shown question with its saved answer, as plain text."""
    rows = [
        {"Number": n, "Question": one_line(q["wording"]), "Answer": iv.answer_text(q, state.answers.get(q["id"]))}
        for n, q in enumerate(state.visible, start=1) if q["type"] != "note"
    ]
    st.dataframe(rows, hide_index=True, width="stretch")


def submit_block(state: iv.InterviewState) -> None:
    """Show what still needs an answer and the button to send the interview in."""
    missing = state.missing_required()
    for question in missing:
        n = state.visible.index(question) + 1
        st.warning(f"Question {n} needs an answer or a skip: {md(one_line(question['wording']))}")
        if state.interview["mode"] == "one_at_a_time" and st.button(f"Go to question {n}",
                                                                      key=f"interview_goto_{question['id']}"):
            st.session_state["interview_step"] = question["id"]
            st.rerun()
    st.write("Questions left empty will be saved as skipped.")
    if st.button("Send in the interview", key="interview_submit", type="primary"):
        try:
            iv.submit_interview(db, state.interview["id"], actor=person_id())
        except StorageError as exc:
            st.error(str(exc))
            return
        st.session_state["interview_message"] = "The interview is sent in. Thank you."
        st.rerun()


def show_one_at_a_time(state: iv.InterviewState) -> None:
    """Show one question per screen: big text, Enter saves and moves on, Back goes back."""
    ids = [q["id"] for q in state.visible]
    step = st.session_state["interview_step"]
    if step != "review" and step not in ids:
        step = state.next_unanswered_id() or "review"
        st.session_state["interview_step"] = step
    if step == "review":
        st.progress(1.0, text="All questions asked")
        st.header("You reached the end")
        answers_table(state)
        if st.button("Back", key="interview_back"):
            st.session_state["interview_step"] = ids[-1] if ids else None
            st.rerun()
        submit_block(state)
        return
    index = ids.index(step)
    question = state.visible[index]
    st.progress(index / len(ids), text=f"Question {index + 1} of {len(ids)}")
    shown = st.session_state["interview_shown"]
    if not shown or shown[0] != step:
        st.session_state["interview_shown"] = [step, time.time()]
    action = question_block(state, question, index + 1, heading="##")
    if st.button("Back", key="interview_back", disabled=index == 0):
        st.session_state["interview_step"] = ids[index - 1]
        st.rerun()
    if action == "next":
        st.session_state["interview_step"] = step_after(question)
        st.rerun()


def show_whole_form(state: iv.InterviewState) -> None:
    """Show every question on one page; each answer and note is saved when it is given."""
    if st.session_state["interview_shown"] is None:
        st.session_state["interview_shown"] = [None, time.time()]
    answered = sum(1 for q in state.visible if q["type"] == "note" or iv.is_answered(state.answers.get(q["id"])))
    st.progress(answered / max(1, len(state.visible)), text=f"{answered} of {len(state.visible)} done")
    for number, question in enumerate(state.visible, start=1):
        with st.container(border=True):
            st.caption(f"Question {number} of {len(state.visible)}")
            if question_block(state, question, number, heading="###") == "next":
                st.rerun()
    st.header("Send it in")
    submit_block(state)


def show_submitted(state: iv.InterviewState) -> None:
    """Show a sent-in interview, and let its interviewer change an answer with a reason."""
    if state.interview["consent"] != "given":
        st.info("This person did not agree to take part. No questions were asked.")
        return
    if not message:  # the "sent in" message of this run already says it
        st.success("This interview is sent in.")
    answers_table(state)
    questions = [q for q in state.visible if q["type"] != "note"]
    if not questions:
        return
    with st.expander("Change an answer"):
        st.write("Only change an answer to put a mistake right. Say why. The old answer is kept.")
        by_id = {q["id"]: q for q in questions}
        qid = st.selectbox("Question", list(by_id), key="interview_edit_question",
                           format_func=lambda i: f"{questions.index(by_id[i]) + 1}. {one_line(by_id[i]['wording'])}")
        question = by_id[qid]
        st.write("Saved answer: " + md(iv.answer_text(question, state.answers.get(qid))))
        kinds = ["answer", *(k for k, _ in OPT_OUT_BUTTONS)]
        labels = {"answer": "New answer", **dict(OPT_OUT_BUTTONS)}
        kind = st.radio("Change it to", kinds, format_func=labels.get, key="interview_edit_kind", horizontal=True)
        raw = answer_widget(question, None, f"interview_edit_answer_{qid}") if kind == "answer" else None
        reason = st.text_input("Why are you changing it?", key="interview_edit_reason")
        if st.button("Save the change", key="interview_edit_save", type="primary"):
            try:
                iv.edit_submitted_answer(db, state.interview["id"], qid,
                                         value=raw if kind == "answer" else None,
                                         opt_out=None if kind == "answer" else kind,
                                         reason=reason, actor=person_id())
            except StorageError as exc:
                st.error(str(exc))
            else:
                st.session_state["interview_message"] = "The change is saved. The old answer is kept in the log."
                st.rerun()


def show_start() -> None:
    """Show the interviewer's unfinished interviews and the start of a new one, with consent."""
    if st.session_state.pop("interview_clear_code", False):
        st.session_state["interview_code"] = ""
    unfinished = iv.unfinished_interviews(db, person_id())
    if unfinished:
        st.header("Your unfinished interviews")
        for row in unfinished:
            text_col, button_col = st.columns([4, 1])
            text_col.text(f"{row['respondent_code']} – {row['survey_name']}, {row['version_label']}: "
                          f"{row['answered']} of {row['questions']} answered")
            if button_col.button("Carry on", key=f"interview_resume_{row['id']}"):
                st.session_state["interview_id"] = row["id"]
                st.session_state["interview_step"] = None
                st.session_state["interview_shown"] = None
                st.rerun()
    st.header("Start a new interview")
    version = version_picker(db, "interview_version", statuses=("published",))
    if version is None:
        st.info("No survey is ready to use yet. A survey must be published on the Design page first.")
        return
    st.write(f"{version['questions']} questions. {version['interviews']:,} interviews so far.")
    code = st.text_input("Code for the person you are asking", key="interview_code",
                         help="Use your project's code, like AB-1234. Never use a name, phone number or email.")
    for warning in iv.respondent_code_warnings(code, iv.respondent_code_pattern(db)):
        st.warning(warning)
    mode = st.radio("How to show the questions", list(MODE_LABELS), format_func=MODE_LABELS.get,
                    key="interview_mode", horizontal=True)
    st.markdown("**Read this out loud, then ask if they agree:**")
    with st.container(border=True):
        for line in iv.consent_text(db).splitlines():
            st.markdown(f"#### {md(line)}" if line.strip() else "")
    yes, no = st.columns(2)
    agreed = yes.button("They agree", key="interview_consent_yes", type="primary")
    declined = no.button("They do not agree", key="interview_consent_no")
    if agreed or declined:
        try:
            interview_id = iv.start_interview(db, version["id"], code, person_id(), agreed, mode)
        except StorageError as exc:
            st.error(str(exc))
            return
        st.session_state["interview_clear_code"] = True
        if agreed:
            st.session_state["interview_id"] = interview_id
            st.session_state["interview_step"] = None
            st.session_state["interview_shown"] = None
            st.rerun()
        go_to_start("We saved that they did not agree. No questions were asked.")


message = st.session_state.pop("interview_message", None)
if message:
    st.success(message)

if st.session_state["interview_id"] is None:
    show_start()
else:
    try:
        current = iv.resume(db, st.session_state["interview_id"], person_id())
    except StorageError as exc:
        st.error(str(exc))
        if st.button("Back to the start", key="interview_leave_error"):
            go_to_start()
        st.stop()
    top, leave = st.columns([3, 1])
    top.header(md(f"{current.interview['survey_name']} – {current.interview['version_label']}"))
    top.text(f"Code: {current.interview['respondent_code']}")
    if leave.button("Stop for now" if not current.submitted else "New interview", key="interview_leave",
                    width="stretch"):
        go_to_start("Everything is saved. You can carry on later." if not current.submitted else None)
    if current.submitted:
        show_submitted(current)
    elif current.interview["mode"] == "whole_form":
        show_whole_form(current)
    else:
        show_one_at_a_time(current)
