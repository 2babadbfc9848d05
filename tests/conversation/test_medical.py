"""An acute illness or injury told as happening now: 120 first, before any danger's advice,
and alone the whole reply; the same words in the past, as a figure of speech or in a
hypothetical are not one (issue 23; intents/warning_signs.yaml, medical)."""

from __future__ import annotations

import pytest

from bot.engine import Engine, Understanding
from tests.harness import Chat


@pytest.mark.parametrize(
    "text",
    [
        "催收刚走 我妈说她心口疼 喘不上气",
        "外访的人一直在骂 我奶奶突然晕倒了",
        "我爸被他们吓得口吐白沫 叫不醒",
        "my mum is not breathing properly after the collectors left",
    ],
)
async def test_an_acute_illness_gets_120_first_and_nothing_else(engine: Engine, text: str) -> None:
    chat = Chat(engine, user=f"medical-{hash(text)}")
    replies = await chat.say(text)
    assert "120" in replies[0], replies
    text_all = "\n".join(replies)
    # not the block for the speaker's own feelings, nor the steps at the door
    assert "伤害自己" not in text_all and "hurt yourself" not in text_all
    assert "工作证" not in text_all


async def test_an_illness_beside_a_threat_puts_120_before_the_110_steps(engine: Engine) -> None:
    chat = Chat(engine, user="medical-threat")
    replies = await chat.say("催收在门口砸门 我爸心脏病犯了")
    assert chat.last.urgent
    assert "120" in replies[0] and "110" in "\n".join(replies), replies
    assert "\n".join(replies).index("120") < "\n".join(replies).index("110")


@pytest.mark.parametrize(
    "text",
    [
        "吓得我差点晕过去 他们到底能不能上门",
        "压力大得喘不过气 每天都睡不着",
        "我爸去年晕倒过一次 现在身体不好 能申请停息挂账吗",
        "如果催收上门时我晕倒了 他们要负责吗",
        "我没晕倒 就是有点头疼",
    ],
)
def test_the_words_in_the_past_or_as_a_figure_are_no_illness(
    understanding: Understanding, text: str
) -> None:
    assert understanding.classifier.classify(text).medical is None


async def test_an_illness_after_they_left_is_no_threat_crisis_and_its_news_is_heard(
    engine: Engine,
) -> None:
    """ "外访的两个人刚走 我奶奶突然晕倒了 叫不醒": 120, never the steps for someone at the door;
    "救护车来了 人醒了" next is heard as the illness's news (not the visit's steps), and a
    question after it is answered as usual."""
    chat = Chat(engine, user="medical-after")
    replies = await chat.say("外访的两个人刚走 我奶奶突然晕倒了 叫不醒")
    text = "\n".join(replies)
    assert "120" in replies[0] and "不开门" not in text and "能反锁" not in text, text
    text = "\n".join(await chat.say("救护车来了 人醒了"))
    assert "缓过来" in text and "工作证" not in text, text
    text = "\n".join(await chat.say("那这事我能投诉吗 他们在我家骂了半个小时"))
    assert "缓过来" not in text and chat.last.intent not in (None, "fallback", "clarify"), text
