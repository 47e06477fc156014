"""XLSForm in and out: the shared form format of KoboToolbox and ODK.

pyxform reads and checks the file, so a form we accept is one those tools accept too. We then
turn its questions into ours, and list in an import report everything we could not take:
rows of kinds we cannot ask, show-if rules we cannot express, groups we flattened.
"""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from surveys.input_files import MAX_FILE_BYTES, check_input_file
from surveys.storage import audit, write_transaction
from surveys.storage import core as store
from surveys.storage import transfer as transfer_store
from surveys.storage.core import InvalidInput

FORM_SUFFIXES = (".xlsx", ".xls", ".xlsm")

# pyxform's own names for the question types we can ask, and ours for each.
TYPE_MAP = {
    "text": "text",
    "integer": "number",
    "decimal": "number",
    "date": "date",
    "note": "note",
    "select one": "single_choice",
    "select all that apply": "multiple_choice",
}
TRUE_WORDS = ("yes", "true", "true()", "1")


class XLSFormError(InvalidInput):
    """A form that cannot be imported or exported, with a plain reason. Nothing was saved."""


class RuleNotConverted(ValueError):
    """A `relevant` rule that cannot become a show-if rule, with the reason in plain words."""


@dataclass
class ReportRow:
    """One line of an import report: the spreadsheet row, the question name and what happened."""

    row: int | None
    name: str
    reason: str

    def sentence(self) -> str:
        """Return the line as a plain sentence."""
        where = f"Row {self.row}" if self.row else "A row"
        named = f" ({self.name})" if self.name else ""
        return f"{where}{named}: {self.reason}"


@dataclass
class ImportReport:
    """What an XLSForm import did: the new survey, questions taken, and everything not taken."""

    survey_id: str
    version_id: str
    survey_name: str
    questions: list[str] = field(default_factory=list)
    not_taken: list[ReportRow] = field(default_factory=list)
    rules_not_converted: list[ReportRow] = field(default_factory=list)
    changes: list[ReportRow] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    checks: dict[str, dict] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        """Return the report as plain sentences, most important first."""
        out = [f"Made the survey {self.survey_name!r} with {len(self.questions)} questions, as a draft."]
        out += [r.sentence() for r in self.not_taken]
        out += [r.sentence() for r in self.rules_not_converted]
        out += [r.sentence() for r in self.changes]
        if self.groups:
            out.append("These groups were taken apart so their questions sit in one list: "
                       + ", ".join(self.groups) + ". Each question keeps its group as its topic.")
        out += self.notes
        return out


# ---- relevant to show-if --------------------------------------------------------------------------

_REF = r"\$\{([A-Za-z_][\w.\-]*)\}"
_VALUE = r"(?:'([^']*)'|\"([^\"]*)\"|(-?\d+(?:\.\d+)?))"
_COMPARE = re.compile(rf"^{_REF}\s*(=|!=|>=|<=|>|<)\s*{_VALUE}$")
_SELECTED = re.compile(rf"^selected\(\s*{_REF}\s*,\s*{_VALUE}\s*\)$")
_NOT_SELECTED = re.compile(rf"^not\(\s*selected\(\s*{_REF}\s*,\s*{_VALUE}\s*\)\s*\)$")
_PARENT_REF = re.compile(r"(?<![\w/])\.\./([A-Za-z_][\w.\-]*)")


def _split_top_level(expr: str) -> tuple[list[str], set[str]]:
    """Return the parts of EXPR split on `and` / `or` outside quotes and brackets, and the joiners."""
    parts, joiners, depth, quote, start, i = [], set(), 0, "", 0, 0
    while i < len(expr):
        ch = expr[i]
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif depth == 0:
            match = re.match(r"\s+(and|or)\s+", expr[i:])
            if match:
                parts.append(expr[start:i].strip())
                joiners.add(match.group(1))
                i += match.end()
                start = i
                continue
        i += 1
    parts.append(expr[start:].strip())
    return parts, joiners


def _atom(text: str) -> tuple[str, str, str]:
    """Return (question, operator, value) for one simple condition, or raise RuleNotConverted."""
    text = text.strip()
    while text.startswith("(") and text.endswith(")") and _split_top_level(text[1:-1])[1] == set():
        inner = text[1:-1].strip()
        if inner.count("(") != inner.count(")"):
            break
        text = inner
    for pattern, operator in ((_SELECTED, "selected"), (_NOT_SELECTED, "not_selected")):
        match = pattern.match(text)
        if match:
            value = next(v for v in match.groups()[1:] if v is not None)
            return match.group(1), operator, value
    match = _COMPARE.match(text)
    if match:
        name, op = match.group(1), match.group(2)
        value = next(v for v in match.groups()[2:] if v is not None)
        return name, op, value
    raise RuleNotConverted(f"the part {text!r} is not a simple rule this tool can read")


def relevant_to_show_if(expr: str, whole_number_questions: frozenset[str] | set[str] = frozenset()) -> dict:
    """Return the show-if rule for an XLSForm `relevant` expression, or raise RuleNotConverted.

    Simple forms are read: ${q} = 'v', ${q} != 'v', selected(${q}, 'v'), not(selected(...)),
    number comparisons, and these joined by `and` or `or` when they all look at one question
    and the join means "any of" or "none of". Values stay as written (choice names).
    `>=` and `<=` only convert for questions in WHOLE_NUMBER_QUESTIONS (at least 5 is more than 4).
    """
    if not expr or not expr.strip():
        raise RuleNotConverted("the rule is empty")
    expr = _PARENT_REF.sub(lambda m: "${" + m.group(1) + "}", expr.strip())
    parts, joiners = _split_top_level(expr)
    if len(joiners) > 1:
        raise RuleNotConverted("it mixes `and` with `or`, and a show-if rule can only do one of them")
    atoms = [_atom(p) for p in parts]
    questions = {a[0] for a in atoms}
    if len(questions) > 1:
        raise RuleNotConverted("it looks at more than one question, and a show-if rule can only look at one")
    question = atoms[0][0]
    if len(atoms) == 1:
        _, op, value = atoms[0]
        if op in ("=",):
            return {"question": question, "operator": "equals", "values": [value]}
        if op == "!=":
            if value == "":
                return {"question": question, "operator": "answered", "values": []}
            return {"question": question, "operator": "not_equals", "values": [value]}
        if op == "selected":
            return {"question": question, "operator": "any_of", "values": [value]}
        if op == "not_selected":
            return {"question": question, "operator": "none_of", "values": [value]}
        if op in (">", "<"):
            _number(value)
            return {"question": question, "operator": "greater_than" if op == ">" else "less_than",
                    "values": [value]}
        if op in (">=", "<="):
            number = _number(value)
            if question not in whole_number_questions or number != int(number):
                raise RuleNotConverted(
                    f"'{op}' (at least or at most) only converts for whole-number questions"
                )
            shifted = int(number) - 1 if op == ">=" else int(number) + 1
            return {"question": question, "operator": "greater_than" if op == ">=" else "less_than",
                    "values": [str(shifted)]}
    joiner = joiners.pop()
    ops = {a[1] for a in atoms}
    values = [a[2] for a in atoms]
    if joiner == "or" and ops <= {"=", "selected"}:
        return {"question": question, "operator": "any_of", "values": values}
    if joiner == "and" and ops <= {"!=", "not_selected"} and "" not in values:
        return {"question": question, "operator": "none_of", "values": values}
    raise RuleNotConverted(f"a show-if rule cannot join these parts with `{joiner}`")


def _number(value: str) -> float:
    try:
        return float(value)
    except ValueError:
        raise RuleNotConverted(f"{value!r} is not a number, so it cannot be compared") from None


# ---- reading a form -----------------------------------------------------------------------------


def _check_file(path: Path) -> None:
    check_input_file(path, what="the form file", error=XLSFormError, max_bytes=MAX_FILE_BYTES)
    if path.suffix.lower() not in FORM_SUFFIXES:
        raise XLSFormError(f"{path.name} is not a spreadsheet. A form must be an .xlsx or .xls file.")


def _plain_pyxform_error(exc: Exception) -> str:
    text = str(exc).strip()
    return f"This form has a mistake, so nothing was imported. The form checker says: {text}"


def read_xlsform(path: str | os.PathLike) -> tuple[dict, list[dict]]:
    """Return (pyxform's reading of the form, the raw survey sheet rows); raise XLSFormError."""
    from pyxform.builder import create_survey_element_from_dict
    from pyxform.errors import PyXFormError
    from pyxform.xls2json import workbook_to_json
    from pyxform.xls2json_backends import get_xlsform

    path = Path(path)
    _check_file(path)
    try:
        data = get_xlsform(str(path))
    except PyXFormError as exc:
        raise XLSFormError(f"{path.name} could not be read as a spreadsheet form.") from exc
    except Exception as exc:  # xlrd and openpyxl raise many kinds on damaged files
        raise XLSFormError(f"{path.name} could not be read as a spreadsheet form. It may be damaged.") from exc
    sheets = [str(s).strip().lower() for s in (data.sheet_names or [])]
    if "survey" not in sheets or not data.survey:
        found = ", ".join(repr(s) for s in (data.sheet_names or [])) or "none"
        raise XLSFormError(
            f"{path.name} has no sheet called 'survey' with questions on it (sheets found: {found}). "
            "An XLSForm needs a 'survey' sheet, and a 'choices' sheet for choice questions."
        )
    try:
        form = workbook_to_json(data, fallback_form_name=data.fallback_form_name, warnings=[])
        create_survey_element_from_dict(form)
    except PyXFormError as exc:
        raise XLSFormError(_plain_pyxform_error(exc)) from exc
    except Exception as exc:
        raise XLSFormError(_plain_pyxform_error(exc)) from exc
    return form, list(data.survey)


def _pick_text(value: Any, language: str) -> str:
    """Return the text in LANGUAGE (else the default, else the first language) of a label or hint."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, dict):
        for key in (language, "default"):
            if key in value:
                return _pick_text(value[key], language)
        for key, item in value.items():
            if key not in ("image", "audio", "video", "big-image"):
                text = _pick_text(item, language)
                if text:
                    return text
    return ""


def _row_numbers(raw_rows: list[dict]) -> dict[str, int]:
    """Return {name: spreadsheet row number}: the header is row 1, so the first question is row 2."""
    numbers: dict[str, int] = {}
    for index, row in enumerate(raw_rows):
        name = str(row.get("name", "")).strip()
        if name and name not in numbers:
            numbers[name] = index + 2
    return numbers


def _clean_name(name: str, taken: set[str]) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9_]", "_", name)[:60] or "question"
    if not re.match(r"[A-Za-z_]", cleaned):
        cleaned = "q_" + cleaned
    candidate, n = cleaned, 2
    while candidate.casefold() in taken:
        candidate, n = f"{cleaned}_{n}", n + 1
    return candidate


@dataclass
class _Pending:
    row: int | None
    form_name: str
    fields: dict
    relevant: str
    choice_names: dict[str, str]
    whole_number: bool


def _collect(form: dict, raw_rows: list[dict], report: ImportReport) -> list[_Pending]:
    """Return the questions to make, walking groups; note in REPORT every row not taken."""
    language = str(form.get("default_language") or "default")
    rows = _row_numbers(raw_rows)
    pending: list[_Pending] = []
    taken_names: set[str] = set()

    def walk(children: list[dict], topic: str, group_relevant: str) -> None:
        for node in children:
            kind = node.get("type", "")
            name = str(node.get("name", ""))
            row = rows.get(name)
            bind = node.get("bind") or {}
            if kind in ("group", "repeat"):
                if name == "meta" and (node.get("control") or {}).get("bodyless"):
                    continue  # pyxform adds this hidden group itself; it was never a row
                label = _pick_text(node.get("label"), language) or name
                report.groups.append(label)
                if kind == "repeat":
                    report.changes.append(ReportRow(row, name, "this block repeats in the form; here its "
                                                                "questions are asked once."))
                relevant = bind.get("relevant", "") or group_relevant
                if bind.get("relevant") and group_relevant:
                    report.rules_not_converted.append(ReportRow(row, name, "this group is inside another group "
                                                                "with its own rule; only the inner rule was kept."))
                walk(node.get("children") or [], label, relevant)
                continue
            if kind not in TYPE_MAP:
                report.not_taken.append(ReportRow(row, name, f"the question type {kind!r} is not one this tool "
                                                             "can ask, so it was left out."))
                continue
            wording = _pick_text(node.get("label"), language)
            if not wording:
                report.not_taken.append(ReportRow(row, name, "it has no words to show, so it was left out."))
                continue
            our_type = TYPE_MAP[kind]
            appearance = str((node.get("control") or {}).get("appearance", ""))
            if our_type == "text" and "multiline" in appearance:
                our_type = "long_text"
            options, names = [], {}
            if our_type in ("single_choice", "multiple_choice"):
                seen: set[str] = set()
                for choice in node.get("choices") or []:
                    label = _pick_text(choice.get("label"), language) or str(choice.get("name", ""))
                    if label.casefold() in seen:
                        report.changes.append(ReportRow(row, name, f"the option {label!r} was listed twice; "
                                                                   "it is kept once."))
                        continue
                    seen.add(label.casefold())
                    options.append(label)
                    names[label] = str(choice.get("name", ""))
                if node.get("choice_filter"):
                    report.changes.append(ReportRow(row, name, "its options were filtered by an earlier answer "
                                                               "in the form; here all options are shown."))
                if our_type == "single_choice" and "likert" in appearance:
                    our_type = "scale"
                elif our_type == "single_choice" and sorted(o.casefold() for o in options) == ["no", "yes"]:
                    our_type = "yes_no"
            help_text = _pick_text(node.get("hint"), language)
            constraint = str(bind.get("constraint", "") or "").strip()
            if constraint:
                message = _pick_text(bind.get("jr:constraintMsg"), language)
                rule = message or f"Form rule: {constraint}"
                help_text = f"{help_text}\n{rule}".strip()
                report.changes.append(ReportRow(row, name, f"its answer rule ({constraint}) is kept as words "
                                                           "in the help text, not checked."))
            required_raw = str(bind.get("required", "") or "").strip()
            required = required_raw.lower() in TRUE_WORDS
            if required_raw and not required and required_raw.lower() not in ("no", "false", "false()", "0"):
                report.rules_not_converted.append(ReportRow(row, name, f"it must be answered only sometimes "
                                                                       f"({required_raw}); here it is optional."))
            new_name = _clean_name(name, taken_names)
            taken_names.add(new_name.casefold())
            if new_name != name:
                report.changes.append(ReportRow(row, name, f"its name was changed to {new_name!r}, because names "
                                                           "here use only letters, numbers and _ and must differ."))
            fields = {"name": new_name, "type": our_type, "wording": wording, "help_text": help_text,
                      "required": required and our_type != "note", "options": options, "show_if": None,
                      "topic": topic}
            try:
                store.validate_question(fields)
            except InvalidInput as exc:
                report.not_taken.append(ReportRow(row, name, f"it was left out: {exc}"))
                continue
            pending.append(_Pending(row, name, fields, str(bind.get("relevant", "") or group_relevant or ""),
                                    names, kind == "integer"))

    walk(form.get("children") or [], "", "")
    return pending


def _convert_rules(pending: list[_Pending], report: ImportReport) -> None:
    """Turn each question's `relevant` into a show-if rule, using our names and option labels."""
    by_form_name = {p.form_name: p for p in pending}
    whole = {p.form_name for p in pending if p.whole_number}
    for item in pending:
        if not item.relevant:
            continue
        try:
            rule = relevant_to_show_if(item.relevant, whole)
            target = by_form_name.get(rule["question"])
            if target is None:
                raise RuleNotConverted(f"the question it looks at ({rule['question']}) was not imported")
            labels = {name: label for label, name in target.choice_names.items()}
            values = [labels.get(v, v) for v in rule["values"]]
            if target.choice_names and any(v not in target.fields["options"] for v in values):
                raise RuleNotConverted("it names an option the question does not have")
            item.fields["show_if"] = {"question": target.fields["name"], "operator": rule["operator"],
                                      "values": values}
        except RuleNotConverted as exc:
            report.rules_not_converted.append(ReportRow(
                item.row, item.form_name,
                f"its rule for when to ask it ({item.relevant}) was not converted: {exc}. "
                "The question is always asked; add a show-if rule by hand if you need one."))


def import_xlsform(db: Database, path: str | os.PathLike, actor: str | None) -> ImportReport:
    """Return the report of importing an XLSForm as a new survey with one draft version.

    The whole form is read and checked first; then everything is saved in one transaction, so
    a form with a mistake changes nothing.
    """
    path = Path(path)
    form, raw_rows = read_xlsform(path)
    title = str(form.get("title") or path.stem).strip() or path.stem
    report = ImportReport(survey_id="", version_id="", survey_name=title)
    pending = _collect(form, raw_rows, report)
    if not pending:
        raise XLSFormError(f"{path.name} has no questions this tool can ask, so nothing was imported.")
    _convert_rules(pending, report)
    with write_transaction(db):
        survey_id = store.create_survey(db, title, f"Imported from the form file {path.name}.", actor=actor)
        version_id = store.create_version(db, survey_id, f"Imported from {path.name}", actor=actor)
        for position, item in enumerate(pending, start=1):
            question_id = store.add_question(db, version_id, **item.fields, position=position, actor=actor)
            if item.choice_names and any(label != code for label, code in item.choice_names.items()):
                lineage = store.get_question(db, question_id)["lineage_id"]
                transfer_store.save_choice_names(db, lineage, item.choice_names, actor)
            report.questions.append(item.fields["name"])
        audit(db, actor, "import form", "survey_version", version_id, None,
              {"file": path.name, "questions": len(pending), "not_taken": len(report.not_taken),
               "rules_not_converted": len(report.rules_not_converted)})
    report.survey_id, report.version_id = survey_id, version_id
    _check_wording(db, version_id, report)
    return report


def _check_wording(db: Database, version_id: str, report: ImportReport) -> None:
    """Run the question checker on the new questions at once and keep its scores in the report."""
    questions = store.questions_for_version(db, version_id)
    try:
        from surveys.checks import get_checker

        checker = get_checker()
        results = checker.check_many([(q["wording"], q["options"] or None) for q in questions])
    except Exception as exc:  # the checker is optional here: the import itself has worked
        report.notes.append("The wording checker could not run, so check the wording on the Design page.")
        return
    for question, result in zip(questions, results):
        report.checks[question["name"]] = {
            "score": result.score,
            "flags": [flag.message for flag in result.flags],
        }
    flagged = sum(1 for c in report.checks.values() if c["flags"])
    report.notes.append(f"The wording checker looked at every question: {flagged} may need another look.")


# ---- writing a form -------------------------------------------------------------------------------


def _slug(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def _choice_codes(options: list[str], known: dict[str, str]) -> dict[str, str]:
    """Return {option label: choice name}, reusing names kept from an import."""
    codes, used = {}, set()
    for index, label in enumerate(options, start=1):
        code = known.get(label) or _slug(label) or f"option_{index}"
        if not re.match(r"^[A-Za-z_0-9][\w.\-]*$", code):
            code = _slug(code) or f"option_{index}"
        base, n = code, 2
        while code in used:
            code, n = f"{base}_{n}", n + 1
        used.add(code)
        codes[label] = code
    return codes


def _quote(value: str) -> str:
    return f'"{value}"' if "'" in value else f"'{value}'"


def show_if_to_relevant(show_if: dict, target: dict, codes: dict[str, str]) -> str:
    """Return the XLSForm `relevant` expression for a show-if rule on question TARGET."""
    ref = "${" + target["name"] + "}"
    op, values = show_if["operator"], list(show_if.get("values") or [])
    if op == "answered":
        return f"{ref} != ''"
    numeric = target["type"] == "number"

    def literal(value: str) -> str:
        if numeric:
            try:
                float(value)
                return str(value)
            except ValueError:
                pass
        return _quote(codes.get(value, value))

    if op in ("greater_than", "less_than"):
        return f"{ref} {'>' if op == 'greater_than' else '<'} {values[0]}"
    if target["type"] == "multiple_choice":
        if op in ("equals", "any_of"):
            return " or ".join(f"selected({ref}, {literal(v)})" for v in values)
        return " and ".join(f"not(selected({ref}, {literal(v)}))" for v in values)
    if op in ("equals", "any_of"):
        return " or ".join(f"{ref} = {literal(v)}" for v in values)
    return " and ".join(f"{ref} != {literal(v)}" for v in values)


def export_xlsform(db: Database, version_id: str, out_path: str | os.PathLike) -> Path:
    """Return the path of an .xlsx XLSForm of the version, checked by converting it with pyxform.

    Questions of one topic sit in a group labelled with the topic, so the topic comes back on
    import. Choice names kept from an earlier import are reused; others are made from labels.
    """
    from openpyxl import Workbook
    from pyxform.xls2xform import convert

    out_path = Path(out_path)
    if out_path.suffix.lower() != ".xlsx":
        raise XLSFormError("Save the form as an .xlsx file (the name must end in .xlsx).")
    version = store.get_version(db, version_id)
    questions = store.questions_for_version(db, version_id)
    if not questions:
        raise XLSFormError("This version has no questions yet, so there is no form to save.")
    by_name = {q["name"]: q for q in questions}
    codes = {q["name"]: _choice_codes(q["options"], transfer_store.choice_names(db, q["lineage_id"]))
             for q in questions}
    book = Workbook()
    survey = book.active
    survey.title = "survey"
    survey.append(["type", "name", "label", "hint", "required", "relevant", "appearance"])
    choices = book.create_sheet("choices")
    choices.append(["list_name", "name", "label"])
    group_names: set[str] = set()
    open_topic = ""
    for question in questions:
        topic = question["topic"] or ""
        if topic != open_topic:
            if open_topic:
                survey.append(["end_group"])
            if topic:
                base = (_slug(topic) or "group") + "_group"
                group, n = base, 2
                while group in group_names or group in by_name:
                    group, n = f"{base}_{n}", n + 1
                group_names.add(group)
                survey.append(["begin_group", group, topic])
            open_topic = topic
        kind, appearance = _xls_type(question)
        relevant = ""
        rule = question["show_if"]
        if rule and rule.get("question") in by_name:
            relevant = show_if_to_relevant(rule, by_name[rule["question"]], codes[rule["question"]])
        survey.append([kind, question["name"], question["wording"], question["help_text"] or "",
                       "yes" if question["required"] and question["type"] != "note" else "",
                       relevant, appearance])
        if question["type"] in ("single_choice", "multiple_choice", "scale", "yes_no"):
            for label in question["options"]:
                choices.append([question["name"], codes[question["name"]][label], label])
    if open_topic:
        survey.append(["end_group"])
    settings = book.create_sheet("settings")
    settings.append(["form_title", "form_id", "version"])
    settings.append([version["survey_name"], _slug(version["survey_name"])[:40] or "survey",
                     str(version["number"])])
    if not out_path.parent.exists():
        raise XLSFormError(f"The folder {out_path.parent} does not exist.")
    for sheet in (survey, choices, settings):
        for row in sheet.iter_rows():
            for cell in row:
                # openpyxl stores text starting with "=" as a formula; a form holds words only.
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cell.data_type = "s"
    book.save(out_path)
    try:
        convert(str(out_path), warnings=[])
    except Exception as exc:
        out_path.unlink(missing_ok=True)
        raise XLSFormError(f"The form could not be made for KoboToolbox or ODK: {exc}") from exc
    return out_path


def _xls_type(question: dict) -> tuple[str, str]:
    kind = question["type"]
    name = question["name"]
    if kind == "text":
        return "text", ""
    if kind == "long_text":
        return "text", "multiline"
    if kind == "number":
        return "decimal", ""
    if kind == "date":
        return "date", ""
    if kind == "note":
        return "note", ""
    if kind == "multiple_choice":
        return f"select_multiple {name}", ""
    if kind == "scale":
        return f"select_one {name}", "likert"
    return f"select_one {name}", ""


__all__ = [
    "ImportReport",
    "MAX_FILE_BYTES",
    "ReportRow",
    "RuleNotConverted",
    "XLSFormError",
    "export_xlsform",
    "import_xlsform",
    "read_xlsform",
    "relevant_to_show_if",
    "show_if_to_relevant",
]
