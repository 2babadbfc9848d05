"""A crisis that listens (issue 23, item 5): inside a crisis an ordinary question is answered
with the safety plan kept in view; a crisis that only the model's likelihood started is dropped
as soon as the person asks an ordinary question; a crisis started by words of danger stays."""

from __future__ import annotations

from dataclasses import replace

from bot.conversation.state import Session
from bot.engine import Engine
from bot.messages import Incoming
from tests.harness import Chat, stored_session

QUESTION = "信用卡还不上了 怎么跟银行申请个性化分期"


async def _in_crisis(engine: Engine, user: str, basis: str) -> tuple[Chat, str]:
    """A conversation in a despair crisis decided on ``basis`` ("sign" or "model")."""
    chat = Chat(engine, user=user)
    await chat.say("你好")
    key = engine.session_key(Incoming(user=user, text=""))
    record = await engine.store.get(key)
    assert record is not None
    session = Session.from_json(record.data)
    session.crisis, session.crisis_basis = "despair", basis
    session.active_intent = "emotional_distress"
    await engine.store.put(replace(record, data=session.to_json()))
    return chat, key


async def test_a_false_alarm_is_dropped_at_the_first_ordinary_question(engine: Engine) -> None:
    chat, key = await _in_crisis(engine, "f1", basis="model")
    reply = await chat.text(QUESTION)
    assert "分期" in reply
    assert "12356" not in reply  # no crisis line once the alarm proved false
    session = await stored_session(engine, key)
    assert session is not None and session.crisis is None


async def test_a_crisis_from_words_of_danger_keeps_the_plan_in_view(engine: Engine) -> None:
    chat, key = await _in_crisis(engine, "f2", basis="sign")
    reply = await chat.text(QUESTION)
    assert "分期" in reply  # the question asked is answered ...
    assert "12356" in reply  # ... with one line of the safety plan kept
    session = await stored_session(engine, key)
    assert session is not None and session.crisis == "despair"
