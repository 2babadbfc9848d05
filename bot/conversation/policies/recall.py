"""Asked what they told ("你还记得我欠的是哪家银行多少钱吗", "刚才那两个人说的是哪家银行、多少钱
来着", "What was the total I told you again?"): what the conversation remembers, said back —
the lender and the figures only in a private chat — then the rest of the message answered
(the policies after this one), or the one line that nothing is remembered yet."""

from __future__ import annotations

import re

from bot.content import SYSTEM_INTENTS
from bot.conversation import texts
from bot.conversation.actions import told_back
from bot.conversation.context import Decision, Decline, Draft, Policy, TurnContext
from bot.understanding.language import is_english

_NOT_ASKED = Decline("not asked what was told")
_THE_TOTAL = Decline("asked the total: the sum answers")
#: "一个叫什么来着安逸花，借了两万": searching for a word while telling, with nothing told before
_TELLING = Decline("recall words while telling: nothing was told before this message")
#: the rest of the message asks something too
_ASKS = re.compile(
    r"[?？]|吗|怎么|如何|能不能|可不可以|可以.{0,6}吗|该|要不要|(?i:\b(?:how|can|what|should)\b)"
)


def _decide(ctx: TurnContext, session: Draft) -> Decision | Decline:
    cues = ctx.understood.cues
    if not cues.recall:
        return _NOT_ASKED
    debts = session.details.debts
    if cues.asks_total and debts and len(debts) > 1:
        return _THE_TOTAL  # "总共欠多少来着": the sum, worked out (policies/owed.py)
    english = is_english(cues.text)
    if ctx.found.as_dict() and not any(told_back(ctx.before, english=english)):
        return _TELLING
    private, shared = told_back(session.details, english=english)
    said = shared if ctx.in_group else [*private, *shared]
    turn = ctx.turn()
    if said:
        line = (texts.RECALL_EN if english else texts.RECALL).format(
            told=("; " if english else "、").join(said)
        )
        turn.add(line)
    if ctx.in_group and private:
        turn.add(texts.RECALL_GROUP)  # the figures are not said before the group
    elif not said:
        turn.add(texts.RECALL_NOTHING)
    best = ctx.actions.best_topic(ctx.understood)
    remainder = cues.text.replace(cues.recall_words, "")
    rest = bool(ctx.news) or (
        best is not None
        and best.intent not in SYSTEM_INTENTS
        and best.score >= ctx.config.classifier.threshold
        and _ASKS.search(remainder) is not None
    )
    why = f"what was told, said back ({len(said)} details)"
    if rest:  # "……来着？我要写投诉材料": the rest of the message is answered after it
        return Decision(turn, tuple(session.changes), why + "; the rest after it", lead=True)
    return session.decision(turn, why)


POLICY = Policy("recall", _decide)
