"""Command `report`: the per-question answer quality measures, or one version against another."""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import sys

from surveys.cli import add_db_argument, open_existing_database
from surveys.storage import core as store

TABLE_COLUMNS = (
    ("name", "Question", "{}"),
    ("version", "Version", "{}"),
    ("asked", "Asked", "{:.0f}"),
    ("answered_rate", "Answered", "{:.0%}"),
    ("skipped_rate", "Skipped", "{:.0%}"),
    ("dont_know_rate", "Don't know", "{:.0%}"),
    ("prefer_not_rate", "Prefer not", "{:.0%}"),
    ("explained_rate", "Explained", "{:.0%}"),
    ("reworded_rate", "Reworded", "{:.0%}"),
    ("upset_rate", "Upset", "{:.0%}"),
    ("median_words", "Words", "{:.1f}"),
    ("very_short_share", "Very short", "{:.0%}"),
    ("distinct_words", "Different words", "{:.0f}"),
    ("quality_index", "Quality", "{:.1f}"),
)
COMPARE_TABLE = (
    ("name", "Question", "{}"),
    ("quality_a", "Quality A", "{:.1f}"),
    ("quality_b", "Quality B", "{:.1f}"),
    ("quality_diff", "Change", "{:+.1f}"),
    ("answered_rate_diff", "Answered change", "{:+.1%}"),
    ("answered_rate_p", "p", "{:.3g}"),
    ("score_a", "Score A", "{:.0f}"),
    ("score_b", "Score B", "{:.0f}"),
    ("got_worse", "Got worse", "{}"),
)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the report command."""
    report = subparsers.add_parser(
        "report", help="print how well each question was answered, or compare two versions"
    )
    add_db_argument(report)
    which = report.add_mutually_exclusive_group()
    which.add_argument("--version", metavar="ID", help="only this survey version (default: every version)")
    which.add_argument("--compare", nargs=2, metavar=("ID_A", "ID_B"),
                       help="compare version A with version B, question by question")
    report.add_argument("--format", choices=("table", "json", "csv"), default="table",
                        help="how to print it (default: table)")
    report.set_defaults(run=run_report)




def _plain(value):
    """Return VALUE as something JSON and CSV can hold: no NaN, no numpy types."""
    if value is None:
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _cell(value, pattern: str) -> str:
    value = _plain(value)
    if value is None:
        return "-"
    try:
        return pattern.format(value)
    except (ValueError, TypeError):
        return str(value)


def _table(records: list[dict], columns) -> str:
    header = [label for _, label, _ in columns]
    rows = [[_cell(r.get(key), pattern) for key, _, pattern in columns] for r in records]
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(header)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths)) for row in rows]
    return "\n".join(lines)


def _csv(records: list[dict]) -> str:
    buffer = io.StringIO()
    if records:
        writer = csv.DictWriter(buffer, fieldnames=list(records[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(records)
    return buffer.getvalue()


def run_report(args: argparse.Namespace) -> int:
    """Print the measures (or the comparison) in the chosen format; 0 on success, 2 on a bad id."""
    db = open_existing_database(args.db)
    try:
        return _print_report(db, args)
    except ValueError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 2


def _print_report(db, args: argparse.Namespace) -> int:
    """Print the report for ARGS and return 0."""
    # pandas and scipy load only for this command, so other commands start fast.
    from analysis.compare import COMPARE_COLUMNS, compare_versions
    from analysis.quality import measures_for_report, question_measures

    if args.compare:
        version_a, version_b = args.compare
        frame = compare_versions(db, version_a, version_b)
        records = [{c: _plain(row[c]) for c in COMPARE_COLUMNS} for _, row in frame.iterrows()]
        columns = COMPARE_TABLE
        empty = "There is nothing to compare: one of the versions has no answers yet."
    else:
        version_ids = None
        if args.version:
            store.get_version(db, args.version)
            version_ids = [args.version]
        frame = question_measures(db, version_ids)
        records = measures_for_report(frame)
        labels = {v["id"]: f"v{v['number']}" for v in store.list_versions(db)}
        for record in records:
            record["version"] = labels.get(record["version_id"], "")
        columns = TABLE_COLUMNS
        empty = "There are no questions to report yet."
    if args.format == "json":
        if not args.compare:
            for record in records:
                record.pop("version", None)
        print(json.dumps(records, indent=2, ensure_ascii=False))
    elif args.format == "csv":
        sys.stdout.write(_csv(records))
    elif not records:
        print(empty)
    else:
        print(_table(records, columns))
    return 0
