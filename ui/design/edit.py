"""Edit: the wording with checks that update as you type, then the question's other details.

Every save says which revision of the question it was based on (design_base). When someone else
saved first, nothing is saved over their words: both wordings are shown side by side with a
choice. Words not yet saved are kept per question when you look at another one, and listed, so
they are never dropped without asking.
"""

from __future__ import annotations

import streamlit as st

from surveys import codesign
from surveys.checks import MAX_TEXT_CHARS
from surveys.rules import is_joined
from surveys.storage import StorageError
from surveys.storage import core as store
from surveys.storage.codesign import StaleSave
from ui.common import get_db
from ui.design import conflict, evidence
from ui.design.context import Design, esc, flash, heading_text, keep_place, run, show_error, show_flash
from ui.design.flags import show_dismissed, show_flags
from ui.design.live_text import live_text_area, set_live_text

DETAIL_KEYS = ("design_type", "design_help", "design_required", "design_options", "design_show_if_on",
               "design_show_if_question", "design_show_if_operator", "design_show_if_values",
               "design_show_if_value_text", "design_show_if_replace")
DRAFTS = "design_drafts"


def saved_values(q: dict) -> dict:
    """Return the editor's values for a question as it is saved."""
    show_if = q["show_if"] or {}
    return {
        "design_wording": q["wording"],
        "design_type": q["type"],
        "design_help": q["help_text"],
        "design_required": q["required"],
        "design_options": "\n".join(q["options"]),
        "design_show_if_on": bool(show_if),
        "design_show_if_question": show_if.get("question"),
        "design_show_if_operator": show_if.get("operator", "equals"),
        "design_show_if_values": list(show_if.get("values") or []),
        "design_show_if_value_text": ", ".join(str(v) for v in show_if.get("values") or []),
        "design_show_if_replace": False,
    }


def _current_values() -> dict:
    return {key: st.session_state.get(key) for key in ("design_wording", *DETAIL_KEYS)}


def _put_values(values: dict) -> None:
    set_live_text("design_wording", values["design_wording"] or "")
    st.session_state.update({key: values[key] for key in DETAIL_KEYS})


def load_editor(q: dict) -> None:
    """Fill the editor from the saved question and remember it as the base of the next save."""
    values = saved_values(q)
    _put_values(values)
    st.session_state["design_base"] = {"question_id": q["id"], "revision": q["revision"], "values": values}


def is_dirty() -> bool:
    """Return True when the editor holds words or details that are not saved."""
    base = st.session_state.get("design_base")
    if not base:
        return False
    current = _current_values()
    return any(current.get(key) != value for key, value in base["values"].items()
               if key in current and current.get(key) is not None)


def keep_details_alive() -> None:
    """Keep typed details when another part of the page is shown (Streamlit drops widget values
    that are not drawn in a run); the frame calls this before anything is drawn."""
    for key in DETAIL_KEYS:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]


def sync_editor(q: dict) -> None:
    """Make the editor show question Q: keep unsaved words of the question left, bring back
    unsaved words of Q, and follow a colleague's save when there is nothing unsaved here."""
    base = st.session_state.get("design_base")
    drafts = st.session_state.setdefault(DRAFTS, {})
    if base is None or base["question_id"] != q["id"]:
        if base is not None and is_dirty():
            drafts[base["question_id"]] = {"values": _current_values(), "base": base}
        draft = drafts.pop(q["id"], None)
        if draft is None:
            load_editor(q)
        else:
            _put_values(draft["values"])
            st.session_state["design_base"] = draft["base"]
        return
    if q["revision"] != base["revision"] and not conflict.pending("edit"):
        if not is_dirty():
            load_editor(q)
            st.info("Someone saved this question. You now see the newest words.", icon=":material/sync:")
        else:
            by = esc(codesign_last_change(q))
            st.warning(f"{by} saved this question after you opened it. Your words are kept. When you save, "
                       "you will see both and can choose.", icon=":material/group:")


def codesign_last_change(q: dict) -> str:
    from surveys.storage import codesign as sql

    db = get_db()
    try:
        return sql.last_change_by(db, "question", q["id"]) or "Someone"
    finally:
        db.conn.close()


def unsaved_elsewhere(design: Design) -> None:
    """List the questions with words not saved yet, each with a way back and a way to drop them."""
    drafts = st.session_state.get(DRAFTS) or {}
    for question_id in list(drafts):
        q = design.by_id.get(question_id)
        if q is None:
            continue
        with st.container(border=True):
            st.warning(f"Not saved yet: your words for question {q['position']} "
                       f"(“{esc(drafts[question_id]['values']['design_wording'][:80])}”).", icon=":material/edit_note:")
            left, right = st.columns(2)
            left.button(f"Go back to question {q['position']}", key=f"design_draft_open_{question_id}",
                        on_click=st.session_state.update, kwargs={"design_question_next": question_id})
            right.button("Drop my words", key=f"design_draft_drop_{question_id}",
                         on_click=lambda qid=question_id: st.session_state[DRAFTS].pop(qid, None))


def show(design: Design, q: dict) -> None:
    """Draw the Edit part for question Q."""
    locks = codesign.edit_locks(design.db, q["id"])
    items = evidence.lineage_evidence(design.db, design.version["survey_id"], q, design.group_terms())
    evidence.show_evidence(items)
    if locks["wording"]:
        st.markdown(f"### {heading_text(q['wording'])}")
        st.info(locks["wording"], icon=":material/lock:")
        report = codesign.check_question_row(design.db, q, design.checker())
        st.metric("Score", report.score)
        show_flags(design, report.flags)
        return
    st.session_state["design_evidence_now"] = evidence.snapshot(items)
    sync_editor(q)
    unsaved_elsewhere(design)
    _show_wording_conflict(design, q)
    live_editor(design, q["id"])
    details(design, q, locks)


@st.fragment
def live_editor(design: Design, question_id: str) -> None:
    """The wording box, its score, highlights and flags: only this part reruns while typing."""
    db = get_db()
    try:
        q = store.get_question(db, question_id)
        show_flash()
        if st.session_state.pop("design_clear_reason", False):
            st.session_state.pop("design_save_reason", None)
        base = st.session_state["design_base"]
        text = live_text_area("The question", key="design_wording", rows=3, saved=base["values"]["design_wording"],
                              help="The score and flags change as you type.")
        options = codesign.parse_options(st.session_state.get("design_options") or "")
        report = codesign.check_wording(design.checker(), text, options, codesign.dismissed_for(db, question_id))
        score, words = st.columns([1, 3])
        score.metric("Score", report.score, help="Out of 100. Higher is easier to read and answer.")
        with words:
            st.markdown(codesign.highlighted_markdown(text[:MAX_TEXT_CHARS], report.flags) or " ")
        if codesign.is_capped(text):
            st.caption(f"This question is {len(text):,} letters long. Only the first {MAX_TEXT_CHARS:,} are checked. "
                       "A question that long is hard to read out.")
        show_flags(design, report.flags, editable=True, text=text, question_id=question_id)
        show_dismissed(design, question_id)
        st.text_input("Why this change? (you can leave this empty)", key="design_save_reason")
        if st.button("Save wording", key="design_save", type="primary"):
            _save_wording(db, design, q, text)
    finally:
        db.conn.close()


def _save_wording(db, design: Design, q: dict, text: str) -> None:
    base = st.session_state["design_base"]
    try:
        saved = codesign.save_question(db, q["id"], {"wording": text}, design.actor,
                                       st.session_state.get("design_save_reason", ""), based_on=base["revision"],
                                       evidence=st.session_state.get("design_evidence_now"))
    except StaleSave as exc:
        st.session_state["design_conflict_edit"] = {"message": str(exc), "mine": exc.mine, "theirs": exc.theirs,
                                                    "by": exc.by, "revision": exc.revision, "question_id": q["id"]}
        st.rerun()
    except (StorageError, ValueError) as exc:
        st.error(esc(str(exc)))
        return
    values = {**base["values"], "design_wording": saved["wording"]}
    st.session_state["design_base"] = {"question_id": q["id"], "revision": saved["revision"], "values": values}
    if saved["wording"] != text:
        set_live_text("design_wording", saved["wording"])
    st.session_state["design_clear_reason"] = True
    flash("The new wording is saved. The old one is kept in the history.")
    keep_place()
    st.rerun()


def _show_wording_conflict(design: Design, q: dict) -> None:
    def keep_mine(found: dict) -> None:
        def propose_then_take_theirs(db):
            mine = (found.get("mine") or "").strip()
            if mine and " ".join(mine.split()) != " ".join((found.get("theirs") or "").split()):
                codesign.propose_wording(db, q["id"], mine, design.actor,
                                         f"Written at the same time as {found.get('by') or 'a colleague'}'s change.")
            return store.get_question(db, q["id"])

        run("edit", propose_then_take_theirs, after=load_editor,
            success="Your words are now a proposal, so the group can talk about both. The box shows the saved words.")

    def take_theirs(found: dict) -> None:
        run("edit", lambda db: store.get_question(db, q["id"]), after=load_editor,
            success="The box now shows the saved words.")

    conflict.show_conflict("edit", choices=[
        ("Keep mine as a proposal", "design_conflict_propose", keep_mine),
        ("Take theirs", "design_conflict_theirs", take_theirs),
    ])


def details(design: Design, q: dict, locks: dict) -> None:
    """The kind of answer, help, answers to pick from and the show-if rule, saved together."""
    st.header("More about this question")
    show_error("details")
    conflict.show_conflict("details", mine_label="Your details (not saved)", choices=[
        ("Take theirs", "design_details_theirs",
         lambda found: run("details", lambda db: store.get_question(db, q["id"]), after=load_editor,
                           success="The details now show what is saved.")),
        ("Save mine over theirs", "design_details_mine",
         lambda found: _save_details(design, q["id"], based_on=found["revision"])),
    ])
    if locks["type_options"]:
        st.info(locks["type_options"], icon=":material/lock:")
    st.selectbox("Kind of answer", list(codesign.QUESTION_TYPE_LABELS), key="design_type",
                 format_func=codesign.QUESTION_TYPE_LABELS.get, disabled=bool(locks["type_options"]))
    st.text_area("Help for the interviewer", key="design_help")
    st.checkbox("This question needs an answer or a skip", key="design_required")
    st.text_area("Answers to pick from (one a line)", key="design_options", disabled=bool(locks["type_options"]))
    st.session_state["design_show_if_rule"] = show_if_builder(design, q)
    st.button("Save these details", key="design_save_details", on_click=_save_details, args=(design, q["id"]))


def _details_text(values: dict) -> str:
    parts = [f"Kind of answer: {codesign.QUESTION_TYPE_LABELS.get(values['type'], values['type'])}",
             f"Help: {values['help_text'] or '(none)'}",
             f"Needs an answer: {'yes' if values['required'] else 'no'}",
             f"Answers: {', '.join(values['options']) or '(none)'}"]
    return "\n".join(parts)


def _save_details(design: Design, question_id: str, based_on: int | None = None) -> None:
    state = st.session_state
    changes = {"type": state.get("design_type"), "help_text": state.get("design_help") or "",
               "required": bool(state.get("design_required")),
               "options": codesign.parse_options(state.get("design_options") or ""),
               "show_if": state.get("design_show_if_rule")}
    revision = based_on if based_on is not None else state["design_base"]["revision"]

    def save(db):
        return codesign.save_question(db, question_id, changes, design.actor, based_on=revision)

    def after(saved: dict) -> None:
        base = state["design_base"]
        values = {**saved_values(saved), "design_wording": base["values"]["design_wording"]}
        state["design_base"] = {"question_id": question_id, "revision": saved["revision"], "values": values}

    def both(exc: StaleSave) -> dict:
        db = get_db()
        try:
            theirs = store.get_question(db, question_id)
        finally:
            db.conn.close()
        return {"mine": _details_text(changes), "theirs": _details_text(theirs)}

    run("details", save, success="The details are saved.", after=after, conflict=both)


def show_if_builder(design: Design, q: dict) -> dict | None:
    """Draw the show-if menus and return the rule they make, or None."""
    earlier = [other for other in design.questions if other["position"] < q["position"]]
    if not earlier:
        st.caption("This is the first question, so it is always asked.")
        return None
    if not st.checkbox("Only ask this question after a certain answer", key="design_show_if_on"):
        return None
    if is_joined(q["show_if"]):
        # A rule from a spreadsheet form can join several answers; the menus below make one. It
        # stays as it is unless someone chooses to replace it, so saving the help text keeps it.
        st.caption(codesign.describe_show_if(q["show_if"], design.questions))
        if not st.checkbox("Replace this rule with a simpler one", key="design_show_if_replace"):
            return q["show_if"]
    names = {other["name"]: other for other in earlier}
    if st.session_state.get("design_show_if_question") not in names:
        st.session_state["design_show_if_question"] = earlier[-1]["name"]
    source = st.selectbox("Which question decides?", list(names), key="design_show_if_question",
                          format_func=lambda n: f"{names[n]['position']}. {names[n]['wording'][:80]}")
    operator = st.selectbox("When its answer…", list(codesign.SHOW_IF_LABELS), key="design_show_if_operator",
                            format_func=codesign.SHOW_IF_LABELS.get)
    values: list = []
    if operator != "answered":
        choices = names[source]["options"]
        if choices:
            kept = [v for v in st.session_state.get("design_show_if_values") or [] if v in choices]
            st.session_state["design_show_if_values"] = kept
            values = st.multiselect("…these answers", choices, key="design_show_if_values")
        else:
            typed = st.text_input("…this answer", key="design_show_if_value_text")
            values = [v.strip() for v in (typed or "").split(",") if v.strip()]
    rule = {"question": source, "operator": operator, "values": values}
    st.caption(codesign.describe_show_if(rule, design.questions))
    return rule
