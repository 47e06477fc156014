"""Signing in on every page: the first-run admin form, the sign-in form, timeouts, signing out.

The signed-in user lives in st.session_state["auth_user"] as a dict with account_id, person_id, name,
person_role, role, signed_in_at and last_seen. Other session keys here start with "auth_".
The work is done by surveys/accounts.py; this module only draws forms and keeps the session.
"""

from __future__ import annotations

import time

import streamlit as st

from surveys.safe_markdown import escape_markdown
from sqlite_utils import Database

from surveys import accounts
from surveys.storage import StorageError

USER_KEY = "auth_user"
def _remember(user: dict) -> None:
    st.session_state[USER_KEY] = user
    # Typed passwords must not stay in the session after use.
    for key in ("auth_password", "auth_first_password", "auth_first_password_again"):
        st.session_state.pop(key, None)


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
    _remember(user)
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
    _remember(user)
    st.rerun()


def sign_in_gate(db: Database) -> dict | None:
    """Return the signed-in user, or draw the first-run or sign-in form and return None.

    With the single-laptop setting on (and one admin account), the lone researcher is signed
    in at once and no form is shown.
    """
    lone = accounts.single_user(db)
    if lone is not None:
        accounts.log_single_user_sign_in(db, lone)
        st.session_state[USER_KEY] = lone
        return lone
    if accounts.needs_first_admin(db):
        _first_admin_form(db)
    else:
        _sign_in_form(db)
    return None


def signed_in_user(db: Database) -> dict | None:
    """Return the user of this browser session, after timeouts and account changes, or None.

    A user already in st.session_state["auth_user"] is kept (tests set one) unless the session
    was idle too long or the account has been turned off. With nobody signed in, the sign-in
    gate is drawn.
    """
    user = st.session_state.get(USER_KEY)
    if user is not None:
        lone = accounts.single_user_mode(db)
        idle = accounts.idle_minutes(db)
        if not lone and accounts.session_expired(user, time.time(), idle):
            accounts.sign_out(db, user, reason=f"nothing done for {idle} minutes")
            _forget_session()
            st.info(f"You were signed out because nothing was done for {idle} minutes. "
                    "This keeps answers safe. Please sign in again.")
            user = None
        else:
            current = accounts.refresh_user(db, user)
            if current is None:
                had_account = bool(user.get("account_id"))
                _forget_session()
                if had_account:
                    st.warning("Your account has been turned off. Ask your admin if you need it.")
                user = None
            else:
                user = {**current, "last_seen": time.time()}
                st.session_state[USER_KEY] = user
                return user
    return sign_in_gate(db)


def sign_out_button(db: Database, user: dict) -> None:
    """Draw who is signed in and a "Sign out" button in the sidebar; signing out starts again."""
    role = accounts.ROLE_LABELS.get(user.get("role", ""), user.get("role", ""))
    with st.sidebar:
        st.caption(f"Signed in as {escape_markdown(user.get('name', ''))} ({escape_markdown(role)})")
        if accounts.single_user_mode(db) and accounts.single_user(db) is not None:
            st.caption("The single-laptop setting is on, so no one needs to sign in.")
            return
        if st.button("Sign out", key="app_sign_out"):
            accounts.sign_out(db, user)
            _forget_session()
            st.rerun()


__all__ = ["escape_markdown", "sign_in_gate", "sign_out_button", "signed_in_user"]
