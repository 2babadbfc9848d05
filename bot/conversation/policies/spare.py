""" "工资5500 房租1500 吃饭通勤1200 我每个月到底能拿出多少来还": what is left of a month's income
after the costs the person named, computed, with the advice to keep a margin; and, when the debt
is known, how long that would take (no interest). Not in a group: amounts are not repeated there."""

from __future__ import annotations

from decimal import Decimal

from bot.conversation import calculator, texts
from bot.conversation.actions import CALCULATOR_INTENT
from bot.conversation.context import Decision, Decline, Draft, Policy, TurnContext

_NO_EARNINGS = Decline("no income and costs told in this message")
_IN_A_GROUP = Decline("amounts are not repeated in a group")
_NOTHING_LEFT = Decline("the costs named take the whole income")


def _decide(ctx: TurnContext, session: Draft) -> Decision | Decline:
    found = ctx.found
    if found.income is None or found.expenses is None:
        return _NO_EARNINGS
    if ctx.in_group:
        return _IN_A_GROUP
    income, expenses = Decimal(str(found.income)), Decimal(str(found.expenses))
    spare = income - expenses
    if spare <= 0:
        return _NOTHING_LEFT
    turn = ctx.turn()
    money = calculator.money
    turn.add(
        texts.SPARE.format(income=money(income), expenses=money(expenses), spare=money(spare))
    )
    amount = session.details.amount
    if amount is not None and amount > 0:
        months = calculator.periods_for_budget(Decimal(str(amount)), spare, 0)
        if months is not None and months <= calculator.MAX_MONTHS:
            turn.add(
                texts.SPARE_HOW_LONG.format(
                    spare=money(spare), amount=money(Decimal(str(amount))), months=months
                )
            )
    turn.intent = session.active_intent or CALCULATOR_INTENT
    return session.decision(turn, f"income {income} − costs {expenses} = {spare}")


POLICY = Policy("spare", _decide)
