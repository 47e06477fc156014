"""Every page opens without error on an empty database and on the demo database."""

import pytest

from tests.conftest import PAGES


@pytest.mark.parametrize("page", list(PAGES))
def test_page_opens_on_empty_database(app_test, db_path, page):
    at = app_test(db_path, page)
    assert not at.exception, [e.value for e in at.exception]
    assert at.title, "every page shows a title"


@pytest.mark.parametrize("page", list(PAGES))
def test_page_opens_on_demo_database(app_test, demo_db_path, page):
    at = app_test(demo_db_path, page)
    assert not at.exception, [e.value for e in at.exception]
    assert at.title


def test_home_page_says_what_is_saved(app_test, demo_db_path):
    at = app_test(demo_db_path)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Surveys"] == "1"
    assert metrics["Versions"] == "2"
    assert metrics["Interviews"] == "120"
    assert any("made up" in i.value for i in at.info), "demo data is labelled as made up"


def test_home_page_on_empty_database_points_to_a_start(app_test, db_path):
    at = app_test(db_path)
    assert any("no surveys yet" in i.value for i in at.info)


@pytest.mark.parametrize("page", list(PAGES))
def test_pages_work_with_sockets_blocked(app_test, demo_db_path, no_network, page):
    at = app_test(demo_db_path, page)
    assert not at.exception, [e.value for e in at.exception]


def test_nobody_signed_in_is_asked_to_sign_in(app_test, demo_db_path):
    at = app_test(demo_db_path, "design", role=None)
    assert not at.exception
    assert [t.value for t in at.main.title] == ["Welcome to Peer Survey Studio"]
    assert not at.dataframe, "no survey content shows before sign-in"


def test_evaluator_cannot_open_admin_page(app_test, demo_db_path):
    at = app_test(demo_db_path, "admin", role="evaluator")
    assert any("This page is for" in w.value for w in at.warning)


@pytest.mark.parametrize("role, expected", [
    ("admin", ["Home", "Design", "Interview", "Explore", "Admin"]),
    ("designer", ["Home", "Design", "Interview", "Explore"]),
    ("interviewer", ["Home", "Interview"]),
    ("evaluator", ["Home", "Explore"]),
])
def test_sidebar_menu_shows_only_the_pages_a_role_may_open(app_test, demo_db_path, role, expected):
    at = app_test(demo_db_path, role=role)
    assert [link.label for link in at.sidebar.get("page_link")] == expected
