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
from .core import InvalidInput, NotFound

GLOSSARY_KINDS = ("jargon", "stigmatising", "accepted")
DEFAULT_SOURCE = "Group's own list"

__all__ = [
    "DEFAULT_SOURCE",
    "GLOSSARY_KINDS",
    "GroupTerms",
    "add_term",
    "dismiss_flag",
    "dismissal_rows",
    "dismissals_for",
    "group_terms",
    "list_terms",
    "remove_term",
]


def _actor(db: Database, person_id: str | None) -> str:
    """Return the name the audit log shows for PERSON_ID (their display name when known)."""
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
        audit(db, _actor(db, person_id), "add glossary term", "glossary_term", row["id"], None, row)
    return row


def remove_term(db: Database, term_id: str, person_id: str | None, reason: str) -> dict:
    """Return the glossary row after taking it off the list (it is kept, marked removed), with
    the reason in the audit log; raise NotFound or InvalidInput in plain words."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("Say why you are taking the word off the list.")
    with write_transaction(db):
        rows = _rows(db, "SELECT * FROM glossary_term WHERE id = ?", [term_id])
        if not rows:
            raise NotFound("That word is not in your list.")
        old = rows[0]
        if old["removed_at"]:
            raise InvalidInput(f'"{old["term"]}" was already taken off the list.')
        removed_at = now()
        db.execute("UPDATE glossary_term SET removed_at = ? WHERE id = ?", [removed_at, term_id])
        new = {**old, "removed_at": removed_at, "removal_reason": reason}
        audit(db, _actor(db, person_id), "remove glossary term", "glossary_term", term_id, old, new)
    return {**old, "removed_at": removed_at}


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
    db: Database, question_id: str, code: str, quoted: str, reason: str, person_id: str | None = None
) -> dict:
    """Return the new dismissal row: the group says one flag (CODE on the QUOTED words) is fine
    for one question. REASON is required; raise InvalidInput in plain words otherwise."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("Say why this flag is fine for this question before you dismiss it.")
    if code not in CODES:
        raise InvalidInput(f'"{code}" is not one of the checks, so it cannot be dismissed.')
    with write_transaction(db):
        if db.execute("SELECT 1 FROM question WHERE id = ?", [question_id]).fetchone() is None:
            raise NotFound("That question is not in the database.")
        row = {
            "id": new_id(),
            "question_id": question_id,
            "code": code,
            "quoted": quoted or "",
            "reason": reason,
            "person_id": person_id,
            "created_at": now(),
        }
        try:
            db["flag_dismissal"].insert(row)
        except sqlite3.IntegrityError as exc:
            raise InvalidInput("That person is not in the database, so the flag was not dismissed.") from exc
        audit(db, _actor(db, person_id), "dismiss flag", "flag_dismissal", row["id"], None, row)
    return row


def dismissals_for(db: Database, question_id: str) -> set[tuple[str, str]]:
    """Return the (code, quoted words) of every flag dismissed on one question."""
    rows = db.execute(
        "SELECT code, quoted FROM flag_dismissal WHERE question_id = ?", [question_id]
    ).fetchall()
    return {(code, quoted) for code, quoted in rows}


def dismissal_rows(db: Database, question_id: str) -> list[dict]:
    """Return the dismissals on one question with who made them and why, oldest first."""
    return _rows(
        db,
        "SELECT * FROM flag_dismissal WHERE question_id = ? ORDER BY created_at, id",
        [question_id],
    )
