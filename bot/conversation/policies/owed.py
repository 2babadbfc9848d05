""" "所以我总共欠多少来着", "建行3.8万 农行2.2万 … 加起来多少": what is owed, from the figures the
person told (each debt by name and the total), never a topic block. Not in a group: amounts are
not repeated there."""

from __future__ import annotations

from decimal import Decimal

from bot.conversation import calculator, texts
from bot.conversation.actions import CALCULATOR_INTENT
from bot.conversation.context import Decision, Decline, Draft, Policy, TurnContext

_NOT_ASKED = Decline("no question about the total")
_IN_A_GROUP = Decline("amounts are not repeated in a group")
_NOTHING_TOLD = Decline("no amount told yet")
_A_CALCULATION = Decline("a calculation asked: the calculator lists the debts")


def _decide(ctx: TurnContext, session: Draft) -> Decision | Decline:
    cues = ctx.understood.cues
    details = session.details
    left = calculator.left_after_repaying(details) if cues.after_repaying else None
    if not cues.asks_total and left is None:
        return _NOT_ASKED
    if ctx.in_group:
        return _IN_A_GROUP
    if details.amount is None or details.amount <= 0:
        return _NOTHING_TOLD
    if calculator.asks_calculation(ctx.found, cues, ctx.before) or (
        cues.monthly and calculator.ready(details)
    ):
        # ("总共欠多少来着 分五年每个月要还多少": the calculation lists the debts and the sum)
        return _A_CALCULATION
    turn = ctx.turn()
    if left is not None and details.repaid is not None:
        # "我原来欠32000 还了这笔以后还欠多少": what is left after the repayment told
        turn.add(
            texts.OWED_AFTER_REPAYING.format(
                lender=details.lender or "",
                amount=calculator.money(Decimal(str(details.amount))),
                repaid=calculator.money(Decimal(str(details.repaid))),
                left=calculator.money(Decimal(str(left))),
            )
        )
    elif details.debts:
        listing, total = calculator.debts_listing(details.debts)
        turn.add(texts.OWED_DEBTS.format(listing=listing, total=calculator.money(total)))
    else:
        about = "约" if details.amount_approx else ""
        lender = f"{details.lender}" if details.lender else ""
        turn.add(
            texts.OWED_ONE.format(
                lender=lender, about=about, amount=calculator.money(Decimal(str(details.amount)))
            )
        )
    turn.repeatable.update(turn.replies)  # asked again, the figures are said again
    turn.add(texts.OWED_NEXT)
    # the figures are the conversation's topic now: a correction next ("不对 美团是1.6万")
    # is heard inside it
    session.active_intent = session.active_intent or CALCULATOR_INTENT
    turn.intent = session.active_intent
    return session.decision(turn, "the figures told, said back")


POLICY = Policy("owed", _decide)
