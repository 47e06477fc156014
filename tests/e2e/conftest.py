"""Real-browser fixtures: one Streamlit server on a demo database, one chromium, a new page per test.

The server and the browser are made once for the whole session because each costs seconds;
every test gets a fresh browser context (no cookies, no session) so tests do not share state
through the browser. They do share the database: each flow makes its own rows and looks them
up by what it made, so the order of the tests does not matter.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError

from tests.conftest import as_admin

ROOT = Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "test-output" / "e2e"
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
DEMO_INTERVIEWS = 60

# Flags that keep chromium quiet and off the network: tests must pass with no internet.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
# Generous limits: a passing test never waits for them, and on 2 busy cores the first run of a page
# (loading the language model, working out figures) can take many seconds.
FIRST_LOAD_MS = 90_000
WAIT_MS = 45_000

# One account per kind, made in the test database before the app starts: (sign-in name, shown name,
# kind of account, part in the project). The password is long enough for the password rules.
ACCOUNTS = {
    "admin": ("e2e-admin", "Alex Admin", "admin", "admin"),
    "designer": ("e2e-sam", "Sam Peer", "designer", "peer_researcher"),
    "interviewer": ("e2e-ivy", "Ivy Asker", "interviewer", "interviewer"),
    "evaluator": ("e2e-eve", "Eve Looker", "evaluator", "evaluator"),
}
PASSWORD = "e2e-password-1234"

# A short published survey for the interview flows: the demo survey has 49 questions, too many to
# click through in a browser test, and the Design flow may publish a new demo version meanwhile.
SHORT_SURVEY = "Browser test survey"
SHORT_QUESTIONS = (
    {"name": "visits", "type": "single_choice", "wording": "How often do you come here?",
     "options": ["Every day", "Every week", "Less often"]},
    {"name": "worry", "type": "yes_no", "wording": "Is anything worrying you today?"},
    {"name": "best_thing", "type": "text", "wording": "What is the best thing about coming here?"},
    {"name": "change", "type": "long_text", "wording": "What is one thing we should change?"},
)

# Page names as the sidebar and the URL know them (pages/1_Design.py is served at /Design).
PAGE_URLS = {"home": "/", "design": "/Design", "interview": "/Interview", "explore": "/Explore", "admin": "/Admin"}


def find_chromium() -> str | None:
    """Return the path of Debian's chromium, or None when it is not installed."""
    if Path("/usr/bin/chromium").exists():
        return "/usr/bin/chromium"
    return shutil.which("chromium")


MISSING_CHROMIUM = ("The browser tests need chromium, and it is not installed. "
                    "Install it with: apt-get install chromium")


def require_chromium() -> str:
    """Return chromium's path; without it skip the test, but fail it on CI (CI=true), where it must be."""
    path = find_chromium()
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail(MISSING_CHROMIUM, pytrace=False)
        pytest.skip(MISSING_CHROMIUM)
    return path


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Return chromium's path (see require_chromium)."""
    return require_chromium()


def free_port() -> int:
    """Return a localhost port that nothing is listening on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_health(url: str, process: subprocess.Popen, log: Path, timeout: float = 90.0) -> None:
    """Return once the server answers ok on its health address; fail if it dies or is too slow."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"The app stopped before it was ready. Its output:\n{log.read_text()}", pytrace=False)
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    pytest.fail(f"The app was not ready after {timeout:.0f} s. Its output:\n{log.read_text()}", pytrace=False)


@dataclass(frozen=True)
class App:
    """The running app: where to reach it and which database it uses."""

    url: str
    db_path: Path

    def query(self, sql: str, params: tuple = ()) -> list[dict]:
        """Return rows of SQL run on the app's database, read-only, as dicts."""
        conn = sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True, timeout=10)
        conn.row_factory = sqlite3.Row
        try:
            return [dict(row) for row in conn.execute(sql, params)]
        finally:
            conn.close()


def prepare_database(db_path: Path) -> None:
    """Add one account of each kind (ACCOUNTS) and the short published survey to the database."""
    from surveys import accounts
    from surveys.storage import core as store
    from surveys.storage import open_database

    database = open_database(db_path)
    try:
        for username, name, role, person_role in ACCOUNTS.values():
            accounts.create_account(database, username, PASSWORD, role, name, actor=as_admin(database),
                                    person_role=person_role)
        survey_id = store.create_survey(database, SHORT_SURVEY, actor="e2e tests")
        version_id = store.create_version(database, survey_id, "Version 1", actor="e2e tests")
        for question in SHORT_QUESTIONS:
            store.add_question(database, version_id, actor="e2e tests", **question)
        store.set_version_status(database, version_id, "published", actor="e2e tests")
    finally:
        database.conn.close()


@pytest.fixture(scope="session")
def app_server(chromium_path, tmp_path_factory) -> Iterator[App]:
    """Start the app on a free port with a new demo database; stop it when the session ends."""
    OUTPUT.mkdir(parents=True, exist_ok=True)
    db_path = tmp_path_factory.mktemp("e2e") / "e2e.db"
    python = sys.executable
    demo = subprocess.run(
        [python, "-m", "surveys", "demo", "--db", str(db_path), "--interviews", str(DEMO_INTERVIEWS), "--seed", "8"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    if demo.returncode != 0:
        pytest.fail(f"Could not make the demo database:\n{demo.stdout}{demo.stderr}", pytrace=False)
    prepare_database(db_path)
    port = free_port()
    env = {**os.environ, "SURVEYS_DB": str(db_path), "PYTHONUNBUFFERED": "1"}
    log = OUTPUT / "server.log"
    with log.open("w") as log_file:
        process = subprocess.Popen(
            [python, "-m", "streamlit", "run", "app.py",
             "--server.port", str(port), "--server.address", "127.0.0.1", "--server.headless", "true",
             "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none",
             "--", "--db", str(db_path)],
            cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT,
        )
    try:
        wait_for_health(f"http://127.0.0.1:{port}/_stcore/health", process, log)
        yield App(url=f"http://127.0.0.1:{port}", db_path=db_path)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture(scope="session")
def browser(chromium_path) -> Iterator:
    """Return one chromium for the whole session, started by Playwright from Debian's package."""
    from playwright.sync_api import expect, sync_playwright

    # expect() has its own limit (5 s by default), apart from the page's.
    expect.set_options(timeout=WAIT_MS)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def _screenshot_name(nodeid: str) -> str:
    """Return a file-safe name for a test, e.g. test_page-design for test_page[design]."""
    name = nodeid.split("::")[-1]
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-")


@pytest.fixture
def page(browser, app_server, request) -> Iterator:
    """Return a new browser page in its own context; save a screenshot of the last screen after the test."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    context.set_default_timeout(WAIT_MS)
    new_page = context.new_page()
    try:
        yield new_page
    finally:
        name = _screenshot_name(request.node.nodeid)
        try:
            new_page.screenshot(path=str(OUTPUT / f"{name}.png"), full_page=True)
            # The words on the last screen too: a failure far down the page is not in the picture.
            try:
                (OUTPUT / f"{name}.txt").write_text(new_page.locator("body").inner_text(timeout=5_000))
            except PlaywrightError:
                pass  # the picture is what counts; the words are a help when they can be had
        finally:
            context.close()


def open_page(page, app: App, name: str) -> None:
    """Go to one of the app's pages and return once Streamlit has finished drawing it."""
    page.goto(app.url + PAGE_URLS[name], wait_until="domcontentloaded", timeout=FIRST_LOAD_MS)
    wait_until_idle(page, timeout=FIRST_LOAD_MS)


def wait_until_idle(page, timeout: int = WAIT_MS) -> None:
    """Return when the app has drawn and is not running the script (no "Running..." sign)."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout)
    # Streamlit marks its root with the script state; "notRunning" means the last run has ended.
    page.wait_for_function(
        """() => {
            const app = document.querySelector('[data-testid="stApp"]');
            return app !== null
                && app.getAttribute('data-test-script-state') === 'notRunning'
                && app.getAttribute('data-test-connection-state') === 'CONNECTED'
                && document.querySelector('[data-testid="stSkeleton"]') === null;
        }""",
        timeout=timeout,
    )


def sign_in(page, app: App, role: str, where: str = "home") -> None:
    """Open a page, sign in with the account for ROLE as a person would, and wait for the page."""
    username, name, _role, _person_role = ACCOUNTS[role]
    open_page(page, app, where)
    page.get_by_role("textbox", name="Sign-in name").fill(username)
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text(f"Signed in as {name}").wait_for()
    wait_until_idle(page)


def tab_to(page, target, *, max_presses: int = 120, key: str = "Tab", check_focus_shows: bool = False) -> None:
    """Press Tab (or KEY, e.g. "Shift+Tab") until TARGET, a locator, has the keyboard focus.

    Fails when TARGET cannot be reached: a control the keyboard cannot reach is a bug. With
    CHECK_FOCUS_SHOWS, also fails when the focus cannot be seen (WCAG 2.4.7 Focus Visible).
    """
    target.wait_for()
    for _ in range(max_presses):
        if target.evaluate("el => el === document.activeElement || el.contains(document.activeElement)"):
            if check_focus_shows:
                assert_focus_shows(page, str(target))
            return
        page.keyboard.press(key)
    pytest.fail(f"{target} could not be reached with {key} in {max_presses} presses.", pytrace=False)


# The box around the focused control, or around its label when the control itself is hidden
# (Streamlit hides the round button of a radio choice under its words).
_FOCUS_BOX_JS = """() => {
    let el = document.activeElement;
    el = el.closest('label') || el;
    while (el && el.getBoundingClientRect().width < 8 && el.parentElement) el = el.parentElement;
    el.scrollIntoView({block: 'center'});
    const r = el.getBoundingClientRect();
    const pad = 8;
    return {x: Math.max(0, r.x - pad), y: Math.max(0, r.y - pad), width: r.width + 2 * pad, height: r.height + 2 * pad};
}"""


def assert_focus_shows(page, what: str) -> None:
    """Fail when the focused control looks the same with and without the focus."""
    box = page.evaluate(_FOCUS_BOX_JS)
    focused = page.screenshot(clip=box, animations="disabled", caret="hide")
    page.evaluate("() => { window.__e2eFocus = document.activeElement; document.activeElement.blur(); }")
    plain = page.screenshot(clip=box, animations="disabled", caret="hide")
    # Give the focus back where it was, so the next Tab goes on from here.
    page.evaluate("() => window.__e2eFocus.focus({focusVisible: true})")
    changed = changed_pixels(focused, plain)
    assert changed >= FOCUS_MIN_PIXELS, f"The keyboard focus on {what} cannot be seen ({changed} pixels change)."


# WCAG 2.4.7 (AA) asks that the focus is visible at all: at least this many pixels must change by
# at least FOCUS_MIN_CHANGE (out of 255, on the channel that changed most). A 1-pixel ring round a
# 40 by 20 box is about 120 pixels. Streamlit's mark on a radio choice is a pale grey behind its
# words (238, 238, 232 on white: a change of 17 to 23), which passes this but is faint.
FOCUS_MIN_PIXELS = 60
FOCUS_MIN_CHANGE = 16


def changed_pixels(png_a: bytes, png_b: bytes) -> int:
    """Return how many pixels differ clearly between two same-sized PNG pictures."""
    import io

    from PIL import Image, ImageChops

    a = Image.open(io.BytesIO(png_a)).convert("RGB")
    b = Image.open(io.BytesIO(png_b)).convert("RGB")
    diff = ImageChops.difference(a, b)
    # The greatest change of the three colour channels, pixel by pixel, then count the clear ones.
    greatest = ImageChops.lighter(ImageChops.lighter(*diff.split()[:2]), diff.split()[2])
    return sum(greatest.point(lambda v: 255 if v >= FOCUS_MIN_CHANGE else 0).histogram()[255:])
