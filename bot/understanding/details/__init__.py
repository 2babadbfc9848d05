"""Details read from one message: how much is owed, to whom, for how long, and whether the
collectors are at the door now.

The text is already normalised (Simplified Chinese, half-width, lower case; see
:mod:`bot.understanding.normalize`). :func:`extract_details` returns only what it found:

- ``amount`` (float, yuan) and ``amount_approx`` (True for 5万多, 20来万, 大概4万 …);
- ``months`` (int): the number of installments or months the person wants to pay over;
- ``lender`` (canonical name) and, when several are named, ``lenders`` (all, in order);
- ``overdue_months`` (int) and ``overdue_approx`` (True for 逾期一年多 …);
- ``present``: True when the collectors are there now, False when a future visit is announced.

One module per kind of detail: numbers.py (numerals, unreadable figures, shared text
helpers), lenders.py, money.py (amounts, debts, rates, budget, down payment, convention),
periods.py, presence.py, situation.py (who speaks, credentials, police, money paid, a paper
to sign, where); the closed vocabularies are enums (vocab.py); model.py holds the typed
:class:`Details` and its JSON round-trip; extract.py puts them together.

Every pattern is linear: numbers are found only where a run of digits starts, every
repetition is bounded, and the context around a number is read from fixed-size slices. Any
string is accepted and nothing raises.
"""

from __future__ import annotations

from bot.understanding.details.extract import extract_details
from bot.understanding.details.lenders import (
    AMBIGUOUS_BANK_NAMES,
    BANK_LOAN_PRODUCTS,
    LENDER_ALIASES,
    LICENSED_ONLINE,
    lender_type,
)
from bot.understanding.details.model import EMPTY, PRIVATE, Details
from bot.understanding.details.numbers import MAX_CHARS, cn_to_number, unreadable_amount
from bot.understanding.details.vocab import Convention, LenderType, Paid, Place, Police, Role

__all__ = [
    "AMBIGUOUS_BANK_NAMES",
    "BANK_LOAN_PRODUCTS",
    "EMPTY",
    "LENDER_ALIASES",
    "LICENSED_ONLINE",
    "MAX_CHARS",
    "PRIVATE",
    "Convention",
    "Details",
    "LenderType",
    "Paid",
    "Place",
    "Police",
    "Role",
    "cn_to_number",
    "extract_details",
    "lender_type",
    "unreadable_amount",
]
