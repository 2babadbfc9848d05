"""Amounts nobody owes — "1e308元" (read as 308 元 before), "-5000元" (read as 5,000) — are
never taken as figures; the person gets one clear sentence, and a right figure afterwards is
used as usual."""

from __future__ import annotations

import pytest

from bot.understanding.details import extract_details, unreadable_amount
from tests.harness import Chat


@pytest.mark.parametrize(
    ("text", "kind", "written"),
    [
        ("1e308元", "exponent", "1e308元"),
        ("我欠了1E5块 分12期", "exponent", "1e5块"),
        ("2.5e4", "exponent", "2.5e4"),
        ("-5000元", "negative", "-5000元"),
        ("欠 -2000 元", "negative", "-2000 元"),
        ("欠了－3万", "negative", "－3万"),
        ("负5000块", "negative", "负5000块"),
    ],
)
def test_unreadable_amounts_are_named_and_never_read(text: str, kind: str, written: str) -> None:
    assert extract_details(text).amount is None
    assert unreadable_amount(text) == (kind, written)


@pytest.mark.parametrize(
    ("text", "amount"),
    [("欠5000元", 5000), ("3-5万", 50000), ("我欠了5万", 50000), ("他们说可以减1000元", 1000)],
)
def test_ordinary_amounts_ranges_and_dashes_are_untouched(text: str, amount: int) -> None:
    assert unreadable_amount(text) is None
    assert extract_details(text).amount == amount
    assert unreadable_amount("电话0755-12345678") is None
    assert unreadable_amount("订单号a1e5b") is None


async def test_the_conversation_refuses_them_with_a_sentence(chat: Chat) -> None:
    await chat.say("帮我算一下分期")
    text = await chat.text("1e308元")
    assert "科学计数法" in text and "1e308元" in text and "308" not in text.replace("1e308", "")
    text = await chat.text("-5000元")
    assert "负数" in text and "-5000元" in text
    assert "5,000" not in text
    text = await chat.text("5000元 分10期")
    assert "每月500.00元" in text  # the right figure is used as usual


async def test_in_one_message_with_the_periods(chat: Chat) -> None:
    text = await chat.text("我欠了1e308元，分12期每月还多少")
    assert "科学计数法" in text
    assert "308元" not in text.replace("1e308元", "")
