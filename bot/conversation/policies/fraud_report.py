""" "要不要报警" once money went to a person: a question about reporting a fraud, answered
as such (not as danger, not as a topic)."""

from __future__ import annotations

from bot.conversation import texts
from bot.conversation.context import Decision, Decline, Draft, Policy, TurnContext
from bot.understanding.details import Details
from bot.understanding.reader import Understood

#: the reasons this policy declines for (made once: most messages are declined)
_NO_POLICE_QUESTION = Decline("no police question after paying a person")


def after_paying(details: Details, understood: Understood) -> bool:
    """The police question once money went to a person (also read by the urgency decision)."""
    return details.paid == "personal" and understood.cues.police_question


def _decide(ctx: TurnContext, session: Draft) -> Decision | Decline:
    if not after_paying(session.details, ctx.understood):
        return _NO_POLICE_QUESTION
    turn = ctx.turn()
    turn.intent = "safe_repayment" if "safe_repayment" in ctx.actions.specs else None
    turn.add(texts.REPORT_AFTER_PAYING)
    return session.decision(turn)


POLICY = Policy("fraud_report", _decide)
