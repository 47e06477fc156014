"""The Design page, driven through its widgets by key, checked against the database."""

from __future__ import annotations

import json

import pytest

from surveys import codesign
from surveys.storage import audit_entries, open_database
from surveys.storage import core as store

STIGMA = "Are you a substance misuser?"
JARGON = "How often do you see your keyworker?"
PLAIN = "How often do you see your support worker?"


@pytest.fixture
def design_db(db_path):
    """A database file with one draft version of three questions; returns its ids."""
    db = open_database(db_path)
    survey_id = store.create_survey(db, "Workshop survey")
    version_id = store.create_version(db, survey_id, "Draft one")
    ids = {
        "worker": store.add_question(db, version_id, name="worker", type="single_choice",
                                     wording="How often do you see your worker?",
                                     options=["Often", "Sometimes", "Never"]),
        "drugs": store.add_question(db, version_id, name="drugs", type="yes_no", wording=STIGMA,
                                    options=["Yes", "No"]),
        "story": store.add_question(db, version_id, name="story", type="long_text",
                                    wording="Tell us about where you live."),
    }
    dee = store.add_person(db, "Dee", "lived_experience")
    db.conn.close()
    return {"path": db_path, "survey_id": survey_id, "version_id": version_id, "q": ids, "dee": dee}


def _db(design_db):
    return open_database(design_db["path"])


def _dee(db, design_db):
    """Dee acting from the command line (allowed while the database has no accounts yet)."""
    from surveys import accounts

    return accounts.Actor(None, design_db["dee"], "Dee", "admin")


def _ok(at):
    assert not at.exception, [e.value for e in at.exception]
    return at


def _type(at, text):
    """Type TEXT into the live wording box (in a browser it sends its words while you type)."""
    at.session_state["design_wording"] = text
    return at.run()


def _wording_box(at):
    return at.session_state["design_wording"]


def _apply_keys(at):
    return sorted(b.key for b in at.button if b.key and b.key.startswith("design_apply_"))


def _open_part(app_test, design_db, part, question=None):
    at = _ok(app_test(design_db["path"], "design", role="designer"))
    at.radio(key="design_part").set_value(part).run()
    if question:
        at.selectbox(key="design_question").set_value(design_db["q"][question]).run()
    return _ok(at)


def test_edit_shows_a_flag_then_the_suggestion_clears_it(app_test, design_db):
    at = _open_part(app_test, design_db, "Edit", "worker")
    assert _wording_box(at) == "How often do you see your worker?"
    assert _apply_keys(at) == []

    _type(at, JARGON)
    _ok(at)
    keys = _apply_keys(at)
    assert len(keys) == 1, "the jargon word gets a flag with a suggestion"
    assert any("keyworker" in m.value and "background[" in m.value for m in at.markdown), \
        "the flagged word is highlighted in place"

    at.button(key=keys[0]).click().run()
    _ok(at)
    assert _wording_box(at) == PLAIN
    assert _apply_keys(at) == []
    db = _db(design_db)
    assert store.get_question(db, design_db["q"]["worker"])["wording"] == "How often do you see your worker?", \
        "a suggestion is not saved until Save wording"

    at.text_input(key="design_save_reason").input("Plain words").run()
    at.button(key="design_save").click().run()
    _ok(at)
    question = store.get_question(db, design_db["q"]["worker"])
    assert question["wording"] == PLAIN
    earlier = codesign.wording_history(db, question["lineage_id"])[0]["earlier"]
    assert [(h["wording"], h["reason"]) for h in earlier] == [("How often do you see your worker?", "Plain words")]
    assert audit_entries(db, action="change question", record_id=question["id"])
    assert any("saved" in s.value for s in at.success)


def test_propose_block_without_reason_adopt_and_publish(app_test, design_db):
    qid = design_db["q"]["drugs"]
    at = _open_part(app_test, design_db, "Proposals", "drugs")
    at.text_area(key="design_new_wording").input("Do you use drugs or alcohol?").run()
    at.text_input(key="design_new_reason").input("Nobody calls themselves a misuser.").run()
    at.button(key="design_propose").click().run()
    _ok(at)
    db = _db(design_db)
    proposals = codesign.proposals_for_question(db, qid)
    assert [(p["wording"], p["reason"], p["status"]) for p in proposals] == [
        ("Do you use drugs or alcohol?", "Nobody calls themselves a misuser.", "proposed")]
    pid = proposals[0]["id"]

    at.radio(key="design_stance").set_value("block").run()
    at.button(key="design_react").click().run()
    _ok(at)
    assert any("Say why you block" in e.value for e in at.error)
    assert codesign.reactions_for(db, pid) == []

    at.radio(key="design_stance").set_value("agree").run()
    at.button(key="design_react").click().run()
    _ok(at)
    assert [r["stance"] for r in codesign.reactions_for(db, pid)] == ["agree"]
    assert codesign.group_stance(db, pid)["summary"] == "1 agree. No one blocks."

    at.button(key="design_adopt").click().run()
    _ok(at)
    assert store.get_question(db, qid)["wording"] == "Do you use drugs or alcohol?"
    assert codesign.get_proposal(db, pid)["status"] == "adopted"

    at.radio(key="design_part").set_value("Versions").run()
    assert at.button(key="design_publish").disabled, "publishing needs the group to confirm first"
    at.checkbox(key="design_publish_sure").check().run()
    at.button(key="design_publish").click().run()
    _ok(at)
    assert store.get_version(db, design_db["version_id"])["status"] == "published"
    assert any("frozen" in i.value for i in at.info), "the page explains why the version is locked"


def test_locked_version_offers_a_new_draft_with_the_same_lineage(app_test, design_db):
    db = _db(design_db)
    codesign.publish(db, design_db["version_id"], _dee(db, design_db))
    at = _open_part(app_test, design_db, "Edit", "drugs")
    assert not [b for b in at.button if b.key == "design_save"], "a frozen wording has no save button"
    assert any("frozen" in i.value for i in at.info)
    at.button(key="design_new_version").click().run()
    _ok(at)
    versions = store.list_versions(db, design_db["survey_id"])
    assert [(v["number"], v["status"]) for v in versions] == [(1, "published"), (2, "draft")]
    old = store.questions_for_version(db, versions[0]["id"])
    new = store.questions_for_version(db, versions[1]["id"])
    assert [q["lineage_id"] for q in new] == [q["lineage_id"] for q in old]
    assert at.selectbox(key="design_version").value == versions[1]["id"], "the page moves to the new draft"
    assert [b for b in at.button if b.key == "design_save"], "the new draft can be edited"


def test_typed_markdown_and_html_are_shown_as_text(app_test, design_db):
    db = _db(design_db)
    store.update_question(db, design_db["q"]["story"], {"wording": "Tell us :red[loud] <b>bold</b> [x](http://e)"})
    at = _open_part(app_test, design_db, "Workshop")
    at.selectbox(key="design_workshop_jump_0").set_value(2).run()
    _ok(at)
    shown = [h.value for h in at.header if "loud" in h.value] + [m.value for m in at.markdown if "loud" in m.value]
    assert shown == ["Tell us \\:red\\[loud\\] \\<b\\>bold\\</b\\> \\[x\\]\\(http\\://e\\)"]


def test_contributions_table_and_csv(app_test, design_db):
    db = _db(design_db)
    pid = codesign.propose_wording(db, design_db["q"]["drugs"], "Do you use drugs?", _dee(db, design_db), "Kinder")
    codesign.react(db, pid, _dee(db, design_db), "agree")
    at = _open_part(app_test, design_db, "Contributions")
    table = at.dataframe[0].value
    assert list(table["Name"]) == ["Dee"]
    assert list(table["Wordings proposed"]) == [1] and list(table["Reactions"]) == [1]
    csv_text = codesign.contributions_csv(codesign.contributions(db, survey_id=design_db["survey_id"])).decode("utf-8-sig")
    assert "Dee,Person with lived experience,1,0,0,0,1,0,2" in csv_text


def test_glossary_term_changes_the_checks(app_test, design_db):
    at = _open_part(app_test, design_db, "Glossary")
    at.text_input(key="design_term").input("where you live").run()
    at.selectbox(key="design_term_kind").set_value("jargon").run()
    at.text_input(key="design_term_alt").input("your home").run()
    at.text_input(key="design_term_reason").input("Our group finds this vague").run()
    at.button(key="design_term_add").click().run()
    _ok(at)
    from surveys.storage import glossary

    db = _db(design_db)
    assert [t["term"] for t in glossary.list_terms(db)] == ["where you live"]
    at.radio(key="design_part").set_value("Questions").run()
    at.selectbox(key="design_code_filter").set_value("jargon").run()
    _ok(at)
    assert "Tell us about where you live." in list(at.dataframe[0].value["Question"])

    at.radio(key="design_part").set_value("Glossary").run()
    at.button(key="design_term_remove").click().run()
    assert any("Say why" in e.value for e in at.error), "taking a word off needs a reason"
    assert len(glossary.list_terms(db)) == 1
    at.text_input(key="design_term_remove_reason").input("We changed our minds").run()
    at.button(key="design_term_remove").click().run()
    _ok(at)
    assert glossary.list_terms(db) == []
    assert [e["action"] for e in audit_entries(db, limit=2)] == ["remove glossary term", "add glossary term"]


def test_script_download_holds_every_question(app_test, design_db):
    at = _open_part(app_test, design_db, "Script")
    at.radio(key="design_script_format").set_value("html").run()
    _ok(at)
    assert any("Question 3" in m.value for m in at.markdown), "the preview shows the script"
    db = _db(design_db)
    page = codesign.interviewer_script(db, design_db["version_id"], "html")
    assert page.count('<section class="q">') == 3


PARTS = ("Questions", "Edit", "Proposals", "Versions", "Contributions", "Workshop", "Glossary", "Script")


def test_every_part_opens_on_the_demo_and_on_an_empty_database(app_test, demo_db_path, db_path):
    at = _ok(app_test(demo_db_path, "design", role="designer"))
    for part in PARTS:
        at.radio(key="design_part").set_value(part).run()
        _ok(at)
        assert at.radio(key="design_part").value == part
    empty = _ok(app_test(db_path, "design", role="designer"))
    assert any("no surveys yet" in i.value for i in empty.info)


def test_add_move_and_delete_a_question_in_a_draft(app_test, design_db):
    at = _open_part(app_test, design_db, "Questions")
    at.text_input(key="design_add_name").input("sleep").run()
    at.selectbox(key="design_add_type").set_value("yes_no").run()
    at.text_area(key="design_add_wording").input("Did you sleep well last night?").run()
    at.button(key="design_add").click().run()
    _ok(at)
    db = _db(design_db)
    names = lambda: [q["name"] for q in store.questions_for_version(db, design_db["version_id"])]  # noqa: E731
    assert names() == ["worker", "drugs", "story", "sleep"]
    assert at.selectbox(key="design_question").value == store.questions_for_version(db, design_db["version_id"])[3]["id"]

    at.number_input(key="design_move_to").set_value(1).run()
    at.button(key="design_move").click().run()
    _ok(at)
    assert names() == ["sleep", "worker", "drugs", "story"]

    assert at.button(key="design_delete").disabled, "deleting needs a tick first"
    at.checkbox(key="design_delete_sure").check().run()
    at.button(key="design_delete").click().run()
    _ok(at)
    assert names() == ["worker", "drugs", "story"]
    assert [e["action"] for e in audit_entries(db, limit=3)] == ["delete question", "move question", "add question"]


def test_dismiss_a_flag_with_a_reason(app_test, design_db):
    at = _open_part(app_test, design_db, "Edit", "drugs")
    assert any("misuser" in m.value and "background[" in m.value for m in at.markdown)
    dismiss_keys = sorted(b.key for b in at.button if b.key and b.key.startswith("design_dismiss_"))
    assert dismiss_keys
    index = dismiss_keys[0].rsplit("_", 1)[1]
    at.button(key=f"design_dismiss_{index}").click().run()
    _ok(at)
    assert any("Say why" in e.value for e in at.error), "a dismissal needs a reason"
    from surveys.storage import glossary

    db = _db(design_db)
    assert glossary.dismissals_for(db, design_db["q"]["drugs"]) == set()
    at.text_input(key=f"design_dismiss_reason_{index}").input("Our group chose this word").run()
    at.button(key=f"design_dismiss_{index}").click().run()
    _ok(at)
    assert len(glossary.dismissals_for(db, design_db["q"]["drugs"])) == 1
    assert not any("misuser" in m.value and "background[" in m.value for m in at.markdown), \
        "the dismissed flag is no longer shown"


def test_a_colleagues_save_is_never_silently_replaced(app_test, design_db):
    """Two people open one question; Sam saves, then Jo saves: Jo's save is refused, not lost."""
    sam = _open_part(app_test, design_db, "Edit", "worker")
    jo = _open_part(app_test, design_db, "Edit", "worker")
    sams, jos = "How often do you see the person who helps you?", "How often do you meet your worker?"
    _type(sam, sams)
    sam.button(key="design_save").click().run()
    _ok(sam)
    _type(jo, jos)
    jo.button(key="design_save").click().run()
    _ok(jo)
    db = _db(design_db)
    question = store.get_question(db, design_db["q"]["worker"])
    assert question["wording"] == sams, "Sam's saved wording stays"
    history = codesign.wording_history(db, question["lineage_id"])[0]["earlier"]
    assert [h["wording"] for h in history] == ["How often do you see your worker?"], "one change, Sam's"
    assert not any("saved" in s.value for s in jo.success), "Jo is not told the words were saved"
    shown = " ".join(m.value for m in jo.markdown) + " ".join(t.value for t in jo.text)
    assert sams.replace("?", "") in shown.replace("\\", "") and jos.replace("?", "") in shown.replace("\\", ""), \
        "both wordings are shown side by side"


# ---- forms that behave -------------------------------------------------------------------------


def _dismiss_keys(at):
    return sorted(b.key for b in at.button if b.key and b.key.startswith("design_dismiss_")
                  and not b.key.startswith("design_dismiss_reason_"))


def test_a_dismiss_reason_stays_with_its_flag(app_test, design_db):
    at = _open_part(app_test, design_db, "Edit", "worker")
    _type(at, "Are you an addict, and do you see your keyworker?")
    keys = _dismiss_keys(at)
    assert len(keys) >= 2, "two different flags, each with its own dismiss form"
    first, second = (k.rsplit("_", 1)[1] for k in keys[:2])
    at.text_input(key=f"design_dismiss_reason_{first}").input("Our group chose this").run()
    at.button(key=f"design_dismiss_{first}").click().run()
    _ok(at)
    from surveys.storage import glossary

    assert len(glossary.dismissals_for(_db(design_db), design_db["q"]["worker"])) == 1
    assert f"design_dismiss_{first}" not in _dismiss_keys(at), "the dismissed flag is gone"
    assert at.text_input(key=f"design_dismiss_reason_{second}").value == "", "the reason did not move to another flag"
    at.button(key=f"design_dismiss_{second}").click().run()
    assert any("Say why" in e.value for e in at.error)
    assert len(glossary.dismissals_for(_db(design_db), design_db["q"]["worker"])) == 1


def test_dismissed_flags_are_listed_and_can_be_brought_back(app_test, design_db):
    at = _open_part(app_test, design_db, "Edit", "drugs")
    [key] = [k for k in _dismiss_keys(at)][:1]
    digest = key.rsplit("_", 1)[1]
    at.text_input(key=f"design_dismiss_reason_{digest}").input("Our group chose this word").run()
    at.button(key=key).click().run()
    _ok(at)
    listed = [m.value for m in at.markdown if "Our group chose this word" in m.value]
    assert listed and "Words that label people" in listed[0]
    [undo] = [b.key for b in at.button if b.key and b.key.startswith("design_undismiss_")]
    at.button(key=undo).click().run()
    _ok(at)
    from surveys.storage import glossary

    assert glossary.dismissals_for(_db(design_db), design_db["q"]["drugs"]) == set()
    assert key in _dismiss_keys(at), "the flag is back"


def test_the_proposal_form_clears_and_a_second_click_makes_no_duplicate(app_test, design_db):
    at = _open_part(app_test, design_db, "Proposals", "drugs")
    at.text_area(key="design_new_wording").input("Do you use drugs or alcohol?").run()
    at.text_input(key="design_new_reason").input("Kinder words").run()
    at.button(key="design_propose").click().run()
    _ok(at)
    assert at.text_area(key="design_new_wording").value == "" and at.text_input(key="design_new_reason").value == ""
    at.text_area(key="design_new_wording").input("Do you use drugs or alcohol?").run()
    at.button(key="design_propose").click().run()
    _ok(at)
    assert any("already proposed these words" in e.value for e in at.error)
    assert len(codesign.proposals_for_question(_db(design_db), design_db["q"]["drugs"])) == 1
    assert at.text_area(key="design_new_wording").value == "Do you use drugs or alcohol?", \
        "a refused form keeps what was typed"


def test_changing_a_block_to_agree_does_not_keep_the_block_reason(app_test, design_db):
    db = _db(design_db)
    codesign.propose_wording(db, design_db["q"]["drugs"], "Do you use drugs?", _dee(db, design_db))
    at = _open_part(app_test, design_db, "Proposals", "drugs")
    at.radio(key="design_stance").set_value("block").run()
    at.text_input(key="design_stance_reason").input("It leaves out alcohol").run()
    at.button(key="design_react").click().run()
    _ok(at)
    assert at.text_input(key="design_stance_reason").value == ""
    at.radio(key="design_stance").set_value("agree").run()
    at.button(key="design_react").click().run()
    _ok(at)
    pid = codesign.proposals_for_question(db, design_db["q"]["drugs"])[0]["id"]
    assert [(r["stance"], r["reason"]) for r in codesign.reactions_for(db, pid)] == [("agree", "")]


def test_the_glossary_form_clears_and_errors_show_typed_text_as_typed(app_test, design_db):
    at = _open_part(app_test, design_db, "Glossary")
    at.text_input(key="design_term").input("drop-in").run()
    at.text_input(key="design_term_alt").input("day centre").run()
    at.button(key="design_term_add").click().run()
    _ok(at)
    assert [at.text_input(key=k).value for k in ("design_term", "design_term_alt", "design_term_reason")] == ["", "", ""]
    typed = "Drop-in [here](http://x.example) **now** $x^2$"
    at.text_input(key="design_term").input(typed).run()
    at.button(key="design_term_add").click().run()
    _ok(at)
    [error] = [e.value for e in at.error]
    assert "\\[here\\]\\(http\\://x\\.example\\) \\*\\*now\\*\\* \\$x\\^2\\$" in error, "typed Markdown stays text"
    assert at.text_input(key="design_term").value == typed


def test_a_glossary_change_based_on_an_old_copy_is_refused_side_by_side(app_test, design_db):
    from surveys.storage import glossary

    db = _db(design_db)
    row = glossary.add_term(db, "drop-in", "jargon", alternative="day centre", reason="Plain")
    at = _open_part(app_test, design_db, "Glossary")
    glossary.change_term(db, row["id"], "the hub", "What people call it", based_on=row["revision"])
    at.text_input(key="design_term_change_alt").input("open session").run()
    at.button(key="design_term_change").click().run()
    _ok(at)
    assert any("after you opened it" in w.value for w in at.warning)
    shown = " ".join(m.value for m in at.markdown)
    assert "the hub" in shown and "open session" in shown
    assert glossary.get_term(db, row["id"])["alternative"] == "the hub"
    at.button(key="design_term_mine").click().run()
    _ok(at)
    assert glossary.get_term(db, row["id"])["alternative"] == "open session"


def test_a_decision_on_a_proposal_that_changed_since_is_refused(app_test, design_db):
    db = _db(design_db)
    pid = codesign.propose_wording(db, design_db["q"]["drugs"], "Do you use drugs?", _dee(db, design_db))
    at = _open_part(app_test, design_db, "Proposals", "drugs")
    jo = store.add_person(db, "Jo", "staff")
    from surveys import accounts

    codesign.react(db, pid, accounts.actor_for_user(db, at.session_state["auth_user"]), "disagree",
                   "It leaves out alcohol", speaker_id=jo)
    at.button(key="design_adopt").click().run()
    _ok(at)
    assert any("changed this proposal or reacted" in w.value for w in at.warning)
    assert store.get_question(db, design_db["q"]["drugs"])["wording"] == STIGMA
    assert any("1 disagree" in m.value for m in at.markdown), "what is there now is shown"


def test_the_details_form_refuses_an_old_copy(app_test, design_db):
    at = _open_part(app_test, design_db, "Edit", "story")
    db = _db(design_db)
    qid = design_db["q"]["story"]
    from surveys import accounts

    other_tab = accounts.actor_for_user(db, at.session_state["auth_user"])
    codesign.save_question(db, qid, {"help_text": "Take your time."}, other_tab,
                           based_on=store.get_question(db, qid)["revision"])
    at.text_area(key="design_help").input("Read it slowly.").run()
    at.button(key="design_save_details").click().run()
    _ok(at)
    assert store.get_question(db, qid)["help_text"] == "Take your time."
    assert any("after you opened it" in w.value for w in at.warning)
    at.button(key="design_details_theirs").click().run()
    _ok(at)
    assert at.text_area(key="design_help").value == "Take your time."


def test_unsaved_words_are_kept_when_you_look_at_another_question(app_test, design_db):
    at = _open_part(app_test, design_db, "Edit", "worker")
    _type(at, "How often do you meet your worker?")
    at.selectbox(key="design_question").set_value(design_db["q"]["story"]).run()
    _ok(at)
    assert _wording_box(at) == "Tell us about where you live."
    assert any("Not saved yet" in w.value and "meet your worker" in w.value for w in at.warning)
    at.button(key=f"design_draft_open_{design_db['q']['worker']}").click().run()
    _ok(at)
    assert _wording_box(at) == "How often do you meet your worker?", "the words came back"
    at.selectbox(key="design_question").set_value(design_db["q"]["story"]).run()
    at.button(key=f"design_draft_drop_{design_db['q']['worker']}").click().run()
    at.selectbox(key="design_question").set_value(design_db["q"]["worker"]).run()
    _ok(at)
    assert _wording_box(at) == "How often do you see your worker?"


def test_a_long_pasted_wording_shows_each_flag_once_with_a_count(app_test, design_db):
    at = _open_part(app_test, design_db, "Edit", "story")
    _type(at, ("Are you an addict? " * 400)[:6000])
    _ok(at)
    assert len(_dismiss_keys(at)) <= 5, "one dismiss form per different flag, not one per place"
    assert any("found" in m.value and "times" in m.value for m in at.markdown)
    assert any("Only the first 5,000 are checked" in c.value for c in at.caption)


def test_publishing_asks_about_the_version_in_use(app_test, design_db):
    db = _db(design_db)
    codesign.publish(db, design_db["version_id"], _dee(db, design_db))
    draft = codesign.start_new_version(db, design_db["version_id"], _dee(db, design_db), "Second")
    at = _ok(app_test(design_db["path"], "design", role="designer"))
    at.selectbox(key="design_version").set_value(draft).run()
    at.radio(key="design_part").set_value("Versions").run()
    assert at.radio(key="design_publish_older").value == "retire"
    at.checkbox(key="design_publish_sure").check().run()
    at.button(key="design_publish").click().run()
    _ok(at)
    assert [v["status"] for v in store.list_versions(db, design_db["survey_id"])] == ["retired", "published"]
    assert any("no longer offered to interviewers" in s.value for s in at.success)


def test_design_downloads_are_safe_and_logged(app_test, design_db, monkeypatch):
    from tests.test_downloads import capture_downloads, formula_cells

    seen = capture_downloads(monkeypatch)
    db = _db(design_db)
    formula = store.add_person(db, '=HYPERLINK("x")', "staff")
    from surveys import accounts

    codesign.propose_wording(db, design_db["q"]["drugs"], "Do you use drugs?",
                             accounts.Actor(None, formula, '=HYPERLINK("x")', "admin"))
    at = _open_part(app_test, design_db, "Contributions")
    at.radio(key="design_part").set_value("Script").run()
    _ok(at)
    files = {d["file_name"]: d["data"]() for d in seen}
    assert set(files) == {"contributions.csv", "interviewer-script.md"}
    assert formula_cells("contributions.csv", files["contributions.csv"]) == []
    assert "'=HYPERLINK" in files["contributions.csv"].decode("utf-8-sig")
    logged = [json.loads(e["new_value"])["what"] for e in audit_entries(db, action="download")]
    assert sorted(logged) == ["Design: contributions", "Design: interviewer script"]


# ---- evidence beside each question ---------------------------------------------------------------


def _report(path, version_id) -> dict:
    """Return `python -m surveys report --format json` for one version, by question name."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "surveys", "report", "--db", str(path), "--version", version_id,
                           "--format", "json"], capture_output=True, text=True, timeout=120, check=True)
    return {row["name"]: row for row in json.loads(done.stdout)}


def _share(cell: str) -> tuple[int, int]:
    count, _, rest = cell.partition(" of ")
    return int(count.replace(",", "")), int(rest.split(" ")[0].replace(",", ""))


def test_the_evidence_for_v1_and_v2_equals_the_report(app_test, demo_db_path):
    db = open_database(demo_db_path)
    versions = {v["number"]: v for v in store.list_versions(db)}
    v1, v2 = versions[1], versions[2]
    question = next(q for q in store.questions_for_version(db, v2["id"]) if q["name"] == "worker_listens")
    at = _ok(app_test(demo_db_path, "design", role="designer"))
    at.selectbox(key="design_version").set_value(v2["id"]).run()
    at.radio(key="design_part").set_value("Edit").run()
    at.selectbox(key="design_question").set_value(question["id"]).run()
    at.session_state["design_evidence_more"] = True  # open "All the numbers"
    at.run()
    _ok(at)
    [table] = [d.value for d in at.dataframe if "What" in d.value.columns]
    table = table.set_index("What")
    columns = {number: next(c for c in table.columns if c.startswith(versions[number]["label"])) for number in (1, 2)}
    rates = {"Answered": "answered_rate", "Skipped": "skipped_rate", "Don't know": "dont_know_rate",
             "Prefer not to say": "prefer_not_rate", "Needed explaining": "explained_rate",
             "Reworded by the interviewer": "reworded_rate", "Upset the person": "upset_rate"}
    for number, version in ((1, v1), (2, v2)):
        report = _report(demo_db_path, version["id"])["worker_listens"]
        column = table[columns[number]]
        assert int(column["Asked"].replace(",", "")) == report["asked"] > 0
        for row, key in rates.items():
            count, asked = _share(column[row])
            assert asked == report["asked"] and round(count / asked, 4) == report[key], (number, row)
        assert float(column["Answer quality (0 to 100)"]) == round(report["quality_index"])
    assert table.loc["Wording", columns[1]] != table.loc["Wording", columns[2]], "each version's own wording"


def test_look_again_links_open_the_question_in_edit(app_test, demo_db_path):
    db = open_database(demo_db_path)
    v2 = next(v for v in store.list_versions(db) if v["number"] == 2)
    at = _ok(app_test(demo_db_path, "design", role="designer"))
    at.selectbox(key="design_version").set_value(v2["id"]).run()
    at.session_state["design_look_again"] = True  # open "Look at these again"
    at.run()
    _ok(at)
    links = [e for e in at.get("page_link") if e.proto.query_string]
    targets = [e.proto.query_string for e in links]
    assert len(links) >= 3, "the worst questions are listed as links"
    from analysis import evidence

    worst = evidence.look_again(evidence.evidence_by_lineage(db, v2["survey_id"], mask=lambda t: t), v2["id"], 8)
    assert [f"question={row['question_id']}" for row in worst] == targets
    # Following a link (the page gets ?question=...) opens that question in Edit.
    at.query_params["question"] = worst[0]["question_id"]
    at.run()
    _ok(at)
    assert at.radio(key="design_part").value == "Edit"
    assert at.selectbox(key="design_question").value == worst[0]["question_id"]


def test_explore_lists_the_same_questions_and_links_to_design_for_those_who_can_open_it(app_test, demo_db_path):
    from analysis import evidence

    db = open_database(demo_db_path)
    v2 = next(v for v in store.list_versions(db) if v["number"] == 2)
    worst = evidence.look_again(evidence.evidence_by_lineage(db, v2["survey_id"], mask=lambda t: t), v2["id"], 8)
    designer = _ok(app_test(demo_db_path, "explore", role="designer"))
    assert [e.proto.query_string for e in designer.get("page_link") if e.proto.query_string] == [
        f"question={row['question_id']}" for row in worst]
    evaluator = _ok(app_test(demo_db_path, "explore", role="evaluator"))
    assert not [e for e in evaluator.get("page_link") if e.proto.query_string], "evaluators cannot open Design"
    shown = [m.value for m in evaluator.markdown if "answer quality" in m.value]
    assert len(shown) == len(worst)


def test_interviewers_notes_show_beside_the_question_with_details_masked(app_test, demo_db_path):
    db = open_database(demo_db_path)
    v2 = next(v for v in store.list_versions(db) if v["number"] == 2)
    question = next(q for q in store.questions_for_version(db, v2["id"]) if q["name"] == "worker_listens")
    db.execute("UPDATE answer SET note = 'She asked what listen means. Call 07700 900123 if needed.', "
               "updated_at = '2099-01-01T00:00:00+00:00' WHERE id = (SELECT id FROM answer WHERE question_id = ? "
               "LIMIT 1)", [question["id"]])
    at = _ok(app_test(demo_db_path, "design", role="designer"))
    at.selectbox(key="design_version").set_value(v2["id"]).run()
    at.radio(key="design_part").set_value("Edit").run()
    at.selectbox(key="design_question").set_value(question["id"]).run()
    at.session_state["design_evidence_more"] = True
    at.run()
    _ok(at)
    notes = [m.value for m in at.markdown if "listen means" in m.value]
    assert notes and "07700" not in notes[0] and "\\[phone\\]" in notes[0]
    assert any("1 note from interviewers" in m.value for m in at.markdown)



@pytest.mark.parametrize("form", ["onadata-mali_health.xlsx", "onadata-subdistrict_profiling_tool.xlsx",
                                  "pyxform-xlsform_spec_test.xlsx", "onadata-good_eats_multilang.xlsx"])
def test_every_part_opens_on_a_public_form(app_test, db_path, form):
    """Other people's forms (kept in tests/data/xlsforms/public with their sources)."""
    from pathlib import Path

    from surveys import xlsform

    db = open_database(db_path)
    report = xlsform.import_xlsform(db, Path(__file__).parent / "data" / "xlsforms" / "public" / form, "test")
    questions = store.questions_for_version(db, report.version_id)
    db.conn.close()
    at = _ok(app_test(db_path, "design", role="designer"))
    at.selectbox(key="design_version").set_value(report.version_id).run()
    for part in ("Questions", "Edit", "Proposals", "Workshop", "Script"):
        at.radio(key="design_part").set_value(part).run()
        _ok(at)
    at.radio(key="design_part").set_value("Edit").run()
    at.selectbox(key="design_question").set_value(questions[-1]["id"]).run()
    _ok(at)
    assert _wording_box(at) == questions[-1]["wording"]


def test_new_answers_never_make_a_question_wait_and_are_counted_soon(app_test, demo_db_path):
    import time

    db = open_database(demo_db_path)
    v2 = next(v for v in store.list_versions(db) if v["number"] == 2)
    question = next(q for q in store.questions_for_version(db, v2["id"]) if q["name"] == "worker_listens")
    at = _ok(app_test(demo_db_path, "design", role="designer"))
    at.selectbox(key="design_version").set_value(v2["id"]).run()
    at.radio(key="design_part").set_value("Edit").run()
    at.selectbox(key="design_question").set_value(question["id"]).run()
    at.session_state["design_evidence_more"] = True
    at.run()

    def asked_now():
        [table] = [d.value for d in at.dataframe if "What" in d.value.columns]
        column = next(c for c in table.columns if c.startswith(v2["label"]))
        return int(table.set_index("What").loc["Asked", column].replace(",", ""))

    before = asked_now()
    stamp = store.now()
    interview_id = store.new_id()
    store.bulk_insert(db, "interview", [(interview_id, v2["id"], "NEW-1", None, "given", "submitted",
                                         "one_at_a_time", stamp, stamp, 10.0, 0, stamp)])
    store.bulk_insert(db, "answer", [(store.new_id(), interview_id, question["id"], "Yes", None, 0, 1, 0, 0, "",
                                      2.0, stamp)])
    at.run()
    _ok(at)
    assert asked_now() == before and any("being counted again" in c.value for c in at.caption), \
        "the page shows the last count at once, and says so"
    deadline = time.monotonic() + 60
    while any("being counted again" in c.value for c in at.caption) and time.monotonic() < deadline:
        time.sleep(0.1)
        at.run()
    assert asked_now() == before + 1 == _report(demo_db_path, v2["id"])["worker_listens"]["asked"]
