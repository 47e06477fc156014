"""Proposals: propose another wording, see the evidence, compare, comment, react and decide.

Decisions (agree, adopt, open again, do not use) say which revision of the proposal they were
based on: a decision made on a state or reactions that changed since is refused and explained.
"""

from __future__ import annotations

from types import SimpleNamespace

import streamlit as st

from surveys import codesign
from surveys.storage import core as store
from ui.design import conflict, evidence
from ui.design.context import Design, esc, heading_text, person_label, run, show_error
from ui.design.flags import show_flags

PROPOSE_KEYS = ("design_new_wording", "design_new_reason")


def show(design: Design, q: dict) -> None:
    st.markdown(f"**Wording now:** {esc(q['wording'])}")
    people = store.list_people(design.db)
    people_by_id = {p["id"]: p for p in people}
    if st.session_state.get("design_as_person") not in people_by_id:
        st.session_state["design_as_person"] = design.user["person_id"]
    as_person = st.selectbox("Who is speaking? (in a group, pick the person whose idea it is)",
                             list(people_by_id), key="design_as_person",
                             format_func=lambda pid: person_label(people_by_id[pid]))
    items = evidence.lineage_evidence(design.db, design.version["survey_id"], q, design.group_terms())
    evidence.show_evidence(items, heading="How this question did in interviews", key_prefix="design_proposals")
    st.session_state["design_evidence_now"] = evidence.snapshot(items)

    with st.expander("Propose another wording", expanded=True):
        show_error("propose")
        st.text_area("New wording", key="design_new_wording")
        st.text_input("Why is it better?", key="design_new_reason")
        st.button("Propose", key="design_propose", on_click=run, args=(
            "propose", lambda db: codesign.propose_wording(
                db, q["id"], st.session_state.get("design_new_wording", ""), design.actor,
                st.session_state.get("design_new_reason", ""), speaker_id=as_person)),
            kwargs={"success": "Your wording is proposed. Others can now comment and react.", "clear": PROPOSE_KEYS,
                    "after": lambda pid: st.session_state.update(design_proposal_next=pid)})

    proposals = codesign.proposals_for_question(design.db, q["id"])
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
    show_proposal(design, q, by_pid[pid], as_person)
    compare_section(design, q, proposals)


def _decide(design: Design, pid: str, status: str, revision: int, seen: str, reason_key: str | None = None) -> None:
    """Move proposal PID to STATUS, based on the REVISION the person saw (SEEN, in words)."""
    def action(db):
        if status == "adopted":
            return codesign.adopt(db, pid, design.actor, based_on=revision,
                                  evidence=st.session_state.get("design_evidence_now"))
        return codesign.set_status(db, pid, status, design.actor,
                                   st.session_state.get(reason_key, "") if reason_key else "", based_on=revision)

    messages = {
        "agreed": "The group agrees with this wording.",
        "adopted": "The wording is now in the draft version. The old wording is kept in the history.",
        "proposed": "The proposal is open again.",
        "rejected": "The proposal is marked as not used, with your reason.",
    }

    def now(exc) -> dict:
        from ui.common import get_db

        db = get_db()
        try:
            proposal = codesign.get_proposal(db, pid)
            stance = codesign.group_stance(db, pid)["summary"]
        finally:
            db.conn.close()
        return {"mine": seen, "theirs": f"{codesign.PROPOSAL_STATUS_LABELS[proposal['status']]}. {stance}",
                "status": status, "pid": pid, "reason_key": reason_key}

    run("decide", action, success=messages[status], clear=(reason_key,) if reason_key else (), conflict=now)


def show_proposal(design: Design, q: dict, proposal: dict, as_person: str) -> None:
    pid = proposal["id"]
    stance = codesign.group_stance(design.db, pid)
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
        st.markdown(f"**Where the group stands:** {esc(stance['summary'])}")
        for reaction in codesign.reactions_for(design.db, pid):
            line = f"{codesign.STANCE_LABELS[reaction['stance']]}: {reaction['name']}"
            st.text(line + (f" – {reaction['reason']}" if reaction["reason"] else ""))

    st.markdown("**Comments**")
    comments = codesign.comments_for(design.db, pid)
    for c in comments:
        st.text(f"{c['name']}: {c['body']}")
    if not comments:
        st.caption("No comments yet.")
    show_error("comment")
    st.text_area("Add a comment", key="design_comment")
    st.button("Post comment", key="design_comment_save", on_click=run, args=(
        "comment", lambda db: codesign.comment(db, pid, design.actor, st.session_state.get("design_comment", ""),
                                               speaker_id=as_person)),
        kwargs={"success": "Your comment is posted.", "clear": ("design_comment",)})

    if proposal["status"] in codesign.OPEN_STATUSES:
        st.markdown("**Your reaction**")
        show_error("react")
        st.radio("How do you feel about this wording?", codesign.STANCES, key="design_stance",
                 format_func=codesign.STANCE_LABELS.get, horizontal=True)
        st.text_input("Why? (needed for disagree and block)", key="design_stance_reason")
        st.button("Save my reaction", key="design_react", on_click=run, args=(
            "react", lambda db: codesign.react(db, pid, design.actor, st.session_state.get("design_stance", "agree"),
                                               st.session_state.get("design_stance_reason", ""),
                                               speaker_id=as_person)),
            kwargs={"success": "Your reaction is saved.", "clear": ("design_stance", "design_stance_reason")})

    st.markdown("**Decide together**")
    show_error("decide")
    seen = f"{codesign.PROPOSAL_STATUS_LABELS[proposal['status']]}. {stance['summary']}"
    conflict.show_conflict("decide", mine_label="What you saw", choices=[
        ("Look again", "design_decide_look", lambda found: conflict.clear("decide")),
    ])
    revision = proposal["revision"]
    cols = st.columns(3)
    if proposal["status"] == "proposed":
        cols[0].button("Mark as agreed", key="design_agree", on_click=_decide,
                       args=(design, pid, "agreed", revision, seen))
    if proposal["status"] in codesign.OPEN_STATUSES:
        cols[1].button("Adopt: use this wording", key="design_adopt", type="primary", on_click=_decide,
                       args=(design, pid, "adopted", revision, seen))
    if proposal["status"] in ("agreed", "rejected"):
        cols[2].button("Open it again", key="design_reopen", on_click=_decide,
                       args=(design, pid, "proposed", revision, seen))
    if proposal["status"] in codesign.OPEN_STATUSES:
        st.text_input("The reason for not using it", key="design_reject_reason")
        st.button("Do not use this wording", key="design_reject", on_click=_decide,
                  args=(design, pid, "rejected", revision, seen, "design_reject_reason"))


def compare_section(design: Design, q: dict, proposals: list[dict]) -> None:
    st.header("Compare two wordings")
    candidates = [("Wording now", q["wording"])]
    seen = {q["wording"]}
    for p in proposals:
        if p["wording"] not in seen:
            seen.add(p["wording"])
            candidates.append((f"{p['author_name']}'s proposal", p["wording"]))
    for entry in codesign.wording_history(design.db, q["lineage_id"]):
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
    result = codesign.compare_wordings(candidates[a][1][:5000], candidates[b][1][:5000], design.checker(), q["options"])
    st.markdown("**What changes:** " + codesign.diff_markdown(result["diff"]))
    for column, side in ((left, result["a"]), (right, result["b"])):
        with column:
            st.metric("Score", side["score"])
            flags = [SimpleNamespace(**f) for f in side["flags"]]
            st.markdown(codesign.highlighted_markdown(side["text"], flags) or " ")
            show_flags(design, flags)
