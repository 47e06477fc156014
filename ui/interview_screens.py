"""The Interview page's screens: start (with consent), one question at a time, all on one page,
the end (send in), and a sent-in interview (change an answer with a reason).

pages/2_Interview.py picks the screen; ui/interview_questions.py draws and saves each question.
Where the interviewer is lives in session state: interview_id, interview_step (a question id or
"review") and interview_message (text, and "top" or "consent" for where it shows). The place is
also kept in the signed-in session record (ui.auth.remember_place), so a reloaded tab comes back
to the same question.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st
from sqlite_utils import Database

from surveys import accounts, languages
from surveys import interviews as iv
from surveys.safe_markdown import escape_markdown as md
from surveys.storage import StorageError
from ui import interview_questions as ask
from ui.auth import remember_place, still_signed_in
from ui.common import get_db, version_picker

MODE_LABELS = {"one_at_a_time": "One question at a time", "whole_form": "All questions on one page"}
SCREEN_KEY = "interview_screen"
PROGRESS_KEY = "interview_progress"
SEND_KEY = "interview_send"
SENT_IN_SHOWN = 10
FIRST = "first"  # interview_step of a new interview: its first question, even words to read out
DECLINED_MESSAGE = "We saved that they did not agree. No questions were asked."


def counted(n: int, one: str, many: str) -> str:
    """Return "1 question" or "3 questions": a count with the right word."""
    return f"{n:,} {one if n == 1 else many}"


def say(text: str | None, where: str = "top") -> None:
    """Keep a message to show on the next run, at the top of the page or under the consent buttons."""
    st.session_state["interview_message"] = (text, where) if text else None


def open_interview(interview_id: str | None, step: str | None = None) -> None:
    """Put an interview (or none: the start screen) on screen; for buttons' on_click."""
    if interview_id != st.session_state.get("interview_id"):
        ask.forget_boxes()
    st.session_state["interview_id"] = interview_id
    st.session_state["interview_step"] = step
    st.session_state[ask.SHOWN_KEY] = None


def leave(message: str | None) -> None:
    """Show the start screen again (everything is saved already), with MESSAGE at the top."""
    open_interview(None)
    say(message)


def _actor_or_rerun(db: Database) -> accounts.Actor:
    actor = still_signed_in(db)
    if actor is None:
        st.rerun()  # the page's sign-in check says what happened
    return actor


# ---- start ----------------------------------------------------------------------------------


def _start(version_id: str, agreed: bool) -> None:
    """Start an interview from the start screen's boxes (a callback of the consent buttons)."""
    db = get_db()
    actor = _actor_or_rerun(db)
    code = st.session_state.get("interview_code") or ""
    mode = st.session_state.get("interview_mode") or "one_at_a_time"
    language = st.session_state.get("interview_language") or ""
    try:
        interview_id = iv.start_interview(db, version_id, code, actor, agreed, mode, language)
    except StorageError as exc:
        say(str(exc), "consent_error")
        return
    st.session_state["interview_code"] = ""
    if agreed:
        open_interview(interview_id, FIRST)  # a new interview starts at the top, words to read out too
        say(None)
    else:
        say(DECLINED_MESSAGE, "consent")


def start_screen(db: Database, actor: accounts.Actor, message: tuple[str, str] | None) -> None:
    """Draw the unfinished interviews, the start of a new one with consent, and the sent-in ones."""
    unfinished = iv.unfinished_interviews(db, actor)
    if unfinished:
        st.header("Your unfinished interviews")
        for row in unfinished:
            text_col, button_col = st.columns([4, 1])
            text_col.text(f"{row['respondent_code']} – {row['survey_name']}, {row['version_label']}: "
                          f"{row['answered']} of {row['questions']} answered")
            button_col.button("Carry on", key=f"interview_resume_{row['id']}", on_click=open_interview,
                              args=(row["id"],))
    st.header("Start a new interview")
    version = version_picker(db, "interview_version", statuses=("published",))
    if version is None:
        st.info("No survey is ready to use yet. A survey must be published on the Design page first.")
    else:
        counts = iv.version_counts(db, version["id"])
        line = counted(counts["questions"], "question", "questions")
        if counts["with_rules"]:
            line += (", 1 of them only asked after certain answers" if counts["with_rules"] == 1 else
                     f", {counts['with_rules']} of them only asked after certain answers")
        line += f". {counted(counts['finished'], 'person', 'people')} took part so far."
        if counts["declined"]:
            line += f" {counted(counts['declined'], 'person', 'people')} did not want to take part."
        st.write(line)
        code = st.text_input("Code for the person you are asking", key="interview_code",
                             help="Use your project's code, like AB-1234. Never use a name, phone number or email.")
        for warning in iv.respondent_code_warnings(code, iv.respondent_code_pattern(db)):
            st.warning(warning)
        st.radio("How to show the questions", list(MODE_LABELS), format_func=MODE_LABELS.get,
                 key="interview_mode", horizontal=True)
        spoken = {lang["language"]: lang["name"] for lang in languages.version_languages(db, version["id"])}
        if st.session_state.get("interview_language") not in spoken:
            st.session_state["interview_language"] = next(iter(spoken))
        if len(spoken) > 1:
            st.radio("Language to ask in", list(spoken), format_func=spoken.get, key="interview_language",
                     horizontal=True, help="The questions and answers show in this language.")
        st.markdown("**Read this out loud, then ask if they agree:**")
        with st.container(border=True):
            for line in iv.consent_text(db).splitlines():
                st.markdown(f"#### {md(line)}" if line.strip() else "")
        yes, no = st.columns(2)
        yes.button("They agree", key="interview_consent_yes", type="primary", on_click=_start,
                   args=(version["id"], True))
        no.button("They do not agree", key="interview_consent_no", on_click=_start, args=(version["id"], False))
        # Said here, next to the buttons, where the interviewer is looking (not at the top, out of view).
        if message and message[1] == "consent":
            st.success(message[0])
        elif message and message[1] == "consent_error":
            st.error(message[0])
    sent_in_list(db, actor)


def sent_in_list(db: Database, actor: accounts.Actor) -> None:
    """Draw the interviewer's sent-in interviews, newest first, found by part of their code."""
    st.header("Your sent-in interviews")
    search = st.text_input("Find one by its code", key="interview_find_code",
                           placeholder="Type part of a code, like AB-12")
    rows, total = iv.submitted_interviews(db, actor, search, limit=SENT_IN_SHOWN)
    if not total:
        st.write("No sent-in interview has a code like that." if (search or "").strip()
                 else "You have not sent in any interviews yet.")
        return
    for row in rows:
        text_col, button_col = st.columns([4, 1])
        finished = dt.datetime.fromisoformat(row["finished_at"]).strftime("%d %b %Y, %H:%M")
        text_col.text(f"{row['respondent_code']} – {row['survey_name']}, {row['version_label']}: sent in {finished}")
        button_col.button("Open", key=f"interview_open_{row['id']}", on_click=open_interview, args=(row["id"],))
    if total > len(rows):
        st.caption(f"Showing the newest {len(rows)} of {total:,}. Type part of a code to find another.")


# ---- one question at a time -----------------------------------------------------------------


def _go_to(step: str | None) -> None:
    st.session_state["interview_step"] = step


def _step_after(question_id: str) -> str:
    """Return the question id after QUESTION_ID given the answers as saved now, or "review"."""
    state = ask.kept_state()
    question = state.question(question_id)
    later = [q for q in state.visible if (q["position"], q["name"]) > (question["position"], question["name"])]
    return later[0]["id"] if later else "review"


def _save_and_go_on(interview_id: str, question_id: str) -> None:
    saved, _ = ask.save_box(interview_id, question_id, keep_saved=True)
    if saved:
        _go_to(_step_after(question_id))


def _opt_out_and_go_on(interview_id: str, question_id: str, kind: str) -> None:
    saved, _ = ask.save_opt_out(interview_id, question_id, kind)
    if saved:
        _go_to(_step_after(question_id))


def _pick(interview_id: str, question_id: str) -> None:
    ask.save_box(interview_id, question_id)  # saved at once; "Save and go on" moves on


def _progress(state: iv.InterviewState, question: dict) -> None:
    numbers, total = state.numbers, len(state.asked)
    if question["id"] in numbers:
        number = numbers[question["id"]]
        st.progress((number - 1) / max(1, total), text=f"Question {number} of {total}")
    else:  # words to read out between questions
        before = sum(1 for q in state.visible[:state.visible.index(question)] if q["id"] in numbers)
        st.progress(before / max(1, total), text=f"Read this out. {before} of {total} questions asked")


@st.fragment(key=SCREEN_KEY)
def one_at_a_time(interview_id: str) -> None:
    """Draw one question per screen; saving and moving on redraws only this part of the page."""
    step = st.session_state.get("interview_step")
    kept = ask.kept_state()
    if step in {q["id"] for q in kept.visible} and kept.question(step)["type"] in ask.PICKED_TYPES:
        # Typed answers sit in a form: only Enter or the button sends them, so only picks can be missed.
        ask.catch_up(interview_id, step)
    state = ask.kept_state()
    ids = [q["id"] for q in state.visible]
    if step == FIRST:
        step = st.session_state["interview_step"] = ids[0] if ids else "review"
    if step != "review" and step not in ids:
        step = state.next_unanswered_id() or "review"
        st.session_state["interview_step"] = step
    remember_place(get_db(), interview_id, step)
    if step == "review":
        st.progress(1.0, text="All questions asked")
        st.header("You reached the end")
        answers_table(state)
        st.button("Back", key="interview_back", on_click=_go_to, args=(ids[-1] if ids else None,))
        send_in(state, go_to_buttons=True)
        return
    index = ids.index(step)
    question = state.visible[index]
    qid = question["id"]
    answer = state.answers.get(qid)
    ask.start_clock(qid)
    _progress(state, question)
    ask.heading(question, "##")
    if question["type"] == "note":
        st.button("Next", key=f"interview_next_{qid}", type="primary", on_click=_go_to, args=(_step_after(qid),))
    else:
        if iv.is_answered(answer):
            st.info("Saved answer: " + md(iv.answer_text(question, answer)), icon=":material/check_circle:")
        if question["required"]:
            st.caption(ask.REQUIRED_NOTE)
        if question["type"] in ask.PICKED_TYPES:
            ask.answer_box(question, answer, on_change=_pick, args=(interview_id, qid))
            ask.show_flash(qid)
            st.button("Save and go on", key=f"interview_save_{qid}", type="primary", on_click=_save_and_go_on,
                      args=(interview_id, qid))
        else:
            # Typed answers sit in a form, so Enter saves and goes on, as the button does.
            with st.form(key=f"interview_form_{qid}", border=False):
                ask.answer_box(question, answer)
                st.form_submit_button("Save and go on", key=f"interview_save_{qid}", type="primary",
                                      on_click=_save_and_go_on, args=(interview_id, qid))
            ask.show_flash(qid)
        for column, (kind, text) in zip(st.columns(len(ask.OPT_OUTS)), ask.OPT_OUTS):
            column.button(text, key=f"interview_{kind}_{qid}", on_click=_opt_out_and_go_on,
                          args=(interview_id, qid, kind))
        ask.notes(state, question)
    st.button("Back", key="interview_back", disabled=index == 0, on_click=_go_to,
              args=(ids[index - 1] if index else None,))


# ---- all questions on one page --------------------------------------------------------------


def _card_saved(interview_id: str, question_id: str) -> None:
    saved, shown_changed = ask.save_box(interview_id, question_id)
    ask.redraw(shown_changed, (ask.card_key(question_id), PROGRESS_KEY, SEND_KEY))


def _card_opted_out(interview_id: str, question_id: str) -> None:
    saved, shown_changed = ask.save_opt_out(interview_id, question_id)
    ask.redraw(shown_changed, (ask.card_key(question_id), PROGRESS_KEY, SEND_KEY))


def _card(interview_id: str, question_id: str) -> None:
    """Draw one question of the whole page; a fragment, so saving it redraws only this box."""
    if ask.catch_up(interview_id, question_id):
        st.rerun()  # draw the whole page again: the count, the send-in part, maybe other questions
    state = ask.kept_state()
    question = state.question(question_id)
    answer = state.answers.get(question_id)
    with st.container(border=True):
        number = state.numbers.get(question_id)
        ask.heading(question, "###", above=f"Question {number} of {len(state.asked)}" if number else "Read this out",
                    required_note=True)
        if question["type"] == "note":
            return
        ask.answer_box(question, answer, on_change=_card_saved, args=(interview_id, question_id))
        optout_key = f"interview_optout_{question_id}"
        if optout_key not in st.session_state:
            st.session_state[optout_key] = (answer or {}).get("opt_out")
        st.segmented_control("If they do not answer", [k for k, _ in ask.OPT_OUTS], key=optout_key, default=None,
                             format_func=ask.OPT_OUT_LABELS.get, label_visibility="collapsed",
                             on_change=_card_opted_out, args=(interview_id, question_id))
        ask.show_flash(question_id)
        if st.toggle("Notes", key=f"interview_notes_open_{question_id}", value=ask.has_notes(answer)):
            ask.notes(state, question, fragments=(ask.card_key(question_id),))


@st.fragment(key=PROGRESS_KEY)
def _whole_progress() -> None:
    state = ask.kept_state()
    total, done = len(state.asked), state.answered_count
    st.progress(done / max(1, total), text=f"{done} of {total} answered")


@st.fragment(key=SEND_KEY)
def _whole_send() -> None:
    send_in(ask.kept_state(), go_to_buttons=False)


def whole_form(state: iv.InterviewState) -> None:
    """Draw every shown question on one page, each in its own box that saves and redraws alone."""
    ask.start_clock(None)
    remember_place(get_db(), state.interview["id"], None)
    _whole_progress()
    for question in state.visible:
        st.fragment(_card, key=ask.card_key(question["id"]))(state.interview["id"], question["id"])
    st.header("Send it in")
    _whole_send()


# ---- the end and sending in -----------------------------------------------------------------


def answers_table(state: iv.InterviewState) -> None:
    """Show every shown question with its saved answer, as plain text."""
    numbers = state.numbers
    rows = [{"Number": numbers[q["id"]], "Question": ask.one_line(q["wording"]),
             "Answer": iv.answer_text(q, state.answers.get(q["id"]))} for q in state.asked]
    st.dataframe(rows, hide_index=True, width="stretch")


def send_in(state: iv.InterviewState, *, go_to_buttons: bool) -> None:
    """Show what still needs an answer and the button to send the interview in."""
    numbers = state.numbers
    for question in state.missing_required():
        n = numbers[question["id"]]
        st.warning(f"Question {n} needs an answer or a skip: {md(ask.one_line(question['wording']))}")
        if go_to_buttons:
            st.button(f"Go to question {n}", key=f"interview_goto_{question['id']}", on_click=_go_to,
                      args=(question["id"],))
    st.write("Questions left empty will be saved as skipped.")
    if st.button("Send in the interview", key="interview_submit", type="primary"):
        db = get_db()
        try:
            iv.submit_interview(db, state.interview["id"], actor=_actor_or_rerun(db))
        except StorageError as exc:
            st.error(str(exc))
            return
        say("The interview is sent in. Thank you.")
        st.rerun()


# ---- a sent-in interview --------------------------------------------------------------------


def _change_summary(change: iv.AnswerChange, state: iv.InterviewState) -> str:
    text = "The change is saved. The old answer is kept in the log."
    if change.removed:
        text += " These questions no longer apply, so their answers were taken out: " + ", ".join(
            md(ask.one_line(q["wording"])) for q in change.removed) + "."
    if change.now_shown:
        text += " These questions now apply and are saved as skipped. Change them here if the person answered: " \
            + ", ".join(md(ask.one_line(q["wording"])) for q in change.now_shown) + "."
    return text


def sent_in(db: Database, actor: accounts.Actor, state: iv.InterviewState, message_shown: bool) -> None:
    """Show a sent-in interview, and let its interviewer change an answer with a reason."""
    if state.interview["consent"] != "given":
        st.info("This person did not agree to take part. No questions were asked.")
        return
    if not message_shown:
        st.success("This interview is sent in.")
    answers_table(state)
    questions = state.asked
    if not questions:
        return
    numbers = state.numbers
    with st.expander("Change an answer", expanded=True):
        st.write("Only change an answer to put a mistake right. Say why. The old answer is kept.")
        by_id = {q["id"]: q for q in questions}
        qid = st.selectbox("Question", list(by_id), key="interview_edit_question",
                           format_func=lambda i: f"{numbers[i]}. {ask.one_line(by_id[i]['wording'])}")
        question = by_id[qid]
        st.write("Saved answer: " + md(iv.answer_text(question, state.answers.get(qid))))
        kinds = ["answer", *(k for k, _ in ask.OPT_OUTS)]
        labels = {"answer": "New answer", **ask.OPT_OUT_LABELS}
        kind = st.radio("Change it to", kinds, format_func=labels.get, key="interview_edit_kind", horizontal=True)
        raw = (ask.answer_box(question, None, key=f"interview_edit_answer_{qid}", label="New answer")
               if kind == "answer" else None)
        value, opt_out = (raw, None) if kind == "answer" else (None, kind)
        if kind != "answer" or not ask.is_empty(raw):
            try:
                stops, starts = iv.edit_effects(state, qid, value, opt_out)
            except StorageError:
                stops, starts = [], []  # the save below says what is wrong
            if stops:
                st.warning("After this change these questions no longer apply, so their answers will be taken "
                           "out (the old answers stay in the log): "
                           + ", ".join(md(ask.one_line(q["wording"])) for q in stops) + ".")
            if starts:
                st.info("After this change these questions apply. They will be saved as skipped: "
                        + ", ".join(md(ask.one_line(q["wording"])) for q in starts) + ".")
        reason = st.text_input("Why are you changing it?", key="interview_edit_reason")
        if st.button("Save the change", key="interview_edit_save", type="primary"):
            try:
                change = iv.edit_submitted_answer(db, state.interview["id"], qid, value=value, opt_out=opt_out,
                                                  reason=reason, actor=actor)
            except StorageError as exc:
                st.error(str(exc))
            else:
                st.session_state.pop("interview_edit_reason", None)
                say(_change_summary(change, state))
                st.rerun()


__all__ = ["MODE_LABELS", "leave", "one_at_a_time", "open_interview", "sent_in", "start_screen", "whole_form"]
