"""SQL for surveys, versions, questions and people."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

from sqlite_utils import Database

from . import StorageError, _rows, audit, new_id, now, write_transaction
from .languages import copy_version_extras
from .migrations import OPT_OUTS, PERSON_ROLES, QUESTION_TYPES, SHOW_IF_OPERATORS

CHOICE_TYPES = ("single_choice", "multiple_choice", "scale")
NAME_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
QUESTION_FIELDS = (
    "position",
    "name",
    "type",
    "wording",
    "help_text",
    "required",
    "options",
    "show_if",
    "topic",
    "form_columns",
)
# A show-if rule is one condition, or conditions joined: {"all": [...]} or {"any": [...]}.
SHOW_IF_JOINS = ("all", "any")


class InvalidInput(StorageError, ValueError):
    """Input that cannot be saved, with a plain-words reason."""


class NotFound(StorageError, LookupError):
    """A record that is not in the database."""


def _friendly_integrity(exc: sqlite3.DatabaseError) -> StorageError:
    text = str(exc)
    if "UNIQUE constraint failed: question.version_id, question.name" in text:
        return InvalidInput("Another question in this version already has that name. Pick a new name.")
    if "FOREIGN KEY" in text:
        return InvalidInput("This refers to something that is not in the database.")
    return StorageError(text if text.endswith(".") else text + ".")


# ---- surveys and versions -------------------------------------------------------------------


def create_survey(
    db: Database, name: str, description: str = "", *, synthetic: bool = False, actor: str | None = None
) -> str:
    """Return the id of a new survey."""
    if not name or not name.strip():
        raise InvalidInput("Give the survey a name.")
    survey_id = new_id()
    row = {
        "id": survey_id,
        "name": name.strip(),
        "description": description,
        "synthetic": int(synthetic),
        "created_at": now(),
    }
    with write_transaction(db):
        db["survey"].insert(row)
        audit(db, actor, "create survey", "survey", survey_id, None, row)
    return survey_id


def create_version(
    db: Database,
    survey_id: str,
    label: str = "",
    *,
    based_on_id: str | None = None,
    actor: str | None = None,
) -> str:
    """Return the id of a new draft version, copying questions (and lineage) from BASED_ON_ID."""
    with write_transaction(db):
        if not db.execute("SELECT 1 FROM survey WHERE id = ?", [survey_id]).fetchone():
            raise NotFound("That survey is not in the database.")
        number = db.execute(
            "SELECT COALESCE(MAX(number), 0) + 1 FROM survey_version WHERE survey_id = ?", [survey_id]
        ).fetchone()[0]
        version_id = new_id()
        row = {
            "id": version_id,
            "survey_id": survey_id,
            "number": number,
            "label": label or f"Version {number}",
            "status": "draft",
            "based_on_id": based_on_id,
            "created_at": now(),
            "published_at": None,
        }
        db["survey_version"].insert(row)
        if based_on_id:
            source = get_version(db, based_on_id)
            if source["survey_id"] != survey_id:
                raise InvalidInput("A new version can only be based on a version of the same survey.")
            copies = []
            for question in questions_for_version(db, based_on_id):
                copies.append((question["id"], new_id()))
                _insert_question_row(
                    db,
                    {
                        **question,
                        "id": copies[-1][1],
                        "version_id": version_id,
                        "updated_at": now(),
                    },
                )
            copy_version_extras(db, based_on_id, version_id, copies, new_id, now())
        audit(db, actor, "create version", "survey_version", version_id, None, row)
    return version_id


def get_version(db: Database, version_id: str) -> dict:
    """Return one version with its survey's name, or raise NotFound."""
    rows = _rows(
        db,
        "SELECT v.*, s.name AS survey_name, s.synthetic AS synthetic FROM survey_version v "
        "JOIN survey s ON s.id = v.survey_id WHERE v.id = ?",
        [version_id],
    )
    if not rows:
        raise NotFound(f"There is no survey version with the id {version_id}.")
    return rows[0]


def list_surveys(db: Database) -> list[dict]:
    """Return every survey with its number of versions, oldest first."""
    return _rows(
        db,
        "SELECT s.*, (SELECT COUNT(*) FROM survey_version v WHERE v.survey_id = s.id) AS versions "
        "FROM survey s ORDER BY s.created_at",
    )


def list_versions(db: Database, survey_id: str | None = None) -> list[dict]:
    """Return versions with survey name, question and interview counts, by survey then number."""
    sql = (
        "SELECT v.id, v.survey_id, s.name AS survey_name, s.synthetic, v.number, v.label, v.status, "
        "v.based_on_id, v.created_at, v.published_at, "
        "(SELECT COUNT(*) FROM question q WHERE q.version_id = v.id) AS questions, "
        "(SELECT COUNT(*) FROM interview i WHERE i.version_id = v.id) AS interviews "
        "FROM survey_version v JOIN survey s ON s.id = v.survey_id"
    )
    params: list[Any] = []
    if survey_id:
        sql += " WHERE v.survey_id = ?"
        params.append(survey_id)
    sql += " ORDER BY s.created_at, s.name, v.number"
    return _rows(db, sql, params)


def set_version_status(db: Database, version_id: str, status: str, *, actor: str | None = None) -> None:
    """Publish or retire a version; a published version is frozen from then on."""
    if status not in ("published", "retired"):
        raise InvalidInput("A version can only be published or retired.")
    with write_transaction(db):
        version = get_version(db, version_id)
        if version["status"] == status:
            return
        if status == "published" and version["status"] != "draft":
            raise InvalidInput("Only a draft version can be published.")
        if status == "published" and not questions_for_version(db, version_id):
            raise InvalidInput("This version has no questions yet, so it cannot be published.")
        stamp = now() if status == "published" else version["published_at"]
        db.execute(
            "UPDATE survey_version SET status = ?, published_at = ? WHERE id = ?",
            [status, stamp, version_id],
        )
        action = "publish version" if status == "published" else "retire version"
        audit(db, actor, action, "survey_version", version_id, {"status": version["status"]}, {"status": status})


# ---- questions ------------------------------------------------------------------------------


def _decode_question(row: dict) -> dict:
    row = dict(row)
    row["options"] = json.loads(row["options"]) if row.get("options") else []
    row["show_if"] = json.loads(row["show_if"]) if row.get("show_if") else None
    row["required"] = bool(row["required"])
    row["form_columns"] = json.loads(row["form_columns"]) if row.get("form_columns") else {}
    return row


def validate_question(fields: dict) -> None:
    """Raise InvalidInput with a plain reason when a question's fields cannot be saved."""
    name = fields.get("name", "")
    if not NAME_PATTERN.match(name or ""):
        raise InvalidInput(
            "A question name must start with a letter and use only letters, numbers and _ "
            f"(no spaces). {name!r} does not."
        )
    if fields.get("type") not in QUESTION_TYPES:
        raise InvalidInput(f"{fields.get('type')!r} is not a question type this tool knows.")
    wording = fields.get("wording")
    if wording is None or not str(wording).strip():
        raise InvalidInput("Write the question before you save it.")
    options = fields.get("options") or []
    if not isinstance(options, list) or not all(isinstance(o, str) for o in options):
        raise InvalidInput("Answer options must be a list of words.")
    cleaned = [o.strip() for o in options]
    if any(not o for o in cleaned):
        raise InvalidInput("An answer option is empty. Fill it in or take it out.")
    if len(set(o.casefold() for o in cleaned)) != len(cleaned):
        raise InvalidInput("Two answer options are the same. Each option must be different.")
    if fields["type"] in CHOICE_TYPES and len(cleaned) < 2:
        raise InvalidInput("A choice or scale question needs at least two answer options.")
    if fields.get("show_if") is not None:
        validate_show_if(fields["show_if"])
    if not isinstance(fields.get("form_columns") or {}, dict):
        raise InvalidInput("The kept form columns must be a set of names and values.")


def validate_show_if(show_if: Any) -> None:
    """Raise InvalidInput unless SHOW_IF is one condition or conditions joined with all / any."""
    if isinstance(show_if, dict) and len(show_if) == 1 and next(iter(show_if)) in SHOW_IF_JOINS:
        parts = next(iter(show_if.values()))
        if not isinstance(parts, list) or len(parts) < 2:
            raise InvalidInput("A show-if rule that joins conditions needs at least two of them.")
        for part in parts:
            validate_show_if(part)
        return
    if not isinstance(show_if, dict) or not show_if.get("question"):
        raise InvalidInput("A show-if rule needs the question it depends on.")
    if show_if.get("operator") not in SHOW_IF_OPERATORS:
        raise InvalidInput(f"{show_if.get('operator')!r} is not a show-if rule this tool knows.")
    if not isinstance(show_if.get("values", []), list):
        raise InvalidInput("A show-if rule needs a list of values.")


def _insert_question_row(db: Database, row: dict) -> None:
    row = dict(row)
    row.pop("survey_name", None)
    record = {key: row.get(key) for key in ("id", "version_id", "lineage_id", "updated_at", *QUESTION_FIELDS)}
    record["options"] = json.dumps(record.get("options") or [], ensure_ascii=False)
    record["show_if"] = json.dumps(record["show_if"], ensure_ascii=False) if record.get("show_if") else None
    record["required"] = int(bool(record.get("required")))
    record["help_text"] = record.get("help_text") or ""
    record["topic"] = record.get("topic") or ""
    record["form_columns"] = json.dumps(record.get("form_columns") or {}, ensure_ascii=False)
    try:
        db["question"].insert(record)
    except sqlite3.DatabaseError as exc:
        raise _friendly_integrity(exc) from exc


def add_question(
    db: Database,
    version_id: str,
    *,
    name: str,
    type: str,
    wording: str,
    help_text: str = "",
    required: bool = False,
    options: Sequence[str] = (),
    show_if: dict | None = None,
    topic: str = "",
    lineage_id: str | None = None,
    position: int | None = None,
    form_columns: dict | None = None,
    actor: str | None = None,
) -> str:
    """Return the id of a new question added to a draft version (at the end by default).

    FORM_COLUMNS keeps what a spreadsheet form said about the question that the app does not
    use itself (appearance, constraint, ...), so saving the survey as a form writes it back.
    """
    fields = {
        "name": name,
        "type": type,
        "wording": wording,
        "help_text": help_text,
        "required": required,
        "options": list(options),
        "show_if": show_if,
        "topic": topic,
        "form_columns": dict(form_columns or {}),
    }
    validate_question(fields)
    question_id = new_id()
    with write_transaction(db):
        version = get_version(db, version_id)
        if version["status"] != "draft":
            raise InvalidInput("This version is published, so it cannot be changed. Start a new draft version instead.")
        last = db.execute(
            "SELECT COALESCE(MAX(position), 0) FROM question WHERE version_id = ?", [version_id]
        ).fetchone()[0]
        if position is None or position > last:
            position = last + 1
        else:
            db.execute(
                "UPDATE question SET position = position + 1 WHERE version_id = ? AND position >= ?",
                [version_id, position],
            )
        row = {
            **fields,
            "id": question_id,
            "version_id": version_id,
            "position": position,
            "lineage_id": lineage_id or new_id(),
            "updated_at": now(),
        }
        _insert_question_row(db, row)
        audit(db, actor, "add question", "question", question_id, None, row)
    return question_id


def get_question(db: Database, question_id: str) -> dict:
    """Return one question with options and show-if decoded, or raise NotFound."""
    rows = _rows(db, "SELECT * FROM question WHERE id = ?", [question_id])
    if not rows:
        raise NotFound("That question is not in the database.")
    return _decode_question(rows[0])


def questions_for_version(db: Database, version_id: str) -> list[dict]:
    """Return the questions of a version in order, with options and show-if decoded."""
    return [
        _decode_question(r)
        for r in _rows(db, "SELECT * FROM question WHERE version_id = ? ORDER BY position, name", [version_id])
    ]


def question_has_answers(db: Database, question_id: str) -> bool:
    """Return True when any interview has an answer row for this question."""
    return db.execute("SELECT 1 FROM answer WHERE question_id = ? LIMIT 1", [question_id]).fetchone() is not None


def update_question(db: Database, question_id: str, changes: dict, *, actor: str | None = None) -> dict:
    """Return the question after applying CHANGES; logs old and new values in the audit log."""
    unknown = set(changes) - set(QUESTION_FIELDS)
    if unknown:
        raise InvalidInput(f"These fields cannot be changed: {', '.join(sorted(unknown))}.")
    with write_transaction(db):
        old = get_question(db, question_id)
        version = get_version(db, old["version_id"])
        if version["status"] != "draft":
            raise InvalidInput("This version is published, so it cannot be changed. Start a new draft version instead.")
        new = {**old, **changes}
        validate_question(new)
        if (new["type"] != old["type"] or new["options"] != old["options"]) and question_has_answers(db, question_id):
            raise InvalidInput(
                "People have already answered this question, so its type and answer options "
                "cannot change. Start a new draft version to change them."
            )
        record = {key: new[key] for key in QUESTION_FIELDS}
        record["options"] = json.dumps(record["options"] or [], ensure_ascii=False)
        record["show_if"] = json.dumps(record["show_if"], ensure_ascii=False) if record["show_if"] else None
        record["required"] = int(bool(record["required"]))
        record["form_columns"] = json.dumps(record["form_columns"] or {}, ensure_ascii=False)
        record["updated_at"] = now()
        try:
            db["question"].update(question_id, record)
        except sqlite3.DatabaseError as exc:
            raise _friendly_integrity(exc) from exc
        changed_old = {k: old[k] for k in changes if old.get(k) != new.get(k)}
        changed_new = {k: new[k] for k in changes if old.get(k) != new.get(k)}
        if changed_new:
            audit(db, actor, "change question", "question", question_id, changed_old, changed_new)
    return get_question(db, question_id)


def delete_question(db: Database, question_id: str, *, actor: str | None = None) -> None:
    """Remove a question from a draft version and close the gap in positions."""
    with write_transaction(db):
        old = get_question(db, question_id)
        if get_version(db, old["version_id"])["status"] != "draft":
            raise InvalidInput("This version is published, so it cannot be changed. Start a new draft version instead.")
        if question_has_answers(db, question_id):
            raise InvalidInput("People have already answered this question, so it cannot be deleted.")
        db.execute("DELETE FROM question WHERE id = ?", [question_id])
        db.execute(
            "UPDATE question SET position = position - 1 WHERE version_id = ? AND position > ?",
            [old["version_id"], old["position"]],
        )
        audit(db, actor, "delete question", "question", question_id, old, None)


def move_question(db: Database, question_id: str, new_position: int, *, actor: str | None = None) -> None:
    """Move a question to NEW_POSITION (1 is first) in its draft version, shifting the others."""
    with write_transaction(db):
        question = get_question(db, question_id)
        version_id = question["version_id"]
        if get_version(db, version_id)["status"] != "draft":
            raise InvalidInput("This version is published, so it cannot be changed. Start a new draft version instead.")
        ids = [q["id"] for q in questions_for_version(db, version_id)]
        ids.remove(question_id)
        new_position = max(1, min(new_position, len(ids) + 1))
        ids.insert(new_position - 1, question_id)
        for position, qid in enumerate(ids, start=1):
            db.execute("UPDATE question SET position = ? WHERE id = ? AND position != ?", [position, qid, position])
        if new_position != question["position"]:
            audit(db, actor, "move question", "question", question_id,
                  {"position": question["position"]}, {"position": new_position})


# ---- people ---------------------------------------------------------------------------------


def add_person(db: Database, display_name: str, role: str, *, actor: str | None = None) -> str:
    """Return the id of a new person with a display name and role."""
    if not display_name or not display_name.strip():
        raise InvalidInput("Give a name to show for this person.")
    if role not in PERSON_ROLES:
        raise InvalidInput(f"{role!r} is not a role this tool knows.")
    person_id = new_id()
    row = {"id": person_id, "display_name": display_name.strip(), "role": role, "created_at": now()}
    with write_transaction(db):
        db["person"].insert(row)
        audit(db, actor, "add person", "person", person_id, None, row)
    return person_id


def list_people(db: Database, role: str | None = None) -> list[dict]:
    """Return people by name, optionally only those with ROLE."""
    if role:
        return _rows(db, "SELECT * FROM person WHERE role = ? ORDER BY display_name", [role])
    return _rows(db, "SELECT * FROM person ORDER BY display_name")


def get_person(db: Database, person_id: str) -> dict:
    """Return one person or raise NotFound."""
    rows = _rows(db, "SELECT * FROM person WHERE id = ?", [person_id])
    if not rows:
        raise NotFound("That person is not in the database.")
    return rows[0]


# ---- overview and bulk loading ----------------------------------------------------------------


def database_summary(db: Database) -> dict[str, int]:
    """Return counts of surveys, versions, questions, people, interviews and answers."""
    counts = {}
    for table in ("survey", "survey_version", "question", "person", "interview", "answer"):
        counts[table] = db.execute(f"SELECT COUNT(*) FROM [{table}]").fetchone()[0]
    counts["submitted_interviews"] = db.execute(
        "SELECT COUNT(*) FROM interview WHERE status = 'submitted'"
    ).fetchone()[0]
    counts["synthetic_interviews"] = db.execute(
        "SELECT COUNT(*) FROM interview WHERE synthetic = 1"
    ).fetchone()[0]
    return counts


def has_synthetic_interviews(db: Database) -> bool:
    """Return True when any interview is made-up demo data (a lookup that stops at the first)."""
    return db.execute("SELECT 1 FROM interview WHERE synthetic = 1 LIMIT 1").fetchone() is not None


def is_empty(db: Database) -> bool:
    """Return True when the database holds no surveys yet."""
    return db.execute("SELECT 1 FROM survey LIMIT 1").fetchone() is None


BULK_COLUMNS = {
    "interview": (
        "id", "version_id", "respondent_code", "interviewer_id", "consent", "status", "mode",
        "started_at", "finished_at", "seconds", "synthetic", "updated_at",
    ),
    "answer": (
        "id", "interview_id", "question_id", "value", "opt_out", "word_count", "needed_explaining",
        "reworded", "upsetting", "note", "seconds", "updated_at",
    ),
}


def bulk_insert(db: Database, table: str, rows: Iterable[Sequence[Any]]) -> int:
    """Insert many rows (tuples in BULK_COLUMNS order) in one transaction; return how many.

    Used for demo data and imports, where one executemany is far faster than row-by-row saves.
    """
    columns = BULK_COLUMNS[table]
    sql = f"INSERT INTO [{table}] ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})"
    with write_transaction(db):
        cursor = db.conn.executemany(sql, rows)
        return cursor.rowcount


__all__ = [
    "CHOICE_TYPES",
    "InvalidInput",
    "NotFound",
    "OPT_OUTS",
    "add_person",
    "add_question",
    "bulk_insert",
    "create_survey",
    "create_version",
    "database_summary",
    "delete_question",
    "get_person",
    "get_question",
    "get_version",
    "has_synthetic_interviews",
    "is_empty",
    "list_people",
    "list_surveys",
    "list_versions",
    "move_question",
    "question_has_answers",
    "questions_for_version",
    "set_version_status",
    "update_question",
    "validate_question",
    "validate_show_if",
]


def count_words(value: str | None) -> int:
    """Return the number of words in an open answer (0 for no answer)."""
    return len(value.split()) if value else 0
