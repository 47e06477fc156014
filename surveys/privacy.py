"""Personal details in open answers: find them, mask them, and report them to the admin.

The people interviewed are among the most exposed in the country, so open answers and
interviewer notes are checked for names, phone numbers, email addresses, UK postcodes,
National Insurance numbers and dates of birth. Patterns find the fixed-shape details; names
come from spaCy's PERSON entities when a model is installed (nothing is downloaded).

Masking is slow (the name model), so each open answer and note is read once, when it is
saved or soon after (`read_waiting_answers`), and what was found is stored with the masked
text; views, search and exports read that back. Masking is on everywhere except the admin's
own views, and an export that keeps the details needs a signed-in admin (an accounts.Actor,
checked again against the database) and is logged (`record_identifiable_export`).
"""

from __future__ import annotations

import functools
import json
import re
import threading
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from surveys.accounts import Actor, NotAllowed, check_actor
from surveys.storage import StorageError, audit, write_transaction
from surveys.storage import accounts as account_store
from surveys.storage import quality as quality_store
from surveys.storage.core import NotFound, count_words

KINDS = ("name", "phone", "email", "postcode", "ni_number", "date_of_birth")
MASKS = {
    "name": "[name]",
    "phone": "[phone]",
    "email": "[email]",
    "postcode": "[postcode]",
    "ni_number": "[NI number]",
    "date_of_birth": "[date of birth]",
}
KIND_LABELS = {
    "name": "Name",
    "phone": "Phone number",
    "email": "Email address",
    "postcode": "Postcode",
    "ni_number": "National Insurance number",
    "date_of_birth": "Date of birth",
}


@dataclass(frozen=True)
class Finding:
    """One personal detail found in a text: its kind, where it is, and the words found."""

    kind: str
    start: int
    end: int
    text: str


class IdentifiableExportRefused(StorageError, PermissionError):
    """Someone without the admin role asked for an export that keeps personal details."""


# ---- patterns ---------------------------------------------------------------------------------

EMAIL = re.compile(r"(?<![\w.+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")
# UK numbers: +44 / 0044 / 0 then 9 or 10 more digits, with spaces, dashes or brackets between.
PHONE = re.compile(
    r"(?<![\w+])(?:(?:\+|00)\s?44\s?(?:\(0\)\s?)?|\(?0)\d(?:\)?[\s-]?\d){8,9}(?!\d)"
)
# Full UK postcodes only (outward and inward parts): an outward part alone ("M1", "SE1") is
# too often something else, and a false alarm costs trust.
POSTCODE = re.compile(
    r"\b(?:GIR ?0AA|"
    r"(?:[A-PR-UWYZ][0-9]{1,2}|[A-PR-UWYZ][A-HK-Y][0-9]{1,2}|[A-PR-UWYZ][0-9][A-HJKPSTUW]"
    r"|[A-PR-UWYZ][A-HK-Y][0-9][ABEHMNPRV-Y])"
    r" ?[0-9][ABD-HJLNP-UW-Z]{2})\b",
    re.IGNORECASE,
)
# National Insurance numbers: two letters (some never used), six digits, a letter A to D.
NI_NUMBER = re.compile(
    r"\b(?!BG|GB|KN|NK|NT|TN|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]"
    r"[\s-]?\d{2}[\s-]?\d{2}[\s-]?\d{2}[\s-]?[A-D]\b",
    re.IGNORECASE,
)
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_DAY = r"(?:0?[1-9]|[12][0-9]|3[01])(?:st|nd|rd|th)?"
_YEAR = r"(?:19|20)\d{2}"
# A full date: day, month and year in any common order or style.
FULL_DATE = re.compile(
    r"\b(?:"
    rf"{_DAY}[/.-](?:0?[1-9]|1[0-2])[/.-](?:{_YEAR}|\d{{2}})"
    rf"|{_YEAR}-(?:0?[1-9]|1[0-2])-(?:0?[1-9]|[12][0-9]|3[01])"
    rf"|{_DAY}(?:\s+of)?\s+{_MONTH},?\s+{_YEAR}"
    rf"|{_MONTH}\s+{_DAY},?\s+{_YEAR}"
    r")\b",
    re.IGNORECASE,
)
# A part date (a year, a month and year, or a day and month) counts only just after a birth word.
BIRTH_WORDS = re.compile(r"\b(?:born|d\.?o\.?b\.?|date of birth|birth ?day)\b", re.IGNORECASE)
PART_DATE = re.compile(
    rf"\b(?:{_DAY}(?:\s+of)?\s+{_MONTH}(?:,?\s+{_YEAR})?|{_MONTH}\s+{_DAY}(?:,?\s+{_YEAR})?"
    rf"|{_MONTH},?\s+{_YEAR}|{_YEAR}|{_DAY}[/.-](?:0?[1-9]|1[0-2]))\b",
    re.IGNORECASE,
)
BIRTH_WINDOW = 30  # characters after a birth word in which a part date is taken as a birth date
# "My name is Sam", "I'm called Jo Smith", "Mrs Patel": names the model may miss.
NAME_PHRASE = re.compile(
    r"\b(?:(?:[Mm]y|[Hh]er|[Hh]is|[Tt]heir) name(?: is|'s)|I am called|I'm called|[Cc]all me)\s+"
    r"((?:[A-Z][a-z'-]+)(?:\s+[A-Z][a-z'-]+)?)"
)
TITLE_NAME = re.compile(r"\b((?:Mr|Mrs|Ms|Miss|Mx|Dr)\.?\s+[A-Z][a-z'-]+(?:\s+[A-Z][a-z'-]+)?)")
# Words spaCy's small model sometimes calls a person, but that name nobody.
NOT_NAMES = frozenset(
    """mum mam mom mummy dad daddy nan nana nanny gran granny grandma grandad grandpa
    brother sister son daughter aunt auntie uncle cousin wife husband partner boyfriend girlfriend
    god jesus lord christ allah staff worker keyworker key support manager doctor nurse
    gp police officer probation council housing landlord friend mate""".split()
)
# After "call me" or "my name is", these words are a time, not a name ("call me Monday").
# They are not dropped from the model's names: April, May and June are names too.
CALENDAR_WORDS = frozenset(
    """monday tuesday wednesday thursday friday saturday sunday today tomorrow tonight
    january february march april may june july august september october november december""".split()
)
# Emoji, other symbols and joiners: hidden from the name finder (see _for_names).
SYMBOL_CATEGORIES = ("So", "Sk", "Cf", "Cs", "Co")
# Pattern kinds win over a model's name when the two overlap ("07700 900123" is not a name).
PRIORITY = {"email": 0, "ni_number": 1, "phone": 2, "postcode": 3, "date_of_birth": 4, "name": 5}


# ---- the spaCy pipeline -----------------------------------------------------------------------

_PIPELINE_LOCK = threading.Lock()


def _load_pipeline() -> Any | None:
    """Return the shared spaCy pipeline with only the entity finder switched on, or None when no
    model is installed. The model is loaded once per process for the whole app (surveys/nlp.py);
    names need only the entity finder, which makes each answer about three times faster."""
    from surveys import nlp

    return nlp.pipeline_for(nlp.NAMES)


def pipeline() -> Any | None:
    """Return the shared spaCy pipeline used for names (loaded once), or None without a model."""
    with _PIPELINE_LOCK:
        return _load_pipeline()


def names_available() -> bool:
    """Return True when a spaCy model is installed, so names can be found as well as patterns."""
    return pipeline() is not None


# ---- finding and masking ----------------------------------------------------------------------


def _pattern_findings(text: str) -> list[Finding]:
    found: list[Finding] = []
    for kind, pattern in (("email", EMAIL), ("ni_number", NI_NUMBER), ("postcode", POSTCODE)):
        found += [Finding(kind, m.start(), m.end(), m.group()) for m in pattern.finditer(text)]
    for m in PHONE.finditer(text):
        digits = re.sub(r"\D", "", m.group())
        if digits.startswith("0044"):
            digits = digits[2:]
        # "+44 (0)20 ..." writes the leading 0 as well; drop it so every style counts the same.
        national = digits[2:].removeprefix("0") if digits.startswith("44") else digits[1:]
        if len(national) in (9, 10):
            found.append(Finding("phone", m.start(), m.end(), m.group()))
    found += [Finding("date_of_birth", m.start(), m.end(), m.group()) for m in FULL_DATE.finditer(text)]
    for word in BIRTH_WORDS.finditer(text):
        window_end = min(len(text), word.end() + BIRTH_WINDOW)
        match = PART_DATE.search(text, word.end(), window_end)
        if match:
            found.append(Finding("date_of_birth", match.start(), match.end(), match.group()))
    for pattern in (NAME_PHRASE, TITLE_NAME):
        for m in pattern.finditer(text):
            if m.group(1).split()[-1].lower() not in NOT_NAMES | CALENDAR_WORDS:
                found.append(Finding("name", m.start(1), m.end(1), m.group(1)))
    return found


def _name_findings(doc: Any) -> list[Finding]:
    found = []
    for ent in doc.ents:
        if ent.label_ != "PERSON":
            continue
        words = [w for w in ent.text.split() if w.lower().strip(".,'’s") not in NOT_NAMES]
        # A name has a capital letter; lower-case "entities" are the model guessing.
        if not words or not any(w[:1].isupper() for w in words):
            continue
        if not any(ch.isalpha() for ch in ent.text):
            continue
        # Symbols were blanked for the model (_for_names); the spaces they left are not part of a name.
        start = ent.start_char + len(ent.text) - len(ent.text.lstrip())
        end = ent.end_char - (len(ent.text) - len(ent.text.rstrip()))
        found.append(Finding("name", start, end, doc.text[start:end]))
    return found


def _resolve(findings: Iterable[Finding]) -> list[Finding]:
    """Return findings without overlaps, preferring pattern kinds, then longer matches."""
    chosen: list[Finding] = []
    ranked = sorted(findings, key=lambda f: (PRIORITY[f.kind], -(f.end - f.start), f.start))
    for finding in ranked:
        if all(finding.end <= c.start or finding.start >= c.end for c in chosen):
            chosen.append(finding)
    return sorted(chosen, key=lambda f: f.start)


def _for_names(text: str) -> str:
    """Return TEXT with emoji and other symbols turned into spaces, one for one.

    The small English model reads a word just before an emoji as a name ("Helpful ❤️" became
    "[name]"). Spaces keep every other character where it was, so places found still fit TEXT.
    """
    return "".join(" " if unicodedata.category(ch) in SYMBOL_CATEGORIES or 0xFE00 <= ord(ch) <= 0xFE0F else ch
                   for ch in text)


def _might_hold_name(text: str) -> bool:
    # Without a capital letter (other than "I") the model finds no names; skip it for speed.
    return re.search(r"(?<![A-Za-z])(?!I\b)[A-Z][a-z]", text) is not None


# Findings by text, with names. Answers repeat a lot (and reports run again), and the name
# model is the slow part, so each distinct text goes through it once per process.
_CACHE_LIMIT = 200_000
_cache: dict[str, tuple[Finding, ...]] = {}
_cache_lock = threading.Lock()


def _remember_findings(text: str, findings: tuple[Finding, ...]) -> None:
    with _cache_lock:
        if len(_cache) >= _CACHE_LIMIT:
            _cache.clear()
        _cache[text] = findings


def _findings_without_model(text: str) -> tuple[Finding, ...]:
    return tuple(_resolve(_pattern_findings(text)))


def find_personal_details(text: str | None, *, use_names: bool = True) -> list[Finding]:
    """Return the personal details found in TEXT, in order, without overlaps.

    Patterns find emails, UK phone numbers, UK postcodes, National Insurance numbers and dates
    of birth (any full date, or a part date just after "born", "DOB" or "birthday"); names come
    from spaCy PERSON entities when a model is installed, plus phrases like "my name is".
    """
    if not text:
        return []
    return find_personal_details_many([text], use_names=use_names)[0]


def find_personal_details_many(texts: Sequence[str | None], *, use_names: bool = True) -> list[list[Finding]]:
    """Return the findings for each text, running the name model over new texts in one batch."""
    nlp = pipeline() if use_names else None
    if nlp is None:
        return [list(_findings_without_model(t)) if t else [] for t in texts]
    known: dict[str, tuple[Finding, ...]] = {}
    new_texts: list[str] = []
    for text in texts:
        if not text or text in known:
            continue
        cached = _cache.get(text)
        if cached is not None:
            known[text] = cached
        elif not _might_hold_name(text):
            known[text] = _findings_without_model(text)
        else:
            known[text] = ()
            new_texts.append(text)
    for text, doc in zip(new_texts, nlp.pipe([_for_names(t) for t in new_texts], batch_size=256)):
        names = [Finding(f.kind, f.start, f.end, text[f.start:f.end]) for f in _name_findings(doc)]
        known[text] = tuple(_resolve(_pattern_findings(text) + names))
        _remember_findings(text, known[text])
    return [list(known[t]) if t else [] for t in texts]


def mask_with(text: str, findings: Sequence[Finding]) -> str:
    """Return TEXT with each finding replaced by its mask, such as "[phone]"."""
    masked = text
    for finding in sorted(findings, key=lambda f: f.start, reverse=True):
        masked = masked[: finding.start] + MASKS[finding.kind] + masked[finding.end :]
    return masked


def mask_personal_details(text: str | None) -> str | None:
    """Return TEXT with names, phone numbers, emails, postcodes, NI numbers and birth dates masked.

    Each detail becomes "[name]", "[phone]", "[email]", "[postcode]", "[NI number]" or
    "[date of birth]". Empty text and None come back unchanged.
    """
    if not text:
        return text
    return mask_with(text, find_personal_details(text))


def mask_many(texts: Sequence[str | None]) -> list[str | None]:
    """Return each text masked, running the name model over all of them in one batch (for exports)."""
    return [
        text if not text else mask_with(text, findings)
        for text, findings in zip(texts, find_personal_details_many(texts))
    ]


# ---- reading open answers once, and storing what was found ------------------------------------

# Bump when the rules change, so answers read the old way are read again.
READING_RULES = "1"
SAVE_BATCH = 5000


def reading_method() -> str:
    """Return how answers are read now: the language model's name (or "patterns only") and our rules."""
    # From the installed packages, without loading the model: nothing may be waiting to read.
    return f"{_installed_model()}; rules {READING_RULES}"


@functools.lru_cache(maxsize=1)
def _installed_model() -> str:
    from importlib import metadata, util

    from surveys.nlp import MODEL_NAMES

    if util.find_spec("spacy") is None:
        return "patterns only"
    for name in MODEL_NAMES:
        try:
            return f"{name} {metadata.version(name)}"
        except metadata.PackageNotFoundError:
            continue
    return "patterns only"


def _findings_json(findings: Sequence[Finding]) -> str:
    return json.dumps([[f.kind, f.start, f.end] for f in findings])


def findings_from_json(text: str | None, stored: str) -> list[Finding]:
    """Return the findings stored as JSON for TEXT."""
    return [Finding(kind, start, end, (text or "")[start:end]) for kind, start, end in json.loads(stored or "[]")]


def read_waiting_answers(
    db: Database,
    *,
    terms_of: Callable[[list[str]], list[list[list[str]]]] | None = None,
    limit: int | None = None,
) -> int:
    """Read the open answers and notes still waiting, store their details, masks and terms; return how many.

    Each answer is read once: the name model is the slow part, so what it finds is stored with
    the masked text, and every view and export reads that back. TERMS_OF turns masked answers
    into their common words and phrases ([kind, term] pairs; analysis/themes.py gives it);
    without it no terms are stored. An answer changed while it was read stays waiting.
    """
    method = reading_method()
    quality_store.requeue_texts_read_otherwise(db, method)
    batch = quality_store.waiting_texts(db, limit)
    if not batch:
        return 0
    # Answers repeat a lot, so each different text is read once, whoever gave it.
    values = [row["value"] if row["open"] else None for row in batch]
    notes = [row["note"] or None for row in batch]
    texts = list(dict.fromkeys(t for t in values + notes if t))
    findings = dict(zip(texts, find_personal_details_many(texts)))
    masked = {text: mask_with(text, found) for text, found in findings.items()}
    open_texts = list(dict.fromkeys(masked[v] for v in values if v))
    terms = dict(zip(open_texts, terms_of(open_texts))) if terms_of else {}
    rows = []
    for row, value, note in zip(batch, values, notes):
        rows.append({
            "answer_id": row["answer_id"], "value": row["value"], "note": row["note"],
            "value_findings": _findings_json(findings[value]) if value else "[]",
            "masked_value": masked[value] if value else None,
            "note_findings": _findings_json(findings[note]) if note else "[]",
            "masked_note": masked[note] if note else "",
            "terms": json.dumps(terms.get(masked[value], [])) if value else "[]",
            "made_with": method,
        })
    # Stored in parts, so an interviewer saving at the same time never waits long for the lock.
    for start in range(0, len(rows), SAVE_BATCH):
        quality_store.save_read_texts(db, rows[start:start + SAVE_BATCH])
    return len(rows)


def stored_masks_for_version(db: Database, version_id: str, texts: Sequence[str]) -> dict[str, str]:
    """Return text: masked text for these open answers of a version, from the stored masks.

    Texts not read yet are masked now, in one batch, so an export never waits on answers that
    were read before.
    """
    known = quality_store.masked_texts_for_version(db, version_id)
    missing = list(dict.fromkeys(t for t in texts if t not in known))
    known.update(zip(missing, mask_many(missing)))
    return known


# ---- who may see details ----------------------------------------------------------------------

DETAILS_ROLE = "admin"


def can_see_personal_details(db: Database, actor: Actor) -> bool:
    """Return True only for a signed-in admin (read again from the database); everyone else sees masks."""
    try:
        check_actor(db, actor, DETAILS_ROLE)
    except NotAllowed:
        return False
    return True


def _require_details_role(db: Database, actor: Actor, refusal: str) -> Actor:
    try:
        return check_actor(db, actor, DETAILS_ROLE)
    except NotAllowed as exc:
        raise IdentifiableExportRefused(refusal) from exc


def record_identifiable_export(db: Database, actor: Actor, what: str, rows: int) -> None:
    """Log an export that keeps personal details, or raise IdentifiableExportRefused if not an admin.

    Call it before writing the file. The log holds who, what and how many rows, never the data.
    """
    actor = _require_details_role(db, actor, "Only an admin can export answers with personal details left in. "
                                             "Ask your admin, or export with the details hidden.")
    with write_transaction(db):
        audit(db, actor.name, "identifiable export", "answer", "", None,
              {"what": what, "rows": rows, "by": actor.person_id})


# ---- the admin's report -----------------------------------------------------------------------


def personal_details_report(
    db: Database, actor: Actor, version_id: str | None = None, *, limit: int = 2000
) -> list[dict]:
    """Return one row per detail found in open answers and notes, for an admin to review.

    Each row: answer_id, interview_id, respondent_code, version, question (name), wording,
    field ("answer" or "note"), kind, kind_label and the text found. At most LIMIT rows.
    Answers are read once and the findings stored, so this reads them back.
    """
    _require_details_role(db, actor, "Only an admin can see the personal details in answers.")
    read_waiting_answers(db)
    report: list[dict] = []
    for row in quality_store.stored_findings(db, version_id):
        for field, text, stored in (("answer", row["value"], row["value_findings"]),
                                    ("note", row["note"], row["note_findings"])):
            for finding in findings_from_json(text, stored):
                report.append(
                    {
                        "answer_id": row["answer_id"],
                        "interview_id": row["interview_id"],
                        "respondent_code": row["respondent_code"],
                        "version": row["version_label"],
                        "question": row["question_name"],
                        "wording": row["wording"],
                        "field": field,
                        "kind": finding.kind,
                        "kind_label": KIND_LABELS[finding.kind],
                        "found": finding.text,
                    }
                )
                if len(report) >= limit:
                    return report
    return report


def mask_answer(db: Database, answer_id: str, actor: Actor) -> dict:
    """Return how many details were hidden after an admin masked one answer (and its note) for good.

    The log records the answer id and the counts by kind, never the words that were hidden,
    because the audit log cannot be changed later.
    """
    actor = _require_details_role(db, actor, "Only an admin can hide personal details in an answer for good.")
    with write_transaction(db):
        row = account_store.get_answer_text(db, answer_id)
        if row is None:
            raise NotFound("That answer is not in the database any more.")
        value_findings = find_personal_details(row["value"])
        note_findings = find_personal_details(row["note"])
        counts: dict[str, int] = {}
        for finding in [*value_findings, *note_findings]:
            counts[finding.kind] = counts.get(finding.kind, 0) + 1
        if not counts:
            return counts
        new_value = mask_with(row["value"], value_findings) if row["value"] else row["value"]
        new_note = mask_with(row["note"], note_findings) if row["note"] else row["note"]
        words = count_words(new_value) if row["word_count"] else 0
        account_store.set_answer_text(db, answer_id, new_value, new_note, words)
        audit(db, actor.name, "mask personal details", "answer", answer_id, None, {"hidden": counts})
    return counts


__all__ = [
    "Finding",
    "IdentifiableExportRefused",
    "KINDS",
    "KIND_LABELS",
    "MASKS",
    "DETAILS_ROLE",
    "READING_RULES",
    "can_see_personal_details",
    "findings_from_json",
    "stored_masks_for_version",
    "read_waiting_answers",
    "reading_method",
    "find_personal_details",
    "find_personal_details_many",
    "mask_answer",
    "mask_many",
    "mask_personal_details",
    "mask_with",
    "names_available",
    "personal_details_report",
    "pipeline",
    "record_identifiable_export",
]
