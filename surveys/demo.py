"""Load the synthetic demo: the survey in two versions, demo people and synthetic interviews.

The interviews are made up, and marked synthetic in the database. Their quality differs the
way the seed story describes: with the reworded version 2 there are fewer skipped and
"don't know" answers, fewer "needed explaining" notes, and longer open answers.
"""

from __future__ import annotations

import datetime as _dt
import uuid
from collections import Counter
from collections.abc import Callable

import numpy as np
from sqlite_utils import Database

from surveys import demo_content as content
from surveys.storage import audit, write_transaction
from surveys.storage import core as store
from surveys.storage import quality as quality_store

OPEN_TYPES = ("text", "long_text")

# How people answer, by how clear the wording is. Rates are chances per question asked.
PROFILES = {
    "poor": dict(skip=0.07, dont_know=0.11, prefer_not=0.02, explain=0.32, reworded=0.22, upset=0.03,
                 seconds=38.0, very_short=0.62, phrases=(1, 1)),
    "fair": dict(skip=0.04, dont_know=0.06, prefer_not=0.02, explain=0.12, reworded=0.08, upset=0.015,
                 seconds=27.0, very_short=0.40, phrases=(1, 2)),
    "good": dict(skip=0.015, dont_know=0.025, prefer_not=0.015, explain=0.04, reworded=0.02, upset=0.008,
                 seconds=19.0, very_short=0.10, phrases=(2, 3)),
}
OPT_OUT_LABELS = {"prefer not to say": "prefer_not_to_say", "don't know": "dont_know"}
V1_PERIOD = (_dt.datetime(2025, 1, 6, 9, 30, tzinfo=_dt.timezone.utc), 170)  # start, days
V2_PERIOD = (_dt.datetime(2025, 9, 1, 9, 30, tzinfo=_dt.timezone.utc), 170)


class _Ids:
    """UUIDs in the order the rows are made: the time-ordered layout of UUID version 7 (RFC 9562).

    The time part starts at a fixed moment and a 12-bit counter under it rises with each id (the
    RFC's first way of keeping ids in order); the last 60 bits are random from the seed, so the
    same seed gives the same ids. Because each id is above the last, the bulk load adds to the
    end of the id index instead of all over it (about 3 s of 20,000 interviews). The ids are
    written as characters with numpy, a batch at a time.
    """

    START_MS = int(_dt.datetime(2025, 1, 1, tzinfo=_dt.timezone.utc).timestamp() * 1000)
    HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)

    def __init__(self, generator: np.random.Generator) -> None:
        self._generator = generator
        self._made = 0

    def take(self, n: int) -> list[str]:
        """Return the next N ids."""
        made = self._made + np.arange(n, dtype=np.int64)
        self._made += n
        ms, counter = self.START_MS + 1 + made // 4096, made % 4096
        nibbles = np.empty((n, 32), dtype=np.uint8)
        for i in range(12):  # 48 bits of time
            nibbles[:, i] = (ms >> (4 * (11 - i))) & 15
        nibbles[:, 12] = 7  # version 7
        for i in range(3):  # the counter
            nibbles[:, 13 + i] = (counter >> (4 * (2 - i))) & 15
        nibbles[:, 16] = 8  # the variant: binary 10, then two random bits left at 0
        nibbles[:, 17:] = self._generator.integers(0, 16, (n, 15), dtype=np.uint8)
        text = np.full((n, 36), ord("-"), dtype=np.uint8)
        for start, end, source in ((0, 8, 0), (9, 13, 8), (14, 18, 12), (19, 23, 16), (24, 36, 20)):
            text[:, start:end] = self.HEX[nibbles[:, source:source + end - start]]
        return text.view("S36").ravel().astype("U36").tolist()


def build_demo_survey(db: Database, *, actor: str = "demo") -> dict:
    """Create the demo survey with version 1 (retired) and version 2 (published); return their ids."""
    survey_id = store.create_survey(db, content.SURVEY_NAME, content.SURVEY_DESCRIPTION, synthetic=True, actor=actor)
    v1 = store.create_version(db, survey_id, "Version 1: written by staff", actor=actor)
    v2 = store.create_version(db, survey_id, "Version 2: reworded together", actor=actor)
    position = {v1: 0, v2: 0}
    for spec in content.QUESTIONS:
        lineage = str(uuid.uuid5(uuid.NAMESPACE_URL, f"peer-survey-studio-demo/{spec['name']}"))
        for version_id, key in ((v1, "v1"), (v2, "v2")):
            wording = spec[key]
            if wording is None:
                continue
            position[version_id] += 1
            store.add_question(
                db,
                version_id,
                name=spec["name"],
                type=spec["type"],
                wording=wording,
                help_text=spec.get("help", ""),
                required=False,
                options=spec.get(f"{key}_options", _default_options(spec["type"])),
                show_if=spec.get("show_if"),
                topic=spec["topic"],
                lineage_id=lineage,
                position=position[version_id],
                actor=actor,
            )
    store.set_version_status(db, v1, "published", actor=actor)
    store.set_version_status(db, v1, "retired", actor=actor)
    store.set_version_status(db, v2, "published", actor=actor)
    people = [store.add_person(db, name, role, actor=actor) for name, role in content.DEMO_PEOPLE]
    return {"survey_id": survey_id, "v1": v1, "v2": v2, "people": people}


def _default_options(question_type: str) -> list[str]:
    return ["Yes", "No"] if question_type == "yes_no" else []


def _plan(db: Database, version_id: str, clarity_key: str) -> list[dict]:
    """Return per-question answering parameters for one version."""
    by_name = {spec["name"]: spec for spec in content.QUESTIONS}
    plan = []
    for question in store.questions_for_version(db, version_id):
        if question["type"] == "note":
            continue
        spec = by_name[question["name"]]
        clarity = spec.get("v1_clarity", "good") if clarity_key == "v1" else "good"
        profile = dict(PROFILES[clarity])
        if spec.get("sensitive"):
            profile["upset"] += 0.09 if clarity == "poor" else 0.03
            profile["skip"] += 0.08 if clarity == "poor" else 0.02
            profile["prefer_not"] += 0.02 if clarity == "poor" else 0.05
        options = question["options"]
        real_options = [o for o in options if o.casefold() not in OPT_OUT_LABELS] or (
            ["Yes", "No"] if question["type"] in CHOICE_TYPES else [])
        plan.append({
            "id": question["id"],
            "name": question["name"],
            "type": question["type"],
            "position": question["position"],
            "options": real_options,
            # Where each option sits on the question's own list (for the scale totals).
            "place_of": [options.index(o) if o in options else -1 for o in real_options],
            "cum_weights": _choice_weights(real_options),
            "show_if": question["show_if"],
            "profile": profile,
            "phrases": content.OPEN_PHRASES.get(question["name"], content.OPEN_PHRASES["anything_else"]),
        })
    return plan


def _choice_weights(options: list[str]) -> np.ndarray:
    """Running totals of the weights for picking an option: earlier options are a little more
    likely, as real answers lean positive."""
    return np.cumsum([len(options) - i + 1 for i in range(len(options))], dtype=float)


def _stamps(seconds: np.ndarray) -> list[str]:
    """Times as text, as datetime.isoformat(timespec="seconds") gives them in UTC."""
    text = np.datetime_as_string(np.floor(seconds).astype("int64").astype("datetime64[s]"), unit="s")
    return [t + "+00:00" for t in text.tolist()]


CHOICE_TYPES = ("yes_no", "single_choice", "scale")
OPT_OUTS = np.array([None, "skipped", "dont_know", "prefer_not_to_say"], dtype=object)  # code 0: answered


class _Maker:
    """Makes up interviews a batch at a time, one question at a time across the whole batch.

    Working on arrays (numpy) instead of one answer at a time makes a 20,000-interview demo in
    about a second. The maker also counts what it makes into the running totals (see _Totals),
    so the load does not read the answers back to count them.
    """

    def __init__(self, seed: int, ids: dict, plans: dict, interviewers: list[str], n_v1: int) -> None:
        self.random = np.random.default_rng(seed)
        self.new_ids = _Ids(self.random)
        self.ids, self.plans, self.n_v1 = ids, plans, n_v1
        self.interviewers = np.array(interviewers, dtype=object)
        self.explain_factor = self.random.uniform(0.8, 1.25, len(interviewers))
        self.totals = _Totals()

    def batch(self, first: int, last: int) -> tuple[list[tuple], list[tuple]]:
        """Return (interview rows, answer rows) for interviews FIRST to LAST - 1 (0-based numbers)."""
        interviews, answers = [], []
        for key, low, high in (("v1", first, min(last, self.n_v1)), ("v2", max(first, self.n_v1), last)):
            if low < high:
                made = self._run(key, low, high)
                interviews += made[0]
                answers += made[1]
        return interviews, answers

    def _run(self, key: str, first: int, last: int) -> tuple[list[tuple], list[tuple]]:
        g, plan, m = self.random, self.plans[key], last - first
        width = len(plan)
        period_start, days = V1_PERIOD if key == "v1" else V2_PERIOD
        start = period_start.timestamp() + g.integers(0, days * 86400, m)
        who = g.integers(0, len(self.interviewers), m)
        factor = self.explain_factor[who]
        declined = g.random(m) < 0.03
        unfinished = ~declined & (g.random(m) < (0.07 if key == "v1" else 0.03))
        straight = np.where(g.random(m) < (0.06 if key == "v1" else 0.015), g.integers(0, 4, m), -1)
        stop_at = np.where(unfinished, g.integers(width // 3, width, m), width)

        asked = np.zeros((m, width), dtype=bool)
        opt_out = np.zeros((m, width), dtype=np.int8)
        seconds = np.zeros((m, width))
        flags = np.zeros((3, m, width), dtype=np.int8)  # needed explaining, reworded, upsetting
        values = np.full((m, width), None, dtype=object)
        words = np.zeros((m, width), dtype=np.int64)
        value_code = np.full((m, width), -1, dtype=np.int64)  # option number or the number given
        picked: dict[str, np.ndarray] = {}
        for j, item in enumerate(plan):
            ask = ~declined & (j < stop_at)
            rule = item["show_if"]
            if rule:
                source = next(q for q in plan if q["name"] == rule["question"])
                wanted = [i for i, o in enumerate(source["options"]) if o in rule["values"]]
                ask &= np.isin(picked[rule["question"]], wanted)
            p = item["profile"]
            roll = g.random(m)
            code = np.select([roll < p["skip"], roll < p["skip"] + p["dont_know"],
                              roll < p["skip"] + p["dont_know"] + p["prefer_not"]], [1, 2, 3], 0)
            code[~ask] = 0
            answered = ask & (code == 0)
            pick = np.full(m, -1)
            kind = item["type"]
            if kind in CHOICE_TYPES:
                weights = item["cum_weights"]
                chosen = np.minimum(np.searchsorted(weights, g.random(m) * weights[-1], side="right"),
                                    len(weights) - 1)
                if kind == "scale":
                    chosen = np.where(straight >= 0, np.minimum(straight, len(weights) - 1), chosen)
                pick = np.where(answered, chosen, -1)
                values[answered, j] = np.array(item["options"], dtype=object)[pick[answered]]
                value_code[answered, j] = pick[answered]
            elif kind == "number":
                number = np.floor(g.exponential(6, m)).astype(np.int64)
                values[answered, j] = [str(n) for n in number[answered].tolist()]
                value_code[answered, j] = number[answered]
            elif kind in OPEN_TYPES:
                texts = self._open_answers(item, int(answered.sum()))
                column = np.empty(len(texts), dtype=object)
                column[:] = texts
                values[answered, j] = column
                words[answered, j] = [len(t.split()) for t in texts]
            else:
                raise ValueError(f"The demo cannot make up answers to a {kind} question.")
            picked[item["name"]] = pick
            asked[:, j] = ask
            opt_out[:, j] = code
            seconds[:, j] = np.where(ask, np.round(np.exp(g.normal(0, 0.45, m)) * p["seconds"], 1), 0.0)
            flags[0, :, j] = ask & (g.random(m) < p["explain"] * factor)
            flags[1, :, j] = ask & (g.random(m) < p["reworded"] * factor)
            flags[2, :, j] = ask & (g.random(m) < p["upset"])

        clock = start[:, None] + np.cumsum(seconds, axis=1)
        total = clock[:, -1] - start
        interview_ids = self.new_ids.take(m)
        started, ended = _stamps(start), _stamps(start + total)
        version_id = self.ids[key]
        interviewer_ids = self.interviewers[who].tolist()
        interview_rows = [
            (interview_ids[i], version_id, f"DEMO-{first + i + 1:05d}", interviewer_ids[i],
             "declined" if declined[i] else "given", "draft" if unfinished[i] else "submitted",
             "one_at_a_time", started[i], None if unfinished[i] else ended[i], round(float(total[i]), 1), 1,
             ended[i])
            for i in range(m)
        ]
        rows, columns = np.nonzero(asked)  # interview by interview, questions in order
        answer_ids = self.new_ids.take(len(rows))
        question_ids = np.array([q["id"] for q in plan], dtype=object)
        answer_rows = list(zip(
            answer_ids, np.array(interview_ids, dtype=object)[rows].tolist(), question_ids[columns].tolist(),
            values[asked].tolist(), OPT_OUTS[opt_out[asked]].tolist(), words[asked].tolist(),
            flags[0][asked].tolist(), flags[1][asked].tolist(), flags[2][asked].tolist(),
            [""] * len(rows), seconds[asked].tolist(), _stamps(clock[asked]),
        ))
        months = [t[:7] for t in started]
        self.totals.count(plan, interview_ids, interviewer_ids, months, asked, opt_out, flags, words,
                          value_code, values, answer_ids)
        return interview_rows, answer_rows


    def _open_answers(self, item: dict, n: int) -> list[str]:
        """N open answers: a short word, or one to three of the question's phrases joined up."""
        g, profile, phrases = self.random, item["profile"], item["phrases"]
        short = g.random(n) < profile["very_short"]
        word = g.integers(0, len(content.SHORT_ANSWERS), n).tolist()
        low, high = profile["phrases"]
        how_many = np.minimum(g.integers(low, high + 1, n), len(phrases)).tolist()
        order = np.argsort(g.random((n, len(phrases))), axis=1)[:, :3].tolist()
        texts = []
        for i in range(n):
            if short[i]:
                texts.append(content.SHORT_ANSWERS[word[i]])
                continue
            parts = [phrases[k] for k in order[i][:how_many[i]]]
            text = " and ".join(parts) if len(parts) < 3 else f"{parts[0]}, {parts[1]} and {parts[2]}"
            texts.append(text[0].upper() + text[1:] + ".")
        return texts


class _Totals:
    """The running totals of the answers the maker made, counted as they are made.

    The same totals the database keeps with its triggers (surveys/storage/migrations.py); a test
    checks that after a demo load they equal the totals worked out from the answers. Each answer
    becomes one number that holds its question, interviewer and month, and what is counted; the
    numbers are counted with numpy once at the end.
    """

    def __init__(self) -> None:
        self.questions: list[dict] = []  # every question counted, by number
        self._question_number: dict[str, int] = {}
        self.cohorts: list[tuple[str, str]] = []  # (interviewer, month), by number
        self._cohort_number: dict[tuple[str, str], int] = {}
        self._by_question: list[np.ndarray] = []  # answer_tally_by
        self._values: list[np.ndarray] = []  # answer_value_tally
        self.open_texts: Counter = Counter()  # open_text_tally
        self.interviews: list[tuple] = []  # interview_tally
        self.scale_places: list[tuple] = []  # interview_scale_place
        self.to_read: list[str] = []  # open_text_queue

    def count(self, plan, interview_ids, interviewer_ids, months, asked, opt_out, flags, words,
              value_code, values, answer_ids) -> None:
        number = np.array([self._question_number.setdefault(q["id"], len(self._question_number)) for q in plan])
        if len(self.questions) < len(self._question_number):
            self.questions += [q for q in plan if self._question_number[q["id"]] >= len(self.questions)]
        cohort = np.array([self._cohort_number.setdefault(c, len(self._cohort_number))
                           for c in zip(interviewer_ids, months)], dtype=np.int64)
        self.cohorts = list(self._cohort_number)
        rows, columns = np.nonzero(asked)
        question, group = number[columns].astype(np.int64), cohort[rows]
        code, word = opt_out[asked].astype(np.int64), words[asked]
        notes = flags[0][asked].astype(np.int64) * 4 + flags[1][asked] * 2 + flags[2][asked]
        # question (10 bits), group (16), opt-out (2), notes (3), word count (32)
        self._by_question.append((((question << 16 | group) << 2 | code) << 3 | notes) << 32 | word)
        answered = code == 0
        is_open = answered & (word > 0)
        for q, g, text in zip(question[is_open].tolist(), group[is_open].tolist(), values[asked][is_open].tolist()):
            self.open_texts[(self.questions[q]["id"], *self.cohorts[g], text)] += 1
        self.to_read += [answer_ids[i] for i in np.flatnonzero(is_open).tolist()]
        given = answered & (word == 0)
        self._values.append((question[given] << 16 | group[given]) << 32 | value_code[asked][given])
        positions = np.array([q["position"] for q in plan])
        answers = asked.sum(axis=1)
        furthest = np.argmax(np.where(asked, positions, -1), axis=1)
        self.interviews += [(interview_ids[i], int(answers[i]), plan[furthest[i]]["id"], int(positions[furthest[i]]))
                            for i in np.flatnonzero(answers).tolist()]
        scale = np.array([q["type"] == "scale" for q in plan])
        place_of = np.full((len(plan), max(len(q["options"]) for q in plan) + 1), -1)
        for j, q in enumerate(plan):
            place_of[j, :len(q["place_of"])] = q["place_of"]
        on_scale = answered & scale[columns]
        place = place_of[columns[on_scale], value_code[asked][on_scale]]
        for packed, n in zip(*np.unique(rows[on_scale] * 1024 + (place + 1), return_counts=True)):
            row, place = divmod(int(packed), 1024)
            self.scale_places.append((interview_ids[row], place - 1, int(n)))

    def rows(self) -> dict[str, list[tuple]]:
        """Rows for each total table, in the order of its columns (quality.add_counted_totals)."""
        by_question = []
        for packed, n in zip(*_counted(self._by_question)):
            word_count, rest = packed & 0xFFFFFFFF, packed >> 32
            notes, rest = rest & 7, rest >> 3
            out, rest = rest & 3, rest >> 2
            question, group = self.questions[rest >> 16], self.cohorts[rest & 0xFFFF]
            by_question.append((question["id"], *group, OPT_OUTS[out] or "", notes >> 2 & 1, notes >> 1 & 1,
                                notes & 1, word_count, n))
        values = []
        for packed, n in zip(*_counted(self._values)):
            value, rest = packed & 0xFFFFFFFF, packed >> 32
            question, group = self.questions[rest >> 16], self.cohorts[rest & 0xFFFF]
            text = question["options"][value] if question["type"] in CHOICE_TYPES else str(value)
            values.append((question["id"], *group, text, n))
        return {
            "answer_tally_by": by_question,
            "open_text_tally": [(*k, n) for k, n in self.open_texts.items()],
            "answer_value_tally": values,
            "interview_tally": self.interviews,
            "interview_scale_place": self.scale_places,
            "open_text_queue": [(i,) for i in self.to_read],
        }


def _counted(parts: list[np.ndarray]) -> tuple[list[int], list[int]]:
    """Return each different number in PARTS and how many times it is there."""
    if not parts:
        return [], []
    found, counts = np.unique(np.concatenate(parts), return_counts=True)
    return found.tolist(), counts.tolist()


def load_demo(
    db: Database,
    *,
    interviews: int = 400,
    seed: int = 7,
    progress: Callable[[int, int], None] | None = None,
    chunk: int = 2000,
) -> dict:
    """Add the demo survey and INTERVIEWS synthetic interviews; return counts and ids.

    Half the interviews use version 1 and half version 2. All rows go in with bulk inserts
    inside one transaction, so a failure leaves the database as it was before.
    """
    if interviews < 0:
        raise store.InvalidInput("The number of interviews must be 0 or more.")
    # A large page cache for the load only: the answer indexes are made again after it, and
    # with SQLite's 2 MB default most of the time goes to paging.
    old_cache = db.execute("PRAGMA cache_size").fetchone()[0]
    db.execute("PRAGMA cache_size = -1048576")
    try:
        return _load(db, interviews, seed, progress, chunk)
    finally:
        db.execute(f"PRAGMA cache_size = {int(old_cache)}")


def _load(db: Database, interviews: int, seed: int,
          progress: Callable[[int, int], None] | None, chunk: int) -> dict:
    with write_transaction(db), quality_store.bulk_answer_load(db, totals_counted=True):
        ids = build_demo_survey(db)
        interviewer_ids = [pid for pid, (_, role) in zip(ids["people"], content.DEMO_PEOPLE)
                           if role in ("peer_researcher", "interviewer")]
        plans = {"v1": _plan(db, ids["v1"], "v1"), "v2": _plan(db, ids["v2"], "v2")}
        maker = _Maker(seed, ids, plans, interviewer_ids, interviews // 2)
        answer_total = 0
        done = 0
        while done < interviews:
            interview_batch, answer_batch = maker.batch(done, min(done + chunk, interviews))
            store.bulk_insert(db, "interview", interview_batch)
            answer_total += store.bulk_insert(db, "answer", answer_batch)
            done += len(interview_batch)
            if progress:
                progress(done, interviews)
        quality_store.add_counted_totals(db, maker.totals.rows())
        audit(db, "demo", "load demo data", "survey", ids["survey_id"], None,
              {"interviews": interviews, "answers": answer_total, "seed": seed})
    return {**ids, "interviews": interviews, "answers": answer_total}
