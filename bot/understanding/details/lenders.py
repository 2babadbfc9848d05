"""Lenders: the canonical names and the ways people write them, the kind of lender a message
speaks of (:class:`~bot.understanding.details.vocab.LenderType`), and the pattern that finds
them."""

from __future__ import annotations

import re

from bot.understanding.details.vocab import LenderType

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
    # ("714" alone, never inside a figure: "我欠30714元" names no lender)
    r"(?<![\d.,])714(?![\d.,])|高炮|黑网贷|黑平台|黑户贷|套路贷|裸贷|高利贷|私人放贷|地下钱庄|非法放贷|没有牌照|无牌照"
)


_CARD_WORDS = re.compile(r"信用卡|卡债|刷卡|透支|账单")


_LOAN_WORDS = re.compile(r"贷款|借款|闪电贷|快贷|经营贷|消费贷|房贷|车贷")


def lender_type(text: str, lender: str | None) -> LenderType | None:
    """The kind of lender a message speaks of (``bank_card``, ``bank_loan``,
    ``licensed_online`` or ``unlicensed``), or None when it does not say."""
    if _UNLICENSED.search(text):
        return LenderType.UNLICENSED
    if lender in BANK_LOAN_PRODUCTS:
        return LenderType.BANK_LOAN
    if lender in LICENSED_ONLINE:
        return LenderType.LICENSED_ONLINE
    if lender is not None:  # a bank
        return (
            LenderType.BANK_LOAN
            if _LOAN_WORDS.search(text) and not _CARD_WORDS.search(text)
            else LenderType.BANK_CARD
        )
    if _CARD_WORDS.search(text):
        return LenderType.BANK_CARD
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


#: 平安1万8, 只算平安的, 平安那笔: a short bank name before an amount or pointing at a debt
_AMBIGUOUS_BEFORE_AMOUNT = re.compile(
    "(" + "|".join(AMBIGUOUS_BANK_NAMES) + ")"
    r"(?=[0-9]|[一二两三四五六七八九十][一二两三四五六七八九十]?[万千w]"
    r"|的?(?:那笔|这笔|那张|这张)|的(?:呢|吧|$|[,.?!]))"
)
