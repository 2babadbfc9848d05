"""A specific question with a confident direct answer (or, inside its topic, a short
question the topic's answer clearly leads: "要开吗" at the door): the answer first, then the
topic's steps if that topic is not the active one (offered instead when the whole reply would
pass 300 characters), then the topic's next question. A counsellor, or a person in a crisis,
gets the point asked only."""

from __future__ import annotations

from bot.content import SYSTEM_INTENTS
from bot.conversation import calculator, texts
from bot.conversation.actions import gist
from bot.conversation.context import Decision, Decline, Draft, Policy, TurnContext, block_id
from bot.understanding.direct_answers import DirectMatch

#: the reasons this policy declines for (made once: most messages are declined)
_NO_DIRECT_ANSWER = Decline("no direct answer")
_URGENT = Decline("urgent")
_FIGURES_FOR_THE_CALCULATION = Decline("figures for the calculation")
_DEBTOR_ANSWER_FOR_STAFF = Decline("a debtor's answer for a staff speaker")

#: A direct answer with its topic's steps stays this short; longer, the steps are offered.
DIRECT_REPLY_CHARS = 300
#: Inside a topic, its own direct answer is given from this probability on when it leads the
#: runner-up by this factor (a short question in context: "要开吗", "扫了会怎样")
CONTEXT_DIRECT_FLOOR = 0.12
CONTEXT_DIRECT_MARGIN = 1.8
#: Two specific questions that tie (neither confident, each at least this likely, so the
#: "no specific question" reading is small) are both answered briefly, never a menu: on the
#: direct-answer set, the question asked was one of the two in 32 of 37 such ties.
TIE_FLOOR = 0.3
#: The two answers together stay this short (a group's limit).
TIE_REPLY_CHARS = 300


def _tie(ctx: TurnContext, session: Draft, direct: DirectMatch) -> Decision | None:
    """Both of two tying questions answered briefly, the likelier first; None when they do
    not tie, one is not meant for the speaker, or the two would not fit in one short reply."""
    if direct.runner_up is None or min(direct.score, direct.runner_up_score) < TIE_FLOOR:
        return None
    content = ctx.actions.content
    try:
        pair = [content.answer(direct.answer), content.answer(direct.runner_up)]
    except KeyError:
        return None
    if any(
        spec.id in SYSTEM_INTENTS or (session.details.role == "staff" and a.audience == "debtor")
        for spec, a in pair
    ):
        return None
    lines = [texts.TIE_ANSWER.format(question=a.examples[0], answer=a.short) for _spec, a in pair]
    if sum(map(len, lines)) + len(texts.TIE_LEAD) > TIE_REPLY_CHARS:
        return None
    turn = ctx.turn()
    turn.intent = pair[0][0].id
    turn.add(texts.TIE_LEAD + "\n" + "\n".join(lines))
    session.last_answer = pair[0][1].id
    return session.decision(
        turn,
        f"two questions tie: {direct.answer} {direct.score:.2f}, "
        f"{direct.runner_up} {direct.runner_up_score:.2f}: both answered briefly",
    )


def _decide(ctx: TurnContext, session: Draft) -> Decision | Decline:
    understood, act = ctx.understood, ctx.actions
    direct = understood.direct_for(session.details.role, session.details.lender_type)
    if direct is None:
        return _NO_DIRECT_ANSWER
    if understood.urgent:
        return _URGENT

    def scores() -> str:
        return f"{direct.answer} {direct.score:.2f}, runner-up {direct.runner_up_score:.2f}"

    in_context = (  # "要开吗" at the door: a question of the topic being talked about
        direct.intent == session.active_intent
        and direct.score >= CONTEXT_DIRECT_FLOOR
        and direct.score >= CONTEXT_DIRECT_MARGIN * direct.runner_up_score
    )
    if not direct.confident and not in_context:
        tie = _tie(ctx, session, direct)
        return tie or Decline(f"not confident: {scores()}")
    if calculator.ready(session.details) and calculator.follows_on(ctx.found, session.details):
        return _FIGURES_FOR_THE_CALCULATION  # "欠5万分24期": the calculation answers
    try:
        spec, answer = act.content.answer(direct.answer)
    except KeyError:
        return Decline(f"{direct.answer} is no longer in the content")
    if not direct.confident and block_id(answer.short) in session.sent:
        return Decline(f"a weak reading of a point already answered: {scores()}")  # "好吧我不开"
    if session.details.role == "staff" and answer.audience == "debtor":
        return _DEBTOR_ANSWER_FOR_STAFF  # the staff side: the topics
    why = ("in context: " if not direct.confident else "") + scores()
    turn = ctx.turn()
    turn.intent = spec.id
    if block_id(answer.short.strip()) in session.sent:
        # the same question again: its gist, pointing up, not the block word for word
        turn.add(texts.SAME_ANSWER.format(gist=gist(answer.short)))
    else:
        turn.add(answer.short)
    if (
        session.details.role == "helper"
        and "helper" not in session.noticed
        and spec.id not in SYSTEM_INTENTS
    ):
        session.notice("helper")  # asking for someone else: said once
        turn.add(texts.HELPER_NOTE)
    session.last_answer = answer.id
    if spec.id in SYSTEM_INTENTS:  # e.g. a scope note: the answer is the whole reply
        return session.decision(turn, why)
    if ctx.counsellor:
        return session.decision(turn, why + "; a counsellor: the point only")
    if session.crisis:
        return session.decision(turn, why + "; in a crisis: the point only")

    if session.active_intent == spec.id:
        question = act.pending_question(session.pending)
        if question and not act.pending_answered(session):
            turn.add(texts.STILL_ASKING.format(question=question))  # still open: kept
        else:
            act.ask_next(spec, session, turn)
        return session.decision(turn, why)
    topic = ctx.turn()
    act.start_topic(spec, session, topic, include_advice=True)
    turn.intent = turn.intent or topic.intent
    turn.choices = topic.choices
    fresh = [t for t in topic.replies if block_id(t) not in session.sent]
    if len(answer.short) + sum(len(t) for t in fresh) <= DIRECT_REPLY_CHARS:
        turn.replies += topic.replies
    else:
        # The answer first, short; the steps on request ("步骤"), the question last.
        act.offer_steps(spec, session, turn)
        turn.add(topic.replies[-1])
    return session.decision(turn, why)


POLICY = Policy("direct", _decide)
