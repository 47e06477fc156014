"""Surveys in more than one language: a version's languages, translations, and who made them.

A version has a main language: the words on each question row, the words the co-design
work and the wording checks are about. It can have more languages; each question then has a
translation per language (wording, help text, and a word for each answer option), linked to
the same question and lineage. Answers are always stored as the main-language option, so an
interview in French and one in English count together.

Language names are kept as a spreadsheet form writes them ("French (fr)"); '' always means
the main language.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from sqlite_utils import Database

from surveys import accounts
from surveys.accounts import Actor
from surveys.codesign import DESIGN_ROLES  # who may change the questions may translate them
from surveys.storage import audit, new_id, now, write_transaction
from surveys.storage import codesign as codesign_store
from surveys.storage import core as store
from surveys.storage import languages as sql
from surveys.storage.core import InvalidInput

# The wording checks read English only (word lists, reading-age formulas, the spaCy model).
CHECKED_LANGUAGE = "English"
_ENGLISH = {"english", "en", "eng", "en-gb", "en-us", "anglais"}
_LANGUAGE_LABEL = re.compile(r"^(?P<name>.*?)\s*\((?P<code>[A-Za-z]{2,3}(?:-[A-Za-z0-9]+)*)\)\s*$")


# ---- names of languages ---------------------------------------------------------------------


def language_name(language: str) -> str:
    """Return the name to show for a language as a form writes it: 'French (fr)' -> 'French'."""
    language = (language or "").strip()
    if language.casefold() == "default":
        return "Main language"
    match = _LANGUAGE_LABEL.match(language)
    name = match.group("name").strip() if match else language
    return name[:1].upper() + name[1:] if name else language


def language_code(language: str) -> str:
    """Return the short code in brackets ('French (fr)' -> 'fr'), or '' when there is none."""
    match = _LANGUAGE_LABEL.match((language or "").strip())
    return match.group("code").lower() if match else ""


def is_english(language: str) -> bool:
    """Return True when LANGUAGE names English ('English', 'english', 'English (en)', 'en')."""
    if not language:
        return True
    return language_name(language).casefold() in _ENGLISH or language_code(language) == "en"


# ---- a version's languages --------------------------------------------------------------------


def version_languages(db: Database, version_id: str) -> list[dict]:
    """Return a version's languages, main first: [{language, name, is_main}].

    A version made here with no languages added has one: its main language, written ''
    and named English.
    """
    rows = sql.version_language_rows(db, version_id)
    if not rows:
        return [{"language": "", "name": CHECKED_LANGUAGE, "is_main": True}]
    return [{"language": r["language"], "name": language_name(r["language"]), "is_main": bool(r["is_main"])}
            for r in rows]


def main_language(db: Database, version_id: str) -> str:
    """Return how the version's main language is written ('' when none was named)."""
    return version_languages(db, version_id)[0]["language"]


def other_languages(db: Database, version_id: str) -> list[str]:
    """Return the version's languages other than the main one."""
    return [lang["language"] for lang in version_languages(db, version_id) if not lang["is_main"]]


def _is_main(language: str, languages: Sequence[dict]) -> bool:
    return not language or language == languages[0]["language"]


def set_languages(db: Database, version_id: str, main: str, others: Sequence[str], *,
                  actor: str | None = None) -> None:
    """Name a draft version's main language and its other languages (used by form import)."""
    names = [main, *others]
    if any(not (n or "").strip() for n in names):
        raise InvalidInput("A language needs a name.")
    if len({n.casefold() for n in names}) != len(names):
        raise InvalidInput("Each language can be added only once.")
    with write_transaction(db):
        if store.get_version(db, version_id)["status"] != "draft":
            raise InvalidInput("This version is published, so it cannot be changed. Start a new draft version instead.")
        stamp = now()
        for position, language in enumerate(names):
            sql.insert_version_language(db, {"id": new_id(), "version_id": version_id, "language": language,
                                             "position": position, "is_main": int(position == 0),
                                             "created_at": stamp})
        audit(db, actor, "set languages", "survey_version", version_id, None, {"main": main, "others": list(others)})


def _translator(db: Database, actor: Actor) -> Actor:
    """Return ACTOR as the database knows it now, when it may design; raise NotAllowed otherwise."""
    return accounts.check_actor(db, actor, *DESIGN_ROLES)


def add_language(db: Database, version_id: str, language: str, actor: Actor) -> None:
    """Add a language to a draft version, so its questions can be translated in the app."""
    language = " ".join((language or "").split())
    if not language:
        raise InvalidInput("Type the name of the language, for example Welsh.")
    if len(language) > 60:
        raise InvalidInput("That name is too long for a language. Keep it short, for example Welsh.")
    with write_transaction(db):
        actor = _translator(db, actor)
        languages = version_languages(db, version_id)
        if any(lang["language"].casefold() == language.casefold() or lang["name"].casefold() == language.casefold()
               for lang in languages):
            raise InvalidInput(f"{language} is already a language of this version.")
        if store.get_version(db, version_id)["status"] != "draft":
            raise InvalidInput("This version is published, so it cannot be changed. Start a new draft version instead.")
        stamp = now()
        if not sql.version_language_rows(db, version_id):
            # The main language gets its name the first time another language is added.
            sql.insert_version_language(db, {"id": new_id(), "version_id": version_id, "language": CHECKED_LANGUAGE,
                                             "position": 0, "is_main": 1, "created_at": stamp})
        sql.insert_version_language(db, {"id": new_id(), "version_id": version_id, "language": language,
                                         "position": len(languages), "is_main": 0, "created_at": stamp})
        audit(db, actor.name, "add language", "survey_version", version_id, None, {"language": language})


def check_language(db: Database, version_id: str, language: str) -> str:
    """Return LANGUAGE as the version stores it ('' for the main one); refuse one it does not have."""
    languages = version_languages(db, version_id)
    if _is_main(language, languages):
        return ""
    for lang in languages:
        if language in (lang["language"], lang["name"]):
            return lang["language"]
    raise InvalidInput(f"This survey version has no {language} words. Pick one of its languages.")


# ---- translations ---------------------------------------------------------------------------


def save_translation(db: Database, question_id: str, language: str, *, wording: str, help_text: str = "",
                     options: Mapping[str, str] | None = None, actor: Actor, reason: str = "") -> dict:
    """Return the translation after saving it; ACTOR, who made it, gets the credit.

    OPTIONS maps each main-language option to its words in LANGUAGE. Changed words keep
    the old ones in the wording history, as a changed main wording does.
    """
    wording = (wording or "").strip()
    if not wording:
        raise InvalidInput("Write the question in this language before you save it.")
    with write_transaction(db):
        actor = _translator(db, actor)
        question = store.get_question(db, question_id)
        languages = version_languages(db, question["version_id"])
        language = check_language(db, question["version_id"], language)
        if not language or _is_main(language, languages):
            raise InvalidInput("This is the main language. Change the question itself instead.")
        if store.get_version(db, question["version_id"])["status"] != "draft":
            raise InvalidInput("This version is published, so it cannot be changed. Start a new draft version instead.")
        unknown = set(options or {}) - set(question["options"])
        if unknown:
            raise InvalidInput(f"The question has no option called {sorted(unknown)[0]!r}.")
        cleaned = {k: v.strip() for k, v in (options or {}).items() if v and v.strip()}
        old = sql.get_translation(db, question_id, language)
        if old and old["wording"] and old["wording"] != wording:
            # The history row names who wrote the old words, so their credit stays.
            changed_by = actor.name
            codesign_store.insert_wording_history(db, {
                "id": new_id(), "question_id": question_id, "lineage_id": question["lineage_id"],
                "wording": old["wording"], "person_id": old["person_id"], "proposal_id": None,
                "reason": f"Changed by {changed_by}: {(reason or '').strip() or 'no reason given'}",
                "changed_at": now(), "language": language,
            })
        row = {"id": new_id(), "question_id": question_id, "lineage_id": question["lineage_id"],
               "language": language, "wording": wording, "help_text": (help_text or "").strip(),
               "options": cleaned, "person_id": actor.person_id, "source": "app", "copied_from": None,
               "updated_at": now()}
        sql.upsert_translation(db, row)
        audit(db, actor.name, "save translation", "question", question_id,
              {k: old[k] for k in ("wording", "help_text", "options")} if old else None,
              {"language": language, "wording": wording, "help_text": row["help_text"], "options": cleaned})
    return sql.get_translation(db, question_id, language)


def translation_history(db: Database, lineage_id: str, language: str) -> list[dict]:
    """Return the earlier words of a question's translation, with who wrote them, oldest first.

    Each entry's reason says who changed the words and why.
    """
    return sql.translation_history_rows(db, lineage_id, language)


def questions_in_language(db: Database, version_id: str, language: str = "") -> list[dict]:
    """Return the version's questions as asked in LANGUAGE ('' or the main one: as stored).

    Each question is as questions_for_version gives it, with `wording` and `help_text` in
    LANGUAGE, plus `option_labels` ({stored option: words to show}), `language`, and
    `untranslated` (the parts still in the main language: wording, help_text, options).
    `options` stay in the main language, because answers are stored that way.
    """
    return _in_language(db, version_id, store.questions_for_version(db, version_id), language)


def _in_language(db: Database, version_id: str, questions: Sequence[Mapping], language: str) -> list[dict]:
    """Return QUESTIONS with their words in LANGUAGE, as questions_in_language describes."""
    languages = version_languages(db, version_id)
    language = check_language(db, version_id, language) if language else ""
    translations = {} if not language else {
        t["question_id"]: t for t in sql.translations_for_version(db, version_id, language)}
    out = []
    for question in questions:
        item = {**question, "language": language, "option_labels": {o: o for o in question["options"]},
                "untranslated": []}
        if language and not _is_main(language, languages):
            item.update(_translated(question, translations.get(question["id"])))
        out.append(item)
    return out


def _translated(question: Mapping, translation: Mapping | None) -> dict:
    """Return the fields of QUESTION in a translation, and which parts have no translation yet."""
    translation = translation or {}
    missing = []
    wording = translation.get("wording") or ""
    if not wording:
        missing.append("wording")
    help_text = translation.get("help_text") or ""
    if question.get("help_text") and not help_text:
        missing.append("help_text")
    labels = {}
    words = translation.get("options") or {}
    for option in question["options"]:
        labels[option] = words.get(option) or option
    if any(not words.get(o) for o in question["options"]):
        missing.append("options")
    return {"wording": wording or question["wording"], "help_text": help_text or question.get("help_text", ""),
            "option_labels": labels, "untranslated": missing}


def untranslated(db: Database, version_id: str) -> list[dict]:
    """Return every question and language with words still missing: [{question, position, language, missing}]."""
    gaps = []
    for language in other_languages(db, version_id):
        for question in questions_in_language(db, version_id, language):
            if question["untranslated"]:
                gaps.append({"question": question["name"], "position": question["position"],
                             "question_id": question["id"], "language": language,
                             "missing": question["untranslated"]})
    return gaps


def untranslated_by_question(db: Database, version_id: str) -> dict[str, list[str]]:
    """Return {question id: names of the languages its words are not (all) translated into yet}."""
    marks: dict[str, list[str]] = {}
    for gap in untranslated(db, version_id):
        marks.setdefault(gap["question_id"], []).append(language_name(gap["language"]))
    return marks


MISSING_WORDS = {"wording": "the question", "help_text": "the help text", "options": "some answers"}


def untranslated_sentences(gaps: Sequence[Mapping], main_name: str = CHECKED_LANGUAGE) -> list[str]:
    """Return one plain sentence per language that still has words to translate.

    MAIN_NAME names the version's main language, whose words show until then.
    """
    by_language: dict[str, list[Mapping]] = {}
    for gap in gaps:
        by_language.setdefault(gap["language"], []).append(gap)
    lines = []
    for language, items in by_language.items():
        numbers = ", ".join(str(g["position"]) for g in items[:12]) + (" and more" if len(items) > 12 else "")
        noun = "question has" if len(items) == 1 else "questions have"
        lines.append(f"{language_name(language)}: {len(items)} {noun} words not translated yet "
                     f"(question {numbers}). Until then the {main_name} words are shown.")
    return lines


def checked_languages_note(db: Database, version_id: str) -> str:
    """Return a sentence saying which language the wording checks read, and which they do not."""
    languages = version_languages(db, version_id)
    main = languages[0]["language"]
    others = [lang["name"] for lang in languages[1:]]
    if not is_english(main):
        return (f"The wording checks read {CHECKED_LANGUAGE} only. This version's questions are in "
                f"{language_name(main)}, so the checks may be wrong; ask someone who reads it well.")
    if others:
        listed = ", ".join(others[:-1]) + (" and " if len(others) > 1 else "") + others[-1]
        return f"The wording checks read {CHECKED_LANGUAGE} only, so they do not check the {listed} words."
    return f"The wording checks read {CHECKED_LANGUAGE}."




def asked_questions(db: Database, version_id: str, language: str = "",
                    answers: Mapping[str, Mapping] | None = None) -> list[dict]:
    """Return the questions as an interviewer reads them out, in order.

    Each is as questions_in_language gives it (wording, help text and option words in
    LANGUAGE), with `${name}` filled in from ANSWERS (answer rows by question id; "…" where
    there is no answer yet), and `answer_rule`: the question's answer rule in words ('' for
    none), in LANGUAGE when the form gave it.
    """
    return as_asked(db, version_id, store.questions_for_version(db, version_id), language, answers)


def as_asked(db: Database, version_id: str, questions: Sequence[Mapping], language: str = "",
             answers: Mapping[str, Mapping] | None = None) -> list[dict]:
    """Return QUESTIONS (already read, of VERSION_ID) as asked_questions gives them.

    For a page that has read the questions already: the translations are read only for an
    interview in another language, so an interview in the main language costs one small query.
    """
    from surveys.piping import answers_to_show, fill_question
    from surveys.rules import answer_rule_words

    items = _in_language(db, version_id, questions, language)
    main = main_language(db, version_id)
    shown = answers_to_show(items, answers or {})
    out = []
    for item in items:
        asked = fill_question(item, shown)
        asked["answer_rule"] = answer_rule_words(item, item["language"], main)
        out.append(asked)
    return out


def interview_language_names(db: Database, version_ids: Sequence[str]) -> dict[str, str]:
    """Return {an interview's language as stored: its name}, for splitting figures by language.

    Empty when the versions have one language only (there is nothing to split). '' (the main
    language) is named after the versions' main language, or "Main language" when they differ.
    """
    mains, names = set(), {}
    for version_id in version_ids:
        found = version_languages(db, version_id)
        mains.add(found[0]["name"])
        names.update({lang["language"]: lang["name"] for lang in found[1:]})
    if not names:
        return {}
    return {"": mains.pop() if len(mains) == 1 else "Main language", **names}


__all__ = [
    "CHECKED_LANGUAGE",
    "MISSING_WORDS",
    "add_language",
    "as_asked",
    "asked_questions",
    "check_language",
    "checked_languages_note",
    "interview_language_names",
    "is_english",
    "language_code",
    "language_name",
    "main_language",
    "other_languages",
    "questions_in_language",
    "save_translation",
    "set_languages",
    "translation_history",
    "untranslated",
    "untranslated_by_question",
    "untranslated_sentences",
    "version_languages",
]
