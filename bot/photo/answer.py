"""Putting the answer to a photo together: the summary, the findings, how to verify."""

from __future__ import annotations

from bot.photo.checks import MAX_FINDINGS, Finding, check, privacy_findings
from bot.photo.document import DocKind, Document

UNREADABLE = (
    "这张图片上我没读出文字。请在光线好的地方正对着纸拍，让字清楚、占满画面，再发一次；"
    "也可以把上面的字打出来发给我。"
)
UNCLEAR = (
    "我读出了图片上的字，但看不出是催收函、律师函、委托书、工作证、法院文书、短信或收款码。"
    "可以用文字说说你遇到的情况，我来帮你看。"
)
BUSY = "现在同时发来的图片比较多，请过一分钟再发一次。如果有人威胁你或不肯离开，请直接拨打110。"
FAILED = "这张图片我没能读完，请再发一次试试。如果有人威胁你或不肯离开，请直接拨打110。"


def verify_line(document: Document) -> str:
    """How to check any paper: through the lender's own number, never one the paper gives."""
    banks = [n for n in document.lenders if n]
    who = f"{banks[0]}（或你的贷款方）" if banks else "银行或贷款方"
    return (
        f"✅ 核实办法：打你卡背面的电话，或{who}官网、官方App上的客服电话，问清欠款多少、"
        "这家机构是不是受它委托、该往哪里还。别打纸上、短信里或来人给的电话；"
        "遇到威胁或有人不肯走，打110。"
    )


def summary(document: Document, *, in_group: bool) -> str:
    """One line saying what the photo seems to be, and (in private) what it names."""
    if document.kind is DocKind.UNKNOWN:
        head = "我读了这张图片。"
    else:
        head = f"我读了这张图片，看起来是一份{document.kind_name}。"
        if document.kind in (DocKind.SMS, DocKind.PAYMENT_CODE, DocKind.WORK_ID):
            head = f"我读了这张图片，看起来是一张{document.kind_name}。"
    named = [*document.courts, *document.law_firms, *document.lenders, *document.companies][:4]
    parts = []
    if named:
        parts.append("提到：" + "、".join(named))
    if not in_group:
        if document.amounts:
            parts.append("金额：" + "、".join(_yuan(a) for a in document.amounts[:2]))
        if document.deadlines:
            parts.append("期限：" + "、".join(document.deadlines[:2]))
    return head + ("；".join(parts) + "。" if parts else "")


def compose(document: Document, *, in_group: bool) -> tuple[list[str], list[Finding]]:
    """The replies for a document, each fitting a phone screen. A scam warning comes first
    (110 / 96110), and in a group the request to retract a photo that shows an ID or card
    number (a message can be retracted for a short while only); then the summary with the next
    findings, the rest of the findings, and how to verify."""
    findings = check(document)
    privacy = privacy_findings(document, in_group=in_group)
    shown = findings[:MAX_FINDINGS]
    urgent = [f for f in shown if f.urgent] + (privacy if in_group else [])
    rest = [f for f in shown if not f.urgent]
    texts = [f.for_group() if in_group else f.text for f in rest]
    first = [*(f.text for f in urgent), summary(document, in_group=in_group), *texts[:2]]
    if not shown and document.kind is not DocKind.UNKNOWN:
        first.append("上面没看到明显的问题，但光看纸分辨不了真假。")
    replies = ["\n\n".join(first)]
    if texts[2:]:
        replies.append("\n\n".join(texts[2:]))
    last = [] if in_group else [f.text for f in privacy]
    replies.append("\n\n".join([*last, verify_line(document)]))
    return replies, findings + privacy


def _yuan(value: float) -> str:
    text = f"{value:,.2f}"
    return (text[:-3] if text.endswith(".00") else text) + "元"
