"""Details read from one message: how much is owed, to whom, for how long, and whether the
collectors are at the door now.

The text is already normalised (Simplified Chinese, half-width, lower case; see
:mod:`bot.understanding.normalize`). :func:`extract_details` returns only what it found:

- ``amount`` (float, yuan) and ``amount_approx`` (True for 5万多, 20来万, 大概4万 …);
- ``months`` (int): the number of installments or months the person wants to pay over;
- ``lender`` (canonical name) and, when several are named, ``lenders`` (all, in order);
- ``overdue_months`` (int) and ``overdue_approx`` (True for 逾期一年多 …);
- ``present``: True when the collectors are there now, False when a future visit is announced.

Every pattern is linear: numbers are found only where a run of digits starts, every
repetition is bounded, and the context around a number is read from fixed-size slices. Any
string is accepted and nothing raises.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field, fields, replace
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

import cn2an

from bot.understanding.situation import read_situation

# -- data ----------------------------------------------------------------------------------

#: Canonical lender name → the ways people write it (already normalised: Simplified, lower
#: case). Names that are also ordinary words (平安, 光大, 民生, 华夏) are listed only with a
#: word that makes them a bank (平安银行, 平安信用卡, 平安的卡 …): see _BANK_SUFFIXES.
LENDER_ALIASES: dict[str, tuple[str, ...]] = {
    "招商银行": ("招商银行", "招行", "招商"),
    "工商银行": ("中国工商银行", "工商银行", "工行"),
    "建设银行": ("中国建设银行", "建设银行", "建行"),
    "农业银行": ("中国农业银行", "农业银行", "农行"),
    "中国银行": ("中国银行", "中行"),
    "交通银行": ("交通银行", "交行"),
    "邮储银行": ("中国邮政储蓄银行", "邮政储蓄银行", "邮政储蓄", "邮储银行", "邮储", "邮政银行"),
    "浦发银行": ("浦发银行", "浦发"),
    "中信银行": ("中信银行", "中信"),
    "光大银行": ("光大银行",),
    "民生银行": ("民生银行",),
    "兴业银行": ("兴业银行", "兴业"),
    "广发银行": ("广发银行", "广发"),
    "平安银行": ("平安银行",),
    "华夏银行": ("华夏银行",),
    "北京银行": ("北京银行",),
    "上海银行": ("上海银行",),
    "宁波银行": ("宁波银行",),
    "江苏银行": ("江苏银行",),
    "花呗": ("蚂蚁花呗", "花呗"),
    "借呗": ("蚂蚁借呗", "借呗"),
    "网商贷": ("网商贷", "网商银行"),
    "微粒贷": ("微众银行", "微粒贷"),
    "京东白条": ("京东白条", "白条"),
    "京东金条": ("京东金条",),
    "美团": ("美团月付", "美团借钱", "美团生活费", "美团"),
    "360借条": ("360借条", "360借款", "360借钱", "奇富借条"),
    "度小满": ("度小满",),
    "招联金融": ("招联金融", "招联好期贷", "招联"),
    "平安普惠": ("平安普惠",),
    "抖音放心借": ("抖音放心借", "抖音月付"),
    "分期乐": ("分期乐",),
    "安逸花": ("马上消费金融", "安逸花"),
    "捷信": ("捷信金融", "捷信消费金融"),
    "拍拍贷": ("拍拍贷",),
}

#: The kind of lender behind each canonical name (bot/content.py ``LenderType``): a bank's
#: credit card unless the words say a loan; a bank's online loan product; a licensed consumer-
#: finance company or online platform. The wording of an answer follows the kind (the 2011
#: card rules bind bank credit cards only; complaints go to the lender's own service first).
BANK_LOAN_PRODUCTS = frozenset({"微粒贷", "网商贷"})
LICENSED_ONLINE = frozenset(
    {
        "花呗",
        "借呗",
        "京东白条",
        "京东金条",
        "美团",
        "360借条",
        "度小满",
        "招联金融",
        "平安普惠",
        "抖音放心借",
        "分期乐",
        "安逸花",
        "捷信",
        "拍拍贷",
    }
)
#: Words for an unlicensed or private lender (the answer: 110 and the local financial regulator).
_UNLICENSED = re.compile(
    r"714|高炮|黑网贷|黑平台|黑户贷|套路贷|裸贷|高利贷|私人放贷|地下钱庄|非法放贷|没有牌照|无牌照"
)
_CARD_WORDS = re.compile(r"信用卡|卡债|刷卡|透支|账单")
_LOAN_WORDS = re.compile(r"贷款|借款|闪电贷|快贷|经营贷|消费贷|房贷|车贷")


def lender_type(text: str, lender: str | None) -> str | None:
    """The kind of lender a message speaks of (``bank_card``, ``bank_loan``,
    ``licensed_online`` or ``unlicensed``), or None when it does not say."""
    if _UNLICENSED.search(text):
        return "unlicensed"
    if lender in BANK_LOAN_PRODUCTS:
        return "bank_loan"
    if lender in LICENSED_ONLINE:
        return "licensed_online"
    if lender is not None:  # a bank
        return (
            "bank_loan"
            if _LOAN_WORDS.search(text) and not _CARD_WORDS.search(text)
            else "bank_card"
        )
    if _CARD_WORDS.search(text):
        return "bank_card"
    return None


#: Short names that are ordinary words too, matched only when followed by one of
#: _BANK_SUFFIXES (平安信用卡, 光大的卡 …); the canonical name is the value.
AMBIGUOUS_BANK_NAMES: dict[str, str] = {
    "平安": "平安银行",
    "光大": "光大银行",
    "民生": "民生银行",
    "华夏": "华夏银行",
}
_BANK_SUFFIXES = ("信用卡", "的信用卡", "卡", "的卡", "贷款", "的贷款")

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
# Markers of an approximate amount or period.
_APPROX_BEFORE = ("大概", "大约", "约", "差不多", "将近", "接近", "快", "估计", "可能")

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

# -- patterns ------------------------------------------------------------------------------

# A number starts only where a run of digits starts (the look-behinds), and every repetition
# is bounded, so scanning is linear in the length of the text.
_NUMBER = re.compile(
    r"(?<![0-9])(?<![0-9][.,])(?P<arabic>[0-9]{1,12}(?:,[0-9]{3}){0,4}(?:\.[0-9]{1,4})?)"
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
_APPROX_MID = re.compile(r" ?(多|来|余|几)")
_MAGNITUDE = re.compile(r" ?(万|w(?![a-z])|千|k(?![a-z])|百|亿)")
_APPROX_AFTER = re.compile(r"(多|余|左右|上下)")
_SECONDARY = re.compile(r"([0-9]{1,4}|[一二两三四五六七八九])(?![0-9]|[.,][0-9])(千|k(?![a-z]))?")
_CURRENCY = re.compile(r" ?(元|块钱|块|人民币|rmb(?![a-z]))")
# What a bare number counts when it is not money.
_COUNTER = re.compile(
    r" ?(?:多|来|余|几)?(?:个|期|月|天|年|日|号|次|张|岁|%|‰|人|家|条|周|星期|小时|分钟"
    r"|秒|点|楼|层|倍|折|成|位|遍|趟|笔|斤|公里|米|届|代)"
)
_PERIOD = re.compile(r" ?(多)?(个)?(多|半)?(月|期|年|天)(半|多)?")
_PERIOD_STOP = re.compile(r"前|以前|之前|后|以后|之后|以下|以上|牢|监|刑|徒")
# 年利率, 年化, 年费, 年龄 …: 年 belongs to the next word, not to the number.
_YEAR_STOP = re.compile(r"利|息|化|费|龄|级|纪|底|初|末|代|度|份|薪|卡|会员|终|中|货|轻")
_HALF_YEAR = re.compile(rf"(?<![{_CN_NUMERALS}0-9])(?:大)?半年")
_OVERDUE_AFTER = re.compile(
    r"(?:了)?(?:都|也|还|一直)?(?:没|未|不)(?:有)?(?:还|交|供|换|再还)"
    r"|(?:了)?还不(?:上|起)|(?:了)?没钱还"
)
_CLAUSE_BREAK = re.compile(r"[,.!?;。、…~\n]")

_PRESENT = re.compile(
    r"(?:在|到)(?:我?家)?(?:门口|门外|楼下|楼道|家门口)"
    r"|敲门|砸门|已经到了|在我家|堵门|堵在|守在|蹲在|不肯走|赖着不走|就是不走|还不走|闯进|进来了"
    r"|(?:找上门|上门|来我?家|到我?家|来家里|到家里)(?:来)?了"
)
_PRESENT_NEGATION = ("不", "没", "别", "未", "没有", "不是", "不会", "没在", "不在")
_PAST = re.compile(r"昨天|前天|上周|上星期|上个?月|上次|之前|以前|刚才走|已经走|走了|离开了")
_FUTURE = re.compile(
    r"明天|明早|明晚|后天|下午|晚上|今晚|等会|等一下|一会|待会|马上"
    r"|下周|下星期|下礼拜|下个?月|下次|过几天|过两天|过段时间|改天|周末"
    r"|到时候|准备|打算|将要|即将|要来|要上门|要过来|会来|会上门|会过来|说要|扬言"
    r"|还要|约了|预约"
)
_VISIT = re.compile(
    r"(?<!打)(?<!发)(?<!话)(?<!信)来(?!电|短信|信息|消息)"
    r"|上门|过来|家访|外访|拜访|找我|堵|到我?家|到家里|到门口|到单位|到公司"
)


def _lender_pattern() -> tuple[re.Pattern[str], dict[str, str]]:
    alias_map: dict[str, str] = {}
    for canonical, aliases in LENDER_ALIASES.items():
        for alias in aliases:
            alias_map[alias.lower()] = canonical
    for short, canonical in AMBIGUOUS_BANK_NAMES.items():
        for suffix in _BANK_SUFFIXES:
            alias_map.setdefault(short + suffix, canonical)
    keys = sorted(alias_map, key=len, reverse=True)
    return re.compile("|".join(re.escape(k) for k in keys)), alias_map


_LENDER, _LENDER_MAP = _lender_pattern()


# -- numbers -------------------------------------------------------------------------------


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


def _attachment(window: str) -> int:
    """How strongly the words before a number tie it to the debt (see _AMOUNT_KEYWORDS).

    The nearest keyword decides whether the number is a monthly payment or an income (-1);
    otherwise the strongest keyword in the clause counts (总共欠了 → a total).
    """
    if _nearest(window, _AMOUNT_KEYWORDS) == -1:
        return -1
    found = [level for level, words in _AMOUNT_KEYWORDS if any(w in window for w in words)]
    return max(found, default=0)


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


def _is_date_or_phone(text: str, start: int, end: int) -> bool:
    """True when the number is glued to another by - / : . or a space (2024-03-05, 10:30,
    2024.3.5, 138-1234-5678, 138 1234 5678)."""
    before = text[max(0, start - 2) : start]
    after = text[end : end + 2]
    if len(before) == 2 and before[1] in "-/: " and before[0].isdigit():
        return True
    return len(after) == 2 and after[0] in "-/:. " and after[1].isdigit()


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
    window = _clause_before(text, num.start)
    if any(word in window[-6:] for word in _ID_WORDS):
        return None
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


# -- periods -------------------------------------------------------------------------------


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


# -- presence ------------------------------------------------------------------------------


def _presence(text: str) -> bool | None:
    """True when the collectors are there now, False when a visit is announced, else None."""
    future = False
    for clause in _CLAUSE_BREAK.split(text):
        if not clause:
            continue
        if _FUTURE.search(clause):
            if _VISIT.search(clause):
                future = True
            continue
        if _PAST.search(clause):
            continue
        for m in _PRESENT.finditer(clause):
            before = clause[max(0, m.start() - 2) : m.start()]
            if before.endswith(_PRESENT_NEGATION):
                continue
            return True
    return False if future else None


# -- several debts, corrections, rates, budgets, down payments --------------------------------

#: 平安1万8, 只算平安的, 平安那笔: a short bank name before an amount or pointing at a debt
_AMBIGUOUS_BEFORE_AMOUNT = re.compile(
    "(" + "|".join(AMBIGUOUS_BANK_NAMES) + ")"
    r"(?=[0-9]|[一二两三四五六七八九十][一二两三四五六七八九十]?[万千w]"
    r"|的?(?:那笔|这笔|那张|这张)|的(?:呢|吧|$|[,.?!]))"
)
#: the words that take back what was just said: the last number after them wins
_CORRECTION = re.compile(r"不对|不是|改成|改为|应该是|更正|说错|打错|写错|搞错|纠正|其实是")
_CONVENTIONS = {
    "等额本息": "等额本息",
    "等额本金": "等额本金",
    "免息分期": "免息分期",
    "停息分期": "免息分期",
    "免息": "免息分期",
    "停息": "免息分期",
    "无息": "免息分期",
    "零利息": "免息分期",
    "不要利息": "免息分期",
    "不算利息": "免息分期",
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
_BUDGET_VERB = re.compile(r"还|拿出|拿|付|供|承担|负担|最多|顶多|最高|只能|出得起")
_BUDGET_NOT = re.compile(r"工资|收入|赚|挣|利息|手续费|罚息|年费|月薪|发")
_DOWN = re.compile(r"(?:先付|先还|首付|先交|先给|先拿出|首期付)(?:个|了|掉)? ?")
_DOWN_SHARE = re.compile(
    rf"百分之(?P<a>{_RATE_NUM})|(?P<b>{_RATE_NUM}) ?%"
    r"|(?P<c>[一二两三四五六七八九1-9])成"
)


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


def _budget(text: str, numbers: list[_Number]) -> float | None:
    """每月最多能还1500, 月供最多2000, 一个月只能拿出800 → the monthly budget in yuan."""
    found: float | None = None
    for num in numbers:
        window = text[max(0, num.start - 12) : num.start]
        starts = list(_BUDGET_START.finditer(window))
        if not starts:
            continue
        start = starts[-1]
        gap = window[start.end() :]
        if _CLAUSE_BREAK.search(gap) or _BUDGET_NOT.search(gap) or len(gap) > 8:
            continue
        if start.group(0) != "月供" and not _BUDGET_VERB.search(gap):
            continue
        amount = _read_amount(text, num, any_context=True)
        if amount is not None and amount.value > 0:
            found = float(amount.value.quantize(Decimal("0.01")))
    return found


def _down_payment(text: str, numbers: list[_Number]) -> tuple[str, float] | None:
    """先付10% → ("down_share", 0.1); 首付5000 → ("down_payment", 5000.0)."""
    found: tuple[str, float] | None = None
    for m in _DOWN.finditer(text):
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


# -- the typed result ----------------------------------------------------------------------

#: Field metadata: the detail identifies a person's finances and is never repeated in a group.
PRIVATE = {"private": True}


@dataclass(frozen=True, slots=True)
class Details:
    """What is known of a person's situation from their words; ``None`` = not known.

    To add a detail: add a field here (with ``metadata=PRIVATE`` when it identifies the
    person's finances), set it in :func:`_extract`, and use it in the conversation. JSON
    round-trip (:meth:`to_json` / :meth:`from_json`) is checked by the store-backed tests.
    """

    amount: float | None = field(default=None, metadata=PRIVATE)  # yuan
    amount_approx: bool | None = field(default=None, metadata=PRIVATE)  # 5万多, 大概4万
    months: int | None = field(default=None, metadata=PRIVATE)  # installments wanted
    lender: str | None = field(default=None, metadata=PRIVATE)  # the first lender named
    lenders: tuple[str, ...] | None = field(default=None, metadata=PRIVATE)  # all, if several
    overdue_months: int | None = field(default=None, metadata=PRIVATE)
    overdue_approx: bool | None = field(default=None, metadata=PRIVATE)
    present: bool | None = None  # collectors there now (True) or a visit announced (False)
    # The situation (bot/understanding/situation.py):
    role: str | None = None  # who speaks: "staff" (bank/collector) or "helper" (a relative)
    credentials: bool | None = None  # the visitors showed ID and a mandate (or not)
    police: str | None = None  # "called" or "arrived"
    left: bool | None = None  # the visitors have left (True) or are still there (False)
    let_in: bool | None = None  # the visitors were let in
    paid: str | None = None  # money already handed over: "personal" (to a person) or "yes"
    document: str | None = None  # what they want signed
    signed: bool | None = None  # a paper was already signed
    place: str | None = None  # "home", "workplace" or "family_home"
    #: the interest rate the person gave, as a yearly fraction (日息万分之五 → 0.1825)
    annual_rate: float | None = field(default=None, metadata=PRIVATE)
    #: how the rate was written, starting with its basis (日息万分之五, 月息1分, 年化7.2%)
    rate_written: str | None = field(default=None, metadata=PRIVATE)
    #: several debts, per lender in the order named: (("招商银行", 20000.0), ("平安银行", 18000.0))
    debts: tuple[tuple[str, float], ...] | None = field(default=None, metadata=PRIVATE)
    #: the most the person can pay a month (每月最多能还1500)
    budget: float | None = field(default=None, metadata=PRIVATE)
    #: a down payment before the installments: in yuan (先付5000) or as a share (先付10% → 0.1)
    down_payment: float | None = field(default=None, metadata=PRIVATE)
    down_share: float | None = field(default=None, metadata=PRIVATE)
    #: the repayment convention asked for: 等额本息, 等额本金 or 免息分期
    convention: str | None = None
    #: the kind of lender (:func:`lender_type`): bank_card, bank_loan, licensed_online,
    #: unlicensed; None when not said
    lender_type: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """The details that are known, by name (lists for tuples: the JSON shape)."""
        return {
            name: list(v) if isinstance(v, tuple) else v
            for name in _NAMES
            if (v := getattr(self, name)) is not None
        }

    def __bool__(self) -> bool:
        return any(getattr(self, name) is not None for name in _NAMES)

    def known(self, *names: str) -> bool:
        """True when every detail in ``names`` is known."""
        return all(getattr(self, name) is not None for name in names)

    def merged(self, new: Details) -> Details:
        """These details updated with what ``new`` found; a new value replaces the old one
        with its qualifiers (a new amount drops the old "approximately")."""
        found = {name: value for name in _NAMES if (value := getattr(new, name)) is not None}
        if not found:
            return self
        changes: dict[str, Any] = {}
        for key, dependent in _QUALIFIERS.items():
            if key in found:
                changes.update(dict.fromkeys(dependent))
        changes.update(found)
        return replace(self, **changes)

    def public(self) -> Details:
        """Only the details that may be repeated in a group."""
        return replace(self, **{f.name: None for f in fields(self) if f.metadata.get("private")})

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (what a store keeps)."""
        return self.as_dict()

    @classmethod
    def from_json(cls, raw: object) -> Details:
        """Rebuild details a store kept; unknown keys and values of the wrong type are
        dropped (a newer or older version may have written them)."""
        if not isinstance(raw, dict):
            return cls()
        values: dict[str, Any] = {}
        for f in fields(cls):
            value = raw.get(f.name)
            if value is None:
                continue
            kind = _FIELD_TYPES[f.name]
            if kind is tuple:
                if isinstance(value, list) and all(isinstance(v, str) for v in value):
                    values[f.name] = tuple(value)
            elif kind is list:  # (lender, amount) pairs
                pairs = _pairs(value)
                if pairs:
                    values[f.name] = pairs
            elif kind is float:
                if isinstance(value, int | float) and not isinstance(value, bool):
                    values[f.name] = float(value)
            elif kind is int:
                if isinstance(value, int) and not isinstance(value, bool):
                    values[f.name] = value
            elif isinstance(value, kind):
                values[f.name] = value
        return cls(**values)


def _pairs(value: object) -> tuple[tuple[str, float], ...] | None:
    """(lender, amount) pairs from their JSON shape (a list of two-item lists), else None."""
    if not isinstance(value, list | tuple):
        return None
    pairs: list[tuple[str, float]] = []
    for item in value:
        if not (
            isinstance(item, list | tuple)
            and len(item) == 2
            and isinstance(item[0], str)
            and isinstance(item[1], int | float)
            and not isinstance(item[1], bool)
        ):
            return None
        pairs.append((item[0], float(item[1])))
    return tuple(pairs)


#: The field names, in order (dataclasses.fields() is slow on a hot path).
_NAMES = tuple(f.name for f in fields(Details))

#: a new value of the key replaces the old one together with these qualifiers. A new amount
#: replaces the list of debts; a number of periods and a monthly budget answer the same
#: question (how long), so the newer one wins.
_QUALIFIERS = {
    "amount": ("amount_approx", "debts"),
    "lender": ("lenders",),
    "overdue_months": ("overdue_approx",),
    "annual_rate": ("rate_written",),
    "months": ("budget",),
    "budget": ("months",),
    "down_payment": ("down_share",),
    "down_share": ("down_payment",),
}

_FIELD_TYPES: dict[str, type] = {
    "amount": float,
    "amount_approx": bool,
    "months": int,
    "lender": str,
    "lenders": tuple,
    "overdue_months": int,
    "overdue_approx": bool,
    "present": bool,
    "role": str,
    "credentials": bool,
    "police": str,
    "left": bool,
    "let_in": bool,
    "paid": str,
    "document": str,
    "place": str,
    "signed": bool,
    "annual_rate": float,
    "rate_written": str,
    "debts": list,
    "budget": float,
    "down_payment": float,
    "down_share": float,
    "convention": str,
    "lender_type": str,
}

# -- entry point ---------------------------------------------------------------------------


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
    if "debts" in found:
        found["debts"] = tuple(found["debts"])
    return Details(**found)


EMPTY = Details()


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
    lenders: list[str] = []
    for _, _, name in mentions:
        if name not in lenders:
            lenders.append(name)
    if lenders:
        details["lender"] = lenders[0]
        if len(lenders) > 1:
            details["lenders"] = lenders
    kind = lender_type(text, lenders[0] if lenders else None)
    if kind is not None:
        details["lender_type"] = kind
    lender_spans = [(s, e) for s, e, _ in mentions]

    numbers = list(_numbers(text, lender_spans + _unreadable_spans(text)))
    correction = _correction_start(text)

    candidates: list[tuple[_Number, _Amount]] = []
    for num in numbers:
        amount = _read_amount(text, num)
        if amount is not None and not _negated(text, num.start):
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
    for period in _periods(text, numbers):
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
    budget = _budget(text, numbers)
    if budget is not None:
        details["budget"] = budget
    down = _down_payment(text, numbers)
    if down is not None:
        details[down[0]] = down[1]
    conventions = [(m.start(), _CONVENTIONS[m.group(0)]) for m in _CONVENTION.finditer(text)]
    if conventions:
        details["convention"] = conventions[-1][1]

    present = _presence(text)
    if present is not None:
        details["present"] = present
    details.update(read_situation(text))
    return details
