"""How a question did in interviews, beside it on the Design page, and "Look at these again".

The numbers come from analysis/evidence.py, which calls the same measures as the Explore page
and `python -m surveys report`. They are worked out once for the whole survey and kept; when an
answer or interview changes (a cheap stamp says so) they are counted again on a background
thread while the page shows the last count and says so. Switching question costs a lookup.
"""

from __future__ import annotations

import datetime as _dt
import threading

import pandas as pd
import streamlit as st
from sqlite_utils import Database

from analysis import evidence
from surveys import codesign
from surveys.storage import glossary, open_database
from surveys.storage import evidence as evidence_store
from ui.common import STATUS_LABELS, db_path
from ui.design.context import _checker, esc

DESIGN_PAGE = "pages/1_Design.py"


class _KeptEvidence:
    """The evidence last counted for each survey, shared by every session of this process.

    The first time, the evidence is counted at once. When answers change later, the page shows
    what was counted before (and says so) while a background thread counts again, so picking a
    question never waits for the counting. Thread-safe: every read and write holds the lock.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._kept: dict[tuple[str, str], tuple[str, dict]] = {}
        self._counting: set[tuple[str, str]] = set()

    @staticmethod
    def _count(path: str, survey_id: str) -> dict:
        db = open_database(path, migrate_now=False)
        try:
            return evidence.evidence_by_lineage(db, survey_id)
        finally:
            db.conn.close()

    def _count_again(self, key: tuple[str, str], stamp: str) -> None:
        try:
            counted = self._count(*key)
            with self._lock:
                self._kept[key] = (stamp, counted)
        finally:
            with self._lock:
                self._counting.discard(key)

    def get(self, path: str, survey_id: str, stamp: str) -> tuple[dict, bool]:
        """Return (evidence, True when it counts every answer there is now)."""
        key = (path, survey_id)
        with self._lock:
            kept = self._kept.get(key)
            if kept is not None and kept[0] == stamp:
                return kept[1], True
            start = kept is not None and key not in self._counting
            if start:
                self._counting.add(key)
        if kept is None:
            counted = self._count(path, survey_id)
            with self._lock:
                self._kept[key] = (stamp, counted)
            return counted, True
        if start:
            threading.Thread(target=self._count_again, args=(key, stamp), daemon=True,
                             name="design-evidence").start()
        return kept[1], False


@st.cache_resource(show_spinner="Counting the answers…")
def _kept_evidence() -> _KeptEvidence:
    """Return the one keeper of counted evidence for this process."""
    return _KeptEvidence()


def survey_evidence(db: Database, survey_id: str) -> dict[str, list[dict]]:
    """Return {lineage id: per version evidence} for a survey (see is_counting for how fresh it is)."""
    counted, fresh = _kept_evidence().get(str(db_path()), survey_id, evidence_store.answers_stamp(db))
    st.session_state["design_evidence_counting"] = not fresh
    return counted


def is_counting() -> bool:
    """Return True when the evidence shown was counted before the newest answers came in."""
    return bool(st.session_state.get("design_evidence_counting"))


@st.cache_data(show_spinner=False, max_entries=5000)
def _score(terms: glossary.GroupTerms, wording: str, options: tuple[str, ...], dismissed: tuple) -> int:
    """Return the checker's score of one wording (kept per wording, so a save recomputes only one)."""
    return codesign.check_wording(_checker(terms), wording, list(options), dismissed).score


def lineage_evidence(db: Database, survey_id: str, question: dict, terms: glossary.GroupTerms) -> list[dict]:
    """Return the evidence for QUESTION and every other version of it, oldest version first, with scores."""
    items = [dict(item) for item in survey_evidence(db, survey_id).get(question["lineage_id"], [])]
    from surveys.storage import core as store

    for item in items:
        # The wording in the database now (a draft's may have changed since the counts were made).
        row = question if item["question_id"] == question["id"] else store.get_question(db, item["question_id"])
        item["wording"] = row["wording"]
        item["score"] = _score(terms, row["wording"], tuple(row["options"]),
                               tuple(sorted(codesign.dismissed_for(db, row["id"]))))
    return items


def snapshot(items: list[dict]) -> dict:
    """Return what the group saw, to keep with a change: per version the counts, score and quality."""
    keep = ("version_label", "wording", "score", "quality_index", "median_words", "notes_total", *evidence.COUNT_LABELS)
    return {"shown_at": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
            "versions": [{key: item.get(key) for key in keep} for item in items]}


def _cell(item: dict, key: str) -> str:
    if key == "asked":
        return f"{item['asked']:,}" if item["asked"] else "not asked yet"
    if not item["asked"]:
        return "–"
    return evidence.share(item[key], item["asked"])


def evidence_table(items: list[dict]) -> pd.DataFrame:
    """Return the evidence as a table: one row per measure, one column per version."""
    columns = {}
    for item in items:
        name = f"{item['version_label']} ({STATUS_LABELS.get(item['version_status'], item['version_status'])})"
        column = {"Wording": item["wording"], "Checker score": str(item.get("score", "–"))}
        column.update({label: _cell(item, key) for key, label in evidence.COUNT_LABELS.items()})
        if any(i["is_open"] for i in items):
            column["Middle number of words"] = "–" if item["median_words"] is None else f"{item['median_words']:g}"
            column["Very short answers"] = ("–" if item["very_short_share"] is None
                                            else f"{item['very_short_share']:.0%}")
        column["Answer quality (0 to 100)"] = "–" if item["quality_index"] is None else f"{item['quality_index']:.0f}"
        column["Interviewers' notes"] = f"{item['notes_total']:,}"
        columns[name] = column
    frame = pd.DataFrame(columns)
    frame.index.name = "What"
    return frame.reset_index()


def summary_line(item: dict) -> str:
    """Return one version's evidence in a line of safe Markdown."""
    label = f"**{esc(item['version_label'])}** ({STATUS_LABELS.get(item['version_status'], item['version_status'])})"
    score = f"checker score {item['score']}" if item.get("score") is not None else ""
    if not item["asked"]:
        return f"{label}: not asked yet" + (f" · {score}" if score else "")
    parts = [f"asked {item['asked']:,}"]
    parts += [f"{words} {item[key] / item['asked']:.0%}" for key, words in (
        ("explained", "needed explaining"), ("reworded", "reworded"), ("dont_know", "don't know"),
        ("skipped", "skipped"), ("upset", "upset"))]
    if item["median_words"] is not None:
        parts.append(f"middle answer {item['median_words']:g} words")
    if item["quality_index"] is not None:
        parts.append(f"answer quality {item['quality_index']:.0f}")
    if score:
        parts.append(score)
    if item["notes_total"]:
        parts.append(f"{item['notes_total']:,} note{'s' if item['notes_total'] != 1 else ''} from interviewers")
    return f"{label}: " + " · ".join(parts)


def show_evidence(items: list[dict], *, heading: str = "How this question did in interviews",
                  key_prefix: str = "design") -> None:
    """Draw a line per version, then the full table and the interviewers' notes (masked) in a fold."""
    st.markdown(f"**{heading}**")
    if is_counting():
        st.caption("New answers came in. These numbers are from just before; they are being counted again.")
        st.button("Show the newest numbers", key="design_evidence_refresh")
    if not items or not any(item["asked"] for item in items):
        st.caption("No one has been asked this question yet, in any version.")
    st.markdown("  \n".join(summary_line(item) for item in items))
    if not items:
        return
    # Drawn only when opened: a table is the costliest thing on the page to send and draw.
    more = st.expander("All the numbers and the interviewers' notes", key=f"{key_prefix}_evidence_more",
                       on_change="rerun")
    if more.open:
        with more:
            st.dataframe(evidence_table(items), hide_index=True, width="stretch")
            _notes(items)


def _notes(items: list[dict]) -> None:
    if not any(item["notes"] for item in items):
        st.caption("Interviewers have not written any notes on this question.")
    for item in items:
        if not item["notes"]:
            continue
        st.markdown(f"**Interviewers' notes, {esc(item['version_label'])}** "
                    f"(newest {len(item['notes'])} of {item['notes_total']:,}; names and numbers hidden)")
        st.markdown("\n".join(f"- {esc(note)}" for note in item["notes"]))


def look_again_links(db: Database, survey_id: str, *, version_id: str | None = None, limit: int = 8,
                     links: bool = True) -> None:
    """Draw "Look at these again": the newest answered version's questions with the worst answers,
    each a link to that question on the Design page (in VERSION_ID when it has the question).

    With LINKS false (for someone who cannot open Design) the list is plain text.
    """
    answered = evidence_store.versions_with_answers(db, survey_id)
    if not answered:
        st.caption("When interviews come in, the questions with the most trouble show here.")
        return
    ev = survey_evidence(db, survey_id)
    rows = evidence.look_again(ev, answered[0], limit)
    if not rows:
        st.caption("No answers to look at yet.")
        return
    for row in rows:
        target = row["question_id"]
        if version_id:
            target = next((i["question_id"] for i in ev.get(row["lineage_id"], []) if i["version_id"] == version_id),
                          target)
        wording = " ".join(row["wording"].split())
        short = wording if len(wording) <= 70 else wording[:67] + "…"
        label = f"{esc(short)} – answer quality {row['quality_index']:.0f}: {esc(row['why'])}"
        if links:
            st.page_link(DESIGN_PAGE, label=label, icon=":material/search:", query_params={"question": target})
        else:
            st.markdown(f"- {label}")


__all__ = ["evidence_table", "lineage_evidence", "look_again_links", "show_evidence", "snapshot", "survey_evidence"]
