"""Commands `add-account`, `reset-password` and `erase`: for whoever holds the laptop's files.

They are the way back in when the only admin forgets their password, and a way to erase one
respondent on every laptop from a script. Each is logged with the computer's user name.
"""

from __future__ import annotations

import argparse
import getpass
import sys

from surveys import accounts, erasure
from surveys.cli import add_db_argument, command_line_actor, open_existing_database
from surveys.storage import StorageError
from surveys.storage import accounts as account_store






def _read_password(args: argparse.Namespace) -> str:
    """Return a new password from standard input (--password-stdin) or asked twice, unseen."""
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("New password: ")
    if first != getpass.getpass("Type it again: "):
        raise StorageError("The two passwords are not the same.")
    return first


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the add-account, reset-password and erase commands."""
    add = subparsers.add_parser("add-account", help="make a sign-in account (asks for the password)")
    add_db_argument(add)
    add.add_argument("--username", required=True, help="the sign-in name")
    add.add_argument("--name", required=True, help="the name others see")
    add.add_argument("--role", required=True, choices=accounts.ACCOUNT_ROLES)
    add.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    add.set_defaults(run=run_add_account)

    reset = subparsers.add_parser("reset-password", help="set a new password for an account, and turn it on")
    add_db_argument(reset)
    reset.add_argument("--username", required=True)
    reset.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    reset.set_defaults(run=run_reset_password)

    erase = subparsers.add_parser("erase", help="erase every interview and answer for one respondent code")
    add_db_argument(erase)
    erase.add_argument("--code", required=True, help="the respondent code")
    erase.add_argument("--reason", required=True, help="why, for the audit log")
    erase.add_argument("--yes", action="store_true", help="do it without asking")
    erase.set_defaults(run=run_erase)


def run_add_account(args: argparse.Namespace) -> int:
    """Make an account and say so."""
    db = open_existing_database(args.db)
    accounts.create_account(db, args.username, _read_password(args), args.role, args.name, command_line_actor())
    print(f"Made the {args.role} account {args.username.strip()}.")
    return 0


def run_reset_password(args: argparse.Namespace) -> int:
    """Set a new password for an account, turn it back on, and say so."""
    db = open_existing_database(args.db)
    account = account_store.account_by_username(db, args.username)
    if account is None:
        raise StorageError(f"There is no account called {args.username}.")
    accounts.change_password(db, account["account_id"], _read_password(args), command_line_actor())
    accounts.enable_account(db, account["account_id"], command_line_actor())
    print(f"Set a new password for {account['username']}.")
    return 0


def run_erase(args: argparse.Namespace) -> int:
    """Erase one respondent code after showing what will go; exit 1 when the person says no."""
    db = open_existing_database(args.db)
    preview = erasure.erasure_preview(db, args.code)
    print(f"{preview['respondent_code']}: {preview['interviews']} interviews, {preview['answers']} answers.")
    if not args.yes and input("Erase them for good? Type yes: ").strip().lower() != "yes":
        print("Nothing was erased.")
        return 1
    done = erasure.erase_respondent(db, args.code, command_line_actor(), args.reason)
    print(f"Erased {done['interviews']} interviews and {done['answers']} answers for {done['respondent_code']}.")
    return 0
