"""Co-design: people propose wordings, talk them through, react, and adopt them together.

Every change is credited to a person and written to the audit log. The Design page calls
these functions; the SQL lives in surveys/storage/codesign.py and surveys/storage/core.py.

A proposal moves through these states:

    proposed -> agreed -> adopted        (adopting writes the wording into a draft version)
    proposed or agreed -> rejected       (rejecting needs a reason)
    agreed or rejected -> proposed       (open it again)

A proposal can also be adopted straight from "proposed" when the group agrees out loud.
Nobody can agree or adopt a proposal while someone blocks it.
"""

from __future__ import annotations

import difflib
import html
import re
from collections.abc import Iterable, Sequence
from typing import Any

from sqlite_utils import Database

from . import accounts
from .accounts import Actor
from .rules import SHOW_IF_LABELS, answer_rule_words, describe_show_if
from .safe_markdown import escape_markdown
from .storage import audit, new_id, now, write_transaction
from .storage import codesign as sql
from .storage import core as store
from .storage.codesign import StaleSave
from .storage.core import InvalidInput

STANCES = ("agree", "unsure", "disagree", "block")
STANCE_LABELS = {"agree": "Agree", "unsure": "Not sure", "disagree": "Disagree", "block": "Block"}
PROPOSAL_STATUSES = ("proposed", "agreed", "adopted", "rejected")
PROPOSAL_STATUS_LABELS = {
    "proposed": "Proposed",
    "agreed": "Agreed",
    "adopted": "Adopted",
    "rejected": "Not used",
}
OPEN_STATUSES = ("proposed", "agreed")
# Which status a proposal may move to from each status (adopting goes through adopt()).
ALLOWED_MOVES = {
    "proposed": ("agreed", "rejected", "adopted"),
    "agreed": ("proposed", "rejected", "adopted"),
    "rejected": ("proposed",),
    "adopted": (),
}
PERSON_ROLE_LABELS = {
    "peer_researcher": "Peer researcher",
    "staff": "Staff",
    "lived_experience": "Person with lived experience",
    "interviewer": "Interviewer",
    "evaluator": "Evaluator",
    "admin": "Admin",
}
QUESTION_TYPE_LABELS = {
    "text": "Short answer",
    "long_text": "Longer answer in their own words",
    "single_choice": "Pick one answer",
    "multiple_choice": "Pick all answers that fit",
    "scale": "Pick a point on a scale",
    "yes_no": "Yes or no",
    "number": "A number",
    "date": "A date",
    "note": "Read out only, no answer",
}
LOCKED_VERSION = (
    "This version has been published, so it is frozen: nobody can change its questions. "
    "This keeps the answers people gave tied to the words they heard. "
    "To make changes, start a new draft version."
)
LOCKED_ANSWERED = (
    "People have already answered this question, so its type and answer options cannot change. "
    "You can still change the wording and help text. To change the answers, start a new draft version."
)


# ---- who is acting ---------------------------------------------------------------------------

DESIGN_ROLES = ("admin", "designer")


def _allowed(db: Database, actor: Actor) -> Actor:
    """Return the actor as the database knows it now, when it may design; raise NotAllowed otherwise."""
    return accounts.check_actor(db, actor, *DESIGN_ROLES)


def _speaker(db: Database, actor: Actor, speaker_id: str | None) -> dict:
    """Return the person whose idea it is: SPEAKER_ID in a group, else the signed-in person."""
    person_id = speaker_id or actor.person_id
    if not person_id:
        raise InvalidInput("Pick who is doing this first.")
    return store.get_person(db, person_id)


def _for(person: dict, actor: Actor) -> dict:
    """Return the audit note of whose idea it was, when someone else typed it in."""
    return {} if person["id"] == actor.person_id else {"for": person["display_name"]}


# ---- proposals ------------------------------------------------------------------------------


def propose_wording(db: Database, question_id: str, wording: str, actor: Actor, reason: str = "", *,
                    speaker_id: str | None = None) -> str:
    """Return the id of a new proposal: another wording for a question, with who and why.

    SPEAKER_ID is the person whose idea it is (in a group, the signed-in person types for them).
    The same words proposed twice (a second click) are refused, so nothing is counted twice.
    """
    wording = (wording or "").strip()
    if not wording:
        raise InvalidInput("Write the new wording first.")
    with write_transaction(db):
        actor = _allowed(db, actor)
        person = _speaker(db, actor, speaker_id)
        question = store.get_question(db, question_id)
        if " ".join(wording.split()) == " ".join(question["wording"].split()):
            raise InvalidInput("This is the same as the wording now. Change some words first.")
        twin = sql.open_proposal_with_wording(db, question["lineage_id"], wording)
        if twin is not None:
            raise InvalidInput(
                f"{twin['author_name']} has already proposed these words. React to that proposal instead."
            )
        row = {
            "id": new_id(),
            "question_id": question_id,
            "wording": wording,
            "author_id": person["id"],
            "author_name": person["display_name"],
            "author_role": person["role"],
            "reason": (reason or "").strip(),
            "status": "proposed",
            "status_reason": "",
            "created_at": now(),
            "decided_at": None,
        }
        sql.insert_proposal(db, row)
        audit(db, actor.name, "propose wording", "proposal", row["id"], None, {**row, **_for(person, actor)})
    return row["id"]


def get_proposal(db: Database, proposal_id: str) -> dict:
    """Return one proposal with its question's name, lineage and version."""
    return sql.get_proposal(db, proposal_id)


def proposals_for_question(db: Database, question_id: str) -> list[dict]:
    """Return the proposals for a question in any of its versions, oldest first."""
    question = store.get_question(db, question_id)
    return sql.proposals_for_lineage(db, question["lineage_id"])


def comment(db: Database, proposal_id: str, actor: Actor, body: str, *, speaker_id: str | None = None) -> str:
    """Return the id of a new comment on a proposal, by SPEAKER_ID (default: the signed-in person)."""
    body = (body or "").strip()
    if not body:
        raise InvalidInput("Write your comment first.")
    with write_transaction(db):
        actor = _allowed(db, actor)
        person = _speaker(db, actor, speaker_id)
        sql.get_proposal(db, proposal_id)
        row = {"id": new_id(), "proposal_id": proposal_id, "person_id": person["id"], "body": body,
               "created_at": now()}
        sql.insert_comment(db, row)
        audit(db, actor.name, "comment on proposal", "proposal_comment", row["id"], None,
              {**row, **_for(person, actor)})
    return row["id"]


def comments_for(db: Database, proposal_id: str) -> list[dict]:
    """Return the comments on a proposal with each writer's name and role, oldest first."""
    return sql.comments_for(db, proposal_id)


def react(db: Database, proposal_id: str, actor: Actor, stance: str, reason: str = "", *,
          speaker_id: str | None = None) -> str:
    """Return the id of a person's reaction to a proposal; it replaces their earlier one.

    Disagree and block need a reason, so the group knows what to talk about.
    """
    if stance not in STANCES:
        raise InvalidInput("Pick agree, not sure, disagree or block.")
    reason = (reason or "").strip()
    if stance in ("disagree", "block") and not reason:
        word = "disagree" if stance == "disagree" else "block this"
        raise InvalidInput(f"Say why you {word}, so the group can talk about it.")
    with write_transaction(db):
        actor = _allowed(db, actor)
        person = _speaker(db, actor, speaker_id)
        proposal = sql.get_proposal(db, proposal_id)
        if proposal["status"] not in OPEN_STATUSES:
            raise InvalidInput("This proposal has been decided, so it cannot take new reactions.")
        old = sql.get_reaction(db, proposal_id, person["id"])
        row = {"id": new_id(), "proposal_id": proposal_id, "person_id": person["id"], "stance": stance,
               "reason": reason, "created_at": now()}
        sql.replace_reaction(db, row)
        audit(db, actor.name, "react to proposal", "proposal_reaction", proposal_id,
              {"stance": old["stance"], "reason": old["reason"]} if old else None,
              {"stance": stance, "reason": reason, "person_id": person["id"], "name": person["display_name"]})
    return row["id"]


def reactions_for(db: Database, proposal_id: str) -> list[dict]:
    """Return the reactions to a proposal with each person's name and role."""
    return sql.reactions_for(db, proposal_id)


def _people(n: int) -> str:
    return "1 person" if n == 1 else f"{n} people"


def group_stance(db: Database, proposal_id: str) -> dict:
    """Return counts of each stance, the blocks with reasons and a plain summary sentence."""
    reactions = sql.reactions_for(db, proposal_id)
    counts = {stance: sum(r["stance"] == stance for r in reactions) for stance in STANCES}
    blocks = [{"name": r["name"], "reason": r["reason"]} for r in reactions if r["stance"] == "block"]
    parts = [f"{counts[s]} {'not sure' if s == 'unsure' else s}" for s in ("agree", "unsure", "disagree")
             if counts[s]]
    if blocks:
        summary = f"Blocked by {_people(len(blocks))}: " + "; ".join(b["reason"] for b in blocks)
        if parts:
            summary += ". Others: " + ", ".join(parts) + "."
    elif parts:
        summary = ", ".join(parts) + ". No one blocks."
    else:
        summary = "No one has reacted yet."
    return {**counts, "total": len(reactions), "blocks": blocks, "summary": summary}


def _refuse_if_blocked(db: Database, proposal_id: str, doing: str) -> None:
    stance = group_stance(db, proposal_id)
    if stance["blocks"]:
        raise InvalidInput(
            f"You cannot {doing} this while {_people(len(stance['blocks']))} "
            f"{'blocks' if len(stance['blocks']) == 1 else 'block'} it. "
            "Talk it through first: they can change their reaction."
        )


def _refuse_stale_proposal(db: Database, proposal: dict, based_on: int | None) -> None:
    """Raise StaleSave when the proposal (its state or the group's reactions) changed since it was shown."""
    if based_on is None or proposal["revision"] == based_on:
        return
    by = sql.last_change_by(db, "proposal", proposal["id"]) or sql.last_change_by(
        db, "proposal_reaction", proposal["id"]) or "Someone"
    stance = group_stance(db, proposal["id"])["summary"]
    raise StaleSave(
        f"{by} changed this proposal or reacted to it after you opened it, so nothing was changed. "
        f"It is {PROPOSAL_STATUS_LABELS[proposal['status']].lower()} now. {stance} Look again, then choose.",
        theirs=proposal["wording"], by=by, revision=proposal["revision"],
    )


def set_status(db: Database, proposal_id: str, status: str, actor: Actor, reason: str = "", *,
               based_on: int | None) -> dict:
    """Return the proposal after moving it to STATUS (proposed, agreed, adopted or rejected).

    BASED_ON is the proposal's revision as the person saw it; a move based on an older view is
    refused (StaleSave), so nobody decides on a state or reactions that have changed.
    """
    if status not in PROPOSAL_STATUSES:
        raise InvalidInput("Pick proposed, agreed, adopted or not used.")
    if status == "adopted":
        adopt(db, proposal_id, actor, based_on=based_on)
        return sql.get_proposal(db, proposal_id)
    reason = (reason or "").strip()
    if status == "rejected" and not reason:
        raise InvalidInput("Say why this wording is not being used, so the person who wrote it knows.")
    with write_transaction(db):
        actor = _allowed(db, actor)
        proposal = sql.get_proposal(db, proposal_id)
        _refuse_stale_proposal(db, proposal, based_on)
        if proposal["status"] == status:
            return proposal
        if status not in ALLOWED_MOVES[proposal["status"]]:
            raise InvalidInput(
                f"This proposal is {PROPOSAL_STATUS_LABELS[proposal['status']].lower()}, "
                f"so it cannot be marked {PROPOSAL_STATUS_LABELS[status].lower()}."
            )
        if status == "agreed":
            _refuse_if_blocked(db, proposal_id, "agree")
        decided = now() if status in ("agreed", "rejected") else None
        sql.set_proposal_status(db, proposal_id, status, reason, decided)
        audit(db, actor.name, f"mark proposal {status}", "proposal", proposal_id,
              {"status": proposal["status"]}, {"status": status, "reason": reason})
    return sql.get_proposal(db, proposal_id)


def _target_question(db: Database, proposal: dict) -> str:
    """Return the draft question that a proposal's wording goes into."""
    if proposal["version_status"] == "draft":
        return proposal["question_id"]
    # A proposal made on a published version goes into the newest draft of the same question.
    draft = sql.draft_question_in_lineage(db, proposal["survey_id"], proposal["lineage_id"])
    if draft is None:
        raise InvalidInput(
            "This question is in a version that is ready to use, so its wording is frozen. "
            "Start a new draft version first, then adopt the wording there."
        )
    return draft["id"]


def adopt(db: Database, proposal_id: str, actor: Actor, *, based_on: int | None,
          evidence: dict | None = None) -> dict:
    """Return the question after writing the proposal's wording into the draft version.

    The wording it replaces is kept in the question's history, with who adopted the new one,
    and EVIDENCE: what the group saw about how the question did in interviews when it decided.
    """
    with write_transaction(db):
        actor = _allowed(db, actor)
        proposal = sql.get_proposal(db, proposal_id)
        _refuse_stale_proposal(db, proposal, based_on)
        if proposal["status"] not in OPEN_STATUSES:
            raise InvalidInput(
                f"This proposal is {PROPOSAL_STATUS_LABELS[proposal['status']].lower()}, so it cannot be adopted."
            )
        _refuse_if_blocked(db, proposal_id, "adopt")
        question_id = _target_question(db, proposal)
        question = store.get_question(db, question_id)
        _keep_old_wording(db, question, actor.person_id, proposal_id,
                          f"Replaced by the wording {proposal['author_name']} proposed.", evidence)
        updated = store.update_question(db, question_id, {"wording": proposal["wording"]}, actor=actor.name)
        sql.set_proposal_status(db, proposal_id, "adopted", "", now())
        audit(db, actor.name, "adopt proposal", "proposal", proposal_id,
              {"status": proposal["status"], "wording": question["wording"]},
              {"status": "adopted", "wording": proposal["wording"], "question_id": question_id,
               "reason": proposal["reason"]})
    return updated


def _keep_old_wording(db: Database, question: dict, person_id: str | None, proposal_id: str | None,
                      reason: str, evidence: dict | None = None) -> None:
    sql.insert_wording_history(db, {
        "id": new_id(),
        "question_id": question["id"],
        "lineage_id": question["lineage_id"],
        "wording": question["wording"],
        "person_id": person_id,
        "proposal_id": proposal_id,
        "reason": reason,
        "changed_at": now(),
        "evidence": evidence,
    })


# ---- editing questions ----------------------------------------------------------------------


def edit_locks(db: Database, question_id: str) -> dict[str, str | None]:
    """Return why a question's wording or its type and options cannot change (None when they can)."""
    question = store.get_question(db, question_id)
    if store.get_version(db, question["version_id"])["status"] != "draft":
        return {"wording": LOCKED_VERSION, "type_options": LOCKED_VERSION}
    if store.question_has_answers(db, question_id):
        return {"wording": None, "type_options": LOCKED_ANSWERED}
    return {"wording": None, "type_options": None}


def save_question(db: Database, question_id: str, changes: dict, actor: Actor, reason: str = "", *,
                  based_on: int | None, evidence: dict | None = None) -> dict:
    """Return the question after saving CHANGES; a changed wording keeps the old one in history.

    BASED_ON is the question's revision when the person opened it. When someone else saved it
    since, nothing is saved: StaleSave carries both wordings so the person can choose (keep
    theirs, or offer their own as a proposal). Two tabs of one person are treated the same way.
    """
    with write_transaction(db):
        actor = _allowed(db, actor)
        question = store.get_question(db, question_id)
        if based_on is not None and question["revision"] != based_on:
            by = sql.last_change_by(db, "question", question_id) or "Someone"
            raise StaleSave(
                f"{by} saved this question after you opened it, so your words were not saved. "
                "Nothing is lost: look at both wordings and choose.",
                mine=(changes.get("wording") if "wording" in changes else question["wording"]) or "",
                theirs=question["wording"], by=by, revision=question["revision"],
            )
        locks = edit_locks(db, question_id)
        if locks["wording"]:
            raise InvalidInput(locks["wording"])
        changing_shape = any(k in changes and changes[k] != question[k] for k in ("type", "options"))
        if changing_shape and locks["type_options"]:
            raise InvalidInput(locks["type_options"])
        if "wording" in changes:
            changes = {**changes, "wording": (changes["wording"] or "").strip()}
            if changes["wording"] and changes["wording"] != question["wording"]:
                _keep_old_wording(db, question, actor.person_id, None, (reason or "").strip() or "Edited",
                                  evidence)
        return store.update_question(db, question_id, changes, actor=actor.name)


def add_question(db: Database, actor: Actor, version_id: str, *, name: str, type: str, wording: str,
                 options: Sequence[str] = ()) -> str:
    """Return the id of a new question at the end of a draft version."""
    actor = _allowed(db, actor)
    return store.add_question(db, version_id, name=name, type=type, wording=wording, options=options,
                              actor=actor.name)


def move_question(db: Database, actor: Actor, question_id: str, position: int) -> None:
    """Move a question to POSITION (1 is first) in its draft version."""
    actor = _allowed(db, actor)
    store.move_question(db, question_id, position, actor=actor.name)


def delete_question(db: Database, actor: Actor, question_id: str) -> None:
    """Take a question out of its draft version (refused once people have answered it)."""
    actor = _allowed(db, actor)
    store.delete_question(db, question_id, actor=actor.name)


def parse_options(text: str) -> list[str]:
    """Return answer options from text with one option a line, blank lines left out."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


# ---- versions and history -------------------------------------------------------------------


def start_new_version(db: Database, published_version_id: str, actor: Actor, label: str = "") -> str:
    """Return the id of a new draft version copied from a published one (questions keep lineage)."""
    with write_transaction(db):
        actor = _allowed(db, actor)
        source = store.get_version(db, published_version_id)
        if source["status"] == "draft":
            raise InvalidInput("This version is still a draft, so you can change it as it is.")
        return store.create_version(db, source["survey_id"], label.strip(), based_on_id=published_version_id,
                                    actor=actor.name)


def other_ready_versions(db: Database, version_id: str) -> list[dict]:
    """Return the other versions of the same survey that are ready to use (published) now."""
    version = store.get_version(db, version_id)
    return [v for v in store.list_versions(db, version["survey_id"])
            if v["status"] == "published" and v["id"] != version_id]


def publish(db: Database, version_id: str, actor: Actor, *, retire_older: bool = True) -> list[str]:
    """Publish a draft version: from then on it is frozen and ready for interviews.

    With RETIRE_OLDER (the default) the other versions of the survey that were ready to use are
    retired, so interviewers are offered only the new one; return the labels of those retired.
    """
    with write_transaction(db):
        actor = _allowed(db, actor)
        version = store.get_version(db, version_id)
        if version["status"] != "draft":
            raise InvalidInput("This version is already ready to use.")
        older = other_ready_versions(db, version_id)
        store.set_version_status(db, version_id, "published", actor=actor.name)
        if not retire_older:
            return []
        for other in older:
            store.set_version_status(db, other["id"], "retired", actor=actor.name)
        return [other["label"] for other in older]


def wording_history(db: Database, lineage_id: str) -> list[dict]:
    """Return a question's wordings across versions, oldest version first.

    Each entry: version_id, version_number, version_label, version_status, question_id, name,
    wording (as it is now in that version) and earlier (the wordings it replaced there, each
    with wording, name and role of who changed it, reason, changed_at, proposal_id).
    """
    history = sql.wording_history_rows(db, lineage_id)
    result = []
    for question in sql.questions_in_lineage(db, lineage_id):
        earlier = [
            {key: h[key] for key in ("wording", "name", "role", "reason", "changed_at", "proposal_id")}
            for h in history if h["question_id"] == question["question_id"]
        ]
        result.append({**question, "earlier": earlier})
    return result


def what_changed_after(db: Database, version_id: str) -> dict[str, dict]:
    """Return, per question (lineage) of a version, how later versions changed its wording and why.

    Each value: before (the wording in this version), after (the newest wording), version_label
    (where the newest change was made), reasons (the proposal's reason, else the reason typed in
    Edit, oldest first) and evidence (what the group saw when it decided, newest first). Only
    questions whose wording changed are listed. "You said, we did" uses this to say what changed.
    """
    changes: dict[str, dict] = {}
    for row in sql.changes_after_version(db, version_id):
        entry = changes.setdefault(row["lineage_id"], {
            "before": row["before"], "after": row["now"], "version_label": row["version_label"],
            "reasons": [], "evidence": [],
        })
        entry["after"], entry["version_label"] = row["now"], row["version_label"]
        reason = row["proposal_reason"] or ("" if row["reason"] == "Edited" else row["reason"])
        if reason and reason not in entry["reasons"]:
            entry["reasons"].append(reason)
        if row["evidence"]:
            entry["evidence"].insert(0, row["evidence"])
    return {lineage: entry for lineage, entry in changes.items() if entry["after"] != entry["before"]}


# ---- comparing wordings ---------------------------------------------------------------------


def word_diff(a: str, b: str) -> list[tuple[str, str]]:
    """Return the word-level changes from A to B as (op, text) pairs; op is same, removed or added."""
    old, new = (a or "").split(), (b or "").split()
    result: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if tag == "equal":
            result.append(("same", " ".join(old[i1:i2])))
            continue
        if tag in ("delete", "replace"):
            result.append(("removed", " ".join(old[i1:i2])))
        if tag in ("insert", "replace"):
            result.append(("added", " ".join(new[j1:j2])))
    return result


def _flag_dict(flag: Any) -> dict:
    return {key: getattr(flag, key, None) for key in
            ("code", "severity", "start", "end", "message", "suggestion", "why", "source", "quoted")}


def compare_wordings(a: str, b: str, checker: Any, options: Sequence[str] | None = None) -> dict:
    """Return the word diff from A to B and, for each, its score and flags from the checker."""
    reports = checker.check_many([(a, list(options or []) or None), (b, list(options or []) or None)])
    return {
        "diff": word_diff(a, b),
        "a": {"text": a, "score": reports[0].score, "flags": [_flag_dict(f) for f in reports[0].flags]},
        "b": {"text": b, "score": reports[1].score, "flags": [_flag_dict(f) for f in reports[1].flags]},
    }


# ---- Markdown that shows typed text as text --------------------------------------------------

SEVERITY_COLOURS = {"problem": "red", "warning": "orange", "info": "blue"}
_SEVERITY_RANK = {"info": 1, "warning": 2, "problem": 3}


def _field(flag: Any, name: str) -> Any:
    # Flags arrive as checker Flag objects or as the plain dicts compare_wordings() returns.
    return flag.get(name) if isinstance(flag, dict) else getattr(flag, name, None)


def highlighted_markdown(text: str, flags: Iterable[Any]) -> str:
    """Return TEXT as safe Markdown with each flagged span on a coloured background.

    The colour shows the most serious flag on those words: red problem, orange warning, blue info.
    """
    text = text or ""
    level = [0] * len(text)
    for flag in flags:
        start, end = _field(flag, "start"), _field(flag, "end")
        if start is None or end is None or end <= start:
            continue
        rank = _SEVERITY_RANK.get(_field(flag, "severity") or "info", 1)
        for i in range(max(0, start), min(len(text), end)):
            level[i] = max(level[i], rank)
    colour_for = {rank: SEVERITY_COLOURS[sev] for sev, rank in _SEVERITY_RANK.items()}
    parts, i = [], 0
    while i < len(text):
        j = i
        while j < len(text) and level[j] == level[i]:
            j += 1
        chunk = escape_markdown(text[i:j])
        if level[i] and text[i:j].strip():
            parts.append(f":{colour_for[level[i]]}-background[{chunk}]")
        else:
            parts.append(chunk)
        i = j
    return "".join(parts)


def diff_markdown(diff: Iterable[tuple[str, str]]) -> str:
    """Return a word diff as safe Markdown: removed words struck through in red, added in green."""
    out = []
    for op, words in diff:
        safe = escape_markdown(words)
        if op == "removed":
            out.append(f":red-background[~~{safe}~~]")
        elif op == "added":
            out.append(f":green-background[**{safe}**]")
        else:
            out.append(safe)
    return " ".join(out)


# ---- question list --------------------------------------------------------------------------


def _max_chars() -> int:
    from .checks import MAX_TEXT_CHARS

    return MAX_TEXT_CHARS



def dismissed_for(db: Database, question_id: str) -> list[tuple[str, str]]:
    """Return the (code, quoted words) of the flags the group dismissed on a question."""
    from .storage import glossary

    return [
        (d["code"], d["quoted"]) if isinstance(d, dict) else (d[0], d[1])
        for d in glossary.dismissals_for(db, question_id)
    ]


def dismiss_flag(db: Database, actor: Actor, question_id: str, code: str, quoted: str, reason: str) -> dict:
    """Return the new dismissal: the group says one flag is fine for one question, and why."""
    from .storage import glossary

    actor = _allowed(db, actor)
    return glossary.dismiss_flag(db, question_id, code, quoted, reason, actor.person_id, actor_name=actor.name)


def undo_dismissal(db: Database, actor: Actor, dismissal_id: str) -> dict:
    """Return the dismissal after bringing its flag back on the question."""
    from .storage import glossary

    actor = _allowed(db, actor)
    return glossary.undo_dismissal(db, dismissal_id, actor.person_id, actor_name=actor.name)


def dismissed_flags(db: Database, question_id: str) -> list[dict]:
    """Return the flags the group dismissed on a question: code, quoted words, reason, who and when."""
    from .storage import glossary

    return glossary.dismissals_listed(db, question_id)


# ---- the group's word list --------------------------------------------------------------------


def add_glossary_term(db: Database, actor: Actor, term: str, kind: str, alternative: str = "",
                      reason: str = "") -> dict:
    """Return the new word on the group's list (jargon, unkind label or accepted)."""
    from .storage import glossary

    actor = _allowed(db, actor)
    return glossary.add_term(db, term, kind, alternative=alternative, reason=reason, person_id=actor.person_id,
                             actor_name=actor.name)


def change_glossary_term(db: Database, actor: Actor, term_id: str, alternative: str, reason: str, *,
                         based_on: int | None) -> dict:
    """Return the word after changing what to say instead and why; a change based on an old copy
    is refused with both texts (StaleSave)."""
    from .storage import glossary

    actor = _allowed(db, actor)
    return glossary.change_term(db, term_id, alternative, reason, actor.person_id, based_on=based_on,
                                actor_name=actor.name)


def remove_glossary_term(db: Database, actor: Actor, term_id: str, reason: str, *, based_on: int | None) -> dict:
    """Return the word after taking it off the list, with the reason; refused when it changed since."""
    from .storage import glossary

    actor = _allowed(db, actor)
    return glossary.remove_term(db, term_id, actor.person_id, reason, based_on=based_on, actor_name=actor.name)


def check_question_row(db: Database, question: dict, checker: Any) -> Any:
    """Return the checker's report on a saved question, leaving out flags the group dismissed."""
    return check_wording(checker, question["wording"], question.get("options") or None,
                         dismissed_for(db, question["id"]))


def check_wording(checker: Any, text: str, options: Sequence[str] | None = None,
                  dismissed: Iterable[tuple[str, str]] = ()) -> Any:
    """Return the checker's report on TEXT, checking at most MAX_TEXT_CHARS characters.

    The command line refuses longer questions; here a long paste is checked up to the limit
    (the page says so), so typing in a very long box stays quick.
    """
    from .checks import MAX_TEXT_CHARS

    return checker.check((text or "")[:MAX_TEXT_CHARS], list(options or []) or None, dismissed=dismissed)


def is_capped(text: str) -> bool:
    """Return True when TEXT is longer than the checker looks at."""
    from .checks import MAX_TEXT_CHARS

    return len(text or "") > MAX_TEXT_CHARS


def collapse_flags(flags: Iterable[Any]) -> list[tuple[Any, int]]:
    """Return each different flag once, with how many times it was found, in the order first found.

    Flags are the same when their code, quoted words and message are the same: a word repeated
    79 times is one thing to talk about, not 79.
    """
    groups: dict[tuple, list] = {}
    for flag in flags:
        key = (_field(flag, "code"), (_field(flag, "quoted") or "").casefold(), _field(flag, "message"))
        groups.setdefault(key, [flag, 0])[1] += 1
    return [(flag, count) for flag, count in groups.values()]


def question_list(db: Database, version_id: str, checker: Any, code: str | None = None) -> list[dict]:
    """Return the questions of a version with score, flag counts by severity, codes and a status.

    Status is "has open proposals" when anyone has proposed a wording not yet decided, else
    "needs a look" when a flag is a problem or warning, else "fine". CODE keeps only the
    questions with a flag of that code.
    """
    questions = store.questions_for_version(db, version_id)
    open_counts = sql.open_proposal_counts(db, version_id)
    # One batch, so the language model parses the whole version in one go.
    reports = checker.check_many(
        [(q["wording"][:_max_chars()], q["options"] or None, dismissed_for(db, q["id"])) for q in questions]
    )
    rows = []
    for question, report in zip(questions, reports):
        severities = [f.severity for f in report.flags]
        codes = sorted({f.code for f in report.flags})
        if code and code not in codes:
            continue
        open_proposals = open_counts.get(question["id"], 0)
        if open_proposals:
            status = "has open proposals"
        elif any(s in ("problem", "warning") for s in severities):
            status = "needs a look"
        else:
            status = "fine"
        rows.append({
            "id": question["id"],
            "position": question["position"],
            "name": question["name"],
            "type": question["type"],
            "wording": question["wording"],
            "score": report.score,
            "problems": severities.count("problem"),
            "warnings": severities.count("warning"),
            "infos": severities.count("info"),
            "codes": codes,
            "open_proposals": open_proposals,
            "status": status,
        })
    return rows


# ---- contributions --------------------------------------------------------------------------

CONTRIBUTION_COLUMNS = ("name", "role", "proposed", "adopted", "edited", "commented", "reacted", "translated",
                        "total")
CONTRIBUTION_HEADINGS = ("Name", "Role", "Wordings proposed", "Wordings adopted", "Wordings changed in Edit",
                         "Comments", "Reactions", "Translations", "Total")


def contributions(db: Database, survey_id: str | None = None, question_id: str | None = None) -> list[dict]:
    """Return per person and role how many wordings they proposed and had adopted, how many they
    changed straight in Edit, and how many comments, reactions and translations they gave; for one
    survey, one question (all its versions) or all. A translation counts once, in the version where
    it was made.
    """
    lineage_id = store.get_question(db, question_id)["lineage_id"] if question_id else None
    rows = sql.contribution_totals(db, survey_id=survey_id, lineage_id=lineage_id)
    result = []
    for row in rows:
        counts = {k: int(row[k] or 0) for k in ("proposed", "adopted", "edited", "commented", "reacted", "translated")}
        result.append({
            "person_id": row["person_id"],
            "name": row["name"],
            "role": PERSON_ROLE_LABELS.get(row["role"], row["role"]),
            **counts,
            # An adoption is credit for a proposal already counted, so it is not added again.
            "total": counts["proposed"] + counts["edited"] + counts["commented"] + counts["reacted"]
                     + counts["translated"],
        })
    return result


def contributions_csv(rows: Sequence[dict]) -> bytes:
    """Return contribution rows as a spreadsheet file (CSV) with plain column names, made by the
    one safe writer (surveys/downloads.py), so no cell can run as a formula."""
    from .downloads import csv_bytes

    return csv_bytes(CONTRIBUTION_HEADINGS, [[row.get(c, 0) for c in CONTRIBUTION_COLUMNS] for row in rows])


# ---- interviewer script ---------------------------------------------------------------------


# Marks that start Markdown anywhere in a line (links, code, emphasis with *, HTML, tables, ~~).
_INLINE_MARKS = re.compile(r"([\\`*\[\]<>|~])")
# _ starts emphasis only at the edge of a word: rough_sleeping stays as it is.
_EDGE_UNDERSCORE = re.compile(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")
# & only matters where it would spell an entity such as &amp; or &#38;.
_ENTITY = re.compile(r"&(?=#?[A-Za-z0-9]+;)")
# At the start of a line: headings, quotes, list marks, numbered lists, rules (---).
_LINE_START = re.compile(r"^(\s*)([#>=]|[-+](?=\s|$|-))")
_NUMBERED = re.compile(r"^(\s*\d+)([.)])(?=\s|$)")


def readable_markdown(text: object) -> str:
    """Return TEXT for a Markdown file that people read as it is: only the characters that would
    start Markdown where they stand get a backslash, so "18-25" and "rough_sleeping" stay clean.

    For text shown in the app, use escape_markdown (Streamlit adds its own marks, such as :red[]).
    """
    out = []
    for line in ("" if text is None else str(text)).replace("\r\n", "\n").split("\n"):
        line = _INLINE_MARKS.sub(r"\\\1", line)
        line = _EDGE_UNDERSCORE.sub(r"\\_", line)
        line = _ENTITY.sub(r"\\&", line)
        line = _LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), line)
        line = _NUMBERED.sub(lambda m: m.group(1) + "\\" + m.group(2), line)
        out.append(line)
    return "  \n".join(out)


def interviewer_script(db: Database, version_id: str, fmt: str = "markdown", *, for_screen: bool = False) -> str:
    """Return a version as a readable script for interviewers, in Markdown or HTML.

    Every bit of typed text is escaped, so it shows as written and never runs as code. The
    Markdown file escapes only what it must (readable_markdown); FOR_SCREEN escapes every mark,
    for showing the script inside the app.
    """
    if fmt not in ("markdown", "html"):
        raise InvalidInput("Pick Markdown or web page (HTML) for the script.")
    version = store.get_version(db, version_id)
    questions = store.questions_for_version(db, version_id)
    title = f"{version['survey_name']}: {version['label']}"
    intro = "Read each question out as it is written. Help text is for you, the interviewer."
    if fmt == "html":
        return _script_html(title, intro, questions)
    esc = escape_markdown if for_screen else readable_markdown
    lines = [f"# {esc(title)}", "", intro, ""]
    for q in questions:
        lines.append(f"## Question {q['position']}")
        lines.append("")
        lines.append(f"**{esc(q['wording'])}**")
        lines.append("")
        lines.extend(f"- {label}{esc(text)}" for label, text in _script_facts(q, questions))
        if q["options"]:
            lines.append("- Answers to read out:")
            lines.extend(f"    - {esc(o)}" for o in q["options"])
        lines.append("")
    return "\n".join(lines)


def _script_facts(q: dict, questions: list[dict]) -> list[tuple[str, str]]:
    """Return (our label, text to escape) for each line an interviewer needs before the options."""
    facts = [("Answer: ", QUESTION_TYPE_LABELS[q["type"]])]
    if q["required"]:
        facts.append(("This question needs an answer or a skip.", ""))
    if q["show_if"]:
        facts.append(("", describe_show_if(q["show_if"], questions)))
    if q["help_text"]:
        facts.append(("Help: ", q["help_text"]))
    rule = answer_rule_words(q)
    if rule:
        facts.append(("Answer rule: ", rule))
    return facts


def _script_html(title: str, intro: str, questions: list[dict]) -> str:
    e = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{e(title)}</title>",
        "<style>body{font-family:sans-serif;font-size:1.2em;max-width:45em;margin:2em auto;line-height:1.5}"
        ".q{border-top:1px solid #999;padding-top:1em}.wording{font-size:1.3em;font-weight:bold}</style>",
        "</head><body>",
        f"<h1>{e(title)}</h1>",
        f"<p>{e(intro)}</p>",
    ]
    for q in questions:
        parts.append('<section class="q">')
        parts.append(f"<h2>Question {int(q['position'])}</h2>")
        parts.append(f'<p class="wording">{e(q["wording"])}</p>')
        parts.append("<ul>")
        parts.extend(f"<li>{e(label)}{e(text)}</li>" for label, text in _script_facts(q, questions))
        if q["options"]:
            parts.append("<li>Answers to read out:<ul>")
            parts.extend(f"<li>{e(o)}</li>" for o in q["options"])
            parts.append("</ul></li>")
        parts.append("</ul></section>")
    parts.append("</body></html>")
    return "\n".join(parts)


__all__ = [
    "PROPOSAL_STATUSES",
    "STANCES",
    "adopt",
    "comment",
    "comments_for",
    "compare_wordings",
    "contributions",
    "contributions_csv",
    "describe_show_if",
    "diff_markdown",
    "dismissed_for",
    "edit_locks",
    "escape_markdown",
    "get_proposal",
    "group_stance",
    "highlighted_markdown",
    "interviewer_script",
    "parse_options",
    "proposals_for_question",
    "propose_wording",
    "publish",
    "question_list",
    "react",
    "reactions_for",
    "save_question",
    "set_status",
    "start_new_version",
    "word_diff",
    "wording_history",
]
