"""Staying signed in across a reload: session tokens, their limits, and the pages that use them."""

from __future__ import annotations

import json
import re
import time

import pytest

from surveys import accounts, sessions
from surveys import interviews as iv
from surveys.merge import MERGE_ORDER
from surveys.storage import audit_entries, open_database
from surveys.storage import sessions as sql
from tests.conftest import PAGES, TEST_PASSWORD, as_admin, signed_in_user
from tests.test_interviews import make_actor, make_survey

T0 = 1_800_000_000.0  # a fixed moment, so times in these tests never depend on the real clock


@pytest.fixture
def people(db):
    """A survey with an interviewer (and an admin, so the app is past its first run)."""
    ids = make_survey(db, required_name="colour")
    ids["admin"] = make_actor(db, "admin", "Alex Admin")
    return ids


def test_a_token_works_until_it_is_signed_out(db, people):
    account = people["actor"].account_id
    token = sessions.start_session(db, account, at=T0)
    assert sessions.TOKEN_PATTERN.match(token)
    session = sessions.check_session(db, token, at=T0 + 5)
    assert (session.user["account_id"], session.user["name"], session.user["role"]) == (account, "Ola", "interviewer")
    assert sessions.end_session(db, token, at=T0 + 10) is True
    with pytest.raises(sessions.SessionEnded) as ended:
        sessions.check_session(db, token, at=T0 + 11)
    assert ended.value.reason == sessions.SIGNED_OUT
    assert sessions.end_session(db, token, at=T0 + 12) is False  # closed once only


def test_only_the_token_itself_is_accepted(db, people):
    token = sessions.start_session(db, people["actor"].account_id, at=T0)
    session_id, expires, random_part, signature = token.split(".")
    other_signature = ("A" if signature[0] != "A" else "B") + signature[1:]
    longer = f"{session_id}.{int(expires) + 99999}.{random_part}.{signature}"
    other_random = f"{session_id}.{expires}.{'x' * 32}.{signature}"
    for forged in ("", "nonsense", f"{session_id}.{expires}.{random_part}.{other_signature}", longer, other_random,
                   token + "x", token.upper()):
        with pytest.raises(sessions.SessionEnded):
            sessions.check_session(db, forged, at=T0 + 1)
    # The database keeps a hash of the token, never the token.
    [row] = db.execute("SELECT * FROM login_session").fetchall()
    assert token not in json.dumps(row) and random_part not in json.dumps(row)
    sessions.check_session(db, token, at=T0 + 2)


def test_a_session_idle_for_longer_than_the_idle_time_is_closed_and_logged(db, people):
    token = sessions.start_session(db, people["actor"].account_id, at=T0)
    sessions.check_session(db, token, at=T0 + 29 * 60)  # used: the idle time starts again
    sessions.check_session(db, token, at=T0 + 58 * 60)
    with pytest.raises(sessions.SessionEnded) as ended:
        sessions.check_session(db, token, at=T0 + 88.5 * 60)
    assert ended.value.reason == sessions.IDLE
    entry = audit_entries(db, action="sign out")[0]
    assert (entry["actor"], json.loads(entry["new_value"])) == ("Ola", {"reason": "nothing done for 30 minutes"})
    with pytest.raises(sessions.SessionEnded) as again:
        sessions.check_session(db, token, at=T0 + 89 * 60)
    assert again.value.reason == sessions.IDLE


def test_the_admin_s_idle_minutes_apply(db, people):
    accounts.set_idle_minutes(db, 5, actor=as_admin(db))
    token = sessions.start_session(db, people["actor"].account_id, at=T0)
    with pytest.raises(sessions.SessionEnded, match="ended"):
        sessions.check_session(db, token, at=T0 + 5 * 60 + 1)


def test_last_seen_is_written_at_most_once_a_minute(db, people):
    token = sessions.start_session(db, people["actor"].account_id, at=T0)
    session_id = token.split(".")[0]
    for seconds in (10, 30, 59):
        sessions.check_session(db, token, at=T0 + seconds)
    assert sql.get_session(db, session_id)["last_seen_at"].startswith("2027-01-15T08:00:00")
    sessions.check_session(db, token, at=T0 + 61)
    assert sql.get_session(db, session_id)["last_seen_at"].startswith("2027-01-15T08:01:01")


def test_twelve_hours_is_the_most_a_sign_in_lasts(db, people):
    accounts.set_idle_minutes(db, 120, actor=as_admin(db))
    token = sessions.start_session(db, people["actor"].account_id, at=T0)
    for hour in range(1, 12):
        sessions.check_session(db, token, at=T0 + hour * 3600)
    with pytest.raises(sessions.SessionEnded) as ended:
        sessions.check_session(db, token, at=T0 + 12 * 3600)
    assert ended.value.reason == sessions.TIME_UP


def test_turning_the_account_off_ends_its_sessions(db, people):
    token = sessions.start_session(db, people["actor"].account_id, at=T0)
    accounts.disable_account(db, people["actor"].account_id, actor=as_admin(db))
    with pytest.raises(sessions.SessionEnded) as ended:
        sessions.check_session(db, token, at=T0 + 1)
    assert ended.value.reason == sessions.ACCOUNT_OFF
    accounts.enable_account(db, people["actor"].account_id, actor=as_admin(db))
    with pytest.raises(sessions.SessionEnded):
        sessions.check_session(db, token, at=T0 + 2)  # a closed session never opens again
    with pytest.raises(accounts.NotAllowed):
        accounts.disable_account(db, people["actor"].account_id, actor=as_admin(db))
        sessions.start_session(db, people["actor"].account_id, at=T0 + 3)


def test_an_unfinished_place_is_carried_on_after_a_timeout_but_not_after_a_sign_out(db, people):
    account = people["actor"].account_id
    interview = iv.start_interview(db, people["version_id"], "AB-1", people["actor"], True)
    token = sessions.start_session(db, account, at=T0)
    sessions.remember_place(db, token, interview, people["mood"])
    session = sessions.check_session(db, token, at=T0 + 1)
    assert (session.interview_id, session.interview_step) == (interview, people["mood"])
    with pytest.raises(sessions.SessionEnded):
        sessions.check_session(db, token, at=T0 + 3600)  # idle
    after_timeout = sessions.start_session(db, account, at=T0 + 3601)
    assert sessions.check_session(db, after_timeout, at=T0 + 3602).interview_step == people["mood"]
    sessions.end_session(db, after_timeout, at=T0 + 3603)
    after_sign_out = sessions.start_session(db, account, at=T0 + 3604)
    session = sessions.check_session(db, after_sign_out, at=T0 + 3605)
    assert (session.interview_id, session.interview_step) == (None, None)
    # A sent-in interview is not carried on into a new sign-in, even after a timeout.
    sessions.remember_place(db, after_sign_out, interview, people["mood"])
    iv.save_answer(db, interview, people["colour"], "Red", actor=people["actor"])
    iv.submit_interview(db, interview, actor=people["actor"])
    with pytest.raises(sessions.SessionEnded):
        sessions.check_session(db, after_sign_out, at=T0 + 9000)
    session = sessions.check_session(db, sessions.start_session(db, account, at=T0 + 9001), at=T0 + 9002)
    assert (session.interview_id, session.interview_step) == (None, None)


def test_sessions_stay_on_this_laptop_and_hold_nothing_a_respondent_said(db, people):
    from surveys.erasure import erase_respondent

    assert not {"login_session", "login_session_key"} & set(MERGE_ORDER)
    interview = iv.start_interview(db, people["version_id"], "AB-77", people["actor"], True)
    token = sessions.start_session(db, people["actor"].account_id, at=T0)
    sessions.remember_place(db, token, interview, people["colour"])
    erase_respondent(db, "AB-77", actor=as_admin(db), reason="They asked")
    session = sessions.check_session(db, token, at=T0 + 1)
    assert session.interview_id is None
    columns = {row[1] for row in db.execute("PRAGMA table_info(login_session)")}
    assert columns == set(sql.SESSION_COLUMNS)


def test_the_signing_secret_is_made_once_per_database_and_names_its_cookie(db, people, tmp_path):
    assert sql.session_key(db) is None
    sessions.start_session(db, people["actor"].account_id, at=T0)
    secret = sql.session_key(db)
    assert re.fullmatch(r"[0-9a-f]{64}", secret)
    sessions.start_session(db, people["actor"].account_id, at=T0 + 1)
    assert sql.session_key(db) == secret
    name = sessions.cookie_name(db)
    assert sessions.COOKIE_NAME_PATTERN.match(name) and secret not in name
    other = open_database(tmp_path / "other.db")
    assert sessions.cookie_name(other) != name
    other.conn.close()


def test_the_test_clock_moves_the_server_s_time(db, people, tmp_path, monkeypatch):
    shift = tmp_path / "clock"
    shift.write_text(str(24 * 3600))
    monkeypatch.setenv(sessions.CLOCK_SHIFT_ENV, str(shift))
    assert abs(sessions.clock() - 24 * 3600 - time.time()) < 5
    token = sessions.start_session(db, people["actor"].account_id)
    shift.write_text(str(24 * 3600 + 31 * 60))
    with pytest.raises(sessions.SessionEnded):
        sessions.check_session(db, token)


# ---- the pages ------------------------------------------------------------------------------


@pytest.fixture
def survey_path(db_path):
    """A database file with the test survey, an admin and an interviewer account; return (path, ids)."""
    db = open_database(db_path)
    ids = make_survey(db, required_name="colour")
    db.conn.close()
    signed_in_user(db_path, "admin", "Alex Admin")
    return db_path, ids


def sign_in(at, user: dict) -> None:
    db = open_database(at_db(at))
    username = db.execute("SELECT username FROM account WHERE id = ?", [user["account_id"]]).fetchone()[0]
    db.conn.close()
    at.text_input(key="auth_username").input(username)
    at.text_input(key="auth_password").input(TEST_PASSWORD)
    at.button(key="auth_sign_in").click().run()


def at_db(at):
    import os

    return os.environ["SURVEYS_DB"]


def reload(app_test, path, monkeypatch, token: str | None, page: str = "interview"):
    """Return a new AppTest (a reloaded tab: a new browser session) whose browser sends TOKEN."""
    import ui.auth

    monkeypatch.setattr(ui.auth, "browser_token", lambda _db: token)
    at = app_test(path, role=None, run=False)
    if page != "home":
        at.switch_page(PAGES[page])  # the reloaded address is the page itself
    return at.run()


def signed_in_tab(app_test, path, monkeypatch):
    """Return (an AppTest signed in as a new interviewer "Ivy" through the form, its session token)."""
    user = signed_in_user(path, "interviewer", "Ivy")
    at = reload(app_test, path, monkeypatch, None, "home")
    sign_in(at, user)
    return at, at.session_state["auth_session_token"]


def cookie_scripts(at) -> list[str]:
    return [e.proto.body for e in at.get("html")]


def test_a_reloaded_tab_stays_signed_in_on_the_same_question(app_test, survey_path, monkeypatch):
    path, ids = survey_path
    at, token = signed_in_tab(app_test, path, monkeypatch)
    assert [s for s in cookie_scripts(at) if token in s], "the browser is given the token to keep"
    at.switch_page("pages/2_Interview.py").run()
    at.text_input(key="interview_code").input("AB-5005").run()
    at.button(key="interview_consent_yes").click().run()
    at.button(key=f"interview_next_{ids['intro']}").click().run()  # words to read out come first
    at.text_input(key=f"interview_answer_{ids['name_of_place']}").input("A hostel")
    at.button(key=f"interview_save_{ids['name_of_place']}").click().run()
    at.button(key=f"interview_save_{ids['story']}").click().run()  # nothing typed: an error, stays here
    at.button(key=f"interview_skipped_{ids['story']}").click().run()
    # An option picked and not yet "saved and gone on" is saved already.
    at.radio(key=f"interview_answer_{ids['colour']}").set_value("Blue").run()
    assert at.get("progress")[0].proto.text == "Question 3 of 7"

    again = reload(app_test, path, monkeypatch, token)
    assert not again.exception and not again.error
    assert again.session_state["auth_user"]["name"] == "Ivy"
    assert not [t for t in again.text_input if t.key == "auth_password"]
    assert again.get("progress")[0].proto.text == "Question 3 of 7"
    assert any("Saved answer: Blue" in i.value for i in again.info)
    again.button(key="interview_back").click().run()
    again.button(key="interview_back").click().run()
    assert again.text_input(key=f"interview_answer_{ids['name_of_place']}").value == "A hostel"
    db = open_database(path)
    assert audit_entries(db, action="sign in")[0]["new_value"] == '{"how": "carried on in the same browser"}'
    db.conn.close()


def test_after_the_idle_time_a_reload_asks_for_the_password(app_test, survey_path, monkeypatch, tmp_path):
    path, ids = survey_path
    at, token = signed_in_tab(app_test, path, monkeypatch)
    shift = tmp_path / "clock"
    shift.write_text(str(31 * 60))
    monkeypatch.setenv(sessions.CLOCK_SHIFT_ENV, str(shift))
    again = reload(app_test, path, monkeypatch, token)
    assert any("signed out because nothing was done for 30 minutes" in i.value for i in again.info)
    assert [t.value for t in again.main.title] == ["Sign in"]
    assert "auth_user" not in again.session_state
    assert [s for s in cookie_scripts(again) if "Max-Age=0" in s], "the browser is told to forget the token"


def test_signing_out_ends_the_token_and_the_browser_forgets_it(app_test, survey_path, monkeypatch):
    path, ids = survey_path
    at, token = signed_in_tab(app_test, path, monkeypatch)
    at.sidebar.button(key="app_sign_out").click().run()
    assert "auth_user" not in at.session_state
    again = reload(app_test, path, monkeypatch, token)
    assert [t.value for t in again.main.title] == ["Sign in"]
    assert not again.info  # signed out on purpose: no "you were signed out" message
    assert [s for s in cookie_scripts(again) if "Max-Age=0" in s]


def test_an_open_tab_is_signed_out_when_its_session_is_closed_elsewhere(app_test, survey_path, monkeypatch):
    path, ids = survey_path
    at, _token = signed_in_tab(app_test, path, monkeypatch)
    db = open_database(path)
    sessions.end_session(db, at.session_state["auth_session_token"])
    db.conn.close()
    at.run()
    assert [t.value for t in at.main.title] == ["Sign in"]


def test_a_save_from_a_tab_left_idle_is_refused_and_signs_out(app_test, survey_path, monkeypatch):
    """Callbacks run before the page's sign-in check, so they check the session themselves."""
    path, ids = survey_path
    at, _token = signed_in_tab(app_test, path, monkeypatch)
    at.switch_page("pages/2_Interview.py").run()
    at.text_input(key="interview_code").input("AB-6006").run()
    at.button(key="interview_consent_yes").click().run()
    at.button(key=f"interview_next_{ids['intro']}").click().run()
    at.button(key=f"interview_save_{ids['name_of_place']}").click().run()
    at.session_state["auth_user"] = {**at.session_state["auth_user"], "last_seen": time.time() - 31 * 60}
    at.button(key=f"interview_skipped_{ids['name_of_place']}").click().run()
    db = open_database(path)
    assert db.execute("SELECT COUNT(*) FROM answer").fetchone()[0] == 0
    db.conn.close()
    assert [t.value for t in at.main.title] == ["Sign in"]


def test_the_cookie_script_only_ever_holds_our_own_name_and_token():
    from ui.auth import _cookie_script

    token = "0" * 32 + ".1800000000." + "a" * 32 + "." + "b" * 43
    script = _cookie_script("pss_session_0123456789ab", token)
    assert script == ("<script>document.cookie = 'pss_session_0123456789ab=" + token + "; Path=/; Max-Age=43200; "
                      "SameSite=Strict' + (location.protocol === 'https:' ? '; Secure' : '');</script>")
    for name, value in (("pss_session_0123456789ab", token + "';alert(1)//"), ("x'; alert(1)//", token),
                        ("pss_session_0123456789ab", "</script><script>alert(1)")):
        with pytest.raises(ValueError):
            _cookie_script(name, value)


def test_only_the_sign_in_code_runs_script_in_the_page():
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    users = [p.relative_to(root).as_posix() for p in [root / "app.py", *root.glob("pages/*.py"), *root.glob("ui/*.py")]
             if "unsafe_allow_javascript" in p.read_text()]
    assert users == ["ui/auth.py"]
