"""Danger reported about someone else (issue 23): a counsellor forwarding a client's act in
progress, or bank staff with a customer followed to the counter, gets what to do now with the
emergency numbers first — in a private chat and in a group alike (the words name no one)."""

from __future__ import annotations

import re

import pytest

from bot.engine import Engine
from bot.messages import Incoming

NUMBERS = re.compile(r"110|120|12356")

FORWARDED_ACTS = [
    "来访者刚发给我：“老师，药我已经吞了，谢谢你这几个月陪我。”我人在另一个城市，现在该怎么做？",
    "我是社区社工，一位阿姨刚刚跟我说，她已经把老鼠药拌进饭里准备自己吃，她欠了亲戚和网贷不少钱",
]


@pytest.mark.parametrize("room", [None, "g-reported"])
@pytest.mark.parametrize("said", FORWARDED_ACTS)
async def test_a_forwarded_act_gets_the_numbers_first(
    engine: Engine, said: str, room: str | None
) -> None:
    response = await engine.handle(Incoming(user=f"c{len(said)}{room}", text=said, room=room))
    assert response.replies and NUMBERS.search(response.replies[0])
    assert "替他/她" in response.replies[0]  # worded for the one who reports it
    assert response.tier == "clear"


async def test_staff_with_a_customer_in_danger_now_gets_110(engine: Engine) -> None:
    said = (
        "我是银行网点的柜员，刚才一位客户进来说外面有人从她家一路跟到这里，说不还钱就让她好看，"
        "那人现在还在门口站着，我们该怎么帮她"
    )
    response = await engine.handle(Incoming(user="teller", text=said))
    assert "110" in response.replies[0]
    assert response.tier == "clear"


async def test_staff_asking_the_rules_stay_calm(engine: Engine) -> None:
    response = await engine.handle(
        Incoming(user="staff2", text="我是做外访的，客户说要报警，我们该怎么应对")
    )
    assert response.tier == "calm"
