"""Erasure: delete everything held about one respondent code, on request, and log it.

Only counts go in the new audit entry (how many interviews and answers, and why), never what
was erased. Earlier entries about the erased interviews and answers (the start of an
interview, an answer changed after it was sent in) keep who did what and when, but their old
and new values are blanked: that is the one change the database allows to the log.
"""

from __future__ import annotations

from sqlite_utils import Database

from surveys.storage import audit, redact_audit_values, write_transaction
from surveys.storage import accounts as account_store
from surveys.storage.core import InvalidInput, NotFound


def _clean_code(respondent_code: str) -> str:
    code = (respondent_code or "").strip()
    if not code:
        raise InvalidInput("Type the respondent code.")
    return code


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


def erase_respondent(db: Database, respondent_code: str, actor: str | None, reason: str) -> dict:
    """Return counts of what was erased after deleting every interview and answer for a code.

    All in one transaction: either everything for the code goes, or nothing does. The code
    matches whatever its case. Deleted rows are overwritten on disk (SQLite's secure_delete),
    so they cannot be read back from the file.
    """
    code = _clean_code(respondent_code)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("Say why this person's answers are being erased, for example: they asked us to.")
    previous = db.execute("PRAGMA secure_delete").fetchone()[0]
    db.execute("PRAGMA secure_delete = ON")
    try:
        with write_transaction(db):
            interviews = account_store.interviews_for_respondent(db, code)
            if not interviews:
                raise NotFound(f"Nothing is held for the code {code}. Check the code and try again.")
            ids = [i["id"] for i in interviews]
            answer_ids = account_store.answer_ids_for_interviews(db, ids)
            deleted_interviews, deleted_answers = account_store.delete_interviews(db, ids)
            redact_audit_values(db, ids + answer_ids)
            summary = {
                "respondent_code": code,
                "interviews": deleted_interviews,
                "answers": deleted_answers,
            }
            # Counts and the reason only: no answer goes in the log.
            audit(db, actor, "erase respondent", "interview", code, None,
                  {"interviews": deleted_interviews, "answers": deleted_answers, "reason": reason})
    finally:
        db.execute(f"PRAGMA secure_delete = {int(previous)}")
    # Move the change out of the write-ahead file too, so old pages do not linger there.
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return summary


__all__ = ["erase_respondent", "erasure_preview"]
