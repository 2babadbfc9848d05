"""Interest taken upfront: the money a loan actually paid out ("借了3000，到手只有2100"), said
back once with the rule it falls under — the principal is what was received (民法典第六百七十条),
whatever topic the message is answered with (the threats that came with it, the installments)."""

from __future__ import annotations

from bot.conversation import texts
from bot.conversation.context import Draft, Turn, block_id

#: the mark in ``Session.noticed`` once the line was said
NOTICED = "received"


def _yuan(value: float) -> str:
    """A figure as people write it ("2100", "1.5": no thousands separator, no ".0")."""
    return f"{value:.0f}" if value == int(value) else f"{value:.2f}".rstrip("0")


def received_line(session: Draft, turn: Turn) -> None:
    """Add the line for the money actually received, once per conversation; none in a group
    (the figures are the person's own), in a crisis or for staff."""
    details = session.details
    if details.received is None or NOTICED in session.noticed:
        return
    if turn.in_group or session.crisis or details.role == "staff":
        return
    received = _yuan(details.received)
    if details.amount is not None and details.amount > details.received:
        text = texts.RECEIVED_OF_LOAN.format(amount=_yuan(details.amount), received=received)
    else:
        text = texts.RECEIVED.format(received=received)
    if block_id(text) in session.sent:
        return
    session.notice(NOTICED)
    turn.add(text)
