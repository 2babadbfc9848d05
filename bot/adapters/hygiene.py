"""Text hygiene at the platform boundary: what comes in from a platform, and what goes out to
one, is text every later step can encode.

JSON can carry lone surrogates (``"\\ud800"``) and other code points that UTF-8 cannot encode;
passed on, they fail much later (storing the turn, encoding the HTTP answer, sending the QQ
reply). :func:`clean_text` replaces them at the edge, so nothing downstream ever sees one.
:func:`log_id` keeps ids short in log lines (a 1 MB id must not make a 1 MB log line).
"""

from __future__ import annotations

from dataclasses import replace

from bot.messages import Incoming

REPLACEMENT = "\ufffd"
#: the longest id written whole to a log line
MAX_LOGGED_ID_CHARS = 64


def clean_text(text: str) -> str:
    """``text`` with every code point UTF-8 cannot encode (lone surrogates) replaced by U+FFFD,
    and NUL characters dropped. Text that is already clean is returned as is."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = "".join(REPLACEMENT if "\ud800" <= c <= "\udfff" else c for c in text)
    return text.replace("\x00", "") if "\x00" in text else text


def clean_optional(text: str | None) -> str | None:
    """:func:`clean_text` for an optional field."""
    return None if text is None else clean_text(text)


def clean_incoming(incoming: Incoming) -> Incoming:
    """``incoming`` with its text, user and room cleaned (the same object when all are clean)."""
    text, user, room = (
        clean_text(incoming.text),
        clean_text(incoming.user),
        clean_optional(incoming.room),
    )
    if text is incoming.text and user is incoming.user and room is incoming.room:
        return incoming
    return replace(incoming, text=text, user=user, room=room)


def log_id(value: object) -> str:
    """An id for a log line: cleaned, and cut to :data:`MAX_LOGGED_ID_CHARS` characters with
    the full length noted when longer."""
    text = clean_text(str(value))
    if len(text) <= MAX_LOGGED_ID_CHARS:
        return text
    return f"{text[:MAX_LOGGED_ID_CHARS]}…({len(text)} chars)"
