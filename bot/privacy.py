"""Masking personal data before text is logged or stored.

:func:`mask` hides, partly or whole: ID card numbers, bank card numbers (written with spaces,
dashes or dots), mobile numbers (with spaces, dashes or dots, with +86, or in Chinese
numerals such as 一三八…), landline numbers, e-mail addresses, WeChat ids after a cue
(微信/微信号/wx/vx …), a name after 我叫/我姓/姓名/名字是 (the cue is kept), and street
addresses (…路12号, …街3号, 小区 names, 栋/单元/室 numbers). Amounts (35000, 3万5), dates,
interest figures and the hotlines (110, 12378, 12356, 12348, 96110) are left alone.
"""

from __future__ import annotations

import re

_SEP = r"[ .\-]"
# Digits may be written with spaces, dashes or dots in between (e.g. "6222 0212 3456 7890").
_ID_CARD = re.compile(r"(?<![\d.])(\d{6})(\d{8})(\d{3}[\dXx])(?!\d)")
# The last four digits may be split too: 19-digit cards are written 4-4-4-4-3.
_CARD = re.compile(rf"(?<![\d.])(\d{{4}})((?:{_SEP}?\d){{8,11}})((?:{_SEP}?\d){{4}})(?![\d])")
_SEPARATORS = re.compile(_SEP)
_PHONE = re.compile(
    rf"(?<![\d.])(\+?86{_SEP}?)?(1[3-9]\d){_SEP}?(\d{{4}}){_SEP}?(\d{{4}})(?!\.?\d)"
)
_LANDLINE = re.compile(r"(?<![\d.])(0\d{2,3})[ -]?(\d{7,8})(?!\d)")

# Mobile numbers in Chinese numerals: 一三八一二三四五六七八 (幺 for 一, 〇/零 for 0).
_CN_DIGITS = "〇零一幺二两三四五六七八九"
_CN_VALUE = {
    "〇": "0",
    "零": "0",
    "一": "1",
    "幺": "1",
    "二": "2",
    "两": "2",
    "三": "3",
    "四": "4",
    "五": "5",
    "六": "6",
    "七": "7",
    "八": "8",
    "九": "9",
}
_CN_PHONE = re.compile(
    rf"(?<![{_CN_DIGITS}])([一幺][三四五六七八九][{_CN_DIGITS}])"
    rf"((?:\s?[{_CN_DIGITS}]){{4}})((?:\s?[{_CN_DIGITS}]){{4}})"
    rf"(?![{_CN_DIGITS}])"
)

_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+-])([A-Za-z0-9][A-Za-z0-9._%+-]*)"
    r"@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})"
)
# A WeChat id: 6–20 letters, digits, _ or -, starting with a letter, after a cue.
_WECHAT = re.compile(
    r"((?:微信号?|vx|VX|Vx|wx|WX|Wx|v信|V信|wechat|WeChat|weixin)(?:\s*(?:号|id|ID))?"
    r"\s*(?:是|为|[:：])?\s*)([A-Za-z][-_A-Za-z0-9]{5,19})(?![-_A-Za-z0-9])"
)

# A name: one to four Chinese characters after the cue, not a word that follows such cues
# in questions ("姓什么") nor a particle.
_NOT_NAME = "什么啥谁名氏是的了在欠被今我你他她们呢吧啊嘛吗，。、！？,.!? "
_NAME_CHAR = rf"(?:(?![{_NOT_NAME}])[\u4e00-\u9fff])"
_NAME = re.compile(
    rf"((?:我叫|我的名字是|名字是|名字叫|姓名\s*[:：是]?\s*|我姓|本人姓|他姓|她姓"
    rf"|对方姓|催收员姓)\s*)({_NAME_CHAR}{{1,4}})"
)

# Addresses: a street with its number, a residential compound, building/unit/room numbers.
_NOT_PLACE = "在住是的了我你他她到去家从往和与跟就还要说"
_PLACE_CHAR = rf"(?:(?![{_NOT_PLACE}])[\u4e00-\u9fff])"
_NUMBER = r"(?:\d+|[一二三四五六七八九十百零〇]+)"
_STREET = re.compile(
    rf"{_PLACE_CHAR}{{1,8}}(路|街|大道|大街|巷|胡同|弄){_NUMBER}"
    rf"(?:{_SEP}{_NUMBER})?(号|弄)"
)
_COMPOUND = re.compile(rf"{_PLACE_CHAR}{{2,8}}(小区|花园|家园|公寓|新村|苑)(?![\u4e00-\u9fff]*路)")
_BUILDING = re.compile(rf"{_NUMBER}(栋|幢|号楼|单元|室)")


def _cn_phone(match: re.Match[str]) -> str:
    last = re.sub(r"\s", "", match.group(3))
    return f"{match.group(1)}****{last}"


def has_personal_numbers(text: str) -> bool:
    """True when ``text`` shows a mobile phone, ID card or bank card number."""
    return bool(_ID_CARD.search(text) or _CARD.search(text) or _PHONE.search(text))


def mask(text: str) -> str:
    """``text`` with personal data (numbers, e-mail, WeChat id, names, addresses) hidden."""
    text = _EMAIL.sub(lambda m: f"{m.group(1)[0]}***@{m.group(2)}", text)
    text = _WECHAT.sub(lambda m: f"{m.group(1)}{m.group(2)[:2]}****", text)
    text = _ID_CARD.sub(lambda m: f"{m.group(1)[:3]}{'*' * 11}{m.group(3)[-4:]}", text)
    text = _CARD.sub(lambda m: f"{m.group(1)} **** {_SEPARATORS.sub('', m.group(3))}", text)
    text = _PHONE.sub(lambda m: f"{m.group(1) or ''}{m.group(2)}****{m.group(4)}", text)
    text = _LANDLINE.sub(lambda m: f"{m.group(1)}-****{m.group(2)[-2:]}", text)
    text = _CN_PHONE.sub(_cn_phone, text)
    text = _NAME.sub(lambda m: f"{m.group(1)}{'*' * len(m.group(2))}", text)
    text = _STREET.sub(lambda m: f"**{m.group(1)}**{m.group(2)}", text)
    text = _COMPOUND.sub(lambda m: f"**{m.group(1)}", text)
    return _BUILDING.sub(lambda m: f"*{m.group(1)}", text)
