"""What every part of the Design page shares: the chosen version and questions, the checker,
and how an action runs (refused saves, errors and messages kept for the next run).

Session-state keys start with "design_". Messages and errors are kept in the session by the
button callbacks and shown where the person is looking, always as escaped text.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import streamlit as st
from sqlite_utils import Database

from surveys import codesign
from surveys.checks import get_checker
from surveys.safe_markdown import escape_markdown
from surveys.storage import StorageError, glossary
from surveys.storage.codesign import StaleSave
from ui.common import get_db

esc = escape_markdown


@st.cache_resource(show_spinner="Getting the question checker ready…")
def _checker(terms: glossary.GroupTerms):
    """Return the checker for this group's glossary (one per set of terms)."""
    return get_checker(terms)


@dataclass
class Design:
    """The page as drawn in this run: database, who is signed in, the version and its questions."""

    db: Database
    user: dict
    version: dict
    questions: list[dict]
    question: dict | None = None
    terms: glossary.GroupTerms = field(default=None)  # type: ignore[assignment]

    @property
    def actor(self):
        """Return the signed-in accounts.Actor that library functions take."""
        return self.user["actor"]

    @property
    def is_draft(self) -> bool:
        return self.version["status"] == "draft"

    @property
    def by_id(self) -> dict[str, dict]:
        return {q["id"]: q for q in self.questions}

    def group_terms(self) -> glossary.GroupTerms:
        """Return the group's own word list (read once per run)."""
        if self.terms is None:
            self.terms = glossary.group_terms(self.db)
        return self.terms

    def checker(self):
        """Return the checker with the group's own words on top of the shipped lists."""
        return _checker(self.group_terms())


def flash(message: str) -> None:
    """Keep a message to show at the top of the page on the next run."""
    st.session_state["design_flash"] = message


def show_flash() -> None:
    """Show the message kept by the last action, once."""
    if "design_flash" in st.session_state:
        st.success(esc(st.session_state.pop("design_flash")))


def fail(where: str, message: str) -> None:
    """Keep an error to show beside the form WHERE on the next run."""
    st.session_state[f"design_error_{where}"] = message


def show_error(where: str) -> None:
    """Show (once) the error kept for the form WHERE, as text: typed words never become links."""
    message = st.session_state.pop(f"design_error_{where}", None)
    if message:
        st.error(esc(message))


def run(where: str, action: Callable[[Database], Any], *, success: str = "", clear: tuple[str, ...] = (),
        after: Callable[[Any], None] | None = None, conflict: Callable[[StaleSave], dict] | None = None) -> None:
    """Run ACTION on a fresh connection (a button callback); on success show SUCCESS, clear the
    form's CLEAR keys and call AFTER; on a refused save keep CONFLICT's details; else keep the error.
    """
    db = get_db()
    try:
        result = action(db)
    except StaleSave as exc:
        details = conflict(exc) if conflict else {}
        st.session_state[f"design_conflict_{where}"] = {
            "message": str(exc), "mine": exc.mine, "theirs": exc.theirs, "by": exc.by,
            "revision": exc.revision, **details,
        }
        return
    except (StorageError, ValueError) as exc:
        fail(where, str(exc))
        return
    finally:
        db.conn.close()
    for key in clear:
        st.session_state.pop(key, None)
    st.session_state.pop(f"design_conflict_{where}", None)
    if success:
        flash(success)
    if after is not None:
        after(result)
    keep_place()


def keep_place() -> None:
    """Carry the chosen question and proposal over to the next run.

    A menu's choice is matched by its label, and labels show the wording and state, which may
    just have changed: the ids are put back before the menus are drawn.
    """
    for key in ("design_question", "design_proposal"):
        if key in st.session_state:
            st.session_state.setdefault(f"{key}_next", st.session_state[key])


def attempt(where: str, action: Callable[..., Any], *args, **kwargs) -> Any:
    """Return ACTION's result, or keep its plain-words error for WHERE and return None."""
    try:
        return action(*args, **kwargs)
    except (StorageError, ValueError) as exc:
        fail(where, str(exc))
        return None


def set_state(key: str, value: Any) -> None:
    """Set a value; used as a button callback so it runs before the widget is drawn."""
    st.session_state[key] = value


def person_label(person: dict) -> str:
    """Return a person as menus name them: name and part in the project."""
    return f"{person['display_name']} ({codesign.PERSON_ROLE_LABELS.get(person['role'], person['role'])})"


def heading_text(text: str) -> str:
    """Return typed text escaped and on one line: a line break would end a Markdown heading."""
    return esc(" ".join((text or "").split()))


__all__ = ["Design", "attempt", "esc", "fail", "flash", "heading_text", "keep_place", "person_label", "run",
           "set_state", "show_error", "show_flash"]
