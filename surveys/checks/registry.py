"""The registry: every check, registered explicitly as a value with its code, severity, reason,
source, examples that must flag and must pass, and the text for docs/checks.md.

A test runs every example; a meta-test fails a check with fewer than three of each.
"""

from __future__ import annotations

from . import design, options, timeframe, wording
from .flags import Check, Example

E = Example


def _examples(*items: str | tuple[str, list[str]]) -> tuple[Example, ...]:
    return tuple(E(i) if isinstance(i, str) else E(i[0], tuple(i[1])) for i in items)


CHECKS: tuple[Check, ...] = (
    # ---------------------------------------------------------------- wording
    Check(
        code="hard-to-read",
        title="Hard words",
        kind="wording",
        severity="warning",
        why="Long, rare words slow people down. Some people will guess.",
        source=(
            "Lenzner (2014), Sociological Methods & Research 43(4): formulas alone do not find the harder "
            "item; GOV.UK (reading age 9); NHS (9 to 11); Social Security Scotland (avoid words of three "
            "or more syllables)"
        ),
        run=wording.find_hard_to_read,
        catches=(
            "A question with several long, uncommon words: three or more, or two in a short question. "
            "A hard word has three or more syllables but is not common (zipf below 4). A rare word (zipf "
            "below 3) of seven letters or more is also hard. Words that people who use services know well "
            'do not count, such as "hostel" or "tenancy". Three or more long words that are not very common, '
            "making up 30% of the question, also count. A readability formula alone never decides it."
        ),
        example="Was the accessibility of provision commensurate with your requirements?",
        better="Was the help easy to get when you needed it?",
        examples_flag=_examples(
            "Was the accessibility of provision commensurate with your requirements?",
            "Did the practitioner facilitate your rehabilitation?",
            "How comprehensible was the documentation regarding eligibility?",
        ),
        examples_pass=_examples(
            "How many days in the last week did you sleep outside?",
            "Did your support worker help you find a place to live?",
            "Was the help easy to get when you needed it?",
        ),
    ),
    Check(
        code="long-question",
        title="Long question",
        kind="wording",
        severity="warning",
        why="Long questions are hard to hold in mind, most of all when read out.",
        source="GOV.UK style guide: sentences of 25 words at most",
        run=wording.find_long_question,
        catches="A question (all its sentences together) of more than 25 words.",
        example=(
            "Thinking about the last time that you went to the drop-in centre on the high street, how "
            "satisfied were you with the way the staff spoke to you and listened to what you said?"
        ),
        better="Think about your last visit to the drop-in. Did the staff listen to you?",
        examples_flag=_examples(
            "Thinking about the last time that you went to the drop-in centre on the high street, how "
            "satisfied were you with the way the staff spoke to you and listened to what you said?",
            "In the last twelve months, how many times have you had to go to the hospital or see a doctor "
            "or a nurse because of an injury that happened while you were sleeping outside?",
            "We would like to know about where you have been staying. Please tell us about every place "
            "you have slept in the last seven days, even if it was only for one night.",
        ),
        examples_pass=_examples(
            "How many days in the last week did you sleep outside?",
            "Think about your last visit to the drop-in. Did the staff listen to you?",
            "Where did you sleep last night?",
        ),
    ),
    Check(
        code="long-sentence",
        title="Long sentence",
        kind="wording",
        severity="warning",
        why="Most people understand a sentence of about 14 words. Far fewer understand one of 25 or more.",
        source="GOV.UK style guide: average 14 words for over 90% understanding; 25 words at most",
        run=wording.find_long_sentences,
        catches=(
            "A sentence of more than 20 words. When the question is one sentence of more than 25 words, "
            "long-question says it instead."
        ),
        example=(
            "Please think about all of the different services that you have used in the last year or so "
            "when you give your answer. Which helped most?"
        ),
        better="Think about the services you used in the last year. Which helped most?",
        examples_flag=_examples(
            "Please think about all of the different services that you have used in the last year or so "
            "when you give your answer. Which helped most?",
            "How many times have you had to move from one place to another place to live in the last two "
            "years or so?",
            "We want to know what it is like to live in the hostel when there are lots of new people moving "
            "in. Do you feel safe?",
        ),
        examples_pass=_examples(
            "Think about the services you used in the last year. Which helped most?",
            "How many times have you moved home in the last two years?",
            "How many days in the last week did you sleep outside?",
        ),
    ),
    Check(
        code="complex-word",
        title="A shorter word would do",
        kind="wording",
        severity="info",
        why="A short, everyday word is quicker to read. It is also harder to misread.",
        source="Plain English Campaign, A to Z of alternative words",
        run=wording.find_complex_words,
        catches=(
            "A long or formal word, or a wordy phrase, that has a plain alternative (obtain: get). Also a "
            'question turned into a noun: "What is the frequency of..." says "How often..." in more words.'
        ),
        example="Where do you currently reside?",
        better="Where do you live now?",
        examples_flag=_examples(
            "Did you obtain a bed for the night?",
            "Where do you currently reside?",
            "Did staff ask questions in order to find out what you need?",
            "What is the frequency of your visits to the food bank?",
        ),
        examples_pass=_examples(
            "Did you get a bed for the night?",
            "Where do you live now?",
            "Did staff ask questions to find out what you need?",
        ),
    ),
    Check(
        code="jargon",
        title="Words only services use",
        kind="wording",
        severity="warning",
        why="Words used inside services can mean nothing to the people answering.",
        source="Sector jargon list (checks reference); Local Government Association banned words; GOV.UK words to avoid",
        run=wording.find_jargon,
        catches="Service jargon (key worker, signposting, support plan, intervention) with a plain alternative.",
        example="How often do you see your key worker?",
        better="How often do you see your support worker?",
        examples_flag=_examples(
            "How often do you see your key worker?",
            "Did the staff signpost you to other services?",
            "Did you have a say in your support plan?",
        ),
        examples_pass=_examples(
            "How often do you see your support worker?",
            "Did staff tell you about other services?",
            "Did you have a say in the plan for your support?",
        ),
    ),
    Check(
        code="acronym",
        title="Short forms to write out in full",
        kind="wording",
        severity="warning",
        why="Many people will not know what the letters stand for. They may not say so.",
        source="GOV.UK style guide, abbreviations and acronyms; sector jargon list (checks reference)",
        run=wording.find_acronyms,
        catches=(
            'An abbreviation most people would not know, such as "MARAC", "CMHT", "IAPT", "OST", "MAPPA" '
            'or "MDT", also when written with full stops ("C.M.H.T."). Ones most UK adults know pass: "GP", '
            '"NHS", "A&E", "TV", "UK". So does a word in capitals used to stress it.'
        ),
        example="Are you in touch with the CMHT?",
        better="Are you in touch with the community mental health team?",
        examples_flag=_examples(
            "Have you been discussed at a MARAC?",
            "Are you in touch with the CMHT?",
            "Are you on OST at the moment?",
            "Are you in touch with the C.M.H.T.?",
        ),
        examples_pass=_examples(
            "Have you seen a GP in the last month?",
            "Have you been to A&E in the last year?",
            "Did you get help from the NHS or your local council?",
        ),
    ),
    Check(
        code="stigmatising",
        title="Words that label people",
        kind="wording",
        severity="warning",
        why="Labels reduce people to one part of their life. They can put people off answering.",
        source="See each word's own source: Homeless Link, Booth Centre, Scottish Drugs Forum, NIDA, Time to Change, Samaritans, Unlock and others",
        run=wording.find_stigmatising,
        catches=(
            'Words that label people ("the homeless", "addicts", "an alcoholic", "service users"), with '
            'person-first words to try. Words for a topic on their own ("homeless", "drugs") are fine. '
            "These are suggestions: a group can accept a word for its own project."
        ),
        example="What should the council do for the homeless?",
        better="What should the council do for people who are homeless?",
        examples_flag=_examples(
            "What should the council do for the homeless?",
            "How many addicts live in the hostel?",
            "Are you an alcoholic?",
            "Do service users get a say in how the hostel is run?",
        ),
        examples_pass=_examples(
            "Have you ever been homeless?",
            "Do you use drugs?",
            "Did you go to the homeless hostel?",
            "Do people who use the service get a say in how it is run?",
        ),
    ),
    # ---------------------------------------------------------------- question design
    Check(
        code="passive-voice",
        title="Hides who did it",
        kind="design",
        severity="info",
        why="A passive verb can hide who did something, so people may not know what to think about.",
        source="Plain English Campaign, How to write in plain English (use active verbs); checks reference, spaCy notes",
        run=design.find_passive_voice,
        needs_parser=True,
        catches=(
            'A passive verb about the person or people asked ("have you been helped", "was your tenancy '
            'ended"). Verbs that describe a state ("were you satisfied", "where were you born") are left '
            'alone. So are passives about things ("adverts you remember being shown").'
        ),
        example="Was your tenancy ended?",
        better="Did your landlord end your tenancy?",
        examples_flag=_examples(
            "Have you been helped by the council?",
            "Was your tenancy ended?",
            "Were you offered a place in a hostel?",
        ),
        examples_pass=_examples(
            "Did the council help you?",
            "Were you satisfied with the service?",
            "Where were you born?",
            "Which adverts do you remember being shown on TV?",
        ),
    ),
    Check(
        code="double-barrelled",
        title="Asks two things at once",
        kind="design",
        severity="problem",
        why="People may want to answer each part in a different way.",
        source="QAS-99 (Willis and Lessler): double-barrelled questions; QUAID (Graesser et al.): complex syntax",
        run=design.find_double_barrelled,
        needs_parser=True,
        catches=(
            'Two things joined by "and" in one question ("drink alcohol and use drugs", "friendly and '
            'helpful"). Fixed pairs ("friends or family", "doctor or nurse", "partner or ex-partner"), '
            'balanced opposites ("easy or difficult") and joined describing words ("the drug and alcohol '
            'service") are single asks and pass. So are examples ("such as lifting and carrying", "which '
            'includes illness and injury") and a scene set before the question ("Imagine you are at work '
            'and the lift breaks. What would you do?"). "Or" on its own is not flagged.'
        ),
        example="Were the staff friendly and helpful?",
        better="Were the staff friendly? (Then: Were the staff helpful?)",
        examples_flag=_examples(
            "Do you drink alcohol and use drugs?",
            "Were the staff friendly and helpful?",
            "Are you happy with your housing and your health?",
        ),
        examples_pass=_examples(
            "Did you see friends or family last week?",
            "Was it easy or difficult to get an appointment?",
            "Did you go to the drug and alcohol service?",
            "Do you see your partner or ex-partner?",
            "Did you go and see your GP?",
            "Do you do hard physical work, such as lifting and carrying?",
            "Do you get headaches, and if so, how many a week?",
        ),
    ),
    Check(
        code="leading",
        title="Pushes people towards an answer",
        kind="design",
        severity="problem",
        why="A question that hints at the answer gets that answer more often, true or not.",
        source=(
            "QAS-99 (Willis and Lessler): sensitivity and bias, leading questions; Payne (1951), The Art of "
            "Asking Questions (loaded words); Schuman and Presser (1981) and Pew Research Center, Writing survey "
            "questions (one-sided and framed questions); VADER lexicon (Hutto and Gilbert 2014)"
        ),
        run=design.find_leading,
        catches=(
            'Wording that hints at the answer wanted: "Don\'t you agree", "Do you agree that" without '
            '"or disagree", "most people think"; a claim before the question ("Studies show...", "Given '
            'the benefits..."), including what other people think or say ("Most customers think...", '
            '"Experts believe...", read from the grammar: a verb of thinking or saying with someone else as '
            'its subject); joining the crowd ("Like most people, do you...?", "along with many others"); a '
            'feeling put in the person\'s mouth ("If you love working here, would '
            'you...?"); a one-sided stem ("How helpful was...?", "How much do you support...?", "How '
            'disruptive was...?") with no '
            'way to say the opposite in the question or its answers; a tag such as ", isn\'t it?" or ", '
            'right?"; one answer named ("Do you prefer cats?"); and loaded words: describing words that '
            'praise or blame ("our excellent staff", "rude people") rated strongly in the VADER word list, '
            'in the question\'s own words, not its answers. "How was the help you got?" and "How '
            'satisfied or dissatisfied..." pass.'
        ),
        example="Don't you agree that the hostel is safe?",
        better="How safe or unsafe do you feel in the hostel?",
        examples_flag=_examples(
            "Don't you agree that the hostel is safe?",
            "How would you rate our excellent staff?",
            "The food here is good, isn't it?",
            "Most people think the drop-in is good. What do you think?",
            "How helpful was the drop-in?",
            "You went to your appointment, right?",
            "Most residents say the new rules work well. Do the rules work for you?",
            "If you love the drop-in, would you tell your friends about it?",
            "How much do you support the new rules?",
            "Like most people here, do you feel safe in the hostel?",
            "Do you believe, along with many others, that the rules are fair?",
            "How annoying were the fire alarm tests?",
        ),
        examples_pass=_examples(
            "How safe or unsafe do you feel in the hostel?",
            "How would you rate the staff?",
            "Do you agree or disagree that the hostel is safe?",
            "How was the help you got?",
            ("How helpful was the drop-in?", ["Not at all helpful", "A little helpful", "Very helpful"]),
            "How satisfied or dissatisfied are you with the hostel?",
            "How much do you support or oppose the new rules?",
            "Some people say the rules are fair. Others say they are not. What do you think?",
            "What do you like most about the drop-in?",
            "Do you feel safe in the hostel?",
            "How annoying, if at all, were the fire alarm tests?",
        ),
    ),
    Check(
        code="double-negative",
        title="Says no twice",
        kind="design",
        severity="problem",
        why="Two \"no\" words together make people stop to work out what yes means.",
        source="QAS-99 (Willis and Lessler): complex syntax; Plain English Campaign (avoid double negatives)",
        run=design.find_double_negatives,
        catches=(
            'Two "no" words close together in one part of a sentence: "not" with "disagree", "unusual", '
            '"never", "oppose" and the like. "Or not" and words in separate parts ("without food because you '
            'could not...") are left alone.'
        ),
        example="Do you not disagree with the new rules?",
        better="Do you agree or disagree with the new rules?",
        examples_flag=_examples(
            "Do you not disagree with the new rules?",
            "Is it not unusual for staff to help you?",
            "Is there nothing you don't like about the hostel?",
            "Do you support or oppose not letting people smoke inside?",
        ),
        examples_pass=_examples(
            "Do you agree or disagree with the new rules?",
            "Have you gone without food because you could not afford it?",
            "Did you feel safe, or not?",
        ),
    ),
    Check(
        code="negative-wording",
        title="Asked the negative way",
        kind="design",
        severity="warning",
        why="A \"not\" question makes it unclear whether yes means yes or no.",
        source="QUAID (Graesser et al.): complex syntax (negations); QAS-99 (Willis and Lessler): clarity",
        run=design.find_negative_wording,
        needs_parser=True,
        catches=(
            'A question or statement whose main verb has "not" ("Do you not feel safe?", "Didn\'t staff '
            'help you?", "I do not feel listened to", "Was the food not good?"). A "not" in a side part ("anything you did not '
            'like") is fine. When the same words are leading, blaming or a double negative, that flag '
            "is shown instead."
        ),
        example="Do you not feel safe in the hostel?",
        better="Do you feel safe in the hostel?",
        examples_flag=_examples(
            "Do you not feel safe in the hostel?",
            "Didn't the staff help you?",
            "I do not feel listened to by staff.",
            "Was the food not good?",
        ),
        examples_pass=_examples(
            "Do you feel safe in the hostel?",
            "Is there anything you did not like about the hostel?",
            "Did you feel safe or not?",
        ),
    ),
    Check(
        code="vague-quantifier",
        title="Vague amount or time",
        kind="design",
        severity="warning",
        why="Words like \"often\" or \"recently\" mean different amounts to different people.",
        source="QUAID (Graesser et al.): vague or imprecise relative terms; QAS-99 (Willis and Lessler): vague terms and reference periods",
        run=wording.find_vague_quantifiers,
        catches=(
            'Vague words for amounts or times, such as "often", "regularly", "recently", "a lot", or "in '
            'the past" with no set time. Answers to a question about what people do count too when they say how '
            'often or how much only in such words ("Often", "A lot more than average"). "How often" and "How many '
            'days" ask for a number, so they pass; so do "your most recent visit" (the last one) and "for '
            'long hours".'
        ),
        example="Have you recently been to the GP?",
        better="Have you been to the GP in the last 4 weeks?",
        examples_flag=_examples(
            "Do you often sleep outside?",
            "Have you recently been to the GP?",
            "Do you drink a lot?",
            "Have you used heroin in the past?",
            ("How many drinks do you have on a typical day?", ["A lot more than most people", "About the same", "A lot less than most people"]),
        ),
        examples_pass=_examples(
            "When was your most recent check-up?",
            "How often do you sleep outside?",
            "How many days in the last week did you sleep outside?",
            "Have you been to the GP in the last 4 weeks?",
            "Have you used heroin in the past 12 months?",
        ),
    ),
    Check(
        code="missing-time-frame",
        title="No time frame",
        kind="design",
        severity="warning",
        why="Without a set time, people think of different times. Then the answers cannot be compared.",
        source=(
            "QAS-99 (Willis and Lessler 1999): problem type 3d, reference periods missing or unclear; "
            "QUAID (Graesser et al.): vague or imprecise terms"
        ),
        run=timeframe.find_missing_time_frame,
        catches=(
            'A question about what people do, with no set time in the question or its answers: "How often do '
            'you use the food bank?". A time ("in the last 4 weeks"), a rate ("a week", "Monthly"), "ever" or '
            '"on a typical day" sets one. So does a stretch of time named by what happened in it ("during '
            'your stay", "in your first week"). Questions about feelings ("How often do you feel safe?") and '
            'the price of one thing ("How much do you pay for a bus ticket?") are left alone.'
        ),
        example="How often do you use the food bank?",
        better="In the last 4 weeks, how many times have you used the food bank?",
        examples_flag=_examples(
            "How often do you use the food bank?",
            "How many times do you see your support worker?",
            "Which brand of toothpaste do you use?",
            "How much do you spend on food?",
        ),
        examples_pass=_examples(
            "In the last 4 weeks, how many times have you used the food bank?",
            "How much do you spend on food each week?",
            ("How often do you see your support worker?", ["Every day", "Once a week", "Once a month", "Never"]),
            "How often do you feel safe in the hostel?",
            "Have you ever used a food bank?",
            "How often did you see a doctor during your stay in hospital?",
            "How much do you pay for a bus ticket?",
        ),
    ),
    Check(
        code="long-recall-period",
        title="Too long ago to count",
        kind="design",
        severity="warning",
        why="People cannot count things over years. They guess. Their guesses are often wrong.",
        source=(
            "QAS-99 (Willis and Lessler 1999): problem type 4b, recall over a long reference period; "
            "Tourangeau, Rips and Rasinski (2000), The Psychology of Survey Response: telescoping and forgetting"
        ),
        run=timeframe.find_long_recall_period,
        catches=(
            'Counting or adding up over a long time: more than two years ("In the last five years, how many '
            'times..."), a whole life or childhood ("When you were growing up, how often..."), or a year of '
            'everyday spending ("How much did heating cost you last year?").'
        ),
        example="In the last five years, how many times have you moved home?",
        better="In the last 12 months, how many times have you moved home?",
        examples_flag=_examples(
            "In the last five years, how many times have you moved home?",
            "How many times in your life have you slept outside?",
            "When you were growing up, how often did your family go to church?",
            "About how much did heat, electricity and water cost you last year?",
        ),
        examples_pass=_examples(
            "In the last 12 months, how many times have you moved home?",
            "Have you ever slept outside?",
            "How much did you spend on food last week?",
            "How many times have you moved home in the last two years?",
        ),
    ),
    Check(
        code="absolute",
        title="Words like always or never",
        kind="design",
        severity="warning",
        why="With \"always\" or \"never\" one exception makes the honest answer no.",
        source="QAS-99 (Willis and Lessler): assumptions (constant behaviour)",
        run=wording.find_absolutes,
        catches=(
            'Absolute words ("always", "never", "everyone", "all the time", "all staff") in the question. '
            '"Always" and "never" read out as the ends of the answers ("always, sometimes, rarely or never?") pass.'
        ),
        example="Do you always feel safe in the hostel?",
        better="How often do you feel safe in the hostel?",
        examples_flag=_examples(
            "Do you always feel safe in the hostel?",
            "Do staff never listen to you?",
            "Does everyone in the hostel treat you well?",
        ),
        examples_pass=_examples(
            "How often do you feel safe in the hostel?",
            "Have you ever slept outside?",
            "Do staff listen to you?",
        ),
    ),
    Check(
        code="presupposition",
        title="Takes something for granted",
        kind="design",
        severity="warning",
        why="A question that takes something for granted has no right answer for people it is not true for.",
        source="QUAID (Graesser et al.): misleading presupposition; QAS-99 (Willis and Lessler): inappropriate assumptions",
        run=design.find_presuppositions,
        catches=(
            'Wording that assumes something happened: "How much did the service help you?", "Do you still '
            'use...?", "When did you stop...?", "What problems did you have...?". Where, when or how often '
            'someone likes to do a thing ("Where do you like to drink?" takes for granted that they drink), '
            'and which of some things they like best (it takes for granted that they like one). "What do you '
            'like to do...?" and "Where would you like to meet?" pass.'
        ),
        example="How much did the service help you?",
        better="Did the service help you? (If yes: How much?)",
        examples_flag=_examples(
            "How much did the service help you?",
            "Do you still use heroin?",
            "When did you stop drinking?",
            "What problems did you have with your landlord?",
            "Where do you like to drink?",
            "How often do you like to go out at night?",
            "Which of these groups do you like best?",
        ),
        examples_pass=_examples(
            "Did the service help you?",
            "Do you use heroin at the moment?",
            "Have you had any problems with your landlord?",
            "What do you like to do at the weekend?",
            "Where would you like to meet?",
            "Do you like any of these groups?",
            "Which of these groups would you prefer to join?",
        ),
    ),
    Check(
        code="hypothetical",
        title="Asks people to imagine",
        kind="design",
        severity="warning",
        why="People are poor at guessing what they would do, so the answers predict little.",
        source="QAS-99 (Willis and Lessler): knowledge and memory; hypothetical questions predict behaviour poorly",
        run=design.find_hypotheticals,
        catches=(
            'Questions about an imagined situation: "if" with "would" or "could", or starting "Imagine", '
            '"Suppose" or "What would you do". "How would you rate", "Would you like" and "Would you '
            'recommend" are not hypothetical.'
        ),
        example="If you were offered a flat, would you take it?",
        better="Have you been offered a flat in the last year? (If yes: Did you take it?)",
        examples_flag=_examples(
            "If you were offered a flat, would you take it?",
            "What would you do if you lost your home?",
            "Imagine you had your own flat. How would your life change?",
            "Would you use a drop-in if it opened at weekends?",
        ),
        examples_pass=_examples(
            "How would you rate the food?",
            "Would you like more help with money?",
            "If you have used drugs, how often do you use them?",
            "Would you recommend the service to a friend?",
        ),
    ),
    Check(
        code="blaming",
        title="May sound like blame",
        kind="design",
        severity="problem",
        why="A why-question about what someone did or did not do can feel like blame.",
        source="Motivational interviewing and trauma-informed guidance on why-questions; QAS-99 (Willis and Lessler): sensitivity and bias",
        run=design.find_blaming,
        catches=(
            '"Why didn\'t you...", "Why do you keep...", "How come you didn\'t..." and why-questions about '
            'using, drinking, being evicted or arrested. A "why not?" on its own after a yes or no '
            "question passes."
        ),
        example="Why didn't you go to your appointment?",
        better="What made it hard to get to your appointment?",
        examples_flag=_examples(
            "Why didn't you go to your appointment?",
            "Why do you keep missing your appointments?",
            "Why did you get evicted?",
            "How come you didn't call us?",
        ),
        examples_pass=_examples(
            "What made it hard to get to your appointment?",
            "Why did you choose this hostel?",
            "Did you use the service last year? If not, why not?",
        ),
    ),
    Check(
        code="sensitive-topic",
        title="Topic that may upset people",
        kind="design",
        severity="info",
        why="Questions on painful topics can upset people. Warn them first. Let them skip.",
        source="QAS-99 (Willis and Lessler): sensitivity and bias; trauma-informed research practice (content notes and a way not to answer)",
        run=wording.find_sensitive_topics,
        catches=(
            "A question about a painful topic, such as abuse, self-harm, suicide, overdose, prison, sex "
            "work, or children taken into care, and the topics survey methods count as sensitive: money, "
            "sex, breaking the law, lying, immigration status, religion, health conditions. A person's own "
            "money or faith counts (\"your income\", \"Do you have a religion?\"); the pay of others "
            "(\"teacher salaries\") does not. A cancer screening test is not a health condition. "
            "It is not a fault. It suggests a short note before the "
            'question. It also suggests a way not to answer, such as "Prefer not to say".'
        ),
        example="Have you ever thought about suicide?",
        better=(
            "The next question is about suicide. You can skip it. Have you ever thought about suicide? "
            "(Yes / No / Prefer not to say)"
        ),
        examples_flag=_examples(
            "Have you ever thought about suicide?",
            "Have you ever been in prison?",
            "Have your children ever been taken into care?",
            "Have you ever sold sex?",
        ),
        examples_pass=_examples(
            "How many days in the last week did you sleep outside?",
            "Do you have a bank account?",
            "How did you hear about the service?",
            "Should teachers' salaries go up?",
            "When did you last have a cancer screening test?",
        ),
    ),
    Check(
        code="complex-syntax",
        title="Hard to follow sentence",
        kind="design",
        severity="warning",
        why="A sentence with parts inside parts is hard to hold in mind. People may answer only part of it.",
        source="QUAID (Graesser et al.): complex syntax and working memory overload; QAS-99 (Willis and Lessler 1999): problem type 3a, wording",
        run=design.find_complex_syntax,
        needs_parser=True,
        catches=(
            "A sentence whose grammar nests too deep, read from the language model's parse: two or more "
            'conditions ("if ... unless ..."), more than four side clauses, or clauses four deep ("the '
            'staff who work at the hostel that you stayed in when you first...").'
        ),
        example=(
            "Do you think that the staff who work at the hostel that you stayed in when you first became "
            "homeless knew what you needed?"
        ),
        better="Think about the hostel you stayed in first. Did the staff there know what you needed?",
        examples_flag=_examples(
            "Do you think that the staff who work at the hostel that you stayed in when you first became homeless knew what you needed?",
            "If you were not offered a bed, unless you had already found somewhere, did anyone tell you why?",
            "If you have a support worker, and if they helped you with money, unless you said no, did they tell you about the food bank?",
        ),
        examples_pass=_examples(
            "Think about the hostel you stayed in first. Did the staff there know what you needed?",
            "If you have used drugs, how often do you use them?",
            "What has made it hard for you to find a settled place to live?",
        ),
    ),
    # ---------------------------------------------------------------- answer options
    Check(
        code="overlapping-options",
        title="Answers that share numbers",
        kind="options",
        severity="problem",
        why="If one answer fits two options, people pick at random. Then the counts are wrong.",
        source="QAS-99 (Willis and Lessler): response categories (overlapping)",
        run=options.find_overlapping_options,
        catches='Number answers that share a value ("18-25" and "25-35"; "6-12 months" and "1-2 years").',
        example="How old are you? 18-25 / 25-35 / 35-45 / 45+",
        better="How old are you? 18-24 / 25-34 / 35-44 / 45 or over",
        examples_flag=_examples(
            ("How old are you?", ["18-25", "25-35", "35-45", "45+"]),
            ("How many nights did you sleep outside last week?", ["0", "1-3", "3-5", "5-7"]),
            ("How long have you lived here?", ["Less than 1 year", "6-12 months", "1-2 years", "More than 2 years"]),
        ),
        examples_pass=_examples(
            ("How old are you?", ["18-24", "25-34", "35-44", "45+"]),
            ("How many nights did you sleep outside last week?", ["0", "1-2", "3-4", "5-7"]),
            ("How long have you lived here?", ["Less than 6 months", "6-12 months", "More than 12 months"]),
        ),
    ),
    Check(
        code="gap-in-options",
        title="Gap between answers",
        kind="options",
        severity="warning",
        why="If someone's answer falls in a gap, they cannot answer truly.",
        source="QAS-99 (Willis and Lessler): response categories (missing)",
        run=options.find_gaps_in_options,
        catches='Number answers with a gap between them ("1-2" then "4-5" leaves out 3).',
        example="How many nights did you sleep outside last week? 0 / 1-2 / 4-5 / 6-7",
        better="How many nights did you sleep outside last week? 0 / 1-2 / 3-5 / 6-7",
        examples_flag=_examples(
            ("How many nights did you sleep outside last week?", ["0", "1-2", "4-5", "6-7"]),
            ("How old are you?", ["18-24", "26-34", "35+"]),
            ("How long have you been homeless?", ["Less than 6 months", "More than 6 months"]),
        ),
        examples_pass=_examples(
            ("How old are you?", ["Under 18", "18-24", "25-34", "35+"]),
            ("How many nights did you sleep outside last week?", ["0", "1-2", "3-5", "6-7"]),
            ("How long have you been homeless?", ["Less than 6 months", "6-12 months", "More than 12 months"]),
        ),
    ),
    Check(
        code="unbalanced-scale",
        title="Answers lean one way",
        kind="options",
        severity="warning",
        why="A scale with more good answers than bad ones pushes answers to the good side.",
        source="Saris and Gallhofer (SQP): balanced scales raise measured quality",
        run=options.find_unbalanced_scale,
        catches=(
            'A rating scale with a different number of good and bad answers ("Excellent, Very good, Good, '
            'Fair, Poor" is three against one). Answers our scale words do not cover ("Enjoyed it", "Did '
            'not enjoy it") are placed by the VADER word list when half or more of them share one strong word. '
            'One-sided scales ("Not at all helpful" to "Very helpful") pass.'
        ),
        example="How was the food? Excellent / Very good / Good / Fair / Poor",
        better="How was the food? Very good / Good / Neither good nor poor / Poor / Very poor",
        examples_flag=_examples(
            ("How was the food?", ["Excellent", "Very good", "Good", "Fair", "Poor"]),
            ("How satisfied are you with the hostel?", ["Very satisfied", "Satisfied", "Quite satisfied", "Dissatisfied"]),
            ("The staff listen to me.", ["Strongly agree", "Agree", "Disagree"]),
            ("How much did you enjoy the group?", ["Loved it", "Enjoyed it a lot", "Enjoyed it", "Did not enjoy it"]),
        ),
        examples_pass=_examples(
            ("How satisfied are you with the hostel?", ["Very satisfied", "Satisfied", "Neither satisfied nor dissatisfied", "Dissatisfied", "Very dissatisfied"]),
            ("How helpful was the drop-in?", ["Not at all helpful", "A little helpful", "Quite helpful", "Very helpful"]),
            ("How often do you feel safe?", ["Always", "Often", "Sometimes", "Rarely", "Never"]),
        ),
    ),
    Check(
        code="missing-opt-out",
        title="No way to skip",
        kind="options",
        severity="warning",
        why="Without a way out, people guess or stop. A painful question can feel forced.",
        source="Saris and Gallhofer (SQP): an explicit don't know raises quality; trauma-informed practice: a way not to answer",
        run=options.find_missing_opt_out,
        catches=(
            'A sensitive or personal question with no "Prefer not to say" answer. Or a question about a '
            'fact people may not know ("Is there...", "Does the service...") with no "Don\'t know".'
        ),
        example="Have you ever been in prison? Yes / No",
        better="Have you ever been in prison? Yes / No / Prefer not to say",
        examples_flag=_examples(
            ("Have you ever been in prison?", ["Yes", "No"]),
            ("Do you use drugs?", ["Yes", "No"]),
            ("Is there a peer support group near you?", ["Yes", "No"]),
        ),
        examples_pass=_examples(
            ("Have you ever been in prison?", ["Yes", "No", "Prefer not to say"]),
            ("Do you know who your support worker is?", ["Yes", "No"]),
            ("Is there a peer support group near you?", ["Yes", "No", "Don't know"]),
            ("How did you hear about the service?", ["A friend", "A worker", "A poster", "Other"]),
        ),
    ),
    Check(
        code="too-many-options",
        title="Long list of answers",
        kind="options",
        severity="warning",
        why="Read aloud, more than 7 answers are hard to remember. People pick the first or last.",
        source="Checks reference, answer options: more than 7 options strains memory in spoken interviews (show cards instead)",
        run=options.find_too_many_options,
        catches='More than 7 answers to choose from ("Prefer not to say" and "Don\'t know" not counted).',
        example="Where did you sleep last night? (10 answers)",
        better="Where did you sleep last night? (6 answers, or a show card)",
        examples_flag=_examples(
            ("Where did you sleep last night?", ["Own flat", "Friend's place", "Family", "Hostel", "Night shelter", "B&B", "Outside", "Car", "Hospital", "Other"]),
            ("Which drugs have you used?", ["Heroin", "Crack", "Cocaine", "Cannabis", "Spice", "Ketamine", "Speed", "Ecstasy"]),
            ("How did you hear about us?", ["A friend", "Family", "A worker", "A poster", "Online", "The GP", "The council", "The police", "Other"]),
        ),
        examples_pass=_examples(
            ("Where did you sleep last night?", ["Own home", "Someone else's home", "Hostel or shelter", "Outside", "Other"]),
            ("How did you hear about us?", ["A friend", "Family", "A worker", "A poster", "Online", "Other", "Don't know", "Prefer not to say"]),
            ("How old are you?", ["18-24", "25-34", "35-44", "45-54", "55-64", "65+", "Prefer not to say"]),
        ),
    ),
)

CODES: dict[str, Check] = {}
TITLES: dict[str, str] = {}
for _check in CHECKS:
    if _check.code in CODES:
        raise ValueError(f"The check code {_check.code!r} is registered twice.")
    if _check.title.casefold() in (t.casefold() for t in TITLES.values()):
        raise ValueError(f"The title {_check.title!r} of {_check.code!r} is used by another check.")
    CODES[_check.code] = _check
    TITLES[_check.code] = _check.title


def title_for(code: str) -> str:
    """Return the plain-words name of CODE for people ("Asks two things at once"), for pages,
    filters and messages. A code that is no longer registered (say, on an old dismissal) gets
    its own words: "old-code" -> "Old code"."""
    title = TITLES.get(code)
    if title is not None:
        return title
    words = code.replace("-", " ").replace("_", " ").strip()
    return words[:1].upper() + words[1:]

# Which flag wins when two say the same thing about the same words: a negative-wording flag is
# dropped when one of these codes covers the same words, because that message says more.
SUPPRESSED_BY: dict[str, tuple[str, ...]] = {
    "negative-wording": ("leading", "blaming", "double-negative"),
}
