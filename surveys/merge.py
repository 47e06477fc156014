"""Laptop merge: bring the surveys, interviews and answers of another laptop's database into this one.

Rows travel by their UUID. A row that is new here is added. A row that is on both laptops but
differs is settled the same way whichever laptop is merged first: the later edit wins (for
answers and interviews by `updated_at`), with a fixed tie-break, and the choice is logged.
Audit entries are merged by their content, and nothing is logged when nothing changed, so
merging the same file twice is the same as merging it once. Erasures travel too: an
interview erased on either laptop does not come back.
"""

from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from sqlite_utils import Database

from surveys.accounts import Actor, check_actor
from surveys.backup import Progress
from surveys.erasure import forget_interviews, wipe_write_ahead_file
from surveys.storage import StorageError, audit, checkpoint_wal, redact_audit_entries, savepoint, write_transaction
from surveys.storage import accounts as account_store
from surveys.storage import transfer as transfer_store

STATUS_RANK = {"draft": 0, "published": 1, "retired": 2}
TABLE_WORDS = {
    "survey": "surveys",
    "person": "people",
    "survey_version": "survey versions",
    "question": "questions",
    "interview": "interviews",
    "answer": "answers",
    "proposal": "suggested wordings",
    "proposal_comment": "comments",
    "proposal_reaction": "reactions",
    "wording_history": "wording changes",
    "glossary_term": "glossary words",
    "flag_dismissal": "dismissed flags",
    "version_language": "survey languages",
    "question_translation": "translations",
}
# Parents before children; questions before versions so that a published version arriving
# from the other laptop can still receive its questions (published versions refuse new ones).
# Languages and translations come before versions too: a published version refuses them.
MERGE_ORDER = ("survey", "person", "question", "question_translation", "version_language", "survey_version",
               "interview", "answer", "proposal", "proposal_comment", "proposal_reaction", "wording_history",
               "glossary_term", "flag_dismissal")


class MergeRefused(StorageError):
    """A database that cannot be merged, told in plain words. Nothing was changed."""


@dataclass
class MergeSummary:
    """What a merge did: rows added and settled per table, audit entries added, and what was left out."""

    source: str
    added: dict[str, int] = field(default_factory=dict)
    settled: dict[str, int] = field(default_factory=dict)
    audit_entries: int = 0
    erased_interviews: int = 0
    left_out: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        """Return True when the merge changed anything at all."""
        return bool(sum(self.added.values()) or sum(self.settled.values()) or self.audit_entries
                    or self.erased_interviews)

    def lines(self) -> list[str]:
        """Return the summary as plain sentences."""
        if not self.changed and not self.left_out:
            return [f"Nothing new in {self.source}: this laptop already has all of it."]
        out = []
        added = [f"{n} {TABLE_WORDS.get(t, t)}" for t, n in self.added.items() if n]
        if added:
            out.append("Added " + ", ".join(added) + f" from {self.source}.")
        settled = [f"{n} {TABLE_WORDS.get(t, t)}" for t, n in self.settled.items() if n]
        if settled:
            out.append("Changed on both laptops, so the later change was kept: " + ", ".join(settled) + ".")
        if self.audit_entries:
            out.append(f"Added {self.audit_entries} entries to the record of who did what.")
        if self.erased_interviews:
            out.append(f"Removed {self.erased_interviews} interviews that were erased on one of the laptops.")
        out += self.left_out
        return out

    def as_dict(self) -> dict:
        """Return the summary as a plain dict, for the audit log and the command line."""
        return {"source": self.source, "added": {k: v for k, v in self.added.items() if v},
                "settled": {k: v for k, v in self.settled.items() if v}, "audit_entries": self.audit_entries,
                "erased_interviews": self.erased_interviews, "left_out": self.left_out}


def _row_key(table: str, row: dict) -> tuple:
    """Return the sort key that picks the winner of a row changed on both laptops: biggest wins.

    The same key on both laptops, so the result does not depend on which is merged first.
    """
    content = json.dumps(row, sort_keys=True, default=str)
    if table == "survey_version":
        return (STATUS_RANK.get(row.get("status"), 0), row.get("published_at") or "", content)
    stamp = row.get("updated_at") or row.get("decided_at") or row.get("changed_at") or row.get("created_at") or ""
    return (stamp, content)


def _conflict_note(table: str, loser: dict, winner: dict) -> tuple[dict, dict]:
    """Return (old, new) for the audit log: when each side changed, never what a person said."""
    keys = ("updated_at", "status", "published_at", "decided_at")
    return ({k: loser.get(k) for k in keys if k in loser}, {k: winner.get(k) for k in keys if k in winner})


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def _main_path(db: Database) -> Path | None:
    row = db.execute("PRAGMA database_list").fetchall()
    for _, name, file in row:
        if name == "main" and file:
            return Path(file)
    return None


MERGE_CACHE_KIB = 256 * 1024


def merge_databases(src_path: str | os.PathLike, dst_db: Database, actor: Actor,
                    progress: Progress | None = None) -> MergeSummary:
    """Return what was merged from the database at SRC_PATH into DST_DB, all in one transaction.

    Only an admin (ACTOR, checked again in the database) may merge. Refuses a file that is not
    a Peer Survey Studio database, one from a newer version of the app, or the same file as
    DST_DB; then nothing changes. PROGRESS, when given, is told how far it has got, in words.
    """
    say = progress or (lambda _share, _words: None)
    actor = check_actor(dst_db, actor, "admin")
    src_path = Path(src_path)
    say(0.0, "Checking the file from the other laptop")
    transfer_store.check_database_file(src_path)
    here = _main_path(dst_db)
    if here is not None and _same_file(src_path, here):
        raise MergeRefused("That is this laptop's own database. Pick the database from the other laptop.")
    summary = MergeSummary(source=src_path.name)
    transfer_store.attach_source(dst_db, src_path)
    # A big page cache for the one long transaction: answers go into six indexes in random
    # (UUID) order, and a small cache writes the same pages out again and again.
    cache = dst_db.execute("PRAGMA cache_size").fetchone()[0]
    dst_db.execute(f"PRAGMA cache_size = -{MERGE_CACHE_KIB}")
    # Erasures from the other laptop overwrite what they delete, whatever this connection's setting.
    secure = dst_db.execute("PRAGMA secure_delete").fetchone()[0]
    dst_db.execute("PRAGMA secure_delete = ON")
    tables = [t for t in MERGE_ORDER
              if transfer_store.table_exists(dst_db, t) and transfer_store.table_exists(dst_db, t, "src")]
    try:
        with write_transaction(dst_db):
            # A laptop with no questions, interviews or answers yet can take the other's running totals.
            fresh = all(transfer_store.table_is_empty(dst_db, t) for t in ("question", "interview", "answer"))
            # Checked at commit, so a version can arrive after its questions within this merge.
            dst_db.execute("PRAGMA defer_foreign_keys = ON")
            say(0.05, "Removing what was erased on either laptop")
            _apply_erasures(dst_db, summary)
            for number, table in enumerate(tables):
                say(0.1 + 0.75 * number / len(tables), f"Bringing in {TABLE_WORDS.get(table, table)}")
                _merge_table(dst_db, table, summary, actor.name, fresh=fresh)
            say(0.85, "Bringing in the record of who did what")
            summary.audit_entries = transfer_store.audit_rows_only_in_source(dst_db)
            _blank_erased_audit_values(dst_db)
            if summary.changed:
                audit(dst_db, actor.name, "merge database", "", "", None, summary.as_dict())
            say(0.9, "Saving")
    except sqlite3.DatabaseError as exc:
        raise MergeRefused(f"The merge stopped and nothing was changed: {exc}.") from exc
    finally:
        dst_db.execute(f"PRAGMA cache_size = {cache}")
        dst_db.execute(f"PRAGMA secure_delete = {int(secure)}")
        transfer_store.detach_source(dst_db)
    say(0.95, "Tidying up")
    # Fold the merged pages into the database file now, so the next save does not pay for it;
    # after an erasure this also wipes the last copy of erased words from the write-ahead file.
    if not summary.erased_interviews:
        checkpoint_wal(dst_db, attempts=1)
    elif not wipe_write_ahead_file(dst_db):
        summary.left_out.append(
            "Someone else had the data open, so the last copy of the erased answers is still in a working "
            "file of the database. It is wiped the next time the app opens the database.")
    say(1.0, "Done")
    return summary


def _apply_erasures(db: Database, summary: MergeSummary) -> None:
    """Remove interviews here that were erased on the other laptop (started before that erasure).

    They go the way a local erasure goes: with every row about them, and with this laptop's
    own log entries about them blanked.
    """
    ours = set(transfer_store.erasures(db, "main"))
    theirs: dict[str, str] = {}
    for key, when in transfer_store.erasures(db, "src"):
        if (key, when) not in ours:
            theirs[key] = max(theirs.get(key, ""), when)
    interviews, _ = forget_interviews(db, transfer_store.erased_interview_ids(db, theirs, "main"))
    summary.erased_interviews += interviews


def _blank_erased_audit_values(db: Database) -> None:
    """Blank log values about the other laptop's copies of erased interviews, as erasure does here."""
    interviews = transfer_store.erased_interview_ids(db, _erased_here(db), "src")
    if interviews:
        answers = account_store.answer_ids_for_interviews(db, interviews, "src")
        redact_audit_entries(db, account_store.audit_ids_about(db, interviews, answers))


def _erased_here(db: Database) -> dict[str, str]:
    """Return {code fingerprint: latest erasure time} from both laptops' audit logs."""
    latest: dict[str, str] = {}
    for key, when in transfer_store.erasures(db, "main") + transfer_store.erasures(db, "src"):
        latest[key] = max(latest.get(key, ""), when)
    return latest


def _merge_table(db: Database, table: str, summary: MergeSummary, actor: str, *, fresh: bool = False) -> None:
    columns = transfer_store.shared_columns(db, table)
    none_here = transfer_store.table_is_empty(db, table)
    # Clashes first: a row only the other laptop has cannot clash, so when this side has none
    # of the table there is nothing to compare, and the new rows go in with one INSERT ... SELECT.
    settled = 0 if none_here else _settle_clashes(db, table, columns, summary, actor)
    if table == "answer":
        added, left = transfer_store.answers_only_in_source(db, columns, none_here=none_here, fresh_laptop=fresh)
        if left:
            summary.left_out.append(
                f"{left} answers were not added, because their interview was erased or their question "
                "could not be added. The other laptop still has them."
            )
    else:
        erased = _erased_here(db) if table == "interview" else {}
        try:
            # A statement that breaks a rule is undone whole by SQLite, so nothing half-added stays.
            added = transfer_store.add_rows_only_in_source(db, table, columns, erased)
        except sqlite3.IntegrityError:
            added = _add_rows_one_by_one(db, table, columns, erased, summary)
    summary.added[table] = added
    summary.settled[table] = settled


def _add_rows_one_by_one(db: Database, table: str, columns: list[str], erased: dict[str, str],
                         summary: MergeSummary) -> int:
    """Return how many rows were added one at a time, naming each row that breaks a rule."""
    added = 0
    for row in transfer_store.rows_only_in_source(db, table, columns, erased):
        try:
            transfer_store.insert_row(db, table, row)
            added += 1
        except sqlite3.IntegrityError as exc:
            summary.left_out.append(f"One of the {TABLE_WORDS.get(table, table)} ({row['id']}) was not added: {exc}")
    return added


def _settle_clashes(db: Database, table: str, columns: list[str], summary: MergeSummary, actor: str) -> int:
    """Return how many rows changed on both laptops were settled: the later change wins, logged once."""
    settled = 0
    pairs = transfer_store.rows_differing(db, table, columns)
    if table == "answer":
        pairs += transfer_store.answers_clashing_by_place(db, columns)
    for ours, theirs in pairs:
        if _row_key(table, theirs) <= _row_key(table, ours):
            loser, winner = theirs, ours
        else:
            loser, winner = ours, theirs
            try:
                with savepoint(db):
                    if ours["id"] == theirs["id"]:
                        transfer_store.replace_row(db, table, theirs)
                    else:
                        transfer_store.delete_row(db, table, ours["id"])
                        transfer_store.insert_row(db, table, theirs)
            except sqlite3.IntegrityError as exc:
                summary.left_out.append(
                    f"A later change to one of the {TABLE_WORDS.get(table, table)} ({theirs['id']}) "
                    f"was not taken: {exc}"
                )
                continue
            settled += 1
        old, new = _conflict_note(table, loser, winner)
        action = f"merge: kept the later {table.replace('_', ' ')}"
        record_id = winner["id"]
        # Log each settled clash once, whichever laptop won: merging again adds nothing.
        if not transfer_store.audit_entry_exists(db, action, record_id, old, new):
            audit(db, actor, action, table, record_id, old, new)
            if winner is ours:
                settled += 1
    return settled


__all__ = ["MergeRefused", "MergeSummary", "merge_databases"]
