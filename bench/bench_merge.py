"""Benchmark: merging the 20,000-interview demo into an empty database (issue 14, point 4).

Target: under 10 s, and under 3x the floor. The floor, measured in the same run on the same
files: a bare `INSERT INTO main.t SELECT * FROM src.t` of the same rows for every table the merge
copies, in one transaction, into an empty database with the same schema and page cache, then
the same checkpoint the merge makes. Each is run twice, alternately, and the faster run counts,
so a busy moment on a shared machine does not decide the ratio.
The source is PSS_BENCH_MERGE_DB when set, else the shared 20,000-interview demo database of the
benchmarks (bench_analysis.demo_database: built once per code version, open answers read).
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from pathlib import Path

from surveys.accounts import command_line_actor
from surveys.merge import MERGE_CACHE_KIB, MERGE_ORDER, merge_databases
from surveys.storage import checkpoint_wal, open_database, write_transaction
from surveys.storage import quality as quality_store
from surveys.storage import transfer as transfer_store

SOURCE = Path(os.environ["PSS_BENCH_MERGE_DB"]) if os.environ.get("PSS_BENCH_MERGE_DB") else None
INTERVIEWS = 20_000
TARGET_SECONDS = 10.0
TARGET_RATIO = 3.0


def source_database() -> Path:
    """Return the path of the 20,000-interview demo database (PSS_BENCH_MERGE_DB, else the shared one)."""
    if SOURCE is not None:
        return SOURCE
    from bench.bench_analysis import demo_database

    return demo_database(INTERVIEWS)


def empty_database(path: Path):
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return open_database(path)


def time_floor(source: Path, target: Path, bulk: bool) -> float:
    """Return the seconds a bare INSERT ... SELECT of every merged table takes into an empty database.

    BULK: inside quality_store.bulk_answer_load, the fastest load the schema allows (running
    totals and spare indexes worked out once after); otherwise every trigger fires per row.
    """
    db = empty_database(target)
    db.execute(f"PRAGMA cache_size = -{MERGE_CACHE_KIB}")
    transfer_store.attach_source(db, source)
    started = time.perf_counter()
    with write_transaction(db), (quality_store.bulk_answer_load(db) if bulk else contextlib.nullcontext()):
        db.execute("PRAGMA defer_foreign_keys = ON")
        for table in MERGE_ORDER:
            if transfer_store.table_exists(db, table):
                columns = ", ".join(f"[{c}]" for c in transfer_store.shared_columns(db, table))
                db.execute(f"INSERT INTO main.[{table}] ({columns}) SELECT {columns} FROM src.[{table}]")
    transfer_store.detach_source(db)
    checkpoint_wal(db, attempts=1)
    seconds = time.perf_counter() - started
    db.conn.close()
    return seconds


def time_merge(source: Path, target: Path) -> tuple[float, dict]:
    """Return (seconds, summary) of merging SOURCE into an empty database."""
    db = empty_database(target)
    actor = command_line_actor(db)
    started = time.perf_counter()
    summary = merge_databases(source, db, actor)
    seconds = time.perf_counter() - started
    db.conn.close()
    return seconds, summary.as_dict()


def main() -> int:
    source = source_database()
    target = source.with_name("pss_bench_merge_target.db")
    floors, plain_floors, ours = [], [], []
    summary: dict = {}
    for _ in range(2):
        floors.append(time_floor(source, target, bulk=True))
        seconds, summary = time_merge(source, target)
        ours.append(seconds)
    plain_floors.append(time_floor(source, target, bulk=False))
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    best, floor = min(ours), min(floors)
    ratio = best / floor
    added = summary.get("added", {})
    print(f"merge of the {INTERVIEWS:,}-interview demo into an empty database: {best:.1f} s "
          f"({added.get('interview', 0):,} interviews, {added.get('answer', 0):,} answers; runs "
          f"{', '.join(f'{s:.1f}' for s in ours)} s)")
    print(f"floor: bare INSERT ... SELECT of the same rows with the totals worked out once after {floor:.1f} s "
          f"(runs {', '.join(f'{s:.1f}' for s in floors)} s), ratio {ratio:.2f}; targets under "
          f"{TARGET_SECONDS:.0f} s: {'met' if best < TARGET_SECONDS else 'MISSED'}, "
          f"under {TARGET_RATIO:.0f}x: {'met' if ratio < TARGET_RATIO else 'MISSED'}")
    print(f"(the same INSERT ... SELECT with every trigger firing per row: {plain_floors[0]:.1f} s, "
          f"ratio {best / plain_floors[0]:.2f})")
    return 0 if ratio < TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
