"""One spaCy pipeline per process, shared by the checker, the personal-details finder and themes."""

from __future__ import annotations

import pytest

from surveys import nlp

TEXT = "My name is John Smith and I was evicted from the hostel in Leeds by the council last year."


def _signature(doc) -> list[tuple]:
    return [(t.text, t.tag_, t.dep_, t.head.i, t.lemma_, t.pos_, t.ent_type_) for t in doc]


@pytest.fixture
def fresh(monkeypatch):
    """Start with nothing loaded, as a new process does."""
    monkeypatch.setattr(nlp, "_PIPELINES", {})
    monkeypatch.setattr(nlp, "_VIEWS", {})


def test_the_checker_masking_and_themes_share_one_pipeline(fresh):
    from analysis import themes
    from surveys import privacy
    from surveys.checks.checker import Checker

    checker = Checker()
    names = privacy.pipeline()
    words, model = themes.language_pipeline()
    assert model in nlp.MODEL_NAMES
    shared = {id(view._nlp) for view in (checker.nlp, names, words)}
    assert len(shared) == 1
    assert len([p for p in nlp._PIPELINES.values() if p is not None]) == 1


def test_each_task_runs_only_its_own_components(fresh):
    checker = nlp.pipeline_for(nlp.CHECKER)
    names = nlp.pipeline_for(nlp.NAMES)
    words = nlp.pipeline_for(nlp.THEMES)
    assert checker.pipe_names == ["tok2vec", "tagger", "parser"]
    assert names.pipe_names == ["ner"]
    assert words.pipe_names == ["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer"]
    doc = checker(TEXT)
    assert doc.ents == () and doc[1].dep_ == "nsubj"
    doc = names(TEXT)
    assert [(e.text, e.label_) for e in doc.ents][:1] == [("John Smith", "PERSON")]
    assert not doc.has_annotation("DEP")
    assert [d[1].lemma_ for d in words.pipe(["The forms were hard."])] == ["form"]


@pytest.mark.parametrize("first", [nlp.CHECKER, nlp.NAMES, nlp.THEMES])
def test_components_added_later_give_the_same_results_as_a_full_load(fresh, first):
    nlp.pipeline_for(first)
    loaded_first = list(nlp._PIPELINES.values())[-1].pipe_names
    full_view = nlp.pipeline_for(("tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "ner"))
    name = nlp.model_name()
    reference = nlp.load_model(name)
    assert set(loaded_first) < set(reference.pipe_names)  # the first task loaded only its own parts
    assert full_view.pipe_names == reference.pipe_names
    assert _signature(full_view(TEXT)) == _signature(reference(TEXT))


def test_without_a_model_every_task_gets_none(monkeypatch, fresh):
    def missing(name, components=None):
        raise ImportError(name)

    monkeypatch.setattr(nlp, "load_model", missing)
    assert nlp.pipeline_for(nlp.CHECKER) is None
    assert nlp.pipeline_for(nlp.NAMES) is None
    assert nlp.model_name() is None
