"""Text hygiene at the platform boundary: what comes in from a platform, and what goes out to
one, is text every later step can encode.

JSON can carry lone surrogates (``"\\ud800"``) and other code points that UTF-8 cannot encode;
passed on, they fail much later (storing the turn, encoding the HTTP answer, sending the QQ
reply). :func:`clean_text` replaces them at the edge, so nothing downstream ever sees one.
:func:`log_id` keeps ids short in log lines (a 1 MB id must not make a 1 MB log line).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import replace

from bot.messages import Incoming

REPLACEMENT = "\ufffd"
#: the longest id written whole to a log line
MAX_LOGGED_ID_CHARS = 64
#: the longest user or room id kept as it is; a longer one is cut and given a digest of the
#: whole, so it stays distinct from every other id and its cost stays bounded
MAX_ID_CHARS = 256
#: the longest message text passed on (the engine reads only the first 2,000 characters)
MAX_TEXT_CHARS = 20_000


#: the tail of an id :func:`bounded_id` has rewritten: "#" and a SHA-256 digest
_DIGEST_TAIL = re.compile(r"#[0-9a-f]{64}\Z")


def bounded_id(value: str) -> str:
    """``value`` when it is clean, at most :data:`MAX_ID_CHARS` long and does not end like a
    rewritten id; otherwise its (cleaned) head and "#" with a SHA-256 digest of the whole.

    The mapping is one-to-one: a kept id never ends in "#<digest>" and every rewritten one does,
    so two different ids never become one (neither by length, nor by cleaning lone surrogates
    or NUL, nor by an id made to look like another's rewritten form)."""
    kept = len(value) <= MAX_ID_CHARS and _DIGEST_TAIL.search(value) is None
    if kept and clean_text(value) is value:
        return value
    digest = hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()
    return f"{clean_text(value[: MAX_ID_CHARS - 65])}#{digest}"


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
    """``incoming`` with its text, user and room cleaned and bounded (text cut at
    :data:`MAX_TEXT_CHARS`, long ids replaced by :func:`bounded_id`); the same object when all
    are clean."""
    text = incoming.text if len(incoming.text) <= MAX_TEXT_CHARS else incoming.text[:MAX_TEXT_CHARS]
    room = None if incoming.room is None else clean_text(bounded_id(incoming.room))
    text, user = clean_text(text), clean_text(bounded_id(incoming.user))
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
