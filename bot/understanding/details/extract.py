"""The entry point: :func:`extract_details` reads every detail of one normalised message."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from bot.understanding.details.lenders import (
    _AMBIGUOUS_BEFORE_AMOUNT,
    _LENDER,
    _LENDER_MAP,
    AMBIGUOUS_BANK_NAMES,
    lender_type,
)
from bot.understanding.details.model import (
    EMPTY,
    Details,
)
from bot.understanding.details.money import (
    _CONVENTION,
    _CONVENTIONS,
    _Amount,
    _budget,
    _debts,
    _down_payment,
    _income_and_costs,
    _rate,
    _read_amount,
    _received,
)
from bot.understanding.details.numbers import (
    _APPROX_BEFORE,
    MAX_CHARS,
    _correction_start,
    _negated,
    _Number,
    _numbers,
    _unreadable_spans,
)
from bot.understanding.details.payments import is_demanded, is_fee, repaid
from bot.understanding.details.periods import (
    _Period,
    _period_kind,
    _periods,
)
from bot.understanding.details.presence import (
    _presence,
    visit_when,
)
from bot.understanding.details.situation import read_situation


def extract_details(text: str) -> Details:
    """Details found in one normalised message (only what was found is set). Never raises.

    What wins when a message holds several candidates: for the amount, the number most
    clearly money (a currency or 万 beats a bare number), then the larger; for lenders, the
    first named; for periods, the first overdue period and the first plan period; presence
    from the clause that speaks of a visit (a negation or a future word turns it off).
    """
    try:
        found = _extract(text)
    except Exception:  # a detail is a convenience: never let it break a reply
        return EMPTY
    if not found:
        return EMPTY
    if "lenders" in found:
        found["lenders"] = tuple(found["lenders"])
    for key in ("debts", "costs"):
        if key in found:
            found[key] = tuple(found[key])
    return Details(**found)


def _extract(text: str) -> dict[str, Any]:
    if not isinstance(text, str) or not text:
        return {}
    text = text[:MAX_CHARS].lower()
    details: dict[str, Any] = {}

    mentions = [(m.start(), m.end(), _LENDER_MAP[m.group(0)]) for m in _LENDER.finditer(text)]
    taken = [(s, e) for s, e, _ in mentions]
    for m in _AMBIGUOUS_BEFORE_AMOUNT.finditer(text):  # 平安1万8: a bank before its amount
        if not any(s <= m.start() < e for s, e in taken):
            mentions.append((m.start(), m.end(), AMBIGUOUS_BANK_NAMES[m.group(1)]))
    mentions.sort()
    # 不对，是建行不是工行: a lender named only to be denied is not one of the debts
    kept = [m for m in mentions if not _negated(text, m[0])]
    if kept:
        mentions = kept
    lenders: list[str] = []
    for _, _, name in mentions:
        if name not in lenders:
            lenders.append(name)
    if lenders:
        details["lender"] = lenders[0]
        if len(lenders) > 1:
            details["lenders"] = lenders
    lender_kind = lender_type(text, lenders[0] if lenders else None)
    if lender_kind is not None:
        details["lender_type"] = lender_kind
    lender_spans = [(s, e) for s, e, _ in mentions]

    numbers = list(_numbers(text, lender_spans + _unreadable_spans(text)))
    correction = _correction_start(text)

    lender_ends = frozenset(e for _, e in lender_spans)
    income, costs, spent = _income_and_costs(text, numbers, lender_spans)
    # 家里开销2500 每个月…: a figure said as a cost or the income is not what one can pay
    budget = _budget(text, [n for n in numbers if n.start not in spent])
    amounts_text = text
    if budget is not None:
        # 按一千五一个月跟安逸花谈两万多: the budget's figure is not the debt, and its words
        # ("一个月") say nothing about the figures after it
        start, end = min(budget[1], budget[2]), budget[3]
        amounts_text = text[:start] + "，" * (end - start) + text[end:]
    if income is not None:
        details["income"] = income
    received = _received(text, numbers)
    if received is not None:
        details["received"] = received[0]  # 借了3000，到手只有2100
    if costs:
        details["costs"] = costs
    paid_back = repaid(text, numbers)
    if paid_back is not None:
        details["repaid"] = paid_back[0]  # 昨天还了5000: paid, not owed
    # 工资5500 房租1500: what one earns and spends is not the debt, nor is the budget, nor
    # what was repaid
    not_owed = (
        set(spent)
        | ({budget[2]} if budget is not None else set())
        | ({paid_back[1]} if paid_back is not None else set())
    )
    candidates: list[tuple[_Number, _Amount]] = []
    for num in numbers:
        if num.start in not_owed:
            continue
        # 美团2000: a figure right after a lender's name is what is owed there (not a year)
        after_lender = any(0 <= num.start - e <= 1 for e in lender_ends)
        amount = _read_amount(amounts_text, num, any_context=after_lender)
        if (
            amount is not None
            and not _negated(text, num.start)
            and not is_fee(text, num)
            and not is_demanded(text, num)
        ):
            candidates.append((num, amount))
    corrected = [(n, a) for n, a in candidates if n.start >= correction] if correction else []
    best: _Amount | None = None
    if corrected:
        best = corrected[-1][1]  # 不是3万，是5万: the last number after the correction wins
    else:
        for _, amount in candidates:
            if best is None or (amount.priority, amount.value) > (best.priority, best.value):
                best = amount
    debts = _debts(text, mentions, candidates)
    if debts and (best is None or best.priority < 3):  # 一共3万8 stands as the total
        total = sum((value for _, value in debts), Decimal(0))
        best = _Amount(total, any(a.approx for _, a in candidates), 2)
    if debts:
        details["debts"] = [(name, float(value.quantize(Decimal("0.01")))) for name, value in debts]
    if best is not None:
        value = best.value.quantize(Decimal("0.01"))
        details["amount"] = float(value)
        if best.approx:
            details["amount_approx"] = True

    plans: list[_Period] = []
    per_month = None if budget is None else budget[1]  # 一个月顶多还1500: not one month
    for period in _periods(text, numbers):
        if per_month is not None and period.start <= per_month < period.end:
            continue
        kind = _period_kind(text, period)
        if kind == "overdue" and "overdue_months" not in details:
            months = period.months
            approx = period.approx
            if period.days:
                months = int((Decimal(months) / 30).quantize(Decimal(1), "ROUND_HALF_UP"))
                approx = approx or period.months % 30 != 0
            before = text[max(0, period.start - 3) : period.start]
            approx = approx or any(word in before for word in _APPROX_BEFORE)  # 快半年
            if 0 < months <= 600 or (period.days and months == 0):
                details["overdue_months"] = months
                if approx:
                    details["overdue_approx"] = True
        elif kind == "plan" and not period.days and not _negated(text, period.start):
            plans.append(period)
    if plans:
        after = [p for p in plans if p.start >= correction] if correction else []
        details["months"] = after[-1].months if after else plans[0].months

    rate = _rate(text, correction)
    if rate is not None:
        details["annual_rate"], details["rate_written"] = rate
    if budget is not None:
        details["budget"] = budget[0]
    down = _down_payment(text, numbers)
    if down is not None:
        details[down[0]] = down[1]
    conventions = [(m.start(), _CONVENTIONS[m.group(0)]) for m in _CONVENTION.finditer(text)]
    if conventions:
        details["convention"] = conventions[-1][1]

    present = _presence(text)
    if present is not None:
        details["present"] = present
        when = visit_when(text) if present is False else None
        if when is not None:
            details["visit_when"] = when
    details.update(read_situation(text))
    return details
