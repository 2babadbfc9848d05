""" "每月大概还多少" when the amount is known (said earlier, or in a forwarded case): the
calculation when the figures are all there, else a first look over usual periods, not the
topic again. Not in a group (no amounts there)."""

from __future__ import annotations

from dataclasses import replace

from bot.conversation import calculator
from bot.conversation.actions import CALCULATOR_INTENT
from bot.conversation.context import Decision, Decline, Draft, Policy, TurnContext

#: the reasons this policy declines for (made once: most messages are declined)
_IN_A_GROUP = Decline("in a group")
_NOT_MONTHLY = Decline("not a monthly-amount question")
_NO_AMOUNT_WITH_PERIODS = Decline("periods or a budget known, the amount not")
_NO_AMOUNT_KNOWN = Decline("no amount known")


def _decide(ctx: TurnContext, session: Draft) -> Decision | Decline:
    if ctx.in_group:
        return _IN_A_GROUP
    if not ctx.understood.cues.monthly:
        return _NOT_MONTHLY
    details = session.details
    turn = ctx.turn()
    if calculator.ready(details):  # the figures are all there: the calculation itself
        turn.intent = CALCULATOR_INTENT
        session.active_intent = CALCULATOR_INTENT
        session.pending = None
        whole = None
        if ctx.understood.cues.asks_total and details.debts and len(details.debts) > 1:
            # "我总共欠多少来着 分五年每个月要还多少": the sum split, whichever one was named last
            whole = replace(details, lender=None, lenders=tuple(name for name, _ in details.debts))
        ctx.actions.calculation(session, turn, in_group=False, details=whole)
        return session.decision(turn, "the figures are known")
    if details.months is not None or details.budget is not None:
        return _NO_AMOUNT_WITH_PERIODS
    text = calculator.overview(details)
    if text is None:
        return _NO_AMOUNT_KNOWN
    turn.intent = CALCULATOR_INTENT
    session.active_intent = CALCULATOR_INTENT
    session.pending = None
    turn.add(text)
    return session.decision(turn, "an overview over usual periods")


POLICY = Policy("monthly", _decide)
