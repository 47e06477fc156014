"""The schema, created and changed only by the migrations registered here.

Each migration is recorded in the ``_sqlite_migrations`` table by sqlite-utils, so applying
them twice is a no-op. Add new migrations at the end with a new name; never edit one that
has shipped, because databases out in the field have already run it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

MIGRATION_SET = "peer_survey_studio"
migrations = Migrations(MIGRATION_SET)

QUESTION_TYPES = (
    "text",
    "long_text",
    "single_choice",
    "multiple_choice",
    "scale",
    "yes_no",
    "number",
    "date",
    "note",
)
VERSION_STATUSES = ("draft", "published", "retired")
PERSON_ROLES = (
    "peer_researcher",
    "staff",
    "lived_experience",
    "interviewer",
    "evaluator",
    "admin",
)
OPT_OUTS = ("skipped", "dont_know", "prefer_not_to_say")
SHOW_IF_OPERATORS = ("equals", "not_equals", "any_of", "none_of", "greater_than", "less_than", "answered")


def _in(values: tuple[str, ...]) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


@migrations(name="0001_core")
def core(db: Database) -> None:
    """Surveys, versions, questions, people, interviews, answers and the audit log."""
    db.execute(
        """
        CREATE TABLE survey (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL CHECK (length(trim(name)) > 0),
            description TEXT NOT NULL DEFAULT '',
            synthetic INTEGER NOT NULL DEFAULT 0 CHECK (synthetic IN (0, 1)),
            created_at TEXT NOT NULL
        )"""
    )
    db.execute(
        f"""
        CREATE TABLE survey_version (
            id TEXT PRIMARY KEY,
            survey_id TEXT NOT NULL REFERENCES survey(id) ON DELETE CASCADE,
            number INTEGER NOT NULL CHECK (number >= 1),
            label TEXT NOT NULL DEFAULT '',
            status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN {_in(VERSION_STATUSES)}),
            based_on_id TEXT REFERENCES survey_version(id),
            created_at TEXT NOT NULL,
            published_at TEXT,
            UNIQUE (survey_id, number)
        )"""
    )
    db.execute(
        f"""
        CREATE TABLE question (
            id TEXT PRIMARY KEY,
            version_id TEXT NOT NULL REFERENCES survey_version(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            name TEXT NOT NULL CHECK (length(trim(name)) > 0),
            type TEXT NOT NULL CHECK (type IN {_in(QUESTION_TYPES)}),
            wording TEXT NOT NULL,
            help_text TEXT NOT NULL DEFAULT '',
            required INTEGER NOT NULL DEFAULT 0 CHECK (required IN (0, 1)),
            options TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(options)),
            show_if TEXT CHECK (show_if IS NULL OR json_valid(show_if)),
            lineage_id TEXT NOT NULL,
            topic TEXT NOT NULL DEFAULT '',
            updated_at TEXT NOT NULL,
            UNIQUE (version_id, name),
            UNIQUE (version_id, lineage_id)
        )"""
    )
    db.execute("CREATE INDEX question_version_position ON question(version_id, position)")
    db.execute("CREATE INDEX question_lineage ON question(lineage_id)")
    db.execute(
        f"""
        CREATE TABLE person (
            id TEXT PRIMARY KEY,
            display_name TEXT NOT NULL CHECK (length(trim(display_name)) > 0),
            role TEXT NOT NULL CHECK (role IN {_in(PERSON_ROLES)}),
            created_at TEXT NOT NULL
        )"""
    )
    db.execute(
        """
        CREATE TABLE interview (
            id TEXT PRIMARY KEY,
            version_id TEXT NOT NULL REFERENCES survey_version(id),
            respondent_code TEXT NOT NULL CHECK (length(trim(respondent_code)) > 0),
            interviewer_id TEXT REFERENCES person(id),
            consent TEXT NOT NULL CHECK (consent IN ('given', 'declined')),
            status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'submitted')),
            mode TEXT NOT NULL DEFAULT 'one_at_a_time',
            started_at TEXT NOT NULL,
            finished_at TEXT,
            seconds REAL,
            synthetic INTEGER NOT NULL DEFAULT 0 CHECK (synthetic IN (0, 1)),
            updated_at TEXT NOT NULL
        )"""
    )
    db.execute("CREATE INDEX interview_version ON interview(version_id, status)")
    db.execute("CREATE INDEX interview_respondent ON interview(respondent_code)")
    db.execute("CREATE INDEX interview_interviewer ON interview(interviewer_id)")
    db.execute(
        f"""
        CREATE TABLE answer (
            id TEXT PRIMARY KEY,
            interview_id TEXT NOT NULL REFERENCES interview(id) ON DELETE CASCADE,
            question_id TEXT NOT NULL REFERENCES question(id),
            value TEXT,
            opt_out TEXT CHECK (opt_out IS NULL OR opt_out IN {_in(OPT_OUTS)}),
            word_count INTEGER NOT NULL DEFAULT 0,
            needed_explaining INTEGER NOT NULL DEFAULT 0 CHECK (needed_explaining IN (0, 1)),
            reworded INTEGER NOT NULL DEFAULT 0 CHECK (reworded IN (0, 1)),
            upsetting INTEGER NOT NULL DEFAULT 0 CHECK (upsetting IN (0, 1)),
            note TEXT NOT NULL DEFAULT '',
            seconds REAL,
            updated_at TEXT NOT NULL,
            CHECK (NOT (value IS NOT NULL AND opt_out IS NOT NULL)),
            UNIQUE (interview_id, question_id)
        )"""
    )
    db.execute("CREATE INDEX answer_question ON answer(question_id)")
    # An answer must belong to a question of its interview's version.
    db.execute(
        """
        CREATE TRIGGER answer_question_matches_version_insert
        BEFORE INSERT ON answer
        WHEN (SELECT version_id FROM question WHERE id = NEW.question_id)
             IS NOT (SELECT version_id FROM interview WHERE id = NEW.interview_id)
        BEGIN
            SELECT RAISE(ABORT, 'This answer is for a question that is not in this survey version.');
        END"""
    )
    db.execute(
        """
        CREATE TRIGGER answer_question_matches_version_update
        BEFORE UPDATE OF question_id, interview_id ON answer
        WHEN (SELECT version_id FROM question WHERE id = NEW.question_id)
             IS NOT (SELECT version_id FROM interview WHERE id = NEW.interview_id)
        BEGIN
            SELECT RAISE(ABORT, 'This answer is for a question that is not in this survey version.');
        END"""
    )
    # A published or retired version is frozen: its questions cannot be added, changed or removed.
    frozen = "This survey version is published, so it cannot be changed. Start a new draft version instead."
    db.execute(
        f"""
        CREATE TRIGGER question_frozen_insert BEFORE INSERT ON question
        WHEN (SELECT status FROM survey_version WHERE id = NEW.version_id) != 'draft'
        BEGIN SELECT RAISE(ABORT, '{frozen}'); END"""
    )
    db.execute(
        f"""
        CREATE TRIGGER question_frozen_update BEFORE UPDATE ON question
        WHEN (SELECT status FROM survey_version WHERE id = OLD.version_id) != 'draft'
        BEGIN SELECT RAISE(ABORT, '{frozen}'); END"""
    )
    db.execute(
        f"""
        CREATE TRIGGER question_frozen_delete BEFORE DELETE ON question
        WHEN (SELECT status FROM survey_version WHERE id = OLD.version_id) != 'draft'
        BEGIN SELECT RAISE(ABORT, '{frozen}'); END"""
    )
    db.execute(
        """
        CREATE TRIGGER version_stays_published BEFORE UPDATE OF status ON survey_version
        WHEN OLD.status != 'draft' AND NEW.status = 'draft'
        BEGIN SELECT RAISE(ABORT, 'A published version cannot go back to being a draft.'); END"""
    )
    db.execute(
        """
        CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            at TEXT NOT NULL,
            actor TEXT NOT NULL DEFAULT '',
            action TEXT NOT NULL,
            table_name TEXT NOT NULL DEFAULT '',
            record_id TEXT NOT NULL DEFAULT '',
            old_value TEXT,
            new_value TEXT
        )"""
    )
    db.execute("CREATE INDEX audit_log_record ON audit_log(table_name, record_id)")
    # Nobody can edit or delete the audit log, not even through SQL from the app.
    db.execute(
        """
        CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'The audit log cannot be changed.'); END"""
    )
    db.execute(
        """
        CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'The audit log cannot be changed.'); END"""
    )
    db.execute(
        """
        CREATE TABLE setting (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        )"""
    )


@migrations(name="0002_codesign")
def codesign(db: Database) -> None:
    """Proposals, comments, reactions, wording history, group glossary and dismissed flags."""
    db.execute(
        """
        CREATE TABLE proposal (
            id TEXT PRIMARY KEY,
            question_id TEXT NOT NULL REFERENCES question(id) ON DELETE CASCADE,
            wording TEXT NOT NULL CHECK (length(trim(wording)) > 0),
            author_id TEXT REFERENCES person(id),
            author_name TEXT NOT NULL DEFAULT '',
            author_role TEXT NOT NULL DEFAULT '',
            reason TEXT NOT NULL DEFAULT '',
            status TEXT NOT NULL DEFAULT 'proposed'
                CHECK (status IN ('proposed', 'agreed', 'adopted', 'rejected')),
            status_reason TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL,
            decided_at TEXT
        )"""
    )
    db.execute("CREATE INDEX proposal_question ON proposal(question_id)")
    db.execute(
        """
        CREATE TABLE proposal_comment (
            id TEXT PRIMARY KEY,
            proposal_id TEXT NOT NULL REFERENCES proposal(id) ON DELETE CASCADE,
            person_id TEXT REFERENCES person(id),
            body TEXT NOT NULL CHECK (length(trim(body)) > 0),
            created_at TEXT NOT NULL
        )"""
    )
    db.execute("CREATE INDEX proposal_comment_proposal ON proposal_comment(proposal_id)")
    db.execute(
        """
        CREATE TABLE proposal_reaction (
            id TEXT PRIMARY KEY,
            proposal_id TEXT NOT NULL REFERENCES proposal(id) ON DELETE CASCADE,
            person_id TEXT NOT NULL REFERENCES person(id),
            stance TEXT NOT NULL CHECK (stance IN ('agree', 'unsure', 'disagree', 'block')),
            reason TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL,
            CHECK (stance IN ('agree', 'unsure') OR length(trim(reason)) > 0),
            UNIQUE (proposal_id, person_id)
        )"""
    )
    db.execute(
        """
        CREATE TABLE wording_history (
            id TEXT PRIMARY KEY,
            question_id TEXT NOT NULL REFERENCES question(id) ON DELETE CASCADE,
            lineage_id TEXT NOT NULL,
            wording TEXT NOT NULL,
            person_id TEXT REFERENCES person(id),
            proposal_id TEXT REFERENCES proposal(id),
            reason TEXT NOT NULL DEFAULT '',
            changed_at TEXT NOT NULL
        )"""
    )
    db.execute("CREATE INDEX wording_history_lineage ON wording_history(lineage_id)")
    db.execute(
        """
        CREATE TABLE glossary_term (
            id TEXT PRIMARY KEY,
            term TEXT NOT NULL CHECK (length(trim(term)) > 0),
            kind TEXT NOT NULL CHECK (kind IN ('jargon', 'stigmatising', 'accepted')),
            alternative TEXT NOT NULL DEFAULT '',
            reason TEXT NOT NULL DEFAULT '',
            source TEXT NOT NULL DEFAULT '',
            person_id TEXT REFERENCES person(id),
            created_at TEXT NOT NULL,
            removed_at TEXT
        )"""
    )
    db.execute(
        """
        CREATE TABLE flag_dismissal (
            id TEXT PRIMARY KEY,
            question_id TEXT NOT NULL REFERENCES question(id) ON DELETE CASCADE,
            code TEXT NOT NULL,
            quoted TEXT NOT NULL DEFAULT '',
            reason TEXT NOT NULL CHECK (length(trim(reason)) > 0),
            person_id TEXT REFERENCES person(id),
            created_at TEXT NOT NULL
        )"""
    )
    db.execute("CREATE INDEX flag_dismissal_question ON flag_dismissal(question_id)")


@migrations(name="0003_accounts")
def accounts(db: Database) -> None:
    """Sign-in accounts linked to people, and failed sign-in attempts for slowing down guessing."""
    db.execute(
        """
        CREATE TABLE account (
            id TEXT PRIMARY KEY,
            person_id TEXT NOT NULL REFERENCES person(id),
            username TEXT NOT NULL UNIQUE COLLATE NOCASE CHECK (length(trim(username)) > 0),
            password_hash TEXT NOT NULL,
            role TEXT NOT NULL CHECK (role IN ('admin', 'designer', 'interviewer', 'evaluator')),
            created_at TEXT NOT NULL,
            disabled_at TEXT
        )"""
    )
    db.execute(
        """
        CREATE TABLE login_attempt (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            username TEXT NOT NULL COLLATE NOCASE,
            at TEXT NOT NULL,
            success INTEGER NOT NULL CHECK (success IN (0, 1))
        )"""
    )
    db.execute("CREATE INDEX login_attempt_username ON login_attempt(username, at)")


@migrations(name="0004_quality_answer_indexes")
def quality_answer_indexes(db: Database) -> None:
    """Indexes that let the Explore page count answers without reading the answer rows."""
    # Every per-question count comes from this index alone (a covering index), so the
    # quality measures cost about as much as a bare GROUP BY over the answers.
    db.execute(
        "CREATE INDEX IF NOT EXISTS answer_quality ON answer("
        "question_id, opt_out, needed_explaining, reworded, upsetting, word_count, interview_id)"
    )
    # Open answers only (word_count > 0 only for text questions): words and themes come from here.
    db.execute(
        "CREATE INDEX IF NOT EXISTS answer_open_text ON answer(question_id, value, interview_id) "
        "WHERE opt_out IS NULL AND word_count > 0"
    )
    # The newest change is one index lookup, so caches can tell cheaply when data changed.
    db.execute("CREATE INDEX IF NOT EXISTS answer_updated ON answer(updated_at)")


@migrations(name="0005_quality_answer_tally")
def quality_answer_tally(db: Database) -> None:
    """A running count of answers per question and kind, kept by triggers, for the Explore page."""
    # Counting a million answers takes a full index scan every time; this table holds the same
    # counts already added up (a few thousand rows), so the per-question measures read it instead.
    # The triggers keep it exact on every insert, change and delete (cascades included), and a
    # row whose count reaches 0 is removed, so the table depends only on the answers themselves.
    db.execute(
        """
        CREATE TABLE answer_tally (
            question_id TEXT NOT NULL,
            opt_out TEXT NOT NULL,
            needed_explaining INTEGER NOT NULL,
            reworded INTEGER NOT NULL,
            upsetting INTEGER NOT NULL,
            word_count INTEGER NOT NULL,
            n INTEGER NOT NULL,
            PRIMARY KEY (question_id, opt_out, needed_explaining, reworded, upsetting, word_count)
        ) WITHOUT ROWID"""
    )
    db.execute(
        "INSERT INTO answer_tally SELECT question_id, COALESCE(opt_out, ''), needed_explaining, reworded, "
        "upsetting, word_count, COUNT(*) FROM answer GROUP BY 1, 2, 3, 4, 5, 6"
    )
    key = "(question_id, opt_out, needed_explaining, reworded, upsetting, word_count)"

    def add(row: str) -> str:
        return (
            f"INSERT INTO answer_tally {key[:-1]}, n) VALUES ({row}.question_id, COALESCE({row}.opt_out, ''), "
            f"{row}.needed_explaining, {row}.reworded, {row}.upsetting, {row}.word_count, 1) "
            f"ON CONFLICT {key} DO UPDATE SET n = n + 1;"
        )

    def remove(row: str) -> str:
        match = (
            f"question_id = {row}.question_id AND opt_out = COALESCE({row}.opt_out, '') "
            f"AND needed_explaining = {row}.needed_explaining AND reworded = {row}.reworded "
            f"AND upsetting = {row}.upsetting AND word_count = {row}.word_count"
        )
        return (
            f"UPDATE answer_tally SET n = n - 1 WHERE {match}; "
            f"DELETE FROM answer_tally WHERE {match} AND n <= 0;"
        )

    db.execute(f"CREATE TRIGGER answer_tally_insert AFTER INSERT ON answer BEGIN {add('NEW')} END")
    db.execute(f"CREATE TRIGGER answer_tally_delete AFTER DELETE ON answer BEGIN {remove('OLD')} END")
    db.execute(
        "CREATE TRIGGER answer_tally_update AFTER UPDATE OF question_id, opt_out, needed_explaining, reworded, "
        f"upsetting, word_count ON answer BEGIN {remove('OLD')} {add('NEW')} END"
    )


ERASED_MARK = '"[erased]"'


@migrations(name="0006_audit_erasure_redaction")
def audit_erasure_redaction(db: Database) -> None:
    """Let erasure blank the old and new values of log entries, and nothing else."""
    # The log keeps who did what and when for ever, but an erased respondent's answers must
    # not live on inside it. The only change the database now allows is replacing an entry's
    # old or new value with the erased mark; every other column stays as it was.
    db.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
    db.execute(
        f"""
        CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
        WHEN NOT (NEW.id IS OLD.id AND NEW.at IS OLD.at AND NEW.actor IS OLD.actor
                  AND NEW.action IS OLD.action AND NEW.table_name IS OLD.table_name
                  AND NEW.record_id IS OLD.record_id
                  AND (NEW.old_value IS OLD.old_value OR NEW.old_value = '{ERASED_MARK}')
                  AND (NEW.new_value IS OLD.new_value OR NEW.new_value = '{ERASED_MARK}'))
        BEGIN SELECT RAISE(ABORT, 'The audit log cannot be changed.'); END"""
    )


@migrations(name="0050_i13_languages_and_form_file")
def languages_and_form_file(db: Database) -> None:
    """Survey languages, translations, the interview's language, and what a form file kept."""
    # What a spreadsheet form had that the app does not use itself, kept so that saving the
    # survey as a form again loses nothing: settings, rows the app cannot ask (per version),
    # and columns such as appearance or constraint (per question).
    db.execute(
        "ALTER TABLE survey_version ADD COLUMN form_file TEXT NOT NULL DEFAULT '{}' "
        "CHECK (json_valid(form_file))"
    )
    db.execute(
        "ALTER TABLE question ADD COLUMN form_columns TEXT NOT NULL DEFAULT '{}' "
        "CHECK (json_valid(form_columns))"
    )
    # '' is the version's main language (the words on the question row itself).
    db.execute("ALTER TABLE interview ADD COLUMN language TEXT NOT NULL DEFAULT ''")
    # Earlier wordings of a translation sit beside earlier main wordings, marked by language.
    db.execute("ALTER TABLE wording_history ADD COLUMN language TEXT NOT NULL DEFAULT ''")
    db.execute(
        """
        CREATE TABLE version_language (
            id TEXT PRIMARY KEY,
            version_id TEXT NOT NULL REFERENCES survey_version(id) ON DELETE CASCADE,
            language TEXT NOT NULL CHECK (length(trim(language)) > 0),
            position INTEGER NOT NULL DEFAULT 0,
            is_main INTEGER NOT NULL DEFAULT 0 CHECK (is_main IN (0, 1)),
            created_at TEXT NOT NULL,
            UNIQUE (version_id, language)
        )"""
    )
    db.execute(
        "CREATE UNIQUE INDEX version_language_one_main ON version_language(version_id) WHERE is_main = 1"
    )
    db.execute(
        """
        CREATE TABLE question_translation (
            id TEXT PRIMARY KEY,
            question_id TEXT NOT NULL REFERENCES question(id) ON DELETE CASCADE,
            lineage_id TEXT NOT NULL,
            language TEXT NOT NULL CHECK (length(trim(language)) > 0),
            wording TEXT NOT NULL DEFAULT '',
            help_text TEXT NOT NULL DEFAULT '',
            options TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(options)),
            person_id TEXT REFERENCES person(id),
            source TEXT NOT NULL DEFAULT 'app' CHECK (source IN ('app', 'form file')),
            copied_from TEXT,
            updated_at TEXT NOT NULL,
            UNIQUE (question_id, language)
        )"""
    )
    db.execute("CREATE INDEX question_translation_lineage ON question_translation(lineage_id, language)")
    # A published version is frozen, its languages and translations too. A row whose version
    # is not here yet (a merge brings questions before their version) passes: NULL is not 'published'.
    frozen = "This survey version is published, so it cannot be changed. Start a new draft version instead."
    version_of_question = "(SELECT v.status FROM question q JOIN survey_version v ON v.id = q.version_id WHERE q.id = {})"
    for table, version in (("version_language", "(SELECT status FROM survey_version WHERE id = {}.version_id)"),
                           ("question_translation", version_of_question.format("{}.question_id"))):
        for event, row in (("insert", "NEW"), ("update", "OLD"), ("delete", "OLD")):
            db.execute(
                f"""
                CREATE TRIGGER {table}_frozen_{event} BEFORE {event.upper()} ON {table}
                WHEN {version.format(row)} != 'draft'
                BEGIN SELECT RAISE(ABORT, '{frozen}'); END"""
            )


# ---- issue 14: running totals that new answers update, and open answers read once ----------------
#
# Explore's figures come from small tables that triggers keep exact on every insert, change and
# delete of an answer, so a new answer changes a few rows instead of making Explore count a
# million answers again. Each total is grouped by question, interviewer ('' when not recorded)
# and the month the interview started, so the interviewer filter, whole-month day filters and
# the "by interviewer" and "by month" splits read the totals too.


@dataclass(frozen=True)
class GroupedTotal:
    """A table of answer counts by question, interviewer, month and COLUMNS, for answers meeting WHEN."""

    table: str
    columns: tuple[tuple[str, str], ...]  # (column, expression over an answer row "{row}")
    when: str = "1"

    def _exprs(self, row: str) -> list[str]:
        return [expr.format(row=row) for _, expr in self.columns]

    @property
    def key(self) -> str:
        names = [name for name, _ in self.columns]
        return f"({names[0]}, interviewer_id, month, {', '.join(names[1:])})"

    @property
    def insert_columns(self) -> str:
        return f"{self.key[:-1]}, n)"

    def create(self) -> str:
        kinds = {"question_id": "TEXT", "opt_out": "TEXT", "value": "TEXT"}
        columns = [f"{name} {kinds.get(name, 'INTEGER')} NOT NULL" for name, _ in self.columns]
        columns[1:1] = ["interviewer_id TEXT NOT NULL", "month TEXT NOT NULL"]
        return f"CREATE TABLE {self.table} ({', '.join(columns)}, n INTEGER NOT NULL, PRIMARY KEY {self.key}) WITHOUT ROWID"

    def add(self, row: str) -> str:
        exprs = self._exprs(row)
        values = [exprs[0], "COALESCE(i.interviewer_id, '')", "substr(i.started_at, 1, 7)", *exprs[1:], "1"]
        return (
            f"INSERT INTO {self.table} {self.insert_columns} SELECT {', '.join(values)} FROM interview i "
            f"WHERE i.id = {row}.interview_id AND {self.when.format(row=row)} "
            f"ON CONFLICT {self.key} DO UPDATE SET n = n + 1;"
        )

    def remove(self, row: str) -> str:
        match = " AND ".join(
            [f"{name} = {expr}" for name, expr in zip((n for n, _ in self.columns), self._exprs(row))]
            + [f"interviewer_id = (SELECT COALESCE(interviewer_id, '') FROM interview WHERE id = {row}.interview_id)",
               f"month = (SELECT substr(started_at, 1, 7) FROM interview WHERE id = {row}.interview_id)"]
        )
        return (
            f"UPDATE {self.table} SET n = n - 1 WHERE {match} AND {self.when.format(row=row)}; "
            f"DELETE FROM {self.table} WHERE {match} AND n <= 0;"
        )

    def move_interview(self) -> str:
        """Statements for an interview whose interviewer or month changed: its answers change group."""
        same = " AND ".join(f"{expr} = {self.table}.{name}" for name, expr in zip(
            (n for n, _ in self.columns), self._exprs("a")))
        old_group = "interviewer_id = COALESCE(OLD.interviewer_id, '') AND month = substr(OLD.started_at, 1, 7)"
        exprs = self._exprs("a")
        values = [exprs[0], "COALESCE(NEW.interviewer_id, '')", "substr(NEW.started_at, 1, 7)", *exprs[1:], "COUNT(*)"]
        group = ", ".join(str(i) for i in [1, *range(4, len(exprs) + 3)])
        return (
            f"UPDATE {self.table} SET n = n - (SELECT COUNT(*) FROM answer a WHERE a.interview_id = NEW.id "
            f"AND {self.when.format(row='a')} AND {same}) WHERE {old_group} "
            "AND question_id IN (SELECT question_id FROM answer WHERE interview_id = NEW.id); "
            f"DELETE FROM {self.table} WHERE {old_group} AND n <= 0; "
            f"INSERT INTO {self.table} {self.insert_columns} SELECT {', '.join(values)} FROM answer a "
            f"WHERE a.interview_id = NEW.id AND {self.when.format(row='a')} GROUP BY {group} "
            f"ON CONFLICT {self.key} DO UPDATE SET n = n + excluded.n;"
        )

    def rebuild(self) -> tuple[str, str]:
        exprs = self._exprs("a")
        values = [exprs[0], "COALESCE(i.interviewer_id, '')", "substr(i.started_at, 1, 7)", *exprs[1:], "COUNT(*)"]
        return (
            f"DELETE FROM {self.table}",
            f"INSERT INTO {self.table} {self.insert_columns} SELECT {', '.join(values)} FROM answer a "
            f"JOIN interview i ON i.id = a.interview_id WHERE {self.when.format(row='a')} "
            f"GROUP BY {', '.join(str(i) for i in range(1, len(exprs) + 3))}",
        )


    def rebuild_by_cohort(self) -> str:
        """The INSERT of rebuild(), grouping by one small number per interviewer and month.

        The numbers are in temp.total_cohort (made by BULK_TOTAL_REBUILD). Sorting a million
        answers by a number instead of by two texts, and before the question, takes about half
        as long; the result is the same.
        """
        exprs = self._exprs("a")
        inner = ", ".join(f"{expr} AS c{i}" for i, expr in enumerate(exprs))
        outer = ["g.c0", "k.interviewer_id", "k.month", *(f"g.c{i}" for i in range(1, len(exprs))), "g.n"]
        return (
            f"INSERT INTO {self.table} {self.insert_columns} SELECT {', '.join(outer)} FROM ("
            f"SELECT c.cohort, {inner}, COUNT(*) AS n FROM answer a "
            f"JOIN temp.total_cohort c ON c.interview_id = a.interview_id WHERE {self.when.format(row='a')} "
            f"GROUP BY {', '.join(str(i) for i in range(1, len(exprs) + 2))}) g "
            "JOIN temp.total_cohort_key k ON k.cohort = g.cohort"
        )


ANSWER_TALLY = GroupedTotal("answer_tally_by", (
    ("question_id", "{row}.question_id"),
    ("opt_out", "COALESCE({row}.opt_out, '')"),
    ("needed_explaining", "{row}.needed_explaining"),
    ("reworded", "{row}.reworded"),
    ("upsetting", "{row}.upsetting"),
    ("word_count", "{row}.word_count"),
))
# Each different open answer text with how many gave it: "different words used" without reading answers.
OPEN_TEXT_TALLY = GroupedTotal(
    "open_text_tally", (("question_id", "{row}.question_id"), ("value", "{row}.value")),
    when="{row}.opt_out IS NULL AND {row}.word_count > 0",
)
GROUPED_TOTALS = (ANSWER_TALLY, OPEN_TEXT_TALLY)
# The answers read once for personal details and common words: open answers and notes.
NEEDS_READING = "(({row}.opt_out IS NULL AND {row}.word_count > 0) OR {row}.note != '')"


def _interview_add(row: str) -> str:
    return (
        "INSERT INTO interview_tally (interview_id, answers, last_question_id, last_position) "
        f"SELECT {row}.interview_id, 1, q.id, q.position FROM question q WHERE q.id = {row}.question_id "
        "ON CONFLICT (interview_id) DO UPDATE SET answers = answers + 1, "
        "last_question_id = CASE WHEN excluded.last_position > last_position THEN excluded.last_question_id "
        "ELSE last_question_id END, last_position = MAX(last_position, excluded.last_position);"
    )


def _interview_remove(row: str) -> str:
    return (
        "UPDATE interview_tally SET answers = answers - 1, (last_question_id, last_position) = "
        "(SELECT q.id, q.position FROM answer a JOIN question q ON q.id = a.question_id "
        f"WHERE a.interview_id = {row}.interview_id ORDER BY q.position DESC LIMIT 1) "
        f"WHERE interview_id = {row}.interview_id; "
        f"DELETE FROM interview_tally WHERE interview_id = {row}.interview_id AND answers <= 0;"
    )


def _scale_place(row: str) -> str:
    # Which place on its answer list a scale answer took (0 = first), or -1 when not on the list.
    return (
        "COALESCE((SELECT CAST(j.key AS INTEGER) FROM question q, json_each(q.options) j "
        f"WHERE q.id = {row}.question_id AND j.value = {row}.value LIMIT 1), -1)"
    )


def _is_scale_answer(row: str) -> str:
    return (
        f"{row}.opt_out IS NULL AND {row}.value IS NOT NULL "
        f"AND (SELECT type FROM question WHERE id = {row}.question_id) = 'scale'"
    )


def _scale_add(row: str) -> str:
    return (
        f"INSERT INTO interview_scale_place (interview_id, place, n) SELECT {row}.interview_id, "
        f"{_scale_place(row)}, 1 WHERE {_is_scale_answer(row)} "
        "ON CONFLICT (interview_id, place) DO UPDATE SET n = n + 1;"
    )


def _scale_remove(row: str) -> str:
    match = f"interview_id = {row}.interview_id AND place = {_scale_place(row)}"
    return (
        f"UPDATE interview_scale_place SET n = n - 1 WHERE {match} AND {_is_scale_answer(row)}; "
        f"DELETE FROM interview_scale_place WHERE {match} AND n <= 0;"
    )


def _all_add(row: str) -> str:
    return " ".join([*(t.add(row) for t in GROUPED_TOTALS), _interview_add(row), _scale_add(row)])


def _all_remove(row: str) -> str:
    return " ".join([*(t.remove(row) for t in GROUPED_TOTALS), _interview_remove(row), _scale_remove(row)])


# Every trigger that keeps the running totals and the reading queue, by name. Bulk loads (the
# demo) drop them, insert, and rebuild the totals in one go (surveys/storage/quality.py).
RUNNING_TOTAL_TRIGGERS = {
    "answer_totals_insert": (
        f"AFTER INSERT ON answer BEGIN {_all_add('NEW')} "
        f"INSERT OR IGNORE INTO open_text_queue (answer_id) SELECT NEW.id WHERE {NEEDS_READING.format(row='NEW')}; END"
    ),
    "answer_totals_delete": (
        # Only while the interview is there: deleting an interview first deletes its answers (below).
        f"AFTER DELETE ON answer WHEN EXISTS (SELECT 1 FROM interview WHERE id = OLD.interview_id) BEGIN "
        f"{_all_remove('OLD')} END"
    ),
    "answer_totals_update": (
        "AFTER UPDATE OF interview_id, question_id, value, opt_out, needed_explaining, reworded, upsetting, "
        f"word_count ON answer BEGIN {_all_remove('OLD')} {_all_add('NEW')} END"
    ),
    "answer_text_changed": (
        "AFTER UPDATE OF value, note, opt_out, word_count ON answer "
        "WHEN OLD.value IS NOT NEW.value OR OLD.note IS NOT NEW.note OR OLD.opt_out IS NOT NEW.opt_out "
        "OR OLD.word_count IS NOT NEW.word_count BEGIN "
        "DELETE FROM open_text_derived WHERE answer_id = NEW.id; "
        "DELETE FROM open_text_queue WHERE answer_id = NEW.id; "
        f"INSERT INTO open_text_queue (answer_id) SELECT NEW.id WHERE {NEEDS_READING.format(row='NEW')}; END"
    ),
    "interview_totals_delete": (
        # Answers go first, while their interview still says which group they were counted in.
        "BEFORE DELETE ON interview BEGIN DELETE FROM answer WHERE interview_id = OLD.id; END"
    ),
    "interview_totals_move": (
        "AFTER UPDATE OF interviewer_id, started_at ON interview "
        "WHEN OLD.interviewer_id IS NOT NEW.interviewer_id "
        "OR substr(OLD.started_at, 1, 7) IS NOT substr(NEW.started_at, 1, 7) BEGIN "
        f"{' '.join(t.move_interview() for t in GROUPED_TOTALS)} END"
    ),
}
SCALE_PLACE_REBUILD = (
    "DELETE FROM interview_scale_place",
    "INSERT INTO interview_scale_place (interview_id, place, n) "
    "SELECT a.interview_id, COALESCE((SELECT CAST(j.key AS INTEGER) FROM json_each(q.options) j "
    "WHERE j.value = a.value LIMIT 1), -1), COUNT(*) FROM answer a JOIN question q ON q.id = a.question_id "
    "WHERE q.type = 'scale' AND a.opt_out IS NULL AND a.value IS NOT NULL GROUP BY 1, 2",
)
# Open answers and notes not read yet go on the reading queue.
QUEUE_REBUILD = (
    "INSERT OR IGNORE INTO open_text_queue (answer_id) SELECT a.id FROM answer a "
    f"WHERE {NEEDS_READING.format(row='a')} AND NOT EXISTS (SELECT 1 FROM open_text_derived d WHERE d.answer_id = a.id)"
)
# The running totals worked out from scratch, when the tables are made. After a bulk load the
# same totals are worked out the faster way (BULK_TOTAL_REBUILD below).
RUNNING_TOTAL_REBUILD = (
    *(sql for t in GROUPED_TOTALS for sql in t.rebuild()),
    "DELETE FROM interview_tally",
    "INSERT INTO interview_tally (interview_id, answers, last_question_id, last_position) "
    "SELECT interview_id, answers, last_question_id, last_position FROM ("
    "SELECT a.interview_id, COUNT(*) OVER w AS answers, q.id AS last_question_id, q.position AS last_position, "
    "ROW_NUMBER() OVER (PARTITION BY a.interview_id ORDER BY q.position DESC) AS place "
    "FROM answer a JOIN question q ON q.id = a.question_id WINDOW w AS (PARTITION BY a.interview_id)"
    ") WHERE place = 1",
    *SCALE_PLACE_REBUILD,
    QUEUE_REBUILD,
)


@migrations(name="0030_i14_explore_running_totals")
def explore_running_totals(db: Database) -> None:
    """Running totals by interviewer and month, per interview, and open answers read once and stored."""
    # These replace answer_tally (0005), which had no interviewer or month.
    for name in ("answer_tally_insert", "answer_tally_delete", "answer_tally_update"):
        db.execute(f"DROP TRIGGER IF EXISTS {name}")
    db.execute("DROP TABLE IF EXISTS answer_tally")
    for total in GROUPED_TOTALS:
        db.execute(total.create())
    # Per interview: how many answers, and the furthest question answered (where an unfinished one stopped).
    db.execute(
        """
        CREATE TABLE interview_tally (
            interview_id TEXT PRIMARY KEY REFERENCES interview(id) ON DELETE CASCADE,
            answers INTEGER NOT NULL,
            last_question_id TEXT,
            last_position INTEGER
        ) WITHOUT ROWID"""
    )
    # Per interview: how many scale answers took each place on their answer list (straight-lining).
    db.execute(
        """
        CREATE TABLE interview_scale_place (
            interview_id TEXT NOT NULL REFERENCES interview(id) ON DELETE CASCADE,
            place INTEGER NOT NULL,
            n INTEGER NOT NULL,
            PRIMARY KEY (interview_id, place)
        ) WITHOUT ROWID"""
    )
    # Open answers and notes are read once for personal details and common words (the language
    # model is slow), stored, and read back. The queue lists answers still to read; a changed
    # answer goes back on it. Both follow their answer, so erasing an answer erases them.
    db.execute(
        """
        CREATE TABLE open_text_queue (
            answer_id TEXT PRIMARY KEY REFERENCES answer(id) ON DELETE CASCADE
        ) WITHOUT ROWID"""
    )
    db.execute(
        """
        CREATE TABLE open_text_derived (
            answer_id TEXT PRIMARY KEY REFERENCES answer(id) ON DELETE CASCADE,
            value_findings TEXT NOT NULL DEFAULT '[]',
            masked_value TEXT,
            note_findings TEXT NOT NULL DEFAULT '[]',
            masked_note TEXT NOT NULL DEFAULT '',
            terms TEXT NOT NULL DEFAULT '[]',
            made_with TEXT NOT NULL
        )"""
    )
    db.execute("CREATE INDEX open_text_derived_made_with ON open_text_derived(made_with)")
    db.execute("CREATE INDEX interview_started ON interview(started_at)")
    for name, body in RUNNING_TOTAL_TRIGGERS.items():
        db.execute(f"CREATE TRIGGER {name} {body}")
    for sql in RUNNING_TOTAL_REBUILD:
        db.execute(sql)



@migrations(name="0020_i12_login_sessions")
def i12_login_sessions(db: Database) -> None:
    """Signed-in sessions that outlive a reloaded tab, and the key that signs their tokens.

    Both tables belong to one laptop: a merge never copies them (surveys/merge.py MERGE_ORDER
    lists what travels), and erasing a respondent only clears a session's place in an interview
    (ON DELETE SET NULL), since a session holds nothing the respondent said.
    """
    db.execute(
        """
        CREATE TABLE login_session (
            id TEXT PRIMARY KEY,
            account_id TEXT NOT NULL REFERENCES account(id) ON DELETE CASCADE,
            token_hash TEXT NOT NULL,
            created_at TEXT NOT NULL,
            last_seen_at TEXT NOT NULL,
            expires_at TEXT NOT NULL,
            ended_at TEXT,
            end_reason TEXT,
            interview_id TEXT REFERENCES interview(id) ON DELETE SET NULL,
            interview_step TEXT
        )"""
    )
    db.execute("CREATE INDEX login_session_account ON login_session(account_id, created_at)")
    db.execute(
        """
        CREATE TABLE login_session_key (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            secret TEXT NOT NULL CHECK (length(secret) >= 64),
            created_at TEXT NOT NULL
        )"""
    )


# How many gave each answer to a question that is not open (an option, a number, a date), by
# interviewer and month: the "You said, we did" summary reads this instead of the answers.
VALUE_TALLY = GroupedTotal(
    "answer_value_tally", (("question_id", "{row}.question_id"), ("value", "{row}.value")),
    when="{row}.opt_out IS NULL AND {row}.value IS NOT NULL AND {row}.word_count = 0",
)
VALUE_TOTAL_TRIGGERS = {
    "answer_values_insert": f"AFTER INSERT ON answer BEGIN {VALUE_TALLY.add('NEW')} END",
    "answer_values_delete": (
        "AFTER DELETE ON answer WHEN EXISTS (SELECT 1 FROM interview WHERE id = OLD.interview_id) "
        f"BEGIN {VALUE_TALLY.remove('OLD')} END"
    ),
    "answer_values_update": (
        "AFTER UPDATE OF interview_id, question_id, value, opt_out, word_count ON answer "
        f"BEGIN {VALUE_TALLY.remove('OLD')} {VALUE_TALLY.add('NEW')} END"
    ),
    "interview_values_move": (
        "AFTER UPDATE OF interviewer_id, started_at ON interview "
        "WHEN OLD.interviewer_id IS NOT NEW.interviewer_id "
        f"OR substr(OLD.started_at, 1, 7) IS NOT substr(NEW.started_at, 1, 7) BEGIN {VALUE_TALLY.move_interview()} END"
    ),
}
VALUE_TOTAL_REBUILD = VALUE_TALLY.rebuild()
# Every running total and its triggers, for bulk loads and for checking the totals.
ALL_TOTAL_TRIGGERS = {**RUNNING_TOTAL_TRIGGERS, **VALUE_TOTAL_TRIGGERS}
ALL_TOTAL_REBUILD = (*RUNNING_TOTAL_REBUILD, *VALUE_TOTAL_REBUILD)
# Every running-total table, by name.
TOTAL_TABLES = (*(t.table for t in GROUPED_TOTALS), "interview_tally", "interview_scale_place", VALUE_TALLY.table)
# The same totals as ALL_TOTAL_REBUILD, worked out from scratch after a bulk load (the demo, a
# merge; quality.bulk_answer_load) in about half the time on a million answers: each interview's
# interviewer and month become one number first, and the per-interview total is one GROUP BY in
# the order of an index instead of a window. tests/test_quality.py checks the results are the same.
BULK_TOTAL_REBUILD = (
    "DROP TABLE IF EXISTS temp.total_cohort_key",
    "DROP TABLE IF EXISTS temp.total_cohort",
    "CREATE TEMP TABLE total_cohort_key (cohort INTEGER PRIMARY KEY, interviewer_id TEXT NOT NULL, "
    "month TEXT NOT NULL, UNIQUE (interviewer_id, month))",
    "INSERT INTO temp.total_cohort_key (interviewer_id, month) "
    "SELECT DISTINCT COALESCE(interviewer_id, ''), substr(started_at, 1, 7) FROM main.interview",
    "CREATE TEMP TABLE total_cohort (interview_id TEXT PRIMARY KEY, cohort INTEGER NOT NULL) WITHOUT ROWID",
    "INSERT INTO temp.total_cohort (interview_id, cohort) SELECT i.id, k.cohort FROM main.interview i "
    "JOIN temp.total_cohort_key k ON k.interviewer_id = COALESCE(i.interviewer_id, '') "
    "AND k.month = substr(i.started_at, 1, 7)",
    *(sql for t in (*GROUPED_TOTALS, VALUE_TALLY) for sql in (f"DELETE FROM {t.table}", t.rebuild_by_cohort())),
    "DROP TABLE temp.total_cohort",
    "DROP TABLE temp.total_cohort_key",
    "DELETE FROM interview_tally",
    # The furthest question answered: with one max() in a GROUP BY, SQLite takes q.id from that row.
    "INSERT INTO interview_tally (interview_id, answers, last_question_id, last_position) "
    "SELECT a.interview_id, COUNT(*), q.id, MAX(q.position) FROM answer a JOIN question q ON q.id = a.question_id "
    "GROUP BY a.interview_id",
    *SCALE_PLACE_REBUILD,
    QUEUE_REBUILD,
)


@migrations(name="0031_i14_answer_value_tally")
def answer_value_tally(db: Database) -> None:
    """A running count of each answer given to questions that are not open, by interviewer and month."""
    db.execute(VALUE_TALLY.create())
    for name, body in VALUE_TOTAL_TRIGGERS.items():
        db.execute(f"CREATE TRIGGER {name} {body}")
    for sql in VALUE_TOTAL_REBUILD:
        db.execute(sql)


@migrations(name="0010_i11_erasure_fingerprints")
def erasure_fingerprints(db: Database) -> None:
    """Name erased respondents in the log by a fingerprint of the code, never the code itself."""
    # Erasure used to log the code as the record of its "erase respondent" entry, and an admin's
    # reason could quote it. The entry must still let merges recognise the code on other laptops,
    # so the code becomes its fingerprint (storage.erasure_key) and is taken out of the reason.
    # The log refuses such a change, so its guard is lifted for this one step and put back as it was.
    import json
    import re

    from . import ERASURE_KEY_PREFIX, erasure_key

    entries = db.execute(
        "SELECT id, record_id, new_value FROM audit_log WHERE action = 'erase respondent' "
        "AND record_id NOT LIKE ?", [ERASURE_KEY_PREFIX + "%"]
    ).fetchall()
    if not entries:
        return
    guard = db.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'audit_log_no_update'"
                       ).fetchone()
    db.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
    for entry_id, code, new_value in entries:
        try:
            value = json.loads(new_value) if new_value else None
        except json.JSONDecodeError:
            value = None
        if isinstance(value, dict) and isinstance(value.get("reason"), str) and code:
            value["reason"] = re.sub(re.escape(code), "[code]", value["reason"], flags=re.IGNORECASE)
            new_value = json.dumps(value, ensure_ascii=False, sort_keys=True)
        db.execute("UPDATE audit_log SET record_id = ?, new_value = ? WHERE id = ?",
                   [erasure_key(code), new_value, entry_id])
    if guard:
        db.execute(guard[0])


# Which columns of each table count as its content: changing one of them is a new revision.
REVISION_COLUMNS = {
    "question": ("name", "type", "wording", "help_text", "required", "options", "show_if", "topic"),
    "proposal": ("wording", "status", "status_reason", "reason"),
    "glossary_term": ("term", "kind", "alternative", "reason", "removed_at"),
}


@migrations(name="0040_i16_revisions_and_evidence")
def revisions_and_evidence(db: Database) -> None:
    """Revision numbers so a save based on an old copy is refused, kept evidence, undoable dismissals."""
    # Two people (or two tabs) can open the same question. Every save says which revision it was
    # based on, and the save is refused when the row has moved on since, so nobody's words are
    # silently replaced. Triggers bump the number on every change of content, whoever writes it
    # (the app, an import, a merge), so no writer can forget to.
    for table, columns in REVISION_COLUMNS.items():
        db.execute(f"ALTER TABLE {table} ADD COLUMN revision INTEGER NOT NULL DEFAULT 1")
        changed = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in columns)
        # Always above both the old number and any number the writer brought (a merge copies the
        # other laptop's row), so a save based on any earlier copy is refused.
        db.execute(
            f"CREATE TRIGGER {table}_revision AFTER UPDATE ON {table} WHEN {changed} "
            f"BEGIN UPDATE {table} SET revision = MAX(OLD.revision, NEW.revision) + 1 WHERE id = NEW.id; END"
        )
    # Where the group stands is part of a proposal: a decision made on an old view is refused too.
    for event, row in (("INSERT", "NEW"), ("DELETE", "OLD")):
        db.execute(
            f"CREATE TRIGGER proposal_reaction_revision_{event.lower()} AFTER {event} ON proposal_reaction "
            f"BEGIN UPDATE proposal SET revision = revision + 1 WHERE id = {row}.proposal_id; END"
        )
    # What the group saw when it changed a wording (answers, notes, score), kept with the change.
    db.execute("ALTER TABLE wording_history ADD COLUMN evidence TEXT CHECK (evidence IS NULL OR json_valid(evidence))")
    # A dismissed flag can be brought back; the row stays, so a merge does not bring the dismissal back.
    db.execute("ALTER TABLE flag_dismissal ADD COLUMN undone_at TEXT")
    db.execute("ALTER TABLE flag_dismissal ADD COLUMN undone_by TEXT REFERENCES person(id)")
    db.execute("ALTER TABLE flag_dismissal ADD COLUMN updated_at TEXT")
    # The interviewers' own notes on a question, newest first, without reading every answer row.
    db.execute("CREATE INDEX IF NOT EXISTS answer_notes ON answer(question_id, updated_at) WHERE note != ''")


@migrations(name="0060_i14_drop_spare_answer_index")
def drop_spare_answer_index(db: Database) -> None:
    """Drop answer_question: answer_quality starts with question_id, so it serves every lookup by
    question the smaller index did (and the foreign key's), and one index fewer makes every saved
    answer, bulk load and merge cheaper (0.8 s and 40 MB of 20,000 interviews)."""
    db.execute("DROP INDEX IF EXISTS answer_question")
