"""The Design page, driven through its widgets by key, checked against the database."""

from __future__ import annotations

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
    at.selectbox(key="design_workshop_jump").set_value(2).run()
    _ok(at)
    shown = [m.value for m in at.markdown if "loud" in m.value]
    assert shown == ["## Tell us \\:red\\[loud\\] \\<b\\>bold\\</b\\> \\[x\\]\\(http\\://e\\)"]


def test_contributions_table_and_csv(app_test, design_db):
    db = _db(design_db)
    pid = codesign.propose_wording(db, design_db["q"]["drugs"], "Do you use drugs?", _dee(db, design_db), "Kinder")
    codesign.react(db, pid, _dee(db, design_db), "agree")
    at = _open_part(app_test, design_db, "Contributions")
    table = at.dataframe[0].value
    assert list(table["Name"]) == ["Dee"]
    assert list(table["Wordings proposed"]) == [1] and list(table["Reactions"]) == [1]
    csv_text = codesign.contributions_csv(codesign.contributions(db, survey_id=design_db["survey_id"]))
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
