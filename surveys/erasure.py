"""Erasure: delete everything held about one respondent code, on request, and log it.

Only counts go in the new audit entry (how many interviews and answers, and why), and the code
itself is named only by its fingerprint (`erasure_key`), so a merge on another laptop can still
carry the erasure across. Earlier entries about the erased interviews and answers (the start of
an interview, an answer changed or removed when it was sent in) keep who did what and when, but
their old and new values are blanked: that is the one change the database allows to the log.

Deleted rows are overwritten with zeros (`secure_delete`, turned on for every connection), and
the write-ahead file is emptied into the database. When someone else is reading at that moment
the emptying cannot finish: the erasure says so, and the next time the app opens the database
it finishes the job.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from sqlite_utils import Database

from surveys.accounts import Actor, check_actor
from surveys.storage import (
    audit,
    checkpoint_wal,
    erasure_key,
    redact_audit_entries,
    set_wipe_pending,
    write_transaction,
)
from surveys.storage import accounts as account_store
from surveys.storage.core import InvalidInput, NotFound

ERASE_ACTION = "erase respondent"


def _clean_code(respondent_code: str) -> str:
    code = (respondent_code or "").strip()
    if not code:
        raise InvalidInput("Type the respondent code.")
    return code


def same_code(first: str, second: str) -> bool:
    """Return True when two typed codes name the same respondent (any case, spaces around ignored)."""
    return erasure_key(first or "") == erasure_key(second or "")


def erasure_preview(db: Database, respondent_code: str) -> dict:
    """Return what erasing a respondent code would delete: its interviews and answers, counted."""
    code = _clean_code(respondent_code)
    interviews = account_store.interviews_for_respondent(db, code)
    ids = [i["id"] for i in interviews]
    return {
        "respondent_code": code,
        "interviews": len(ids),
        "answers": account_store.count_answers(db, ids),
        "versions": len({i["version_id"] for i in interviews}),
    }


def forget_interviews(db: Database, interview_ids: Sequence[str]) -> tuple[int, int]:
    """Return (interviews, answers) deleted after removing these interviews and every trace of them.

    Deletes their answers and every row about them, and blanks the values of log entries that
    hold their words. Call it inside a write transaction.
    """
    ids = list(interview_ids)
    if not ids:
        return 0, 0
    answer_ids = account_store.answer_ids_for_interviews(db, ids)
    entries = account_store.audit_ids_about(db, ids, answer_ids)
    deleted = account_store.delete_interviews(db, ids)
    redact_audit_entries(db, entries)
    return deleted


def wipe_write_ahead_file(db: Database) -> bool:
    """Return True when erased words are out of the write-ahead file now; else leave it for the next open."""
    if checkpoint_wal(db):
        return True
    set_wipe_pending(db, True)
    return False


def erase_respondent(db: Database, respondent_code: str, actor: Actor, reason: str) -> dict:
    """Return counts of what was erased after deleting every interview and answer for a code.

    Only an admin (ACTOR, checked again in the database) may erase. All in one transaction:
    either everything for the code goes, or nothing does. The code matches whatever its case.
    "wiped" is False when someone was reading, so the last copy in the write-ahead file is
    removed the next time the app opens the database.
    """
    code = _clean_code(respondent_code)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("Say why this person's answers are being erased, for example: they asked us to.")
    actor = check_actor(db, actor, "admin")
    previous = db.execute("PRAGMA secure_delete").fetchone()[0]
    db.execute("PRAGMA secure_delete = ON")
    try:
        with write_transaction(db):
            interviews = account_store.interviews_for_respondent(db, code)
            if not interviews:
                raise NotFound(f"Nothing is held for the code {code}. Check the code and try again.")
            deleted_interviews, deleted_answers = forget_interviews(db, [i["id"] for i in interviews])
            # Counts, the reason (with the code taken out) and the code's fingerprint only.
            said = re.sub(re.escape(code), "[code]", reason, flags=re.IGNORECASE)
            audit(db, actor.name, ERASE_ACTION, "interview", erasure_key(code), None,
                  {"interviews": deleted_interviews, "answers": deleted_answers, "reason": said})
    finally:
        db.execute(f"PRAGMA secure_delete = {int(previous)}")
    return {
        "respondent_code": code,
        "interviews": deleted_interviews,
        "answers": deleted_answers,
        "wiped": wipe_write_ahead_file(db),
    }


__all__ = ["ERASE_ACTION", "erase_respondent", "erasure_preview", "forget_interviews", "same_code",
           "wipe_write_ahead_file"]
