"""The person's lender, said with the steps that depend on it: a topic's ``lender_lines``
(intents/negotiate_installments.yaml, intents/safe_repayment.yaml) name the one lender the
conversation knows and how that kind of lender is dealt with (a bank card: the number on its
back; a bank loan or a platform: its own app or entry point)."""

from __future__ import annotations

from bot.content import IntentSpec
from bot.conversation.context import Draft, Turn, block_id


def lender_line(spec: IntentSpec, session: Draft, turn: Turn) -> None:
    """Add the topic's line for the person's one lender ("你说的是浦发银行的信用卡：…", "美团不是
    银行信用卡：…"), once per conversation; none in a group (the lender is the person's own
    detail), in a crisis, for staff, when several lenders were named, when the topic has no
    line for that kind of lender, or when a reply of this turn already names the lender."""
    details = session.details
    if turn.in_group or session.crisis or details.role == "staff":
        return
    if details.lender is None or details.lender_type is None:
        return
    if details.lenders is not None and len(details.lenders) > 1:
        return
    kind = details.lender_type.value
    line = next((v for k, v in spec.lender_lines.items() if k == kind), None)
    if line is None or any(details.lender in reply for reply in turn.replies):
        return  # (the answer given names it already: "在支付宝App里找借呗…")
    text = line.say(details.lender)
    if block_id(text) not in session.sent:
        turn.add(text)
