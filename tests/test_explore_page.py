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


def open_tab(at, name: str):
    """Open one of Explore's tabs (only the open tab is worked out), let new answers be read, and rerun."""
    at.session_state["explore_tab"] = name
    at.run()
    return settle(at)


def settle(at):
    """Wait for the page's background reader of new open answers, then rerun (as a person coming back would)."""
    import os

    from analysis import themes

    themes.wait_for_background_reading(os.environ["SURVEYS_DB"], 300)
    return at.run()


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
    questions = table_with(at, "Answer quality (0 to 100)")
    assert set(questions["Version"]) == {"Version 2: reworded together (Ready to use)"}
    open_tab(at, "Version against version")
    assert any("Pick two versions" in i.value for i in at.info)


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


def test_comparison_leads_with_real_changes_and_keeps_exact_figures_one_click_away(app_test, demo_db_path, demo):
    at = open_tab(app_test(demo_db_path, "explore", role="evaluator"), "Version against version")
    assert not at.exception, [e.value for e in at.exception]
    compare = table_with(at, "Is the change real?")
    assert len(compare) > 40
    changes = [c for c in compare["Change"].tolist() if c != ""]
    assert changes == sorted(changes, reverse=True), "biggest gain first"
    verdicts = compare["Is the change real?"].value_counts()
    lead = next(m.value for m in at.markdown if "got clearly better answers to" in m.value)
    better = int(verdicts.get("Better", 0))
    assert lead.startswith(f"Version 2: reworded together got clearly better answers to {better} question")
    close = int(verdicts.get("Too close to call", 0)) + int(verdicts.get("Better in one way, worse in another", 0))
    if close:
        assert f"{close} question" in lead and "too close to call" in lead
    # A question counts as better only when at least one measure's interval leaves out "no change".
    assert (compare.loc[compare["Is the change real?"] == "Better", "Clearly better in"] != "").all()
    assert (compare.loc[compare["Is the change real?"] == "Too close to call", "Clearly better in"] == "").all()
    # The exact figures, one click away: percentages and readable chances, never 1e-190 or 0.000000.
    exact = table_with(at, "Chance of a change this big by luck")
    chances = [c for c in exact["Chance of a change this big by luck"] if c]
    assert chances and all(c == "less than 0.001" or (len(c) == 5 and c.startswith(("0.", "1."))) for c in chances)
    assert any(m.endswith("(%)") for m in exact["Measure"])
    for frame in at.dataframe:
        assert not frame.value.isna().any().any(), "no empty (None) cells"


def test_a_change_that_is_not_real_is_too_close_to_call():
    import pandas as pd

    from analysis import compare, tables

    # +0.08 in every share with every interval spanning 0 (p 0.27): not a real change.
    row = {f"{m}_{part}": value for m in compare.RATE_MEASURES
           for part, value in (("ci_low", -0.05), ("ci_high", 0.2), ("diff", 0.08), ("p", 0.27))}
    row.update({"median_words_p": 0.4, "median_words_diff": 1.0, "quality_diff": 0.08})
    frame = pd.DataFrame([row])
    frame["better_measures"] = [compare._changed(frame.iloc[0], better=True)]
    frame["worse_measures"] = [compare._changed(frame.iloc[0], better=False)]
    frame["verdict"] = [compare._verdict(frame.iloc[0])]
    assert frame["verdict"].tolist() == ["too_close"]
    assert tables.comparison_sentence(frame, "Version 2") == (
        "Version 2 got clearly better answers to none and clearly worse answers to none. "
        "1 question was too close to call.")


def test_wording_tab_says_it_plainly_with_the_statistics_behind_a_click(app_test, demo_db_path):
    at = open_tab(app_test(demo_db_path, "explore", role="evaluator"), "Wording and quality")
    assert not at.exception, [e.value for e in at.exception]
    wording = table_with(at, "Checker score")
    assert (wording["Checker score"] != "").all()
    plain = [m.value for m in at.markdown if m.value.startswith("Across ")]
    assert plain and "rank" not in plain[0] and "luck" not in plain[0]
    assert any("Spearman" in m.value for m in at.expander[0].markdown)


def test_open_answers_search_and_terms(app_test, demo_db_path, demo):
    at = open_tab(app_test(demo_db_path, "explore", role="evaluator"), "Open answers")
    at.selectbox(key="explore_open_version").set_value(demo["versions"][2]["id"]).run()
    at.text_input(key="explore_search").input("worker").run()
    assert not at.exception, [e.value for e in at.exception]
    answers = table_with(at, "Answer")
    assert len(answers) > 0
    assert all("worker" in a.lower() for a in answers["Answer"])
    terms = table_with(at, "Word or phrase")
    assert len(terms) > 0 and set(terms["Kind"]) <= {"Word", "Phrase"}
    # Plurals: one answer is "1 answer shown", never "1 answers".
    at.text_input(key="explore_search").input(answers["Answer"].iloc[0]).run()
    shown = next(m.value for m in at.markdown if " shown." in m.value)
    count = len(table_with(at, "Answer"))
    assert shown.startswith(f"{count} answer shown." if count == 1 else f"{count} answers shown.")


def test_a_masked_name_cannot_be_found_by_searching_for_it(app_test, demo_db_path, demo):
    from surveys.storage import now

    database = open_database(demo_db_path)
    version = demo["versions"][2]["id"]
    question = next(q for q in store.questions_for_version(database, version) if q["type"] == "long_text")
    interview = database.execute("SELECT id FROM interview WHERE version_id = ? AND consent = 'given' LIMIT 1",
                                 [version]).fetchone()[0]
    database.execute("DELETE FROM answer WHERE interview_id = ? AND question_id = ?", [interview, question["id"]])
    database.execute(
        "INSERT INTO answer (id, interview_id, question_id, value, word_count, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
        ["masked-1", interview, question["id"], "My name is Zebedee Quartermain and the council helped 😊", 9, now()])
    database.conn.close()
    at = open_tab(app_test(demo_db_path, "explore", role="evaluator"), "Open answers")
    at.selectbox(key="explore_open_version").set_value(version).run()
    at.text_input(key="explore_search").input("Quartermain").run()
    settle(at)
    assert not at.exception, [e.value for e in at.exception]
    assert len(table_with(at, "Answer")) == 0, "searching for a hidden name finds nothing"
    at.text_input(key="explore_search").input("council helped").run()
    found = table_with(at, "Answer")["Answer"].tolist()
    assert "My name is [name] and the council helped 😊" in found
    assert not any("Zebedee" in a for a in found)
    terms = " ".join(table_with(at, "Word or phrase")["Word or phrase"])
    assert "zebedee" not in terms.lower() and "quartermain" not in terms.lower()


def test_declined_interviews_are_neither_finished_nor_talked_with(app_test, demo_db_path, demo):
    database = open_database(demo_db_path)
    version = demo["versions"][2]["id"]
    # Someone who said no, whatever the made-up demo holds: no answers, consent declined.
    said_no = database.execute("SELECT id FROM interview WHERE version_id = ? AND consent = 'given' "
                               "ORDER BY id LIMIT 1", [version]).fetchone()[0]
    database.execute("DELETE FROM answer WHERE interview_id = ?", [said_no])
    database.execute("UPDATE interview SET consent = 'declined', status = 'submitted' WHERE id = ?", [said_no])
    declined, finished, taking_part = database.execute(
        "SELECT SUM(consent = 'declined'), SUM(consent = 'given' AND status = 'submitted'), SUM(consent = 'given') "
        "FROM interview WHERE version_id = ?", [version]).fetchone()
    database.conn.close()
    assert declined > 0, "the demo has people who said no"
    at = app_test(demo_db_path, "explore", role="evaluator")
    table = table_with(at, "Finished").set_index("Version")
    row = table.loc["Version 2: reworded together (Ready to use)"]
    assert (row["Finished"], row["Said no to taking part"]) == (finished, declined)
    open_tab(at, "You said, we did")
    at.selectbox(key="explore_summary_version").set_value(version).run()
    at.button(key="explore_make_summary").click().run()
    text = next(m.value for m in at.markdown if m.value.startswith("# You said, we did"))
    assert f"We talked with {taking_part:,} people" in text


def test_no_internal_names_in_tables_charts_or_menus(app_test, demo_db_path):
    from tests.test_plain_words import explore_page_words

    database = open_database(demo_db_path)
    internal = {r[0] for r in database.execute("SELECT name FROM question WHERE name LIKE '%\\_%' ESCAPE '\\'")}
    database.conn.close()
    assert "rough_sleeping_nights" in internal
    words = explore_page_words(app_test(demo_db_path, "explore", role="evaluator"))
    assert not [w for w in words.cells + words.chart_labels + words.menu_items if w in internal]
    assert not [w for w in words.cells if w in ("single_choice", "long_text", "multiple_choice", "yes_no")]


def test_version_chips_show_the_short_version_label(app_test, demo_db_path):
    at = app_test(demo_db_path, "explore", role="evaluator")
    box = at.multiselect(key="explore_versions")
    assert list(box.options) == ["Version 1: written by staff", "Version 2: reworded together"]


def test_you_said_we_did_is_made_on_request(app_test, demo_db_path, demo):
    at = open_tab(app_test(demo_db_path, "explore", role="evaluator"), "You said, we did")
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
    mood = questions["mood"]["wording"]
    assert questions_table.set_index("Question").loc[mood, "Answer quality (0 to 100)"] == 100.0


def test_every_download_is_safe_and_logged(app_test, demo_db_path, demo, monkeypatch):
    from tests.test_downloads import capture_downloads, formula_cells

    seen = capture_downloads(monkeypatch)
    database = open_database(demo_db_path)
    version = demo["versions"][2]["id"]
    question = next(q for q in store.questions_for_version(database, version) if q["type"] == "long_text")
    # Answers that a spreadsheet would run as formulas, in the open answers and the common words.
    database.execute("UPDATE answer SET value = '=HYPERLINK(\"http://x\",\"click\") worker', word_count = 3 "
                     "WHERE question_id = ? AND opt_out IS NULL AND word_count > 0", [question["id"]])
    database.conn.close()
    at = app_test(demo_db_path, "explore", role="evaluator")
    for tab in ("Questions", "Version against version", "Wording and quality", "Open answers", "You said, we did"):
        open_tab(at, tab)
        if tab == "Open answers":
            at.selectbox(key="explore_open_version").set_value(version).run()
            at.text_input(key="explore_search").input("worker").run()
        if tab == "You said, we did":
            at.button(key="explore_make_summary").click().run()
        assert not at.exception, [e.value for e in at.exception]
    buttons = {d["key"]: d for d in seen}
    assert len(buttons) >= 10
    made = {}
    for key, button in buttons.items():
        data = button["data"]()  # what the click makes (and logs), once per button
        made[key] = data = data.encode() if isinstance(data, str) else data
        if button["file_name"].endswith((".csv", ".xlsx")):  # the summary is a text document, not a table
            assert formula_cells(button["file_name"], data) == [], key
    assert any(b"'=HYPERLINK" in data for data in made.values()), "the formula text is there, made safe"
    database = open_database(demo_db_path)
    logged = database.execute("SELECT COUNT(*), COUNT(DISTINCT new_value) FROM audit_log WHERE action = 'download'"
                              ).fetchone()
    assert logged == (len(buttons), len(buttons)), "each download is in the log"


def test_new_open_answers_are_read_in_the_background_and_then_shown(app_test, demo_db_path, demo):
    import os

    from analysis import themes
    from surveys.storage import now

    at = open_tab(app_test(demo_db_path, "explore", role="evaluator"), "Open answers")
    assert not any("still being read" in c.value for c in at.caption), "everything is read"
    database = open_database(demo_db_path)
    version = demo["versions"][2]["id"]
    question = next(q for q in store.questions_for_version(database, version) if q["type"] == "long_text")
    interview = database.execute("SELECT id FROM interview WHERE version_id = ? AND consent = 'given' LIMIT 1",
                                 [version]).fetchone()[0]
    database.execute("DELETE FROM answer WHERE interview_id = ? AND question_id = ?", [interview, question["id"]])
    database.execute(
        "INSERT INTO answer (id, interview_id, question_id, value, word_count, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
        ["fresh-1", interview, question["id"], "My name is Priya Sandhu, ring 07700 900456 about the flat", 11, now()])
    database.conn.close()
    at.selectbox(key="explore_open_version").set_value(version).run()
    at.text_input(key="explore_search").input("about the flat").run()
    notes = [c.value for c in at.caption if "still being read" in c.value]
    if notes:  # the reader had not finished: the new answer is not shown, masked or not
        assert notes == ["1 new answer is still being read for personal details, so they are not shown yet. "
                         "Open this tab again in a moment."]
        assert len(table_with(at, "Answer")) == 0
    themes.wait_for_background_reading(os.environ["SURVEYS_DB"], 300)
    at.run()
    assert table_with(at, "Answer")["Answer"].tolist() == ["My name is [name], ring [phone] about the flat"]
    assert not any("still being read" in c.value for c in at.caption)
