"""Close readings of a clear message: never a menu as the whole reply (the likelier topic is
answered, the others offered in one line), and a calm message is never answered with an urgent
topic's advice on a reading that unsure."""

from __future__ import annotations

import pytest

from bot.conversation import texts
from bot.messages import Outcome
from tests.harness import Chat


@pytest.mark.parametrize(
    "said",
    [
        "十几家网贷 加起来快二十万了 每天睁眼就是几十个催收电话",
        "我孙子那钱 到底该不该我这个当奶奶的还",
        "不过我确实欠了光大信用卡 一万八左右",
    ],
)
async def test_a_clear_message_gets_an_answer_not_a_menu(chat: Chat, said: str) -> None:
    text = await chat.text(said)
    assert chat.last.intent != Outcome.CLARIFY
    assert not text.startswith(texts.CLARIFY)


async def test_a_calm_question_is_not_answered_as_despair(chat: Chat) -> None:
    text = await chat.text("协议是不是要留一份原件在自己手里")
    assert "12356" not in text and "伤害自己" not in text


async def test_told_inside_a_topic_is_heard_not_sent_away(chat: Chat) -> None:
    """Inside a topic, a statement no reading places is part of the conversation (heard, the
    open question again); only a question about something else gets the scope line."""
    await chat.say("催收的人在门口 说是招行信用卡的")
    text = await chat.text("老爸除了一套老房子啥都没有 房子我和我妹继承了")
    assert texts.SCOPE_LINE not in text and "帮不上忙" not in text
    text = await chat.text("今天天气怎么样")
    assert texts.SCOPE_LINE in text
    text = await chat.text("周末去哪里玩")  # a question word without 吗 or 怎么: still asked
    assert texts.SCOPE_LINE in text
