""" "等一下", "你问这个干嘛", "啥意思" while the bot waits for an answer: an answer about the
question itself, which stays open."""

from __future__ import annotations

from bot.conversation import texts
from bot.conversation.context import Decision, Decline, Draft, Policy, TurnContext
from bot.messages import Outcome
from bot.understanding.short_answers import Repair

#: the reasons this policy declines for (made once: most messages are declined)
_NO_REPAIR_WORDS = Decline("no repair words")


def _decide(ctx: TurnContext, session: Draft) -> Decision | Decline:
    repair = ctx.understood.cues.repair
    if repair is None:
        return _NO_REPAIR_WORDS
    if ctx.pending is None:
        return Decline(f"{repair.value}, but no question is open")
    turn = ctx.turn()
    question = ctx.actions.pending_question(session.pending) or texts.MENU_HINT
    turn.intent = session.active_intent or Outcome.CLARIFY
    if repair is Repair.HOLD:
        turn.add(texts.HOLD)
    elif repair is Repair.WHY:
        turn.add(texts.WHY_ASK.format(question=question))
    else:
        turn.add(texts.HUH.format(question=question))
    turn.repeat_ok = True
    return session.decision(turn, repair.value)


POLICY = Policy("repair", _decide)
