"""Understanding what a photo shows, from the text read off it and its QR codes (pure, no I/O).

:func:`read_document` decides the kind of paper (a 催收函, 律师函, 委托书/授权书, 工作证, court
paper, SMS screenshot, payment code or repayment agreement) and picks out who it names (banks and
lenders, collection agencies and other companies, law firms, courts), phone numbers, amounts,
dates and deadlines, payees and account numbers, links, and the pressure it applies (threats of
arrest, of telling employers or family, blacklists, children...). The checks in
:mod:`bot.photo.checks` work on the :class:`Document` alone.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from bot.understanding.details import LENDER_ALIASES, extract_details

MAX_TEXT_CHARS = 20_000


class DocKind(StrEnum):
    """The kinds of paper people are shown or sent."""

    COURT = "court"  # 法院传票/文书
    LAWYER = "lawyer_letter"  # 律师函
    MANDATE = "mandate"  # 委托书/授权书
    AGREEMENT = "agreement"  # 还款协议
    COLLECTION = "collection_letter"  # 催收函
    WORK_ID = "work_id"  # 工作证
    SMS = "sms"  # 短信截图
    PAYMENT_CODE = "payment_code"  # 收款码
    UNKNOWN = "unknown"


#: How each kind is named to the person.
KIND_NAMES = {
    DocKind.COURT: "法院的文书（传票、通知书等）",
    DocKind.LAWYER: "律师函",
    DocKind.MANDATE: "委托书/授权书",
    DocKind.AGREEMENT: "还款协议",
    DocKind.COLLECTION: "催收函",
    DocKind.WORK_ID: "工作证",
    DocKind.SMS: "短信截图",
    DocKind.PAYMENT_CODE: "收款码",
    DocKind.UNKNOWN: "图片",
}

# Words that mark each kind, with a weight; the kind with the highest total wins, ties going
# to the earlier kind in this table (a court paper that mentions a lawyer is a court paper).
_KIND_WORDS: dict[DocKind, tuple[tuple[str, int], ...]] = {
    DocKind.COURT: (
        ("传票", 4),
        ("人民法院", 3),
        ("应诉通知书", 4),
        ("举证通知书", 4),
        ("开庭", 2),
        ("判决书", 4),
        ("裁定书", 4),
        ("执行通知书", 4),
        ("调解通知", 3),
        ("诉前调解", 3),
        ("案号", 2),
        ("被告", 1),
        ("原告", 1),
    ),
    DocKind.LAWYER: (
        ("律师函", 5),
        ("律师事务所", 2),
        ("律所", 2),
        ("执业证号", 2),
        ("承办律师", 2),
        ("律师", 1),
    ),
    DocKind.MANDATE: (
        ("委托书", 4),
        ("授权书", 4),
        ("委托函", 4),
        ("授权委托", 3),
        ("受托方", 2),
        ("委托方", 2),
        ("受托人", 2),
        ("委托人", 2),
        ("委托期限", 2),
        ("授权期限", 2),
    ),
    DocKind.AGREEMENT: (
        ("还款协议", 5),
        ("分期还款协议", 5),
        ("协议书", 3),
        ("甲方", 1),
        ("乙方", 1),
        ("双方", 1),
        ("签字", 1),
        ("违约责任", 1),
    ),
    DocKind.COLLECTION: (
        ("催收函", 5),
        ("催款函", 5),
        ("催告函", 5),
        ("催收通知", 4),
        ("还款通知书", 4),
        ("逾期", 1),
        ("欠款", 1),
        ("敦促", 2),
        ("尽快还款", 1),
        ("催收", 1),
        ("贷后", 1),
    ),
    DocKind.WORK_ID: (
        ("工作证", 5),
        ("工号", 3),
        ("员工证", 5),
        ("胸牌", 3),
        ("职务", 1),
        ("部门", 1),
        ("岗位", 1),
        ("外访专员", 3),
        ("催收员", 2),
    ),
    DocKind.SMS: (
        ("短信", 2),
        ("退订", 2),
        ("回td", 2),
        ("信息", 1),
        ("imessage", 3),
        ("发送", 1),
        ("今天", 1),
        ("昨天", 1),
    ),
    DocKind.PAYMENT_CODE: (
        ("收款码", 5),
        ("扫一扫", 2),
        ("扫码", 2),
        ("向我付钱", 4),
        ("付款", 1),
        ("二维码", 2),
        ("收钱", 2),
    ),
}

# -- names ---------------------------------------------------------------------------------

_CJK = r"\u4e00-\u9fff"
_LENDER_NAMES = sorted(
    {alias for aliases in LENDER_ALIASES.values() for alias in aliases}, key=len, reverse=True
)
_LENDER_CANONICAL = {alias: name for name, aliases in LENDER_ALIASES.items() for alias in aliases}
_KNOWN_LENDER = re.compile("|".join(re.escape(n) for n in _LENDER_NAMES))
_BANK = re.compile(
    rf"[{_CJK}]{{2,12}}?银行(?:股份有限公司|有限责任公司)?(?:[{_CJK}]{{0,8}}"
    rf"(?:信用卡中心|分行|支行|分中心))?"
)
_COMPANY = re.compile(
    rf"[{_CJK}()（）]{{2,24}}?(?:有限责任公司|股份有限公司|有限公司|集团|"
    rf"调解中心|调解委员会|服务中心)"
)
_LAW_FIRM = re.compile(rf"[{_CJK}()（）]{{2,20}}?律师事务所")
_COURT = re.compile(rf"[{_CJK}]{{2,20}}?人民法院")
# Words a name found by the patterns above may start with that are not part of it.
_NAME_LEAD = re.compile(
    r"^.*(?:委托|授权|受|由|致|贵|您|你|我司|本司|本所|本院|向|系|是|"
    r"与|及|的|名称|单位|落款|[:：,，。;；])"
)
# -- numbers, dates, links -----------------------------------------------------------------

_MOBILE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?(1[3-9]\d[- ]?\d{4}[- ]?\d{4})(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)(0\d{2,3}[- ]?\d{7,8})(?!\d)")
_SERVICE = re.compile(r"(?<!\d)(95\d{3,4}|400[- ]?\d{3}[- ]?\d{4}|1236[38]|12378|96110)(?!\d)")
_AMOUNT = re.compile(
    r"(?:人民币|rmb|¥|￥)?[:：]?\s*((?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d{1,2})?)"
    r"\s*(万元|万|元)"
)
_AMOUNT_BEFORE = re.compile(r"(?:人民币|¥|￥)\s*((?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d{1,2})?)")
_DATE = re.compile(r"(?<!\d)(?:(\d{4})\s*[年./-]\s*)?(\d{1,2})\s*[月./-]\s*(\d{1,2})\s*[日号]?")
_DEADLINE_AFTER = re.compile(r"^\s*(?:\d{1,2}[:：]\d{2}|\d{1,2}[点时])?\s*(?:前|之前|以前|内|为止)")
_WITHIN = re.compile(r"(\d{1,3}|[一二两三五七十]{1,2})\s*(?:个)?(小时|日|天|个工作日|工作日)内")
_LINK = re.compile(
    r"(?:https?://|www\.)[A-Za-z0-9._~:/?#@!$&'()*+,;=%-]+|"
    r"(?<![A-Za-z0-9@.])[A-Za-z0-9-]{2,30}\.(?:com|cn|net|top|vip|xyz|cc)"
    r"(?:/[A-Za-z0-9._~/?#=&%-]*)?",
    re.IGNORECASE,
)
_PAYEE = re.compile(
    rf"(?:收款人|收款方|收款单位|户名|账户名称?|帐户名称?|开户名|收款账户名称?)"
    rf"\s*[:：]?\s*([{_CJK}()（）·]{{2,30}})"
)
_ACCOUNT = re.compile(
    r"(?:收款账号|收款帐号|账号|帐号|卡号|银行账户|账户|帐户)\s*[:：]?\s*"
    r"(\d[\d -]{8,28}\d)"
)
_LONG_DIGITS = re.compile(r"(?<!\d)(\d{16,19})(?!\d)")
_ID_CARD = re.compile(
    r"(?<![\dA-Za-z])(\d{6}(?:19|20)\d{2}(?:0[1-9]|1[0-2])"
    r"(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx])(?![\dA-Za-z])"
)
_CASE_NUMBER = re.compile(r"[(（]\d{4}[)）][\u4e00-\u9fff\d]{1,12}号")

# -- pressure and demands ------------------------------------------------------------------


class Claim(StrEnum):
    """The pressure a paper applies, and the demands that mark a scam."""

    CRIMINAL = "criminal"  # 立案、抓捕、拘留、坐牢
    EMPLOYER = "employer"  # notifying the employer or colleagues
    FAMILY = "family"  # notifying family, relatives, the village, the address book
    BLACKLIST = "blacklist"  # 黑名单、失信、限高
    CHILDREN = "children"  # effects on children
    VISIT = "visit"  # a visit announced
    LAWSUIT = "lawsuit"  # 起诉 (civil)
    SAFE_ACCOUNT = "safe_account"  # 安全账户
    AUTHORITY_MONEY = "authority_money"  # police, prosecutors or a court asking for money
    FEES = "fees"  # 上门费、手续费、保证金 ...
    DEBT_RELIEF = "debt_relief"  # paid 债务优化 / 停息挂账 agents
    MEDIATION = "mediation"  # 调解


_CLAIM_PATTERNS: dict[Claim, re.Pattern[str]] = {
    Claim.CRIMINAL: re.compile(
        r"立案|抓捕|逮捕|拘留|坐牢|判刑|刑事|入狱|蹲监狱|牢狱|"
        r"信用卡诈骗|诈骗罪|恶意透支|公安机关|移交公安|通缉|上门抓"
    ),
    Claim.EMPLOYER: re.compile(r"单位|公司领导|领导|同事|工作单位|人事部|人力资源|老板"),
    Claim.FAMILY: re.compile(
        r"家人|家属|亲属|亲友|父母|配偶|老婆|老公|兄弟姐妹|村委|居委|"
        r"邻居|户籍地|老家|通讯录|紧急联系人"
    ),
    Claim.BLACKLIST: re.compile(r"黑名单|失信|老赖|限高|限制高消费|限制出行|征信黑"),
    Claim.CHILDREN: re.compile(r"子女|孩子|小孩|儿女|上学|入学|考公|政审|参军|考编"),
    Claim.VISIT: re.compile(r"上门|外访|家访|实地|走访|到访|派人|前往您|到您"),
    Claim.LAWSUIT: re.compile(r"起诉|诉讼|法院|仲裁"),
    Claim.SAFE_ACCOUNT: re.compile(r"安全账户|安全帐户|资金核查|清查账户|资金监管账户"),
    Claim.FEES: re.compile(
        r"上门费|外访费|手续费|服务费|保证金|工本费|材料费|诉讼费先|撤诉费|"
        r"撤案费|调解费|解冻费"
    ),
    Claim.DEBT_RELIEF: re.compile(
        r"债务优化|停息挂账|代理维权|债务重组|债务规划|减免.{0,4}服务费|"
        r"全额退|包下"
    ),
    Claim.MEDIATION: re.compile(r"调解"),
}
_AUTHORITY = re.compile(r"公安|警察|派出所|民警|检察院|法院|法官|公检法|经侦")
_MONEY_DEMAND = re.compile(
    r"转账|汇款|打款|转入|缴纳|交纳|缴费|交费|保证金|撤案|销案|解冻|"
    r"核查资金|安全账户|付款|支付"
)
# An employer or family member mentioned as someone to be told, not just as a word.
_TELL = re.compile(r"通知|告知|联系|上门|通报|函告|发函|寄送|曝光|公示|走访|拜访|找到|打电话")


@dataclass(frozen=True)
class Payee:
    """A name to pay to, as the paper gives it."""

    name: str
    is_person: bool


@dataclass(frozen=True)
class Document:
    """Everything read from one photo."""

    kind: DocKind
    text: str
    lenders: tuple[str, ...] = ()  # banks and known lenders, canonical names
    companies: tuple[str, ...] = ()  # agencies and other companies (not banks)
    law_firms: tuple[str, ...] = ()
    courts: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    service_numbers: tuple[str, ...] = ()  # 95xxx, 400, 12368 ...
    amounts: tuple[float, ...] = ()
    debt_amount: float | None = None
    dates: tuple[str, ...] = ()
    deadlines: tuple[str, ...] = ()
    payees: tuple[Payee, ...] = ()
    accounts: tuple[str, ...] = ()
    links: tuple[str, ...] = ()
    qr_codes: tuple[str, ...] = ()
    claims: frozenset[Claim] = frozenset()
    case_numbers: tuple[str, ...] = ()
    id_card_shown: bool = False
    bank_card_shown: bool = False
    has_seal: bool = False
    kind_scores: dict[str, int] = field(default_factory=dict)

    @property
    def kind_name(self) -> str:
        """The kind as the person would name it."""
        return KIND_NAMES[self.kind]

    def has(self, *words: str) -> bool:
        """True when the text contains any of ``words``."""
        return any(word in self.text for word in words)


def clean_text(lines: Iterable[str]) -> str:
    """OCR lines as one text: NFKC (full-width to half-width), lower case, spaces between
    Chinese characters removed (OCR puts them in at random), one line per line."""
    out = []
    for line in lines:
        line = unicodedata.normalize("NFKC", line).lower()
        line = re.sub(rf"(?<=[{_CJK}])\s+(?=[{_CJK}])", "", line).strip()
        if line:
            out.append(line)
    return "\n".join(out)[:MAX_TEXT_CHARS]


def read_document(lines: Iterable[str], qr_codes: Iterable[str] = ()) -> Document:
    """Understand the text lines and QR payloads of one photo. Pure; never raises on any text."""
    text = clean_text(lines)
    flat = text.replace("\n", "")  # phrases broken over two lines read whole
    names_text = text.replace("\n", "，")  # a name never runs into the line before it
    qr = tuple(dict.fromkeys(q.strip() for q in qr_codes if q and q.strip()))
    lenders = _lenders(names_text)
    law_firms = _names(_LAW_FIRM, names_text)
    courts = _names(_COURT, names_text)
    companies = tuple(
        c
        for c in _names(_COMPANY, names_text)
        if "银行" not in c and not any(c in f for f in law_firms)
    )
    payees = _payees(text, lenders)
    accounts = _accounts(text)
    phones = _phones(flat)
    claims = _claims(flat, qr)
    scores = _kind_scores(flat, qr, lenders, phones)
    kind = _kind(scores)
    id_card = bool(_ID_CARD.search(flat)) or "身份证号" in flat or "公民身份号码" in flat
    bank_card = any(_luhn(d) for d in _LONG_DIGITS.findall(flat.replace(" ", ""))) or any(
        _luhn(re.sub(r"\D", "", a)) for a in accounts
    )
    details = extract_details(flat)
    return Document(
        kind=kind,
        text=text,
        lenders=lenders,
        companies=companies,
        law_firms=law_firms,
        courts=courts,
        phones=phones,
        service_numbers=_service_numbers(flat),
        amounts=_amounts(flat),
        debt_amount=details.amount,
        dates=tuple(d for d, _ in _dates(flat)),
        deadlines=_deadlines(flat),
        payees=payees,
        accounts=accounts,
        links=_links(flat, qr),
        qr_codes=qr,
        claims=claims,
        case_numbers=tuple(dict.fromkeys(_CASE_NUMBER.findall(flat))),
        id_card_shown=id_card,
        bank_card_shown=bank_card,
        has_seal=bool(re.search(r"盖章|公章|专用章|印章|\(章\)|签章", flat)),
        kind_scores={k.value: v for k, v in scores.items() if v},
    )


# -- helpers -------------------------------------------------------------------------------


def _lenders(flat: str) -> tuple[str, ...]:
    found: list[str] = []
    for match in _KNOWN_LENDER.finditer(flat):
        name = _LENDER_CANONICAL[match.group(0)]
        if name not in found:
            found.append(name)
    for name in _names(_BANK, flat):
        short = re.sub(r"(股份有限公司|有限责任公司).*$", "", name)
        if not any(short in known or known in short for known in found):
            found.append(short)
    return tuple(found)


def _names(pattern: re.Pattern[str], flat: str) -> tuple[str, ...]:
    found: list[str] = []
    for match in pattern.finditer(flat):
        name = match.group(0)
        stripped = _NAME_LEAD.sub("", name)
        if len(stripped) >= 4:
            name = stripped
        suffix_only = len(name) <= 4 and name.endswith(("公司", "集团", "中心", "银行"))
        if len(name) >= 4 and not suffix_only and name not in found:
            found.append(name)
    return tuple(found)


def _is_person_name(name: str) -> bool:
    organisation = (
        "公司",
        "银行",
        "中心",
        "事务所",
        "集团",
        "委员会",
        "法院",
        "分行",
        "支行",
        "合作社",
        "局",
        "厅",
        "部",
        "行",
        "所",
        "社",
        "基金",
        "有限",
    )
    return 2 <= len(name) <= 4 and not any(word in name for word in organisation)


def _payees(text: str, lenders: tuple[str, ...]) -> tuple[Payee, ...]:
    found: list[Payee] = []
    for match in _PAYEE.finditer(text):
        name = match.group(1).strip("()（）·")
        # Stop at the next field on the same line (户名张三账号… is read as one run).
        name = re.split(r"账号|帐号|卡号|开户|银行|电话|手机|金额", name)[0] or name
        if len(name) < 2:
            continue
        payee = Payee(name=name, is_person=_is_person_name(name))
        if payee not in found:
            found.append(payee)
    return tuple(found)


def _accounts(text: str) -> tuple[str, ...]:
    found: list[str] = []
    for match in _ACCOUNT.finditer(text.replace("\n", " ")):
        digits = re.sub(r"\D", "", match.group(1))
        if 10 <= len(digits) <= 25 and digits not in found:
            found.append(digits)
    return tuple(found)


def _phones(flat: str) -> tuple[str, ...]:
    found: list[str] = []
    for pattern in (_MOBILE, _LANDLINE):
        for match in pattern.finditer(flat):
            number = re.sub(r"[- ]", "", match.group(1))
            if number not in found:
                found.append(number)
    return tuple(found)


def _service_numbers(flat: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(re.sub(r"[- ]", "", m.group(1)) for m in _SERVICE.finditer(flat)))


def _amounts(flat: str) -> tuple[float, ...]:
    found: list[float] = []
    for match in _AMOUNT.finditer(flat):
        value = float(match.group(1).replace(",", ""))
        if match.group(2).startswith("万"):
            value *= 10_000
        if value > 0 and value not in found:
            found.append(value)
    for match in _AMOUNT_BEFORE.finditer(flat):
        value = float(match.group(1).replace(",", ""))
        if value > 0 and value not in found:
            found.append(value)
    return tuple(found)


def _dates(flat: str) -> list[tuple[str, int]]:
    found: list[tuple[str, int]] = []
    for match in _DATE.finditer(flat):
        year, month, day = match.groups()
        if not (1 <= int(month) <= 12 and 1 <= int(day) <= 31):
            continue
        if year is None and not re.search(r"[月日号]", match.group(0)):
            continue  # 3.5 or 10/12 alone: more likely a number than a date
        date = f"{year + '年' if year else ''}{int(month)}月{int(day)}日"
        found.append((date, match.end()))
    return found


def _deadlines(flat: str) -> tuple[str, ...]:
    found: list[str] = []
    for date, end in _dates(flat):
        if _DEADLINE_AFTER.match(flat[end : end + 8]) and date not in found:
            found.append(f"{date}前")
    for match in _WITHIN.finditer(flat):
        found.append(match.group(0))
    return tuple(dict.fromkeys(found))


def _links(flat: str, qr: tuple[str, ...]) -> tuple[str, ...]:
    links = [m.group(0).rstrip(".,);") for m in _LINK.finditer(flat)]
    links += [q for q in qr if re.match(r"[a-z]+://", q, re.IGNORECASE)]
    return tuple(dict.fromkeys(links))


def _claims(flat: str, qr: tuple[str, ...]) -> frozenset[Claim]:
    claims = {claim for claim, pattern in _CLAIM_PATTERNS.items() if pattern.search(flat)}
    # An employer or family counts only when the paper says they will be told or visited.
    for claim in (Claim.EMPLOYER, Claim.FAMILY):
        if claim in claims and not _near(_CLAIM_PATTERNS[claim], _TELL, flat, 16):
            claims.discard(claim)
    if Claim.CHILDREN in claims and not re.search(r"影响|牵连|连累|受到|无法|不能", flat):
        claims.discard(Claim.CHILDREN)
    if _near(_AUTHORITY, _MONEY_DEMAND, flat, 40):
        claims.add(Claim.AUTHORITY_MONEY)
    return frozenset(claims)


def _near(first: re.Pattern[str], second: re.Pattern[str], flat: str, width: int) -> bool:
    for match in first.finditer(flat):
        window = flat[max(0, match.start() - width) : match.end() + width]
        if second.search(window):
            return True
    return False


def _is_payment_qr(payload: str) -> bool:
    low = payload.lower()
    return (
        low.startswith("wxp://")
        or "qr.alipay.com" in low
        or "alipay" in low
        or "payapp.weixin" in low
        or "wx.tenpay.com" in low
        or "qr.95516.com" in low
    )


def _kind_scores(
    flat: str, qr: tuple[str, ...], lenders: tuple[str, ...], phones: tuple[str, ...]
) -> dict[DocKind, int]:
    scores = {
        kind: sum(weight for word, weight in words if word in flat)
        for kind, words in _KIND_WORDS.items()
    }
    if any(_is_payment_qr(q) for q in qr):
        scores[DocKind.PAYMENT_CODE] += 5
    # A short text from a sender in 【brackets】 or with times of day is a screenshot of SMS.
    if re.search(r"【[^】]{2,16}】|\[[^\]]{2,16}\]", flat):
        scores[DocKind.SMS] += 3
    if re.search(r"(?<!\d)(?:上午|下午|晚上)?\s*\d{1,2}:\d{2}(?!\d)", flat):
        scores[DocKind.SMS] += 1
    if scores[DocKind.SMS] and len(flat) > 600:
        scores[DocKind.SMS] -= 2  # a letter may mention an SMS; a screenshot is short
    return scores


def _kind(scores: dict[DocKind, int]) -> DocKind:
    best = max(scores.values(), default=0)
    if best < 2:
        return DocKind.UNKNOWN
    for kind in _KIND_WORDS:  # table order breaks ties
        if scores[kind] == best:
            return kind
    return DocKind.UNKNOWN


def _luhn(digits: str) -> bool:
    """True for 16-19 digits that pass the Luhn check (bank card numbers do)."""
    if not digits.isdigit() or not 16 <= len(digits) <= 19:
        return False
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def is_payment_qr(payload: str) -> bool:
    """True for a QR payload that is a WeChat, Alipay or UnionPay payment code."""
    return _is_payment_qr(payload)


def is_personal_payment_qr(payload: str) -> bool:
    """True for a personal WeChat (``wxp://``) or Alipay (``qr.alipay.com``) collection code."""
    low = payload.lower()
    return low.startswith("wxp://") or "qr.alipay.com" in low
