"""Workshop: one question at a time, large enough for a projector and fitted to a 1280 by 720
screen, with a jump-to-question menu, arrow keys and clickers, the checks, the evidence from
interviews and where the group stands on each proposal."""

from __future__ import annotations

import streamlit as st

from surveys import codesign
from ui.design import evidence
from ui.design.context import Design, esc, heading_text
from ui.design.flags import SEVERITY_LABELS, flag_title
from ui.design.workshop_keys import set_workshop_place, workshop_keys

PLACE = "design_workshop_index"


def _jump(key: str) -> None:
    """Move to the question picked in the menu KEY, but only from the menu of the place shown now.

    Quick clicks and key presses make the browser send the page again with the menus of earlier
    places (each with its own place in it): Streamlit calls this for those too. They are old news.
    """
    picked = int(st.session_state[key])
    if key == _jump_key(st.session_state.get(PLACE, 0)) and picked != st.session_state.get(PLACE):
        set_workshop_place(PLACE, picked)


def _jump_key(index: int) -> str:
    return f"design_workshop_jump_{index}"


def show(design: Design) -> None:
    questions = design.questions
    if not questions:
        st.info("This version has no questions yet.")
        return
    nav, jump = st.columns([3, 2], vertical_alignment="center")
    with nav:
        index = workshop_keys(key=PLACE, count=len(questions))
    with jump:
        # A menu for each place, so an old menu's choice is never taken as a jump back (see _jump).
        jump_key = _jump_key(index)
        st.selectbox("Go to question", list(range(len(questions))), index=index, key=jump_key, on_change=_jump,
                     args=(jump_key,), format_func=lambda i: f"{i + 1}. {questions[i]['wording'][:60]}")
    q = questions[index]
    st.header(heading_text(q["wording"]), anchor=False)
    if q["help_text"]:
        st.markdown(f"#### {heading_text(q['help_text'])}")
    left, right = st.columns([3, 2])
    with left:
        if q["options"]:
            st.markdown("\n".join(f"- {heading_text(option)}" for option in q["options"]))
        report = codesign.check_question_row(design.db, q, design.checker())
        st.markdown(f"#### Score: {report.score}")
        for flag, count in codesign.collapse_flags(report.flags):
            times = f" ({count} times)" if count > 1 else ""
            st.markdown(f"**{SEVERITY_LABELS.get(flag.severity, esc(flag.severity))}: {esc(flag_title(flag.code))}**"
                        f"{times}: {esc(flag.message)}")
    with right:
        items = evidence.lineage_evidence(design.db, design.version["survey_id"], q, design.group_terms())
        st.markdown("#### How it did in interviews")
        asked = [item for item in items if item["asked"]]
        if not asked:
            st.markdown("No one has been asked this question yet.")
        for item in asked:
            quality = "" if item["quality_index"] is None else f" · answer quality {item['quality_index']:.0f}"
            st.markdown(f"**{esc(item['version_label'])}**: asked {item['asked']:,} · "
                        f"needed explaining {item['explained'] / item['asked']:.0%} · "
                        f"don't know {item['dont_know'] / item['asked']:.0%} · "
                        f"skipped {item['skipped'] / item['asked']:.0%}{quality}")
    open_ones = [p for p in codesign.proposals_for_question(design.db, q["id"]) if p["status"] in codesign.OPEN_STATUSES]
    if open_ones:
        st.markdown("### Other wordings people proposed")
    for p in open_ones:
        with st.container(border=True):
            st.markdown(f"### {heading_text(p['wording'])}")
            who = f"{heading_text(p['author_name'])}: {heading_text(p['reason'])}" if p["reason"] else \
                heading_text(p["author_name"])
            st.markdown(f"{who}  \n**Where the group stands:** {esc(codesign.group_stance(design.db, p['id'])['summary'])}")
