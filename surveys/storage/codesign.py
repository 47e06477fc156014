"""SQL for co-design: proposals, comments, reactions, wording history and contributions.

Each function takes a database and does one small thing; the rules (who may do what, when)
live in surveys/codesign.py.
"""

from __future__ import annotations

from sqlite_utils import Database

import json

from . import _rows
from .core import InvalidInput, NotFound


class StaleSave(InvalidInput):
    """A save based on an older copy of a row than the one in the database: it is refused.

    Carries what the page needs to show both texts side by side: MINE (what this person tried to
    save), THEIRS (what is saved now), BY (who saved it, a name) and REVISION (the revision now).
    """

    def __init__(self, message: str, *, mine: str = "", theirs: str = "", by: str = "", revision: int = 0):
        super().__init__(message)
        self.mine, self.theirs, self.by, self.revision = mine, theirs, by, revision

# ---- proposals ------------------------------------------------------------------------------


def insert_proposal(db: Database, row: dict) -> None:
    """Add one proposal row (the caller holds the write transaction)."""
    db["proposal"].insert(row)


def get_proposal(db: Database, proposal_id: str) -> dict:
    """Return one proposal with its question's name, lineage and version, or raise NotFound."""
    rows = _rows(
        db,
        "SELECT p.*, q.name AS question_name, q.lineage_id, q.version_id, q.wording AS question_wording, "
        "v.survey_id, v.status AS version_status "
        "FROM proposal p JOIN question q ON q.id = p.question_id "
        "JOIN survey_version v ON v.id = q.version_id WHERE p.id = ?",
        [proposal_id],
    )
    if not rows:
        raise NotFound("That proposal is not in the database.")
    return rows[0]


_PROPOSAL_LIST = (
    "SELECT p.*, q.name AS question_name, q.lineage_id, q.version_id, v.number AS version_number, "
    "(SELECT COUNT(*) FROM proposal_comment c WHERE c.proposal_id = p.id) AS comments, "
    "(SELECT COUNT(*) FROM proposal_reaction r WHERE r.proposal_id = p.id) AS reactions "
    "FROM proposal p JOIN question q ON q.id = p.question_id "
    "JOIN survey_version v ON v.id = q.version_id "
)


def proposals_for_lineage(db: Database, lineage_id: str) -> list[dict]:
    """Return every proposal made for any version of one question, oldest first."""
    return _rows(db, _PROPOSAL_LIST + "WHERE q.lineage_id = ? ORDER BY p.created_at, p.id", [lineage_id])


def open_proposal_counts(db: Database, version_id: str) -> dict[str, int]:
    """Return {question id: open proposals} for a version, counting proposals made on any
    version of the same question (proposed or agreed, not yet adopted or rejected)."""
    rows = db.execute(
        "SELECT q.id, COUNT(p.id) FROM question q "
        "JOIN question q2 ON q2.lineage_id = q.lineage_id "
        "JOIN proposal p ON p.question_id = q2.id AND p.status IN ('proposed', 'agreed') "
        "WHERE q.version_id = ? GROUP BY q.id",
        [version_id],
    ).fetchall()
    return {qid: n for qid, n in rows}


def open_proposal_with_wording(db: Database, lineage_id: str, wording: str) -> dict | None:
    """Return an open proposal for this question (any version) with the same words, or None.

    Words are compared ignoring case and extra spaces, so a second click cannot make a duplicate.
    """
    same = " ".join(wording.split()).casefold()
    for row in _rows(db, _PROPOSAL_LIST + "WHERE q.lineage_id = ? AND p.status IN ('proposed', 'agreed')",
                     [lineage_id]):
        if " ".join(row["wording"].split()).casefold() == same:
            return row
    return None


def set_proposal_status(db: Database, proposal_id: str, status: str, reason: str, decided_at: str | None) -> None:
    """Change a proposal's status, the reason given and when it was decided."""
    db.execute(
        "UPDATE proposal SET status = ?, status_reason = ?, decided_at = ? WHERE id = ?",
        [status, reason, decided_at, proposal_id],
    )


# ---- comments and reactions -----------------------------------------------------------------


def insert_comment(db: Database, row: dict) -> None:
    """Add one comment row."""
    db["proposal_comment"].insert(row)


def comments_for(db: Database, proposal_id: str) -> list[dict]:
    """Return the comments on a proposal with each writer's name and role, oldest first."""
    return _rows(
        db,
        "SELECT c.*, COALESCE(pe.display_name, '') AS name, COALESCE(pe.role, '') AS role "
        "FROM proposal_comment c LEFT JOIN person pe ON pe.id = c.person_id "
        "WHERE c.proposal_id = ? ORDER BY c.created_at, c.id",
        [proposal_id],
    )


def get_reaction(db: Database, proposal_id: str, person_id: str) -> dict | None:
    """Return one person's reaction to a proposal, or None."""
    rows = _rows(
        db, "SELECT * FROM proposal_reaction WHERE proposal_id = ? AND person_id = ?", [proposal_id, person_id]
    )
    return rows[0] if rows else None


def replace_reaction(db: Database, row: dict) -> None:
    """Store a reaction, replacing the same person's earlier one on the same proposal."""
    db.execute(
        "DELETE FROM proposal_reaction WHERE proposal_id = ? AND person_id = ?",
        [row["proposal_id"], row["person_id"]],
    )
    db["proposal_reaction"].insert(row)


def reactions_for(db: Database, proposal_id: str) -> list[dict]:
    """Return the reactions to a proposal with each person's name and role, oldest first."""
    return _rows(
        db,
        "SELECT r.*, pe.display_name AS name, pe.role AS role FROM proposal_reaction r "
        "JOIN person pe ON pe.id = r.person_id WHERE r.proposal_id = ? ORDER BY r.created_at, r.id",
        [proposal_id],
    )


# ---- wording history ------------------------------------------------------------------------


def insert_wording_history(db: Database, row: dict) -> None:
    """Add one earlier wording of a question to its history (EVIDENCE, a dict, is kept as JSON)."""
    row = dict(row)
    if row.get("evidence") is not None:
        row["evidence"] = json.dumps(row["evidence"], ensure_ascii=False, sort_keys=True, default=str)
    db["wording_history"].insert(row)


def last_change_by(db: Database, table: str, record_id: str) -> str:
    """Return the name the audit log gives for the last change to a record ("" when none)."""
    row = db.execute(
        "SELECT actor FROM audit_log WHERE table_name = ? AND record_id = ? ORDER BY id DESC LIMIT 1",
        [table, record_id],
    ).fetchone()
    return row[0] if row else ""


def changes_after_version(db: Database, version_id: str) -> list[dict]:
    """Return the wording changes made in later versions of the same survey to the questions of
    VERSION_ID, oldest first: lineage, the wording it replaced, who and why, the proposal's reason,
    the evidence kept, the version it was made in and that question's wording there now."""
    rows = _rows(
        db,
        "SELECT h.lineage_id, h.wording AS before, h.reason, h.changed_at, h.evidence, h.proposal_id, "
        "COALESCE(pe.display_name, '') AS name, COALESCE(p.reason, '') AS proposal_reason, "
        "COALESCE(p.author_name, '') AS author_name, q.wording AS now, v.label AS version_label, "
        "v.number AS version_number "
        "FROM survey_version base "
        "JOIN survey_version v ON v.survey_id = base.survey_id AND v.number > base.number "
        "JOIN question q ON q.version_id = v.id "
        "JOIN wording_history h ON h.question_id = q.id "
        "LEFT JOIN person pe ON pe.id = h.person_id "
        "LEFT JOIN proposal p ON p.id = h.proposal_id "
        "WHERE base.id = ? AND h.language = '' "
        "AND q.lineage_id IN (SELECT lineage_id FROM question WHERE version_id = base.id) "
        "ORDER BY v.number, h.changed_at, h.id",
        [version_id],
    )
    for row in rows:
        row["evidence"] = json.loads(row["evidence"]) if row["evidence"] else None
    return rows


def questions_in_lineage(db: Database, lineage_id: str) -> list[dict]:
    """Return the question in each version that shares LINEAGE_ID, by version number."""
    return _rows(
        db,
        "SELECT q.id AS question_id, q.name, q.wording, q.version_id, v.number AS version_number, "
        "v.label AS version_label, v.status AS version_status "
        "FROM question q JOIN survey_version v ON v.id = q.version_id "
        "WHERE q.lineage_id = ? ORDER BY v.number",
        [lineage_id],
    )


def wording_history_rows(db: Database, lineage_id: str) -> list[dict]:
    """Return the earlier wordings kept for a lineage, with who changed them, oldest first."""
    return _rows(
        db,
        "SELECT h.*, COALESCE(pe.display_name, '') AS name, COALESCE(pe.role, '') AS role "
        "FROM wording_history h LEFT JOIN person pe ON pe.id = h.person_id "
        "WHERE h.lineage_id = ? AND h.language = '' ORDER BY h.changed_at, h.id",
        [lineage_id],
    )


def draft_question_in_lineage(db: Database, survey_id: str, lineage_id: str) -> dict | None:
    """Return the question with LINEAGE_ID in the newest draft version of a survey, or None."""
    rows = _rows(
        db,
        "SELECT q.id, q.version_id FROM question q JOIN survey_version v ON v.id = q.version_id "
        "WHERE v.survey_id = ? AND v.status = 'draft' AND q.lineage_id = ? ORDER BY v.number DESC LIMIT 1",
        [survey_id, lineage_id],
    )
    return rows[0] if rows else None


# ---- contributions --------------------------------------------------------------------------

# One row per thing a person did, tagged with the question it was about, so one query can
# total them for a survey or for one question across its versions. A translation counts once
# per question and language for each person whose words it held (the history keeps earlier
# translators), however often it was saved or copied to a new version.
_CONTRIBUTION_EVENTS = """
    SELECT author_id AS person_id, 'proposed' AS kind, question_id FROM proposal
    UNION ALL
    SELECT author_id, 'adopted', question_id FROM proposal WHERE status = 'adopted'
    UNION ALL
    SELECT person_id, 'edited', question_id FROM wording_history WHERE proposal_id IS NULL AND language = ''
    UNION ALL
    SELECT c.person_id, 'commented', p.question_id
        FROM proposal_comment c JOIN proposal p ON p.id = c.proposal_id
    UNION ALL
    SELECT r.person_id, 'reacted', p.question_id
        FROM proposal_reaction r JOIN proposal p ON p.id = r.proposal_id
    UNION ALL
    SELECT person_id, 'translated', MIN(question_id) FROM (
        SELECT person_id, lineage_id, language, question_id FROM question_translation
            WHERE source = 'app' AND copied_from IS NULL
        UNION ALL
        SELECT person_id, lineage_id, language, question_id FROM wording_history WHERE language != ''
    ) WHERE person_id IS NOT NULL GROUP BY person_id, lineage_id, language
"""


def contribution_totals(db: Database, survey_id: str | None = None, lineage_id: str | None = None) -> list[dict]:
    """Return per person: name, role and how many proposals, adoptions, comments, reactions and translations.

    SURVEY_ID keeps what was done on that survey's questions; LINEAGE_ID keeps what was done
    on one question in any of its versions.
    """
    where, params = ["e.person_id IS NOT NULL"], []
    if survey_id:
        where.append("v.survey_id = ?")
        params.append(survey_id)
    if lineage_id:
        where.append("q.lineage_id = ?")
        params.append(lineage_id)
    sql = (
        "SELECT pe.id AS person_id, pe.display_name AS name, pe.role AS role, "
        "SUM(e.kind = 'proposed') AS proposed, SUM(e.kind = 'commented') AS commented, "
        "SUM(e.kind = 'reacted') AS reacted, SUM(e.kind = 'adopted') AS adopted, "
        "SUM(e.kind = 'edited') AS edited, SUM(e.kind = 'translated') AS translated "
        f"FROM ({_CONTRIBUTION_EVENTS}) e "
        "JOIN person pe ON pe.id = e.person_id "
        "JOIN question q ON q.id = e.question_id "
        "JOIN survey_version v ON v.id = q.version_id "
        f"WHERE {' AND '.join(where)} "
        "GROUP BY pe.id ORDER BY pe.display_name, pe.id"
    )
    return _rows(db, sql, params)


__all__ = [
    "StaleSave",
    "changes_after_version",
    "comments_for",
    "contribution_totals",
    "draft_question_in_lineage",
    "get_proposal",
    "get_reaction",
    "insert_comment",
    "insert_proposal",
    "insert_wording_history",
    "last_change_by",
    "open_proposal_with_wording",
    "open_proposal_counts",
    "proposals_for_lineage",
    "questions_in_lineage",
    "reactions_for",
    "replace_reaction",
    "set_proposal_status",
    "wording_history_rows",
]
