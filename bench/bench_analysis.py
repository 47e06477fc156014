"""Benchmark the feedback-quality measures and the Explore page on a 20,000-interview demo database.

Targets (issue 6): all per-question measures in under 1 s and at most 2 times a bare SQLite
GROUP BY over the answers, measured in the same run; peak memory under 1 GB; an Explore page
rerun with warm caches under 300 ms.

The database is cached at /tmp/pss_bench_20k.db (built with load_demo(interviews=20000,
seed=7) when missing, about half a minute).
"""

from __future__ import annotations

import os
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analysis import compare, quality  # noqa: E402
from surveys.demo import load_demo  # noqa: E402
from surveys.storage import open_database  # noqa: E402
from surveys.storage import core as store  # noqa: E402
from surveys.storage import quality as quality_store  # noqa: E402

DB_PATH = Path(os.environ.get("PSS_BENCH_ANALYSIS_DB", "/tmp/pss_bench_20k.db"))
INTERVIEWS = 20_000
REPEATS = 7


def ensure_database(path: Path) -> None:
    """Build the 20,000-interview demo at PATH unless a complete one is already there."""
    if path.exists():
        db = open_database(path)
        count = db.execute("SELECT COUNT(*) FROM interview").fetchone()[0]
        db.conn.close()
        if count == INTERVIEWS:
            return
        path.unlink()
        for extra in ("-wal", "-shm"):
            Path(str(path) + extra).unlink(missing_ok=True)
    print(f"building {INTERVIEWS:,} synthetic interviews at {path} ...", flush=True)
    db = open_database(path)
    load_demo(db, interviews=INTERVIEWS, seed=7)
    db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.conn.close()


def timed(fn, repeats: int = REPEATS) -> list[float]:
    """Return the run times of FN in seconds."""
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return times


def p(times: list[float], q: float) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def bench_measures() -> None:
    db = open_database(DB_PATH)  # applies migrations (the covering indexes) if needed
    db.conn.close()
    db = open_database(DB_PATH, migrate_now=False)
    answers = db.execute("SELECT COUNT(*) FROM answer").fetchone()[0]
    print(f"database: {INTERVIEWS:,} interviews, {answers:,} answers")

    started = time.perf_counter()
    frame = quality.question_measures(db)
    cold = time.perf_counter() - started
    warm = timed(lambda: quality.question_measures(db))
    floor = timed(lambda: quality_store.bare_answer_group_by(db))
    tally = timed(lambda: quality_store.tally_counts(db), repeats=3)
    counted = timed(lambda: quality_store.counted_answer_groups(db, quality.make_filter()), repeats=3)
    median_warm, median_floor = statistics.median(warm), statistics.median(floor)
    print(f"question measures ({len(frame)} questions, every version), first call on a new connection: "
          f"{cold * 1000:.0f} ms")
    print(f"question measures median: {median_warm * 1000:.0f} ms, p90 {p(warm, 0.9) * 1000:.0f} ms "
          f"(floor: bare SELECT question_id, COUNT(*) FROM answer GROUP BY question_id "
          f"{median_floor * 1000:.0f} ms, ratio {median_warm / median_floor:.2f}; target under 1000 ms "
          f"and ratio at most 2)")
    print(f"  of which reading the running tally of answers: {statistics.median(tally) * 1000:.1f} ms; "
          f"counting the answers again instead (the path used with interviewer or day filters), one GROUP BY "
          f"over the covering index: {statistics.median(counted) * 1000:.0f} ms, "
          f"ratio {statistics.median(counted) / median_floor:.2f}")

    tracemalloc.start()
    quality.question_measures(db)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"question measures peak Python memory (tracemalloc): {peak / 2**20:.1f} MB")

    one_version = [store.list_versions(db)[0]["id"]]
    filtered = timed(lambda: quality.question_measures(db, one_version, start="2025-02-01", end="2025-03-31"), 3)
    print(f"question measures, one version and two months: {statistics.median(filtered) * 1000:.0f} ms")
    by_month = timed(lambda: quality.question_measures(db, by="month"), 1)
    print(f"question measures split by month: {by_month[0] * 1000:.0f} ms")
    interviews = timed(lambda: quality.interview_measures(db), 2)
    print(f"interview measures (length, straight-lining, drop-off): {statistics.median(interviews) * 1000:.0f} ms")
    v1, v2 = (v["id"] for v in store.list_versions(db)[:2])
    compared = timed(lambda: compare.compare_versions(db, v1, v2, with_scores=False), 2)
    print(f"version against version (without checker scores): {statistics.median(compared) * 1000:.0f} ms")
    db.conn.close()


def bench_page() -> None:
    from streamlit.testing.v1 import AppTest

    from tests.conftest import signed_in_user

    os.environ["SURVEYS_DB"] = str(DB_PATH)
    # Start from app.py, as the app does: the sidebar menu links pages relative to it.
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
    at.session_state["auth_user"] = signed_in_user(DB_PATH, "evaluator", "Bench evaluator")
    at.run()
    at.switch_page("pages/3_Explore.py")
    started = time.perf_counter()
    at.run()
    cold = time.perf_counter() - started
    if at.exception:
        print("Explore page failed:", [e.value for e in at.exception])
        return
    warm = timed(at.run, repeats=5)

    with tempfile.TemporaryDirectory() as folder:
        floor_script = Path(folder) / "floor_page.py"
        floor_script.write_text('import streamlit as st\nst.set_page_config(layout="wide")\nst.title("Floor")\n')
        bare = AppTest.from_file(str(floor_script), default_timeout=60)
        bare.run()
        floor = timed(bare.run, repeats=5)
    median_warm, median_floor = statistics.median(warm), statistics.median(floor)
    print(f"Explore page first run (cold caches, models loading): {cold:.1f} s")
    print(f"Explore page rerun with warm caches median: {median_warm * 1000:.0f} ms, max {max(warm) * 1000:.0f} ms "
          f"(floor: AppTest rerun of a one-line page {median_floor * 1000:.0f} ms, "
          f"ratio {median_warm / median_floor:.1f}; target under 300 ms)")


def main() -> None:
    ensure_database(DB_PATH)
    bench_measures()
    bench_page()
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory of the whole benchmark process (max RSS, includes the language models): "
          f"{peak_rss:.0f} MB (target under 1024 MB)")


if __name__ == "__main__":
    main()
