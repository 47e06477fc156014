"""Admin page sections for moving data: survey forms, answers, joining laptops, backups.

Each panel reads widgets, calls one library function and shows the result. Text that came
from a file (names, reasons quoting cells) is shown with st.text or in tables, never as
formatted text. Session-state keys start with "admin_transfer_".

Big files: a database from another laptop or a backup can be as big as the laptop's disk
allows. It can be picked in the browser (up to the upload limit in .streamlit/config.toml) or,
for any size, by typing where it is on this laptop; a bar shows how far the work has got.
Library calls take the signed-in account (user["actor"]), never a role string.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO

import streamlit as st
from sqlite_utils import Database

from surveys import downloads
from surveys.storage import StorageError
from ui.auth import escape_markdown
from ui.common import db_path, version_label, version_picker

PREFIX = "admin_transfer_"
UPLOAD_CHUNK = 8 * 1024 * 1024
PICK_UPLOAD = "Pick the file in the browser"
PICK_PATH = "Type where the file is on this laptop"


def _state(name: str, default=None):
    st.session_state.setdefault(PREFIX + name, default)
    return st.session_state[PREFIX + name]


def _set(name: str, value) -> None:
    st.session_state[PREFIX + name] = value


def save_upload(name: str, data: bytes | IO[bytes], folder: str | Path) -> Path:
    """Return the path in FOLDER where an uploaded file was written, keeping its ending.

    DATA is the file's bytes or the uploaded file itself, copied in pieces so a big file is
    never held twice in memory.
    """
    # Keep the person's file name (it becomes the survey name of a form), minus anything unsafe.
    stem = re.sub(r"[^\w\- ]", "_", Path(name or "upload").stem).strip() or "upload"
    path = Path(folder) / f"{stem}{Path(name or '').suffix.lower()}"
    if isinstance(data, (bytes, bytearray)):
        path.write_bytes(data)
    else:
        data.seek(0)
        with open(path, "wb") as out:
            shutil.copyfileobj(data, out, UPLOAD_CHUNK)
    return path


def import_form_upload(db: Database, user: dict, name: str, data: bytes) -> list[str]:
    """Return the report lines of importing an uploaded XLSForm."""
    from surveys.xlsform import import_xlsform

    with tempfile.TemporaryDirectory() as folder:
        report = import_xlsform(db, save_upload(name, data, folder), user["name"])
    return report.lines()


def import_answers_upload(db: Database, user: dict, version_id: str, name: str, data: bytes):
    """Return the report of importing an uploaded file of answers (raises ImportFailed)."""
    from surveys.responses import import_responses

    with tempfile.TemporaryDirectory() as folder:
        return import_responses(db, save_upload(name, data, folder), version_id, user["actor"])


def merge_file(db: Database, user: dict, path: str | Path, progress=None) -> list[str]:
    """Return the summary lines of merging the laptop database at PATH into this one."""
    from surveys.merge import merge_databases

    return merge_databases(path, db, user["actor"], progress).lines()


def merge_upload(db: Database, user: dict, name: str, data: bytes | IO[bytes], progress=None) -> list[str]:
    """Return the summary lines of merging an uploaded laptop database into this one."""
    with tempfile.TemporaryDirectory() as folder:
        return merge_file(db, user, save_upload(name or "other.db", data, folder), progress)


def restore_file(user: dict, path: str | Path, progress=None) -> str:
    """Return a sentence about restoring the backup at PATH over this app's database."""
    from surveys.backup import restore

    result = restore(path, db_path(), user["actor"], progress)
    kept = f" The data as it was before is kept in {result.safety_copy.name}." if result.safety_copy else ""
    return f"The backup is back in place.{kept}"


def restore_upload(user: dict, name: str, data: bytes | IO[bytes], progress=None) -> str:
    """Return a sentence about restoring an uploaded backup over this app's database."""
    with tempfile.TemporaryDirectory() as folder:
        return restore_file(user, save_upload(name or "backup.db", data, folder), progress)


def _show_lines(lines: list[str]) -> None:
    for line in lines:
        st.text(line)


def _progress_bar() -> Callable[[float, str], None]:
    """Return a progress callback that moves a bar on the page."""
    bar = st.progress(0.0, text="Starting")

    def show(share: float, words: str) -> None:
        bar.progress(max(0.0, min(1.0, share)), text=words)

    return show


def _database_file_picker(name: str, what: str) -> tuple[str, object]:
    """Draw the two ways to pick a database file; return ("upload", file) or ("path", text)."""
    how = st.radio("How do you want to pick it?", [PICK_UPLOAD, PICK_PATH], horizontal=True,
                   key=PREFIX + name + "_how",
                   help="A very big file is quicker to pick by typing where it is on this laptop.")
    if how == PICK_PATH:
        typed = st.text_input(f"Where is the {what} on this laptop?", key=PREFIX + name + "_path",
                              placeholder="For example: /media/usb/surveys-backup.db")
        return "path", typed.strip()
    return "upload", st.file_uploader(f"The {what}", key=PREFIX + name + "_file")


def xlsform_import_panel(db: Database, user: dict) -> None:
    """Draw the survey form section: bring in a form file, save a version as a form file."""
    from surveys.xlsform import save_form

    st.header("Bring in a survey form")
    st.write("Pick a spreadsheet form made in KoboToolbox or a tool like it. It becomes a new draft survey, in "
             "every language the form has. You will see a list of what works differently here.")
    # No list of file endings: the uploader would show them as capital-letter codes nobody reads.
    upload = st.file_uploader("Form file", key=PREFIX + "form_file")
    if st.button("Bring in the form", key=PREFIX + "form_import", disabled=upload is None):
        try:
            _set("form_report", import_form_upload(db, user, upload.name, upload.getvalue()))
        except StorageError as exc:
            _set("form_report", None)
            st.error(escape_markdown(str(exc)))
    report = _state("form_report")
    if report:
        st.success("The form is in. Here is what happened:")
        _show_lines(report)

    st.header("Save a survey as a form")
    st.write("Make a spreadsheet form of a survey, to use it in KoboToolbox or a tool like it. Anything the "
             "survey kept from a form it came from goes back in.")
    version = version_picker(db, PREFIX + "form_version")
    if version is None:
        st.info("There are no surveys yet.")
        return
    if st.button("Make the form file", key=PREFIX + "form_export"):
        try:
            with tempfile.TemporaryDirectory() as folder:
                saved = save_form(db, version["id"], Path(folder) / "survey-form.xlsx")
                _set("form_file_bytes", (version["id"], saved.path.read_bytes()))
                _set("form_file_notes", saved.notes)
        except StorageError as exc:
            st.error(escape_markdown(str(exc)))
    made = _state("form_file_bytes")
    if made and made[0] == version["id"]:
        _show_lines(_state("form_file_notes") or [])
        st.download_button("Download the form file", file_name="survey-form.xlsx", mime=downloads.XLSX_MIME,
                           key=PREFIX + "form_download", on_click="ignore",
                           data=downloads.logged_download(db_path(), user["actor"], "survey form",
                                                          "survey-form.xlsx", lambda data=made[1]: data))


ANSWER_FILE_KINDS = {"Excel": ".xlsx", "Plain table": ".csv"}


def responses_panel(db: Database, user: dict) -> None:
    """Draw the answers section: export a version's answers, import a file of answers."""
    from surveys.responses import ImportFailed, export_responses

    version = version_picker(db, PREFIX + "answers_version")
    if version is None:
        st.info("There are no surveys yet, so there are no answers.")
        return
    st.header("Take answers out")
    st.text(f"Answers of: {version_label(version)}")
    kind = st.radio("Kind of file", list(ANSWER_FILE_KINDS), horizontal=True, key=PREFIX + "answers_kind",
                    help="Excel keeps the list of questions on a second sheet. A plain table opens in any "
                         "spreadsheet, and the list of questions comes as a second file.")
    identifiable = st.checkbox(
        "Leave names, phone numbers and other personal details in", key=PREFIX + "answers_identifiable",
        help="Only do this if you must. The file will hold details that can show who someone is. "
             "This is written in the record of who did what.")
    if st.button("Make the answers file", key=PREFIX + "answers_export"):
        suffix = ANSWER_FILE_KINDS.get(kind, ".xlsx")
        try:
            with tempfile.TemporaryDirectory() as folder:
                result = export_responses(db, version["id"], Path(folder) / f"answers{suffix}",
                                          identifiable=identifiable, actor=user["actor"])
                files = [(result.path.name, result.path.read_bytes())]
                if result.codebook_path:
                    files.append((result.codebook_path.name, result.codebook_path.read_bytes()))
            _set("answer_files", (version["id"], files))
            st.success(f"The file holds {result.interviews} interviews and {result.answers} answers.")
        except StorageError as exc:
            st.error(escape_markdown(str(exc)))
    made = _state("answer_files")
    if made and made[0] == version["id"]:
        for index, (name, data) in enumerate(made[1]):
            st.download_button(f"Download {name}", file_name=name, mime=downloads.mime_type(name),
                               key=f"{PREFIX}answers_download_{index}", on_click="ignore",
                               data=downloads.logged_download(db_path(), user["actor"], "answers", name,
                                                              lambda data=data: data))

    st.header("Bring answers in")
    st.write("Pick a spreadsheet file of answers, with one column for each question name. "
             "If any row has a mistake, nothing comes in, and you see which rows to fix.")
    upload = st.file_uploader("Answers file", key=PREFIX + "answers_file")
    if st.button("Bring in the answers", key=PREFIX + "answers_import", disabled=upload is None):
        try:
            report = import_answers_upload(db, user, version["id"], upload.name, upload.getvalue())
            st.success(escape_markdown(report.summary()))
        except ImportFailed as exc:
            st.error(escape_markdown(f"Nothing came in from {exc.report.file}. Fix these rows and try again."))
            st.dataframe([{"Row": row, "What is wrong": reason} for row, reason in exc.report.problems],
                         hide_index=True, width="stretch", key=PREFIX + "answers_problems")
        except StorageError as exc:
            st.error(escape_markdown(str(exc)))


def merge_panel(db: Database, user: dict) -> None:
    """Draw the join-laptops section: bring in another laptop's database, of any size."""
    st.header("Join the answers from another laptop")
    st.write("Pick the database file from the other laptop. New surveys, interviews and answers come in. "
             "Doing it twice is safe: nothing comes in twice. If an answer was changed on both laptops, "
             "the later change is kept.")
    how, picked = _database_file_picker("merge", "file from the other laptop")
    if st.button("Join the data", key=PREFIX + "merge_run", disabled=not picked):
        show = _progress_bar()
        try:
            if how == "path":
                lines = merge_file(db, user, Path(picked).expanduser(), show)
            else:
                lines = merge_upload(db, user, picked.name, picked, show)
            _set("merge_lines", lines)
        except StorageError as exc:
            _set("merge_lines", None)
            st.error(escape_markdown(str(exc)))
    lines = _state("merge_lines")
    if lines:
        st.success("Done.")
        _show_lines(lines)


def backup_panel(db: Database, user: dict) -> None:
    """Draw the backup section: download or save a backup, put a backup back (any size)."""
    from surveys.backup import backup, backup_bytes, default_backup_name

    st.header("Make a backup")
    st.write("A backup is a copy of all the data. Keep it somewhere safe, such as a locked drive.")
    if st.button("Make a backup", key=PREFIX + "backup_make"):
        try:
            _set("backup", (default_backup_name(), backup_bytes(db_path())))
            from surveys.storage import audit, write_transaction

            with write_transaction(db):
                audit(db, user["name"], "make backup", "", "", None, {"file": _state("backup")[0]})
        except StorageError as exc:
            st.error(escape_markdown(str(exc)))
    made = _state("backup")
    if made:
        st.download_button("Download the backup", file_name=made[0], mime="application/octet-stream",
                           key=PREFIX + "backup_download", on_click="ignore",
                           data=downloads.logged_download(db_path(), user["actor"], "backup", made[0],
                                                          lambda data=made[1]: data, roles=("admin",)))
    folder = st.text_input("Or save the backup in a folder on this laptop", key=PREFIX + "backup_folder",
                           placeholder="For example: /media/usb",
                           help="Best for a big database: the backup goes straight into that folder.")
    if st.button("Save the backup there", key=PREFIX + "backup_save", disabled=not folder.strip()):
        try:
            out = backup(db_path(), Path(folder.strip()).expanduser() / default_backup_name())
            from surveys.storage import audit, write_transaction

            with write_transaction(db):
                audit(db, user["name"], "make backup", "", "", None, {"file": str(out)})
            st.success(escape_markdown(f"Saved the backup as {out}."))
        except StorageError as exc:
            st.error(escape_markdown(str(exc)))

    st.header("Put a backup back")
    st.warning("This puts the backup in place of all the data now. A copy of the data now is kept first.")
    how, picked = _database_file_picker("restore", "backup file")
    sure = st.checkbox("I understand: the data now will be replaced by the backup", key=PREFIX + "restore_sure")
    if st.button("Put the backup back", key=PREFIX + "restore_run", disabled=not picked or not sure):
        show = _progress_bar()
        try:
            if how == "path":
                st.success(escape_markdown(restore_file(user, Path(picked).expanduser(), show)))
            else:
                st.success(escape_markdown(restore_upload(user, picked.name, picked, show)))
        except StorageError as exc:
            st.error(escape_markdown(str(exc)))


__all__ = [
    "backup_panel",
    "import_answers_upload",
    "import_form_upload",
    "merge_file",
    "merge_panel",
    "merge_upload",
    "responses_panel",
    "restore_file",
    "restore_upload",
    "save_upload",
    "xlsform_import_panel",
]
