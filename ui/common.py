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
ACCOUNT_ROLE_LABELS = {
    "admin": "Admin",
    "designer": "Designer (peer researcher or staff)",
    "interviewer": "Interviewer",
    "evaluator": "Evaluator",
}
# A person's part in the project decides their kind of account when no sign-in is set up.
PERSON_TO_ACCOUNT_ROLE = {
    "peer_researcher": "designer",
    "staff": "designer",
    "lived_experience": "designer",
    "interviewer": "interviewer",
    "evaluator": "evaluator",
    "admin": "admin",
}
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
    if store.database_summary(db)["synthetic_interviews"]:
        st.info("Some data here is made up, for trying the tool. It is marked as demo data.", icon="ℹ️")


def current_person(db: Database) -> dict | None:
    """Return the person using the tool now, chosen in the sidebar, or None."""
    people = store.list_people(db)
    ids = [p["id"] for p in people]
    # A name just added is picked on the next run, before the picker is drawn.
    if "app_person_next" in st.session_state:
        st.session_state["app_person_id"] = st.session_state.pop("app_person_next")
    if st.session_state.get("app_person_id") not in ids:
        st.session_state["app_person_id"] = None
    with st.sidebar:
        st.subheader("Who is using the tool?")
        if people:
            labels = {p["id"]: f"{p['display_name']} ({ROLE_LABELS.get(p['role'], p['role'])})" for p in people}
            st.selectbox("Your name", ids, format_func=labels.get, placeholder="Pick your name",
                         index=None, key="app_person_id")
        with st.expander("Add your name" if people else "Add your name to start"):
            with st.form("app_add_person", clear_on_submit=True):
                name = st.text_input("Name to show", key="app_new_person_name")
                role = st.selectbox("Your part in the project", list(ROLE_LABELS), format_func=ROLE_LABELS.get,
                                    key="app_new_person_role")
                if st.form_submit_button("Add me"):
                    try:
                        st.session_state["app_person_next"] = store.add_person(db, name, role, actor=name)
                        st.rerun()
                    except StorageError as exc:
                        st.error(str(exc))
    person_id = st.session_state.get("app_person_id")
    return next((p for p in people if p["id"] == person_id), None)


STATUS_LABELS = {"draft": "Draft", "published": "Ready to use", "retired": "No longer used"}


def version_label(version: dict) -> str:
    """Return how a version is named in menus: survey, version label and state."""
    return f"{version['survey_name']} – {version['label']} ({STATUS_LABELS[version['status']]})"


def version_picker(db: Database, key: str, *, statuses: tuple[str, ...] | None = None,
                   label: str = "Survey version") -> dict | None:
    """Draw a menu of survey versions and return the chosen one, or None when there are none."""
    versions = [v for v in store.list_versions(db) if statuses is None or v["status"] in statuses]
    if not versions:
        return None
    by_id = {v["id"]: v for v in versions}
    chosen = st.selectbox(label, list(by_id), format_func=lambda vid: version_label(by_id[vid]), key=key)
    return by_id.get(chosen)


def user_from_person(person: dict) -> dict:
    """Return the user record kept in st.session_state["auth_user"] for a person."""
    import time

    return {
        "person_id": person["id"],
        "name": person["display_name"],
        "person_role": person["role"],
        "role": PERSON_TO_ACCOUNT_ROLE[person["role"]],
        "signed_in_at": time.time(),
    }


def require_role(db: Database, page: str) -> dict:
    """Return the user allowed on PAGE; otherwise explain and stop the page.

    The user lives in st.session_state["auth_user"]: a dict with person_id, name,
    person_role, role (admin, designer, interviewer or evaluator) and signed_in_at.
    """
    user = st.session_state.get("auth_user")
    if user is None:
        person = current_person(db)
        if person is None:
            st.info("Pick your name in the menu on the left, or add it, to start.")
            st.stop()
        user = user_from_person(person)
    allowed = PAGE_ROLES[page]
    if user["role"] not in allowed:
        names = ", ".join(ACCOUNT_ROLE_LABELS[r] for r in allowed)
        st.warning(f"This page is for: {names}. Ask your admin if you need it.")
        st.stop()
    return user
