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

# ", isn't it?" / ", didn't you?" / ", did you?" / ", right?" at the end of a question asks for
# agreement with what was just said.
TAG_QUESTION_RE = re.compile(
    r",\s*(?P<tag>(?:(?:is|are|was|were|do|does|did|have|has|had|ca|could|would|wo|should|sha|ai)n['\u2019]t"
    r"|is|are|was|were|do|does|did|have|has|had|can|could|would|will|should)"
    r"\s+(?:it|they|you|we|he|she|there|i)|right|correct|true|yes|isn['\u2019]t that (?:right|so|true))\s*\?\s*$",
    re.IGNORECASE,
)
_AGREE_RE = re.compile(r"\bagree", re.IGNORECASE)
# A "why not?" on its own, after a yes/no question, is a routine follow-up rather than blame.
_WHY_NOT_ALONE_RE = re.compile(r"\s*\?", re.IGNORECASE)


def _pattern_hits(q: Question, patterns: PatternSet) -> list[tuple[int, int]]:
    return patterns.finditer(q.text, q.word_starts, q.first_parts)


def find_leading(q: Question) -> list[Hit]:
    """Return hits for wording that hints at the answer wanted: leading phrases and loaded words
    from design.toml, a claim before the question, a one-sided stem, a tag question, one answer
    named as the preferred one, and describing words that praise or blame (VADER lexicon)."""
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
    hits.extend(_one_sided_stem(q))
    hits.extend(_named_preference(q))
    hits.extend(_claim_before_question(q))
    hits.extend(_leading_hit(q, *m.span()) for m in _BANDWAGON_RE.finditer(q.text))
    if q.doc is not None:
        hits.extend(_loaded_words(q))
        hits.extend(_feeling_taken_for_granted(q))
        hits.extend(_reason_for_one_side(q))
    taken: list[tuple[int, int]] = []
    kept = []
    for hit in sorted(hits, key=lambda h: (h.start, -(h.end - h.start))):
        if any(a < hit.end and hit.start < b for a, b in taken):
            continue  # one flag for the same words, however many ways they lead
        taken.append((hit.start, hit.end))
        kept.append(hit)
    return kept


# "How helpful was...", "How well did we...", "How high would you rate...": the stem names one end
# of the scale. Fair when the question or its answers also offer the other end.
# Joining the crowd before the question (the "bandwagon" form; Payne 1951): "Like most Americans,
# do you...?", "Do you believe, along with many others, that...?". Only "Like most X," opening a
# sentence counts, so "What do you like most about...?" passes.
_BANDWAGON_RE = re.compile(
    r"(?:^|(?<=[.?!])\s+)\W*(?:just\s+)?like\s+(?:most|many|other|all|lots\s+of)\s+(?:[\w'\u2019-]+\s+){0,2}[\w'\u2019-]+\s*,"
    r"|\balong\s+with\s+(?:many|most|all|millions\s+of|lots\s+of)\s+(?:others?|other\s+[\w-]+|people|[\w-]+)\b",
    re.IGNORECASE,
)
_HOW_STEM_RE = re.compile(r"^\W*how\s+(?:much\s+|strongly\s+)?", re.IGNORECASE)


def _one_sided_stem(q: Question) -> list[Hit]:
    rules = q.rules
    if rules.one_sided is None:
        return []
    hits = []
    for a, b in q.sentences:
        sentence = q.text[a:b]
        stem = _HOW_STEM_RE.match(sentence)
        if not stem:
            continue
        word = rules.one_sided.match(sentence, stem.end())
        if not word:
            continue
        if rules.one_sided_balance is not None and rules.one_sided_balance.search(q.text):
            continue
        if _options_offer_the_low_end(q):
            continue
        hits.append(
            Hit(
                a + stem.start(),
                a + word.end(),
                f"{quote(q.text[a + stem.start() : a + word.end()])} names only the good end, so it may push people "
                'towards it. Consider adding the other end ("how helpful or unhelpful"), or answers from '
                '"not at all" to "very".',
            )
        )
    return hits


_LOW_END_RE = re.compile(r"\b(?:not|no|un\w+|dis\w+|poor|bad|badly|never|none)\b", re.IGNORECASE)


def _options_offer_the_low_end(q: Question) -> bool:
    """Return True when an answer option lets people say the low or opposite end."""
    return any(_LOW_END_RE.search(option) for option in q.options)


_PREFER_RE = re.compile(r"\bdo\s+you\s+prefer\b", re.IGNORECASE)
_CHOICE_RE = re.compile(r"\b(?:or|which|what|who|whether)\b", re.IGNORECASE)


def _named_preference(q: Question) -> list[Hit]:
    """"Do you prefer cats?": one answer is named and no other is offered."""
    hits = []
    for a, b in q.sentences:
        sentence = q.text[a:b]
        match = _PREFER_RE.search(sentence)
        if match and not _CHOICE_RE.search(sentence) and not q.options:
            hits.append(
                Hit(
                    a + match.start(),
                    a + match.end(),
                    f"{quote(sentence[match.start():match.end()])} names one answer only. This may push people "
                    "towards it. Consider asking which they prefer, and listing the choices.",
                )
            )
    return hits


_CLAIM_WORDS_RE = re.compile(
    r"\b(?:improve[sd]?|improving|benefits?|protects?|protecting|harms?|keeps?|shown|proven|prove[sd]?|"
    r"saves?|saving|works?|helps?|effective|better|worse|best|worst|vital|essential|must|should|dangerous|"
    r"harmful|safer|wasted?|wasting|important)\b",
    re.IGNORECASE,
)
MIN_CLAIM_VALENCE = 1.5


def _claim_before_question(q: Question) -> list[Hit]:
    """A statement before the question that says what is good or true ("A new centre would improve
    children's lives. Do you support it?"): the answer is given before it is asked."""
    from .valence import valence

    if len(q.sentences) < 2:
        return []
    last_a, last_b = q.sentences[-1]
    if not q.text[last_a:last_b].rstrip().endswith("?"):
        return []
    hits = []
    for a, b in q.sentences[:-1]:
        sentence = q.text[a:b].strip()
        if sentence.endswith("?") or not sentence:
            continue
        if q.rules.preamble_openings is not None and q.rules.preamble_openings.match(sentence):
            continue
        words = q.words_between(a, b)
        if len(words) < 5:
            continue  # "Yes or no." and the like
        strong = [w for w in words if abs(valence(w.lower)) >= MIN_CLAIM_VALENCE and w.lower not in q.rules.not_loaded]
        claims = list(_CLAIM_WORDS_RE.finditer(sentence))
        if not strong and not claims and not _someone_elses_view(q, a, b):
            continue
        if any(name for _, _, name in _topics_in(q, a, b)):
            continue  # a content note ("The next part is about suicide.") is not a claim
        hits.append(
            Hit(
                a,
                b,
                f"{quote(q.text[a:b])} tells people what to think before the question. This may push them "
                "towards one answer. Consider leaving it out, or giving both sides.",
            )
        )
    return hits


# Verbs that report what someone thinks or has found ("Most customers think...", "Experts
# believe...", "Studies show..."): said before a question, they are social proof or authority.
_VIEW_VERBS = frozenset(
    """think thinks thought believe believes believed say says said agree agrees agreed feel feels felt
    know knows knew claim claims claimed state states stated show shows showed shown suggest suggests
    suggested recommend recommends recommended report reports reported find finds found prefer prefers
    preferred consider considers considered warn warns warned""".split()
)
# Subjects whose view is the person's own or the survey's ("We would like...", "You said...").
_OWN_SUBJECTS = frozenset("you i we me us it this that there".split())


def _someone_elses_view(q: Question, a: int, b: int) -> bool:
    """Return True when the sentence from A to B reports what other people think or have found:
    its main verb is one of thinking or saying, and its subject is someone else."""
    if q.doc is None:
        return False
    for tok in q.doc:
        # The checker's pipeline has no lemmatizer, so verbs are matched in all their forms.
        if not (a <= tok.idx < b) or tok.dep_ != "ROOT" or tok.lower_ not in _VIEW_VERBS:
            continue
        subjects = [c for c in tok.children if c.dep_ in ("nsubj", "nsubjpass")]
        if subjects and all(s.lower_ not in _OWN_SUBJECTS and not _one_side_of_two(s) for s in subjects):
            return True
    return False


def _one_side_of_two(subject) -> bool:
    """Return True for "some people", "others", "other people": one of two sides given in turn
    ("Some people say... Others say... What do you think?"), which is fair."""
    words = {t.lower_ for t in subject.subtree}
    return bool(words & {"some", "others", "other"})


def _topics_in(q: Question, a: int, b: int) -> list[tuple[int, int, str]]:
    from .wording import sensitive_topics

    return [t for t in sensitive_topics(q) if a <= t[0] < b]


# Describing words at least this strong (VADER, -4 to +4) take a side.
MIN_LOADED_VALENCE = 2.0
_DESCRIBING_TAGS = frozenset({"JJ", "RB"})


def _loaded_words(q: Question) -> list[Hit]:
    """Describing words that praise or blame the thing asked about ("our excellent staff", "rude
    people"): an adjective or adverb with a strong VADER rating, attached to a noun in the question.
    Words people are asked to rate ("Were the staff friendly?") are not attached to a noun, and
    pass; so do words that name the topic itself ("illegal income", "a safe place")."""
    from .valence import valence

    rated = q.options or _AGREE_FORMAT_RE.search(q.text)
    hits = []
    for tok in q.doc:
        if tok.tag_ not in _DESCRIBING_TAGS or tok.dep_ not in ("amod", "advmod"):
            continue
        a, b = q.sentence_of(tok.idx)
        if not rated and not q.text[a:b].rstrip().endswith("?"):
            continue  # a plain statement with no answers to pick is not asking anything
        if tok.dep_ == "advmod" and tok.head.dep_ != "amod":
            continue  # "how well", "really": only an adverb inside a describing phrase counts
        lower = tok.lower_
        if lower in q.rules.not_loaded or abs(valence(lower)) < MIN_LOADED_VALENCE:
            continue
        head = tok.head if tok.dep_ == "amod" else tok.head.head
        if not head.tag_.startswith("NN"):
            continue
        if any(c.dep_ == "conj" for c in tok.children) or tok.dep_ == "conj":
            continue  # "good or bad": both ends offered
        start, end = tok.idx, tok.idx + len(tok.text)
        hits.append(
            Hit(
                start,
                end,
                f"{quote(q.text[start:end])} praises or blames what is asked about. This may push people towards "
                "one answer. Consider leaving it out.",
            )
        )
    return hits


# Marks of a side clause that sets up the question ("If you love...", "Since you enjoyed...").
_PREMISE_MARKS = frozenset({"if", "since", "as", "because"})
MIN_PREMISE_VALENCE = 2.0


def _feeling_taken_for_granted(q: Question) -> list[Hit]:
    """A strong feeling put in the person's mouth before the question ("If you love working here,
    would you recommend us?"): the side clause says how they feel, so the question builds on it.
    The feeling verb must take an object ("if you like" on its own is a courtesy)."""
    from .valence import valence

    hits = []
    for tok in q.doc:
        if tok.dep_ != "advcl" or not tok.tag_.startswith("VB"):
            continue
        marks = [c for c in tok.children if c.dep_ == "mark" and c.lower_ in _PREMISE_MARKS]
        if not marks or not any(c.dep_ == "nsubj" and c.lower_ == "you" for c in tok.children):
            continue
        if abs(valence(tok.lower_)) < MIN_PREMISE_VALENCE:
            continue
        if not any(c.dep_ in ("dobj", "xcomp", "ccomp", "prep") for c in tok.children):
            continue
        a, b = q.sentence_of(tok.idx)
        if not q.text[a:b].rstrip().endswith("?"):
            continue
        start, end = marks[0].idx, tok.right_edge.idx + len(tok.right_edge.text)
        hits.append(
            Hit(
                start,
                end,
                f"{quote(q.text[start:end])} says how people feel before asking. This may push them towards "
                "one answer. Consider asking how they feel first, as its own question.",
            )
        )
    return hits


# Verbs that ask whether people back something.
_BACKING_VERBS = frozenset(
    "support supports favor favour approve allow allowed endorse back oppose".split()
)
_BOTH_SIDES_RE = re.compile(
    r"\b(?:or\s+oppose|or\s+against|for\s+or\s+against|or\s+disapprove|or\s+not|or\s+disagree)\b", re.IGNORECASE
)


def _reason_for_one_side(q: Question) -> list[Hit]:
    """A reason for one side given inside a question that asks whether people back something
    ("Do you support advertising abroad to promote job creation?", "...tax rates in order to
    protect our children's health?"): the question argues for the answer it asks about (Pew
    Research Center, Writing survey questions; Payne 1951). Found from the grammar: a purpose
    clause ("to...", "in order to...", "so that...") whose words praise or warn (VADER, or the
    claim words), attached to a question of backing with no other side offered."""
    from .valence import valence

    if _BOTH_SIDES_RE.search(q.text):
        return []
    hits = []
    for a, b in q.sentences:
        if not q.text[a:b].rstrip().endswith("?"):
            continue
        sentence_tokens = [t for t in q.doc if a <= t.idx < b]
        backing = [t for t in sentence_tokens if t.lower_ in _BACKING_VERBS or (t.lower_ in ("favor", "favour") and t.dep_ == "pobj")]
        if not backing:
            continue
        for tok in sentence_tokens:
            purpose = (tok.dep_ == "advcl" and any(c.dep_ == "aux" and c.lower_ == "to" for c in tok.children)) or (
                tok.dep_ == "acl" and tok.head.lower_ == "order"
            )
            if not purpose:
                continue
            words = [t for t in tok.subtree]
            strong = any(
                abs(valence(t.lower_)) >= MIN_CLAIM_VALENCE and t.lower_ not in q.rules.not_loaded for t in words
            ) or any(_CLAIM_WORDS_RE.fullmatch(t.lower_) for t in words)
            if not strong:
                continue
            first = tok.left_edge if tok.dep_ == "advcl" else tok.head.head  # "in order to..."
            start = first.idx if first.i < tok.i else tok.idx
            end = tok.right_edge.idx + len(tok.right_edge.text)
            hits.append(
                Hit(
                    start,
                    end,
                    f"{quote(q.text[start:end])} gives a reason for one side. This may push people towards "
                    "it. Consider asking without the reason, or giving both sides.",
                )
            )
            break
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
        counterfactual = _COUNTERFACTUAL_RE.search(sentence) or _IF_WILL_RE.match(sentence)
        if counterfactual:
            hits.append(_hypothetical_hit(q, a + counterfactual.start(), a + counterfactual.end()))
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


# "If it were...", "if you had..., would you": an imagined past or present, whatever the modal.
_COUNTERFACTUAL_RE = re.compile(r"\bif\s+[^,?.]{0,60}?\b(?:were|was)\b[^?]*?\b(?:would|could|might)\b", re.IGNORECASE)
# "If I can deliver it tomorrow, will you sign now?": a promise about an imagined future.
_IF_WILL_RE = re.compile(r"\s*if\b[^?]*?,\s*will\s+you\b", re.IGNORECASE)


def _hypothetical_hit(q: Question, start: int, end: int) -> Hit:
    return Hit(
        start,
        end,
        f"{quote(q.text[start:end])} asks people to guess what they would do. "
        "Consider asking about what has really happened.",
    )


MAX_WORDS_BETWEEN_NEGATIONS = 3


# Words that start with "un" but say no "no" ("under", "until", "unless", "university").
_NOT_UN_NEGATIONS = frozenset(
    "unless until under understand understood understanding union unit units united unity universe universal "
    "university unique uniform unanimous undo undone undid undoing unlock unlocked unpack unpacked unplug "
    "unload unloaded uncover uncovered unfold unfolded unwrap untie undress unwind".split()
)
UN_STEM_ZIPF = 3.5  # "unfriendly" is "un" + "friendly", a common word: a "no" word


def _is_negation(word: str, q: Question) -> bool:
    return (
        word in q.rules.negation_words
        or word in q.rules.negation_prefixed
        or word.endswith("n't")
        or word in NO_APOSTROPHE_NEGATIONS
        or _un_word(word)
    )


def _un_word(word: str) -> bool:
    """Return True for "un" + a common word ("unfriendly", "unkind"): a word with "no" built in."""
    from .metrics import zipf

    return (
        word.startswith("un")
        and len(word) >= 6
        and word not in _NOT_UN_NEGATIONS
        and "-" not in word
        and zipf(word[2:]) >= UN_STEM_ZIPF
    )


# Asked as a statement to agree or disagree with.
_AGREE_FORMAT_RE = re.compile(
    r"\b(?:agree or disagree|disagree or agree|(?:how much|how strongly|to what extent) do you agree"
    r"|the following statements?|this statement|strongly agree|strongly disagree)\b",
    re.IGNORECASE,
)
_AGREE_OPTION_RE = re.compile(r"\b(?:agree|disagree)\b", re.IGNORECASE)


def _negated_statement(q: Question) -> list[Hit]:
    """A "not" statement people are asked to agree or disagree with ("Teachers should not be
    required to..."): disagreeing means "not not". Converse and Presser (1986)."""
    doc = q.doc
    if doc is None:
        return []
    # Only when agreement is asked for: a plain statement may be read out for other reasons.
    asks_agreement = _AGREE_FORMAT_RE.search(q.text) or any(_AGREE_OPTION_RE.search(o) for o in q.options)
    if not asks_agreement:
        return []
    for tok in doc:
        if tok.dep_ != "neg" or tok.head.dep_ != "ROOT":
            continue
        a, b = q.sentence_of(tok.idx)
        if q.text[a:b].rstrip().endswith("?"):
            continue
        return [
            Hit(
                None,
                None,
                'This is a "not" statement. To disagree, people have to say "not not", a double negative. '
                "Consider saying it without \"not\".",
            )
        ]
    return []


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
    if not hits:
        hits.extend(_negated_statement(q))
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
        if not _about_the_person(verb, first):
            continue  # "The service was provided", "brands being advertised": no one is hidden from the person
        seen.add(verb.i)
        a, b = min(first, verb, key=lambda t: t.i), max(first, verb, key=lambda t: t.i)
        start, end = a.idx, b.idx + len(b.text)
        hits.append(
            Hit(start, end, f"{quote(q.text[start:end])} may hide who did it. Consider saying who did it.")
        )
    return hits


_PERSON_WORDS = frozenset({"you", "your", "yourself", "yours"})
# People a question is about, besides "you": a passive about them hides who acted on them.
_PERSON_NOUNS = frozenset(
    "people person children child users residents tenants clients women men parents families family teachers "
    "staff workers students patients".split()
)


def _about_the_person(verb, aux) -> bool:
    """Return True when the passive is about the person answering: its subject is "you" or
    something of theirs ("your tenancy"). A passive about a thing hides no one from them."""
    subjects = [c for c in list(verb.children) + list(aux.children) if c.dep_ in ("nsubjpass", "nsubj")]
    up = verb
    while not subjects and up.dep_ in ("xcomp", "acomp") and up.head.i != up.i:
        # "Would you be happy to be contacted?": the infinitive's subject is the clause's. But after
        # an object ("do you remember brands being advertised"), the object is what it is about.
        up = up.head
        objects = [c for c in up.children if c.dep_ == "dobj"]
        subjects = objects or [c for c in up.children if c.dep_ in ("nsubj", "nsubjpass")]
    for subject in subjects:
        if subject.lower_ in _PERSON_WORDS or subject.lower_ in _PERSON_NOUNS:
            return True
        if any(c.lower_ in _PERSON_WORDS for c in subject.children):
            return True
    return False


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
        if _opposites_between(q, head, tok, rules.balanced_opposites):
            continue  # "1 being very dissatisfied and 5 being very satisfied": the two ends of one scale
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
        if _names_examples(q, head) or _sets_the_scene(q, anchor) or _follow_up(tok):
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


# A phrase that gives examples or a definition ("which includes illness and injury", "such as
# lifting and pushing"): the joined words explain one thing, they are not two asks.
_EXAMPLE_VERBS = frozenset(
    "include includes included including contain contains contained involve involves involved cover covers "
    "covered mean means meant".split()
)
_EXAMPLE_LEAD_RE = re.compile(r"(?:such as|for example|for instance|e\.g\.?|i\.e\.?|including|like)[\s:,]*$", re.IGNORECASE)


def _names_examples(q: Question, head) -> bool:
    """Return True when HEAD (the first of the joined words) sits in a phrase of examples."""
    if _EXAMPLE_LEAD_RE.search(q.text[max(0, head.left_edge.idx - 20) : head.left_edge.idx]):
        return True
    for up in head.ancestors:
        if up.dep_ in ("relcl", "acl") and up.lower_ in _EXAMPLE_VERBS:
            return True
        if up.dep_ == "prep" and up.lower_ in ("including", "like"):
            return True
    return False


def _follow_up(tok) -> bool:
    """Return True when the joined part asks a follow-up about the same thing ("...and if so, how
    often?", "and if not, why not?"): one ask, then its details."""
    words = [t.lower_ for t in tok.subtree]
    return any(a == "if" and b in ("so", "yes", "not", "no") for a, b in zip(words, words[1:]))


def _sets_the_scene(q: Question, anchor) -> bool:
    """Return True when ANCHOR is in a statement before the question ("Imagine you are at work
    and the line stops. What would you do?"): that sentence describes, it asks nothing."""
    if len(q.sentences) < 2:
        return False
    last_a, last_b = q.sentences[-1]
    if not q.text[last_a:last_b].rstrip().endswith("?"):
        return False
    a, b = q.sentence_of(anchor.idx)
    return a < last_a and not q.text[a:b].rstrip().endswith("?")


def _noun_list(head) -> bool:
    """Return True when HEAD is part of a list of three or more ("A, B and C")."""
    if head.dep_ == "conj":
        return True
    conjuncts = sum(1 for c in head.children if c.dep_ == "conj")
    commas = sum(1 for c in head.children if c.dep_ == "punct" and c.text == ",")
    return conjuncts >= 2 or (conjuncts >= 1 and commas >= 1)


def _opposites_between(q: Question, head, tok, opposites) -> bool:
    """Return True when the words from HEAD to the end of TOK's phrase hold both ends of a scale."""
    words = {w.lower for w in q.words_between(head.left_edge.idx, tok.right_edge.idx + len(tok.right_edge.text))}
    return any(pair <= words for pair in opposites)


def _pair_in_text(q: Question, head, tok, fixed_pairs: frozenset[str]) -> bool:
    """Return True when the words from HEAD to TOK (with a leading "the"/"your" dropped) are a fixed pair."""
    words = normalise(q.text[head.idx : tok.idx + len(tok.text)])
    return words in fixed_pairs


_OPINION_VERBS = frozenset("think feel believe say agree".split())

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
        if head.dep_ in ("acomp", "attr") and head.head.dep_ == "ROOT" and head.head.lower_ in _BE_FORMS:
            head = head.head  # "was your health not good?": the "not" belongs to the main "be"
        if head.dep_ != "ROOT" and not (head.dep_ in ("aux", "auxpass") and head.head.dep_ == "ROOT"):
            # "Do you think the council should not change...?": the "not" is in what is asked about.
            if not (head.dep_ == "ccomp" and head.head.dep_ == "ROOT" and head.head.lower_ in _OPINION_VERBS):
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


# Clauses that hang inside another clause: side clauses, "that" clauses, relative clauses.
_CLAUSE_DEPS = frozenset({"advcl", "ccomp", "acl", "relcl", "csubj", "csubjpass"})
_CONDITION_WORDS = frozenset({"if", "unless", "whether", "provided", "assuming", "except"})
MAX_CLAUSES = 4  # a sentence with more side clauses than this is hard to hold in mind
MAX_CLAUSE_DEPTH = 4  # clauses inside clauses inside clauses inside clauses
MAX_CONDITIONS = 1  # "if ... unless ...": two conditions in one sentence


def find_complex_syntax(q: Question) -> list[Hit]:
    """Return a hit for a sentence whose grammar nests too deep: more than three side clauses,
    clauses three deep, or two or more conditions. QUAID (Graesser et al.): complex syntax."""
    doc = q.doc
    hits = []
    for sent in doc.sents:
        clauses = [t for t in sent if t.dep_ in _CLAUSE_DEPS]
        depth = max((_clause_depth(t) for t in clauses), default=0)
        conditions = sum(1 for t in sent if t.lower_ in _CONDITION_WORDS and t.dep_ in ("mark", "advmod", "prep", "cc"))
        if len(clauses) <= MAX_CLAUSES and depth < MAX_CLAUSE_DEPTH and conditions <= MAX_CONDITIONS:
            continue
        start, end = sent.start_char, sent.end_char
        text = q.text[start:end].strip()
        start += len(q.text[start:end]) - len(q.text[start:end].lstrip())
        end = start + len(text)
        if conditions > MAX_CONDITIONS:
            why = f"has {conditions} conditions"
        elif depth >= MAX_CLAUSE_DEPTH:
            why = "has parts inside parts inside parts"
        else:
            why = f"has {len(clauses) + 1} parts"
        hits.append(
            Hit(
                start,
                end,
                f"{quote(q.text[start:end])} {why}. People may lose track of what is asked. Consider splitting it, "
                "or asking the conditions first.",
            )
        )
    return hits


def _clause_depth(tok) -> int:
    depth = 0
    while tok.head.i != tok.i:
        if tok.dep_ in _CLAUSE_DEPS:
            depth += 1
        tok = tok.head
    return depth
