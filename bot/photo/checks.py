"""What is wrong with a paper, each finding with the rule behind it (pure, no I/O).

Every fact stated here comes from /work/shared/domain-facts.md ([V]/[S] only). Findings come in
order of urgency: a scam first, then whether to pay, then the pressure, then what the paper
lacks. A finding has a private text and a group text without personal details.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from bot.photo.document import Claim, DocKind, Document, is_payment_qr, is_personal_payment_qr


@dataclass(frozen=True)
class Finding:
    """One thing to tell the person; ``group_text`` leaves out names and numbers."""

    code: str
    text: str
    group_text: str = ""
    urgent: bool = False
    also: tuple[str, ...] = ()  # more codes this finding covers

    @property
    def codes(self) -> tuple[str, ...]:
        """Every code this finding covers."""
        return (self.code, *self.also)

    def for_group(self) -> str:
        """The text to show in a group chat."""
        return self.group_text or self.text


#: How many findings one answer shows (the rest would not fit a phone screen).
MAX_FINDINGS = 6

_REPAY_OWN = "只通过贷款方自己的渠道还（官方App、网银、柜台），留好凭证。"

SCAM = Finding(
    "scam",
    "⚠️ 这像诈骗：警察不会让人把钱转进“安全账户”，以“撤案”为名要钱的是诈骗的信号；催收也不许"
    "冒用公检法的名义（行业指引）。一分钱也别转，马上打110，或反诈专线96110。",
    urgent=True,
)

CRIMINAL_CARD = Finding(
    "criminal",
    "说要“立案、抓人、坐牢”是施压：还不起是民事纠纷，不是犯罪。信用卡诈骗（刑法第196条）要有"
    "非法占有目的，且经两次有效催收（间隔至少30天）后超过3个月不还，不能只凭没还钱认定。"
    "但别换号失联：换号、搬家要告诉银行新的联系方式。",
)
CRIMINAL_LOAN = Finding(
    "criminal",
    "说要“立案、抓人、坐牢”是施压：借款还不上是民事纠纷，不是犯罪；贷款诈骗要在借款时就有欺诈。"
    "但别换号失联：换号、搬家要告诉贷款方新的联系方式。",
)
EMPLOYER = Finding(
    "employer",
    "说要通知单位、同事：他们是与债务无关的第三人，不该被催收（《商业银行信用卡业务监督管理办法》"
    "第68条）；行业指引也不许散布你的信息。",
)
EMPLOYER_LOAN = Finding(
    "employer",
    "说要通知单位、同事：他们与这笔债无关。把你欠债的事告诉他们，超出了使用个人信息的必要范围"
    "（个人信息保护法第6条）；用电话、短信打扰他们，也侵扰他们的私人生活（民法典第1033条）。",
)
FAMILY = Finding(
    "family",
    "说要找家人：父母、子女、朋友没签担保就不欠这笔钱；配偶只在共同签字、事后认可或用于家庭日常"
    "生活时才一起担责（民法典第1064条）。",
)
BLACKLIST = Finding(
    "blacklist",
    "说要拉进“黑名单”、失信、限高：只有法院在执行程序里能定（判决等生效后没按期履行）；催收方定不了，"
    "行业指引也禁止编造黑名单吓人。",
)
CHILDREN = Finding(
    "children",
    "说会影响孩子：孩子不欠这笔债，没签担保就不用还；没有全国性规定因父母欠款不让孩子上学、考公"
    "（个别岗位政审做法不一）。限高、失信只有法院能定，催收方说了不算。",
)
VISIT = Finding(
    "visit",
    "说要上门：上门本身不违法，但要守规矩——至少两人、出示工作证、进门要你同意、晚上10点到早上8点"
    "不能来，除非你同意（行业指引）。你可以隔着门说话，可以不开门；有人威胁或不肯走，打110。",
)
FEES = Finding(
    "fees",
    "要你另付“上门费、手续费、保证金”之类：行业指引禁止催收时收额外费用。这些别付，只还欠款本身。",
)
DEBT_RELIEF = Finding(
    "debt_relief",
    "提到“债务优化、停息挂账”一类收费服务：监管提醒过这类代理会收费、乱用个人信息。你可以免费直接"
    "和银行或贷款方协商；停息挂账不是法定权利，对方可以同意也可以不同意。",
)


MEDIATION = Finding(
    "mediation",
    "提到“调解”：自称“调解中心”的多数不是法院，可能是法院委派的诉前调解（有案号，可以打12368核实）、"
    "人民调解等合法调解组织，也可能是催收公司冒充。调解不是判决，也不代表已经被起诉；不收费，"
    "可以拒绝。冒充法院的公司、几小时的期限、个人手机号、"
    "收费或“保证金”、往贷款方以外的账户打钱，都是危险信号。",
)
LAWSUIT = Finding(
    "lawsuit",
    "说要起诉：起诉是民事程序。真被起诉，法院会通过12368短信、法院专递或当面送达，可以打12368"
    "查；收到起诉状副本后15日内可以提交答辩状（民事诉讼法第128条）。",
)

COURT_ANSWER = Finding(
    "court_answer",
    "如果确实被起诉：收到起诉状副本后15日内可以提交答辩状（民事诉讼法第128条），"
    "可以打12348问法律援助。",
)


def check(document: Document) -> list[Finding]:
    """All findings for ``document``, most urgent first: a scam, a court paper's check, where
    the money goes, threats of arrest and blacklists, what this kind of paper lacks, then the
    rest of the pressure."""
    claims = document.claims
    kind = document.kind
    findings: list[Finding] = []
    if Claim.SAFE_ACCOUNT in claims or Claim.AUTHORITY_MONEY in claims:
        findings.append(SCAM)
    if kind is DocKind.COURT:
        findings += _court_findings(document)
    findings += _payment_findings(document)
    if Claim.CRIMINAL in claims:
        findings.append(CRIMINAL_CARD if _is_card_debt(document) else CRIMINAL_LOAN)
    if Claim.BLACKLIST in claims:
        findings.append(BLACKLIST)
    findings += _KIND_CHECKS.get(kind, _nothing)(document)
    employer = EMPLOYER if _is_card_debt(document) else EMPLOYER_LOAN
    for claim, finding in (
        (Claim.EMPLOYER, employer),
        (Claim.FAMILY, FAMILY),
        (Claim.CHILDREN, CHILDREN),
        (Claim.FEES, FEES),
        (Claim.DEBT_RELIEF, DEBT_RELIEF),
    ):
        if claim in claims:
            findings.append(finding)
    if Claim.VISIT in claims and kind is not DocKind.WORK_ID:
        findings.append(VISIT)
    if Claim.MEDIATION in claims:
        findings.append(MEDIATION)
    elif kind is DocKind.COURT and document.has("起诉状", "应诉", "答辩", "传票"):
        findings.append(COURT_ANSWER)
    elif Claim.LAWSUIT in claims and kind is not DocKind.LAWYER:
        findings.append(LAWSUIT)
    return _unique(findings)


def privacy_findings(document: Document, *, in_group: bool) -> list[Finding]:
    """A warning when the photo shows a full ID card or bank card number."""
    shown = [
        label
        for label, present in (
            ("身份证号", document.id_card_shown),
            ("银行卡号", document.bank_card_shown),
        )
        if present
    ]
    if not shown:
        return []
    what = "和".join(shown)
    if in_group:
        return [
            Finding(
                "retract",
                f"🔒 这张图里有完整的{what}，请尽快撤回这张图片（长按消息→撤回），遮住号码后再发。",
            )
        ]
    return [Finding("privacy", f"🔒 图里有完整的{what}。转发给别人之前，先把号码遮住。")]


# -- paying --------------------------------------------------------------------------------


def _payment_findings(document: Document) -> list[Finding]:
    """One finding for everything wrong with where the money should go."""
    reasons: list[tuple[str, str, str]] = []  # (code, private text, group text)
    person = next((p for p in document.payees if p.is_person), None)
    lenders = document.lenders
    if person is not None:
        reasons.append(("pay_person", f"收款人“{person.name}”是个人", "收款人是个人"))
    else:
        other = next(
            (
                p
                for p in document.payees
                if lenders and not any(_same_party(p.name, lender) for lender in lenders)
            ),
            None,
        )
        if other is not None:
            reasons.append(
                (
                    "pay_not_lender",
                    f"收款方“{other.name}”不是{lenders[0]}本身",
                    f"收款方不是{lenders[0]}本身",
                )
            )
    personal = next((q for q in document.qr_codes if is_personal_payment_qr(q)), None)
    if personal is not None:
        app = "微信" if personal.lower().startswith("wxp://") else "支付宝"
        text = f"图里的二维码是个人{app}收款码"
        reasons.append(("pay_personal_qr", text, text))
    elif any(is_payment_qr(q) for q in document.qr_codes) or document.kind is DocKind.PAYMENT_CODE:
        reasons.append(("pay_qr", "图里是收款码", "图里是收款码"))
    if (
        not reasons
        and document.accounts
        and not document.payees
        and document.kind
        in (
            DocKind.COLLECTION,
            DocKind.LAWYER,
            DocKind.SMS,
            DocKind.AGREEMENT,
            DocKind.COURT,
            DocKind.MANDATE,
            DocKind.UNKNOWN,
        )
    ):
        text = "给了收款账号，却没写明是贷款方自己的账户"
        reasons.append(("pay_unverified_account", text, text))
    if not reasons:
        return []
    rule = "欠款不能还到个人账户、个人微信或支付宝，也别扫对方给的码：" + _REPAY_OWN
    return [
        Finding(
            reasons[0][0],
            "🚫 别付钱：" + "；".join(r[1] for r in reasons) + "。" + rule,
            "🚫 别付钱：" + "；".join(r[2] for r in reasons) + "。" + rule,
            also=tuple(r[0] for r in reasons[1:]),
        )
    ]


def _same_party(payee: str, lender: str) -> bool:
    core = re.sub(r"(股份有限公司|有限责任公司|有限公司|中国)", "", lender)
    return core[:2] in payee if len(core) >= 2 else lender in payee


def _is_card_debt(document: Document) -> bool:
    return document.has("信用卡", "透支", "卡片") or any(
        name.endswith("银行") for name in document.lenders
    )


# -- kinds ---------------------------------------------------------------------------------


def _court_findings(document: Document) -> list[Finding]:
    findings = [
        Finding(
            "court_verify",
            "⚖️ 法院的文书请自己核实：打12368或法院官网公布的电话，报上案号查询；"
            "不要打纸上印的电话。"
            "法院通过12368短信、“人民法院在线服务”小程序、法院专递（EMS）或当面送达。",
        )
    ]
    red_flags = []
    if document.phones and any(p.startswith("1") for p in document.phones):
        red_flags.append("留的是个人手机号")
    if Claim.FEES in document.claims or document.has("保证金", "缴费", "交费"):
        red_flags.append("要交费或保证金")
    if re.search(r"\d{1,2}\s*小时内", document.text):
        red_flags.append("只给几个小时的期限")
    if document.accounts or document.payees:
        red_flags.append("要你往账户里打钱")
    if not document.courts:
        red_flags.append("没写是哪家法院")
    if red_flags:
        findings.append(
            Finding(
                "court_red_flags",
                "这张纸有可疑之处：" + "、".join(red_flags) + "。真正的法院文书可以用案号查到，"
                "钱也只还给贷款方自己。",
            )
        )
    return findings


def _lawyer_findings(document: Document) -> list[Finding]:
    findings = []
    if not document.law_firms:
        findings.append(
            Finding(
                "lawyer_no_firm",
                "这封“律师函”没有写律师事务所的名称。正规的律师函会写明律所全称和承办律师，"
                "没有律所名称，就无从核实是谁发的。",
            )
        )
    findings.append(
        Finding(
            "lawyer_not_court",
            "律师函不是法院的文书。是不是真被起诉，以法院送达为准（12368短信、法院专递、当面送达），"
            "可以打12368查。",
        )
    )
    return findings


_ART69_ITEMS = (
    ("欠款金额", lambda d: bool(d.amounts) or d.debt_amount is not None),
    ("欠款原因", lambda d: d.has("信用卡", "透支", "贷款", "借款", "消费", "分期")),
    ("你的权利", lambda d: d.has("权利", "权益")),
    ("提出异议的方式", lambda d: d.has("异议")),
    (
        "银行的联系方式",
        lambda d: (
            bool(d.service_numbers or d.phones) and any(n.endswith("银行") for n in d.lenders)
        ),
    ),
    ("银行的盖章", lambda d: d.has_seal),
)


def _collection_letter_findings(document: Document) -> list[Finding]:
    if not _is_card_debt(document):  # Art. 69 is for bank credit cards
        if document.lenders:
            return []
        return [
            Finding(
                "letter_no_lender",
                "📋 这封催收函没写是哪家银行或贷款方的欠款，无从核实。先问清是哪家，"
                "再打那家的官方电话问。",
            )
        ]
    missing = [name for name, present in _ART69_ITEMS if not present(document)]
    if not missing:
        return []
    text = (
        "📋 催收函要写明欠款金额、原因、你的权利、怎么提异议、银行的联系方式，并盖银行的章"
        "（《商业银行信用卡业务监督管理办法》第69条）。这封缺：" + "、".join(missing) + "。"
        "缺项不一定是假的，但要先核实；有异议可以向银行提，银行要核查。"
    )
    return [Finding("letter_missing", text)]


def _mandate_findings(document: Document) -> list[Finding]:
    missing = []
    if not any(n.endswith("银行") for n in document.lenders) and not document.lenders:
        missing.append("委托的银行或贷款方")
    if not document.companies:
        missing.append("受托的公司")
    if not (document.has("期限", "有效期", "至") and document.dates):
        missing.append("委托期限")
    if not document.has_seal:
        missing.append("盖章")
    text = (
        "光看委托书还不够：请打卡背面或银行官网的电话，"
        "问这家公司是不是银行委托的（银行会公布合作的催收机构）。"
    )
    if missing:
        text = "📋 这份委托书没写清：" + "、".join(missing) + "。" + text
    return [Finding("mandate", text)]


def _work_id_findings(document: Document) -> list[Finding]:
    text = (
        "🪪 工作证只能说明他是哪家公司的人，不能说明受银行委托。请他出示银行的书面委托书，"
        "再打卡背面或银行官网的电话核实这家公司。上门要至少两人、出示证件，进门要你同意"
        "（行业指引）；你可以隔着门说话。"
    )
    if not document.companies and not document.lenders:
        text = "🪪 这张工作证上没有看到公司名称。" + text[2:]
    return [Finding("work_id", text)]


def _agreement_findings(document: Document) -> list[Finding]:
    text = (
        "📝 还款协议签之前看清：剩余欠款、每期还多少、还几期、利息和年费还算不算；空白或看不懂"
        "的地方别签。协议要和银行或贷款方本身签，钱只还到它自己的渠道。"
    )
    if _is_card_debt(document):  # Art. 70 is for bank credit cards only, not for 网贷
        text += (
            "信用卡的个性化分期最长5年，银行可以同意，不是必须同意（《商业银行信用卡业务监督"
            "管理办法》第70条）。"
        )
    else:
        text += "分不分期、分几期，由贷款方决定，可以直接和它协商。"
    findings = [Finding("agreement", text)]
    if document.companies and not document.lenders:
        findings.append(
            Finding(
                "agreement_party",
                "这份协议上只看到公司，没有看到银行或贷款方本身。先打贷款方自己的电话问清这份协议算不算数。",
            )
        )
    return findings


def _sms_findings(document: Document) -> list[Finding]:
    findings = []
    if any(p.startswith("1") and len(p) == 11 for p in document.phones):
        findings.append(
            Finding(
                "sms_private_phone",
                "短信里留的是个人手机号。外包催收机构未经银行同意不能用私人电话催收（行业指引）。"
                "别打这个号码核实，也别通过短信里的号码或链接付款。",
            )
        )
    elif document.links:
        findings.append(
            Finding("sms_link", "不要通过短信里的链接或号码付款或填写信息：" + _REPAY_OWN)
        )
    return findings


def _nothing(document: Document) -> list[Finding]:
    return []


_KIND_CHECKS: dict[DocKind, Callable[[Document], list[Finding]]] = {
    DocKind.LAWYER: _lawyer_findings,
    DocKind.COLLECTION: _collection_letter_findings,
    DocKind.MANDATE: _mandate_findings,
    DocKind.WORK_ID: _work_id_findings,
    DocKind.AGREEMENT: _agreement_findings,
    DocKind.SMS: _sms_findings,
}


def _unique(findings: list[Finding]) -> list[Finding]:
    seen: set[str] = set()
    out = []
    for finding in findings:
        if finding.code not in seen:
            seen.add(finding.code)
            out.append(finding)
    return out
