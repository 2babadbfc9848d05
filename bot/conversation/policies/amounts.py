""" "1e308元", "-5000元": one clear sentence saying the figure was not taken (the details
never read it); the pending question stays for the next message."""

from __future__ import annotations

from bot.conversation import texts
from bot.conversation.actions import CALCULATOR_INTENT
from bot.conversation.context import Decision, Decline, Draft, Policy, TurnContext

#: the reasons this policy declines for (made once: most messages are declined)
_NO_UNREADABLE_FIGURE = Decline("no unreadable figure")


def _decide(ctx: TurnContext, session: Draft) -> Decision | Decline:
    bad = ctx.understood.cues.unreadable_amount
    if bad is None:
        return _NO_UNREADABLE_FIGURE
    kind, written = bad
    turn = ctx.turn()
    if ctx.in_group:
        turn.add(texts.AMOUNT_UNREADABLE_GROUP)
    elif kind == "exponent":
        turn.add(texts.AMOUNT_EXPONENT.format(written=written))
    else:
        turn.add(texts.AMOUNT_NEGATIVE.format(written=written))
    intent = session.active_intent or CALCULATOR_INTENT
    turn.intent = intent if intent in ctx.actions.specs else None
    return session.decision(turn, kind)


POLICY = Policy("amounts", _decide)
