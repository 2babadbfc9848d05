"""The repayment calculator against values computed by hand, its limits, and its invariants."""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.config import CalculatorConfig
from bot.conversation.calculator import (
    EqualInstallmentPlan,
    EqualPrincipalPlan,
    InterestFreePlan,
    Plan,
    calculator_reply,
    equal_installment,
    equal_principal,
    interest_free,
    money,
    percent,
    periods_for_budget,
)
from bot.understanding.cues import Cues
from bot.understanding.details import Details

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
    for call in (
        lambda: equal_installment(amount, months, rate),  # type: ignore[arg-type]
        lambda: equal_principal(amount, months, rate),
    ):  # type: ignore[arg-type]
        with pytest.raises(ValueError, match=word) as info:
            call()
        assert info.value.args[0].isascii()  # a plain English message
    if word != "annual_rate":
        with pytest.raises(ValueError, match=word):
            interest_free(amount, months)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("amount", "months", "rate"),
    [
        (0.01, 1, 0),
        (100_000_000, 600, 1),
        (D("99999999.99"), 600, D("0.999")),
        (1, 60, 0.5),
    ],
)
def test_limits_are_accepted(amount: float, months: int, rate: float) -> None:
    for plan in (equal_installment(amount, months, rate), equal_principal(amount, months, rate)):
        assert plan.total == plan.amount + plan.interest
    assert calculator_reply(
        Details(amount=float(amount), months=months, annual_rate=float(rate)),
        SETTINGS,
        in_group=False,
    )


def test_results_are_frozen() -> None:
    plan = interest_free(100, 2)
    with pytest.raises(AttributeError):
        plan.total = D(0)  # type: ignore[misc]


# -- the reply -----------------------------------------------------------------------------

SETTINGS = CalculatorConfig()  # the example rate: 10% a year


def reply(**details: object) -> str:
    return "\n".join(
        calculator_reply(
            Details(**details),
            SETTINGS,  # type: ignore[arg-type]
            in_group=False,
        )
    )


def test_reply_default_order_and_labels() -> None:
    text = reply(amount=120000.0, months=12, annual_rate=0.12, rate_written="年化12%")
    lines = text.splitlines()
    assert lines[0] == "按120,000.00元、分12期（1年）算："
    # 等额本息 first (hand-computed in test_equal_installment_hand_computed)
    assert lines[1] == "1. 等额本息（按年化12%）：每月10,661.85元，利息共7,942.26元"
    # 等额本金: first 11200.00, last 10100.00 (test_equal_principal_hand_computed)
    assert lines[2].startswith("2. 等额本金（按年化12%）：首月11,200.00元")
    assert "逐月减到10,100.00元，利息共7,800.00元" in lines[2]
    # the interest-free split last, labelled as something to negotiate
    assert lines[3] == "3. 免息分期（要和对方协商，对方可以不同意）：每月10,000.00元"
    assert "利率：按你说的年化12%算，月利率 = 年化 ÷ 12 = 1%。" in text
    assert "举例" not in text
    assert "估算" in text


@pytest.mark.parametrize(
    ("convention", "first"),
    [("等额本金", "1. 等额本金"), ("免息分期", "1. 免息分期"), ("等额本息", "1. 等额本息")],
)
def test_reply_puts_the_asked_convention_first(convention: str, first: str) -> None:
    text = reply(amount=30000.0, months=12, convention=convention)
    assert text.splitlines()[1].startswith(first)
    assert text.count("等额本息") == text.count("等额本金") == 1


def test_reply_interest_free_says_the_monthly_payment() -> None:
    # 10000 / 3 = 3333.33 a month (the cent left over goes on the last period, not said)
    text = reply(amount=10000.0, months=3, convention="免息分期")
    assert "1. 免息分期（要和对方协商，对方可以不同意）：每月3,333.33元" in text


def test_reply_example_rate_is_said_to_be_an_illustration() -> None:
    text = reply(amount=30000.0, months=24)
    assert "等额本息（按年化10%举例）" in text
    assert "年化10%只是举例，不是你的实际利率" in text
    assert "账单" in text  # ask for the figure on their statement


@pytest.mark.parametrize(
    ("written", "annual", "expected"),
    [
        # 日息万分之五 = 0.05% a day × 365 = 18.25% a year; 18.25% / 12 = 1.520833…% a month
        (
            "日息万分之五",
            0.1825,
            "按你说的日息万分之五算：× 365 ≈ 年化18.25%，再按月利率 = 年化 ÷ 12 ≈ 1.52% 计算",
        ),
        # 月息1分 = 1% a month = 12% a year
        ("月息1分", 0.12, "按你说的月息1分算，即月利率1%，折合年化12%（× 12）"),
        # 年化7.2% / 12 = 0.6% a month exactly
        ("年化7.2%", 0.072, "按你说的年化7.2%算，月利率 = 年化 ÷ 12 = 0.6%"),
    ],
)
def test_reply_explains_the_rate(written: str, annual: float, expected: str) -> None:
    assert expected in reply(amount=36500.0, months=12, annual_rate=annual, rate_written=written)


def test_reply_daily_rate_hand_computed() -> None:
    # 36500 over 12 at 日息万分之五 (18.25%/yr): 等额本金 first month = 36500 / 12 = 3041.666…
    # → 3041.66 of principal + 36500 × 0.1825 / 12 = 555.1041… → 555.10 of interest = 3596.76
    text = reply(amount=36500.0, months=12, annual_rate=0.1825, rate_written="日息万分之五")
    assert "首月3,596.76元" in text
    # last month: principal 36500 − 11 × 3041.66 = 3041.74, interest 3041.74 × 0.015208333…
    # = 46.2598… → 46.26: 3088.00
    assert "逐月减到3,088.00元" in text


def test_reply_several_debts_total_and_one_lender() -> None:
    debts = (("招商银行", 20000.0), ("平安银行", 18000.0))
    text = reply(
        amount=38000.0, months=24, lender="招商银行", lenders=("招商银行", "平安银行"), debts=debts
    )
    assert "你说的几笔：招商银行 20,000.00元；平安银行 18,000.00元；合计38,000.00元。" in text
    assert "按38,000.00元、分24期" in text
    assert "第七十条" in text and "网贷" not in text  # two banks: Art. 70 only
    one = reply(amount=38000.0, months=24, lender="招商银行", debts=debts)
    assert "下面只算招商银行这一笔。" in one and "按20,000.00元、分24期" in one


def test_reply_online_lender_gets_no_five_years() -> None:
    text = reply(amount=50000.0, months=72, lender="借呗")
    assert "由平台决定" in text and "第七十条" not in text and "5年（60期）" not in text
    assert "72期超过5年" in text


def test_reply_over_60_months_for_a_bank() -> None:
    assert "超过5年" not in reply(amount=30000.0, months=60, lender="招商银行")
    text = reply(amount=30000.0, months=61, lender="招商银行")
    assert "61期超过5年（60期），超出第七十条说的上限" in text
    assert "“可以”（不是必须）" in text


@pytest.mark.parametrize(
    ("details", "sentence"),
    [
        ({"amount": 0.0, "months": 12}, "欠款是0元的话，就不用分期了"),
        ({"amount": 20_000_000.0, "months": 12}, "20,000,000.00元超过了1000万"),
        ({"amount": 30000.0, "months": 0}, "你说的0期没法算：期数至少要1期"),
        ({"amount": 30000.0, "months": -3}, "你说的-3期没法算"),
        ({"amount": 30000.0, "months": 700}, "700期（超过50年）太长了"),
        (
            {"amount": 30000.0, "months": 12, "annual_rate": 1.825, "rate_written": "日息千分之五"},
            "日息千分之五折合年化约182.5%，超出了这个计算器能算的范围",
        ),
        ({"amount": 30000.0, "months": 12, "down_share": 1.0}, "先付100%就等于全部还清了"),
        ({"amount": 30000.0}, "想分多少期"),
        ({"months": 12}, "大概欠多少钱"),
    ],
)
def test_reply_edge_cases_are_one_clear_sentence(details: dict[str, object], sentence: str) -> None:
    texts = calculator_reply(Details(**details), SETTINGS, in_group=False)  # type: ignore[arg-type]
    assert sentence in texts[0]
    assert "等额本息" not in "\n".join(texts)


def test_reply_down_payment() -> None:
    # 先付10% of 35000 = 3500.00; 31500 / 12 = 2625.00 interest-free
    text = reply(amount=35000.0, months=12, down_share=0.1)
    assert "先付10%（3,500.00元），剩下31,500.00元分期。" in text
    assert "每月2,625.00元" in text
    text = reply(amount=35000.0, months=12, down_payment=5000.0)
    assert "先付5,000.00元，剩下30,000.00元分期。" in text


def test_reply_budget_hand_computed() -> None:
    # 30000 at 12%/yr (r = 1%) with at most 1500 a month:
    # interest-free: 30000 / 1500 = 20 periods of 1500.00;
    # 等额本息: n = ceil(ln(1500 / (1500 − 300)) / ln(1.01)) = ceil(0.223144 / 0.00995033)
    #   = ceil(22.43) = 23; 1.01^23 = 1.2571630183, 1 − 1/1.2571630183 = 0.2045582113;
    #   payment 300 / 0.2045582113 = 1466.5752 → 1466.58 (half up) ≤ 1500, while 22 periods
    #   need 300 / (1 − 1.01^−22) = 1525.91 > 1500
    text = reply(amount=30000.0, budget=1500.0, annual_rate=0.12, rate_written="年化12%")
    assert "每月最多还1,500.00元，30,000.00元要分几期：" in text
    assert "1. 等额本息（按年化12%）：23期（1年11个月），每月1,466.58元" in text
    assert "2. 免息分期（要和对方协商，对方可以不同意）：20期（1年8个月），每月1,500.00元" in text


def test_reply_budget_below_the_interest() -> None:
    # 30000 at 12%/yr: 300.00 interest in the first month; 300 a month never repays
    text = reply(amount=30000.0, budget=300.0, annual_rate=0.12, rate_written="年化12%")
    assert "每月光利息就约300.00元" in text and "连利息都不够" in text
    assert "100期（8年4个月）" in text  # interest-free: 30000 / 300
    assert "100期超过5年" in text


def test_reply_budget_with_months_says_whether_it_fits() -> None:
    text = reply(amount=120000.0, months=12, budget=10000.0, annual_rate=0.12)
    assert "你说每月最多还10,000.00元：等额本息每月10,661.85元，不够。" in text


def test_reply_in_a_group_gives_the_derived_figure_without_the_amounts() -> None:
    texts = calculator_reply(
        Details(amount=120000.0, months=12, lender="招商银行"), SETTINGS, in_group=True
    )
    assert len(texts) == 1
    assert "每期大约10,000.00元" in texts[0]  # 120000 / 12, interest left out
    assert "120,000" not in texts[0] and "招商" not in texts[0]
    assert "不重复金额" in texts[0] and "私聊" in texts[0]
    texts = calculator_reply(
        Details(amount=13000.0, budget=1000.0, lender="拍拍贷"), SETTINGS, in_group=True
    )
    assert "大约要13期（1年1个月）" in texts[0]
    assert "13,000" not in texts[0] and "1,000" not in texts[0] and "拍拍贷" not in texts[0]
    # nothing to derive: the private chat
    texts = calculator_reply(Details(amount=13000.0), SETTINGS, in_group=True)
    assert not any(c.isdigit() for c in texts[0]) and "私聊" in texts[0]


def test_periods_for_budget() -> None:
    assert periods_for_budget(30000, 1500, 0) == 20
    assert periods_for_budget(30000, 1499.99, 0) == 21
    assert periods_for_budget(30000, 1500, D("0.12")) == 23
    assert periods_for_budget(30000, 300, D("0.12")) is None


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (D("1458.33"), "1,458.33元"),
        (D("0.5"), "0.50元"),
        (D("1234567.891"), "1,234,567.89元"),
        (D("2.005"), "2.01元"),
    ],
)
def test_money(value: Decimal, text: str) -> None:
    assert money(value) == text


@pytest.mark.parametrize(
    ("rate", "text"),
    [
        (D("0.1"), "10%"),
        (D("0.12"), "12%"),
        (D("0.125"), "12.5%"),
        (D("0.0365"), "3.65%"),
        (D("0"), "0%"),
        (D("1"), "100%"),
    ],
)
def test_percent(rate: Decimal, text: str) -> None:
    assert percent(rate) == text


# -- invariants ----------------------------------------------------------------------------

amounts = st.decimals(min_value=D("0.01"), max_value=D(100_000_000), places=2)
months_st = st.integers(min_value=1, max_value=600)
rates = st.decimals(min_value=D(0), max_value=D(1), places=4)


def _check(
    plan: InterestFreePlan | EqualInstallmentPlan | EqualPrincipalPlan, amount: Decimal, months: int
) -> None:
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


@settings(max_examples=200, deadline=None)
@given(
    st.decimals(min_value=D(1), max_value=D(10_000_000), places=2),
    st.integers(min_value=1, max_value=599),
    rates,
)
def test_more_periods_never_raise_the_monthly_payment(
    amount: Decimal, months: int, rate: Decimal
) -> None:
    assert interest_free(amount, months + 1).monthly <= interest_free(amount, months).monthly
    assert (
        equal_installment(amount, months + 1, rate).monthly
        <= equal_installment(amount, months, rate).monthly
    )
    assert (
        equal_principal(amount, months + 1, rate).first_payment
        <= equal_principal(amount, months, rate).first_payment
    )


@settings(max_examples=200, deadline=None)
@given(
    st.decimals(min_value=D(100), max_value=D(1_000_000), places=2),
    st.decimals(min_value=D(10), max_value=D(100_000), places=2),
    st.decimals(min_value=D(0), max_value=D("0.36"), places=4),
)
def test_budget_periods_are_the_fewest_that_fit(
    amount: Decimal, budget: Decimal, rate: Decimal
) -> None:
    n = periods_for_budget(amount, budget, rate)
    if n is None:  # the budget does not cover the first month's interest
        assert budget <= (amount * rate / 12).quantize(D("0.01"))
        return
    if n > 600:
        return

    def plan(months: int) -> Plan:
        return (
            interest_free(amount, months) if rate == 0 else equal_installment(amount, months, rate)
        )

    assert max(plan(n).payments) <= budget  # every payment fits, the last one too
    if n > 1:
        assert max(plan(n - 1).payments) > budget


@settings(max_examples=200, deadline=None)
@given(
    st.builds(
        Details,
        amount=st.none() | st.floats(min_value=0, max_value=1e12),
        months=st.none() | st.integers(min_value=-1000, max_value=1000),
        budget=st.none() | st.floats(min_value=0, max_value=1e9),
        annual_rate=st.none() | st.floats(min_value=0.0001, max_value=10),
        down_share=st.none() | st.floats(min_value=0, max_value=10),
        down_payment=st.none() | st.floats(min_value=0, max_value=1e9),
        convention=st.none() | st.sampled_from(["等额本息", "等额本金", "免息分期"]),
        lender=st.none() | st.sampled_from(["招商银行", "借呗"]),
    )
)
def test_reply_never_raises(details: Details) -> None:
    texts = calculator_reply(details, SETTINGS, in_group=False)
    assert texts and all(t.strip() for t in texts)
    group = calculator_reply(details, SETTINGS, in_group=True)
    assert len(group) == 1 and "私聊" in group[0]
    # a group hears what the figures give, never the amounts or the lender told
    assert details.lender is None or details.lender not in group[0]
    if details.amount is not None and details.amount >= 1000:
        assert f"{details.amount:,.2f}" not in group[0]


@settings(max_examples=300, deadline=None)
@given(
    st.decimals(min_value=D(1000), max_value=D(100_000_000), places=2),
    st.integers(min_value=1, max_value=120),
    st.decimals(min_value=D(0), max_value=D("0.36"), places=4),
)
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


@pytest.mark.parametrize(
    ("text", "only"),
    [
        ("欠3.5万", True),
        ("不对,是4万", True),
        ("那分36期呢?", True),
        ("600期", True),
        ("催收说我欠3万", False),
        ("他们说我欠5万是真的吗", False),
        ("", False),
    ],
)
def test_figures_only(text: str, only: bool) -> None:
    assert Cues(text, Details()).figures_only is only
