"""Staying signed in across a reload: signed, expiring session tokens checked against the database.

A browser keeps one token (a cookie, see docs/security.md "Staying signed in after a reload").
The token is worth something only while its session record in the database is open: signing
out, the idle time running out, the session's 12 hours running out or the account being turned
off all close it, and a closed session never opens again. The record also remembers which
interview and question the person was on, so a reload brings them back there.

Token: "<session id>.<expires, Unix seconds>.<random>.<signature>", where the signature is an
HMAC-SHA256 of the first three parts with a secret made on this database at the first sign-in
(table login_session_key, never in the code or the repository). The database keeps only a
SHA-256 of the whole token, so the tokens themselves are nowhere on disk but in the browser.
"""

from __future__ import annotations

import base64
import datetime as _dt
import hashlib
import hmac
import os
import re
import secrets
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlite_utils import Database

from surveys import accounts
from surveys.storage import StorageError, audit, write_transaction
from surveys.storage import accounts as account_store
from surveys.storage import sessions as sql

LIFETIME_HOURS = 12  # a long working day; after that, the password again
TOUCH_EVERY_SECONDS = 60  # "last seen" is written at most this often, not on every click
KEEP_OLD_SESSIONS_DAYS = 30
COOKIE_PREFIX = "pss_session_"
COOKIE_NAME_PATTERN = re.compile(r"^pss_session_[0-9a-f]{12}$")
TOKEN_PATTERN = re.compile(r"^[0-9a-f]{32}\.\d{1,12}\.[A-Za-z0-9_-]{32}\.[A-Za-z0-9_-]{43}$")
# Tests move this server's clock by writing seconds into the file this variable names. Unset in
# normal use, so the real clock is used.
CLOCK_SHIFT_ENV = "SURVEYS_TEST_CLOCK_SHIFT_FILE"

# Why a session closed. The sign-in page uses these to say what happened in plain words.
SIGNED_OUT = "signed out"
IDLE = "idle"
TIME_UP = "time up"
ACCOUNT_OFF = "account turned off"
REASONS = (SIGNED_OUT, IDLE, TIME_UP, ACCOUNT_OFF)


class SessionEnded(StorageError):
    """A token that can no longer sign anyone in; `reason` says why (one of REASONS, or "unknown")."""

    def __init__(self, message: str, reason: str = "unknown") -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class Session:
    """An open session as checked just now: its id, its person and where they were."""

    session_id: str
    user: dict  # the session user kept in st.session_state["auth_user"] (see accounts.user_for_account)
    interview_id: str | None
    interview_step: str | None


def clock() -> float:
    """Return the time now in Unix seconds (moved on by the test clock when one is set)."""
    shift_file = os.environ.get(CLOCK_SHIFT_ENV)
    shift = 0.0
    if shift_file:
        try:
            shift = float(Path(shift_file).read_text().strip() or 0)
        except (OSError, ValueError):
            shift = 0.0
    return time.time() + shift


def _iso(at: float) -> str:
    return _dt.datetime.fromtimestamp(at, _dt.timezone.utc).isoformat(timespec="microseconds")


def _epoch(iso: str) -> float:
    return _dt.datetime.fromisoformat(iso).timestamp()


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def _key(db: Database, at: float) -> bytes:
    """Return this database's signing secret, making it on first use."""
    secret = sql.session_key(db)
    if secret is None:
        with write_transaction(db):
            sql.add_session_key(db, secrets.token_hex(32), _iso(at))
        secret = sql.session_key(db)
    return bytes.fromhex(secret)


def _sign(key: bytes, body: str) -> str:
    return _b64(hmac.new(key, body.encode("ascii"), hashlib.sha256).digest())


def cookie_name(db: Database) -> str:
    """Return the cookie name for this database's sessions.

    Each database gets its own name, so two copies of the app on one laptop (on different
    ports, which share cookies) never read each other's token.
    """
    digest = hashlib.sha256(_key(db, clock())).hexdigest()[:12]
    return COOKIE_PREFIX + digest


def start_session(db: Database, account_id: str, *, at: float | None = None) -> str:
    """Return a new token for ACCOUNT_ID (which must be on), valid for LIFETIME_HOURS while used.

    The new session starts at the interview and question the account's last session was on,
    when that interview is unfinished and the last session was not closed by signing out: after
    a timeout, signing in again carries on.
    """
    at = clock() if at is None else at
    key = _key(db, at)
    session_id = uuid.uuid4().hex
    expires = int(at + LIFETIME_HOURS * 3600)
    body = f"{session_id}.{expires}.{secrets.token_urlsafe(24)}"
    token = f"{body}.{_sign(key, body)}"
    with write_transaction(db):
        account = account_store.account_by_id(db, account_id)
        if account is None or account["disabled_at"] is not None:
            raise accounts.NotAllowed("You need an account that is on to stay signed in.")
        last = sql.latest_session_for_account(db, account_id)
        carry_on = last is not None and last["end_reason"] != SIGNED_OUT and last["interview_status"] == "draft"
        sql.delete_sessions_before(db, _iso(at - KEEP_OLD_SESSIONS_DAYS * 86400))
        sql.insert_session(db, {
            "id": session_id,
            "account_id": account_id,
            "token_hash": _hash(token),
            "created_at": _iso(at),
            "last_seen_at": _iso(at),
            "expires_at": _iso(expires),
            "ended_at": None,
            "end_reason": None,
            "interview_id": last["interview_id"] if carry_on else None,
            "interview_step": last["interview_step"] if carry_on else None,
        })
    return token


def _session_id(token: str) -> str | None:
    return token.split(".", 1)[0] if isinstance(token, str) and TOKEN_PATTERN.match(token) else None


def check_session(db: Database, token: str, *, at: float | None = None) -> Session:
    """Return the open session for TOKEN, after checking its signature, times and account.

    Raises SessionEnded (with a reason) when the token is unknown, forged, out of time, idle for
    longer than the admin's idle minutes, signed out, or its account is turned off; a session
    found idle or out of time is closed then and there. "Last seen" moves on at most once a minute.
    """
    at = clock() if at is None else at
    session_id = _session_id(token)
    if session_id is None:
        raise SessionEnded("That sign-in is not known here.")
    body, signature = token.rsplit(".", 1)
    if not hmac.compare_digest(_sign(_key(db, at), body), signature):
        raise SessionEnded("That sign-in is not known here.")
    row = sql.get_session(db, session_id)
    if row is None or not hmac.compare_digest(row["token_hash"], _hash(token)):
        raise SessionEnded("That sign-in is not known here.")
    if row["ended_at"] is not None:
        raise SessionEnded("That sign-in has ended.", row["end_reason"] or "unknown")
    account = account_store.account_by_id(db, row["account_id"])
    idle = accounts.idle_minutes(db)
    reason = None
    if account is None or account["disabled_at"] is not None:
        reason = ACCOUNT_OFF
    elif at >= min(_epoch(row["expires_at"]), float(body.split(".")[1])):
        reason = TIME_UP
    elif at - _epoch(row["last_seen_at"]) > idle * 60:
        reason = IDLE
    if reason is not None:
        end_session(db, token, reason, at=at)
        raise SessionEnded("That sign-in has ended.", reason)
    if at - _epoch(row["last_seen_at"]) >= TOUCH_EVERY_SECONDS:
        with write_transaction(db):
            sql.touch_session(db, session_id, _iso(at))
    return Session(session_id, accounts.user_for_account(account, at=at), row["interview_id"], row["interview_step"])


def log_carry_on(db: Database, session: Session) -> None:
    """Log that a browser carried on signed in with an open session (after a reload or a sleep)."""
    with write_transaction(db):
        audit(db, session.user["name"], "sign in", "account", session.user["account_id"], None,
              {"how": "carried on in the same browser"})


def end_session(db: Database, token: str, reason: str = SIGNED_OUT, *, at: float | None = None) -> bool:
    """Close the session of TOKEN for REASON (signing out, idle, ...); return True when it was open.

    Closing is logged in the audit log with the account's name, except a plain sign-out, which
    accounts.sign_out logs already.
    """
    at = clock() if at is None else at
    session_id = _session_id(token)
    if session_id is None:
        return False
    with write_transaction(db):
        row = sql.get_session(db, session_id)
        if row is None or not hmac.compare_digest(row["token_hash"], _hash(token)):
            return False
        closed = sql.end_session(db, session_id, _iso(at), reason)
        if closed and reason != SIGNED_OUT:
            account = account_store.account_by_id(db, row["account_id"])
            words = {IDLE: f"nothing done for {accounts.idle_minutes(db)} minutes",
                     TIME_UP: f"signed in for more than {LIFETIME_HOURS} hours",
                     ACCOUNT_OFF: "the account was turned off"}.get(reason, reason)
            audit(db, account["display_name"] if account else "", "sign out", "account", row["account_id"],
                  None, {"reason": words})
    return closed


def end_account_sessions(db: Database, account_id: str, reason: str = ACCOUNT_OFF, *, at: float | None = None) -> int:
    """Close every open session of an account (for example when it is turned off); return how many."""
    at = clock() if at is None else at
    with write_transaction(db):
        return sql.end_sessions_for_account(db, account_id, _iso(at), reason)


def remember_place(db: Database, token: str, interview_id: str | None, step: str | None) -> None:
    """Remember that the session of TOKEN is on INTERVIEW_ID at STEP (a question id or "review")."""
    session_id = _session_id(token)
    if session_id is None:
        return
    with write_transaction(db):
        row = sql.get_session(db, session_id)
        if row is None or row["ended_at"] is not None or not hmac.compare_digest(row["token_hash"], _hash(token)):
            return
        sql.set_session_place(db, session_id, interview_id, step)


__all__ = [
    "ACCOUNT_OFF",
    "CLOCK_SHIFT_ENV",
    "IDLE",
    "LIFETIME_HOURS",
    "SIGNED_OUT",
    "Session",
    "SessionEnded",
    "TIME_UP",
    "check_session",
    "clock",
    "cookie_name",
    "end_account_sessions",
    "end_session",
    "log_carry_on",
    "remember_place",
    "start_session",
]
