"""Masking costs time in proportion to the text, whatever the text holds, and hides what the
inbox must never show (full-width digits, spaced phones, QQ numbers, long digit runs, names,
villages, car plates)."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

import bot.privacy as privacy
from bot.privacy import mask, mask_prefix
from bot.storage.turns.base import MAX_TEXT_CHARS, TurnRecord

#: Texts that made the old patterns quadratic (or worse), by the unit repeated.
HOSTILE_UNITS = {
    "digits": "1",
    "full-width digits": "１",
    "numerals": "一",
    "numerals 2": "一二",
    "compounds": "阳光小区",
    "digit dots": "1.",
    "digit spaces": "1 ",
    "email-ish": "a.",
    "at signs": "a@a.",
    "street": "中山路1",
    "name cue": "姓名 ",
    "village": "张家村",
    "plates": "粤B",
    "spaced phone": "1 3 ",
}


def _best_of(fn: Callable[[], object], runs: int = 7) -> float:
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
    return best


@pytest.mark.parametrize("unit", list(HOSTILE_UNITS.values()), ids=list(HOSTILE_UNITS))
def test_mask_is_linear(unit: str) -> None:
    short = unit * (5_000 // len(unit))
    long = unit * (50_000 // len(unit))
    mask(short)  # warm the regex caches
    ratio = float("inf")
    for _ in range(6):  # a busy machine may spoil a measurement, not six in a row
        ratio = min(ratio, _best_of(lambda: mask(long)) / max(_best_of(lambda: mask(short)), 1e-6))
        if ratio <= 20:
            break
    # Ten times the text may cost at most twenty times the time (linear, with room for noise).
    assert ratio <= 20, f"{ratio:.1f}× the time for 10× the text"


def test_stored_and_logged_texts_mask_a_bounded_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[int] = []
    real = privacy.mask

    def recording(text: str) -> str:
        seen.append(len(text))
        return real(text)

    monkeypatch.setattr(privacy, "mask", recording)
    TurnRecord.of_turn(
        at=0.0,
        intent="fallback",
        platform="http",
        confidence=0.0,
        text="1" * 200_000,
        ranking=(),
    )
    assert seen and max(seen) <= MAX_TEXT_CHARS + 200  # by construction: not the whole text
    assert (
        mask_prefix("我的卡号6222021234567890123", 10) == mask("我的卡号6222021234567890123")[:10]
    )


@pytest.mark.parametrize(
    ("text", "hidden", "shown"),
    [
        ("手机１３８１２３４５６７８", "12345678", "138****5678"),
        ("电话1 3 8 1 2 3 4 5 6 7 8", "1 2 3 4", "138****5678"),
        ("打138-12-345-678找我", "345", "138****5678"),
        ("我QQ号是123456789", "123456789", "QQ号是12****"),
        ("加我扣扣 987654321", "987654321", "扣扣 98****"),
        ("还款账号62220212345678901234", "0212345678901", "6222************1234"),
        ("我是张三，欠了5万", "张三", "我是**"),
        ("本人李四", "李四", "本人**"),
        ("住在张家村3组", "张家村", "**村"),
        ("他们开着粤B·12345来的", "12345", "粤B*****"),
        ("车牌京AD12345", "D12345", "京A*****"),
    ],
)
def test_mask_closes_the_gaps(text: str, hidden: str, shown: str) -> None:
    masked = mask(text)
    assert hidden not in masked
    assert shown in masked


@pytest.mark.parametrize(
    "text",
    [
        "我是做外访的",
        "我是债务人",
        "欠款35000元",
        "打12378投诉",
        "2023年12月3日",
        "在农村信用社借的",
    ],
)
def test_mask_leaves_ordinary_words(text: str) -> None:
    assert mask(text) == text
