"""Many interviewers saving at once into one database file, and a laptop dying mid-interview."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

from surveys import accounts
from surveys import interviews as iv
from surveys.storage import open_database
from surveys.storage import core as store
from tests.test_interviews import make_actor

ROOT = Path(__file__).resolve().parents[1]
PROCESSES = 8
INTERVIEWS_EACH = 100


def small_survey(path: Path, interviewers: int) -> dict:
    """Make a published five-question survey and INTERVIEWERS accounts in the database at PATH.

    "people" holds the account ids: each worker acts as its own account, read from the database.
    """
    db = open_database(path)
    survey_id = store.create_survey(db, "Small survey")
    version_id = store.create_version(db, survey_id)
    questions = [
        store.add_question(db, version_id, name="place", type="text", wording="Where do you stay?"),
        store.add_question(db, version_id, name="happy", type="yes_no", wording="Are you happy there?",
                           required=True),
        store.add_question(db, version_id, name="nights", type="number", wording="How many nights?"),
        store.add_question(db, version_id, name="help", type="multiple_choice", wording="What helped?",
                           options=["Food", "A bed", "Someone to talk to"]),
        store.add_question(db, version_id, name="more", type="long_text", wording="Anything else?"),
    ]
    store.set_version_status(db, version_id, "published")
    actors = [make_actor(db, "interviewer", f"Interviewer {n}") for n in range(interviewers)]
    db.conn.close()
    return {"version_id": version_id, "questions": questions, "people": [a.account_id for a in actors],
            "person_ids": [a.person_id for a in actors]}


def interviewer_worker(path: str, setup: dict, worker: int) -> dict:
    """Run INTERVIEWS_EACH whole interviews as one interviewer; return what was saved and any errors."""
    db = open_database(path, migrate_now=False)
    person = accounts.actor_for_account(db, setup["people"][worker])
    place, happy, nights, helped, more = setup["questions"]
    saved: list[tuple[str, str, str]] = []
    errors: list[str] = []
    for n in range(INTERVIEWS_EACH):
        try:
            interview_id = iv.start_interview(db, setup["version_id"], f"W{worker}-{n:03d}", person, True)
            answers = [
                (place, f"hostel {worker}-{n}"),
                (happy, "Yes" if n % 2 else "No"),
                (nights, str(n)),
                (helped, ["Food", "A bed"]),
                (more, f"worker {worker} interview {n} says thanks"),
            ]
            for question_id, value in answers:
                iv.save_answer(db, interview_id, question_id, value, seconds=1.0, actor=person)
                saved.append((interview_id, question_id, iv.validate_answer(
                    store.get_question(db, question_id), value)))
            iv.submit_interview(db, interview_id, actor=person)
        except Exception as exc:  # every error must reach the test, to fail it
            errors.append(f"{type(exc).__name__}: {exc}")
    db.conn.close()
    return {"saved": saved, "errors": errors}


WORKER = textwrap.dedent(
    """
    import json, sys
    sys.path.insert(0, {root!r})
    from tests.test_interviews_concurrency import interviewer_worker

    print(json.dumps(interviewer_worker({path!r}, json.loads({setup!r}), {worker})), flush=True)
    """
)


def test_eight_interviewers_at_once_lose_and_double_nothing(tmp_path):
    path = tmp_path / "shared.db"
    setup = small_survey(path, PROCESSES)
    # Separate Python processes started at the same moment, each a laptop browser's server
    # thread in effect. Plain subprocesses rather than multiprocessing: spawn would re-run
    # whatever __main__ the test runner has (AppTest leaves app.py there).
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER.format(root=str(ROOT), path=str(path), setup=json.dumps(setup), worker=w)],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for w in range(PROCESSES)
    ]
    results = []
    for worker in workers:
        out, err = worker.communicate(timeout=600)
        assert worker.returncode == 0, err
        results.append(json.loads(out.strip().splitlines()[-1]))
    for r in results:
        r["saved"] = [tuple(row) for row in r["saved"]]

    assert [r["errors"] for r in results] == [[] for _ in range(PROCESSES)]
    db = open_database(path)
    expected = sorted(row for r in results for row in r["saved"])
    stored = sorted(
        tuple(row) for row in db.execute("SELECT interview_id, question_id, value FROM answer").fetchall()
    )
    assert len(expected) == PROCESSES * INTERVIEWS_EACH * 5
    assert stored == expected  # every answer there exactly once, with its value
    counts = db.execute(
        "SELECT COUNT(*), COUNT(DISTINCT respondent_code), SUM(status = 'submitted') FROM interview"
    ).fetchone()
    assert tuple(counts) == (PROCESSES * INTERVIEWS_EACH,) * 3
    per_interviewer = dict(db.execute("SELECT interviewer_id, COUNT(*) FROM interview GROUP BY 1").fetchall())
    assert per_interviewer == {p: INTERVIEWS_EACH for p in setup["person_ids"]}
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


CRASH_CHILD = textwrap.dedent(
    """
    import sys, json
    sys.path.insert(0, {root!r})
    from surveys import accounts
    from surveys import interviews as iv
    from surveys.storage import open_database

    setup = json.loads({setup!r})
    db = open_database({path!r}, migrate_now=False)
    person = accounts.actor_for_account(db, setup["people"][0])
    interview_id = iv.start_interview(db, setup["version_id"], "AB-1", person, True)
    print("interview", interview_id, flush=True)
    place, happy, nights, helped, more = setup["questions"]
    iv.save_answer(db, interview_id, place, "hostel", actor=person)
    print("saved", place, flush=True)
    iv.save_answer(db, interview_id, happy, "Yes", actor=person)
    print("saved", happy, flush=True)
    iv.save_note(db, interview_id, happy, needed_explaining=True, note="asked twice", actor=person)
    print("ready", flush=True)
    # Keep writing long answers until killed, so the kill lands in the middle of a save.
    n = 0
    while True:
        n += 1
        iv.save_answer(db, interview_id, more, f"{{n}}:" + "word " * 1500, actor=person)
        iv.save_answer(db, interview_id, nights, str(n), actor=person)
    """
)


def test_killed_mid_interview_keeps_every_saved_answer_and_nothing_half_written(tmp_path):
    import json

    path = tmp_path / "crash.db"
    setup = small_survey(path, 1)
    script = CRASH_CHILD.format(root=str(ROOT), setup=json.dumps(setup), path=str(path))
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    lines = []
    try:
        for line in child.stdout:
            lines.append(line.split())
            if line.strip() == "ready":
                break
        # Let it get well into the loop of saves before pulling the plug.
        import time

        time.sleep(0.5)
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == -signal.SIGKILL
    interview_id = lines[0][1]
    saved_before_ready = {parts[1] for parts in lines if parts[0] == "saved"}
    assert saved_before_ready == set(setup["questions"][:2])

    db = open_database(path)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    actor = accounts.actor_for_account(db, setup["people"][0])
    state = iv.resume(db, interview_id, actor)
    place, happy, nights, helped, more = setup["questions"]
    assert state.answers[place]["value"] == "hostel"
    assert (state.answers[happy]["value"], state.answers[happy]["needed_explaining"],
            state.answers[happy]["note"]) == ("Yes", 1, "asked twice")
    # The loop's answers are whole: the long answer has all its words, its count matches.
    long_answer = state.answers[more]
    number, body = long_answer["value"].split(":", 1)
    assert body == "word " * 1500
    assert long_answer["word_count"] == 1500
    assert int(number) >= 1
    # The number answer is from the same round as the long one, or the one just before.
    assert int(state.answers[nights]["value"]) in (int(number), int(number) - 1)
    assert helped not in state.answers
    assert state.interview["status"] == "draft"
    assert [r["id"] for r in iv.unfinished_interviews(db, actor)] == [interview_id]
