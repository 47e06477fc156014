"""The admin page and signing in, driven through AppTest: first run, sign-in, log, erasure."""

from __future__ import annotations

import time

import pytest
from argon2 import PasswordHasher

from surveys import accounts
from surveys.storage import accounts as account_store
from surveys.storage import erasure_key, now, open_database
from tests.conftest import PAGES, as_admin

PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def fast_hashing(monkeypatch):
    """Cheap argon2 settings so the tests stay fast; AppTest runs in this process, so it uses them."""
    monkeypatch.setattr(accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    monkeypatch.setattr(accounts, "_dummy_hash", [])


def make_account(path, username="sam", role="admin", name="Sam Admin", password=PASSWORD) -> str:
    db = open_database(path)
    account_id = accounts.create_account(db, username, password, role, name, as_admin(db))
    db.conn.close()
    return account_id


def rows(path, sql, params=()):
    db = open_database(path)
    try:
        return db.execute(sql, params).fetchall()
    finally:
        db.conn.close()


def sign_in(at, username, password):
    at.text_input(key="auth_username").input(username)
    at.text_input(key="auth_password").input(password)
    at.button(key="auth_sign_in").click().run()
    return at


def table(at, column):
    """Return the first data frame on screen that has COLUMN."""
    for frame in at.dataframe:
        if column in frame.value.columns:
            return frame.value
    raise AssertionError(f"no table with a {column!r} column")


def test_first_run_makes_the_admin_account_and_signs_in(app_test, db_path):
    at = app_test(db_path, role=None)
    at.text_input(key="auth_first_name").input("Sam Admin")
    at.text_input(key="auth_first_username").input("sam")
    at.text_input(key="auth_first_password").input(PASSWORD)
    at.text_input(key="auth_first_password_again").input(PASSWORD)
    at.button(key="auth_first_submit").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert rows(db_path, "SELECT username, role, substr(password_hash, 1, 7) FROM account") == [
        ("sam", "admin", "$argon2")]
    assert at.session_state["auth_user"]["role"] == "admin"
    assert [t.value for t in at.main.title] == ["Peer Survey Studio"]
    assert "auth_first_password" not in at.session_state


def test_first_run_with_different_passwords_makes_nothing(app_test, db_path):
    at = app_test(db_path, role=None)
    at.text_input(key="auth_first_name").input("Sam Admin")
    at.text_input(key="auth_first_username").input("sam")
    at.text_input(key="auth_first_password").input(PASSWORD)
    at.text_input(key="auth_first_password_again").input(PASSWORD + "x")
    at.button(key="auth_first_submit").click().run()
    assert [e.value for e in at.error] == ["The two passwords are not the same. Type them again."]
    assert rows(db_path, "SELECT COUNT(*) FROM account") == [(0,)]
    assert "auth_user" not in at.session_state


def test_sign_in_wrong_then_right_and_the_log_shows_both(app_test, db_path):
    make_account(db_path)
    at = app_test(db_path, "admin", role=None)
    sign_in(at, "sam", "not the password")
    assert [e.value for e in at.error] == ["That name or password is wrong."]
    assert "auth_user" not in at.session_state
    sign_in(at, "sam", PASSWORD)
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state["auth_user"]["name"] == "Sam Admin"
    at.switch_page(PAGES["admin"]).run()
    log = table(at, "What")
    assert list(log["What"][:2]) == ["sign in", "failed sign in"]
    assert list(log["Who"][:2]) == ["Sam Admin", "Sam Admin"]
    # The filter shows only sign-ins.
    at.selectbox(key="admin_audit_action").select("sign in").run()
    assert set(table(at, "What")["What"]) == {"sign in"}


def test_after_failures_the_page_waits_and_says_so(app_test, db_path):
    make_account(db_path)
    db = open_database(db_path)
    for _ in range(3):
        account_store.add_login_attempt(db, "sam", now(), False)
    db.conn.close()
    at = app_test(db_path, role=None)
    started = time.monotonic()
    sign_in(at, "sam", "still the wrong one")
    assert time.monotonic() - started >= 1.0
    assert any("so we wait 1 second before we check" in i.value for i in at.info)
    assert [e.value for e in at.error] == ["That name or password is wrong."]
    started = time.monotonic()
    sign_in(at, "sam", PASSWORD)
    assert time.monotonic() - started >= 2.0
    assert at.session_state["auth_user"]["role"] == "admin"


def test_sign_out_button_signs_out_and_logs_it(app_test, db_path):
    make_account(db_path)
    at = app_test(db_path, role=None)
    sign_in(at, "sam", PASSWORD)
    at.session_state["admin_privacy_report"] = [{"found": "07700 900123"}]
    at.button(key="app_sign_out").click().run()
    assert "auth_user" not in at.session_state
    # The next person at this laptop finds nothing of the last session.
    assert "admin_privacy_report" not in at.session_state
    assert [t.value for t in at.main.title] == ["Sign in"]
    assert rows(db_path, "SELECT actor, action FROM audit_log ORDER BY id DESC LIMIT 1") == [("Sam Admin", "sign out")]


def test_an_idle_session_is_signed_out(app_test, db_path):
    make_account(db_path)
    at = app_test(db_path, role=None, run=False)
    db = open_database(db_path)
    user = accounts.authenticate(db, "sam", PASSWORD)
    db.conn.close()
    at.session_state["auth_user"] = {**user, "last_seen": time.time() - 31 * 60}
    at.run()
    assert any("signed out because nothing was done for 30 minutes" in i.value for i in at.info)
    assert [t.value for t in at.main.title] == ["Sign in"]
    assert "auth_user" not in at.session_state


def test_a_turned_off_account_is_signed_out_at_its_next_click(app_test, db_path):
    make_account(db_path)
    jo = make_account(db_path, "jo", "designer", "Jo")
    at = app_test(db_path, role=None)
    sign_in(at, "jo", PASSWORD)
    assert at.session_state["auth_user"]["role"] == "designer"
    db = open_database(db_path)
    accounts.disable_account(db, jo, as_admin(db))
    db.conn.close()
    at.run()
    assert any("turned off" in w.value for w in at.warning)
    assert "auth_user" not in at.session_state


def test_single_laptop_setting_needs_no_sign_in(app_test, db_path, monkeypatch):
    make_account(db_path)
    monkeypatch.setenv("SURVEYS_SINGLE_USER", "1")
    at = app_test(db_path, role=None)
    assert not at.exception
    assert at.session_state["auth_user"]["name"] == "Sam Admin"
    assert [t.value for t in at.main.title] == ["Peer Survey Studio"]
    assert not [b for b in at.sidebar.button if b.label == "Sign out"]
    assert rows(db_path, "SELECT action, new_value FROM audit_log ORDER BY id DESC LIMIT 1") == [
        ("sign in", '{"how": "single-laptop setting"}')]


def test_admin_makes_an_account_and_turns_it_off(app_test, db_path):
    at = app_test(db_path, "admin")
    at.text_input(key="admin_new_name").input("Jo Evaluator")
    at.text_input(key="admin_new_username").input("jo")
    at.selectbox(key="admin_new_role").select("evaluator")
    at.text_input(key="admin_new_password").input("a long enough password")
    at.text_input(key="admin_new_password_again").input("a long enough password")
    at.button(key="admin_new_submit").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("The account jo is made." in s.value for s in at.success)
    # The signed-in admin has an account of their own (test-admin-...); jo is the new one.
    assert rows(db_path, "SELECT username, role, disabled_at IS NULL FROM account WHERE username = 'jo'") == [
        ("jo", "evaluator", 1)]
    accounts_table = table(at, "Sign-in name")
    assert sorted(accounts_table["Sign-in name"]) == sorted(
        [r[0] for r in rows(db_path, "SELECT username FROM account")])
    assert "jo" in list(accounts_table["Sign-in name"])
    at.selectbox(key="admin_account_pick").select_index(
        list(accounts_table["Sign-in name"]).index("jo")).run()
    at.button(key="admin_account_toggle").click().run()
    assert rows(db_path, "SELECT disabled_at IS NOT NULL FROM account WHERE username = 'jo'") == [(1,)]


def test_erasure_flow_on_the_admin_page(app_test, demo_db_path):
    code, = rows(demo_db_path, "SELECT respondent_code FROM interview ORDER BY respondent_code LIMIT 1")[0]
    answers = rows(demo_db_path, "SELECT COUNT(*) FROM answer a JOIN interview i ON i.id = a.interview_id "
                                 "WHERE i.respondent_code = ?", [code])[0][0]
    at = app_test(demo_db_path, "admin")
    at.text_input(key="admin_erase_code").input(code).run()
    assert any(f"This code has 1 interview and {answers} answers." == m.value for m in at.markdown)
    # Codes that differ: nothing is erased.
    at.text_input(key="admin_erase_code_again").input(code + "9")
    at.text_area(key="admin_erase_reason").input("They asked us to.")
    at.button(key="admin_erase_submit").click().run()
    assert any("not the same" in e.value for e in at.error)
    assert rows(demo_db_path, "SELECT COUNT(*) FROM interview WHERE respondent_code = ?", [code]) == [(1,)]
    at.text_input(key="admin_erase_code_again").input(code)
    at.button(key="admin_erase_submit").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(f"Erased 1 interview and {answers} answers" in s.value for s in at.success)
    assert rows(demo_db_path, "SELECT COUNT(*) FROM interview WHERE respondent_code = ?", [code]) == [(0,)]
    # The log names the code only by its fingerprint (docs/security.md, "Erasure").
    assert rows(demo_db_path, "SELECT action, record_id FROM audit_log WHERE action = 'erase respondent'") == [
        ("erase respondent", erasure_key(code))]
    assert table(at, "What")["What"][0] == "erase respondent"


def test_personal_details_report_and_masking_on_the_admin_page(app_test, demo_db_path):
    answer_id, = rows(
        demo_db_path,
        "SELECT a.id FROM answer a JOIN question q ON q.id = a.question_id "
        "WHERE q.type IN ('text', 'long_text') AND a.value IS NOT NULL LIMIT 1")[0]
    db = open_database(demo_db_path)
    db.execute("UPDATE answer SET value = 'Ring me on 07700 900123' WHERE id = ?", [answer_id])
    db.conn.close()
    at = app_test(demo_db_path, "admin")
    at.button(key="admin_privacy_scan").click().run()
    found = table(at, "Found")
    assert ("Phone number", "07700 900123") in set(zip(found["Kind"], found["Found"]))
    at.selectbox(key="admin_privacy_answer").select(answer_id)
    at.button(key="admin_privacy_mask").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert rows(demo_db_path, "SELECT value FROM answer WHERE id = ?", [answer_id]) == [("Ring me on [phone]",)]


def test_settings_are_saved_from_the_admin_page(app_test, db_path):
    at = app_test(db_path, "admin")
    at.number_input(key="admin_idle_minutes").set_value(10)
    at.button(key="admin_idle_minutes_save").click().run()
    at.text_input(key="admin_code_pattern").input("^R-[0-9]{3}$")
    at.button(key="admin_code_pattern_save").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert dict(rows(db_path, "SELECT key, value FROM setting")) == {
        "session_idle_minutes": "10", "respondent_code_pattern": "^R-[0-9]{3}$"}
    at.text_input(key="admin_code_pattern").input("^R-[0-9")
    at.button(key="admin_code_pattern_save").click().run()
    assert any("That pattern does not work" in e.value for e in at.error)


# ---- the admin page as an admin meets it (issue 12) ---------------------------------------------

ACRONYMS = r"\b(CSV|XLSX|XLS|DB|SQLITE3?|ODK|NI number|Markdown|JSON)\b"


def all_text(at) -> str:
    """Return every word the page sends to the browser: text, labels, help, placeholders, options."""
    found = []

    def walk(node):
        proto = getattr(node, "proto", None)
        if proto is not None:
            found.append(str(proto))
        for child in (getattr(node, "children", None) or {}).values():
            walk(child)

    walk(at._tree)
    return "\n".join(found)


def test_the_log_shows_names_and_plain_words_not_ids_and_json(app_test, demo_db_path):
    from surveys.storage import audit, write_transaction

    db = open_database(demo_db_path)
    person_id, person_name = db.execute("SELECT id, display_name FROM person WHERE role = 'interviewer' "
                                        "LIMIT 1").fetchone()
    interview_id, version_id = db.execute("SELECT id, version_id FROM interview LIMIT 1").fetchone()
    answer_id = db.execute("SELECT id FROM answer WHERE interview_id = ? LIMIT 1", [interview_id]).fetchone()[0]
    with write_transaction(db):
        # As the interview page logged them: the interviewer's person id as "who", values as JSON.
        audit(db, person_id, "start interview", "interview", interview_id, None,
              {"id": interview_id, "version_id": version_id, "respondent_code": "R-5512", "interviewer_id": person_id,
               "consent": "given", "status": "draft", "started_at": "2025-03-01T10:15:00+00:00"})
        audit(db, person_id, "edit answer after submit", "answer", answer_id,
              {"value": "Twice", "opt_out": None}, {"value": None, "opt_out": "dont_know", "reason": "They said so"})
    db.conn.close()
    at = app_test(demo_db_path, "admin")
    log = table(at, "Before")
    started = log[log["What"] == "start interview"].iloc[0]
    edited = log[log["What"] == "edit answer after submit"].iloc[0]
    assert started["Who"] == person_name and edited["Who"] == person_name
    survey, label = rows(demo_db_path, "SELECT s.name, v.label FROM survey_version v JOIN survey s "
                                       "ON s.id = v.survey_id WHERE v.id = ?", [version_id])[0]
    assert started["After"] == (f"agreed to take part: yes; interviewer: {person_name}; respondent code: R-5512; "
                                f"started: 2025-03-01 10:15; state: not sent in yet; survey version: {survey}, {label}")
    assert edited["Before"] == "answer: Twice"
    assert edited["After"] == "no answer: don't know; why: They said so"
    assert not any(person_id in str(v) for v in log["Who"])
    assert not any(str(v).startswith(("{", "[", '"')) for v in list(log["Before"]) + list(log["After"]))


def test_the_admin_page_stays_on_its_tab_after_erasing_and_saving_settings(app_test, demo_db_path):
    code, = rows(demo_db_path, "SELECT respondent_code FROM interview ORDER BY respondent_code LIMIT 1")[0]
    at = app_test(demo_db_path, "admin")
    at.session_state["admin_tab"] = "Erase a respondent"
    at.run()
    at.text_input(key="admin_erase_code").input(code)
    at.text_input(key="admin_erase_code_again").input(code)
    at.text_area(key="admin_erase_reason").input("They asked us to.")
    at.button(key="admin_erase_submit").click().run()
    assert any("Erased 1 interview" in s.value for s in at.success)
    assert at.session_state["admin_tab"] == "Erase a respondent"
    at.session_state["admin_tab"] = "Settings"
    at.run()
    at.number_input(key="admin_idle_minutes").set_value(12)
    at.button(key="admin_idle_minutes_save").click().run()
    assert any("minutes are saved" in s.value for s in at.success)
    assert at.session_state["admin_tab"] == "Settings"
    at.session_state["admin_data_tab"] = "Backup"
    at.button(key="admin_transfer_backup_make").click().run()
    assert at.session_state["admin_data_tab"] == "Backup" and at.session_state["admin_tab"] == "Settings"


def test_erase_takes_the_code_typed_twice_in_any_case(app_test, demo_db_path):
    code, = rows(demo_db_path, "SELECT respondent_code FROM interview WHERE respondent_code GLOB '*[A-Za-z]*' "
                               "ORDER BY respondent_code LIMIT 1")[0]
    at = app_test(demo_db_path, "admin")
    at.text_input(key="admin_erase_code").input(code.lower()).run()
    assert any("This code has 1 interview" in m.value for m in at.markdown)
    at.text_input(key="admin_erase_code_again").input(f" {code.upper()} ")
    at.text_area(key="admin_erase_reason").input("They asked us to.")
    at.button(key="admin_erase_submit").click().run()
    assert not at.error, [e.value for e in at.error]
    assert any("Erased 1 interview" in s.value for s in at.success)
    assert rows(demo_db_path, "SELECT COUNT(*) FROM interview WHERE respondent_code = ?", [code]) == [(0,)]


def test_settings_say_in_words_whether_the_data_file_is_up_to_date(app_test, db_path):
    at = app_test(db_path, "admin")
    said = [m.value for m in at.markdown]
    assert "The data file is up to date with this version of the app." in said
    assert not any("Database layout" in m or "changes made" in m for m in said)


def test_the_admin_page_uses_no_acronyms(app_test, demo_db_path):
    import re

    at = app_test(demo_db_path, "admin")
    at.button(key="admin_transfer_answers_export").click().run()
    at.button(key="admin_transfer_form_export").click().run()
    text = all_text(at)
    assert "Data in and out" in text and "Kind of file" in text, "the walk reads every tab"
    assert re.findall(ACRONYMS, text) == []


def test_a_new_account_is_an_interviewer_unless_the_admin_picks_otherwise(app_test, db_path):
    """Most accounts are interviewers; an admin account made by a slip could change anything."""
    at = app_test(db_path, "admin", role="admin")
    assert at.selectbox(key="admin_new_role").value == "interviewer"
