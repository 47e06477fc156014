"""Roles are enforced on every page: each kind of account sees only the pages meant for it."""

from __future__ import annotations

import pytest

from tests.conftest import PAGES, as_admin
from ui.common import PAGE_ROLES

ROLES = ("admin", "designer", "interviewer", "evaluator")
ALLOWED = {
    "home": {"admin", "designer", "interviewer", "evaluator"},
    "design": {"admin", "designer"},
    "interview": {"admin", "designer", "interviewer"},
    "explore": {"admin", "designer", "evaluator"},
    "admin": {"admin"},
}
ROLE_WARNING = "This page is for"


def test_the_rules_in_the_app_are_the_ones_we_test():
    assert {page: set(roles) for page, roles in PAGE_ROLES.items()} == ALLOWED


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", list(PAGES))
def test_each_role_on_each_page(app_test, db_path, page, role):
    at = app_test(db_path, page, role=role)
    assert not at.exception, [e.value for e in at.exception]
    role_warnings = [w.value for w in at.warning if ROLE_WARNING in w.value]
    if role in ALLOWED[page]:
        assert role_warnings == []
        assert at.main.title, "an allowed page shows its title"
    else:
        assert len(role_warnings) == 1
        # Nothing of the page is drawn: no title, no tables, no buttons, no inputs.
        assert len(at.main.title) == 0
        assert len(at.main.get("dataframe")) == 0
        assert len(at.main.button) == 0
        assert len(at.main.text_input) == 0
        assert len(at.main.selectbox) == 0


@pytest.mark.parametrize("page", list(PAGES))
def test_nobody_signed_in_sees_only_the_first_run_form(app_test, db_path, page):
    at = app_test(db_path, page, role=None)
    assert not at.exception, [e.value for e in at.exception]
    assert [t.value for t in at.main.title] == ["Welcome to Peer Survey Studio"]
    assert [b.label for b in at.main.button] == ["Make the admin account"]
    assert "auth_user" not in at.session_state


@pytest.mark.parametrize("page", list(PAGES))
def test_nobody_signed_in_sees_only_the_sign_in_form_once_an_admin_exists(app_test, db_path, page):
    from surveys import accounts
    from surveys.storage import open_database

    db = open_database(db_path)
    accounts.create_account(db, "sam", "correct horse battery", "admin", "Sam", as_admin(db))
    db.conn.close()
    at = app_test(db_path, page, role=None)
    assert not at.exception, [e.value for e in at.exception]
    assert [t.value for t in at.main.title] == ["Sign in"]
    assert [b.label for b in at.main.button] == ["Sign in"]
    assert len(at.main.get("dataframe")) == 0


@pytest.mark.parametrize("page", ["admin", "explore"])
def test_a_session_role_with_no_account_behind_it_is_not_trusted(app_test, db_path, page):
    """A session that says "admin" but has no account in the database sees the sign-in form."""
    from surveys import accounts
    from surveys.storage import open_database
    from surveys.storage import core as store

    db = open_database(db_path)
    accounts.create_account(db, "sam", "correct horse battery", "admin", "Sam", as_admin(db))
    person_id = store.add_person(db, "Mallory", "admin")
    db.conn.close()
    at = app_test(db_path, page, role=None, run=False)
    at.session_state["auth_user"] = {"person_id": person_id, "name": "Mallory", "role": "admin",
                                     "person_role": "admin", "signed_in_at": 9e12, "last_seen": 9e12}
    at.switch_page(PAGES[page])
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert [t.value for t in at.main.title] == ["Sign in"]
    assert "auth_user" not in at.session_state


def test_a_role_changed_by_the_admin_applies_on_the_next_run(app_test, db_path):
    from surveys import accounts
    from surveys.storage import open_database

    at = app_test(db_path, "admin", role="admin")
    assert not [w for w in at.warning if ROLE_WARNING in w.value]
    db = open_database(db_path)
    accounts.create_account(db, "sam", "correct horse battery", "admin", "Sam", as_admin(db))
    accounts.set_role(db, at.session_state["auth_user"]["account_id"], "evaluator", as_admin(db))
    db.conn.close()
    at.run()
    assert len([w for w in at.warning if ROLE_WARNING in w.value]) == 1
