"""Admin: accounts, personal details, erasing a respondent, who did what, data in and out, settings."""

import datetime as dt
from pathlib import Path

import streamlit as st

from surveys import accounts, downloads, erasure, privacy
from surveys.storage import StorageError, schema_status
from surveys.storage import core as store
from ui.auth import escape_markdown
from ui.common import ROLE_LABELS, db_path, get_db, page_header, require_role, version_label

st.set_page_config(page_title="Admin – Peer Survey Studio", page_icon="🔧", layout="wide")
db = get_db()
user = require_role(db, "admin")
page_header("Admin", "Accounts, personal details, erasing answers, and a record of who did what.")

# Library calls take the signed-in account, read from the database on this run: never a role string.
actor = user["actor"]


def count(number: int, word: str) -> str:
    """Return "1 interview" or "3 interviews": plain words need the right plural."""
    return f"{number:,} {word}" if number == 1 else f"{number:,} {word}s"


for key, default in (("admin_privacy_report", None), ("admin_message", None)):
    st.session_state.setdefault(key, default)
# A message saved before a rerun is shown once, after it.
if st.session_state["admin_message"]:
    st.success(st.session_state["admin_message"])
    st.session_state["admin_message"] = None

# The open tab is kept in session state, so a save that reruns the page stays on the same tab.
tab_people, tab_privacy, tab_erase, tab_log, tab_data, tab_settings = st.tabs(
    ["People and accounts", "Personal details", "Erase a respondent", "Who did what", "Data in and out", "Settings"],
    key="admin_tab", on_change="rerun",
)

# ---- People and accounts ------------------------------------------------------------------------
with tab_people:
    account_rows = accounts.list_accounts(db)
    if account_rows:
        st.dataframe(
            [
                {
                    "Sign-in name": a["username"],
                    "Name": a["display_name"],
                    "Kind of account": accounts.ROLE_LABELS[a["role"]],
                    "State": "On" if a["active"] else "Turned off",
                    "Made on": a["created_at"][:10],
                }
                for a in account_rows
            ],
            hide_index=True,
            width="stretch",
        )
    else:
        st.info("There are no accounts yet.")

    st.header("Make an account")
    with st.form("admin_new_account_form", clear_on_submit=True):
        new_name = st.text_input("Name, as others will see it", key="admin_new_name")
        new_username = st.text_input("Sign-in name", key="admin_new_username")
        # Interviewer first: most accounts are, and an admin made by a slip could change anything.
        new_role = st.selectbox("Kind of account", accounts.ACCOUNT_ROLES, format_func=accounts.ROLE_LABELS.get,
                                index=accounts.ACCOUNT_ROLES.index("interviewer"), key="admin_new_role")
        new_person_role = st.selectbox("Their part in the project", list(ROLE_LABELS), format_func=ROLE_LABELS.get,
                                       index=None, placeholder="Pick one, or leave it to match the kind of account",
                                       key="admin_new_person_role")
        new_password = st.text_input("Password", type="password", key="admin_new_password",
                                     help=f"At least {accounts.MIN_PASSWORD_LENGTH} letters, numbers or signs.")
        new_again = st.text_input("Password again", type="password", key="admin_new_password_again")
        if st.form_submit_button("Make the account", key="admin_new_submit"):
            if new_password != new_again:
                st.error("The two passwords are not the same. Type them again.")
            else:
                try:
                    accounts.create_account(db, new_username, new_password, new_role, new_name, actor,
                                            person_role=new_person_role)
                    st.session_state["admin_message"] = f"The account {new_username.strip()} is made."
                    st.rerun()
                except StorageError as exc:
                    st.error(str(exc))

    if account_rows:
        st.header("Change an account")
        by_id = {a["account_id"]: a for a in account_rows}
        picked_id = st.selectbox("Account", list(by_id), key="admin_account_pick",
                                 format_func=lambda i: f"{by_id[i]['username']} ({by_id[i]['display_name']})")
        picked = by_id[picked_id]
        col_role, col_password, col_state = st.columns(3)
        with col_role:
            role = st.selectbox("Kind of account", accounts.ACCOUNT_ROLES, format_func=accounts.ROLE_LABELS.get,
                                index=accounts.ACCOUNT_ROLES.index(picked["role"]), key="admin_account_role")
            if st.button("Save the kind of account", key="admin_account_role_save"):
                try:
                    accounts.set_role(db, picked_id, role, actor)
                    st.session_state["admin_message"] = "The kind of account is saved."
                    st.rerun()
                except StorageError as exc:
                    st.error(str(exc))
        with col_password:
            reset = st.text_input("New password", type="password", key="admin_account_password")
            if st.button("Set the new password", key="admin_account_password_save"):
                try:
                    accounts.change_password(db, picked_id, reset, actor)
                    st.session_state["admin_message"] = "The new password is set. Tell the person face to face."
                    st.rerun()
                except StorageError as exc:
                    st.error(str(exc))
        with col_state:
            st.write("This account is on." if picked["active"] else "This account is turned off.")
            if picked["active"]:
                if st.button("Turn off this account", key="admin_account_toggle"):
                    try:
                        accounts.disable_account(db, picked_id, actor)
                        st.session_state["admin_message"] = "The account is turned off. It cannot sign in now."
                        st.rerun()
                    except StorageError as exc:
                        st.error(str(exc))
            elif st.button("Turn this account back on", key="admin_account_toggle"):
                try:
                    accounts.enable_account(db, picked_id, actor)
                    st.session_state["admin_message"] = "The account is on again."
                    st.rerun()
                except StorageError as exc:
                    st.error(str(exc))

# ---- Personal details ---------------------------------------------------------------------------
with tab_privacy:
    st.write("Open answers and interviewer notes can hold names, phone numbers, email addresses, "
             "postcodes, National Insurance numbers and dates of birth. Only an admin sees them here. "
             "Everyone else, and every export, sees them hidden, like [name] or [phone].")
    if not privacy.names_available():
        st.warning("The language model is not installed, so names are not found. Other details still are.")
    versions = store.list_versions(db)
    by_version = {v["id"]: v for v in versions}
    scan_version = st.selectbox("Which answers", [None, *by_version], key="admin_privacy_version",
                                format_func=lambda i: "All survey versions" if i is None else version_label(by_version[i]))
    if st.button("Look for personal details", key="admin_privacy_scan"):
        with st.spinner("Reading the answers..."):
            st.session_state["admin_privacy_report"] = privacy.personal_details_report(db, user["actor"], scan_version)
    report = st.session_state["admin_privacy_report"]
    if report is not None:
        if not report:
            st.success("No personal details were found.")
        else:
            st.write(f"Found {count(len(report), 'personal detail')}.")
            st.dataframe(
                [
                    {"Code": r["respondent_code"], "Version": r["version"], "Question": r["question"],
                     "Where": "Answer" if r["field"] == "answer" else "Note", "Kind": r["kind_label"],
                     "Found": r["found"]}
                    for r in report
                ],
                hide_index=True,
                width="stretch",
            )
            answer_ids = list(dict.fromkeys(r["answer_id"] for r in report))
            first = {aid: next(r for r in report if r["answer_id"] == aid) for aid in answer_ids}
            to_mask = st.selectbox(
                "Hide the details in one answer for good", answer_ids, key="admin_privacy_answer",
                format_func=lambda aid: f"{first[aid]['respondent_code']} – {first[aid]['question']}",
            )
            if st.button("Hide the details in this answer", key="admin_privacy_mask"):
                try:
                    hidden = privacy.mask_answer(db, to_mask, actor)
                    st.session_state["admin_privacy_report"] = None
                    st.session_state["admin_message"] = f"Hid {count(sum(hidden.values()), 'detail')} in that answer."
                    st.rerun()
                except StorageError as exc:
                    st.error(str(exc))

# ---- Erase a respondent -------------------------------------------------------------------------
with tab_erase:
    st.write("When someone asks, erase everything held about them: all their interviews and answers. "
             "This cannot be undone. The record of who did what keeps only the code, the counts and the reason.")
    code = st.text_input("Respondent code", key="admin_erase_code")
    code_again = st.text_input("Type the code again", key="admin_erase_code_again")
    reason = st.text_area("Why are you erasing it?", key="admin_erase_reason",
                          placeholder="For example: they asked us to delete their answers.")
    if code.strip():
        try:
            preview = erasure.erasure_preview(db, code)
            st.write(f"This code has {count(preview['interviews'], 'interview')} and "
                     f"{count(preview['answers'], 'answer')}.")
        except StorageError as exc:
            st.error(str(exc))
    if st.button("Erase for good", type="primary", key="admin_erase_submit"):
        # Codes match whatever their case, as the search above does.
        if not erasure.same_code(code, code_again):
            st.error("The two codes are not the same. Type the code twice, the same both times.")
        else:
            try:
                done = erasure.erase_respondent(db, code, actor, reason)
                st.session_state["admin_message"] = (
                    f"Erased {count(done['interviews'], 'interview')} and {count(done['answers'], 'answer')} for "
                    f"{done['respondent_code']}. Erase it on other laptops and in old backups too."
                    + ("" if done["wiped"] else
                       " Someone else had the data open, so a last copy is still in a working file of the "
                       "database. It is wiped the next time the app opens the database.")
                )
                for key in ("admin_erase_code", "admin_erase_code_again", "admin_erase_reason"):
                    st.session_state.pop(key, None)
                st.rerun()
            except StorageError as exc:
                st.error(str(exc))

# ---- Who did what -------------------------------------------------------------------------------
with tab_log:
    st.write("Every change, sign-in, export, merge and erasure is kept here. No one can change or delete it.")
    choices = accounts.audit_choices(db)
    # Older entries name an interviewer by their id: show their name in the menu too.
    who_names = accounts.names_for(db, choices["actors"])
    col_action, col_actor, col_from, col_to = st.columns(4)
    action = col_action.selectbox("What", [None, *choices["actions"]], key="admin_audit_action",
                                  format_func=lambda a: "Everything" if a is None else a)
    who = col_actor.selectbox("Who", [None, *choices["actors"]], key="admin_audit_actor",
                              format_func=lambda a: "Everyone" if a is None else who_names.get(a, a))
    first_day = col_from.date_input("From", value=None, key="admin_audit_from")
    last_day = col_to.date_input("To", value=None, key="admin_audit_to")
    entries = accounts.audit_log(db, action=action, actor=who, first_day=first_day, last_day=last_day)
    if not entries:
        st.info("Nothing matches.")
    else:
        view = accounts.audit_log_view(db, entries)
        st.dataframe(
            [
                {"When": e["when"], "Who": e["who"], "What": e["what"], "Record": e["record"],
                 "Before": e["before"], "After": e["after"]}
                for e in view
            ],
            hide_index=True,
            width="stretch",
            key="admin_audit_table",
        )
        file_name = f"who-did-what-{dt.date.today()}.csv"
        st.download_button(
            "Download this list", key="admin_audit_download", file_name=file_name, mime=downloads.CSV_MIME,
            # Made and logged when clicked, after checking again that this account is still an admin.
            data=downloads.logged_download(db_path(), user["actor"], "the record of who did what", file_name,
                                           lambda rows=view: accounts.audit_view_csv(rows), rows=len(view),
                                           roles=("admin",)),
            on_click="ignore",
        )

# ---- Data in and out ----------------------------------------------------------------------------
with tab_data:
    if (Path(__file__).resolve().parents[1] / "ui" / "transfer_panels.py").exists():
        from ui import transfer_panels

        forms, answers, laptops, backups = st.tabs(["Survey forms", "Answers", "Join laptops", "Backup"],
                                                   key="admin_data_tab", on_change="rerun")
        with forms:
            transfer_panels.xlsform_import_panel(db, user)
        with answers:
            transfer_panels.responses_panel(db, user)
        with laptops:
            transfer_panels.merge_panel(db, user)
        with backups:
            transfer_panels.backup_panel(db, user)
    else:
        st.info("Bringing data in and taking it out is not ready yet.")

# ---- Settings -----------------------------------------------------------------------------------
with tab_settings:
    st.write(f"All the data is kept in one file on this laptop: {escape_markdown(str(db_path()))}.")
    status = schema_status(db)
    if status["pending"]:
        st.warning(f"The data file needs {count(len(status['pending']), 'update')} from this version of the app. "
                   "Close the app and open it again to make them.")
    else:
        st.write("The data file is up to date with this version of the app.")

    st.header("Respondent codes")
    st.session_state.setdefault("admin_code_pattern", accounts.respondent_code_pattern(db))
    pattern = st.text_input("Pattern every respondent code should match", key="admin_code_pattern",
                            help="The interview page warns when a code does not match this pattern.")
    if st.button("Save the pattern", key="admin_code_pattern_save"):
        try:
            accounts.set_respondent_code_pattern(db, pattern, actor)
            st.session_state["admin_message"] = "The pattern is saved."
            st.rerun()
        except StorageError as exc:
            st.error(str(exc))

    st.header("Signing out when idle")
    st.session_state.setdefault("admin_idle_minutes", accounts.idle_minutes(db))
    minutes = st.number_input("Sign people out after this many minutes with nothing done", min_value=1,
                              max_value=24 * 60, step=5, key="admin_idle_minutes")
    if st.button("Save the minutes", key="admin_idle_minutes_save"):
        try:
            accounts.set_idle_minutes(db, int(minutes), actor)
            st.session_state["admin_message"] = "The minutes are saved."
            st.rerun()
        except StorageError as exc:
            st.error(str(exc))

    st.header("Single-laptop setting")
    st.write("For one researcher working alone on their own laptop. When it is on, the app opens "
             "without asking to sign in. It works only while there is just one account, an admin one. "
             "Anyone who opens the laptop can then see every answer, so keep the laptop locked.")
    is_on = accounts.single_user_mode(db)
    st.write("The single-laptop setting is on." if is_on else "The single-laptop setting is off.")
    if st.button("Turn it off" if is_on else "Turn it on", key="admin_single_user_toggle"):
        try:
            accounts.set_single_user_mode(db, not is_on, actor)
            st.session_state["admin_message"] = "The single-laptop setting is saved."
            st.rerun()
        except StorageError as exc:
            st.error(str(exc))
