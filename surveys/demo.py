"""Load the synthetic demo: the survey in two versions, demo people and synthetic interviews.

The interviews are made up, and marked synthetic in the database. Their quality differs the
way the seed story describes: with the reworded version 2 there are fewer skipped and
"don't know" answers, fewer "needed explaining" notes, and longer open answers.
"""

from __future__ import annotations

import datetime as _dt
import json
import random
import time
import uuid
from collections.abc import Callable

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

    The time part counts one millisecond per row from a fixed start and the rest is random from
    the seed, so the same seed gives the same ids. Because each id is above the last, the bulk
    load adds to the end of the id index instead of all over it (about 3 s of 20,000 interviews).
    """

    START_MS = int(_dt.datetime(2025, 1, 1, tzinfo=_dt.timezone.utc).timestamp() * 1000)

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._ms = self.START_MS

    def __call__(self) -> str:
        self._ms += 1
        bits = self._rng.getrandbits(74)
        number = (self._ms << 80) | (0x7 << 76) | ((bits >> 62) << 64) | (0b10 << 62) | (bits & _LOW_62)
        h = f"{number:032x}"
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


_LOW_62 = (1 << 62) - 1


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
        real_options = [o for o in options if o.casefold() not in OPT_OUT_LABELS]
        plan.append({
            "id": question["id"],
            "name": question["name"],
            "type": question["type"],
            "open": question["type"] in OPEN_TYPES,
            "options": real_options,
            "cum_weights": _choice_weights(real_options or ["Yes", "No"]),
            "show_if": question["show_if"],
            "profile": profile,
            # Worked out once here, not once per answer: the rolls below these give each opt-out.
            "opt_out_below": (profile["skip"], profile["skip"] + profile["dont_know"],
                              profile["skip"] + profile["dont_know"] + profile["prefer_not"]),
            "seconds": profile["seconds"],
            "note_chances": (profile["explain"], profile["reworded"], profile["upset"]),
            "phrases": content.OPEN_PHRASES.get(question["name"], content.OPEN_PHRASES["anything_else"]),
        })
    return plan


def _open_answer(rng: random.Random, item: dict) -> str:
    profile = item["profile"]
    if rng.random() < profile["very_short"]:
        return rng.choice(content.SHORT_ANSWERS)
    low, high = profile["phrases"]
    parts = rng.sample(item["phrases"], k=min(len(item["phrases"]), rng.randint(low, high)))
    text = " and ".join(parts) if len(parts) < 3 else f"{parts[0]}, {parts[1]} and {parts[2]}"
    return text[0].upper() + text[1:] + "."


def _choice_weights(options: list[str]) -> list[int]:
    """Running totals of the weights for picking an option: earlier options are a little more
    likely, as real answers lean positive."""
    weights = [len(options) - i + 1 for i in range(len(options))]
    return [sum(weights[: i + 1]) for i in range(len(weights))]


def _value(rng: random.Random, item: dict, straight: int | None):
    kind = item["type"]
    if kind in OPEN_TYPES:
        return _open_answer(rng, item)
    if kind == "number":
        return str(int(rng.expovariate(1 / 6)))
    if kind == "date":
        return (_dt.date(2025, 1, 1) + _dt.timedelta(days=rng.randrange(365))).isoformat()
    options = item["options"] or ["Yes", "No"]
    if kind == "scale" and straight is not None:
        return options[min(straight, len(options) - 1)]
    if kind == "multiple_choice":
        return json.dumps(rng.sample(options, k=rng.randint(1, min(3, len(options)))), ensure_ascii=False)
    return rng.choices(options, cum_weights=item["cum_weights"])[0]


_STAMP = "%Y-%m-%dT%H:%M:%S+00:00"  # what datetime.isoformat(timespec="seconds") gives for UTC


def _stamp(seconds: float) -> str:
    return time.strftime(_STAMP, time.gmtime(int(seconds)))


def _interview_rows(rng: random.Random, new_id: Callable[[], str], plan: list[dict], version_id: str,
                    number: int, interviewer: tuple[str, float], start: float, version_key: str):
    """Return (interview row, answer rows) for one synthetic interview starting at START (seconds)."""
    interview_id = new_id()
    interviewer_id, explain_factor = interviewer
    chance = rng.random
    declined = chance() < 0.03
    unfinished = not declined and chance() < (0.07 if version_key == "v1" else 0.03)
    straight = rng.randrange(4) if chance() < (0.06 if version_key == "v1" else 0.015) else None
    stop_at = rng.randrange(len(plan) // 3, len(plan)) if unfinished else len(plan)
    answers = []
    given: dict[str, str | None] = {}
    clock = start
    total = 0.0
    if not declined:
        for item in plan[:stop_at]:
            rule = item["show_if"]
            if rule and given.get(rule["question"]) not in rule["values"]:
                continue
            skip, dont_know, prefer_not = item["opt_out_below"]
            roll = chance()
            value, opt_out = None, None
            if roll < skip:
                opt_out = "skipped"
            elif roll < dont_know:
                opt_out = "dont_know"
            elif roll < prefer_not:
                opt_out = "prefer_not_to_say"
            else:
                value = _value(rng, item, straight)
            given[item["name"]] = value
            seconds = round(rng.lognormvariate(0, 0.45) * item["seconds"], 1)
            total += seconds
            clock += seconds
            explain, reworded, upset = item["note_chances"]
            answers.append((
                new_id(), interview_id, item["id"], value, opt_out,
                len(value.split()) if value and item["open"] else 0,
                int(chance() < explain * explain_factor),
                int(chance() < reworded * explain_factor),
                int(chance() < upset),
                "",
                seconds,
                _stamp(clock),
            ))
    finished = None if unfinished else _stamp(clock)
    interview = (
        interview_id, version_id, f"DEMO-{number:05d}", interviewer_id,
        "declined" if declined else "given",
        "draft" if unfinished else "submitted",
        "one_at_a_time",
        _stamp(start), finished, round(total, 1), 1,
        _stamp(clock),
    )
    return interview, answers


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
    rng = random.Random(seed)
    # A large page cache for the load only: the answer indexes and the running tally are
    # updated row by row, and with SQLite's 2 MB default most of the time goes to paging.
    old_cache = db.execute("PRAGMA cache_size").fetchone()[0]
    db.execute("PRAGMA cache_size = -1048576")
    try:
        return _load(db, rng, interviews, seed, progress, chunk)
    finally:
        db.execute(f"PRAGMA cache_size = {int(old_cache)}")


def _load(db: Database, rng: random.Random, interviews: int, seed: int,
          progress: Callable[[int, int], None] | None, chunk: int) -> dict:
    with write_transaction(db), quality_store.bulk_answer_load(db):
        ids = build_demo_survey(db)
        interviewer_ids = [pid for pid, (_, role) in zip(ids["people"], content.DEMO_PEOPLE)
                           if role in ("peer_researcher", "interviewer")]
        interviewers = [(pid, rng.uniform(0.8, 1.25)) for pid in interviewer_ids]
        plans = {"v1": _plan(db, ids["v1"], "v1"), "v2": _plan(db, ids["v2"], "v2")}
        new_id = _Ids(rng)
        n_v1 = interviews // 2

        def make(first: int) -> tuple[list[tuple], list[tuple]]:
            interview_batch, answer_batch = [], []
            for number in range(first, min(first + chunk, interviews)):
                key = "v1" if number < n_v1 else "v2"
                period_start, days = V1_PERIOD if key == "v1" else V2_PERIOD
                start = period_start.timestamp() + rng.randrange(days * 86400)
                interview, answers = _interview_rows(
                    rng, new_id, plans[key], ids[key], number + 1, rng.choice(interviewers), start, key
                )
                interview_batch.append(interview)
                answer_batch.extend(answers)
            return interview_batch, answer_batch

        answer_total = 0
        done = 0
        while done < interviews:
            interview_batch, answer_batch = make(done)
            store.bulk_insert(db, "interview", interview_batch)
            answer_total += store.bulk_insert(db, "answer", answer_batch)
            done += len(interview_batch)
            if progress:
                progress(done, interviews)
        audit(db, "demo", "load demo data", "survey", ids["survey_id"], None,
              {"interviews": interviews, "answers": answer_total, "seed": seed})
    return {**ids, "interviews": interviews, "answers": answer_total}
