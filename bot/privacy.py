"""Masking personal data before text is logged or stored.

:func:`mask` hides, partly or whole: ID card numbers, bank card numbers (written with spaces,
dashes or dots), any other run of 12 or more digits (a 20-digit account, say), mobile numbers
(with spaces, dashes or dots between any digits, with +86, or in Chinese numerals such as
一三八…), landline numbers, QQ numbers after a cue (QQ/扣扣/企鹅号), e-mail addresses, WeChat
ids after a cue (微信/微信号/wx/vx …), a name after 我叫/我姓/姓名/名字是 or a surname after
我是/本人 (the cue is kept), street addresses (…路12号, …街3号, 小区 names, 栋/单元/室
numbers), villages (…村, …村3组) and car plates (粤B12345). Amounts (35000, 3万5), dates,
interest figures and the hotlines (110, 12378, 12356, 12348, 96110) are left alone.

Full-width letters, digits and signs (１３８…, ＱＱ) are read as their ASCII forms first (the
masked text keeps the ASCII form), so they are masked like any other.

Cost: linear in the text's length, whatever it holds. Every pattern's repeats are bounded
(``{m,n}``, never ``*`` or ``+`` — except the long-digit-run pattern, which has nothing to
backtrack into), and the patterns that could start inside a run of digits or numerals have a
look-behind that lets them start only at the run's beginning; tests/hostile/ checks the ratio
of the time on ten-times-longer hostile texts.
"""

from __future__ import annotations

import re

#: Full-width digits, letters and the signs numbers and addresses use (＋－．＠＿) → ASCII;
#: the ideographic space → a space. Chinese punctuation (，：) is kept as it is.
_WIDE = [*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B)]
_WIDTH = {code: code - 0xFEE0 for code in [*_WIDE, 0xFF0B, 0xFF0D, 0xFF0E, 0xFF20, 0xFF3F]}
_WIDTH[0x3000] = 0x20

_SEP = r"[ .\-]"
# Digits may be written with spaces, dashes or dots in between (e.g. "6222 0212 3456 7890").
_ID_CARD = re.compile(r"(?<![\d.])(\d{6})(\d{8})(\d{3}[\dXx])(?!\d)")
# The last four digits may be split too: 19-digit cards are written 4-4-4-4-3.
_CARD = re.compile(rf"(?<![\d.])(\d{{4}})((?:{_SEP}?\d){{8,11}})((?:{_SEP}?\d){{4}})(?![\d])")
# Any other run of 12 or more digits (an account, a 20-digit card): first and last four kept.
# Greedy to the end of the run, where the look-ahead always holds: no backtracking.
_LONG_RUN = re.compile(r"(?<!\d)\d{12,}(?!\d)")
_SEPARATORS = re.compile(_SEP)
_PHONE = re.compile(
    rf"(?<![\d.])(\+?86{_SEP}{{0,2}})?(1[3-9]\d){_SEP}{{0,2}}(\d{{4}}){_SEP}{{0,2}}(\d{{4}})"
    r"(?!\.?\d)"
)
# A mobile number with separators anywhere: "1 3 8 1 2 3 4 5 6 7 8", "138-12-345-678".
_SPACED_PHONE = re.compile(
    rf"(?<![\d.])1(?:{_SEP}{{0,2}}[3-9])(?:{_SEP}{{0,2}}\d){{9}}(?!{_SEP}{{0,2}}\d)"
)
_DIGIT = re.compile(r"\d")
_LANDLINE = re.compile(r"(?<![\d.])(0\d{2,3})[ -]?(\d{7,8})(?!\d)")
# A QQ number (5–12 digits) after its cue.
_QQ = re.compile(
    r"((?:QQ|qq|Qq|扣扣|企鹅号?)(?:\s{0,3}(?:号码?|号))?\s{0,3}(?:是|为|[:：])?\s{0,3})"
    r"(\d{5,12})(?!\d)"
)

# Mobile numbers in Chinese numerals: 一三八一二三四五六七八 (幺 for 一, 〇/零 for 0).
_CN_DIGITS = "〇零一幺二两三四五六七八九"
_CN_PHONE = re.compile(
    rf"(?<![{_CN_DIGITS}])([一幺][三四五六七八九][{_CN_DIGITS}])"
    rf"((?:\s?[{_CN_DIGITS}]){{4}})((?:\s?[{_CN_DIGITS}]){{4}})"
    rf"(?![{_CN_DIGITS}])"
)

_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+-])([A-Za-z0-9][A-Za-z0-9._%+-]{0,63})"
    r"@([A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){0,8}\.[A-Za-z]{2,24})(?![A-Za-z])"
)
# A WeChat id: 6–20 letters, digits, _ or -, starting with a letter, after a cue.
_WECHAT = re.compile(
    r"((?:微信号?|vx|VX|Vx|wx|WX|Wx|v信|V信|wechat|WeChat|weixin)(?:\s{0,3}(?:号|id|ID))?"
    r"\s{0,3}(?:是|为|[:：])?\s{0,3})([A-Za-z][-_A-Za-z0-9]{5,19})(?![-_A-Za-z0-9])"
)

# A name: one to four Chinese characters after the cue, not a word that follows such cues
# in questions ("姓什么") nor a particle.
_NOT_NAME = "什么啥谁名氏是的了在欠被今我你他她们呢吧啊嘛吗，。、！？,.!? "
_NAME_CHAR = rf"(?:(?![{_NOT_NAME}])[\u4e00-\u9fff])"
_NAME = re.compile(
    rf"((?:我叫|我的名字是|名字是|名字叫|姓名\s{{0,3}}[:：是]?\s{{0,3}}|我姓|本人姓|他姓|她姓"
    rf"|对方姓|催收员姓)\s{{0,3}})({_NAME_CHAR}{{1,4}})"
)
# After 我是 / 本人 only a common surname starts a name ("我是张三", "本人李四"), so "我是做外访
# 的" and "我是债务人" stay as they are.
_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶"
    "程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾"
    "毛郝龚邵万钱严覃武戴莫孔向汤欧"
)
_SELF_NAME = re.compile(
    rf"((?:我是|本人)\s{{0,3}}(?:[:：])?\s{{0,3}})([{_SURNAMES}]{_NAME_CHAR}{{1,2}})"
    rf"(?![\u4e00-\u9fff]{{0,1}}(?:行|家|银|公司|律师|催收|外访))"
)

# Addresses: a street with its number, a residential compound, building/unit/room numbers.
_NOT_PLACE = "在住是的了我你他她到去家从往和与跟就还要说"
_PLACE_CHAR = rf"(?:(?![{_NOT_PLACE}])[\u4e00-\u9fff])"
_CN_NUMERALS = "一二三四五六七八九十百零〇"
_NUMBER = rf"(?:\d{{1,6}}|[{_CN_NUMERALS}]{{1,6}})"
_STREET = re.compile(
    rf"{_PLACE_CHAR}{{1,8}}(路|街|大道|大街|巷|胡同|弄){_NUMBER}"
    rf"(?:{_SEP}{_NUMBER})?(号|弄)"
)
_COMPOUND = re.compile(
    rf"{_PLACE_CHAR}{{2,8}}(小区|花园|家园|公寓|新村|苑)(?![\u4e00-\u9fff]{{0,12}}路)"
)
_BUILDING = re.compile(rf"(?<![\d{_CN_NUMERALS}]){_NUMBER}(栋|幢|号楼|单元|室)")
# A village, with its group or house number: 张家村, 李庄村3组, 王家屯12号.
_NOT_VILLAGE = "在住是的了我你他她到去从往和与跟就还要说回"
_VILLAGE_CHAR = rf"(?:(?![{_NOT_VILLAGE}])[\u4e00-\u9fff])"
_VILLAGE = re.compile(
    rf"{_VILLAGE_CHAR}{{2,8}}(村|屯)(?:{_NUMBER}(?:组|队|社|号))?(?![民委长干支])"
)
# A car plate: province, letter, then five or six letters and digits (粤B·12345, 京A D12345).
_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_PLATE = re.compile(rf"([{_PROVINCES}][A-Za-z])[·•. \-]?([A-Za-z0-9]{{5,6}})(?![A-Za-z0-9])")


def _cn_phone(match: re.Match[str]) -> str:
    last = re.sub(r"\s", "", match.group(3))
    return f"{match.group(1)}****{last}"


def _spaced_phone(match: re.Match[str]) -> str:
    digits = _DIGIT.findall(match.group(0))
    return f"{''.join(digits[:3])}****{''.join(digits[-4:])}"


def _long_run(match: re.Match[str]) -> str:
    run = match.group(0)
    return f"{run[:4]}{'*' * (len(run) - 8)}{run[-4:]}"


def normalise_width(text: str) -> str:
    """``text`` with full-width ASCII (１３８, ＱＱ, ＠) and the ideographic space made ASCII."""
    return text.translate(_WIDTH)


def has_personal_numbers(text: str) -> bool:
    """True when ``text`` shows a mobile phone, ID card or bank card number."""
    text = normalise_width(text)
    return bool(
        _ID_CARD.search(text)
        or _CARD.search(text)
        or _PHONE.search(text)
        or _SPACED_PHONE.search(text)
    )


def mask(text: str) -> str:
    """``text`` with personal data (numbers, e-mail, WeChat id, names, addresses) hidden."""
    text = normalise_width(text)
    text = _EMAIL.sub(lambda m: f"{m.group(1)[0]}***@{m.group(2)}", text)
    text = _WECHAT.sub(lambda m: f"{m.group(1)}{m.group(2)[:2]}****", text)
    text = _QQ.sub(lambda m: f"{m.group(1)}{m.group(2)[:2]}****", text)
    text = _ID_CARD.sub(lambda m: f"{m.group(1)[:3]}{'*' * 11}{m.group(3)[-4:]}", text)
    text = _CARD.sub(lambda m: f"{m.group(1)} **** {_SEPARATORS.sub('', m.group(3))}", text)
    text = _PHONE.sub(lambda m: f"{m.group(1) or ''}{m.group(2)}****{m.group(4)}", text)
    text = _SPACED_PHONE.sub(_spaced_phone, text)
    text = _LANDLINE.sub(lambda m: f"{m.group(1)}-****{m.group(2)[-2:]}", text)
    text = _LONG_RUN.sub(_long_run, text)
    text = _CN_PHONE.sub(_cn_phone, text)
    text = _PLATE.sub(lambda m: f"{m.group(1)}*****", text)
    text = _NAME.sub(lambda m: f"{m.group(1)}{'*' * len(m.group(2))}", text)
    text = _SELF_NAME.sub(lambda m: f"{m.group(1)}{'*' * len(m.group(2))}", text)
    text = _STREET.sub(lambda m: f"**{m.group(1)}**{m.group(2)}", text)
    text = _COMPOUND.sub(lambda m: f"**{m.group(1)}", text)
    text = _VILLAGE.sub(lambda m: f"**{m.group(1)}", text)
    return _BUILDING.sub(lambda m: f"*{m.group(1)}", text)


#: More than the longest thing :func:`mask` hides (a card written with separators, an e-mail
#: address, a cue with its number), so a cut this far past the end never leaves one half shown.
_CUT_MARGIN = 128


def mask_prefix(text: str, limit: int) -> str:
    """At most the first ``limit`` characters of ``mask(text)``, masking only the first
    ``limit`` + a margin characters: the cost is bounded by ``limit``, not by the text, and no
    number is cut in half before it is masked."""
    return mask(text[: limit + _CUT_MARGIN])[:limit]
