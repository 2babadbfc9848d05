"""Urgency: the ONE place that decides whether a message is an emergency (issue 23).

The understanding stage only supplies evidence (:class:`Classification`): the warning signs
found in ``intents/warning_signs.yaml`` (each with its class, danger or despair, and its
strength, clear or possible), the calm classes found, whether the message has anything to
read, whether it is about debt at all, and ``urgent_probability`` (a model's probability that
the message is urgent). :func:`decide` weighs that evidence, with what the conversation
knows (:class:`UrgencyContext`), in this order; the first rule that applies decides:

1. **Yes to the safety question.** The bot asked last turn "是在想伤害自己吗？" (the possible
   tier) and the person says yes, or goes on in words the model finds likely danger of that
   kind (at ``urgency.clear_probability``) without a no → CLEAR, of the kind asked about.
2. **A staff speaker.** Bank staff or a collector asking how to run a visit, with danger
   evidence only → CALM (their topic answers), unless a clear sign the model confirms tells of
   danger now (a customer followed to the counter, the man still at the door) or the model is
   confident of clear danger (what staff see happen: a debtor slapped); also a staff
   speaker reporting a customer's
   words ("客户说压力太大撑不下去了") with no clear sign the model confirms, or with clear
   signs of self-harm only ("客户说不想活了") → CALM, with what to do for the customer (and
   the numbers) first: the danger is the customer's, and the possible tier's question or the
   speaker's own crisis would take the wrong person.
3. **A clear sign** (an act, a threat now, intent, a plan or the means) → CLEAR, whatever
   else the message says — POSSIBLE when the model reads danger below
   ``urgency.clear_probability`` and clear danger below :data:`SIGN_CLEAR_PROBABILITY` (a
   riddle with 一了百了) — unless the learned model reads the whole message as plainly calm
   (below ``urgency.sign_confirm_probability``), or a calm frame sets it in a film, the news,
   a hypothetical or the past and the model is not confident of clear danger: then
   POSSIBLE, and the numbers still come — CALM when the model reads it below
   ``urgency.possible_probability`` too ("菜刀钝了怎么磨"), or, framed or not, a sign of
   danger (never of self-harm) below ``urgency.sign_dismiss_probability`` ("磨刀石怎么用？菜刀
   钝得切不动肉"). Both kinds when both show.
4. **Nothing but a likelihood** (no sign) is set aside when the conversation explains it:
   a bare answer or only empty words; the police question after money went to a person (a
   fraud report); a reply inside a calm topic (an acknowledgement answering the bot's
   question, a question the topic answers, or a goodbye) below
   ``IN_CONVERSATION_PROBABILITY``; inside a crisis, news of a paper or money, or an
   acknowledgement or news of the police ("已经打了110") the likelihood reads as the other
   kind; a question about debt in a calm conversation below
   ``QUESTION_IN_CONVERSATION_PROBABILITY`` ("那我是不是干脆不用还了");
   outside a crisis, news that the visitors left ("他们走了 我手还在抖"); a question asking back
   what the person told ("我刚才说他们要去哪儿找我爸妈？": the conversation itself) → CALM.
5. **The model is confident** of clear danger (``urgent_clear_probability`` ≥
   ``urgency.clear_probability``) → CLEAR. It learned the calm near-misses too, so calm words
   do not outweigh it — except that a calm class with no warning sign at all needs
   ``CALM_CLASS_CLEAR_PROBABILITY`` (below it → POSSIBLE: visitors the family let in).
   (Without the learned model, the urgent topics' likelihood stands in
   and a message about neither debt nor any sign needs it.)
6. **A calm class** explains what is left when the model agrees it is calm (below
   ``urgency.possible_probability``): 压力好大, a visit next week, the job; a calm *frame* (an
   idiom with 死, a game, sport, food, news or a film, a hypothetical, a resolved past event,
   the user threatening to call the police, out-of-scope trouble) also lowers a possible
   sign → CALM.
7. **A possible sign** (a warning sign without certainty) → POSSIBLE, when the model confirms
   it (at ``urgency.possible_probability``); below it a sign of the taxonomy is a word in a
   calm message ("安眠药和褪黑素有啥区别", "原神抽不到 我要崩溃了") → CALM (an urgent topic's
   own keyword, "挨打", keeps the possible tier).
8. **A middling probability** (``urgent_probability`` ≥ ``urgency.possible_probability``) →
   POSSIBLE. There is no floor on a topic likelihood alone.
9. Otherwise CALM.

The tier, the kind (violence / self-harm) and the evidence used are returned together
(:class:`Urgency`); :func:`apply` gives the reading the rest of the conversation works on.

The first policy of the conversation (:data:`POLICY`) answers on that decision: clear
danger gets the urgent advice first (and starts or renews the crisis); possible danger gets
one or two warm lines that ask and give the numbers, and the next policies answer the rest
of the message. Its exceptions, in this order: a conversation command is the person's own
request (answered by ``commands``); inside a crisis of the same kind the crisis steps say
the numbers again in other words (``crisis_steps``); possible danger inside a crisis is read
in the crisis context.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

from bot.config import UrgencyConfig
from bot.content import SYSTEM_INTENTS
from bot.conversation import texts
from bot.conversation.context import Decision, Decline, Draft, Policy, TurnContext, block_id
from bot.conversation.crisis import (
    CRISIS_OF_INTENT,
    SAFETY_NO,
    CrisisKind,
    for_someone_else,
    possible_lines,
)
from bot.messages import RankedIntent
from bot.understanding.classifier import Classification
from bot.understanding.reader import Understood
from bot.understanding.short_answers import read_plain_yes, read_safe_answer
from bot.understanding.urgent import SignalHit

#: the reasons this policy declines for (made once: most messages are declined)
_A_CONVERSATION_COMMAND = Decline("a conversation command")
_POSSIBLE_IN_CRISIS = Decline("possible danger inside a crisis: read in its context")


class Tier(StrEnum):
    """How urgent a message is."""

    CLEAR = "clear"  # an act or threat now, intent, a plan or the means: the emergency reply
    POSSIBLE = "possible"  # a warning sign without certainty: ask, give the numbers, answer
    CALM = "calm"  # the ordinary answer


class Kind(StrEnum):
    """What kind of danger."""

    VIOLENCE = "violence"
    SELF_HARM = "self_harm"


#: the urgent intent whose advice each kind calls for, and back
INTENT_OF_KIND = {Kind.VIOLENCE: "threat_or_violence", Kind.SELF_HARM: "emotional_distress"}
KIND_OF_INTENT = {intent: kind for kind, intent in INTENT_OF_KIND.items()}
#: the crisis kind (bot/conversation/crisis.py) of each kind
CRISIS_OF_KIND = {Kind.VIOLENCE: "threat", Kind.SELF_HARM: "despair"}
KIND_OF_CRISIS = {crisis: kind for kind, crisis in CRISIS_OF_KIND.items()}

#: a clear-danger reply stays this short with the other topic asked about (a phone at the door)
URGENT_REPLY_CHARS = 300

#: a staff speaker passing on a customer's words of danger: calm for the speaker; for words
#: of self-harm the staff's lines for a customer in danger come first (crisis.for_someone_else)
STAFF_CLIENT_RULE = "a staff speaker reporting a customer"
#: ... whose words are a clear sign of self-harm ("客户说不想活了")
STAFF_CLIENT_CLEAR_RULE = "a staff speaker reporting a customer's clear words of self-harm"

#: the rule of a possible tier from the model's likelihood alone (no words of danger)
MIDDLING_RULE = "a middling probability"

#: a bare short answer ("不是", "没有", "2") has nothing to read, so its likelihood is noise —
#: below this: "不想撑了", "没盼头了", "没我也行" read as a no but the model is sure (in the
#: corpus no such message at or above it is calm, 65 are urgent)
NOTHING_TO_READ_PROBABILITY = 0.5
#: inside a calm topic, a likelihood alone below this does not take over a reply to the
#: bot's question (an acknowledgement, a question of the topic)
IN_CONVERSATION_PROBABILITY = 0.4
#: with a calm class and no warning sign, the model must be this sure for the clear tier
CALM_CLASS_CLEAR_PROBABILITY = 0.7
CALM_CLASS_RULE = "a calm class beside a middling model"
#: ... and a question about debt in a calm conversation, with no sign, below this one
QUESTION_IN_CONVERSATION_PROBABILITY = 0.25


@dataclass(frozen=True, slots=True)
class UrgencyContext:
    """What the conversation knows that bears on urgency (all defaults: a first message)."""

    role: str | None = None  # Details.role of the conversation ("staff", "helper" …)
    crisis: str | None = None  # the crisis in progress ("threat" | "despair")
    #: a calm topic is active
    calm_topic: bool = False
    #: the message is a short acknowledgement answering the bot's pending question
    acknowledgement: bool = False
    #: the message asks a question the active topic answers directly
    question_of_topic: bool = False
    #: the message asks something about debt (a question read as about some topic)
    debt_question: bool = False
    #: "要不要报警" once money went to a person
    police_after_paying: bool = False
    #: news of a paper to sign or money handed over
    acting_news: bool = False
    #: the kind of danger the bot asked about last turn (the possible tier's question)
    safety_check: str | None = None
    #: the message reports a customer's or client's words ("客户说…")
    reports_client: bool = False
    #: the message is a goodbye ("好的 长见识了", "好 我周一就去派出所")
    closing: bool = False
    #: the message tells that the visitors have left ("他们走了 我手还在抖")
    departed: bool = False
    #: the message tells that the police were called or came ("已经打了110", "警察来了")
    police_news: bool = False
    #: the message asks back what the person told ("我刚才说他们要去哪儿找我爸妈？")
    asks_back: bool = False


@dataclass(frozen=True, slots=True)
class Urgency:
    """The decision: the tier, the kind, the evidence used and the rule that decided."""

    tier: Tier
    kind: Kind | None = None
    #: the urgent intents to answer first (CLEAR), best first
    intents: tuple[str, ...] = ()
    evidence: tuple[str, ...] = ()
    rule: str = ""

    @property
    def urgent(self) -> bool:
        """True for clear danger (the emergency reply and the crisis state)."""
        return self.tier is Tier.CLEAR


CALM = Urgency(Tier.CALM, rule="nothing urgent")


def decide(
    classification: Classification,
    context: UrgencyContext | None = None,
    config: UrgencyConfig | None = None,
) -> Urgency:
    """The urgency of one message (see the module docstring for the order)."""
    context = context or UrgencyContext()
    config = config or UrgencyConfig()
    signs = classification.signals
    clear = [h for h in signs if h.strength == "clear"]
    weak = [h for h in signs if h.strength != "clear"]
    p = classification.urgent_probability or 0.0
    evidence = tuple(
        [f"sign:{h.signal}({h.strength}):{h.phrase}" for h in signs]
        + [f"calm:{c}" for c in sorted(classification.calm)]
        + [f"p={p:.2f}"]
    )

    # 1. yes to the safety question asked last turn
    asked = KIND_OF_CRISIS.get(context.safety_check or "") or _kind(context.safety_check)
    if asked is not None and not signs and read_plain_yes(classification.text):
        return _clear((asked,), evidence, "yes to the safety question")
    #    ... and a no, or "I won't act", with no warning sign: heard, calm ("我不会真跳的
    #    就是太累了 说说而已" is no reason to ask the same question again)
    if asked is not None and not signs and read_safe_answer(classification.text):
        return Urgency(Tier.CALM, evidence=evidence, rule=SAFETY_NO_RULE)
    #    ... and the danger goes on (the model finds it likely, of the kind asked about):
    #    "下不去 也不想下去" after "你是在想伤害自己吗？" is no no
    if (
        asked is not None
        and p >= config.clear_probability
        and _probable_kind(classification) is asked
        and not read_safe_answer(classification.text)
    ):
        return _clear((asked,), evidence, "the danger goes on after the safety question")
    # 2. a speaker reporting a customer's words ("客户说压力太大撑不下去了") with no clear sign the
    #    model confirms, or of self-harm only ("客户说不想活了"): the danger is the customer's,
    #    so what to do for the customer comes first (the staff answer carries the numbers);
    #    the speaker's own crisis and the question "你是在想伤害自己吗" would take the wrong person
    clear_p = classification.urgent_clear_probability
    clear_p = p if clear_p is None else clear_p
    kinds = _kinds(signs)
    # a clear sign the model confirms: danger now
    danger_now = bool(clear) and p >= config.sign_confirm_probability
    if context.reports_client and (context.role == "staff" or kinds <= {Kind.SELF_HARM}):
        confirmed = danger_now or clear_p >= config.clear_probability
        self_harm = kinds == {Kind.SELF_HARM} or (
            not signs
            and p >= config.possible_probability
            and _probable_kind(classification) is Kind.SELF_HARM
        )
        if self_harm or (context.role == "staff" and not confirmed):
            reported = (
                Kind.SELF_HARM
                if self_harm
                else (_ordered_kinds(signs, classification)[0] if signs else None)
            )
            if confirmed and reported is not None:
                # clear danger, the customer's: the clear tier (the numbers, worded for the one
                # who reports it), never the speaker's own crisis
                return Urgency(
                    Tier.CLEAR, reported, evidence=evidence, rule=STAFF_CLIENT_CLEAR_RULE
                )
            if self_harm:  # a warning sign, the customer's: the possible lines for them
                return Urgency(Tier.POSSIBLE, reported, evidence=evidence, rule=STAFF_CLIENT_RULE)
            return Urgency(Tier.CALM, reported, evidence=evidence, rule=STAFF_CLIENT_RULE)
    #    ... a staff speaker with danger evidence only
    staff_case = context.role == "staff" and not weak and kinds <= {Kind.VIOLENCE}
    # ... unless a clear sign the model confirms tells of danger now ("外面有人从她家一路跟到
    # 这里，那人现在还在门口站着"): a teller with a customer in danger needs 110 like anyone
    # ... or the model is confident of clear danger ("组长现在把欠款人堵在墙角扇耳光，我拉不
    # 住", "客户说他人在天台上，然后就挂了"): what staff see happen is danger like anyone's
    if (
        staff_case
        and not danger_now
        and clear_p < config.clear_probability
        and (kinds or p >= config.possible_probability)
    ):
        return Urgency(Tier.CALM, evidence=evidence, rule="a staff speaker")
    # 3. a clear sign: clear danger, unless the model reads the whole message as plainly calm
    #    (a film, a joke, something resolved): then possible danger — the numbers still come
    if clear:
        kinds_first = _ordered_kinds(clear, classification)
        framed = classification.calm_frame and clear_p < config.clear_probability
        if danger_now and not framed:
            if p < config.clear_probability and clear_p < SIGN_CLEAR_PROBABILITY:
                # the model finds danger only possible, and clear danger unlikely: "猜个谜语：
                # 一了百了，打一个字", "我的猫从二楼阳台跳下去了" (on the validation split 10 calm
                # and 8 possible messages move from the clear tier, no clear one)
                return Urgency(
                    Tier.POSSIBLE, kinds_first[0], evidence=evidence, rule=SIGN_AS_POSSIBLE_RULE
                )
            return _clear(kinds_first, evidence, "a clear sign")
        if framed and p < config.possible_probability:
            # "菜刀钝了怎么磨", a film's knife scene, "看新闻说有人跳桥被救了": a calm frame the
            # model agrees with (on the validation split: 27 calm messages spared, no urgent
            # one lost)
            return Urgency(Tier.CALM, evidence=evidence, rule=FRAMED_SIGN_RULE)
        if (
            p < config.sign_dismiss_probability
            and _kinds(clear) == {Kind.VIOLENCE}
            and not any(_keyword(h) for h in signs)
        ):
            # a sign of danger in a message the model reads as calm beyond doubt: "磨刀石怎么
            # 用？菜刀钝得切不动肉", "猫把门反锁了，我被锁在外面了" (on the validation split 36
            # calm messages and no urgent one). Words of self-harm are never dismissed
            # ("时常有轻生念头，但尚未付诸行动" is asked about, whatever the model reads), nor an
            # urgent topic's own keyword ("打伤。")
            return Urgency(Tier.CALM, evidence=evidence, rule=DISMISSED_SIGN_RULE)
        return Urgency(
            Tier.POSSIBLE, kinds_first[0], evidence=evidence, rule="a clear sign the model doubts"
        )
    # 4. a likelihood the conversation explains
    if not weak:
        rule = _explained(classification, context, p)
        if rule:
            return Urgency(Tier.CALM, evidence=evidence, rule=rule)
    # 5. the model is confident of clear danger (it learned the calm near-misses too, so a
    #    calm word in the message does not outweigh it)
    kind = _probable_kind(classification)
    if clear_p >= config.clear_probability and (
        classification.urgent_clear_probability is not None or classification.in_domain
    ):
        if classification.calm and not signs and clear_p < CALM_CLASS_CLEAR_PROBABILITY:
            # "外访员被我爸请进屋了 在客厅坐着": a calm class and no sign at all, the model only
            # middling sure: the numbers come with the warm lines, not the 110 steps
            return Urgency(Tier.POSSIBLE, kind, evidence=evidence, rule=CALM_CLASS_RULE)
        return _clear((kind,), evidence, "the model is confident")
    # 6. a calm class or frame explains what is left, when the model agrees it is calm
    if classification.calm and p < config.possible_probability:
        if not weak:
            return Urgency(Tier.CALM, evidence=evidence, rule="a calm class")
        if classification.calm_frame:
            return Urgency(Tier.CALM, evidence=evidence, rule="a calm frame lowers a weak sign")
    # 7. a possible sign, when the model does not read the message as plainly calm (on the
    #    validation split, 43 calm messages below it and no urgent one: "安眠药和褪黑素有啥区
    #    别", "农药怎么配比", "原神抽不到 我要崩溃了"); an urgent topic's own keyword ("挨打",
    #    "撑不住了") is never doubted away: it keeps the possible tier
    if weak and p < config.possible_probability and not any(_keyword(h) for h in weak):
        return Urgency(Tier.CALM, evidence=evidence, rule=WEAK_SIGN_DOUBTED_RULE)
    if weak:
        kind = _ordered_kinds(weak, classification)[0]
        return Urgency(Tier.POSSIBLE, kind, evidence=evidence, rule="a possible sign")
    # 8. a middling probability
    if p >= config.possible_probability:
        return Urgency(Tier.POSSIBLE, kind, evidence=evidence, rule=MIDDLING_RULE)
    return Urgency(Tier.CALM, evidence=evidence, rule="nothing urgent")


def apply(understood: Understood, urgency: Urgency) -> Understood:
    """The reading the conversation works on: for clear danger the urgent intents flagged and
    first; for possible danger none flagged and the urgent topics out of the ranking (the
    warm lines carry the numbers, the rest of the message is answered); for calm, the topics
    a calm class sets aside out of the ranking."""
    c = understood.classification
    if urgency.tier is Tier.CLEAR and urgency.rule != STAFF_CLIENT_CLEAR_RULE:
        first = [r for i in urgency.intents for r in c.ranking if r.intent == i]
        rest = [r for r in c.ranking if r.intent not in urgency.intents]
        return replace(
            understood,
            classification=replace(c, urgent=list(urgency.intents), ranking=first + rest),
        )
    aside: set[str] = set()
    if urgency.tier is not Tier.CALM:  # possible, or clear danger reported about someone else
        aside |= set(INTENT_OF_KIND.values())
    aside |= c.calm_set_aside
    return replace(understood, classification=replace(c, urgent=[], ranking=_without(c, aside)))


def _without(c: Classification, aside: set[str]) -> list[RankedIntent]:
    kept = [r for r in c.ranking if r.intent not in aside]
    total = sum(r.score for r in kept) or 1.0
    rest = [RankedIntent(r.intent, 0.0) for r in c.ranking if r.intent in aside]
    return [RankedIntent(r.intent, r.score / total) for r in kept] + rest


def _clear(kinds: tuple[Kind, ...], evidence: tuple[str, ...], rule: str) -> Urgency:
    return Urgency(
        Tier.CLEAR,
        kinds[0],
        intents=tuple(INTENT_OF_KIND[k] for k in kinds),
        evidence=evidence,
        rule=rule,
    )


def _kind(value: str | None) -> Kind | None:
    try:
        return Kind(value) if value else None
    except ValueError:
        return None


def _keyword(hit: SignalHit) -> bool:
    """The hit is one of an urgent topic's own keywords (not a sign of the taxonomy)."""
    return hit.signal.endswith(".keywords")


def _kinds(signs: Sequence[SignalHit]) -> set[Kind]:
    return {KIND_OF_CRISIS[h.kind] for h in signs}


def _ordered_kinds(signs: Sequence[SignalHit], classification: Classification) -> tuple[Kind, ...]:
    """The kinds the signs show, the likelier first (ties: the first sign's)."""
    kinds = list(dict.fromkeys(KIND_OF_CRISIS[h.kind] for h in signs))
    score = {r.intent: r.score for r in classification.ranking}
    kinds.sort(key=lambda k: -score.get(INTENT_OF_KIND[k], 0.0))
    return tuple(kinds)


def _probable_kind(classification: Classification) -> Kind:
    share = classification.urgent_kind_probability
    return Kind.SELF_HARM if share is not None and share >= 0.5 else Kind.VIOLENCE


def _explained(classification: Classification, context: UrgencyContext, p: float) -> str:
    """The rule of step 4 that explains a likelihood without a sign, or ''."""
    if classification.nothing_to_read and p < NOTHING_TO_READ_PROBABILITY:
        return "nothing to read"
    if context.asks_back:
        # "我刚才说他们要去哪儿找我爸妈？", "我一共欠多少来着": a question about the conversation
        # itself; the danger words in it are what was told before, already answered then
        return "a question about what was told"
    if context.crisis is None and context.departed:
        # gone, with no sign of danger: the shaking is the fright afterwards, not danger now
        # (a blow struck, a threat for later or damage left behind is a sign, read above)
        return "the visitors left"
    if context.crisis is None:
        if context.police_after_paying:
            return "a fraud report after paying"
        in_topic = context.question_of_topic or context.acknowledgement
        if context.calm_topic and p < IN_CONVERSATION_PROBABILITY and in_topic:
            return "a reply inside a calm topic"
        if context.calm_topic and p < IN_CONVERSATION_PROBABILITY and context.closing:
            return "a goodbye inside a calm topic"
        if context.calm_topic and p < QUESTION_IN_CONVERSATION_PROBABILITY:
            # a practical question ("那我是不是干脆不用还了", "如果我们几个子女都放弃继承呢") or
            # what happened next, told ("我跟他们说别再打了，他们还是打"), in a calm conversation
            # with no warning sign, is not made a crisis by a weak reading
            return (
                "a debt question inside a calm topic"
                if context.debt_question
                else "a weak reading inside a calm topic"
            )
        return ""
    if context.acting_news:
        return "news of a paper or money inside a crisis"
    if (context.acknowledgement or context.police_news) and _probable_kind(
        classification
    ) is not KIND_OF_CRISIS.get(context.crisis):
        # "已经打了110" inside a threat is the crisis moving on, not the other kind of danger
        return "an acknowledgement read as the other kind"
    if _probable_kind(classification) is not KIND_OF_CRISIS.get(context.crisis):
        # no warning sign, and the model reads the other kind inside a crisis ("我现在就在他旁边
        # 他答应我明天去医院看看" in a despair crisis): the crisis goes on, its steps carry the
        # numbers; danger of the other kind with a sign of it is read above
        return "a likelihood of the other kind inside a crisis"
    return ""


#: a clear sign the model confirms at ``urgency.sign_confirm_probability`` but reads below
#: ``urgency.clear_probability`` is clear danger only when the model's clear-danger probability
#: reaches this; below it, possible danger (the question and the numbers)
SIGN_CLEAR_PROBABILITY = 0.15
SIGN_AS_POSSIBLE_RULE = "a clear sign the model reads as possible danger"

#: the rule of a clear sign in a message the model reads as calm beyond doubt
DISMISSED_SIGN_RULE = "a clear sign the model reads as calm beyond doubt"

#: the rule of a possible sign the model reads as plainly calm
WEAK_SIGN_DOUBTED_RULE = "a possible sign the model reads as calm"

#: the rule of a clear sign inside a calm frame that the model reads as calm
FRAMED_SIGN_RULE = "a clear sign in a calm frame the model reads as calm"

#: the rule of a no to the safety question (the policy answers it)
SAFETY_NO_RULE = "no to the safety question"


def flagged(classification: Classification, config: UrgencyConfig | None = None) -> Classification:
    """``classification`` with the urgent intents of a first message's decision flagged and
    first (the view ``classify --jsonl``, the evaluation and the tests read)."""
    urgency = decide(classification, None, config)
    if not urgency.urgent:
        return classification
    first = [r for i in urgency.intents for r in classification.ranking if r.intent == i]
    rest = [r for r in classification.ranking if r.intent not in urgency.intents]
    return replace(classification, urgent=list(urgency.intents), ranking=first + rest)


# -- the policy ----------------------------------------------------------------------------


def _answer(ctx: TurnContext, session: Draft) -> Decision | Decline:
    """An acute illness now ("我妈心口疼 喘不上气", "晕倒了"): 120 first, before any danger's
    advice; alone, the whole reply (no topic's block about feelings or the debt)."""
    understood = ctx.understood
    medical = understood.classification.medical
    if MEDICAL_MARK in session.noticed:
        session.forget_notice(MEDICAL_MARK)
        if medical is None and ctx.crisis is None and _MEDICAL_AFTER.search(understood.cues.text):
            # "救护车来了 人醒了" right after: heard, and what comes next (the visit later)
            turn = ctx.turn()
            turn.add(texts.MEDICAL_AFTER)
            return Decision(turn, tuple(session.changes), "after an acute illness")
    if medical is None or understood.command is not None:
        return _answer_danger(ctx, session)
    signs = understood.classification.signals
    despair = any(h.kind == "despair" for h in signs)
    if ctx.crisis is None and not despair and not any(h.kind == "threat" for h in signs):
        # the illness is the emergency ("外访的刚走 我奶奶晕倒了 叫不醒"): no sign of a threat
        # or of self-harm beside it, so no crisis of either; 120, and 110 if anyone threatens
        turn = ctx.turn()
        turn.add(texts.MEDICAL_NOW)
        session.pending = None
        session.notice(MEDICAL_MARK)
        return Decision(turn, tuple(session.changes), f"an acute illness: {medical}")
    decided = _answer_danger(ctx, session)
    if isinstance(decided, Decision) and (ctx.urgency.urgent or despair):
        # clear danger, or words of self-harm ("割了 血止不住"): 120 before their lines
        decided.turn.replies.insert(0, texts.MEDICAL_FIRST)
        return replace(decided, why=f"{decided.why}; an acute illness: {medical}")
    turn = ctx.turn()
    if ctx.crisis is not None:
        # inside a crisis: 120 first, then the crisis step as usual
        turn.add(texts.MEDICAL_FIRST)
        return Decision(turn, tuple(session.changes), f"an acute illness: {medical}", lead=True)
    turn.add(texts.MEDICAL_NOW)
    session.notice(MEDICAL_MARK)
    return Decision(turn, tuple(session.changes), f"an acute illness: {medical}")


#: the mark in ``Session.noticed`` of a reply to an acute illness (for the message after it)
MEDICAL_MARK = "medical"
#: news after an acute illness: the ambulance came, they woke, they are in hospital
_MEDICAL_AFTER = re.compile(
    r"救护车|120(?:来了|到了)|医生|医院|醒了|醒过来|缓过来|好多了|没事了|没大碍|稳定了"
    r"|(?i:ambulance|hospital|woke up|is awake|is ok|is fine|doing better)"
)


def _answer_danger(ctx: TurnContext, session: Draft) -> Decision | Decline:
    """Clear danger: the urgent advice first; possible danger: the warm lines, then the rest
    of the message is answered by the next policies."""
    urgency, understood = ctx.urgency, ctx.understood
    if understood.command is not None:
        return _A_CONVERSATION_COMMAND
    if urgency.rule == STAFF_CLIENT_RULE and urgency.kind is Kind.SELF_HARM:
        # "客户说要跳楼 我们该怎么办": whatever answer the staff question gets, what to do for
        # the customer now, with the numbers, comes first (never a question to the staff)
        turn = ctx.turn()
        turn.add(for_someone_else(Tier.POSSIBLE.value, Kind.SELF_HARM.value))
        return Decision(turn, tuple(session.changes), _why(urgency), lead=True)
    if urgency.rule == STAFF_CLIENT_CLEAR_RULE and urgency.kind is not None:
        # a customer's clear danger told by staff: what to do for the customer now, with the
        # numbers, first; the staff question is answered after it (no crisis for the speaker)
        turn = ctx.turn()
        turn.add(for_someone_else(Tier.CLEAR.value, urgency.kind.value))
        return Decision(turn, tuple(session.changes), _why(urgency), lead=True)
    if understood.urgent:
        lead_kind = CRISIS_OF_INTENT.get(understood.urgent[0])
        if ctx.crisis is not None and lead_kind is ctx.crisis:
            return Decline(f"the same danger inside the {ctx.crisis.value} crisis")
        return _urgent(ctx, session)
    if urgency.tier is Tier.POSSIBLE and urgency.kind is not None:
        if ctx.crisis is not None:
            return _POSSIBLE_IN_CRISIS
        turn = ctx.turn()
        lines = possible_lines(urgency.kind, in_group=ctx.in_group)
        if block_id(lines) in ctx.session.sent:  # asked before: in other words, never dropped
            lines = possible_lines(urgency.kind, in_group=ctx.in_group, again=True)
        turn.add(lines)
        turn.intent = INTENT_OF_KIND[urgency.kind]
        if not ctx.in_group:
            session.safety_check = urgency.kind.value
        return Decision(turn, tuple(session.changes), _why(urgency), lead=True)
    if urgency.rule == SAFETY_NO_RULE:
        # heard; a question beside it ("没有 就想问花呗能不能延期") is answered after it
        turn = ctx.turn()
        turn.add(SAFETY_NO)
        turn.intent = "emotional_distress"
        session.safety_check = None
        asks = understood.cues.asked
        return Decision(turn, tuple(session.changes), _why(urgency), lead=asks)
    return Decline(lambda: _why(urgency))


def _why(urgency: Urgency) -> str:
    kind = f" {urgency.kind.value}" if urgency.kind is not None else ""
    return f"{urgency.tier.value}{kind}: {urgency.rule} [{' '.join(urgency.evidence)}]"


def _urgent(ctx: TurnContext, session: Draft) -> Decision:
    understood, specs = ctx.understood, ctx.actions.specs
    turn = ctx.turn()
    for intent_id in understood.urgent:  # a second kind only with a sign of its own
        turn.add(specs[intent_id].advice.short)
    lead = specs[understood.urgent[0]]
    turn.intent = lead.id
    # The urgent advice comes first; the topic the person also asked about follows.
    others = [
        r
        for r in understood.others
        if r.intent not in SYSTEM_INTENTS
        and r.score >= ctx.config.classifier.urgent_secondary_floor
        and not specs[r.intent].urgent
    ]
    if others:
        # the topic the person also asked about, when the reply still fits a phone at the
        # door; else one line saying it comes once they are safe
        other = specs[others[0].intent]
        if sum(map(len, turn.replies)) + len(other.advice.short) <= URGENT_REPLY_CHARS:
            turn.add(other.advice.short)
        elif not ctx.in_group:  # (a group reply is cut to the numbers anyway)
            turn.add(texts.URGENT_OTHER_LATER.format(title=other.title))
    kind = CRISIS_OF_INTENT.get(lead.id)
    if kind is not None:
        # A despair that comes on top of a threat (or the other way round) takes over.
        session.crisis = kind.value
        rule = ctx.urgency.rule
        session.crisis_basis = "model" if rule == "the model is confident" else "sign"
    if session.details.role == "helper" and "helper_urgent" not in session.noticed:
        session.notice("helper_urgent")  # asking for someone else: what they can do
        turn.add(texts.HELPER_URGENT_DESPAIR if kind is CrisisKind.DESPAIR else texts.HELPER_URGENT)
    ctx.actions.start_topic(lead, session, turn, include_advice=False)
    if ctx.in_group and kind is CrisisKind.DESPAIR:
        # never a question about self-harm before the group: an invitation to a private chat
        question = ctx.actions.pending_question(session.pending)
        if question:
            turn.replies = [r for r in turn.replies if question not in r]
        session.pending = None
        turn.add(texts.GROUP_DESPAIR_INVITE)
    return session.decision(turn, _why(ctx.urgency))


POLICY = Policy("urgency", _answer)
