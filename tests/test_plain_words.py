"""The app follows its own plain-words rule: every sentence a person reads passes the question checker.

The sentences are found by reading the code with the ast module, not by running the pages, so a
label on a page nobody opens in a test is still checked:
- string literals (and the fixed parts of f-strings) given to Streamlit calls as the first
  argument or as label=, help=, placeholder= (and a few more keywords that hold text people read),
  in app.py, pages/*.py and ui/ (with its folders);
- text given to the shared page helpers (page_header) and the default labels of ui helpers;
- the values of message constants (UPPER_CASE names holding sentences, or dicts/tuples of them);
- the column headings of tables (keys of the row dicts given to st.dataframe, and
  `.rename(columns={...})` values);
- every message in `raise SomeError("...")` in surveys/ and analysis/, where SomeError is
  StorageError, ValueError or a class made from them, because pages show those with st.error;
- the labels and messages kept in UPPER_CASE constants in surveys/ and analysis/ (menu labels,
  the consent text, "That name or password is wrong."), except NOT_MESSAGE_CONSTANTS.
Any sentence with a `problem` flag fails the test, with where it is and the flag's code and
message. The one exception is QUESTION_ONLY_CHECKS (below): a check on survey questions that
means nothing for a sentence that is not a question.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Streamlit calls whose text a person reads. Matched on the attribute name when the call is made on
# `st`, `st.sidebar`, or an object a page got from Streamlit (a column, a tab, a form, a container).
ST_TEXT_CALLS = frozenset({
    "title", "header", "subheader", "write", "markdown", "caption", "text", "info", "warning", "error",
    "success", "toast", "exception", "button", "text_input", "text_area", "selectbox", "radio", "checkbox",
    "toggle", "number_input", "date_input", "time_input", "multiselect", "select_slider", "slider",
    "download_button", "form_submit_button", "link_button", "expander", "tabs", "metric", "page_link",
    "popover", "status", "spinner", "file_uploader", "color_picker", "feedback", "pills", "segmented_control",
    "chat_input", "dialog", "latex", "switch_page", "navigation", "Page", "progress", "set_page_config",
})
# Calls that draw a table: the column headings are the keys of the dicts (rows) given to them.
ST_TABLE_CALLS = frozenset({"dataframe", "table", "data_editor"})
# Keyword arguments that hold words people read (label/help/placeholder from the brief; the rest are
# the same kind of thing under another name).
TEXT_KEYWORDS = frozenset({"label", "help", "placeholder", "intro", "caption", "title", "message", "text",
                           "body", "tooltip", "page_title"})
# Names a call can be made on that are never Streamlit (a logger's .info and .warning say nothing to people).
NOT_STREAMLIT = frozenset({"log", "logger", "logging", "warnings", "sys", "os", "parser", "subparsers", "args",
                           "re", "json", "path", "self", "cls", "str", "string", "exc", "error"})
# Helpers in ui/ that take page text as plain arguments (every positional string is read by people).
TEXT_HELPERS = frozenset({"page_header"})
# Parameters whose default value is shown to people, e.g. version_picker(label="Survey version").
TEXT_PARAMETERS = frozenset({"label", "help", "placeholder", "intro", "title", "message"})
# Error classes whose messages people see; classes made from these in surveys/ are added on the fly.
ERROR_ROOTS = frozenset({"StorageError", "ValueError"})
# Checks that judge a sentence as a survey question ("may ask two things at once"). A label or a
# message that is not a question cannot ask two things, so these run only on sentences ending in "?".
# Every other check, at every severity the checker gives, runs on every sentence.
QUESTION_ONLY_CHECKS = frozenset({"double-barrelled"})


@dataclass(frozen=True)
class Sentence:
    """One sentence a person reads, and where it is written."""

    text: str
    where: str  # path:line

    def __str__(self) -> str:
        return f"{self.where}: {self.text!r}"


# ---------------------------------------------------------------------------------------------
# Reading strings out of the code


def literal_text(node: ast.AST | None) -> str | None:
    """Return the text of a string literal, an f-string (placeholders dropped) or a + of them; else None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        # A placeholder becomes a gap: its value is not known here and is checked where it is written.
        return "".join(part.value if isinstance(part, ast.Constant) else " " for part in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = literal_text(node.left), literal_text(node.right)
        if left is not None or right is not None:
            return (left or " ") + (right or " ")
    return None


def texts_in(node: ast.AST | None) -> Iterator[str]:
    """Yield the strings in a literal: a string, or the strings in a list, tuple or dict values."""
    text = literal_text(node)
    if text is not None:
        yield text
    elif isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        for item in node.elts:
            yield from texts_in(item)
    elif isinstance(node, ast.Dict):
        for value in node.values:
            yield from texts_in(value)
    elif isinstance(node, ast.IfExp):
        yield from texts_in(node.body)
        yield from texts_in(node.orelse)


def receiver_root(func: ast.Attribute) -> str | None:
    """Return the first name of the object a method is called on: `st` for st.sidebar.button."""
    node: ast.AST = func.value
    while isinstance(node, (ast.Attribute, ast.Call, ast.Subscript)):
        node = node.value if not isinstance(node, ast.Call) else node.func
    return node.id if isinstance(node, ast.Name) else None


def is_streamlit_text_call(call: ast.Call) -> bool:
    """Return True when CALL draws text for people: st.<element>(...) or <column>.<element>(...)."""
    return isinstance(call.func, ast.Attribute) and call.func.attr in ST_TEXT_CALLS and is_streamlit_call(call)


def is_streamlit_call(call: ast.Call) -> bool:
    """Return True when CALL is a method of st, or of something Streamlit gave (a column, a tab)."""
    func = call.func
    if not isinstance(func, ast.Attribute):
        return False
    root = receiver_root(func)
    if root == "st":
        return True
    # Columns, tabs, forms and containers are Streamlit objects under other names (a, col_design, tab).
    return root is not None and root not in NOT_STREAMLIT and not root.isupper()


def is_identifier_like(text: str) -> bool:
    """Return True for strings that are keys or codes rather than words: "design_version", "draft"."""
    stripped = text.strip()
    if not stripped or re.fullmatch(r"[a-z0-9_.:/\-]+|[A-Z0-9_]+", stripped):
        return True
    return " " not in stripped and stripped.islower()


def ui_strings(path: Path) -> Iterator[tuple[str, int]]:
    """Yield (text, line) for every user-facing string literal in one app, page or ui file."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
            if name in ST_TABLE_CALLS and node.args and is_streamlit_call(node):
                for inner in ast.walk(node.args[0]):
                    if isinstance(inner, ast.Dict):
                        for key in inner.keys:
                            for text in texts_in(key):
                                yield text, node.lineno
            if name == "rename":
                # Column headings given to a table with frame.rename(columns={"name": "Question"}).
                for keyword in node.keywords:
                    if keyword.arg == "columns":
                        for text in texts_in(keyword.value):
                            yield text, node.lineno
            if is_streamlit_text_call(node):
                if node.args:
                    for text in texts_in(node.args[0]):
                        yield text, node.lineno
                for keyword in node.keywords:
                    if keyword.arg in TEXT_KEYWORDS:
                        for text in texts_in(keyword.value):
                            yield text, node.lineno
            elif name in TEXT_HELPERS:
                for arg in node.args:
                    for text in texts_in(arg):
                        yield text, node.lineno
            else:
                for keyword in node.keywords:
                    if keyword.arg in TEXT_PARAMETERS:
                        for text in texts_in(keyword.value):
                            yield text, node.lineno
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            params = node.args.args + node.args.kwonlyargs
            defaults = [None] * (len(node.args.args) - len(node.args.defaults)) + list(node.args.defaults)
            defaults += list(node.args.kw_defaults)
            for param, default in zip(params, defaults):
                if param.arg in TEXT_PARAMETERS:
                    for text in texts_in(default):
                        yield text, node.lineno
        elif isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id.isupper() for t in targets):
                # Message constants: labels and sentences kept in UPPER_CASE names for the pages to show.
                for text in texts_in(node.value):
                    if not is_identifier_like(text):
                        yield text, node.lineno


def error_classes(files: list[Path]) -> set[str]:
    """Return the names of StorageError, ValueError and every class made from them in FILES."""
    bases_of: dict[str, set[str]] = {}
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                bases = {b.id if isinstance(b, ast.Name) else b.attr for b in node.bases
                         if isinstance(b, (ast.Name, ast.Attribute))}
                bases_of.setdefault(node.name, set()).update(bases)
    found = set(ERROR_ROOTS)
    grew = True
    while grew:
        grew = False
        for name, bases in bases_of.items():
            if name not in found and bases & found:
                found.add(name)
                grew = True
    return found


def error_messages(path: Path, classes: set[str]) -> Iterator[tuple[str, int]]:
    """Yield (message, line) for every `raise SomeError("...")` in PATH where SomeError is in CLASSES."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
            func = node.exc.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if name in classes and node.exc.args:
                for text in texts_in(node.exc.args[0]):
                    yield text, node.lineno


# ---------------------------------------------------------------------------------------------
# From strings to sentences

MARKDOWN_PATTERNS = [
    (re.compile(r"`[^`]*`"), " "),  # code (commands, file names) is not prose
    (re.compile(r"!?\[([^\]]*)\]\([^)]*\)"), r"\1"),  # [text](link) -> text
    (re.compile(r":[a-z]+\[([^\]]*)\]"), r"\1"),  # :red[text] -> text
    (re.compile(r":material/[a-z_]+:"), " "),  # :material/edit: icons
    (re.compile(r"(?<!\w):[a-z_+-]+:(?!\w)"), " "),  # :smile: emoji shortcodes
    (re.compile(r"\{[^{}]*\}"), " "),  # {name} placeholders for str.format
    (re.compile(r"(?<![\w.])[\w./-]*\.(?:toml|py|csv|db|md|json|xlsx|xls|html|txt)\b"), " "),  # file names
    (re.compile(r"https?://\S+"), " "),
    (re.compile(r"^\s{0,3}#{1,6}\s+", re.MULTILINE), ""),  # headings
    (re.compile(r"^\s*(?:[-*+]|\d+\.)\s+", re.MULTILINE), ""),  # list markers
    (re.compile(r"^\s*>\s?", re.MULTILINE), ""),  # quotes
    (re.compile(r"\*\*|__|(?<!\w)[*_]|[*_](?!\w)|\\"), ""),  # bold, italics, escapes
    (re.compile(r"[^\w\s.,;:!?'’()\-–/%&£]"), " "),  # emoji and other symbols
]
SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")


def plain_sentences(text: str) -> list[str]:
    """Return the sentences of TEXT with Markdown, placeholders and symbols taken out."""
    for pattern, replacement in MARKDOWN_PATTERNS:
        text = pattern.sub(replacement, text)
    sentences = []
    for piece in SENTENCE_END.split(text):
        piece = re.sub(r"\s+", " ", piece).strip(" ,;:-–")
        piece = re.sub(r"\s+([.,;:!?])", r"\1", piece)
        if re.search(r"[A-Za-z]{2,}", piece):
            sentences.append(piece)
    return sentences


def app_files() -> list[Path]:
    """Return app.py, the pages and the ui modules: every file that draws what people see."""
    return [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py")), *sorted((ROOT / "ui").rglob("*.py"))]


def library_files() -> list[Path]:
    """Return every module in surveys/ and analysis/, whose error messages the pages show."""
    return sorted([*(ROOT / "surveys").rglob("*.py"), *(ROOT / "analysis").rglob("*.py")])


# Library files whose UPPER_CASE constants are not words for people to read as they are: SQL and
# the schema (storage), the checker's own word lists and examples of bad questions (checks), and
# the made-up demo survey, whose version 1 is bad wording on purpose (demo_content).
NOT_MESSAGE_CONSTANTS = ("surveys/storage/", "surveys/checks/", "surveys/demo_content.py")


def library_constants(path: Path) -> Iterator[tuple[str, int]]:
    """Yield (text, line) for the labels and messages in PATH's module-level UPPER_CASE constants.

    Only strings that start with a capital letter count: labels and sentences do, while codes,
    patterns and lists of names do not.
    """
    for node in ast.parse(path.read_text(encoding="utf-8"), filename=str(path)).body:
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id.isupper() for t in targets):
                for text in texts_in(node.value):
                    if re.match(r"\s*[A-Z]", text) and not is_identifier_like(text):
                        yield text, node.lineno


def collect_sentences() -> list[Sentence]:
    """Return every user-facing sentence in the app and every library error message, once each."""
    found: dict[str, Sentence] = {}
    for path in app_files():
        for text, line in ui_strings(path):
            for sentence in plain_sentences(text):
                found.setdefault(sentence, Sentence(sentence, f"{path.relative_to(ROOT)}:{line}"))
    library = library_files()
    classes = error_classes(library)
    for path in library:
        where = str(path.relative_to(ROOT))
        texts = list(error_messages(path, classes))
        if not where.startswith(NOT_MESSAGE_CONSTANTS):
            texts += list(library_constants(path))
        for text, line in texts:
            for sentence in plain_sentences(text):
                found.setdefault(sentence, Sentence(sentence, f"{where}:{line}"))
    return list(found.values())


# ---------------------------------------------------------------------------------------------
# Tests of the collector: it must find what it claims to find, or the dogfood test proves nothing.


def test_collector_finds_labels_help_f_strings_constants_and_errors(tmp_path):
    source = tmp_path / "page.py"
    source.write_text(
        "import streamlit as st\n"
        "LABELS = {'draft': 'Not ready yet', 'live': 'Ready to use'}\n"
        "KEYS = ('design_version', 'draft')\n"
        "st.title('Design')\n"
        "st.button('Save', key='design_save', help='Keep what you **typed**.')\n"
        "name = 'Sam'\n"
        "st.write(f'Hello {name}. You have {3} questions.')\n"
        "a, b = st.columns(2)\n"
        "a.metric('Interviews', 3)\n"
        "st.text_input(label='Your name', placeholder='Type it here', key='design_name')\n"
        "log = None\n"
        "log.info('An internal note that people never see')\n"
        "def picker(db, *, label: str = 'Pick a version'):\n"
        "    pass\n"
        "page_header('Explore', 'See what the answers say.')\n"
        "st.tabs(['One version', 'Two versions'])\n"
        "st.markdown('Run `make run` to [load](http://x) the demo :material/edit:')\n"
        "st.caption('Pick an .xlsx file, or surveys.db.')\n"
        "st.dataframe([{'No.': 1, 'Said no to taking part': 2} for r in rows], key='design_table')\n"
        "view = frame.rename(columns={'asked': 'Times asked'})\n"
        "st.progress(0.5, text='Question 1 of 4')\n",
        encoding="utf-8",
    )
    texts = [text for text, _line in ui_strings(source)]
    sentences = sorted({s for text in texts for s in plain_sentences(text)})
    assert sentences == sorted([
        "Not ready yet", "Ready to use", "Design", "Save", "Keep what you typed.", "Hello.",
        "You have questions.", "Interviews", "Your name", "Type it here", "Pick a version", "Explore",
        "See what the answers say.", "One version", "Two versions", "Run to load the demo",
        "No.", "Said no to taking part", "Times asked", "Question 1 of 4", "Pick an file, or.",
    ])

    errors = tmp_path / "errors.py"
    errors.write_text(
        "class StorageError(Exception): pass\n"
        "class InvalidInput(StorageError, ValueError): pass\n"
        "class Stricter(InvalidInput): pass\n"
        "def f(x):\n"
        "    if x == 1: raise InvalidInput('This question needs a name.')\n"
        "    if x == 2: raise Stricter(f'There is no version {x}. Pick another one.')\n"
        "    if x == 3: raise TypeError('internal: x must be an int')\n"
        "    if x == 4: raise ValueError('Type a number.')\n",
        encoding="utf-8",
    )
    classes = error_classes([errors])
    assert {"InvalidInput", "Stricter", "StorageError", "ValueError"} <= classes
    messages = [s for text, _ in error_messages(errors, classes) for s in plain_sentences(text)]
    assert messages == ["This question needs a name.", "There is no version.", "Pick another one.", "Type a number."]


def test_collector_finds_message_constants_in_the_library(tmp_path):
    module = tmp_path / "labels.py"
    module.write_text(
        "WRONG = 'That name or password is wrong.'\n"
        "KINDS = {'text': 'Short answer', 'yes_no': 'Yes or no'}\n"
        "PATTERN = r'^[A-Za-z]{1,4}-?\\d{2,6}$'\n"
        "NAMES = 'sam jo priya'\n"
        "lower = 'Not a constant'\n",
        encoding="utf-8",
    )
    assert [text for text, _ in library_constants(module)] == [
        "That name or password is wrong.", "Short answer", "Yes or no"]


def test_collector_reads_the_real_app():
    sentences = collect_sentences()
    places = {s.where.split(":")[0] for s in sentences}
    # Every page and app.py has words people read; if one has none, the collector stopped reading it.
    for path in (ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py"))):
        assert str(path.relative_to(ROOT)) in places, f"no sentences found in {path.name}"
    assert any(p.startswith("ui/") for p in places)
    assert sum(s.where.startswith(("surveys/", "analysis/")) for s in sentences) > 20  # error messages
    assert "Peer Survey Studio" in {s.text for s in sentences}


# ---------------------------------------------------------------------------------------------
# The dogfood test


@pytest.fixture(scope="module")
def checker():
    """Return the question checker the Design page uses (see surveys/checks)."""
    from surveys.checks import get_checker

    return get_checker()


def test_every_sentence_people_read_has_no_problem_flag(checker):
    sentences = collect_sentences()
    reports = checker.check_many([(s.text, None) for s in sentences])
    failures = []
    for sentence, report in zip(sentences, reports, strict=True):
        problems = [flag for flag in report.flags if flag.severity == "problem"
                    and (flag.code not in QUESTION_ONLY_CHECKS or sentence.text.endswith("?"))]
        if problems:
            found = "; ".join(f"{flag.code}: {flag.message}" for flag in problems)
            failures.append(f"{sentence}\n    {found}")
    assert not failures, (
        f"{len(failures)} of {len(sentences)} sentences people read are not plain enough:\n"
        + "\n".join(failures)
    )


def test_the_same_check_fails_a_sentence_that_is_not_plain(checker):
    # Proof that the dogfood test can fail: the same pipeline flags a blaming, double-negative label.
    [sentence] = plain_sentences("**Why didn't you** go to your appointment?")
    [report] = checker.check_many([(sentence, None)])
    assert "blaming" in {flag.code for flag in report.flags if flag.severity == "problem"}


# ---------------------------------------------------------------------------------------------
# Explore as people meet it: table headings, chart labels and numbers on the demo data


@dataclass
class ExplorePageWords:
    """What a person reads on Explore's tabs: headings, cells, chart labels, menus and sentences."""

    headers: list[str]
    cells: list[str]
    chart_titles: list[str]  # chart titles, axis titles and legend names (ours)
    chart_labels: list[str]  # every text on a chart, question wordings on the axes included
    menu_items: list[str]
    sentences: list[str]


EXPLORE_TABS = ("Questions", "Version against version", "Wording and quality", "Open answers", "You said, we did")
RAW_NUMBER = re.compile(r"\d(?:\.\d+)?e[-+]?\d+|0\.0000|\d\.\d{4,}|^(?:None|nan|NaN|NaT|<NA>)$")


def explore_page_words(at) -> ExplorePageWords:
    """Open every Explore tab (and the summary) and return everything it shows in words and numbers."""
    import json

    words = ExplorePageWords([], [], [], [], [], [])
    import os

    from analysis import themes

    for tab in EXPLORE_TABS:
        at.session_state["explore_tab"] = tab
        at.run()
        themes.wait_for_background_reading(os.environ["SURVEYS_DB"], 300)
        at.run()
        if tab == "You said, we did":
            at.button(key="explore_make_summary").click().run()
        assert not at.exception, [e.value for e in at.exception]
        for frame in at.dataframe:
            words.headers += [str(c) for c in frame.value.columns]
            words.cells += ["None" if v is None else str(v) for v in frame.value.to_numpy().ravel()]
        for chart in at.get("plotly_chart"):
            spec = json.loads(chart.proto.spec)
            layout = spec.get("layout", {})
            for part in (layout.get("title"), layout.get("xaxis", {}).get("title"),
                         layout.get("yaxis", {}).get("title")):
                text = part.get("text") if isinstance(part, dict) else part
                if text:
                    words.chart_titles.append(str(text))
            for trace in spec["data"]:
                if trace.get("name"):
                    words.chart_titles.append(str(trace["name"]))
                words.chart_labels += [str(v) for v in list(trace.get("y") or []) + list(trace.get("x") or [])
                                       if isinstance(v, str)]
        for box in [*at.selectbox, *at.multiselect]:
            words.menu_items += [str(o) for o in box.options]  # as shown: already through format_func
        words.sentences += [m.value for m in at.markdown] + [c.value for c in at.caption]
        words.sentences += [f"{m.label}: {m.value}" for m in at.metric]
    return words


def test_explore_shows_plain_headings_labels_and_numbers(app_test, demo_db_path, checker):
    from surveys.storage import open_database

    database = open_database(demo_db_path)
    internal = {r[0] for r in database.execute("SELECT name FROM question WHERE name LIKE '%\\_%' ESCAPE '\\'")}
    database.conn.close()
    words = explore_page_words(app_test(demo_db_path, "explore", role="evaluator"))
    words.chart_labels += words.chart_titles
    assert words.headers and words.cells and words.chart_titles and words.chart_labels and words.menu_items
    # Numbers: no empty "None" cells, no raw p-values such as 1.8e-190 or 0.000000, no long decimals.
    assert not [c for c in words.cells + words.chart_labels if RAW_NUMBER.search(c)]
    assert not [s for s in words.sentences if re.search(r"\b1 (?:answers|minutes|questions|people)\b", s)]
    # Names: no internal question names or kinds of question anywhere a person reads.
    codes = {"single_choice", "multiple_choice", "long_text", "yes_no"}
    shown = words.headers + words.cells + words.chart_labels + words.menu_items
    assert not [w for w in shown if w in internal or w in codes]
    assert not [s for s in words.sentences if any(name in s for name in internal)]
    # Headings and chart titles are plain words, by the same checker as every other label.
    labels = sorted(set(words.headers) | set(words.chart_titles))
    reports = checker.check_many([(label, None) for label in labels])
    failures = [f"{label!r}: {codes}" for label, r in zip(labels, reports)
                if (codes := [f.code for f in r.flags if f.severity == "problem"
                              and (f.code not in QUESTION_ONLY_CHECKS or label.endswith("?"))])]
    assert not failures, failures
