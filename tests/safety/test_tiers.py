"""The three tiers through ``Engine.handle``, in a private chat and in a group (issue 23)."""

from __future__ import annotations

from bot.engine import Engine
from tests.harness import Chat


async def test_clear_danger_gets_the_emergency_reply(engine: Engine) -> None:
    chat = Chat(engine, user="clear")
    replies = await chat.say("有个人拿着菜刀站在我家门口 说不还钱就砍人")
    assert chat.last.tier == "clear" and chat.last.urgent
    assert "110" in replies[0]


async def test_possible_self_harm_asks_gives_the_numbers_and_answers(engine: Engine) -> None:
    chat = Chat(engine, user="possible")
    replies = await chat.say("我觉得自己就是家里的累赘 信用卡逾期了能分期吗")
    assert chat.last.tier == "possible" and not chat.last.urgent
    assert "伤害自己" in replies[0] and "12356" in replies[0] and "18小时" in replies[0]
    assert len(replies) > 1  # the rest of the message is answered too
    assert chat.last.intent not in ("fallback", "clarify", "help")


async def test_yes_to_the_safety_question_is_clear(engine: Engine) -> None:
    chat = Chat(engine, user="possible-yes")
    await chat.say("我觉得自己就是家里的累赘 信用卡逾期了能分期吗")
    replies = await chat.say("是的")
    assert chat.last.urgent and "12356" in replies[0]


async def test_possible_in_a_group_never_asks_about_self_harm(engine: Engine) -> None:
    chat = Chat(engine, user="member", room="debt-group")
    replies = await chat.say("我觉得自己就是家里的累赘 信用卡逾期了能分期吗", addressed=True)
    assert chat.last.tier == "possible"
    assert "伤害自己" not in replies[0] and "私聊" in replies[0] and "12356" in replies[0]


async def test_calm_idiom_gets_the_ordinary_answer(engine: Engine) -> None:
    for room in (None, "debt-group"):
        chat = Chat(engine, user="calm", room=room)
        replies = await chat.say("热死了 信用卡逾期几天算逾期", addressed=True)
        assert chat.last.tier == "calm" and not chat.last.urgent
        assert "立即拨打110" not in "\n".join(replies)
