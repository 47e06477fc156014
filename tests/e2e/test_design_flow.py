"""A peer researcher rewords a question with the group in a real browser: edit it, use the
checker's suggestion, propose a better wording, the group agrees, it is adopted, and the new
version is published."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ACCOUNTS, App, sign_in, wait_until_idle

pytestmark = pytest.mark.e2e

DEMO_SURVEY = "Client feedback survey (synthetic demo)"
QUESTION_NAME = "worker_listens"
TYPED = "Does your keyworker listen to you?"  # "keyworker" is jargon; the checker suggests other words
PROPOSED = "Does your support worker listen to what you say?"


def flash(page, text: str) -> None:
    """Wait for the page's message after an action, and for the run to end."""
    expect(page.get_by_text(text)).to_be_visible()
    wait_until_idle(page)


def choose(page, menu: str, option: str) -> None:
    """Pick OPTION (a part of its words) in the drop-down menu labelled MENU, typing to find it."""
    box = page.get_by_role("combobox", name=menu, exact=True)
    box.click()
    box.fill(option)
    page.get_by_role("option", name=option).first.click()
    wait_until_idle(page)


# What shows once each part of the Design page is open (the old part can linger while the page reruns).
PART_SHOWS = {"Edit": "Save wording", "Proposals": "Propose", "Versions": "Publish this version"}


def part(page, name: str) -> None:
    """Open a part of the Design page ("Edit", "Proposals", "Versions") and wait for it."""
    page.get_by_role("radiogroup", name="What do you want to do?").get_by_text(name, exact=True).click()
    expect(page.get_by_role("button", name=PART_SHOWS[name], exact=True)).to_be_visible()
    wait_until_idle(page)


def test_group_rewords_a_question_and_publishes(page, app_server: App):
    [v2] = app_server.query(
        "SELECT v.id, v.label FROM survey_version v JOIN survey s ON s.id = v.survey_id "
        "WHERE s.name = ? AND v.number = 2", (DEMO_SURVEY,))
    [original] = app_server.query(
        "SELECT wording, lineage_id FROM question WHERE version_id = ? AND name = ?", (v2["id"], QUESTION_NAME))
    [other] = app_server.query("SELECT id, display_name FROM person WHERE display_name = 'Jo (demo)'")
    designer = ACCOUNTS["designer"][1]

    sign_in(page, app_server, "designer", "design")
    choose(page, "Survey version", v2["label"])
    page.get_by_role("button", name="Start a new draft version").click()
    flash(page, "A new draft version is ready.")
    # The draft just made: the newest version of the demo survey.
    [draft] = app_server.query(
        "SELECT id, number, status FROM survey_version WHERE based_on_id = ? ORDER BY number DESC LIMIT 1",
        (v2["id"],))
    assert draft["status"] == "draft"

    # Edit: type a wording with a hard word, then take the checker's suggestion and save.
    part(page, "Edit")
    choose(page, "Question", original["wording"])
    box = page.get_by_role("textbox", name="The question")
    expect(box).to_have_value(original["wording"])
    box.fill(TYPED)
    box.press("Tab")  # leaving the box sends the new words, and the checks run on them
    expect(page.get_by_text('"keyworker" is a service word')).to_be_visible()
    wait_until_idle(page)
    # The flag's box holds its message and its button.
    flag = page.get_by_test_id("stVerticalBlock").filter(has_text='"keyworker" is a service word').filter(
        has=page.get_by_role("button", name="Use this suggestion")).last
    flag.get_by_role("button", name="Use this suggestion").click()
    expect(box).to_have_value("Does your support worker listen to you?")
    wait_until_idle(page)
    applied = box.input_value()
    page.get_by_role("button", name="Save wording").click()
    flash(page, "The new wording is saved.")
    [saved] = app_server.query(
        "SELECT id, wording FROM question WHERE version_id = ? AND lineage_id = ?",
        (draft["id"], original["lineage_id"]))
    assert saved["wording"] == applied

    # Proposals: Sam proposes, Sam and Jo agree, the group marks it agreed and adopts it.
    part(page, "Proposals")
    # The question chosen before the save should still be the one on screen; it is checked at the
    # end (see the last assert), and chosen again here so the rest of the flow can be checked too.
    shown_after_save = page.locator("p", has_text="Wording now:").inner_text()
    choose(page, "Question", applied)
    expect(page.get_by_text(f"Wording now: {applied}")).to_be_visible()
    page.get_by_role("textbox", name="New wording").fill(PROPOSED)
    page.get_by_role("textbox", name="Why is it better?").fill("People said it in the workshop")
    page.get_by_role("textbox", name="Why is it better?").press("Tab")
    wait_until_idle(page)
    page.get_by_role("button", name="Propose", exact=True).click()
    flash(page, "Your wording is proposed.")
    for speaker in (designer, other["display_name"]):
        choose(page, "Who is speaking? (in a group, pick the person whose idea it is)", speaker)
        page.get_by_role("radiogroup", name="How do you feel about this wording?").get_by_text(
            "Agree", exact=True).click()
        page.get_by_role("button", name="Save my reaction").click()
        flash(page, "Your reaction is saved.")
    expect(page.get_by_text("2 agree. No one blocks.")).to_be_visible()
    page.get_by_role("button", name="Mark as agreed").click()
    flash(page, "The group agrees with this wording.")
    page.get_by_role("button", name="Adopt: use this wording").click()
    flash(page, "The wording is now in the draft version.")

    # Versions: publish the draft.
    part(page, "Versions")
    page.get_by_text("The group has checked every question", exact=True).click()
    wait_until_idle(page)
    page.get_by_role("button", name="Publish this version").click()
    flash(page, "This version is published and ready to use.")

    [version] = app_server.query("SELECT status, published_at FROM survey_version WHERE id = ?", (draft["id"],))
    assert version["status"] == "published" and version["published_at"]
    [question] = app_server.query("SELECT wording FROM question WHERE id = ?", (saved["id"],))
    assert question["wording"] == PROPOSED
    [proposal] = app_server.query(
        "SELECT p.id, p.status, p.wording, per.display_name AS author FROM proposal p "
        "JOIN person per ON per.id = p.author_id WHERE p.wording = ?", (PROPOSED,))
    assert (proposal["status"], proposal["author"]) == ("adopted", designer)
    reactions = app_server.query(
        "SELECT per.display_name AS name, r.stance FROM proposal_reaction r JOIN person per ON per.id = r.person_id "
        "WHERE r.proposal_id = ? ORDER BY name", (proposal["id"],))
    expected = [{"name": designer, "stance": "agree"}, {"name": other["display_name"], "stance": "agree"}]
    assert reactions == sorted(expected, key=lambda r: r["name"])
    # Both earlier wordings are kept in the history: the demo's, then the one with the suggestion.
    history = [row["wording"] for row in app_server.query(
        "SELECT wording FROM wording_history WHERE question_id = ? ORDER BY rowid", (saved["id"],))]
    assert history == [original["wording"], applied]
    # The published version the interviewers now get asks the adopted wording.
    assert app_server.query(
        "SELECT q.wording FROM question q JOIN survey_version v ON v.id = q.version_id "
        "WHERE v.status = 'published' AND q.lineage_id = ? AND v.id = ?", (original["lineage_id"], draft["id"])
    ) == [{"wording": PROPOSED}]

    # Saving a wording must not move the question picker to another question: a proposal made
    # next would land on the wrong question. (Streamlit keeps the picker's old label, which has
    # the old wording in it; the page then falls back to question 1.)
    assert shown_after_save == f"Wording now: {applied}", (
        "After Save wording, the Design page showed another question: " + shown_after_save)
