"""An evaluator compares the two demo versions in Explore and downloads the figures as CSV;
every row of the file must say what the database says."""

from __future__ import annotations

import csv
import io

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import App, sign_in, wait_until_idle

pytestmark = pytest.mark.e2e

DEMO_SURVEY = "Client feedback survey (synthetic demo)"


def demo_versions(app: App) -> tuple[dict, dict]:
    """Return the demo survey's version 1 and version 2 rows."""
    rows = app.query(
        "SELECT v.* FROM survey_version v JOIN survey s ON s.id = v.survey_id "
        "WHERE s.name = ? AND v.number IN (1, 2) ORDER BY v.number", (DEMO_SURVEY,))
    assert len(rows) == 2
    return rows[0], rows[1]


def counts_by_question(app: App, version_id: str) -> dict[str, dict]:
    """Return, for each question (not notes) of a version, its wording and answer counts from SQL."""
    rows = app.query(
        "SELECT q.id, q.name, q.wording, q.lineage_id, COUNT(a.id) AS asked, "
        "COALESCE(SUM(a.opt_out = 'skipped'), 0) AS skipped, COALESCE(SUM(a.opt_out = 'dont_know'), 0) AS dont_know, "
        "COALESCE(SUM(a.opt_out = 'prefer_not_to_say'), 0) AS prefer_not, "
        "COALESCE(SUM(a.needed_explaining), 0) AS explained, COALESCE(SUM(a.upsetting), 0) AS upset "
        "FROM question q LEFT JOIN answer a ON a.question_id = q.id "
        "WHERE q.version_id = ? AND q.type != 'note' GROUP BY q.id", (version_id,))
    return {row["id"]: row for row in rows}


def download_csv(page, button_name: str) -> tuple[str, list[dict]]:
    """Click the first download button called BUTTON_NAME on the open tab; return the file's name and rows."""
    with page.expect_download() as info:
        # The tab has two buttons with the same words (the table, and the figures for one question);
        # the table's comes first.
        tab = page.get_by_role("tabpanel", name="Version against version")
        tab.get_by_role("button", name=button_name).first.click()
    download = info.value
    text = open(download.path(), encoding="utf-8").read()
    return download.suggested_filename, list(csv.DictReader(io.StringIO(text)))


def number(text: str) -> float:
    """Return a CSV cell as a number (pandas writes counts as 12.0)."""
    return float(text)


def test_evaluator_compares_versions_and_downloads_csv(page, app_server):
    version_1, version_2 = demo_versions(app_server)
    sign_in(page, app_server, "evaluator", "explore")
    expect(page.get_by_role("heading", name="Explore")).to_be_visible()
    # Other tests may add a survey with interviews; the evaluator picks the demo survey by name.
    page.get_by_role("combobox", name="Survey").click()
    page.get_by_role("option", name=DEMO_SURVEY).click()
    wait_until_idle(page)
    expect(page.get_by_text("Version 1: ").first).to_be_visible()
    expect(page.get_by_text("Version 2: ").first).to_be_visible()
    # Each picked version's name can be read in full: no chip is cut short.
    chips = page.locator('[data-tag] > span[title]')
    assert chips.count() >= 2
    cut = chips.evaluate_all("els => els.filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.innerText)")
    assert cut == [], f"version names cut short: {cut}"
    # The figures at the top of the page can be read in full too ("95/100", not "95 out o…").
    figures = page.locator('[data-testid="stMetricValue"]')
    expect(figures.first).to_be_visible()
    cut = figures.evaluate_all(
        "els => els.flatMap(e => [e, ...e.querySelectorAll('*')])"
        ".filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.innerText)")
    assert cut == [], f"figures cut short: {cut}"

    page.get_by_role("tab", name="Version against version").click()
    expect(page.get_by_text("got clearly better answers to")).to_be_visible()
    wait_until_idle(page)
    expect(page.get_by_role("combobox", name="Version A (before)")).to_have_value(
        f"{version_1['label']} (No longer used)")
    expect(page.get_by_role("combobox", name="Version B (after)")).to_have_value(
        f"{version_2['label']} (Ready to use)")

    page.get_by_text("Exact figures for one question").click()
    wait_until_idle(page)
    name, rows = download_csv(page, "Download every figure")
    assert name == "compare_all_figures.csv"
    counts_a = counts_by_question(app_server, version_1["id"])
    counts_b = counts_by_question(app_server, version_2["id"])
    # One row for each question in either version, paired by lineage.
    lineages = {q["lineage_id"] for q in counts_a.values()} | {q["lineage_id"] for q in counts_b.values()}
    assert sorted(row["lineage_id"] for row in rows) == sorted(lineages)
    for row in rows:
        for side, counts in (("a", counts_a), ("b", counts_b)):
            question = counts.get(row[f"question_id_{side}"])
            if question is None:  # a question only in the other version
                assert row[f"question_id_{side}"] == ""
                continue
            assert question["lineage_id"] == row["lineage_id"]
            assert row[f"wording_{side}"] == question["wording"]
            asked = question["asked"]
            assert number(row[f"asked_{side}"]) == asked, (row["name"], side)
            # The file gives shares; share x times asked must give back the count in the database.
            for measure in ("skipped", "dont_know", "prefer_not", "explained", "upset"):
                cell = row[f"{measure}_rate_{side}"]
                if asked == 0:
                    assert cell == "", (row["name"], side, measure)
                else:
                    assert number(cell) * asked == pytest.approx(question[measure]), (row["name"], side, measure)

    # The table as shown on screen, as a file: same questions and wordings.
    name, shown = download_csv(page, "Download the comparison")
    assert name == "compare.csv"
    in_both = {r["wording_b"] for r in rows if r["question_id_a"] and r["question_id_b"]}
    # The safe writer starts the file with a byte-order mark, so Excel reads it as UTF-8.
    assert {next(v for k, v in r.items() if k.lstrip("\ufeff") == "Question") for r in shown} == in_both
