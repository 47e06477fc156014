"""Personal details: each kind found and masked, ordinary words left alone, the admin's report."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from surveys import privacy
from surveys.privacy import Finding, find_personal_details, mask_personal_details
from surveys.storage import core as store
from surveys.storage import now
from tests.conftest import as_admin


@pytest.mark.parametrize(
    ("text", "kind", "found", "masked"),
    [
        ("You can email me at jo.bloggs+news@example.co.uk today",
         "email", "jo.bloggs+news@example.co.uk", "You can email me at [email] today"),
        ("Ring 07700 900123 after six", "phone", "07700 900123", "Ring [phone] after six"),
        ("My number is +44 7700 900 123.", "phone", "+44 7700 900 123", "My number is [phone]."),
        ("Office: (020) 7946 0958", "phone", "(020) 7946 0958", "Office: [phone]"),
        ("Call +44 (0)161 496 0000 please", "phone", "+44 (0)161 496 0000", "Call [phone] please"),
        ("I stay at the hostel on SE1 7PB now", "postcode", "SE1 7PB", "I stay at the hostel on [postcode] now"),
        ("postcode is m1 1ae", "postcode", "m1 1ae", "postcode is [postcode]"),
        ("Send it to EC1A1BB", "postcode", "EC1A1BB", "Send it to [postcode]"),
        ("My NI is JT 12 34 56 C", "ni_number", "JT 12 34 56 C", "My NI is [NI number]"),
        ("ni number ab123456d", "ni_number", "ab123456d", "ni number [NI number]"),
        ("I was born on 12/03/1985 in Leeds", "date_of_birth", "12/03/1985", "I was born on [date of birth] in Leeds"),
        ("DOB 3rd March 1990", "date_of_birth", "3rd March 1990", "DOB [date of birth]"),
        ("I was born in 1985", "date_of_birth", "1985", "I was born in [date of birth]"),
        ("my birthday is 4 July", "date_of_birth", "4 July", "my birthday is [date of birth]"),
        ("It was on 2021-06-30 I think", "date_of_birth", "2021-06-30", "It was on [date of birth] I think"),
        ("My name is Kezia and I like it here", "name", "Kezia", "My name is [name] and I like it here"),
        ("just call me Dave", "name", "Dave", "just call me [name]"),
        ("Mrs Okafor at the day centre helped", "name", "Mrs Okafor", "[name] at the day centre helped"),
        ("My key worker Sarah Thompson rang me every week.", "name", "Sarah Thompson",
         "My key worker [name] rang me every week."),
    ],
)
def test_each_kind_is_found_and_masked(text, kind, found, masked):
    findings = find_personal_details(text)
    assert [(f.kind, f.text) for f in findings] == [(kind, found)]
    assert text[findings[0].start:findings[0].end] == found
    assert mask_personal_details(text) == masked


@pytest.mark.parametrize(
    "text",
    [
        "The staff were kind and helped me find a flat.",
        "I have been homeless since 2019 and it was hard.",
        "My mum and dad do not know I use the service.",
        "I was 18 when I first slept rough.",
        "Room 12 at the hostel was cold. I waited 3 weeks.",
        "I would give it 7 out of 10.",
        "The support worker was good but the GP was not.",
        "I go to the drop in on Monday and Friday.",
        "It took 20 minutes to get there by bus, about 5 miles.",
        "I owe £1,250 in rent arrears since March 2020.",
        "My case number is 12345678.",
        "Probation said I had to go every 2 weeks.",
        "Hopeless. Nobody listened to me at the Council.",
        "I felt safe at the night shelter in Brighton.",
        "God knows how I got through it.",
        "Call me Monday after ten, I am at the day centre.",
        "I stayed at a place called Crisis for a bit.",
    ],
)
def test_ordinary_answers_are_not_masked(text):
    assert find_personal_details(text) == []
    assert mask_personal_details(text) == text


def test_several_details_in_one_answer_come_back_in_order_without_overlaps():
    text = "Ask for Dr Ahmed on 0161 496 0000 or email a.ahmed@nhs.net, post to LS1 4AP."
    assert find_personal_details(text) == [
        Finding("name", 8, 16, "Dr Ahmed"),
        Finding("phone", 20, 33, "0161 496 0000"),
        Finding("email", 43, 58, "a.ahmed@nhs.net"),
        Finding("postcode", 68, 75, "LS1 4AP"),
    ]
    assert mask_personal_details(text) == "Ask for [name] on [phone] or email [email], post to [postcode]."


def test_empty_text_is_returned_as_it_is():
    assert mask_personal_details(None) is None
    assert mask_personal_details("") == ""
    assert find_personal_details("   ") == []


def test_names_come_from_the_installed_model():
    assert privacy.names_available(), "a spaCy model package is installed with the project"
    assert [f.kind for f in find_personal_details("Then Daniel Whitfield came round.")] == ["name"]
    # Without the model only patterns are used, so a bare name is left alone.
    assert find_personal_details("Then Daniel Whitfield came round.", use_names=False) == []


def test_masking_many_matches_masking_one_by_one():
    texts = ["Ring 07700 900123", None, "", "Nothing here at all.", "Then Daniel Whitfield came round.",
             "Ring 07700 900123"]
    assert privacy.mask_many(texts) == [mask_personal_details(t) for t in texts]
    assert privacy.mask_many(texts)[4] == "Then [name] came round."


def test_a_word_before_an_emoji_is_not_taken_for_a_name():
    texts = ["Helpful ❤️", "Brilliant 😊 thanks", "Sarah 😊 helped me", "My name is Jo Bloggs 👍"]
    assert privacy.mask_many(texts) == ["Helpful ❤️", "Brilliant 😊 thanks", "[name] 😊 helped me",
                                        "My name is [name] 👍"]


@settings(max_examples=60, deadline=None)
@given(
    user=st.from_regex(r"[a-z]{1,10}(\.[a-z]{1,8})?", fullmatch=True),
    domain=st.sampled_from(["example.com", "mail.co.uk", "nhs.net"]),
    mobile=st.from_regex(r"07[0-9]{3} [0-9]{6}", fullmatch=True),
    filler=st.sampled_from(["thanks", "ok then", "the staff helped", "later"]),
)
def test_any_email_and_mobile_number_are_hidden(user, domain, mobile, filler):
    text = f"{filler}, {user}@{domain} or {mobile}, {filler}"
    assert mask_personal_details(text) == f"{filler}, [email] or [phone], {filler}"


# ---- the admin's report, masking for good, identifiable exports -------------------------------


@pytest.fixture
def answered(db):
    """A published version with one open question, one choice question and two interviews."""
    survey = store.create_survey(db, "Test survey")
    version = store.create_version(db, survey, "Version 1")
    open_q = store.add_question(db, version, name="story", type="long_text", wording="Tell us more")
    choice_q = store.add_question(db, version, name="happy", type="single_choice", wording="Happy?",
                                  options=["Yes", "No"])
    store.set_version_status(db, version, "published")
    stamp = now()
    store.bulk_insert(db, "interview", [
        ("i1", version, "R-001", None, "given", "submitted", "one_at_a_time", stamp, stamp, 60, 0, stamp),
        ("i2", version, "R-002", None, "given", "submitted", "one_at_a_time", stamp, stamp, 60, 0, stamp),
    ])
    store.bulk_insert(db, "answer", [
        ("a1", "i1", open_q, "Ring me on 07700 900123 any time", None, 7, 0, 0, 0, "", 5, stamp),
        ("a2", "i1", choice_q, "Yes", None, 0, 0, 0, 0, "She said her name is Priya", 5, stamp),
        ("a3", "i2", open_q, "The staff were kind.", None, 4, 0, 0, 0, "", 5, stamp),
    ])
    return {"version": version, "open_q": open_q}


def actor_of(db, role: str, name: str):
    """Return the accounts.Actor of a new real account with ROLE."""
    from surveys import accounts

    account_id = accounts.create_account(db, name.lower(), "correct horse battery", role, name, as_admin(db))
    return accounts.actor_for_account(db, account_id)


def test_report_lists_each_detail_with_where_it_is(db, answered):
    admin = actor_of(db, "admin", "Sam")
    report = privacy.personal_details_report(db, admin, answered["version"])
    assert [(r["answer_id"], r["respondent_code"], r["question"], r["field"], r["kind"], r["found"])
            for r in report] == [
        ("a1", "R-001", "story", "answer", "phone", "07700 900123"),
        ("a2", "R-001", "happy", "note", "name", "Priya"),
    ]
    assert privacy.personal_details_report(db, admin, "no-such-version") == []
    assert len(privacy.personal_details_report(db, admin, limit=1)) == 1
    # The report reads back what was stored when each answer was read: nothing is waiting now.
    assert db.execute("SELECT COUNT(*) FROM open_text_queue").fetchone()[0] == 0
    with pytest.raises(privacy.IdentifiableExportRefused, match="Only an admin"):
        privacy.personal_details_report(db, actor_of(db, "evaluator", "Eve"), answered["version"])


def test_a_changed_answer_is_read_again_and_erasing_it_erases_what_was_stored(db, answered):
    admin = actor_of(db, "admin", "Sam")
    assert [r["found"] for r in privacy.personal_details_report(db, admin, answered["version"])] == [
        "07700 900123", "Priya"]
    db.execute("UPDATE answer SET value = 'Write to sam@example.org', note = '' WHERE id = 'a3'")
    db.execute("UPDATE answer SET note = '' WHERE id = 'a2'")
    assert [r["found"] for r in privacy.personal_details_report(db, admin, answered["version"])] == [
        "07700 900123", "sam@example.org"]
    db.execute("DELETE FROM interview WHERE id = 'i1'")
    assert db.execute("SELECT answer_id FROM open_text_derived ORDER BY 1").fetchall() == [("a3",)]
    stored = " ".join(str(r) for r in db.execute("SELECT * FROM open_text_derived").fetchall())
    assert "07700" not in stored and "Priya" not in stored


def test_masking_an_answer_for_good_logs_counts_not_words(db, answered):
    admin = actor_of(db, "admin", "Sam")
    with pytest.raises(privacy.IdentifiableExportRefused, match="Only an admin"):
        privacy.mask_answer(db, "a1", actor_of(db, "evaluator", "Eve"))
    assert privacy.mask_answer(db, "a1", admin) == {"phone": 1}
    value, words = db.execute("SELECT value, word_count FROM answer WHERE id = 'a1'").fetchone()
    assert (value, words) == ("Ring me on [phone] any time", 6)
    entry = db.execute("SELECT actor, action, record_id, new_value FROM audit_log "
                       "WHERE action = 'mask personal details'").fetchone()
    assert entry[:3] == ("Sam", "mask personal details", "a1")
    assert json.loads(entry[3]) == {"hidden": {"phone": 1}}
    assert "07700" not in " ".join(str(r) for r in db.execute("SELECT * FROM audit_log").fetchall())
    # Nothing left to hide: nothing changes and nothing more is logged.
    assert privacy.mask_answer(db, "a3", admin) == {}
    assert db.execute("SELECT COUNT(*) FROM audit_log WHERE action = 'mask personal details'").fetchone()[0] == 1


def test_only_an_admin_may_export_identifiable_answers(db):
    from surveys import accounts

    evaluator = actor_of(db, "evaluator", "Eve")
    admin = actor_of(db, "admin", "Sam")
    logged = db.execute("SELECT COUNT(*) FROM audit_log").fetchone()[0]
    with pytest.raises(privacy.IdentifiableExportRefused, match="Only an admin"):
        privacy.record_identifiable_export(db, evaluator, "answers of Version 1", 10)
    # A role string is not trusted: only an Actor read from the database.
    with pytest.raises(privacy.IdentifiableExportRefused):
        privacy.record_identifiable_export(db, "admin", "answers", 10)
    assert db.execute("SELECT COUNT(*) FROM audit_log").fetchone()[0] == logged
    privacy.record_identifiable_export(db, admin, "answers", 10)
    row = db.execute("SELECT actor, action, new_value FROM audit_log WHERE action = 'identifiable export'").fetchone()
    assert row[:2] == ("Sam", "identifiable export")
    assert json.loads(row[2]) == {"what": "answers", "rows": 10, "by": admin.person_id}
    assert [privacy.can_see_personal_details(db, a) for a in (admin, evaluator, "admin", None)] == [
        True, False, False, False]
    # An admin made an evaluator since signing in sees masks: the role is read again each time.
    actor_of(db, "admin", "Ada")
    accounts.set_role(db, admin.account_id, "evaluator", as_admin(db))
    assert privacy.can_see_personal_details(db, admin) is False
