"""Inside an installment calculation: a question about a way of paying ("停息挂账") gets its
answer, not the figures again; "按我刚才说的每个月能还的钱，多久能还完" is the calculation with
the figures told before; a fee named later is never the debt."""

from __future__ import annotations

from bot.engine import Engine
from tests.harness import Chat

OPENING = "我欠中信信用卡6万，每个月最多能还1500，想分期"


async def test_a_question_about_a_way_of_paying_gets_its_answer(engine: Engine) -> None:
    chat = Chat(engine, user="calcq1")
    await chat.say(OPENING)
    text = "\n".join(await chat.say("网上说可以停息挂账，银行必须同意对吧？"))
    assert "要分几期" not in text, text
    assert "不是" in text and "第七十条" in text, text


async def test_the_figures_told_before_are_worked_out_when_asked(engine: Engine) -> None:
    chat = Chat(engine, user="calcq2")
    await chat.say(OPENING)
    await chat.say("有个债务优化公司说收我3000服务费就能帮我谈下来，靠谱吗")
    text = "\n".join(await chat.say("按我刚才说的每个月能还的钱，大概多久能还完"))
    assert "1,500.00元" in text and "60,000.00元" in text, text  # not the 3,000 fee
