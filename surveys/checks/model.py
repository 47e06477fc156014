"""The checker's view of the shared English language model (surveys/nlp.py).

The checks read the fine-grained tags (tagger) and the dependency parse (parser) only. The
model itself is loaded once per process for the whole app; the checker runs just those two
components (and the token vectors they share) on each question.
"""

from __future__ import annotations

from typing import Any

from surveys import nlp as shared

MODEL_NAMES = shared.MODEL_NAMES
# Components the checker runs; named entities, coarse tags and lemmas are never read.
COMPONENTS = shared.CHECKER


def get_pipeline(model: str | None = None) -> tuple[Any, str | None]:
    """Return (pipeline view running only the checker's components, package name) for MODEL or
    the first installed default; (None, None) when no English model is installed."""
    view = shared.pipeline_for(COMPONENTS, model)
    if view is None:
        return None, None
    return view, shared.model_name(model)


def clear_pipeline_cache() -> None:
    """Forget loaded pipelines, so the next get_pipeline() looks again (used by tests)."""
    shared.clear_cache()
