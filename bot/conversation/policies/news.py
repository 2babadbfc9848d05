"""News about the situation (money already handed over, a paper to sign, let in, the police
called or come, the visitors gone) gets its specific advice, then the open question again;
a message mainly about another topic leaves the news to that topic's answer."""

from __future__ import annotations

from bot.conversation.context import Decision, Decline, Draft, Policy, TurnContext
from bot.conversation.crisis import CrisisKind

#: the reasons this policy declines for (made once: most messages are declined)
_NO_NEWS = Decline("no news")
_ANOTHER_TOPIC = Decline("the message is mainly about another topic")
_ONLY_THE_HOUR = Decline("only the hour is news, and no topic is open: the topic answers")


def _decide(ctx: TurnContext, session: Draft) -> Decision | Decline:
    news = ctx.news
    if not news:
        return _NO_NEWS
    if news.lines == (news.night_line,) and not session.active_intent:
        return _ONLY_THE_HOUR  # "昨天晚上十点过后 有人在门外叫我全名": the topic, the hour first
    if news.starts_threat:
        session.crisis = CrisisKind.THREAT.value
    turn = ctx.turn()
    if not ctx.actions.situation_news(list(news.lines), ctx.understood, session, turn):
        return _ANOTHER_TOPIC
    return session.decision(turn)


POLICY = Policy("news", _decide)
