"""The `check` command: input formats, JSON Lines output, exit codes and plain errors."""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from surveys.cli import check as check_cli

ROOT = Path(__file__).resolve().parents[1]


def _registered() -> bool:
    from surveys.cli import COMMAND_MODULES

    return "surveys.cli.check" in COMMAND_MODULES


def cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    """Run the command in a new process, as a person would."""
    entry = ["-m", "surveys", "check"] if _registered() else ["-m", "surveys.cli.check"]
    return subprocess.run(
        [sys.executable, *entry, *args], input=stdin, capture_output=True, text=True, cwd=ROOT, timeout=300
    )


def run_direct(*args: str, stdin: str = "") -> tuple[int, str, str]:
    """Call run() in this process, with the parser register() builds."""
    parser = argparse.ArgumentParser()
    check_cli.register(parser.add_subparsers(dest="command"))
    parsed = parser.parse_args(["check", *args])
    out, err = io.StringIO(), io.StringIO()
    code = parsed.run(parsed, stdin=io.StringIO(stdin), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_the_check_command_is_registered_in_python_m_surveys():
    assert _registered(), 'add "surveys.cli.check" to COMMAND_MODULES in surveys/cli/__init__.py'


def test_a_text_file_with_one_question_a_line(tmp_path):
    path = tmp_path / "questions.txt"
    path.write_text("How many days in the last week did you sleep outside?\n\nDo you often sleep outside?\n")
    result = cli(str(path))
    assert result.returncode == 0, result.stderr
    assert "1. How many days in the last week did you sleep outside?" in result.stdout
    assert "Score 100 out of 100. 0 problems, 0 warnings, 0 notes." in result.stdout
    assert '[warning] Vague amount or time (vague-quantifier): "often" may mean different things' in result.stdout
    assert "Checked 2 questions. 0 problems in all." in result.stdout
    assert "Reading age: not shown." in result.stdout


def test_json_lines_output_one_object_per_question_in_order(tmp_path):
    path = tmp_path / "survey.jsonl"
    rows = [
        {"text": "Why didn't you go to your appointment?"},
        {"text": "How old are you?", "options": ["18-25", "25-35", "35+", "Prefer not to say"]},
        {"text": "Where did you sleep last night?"},
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    result = cli("--format", "json", str(path))
    assert result.returncode == 1  # blaming and overlapping-options are problems
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["text"] for line in lines] == [r["text"] for r in rows]
    assert all(set(line) == {"text", "score", "metrics", "flags"} for line in lines)
    assert [[f["code"] for f in line["flags"]] for line in lines] == [
        ["blaming"],
        ["overlapping-options", "overlapping-options"],  # 25 is in two answers, and so is 35
        [],
    ]
    assert lines[2]["score"] == 100
    assert lines[0]["flags"][0]["start"] == 0 and lines[0]["flags"][0]["end"] == 14


def test_a_json_list_file(tmp_path):
    path = tmp_path / "survey.json"
    path.write_text(json.dumps([{"text": "Do you have a GP?"}, {"text": "Are you in touch with the CMHT?"}]))
    code, out, err = run_direct("--format", "json", str(path))
    assert (code, err) == (0, "")
    assert [json.loads(line)["flags"][0]["code"] if json.loads(line)["flags"] else None for line in out.splitlines()] == [
        None,
        "acronym",
    ]


def test_standard_input_is_sniffed_as_text_json_or_json_lines():
    assert run_direct("--format", "json", "-", stdin="Do you have a GP?\nDo you drink a lot?\n")[0] == 0
    code, out, _ = run_direct("--format", "json", stdin='[{"text": "Do you drink alcohol and use drugs?"}]')
    assert code == 1 and json.loads(out)["flags"][0]["code"] == "double-barrelled"
    code, out, _ = run_direct("--format", "json", stdin='{"text": "Do you have a GP?"}\n{"text": "Why do you drink?"}\n')
    assert code == 1 and len(out.splitlines()) == 2


def test_exit_1_when_any_question_has_a_problem_through_a_pipe():
    result = cli("-", stdin="Do you have a GP?\nDon't you agree that the hostel is safe?\n")
    assert result.returncode == 1
    assert "[problem] Pushes people towards an answer (leading)" in result.stdout
    assert "1 problem in all." in result.stdout


@pytest.mark.parametrize(
    "name,content,message",
    [
        ("missing.txt", None, 'Error: Cannot find the file "{path}".'),
        ("bad.jsonl", '{"text": "ok"}\n{"text": "broken"\n', "Error: invalid JSON on line 2. Check the quotes and brackets on that line."),
        ("bad.json", '[{"text": "ok"},\n {"text": ]', "Error: invalid JSON on line 2. Check the quotes and brackets on that line."),
        ("long.txt", "Why " + "x" * 5001 + "\n", "Error: Question 1 is over 5,000 characters (it has 5,005). Please shorten it or split it."),
        ("notext.jsonl", '{"question": "Do you have a GP?"}\n', 'Error: Line 1 has no "text", or its "text" is not words in quotes.'),
        ("options.json", '[{"text": "Age?", "options": "18-25"}]', 'Error: Question 1: "options" must be a list of texts.'),
        ("object.json", '{"text": "Age?"}', 'Error: The JSON file must hold a list of questions, like [{"text": "..."}].'),
    ],
)
def test_bad_input_exits_2_with_a_plain_message(tmp_path, name, content, message):
    path = tmp_path / name
    if content is not None:
        path.write_text(content)
    code, out, err = run_direct(str(path))
    assert (code, out) == (2, "")
    assert err.strip() == message.replace("{path}", str(path))


def test_bad_input_through_a_real_process(tmp_path):
    result = cli(str(tmp_path / "nope.txt"))
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.strip() == f'Error: Cannot find the file "{tmp_path / "nope.txt"}".'


def test_a_missing_database_is_a_plain_error(tmp_path):
    code, _, err = run_direct("--db", str(tmp_path / "none.db"), "-", stdin="Do you have a GP?\n")
    assert code == 2
    assert "There is no database at" in err


def test_with_db_the_groups_terms_are_applied(tmp_path):
    from surveys.storage import open_database
    from surveys.storage.glossary import add_term

    path = tmp_path / "group.db"
    db = open_database(path)
    add_term(db, "drop-in", "jargon", alternative="day centre", reason="People call it the day centre")
    add_term(db, "key worker", "accepted", reason="Everyone here knows the word")
    db.conn.close()
    stdin = "Did you go to the drop-in?\nHow often each week do you see your key worker?\n"
    without = [json.loads(line) for line in run_direct("--format", "json", stdin=stdin)[1].splitlines()]
    code, out, err = run_direct("--format", "json", "--db", str(path), stdin=stdin)
    with_terms = [json.loads(line) for line in out.splitlines()]
    assert (code, err) == (0, "")
    assert [[f["code"] for f in r["flags"]] for r in without] == [[], ["jargon"]]
    assert [[(f["code"], f["suggestion"]) for f in r["flags"]] for r in with_terms] == [[("jargon", "day centre")], []]


def test_a_long_survey_shows_an_indicative_reading_age():
    lines = [json.loads(line)["text"] for line in (ROOT / "tests/data/labelled_questions.jsonl").read_text().splitlines()]
    code, out, _ = run_direct("-", stdin="\n".join(lines[:30]))
    assert "Reading age (rough guide only): " in out


# ---- bad input on standard input (issue 11) ------------------------------------------------------


def test_bytes_that_are_not_utf8_on_standard_input_give_a_plain_error_and_exit_2():
    result = subprocess.run(
        [sys.executable, "-m", "surveys", "check", "-"],
        input=b"How \xff\xfe are you?\n", capture_output=True, cwd=ROOT, timeout=300,
    )
    assert result.returncode == 2
    assert result.stderr.decode() == (
        "Error: The questions on standard input are not text in UTF-8. Save them as UTF-8 and try again.\n"
    )
    assert result.stdout == b""


def test_surrogates_from_a_text_stream_are_refused_as_not_utf8():
    code, out, err = run_direct("-", stdin="Do you \udcff drink?\n")
    assert (code, out) == (2, "")
    assert err.startswith("Error: The questions on standard input are not text in UTF-8.")


def test_a_lone_surrogate_in_json_is_checked_with_a_replacement_character():
    result = cli("--format", "json", "-", stdin='{"text": "Do you \\ud800 drink alcohol and use drugs?"}\n')
    assert result.returncode == 1, result.stderr  # the double-barrelled flag, not a crash
    report = json.loads(result.stdout)
    assert report["text"] == "Do you \ufffd drink alcohol and use drugs?"
    assert [f["code"] for f in report["flags"]] == ["double-barrelled"]
    assert "Traceback" not in result.stderr
