"""The "Every code" part of docs/checks.md, written from the registry so the two cannot drift.

    python -m surveys.checks.docs      # rewrite that part of docs/checks.md

A test fails when docs/checks.md does not match what this module writes.
"""

from __future__ import annotations

import sys
from pathlib import Path

from .flags import KINDS
from .registry import CODES

DOCS_PATH = Path(__file__).resolve().parents[2] / "docs" / "checks.md"
MARKER = "## Every code\n"
KIND_TITLES = {"wording": "Wording", "design": "Question design", "options": "Answer options"}


def codes_markdown() -> str:
    """Return the Markdown for every registered code, grouped by kind, in registry order."""
    lines: list[str] = []
    for kind in KINDS:
        lines.append(f"### {KIND_TITLES[kind]}\n")
        for code, check in CODES.items():
            if check.kind != kind:
                continue
            parser = " Needs the English language model." if check.needs_parser else ""
            lines += [
                f"#### `{code}`: {check.title}\n",
                f"- **Severity:** {check.severity}.{parser}",
                f"- **What it catches:** {check.catches}",
                f"- **Why it matters:** {check.why}",
                f"- **Example:** {check.example}",
                f"- **Better:** {check.better}",
                f"- **Source:** {check.source}",
                "",
            ]
    return "\n".join(lines).rstrip() + "\n"


def main() -> int:
    """Rewrite the part of docs/checks.md after "## Every code" and return 0."""
    text = DOCS_PATH.read_text(encoding="utf-8")
    head = text.split(MARKER)[0]
    DOCS_PATH.write_text(head + MARKER + "\n" + codes_markdown(), encoding="utf-8")
    print(f"Wrote {len(CODES)} codes to {DOCS_PATH}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
