"""Command `check`: run the question checker on a file of questions.

    python -m surveys check [--format text|json] [--db PATH] [FILE|-]

FILE is a text file with one question per line, or a .json file (a list) or .jsonl file of
objects with "text" and optional "options" (a list of texts). "-" (the default) reads standard
input and works out which of the three it is. Exit codes: 0 no problems, 1 at least one
`problem` flag, 2 bad input (the reason goes to standard error in plain words).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any, TextIO

MAX_QUESTION_CHARS = 5000


class InputError(Exception):
    """The input cannot be checked; the message says why in plain words."""


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `check` command."""
    parser = subparsers.add_parser(
        "check",
        help="check survey questions for plain language and design problems",
        description=(
            "Check questions from FILE (one per line, or .json / .jsonl with text and options). "
            "Exits 1 when any question has a problem, 2 when the input cannot be read."
        ),
    )
    parser.add_argument(
        "file", nargs="?", default="-", metavar="FILE", help="questions to check, or - for standard input (default)"
    )
    parser.add_argument(
        "--format", choices=("text", "json"), default="text", help="text for people, json for JSON Lines (default text)"
    )
    parser.add_argument(
        "--db", metavar="PATH", default=None, help="use the group's own word list from this database"
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, stdin: TextIO | None = None, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    """Check the questions named by ARGS, print the results and return the exit code."""
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    try:
        items = read_questions(args.file, stdin)
        terms = _group_terms(args.db)
    except InputError as exc:
        print(f"Error: {exc}", file=stderr)
        return 2

    # Imported here so `python -m surveys --help` stays quick: the checker loads spaCy.
    from surveys.checks import get_checker, survey_reading_age

    checker = get_checker(terms)
    reports = checker.check_many([(item["text"], item.get("options")) for item in items])
    if args.format == "json":
        for report in reports:
            stdout.write(json.dumps(report.to_dict(), ensure_ascii=False) + "\n")
    else:
        _print_text(reports, checker, survey_reading_age([r.text for r in reports]), stdout)
    return 1 if any(r.problem_count for r in reports) else 0


def _group_terms(db_path: str | None):
    if not db_path:
        return None
    path = Path(db_path)
    if not path.exists():
        raise InputError(f"There is no database at {path}. Check the path given to --db.")
    from surveys.quick_start import import_sqlite_utils

    import_sqlite_utils()  # without pandas, as the other commands load it (surveys/__main__.py)
    from surveys.storage import StorageError, open_database
    from surveys.storage.glossary import group_terms

    try:
        db = open_database(path)
    except StorageError as exc:
        raise InputError(str(exc)) from exc
    try:
        return group_terms(db)
    finally:
        db.conn.close()


def read_questions(name: str, stdin: TextIO) -> list[dict[str, Any]]:
    """Return the questions in file NAME ("-" for STDIN) as dicts with "text" and maybe "options".

    Raises InputError for a missing file, invalid JSON (naming the line), a question that is
    not text, or a question over 5,000 characters.
    """
    if name == "-":
        content = _read_stdin(stdin)
        kind = _sniff(content)
    else:
        path = Path(name)
        if not path.exists():
            raise InputError(f'Cannot find the file "{name}".')
        if path.is_dir():
            raise InputError(f'"{name}" is a folder. Give the path of a file.')
        try:
            content = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InputError(f'"{name}" is not a text file in UTF-8.') from exc
        except OSError as exc:
            raise InputError(f'Cannot read "{name}": {exc.strerror or exc}.') from exc
        suffix = path.suffix.lower()
        kind = "json" if suffix == ".json" else "jsonl" if suffix == ".jsonl" else "text"
    if kind == "json":
        items = _from_json(content)
    elif kind == "jsonl":
        items = _from_jsonl(content)
    else:
        items = [{"text": line.strip()} for line in content.splitlines() if line.strip()]
    for number, item in enumerate(items, start=1):
        length = len(item["text"])
        if length > MAX_QUESTION_CHARS:
            raise InputError(
                f"Question {number} is over {MAX_QUESTION_CHARS:,} characters (it has {length:,}). "
                "Please shorten it or split it."
            )
    return items


def _read_stdin(stdin: TextIO) -> str:
    """Return standard input as text, refusing bytes that are not UTF-8 (InputError)."""
    raw = getattr(stdin, "buffer", None)
    if raw is None:  # a text stream with no bytes under it (tests pass a StringIO)
        content = stdin.read()
        if _SURROGATE_RE.search(content):
            raise InputError(_NOT_UTF8)
        return content
    try:
        return raw.read().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(_NOT_UTF8) from exc


# Python turns bytes that are not UTF-8 into these "surrogate" characters in some settings.
_SURROGATE_RE = re.compile("[\ud800-\udfff]")
_NOT_UTF8 = "The questions on standard input are not text in UTF-8. Save them as UTF-8 and try again."


def _sniff(content: str) -> str:
    stripped = content.lstrip("\ufeff \t\r\n")
    if stripped.startswith("["):
        return "json"
    if stripped.startswith("{"):
        return "jsonl"
    return "text"


def _item(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InputError(f'{where} is not an object with "text".')
    text = value.get("text")
    if not isinstance(text, str):
        raise InputError(f'{where} has no "text", or its "text" is not words in quotes.')
    item: dict[str, Any] = {"text": text}
    options = value.get("options")
    if options is not None:
        if not isinstance(options, list) or not all(isinstance(o, str) for o in options):
            raise InputError(f'{where}: "options" must be a list of texts.')
        item["options"] = options
    return item


def _from_json(content: str) -> list[dict[str, Any]]:
    try:
        data = json.loads(content)
    except json.JSONDecodeError as exc:
        raise InputError(f"invalid JSON on line {exc.lineno}. Check the quotes and brackets on that line.") from exc
    if not isinstance(data, list):
        raise InputError("The JSON file must hold a list of questions, like [{\"text\": \"...\"}].")
    return [_item(value, f"Question {n}") for n, value in enumerate(data, start=1)]


def _from_jsonl(content: str) -> list[dict[str, Any]]:
    items = []
    for number, line in enumerate(content.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"invalid JSON on line {number}. Check the quotes and brackets on that line.") from exc
        items.append(_item(value, f"Line {number}"))
    return items


def _count(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _print_text(reports, checker, reading_age: dict, out: TextIO) -> None:
    from surveys.checks import title_for

    for number, report in enumerate(reports, start=1):
        out.write(f"{number}. {report.text}\n")
        for option in report.options:
            out.write(f"     - {option}\n")
        counts = report.counts_by_severity
        out.write(
            f"   Score {report.score} out of 100. {_count(counts['problem'], 'problem')}, "
            f"{_count(counts['warning'], 'warning')}, {_count(counts['info'], 'note')}.\n"
        )
        for flag in report.flags:
            out.write(f"   [{flag.severity}] {title_for(flag.code)} ({flag.code}): {flag.message}\n")
            if flag.suggestion:
                out.write(f"      Try: {flag.suggestion}\n")
        out.write("\n")
    total = sum(r.problem_count for r in reports)
    out.write(f"Checked {_count(len(reports), 'question')}. {_count(total, 'problem')} in all.\n")
    if reading_age["reading_age"] is not None:
        out.write(f"Reading age (rough guide only): {reading_age['reading_age']}. {reading_age['note']}\n")
    else:
        out.write(f"Reading age: not shown. {reading_age['note']}\n")
    if checker.disabled_reason:
        out.write(checker.disabled_reason + "\n")


def main(argv: list[str] | None = None) -> int:
    """Run `check` on its own (python -m surveys.cli.check ...) and return the exit code."""
    parser = argparse.ArgumentParser(prog="python -m surveys")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["check", *(sys.argv[1:] if argv is None else argv)])
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
