"""Interest taken upfront: the money a loan actually paid out is said back once, with the
rule (the principal is what was received), whatever topic answers the message; never in a
group."""

from __future__ import annotations

from bot.engine import Engine
from tests.harness import Chat

TOLD = "我在一个小APP上借了3000，到手只有2100，七天要还3000，他们说要爆我通讯录"


async def test_the_payout_is_said_back_once_with_its_rule(engine: Engine) -> None:
    chat = Chat(engine, user="upfront1")
    text = "\n".join(await chat.say(TOLD))
    assert "到手2100元" in text and "3000元" in text and "第六百七十条" in text, text
    again = "\n".join(await chat.say("那我到底是还2100还是3000"))
    assert "你说借了3000元" not in again, again  # said once


async def test_in_english_the_line_is_english(engine: Engine) -> None:
    chat = Chat(engine, user="upfront2")
    said = "i borrowed 2000 on a small app but it only gave me 1400, what do i owe"
    text = "\n".join(await chat.say(said))
    assert "received only 1400" in text and "Art. 670" in text, text


async def test_never_in_a_group(engine: Engine) -> None:
    chat = Chat(engine, user="upfront3", room="upfront-room")
    text = "\n".join(await chat.say("@催收应对助手 " + TOLD))
    assert "到手2100元" not in text, text
