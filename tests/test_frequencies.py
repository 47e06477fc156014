"""Word frequencies from the packed table: wordfreq's own numbers, without loading wordfreq."""

from __future__ import annotations

import subprocess
import sys
import zlib
from importlib import metadata
from pathlib import Path

from surveys.checks import frequencies, metrics

ROOT = Path(__file__).resolve().parents[1]


def test_the_packed_table_matches_the_installed_wordfreq():
    assert frequencies.table_version() == metadata.version("wordfreq")
    assert zlib.decompress(frequencies.DATA_PATH.read_bytes()) == frequencies.build_table()


def test_listed_words_have_wordfreqs_number_and_others_ask_wordfreq():
    from wordfreq import top_n_list, zipf_frequency

    for word in top_n_list("en", frequencies.WORDS)[::97] + ["the", "don't", "appointment", "café"]:
        assert frequencies.packed_zipf(word) == zipf_frequency(word, "en"), word
    for word in ("ex-partner", "zzyzx", "bloxified", "well-being", "a\tb", ""):
        assert frequencies.packed_zipf(word) is None, word
        assert metrics.zipf(word) == zipf_frequency(word, "en"), word


def test_checking_plain_words_does_not_load_wordfreq():
    """A question of common words is checked in a new process without importing wordfreq."""
    code = (
        "import sys; from surveys.checks import get_checker; "
        "get_checker(None).check('How was the help you got from your key worker last week?'); "
        "print('wordfreq' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
