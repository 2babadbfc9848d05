""" "那分36期呢？" after a calculation: the calculation again with the new figure; "600期",
"我想算一下 本金8万分12期" outside it: the calculator topic, not the fallback."""

from __future__ import annotations

from bot.conversation import calculator
from bot.conversation.actions import CALCULATOR_INTENT
from bot.conversation.context import Decision, Decline, Draft, Policy, TurnContext

#: the reasons this policy declines for (made once: most messages are declined)
_NO_FIGURE_FOR_A_CALCULATION = Decline("no figure for a calculation")
_NO_CALCULATION_ASKED = Decline("figures, but no calculation asked")
_FIGURES_INCOMPLETE = Decline("the figures are not complete")
_A_QUESTION_ABOUT_A_CONVENTION = Decline("a question about a way of paying, no new figure")


def _decide(ctx: TurnContext, session: Draft) -> Decision | Decline:
    found, understood, act = ctx.found, ctx.understood, ctx.actions
    if not calculator.follows_on(found, session.details) and not (
        calculator.ready(session.details)
        and calculator.asks_calculation(found, understood.cues, session.details)
    ):
        return _NO_FIGURE_FOR_A_CALCULATION
    if calculator.convention_question(found, understood.cues):
        # "停息挂账银行必须同意吗": a question about that way of paying, not new figures
        return _A_QUESTION_ABOUT_A_CONVENTION
    top = act.best_topic(understood)
    threshold = ctx.config.classifier.threshold
    turn = ctx.turn()
    if session.active_intent != CALCULATOR_INTENT:
        if not calculator.asks_calculation(found, understood.cues, session.details) and (
            (top is not None and top.score >= threshold)
            or not calculator.starts_calculation(found, understood.cues)
        ):
            return _NO_CALCULATION_ASKED
        # "600期", "我想算一下 本金8万分12期": the calculator topic, not the fallback
        spec = act.specs[CALCULATOR_INTENT]
        if calculator.ready(session.details):
            act.calculation_first(
                spec,
                session,
                turn,
                in_group=ctx.in_group,
                remaining=understood.cues.after_repaying,
            )
        else:
            act.answer_topic(spec, session, turn)
        return session.decision(turn, "a calculation asked")
    if (
        top is not None
        and top.intent != CALCULATOR_INTENT
        and top.score >= threshold
        and not calculator.calculator_only(found)
        and not understood.cues.figures_only
        and not ctx.corrects_a_figure  # whatever a corrected figure's words read as
    ):
        return Decline(f"clearly a new topic: {top.intent} ({top.score:.2f})")
    if not calculator.ready(session.details):
        return _FIGURES_INCOMPLETE
    turn.intent = CALCULATOR_INTENT
    session.active_intent = CALCULATOR_INTENT
    act.calculation(session, turn, in_group=ctx.in_group, remaining=understood.cues.after_repaying)
    return session.decision(turn, "a new figure for the calculation")


POLICY = Policy("calculation", _decide)
