"""Masking personal data (phone, ID card and bank card numbers) before text is logged or stored."""

from __future__ import annotations

import re

# Digits may be written with spaces or dashes in between (e.g. "6222 0212 3456 7890").
_ID_CARD = re.compile(r"(?<!\d)(\d{6})(\d{8})(\d{3}[\dXx])(?!\d)")
# The last four digits may be split too: 19-digit cards are written 4-4-4-4-3.
_CARD = re.compile(r"(?<!\d)(\d{4})((?:[ -]?\d){8,11})((?:[ -]?\d){4})(?!\d)")
_SEPARATORS = re.compile(r"[ -]")
_PHONE = re.compile(r"(?<!\d)(\+?86[ -]?)?(1[3-9]\d)[ -]?(\d{4})[ -]?(\d{4})(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)(0\d{2,3})[ -]?(\d{7,8})(?!\d)")


def has_personal_numbers(text: str) -> bool:
    """True when ``text`` shows a mobile phone, ID card or bank card number."""
    return bool(_ID_CARD.search(text) or _CARD.search(text) or _PHONE.search(text))


def mask(text: str) -> str:
    """``text`` with phone, ID card and bank card numbers partly hidden."""
    text = _ID_CARD.sub(lambda m: f"{m.group(1)[:3]}{'*' * 11}{m.group(3)[-4:]}", text)
    text = _CARD.sub(lambda m: f"{m.group(1)} **** {_SEPARATORS.sub('', m.group(3))}", text)
    text = _PHONE.sub(lambda m: f"{m.group(1) or ''}{m.group(2)}****{m.group(4)}", text)
    return _LANDLINE.sub(lambda m: f"{m.group(1)}-****{m.group(2)[-2:]}", text)
