"""The shared file check: a spreadsheet that unpacks too big is refused before any reader opens it."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from surveys.input_files import MAX_UNPACKED_BYTES, check_input_file
from surveys.responses import import_responses
from surveys.storage import open_database
from surveys.storage import core as store
from surveys.storage.core import InvalidInput
from surveys.xlsform import XLSFormError, import_xlsform
from tests.conftest import as_admin

ROOT = Path(__file__).resolve().parents[1]


def packed_bomb(path: Path, unpacked: int = MAX_UNPACKED_BYTES + 8 * 1024 * 1024) -> Path:
    """Write a small .xlsx-shaped zip whose sheet unpacks to UNPACKED bytes of spaces."""
    block = b" " * (1024 * 1024)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            for _ in range(unpacked // len(block)):
                sheet.write(block)
    return path


@pytest.fixture(scope="module")
def bomb(tmp_path_factory) -> Path:
    return packed_bomb(tmp_path_factory.mktemp("bomb") / "small.xlsx")


def test_a_small_file_that_unpacks_huge_is_refused_before_it_is_opened(db, bomb, monkeypatch):
    import openpyxl.reader.excel

    def never(*args, **kwargs):
        raise AssertionError("a reader opened the file")

    monkeypatch.setattr(openpyxl.reader.excel.ExcelReader, "read", never)
    assert bomb.stat().st_size < 2 * 1024 * 1024
    with pytest.raises(XLSFormError, match=r"small.xlsx is packed small, but opening it would need 208 MB\. "
                                           r"The form file can need at most 200 MB, so it was not opened\."):
        import_xlsform(db, bomb, "t")
    survey_id = store.create_survey(db, "S")
    version_id = store.create_version(db, survey_id)
    store.add_question(db, version_id, name="q", type="text", wording="Hi?")
    store.set_version_status(db, version_id, "published")
    with pytest.raises(InvalidInput, match="opening it would need 208 MB"):
        import_responses(db, bomb, version_id, as_admin(db))
    assert store.database_summary(db)["interview"] == 0 and len(store.list_surveys(db)) == 1


def test_a_packed_file_with_another_name_is_checked_too(tmp_path):
    renamed = packed_bomb(tmp_path / "answers.csv", unpacked=3 * 1024 * 1024)
    with pytest.raises(InvalidInput, match="would need 3 MB"):
        check_input_file(renamed, what="the answers file", max_unpacked_bytes=2 * 1024 * 1024)
    check_input_file(renamed, what="the answers file")  # within the real limit


def test_the_command_line_refuses_it_with_exit_2_and_changes_nothing(tmp_path, bomb):
    database = tmp_path / "s.db"
    subprocess.run([sys.executable, "-m", "surveys", "init", "--db", str(database)], cwd=ROOT, check=True,
                   capture_output=True)
    result = subprocess.run([sys.executable, "-m", "surveys", "import-xlsform", "--db", str(database), str(bomb)],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 2
    assert result.stderr.startswith("Error: small.xlsx is packed small, but opening it would need 208 MB.")
    db = open_database(database)
    assert store.list_surveys(db) == []
    db.conn.close()


def test_a_broken_show_if_expression_is_refused_with_its_row(db, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "survey"
    for row in (["type", "name", "label", "relevant"], ["text", "a", "First?", ""],
                ["text", "b", "Second?", "${a} = = 'x'"]):
        sheet.append(row)
    book.save(tmp_path / "broken.xlsx")
    with pytest.raises(XLSFormError) as refused:
        import_xlsform(db, tmp_path / "broken.xlsx", "t")
    assert str(refused.value) == (
        "broken.xlsx has a mistake, so nothing was imported. Row 3 (b): the rule in the 'relevant' column is not "
        "written correctly: a value is missing near \"= 'x'\". The rule is: ${a} = = 'x'")
    assert store.list_surveys(db) == []
