"""Design: the group writes, checks, rewords and agrees the questions of a survey together.

The page reads widgets, calls surveys.codesign (and the checker), and shows the result.
Everything a person typed is shown as text (escaped Markdown), never as HTML.
Session-state keys start with "design_".
"""

from __future__ import annotations

from types import SimpleNamespace

import streamlit as st

from surveys import codesign
from surveys.checks import CODES, apply_suggestion, get_checker
from surveys.storage import StorageError, glossary
from surveys.storage import core as store
from ui.common import ROLE_LABELS, STATUS_LABELS, get_db, page_header, require_role, version_picker

st.set_page_config(page_title="Design – Peer Survey Studio", page_icon="✏️", layout="wide")
db = get_db()
user = require_role(db, "design")
page_header("Design", "Write and reword the questions together. Everyone's part is saved and credited.")

PARTS = ("Questions", "Edit", "Proposals", "Versions", "Contributions", "Workshop", "Glossary", "Script")
# Material icons ship with Streamlit; emoji showed as empty boxes where no emoji font is installed.
SEVERITY_LABELS = {
    "problem": ":material/error: Problem",
    "warning": ":material/warning: Check this",
    "info": ":material/lightbulb: Tip",
}
esc = codesign.escape_markdown


def heading_text(text: str) -> str:
    """Return typed text escaped and on one line: a line break would end a Markdown heading."""
    return esc(" ".join((text or "").split()))

for key, value in (("design_part", PARTS[0]), ("design_workshop_index", 0)):
    st.session_state.setdefault(key, value)


@st.cache_resource(show_spinner="Getting the question checker ready…")
def _checker(terms: glossary.GroupTerms):
    """Return the checker for this group's glossary (one per set of terms)."""
    return get_checker(terms)


def checker():
    """Return the checker with the group's own terms on top of the shipped lists."""
    return _checker(glossary.group_terms(db))


def done(message: str) -> None:
    """Remember a message for the next run and run the page again so it shows fresh data."""
    st.session_state["design_flash"] = message
    # A menu's choice is matched by its label, and labels show the wording and state, which
    # may just have changed: carry the chosen ids over so the page stays on the same question.
    for key in ("design_question", "design_proposal"):
        if key in st.session_state:
            st.session_state.setdefault(f"{key}_next", st.session_state[key])
    st.rerun()


FAILED = object()


def attempt(action, *args, **kwargs):
    """Return the action's result, or show its plain-words error and return FAILED."""
    try:
        return action(*args, **kwargs)
    except (StorageError, ValueError) as exc:
        st.error(str(exc))
        return FAILED


def set_state(key: str, value) -> None:
    """Set a widget's value; used as a button callback so it runs before the widget is drawn."""
    st.session_state[key] = value


def show_flags(flags, *, key_prefix: str | None = None, text: str = "", question_id: str | None = None) -> None:
    """List flags with their message and why; with KEY_PREFIX, offer suggestion and dismiss buttons."""
    if not flags:
        st.success("No flags. This reads well.")
        return
    for i, flag in enumerate(flags):
        with st.container(border=True):
            st.markdown(f"**{SEVERITY_LABELS.get(flag.severity, flag.severity)}:** {esc(flag.message)}")
            if flag.why:
                st.caption(esc(flag.why))
            if key_prefix is None:
                continue
            if flag.suggestion and flag.start is not None:
                st.button("Use this suggestion", key=f"{key_prefix}_apply_{i}", on_click=set_state,
                          args=("design_wording", apply_suggestion(text, flag)),
                          help="Puts the new words in the box. Press Save wording to keep them.")
            if question_id:
                reason = st.text_input("Why is this fine for your group?", key=f"{key_prefix}_dismiss_reason_{i}")
                if st.button("Dismiss this flag", key=f"{key_prefix}_dismiss_{i}"):
                    if attempt(glossary.dismiss_flag, db, question_id, flag.code, flag.quoted, reason,
                               user["person_id"]) is not FAILED:
                        done("The flag is dismissed for this question.")


def person_label(person: dict) -> str:
    return f"{person['display_name']} ({ROLE_LABELS.get(person['role'], person['role'])})"


# ---- survey version ---------------------------------------------------------------------------

if "design_version_next" in st.session_state:
    st.session_state["design_version"] = st.session_state.pop("design_version_next")
version = version_picker(db, "design_version")
if version is None:
    st.info("There are no surveys yet. Load the demo, or ask your admin to start a survey.")
    st.stop()
version = store.get_version(db, version["id"])
is_draft = version["status"] == "draft"

if "design_flash" in st.session_state:
    st.success(st.session_state.pop("design_flash"))

if not is_draft:
    st.info(codesign.LOCKED_VERSION, icon=":material/lock:")
    if st.button("Start a new draft version", key="design_new_version"):
        new_id = attempt(codesign.start_new_version, db, version["id"], user["person_id"])
        if new_id is not FAILED:
            st.session_state["design_version_next"] = new_id
            done("A new draft version is ready. It has the same questions, and you can change it.")

part = st.radio("What do you want to do?", PARTS, key="design_part", horizontal=True)
questions = store.questions_for_version(db, version["id"])
by_id = {q["id"]: q for q in questions}

question = None
if "design_question_next" in st.session_state:
    st.session_state["design_question"] = st.session_state.pop("design_question_next")
if part in ("Questions", "Edit", "Proposals", "Versions", "Contributions") and questions:
    if st.session_state.get("design_question") not in by_id:
        st.session_state["design_question"] = questions[0]["id"]
    question_id = st.selectbox(
        "Question", list(by_id), key="design_question",
        format_func=lambda qid: f"{by_id[qid]['position']}. {by_id[qid]['wording'][:90]}",
    )
    question = by_id[question_id]


# ---- Questions: the list, add, move, delete ------------------------------------------------------


def part_questions() -> None:
    codes = [None, *sorted(CODES)]
    code = st.selectbox("Show only questions with this flag", codes, key="design_code_filter",
                        format_func=lambda c: "All questions" if c is None else c.replace("_", " ").replace("-", " "))
    rows = codesign.question_list(db, version["id"], checker(), code=code)
    if rows:
        st.dataframe(
            [{"No.": r["position"], "Question": r["wording"],
              "Type": codesign.QUESTION_TYPE_LABELS[r["type"]], "Score": r["score"],
              "Problems": r["problems"], "Check this": r["warnings"], "Tips": r["infos"],
              "State": r["status"]} for r in rows],
            hide_index=True, width="stretch",
        )
    else:
        st.info("No questions to show." if code is None else "No question has this flag.")
    if not is_draft:
        return
    if question is not None:
        st.header("Move or delete the chosen question")
        left, right = st.columns(2)
        with left:
            to = st.number_input("Move it to place", min_value=1, max_value=max(1, len(questions)),
                                 value=question["position"], step=1, key="design_move_to")
            if st.button("Move", key="design_move"):
                if attempt(store.move_question, db, question["id"], int(to), actor=user["name"]) is not FAILED:
                    done("The question has moved.")
        with right:
            sure = st.checkbox("Yes, delete this question", key="design_delete_sure")
            if st.button("Delete", key="design_delete", disabled=not sure):
                if attempt(store.delete_question, db, question["id"], actor=user["name"]) is not FAILED:
                    st.session_state.pop("design_question", None)
                    done("The question is deleted.")
    st.header("Add a question")
    name = st.text_input("Short name (letters, numbers and _ only)", key="design_add_name")
    qtype = st.selectbox("Kind of answer", list(codesign.QUESTION_TYPE_LABELS), key="design_add_type",
                         format_func=codesign.QUESTION_TYPE_LABELS.get)
    wording = st.text_area("The question", key="design_add_wording")
    options = st.text_area("Answers to pick from (one a line)", key="design_add_options")
    if st.button("Add the question", key="design_add"):
        new_qid = attempt(store.add_question, db, version["id"], name=name.strip(), type=qtype,
                          wording=wording.strip(), options=codesign.parse_options(options), actor=user["name"])
        if new_qid is not FAILED:
            st.session_state["design_question_next"] = new_qid
            done("The question is added.")


# ---- Edit: wording with live checks, then the details ---------------------------------------------


EDITOR_KEYS = ("design_wording", "design_type", "design_help", "design_required", "design_options")


def load_editor(q: dict) -> None:
    """Fill the editor boxes from the saved question when another question (or a save) arrives."""
    stamp = (q["id"], q["updated_at"])
    # Widget values are dropped when another part of the page was shown, so reload them then too.
    if st.session_state.get("design_editing") == stamp and all(k in st.session_state for k in EDITOR_KEYS):
        return
    st.session_state["design_editing"] = stamp
    show_if = q["show_if"] or {}
    st.session_state.update({
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
    })


def part_edit(q: dict) -> None:
    locks = codesign.edit_locks(db, q["id"])
    if locks["wording"]:
        st.markdown(f"### {heading_text(q['wording'])}")
        st.info(locks["wording"], icon=":material/lock:")
        report = codesign.check_question_row(db, q, checker())
        st.metric("Score", report.score)
        show_flags(report.flags)
        return
    load_editor(q)
    text = st.text_area("The question", key="design_wording", height=100)
    options = codesign.parse_options(st.session_state.get("design_options", ""))
    report = checker().check(text, options or None, dismissed=codesign.dismissed_for(db, q["id"]))
    left, right = st.columns([1, 3])
    left.metric("Score", report.score, help="Out of 100. Higher is easier to read and answer.")
    with right:
        st.markdown(codesign.highlighted_markdown(text, report.flags) or " ")
    show_flags(report.flags, key_prefix="design", text=text, question_id=q["id"])
    reason = st.text_input("Why this change? (you can leave this empty)", key="design_save_reason")
    if st.button("Save wording", key="design_save", type="primary"):
        if attempt(codesign.save_question, db, q["id"], {"wording": text}, user["person_id"], reason) is not FAILED:
            done("The new wording is saved. The old one is kept in the history.")

    st.header("More about this question")
    if locks["type_options"]:
        st.info(locks["type_options"], icon=":material/lock:")
    qtype = st.selectbox("Kind of answer", list(codesign.QUESTION_TYPE_LABELS), key="design_type",
                         format_func=codesign.QUESTION_TYPE_LABELS.get, disabled=bool(locks["type_options"]))
    help_text = st.text_area("Help for the interviewer", key="design_help")
    required = st.checkbox("This question needs an answer or a skip", key="design_required")
    st.text_area("Answers to pick from (one a line)", key="design_options", disabled=bool(locks["type_options"]))
    show_if = show_if_builder(q)
    if st.button("Save these details", key="design_save_details"):
        changes = {"type": qtype, "help_text": help_text, "required": required, "options": options,
                   "show_if": show_if}
        if attempt(codesign.save_question, db, q["id"], changes, user["person_id"]) is not FAILED:
            done("The details are saved.")


def show_if_builder(q: dict) -> dict | None:
    """Draw the show-if menus and return the rule they make, or None."""
    earlier = [other for other in questions if other["position"] < q["position"]]
    if not earlier:
        st.caption("This is the first question, so it is always asked.")
        return None
    if not st.checkbox("Only ask this question after a certain answer", key="design_show_if_on"):
        return None
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
            kept = [v for v in st.session_state.get("design_show_if_values", []) if v in choices]
            st.session_state["design_show_if_values"] = kept
            values = st.multiselect("…these answers", choices, key="design_show_if_values")
        else:
            typed = st.text_input("…this answer", key="design_show_if_value_text")
            values = [v.strip() for v in typed.split(",") if v.strip()]
    rule = {"question": source, "operator": operator, "values": values}
    st.caption(codesign.describe_show_if(rule, questions))
    return rule


# ---- Proposals: propose, compare, discuss, react, decide ----------------------------------------


def part_proposals(q: dict) -> None:
    st.markdown(f"**Wording now:** {esc(q['wording'])}")
    people = store.list_people(db)
    people_by_id = {p["id"]: p for p in people}
    if st.session_state.get("design_as_person") not in people_by_id:
        st.session_state["design_as_person"] = user["person_id"]
    as_person = st.selectbox("Who is speaking? (in a group, pick the person whose idea it is)",
                             list(people_by_id), key="design_as_person",
                             format_func=lambda pid: person_label(people_by_id[pid]))

    with st.expander("Propose another wording", expanded=True):
        wording = st.text_area("New wording", key="design_new_wording")
        reason = st.text_input("Why is it better?", key="design_new_reason")
        if st.button("Propose", key="design_propose"):
            if attempt(codesign.propose_wording, db, q["id"], wording, as_person, reason) is not FAILED:
                done("Your wording is proposed. Others can now comment and react.")

    proposals = codesign.proposals_for_question(db, q["id"])
    if not proposals:
        st.info("Nobody has proposed another wording for this question yet.")
        return
    by_pid = {p["id"]: p for p in proposals}
    if "design_proposal_next" in st.session_state:
        st.session_state["design_proposal"] = st.session_state.pop("design_proposal_next")
    if st.session_state.get("design_proposal") not in by_pid:
        st.session_state["design_proposal"] = proposals[-1]["id"]
    pid = st.selectbox(
        "Proposal", list(by_pid), key="design_proposal",
        format_func=lambda p: f"{codesign.PROPOSAL_STATUS_LABELS[by_pid[p]['status']]} – "
                              f"{by_pid[p]['author_name']}: {by_pid[p]['wording'][:80]}",
    )
    proposal = by_pid[pid]
    show_proposal(q, proposal, as_person)
    compare_section(q, proposals)


def show_proposal(q: dict, proposal: dict, as_person: str) -> None:
    pid = proposal["id"]
    with st.container(border=True):
        st.markdown(f"### {heading_text(proposal['wording'])}")
        role = codesign.PERSON_ROLE_LABELS.get(proposal["author_role"], proposal["author_role"])
        st.markdown(f"Proposed by **{esc(proposal['author_name'])}** ({esc(role)}). "
                    f"State: **{codesign.PROPOSAL_STATUS_LABELS[proposal['status']]}**")
        if proposal["reason"]:
            st.markdown(f"Why: {esc(proposal['reason'])}")
        if proposal["status_reason"]:
            st.markdown(f"Why it was not used: {esc(proposal['status_reason'])}")
        st.markdown("**What changes:** " + codesign.diff_markdown(codesign.word_diff(q["wording"], proposal["wording"])))
        stance = codesign.group_stance(db, pid)
        st.markdown(f"**Where the group stands:** {esc(stance['summary'])}")
        for reaction in codesign.reactions_for(db, pid):
            line = f"{codesign.STANCE_LABELS[reaction['stance']]}: {reaction['name']}"
            st.text(line + (f" – {reaction['reason']}" if reaction["reason"] else ""))

    st.markdown("**Comments**")
    comments = codesign.comments_for(db, pid)
    for c in comments:
        st.text(f"{c['name']}: {c['body']}")
    if not comments:
        st.caption("No comments yet.")
    body = st.text_area("Add a comment", key="design_comment")
    if st.button("Post comment", key="design_comment_save"):
        if attempt(codesign.comment, db, pid, as_person, body) is not FAILED:
            done("Your comment is posted.")

    if proposal["status"] in codesign.OPEN_STATUSES:
        st.markdown("**Your reaction**")
        stance_choice = st.radio("How do you feel about this wording?", codesign.STANCES, key="design_stance",
                                 format_func=codesign.STANCE_LABELS.get, horizontal=True)
        why = st.text_input("Why? (needed for disagree and block)", key="design_stance_reason")
        if st.button("Save my reaction", key="design_react"):
            if attempt(codesign.react, db, pid, as_person, stance_choice, why) is not FAILED:
                done("Your reaction is saved.")

    st.markdown("**Decide together**")
    cols = st.columns(3)
    if proposal["status"] == "proposed" and cols[0].button("Mark as agreed", key="design_agree"):
        if attempt(codesign.set_status, db, pid, "agreed", user["person_id"]) is not FAILED:
            done("The group agrees with this wording.")
    if proposal["status"] in codesign.OPEN_STATUSES and cols[1].button(
            "Adopt: use this wording", key="design_adopt", type="primary"):
        if attempt(codesign.adopt, db, pid, user["person_id"]) is not FAILED:
            done("The wording is now in the draft version. The old wording is kept in the history.")
    if proposal["status"] in ("agreed", "rejected") and cols[2].button("Open it again", key="design_reopen"):
        if attempt(codesign.set_status, db, pid, "proposed", user["person_id"]) is not FAILED:
            done("The proposal is open again.")
    if proposal["status"] in codesign.OPEN_STATUSES:
        reject_reason = st.text_input("The reason for not using it", key="design_reject_reason")
        if st.button("Do not use this wording", key="design_reject"):
            if attempt(codesign.set_status, db, pid, "rejected", user["person_id"], reject_reason) is not FAILED:
                done("The proposal is marked as not used, with your reason.")


def compare_section(q: dict, proposals: list[dict]) -> None:
    st.header("Compare two wordings")
    candidates = [("Wording now", q["wording"])]
    seen = {q["wording"]}
    for p in proposals:
        if p["wording"] not in seen:
            seen.add(p["wording"])
            candidates.append((f"{p['author_name']}'s proposal", p["wording"]))
    for entry in codesign.wording_history(db, q["lineage_id"]):
        for text in [h["wording"] for h in entry["earlier"]] + [entry["wording"]]:
            if text not in seen:
                seen.add(text)
                candidates.append((f"Earlier wording (version {entry['version_number']})", text))
    labels = [f"{label}: {text[:70]}" for label, text in candidates]
    index = list(range(len(candidates)))
    for key, default in (("design_compare_a", 0), ("design_compare_b", min(1, len(index) - 1))):
        if st.session_state.get(key) not in index:
            st.session_state[key] = default
    left, right = st.columns(2)
    a = left.selectbox("First", index, key="design_compare_a", format_func=labels.__getitem__)
    b = right.selectbox("Second", index, key="design_compare_b", format_func=labels.__getitem__)
    result = codesign.compare_wordings(candidates[a][1], candidates[b][1], checker(), q["options"])
    st.markdown("**What changes:** " + codesign.diff_markdown(result["diff"]))
    for column, side in ((left, result["a"]), (right, result["b"])):
        with column:
            st.metric("Score", side["score"])
            flags = [SimpleNamespace(**f) for f in side["flags"]]
            st.markdown(codesign.highlighted_markdown(side["text"], flags) or " ")
            show_flags(flags)


# ---- Versions ----------------------------------------------------------------------------------------


def part_versions(q: dict | None) -> None:
    versions = store.list_versions(db, version["survey_id"])
    st.dataframe([{"Version": v["label"], "State": STATUS_LABELS[v["status"]], "Questions": v["questions"],
                   "Interviews": v["interviews"]} for v in versions], hide_index=True, width="stretch")
    if is_draft:
        st.write("When the group is happy, publish this version. Then it is frozen and ready for interviews.")
        sure = st.checkbox("The group has checked every question", key="design_publish_sure")
        if st.button("Publish this version", key="design_publish", disabled=not sure, type="primary"):
            if attempt(codesign.publish, db, version["id"], user["person_id"]) is not FAILED:
                done("This version is published and ready to use.")
    if q is None:
        return
    st.header("How this question's wording changed")
    for entry in codesign.wording_history(db, q["lineage_id"]):
        with st.container(border=True):
            st.markdown(f"**{esc(entry['version_label'])}** ({STATUS_LABELS[entry['version_status']]})")
            for h in entry["earlier"]:
                who = f" – changed by {h['name']}" if h["name"] else ""
                st.text(f"Before: {h['wording']}{who} ({h['reason']})")
            st.text(f"Now: {entry['wording']}")


# ---- Contributions -------------------------------------------------------------------------------------


def part_contributions(q: dict | None) -> None:
    scope = st.radio("Whose part to show", ["This survey", "The chosen question"], key="design_contrib_scope",
                     horizontal=True)
    if scope == "The chosen question" and q is not None:
        rows = codesign.contributions(db, question_id=q["id"])
    else:
        rows = codesign.contributions(db, survey_id=version["survey_id"])
    if not rows:
        st.info("Nobody has proposed, commented or reacted yet.")
        return
    st.dataframe([{"Name": r["name"], "Role": r["role"], "Wordings proposed": r["proposed"],
                   "Wordings adopted": r["adopted"], "Comments": r["commented"], "Reactions": r["reacted"],
                   "Total": r["total"]} for r in rows], hide_index=True, width="stretch")
    st.download_button("Download as a spreadsheet (CSV)", codesign.contributions_csv(rows),
                       file_name="contributions.csv", mime="text/csv", key="design_contrib_csv")


# ---- Workshop: one question at a time, big ----------------------------------------------------------------


def part_workshop() -> None:
    if not questions:
        st.info("This version has no questions yet.")
        return
    index = min(st.session_state["design_workshop_index"], len(questions) - 1)
    st.session_state["design_workshop_index"] = index
    q = questions[index]
    prev, place, nxt = st.columns([1, 2, 1])
    prev.button("◀ Previous", key="design_prev", disabled=index == 0,
                on_click=set_state, args=("design_workshop_index", index - 1))
    place.markdown(f"### Question {index + 1} of {len(questions)}")
    nxt.button("Next ▶", key="design_next", disabled=index >= len(questions) - 1,
               on_click=set_state, args=("design_workshop_index", index + 1))
    st.markdown(f"# {heading_text(q['wording'])}")
    if q["help_text"]:
        st.markdown(f"### {heading_text(q['help_text'])}")
    for option in q["options"]:
        st.markdown(f"## – {heading_text(option)}")
    report = codesign.check_question_row(db, q, checker())
    st.metric("Score", report.score)
    for flag in report.flags:
        st.markdown(f"### {SEVERITY_LABELS.get(flag.severity, flag.severity)}: {heading_text(flag.message)}")
    open_ones = [p for p in codesign.proposals_for_question(db, q["id"]) if p["status"] in codesign.OPEN_STATUSES]
    if open_ones:
        st.markdown("## Other wordings people proposed")
    for p in open_ones:
        with st.container(border=True):
            st.markdown(f"# {heading_text(p['wording'])}")
            st.markdown(f"### {heading_text(p['author_name'])}: {heading_text(p['reason'])}" if p["reason"]
                        else f"### {heading_text(p['author_name'])}")
            st.markdown(f"### {heading_text(codesign.group_stance(db, p['id'])['summary'])}")


# ---- Glossary --------------------------------------------------------------------------------------------


def part_glossary() -> None:
    st.write("Add words your group finds hard or unkind, with a better word. Or accept a word the "
             "checker flags, if your group is happy with it. Each change says who made it and why.")
    terms = glossary.list_terms(db)
    if terms:
        st.dataframe([{"Word": t["term"], "Kind": GLOSSARY_KINDS.get(t["kind"], t["kind"]),
                       "Say instead": t["alternative"], "Why": t["reason"]} for t in terms],
                     hide_index=True, width="stretch")
    else:
        st.info("Your group has not added any words yet. The checker uses its own lists.")
    st.header("Add a word")
    term = st.text_input("Word or words", key="design_term")
    kind = st.selectbox("What kind?", list(GLOSSARY_KINDS), key="design_term_kind", format_func=GLOSSARY_KINDS.get)
    alternative = st.text_input("What to say instead", key="design_term_alt")
    reason = st.text_input("Why?", key="design_term_reason")
    if st.button("Add the word", key="design_term_add"):
        if attempt(glossary.add_term, db, term, kind, alternative=alternative, reason=reason,
                   person_id=user["person_id"]) is not FAILED:
            done("The word is added. The checks now use it.")
    if terms:
        st.header("Take a word off the list")
        by_tid = {t["id"]: t for t in terms}
        tid = st.selectbox("Word", list(by_tid), key="design_term_pick", format_func=lambda t: by_tid[t]["term"])
        why = st.text_input("Why take it off?", key="design_term_remove_reason")
        if st.button("Take it off", key="design_term_remove"):
            if attempt(glossary.remove_term, db, tid, person_id=user["person_id"], reason=why) is not FAILED:
                done("The word is taken off the list.")


GLOSSARY_KINDS = {"jargon": "Hard word (jargon)", "stigmatising": "Unkind label", "accepted": "Fine for our group"}


# ---- Script ---------------------------------------------------------------------------------------------------


def part_script() -> None:
    fmt = st.radio("Kind of file", ["markdown", "html"], key="design_script_format", horizontal=True,
                   format_func={"markdown": "Text (Markdown)", "html": "Web page (HTML)"}.get)
    script = codesign.interviewer_script(db, version["id"], fmt)
    st.download_button("Download the interviewer script", script, key="design_script_download",
                       file_name=f"interviewer-script.{'md' if fmt == 'markdown' else 'html'}",
                       mime="text/markdown" if fmt == "markdown" else "text/html")
    with st.container(border=True):
        st.markdown(codesign.interviewer_script(db, version["id"], "markdown"))


# ---- draw the chosen part -------------------------------------------------------------------------------------

if part == "Questions":
    part_questions()
elif part == "Workshop":
    part_workshop()
elif part == "Glossary":
    part_glossary()
elif part == "Script":
    part_script()
elif part == "Versions":
    part_versions(question)
elif part == "Contributions":
    part_contributions(question)
elif question is None:
    st.info("This version has no questions yet. Add one under Questions.")
elif part == "Edit":
    part_edit(question)
elif part == "Proposals":
    part_proposals(question)
