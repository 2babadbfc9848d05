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
from bot.conversation import texts
from bot.conversation.crisis import calm_topics
from bot.conversation.dialogue import Dialogue
from bot.conversation.policies.urgency import decide
from bot.privacy import mask
from bot.understanding.classifier import Classification, Classifier
from bot.understanding.cues import forwarded_sentences
from bot.understanding.details import Details

if TYPE_CHECKING:
    from bot.understanding.reader import Reader
from bot.understanding.normalize import MAX_ANALYSED_CHARS
from bot.understanding.reader import Understood

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
#: In a group every reply stays within this.
GROUP_CHARS = 300


@dataclass(frozen=True)
class Question:
    """One question found in a forwarded text."""

    excerpt: str
    intent: str


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
        if len(sentences) > 1 and _ASKS_FOR_THE_RULES.match(sentence):
            continue  # "请给出依据": the counsellor's request, not a question of the client's
        classified = whole if len(sentences) == 1 else _assessed(classifier.classify(sentence))
        intent = _topic_of(classified, floor)
        if intent is None:
            continue
        if intent in classified.urgent and intent not in urgent:
            urgent.append(intent)
        found.setdefault(intent, []).append(sentence)
    for intent in whole.urgent:  # urgency spread over several sentences still counts
        if intent not in urgent:
            urgent.append(intent)
            found.setdefault(intent, [])
    if not found:
        top = _topic_of(whole, floor)
        if top is not None:
            found[top] = [text.strip()[:60]]
    ordered = urgent + [i for i in found if i not in urgent]
    return [Question(excerpt=_excerpt(found[i]), intent=i) for i in ordered[:MAX_QUESTIONS]]


#: a sentence that only asks for the rules behind the answer
_ASKS_FOR_THE_RULES = re.compile(
    r"^(?:请|麻烦)?(?:你)?(?:给出|说明|附上?|列出|提供|讲讲|说说|告诉我)?(?:一下)?(?:相关|具体)?的?"
    r"(?:法律)?(?:依据|法条|条文|出处|规定)(?:是什么|是哪条|呢|吗|和出处)?[。？?！!.\s]*$"
)


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
) -> tuple[list[str], list[str]]:
    """The reply to a forwarded text (``understood`` is the whole text's reading) and the
    intents answered, in order: each question's point (its direct answer, else the first steps
    of its topic), then a brief for the counsellor, within a phone screen (:data:`BRIEF_CHARS`;
    :data:`GROUP_CHARS` in a group); the full answers with their rules come on 详细
    (:func:`dossier`)."""
    questions = split_questions(text, classifier, floor, understood.classification)
    if not questions:
        return [], []
    total = len(questions)
    budget = GROUP_CHARS if in_group else BRIEF_CHARS
    brief = _brief(understood.details, [q.intent for q in questions], content, in_group=in_group)
    parts = []
    for number, question in enumerate(questions, start=1):
        spec = content.intent(question.intent)
        head = f"【问题{number}/{total}：{spec.title}】"
        if question.excerpt and not in_group:  # never quote a member's words in a group
            head += f"\n客户原话：{mask(question.excerpt)}"
        parts.append((head, _point(question, reader, spec, content)))
    replies = _fit(parts, brief, budget)
    return replies, [q.intent for q in questions]


def dossier(intents: list[str], dialogue: Dialogue, content: Content) -> list[str]:
    """详细 after a brief: each question's full answer with the rules behind it."""
    return [dialogue.long_answer(content.intent(i)) for i in intents if i in content.ids]


def _point(question: Question, reader: Reader | None, spec: IntentSpec, content: Content) -> str:
    """The point of one question: its direct answer when one is confidently asked, else the
    first steps of its topic."""
    if reader is not None and question.excerpt:
        direct = reader.read(question.excerpt).direct
        if direct is not None and direct.confident and direct.intent == spec.id:
            return content.answer(direct.answer)[1].short
    steps = [line for line in spec.advice.short.splitlines() if line.strip()]
    return "\n".join(steps[:3])


def _fit(parts: list[tuple[str, str]], brief: str, budget: int) -> list[str]:
    """The questions' points, then the brief and the 详细 line, within ``budget`` characters in
    all: the points are cut to their first line, then dropped from the last, before the brief
    is."""
    closing = f"{brief}\n\n{texts.CASE_MORE}"

    def size(items: list[str]) -> int:
        return sum(len(item) for item in items) + len(closing)

    full = [f"{head}\n{point}" for head, point in parts]
    if size(full) <= budget:
        return [*full, closing]
    short = [f"{head}\n{point.splitlines()[0]}" for head, point in parts]
    while short and size(short) > budget:
        short.pop()
    if short or len(closing) <= budget:
        return [*short, closing]
    return [closing[: budget - len(texts.CASE_MORE) - 2] + "…\n" + texts.CASE_MORE]


def _brief(details: Details, intents: list[str], content: Content, *, in_group: bool) -> str:
    specs = [content.intent(i) for i in intents]
    lines = ["【给顾问的简要】", "情况：" + "；".join(spec.title for spec in specs)]
    facts = []
    if not in_group:
        if details.lender is not None:
            facts.append(f"机构：{details.lender}")
        if details.amount is not None:
            facts.append(f"金额约{details.amount:,.0f}元")
        if details.overdue_months is not None:
            facts.append(f"逾期约{details.overdue_months}个月")
    if details.present is True:
        facts.append("催收人员此刻在场")
    if facts:
        lines.append("已知：" + "，".join(facts))
    sources = content.sources(ref for spec in specs for ref in spec.references)
    if sources:  # from the fact register (all of them on 详细)
        # one source may name two ("《刑法》第一百九十六条；…《解释》（…）第六条"): each once
        names = list(
            dict.fromkeys(
                part.split("（")[0].strip()
                for source in sources
                for part in source.split("；")
                if part.strip()
            )
        )
        lines.append("适用规定：" + "；".join(names[:3]))
    asks = []
    for spec in specs:
        for follow_up in spec.follow_ups:
            if _known(follow_up, details):
                continue  # the case already says it: not asked again
            if follow_up.question not in asks:
                asks.append(follow_up.question.rstrip("：:").split("回复")[0].strip())
    if asks:
        lines.append("建议向客户了解：" + "；".join(asks[:3]))
    return "\n".join(lines)


def _known(follow_up: FollowUp, details: Details) -> bool:
    """True when the case's details already answer ``follow_up``."""
    if follow_up.slot is not None and getattr(details, follow_up.slot, None) is not None:
        return True
    wanted = {"overdue": "overdue_months"}.get(follow_up.detail or "", follow_up.detail or "")
    if wanted == "any":
        return details.amount is not None or details.lender is not None
    return bool(wanted) and getattr(details, wanted, None) is not None
