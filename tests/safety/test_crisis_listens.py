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


async def test_safe_now_with_a_question_ends_the_crisis_and_answers_it(engine: Engine) -> None:
    """'我没事了' with a question beside it: the crisis ends in one line (the line kept as a
    footnote) and the question is answered, not replaced by a menu pointer."""
    chat = Chat(engine, user="f3")
    first = await chat.text("我在医院走廊 真想从这里跳下去")
    assert "12356" in first
    reply = await chat.text("没事了 刚才是气话 我就想问花呗还能不能申请延期")
    assert reply.startswith("听到你没事")
    assert "延期" in reply or "展期" in reply  # the question asked, answered
    assert "菜单" not in reply
    session = await stored_session(engine, engine.session_key(Incoming(user="f3", text="")))
    assert session is not None and session.crisis is None


async def test_safe_now_for_someone_else_in_a_group_answers_the_relayed_question(
    engine: Engine,
) -> None:
    chat = Chat(engine, user="f4", room="crisis-group")
    await chat.text("@助手 我侄子说不想活了 电话打不通")
    reply = await chat.text("@助手 联系上了 手机坏了而已 人好好的 他问协商还款找谁")
    assert "分期" in reply or "协商" in reply
    assert len(reply) <= 300


async def test_safe_now_without_a_question_is_heard_and_nothing_is_answered_instead(
    engine: Engine,
) -> None:
    chat = Chat(engine, user="f5")
    await chat.text("我在医院走廊 真想从这里跳下去")
    reply = await chat.text("我没事了 护士陪我聊了会 孩子还等着我呢")
    assert "好一些了" in reply  # heard as "I'm safe", not read as a question about debt
    assert "逾期利息" not in reply and "起诉" not in reply


async def test_once_they_left_a_question_is_answered_not_the_safety_questions(
    engine: Engine,
) -> None:
    chat = Chat(engine, user="f6")
    await chat.text("门口两个人一直踹门 说不还钱就不走")
    reply = await chat.text("阿Sir嚟咗 嗰兩個走咗喇 我想去投訴佢哋點做")
    assert reply.startswith("他们走了就好")
    assert "12378" in reply  # how to complain: the question asked
    assert "你现在安全吗" not in reply and "有人受伤了吗" not in reply
    assert reply.count("他们走了就好") == 1  # "they left" is not news twice


async def test_they_left_and_everyone_is_fine_ends_the_threat(engine: Engine) -> None:
    chat = Chat(engine, user="f7")
    await chat.text("门口两个人一直踹门 说不还钱就不走")
    reply = await chat.text("村里治保主任过来把他们劝走了我妈没啥事")
    assert "有人受伤了吗" not in reply and "你现在安全吗" not in reply
    session = await stored_session(engine, engine.session_key(Incoming(user="f7", text="")))
    assert session is not None and session.crisis is None


async def test_the_police_question_is_not_answered_after_the_crisis_ended(engine: Engine) -> None:
    """The pending "你已经打110报警了吗？" ends with the crisis: "警察来了 … 能不能告他们" is
    the question asked, not a yes to it ("好，等警察时")."""
    chat = Chat(engine, user="f8")
    await chat.text("门口两个人一直踹门 说不还钱就不走")
    reply = await chat.text("警察来了 把他们劝走了 我想问问能不能告他们")
    assert "等警察时" not in reply
    assert reply.startswith("警察到了就好")


async def test_police_called_and_a_question_beside_it_gets_both(engine: Engine) -> None:
    """ "已经报警了，…能投诉吗" in a crisis started by words of danger: what to do until the
    police come, in one line, then the question answered; the crisis goes on."""
    chat = Chat(engine, user="f9")
    await chat.text("门口两个人一直踹门 说不还钱就不走")
    reply = await chat.text("已经报警了。这种堵门的事以后能去哪投诉？")
    assert reply.startswith("好，110已经打了")
    assert "12378" in reply  # the question asked: where to complain
    assert "对方现在在哪里" not in reply  # no safety question instead of the answer
    session = await stored_session(engine, engine.session_key(Incoming(user="f9", text="")))
    assert session is not None and session.crisis == "threat"  # the police are not there yet


async def test_the_police_came_and_another_topic_is_asked_outside_a_crisis(
    engine: Engine,
) -> None:
    """Possible danger only (no crisis): "警察把他们劝走了。…能协商吗" is the police in one
    line and the topic asked, not the waiting-for-the-police steps."""
    chat = Chat(engine, user="f10")
    await chat.text("催收闹到我公司来了，在前台大吵大闹不走")
    reply = await chat.text(
        "警察把他们劝走了。我这是平安银行的信用卡，欠了3万6，逾期3个月，能协商吗"
    )
    assert reply.startswith("警察到了就好")
    assert "分期" in reply or "协商" in reply
    assert "待在能锁门的房间" not in reply


async def test_a_yes_to_the_bots_question_with_a_question_beside_it_gets_both(
    engine: Engine,
) -> None:
    """The answer to the pending "你已经打110报警了吗？" and a question about another topic in
    one message: the reply to the answer, then the question's answer."""
    chat = Chat(engine, user="f11")
    await chat.text("现在快十一点了，楼下来了两个人说是某消费金融公司的外访，打电话让我下楼")
    await chat.text("我没下去，他们开始在楼道里喊我名字，说不下来就去敲邻居门")
    reply = await chat.text("已经报警了。这种半夜来的能投诉吗？")
    assert "12378" in reply
    assert reply.count("110已经打了") + reply.count("等警察") >= 1  # the answer still heard


async def test_the_police_called_while_they_are_at_the_door_leads_any_answer(
    engine: Engine,
) -> None:
    """Visitors at the door, the talk moved to paying: "已经报警了 这种能投诉吗" still gets what
    to do until the police come, in one line, before the complaint answer."""
    chat = Chat(engine, user="f12")
    await chat.text("有两个人在门口说是招行信用卡的 我一个人在家")
    await chat.text("他们说欠了6万 让我扫码先还2000")
    reply = await chat.text("我没扫 已经报警了 这种能投诉吗")
    assert reply.startswith("好，110已经打了") and "12378" in reply
