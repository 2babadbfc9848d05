"""A calm conversation with nothing happening now names the police in words, not as an
emergency number (output.quiet_numbers); danger now, a visit at the door and a crisis keep
110. A plan told on the way out gets the one thing to keep in mind for it (the topic's
``plan_tip``, policies/closing.py)."""

from __future__ import annotations

import re

import pytest

from bot.conversation.numbers import quieted
from bot.engine import Engine
from tests.harness import Chat

#: 110 or 120 as emergency numbers (96110, 12378 … are service lines, not these)
EMERGENCY = re.compile(r"(?<!\d)(?:110|120)(?!\d)")


def test_quieted_keeps_the_advice_and_the_service_lines() -> None:
    assert quieted("堵门闹事属于软暴力，打110。") == "堵门闹事属于软暴力，可以报警。"
    assert quieted("对方不肯走就打110") == "对方不肯走就报警"
    assert quieted("有危险马上打110或120") == "有危险马上报警或叫救护车"
    assert quieted("被骗打110或96110") == "被骗报警或打96110"
    assert quieted("先投诉银行，再打12378") == "先投诉银行，再打12378"
    assert quieted("If they threaten you, call 110.") == "If they threaten you, call the police."


@pytest.mark.parametrize(
    "text",
    [
        "催收说要来我公司 我在写字楼上班 能拦住吗",
        "以后还款我该怎么还才安全",
        "催收说下周要上门，我需要准备什么",
    ],
)
async def test_a_calm_question_names_the_police_without_the_number(
    engine: Engine, text: str
) -> None:
    chat = Chat(engine, user=f"calm-{hash(text)}")
    reply = await chat.text(text)
    assert chat.last.tier == "calm"
    assert not EMERGENCY.search(reply), reply


async def test_a_visit_at_the_door_keeps_110(engine: Engine) -> None:
    chat = Chat(engine, user="door-now")
    reply = await chat.text("催收的人现在就在我家门口敲门")
    assert EMERGENCY.search(reply), reply


async def test_danger_keeps_110(engine: Engine) -> None:
    chat = Chat(engine, user="danger-now")
    replies = await chat.say("他们在砸我家的门，说要打断我的腿")
    assert "110" in replies[0], replies


async def test_a_plan_on_the_way_out_gets_its_tip(engine: Engine) -> None:
    chat = Chat(engine, user="plan-tip")
    await chat.say("平安信用卡逾期了，想跟银行协商分期")
    reply = await chat.text("好 那我明天自己去网点问分期")
    spec = engine.understanding.content.intent("negotiate_installments")
    assert spec.plan_tip is not None and spec.plan_tip in reply, reply
    other = Chat(engine, user="plan-tip-complain")
    await other.say("催收天天打电话骂我")
    reply = await other.text("行 我明天去投诉")
    assert engine.understanding.content.intent("complain").plan_tip in reply, reply


async def test_a_plain_thanks_gets_no_tip(engine: Engine) -> None:
    chat = Chat(engine, user="plain-thanks")
    await chat.say("平安信用卡逾期了，想跟银行协商分期")
    reply = await chat.text("谢谢")
    spec = engine.understanding.content.intent("negotiate_installments")
    assert spec.plan_tip not in reply and "不客气" in reply, reply


async def test_the_line_given_by_the_possible_tier_not_answering_gets_the_next_line(
    engine: Engine,
) -> None:
    """The possible tier gave 12356; "打了 没打通" next is about that line (no crisis started):
    the 24-hour line and someone to call, never an answer about another hotline."""
    chat = Chat(engine, user="line-unanswered")
    await chat.say("凌晨两点了睡不着 网贷全面逾期了 十几个平台 加起来十七八万 以贷养贷撑不下去了")
    assert chat.last.tier == "possible"
    reply = await chat.text("打了12356 没打通")
    assert "010-82951332" in reply and "12378" not in reply, reply
