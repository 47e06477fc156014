"""Every page, as the people who use it see it, checked with axe-core in the browser.

A serious or critical finding fails the test, with the rule, what it asks and the elements it
found. Axe's full answer (including what it could not decide, such as contrast over an image) is
saved to test-output/e2e/axe-<page>.json for a person to read.

Axe runs every rule it has on by default plus target-size (WCAG 2.2 AA, 2.5.8: things to click are
at least 24 by 24 pixels), which axe leaves off unless asked. Contrast (WCAG 1.4.3) is axe's
color-contrast rule; text size is checked here too: no text smaller than 12 pixels, and the
theme's body text is at least 16 pixels.
"""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import AXE_JS, OUTPUT, SHORT_SURVEY, App, open_page, sign_in, wait_until_idle

pytestmark = pytest.mark.e2e

FAIL_IMPACTS = ("serious", "critical")
AXE_OPTIONS = {"rules": {"target-size": {"enabled": True}}, "resultTypes": ["violations", "incomplete"]}


def run_axe(page, name: str) -> dict:
    """Return axe-core's results for the page as it is now, and save them as JSON."""
    if not AXE_JS.exists():
        pytest.fail("axe-core is not installed. Run: npm ci --no-audit --no-fund", pytrace=False)
    page.add_script_tag(path=str(AXE_JS))
    results = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
    (OUTPUT / f"axe-{name}.json").write_text(json.dumps(
        {"url": results["url"], "violations": results["violations"], "incomplete": results["incomplete"]},
        indent=2))
    return results


def describe(violations: list[dict]) -> str:
    """Return the violations as lines a person can act on: rule, impact, help, and each element."""
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']} – {v['helpUrl']}")
        for node in v["nodes"]:
            summary = " ".join(node.get("failureSummary", "").split())
            lines.append(f"    {' > '.join(map(str, node['target']))}\n      {node['html'][:300]}\n      {summary}")
    return "\n".join(lines)


def assert_no_serious_violations(page, name: str) -> None:
    """Fail listing every serious or critical axe violation on the page."""
    results = run_axe(page, name)
    bad = [v for v in results["violations"] if v["impact"] in FAIL_IMPACTS]
    assert not bad, f"axe found {len(bad)} serious or critical problems on {name}:\n{describe(bad)}"
    assert_undecided_contrast(page, results, name)


# For text axe could not judge (a pseudo element in the way, as on Streamlit's tab labels):
# the contrast of the text colour against the first solid background behind it, as WCAG counts it.
CONTRAST_JS = """
(selectors) => {
    const luminance = (rgb) => {
        const [r, g, b] = rgb.map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
        return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const parse = (css) => (css.match(/[\\d.]+/g) || []).map(Number);
    return selectors.map(selector => {
        const el = document.querySelector(selector);
        if (!el) return null;
        const style = getComputedStyle(el);
        let back = el, bg = null;
        while (back) {
            const c = parse(getComputedStyle(back).backgroundColor);
            if (c.length >= 3 && (c.length === 3 || c[3] === 1)) { bg = c.slice(0, 3); break; }
            back = back.parentElement;
        }
        bg = bg || [255, 255, 255];
        const fg = parse(style.color).slice(0, 3);
        const [hi, lo] = [luminance(fg), luminance(bg)].sort((a, b) => b - a);
        const size = parseFloat(style.fontSize), bold = parseInt(style.fontWeight) >= 700;
        const large = size >= 24 || (bold && size >= 18.66);
        return {selector, text: el.innerText.slice(0, 60), color: style.color, background: `rgb(${bg})`,
                ratio: (hi + 0.05) / (lo + 0.05), needed: large ? 3 : 4.5};
    });
}
"""


def assert_undecided_contrast(page, results: dict, name: str) -> None:
    """Work out the contrast axe left undecided (text on a pseudo element); fail under WCAG AA."""
    selectors = [
        node["target"][-1]
        for item in results["incomplete"] if item["id"] == "color-contrast"
        for node in item["nodes"]
        # An empty box has no text to read; axe asks for a value to be typed first.
        if not any("no value" in (check.get("message") or "") for check in node["any"])
    ]
    measured = [m for m in page.evaluate(CONTRAST_JS, selectors) if m is not None]
    assert len(measured) == len(selectors), "some elements axe named are gone"
    assert all(m["ratio"] >= 1 for m in measured), f"contrast could not be measured: {measured}"
    low = [m for m in measured if m["ratio"] < m["needed"]]
    assert not low, f"Text with too little contrast on {name}: {low}"


def assert_text_sizes(page, name: str) -> None:
    """Fail when visible text is smaller than 12 px or the body text is under 16 px."""
    sizes = page.evaluate(
        """() => {
            const small = [];
            const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
            while (walker.nextNode()) {
                const node = walker.currentNode;
                if (!node.textContent.trim()) continue;
                const el = node.parentElement;
                const box = el.getBoundingClientRect();
                const style = getComputedStyle(el);
                if (box.width === 0 || box.height === 0 || style.visibility === 'hidden') continue;
                if (el.closest('[aria-hidden="true"], script, style, noscript')) continue;
                const size = parseFloat(style.fontSize);
                if (size < 12) small.push([size, node.textContent.trim().slice(0, 60)]);
            }
            const p = document.querySelector('[data-testid="stMain"] [data-testid="stMarkdownContainer"] p');
            return {small, body: p ? parseFloat(getComputedStyle(p).fontSize) : null};
        }"""
    )
    assert sizes["small"] == [], f"Text under 12 px on {name}: {sizes['small']}"
    assert sizes["body"] is not None and sizes["body"] >= 16, f"Body text on {name} is {sizes['body']} px"


def start_short_interview(page, code: str) -> None:
    """Start an interview of the short survey so its first question is on screen."""
    page.get_by_role("combobox", name="Survey version").click()
    page.get_by_role("option", name=SHORT_SURVEY).click()
    expect(page.get_by_text("4 questions.")).to_be_visible()
    wait_until_idle(page)
    box = page.get_by_role("textbox", name="Code for the person you are asking")
    box.fill(code)
    box.press("Enter")
    wait_until_idle(page)
    page.get_by_role("button", name="They agree").click()
    expect(page.get_by_text("Question 1 of 4")).to_be_visible()
    wait_until_idle(page)


# (name, who signs in, page, what must be on screen before axe runs)
SCREENS = [
    ("home", "admin", "home", "What you can do here"),
    ("design", "designer", "design", "What do you want to do?"),
    ("interview-start", "interviewer", "interview", "Start a new interview"),
    ("explore", "evaluator", "explore", "Version against version"),
    ("admin", "admin", "admin", "People and accounts"),
]


def test_sign_in_page(page, app_server: App):
    open_page(page, app_server, "home")
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    assert_no_serious_violations(page, "sign-in")
    assert_text_sizes(page, "sign-in")


@pytest.mark.parametrize(("name", "role", "where", "landmark"), SCREENS, ids=[s[0] for s in SCREENS])
def test_page(page, app_server: App, name: str, role: str, where: str, landmark: str):
    sign_in(page, app_server, role, where)
    expect(page.get_by_text(landmark).first).to_be_visible()
    wait_until_idle(page)
    assert_no_serious_violations(page, name)
    assert_text_sizes(page, name)


def test_interview_question_screen(page, app_server: App):
    # The admin asks here, so the interviewer's own list of unfinished interviews stays as the
    # interview flow tests expect it.
    sign_in(page, app_server, "admin", "interview")
    start_short_interview(page, "AX-3003")
    assert_no_serious_violations(page, "interview-question")
    assert_text_sizes(page, "interview-question")


def test_design_edit_screen_with_flags(page, app_server: App):
    # The editor of a draft, with the checker's coloured highlights and flags on screen. A draft of
    # the short survey is used: drafts never show on the Interview page, so no other test sees it.
    sign_in(page, app_server, "designer", "design")
    menu = page.get_by_role("combobox", name="Survey version")
    menu.click()
    menu.fill(SHORT_SURVEY)
    page.get_by_role("option", name=f"{SHORT_SURVEY} – Version 1").click()
    wait_until_idle(page)
    page.get_by_role("button", name="Start a new draft version").click()
    expect(page.get_by_text("A new draft version is ready.")).to_be_visible()
    wait_until_idle(page)
    page.get_by_role("radiogroup", name="What do you want to do?").get_by_text("Edit", exact=True).click()
    # The Questions part has a box with the same name; wait until the Edit part has replaced it.
    expect(page.get_by_role("button", name="Save wording")).to_be_visible()
    wait_until_idle(page)
    box = page.get_by_role("textbox", name="The question")
    box.fill("How often do you attend appointments with your keyworker?")
    box.press("Tab")
    expect(page.get_by_text('"keyworker" is a service word')).to_be_visible()
    wait_until_idle(page)
    assert_no_serious_violations(page, "design-edit")
    assert_text_sizes(page, "design-edit")


def test_the_check_fails_on_a_serious_problem(page, app_server: App):
    # Proof the check can fail: pale grey words and an unnamed button put into the sign-in page.
    open_page(page, app_server, "home")
    page.evaluate("""() => {
        const main = document.querySelector('[data-testid="stMain"]');
        main.insertAdjacentHTML('beforeend',
            '<p style="color:#c8c8c8;background:#fff">Pale words</p><button></button>');
    }""")
    with pytest.raises(AssertionError) as failure:
        assert_no_serious_violations(page, "planted-problems")
    assert "color-contrast (serious)" in str(failure.value)
    assert "button-name (critical)" in str(failure.value)
    assert "Pale words" in str(failure.value)
