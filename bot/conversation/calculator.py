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

:func:`format_plan` turns the three into a short plain-Chinese text for a phone.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation, localcontext

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


def _annuity_schedule(amount: Decimal, months: int, rate: Decimal,
                      payment: Decimal) -> tuple[list[Decimal], bool]:
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
    return EqualInstallmentPlan(amount=value, months=months, payments=tuple(payments),
                                annual_rate=rate, monthly=monthly)


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
    return EqualPrincipalPlan(amount=value, months=months, payments=tuple(payments),
                              annual_rate=rate, principal_part=parts[0])


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


def format_plan(amount: Number, months: int, annual_rate: Number) -> str:
    """A short plain-Chinese comparison of the three plans for ``amount`` over ``months``.

    Raises ValueError for inputs outside the calculator's range (see :func:`validate`).
    """
    value, months, rate = validate(amount, months, annual_rate)
    free = interest_free(value, months)
    annuity = equal_installment(value, months, rate)
    principal = equal_principal(value, months, rate)
    rate_text = percent(rate)

    free_line = f"1. 停息分期（不计息；可去谈，银行可不同意）：每月{money(free.monthly)}"
    if free.last_payment != free.monthly:
        free_line += f"（最后一期{money(free.last_payment)}）"
    free_line += f"，共{money(free.total)}"
    lines = [
        f"按欠款{money(value)}、分{months}期估算：",
        free_line,
        f"2. 等额本息（按年利率{rate_text}举例）：每月{money(annuity.monthly)}，"
        f"共{money(annuity.total)}，利息{money(annuity.interest)}",
        f"3. 等额本金（按年利率{rate_text}举例）：首月{money(principal.first_payment)}，"
        f"末月{money(principal.last_payment)}，共{money(principal.total)}",
        "利率只是举例；以上是估算，实际利率和条件由银行决定。"
        "《商业银行信用卡业务监督管理办法》第七十条：银行可以（不是必须）同意最长5年的分期。",
    ]
    if months > ART70_MAX_MONTHS:
        lines.append(f"注意：{months}期超过5年（60期），超出第七十条的上限，银行可能不会同意。")
    return "\n".join(lines)
