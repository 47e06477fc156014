"""Asking a survey: start an interview, save each answer and note at once, resume, submit, edit.

The page only calls these functions. Each save is its own short write transaction, so
nothing typed is lost when a laptop sleeps or a browser closes. See docs/interviews.md.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlite_utils import Database

from surveys import accounts
from surveys.accounts import Actor
from surveys.storage import StorageError, audit, get_setting, new_id, now, write_transaction
from surveys.storage import core as store
from surveys.storage import interviews as sql
from surveys.languages import check_language
from surveys.rules import is_joined
from surveys.storage.languages import set_interview_language
from surveys.storage.migrations import OPT_OUTS

MODES = ("one_at_a_time", "whole_form")
# The kinds of account that may ask a survey (the Interview page's PAGE_ROLES in ui/common.py).
INTERVIEW_ROLES = ("admin", "designer", "interviewer")
MAX_CODE_LENGTH = 100
OPEN_TYPES = ("text", "long_text")
MAX_TEXT_LENGTH = 10_000
DEFAULT_CODE_PATTERN = r"^[A-Za-z]{1,4}-?\d{2,6}$"
CODE_PATTERN_SETTING = "respondent_code_pattern"
CONSENT_SETTING = "consent_text"
DEFAULT_CONSENT_TEXT = (
    "I am going to ask you some questions about the service. It takes about 15 minutes.\n"
    "You do not have to answer any question. You can say \"skip\" or \"I'd rather not say\" at any time.\n"
    "You can stop at any time. Stopping will not change the help you get.\n"
    "We do not write down your name. Your answers are kept safe and only used to make the service better.\n"
    "Are you happy to go ahead?"
)
OPT_OUT_LABELS = {
    "skipped": "Skipped",
    "dont_know": "Don't know",
    "prefer_not_to_say": "Prefer not to say",
}
# Answer options that mean "no answer": choosing one stores the opt-out, never a fake value.
OPT_OUT_OPTION_TEXTS = {
    "prefer not to say": "prefer_not_to_say",
    "i'd rather not say": "prefer_not_to_say",
    "rather not say": "prefer_not_to_say",
    "don't know": "dont_know",
    "dont know": "dont_know",
    "do not know": "dont_know",
    "not sure": "dont_know",
}
YES_WORDS = {"yes", "y", "true"}
NO_WORDS = {"no", "n", "false"}
# Common first names in the UK, to warn when a respondent code may be a real name.
COMMON_FIRST_NAMES = frozenset("""
adam aisha alan alex alice amy andrew angela ann anna anne ben beth bill bob brian carl carol
charlie chloe chris claire craig dan daniel dave david dean debbie emily emma gary george grace
hannah harry helen ian jack jade james jane jason jay jen jenny jess jim jo joe john jon josh
julie karen kate katie kelly kevin kim lee leo lisa liz lucy luke mark mary matt michael mike
mo mohammed muhammad nick nicola olivia paul pete peter phil rachel rob robert ryan sam sarah
scott sean simon sophie steve stuart sue susan tom tony tracy wayne will zoe
""".split())


class InvalidAnswer(store.InvalidInput):
    """An answer or action that cannot be saved, with a plain-words reason."""


class NotYours(StorageError, PermissionError):
    """An interview started by another interviewer."""


@dataclass(frozen=True)
class OptOut:
    """A question the person chose not to answer: skipped, don't know or prefer not to say."""

    kind: str


# Stands for the answer of a question that was not asked (its own show-if rule hid it), or
# that comes later: a rule that looks at it never holds.
HIDDEN = object()


@dataclass
class InterviewState:
    """Everything a screen needs about one interview, read fresh from the database."""

    interview: dict
    questions: list[dict]
    answers: dict[str, dict] = field(default_factory=dict)  # by question id
    visible: list[dict] = field(default_factory=list)

    def question(self, question_id: str) -> dict:
        """Return one question of this interview's version by id, or raise NotFound."""
        for question in self.questions:
            if question["id"] == question_id:
                return question
        raise store.NotFound("That question is not in this interview.")

    @property
    def submitted(self) -> bool:
        """Return True when the interview was sent in."""
        return self.interview["status"] == "submitted"

    @property
    def asked(self) -> list[dict]:
        """Return the shown questions that take an answer (things to read out are not counted)."""
        return [q for q in self.visible if q["type"] != "note"]

    @property
    def numbers(self) -> dict[str, int]:
        """Return the number of each shown question that takes an answer, counting from 1, by id.

        Every count on the page uses these numbers, so "Question 3 of 47" and "5 of 47 answered"
        always agree.
        """
        return {q["id"]: n for n, q in enumerate(self.asked, start=1)}

    @property
    def answered_count(self) -> int:
        """Return how many shown questions that take an answer have an answer or an opt-out."""
        return sum(1 for q in self.asked if is_answered(self.answers.get(q["id"])))

    def next_unanswered_id(self) -> str | None:
        """Return the id of the first shown question with no answer or opt-out yet, or None."""
        for question in self.visible:
            if question["type"] != "note" and not is_answered(self.answers.get(question["id"])):
                return question["id"]
        return None

    def missing_required(self) -> list[dict]:
        """Return shown required questions that still need an answer or an opt-out."""
        return [q for q in self.visible if q["required"] and q["type"] != "note"
                and not is_answered(self.answers.get(q["id"]))]


# ---- respondent codes and consent -----------------------------------------------------------


def respondent_code_pattern(db: Database) -> str:
    """Return the project's pattern for respondent codes (a regular expression)."""
    return get_setting(db, CODE_PATTERN_SETTING) or DEFAULT_CODE_PATTERN


def consent_text(db: Database) -> str:
    """Return the consent words the interviewer reads aloud."""
    return get_setting(db, CONSENT_SETTING) or DEFAULT_CONSENT_TEXT


def respondent_code_warnings(code: str, pattern: str | None = DEFAULT_CODE_PATTERN) -> list[str]:
    """Return plain warnings when a respondent code may identify a person or breaks the pattern.

    These are warnings, not errors: the interviewer decides. Heuristics, so they say "looks like".
    """
    code = (code or "").strip()
    if not code:
        return []
    warnings = []
    digits = re.sub(r"\D", "", code)
    if re.search(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}", code):
        warnings.append("This looks like an email address. Use a code, not a way to contact someone.")
    elif len(digits) >= 10 and re.fullmatch(r"[\d\s()+.-]+", code):
        warnings.append("This looks like a phone number. Use a code, not a way to contact someone.")
    if re.fullmatch(r"[A-Z][a-z'’]+(?:[\s-]+[A-Z][a-z'’]+)+", code) or (
        re.fullmatch(r"[A-Za-z'’-]+", code)
        and (code.casefold() in COMMON_FIRST_NAMES or re.fullmatch(r"[A-Z][a-z]{2,}", code))
    ):
        warnings.append("This looks like a person's name. Use a code, not a name.")
    if pattern:
        try:
            matches = re.fullmatch(pattern, code) is not None
        except re.error:
            matches = True  # a broken project pattern must not stop interviews
        if not matches:
            example = " It should look like AB-1234." if pattern == DEFAULT_CODE_PATTERN else ""
            warnings.append("This code does not match the pattern your project uses." + example)
    return warnings


# ---- show-if rules --------------------------------------------------------------------------


def decode_value(question_type: str, value: str | None) -> Any:
    """Return a stored answer value as Python: a list for multiple choice, else the text."""
    if value is None:
        return None
    if question_type == "multiple_choice":
        try:
            decoded = json.loads(value)
        except ValueError:
            return [value]
        return decoded if isinstance(decoded, list) else [decoded]
    return value


def _number(value: Any) -> float | None:
    try:
        result = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(result) else result


def _compare(answer: Any, target: Any) -> int | None:
    """Return -1, 0 or 1 comparing ANSWER with TARGET as numbers, else as ISO dates; None if neither."""
    a, b = _number(answer), _number(target)
    if a is not None and b is not None:
        return (a > b) - (a < b)
    try:
        da, dt = _dt.date.fromisoformat(str(answer)), _dt.date.fromisoformat(str(target))
    except ValueError:
        return None
    return (da > dt) - (da < dt)


def evaluate_show_if(rule: Mapping | None, answers_by_name: Mapping[str, Any]) -> bool:
    """Return True when a question with this show-if RULE should be shown, given the answers so far.

    ANSWERS_BY_NAME maps question names to values (a list for multiple choice), an OptOut, or
    None. With no real answer (missing, None or an OptOut), "not_equals" and "none_of" are True
    (the ruled-out answer was not given) and every other operator is False.
    """
    if not rule:
        return True
    if is_joined(rule):
        join, parts = next(iter(rule.items()))
        results = (evaluate_show_if(part, answers_by_name) for part in parts)
        return all(results) if join == "all" else any(results)
    if rule.get("question") in answers_by_name and answers_by_name[rule.get("question")] is HIDDEN:
        return False  # the question it looks at was not asked, so the reason to ask is gone
    operator = rule.get("operator")
    values = [str(v) for v in rule.get("values") or []]
    answer = answers_by_name.get(rule.get("question"))
    if answer is None or isinstance(answer, OptOut) or answer == []:
        return operator in ("not_equals", "none_of")
    chosen = [str(a) for a in answer] if isinstance(answer, (list, tuple)) else [str(answer)]
    is_list = isinstance(answer, (list, tuple))
    if operator == "answered":
        return True
    if operator == "equals":
        return set(chosen) == set(values) if is_list else chosen[0] in values
    if operator == "not_equals":
        return set(chosen) != set(values) if is_list else chosen[0] not in values
    if operator == "any_of":
        return any(c in values for c in chosen)
    if operator == "none_of":
        return not any(c in values for c in chosen)
    if operator in ("greater_than", "less_than"):
        if not values or is_list:
            return False
        order = _compare(chosen[0], values[0])
        if order is None:
            return False
        return order > 0 if operator == "greater_than" else order < 0
    return True  # an unknown rule never hides a question


def is_answered(answer: Mapping | None) -> bool:
    """Return True when an answer row holds a value or an opt-out (notes alone do not count)."""
    return bool(answer) and (answer.get("value") is not None or answer.get("opt_out") is not None)


def answer_for_rules(question_type: str, answer: Mapping | None) -> Any:
    """Return how an answer row counts in show-if rules: its value, an OptOut, or None."""
    if not answer:
        return None
    if answer.get("opt_out"):
        return OptOut(answer["opt_out"])
    return decode_value(question_type, answer.get("value"))


def visible_questions(questions: Sequence[Mapping], answers: Mapping[str, Mapping] | Iterable[Mapping]) -> list:
    """Return the questions to show, in order, given answer rows (by question id, or a list).

    A question whose rule depends on a hidden question is hidden too, so a chain of rules
    never shows a question whose reason to be asked is gone.
    """
    if not isinstance(answers, Mapping):
        answers = {a["question_id"]: a for a in answers}
    by_name: dict[str, Any] = {q["name"]: HIDDEN for q in questions}
    visible = []
    for question in questions:
        if evaluate_show_if(question.get("show_if"), by_name):
            visible.append(question)
            by_name[question["name"]] = answer_for_rules(question["type"], answers.get(question["id"]))
        else:
            by_name[question["name"]] = HIDDEN
    return visible


# ---- checking answers -----------------------------------------------------------------------


def question_options(question: Mapping) -> list[str]:
    """Return a question's answer options (Yes and No for a yes/no question with none set)."""
    options = list(question.get("options") or [])
    if isinstance(question.get("options"), str):
        options = json.loads(question["options"])
    if question.get("type") == "yes_no" and not options:
        return ["Yes", "No"]
    return options


def opt_out_for_option(text: Any) -> str | None:
    """Return the opt-out kind an answer option stands for ("Prefer not to say"), or None."""
    if not isinstance(text, str):
        return None
    return OPT_OUT_OPTION_TEXTS.get(text.strip().replace("’", "'").casefold())


def _match_option(raw: Any, options: list[str]) -> str | None:
    text = str(raw).strip()
    if text in options:
        return text
    folded = {o.casefold(): o for o in options}
    return folded.get(text.casefold())


def validate_answer(question: Mapping, raw: Any) -> str:
    """Return the answer as it is stored (text), or raise InvalidAnswer with a plain reason."""
    kind = question.get("type")
    if kind == "note":
        raise InvalidAnswer("This is something to read out. It does not need an answer.")
    if raw is None or (isinstance(raw, str) and not raw.strip()) or raw == []:
        raise InvalidAnswer("Give an answer, or choose Skip.")
    if kind in OPEN_TYPES:
        if not isinstance(raw, str):
            raise InvalidAnswer("This answer must be words.")
        if len(raw) > MAX_TEXT_LENGTH:
            raise InvalidAnswer(f"This answer is too long. Keep it to {MAX_TEXT_LENGTH:,} letters or fewer.")
        return raw  # kept exactly as typed
    if kind == "number":
        if isinstance(raw, bool):
            raise InvalidAnswer("Type a number, like 12 or 3.5.")
        number = _number(str(raw).strip())
        if number is None or math.isinf(number):
            raise InvalidAnswer("Type a number, like 12 or 3.5.")
        return str(int(number)) if number.is_integer() and abs(number) < 1e15 else repr(number)
    if kind == "date":
        if isinstance(raw, _dt.datetime):
            raw = raw.date()
        if isinstance(raw, _dt.date):
            return raw.isoformat()
        try:
            return _dt.date.fromisoformat(str(raw).strip()).isoformat()
        except ValueError:
            raise InvalidAnswer("Type the date as year-month-day, like 2025-03-31.") from None
    options = question_options(question)
    if kind == "yes_no" and isinstance(raw, bool):
        raw = options[0] if raw else options[1]
    if kind in ("single_choice", "scale", "yes_no"):
        if isinstance(raw, (list, tuple)):
            raise InvalidAnswer("Pick only one answer.")
        match = _match_option(raw, options)
        if match is None and kind == "yes_no":
            word = str(raw).strip().casefold()
            match = options[0] if word in YES_WORDS else options[1] if word in NO_WORDS else None
        if match is None:
            raise InvalidAnswer("Pick one of the answers on the list.")
        return match
    if kind == "multiple_choice":
        if isinstance(raw, str):
            try:
                raw = json.loads(raw)
            except ValueError:
                raw = [raw]
        if not isinstance(raw, (list, tuple)) or not raw:
            raise InvalidAnswer("Pick one or more answers from the list.")
        picked = set()
        for item in raw:
            match = _match_option(item, options)
            if match is None:
                raise InvalidAnswer("Pick only answers from the list.")
            picked.add(match)
        # Stored in the order of the options, so the same choice is always the same text.
        return json.dumps([o for o in options if o in picked], ensure_ascii=False)
    raise InvalidAnswer("This kind of question cannot take an answer here.")


def normalise_answer(question: Mapping, value: Any, opt_out: str | None = None) -> tuple[str | None, str | None]:
    """Return (value, opt_out) as a save would store them, or raise InvalidAnswer.

    An opt-out option ("Prefer not to say") becomes the opt-out kind, never a value.
    """
    if opt_out is not None:
        if opt_out not in OPT_OUTS:
            raise InvalidAnswer("That is not a way to skip a question this tool knows.")
        if value not in (None, "", []):
            raise InvalidAnswer("Give an answer or a skip, not both.")
        return None, opt_out
    kind = question.get("type")
    if kind in ("single_choice", "scale", "yes_no"):
        mapped = opt_out_for_option(value)
        if mapped:
            return None, mapped
    if kind == "multiple_choice":
        items = value
        if isinstance(value, str):
            try:
                items = json.loads(value)
            except ValueError:
                items = [value]
        if isinstance(items, (list, tuple)):
            no_answer = [i for i in items if opt_out_for_option(i)]
            if no_answer and len(items) > 1:
                raise InvalidAnswer(f'"{no_answer[0]}" cannot go with other answers. Pick it on its own.')
            if len(items) == 1 and opt_out_for_option(items[0]):
                return None, opt_out_for_option(items[0])
    return validate_answer(question, value), None


def _word_count(kind: str, value: str | None) -> int:
    return store.count_words(value) if kind in OPEN_TYPES else 0


# ---- who may act, and text that can be stored ------------------------------------------------


def _check_actor(db: Database, actor: Actor) -> Actor:
    """Return ACTOR as the database knows it now, when its account may ask surveys; else raise NotAllowed."""
    return accounts.check_actor(db, actor, *INTERVIEW_ROLES)


def _refuse_others(actor: Actor, interviewer_id: str | None, doing: str) -> None:
    """Raise NotYours unless the interview is ACTOR's own or ACTOR is an admin."""
    if actor.role != "admin" and interviewer_id != actor.person_id:
        raise NotYours(f"This interview was started by another interviewer, so you cannot {doing} it.")


def _storable(value: Any) -> bool:
    """Return True when every piece of text in VALUE can be written to the database (UTF-8)."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return False  # a lone surrogate, e.g. from a broken copy and paste
        return True
    if isinstance(value, (list, tuple)):
        return all(_storable(item) for item in value)
    return True


def _refuse_unstorable(what: str, value: Any) -> None:
    if not _storable(value):
        raise InvalidAnswer(f"{what} has a broken sign in it that cannot be saved. "
                            "Delete it and type it again.")


def _refuse_unknown_ids(*ids: Any) -> None:
    # An id that cannot even be written is not in the database: say so before opening a transaction.
    if not all(isinstance(i, str) and _storable(i) for i in ids):
        raise store.NotFound("That interview or question is not in the database.")


def check_respondent_code(code: str) -> str:
    """Return the respondent code as it is stored (spaces at the ends removed), or raise InvalidAnswer."""
    if not isinstance(code, str):
        raise InvalidAnswer("Type a code for the person you are asking.")
    _refuse_unstorable("The code", code)
    code = code.strip()
    if not code:
        raise InvalidAnswer("Type a code for the person you are asking.")
    if len(code) > MAX_CODE_LENGTH:
        raise InvalidAnswer("This code is too long. Use a short code.")
    # Hidden signs (NUL, tabs, line breaks, zero-width spaces) make two codes that look the same
    # differ, and SQLite counts a code that starts with NUL as empty.
    if any(unicodedata.category(ch).startswith("C") for ch in code):
        raise InvalidAnswer("A code can only have letters, numbers and signs you can see, like AB-1234.")
    return code


# ---- starting, saving, resuming, submitting -------------------------------------------------


def start_interview(
    db: Database,
    version_id: str,
    respondent_code: str,
    actor: Actor,
    consent: bool,
    mode: str = "one_at_a_time",
    language: str = "",
) -> str:
    """Return the id of a new interview by ACTOR; with consent declined it is closed at once, with no answers.

    LANGUAGE is the one of the version's languages the questions are asked in ('' for the main one).
    """
    code = check_respondent_code(respondent_code)
    if mode not in MODES:
        raise InvalidAnswer("Choose one question at a time, or all questions on one page.")
    _refuse_unknown_ids(version_id)
    interview_id = new_id()
    stamp = now()
    actor = _check_actor(db, actor)  # before the write lock, as in save_answer
    with write_transaction(db):
        version = store.get_version(db, version_id)
        if version["status"] != "published":
            raise InvalidAnswer("This survey version is not ready to use. Pick a version that is ready.")
        language = check_language(db, version_id, language) if language else ""
        row = {
            "id": interview_id,
            "version_id": version_id,
            "respondent_code": code,
            "interviewer_id": actor.person_id,
            "consent": "given" if consent else "declined",
            "status": "draft" if consent else "submitted",
            "mode": mode,
            "started_at": stamp,
            "finished_at": None if consent else stamp,
            "seconds": None if consent else 0.0,
            "synthetic": 0,
            "updated_at": stamp,
        }
        sql.insert_interview(db, row)
        if language:
            set_interview_language(db, interview_id, language)
            row["language"] = language
        action = "start interview" if consent else "consent declined"
        audit(db, actor.name, action, "interview", interview_id, None, row)
    return interview_id


def _context(db: Database, interview_id: str, question_id: str, actor: Actor, doing: str) -> dict:
    context = sql.answer_context(db, interview_id, question_id)
    if context is None:
        raise store.NotFound("That interview or question is not in the database.")
    if context["question_version_id"] != context["version_id"]:
        raise InvalidAnswer("This question is not in this survey version.")
    _refuse_others(actor, context["interviewer_id"], doing)
    if context["consent"] != "given":
        raise InvalidAnswer("This person did not agree to take part, so no answers can be saved.")
    return context


def save_answer(
    db: Database,
    interview_id: str,
    question_id: str,
    value: Any = None,
    opt_out: str | None = None,
    seconds: float | None = None,
    *,
    actor: Actor,
) -> str:
    """Return the answer id after saving one answer (or opt-out) in its own transaction.

    ACTOR is who is saving (checked again in the database); an interview that is not theirs
    is refused unless they are an admin. Saving again replaces the value and keeps the same
    answer id.
    """
    _refuse_unknown_ids(interview_id, question_id)
    _refuse_unstorable("The answer", value)
    if seconds is not None and (not isinstance(seconds, (int, float)) or not math.isfinite(seconds) or seconds < 0):
        seconds = None
    # Who is saving, what the question takes and whether the answer fits are read and checked
    # before the write lock is taken, so the lock is held only for the write itself: with many
    # interviewers on one file, each waits for the others' writes, not for their checks.
    actor = _check_actor(db, actor)
    context = _context(db, interview_id, question_id, actor, "change")
    sent_in = "This interview was sent in. To change an answer, give a reason for the change."
    if context["interview_status"] != "draft":
        raise InvalidAnswer(sent_in)
    question = {"type": context["type"], "options": json.loads(context["options"])}
    stored, kind = normalise_answer(question, value, opt_out)
    with write_transaction(db):
        if sql.interview_status(db, interview_id) != "draft":  # the one thing that can change meanwhile
            raise InvalidAnswer(sent_in)
        return sql.upsert_answer(
            db,
            answer_id=new_id(),
            interview_id=interview_id,
            question_id=question_id,
            value=stored,
            opt_out=kind,
            word_count=_word_count(context["type"], stored),
            seconds=None if seconds is None else round(seconds, 1),
            updated_at=now(),
        )


def save_note(
    db: Database,
    interview_id: str,
    question_id: str,
    *,
    needed_explaining: bool | None = None,
    reworded: bool | None = None,
    upsetting: bool | None = None,
    note: str | None = None,
    actor: Actor,
) -> str:
    """Return the answer id after saving the interviewer's notes on one question (None keeps a note)."""
    _refuse_unknown_ids(interview_id, question_id)
    if note is not None and not isinstance(note, str):
        raise InvalidAnswer("A note must be words.")
    _refuse_unstorable("The note", note)
    if note is not None and len(note) > MAX_TEXT_LENGTH:
        raise InvalidAnswer(f"This note is too long. Keep it to {MAX_TEXT_LENGTH:,} letters or fewer.")
    actor = _check_actor(db, actor)  # checked before the write lock, as in save_answer
    context = _context(db, interview_id, question_id, actor, "change")
    sent_in = "This interview was sent in, so its notes cannot change."
    if context["interview_status"] != "draft":
        raise InvalidAnswer(sent_in)
    with write_transaction(db):
        if sql.interview_status(db, interview_id) != "draft":
            raise InvalidAnswer(sent_in)
        return sql.upsert_note(
            db,
            answer_id=new_id(),
            interview_id=interview_id,
            question_id=question_id,
            needed_explaining=needed_explaining,
            reworded=reworded,
            upsetting=upsetting,
            note=note,
            updated_at=now(),
        )


def unfinished_interviews(db: Database, actor: Actor) -> list[dict]:
    """Return ACTOR's own unfinished interviews, last worked on first.

    "questions" and "answered" count the questions shown so far by the show-if rules that take
    an answer, the same numbers the interview itself shows.
    """
    actor = _check_actor(db, actor)
    if actor.person_id is None:
        return []
    rows = sql.unfinished_for_interviewer(db, actor.person_id)
    for row in rows:
        state = _load(db, row["id"])
        row["questions"] = len(state.asked)
        row["answered"] = state.answered_count
    return rows


def submitted_interviews(db: Database, actor: Actor, search: str = "", limit: int = 20) -> tuple[list[dict], int]:
    """Return (up to LIMIT of ACTOR's own sent-in interviews, newest first; how many match in all).

    SEARCH keeps the codes that contain it, in any case. Declined interviews are not listed:
    nobody was asked anything, so there is nothing to change.
    """
    actor = _check_actor(db, actor)
    search = (search or "").strip()
    if actor.person_id is None or not _storable(search):
        return [], 0
    return (sql.submitted_for_interviewer(db, actor.person_id, search, limit),
            sql.count_submitted_for_interviewer(db, actor.person_id, search))


def version_counts(db: Database, version_id: str) -> dict[str, int]:
    """Return a version's questions (things to read out are not counted) and interviews by state.

    Keys: questions, with_rules (questions asked only after certain answers), finished, declined,
    unfinished. Finished means sent in by someone who agreed
    to take part; a declined interview never counts as finished.
    """
    return sql.version_interview_counts(db, version_id)


def _load(db: Database, interview_id: str) -> InterviewState:
    interview, questions, answers = sql.interview_sheet(db, interview_id)
    return InterviewState(interview, questions, answers, visible_questions(questions, answers))


def resume(db: Database, interview_id: str, actor: Actor) -> InterviewState:
    """Return the interview with its questions and saved answers, read in one query.

    Another interviewer's interview is refused (NotYours) unless ACTOR is an admin.
    """
    _refuse_unknown_ids(interview_id)
    actor = _check_actor(db, actor)
    state = _load(db, interview_id)
    _refuse_others(actor, state.interview["interviewer_id"], "open")
    return state


def _question_list(state: InterviewState, missing: list[dict]) -> str:
    numbers = state.numbers
    listed = ", ".join(str(numbers[q["id"]]) for q in missing)
    if len(missing) > 1:
        return f"Some questions need an answer or a skip before you send this in: question {listed}."
    return f"Question {listed} needs an answer or a skip before you send this in."


def _remove_hidden_answers(db: Database, state: InterviewState, visible_ids: set[str], actor: Actor,
                           reason: str | None = None) -> list[dict]:
    """Delete answers to questions a show-if rule now hides, each logged with its old value; return those questions."""
    removed = []
    for question in state.questions:
        answer = state.answers.get(question["id"])
        if question["id"] in visible_ids or not answer:
            continue
        sql.delete_answer(db, answer["id"])
        # The interview's id is in the entry so that erasing the respondent finds it.
        old = {k: answer[k] for k in ("interview_id", "question_id", "value", "opt_out", "note")}
        audit(db, actor.name, "remove hidden answer", "answer", answer["id"], old,
              {"reason": reason} if reason else None)
        removed.append(question)
    return removed


def _skip_unanswered(db: Database, state: InterviewState, visible_ids: set[str], stamp: str) -> list[dict]:
    """Store shown questions with no answer as skipped, so "not answered" is always explicit; return them."""
    skipped = []
    for question in state.questions:
        if question["id"] in visible_ids and question["type"] != "note" and not is_answered(
                state.answers.get(question["id"])):
            sql.upsert_answer(db, answer_id=new_id(), interview_id=state.interview["id"],
                              question_id=question["id"], value=None, opt_out="skipped", word_count=0,
                              seconds=None, updated_at=stamp)
            skipped.append(question)
    return skipped


def submit_interview(db: Database, interview_id: str, actor: Actor) -> dict:
    """Return the sent-in interview; required questions shown must have an answer or an opt-out.

    Shown questions left empty that are not required are stored as skipped. Answers to
    questions that a show-if rule now hides are removed, their old values kept in the audit log.
    """
    _refuse_unknown_ids(interview_id)
    with write_transaction(db):
        actor = _check_actor(db, actor)
        state = _load(db, interview_id)
        _refuse_others(actor, state.interview["interviewer_id"], "send in")
        if state.submitted:
            raise InvalidAnswer("This interview was already sent in.")
        if state.interview["consent"] != "given":
            raise InvalidAnswer("This person did not agree to take part.")
        missing = state.missing_required()
        if missing:
            raise InvalidAnswer(_question_list(state, missing))
        stamp = now()
        visible_ids = {q["id"] for q in state.visible}
        _remove_hidden_answers(db, state, visible_ids, actor)
        _skip_unanswered(db, state, visible_ids, stamp)
        # The interview's time is the time spent on its questions, as in the demo data.
        total = round(sql.count_rows(db, interview_id)["seconds"], 1)
        sql.mark_submitted(db, interview_id, finished_at=stamp, seconds=total)
        audit(db, actor.name, "submit interview", "interview", interview_id,
              {"status": "draft"}, {"status": "submitted", "finished_at": stamp, "seconds": total})
        return sql.get_interview(db, interview_id)


@dataclass(frozen=True)
class AnswerChange:
    """What changing a sent-in answer did: the answer's id, and how the show-if rules moved.

    `removed` are questions that no longer apply (their answers were removed, the old values kept
    in the audit log); `now_shown` are questions that now apply and were stored as skipped, to be
    changed in the same way if the person answered them.
    """

    answer_id: str
    removed: list[dict] = field(default_factory=list)
    now_shown: list[dict] = field(default_factory=list)


def edit_effects(state: InterviewState, question_id: str, value: Any = None,
                 opt_out: str | None = None) -> tuple[list[dict], list[dict]]:
    """Return (questions that would stop applying, questions that would start applying) after a change.

    Used to warn before a change to a sent-in interview is saved; the value is checked the same
    way a save checks it. Raises InvalidAnswer when the value cannot be saved.
    """
    question = state.question(question_id)
    stored, kind = normalise_answer(question, value, opt_out)
    old = state.answers.get(question_id) or {}
    answers = {**state.answers, question_id: {**old, "question_id": question_id, "value": stored, "opt_out": kind}}
    before = {q["id"] for q in state.visible}
    after = visible_questions(state.questions, answers)
    after_ids = {q["id"] for q in after}
    stops = [q for q in state.visible if q["id"] not in after_ids and q["type"] != "note"
             and is_answered(state.answers.get(q["id"]))]
    starts = [q for q in after if q["id"] not in before and q["type"] != "note"]
    return stops, starts


def edit_submitted_answer(
    db: Database,
    interview_id: str,
    question_id: str,
    *,
    value: Any = None,
    opt_out: str | None = None,
    reason: str,
    actor: Actor,
) -> AnswerChange:
    """Return what changed after changing an answer of a sent-in interview, with a reason.

    The old value and the reason go to the audit log. The show-if rules are run again on the
    whole interview: answers to questions that no longer apply are removed (logged, with the
    reason), and questions that now apply are stored as skipped.
    """
    _refuse_unknown_ids(interview_id, question_id)
    if not isinstance(reason, str) or not reason.strip():
        raise InvalidAnswer("Say why you are changing this answer.")
    _refuse_unstorable("The reason", reason)
    _refuse_unstorable("The answer", value)
    if len(reason) > MAX_TEXT_LENGTH:
        raise InvalidAnswer(f"This reason is too long. Keep it to {MAX_TEXT_LENGTH:,} letters or fewer.")
    with write_transaction(db):
        actor = _check_actor(db, actor)
        context = _context(db, interview_id, question_id, actor, "change")
        if context["interview_status"] != "submitted":
            raise InvalidAnswer("This interview is not sent in yet. Change the answer in the interview.")
        if context["type"] == "note":
            raise InvalidAnswer("This is something to read out. It does not need an answer.")
        question = {"type": context["type"], "options": json.loads(context["options"])}
        stored, kind = normalise_answer(question, value, opt_out)
        old = sql.get_answer(db, interview_id, question_id)
        stamp = now()
        if old is None:
            answer_id = sql.upsert_answer(db, answer_id=new_id(), interview_id=interview_id,
                                          question_id=question_id, value=stored, opt_out=kind,
                                          word_count=_word_count(context["type"], stored), seconds=None,
                                          updated_at=stamp)
        else:
            answer_id = old["id"]
            sql.set_answer_value(db, answer_id, value=stored, opt_out=kind,
                                 word_count=_word_count(context["type"], stored), updated_at=stamp)
        audit(db, actor.name, "edit answer after submit", "answer", answer_id,
              None if old is None else {"value": old["value"], "opt_out": old["opt_out"]},
              {"value": stored, "opt_out": kind, "reason": reason.strip(), "question_id": question_id,
               "interview_id": interview_id})
        # The change may show or hide other questions: run the rules again, as at send-in.
        state = _load(db, interview_id)
        visible_ids = {q["id"] for q in state.visible}
        removed = _remove_hidden_answers(db, state, visible_ids, actor,
                                         reason=f"after a change to {context['name']}: {reason.strip()}")
        now_shown = _skip_unanswered(db, state, visible_ids, stamp)
        return AnswerChange(answer_id, removed, now_shown)


def answer_text(question: Mapping, answer: Mapping | None) -> str:
    """Return a saved answer as plain words for the screen ("Skipped", "Red, Blue", "12")."""
    if not is_answered(answer):
        return "No answer yet"
    if answer.get("opt_out"):
        return OPT_OUT_LABELS[answer["opt_out"]]
    value = decode_value(question["type"], answer["value"])
    return ", ".join(value) if isinstance(value, list) else str(value)


__all__ = [
    "AnswerChange",
    "INTERVIEW_ROLES",
    "check_respondent_code",
    "edit_effects",
    "submitted_interviews",
    "version_counts",
    "DEFAULT_CODE_PATTERN",
    "DEFAULT_CONSENT_TEXT",
    "InterviewState",
    "InvalidAnswer",
    "MODES",
    "NotYours",
    "OPT_OUT_LABELS",
    "OptOut",
    "answer_text",
    "consent_text",
    "decode_value",
    "edit_submitted_answer",
    "evaluate_show_if",
    "is_answered",
    "normalise_answer",
    "opt_out_for_option",
    "question_options",
    "respondent_code_pattern",
    "respondent_code_warnings",
    "resume",
    "save_answer",
    "save_note",
    "start_interview",
    "submit_interview",
    "unfinished_interviews",
    "validate_answer",
    "visible_questions",
]
