"""Shared fixtures: migrated databases, a small demo database, AppTest, blocked sockets."""

from __future__ import annotations

import shutil
import socket
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "app.py"
PAGES = {
    "home": None,
    "design": "pages/1_Design.py",
    "interview": "pages/2_Interview.py",
    "explore": "pages/3_Explore.py",
    "admin": "pages/4_Admin.py",
}


@pytest.fixture(autouse=True)
def _clear_streamlit_caches():
    """Clear Streamlit's caches so rows never leak from one test to the next."""
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture
def db():
    """An in-memory database with every migration applied."""
    from surveys.storage import open_database

    database = open_database(":memory:")
    yield database
    database.conn.close()


@pytest.fixture
def db_path(tmp_path) -> Path:
    """A path for a new database file in a temporary folder."""
    return tmp_path / "surveys.db"


@pytest.fixture(scope="session")
def _demo_template(tmp_path_factory) -> Path:
    from surveys.demo import load_demo
    from surveys.storage import open_database

    path = tmp_path_factory.mktemp("demo") / "demo.db"
    database = open_database(path)
    load_demo(database, interviews=120, seed=3)
    database.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    database.conn.close()
    return path


@pytest.fixture
def demo_db_path(_demo_template, tmp_path) -> Path:
    """A fresh copy of a small demo database (120 synthetic interviews)."""
    path = tmp_path / "demo.db"
    shutil.copy(_demo_template, path)
    return path


PERSON_ROLE_FOR = {"admin": "admin", "designer": "peer_researcher", "interviewer": "interviewer",
                   "evaluator": "evaluator"}


TEST_PASSWORD = "test-password-1234"
_TEST_HASH: list[str] = []


def signed_in_user(database: Path, role: str = "admin", name: str | None = None) -> dict:
    """Add an account of ROLE (with its person) to DATABASE and return the session user for it.

    A real account, because pages read the account from the database on every run and refuse a
    session without one. The password is TEST_PASSWORD; its argon2 hash is made once per run.
    """
    import uuid
    from unittest import mock

    from surveys import accounts
    from surveys.storage import accounts as account_store
    from surveys.storage import open_database

    if not _TEST_HASH:
        _TEST_HASH.append(accounts.hash_password(TEST_PASSWORD))
    conn = open_database(database)
    username = f"test-{role}-{uuid.uuid4().hex[:8]}"
    with mock.patch.object(accounts, "hash_password", lambda _password: _TEST_HASH[0]):
        # Set-up, not a permission path: the account is added as the first-run form adds one.
        account_id = accounts._add_account(conn, username, TEST_PASSWORD, role, name or f"Test {role}", "",
                                           person_role=PERSON_ROLE_FOR[role])
    user = accounts.user_for_account(account_store.account_by_id(conn, account_id))
    conn.conn.close()
    return user


def actor_in(database, role: str = "admin", name: str | None = None):
    """Add an account of ROLE to an open DATABASE and return its accounts.Actor (for library calls)."""
    import uuid
    from unittest import mock

    from surveys import accounts

    if not _TEST_HASH:
        _TEST_HASH.append(accounts.hash_password(TEST_PASSWORD))
    with mock.patch.object(accounts, "hash_password", lambda _password: _TEST_HASH[0]):
        account_id = accounts._add_account(database, f"test-{role}-{uuid.uuid4().hex[:8]}", TEST_PASSWORD, role,
                                           name or f"Test {role}", "", person_role=PERSON_ROLE_FOR[role])
    return accounts.actor_for_account(database, account_id)


def as_admin(database):
    """Return an admin Actor for library calls in tests: the first admin account that is on, else
    the command line (a database with no accounts), else a new admin account."""
    from surveys import accounts
    from surveys.storage import accounts as account_store

    admins = account_store.active_accounts(database, "admin")
    if admins:
        return accounts.actor_for_account(database, admins[0]["account_id"])
    if not account_store.active_accounts(database):
        return accounts.command_line_actor(database)
    return actor_in(database, "admin", "Test admin")


@pytest.fixture
def app_test(monkeypatch):
    """Return a function that makes an AppTest of app.py on a database, signed in, on a page.

    role=None leaves nobody signed in.
    """
    from streamlit.testing.v1 import AppTest

    def make(database: Path, page: str = "home", *, role: str | None = "admin", run: bool = True):
        monkeypatch.setenv("SURVEYS_DB", str(database))
        at = AppTest.from_file(str(APP), default_timeout=60)
        if role:
            at.session_state["auth_user"] = signed_in_user(database, role)
        if run:
            at.run()
            if PAGES[page]:
                at.switch_page(PAGES[page])
                at.run()
        return at

    return make


@pytest.fixture
def no_network(monkeypatch):
    """Block every socket connection: anything that tries the network fails loudly."""

    def refuse(*args, **kwargs):
        raise OSError("network access is blocked in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    yield
