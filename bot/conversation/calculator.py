"""Repayment calculator: what an installment plan would cost each month, exact to the cent.

Three ways a debt can be repaid in ``months`` installments:

- :func:`interest_free` (停息分期): the amount in equal parts, no interest;
- :func:`equal_installment` (等额本息): the same payment every month (the annuity formula);
- :func:`equal_principal` (等额本金): the same share of principal every month plus the interest
  on what is still owed, so payments fall month by month.

All arithmetic is :class:`decimal.Decimal`. Interest and the annuity payment are rounded to the
cent half up (ROUND_HALF_UP). Principal is split into equal parts rounded *down* to the cent,
and the cents left over go on the last payment: rounding the parts up could make the parts
add up to more than the amount (1000 yuan in 600 parts of 1.67), leaving a negative last
payment. Every plan's payments add up exactly to ``total``, and ``total - interest`` is the
amount exactly.

:func:`calculator_reply` turns what a person said (:class:`Details`: the amount or several
debts, the periods or what they can pay a month, their rate as written, a down payment, the
convention they asked for) into short plain-Chinese texts for a phone, with one clear sentence
for each thing that cannot be computed. The dialogue only calls it (and :func:`ready`,
:func:`follows_on`, :func:`calculator_only` to decide when).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation, localcontext

from bot.config import CalculatorConfig
from bot.understanding.cues import Cues
from bot.understanding.details import Details

log = logging.getLogger(__name__)

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal(100_000_000)
MAX_MONTHS = 600
MAX_RATE = Decimal(1)
#: The longest personalised installment plan Art. 70 of the credit-card rules provides for.
ART70_MAX_MONTHS = 60

#: Working precision: ample for (1 + r) ** 600 with a 1e8 principal.
_PRECISION = 50

Number = Decimal | int | float


@dataclass(frozen=True)
class Plan:
    """A repayment schedule; the first and last payment, the total and the interest follow
    from the payments themselves. (No slots: frozen dataclasses with slots cannot be
    subclassed safely on Python 3.11.)"""

    amount: Decimal
    months: int
    payments: tuple[Decimal, ...]

    @property
    def first_payment(self) -> Decimal:
        """The first month's payment."""
        return self.payments[0]

    @property
    def last_payment(self) -> Decimal:
        """The last month's payment (it settles the cents left over)."""
        return self.payments[-1]

    @property
    def total(self) -> Decimal:
        """All payments together."""
        return sum(self.payments, Decimal(0))

    @property
    def interest(self) -> Decimal:
        """What is paid beyond the amount."""
        return self.total - self.amount


@dataclass(frozen=True)
class InterestFreePlan(Plan):
    """停息分期: equal parts with no interest; the cents left over go on the last payment."""

    monthly: Decimal


@dataclass(frozen=True)
class EqualInstallmentPlan(Plan):
    """等额本息: ``monthly`` every month; the last payment settles the principal exactly."""

    annual_rate: Decimal
    monthly: Decimal


@dataclass(frozen=True)
class EqualPrincipalPlan(Plan):
    """等额本金: ``principal_part`` of principal a month plus interest on the balance."""

    annual_rate: Decimal
    principal_part: Decimal


# -- validation ----------------------------------------------------------------------------


def _decimal(value: object, name: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, Decimal | int | float):
        raise ValueError(f"{name} must be a number, got {type(value).__name__}")
    try:
        # str() of a float is its shortest round-tripping form: 0.1 → Decimal("0.1")
        number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    except (InvalidOperation, ValueError) as exc:  # pragma: no cover - guarded above
        raise ValueError(f"{name} must be a number, got {value!r}") from exc
    if not number.is_finite():
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    return number


def validate(amount: Number, months: int, annual_rate: Number = 0) -> tuple[Decimal, int, Decimal]:
    """Check the inputs and return them as (amount in cents, months, rate).

    Raises ValueError unless 0 < amount <= 100 000 000 (after rounding to the cent),
    1 <= months <= 600 (an int) and 0 <= annual_rate <= 1 (0.12 is 12% a year).
    """
    value = _decimal(amount, "amount")
    if value <= 0 or value > MAX_AMOUNT:
        raise ValueError(f"amount must be greater than 0 and at most {MAX_AMOUNT}, got {amount!r}")
    value = value.quantize(CENT, rounding=ROUND_HALF_UP)
    if value <= 0:
        raise ValueError(f"amount must be at least 0.01, got {amount!r}")
    if isinstance(months, bool) or not isinstance(months, int):
        raise ValueError(f"months must be an integer, got {months!r}")
    if not 1 <= months <= MAX_MONTHS:
        raise ValueError(f"months must be between 1 and {MAX_MONTHS}, got {months}")
    rate = _decimal(annual_rate, "annual_rate")
    if not 0 <= rate <= MAX_RATE:
        raise ValueError(f"annual_rate must be between 0 and 1 (0.12 = 12%), got {annual_rate!r}")
    return value, months, rate


def _cents(value: Decimal, rounding: str = ROUND_HALF_UP) -> Decimal:
    return value.quantize(CENT, rounding=rounding)


def _equal_parts(amount: Decimal, months: int) -> tuple[Decimal, ...]:
    """``amount`` in ``months`` parts rounded down to the cent, the rest on the last one."""
    part = _cents(amount / months, ROUND_DOWN)
    return (part,) * (months - 1) + (amount - part * (months - 1),)


# -- the three plans -----------------------------------------------------------------------


def interest_free(amount: Number, months: int) -> InterestFreePlan:
    """停息分期: the amount in equal monthly parts, no interest.

    >>> [str(p) for p in interest_free(10000, 3).payments]
    ['3333.33', '3333.33', '3333.34']
    """
    value, months, _ = validate(amount, months)
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        payments = _equal_parts(value, months)
    return InterestFreePlan(amount=value, months=months, payments=payments, monthly=payments[0])


def _annuity_schedule(
    amount: Decimal, months: int, rate: Decimal, payment: Decimal
) -> tuple[list[Decimal], bool]:
    """Payments for a fixed ``payment``; the second value is False if it repaid too early."""
    balance = amount
    payments: list[Decimal] = []
    on_time = True
    for _ in range(months - 1):
        interest = _cents(balance * rate)
        principal = payment - interest
        if principal > balance:  # the rounded-up payment would repay before the end
            principal = balance
            on_time = False
        payments.append(interest + principal)
        balance -= principal
    payments.append(balance + _cents(balance * rate))
    return payments, on_time


def equal_installment(amount: Number, months: int, annual_rate: Number) -> EqualInstallmentPlan:
    """等额本息: the same payment every month, with monthly rate = annual rate / 12.

    payment = P · r · (1 + r)^n / ((1 + r)^n − 1), rounded to the cent half up (P / n when
    r = 0). Each month's interest is the balance times r, rounded to the cent; the last payment
    is the balance left plus its interest, so the principal is repaid exactly. When rounding
    the payment up would repay the loan before the last month (small amounts over many
    months), the payment is rounded down instead. Only at extremes (a few yuan a month, or
    rates near 100% over decades) can the rounding still repay the loan a month or two early;
    the months left then pay 0.00. Payments never go negative and always add up to ``total``.
    """
    value, months, rate = validate(amount, months, annual_rate)
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        r = rate / 12
        if r == 0:
            exact = value / months
        else:
            growth = (1 + r) ** months
            exact = value * r * growth / (growth - 1)
        monthly = _cents(exact)
        payments, on_time = _annuity_schedule(value, months, r, monthly)
        if not on_time:
            monthly = _cents(exact, ROUND_DOWN)
            payments, _ = _annuity_schedule(value, months, r, monthly)
    return EqualInstallmentPlan(
        amount=value, months=months, payments=tuple(payments), annual_rate=rate, monthly=monthly
    )


def equal_principal(amount: Number, months: int, annual_rate: Number) -> EqualPrincipalPlan:
    """等额本金: amount / months of principal each month plus interest on the balance.

    The principal part is rounded down to the cent and the cents left over go on the last
    month; each month's interest is the balance before that payment times annual rate / 12,
    rounded to the cent half up.
    """
    value, months, rate = validate(amount, months, annual_rate)
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        r = rate / 12
        parts = _equal_parts(value, months)
        balance = value
        payments: list[Decimal] = []
        for part in parts:
            payments.append(part + _cents(balance * r))
            balance -= part
    return EqualPrincipalPlan(
        amount=value,
        months=months,
        payments=tuple(payments),
        annual_rate=rate,
        principal_part=parts[0],
    )


# -- the text for a phone ------------------------------------------------------------------


def money(value: Decimal) -> str:
    """1458.33 → '1,458.33元'."""
    return f"{_cents(value):,.2f}元"


def percent(rate: Decimal) -> str:
    """0.1 → '10%', 0.125 → '12.5%', 0.0365 → '3.65%'."""
    text = f"{rate * 100:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{text}%"


# -- the calculator in a conversation ------------------------------------------------------

#: amounts above this are asked again (a typo is likelier than a debt this size)
ABSURD_AMOUNT = Decimal(10_000_000)
#: the conventions, in the order shown when the person asked for none
CONVENTIONS = ("等额本息", "等额本金", "免息分期")

CALC_NEEDS_MONTHS = (
    "想分多少期（几个月）？比如回复“24期”或“分3年”；也可以说每月最多能还多少，"
    "比如“每月最多还1500”，我算要几期。"
)
CALC_NEEDS_AMOUNT = "大概欠多少钱？比如回复“3万”或“35000元”，我帮你算每月大概还多少。"
GROUP_NO_AMOUNTS = (
    "在群里我不重复金额、银行这些细节，保护你的隐私。需要具体计算，请私聊我，"
    "把欠款金额和想分的期数发给我。"
)
GROUP_HOW_LONG = (
    "按你说的数、先不算利息，大约要{months}期（{duration}）还完；算上利息会更久。"
    "群里我不重复金额，具体方案请私聊我。"
)
GROUP_PER_PERIOD = (
    "按你说的数分{months}期、先不算利息，每期大约{monthly}；算上利息会多一些。"
    "群里我不重复金额，具体方案请私聊我。"
)
ZERO_AMOUNT = "欠款是0元的话，就不用分期了。如果是打错了，请回复实际欠款，比如“3万”或“35000元”。"
ABSURD = (
    "{amount}超过了1000万，这个计算器只算1000万以内的欠款。是不是多打了一个0？"
    "请核对后回复金额，比如“3万”。"
)
BAD_MONTHS = "你说的{months}期没法算：期数至少要1期。请回复想分几期，比如“24期”或“分3年”。"
TOO_MANY_MONTHS = "{months}期（超过50年）太长了，这个计算器最多算600期。"
ASK_SHORTER = "请回复60期以内的期数，比如“36期”或“60期”，我重新算。"
RATE_TOO_HIGH = (
    "{written}折合年化约{annual}，超出了这个计算器能算的范围（年化100%以内）。"
    "请核对一下账单或合同上的利率，再发给我。"
)
DOWN_IS_ALL = "先付{down}就等于全部还清了，剩下的不用分期。"
ESTIMATE = "以上是估算，以对方给的方案为准。"
FREE_LABEL = "免息分期（要和对方协商，对方可以不同意）"
ART70_BANK = (
    "银行信用卡：银行“可以”（不是必须）同意最长5年（60期）的个性化分期，利息怎么算也要谈"
    "（《商业银行信用卡业务监督管理办法》第七十条）。"
)
ONLINE_LENDER = "网贷、消费贷：能不能分期、分多久由平台决定，没有统一的“5年”规定。"
OVER_60_BANK = "注意：{months}期超过5年（60期），超出第七十条说的上限，银行很可能不同意。"
OVER_60_ONLINE = "注意：{months}期超过5年，网贷平台是否同意由平台决定。"
OVER_60_UNKNOWN = "注意：{months}期超过5年（60期）：信用卡超出第七十条说的上限；网贷由平台决定。"
RATE_EXAMPLE = (
    "年化{rate}只是举例，不是你的实际利率：把账单或合同上的利率发我（如“年化18%”“日息万五”），"
    "我按它重算。"
)
RATE_GIVEN = {
    "年": "利率：按你说的{written}算，月利率 = 年化 ÷ 12 {eq} {monthly}。",
    "月": "利率：按你说的{written}算，即月利率{monthly}，折合年化{annual}（× 12）。",
    "日": "利率：按你说的{written}算：× 365 ≈ 年化{annual}，"
    "再按月利率 = 年化 ÷ 12 {eq} {monthly} 计算。",
}


def is_bank(lender: str) -> bool:
    """True for a bank (its canonical name ends with 银行): Art. 70 is for bank credit cards."""
    return lender.endswith("银行")


def _lender_names(details: Details) -> tuple[str, ...]:
    if details.debts:
        return tuple(name for name, _ in details.debts)
    if details.lenders:
        return details.lenders
    return (details.lender,) if details.lender else ()


def ready(details: Details) -> bool:
    """True when the details are enough for a calculator answer: an amount, and the number
    of periods or a monthly budget (or an amount that gets its own sentence: 0, too large)."""
    if details.months is not None and not 1 <= details.months <= MAX_MONTHS:
        return True  # 0期, 700期: a sentence of its own, with or without an amount
    if details.amount is None:
        return False
    if details.months is not None or details.budget is not None:
        return True
    return details.amount <= 0 or Decimal(str(details.amount)) > ABSURD_AMOUNT


def follows_on(found: Details, details: Details) -> bool:
    """True when a message's details change the calculation (那分36期呢, 年化18%, 每月最多还
    1500, 先付10%, 等额本金呢, or one lender named out of several debts)."""
    if _names_a_figure(found) or found.convention is not None:
        return True
    return bool(details.debts and found.lender is not None)


#: the details that are figures of a calculation
_FIGURES = ("amount", "months", "annual_rate", "budget", "down_payment", "down_share", "debts")


def _names_a_figure(found: Details) -> bool:
    return any(getattr(found, name) is not None for name in _FIGURES)


#: "免息分期呢", "等额本金呢": at most this long, a convention asked about is the calculation
#: again that way
WHAT_ABOUT_CHARS = 8


def convention_question(found: Details, cues: Cues) -> bool:
    """A question about a way of paying that names no figure ("网上说可以停息挂账，银行必须同意
    对吧"): its answer, not new figures for a calculation — unless it only asks for the
    figures that way ("免息分期呢")."""
    if not cues.asked or not only_a_convention(found):
        return False
    return not (len(cues.compact) <= WHAT_ABOUT_CHARS and cues.compact.endswith("呢"))


def only_a_convention(found: Details) -> bool:
    """The message names a repayment convention and no figure ("停息挂账", "等额本金")."""
    return found.convention is not None and not _names_a_figure(found)


def starts_calculation(found: Details, cues: Cues) -> bool:
    """True when a message with no other topic is a question for the calculator: figures
    only, with a number of periods, a budget, a rate, a down payment or a convention (600期,
    0期, 每月最多还1500 要几期). A bare amount (欠3万) is not: it may be about anything."""
    if asks_calculation(found, cues):
        return True
    return cues.figures_only and (found.months is not None or calculator_only(found))


def asks_calculation(found: Details, cues: Cues, known: Details | None = None) -> bool:
    """True when a message asks for a calculation in so many words and gives an amount
    ("我想算一下 本金8万分12期", "帮我算算 欠3万"), or gives an amount and a monthly budget
    and asks how long ("欠六万 我每个月能出两千 要几个月"): whatever topic its words resemble."""
    amount = found.amount if found.amount is not None else (known.amount if known else None)
    if amount is None:
        return False
    if found.amount is None:
        # the amount told before: only a budget and "how long" now ("客户每月能还3000 要多久"),
        # or the budget told before too ("按我刚才说的每个月能还的钱，大概多久能还完")
        budget = found.budget is not None or (
            known is not None and known.budget is not None and cues.per_month
        )
        # ... or the periods told before and a calculation asked ("帮我算算还完还剩多少")
        periods = known is not None and known.months is not None and known.months > 0
        return (budget and (cues.how_long or cues.calculation)) or (periods and cues.calculation)
    return cues.calculation or (found.budget is not None and cues.how_long)


def calculator_only(found: Details) -> bool:
    """True when a message states something only the calculator uses (a rate, a monthly
    budget, a down payment, a convention): after a calculation it follows on whatever topic
    its words also resemble (日息万五 alone reads a little like checking a debt)."""
    return any(
        value is not None
        for value in (
            found.annual_rate,
            found.budget,
            found.down_payment,
            found.down_share,
            found.convention,
        )
    )


def debts_listing(debts: tuple[tuple[str, float], ...]) -> tuple[str, Decimal]:
    """Several debts said back ("借呗 23,000.00元；花呗 6,000.00元") and their total."""
    listing = "；".join(f"{name} {money(Decimal(str(value)))}" for name, value in debts)
    return listing, sum((Decimal(str(value)) for _, value in debts), Decimal(0))


def _principal(details: Details) -> tuple[Decimal, list[str]]:
    """The amount to split and the lines that explain it (several debts, a down payment)."""
    lines: list[str] = []
    amount = _cents(Decimal(str(details.amount)))
    if details.debts:
        debts = dict(details.debts)
        listing, total = debts_listing(details.debts)
        lines.append(f"你说的几笔：{listing}；合计{money(total)}。")
        one = details.lender if details.lenders is None else None
        if one is not None and one in debts:
            amount = _cents(Decimal(str(debts[one])))
            lines.append(f"下面只算{one}这一笔。")
        elif amount == total:
            lines.append("下面按合计算；想只算其中一笔，告诉我是哪家。")
    return amount, lines


def _down(details: Details, amount: Decimal) -> tuple[Decimal, str | None, bool]:
    """(the rest to split, the line about the down payment, True when nothing is left)."""
    if details.down_share is not None and details.down_share > 0:
        share = Decimal(str(details.down_share))
        written = percent(share)
        if share >= 1:
            return Decimal(0), DOWN_IS_ALL.format(down=written), True
        down = _cents(amount * share)
    elif details.down_payment is not None and details.down_payment > 0:
        down = _cents(Decimal(str(details.down_payment)))
        written = money(down)
        if down >= amount:
            return Decimal(0), DOWN_IS_ALL.format(down=written), True
    else:
        return amount, None, False
    rest = amount - down
    shown = written if written.endswith("元") else f"{written}（{money(down)}）"
    return rest, f"先付{shown}，剩下{money(rest)}分期。", False


def _rate_note(details: Details, rate: Decimal, given: bool) -> str:
    if not given:
        return RATE_EXAMPLE.format(rate=percent(rate))
    written = details.rate_written or percent(rate)
    basis = next((c for c in written if c in "年月日"), "年")
    annual = percent(rate.quantize(Decimal("0.0001")).normalize())
    exact = rate / 12
    shown = exact.quantize(Decimal("0.0001"))
    return RATE_GIVEN[basis].format(
        written=written,
        annual=annual,
        eq="=" if shown == exact else "≈",
        monthly=percent(shown.normalize()),
    )


def _scope(details: Details, months: int | None) -> list[str]:
    """Art. 70 for bank cards, the lender's decision for 网贷; both when the lender is unknown."""
    names = _lender_names(details)
    banks = any(is_bank(n) for n in names)
    online = any(not is_bank(n) for n in names)
    if not names:
        banks = online = True
    lines = ([ART70_BANK] if banks else []) + ([ONLINE_LENDER] if online else [])
    if months is not None and months > ART70_MAX_MONTHS:
        template = (
            OVER_60_UNKNOWN if banks and online else OVER_60_BANK if banks else OVER_60_ONLINE
        )
        lines.append(template.format(months=months))
    return lines


def _order(details: Details) -> tuple[str, ...]:
    first = details.convention if details.convention in CONVENTIONS else CONVENTIONS[0]
    return (first, *(c for c in CONVENTIONS if c != first))


def _plan_line(
    convention: str, amount: Decimal, months: int, rate: Decimal, rate_label: str
) -> str:
    if convention == "免息分期":
        free = interest_free(amount, months)
        return f"{FREE_LABEL}：每月{money(free.monthly)}"
    if convention == "等额本息":
        annuity = equal_installment(amount, months, rate)
        return (
            f"等额本息（{rate_label}）：每月{money(annuity.monthly)}，"
            f"利息共{money(annuity.interest)}"
        )
    principal = equal_principal(amount, months, rate)
    return (
        f"等额本金（{rate_label}）：首月{money(principal.first_payment)}，"
        f"逐月减到{money(principal.last_payment)}，利息共{money(principal.interest)}"
    )


def duration(months: int) -> str:
    years, rest = divmod(months, 12)
    if not years:
        return f"{months}个月"
    return f"{years}年" + (f"{rest}个月" if rest else "")


def _plan_for(amount: Decimal, months: int, rate: Decimal) -> Plan:
    """The interest-free split at a rate of 0, else 等额本息."""
    return interest_free(amount, months) if rate == 0 else equal_installment(amount, months, rate)


def periods_for_budget(amount: Number, budget: Number, annual_rate: Number) -> int | None:
    """The fewest periods whose every payment is at most ``budget``: the interest-free split
    at a rate of 0, else 等额本息. None when ``budget`` does not cover the first month's
    interest. The count may exceed 600 (the caller says so; no plan is built then).
    Raises ValueError for an amount or rate out of range or a budget under 0.01."""
    value, _, rate = validate(amount, 1, annual_rate)
    pay = _decimal(budget, "budget").quantize(CENT, rounding=ROUND_DOWN)
    if pay <= 0:
        raise ValueError(f"budget must be at least 0.01, got {budget!r}")
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        r = rate / 12
        if r == 0:
            estimate = value / pay
        elif pay <= _cents(value * r):
            return None
        else:
            estimate = (pay / (pay - value * r)).ln() / (1 + r).ln()
        n = max(1, int(estimate.to_integral_value(rounding="ROUND_CEILING")))

    def fits(months: int) -> bool:
        return max(_plan_for(value, months, rate).payments) <= pay

    if n > MAX_MONTHS:
        return n
    while n <= MAX_MONTHS and not fits(n):  # rounding: a cent more on the last payment
        n += 1
    while 1 < n <= MAX_MONTHS and fits(n - 1):
        n -= 1
    return n


def _budget(details: Details) -> Decimal | None:
    """The monthly budget in cents (None when not given or under a cent)."""
    if details.budget is None:
        return None
    budget = Decimal(str(details.budget)).quantize(CENT, rounding=ROUND_DOWN)
    return budget if budget > 0 else None


def _budget_lines(
    details: Details, amount: Decimal, rate: Decimal, rate_label: str
) -> tuple[list[str], int]:
    budget = _budget(details) or CENT
    lines = [f"每月最多还{money(budget)}，{money(amount)}要分几期："]
    free_n = periods_for_budget(amount, budget, 0) or 1
    longest = free_n
    if free_n <= MAX_MONTHS:
        free = interest_free(amount, free_n)
        free_line = f"{FREE_LABEL}：{free_n}期（{duration(free_n)}），每月{money(free.monthly)}"
        if free.last_payment != free.monthly:
            free_line += f"，最后一期{money(free.last_payment)}"
    else:
        free_line = f"{FREE_LABEL}：要{free_n}期，超过50年，这个数每月太少了。"
    n = periods_for_budget(amount, budget, rate)
    if n is None:
        interest = _cents(amount * rate / 12)
        rate_line = (
            f"等额本息（{rate_label}）：每月光利息就约{money(interest)}，"
            f"每月{money(budget)}连利息都不够，本金不会减少，这样还不完。"
            "只能和对方谈减免利息或免息分期（对方可以不同意）。"
        )
    elif n > MAX_MONTHS:
        longest = max(longest, n)
        rate_line = (
            f"等额本息（{rate_label}）：要超过600期（50年），实际上还不完，"
            "需要和对方谈减免利息或免息分期（对方可以不同意）。"
        )
    else:
        longest = max(longest, n)
        plan = equal_installment(amount, n, rate)
        rate_line = (
            f"等额本息（{rate_label}）：{n}期（{duration(n)}），"
            f"每月{money(plan.monthly)}，利息共{money(plan.interest)}"
        )
    ordered = [free_line, rate_line] if details.convention == "免息分期" else [rate_line, free_line]
    lines += [f"{i}. {line}" for i, line in enumerate(ordered, start=1)]
    return lines, longest


def calculator_reply(details: Details, settings: CalculatorConfig, *, in_group: bool) -> list[str]:
    """The calculator's answer to what the person said, as texts to send in order.

    In a group: the derived figure only (how long at the budget told, or about how much a
    period), no amount or lender repeated, and a pointer to a private chat. Otherwise one
    clear sentence for each thing that cannot be computed (no amount, 0, over 10 million,
    0 or negative or over 600 periods, a rate over 100 % a year, a down payment of
    everything), else the plans in the order the person asked for (等额本息 first by
    default; the interest-free split always labelled as something to negotiate), the
    number of periods for a monthly budget, where the rate came from, and what Art. 70
    says (bank cards) or that 网贷 decide for themselves.
    """
    if in_group:
        return [_group_reply(details)]
    if details.amount is None:
        months = details.months
        if months is not None and months <= 0:
            return [BAD_MONTHS.format(months=months)]
        if months is not None and months > MAX_MONTHS:
            return [
                "\n".join(
                    [TOO_MANY_MONTHS.format(months=months), *_scope(details, None), ASK_SHORTER]
                )
            ]
        return [CALC_NEEDS_AMOUNT]
    try:
        return _reply(details, settings)
    except (ValueError, ArithmeticError) as exc:  # bad details never break a reply
        log.warning("calculator: details it cannot compute (%s)", type(exc).__name__)
        return [CALC_NEEDS_AMOUNT]


def _group_reply(details: Details) -> str:
    """One line for a group: what the person's own figures give, interest left out, without
    saying the amounts or the lender back ("俺欠拍拍贷八千 360借条五千 一个月能还一千 得还多久"
    → about 13 months); the plans themselves in a private chat."""
    try:
        amount, _lines = _principal(details)
        budget, months = _budget(details), details.months
        if amount <= 0 or amount > ABSURD_AMOUNT:
            return GROUP_NO_AMOUNTS
        if budget is not None and months is None:
            n = periods_for_budget(amount, budget, 0)
            if n is not None and n <= MAX_MONTHS:
                return GROUP_HOW_LONG.format(months=n, duration=duration(n))
        if months is not None and 0 < months <= MAX_MONTHS:
            plan = interest_free(amount, months)
            return GROUP_PER_PERIOD.format(months=months, monthly=money(plan.monthly))
    except (ValueError, ArithmeticError):
        pass
    return GROUP_NO_AMOUNTS


def _reply(details: Details, settings: CalculatorConfig) -> list[str]:
    amount, lines = _principal(details)
    if amount <= 0:
        return [ZERO_AMOUNT]
    if amount > ABSURD_AMOUNT:
        return [ABSURD.format(amount=money(amount))]
    months, budget = details.months, _budget(details)
    if months is not None and months <= 0:
        return [BAD_MONTHS.format(months=months)]
    if months is not None and months > MAX_MONTHS:
        return [
            "\n".join([TOO_MANY_MONTHS.format(months=months), *_scope(details, None), ASK_SHORTER])
        ]
    if months is None and budget is None:
        return [*(["\n".join(lines)] if lines else []), CALC_NEEDS_MONTHS]
    given = details.annual_rate is not None
    rate = Decimal(str(details.annual_rate if given else settings.default_annual_rate))
    if rate > MAX_RATE:
        return [
            RATE_TOO_HIGH.format(
                written=details.rate_written or percent(rate),
                annual=percent(rate.quantize(Decimal("0.0001"))),
            )
        ]
    rest, down_line, settled = _down(details, amount)
    if down_line:
        lines.append(down_line)
    if settled:
        return ["\n".join(lines)]
    rate_label = f"按年化{percent(rate)}" + ("" if given else "举例")
    if months is not None:
        lines.append(f"按{money(rest)}、分{months}期（{duration(months)}）算：")
        lines += [
            f"{i}. {_plan_line(c, rest, months, rate, rate_label)}"
            for i, c in enumerate(_order(details), start=1)
        ]
        if budget is not None:
            monthly = equal_installment(rest, months, rate).monthly
            verdict = "够" if monthly <= budget else "不够"
            lines.append(
                f"你说每月最多还{money(budget)}：等额本息每月{money(monthly)}，{verdict}。"
            )
        if details.spare is not None and details.spare > 0:
            # "还完还剩多少": what the income less the costs told leaves after the payment
            spare = Decimal(str(details.spare))
            high = equal_installment(rest, months, rate).monthly
            low = interest_free(rest, months).monthly
            lines.append(
                LEFT_AFTER_PAYING.format(
                    spare=money(spare), low=money(spare - high), high=money(spare - low)
                )
                if spare >= high
                else SHORT_AFTER_PAYING.format(spare=money(spare), monthly=money(high))
            )
        longest: int | None = months
    else:
        budget_lines, longest = _budget_lines(details, rest, rate, rate_label)
        lines += budget_lines
    lines.append(ESTIMATE)
    return [
        "\n".join(lines),
        "\n".join([_rate_note(details, rate, given), *_scope(details, longest)]),
    ]


#: what the income less the costs told leaves each month after the payment
LEFT_AFTER_PAYING = "你的收入减开销剩{spare}，还完月供每月约还剩{low}到{high}。"
SHORT_AFTER_PAYING = (
    "你的收入减开销剩{spare}，不够等额本息每月{monthly}：要谈更长的期数或更低的月供。"
)

#: the periods an overview shows when only the amount is known ("每月大概还多少")
OVERVIEW_MONTHS = (12, 24, 36, 60)


def overview(details: Details) -> str | None:
    """A first look for "每月大概还多少" when only the amount is known: the amount split over
    a few usual periods (no interest: a floor, the real plan costs more), then the question
    that makes it exact. None without a usable amount."""
    if details.amount is None or details.amount <= 0:
        return None
    amount = Decimal(str(details.amount))
    if amount > ABSURD_AMOUNT:
        return None
    parts = [
        f"{months}期约{money(interest_free(amount, months).monthly)}" for months in OVERVIEW_MONTHS
    ]
    return OVERVIEW.format(amount=money(amount), plans="；".join(parts))


OVERVIEW = (
    "按{amount}粗算（只把本金平均分开，不含利息，实际每月会更多）：{plans}。"
    "信用卡个性化分期最长5年（60期），银行可以同意但不是必须；网贷由平台决定。"
    "告诉我想分几期和利率（比如“36期 年化10%”），我细算。"
)


def left_after_repaying(details: Details) -> float | None:
    """What is left of the debt after the repayment the person told ("原来欠32000 还了5000"
    → 27000); None without both figures or when the repayment is not less than the debt."""
    if details.amount is None or details.repaid is None or details.repaid >= details.amount:
        return None
    left = Decimal(str(details.amount)) - Decimal(str(details.repaid))
    return float(left.quantize(CENT))
