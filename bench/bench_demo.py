"""Benchmark: loading the demo with 20,000 interviews (about 900,000 answers).

Target (issue 2): under 2 minutes on this machine. The floor is a bare executemany of the same
number of answer-sized rows into a table with no indexes, triggers or foreign keys, in the
same run, so the ratio shows what our schema and data generation cost on top of SQLite itself.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
import time
import uuid
from pathlib import Path

from surveys.demo import load_demo
from surveys.storage import open_database

INTERVIEWS = int(os.environ.get("BENCH_DEMO_INTERVIEWS", "20000"))


def main() -> None:
    """Print the demo load time, the bare-insert floor and the ratio."""
    with tempfile.TemporaryDirectory() as folder:
        db = open_database(Path(folder) / "demo.db")
        started = time.perf_counter()
        result = load_demo(db, interviews=INTERVIEWS, seed=7)
        ours = time.perf_counter() - started
        db.conn.close()

        answers = result["answers"]
        floor_conn = sqlite3.connect(Path(folder) / "floor.db", isolation_level=None)
        floor_conn.execute("PRAGMA journal_mode = WAL")
        floor_conn.execute("PRAGMA synchronous = NORMAL")
        floor_conn.execute(
            "CREATE TABLE answer (id TEXT, interview_id TEXT, question_id TEXT, value TEXT, opt_out TEXT, "
            "word_count INT, needed_explaining INT, reworded INT, upsetting INT, note TEXT, seconds REAL, "
            "updated_at TEXT)"
        )
        interview = str(uuid.uuid4())
        question = str(uuid.uuid4())
        rows = ((str(uuid.uuid4()), interview, question, "Yes", None, 0, 0, 0, 0, "", 12.5,
                 "2025-01-01T10:00:00") for _ in range(answers))
        started = time.perf_counter()
        floor_conn.execute("BEGIN")
        floor_conn.executemany("INSERT INTO answer VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", rows)
        floor_conn.execute("COMMIT")
        floor = time.perf_counter() - started
        floor_conn.close()

    verdict = "meets" if ours < 120 else "MISSES"
    print(f"demo load, {INTERVIEWS:,} interviews / {answers:,} answers: {ours:.1f} s "
          f"(floor: bare executemany of {answers:,} rows {floor:.1f} s, ratio {ours / floor:.1f}); "
          f"target under 120 s: {verdict}")


if __name__ == "__main__":
    main()
