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
        return Decline(f"not confident: {scores()}")
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
