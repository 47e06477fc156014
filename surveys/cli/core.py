"""Commands `init`, `versions` and `demo`."""

from __future__ import annotations

import argparse
import json
import sys
import time

from surveys.cli import add_db_argument, open_existing_database
from surveys.storage import open_database, resolve_db_path
from surveys.storage import core as store


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the init, versions and demo commands."""
    init = subparsers.add_parser("init", help="create the database or bring it up to date")
    add_db_argument(init)
    init.set_defaults(run=run_init)

    versions = subparsers.add_parser("versions", help="list surveys and their versions with ids")
    add_db_argument(versions)
    versions.add_argument("--format", choices=("table", "json"), default="table")
    versions.set_defaults(run=run_versions)

    demo = subparsers.add_parser("demo", help="fill the database with the synthetic demo survey and interviews")
    add_db_argument(demo)
    demo.add_argument("--interviews", type=int, default=400, help="how many synthetic interviews (default 400)")
    demo.add_argument("--seed", type=int, default=7, help="random seed, so the same demo comes out each time")
    demo.add_argument(
        "--if-empty", action="store_true", help="only add the demo when the database has no surveys yet"
    )
    demo.set_defaults(run=run_demo)


def run_init(args: argparse.Namespace) -> int:
    """Create or migrate the database and say what was done."""
    path = resolve_db_path(args.db)
    existed = path.exists()
    db = open_database(path, migrate_now=False)
    from surveys.storage import migrate

    applied = migrate(db)
    if not existed:
        print(f"Made a new database at {path}.")
    elif applied:
        print(f"Brought the database at {path} up to date ({len(applied)} changes).")
    else:
        print(f"The database at {path} is already up to date.")
    return 0




def run_versions(args: argparse.Namespace) -> int:
    """Print surveys and versions as a table or JSON."""
    db = open_existing_database(args.db)
    versions = store.list_versions(db)
    if args.format == "json":
        print(json.dumps(versions, indent=2, ensure_ascii=False))
        return 0
    if not versions:
        print("There are no surveys yet. Run `python -m surveys demo` to add the demo survey.")
        return 0
    for v in versions:
        synthetic = " (synthetic demo)" if v["synthetic"] and "synthetic" not in v["survey_name"].lower() else ""
        print(
            f"{v['survey_name']}{synthetic} | v{v['number']} {v['label']} | {v['status']} | "
            f"{v['questions']} questions | {v['interviews']} interviews | {v['id']}"
        )
    return 0


def run_demo(args: argparse.Namespace) -> int:
    """Load the synthetic demo survey (v1 and v2) and interviews."""
    from surveys import demo

    if args.interviews < 0:
        print("Error: --interviews must be 0 or more.", file=sys.stderr)
        return 2
    path = resolve_db_path(args.db)
    db = open_database(path)
    if args.if_empty and not store.is_empty(db):
        print(f"The database at {path} already has surveys, so no demo data was added.")
        return 0
    started = time.perf_counter()

    def progress(done: int, total: int) -> None:
        if sys.stderr.isatty():
            print(f"\r{done:,} of {total:,} interviews", end="", file=sys.stderr, flush=True)

    result = demo.load_demo(db, interviews=args.interviews, seed=args.seed, progress=progress)
    if sys.stderr.isatty():
        print(file=sys.stderr)
    seconds = time.perf_counter() - started
    print(
        f"Added the synthetic demo survey to {path}: {result['interviews']:,} interviews and "
        f"{result['answers']:,} answers in {seconds:.1f} s."
    )
    # Each open answer is read once for personal details and common words, now rather than when
    # someone first opens Explore or exports.
    from analysis import themes

    started = time.perf_counter()
    read = themes.read_waiting_answers(db)
    print(f"Read {read:,} open answers for personal details and common words in "
          f"{time.perf_counter() - started:.1f} s.")
    return 0
