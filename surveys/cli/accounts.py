"""Commands `add-account`, `reset-password` and `erase`.

Once the database has accounts, each asks an admin to sign in (--admin NAME and the password,
asked for or read from $SURVEYS_ADMIN_PASSWORD) and is logged under that admin's name.
`reset-password --recover` is the way back in when nobody remembers an admin password: it is
for whoever holds the laptop's files, and it is logged as a recovery with the computer's user name.
"""

from __future__ import annotations

import argparse
import getpass
import sys

from surveys import accounts, erasure
from surveys.cli import (
    add_admin_argument,
    add_db_argument,
    command_line_actor,
    open_existing_database,
    signed_in_admin,
)
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
    add_admin_argument(add)
    add.set_defaults(run=run_add_account)

    reset = subparsers.add_parser("reset-password", help="set a new password for an account, and turn it on")
    add_db_argument(reset)
    reset.add_argument("--username", required=True)
    reset.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    reset.add_argument("--recover", action="store_true",
                       help="nobody remembers an admin password: set one on an admin account (logged)")
    add_admin_argument(reset)
    reset.set_defaults(run=run_reset_password)

    erase = subparsers.add_parser("erase", help="erase every interview and answer for one respondent code")
    add_db_argument(erase)
    erase.add_argument("--code", required=True, help="the respondent code")
    erase.add_argument("--reason", required=True, help="why, for the audit log")
    erase.add_argument("--yes", action="store_true", help="do it without asking")
    add_admin_argument(erase)
    erase.set_defaults(run=run_erase)


def run_add_account(args: argparse.Namespace) -> int:
    """Make an account (an admin signs in first once accounts exist) and say so."""
    db = open_existing_database(args.db)
    admin = signed_in_admin(db, args)
    accounts.create_account(db, args.username, _read_password(args), args.role, args.name, admin)
    print(f"Made the {args.role} account {args.username.strip()}.")
    return 0


def run_reset_password(args: argparse.Namespace) -> int:
    """Set a new password for an account, turn it back on, and say so."""
    db = open_existing_database(args.db)
    if args.recover:
        accounts.recover_admin_password(db, args.username, _read_password(args), command_line_actor())
        print(f"Set a new password for the admin account {args.username.strip()}. This was logged as a recovery.")
        return 0
    admin = signed_in_admin(db, args)
    account = account_store.account_by_username(db, args.username)
    if account is None:
        raise StorageError(f"There is no account called {args.username}.")
    accounts.change_password(db, account["account_id"], _read_password(args), admin)
    accounts.enable_account(db, account["account_id"], admin)
    print(f"Set a new password for {account['username']}.")
    return 0


def run_erase(args: argparse.Namespace) -> int:
    """Erase one respondent code after showing what will go; exit 1 when the person says no."""
    db = open_existing_database(args.db)
    admin = signed_in_admin(db, args)
    preview = erasure.erasure_preview(db, args.code)
    print(f"{preview['respondent_code']}: {preview['interviews']} interviews, {preview['answers']} answers.")
    if not args.yes and input("Erase them for good? Type yes: ").strip().lower() != "yes":
        print("Nothing was erased.")
        return 1
    done = erasure.erase_respondent(db, args.code, admin, args.reason)
    print(f"Erased {done['interviews']} interviews and {done['answers']} answers for {done['respondent_code']}.")
    if not done["wiped"]:
        print("Someone else had the data open, so the last copy of the erased answers is still in a working file "
              "of the database. It is wiped the next time the app or a command opens the database.")
    return 0
