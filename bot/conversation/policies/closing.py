""" "好的明白了", "谢谢", "thx", "嗯 懂了 我去问问客服", "好 唔該晒": a short closing.

A closing is read from its words (the cues) or, when they miss it, from the topic model reading
the message as thanks with nothing asked. The parting words follow the conversation: the 110
reminder only after danger (a crisis, a threat, the police); after a calm visit a reminder of
the door steps without emergency numbers (a calm person is not alarmed on the way out); a staff
closing for bank staff and collectors."""

from __future__ import annotations

from bot.conversation import texts
from bot.conversation.actions import VISIT_TOPICS
from bot.conversation.context import Decision, Decline, Draft, Policy, TurnContext

#: the reasons this policy declines for (made once: most messages are declined)
_BARE_ACK_MAY_ANSWER = Decline("a bare acknowledgement may answer the open question")
_NO_CLOSING_WORDS = Decline("no closing words")
_A_STEP_IN_A_CRISIS = Decline("in a crisis, what the person will do next is a step")


def _decide(ctx: TurnContext, session: Draft) -> Decision | Decline:
    cues, act = ctx.understood.cues, ctx.actions
    closing = cues.closing
    if closing is False and act.yes_no_pending(ctx.pending):
        return _BARE_ACK_MAY_ANSWER
    if closing is None:
        if not cues.closing_with_tail and not cues.thanks_closing and not _read_as_thanks(ctx):
            return _NO_CLOSING_WORDS
        if session.crisis is not None and not cues.thanks:
            return _A_STEP_IN_A_CRISIS  # "好 我去派出所": the next step, not a goodbye
        best = act.best_topic_score(ctx.understood)
        # "行 我明天带材料去网点" names a step of a topic and asks nothing, "cheers for the
        # tips" thanks: still a closing
        plan = cues.closing_plan or cues.thanks_closing
        if best >= ctx.config.classifier.threshold and not plan:
            return Decline(f"closing words, but a topic reads the rest ({best:.2f})")
    turn = ctx.turn()
    thanks = act.specs.get("thanks")
    turn.intent = "thanks"
    if ctx.english:
        # someone writing English gets the parting words in English (110 only after danger)
        turn.add(texts.CLOSING_EN + (texts.CLOSING_EN_DANGER if _danger(session) else ""))
    elif session.details.role == "staff":
        # the debtor's "call 110 if they threaten you" is not theirs
        turn.add(texts.STAFF_CLOSING)
    elif _danger(session):
        turn.add(thanks.advice.short if cues.thanks and thanks is not None else texts.CLOSING)
    elif (tip := _plan_tip(ctx)) is not None:
        # "好 那我明天自己去网点问分期": the one thing to keep in mind for that plan
        turn.add(texts.CLOSING_PLAN.format(tip=tip))
    elif _visit(session):
        # a calm visit: the door steps, not the emergency numbers
        turn.add(texts.THANKS_VISIT if cues.thanks else texts.CLOSING_VISIT)
    else:
        # a conversation about calls, credit or the law: no "call 110" as a parting word
        turn.add(texts.THANKS_PLAIN if cues.thanks else texts.CLOSING_PLAIN)
    session.pending = None
    return session.decision(turn)


def _plan_tip(ctx: TurnContext) -> str | None:
    """The tip of the topic a plan told on the way out is about ("好 那我明天自己去网点问
    分期" → negotiating), read by the topic model; None for a plain goodbye or thanks."""
    cues = ctx.understood.cues
    if not (cues.closing_plan or cues.closing_with_tail):
        return None
    ranking = ctx.understood.ranking
    if not ranking or ranking[0].score < ctx.config.classifier.threshold * PLAN_SHARE:
        return None
    spec = ctx.actions.specs.get(ranking[0].intent)
    return None if spec is None else spec.plan_tip


#: a plan's topic is read at this share of the topic threshold (a few words: "我自己去网点问")
PLAN_SHARE = 0.5


def _read_as_thanks(ctx: TurnContext) -> bool:
    """The topic model reads the message as thanks, confidently, and it asks nothing
    ("好 唔該晒", "行 我先打电话试试看"): a closing its words alone did not show."""
    ranking = ctx.understood.ranking
    return bool(
        ranking
        and ranking[0].intent == "thanks"
        and ranking[0].score >= ctx.config.classifier.threshold
        and not ctx.understood.cues.asks
    )


def _danger(session: Draft) -> bool:
    """True when the conversation met danger (the parting reminder of 110 belongs there)."""
    return bool(
        session.crisis
        or session.active_intent == "threat_or_violence"
        or session.details.police is not None
    )


def _visit(session: Draft) -> bool:
    """True when the conversation was about a visit (the door steps as a parting word)."""
    details = session.details
    return bool(
        session.active_intent in VISIT_TOPICS
        or details.present is not None
        or details.left is not None
    )


POLICY = Policy("closing", _decide)
