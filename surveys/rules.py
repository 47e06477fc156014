"""Show-if rules and answer rules: their shape, joining them, and saying them in plain words.

A show-if rule is one condition, ``{"question": name, "operator": ..., "values": [...]}``, or
conditions joined: ``{"all": [rule, rule, ...]}`` (every one holds) or ``{"any": [...]}`` (at
least one holds). Joined rules come from spreadsheet forms, where a group's rule and a
question's own rule both apply, and where one rule looks at two questions.

An answer rule (a form's ``constraint``, such as ``. <= 72``) is kept with the question for the
form file, and shown to interviewers in words ("A number up to 72").
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

SHOW_IF_LABELS = {
    "equals": "is",
    "not_equals": "is not",
    "any_of": "is one of",
    "none_of": "is none of",
    "greater_than": "is more than",
    "less_than": "is less than",
    "answered": "has an answer",
}
JOIN_WORDS = {"all": "and", "any": "or"}


# ---- the shape of a rule ------------------------------------------------------------------------


def is_joined(rule: Mapping | None) -> bool:
    """Return True when RULE joins other rules with all / any rather than being one condition."""
    return bool(rule) and len(rule) == 1 and next(iter(rule)) in JOIN_WORDS


def conditions(rule: Mapping | None) -> Iterator[Mapping]:
    """Yield every single condition inside RULE, in order."""
    if not rule:
        return
    if is_joined(rule):
        for part in next(iter(rule.values())):
            yield from conditions(part)
    else:
        yield rule


def rule_questions(rule: Mapping | None) -> list[str]:
    """Return the names of the questions RULE looks at, each once, in order."""
    return list(dict.fromkeys(str(c.get("question")) for c in conditions(rule)))


def all_of(*rules: Mapping | None) -> dict | None:
    """Return one rule that holds when every one of RULES holds (None when there are none)."""
    parts: list[dict] = []
    for rule in rules:
        if not rule:
            continue
        if is_joined(rule) and "all" in rule:
            parts.extend(p for p in rule["all"] if p not in parts)
        elif rule not in parts:
            parts.append(dict(rule))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else {"all": parts}


# ---- show-if in words ---------------------------------------------------------------------------


def _describe_condition(condition: Mapping, by_name: Mapping[str, Mapping]) -> str:
    source = by_name.get(condition.get("question", ""))
    if source:
        who = f"question {source['position']} ({source['name']})"
    else:
        who = f"the question {condition.get('question')}"
    operator = condition.get("operator", "equals")
    words = SHOW_IF_LABELS.get(operator, operator)
    if operator == "answered":
        return f"{who} {words}"
    values = condition.get("values") or []
    if operator in ("greater_than", "less_than"):
        joined = ", ".join(str(v) for v in values)
    else:
        joined = " or ".join(f"“{v}”" for v in values)
    return f"{who} {words} {joined}"


def _describe(rule: Mapping, by_name: Mapping[str, Mapping], nested: bool) -> str:
    if not is_joined(rule):
        return _describe_condition(rule, by_name)
    join, parts = next(iter(rule.items()))
    text = f" {JOIN_WORDS[join]} ".join(_describe(p, by_name, True) for p in parts)
    return f"({text})" if nested else text


def describe_show_if(show_if: Mapping | None, questions: Sequence[Mapping] = ()) -> str:
    """Return a show-if rule in plain words, e.g. 'Only ask if question 6 (rough_sleeping) is “Yes”.'"""
    if not show_if:
        return ""
    by_name = {q["name"]: q for q in questions}
    return f"Only ask if {_describe(show_if, by_name, False)}."


# ---- answer rules (constraints) in words ----------------------------------------------------------

_REF = re.compile(r"\$\{([A-Za-z_][\w.\-]*)\}")
_NUMBER = r"-?\d+(?:\.\d+)?"
_SELF_COMPARE = re.compile(rf"^\.\s*(<=|>=|<|>|=|!=)\s*(?:({_NUMBER})|'([^']*)'|\"([^\"]*)\"|\$\{{([\w.\-]+)\}}|(today\(\)))$")
_COUNT = re.compile(rf"^count-selected\(\s*\.\s*\)\s*(<=|>=|<|>|=)\s*({_NUMBER})$")
_LENGTH = re.compile(rf"^string-length\(\s*\.\s*\)\s*(<=|>=|<|>|=)\s*({_NUMBER})$")
_NOT_SELECTED_SELF = re.compile(r"^not\(\s*selected\(\s*\.\s*,\s*'([^']*)'\s*\)\s*\)$")


def split_top_level(expr: str, joiner: str) -> list[str]:
    """Return EXPR split on JOINER (`and` or `or`, as a word) outside quotes and brackets."""
    parts, depth, quote, start, i = [], 0, "", 0, 0
    pattern = re.compile(rf"\s+{joiner}\s+")
    while i < len(expr):
        ch = expr[i]
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        elif depth == 0 and ch.isspace():
            match = pattern.match(expr, i)
            if match:
                parts.append(expr[start:i].strip())
                i = start = match.end()
                continue
        i += 1
    parts.append(expr[start:].strip())
    return parts


def strip_brackets(text: str) -> str:
    """Return TEXT without brackets that wrap all of it: '((a = 1))' -> 'a = 1'."""
    text = text.strip()
    while text.startswith("(") and text.endswith(")"):
        depth, quote = 0, ""
        for index, ch in enumerate(text):
            if quote:
                quote = "" if ch == quote else quote
            elif ch in "'\"":
                quote = ch
            elif ch == "(":
                depth += 1
            elif ch == ")":
                depth -= 1
                if depth == 0 and index < len(text) - 1:
                    return text
        text = text[1:-1].strip()
    return text


def _bound(op: str, number: str, kind: str, unit: str = "") -> tuple[str, str] | None:
    """Return (low, high) words for one comparison with a number: low or high is ''."""
    value = float(number)
    shown = number if "." in number else str(int(value))
    whole = kind in ("integer", "count")
    if op == "<=":
        return "", shown
    if op == ">=":
        return shown, ""
    if op == "<":
        return ("", str(int(value) - 1)) if whole and value == int(value) else ("", f"less than {shown}")
    if op == ">":
        return (str(int(value) + 1), "") if whole and value == int(value) else (f"more than {shown}", "")
    return shown, shown


def _range_words(low: str, high: str, noun: str) -> str:
    if low and high and low == high:
        return f"{noun} of exactly {low}"
    if low.startswith("more than") or high.startswith("less than"):
        bits = []
        if low:
            bits.append(low if low.startswith("more than") else f"of at least {low}")
        if high:
            bits.append(high if high.startswith("less than") else f"up to {high}")
        return f"{noun} " + " and ".join(bits)
    if low and high:
        return f"{noun} from {low} to {high}"
    if high:
        return f"{noun} up to {high}"
    return f"{noun} of at least {low}"


def describe_constraint(expr: str, question_type: str = "number", names: Mapping[str, str] | None = None,
                        number_kind: str = "") -> str:
    """Return a form's answer rule in plain words ("A number up to 72"), or '' when it is too complex.

    QUESTION_TYPE is ours (number, date, text, multiple_choice...); NUMBER_KIND is "integer"
    for whole numbers, so "< 5" reads "up to 4". NAMES gives words for other questions
    (name: "question 3 (age)").
    """
    names = names or {}
    expr = strip_brackets(str(expr or ""))
    if not expr:
        return ""
    parts = [strip_brackets(p) for p in split_top_level(expr, "and")]
    low = high = ""
    extra: list[str] = []
    noun = {"number": "A whole number" if number_kind == "integer" else "A number",
            "date": "A date", "text": "An answer", "long_text": "An answer"}.get(
        question_type, "An answer")
    for part in parts:
        count = _COUNT.match(part)
        length = _LENGTH.match(part)
        if count and question_type == "multiple_choice":
            bound = _bound(count.group(1), count.group(2), "count")
            low, high = bound[0] or low, bound[1] or high
            noun = "Pick"
            continue
        if length:
            bound = _bound(length.group(1), length.group(2), "count")
            low, high = bound[0] or low, bound[1] or high
            noun = "letters"
            continue
        not_picked = _NOT_SELECTED_SELF.match(part)
        if not_picked:
            extra.append(f"not “{not_picked.group(1)}”")
            continue
        match = _SELF_COMPARE.match(part)
        if not match:
            return ""
        op, number, single, double, ref, today = match.groups()
        if number is not None and question_type in ("number", "text", "long_text"):
            if op == "!=":
                extra.append(f"not {number}")
                continue
            bound = _bound(op, number, number_kind or "decimal")
            low, high = bound[0] or low, bound[1] or high
            if question_type != "number":
                noun = "A number"
            continue
        if ref is not None or today is not None:
            other = "today" if today is not None else names.get(ref, f"the answer to {ref}")
            if question_type == "date":
                words = {"<=": f"no later than {other}", "<": f"before {other}", ">=": f"no earlier than {other}",
                         ">": f"after {other}", "=": f"the same as {other}", "!=": f"not the same as {other}"}[op]
            else:
                words = {"<=": f"no more than {other}", "<": f"less than {other}", ">=": f"at least {other}",
                         ">": f"more than {other}", "=": f"the same as {other}", "!=": f"not the same as {other}"}[op]
            extra.append(words)
            continue
        text = single if single is not None else double
        if text is not None and op in ("=", "!="):
            extra.append(f"“{text}”" if op == "=" else f"not “{text}”")
            continue
        return ""
    if noun == "Pick" and (low or high):
        if low and high and low == high:
            sentence = f"Pick exactly {low}"
        elif low and high:
            sentence = f"Pick from {low} to {high} answers"
        elif high:
            sentence = f"Pick up to {high} answers"
        else:
            sentence = f"Pick at least {low} answers"
    elif noun == "letters":
        if low and high:
            sentence = f"Exactly {low} letters" if low == high else f"From {low} to {high} letters"
        else:
            sentence = f"Up to {high} letters" if high else f"At least {low} letters"
    elif low or high:
        sentence = _range_words(low, high, noun)
    else:
        sentence = noun
    if extra:
        sentence += (", but " if (low or high) else " that is ") + " and ".join(extra)
    return sentence + "."




def answer_rule_words(question: Mapping, language: str = "", main_language: str = "") -> str:
    """Return what an interviewer should know about a question's answer rule, in words; '' for none.

    The form's own message in the interview's LANGUAGE comes first (it was written for people),
    then the form's message with no language named (for the main language), then the rule in
    our own words ("A whole number up to 72."). A rule too complex to say is not shown.
    """
    kept = question.get("form_columns") or {}
    columns = kept.get("columns") or {}
    expr = columns.get("constraint", "")
    if not expr:
        return ""
    wanted = language or main_language
    for key in ([f"constraint_message::{wanted}"] if wanted else []) + (
            ["constraint_message"] if not language or language == main_language else []):
        if (columns.get(key) or "").strip():
            return columns[key].strip()
    first = str(kept.get("type", "")).replace("_", " ").lower().split()[:1]
    return describe_constraint(expr, str(question.get("type", "")),
                               number_kind="integer" if first in (["integer"], ["int"]) else "")


__all__ = [
    "JOIN_WORDS",
    "SHOW_IF_LABELS",
    "all_of",
    "answer_rule_words",
    "conditions",
    "describe_constraint",
    "describe_show_if",
    "is_joined",
    "rule_questions",
    "split_top_level",
    "strip_brackets",
]
