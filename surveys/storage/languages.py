"""SQL for survey languages, translations, the interview's language and what a form file kept.

Each function takes a database and does one small thing; the rules (which language is the
main one, what counts as untranslated, who gets credit) live in surveys/languages.py.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from sqlite_utils import Database

from . import _rows


# ---- version languages ----------------------------------------------------------------------


def version_language_rows(db: Database, version_id: str) -> list[dict]:
    """Return the languages stored for a version, main language first, then in order."""
    return _rows(
        db,
        "SELECT * FROM version_language WHERE version_id = ? ORDER BY is_main DESC, position, language",
        [version_id],
    )


def insert_version_language(db: Database, row: dict) -> None:
    """Add one language to a version (the caller holds the write transaction)."""
    db.execute(
        "INSERT INTO version_language (id, version_id, language, position, is_main, created_at) "
        "VALUES (:id, :version_id, :language, :position, :is_main, :created_at)",
        row,
    )


# ---- translations ---------------------------------------------------------------------------


def _decode(row: dict) -> dict:
    row = dict(row)
    row["options"] = json.loads(row["options"]) if row.get("options") else {}
    return row


def translations_for_version(db: Database, version_id: str, language: str | None = None) -> list[dict]:
    """Return the translations of a version's questions (of one LANGUAGE, or all), options decoded."""
    sql = ("SELECT t.* FROM question_translation t JOIN question q ON q.id = t.question_id "
           "WHERE q.version_id = ?")
    params: list = [version_id]
    if language is not None:
        sql += " AND t.language = ?"
        params.append(language)
    return [_decode(r) for r in _rows(db, sql + " ORDER BY q.position, t.language", params)]


def get_translation(db: Database, question_id: str, language: str) -> dict | None:
    """Return one question's translation into LANGUAGE, or None."""
    rows = _rows(db, "SELECT * FROM question_translation WHERE question_id = ? AND language = ?",
                 [question_id, language])
    return _decode(rows[0]) if rows else None


def upsert_translation(db: Database, row: dict) -> None:
    """Insert a translation, or replace the words of the one already there for that question and language."""
    record = {**row, "options": json.dumps(row.get("options") or {}, ensure_ascii=False)}
    db.execute(
        "INSERT INTO question_translation (id, question_id, lineage_id, language, wording, help_text, options, "
        "person_id, source, copied_from, updated_at) VALUES (:id, :question_id, :lineage_id, :language, :wording, "
        ":help_text, :options, :person_id, :source, :copied_from, :updated_at) "
        "ON CONFLICT(question_id, language) DO UPDATE SET wording = excluded.wording, "
        "help_text = excluded.help_text, options = excluded.options, person_id = excluded.person_id, "
        "source = excluded.source, copied_from = NULL, updated_at = excluded.updated_at",
        record,
    )


def translation_history_rows(db: Database, lineage_id: str, language: str) -> list[dict]:
    """Return the earlier words of one question's translation, with who wrote them, oldest first."""
    return _rows(
        db,
        "SELECT h.*, COALESCE(pe.display_name, '') AS name, COALESCE(pe.role, '') AS role "
        "FROM wording_history h LEFT JOIN person pe ON pe.id = h.person_id "
        "WHERE h.lineage_id = ? AND h.language = ? ORDER BY h.changed_at, h.id",
        [lineage_id, language],
    )


def copy_version_extras(db: Database, source_version_id: str, new_version_id: str,
                        question_ids: Iterable[tuple[str, str]], new_id, stamp: str) -> None:
    """Copy a version's form file, languages and translations onto a new version.

    QUESTION_IDS pairs each source question id with its copy's id. Copied translations keep
    who made them and point at the original, so credit is counted once.
    """
    db.execute(
        "UPDATE survey_version SET form_file = (SELECT form_file FROM survey_version WHERE id = ?) WHERE id = ?",
        [source_version_id, new_version_id],
    )
    for row in version_language_rows(db, source_version_id):
        insert_version_language(db, {**row, "id": new_id(), "version_id": new_version_id, "created_at": stamp})
    copies = dict(question_ids)
    for row in translations_for_version(db, source_version_id):
        if row["question_id"] not in copies:
            continue
        upsert_translation(db, {**row, "id": new_id(), "question_id": copies[row["question_id"]],
                                "copied_from": row["copied_from"] or row["id"], "updated_at": stamp})


# ---- what a form file kept ------------------------------------------------------------------


def form_file(db: Database, version_id: str) -> dict:
    """Return what a version kept from the form file it came from ({} for a survey made here)."""
    row = db.execute("SELECT form_file FROM survey_version WHERE id = ?", [version_id]).fetchone()
    return json.loads(row[0]) if row and row[0] else {}


def set_form_file(db: Database, version_id: str, kept: dict) -> None:
    """Store what a version keeps from its form file (the caller holds the write transaction)."""
    db.execute("UPDATE survey_version SET form_file = ? WHERE id = ?",
               [json.dumps(kept, ensure_ascii=False), version_id])


# ---- interviews -----------------------------------------------------------------------------


def interview_language(db: Database, interview_id: str) -> str:
    """Return the language an interview was asked in ('' for the version's main language)."""
    row = db.execute("SELECT language FROM interview WHERE id = ?", [interview_id]).fetchone()
    return row[0] if row else ""


def set_interview_language(db: Database, interview_id: str, language: str) -> None:
    """Record the language an interview is asked in (the caller holds the write transaction)."""
    db.execute("UPDATE interview SET language = ? WHERE id = ?", [language, interview_id])


def interview_counts_by_language(db: Database, version_ids: Iterable[str]) -> list[dict]:
    """Return how many sent-in interviews each version had in each language ('' is the main one)."""
    ids = list(version_ids)
    if not ids:
        return []
    marks = ", ".join("?" for _ in ids)
    return _rows(
        db,
        f"SELECT version_id, language, COUNT(*) AS interviews FROM interview WHERE version_id IN ({marks}) "
        "AND status = 'submitted' AND consent = 'given' GROUP BY version_id, language ORDER BY version_id, language",
        ids,
    )


__all__ = [
    "copy_version_extras",
    "form_file",
    "get_translation",
    "insert_version_language",
    "interview_counts_by_language",
    "interview_language",
    "set_form_file",
    "set_interview_language",
    "translation_history_rows",
    "translations_for_version",
    "upsert_translation",
    "version_language_rows",
]
