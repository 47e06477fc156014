"""Commands that move data: import-xlsform, export-xlsform, import-responses, export-responses,
merge, backup and restore. Each opens the database, calls one library function and prints
what happened in plain words.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from surveys.cli import (
    add_admin_argument,
    add_db_argument,
    command_line_actor,
    open_existing_database,
    signed_in_admin,
)
from surveys.storage import StorageError, open_database, resolve_db_path






def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the data transfer commands."""
    p = subparsers.add_parser("import-xlsform", help="make a new draft survey from an XLSForm (.xlsx or .xls)")
    add_db_argument(p)
    p.add_argument("file", help="the XLSForm file")
    p.add_argument("--check-wording", action="store_true",
                   help="also run the wording checker on every question (loads the English language model)")
    p.set_defaults(run=run_import_xlsform)

    p = subparsers.add_parser("export-xlsform", help="save a survey version as an XLSForm for KoboToolbox or ODK")
    add_db_argument(p)
    p.add_argument("version", help="the version id (see `python -m surveys versions`)")
    p.add_argument("--out", required=True, help="the .xlsx file to write")
    p.set_defaults(run=run_export_xlsform)

    p = subparsers.add_parser("import-responses", help="add answers from a CSV or Excel file, all or nothing")
    add_db_argument(p)
    p.add_argument("file", help="the .csv, .xlsx or .xls file of answers")
    p.add_argument("--version", required=True, help="the version id the answers belong to")
    add_admin_argument(p)
    p.set_defaults(run=run_import_responses)

    p = subparsers.add_parser("export-responses", help="save a version's answers as CSV or Excel with a codebook")
    add_db_argument(p)
    p.add_argument("--version", required=True, help="the version id")
    p.add_argument("--out", required=True, help="the .csv or .xlsx file to write")
    p.add_argument("--identifiable", action="store_true",
                   help="leave names, phone numbers and other personal details in (an admin signs in; logged)")
    add_admin_argument(p)
    p.set_defaults(run=run_export_responses)

    p = subparsers.add_parser("merge", help="bring in the data of another laptop's database")
    p.add_argument("source", help="the other laptop's database file")
    p.add_argument("--into", required=True, metavar="PATH", help="this laptop's database, which receives the data")
    add_admin_argument(p)
    p.set_defaults(run=run_merge)

    p = subparsers.add_parser("backup", help="save a safe copy of the database, even while the app runs")
    add_db_argument(p)
    p.add_argument("--out", required=True, help="the backup file to write")
    p.set_defaults(run=run_backup)

    p = subparsers.add_parser("restore", help="put a backup back in place of the database")
    add_db_argument(p)
    p.add_argument("backup", help="the backup file")
    add_admin_argument(p)
    p.set_defaults(run=run_restore)


def run_import_xlsform(args: argparse.Namespace) -> int:
    """Import a form and print its report; exit 0."""
    from surveys.xlsform import import_xlsform

    db = open_existing_database(args.db)
    report = import_xlsform(db, args.file, command_line_actor(), check_wording=args.check_wording)
    for line in report.lines():
        print(line)
    print(f"The new version id is {report.version_id}.")
    return 0


def run_export_xlsform(args: argparse.Namespace) -> int:
    """Write a version as an XLSForm, saying what could not be written as it was; exit 0."""
    from surveys.xlsform import save_form

    db = open_existing_database(args.db)
    saved = save_form(db, args.version, args.out)
    for note in saved.notes:
        print(note)
    print(f"Saved the form to {saved.path}. It opens in KoboToolbox and ODK.")
    return 0


def run_import_responses(args: argparse.Namespace) -> int:
    """Import answers; exit 0, or 1 with every problem listed when nothing was imported."""
    from surveys.responses import ImportFailed, import_responses

    db = open_existing_database(args.db)
    try:
        report = import_responses(db, args.file, args.version, signed_in_admin(db, args))
    except ImportFailed as exc:
        print(f"Error: nothing was imported from {exc.report.file}. Fix these rows and try again:", file=sys.stderr)
        for row, reason in exc.report.problems:
            print(f"  row {row}: {reason}", file=sys.stderr)
        return 2
    print(report.summary())
    return 0


def run_export_responses(args: argparse.Namespace) -> int:
    """Write a version's answers; exit 0."""
    from surveys.responses import export_responses

    db = open_existing_database(args.db)
    # Personal details left in need an admin who signs in (once the database has accounts);
    # a masked export is logged with the computer user's name.
    actor = signed_in_admin(db, args) if args.identifiable else command_line_actor()
    result = export_responses(db, args.version, args.out, identifiable=args.identifiable, actor=actor)
    print(f"Saved {result.interviews} interviews ({result.answers} answers) to {result.path}.")
    if result.codebook_path:
        print(f"The codebook (what each column means) is in {result.codebook_path}.")
    if result.identifiable:
        print("Names and other personal details were left in. Keep this file safe; the export was logged.")
    else:
        print("Names, phone numbers and other personal details in open answers were hidden.")
    return 0


def run_merge(args: argparse.Namespace) -> int:
    """Merge a laptop's database into another; exit 0."""
    from surveys.merge import merge_databases

    into = Path(args.into)
    if not into.exists():
        raise StorageError(f"There is no database at {into}. Check the --into path.")
    db = open_database(into)
    summary = merge_databases(args.source, db, signed_in_admin(db, args))
    for line in summary.lines():
        print(line)
    return 0


def run_backup(args: argparse.Namespace) -> int:
    """Write a backup; exit 0."""
    from surveys.backup import backup

    path = resolve_db_path(args.db)
    out = backup(path, args.out)
    print(f"Saved a backup of {path} to {out}.")
    return 0


def run_restore(args: argparse.Namespace) -> int:
    """Restore a backup; exit 0."""
    from surveys.backup import restore

    path = resolve_db_path(args.db)
    if path.exists():
        db = open_database(path)
        try:
            actor = signed_in_admin(db, args)
        finally:
            db.conn.close()
    else:
        from surveys.accounts import command_line_actor as no_accounts_yet

        actor = no_accounts_yet(open_database(":memory:"))
    result = restore(args.backup, path, actor)
    print(f"Put the backup {result.restored_from} in place of {path}.")
    if result.safety_copy:
        print(f"The data as it was before is kept in {result.safety_copy}.")
    return 0
