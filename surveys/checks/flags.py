"""The values the checker deals in: a finding (Flag), a check definition (Check) and severities.

Kept apart from the checks themselves so that the check modules, the registry and the app can
all import these without importing each other.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from typing import Any, NamedTuple

# In rising order of how much a finding matters. `problem` is what makes the command line exit 1.
SEVERITIES: tuple[str, ...] = ("info", "warning", "problem")

# What each kind of check looks at; used to group checks in the docs and the app.
KINDS: tuple[str, ...] = ("wording", "design", "options")


@dataclass(frozen=True)
class Flag:
    """One finding about one question.

    `start` and `end` are character offsets into the wording, so `text[start:end]` is exactly
    the words the message quotes; both are None for findings about the whole question or its
    answer options. `quoted` repeats `text[start:end]` (or "" when there is no span) so a flag
    can be matched to a dismissal without the text at hand.
    """

    code: str
    severity: str
    start: int | None
    end: int | None
    message: str
    suggestion: str | None
    why: str
    source: str
    quoted: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Return the flag as a plain dict, ready for JSON."""
        return asdict(self)


class Hit(NamedTuple):
    """What a check function finds; the checker turns it into a Flag with the check's severity."""

    start: int | None
    end: int | None
    message: str
    suggestion: str | None = None
    source: str | None = None  # overrides the check's source, e.g. the word list an entry came from


class Example(NamedTuple):
    """A question (and optional answer options) used as a must-flag or must-pass example."""

    text: str
    options: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Check:
    """A check as a value: its code and its plain-words title, how much it matters, why, where the advice comes
    from, the examples that must flag and must pass, and the text for docs/checks.md.

    `run` takes a prepared question (surveys.checks.context.Question) and returns its hits.
    `needs_parser` checks are switched off when the English language model is not installed.
    """

    code: str
    kind: str
    severity: str
    why: str
    source: str
    run: Callable[..., Iterable[Hit]] = field(repr=False, compare=False)
    # The name people see in the app ("Asks two things at once"); the code is for files and tests.
    title: str = ""
    needs_parser: bool = False
    examples_flag: tuple[Example, ...] = ()
    examples_pass: tuple[Example, ...] = ()
    catches: str = ""
    example: str = ""
    better: str = ""

    def __post_init__(self) -> None:
        if not self.title.strip():
            raise ValueError(f"Check {self.code!r} has no title (its name in plain words).")
        if self.severity not in SEVERITIES:
            raise ValueError(f"Check {self.code!r} has an unknown severity {self.severity!r}.")
        if self.kind not in KINDS:
            raise ValueError(f"Check {self.code!r} has an unknown kind {self.kind!r}.")
