"""Accounts and roles: making accounts, signing in, slowing down guessing, timeouts.

Passwords are hashed with argon2 (argon2-cffi's PasswordHasher). Neither a password nor its
hash is ever written to the audit log or the sign-in attempts table. The admin's audit log
view (filters and a CSV download) lives here too, because it is the record of what accounts did.

Roles: admin (everything), designer (peer researcher or staff: Design, Interview, Explore),
interviewer (Interview) and evaluator (Explore). The pages check them through PAGE_ROLES in
ui/common.py.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import re
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlite_utils import Database

from surveys.storage import StorageError, audit, get_setting, new_id, now, set_setting, write_transaction
from surveys.storage import accounts as account_store
from surveys.storage import core as store
from surveys.storage.core import InvalidInput, NotFound

ACCOUNT_ROLES = ("admin", "designer", "interviewer", "evaluator")
ROLE_LABELS = {
    "admin": "Admin",
    "designer": "Designer (peer researcher or staff)",
    "interviewer": "Interviewer",
    "evaluator": "Evaluator",
}
# The person record made with an account, unless the admin picks another part in the project.
DEFAULT_PERSON_ROLE = {
    "admin": "admin",
    "designer": "peer_researcher",
    "interviewer": "interviewer",
    "evaluator": "evaluator",
}
MIN_PASSWORD_LENGTH = 10
USERNAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._@-]{1,63}$")
# Slowing down guessing: this many failures in the window are free, then the wait doubles.
FREE_FAILURES = 3
FAILURE_WINDOW_MINUTES = 15
MAX_DELAY_SECONDS = 30
DEFAULT_IDLE_MINUTES = 30
IDLE_MINUTES_RANGE = (1, 24 * 60)
SINGLE_USER_SETTING = "single_user_mode"
SINGLE_USER_ENV = "SURVEYS_SINGLE_USER"
IDLE_SETTING = "session_idle_minutes"
CODE_PATTERN_SETTING = "respondent_code_pattern"
DEFAULT_CODE_PATTERN = r"^[A-Za-z]{1,4}-?\d{2,6}$"
WRONG_SIGN_IN = "That name or password is wrong."

_hasher = PasswordHasher()
_dummy_hash_lock = threading.Lock()
_dummy_hash: list[str] = []


class SignInFailed(StorageError):
    """The name or password was wrong, or the account is turned off (we do not say which)."""


class WeakPassword(InvalidInput):
    """A password that does not meet the rules, with the rule in plain words."""


class NotAllowed(StorageError, PermissionError):
    """The account doing something may not do it (or is no longer on)."""


@dataclass(frozen=True)
class Actor:
    """Who is doing something, as the database knows them.

    Made only by `actor_for_account` (a signed-in account, read from the database) or
    `command_line_actor`. Library functions that decide a permission take an Actor and check
    it again with `check_actor`, so a stale or made-up role is never trusted.
    `account_id` is None only for the command line on a laptop that has no accounts yet.
    """

    account_id: str | None
    person_id: str | None
    name: str
    role: str


COMMAND_LINE_NAME = "command line"


def _command_line_name() -> str:
    """Return "command line (<computer user>)", so the log says whose computer account ran it."""
    import getpass

    try:
        return f"{COMMAND_LINE_NAME} ({getpass.getuser()})"
    except Exception:  # getuser fails when no user name is set at all
        return COMMAND_LINE_NAME


# ---- passwords --------------------------------------------------------------------------------


def check_password_rules(password: str, username: str = "") -> None:
    """Return None when PASSWORD is good enough, else raise WeakPassword saying why."""
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise WeakPassword(f"The password needs at least {MIN_PASSWORD_LENGTH} letters, numbers or signs.")
    if not password.strip():
        raise WeakPassword("The password cannot be only spaces.")
    if username and password.strip().lower() == username.strip().lower():
        raise WeakPassword("The password cannot be the same as the sign-in name.")


def hash_password(password: str) -> str:
    """Return the argon2 hash of PASSWORD (starts with "$argon2")."""
    return _hasher.hash(password)


def _password_matches(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def _spend_time_like_a_check(password: str) -> None:
    # An unknown name takes as long as a known one, so timing does not tell names apart.
    with _dummy_hash_lock:
        if not _dummy_hash:
            _dummy_hash.append(_hasher.hash("not a real password " + new_id()))
    _password_matches(_dummy_hash[0], password)


# ---- making and changing accounts -------------------------------------------------------------


def _clean_username(username: str) -> str:
    name = (username or "").strip()
    if not USERNAME_PATTERN.match(name):
        raise InvalidInput(
            "The sign-in name needs 2 to 64 letters or numbers. It can also have spaces, dots, "
            "dashes, @ and _ (but not at the start)."
        )
    return name


def create_account(
    db: Database,
    username: str,
    password: str,
    role: str,
    display_name: str,
    actor: Actor,
    *,
    person_role: str | None = None,
    person_id: str | None = None,
) -> str:
    """Return the id of a new account, made with a new person (or linked to PERSON_ID).

    Only an admin (ACTOR, checked again in the database) may make accounts. The password must
    have at least 10 characters; it is stored only as an argon2 hash.
    """
    actor = check_actor(db, actor, "admin")
    return _add_account(db, username, password, role, display_name, actor.name,
                        person_role=person_role, person_id=person_id)


def _add_account(db: Database, username: str, password: str, role: str, display_name: str, actor_name: str,
                 *, person_role: str | None = None, person_id: str | None = None) -> str:
    if role not in ACCOUNT_ROLES:
        raise InvalidInput("Pick a kind of account: admin, designer, interviewer or evaluator.")
    name = _clean_username(username)
    check_password_rules(password, name)
    password_hash = hash_password(password)  # slow on purpose, so do it before taking the lock
    with write_transaction(db):
        if account_store.account_by_username(db, name) is not None:
            raise InvalidInput("Someone already has that sign-in name. Pick another one.")
        if person_id is None:
            person_id = store.add_person(
                db, display_name, person_role or DEFAULT_PERSON_ROLE[role], actor=actor_name
            )
        else:
            store.get_person(db, person_id)
            if account_store.account_for_person(db, person_id) is not None:
                raise InvalidInput("This person already has an account.")
        account_id = new_id()
        account_store.insert_account(
            db,
            {
                "id": account_id,
                "person_id": person_id,
                "username": name,
                "password_hash": password_hash,
                "role": role,
                "created_at": now(),
            },
        )
        # The log names the account and its role; never the password or its hash.
        audit(db, actor_name, "create account", "account", account_id, None,
              {"username": name, "role": role, "person_id": person_id})
    return account_id


def needs_first_admin(db: Database) -> bool:
    """Return True when no admin account can sign in yet, so the app asks for one."""
    return not account_store.active_accounts(db, "admin")


def create_first_admin(db: Database, username: str, password: str, display_name: str) -> dict:
    """Return the signed-in user for the first admin account; refuse once an admin exists."""
    with write_transaction(db):
        if not needs_first_admin(db):
            raise InvalidInput("There is already an admin account. Sign in with it.")
        account_id = _add_account(db, username, password, "admin", display_name, display_name)
        account = account_store.account_by_id(db, account_id)
        audit(db, account["display_name"], "sign in", "account", account_id, None,
              {"username": account["username"], "how": "made the first admin account"})
    return user_for_account(account)


def _get_account(db: Database, account_id: str) -> dict:
    account = account_store.account_by_id(db, account_id)
    if account is None:
        raise NotFound("That account is not in the database.")
    return account


def _refuse_losing_last_admin(db: Database, account: dict) -> None:
    admins = account_store.active_accounts(db, "admin")
    if account["role"] == "admin" and account["disabled_at"] is None and len(admins) <= 1:
        raise InvalidInput("This is the only admin account. Make another admin first.")


def change_password(
    db: Database, account_id: str, new_password: str, actor: Actor, *, old_password: str | None = None
) -> None:
    """Set a new password for an account: an admin for anyone, or a person for their own account.

    A person changing their own password must give OLD_PASSWORD, checked against the hash.
    """
    actor = check_actor(db, actor)
    own = actor.account_id is not None and actor.account_id == account_id
    if not own and actor.role != "admin":
        raise NotAllowed("Only an admin can set someone else's password.")
    account = _get_account(db, account_id)
    if own and actor.role != "admin" and old_password is None:
        raise SignInFailed("Type your old password too.")
    if old_password is not None and not _password_matches(account["password_hash"], old_password):
        raise SignInFailed("Your old password is wrong.")
    check_password_rules(new_password, account["username"])
    new_hash = hash_password(new_password)
    with write_transaction(db):
        account_store.update_account(db, account_id, {"password_hash": new_hash})
        audit(db, actor.name, "change password", "account", account_id, None, {"username": account["username"]})


def set_role(db: Database, account_id: str, role: str, actor: Actor) -> None:
    """Give an account another role (admins only); the last admin cannot stop being an admin."""
    if role not in ACCOUNT_ROLES:
        raise InvalidInput("Pick a kind of account: admin, designer, interviewer or evaluator.")
    actor = check_actor(db, actor, "admin")
    with write_transaction(db):
        account = _get_account(db, account_id)
        if account["role"] == role:
            return
        if role != "admin":
            _refuse_losing_last_admin(db, account)
        account_store.update_account(db, account_id, {"role": role})
        audit(db, actor.name, "change role", "account", account_id, {"role": account["role"]}, {"role": role})


def disable_account(db: Database, account_id: str, actor: Actor) -> None:
    """Turn an account off (admins only) so it can no longer sign in; the last admin cannot be turned off."""
    actor = check_actor(db, actor, "admin")
    with write_transaction(db):
        account = _get_account(db, account_id)
        if account["disabled_at"] is not None:
            return
        _refuse_losing_last_admin(db, account)
        account_store.update_account(db, account_id, {"disabled_at": now()})
        audit(db, actor.name, "turn off account", "account", account_id, None, {"username": account["username"]})


def enable_account(db: Database, account_id: str, actor: Actor) -> None:
    """Turn an account back on (admins only)."""
    actor = check_actor(db, actor, "admin")
    with write_transaction(db):
        account = _get_account(db, account_id)
        if account["disabled_at"] is None:
            return
        account_store.update_account(db, account_id, {"disabled_at": None})
        audit(db, actor.name, "turn on account", "account", account_id, None, {"username": account["username"]})


def recover_admin_password(db: Database, username: str, new_password: str, who: str) -> str:
    """Return the account id after setting a new password on an admin account and turning it on.

    The way back in when nobody remembers an admin password: for whoever holds the laptop's
    files (the command line's `reset-password --recover`), who can read the database anyway.
    WHO (the computer user) is logged as "recover admin password".
    """
    account = account_store.account_by_username(db, (username or "").strip())
    if account is None:
        raise NotFound(f"There is no account called {username}.")
    if account["role"] != "admin":
        raise NotAllowed("Only an admin account can be recovered this way. An admin can set other passwords.")
    check_password_rules(new_password, account["username"])
    new_hash = hash_password(new_password)
    with write_transaction(db):
        account_store.update_account(db, account["account_id"], {"password_hash": new_hash, "disabled_at": None})
        audit(db, who, "recover admin password", "account", account["account_id"], None,
              {"username": account["username"]})
    return account["account_id"]


def list_accounts(db: Database) -> list[dict]:
    """Return every account (no password hashes) with its person's name and whether it is on."""
    return [{**row, "active": row["disabled_at"] is None} for row in account_store.list_accounts(db)]


def account_for_person(db: Database, person_id: str) -> dict | None:
    """Return the account (no password hash) of a person, or None."""
    return account_store.account_for_person(db, person_id)


# ---- signing in -------------------------------------------------------------------------------


def user_for_account(account: Mapping, at: float | None = None) -> dict:
    """Return the session user kept in st.session_state["auth_user"] for an account."""
    stamp = time.time() if at is None else at
    return {
        "account_id": account["account_id"],
        "person_id": account["person_id"],
        "name": account["display_name"],
        "person_role": account["person_role"],
        "role": account["role"],
        "signed_in_at": stamp,
        "last_seen": stamp,
    }


def _iso_minutes_ago(minutes: float, at: _dt.datetime | None = None) -> str:
    moment = at or _dt.datetime.now(_dt.timezone.utc)
    return (moment - _dt.timedelta(minutes=minutes)).isoformat(timespec="microseconds")


def delay_before_attempt(db: Database, username: str, *, at: _dt.datetime | None = None) -> int:
    """Return how many seconds to wait before the next sign-in try for USERNAME.

    0 for the first 3 failures in 15 minutes (since the last good sign-in), then 1, 2, 4, 8, 16
    and at most 30 seconds. The library only says how long; the page waits and says so.
    """
    failures = account_store.failures_since(db, username or "", _iso_minutes_ago(FAILURE_WINDOW_MINUTES, at))
    if failures < FREE_FAILURES:
        return 0
    return min(MAX_DELAY_SECONDS, 2 ** (failures - FREE_FAILURES))


def authenticate(db: Database, username: str, password: str) -> dict:
    """Return the signed-in user for a right name and password, or raise SignInFailed.

    Every try is recorded (the name typed, when, worked or not) and logged as "sign in" or
    "failed sign in"; the password and its hash never are.
    """
    typed = (username or "").strip()
    account = account_store.account_by_username(db, typed) if typed else None
    if account is None:
        _spend_time_like_a_check(password or "")
        ok = False
    else:
        ok = _password_matches(account["password_hash"], password or "") and account["disabled_at"] is None
    with write_transaction(db):
        account_store.add_login_attempt(db, typed or "(blank)", now(), ok)
        if not ok:
            # A name with no account is not copied into the log: people sometimes type a
            # password into the name box by mistake.
            audit(db, account["display_name"] if account else "", "failed sign in", "account",
                  account["account_id"] if account else "",
                  None, {"username": account["username"] if account else "(a name with no account)"})
        else:
            if _hasher.check_needs_rehash(account["password_hash"]):
                account_store.update_account(
                    db, account["account_id"], {"password_hash": hash_password(password)}
                )
            audit(db, account["display_name"], "sign in", "account", account["account_id"], None,
                  {"username": account["username"]})
    if not ok:
        # Raised after the commit, so the failed try stays on record for slowing down guessing.
        raise SignInFailed(WRONG_SIGN_IN)
    return user_for_account(account)


def sign_out(db: Database, user: Mapping, *, reason: str = "") -> None:
    """Log that USER signed out (REASON says why, e.g. the session was idle)."""
    with write_transaction(db):
        audit(db, user.get("name"), "sign out", "person", user.get("person_id", ""), None,
              {"reason": reason} if reason else None)


def refresh_user(db: Database, user: Mapping) -> dict | None:
    """Return USER with its account's current name and role, or None when it cannot go on.

    The account is read from the database on every call: a session whose account is missing
    or turned off (or that names no account at all) is not trusted.
    """
    account_id = user.get("account_id")
    account = account_store.account_by_id(db, account_id) if account_id else None
    if account is None or account["disabled_at"] is not None:
        return None
    return {
        **user,
        "person_id": account["person_id"],
        "name": account["display_name"],
        "person_role": account["person_role"],
        "role": account["role"],
    }


def actor_for_account(db: Database, account_id: str | None) -> Actor:
    """Return the Actor for ACCOUNT_ID as the database knows it now; raise NotAllowed if it is gone or off."""
    account = account_store.account_by_id(db, account_id) if account_id else None
    if account is None or account["disabled_at"] is not None:
        raise NotAllowed("You need to be signed in with an account that is on to do this.")
    return Actor(account["account_id"], account["person_id"], account["display_name"], account["role"])


def actor_for_user(db: Database, user: Mapping) -> Actor:
    """Return the Actor for a signed-in session user (read again from the database)."""
    return actor_for_account(db, user.get("account_id"))


def check_actor(db: Database, actor: Actor | None, *roles: str) -> Actor:
    """Return ACTOR as the database knows it now, when it may act in one of ROLES (any role if none).

    Raise NotAllowed otherwise. The command-line actor (no account) is only allowed while the
    database has no accounts that are on: once accounts exist, an admin must sign in.
    """
    if not isinstance(actor, Actor):
        raise NotAllowed("This needs someone who is signed in. Sign in and try again.")
    if actor.account_id is None:
        if account_store.active_accounts(db):
            raise NotAllowed("This database has accounts, so an admin must sign in to do this.")
        current = actor
    else:
        current = actor_for_account(db, actor.account_id)
    if roles and current.role not in roles:
        names = ", ".join(ROLE_LABELS[r] for r in roles)
        raise NotAllowed(f"Only these kinds of account can do this: {names}.")
    return current


def command_line_actor(db: Database, username: str | None = None, password: str | None = None) -> Actor:
    """Return who is acting on the command line.

    With no accounts yet, the person at the laptop owns the file, so they act as an admin
    named "command line". Once accounts exist, USERNAME and PASSWORD must be an account's
    (checked like a sign-in, with the same slowing down of guesses).
    """
    if not account_store.active_accounts(db):
        return Actor(None, None, _command_line_name(), "admin")
    if not username or password is None:
        raise NotAllowed("This database has accounts. Give your sign-in name and password to do this.")
    wait = delay_before_attempt(db, username)
    if wait:
        time.sleep(wait)
    user = authenticate(db, username, password)
    return actor_for_account(db, user["account_id"])


# ---- sessions time out ------------------------------------------------------------------------


def idle_minutes(db: Database) -> int:
    """Return the minutes a session may be idle before it is signed out (setting, default 30)."""
    value = get_setting(db, IDLE_SETTING)
    try:
        minutes = int(value) if value is not None else DEFAULT_IDLE_MINUTES
    except ValueError:
        return DEFAULT_IDLE_MINUTES
    low, high = IDLE_MINUTES_RANGE
    return minutes if low <= minutes <= high else DEFAULT_IDLE_MINUTES


def set_idle_minutes(db: Database, minutes: int, actor: Actor) -> None:
    """Store how many idle minutes sign a person out (1 to 1440); admins only."""
    low, high = IDLE_MINUTES_RANGE
    if isinstance(minutes, bool) or not isinstance(minutes, int) or not low <= minutes <= high:
        raise InvalidInput(f"Pick a number of minutes from {low} to {high}.")
    actor = check_actor(db, actor, "admin")
    set_setting(db, IDLE_SETTING, str(minutes), actor=actor.name)


def session_expired(user: Mapping, now: float, idle_minutes: int = DEFAULT_IDLE_MINUTES) -> bool:
    """Return True when USER has done nothing for more than IDLE_MINUTES (NOW in epoch seconds)."""
    last = user.get("last_seen") or user.get("signed_in_at") or 0
    return now - float(last) > idle_minutes * 60


# ---- the single-laptop setting ----------------------------------------------------------------


def single_user_mode(db: Database, environ: Mapping[str, str] | None = None) -> bool:
    """Return True when the single-laptop setting is on (setting or SURVEYS_SINGLE_USER=1)."""
    env = os.environ if environ is None else environ
    return env.get(SINGLE_USER_ENV) == "1" or get_setting(db, SINGLE_USER_SETTING) == "1"


def single_user(db: Database, environ: Mapping[str, str] | None = None) -> dict | None:
    """Return the lone researcher's user when the single-laptop setting applies, else None.

    It applies only when the setting is on and exactly one account is on, an admin one:
    with more accounts, everyone signs in as usual.
    """
    if not single_user_mode(db, environ):
        return None
    accounts = account_store.active_accounts(db)
    if len(accounts) != 1 or accounts[0]["role"] != "admin":
        return None
    return user_for_account(accounts[0])


def set_single_user_mode(db: Database, on: bool, actor: Actor) -> None:
    """Turn the single-laptop setting on or off (admins only); on needs exactly one account, an admin."""
    actor = check_actor(db, actor, "admin")
    if on:
        accounts = account_store.active_accounts(db)
        if len(accounts) != 1 or accounts[0]["role"] != "admin":
            raise InvalidInput(
                "The single-laptop setting is for one person working alone. "
                "It needs exactly one account that is on, and it must be an admin account."
            )
    set_setting(db, SINGLE_USER_SETTING, "1" if on else "0", actor=actor.name)


def log_single_user_sign_in(db: Database, user: Mapping) -> None:
    """Log that the single-laptop setting signed the lone researcher in."""
    with write_transaction(db):
        audit(db, user.get("name"), "sign in", "person", user.get("person_id", ""), None,
              {"how": "single-laptop setting"})


# ---- the respondent code pattern --------------------------------------------------------------


def respondent_code_pattern(db: Database) -> str:
    """Return the pattern respondent codes should match (setting, or a default)."""
    return get_setting(db, CODE_PATTERN_SETTING) or DEFAULT_CODE_PATTERN


def set_respondent_code_pattern(db: Database, pattern: str, actor: Actor) -> None:
    """Store the pattern respondent codes should match, after checking it works; admins only."""
    actor = check_actor(db, actor, "admin")
    pattern = (pattern or "").strip()
    if not pattern:
        raise InvalidInput("Type a pattern for the codes.")
    try:
        re.compile(pattern)
    except re.error as exc:
        raise InvalidInput(f"That pattern does not work: {exc}.") from exc
    set_setting(db, CODE_PATTERN_SETTING, pattern, actor=actor.name)


# ---- who did what: the audit log for the admin -----------------------------------------------


def _day_start(day: _dt.date) -> str:
    return _dt.datetime.combine(day, _dt.time(), tzinfo=_dt.timezone.utc).isoformat(timespec="microseconds")


def audit_log(
    db: Database,
    *,
    action: str | None = None,
    actor: str | None = None,
    first_day: _dt.date | None = None,
    last_day: _dt.date | None = None,
    limit: int = 1000,
) -> list[dict]:
    """Return audit log rows, newest first, for one action, one person and a range of days (UTC).

    The library offers no way to change or delete a log entry; the database refuses it too.
    """
    return account_store.search_audit_log(
        db,
        action=action or None,
        actor=actor or None,
        start=_day_start(first_day) if first_day else None,
        end=_day_start(last_day + _dt.timedelta(days=1)) if last_day else None,
        limit=limit,
    )


def audit_choices(db: Database) -> dict[str, list[str]]:
    """Return the actions and the people that appear in the audit log, for filter menus."""
    return {"actions": account_store.audit_actions(db), "actors": account_store.audit_actors(db)}


# How the audit log's stored values read on the admin page: field names and codes in words.
FIELD_WORDS = {
    "value": "answer", "opt_out": "no answer", "reason": "why", "respondent_code": "respondent code",
    "interviewer_id": "interviewer", "person_id": "person", "author_id": "person", "question_id": "question",
    "interview_id": "interview", "version_id": "survey version", "started_at": "started",
    "finished_at": "finished", "updated_at": "changed", "created_at": "made", "published_at": "published",
    "status": "state", "consent": "agreed to take part", "display_name": "name", "username": "sign-in name",
    "synthetic": "made-up demo data", "mode": "way of asking", "note": "interviewer's note",
    "needed_explaining": "needed explaining", "upsetting": "upset them", "word_count": "words",
    "identifiable": "personal details left in", "already_here": "already here", "file": "file",
    "interviews": "interviews", "answers": "answers", "rows": "rows", "what": "what",
}
CODE_WORDS = {
    "skipped": "skipped", "dont_know": "don't know", "prefer_not_to_say": "prefer not to say",
    "draft": "not sent in yet", "submitted": "sent in", "published": "ready to use", "retired": "no longer used",
    "given": "yes", "declined": "no", "one_at_a_time": "one question at a time", "whole_form": "all questions at once",
}
# Fields that only repeat the record's own id or a time already shown in "When".
HIDDEN_FIELDS = ("id", "lineage_id", "password_hash")


def _plain_value(key: str, value: object, names: Mapping[str, str]) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(_plain_value(key, v, names) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{FIELD_WORDS.get(k, k.replace('_', ' '))}: {_plain_value(k, v, names)}"
                         for k, v in value.items() if v not in (None, "") and k not in HIDDEN_FIELDS)
    text = str(value)
    if key in ("synthetic", "needed_explaining", "reworded", "upsetting", "required") and text in ("0", "1"):
        return "yes" if text == "1" else "no"
    if text in names:
        return names[text]
    if key in ("at", "started_at", "finished_at", "updated_at", "created_at", "published_at") and "T" in text:
        return text[:16].replace("T", " ")
    return CODE_WORDS.get(text, text)


def audit_value_words(raw: str | None, names: Mapping[str, str] | None = None) -> str:
    """Return a stored audit value (JSON or text) as plain words: "answer: Yes; why: typo"."""
    from surveys.storage.migrations import ERASED_MARK

    if raw is None or raw == "":
        return ""
    if raw == ERASED_MARK:
        return "(erased)"
    try:
        value = json.loads(raw)
    except (json.JSONDecodeError, TypeError):
        return _plain_value("", raw, names or {})
    return _plain_value("", value, names or {})


def names_for(db: Database, ids) -> dict[str, str]:
    """Return {id: name} for the people, accounts and questions among IDS (others are left out)."""
    return account_store.names_for_ids(db, list(ids))


def audit_log_view(db: Database, rows: list[dict]) -> list[dict]:
    """Return audit log rows as people read them: when, who (a name, never an id), what, and
    before and after in plain words instead of stored JSON."""
    names = account_store.names_for_ids(db, _ids_in(rows))
    view = []
    for row in rows:
        who = row.get("actor") or ""
        view.append({
            "when": (row.get("at") or "")[:19].replace("T", " "),
            "who": names.get(who, who) or "(the app)",
            "what": row.get("action") or "",
            "record": names.get(row.get("record_id") or "", row.get("record_id") or ""),
            "before": audit_value_words(row.get("old_value"), names),
            "after": audit_value_words(row.get("new_value"), names),
        })
    return view


def _ids_in(rows: list[dict]) -> set[str]:
    """Return every id-shaped text in the rows' who, record and values, to look their names up."""
    found: set[str] = set()
    for row in rows:
        for text in (row.get("actor"), row.get("record_id"), row.get("old_value"), row.get("new_value")):
            for part in re.findall(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", text or ""):
                found.add(part)
    return found


AUDIT_CSV_COLUMNS = ("at", "actor", "action", "table_name", "record_id", "old_value", "new_value")


def audit_log_csv(rows: list[dict]) -> bytes:
    """Return audit log rows as a safe CSV file (UTF-8 with a byte order mark, for Excel)."""
    from surveys.downloads import csv_bytes

    return csv_bytes(["when", "who", "what", "table", "record", "before", "after"],
                     ([row.get(column) for column in AUDIT_CSV_COLUMNS] for row in rows))


def audit_view_csv(view: list[dict]) -> bytes:
    """Return audit rows as shown on the admin page (names and plain words) as a safe CSV file."""
    from surveys.downloads import csv_bytes

    columns = ("when", "who", "what", "record", "before", "after")
    return csv_bytes(["When", "Who", "What", "Record", "Before", "After"],
                     ([row[c] for c in columns] for row in view))


__all__ = [
    "ACCOUNT_ROLES",
    "ROLE_LABELS",
    "SignInFailed",
    "WeakPassword",
    "account_for_person",
    "audit_choices",
    "audit_log",
    "audit_log_csv",
    "audit_log_view",
    "names_for",
    "audit_value_words",
    "audit_view_csv",
    "authenticate",
    "change_password",
    "check_password_rules",
    "create_account",
    "create_first_admin",
    "delay_before_attempt",
    "disable_account",
    "enable_account",
    "hash_password",
    "idle_minutes",
    "list_accounts",
    "log_single_user_sign_in",
    "needs_first_admin",
    "recover_admin_password",
    "refresh_user",
    "Actor",
    "NotAllowed",
    "actor_for_account",
    "actor_for_user",
    "check_actor",
    "command_line_actor",
    "respondent_code_pattern",
    "session_expired",
    "set_idle_minutes",
    "set_respondent_code_pattern",
    "set_role",
    "set_single_user_mode",
    "sign_out",
    "single_user",
    "single_user_mode",
    "user_for_account",
]
