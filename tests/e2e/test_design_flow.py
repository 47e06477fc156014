"""A peer researcher rewords a question with the group in a real browser: edit it, use the
checker's suggestion, propose a better wording, the group agrees, it is adopted, and the new
version is published."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ACCOUNTS, WAIT_MS, App, sign_in, wait_until_idle

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
    # On a busy machine the box of the question shown before can linger while the page reruns.
    expect(box).to_have_count(1, timeout=30000)
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

    # Versions: publish the draft. Version 2 is ready to use, so the page asks what happens to it;
    # the group keeps it (other browser tests still use it).
    part(page, "Versions")
    page.get_by_role("radiogroup").filter(has_text="Keep it ready to use too").get_by_text(
        "Keep it ready to use too", exact=False).click()
    wait_until_idle(page)
    page.get_by_text("The group has checked every question", exact=True).click()
    wait_until_idle(page)
    page.get_by_role("button", name="Publish this version").click()
    flash(page, "This version is published and ready to use.")

    [version] = app_server.query("SELECT status, published_at FROM survey_version WHERE id = ?", (draft["id"],))
    assert version["status"] == "published" and version["published_at"]
    assert app_server.query("SELECT status FROM survey_version WHERE id = ?", (v2["id"],)) == [{"status": "published"}]
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


# ---- a group at work: live checks, two people at once, the workshop view ----------------------


def make_draft_survey(app: App, questions: int = 3) -> dict:
    """Add a new survey with a draft version of QUESTIONS questions; return its name, label and ids."""
    import uuid

    from surveys.storage import core as store
    from surveys.storage import open_database

    name = f"Group test {uuid.uuid4().hex[:6]}"
    db = open_database(app.db_path)
    try:
        survey_id = store.create_survey(db, name, actor="e2e tests")
        version_id = store.create_version(db, survey_id, f"Draft {name}", actor="e2e tests")
        ids = [store.add_question(db, version_id, name=f"q{i}", type="text", actor="e2e tests",
                                  wording=f"Question number {i}: how was your visit today?")
               for i in range(1, questions + 1)]
    finally:
        db.conn.close()
    return {"label": f"Draft {name}", "version_id": version_id, "question_ids": ids}


def new_context(browser, height: int = 900):
    """Return a fresh browser context (no cookies, no session), as the page fixture makes them."""
    context = browser.new_context(viewport={"width": 1280, "height": height})
    context.set_default_timeout(WAIT_MS)
    return context


def keep_last_screen(page, name: str) -> None:
    """Save the last screen of a page made in its own context (the page fixture does this for its page)."""
    from tests.e2e.conftest import OUTPUT

    try:
        page.screenshot(path=str(OUTPUT / f"{name}.png"), full_page=True)
        (OUTPUT / f"{name}.txt").write_text(page.locator("body").inner_text(timeout=5_000))
    except Exception:  # noqa: BLE001 - the picture is a help, never the reason a test fails
        pass


def open_edit(page, app: App, role: str, draft: dict) -> None:
    sign_in(page, app, role, "design")
    choose(page, "Survey version", draft["label"])
    part(page, "Edit")


def score(page) -> str:
    return page.get_by_test_id("stMetricValue").first.inner_text()


def test_checks_follow_the_typing_without_leaving_the_box(page, app_server: App):
    draft = make_draft_survey(app_server)
    open_edit(page, app_server, "designer", draft)
    box = page.get_by_role("textbox", name="The question")
    expect(box).to_have_value("Question number 1: how was your visit today?")
    before = score(page)
    box.click()
    box.press_sequentially("Are you an addict? ", delay=20)
    # No Tab, no click elsewhere, no Ctrl+Enter: the score and flags change while the box has the focus.
    expect(page.get_by_text("Words that label people").or_(page.get_by_text("Stigmatising"))).to_be_visible()
    expect(page.get_by_test_id("stMetricValue").first).not_to_have_text(before)
    assert box.evaluate("el => el.getRootNode().activeElement === el"), "the box kept the keyboard focus"
    assert int(score(page)) < int(before)


def test_two_people_saving_at_once_never_lose_a_wording(browser, app_server: App):
    draft = make_draft_survey(app_server)
    question_id = draft["question_ids"][0]
    sams, alexs = "How was your visit here today?", "Tell us about your visit today."
    contexts = [new_context(browser) for _ in range(2)]
    try:
        sam, alex = (context.new_page() for context in contexts)
        open_edit(sam, app_server, "designer", draft)
        open_edit(alex, app_server, "admin", draft)
        for person, words in ((sam, sams), (alex, alexs)):
            box = person.get_by_role("textbox", name="The question")
            box.fill(words)
            box.press("Tab")
            wait_until_idle(person)
        sam.get_by_role("button", name="Save wording").click()
        flash(sam, "The new wording is saved.")
        alex.get_by_role("button", name="Save wording").click()
        expect(alex.get_by_text("saved this question after you opened it")).to_be_visible()
        wait_until_idle(alex)
        # Both wordings side by side, and nothing of Alex's is saved over Sam's.
        both = alex.get_by_test_id("stVerticalBlock").filter(has_text="Your words (not saved)").filter(
            has_text=f"Saved by {ACCOUNTS['designer'][1]}").last
        expect(both.get_by_text(sams, exact=True)).to_be_visible()
        expect(both.get_by_text(alexs, exact=True).first).to_be_visible()
        assert not alex.get_by_text("The new wording is saved.").is_visible()
        [row] = app_server.query("SELECT wording FROM question WHERE id = ?", (question_id,))
        assert row["wording"] == sams
        alex.get_by_role("button", name="Keep mine as a proposal").click()
        flash(alex, "Your words are now a proposal")
        expect(alex.get_by_role("textbox", name="The question")).to_have_value(sams)
        proposals = app_server.query(
            "SELECT p.wording, per.display_name AS author FROM proposal p JOIN person per ON per.id = p.author_id "
            "WHERE p.question_id = ?", (question_id,))
        assert proposals == [{"wording": alexs, "author": ACCOUNTS["admin"][1]}]
        history = app_server.query("SELECT wording FROM wording_history WHERE question_id = ?", (question_id,))
        assert history == [{"wording": "Question number 1: how was your visit today?"}], "one change, Sam's"
    finally:
        for name, context in zip(("sam", "alex"), contexts):
            for shown in context.pages:
                keep_last_screen(shown, f"test_two_people_saving_at_once-{name}")
            context.close()


def test_workshop_fits_a_projector_and_no_click_is_lost(browser, app_server: App):
    draft = make_draft_survey(app_server, questions=25)
    context = new_context(browser, height=720)
    try:
        page = context.new_page()
        sign_in(page, app_server, "designer", "design")
        choose(page, "Survey version", draft["label"])
        page.get_by_role("radiogroup", name="What do you want to do?").get_by_text("Workshop", exact=True).click()
        wording = page.get_by_role("heading", name="Question number 1: how was your visit today?")
        expect(wording).to_be_visible()
        wait_until_idle(page)
        box = wording.bounding_box()
        assert box["y"] + box["height"] <= 720, f"the question ends at {box['y'] + box['height']:.0f} px, below the screen"
        nav = page.get_by_role("navigation", name="Move between questions")
        for _ in range(3):
            nav.get_by_role("button", name="Next").click()
            page.wait_for_timeout(250)
        page.keyboard.press("ArrowRight")
        page.keyboard.press("PageDown")  # what a presentation clicker sends
        expect(nav).to_contain_text("6 of 25")
        expect(page.get_by_role("heading", name="Question number 6: how was your visit today?")).to_be_visible()
        page.keyboard.press("PageUp")
        expect(page.get_by_role("heading", name="Question number 5: how was your visit today?")).to_be_visible()
        wait_until_idle(page)
        choose(page, "Go to question", "23. Question number 23")
        expect(page.get_by_role("heading", name="Question number 23: how was your visit today?")).to_be_visible()
        expect(nav).to_contain_text("23 of 25")
    finally:
        for shown in context.pages:
            keep_last_screen(shown, "test_workshop_fits_a_projector")
        context.close()
