"""The lender the person named, said with the steps that depend on it (``lender_lines`` in
intents/negotiate_installments.yaml and intents/safe_repayment.yaml): a bank card is dealt
with through the number on its back, a platform through its own app, and the credit card's
"up to 5 years" is not a platform's rule. Through Engine.handle."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from bot.content import LenderLine
from bot.engine import Engine
from tests.harness import Chat


def joined(replies: list[str]) -> str:
    return "\n".join(replies)


async def test_a_bank_card_named_before_is_named_with_the_installment_steps(chat: Chat) -> None:
    await chat.say("浦发信用卡逾期三个月了 催收天天打电话")
    text = await chat.text("我想还 就是一下子拿不出来 能分期吗")
    assert "浦发银行" in text and "卡背面" in text
    again = await chat.text("分期要准备什么材料")
    assert again
    assert "你说的是浦发银行的信用卡" not in again  # said once per conversation


async def test_a_platform_gets_its_own_app_and_not_the_card_rule(chat: Chat) -> None:
    text = await chat.text("我是美团月付逾期了 也能分期吗")
    line = next(line for line in text.splitlines() if line.startswith("美团不是银行信用卡"))
    assert "平台决定" in line and "卡背面" not in line


async def test_an_answer_that_names_the_lender_gets_no_second_line(chat: Chat) -> None:
    """The 借呗 answer says where (支付宝) itself: no line repeating the name."""
    text = await chat.text("借呗欠了2万 想协商还款怎么谈")
    assert "支付宝" in text
    assert "借呗不是银行信用卡" not in text


async def test_safe_repayment_names_the_lender_channel(chat: Chat) -> None:
    await chat.say("我欠招商银行信用卡3万")
    text = await chat.text("怎么还款才安全")
    assert "还招商银行的信用卡：只用招商银行官方App" in text


async def test_no_line_when_several_lenders_were_named(chat: Chat) -> None:
    await chat.say("广发和浦发各欠了一张卡 加起来十二万")
    text = await chat.text("想跟银行谈分期 怎么谈")
    assert "你说的是" not in text


async def test_no_lender_said_back_in_a_group(engine: Engine) -> None:
    member = Chat(engine, user="m1", room="g1")
    await member.say("@助手 我浦发信用卡欠了五万", addressed=True)
    text = await member.text("@助手 想跟银行谈分期 怎么谈", addressed=True)
    assert text and "浦发" not in text


async def test_staff_get_no_debtor_line(chat: Chat) -> None:
    await chat.say("我是做外访的 客户欠浦发银行信用卡五万")
    text = await chat.text("客户想分期 我们能给什么方案")
    assert "你说的是浦发银行的信用卡" not in text


async def test_english_gets_the_line_in_english_with_the_lender(chat: Chat) -> None:
    """The lender line in English with the lender's name (after a direct answer that already
    says the channels, an English reply over a phone screen leaves it out)."""
    text = await chat.text("Hi, I owe about 30k RMB on an ICBC credit card.")
    assert "For your 工商银行 credit card: call the number on the back of the card" in text
    assert "你说的是" not in text
    text = await chat.text("ok, and can I pay in installments?")
    assert "你说的是" not in text


@pytest.mark.parametrize(
    "line",
    [
        {"text": "打卡背面的客服电话"},  # no lender named
        {"text": "{lender}：打{bank}的电话"},  # another placeholder
        {"text": "{lender}的官方App", "text_en": "the official app"},  # English without it
    ],
)
def test_a_lender_line_must_name_the_lender_only(line: dict[str, str]) -> None:
    with pytest.raises(ValidationError):
        LenderLine.model_validate(line)


def test_a_lender_line_fills_every_mention() -> None:
    line = LenderLine(text="{lender}不是信用卡：在{lender}的App里谈")
    assert line.say("美团") == "美团不是信用卡：在美团的App里谈"
