"""The `python -m surveys` command line: a thin layer that opens the database, calls one
library function and turns its errors into a plain message and a non-zero exit code.

Each command lives in a module of this package with `register(subparsers)`; a command's
`run(args)` returns the exit code.
"""

from __future__ import annotations

import argparse
import getpass
import importlib
import os
import sqlite3
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlite_utils import Database

ADMIN_ENV = "SURVEYS_ADMIN"
ADMIN_PASSWORD_ENV = "SURVEYS_ADMIN_PASSWORD"

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
    """Return who runs the command, for the audit log: "command line (<computer user>)"."""
    from surveys.accounts import _command_line_name

    return _command_line_name()


def add_admin_argument(parser: argparse.ArgumentParser) -> None:
    """Add --admin, for commands that need an admin to sign in once the database has accounts."""
    parser.add_argument(
        "--admin", metavar="NAME", default=None,
        help=f"an admin's sign-in name, needed once the database has accounts (or set ${ADMIN_ENV}); "
             f"the password is asked for, or read from ${ADMIN_PASSWORD_ENV}",
    )


def signed_in_admin(db: Database, args: argparse.Namespace):
    """Return the accounts.Actor an admin command runs as: the command line while the database
    has no accounts, else the admin who signs in with --admin and a password.

    The password is never an option on the command line (others could see it in the list of
    running programs): it is asked for without showing it, or read from $SURVEYS_ADMIN_PASSWORD
    for scripts.
    """
    from surveys import accounts
    from surveys.storage import accounts as account_store

    if not account_store.active_accounts(db):
        return accounts.command_line_actor(db)
    interactive = sys.stdin.isatty()
    username = getattr(args, "admin", None) or os.environ.get(ADMIN_ENV)
    if not username and interactive:
        username = input("Admin sign-in name: ").strip()
    password = os.environ.get(ADMIN_PASSWORD_ENV)
    if password is None and interactive and username:
        password = getpass.getpass(f"Password for {username}: ")
    if not username or password is None:
        raise accounts.NotAllowed(
            "This database has accounts, so an admin must sign in to do this. Give --admin NAME and type "
            f"the password when asked, or set {ADMIN_PASSWORD_ENV} in a script."
        )
    return accounts.check_actor(db, accounts.command_line_actor(db, username, password), "admin")


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
    except KeyboardInterrupt:
        print("Stopped.", file=sys.stderr)
        return 130
    except Exception as exc:
        message = plain_error(exc)
        if message is None:
            raise
        print(f"Error: {message}", file=sys.stderr)
        return 2


def plain_error(exc: BaseException) -> str | None:
    """Return the sentence to print for an error that bad input causes, or None for a real bug."""
    # Storage errors carry a plain message; a run that never loaded storage cannot raise one.
    storage = sys.modules.get("surveys.storage")
    if storage is not None and isinstance(exc, storage.StorageError):
        return str(exc)
    if isinstance(exc, EOFError):
        return "the command needed an answer, but the input ended first."
    if isinstance(exc, UnicodeError):
        return ("some text could not be read as proper letters (it is not UTF-8). "
                "Check the file or the words you typed.")
    if isinstance(exc, OSError):
        # A file that cannot be read or written: say which and why, in a sentence.
        where = f" {exc.filename}" if getattr(exc, "filename", None) else ""
        return f"could not use the file{where}: {exc.strerror or exc}."
    if isinstance(exc, sqlite3.DatabaseError):
        return f"the database could not do this: {exc}."
    return None
