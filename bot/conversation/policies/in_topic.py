"""Inside a topic, a message no topic reads clearly: a question about the answer just given
(its point again, pointed to); a question one direct answer clearly leads (that answer,
flagged as the closest point); a message that tells something and asks nothing (noted, or
the step for what is now known); venting (acknowledged); otherwise the scope line (off
topic) or "I did not understand" — always with the open question again, never the
fallback apology."""

from __future__ import annotations

import re

from bot.content import SYSTEM_INTENTS
from bot.conversation import texts
from bot.conversation.actions import figures_heard, gist
from bot.conversation.context import (
    Decision,
    Decline,
    Draft,
    Policy,
    Turn,
    TurnContext,
    block_id,
)
from bot.understanding.cues import SHORT_REPLY_CHARS, bigrams
from bot.understanding.short_answers import compact

#: the reasons this policy declines for (made once: most messages are declined)
_NO_ACTIVE_TOPIC = Decline("no active topic")

#: Inside a conversation, an unsure direct answer is still given (flagged as the closest
#: point) from this probability on, when it leads the runner-up by this factor
CLOSEST_ANSWER_FLOOR = 0.15
CLOSEST_ANSWER_MARGIN = 3.0
#: an acknowledgement followed by what the person will do ("行 我打95533问问") is heard as
#: an acknowledgement up to this many characters
ACK_WITH_PLAN_CHARS = 30
#: a question shares at least this many word pairs with the answer just given to be about it
ABOUT_ANSWER_OVERLAP = 2
#: a question is in the topic being talked about when the topic is among the reading's two
#: likeliest with at least this probability
WITHIN_TOPIC_FLOOR = 0.25


def _decide(ctx: TurnContext, session: Draft) -> Decision | Decline:
    if not ctx.talking:
        return _NO_ACTIVE_TOPIC
    understood, act, pending = ctx.understood, ctx.actions, ctx.pending
    turn = ctx.turn()
    if _about_last_answer(ctx, session, turn):
        return session.decision(turn, "about the answer just given")
    if _closest_answer(ctx, session, turn):
        direct = understood.direct
        assert direct is not None
        why = f"closest: {direct.answer} {direct.score:.2f} ({direct.runner_up_score:.2f} next)"
        return session.decision(turn, why)
    active = session.active_intent or ""
    if _asked_within_topic(ctx, session, turn):
        return session.decision(turn, "a question within the topic: its steps")
    question = act.pending_question(pending)
    if understood.details and not understood.cues.asks:
        # it tells something about the situation (and asks nothing): noted
        turn.intent = active
        branch = act.unsent_branch(act.specs[active], session)
        if branch is not None:  # what is known has a step not given yet: that step
            turn.add(branch)
            if question:
                turn.add(question)
            session.pending = pending
            return session.decision(turn, "told: the step for what is known")
        # said back ("记下了：京东金条、欠款约3万元"), never in a group (no amounts there)
        heard = "" if ctx.in_group else figures_heard(ctx.found)
        debts = session.details.debts
        if heard and debts and ctx.found.lender in {name for name, _ in debts}:
            # one of several debts corrected: the total follows
            total = sum(value for _, value in debts)
            heard += f"，{len(debts)}笔合计{total:,.0f}元"
        noted = texts.HEARD.format(figures=heard) if heard else texts.NOTED
        turn.add(noted + (question or texts.MENU_HINT))
        return session.decision(turn, "told: noted")
    # (a short question that points back, "Should I refuse it?", "那这个呢", is about what is
    # being talked about: not understood, never the scope line)
    off_topic = (
        understood.top.intent == "fallback"
        and not understood.in_domain
        and not (
            len(understood.cues.text) <= POINTING_BACK_CHARS
            and _POINTS_BACK.search(understood.cues.text)
        )
    )
    cues = understood.cues
    asked = cues.asked
    # "行 我打95533问问", "好吧 死马当活马医 我打12378试试": an acknowledgement with what the
    # person will do next is heard as one, however long, as long as it asks nothing
    short_ack = cues.acknowledgement and (
        len(cues.compact) <= SHORT_REPLY_CHARS + 4
        or (not asked and len(cues.compact) <= ACK_WITH_PLAN_CHARS)
    )
    # told, not asked: inside a topic a statement is part of the conversation ("我也不是不还
    # 就是这个月房贷压得我累个半死"), never an out-of-scope question and never "没看懂" (only a
    # question about something else gets the scope line)
    statement = not asked and not cues.venting and not short_ack
    act.not_understood(
        session,
        turn,
        pending,
        off_topic=off_topic and not statement,
        venting=understood.cues.venting,
        short_ack=short_ack,
        statement=statement,
    )
    return session.decision(turn, "off topic" if off_topic else "not understood")


#: a word that points back at what was said ("it", "that", "这个", "那样")
_POINTS_BACK = re.compile(r"(?i)\b(?:it|that|this|those|them)\b|它|这个|那个|这样|那样|这种|那种")
#: how long a message that points back may be and still be read as about the topic
POINTING_BACK_CHARS = 40


def _asked_within_topic(ctx: TurnContext, session: Draft, turn: Turn) -> bool:
    """A question the reading places in the topic being talked about, though not clearly
    ("What hours are visits not allowed?" inside the rules: the rules 0.44, the staff's
    conduct 0.33) while the topic's steps were not sent yet: the steps, which hold its
    points — never "I did not understand" to a question in the topic."""
    understood, act = ctx.understood, ctx.actions
    active = session.active_intent
    if not understood.cues.asked or active is None or active not in act.specs:
        return False
    spec = act.specs[active]
    if spec.id in SYSTEM_INTENTS or spec.urgent:
        return False
    if block_id(spec.advice.short) in session.sent:
        return False
    top = understood.classification.ranking[:2]
    if not any(r.intent == active and r.score >= WITHIN_TOPIC_FLOOR for r in top):
        return False
    act.answer_topic(spec, session, turn)
    return True


def _about_last_answer(ctx: TurnContext, session: Draft, turn: Turn) -> bool:
    """A question about the answer just given ("是从还清那天开始算吗" after "the record
    stays 5 years from the day it is settled"): that answer's point again, pointed to."""
    understood, act = ctx.understood, ctx.actions
    if turn.previous_answer is None or not understood.cues.asks:
        return False
    try:
        _spec, answer = act.content.answer(turn.previous_answer)
    except KeyError:
        return False
    asked = understood.cues.content_bigrams
    if not ctx.echoes_previous_answer and (
        len(asked & bigrams(compact(answer.short))) < ABOUT_ANSWER_OVERLAP
    ):
        return False
    turn.intent = turn.intent or session.active_intent
    turn.add(texts.SAME_ANSWER.format(gist=gist(answer.short)))
    session.last_answer = answer.id  # 详细 still expands it
    question = act.pending_question(session.pending)
    if question:
        turn.add(texts.STILL_ASKING.format(question=question))
    return True


def _closest_answer(ctx: TurnContext, session: Draft, turn: Turn) -> bool:
    """Inside a conversation, a question no topic is sure of but one direct answer clearly
    leads ("他父母需要知道吗" → whether the family has to pay): that answer, flagged as the
    closest point, instead of "I did not understand". The open question stays open."""
    understood, act = ctx.understood, ctx.actions
    direct = understood.direct
    if (
        direct is None
        or direct.score < CLOSEST_ANSWER_FLOOR
        or direct.score < CLOSEST_ANSWER_MARGIN * direct.runner_up_score
        or not understood.cues.asks
    ):
        return False
    try:
        spec, answer = act.content.answer(direct.answer)
    except KeyError:
        return False
    if spec.id in SYSTEM_INTENTS or block_id(answer.short.strip()) in session.sent:
        return False
    turn.intent = spec.id
    turn.add(texts.CLOSEST_ANSWER + answer.short)
    session.last_answer = answer.id
    question = act.pending_question(session.pending)
    if question:
        turn.add(texts.STILL_ASKING.format(question=question))
    return True


POLICY = Policy("in_topic", _decide)
