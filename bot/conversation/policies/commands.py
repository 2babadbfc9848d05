"""Conversation commands (详细, 菜单, 重新开始, 人工, 再说一遍): the person's own request,
answered whatever else is going on (删除我的记录 is carried out by the engine). Asking what the
direct answer just given means ("你刚才说的中断是啥意思") is 详细 for it."""

from __future__ import annotations

import contextlib

from bot.conversation import texts
from bot.conversation.context import Decision, Decline, Draft, Policy, TurnContext
from bot.messages import Outcome
from bot.understanding.short_answers import Command

#: the direct answer for someone asking for a human (intents/help.yaml)
HUMAN_ANSWER = "human_agent"
#: the reasons this policy declines for (made once: most messages are declined)
_NO_COMMAND = Decline("no command")


def _decide(ctx: TurnContext, session: Draft) -> Decision | Decline:
    command = ctx.understood.command
    cues = ctx.understood.cues
    if (
        command is None
        and ctx.previous_answer is not None
        and cues.asks_meaning
        and (cues.repair is None or ctx.pending is None)
    ):
        # "你刚才说的中断是啥意思 没太懂" right after a direct answer: its fuller form, as 详细
        # (a bare "啥意思" while a question waits is about the question: the repair policy)
        command = Command.MORE
    if command is None:
        return _NO_COMMAND
    act = ctx.actions
    turn = ctx.turn()
    turn.repeat_ok = True
    if command is Command.MORE:
        if ctx.previous_answer is not None:
            with contextlib.suppress(KeyError):
                answer_spec, answer = act.content.answer(ctx.previous_answer)
                turn.intent = answer_spec.id
                turn.add(act.direct_long_answer(answer_spec, answer))
                return session.decision(turn, "详细 after a direct answer")
        spec = act.specs.get(session.active_intent or "")
        if spec is None:
            turn.intent = Outcome.MORE
            turn.add(texts.NO_TOPIC_FOR_MORE)
        else:
            turn.intent = spec.id
            turn.add(act.long_answer(spec))
    elif command is Command.MENU:
        act.menu(session, turn)
    elif command is Command.RESET:
        session.reset()
        turn.intent = Outcome.RESET
        turn.add(texts.RESET_DONE)
    elif command is Command.HUMAN:
        # the question bank's answer for asking for a human is the one text of it (the
        # learned selector finds it in other words: "找人工客服", "Human service"); the
        # built-in text stands in when the content has none
        turn.intent = "seek_help"
        try:
            turn.add(act.content.answer(HUMAN_ANSWER)[1].short)
        except KeyError:
            turn.add(texts.HUMAN)
    elif command is Command.REPEAT:
        spec = act.specs.get(session.active_intent or "")
        if spec is None:
            turn.intent = Outcome.MORE
            turn.add(texts.NO_TOPIC_FOR_MORE)
        else:
            turn.intent = spec.id
            turn.add(spec.advice.short)
            question = act.pending_question(session.pending)
            if question:
                turn.add(question)
    return session.decision(turn, command.value)


POLICY = Policy("commands", _decide)
