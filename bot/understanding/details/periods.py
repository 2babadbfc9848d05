"""Periods: how long the debt is overdue and over how many months (or installments) the
person wants to repay, told apart by the words before the number."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from bot.understanding.details.numbers import (
    _CN_NUMERALS,
    _clause_after,
    _clause_before,
    _nearest,
    _Number,
)

# Context of a period: the trigger nearest before the number decides.
_OVERDUE_TRIGGERS = (
    "逾期",
    "拖欠",
    "拖了",
    "拖",
    "断供",
    "停还",
    "没还",
    "未还",
    "欠了",
    "没有还",
    "还不上",
)


_PLAN_TRIGGERS = (
    "分期",
    "分成",
    "分",
    "期限",
    "延长",
    "协商",
    "申请",
    "最长",
    "最多",
    "打算",
    "想",
    "能",
    "要",
    "可以",
    "按",
    "个性化",
    "还款期",
)


_OTHER_TRIGGERS = (
    "第",
    "还了",
    "已还",
    "还过",
    "办卡",
    "用了",
    "工作",
    "上班",
    "坐牢",
    "判",
    "徒刑",
    "刑",
    "拘留",
    "关",
    "最近",
    "过去",
    "这",
    "近",
    "前",
    "住了",
    "认识",
)


_PERIOD = re.compile(r" ?(多)?(个)?(多|半)?(月|期|年|天)(半|多)?")


#: after "一个月": a figure or what one earns or can pay — "per month", not a period of one
_PER_MONTH_AFTER = re.compile(
    r" ?(?:[0-9]|能|最多|顶多|只能|可以|挣|赚|收入|工资|拿出|挤出|大概|就|才|也就)"
)
#: before "一个月": a figure ("1500一个月", "pay 500 a month") — "per month" again
_FIGURE_BEFORE = re.compile(r"[0-9][0-9,.]*\s*(?:[kK千万wW]|块钱?|元|yuan|rmb|RMB)?\s*$")
_PERIOD_STOP = re.compile(r"前|以前|之前|后|以后|之后|以下|以上|牢|监|刑|徒")


# 年利率, 年化, 年费, 年龄 …: 年 belongs to the next word, not to the number.
_YEAR_STOP = re.compile(r"利|息|化|费|龄|级|纪|底|初|末|代|度|份|薪|卡|会员|终|中|货|轻")


_HALF_YEAR = re.compile(rf"(?<![{_CN_NUMERALS}0-9])(?:大)?半年")


_OVERDUE_AFTER = re.compile(
    r"(?:了)?(?:都|也|还|一直)?(?:没|未|不)(?:有)?(?:还|交|供|换|再还)"
    r"|(?:了)?还不(?:上|起)|(?:了)?没钱还"
)


@dataclass(slots=True)
class _Period:
    start: int
    end: int
    months: int
    days: bool
    approx: bool
    installments: bool  # written as 期


def _periods(text: str, numbers: list[_Number]) -> Iterator[_Period]:
    """Every period (24期, 3个月, 两年半, 半年, 90天) in order of position."""
    found: list[_Period] = []
    for num in numbers:
        m = _PERIOD.match(text, num.end)
        if not m:
            continue
        many, ge, mid, unit, tail = m.groups()
        if num.value < 0 or num.value > 1000:
            continue
        if num.value != num.value.to_integral_value():
            # 1.5年 = 18 months; any other fraction is not read
            if unit != "年" or ge or mid or tail or (num.value * 12) % 1:
                continue
            found.append(_Period(num.start, m.end(), int(num.value * 12), False, num.approx, False))
            continue
        n = int(num.value)
        approx = bool(many) or num.approx or mid == "多" or tail == "多"
        if unit == "月":
            if not ge:
                continue  # 3月 is March
            if n == 1 and (
                _PER_MONTH_AFTER.match(text, m.end()) or _FIGURE_BEFORE.search(text, 0, num.start)
            ):
                continue  # 一个月4000, 一个月最多拿出1000, 1500一个月: "a month", not one month
            if tail == "半":
                continue  # 3个月半: unusual, not read
            months, days = n + (1 if mid == "半" else 0), False  # 两个半月 ≈ 3
            approx = approx or mid == "半"
        elif unit == "期":
            if ge or mid or tail == "半":
                continue
            if text[max(0, num.start - 1) : num.start] == "第":
                continue  # 第3期: one installment, not a count
            months, days = n, False
            if (
                text[max(0, num.start - 1) : num.start] in ("-", "负")
                and not text[max(0, num.start - 2) : max(0, num.start - 1)].isdigit()
            ):
                months = -n  # -3期, 负3期: said, and answered with a clear sentence
        elif unit == "年":
            if ge or mid == "半" or n > 50 or n == 0:
                continue  # 2024年 is a date
            months, days = 12 * n + (6 if tail == "半" else 0), False
        else:  # 天
            if ge or mid == "半" or tail == "半":
                continue
            months, days = n, True
        end = m.end()
        if _PERIOD_STOP.match(text, end) or (
            unit == "年" and not tail and _YEAR_STOP.match(text, end)
        ):
            continue
        found.append(_Period(num.start, end, months, days, approx, unit == "期"))
    for m in _HALF_YEAR.finditer(text):
        if _PERIOD_STOP.match(text, m.end()) or _YEAR_STOP.match(text, m.end()):
            continue
        found.append(_Period(m.start(), m.end(), 6, False, m.group(0).startswith("大"), False))
    found.sort(key=lambda p: p.start)
    return iter(found)


def _period_kind(text: str, period: _Period) -> str:
    """'overdue', 'plan' or 'other' for a period, from the words around it."""
    after = _clause_after(text, period.end)
    if _OVERDUE_AFTER.match(after):
        return "overdue"
    window = _clause_before(text, period.start, 10)
    label = _nearest(window, ((0, _OVERDUE_TRIGGERS), (1, _PLAN_TRIGGERS), (2, _OTHER_TRIGGERS)))
    if label == 0:
        return "overdue"
    if label == 2:
        return "other"
    if after.startswith("了") and label is None and not period.installments:
        return "other"  # 办卡3年了, 都半年了: how long, not a plan
    return "plan"
