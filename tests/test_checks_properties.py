"""Property tests: whatever text comes in, the checker does not fail, every offset is inside the
text, and the words at the offsets are exactly the words the message quotes."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from surveys.checks import CODES, SEVERITIES, QuestionReport, apply_suggestion, get_checker, survey_reading_age

# Words that trigger checks, so random mixes of them exercise the flags with offsets.
TRIGGERS = [
    "why", "didn't", "don't", "you", "agree", "the", "homeless", "addicts", "key", "worker", "MARAC", "GP",
    "and", "or", "friends", "family", "often", "always", "never", "not", "unusual", "if", "would", "still",
    "use", "drugs", "drink", "alcohol", "were", "helped", "by", "staff", "suicide", "prison", "obtain",
    "in", "order", "to", "signpost", "self-harm", "how", "much", "did", "help", "isn't", "it", "?", ",",
    ".", "Do", "Have", "been", "A&E", "CMHT", "service", "users", "recently", "a", "lot", "ex-partner",
]
SEPARATORS = [" ", " ", " ", "  ", "\n", "\t", "-", "’", "'", "\u200f", "\u0000", "\u202e", "🙂"]

settings.register_profile("checks", max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("checks")

any_text = st.text(max_size=300)
wordy_text = st.lists(
    st.tuples(st.sampled_from(TRIGGERS), st.sampled_from(SEPARATORS)), min_size=1, max_size=40
).map(lambda parts: "".join(w + s for w, s in parts))
options = st.one_of(st.none(), st.lists(st.text(max_size=40), max_size=12))


def assert_well_formed(report: QuestionReport, text: str) -> None:
    assert report.text == text
    assert 0 <= report.score <= 100
    for flag in report.flags:
        assert flag.code in CODES
        assert flag.severity in SEVERITIES
        assert isinstance(flag.message, str) and flag.message
        if flag.start is None:
            assert flag.end is None and flag.quoted == ""
            continue
        assert 0 <= flag.start < flag.end <= len(text)
        assert text[flag.start : flag.end] == flag.quoted
        assert f'"{flag.quoted}"' in flag.message
        if flag.suggestion is not None:
            new = apply_suggestion(text, flag)
            assert new == text[: flag.start] + flag.suggestion + text[flag.end :]


@given(text=any_text, opts=options)
def test_any_text_and_options(text, opts):
    assert_well_formed(get_checker().check(text, opts), text)


@given(text=wordy_text)
def test_mixes_of_trigger_words_keep_offsets_exact(text):
    assert_well_formed(get_checker().check(text), text)


@given(texts=st.lists(st.one_of(any_text, wordy_text), max_size=8))
def test_a_batch_gives_the_same_reports_as_one_at_a_time(texts):
    checker = get_checker()
    batch = checker.check_many([(t, None) for t in texts])
    assert [r.to_dict() for r in batch] == [checker.check(t).to_dict() for t in texts]
    reading_age = survey_reading_age(texts)
    assert reading_age["indicative"] is True


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "\n\n\t",
        "?",
        "🙂🙂🙂 Do you feel safe? 🙂",
        "هل تشعر بالأمان في النزل؟",
        "האם אתה מרגיש בטוח?",
        "Do you \u202efeel\u202c safe with your key worker?",
        "Why\u0000 didn't\u0007 you\u001b go?",
        "Do you use drugs\r\nand drink alcohol?",
        "A" * 10_000,
        ("Why didn't you tell your key worker and the homeless team about the MARAC? " * 140)[:10_000],
        "x" * 5001 + " often",
        "İİİ the homeless İİİ",  # lower-casing changes the length of this letter
        "ǅ Ǆ ǆ ß ẞ ﬁ the addicts",
    ],
)
def test_awkward_texts(text):
    assert_well_formed(get_checker().check(text, ["18-25", "25-35", "🙂", ""]), text)
