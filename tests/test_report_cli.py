"""`python -m surveys report`: per-question measures as a table, JSON or CSV, and version against version."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from analysis.compare import COMPARE_COLUMNS
from analysis.quality import MEASURE_COLUMNS, question_measures
from surveys.cli import main
from surveys.storage import core as store
from surveys.storage import open_database

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def versions(demo_db_path):
    database = open_database(demo_db_path)
    ids = {v["number"]: v["id"] for v in store.list_versions(database)}
    database.conn.close()
    return ids


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_json_has_one_object_per_question_with_every_measure(capsys, demo_db_path, versions):
    code, out, _ = run(capsys, "report", "--db", str(demo_db_path), "--format", "json")
    assert code == 0
    records = json.loads(out)
    database = open_database(demo_db_path)
    frame = question_measures(database)
    assert len(records) == len(frame)
    assert set(records[0]) == {"name", "version_id", "lineage_id", *MEASURE_COLUMNS}
    first = frame.iloc[0]
    assert (records[0]["name"], records[0]["version_id"], records[0]["asked"]) == (
        first["name"], first["version_id"], int(first["asked"]))
    assert records[0]["quality_index"] == pytest.approx(first["quality_index"], abs=1e-4)
    assert {r["version_id"] for r in records} == set(versions.values())


def test_one_version_only(capsys, demo_db_path, versions):
    code, out, _ = run(capsys, "report", "--db", str(demo_db_path), "--version", versions[2], "--format", "json")
    assert code == 0
    records = json.loads(out)
    assert {r["version_id"] for r in records} == {versions[2]}
    assert "housing_keep" in {r["name"] for r in records}


def test_table_and_csv(capsys, demo_db_path, versions):
    code, out, _ = run(capsys, "report", "--db", str(demo_db_path), "--version", versions[1])
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split()[:3] == ["Question", "Version", "Asked"]
    assert lines[2].startswith("age ")
    code, out, _ = run(capsys, "report", "--db", str(demo_db_path), "--version", versions[1], "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and rows[0]["name"] == "age" and "quality_index" in rows[0]
    assert len(rows) == len(lines) - 2


def test_compare_two_versions(capsys, demo_db_path, versions):
    code, out, _ = run(capsys, "report", "--db", str(demo_db_path), "--compare", versions[1], versions[2],
                       "--format", "json")
    assert code == 0
    records = json.loads(out)
    assert set(records[0]) == set(COMPARE_COLUMNS)
    diffs = [r["quality_diff"] for r in records if r["quality_diff"] is not None]
    assert diffs == sorted(diffs, reverse=True)
    code, out, _ = run(capsys, "report", "--db", str(demo_db_path), "--compare", versions[1], versions[2])
    assert code == 0 and "Got worse" in out.splitlines()[0]


@pytest.mark.parametrize("argv, message", [
    (["--version", "no-such-id"], "There is no survey version with the id no-such-id."),
    (["--compare", "no-such-id", "x"], "There is no survey version with the id no-such-id."),
])
def test_bad_ids_exit_2_with_a_plain_message(capsys, demo_db_path, argv, message):
    code, out, err = run(capsys, "report", "--db", str(demo_db_path), *argv)
    assert code == 2 and out == ""
    assert err.strip() == f"Error: {message}"


def test_same_version_twice_exits_2(capsys, demo_db_path, versions):
    code, _, err = run(capsys, "report", "--db", str(demo_db_path), "--compare", versions[1], versions[1])
    assert code == 2 and "Pick two different versions" in err


def test_missing_database_exits_2(capsys, tmp_path):
    code, _, err = run(capsys, "report", "--db", str(tmp_path / "none.db"))
    assert code == 2 and "There is no database" in err


def test_empty_database_says_so(capsys, db_path):
    open_database(db_path).conn.close()
    code, out, _ = run(capsys, "report", "--db", str(db_path))
    assert code == 0 and out.strip() == "There are no questions to report yet."
    code, out, _ = run(capsys, "report", "--db", str(db_path), "--format", "json")
    assert json.loads(out) == []


def test_report_is_documented():
    docs = (ROOT / "docs" / "cli.md").read_text()
    assert "## python -m surveys report" in docs
    for option in ("--version", "--compare", "--format"):
        assert option in docs.split("## python -m surveys report", 1)[1]
