"""Benchmark: masking personal details in open answers (for exports), and signing in.

Masking: mask_many over distinct open answers with a cold cache. Floor: the bare spaCy
pipeline (nlp.pipe) over the same texts, the part nobody can skip when names are wanted.
Signing in: authenticate() with the real argon2 settings. Floor: one bare argon2 verify.
"""

from __future__ import annotations

import random
import statistics
import time

from argon2 import PasswordHasher

from surveys import accounts, privacy
from surveys.storage import open_database

TEXTS = 1_500
SIGN_INS = 10


def sample_answers(count: int, seed: int = 5) -> list[str]:
    """Return COUNT distinct, realistic open answers, some with personal details in them."""
    rng = random.Random(seed)
    openings = ["The staff were kind", "It took ages to get seen", "My key worker Sarah Thompson helped",
                "I felt listened to", "Nobody rang me back", "The hostel on SE1 7PB was cold",
                "I was born in 1985 and have been homeless on and off", "They wrote to jo.bloggs@example.com"]
    middles = ["and the questions were easy to follow", "but the form was too long", "so I gave up",
               "and I would come again", "even when I was struggling", "ring me on 07700 900123",
               "but the waiting room was loud", "and the peer researcher got it"]
    endings = ["", " Thanks.", " It made a difference.", " I hope this helps others.", " Not sure."]
    texts: set[str] = set()
    while len(texts) < count:
        texts.add(f"{rng.choice(openings)} {rng.choice(middles)} ({rng.randint(1, 10**6)}).{rng.choice(endings)}")
    return sorted(texts)


def bench_masking() -> None:
    texts = sample_answers(TEXTS)
    nlp = privacy.pipeline()
    list(nlp.pipe(texts[:50]))  # warm up both paths on texts not measured
    started = time.perf_counter()
    list(nlp.pipe(texts, batch_size=256))
    floor = time.perf_counter() - started
    privacy._cache.clear()
    started = time.perf_counter()
    masked = privacy.mask_many(texts)
    ours = time.perf_counter() - started
    hidden = sum(1 for before, after in zip(texts, masked) if before != after)
    print(f"mask {TEXTS:,} distinct answers: {ours:.2f} s, {ours / TEXTS * 1000:.2f} ms each "
          f"(floor: bare spaCy pipe {floor:.2f} s, ratio {ours / floor:.2f}); {hidden:,} had details hidden")
    started = time.perf_counter()
    privacy.mask_many(texts)
    again = time.perf_counter() - started
    print(f"mask the same answers again (cached): {again:.2f} s")


def bench_sign_in() -> None:
    db = open_database(":memory:")
    accounts.create_account(db, "sam", "correct horse battery", "admin", "Sam", accounts.command_line_actor(db))
    hasher = PasswordHasher()
    stored = hasher.hash("correct horse battery")
    ours, floor = [], []
    for _ in range(SIGN_INS):
        started = time.perf_counter()
        accounts.authenticate(db, "sam", "correct horse battery")
        ours.append(time.perf_counter() - started)
        started = time.perf_counter()
        hasher.verify(stored, "correct horse battery")
        floor.append(time.perf_counter() - started)
    o, f = statistics.median(ours) * 1000, statistics.median(floor) * 1000
    print(f"sign in median: {o:.0f} ms (floor: bare argon2 verify {f:.0f} ms, ratio {o / f:.2f})")


def bench_export_and_report() -> None:
    """Masked export of one version of the 20,000-interview demo (10,000 interviews) and the details report.

    Both read the masks and findings stored when each answer was read (the demo reads them when
    it is built). Floors in the same run: a bare SELECT of the same answers for the export, and a
    bare SELECT of every open answer and note for the report.
    """
    import tempfile
    from pathlib import Path

    from bench.bench_analysis import demo_database
    from surveys import responses
    from surveys.storage import core as store
    from surveys.storage import transfer as transfer_store

    path = demo_database()
    db = open_database(path, migrate_now=False)
    version = store.list_versions(db)[0]
    started = time.perf_counter()
    rows = transfer_store.answers_for_export(db, version["id"])
    floor = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        result = responses.export_responses(db, version["id"], Path(folder) / "answers.csv")
        ours = time.perf_counter() - started
    verdict = "meets" if ours < 5 else "MISSES"
    print(f"masked export of one version: {result.interviews:,} interviews ({result.answers:,} answers): {ours:.2f} s "
          f"(floor: bare SELECT of the same {len(rows):,} answers {floor:.2f} s, ratio {ours / floor:.1f}); "
          f"goal under 5 s: {verdict}")
    admin = accounts.command_line_actor(db)
    started = time.perf_counter()
    db.execute("SELECT a.id, a.value, a.note FROM answer a WHERE (a.opt_out IS NULL AND a.word_count > 0) "
               "OR a.note != ''").fetchall()
    floor = time.perf_counter() - started
    started = time.perf_counter()
    report = privacy.personal_details_report(db, admin)
    ours = time.perf_counter() - started
    verdict = "meets" if ours < 3 else "MISSES"
    print(f"personal-details report, every version ({len(report):,} details): {ours:.2f} s (floor: bare SELECT of "
          f"every open answer and note {floor:.2f} s, ratio {ours / floor:.1f}); goal under 3 s: {verdict}")
    db.conn.close()


if __name__ == "__main__":
    bench_masking()
    bench_sign_in()
    bench_export_and_report()
