""" "好的明白了", "谢谢", "thx", "嗯 懂了 我去问问客服": a short closing (with the 110
reminder only after a visit or danger; a staff closing for bank staff and collectors)."""

from __future__ import annotations

from bot.conversation import texts
from bot.conversation.actions import VISIT_TOPICS
from bot.conversation.context import Decision, Decline, Draft, Policy, TurnContext

#: the reasons this policy declines for (made once: most messages are declined)
_BARE_ACK_MAY_ANSWER = Decline("a bare acknowledgement may answer the open question")
_NO_CLOSING_WORDS = Decline("no closing words")


def _decide(ctx: TurnContext, session: Draft) -> Decision | Decline:
    cues, act = ctx.understood.cues, ctx.actions
    closing = cues.closing
    if closing is False and act.yes_no_pending(ctx.pending):
        return _BARE_ACK_MAY_ANSWER
    if closing is None:
        if not cues.closing_with_tail:
            return _NO_CLOSING_WORDS
        best = act.best_topic_score(ctx.understood)
        if best >= ctx.config.classifier.threshold:
            return Decline(f"closing words, but a topic reads the rest ({best:.2f})")
    turn = ctx.turn()
    thanks = act.specs.get("thanks")
    turn.intent = "thanks"
    if session.details.role == "staff":
        # the debtor's "call 110 if they threaten you" is not theirs
        turn.add(texts.STAFF_CLOSING)
    elif not _visit_or_danger(session):
        # a conversation about calls, credit or the law: no "call 110" as a parting word
        turn.add(texts.THANKS_PLAIN if cues.thanks else texts.CLOSING_PLAIN)
    elif cues.thanks and thanks is not None:
        turn.add(thanks.advice.short)
    else:
        turn.add(texts.CLOSING)
    session.pending = None
    return session.decision(turn)


def _visit_or_danger(session: Draft) -> bool:
    """True when the conversation was about a visit or danger (the parting reminder of 110
    belongs there, not after a question about credit records)."""
    details = session.details
    return bool(
        session.crisis
        or session.active_intent in VISIT_TOPICS
        or details.present is not None
        or details.police is not None
        or details.left is not None
    )


POLICY = Policy("closing", _decide)
