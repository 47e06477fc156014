"""Benchmark the question checker: accuracy on our labelled set and on other people's questions
(each slice apart), and speed against a floor.

    python bench/bench_checks.py

Accuracy: precision and recall per code and overall on tests/data/labelled_questions.jsonl
(target 0.9 each, precision first).

Speed (targets from issue 3): warm latency per question p50 under 5 ms; a 200-question survey
under 1 s; and the ratio to a floor under 1.5. The floor is the work no checker can skip: the
same spaCy pipeline parsing the same text, plus textstat's Flesch reading ease and
Flesch-Kincaid grade on it. Checker and floor are timed in turn on each question, so a busy
machine slows both alike; textstat's per-text caches are emptied before every timed call on
both sides, so neither gets a repeat for free. Word-level caches (syllables, word frequency)
stay warm: that is what "warm" means.
"""

from __future__ import annotations

import gc
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import textstat  # noqa: E402

from surveys.checks import CODES, get_checker  # noqa: E402

LABELLED = ROOT / "tests" / "data" / "labelled_questions.jsonl"
# Other people's questions (issue 15): published guides, textbooks, methods courses, question banks.
EXTERNAL = ROOT / "tests" / "data" / "external_questions.jsonl"
ROUNDS = 5
SURVEY_SIZE = 200
SURVEY_RUNS = 7
TARGET_P50_MS = 5.0
TARGET_SURVEY_S = 1.0
TARGET_RATIO = 1.5
TARGET_ACCURACY = 0.9
# Issue 15. Our own set: precision, recall and pairwise 0.95. Other people's questions: recall
# 0.8, precision 0.9, leading recall 0.7, pairwise 0.85 and above Flesch-Kincaid's.
TARGET_OWN = 0.95
TARGET_EXTERNAL_RECALL = 0.8
TARGET_EXTERNAL_PRECISION = 0.9
TARGET_LEADING_RECALL = 0.7
TARGET_EXTERNAL_PAIRWISE = 0.85
# The slices of the external set, in the order they are reported.
SPLITS = ("dev", "held-out", "fresh", "fresh-2")
# A check of one question in a new process (issue 15): under 2 s, and under 1.5x a bare
# spacy.load of the same model in a new process, measured in turn in the same run.
NEW_PROCESS_RUNS = 5
TARGET_NEW_PROCESS_S = 2.0
TARGET_NEW_PROCESS_RATIO = 1.5
# textstat loaders of whole dictionaries: kept, because clearing them would time a file load.
_KEEP_CACHED = {"get_cmudict", "get_pyphen", "get_lang_cfg", "get_lang_root", "get_lang_easy_words"}


def labelled(path: Path = LABELLED) -> list[dict]:
    """Return the labelled questions in PATH."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def clear_textstat_caches() -> None:
    """Empty textstat's per-text caches (it caches every result by the whole text)."""
    for name, module in list(sys.modules.items()):
        if not name.startswith("textstat"):
            continue
        for attr, value in vars(module).items():
            if attr not in _KEEP_CACHED and callable(getattr(value, "cache_clear", None)):
                value.cache_clear()


def percentile(values: list[float], share: float) -> float:
    """Return the value below which SHARE of VALUES fall (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def _ratio(a: int, b: int) -> float:
    return a / b if b else 1.0


def accuracy(rows: list[dict], name: str, show_misses: bool = True) -> dict[str, float]:
    """Print precision and recall per code and overall, and pairwise accuracy of the score beside
    Flesch-Kincaid's on the same pairs; return {"precision", "recall", "leading_recall",
    "presupposition_recall", "pairwise", "fk_pairwise", "pairs"}."""
    from surveys.checks.syllables import flesch_kincaid_grade

    checker = get_checker()
    reports = checker.check_many([(r["text"], r.get("options")) for r in rows])
    tp, fp, fn = Counter(), Counter(), Counter()
    misses = []
    for row, report in zip(rows, reports):
        found = {f.code for f in report.flags}
        expected = set(row["codes"])
        for code in found & expected:
            tp[code] += 1
        for code in found - expected:
            fp[code] += 1
            misses.append(f"  false alarm {code}: {row['text']}")
        for code in expected - found:
            fn[code] += 1
            misses.append(f"  missed {code}: {row['text']}")
    print(f"{name}: {len(rows)} questions, {sum(1 for r in rows if not r['codes'])} with no expected codes")
    print(f"{'code':22} {'labelled':>8} {'found':>6} {'precision':>9} {'recall':>7}")
    for code in CODES:
        labelled_n = tp[code] + fn[code]
        found_n = tp[code] + fp[code]
        if labelled_n or found_n:
            print(f"{code:22} {labelled_n:8d} {found_n:6d} {_ratio(tp[code], found_n):9.2f} {_ratio(tp[code], labelled_n):7.2f}")
    t, f_p, f_n = sum(tp.values()), sum(fp.values()), sum(fn.values())
    precision, recall = _ratio(t, t + f_p), _ratio(t, t + f_n)
    print(f"{'overall':22} {t + f_n:8d} {t + f_p:6d} {precision:9.3f} {recall:7.3f}")
    by_pair: dict[str, dict[str, tuple[dict, object]]] = {}
    for row, report in zip(rows, reports):
        if "pair" in row:
            by_pair.setdefault(row["pair"], {})[row["role"]] = (row, report)
    ours = fk = 0
    for pair in by_pair.values():
        (original, before), (rewording, after) = pair["original"], pair["rewording"]
        ours += after.score > before.score  # a tie is not a win
        fk += flesch_kincaid_grade(rewording["text"]) < flesch_kincaid_grade(original["text"])
    n_pairs = len(by_pair)
    pairwise, fk_pairwise = _ratio(ours, n_pairs), _ratio(fk, n_pairs)
    print(f"pairwise: the score ranks the rewording above the original in {ours} of {n_pairs} pairs ({pairwise:.2f}); "
          f"Flesch-Kincaid grade, same pairs: {fk} of {n_pairs} ({fk_pairwise:.2f})")
    if show_misses:
        for line in misses:
            print(line)
    return {
        "precision": precision,
        "recall": recall,
        "leading_recall": _ratio(tp["leading"], tp["leading"] + fn["leading"]),
        "presupposition_recall": _ratio(tp["presupposition"], tp["presupposition"] + fn["presupposition"]),
        "pairwise": pairwise,
        "fk_pairwise": fk_pairwise,
        "pairs": n_pairs,
    }


def floor_one(nlp, text: str) -> None:
    """The floor for one question: parse it and compute the two readability figures."""
    nlp(text)
    textstat.flesch_reading_ease(text)
    textstat.flesch_kincaid_grade(text)


def latency(rows: list[dict]) -> tuple[float, float, float, float]:
    """Return (checker p50, checker p95, floor p50, floor p95) in ms per question, warm."""
    checker = get_checker()
    nlp = checker.nlp
    items = [(r["text"], r.get("options")) for r in rows]
    for text, options in items:  # warm the word caches and the pipeline
        checker.check(text, options)
        floor_one(nlp, text)
    ours, floor = [], []
    gc.collect()
    for round_number in range(ROUNDS):
        for i, (text, options) in enumerate(items):
            # Alternate which goes first, so neither always follows the other's cache traffic.
            order = (0, 1) if (i + round_number) % 2 == 0 else (1, 0)
            for which in order:
                clear_textstat_caches()
                if which == 0:
                    started = time.perf_counter()
                    checker.check(text, options)
                    ours.append(time.perf_counter() - started)
                else:
                    started = time.perf_counter()
                    floor_one(nlp, text)
                    floor.append(time.perf_counter() - started)
    ms = 1000.0
    return (
        statistics.median(ours) * ms,
        percentile(ours, 0.95) * ms,
        statistics.median(floor) * ms,
        percentile(floor, 0.95) * ms,
    )


def survey(rows: list[dict]) -> tuple[float, float]:
    """Return (checker, floor) seconds for a 200-question survey checked in one batch: the best
    of SURVEY_RUNS runs each, taken in turn, because one run is long enough for other work on
    the machine to land in it and the fastest run is the least disturbed."""
    checker = get_checker()
    nlp = checker.nlp
    items = [(rows[i % len(rows)]["text"], rows[i % len(rows)].get("options")) for i in range(SURVEY_SIZE)]
    texts = [t for t, _ in items]
    ours, floor = [], []
    checker.check_many(items)  # warm
    for _ in range(SURVEY_RUNS):
        clear_textstat_caches()
        started = time.perf_counter()
        checker.check_many(items)
        ours.append(time.perf_counter() - started)
        clear_textstat_caches()
        started = time.perf_counter()
        list(nlp.pipe(texts))
        for text in texts:
            textstat.flesch_reading_ease(text)
            textstat.flesch_kincaid_grade(text)
        floor.append(time.perf_counter() - started)
    return min(ours), min(floor)


def new_process(model: str) -> tuple[float, float]:
    """Return (check, floor) seconds, the best of NEW_PROCESS_RUNS each, taken in turn: our
    `python -m surveys check FILE` of one question, and `python -c "import spacy;
    spacy.load(MODEL)"` (every component), each in a new process, start to exit."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "one.txt"
        path.write_text("How often do you use the food bank?\n", encoding="utf-8")
        ours_cmd = [sys.executable, "-m", "surveys", "check", str(path)]
        floor_cmd = [sys.executable, "-c", f"import spacy; spacy.load({model!r})"]
        ours, floor = [], []
        for _ in range(NEW_PROCESS_RUNS):
            for command, times in ((ours_cmd, ours), (floor_cmd, floor)):
                started = time.perf_counter()
                subprocess.run(command, cwd=ROOT, check=False, capture_output=True)
                times.append(time.perf_counter() - started)
    return min(ours), min(floor)


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def main() -> int:
    rows = labelled()
    started = time.perf_counter()
    checker = get_checker()
    print(f"Model: {checker.model_name} ({', '.join(checker.nlp.pipe_names)}); loaded in {time.perf_counter() - started:.2f} s")
    own = accuracy(rows, "Our labelled set (tests/data/labelled_questions.jsonl)")
    print()
    external = labelled(EXTERNAL)
    # Four slices, each labelled before the rules met it: "dev" (rules are tuned on it),
    # "held-out" (split from dev before any tuning), "fresh" and "fresh-2" (added later from
    # sources used nowhere else, each labelled and committed before the checker first ran on it).
    # The whole set is reported too.
    results = {}
    for split in SPLITS:
        part = [r for r in external if r["split"] == split]
        results[split] = accuracy(part, f"Other people's questions, {split} slice", show_misses=False)
        print()
    whole = accuracy(external, "Other people's questions, all slices", show_misses=False)
    p50, p95, floor50, floor95 = latency(rows)
    survey_s, floor_survey_s = survey(rows)
    start_s, floor_start_s = new_process(checker.model_name)
    print()
    own_ok = min(own["precision"], own["recall"], own["pairwise"]) >= TARGET_OWN
    print(f"our set: precision {own['precision']:.3f}, recall {own['recall']:.3f}, pairwise {own['pairwise']:.2f} "
          f"(target {TARGET_OWN} each): {verdict(own_ok)}")
    for split, result in (*results.items(), ("all slices", whole)):
        ok = (
            result["precision"] >= TARGET_EXTERNAL_PRECISION
            and result["recall"] >= TARGET_EXTERNAL_RECALL
            and result["leading_recall"] >= TARGET_LEADING_RECALL
            and result["pairwise"] >= TARGET_EXTERNAL_PAIRWISE
            and result["pairwise"] > result["fk_pairwise"]
        )
        print(f"other people's questions, {split}: precision {result['precision']:.3f}, recall {result['recall']:.3f}, "
              f"leading recall {result['leading_recall']:.2f}, "
              f"presupposition recall {result['presupposition_recall']:.2f}, pairwise {result['pairwise']:.3f} "
              f"(Flesch-Kincaid {result['fk_pairwise']:.3f}, {result['pairs']} pairs) "
              f"(targets 0.9, 0.8, 0.7, 0.85 and above Flesch-Kincaid): {verdict(ok)}")
    print(f"checker p50 per question: {p50:.2f} ms (floor {floor50:.2f} ms, ratio {p50 / floor50:.2f}): "
          f"{verdict(p50 < TARGET_P50_MS and p50 / floor50 < TARGET_RATIO)}")
    print(f"checker p95 per question: {p95:.2f} ms (floor {floor95:.2f} ms, ratio {p95 / floor95:.2f})")
    print(f"checker {SURVEY_SIZE}-question survey, best of {SURVEY_RUNS}: {survey_s * 1000:.0f} ms "
          f"(floor {floor_survey_s * 1000:.0f} ms, "
          f"ratio {survey_s / floor_survey_s:.2f}): "
          f"{verdict(survey_s < TARGET_SURVEY_S and survey_s / floor_survey_s < TARGET_RATIO)}")
    start_ok = start_s < TARGET_NEW_PROCESS_S and start_s / floor_start_s < TARGET_NEW_PROCESS_RATIO
    print(f"check of one question in a new process, best of {NEW_PROCESS_RUNS}: {start_s:.2f} s "
          f"(floor: bare spacy.load of {checker.model_name} in a new process {floor_start_s:.2f} s, "
          f"ratio {start_s / floor_start_s:.2f}; target under {TARGET_NEW_PROCESS_S:.0f} s and "
          f"{TARGET_NEW_PROCESS_RATIO}x): {verdict(start_ok)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
