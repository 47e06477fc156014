"""The `python -m surveys` command line: a thin layer that opens the database, calls one
library function and turns its errors into a plain message and a non-zero exit code.

Each command lives in a module of this package with `register(subparsers)`; a command's
`run(args)` returns the exit code.
"""

from __future__ import annotations

import argparse
import getpass
import importlib
import sys
from collections.abc import Sequence

from sqlite_utils import Database

from surveys.storage import StorageError, open_database, resolve_db_path

# Modules that add commands, in the order they appear in --help.
COMMAND_MODULES = ("surveys.cli.core", "surveys.cli.check", "surveys.cli.report", "surveys.cli.transfer", "surveys.cli.accounts")


class PlainArgumentParser(argparse.ArgumentParser):
    """An ArgumentParser whose errors exit with code 2 and a plain sentence."""

    def error(self, message: str) -> None:  # pragma: no cover - argparse calls sys.exit
        self.print_usage(sys.stderr)
        self.exit(2, f"Error: {message}\n")


def add_db_argument(parser: argparse.ArgumentParser) -> None:
    """Add the --db option every command takes."""
    parser.add_argument(
        "--db",
        metavar="PATH",
        default=None,
        help="database file (default: $SURVEYS_DB, else data/surveys.db)",
    )


def command_line_actor() -> str:
    """Return who runs the command, for the audit log: the name of the computer user."""
    try:
        return f"command line ({getpass.getuser()})"
    except Exception:  # getuser fails when no user name is set at all
        return "command line"


def open_existing_database(path_value: str | None) -> Database:
    """Return the database at --db (or the default), refusing a path with no database yet."""
    path = resolve_db_path(path_value)
    if not path.exists():
        raise StorageError(f"There is no database at {path}. Run `python -m surveys init --db {path}` first.")
    return open_database(path)


def build_parser() -> argparse.ArgumentParser:
    """Return the parser with every command registered."""
    parser = PlainArgumentParser(
        prog="python -m surveys",
        description="Peer Survey Studio: design, run and learn from peer research surveys.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=PlainArgumentParser)
    subparsers.required = True
    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse ARGV, run the command and return its exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.run(args) or 0)
    except StorageError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("Stopped.", file=sys.stderr)
        return 130
