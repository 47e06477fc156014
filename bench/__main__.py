"""Run every benchmark: python -m bench [NAME ...].

Each bench/bench_*.py script prints our figure, a floor measured in the same run and the
ratio between them. Speed is measured here, never in timed tests.
"""

from __future__ import annotations

import runpy
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(names: list[str]) -> int:
    """Run the named benchmarks (all when none are named) and return an exit code."""
    scripts = sorted(HERE.glob("bench_*.py"))
    if names:
        scripts = [s for s in scripts if any(n in s.stem for n in names)]
    sys.path.insert(0, str(HERE.parent))
    for script in scripts:
        print(f"\n== {script.stem} ==", flush=True)
        started = time.perf_counter()
        runpy.run_path(str(script), run_name="__main__")
        print(f"({script.stem} took {time.perf_counter() - started:.1f} s)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
