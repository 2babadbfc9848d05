""" "那我该怎么办", "怎么查" inside a topic (when no topic reads the message better): the
steps that matter most now, and the open question (or the next one)."""

from __future__ import annotations

import re

from bot.conversation import texts
from bot.conversation.actions import VISIT_TOPICS, situation_summary
from bot.conversation.context import Decision, Decline, Draft, Policy, TurnContext, block_id
from bot.conversation.crisis import Act, CrisisKind, crisis_reply

#: the reasons this policy declines for (made once: most messages are declined)
_NO_ACTIVE_TOPIC = Decline("no active topic")
_NOT_A_WHAT_NOW_QUESTION = Decline("not a what-now question")

_NUMBERED = re.compile(r"\d+\.")


def _decide(ctx: TurnContext, session: Draft) -> Decision | Decline:
    act, cues = ctx.actions, ctx.understood.cues
    if session.active_intent not in act.specs:
        return _NO_ACTIVE_TOPIC
    if not (cues.what_now or cues.short_how):
        return _NOT_A_WHAT_NOW_QUESTION
    best = act.best_topic_score(ctx.understood)
    threshold = ctx.config.classifier.threshold
    # a topic's reading counts only when the message has words of its own ("那我现在怎么投诉");
    # a what-now made of empty words ("那我现在怎么办") is about the topic being talked about
    if best >= threshold and not ctx.understood.classification.nothing_to_read:
        return Decline(f"a topic reads it ({best:.2f} >= {threshold:.2f})")
    spec = act.specs[session.active_intent or ""]
    turn = ctx.turn()
    turn.intent = spec.id
    if session.details.left is True and spec.id in VISIT_TOPICS:
        # the visitors have gone: what to do now is what to do afterwards, not at the door
        after = crisis_reply(CrisisKind.THREAT, Act.WHAT_NOW, session.details)[0]
        fresh = [text for text in after if block_id(text) not in session.sent]
        if fresh:
            turn.replies += fresh
        else:
            lines = [line for text in after for line in text.splitlines() if _NUMBERED.match(line)]
            turn.add("\n".join([texts.KEY_STEPS, *lines[:2]]))
        return session.decision(turn, "the visitors left: what to do afterwards")
    steps = [line for line in spec.advice.short.splitlines() if _NUMBERED.match(line)]
    branch = act.unsent_branch(spec, session)
    if block_id(spec.advice.short) not in session.sent or not steps:
        turn.add(spec.advice.short)
    elif branch is not None:  # the step for what is known, not given yet
        turn.add(branch)
    elif (pointed := act.point_to_known(spec, session, turn.said)) is not None:
        turn.add(pointed)  # "怎么查": the step above that says how
    else:  # what is known, then the first steps again (they come first for a reason)
        known = situation_summary(session.details)
        lead = texts.KNOWN_PREFIX.format(known=known) if known else ""
        turn.add("\n".join([lead + texts.KEY_STEPS, *steps[:2]]))
    question = act.pending_question(session.pending)
    if question:
        turn.add(question)
    else:
        remaining = act.unanswered(spec, session)
        if remaining:
            act.ask(spec, remaining[0], session, turn)
    why = (
        "nothing but empty words"
        if best >= threshold
        else f"best topic {best:.2f} < {threshold:.2f}"
    )
    return session.decision(turn, why)


POLICY = Policy("what_now", _decide)
