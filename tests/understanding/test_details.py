"""extract_details: every form of amount, period, lender and presence, and what must not match.

Inputs are written as they reach the function: already normalised (Simplified Chinese,
half-width, lower case), so commas are ASCII.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.understanding.details import LENDER_ALIASES, Details, cn_to_number, extract_details
from bot.understanding.details import extract as extract_module
from bot.understanding.details import numbers as numbers_module

# -- amounts -------------------------------------------------------------------------------

AMOUNTS: list[tuple[str, float, bool]] = [
    # (text, amount, amount_approx)
    ("3万", 30_000, False),
    ("三万五", 35_000, False),
    ("3万5", 35_000, False),
    ("3万5千", 35_000, False),
    ("3万5000", 35_000, False),
    ("32000元", 32_000, False),
    ("3.2w", 32_000, False),
    ("3.2万", 32_000, False),
    ("5万多", 50_000, True),
    ("欠了5万多块", 50_000, True),
    ("两万", 20_000, False),
    ("十万", 100_000, False),
    ("1.5k", 1_500, False),
    ("八千", 8_000, False),
    ("12,000", 12_000, False),
    ("12,000.50元", 12_000.5, False),
    ("欠了大概4万块", 40_000, True),
    ("20来万", 200_000, True),
    ("一百二十万", 1_200_000, False),
    ("十几万", 100_000, True),
    ("三四万", 30_000, True),
    ("借呗欠了2万8", 28_000, False),
    ("两千五百块", 2_500, False),
    ("30000", 30_000, False),
    ("30000分12期", 30_000, False),
    ("一万分期", 10_000, False),
    ("信用卡欠了一万二", 12_000, False),
    ("欠款3000", 3_000, False),
    ("我的卡尾号1234欠了5000", 5_000, False),
]


#: The situation fields (tested in test_situation.py): left out of the comparisons here.
SITUATION = {
    "role",
    "credentials",
    "police",
    "left",
    "let_in",
    "paid",
    "document",
    "place",
    "signed",
}


def found_in(text: str) -> dict:
    """What extract_details found of amounts, periods, lenders and presence, by name (the
    kind of lender is tested on its own, test_the_kind_of_lender_is_read)."""
    found = extract_details(text)
    assert isinstance(found, Details)
    return {k: v for k, v in found.as_dict().items() if k not in SITUATION | {"lender_type"}}


@pytest.mark.parametrize(("text", "amount", "approx"), AMOUNTS)
def test_amount(text: str, amount: float, approx: bool) -> None:
    found = found_in(text)
    assert found["amount"] == amount
    assert isinstance(found["amount"], float)
    assert found.get("amount_approx", False) is approx


PREFERRED_AMOUNTS: list[tuple[str, float]] = [
    # a debt word beats a larger number that is not the debt
    ("额度5万,欠了3万", 30_000),
    ("欠了3万,额度5万", 30_000),
    ("每月只能还2000,总共欠8万", 80_000),
    ("本金三万利息五千", 30_000),
    ("我借了2万,现在要我还5万", 20_000),
    ("总共欠了5万,其中花呗1万", 50_000),
    # two lenders with an amount each: the total (see test_several_debts)
    ("花呗1万,招行3万", 40_000),
    ("招行欠了3万,能分24期吗", 30_000),
    # the figure a calculation is asked on wins, whatever words come before it
    ("如果分5年 每个月大概多少 就按6万8算 不算利息", 68_000),
    ("一共欠8万 按照5万来算每月多少", 50_000),
]


@pytest.mark.parametrize(("text", "amount"), PREFERRED_AMOUNTS)
def test_amount_prefers_the_debt(text: str, amount: float) -> None:
    assert found_in(text)["amount"] == amount


NOT_AMOUNTS = [
    # a fee named before its figure is not what is owed
    "有个公司说能帮我办停息挂账 收费3000 靠谱吗",
    "服务费要2000",
    "我电话13812345678",
    "电话138-1234-5678",
    "手机 138 1234 5678",
    "身份证号码110101199003071234",
    "卡号6222021234567890123",
    "工号9527",
    "24期",
    "分三十六期",
    "逾期3个月",
    "逾期100天",
    "年利率18%",
    "年化24%",
    "百分之十八",
    "2024年3月5日",
    "欠款日期2024.3.5",
    "2024-03-05",
    "10:30来",
    "2024开始逾期",
    "千万别开门",
    "万一他们进来怎么办",
    "我们一块去",
    "我们3个人",
    "二〇二四年",
    "每月只能还2000",
    "月供3000",
    "工资5000",
    "20多个催收电话",
    "一二三",
]


@pytest.mark.parametrize("text", NOT_AMOUNTS)
def test_not_an_amount(text: str) -> None:
    assert "amount" not in found_in(text)


# -- months to pay over, and months overdue ------------------------------------------------

MONTHS: list[tuple[str, int]] = [
    ("24期", 24),
    ("分24期", 24),
    ("分两年", 24),
    ("5年", 60),
    ("能不能分5年还", 60),
    ("36个月", 36),
    ("分三十六期", 36),
    ("一年半", 18),
    ("两年半", 30),
    ("1.5年", 18),
    ("半年", 6),
    ("还款期限3年", 36),
    ("能分10年吗", 120),
    ("十二期", 12),
    ("逾期了,想分36期", 36),
]


@pytest.mark.parametrize(("text", "months"), MONTHS)
def test_months(text: str, months: int) -> None:
    found = found_in(text)
    assert found["months"] == months
    assert type(found["months"]) is int
    assert "overdue_months" not in found


NOT_MONTHS = [
    "逾期3个月",
    "逾期两个月了",
    "已经逾期90天",
    "快半年没还",
    "第3期没还",
    "已经还了12期",
    "他说我要坐牢3年",
    "有期徒刑3年",
    "3个月前开始逾期",
    "在招行办卡3年了",
    "都半年了",
    "2024年",
    "年利率18%",
    "一年利息多少",
    "3月5号",
    "90天",
]


@pytest.mark.parametrize("text", NOT_MONTHS)
def test_not_months(text: str) -> None:
    assert "months" not in found_in(text)


OVERDUE: list[tuple[str, int, bool]] = [
    # (text, overdue_months, overdue_approx)
    ("逾期3个月", 3, False),
    ("逾期半年", 6, False),
    ("逾期一年多", 12, True),
    ("逾期两个月了", 2, False),
    ("已经逾期90天", 3, False),
    ("逾期100天", 3, True),
    ("快半年没还", 6, True),
    ("两个半月没还", 3, True),
    ("拖了4个月", 4, False),
    ("3个月没还了", 3, False),
    ("信用卡逾期两年多了,欠了十几万", 24, True),
]


@pytest.mark.parametrize(("text", "months", "approx"), OVERDUE)
def test_overdue(text: str, months: int, approx: bool) -> None:
    found = found_in(text)
    assert found["overdue_months"] == months
    assert found.get("overdue_approx", False) is approx
    assert "months" not in found


def test_overdue_and_plan_in_one_message() -> None:
    assert found_in("我欠了5万,逾期3个月了,能不能分5年还") == {
        "amount": 50_000.0,
        "overdue_months": 3,
        "months": 60,
    }
    assert found_in("逾期3个月,想分36期") == {"overdue_months": 3, "months": 36}


# -- lenders -------------------------------------------------------------------------------

LENDERS: list[tuple[str, str]] = [
    ("招行", "招商银行"),
    ("招商", "招商银行"),
    ("招商银行的卡", "招商银行"),
    ("工行", "工商银行"),
    ("中国工商银行", "工商银行"),
    ("工商银行", "工商银行"),
    ("建行", "建设银行"),
    ("农行", "农业银行"),
    ("中行", "中国银行"),
    ("中国银行", "中国银行"),
    ("交行", "交通银行"),
    ("邮储", "邮储银行"),
    ("浦发", "浦发银行"),
    ("中信", "中信银行"),
    ("光大银行", "光大银行"),
    ("光大信用卡", "光大银行"),
    ("民生银行", "民生银行"),
    ("兴业", "兴业银行"),
    ("广发", "广发银行"),
    ("平安信用卡", "平安银行"),
    ("华夏银行", "华夏银行"),
    ("花呗", "花呗"),
    ("借呗", "借呗"),
    ("微粒贷", "微粒贷"),
    ("京东白条", "京东白条"),
    ("白条", "京东白条"),
    ("美团", "美团"),
    ("美团月付", "美团"),
    ("360借条", "360借条"),
    ("网商贷", "网商贷"),
    ("度小满", "度小满"),
]


@pytest.mark.parametrize(("text", "lender"), LENDERS)
def test_lender(text: str, lender: str) -> None:
    found = found_in(text)
    assert found["lender"] == lender
    assert "lenders" not in found


def test_several_lenders_in_order() -> None:
    found = found_in("我欠招商银行5万多,花呗2万,借呗1万,还有招行的另一张卡")
    assert found["lender"] == "招商银行"
    assert found["lenders"] == ["招商银行", "花呗", "借呗"]


@pytest.mark.parametrize(
    "text", ["平安夜", "保平安", "发扬光大", "民生问题", "华夏儿女", "工商局", "我没有钱花"]
)
def test_ordinary_words_are_not_lenders(text: str) -> None:
    assert "lender" not in found_in(text)


def test_lender_table_is_canonical() -> None:
    # every canonical name is itself an alias, so the table reads as data
    for canonical, aliases in LENDER_ALIASES.items():
        assert found_in(aliases[0])["lender"] == canonical


def test_a_number_in_a_lender_name_is_not_an_amount() -> None:
    assert found_in("欠360借条的钱") == {"lender": "360借条"}
    assert found_in("欠360借条2万") == {"lender": "360借条", "amount": 20_000.0}


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("借呗逾期了怎么投诉", "licensed_online"),
        ("美团月付还不上", "licensed_online"),
        ("招行信用卡欠5万", "bank_card"),
        ("建行的装修贷款逾期", "bank_loan"),
        ("微粒贷还不上", "bank_loan"),
        ("信用卡逾期怎么办", "bank_card"),
        ("714高炮天天爆通讯录", "unlicensed"),
        ("借了高利贷 利滚利", "unlicensed"),
        ("网贷逾期", None),
        ("催收上门了", None),
        # a figure that holds the digits 714 names no lender
        ("我欠30714元", None),
        ("欠了7,714元", None),
    ],
)
def test_the_kind_of_lender_is_read(text: str, kind: str | None) -> None:
    assert extract_details(text).lender_type == kind


# -- presence ------------------------------------------------------------------------------

PRESENCE: list[tuple[str, bool]] = [
    ("在门口", True),
    ("催收的人在门口", True),
    ("正在敲门", True),
    ("他们一直不停敲门", True),
    ("在楼下", True),
    ("已经到了", True),
    ("现在在我家", True),
    ("外访人员现在在门口", True),
    ("催收上门了怎么办", True),
    ("现在在门口,说明天还要来", True),
    ("明天要来", False),
    ("说要上门", False),
    ("下周来", False),
    ("他们说下午来", False),
    ("我逾期3个月,他们说明天要来", False),
    # a space ends a clause in chat: the visit is in its own clause
    ("催收的 明天要来我家", False),
    ("我妈说催收明天要来", False),
]


@pytest.mark.parametrize(("text", "present"), PRESENCE)
def test_presence(text: str, present: bool) -> None:
    assert found_in(text)["present"] is present


@pytest.mark.parametrize(
    "text",
    [
        "昨天上门了",
        "没在门口",
        "信用卡明天到期",
        "明天打电话来",
        "我现在在外面",
        "怎么协商还款",
        # family, friends or the police coming, and a while that has passed, are no visit
        "我女儿来了 刚陪我哭了一会儿 现在好些了",
        "我妈明天要来陪我住几天",
        "老公今晚会过来",
    ],
)
def test_no_presence(text: str) -> None:
    assert "present" not in found_in(text)


# -- whole messages ------------------------------------------------------------------------


def test_full_message() -> None:
    text = "招行信用卡欠了3万5,逾期半年了,催收现在在门口,能不能分三年还"
    assert found_in(text) == {
        "lender": "招商银行",
        "amount": 35_000.0,
        "overdue_months": 6,
        "months": 36,
        "present": True,
    }


MESSAGES: list[tuple[str, dict[str, Any]]] = [
    # as the normaliser leaves them: 。 stays, ， becomes ,
    (
        "我欠了招商银行3万5,逾期3个月了。",
        {"lender": "招商银行", "amount": 35_000.0, "overdue_months": 3},
    ),
    (
        "信用卡欠款五万元,已逾期两个多月。",
        {"amount": 50_000.0, "overdue_months": 2, "overdue_approx": True},
    ),
    (
        "花呗借呗加起来欠了6万,每个月工资4000",
        {"lender": "花呗", "lenders": ["花呗", "借呗"], "amount": 60_000.0, "income": 4000.0},
    ),
    ("欠了两万块钱,想分成二十四期还", {"amount": 20_000.0, "months": 24}),
    ("我有3张卡,一共欠了15万", {"amount": 150_000.0}),
    ("每个月最多还3000,欠了10万", {"amount": 100_000.0, "budget": 3000.0}),
    # the next clause starts with "每月" ("…欠招行5万 每月工资6000"): the 5万 is owed
    (
        "我欠招行5万 每月工资6000 房租2000",
        {"amount": 50_000.0, "lender": "招商银行", "income": 6000.0, "costs": [("房租", 2000.0)]},
    ),
    (
        "欠了1万多,逾期20多天",
        {"amount": 10_000.0, "amount_approx": True, "overdue_months": 1, "overdue_approx": True},
    ),
    ("逾期快一年了", {"overdue_months": 12, "overdue_approx": True}),
    ("他们说我欠了10万不还就要坐牢", {"amount": 100_000.0}),
    ("催收说明天上午10点上门", {"present": False, "visit_when": "明天上午"}),
    ("今天下午3点有人来我家", {"present": False}),
    ("现在有两个人站在门口不走", {"present": True}),
    ("想申请个性化分期60期", {"months": 60}),
    ("36期和60期哪个好", {"months": 36}),
    ("一次性还清能减免吗", {}),
    ("我今年35岁", {}),
]


@pytest.mark.parametrize(("text", "expected"), MESSAGES)
def test_messages(text: str, expected: dict[str, Any]) -> None:
    assert found_in(text) == expected


@pytest.mark.parametrize("text", ["", "你好", "怎么办", "???", " ", "催收"])
def test_nothing_found(text: str) -> None:
    assert found_in(text) == {}


# -- Chinese numerals ----------------------------------------------------------------------

CN_NUMBERS: list[tuple[str, int, bool]] = [
    ("两", 2, False),
    ("十", 10, False),
    ("十二", 12, False),
    ("三十六", 36, False),
    ("八千", 8000, False),
    ("三万五", 35_000, False),
    ("一万二", 12_000, False),
    ("一百二十万", 1_200_000, False),
    ("一千零五", 1005, False),
    ("三四万", 30_000, True),
    ("一两万", 10_000, True),
    ("千万", 0, False),
    ("一二三", 0, False),
    ("二〇二四", 0, False),
]


@pytest.mark.parametrize(("run", "value", "approx"), CN_NUMBERS)
def test_cn_to_number(run: str, value: int, approx: bool) -> None:
    parsed = cn_to_number(run)
    if value == 0:
        assert parsed is None
    else:
        assert parsed is not None
        assert parsed[0] == value
        assert parsed[1] is approx


# -- robustness ----------------------------------------------------------------------------

_ALPHABET = st.sampled_from(
    list(
        "0123456789,.-:%万千百亿十零〇一二两三四五六七八九"
        "几多来半年个月期天元块wk欠借逾额度总共分在门口明天要上 ,"
    )
)


def _well_formed(found: dict[str, Any]) -> None:
    situation = extract_details_situation_types()
    for key in SITUATION & set(found):
        assert isinstance(found[key], situation[key]), (key, found[key])
    found = {k: v for k, v in found.items() if k not in SITUATION}
    allowed = {
        "amount",
        "amount_approx",
        "months",
        "lender",
        "lenders",
        "overdue_months",
        "overdue_approx",
        "present",
        "annual_rate",
        "rate_written",
        "debts",
        "budget",
        "down_payment",
        "down_share",
        "convention",
        "lender_type",
        "income",
        "costs",
        "night",
        "visit_when",
    }
    assert set(found) <= allowed
    assert found.get("night") in (None, True, False)
    assert found.get("visit_when") is None or isinstance(found["visit_when"], str)
    assert found.get("lender_type") in (
        None,
        "bank_card",
        "bank_loan",
        "licensed_online",
        "unlicensed",
    )
    if "amount" in found:
        assert isinstance(found["amount"], float)
        assert found["amount"] >= 0  # 0元 is read, and answered with a sentence
    if "months" in found:
        assert type(found["months"]) is int
        assert -1000 <= found["months"] <= 1000  # 0期, -3期, 1000期 are answered too
    if "annual_rate" in found:
        assert 0 < found["annual_rate"] <= 10
        assert found["rate_written"][0] in "年月日"
    if "overdue_months" in found:
        assert type(found["overdue_months"]) is int
        assert 0 <= found["overdue_months"] <= 600
    if "present" in found:
        assert isinstance(found["present"], bool)


def extract_details_situation_types() -> dict[str, type]:
    return {
        "role": str,
        "credentials": bool,
        "police": str,
        "left": bool,
        "let_in": bool,
        "paid": str,
        "document": str,
        "place": str,
        "signed": bool,
    }


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_never_raises_on_any_text(text: str) -> None:
    _well_formed(extract_details(text).as_dict())


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=_ALPHABET, max_size=200))
def test_never_raises_on_numeric_text(text: str) -> None:
    _well_formed(found_in(text))


def test_not_a_string() -> None:
    assert found_in(None) == {}  # type: ignore[arg-type]
    assert found_in(123) == {}  # type: ignore[arg-type]


ADVERSARIAL = {
    "digits": "1" * 100_000,
    "chinese digits": "一" * 100_000,
    "digit pairs": "1 " * 50_000,
    "commas": "1,000" * 20_000,
    "dots": "1." * 50_000,
    "amounts": "欠3万5," * 20_000,
    "periods": "逾期3个月" * 20_000,
    "half years": "半年" * 50_000,
    "mixed": "3万一二w5k" * 12_500,
    "numerals and spaces": "一万 " * 33_000,
    "present": "在门口" * 33_000,
}


@pytest.mark.parametrize("text", ADVERSARIAL.values(), ids=ADVERSARIAL.keys())
def test_bounded_cost_on_huge_input(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # without the length cap the patterns themselves must stay linear: a few tenths of a
    # second here for 100 000 characters; the bound is loose for slow machines
    monkeypatch.setattr(extract_module, "MAX_CHARS", 10**7)
    monkeypatch.setattr(numbers_module, "MAX_CHARS", 10**7)
    started = time.perf_counter()
    _well_formed(found_in(text))
    assert time.perf_counter() - started < 10


def test_huge_input_is_capped() -> None:
    started = time.perf_counter()
    found_in("欠3万5," * 100_000)
    assert time.perf_counter() - started < 5


# -- what the calculator needs: rates, corrections, several debts, budgets, down payments ---

RATES = [
    # (text, annual rate, as written). Hand-converted: a daily rate × 365, a monthly × 12.
    ("借了8万 年利率7.2% 等额本息分24期", 0.072, "年利率7.2%"),
    ("年化24%", 0.24, "年化24%"),
    ("年化利率是18%", 0.18, "年化利率18%"),
    ("月利率0.5%", 0.06, "月利率0.5%"),  # 0.5% × 12 = 6%
    ("月息1分", 0.12, "月息1分"),  # 1分 = 1% a month
    ("月息一分", 0.12, "月息一分"),
    ("月息1分5", 0.18, "月息1分5"),  # 1.5% × 12
    ("月息8厘", 0.096, "月息8厘"),  # 0.8% × 12
    ("2分利", 0.24, "月息2分"),  # 民间: 2% a month
    ("日息万分之五", 0.1825, "日息万分之五"),  # 0.0005 × 365
    ("日息万五", 0.1825, "日息万分之五"),
    ("日利率0.05%", 0.1825, "日利率0.05%"),
    ("日息千分之一", 0.365, "日息千分之一"),  # 0.001 × 365
    ("千分之一", 0.365, "日息千分之一（没写日还是月，按日息理解）"),
    ("利率18%", 0.18, "年利率18%（没写年还是月，按年利率理解）"),
    ("年化18% 不对 是24%", 0.24, "年化24%"),  # the correction, on the basis said before
]


@pytest.mark.parametrize(("text", "annual", "written"), RATES)
def test_rates_as_people_write_them(text: str, annual: float, written: str) -> None:
    found = found_in(text)
    assert found["annual_rate"] == pytest.approx(annual)
    assert found["rate_written"] == written


@pytest.mark.parametrize("text", ["先付10%", "打了8折", "3分钟", "利息3000元", "欠了三万五"])
def test_not_rates(text: str) -> None:
    assert "annual_rate" not in found_in(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("分24期 不对 是30期", {"months": 30}),
        ("不是24期是30期", {"months": 30}),
        ("分24期，改成36期", {"months": 36}),
        ("不是3万，是5万", {"amount": 50_000.0}),
        ("欠3万，应该是2万8", {"amount": 28_000.0}),
        ("欠招行2万，不是3万", {"lender": "招商银行", "amount": 20_000.0}),  # not 3万
    ],
)
def test_corrections_the_last_number_wins(text: str, expected: dict[str, Any]) -> None:
    assert found_in(text) == expected


def test_several_debts_are_listed_and_totalled() -> None:
    found = found_in("招行2万 还有平安1万8")
    assert found["debts"] == [("招商银行", 20_000.0), ("平安银行", 18_000.0)]
    assert found["amount"] == 38_000.0
    assert found["lenders"] == ["招商银行", "平安银行"]
    # a stated total stands
    found = found_in("招行2万，借呗1万，一共欠了3万5")
    assert found["debts"] == [("招商银行", 20_000.0), ("借呗", 10_000.0)]
    assert found["amount"] == 35_000.0
    # a correction of one lender's amount replaces it
    found = found_in("招行2万 不对 是2万5，平安1万8")
    assert found["debts"] == [("招商银行", 25_000.0), ("平安银行", 18_000.0)]
    # one lender: no list
    assert "debts" not in found_in("招行欠了3万,能分24期吗")


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("欠3.5万", 35_000.0),
        ("欠三万五", 35_000.0),
        ("欠3w5", 35_000.0),
        ("欠35k", 35_000.0),
        ("欠0元", 0.0),
        ("欠了2000万", 20_000_000.0),
    ],
)
def test_amounts_the_calculator_answers(text: str, amount: float) -> None:
    assert found_in(text)["amount"] == amount


@pytest.mark.parametrize(
    ("text", "months"), [("0期", 0), ("-3期", -3), ("负3期", -3), ("600期", 600), ("分700期", 700)]
)
def test_periods_out_of_range_are_read(text: str, months: int) -> None:
    assert found_in(text)["months"] == months


@pytest.mark.parametrize(
    ("text", "budget"),
    [
        ("每月最多能还1500，要几期？", 1500.0),
        ("月供最多2000", 2000.0),
        ("一个月只能拿出800", 800.0),
        ("每个月能还两千", 2000.0),
        ("我每个月能出两千", 2000.0),
        ("一个月顶多挤出1500块", 1500.0),
    ],
)
def test_monthly_budget(text: str, budget: float) -> None:
    found = found_in(text)
    assert found["budget"] == budget
    assert "amount" not in found  # what one can pay is not the debt
    assert "months" not in found  # "一个月" says "per month", it is not a period


@pytest.mark.parametrize(
    ("text", "budget", "amount"),
    [("每个月交3000 欠3万", 3000.0, 30000.0), ("欠三万整 我一个月顶多挤出1500块", 1500.0, 30000.0)],
)
def test_budget_is_the_first_figure_after_its_words(
    text: str, budget: float, amount: float
) -> None:
    found = found_in(text)
    assert (found["budget"], found["amount"]) == (budget, amount)


@pytest.mark.parametrize("text", ["每月工资5000", "每个月利息800"])
def test_not_a_budget(text: str) -> None:
    assert "budget" not in found_in(text)


@pytest.mark.parametrize(
    ("text", "key", "value"),
    [
        ("先付10%，剩下的分12期", "down_share", 0.1),
        ("先付一成", "down_share", 0.1),
        ("首付5000", "down_payment", 5000.0),
        ("先还2万，剩下分期", "down_payment", 20_000.0),
    ],
)
def test_down_payment(text: str, key: str, value: float) -> None:
    found = found_in(text)
    assert found[key] == pytest.approx(value)
    assert "amount" not in found


@pytest.mark.parametrize(
    ("text", "convention"),
    [
        ("等额本息分24期", "等额本息"),
        ("等额本金怎么算", "等额本金"),
        ("能免息分期吗", "免息分期"),
        ("不要等额本息，要等额本金", "等额本金"),
    ],
)
def test_convention(text: str, convention: str) -> None:
    assert found_in(text)["convention"] == convention


def test_merge_newer_months_or_budget_wins() -> None:
    months = extract_details("分24期")
    budget = extract_details("每月最多还1500")
    assert months.merged(budget).months is None and months.merged(budget).budget == 1500.0
    assert budget.merged(months).budget is None and budget.merged(months).months == 24
    debts = extract_details("招行2万 还有平安1万8")
    assert debts.merged(extract_details("欠5万")).debts is None  # a new amount replaces them


@pytest.mark.parametrize(
    ("text", "lender"),
    [("只算平安的", "平安银行"), ("平安那笔呢", "平安银行"), ("光大的呢?", "光大银行")],
)
def test_a_short_bank_name_pointing_at_a_debt(text: str, lender: str) -> None:
    assert found_in(text)["lender"] == lender


@pytest.mark.parametrize("text", ["一路平安!", "平安夜", "身体平安就好"])
def test_short_bank_names_as_ordinary_words(text: str) -> None:
    assert "lender" not in found_in(text)


@pytest.mark.parametrize(
    ("text", "amount"),
    [("欠了八万多", 80_000), ("欠八万多块", 80_000), ("欠了十二万多", 120_000), ("三千多", 3_000)],
)
def test_an_amount_in_chinese_numerals_with_more_is_money(text: str, amount: int) -> None:
    found = extract_details(text)
    assert found.amount == amount and found.amount_approx is True


def test_a_count_with_more_is_still_no_money() -> None:
    assert extract_details("来了三百多个人").amount is None
    assert extract_details("打了二十多个电话").amount is None


@pytest.mark.parametrize(
    ("text", "amount", "budget"),
    [
        # two figures side by side: the word before the first is not the second's
        ("他每月能拿出3500，17万只算本金的话大概要还多久", 170_000.0, 3500.0),
        ("他每月能拿出3500 17万只算本金", 170_000.0, 3500.0),
        # what one can pay said once, in a message that speaks of months
        ("我实习一个月4000 房租1500 最多拿出1000来还 欠22000", 22_000.0, 1000.0),
        # in English
        ("if i put 3k a month toward it, how many months for 40k?", 40_000.0, 3000.0),
        ("i can pay 2000 a month, i owe 30000", 30_000.0, 2000.0),
    ],
)
def test_budget_and_amount_as_people_state_them(text: str, amount: float, budget: float) -> None:
    found = found_in(text)
    assert (found["amount"], found["budget"]) == (amount, budget)
    assert "months" not in found  # "一个月4000" is what a month brings, not one period


@pytest.mark.parametrize(("text", "amount"), [("欠3万来块", 30_000.0), ("欠了1万来块钱", 10_000.0)])
def test_lai_before_a_unit_keeps_the_amount(text: str, amount: float) -> None:
    assert found_in(text)["amount"] == amount


def test_one_month_as_a_period_is_still_read() -> None:
    assert found_in("欠5万 分一个月还")["months"] == 1


@pytest.mark.parametrize(
    "text", ["他们让我扫码先还两千", "催收逼我先付5000", "他们说扫码先还2000就走", "对方说先付3000"]
)
def test_a_payment_someone_demands_is_no_down_payment(text: str) -> None:
    """What a collector demands ("让我先还两千") is not the person's own plan to pay part first
    (it must never become the first installment of a calculation)."""
    assert "down_payment" not in found_in(text)


@pytest.mark.parametrize(
    ("text", "amount", "budget"),
    [
        # 多久 / 多少 after a figure are the question, not "more than" (20多个 stays a count)
        ("欠2万6 每个月能还1300 多久能清", 26_000.0, 1300.0),
        ("欠3万 每月还2000多少个月能还完", 30_000.0, 2000.0),
        # the figure before "一个月" is the monthly budget; its 一 counts the month
        ("那我就按一千五一个月跟安逸花谈两万多大概要多久才能还完", 20_000.0, 1500.0),
        ("按1500一个月跟他们谈 欠了两万", 20_000.0, 1500.0),
        ("欠2万 2000一个月 多久还完", 20_000.0, 2000.0),
        # 按每月N (a plan to pay) and 每月N还 (the verb after the figure) say the budget too
        ("欠4万5 按每月3000还 要多久", 45_000.0, 3000.0),
        ("欠5万5 按每月1900 大概多久还完", 55_000.0, 1900.0),
        ("欠3万 每个月2000块来还 要还几年", 30_000.0, 2000.0),
    ],
)
def test_budget_said_before_or_beside_the_question(text: str, amount: float, budget: float) -> None:
    found = found_in(text)
    assert (found["amount"], found["budget"]) == (amount, budget)
    assert "months" not in found


@pytest.mark.parametrize(
    ("text", "key", "value"),
    [
        ("逾期十一个月了", "overdue_months", 11),  # 十一 stays eleven
        ("欠了一万一", "amount", 11_000.0),
        ("欠了两万一个月了", "amount", 20_000.0),  # owed, not a budget
    ],
)
def test_one_that_belongs_to_the_figure(text: str, key: str, value: float) -> None:
    found = found_in(text)
    assert found[key] == value
    assert "budget" not in found


@pytest.mark.parametrize(
    ("text", "income", "costs"),
    [
        ("工资5500 房租1500 吃饭通勤1200 我每个月到底能拿出多少来还", 5500.0, 2700.0),
        ("我现在每个月工资六千五房贷要三千孩子奶粉尿布一千", 6500.0, 4000.0),
        ("salary 9500, rent 3000, 吃饭1800, misc 700", 9500.0, 5500.0),
        ("跑外卖的 一个月大概五千五 房租800 吃饭一千 其他四百左右", 5500.0, 2200.0),
        # a cost said with 算; "3800 家里…" is money, then the household (家 counts banks)
        ("我每月到手5200 房租1500 吃饭交通算1200", 5200.0, 2700.0),
        ("我月薪9000 房贷3800 家里开销2500 每个月能拿多少出来还", 9000.0, 6300.0),
    ],
)
def test_income_and_costs_are_not_the_debt(text: str, income: float, costs: float) -> None:
    found = found_in(text)
    assert found["income"] == income
    assert sum(value for _, value in found["costs"]) == costs
    assert "amount" not in found


def test_a_cost_corrected_by_another_name_of_it() -> None:
    told = extract_details("工资4000 租房八百 吃饭一千二")
    corrected = told.merged(extract_details("等下 我算错了 房租其实是1000"))
    assert dict(corrected.costs or ()) == {"房租": 1000.0, "吃饭": 1200.0}
    assert corrected.spare == 1800.0
    assert extract_details("房租其实是2100").amount is None  # a cost is never the debt


def test_one_of_several_debts_corrected() -> None:
    debts = extract_details("借呗2.3万 花呗6千 美团1.1万")
    corrected = debts.merged(extract_details("不对，美团是1.6万不是1.1万"))
    assert corrected.debts == (("借呗", 23000.0), ("花呗", 6000.0), ("美团", 16000.0))
    assert corrected.amount == 45000.0
    assert corrected.lenders == ("借呗", "花呗", "美团")
    # a new amount with no lender of the list still replaces the list
    assert debts.merged(extract_details("欠了5万")).debts is None


@pytest.mark.parametrize(
    ("text", "debts"),
    [
        # a figure right after a lender is owed there, even one that looks like a year
        ("借呗8000 美团2000 安逸花6000", [("借呗", 8000.0), ("美团", 2000.0), ("安逸花", 6000.0)]),
        # a lender's product named like a cost (美团生活费) is a debt; digits after a space
        # that begin a name (360借条) do not make the figure before them a phone number
        (
            "京东金条5000 美团生活费2000 安逸花6000 360借条4000",
            [("京东金条", 5000.0), ("美团", 2000.0), ("安逸花", 6000.0), ("360借条", 4000.0)],
        ),
    ],
)
def test_debts_listed_as_people_list_them(text: str, debts: list[tuple[str, float]]) -> None:
    found = found_in(text)
    assert found["debts"] == debts
    assert "costs" not in found


def test_a_spaced_phone_number_is_still_no_amount() -> None:
    assert "amount" not in found_in("我的电话138 1234 5678")


@pytest.mark.parametrize("text", ["每月工资3000", "每个月3000利息", "每月收入6500"])
def test_a_monthly_figure_that_is_not_paid_is_no_budget(text: str) -> None:
    assert "budget" not in found_in(text)


def test_a_cost_followed_by_a_month_is_not_the_budget() -> None:
    found = found_in("我月薪9000 房贷3800 家里开销2500 每个月能拿多少出来还")
    assert "budget" not in found
    assert found_in("工资5500 每月最多还1500")["budget"] == 1500.0


def test_three_banks_are_still_counted_not_money() -> None:
    assert "amount" not in found_in("欠了三家银行")


@pytest.mark.parametrize(
    "text", ["群里有人转了个新闻说外访人员打人被拘了 真的假的", "我转给你看看他发的短信"]
)
def test_forwarding_a_message_is_not_a_payment(text: str) -> None:
    assert extract_details(text).paid is None


@pytest.mark.parametrize(
    ("text", "paid"), [("我已经转了2000给他个人微信", "personal"), ("刚转给他5000", "yes")]
)
def test_money_sent_is_a_payment(text: str, paid: str) -> None:
    assert extract_details(text).paid == paid


@pytest.mark.parametrize(
    ("text", "budget"),
    [
        ("那如果我每个月再挤一挤 还2700呢", 2700.0),  # 挤一挤 is no number
        ("借呗那笔每月也1000呢", 1000.0),  # only an adverb between 每月 and the figure
        ("我一个月工资五千二房贷两千能拿出一千二还中原的", 1200.0),
    ],
)
def test_a_monthly_budget_said_in_passing_is_read(text: str, budget: float) -> None:
    assert extract_details(text).budget == budget


def test_a_verb_said_twice_is_not_a_number() -> None:
    assert extract_details("看一看 欠了一万").amount == 10000.0


@pytest.mark.parametrize(
    ("said", "received", "amount"),
    [
        ("我在一个小app上借了3000，到手只有2100，7天要还3000", 2100.0, 3000.0),
        ("借1万到手7千", 7000.0, 10000.0),
        ("我借了两万 下款只有一万六", 16000.0, 20000.0),
        ("the small app only gave me 1400", 1400.0, None),
    ],
)
def test_the_money_a_loan_paid_out_is_read(
    said: str, received: float, amount: float | None
) -> None:
    """ "到手" after a loan is what it paid out (the principal the law counts), not a month's
    pay and not the debt."""
    details = extract_details(said)
    assert details.received == received and details.amount == amount, details


def test_take_home_pay_is_no_loan_payout() -> None:
    details = extract_details("工资到手六千五 房租2000")
    assert details.received is None and details.income == 6500.0


@pytest.mark.parametrize(
    "said", ["有个债务优化公司说收我3000服务费就能帮我谈下来", "他们要我先交5000的保证金"]
)
def test_a_fee_is_not_the_debt(said: str) -> None:
    """A figure named as a fee or a deposit is what someone charges, never what is owed."""
    assert extract_details(said).amount is None


def test_a_debt_stays_a_debt() -> None:
    assert extract_details("欠了3000块").amount == 3000.0


@pytest.mark.parametrize(
    "text",
    [
        "They're holding a QR code to the peephole: scan and pay 5000 now and they'll leave",
        "上门的人说今天必须先还500表示诚意 让我转他支付宝",
        "他说转给他3000就撤案",
        "he sent me a QR code to pay 1500 to close the case",
    ],
)
def test_a_payment_demanded_now_is_not_the_debt(text: str) -> None:
    """A sum asked for on the spot (a part, or a trick) never replaces the total owed."""
    assert extract_details(text).amount is None


@pytest.mark.parametrize(
    ("text", "owed"),
    [
        ("他们让我还38000", 38000.0),
        ("欠招行5万 今天还了2000", 50000.0),
        ("I owe about 60,000 yuan", 60000.0),
    ],
)
def test_the_debt_said_beside_a_payment_is_still_read(text: str, owed: float) -> None:
    assert extract_details(text).amount == owed


@pytest.mark.parametrize(
    ("text", "amount", "repaid"),
    [
        ("我昨天用建行手机银行还了5000 今天催收还打电话说没收到", None, 5000.0),
        ("欠招行5万 今天还了2000", 50000.0, 2000.0),
        ("已经还了一部分 3000", None, 3000.0),
        ("I repaid 2000 last week but I still owe 30000", 30000.0, 2000.0),
        ("还没还5000", 5000.0, None),
    ],
)
def test_a_repayment_told_is_repaid_not_owed(
    text: str, amount: float | None, repaid: float | None
) -> None:
    found = extract_details(text)
    assert (found.amount, found.repaid) == (amount, repaid)
