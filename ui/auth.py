"""Signing in on every page: the first-run admin form, the sign-in form, timeouts, signing out.

The signed-in user lives in st.session_state["auth_user"] as a dict with account_id, person_id, name,
person_role, role, signed_in_at and last_seen. Other session keys here start with "auth_".
The work is done by surveys/accounts.py and surveys/sessions.py; this module only draws forms and
keeps the session.

Staying signed in across a reload: a sign-in starts a session record (surveys/sessions.py) and
the browser keeps its token in a cookie, set by a few lines of script that only ever hold the
token (see docs/security.md). A new browser session (a reloaded tab, a laptop that slept) reads
the cookie with st.context.cookies and carries on if the session is still open.
"""

from __future__ import annotations

import time

import streamlit as st

from surveys.safe_markdown import escape_markdown
from sqlite_utils import Database

from surveys import accounts, sessions
from surveys.storage import StorageError

USER_KEY = "auth_user"
TOKEN_KEY = "auth_session_token"
# Where the session's person was (interview id, step), read when the session was opened; the
# Interview page takes it once to bring the interviewer back to their question.
PLACE_KEY = "auth_restored_place"
SAVED_PLACE_KEY = "auth_saved_place"
CLEAR_COOKIE_KEY = "auth_clear_cookie"
SEEN_COOKIE_KEY = "auth_seen_cookie"


def _remember(db: Database, user: dict) -> None:
    st.session_state[USER_KEY] = user
    # Typed passwords must not stay in the session after use.
    for key in ("auth_password", "auth_first_password", "auth_first_password_again"):
        st.session_state.pop(key, None)
    try:
        token = sessions.start_session(db, user["account_id"])
        session = sessions.check_session(db, token)
    except StorageError:
        return  # signed in for this tab only; a reload will ask for the password
    _keep_session(session, token)


def _keep_session(session: sessions.Session, token: str) -> None:
    st.session_state[TOKEN_KEY] = token
    st.session_state[PLACE_KEY] = (session.interview_id, session.interview_step)
    st.session_state[SAVED_PLACE_KEY] = (session.interview_id, session.interview_step)


def browser_token(db: Database) -> str | None:
    """Return the session token this browser sent when the page was opened, or None."""
    return st.context.cookies.get(sessions.cookie_name(db))


def _cookie_script(name: str, token: str | None) -> str:
    """Return a script that stores TOKEN in the cookie NAME, or deletes the cookie when TOKEN is None.

    Only our own name and token go in, and both are checked against strict patterns first, so
    nothing a person typed can reach the page as code.
    """
    if not sessions.COOKIE_NAME_PATTERN.match(name) or (token is not None and not sessions.TOKEN_PATTERN.match(token)):
        raise ValueError("Not a session cookie.")
    value, age = (token, sessions.LIFETIME_HOURS * 3600) if token else ("", 0)
    return ("<script>document.cookie = '" + name + "=" + value + "; Path=/; Max-Age=" + str(age)
            + "; SameSite=Strict' + (location.protocol === 'https:' ? '; Secure' : '');</script>")


def _write_cookie(db: Database, token: str | None) -> None:
    # st.html runs the script in the page itself (not a frame), so it sets this site's cookie.
    st.html(_cookie_script(sessions.cookie_name(db), token), unsafe_allow_javascript=True, width="content")


def _forget_session() -> None:
    # Everything goes, not only the user: page keys can hold answers or personal details
    # (the admin's report), and the next person at this laptop must not see them.
    for key in list(st.session_state.keys()):
        del st.session_state[key]


def _first_admin_form(db: Database) -> None:
    st.title("Welcome to Peer Survey Studio")
    st.write("No one can sign in yet. First, make the admin account. The admin can then make "
             "accounts for everyone else.")
    with st.form("auth_first_admin_form"):
        name = st.text_input("Your name, as others will see it", key="auth_first_name")
        username = st.text_input("Sign-in name", key="auth_first_username",
                                 help="The name you will type to sign in. For example: sam.")
        password = st.text_input("Password", type="password", key="auth_first_password",
                                 help=f"At least {accounts.MIN_PASSWORD_LENGTH} letters, numbers or signs.")
        again = st.text_input("Password again", type="password", key="auth_first_password_again")
        submitted = st.form_submit_button("Make the admin account", key="auth_first_submit")
    if not submitted:
        return
    if password != again:
        st.error("The two passwords are not the same. Type them again.")
        return
    try:
        user = accounts.create_first_admin(db, username, password, name)
    except StorageError as exc:
        st.error(str(exc))
        return
    _remember(db, user)
    st.rerun()


def _sign_in_form(db: Database) -> None:
    st.title("Sign in")
    st.write("Type your sign-in name and password. Ask your admin if you do not have them.")
    with st.form("auth_sign_in_form"):
        username = st.text_input("Sign-in name", key="auth_username")
        password = st.text_input("Password", type="password", key="auth_password")
        submitted = st.form_submit_button("Sign in", key="auth_sign_in")
    if not submitted:
        return
    wait = accounts.delay_before_attempt(db, username)
    if wait:
        seconds = "1 second" if wait == 1 else f"{wait} seconds"
        st.info(f"There have been several wrong tries with this name, so we wait {seconds} "
                "before we check. This slows down anyone who is guessing.")
        time.sleep(wait)
    try:
        user = accounts.authenticate(db, username, password)
    except StorageError as exc:
        st.session_state.pop("auth_password", None)
        st.error(str(exc))
        return
    _remember(db, user)
    st.rerun()


def sign_in_gate(db: Database) -> dict | None:
    """Return the signed-in user, or draw the first-run or sign-in form and return None.

    With the single-laptop setting on (and one admin account), the lone researcher is signed
    in at once and no form is shown. A browser that kept an open session's token is signed in
    again without a form.
    """
    lone = accounts.single_user(db)
    if lone is not None:
        accounts.log_single_user_sign_in(db, lone)
        st.session_state[USER_KEY] = lone
        return lone
    user = _carry_on_from_cookie(db)
    if user is not None:
        return user
    if accounts.needs_first_admin(db):
        _first_admin_form(db)
    else:
        _sign_in_form(db)
    return None


def _idle_message(idle: int) -> str:
    minutes = "1 minute" if idle == 1 else f"{idle} minutes"
    return (f"You were signed out because nothing was done for {minutes}. "
            "This keeps answers safe. Please sign in again.")


def _carry_on_from_cookie(db: Database) -> dict | None:
    """Return the user of the session whose token this browser kept, or None (saying why, once)."""
    token = browser_token(db)
    if st.session_state.pop(CLEAR_COOKIE_KEY, False) or (token and st.session_state.get(SEEN_COOKIE_KEY) == token):
        # Signed out in this tab, or this token was already turned down: only make sure it is gone.
        if token:
            _write_cookie(db, None)
        return None
    if not token:
        return None
    try:
        session = sessions.check_session(db, token)
    except sessions.SessionEnded as ended:
        st.session_state[SEEN_COOKIE_KEY] = token
        _write_cookie(db, None)
        if ended.reason == sessions.IDLE:
            st.info(_idle_message(accounts.idle_minutes(db)))
        elif ended.reason == sessions.TIME_UP:
            st.info(f"You were signed in for more than {sessions.LIFETIME_HOURS} hours. Please sign in again.")
        elif ended.reason == sessions.ACCOUNT_OFF:
            st.warning("Your account has been turned off. Ask your admin if you need it.")
        return None
    user = session.user
    sessions.log_carry_on(db, session)
    st.session_state[USER_KEY] = user
    _keep_session(session, token)
    return user


def _end_this_session(db: Database, reason: str) -> None:
    token = st.session_state.get(TOKEN_KEY)
    if token:
        try:
            sessions.end_session(db, token, reason)
        except StorageError:
            pass  # the database is busy; the session still ends at its idle time


def signed_in_user(db: Database) -> dict | None:
    """Return the user of this browser session, after timeouts and account changes, or None.

    A user already in st.session_state["auth_user"] is kept (tests set one) unless the session
    was idle too long, its session record was closed (signed out elsewhere, time up) or the
    account has been turned off. With nobody signed in, the sign-in gate is drawn.
    """
    user = st.session_state.get(USER_KEY)
    if user is not None:
        lone = accounts.single_user_mode(db)
        idle = accounts.idle_minutes(db)
        token = st.session_state.get(TOKEN_KEY)
        ended = None
        if token and not lone:
            try:
                sessions.check_session(db, token)
            except sessions.SessionEnded as exc:
                ended = exc.reason
        if not lone and (ended == sessions.IDLE or accounts.session_expired(user, time.time(), idle)):
            if token:
                _end_this_session(db, sessions.IDLE)  # logged there (or already, when the record ran out)
            else:
                accounts.sign_out(db, user, reason=f"nothing done for {idle} minutes")
            _forget_session()
            st.session_state[CLEAR_COOKIE_KEY] = True
            st.info(_idle_message(idle))
            user = None
        elif ended is not None and ended != sessions.ACCOUNT_OFF:
            _forget_session()
            st.session_state[CLEAR_COOKIE_KEY] = True
            if ended == sessions.TIME_UP:
                st.info(f"You were signed in for more than {sessions.LIFETIME_HOURS} hours. Please sign in again.")
            user = None
        else:
            current = accounts.refresh_user(db, user)
            if current is None:
                had_account = bool(user.get("account_id"))
                _end_this_session(db, sessions.ACCOUNT_OFF)
                _forget_session()
                st.session_state[CLEAR_COOKIE_KEY] = True
                if had_account:
                    st.warning("Your account has been turned off. Ask your admin if you need it.")
                user = None
            else:
                user = {**current, "last_seen": time.time()}
                st.session_state[USER_KEY] = user
                return user
    return sign_in_gate(db)


def still_signed_in(db: Database) -> accounts.Actor | None:
    """Return the Actor of this browser session when it may still act, else None.

    For fragments and widget callbacks, which run without the page's sign-in check: the same
    idle time, session record and account checks apply, but nothing is drawn or changed. When
    this returns None, rerun the whole page so that the sign-in check says what happened.
    """
    user = st.session_state.get(USER_KEY)
    if user is None:
        return None
    if not accounts.single_user_mode(db):
        if accounts.session_expired(user, time.time(), accounts.idle_minutes(db)):
            return None
        token = st.session_state.get(TOKEN_KEY)
        if token:
            try:
                sessions.check_session(db, token)
            except sessions.SessionEnded:
                return None
    try:
        actor = accounts.actor_for_user(db, user)
    except StorageError:
        return None
    st.session_state[USER_KEY] = {**user, "last_seen": time.time()}
    return actor


def take_restored_place() -> tuple[str | None, str | None]:
    """Return (interview id, step) the session was on when it was opened, once; then (None, None)."""
    return st.session_state.pop(PLACE_KEY, None) or (None, None)


def remember_place(db: Database, interview_id: str | None, step: str | None) -> None:
    """Remember in the session record which interview and step this person is on (written only on change)."""
    token = st.session_state.get(TOKEN_KEY)
    place = (interview_id, step)
    if not token or st.session_state.get(SAVED_PLACE_KEY) == place:
        return
    try:
        sessions.remember_place(db, token, interview_id, step)
    except StorageError:
        return  # only a convenience: the answers themselves are saved already
    st.session_state[SAVED_PLACE_KEY] = place


def sign_out_button(db: Database, user: dict) -> None:
    """Draw who is signed in and a "Sign out" button in the sidebar; signing out starts again.

    While signed in with a session record, the browser is given its token to keep (again on
    every run, which also keeps the cookie's lifetime in step with the session's).
    """
    role = accounts.ROLE_LABELS.get(user.get("role", ""), user.get("role", ""))
    with st.sidebar:
        st.caption(f"Signed in as {escape_markdown(user.get('name', ''))} ({escape_markdown(role)})")
        if accounts.single_user_mode(db) and accounts.single_user(db) is not None:
            st.caption("The single-laptop setting is on, so no one needs to sign in.")
            return
        token = st.session_state.get(TOKEN_KEY)
        if token:
            _write_cookie(db, token)
        if st.button("Sign out", key="app_sign_out"):
            _end_this_session(db, sessions.SIGNED_OUT)
            accounts.sign_out(db, user)
            _forget_session()
            st.session_state[CLEAR_COOKIE_KEY] = True
            st.rerun()


__all__ = [
    "browser_token",
    "escape_markdown",
    "remember_place",
    "sign_in_gate",
    "sign_out_button",
    "signed_in_user",
    "still_signed_in",
    "take_restored_place",
]
