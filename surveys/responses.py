"""Answers in and out: import a CSV or Excel file of answers, export a version's answers.

Import is all or nothing: every row is checked first, and one bad row means nothing is saved.
Export writes CSV (with a byte-order mark so Excel shows accents) or Excel, with a codebook,
masks personal details in open answers unless an admin asks for an identifiable export, and
makes every cell that a spreadsheet could run as a formula safe.
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import json
import os
import re
import unicodedata
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from surveys import downloads
from surveys.accounts import Actor, check_actor
from surveys.downloads import neutralise
from surveys.input_files import MAX_FILE_BYTES, check_input_file
from surveys.storage import StorageError, audit, erasure_key, now, write_transaction
from surveys.storage import core as store
from surveys.storage import transfer as transfer_store
from surveys.storage.core import InvalidInput

OPEN_TYPES = ("text", "long_text")
CHOICE_TYPES = ("single_choice", "scale", "yes_no")
# How a person who chose not to answer shows in a file, both ways.
OPT_OUT_CELLS = {
    "skipped": "(skipped)",
    "dont_know": "(don't know)",
    "prefer_not_to_say": "(prefer not to say)",
}
OPT_OUT_WORDS = {
    **{cell: code for code, cell in OPT_OUT_CELLS.items()},
    "skipped": "skipped",
    "dont_know": "dont_know",
    "prefer_not_to_say": "prefer_not_to_say",
}
# Columns about the interview rather than a question. Kobo and ODK exports add these.
INTERVIEW_ID_COLUMNS = ("interview_id", "_uuid", "meta/instanceID", "instanceID", "meta/rootUuid")
RESPONDENT_COLUMNS = ("respondent_code",)
START_COLUMNS = ("started_at", "start")
END_COLUMNS = ("finished_at", "end")
IGNORED_COLUMNS = (
    "interviewer", "status", "consent", "seconds", "today", "deviceid", "username", "simserial",
    "subscriberid", "phonenumber", "formhub/uuid", "__version__", "meta/deprecatedID",
)


class ImportFailed(InvalidInput):
    """An answers file with mistakes: nothing was saved. `.report` lists rows and reasons."""

    def __init__(self, report: ResponsesReport):
        self.report = report
        super().__init__(report.summary())


class ExportRefused(StorageError, PermissionError):
    """An export that this person may not make, told in plain words."""


@dataclass
class ResponsesReport:
    """What an answers import found: interviews and answers added, rows skipped, and problems."""

    file: str
    interviews_added: int = 0
    answers_added: int = 0
    already_here: int = 0
    problems: list[tuple[int, str]] = field(default_factory=list)  # (row number, reason)
    erased_rows: list[int] = field(default_factory=list)  # rows of people whose answers were erased

    def summary(self) -> str:
        """Return one plain sentence about the import."""
        if self.problems:
            shown = "; ".join(f"row {row}: {reason}" for row, reason in self.problems[:10])
            more = f" (and {len(self.problems) - 10} more)" if len(self.problems) > 10 else ""
            return (f"Nothing was imported from {self.file}, because {len(self.problems)} "
                    f"{'problem was' if len(self.problems) == 1 else 'problems were'} found: {shown}{more}.")
        skipped = f" {self.already_here} interviews were already here, so they were left alone." \
            if self.already_here else ""
        if self.erased_rows:
            rows = ", ".join(str(n) for n in self.erased_rows[:10])
            more = f" and {len(self.erased_rows) - 10} more" if len(self.erased_rows) > 10 else ""
            skipped += (f" Left out {len(self.erased_rows)} {'row' if len(self.erased_rows) == 1 else 'rows'} "
                        f"(row {rows}{more}): those people asked for their answers to be erased, so they "
                        "stay erased.")
        return (f"Imported {self.interviews_added} interviews with {self.answers_added} answers "
                f"from {self.file}.{skipped}")


# ---- reading a file -------------------------------------------------------------------------------


def _check_file(path: Path) -> None:
    check_input_file(path, what="the answers file", max_bytes=MAX_FILE_BYTES,
                     too_big_hint="Split it into smaller files.")


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, _dt.datetime):
        return value.isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_table(path: str | os.PathLike) -> tuple[list[str], list[list[str]]]:
    """Return (column names, rows of text cells) from a .csv, .xlsx or .xls file; raise InvalidInput."""
    path = Path(path)
    _check_file(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise InvalidInput(
                f"{path.name} is not saved as UTF-8 text, so its letters cannot be read safely. "
                "In Excel use Save As, and pick 'CSV UTF-8'."
            ) from None
        try:
            table = list(csv.reader(io.StringIO(text, newline="")))
        except csv.Error as exc:
            raise InvalidInput(f"{path.name} is not a proper CSV file: {exc}.") from exc
    elif suffix in (".xlsx", ".xlsm"):
        try:
            from openpyxl import load_workbook

            book = load_workbook(path, read_only=True, data_only=True)
            sheet = book.worksheets[0]
            table = [[_cell_text(c) for c in row] for row in sheet.iter_rows(values_only=True)]
            book.close()
        except Exception as exc:
            raise InvalidInput(f"{path.name} could not be read as an Excel file. It may be damaged.") from exc
    elif suffix == ".xls":
        try:
            import xlrd

            book = xlrd.open_workbook(str(path))
            sheet = book.sheet_by_index(0)
            table = []
            for r in range(sheet.nrows):
                row = []
                for c in range(sheet.ncols):
                    cell = sheet.cell(r, c)
                    if cell.ctype == xlrd.XL_CELL_DATE:
                        row.append(_cell_text(xlrd.xldate_as_datetime(cell.value, book.datemode)))
                    else:
                        row.append(_cell_text(cell.value))
                table.append(row)
        except Exception as exc:
            raise InvalidInput(f"{path.name} could not be read as an Excel file. It may be damaged.") from exc
    else:
        raise InvalidInput(f"{path.name} is not a file of answers. Use a .csv, .xlsx or .xls file.")
    table = [[_cell_text(c) for c in row] for row in table if any(_cell_text(c) for c in row)]
    if not table:
        raise InvalidInput(f"{path.name} has no rows. Pick the answers file again.")
    if len(table) < 2:
        raise InvalidInput(f"{path.name} has column names but no answers under them.")
    header = [h.strip() for h in table[0]]
    return header, table[1:]


# ---- checking values ------------------------------------------------------------------------------


def _slug(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def _option_lookup(question: dict, names: dict[str, str]) -> dict[str, str]:
    """Return {what a file may hold (label, choice name, made-up name), folded: option label}."""
    lookup: dict[str, str] = {}
    options = question["options"] or (["Yes", "No"] if question["type"] == "yes_no" else [])
    for label in options:
        for key in (label, names.get(label, ""), _slug(label)):
            if key:
                lookup.setdefault(key.casefold(), label)
    if question["type"] == "yes_no":
        by_fold = {o.casefold(): o for o in options}
        for word, meaning in (("1", "yes"), ("true", "yes"), ("y", "yes"), ("0", "no"), ("false", "no"),
                              ("n", "no")):
            if meaning in by_fold:
                lookup.setdefault(word, by_fold[meaning])
    return lookup


def _parse_date(text: str) -> str:
    text = text.strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"):
        try:
            return _dt.datetime.strptime(text[:10] if fmt == "%Y-%m-%d" else text, fmt).date().isoformat()
        except ValueError:
            continue
    raise ValueError


def check_value(question: dict, cell: str, lookup: dict[str, str]) -> tuple[str | None, str | None]:
    """Return (value, opt_out) to save for CELL under QUESTION, or raise ValueError with a reason."""
    kind = question["type"]
    folded = cell.casefold()
    if kind in CHOICE_TYPES or kind == "multiple_choice":
        if folded in lookup:
            value = lookup[folded]
            return (json.dumps([value], ensure_ascii=False) if kind == "multiple_choice" else value), None
    if folded in OPT_OUT_WORDS:
        return None, OPT_OUT_WORDS[folded]
    if kind in OPEN_TYPES:
        return cell, None
    if kind == "number":
        try:
            number = float(cell.replace(",", ""))
        except ValueError:
            raise ValueError(f"{cell!r} is not a number") from None
        if number != number or number in (float("inf"), float("-inf")):
            raise ValueError(f"{cell!r} is not a number")
        return (str(int(number)) if number.is_integer() else repr(number)), None
    if kind == "date":
        try:
            return _parse_date(cell), None
        except ValueError:
            raise ValueError(f"{cell!r} is not a date (write it like 2025-03-31 or 31/03/2025)") from None
    if kind == "note":
        raise ValueError("this is a note, so it takes no answer")
    if kind == "multiple_choice":
        if cell.startswith("["):
            try:
                parts = json.loads(cell)
            except json.JSONDecodeError:
                raise ValueError(f"{cell!r} is not a list of options") from None
            if not isinstance(parts, list):
                raise ValueError(f"{cell!r} is not a list of options")
        elif ";" in cell:
            parts = cell.split(";")
        else:
            parts = cell.split()  # KoboToolbox and ODK separate choice names with spaces
        chosen = []
        for part in (str(p).strip() for p in parts):
            if not part:
                continue
            if part.casefold() not in lookup:
                raise ValueError(f"{part!r} is not one of the options")
            label = lookup[part.casefold()]
            if label not in chosen:
                chosen.append(label)
        if not chosen:
            raise ValueError("no option was given")
        return json.dumps(chosen, ensure_ascii=False), None
    raise ValueError(f"{cell!r} is not one of the options")


def _match_columns(header: list[str], questions: list[dict]) -> tuple[dict[int, dict], dict[str, int], list[str]]:
    """Return (column index: question, meta column: index, unknown column names)."""
    by_name = {q["name"].casefold(): q for q in questions}
    multiple = {q["name"].casefold() for q in questions if q["type"] == "multiple_choice"}
    columns: dict[int, dict] = {}
    meta: dict[str, int] = {}
    unknown: list[str] = []
    seen: set[str] = set()
    for index, raw in enumerate(header):
        name = raw.strip()
        if not name:
            unknown.append(f"column {index + 1} (no name)")
            continue
        folded = name.casefold()
        if folded in seen:
            unknown.append(f"{name} (twice)")
            continue
        seen.add(folded)
        for role, names in (("id", INTERVIEW_ID_COLUMNS), ("respondent", RESPONDENT_COLUMNS),
                            ("start", START_COLUMNS), ("end", END_COLUMNS), ("synthetic", ("synthetic",))):
            if folded in (n.casefold() for n in names) and role not in meta:
                meta[role] = index
                break
        else:
            parts = folded.split("/")
            if folded in by_name:
                columns[index] = by_name[folded]
            elif parts[-1] in by_name:  # KoboToolbox puts group names in front: group/question
                columns[index] = by_name[parts[-1]]
            elif len(parts) >= 2 and parts[-2] in multiple:
                continue  # one 0/1 column per option of a multiple-choice question; the main column counts
            elif folded.startswith("_") or folded in IGNORED_COLUMNS:
                continue
            else:
                unknown.append(name)
    return columns, meta, unknown


def import_responses(db: Database, path: str | os.PathLike, version_id: str, actor: Actor) -> ResponsesReport:
    """Return the report of importing a file of answers into a version, all or nothing.

    Only an admin (ACTOR, checked again in the database) may import. Raises ImportFailed (with
    the report of row numbers and reasons) when any row is wrong; then nothing at all is saved.
    Interviews already here (same id) are left alone, and rows of a person whose answers were
    erased (started before the erasure) are left out and counted in the report.
    """
    actor = check_actor(db, actor, "admin")
    path = Path(path)
    version = store.get_version(db, version_id)
    header, rows = read_table(path)
    questions = store.questions_for_version(db, version["id"])
    report = ResponsesReport(file=path.name)
    columns, meta, unknown = _match_columns(header, questions)
    if unknown:
        report.problems.append((1, "these columns are not questions in this version: " + ", ".join(unknown)))
        raise ImportFailed(report)
    if not columns:
        report.problems.append((1, "no column has the name of a question in this version"))
        raise ImportFailed(report)
    lookups = {q["id"]: _option_lookup(q, transfer_store.choice_names(db, q["lineage_id"])) for q in questions}
    erased: dict[str, str] = {}
    for key, when in transfer_store.erasures(db):
        erased[key] = max(erased.get(key, ""), when)
    stamp = now()
    interviews, answers, ids_in_file = [], [], {}
    for number, row in enumerate(rows, start=2):
        row = row + [""] * (len(header) - len(row))
        if len(row) > len(header) and any(row[len(header):]):
            report.problems.append((number, "it has more cells than the file has column names"))
            continue
        interview_id = _interview_id(row[meta["id"]] if "id" in meta else "")
        if interview_id is None:
            report.problems.append((number, f"{row[meta['id']]!r} is not a proper interview id"))
            continue
        if interview_id in ids_in_file:
            report.problems.append((number, f"it has the same interview id as row {ids_in_file[interview_id]}"))
            continue
        ids_in_file[interview_id] = number
        respondent = (row[meta["respondent"]] if "respondent" in meta else "") or f"IMPORT-{number - 1:05d}"
        started = _when(row[meta["start"]]) if "start" in meta else None
        if "respondent" in meta and erasure_key(respondent) in erased \
                and (started is None or started <= erased[erasure_key(respondent)]):
            # An answers file made before an erasure must not bring the person back. An
            # interview that started after the erasure is a new one, and comes in.
            report.erased_rows.append(number)
            continue
        finished = _when(row[meta["end"]]) if "end" in meta else None
        # Made-up demo interviews stay marked as made up when they come back in.
        synthetic = int("synthetic" in meta and row[meta["synthetic"]].strip().lower() in ("yes", "1", "true"))
        row_answers = []
        for index, question in columns.items():
            cell = row[index]
            if not cell:
                continue
            try:
                value, opt_out = check_value(question, cell, lookups[question["id"]])
            except ValueError as exc:
                report.problems.append((number, f"{question['name']}: {exc}"))
                continue
            words = store.count_words(value) if question["type"] in OPEN_TYPES else 0
            row_answers.append((str(uuid.uuid4()), interview_id, question["id"], value, opt_out, words,
                                0, 0, 0, "", None, stamp))
        interviews.append((interview_id, version["id"], respondent, None, "given", "submitted", "import",
                           started or stamp, finished or started or stamp, None, synthetic, stamp))
        answers.extend(row_answers)
    if report.problems:
        raise ImportFailed(report)
    already = transfer_store.existing_interview_ids(db, [i[0] for i in interviews])
    new_interviews = [i for i in interviews if i[0] not in already]
    new_answers = [a for a in answers if a[1] not in already]
    report.already_here = len(already)
    with write_transaction(db):
        store.bulk_insert(db, "interview", new_interviews)
        store.bulk_insert(db, "answer", new_answers)
        report.interviews_added, report.answers_added = len(new_interviews), len(new_answers)
        audit(db, actor.name, "import answers", "survey_version", version["id"], None,
              {"file": path.name, "interviews": len(new_interviews), "answers": len(new_answers),
               "already_here": len(already), "left_out_erased": len(report.erased_rows)})
    return report


def _interview_id(text: str) -> str | None:
    text = text.strip()
    if not text:
        return str(uuid.uuid4())
    if text.lower().startswith("uuid:"):
        text = text[5:]
    try:
        return str(uuid.UUID(text))
    except ValueError:
        return None


def _when(text: str) -> str | None:
    text = text.strip()
    if not text:
        return None
    try:
        moment = _dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=_dt.timezone.utc)
    return moment.astimezone(_dt.timezone.utc).isoformat()


# ---- writing a file -------------------------------------------------------------------------------


def _privacy():
    """Return the privacy module, imported late so a missing one stops an export, never the app."""
    try:
        from surveys import privacy
    except ImportError as exc:
        raise ExportRefused(
            "The part of the tool that hides names, phone numbers and addresses is missing, so answers "
            "cannot be exported safely yet."
        ) from exc
    return privacy


@dataclass
class ExportResult:
    """Where an export was written, its codebook, and how many interviews and answers it holds."""

    path: Path
    codebook_path: Path | None
    interviews: int
    answers: int
    identifiable: bool


def answer_table(db: Database, version_id: str, *, identifiable: bool = False) -> tuple[list[str], list[list[Any]]]:
    """Return (header, rows) of a version's answers, one row per interview, open answers masked.

    Rows hold raw values: neutralising for spreadsheets happens when a file is written.
    """
    questions = store.questions_for_version(db, version_id)
    asked = [q for q in questions if q["type"] != "note"]
    header = ["interview_id", "respondent_code", "interviewer", "status", "consent", "started_at",
              "finished_at", "synthetic"] + [q["name"] for q in asked]
    position = {q["id"]: 8 + i for i, q in enumerate(asked)}
    kinds = {q["id"]: q["type"] for q in asked}
    rows: dict[str, list[Any]] = {}
    for interview in transfer_store.interviews_for_export(db, version_id):
        rows[interview["id"]] = [
            interview["id"], interview["respondent_code"], interview["interviewer"], interview["status"],
            interview["consent"], interview["started_at"], interview["finished_at"] or "",
            "yes" if interview["synthetic"] else "no",
        ] + [""] * len(asked)
    found = transfer_store.answers_for_export(db, version_id)
    # Masks are worked out once per answer and stored (surveys/privacy.py); only answers not read
    # yet are masked here, in one batch.
    masked = {} if identifiable else _privacy().stored_masks_for_version(db, version_id, [
        value for _, question_id, value, opt_out in found
        if kinds.get(question_id) in OPEN_TYPES and value and not opt_out])
    for interview_id, question_id, value, opt_out in found:
        if question_id not in position or interview_id not in rows:
            continue
        kind = kinds[question_id]
        if opt_out:
            cell: Any = OPT_OUT_CELLS.get(opt_out, opt_out)
        elif value is None:
            cell = ""
        elif kind == "multiple_choice":
            try:
                cell = "; ".join(json.loads(value))
            except (json.JSONDecodeError, TypeError):
                cell = value
        elif kind in OPEN_TYPES:
            cell = masked.get(value, value)
        elif kind == "number":
            try:
                number = float(value)
                cell = int(number) if number.is_integer() else number
            except ValueError:
                cell = value
        else:
            cell = value
        rows[interview_id][position[question_id]] = cell
    return header, list(rows.values())


def codebook_table(db: Database, version_id: str) -> tuple[list[str], list[list[str]]]:
    """Return (header, rows) describing each question: name, wording, type, options, lineage."""
    header = ["name", "wording", "type", "options", "required", "show_if", "topic", "lineage_id"]
    rows = []
    for q in store.questions_for_version(db, version_id):
        rows.append([q["name"], q["wording"], q["type"], "; ".join(q["options"]),
                     "yes" if q["required"] else "no",
                     json.dumps(q["show_if"], ensure_ascii=False) if q["show_if"] else "",
                     q["topic"], q["lineage_id"]])
    return header, rows


def export_responses(
    db: Database,
    version_id: str,
    out_path: str | os.PathLike,
    *,
    identifiable: bool = False,
    actor: Actor | str | None = None,
) -> ExportResult:
    """Return where a version's answers were written: .csv (plus a codebook CSV beside it) or .xlsx.

    Open answers are masked unless IDENTIFIABLE, which needs ACTOR to be an admin Actor (checked
    again in the database) and is logged as an identifiable export. A masked export logs ACTOR's
    name (an Actor or, on the command line, a name). Every cell is made safe for spreadsheets.
    """
    out_path = Path(out_path)
    suffix = out_path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise InvalidInput("Save answers as a .csv or .xlsx file (the name must end in .csv or .xlsx).")
    if identifiable and not _privacy().can_see_personal_details(db, actor):
        raise ExportRefused("Only an admin can export answers with names and other personal details left in. "
                            "Ask your admin, or export with the details hidden.")
    name = actor.name if isinstance(actor, Actor) else (actor or "")
    if not out_path.parent.exists():
        raise InvalidInput(f"The folder {out_path.parent} does not exist.")
    version = store.get_version(db, version_id)
    header, rows = answer_table(db, version["id"], identifiable=identifiable)
    book_header, book_rows = codebook_table(db, version["id"])
    codebook_path = None
    if suffix == ".csv":
        codebook_path = out_path.with_name(out_path.stem + "_codebook.csv")
        downloads.write_csv(out_path, header, rows)
        downloads.write_csv(codebook_path, book_header, book_rows)
    else:
        downloads.write_xlsx(out_path, [("Answers", header, rows), ("Codebook", book_header, book_rows)])
    answers = sum(1 for row in rows for cell in row[8:] if cell != "")
    with write_transaction(db):
        if identifiable:
            _privacy().record_identifiable_export(
                db, actor, f"answers of {version['survey_name']} {version['label']} to {out_path.name}", len(rows))
        audit(db, name, "export answers", "survey_version", version["id"], None,
              {"file": out_path.name, "interviews": len(rows), "identifiable": identifiable})
    return ExportResult(out_path, codebook_path, len(rows), answers, identifiable)


__all__ = [
    "ExportRefused",
    "ExportResult",
    "ImportFailed",
    "MAX_FILE_BYTES",
    "ResponsesReport",
    "answer_table",
    "check_value",
    "codebook_table",
    "export_responses",
    "import_responses",
    "neutralise",
    "read_table",
]
