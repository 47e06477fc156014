"""An interviewer asks the short survey in a real browser: consent, answers, a skip, a note,
a reloaded tab in the middle (still signed in, on the same question, nothing lost), and sending
it in. Then: a reload after the idle time asks for the password again; a day later, a sent-in
interview is found by its code and an answer is changed with a reason.

The same flow is then done with the keyboard alone (Tab, Shift+Tab, Enter, Space and typing),
as a person who cannot use a mouse would.

Moving the clock: the app reads a number of seconds to add to its clock from the file named by
SURVEYS_TEST_CLOCK_SHIFT_FILE (surveys/sessions.py). This module sets that variable when it is
imported, before the shared app server starts (pytest imports every test module first), and
puts the clock back after each test that moves it.
"""

from __future__ import annotations

import atexit
import os
import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

from surveys.sessions import CLOCK_SHIFT_ENV

from tests.e2e.conftest import (
    ACCOUNTS, PASSWORD, SHORT_QUESTIONS, SHORT_SURVEY, App, open_page, sign_in, tab_to, wait_until_idle,
)

pytestmark = pytest.mark.e2e

QUESTION = {q["name"]: q["wording"] for q in SHORT_QUESTIONS}
CLOCK_FILE = Path(tempfile.gettempdir()) / f"pss-e2e-clock-{os.getpid()}"
CLOCK_FILE.write_text("0")
atexit.register(lambda: CLOCK_FILE.unlink(missing_ok=True))
os.environ.setdefault(CLOCK_SHIFT_ENV, str(CLOCK_FILE))


@pytest.fixture
def clock(app_server):
    """Return a function that moves the app's clock on by some seconds; put it back after the test."""
    path = Path(os.environ[CLOCK_SHIFT_ENV])

    def move(seconds: float) -> None:
        now = float(path.read_text() or 0) if path.exists() else 0.0
        path.write_text(str(now + seconds))

    yield move
    path.write_text("0")


def interview_rows(app: App, code: str) -> tuple[dict, dict[str, dict]]:
    """Return the interview with respondent CODE and its answers by question name, from the database."""
    [interview] = app.query("SELECT * FROM interview WHERE respondent_code = ?", (code,))
    answers = app.query(
        "SELECT q.name, a.value, a.opt_out, a.note, a.needed_explaining, a.word_count "
        "FROM answer a JOIN question q ON q.id = a.question_id WHERE a.interview_id = ?",
        (interview["id"],),
    )
    return interview, {row.pop("name"): row for row in answers}


def pick_short_survey(page) -> None:
    """Choose the short survey in the "Survey version" menu with the mouse."""
    page.get_by_role("combobox", name="Survey version").click()
    page.get_by_role("option", name=SHORT_SURVEY).click()
    expect(page.get_by_text("4 questions.")).to_be_visible()
    wait_until_idle(page)


def question_on_screen(page, name: str) -> None:
    """Wait until the question called NAME is the one on screen."""
    expect(page.get_by_text(QUESTION[name], exact=True)).to_be_visible()
    wait_until_idle(page)


def test_interview_with_a_reload_in_the_middle(page, app_server):
    code = "BT-1001"
    sign_in(page, app_server, "interviewer", "interview")
    pick_short_survey(page)
    page.get_by_role("textbox", name="Code for the person you are asking").fill(code)
    page.get_by_role("textbox", name="Code for the person you are asking").press("Enter")
    wait_until_idle(page)
    page.get_by_role("button", name="They agree").click()

    question_on_screen(page, "visits")
    expect(page.get_by_text("Question 1 of 4")).to_be_visible()
    # The round button itself is hidden under its label, so click the words, as a person does.
    page.get_by_role("radiogroup").get_by_text("Every week", exact=True).click()
    expect(page.get_by_role("radio", name="Every week")).to_be_checked()
    page.get_by_role("button", name="Save and go on").click()

    question_on_screen(page, "worry")
    page.get_by_role("button", name="Skip").click()

    question_on_screen(page, "best_thing")
    note = page.get_by_role("textbox", name="Anything else about this question")
    note.fill("They laughed at the word service.")
    page.get_by_text("I had to explain it", exact=True).click()  # moving away saves the note too
    expect(page.get_by_text("Note saved").first).to_be_visible()
    wait_until_idle(page)
    answer = page.get_by_placeholder("Type the answer, then press Enter")
    answer.fill("The staff are kind to me")
    answer.press("Enter")

    question_on_screen(page, "change")
    expect(page.get_by_text("Question 4 of 4")).to_be_visible()
    # Mid-interview the tab is reloaded: the interviewer stays signed in and lands on the same question.
    page.reload(wait_until="domcontentloaded")
    wait_until_idle(page)
    username, name, _role, _person_role = ACCOUNTS["interviewer"]
    expect(page.get_by_text(f"Signed in as {name}")).to_be_visible()
    expect(page.get_by_role("textbox", name="Password")).to_have_count(0)
    expect(page.get_by_text("Question 4 of 4")).to_be_visible()

    # What was saved is still there.
    question_on_screen(page, "change")
    page.get_by_role("button", name="Back").click()
    question_on_screen(page, "best_thing")
    expect(page.get_by_text("Saved answer: The staff are kind to me")).to_be_visible()
    expect(page.get_by_role("textbox", name="Anything else about this question")).to_have_value(
        "They laughed at the word service.")
    expect(page.get_by_role("checkbox", name="I had to explain it")).to_be_checked()
    page.get_by_role("button", name="Save and go on").click()  # nothing new typed: keeps the answer

    question_on_screen(page, "change")
    page.get_by_placeholder("Type the answer").fill("Open on Sundays too, please")
    page.get_by_role("button", name="Save and go on").click()

    expect(page.get_by_text("You reached the end")).to_be_visible()
    wait_until_idle(page)
    page.get_by_role("button", name="Send in the interview").click()
    expect(page.get_by_text("The interview is sent in. Thank you.")).to_be_visible()
    wait_until_idle(page)

    interview, answers = interview_rows(app_server, code)
    assert (interview["status"], interview["consent"], interview["mode"]) == ("submitted", "given", "one_at_a_time")
    assert interview["finished_at"] is not None
    assert answers == {
        "visits": {"value": "Every week", "opt_out": None, "note": "", "needed_explaining": 0, "word_count": 0},
        "worry": {"value": None, "opt_out": "skipped", "note": "", "needed_explaining": 0, "word_count": 0},
        "best_thing": {"value": "The staff are kind to me", "opt_out": None,
                       "note": "They laughed at the word service.", "needed_explaining": 1, "word_count": 6},
        "change": {"value": "Open on Sundays too, please", "opt_out": None, "note": "",
                   "needed_explaining": 0, "word_count": 5},
    }


def test_interview_with_the_keyboard_only(page, app_server):
    """Sign in, start, consent, answer, skip and send in without the mouse; the focus always shows."""
    code = "KB-2002"
    keys = page.keyboard
    open_page(page, app_server, "interview")
    username, name, _role, _person_role = ACCOUNTS["interviewer"]
    tab_to(page, page.get_by_role("textbox", name="Sign-in name"), check_focus_shows=True)
    keys.type(username)
    keys.press("Tab")
    keys.type(PASSWORD)
    keys.press("Enter")  # Enter in a form's box sends the form
    expect(page.get_by_text(f"Signed in as {name}")).to_be_visible()
    wait_until_idle(page)

    tab_to(page, page.get_by_role("combobox", name="Survey version"), check_focus_shows=True)
    keys.type("Browser test")
    keys.press("Enter")
    expect(page.get_by_text("4 questions.")).to_be_visible()
    wait_until_idle(page)
    tab_to(page, page.get_by_role("textbox", name="Code for the person you are asking"), check_focus_shows=True)
    keys.type(code)
    keys.press("Enter")
    wait_until_idle(page)
    tab_to(page, page.get_by_role("button", name="They agree"), check_focus_shows=True)
    keys.press("Enter")

    question_on_screen(page, "visits")
    tab_to(page, page.get_by_role("radiogroup"), check_focus_shows=True)
    keys.press("Space")  # Tab lands on the first choice; Space picks it
    expect(page.get_by_role("radio", name="Every day")).to_be_checked()
    tab_to(page, page.get_by_role("button", name="Save and go on"), check_focus_shows=True)
    keys.press("Enter")

    question_on_screen(page, "worry")
    tab_to(page, page.get_by_role("button", name="Skip"), check_focus_shows=True)
    keys.press("Space")

    question_on_screen(page, "best_thing")
    tab_to(page, page.get_by_placeholder("Type the answer, then press Enter"), check_focus_shows=True)
    keys.type("Somewhere warm to sit")
    keys.press("Enter")

    question_on_screen(page, "change")
    tab_to(page, page.get_by_placeholder("Type the answer"), check_focus_shows=True)
    keys.type("More time with my worker")
    tab_to(page, page.get_by_role("button", name="Save and go on"), check_focus_shows=True)
    keys.press("Enter")

    expect(page.get_by_text("You reached the end")).to_be_visible()
    wait_until_idle(page)
    tab_to(page, page.get_by_role("button", name="Send in the interview"), check_focus_shows=True)
    keys.press("Enter")
    expect(page.get_by_text("The interview is sent in. Thank you.")).to_be_visible()
    wait_until_idle(page)

    interview, answers = interview_rows(app_server, code)
    assert (interview["status"], interview["consent"]) == ("submitted", "given")
    assert {name: (row["value"], row["opt_out"]) for name, row in answers.items()} == {
        "visits": ("Every day", None),
        "worry": (None, "skipped"),
        "best_thing": ("Somewhere warm to sit", None),
        "change": ("More time with my worker", None),
    }


def start_short_interview(page, code: str) -> None:
    """Start the short survey for CODE, one question at a time, and wait for its first question."""
    pick_short_survey(page)
    box = page.get_by_role("textbox", name="Code for the person you are asking")
    box.fill(code)
    box.press("Enter")
    wait_until_idle(page)
    page.get_by_role("button", name="They agree").click()
    question_on_screen(page, "visits")


def type_password(page) -> None:
    username, name, _role, _person_role = ACCOUNTS["interviewer"]
    page.get_by_role("textbox", name="Sign-in name").fill(username)
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text(f"Signed in as {name}").wait_for()
    wait_until_idle(page)


def test_after_the_idle_time_a_reload_asks_for_the_password(page, app_server, clock):
    sign_in(page, app_server, "interviewer", "interview")
    start_short_interview(page, "BT-3003")
    page.get_by_role("radiogroup").get_by_text("Every day", exact=True).click()  # saved the moment it is picked
    wait_until_idle(page)
    page.reload(wait_until="domcontentloaded")
    wait_until_idle(page)
    expect(page.get_by_text("Saved answer: Every day")).to_be_visible()

    clock(31 * 60)  # 31 minutes later, with nothing done
    page.reload(wait_until="domcontentloaded")
    wait_until_idle(page)
    expect(page.get_by_text("You were signed out because nothing was done for 30 minutes.")).to_be_visible()
    expect(page.get_by_role("textbox", name="Password")).to_be_visible()
    # After the password, the interview carries on where it was, with its answer.
    type_password(page)
    question_on_screen(page, "visits")
    expect(page.get_by_text("Saved answer: Every day")).to_be_visible()
    interview, answers = interview_rows(app_server, "BT-3003")
    assert (interview["status"], answers["visits"]["value"]) == ("draft", "Every day")
    # Leave it for later and sign out, so the next sign-in of this account starts at the start.
    page.get_by_role("button", name="Stop for now").click()
    expect(page.get_by_text("Everything is saved. You can carry on later.")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("textbox", name="Password")).to_be_visible()


def test_a_day_later_a_sent_in_interview_is_found_by_code_and_changed_with_a_reason(page, app_server, clock):
    code = "BT-4004"
    sign_in(page, app_server, "interviewer", "interview")
    start_short_interview(page, code)
    page.get_by_role("radiogroup").get_by_text("Less often", exact=True).click()
    wait_until_idle(page)
    page.get_by_role("button", name="Save and go on").click()
    question_on_screen(page, "worry")
    for name in ("best_thing", "change"):  # the rest are skipped
        page.get_by_role("button", name="Skip").click()
        question_on_screen(page, name)
    page.get_by_role("button", name="Skip").click()
    expect(page.get_by_text("You reached the end")).to_be_visible()
    page.get_by_role("button", name="Send in the interview").click()
    expect(page.get_by_text("The interview is sent in. Thank you.")).to_be_visible()
    wait_until_idle(page)

    clock(24 * 3600)  # the next day
    page.reload(wait_until="domcontentloaded")
    wait_until_idle(page)
    type_password(page)  # a new sign-in starts at the start screen: the interview was sent in
    find = page.get_by_role("textbox", name="Find one by its code")
    find.fill(code.lower()[:5])
    find.press("Enter")
    wait_until_idle(page)
    row = page.locator('[data-testid="stHorizontalBlock"]').filter(has_text=f"{code} – {SHORT_SURVEY}")
    expect(row).to_have_count(1)
    row.get_by_role("button", name="Open").click()
    expect(page.get_by_text("This interview is sent in.")).to_be_visible()
    wait_until_idle(page)

    page.get_by_role("radiogroup", name="New answer").get_by_text("Every week", exact=True).click()
    wait_until_idle(page)
    page.get_by_role("textbox", name="Why are you changing it?").fill("They said every week, I pressed the wrong one")
    page.get_by_role("textbox", name="Why are you changing it?").press("Enter")
    wait_until_idle(page)
    page.get_by_role("button", name="Save the change").click()
    expect(page.get_by_text("The change is saved. The old answer is kept in the log.")).to_be_visible()
    wait_until_idle(page)

    interview, answers = interview_rows(app_server, code)
    assert (interview["status"], answers["visits"]["value"]) == ("submitted", "Every week")
    [entry] = app_server.query(
        "SELECT actor, old_value, new_value FROM audit_log WHERE action = 'edit answer after submit' "
        "AND new_value LIKE ?", (f'%{interview["id"]}%',))
    assert entry["actor"] == ACCOUNTS["interviewer"][1]
    assert '"value": "Less often"' in entry["old_value"]
    assert "I pressed the wrong one" in entry["new_value"]
