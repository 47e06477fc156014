"""The Explore page on the demo data: filters change the figures, every table can be downloaded."""

from __future__ import annotations

import pytest

from surveys.storage import core as store
from surveys.storage import open_database


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def table_with(at, column: str):
    for frame in at.dataframe:
        if column in frame.value.columns:
            return frame.value
    raise AssertionError(f"no table with the column {column!r}")


@pytest.fixture
def demo(demo_db_path):
    database = open_database(demo_db_path)
    info = {
        "versions": {v["number"]: v for v in store.list_versions(database)},
        "interviewers": {p["display_name"]: p["id"] for p in store.list_people(database)},
    }
    counts = dict(database.execute(
        "SELECT interviewer_id, COUNT(*) FROM interview GROUP BY interviewer_id").fetchall())
    info["counts"] = counts
    database.conn.close()
    return info


def test_page_shows_figures_and_filters_change_them(app_test, demo_db_path, demo):
    at = app_test(demo_db_path, "explore", role="evaluator")
    assert not at.exception, [e.value for e in at.exception]
    assert metrics(at)["Interviews"] == "120"
    questions = table_with(at, "Answer quality (0 to 100)")
    assert len(questions) == sum(v["questions"] - 1 for v in demo["versions"].values()), "notes are left out"

    # One interviewer: the count is theirs alone.
    person_id, count = max(demo["counts"].items(), key=lambda item: item[1])
    at.selectbox(key="explore_interviewer").set_value(person_id).run()
    assert not at.exception
    assert metrics(at)["Interviews"] == str(count)

    # One version only: its interviews, and the comparison asks for two versions.
    at.selectbox(key="explore_interviewer").set_value("").run()
    at.multiselect(key="explore_versions").set_value([demo["versions"][2]["id"]]).run()
    assert metrics(at)["Interviews"] == str(demo["versions"][2]["interviews"])
    assert any("Pick two versions" in i.value for i in at.info)
    questions = table_with(at, "Answer quality (0 to 100)")
    assert set(questions["Version"]) == {"Client feedback survey (synthetic demo) – Version 2: reworded together "
                                         "(Ready to use)"}


def test_date_filter_changes_the_figures_and_an_empty_range_says_so(app_test, demo_db_path, demo):
    import datetime as dt

    at = app_test(demo_db_path, "explore", role="evaluator")
    asked_all = metrics(at)["Answers"]
    # Version 1 interviews are in the first half of 2025, version 2 from September 2025.
    at.date_input(key="explore_end").set_value(dt.date(2025, 7, 31)).run()
    assert not at.exception
    assert metrics(at)["Interviews"] == str(demo["versions"][1]["interviews"])
    assert metrics(at)["Answers"] != asked_all
    at.date_input(key="explore_start").set_value(dt.date(2025, 7, 1)).run()
    at.date_input(key="explore_end").set_value(dt.date(2025, 7, 31)).run()
    assert any("no answers for these choices" in i.value for i in at.info)
    at.date_input(key="explore_start").set_value(dt.date(2025, 8, 1)).run()
    assert any("first day is after the last day" in e.value for e in at.error)


def test_comparison_wording_open_answers_and_downloads(app_test, demo_db_path, demo):
    at = app_test(demo_db_path, "explore", role="evaluator")
    compare = table_with(at, "Got worse")
    assert len(compare) > 40
    changes = compare["Change"].dropna().tolist()
    assert changes == sorted(changes, reverse=True), "biggest gain first"
    wording = table_with(at, "Checker score")
    assert wording["Checker score"].notna().all()
    # Questions, interviews, drop-off, comparison (3), wording, terms, answers.
    assert len(at.get("download_button")) >= 9
    # Search the open answers: every answer shown has the word in it.
    at.selectbox(key="explore_open_version").set_value(demo["versions"][2]["id"]).run()
    at.text_input(key="explore_search").input("worker").run()
    answers = table_with(at, "Answer")
    assert len(answers) > 0
    assert all("worker" in a.lower() for a in answers["Answer"])
    terms = table_with(at, "Word or phrase")
    assert len(terms) > 0


def test_you_said_we_did_is_made_on_request(app_test, demo_db_path, demo):
    at = app_test(demo_db_path, "explore", role="evaluator")
    assert not any("# You said, we did" in m.value for m in at.markdown)
    at.selectbox(key="explore_summary_version").set_value(demo["versions"][2]["id"]).run()
    at.button(key="explore_make_summary").click().run()
    assert not at.exception
    text = next(m.value for m in at.markdown if m.value.startswith("# You said, we did"))
    assert "What we changed" in text and "### Housing" in text


def test_empty_database_and_wrong_role(app_test, db_path, demo_db_path):
    at = app_test(db_path, "explore", role="evaluator")
    assert not at.exception
    assert any("no interviews yet" in i.value for i in at.info)
    at = app_test(demo_db_path, "explore", role="interviewer")
    assert any("This page is for" in w.value for w in at.warning)


def test_switching_survey_shows_its_own_versions_and_days(app_test, demo_db_path):
    import datetime as dt

    from tests.test_quality import add_interview, build_survey

    database = open_database(demo_db_path)
    survey_id, version_id = build_survey(database)
    questions = {q["name"]: q for q in store.questions_for_version(database, version_id)}
    add_interview(database, version_id, questions, None, "2024-05-02T10:00:00+00:00",
                  answers=[("mood", "Good", None, 0, 0, 0), ("story", "all fine here", None, 0, 0, 0)])
    database.conn.close()
    at = app_test(demo_db_path, "explore", role="evaluator")
    assert metrics(at)["Interviews"] == "120"
    at.selectbox(key="explore_survey").set_value(survey_id).run()
    assert not at.exception, [e.value for e in at.exception]
    assert metrics(at)["Interviews"] == "1"
    assert at.multiselect(key="explore_versions").value == [version_id]
    assert at.date_input(key="explore_start").value == dt.date(2024, 5, 2)
    questions_table = table_with(at, "Answer quality (0 to 100)")
    assert questions_table.set_index("Question").loc["mood", "Answer quality (0 to 100)"] == 100.0
