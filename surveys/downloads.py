"""One safe writer for every download and export: CSV and Excel files with no formula cells, logged.

A spreadsheet runs a cell that starts with = + - or @ as a formula (and some also after a tab,
a carriage return or spaces): `=HYPERLINK(...)` or `=cmd|...` typed into an open answer would run
on the evaluator's computer. Every CSV and Excel file the app makes goes through this module, so
every text cell that could start a formula gets a ' in front, and every download is written in
the audit log with who took it, what and how many rows.

Pages call `logged_download(...)` to get the `data` callable for `st.download_button`: the file
is only made when someone clicks, and the click is what gets logged.
"""

from __future__ import annotations

import csv
import io
import math
import os
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from surveys.storage import audit, open_database, write_transaction

# What a formula can start with (OWASP's list), plus the full-width signs some spreadsheets accept.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
DOWNLOAD_ACTION = "download"
CSV_MIME = "text/csv"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

Sheet = tuple[str, Sequence[Any], Iterable[Sequence[Any]]]


def neutralise(value: Any) -> Any:
    """Return VALUE made safe for a spreadsheet: text that could start a formula gets a ' in front.

    Numbers, dates and empty cells are left alone, so a real -5 stays a number.
    """
    if isinstance(value, str) and value and (value.startswith(FORMULA_STARTS)
                                             or value.lstrip(" ").startswith(FORMULA_STARTS)):
        return "'" + value
    return value


def _plain(value: Any) -> Any:
    """Return VALUE as a cell: None and NaN become empty, numpy numbers become Python ones."""
    if value is None:
        return ""
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        try:
            value = value.item()
        except (TypeError, ValueError):
            value = str(value)
    if isinstance(value, float) and math.isnan(value):
        return ""
    return value


def safe_row(row: Iterable[Any]) -> list[Any]:
    """Return ROW with every cell plain and neutralised."""
    return [neutralise(_plain(cell)) for cell in row]


def frame_table(frame) -> tuple[list[str], list[list[Any]]]:
    """Return (header, rows) of a pandas DataFrame, ready for csv_bytes or xlsx_bytes."""
    header = [str(c) for c in frame.columns]
    return header, [list(row) for row in frame.itertuples(index=False, name=None)]


def _write_csv_rows(fh, header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> int:
    writer = csv.writer(fh)
    writer.writerow(safe_row(header))
    count = 0
    for row in rows:
        writer.writerow(safe_row(row))
        count += 1
    return count


def csv_bytes(header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> bytes:
    """Return a CSV file as bytes: UTF-8 with a byte-order mark (so Excel shows accents), no formulas."""
    out = io.StringIO(newline="")
    _write_csv_rows(out, header, rows)
    return out.getvalue().encode("utf-8-sig")


def write_csv(path: str | os.PathLike, header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> int:
    """Write a safe CSV file at PATH (as csv_bytes makes it); return how many rows were written."""
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        return _write_csv_rows(fh, header, rows)


def _workbook(sheets: Iterable[Sheet]):
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    for title, header, rows in sheets:
        sheet = book.create_sheet(title[:31])
        sheet.append(safe_row(header))
        for row in rows:
            # openpyxl stores a string starting with = as a formula; neutralise makes it text.
            sheet.append(safe_row(row))
    return book


def write_xlsx(path: str | os.PathLike, sheets: Iterable[Sheet]) -> None:
    """Write a safe Excel file at PATH with one sheet per (title, header, rows)."""
    _workbook(sheets).save(path)


def xlsx_bytes(sheets: Iterable[Sheet]) -> bytes:
    """Return a safe Excel file as bytes, one sheet per (title, header, rows)."""
    out = io.BytesIO()
    _workbook(sheets).save(out)
    return out.getvalue()


def table_bytes(file_name: str, header: Sequence[Any], rows: Iterable[Sequence[Any]],
                sheet: str = "Sheet1") -> bytes:
    """Return one table as a safe .csv or .xlsx file, picked by FILE_NAME's ending."""
    if Path(file_name).suffix.lower() == ".xlsx":
        return xlsx_bytes([(sheet, header, rows)])
    return csv_bytes(header, rows)


def mime_type(file_name: str) -> str:
    """Return the media type a browser needs for FILE_NAME (.csv, .xlsx, .md, .html, or any other)."""
    return {".csv": CSV_MIME, ".xlsx": XLSX_MIME, ".md": "text/markdown", ".html": "text/html",
            ".db": "application/octet-stream"}.get(Path(file_name).suffix.lower(), "application/octet-stream")


def _actor_name(actor: Any) -> str:
    return getattr(actor, "name", None) or (actor if isinstance(actor, str) else "") or ""


def log_download(db: Database, actor: Any, what: str, file_name: str, rows: int | None = None) -> None:
    """Write one "download" entry in the audit log: who (an Actor or a name), what, the file, rows."""
    new = {"what": what, "file": file_name}
    if rows is not None:
        new["rows"] = rows
    with write_transaction(db):
        audit(db, _actor_name(actor), DOWNLOAD_ACTION, "", "", None, new)


def logged_download(db_path: str | os.PathLike, actor: Any, what: str, file_name: str,
                    make: Callable[[], bytes | str], *, rows: int | None = None,
                    roles: Sequence[str] = ()) -> Callable[[], bytes]:
    """Return a callable for `st.download_button(data=...)` that makes the file and logs the download.

    MAKE builds the file's bytes (use csv_bytes, xlsx_bytes or table_bytes). The callable runs
    when someone clicks, outside the page's run, so it opens its own connection to DB_PATH.
    With ROLES, ACTOR (an accounts.Actor) is checked again at the click, so an account turned
    off since the page was drawn gets nothing.
    """

    def download() -> bytes:
        db = open_database(db_path, migrate_now=False)
        try:
            if roles:
                from surveys.accounts import check_actor

                check_actor(db, actor, *roles)
            data = make()
            log_download(db, actor, what, file_name, rows)
        finally:
            db.conn.close()
        return data.encode("utf-8") if isinstance(data, str) else data

    return download


__all__ = [
    "CSV_MIME",
    "DOWNLOAD_ACTION",
    "FORMULA_STARTS",
    "XLSX_MIME",
    "csv_bytes",
    "frame_table",
    "log_download",
    "logged_download",
    "mime_type",
    "neutralise",
    "safe_row",
    "table_bytes",
    "write_csv",
    "write_xlsx",
    "xlsx_bytes",
]
