"""The command line: init, versions and demo, and clear errors for bad input."""

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run_cli(*args, env=None):
    """Run `python -m surveys ARGS` and return the finished process."""
    full_env = {**os.environ, **(env or {})}
    if not env or "SURVEYS_DB" not in env:
        full_env.pop("SURVEYS_DB", None)
    return subprocess.run(
        [sys.executable, "-m", "surveys", *args],
        cwd=ROOT, capture_output=True, text=True, env=full_env, timeout=300,
    )


def test_init_creates_then_reports_up_to_date(db_path):
    first = run_cli("init", "--db", str(db_path))
    assert first.returncode == 0, first.stderr
    assert "Made a new database" in first.stdout
    second = run_cli("init", "--db", str(db_path))
    assert second.returncode == 0
    assert "already up to date" in second.stdout


def test_surveys_db_environment_variable_is_used(db_path):
    result = run_cli("init", env={"SURVEYS_DB": str(db_path)})
    assert result.returncode == 0, result.stderr
    assert db_path.exists()


def test_demo_then_versions_json_lists_both_versions(db_path):
    demo = run_cli("demo", "--db", str(db_path), "--interviews", "30", "--seed", "1")
    assert demo.returncode == 0, demo.stderr
    assert "30 interviews" in demo.stdout
    versions = run_cli("versions", "--db", str(db_path), "--format", "json")
    assert versions.returncode == 0
    data = json.loads(versions.stdout)
    assert [(v["number"], v["status"]) for v in data] == [(1, "retired"), (2, "published")]
    assert all(v["synthetic"] == 1 for v in data)
    assert sum(v["interviews"] for v in data) == 30
    assert {"id", "survey_id", "survey_name", "label", "questions"} <= set(data[0])


def test_versions_table_format(db_path):
    run_cli("demo", "--db", str(db_path), "--interviews", "4")
    result = run_cli("versions", "--db", str(db_path))
    assert result.returncode == 0
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 2 and "published" in lines[1]


def test_demo_if_empty_does_not_add_twice(db_path):
    run_cli("demo", "--db", str(db_path), "--interviews", "4")
    again = run_cli("demo", "--db", str(db_path), "--interviews", "4", "--if-empty")
    assert again.returncode == 0
    assert "no demo data was added" in again.stdout
    count = sqlite3.connect(db_path).execute("SELECT COUNT(*) FROM survey").fetchone()[0]
    assert count == 1


def test_negative_interviews_is_refused(db_path):
    result = run_cli("demo", "--db", str(db_path), "--interviews", "-5")
    assert result.returncode == 2
    assert "0 or more" in result.stderr
    assert not db_path.exists(), "nothing is made for bad input"


def test_unwritable_db_path_is_refused(tmp_path):
    """A path that can never be written (a file standing where a folder should be)."""
    afile = tmp_path / "afile"
    afile.write_text("x")
    result = run_cli("init", "--db", str(afile / "x.db"))
    assert result.returncode == 2
    assert "Error:" in result.stderr and "Traceback" not in result.stderr


def test_newer_schema_is_refused(db_path):
    run_cli("init", "--db", str(db_path))
    conn = sqlite3.connect(db_path)
    conn.execute("INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
                 "VALUES ('peer_survey_studio', '9999_from_the_future', 'x')")
    conn.commit()
    conn.close()
    result = run_cli("versions", "--db", str(db_path))
    assert result.returncode == 2
    assert "newer version of Peer Survey Studio" in result.stderr


def test_versions_on_missing_database_says_run_init(tmp_path):
    result = run_cli("versions", "--db", str(tmp_path / "nothing.db"))
    assert result.returncode == 2
    assert "Run `python -m surveys init" in result.stderr


def test_unknown_command_exits_2():
    result = run_cli("fly")
    assert result.returncode == 2
    assert "Error:" in result.stderr


@pytest.mark.parametrize("command", ["init", "versions", "demo"])
def test_every_command_takes_db(command):
    result = run_cli(command, "--help")
    assert result.returncode == 0
    assert "--db PATH" in result.stdout


def test_every_command_is_documented():
    from surveys.cli import build_parser

    parser = build_parser()
    commands = parser._subparsers._group_actions[0].choices
    docs = (ROOT / "docs" / "cli.md").read_text()
    missing = [name for name in commands if f"## python -m surveys {name}" not in docs]
    assert not missing, f"commands not in docs/cli.md: {missing}"
