"""SQL for the group's own word list (glossary_term) and for flags dismissed on one question
(flag_dismissal). Every change is written to the audit log in the same transaction.

The checker never reads the database itself: group_terms() turns the rows into a GroupTerms
value that the caller hands to surveys.checks.get_checker().
"""

from __future__ import annotations

import sqlite3

from sqlite_utils import Database

from surveys.checks import CODES, GroupTerms

from . import _rows, audit, new_id, now, write_transaction
from .codesign import StaleSave
from .core import InvalidInput, NotFound

GLOSSARY_KINDS = ("jargon", "stigmatising", "accepted")
DEFAULT_SOURCE = "Group's own list"

__all__ = [
    "DEFAULT_SOURCE",
    "GLOSSARY_KINDS",
    "GroupTerms",
    "add_term",
    "change_term",
    "dismiss_flag",
    "dismissals_listed",
    "get_term",
    "dismissal_rows",
    "dismissals_for",
    "group_terms",
    "list_terms",
    "remove_term",
    "undo_dismissal",
]


def _actor(db: Database, person_id: str | None, actor_name: str | None = None) -> str:
    """Return the name the audit log shows: ACTOR_NAME (who is signed in) when given, else the
    display name of PERSON_ID when known."""
    if actor_name:
        return actor_name
    if not person_id:
        return ""
    row = db.execute("SELECT display_name FROM person WHERE id = ?", [person_id]).fetchone()
    return row[0] if row else person_id


def _same_term(term: str) -> str:
    return " ".join(term.replace("\u2019", "'").casefold().split())


def add_term(
    db: Database,
    term: str,
    kind: str,
    alternative: str = "",
    reason: str = "",
    person_id: str | None = None,
    source: str = DEFAULT_SOURCE,
    *,
    actor_name: str | None = None,
) -> dict:
    """Return the new glossary row after adding TERM as jargon, a stigmatising label or an
    accepted word; raise InvalidInput (a ValueError) with a plain reason when it cannot be added."""
    term = " ".join((term or "").split())
    alternative = (alternative or "").strip()
    reason = (reason or "").strip()
    if not term:
        raise InvalidInput("Type the word or words first.")
    if kind not in GLOSSARY_KINDS:
        raise InvalidInput("Choose what kind of word it is: jargon, stigmatising or accepted.")
    if kind in ("jargon", "stigmatising") and not alternative:
        raise InvalidInput(f'Say what to use instead of "{term}".')
    with write_transaction(db):
        for existing in list_terms(db):
            if _same_term(existing["term"]) == _same_term(term):
                raise InvalidInput(
                    f'"{term}" is already on your list. Take it off first if you want to change it.'
                )
        row = {
            "id": new_id(),
            "term": term,
            "kind": kind,
            "alternative": alternative,
            "reason": reason,
            "source": (source or DEFAULT_SOURCE).strip(),
            "person_id": person_id,
            "created_at": now(),
            "removed_at": None,
        }
        try:
            db["glossary_term"].insert(row)
        except sqlite3.IntegrityError as exc:
            raise InvalidInput("That person is not in the database, so the word was not added.") from exc
        audit(db, _actor(db, person_id, actor_name), "add glossary term", "glossary_term", row["id"], None, row)
    return {**row, "revision": 1}


def get_term(db: Database, term_id: str) -> dict:
    """Return one glossary row (on the list or taken off), or raise NotFound."""
    rows = _rows(db, "SELECT * FROM glossary_term WHERE id = ?", [term_id])
    if not rows:
        raise NotFound("That word is not in your list.")
    return rows[0]


def _refuse_stale(db: Database, old: dict, based_on: int | None, mine: str) -> None:
    """Raise StaleSave when the row changed since the copy (revision BASED_ON) a person worked on."""
    if based_on is None or old["revision"] == based_on:
        return
    from .codesign import last_change_by

    by = last_change_by(db, "glossary_term", old["id"]) or "Someone"
    theirs = "(taken off the list)" if old["removed_at"] else _term_text(old)
    raise StaleSave(
        f'{by} changed "{old["term"]}" after you opened it, so your change was not saved. '
        "Look at both and choose.",
        mine=mine, theirs=theirs, by=by, revision=old["revision"],
    )


def _term_text(row: dict) -> str:
    """Return a glossary row as one line: the word, what to say instead and why."""
    parts = [row["term"]]
    if row["alternative"]:
        parts.append(f"say instead: {row['alternative']}")
    if row["reason"]:
        parts.append(f"why: {row['reason']}")
    return " – ".join(parts)


def change_term(
    db: Database,
    term_id: str,
    alternative: str,
    reason: str,
    person_id: str | None = None,
    *,
    based_on: int | None,
    actor_name: str | None = None,
) -> dict:
    """Return the glossary row after changing what to say instead and why.

    BASED_ON is the revision the person was looking at: a change made since is never overwritten
    (StaleSave, with both texts). Raise InvalidInput in plain words when it cannot be saved.
    """
    alternative, reason = (alternative or "").strip(), (reason or "").strip()
    with write_transaction(db):
        old = get_term(db, term_id)
        mine = _term_text({**old, "alternative": alternative, "reason": reason})
        _refuse_stale(db, old, based_on, mine)
        if old["removed_at"]:
            raise InvalidInput(f'"{old["term"]}" was taken off the list, so it cannot be changed.')
        if old["kind"] in ("jargon", "stigmatising") and not alternative:
            raise InvalidInput(f'Say what to use instead of "{old["term"]}".')
        if (alternative, reason) == (old["alternative"], old["reason"]):
            return old
        db.execute("UPDATE glossary_term SET alternative = ?, reason = ? WHERE id = ?", [alternative, reason, term_id])
        new = get_term(db, term_id)
        audit(db, _actor(db, person_id, actor_name), "change glossary term", "glossary_term", term_id,
              {"alternative": old["alternative"], "reason": old["reason"]},
              {"alternative": alternative, "reason": reason})
    return new


def remove_term(
    db: Database,
    term_id: str,
    person_id: str | None,
    reason: str,
    *,
    based_on: int | None = None,
    actor_name: str | None = None,
) -> dict:
    """Return the glossary row after taking it off the list (it is kept, marked removed), with
    the reason in the audit log; raise NotFound, InvalidInput or StaleSave in plain words."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("Say why you are taking the word off the list.")
    with write_transaction(db):
        old = get_term(db, term_id)
        _refuse_stale(db, old, based_on, "(take it off the list)")
        if old["removed_at"]:
            raise InvalidInput(f'"{old["term"]}" was already taken off the list.')
        removed_at = now()
        db.execute("UPDATE glossary_term SET removed_at = ? WHERE id = ?", [removed_at, term_id])
        new = {**old, "removed_at": removed_at, "removal_reason": reason}
        audit(db, _actor(db, person_id, actor_name), "remove glossary term", "glossary_term", term_id, old, new)
    return get_term(db, term_id)


def list_terms(db: Database) -> list[dict]:
    """Return the group's words still on the list, by kind then word."""
    return _rows(
        db,
        "SELECT * FROM glossary_term WHERE removed_at IS NULL ORDER BY kind, term COLLATE NOCASE, created_at",
    )


def group_terms(db: Database) -> GroupTerms:
    """Return the group's words as a GroupTerms value for the checker."""
    jargon: dict[str, str] = {}
    stigmatising: dict[str, str] = {}
    accepted: set[str] = set()
    for row in list_terms(db):
        if row["kind"] == "jargon":
            jargon[row["term"]] = row["alternative"]
        elif row["kind"] == "stigmatising":
            stigmatising[row["term"]] = row["alternative"]
        else:
            accepted.add(row["term"])
    return GroupTerms(extra_jargon=jargon, extra_stigmatising=stigmatising, accepted=frozenset(accepted))


def dismiss_flag(
    db: Database, question_id: str, code: str, quoted: str, reason: str, person_id: str | None = None,
    *, actor_name: str | None = None,
) -> dict:
    """Return the new dismissal row: the group says one flag (CODE on the QUOTED words) is fine
    for one question. REASON is required, and a flag is dismissed once; raise InvalidInput in
    plain words otherwise."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("Say why this flag is fine for this question before you dismiss it.")
    if code not in CODES:
        raise InvalidInput(f'"{code}" is not one of the checks, so it cannot be dismissed.')
    with write_transaction(db):
        if db.execute("SELECT 1 FROM question WHERE id = ?", [question_id]).fetchone() is None:
            raise NotFound("That question is not in the database.")
        if (code, quoted or "") in dismissals_for(db, question_id):
            raise InvalidInput("This flag is already dismissed for this question.")
        row = {
            "id": new_id(),
            "question_id": question_id,
            "code": code,
            "quoted": quoted or "",
            "reason": reason,
            "person_id": person_id,
            "created_at": now(),
            "undone_at": None,
            "undone_by": None,
            "updated_at": now(),
        }
        try:
            db["flag_dismissal"].insert(row)
        except sqlite3.IntegrityError as exc:
            raise InvalidInput("That person is not in the database, so the flag was not dismissed.") from exc
        audit(db, _actor(db, person_id, actor_name), "dismiss flag", "flag_dismissal", row["id"], None, row)
    return row


def undo_dismissal(db: Database, dismissal_id: str, person_id: str | None = None, *,
                   actor_name: str | None = None) -> dict:
    """Return the dismissal row after bringing its flag back (the row is kept, marked undone)."""
    with write_transaction(db):
        rows = _rows(db, "SELECT * FROM flag_dismissal WHERE id = ?", [dismissal_id])
        if not rows:
            raise NotFound("That dismissed flag is not in the database.")
        old = rows[0]
        if old["undone_at"]:
            raise InvalidInput("This flag was already brought back.")
        stamp = now()
        db.execute("UPDATE flag_dismissal SET undone_at = ?, undone_by = ?, updated_at = ? WHERE id = ?",
                   [stamp, person_id, stamp, dismissal_id])
        audit(db, _actor(db, person_id, actor_name), "bring back flag", "flag_dismissal", dismissal_id,
              {"undone_at": None}, {"undone_at": stamp})
    return {**old, "undone_at": stamp, "undone_by": person_id, "updated_at": stamp}


def dismissals_for(db: Database, question_id: str) -> set[tuple[str, str]]:
    """Return the (code, quoted words) of every flag dismissed on one question."""
    rows = db.execute(
        "SELECT code, quoted FROM flag_dismissal WHERE question_id = ? AND undone_at IS NULL", [question_id]
    ).fetchall()
    return {(code, quoted) for code, quoted in rows}


def dismissal_rows(db: Database, question_id: str) -> list[dict]:
    """Return the dismissals on one question with who made them and why, oldest first
    (those brought back too, with undone_at set)."""
    return _rows(
        db,
        "SELECT * FROM flag_dismissal WHERE question_id = ? ORDER BY created_at, id",
        [question_id],
    )


def dismissals_listed(db: Database, question_id: str) -> list[dict]:
    """Return the flags still dismissed on one question, with the name of who dismissed each."""
    return _rows(
        db,
        "SELECT d.*, COALESCE(pe.display_name, '') AS name FROM flag_dismissal d "
        "LEFT JOIN person pe ON pe.id = d.person_id "
        "WHERE d.question_id = ? AND d.undone_at IS NULL ORDER BY d.created_at, d.id",
        [question_id],
    )
