"""Figures that are money but not the debt: a fee or a deposit someone charges ("收我3000服务
费"), a sum demanded on the spot ("扫码先交2000"), and what the person already repaid ("昨天
还了5000"). The debt is read in ``money.py``; these are set aside before it is chosen."""

from __future__ import annotations

import re
from decimal import Decimal

from bot.understanding.details.money import _amount_end, _Number, _read_amount

#: a fee named before its figure ("收费3000", "服务费要2000", "先交押金500")
_FEE_BEFORE = re.compile(
    r"(?:收费|费用|服务费|手续费|中介费|代理费|咨询费|押金|保证金|定金|订金)\s*(?:是|要|为|了)?\s*$"
)
#: a fee named right after a figure ("收我3000服务费", "5000的保证金"): what someone charges or
#: asks as a deposit, never the debt
_FEE_AFTER = re.compile(
    r"\s*(?:元|块钱|块)?\s*(?:的)?\s*(?:服务费|手续费|中介费|代理费|咨询费|好处费|辛苦费|押金|保证金|定金|订金"
    r"|(?i:service fee|fee|deposit))"
)


def is_fee(text: str, num: _Number) -> bool:
    """The figure at ``num`` names a fee or a deposit ("收我3000服务费", "收费3000"), not what
    is owed."""
    if _FEE_BEFORE.search(text[max(0, num.start - 6) : num.start]):
        return True
    return _FEE_AFTER.match(text, _amount_end(text, num)) is not None


#: a sum demanded now, not the debt ("让我先还500表示诚意", "扫码交2000", "转他支付宝3000",
#: "scan and pay 5000 now"): a payment asked for on the spot is a part, or a trick, never the
#: total owed (the total stays what the person said it was)
_DEMANDED_BEFORE = re.compile(
    r"(?:(?:先|再|今天|今晚|现在|马上|立刻|当场|立即)(?:就|必须|得|要)?(?:还|转|付|交|打)"
    r"|(?:转|扫码?|付款?|交|打)(?:给?(?:他|她|我|对方|他们))?(?:的?(?:微信|支付宝|卡|账户|个人账户))?)"
    r"(?:个|了)?\s*$"
)
_DEMANDED_BEFORE_EN = re.compile(
    r"(?i)(?:scan(?: and pay)?|transfer|send(?: him| them)?|pay(?: him| them)?)"
    r"\s*(?:rmb|¥|yuan)?\s*$"
)
_NOW_AFTER_EN = re.compile(
    r"(?i)\s*(?:rmb|yuan|元|块)?\s*(?:right )?(?:now|today|tonight|immediately|on the spot)"
)


def is_demanded(text: str, num: _Number) -> bool:
    """The figure at ``num`` is a payment demanded now, not what is owed (see above)."""
    before = text[max(0, num.start - 12) : num.start]
    if _DEMANDED_BEFORE.search(before):
        return True
    return bool(
        _DEMANDED_BEFORE_EN.search(before)
        and (
            _CODE_BEFORE_EN.search(text[max(0, num.start - 40) : num.start]) is not None
            or _NOW_AFTER_EN.match(text, _amount_end(text, num)) is not None
        )
    )


#: a code to scan said before the figure ("sent me a QR code to pay 1500")
_CODE_BEFORE_EN = re.compile(r"(?i)\bqr\b|scan|\bcode\b")


#: a repayment told as done ("还了5000", "已经还了一部分 3000", "repaid 2000"): what was paid,
#: never the debt
_REPAID_BEFORE = re.compile(
    r"(?:(?<!没)(?<!不)还了|已还|已经还了?|还进去了?|还上了|(?:又|先)还了)(?:一部分|一笔|大概|约)?\s*$"
    r"|(?i:(?:repaid|paid back|already paid|i paid)\s*(?:rmb|¥|yuan)?\s*$)"
)


def repaid(text: str, numbers: list[_Number]) -> tuple[float, int] | None:
    """The sum the person says they already repaid, and where its figure starts; None."""
    for num in numbers:
        if not _REPAID_BEFORE.search(text[max(0, num.start - 10) : num.start]):
            continue
        amount = _read_amount(text, num, any_context=True)
        if amount is not None and amount.value > 0:
            return float(amount.value.quantize(Decimal("0.01"))), num.start
    return None
