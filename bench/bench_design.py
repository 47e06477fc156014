"""Benchmark the Design page on the 20,000-interview demo: picking a question, switching part, and
the live check of a wording as someone types (issues 14 and 16).

Targets: a question switch and a part switch under 0.5 s (warm, in the same session), also right
after new answers arrive; a live-check update within 300 ms of a pause in typing. The box sends
its words 150 ms after the last key, so the work the page does for one update (the fragment's
checks, highlights and flags) must stay under 150 ms.

Floors, measured in the same run: a bare AppTest rerun of a one-widget page (what Streamlit itself
costs per run) for the page figures, and a raw spaCy parse of the same wording for the live check.

The page is driven with streamlit.testing AppTest from app.py, signed in as a real designer
account. The database is PSS_BENCH_DESIGN_DB, else /tmp/pss_bench_20k.db (shared with
bench_analysis; built with load_demo(interviews=20000, seed=7) when missing). The bench adds a
draft version (so there is a wording to edit) and one designer account the first time.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DB_PATH = Path(os.environ.get("PSS_BENCH_DESIGN_DB", "/tmp/pss_bench_20k.db"))
INTERVIEWS = 20_000
SWITCH_TARGET = 0.5
LIVE_TARGET = 0.3
LIVE_WORK_TARGET = 0.15
BENCH_USER = "bench-designer"
BENCH_PASSWORD = "bench-designer-password"
FAILED: list[str] = []


def ensure_database(path: Path) -> None:
    """Build the 20,000-interview demo at PATH unless one is already there."""
    from surveys.demo import load_demo
    from surveys.storage import open_database

    if path.exists():
        return
    print(f"building {INTERVIEWS:,} synthetic interviews at {path} ...", flush=True)
    db = open_database(path)
    load_demo(db, interviews=INTERVIEWS, seed=7)
    db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.conn.close()


def prepare(path: Path) -> tuple[dict, dict]:
    """Return the bench designer's session user and {version number: version}, adding what is missing."""
    from surveys import accounts, codesign
    from surveys.storage import open_database
    from surveys.storage import accounts as account_store
    from surveys.storage import core as store

    db = open_database(path)
    try:
        account = next((a for a in accounts.list_accounts(db) if a["username"] == BENCH_USER), None)
        if account is None:
            accounts.create_account(db, BENCH_USER, BENCH_PASSWORD, "designer", "Bench designer", "bench",
                                    person_role="peer_researcher")
            account = next(a for a in accounts.list_accounts(db) if a["username"] == BENCH_USER)
        user = accounts.user_for_account(account_store.account_by_id(db, account["account_id"]))
        versions = store.list_versions(db)
        if not any(v["status"] == "draft" for v in versions):
            published = [v for v in versions if v["status"] == "published"][-1]
            codesign.start_new_version(db, published["id"], accounts.actor_for_user(db, user), "Bench draft")
            versions = store.list_versions(db)
        return user, {v["number"]: v for v in versions}
    finally:
        db.conn.close()


def run(at) -> float:
    """Return how long one AppTest run takes, failing loudly on an exception in the page."""
    started = time.perf_counter()
    at.run()
    took = time.perf_counter() - started
    if at.exception:
        raise SystemExit(f"the Design page failed: {[e.value for e in at.exception]}")
    return took


def floor_page() -> float:
    """Return the median time of a bare AppTest rerun after a menu change (Streamlit's own cost)."""
    from streamlit.testing.v1 import AppTest

    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "floor_page.py"
        script.write_text('import streamlit as st\nst.set_page_config(layout="wide")\n'
                          'st.selectbox("Pick", list(range(50)), key="pick")\nst.write(st.session_state.pick)\n')
        bare = AppTest.from_file(str(script), default_timeout=60)
        bare.run()
        times = []
        for i in range(1, 8):
            bare.selectbox(key="pick").set_value(i)
            times.append(run(bare))
    return statistics.median(times)


def verdict(name: str, ours: float, target: float) -> str:
    if ours > target:
        FAILED.append(name)
        return f"MISSED (target under {target * 1000:.0f} ms)"
    return f"ok (target under {target * 1000:.0f} ms)"


def add_answers(path: Path, version_id: str, user: dict, n: int = 10) -> None:
    """Save N answers of one new interview the way an interviewer does (one save each)."""
    from surveys import accounts, interviews
    from surveys.storage import core as store
    from surveys.storage import open_database

    db = open_database(path, migrate_now=False)
    try:
        actor = accounts.actor_for_user(db, user)
        questions = [q for q in store.questions_for_version(db, version_id) if q["type"] in ("text", "long_text")]
        interview_id = interviews.start_interview(db, version_id, f"BENCH-{time.time_ns()}", actor, consent=True)
        for question in questions[:n]:
            interviews.save_answer(db, interview_id, question["id"], "It was fine, the staff listened to me.",
                                   actor=actor)
    finally:
        db.conn.close()


def bench_page(user: dict, versions: dict) -> None:
    from streamlit.testing.v1 import AppTest

    from surveys.storage import core as store
    from surveys.storage import open_database

    os.environ["SURVEYS_DB"] = str(DB_PATH)
    floor = floor_page()
    draft = max((v for v in versions.values() if v["status"] == "draft"), key=lambda v: v["number"])
    answered = versions[2]
    db = open_database(DB_PATH, migrate_now=False)
    questions = store.questions_for_version(db, draft["id"])
    db.conn.close()

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
    at.session_state["auth_user"] = user
    run(at)
    at.switch_page("pages/1_Design.py")
    cold = run(at)
    at.selectbox(key="design_version").set_value(draft["id"])
    run(at)
    at.radio(key="design_part").set_value("Edit")
    first_edit = run(at)
    switches = []
    for question in questions[1:13]:
        at.selectbox(key="design_question").set_value(question["id"])
        switches.append(run(at))
    parts = {}
    for part in ("Questions", "Proposals", "Workshop", "Versions", "Edit"):
        at.radio(key="design_part").set_value(part)
        parts[part] = run(at)
    warm_parts = [t for name, t in parts.items() if name != "Questions"]

    add_answers(DB_PATH, answered["id"], user)
    at.selectbox(key="design_question").set_value(questions[0]["id"])
    after_write = run(at)

    fresh = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
    fresh.session_state["auth_user"] = user
    run(fresh)
    fresh.switch_page("pages/1_Design.py")
    new_session = run(fresh)

    # The full-page rerun after new words in the box (the browser reruns only the fragment).
    typed = []
    words = "Are you a substance misuser and do you see your keyworker often?"
    for cut in (12, 30, 45, len(words)):
        at.session_state["design_wording"] = words[:cut]
        typed.append(run(at))

    median_switch, worst_switch = statistics.median(switches), max(switches)
    print(f"floor: bare AppTest rerun of a one-menu page {floor * 1000:.0f} ms")
    print(f"Design first run in a new process (checker loading, evidence counted): {cold:.2f} s")
    print(f"Design in a new session of the same process: {new_session * 1000:.0f} ms")
    print(f"first Edit of a question (evidence for 49 questions worked out): {first_edit * 1000:.0f} ms")
    print(f"question switch in Edit: median {median_switch * 1000:.0f} ms, slowest {worst_switch * 1000:.0f} ms "
          f"over {len(switches)}, ratio to floor {median_switch / floor:.1f} - "
          f"{verdict('question switch', worst_switch, SWITCH_TARGET)}")
    print("part switch: " + ", ".join(f"{name} {t * 1000:.0f} ms" for name, t in parts.items())
          + f"; slowest warm {max(warm_parts) * 1000:.0f} ms, ratio {statistics.median(warm_parts) / floor:.1f} - "
          f"{verdict('part switch', max(warm_parts), SWITCH_TARGET)}")
    print(f"question switch right after 10 new answers (evidence counted again): {after_write * 1000:.0f} ms - "
          f"{verdict('switch after new answers', after_write, SWITCH_TARGET)}")
    print(f"whole Edit rerun after new words in the box: median {statistics.median(typed) * 1000:.0f} ms, "
          f"slowest {max(typed) * 1000:.0f} ms (an upper bound: the browser reruns only the box's part)")


def bench_live_check() -> None:
    from surveys import codesign, nlp
    from surveys.checks import get_checker

    checker = get_checker()
    parser = nlp.pipeline_for(nlp.CHECKER)
    words = "Are you a substance misuser and do you see your keyworker often? Tell us why or why not."
    prefixes = [words[:cut] for cut in range(20, len(words) + 1, 7)]
    checker.check(words)  # the model is loaded by the page long before anyone types
    work, floor = [], []
    for text in prefixes:
        started = time.perf_counter()
        report = codesign.check_wording(checker, text)
        codesign.highlighted_markdown(text, report.flags)
        codesign.collapse_flags(report.flags)
        work.append(time.perf_counter() - started)
        if parser is not None:
            started = time.perf_counter()
            parser(text)
            floor.append(time.perf_counter() - started)
    long_text = ("Are you an addict? " * 400)[:6000]
    started = time.perf_counter()
    report = codesign.check_wording(checker, long_text)
    collapsed = codesign.collapse_flags(report.flags)
    long_took = time.perf_counter() - started
    median_work = statistics.median(work)
    update = median_work + 0.150
    floor_text = (f"raw spaCy parse {statistics.median(floor) * 1000:.1f} ms, ratio {median_work / statistics.median(floor):.1f}"
                  if floor else "no language model installed, so no parse floor")
    print(f"live check of one wording (checks, highlights, flags collapsed): median {median_work * 1000:.0f} ms, "
          f"slowest {max(work) * 1000:.0f} ms over {len(work)} typed lengths ({floor_text}) - "
          f"{verdict('live check work', max(work), LIVE_WORK_TARGET)}")
    print(f"live-check update after a pause: 150 ms wait + {median_work * 1000:.0f} ms = {update * 1000:.0f} ms - "
          f"{verdict('live-check update', update, LIVE_TARGET)}")
    print(f"a 6,000-character paste: checked up to 5,000 in {long_took * 1000:.0f} ms, "
          f"{len(report.flags)} flags shown as {len(collapsed)}")


def main() -> None:
    ensure_database(DB_PATH)
    from surveys.storage import open_database

    open_database(DB_PATH).conn.close()  # migrations first, as the app does on start
    user, versions = prepare(DB_PATH)
    bench_live_check()
    bench_page(user, versions)
    if FAILED:
        sys.exit(f"missed: {', '.join(FAILED)}")


if __name__ == "__main__":
    main()
