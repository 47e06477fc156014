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

from sqlite_utils import Database

from surveys.storage import StorageError, open_database, resolve_db_path

ADMIN_ENV = "SURVEYS_ADMIN"
ADMIN_PASSWORD_ENV = "SURVEYS_ADMIN_PASSWORD"

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
    except EOFError:
        print("Error: the command needed an answer, but the input ended first.", file=sys.stderr)
        return 2
    except UnicodeError:
        print("Error: some text could not be read as proper letters (it is not UTF-8). "
              "Check the file or the words you typed.", file=sys.stderr)
        return 2
    except OSError as exc:
        # A file that cannot be read or written: say which and why, in a sentence.
        where = f" {exc.filename}" if getattr(exc, "filename", None) else ""
        print(f"Error: could not use the file{where}: {exc.strerror or exc}.", file=sys.stderr)
        return 2
    except sqlite3.DatabaseError as exc:
        print(f"Error: the database could not do this: {exc}.", file=sys.stderr)
        return 2
