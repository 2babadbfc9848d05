"""Counsellor mode: a forwarded client message is split into its questions, each answered in
turn with the rules behind it, and closed with a short brief for the counsellor.

Used for counsellors listed in the configuration, for messages marked as forwarded ("转发",
"客户问：", "【转】"; read by bot/understanding/cues.py, decided in ``Engine._counsellor_mode``)
and for forwarded chat records.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from bot.content import Content, FollowUp, IntentSpec
from bot.conversation import crisis, texts
from bot.conversation.crisis import calm_topics
from bot.conversation.dialogue import Dialogue
from bot.conversation.policies.urgency import Urgency, decide
from bot.facts import arabic_articles, rules_cited
from bot.privacy import mask
from bot.understanding.classifier import Classification, Classifier
from bot.understanding.cues import forwarded_sentences
from bot.understanding.details import Details

if TYPE_CHECKING:
    from bot.conversation.english import English
    from bot.understanding.reader import Reader
from bot.understanding.normalize import MAX_ANALYSED_CHARS
from bot.understanding.reader import Understood
from bot.understanding.requests import only_asks_rules, only_introduces, question_text

#: A listed counsellor's message at least this long is a forwarded case (shorter ones are
#: follow-up questions, answered like any question).
CASE_CHARS = 40
#: At most this many questions are answered from one forwarded text.
MAX_QUESTIONS = 5
#: At most this many sentences are read from one forwarded text (bounded cost).
MAX_SENTENCES = 60
#: A counsellor's brief fits a phone: at most this many characters (the full answers with
#: their rules, often thousands of characters, come on 详细).
BRIEF_CHARS = 600
#: The brief names at most this many rules, each with at most this many of its articles.
BRIEF_RULES = 3
BRIEF_ARTICLES = 3
#: In a group every reply stays within this.
GROUP_CHARS = 300


@dataclass(frozen=True)
class Question:
    """One question found in a forwarded text: its words (``text``; ``excerpt`` is what the
    brief quotes), its topic and, when the question bank answers it confidently, the direct
    answer (then ``intent`` is that answer's topic)."""

    excerpt: str
    intent: str
    text: str = ""
    answer: str | None = None

    @property
    def key(self) -> str:
        """What 详细 answers in full: the direct answer (``answer:<id>``) or the topic."""
        return ANSWER_KEY + self.answer if self.answer else self.intent


#: the prefix of a direct answer's id in a case's keys (a topic's key is its id)
ANSWER_KEY = "answer:"
#: whose answers a counsellor's client gets: the client is the debtor
CLIENT_ROLE = "debtor"


def split_questions(
    text: str, classifier: Classifier, floor: float, whole: Classification | None = None
) -> list[Question]:
    """The client's questions in ``text``: each sentence is classified, consecutive sentences
    on the same topic are joined, and each topic is kept once, urgent topics first.
    ``whole`` is the classification of the whole text when the caller has it already."""
    text, sentences = forwarded_sentences(text[:MAX_ANALYSED_CHARS], MAX_SENTENCES)
    found: dict[str, list[str]] = {}
    urgent: list[str] = []
    if whole is None:
        whole = classifier.classify(text)
    for sentence in sentences:
        if len(sentences) > 1 and (only_asks_rules(sentence) or only_introduces(sentence)):
            # "请给出依据", "我是债务规划师。": the counsellor's request or introduction, not a
            # question of the client's
            continue
        # "我是法律援助站的，…": who forwards it is not the client's question
        question = question_text(sentence).text
        classified = whole if len(sentences) == 1 else _assessed(classifier.classify(question))
        intent = _topic_of(classified, floor)
        if intent is None:
            continue
        if intent in classified.urgent and intent not in urgent:
            urgent.append(intent)
        found.setdefault(intent, []).append(question)
    for intent in whole.urgent:  # urgency spread over several sentences still counts
        if intent not in urgent:
            urgent.append(intent)
            found.setdefault(intent, [])
    if not found:
        top = _topic_of(whole, floor)
        if top is not None:
            found[top] = [text.strip()[:60]]
    ordered = urgent + [i for i in found if i not in urgent]
    return [
        Question(excerpt=_excerpt(found[i]), intent=i, text="".join(found[i]))
        for i in ordered[:MAX_QUESTIONS]
    ]


def with_answers(
    questions: list[Question],
    text: str,
    understood: Understood,
    reader: Reader | None,
    content: Content,
) -> list[Question]:
    """Each calm question with the question bank's confident direct answer, when there is one
    meant for the client (the debtor): a question whose words the bank answers ("丈夫去世了
    她要还吗", "到手2.4万要还3万") gets that answer and its rules, whichever topic its sentence
    was read as. A question answered twice (two sentences, one answer) is kept once."""
    out: list[Question] = []
    given: set[str] = set()
    lender_type = understood.details.lender_type
    for question in questions:
        if reader is None or not question.text or question.intent in understood.urgent:
            out.append(question)
            continue
        whole = len(questions) == 1 and question.text.strip() == text.strip()
        reading = understood if whole else reader.read(question.text)
        direct = reading.direct_for(CLIENT_ROLE, lender_type)
        if direct is None or not direct.confident or reading.urgent:
            out.append(question)
            continue
        if direct.answer in given:
            continue
        given.add(direct.answer)
        spec, _answer = content.answer(direct.answer)
        out.append(replace(question, intent=spec.id, answer=direct.answer))
    return out


def _assessed(classified: Classification) -> Classification:
    """A sentence's reading with its urgency decided (clear danger flagged first)."""
    urgency = decide(classified)
    if not urgency.urgent:
        return classified
    return replace(classified, urgent=list(urgency.intents))


def _topic_of(classified: Classification, floor: float) -> str | None:
    if classified.urgent:
        return classified.urgent[0]
    skipped = False
    # no danger was found: never the threat topic's emergency steps as the client's answer
    for ranked in calm_topics(classified):
        if ranked.intent == STAFF_TOPIC:
            # a counsellor's client is the debtor: the staff's own topic is never the
            # client's, and the client's words ("客户…") are what made it likely
            skipped = True
            continue
        return ranked.intent if skipped or ranked.score >= floor else None
    return None


#: the topic of bank staff and collectors asking how to run a visit
STAFF_TOPIC = "collector_conduct"


def _excerpt(sentences: list[str]) -> str:
    text = "".join(sentences)
    return text if len(text) <= 40 else text[:39] + "…"


def answer(
    text: str,
    understood: Understood,
    classifier: Classifier,
    dialogue: Dialogue,
    content: Content,
    *,
    in_group: bool,
    floor: float,
    reader: Reader | None = None,
    in_english: bool = False,
) -> tuple[list[str], list[Question]]:
    """The reply to a forwarded text (``understood`` is the whole text's reading) and the
    questions answered, in order: each question's point (its direct answer, else the first
    steps of its topic), then a brief for the counsellor, within a phone screen
    (:data:`BRIEF_CHARS`; :data:`GROUP_CHARS` in a group); the full answers with their rules
    come on 详细 (:func:`dossier`, given the questions' keys). ``in_english``: a counsellor
    writing English gets the points, the brief's words and its questions in English where the
    content has them (the rules keep their official Chinese titles)."""
    questions = split_questions(text, classifier, floor, understood.classification)
    questions = with_answers(questions, text, understood, reader, content)
    if not questions:
        return [], []
    say = _Words(in_english)
    total = len(questions)
    budget = GROUP_CHARS if in_group else BRIEF_CHARS
    brief = _brief(understood.details, questions, content, in_group=in_group, say=say)
    parts = []
    for number, question in enumerate(questions, start=1):
        spec = content.intent(question.intent)
        head = say("CASE_HEAD", number=number, total=total, title=say.title(spec))
        if question.excerpt and not in_group:  # never quote a member's words in a group
            head += "\n" + say("CASE_QUOTE", words=mask(question.excerpt))
        parts.append((head, _point(question, spec, content, in_english=in_english)))
    replies = _fit(parts, brief, budget, more=say("CASE_MORE"))
    return replies, questions


def danger_now(urgency: Urgency, english: English | None = None) -> str:
    """Danger reported about a client: what to do now, with the numbers, before the brief (in
    a group too: no personal details in it); in English when ``english`` is given."""
    kind = urgency.kind.value if urgency.kind else "violence"
    now = crisis.for_someone_else(urgency.tier.value, kind)
    return "\n".join(english.translate([now]).replies) if english is not None else now


class _Words:
    """The brief's words in the counsellor's language (texts.py and its English twins)."""

    def __init__(self, in_english: bool) -> None:
        self.in_english = in_english
        self.separator = "; " if in_english else "；"

    def __call__(self, name: str, **values: object) -> str:
        sentence = texts.ENGLISH[name] if self.in_english else getattr(texts, name)
        return sentence.format(**values) if values else sentence

    def title(self, spec: IntentSpec) -> str:
        return (spec.title_en if self.in_english else None) or spec.title

    def question(self, follow_up: FollowUp) -> str:
        asked = (follow_up.question_en if self.in_english else None) or follow_up.question
        return asked.splitlines()[0].rstrip("：:").split("回复")[0].split(" Reply")[0].strip()


def dossier(keys: list[str], dialogue: Dialogue, content: Content) -> list[str]:
    """详细 after a brief: each question's full answer with the rules behind it (``keys``:
    the questions' :attr:`Question.key`)."""
    out = []
    for key in keys:
        if key.startswith(ANSWER_KEY):
            try:
                spec, answer = content.answer(key.removeprefix(ANSWER_KEY))
            except KeyError:  # the content changed since the brief
                continue
            out.append(dialogue.direct_long_answer(spec, answer))
        elif key in content.ids:
            out.append(dialogue.long_answer(content.intent(key)))
    return out


def _point(
    question: Question, spec: IntentSpec, content: Content, *, in_english: bool = False
) -> str:
    """The point of one question: its direct answer, else the first steps of its topic (in
    English when asked so and the content has it)."""
    if question.answer is not None:
        answer = content.answer(question.answer)[1]
        return (answer.short_en if in_english else None) or answer.short
    short = (spec.advice.short_en if in_english else None) or spec.advice.short
    steps = [line for line in short.splitlines() if line.strip()]
    return "\n".join(steps[:3])


def _fit(parts: list[tuple[str, str]], brief: str, budget: int, *, more: str) -> list[str]:
    """The questions' points, then the brief and the 详细 line (``more``), within ``budget``
    characters in all. The points are the answer: they are cut to their first line, then the
    brief loses its last lines (what to ask the client, then the rules: both come on 详细)
    down to the situation, and only then are points dropped from the last."""
    full = [f"{head}\n{point}" for head, point in parts]
    short = [f"{head}\n{_first_line(point)}" for head, point in parts]
    lines = brief.splitlines()
    briefs = [lines[:keep] for keep in range(len(lines), min(len(lines), 2) - 1, -1)]
    for points, kept in [(full, lines), *((short, kept) for kept in briefs)]:
        closing = "\n".join(kept) + f"\n\n{more}"
        if sum(len(item) for item in points) + len(closing) <= budget:
            return [*points, closing]
    closing = "\n".join(briefs[-1]) + f"\n\n{more}"
    while short and sum(len(item) for item in short) + len(closing) > budget:
        short.pop()
    if short or len(closing) <= budget:
        return [*short, closing]
    return [closing[: budget - len(more) - 2] + "…\n" + more]


def _first_line(point: str) -> str:
    """A point's first line, with the next one when the first only introduces it
    ("先分清民事和刑事：")."""
    lines = [line for line in point.splitlines() if line.strip()]
    if len(lines) > 1 and lines[0].rstrip().endswith(("：", ":")):
        return "\n".join(lines[:2])
    return lines[0] if lines else point


def _brief(
    details: Details, questions: list[Question], content: Content, *, in_group: bool, say: _Words
) -> str:
    specs = list({q.intent: content.intent(q.intent) for q in questions}.values())
    sep = say.separator
    lines = [say("CASE_BRIEF"), say("CASE_SITUATION") + sep.join(say.title(s) for s in specs)]
    facts = []
    if not in_group:
        if details.lender is not None:
            facts.append(say("CASE_LENDER", lender=details.lender))
        if details.amount is not None:
            facts.append(say("CASE_AMOUNT", amount=f"{details.amount:,.0f}"))
        if details.overdue_months is not None:
            facts.append(say("CASE_OVERDUE", months=details.overdue_months))
    if details.present is True:
        facts.append(say("CASE_PRESENT"))
    if facts:
        lines.append(say("CASE_KNOWN") + (", " if say.in_english else "，").join(facts))
    # from the fact register (all of them on 详细): the rules the direct answers rest on
    # first, then the topics'; one source may name two ("《刑法》第一百九十六条；…《解释》…")
    answered = [f for q in questions if q.answer for f in content.answer(q.answer)[1].facts]
    rules = rules_cited(content.sources(answered))
    for title, articles in rules_cited(
        content.sources(r for spec in specs for r in spec.references)
    ).items():
        rules.setdefault(title, articles)
    names = [
        title + "、".join(articles[:BRIEF_ARTICLES])
        for title, articles in rules.items()
        if not _PHONE_LINE.search(title)  # a hotline is where to go, not a rule
    ]
    if names:
        lines.append(arabic_articles(say("CASE_RULES") + sep.join(names[:BRIEF_RULES])))
    asks: list[str] = []
    for spec in specs:
        for follow_up in spec.follow_ups:
            if _known(follow_up, details):
                continue  # the case already says it: not asked again
            if (asked := say.question(follow_up)) not in asks:
                asks.append(asked)
    if asks:
        lines.append(say("CASE_ASK") + sep.join(asks[:3]))
    return "\n".join(lines)


#: a source that is a telephone line ("公安机关报警电话110", "…投诉热线12378"): the brief's
#: rules leave it out (the point names the number where it is the way to go)
_PHONE_LINE = re.compile(r"电话|热线|专线")


def _known(follow_up: FollowUp, details: Details) -> bool:
    """True when the case's details already answer ``follow_up``."""
    if follow_up.slot is not None and getattr(details, follow_up.slot, None) is not None:
        return True
    wanted = {"overdue": "overdue_months"}.get(follow_up.detail or "", follow_up.detail or "")
    if wanted == "any":
        return details.amount is not None or details.lender is not None
    return bool(wanted) and getattr(details, wanted, None) is not None
