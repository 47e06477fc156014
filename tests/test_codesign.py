"""Co-design library: proposals, reactions, comments, adoption, versions, history, credit."""

from __future__ import annotations

import csv
import io
import json

import pytest

from surveys import codesign
from surveys.storage import audit_entries
from surveys.storage import core as store
from surveys.storage.core import InvalidInput


@pytest.fixture
def survey(db):
    """A survey with a draft version of three questions and four people."""
    survey_id = store.create_survey(db, "Test survey")
    version_id = store.create_version(db, survey_id, "Draft one")
    questions = {
        "drugs": store.add_question(db, version_id, name="drugs", type="yes_no",
                                    wording="Are you a substance misuser?", options=["Yes", "No"]),
        "worker": store.add_question(db, version_id, name="worker", type="single_choice",
                                     wording="How often do you see your keyworker?",
                                     options=["Often", "Sometimes", "Never"]),
        "story": store.add_question(db, version_id, name="story", type="long_text",
                                    wording="Tell us about where you live."),
    }
    people = {
        "sam": store.add_person(db, "Sam", "peer_researcher"),
        "alex": store.add_person(db, "Alex", "staff"),
        "dee": store.add_person(db, "Dee", "lived_experience"),
        "jo": store.add_person(db, "Jo", "peer_researcher"),
    }
    return {"survey_id": survey_id, "version_id": version_id, "q": questions, "p": people}


def _wording(db, question_id):
    return store.get_question(db, question_id)["wording"]


# ---- propose, comment, react ------------------------------------------------------------------


def test_propose_records_author_role_and_reason(db, survey):
    pid = codesign.propose_wording(db, survey["q"]["drugs"], "Do you use drugs or alcohol?",
                                   survey["p"]["dee"], "Nobody calls themselves a misuser.")
    proposal = codesign.get_proposal(db, pid)
    assert {k: proposal[k] for k in ("wording", "author_id", "author_name", "author_role", "reason", "status")} == {
        "wording": "Do you use drugs or alcohol?",
        "author_id": survey["p"]["dee"],
        "author_name": "Dee",
        "author_role": "lived_experience",
        "reason": "Nobody calls themselves a misuser.",
        "status": "proposed",
    }
    assert [e["action"] for e in audit_entries(db, record_id=pid)] == ["propose wording"]
    assert [p["id"] for p in codesign.proposals_for_question(db, survey["q"]["drugs"])] == [pid]


@pytest.mark.parametrize("wording", ["", "   ", "Are you a substance misuser?"])
def test_propose_refuses_empty_or_unchanged_wording(db, survey, wording):
    with pytest.raises(InvalidInput):
        codesign.propose_wording(db, survey["q"]["drugs"], wording, survey["p"]["dee"])
    assert codesign.proposals_for_question(db, survey["q"]["drugs"]) == []


def test_comment_is_stored_with_its_writer(db, survey):
    pid = codesign.propose_wording(db, survey["q"]["drugs"], "Do you use drugs?", survey["p"]["dee"])
    codesign.comment(db, pid, survey["p"]["alex"], "What about alcohol?")
    with pytest.raises(InvalidInput, match="Write your comment"):
        codesign.comment(db, pid, survey["p"]["alex"], "  ")
    comments = codesign.comments_for(db, pid)
    assert [(c["name"], c["role"], c["body"]) for c in comments] == [("Alex", "staff", "What about alcohol?")]
    assert audit_entries(db, action="comment on proposal")[0]["actor"] == "Alex"


def test_a_new_reaction_replaces_the_old_one(db, survey):
    pid = codesign.propose_wording(db, survey["q"]["drugs"], "Do you use drugs?", survey["p"]["dee"])
    codesign.react(db, pid, survey["p"]["sam"], "unsure")
    codesign.react(db, pid, survey["p"]["sam"], "agree")
    reactions = codesign.reactions_for(db, pid)
    assert [(r["name"], r["stance"]) for r in reactions] == [("Sam", "agree")]
    logged = audit_entries(db, action="react to proposal", record_id=pid)
    assert json.loads(logged[0]["old_value"]) == {"stance": "unsure", "reason": ""}


@pytest.mark.parametrize("stance, message", [("disagree", "Say why you disagree"), ("block", "Say why you block")])
def test_disagree_and_block_need_a_reason(db, survey, stance, message):
    pid = codesign.propose_wording(db, survey["q"]["drugs"], "Do you use drugs?", survey["p"]["dee"])
    with pytest.raises(ValueError, match=message):
        codesign.react(db, pid, survey["p"]["alex"], stance, "  ")
    assert codesign.reactions_for(db, pid) == []
    codesign.react(db, pid, survey["p"]["alex"], stance, "Too narrow")
    assert [r["stance"] for r in codesign.reactions_for(db, pid)] == [stance]


def test_group_stance_summary(db, survey):
    pid = codesign.propose_wording(db, survey["q"]["drugs"], "Do you use drugs?", survey["p"]["dee"])
    assert codesign.group_stance(db, pid)["summary"] == "No one has reacted yet."
    codesign.react(db, pid, survey["p"]["sam"], "agree")
    codesign.react(db, pid, survey["p"]["jo"], "agree")
    codesign.react(db, pid, survey["p"]["dee"], "agree")
    codesign.react(db, pid, survey["p"]["alex"], "unsure")
    stance = codesign.group_stance(db, pid)
    assert stance == {"agree": 3, "unsure": 1, "disagree": 0, "block": 0, "total": 4, "blocks": [],
                      "summary": "3 agree, 1 not sure. No one blocks."}
    codesign.react(db, pid, survey["p"]["alex"], "block", "It leaves out alcohol")
    stance = codesign.group_stance(db, pid)
    assert stance["blocks"] == [{"name": "Alex", "reason": "It leaves out alcohol"}]
    assert stance["summary"] == "Blocked by 1 person: It leaves out alcohol. Others: 3 agree."


# ---- states, adopt, reject --------------------------------------------------------------------


def test_agree_is_refused_while_someone_blocks(db, survey):
    pid = codesign.propose_wording(db, survey["q"]["drugs"], "Do you use drugs?", survey["p"]["dee"])
    codesign.react(db, pid, survey["p"]["alex"], "block", "It leaves out alcohol")
    with pytest.raises(InvalidInput, match="blocks it"):
        codesign.set_status(db, pid, "agreed", survey["p"]["sam"])
    with pytest.raises(InvalidInput, match="blocks it"):
        codesign.adopt(db, pid, survey["p"]["sam"])
    assert codesign.get_proposal(db, pid)["status"] == "proposed"
    assert _wording(db, survey["q"]["drugs"]) == "Are you a substance misuser?"
    codesign.react(db, pid, survey["p"]["alex"], "agree")
    assert codesign.set_status(db, pid, "agreed", survey["p"]["sam"])["status"] == "agreed"


def test_adopt_writes_wording_and_keeps_the_old_one(db, survey):
    qid = survey["q"]["drugs"]
    pid = codesign.propose_wording(db, qid, "Do you use drugs or alcohol?", survey["p"]["dee"], "Kinder")
    codesign.react(db, pid, survey["p"]["sam"], "agree")
    codesign.set_status(db, pid, "agreed", survey["p"]["sam"])
    question = codesign.adopt(db, pid, survey["p"]["alex"])
    assert question["wording"] == "Do you use drugs or alcohol?"
    assert _wording(db, qid) == "Do you use drugs or alcohol?"
    proposal = codesign.get_proposal(db, pid)
    assert proposal["status"] == "adopted" and proposal["decided_at"]
    history = codesign.wording_history(db, question["lineage_id"])
    assert len(history) == 1
    assert history[0]["wording"] == "Do you use drugs or alcohol?"
    assert [(h["wording"], h["name"], h["proposal_id"]) for h in history[0]["earlier"]] == [
        ("Are you a substance misuser?", "Alex", pid)
    ]
    actions = [e["action"] for e in audit_entries(db)]
    assert "adopt proposal" in actions and "change question" in actions
    with pytest.raises(InvalidInput, match="adopted, so it cannot be adopted"):
        codesign.adopt(db, pid, survey["p"]["alex"])


def test_reject_needs_a_reason_and_closes_the_proposal(db, survey):
    pid = codesign.propose_wording(db, survey["q"]["story"], "Where do you sleep?", survey["p"]["jo"])
    with pytest.raises(InvalidInput, match="Say why"):
        codesign.set_status(db, pid, "rejected", survey["p"]["alex"], " ")
    assert codesign.get_proposal(db, pid)["status"] == "proposed"
    rejected = codesign.set_status(db, pid, "rejected", survey["p"]["alex"], "Too narrow")
    assert (rejected["status"], rejected["status_reason"]) == ("rejected", "Too narrow")
    with pytest.raises(InvalidInput, match="decided"):
        codesign.react(db, pid, survey["p"]["sam"], "agree")
    with pytest.raises(InvalidInput, match="cannot be adopted"):
        codesign.adopt(db, pid, survey["p"]["sam"])
    assert codesign.set_status(db, pid, "proposed", survey["p"]["jo"])["status"] == "proposed"
    assert _wording(db, survey["q"]["story"]) == "Tell us about where you live."


# ---- versions, locking, lineage ---------------------------------------------------------------


def test_publish_freezes_and_adopt_explains(db, survey):
    pid = codesign.propose_wording(db, survey["q"]["drugs"], "Do you use drugs?", survey["p"]["dee"])
    codesign.publish(db, survey["version_id"], survey["p"]["sam"])
    assert store.get_version(db, survey["version_id"])["status"] == "published"
    assert audit_entries(db, action="publish version")[0]["actor"] == "Sam"
    with pytest.raises(InvalidInput, match="Start a new draft version"):
        codesign.adopt(db, pid, survey["p"]["sam"])
    with pytest.raises(InvalidInput, match="frozen"):
        codesign.save_question(db, survey["q"]["drugs"], {"wording": "Do you drink?"}, survey["p"]["sam"])
    assert codesign.edit_locks(db, survey["q"]["drugs"]) == {
        "wording": codesign.LOCKED_VERSION, "type_options": codesign.LOCKED_VERSION}
    with pytest.raises(InvalidInput, match="already ready"):
        codesign.publish(db, survey["version_id"], survey["p"]["sam"])


def test_new_version_keeps_lineage_and_takes_earlier_proposals(db, survey):
    old_qid = survey["q"]["drugs"]
    pid = codesign.propose_wording(db, old_qid, "Do you use drugs or alcohol?", survey["p"]["dee"])
    codesign.publish(db, survey["version_id"], survey["p"]["sam"])
    with pytest.raises(InvalidInput, match="still a draft"):
        codesign.start_new_version(db, store.create_version(db, survey["survey_id"]), survey["p"]["sam"])
    new_vid = codesign.start_new_version(db, survey["version_id"], survey["p"]["sam"])
    old_qs = store.questions_for_version(db, survey["version_id"])
    new_qs = store.questions_for_version(db, new_vid)
    assert [(q["name"], q["lineage_id"], q["wording"]) for q in new_qs] == [
        (q["name"], q["lineage_id"], q["wording"]) for q in old_qs]
    assert store.get_version(db, new_vid)["based_on_id"] == survey["version_id"]
    new_qid = next(q["id"] for q in new_qs if q["name"] == "drugs")
    # The proposal made on the published version shows on the new draft and goes into it.
    assert [p["id"] for p in codesign.proposals_for_question(db, new_qid)] == [pid]
    codesign.adopt(db, pid, survey["p"]["sam"])
    assert _wording(db, new_qid) == "Do you use drugs or alcohol?"
    assert _wording(db, old_qid) == "Are you a substance misuser?"
    history = codesign.wording_history(db, new_qs[0]["lineage_id"])
    assert [(h["version_number"], h["wording"], len(h["earlier"])) for h in history] == [
        (1, "Are you a substance misuser?", 0), (3, "Do you use drugs or alcohol?", 1)]


def test_answered_question_keeps_type_and_options(db, survey):
    qid = survey["q"]["worker"]
    interview_id = store.new_id()
    stamp = store.now()
    store.bulk_insert(db, "interview", [(interview_id, survey["version_id"], "R1", None, "given", "submitted",
                                         "one_at_a_time", stamp, stamp, 10.0, 0, stamp)])
    store.bulk_insert(db, "answer", [(store.new_id(), interview_id, qid, "Often", None, 0, 0, 0, 0, "", 2.0, stamp)])
    assert codesign.edit_locks(db, qid) == {"wording": None, "type_options": codesign.LOCKED_ANSWERED}
    with pytest.raises(InvalidInput, match="already answered"):
        codesign.save_question(db, qid, {"options": ["Often", "Never"]}, survey["p"]["sam"])
    saved = codesign.save_question(db, qid, {"wording": "How often do you see your support worker?"},
                                   survey["p"]["sam"], "Plain words")
    assert saved["wording"] == "How often do you see your support worker?"
    assert saved["options"] == ["Often", "Sometimes", "Never"]
    earlier = codesign.wording_history(db, saved["lineage_id"])[0]["earlier"]
    assert [(h["wording"], h["reason"]) for h in earlier] == [("How often do you see your keyworker?", "Plain words")]


# ---- contributions ----------------------------------------------------------------------------


def test_contribution_totals_per_person_survey_and_question(db, survey):
    p, q = survey["p"], survey["q"]
    first = codesign.propose_wording(db, q["drugs"], "Do you use drugs?", p["dee"])
    second = codesign.propose_wording(db, q["worker"], "How often do you see your worker?", p["dee"])
    third = codesign.propose_wording(db, q["story"], "Where do you live now?", p["sam"])
    codesign.comment(db, first, p["alex"], "Add alcohol?")
    codesign.comment(db, first, p["alex"], "Fine by me now")
    codesign.comment(db, third, p["jo"], "Good")
    codesign.react(db, first, p["sam"], "agree")
    codesign.react(db, second, p["sam"], "unsure")
    codesign.react(db, first, p["alex"], "agree")
    codesign.adopt(db, first, p["jo"])
    other = store.create_survey(db, "Other survey")
    other_q = store.add_question(db, store.create_version(db, other), name="x", type="text", wording="Hi?")
    codesign.propose_wording(db, other_q, "Hello?", p["alex"])

    def table(rows):
        return {r["name"]: (r["role"], r["proposed"], r["adopted"], r["commented"], r["reacted"], r["total"])
                for r in rows}

    assert table(codesign.contributions(db, survey_id=survey["survey_id"])) == {
        "Alex": ("Staff", 0, 0, 2, 1, 3),
        "Dee": ("Person with lived experience", 2, 1, 0, 0, 2),
        "Jo": ("Peer researcher", 0, 0, 1, 0, 1),
        "Sam": ("Peer researcher", 1, 0, 0, 2, 3),
    }
    assert table(codesign.contributions(db, question_id=q["drugs"])) == {
        "Alex": ("Staff", 0, 0, 2, 1, 3),
        "Dee": ("Person with lived experience", 1, 1, 0, 0, 1),
        "Sam": ("Peer researcher", 0, 0, 0, 1, 1),
    }
    assert table(codesign.contributions(db))["Alex"] == ("Staff", 1, 0, 2, 1, 4)
    parsed = list(csv.reader(io.StringIO(codesign.contributions_csv(codesign.contributions(db, question_id=q["drugs"])))))
    assert parsed[0] == ["Name", "Role", "Wordings proposed", "Wordings adopted", "Comments", "Reactions",
                         "Translations", "Total"]
    assert parsed[1] == ["Alex", "Staff", "0", "0", "2", "1", "0", "3"]


def test_contributions_csv_defuses_spreadsheet_formulas():
    text = codesign.contributions_csv([{"name": "=HYPERLINK(1)", "role": "Staff", "proposed": 1, "adopted": 0,
                                        "commented": 0, "reacted": 0, "total": 1}])
    assert list(csv.reader(io.StringIO(text)))[1][0] == "'=HYPERLINK(1)"


# ---- diff, Markdown safety, script ------------------------------------------------------------


def test_word_diff():
    assert codesign.word_diff("Are you a substance misuser?", "Do you use drugs?") == [
        ("removed", "Are"), ("added", "Do"), ("same", "you"),
        ("removed", "a substance misuser?"), ("added", "use drugs?")]
    assert codesign.word_diff("same words", "same  words") == [("same", "same words")]


def test_escape_markdown_leaves_no_live_syntax():
    typed = "**bold** [link](http://x) :red[colour] <b>hi</b> $x$ # head"
    escaped = codesign.escape_markdown(typed)
    for ch in "*[]():<>$#":
        assert all(escaped[i - 1] == "\\" for i, c in enumerate(escaped) if c == ch), ch
    assert escaped.replace("\\", "") == typed


class _Flag:
    def __init__(self, start, end, severity):
        self.start, self.end, self.severity = start, end, severity


def test_highlighted_markdown_wraps_flagged_words_only():
    text = "Are you a substance misuser? [x]"
    out = codesign.highlighted_markdown(text, [_Flag(10, 27, "problem"), _Flag(0, 3, "info")])
    assert out == ":blue-background[Are] you a :red-background[substance misuser]? \\[x\\]"


def test_interviewer_script_escapes_typed_text(db, survey):
    store.add_question(db, survey["version_id"], name="follow", type="number",
                       wording="<script>alert(1)</script> How many?", help_text="Say *any* number",
                       show_if={"question": "drugs", "operator": "equals", "values": ["Yes"]}, required=True)
    page = codesign.interviewer_script(db, survey["version_id"], "html")
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; How many?" in page
    assert "Only ask if question 1 (drugs) is “Yes”." in page
    assert page.count('<section class="q">') == 4
    text = codesign.interviewer_script(db, survey["version_id"], "markdown")
    assert "**\\<script\\>alert\\(1\\)\\</script\\> How many?**" in text
    assert "- Help: Say \\*any\\* number" in text
    assert "    - Sometimes" in text and "- This question needs an answer or a skip." in text
    with pytest.raises(InvalidInput):
        codesign.interviewer_script(db, survey["version_id"], "pdf")


# ---- with the real checker --------------------------------------------------------------------


@pytest.fixture(scope="module")
def checker():
    from surveys.checks import get_checker

    return get_checker()


def test_question_list_scores_counts_filters_and_states(db, survey, checker):
    rows = codesign.question_list(db, survey["version_id"], checker)
    by_name = {r["name"]: r for r in rows}
    assert [r["name"] for r in rows] == ["drugs", "worker", "story"]
    assert "stigmatising" in by_name["drugs"]["codes"] and by_name["drugs"]["status"] == "needs a look"
    assert "jargon" in by_name["worker"]["codes"]
    assert by_name["story"] == {**by_name["story"], "codes": [], "problems": 0, "warnings": 0, "infos": 0,
                                "score": 100, "status": "fine", "open_proposals": 0}
    assert by_name["drugs"]["score"] < 100
    for row in rows:
        report = checker.check(row["wording"], store.get_question(db, row["id"])["options"])
        assert (row["problems"], row["warnings"], row["infos"]) == tuple(
            report.counts_by_severity[s] for s in ("problem", "warning", "info"))
    assert [r["name"] for r in codesign.question_list(db, survey["version_id"], checker, code="jargon")] == ["worker"]

    codesign.propose_wording(db, survey["q"]["story"], "Where do you live now?", survey["p"]["sam"])
    story = next(r for r in codesign.question_list(db, survey["version_id"], checker) if r["name"] == "story")
    assert (story["status"], story["open_proposals"]) == ("has open proposals", 1)


def test_dismissed_flag_leaves_the_question_list(db, survey, checker):
    from surveys.storage import glossary

    flag = next(f for f in checker.check(_wording(db, survey["q"]["worker"])).flags if f.code == "jargon")
    glossary.dismiss_flag(db, survey["q"]["worker"], "jargon", flag.quoted, "Our clients say keyworker",
                          survey["p"]["dee"])
    row = next(r for r in codesign.question_list(db, survey["version_id"], checker) if r["name"] == "worker")
    assert "jargon" not in row["codes"]


def test_compare_wordings_gives_diff_scores_and_flags(checker):
    result = codesign.compare_wordings("Are you a substance misuser?", "Do you use drugs or alcohol?", checker)
    assert result["diff"] == codesign.word_diff("Are you a substance misuser?", "Do you use drugs or alcohol?")
    assert result["a"]["text"] == "Are you a substance misuser?"
    assert "stigmatising" in [f["code"] for f in result["a"]["flags"]]
    # No flags; the score's plainness part takes 0.7 for "alcohol" (docs/checks.md, "The score").
    assert result["b"]["flags"] == [] and result["b"]["score"] == 99
    assert result["a"]["score"] < result["b"]["score"]
    flag = next(f for f in result["a"]["flags"] if f["code"] == "stigmatising")
    assert "Are you a substance misuser?"[flag["start"]:flag["end"]] == flag["quoted"]
