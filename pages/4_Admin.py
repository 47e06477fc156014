"""Admin: where the data lives, and the record of who did what."""

import streamlit as st

from surveys.storage import audit_entries, schema_status
from ui.common import require_role, db_path, get_db, page_header

st.set_page_config(page_title="Admin – Peer Survey Studio", page_icon="🔧", layout="wide")
db = get_db()
user = require_role(db, "admin")
page_header("Admin", "Where the data is kept, and a record of who did what.")

st.write(f"The database is the file `{db_path()}`.")
status = schema_status(db)
st.write(f"Database layout: {len(status['applied'])} changes made, {len(status['pending'])} still to do.")

st.subheader("Who did what")
entries = audit_entries(db, limit=200)
if not entries:
    st.info("Nothing has been done yet.")
else:
    st.dataframe(
        [{"When": e["at"], "Who": e["actor"], "What": e["action"], "Record": e["record_id"]} for e in entries],
        hide_index=True,
        width="stretch",
    )
