"""Money: the amount owed (the total beats what is owed, which beats a limit; a monthly
payment or an income is not the debt), several debts by lender, the interest rate, the monthly
budget, a down payment and the repayment convention."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from bot.understanding.details.numbers import (
    _APPROX_BEFORE,
    _CLAUSE_BREAK,
    _CN_DIGIT_VALUES,
    _CORRECTION,
    _clause_before,
    _nearest,
    _Number,
    _number_value,
)
from bot.understanding.details.vocab import Convention

# Words that attach an amount to the debt, by strength: the total beats what is owed, which
# beats a credit limit; a monthly payment or an income is not the debt at all.
_AMOUNT_KEYWORDS: tuple[tuple[int, tuple[str, ...]], ...] = (
    (3, ("总共", "一共", "总计", "合计", "加起来", "总额", "全部", "共欠", "总欠")),
    (
        2,
        (
            "欠",
            "借",
            "本金",
            "透支",
            "待还",
            "未还",
            "应还",
            "剩",
            "还有",
            "贷了",
            "贷款",
            "刷了",
            "债",
        ),
    ),
    (1, ("额度",)),
    (
        -1,
        (
            "每月",
            "每个月",
            "一个月",
            "月供",
            "每期",
            "工资",
            "收入",
            "月薪",
            "月入",
            "年薪",
            "利息",
            "罚息",
            "手续费",
            "违约金",
            "年费",
            "先付",
            "首付",
            "先还",
            "先交",
            "先给",
        ),
    ),
)


# Numbers that identify rather than count: never an amount.
#: payment channels whose names hold an ID word ("手机银行还了5000")
_APP_NAMES = re.compile(r"手机银行|手机App|手机APP|手机app|电话银行")
_ID_WORDS = (
    "尾号",
    "卡号",
    "号码",
    "电话",
    "手机",
    "身份证",
    "账号",
    "帐号",
    "编号",
    "验证码",
    "工号",
    "密码",
    "qq",
    "微信号",
    "订单",
    "车牌",
    "房间",
    "门牌",
    "邮编",
    "单号",
)


#: 3万多, 20几, 1000来块 (a space only before 多/余: "1500 几年" is a figure, then a
#: question; 来 only before a unit: "拿出1000来还" is 1000, to pay with)
#: 多 and 余 after a figure make it approximate (20多, 两万多), except the question words 多久 and
#: 多少 that may follow it ("每个月能还1300 多久能清")
_APPROX_MID = re.compile(r" ?(多(?![久少])|余)|(来)(?=[个块元万千百岁天次人年月期笔])|(几)")


_MAGNITUDE = re.compile(r" ?(万|w(?![a-z])|千|k(?![a-z])|百|亿)")


_APPROX_AFTER = re.compile(r"(多(?![久少])|余|左右|上下)")


_SECONDARY = re.compile(r"([0-9]{1,4}|[一二两三四五六七八九])(?![0-9]|[.,][0-9])(千|k(?![a-z]))?")


_CURRENCY = re.compile(r" ?(元|块钱|块|人民币|rmb(?![a-z]))")


# What a bare number counts when it is not money.
_COUNTER = re.compile(
    # "20几个" counts; "1500 几年" is a figure, then a question ("几年能还完")
    # ("三家银行"; but "3800 家里开销" is money, then the household)
    r"(?: ?(?:多|来|余)?|几)(?:个|期|月|天|年|日|号|次|张|岁|%|‰|人|家(?![里人中庭属用])"
    r"|条|周|星期|小时|分钟|秒|点|楼|层|倍|折|成|位|遍|趟|笔|斤|公里|米|届|代)"
)


def _attachment(window: str) -> int:
    """How strongly the words before a number tie it to the debt (see _AMOUNT_KEYWORDS).

    The nearest keyword decides whether the number is a monthly payment or an income (-1);
    otherwise the strongest keyword in the clause counts (总共欠了 → a total).
    """
    if _nearest(window, _AMOUNT_KEYWORDS) == -1:
        return -1
    found = [level for level, words in _AMOUNT_KEYWORDS if any(w in window for w in words)]
    return max(found, default=0)


def _is_date_or_phone(text: str, start: int, end: int) -> bool:
    """True when the number is glued to another by - / : . or a space (2024-03-05, 10:30,
    2024.3.5, 138-1234-5678, 138 1234 5678)."""
    before = text[max(0, start - 2) : start]
    after = text[end : end + 2]
    if len(before) == 2 and before[1] in "-/: " and before[0].isdigit():
        return not _FIGURE_AFTER_SPACE.match(text, start - 1)
    if _FIGURE_AFTER_SPACE.match(text, end):
        return False  # 每月3500 17万: two figures, the second with its unit
    if _NAME_AFTER_SPACE.match(text, end):
        return False  # 安逸花6000 360借条4000: the digits after the space start a name
    return len(after) == 2 and after[0] in "-/:. " and after[1].isdigit()


#: the public service lines people name (12378 financial complaints, 12368 courts, 12348 legal
#: aid, 12356 mental health, 12345 city hotline, 12315 consumers, 12363 the central bank …)
_PUBLIC_LINES = frozenset(
    {
        12306,
        12315,
        12319,
        12320,
        12328,
        12333,
        12345,
        12348,
        12351,
        12355,
        12356,
        12358,
        12363,
        12365,
        12366,
        12368,
        12369,
        12377,
        12378,
        12381,
        12388,
        12389,
        12390,
        12393,
    }
)


def _is_hotline(value: Decimal) -> bool:
    """12378, 95508, 96110: a service line written without a unit (bank and police lines are
    95xxx/96xxx and never round hundreds; 95000 owed is money)."""
    if value != value.to_integral_value():
        return False
    v = int(value)
    return v in _PUBLIC_LINES or (95_000 <= v <= 96_999 and v % 100 != 0)


#: words that dial a number ("打95508", "拨打400…", "call 95588")
_DIALLED = re.compile(r"(?:打|拨打?|致电|热线|电话|(?i:call|dial|ring))\s*$")
#: a space, then digits that begin a name ("360借条", "58同城"): not the rest of a phone number
_NAME_AFTER_SPACE = re.compile(
    r" [0-9]{1,4}(?![0-9年月日号点时分秒万千百元块wk.:/-])[\u4e00-\u9fff]"
)
_EARLIER_FIGURE = re.compile(r"[0-9]+(?:\.[0-9]+)?\s*(?:万|千|w|k|元|块钱|块)?")
#: a space, then a figure with its unit ("3500 17万"): two figures, not a phone number
_FIGURE_AFTER_SPACE = re.compile(r" [0-9]{1,6}(?:\.[0-9]+)?(?:万|千|w|k|元|块)")


#: "按6万8算", "就按照五万来算": the figure a calculation is asked on
_CALCULATE_BY = re.compile(r"按(?:照)?\s*$")
_CALCULATED = re.compile(r"\s*(?:来|去)?(?:算|计算)")


@dataclass(slots=True)
class _Amount:
    value: Decimal
    approx: bool
    priority: int


def _read_amount(text: str, num: _Number, *, any_context: bool = False) -> _Amount | None:
    """The amount of money that starts with ``num``, or None when it counts something else.

    With ``any_context`` the words before the number are not asked whether it is the debt
    (a monthly budget or a down payment is money too)."""
    before = text[max(0, num.start - 4) : num.start]
    if before.endswith(("百分之", "千分之", "百分", "第")):
        return None
    pos = num.end
    approx = num.approx
    value = num.value
    mid = _APPROX_MID.match(text, pos)
    if mid:
        approx = True
        pos = mid.end()
    unit = False
    mag = _MAGNITUDE.match(text, pos)
    if mag:
        factor = {"万": 10_000, "w": 10_000, "千": 1_000, "k": 1_000, "百": 100, "亿": 100_000_000}[
            mag.group(1)
        ]
        value *= factor
        unit = True
        pos = mag.end()
        after = _APPROX_AFTER.match(text, pos)
        if after:
            approx = True
            pos = after.end()
        elif factor >= 1_000:
            pos, value = _read_secondary(text, pos, value, factor)
    elif mid and not num.magnitude:
        return None  # 20多个, 十几次: a count, not money (八万多 is money: its 万 came first)
    currency = _CURRENCY.match(text, pos)
    if currency:
        unit = True
        pos = currency.end()
        after = _APPROX_AFTER.match(text, pos)
        if after:
            approx = True
    elif not mag and _COUNTER.match(text, pos):
        return None
    if not unit and _is_date_or_phone(text, num.start, num.end):
        return None
    if (
        not unit
        and num.arabic
        and (_is_hotline(num.value) or _DIALLED.search(text[max(0, num.start - 4) : num.start]))
    ):
        return None  # 打95508问问, 12378投诉: a service number, not money
    window = _clause_before(text, num.start)
    # a word before an earlier figure is that figure's ("每月能拿出3500 17万": 拿出 is the
    # budget's, and says nothing about 17万)
    window = _EARLIER_FIGURE.split(window)[-1]
    if any(word in _APP_NAMES.sub("", window)[-6:] for word in _ID_WORDS):
        return None  # (手机银行 is a way to pay, not a phone number: "用手机银行还了5000")
    if _CALCULATE_BY.search(text[max(0, num.start - 3) : num.start]) and _CALCULATED.match(
        text, pos
    ):
        priority = 4  # 就按6万8算: the figure named for the calculation, whatever precedes it
    else:
        priority = 1 if any_context else _attachment(window)
    if priority < 0:
        return None
    if num.arabic and not num.grouped and len(str(int(num.value))) >= 10:
        return None  # 10 digits and more: a phone, card or ID number
    if not unit:
        money_like = (
            num.grouped
            or num.magnitude
            or (priority > 0 and value >= 100)
            # a bare 30000 is money, a bare 2024 more likely a year
            or (num.arabic and value >= 1000 and not 1950 <= value <= 2099)
        )
        if not money_like:
            return None
    if value == 0 and unit and num.arabic:
        return _Amount(value, approx, priority)  # 欠0元: said, and answered
    if value < (1 if mag else 10) or value > Decimal(10) ** 12:
        return None  # 一块 (together), 两块: not a sum of money
    if any(word in window[-4:] for word in _APPROX_BEFORE) or window.endswith(("-", "~", "到")):
        approx = True
    return _Amount(value, approx, priority)


def _read_secondary(text: str, pos: int, value: Decimal, factor: int) -> tuple[int, Decimal]:
    """3万5 (35000), 3万5千, 3万5000, 3千5 (3500): the lower part after a unit."""
    m = _SECONDARY.match(text, pos)
    if not m:
        return pos, value
    if _COUNTER.match(text, m.end()) or (_MAGNITUDE.match(text, m.end()) and not m.group(2)):
        return pos, value  # 3万5个月: the 5 counts months
    raw = m.group(1)
    digit = Decimal(_CN_DIGIT_VALUES[raw]) if raw in _CN_DIGIT_VALUES else Decimal(raw)
    if m.group(2):  # 3万5千
        if factor <= 1_000:
            return pos, value
        return m.end(), value + digit * 1_000
    if len(raw) == 1:  # 3万5 = 3万5千, 3千5 = 3千5百
        return m.end(), value + digit * factor / 10
    if digit < factor:  # 3万5000
        return m.end(), value + digit
    return pos, value


_CONVENTIONS: dict[str, Convention] = {
    "等额本息": Convention.EQUAL_INSTALLMENT,
    "等额本金": Convention.EQUAL_PRINCIPAL,
    "免息分期": Convention.INTEREST_FREE,
    "停息分期": Convention.INTEREST_FREE,
    "免息": Convention.INTEREST_FREE,
    "停息": Convention.INTEREST_FREE,
    "无息": Convention.INTEREST_FREE,
    "零利息": Convention.INTEREST_FREE,
    "不要利息": Convention.INTEREST_FREE,
    "不算利息": Convention.INTEREST_FREE,
}


_CONVENTION = re.compile("|".join(sorted(_CONVENTIONS, key=len, reverse=True)))


_RATE_NUM = r"[0-9]{1,3}(?:\.[0-9]{1,4})?|[零一二两三四五六七八九十点]{1,8}"


_RATE_VALUE = (
    rf"(?:(?P<pct>{_RATE_NUM}) ?%|百分之(?P<pct2>{_RATE_NUM})|(?P<pm>{_RATE_NUM}) ?‰"
    rf"|千分之(?P<pm2>{_RATE_NUM})|万分之(?P<pt>{_RATE_NUM})"
    r"|万(?P<pt2>[一二两三四五六七八九]|[0-9](?:\.[0-9])?)(?![0-9万千百点.])"
    rf"|(?P<fen>{_RATE_NUM})分(?P<fen2>[0-9一二三四五六七八九])?(?![钟之])"
    rf"|(?P<li>{_RATE_NUM})厘)"
)


_RATE_BASIS = (
    r"(?P<basis>年化利率|年化|年利率|年利息|年息|年费率|年率|月利率|月利息|月息|月费率"
    r"|月率|日利率|日利息|日息|日费率|日率|利率|利息)"
)


_RATE_FILL = r"(?:是|为|:|大概|大约|约|差不多|才|有|按|高达|只有|居然|竟然| ){0,3}"


_RATE = re.compile(_RATE_BASIS + _RATE_FILL + _RATE_VALUE)


_RATE_BARE = re.compile(_RATE_VALUE)


#: 2分利, 一分利: the private-lending way of saying a monthly rate
_RATE_FEN_LI = re.compile(rf"(?P<fen>{_RATE_NUM})分(?P<fen2>[0-9一二三四五六七八九])?利")


_BUDGET_START = re.compile(r"每个?月|一个月|月供|每期")


_BUDGET_VERB = re.compile(
    r"还|拿出|拿|付|供|承担|负担|最多|顶多|最高|只能|出得起|挤出|能出|凑|给|交"
)


#: the verb after the figure: "每月3000还", "每个月2000块来还"
_BUDGET_VERB_AFTER = re.compile(r"\s*(?:块|元)?\s*(?:来|去)?(?:还|付|供)")


#: only an adverb between "每月" and the figure ("借呗那笔每月也1000呢", "每月就800"): a budget
_BUDGET_ADVERBS = re.compile(r"[也就只都再]{1,2}")
_BUDGET_NOT = re.compile(r"工资|收入|赚|挣|利息|手续费|罚息|年费|月薪|发")


#: someone else demands the payment ("他们让我先还两千", "催收逼我先付5000")
_DEMANDED = re.compile(
    r"让我|要我|叫我|逼我|要求我|让你|要你|说先|非要|(?:他们|他|她|对方|催收|外访)(?:的人)?说"
)
_DOWN = re.compile(r"(?:先付|先还|首付|先交|先给|先拿出|首期付)(?:个|了|掉)? ?")


_DOWN_SHARE = re.compile(
    rf"百分之(?P<a>{_RATE_NUM})|(?P<b>{_RATE_NUM}) ?%"
    r"|(?P<c>[一二两三四五六七八九1-9])成"
)


def _debts(
    text: str, mentions: list[tuple[int, int, str]], candidates: list[tuple[_Number, _Amount]]
) -> list[tuple[str, Decimal]] | None:
    """招行2万 还有平安1万8 → [("招商银行", 20000), ("平安银行", 18000)]: each amount goes to
    the lender named just before it; two or more lenders with amounts make a list."""
    owed: dict[str, Decimal] = {}
    last_end: dict[str, int] = {}
    for num, amount in candidates:
        if amount.priority >= 3:
            continue  # 一共3万5: the total, no lender's share
        before = [m for m in mentions if m[1] <= num.start]
        if not before:
            continue
        _, end, name = before[-1]
        gap = text[end : num.start]
        if len(gap) > 16 or _CLAUSE_BREAK.search(gap.replace(" ", "")):
            continue
        if name in owed and _CORRECTION.search(text[last_end[name] : num.start]):
            owed[name] = amount.value  # 招行2万 不对 是2万5
        else:
            owed[name] = owed.get(name, Decimal(0)) + amount.value
        last_end[name] = num.end
    return list(owed.items()) if len(owed) >= 2 else None


def _rate_of(basis: str, m: re.Match[str]) -> tuple[Decimal, str] | None:
    """(annual rate, the value as written) for one rate value on a 年/月/日 basis."""
    groups = m.groupdict()
    forms = (
        ("pct", "%"),
        ("pct2", "%"),
        ("pm", "‰"),
        ("pm2", "‰"),
        ("pt", "万"),
        ("pt2", "万"),
        ("fen", "分"),
        ("li", "厘"),
    )
    raw, form = next(((groups[name], form) for name, form in forms if groups.get(name)), ("", ""))
    if not raw:  # pragma: no cover - the pattern always sets one group
        return None
    value = _number_value(raw)
    if value is None or value <= 0:
        return None
    if form == "%":
        per, written = value / 100, f"{raw}%"
    elif form == "‰":
        per, written = value / 1000, f"千分之{raw}"
    elif form == "万":
        per, written = value / 10_000, f"万分之{raw}"
    else:
        if basis == "日":
            return None  # 日息5厘: not a common way of writing, not guessed
        sub = groups.get("fen2")
        extra = (_number_value(sub) or Decimal(0)) / 10 if sub else Decimal(0)
        if form == "分":  # 月息1分 = 1% a month; 年息1分 = 10% a year
            per = (value + extra) / (100 if basis == "月" else 10)
            written = f"{raw}分{sub or ''}"
        else:  # 月息8厘 = 0.8% a month; 年息8厘 = 8% a year
            per = value / (1000 if basis == "月" else 100)
            written = f"{raw}厘"
    annual = per * {"年": 1, "月": 12, "日": 365}[basis]
    if not 0 < annual <= 10:
        return None
    return annual, written


def _rate(text: str, correction: int) -> tuple[float, str] | None:
    """The interest rate in the message as (annual rate, how it was written), or None.

    年化7.2%, 月息1分, 日息万五 (万分之五), 千分之一, 2分利. A correction (年化18% 不对 是24%) takes
    the last rate after it, on the basis said before. Without 年/月/日 a percentage is read as
    a yearly rate and 万分之/千分之 as a daily one, and the text says so.
    """
    found: list[tuple[int, str | None, str, re.Match[str]]] = []
    covered: list[tuple[int, int]] = []
    for m in _RATE.finditer(text):
        word = m.group("basis")
        basis = word[0] if word[0] in "年月日" else None
        found.append((m.start(), basis, word, m))
        covered.append(m.span())
    for m in _RATE_FEN_LI.finditer(text):
        if not any(s <= m.start() < e for s, e in covered):
            found.append((m.start(), "月", "月息", m))
            covered.append(m.span())
    for m in _RATE_BARE.finditer(text):
        if any(s <= m.start() < e for s, e in covered):
            continue
        bare_pct = m.group("pct") or m.group("pct2")
        if bare_pct and not (correction and m.start() >= correction):
            continue  # 先付10%: a bare percentage is a rate only as a correction of one
        if m.group("fen") or m.group("li") or m.group("pt2"):
            continue  # 3分, 5厘, 万五 alone: too ambiguous without 月息/日息
        found.append((m.start(), None, "", m))
    if not found:
        return None
    found.sort(key=lambda item: item[0])
    if correction and any(start >= correction for start, *_ in found):
        index = max(i for i, item in enumerate(found) if item[0] >= correction)
    else:
        index = 0
    _, basis, word, m = found[index]
    assumed = ""
    if basis is None:
        earlier = [b for s, b, _, _ in found[:index] if b is not None]
        earlier_words = [w for s, b, w, _ in found[:index] if b is not None]
        if earlier:
            basis, word = earlier[-1], earlier_words[-1]
        elif m.group("pct") or m.group("pct2") or m.group("fen") or m.group("li"):
            basis, word = ("月", "月息") if (m.group("fen") or m.group("li")) else ("年", "年利率")
            assumed = "（没写年还是月，按" + ("月息" if basis == "月" else "年利率") + "理解）"
        else:
            basis, word = "日", "日息"
            assumed = "（没写日还是月，按日息理解）"
    rate = _rate_of(basis, m)
    if rate is None:
        return None
    annual, written = rate
    if not word or word[0] not in "年月日":
        word = {"年": "年利率", "月": "月息", "日": "日息"}[basis]
    return float(annual), f"{word}{written}{assumed}"


def _budget(text: str, numbers: list[_Number]) -> tuple[float, int, int, int] | None:
    """每月最多能还1500, 月供最多2000, 一个月只能拿出800 → the monthly budget in yuan, where
    the words that say it is monthly start ("一个月" of 一个月顶多挤出1500: those words say "per
    month", they are not a period of one month), where its figure starts and where its words
    end (that figure and those words say nothing about the debt)."""
    found = _budget_after_words(text, numbers)
    if found is None and _PER_MONTH.search(text):
        found = _budget_said_once(text, numbers)
    return found


#: the message speaks of months ("一个月4000 …", "3k a month"): "最多拿出1000" is monthly too
_PER_MONTH = re.compile(
    r"每个?月|一个月|月供|月收入|月薪|(?i:a month|per month|/month|monthly|each month)"
)
#: what one can pay, said without "每月" right before it ("最多拿出1000来还", "put 3k a month")
_CAN_PAY = re.compile(
    r"(?:最多|顶多|只能|最多能|顶多能)(?:拿出|挤出|还|出|凑|给)?$|(?:能|可以|能够)(?:拿出|挤出|凑出)$"
    r"|(?i:(?:put|pay|afford|spare)\s*$)"
)
_A_MONTH_AFTER = re.compile(
    r"\s*(?:块|元)?\s*(?:(?i:a month|per month|/month|monthly|each month|every month)"
    r"|(?P<cn>一个月|每个?月|一月|/月))"
    # ... not the start of the next clause ("欠招行5万 每月工资6000 房租2000")
    r"(?!\s*(?:的)?(?:工资|收入|薪|挣|赚|到手|房租|租金|开销|开支|花销|生活费|要还|还款|还多少))"
)
#: a figure said as owed or borrowed is not what one can pay ("欠两万一个月了")
_OWED_BEFORE = re.compile(r"(?:欠|借|共|总|合计)[了的]?[^\d，。,！？!?\s]{0,6}\s*$")


def _budget_said_once(text: str, numbers: list[_Number]) -> tuple[float, int, int, int] | None:
    for num in numbers:
        before = text[max(0, num.start - 8) : num.start]
        words = _CAN_PAY.search(before)
        after = _A_MONTH_AFTER.match(text, _amount_end(text, num))
        if words is None and (after is None or _OWED_BEFORE.search(before)):
            continue
        amount = _read_amount(text, num, any_context=True)
        if amount is not None and amount.value > 0:
            if words is not None:
                start = max(0, num.start - 8) + words.start()
            elif after is not None and after.group("cn"):  # 按一千五一个月: 一个月 = "per month"
                start = after.start("cn")
            else:
                start = num.start
            end = after.end() if after is not None else _amount_end(text, num)
            return float(amount.value.quantize(Decimal("0.01"))), start, num.start, end
    return None


def _amount_end(text: str, num: _Number) -> int:
    m = _MAGNITUDE.match(text, num.end)
    return m.end() if m else num.end


def _budget_after_words(text: str, numbers: list[_Number]) -> tuple[float, int, int, int] | None:
    found: tuple[float, int, int, int] | None = None
    for num in numbers:
        window = text[max(0, num.start - 12) : num.start]
        starts = list(_BUDGET_START.finditer(window))
        if not starts:
            continue
        start = starts[-1]
        gap = window[start.end() :]
        if _CLAUSE_BREAK.search(gap) or _BUDGET_NOT.search(gap) or len(gap) > 8:
            continue
        if any(
            other.start >= start.end() + max(0, num.start - 12)
            for other in numbers
            if other.start < num.start
        ):
            continue  # 每个月还3000 欠3万: the budget is the first figure after the words
        begins = max(0, num.start - 12) + start.start()
        planned = text[max(0, begins - 1) : begins] == "按"  # 按每月1900: a plan to pay
        paid_after = _BUDGET_VERB_AFTER.match(text, _amount_end(text, num))  # 每月3000还
        if (
            start.group(0) != "月供"
            and not _BUDGET_VERB.search(gap)
            and not planned
            and not paid_after
            and not _BUDGET_ADVERBS.fullmatch(gap.strip())  # 每月也1000: the same again
        ):
            continue
        amount = _read_amount(text, num, any_context=True)
        if amount is not None and amount.value > 0:
            found = (
                float(amount.value.quantize(Decimal("0.01"))),
                max(0, num.start - 12) + start.start(),
                num.start,
                _amount_end(text, num),
            )
    return found


def _down_payment(text: str, numbers: list[_Number]) -> tuple[str, float] | None:
    """先付10% → ("down_share", 0.1); 首付5000 → ("down_payment", 5000.0)."""
    found: tuple[str, float] | None = None
    for m in _DOWN.finditer(text):
        if _DEMANDED.search(text[max(0, m.start() - 6) : m.start()]):
            continue  # "他们让我扫码先还两千": what a collector demands is not the person's plan
        share = _DOWN_SHARE.match(text, m.end())
        if share:
            if share.group("c"):
                value = _number_value(share.group("c"))
                found = ("down_share", float(value / 10)) if value else found
            else:
                value = _number_value(share.group("a") or share.group("b"))
                if value is not None and 0 <= value <= 1000:
                    found = ("down_share", float(value / 100))
            continue
        for num in numbers:
            if num.start == m.end():
                amount = _read_amount(text, num, any_context=True)
                if amount is not None:
                    found = ("down_payment", float(amount.value.quantize(Decimal("0.01"))))
                break
    return found


#: the words before a month's income ("工资5500", "到手六千五", "做家教还能挣800", "salary 9500")
_INCOME_WORDS = re.compile(
    r"(?:工资|收入|月薪|薪水|到手|挣|赚|(?i:salary|income|take[- ]home|i earn|i make|earn|wage)s?)"
    r"(?:是|有|大概|差不多|才|就|只有|能|了|也就)?\s*[:：]?\s*$"
)
#: the words before a month's fixed cost ("房租1500", "吃饭通勤1200", "奶粉尿布一千", "rent 3000")
_COST_WORDS = re.compile(
    r"(?P<name>房租|租金|租房|房贷|车贷|吃饭|伙食|饭钱|生活费|通勤|交通|水电|话费|奶粉|尿布|学费|养老"
    r"|开销|花销|花费|保险|电瓶租金|其他|其它|其余|杂费|(?i:rent|food|groceries|commute|transport"
    r"|insurance|utilities|bills|misc|other|phone|tuition|childcare))"
    r"(?:费)?(?:其实)?(?:要|得|大概|差不多|是|加起来|一共|花|算|算上|约|共|合计)?\s*[:：]?\s*$"
)


#: one name per cost, so a correction finds it ("租房八百" then "房租其实是1000")
_COST_NAMES = {
    "租金": "房租",
    "租房": "房租",
    "rent": "房租",
    "伙食": "吃饭",
    "饭钱": "吃饭",
    "food": "吃饭",
    "groceries": "吃饭",
    "通勤": "交通",
    "commute": "交通",
    "transport": "交通",
    "insurance": "保险",
    "utilities": "水电",
    "bills": "水电",
    "phone": "话费",
    "tuition": "学费",
    "childcare": "奶粉",
    "尿布": "奶粉",
    "其它": "其他",
    "其余": "其他",
    "杂费": "其他",
    "misc": "其他",
    "other": "其他",
    "开销": "其他",
    "花销": "其他",
    "花费": "其他",
}
#: a month's figure said without "工资" ("一个月大概五千五"): the income, beside costs
_MONTH_BRINGS = re.compile(
    r"(?:一个月|每个?月|月入|a month)(?:大概|差不多|能有|有|就|才|也就)?\s*$"
)


#: the words before the money a loan actually paid out ("到手只有2100", "实际到账8000", "only
#: gave me 1400"): the principal the law counts when interest was taken upfront
_RECEIVED_WORDS = re.compile(
    r"(?:到手|实际到账|到账|实际拿到|实际收到|实际借到|只到了|放款|下款|打过来|"
    r"(?i:only (?:got|received|gave me)|actually (?:got|received)|received only|got only))"
    r"(?:的)?(?:只有|才|就|是|了|的是|也就|仅)?\s*[:：]?\s*$"
)
#: ... said of a loan: a loan's words before them in the message ("借了3000，到手只有2100");
#: else "到手六千五" is a month's pay
_LOAN_BEFORE = re.compile(r"借|贷|下款|放款|砍头|app|平台|口子|(?i:borrow|loan|app)")


def _received(text: str, numbers: list[_Number]) -> tuple[float, int] | None:
    """The money a loan actually paid out and where its figure starts ("借了3000，到手只有
    2100" → (2100.0, …)), or None."""
    for num in numbers:
        before = text[max(0, num.start - 16) : num.start]
        if _RECEIVED_WORDS.search(before) is None:
            continue
        if _LOAN_BEFORE.search(text[: num.start]) is None:
            continue
        amount = _read_amount(text, num, any_context=True)
        if amount is not None and amount.value > 0:
            return float(amount.value.quantize(Decimal("0.01"))), num.start
    return None


def _income_and_costs(
    text: str, numbers: list[_Number], lender_spans: list[tuple[int, int]] | None = None
) -> tuple[float | None, tuple[tuple[str, float], ...], frozenset[int]]:
    """工资5500 房租1500 吃饭通勤1200 → (5500.0, (("房租", 1500.0), ("通勤", 1200.0)), where those
    figures start): a month's income and its costs by name, each as said (a correction of one,
    "房租其实是2100", is a cost too). Those figures are never the debt."""
    lender_spans = lender_spans or []
    starts: set[int] = set()
    received = _received(text, numbers)
    if received is not None:
        starts.add(received[1])  # 借了3000到手2100: the loan's payout, not a month's pay
    income: Decimal | None = None
    costs: dict[str, Decimal] = {}
    for num in numbers:
        if num.start in starts:
            continue
        before = text[max(0, num.start - 10) : num.start]
        cost = _COST_WORDS.search(before)
        at = max(0, num.start - 10) + cost.start() if cost is not None else -1
        if cost is not None and any(s < at <= e for s, e in lender_spans):
            cost = None  # 美团生活费2000: a lender's product, not a cost
        earned = None if cost else _INCOME_WORDS.search(before)
        if cost is None and earned is None:
            continue
        amount = _read_amount(text, num, any_context=True)
        if amount is None or amount.value <= 0:
            continue
        starts.add(num.start)
        if cost is not None:
            name = cost.group("name").lower()
            name = _COST_NAMES.get(name, name)
            costs[name] = costs.get(name, Decimal(0)) + amount.value
        else:
            income = (income or Decimal(0)) + amount.value
    if income is None and costs:
        # beside the costs, "一个月大概五千五" is what a month brings in
        for num in numbers:
            if num.start in starts or not _MONTH_BRINGS.search(
                text[max(0, num.start - 8) : num.start]
            ):
                continue
            amount = _read_amount(text, num, any_context=True)
            if amount is not None and amount.value > 0:
                income = amount.value
                starts.add(num.start)
                break
    return (
        float(income.quantize(Decimal("0.01"))) if income is not None else None,
        tuple((name, float(value.quantize(Decimal("0.01")))) for name, value in costs.items()),
        frozenset(starts),
    )
