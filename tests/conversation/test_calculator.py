"""The repayment calculator against values computed by hand, its limits, and its invariants."""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.conversation.calculator import (
    EqualInstallmentPlan,
    EqualPrincipalPlan,
    InterestFreePlan,
    equal_installment,
    equal_principal,
    format_plan,
    interest_free,
    money,
    percent,
)

D = Decimal

# -- interest free -------------------------------------------------------------------------


def test_interest_free_even() -> None:
    # 30000 / 12 = 2500 exactly: twelve payments of 2500.00, total 30000.00
    plan = interest_free(30000, 12)
    assert plan.monthly == D("2500.00")
    assert plan.payments == (D("2500.00"),) * 12
    assert plan.first_payment == plan.last_payment == D("2500.00")
    assert plan.total == D("30000.00")
    assert plan.interest == D("0.00")
    assert plan.months == 12


def test_interest_free_remainder_on_last() -> None:
    # 10000 / 3 = 3333.333…: two payments of 3333.33 = 6666.66; the last is
    # 10000 − 6666.66 = 3333.34, so the total is 10000.00 exactly
    plan = interest_free(10000, 3)
    assert plan.payments == (D("3333.33"), D("3333.33"), D("3333.34"))
    assert plan.monthly == D("3333.33")
    assert plan.last_payment == D("3333.34")
    assert plan.total == D("10000.00")


def test_interest_free_parts_are_rounded_down() -> None:
    # 1000 / 600 = 1.6666…: 599 parts of 1.66 = 994.34, last 1000 − 994.34 = 5.66. Rounding
    # the parts up (1.67) would need 599 × 1.67 = 1000.33 > 1000: a negative last payment.
    plan = interest_free(1000, 600)
    assert plan.monthly == D("1.66")
    assert plan.last_payment == D("5.66")
    assert plan.total == D("1000.00")


def test_single_month() -> None:
    assert interest_free(1234.56, 1).payments == (D("1234.56"),)
    # one month at 12%/yr: 1234.56 + 1234.56 × 0.01 = 1234.56 + 12.35 (12.3456 rounded)
    assert equal_installment(1234.56, 1, 0.12).payments == (D("1246.91"),)
    assert equal_principal(1234.56, 1, 0.12).payments == (D("1246.91"),)


# -- 等额本息 -------------------------------------------------------------------------------


def test_equal_installment_hand_computed() -> None:
    # 120000 at 12%/yr over 12 months, r = 0.12 / 12 = 0.01.
    # (1.01)^2 = 1.0201; ^4 = 1.0201² = 1.04060401; ^8 = 1.04060401² = 1.0828567056280801;
    # ^12 = ^8 × ^4 = 1.126825030131969720661201 (exact: 24 decimals).
    # payment = P·r·g / (g − 1) = 120000 × 0.01 × 1.126825030131969720661201
    #                              / 0.126825030131969720661201
    #         = 1352.190036158363664793441200 / 0.126825030131969720661201
    #         = 10661.854641401…  → 10661.85 (half up)
    # Schedule (interest = balance × 0.01 rounded half up; principal = 10661.85 − interest):
    #  1 120000.00  int 1200.00  prin  9461.85  bal 110538.15
    #  2 110538.15  int 1105.38  prin  9556.47  bal 100981.68
    #  3 100981.68  int 1009.82  prin  9652.03  bal  91329.65
    #  4  91329.65  int  913.30  prin  9748.55  bal  81581.10
    #  5  81581.10  int  815.81  prin  9846.04  bal  71735.06
    #  6  71735.06  int  717.35  prin  9944.50  bal  61790.56
    #  7  61790.56  int  617.91  prin 10043.94  bal  51746.62
    #  8  51746.62  int  517.47  prin 10144.38  bal  41602.24
    #  9  41602.24  int  416.02  prin 10245.83  bal  31356.41
    # 10  31356.41  int  313.56  prin 10348.29  bal  21008.12
    # 11  21008.12  int  210.08  prin 10451.77  bal  10556.35
    # 12  last: 10556.35 + 105.56 (105.5635 half up) = 10661.91
    # total = 11 × 10661.85 + 10661.91 = 117280.35 + 10661.91 = 127942.26; interest 7942.26
    plan = equal_installment(120000, 12, 0.12)
    assert plan.monthly == D("10661.85")
    assert plan.first_payment == D("10661.85")
    assert plan.payments[:11] == (D("10661.85"),) * 11
    assert plan.last_payment == D("10661.91")
    assert plan.total == D("127942.26")
    assert plan.interest == D("7942.26")
    assert plan.months == 12
    assert plan.annual_rate == D("0.12")


def test_equal_installment_zero_rate_is_interest_free() -> None:
    plan = equal_installment(10000, 3, 0)
    assert plan.payments == (D("3333.33"), D("3333.33"), D("3333.34"))
    assert plan.interest == D("0.00")


def test_equal_installment_small_amount_long_term_never_repays_early() -> None:
    # 100 over 600 months at 0.1%/yr: the exact payment is about 0.1671; rounded up the 599
    # payments would repay before the end, so the payment is rounded down instead.
    plan = equal_installment(100, 600, 0.001)
    assert all(p == plan.monthly for p in plan.payments[:-1])
    assert plan.last_payment > 0
    assert plan.total == D(100) + plan.interest


# -- 等额本金 -------------------------------------------------------------------------------


def test_equal_principal_hand_computed() -> None:
    # 120000 at 12%/yr over 12 months: principal 120000 / 12 = 10000.00 a month; interest is
    # 1% of the balance before each payment.
    # month 1: 10000 + 120000 × 0.01 = 10000 + 1200 = 11200.00
    # month k: 10000 + (120000 − 10000(k − 1)) × 0.01 = 10000 + 1200 − 100(k − 1)
    # month 12: 10000 + 10000 × 0.01 = 10100.00
    # interest = 1200 + 1100 + … + 100 = 100 × (12 + 11 + … + 1) = 100 × 78 = 7800.00
    plan = equal_principal(120000, 12, 0.12)
    assert plan.first_payment == D("11200.00")
    assert plan.last_payment == D("10100.00")
    assert plan.principal_part == D("10000.00")
    assert plan.interest == D("7800.00")
    assert plan.total == D("127800.00")
    assert plan.payments == tuple(D(11200 - 100 * k) for k in range(12))


def test_equal_principal_remainder_on_last() -> None:
    # 10000 / 3 → 3333.33, 3333.33, 3333.34 of principal; at 12%/yr interest is
    # 100.00, 66.67 (6666.67 × 0.01 = 66.6667), 33.33 (3333.34 × 0.01 = 33.3334)
    plan = equal_principal(10000, 3, 0.12)
    assert plan.payments == (D("3433.33"), D("3400.00"), D("3366.67"))
    assert plan.interest == D("200.00")


# -- validation ----------------------------------------------------------------------------

BAD_INPUTS = [
    # (amount, months, rate, words in the message)
    (0, 12, 0.1, "amount"),
    (-5, 12, 0.1, "amount"),
    (100_000_000.01, 12, 0.1, "amount"),
    (10**9, 12, 0.1, "amount"),
    (0.001, 12, 0.1, "amount"),
    (float("nan"), 12, 0.1, "amount"),
    (float("inf"), 12, 0.1, "amount"),
    ("30000", 12, 0.1, "amount"),
    (True, 12, 0.1, "amount"),
    (30000, 0, 0.1, "months"),
    (30000, -1, 0.1, "months"),
    (30000, 601, 0.1, "months"),
    (30000, 12.0, 0.1, "months"),
    (30000, True, 0.1, "months"),
    (30000, 12, -0.01, "annual_rate"),
    (30000, 12, 1.01, "annual_rate"),
    (30000, 12, float("nan"), "annual_rate"),
    (30000, 12, None, "annual_rate"),
]


@pytest.mark.parametrize(("amount", "months", "rate", "word"), BAD_INPUTS)
def test_validation(amount: object, months: object, rate: object, word: str) -> None:
    for call in (lambda: equal_installment(amount, months, rate),  # type: ignore[arg-type]
                 lambda: equal_principal(amount, months, rate),  # type: ignore[arg-type]
                 lambda: format_plan(amount, months, rate)):  # type: ignore[arg-type]
        with pytest.raises(ValueError, match=word) as info:
            call()
        assert info.value.args[0].isascii()  # a plain English message
    if word != "annual_rate":
        with pytest.raises(ValueError, match=word):
            interest_free(amount, months)  # type: ignore[arg-type]


@pytest.mark.parametrize(("amount", "months", "rate"), [
    (0.01, 1, 0), (100_000_000, 600, 1), (D("99999999.99"), 600, D("0.999")), (1, 60, 0.5),
])
def test_limits_are_accepted(amount: float, months: int, rate: float) -> None:
    for plan in (equal_installment(amount, months, rate), equal_principal(amount, months, rate)):
        assert plan.total == plan.amount + plan.interest
    assert format_plan(amount, months, rate)


def test_results_are_frozen() -> None:
    plan = interest_free(100, 2)
    with pytest.raises(AttributeError):
        plan.total = D(0)  # type: ignore[misc]


# -- the text ------------------------------------------------------------------------------


def test_format_plan_text() -> None:
    text = format_plan(120000, 12, 0.12)
    assert "分12期" in text
    assert "停息分期" in text
    assert "每月10,000.00元" in text
    assert "共120,000.00元" in text
    assert "等额本息（按年利率12%举例）" in text
    assert "每月10,661.85元" in text
    assert "共127,942.26元" in text
    assert "利息7,942.26元" in text
    assert "等额本金" in text
    assert "首月11,200.00元" in text
    assert "末月10,100.00元" in text
    assert "共127,800.00元" in text
    assert "估算" in text
    assert "银行决定" in text
    assert "《商业银行信用卡业务监督管理办法》第七十条" in text
    assert "最长5年" in text
    assert "超过5年" not in text
    assert len(text) <= 350


def test_format_plan_shows_the_last_interest_free_payment() -> None:
    text = format_plan(10000, 3, 0.12)
    assert "每月3,333.33元（最后一期3,333.34元）" in text


def test_format_plan_60_month_note() -> None:
    assert "超过5年" not in format_plan(30000, 60, 0.1)
    text = format_plan(30000, 61, 0.1)
    assert "61期超过5年" in text
    assert "第七十条" in text
    assert "可能不会同意" in text


@pytest.mark.parametrize(("amount", "months", "rate"), [
    (100_000_000, 600, 1), (99_999_999.99, 599, 0.999), (12_345_678.9, 61, 0.2399),
    (0.01, 1, 0),
])
def test_format_plan_is_short(amount: float, months: int, rate: float) -> None:
    assert len(format_plan(amount, months, rate)) <= 350


def test_format_plan_accepts_floats_from_details() -> None:
    # extract_details gives floats: 3.2万 = 32000.0; 3.2 × 10000 in float is 32000.000000000004
    text = format_plan(3.2 * 10000, 24, 0.1)
    assert "按欠款32,000.00元" in text


@pytest.mark.parametrize(("value", "text"), [
    (D("1458.33"), "1,458.33元"), (D("0.5"), "0.50元"), (D("1234567.891"), "1,234,567.89元"),
    (D("2.005"), "2.01元"),
])
def test_money(value: Decimal, text: str) -> None:
    assert money(value) == text


@pytest.mark.parametrize(("rate", "text"), [
    (D("0.1"), "10%"), (D("0.12"), "12%"), (D("0.125"), "12.5%"), (D("0.0365"), "3.65%"),
    (D("0"), "0%"), (D("1"), "100%"),
])
def test_percent(rate: Decimal, text: str) -> None:
    assert percent(rate) == text


# -- invariants ----------------------------------------------------------------------------

amounts = st.decimals(min_value=D("0.01"), max_value=D(100_000_000), places=2)
months_st = st.integers(min_value=1, max_value=600)
rates = st.decimals(min_value=D(0), max_value=D(1), places=4)


def _check(plan: InterestFreePlan | EqualInstallmentPlan | EqualPrincipalPlan,
           amount: Decimal, months: int) -> None:
    assert len(plan.payments) == months == plan.months
    assert sum(plan.payments, D(0)) == plan.total
    assert plan.total == amount + plan.interest  # exact to the cent
    assert plan.amount == amount
    assert all(p >= 0 and p == p.quantize(D("0.01")) for p in plan.payments)
    assert plan.interest >= 0
    assert plan.first_payment == plan.payments[0]
    assert plan.last_payment == plan.payments[-1]


@settings(max_examples=200, deadline=None)
@given(amounts, months_st, rates)
def test_payments_add_up(amount: Decimal, months: int, rate: Decimal) -> None:
    free = interest_free(amount, months)
    _check(free, amount, months)
    assert free.interest == 0
    assert all(p == free.monthly for p in free.payments[:-1])

    annuity = equal_installment(amount, months, rate)
    _check(annuity, amount, months)

    principal = equal_principal(amount, months, rate)
    _check(principal, amount, months)
    middle = principal.payments[:-1]
    assert all(a >= b for a, b in itertools.pairwise(middle))  # falling payments


@settings(max_examples=300, deadline=None)
@given(st.decimals(min_value=D(1000), max_value=D(100_000_000), places=2),
       st.integers(min_value=1, max_value=120),
       st.decimals(min_value=D(0), max_value=D("0.36"), places=4))
def test_annuity_matches_the_formula(amount: Decimal, months: int, rate: Decimal) -> None:
    # realistic plans (at least 1000 yuan, up to 10 years, up to 36%/yr)
    plan = equal_installment(amount, months, rate)
    # every payment but the last is the same
    assert all(p == plan.monthly for p in plan.payments[:-1])
    # an independent float computation of the annuity: the rounded payment is within a cent
    r = float(rate) / 12
    exact = float(amount) / months if r == 0 else float(amount) * r / (1 - (1 + r) ** -months)
    assert abs(float(plan.monthly) - exact) <= 0.01
    # the last payment differs from the others only by the rounding carried over the months:
    # at most half a cent of payment and half a cent of interest a month, with interest
    growth = months if r == 0 else ((1 + r) ** months - 1) / r
    assert abs(float(plan.last_payment - plan.monthly)) <= 0.01 * growth + 0.01
