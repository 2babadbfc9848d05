"""Inside a crisis, a message that moves it on (police called or arrived, they left, still
there, "what now", "no one can help me", "I'm OK now") gets the next step of the safety plan
(bot/conversation/crisis.py); the same danger said again gets the numbers in other words."""

from __future__ import annotations

from bot.content import SYSTEM_INTENTS
from bot.conversation.context import Decision, Decline, Draft, Policy, TurnContext, block_id
from bot.conversation.crisis import (
    CRISIS_OF_INTENT,
    SAFE_THEN_ANSWER,
    Act,
    CrisisKind,
    crisis_reply,
)

#: the reasons this policy declines for (made once: most messages are declined)
_NO_CRISIS = Decline("no crisis")
_YES_NO_ANSWER = Decline("a yes/no answer to the question asked")
_THE_OTHER_KIND_OF_DANGER = Decline("the other kind of danger")
_NOT_A_CRISIS_STEP = Decline("the message does not move the crisis on")


#: the kind of the possible tier's question (session.safety_check) and its crisis
_ASKED = {"self_harm": CrisisKind.DESPAIR, "violence": CrisisKind.THREAT}


def _decide(ctx: TurnContext, session: Draft) -> Decision | Decline:
    kind = ctx.crisis
    understood, act = ctx.understood, ctx.actions
    if kind is None:
        # the numbers the possible tier gave last turn do not answer ("打了12356 没打通"):
        # the next line to call, as inside the crisis, though none was started
        asked = _ASKED.get(ctx.safety_asked or "")
        if asked is None or understood.cues.act is not Act.NO_ANSWER:
            return _NO_CRISIS
        kind = asked
    details = session.details
    after_visit = bool(details.left) or details.police == "arrived"
    step = understood.cues.act_after_visit if after_visit else understood.cues.act
    if (
        step in (Act.THANKS, Act.OTHER)
        and not understood.urgent  # "有 想过从楼上跳下去" is no plain "yes"
        and act.yes_no_pending(session.pending)
        and understood.cues.yes_no is not None
    ):
        return _YES_NO_ANSWER  # "嗯" to "你现在安全吗？"
    urgent_kind = CRISIS_OF_INTENT.get(understood.urgent[0]) if understood.urgent else None
    if urgent_kind is not None and urgent_kind is not kind:
        return _THE_OTHER_KIND_OF_DANGER  # answered as urgent
    if step is Act.OTHER:
        if urgent_kind is None:
            return _NOT_A_CRISIS_STEP
        # The same danger said again: the numbers again, in other words, not the block.
        step = Act.HOPELESS if kind is CrisisKind.DESPAIR else Act.STILL_THERE
    replies, ended = crisis_reply(kind, step, session.details)
    if not replies:
        return Decline(f"no step for {step.value}")
    turn = ctx.turn()
    if (
        kind is CrisisKind.THREAT
        and after_visit
        and step is Act.WHAT_NOW
        and understood.cues.asked
        and _other_topic(ctx, floor=AFTER_VISIT_TOPIC_FLOOR)
    ):
        # "那我这钱现在怎么办 我每个月最多能还2000" once they left or the police came: the
        # visit's aftermath was given when that was told; "what now" about another topic is
        # that topic's question, and the crisis is over
        session.crisis = None
        session.pending = None
        why = "threat crisis over: what now, about another topic"
        return Decision(turn, tuple(session.changes), why, lead=True)
    over = step in (Act.LEFT, Act.POLICE_ARRIVED) and kind is CrisisKind.THREAT
    settled = ended and step in (Act.SAFE, Act.THANKS)  # "谢谢你，我不会做傻事。我想…"
    # (once they left, a question about the visit itself, "这事以后怎么弄", gets the
    # aftermath below, never the steps at the door)
    if (settled or over) and ((understood.cues.asked and not over) or _other_topic(ctx)):
        # "没事 刚才气话 我就想问花呗还能不能申请延期": the crisis ends, said in one line, and
        # the question is answered after it — the crisis never replaces an answer asked for;
        # so too once they left or the police came ("阿Sir嚟咗 嗰兩個走咗喇 我想去投訴點做"),
        # and when what follows is plainly another topic, asked or not ("警察来了 他们走了 我欠
        # 招行6万 想跟银行谈分期")
        turn.add(SAFE_THEN_ANSWER[step if over else kind])  # (thanks included: the same line)
        session.crisis = None
        session.pending = None
        return Decision(turn, tuple(session.changes), f"{kind.value} crisis ends", lead=True)
    if (
        step is Act.POLICE_CALLED
        and kind is CrisisKind.THREAT
        and understood.cues.asked
        and _other_topic(ctx, floor=AFTER_VISIT_TOPIC_FLOOR)
    ):
        # "已经报警了，我能告他们吗": what to do until the police come, in one line, then the
        # question answered; the crisis goes on (the police are not there yet)
        turn.add(SAFE_THEN_ANSWER[Act.POLICE_CALLED])
        session.pending = None
        why = "threat crisis: the police called, a question beside it"
        return Decision(turn, tuple(session.changes), why, lead=True)
    for text in replies:
        turn.add(
            text
            if block_id(text) not in session.sent
            else act.again(kind, session.sent, step, session.details)
        )
    lead = next((i for i, k in CRISIS_OF_INTENT.items() if k is kind), None)
    turn.intent = lead
    why = f"{kind.value} crisis: {step.value}"
    if ended:
        session.crisis = None
        session.pending = None
        return session.decision(turn, why + " (it ends)")
    spec = act.specs.get(lead or "")
    if kind is CrisisKind.DESPAIR:
        session.pending = None  # stay with the person: no menu after "no one can help me"
    elif spec is not None and step is not Act.THANKS:
        session.active_intent = spec.id
        remaining = act.unanswered(spec, session)
        if remaining:
            act.ask(spec, remaining[0], session, turn)
        else:
            session.pending = None
    return session.decision(turn, why)


#: the topic a message about the visit itself reads as ("走了", "人走了"): not another topic
_THE_VISIT = "collector_at_door"


#: once they left, a question whose likeliest topic is another calm one read at least this
#: sure is that topic's question ("那这钱我接下来怎么还比较好": cannot_afford 0.36, the next
#: safe_repayment 0.26): the aftermath was said when they left
AFTER_VISIT_TOPIC_FLOOR = 0.3


def _other_topic(ctx: TurnContext, floor: float | None = None) -> bool:
    """The message is plainly about another calm topic too (read at least at the threshold,
    or ``floor``; not the visit itself, which "走了" alone reads as)."""
    top = ctx.understood.top
    spec = ctx.actions.specs.get(top.intent)
    return (
        spec is not None
        and top.intent not in SYSTEM_INTENTS
        and top.intent != _THE_VISIT
        and not spec.urgent
        and top.score >= (ctx.config.classifier.threshold if floor is None else floor)
    )


POLICY = Policy("crisis_steps", _decide)
