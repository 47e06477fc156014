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
    failed = []
    for script in scripts:
        print(f"\n== {script.stem} ==", flush=True)
        started = time.perf_counter()
        try:
            runpy.run_path(str(script), run_name="__main__")
        except SystemExit as stop:  # a script that ends with sys.exit() must not end the others
            if stop.code not in (None, 0):
                failed.append(script.stem)
        print(f"({script.stem} took {time.perf_counter() - started:.1f} s)", flush=True)
    if failed:
        print(f"\nThese benchmarks missed a target or failed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
