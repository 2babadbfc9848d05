"""Asked what they told ("你还记得我欠的是哪家银行多少钱吗", "刚才那两个人说的是哪家银行、多少钱
来着", "What was the total I told you again?"): what the conversation remembers, said back —
the lender and the figures only in a private chat, and the person's own words when they hold
what was asked (bot/conversation/told.py) — then the rest of the message answered
(the policies after this one), or the one line that nothing is remembered yet."""

from __future__ import annotations

import re
from dataclasses import replace

from bot.content import SYSTEM_INTENTS
from bot.conversation import texts, told
from bot.conversation.context import Decision, Decline, Draft, Policy, TurnContext
from bot.understanding.cues import recall_words
from bot.understanding.details import Details

_NOT_ASKED = Decline("not asked what was told")
_THE_TOTAL = Decline("asked the total: the sum answers")
#: "一个叫什么来着安逸花，借了两万": searching for a word while telling, with nothing told before
_TELLING = Decline("recall words while telling: nothing was told before this message")
#: the rest of the message asks something too
_ASKS = re.compile(
    r"[?？]|吗|怎么|如何|能不能|可不可以|可以.{0,6}吗|该|要不要|(?i:\b(?:how|can|what|should)\b)"
)

#: asked back what the details hold (the lender, the sum, the months, the monthly amount):
#: they answer, corrected; a clause would say the figure as first told ("其实是8万")
_WHAT_DETAILS_HOLD = re.compile(
    r"哪家|哪个(?:银行|平台)|多少钱|欠(?:了|的)?(?:是)?多少|(?:一共|总共|加起来)(?:欠)?(?:了)?多少"
    r"|每个?月.{0,4}多少|逾期(?:了)?(?:多久|几个月)|几期|多少期"
    r"|(?:工资|收入|月薪|挣|赚|房租|开销|开支)[^，,。？?]{0,4}多少"
    r"|(?i:how much|\btotal\b|which (?:bank|lender|platform)|how (?:long|many months))"
)

_PLACES = {
    "home": ("上门到家里", "a visit to your home"),
    "workplace": ("去你单位", "a visit to your workplace"),
    "family_home": ("去你老家（父母那儿）", "a visit to your family home (your parents')"),
    "school": ("孩子的学校", "your child's school"),
}


def told_back(details: Details, *, english: bool = False) -> tuple[list[str], list[str]]:
    """What the person told, in their terms, as two lists: the lender and the figures (said
    only in private) and the rest (the visit, the police, money or papers)."""
    private: list[str] = []
    lenders = details.lenders or ((details.lender,) if details.lender else ())
    if details.debts and len(details.debts) > 1:
        parts = [f"{name} {value:,.0f}{'' if english else '元'}" for name, value in details.debts]
        private.append(("debts: " if english else "几笔欠款：") + "，".join(parts))
    elif lenders:
        private.append(("lender: " if english else "") + "、".join(lenders))
    if details.amount is not None and details.amount > 0:
        amount = int(details.amount) if float(details.amount).is_integer() else details.amount
        about = ("about " if english else "约") if details.amount_approx else ""
        several = details.debts and len(details.debts) > 1
        private.append(
            f"total owed: {about}{amount:,} yuan"
            if english
            else f"{'合计' if several else '欠款'}{about}{amount:,}元"
        )
    if details.overdue_months:
        about = ("about " if english else "约") if details.overdue_approx else ""
        months = details.overdue_months
        private.append(f"overdue {about}{months} months" if english else f"逾期{about}{months}个月")
    if details.budget is not None and details.budget > 0:  # "我说我每月能还多少来着"
        private.append(
            f"at most {details.budget:,.0f} yuan a month"
            if english
            else f"每月最多能还{details.budget:,.0f}元"
        )
    if details.months is not None and details.months > 0:
        private.append(f"{details.months} installments" if english else f"想分{details.months}期")
    if details.income is not None and details.income > 0:
        private.append(
            f"income {details.income:,.0f} yuan a month"
            if english
            else f"每月收入{details.income:,.0f}元"
        )
    shared: list[str] = []
    if details.place is not None and details.place in _PLACES:
        shared.append(_PLACES[details.place][1 if english else 0])
    if details.present is False and details.left is not True:
        when = details.visit_when
        if english:
            shared.append(f"a visit announced ({when})" if when else "a visit announced for later")
        else:
            shared.append(f"他们说{when}来" if when else "他们说过几天要来")
    elif details.left:
        shared.append("the visitors have left" if english else "上门的人已经走了")
    elif details.present:
        shared.append("the visitors were at your door" if english else "他们上门了")
    if details.night:
        shared.append("at night (after 22:00)" if english else "夜里（22点以后）来的")
    if details.police == "called":
        shared.append("you called the police" if english else "你报了警")
    elif details.police == "arrived":
        shared.append("the police came" if english else "警察来过了")
    if details.paid == "personal":
        shared.append("money paid to a person" if english else "已经把钱转给了个人")
    elif details.paid == "yes":
        shared.append("a payment already made" if english else "已经付过一笔")
    if details.signed:
        shared.append("a paper already signed" if english else "已经签了字")
    elif details.document:
        shared.append(
            f"they want a paper signed ({details.document})"
            if english
            else f"他们要你签{details.document}"
        )
    return private, shared


def _decide(ctx: TurnContext, session: Draft) -> Decision | Decline:
    cues = ctx.understood.cues
    if not cues.recall:
        return _NOT_ASKED
    debts = session.details.debts
    if cues.asks_total and debts and len(debts) > 1:
        return _THE_TOTAL  # "总共欠多少来着": the sum, worked out (policies/owed.py)
    english = ctx.english
    # the clauses are kept as written, so the question is compared as written too
    asked_back = recall_words(ctx.written) or cues.recall_words
    quoted = None if ctx.in_group else told.quote(ctx.session.told, ctx.written, asked_back)
    if ctx.found.as_dict() and not any(told_back(ctx.before, english=english)) and not quoted:
        return _TELLING
    guessed = _guessed(ctx.found, ctx.before)
    if guessed:
        # "客户本金是多少来着，我记成5.6万了": the figure in a question asking back is the
        # person's guess, not news: what was told before stands (and is said back)
        kept = replace(
            ctx.found, **{n: None for g in guessed for n in (g, *_QUALIFIERS.get(g, ()))}
        )
        session.details = ctx.before.merged(kept)
    private, shared = told_back(session.details, english=english)
    said = shared if ctx.in_group else [*private, *shared]
    if private and _WHAT_DETAILS_HOLD.search(_asked_part(cues.text, cues.recall_words)):
        quoted = None  # the lender and the figures as they stand now, not as first told
    turn = ctx.turn()
    if said:
        line = (texts.RECALL_EN if english else texts.RECALL).format(
            told=("; " if english else "、").join(said)
        )
        turn.add(line)
    if quoted:  # "我刚才说有几张卡来着": what no detail holds, in their own words
        turn.add((texts.RECALL_QUOTE_EN if english else texts.RECALL_QUOTE).format(quote=quoted))
    if ctx.in_group and private:
        turn.add(texts.RECALL_GROUP)  # the figures are not said before the group
    elif not said and not quoted:
        turn.add(texts.RECALL_NOTHING)
    best = ctx.actions.best_topic(ctx.understood)
    remainder = cues.text.replace(cues.recall_words, "")
    rest = (
        bool(ctx.news)
        or cues.calculation
        or (
            best is not None
            and best.intent not in SYSTEM_INTENTS
            and best.score >= ctx.config.classifier.threshold
            and _ASKS.search(remainder) is not None
            and _more_than_a_tail(remainder)
        )
    )
    why = f"what was told, said back ({len(said)} details{', a clause quoted' if quoted else ''})"
    if rest:  # "……来着？我要写投诉材料": the rest of the message is answered after it
        return Decision(turn, tuple(session.changes), why + "; the rest after it", lead=True)
    return session.decision(turn, why)


def _asked_part(text: str, words: str) -> str:
    """The recall words with the few characters before them ("工资多少来着" of "我一个月工资多少
    来着"): what is asked back; the whole text when they are not found."""
    at = text.find(words) if words else -1
    return text if at < 0 else text[max(0, at - 8) : at + len(words)]


#: what a question asking back may state as a guess: the lender and the figures
_GUESSABLE = ("amount", "lender", "lenders", "overdue_months", "budget", "months", "income")
#: what goes with a guessed detail ("5万多": the amount's "approximately"; a lender's kind)
_QUALIFIERS = {
    "amount": ("amount_approx",),
    "lender": ("lenders", "lender_type"),
    "lenders": ("lender", "lender_type"),
}


def _guessed(found: Details, before: Details) -> set[str]:
    """The details the message states otherwise than they were told before (the person's
    recollection, checked by asking back); empty when nothing was told before."""
    return {
        name
        for name in _GUESSABLE
        if getattr(found, name) is not None
        and getattr(before, name) is not None
        and getattr(found, name) != getattr(before, name)
    }


def _more_than_a_tail(remainder: str) -> bool:
    """What is left of the message once the asking back is taken out says something of its
    own: four Chinese characters or four words ("wait, how much did I say I owe?" leaves
    "wait, I owe?": the question itself, not a second one)."""
    return len(_CJK.findall(remainder)) >= 4 or len(_WORD.findall(remainder)) >= 4


_CJK = re.compile(r"[\u4e00-\u9fff]")
_WORD = re.compile(r"[A-Za-z]+")

POLICY = Policy("recall", _decide)
