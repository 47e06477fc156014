"""Benchmark `import-xlsform` as people meet it: a new process on a 50-question form.

    python bench/bench_xlsform.py

Target (issue 13): under 2 s for a 50-question form (two languages, groups with rules, choices,
answer rules), in a new process, database already made. The floor is pyxform's own conversion
of the same file in a new process (`convert()`: start-up, read, check, write the XForm), timed
in turn with ours so a busy machine slows both alike. Also timed: the same import with the
wording checks (which load the English language model), and save-as-form in a new process.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUNS = 5
TARGET_S = 2.0


def write_form(path: Path, questions: int = 50) -> Path:
    """Write a 50-question spreadsheet form in English and Welsh, in 5 groups with rules."""
    from openpyxl import Workbook

    book = Workbook()
    survey = book.active
    survey.title = "survey"
    survey.append(["type", "name", "label::English (en)", "label::Welsh (cy)", "hint::English (en)", "relevant",
                   "constraint", "required", "appearance"])
    kinds = ["select_one yes_no", "text", "integer", "select_multiple help", "text"]
    number = 0
    for group in range(questions // 10):
        survey.append(["begin_group", f"part_{group}", f"Part {group + 1}", f"Rhan {group + 1}", "",
                       "${q1} = 'yes'" if group else "", "", "", "field-list" if group % 2 else ""])
        for index in range(10):
            number += 1
            kind = kinds[index % 5]
            rule = f"${{q{number - 1}}} = 'yes'" if kind == "text" and index % 5 == 1 else ""
            survey.append([kind, f"q{number}", f"Question {number}: how do you feel about the help you get here?",
                           f"Cwestiwn {number}", "Read it out slowly", rule,
                           ". <= 120" if kind == "integer" else "", "yes" if number % 3 == 0 else "",
                           "multiline" if kind == "text" and number % 2 else ""])
        survey.append(["end_group"])
    choices = book.create_sheet("choices")
    choices.append(["list_name", "name", "label::English (en)", "label::Welsh (cy)"])
    for row in (("yes_no", "yes", "Yes", "Ie"), ("yes_no", "no", "No", "Na"), ("help", "food", "Food", "Bwyd"),
                ("help", "bed", "A bed", "Gwely"), ("help", "money", "Money", "Arian")):
        choices.append(list(row))
    settings = book.create_sheet("settings")
    settings.append(["form_title", "form_id", "version", "default_language"])
    settings.append(["Bench form", "bench_form", "2024010101", "English (en)"])
    book.save(path)
    return path


def timed(command: list[str]) -> float:
    """Return the seconds COMMAND takes in a new process; fail loudly if it fails."""
    started = time.perf_counter()
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command[:4])} failed: {result.stderr.strip()}")
    return seconds


def main() -> int:
    python = sys.executable
    with tempfile.TemporaryDirectory(prefix="bench-xlsform-") as folder:
        form = write_form(Path(folder) / "form50.xlsx")
        database = Path(folder) / "bench.db"
        subprocess.run([python, "-m", "surveys", "init", "--db", str(database)], cwd=ROOT, check=True,
                       capture_output=True)
        floor_code = f"from pyxform.xls2xform import convert; convert({str(form)!r}, warnings=[])"
        ours, floor, checked = [], [], []
        for _ in range(RUNS):
            floor.append(timed([python, "-c", floor_code]))
            ours.append(timed([python, "-m", "surveys", "import-xlsform", "--db", str(database), str(form)]))
            checked.append(timed([python, "-m", "surveys", "import-xlsform", "--check-wording", "--db",
                                  str(database), str(form)]))
        listing = subprocess.run([python, "-m", "surveys", "versions", "--db", str(database), "--format", "json"],
                                 cwd=ROOT, capture_output=True, text=True, check=True).stdout
        import json

        version_id = json.loads(listing)[0]["id"]
        exported = [timed([python, "-m", "surveys", "export-xlsform", "--db", str(database), version_id, "--out",
                           str(Path(folder) / "out.xlsx")]) for _ in range(3)]
    ours_s, floor_s = statistics.median(ours), statistics.median(floor)
    print(f"import-xlsform, 50 questions, new process: {ours_s:.2f} s median of {RUNS} "
          f"(min {min(ours):.2f}, max {max(ours):.2f}); target under {TARGET_S:.1f} s")
    print(f"floor, pyxform convert() of the same file, new process: {floor_s:.2f} s median "
          f"(min {min(floor):.2f}); ratio {ours_s / floor_s:.2f}")
    print(f"with --check-wording (loads the English language model): {statistics.median(checked):.2f} s median; "
          f"ratio {statistics.median(checked) / floor_s:.2f}")
    print(f"export-xlsform of the same version, new process: {statistics.median(exported):.2f} s median")
    return 0 if ours_s < TARGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
