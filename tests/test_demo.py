"""The demo data tells the seed's story and is labelled synthetic."""

import statistics

import pytest

from surveys.demo import load_demo
from surveys.storage import open_database
from surveys.storage import core as store


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    db = open_database(tmp_path_factory.mktemp("demo") / "d.db")
    ids = load_demo(db, interviews=800, seed=11)
    yield db, ids
    db.conn.close()


def _rate(db, version_id, where):
    sql = (
        "SELECT AVG(CASE WHEN " + where + " THEN 1.0 ELSE 0 END) FROM answer a "
        "JOIN interview i ON i.id = a.interview_id WHERE i.version_id = ?"
    )
    return db.execute(sql, [version_id]).fetchone()[0]


def test_two_versions_linked_by_lineage(demo):
    db, ids = demo
    v1 = {q["lineage_id"]: q for q in store.questions_for_version(db, ids["v1"])}
    v2 = {q["lineage_id"]: q for q in store.questions_for_version(db, ids["v2"])}
    shared = set(v1) & set(v2)
    assert len(shared) == len(v1), "every version 1 question continues in version 2"
    assert len(v2) == len(v1) + 2, "two double-barrelled questions were split in version 2"
    assert sum(v1[l]["wording"] != v2[l]["wording"] for l in shared) >= len(shared) - 2
    assert store.get_version(db, ids["v1"])["status"] == "retired"
    assert store.get_version(db, ids["v2"])["status"] == "published"


def test_version_1_has_the_problems_the_seed_names(demo):
    db, ids = demo
    wordings = " ".join(q["wording"] for q in store.questions_for_version(db, ids["v1"]))
    for problem in ("keyworker", "CMHT", "MARAC", "substance misuser", "alcoholic", "ex-offender",
                    "listen to you and respect your choices", "excellent support"):
        assert problem in wordings


def test_version_2_gets_better_answers(demo):
    db, ids = demo
    v1, v2 = ids["v1"], ids["v2"]
    assert _rate(db, v2, "a.opt_out = 'skipped'") < _rate(db, v1, "a.opt_out = 'skipped'")
    assert _rate(db, v2, "a.opt_out = 'dont_know'") < _rate(db, v1, "a.opt_out = 'dont_know'")
    assert _rate(db, v2, "a.needed_explaining = 1") < _rate(db, v1, "a.needed_explaining = 1") / 2

    def open_words(version_id):
        rows = db.execute(
            "SELECT a.word_count FROM answer a JOIN interview i ON i.id = a.interview_id "
            "JOIN question q ON q.id = a.question_id WHERE i.version_id = ? AND q.type = 'long_text' "
            "AND a.value IS NOT NULL", [version_id]).fetchall()
        return [r[0] for r in rows]

    assert statistics.median(open_words(v2)) > 2 * statistics.median(open_words(v1))


def test_everything_is_marked_synthetic(demo):
    db, _ = demo
    assert db.execute("SELECT COUNT(*) FROM interview WHERE synthetic = 0").fetchone()[0] == 0
    assert db.execute("SELECT synthetic, name FROM survey").fetchone() == (1, "Client feedback survey (synthetic demo)")
    assert all("(demo)" in p["display_name"] for p in store.list_people(db))


def test_interviews_include_declined_and_unfinished(demo):
    db, _ = demo
    counts = dict(db.execute("SELECT consent || '/' || status, COUNT(*) FROM interview GROUP BY 1").fetchall())
    assert counts["declined/submitted"] > 0
    assert counts["given/draft"] > 0
    declined_answers = db.execute(
        "SELECT COUNT(*) FROM answer a JOIN interview i ON i.id = a.interview_id WHERE i.consent = 'declined'"
    ).fetchone()[0]
    assert declined_answers == 0, "a declined consent has no answers"


def test_show_if_is_respected(demo):
    db, ids = demo
    rows = db.execute(
        """SELECT COUNT(*) FROM answer a JOIN question q ON q.id = a.question_id
           WHERE q.name = 'rough_sleeping_nights' AND NOT EXISTS (
             SELECT 1 FROM answer b JOIN question p ON p.id = b.question_id
             WHERE b.interview_id = a.interview_id AND p.name = 'rough_sleeping' AND b.value = 'Yes')"""
    ).fetchone()[0]
    assert rows == 0


def test_same_seed_gives_same_demo(tmp_path):
    def snapshot(path):
        db = open_database(path)
        load_demo(db, interviews=20, seed=5)
        return db.execute("SELECT i.id, a.value, a.opt_out FROM answer a JOIN interview i ON i.id = a.interview_id "
                          "ORDER BY a.id").fetchall()

    assert snapshot(tmp_path / "a.db") == snapshot(tmp_path / "b.db")


def test_negative_interviews_refused(db):
    with pytest.raises(store.InvalidInput):
        load_demo(db, interviews=-1)
    assert store.is_empty(db)


def test_demo_ids_are_uuids_in_the_order_they_were_made(demo):
    """Interview and answer ids are time-ordered UUIDs (version 7): unique, and rising row by row,
    so the bulk load appends to the id index."""
    import uuid

    db, _ = demo
    for table in ("interview", "answer"):
        ids = [r[0] for r in db.execute(f"SELECT id FROM {table} ORDER BY rowid").fetchall()]
        parsed = [uuid.UUID(i) for i in ids]
        assert all(u.version == 7 and u.variant == uuid.RFC_4122 for u in parsed), table
        assert all(str(u) == i for u, i in zip(parsed, ids)), table
        assert ids == sorted(ids), f"{table} ids rise in the order rows were made"
        assert len(set(ids)) == len(ids)


def test_demo_totals_equal_a_rebuild_from_scratch(demo):
    """The faster rebuild after the bulk load gives exactly what the reference rebuild gives."""
    from tests.test_quality import assert_totals_match_a_rebuild

    db, _ = demo
    assert_totals_match_a_rebuild(db)


def test_demo_counts_its_own_totals_and_does_not_work_them_out_again(tmp_path):
    """The load adds the totals it counted; the rebuild from the answers does not run."""
    db = open_database(tmp_path / "d.db")
    statements = []
    db.conn.set_trace_callback(statements.append)
    load_demo(db, interviews=60, seed=3)
    db.conn.set_trace_callback(None)
    assert any(s.startswith("INSERT INTO main.answer_tally_by") for s in statements)
    assert not any("total_cohort" in s or s.startswith("DELETE FROM answer_tally_by") for s in statements)
    from tests.test_quality import assert_totals_match_a_rebuild

    assert_totals_match_a_rebuild(db)
    # Every open answer it made is waiting to be read: working the queue out again adds nothing.
    from surveys.storage.migrations import QUEUE_REBUILD

    waiting = db.execute("SELECT COUNT(*) FROM open_text_queue").fetchone()[0]
    assert waiting > 0
    db.execute(QUEUE_REBUILD)
    assert db.execute("SELECT COUNT(*) FROM open_text_queue").fetchone()[0] == waiting


def test_totals_that_do_not_add_up_are_worked_out_from_the_answers(tmp_path, monkeypatch):
    """A bulk load whose own count misses answers does not keep wrong totals."""
    from surveys.storage import quality

    real = quality.add_counted_totals

    def short(db, rows):
        real(db, {**rows, "answer_tally_by": list(rows["answer_tally_by"])[1:]})

    monkeypatch.setattr(quality, "add_counted_totals", short)
    db = open_database(tmp_path / "d.db")
    load_demo(db, interviews=40, seed=3)
    from tests.test_quality import assert_totals_match_a_rebuild

    assert_totals_match_a_rebuild(db)
    assert db.execute("SELECT SUM(n) FROM answer_tally_by").fetchone()[0] == db.execute(
        "SELECT COUNT(*) FROM answer").fetchone()[0]
