"""Numbers in a message: Arabic and Chinese numerals (三万五, 两), the figures no one owes
(1e308元, -5000元), and the small text helpers the other readers share (the clause around a
number, a correction, a negation). Every pattern is linear."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache

import cn2an

# Markers of an approximate amount or period.
_APPROX_BEFORE = ("大概", "大约", "约", "差不多", "将近", "接近", "快", "估计", "可能")


_CN_DIGIT_VALUES = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}


_CN_MAGNITUDES = "十百千万亿"


_CN_NUMERALS = "".join(_CN_DIGIT_VALUES) + _CN_MAGNITUDES


#: Longest text analysed: the normaliser already cuts messages at 2000 characters, this only
#: bounds the cost of a direct call with a huge string.
MAX_CHARS = 20_000


# A number starts only where a run of digits starts (the look-behinds), and every repetition
# is bounded, so scanning is linear in the length of the text.
_NUMBER = re.compile(
    # not the tail of a decimal (3.5), nor of a thousands group (12,000); "3500,17万" is two
    r"(?<![0-9])(?<![0-9]\.)(?!(?<=[0-9],)[0-9]{3}(?![0-9]))(?P<arabic>[0-9]{1,12}(?:,[0-9]{3}){0,4}(?:\.[0-9]{1,4})?)"
    rf"|(?<![{_CN_NUMERALS}])(?P<cn>[{_CN_NUMERALS}]{{1,16}})"
)


# Amounts no person owes: written in scientific notation (1e308元, 2.5e4) or negative (-5000元,
# 负5000块, 欠-3万). Their numbers are never read as amounts (1e308元 is not 308 元, -5000元 not
# 5,000); :func:`unreadable_amount` names them so the conversation can say so. A minus right
# after a digit is a range or a phone's dash (3-5万, 0755-1234), not a sign.
_EXPONENT = re.compile(r"(?<![0-9a-z.])[0-9]{1,12}(?:\.[0-9]{1,8})?e[+-]?[0-9]{1,6}(?![0-9a-z])")


_NEGATIVE = re.compile(
    r"(?<![0-9a-z])(?:-|−|－|负)\s?[0-9]{1,12}(?:,[0-9]{3}){0,4}(?:\.[0-9]{1,4})?"
    r"(?=\s?(?:多|来|余)?\s?(?:万|w|千|k|百|亿)?\s?(?:元|块钱|块|人民币|rmb))"
    r"|(?<![0-9a-z])(?:-|−|－)[0-9]{1,12}(?:\.[0-9]{1,4})?\s?(?:万|w|千|k)"
)


_UNIT_AFTER = re.compile(r"\s?(?:万|w|千|k|百|亿)?\s?(?:元|块钱|块|人民币|rmb)?")


_CLAUSE_BREAK = re.compile(r"[,.!?;。、…~\n]")


@lru_cache(maxsize=4096)  # a pure function of a short run; the same few runs recur constantly
def cn_to_number(run: str) -> tuple[Decimal, bool] | None:
    """Value of a run of Chinese numerals (三万五, 一百二十万, 两) and whether it is a range.

    A range written as two neighbouring digits (三四万, 一两万) counts as its lower end and is
    approximate; digits read one by one (一二三, 二〇二四) are not a number here. Returns None
    for anything cn2an cannot read.
    """
    run = run.lstrip("万亿百千")  # 千万 (by all means), 万一 (in case): not numbers
    if not run or len(run) > 16:
        return None
    # neighbouring digits: 零 after a unit is a placeholder (一千零五); one rising pair is a
    # range (三四万 → 三万); anything else is read digit by digit (一二三, 二〇二四)
    pairs = [
        i
        for i in range(len(run) - 1)
        if run[i] in _CN_DIGIT_VALUES
        and run[i + 1] in _CN_DIGIT_VALUES
        and not (_CN_DIGIT_VALUES[run[i]] == 0 and (i == 0 or run[i - 1] in _CN_MAGNITUDES))
    ]
    approx = False
    text = run
    if pairs:
        i = pairs[0]
        low, high = _CN_DIGIT_VALUES[run[i]], _CN_DIGIT_VALUES[run[i + 1]]
        if len(pairs) > 1 or low == 0 or high != low + 1:
            return None
        text = run[: i + 1] + run[i + 2 :]
        approx = True
    try:
        value = cn2an.cn2an(text, "normal")
        number = Decimal(str(value))
    except Exception:  # cn2an raises ValueError and others on what it cannot read
        return None
    if not number.is_finite() or number < 0:
        return None
    return number, approx


@dataclass(slots=True)
class _Number:
    start: int
    end: int
    value: Decimal
    arabic: bool
    #: a Chinese run with 百/千/万/亿 in it (八千, 三万五): money-like without a unit
    magnitude: bool
    grouped: bool
    approx: bool


#: what "一" may count right after a figure in Chinese numerals ("两千一个月", "三万一次")
_ONE_COUNTS = frozenset("个次家年天月周期笔")


def _numbers(text: str, skip: list[tuple[int, int]]) -> Iterator[_Number]:
    """Every number in ``text`` that does not lie inside a ``skip`` span (lender names)."""
    for m in _NUMBER.finditer(text):
        start, end = m.span()
        if any(s <= start < e for s, e in skip):
            continue
        arabic = m.group("arabic")
        following = text[end : end + 1]
        if following.isdigit() or (arabic is None and following and following in _CN_NUMERALS):
            continue  # part of a longer run: a phone, card or ID number
        if arabic is not None:
            grouped = "," in arabic
            try:
                value = Decimal(arabic.replace(",", ""))
            except InvalidOperation:  # pragma: no cover - the pattern admits only digits
                continue
            yield _Number(start, end, value, True, False, grouped, False)
            continue
        run = m.group("cn")
        if run == "一" and start > 0 and text[start - 1 : start] == following and following:
            continue  # 挤一挤, 看一看, 等一等: a verb said twice, not a number
        if (
            len(run) > 2
            and run.endswith("一")
            and text[end : end + 1] in _ONE_COUNTS
            and any(c in "百千万亿" for c in run[:-1])
        ):
            run, end = run[:-1], end - 1  # 一千五一个月: the 一 counts the month (not 1,501)
        parsed = cn_to_number(run)
        if parsed is None:
            continue
        value, approx = parsed
        magnitude = any(c in "百千万亿" for c in run.lstrip("万亿百千"))
        yield _Number(start, end, value, False, magnitude, False, approx)


def _unreadable_spans(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in _EXPONENT.finditer(text)] + [
        m.span() for m in _NEGATIVE.finditer(text)
    ]


def unreadable_amount(text: str) -> tuple[str, str] | None:
    """("exponent" or "negative", the figure as written) for the first amount in ``text`` no
    one owes (1e308元, -5000元, 负3万块), else None. Those numbers are never read as amounts."""
    text = text[:MAX_CHARS].lower()
    found = [(m.start(), m.end(), "exponent") for m in _EXPONENT.finditer(text)]
    found += [(m.start(), m.end(), "negative") for m in _NEGATIVE.finditer(text)]
    if not found:
        return None
    start, end, kind = min(found)
    unit = _UNIT_AFTER.match(text, end)
    return kind, text[start : unit.end() if unit else end].strip()


def _clause_before(text: str, start: int, width: int = 12) -> str:
    """Up to ``width`` characters before ``start``, cut at the last clause break."""
    window = text[max(0, start - width) : start]
    breaks = list(_CLAUSE_BREAK.finditer(window))
    if breaks:
        # a dot or comma between digits (3.5, 12,000) is no clause break
        last = breaks[-1]
        window = window[last.end() :]
    return window


def _clause_after(text: str, end: int, width: int = 8) -> str:
    window = text[end : end + width]
    m = _CLAUSE_BREAK.search(window)
    return window[: m.start()] if m else window


def _nearest(window: str, groups: tuple[tuple[int, tuple[str, ...]], ...]) -> int | None:
    """The label of the keyword that ends nearest the end of ``window``."""
    best: tuple[int, int] | None = None  # (end position, length) of the best match
    label: int | None = None
    for key, words in groups:
        for word in words:
            pos = window.rfind(word)
            if pos < 0:
                continue
            candidate = (pos + len(word), len(word))
            if best is None or candidate > best:
                best, label = candidate, key
    return label


#: the words that take back what was just said: the last number after them wins
_CORRECTION = re.compile(r"不对|不是|改成|改为|应该是|更正|说错|打错|写错|搞错|纠正|其实是")


def _number_value(raw: str) -> Decimal | None:
    """An Arabic or Chinese number (7.2, 五, 一点五) as a Decimal, None if unreadable."""
    try:
        return Decimal(raw)
    except InvalidOperation:
        pass
    if "点" in raw:
        whole, _, frac = raw.partition("点")
        left = cn_to_number(whole) if whole else (Decimal(0), False)
        if left is None or not frac or any(c not in _CN_DIGIT_VALUES for c in frac):
            return None
        digits = "".join(str(_CN_DIGIT_VALUES[c]) for c in frac)
        return left[0] + Decimal("0." + digits)
    parsed = cn_to_number(raw)
    return None if parsed is None or parsed[1] else parsed[0]


def _correction_start(text: str) -> int:
    """Where the first correction word ends (0 when there is none)."""
    m = _CORRECTION.search(text)
    return m.end() if m else 0


def _negated(text: str, start: int) -> bool:
    """True for a number right after 不是 (欠2万，不是3万: not 3万)."""
    return text[max(0, start - 3) : start].rstrip().endswith(("不是", "不到"))
