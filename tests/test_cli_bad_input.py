"""Bad input on the command line gives one plain `Error:` line and exit 2, never a traceback.

Each case runs the real command in a new process (as a script or a person would), on the
small demo database, and checks nothing was changed.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from surveys.storage import open_database

ROOT = Path(__file__).resolve().parents[1]


def run(*argv: str, stdin: bytes = b"", env: dict | None = None) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k != "SURVEYS_ADMIN_PASSWORD"}
    environment.update(env or {})
    return subprocess.run([sys.executable, "-m", "surveys", *argv], cwd=ROOT, input=stdin,
                          capture_output=True, timeout=120, env=environment)


def counts(path: Path) -> tuple[int, int, int]:
    db = open_database(path)
    try:
        return tuple(db.execute("SELECT (SELECT COUNT(*) FROM interview), (SELECT COUNT(*) FROM answer), "
                                "(SELECT COUNT(*) FROM audit_log)").fetchone())
    finally:
        db.conn.close()


def version_of(path: Path) -> str:
    db = open_database(path)
    try:
        return db.execute("SELECT id FROM survey_version WHERE status = 'published' LIMIT 1").fetchone()[0]
    finally:
        db.conn.close()


CASES = {
    "answers file that is not there": lambda p, t: ("import-responses", str(t / "missing.csv"), "--version",
                                                    version_of(p), "--db", str(p)),
    "answers file that is a folder": lambda p, t: ("import-responses", str(t), "--version", version_of(p),
                                                   "--db", str(p)),
    "backup into a folder that is not there": lambda p, t: ("backup", "--db", str(p), "--out",
                                                            str(t / "no" / "b.db")),
    "backup over the database's own -wal file": lambda p, t: ("backup", "--db", str(p), "--out",
                                                              str(p) + "-wal"),
    "restore a file that is not there": lambda p, t: ("restore", str(t / "missing.db"), "--db", str(p)),
    "merge a text file": lambda p, t: ("merge", str(t / "notes.txt"), "--into", str(p)),
    "database path that is a folder": lambda p, t: ("versions", "--db", str(t)),
    "export into a file name that is not a table": lambda p, t: ("export-responses", "--version", version_of(p),
                                                                 "--out", str(t / "answers.pdf"), "--db", str(p)),
    "erase with no answer to the question": lambda p, t: ("erase", "--db", str(p), "--code", "R-00001",
                                                          "--reason", "asked"),
    "a respondent code that is not proper text": lambda p, t: ("erase", "--db", str(p), "--code", "\udcff\udcfe",
                                                               "--reason", "asked", "--yes"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_gives_a_plain_error_and_exit_2(demo_db_path, tmp_path, case):
    (tmp_path / "notes.txt").write_text("not a database " * 50, encoding="utf-8")
    argv = CASES[case](demo_db_path, tmp_path)
    before = counts(demo_db_path)
    # os.fsencode turns a lone surrogate back into the raw byte a terminal would have sent.
    result = subprocess.run([sys.executable, "-m", "surveys", *[os.fsencode(a) for a in argv]], cwd=ROOT,
                            input=b"", capture_output=True, timeout=120,
                            env={k: v for k, v in os.environ.items() if k != "SURVEYS_ADMIN_PASSWORD"})
    err = result.stderr.decode("utf-8", "replace")
    assert result.returncode == 2, (case, result.returncode, err)
    assert err.startswith("Error: ") and "Traceback" not in err, err
    assert counts(demo_db_path) == before


def test_bad_utf8_in_an_answers_file_and_a_wrong_admin_password(demo_db_path, tmp_path):
    from surveys import accounts

    bad = tmp_path / "latin.csv"
    bad.write_bytes("gp\nCaf\xe9\n".encode("latin-1"))
    result = run("import-responses", str(bad), "--version", version_of(demo_db_path), "--db", str(demo_db_path))
    assert result.returncode == 2 and b"not saved as UTF-8" in result.stderr
    db = open_database(demo_db_path)
    accounts.create_account(db, "sam", "a long password", "admin", "Sam", accounts.command_line_actor(db))
    db.conn.close()
    result = run("import-responses", str(bad), "--version", version_of(demo_db_path), "--db", str(demo_db_path),
                 "--admin", "sam", env={"SURVEYS_ADMIN_PASSWORD": "not it"})
    assert (result.returncode, result.stderr) == (2, b"Error: That name or password is wrong.\n")
