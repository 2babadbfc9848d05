"""Nothing else answered and no topic is active: the fallback (one polite scope line with
what the bot covers), keeping an open question open."""

from __future__ import annotations

from bot.conversation.context import Decision, Decline, Draft, Policy, TurnContext


def _decide(ctx: TurnContext, session: Draft) -> Decision | Decline:
    turn = ctx.turn()
    ctx.actions.fallback(session, turn, ctx.pending)
    return session.decision(turn)


POLICY = Policy("fallback", _decide)
