""" "是的 一张什么分期协议 我看不懂" in the middle of a visit: a paper to sign, money handed
over or visitors now at the door, told and not asked about: its advice comes before any
answer to a question nobody asked (a first message is answered by its direct answer)."""

from __future__ import annotations

from bot.conversation.context import Decision, Decline, Draft, Policy, TurnContext
from bot.conversation.crisis import CrisisKind

#: the reasons this policy declines for (made once: most messages are declined)
_NO_ACTING_NEWS = Decline("no news of a paper, money or a visit now")
_NEWS_IN_A_FIRST_MESSAGE = Decline("news in a first message")
_NEWS_WITH_A_QUESTION = Decline("news with a question")
_NO_ADVICE_FOR_THE_NEWS = Decline("no advice for this speaker's news")


def _decide(ctx: TurnContext, session: Draft) -> Decision | Decline:
    if not ctx.acting_news:
        return _NO_ACTING_NEWS
    if not (session.active_intent or session.crisis or ctx.before):
        return _NEWS_IN_A_FIRST_MESSAGE
    if ctx.understood.cues.asks:
        return _NEWS_WITH_A_QUESTION
    news = ctx.news
    if not news.lines:
        return _NO_ADVICE_FOR_THE_NEWS  # (a staff speaker's visit is not the debtor's news)
    if news.starts_threat:
        session.crisis = CrisisKind.THREAT.value
    turn = ctx.turn()
    ctx.actions.situation_news(list(news.lines), ctx.understood, session, turn, told=True)
    return session.decision(turn)


POLICY = Policy("told_news", _decide)
