"""Shared page plumbing: which database, one connection per run, who is using the tool.

Pages stay thin: they call these helpers and library functions in surveys/ and analysis/.
Session-state keys used here start with "app_".
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import streamlit as st
from sqlite_utils import Database

from surveys import accounts
from surveys.storage import StorageError, open_database, resolve_db_path
from surveys.storage import core as store

# Which kinds of account may open each page. Peer researchers and staff design and interview.
PAGE_ROLES = {
    "home": ("admin", "designer", "interviewer", "evaluator"),
    "design": ("admin", "designer"),
    "interview": ("admin", "designer", "interviewer"),
    "explore": ("admin", "designer", "evaluator"),
    "admin": ("admin",),
}
ACCOUNT_ROLE_LABELS = accounts.ROLE_LABELS
ROLE_LABELS = {
    "peer_researcher": "Peer researcher",
    "staff": "Staff",
    "lived_experience": "Person with lived experience",
    "interviewer": "Interviewer",
    "evaluator": "Evaluator",
    "admin": "Admin",
}


def db_path() -> Path:
    """Return the database path from `streamlit run app.py -- --db PATH`, $SURVEYS_DB or the default."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--db", default=None)
    known, _ = parser.parse_known_args(sys.argv[1:])
    return resolve_db_path(known.db)


@st.cache_resource(show_spinner=False)
def _prepare(path: str) -> str:
    """Create or migrate the database once per path and process; return the path."""
    db = open_database(path)
    db.conn.close()
    return path


def get_db() -> Database:
    """Return a fresh connection for this run, after the database is made and up to date.

    A connection is never kept across reruns: reruns run on other threads.
    """
    path = str(db_path())
    try:
        _prepare(path)
        return open_database(path, migrate_now=False)
    except StorageError as exc:
        st.error(str(exc))
        st.stop()
        raise  # st.stop() raises; this line keeps type checkers calm


def page_header(title: str, intro: str) -> None:
    """Set the page title and show a short plain-words line about the page."""
    st.title(title)
    st.write(intro)


def synthetic_notice(db: Database) -> None:
    """Say clearly when the data on screen is made-up demo data."""
    # One lookup that stops at the first made-up interview, not a count of every table.
    if store.has_synthetic_interviews(db):
        st.info("Some data here is made up, for trying the tool. It is marked as demo data.", icon=":material/info:")


STATUS_LABELS = {"draft": "Draft", "published": "Ready to use", "retired": "No longer used"}


def version_label(version: dict) -> str:
    """Return how a version is named in menus: survey, version label and state."""
    return f"{version['survey_name']} – {version['label']} ({STATUS_LABELS[version['status']]})"


def version_picker(db: Database, key: str, *, statuses: tuple[str, ...] | None = None,
                   label: str = "Survey version") -> dict | None:
    """Return the version chosen in a menu of survey versions (newest first chosen), or None when there are none."""
    versions = [v for v in store.list_versions(db) if statuses is None or v["status"] in statuses]
    if not versions:
        return None
    by_id = {v["id"]: v for v in versions}
    # The newest version first comes up: it is the one a group is most likely working on.
    chosen = st.selectbox(label, list(by_id), index=len(by_id) - 1,
                          format_func=lambda vid: version_label(by_id[vid]), key=key)
    return by_id.get(chosen)


# The menu in the sidebar: page name, script, label, icon (Material icons ship with Streamlit,
# so they show offline; emoji need a font that many laptops lack).
NAVIGATION = (
    ("home", "app.py", "Home", ":material/home:"),
    ("design", "pages/1_Design.py", "Design", ":material/edit:"),
    ("interview", "pages/2_Interview.py", "Interview", ":material/record_voice_over:"),
    ("explore", "pages/3_Explore.py", "Explore", ":material/bar_chart:"),
    ("admin", "pages/4_Admin.py", "Admin", ":material/settings:"),
)


def sidebar_navigation(user: dict) -> None:
    """Draw the sidebar menu with only the pages this user's kind of account may open."""
    with st.sidebar:
        for page, script, label, icon in NAVIGATION:
            if user["role"] in PAGE_ROLES[page]:
                st.page_link(script, label=label, icon=icon)


def require_role(db: Database, page: str) -> dict:
    """Return the user allowed on PAGE; otherwise explain and stop the page.

    The user lives in st.session_state["auth_user"]: a dict with account_id, person_id, name,
    person_role, role (admin, designer, interviewer or evaluator), signed_in_at and last_seen.
    Its account is read from the database on every run, so the role is never taken on trust.
    The dict returned also holds "actor", the accounts.Actor that library functions take.
    Nobody signed in sees the sign-in form (or, on the first run, the admin account form).
    """
    # Sign-in, timeouts and the sign-out button live in ui/auth.py (imported here to keep
    # this module's imports as they were); a user already in the session is honoured.
    from ui.auth import sign_out_button, signed_in_user

    user = signed_in_user(db)
    if user is None:
        st.stop()
    sidebar_navigation(user)
    sign_out_button(db, user)
    allowed = PAGE_ROLES[page]
    if user["role"] not in allowed:
        names = ", ".join(ACCOUNT_ROLE_LABELS[r] for r in allowed)
        st.warning(f"This page is for: {names}. Ask your admin if you need it.")
        st.stop()
    return {**user, "actor": accounts.actor_for_user(db, user)}
