"""Benchmark: saving one interview answer with about a million answers already in the database.

Target (issue 5): save_answer p95 under 20 ms. The floor is a bare single-row
INSERT OR REPLACE in its own transaction on the same database, measured in the same run.
The 1M-answer database is built once (about 40 s) and reused from BENCH_DB when its size matches.
"""

from __future__ import annotations

import os
import statistics
import time
from pathlib import Path

from surveys import accounts
from surveys import interviews as iv
from surveys.demo import load_demo
from surveys.storage import new_id, now, open_database, write_transaction
from surveys.storage import core as store

BENCH_DB = Path(os.environ.get("PSS_BENCH_DB", "/tmp/pss_bench_1m.db"))
DEMO_INTERVIEWS = 22_500
SAVES = 500
TARGET_P95_MS = 20.0


def bench_database() -> Path:
    """Return the path of a demo database with about a million answers, building it if needed."""
    if BENCH_DB.exists():
        db = open_database(BENCH_DB)
        synthetic = store.database_summary(db)["synthetic_interviews"]
        db.conn.close()
        if synthetic == DEMO_INTERVIEWS:
            return BENCH_DB
        for suffix in ("", "-wal", "-shm"):
            Path(f"{BENCH_DB}{suffix}").unlink(missing_ok=True)
    print(f"Building {BENCH_DB} with {DEMO_INTERVIEWS:,} demo interviews...", flush=True)
    db = open_database(BENCH_DB)
    load_demo(db, interviews=DEMO_INTERVIEWS, seed=11)
    db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.conn.close()
    return BENCH_DB


def percentile(values: list[float], share: float) -> float:
    """Return the value below which SHARE of VALUES fall (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def answer_for(question: dict, n: int):
    """Return a valid answer for a question, varied by N."""
    kind = question["type"]
    options = [o for o in iv.question_options(question) if not iv.opt_out_for_option(o)]
    if kind in iv.OPEN_TYPES:
        return f"Answer number {n}: the staff were kind and the food was good most days."
    if kind == "number":
        return str(n)
    if kind == "date":
        return f"2025-03-{1 + n % 28:02d}"
    if kind == "multiple_choice":
        return options[: 1 + n % 2]
    return options[n % len(options)]


def main() -> None:
    path = bench_database()
    db = open_database(path)
    summary = store.database_summary(db)
    print(f"database: {summary['interview']:,} interviews, {summary['answer']:,} answers")
    version = next(v for v in store.list_versions(db) if v["status"] == "published")
    questions = [q for q in store.questions_for_version(db, version["id"]) if q["type"] != "note"]
    # The demo database has no accounts, so the person at the laptop acts (as the command line does).
    interviewer = accounts.command_line_actor(db)
    interview_id = iv.start_interview(db, version["id"], "BENCH-1", interviewer, True)

    ours = []
    for n in range(SAVES):
        question = questions[n % len(questions)]
        value = answer_for(question, n)
        started = time.perf_counter()
        iv.save_answer(db, interview_id, question["id"], value, seconds=3.0, actor=interviewer)
        ours.append((time.perf_counter() - started) * 1000)

    # Floor: the least a durable single-answer save can cost here, with no checks at all.
    floor_interview = iv.start_interview(db, version["id"], "BENCH-2", interviewer, True)
    floor = []
    for n in range(SAVES):
        question = questions[n % len(questions)]
        started = time.perf_counter()
        with write_transaction(db):
            db.execute(
                "INSERT OR REPLACE INTO answer (id, interview_id, question_id, value, updated_at) "
                "VALUES (?, ?, ?, ?, ?)",
                [new_id(), floor_interview, question["id"], f"value {n}", now()],
            )
        floor.append((time.perf_counter() - started) * 1000)

    reads, read_floor = [], []
    for _ in range(100):
        started = time.perf_counter()
        iv.resume(db, interview_id, interviewer)
        reads.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        db.execute("SELECT * FROM answer WHERE interview_id = ?", [interview_id]).fetchall()
        read_floor.append((time.perf_counter() - started) * 1000)
    db.conn.close()

    p95, floor95 = percentile(ours, 0.95), percentile(floor, 0.95)
    print(f"save answer p50: {statistics.median(ours):.2f} ms (floor: bare INSERT OR REPLACE "
          f"{statistics.median(floor):.2f} ms, ratio {statistics.median(ours) / statistics.median(floor):.1f})")
    print(f"save answer p95: {p95:.2f} ms (floor: bare INSERT OR REPLACE {floor95:.2f} ms, "
          f"ratio {p95 / floor95:.1f}) target under {TARGET_P95_MS:.0f} ms: "
          f"{'met' if p95 < TARGET_P95_MS else 'MISSED'}")
    r95, rf95 = percentile(reads, 0.95), percentile(read_floor, 0.95)
    print(f"read back one interview p95: {r95:.2f} ms (floor: bare SELECT of its answers {rf95:.2f} ms, "
          f"ratio {r95 / rf95:.1f})")


if __name__ == "__main__":
    main()
