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
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlite_utils import Database

# Modules that add commands, in the order they appear in --help.
COMMAND_MODULES = ("surveys.cli.core", "surveys.cli.check", "surveys.cli.report", "surveys.cli.transfer", "surveys.cli.accounts")
# Commands that need no database: for these only their own module is loaded, which keeps
# sqlite-utils (and the pandas it loads, about half a second) out of a `check` run.
STANDALONE_COMMANDS = {"check": "surveys.cli.check"}


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
    from surveys.storage import StorageError, open_database, resolve_db_path

    path = resolve_db_path(path_value)
    if not path.exists():
        raise StorageError(f"There is no database at {path}. Run `python -m surveys init --db {path}` first.")
    return open_database(path)


def build_parser(modules: Sequence[str] = COMMAND_MODULES) -> argparse.ArgumentParser:
    """Return the parser with the commands of MODULES (every command unless told) registered."""
    parser = PlainArgumentParser(
        prog="python -m surveys",
        description="Peer Survey Studio: design, run and learn from peer research surveys.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=PlainArgumentParser)
    subparsers.required = True
    for module_name in modules:
        importlib.import_module(module_name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse ARGV, run the command and return its exit code."""
    words = list(sys.argv[1:] if argv is None else argv)
    standalone = STANDALONE_COMMANDS.get(words[0]) if words else None
    parser = build_parser((standalone,) if standalone else COMMAND_MODULES)
    args = parser.parse_args(words)
    try:
        return int(args.run(args) or 0)
    except Exception as exc:
        # Storage errors carry a plain message; a run that never loaded storage cannot raise one.
        storage = sys.modules.get("surveys.storage")
        if storage is None or not isinstance(exc, storage.StorageError):
            raise
        print(f"Error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("Stopped.", file=sys.stderr)
        return 130
