"""Benchmark: saves that stay quick when many people save at once (issue 11, point 8).

16 writers (separate processes, as 16 laptops' browser sessions on one shared file would be)
each run 100 whole interviews: start, five answers, send in. Every call is timed.

Targets: 0 answers lost, 0 saved twice, save p99 under 1 s and the longest under 3 s.
Floor, measured in the same run: the same interviews from one writer alone (no one to wait
for), so the ratio says how much waiting adds. Run it alone with `python -m bench contention`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WRITERS = int(os.environ.get("PSS_BENCH_WRITERS", "16"))
INTERVIEWS_EACH = int(os.environ.get("PSS_BENCH_INTERVIEWS", "100"))
TARGET_P99_S = 1.0
TARGET_MAX_S = 3.0

WORKER = textwrap.dedent(
    """
    import json, sys, time
    sys.path.insert(0, {root!r})
    from surveys import accounts
    from surveys import interviews as iv
    from surveys.storage import open_database

    setup = json.loads({setup!r})
    db = open_database({path!r}, migrate_now=False)
    person = accounts.actor_for_account(db, setup["accounts"][{worker}])
    place, happy, nights, helped, more = setup["questions"]
    times, saved, errors = [], [], []
    while time.time() < {start_at}:
        time.sleep(0.005)
    for n in range({interviews}):
        try:
            began = time.perf_counter()
            interview_id = iv.start_interview(db, setup["version_id"], "W{worker}-%03d" % n, person, True)
            times.append(time.perf_counter() - began)
            for question_id, value in ((place, "hostel %d" % n), (happy, "Yes"), (nights, str(n)),
                                       (helped, ["Food", "A bed"]), (more, "worker {worker} interview %d" % n)):
                began = time.perf_counter()
                iv.save_answer(db, interview_id, question_id, value, seconds=1.0, actor=person)
                times.append(time.perf_counter() - began)
                saved.append([interview_id, question_id])
            began = time.perf_counter()
            iv.submit_interview(db, interview_id, actor=person)
            times.append(time.perf_counter() - began)
        except Exception as exc:
            errors.append("%s: %s" % (type(exc).__name__, exc))
    db.conn.close()
    print(json.dumps({{"times": times, "saved": saved, "errors": errors}}), flush=True)
    """
)


def small_survey(path: Path, interviewers: int) -> dict:
    """Make a published five-question survey and INTERVIEWERS interviewer accounts in the database at PATH."""
    from unittest import mock

    from surveys import accounts
    from surveys.storage import open_database
    from surveys.storage import core as store

    db = open_database(path)
    survey_id = store.create_survey(db, "Contention")
    version_id = store.create_version(db, survey_id)
    questions = [
        store.add_question(db, version_id, name="place", type="text", wording="Where do you stay?"),
        store.add_question(db, version_id, name="happy", type="yes_no", wording="Are you happy there?"),
        store.add_question(db, version_id, name="nights", type="number", wording="How many nights?"),
        store.add_question(db, version_id, name="help", type="multiple_choice", wording="What helped?",
                           options=["Food", "A bed", "Someone to talk to"]),
        store.add_question(db, version_id, name="more", type="long_text", wording="Anything else?"),
    ]
    store.set_version_status(db, version_id, "published")
    admin = accounts.create_account(db, "bench-admin", "bench password 1234", "admin", "Bench admin",
                                    accounts.command_line_actor(db))
    boss = accounts.actor_for_account(db, admin)
    one_hash = accounts.hash_password("bench password 1234")  # hashing is not what this measures
    with mock.patch.object(accounts, "hash_password", lambda _password: one_hash):
        people = [accounts.create_account(db, f"writer-{n}", "bench password 1234", "interviewer",
                                          f"Interviewer {n}", boss) for n in range(interviewers)]
    db.conn.close()
    return {"version_id": version_id, "questions": questions, "accounts": people}


def run_writers(path: Path, writers: int, interviews: int) -> list[dict]:
    """Return each writer's timings, saves and errors after running them all at the same moment."""
    setup = small_survey(path, writers)
    start_at = time.time() + 1.0 + 0.1 * writers  # every process is up before anyone starts
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER.format(root=str(ROOT), path=str(path), setup=json.dumps(setup),
                                                 worker=w, start_at=start_at, interviews=interviews)],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for w in range(writers)
    ]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=3600)
        if proc.returncode != 0:
            raise SystemExit(f"a writer failed: {err[-2000:]}")
        results.append(json.loads(out.strip().splitlines()[-1]))
    return results


def percentile(values: list[float], share: float) -> float:
    """Return the value below which SHARE of VALUES fall (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def check_nothing_lost(path: Path, results: list[dict]) -> tuple[int, int]:
    """Return (answers lost, answers saved twice) by comparing what writers saved with the file."""
    from surveys.storage import open_database

    db = open_database(path)
    stored = db.execute("SELECT interview_id, question_id, COUNT(*) FROM answer GROUP BY 1, 2").fetchall()
    db.conn.close()
    counts = {(i, q): n for i, q, n in stored}
    expected = {tuple(pair) for r in results for pair in r["saved"]}
    lost = sum(1 for pair in expected if pair not in counts)
    doubled = sum(n - 1 for n in counts.values() if n > 1)
    return lost, doubled


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="pss-contention-") as folder:
        floor_results = run_writers(Path(folder) / "alone.db", 1, INTERVIEWS_EACH)
        floor_times = floor_results[0]["times"]
        path = Path(folder) / "shared.db"
        started = time.perf_counter()
        results = run_writers(path, WRITERS, INTERVIEWS_EACH)
        wall = time.perf_counter() - started
        errors = [e for r in results for e in r["errors"]]
        lost, doubled = check_nothing_lost(path, results)
    times = [t for r in results for t in r["times"]]
    p50, p99, longest = percentile(times, 0.5), percentile(times, 0.99), max(times)
    f50, f99 = percentile(floor_times, 0.5), percentile(floor_times, 0.99)
    print(f"{WRITERS} writers x {INTERVIEWS_EACH} interviews: {len(times):,} saves in {wall:.1f} s, "
          f"{len(errors)} errors, {lost} answers lost, {doubled} saved twice")
    print(f"save p50: {p50 * 1000:.0f} ms (floor: one writer alone {f50 * 1000:.1f} ms, ratio {p50 / f50:.1f})")
    print(f"save p99: {p99 * 1000:.0f} ms (floor: one writer alone {f99 * 1000:.1f} ms, ratio {p99 / f99:.1f}) "
          f"target under {TARGET_P99_S:.0f} s: {'met' if p99 < TARGET_P99_S else 'MISSED'}")
    print(f"longest save: {longest * 1000:.0f} ms, target under {TARGET_MAX_S:.0f} s: "
          f"{'met' if longest < TARGET_MAX_S else 'MISSED'}")
    if errors:
        print("first errors:", errors[:3])
    ok = not errors and lost == 0 and doubled == 0 and p99 < TARGET_P99_S and longest < TARGET_MAX_S
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
