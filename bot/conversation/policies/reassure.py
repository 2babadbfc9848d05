"""A short anxious message ("怕", "好慌", "我好害怕") once the conversation is going: presence
and one step of the matter at hand, in new words each time (never the same line twice), and
the open question kept open — not the topic's whole block again, not a scope line."""

from __future__ import annotations

import re

from bot.conversation import texts
from bot.conversation.context import Decision, Decline, Draft, Policy, TurnContext, block_id
from bot.conversation.numbers import has_emergency_number

_NOT_ANXIOUS = Decline("no short anxious message")
_FIRST = Decline("a first message: the topics answer it")
_NUMBERED = re.compile(r"^\s*\d+\.\s*")


def _decide(ctx: TurnContext, session: Draft) -> Decision | Decline:
    if not ctx.understood.cues.anxious:
        return _NOT_ANXIOUS
    act = ctx.actions
    spec = act.specs.get(session.active_intent or "")
    if spec is None or not session.sent:
        return _FIRST
    lines = spec.advice.short.splitlines()
    steps = [_NUMBERED.sub("", line) for line in lines if _NUMBERED.match(line)]
    numbers = next((line for line in lines if has_emergency_number(line)), "")
    steps = steps or [line for line in lines[1:] if line.strip()] or [spec.advice.short]
    candidates = []
    for index, step in enumerate(steps):
        presence = texts.PRESENCE[index % len(texts.PRESENCE)]
        text = f"{presence}\n{texts.ONE_STEP.format(step=step)}"
        if numbers and numbers != step and not has_emergency_number(step):
            text += "\n" + numbers
        candidates.append(text)
    fresh = [c for c in candidates if block_id(c) not in session.sent]
    if not fresh:
        return Decline("every step was said in these words already")
    turn = ctx.turn()
    turn.intent = spec.id
    turn.add(fresh[0])
    question = act.pending_question(session.pending)
    if question:
        turn.add(texts.STILL_ASKING.format(question=question))
    return session.decision(turn, f"step {len(candidates) - len(fresh) + 1} of {spec.id}")


POLICY = Policy("reassure", _decide)
