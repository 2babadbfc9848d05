"""The platform-free message types that flow between adapters and the engine.

Adapters turn a platform's event into one :class:`Incoming` and send back the texts of the
:class:`Response` the engine returns. Nothing here knows about WeChat, QQ or HTTP.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import NamedTuple


class MessageKind(StrEnum):
    """What an incoming message carries. Only TEXT and CHAT_HISTORY carry text to understand."""

    TEXT = "text"
    CHAT_HISTORY = "chat_history"  # a forwarded chat record (WeChat ChatHistory)
    IMAGE = "image"
    VOICE = "voice"
    VIDEO = "video"
    FILE = "file"
    STICKER = "sticker"
    LINK = "link"
    TRANSFER = "transfer"
    LOCATION = "location"
    OTHER = "other"

    @property
    def has_text(self) -> bool:
        """True when the message's text is worth understanding."""
        return self in (MessageKind.TEXT, MessageKind.CHAT_HISTORY)


@dataclass(frozen=True, slots=True)
class Incoming:
    """One message from a person, as any adapter sees it.

    ``room`` is the group id, or None in a private chat. ``addressed`` says whether the message
    is meant for the bot (always true in a private chat; in a group, an @mention or a trigger
    word). ``forwarded`` marks text a counsellor forwards from a client. ``image`` carries a
    photo's bytes (kind IMAGE), for the photo check.
    """

    user: str
    text: str
    platform: str = "terminal"
    room: str | None = None
    addressed: bool = True
    kind: MessageKind = MessageKind.TEXT
    forwarded: bool = False
    user_name: str = ""
    #: the bytes of a photo (kind IMAGE) when the platform delivered them; never logged
    image: bytes | None = field(default=None, repr=False)

    @property
    def in_group(self) -> bool:
        """True for a message sent in a group chat."""
        return self.room is not None


class RankedIntent(NamedTuple):
    """One candidate intent with its score in [0, 1] (a tuple: cheap to make by the dozen)."""

    intent: str
    score: float


@dataclass(frozen=True, slots=True)
class Response:
    """What the engine answers to one incoming message.

    ``replies`` are the texts to send, in order (each fits one chat message). ``choices`` are
    the numbered options the last reply offers, so a web page can show them as buttons.
    ``intent`` is the intent the reply is about (``None`` when the bot stays silent).
    """

    replies: list[str] = field(default_factory=list)
    intent: str | None = None
    confidence: float = 0.0
    intents: list[RankedIntent] = field(default_factory=list)
    choices: list[str] = field(default_factory=list)
    urgent: bool = False

    @property
    def silent(self) -> bool:
        """True when there is nothing to send."""
        return not self.replies
