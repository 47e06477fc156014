"""XLSForm in and out: the spreadsheet form format of KoboToolbox and ODK, with nothing lost silently.

pyxform reads and checks the file, so a form we accept is one those tools accept too. We then
walk the user's own rows (so every report line names a row of their file) and turn what we can
ask into questions: wording, help text and options in every language, show-if rules (a group's
rule joined with each question's own). Everything else is kept, not dropped: columns such as
appearance or constraint stay with their question, rows we cannot ask (calculate, geopoint,
start...) and the settings sheet stay with the version, and export writes all of it back.
The import report names everything that works differently here.
"""

from __future__ import annotations

import os
import re
import unicodedata
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from surveys.input_files import MAX_FILE_BYTES, check_input_file
from surveys.languages import checked_languages_note, language_name, set_languages, untranslated, \
    untranslated_sentences
from surveys.piping import PIPE, piped_names
from surveys.rules import all_of, describe_constraint, is_joined, split_top_level, strip_brackets
from surveys.storage import audit, new_id, now, write_transaction
from surveys.storage import core as store
from surveys.storage import languages as language_store
from surveys.storage import transfer as transfer_store
from surveys.storage.core import InvalidInput
from surveys.xlsform_expressions import expression_mistake

FORM_SUFFIXES = (".xlsx", ".xls", ".xlsm")
TRUE_WORDS = ("yes", "true", "true()", "1")
FALSE_WORDS = ("no", "false", "false()", "0")
DEFAULT_LANGUAGE = "default"  # pyxform's key for label columns with no language named
CHOICE_TYPES = ("single_choice", "multiple_choice", "scale", "yes_no")
# Columns that may hold a formula: checked when imported, and looked at for names on export.
FORMULA_COLUMNS = ("relevant", "constraint", "calculation", "choice_filter", "required", "repeat_count",
                   "read_only", "trigger")
# pyxform's split of a column name back to the name we write: ("bind", "jr:constraintMsg") is
# the `constraint_message` column.
_BIND_COLUMNS = {"relevant": "relevant", "required": "required", "constraint": "constraint",
                 "jr:constraintMsg": "constraint_message", "jr:requiredMsg": "required_message",
                 "calculate": "calculation", "readonly": "read_only", "jr:noAppErrorString": "no_app_error_string"}
_CONTROL_COLUMNS = {"appearance": "appearance", "jr:count": "repeat_count", "autoplay": "autoplay", "rows": "rows"}
_SETTINGS_COLUMNS = {"title": "form_title", "id_string": "form_id"}
# Words a reader of the report knows, for the columns kept most often.
FEATURE_WORDS = {
    "appearance": "how it looks on a phone (appearance)",
    "default": "a ready-filled answer (default)",
    "constraint": "an answer rule (constraint)",
    "constraint_message": "the message when the answer rule is broken (constraint_message)",
    "required_message": "the message when an answer is missing (required_message)",
    "image": "a picture (image)",
    "audio": "a sound (audio)",
    "video": "a video (video)",
    "big-image": "a big picture (big-image)",
    "choice_filter": "a filter on its options (choice_filter)",
    "guidance_hint": "extra help (guidance_hint)",
    "parameters": "settings for the question (parameters)",
    "read_only": "cannot be changed (read_only)",
    "calculation": "a calculation",
    "repeat_count": "how many times a block repeats (repeat_count)",
}


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
    languages: list[str] = field(default_factory=list)
    kept: dict[str, int] = field(default_factory=dict)
    settings: dict[str, str] = field(default_factory=dict)
    checks: dict[str, dict] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        """Return the report as plain sentences, most important first."""
        out = [f"Made the survey {self.survey_name!r} with {len(self.questions)} questions, as a draft."]
        if len(self.languages) > 1:
            names = [language_name(lang) for lang in self.languages]
            listed = f"{names[0]} (the main one)" + "".join(f", {n}" for n in names[1:-1]) + f" and {names[-1]}"
            out.append(f"It is in {len(names)} languages: {listed}.")
        rows = sorted(self.not_taken + self.rules_not_converted + self.changes, key=lambda r: r.row or 0)
        out += [r.sentence() for r in rows]
        if self.groups:
            out.append("Questions in groups sit in one list here; each keeps its group as its topic: "
                       + ", ".join(self.groups) + ". The groups are written back when you save the survey as a form.")
        if self.kept:
            listed = ", ".join(f"{FEATURE_WORDS.get(name, name)} ({count})" for name, count in sorted(self.kept.items()))
            out.append("Kept for the form file and written back when you save the survey as a form, but not used "
                       f"here: {listed}.")
        if self.settings:
            out.append("Settings kept and written back: " + ", ".join(sorted(self.settings)) + ".")
        out += self.notes
        return out


# ---- relevant to show-if ------------------------------------------------------------------------

_REF = r"\$\{\s*([A-Za-z_][\w.\-]*)\s*\}"
_VALUE = r"(?:'([^']*)'|\"([^\"]*)\"|(-?\d+(?:\.\d+)?))"
_COMPARE = re.compile(rf"^{_REF}\s*(=|!=|>=|<=|>|<)\s*{_VALUE}$")
_SELECTED = re.compile(rf"^selected\(\s*{_REF}\s*,\s*{_VALUE}\s*\)$")
_NOT_SELECTED = re.compile(rf"^not\(\s*selected\(\s*{_REF}\s*,\s*{_VALUE}\s*\)\s*\)$")
_NOT_EQUAL = re.compile(rf"^not\(\s*{_REF}\s*=\s*{_VALUE}\s*\)$")
_HAS_ANSWER = re.compile(rf"^(?:string-length\(\s*{_REF}\s*\)\s*(?:>\s*0|>=\s*1|!=\s*0)"
                         rf"|count-selected\(\s*{_REF}\s*\)\s*(?:>\s*0|>=\s*1))$")
_PARENT_REF = re.compile(r"(?<![\w/.\]])\.\./([A-Za-z_][\w.\-]*)")


def _atom(text: str, whole_number_questions: Iterable[str]) -> dict:
    """Return the condition for one simple comparison, or raise RuleNotConverted."""
    text = strip_brackets(text)
    for pattern, operator in ((_SELECTED, "any_of"), (_NOT_SELECTED, "none_of"), (_NOT_EQUAL, "not_equals")):
        match = pattern.match(text)
        if match:
            value = next(v for v in match.groups()[1:] if v is not None)
            return {"question": match.group(1), "operator": operator, "values": [value]}
    match = _HAS_ANSWER.match(text)
    if match:
        return {"question": next(g for g in match.groups() if g), "operator": "answered", "values": []}
    match = _COMPARE.match(text)
    if not match:
        raise RuleNotConverted(f"the part {text!r} is not a simple rule this tool can read")
    question, op = match.group(1), match.group(2)
    value = next(v for v in match.groups()[2:] if v is not None)
    if op == "=":
        return {"question": question, "operator": "equals", "values": [value]}
    if op == "!=":
        if value == "":
            return {"question": question, "operator": "answered", "values": []}
        return {"question": question, "operator": "not_equals", "values": [value]}
    if value == "" and op in (">", "<", ">=", "<="):
        raise RuleNotConverted(f"the part {text!r} compares with an empty answer")
    number = _number(value)
    if op in (">", "<"):
        return {"question": question, "operator": "greater_than" if op == ">" else "less_than", "values": [value]}
    if question not in set(whole_number_questions) or number != int(number):
        raise RuleNotConverted(f"'{op}' (at least or at most) only converts for whole-number questions")
    shifted = int(number) - 1 if op == ">=" else int(number) + 1
    return {"question": question, "operator": "greater_than" if op == ">=" else "less_than",
            "values": [str(shifted)]}


def _number(value: str) -> float:
    try:
        return float(value)
    except ValueError:
        raise RuleNotConverted(f"{value!r} is not a number, so it cannot be compared") from None


def _merge_same_question(join: str, parts: list[dict], multiple: set[str]) -> dict:
    """Return PARTS joined by JOIN, as one condition when they are "any of" / "none of" one question."""
    if all(not is_joined(p) for p in parts) and len({p["question"] for p in parts}) == 1:
        question = parts[0]["question"]
        ops = {p["operator"] for p in parts}
        values = [v for p in parts for v in p["values"]]
        if join == "any" and (ops <= {"any_of"} or (ops <= {"equals", "any_of"} and question not in multiple)):
            return {"question": question, "operator": "any_of", "values": list(dict.fromkeys(values))}
        if join == "all" and ops <= {"not_equals", "none_of"} and (ops == {"none_of"} or question not in multiple):
            return {"question": question, "operator": "none_of", "values": list(dict.fromkeys(values))}
    flat: list[dict] = []
    for part in parts:
        flat.extend(part[join] if is_joined(part) and join in part else [part])
    return {join: flat}


def _convert(expr: str, whole: set[str], multiple: set[str], resolve: Callable[[dict], dict]) -> dict:
    """Return the show-if rule for EXPR, raising RuleNotConverted for any part it cannot read."""
    expr = strip_brackets(expr)
    for join, word in (("any", "or"), ("all", "and")):
        parts = split_top_level(expr, word)
        if len(parts) > 1:
            return _merge_same_question(join, [_convert(p, whole, multiple, resolve) for p in parts], multiple)
    return resolve(_atom(expr, whole))


def relevant_to_show_if(expr: str, whole_number_questions: Iterable[str] = frozenset(), *,
                        multiple_choice_questions: Iterable[str] = frozenset(),
                        resolve: Callable[[dict], dict] | None = None) -> dict:
    """Return the show-if rule for an XLSForm `relevant` expression, or raise RuleNotConverted.

    Simple comparisons are read: ${q} = 'v', ${q} != 'v', selected(${q}, 'v'),
    not(selected(...)), number comparisons, ${q} != '' (has an answer), joined with `and`, `or`
    and brackets into all / any rules; parts about one question become "any of" / "none of".
    Values stay as written (choice names). `>=` and `<=` only convert for questions in
    WHOLE_NUMBER_QUESTIONS (at least 5 is more than 4). RESOLVE may check or change each
    condition (for example to use option labels) and raise RuleNotConverted.
    """
    if not expr or not expr.strip():
        raise RuleNotConverted("the rule is empty")
    expr = _PARENT_REF.sub(lambda m: "${" + m.group(1) + "}", expr.strip())
    return _convert(expr, set(whole_number_questions), set(multiple_choice_questions), resolve or (lambda c: c))


def split_relevant(expr: str, whole_number_questions: Iterable[str] = frozenset(), *,
                   multiple_choice_questions: Iterable[str] = frozenset(),
                   resolve: Callable[[dict], dict] | None = None) -> tuple[dict | None, str, str]:
    """Return (show-if rule, the part not converted, why) for a `relevant` expression.

    Parts joined by a top-level `and` are converted one by one, so a rule with one part this
    tool cannot read still uses the others (the question is asked a little more often than the
    form says). An `or` that cannot be converted whole is left out whole.
    """
    try:
        return relevant_to_show_if(expr, whole_number_questions, multiple_choice_questions=multiple_choice_questions,
                                   resolve=resolve), "", ""
    except RuleNotConverted as whole_reason:
        reason = str(whole_reason)
    plain = _PARENT_REF.sub(lambda m: "${" + m.group(1) + "}", strip_brackets(expr.strip()))
    parts = split_top_level(plain, "and")
    if len(parts) == 1:
        return None, expr.strip(), reason
    kept, left = [], []
    for part in parts:
        try:
            kept.append(relevant_to_show_if(part, whole_number_questions,
                                            multiple_choice_questions=multiple_choice_questions, resolve=resolve))
        except RuleNotConverted as exc:
            left.append(strip_brackets(part))
            reason = str(exc)
    remainder = " and ".join(f"({p})" if len(left) > 1 or " or " in p else p for p in left)
    return all_of(*kept), remainder, reason


# ---- reading a form ---------------------------------------------------------------------------------


def _check_file(path: Path) -> None:
    check_input_file(path, what="the form file", error=XLSFormError, max_bytes=MAX_FILE_BYTES)
    if path.suffix.lower() not in FORM_SUFFIXES:
        raise XLSFormError(f"{path.name} is not a spreadsheet. A form must be an .xlsx or .xls file.")


def _plain_pyxform_error(path: Path, exc: Exception) -> str:
    """Return pyxform's own message, with its "[row : 5]" said as "Row 5 of the survey sheet"."""
    text = " ".join(str(exc).split())
    text = re.sub(r"\[row\s*:\s*(\d+)\]\s*", r"Row \1: ", text)
    return f"{path.name} has a mistake, so nothing was imported. The form checker says: {text}"


@dataclass
class _Sheet:
    """One sheet of the user's file: rows as written (row i is spreadsheet row i + 2), and
    each column name split the way pyxform reads it."""

    rows: list[dict]
    tokens: dict[str, tuple[str, ...]]

    def canonical(self, header: str) -> str:
        return _canonical(self.tokens.get(header, (header,)))


def _canonical(tokens: tuple[str, ...]) -> str:
    """Return the column name we write for a column pyxform split into TOKENS."""
    head, rest = tokens[0], tokens[1:]
    if head == "bind" and rest:
        head, rest = _BIND_COLUMNS.get(rest[0], f"bind::{rest[0]}"), rest[1:]
    elif head == "control" and rest:
        head, rest = _CONTROL_COLUMNS.get(rest[0], f"body::{rest[0]}"), rest[1:]
    elif head == "media" and rest:
        head, rest = rest[0], rest[1:]
    else:
        head = _SETTINGS_COLUMNS.get(head, head)
    return "::".join((head, *rest))


def _sheet(rows: Sequence[dict] | None, headers: Sequence[dict] | None, aliases: dict, columns: set[str]) -> _Sheet:
    from pyxform.parsing.sheet_headers import process_header

    names = list((headers or [{}])[0]) if headers else list(dict.fromkeys(k for r in rows or [] for k in r))
    double = any("::" in h for h in names)
    tokens = {h: process_header(h, double, aliases, columns)[1] for h in names}
    return _Sheet([dict(r) for r in rows or []], tokens)


@dataclass
class FormFile:
    """A spreadsheet form as read and checked by pyxform, with the user's own rows."""

    path: Path
    form: dict
    survey: _Sheet
    choices: _Sheet
    settings: dict[str, str]
    sheet_names: list[str]
    other_sheets: dict[str, list[dict]] = field(default_factory=dict)


# Sheets the app does not read but keeps, to write back as they were.
OTHER_SHEETS = ("external_choices", "entities", "osm")


def read_form_file(path: str | os.PathLike) -> FormFile:
    """Return the form read and checked by pyxform; raise XLSFormError with pyxform's own words."""
    from pyxform import aliases
    from pyxform.builder import create_survey_element_from_dict
    from pyxform.errors import PyXFormError
    from pyxform.question import MultipleChoiceQuestion, Option
    from pyxform.survey import Survey
    from pyxform.xls2json import workbook_to_json
    from pyxform.xls2json_backends import get_xlsform

    path = Path(path)
    _check_file(path)
    with warnings.catch_warnings():
        # openpyxl warns about spreadsheet features it skips; they say nothing about the form.
        warnings.simplefilter("ignore")
        try:
            data = get_xlsform(str(path))
        except PyXFormError as exc:
            if "was not recognized as a supported type" in str(exc):
                raise XLSFormError(f"{path.name} could not be read as a spreadsheet form. It may be damaged, "
                                   "or saved in another format.") from exc
            raise XLSFormError(_plain_pyxform_error(path, exc)) from exc
        except Exception as exc:  # xlrd and openpyxl raise many kinds on damaged files
            raise XLSFormError(f"{path.name} could not be read as a spreadsheet form. It may be damaged.") from exc
        sheets = [str(s).strip().lower() for s in (data.sheet_names or [])]
        if "survey" in sheets and not any(data.survey or []):
            raise XLSFormError(f"{path.name} has a 'survey' sheet, but there are no questions on it.")
        if "survey" not in sheets or not data.survey:
            found = ", ".join(repr(s) for s in (data.sheet_names or [])) or "none"
            raise XLSFormError(
                f"{path.name} has no sheet called 'survey' with questions on it (sheets found: {found}). "
                "A spreadsheet form needs a 'survey' sheet, and a 'choices' sheet for choice questions."
            )
        survey = _sheet(data.survey, data.survey_header, aliases.survey_header,
                        set(MultipleChoiceQuestion.get_slot_names()))
        choices = _sheet(data.choices, data.choices_header, aliases.list_header, set(Option.get_slot_names()))
        settings_sheet = _sheet(data.settings, data.settings_header, aliases.settings_header,
                                set(Survey.get_slot_names()))
        try:
            form = workbook_to_json(data, fallback_form_name=data.fallback_form_name, warnings=[])
            # Making the XML finds what only shows then, such as ${name} naming no question.
            create_survey_element_from_dict(form).to_xml(validate=False, warnings=[])
        except Exception as exc:  # pyxform raises PyXFormError, and ValueError or KeyError on odd input
            raise XLSFormError(_plain_pyxform_error(path, exc)) from exc
    settings = {settings_sheet.canonical(k): str(v) for k, v in (settings_sheet.rows[:1] or [{}])[0].items()}
    other = {name: [dict(r) for r in getattr(data, name) if r] for name in OTHER_SHEETS if getattr(data, name, None)}
    return FormFile(path, form, survey, choices, settings, list(data.sheet_names or []), other)


def _settings_to_keep(file: FormFile) -> dict[str, str]:
    """Return the settings to write back: as written, plus the form id pyxform gave a form with none.

    A form with no form_id is known by its file name; writing that name down keeps the id
    the same when the form is saved again under another file name.
    """
    settings = {k: v for k, v in file.settings.items() if v}
    if not settings.get("form_id") and file.form.get("id_string"):
        settings["form_id"] = str(file.form["id_string"])
    return settings


def read_xlsform(path: str | os.PathLike) -> tuple[dict, list[dict]]:
    """Return (pyxform's reading of the form, the raw survey sheet rows); raise XLSFormError."""
    form_file = read_form_file(path)
    return form_file.form, form_file.survey.rows


# ---- walking the user's rows ---------------------------------------------------------------------


@dataclass
class _Row:
    """One row of the survey sheet, sorted into what the app uses and what it keeps."""

    number: int
    type: str
    name: str
    labels: dict[str, str]
    hints: dict[str, str]
    relevant: str
    required: str
    columns: dict[str, str]  # everything else, by the column name we write back


def _read_row(sheet: _Sheet, index: int, default_language: str) -> _Row:
    row = sheet.rows[index]
    labels: dict[str, str] = {}
    hints: dict[str, str] = {}
    out = _Row(index + 2, "", "", labels, hints, "", "", {})
    plain: dict[str, str] = {}
    for header, value in row.items():
        tokens = sheet.tokens.get(header, (header,))
        value = str(value)
        if tokens == ("type",):
            out.type = value.strip()
        elif tokens == ("name",):
            out.name = value.strip()
        elif tokens[0] in ("label", "hint") and len(tokens) == 2:
            (labels if tokens[0] == "label" else hints)[tokens[1]] = value
        elif tokens[0] in ("label", "hint") and len(tokens) == 1:
            plain[tokens[0]] = value
        elif tokens == ("bind", "relevant"):
            out.relevant = value.strip()
        elif tokens == ("bind", "required"):
            out.required = value.strip()
        else:
            out.columns[_canonical(tokens)] = value
    for base, value in plain.items():
        # A column with no language named holds DEFAULT_LANGUAGE's words, unless that language
        # has its own column too with other words: then it stays a column of its own.
        target = labels if base == "label" else hints
        if target.get(default_language, value) == value:
            target[default_language] = value
        else:
            out.columns[base] = value
    return out


def _type_words(raw: str) -> list[str]:
    return raw.replace("_", " ").lower().split()


_OR_OTHER = re.compile(r"\s+or[ _](?:specify[ _])?other\s*$", re.IGNORECASE)


def _has_or_other(raw: str) -> bool:
    """Return True for a choice type with `or_other`, for which pyxform adds an Other option and a question."""
    return bool(_OR_OTHER.search(raw))


def _group_kind(raw: str) -> tuple[str, str] | None:
    """Return ("begin" or "end", "group" or "repeat") for a group row's type, else None."""
    from pyxform import aliases

    words = _type_words(raw)
    if len(words) >= 2 and words[0] in ("begin", "end"):
        if words[1] == "loop":
            return words[0], "loop"  # "begin loop over LIST": a group asked once per option
        kind = aliases.control.get(" ".join(words[1:]))
        if kind:
            return words[0], "repeat" if kind == "repeat" else "group"
    return None


def _node_index(form: dict) -> dict[tuple[str, ...], dict]:
    """Return pyxform's element for each path of names (group names, then the row's name)."""
    index: dict[tuple[str, ...], dict] = {}

    def walk(children: list[dict], path: tuple[str, ...]) -> None:
        for node in children:
            key = path + (str(node.get("name", "")),)
            index.setdefault(key, node)
            if node.get("children"):
                walk(node["children"], key)

    walk(form.get("children") or [], ())
    return index


def _our_type(node: dict | None, row: _Row, list_names: set[str]) -> str | None:
    """Return the question type we ask for pyxform's element NODE, or None when we cannot ask it."""
    from pyxform.question_type_dictionary import QUESTION_TYPE_DICT

    if node is None:
        return None
    kind = str(node.get("type", ""))
    spec = QUESTION_TYPE_DICT.get(kind, {})
    tag = (spec.get("control") or {}).get("tag")
    bind = spec.get("bind") or {}
    appearance = row.columns.get("appearance", "").lower()
    if kind == "note" or (tag == "input" and bind.get("readonly") == "true()" and bind.get("type") == "string"):
        return "note"
    if tag in ("select1", "select"):
        if node.get("itemset") not in list_names or "external" in kind:
            return None  # options from a file or from earlier answers: nothing to list here
        if tag == "select":
            return "multiple_choice"
        return "scale" if "likert" in appearance.split() else "single_choice"
    if tag != "input" or bind.get("jr:preload") or "external" in kind:
        return None
    return {"string": "long_text" if "multiline" in appearance.split() else "text", "int": "number",
            "decimal": "number", "date": "date"}.get(bind.get("type", ""))


def _clean_name(name: str, taken: set[str]) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9_]", "_", name)[:60] or "question"
    if not re.match(r"[A-Za-z_]", cleaned):
        cleaned = "q_" + cleaned
    candidate, n = cleaned, 2
    while candidate.casefold() in taken:
        candidate, n = f"{cleaned}_{n}", n + 1
    return candidate


def _rename_refs(text: str, names: Mapping[str, str]) -> str:
    """Return TEXT with ${old} and ../old changed to the new names of renamed questions."""
    if not names or not text:
        return text
    text = PIPE.sub(lambda m: "${" + names.get(m.group(1), m.group(1)) + "}", text)
    return _PARENT_REF.sub(lambda m: "../" + names.get(m.group(1), m.group(1)), text)


@dataclass
class _Pending:
    """A question to make, with what the form said that the rules and the report need."""

    row: _Row
    form_name: str
    fields: dict
    choice_names: dict[str, str]
    option_words: dict[str, dict[str, str]]  # option label: {language: words}
    whole_number: bool
    groups: list[dict]
    after: str | None = None  # filled in as questions are made
    lineage_id: str = ""


@dataclass
class _Import:
    """Everything gathered while walking the user's rows."""

    file: FormFile
    report: ImportReport
    languages: list[str]
    main: str
    unnamed: str  # the language of label and hint columns with no language named
    pending: list[_Pending] = field(default_factory=list)
    kept_rows: list[dict] = field(default_factory=list)
    kept_lists: dict[str, list[dict]] = field(default_factory=dict)
    renamed: dict[str, str] = field(default_factory=dict)
    row_names: set[str] = field(default_factory=set)


def _text(values: Mapping[str, str], language: str, order: Sequence[str]) -> tuple[str, str]:
    """Return (text, the language it is in): LANGUAGE's, else the first language that has some."""
    text = (values.get(language) or "").strip()
    if text:
        return text, language
    for other in order:
        if (values.get(other) or "").strip():
            return values[other].strip(), other
    return "", language


def _languages(file: FormFile) -> tuple[list[str], str, str]:
    """Return (the form's languages, main first; its main language; the language of columns with none named).

    [] for a form with no language named. The main language is the form's default_language,
    else the one with the most labels (English first when two have as many). Columns with no
    language named belong to the default_language; with none set, to the main language, so a
    form that mixes `label::English` and `hint` has one language, not two.
    """
    setting = file.form.get("default_language") or DEFAULT_LANGUAGE
    found: list[str] = []
    labels: dict[str, int] = {}
    for sheet in (file.survey, file.choices):
        for header, tokens in sheet.tokens.items():
            if tokens[0] in ("label", "hint") and len(tokens) <= 2:
                language = tokens[1] if len(tokens) == 2 else setting
                if language not in found:
                    found.append(language)
                if tokens[0] == "label" and sheet is file.survey:
                    labels[language] = labels.get(language, 0) + sum(1 for r in sheet.rows if r.get(header))
    named = [lang for lang in found if lang != DEFAULT_LANGUAGE]
    if not named:
        return [], DEFAULT_LANGUAGE, DEFAULT_LANGUAGE
    if setting in named:
        main = setting
    else:
        from surveys.languages import is_english

        most = max(labels.get(lang, 0) for lang in named)
        top = [lang for lang in named if labels.get(lang, 0) == most]
        main = next((lang for lang in top if is_english(lang)), top[0])
    unnamed = setting if setting != DEFAULT_LANGUAGE else main
    return [main] + [lang for lang in named if lang != main], main, unnamed


def _choice_lists(file: FormFile, default_language: str) -> dict[str, list[tuple[int, dict, dict]]]:
    """Return {list name: [(row number, {language: label}, {column: value})]} from the choices sheet."""
    lists: dict[str, list[tuple[int, dict, dict]]] = {}
    for index, row in enumerate(file.choices.rows):
        if not row:
            continue
        list_name = name = plain = ""
        labels: dict[str, str] = {}
        columns: dict[str, str] = {}
        for header, value in row.items():
            tokens = file.choices.tokens.get(header, (header,))
            if tokens in (("list_name",), ("list name",)):
                list_name = str(value).strip()
            elif tokens == ("name",):
                name = str(value).strip()
            elif tokens[0] == "label" and len(tokens) == 2:
                labels[tokens[1]] = str(value)
            elif tokens == ("label",):
                plain = str(value)
            else:
                columns[_canonical(tokens)] = str(value)
        if plain and labels.get(default_language, plain) == plain:
            labels[default_language] = plain
        elif plain:
            columns["label"] = plain
        if list_name:
            lists.setdefault(list_name, []).append((index + 2, labels, {"name": name, **columns}))
    return lists


def _collect(state: _Import) -> None:
    """Walk the survey sheet row by row, sorting each into a question to make or a row to keep."""
    file, report = state.file, state.report
    default_language = state.unnamed
    nodes = _node_index(file.form)
    lists = _choice_lists(file, default_language)
    order = state.languages or [DEFAULT_LANGUAGE]
    main = state.main
    stack: list[dict] = []
    taken: set[str] = set()
    rows = [_read_row(file.survey, i, default_language) for i in range(len(file.survey.rows))]
    state.row_names = {r.name for r in rows if r.name}
    previous: _Pending | None = None
    for row in rows:
        if not row.type and not row.name:
            continue
        path = tuple(g["name"] for g in stack)
        group = _group_kind(row.type)
        _check_formulas(file.path, row)
        if group and group[0] == "begin":
            label, _ = _text(row.labels, main, order)
            columns = dict(row.columns)
            if row.relevant:
                columns["relevant"] = row.relevant
            stack.append({"name": row.name, "kind": group[1], "label": dict(row.labels), "hint": dict(row.hints),
                          "columns": columns, "row": row.number, "relevant": row.relevant,
                          "topic": label or row.name, "type": row.type})
            report.groups.append(label or row.name)
            if group[1] == "repeat":
                report.changes.append(ReportRow(row.number, row.name, "this block repeats in the form; here its "
                                                "questions are asked once. It is written back as a repeat."))
            if group[1] == "loop":
                list_name = row.type.split()[-1]
                if list_name in lists:
                    state.kept_lists[list_name] = [{"label": labels, **cols} for _, labels, cols in lists[list_name]]
                report.changes.append(ReportRow(row.number, row.name, "this block is asked once for each option of "
                                                f"the list {list_name!r} in the form. Its rows are kept for the form "
                                                "file and written back, but not asked here."))
            continue
        if group:
            if stack:
                stack.pop()
            continue
        node = nodes.get(path + (row.name,))
        our_type = _our_type(node, row, set(lists))
        wording, wording_language = _text(row.labels, main, order)
        groups = [{k: g[k] for k in ("name", "kind", "label", "hint", "columns", "row", "type")} for g in stack]
        if our_type is None or not wording:
            reason = ("it has no words to show" if our_type else
                      f"the question type {row.type!r} is not one this tool can ask")
            report.not_taken.append(ReportRow(row.number, row.name, f"{reason}, so it is not asked here. It is kept "
                                              "for the form file and written back when you save the survey as a form."))
            _keep_row(state, row, groups, lists)
            continue
        if wording_language != main:
            report.changes.append(ReportRow(row.number, row.name, f"it has no {language_name(main)} words, so the "
                                            f"{language_name(wording_language)} words are used."))
        pending = _question(state, row, our_type, wording, node, lists, groups, taken, stack)
        if pending is not None:
            state.pending.append(pending)
            previous = pending
            if _has_or_other(row.type):
                other = nodes.get(path + (f"{row.name}_other",))
                if other is not None and f"{row.name}_other" not in state.row_names:
                    follow = _or_other_follow_up(state, row, other, groups, taken, stack)
                    if follow is not None:
                        state.pending.append(follow)
                        previous = follow
    _keep_unused_lists(state, lists)


def _keep_row(state: _Import, row: _Row, groups: list[dict], lists: dict) -> None:
    """Keep a row the app does not ask (and its option list) to write back in the form file."""
    list_name = _list_name(row.type)
    if list_name and list_name in lists:
        state.kept_lists[list_name] = [{"label": labels, **columns} for _, labels, columns in lists[list_name]]
    state.kept_rows.append({"row": row.number, "type": row.type, "name": row.name, "labels": row.labels,
                            "hints": row.hints, "relevant": row.relevant, "required": row.required,
                            "columns": row.columns, "groups": groups,
                            "after": len(state.pending) - 1 if state.pending else None})


def _keep_unused_lists(state: _Import, lists: dict) -> None:
    """Keep option lists no question here uses (a filter, a loop or nothing may use them) for the form file."""
    used = {p.fields["form_columns"].get("list_name") for p in state.pending} | set(state.kept_lists)
    for list_name, options in lists.items():
        if list_name not in used:
            state.kept_lists[list_name] = [{"label": labels, **columns} for _, labels, columns in options]


def _list_name(raw_type: str) -> str:
    """Return the option list a choice row's type names ("select_one yes_no or_other" -> "yes_no")."""
    words = _OR_OTHER.sub("", raw_type.strip()).split()
    if len(words) >= 2 and _type_words(words[0])[:1] in (["select"], ["rank"], ["add"]):
        return words[-1]
    return ""


def _group_topic(stack: list[dict]) -> str:
    return stack[-1]["topic"] if stack else ""


def _question(state: _Import, row: _Row, our_type: str, wording: str, node: dict | None,
              lists: dict, groups: list[dict], taken: set[str], stack: list[dict]) -> _Pending | None:
    """Return the question to make from ROW, noting in the report what changes on the way."""
    report, main = state.report, state.main
    order = state.languages or [DEFAULT_LANGUAGE]
    options: list[str] = []
    names: dict[str, str] = {}
    words: dict[str, dict[str, str]] = {}
    choice_columns: dict[str, dict[str, str]] = {}
    list_name = str((node or {}).get("itemset") or _list_name(row.type))
    if our_type in CHOICE_TYPES:
        seen: dict[str, int] = {}
        for choice_row, labels, columns in lists.get(list_name, []):
            code = columns.get("name", "")
            label, _ = _text(labels, main, order)
            label = label or code
            if label.casefold() in seen:
                report.changes.append(ReportRow(row.number, row.name, f"the option {label!r} is listed twice on the "
                                                f"choices sheet (rows {seen[label.casefold()]} and {choice_row}); "
                                                "here it is kept once."))
                continue
            seen[label.casefold()] = choice_row
            options.append(label)
            names[label] = code
            words[label] = {lang: text.strip() for lang, text in labels.items() if text.strip()}
            extra = {k: v for k, v in columns.items() if k != "name"}
            if extra:
                choice_columns[code] = extra
        if _has_or_other(row.type) and "other" not in names.values():
            options.append("Other")
            names["Other"] = "other"
        if row.columns.get("choice_filter"):
            report.changes.append(ReportRow(row.number, row.name, "its options are filtered by an earlier answer "
                                                                   "in the form; here all options are shown."))
        if our_type == "single_choice" and sorted(o.casefold() for o in options) == ["no", "yes"]:
            our_type = "yes_no"
    help_text, _ = _text(row.hints, main, order)
    required = row.required.lower() in TRUE_WORDS
    new_name = _clean_name(row.name, taken)
    taken.add(new_name.casefold())
    if new_name != row.name:
        state.renamed[row.name] = new_name
        report.changes.append(ReportRow(row.number, row.name, f"its name was changed to {new_name!r}, because "
                                        "names here use only letters, numbers and _ and must all differ."))
    form_columns: dict[str, Any] = {"type": row.type, "columns": dict(row.columns), "groups": groups}
    if our_type in CHOICE_TYPES:
        form_columns["list_name"] = list_name
    if choice_columns:
        form_columns["choice_columns"] = choice_columns
    if row.required and not required and row.required.lower() not in FALSE_WORDS:
        form_columns["required"] = row.required
        report.rules_not_converted.append(ReportRow(row.number, row.name, "it must be answered only sometimes in "
                                          "the form; here it is optional. The rule is kept for the form file."))
    fields = {"name": new_name, "type": our_type, "wording": wording, "help_text": help_text,
              "required": required and our_type != "note", "options": options, "show_if": None,
              "topic": _group_topic(stack), "form_columns": form_columns}
    try:
        store.validate_question(fields)
    except InvalidInput as exc:
        report.not_taken.append(ReportRow(row.number, row.name, f"it is not asked here: {exc} It is kept for the "
                                          "form file."))
        _keep_row(state, row, groups, lists)
        return None
    return _Pending(row, row.name, fields, names, words, (node or {}).get("type") in ("integer", "int"), groups)


def _or_other_follow_up(state: _Import, row: _Row, node: dict, groups: list[dict], taken: set[str],
                        stack: list[dict]) -> _Pending:
    """Return the "please say what" question pyxform adds after a choice question with `or_other`."""
    name = f"{row.name}_other"
    new_name = _clean_name(name, taken)
    taken.add(new_name.casefold())
    label = node.get("label") if isinstance(node.get("label"), str) else "Specify other."
    follow_row = _Row(row.number, "text", name, {}, {}, f"selected(${{{row.name}}}, 'other')", "", {})
    fields = {"name": new_name, "type": "text", "wording": label or "Specify other.", "help_text": "",
              "required": False, "options": [], "show_if": None, "topic": _group_topic(stack),
              "form_columns": {"type": "text", "columns": {}, "groups": groups, "made_by_form": "or_other"}}
    state.report.changes.append(ReportRow(row.number, row.name, f"the form adds a question {new_name!r} for "
                                          "people who pick Other; it is a question here too."))
    return _Pending(follow_row, name, fields, {}, {}, False, groups)


def _check_formulas(path: Path, row: _Row) -> None:
    """Refuse the form when a formula on ROW is written wrongly, naming the row of the user's file."""
    checks = [("relevant", row.relevant)]
    if row.required and row.required.lower() not in TRUE_WORDS + FALSE_WORDS:
        checks.append(("required", row.required))
    checks += [(column, row.columns.get(column, "")) for column in ("constraint", "calculation", "choice_filter")]
    for column, expr in checks:
        if not expr:
            continue
        mistake = expression_mistake(expr)
        if mistake:
            named = f" ({row.name})" if row.name else ""
            raise XLSFormError(
                f"{path.name} has a mistake, so nothing was imported. Row {row.number}{named}: the rule in the "
                f"'{column}' column is not written correctly: {mistake}. The rule is: {expr}"
            )


# ---- rules ------------------------------------------------------------------------------------------


def _convert_rules(state: _Import) -> None:
    """Give each question its show-if rule: its groups' rules and its own, joined with "and"."""
    by_form_name = {p.form_name: p for p in state.pending}
    whole = {p.form_name for p in state.pending if p.whole_number}
    multiple = {n for p in state.pending if p.fields["type"] == "multiple_choice" for n in (p.form_name, p.fields["name"])}
    report = state.report

    def resolve(condition: dict) -> dict:
        target = by_form_name.get(condition["question"])
        if target is None:
            where = "is kept for the form file but not asked here" if condition["question"] in state.row_names \
                else "is not in the form"
            raise RuleNotConverted(f"the question it looks at ({condition['question']}) {where}")
        labels = {code: label for label, code in target.choice_names.items()}
        values = [labels.get(v, v) for v in condition["values"]]
        if target.choice_names and any(v not in target.fields["options"] for v in values):
            raise RuleNotConverted("it names an option the question does not have")
        operator = condition["operator"]
        if target.fields["type"] != "multiple_choice" and len(values) == 1:
            # With one answer, "is one of x" is "is x": the same rule, written the way export writes it.
            operator = {"any_of": "equals", "none_of": "not_equals"}.get(operator, operator)
        return {"question": target.fields["name"], "operator": operator, "values": values}

    def convert(expr: str, row: int, name: str, what: str) -> tuple[dict | None, str]:
        rule, remainder, reason = split_relevant(expr, whole, multiple_choice_questions=multiple, resolve=resolve)
        if remainder:
            part = "its rule" if rule is None else "part of its rule"
            report.rules_not_converted.append(ReportRow(
                row, name, f"{part} for when to ask {what} could not be used here, because {reason}. "
                f"So here {'they are' if what != 'it' else 'it is'} asked even when "
                f"{'it does' if rule is None else 'that part does'} not hold. The rule is kept for the form file."))
        return rule, remainder

    group_rules: dict[int, dict | None] = {}
    for item in state.pending:
        parts = []
        for group in item.groups:
            expr = group["columns"].get("relevant", "")
            if expr:
                if group["row"] not in group_rules:
                    group_rules[group["row"]], _ = convert(expr, group["row"], group["name"], "the questions in it")
                parts.append(group_rules[group["row"]])
        group_rule = all_of(*parts)
        own, remainder = convert(item.row.relevant, item.row.number, item.form_name, "it") \
            if item.row.relevant else (None, "")
        item.fields["show_if"] = all_of(group_rule, own)
        if group_rule:
            item.fields["form_columns"]["group_rule"] = group_rule
        if remainder:
            item.fields["form_columns"]["relevant"] = _rename_refs(remainder, state.renamed)


# ---- importing ---------------------------------------------------------------------------------------


def _rename_everywhere(state: _Import) -> None:
    """Use the new names of renamed questions in every ${name} the form file keeps."""
    names = state.renamed
    if not names:
        return
    for item in state.pending:
        fields = item.fields
        fields["wording"] = _rename_refs(fields["wording"], names)
        fields["help_text"] = _rename_refs(fields["help_text"], names)
        item.row.labels = {k: _rename_refs(v, names) for k, v in item.row.labels.items()}
        item.row.hints = {k: _rename_refs(v, names) for k, v in item.row.hints.items()}
        columns = fields["form_columns"]
        columns["columns"] = {k: _rename_refs(v, names) for k, v in columns["columns"].items()}
        for group in columns["groups"]:
            group["columns"] = {k: _rename_refs(v, names) for k, v in group["columns"].items()}
            group["label"] = {k: _rename_refs(v, names) for k, v in group["label"].items()}
    for kept in state.kept_rows:
        for key in ("labels", "hints", "columns"):
            kept[key] = {k: _rename_refs(v, names) for k, v in kept[key].items()}
        kept["relevant"] = _rename_refs(kept["relevant"], names)
        kept["required"] = _rename_refs(kept["required"], names)
        for group in kept["groups"]:
            group["columns"] = {k: _rename_refs(v, names) for k, v in group["columns"].items()}
    state.file.settings = {k: _rename_refs(v, names) for k, v in state.file.settings.items()}


def _report_piping(state: _Import) -> None:
    """Name each question whose words show an answer that interviewers here cannot fill in."""
    asked = {p.fields["name"] for p in state.pending}
    for item in state.pending:
        texts = [item.fields["wording"], item.fields["help_text"], *item.row.labels.values(), *item.row.hints.values()]
        missing = [n for n in dict.fromkeys(n for t in texts for n in piped_names(t)) if n not in asked]
        for name in missing:
            state.report.changes.append(ReportRow(
                item.row.number, item.form_name, f"its words show the answer to ${{{name}}}, which is kept for the "
                "form file but not asked here, so interviewers see “…” in its place. The form file keeps ${"
                f"{name}}}."))


def _count_kept(state: _Import) -> dict[str, int]:
    """Return how many questions, groups and rows keep each column the app does not use."""
    counts: dict[str, int] = {}

    def add(columns: Iterable[str]) -> None:
        for feature in {c.split("::")[0] for c in columns}:
            counts[feature] = counts.get(feature, 0) + 1

    seen_groups: set[int] = set()
    for item in state.pending:
        columns = item.fields["form_columns"]
        add(k for k in columns["columns"] if not (k == "appearance" and _appearance_is_ours(columns["columns"][k])))
        add(k for extra in (columns.get("choice_columns") or {}).values() for k in extra)
        for group in columns["groups"]:
            if group["row"] not in seen_groups:
                seen_groups.add(group["row"])
                add(k for k in group["columns"] if k != "relevant")
    return counts


def _appearance_is_ours(value: str) -> bool:
    return set(value.lower().split()) <= {"multiline", "likert"}


def _save_translations(db: Database, state: _Import, item: _Pending, question_id: str, stamp: str) -> None:
    for language in state.languages[1:]:
        wording = (item.row.labels.get(language) or "").strip()
        help_text = (item.row.hints.get(language) or "").strip()
        options = {label: words[language] for label, words in item.option_words.items() if words.get(language)}
        if not (wording or help_text or options):
            continue
        language_store.upsert_translation(db, {
            "id": new_id(), "question_id": question_id, "lineage_id": item.lineage_id, "language": language,
            "wording": wording, "help_text": help_text, "options": options, "person_id": None,
            "source": "form file", "copied_from": None, "updated_at": stamp})


def import_xlsform(db: Database, path: str | os.PathLike, actor: str | None, *,
                   check_wording: bool = True) -> ImportReport:
    """Return the report of importing an XLSForm as a new survey with one draft version.

    The whole form is read and checked first; then everything is saved in one transaction, so
    a form with a mistake changes nothing. CHECK_WORDING runs the wording checker on the new
    questions for the report; it loads the English language model, which takes seconds in a
    new process, so the command line leaves it to the Design page unless asked.
    """
    path = Path(path)
    file = read_form_file(path)
    title = str(file.form.get("title") or path.stem).strip() or path.stem
    report = ImportReport(survey_id="", version_id="", survey_name=title)
    languages, main, unnamed = _languages(file)
    state = _Import(file, report, languages, main, unnamed)
    if languages and DEFAULT_LANGUAGE != unnamed and any(
            t[0] in ("label", "hint") and len(t) == 1 for t in file.survey.tokens.values()) \
            and (file.form.get("default_language") or DEFAULT_LANGUAGE) == DEFAULT_LANGUAGE:
        report.notes.append(f"Columns with no language named (such as label or hint) are taken as "
                            f"{language_name(main)}, the main language.")
    _collect(state)
    if not state.pending:
        raise XLSFormError(f"{path.name} has no questions this tool can ask, so nothing was imported.")
    _convert_rules(state)
    _rename_everywhere(state)
    _report_piping(state)
    report.kept = _count_kept(state)
    report.settings = {k: v for k, v in file.settings.items() if v}
    kept_settings = _settings_to_keep(file)
    report.languages = languages
    constrained = [p for p in state.pending if p.fields["form_columns"]["columns"].get("constraint")]
    if constrained:
        example = next((w for w in (describe_constraint(p.fields["form_columns"]["columns"]["constraint"],
                                                        p.fields["type"],
                                                        number_kind="integer" if p.whole_number else "")
                                    for p in constrained) if w), "")
        such = f", such as “{example.rstrip('.')}”" if example else ""
        report.notes.append(f"{len(constrained)} questions have answer rules{such}. Interviewers see them in words; "
                            "the app does not check them.")
    with write_transaction(db):
        survey_id = store.create_survey(db, title, f"Imported from the form file {path.name}.", actor=actor)
        version_id = store.create_version(db, survey_id, f"Imported from {path.name}", actor=actor)
        if languages:
            set_languages(db, version_id, main, languages[1:], actor=actor)
        stamp = now()
        for position, item in enumerate(state.pending, start=1):
            question_id = store.add_question(db, version_id, **item.fields, position=position, actor=actor)
            item.lineage_id = store.get_question(db, question_id)["lineage_id"]
            if item.choice_names and any(label != code for label, code in item.choice_names.items()):
                transfer_store.save_choice_names(db, item.lineage_id, item.choice_names, actor)
            _save_translations(db, state, item, question_id, stamp)
            report.questions.append(item.fields["name"])
        rows = [{**row, "after": None if row["after"] is None else state.pending[row["after"]].lineage_id}
                for row in state.kept_rows]
        language_store.set_form_file(db, version_id, {"settings": kept_settings, "rows": rows,
                                                      "lists": state.kept_lists, "sheets": file.other_sheets})
        audit(db, actor, "import form", "survey_version", version_id, None,
              {"file": path.name, "questions": len(state.pending), "not_taken": len(report.not_taken),
               "rules_not_converted": len(report.rules_not_converted), "languages": languages})
    report.survey_id, report.version_id = survey_id, version_id
    if len(languages) > 1:
        report.notes += untranslated_sentences(untranslated(db, version_id), language_name(main))
    report.notes.append(checked_languages_note(db, version_id))
    if check_wording:
        _check_wording(db, version_id, report)
    else:
        report.notes.append("The wording was not checked yet: the Design page checks every question.")
    return report


def _check_wording(db: Database, version_id: str, report: ImportReport) -> None:
    """Run the question checker on the new questions at once and keep its scores in the report."""
    questions = store.questions_for_version(db, version_id)
    try:
        from surveys.checks import get_checker

        checker = get_checker()
        results = checker.check_many([(q["wording"], q["options"] or None) for q in questions])
    except Exception:  # the checker is optional here: the import itself has worked
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


def _xml_name(text: str, fallback: str) -> str:
    """Return a name pyxform accepts made from TEXT: it starts with a letter ("3. Children" -> "group_3_children")."""
    slug = _slug(text) or fallback
    return slug if re.match(r"[a-z_]", slug) else f"{fallback}_{slug}"


def _choice_codes(options: list[str], known: dict[str, str]) -> dict[str, str]:
    """Return {option label: choice name}, reusing names kept from an import."""
    codes, used = {}, set()
    for index, label in enumerate(options, start=1):
        # A name the form gave is kept as it was (pyxform accepted it); a new one is made plain.
        code = known.get(label) or _slug(label) or f"option_{index}"
        base, n = code, 2
        while code in used:
            code, n = f"{base}_{n}", n + 1
        used.add(code)
        codes[label] = code
    return codes


def _quote(value: str) -> str:
    return f'"{value}"' if "'" in value else f"'{value}'"


def show_if_to_relevant(show_if: dict, target: dict, codes: dict[str, str]) -> str:
    """Return the XLSForm `relevant` expression for one show-if condition on question TARGET."""
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
            if op == "equals" and len(values) == 1:
                return f"{ref} = {literal(values[0])}"
            return " or ".join(f"selected({ref}, {literal(v)})" for v in values)
        if op == "not_equals" and len(values) == 1:
            return f"{ref} != {literal(values[0])}"
        return " and ".join(f"not(selected({ref}, {literal(v)}))" for v in values)
    if op in ("equals", "any_of"):
        return " or ".join(f"{ref} = {literal(v)}" for v in values)
    return " and ".join(f"{ref} != {literal(v)}" for v in values)


def rule_to_relevant(rule: dict | None, by_name: Mapping[str, dict], codes: Mapping[str, dict[str, str]]) -> str:
    """Return the `relevant` expression for a show-if rule, joined rules too; '' for none.

    A condition on a question that is not in BY_NAME is left out (the rule cannot name it).
    """
    if not rule:
        return ""
    if is_joined(rule):
        join, parts = next(iter(rule.items()))
        texts = [t for t in (rule_to_relevant(p, by_name, codes) for p in parts) if t]
        word = " and " if join == "all" else " or "
        wrapped = [f"({t})" if (" or " in t or (" and " in t and join == "any")) and len(texts) > 1 else t
                   for t in texts]
        return word.join(wrapped)
    target = by_name.get(rule.get("question"))
    if target is None:
        return ""
    return show_if_to_relevant(rule, target, codes.get(target["name"], {}))


def _without(rule: dict | None, part: dict | None) -> tuple[dict | None, bool]:
    """Return (RULE with the conditions of PART taken out, True when every one of them was there)."""
    if not part:
        return rule, True
    wanted = list(part["all"]) if is_joined(part) and "all" in part else [part]
    have = list(rule["all"]) if rule and is_joined(rule) and "all" in rule else ([rule] if rule else [])
    if any(w not in have for w in wanted):
        return rule, False
    return all_of(*[h for h in have if h not in wanted]), True


@dataclass
class FormExport:
    """A form file written: where it is, and what could not be written as it was (plain sentences)."""

    path: Path
    notes: list[str] = field(default_factory=list)


@dataclass
class _OutRow:
    cells: dict[str, str]
    what: str = ""  # "question 3 (age)" or "a kept row (gps)", for messages
    kept: bool = False


def _label_column(base: str, language: str) -> str:
    return base if language == DEFAULT_LANGUAGE else f"{base}::{language}"


def _appearance(question: dict, kept: str) -> str:
    """Return the appearance to write: the kept one, with the words our question type decides set right."""
    ours = {"text": "multiline", "long_text": "multiline", "single_choice": "likert", "yes_no": "likert",
            "scale": "likert"}.get(question["type"])
    words = [w for w in kept.split() if w.lower() != ours]
    if question["type"] in ("long_text", "scale"):
        words.append(ours)
    return " ".join(words)


def _xls_type(question: dict, list_name: str, or_other: bool) -> str:
    kind = question["type"]
    original = _type_words(str((question.get("form_columns") or {}).get("type", "")))
    first = original[0] if original else ""
    if kind in ("text", "long_text"):
        return first if first in ("text", "string") else "text"
    if kind == "number":
        return {"int": "int", "integer": "integer"}.get(first, "decimal")
    if kind in ("date", "note"):
        return kind
    base = "select_multiple" if kind == "multiple_choice" else "select_one"
    return f"{base} {list_name}" + (" or_other" if or_other else "")


class _FormWriter:
    """Builds the rows of the three sheets from a version, then checks names before writing."""

    def __init__(self, db: Database, version_id: str) -> None:
        from surveys.languages import version_languages

        self.version = store.get_version(db, version_id)
        self.questions = store.questions_for_version(db, version_id)
        if not self.questions:
            raise XLSFormError("This version has no questions yet, so there is no form to save.")
        stored = version_languages(db, version_id)
        self.languages = [lang["language"] for lang in stored] if stored[0]["language"] else [DEFAULT_LANGUAGE]
        self.main = self.languages[0]
        self.translations = {(t["question_id"], t["language"]): t
                             for t in language_store.translations_for_version(db, version_id)}
        self.kept = language_store.form_file(db, version_id)
        self.by_name = {q["name"]: q for q in self.questions}
        self.codes = {q["name"]: _choice_codes(q["options"], transfer_store.choice_names(db, q["lineage_id"]))
                      for q in self.questions}
        self.survey: list[_OutRow] = []
        self.choices: list[dict[str, str]] = []
        self.lists: dict[str, tuple] = {}
        self.opened: set[str] = set()
        self.notes: list[str] = []
        self.open: list[dict] = []
        self.names = set(self.by_name) | {r["name"] for r in self.kept.get("rows", []) if r.get("name")}
        self.or_other = {q["name"] for q in self.questions
                         if _has_or_other(str(q["form_columns"].get("type", "")))
                         and "other" in self.codes[q["name"]].values()}

    # -- groups --

    def _topic_path(self, topic: str) -> list[dict]:
        if not topic:
            return []
        if self.open and self._topic(self.open) == topic:
            return list(self.open)
        name, n = _xml_name(topic, "group") + "_group", 2
        base = name
        while name in self.names:
            name, n = f"{base}_{n}", n + 1
        self.names.add(name)
        return [{"name": name, "kind": "group", "label": {self.main: topic}, "columns": {}}]

    def _topic(self, groups: list[dict]) -> str:
        if not groups:
            return ""
        label = groups[-1].get("label") or {}
        text = label.get(self.main) or next((v for v in label.values() if v), "")
        return text.strip() or groups[-1]["name"]

    def _move_to(self, path: list[dict]) -> None:
        same = 0
        while same < min(len(path), len(self.open)) and \
                (path[same]["name"], path[same]["kind"]) == (self.open[same]["name"], self.open[same]["kind"]):
            same += 1
        while len(self.open) > same:
            group = self.open.pop()
            self.survey.append(_OutRow({"type": "end loop" if group["kind"] == "loop" else f"end_{group['kind']}"}))
        for group in path[same:]:
            begin = group.get("type") if group["kind"] == "loop" else f"begin_{group['kind']}"
            name, n = group["name"], 2
            while name in self.opened:
                # A group split in two (questions moved apart) needs a second name.
                name, n = f"{group['name']}_{n}", n + 1
            self.opened.add(name)
            cells = {"type": begin, "name": name}
            for base in ("label", "hint"):
                for language, text in (group.get(base) or {}).items():
                    if text:
                        cells[_label_column(base, language)] = text
            cells.update(group.get("columns") or {})
            self.survey.append(_OutRow(cells, f"the group {group['name']}", kept=True))
            self.open.append(group)

    # -- rows --

    def question(self, question: dict) -> None:
        columns = question["form_columns"] or {}
        if columns.get("made_by_form") == "or_other" and question["name"].removesuffix("_other") in self.or_other:
            return  # the form makes this question itself from "or_other"
        groups = columns.get("groups") or []
        uses_groups = bool(groups) and self._topic(groups) == (question["topic"] or "")
        self._move_to(groups if uses_groups else self._topic_path(question["topic"] or ""))
        rule = question["show_if"]
        if uses_groups:
            rule, _ = _without(rule, columns.get("group_rule"))
        relevant = rule_to_relevant(rule, self.by_name, self.codes)
        if columns.get("relevant"):
            relevant = " and ".join(f"({t})" if " or " in t else t for t in (relevant, columns["relevant"]) if t)
        list_name = ""
        if question["type"] in CHOICE_TYPES:
            list_name = self._choice_list(question, columns)
        cells = {"type": _xls_type(question, list_name, question["name"] in self.or_other), "name": question["name"]}
        for language in self.languages:
            translation = self.translations.get((question["id"], language)) or {}
            main = language == self.main
            wording = question["wording"] if main else translation.get("wording", "")
            help_text = question["help_text"] if main else translation.get("help_text", "")
            if wording:
                cells[_label_column("label", language)] = wording
            if help_text:
                cells[_label_column("hint", language)] = help_text
        required = "yes" if question["required"] and question["type"] != "note" else columns.get("required", "")
        if required:
            cells["required"] = required
        if relevant:
            cells["relevant"] = relevant
        kept_columns = dict(columns.get("columns") or {})
        appearance = _appearance(question, kept_columns.pop("appearance", ""))
        if appearance:
            cells["appearance"] = appearance
        cells.update(kept_columns)
        self.survey.append(_OutRow(cells, f"question {question['position']} ({question['name']})"))

    def _choice_list(self, question: dict, columns: dict) -> str:
        """Return the option list name for a question, writing the list unless an equal one is written."""
        extra = columns.get("choice_columns") or {}
        rows = []
        for label in question["options"]:
            code = self.codes[question["name"]][label]
            if question["name"] in self.or_other and code == "other":
                continue
            row = {"name": code}
            for language in self.languages:
                translation = self.translations.get((question["id"], language)) or {}
                words = label if language == self.main else (translation.get("options") or {}).get(label, "")
                if words:
                    row[_label_column("label", language)] = words
            row.update(extra.get(code, {}))
            rows.append(row)
        return self._list(columns.get("list_name") or question["name"], rows, question["name"])

    def _list(self, wanted: str, rows: list[dict[str, str]], fallback: str) -> str:
        """Return the name the option list ROWS is written under: WANTED (the form's own list name,
        so table-list groups and shared lists stay as they were) unless another list has it."""
        signature = tuple(tuple(sorted(r.items())) for r in rows)
        candidates = [wanted, fallback] + [f"{fallback}_{n}" for n in range(2, 1000)]
        for name in candidates:
            if name not in self.lists:
                self.lists[name] = signature
                self.choices.extend({"list_name": name, **r} for r in rows)
                return name
            if self.lists[name] == signature:
                return name
        raise XLSFormError("Too many answer lists have the same name.")

    def kept_row(self, kept: dict) -> None:
        self._move_to(kept.get("groups") or [])
        cells = {"type": kept["type"], "name": kept["name"]}
        for base, values in (("label", kept.get("labels") or {}), ("hint", kept.get("hints") or {})):
            for language, text in values.items():
                if text:
                    cells[_label_column(base, language)] = text
        for column in ("required", "relevant"):
            if kept.get(column):
                cells[column] = kept[column]
        cells.update(kept.get("columns") or {})
        self.survey.append(_OutRow(cells, f"the kept row {kept['name'] or kept['type']}", kept=True))

    def kept_lists(self) -> None:
        """Write the option lists kept rows use, renamed when a question's list has the same name."""
        renamed: dict[str, str] = {}
        for list_name, options in (self.kept.get("lists") or {}).items():
            rows = []
            for option in options:
                row = {"name": option.get("name", "")}
                for language, text in (option.get("label") or {}).items():
                    if text:
                        row[_label_column("label", language)] = text
                row.update({k: v for k, v in option.items() if k not in ("label", "name")})
                rows.append(row)
            renamed[list_name] = self._list(list_name, rows, f"{list_name}_list")
        for row in self.survey:
            words = row.cells.get("type", "").split()
            if row.kept and len(words) >= 2 and words[-1] in renamed and words[-1] != renamed[words[-1]]:
                words[-1 if words[0].lower() in ("begin",) or "loop" in words else 1] = renamed[words[-1]]
                row.cells["type"] = " ".join(words)

    def build(self) -> None:
        rows = self.kept.get("rows") or []
        lineages = {q["lineage_id"] for q in self.questions}
        for kept in rows:
            if not kept.get("after"):
                self.kept_row(kept)
        for question in self.questions:
            self.question(question)
            for kept in rows:
                if kept.get("after") == question["lineage_id"]:
                    self.kept_row(kept)
        orphans = [k for k in rows if k.get("after") and k["after"] not in lineages]
        for kept in orphans:
            self.kept_row(kept)
        if orphans:
            self.notes.append(f"{len(orphans)} kept rows came after questions that are no longer in this survey, "
                              "so they are at the end of the form.")
        self._move_to([])
        self.kept_lists()
        self.names |= {row.cells.get("name", "") for row in self.survey}

    def settings(self) -> dict[str, str]:
        imported = "settings" in self.kept
        settings = {k: v for k, v in (self.kept.get("settings") or {}).items() if v}
        settings["form_title"] = self.version["survey_name"]
        settings.setdefault("form_id", _slug(self.version["survey_name"])[:40] or "survey")
        if not imported:
            # A form made here: its version number, and its main language shown first.
            settings.setdefault("version", str(self.version["number"]))
            if self.main != DEFAULT_LANGUAGE:
                settings.setdefault("default_language", self.main)
        return settings

    def check_names(self, settings: dict[str, str]) -> None:
        """Take out references to names that are no longer in the form, saying so in the notes."""
        changed = True
        while changed:
            changed = False
            names = {row.cells.get("name", "") for row in self.survey}
            for row in list(self.survey):
                for column, value in list(row.cells.items()):
                    missing = [n for n in piped_names(value) if n not in names]
                    if not missing or column in ("type", "name"):
                        continue
                    gone = ", ".join(missing)
                    if column.split("::")[0] in ("label", "hint"):
                        row.cells[column] = PIPE.sub(lambda m: m.group(0) if m.group(1) in names else "…", value)
                        self.notes.append(f"The words of {row.what} showed the answer to {gone}, which is not in "
                                          "this survey any more, so the form shows … there.")
                    elif row.kept and column == "calculation":
                        self.survey.remove(row)
                        self.notes.append(f"{row.what[:1].upper()}{row.what[1:]} was left out of the form: its "
                                          f"calculation uses {gone}, which is not in this survey any more.")
                        changed = True
                        break
                    else:
                        del row.cells[column]
                        self.notes.append(f"The '{column}' rule of {row.what} was left out of the form: it uses "
                                          f"{gone}, which is not in this survey any more.")
        names = {row.cells.get("name", "") for row in self.survey}
        for key, value in list(settings.items()):
            missing = [n for n in piped_names(value) if n not in names]
            if missing:
                del settings[key]
                self.notes.append(f"The setting {key} was left out of the form: it uses {', '.join(missing)}, "
                                  "which is not in this survey any more.")


def _write_book(out_path: Path, sheets: list[tuple[str, list[dict[str, str]]]]) -> None:
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        seen = list(dict.fromkeys(k for row in rows for k in row))
        if title == "survey":
            first = ["type", "name", *[k for k in seen if k.split("::")[0] in ("label", "hint")],
                     "required", "relevant", "appearance"]
        else:
            first = ["list_name", "name", *[k for k in seen if k.split("::")[0] == "label"]] \
                if title == "choices" else []
        header = list(dict.fromkeys([k for k in first if k in seen or k in ("type", "name", "list_name")] + seen))
        sheet.append(header)
        for row in rows:
            sheet.append([row.get(k, "") for k in header])
        for cells in sheet.iter_rows():
            for cell in cells:
                # openpyxl stores text starting with "=" as a formula; a form holds words only.
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cell.data_type = "s"
    book.save(out_path)


def save_form(db: Database, version_id: str, out_path: str | os.PathLike) -> FormExport:
    """Return the written .xlsx XLSForm of a version and notes on anything that could not be written.

    Everything an imported form kept comes back: settings, columns, groups and repeats, rows
    the app cannot ask, every language. Questions of one topic made here sit in a group
    labelled with the topic. The file is converted with pyxform before this returns, so a file
    that KoboToolbox or ODK would refuse is never handed out.
    """
    from pyxform.xls2xform import convert

    out_path = Path(out_path)
    if out_path.suffix.lower() != ".xlsx":
        raise XLSFormError("Save the form as an .xlsx file (the name must end in .xlsx).")
    writer = _FormWriter(db, version_id)
    if not out_path.parent.exists():
        raise XLSFormError(f"The folder {out_path.parent} does not exist.")
    writer.build()
    settings = writer.settings()
    writer.check_names(settings)
    others = [(name, rows) for name, rows in (writer.kept.get("sheets") or {}).items() if rows]
    _write_book(out_path, [("survey", [r.cells for r in writer.survey]), ("choices", writer.choices),
                           ("settings", [settings]), *others])
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            convert(str(out_path), warnings=[])
    except Exception as exc:
        out_path.unlink(missing_ok=True)
        raise XLSFormError(f"The form file could not be made: {_export_error(exc, writer)}") from exc
    return FormExport(out_path, writer.notes)


def _export_error(exc: Exception, writer: _FormWriter) -> str:
    """Return pyxform's message with its row of our file said as the question it holds."""
    text = " ".join(str(exc).split())
    match = re.search(r"\[row\s*:\s*(\d+)\]\s*", text)
    if match:
        index = int(match.group(1)) - 2
        what = writer.survey[index].what if 0 <= index < len(writer.survey) else ""
        text = text.replace(match.group(0), f"{what[:1].upper()}{what[1:]}: " if what else "")
    return text


def export_xlsform(db: Database, version_id: str, out_path: str | os.PathLike) -> Path:
    """Return the path of an .xlsx XLSForm of the version, checked by converting it with pyxform."""
    return save_form(db, version_id, out_path).path


__all__ = [
    "FormExport",
    "FormFile",
    "ImportReport",
    "MAX_FILE_BYTES",
    "ReportRow",
    "RuleNotConverted",
    "XLSFormError",
    "export_xlsform",
    "import_xlsform",
    "read_form_file",
    "read_xlsform",
    "relevant_to_show_if",
    "rule_to_relevant",
    "save_form",
    "show_if_to_relevant",
    "split_relevant",
]
