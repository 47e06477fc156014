"""Question-design checks: questions that lead, blame, assume, ask two things, imagine, or say
"no" twice. Pattern checks run on the text; the grammar checks (passive-voice,
double-barrelled, negative-wording) read the spaCy parse and are off without the model."""

from __future__ import annotations

import re

from .context import Question
from .flags import Hit
from .wordlists import NO_APOSTROPHE_NEGATIONS, PatternSet, normalise
from .wording import quote

# --------------------------------------------------------------------------------------------
# Pattern checks (no parser)

# ", isn't it?" / ", don't you?" at the end of a question asks for agreement.
TAG_QUESTION_RE = re.compile(
    r",\s*(?P<tag>(?:is|are|was|were|do|does|did|have|has|had|ca|could|would|wo|should|sha|ai)n['\u2019]t"
    r"\s+(?:it|they|you|we|he|she|there|i))\s*\?\s*$",
    re.IGNORECASE,
)
_AGREE_RE = re.compile(r"\bagree", re.IGNORECASE)
# A "why not?" on its own, after a yes/no question, is a routine follow-up rather than blame.
_WHY_NOT_ALONE_RE = re.compile(r"\s*\?", re.IGNORECASE)


def _pattern_hits(q: Question, patterns: PatternSet) -> list[tuple[int, int]]:
    return patterns.finditer(q.text, q.word_starts, q.first_parts)


def find_leading(q: Question) -> list[Hit]:
    """Return hits for wording that hints at the answer wanted."""
    balanced = q.rules.leading_balanced is not None and q.rules.leading_balanced.search(q.text)
    hits = []
    for start, end in _pattern_hits(q, q.rules.leading):
        # "Do you agree or disagree..." is balanced; only a one-sided agree question leads.
        if balanced and _AGREE_RE.search(q.text, start, end):
            continue
        hits.append(_leading_hit(q, start, end))
    tag = TAG_QUESTION_RE.search(q.text)
    if tag:
        hits.append(_leading_hit(q, *tag.span("tag")))
    return hits


def _leading_hit(q: Question, start: int, end: int) -> Hit:
    return Hit(
        start,
        end,
        f"{quote(q.text[start:end])} may push people towards one answer. "
        "Consider a question that does not hint at an answer.",
    )


def find_presuppositions(q: Question) -> list[Hit]:
    """Return hits for wording that takes for granted something that may not be true."""
    return [
        Hit(
            start,
            end,
            f"{quote(q.text[start:end])} may take for granted something that is not true for everyone. "
            "Consider asking first whether it happened.",
        )
        for start, end in _pattern_hits(q, q.rules.presupposition)
    ]


def find_blaming(q: Question) -> list[Hit]:
    """Return hits for "why didn't you..." and other why-questions that may sound like blame."""
    hits = []
    for start, end in _pattern_hits(q, q.rules.blaming):
        if normalise(q.text[start:end]) == "why not":
            rest = q.text[end:]
            if not rest.strip() or _WHY_NOT_ALONE_RE.match(rest):
                continue
        hits.append(
            Hit(
                start,
                end,
                f"{quote(q.text[start:end])} may sound like blame. Consider asking what made things hard instead.",
            )
        )
    return hits


def find_hypotheticals(q: Question) -> list[Hit]:
    """Return hits for questions that ask people to imagine what they would do."""
    rules = q.rules
    hits = []
    for a, b in q.sentences:
        sentence = q.text[a:b]
        # Spans of "would you like", "how would you rate"...: their "would" is not hypothetical.
        excluded = [m.span() for m in rules.not_hypothetical.finditer(sentence)] if rules.not_hypothetical else []

        def free(span: tuple[int, int]) -> bool:
            return not any(x <= span[0] < y for x, y in excluded)

        opening = rules.hypothetical_openings.match(sentence.lstrip(" \"'\u201c")) if rules.hypothetical_openings else None
        if opening:
            lead = len(sentence) - len(sentence.lstrip(" \"'\u201c"))
            span = (lead + opening.start(), lead + opening.end())
            if free(span):
                hits.append(_hypothetical_hit(q, a + span[0], a + span[1]))
                continue
        conditionals = [m.span() for m in rules.hypothetical_conditional.finditer(sentence)] if rules.hypothetical_conditional else []
        modals = [m.span() for m in rules.hypothetical_modal.finditer(sentence) if free(m.span())] if rules.hypothetical_modal else []
        if conditionals and modals:
            first_if, first_modal = conditionals[0], modals[0]
            start = min(first_if[0], first_modal[0])
            end = max(first_if[1], first_modal[1])
            # Quote from the first of the two words to the second, but not a whole long sentence.
            if len(q.words_between(a + start, a + end)) > 10:
                start, end = first_modal
            hits.append(_hypothetical_hit(q, a + start, a + end))
    return hits


def _hypothetical_hit(q: Question, start: int, end: int) -> Hit:
    return Hit(
        start,
        end,
        f"{quote(q.text[start:end])} asks people to guess what they would do. "
        "Consider asking about what has really happened.",
    )


MAX_WORDS_BETWEEN_NEGATIONS = 3


def _is_negation(word: str, q: Question) -> bool:
    return (
        word in q.rules.negation_words
        or word in q.rules.negation_prefixed
        or word.endswith("n't")
        or word in NO_APOSTROPHE_NEGATIONS
    )


def find_double_negatives(q: Question) -> list[Hit]:
    """Return a hit for two "no" words close together in one part of a sentence."""
    rules = q.rules
    ignored: set[int] = set()  # word starts inside "or not", "not only"...
    if rules.not_negations is not None:
        for m in rules.not_negations.finditer(q.text):
            ignored.update(w.start for w in q.words_between(m.start(), m.end()))
    hits = []
    for a, b in q.sentences:
        words = q.words_between(a, b)
        marks = [i for i, w in enumerate(words) if w.start not in ignored and _is_negation(w.lower, q)]
        for first, second in zip(marks, marks[1:]):
            between = words[first + 1 : second]
            if len(between) > MAX_WORDS_BETWEEN_NEGATIONS:
                continue
            if any(w.lower in rules.clause_breaks for w in between):
                continue
            start, end = words[first].start, words[second].end
            if re.search(r"[,;:]", q.text[start:end]):
                continue
            hits.append(
                Hit(
                    start,
                    end,
                    f'{quote(q.text[start:end])} has two "no" words. This may confuse people. '
                    "Consider saying it in a positive way.",
                )
            )
            break  # one per sentence is enough to show the problem
    return hits


# --------------------------------------------------------------------------------------------
# Grammar checks (need the parser)

# Participles that describe a state, not something done to someone: "Were you satisfied?",
# "Where were you born?", "Are you registered with a GP?" read as plain, not passive.
STATIVE_PARTICIPLES = frozenset(
    """born married divorced separated widowed registered employed unemployed self-employed
    qualified located based called named supposed used involved interested worried concerned
    scared frightened satisfied dissatisfied pleased bored tired confused stressed depressed
    isolated prepared allowed entitled aged housed homed settled disabled related engaged
    surprised shocked upset annoyed embarrassed ashamed excited disappointed motivated""".split()
)
_BE_FORMS = frozenset("be is are was were been being am 's 're 'm".split())
# A passive is made with "be" or "get"; spaCy sometimes tags "feel" in "feel judged" as auxpass.
_PASSIVE_AUX = _BE_FORMS | frozenset("get gets got gotten getting".split())


def find_passive_voice(q: Question) -> list[Hit]:
    """Return a hit for each passive verb ("Have you been helped", "Was your tenancy ended")."""
    doc = q.doc
    hits = []
    seen: set[int] = set()
    for tok in doc:
        verb = None
        first = None
        if tok.dep_ == "auxpass" and tok.lower_ in _PASSIVE_AUX:
            verb, first = tok.head, tok
        elif tok.tag_ == "VBN" and tok.dep_ == "acomp" and tok.head.lower_ in _BE_FORMS:
            # spaCy parses "Was your tenancy ended?" with `ended` as acomp of `was`.
            verb, first = tok, tok.head
        if verb is None or verb.i in seen or verb.tag_ != "VBN":
            continue
        if verb.lower_ in STATIVE_PARTICIPLES:
            continue
        if verb.i > 0 and doc[verb.i - 1].text in ("-", "\u2010", "\u2011"):
            continue  # "trauma-informed", "well-known": a describing word, not a passive
        seen.add(verb.i)
        a, b = min(first, verb, key=lambda t: t.i), max(first, verb, key=lambda t: t.i)
        start, end = a.idx, b.idx + len(b.text)
        hits.append(
            Hit(start, end, f"{quote(q.text[start:end])} may hide who did it. Consider saying who did it.")
        )
    return hits


_FINITE_VERB_TAGS = frozenset({"VB", "VBD", "VBP", "VBZ"})
# "go and see", "try and get": one action, not two.
_SERIAL_VERBS = frozenset("go goes went come comes came try tried wait sit".split())
# Children that belong to a conjunct's own words when quoting it.
_QUOTED_DEPS = frozenset(
    "dobj pobj prep det poss amod compound nummod prt acomp attr advmod npadvmod neg case nmod quantmod".split()
)
_LIST_QUESTION_RE = re.compile(
    r"\b(?:which of|any of|tick all|select all|all that apply|choose all|pick all)\b", re.IGNORECASE
)


def _conjunct_end(tok) -> int:
    """Return the end offset of TOK's own words (objects, modifiers), not its clauses."""
    end = tok.idx + len(tok.text)
    stack = [tok]
    while stack:
        t = stack.pop()
        for child in t.children:
            if child.i > tok.i and child.dep_ in _QUOTED_DEPS and not child.is_punct:
                end = max(end, child.idx + len(child.text))
                stack.append(child)
    return end


def find_double_barrelled(q: Question) -> list[Hit]:
    """Return a hit for each "X and Y" that asks two things at once.

    Only "and" counts ("drugs or alcohol" asks about either, one ask). Fixed pairs ("friends and
    family"), balanced opposites, numbers ("between 1 and 5"), "you and your partner", joined
    noun modifiers ("the drug and alcohol service") and "go and see" are left alone.
    """
    doc = q.doc
    if _LIST_QUESTION_RE.search(q.text):
        return []
    rules = q.rules
    hits = []
    used_heads: set[int] = set()
    for tok in doc:
        if tok.dep_ != "conj" or tok.is_punct or tok.is_space:
            continue
        head = tok.head
        ccs = [t for t in doc[head.i + 1 : tok.i] if t.dep_ == "cc"]
        if not ccs or ccs[-1].lower_ not in ("and", "&"):
            continue
        cc = ccs[-1]
        if cc.i + 1 < len(doc) and doc[cc.i + 1].text in ("/", "or"):  # "and/or"
            continue
        pair = normalise(f"{head.text} {cc.text} {tok.text}")
        if pair in rules.fixed_pairs or frozenset((head.lower_, tok.lower_)) in rules.balanced_opposites:
            continue
        if _pair_in_text(q, head, tok, rules.fixed_pairs):
            continue
        if head.tag_ in ("CD",) or tok.tag_ in ("CD",) or head.like_num or tok.like_num:
            continue
        if any(t.lower_ == "between" for t in doc[max(0, head.i - 3) : head.i]):
            continue
        if head.tag_.startswith("PRP") or tok.tag_.startswith("PRP") or head.tag_ in ("WP", "WRB", "EX"):
            continue
        if head.dep_ in ("compound", "nmod", "amod") and head.head.i > tok.i:
            continue  # "the drug and alcohol service": both words describe one thing
        if head.tag_.startswith("NN") and _noun_list(head):
            continue  # a list of three or more things ("the council, the hostel and others") names examples
        if head.lower_ in _SERIAL_VERBS and tok.tag_.startswith("VB"):
            continue
        if tok.tag_ in ("UH", "SYM", "DT", "IN", "CC", "TO") or head.tag_ in ("UH", "SYM", "DT", "IN", "CC", "TO"):
            continue
        anchor = head
        if tok.tag_ in _FINITE_VERB_TAGS and head.tag_ not in _FINITE_VERB_TAGS:
            # "drink alcohol and use drugs" is sometimes parsed with `use` hanging off `alcohol`.
            up = head
            while up.head.i != up.i and up.tag_ not in _FINITE_VERB_TAGS:
                up = up.head
            if up.tag_ in _FINITE_VERB_TAGS:
                anchor = up
        if anchor.i in used_heads:
            continue
        used_heads.add(anchor.i)
        if anchor.tag_.startswith("VB"):
            start = anchor.idx
        else:
            left = anchor.left_edge
            start = left.idx if left.i >= anchor.i - 3 else anchor.idx
        end = _conjunct_end(tok)
        a, b = q.sentence_of(anchor.idx)
        start, end = max(start, a), min(end, b)
        if end <= start:
            continue
        hits.append(
            Hit(
                start,
                end,
                f"{quote(q.text[start:end])} may ask two things at once. Someone may want to say yes to "
                "one and no to the other. Consider two questions.",
            )
        )
    return hits


def _noun_list(head) -> bool:
    """Return True when HEAD is part of a list of three or more ("A, B and C")."""
    if head.dep_ == "conj":
        return True
    conjuncts = sum(1 for c in head.children if c.dep_ == "conj")
    commas = sum(1 for c in head.children if c.dep_ == "punct" and c.text == ",")
    return conjuncts >= 2 or (conjuncts >= 1 and commas >= 1)


def _pair_in_text(q: Question, head, tok, fixed_pairs: frozenset[str]) -> bool:
    """Return True when the words from HEAD to TOK (with a leading "the"/"your" dropped) are a fixed pair."""
    words = normalise(q.text[head.idx : tok.idx + len(tok.text)])
    return words in fixed_pairs


# spaCy splits "didnt" into "did" + "nt", with "nt" as the negation.
_NOT_WORDS = frozenset({"not", "n't", "n\u2019t", "nt"})


def find_negative_wording(q: Question) -> list[Hit]:
    """Return a hit when the main verb of a question or statement is negated ("Do you not feel
    safe?", "Didn't staff help you?"). A "not" in a side clause ("anything you didn't like")
    and "or not" are fine."""
    doc = q.doc
    hits = []
    for tok in doc:
        if tok.dep_ != "neg" or tok.lower_ not in _NOT_WORDS:
            continue
        head = tok.head
        if head.dep_ != "ROOT" and not (head.dep_ in ("aux", "auxpass") and head.head.dep_ == "ROOT"):
            continue
        if tok.i > 0 and doc[tok.i - 1].lower_ == "or":
            continue
        if tok.lower_ in ("n't", "n\u2019t", "nt") and tok.i > 0:
            first = doc[tok.i - 1]
            start = first.idx
        else:
            start = tok.idx
        end = tok.idx + len(tok.text)
        hits.append(
            Hit(
                start,
                end,
                f'{quote(q.text[start:end])} makes this a "not" question. People may not be sure what '
                'a "yes" or a "no" means. Consider asking it without "not".',
            )
        )
    return hits
