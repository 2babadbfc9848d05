"""A follow-up question inside a topic that nothing places on its own leans on the topic being
talked about (policies/direct.py, ``DirectScores.toward``), through Engine.handle in private
chats and groups; a question clearly about another topic still gets that topic."""

from __future__ import annotations

import pytest

from bot.engine import Engine
from tests.harness import Chat

NON_ANSWERS = ("帮不上忙", "没太看懂", "往上翻")


@pytest.mark.parametrize("room", [None, "g-follow"], ids=["private", "group"])
async def test_how_long_after_a_complaint_is_the_complaint_s_time(
    engine: Engine, room: str | None
) -> None:
    chat = Chat(engine, room=room)
    prefix = "@助手 " if room else ""
    await chat.say(prefix + "我想投诉催收天天打电话")
    assert chat.last.intent == "complain"
    reply = await chat.text(prefix + "那要多久才有结果")
    assert "15个工作日" in reply, reply
    assert not any(x in reply for x in NON_ANSWERS), reply
    assert chat.last.intent == "complain"


async def test_a_question_about_another_topic_is_not_pulled_into_the_active_one(
    engine: Engine,
) -> None:
    chat = Chat(engine)
    await chat.say("我想投诉催收天天打电话")
    reply = await chat.text("信用卡逾期不还会坐牢吗")
    assert chat.last.intent == "legal_consequences", reply
    assert "196" in reply or "恶意透支" in reply or "民事" in reply, reply


async def test_a_statement_gets_the_topic_s_steps_not_two_guessed_questions(
    engine: Engine,
) -> None:
    """Told, not asked: no pair of specific answers is guessed for it."""
    chat = Chat(engine)
    reply = await chat.text("我想投诉催收天天打电话")
    assert "你可能在问下面其中一个" not in reply, reply
    assert "12378" in reply


async def test_a_budget_said_as_a_plan_after_the_debt_is_computed(engine: Engine) -> None:
    """ "按每月3000还 要多久" after "欠了4.5万": how long, computed, never "没看懂"."""
    chat = Chat(engine)
    await chat.say("欠了4.5万")
    reply = await chat.text("按每月3000还 要多久")
    assert "3,000.00元" in reply and "45,000.00元" in reply, reply
    assert not any(x in reply for x in NON_ANSWERS)


async def test_one_debt_corrected_after_the_month_was_worked_out_is_heard(engine: Engine) -> None:
    """After the debts, income and costs were told, "不对 中信是1.2万" corrects that debt (the
    total follows), never a topic guessed from the words."""
    chat = Chat(engine)
    await chat.say("三张卡：建行1.8万 工行2.5万 中信9千。月收入7000 房贷2800")
    reply = await chat.text("不对 中信是1.2万")
    assert "55,000" in reply, reply
    assert "征信" not in reply
