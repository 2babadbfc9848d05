""" "工资5500 房租1500 吃饭通勤1200 我每个月到底能拿出多少来还": what is left of a month's income
after the costs the person named (kept by name: "房租其实是2100" changes the rent only), computed,
with the advice to keep a margin; and, when the debt is known, how long that would take (no
interest). An income told with "how much can I pay" and no costs yet: the costs are asked for.
Not in a group: amounts are not repeated there."""

from __future__ import annotations

from decimal import Decimal

from bot.conversation import calculator, texts
from bot.conversation.actions import CALCULATOR_INTENT
from bot.conversation.context import Decision, Decline, Draft, Policy, TurnContext

_NO_EARNINGS = Decline("no income or costs told in this message")
_IN_A_GROUP = Decline("amounts are not repeated in a group")
_NOTHING_LEFT = Decline("the costs named take the whole income")
_NOT_ENOUGH = Decline("income and costs not both known, nothing asked")


def _decide(ctx: TurnContext, session: Draft) -> Decision | Decline:
    found = ctx.found
    if found.income is None and not found.costs:
        return _NO_EARNINGS
    if ctx.in_group:
        return _IN_A_GROUP
    details = session.details
    money = calculator.money
    turn = ctx.turn()
    # the figures are the conversation's topic now: a correction next ("不对 美团是1.6万")
    # is heard inside it
    session.active_intent = session.active_intent or CALCULATOR_INTENT
    turn.intent = session.active_intent
    spare = details.spare
    if spare is None:
        if found.income is not None and ctx.understood.cues.asks:
            # "他一个月挣四千 能还多少合适": what is left depends on the costs
            turn.add(texts.SPARE_ASK_COSTS.format(income=money(Decimal(str(found.income)))))
            return session.decision(turn, "an income, the costs asked for")
        return _NOT_ENOUGH
    if spare <= 0:
        return _NOTHING_LEFT
    left = Decimal(str(spare))
    costs = Decimal(str(details.costs_total))
    turn.add(
        texts.SPARE.format(
            income=money(Decimal(str(details.income))), expenses=money(costs), spare=money(left)
        )
    )
    amount = details.amount
    budget = ctx.found.budget  # "…能拿出一千二还中原的": what the person will pay, said here
    if amount is not None and amount > 0 and budget is not None and 0 < budget <= spare:
        pay = Decimal(str(budget))
        months = calculator.periods_for_budget(Decimal(str(amount)), pay, 0)
        if months is not None and months <= calculator.MAX_MONTHS:
            turn.add(
                texts.SPARE_BUDGET_HOW_LONG.format(
                    budget=money(pay),
                    amount=money(Decimal(str(amount))),
                    months=months,
                    duration=calculator.duration(months),
                    rest=money(left - pay),
                )
            )
            return session.decision(turn, f"income − costs = {left}; {budget} a month told")
    if amount is not None and amount > 0:
        months = calculator.periods_for_budget(Decimal(str(amount)), left, 0)
        if months is not None and months <= calculator.MAX_MONTHS:
            turn.add(
                texts.SPARE_HOW_LONG.format(
                    spare=money(left), amount=money(Decimal(str(amount))), months=months
                )
            )
    return session.decision(turn, f"income {details.income} − costs {costs} = {left}")


POLICY = Policy("spare", _decide)
