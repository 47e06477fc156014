"""Accounts and roles: argon2 hashes, never logged, slower answers after failures, timeouts."""

from __future__ import annotations

import datetime as dt
import inspect
import sqlite3

import pytest
from argon2 import PasswordHasher

from surveys import accounts, erasure, privacy
from surveys.storage import accounts as account_store
from surveys.storage import get_setting, now, open_database
from surveys.storage.core import InvalidInput
from tests.conftest import as_admin

PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def fast_hashing(monkeypatch):
    """Cheap argon2 settings so the tests stay fast; the hashes are still argon2id."""
    monkeypatch.setattr(accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    monkeypatch.setattr(accounts, "_dummy_hash", [])


def everything_logged(db) -> str:
    """Return every value in the audit log and the sign-in attempts, as one text."""
    rows = db.execute("SELECT * FROM audit_log").fetchall() + db.execute("SELECT * FROM login_attempt").fetchall()
    return "\n".join(" ".join("" if v is None else str(v) for v in row) for row in rows)


def test_real_hasher_makes_argon2id_hashes(db, monkeypatch):
    monkeypatch.undo()  # the real, slow settings this time
    account_id = accounts.create_account(db, "sam", PASSWORD, "admin", "Sam", as_admin(db))
    stored = db.execute("SELECT password_hash FROM account WHERE id = ?", [account_id]).fetchone()[0]
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored
    assert PasswordHasher().verify(stored, PASSWORD)


def test_passwords_and_hashes_are_never_logged(db):
    admin_id = accounts.create_account(db, "sam", PASSWORD, "admin", "Sam", as_admin(db))
    other_id = accounts.create_account(db, "jo", "another long secret", "evaluator", "Jo", as_admin(db))
    with pytest.raises(accounts.SignInFailed):
        accounts.authenticate(db, "sam", "a wrong password")
    with pytest.raises(accounts.SignInFailed):
        accounts.authenticate(db, "nobody", PASSWORD)
    accounts.authenticate(db, "sam", PASSWORD)
    accounts.change_password(db, other_id, "a brand new secret", as_admin(db))
    accounts.set_role(db, other_id, "designer", as_admin(db))
    accounts.disable_account(db, other_id, as_admin(db))
    hashes = [r[0] for r in db.execute("SELECT password_hash FROM account").fetchall()]
    logged = everything_logged(db)
    for secret in (PASSWORD, "another long secret", "a brand new secret", "a wrong password", *hashes):
        assert secret not in logged
    assert "$argon2" not in logged
    assert account_store.account_by_id(db, admin_id)["password_hash"].startswith("$argon2")
    # Listing accounts never hands out the hash either.
    assert all("password_hash" not in row for row in accounts.list_accounts(db))


def test_sign_in_records_attempts_and_logs_them(db):
    account_id = accounts.create_account(db, "sam", PASSWORD, "admin", "Sam Admin", as_admin(db))
    with pytest.raises(accounts.SignInFailed, match="^That name or password is wrong.$"):
        accounts.authenticate(db, "sam", "not the password")
    user = accounts.authenticate(db, "  SAM ", PASSWORD)
    assert {k: user[k] for k in ("name", "role", "person_role")} == {
        "name": "Sam Admin", "role": "admin", "person_role": "admin"}
    assert set(user) == {"account_id", "person_id", "name", "person_role", "role", "signed_in_at", "last_seen"}
    attempts = [(r[0], r[1]) for r in db.execute("SELECT username, success FROM login_attempt ORDER BY id")]
    assert attempts == [("sam", 0), ("SAM", 1)]
    log = [(r[0], r[1], r[2]) for r in db.execute(
        "SELECT actor, action, record_id FROM audit_log WHERE action LIKE '%sign in' ORDER BY id")]
    assert log == [("Sam Admin", "failed sign in", account_id), ("Sam Admin", "sign in", account_id)]


def test_unknown_names_and_turned_off_accounts_get_the_same_answer(db):
    account_id = accounts.create_account(db, "sam", PASSWORD, "admin", "Sam", as_admin(db))
    accounts.create_account(db, "jo", PASSWORD + "!", "admin", "Jo", as_admin(db))
    accounts.disable_account(db, account_id, as_admin(db))
    messages = []
    for name, password in (("nobody", PASSWORD), ("sam", PASSWORD), ("", "")):
        with pytest.raises(accounts.SignInFailed) as caught:
            accounts.authenticate(db, name, password)
        messages.append(str(caught.value))
    assert messages == [accounts.WRONG_SIGN_IN] * 3
    # A name with no account is not copied into the log: it might be a password typed in the wrong box.
    assert "nobody" not in " ".join(str(r) for r in db.execute("SELECT * FROM audit_log").fetchall())


def test_first_admin_is_asked_for_once(db):
    assert accounts.needs_first_admin(db) is True
    user = accounts.create_first_admin(db, "sam", PASSWORD, "Sam")
    assert user["role"] == "admin"
    assert accounts.needs_first_admin(db) is False
    with pytest.raises(InvalidInput, match="already an admin"):
        accounts.create_first_admin(db, "mallory", PASSWORD, "Mallory")
    assert [a["username"] for a in accounts.list_accounts(db)] == ["sam"]
    assert [r[0] for r in db.execute("SELECT action FROM audit_log WHERE action IN ('create account', 'sign in')")] == [
        "create account", "sign in"]


def test_an_evaluator_account_alone_still_needs_an_admin(db):
    accounts.create_account(db, "eve", PASSWORD, "evaluator", "Eve", as_admin(db))
    assert accounts.needs_first_admin(db) is True


@pytest.mark.parametrize(
    ("username", "password", "message"),
    [
        ("sam", "short", "at least 10"),
        ("sam", " " * 12, "only spaces"),
        ("samuel1234", "SAMUEL1234", "same as the sign-in name"),
        ("", PASSWORD, "sign-in name needs"),
        (" -bad", PASSWORD, "sign-in name needs"),
    ],
)
def test_account_rules_are_explained(db, username, password, message):
    with pytest.raises(InvalidInput, match=message):
        accounts.create_account(db, username, password, "designer", "Sam", as_admin(db))
    assert accounts.list_accounts(db) == []


def test_sign_in_names_are_unique_whatever_the_case(db):
    accounts.create_account(db, "Sam", PASSWORD, "admin", "Sam", as_admin(db))
    with pytest.raises(InvalidInput, match="already has that sign-in name"):
        accounts.create_account(db, "sam", PASSWORD, "designer", "Other Sam", as_admin(db))
    # The person made for the refused account was rolled back with it.
    assert [r[0] for r in db.execute("SELECT display_name FROM person")] == ["Sam"]


def test_designer_account_makes_a_peer_researcher_or_chosen_part(db):
    accounts.create_account(db, "boss", PASSWORD, "admin", "Boss", as_admin(db))
    first = accounts.create_account(db, "pat", PASSWORD, "designer", "Pat", as_admin(db))
    second = accounts.create_account(db, "lee", PASSWORD, "designer", "Lee", as_admin(db), person_role="staff")
    roles = {a["account_id"]: (a["role"], a["person_role"]) for a in accounts.list_accounts(db)
             if a["role"] == "designer"}
    assert roles == {first: ("designer", "peer_researcher"), second: ("designer", "staff")}


def test_the_last_admin_cannot_be_lost(db):
    sam = accounts.create_account(db, "sam", PASSWORD, "admin", "Sam", as_admin(db))
    with pytest.raises(InvalidInput, match="only admin"):
        accounts.disable_account(db, sam, as_admin(db))
    with pytest.raises(InvalidInput, match="only admin"):
        accounts.set_role(db, sam, "evaluator", as_admin(db))
    jo = accounts.create_account(db, "jo", PASSWORD, "admin", "Jo", as_admin(db))
    accounts.set_role(db, sam, "evaluator", as_admin(db))
    with pytest.raises(InvalidInput, match="only admin"):
        accounts.disable_account(db, jo, as_admin(db))
    states = {a["username"]: (a["role"], a["active"]) for a in accounts.list_accounts(db)}
    assert states == {"jo": ("admin", True), "sam": ("evaluator", True)}
    changes = db.execute(
        "SELECT old_value, new_value FROM audit_log WHERE action = 'change role'").fetchall()
    assert changes == [('{"role": "admin"}', '{"role": "evaluator"}')]


def test_changing_a_password(db):
    sam = accounts.create_account(db, "sam", PASSWORD, "admin", "Sam", as_admin(db))
    with pytest.raises(accounts.SignInFailed):
        accounts.change_password(db, sam, "my new password", as_admin(db), old_password="not it at all")
    accounts.change_password(db, sam, "my new password", as_admin(db), old_password=PASSWORD)
    with pytest.raises(accounts.SignInFailed):
        accounts.authenticate(db, "sam", PASSWORD)
    assert accounts.authenticate(db, "sam", "my new password")["role"] == "admin"


def test_turned_off_and_changed_accounts_update_the_session(db):
    accounts.create_account(db, "sam", PASSWORD, "admin", "Sam", as_admin(db))
    jo = accounts.create_account(db, "jo", PASSWORD, "designer", "Jo", as_admin(db))
    user = accounts.authenticate(db, "jo", PASSWORD)
    accounts.set_role(db, jo, "evaluator", as_admin(db))
    assert accounts.refresh_user(db, user)["role"] == "evaluator"
    accounts.disable_account(db, jo, as_admin(db))
    assert accounts.refresh_user(db, user) is None
    accounts.enable_account(db, jo, as_admin(db))
    assert accounts.refresh_user(db, user)["role"] == "evaluator"


# ---- slowing down guessing ----------------------------------------------------------------------


def test_delays_double_after_three_failures_up_to_thirty_seconds(db):
    delays = []
    for _ in range(10):
        delays.append(accounts.delay_before_attempt(db, "sam"))
        account_store.add_login_attempt(db, "sam", now(), False)
    assert delays == [0, 0, 0, 1, 2, 4, 8, 16, 30, 30]
    # Another name is not slowed down by sam's failures.
    assert accounts.delay_before_attempt(db, "jo") == 0
    assert accounts.delay_before_attempt(db, "SAM") == 30


def test_failures_are_forgotten_after_fifteen_minutes(db):
    for _ in range(6):
        account_store.add_login_attempt(db, "sam", now(), False)
    later = dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=16)
    assert accounts.delay_before_attempt(db, "sam") == 8
    assert accounts.delay_before_attempt(db, "sam", at=later) == 0


def test_a_good_sign_in_resets_the_count(db):
    accounts.create_account(db, "sam", PASSWORD, "admin", "Sam", as_admin(db))
    for _ in range(5):
        with pytest.raises(accounts.SignInFailed):
            accounts.authenticate(db, "sam", "wrong wrong wrong")
    assert accounts.delay_before_attempt(db, "sam") == 4
    accounts.authenticate(db, "sam", PASSWORD)
    assert accounts.delay_before_attempt(db, "sam") == 0


# ---- sessions time out --------------------------------------------------------------------------


def test_session_times_out_after_idle_minutes():
    user = {"signed_in_at": 1_000.0, "last_seen": 5_000.0}
    assert accounts.session_expired(user, 5_000.0 + 30 * 60) is False
    assert accounts.session_expired(user, 5_000.0 + 30 * 60 + 1) is True
    assert accounts.session_expired(user, 5_000.0 + 6 * 60, idle_minutes=5) is True
    # A user made without last_seen (as the test fixture does) counts from signing in.
    assert accounts.session_expired({"signed_in_at": 1_000.0}, 1_000.0 + 31 * 60) is True


def test_idle_minutes_setting(db):
    assert accounts.idle_minutes(db) == 30
    accounts.set_idle_minutes(db, 5, as_admin(db))
    assert accounts.idle_minutes(db) == 5
    assert get_setting(db, "session_idle_minutes") == "5"
    for bad in (0, 100_000, "ten"):
        with pytest.raises(InvalidInput, match="minutes from 1"):
            accounts.set_idle_minutes(db, bad, as_admin(db))
    assert accounts.idle_minutes(db) == 5


# ---- the single-laptop setting ------------------------------------------------------------------


def test_single_laptop_setting_signs_in_the_lone_admin(db):
    assert accounts.single_user(db, environ={}) is None
    sam = accounts.create_account(db, "sam", PASSWORD, "admin", "Sam", as_admin(db))
    accounts.set_single_user_mode(db, True, as_admin(db))
    lone = accounts.single_user(db, environ={})
    assert (lone["name"], lone["role"]) == ("Sam", "admin")
    accounts.set_single_user_mode(db, False, as_admin(db))
    assert accounts.single_user(db, environ={}) is None
    assert accounts.single_user(db, environ={"SURVEYS_SINGLE_USER": "1"})["role"] == "admin"
    # A second account switches it off in practice, and it cannot be turned on again.
    accounts.create_account(db, "jo", PASSWORD, "designer", "Jo", as_admin(db))
    assert accounts.single_user(db, environ={"SURVEYS_SINGLE_USER": "1"}) is None
    with pytest.raises(InvalidInput, match="one person working alone"):
        accounts.set_single_user_mode(db, True, as_admin(db))
    assert sam


# ---- the audit log for the admin ----------------------------------------------------------------


def test_audit_log_filters_by_action_person_and_day(db):
    accounts.create_account(db, "sam", PASSWORD, "admin", "Sam", as_admin(db))
    accounts.authenticate(db, "sam", PASSWORD)
    with pytest.raises(accounts.SignInFailed):
        accounts.authenticate(db, "sam", "wrong wrong wrong")
    sign_ins = accounts.audit_log(db, action="sign in")
    assert [(e["actor"], e["action"]) for e in sign_ins] == [("Sam", "sign in")]
    setup = accounts.command_line_actor(open_database(":memory:")).name
    by_setup = accounts.audit_log(db, actor=setup)
    assert [e["action"] for e in by_setup] == ["create account", "add person"]
    today = dt.datetime.now(dt.timezone.utc).date()
    assert len(accounts.audit_log(db, first_day=today, last_day=today)) == 4
    assert accounts.audit_log(db, last_day=today - dt.timedelta(days=1)) == []
    assert accounts.audit_log(db, first_day=today + dt.timedelta(days=1)) == []
    choices = accounts.audit_choices(db)
    assert choices == {"actions": ["add person", "create account", "failed sign in", "sign in"],
                       "actors": [setup, "Sam"]}


def test_audit_csv_is_safe_to_open_in_a_spreadsheet(db):
    evil = accounts.create_account(db, "sam", PASSWORD, "admin", "=cmd|evil", as_admin(db))
    accounts.create_account(db, "jo", PASSWORD, "evaluator", "Jo", accounts.actor_for_account(db, evil))
    text = accounts.audit_log_csv(accounts.audit_log(db, actor="=cmd|evil")).decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0] == "when,who,what,table,record,before,after"
    assert len(lines) == 3
    assert all(",'=cmd|evil," in line for line in lines[1:])


def test_audit_log_cannot_be_changed(db):
    accounts.create_account(db, "sam", PASSWORD, "admin", "Sam", as_admin(db))
    with pytest.raises(sqlite3.DatabaseError, match="cannot be changed"):
        db.execute("DELETE FROM audit_log")
    with pytest.raises(sqlite3.DatabaseError, match="cannot be changed"):
        db.execute("UPDATE audit_log SET actor = 'someone else'")
    # No library function of this feature writes anything but new rows to the log.
    for module in (accounts, erasure, privacy, account_store):
        source = inspect.getsource(module).upper()
        assert "UPDATE AUDIT_LOG" not in source and "DELETE FROM AUDIT_LOG" not in source


# ---- the command line: the way back in, and erasing on each laptop -----------------------------


def test_command_line_adds_an_account_and_resets_a_forgotten_password(db_path, monkeypatch, capsys):
    import io

    from surveys.cli import main
    from surveys.storage import open_database

    open_database(db_path).conn.close()
    monkeypatch.delenv("SURVEYS_ADMIN_PASSWORD", raising=False)
    # No accounts yet: whoever holds the file makes the first one.
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["add-account", "--db", str(db_path), "--username", "sam", "--name", "Sam",
                 "--role", "admin", "--password-stdin"]) == 0
    # Now the database has accounts: changing them needs an admin's name and password.
    monkeypatch.setattr("sys.stdin", io.StringIO("a fresh new password\n"))
    assert main(["reset-password", "--db", str(db_path), "--username", "sam", "--password-stdin"]) == 2
    assert "an admin must sign in" in capsys.readouterr().err
    monkeypatch.setenv("SURVEYS_ADMIN_PASSWORD", "not the password at all")
    monkeypatch.setattr("sys.stdin", io.StringIO("a fresh new password\n"))
    assert main(["add-account", "--db", str(db_path), "--username", "jo", "--name", "Jo", "--role", "evaluator",
                 "--password-stdin", "--admin", "sam"]) == 2
    assert capsys.readouterr().err == "Error: That name or password is wrong.\n"
    monkeypatch.setenv("SURVEYS_ADMIN_PASSWORD", PASSWORD)
    monkeypatch.setattr("sys.stdin", io.StringIO("jo's long password\n"))
    assert main(["add-account", "--db", str(db_path), "--username", "jo", "--name", "Jo", "--role", "evaluator",
                 "--password-stdin", "--admin", "sam"]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert main(["reset-password", "--db", str(db_path), "--username", "jo", "--password-stdin",
                 "--admin", "sam"]) == 2
    assert "at least 10" in capsys.readouterr().err
    # Nobody remembers the admin password: the way back in, for whoever holds the file, logged.
    monkeypatch.delenv("SURVEYS_ADMIN_PASSWORD")
    monkeypatch.setattr("sys.stdin", io.StringIO("a fresh new password\n"))
    assert main(["reset-password", "--db", str(db_path), "--username", "SAM", "--password-stdin", "--recover"]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("a fresh new password\n"))
    assert main(["reset-password", "--db", str(db_path), "--username", "jo", "--password-stdin", "--recover"]) == 2
    assert "Only an admin account" in capsys.readouterr().err
    db = open_database(db_path)
    assert accounts.authenticate(db, "sam", "a fresh new password")["role"] == "admin"
    logged = db.execute("SELECT actor, action FROM audit_log WHERE action IN "
                        "('create account', 'change password', 'recover admin password') ORDER BY id").fetchall()
    assert [action for _, action in logged] == ["create account", "create account", "recover admin password"]
    assert logged[0][0].startswith("command line (") and logged[1][0] == "Sam"
    assert logged[2][0].startswith("command line (")
    assert "a fresh new password" not in everything_logged(db)
    db.conn.close()


def test_command_line_erase_asks_first(db_path, monkeypatch, capsys):
    from surveys.cli import main
    from surveys.storage import core as store
    from surveys.storage import open_database

    db = open_database(db_path)
    survey = store.create_survey(db, "S")
    version = store.create_version(db, survey, "V1")
    store.add_question(db, version, name="q", type="text", wording="Tell us")
    store.set_version_status(db, version, "published")
    stamp = now()
    store.bulk_insert(db, "interview", [
        ("i1", version, "R-7", None, "given", "submitted", "one_at_a_time", stamp, stamp, 1, 0, stamp),
        ("i2", version, "R-8", None, "given", "submitted", "one_at_a_time", stamp, stamp, 1, 0, stamp)])
    db.conn.close()
    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    assert main(["erase", "--db", str(db_path), "--code", "r-7", "--reason", "asked"]) == 1
    assert main(["erase", "--db", str(db_path), "--code", "R-7", "--reason", "asked", "--yes"]) == 0
    assert "Erased 1 interviews and 0 answers for R-7." in capsys.readouterr().out
    assert main(["erase", "--db", str(db_path), "--code", "R-7", "--reason", "asked", "--yes"]) == 2
    # With accounts, erasing needs an admin who signs in.
    db = open_database(db_path)
    accounts.create_account(db, "sam", PASSWORD, "admin", "Sam", as_admin(db))
    db.conn.close()
    monkeypatch.delenv("SURVEYS_ADMIN_PASSWORD", raising=False)
    assert main(["erase", "--db", str(db_path), "--code", "R-8", "--reason", "asked", "--yes"]) == 2
    monkeypatch.setenv("SURVEYS_ADMIN_PASSWORD", PASSWORD)
    assert main(["erase", "--db", str(db_path), "--code", "R-8", "--reason", "asked", "--yes", "--admin", "sam"]) == 0
    db = open_database(db_path)
    assert db.execute("SELECT COUNT(*) FROM interview").fetchone()[0] == 0
    erasers = [r[0] for r in db.execute("SELECT actor FROM audit_log WHERE action = 'erase respondent' ORDER BY id")]
    assert erasers[0].startswith("command line (") and erasers[1:] == ["Sam"]
    db.conn.close()


# ---- who is acting: accounts read from the database, never a role string ----------------------


def test_a_session_without_an_account_is_not_trusted(db):
    made_up = {"person_id": "someone", "name": "Mallory", "role": "admin", "person_role": "admin"}
    assert accounts.refresh_user(db, made_up) is None
    with pytest.raises(accounts.NotAllowed):
        accounts.actor_for_user(db, made_up)


def test_check_actor_reads_the_role_from_the_database_each_time(db):
    accounts.create_account(db, "sam", PASSWORD, "admin", "Sam", as_admin(db))
    jo = accounts.create_account(db, "jo", PASSWORD, "admin", "Jo", as_admin(db))
    actor = accounts.actor_for_account(db, jo)
    assert (actor.name, actor.role) == ("Jo", "admin")
    assert accounts.check_actor(db, actor, "admin") == actor
    accounts.set_role(db, jo, "evaluator", as_admin(db))
    # The Actor still says admin, but the database no longer does: it is refused.
    with pytest.raises(accounts.NotAllowed, match="Only these kinds of account"):
        accounts.check_actor(db, actor, "admin")
    assert accounts.check_actor(db, actor, "evaluator").role == "evaluator"
    accounts.disable_account(db, jo, as_admin(db))
    with pytest.raises(accounts.NotAllowed):
        accounts.check_actor(db, actor)


def test_check_actor_refuses_things_that_are_not_actors(db):
    for fake in (None, "admin", {"role": "admin"}):
        with pytest.raises(accounts.NotAllowed):
            accounts.check_actor(db, fake, "admin")


def test_a_forged_actor_for_a_missing_account_is_refused(db):
    accounts.create_account(db, "sam", PASSWORD, "admin", "Sam", as_admin(db))
    forged = accounts.Actor("not-an-account", None, "Mallory", "admin")
    with pytest.raises(accounts.NotAllowed):
        accounts.check_actor(db, forged, "admin")


def test_command_line_acts_as_admin_only_until_accounts_exist(db):
    lone = accounts.command_line_actor(db)
    assert (lone.account_id, lone.role) == (None, "admin")
    assert accounts.check_actor(db, lone, "admin") == lone
    sam = accounts.create_account(db, "sam", PASSWORD, "admin", "Sam", as_admin(db))
    # The same command-line actor is refused once there is an account to sign in with.
    with pytest.raises(accounts.NotAllowed, match="has accounts"):
        accounts.check_actor(db, lone, "admin")
    with pytest.raises(accounts.NotAllowed, match="sign-in name and password"):
        accounts.command_line_actor(db)
    with pytest.raises(accounts.SignInFailed):
        accounts.command_line_actor(db, "sam", "wrong password here")
    actor = accounts.command_line_actor(db, "sam", PASSWORD)
    assert (actor.account_id, actor.name, actor.role) == (sam, "Sam", "admin")
